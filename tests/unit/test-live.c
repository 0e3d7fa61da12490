/* test-live — the live view's model fed through the aggregator's hook, as
 * the aggregator feeds it: the window's shares, and the whole-session series
 * over three hours of samples (its buckets coarsen, its shares and columns
 * stay exact, its memory stays within LIVE_SESSION_BUCKETS buckets), and
 * pause/resume/reset of the session. */
#include <stdio.h>
#include <string.h>

#include "live.h"
#include "profile.h"

#include "check.h"

#define NS 1000000000ULL
#define RATE 10   /* samples per second of the synthetic thread */

/* Two functions, alpha (stack 0) and beta (stack 1), one thread. */
static void define(const struct aggregator_hook *h)
{
	h->string(h->ctx, 0, "alpha", 5);
	h->string(h->ctx, 1, "beta", 4);
	h->string(h->ctx, 2, "app.py", 6);
	h->string(h->ctx, 3, "MainThread", 10);
	h->func(h->ctx, 0, 0, 2, 1);
	h->func(h->ctx, 1, 1, 2, 10);
	h->frame(h->ctx, 0, 0, 3);
	h->frame(h->ctx, 1, 1, 12);
	uint32_t a = 0, b = 1;
	h->stack(h->ctx, 0, &a, 1);
	h->stack(h->ctx, 1, &b, 1);
	h->thread(h->ctx, 0, 4242, 4242, 3);
}

/* Seconds [from, to): RATE samples each of `stack`. */
static void feed(const struct aggregator_hook *h, uint64_t from, uint64_t to, uint32_t stack)
{
	for (uint64_t s = from; s < to; s++)
		for (int i = 0; i < RATE; i++)
			h->sample(h->ctx, s * NS + (uint64_t)i * (NS / RATE), 0, stack, PROF_RUNNING);
}

static const struct stats_row *row_named(const struct live_result *r, const char *name)
{
	for (size_t i = 0; i < r->nrows; i++)
		if (!strcmp(r->rows[i].name, name))
			return &r->rows[i];
	return NULL;
}

static double own_of(const struct live_result *r, const char *name)
{
	const struct stats_row *row = row_named(r, name);
	return row ? row->own : 0.0;
}

static int compute(struct live_view *v, int session, uint64_t to_s, struct live_result *r)
{
	struct live_query q = { .mode = LIVE_WALL, .thread = -1, .drill = -1, .session = session,
	                        .to_s = to_s, .heat_rows = 4, .heat_cols = 40 };
	struct ph_error err;
	return live_view_compute(v, &q, r, &err);
}

int main(void)
{
	struct ph_error err;
	struct live *l = live_new(&err);
	struct live_view *v = live_view_new(60, RATE, &err);
	if (!l || !v) {
		printf("FAIL setup: %s\n", err.msg);
		return 1;
	}
	struct aggregator_hook h = live_hook(l);
	define(&h);

	/* three hours, pulled every minute: alpha for the first 7200 s, beta
	 * for the last 3600 s */
	const uint64_t end = 10800;
	for (uint64_t s = 0; s < end; s += 60) {
		feed(&h, s, s + 60, s < 7200 ? 0 : 1);
		if (live_view_pull(v, l, UINT64_MAX, &err) < 0)
			break;
	}
	struct live_result r;
	check_say(compute(v, 0, end - 1, &r) == 0, "window computes");
	check_say(r.samples == 60 * RATE && own_of(&r, "beta") == 1.0 && own_of(&r, "alpha") == 0.0,
	          "window: the last 60 s are all beta");
	check_say(r.from_s == end - 60 && r.to_s == end - 1 && r.col_s == 1 && !r.session, "window: its seconds");

	check_say(compute(v, 1, end - 1, &r) == 0, "session computes");
	check_say(r.session && r.samples == end * RATE && r.ticks == end * RATE && r.cores_busy == 1.0,
	          "session: every sample (%llu of %llu)", (unsigned long long)r.samples,
	          (unsigned long long)(end * RATE));
	check_say(own_of(&r, "alpha") == 7200.0 / 10800 && own_of(&r, "beta") == 3600.0 / 10800,
	          "session: alpha 2/3, beta 1/3 (%.6f, %.6f)", own_of(&r, "alpha"),
	          own_of(&r, "beta"));
	/* 10800 s in 64 buckets: the width doubled from 1 s to 256 s
	 * (64 x 128 = 8192 < 10800 <= 64 x 256 = 16384) */
	check_say(r.col_s == 256 && r.from_s == 0 && r.to_s == end - 1 && r.seconds == (double)end,
	          "session: 256 s buckets from 0 to %llu s, %g s long (width %llu)",
	          (unsigned long long)r.to_s, r.seconds, (unsigned long long)r.col_s);
	check_say(live_view_session_lost(v) == 0, "session: nothing lost");

	/* heatmap columns: 43 buckets in use (10800 / 256, rounded up) spread
	 * over 40 columns; alpha's cells are 1 before 7200 s and 0 after */
	check_say(r.hcols == 40 && r.hrows == 2, "session heatmap: 40 columns, 2 rows");
	int heat_ok = r.hcols == 40;
	for (unsigned c = 0; heat_ok && c < r.hcols; c++) {
		for (unsigned i = 0; i < r.hrows; i++) {
			float val = r.cells[i * r.hcols + c];
			int is_alpha = !strcmp(r.hrow[i].name, "alpha");
			/* column c covers buckets [ceil(c*43/40), ...): buckets 0..27 are
			 * alpha (7200/256 = 28.1: bucket 28 holds both), 29.. beta */
			unsigned first = (c * 43 + 39) / 40, last = ((c + 1) * 43 + 39) / 40 - 1;
			if (last < 28 && val != (is_alpha ? 1.0f : 0.0f))
				heat_ok = 0;
			if (first > 28 && val != (is_alpha ? 0.0f : 1.0f))
				heat_ok = 0;
		}
	}
	check_say(heat_ok, "session heatmap: alpha's columns, then beta's");

	/* pause: seconds after the hold stay out of the session until resumed */
	uint64_t hold = end - 1;
	feed(&h, end, end + 30, 0);
	live_view_pull(v, l, hold, &err);
	compute(v, 1, hold, &r);
	check_say(r.samples == end * RATE, "paused: the session holds still");
	live_view_pull(v, l, UINT64_MAX, &err);
	compute(v, 1, end + 29, &r);
	check_say(r.samples == (end + 30) * RATE,
	          "resumed: the held 30 s are added (%llu samples)", (unsigned long long)r.samples);

	/* reset: the session starts again */
	live_view_reset(v);
	feed(&h, end + 30, end + 40, 1);
	live_view_pull(v, l, UINT64_MAX, &err);
	compute(v, 1, end + 39, &r);
	check_say(r.samples == 10 * RATE && own_of(&r, "beta") == 1.0 && r.from_s == end + 30 && r.col_s == 1,
	          "reset: the session restarts at the next second, 1 s buckets");

	live_view_free(v);
	live_free(l);
	return check_done("test-live");
}
