/* render.h — image renderers of heatmaps (include/heatmap.h).
 *
 * PNG (src/render-png.c, libpng): the picture heatmap_render draws, as 8-bit
 * RGB with an sRGB chunk, and text chunks saying what it shows:
 *   Title           the title line
 *   Description     the title block's lines, newline-separated
 *   Software        "pyheat VERSION"
 *   pyheat-heatmap  heatmap_describe's JSON: rows, shares, time range,
 *                   scale, where every row, text and the colour bar are
 * All are tEXt chunks, whose text PNG defines as Latin-1: Title and
 * Description keep ASCII and Latin-1 characters and show any other as '?';
 * the JSON is printable ASCII, every other character as a \uXXXX escape
 * (JSON's own), so names from the target survive exactly (after the
 * cleaning heatmap.h describes). */
#ifndef PYHEAT_RENDER_H
#define PYHEAT_RENDER_H

#include <stdio.h>

#include "error.h"
#include "heatmap.h"
#include "profile.h"
#include "stats.h"
#include "timeline.h"

#define RENDER_PNG_DESCRIPTION_KEY "pyheat-heatmap"

struct render_text { const char *key, *text; };

/* Encode c as a PNG to out with the given tEXt chunks (keys of 1..79
 * printable Latin-1 characters; texts Latin-1). PH_ESYSTEM on failure. */
int render_png_write(FILE *out, const struct canvas *c, const struct render_text *texts, size_t ntexts,
                     struct ph_error *err);

/* Lay out, draw and encode h (width/height 0: fit the content). */
int render_png(const struct heatmap *h, uint32_t width, uint32_t height, FILE *out, struct ph_error *err);

/* `pyheat report -f png`: the CPU heatmap (timeline.h) of p's samples
 * selected by f. o NULL: the defaults. */
int export_png(const struct profile *p, struct stats_filter f, const struct timeline_opts *o, FILE *out,
               struct ph_error *err);

#endif
