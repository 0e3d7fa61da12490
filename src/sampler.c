/* sampler.c — the sampling thread, and the watcher that finds child
 * processes for --subprocesses. See include/sampler.h.
 *
 * Slots hand targets from the watcher to the sampler without locks: the
 * watcher fills a FREE slot and publishes it READY; the sampler takes it
 * (ACTIVE), announces it to the aggregator (MSG_SLOT), samples it, and marks
 * it DEAD when the process is gone; the watcher then frees it (FREE). Each
 * transition has one writer, so a release store / acquire load per slot is
 * the whole protocol. Attaching (slow: /proc, ELF) happens on the watcher
 * thread, never on the sampler's. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "pause.h"
#include "proc.h"
#include "profile.h"
#include "sampler.h"

#define NS 1000000000ULL
#define WATCH_INTERVAL_NS   5000000L   /* look for new children every 5 ms */
#define ATTACH_PATIENCE_NS  2000000000ULL  /* a child not Python after 2 s is ignored */
#define SEEN_MAX            4096       /* children remembered (not re-examined) */
#define POLL_SLICE_NS       2000000ULL /* --blocking: pass signals on at least this often */
#define NO_SLEEP_NS         50000ULL   /* closer to a deadline than this: no sleep */

enum slot_state { SLOT_FREE, SLOT_READY, SLOT_ACTIVE, SLOT_DEAD };

/* A thread's last full sample (MSG_SAMPLE), for sending MSG_REPEAT. */
struct sample_memo {
	uint64_t epoch;            /* announce_epoch when sent */
	uint32_t seq;              /* 0: empty */
	uint32_t slot, nframes;
	int32_t pid, tid;
	struct msg_frame frames[SAMPLE_MEMO_FRAMES];
};

struct sampler_slot {
	_Atomic int state;
	struct target *target;
	int owns_target;               /* the watcher attached it (not the caller's) */
	struct walker *walker;
	uint64_t generation;
	uint8_t *announced_code, *announced_type;
	struct pauser *pauser;         /* --blocking, opened by the sampler thread */
};

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

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return ts_ns(&t);
}

static struct timespec ns_ts(uint64_t ns)
{
	struct timespec t = { (time_t)(ns / NS), (long)(ns % NS) };
	return t;
}

/* ---- announcing ids ------------------------------------------------------- */

static int announce_code(struct sampler *s, uint32_t slot, struct sampler_slot *sl, uint32_t id)
{
	if (sl->announced_code[id])
		return 0;
	const struct code_info *ci = walker_code(sl->walker, id);
	size_t nl = strlen(ci->name), fl = strlen(ci->file);
	if (nl > UINT16_MAX)
		nl = UINT16_MAX;
	if (fl > UINT16_MAX)
		fl = UINT16_MAX;
	struct msg_code *m = ring_reserve(s->ring, (uint32_t)(sizeof *m + nl + fl));
	if (!m)
		return -1;
	m->kind = MSG_CODE;
	m->slot = slot;
	m->id = id;
	m->firstlineno = ci->firstlineno;
	m->name_len = (uint16_t)nl;
	m->file_len = (uint16_t)fl;
	memcpy(m->text, ci->name, nl);
	memcpy(m->text + nl, ci->file, fl);
	ring_commit(s->ring);
	s->announce_epoch++;
	sl->announced_code[id] = 1;
	return 0;
}

static int announce_type(struct sampler *s, uint32_t slot, struct sampler_slot *sl, uint32_t id)
{
	if (sl->announced_type[id])
		return 0;
	const char *name = walker_type_name(sl->walker, id);
	size_t len = strlen(name);
	struct msg_type *m = ring_reserve(s->ring, (uint32_t)(sizeof *m + len));
	if (!m)
		return -1;
	m->kind = MSG_TYPE;
	m->slot = slot;
	m->id = id;
	m->len = (uint32_t)len;
	memcpy(m->text, name, len);
	ring_commit(s->ring);
	s->announce_epoch++;
	sl->announced_type[id] = 1;
	return 0;
}

/* A flushed walker cache voids every id: announce them again (and repeat
 * nothing sent before). */
static void check_generation(struct sampler *s, struct sampler_slot *sl)
{
	if (walker_generation(sl->walker) != sl->generation) {
		s->announce_epoch++;
		sl->generation = walker_generation(sl->walker);
		memset(sl->announced_code, 0, WALK_CODE_CAP);
		memset(sl->announced_type, 0, WALK_TYPE_CAP);
	}
}

/* ---- sampling --------------------------------------------------------------- */

static int wanted(const struct sampler *s, const struct thread_info *th)
{
	switch (s->o.mode) {
	case MODE_CPU: return (th->flags & THREAD_RUNNING) != 0;
	case MODE_GIL: return (th->flags & THREAD_HOLDS_GIL) != 0;
	default: return 1;
	}
}

static uint32_t sample_flags(const struct thread_info *th, int truncated)
{
	return (th->flags & THREAD_RUNNING ? PROF_RUNNING : 0) |
	       (th->flags & THREAD_HOLDS_GIL ? PROF_HOLDS_GIL : 0) |
	       (th->flags & THREAD_ATTACHED ? PROF_ATTACHED : 0) | (truncated ? PROF_TRUNCATED : 0);
}

/* The stack in s->frames is the one `mo` holds. */
static int same_stack(const struct sampler *s, const struct sample_memo *mo, int depth)
{
	for (int i = 0; i < depth; i++) {
		const struct frame_ref *f = &s->frames[i];
		const struct msg_frame *g = &mo->frames[i];
		if (f->code != g->code || f->class_name != g->cls || f->line != g->line)
			return 0;
	}
	return 1;
}

static void push_sample(struct sampler *s, uint32_t slot, struct sampler_slot *sl,
                        const struct thread_info *th, int depth, int truncated, uint64_t t)
{
	pid_t pid = sl->target->pid;
	struct sample_memo *mo = &s->memo[sample_memo_index(slot, th->tid)];
	if (mo->seq && mo->epoch == s->announce_epoch && mo->slot == slot && mo->pid == pid &&
	    mo->tid == th->tid && mo->nframes == (uint32_t)depth && same_stack(s, mo, depth)) {
		struct msg_repeat *r = ring_reserve(s->ring, sizeof *r);
		if (!r) {
			atomic_fetch_add_explicit(&s->c.drops, 1, memory_order_relaxed);
			return;
		}
		r->kind = MSG_REPEAT;
		r->slot = slot;
		r->flags = sample_flags(th, truncated);
		r->pid = pid;
		r->tid = th->tid;
		r->seq = mo->seq;
		r->t_ns = t;
		ring_commit(s->ring);
		atomic_fetch_add_explicit(&s->c.samples, 1, memory_order_relaxed);
		return;
	}
	for (int i = 0; i < depth; i++) {
		if (announce_code(s, slot, sl, s->frames[i].code) < 0 ||
		    (s->frames[i].class_name != CODE_NONE &&
		     announce_type(s, slot, sl, s->frames[i].class_name) < 0)) {
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
	m->slot = slot;
	m->flags = sample_flags(th, truncated);
	m->t_ns = t;
	m->pid = pid;
	m->tid = th->tid;
	m->nframes = (uint32_t)depth;
	if (++s->seq == 0)
		s->seq = 1;   /* 0 marks an empty memo entry */
	m->seq = s->seq;
	m->pad = 0;
	for (int i = 0; i < depth; i++) {
		m->frames[i].code = s->frames[i].code;
		m->frames[i].cls = s->frames[i].class_name;
		m->frames[i].line = s->frames[i].line;
	}
	if (depth <= SAMPLE_MEMO_FRAMES) {
		mo->epoch = s->announce_epoch;
		mo->seq = m->seq;
		mo->slot = slot;
		mo->pid = pid;
		mo->tid = th->tid;
		mo->nframes = (uint32_t)depth;
		memcpy(mo->frames, m->frames, (size_t)depth * sizeof m->frames[0]);
	}
	ring_commit(s->ring);
	atomic_fetch_add_explicit(&s->c.samples, 1, memory_order_relaxed);
}

/* One process at one tick. Returns 0, or PH_EEXITED when it is gone. */
static int sample_slot(struct sampler *s, uint32_t slot, struct sampler_slot *sl, uint64_t t)
{
	struct ph_error err;
	if (sl->pauser && pause_stop_all(sl->pauser, &err) < 0) {
		if (err.code == PH_EEXITED)
			return PH_EEXITED;
		atomic_fetch_add_explicit(&s->c.errors, 1, memory_order_relaxed);
		return 0;
	}
	int n = walker_threads(sl->walker, s->threads, WALK_MAX_THREADS, &err);
	if (n < 0) {
		if (sl->pauser)
			pause_resume_all(sl->pauser);
		if (err.code == PH_EEXITED)
			return PH_EEXITED;
		atomic_fetch_add_explicit(&s->c.errors, 1, memory_order_relaxed);
		return 0;
	}
	if (sl->pauser)
		pause_fix_os_state(sl->pauser, s->threads, n);
	check_generation(s, sl);
	for (int i = 0; i < n; i++) {
		const struct thread_info *th = &s->threads[i];
		if (!wanted(s, th))
			continue;
		int truncated;
		int depth = walker_stack(sl->walker, th, s->frames, WALK_MAX_FRAMES, &truncated);
		if (depth < 0) {
			atomic_fetch_add_explicit(&s->c.errors, 1, memory_order_relaxed);
			continue;
		}
		check_generation(s, sl);   /* flushed while resolving this very stack */
		push_sample(s, slot, sl, th, depth, truncated, t);
	}
	if (sl->pauser && pause_resume_all(sl->pauser) < 0)
		return PH_EEXITED;
	return 0;
}

/* A READY slot becomes ACTIVE on the sampler thread: ptrace needs the
 * tracer thread to be the one that attached. */
static int activate(struct sampler *s, uint32_t slot, struct sampler_slot *sl)
{
	if (s->o.blocking) {
		sl->pauser = calloc(1, sizeof *sl->pauser);
		struct ph_error err;
		if (!sl->pauser ||
		    pause_open(sl->pauser, sl->target->pid,
		               s->o.mode == MODE_CPU || s->o.os_state ? PAUSE_OS_STATE : 0,
		               &err) < 0) {
			free(sl->pauser);
			sl->pauser = NULL;
			if (slot == 0)
				s->error = err;
			return -1;
		}
		/* the pauser reads each thread's state just before stopping it
		 * (the walker would only see 't'): one read, not two */
		walker_want_os_state(sl->walker, 0);
	}
	struct msg_slot *m;
	while (!(m = ring_reserve(s->ring, sizeof *m))) {
		struct timespec ms = { 0, 1000000 };
		nanosleep(&ms, NULL);
	}
	m->kind = MSG_SLOT;
	m->slot = slot;
	m->pid = sl->target->pid;
	m->pad = 0;
	ring_commit(s->ring);
	s->announce_epoch++;
	atomic_fetch_add(&s->c.processes, 1);
	atomic_store_explicit(&sl->state, SLOT_ACTIVE, memory_order_release);
	return 0;
}

static void retire(struct sampler *s, uint32_t slot, struct sampler_slot *sl)
{
	if (sl->pauser) {
		if (slot == 0 && sl->pauser->exit_status >= 0)
			s->root_exit_status = sl->pauser->exit_status;
		pause_close(sl->pauser);
		free(sl->pauser);
		sl->pauser = NULL;
	}
	atomic_store_explicit(&sl->state, SLOT_DEAD, memory_order_release);
}

/* Sleep until deadline; with --blocking, wake every POLL_SLICE_NS to pass
 * on signals that reached the traced threads. */
static void sleep_until(struct sampler *s, uint64_t deadline)
{
	/* a wake-up costs a context switch (tens of us): closer than this to the
	 * deadline, or past it, sample at once */
	if (mono_ns() + NO_SLEEP_NS >= deadline)
		return;
	for (;;) {
		uint64_t until = deadline;
		if (s->o.blocking) {
			uint64_t now = mono_ns();
			if (now + POLL_SLICE_NS < deadline)
				until = now + POLL_SLICE_NS;
		}
		struct timespec d = ns_ts(until);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL) == EINTR)
			;
		if (until >= deadline)
			return;
		for (uint32_t i = 0; i < SAMPLER_MAX_TARGETS; i++) {
			struct sampler_slot *sl = &s->slots[i];
			if (atomic_load_explicit(&sl->state, memory_order_acquire) == SLOT_ACTIVE && sl->pauser)
				pause_poll(sl->pauser);
		}
	}
}

static void *sampler_main(void *arg)
{
	struct sampler *s = arg;
	const uint64_t period = NS / s->o.rate_hz;
	/* wake on time: the default 50 us timer slack is a whole period at 20 kHz */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
	clock_gettime(CLOCK_MONOTONIC, &s->start);
	const uint64_t start = ts_ns(&s->start);
	uint64_t deadline = start;
	int reason = PH_OK;
	while (!atomic_load_explicit(&s->stop, memory_order_relaxed)) {
		uint64_t t = mono_ns() - start;
		if (s->o.duration_ns && t >= s->o.duration_ns)
			break;
		atomic_fetch_add_explicit(&s->c.ticks, 1, memory_order_relaxed);
		int active = 0;
		for (uint32_t i = 0; i < SAMPLER_MAX_TARGETS; i++) {
			struct sampler_slot *sl = &s->slots[i];
			int st = atomic_load_explicit(&sl->state, memory_order_acquire);
			if (st == SLOT_READY && activate(s, i, sl) < 0) {
				retire(s, i, sl);
				if (i == 0) {
					reason = s->error.code ? s->error.code : PH_ESYSTEM;
					goto out;
				}
				continue;
			}
			if (atomic_load_explicit(&sl->state, memory_order_relaxed) != SLOT_ACTIVE)
				continue;
			if (sample_slot(s, i, sl, t) == PH_EEXITED)
				retire(s, i, sl);
			else
				active++;
		}
		/* the recording ends when the root is gone and no child is left */
		if (!active && atomic_load_explicit(&s->slots[0].state, memory_order_acquire) == SLOT_DEAD) {
			reason = PH_EEXITED;
			break;
		}
		/* the next deadline on the grid; a sample that overran skips ticks
		 * (counted) rather than bunching samples up */
		deadline += period;
		uint64_t now = mono_ns();
		if (now > deadline) {
			uint64_t behind = (now - deadline) / period + 1;
			atomic_fetch_add_explicit(&s->c.late, behind, memory_order_relaxed);
			deadline += behind * period;
		}
		sleep_until(s, deadline);
	}
out:
	for (uint32_t i = 0; i < SAMPLER_MAX_TARGETS; i++)
		if (atomic_load(&s->slots[i].state) == SLOT_ACTIVE)
			retire(s, i, &s->slots[i]);   /* detaches --blocking tracees now */
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
	sem_post(&s->done_sem);
	return NULL;
}

/* ---- slots and the watcher ------------------------------------------------- */

static void slot_release(struct sampler_slot *sl)
{
	walker_free(sl->walker);
	sl->walker = NULL;
	if (sl->owns_target && sl->target) {
		target_detach(sl->target);
		free(sl->target);
	} else if (sl->target) {
		target_detach(sl->target);
	}
	sl->target = NULL;
	free(sl->announced_code);
	free(sl->announced_type);
	sl->announced_code = sl->announced_type = NULL;
}

/* Fill a free slot (from `first`: slot 0 is the root's alone) with an
 * attached target; publish it READY. */
static int slot_fill(struct sampler *s, struct target *t, int owns, uint32_t first,
                     struct ph_error *err)
{
	for (uint32_t i = first; i < SAMPLER_MAX_TARGETS; i++) {
		struct sampler_slot *sl = &s->slots[i];
		int st = atomic_load_explicit(&sl->state, memory_order_acquire);
		if (st == SLOT_DEAD) {
			slot_release(sl);
			atomic_store_explicit(&sl->state, SLOT_FREE, memory_order_relaxed);
			st = SLOT_FREE;
		}
		if (st != SLOT_FREE)
			continue;
		sl->walker = walker_new(t, err);
		sl->announced_code = calloc(WALK_CODE_CAP, 1);
		sl->announced_type = calloc(WALK_TYPE_CAP, 1);
		if (!sl->walker || !sl->announced_code || !sl->announced_type) {
			int had_walker = sl->walker != NULL;
			walker_free(sl->walker);
			free(sl->announced_code);
			free(sl->announced_type);
			sl->walker = NULL;
			sl->announced_code = sl->announced_type = NULL;
			return had_walker ? ph_fail(err, PH_ESYSTEM, "out of memory") : -1;
		}
		walker_want_os_state(sl->walker, s->o.mode != MODE_WALL || s->o.os_state);
		sl->target = t;
		sl->owns_target = owns;
		sl->generation = walker_generation(sl->walker);
		atomic_store_explicit(&sl->state, SLOT_READY, memory_order_release);
		return 0;
	}
	atomic_fetch_add(&s->c.skipped, 1);
	return ph_fail(err, PH_ESYSTEM, "every sampling slot is busy");
}

struct seen { pid_t pid; uint64_t first_ns; int done; };

/* Append the children of every thread of pid to out (bounded). */
static int list_children(pid_t pid, pid_t *out, int n, int cap)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return n;
	struct dirent *de;
	while ((de = readdir(d)) && n < cap) {
		if (de->d_name[0] == '.')
			continue;
		char cpath[320], buf[4096];
		snprintf(cpath, sizeof cpath, "/proc/%d/task/%s/children", (int)pid, de->d_name);
		FILE *f = fopen(cpath, "re");
		if (!f)
			continue;
		size_t len = fread(buf, 1, sizeof buf - 1, f);
		fclose(f);
		buf[len] = '\0';
		for (char *p = buf, *end; n < cap; p = end) {
			long v = strtol(p, &end, 10);
			if (end == p)
				break;
			out[n++] = (pid_t)v;
		}
	}
	closedir(d);
	return n;
}

static void *watcher_main(void *arg)
{
	struct sampler *s = arg;
	struct seen *seen = calloc(SEEN_MAX, sizeof *seen);
	pid_t *tree = malloc(SEEN_MAX * sizeof *tree);
	int nseen = 0;
	while (seen && tree && !atomic_load(&s->done)) {
		/* every descendant of the root: breadth first over the children
		 * files (grandchildren of a forkserver included) */
		int n = list_children(s->root_pid, tree, 0, SEEN_MAX);
		for (int i = 0; i < n && n < SEEN_MAX; i++)
			n = list_children(tree[i], tree, n, SEEN_MAX);
		uint64_t now = mono_ns();
		for (int i = 0; i < n; i++) {
			int k;
			for (k = 0; k < nseen && seen[k].pid != tree[i]; k++)
				;
			if (k == nseen) {
				if (nseen == SEEN_MAX)
					continue;
				seen[nseen].pid = tree[i];
				seen[nseen].first_ns = now;
				seen[nseen].done = 0;
				nseen++;
			}
			if (seen[k].done)
				continue;
			struct target *t = malloc(sizeof *t);
			struct ph_error err;
			if (t && target_attach(t, tree[i], &err) == 0) {
				seen[k].done = 1;
				if (slot_fill(s, t, 1, 1, &err) < 0) {
					target_detach(t);
					free(t);
				}
				continue;
			}
			free(t);
			/* not Python (yet: a fork about to exec, an interpreter still
			 * starting); give up after a while, or when it is gone */
			if (err.code == PH_ENOPROC || err.code == PH_EEXITED || err.code == PH_EPERM ||
			    now - seen[k].first_ns > ATTACH_PATIENCE_NS)
				seen[k].done = 1;
		}
		/* free the slots of processes that ended */
		for (uint32_t i = 1; i < SAMPLER_MAX_TARGETS; i++) {
			struct sampler_slot *sl = &s->slots[i];
			if (atomic_load_explicit(&sl->state, memory_order_acquire) == SLOT_DEAD) {
				slot_release(sl);
				atomic_store_explicit(&sl->state, SLOT_FREE, memory_order_release);
			}
		}
		struct timespec ts = { 0, WATCH_INTERVAL_NS };
		nanosleep(&ts, NULL);
	}
	free(seen);
	free(tree);
	return NULL;
}

size_t sampler_ring_bytes(uint32_t rate_hz)
{
	return rate_hz <= 1000 ? (size_t)4 << 20 : (size_t)16 << 20;
}

int sampler_start(struct sampler *s, struct target *t, struct ring *ring,
                  const struct sampler_options *o, struct ph_error *err)
{
	memset(s, 0, sizeof *s);
	s->done_sem_ready = sem_init(&s->done_sem, 0, 0) == 0;
	s->ring = ring;
	s->o = *o;
	if (!s->o.rate_hz)
		s->o.rate_hz = 100;
	s->root_pid = t->pid;
	s->root_exit_status = -1;
	s->slots = calloc(SAMPLER_MAX_TARGETS, sizeof *s->slots);
	s->threads = calloc(WALK_MAX_THREADS, sizeof *s->threads);
	s->frames = calloc(WALK_MAX_FRAMES, sizeof *s->frames);
	s->memo = calloc(SAMPLE_MEMO_SLOTS, sizeof *s->memo);
	if (!s->slots || !s->threads || !s->frames || !s->memo) {
		sampler_join(s);
		return ph_fail(err, PH_ESYSTEM, "out of memory");
	}
	if (slot_fill(s, t, 0, 0, err) < 0) {
		s->slots[0].target = NULL;
		sampler_join(s);
		return -1;
	}
	int rc = pthread_create(&s->thread, NULL, sampler_main, s);
	if (rc) {
		s->thread = 0;
		sampler_join(s);
		return ph_fail(err, PH_ESYSTEM, "cannot start the sampling thread: %s", strerror(rc));
	}
	if (o->subprocesses && (rc = pthread_create(&s->watcher, NULL, watcher_main, s)) != 0)
		s->watcher = 0;   /* sampling goes on with the root alone */
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
	if (s->watcher)
		pthread_join(s->watcher, NULL);
	s->watcher = 0;
	for (uint32_t i = 0; s->slots && i < SAMPLER_MAX_TARGETS; i++)
		slot_release(&s->slots[i]);
	free(s->slots);
	free(s->threads);
	free(s->frames);
	free(s->memo);
	s->memo = NULL;
	s->slots = NULL;
	s->threads = NULL;
	s->frames = NULL;
	if (s->done_sem_ready)
		sem_destroy(&s->done_sem);
	s->done_sem_ready = 0;
}
