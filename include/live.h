/* live.h — the model behind `pyheat attach` / `pyheat top`.
 *
 * Two halves, one mutex between them:
 *
 *  - struct live is shared. The aggregator's hook (aggregator_hook, on the
 *    aggregator's thread) appends each definition it writes to a log and
 *    counts each sample into a fixed-size table keyed by (second, thread,
 *    stack), with one count per flag class (running x holds-GIL). Nothing
 *    is sorted or searched beyond that one probe; the sampler never waits
 *    for any of it (the ring lies between them).
 *
 *  - struct live_view is the UI's own. live_view_pull() swaps the shared
 *    pending buffers for the view's empty ones (an O(1) critical section),
 *    then, unlocked, copies the definitions into its tables and adds the
 *    counts into per-second buckets. Every figure on the screen is computed
 *    from those buckets by live_view_compute(), with stats.h's definitions:
 *    a function is (name, file); own share = samples whose innermost frame
 *    is it / selected samples; total share = samples in which it appears at
 *    all (once per sample); Wilson 95% intervals; cores busy = samples per
 *    tick.
 *
 * Everything is sampled as wall samples carrying the OS state and the GIL
 * flag, so a mode is a filter on flags (cpu: PROF_RUNNING, gil:
 * PROF_HOLDS_GIL, wall: every sample) and switching it is instant.
 *
 * Besides the window, the view keeps the whole session as a time series of
 * LIVE_SESSION_BUCKETS buckets of the same (thread, stack) counts: when the
 * session outgrows them, neighbours merge in pairs and the bucket width
 * doubles (1 s, 2 s, 4 s, ...), so memory stays bounded however long it runs
 * (at most LIVE_KEYS_BUDGET keys in all; more are counted as lost).
 *
 * Memory is bounded: the buckets form a ring of 2 x window seconds (the
 * second half keeps a paused view intact while new seconds arrive), each
 * holding at most LIVE_KEYS_BUDGET / (2 x window) distinct (thread, stack)
 * keys, but at least 1024 (more are counted as lost, not stored); the
 * shared table holds LIVE_PEND_KEYS keys between two pulls. Definitions
 * (strings, functions, frames, stacks, threads) grow only with distinct
 * ones, as the aggregator's own tables do. */
#ifndef PYHEAT_LIVE_H
#define PYHEAT_LIVE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "aggregator.h"
#include "error.h"
#include "stats.h"

#define LIVE_WINDOW_MIN    5
#define LIVE_WINDOW_MAX    600
#define LIVE_PEND_KEYS     (1u << 16)  /* (second, thread, stack) keys between two pulls */
#define LIVE_KEYS_BUDGET   (1u << 20)  /* (thread, stack) keys over all buckets */
#define LIVE_DRILL_MAX     256         /* callers / callees / lines listed per drill-down */
#define LIVE_SESSION_BUCKETS 64        /* the whole-session series: buckets that coarsen */

/* ---- the shared half (aggregator thread -> UI thread) --------------------- */

struct live;

struct live *live_new(struct ph_error *err);
void live_free(struct live *l);
/* The observer to pass to aggregator_start_hooked(). */
struct aggregator_hook live_hook(struct live *l);
/* Flushes of the raw file so far (a snapshot waits for the next one). */
uint64_t live_flushes(struct live *l);

/* ---- the UI's half -------------------------------------------------------- */

enum live_mode { LIVE_CPU, LIVE_WALL, LIVE_GIL };
enum live_sort { LIVE_BY_OWN, LIVE_BY_TOTAL, LIVE_BY_NAME };

const char *live_mode_name(enum live_mode m);

struct live_view;

/* window_s: seconds the shares are computed over (LIVE_WINDOW_MIN..MAX);
 * rate_hz: the sampling rate (times = samples / rate). */
struct live_view *live_view_new(unsigned window_s, uint32_t rate_hz, struct ph_error *err);
void live_view_free(struct live_view *v);

/* Take everything the hook gathered since the last pull. Samples of seconds
 * after `keep_to_s + window` are discarded (not counted as lost), so that a
 * paused view ending at keep_to_s stays intact; pass UINT64_MAX when not
 * paused. -1 with err when out of memory (the view is then unusable). */
int live_view_pull(struct live_view *v, struct live *l, uint64_t keep_to_s, struct ph_error *err);
/* Forget every sample and the lost count (definitions stay). */
void live_view_reset(struct live_view *v);
/* The latest second that has samples, or 0. */
uint64_t live_view_last_second(const struct live_view *v);
unsigned live_view_window(const struct live_view *v);
/* Samples the view could not keep (full tables), since the start or reset. */
uint64_t live_view_lost(const struct live_view *v);
/* The same for the whole-session series. */
uint64_t live_view_session_lost(const struct live_view *v);
/* The "?" function's id (undefined ids map to it). */
#define LIVE_UNKNOWN_FUNC 0u

/* What to compute. */
struct live_query {
	enum live_mode mode;
	int lines;                 /* rows are (function, line), not functions */
	int64_t thread;            /* the aggregator's thread id, or -1 for all threads */
	enum live_sort sort;
	const char *filter;        /* case-insensitive substring of name or file; NULL/"" none */
	uint64_t to_s;             /* the window's last second (inclusive) */
	unsigned heat_rows, heat_cols;   /* heatmap size wanted (0: none) */
	int64_t drill;             /* canonical function to drill into, or -1 */
	int session;               /* the whole session (its coarsening buckets), not the window */
};

struct live_thread {
	uint32_t id;               /* the aggregator's thread id */
	pid_t pid, tid;
	const char *name;          /* OS thread name (untrusted) */
	uint64_t samples;          /* in the window, any mode */
};

struct live_drill_row {
	uint32_t func;             /* canonical function (callers/callees) */
	int32_t line;              /* lines: the line */
	const char *name, *file;
	uint64_t own, total;       /* lines: own and total; callers/callees: total = calls seen */
	double own_share, total_share, total_lo, total_hi;
};

struct live_result {
	uint64_t from_s, to_s;     /* the window, seconds since the start (inclusive) */
	int session;               /* the query covered the whole session */
	uint64_t col_s;            /* seconds per heatmap column (window: 1) */
	double seconds;            /* the window's length with data (<= window) */
	uint64_t samples;          /* selected samples in the window */
	uint64_t samples_empty;    /* ... without Python frames */
	uint64_t ticks;            /* sampling ticks in the window */
	double cores_busy;         /* selected samples per tick */
	double rate_hz;            /* for own/total time: samples / rate_hz */

	struct stats_row *rows;    /* matching the filter, sorted; name/file into the view */
	size_t nrows, nrows_all;   /* shown, before the filter */

	/* heatmap: hrows rows (the hottest matching rows by own share over the
	 * heatmap's seconds), hcols columns ending at to_s; cell = own share of
	 * the row in that second, -1 when the second has no selected samples */
	unsigned hrows, hcols;
	struct stats_row *hrow;    /* [hrows] */
	float *cells;              /* [hrows * hcols], row-major */
	uint64_t *col_samples;     /* [hcols] */

	struct live_thread *threads;   /* threads with samples in the window, by pid, tid */
	size_t nthreads;

	double gil_held;           /* ticks with a GIL holder / ticks, last 5 s, all threads; -1 none */
	uint64_t lost;             /* samples the view dropped in the window */

	/* drill-down (query.drill >= 0) */
	int drill_ok;
	struct live_drill_row drill_self;     /* the function's own and total */
	int32_t drill_firstline;
	struct live_drill_row *callers, *callees, *dlines;
	size_t ncallers, ncallees, ndlines;
};

/* Compute r from the view (r's arrays are the view's, valid until the next
 * compute or free). -1 with err when out of memory. */
int live_view_compute(struct live_view *v, const struct live_query *q, struct live_result *r,
                      struct ph_error *err);

/* A canonical function's name, file and first line. */
const char *live_func_name(const struct live_view *v, uint32_t func);
const char *live_func_file(const struct live_view *v, uint32_t func);
int live_func_firstline(const struct live_view *v, uint32_t func);

#endif
