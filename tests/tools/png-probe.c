/* png-probe — read a PNG with libpng for tests/test_png.py.
 *
 *   png-probe ppm FILE      the pixels as a binary PPM (P6, 8-bit RGB) on stdout
 *   png-probe text FILE     for each stdin line "FONT X Y FG BG HEX" (FONT a
 *                           font name of include/font.h, FG/BG rrggbb, HEX the
 *                           text's UTF-8 bytes in hex, "-" for none): draw the
 *                           text as pyheat does (canvas_text) in a box of its
 *                           cells filled with BG, compare that box with the
 *                           PNG's pixels at X, Y and print "ok", "bad N" (N
 *                           pixels differ) or "out" (the box leaves the image)
 * Exits 0, or 1 when the PNG cannot be read. */
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "font.h"
#include "heatmap.h"

static unsigned char *read_png(const char *path, png_image *img)
{
	memset(img, 0, sizeof *img);
	img->version = PNG_IMAGE_VERSION;
	if (!png_image_begin_read_from_file(img, path)) {
		fprintf(stderr, "png-probe: %s: %s\n", path, img->message);
		return NULL;
	}
	img->format = PNG_FORMAT_RGB;
	unsigned char *px = malloc(PNG_IMAGE_SIZE(*img));
	if (!px || !png_image_finish_read(img, NULL, px, 0, NULL)) {
		fprintf(stderr, "png-probe: %s: %s\n", path, img->message);
		free(px);
		return NULL;
	}
	return px;
}

static char *unhex(const char *s)
{
	size_t n = strlen(s);
	char *out = malloc(n / 2 + 1);
	size_t o = 0;
	if (!out)
		return NULL;
	if (strcmp(s, "-"))
		for (size_t i = 0; i + 1 < n; i += 2) {
			unsigned v;
			if (sscanf(s + i, "%2x", &v) != 1)
				break;
			out[o++] = (char)v;
		}
	out[o] = '\0';
	return out;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "ppm") && strcmp(argv[1], "text"))) {
		fprintf(stderr, "usage: png-probe ppm|text FILE\n");
		return 64;
	}
	png_image img;
	unsigned char *px = read_png(argv[2], &img);
	if (!px)
		return 1;
	if (!strcmp(argv[1], "ppm")) {
		printf("P6\n%u %u\n255\n", img.width, img.height);
		fwrite(px, 3, (size_t)img.width * img.height, stdout);
		free(px);
		return 0;
	}
	char line[8192], fname[32], hex[4096 * 2 + 2];
	int x, y;
	unsigned fg, bg;
	while (fgets(line, sizeof line, stdin)) {
		if (sscanf(line, "%31s %d %d %x %x %8193s", fname, &x, &y, &fg, &bg, hex) != 6) {
			puts("syntax");
			continue;
		}
		const struct font *f = font_by_name(fname);
		char *text = unhex(hex);
		if (!f || !text) {
			puts("syntax");
			free(text);
			continue;
		}
		int w = (int)font_text_cols(text) * f->width, h = f->height;
		if (x < 0 || y < 0 || x + w > (int)img.width || y + h > (int)img.height || w == 0) {
			puts(w == 0 ? "ok" : "out");
			free(text);
			continue;
		}
		struct canvas c;
		struct ph_error err;
		if (canvas_init(&c, (uint32_t)w, (uint32_t)h, bg, &err) < 0) {
			puts("syntax");
			free(text);
			continue;
		}
		canvas_text(&c, f, 0, 0, text, fg);
		long bad = 0;
		for (int yy = 0; yy < h; yy++)
			for (int xx = 0; xx < w; xx++) {
				const unsigned char *a = px + ((size_t)(y + yy) * img.width + (size_t)(x + xx)) * 3;
				const unsigned char *b = c.px + ((size_t)yy * (size_t)w + (size_t)xx) * 4;
				bad += a[0] != b[0] || a[1] != b[1] || a[2] != b[2];
			}
		if (bad)
			printf("bad %ld\n", bad);
		else
			puts("ok");
		canvas_free(&c);
		free(text);
	}
	free(px);
	return 0;
}
