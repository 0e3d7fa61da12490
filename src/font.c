/* font.c — glyph look-up and UTF-8 decoding for the embedded bitmap fonts.
 * See include/font.h; the glyphs are in src/font-data.c. */
#include <string.h>

#include "font.h"
#include "stats.h"

const struct font *font_by_name(const char *name)
{
	const struct font *all[] = { &font_regular, &font_bold, &font_title };
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}

static long glyph_index(const struct font *f, uint32_t cp)
{
	if (cp > 0xffff)
		return -1;
	size_t lo = 0, hi = f->nglyphs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (f->codepoints[mid] < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->nglyphs && f->codepoints[lo] == cp ? (long)lo : -1;
}

int font_has(const struct font *f, uint32_t cp)
{
	return glyph_index(f, cp) >= 0;
}

const uint8_t *font_glyph(const struct font *f, uint32_t cp)
{
	long i = glyph_index(f, cp);
	size_t g = i >= 0 ? (size_t)i : f->replacement;
	return f->bitmaps + g * f->height * f->row_bytes;
}

size_t font_utf8_next(const char *s, uint32_t *cp)
{
	const unsigned char *p = (const unsigned char *)s;
	if (!*p) {
		*cp = 0;
		return 0;
	}
	int n = stats_utf8_len(p);
	if (n <= 0) {
		*cp = 0xfffd;
		return 1;
	}
	uint32_t c = n == 1 ? p[0] : p[0] & (0x7fu >> n);
	for (int i = 1; i < n; i++)
		c = c << 6 | (p[i] & 0x3fu);
	*cp = c;
	return (size_t)n;
}

size_t font_text_cols(const char *s)
{
	size_t n = 0, k;
	uint32_t cp;
	while ((k = font_utf8_next(s, &cp)) > 0) {
		s += k;
		n++;
	}
	return n;
}
