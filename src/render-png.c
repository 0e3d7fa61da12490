/* render-png.c — heatmaps as PNG files (libpng), with text chunks saying
 * what they show. See include/render.h. */
#include <png.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "render.h"

struct png_err {
	char msg[200];
};

static void on_png_error(png_structp png, png_const_charp msg)
{
	struct png_err *e = png_get_error_ptr(png);
	if (e)
		snprintf(e->msg, sizeof e->msg, "%s", msg);
	png_longjmp(png, 1);
}

static void on_png_warning(png_structp png, png_const_charp msg)
{
	(void)png;
	(void)msg;
}

int render_png_write(FILE *out, const struct canvas *c, const struct render_text *texts, size_t ntexts,
                     struct ph_error *err)
{
	struct png_err pe = { "" };
	png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &pe, on_png_error, on_png_warning);
	if (!png)
		return ph_fail(err, PH_ESYSTEM, "out of memory encoding the PNG");
	png_infop info = png_create_info_struct(png);
	png_bytep *volatile rows = NULL;
	png_textp volatile tx = NULL;
	if (!info) {
		png_destroy_write_struct(&png, NULL);
		return ph_fail(err, PH_ESYSTEM, "out of memory encoding the PNG");
	}
	if (setjmp(png_jmpbuf(png))) {
		png_destroy_write_struct(&png, &info);
		free(rows);
		free(tx);
		return ph_fail(err, PH_ESYSTEM, "could not write the PNG: %s", pe.msg[0] ? pe.msg : "libpng error");
	}
	rows = malloc((c->height ? c->height : 1) * sizeof *rows);
	tx = calloc(ntexts ? ntexts : 1, sizeof *tx);
	if (!rows || !tx) {
		snprintf(pe.msg, sizeof pe.msg, "out of memory");
		png_longjmp(png, 1);
	}
	png_init_io(png, out);
	png_set_IHDR(png, info, c->width, c->height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
	             PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
	png_set_sRGB(png, info, PNG_sRGB_INTENT_PERCEPTUAL);
	for (size_t i = 0; i < ntexts; i++) {
		tx[i].compression = PNG_TEXT_COMPRESSION_NONE;
		tx[i].key = (png_charp)texts[i].key;
		tx[i].text = (png_charp)texts[i].text;
		tx[i].text_length = strlen(texts[i].text);
	}
	png_set_text(png, info, tx, (int)ntexts);
	png_set_compression_level(png, 9);
	png_write_info(png, info);
	png_set_filler(png, 0, PNG_FILLER_AFTER);   /* the canvas is RGBA, opaque: drop A */
	for (uint32_t y = 0; y < c->height; y++)
		rows[y] = c->px + (size_t)y * c->width * 4;
	png_write_image(png, rows);
	png_write_end(png, info);
	png_destroy_write_struct(&png, &info);
	free(rows);
	free(tx);
	return 0;
}

/* s (UTF-8) as Latin-1 for a tEXt chunk: printable ASCII and U+00A0..U+00FF
 * as themselves, newlines kept, anything else '?'. malloc'd. */
static char *latin1(const char *s)
{
	char *clean = heatmap_clean_text(s);
	if (!clean)
		return NULL;
	char *out = malloc(strlen(clean) + 1);
	if (out) {
		size_t o = 0, k;
		uint32_t cp;
		const char *p = clean;
		while ((k = font_utf8_next(p, &cp)) > 0) {
			p += k;
			out[o++] = (char)((cp >= 0x20 && cp < 0x7f) || (cp >= 0xa0 && cp <= 0xff) ? cp : '?');
		}
		out[o] = '\0';
	}
	free(clean);
	return out;
}

int render_png(const struct heatmap *h, uint32_t width, uint32_t height, FILE *out, struct ph_error *err)
{
	struct canvas c;
	struct heatmap_layout l;
	if (heatmap_render(h, width, height, &c, &l, err) < 0)
		return -1;
	int rc = -1;
	char *json = heatmap_describe(h, &l);
	char *title = latin1(h->title);
	char *desc = NULL, *software = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&desc, &len);
	if (m) {
		for (size_t i = 0; i < h->ninfo && i < HEATMAP_MAX_INFO; i++) {
			char *line = latin1(h->info[i]);
			fprintf(m, "%s%s", i ? "\n" : "", line ? line : "");
			free(line);
		}
		if (fclose(m) != 0) {
			free(desc);
			desc = NULL;
		}
	}
	for (size_t i = 0; i < h->nprops && i < HEATMAP_MAX_PROPS; i++)
		if (!strcmp(h->props[i][0], "software"))
			software = latin1(h->props[i][1]);
	if (!software)
		software = strdup("pyheat");
	if (!json || !title || !desc || !software) {
		ph_fail(err, PH_ESYSTEM, "out of memory describing the heatmap");
	} else {
		struct render_text texts[] = {
			{ "Title", title },
			{ "Description", desc },
			{ "Software", software },
			{ RENDER_PNG_DESCRIPTION_KEY, json },
		};
		rc = render_png_write(out, &c, texts, sizeof texts / sizeof texts[0], err);
	}
	free(json);
	free(title);
	free(desc);
	free(software);
	heatmap_layout_free(&l);
	canvas_free(&c);
	return rc;
}

int export_png(const struct profile *p, struct stats_filter f, const struct timeline_opts *o, FILE *out,
               struct ph_error *err)
{
	struct timeline_opts defaults = { 0 };
	if (!o)
		o = &defaults;
	struct heatmap h;
	if (timeline_build(p, &f, o, &h, err) < 0)
		return -1;
	int rc = render_png(&h, o->width, o->height, out, err);
	heatmap_free(&h);
	if (rc == 0)
		rc = export_finish(out, err);
	return rc;
}
