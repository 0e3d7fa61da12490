/* textout.c — safe output of untrusted names. See include/textout.h. */
#include <stdint.h>

#include "textout.h"

int utf8_seq_len(const unsigned char *s, size_t avail)
{
	if (avail == 0)
		return 0;
	unsigned c = s[0];
	if (c < 0x80)
		return 1;
	int n;
	unsigned min;
	if (c >= 0xc2 && c <= 0xdf) {
		n = 2;
		min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		min = 0x10000;
	} else {
		return 0;
	}
	if ((size_t)n > avail)
		return 0;
	unsigned cp = c & (0x7fu >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3fu);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

void text_put_safe(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = utf8_seq_len(p, 4);
		if (n == 0 || *p < 0x20 || *p == 0x7f) {
			/* control characters and bytes that are not UTF-8 (a lone 0x9b
			 * is CSI to some terminals) */
			fprintf(f, "\\x%02x", *p);
			p++;
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* C1 controls (U+0080..U+009F), e.g. the 8-bit CSI */
			fprintf(f, "\\u%04x", p[1]);
			p += 2;
		} else {
			fwrite(p, 1, (size_t)n, f);
			p += n;
		}
	}
}

void json_put_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': fputs("\\\"", f); break;
		case '\\': fputs("\\\\", f); break;
		case '\n': fputs("\\n", f); break;
		case '\r': fputs("\\r", f); break;
		case '\t': fputs("\\t", f); break;
		default:
			/* '<' and '>' escaped too so the JSON can sit inside <script>;
			 * C1 controls and U+2028/2029 (line breaks to JavaScript) too */
			if (*p < 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == '&') {
				fprintf(f, "\\u%04x", *p);
			} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
				fprintf(f, "\\u%04x", p[1]);
				p++;
			} else if (p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9)) {
				fprintf(f, "\\u%04x", 0x2000 | (p[2] - 0x80));
				p += 2;
			} else {
				fputc(*p, f);
			}
		}
	}
	fputc('"', f);
}
