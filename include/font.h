/* font.h — pyheat's embedded bitmap fonts, for the text of the PNG heatmaps.
 *
 * The X11 "misc-fixed" fonts (public domain), converted by src/font-gen.py
 * into src/font-data.c: one bit per pixel, so text is crisp at 100% zoom and
 * identical on every machine, with no font file needed at run time. Every
 * glyph is one character cell (fixed width): a string of n code points is
 * n * width pixels wide. Code points a font lacks draw as its replacement
 * glyph (U+FFFD, a framed question mark).
 *
 *   font_regular  6x13   labels, ticks, the title block; ASCII, Latin-1,
 *                        Latin Extended-A, Greek, Cyrillic, punctuation
 *   font_bold     6x13B  panel headings; ASCII, Latin-1
 *   font_title    9x15B  the title line; ASCII, Latin-1 */
#ifndef PYHEAT_FONT_H
#define PYHEAT_FONT_H

#include <stddef.h>
#include <stdint.h>

struct font {
	const char *name;             /* "6x13" */
	uint8_t width, height;        /* the character cell, pixels */
	uint8_t ascent;               /* rows above the baseline */
	uint8_t row_bytes;            /* bytes per glyph row */
	uint32_t nglyphs;
	const uint16_t *codepoints;   /* [nglyphs], ascending */
	const uint8_t *bitmaps;       /* [nglyphs][height][row_bytes], MSB = leftmost pixel */
	uint32_t replacement;         /* glyph index of U+FFFD */
};

extern const struct font font_regular, font_bold, font_title;

/* The font called name ("6x13", "6x13B", "9x15B"), or NULL. */
const struct font *font_by_name(const char *name);

/* 1 when f has a glyph of its own for cp. */
int font_has(const struct font *f, uint32_t cp);

/* The glyph of cp (the replacement glyph when f lacks it). */
const uint8_t *font_glyph(const struct font *f, uint32_t cp);

/* Decode the UTF-8 character at s: sets *cp and returns the bytes used, 0
 * at the terminating NUL. A byte that does not start a valid sequence is
 * one byte of U+FFFD. */
size_t font_utf8_next(const char *s, uint32_t *cp);

/* Code points in s (its width in cells). */
size_t font_text_cols(const char *s);

#endif
