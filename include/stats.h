/* stats.h — shares, defined once; every output and view uses these.
 *
 * A sample is one thread's stack at one tick. A function's own share is the
 * fraction of the selected samples whose innermost frame is that function;
 * its total share, the fraction in which it appears at all (once per sample,
 * even if recursive). Shares are of all selected samples, so they add up
 * across threads (never 400% for four threads); "cores busy" is samples per
 * tick. Each share carries a Wilson 95% confidence interval.
 *
 * A function is (display name, file): code objects with the same name in the
 * same file are one function. A line is (function, line). Samples without
 * Python frames count in the denominator and belong to no function.
 *
 * Names in the results point into the profile: keep it open while they are
 * used. */
#ifndef PYHEAT_STATS_H
#define PYHEAT_STATS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

#include "error.h"
#include "profile.h"
#include "textout.h"

#define STATS_Z95 1.959963984540054   /* two-sided 95% normal quantile */

/* Which samples: t in [from_ns, to_ns) since the start, of threads of
 * process pid and thread tid. 0 = any / the whole range. */
struct stats_filter {
	uint64_t from_ns, to_ns;
	pid_t pid;
	pid_t tid;
};

/* 1 when the sample is selected by f (thread ids out of range match only a
 * filter without pid/tid). */
int stats_match(const struct profile *p, const struct stats_filter *f, const struct prof_sample *s);

/* Wilson score interval of k successes in n trials at quantile z (STATS_Z95
 * for 95%). n == 0 gives [0, 1]. */
void stats_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi);

/* ---- the profile's frames, functions and lines, deduplicated ------------- */

struct stats_func {
	const char *name, *file;
	int firstlineno;          /* the smallest of the merged code objects' */
};

struct stats_line {
	uint32_t func;            /* index into stats_index.funcs */
	int32_t line;
};

struct stats_index {
	uint32_t nfuncs;          /* distinct (name, file), then the "?" function */
	struct stats_func *funcs;
	uint32_t nlines;          /* distinct (function, line) */
	struct stats_line *lines;
	uint32_t nframes;         /* the profile's; slot nframes is the "?" frame */
	uint32_t *frame_func;     /* [nframes + 1]: frame id -> function */
	uint32_t *frame_line;     /* [nframes + 1]: frame id -> line */
};

int stats_index_build(const struct profile *p, struct stats_index *ix, struct ph_error *err);
void stats_index_free(struct stats_index *ix);

/* A frame id clamped to the index: ids the file never defined become the
 * "?" frame (name "?", file "?", line 0). */
static inline uint32_t stats_frame_id(const struct stats_index *ix, uint32_t frame)
{
	return frame < ix->nframes ? frame : ix->nframes;
}

/* The frames of a stack, innermost first; NULL with *n = 0 for an empty
 * stack or an id the file never defined. */
const uint32_t *stats_stack_frames(const struct profile *p, uint32_t stack, uint32_t *n);

/* The thread of a sample, or NULL for an id the file never defined. */
const struct prof_thread *stats_thread(const struct profile *p, uint32_t thread);

/* ---- aggregation --------------------------------------------------------- */

struct stats_row {
	uint32_t func;            /* index into stats_result.ix.funcs */
	int32_t line;             /* line rows: the line; function rows: -1 */
	const char *name, *file;
	uint64_t samples_own, samples_total;
	double own, own_lo, own_hi;         /* fractions 0..1 of the selected samples */
	double total, total_lo, total_hi;
};

struct stats_result {
	struct stats_filter filter;
	const char *mode;         /* the profile's sampling mode ("cpu", "wall", ...) */
	uint64_t samples;         /* selected */
	uint64_t samples_empty;   /* selected samples without Python frames */
	uint64_t samples_truncated;
	uint32_t threads;         /* threads with at least one selected sample */
	uint32_t nthreads;        /* the profile's */
	uint64_t *thread_samples; /* [nthreads]: selected samples per thread id */
	uint64_t first_ns, last_ns;   /* of the selected samples (0 when none) */
	uint64_t duration_ns;     /* the selected window within the recording */
	double ticks;             /* duration x rate: the sampling ticks in the window */
	double cores_busy;        /* samples per tick (0 when unknown) */
	struct stats_row *funcs; size_t nfuncs;   /* functions seen, by own share */
	struct stats_row *lines; size_t nlines;   /* lines seen, by own share */
	struct stats_index ix;
};

/* One pass over the profile's samples (prof_foreach_sample): counts per
 * stack, then per function and line. The window is [from, min(to, end of
 * recording)); ticks = window x rate_hz. -1 with err on a read error (r is
 * then empty); otherwise free r with stats_free. */
int stats_compute(const struct profile *p, const struct stats_filter *f, struct stats_result *r,
                  struct ph_error *err);
void stats_free(struct stats_result *r);

enum stats_key { STATS_BY_OWN, STATS_BY_TOTAL };

/* Largest first; ties by the other count, then name, file and line. */
void stats_sort(struct stats_row *rows, size_t n, enum stats_key key);

/* Length of the valid UTF-8 sequence at s (1..4), 0 when invalid (s non-empty). */
static inline int stats_utf8_len(const unsigned char *s)
{
	return utf8_seq_len(s, 4);
}

/* s for a terminal: text_put_safe, and bytes that are not valid UTF-8 as \xNN
 * (a lone 0x9b is an 8-bit CSI to some terminals). */
void stats_put_text(FILE *out, const char *s);

/* The top-n functions by own share, with total share and both Wilson
 * intervals, under a one-line summary (samples, threads, duration, cores
 * busy). What `pyheat info` and the end of `pyheat record` print. Names are
 * written with stats_put_text. */
void stats_print_top(FILE *out, const struct stats_result *r, int n);

#endif
