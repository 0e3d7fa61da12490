/* heatmap.c — lay out and rasterise a generic (row x time bucket) heatmap
 * into an RGBA canvas, and describe what was drawn. See include/heatmap.h. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heatmap.h"

/* viridis (matplotlib's, by Nathaniel J. Smith, Stefan van der Walt and Eric
 * Firing; CC0), 256 steps, 8-bit sRGB */
static const uint32_t viridis[256] = {
	0x440154, 0x440256, 0x450457, 0x450559, 0x46075a, 0x46085c, 0x460a5d, 0x460b5e,
	0x470d60, 0x470e61, 0x471063, 0x471164, 0x471365, 0x481467, 0x481668, 0x481769,
	0x48186a, 0x481a6c, 0x481b6d, 0x481c6e, 0x481d6f, 0x481f70, 0x482071, 0x482173,
	0x482374, 0x482475, 0x482576, 0x482677, 0x482878, 0x482979, 0x472a7a, 0x472c7a,
	0x472d7b, 0x472e7c, 0x472f7d, 0x46307e, 0x46327e, 0x46337f, 0x463480, 0x453581,
	0x453781, 0x453882, 0x443983, 0x443a83, 0x443b84, 0x433d84, 0x433e85, 0x423f85,
	0x424086, 0x424186, 0x414287, 0x414487, 0x404588, 0x404688, 0x3f4788, 0x3f4889,
	0x3e4989, 0x3e4a89, 0x3e4c8a, 0x3d4d8a, 0x3d4e8a, 0x3c4f8a, 0x3c508b, 0x3b518b,
	0x3b528b, 0x3a538b, 0x3a548c, 0x39558c, 0x39568c, 0x38588c, 0x38598c, 0x375a8c,
	0x375b8d, 0x365c8d, 0x365d8d, 0x355e8d, 0x355f8d, 0x34608d, 0x34618d, 0x33628d,
	0x33638d, 0x32648e, 0x32658e, 0x31668e, 0x31678e, 0x31688e, 0x30698e, 0x306a8e,
	0x2f6b8e, 0x2f6c8e, 0x2e6d8e, 0x2e6e8e, 0x2e6f8e, 0x2d708e, 0x2d718e, 0x2c718e,
	0x2c728e, 0x2c738e, 0x2b748e, 0x2b758e, 0x2a768e, 0x2a778e, 0x2a788e, 0x29798e,
	0x297a8e, 0x297b8e, 0x287c8e, 0x287d8e, 0x277e8e, 0x277f8e, 0x27808e, 0x26818e,
	0x26828e, 0x26828e, 0x25838e, 0x25848e, 0x25858e, 0x24868e, 0x24878e, 0x23888e,
	0x23898e, 0x238a8d, 0x228b8d, 0x228c8d, 0x228d8d, 0x218e8d, 0x218f8d, 0x21908d,
	0x21918c, 0x20928c, 0x20928c, 0x20938c, 0x1f948c, 0x1f958b, 0x1f968b, 0x1f978b,
	0x1f988b, 0x1f998a, 0x1f9a8a, 0x1e9b8a, 0x1e9c89, 0x1e9d89, 0x1f9e89, 0x1f9f88,
	0x1fa088, 0x1fa188, 0x1fa187, 0x1fa287, 0x20a386, 0x20a486, 0x21a585, 0x21a685,
	0x22a785, 0x22a884, 0x23a983, 0x24aa83, 0x25ab82, 0x25ac82, 0x26ad81, 0x27ad81,
	0x28ae80, 0x29af7f, 0x2ab07f, 0x2cb17e, 0x2db27d, 0x2eb37c, 0x2fb47c, 0x31b57b,
	0x32b67a, 0x34b679, 0x35b779, 0x37b878, 0x38b977, 0x3aba76, 0x3bbb75, 0x3dbc74,
	0x3fbc73, 0x40bd72, 0x42be71, 0x44bf70, 0x46c06f, 0x48c16e, 0x4ac16d, 0x4cc26c,
	0x4ec36b, 0x50c46a, 0x52c569, 0x54c568, 0x56c667, 0x58c765, 0x5ac864, 0x5cc863,
	0x5ec962, 0x60ca60, 0x63cb5f, 0x65cb5e, 0x67cc5c, 0x69cd5b, 0x6ccd5a, 0x6ece58,
	0x70cf57, 0x73d056, 0x75d054, 0x77d153, 0x7ad151, 0x7cd250, 0x7fd34e, 0x81d34d,
	0x84d44b, 0x86d549, 0x89d548, 0x8bd646, 0x8ed645, 0x90d743, 0x93d741, 0x95d840,
	0x98d83e, 0x9bd93c, 0x9dd93b, 0xa0da39, 0xa2da37, 0xa5db36, 0xa8db34, 0xaadc32,
	0xaddc30, 0xb0dd2f, 0xb2dd2d, 0xb5de2b, 0xb8de29, 0xbade28, 0xbddf26, 0xc0df25,
	0xc2df23, 0xc5e021, 0xc8e020, 0xcae11f, 0xcde11d, 0xd0e11c, 0xd2e21b, 0xd5e21a,
	0xd8e219, 0xdae319, 0xdde318, 0xdfe318, 0xe2e418, 0xe5e419, 0xe7e419, 0xeae51a,
	0xece51b, 0xefe51c, 0xf1e51d, 0xf4e61e, 0xf6e620, 0xf8e621, 0xfbe723, 0xfde725,
};

/* ---- the data ------------------------------------------------------------ */

void heatmap_free(struct heatmap *h)
{
	free(h->title);
	for (size_t i = 0; i < h->ninfo && i < HEATMAP_MAX_INFO; i++)
		free(h->info[i]);
	free(h->note);
	free(h->value_name);
	free(h->colour_caption);
	free(h->bar_caption);
	free(h->axis_caption);
	for (size_t i = 0; i < h->nprops && i < HEATMAP_MAX_PROPS; i++) {
		free(h->props[i][0]);
		free(h->props[i][1]);
	}
	for (size_t p = 0; p < h->npanels; p++) {
		struct heatmap_panel *pa = &h->panels[p];
		for (size_t r = 0; r < pa->nrows; r++) {
			free(pa->rows[r].name);
			free(pa->rows[r].file);
			free(pa->rows[r].group);
			free(pa->rows[r].cells);
		}
		free(pa->rows);
		free(pa->title);
	}
	free(h->panels);
	memset(h, 0, sizeof *h);
}

/* ---- canvas -------------------------------------------------------------- */

int canvas_init(struct canvas *c, uint32_t width, uint32_t height, uint32_t rgb, struct ph_error *err)
{
	memset(c, 0, sizeof *c);
	if (width == 0 || height == 0 || width > HEATMAP_MAX_SIDE || height > HEATMAP_MAX_SIDE)
		return ph_fail(err, PH_EUSAGE, "an image of %ux%u pixels is out of range (1..%d a side)",
		               width, height, HEATMAP_MAX_SIDE);
	c->px = malloc((size_t)width * height * 4);
	if (!c->px)
		return ph_fail(err, PH_ESYSTEM, "out of memory for a %ux%u image", width, height);
	c->width = width;
	c->height = height;
	canvas_fill(c, 0, 0, (int)width, (int)height, rgb);
	return 0;
}

void canvas_free(struct canvas *c)
{
	free(c->px);
	memset(c, 0, sizeof *c);
}

static void put_px(struct canvas *c, int x, int y, uint32_t rgb)
{
	if (x < 0 || y < 0 || (uint32_t)x >= c->width || (uint32_t)y >= c->height)
		return;
	uint8_t *p = c->px + ((size_t)y * c->width + (size_t)x) * 4;
	p[0] = (uint8_t)(rgb >> 16);
	p[1] = (uint8_t)(rgb >> 8);
	p[2] = (uint8_t)rgb;
	p[3] = 0xff;
}

void canvas_fill(struct canvas *c, int x, int y, int w, int h, uint32_t rgb)
{
	int x0 = x < 0 ? 0 : x, y0 = y < 0 ? 0 : y;
	int x1 = x + w, y1 = y + h;
	if (x1 > (int)c->width)
		x1 = (int)c->width;
	if (y1 > (int)c->height)
		y1 = (int)c->height;
	for (int yy = y0; yy < y1; yy++)
		for (int xx = x0; xx < x1; xx++)
			put_px(c, xx, yy, rgb);
}

int canvas_text(struct canvas *c, const struct font *f, int x, int y, const char *text, uint32_t fg)
{
	int x0 = x;
	uint32_t cp;
	size_t k;
	while ((k = font_utf8_next(text, &cp)) > 0) {
		text += k;
		const uint8_t *g = font_glyph(f, cp);
		for (int r = 0; r < f->height; r++)
			for (int col = 0; col < f->width; col++)
				if (g[r * f->row_bytes + col / 8] & (0x80u >> (col % 8)))
					put_px(c, x + col, y + r, fg);
		x += f->width;
	}
	return x - x0;
}

/* ---- text ---------------------------------------------------------------- */

static int invisible(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x206f) || cp == 0xfeff;
}

/* Append the UTF-8 of cp to out (room for 4 bytes). */
static size_t put_utf8(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | (cp >> 12 & 0x3f));
	out[2] = (char)(0x80 | (cp >> 6 & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

char *heatmap_clean_text(const char *s)
{
	if (!s)
		s = "";
	/* U+FFFD (3 bytes) for each invalid byte: at most 3x */
	char *out = malloc(strlen(s) * 3 + 1);
	if (!out)
		return NULL;
	size_t o = 0, k;
	uint32_t cp;
	while ((k = font_utf8_next(s, &cp)) > 0) {
		s += k;
		if (!invisible(cp))
			o += put_utf8(out + o, cp);
	}
	out[o] = '\0';
	return out;
}

/* The first n code points of clean text s, malloc'd (ellipsis: then "…"). */
static char *head_cols(const char *s, size_t n, int ellipsis)
{
	const char *p = s;
	uint32_t cp;
	size_t k;
	for (size_t i = 0; i < n && (k = font_utf8_next(p, &cp)) > 0; i++)
		p += k;
	size_t len = (size_t)(p - s);
	char *out = malloc(len + 4);
	if (!out)
		return NULL;
	memcpy(out, s, len);
	if (ellipsis)
		memcpy(out + len, "\xe2\x80\xa6", 4);
	else
		out[len] = '\0';
	return out;
}

/* Clean text s shortened to at most max code points, "…" at the end when cut. */
static char *fit_cols(const char *s, size_t max)
{
	size_t n = font_text_cols(s);
	if (n <= max)
		return strdup(s);
	if (max == 0)
		return strdup("");
	return head_cols(s, max - 1, 1);
}

/* Clean text printf'd into a malloc'd string. */
static char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xasprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

/* The last n components of a path ("a/b/c.py", 2 -> "b/c.py"). */
static const char *path_tail(const char *path, int n)
{
	const char *end = path + strlen(path);
	const char *p = end;
	while (p > path) {
		if (p[-1] == '/' && p != end && --n == 0)
			break;
		p--;
	}
	return p;
}

char *heatmap_row_label(const struct heatmap_row *r, size_t max_cols)
{
	char *name = heatmap_clean_text(r->name);
	char *file = r->file ? heatmap_clean_text(r->file) : NULL;
	char *out = NULL;
	if (!name || (r->file && !file))
		goto out;
	if (!file) {
		out = fit_cols(name, max_cols);
		goto out;
	}
	char line[16] = "";
	if (r->line >= 0)
		snprintf(line, sizeof line, ":%d", r->line);
	size_t ncols = font_text_cols(name);
	for (int parts = 2; parts >= 1; parts--) {
		const char *tail = path_tail(file, parts);
		size_t scols = font_text_cols(tail) + strlen(line) + 3;   /* " (" ")" */
		if (ncols + scols <= max_cols || (parts == 1 && scols + 8 <= max_cols)) {
			char *nm = ncols + scols <= max_cols ? strdup(name) : fit_cols(name, max_cols - scols);
			if (nm)
				out = xasprintf("%s (%s%s)", nm, tail, line);
			free(nm);
			goto out;
		}
	}
	char *all = xasprintf("%s (%s%s)", name, path_tail(file, 1), line);
	if (all)
		out = fit_cols(all, max_cols);
	free(all);
out:
	free(name);
	free(file);
	return out;
}

uint32_t heatmap_colour(double t)
{
	if (!(t > 0))
		t = 0;
	if (t > 1)
		t = 1;
	return viridis[(int)lround(t * 255.0)];
}

/* ---- numbers ------------------------------------------------------------- */

/* The smallest 1, 2 or 5 x 10^k that is >= x (x > 0). */
static double nice_ceil(double x)
{
	double e = pow(10.0, floor(log10(x)));
	static const double m[] = { 1, 2, 5, 10 };
	for (size_t i = 0; i < 4; i++)
		if (m[i] * e >= x * (1 - 1e-9))
			return m[i] * e;
	return 10 * e;
}

/* Decimals that print multiples of step exactly (step = 1, 2 or 5 x 10^k). */
static int step_decimals(double step)
{
	int d = (int)ceil(-log10(step) - 1e-9);
	return d < 0 ? 0 : d;
}

/* A value as the unit prints it; decimals < 0: the unit's default. */
static void format_value(char *buf, size_t len, enum heatmap_unit unit, double v, int decimals)
{
	switch (unit) {
	case HEATMAP_FRACTION:
		snprintf(buf, len, "%.*f%%", decimals < 0 ? 1 : decimals, 100.0 * v);
		break;
	case HEATMAP_BYTES: {
		static const char *units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
		int u = 0;
		while (fabs(v) >= 1024.0 && u < 4) {
			v /= 1024.0;
			u++;
		}
		snprintf(buf, len, "%.*f %s", u ? (decimals < 0 ? 1 : decimals) : 0, v, units[u]);
		break;
	}
	default:
		if (decimals < 0)
			snprintf(buf, len, "%.4g", v);
		else
			snprintf(buf, len, "%.*f", decimals, v);
		break;
	}
}

/* ---- layout -------------------------------------------------------------- */

#define M            10     /* margin */
#define LINE         15     /* pitch of regular text lines */
#define ROW_MIN      14     /* a row: one line of 6x13 and 1 px */
#define ROW_MAX      48
#define GROUP_GAP    3
#define LABEL_GAP    8
#define BAR_GAP      8
#define BAR_W        64
#define TICK         4
#define PANEL_GAP    14
#define GRAD_H       12
#define LABEL_MIN_COLS 16
#define LABEL_SOFT_COLS 32
#define LABEL_MAX_COLS 64
#define PLOT_MIN     60

#define C_TITLE   0x111111u
#define C_TEXT    0x1a1a1au
#define C_INFO    0x3a3a3au
#define C_SOFT    0x5a5a5au
#define C_FRAME   0xb0b0b0u
#define C_TRACK   0xeeeeeeu
#define C_BAR     0x4f6d8fu

struct geo {
	int width;            /* the image */
	int label_cols;
	int plot_w;
	int row_h;
	size_t rows;          /* rows shown per panel (at most) */
	int value_cols;
	int grad_w;
	int swatch_below;     /* the "no samples" swatch on a line of its own */
};

struct build {
	const struct heatmap *h;
	struct heatmap_layout *l;
	size_t cap;
	int oom;
};

void heatmap_layout_free(struct heatmap_layout *l)
{
	for (size_t i = 0; i < l->ntexts; i++)
		free(l->texts[i].text);
	free(l->texts);
	free(l->rects);
	if (l->panels)
		for (size_t p = 0; p < l->npanels; p++)
			free(l->panels[p].rows);
	free(l->panels);
	memset(l, 0, sizeof *l);
}

/* Append a text: takes s (clean, malloc'd; NULL = out of memory) and
 * shortens it to max_cols. Returns its width in pixels. */
static int add_text(struct build *b, const struct font *f, int x, int y, int max_cols, uint32_t fg,
                    const char *role, char *s, size_t *index)
{
	struct heatmap_layout *l = b->l;
	if (s && max_cols >= 0 && font_text_cols(s) > (size_t)max_cols) {
		char *t = fit_cols(s, (size_t)max_cols);
		free(s);
		s = t;
	}
	if (!s) {
		b->oom = 1;
		return 0;
	}
	if (l->ntexts == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 64;
		struct heatmap_text *t = realloc(l->texts, cap * sizeof *t);
		if (!t) {
			free(s);
			b->oom = 1;
			return 0;
		}
		l->texts = t;
		b->cap = cap;
	}
	if (index)
		*index = l->ntexts;
	l->texts[l->ntexts++] = (struct heatmap_text){ f, x, y, fg, HEATMAP_BG, s, role };
	return (int)font_text_cols(s) * f->width;
}

static void add_rect(struct build *b, int x, int y, int w, int h, uint32_t rgb)
{
	struct heatmap_layout *l = b->l;
	if (w <= 0 || h <= 0)
		return;
	if ((l->nrects & (l->nrects - 1)) == 0) {   /* 0, 1, 2, 4, ...: grow */
		struct heatmap_rect *r = realloc(l->rects, (l->nrects ? 2 * l->nrects : 1) * sizeof *r);
		if (!r) {
			b->oom = 1;
			return;
		}
		l->rects = r;
	}
	l->rects[l->nrects++] = (struct heatmap_rect){ { x, y, w, h }, rgb };
}

static void add_frame(struct build *b, struct heatmap_box in, uint32_t rgb)
{
	add_rect(b, in.x - 1, in.y - 1, in.w + 2, 1, rgb);
	add_rect(b, in.x - 1, in.y + in.h, in.w + 2, 1, rgb);
	add_rect(b, in.x - 1, in.y, 1, in.h, rgb);
	add_rect(b, in.x + in.w, in.y, 1, in.h, rgb);
}

/* Ticks along [x0, x0 + w) for the values [lo, hi] (lo at x0, hi at the
 * last pixel) at the multiples of step, each label centred on its tick and
 * kept inside the image; a label that would touch the previous one is left
 * out. */
static void add_ticks(struct build *b, const struct geo *g, int x0, int w, int y, double lo, double hi,
                      double step, enum heatmap_unit unit, int mark_h)
{
	if (!(hi > lo) || !(step > 0))
		return;
	int decimals = unit == HEATMAP_FRACTION ? step_decimals(step * 100) : step_decimals(step);
	int last_end = -1000;
	for (double k = ceil(lo / step - 1e-9);; k++) {
		double v = k * step + 0.0;   /* no "-0" */
		if (v > hi + step * 1e-9)
			break;
		int x = x0 + (int)lround((v - lo) / (hi - lo) * (w - 1));
		add_rect(b, x, y, 1, mark_h, C_SOFT);
		char buf[48];
		format_value(buf, sizeof buf, unit, v, decimals);
		int tw = (int)strlen(buf) * font_regular.width;
		int lx = x - tw / 2;
		if (lx + tw > g->width - M)
			lx = g->width - M - tw;
		if (lx < M)
			lx = M;
		if (lx < last_end + 6)
			continue;
		add_text(b, &font_regular, lx, y + mark_h + 1, -1, C_SOFT, "tick", strdup(buf), NULL);
		last_end = lx + tw;
	}
}

/* The step of at most max_ticks + 1 ticks over [0, span]. */
static double tick_step(double span, int max_ticks)
{
	if (max_ticks < 1)
		max_ticks = 1;
	return nice_ceil(span / max_ticks);
}

/* 1 when x is 1, 2, 2.5 or 5 x 10^k. */
static int round_number(double x)
{
	if (!(x > 0))
		return 0;
	double e = pow(10.0, floor(log10(x) + 1e-9));
	static const double m[] = { 1, 2, 2.5, 5, 10 };
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (fabs(x - m[i] * e) < 1e-9 * x)
			return 1;
	return 0;
}

/* The step of at most max_ticks + 1 ticks that end exactly at top: top / n
 * for the largest n whose step is a round number (for fractions, in
 * percent), else a whole percentage; top itself at worst. */
static double even_step(double top, int max_ticks, enum heatmap_unit unit)
{
	double scale = unit == HEATMAP_FRACTION ? 100.0 : 1.0;
	for (int pass = 0; pass < 2; pass++)
		for (int n = max_ticks; n > 1; n--) {
			double step = top / n * scale;
			if (pass == 0 ? round_number(step)
			              : unit == HEATMAP_FRACTION && fabs(step - round(step)) < 1e-6)
				return step / scale;
		}
	return top;
}

static int group_differs(const struct heatmap_row *a, const struct heatmap_row *b)
{
	if (!a->group || !b->group)
		return a->group != b->group;
	return strcmp(a->group, b->group) != 0;
}

/* Lay everything out for g into b->l (empty); returns the height used. */
static int place(struct build *b, const struct geo *g)
{
	const struct heatmap *h = b->h;
	struct heatmap_layout *l = b->l;
	const int cw = font_regular.width;
	int W = g->width;
	int y = M;
	add_text(b, &font_title, M, y, (W - 2 * M) / font_title.width, C_TITLE, "title",
	         heatmap_clean_text(h->title), NULL);
	y += font_title.height + 5;
	size_t ninfo = h->ninfo < HEATMAP_MAX_INFO ? h->ninfo : HEATMAP_MAX_INFO;
	for (size_t i = 0; i <= ninfo; i++) {
		const char *s = i < ninfo ? h->info[i] : h->note;
		if (!s)
			continue;
		add_text(b, &font_regular, M, y, (W - 2 * M) / cw, C_INFO, i < ninfo ? "info" : "note",
		         heatmap_clean_text(s), NULL);
		y += LINE;
	}
	size_t most = 0;
	for (size_t p = 0; p < h->npanels; p++)
		most = h->panels[p].nrows > most ? h->panels[p].nrows : most;
	if (g->rows < most) {
		add_text(b, &font_regular, M, y, (W - 2 * M) / cw, C_INFO, "note",
		         xasprintf("showing the first %zu rows of each panel: the height holds no more", g->rows), NULL);
		y += LINE;
	}
	y += 8;

	int plot_x = M + g->label_cols * cw + LABEL_GAP;
	int bar_x = plot_x + g->plot_w + BAR_GAP;
	int value_x = bar_x + BAR_W + 4;
	double span_s = (double)h->ncols * (double)h->bucket_ns / 1e9;
	l->panels = calloc(h->npanels ? h->npanels : 1, sizeof *l->panels);
	if (!l->panels) {
		b->oom = 1;
		return y;
	}
	l->npanels = h->npanels;
	for (size_t p = 0; p < h->npanels; p++) {
		const struct heatmap_panel *pa = &h->panels[p];
		struct heatmap_panel_layout *pl = &l->panels[p];
		if (pa->title)
			add_text(b, &font_bold, M, y, (bar_x - BAR_GAP - M) / cw, C_TEXT, "panel",
			         heatmap_clean_text(pa->title), NULL);
		if (h->bar_caption)
			add_text(b, &font_regular, bar_x, y, (W - M - bar_x) / cw, C_SOFT, "bar-caption",
			         heatmap_clean_text(h->bar_caption), NULL);
		y += LINE + 2;
		size_t n = pa->nrows < g->rows ? pa->nrows : g->rows;
		pl->rows = calloc(n ? n : 1, sizeof *pl->rows);
		if (!pl->rows) {
			b->oom = 1;
			return y;
		}
		pl->nrows = n;
		int top = y;
		int ty = (g->row_h - font_regular.height + 1) / 2;
		for (size_t r = 0; r < n; r++) {
			const struct heatmap_row *row = &pa->rows[r];
			struct heatmap_row_layout *rl = &pl->rows[r];
			if (r > 0 && group_differs(row, &pa->rows[r - 1]))
				y += GROUP_GAP;
			rl->cells = (struct heatmap_box){ plot_x, y, g->plot_w, g->row_h };
			add_text(b, &font_regular, M, y + ty, -1, C_TEXT, "label",
			         heatmap_row_label(row, (size_t)g->label_cols), &rl->label);
			int bh = g->row_h - 4 < 16 ? g->row_h - 4 : 16;
			int by = y + (g->row_h - bh) / 2;
			double frac = l->bar_max > 0 && row->bar > 0 ? row->bar / l->bar_max : 0;
			int bw = (int)lround((frac > 1 ? 1 : frac) * BAR_W);
			if (bw == 0 && frac > 0)
				bw = 1;   /* a share too small to see is still there */
			add_rect(b, bar_x, by, BAR_W, bh, C_TRACK);
			add_rect(b, bar_x, by, bw, bh, C_BAR);
			rl->bar = (struct heatmap_box){ bar_x, by, bw, bh };
			char buf[48];
			format_value(buf, sizeof buf, h->unit, row->bar, -1);
			add_text(b, &font_regular, value_x, y + ty, g->value_cols, C_TEXT, "value", strdup(buf), NULL);
			y += g->row_h;
		}
		if (n == 0) {
			add_text(b, &font_regular, plot_x + 4, y + ty, g->plot_w > 8 ? (g->plot_w - 8) / cw : 0, C_SOFT, "empty",
			         strdup("no samples here"), NULL);
			y += g->row_h;
		}
		pl->plot = (struct heatmap_box){ plot_x, top, g->plot_w, y - top };
		add_frame(b, pl->plot, C_FRAME);
		y += 1;
		if (span_s > 0) {
			int label_px = (int)strlen("000.00") * cw + 12;
			double step = tick_step(span_s, g->plot_w / label_px);
			double t0 = (double)h->t0_ns / 1e9;
			add_ticks(b, g, plot_x, g->plot_w, y, t0, t0 + span_s, step, HEATMAP_NUMBER, TICK);
		}
		y += TICK + 1 + font_regular.height;
		if (p + 1 == h->npanels && h->axis_caption) {
			y += 3;
			char *cap = heatmap_clean_text(h->axis_caption);
			int capw = cap ? (int)font_text_cols(cap) * cw : 0;
			int capx = plot_x + capw <= W - M ? plot_x : W - M - capw > M ? W - M - capw : M;
			add_text(b, &font_regular, capx, y, (W - M - capx) / cw, C_SOFT, "axis-caption", cap, NULL);
			y += LINE;
		}
		y += PANEL_GAP;
	}

	/* the colour bar */
	int cx = W - M - plot_x >= 200 ? plot_x : M;
	if (h->colour_caption) {
		/* over the gradient, or as far left as it needs to fit */
		char *cap = heatmap_clean_text(h->colour_caption);
		int capw = cap ? (int)font_text_cols(cap) * cw : 0;
		int capx = cx + capw <= W - M ? cx : W - M - capw > M ? W - M - capw : M;
		add_text(b, &font_regular, capx, y, (W - M - capx) / cw, C_INFO, "colour-caption", cap, NULL);
		y += LINE + 1;
	}
	l->colour_bar = (struct heatmap_box){ cx, y, g->grad_w, GRAD_H };
	add_frame(b, l->colour_bar, C_FRAME);
	static const char nodata_text[] = "no samples";
	int sw_x = cx + g->grad_w + 24, sw_y = y;
	y += GRAD_H + 1;
	{
		char buf[48];
		format_value(buf, sizeof buf, h->unit, l->vmax, 2);
		int label_px = (int)strlen(buf) * cw + 12;
		int nticks = g->grad_w / label_px > 5 ? 5 : g->grad_w / label_px;
		add_ticks(b, g, cx, g->grad_w, y, 0.0, l->vmax, even_step(l->vmax, nticks, h->unit), h->unit, 3);
	}
	y += 3 + 1 + font_regular.height;
	if (g->swatch_below) {
		y += 4;
		sw_x = cx;
		sw_y = y + 1;
		y += LINE;
	}
	l->nodata = (struct heatmap_box){ sw_x, sw_y, 12, GRAD_H };
	add_rect(b, sw_x, sw_y, 12, GRAD_H, HEATMAP_NODATA);
	add_frame(b, l->nodata, C_FRAME);
	add_text(b, &font_regular, sw_x + 12 + 6, sw_y - 1, -1, C_INFO, "nodata", strdup(nodata_text), NULL);
	y += M;
	return y;
}

/* ---- rendering ----------------------------------------------------------- */

static void draw(const struct heatmap *h, const struct heatmap_layout *l, struct canvas *c)
{
	for (size_t i = 0; i < l->nrects; i++) {
		const struct heatmap_rect *r = &l->rects[i];
		canvas_fill(c, r->box.x, r->box.y, r->box.w, r->box.h, r->rgb);
	}
	for (size_t p = 0; p < l->npanels; p++) {
		const struct heatmap_panel_layout *pl = &l->panels[p];
		for (size_t r = 0; r < pl->nrows; r++) {
			const struct heatmap_row *row = &h->panels[p].rows[r];
			struct heatmap_box bx = pl->rows[r].cells;
			for (int x = 0; x < bx.w; x++) {
				size_t col = h->ncols ? (size_t)((uint64_t)x * h->ncols / (uint64_t)bx.w) : 0;
				float v = row->cells && col < h->ncols ? row->cells[col] : NAN;
				uint32_t rgb = isnan(v) ? HEATMAP_NODATA : heatmap_colour(l->vmax > 0 ? v / l->vmax : 0);
				canvas_fill(c, bx.x + x, bx.y, 1, bx.h, rgb);
			}
		}
	}
	struct heatmap_box g = l->colour_bar;
	for (int x = 0; x < g.w; x++)
		canvas_fill(c, g.x + x, g.y, 1, g.h, heatmap_colour(g.w > 1 ? (double)x / (g.w - 1) : 0));
	for (size_t i = 0; i < l->ntexts; i++) {
		const struct heatmap_text *t = &l->texts[i];
		canvas_text(c, t->font, t->x, t->y, t->text, t->fg);
	}
}

static int cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;
	return (x > y) - (x < y);
}

/* The colour scale's top: h->vmax, else the 99th percentile of the cells
 * (a few sparse buckets, at 100% from one sample, would wash out the rest),
 * rounded up to a round number. */
static double scale_top(const struct heatmap *h)
{
	if (h->vmax > 0)
		return h->vmax;
	size_t n = 0;
	for (size_t p = 0; p < h->npanels; p++)
		for (size_t r = 0; r < h->panels[p].nrows; r++)
			n += h->panels[p].rows[r].cells ? h->ncols : 0;
	float *v = malloc((n ? n : 1) * sizeof *v);
	double mx = 0;
	size_t k = 0;
	for (size_t p = 0; p < h->npanels; p++)
		for (size_t r = 0; r < h->panels[p].nrows; r++)
			for (size_t i = 0; h->panels[p].rows[r].cells && i < h->ncols; i++) {
				float x = h->panels[p].rows[r].cells[i];
				if (isnan(x))
					continue;
				if (x > mx)
					mx = x;
				if (v)
					v[k++] = x;
			}
	if (v && k) {
		qsort(v, k, sizeof *v, cmp_float);
		double q = v[(size_t)((double)(k - 1) * 0.99)];
		if (q > 0)
			mx = q;
	}
	free(v);
	if (h->unit == HEATMAP_FRACTION) {
		static const double tops[] = { 0.01, 0.02, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.8, 1.0 };
		for (size_t i = 0; i < sizeof tops / sizeof tops[0]; i++)
			if (mx <= tops[i] * (1 + 1e-9))
				return tops[i];
		return 1.0;
	}
	return mx > 0 ? nice_ceil(mx) : 1.0;
}

/* Lay out for g; *height_out the height used. -1 when out of memory. */
static int try_layout(const struct heatmap *h, const struct geo *g, double vmax, double bar_max,
                      struct heatmap_layout *l, int *height_out)
{
	memset(l, 0, sizeof *l);
	l->vmax = vmax;
	l->bar_max = bar_max;
	struct build b = { h, l, 0, 0 };
	*height_out = place(&b, g);
	if (b.oom) {
		heatmap_layout_free(l);
		return -1;
	}
	return 0;
}

int heatmap_render(const struct heatmap *h, uint32_t width, uint32_t height, struct canvas *c,
                   struct heatmap_layout *l, struct ph_error *err)
{
	memset(c, 0, sizeof *c);
	memset(l, 0, sizeof *l);
	if (width > HEATMAP_MAX_SIDE || height > HEATMAP_MAX_SIDE)
		return ph_fail(err, PH_EUSAGE, "an image side of more than %d pixels is not supported",
		               HEATMAP_MAX_SIDE);
	const int cw = font_regular.width;
	struct geo g = { 0 };
	double vmax = scale_top(h), bar_max = 0;
	size_t max_rows = 0, full_label = 0;
	g.value_cols = 5;
	for (size_t p = 0; p < h->npanels; p++) {
		const struct heatmap_panel *pa = &h->panels[p];
		if (pa->nrows > max_rows)
			max_rows = pa->nrows;
		for (size_t r = 0; r < pa->nrows; r++) {
			const struct heatmap_row *row = &pa->rows[r];
			if (row->bar > bar_max)
				bar_max = row->bar;
			char buf[48];
			format_value(buf, sizeof buf, h->unit, row->bar, -1);
			if ((int)strlen(buf) > g.value_cols)
				g.value_cols = (int)strlen(buf);
			char *label = heatmap_row_label(row, SIZE_MAX);
			if (!label)
				return ph_fail(err, PH_ESYSTEM, "out of memory laying out the heatmap");
			size_t n = font_text_cols(label);
			free(label);
			if (n > full_label)
				full_label = n;
		}
	}
	g.label_cols = full_label < LABEL_MIN_COLS ? LABEL_MIN_COLS
	             : full_label > LABEL_MAX_COLS ? LABEL_MAX_COLS : (int)full_label;
	size_t ncols = h->ncols ? h->ncols : 1;
	int per = (int)(720 / ncols);
	per = per < 1 ? 1 : per > 24 ? 24 : per;
	g.plot_w = (int)ncols * per;
	int bar_part = BAR_GAP + BAR_W + 4 + g.value_cols * cw;
	int fixed = M + LABEL_GAP + bar_part + M;
	/* room for the colour bar and its swatch under the plot */
	int need = 200 + 24 + 12 + 6 + 10 * cw;
	if (g.plot_w + bar_part < need)
		g.plot_w = need - bar_part;
	int natural = fixed + g.label_cols * cw + g.plot_w;
	if (width) {
		int W = (int)width;
		if (W >= natural) {
			g.plot_w += W - natural;
		} else {
			/* narrower: the labels down to LABEL_SOFT_COLS, then the plot
			 * down to PLOT_MIN, then the labels down to LABEL_MIN_COLS */
			int deficit = natural - W;
			int cols = (deficit + cw - 1) / cw;
			int soft = g.label_cols - LABEL_SOFT_COLS;
			if (soft > 0) {
				int take = cols < soft ? cols : soft;
				g.label_cols -= take;
				deficit -= take * cw;
			}
			int cut = g.plot_w - PLOT_MIN < deficit ? g.plot_w - PLOT_MIN : deficit;
			if (cut > 0) {
				g.plot_w -= cut;
				deficit -= cut;
			}
			cols = deficit > 0 ? (deficit + cw - 1) / cw : 0;
			if (g.label_cols - cols < LABEL_MIN_COLS)
				return ph_fail(err, PH_EUSAGE, "--width %u is too small for this heatmap: it needs at "
				               "least %d pixels", width, fixed + LABEL_MIN_COLS * cw + PLOT_MIN);
			g.label_cols -= cols;
			g.plot_w += cols * cw - deficit;   /* deficit <= 0 once the labels gave */
		}
		g.width = W;
	} else {
		g.width = natural;
	}
	int plot_x = M + g.label_cols * cw + LABEL_GAP;
	int cx = g.width - M - plot_x >= 200 ? plot_x : M;
	int room = g.width - M - cx;
	g.grad_w = room - (24 + 12 + 6 + 10 * cw);
	if (g.grad_w > 256)
		g.grad_w = 256;
	if (g.grad_w < 100) {
		g.swatch_below = 1;
		g.grad_w = room < 256 ? room : 256;
	}
	g.rows = max_rows;
	g.row_h = ROW_MIN;

	int used;
	if (try_layout(h, &g, vmax, bar_max, l, &used) < 0)
		return ph_fail(err, PH_ESYSTEM, "out of memory laying out the heatmap");
	if (height && (int)height > used) {
		size_t shown = 0;
		for (size_t p = 0; p < h->npanels; p++)
			shown += h->panels[p].nrows;
		int add = shown ? (int)(((int)height - used) / (int)shown) : 0;
		if (add > 0) {
			g.row_h = ROW_MIN + add > ROW_MAX ? ROW_MAX : ROW_MIN + add;
			heatmap_layout_free(l);
			if (try_layout(h, &g, vmax, bar_max, l, &used) < 0)
				return ph_fail(err, PH_ESYSTEM, "out of memory laying out the heatmap");
		}
	}
	while (height && (int)height < used) {
		if (g.rows <= 1) {
			heatmap_layout_free(l);
			return ph_fail(err, PH_EUSAGE, "--height %u is too small for this heatmap: it needs at "
			               "least %d pixels", height, used);
		}
		g.rows--;
		heatmap_layout_free(l);
		if (try_layout(h, &g, vmax, bar_max, l, &used) < 0)
			return ph_fail(err, PH_ESYSTEM, "out of memory laying out the heatmap");
	}
	l->width = (uint32_t)g.width;
	l->height = height ? height : (uint32_t)used;
	if (canvas_init(c, l->width, l->height, HEATMAP_BG, err) < 0) {
		heatmap_layout_free(l);
		return -1;
	}
	draw(h, l, c);
	return 0;
}

/* ---- the description ----------------------------------------------------- */

/* s as a JSON string of printable ASCII: everything else as \uXXXX. */
static void json_ascii(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	fputc('"', out);
	uint32_t cp;
	size_t k;
	while ((k = font_utf8_next(s, &cp)) > 0) {
		s += k;
		if (cp == '"' || cp == '\\')
			fprintf(out, "\\%c", (char)cp);
		else if (cp >= 0x20 && cp < 0x7f)
			fputc((int)cp, out);
		else if (cp < 0x10000)
			fprintf(out, "\\u%04x", (unsigned)cp);
		else
			fprintf(out, "\\u%04x\\u%04x", (unsigned)(0xd800 + ((cp - 0x10000) >> 10)),
			        (unsigned)(0xdc00 + ((cp - 0x10000) & 0x3ff)));
	}
	fputc('"', out);
}

/* A cleaned copy of s as a JSON string. */
static void json_clean(FILE *out, const char *s)
{
	if (!s) {
		fputs("null", out);
		return;
	}
	char *c = heatmap_clean_text(s);
	json_ascii(out, c ? c : "");
	free(c);
}

static void json_num(FILE *out, double v)
{
	if (isfinite(v))
		fprintf(out, "%.10g", v);
	else
		fputs("null", out);
}

static void json_box(FILE *out, const char *key, struct heatmap_box b)
{
	fprintf(out, "\"%s\": {\"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d}", key, b.x, b.y, b.w, b.h);
}

static const char *unit_name(enum heatmap_unit u)
{
	return u == HEATMAP_FRACTION ? "fraction" : u == HEATMAP_BYTES ? "bytes" : "number";
}

char *heatmap_describe(const struct heatmap *h, const struct heatmap_layout *l)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	if (!out)
		return NULL;
	fputs("{\"version\": 1, \"title\": ", out);
	json_clean(out, h->title);
	fputs(", \"info\": [", out);
	for (size_t i = 0; i < h->ninfo && i < HEATMAP_MAX_INFO; i++) {
		fputs(i ? ", " : "", out);
		json_clean(out, h->info[i]);
	}
	fputs("], \"note\": ", out);
	json_clean(out, h->note);
	fputs(", \"props\": {", out);
	for (size_t i = 0; i < h->nprops && i < HEATMAP_MAX_PROPS; i++) {
		fputs(i ? ", " : "", out);
		json_clean(out, h->props[i][0]);
		fputs(": ", out);
		json_clean(out, h->props[i][1]);
	}
	fprintf(out, "}, \"image\": {\"width\": %u, \"height\": %u}", l->width, l->height);
	fputs(", \"time\": {\"from_s\": ", out);
	json_num(out, (double)h->t0_ns / 1e9);
	fputs(", \"to_s\": ", out);
	json_num(out, (double)h->t1_ns / 1e9);
	fputs(", \"bucket_s\": ", out);
	json_num(out, (double)h->bucket_ns / 1e9);
	fprintf(out, ", \"buckets\": %zu, \"plot_to_s\": ", h->ncols);
	json_num(out, (double)(h->t0_ns + h->ncols * h->bucket_ns) / 1e9);
	fputs("}, \"value\": {\"name\": ", out);
	json_clean(out, h->value_name);
	fprintf(out, ", \"unit\": \"%s\", \"max\": ", unit_name(h->unit));
	json_num(out, l->vmax);
	fputs(", \"colormap\": \"viridis\"}, ", out);
	json_box(out, "colour_bar", l->colour_bar);
	fputs(", ", out);
	json_box(out, "nodata", l->nodata);
	fputs(", \"bar_max\": ", out);
	json_num(out, l->bar_max);
	fputs(", \"panels\": [", out);
	for (size_t p = 0; p < h->npanels && p < l->npanels; p++) {
		const struct heatmap_panel *pa = &h->panels[p];
		const struct heatmap_panel_layout *pl = &l->panels[p];
		fputs(p ? ", {\"title\": " : "{\"title\": ", out);
		json_clean(out, pa->title);
		fprintf(out, ", \"pid\": %d, \"tid\": %d, \"samples\": %llu, \"rows_total\": %zu, ", pa->pid, pa->tid,
		        (unsigned long long)pa->samples, pa->nrows);
		json_box(out, "plot", pl->plot);
		fputs(", \"rows\": [", out);
		for (size_t r = 0; r < pl->nrows; r++) {
			const struct heatmap_row *row = &pa->rows[r];
			const struct heatmap_row_layout *rl = &pl->rows[r];
			fputs(r ? ", {\"label\": " : "{\"label\": ", out);
			json_ascii(out, rl->label < l->ntexts ? l->texts[rl->label].text : "");
			fputs(", \"name\": ", out);
			json_clean(out, row->name);
			fputs(", \"file\": ", out);
			json_clean(out, row->file);
			fprintf(out, ", \"line\": %d, \"group\": ", row->line);
			json_clean(out, row->group);
			fputs(", \"share\": ", out);
			json_num(out, row->bar);
			fputs(", \"lo\": ", out);
			json_num(out, row->bar_lo);
			fputs(", \"hi\": ", out);
			json_num(out, row->bar_hi);
			fprintf(out, ", \"count\": %llu, ", (unsigned long long)row->count);
			json_box(out, "cells", rl->cells);
			fputs(", ", out);
			json_box(out, "bar", rl->bar);
			fputs(", \"values\": [", out);
			for (size_t i = 0; i < h->ncols; i++) {
				fputs(i ? "," : "", out);
				if (row->cells && !isnan(row->cells[i]))
					fprintf(out, "%.4g", (double)row->cells[i]);
				else
					fputs("null", out);
			}
			fputs("]}", out);
		}
		fputs("]}", out);
	}
	fputs("], \"texts\": [", out);
	for (size_t i = 0; i < l->ntexts; i++) {
		const struct heatmap_text *t = &l->texts[i];
		fprintf(out, "%s{\"role\": \"%s\", \"font\": \"%s\", \"x\": %d, \"y\": %d, \"w\": %d, \"h\": %d, "
		        "\"fg\": \"#%06x\", \"bg\": \"#%06x\", \"text\": ", i ? ", " : "", t->role, t->font->name,
		        t->x, t->y, (int)font_text_cols(t->text) * t->font->width, t->font->height, t->fg, t->bg);
		json_ascii(out, t->text);
		fputc('}', out);
	}
	fputs("]}", out);
	if (fclose(out) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
