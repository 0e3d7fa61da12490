/* heatmap.h — a generic (row x time bucket) heatmap: its data, its layout,
 * and its rasterisation into an RGBA canvas.
 *
 * Producers (src/timeline.c: CPU shares; later memory and I/O) fill a
 * struct heatmap: panels of rows, each row a value per time bucket and one
 * value over the whole range (the bar beside it). Renderers lay it out and
 * draw it with heatmap_render and describe what they drew with
 * heatmap_describe (src/render-png.c stores that in the PNG).
 *
 * The picture, top to bottom: a title block (a title line and info lines),
 * then per panel a heading, the rows (label | cells | bar and value) and a
 * time axis in seconds, then the colour bar with its caption and a "no
 * samples" swatch. Rows of one group (file) sit together, a gap between
 * groups. Cells are coloured on viridis (perceptual, dark = low, bright =
 * high; 256 steps) from 0 to the scale's top; a cell without data (NAN) is
 * light grey.
 *
 * Text: every string from the target is cleaned before it is drawn or
 * described: C0 and C1 controls, DEL and invisible format characters
 * (U+200B..U+200F, U+202A..U+202E, U+2060..U+206F, U+FEFF) are removed,
 * bytes that are not valid UTF-8 become U+FFFD. The fonts are fixed-width
 * bitmaps (include/font.h); text that does not fit is shortened with "…",
 * never clipped.
 *
 * A row label is `name (file:line)` (`name (file)` when line < 0, `name`
 * without a file), where file is shortened to its last two path components
 * ("json/decoder.py"); when that does not fit the label column: file's last
 * component, then the name cut with "…", then the whole label cut with "…". */
#ifndef PYHEAT_HEATMAP_H
#define PYHEAT_HEATMAP_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "font.h"

/* How values print (colour bar ticks, bar values). */
enum heatmap_unit {
	HEATMAP_FRACTION,   /* 0..1, printed as a percentage */
	HEATMAP_BYTES,      /* printed as B, KiB, MiB, GiB */
	HEATMAP_NUMBER,     /* printed as a number */
};

struct heatmap_row {
	char *name;         /* function name (untrusted) */
	char *file;         /* may be NULL */
	int line;           /* < 0: none */
	char *group;        /* rows with equal groups are adjacent; may be NULL */
	double bar;         /* value over the whole range: the bar beside the row */
	double bar_lo, bar_hi;  /* its 95% interval, or NAN */
	uint64_t count;     /* samples behind bar (metadata only) */
	float *cells;       /* [heatmap.ncols]; NAN = no data in that bucket */
};

struct heatmap_panel {
	char *title;        /* heading; NULL: no heading line (a lone panel) */
	int pid, tid;       /* what the panel selects (0 = any), for the metadata */
	uint64_t samples;   /* selected samples behind the panel */
	size_t nrows;
	struct heatmap_row *rows;   /* in display order */
};

#define HEATMAP_MAX_INFO 6
#define HEATMAP_MAX_PROPS 12

struct heatmap {
	char *title;                    /* the first line, in the title font */
	char *info[HEATMAP_MAX_INFO];   /* lines under it */
	size_t ninfo;
	char *note;                     /* an extra info line, or NULL */
	/* x: column i covers [t0 + i * bucket, t0 + (i + 1) * bucket) ns since
	 * the start of the recording; the data end at t1 (inside the last column) */
	uint64_t t0_ns, t1_ns, bucket_ns;
	size_t ncols;
	enum heatmap_unit unit;
	char *value_name;               /* "own share": what the colour shows */
	char *colour_caption;           /* caption of the colour bar */
	char *bar_caption;              /* heading over the bars (<= 17 chars fits) */
	char *axis_caption;             /* under the last time axis */
	double vmax;                    /* top of the colour scale; 0: the cells' 99th
	                                 * percentile rounded up (fractions: to 1, 2, 5,
	                                 * 10, 20, 30, 40, 50, 60, 80 or 100%; else to
	                                 * 1, 2, 5 x 10^k);
	                                 * cells above it get the top colour */
	size_t npanels;
	struct heatmap_panel *panels;
	/* key/value pairs copied into the description ("kind": "cpu", ...) */
	char *props[HEATMAP_MAX_PROPS][2];
	size_t nprops;
};

/* Free everything h points to (every char * and array is owned) and zero it. */
void heatmap_free(struct heatmap *h);

/* ---- drawing ------------------------------------------------------------- */

/* An opaque RGBA image, row-major, 4 bytes a pixel. */
struct canvas {
	uint32_t width, height;
	uint8_t *px;
};

#define HEATMAP_MAX_SIDE 16384

int canvas_init(struct canvas *c, uint32_t width, uint32_t height, uint32_t rgb, struct ph_error *err);
void canvas_free(struct canvas *c);
/* Fill a rectangle, clipped to the canvas. */
void canvas_fill(struct canvas *c, int x, int y, int w, int h, uint32_t rgb);
/* Draw UTF-8 text (drawn as given: clean it first) with its cell box's top
 * left at (x, y), glyph pixels in fg, nothing else touched. Returns the
 * width in pixels. */
int canvas_text(struct canvas *c, const struct font *f, int x, int y, const char *text, uint32_t fg);

/* s cleaned for display (above), malloc'd; NULL when out of memory. */
char *heatmap_clean_text(const char *s);

/* The label of a row shortened to at most max_cols cells (above), cleaned,
 * malloc'd. */
char *heatmap_row_label(const struct heatmap_row *r, size_t max_cols);

/* The viridis colour of t in [0, 1] (clamped), 0xRRGGBB. */
uint32_t heatmap_colour(double t);

#define HEATMAP_BG       0xffffffu
#define HEATMAP_NODATA   0xe4e4e4u

/* ---- layout and rendering ------------------------------------------------ */

/* A string drawn: its cell box is [x, x + cols * font width) x [y, y + font
 * height), inside the image, and holds only bg and the glyphs in fg. */
struct heatmap_text {
	const struct font *font;
	int x, y;
	uint32_t fg, bg;
	char *text;                     /* cleaned */
	const char *role;               /* "title", "info", "label", "tick", ... */
};

struct heatmap_box { int x, y, w, h; };

struct heatmap_row_layout {
	struct heatmap_box cells;       /* the row's cells */
	struct heatmap_box bar;         /* its bar (w 0 when the value is 0) */
	size_t label;                   /* index into texts */
};

struct heatmap_panel_layout {
	struct heatmap_box plot;        /* every cell of the panel */
	size_t nrows;                   /* rows shown (the first nrows of the panel's) */
	struct heatmap_row_layout *rows;
};

/* A rectangle filled with one colour (frames, ticks, bars, swatches). */
struct heatmap_rect {
	struct heatmap_box box;
	uint32_t rgb;
};

struct heatmap_layout {
	uint32_t width, height;
	double vmax;                    /* the colour scale's top */
	double bar_max;                 /* the bar scale's top (a full bar) */
	size_t npanels;
	struct heatmap_panel_layout *panels;   /* [npanels] */
	struct heatmap_box colour_bar;  /* the gradient: left = 0, right = vmax */
	struct heatmap_box nodata;      /* the "no samples" swatch */
	size_t ntexts, nrects;
	struct heatmap_text *texts;
	struct heatmap_rect *rects;
};

void heatmap_layout_free(struct heatmap_layout *l);

/* Lay out h at width x height pixels (0 = what the content needs) and draw
 * it into c (initialised here; free with canvas_free) and l (free with
 * heatmap_layout_free). When the height cannot hold every row, each panel
 * shows its first rows and the layout says how many. PH_EUSAGE when the
 * size is too small for any legible picture (the message gives the minimum). */
int heatmap_render(const struct heatmap *h, uint32_t width, uint32_t height, struct canvas *c,
                   struct heatmap_layout *l, struct ph_error *err);

/* What the picture shows, as a JSON document of printable ASCII only
 * (non-ASCII characters as \uXXXX escapes), malloc'd:
 *   {"version": 1, "title", "info": [...], "props": {...},
 *    "image": {"width", "height"},
 *    "time": {"from_s", "to_s", "bucket_s", "buckets", "plot_to_s"},
 *    "value": {"name", "unit", "max", "colormap": "viridis"},
 *    "colour_bar": {"x", "y", "w", "h"}, "nodata": {...}, "bar_max",
 *    "panels": [{"title", "pid", "tid", "samples", "rows_total",
 *                "plot": {...},
 *                "rows": [{"label", "name", "file", "line", "group", "share"
 *                          (the bar value), "lo", "hi", "count",
 *                          "cells": {...}, "bar": {...}}]}],
 *    "texts": [{"role", "font", "x", "y", "w", "h", "fg", "bg", "text"}]}
 * Names are the cleaned strings. NULL when out of memory. */
char *heatmap_describe(const struct heatmap *h, const struct heatmap_layout *l);

#endif
