/* sampler.c — the sampling thread. See include/sampler.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "profile.h"
#include "sampler.h"

#define NS 1000000000ULL

const char *sample_mode_name(enum sample_mode m)
{
	return m == MODE_WALL ? "wall" : m == MODE_GIL ? "gil" : "cpu";
}

int sample_mode_parse(const char *s, enum sample_mode *out)
{
	if (!strcmp(s, "cpu"))
		*out = MODE_CPU;
	else if (!strcmp(s, "wall"))
		*out = MODE_WALL;
	else if (!strcmp(s, "gil"))
		*out = MODE_GIL;
	else
		return -1;
	return 0;
}

static uint64_t ts_ns(const struct timespec *t)
{
	return (uint64_t)t->tv_sec * NS + (uint64_t)t->tv_nsec;
}

static struct timespec ns_ts(uint64_t ns)
{
	struct timespec t = { (time_t)(ns / NS), (long)(ns % NS) };
	return t;
}

/* Tell the consumer what code id `id` means, once per cache generation. */
static int announce_code(struct sampler *s, uint32_t id)
{
	if (s->announced_code[id])
		return 0;
	const struct code_info *ci = walker_code(s->walker, id);
	size_t nl = strlen(ci->name), fl = strlen(ci->file);
	if (nl > UINT16_MAX)
		nl = UINT16_MAX;
	if (fl > UINT16_MAX)
		fl = UINT16_MAX;
	struct msg_code *m = ring_reserve(s->ring, (uint32_t)(sizeof *m + nl + fl));
	if (!m)
		return -1;
	m->kind = MSG_CODE;
	m->id = id;
	m->firstlineno = ci->firstlineno;
	m->name_len = (uint16_t)nl;
	m->file_len = (uint16_t)fl;
	memcpy(m->text, ci->name, nl);
	memcpy(m->text + nl, ci->file, fl);
	ring_commit(s->ring);
	s->announced_code[id] = 1;
	return 0;
}

static int announce_type(struct sampler *s, uint32_t id)
{
	if (s->announced_type[id])
		return 0;
	const char *name = walker_type_name(s->walker, id);
	size_t len = strlen(name);
	struct msg_type *m = ring_reserve(s->ring, (uint32_t)(sizeof *m + len));
	if (!m)
		return -1;
	m->kind = MSG_TYPE;
	m->id = id;
	m->len = (uint32_t)len;
	memcpy(m->text, name, len);
	ring_commit(s->ring);
	s->announced_type[id] = 1;
	return 0;
}

static int wanted(const struct sampler *s, const struct thread_info *th)
{
	switch (s->mode) {
	case MODE_CPU: return (th->flags & THREAD_RUNNING) != 0;
	case MODE_GIL: return (th->flags & THREAD_HOLDS_GIL) != 0;
	default: return 1;
	}
}

static void push_sample(struct sampler *s, const struct thread_info *th, int depth, int truncated,
                        uint64_t t)
{
	for (int i = 0; i < depth; i++) {
		if (announce_code(s, s->frames[i].code) < 0 ||
		    (s->frames[i].class_name != CODE_NONE && announce_type(s, s->frames[i].class_name) < 0)) {
			atomic_fetch_add_explicit(&s->c.drops, 1, memory_order_relaxed);
			return;
		}
	}
	uint32_t len = (uint32_t)(sizeof(struct msg_sample) + (size_t)depth * sizeof(struct msg_frame));
	struct msg_sample *m = ring_reserve(s->ring, len);
	if (!m) {
		atomic_fetch_add_explicit(&s->c.drops, 1, memory_order_relaxed);
		return;
	}
	m->kind = MSG_SAMPLE;
	m->flags = (th->flags & THREAD_RUNNING ? PROF_RUNNING : 0) |
	           (th->flags & THREAD_HOLDS_GIL ? PROF_HOLDS_GIL : 0) |
	           (th->flags & THREAD_ATTACHED ? PROF_ATTACHED : 0) | (truncated ? PROF_TRUNCATED : 0);
	m->t_ns = t;
	m->pid = s->target->pid;
	m->tid = th->tid;
	m->nframes = (uint32_t)depth;
	m->pad = 0;
	for (int i = 0; i < depth; i++) {
		m->frames[i].code = s->frames[i].code;
		m->frames[i].cls = s->frames[i].class_name;
		m->frames[i].line = s->frames[i].line;
	}
	ring_commit(s->ring);
	atomic_fetch_add_explicit(&s->c.samples, 1, memory_order_relaxed);
}

/* One tick: every thread of the target. Returns 0, or the exit code that
 * ends the recording (the target is gone). */
static int sample_once(struct sampler *s, uint64_t t)
{
	struct ph_error err;
	int n = walker_threads(s->walker, s->threads, WALK_MAX_THREADS, &err);
	if (n < 0) {
		if (err.code == PH_EEXITED)
			return PH_EEXITED;
		atomic_fetch_add_explicit(&s->c.errors, 1, memory_order_relaxed);
		return 0;
	}
	if (walker_generation(s->walker) != s->generation) {
		/* the walker flushed its caches: every id must be announced again */
		s->generation = walker_generation(s->walker);
		memset(s->announced_code, 0, WALK_CODE_CAP);
		memset(s->announced_type, 0, WALK_TYPE_CAP);
	}
	for (int i = 0; i < n; i++) {
		const struct thread_info *th = &s->threads[i];
		if (!wanted(s, th))
			continue;
		int truncated;
		int depth = walker_stack(s->walker, th, s->frames, WALK_MAX_FRAMES, &truncated);
		if (depth < 0) {
			atomic_fetch_add_explicit(&s->c.errors, 1, memory_order_relaxed);
			continue;
		}
		if (walker_generation(s->walker) != s->generation) {
			/* flushed while resolving this very stack: its ids are fresh,
			 * the announcements are not */
			s->generation = walker_generation(s->walker);
			memset(s->announced_code, 0, WALK_CODE_CAP);
			memset(s->announced_type, 0, WALK_TYPE_CAP);
		}
		push_sample(s, th, depth, truncated, t);
	}
	return 0;
}

static void *sampler_main(void *arg)
{
	struct sampler *s = arg;
	const uint64_t period = NS / s->rate_hz;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	const uint64_t start = ts_ns(&s->start);
	uint64_t deadline = start;
	int reason = PH_OK;
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		uint64_t t = ts_ns(&now) - start;
		if (s->duration_ns && t >= s->duration_ns)
			break;
		atomic_fetch_add_explicit(&s->c.ticks, 1, memory_order_relaxed);
		reason = sample_once(s, t);
		if (reason)
			break;
		/* the next deadline on the grid; a sample that overran skips ticks
		 * (counted) rather than bunching samples up */
		deadline += period;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (ts_ns(&now) > deadline) {
			uint64_t behind = (ts_ns(&now) - deadline) / period + 1;
			atomic_fetch_add_explicit(&s->c.late, behind, memory_order_relaxed);
			deadline += behind * period;
		}
		struct timespec d = ns_ts(deadline);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL) == EINTR)
			;
	}
	s->end_reason = reason;
	for (int tries = 0; tries < 1000; tries++) {
		struct msg_end *m = ring_reserve(s->ring, sizeof *m);
		if (m) {
			m->kind = MSG_END;
			m->reason = reason;
			ring_commit(s->ring);
			break;
		}
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	atomic_store(&s->done, 1);
	return NULL;
}

int sampler_start(struct sampler *s, struct target *t, struct ring *ring, uint32_t rate_hz,
                  enum sample_mode mode, uint64_t duration_ns, struct ph_error *err)
{
	memset(s, 0, sizeof *s);
	s->target = t;
	s->ring = ring;
	s->rate_hz = rate_hz ? rate_hz : 100;
	s->mode = mode;
	s->duration_ns = duration_ns;
	s->walker = walker_new(t, err);
	if (!s->walker)
		return -1;
	walker_want_os_state(s->walker, mode != MODE_WALL);
	s->announced_code = calloc(WALK_CODE_CAP, 1);
	s->announced_type = calloc(WALK_TYPE_CAP, 1);
	s->threads = calloc(WALK_MAX_THREADS, sizeof *s->threads);
	s->frames = calloc(WALK_MAX_FRAMES, sizeof *s->frames);
	if (!s->announced_code || !s->announced_type || !s->threads || !s->frames) {
		sampler_join(s);
		return ph_fail(err, PH_ESYSTEM, "out of memory");
	}
	int rc = pthread_create(&s->thread, NULL, sampler_main, s);
	if (rc) {
		s->thread = 0;
		sampler_join(s);
		return ph_fail(err, PH_ESYSTEM, "cannot start the sampling thread: %s", strerror(rc));
	}
	return 0;
}

void sampler_request_stop(struct sampler *s)
{
	atomic_store(&s->stop, 1);
}

void sampler_join(struct sampler *s)
{
	if (s->thread)
		pthread_join(s->thread, NULL);
	s->thread = 0;
	walker_free(s->walker);
	s->walker = NULL;
	free(s->announced_code);
	free(s->announced_type);
	free(s->threads);
	free(s->frames);
	s->announced_code = s->announced_type = NULL;
	s->threads = NULL;
	s->frames = NULL;
}
