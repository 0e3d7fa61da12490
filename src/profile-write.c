/* profile-write.c — the raw profile's streaming writer (see include/profile.h
 * and docs/FORMAT.md, which this file implements).
 *
 * Records are appended to a chunk buffer; samples go to a separate run
 * buffer that becomes one SAMPLES record when something else is written or
 * the chunk is flushed. Both buffers grow by doubling and are reused, so a
 * sample costs no allocation. The writer keeps a bit per defined id, so it
 * refuses (returns -1, writes nothing) a duplicate definition or a reference
 * to an undefined id: whatever it writes, the reader accepts. I/O errors are
 * sticky: every later call returns -1 and prof_writer_close() reports the
 * first one. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"
#include "profile-format.h"

/* ---- the writer's own limits (the shared ones: profile-format.h) --------- */
#define META_STR_MAX      (1u << 20)     /* longer meta strings are cut */
#define T_NS_MAX          ((uint64_t)1 << 62)
#define CHUNK_SOFT_MAX    (1u << 20)     /* flush by itself past this */
#define TEXT_MAX          ((size_t)1 << 28)  /* a string or source text (a chunk stays < 4 GiB) */

#define NONE UINT32_MAX

/* ---- encoding --------------------------------------------------------------- */
static uint8_t *put_varint(uint8_t *p, uint64_t v)
{
	while (v >= 0x80) {
		*p++ = (uint8_t)(v | 0x80);
		v >>= 7;
	}
	*p++ = (uint8_t)v;
	return p;
}

static size_t varint_len(uint64_t v)
{
	size_t n = 1;
	while (v >= 0x80) {
		v >>= 7;
		n++;
	}
	return n;
}

static uint64_t zigzag(int64_t v)
{
	return v < 0 ? ~((uint64_t)v << 1) : (uint64_t)v << 1;
}

/* ---- the writer ----------------------------------------------------------- */
struct bits { uint8_t *b; size_t n; /* bytes */ };

struct wthread {
	uint64_t tick;
	uint32_t stack, flags, next, epoch;   /* valid when epoch == w->epoch */
	int defined;
};

struct prof_writer {
	int fd;
	char *path;
	uint64_t tick_ns;
	uint32_t crc[256];

	uint8_t *chunk; size_t clen, ccap;    /* CHUNK_HDR bytes reserved at the front */
	uint8_t *run; size_t rlen, rcap;      /* the open SAMPLES record's codes */
	uint64_t run_count, run_max_us;

	struct wthread *th; uint32_t nth;     /* indexed by thread id */
	struct bits strings, funcs, frames, stacks, sources;

	/* per-chunk sample state */
	uint32_t epoch, last_thread;
	uint64_t last_tick;
	int64_t last_jitter;
	/* the previous STACK record of this chunk (shared outer frames) */
	uint32_t *prev_frames; uint32_t prev_n, prev_cap; int have_prev;
	uint64_t total_frames;                /* of all stacks */

	uint64_t file_off;                    /* bytes written so far */
	uint64_t nsamples, errors, drops, chunk_errors, chunk_drops;
	int failed;
	struct ph_error err;
};

static int wfail(struct prof_writer *w, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Remember the first I/O or memory error; every later call fails. */
static int wfail(struct prof_writer *w, int code, const char *fmt, ...)
{
	if (!w->failed) {
		char msg[256];
		va_list ap;
		va_start(ap, fmt);
		if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
			msg[0] = '\0';
		va_end(ap);
		ph_fail(&w->err, code, "%s", msg);
		w->failed = 1;
	}
	return -1;
}

static int bits_test(const struct bits *b, uint32_t id)
{
	return (size_t)(id >> 3) < b->n && (b->b[id >> 3] >> (id & 7) & 1);
}

static int bits_set(struct prof_writer *w, struct bits *b, uint32_t id)
{
	size_t need = (size_t)(id >> 3) + 1;
	if (need > b->n) {
		size_t n = b->n ? b->n : 64;
		while (n < need)
			n *= 2;
		uint8_t *nb = realloc(b->b, n);
		if (!nb)
			return wfail(w, PH_ESYSTEM, "out of memory");
		memset(nb + b->n, 0, n - b->n);
		b->b = nb;
		b->n = n;
	}
	b->b[id >> 3] |= (uint8_t)(1u << (id & 7));
	return 0;
}

static int grow(struct prof_writer *w, uint8_t **buf, size_t *cap, size_t need)
{
	if (need <= *cap)
		return 0;
	size_t n = *cap ? *cap : 4096;
	while (n < need)
		n *= 2;
	uint8_t *nb = realloc(*buf, n);
	if (!nb)
		return wfail(w, PH_ESYSTEM, "out of memory");
	*buf = nb;
	*cap = n;
	return 0;
}

static int write_all(struct prof_writer *w, const uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k = write(w->fd, p, n);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return wfail(w, PH_ESYSTEM, "cannot write %s: %s", w->path, strerror(errno));
		}
		p += k;
		n -= (size_t)k;
		w->file_off += (uint64_t)k;
	}
	return 0;
}

/* Turn the open sample run into a SAMPLES record at the end of the chunk. */
static int close_run(struct prof_writer *w)
{
	if (!w->run_count)
		return 0;
	size_t body = varint_len(w->run_count) + varint_len(w->run_max_us) + w->rlen;
	if (grow(w, &w->chunk, &w->ccap, w->clen + 1 + 10 + body) < 0)
		return -1;
	uint8_t *p = w->chunk + w->clen;
	*p++ = REC_SAMPLES;
	p = put_varint(p, body);
	p = put_varint(p, w->run_count);
	p = put_varint(p, w->run_max_us);
	memcpy(p, w->run, w->rlen);
	w->clen = (size_t)(p - w->chunk) + w->rlen;
	w->rlen = 0;
	w->run_count = 0;
	w->run_max_us = 0;
	return 0;
}

/* Append a record: kind, length, `fixed` then `tail`. */
static int append(struct prof_writer *w, int kind, const uint8_t *fixed, size_t flen,
                  const void *tail, size_t tlen)
{
	if (close_run(w) < 0 || grow(w, &w->chunk, &w->ccap, w->clen + 1 + 10 + flen + tlen) < 0)
		return -1;
	uint8_t *p = w->chunk + w->clen;
	*p++ = (uint8_t)kind;
	p = put_varint(p, flen + tlen);
	memcpy(p, fixed, flen);
	p += flen;
	if (tlen)
		memcpy(p, tail, tlen);
	w->clen = (size_t)(p - w->chunk) + tlen;
	return 0;
}

/* The chunk's error and drop counts, when there are any. */
static int append_counts(struct prof_writer *w)
{
	if (!w->chunk_errors && !w->chunk_drops)
		return 0;
	uint8_t body[20], *q = put_varint(put_varint(body, w->chunk_errors), w->chunk_drops);
	w->chunk_errors = w->chunk_drops = 0;
	return append(w, REC_COUNTS, body, (size_t)(q - body), NULL, 0);
}

static void new_chunk_state(struct prof_writer *w)
{
	w->clen = CHUNK_HDR;
	w->epoch++;
	w->last_thread = NONE;
	w->last_tick = 0;
	w->last_jitter = 0;
	w->have_prev = 0;
}

/* Write the chunk out (if it holds anything) and start a new one. */
static int flush_chunk(struct prof_writer *w)
{
	if (close_run(w) < 0 || append_counts(w) < 0)
		return -1;
	if (w->clen == CHUNK_HDR)
		return 0;
	size_t len = w->clen - CHUNK_HDR;
	if (len > UINT32_MAX)
		return wfail(w, PH_ESYSTEM, "cannot write %s: a chunk of %zu bytes", w->path, len);
	uint8_t *h = w->chunk;
	memcpy(h, CHUNK_MAGIC, 4);
	prof_put_u32le(h + 4, (uint32_t)len);
	prof_put_u32le(h + 8, prof_crc32(w->crc, h + CHUNK_HDR, len));
	prof_put_u32le(h + 12, prof_crc32(w->crc, h, 12));
	int rc = write_all(w, h, w->clen);
	new_chunk_state(w);
	if (w->ccap > 4 * CHUNK_SOFT_MAX) {   /* a huge source came by: give it back */
		uint8_t *nb = realloc(w->chunk, 2 * CHUNK_SOFT_MAX);
		if (nb) {
			w->chunk = nb;
			w->ccap = 2 * CHUNK_SOFT_MAX;
		}
	}
	return rc;
}

static int maybe_flush(struct prof_writer *w)
{
	if (w->clen + w->rlen >= CHUNK_SOFT_MAX)
		return flush_chunk(w);
	return 0;
}

static int emit(struct prof_writer *w, int kind, const uint8_t *fixed, size_t flen,
                const void *tail, size_t tlen)
{
	if (append(w, kind, fixed, flen, tail, tlen) < 0)
		return -1;
	return maybe_flush(w);
}

static uint8_t *put_str(uint8_t *p, const char *s, size_t n)
{
	p = put_varint(p, n);
	memcpy(p, s, n);
	return p + n;
}

static size_t meta_len(const char *s)
{
	size_t n = s ? strlen(s) : 0;
	return n > META_STR_MAX ? META_STR_MAX : n;
}

struct prof_writer *prof_writer_open(const char *path, const struct prof_meta *meta,
                                     struct ph_error *err)
{
	static const struct prof_meta none;
	if (!path) {
		ph_fail(err, PH_EUSAGE, "no profile file name");
		return NULL;
	}
	if (!meta)
		meta = &none;
	struct prof_writer *w = calloc(1, sizeof *w);
	if (!w || !(w->path = strdup(path))) {
		free(w);
		ph_fail(err, PH_ESYSTEM, "out of memory");
		return NULL;
	}
	w->fd = -1;
	new_chunk_state(w);
	prof_crc_init(w->crc);
	w->tick_ns = meta->rate_hz ? 1000000000u / meta->rate_hz : 1000000u;
	if (w->tick_ns == 0)
		w->tick_ns = 1;

	/* the header: magic, version, meta length, meta, CRC */
	const char *strs[6] = { meta->cmdline, meta->exe, meta->python_version, meta->mode,
	                        meta->host, meta->pyheat_version };
	size_t total = 16 + 4 + 4 * 10;
	for (int i = 0; i < 6; i++)
		total += 10 + meta_len(strs[i]);
	uint8_t *h = malloc(total);
	if (!h) {
		prof_writer_abort(w);
		ph_fail(err, PH_ESYSTEM, "out of memory");
		return NULL;
	}
	memcpy(h, PROF_MAGIC, 8);
	prof_put_u32le(h + 8, PROF_VERSION);
	uint8_t *p = h + 16;
	p = put_varint(p, zigzag(meta->pid));
	p = put_varint(p, meta->rate_hz);
	p = put_varint(p, zigzag(meta->start_unix_ns));
	p = put_varint(p, w->tick_ns);
	for (int i = 0; i < 6; i++)
		p = put_str(p, strs[i] ? strs[i] : "", meta_len(strs[i]));
	prof_put_u32le(h + 12, (uint32_t)(p - h - 16));
	prof_put_u32le(p, prof_crc32(w->crc, h, (size_t)(p - h)));
	p += 4;

	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (w->fd < 0) {
		ph_fail(err, PH_ESYSTEM, "cannot create %s: %s", path, strerror(errno));
		free(h);
		prof_writer_abort(w);
		return NULL;
	}
	int rc = write_all(w, h, (size_t)(p - h));
	free(h);
	if (rc == 0)
		rc = grow(w, &w->chunk, &w->ccap, 65536);
	if (rc == 0)
		rc = grow(w, &w->run, &w->rcap, 65536);
	if (rc < 0) {
		if (err)
			*err = w->err;
		prof_writer_abort(w);
		return NULL;
	}
	return w;
}

/* Is `id` a possible id here? Below ID_LIMIT and below the offset its
 * record will have in the file: the reader's bound is the file's size, which
 * dense ids (each definition takes >= 3 bytes) never come near. */
static int id_ok(const struct prof_writer *w, uint32_t id)
{
	return id < ID_LIMIT && id < w->file_off + w->clen;
}

/* Can a definition of `id` in `b` be written? (0 or -1; not sticky) */
static int can_define(const struct prof_writer *w, const struct bits *b, uint32_t id)
{
	if (!w || w->failed || !id_ok(w, id) || bits_test(b, id))
		return -1;
	return 0;
}

int prof_write_string(struct prof_writer *w, uint32_t id, const char *s)
{
	if (can_define(w, &w->strings, id) < 0 || !s || strlen(s) > TEXT_MAX)
		return -1;
	uint8_t fixed[10];
	size_t flen = (size_t)(put_varint(fixed, id) - fixed);
	if (bits_set(w, &w->strings, id) < 0)
		return -1;
	return emit(w, REC_STRING, fixed, flen, s, strlen(s));
}

int prof_write_func(struct prof_writer *w, uint32_t id, uint32_t name, uint32_t file, int firstlineno)
{
	if (can_define(w, &w->funcs, id) < 0)
		return -1;
	uint8_t fixed[40], *p = fixed;
	p = put_varint(p, id);
	p = put_varint(p, name);
	p = put_varint(p, file);
	p = put_varint(p, zigzag(firstlineno));
	if (bits_set(w, &w->funcs, id) < 0)
		return -1;
	return emit(w, REC_FUNC, fixed, (size_t)(p - fixed), NULL, 0);
}

int prof_write_frame(struct prof_writer *w, uint32_t id, uint32_t func, int32_t line)
{
	if (can_define(w, &w->frames, id) < 0 || !bits_test(&w->funcs, func))
		return -1;
	uint8_t fixed[30], *p = fixed;
	p = put_varint(p, id);
	p = put_varint(p, func);
	p = put_varint(p, zigzag(line));
	if (bits_set(w, &w->frames, id) < 0)
		return -1;
	return emit(w, REC_FRAME, fixed, (size_t)(p - fixed), NULL, 0);
}

int prof_write_stack(struct prof_writer *w, uint32_t id, const uint32_t *frames, uint32_t n)
{
	if (can_define(w, &w->stacks, id) < 0 || (n && !frames) || n > ID_LIMIT)
		return -1;
	for (uint32_t i = 0; i < n; i++)
		if (!bits_test(&w->frames, frames[i]))
			return -1;
	/* outermost frames shared with the previous stack of this chunk; not
	 * when the reader's cap on expanded frames, counted from where this
	 * record will be, would not allow it: the frames written out in full
	 * raise the cap by more than they take */
	if (w->total_frames + n > UINT32_MAX)
		return -1;
	uint32_t shared = 0;
	if (w->have_prev &&
	    w->total_frames + n <= STACK_FRAMES_BASE + STACK_FRAMES_PER_BYTE * (w->file_off + w->clen))
		while (shared < n && shared < w->prev_n &&
		       frames[n - 1 - shared] == w->prev_frames[w->prev_n - 1 - shared])
			shared++;
	size_t body = varint_len(id) + varint_len(n) + varint_len(shared);
	for (uint32_t i = 0; i < n - shared; i++)
		body += varint_len(frames[i]);
	if (close_run(w) < 0 || grow(w, &w->chunk, &w->ccap, w->clen + 1 + 10 + body) < 0)
		return -1;
	if (n > w->prev_cap) {
		uint32_t cap = w->prev_cap ? w->prev_cap : 64;
		while (cap < n)
			cap *= 2;
		uint32_t *nf = realloc(w->prev_frames, (size_t)cap * sizeof *nf);
		if (!nf)
			return wfail(w, PH_ESYSTEM, "out of memory");
		w->prev_frames = nf;
		w->prev_cap = cap;
	}
	if (bits_set(w, &w->stacks, id) < 0)
		return -1;
	uint8_t *p = w->chunk + w->clen;
	*p++ = REC_STACK;
	p = put_varint(p, body);
	p = put_varint(p, id);
	p = put_varint(p, n);
	p = put_varint(p, shared);
	for (uint32_t i = 0; i < n - shared; i++)
		p = put_varint(p, frames[i]);
	w->clen = (size_t)(p - w->chunk);
	if (n)
		memcpy(w->prev_frames, frames, (size_t)n * sizeof *frames);
	w->prev_n = n;
	w->have_prev = 1;
	w->total_frames += n;
	return maybe_flush(w);
}

int prof_write_thread(struct prof_writer *w, uint32_t id, pid_t pid, pid_t tid, uint32_t name)
{
	if (!w || w->failed || !id_ok(w, id) || (id < w->nth && w->th[id].defined))
		return -1;
	if (id >= w->nth) {
		uint32_t n = w->nth ? w->nth : 16;
		while (n <= id)
			n *= 2;
		struct wthread *nt = realloc(w->th, (size_t)n * sizeof *nt);
		if (!nt)
			return wfail(w, PH_ESYSTEM, "out of memory");
		memset(nt + w->nth, 0, (size_t)(n - w->nth) * sizeof *nt);
		w->th = nt;
		w->nth = n;
	}
	uint8_t fixed[40], *p = fixed;
	p = put_varint(p, id);
	p = put_varint(p, zigzag(pid));
	p = put_varint(p, zigzag(tid));
	p = put_varint(p, name);
	w->th[id].defined = 1;
	return emit(w, REC_THREAD, fixed, (size_t)(p - fixed), NULL, 0);
}

int prof_write_source(struct prof_writer *w, uint32_t file, const char *text, size_t len)
{
	if (can_define(w, &w->sources, file) < 0 || (len && !text) || len > TEXT_MAX)
		return -1;
	uint8_t fixed[10];
	size_t flen = (size_t)(put_varint(fixed, file) - fixed);
	if (bits_set(w, &w->sources, file) < 0)
		return -1;
	return emit(w, REC_SOURCE, fixed, flen, text, len);
}

/* The sample code (docs/FORMAT.md "Samples"): one byte when the thread is
 * the predicted one, its stack and flags unchanged, its tick the next one
 * and the jitter within [-64, 63] us of the previous sample's. */
int prof_write_sample(struct prof_writer *w, uint64_t t_ns, uint32_t thread, uint32_t stack,
                      uint32_t flags)
{
	if (!w || w->failed || thread >= w->nth || !w->th[thread].defined ||
	    !bits_test(&w->stacks, stack) || t_ns > T_NS_MAX)
		return -1;
	if (w->rlen + 64 > w->rcap && grow(w, &w->run, &w->rcap, w->rlen + 64) < 0)
		return -1;

	const uint64_t I = w->tick_ns;
	uint64_t k = (t_ns + I / 2) / I;
	uint64_t t_us = (t_ns + 500) / 1000;
	int64_t jitter = (int64_t)t_us - (int64_t)(k * I / 1000);

	struct wthread *st = &w->th[thread];
	int fresh = st->epoch != w->epoch;
	uint64_t ref_tick = fresh ? w->last_tick : st->tick;
	uint32_t ref_stack = fresh ? 0 : st->stack;
	uint32_t ref_flags = fresh ? 0 : st->flags;
	uint32_t pred = w->last_thread == NONE ? NONE : w->th[w->last_thread].next;
	int64_t dtick = (int64_t)(k - ref_tick);
	int64_t dj = jitter - w->last_jitter;

	uint8_t *p = w->run + w->rlen;
	if (thread == pred && stack == ref_stack && flags == ref_flags && dtick == 1 &&
	    dj >= -64 && dj <= 63) {
		*p++ = (uint8_t)(dj & 0x7f);
	} else {
		uint8_t op = 0x80;
		op |= thread != pred ? 0x40 : 0;
		op |= stack != ref_stack ? 0x20 : 0;
		op |= flags != ref_flags ? 0x10 : 0;
		op |= dj != 0 ? 0x08 : 0;
		op |= dtick >= 0 && dtick <= 6 ? (uint8_t)dtick : 7;
		*p++ = op;
		if (op & 0x40)
			p = put_varint(p, thread);
		if (op & 0x20)
			p = put_varint(p, zigzag((int64_t)stack - (int64_t)ref_stack));
		if (op & 0x10)
			p = put_varint(p, flags);
		if ((op & 7) == 7)
			p = put_varint(p, zigzag(dtick));
		if (op & 0x08)
			p = put_varint(p, zigzag(dj));
	}
	w->rlen = (size_t)(p - w->run);

	if (fresh) {
		st->epoch = w->epoch;
		st->next = NONE;
	}
	if (w->last_thread != NONE)
		w->th[w->last_thread].next = thread;
	st->tick = k;
	st->stack = stack;
	st->flags = flags;
	w->last_thread = thread;
	w->last_tick = k;
	w->last_jitter = jitter;

	if (t_us > w->run_max_us)
		w->run_max_us = t_us;
	w->run_count++;
	w->nsamples++;
	return maybe_flush(w);
}

int prof_write_counts(struct prof_writer *w, uint64_t errors, uint64_t drops)
{
	if (!w || w->failed)
		return -1;
	w->chunk_errors += errors;
	w->chunk_drops += drops;
	w->errors += errors;
	w->drops += drops;
	return 0;
}

int prof_writer_flush(struct prof_writer *w)
{
	if (!w || w->failed)
		return -1;
	return flush_chunk(w);
}

int prof_writer_close(struct prof_writer *w, uint64_t duration_ns, struct ph_error *err)
{
	if (!w)
		return ph_fail(err, PH_EUSAGE, "no profile writer");
	if (!w->failed) {
		uint8_t fixed[40], *p = fixed;
		p = put_varint(p, duration_ns);
		p = put_varint(p, w->nsamples);
		p = put_varint(p, w->errors);
		p = put_varint(p, w->drops);
		/* the trailer is the last record of the last chunk */
		if (close_run(w) == 0 && append_counts(w) == 0 &&
		    append(w, REC_TRAILER, fixed, (size_t)(p - fixed), NULL, 0) == 0)
			flush_chunk(w);
	}
	if (w->fd >= 0 && close(w->fd) < 0)
		wfail(w, PH_ESYSTEM, "cannot write %s: %s", w->path, strerror(errno));
	w->fd = -1;
	int rc = 0;
	if (w->failed) {
		if (err)
			*err = w->err;
		rc = -1;
	}
	prof_writer_abort(w);
	return rc;
}

void prof_writer_abort(struct prof_writer *w)
{
	if (!w)
		return;
	if (w->fd >= 0) {
		if (!w->failed)
			flush_chunk(w);      /* best effort: keep what was recorded */
		close(w->fd);
	}
	free(w->path);
	free(w->chunk);
	free(w->run);
	free(w->th);
	free(w->strings.b);
	free(w->funcs.b);
	free(w->frames.b);
	free(w->stacks.b);
	free(w->sources.b);
	free(w->prev_frames);
	free(w);
}
