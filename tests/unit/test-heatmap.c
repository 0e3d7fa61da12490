/* test-heatmap.c — the heatmap renderer and its data (src/font.c,
 * src/heatmap.c, src/timeline.c, src/render-png.c).
 *
 *  - fonts: glyph look-up, the replacement glyph, UTF-8 decoding;
 *  - text: cleaning (controls, bidi and zero-width characters, invalid
 *    UTF-8), label shortening by the documented steps;
 *  - the colour map's anchors (matplotlib's viridis), bucket sizes, option
 *    parsing;
 *  - layout and drawing of a hand-made heatmap at several sizes: exactly the
 *    size asked for, every text inside the image, no text overlapping
 *    another or any filled rectangle, text boxes holding only their
 *    background and glyph colours, cells in the colour of their value, rows
 *    left out (with a note) when the height cannot hold them, PH_EUSAGE for
 *    sizes too small; the description is printable ASCII JSON;
 *  - the PNG read back with libpng: the same pixels and the text chunks;
 *  - timeline_build on a profile written with the real writer: shares equal
 *    stats_compute's, exact cell values, a panel per thread.
 *
 * Prints "ok <what>" per group, "FAIL <what>: <detail>" per failed check;
 * exits 0 only when every check passed. */
#include <fcntl.h>
#include <math.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "font.h"
#include "heatmap.h"
#include "profile.h"
#include "render.h"
#include "stats.h"
#include "timeline.h"

#include "check.h"

/* ---- fonts ------------------------------------------------------------------ */

static void test_fonts(void)
{
	static const uint8_t A[13] = { 0x00, 0x00, 0x20, 0x50, 0x88, 0x88, 0x88, 0xf8, 0x88, 0x88, 0x88, 0x00, 0x00 };
	check(font_regular.width == 6 && font_regular.height == 13 && font_regular.ascent == 11,
	      "6x13 cell %dx%d ascent %d", font_regular.width, font_regular.height, font_regular.ascent);
	check(font_title.width == 9 && font_title.height == 15 && font_title.row_bytes == 2, "9x15B cell");
	check(!memcmp(font_glyph(&font_regular, 'A'), A, sizeof A), "the 6x13 'A'");
	check(font_has(&font_regular, 0xe9) && font_has(&font_regular, 0x416) && font_has(&font_regular, 0x3b1) &&
	      font_has(&font_regular, 0x2026) && font_has(&font_regular, 0xfffd), "6x13 coverage");
	check(!font_has(&font_regular, 0x95a2) && !font_has(&font_regular, 0x1f600), "no CJK or emoji glyphs");
	check(font_glyph(&font_regular, 0x95a2) == font_glyph(&font_regular, 0xfffd), "replacement glyph");
	check(font_has(&font_bold, 0xb7) && font_has(&font_title, 0xb7) && font_has(&font_title, 'W'),
	      "bold/title coverage");
	for (uint32_t i = 1; i < font_regular.nglyphs; i++)
		check(font_regular.codepoints[i - 1] < font_regular.codepoints[i], "code points not ascending at %u", i);
	check(font_by_name("6x13B") == &font_bold && font_by_name("9x15B") == &font_title &&
	      !font_by_name("8x16"), "font_by_name");
	uint32_t cp;
	check(font_utf8_next("\xc3\xa9", &cp) == 2 && cp == 0xe9, "2-byte UTF-8");
	check(font_utf8_next("\xf0\x9f\x98\x80", &cp) == 4 && cp == 0x1f600, "4-byte UTF-8");
	check(font_utf8_next("\xff", &cp) == 1 && cp == 0xfffd, "invalid byte");
	check(font_utf8_next("\xe2\x80", &cp) == 1 && cp == 0xfffd, "truncated sequence");
	check(font_utf8_next("\xc0\xaf", &cp) == 1 && cp == 0xfffd, "overlong sequence");
	check(font_utf8_next("", &cp) == 0, "end of text");
	check(font_text_cols("a\xc3\xa9\xe2\x80\xa6\xff") == 4, "text columns");
	check_group("fonts: glyphs, coverage, UTF-8");
}

/* ---- text ------------------------------------------------------------------- */

static void expect_clean(const char *in, const char *want)
{
	char *got = heatmap_clean_text(in);
	check(got && !strcmp(got, want), "clean %s: got '%s', want '%s'", in, got ? got : "(null)", want);
	free(got);
}

static void expect_label(const char *name, const char *file, int line, size_t max, const char *want)
{
	struct heatmap_row r = { .name = (char *)name, .file = (char *)file, .line = line };
	char *got = heatmap_row_label(&r, max);
	check(got && !strcmp(got, want), "label %s/%s/%d in %zu: got '%s', want '%s'", name, file ? file : "-", line,
	      max, got ? got : "(null)", want);
	check(!got || font_text_cols(got) <= max, "label '%s' longer than %zu", got ? got : "", max);
	free(got);
}

static void test_text(void)
{
	expect_clean("plain name", "plain name");
	expect_clean("\x1b[31mred\x1b[0m\a", "[31mred[0m");
	expect_clean("a\nb\r\tc\x7f", "abc");
	expect_clean("c1\xc2\x9b" "2J", "c12J");
	expect_clean("\xe2\x80\xae" "evil\xe2\x81\xa6x\xe2\x80\x8b\xef\xbb\xbf", "evilx");
	expect_clean("bad\xff\xfe", "bad\xef\xbf\xbd\xef\xbf\xbd");
	expect_clean("\xe9\x96\xa2\xf0\x9f\x98\x80", "\xe9\x96\xa2\xf0\x9f\x98\x80");
	expect_clean("caf\xc3\xa9", "caf\xc3\xa9");

	expect_label("handle", "/srv/app/server/handlers.py", 42, 64, "handle (server/handlers.py:42)");
	expect_label("handle", "handlers.py", 42, 64, "handle (handlers.py:42)");
	expect_label("handle", "/srv/app/server/handlers.py", -1, 64, "handle (server/handlers.py)");
	expect_label("handle", NULL, 7, 64, "handle");
	/* too long for the last two components: the file's last one */
	expect_label("handle", "/srv/app/server/handlers.py", 42, 24, "handle (handlers.py:42)");
	/* then the name cut */
	expect_label("handle_request_with_retries", "/srv/app/server/handlers.py", 42, 30,
	             "handle_reque\xe2\x80\xa6 (handlers.py:42)");
	/* then the whole label */
	expect_label("handle", "/srv/a_very_long_module_name_indeed.py", 42, 20,
	             "handle (a_very_long\xe2\x80\xa6");
	expect_label("x\x1b]0;t\x07y", "/a/b\nc.py", 1, 64, "x]0;ty (a/bc.py:1)");
	expect_label("\xe9\x96\xa2\xe6\x95\xb0", "/app/m.py", 3, 64, "\xe9\x96\xa2\xe6\x95\xb0 (app/m.py:3)");
	check_group("text: cleaning and label shortening");
}

/* ---- numbers, colours, options ----------------------------------------------- */

static void test_numbers(void)
{
	check(heatmap_colour(0) == 0x440154 && heatmap_colour(1) == 0xfde725 && heatmap_colour(0.5) == 0x21918c,
	      "viridis anchors %06x %06x %06x", heatmap_colour(0), heatmap_colour(1), heatmap_colour(0.5));
	check(heatmap_colour(-1) == 0x440154 && heatmap_colour(NAN) == 0x440154 && heatmap_colour(7) == 0xfde725,
	      "colour clamps");
	double prev = -1;
	for (int i = 0; i <= 255; i++) {
		uint32_t c = heatmap_colour(i / 255.0);
		double l = 0.2126 * (c >> 16) + 0.7152 * (c >> 8 & 0xff) + 0.0722 * (c & 0xff);
		check(l >= prev - 0.5, "viridis luminance drops at %d", i);
		prev = l;
	}
	static const struct { uint64_t span; uint32_t rate, max; uint64_t want; } b[] = {
		{ 5000000000ull, 1000, 200, 25000000ull },
		{ 2000000000ull, 100, 200, 100000000ull },
		{ 60000000000ull, 100, 200, 500000000ull },
		{ 3600000000000ull, 100, 200, 20000000000ull },
		{ 0, 100, 200, 100000000ull },
		{ 1000000000ull, 0, 200, 100000000ull },
		{ 10000000000ull, 100000, 200, 50000000ull },
		{ 10000000000ull, 100000, 10, 1000000000ull },
	};
	for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
		uint64_t got = timeline_bucket_ns(b[i].span, b[i].rate, b[i].max);
		check(got == b[i].want, "bucket for %llu ns at %u Hz, %u buckets: %llu, want %llu",
		      (unsigned long long)b[i].span, b[i].rate, b[i].max, (unsigned long long)got,
		      (unsigned long long)b[i].want);
	}
	struct timeline_opts o = { 0 };
	/* the bad values print one line each: not here */
	fflush(stderr);
	int saved = dup(2), devnull = open("/dev/null", O_WRONLY);
	if (devnull >= 0)
		dup2(devnull, 2);
	check(timeline_parse_option("t", "by", "total", &o) == 0 && o.by == STATS_BY_TOTAL, "--by total");
	check(timeline_parse_option("t", "by", "own", &o) == 0 && o.by == STATS_BY_OWN, "--by own");
	check(timeline_parse_option("t", "granularity", "line", &o) == 0 && o.granularity == TIMELINE_LINES,
	      "--granularity line");
	check(timeline_parse_option("t", "top", "7", &o) == 0 && o.top == 7, "--top 7");
	check(timeline_parse_option("t", "width", "1024", &o) == 0 && o.width == 1024, "--width");
	check(timeline_parse_option("t", "height", "200", &o) == 0 && o.height == 200, "--height");
	check(timeline_parse_option("t", "by", "self", &o) == PH_EUSAGE, "--by self");
	check(timeline_parse_option("t", "granularity", "file", &o) == PH_EUSAGE, "--granularity file");
	check(timeline_parse_option("t", "top", "0", &o) == PH_EUSAGE, "--top 0");
	check(timeline_parse_option("t", "top", "5x", &o) == PH_EUSAGE, "--top 5x");
	check(timeline_parse_option("t", "width", "199", &o) == PH_EUSAGE, "--width 199");
	check(timeline_parse_option("t", "height", "99999", &o) == PH_EUSAGE, "--height 99999");
	check(o.top == 7 && o.width == 1024 && o.height == 200, "a bad value changed the options");
	fflush(stderr);
	if (saved >= 0)
		dup2(saved, 2);
	if (saved >= 0)
		close(saved);
	if (devnull >= 0)
		close(devnull);
	check_group("colours, bucket sizes, options");
}

/* ---- layout and drawing --------------------------------------------------------- */

#define NCOLS 40

static void add_row(struct heatmap_panel *pa, const char *name, const char *file, int line, double bar,
                    double (*f)(size_t))
{
	struct heatmap_row *r = &pa->rows[pa->nrows++];
	r->name = strdup(name);
	r->file = file ? strdup(file) : NULL;
	r->group = file ? strdup(file) : NULL;
	r->line = line;
	r->bar = bar;
	r->bar_lo = r->bar_hi = NAN;
	r->cells = malloc(NCOLS * sizeof *r->cells);
	for (size_t i = 0; i < NCOLS; i++)
		r->cells[i] = (float)f(i);
}

static double ramp(size_t i) { return i / (double)(NCOLS - 1); }
static double half(size_t i) { return i < NCOLS / 2 ? 0.6 : 0.0; }
static double gappy(size_t i) { return i % 5 == 0 ? NAN : 0.25; }

static void make_heatmap(struct heatmap *h)
{
	memset(h, 0, sizeof *h);
	h->title = strdup("pyheat \xc2\xb7 test heatmap");
	h->info[h->ninfo++] = strdup("command: python3 \x1b[2J app.py \xe9\x96\xa2");
	h->info[h->ninfo++] = strdup("pid 1 \xc2\xb7 Python 3.12 \xc2\xb7 2.00 s");
	h->t0_ns = 0;
	h->t1_ns = 2000000000ull;
	h->bucket_ns = 50000000ull;
	h->ncols = NCOLS;
	h->unit = HEATMAP_FRACTION;
	h->vmax = 1.0;
	h->value_name = strdup("own share");
	h->colour_caption = strdup("colour: own share");
	h->bar_caption = strdup("own, whole range");
	h->axis_caption = strdup("seconds since the start");
	h->npanels = 2;
	h->panels = calloc(2, sizeof *h->panels);
	for (int p = 0; p < 2; p++) {
		h->panels[p].title = strdup(p ? "thread 2 \"worker\"" : "thread 1 \"main\"");
		h->panels[p].rows = calloc(8, sizeof *h->panels[p].rows);
	}
	add_row(&h->panels[0], "ramp", "/app/a.py", 10, 0.5, ramp);
	add_row(&h->panels[0], "half", "/app/a.py", 20, 0.3, half);
	add_row(&h->panels[0], "gappy\x1b[31m", "/lib/b.py", 30, 0.2, gappy);
	add_row(&h->panels[0], "a_function_with_a_rather_long_name_that_will_not_fit_in_the_column_at_all",
	        "/usr/lib/python3.12/site-packages/pkg/module.py", 400, 0.001, half);
	add_row(&h->panels[1], "only", NULL, -1, 1.0, ramp);
}

/* Every text inside the image, not overlapping another text or a filled
 * rectangle, its box holding only bg and fg pixels. */
static void check_layout(const struct heatmap_layout *l, const struct canvas *c, const char *what)
{
	for (size_t i = 0; i < l->ntexts; i++) {
		const struct heatmap_text *t = &l->texts[i];
		int w = (int)font_text_cols(t->text) * t->font->width, h = t->font->height;
		check(t->x >= 0 && t->y >= 0 && t->x + w <= (int)l->width && t->y + h <= (int)l->height,
		      "%s: text '%s' (%s) at %d,%d+%dx%d leaves the %ux%u image", what, t->text, t->role, t->x, t->y, w,
		      h, l->width, l->height);
		for (size_t j = i + 1; j < l->ntexts; j++) {
			const struct heatmap_text *u = &l->texts[j];
			int uw = (int)font_text_cols(u->text) * u->font->width, uh = u->font->height;
			check(w == 0 || uw == 0 || t->x + w <= u->x || u->x + uw <= t->x || t->y + h <= u->y ||
			      u->y + uh <= t->y, "%s: texts '%s' and '%s' overlap", what, t->text, u->text);
		}
		for (size_t j = 0; j < l->nrects; j++) {
			struct heatmap_box b = l->rects[j].box;
			check(w == 0 || t->x + w <= b.x || b.x + b.w <= t->x || t->y + h <= b.y || b.y + b.h <= t->y,
			      "%s: text '%s' overlaps a rectangle at %d,%d", what, t->text, b.x, b.y);
		}
		int fg = 0;
		for (int y = t->y; y < t->y + h && y < (int)c->height; y++)
			for (int x = t->x; x < t->x + w && x < (int)c->width; x++) {
				const uint8_t *p = c->px + ((size_t)y * c->width + (size_t)x) * 4;
				uint32_t rgb = (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
				check(rgb == t->bg || rgb == t->fg, "%s: text '%s' box has %06x at %d,%d", what, t->text, rgb,
				      x, y);
				fg += rgb == t->fg;
				if (rgb != t->bg && rgb != t->fg)
					return;
			}
		check(w == 0 || fg > 0, "%s: text '%s' drew nothing", what, t->text);
	}
}

static uint32_t pixel(const struct canvas *c, int x, int y)
{
	const uint8_t *p = c->px + ((size_t)y * c->width + (size_t)x) * 4;
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static void test_render(void)
{
	struct heatmap h;
	make_heatmap(&h);
	static const struct { uint32_t w, h; } sizes[] = { { 0, 0 }, { 1400, 900 }, { 700, 0 }, { 0, 2000 },
	                                                   { 560, 420 } };
	for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
		char what[64];
		snprintf(what, sizeof what, "size %ux%u", sizes[s].w, sizes[s].h);
		struct canvas c;
		struct heatmap_layout l;
		struct ph_error err = { 0 };
		if (heatmap_render(&h, sizes[s].w, sizes[s].h, &c, &l, &err) < 0) {
			check(0, "%s: %s", what, err.msg);
			continue;
		}
		check(c.width == l.width && c.height == l.height && (!sizes[s].w || c.width == sizes[s].w) &&
		      (!sizes[s].h || c.height == sizes[s].h), "%s: got %ux%u", what, c.width, c.height);
		check_layout(&l, &c, what);
		check(l.npanels == 2 && l.panels[1].nrows == 1, "%s: panels", what);
		/* the ramp row: its first pixel column the bottom colour, its last the top */
		const struct heatmap_panel_layout *pl = &l.panels[0];
		if (pl->nrows >= 3) {
			struct heatmap_box b = pl->rows[0].cells;
			check(pixel(&c, b.x, b.y) == heatmap_colour(0) && pixel(&c, b.x + b.w - 1, b.y + b.h - 1) ==
			      heatmap_colour(1), "%s: ramp ends %06x %06x", what, pixel(&c, b.x, b.y),
			      pixel(&c, b.x + b.w - 1, b.y));
			b = pl->rows[2].cells;   /* gappy: column 0 has no data */
			check(pixel(&c, b.x, b.y) == HEATMAP_NODATA && pixel(&c, b.x + b.w - 1, b.y) == heatmap_colour(0.25),
			      "%s: no-data and 25%% cells %06x %06x", what, pixel(&c, b.x, b.y),
			      pixel(&c, b.x + b.w - 1, b.y));
			check(pl->rows[2].cells.y > pl->rows[1].cells.y + pl->rows[1].cells.h &&
			      pl->rows[1].cells.y == pl->rows[0].cells.y + pl->rows[0].cells.h,
			      "%s: the gap between groups", what);
			check(pl->rows[0].bar.w > pl->rows[1].bar.w && pl->rows[3].bar.w == 1, "%s: bars %d %d %d", what,
			      pl->rows[0].bar.w, pl->rows[1].bar.w, pl->rows[3].bar.w);
		}
		struct heatmap_box g = l.colour_bar;
		check(pixel(&c, g.x, g.y) == heatmap_colour(0) && pixel(&c, g.x + g.w - 1, g.y) == heatmap_colour(1) &&
		      pixel(&c, l.nodata.x + 3, l.nodata.y + 3) == HEATMAP_NODATA, "%s: colour bar", what);
		char *json = heatmap_describe(&h, &l);
		check(json != NULL, "%s: describe", what);
		for (const char *p = json; p && *p; p++)
			if (*p < 0x20 || *p > 0x7e) {
				check(0, "%s: byte %02x in the description", what, (unsigned char)*p);
				break;
			}
		check(json && strstr(json, "\"name\": \"gappy[31m\"") && strstr(json, "\\u00b7") &&
		      strstr(json, "\"unit\": \"fraction\"") && strstr(json, "\"buckets\": 40"),
		      "%s: description content", what);
		free(json);
		heatmap_layout_free(&l);
		canvas_free(&c);
	}
	/* a height that holds only some rows: the first ones, and a note */
	struct canvas c;
	struct heatmap_layout l;
	struct ph_error err = { 0 };
	uint32_t natural = 0;
	if (heatmap_render(&h, 0, 0, &c, &l, &err) == 0) {
		natural = c.height;
		heatmap_layout_free(&l);
		canvas_free(&c);
	}
	if (heatmap_render(&h, 0, natural - 20, &c, &l, &err) == 0) {
		check(c.height == natural - 20 && l.panels[0].nrows < 4 && l.panels[0].nrows >= 1,
		      "%u px: %zu rows", natural - 20, l.panels[0].nrows);
		int note = 0;
		for (size_t i = 0; i < l.ntexts; i++)
			note |= !strcmp(l.texts[i].role, "note");
		check(note, "no note about the rows left out");
		check_layout(&l, &c, "rows left out");
		heatmap_layout_free(&l);
		canvas_free(&c);
	} else {
		check(0, "%u px: %s", natural - 20, err.msg);
	}
	check(heatmap_render(&h, 250, 0, &c, &l, &err) < 0 && err.code == PH_EUSAGE && strstr(err.msg, "--width"),
	      "width 250: %s", err.msg);
	check(heatmap_render(&h, 0, 120, &c, &l, &err) < 0 && err.code == PH_EUSAGE && strstr(err.msg, "--height"),
	      "height 120: %s", err.msg);
	check(heatmap_render(&h, 99999, 0, &c, &l, &err) < 0 && err.code == PH_EUSAGE, "width 99999");
	check_group("layout and drawing at several sizes");

	char path[] = "/tmp/pyheat-test-heatmap-XXXXXX";
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
	check(f != NULL, "temporary file");
	if (f) {
		int rc = render_png(&h, 900, 0, f, &err);
		fclose(f);
		check(rc == 0, "render_png: %s", err.msg);
		struct canvas want;
		struct heatmap_layout wl;
		heatmap_render(&h, 900, 0, &want, &wl, &err);
		png_image img;
		memset(&img, 0, sizeof img);
		img.version = PNG_IMAGE_VERSION;
		if (png_image_begin_read_from_file(&img, path)) {
			img.format = PNG_FORMAT_RGB;
			unsigned char *px = malloc(PNG_IMAGE_SIZE(img));
			if (px && png_image_finish_read(&img, NULL, px, 0, NULL)) {
				check(img.width == want.width && img.height == want.height, "PNG size %ux%u", img.width,
				      img.height);
				long bad = 0;
				for (uint32_t i = 0; i < img.width * img.height && img.width == want.width; i++)
					bad += memcmp(px + 3 * (size_t)i, want.px + 4 * (size_t)i, 3) != 0;
				check(bad == 0, "%ld pixels differ after the PNG round trip", bad);
			} else {
				check(0, "libpng: %s", img.message);
			}
			free(px);
		} else {
			check(0, "libpng: %s", img.message);
		}
		/* the text chunks */
		FILE *in = fopen(path, "rb");
		png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
		png_infop info = png ? png_create_info_struct(png) : NULL;
		if (in && png && info && !setjmp(png_jmpbuf(png))) {
			png_init_io(png, in);
			png_read_info(png, info);
			png_textp text;
			int n = 0;
			png_get_text(png, info, &text, &n);
			int seen = 0;
			for (int i = 0; i < n; i++) {
				check(text[i].compression == PNG_TEXT_COMPRESSION_NONE, "chunk %s is not tEXt", text[i].key);
				if (!strcmp(text[i].key, "Title"))
					seen |= 1, check(!strcmp(text[i].text, "pyheat \xb7 test heatmap"), "Title '%s'",
					                 text[i].text);
				if (!strcmp(text[i].key, "Description"))
					seen |= 2, check(strstr(text[i].text, "command: python3 [2J app.py ?\npid 1") != NULL,
					                 "Description '%s'", text[i].text);
				if (!strcmp(text[i].key, RENDER_PNG_DESCRIPTION_KEY))
					seen |= 4;
				if (!strcmp(text[i].key, "Software"))
					seen |= 8;
			}
			check(seen == 15, "text chunks seen: %x", seen);
		} else {
			check(0, "reading the text chunks");
		}
		png_destroy_read_struct(&png, &info, NULL);
		if (in)
			fclose(in);
		heatmap_layout_free(&wl);
		canvas_free(&want);
		unlink(path);
	}
	check_group("PNG: pixels and text chunks read back");
	heatmap_free(&h);
}

/* ---- the timeline -------------------------------------------------------------- */

/* 100 Hz, 1 s, two threads: thread 0 runs f0 for 0.5 s then f1 (stack
 * f0 -> main / f1 -> main); thread 1 runs f2 throughout. */
static int write_profile(const char *path)
{
	struct prof_meta meta = { .cmdline = "python3 t.py", .exe = "/usr/bin/python3", .python_version = "3.12.0",
	                          .mode = "cpu", .host = "h", .pyheat_version = "0.1.0", .pid = 10, .rate_hz = 100,
	                          .start_unix_ns = 1 };
	struct ph_error err = { 0 };
	struct prof_writer *w = prof_writer_open(path, &meta, &err);
	if (!w) {
		check(0, "prof_writer_open: %s", err.msg);
		return -1;
	}
	const char *strs[] = { "f0", "f1", "f2", "main", "/app/t.py", "/app/u.py", "MainThread", "worker" };
	for (uint32_t i = 0; i < 8; i++)
		prof_write_string(w, i, strs[i]);
	prof_write_func(w, 0, 0, 4, 10);
	prof_write_func(w, 1, 1, 4, 20);
	prof_write_func(w, 2, 2, 5, 30);
	prof_write_func(w, 3, 3, 4, 1);
	for (uint32_t i = 0; i < 4; i++)
		prof_write_frame(w, i, i, 11 + 10 * (int)i);
	uint32_t s0[] = { 0, 3 }, s1[] = { 1, 3 }, s2[] = { 2 };
	prof_write_stack(w, 0, s0, 2);
	prof_write_stack(w, 1, s1, 2);
	prof_write_stack(w, 2, s2, 1);
	prof_write_thread(w, 0, 10, 10, 6);
	prof_write_thread(w, 1, 10, 11, 7);
	for (uint64_t k = 0; k < 100; k++) {
		prof_write_sample(w, k * 10000000ull, 0, k < 50 ? 0 : 1, PROF_RUNNING);
		prof_write_sample(w, k * 10000000ull + 1000, 1, 2, PROF_RUNNING);
	}
	return prof_writer_close(w, 1000000000ull, &err);
}

static const struct heatmap_row *find(const struct heatmap_panel *pa, const char *name)
{
	for (size_t i = 0; i < pa->nrows; i++)
		if (!strcmp(pa->rows[i].name, name))
			return &pa->rows[i];
	return NULL;
}

static void test_timeline(void)
{
	char dir[] = "/tmp/pyheat-test-timeline-XXXXXX";
	if (!mkdtemp(dir)) {
		check(0, "mkdtemp");
		return;
	}
	char path[128];
	snprintf(path, sizeof path, "%s/t.pyheat", dir);
	struct ph_error err = { 0 };
	struct profile *p = write_profile(path) == 0 ? prof_open(path, &err) : NULL;
	check(p != NULL, "prof_open: %s", err.msg);
	if (p) {
		struct stats_filter all = { 0 };
		struct timeline_opts o = { 0 };
		struct heatmap h;
		struct stats_result r;
		if (timeline_build(p, &all, &o, &h, &err) == 0 && stats_compute(p, &all, &r, &err) == 0) {
			check(h.npanels == 1 && h.ncols == 10 && h.bucket_ns == 100000000ull && h.t1_ns == 1000000000ull,
			      "one panel, 10 buckets of 100 ms: %zu panels, %zu x %llu", h.npanels, h.ncols,
			      (unsigned long long)h.bucket_ns);
			const struct heatmap_panel *pa = &h.panels[0];
			/* f2 (/app/u.py) has 50 %: its group first; f0, f1 (/app/t.py) after */
			check(pa->nrows == 3 && !strcmp(pa->rows[0].name, "f2") && !strcmp(pa->rows[1].name, "f0") &&
			      !strcmp(pa->rows[2].name, "f1"), "rows %s %s %s", pa->nrows > 0 ? pa->rows[0].name : "",
			      pa->nrows > 1 ? pa->rows[1].name : "", pa->nrows > 2 ? pa->rows[2].name : "");
			for (size_t i = 0; i < r.nfuncs; i++) {
				const struct heatmap_row *row = find(pa, r.funcs[i].name);
				if (!row)
					continue;
				check(row->bar == r.funcs[i].own && row->bar_lo == r.funcs[i].own_lo &&
				      row->count == r.funcs[i].samples_own, "%s: %g vs stats %g", row->name, row->bar,
				      r.funcs[i].own);
			}
			const struct heatmap_row *f0 = find(pa, "f0");
			for (size_t i = 0; f0 && i < h.ncols; i++)
				check(fabsf(f0->cells[i] - (i < 5 ? 0.5f : 0.0f)) < 1e-6, "f0 bucket %zu: %g", i, f0->cells[i]);
			check(f0 && f0->line == 10 && !strcmp(f0->file, "/app/t.py"), "f0 line/file");
			heatmap_free(&h);
			stats_free(&r);
		} else {
			check(0, "timeline_build: %s", err.msg);
		}
		o.threads = 1;
		o.by = STATS_BY_TOTAL;
		if (timeline_build(p, &all, &o, &h, &err) == 0) {
			check(h.npanels == 2 && h.panels[0].tid == 10 && h.panels[1].tid == 11, "a panel per thread");
			const struct heatmap_row *m = h.npanels == 2 ? find(&h.panels[0], "main") : NULL;
			check(m && m->bar == 1.0 && h.panels[0].rows[0].bar == 1.0, "by total: main on every stack");
			const struct heatmap_row *f1 = m ? find(&h.panels[0], "f1") : NULL;
			for (size_t i = 0; f1 && i < h.ncols; i++)
				check(fabsf(f1->cells[i] - (i < 5 ? 0.0f : 1.0f)) < 1e-6, "f1 bucket %zu: %g", i, f1->cells[i]);
			check(h.npanels == 2 && h.panels[1].nrows == 1 && !strcmp(h.panels[1].rows[0].name, "f2") &&
			      strstr(h.panels[1].title, "\"worker\""), "worker panel");
			heatmap_free(&h);
		} else {
			check(0, "timeline_build --threads: %s", err.msg);
		}
		o = (struct timeline_opts){ .granularity = TIMELINE_LINES, .top = 2 };
		struct stats_filter win = { .from_ns = 200000000ull, .to_ns = 700000000ull, .tid = 10 };
		if (timeline_build(p, &win, &o, &h, &err) == 0) {
			const struct heatmap_panel *pa = &h.panels[0];
			check(h.t0_ns == 200000000ull && h.t1_ns == 700000000ull && h.ncols == 5, "window %llu..%llu, %zu",
			      (unsigned long long)h.t0_ns, (unsigned long long)h.t1_ns, h.ncols);
			check(pa->nrows == 2 && pa->rows[0].line == 11 && pa->rows[1].line == 21 &&
			      fabs(pa->rows[0].bar - 0.6) < 1e-9, "line rows: %zu, %d %d, %g", pa->nrows,
			      pa->nrows ? pa->rows[0].line : 0, pa->nrows > 1 ? pa->rows[1].line : 0,
			      pa->nrows ? pa->rows[0].bar : 0);
			heatmap_free(&h);
		} else {
			check(0, "timeline_build lines: %s", err.msg);
		}
		prof_close(p);
	}
	unlink(path);
	rmdir(dir);
	check_group("timeline: shares equal stats, exact cells, panels, lines, window");
}

int main(void)
{
	test_fonts();
	test_text();
	test_numbers();
	test_render();
	test_timeline();
	return check_done("test-heatmap");
}
