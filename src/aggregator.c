/* aggregator.c — ring messages to the raw profile. See include/aggregator.h. */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aggregator.h"
#include "intern.h"
#include "proc.h"
#include "textout.h"

#define FLUSH_INTERVAL_NS 500000000ULL   /* a chunk at least twice a second */
#define SOURCE_MAX_BYTES  (1u << 20)     /* source text kept per file */
#define IDLE_SLEEP_MIN_NS 1000000L      /* an empty ring is looked at again after 1 ms ... */
#define IDLE_SLEEP_MAX_NS 250000000L    /* ... to 250 ms: a wake-up costs 30-60 us of CPU on
                                         * a VM, and at 100 Hz the ring holds seconds of the
                                         * deepest many-threaded target */
#define LIVE_SLEEP_MAX_NS 100000000L    /* with an observer (the live view): 100 ms */

struct code_def { uint32_t name, file; int32_t firstlineno; uint32_t version; };

/* A thread's last full sample as the sampler sent it, and the ids it
 * became: a MSG_REPEAT naming it (seq) costs no lookup at all, and a full
 * sample equal to it one memcmp. Valid while defs_epoch holds (no code or
 * type id was redefined since). Indexed as the sampler's (sampler.h). */
struct memo {
	uint64_t epoch;                  /* defs_epoch when filled; 0: empty */
	uint32_t slot, thread, stack, nframes, seq;
	int32_t pid, tid;
	struct msg_frame frames[SAMPLE_MEMO_FRAMES];
};

/* What the sampler's ids mean for one slot (one target process). */
struct slot_defs {
	pid_t pid;
	struct code_def *codes;          /* by the slot's code id */
	uint32_t *types;                 /* by the slot's type id: string id + 1 */
};

struct aggregator {
	struct sampler *s;
	struct prof_writer *w;
	struct aggregator_hook hook;     /* all NULL without an observer */
	pthread_t thread;
	int failed;
	struct ph_error err;
	struct intern strings, funcs, frames, stacks, threads, code_class;
	struct slot_defs slots[SAMPLER_MAX_TARGETS];
	uint32_t *stack_buf;             /* frame ids of the sample at hand */
	uint64_t defs_epoch;             /* bumped whenever a slot's code/type ids change meaning */
	struct memo *memo;               /* SAMPLE_MEMO_SLOTS */
	uint64_t errors_written, drops_written;
	char *path_buf;
};

static uint64_t mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ULL + (uint64_t)t.tv_nsec;
}

static void fail(struct aggregator *a, const char *what)
{
	if (!a->failed)
		ph_fail(&a->err, PH_ESYSTEM, "cannot write the profile: %s", what);
	a->failed = 1;
}

/* Read a source file of the target (through its root, so containers work). */
static void write_source(struct aggregator *a, pid_t pid, uint32_t file_id, const char *file)
{
	char path[4096 + 64];
	if (file[0] == '/')
		snprintf(path, sizeof path, "/proc/%d/root%s", (int)pid, file);
	else if (file[0] != '<')
		snprintf(path, sizeof path, "/proc/%d/cwd/%s", (int)pid, file);
	else
		return;   /* "<string>", "<frozen ...>": no file */
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return;
	char *text = malloc(SOURCE_MAX_BYTES);
	ssize_t n = text ? read(fd, text, SOURCE_MAX_BYTES) : -1;
	close(fd);
	if (n > 0 && prof_write_source(a->w, file_id, text, (size_t)n) < 0)
		fail(a, "source text");
	free(text);
}

static uint32_t string_id(struct aggregator *a, const char *s, size_t len)
{
	int created;
	uint32_t id = intern_bytes(&a->strings, s, len, &created);
	if (id == UINT32_MAX) {
		fail(a, "out of memory");
		return 0;
	}
	if (created) {
		char *z = malloc(len + 1);
		if (!z) {
			fail(a, "out of memory");
			return id;
		}
		memcpy(z, s, len);
		z[len] = '\0';
		if (prof_write_string(a->w, id, z) < 0)
			fail(a, "string");
		if (a->hook.string)
			a->hook.string(a->hook.ctx, id, z, len);
		free(z);
	}
	return id;
}

/* The slot's tables, allocated on first use. */
static struct slot_defs *slot_defs(struct aggregator *a, uint32_t slot)
{
	if (slot >= SAMPLER_MAX_TARGETS)
		return NULL;
	struct slot_defs *sd = &a->slots[slot];
	if (!sd->codes) {
		sd->codes = calloc(WALK_CODE_CAP, sizeof *sd->codes);
		sd->types = calloc(WALK_TYPE_CAP, sizeof *sd->types);
		if (!sd->codes || !sd->types) {
			free(sd->codes);
			free(sd->types);
			sd->codes = NULL;
			sd->types = NULL;
			fail(a, "out of memory");
			return NULL;
		}
	}
	return sd;
}

static void on_slot(struct aggregator *a, const struct msg_slot *m)
{
	struct slot_defs *sd = slot_defs(a, m->slot);
	if (!sd)
		return;
	/* a new process in this slot: the old one's ids mean nothing now */
	sd->pid = m->pid;
	a->defs_epoch++;
	memset(sd->codes, 0, WALK_CODE_CAP * sizeof *sd->codes);
	memset(sd->types, 0, WALK_TYPE_CAP * sizeof *sd->types);
}

static void on_code(struct aggregator *a, const struct msg_code *m)
{
	struct slot_defs *sd = slot_defs(a, m->slot);
	if (!sd || m->id >= WALK_CODE_CAP)
		return;
	struct code_def *d = &sd->codes[m->id];
	d->name = string_id(a, m->text, m->name_len);
	int created = 0;
	d->file = string_id(a, m->text + m->name_len, m->file_len);
	size_t flen;
	const char *f = intern_key(&a->strings, d->file, &flen);
	/* a file seen for the first time: store its source text once */
	uint32_t key[2] = { d->file, UINT32_MAX };
	intern_bytes(&a->code_class, key, sizeof key, &created);
	if (created && f) {
		char name[4096];
		size_t n = flen < sizeof name - 1 ? flen : sizeof name - 1;
		memcpy(name, f, n);
		name[n] = '\0';
		write_source(a, sd->pid, d->file, name);
	}
	d->firstlineno = m->firstlineno;
	d->version++;
	a->defs_epoch++;
}

static void on_type(struct aggregator *a, const struct msg_type *m)
{
	struct slot_defs *sd = slot_defs(a, m->slot);
	if (sd && m->id < WALK_TYPE_CAP) {
		sd->types[m->id] = string_id(a, m->text, m->len) + 1;
		a->defs_epoch++;
	}
}

/* The profile's function id for (code, class), defined on first use. */
static uint32_t func_id(struct aggregator *a, const struct slot_defs *sd, uint32_t code, uint32_t cls)
{
	const struct code_def *d = &sd->codes[code];
	uint32_t name = d->name;
	if (cls != CODE_NONE && cls < WALK_TYPE_CAP && sd->types[cls]) {
		size_t cl, nl;
		const char *c = intern_key(&a->strings, sd->types[cls] - 1, &cl);
		const char *n = intern_key(&a->strings, d->name, &nl);
		char buf[8192];
		if (c && n && cl + nl + 1 < sizeof buf) {
			memcpy(buf, c, cl);
			buf[cl] = '.';
			memcpy(buf + cl + 1, n, nl);
			name = string_id(a, buf, cl + 1 + nl);
		}
	}
	uint32_t key[3] = { name, d->file, (uint32_t)d->firstlineno };
	int created;
	uint32_t id = intern_bytes(&a->funcs, key, sizeof key, &created);
	if (created && prof_write_func(a->w, id, name, d->file, d->firstlineno) < 0)
		fail(a, "function");
	if (created && a->hook.func)
		a->hook.func(a->hook.ctx, id, name, d->file, d->firstlineno);
	return id;
}

static uint32_t thread_id(struct aggregator *a, int32_t pid, int32_t tid)
{
	int32_t key[2] = { pid, tid };
	int created;
	uint32_t id = intern_bytes(&a->threads, key, sizeof key, &created);
	if (created) {
		char comm[64] = "";
		proc_task_comm(pid, tid, comm, sizeof comm);
		uint32_t name = string_id(a, comm, strlen(comm));
		if (prof_write_thread(a->w, id, pid, tid, name) < 0)
			fail(a, "thread");
		if (a->hook.thread)
			a->hook.thread(a->hook.ctx, id, pid, tid, name);
	}
	return id;
}

static void emit_sample(struct aggregator *a, uint64_t t_ns, uint32_t flags, uint32_t th, uint32_t stack)
{
	if (prof_write_sample(a->w, t_ns, th, stack, flags) < 0)
		fail(a, "sample");
	if (a->hook.sample)
		a->hook.sample(a->hook.ctx, t_ns, th, stack, flags);
}

static void on_sample(struct aggregator *a, const struct msg_sample *m, uint32_t len)
{
	struct slot_defs *sd = slot_defs(a, m->slot);
	if (!sd || m->nframes > WALK_MAX_FRAMES ||
	    sizeof *m + (size_t)m->nframes * sizeof m->frames[0] > len)
		return;
	size_t fbytes = m->nframes * sizeof m->frames[0];
	struct memo *mo = &a->memo[sample_memo_index(m->slot, m->tid)];
	if (mo->epoch == a->defs_epoch && mo->slot == m->slot && mo->pid == m->pid && mo->tid == m->tid &&
	    mo->nframes == m->nframes && memcmp(mo->frames, m->frames, fbytes) == 0) {
		mo->seq = m->seq;
		emit_sample(a, m->t_ns, m->flags, mo->thread, mo->stack);
		return;
	}
	for (uint32_t i = 0; i < m->nframes; i++) {
		const struct msg_frame *f = &m->frames[i];
		if (f->code >= WALK_CODE_CAP || !sd->codes[f->code].version)
			return;   /* an id never announced: cannot happen unless the ring lied */
		uint32_t func = func_id(a, sd, f->code, f->cls);
		uint32_t key[2] = { func, (uint32_t)f->line };
		int created;
		uint32_t frame = intern_bytes(&a->frames, key, sizeof key, &created);
		if (created && prof_write_frame(a->w, frame, func, f->line) < 0)
			fail(a, "frame");
		if (created && a->hook.frame)
			a->hook.frame(a->hook.ctx, frame, func, f->line);
		a->stack_buf[i] = frame;
	}
	int created;
	uint32_t stack = intern_bytes(&a->stacks, a->stack_buf, m->nframes * sizeof(uint32_t), &created);
	if (created && prof_write_stack(a->w, stack, a->stack_buf, m->nframes) < 0)
		fail(a, "stack");
	if (created && a->hook.stack)
		a->hook.stack(a->hook.ctx, stack, a->stack_buf, m->nframes);
	uint32_t th = thread_id(a, m->pid, m->tid);
	if (m->nframes <= SAMPLE_MEMO_FRAMES) {
		mo->epoch = a->defs_epoch;
		mo->seq = m->seq;
		mo->slot = m->slot;
		mo->pid = m->pid;
		mo->tid = m->tid;
		mo->nframes = m->nframes;
		mo->thread = th;
		mo->stack = stack;
		memcpy(mo->frames, m->frames, fbytes);
	}
	emit_sample(a, m->t_ns, m->flags, th, stack);
}

static void on_repeat(struct aggregator *a, const struct msg_repeat *m)
{
	const struct memo *mo = &a->memo[sample_memo_index(m->slot, m->tid)];
	if (mo->epoch && mo->epoch == a->defs_epoch && mo->seq == m->seq && mo->slot == m->slot &&
	    mo->pid == m->pid && mo->tid == m->tid)
		emit_sample(a, m->t_ns, m->flags, mo->thread, mo->stack);
	else   /* the sample it repeats is not held: lost, as to a full ring */
		atomic_fetch_add_explicit(&a->s->c.drops, 1, memory_order_relaxed);
}

static void write_counts(struct aggregator *a)
{
	uint64_t errors = atomic_load(&a->s->c.errors), drops = atomic_load(&a->s->c.drops);
	if (errors != a->errors_written || drops != a->drops_written) {
		if (prof_write_counts(a->w, errors - a->errors_written, drops - a->drops_written) < 0)
			fail(a, "counts");
		a->errors_written = errors;
		a->drops_written = drops;
	}
	if (prof_writer_flush(a->w) < 0)
		fail(a, "flush");
	if (a->hook.flushed)
		a->hook.flushed(a->hook.ctx);
}

static void *aggregator_main(void *arg)
{
	struct aggregator *a = arg;
	uint64_t last_flush = mono_ns();
	int ended = 0;
	/* The nap adapts to the traffic: it doubles while each wake-up finds
	 * less than 1/8 of the ring, and halves when one finds more, so the
	 * ring never fills at high rates and idles cheaply at low ones. */
	long nap_ns = IDLE_SLEEP_MIN_NS;
	const long nap_max = a->hook.sample || a->hook.flushed ? LIVE_SLEEP_MAX_NS : IDLE_SLEEP_MAX_NS;
	uint64_t drained = 0;
	const uint64_t busy = a->s->ring->size / 8;
	while (!ended) {
		uint32_t len;
		const void *p = ring_peek(a->s->ring, &len);
		if (!p) {
			if (atomic_load(&a->s->done) && !ring_peek(a->s->ring, &len))
				break;
			if (drained > busy)
				nap_ns = nap_ns / 2 > IDLE_SLEEP_MIN_NS ? nap_ns / 2 : IDLE_SLEEP_MIN_NS;
			else
				nap_ns = nap_ns * 2 < nap_max ? nap_ns * 2 : nap_max;
			drained = 0;
			struct timespec ts = { 0, nap_ns };
			nanosleep(&ts, NULL);
		} else {
			drained += len;
			uint32_t kind;
			memcpy(&kind, p, sizeof kind);
			if (kind == MSG_CODE && len >= sizeof(struct msg_code) &&
			    len >= sizeof(struct msg_code) + ((const struct msg_code *)p)->name_len +
			               ((const struct msg_code *)p)->file_len)
				on_code(a, p);
			else if (kind == MSG_TYPE && len >= sizeof(struct msg_type) &&
			         len >= sizeof(struct msg_type) + ((const struct msg_type *)p)->len)
				on_type(a, p);
			else if (kind == MSG_SAMPLE && len >= sizeof(struct msg_sample))
				on_sample(a, p, len);
			else if (kind == MSG_REPEAT && len >= sizeof(struct msg_repeat))
				on_repeat(a, p);
			else if (kind == MSG_SLOT && len >= sizeof(struct msg_slot))
				on_slot(a, p);
			else if (kind == MSG_END)
				ended = 1;
			ring_release(a->s->ring);
		}
		if (mono_ns() - last_flush >= FLUSH_INTERVAL_NS) {
			write_counts(a);
			last_flush = mono_ns();
		}
	}
	write_counts(a);
	return NULL;
}

static void aggregator_free(struct aggregator *a)
{
	intern_free(&a->strings);
	intern_free(&a->funcs);
	intern_free(&a->frames);
	intern_free(&a->stacks);
	intern_free(&a->threads);
	intern_free(&a->code_class);
	for (int i = 0; i < SAMPLER_MAX_TARGETS; i++) {
		free(a->slots[i].codes);
		free(a->slots[i].types);
	}
	free(a->stack_buf);
	free(a->memo);
	free(a);
}

struct aggregator *aggregator_start(struct sampler *s, struct prof_writer *w, struct ph_error *err)
{
	return aggregator_start_hooked(s, w, NULL, err);
}

struct aggregator *aggregator_start_hooked(struct sampler *s, struct prof_writer *w,
                                           const struct aggregator_hook *hook, struct ph_error *err)
{
	struct aggregator *a = calloc(1, sizeof *a);
	if (!a) {
		ph_fail(err, PH_ESYSTEM, "out of memory");
		return NULL;
	}
	a->s = s;
	a->w = w;
	if (hook)
		a->hook = *hook;
	intern_init(&a->strings);
	intern_init(&a->funcs);
	intern_init(&a->frames);
	intern_init(&a->stacks);
	intern_init(&a->threads);
	intern_init(&a->code_class);
	a->stack_buf = calloc(WALK_MAX_FRAMES, sizeof *a->stack_buf);
	a->memo = calloc(SAMPLE_MEMO_SLOTS, sizeof *a->memo);
	a->defs_epoch = 1;
	if (!a->stack_buf || !a->memo) {
		aggregator_free(a);
		ph_fail(err, PH_ESYSTEM, "out of memory");
		return NULL;
	}
	int rc = pthread_create(&a->thread, NULL, aggregator_main, a);
	if (rc) {
		aggregator_free(a);
		ph_fail(err, PH_ESYSTEM, "cannot start the aggregator thread: %s", strerror(rc));
		return NULL;
	}
	return a;
}

int aggregator_finish(struct aggregator *a, struct ph_error *err)
{
	pthread_join(a->thread, NULL);
	int rc = 0;
	if (a->failed) {
		if (err)
			*err = a->err;
		rc = -1;
	}
	aggregator_free(a);
	return rc;
}
