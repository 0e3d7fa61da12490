/* textout.c — safe output of untrusted names. See include/textout.h. */
#include <stdint.h>

#include "textout.h"

void text_put_safe(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		if (*p < 0x20 || *p == 0x7f) {
			fprintf(f, "\\x%02x", *p);
			p++;
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* C1 controls (U+0080..U+009F), e.g. the 8-bit CSI */
			fprintf(f, "\\u%04x", p[1]);
			p += 2;
		} else {
			fputc(*p++, f);
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
			/* '<' and '>' escaped too so the JSON can sit inside <script> */
			if (*p < 0x20 || *p == 0x7f || *p == '<' || *p == '>' || *p == '&')
				fprintf(f, "\\u%04x", *p);
			else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}
