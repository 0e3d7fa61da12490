/* timeline.h — the CPU heatmap's data: a profile's selected samples as a
 * (row x time bucket) matrix of shares, ready for a renderer (heatmap.h).
 *
 * Rows are the top functions (or lines, `--granularity line`) by own share
 * (`--by total`: total share), as stats.h defines them, so a row's share
 * over the whole range (the bar beside it) is exactly what `pyheat info`
 * prints. Rows are grouped by file: groups in the order of their best row,
 * rows by share within a group. A cell is the same share computed over the
 * samples of one time bucket: the fraction of the bucket's selected samples
 * (of the panel's threads) whose innermost frame is the row (own), or that
 * have the row anywhere on the stack (total); NAN when the bucket has no
 * samples (cpu mode: the threads were off CPU).
 *
 * Time buckets are sized to the recording: a 1, 2, 2.5 or 5 x 10^k
 * duration of at least 10 sampling intervals, giving at most 200 buckets
 * (fewer for a narrow --width) over the selected window.
 *
 * Panels: one for the selected samples; one per process when the recording
 * holds several (pyheat record --subprocesses) and no --pid/--tid narrows
 * it; one per thread with `--threads` (shares then of that thread's
 * samples). At most TIMELINE_MAX_PANELS, the busiest; the title block says
 * how many were left out. */
#ifndef PYHEAT_TIMELINE_H
#define PYHEAT_TIMELINE_H

#include <stdint.h>

#include "error.h"
#include "heatmap.h"
#include "profile.h"
#include "stats.h"

enum timeline_granularity { TIMELINE_FUNCTIONS, TIMELINE_LINES };

#define TIMELINE_TOP        20     /* rows per panel by default */
#define TIMELINE_MAX_TOP    500
#define TIMELINE_MAX_PANELS 32
#define TIMELINE_MAX_BUCKETS 200

/* What the heatmap formats take from the command line. All zero: the
 * defaults (own share, functions, one panel, TIMELINE_TOP rows, sized to the
 * content). */
struct timeline_opts {
	enum stats_key by;
	enum timeline_granularity granularity;
	int threads;                  /* one panel per thread */
	int top;                      /* rows per panel; 0: TIMELINE_TOP */
	uint32_t width, height;       /* image size in pixels; 0: what the content needs */
};

/* Parse the value of one heatmap option for `pyheat CMD`: name is "by"
 * (own|total), "granularity" (function|line), "top" (1..TIMELINE_MAX_TOP),
 * "width" or "height" (pixels, 200..HEATMAP_MAX_SIDE). On a bad value
 * prints one line and returns PH_EUSAGE; 0 when set. */
int timeline_parse_option(const char *cmd, const char *name, const char *value, struct timeline_opts *o);

/* The options' help lines, for the subcommands' usage texts. */
#define TIMELINE_OPTIONS_HELP \
	"\nheatmap options (png):\n" \
	"      --by own|total    rows ranked and coloured by own share (default) or\n" \
	"                        total share (on the stack at all)\n" \
	"      --granularity function|line\n" \
	"                        a row per function (default) or per line\n" \
	"      --threads         one panel per thread\n" \
	"      --top N           rows per panel (default 20)\n" \
	"      --width PX, --height PX\n" \
	"                        image size (default: what the rows need)\n"

/* Build the heatmap of p's samples selected by f (free it with
 * heatmap_free). -1 with err on a read error or out of memory. */
int timeline_build(const struct profile *p, const struct stats_filter *f, const struct timeline_opts *o,
                   struct heatmap *h, struct ph_error *err);

/* The bucket duration for a window of span_ns at rate_hz (0: 100 Hz) with
 * at most max_buckets buckets. */
uint64_t timeline_bucket_ns(uint64_t span_ns, uint32_t rate_hz, uint32_t max_buckets);

#endif
