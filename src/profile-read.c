/* profile-read.c — the raw profile's reader (see include/profile.h and
 * docs/FORMAT.md, which this file implements).
 *
 * prof_open() checks the header, then walks the chunks: each one's header
 * and payload CRC, then its records. Tables are kept; SAMPLES records are
 * only counted (their header has the count and the latest time), and the
 * chunks that hold them are remembered. prof_foreach_sample() reads those
 * chunks again (checking their CRC again) and decodes the samples.
 *
 * The file is hostile: every length is checked against the bytes that hold
 * it, every id against ID_LIMIT and the file size (a table never has more
 * entries than the file has bytes), every reference against the ids defined
 * so far; the stack frames that shared-frame encoding expands are capped.
 * Any violation is PH_EBADFILE "corrupt profile FILE: WHAT at byte N". A
 * file that ends inside a chunk (or in zero bytes where a chunk should
 * start) was cut short: it reads up to its last whole chunk, complete = 0. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "profile.h"
#include "profile-format.h"

/* ---- the reader's own limits (the shared ones: profile-format.h) --------- */
#define HEADER_FIXED      16u            /* magic, version, meta length */
#define META_MAX          (16u << 20)
#define TICK_NS_MAX       1000000000000ull   /* 1000 s */
#define JITTER_MAX        ((int64_t)1 << 40) /* us */

#define NONE UINT32_MAX

/* ---- bounded decoding ------------------------------------------------------ */
struct cur { const uint8_t *p, *end; };

static inline int get_varint(struct cur *c, uint64_t *out)
{
	uint64_t v = 0;
	for (int shift = 0; shift < 64; shift += 7) {
		if (c->p >= c->end)
			return -1;
		uint8_t b = *c->p++;
		if (shift == 63 && b > 1)
			return -1;
		v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80)) {
			*out = v;
			return 0;
		}
	}
	return -1;
}

static inline int64_t unzigzag(uint64_t u)
{
	return (int64_t)(u >> 1) ^ -(int64_t)(u & 1);
}

static int get_u32(struct cur *c, uint32_t *out)
{
	uint64_t v;
	if (get_varint(c, &v) < 0 || v > UINT32_MAX)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static int get_s32(struct cur *c, int32_t *out)
{
	uint64_t v;
	if (get_varint(c, &v) < 0)
		return -1;
	int64_t s = unzigzag(v);
	if (s < INT32_MIN || s > INT32_MAX)
		return -1;
	*out = (int32_t)s;
	return 0;
}

/* ---- reader state ---------------------------------------------------------- */
struct chunkref { uint64_t off; uint32_t len; };

struct rstate {
	int fd;
	uint64_t size;            /* the file's size when opened */
	uint64_t tick_ns;
	uint32_t id_limit;        /* min(ID_LIMIT, file size) */
	uint64_t frames_budget;   /* cap on nstack_frames */
	uint32_t crc[256];
	struct chunkref *chunks;  /* the chunks that hold samples */
	size_t nchunks, cchunks;
	uint32_t max_len;         /* their largest payload */
	uint64_t max_us;          /* the latest sample time seen in a SAMPLES header */
	int trailer;
	/* defined ids, and table capacities */
	uint8_t *def_funcs, *def_frames, *def_stacks, *def_threads, *def_sources;
	uint64_t cap_strings, cap_funcs, cap_frames, cap_stacks, cap_threads, cap_sources_def;
	uint64_t cap_stack_frames, cap_sources;
	uint32_t prev_stack;      /* the previous STACK of this chunk, or NONE */
};

static int bad(const struct profile *p, struct ph_error *err, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int bad(const struct profile *p, struct ph_error *err, uint64_t off, const char *fmt, ...)
{
	char msg[160];
	va_list ap;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof msg, fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	return ph_fail(err, PH_EBADFILE, "corrupt profile %s: %s at byte %llu", p->path, msg,
	               (unsigned long long)off);
}

static int oom(struct ph_error *err)
{
	return ph_fail(err, PH_ESYSTEM, "out of memory");
}

/* Grow *arr (elements of `el` bytes, capacity *cap) to hold `need`, zeroing
 * the new part. */
static int grow(void **arr, uint64_t *cap, uint64_t need, size_t el)
{
	if (need <= *cap)
		return 0;
	uint64_t n = *cap ? *cap : 16;
	while (n < need)
		n *= 2;
	if (n > SIZE_MAX / el)
		return -1;
	void *na = realloc(*arr, (size_t)(n * el));
	if (!na)
		return -1;
	memset((char *)na + *cap * el, 0, (size_t)((n - *cap) * el));
	*arr = na;
	*cap = n;
	return 0;
}

/* Read up to n bytes at off; the count read, or -1. */
static ssize_t read_at(int fd, uint64_t off, void *buf, size_t n)
{
	size_t got = 0;
	while (got < n) {
		ssize_t k = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (k == 0)
			break;
		got += (size_t)k;
	}
	return (ssize_t)got;
}

static int read_exact(const struct profile *p, struct ph_error *err, uint64_t off, void *buf,
                      size_t n)
{
	const struct rstate *r = p->priv;
	ssize_t k = read_at(r->fd, off, buf, n);
	if (k < 0)
		return ph_fail(err, PH_EBADFILE, "cannot read %s: %s", p->path, strerror(errno));
	if ((size_t)k != n)
		return bad(p, err, off + (uint64_t)k, "file shrank while being read");
	return 0;
}

/* Are the bytes from off to the end all zero? (a crash can leave that) */
static int zero_tail(const struct rstate *r, uint64_t off)
{
	uint8_t buf[4096];
	while (off < r->size) {
		size_t n = r->size - off < sizeof buf ? (size_t)(r->size - off) : sizeof buf;
		if (read_at(r->fd, off, buf, n) != (ssize_t)n)
			return 0;
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return 0;
		off += n;
	}
	return 1;
}

static char *dup_bytes(const uint8_t *s, size_t n)
{
	char *d = malloc(n + 1);
	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* ---- header ------------------------------------------------------------- */
static int get_str(struct cur *c, char **out)
{
	uint64_t n;
	if (get_varint(c, &n) < 0 || n > (uint64_t)(c->end - c->p))
		return -1;
	if (!(*out = dup_bytes(c->p, (size_t)n)))
		return -2;
	c->p += n;
	return 0;
}

static int read_header(struct profile *p, struct ph_error *err, uint64_t *data_off)
{
	struct rstate *r = p->priv;
	uint8_t h[HEADER_FIXED];
	size_t have = r->size < HEADER_FIXED ? (size_t)r->size : HEADER_FIXED;
	if (r->size == 0)
		return ph_fail(err, PH_EBADFILE, "%s is an empty file, not a pyheat profile", p->path);
	if (read_exact(p, err, 0, h, have) < 0)
		return -1;
	if (memcmp(h, PROF_MAGIC, have < 8 ? have : 8) != 0)
		return ph_fail(err, PH_EBADFILE, "%s is not a pyheat profile (no pyheat signature at byte 0)",
		               p->path);
	if (have >= 12) {
		uint32_t v = prof_get_u32le(h + 8);
		if (v > PROF_VERSION)
			return ph_fail(err, PH_EBADFILE,
			               "%s was written by a newer pyheat (format version %u; this pyheat "
			               "reads version %u): upgrade pyheat to read it",
			               p->path, v, PROF_VERSION);
		if (v == 0)
			return bad(p, err, 8, "bad format version 0");
		p->format_version = (int)v;
	}
	if (have < HEADER_FIXED)
		return bad(p, err, r->size, "file ends inside the header");
	uint32_t mlen = prof_get_u32le(h + 12);
	if (mlen > META_MAX)
		return bad(p, err, 12, "header length %u too large", mlen);
	if (HEADER_FIXED + (uint64_t)mlen + 4 > r->size)
		return bad(p, err, r->size, "file ends inside the header");
	size_t total = HEADER_FIXED + mlen + 4;
	uint8_t *buf = malloc(total);
	if (!buf)
		return oom(err);
	if (read_exact(p, err, 0, buf, total) < 0) {
		free(buf);
		return -1;
	}
	if (prof_crc32(r->crc, buf, total - 4) != prof_get_u32le(buf + total - 4)) {
		free(buf);
		return bad(p, err, total - 4, "bad header checksum");
	}
	struct cur c = { buf + HEADER_FIXED, buf + HEADER_FIXED + mlen };
	uint64_t pid, rate, start, tick;
	int rc = 0;
	if (get_varint(&c, &pid) < 0 || get_varint(&c, &rate) < 0 || get_varint(&c, &start) < 0 ||
	    get_varint(&c, &tick) < 0) {
		rc = -1;
	} else {
		int64_t spid = unzigzag(pid);
		if (spid < INT32_MIN || spid > INT32_MAX || rate > UINT32_MAX || tick == 0 ||
		    tick > TICK_NS_MAX)
			rc = -1;
		p->meta.pid = (pid_t)spid;
		p->meta.rate_hz = (uint32_t)rate;
		p->meta.start_unix_ns = unzigzag(start);
		r->tick_ns = tick;
	}
	char **strs[6] = { &p->meta.cmdline, &p->meta.exe, &p->meta.python_version, &p->meta.mode,
	                   &p->meta.host, &p->meta.pyheat_version };
	for (int i = 0; i < 6 && rc == 0; i++)
		rc = get_str(&c, strs[i]);
	/* bytes after the known fields: later versions' additions, ignored */
	free(buf);
	if (rc == -2)
		return oom(err);
	if (rc < 0)
		return bad(p, err, (uint64_t)HEADER_FIXED, "bad header fields");
	*data_off = total;
	return 0;
}

/* ---- records --------------------------------------------------------------- */
/* Make id a valid, new index of a table: `arr` of `el`-byte entries and
 * its `def` bytes, both of capacity *cap; *n is the table's count (max id + 1). */
static int table_slot(struct profile *p, struct ph_error *err, uint64_t off, const char *what,
                      uint32_t id, void **arr, size_t el, uint8_t **def, uint64_t *cap, uint32_t *n)
{
	struct rstate *r = p->priv;
	if (id >= r->id_limit)
		return bad(p, err, off, "%s id %u out of range", what, id);
	if (id >= *cap) {
		uint64_t c = *cap;
		if (grow(arr, &c, (uint64_t)id + 1, el) < 0)
			return oom(err);
		c = *cap;
		if (grow((void **)def, &c, (uint64_t)id + 1, 1) < 0)
			return oom(err);
		*cap = c;
	}
	if ((*def)[id])
		return bad(p, err, off, "%s %u defined twice", what, id);
	(*def)[id] = 1;
	if (id >= *n)
		*n = id + 1;
	return 0;
}

static int defined(const uint8_t *def, uint64_t cap, uint32_t id)
{
	return id < cap && def[id];
}

static int rec_stack(struct profile *p, struct ph_error *err, uint64_t off, struct cur *c)
{
	struct rstate *r = p->priv;
	uint32_t id, n, shared;
	if (get_u32(c, &id) < 0 || get_u32(c, &n) < 0 || get_u32(c, &shared) < 0)
		return bad(p, err, off, "bad stack record");
	if (shared > n)
		return bad(p, err, off, "stack %u shares more frames than it has", id);
	const struct prof_stack *prev = NULL;
	if (shared) {
		if (r->prev_stack == NONE)
			return bad(p, err, off, "stack %u shares frames with no previous stack", id);
		prev = &p->stacks[r->prev_stack];
		if (shared > prev->n)
			return bad(p, err, off, "stack %u shares more frames than the previous stack has", id);
	}
	uint32_t expl = n - shared;
	if (expl > (uint64_t)(c->end - c->p))
		return bad(p, err, off, "stack %u: %u frames in a %zu-byte record", id, n,
		           (size_t)(c->end - c->p));
	if (p->nstack_frames + n > r->frames_budget)
		return bad(p, err, off, "too many stack frames (more than %llu)",
		           (unsigned long long)r->frames_budget);
	uint32_t prev_first = prev ? prev->first : 0, prev_n = prev ? prev->n : 0;
	if (table_slot(p, err, off, "stack", id, (void **)&p->stacks, sizeof *p->stacks, &r->def_stacks,
	               &r->cap_stacks, &p->nstacks) < 0)
		return -1;
	if (grow((void **)&p->stack_frames, &r->cap_stack_frames, p->nstack_frames + n + 1,
	         sizeof *p->stack_frames) < 0)
		return oom(err);
	uint32_t *f = p->stack_frames + p->nstack_frames;
	for (uint32_t i = 0; i < expl; i++) {
		if (get_u32(c, &f[i]) < 0)
			return bad(p, err, off, "bad stack record");
		if (!defined(r->def_frames, r->cap_frames, f[i]))
			return bad(p, err, off, "stack %u uses undefined frame %u", id, f[i]);
	}
	if (shared)
		memcpy(f + expl, p->stack_frames + prev_first + prev_n - shared,
		       (size_t)shared * sizeof *f);
	p->stacks[id].first = (uint32_t)p->nstack_frames;
	p->stacks[id].n = n;
	p->nstack_frames += n;
	r->prev_stack = id;
	return 0;
}

static int rec_source(struct profile *p, struct ph_error *err, uint64_t off, struct cur *c)
{
	struct rstate *r = p->priv;
	uint32_t file;
	if (get_u32(c, &file) < 0)
		return bad(p, err, off, "bad source record");
	if (file >= r->id_limit)
		return bad(p, err, off, "source file id %u out of range", file);
	if (grow((void **)&r->def_sources, &r->cap_sources_def, (uint64_t)file + 1, 1) < 0)
		return oom(err);
	if (r->def_sources[file])
		return bad(p, err, off, "source of file %u given twice", file);
	r->def_sources[file] = 1;
	if (grow((void **)&p->sources, &r->cap_sources, (uint64_t)p->nsources + 1, sizeof *p->sources) < 0)
		return oom(err);
	size_t len = (size_t)(c->end - c->p);
	char *text = dup_bytes(c->p, len);
	if (!text)
		return oom(err);
	p->sources[p->nsources++] = (struct prof_source){ file, text, len };
	return 0;
}

/* One record of a chunk, in prof_open(). */
static int record(struct profile *p, struct ph_error *err, uint64_t off, int kind, struct cur *c,
                  int *has_samples)
{
	struct rstate *r = p->priv;
	uint32_t id, a, b;
	int32_t s;
	uint64_t u[4];

	switch (kind) {
	case REC_STRING:
		if (get_u32(c, &id) < 0)
			return bad(p, err, off, "bad string record");
		if (id >= r->id_limit)
			return bad(p, err, off, "string id %u out of range", id);
		if (grow((void **)&p->strings, &r->cap_strings, (uint64_t)id + 1, sizeof *p->strings) < 0)
			return oom(err);
		if (p->strings[id])
			return bad(p, err, off, "string %u defined twice", id);
		if (!(p->strings[id] = dup_bytes(c->p, (size_t)(c->end - c->p))))
			return oom(err);
		if (id >= p->nstrings)
			p->nstrings = id + 1;
		return 0;
	case REC_FUNC:
		if (get_u32(c, &id) < 0 || get_u32(c, &a) < 0 || get_u32(c, &b) < 0 || get_s32(c, &s) < 0)
			return bad(p, err, off, "bad function record");
		if (table_slot(p, err, off, "function", id, (void **)&p->funcs, sizeof *p->funcs,
		               &r->def_funcs, &r->cap_funcs, &p->nfuncs) < 0)
			return -1;
		p->funcs[id] = (struct prof_func){ a, b, s };
		return 0;
	case REC_FRAME:
		if (get_u32(c, &id) < 0 || get_u32(c, &a) < 0 || get_s32(c, &s) < 0)
			return bad(p, err, off, "bad frame record");
		if (!defined(r->def_funcs, r->cap_funcs, a))
			return bad(p, err, off, "frame %u uses undefined function %u", id, a);
		if (table_slot(p, err, off, "frame", id, (void **)&p->frames, sizeof *p->frames,
		               &r->def_frames, &r->cap_frames, &p->nframes) < 0)
			return -1;
		p->frames[id] = (struct prof_frame){ a, s };
		return 0;
	case REC_STACK:
		return rec_stack(p, err, off, c);
	case REC_THREAD: {
		int32_t pid, tid;
		if (get_u32(c, &id) < 0 || get_s32(c, &pid) < 0 || get_s32(c, &tid) < 0 ||
		    get_u32(c, &a) < 0)
			return bad(p, err, off, "bad thread record");
		if (table_slot(p, err, off, "thread", id, (void **)&p->threads, sizeof *p->threads,
		               &r->def_threads, &r->cap_threads, &p->nthreads) < 0)
			return -1;
		p->threads[id] = (struct prof_thread){ pid, tid, a };
		return 0;
	}
	case REC_SOURCE:
		return rec_source(p, err, off, c);
	case REC_SAMPLES:
		if (get_varint(c, &u[0]) < 0 || get_varint(c, &u[1]) < 0)
			return bad(p, err, off, "bad samples record");
		if (u[0] == 0 || u[0] > (uint64_t)(c->end - c->p))
			return bad(p, err, off, "%llu samples in a %zu-byte record",
			           (unsigned long long)u[0], (size_t)(c->end - c->p));
		if (u[1] > (uint64_t)INT64_MAX / 1000)
			return bad(p, err, off, "sample time out of range");
		p->nsamples += u[0];
		if (u[1] > r->max_us)
			r->max_us = u[1];
		*has_samples = 1;
		return 0;
	case REC_COUNTS:
		if (get_varint(c, &u[0]) < 0 || get_varint(c, &u[1]) < 0)
			return bad(p, err, off, "bad counts record");
		p->errors += u[0];
		p->drops += u[1];
		return 0;
	case REC_TRAILER:
		for (int i = 0; i < 4; i++)
			if (get_varint(c, &u[i]) < 0)
				return bad(p, err, off, "bad trailer");
		if (u[1] != p->nsamples || u[2] != p->errors || u[3] != p->drops)
			return bad(p, err, off, "trailer totals (%llu samples, %llu errors, %llu drops) "
			           "disagree with the file's (%llu, %llu, %llu)",
			           (unsigned long long)u[1], (unsigned long long)u[2],
			           (unsigned long long)u[3], (unsigned long long)p->nsamples,
			           (unsigned long long)p->errors, (unsigned long long)p->drops);
		p->duration_ns = u[0];
		r->trailer = 1;
		return 0;
	default:
		return 0;   /* a later kind: skipped */
	}
}

/* Walk the records of one chunk's payload (at file offset `base`). */
static int chunk_records(struct profile *p, struct ph_error *err, const uint8_t *buf, uint32_t len,
                         uint64_t base, int *has_samples)
{
	struct rstate *r = p->priv;
	struct cur c = { buf, buf + len };
	r->prev_stack = NONE;
	while (c.p < c.end) {
		uint64_t off = base + (uint64_t)(c.p - buf);
		if (r->trailer)
			return bad(p, err, off, "record after the trailer");
		int kind = *c.p++;
		uint64_t rlen;
		if (get_varint(&c, &rlen) < 0 || rlen > (uint64_t)(c.end - c.p))
			return bad(p, err, off, "record length past the end of its chunk");
		struct cur body = { c.p, c.p + rlen };
		c.p += rlen;
		if (record(p, err, off, kind, &body, has_samples) < 0)
			return -1;
	}
	return 0;
}

/* The chunk at off: 1 when it is cut short (or zeros to the end: stop
 * there), 0 when good (*len its payload length), -1 on error. The payload
 * lands in *buf (grown, capacity *cap). */
static int read_chunk(const struct profile *p, struct ph_error *err, uint64_t off, uint8_t **buf,
                      uint64_t *cap, uint32_t *len)
{
	const struct rstate *r = p->priv;
	uint64_t rem = r->size - off;
	uint8_t h[CHUNK_HDR];
	if (rem < CHUNK_HDR)
		return 1;
	if (read_exact(p, err, off, h, CHUNK_HDR) < 0)
		return -1;
	if (memcmp(h, CHUNK_MAGIC, 4) != 0 || prof_crc32(r->crc, h, 12) != prof_get_u32le(h + 12)) {
		if (zero_tail(r, off))
			return 1;
		return bad(p, err, off, "bad chunk header");
	}
	*len = prof_get_u32le(h + 4);
	if (*len > rem - CHUNK_HDR)
		return 1;
	if (grow((void **)buf, cap, *len ? *len : 1, 1) < 0)
		return oom(err);
	if (read_exact(p, err, off + CHUNK_HDR, *buf, *len) < 0)
		return -1;
	if (prof_crc32(r->crc, *buf, *len) != prof_get_u32le(h + 8))
		return bad(p, err, off, "bad chunk checksum");
	return 0;
}

struct profile *prof_open(const char *path, struct ph_error *err)
{
	struct profile *p = calloc(1, sizeof *p);
	struct rstate *r = calloc(1, sizeof *r);
	if (!p || !r || !path || !(p->path = strdup(path))) {
		free(p);
		free(r);
		ph_fail(err, path ? PH_ESYSTEM : PH_EUSAGE, path ? "out of memory" : "no profile file name");
		return NULL;
	}
	p->priv = r;
	r->fd = -1;
	prof_crc_init(r->crc);
	uint8_t *buf = NULL;
	uint64_t cap = 0;

	r->fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (r->fd < 0 || fstat(r->fd, &st) < 0) {
		ph_fail(err, PH_EBADFILE, "cannot open %s: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		ph_fail(err, PH_EBADFILE, "%s is not a regular file", path);
		goto fail;
	}
	r->size = (uint64_t)st.st_size;
	r->id_limit = r->size < ID_LIMIT ? (uint32_t)r->size : ID_LIMIT;
	r->frames_budget = STACK_FRAMES_BASE + STACK_FRAMES_PER_BYTE * r->size;
	if (r->frames_budget > UINT32_MAX)
		r->frames_budget = UINT32_MAX;

	uint64_t off = 0;
	if (read_header(p, err, &off) < 0)
		goto fail;
	for (;;) {
		if (off == r->size)
			break;
		if (r->trailer) {
			if (zero_tail(r, off))
				break;
			bad(p, err, off, "data after the trailer");
			goto fail;
		}
		uint32_t len = 0;
		int rc = read_chunk(p, err, off, &buf, &cap, &len);
		if (rc < 0)
			goto fail;
		if (rc > 0)
			break;          /* cut short */
		int has_samples = 0;
		if (chunk_records(p, err, buf, len, off + CHUNK_HDR, &has_samples) < 0)
			goto fail;
		if (has_samples) {
			if (grow((void **)&r->chunks, &r->cchunks, r->nchunks + 1, sizeof *r->chunks) < 0) {
				oom(err);
				goto fail;
			}
			r->chunks[r->nchunks++] = (struct chunkref){ off, len };
			if (len > r->max_len)
				r->max_len = len;
		}
		off += CHUNK_HDR + (uint64_t)len;
	}
	free(buf);
	p->complete = r->trailer;
	if (!p->complete)
		p->duration_ns = r->max_us * 1000;
	return p;
fail:
	free(buf);
	prof_close(p);
	return NULL;
}

/* ---- samples ---------------------------------------------------------------- */
struct rthread { uint64_t tick; uint32_t stack, flags, next, epoch; };

struct walk {
	const struct profile *p;
	const struct rstate *r;
	struct ph_error *err;
	struct rthread *th;
	uint32_t epoch, last_thread;
	uint64_t last_tick, tick_max;
	int64_t last_jitter;
	int (*fn)(const struct prof_sample *, void *);
	void *ctx;
};

/* Decode one SAMPLES record (the bytes after its kind and length). 0, the
 * callback's non-zero result, or -1 with the error. */
static int decode_samples(struct walk *wk, const uint8_t *q, const uint8_t *qend, uint64_t off)
{
	const struct profile *p = wk->p;
	const struct rstate *r = wk->r;
	struct cur c = { q, qend };
	uint64_t count, max_us, n = 0, seen_max = 0;
	if (get_varint(&c, &count) < 0 || get_varint(&c, &max_us) < 0)
		return bad(p, wk->err, off, "bad samples record");
	const uint64_t I = r->tick_ns;
	const uint32_t nthreads = p->nthreads, nstacks = p->nstacks;
	const uint8_t *def_th = r->def_threads, *def_st = r->def_stacks;

	while (c.p < c.end) {
		uint64_t soff = off + (uint64_t)(c.p - q);
		uint8_t b = *c.p++;
		uint32_t thread = wk->last_thread == NONE ? NONE : wk->th[wk->last_thread].next;
		uint64_t tick;
		uint32_t stack, flags;
		int64_t jitter;
		struct rthread *st;
		if (b < 0x80) {
			if (thread == NONE)
				return bad(p, wk->err, soff, "sample with no predicted thread");
			st = &wk->th[thread];
			int fresh = st->epoch != wk->epoch;
			uint64_t ref = fresh ? wk->last_tick : st->tick;
			stack = fresh ? 0 : st->stack;
			flags = fresh ? 0 : st->flags;
			if (ref >= wk->tick_max)
				return bad(p, wk->err, soff, "sample time out of range");
			tick = ref + 1;
			jitter = wk->last_jitter + (int64_t)(b & 0x3f) - (int64_t)(b & 0x40);
		} else {
			uint64_t v;
			if (b & 0x40) {
				if (get_varint(&c, &v) < 0)
					return bad(p, wk->err, soff, "bad sample");
				if (v >= nthreads || !def_th[v])
					return bad(p, wk->err, soff, "sample of undefined thread %llu",
					           (unsigned long long)v);
				thread = (uint32_t)v;
			} else if (thread == NONE) {
				return bad(p, wk->err, soff, "sample with no predicted thread");
			}
			st = &wk->th[thread];
			int fresh = st->epoch != wk->epoch;
			uint64_t ref = fresh ? wk->last_tick : st->tick;
			stack = fresh ? 0 : st->stack;
			flags = fresh ? 0 : st->flags;
			if (b & 0x20) {
				if (get_varint(&c, &v) < 0)
					return bad(p, wk->err, soff, "bad sample");
				int64_t d = unzigzag(v);
				if (d < -(int64_t)stack || d >= (int64_t)nstacks - (int64_t)stack)
					return bad(p, wk->err, soff, "sample of undefined stack");
				stack = (uint32_t)((int64_t)stack + d);
			}
			if (b & 0x10) {
				if (get_varint(&c, &v) < 0 || v > UINT32_MAX)
					return bad(p, wk->err, soff, "bad sample flags");
				flags = (uint32_t)v;
			}
			int64_t dt = b & 7;
			if (dt == 7) {
				if (get_varint(&c, &v) < 0)
					return bad(p, wk->err, soff, "bad sample");
				dt = unzigzag(v);
			}
			if (dt < 0 ? (uint64_t)-(dt + 1) + 1 > ref : (uint64_t)dt > wk->tick_max - ref)
				return bad(p, wk->err, soff, "sample time out of range");
			tick = dt < 0 ? ref - ((uint64_t)-(dt + 1) + 1) : ref + (uint64_t)dt;
			jitter = wk->last_jitter;
			if (b & 0x08) {
				if (get_varint(&c, &v) < 0)
					return bad(p, wk->err, soff, "bad sample");
				int64_t dj = unzigzag(v);
				if (dj < -2 * JITTER_MAX || dj > 2 * JITTER_MAX)
					return bad(p, wk->err, soff, "sample jitter out of range");
				jitter += dj;
			}
		}
		if (stack >= nstacks || !def_st[stack])
			return bad(p, wk->err, soff, "sample of undefined stack %u", stack);
		if (jitter < -JITTER_MAX || jitter > JITTER_MAX)
			return bad(p, wk->err, soff, "sample jitter out of range");
		int64_t t_us = (int64_t)(tick * I / 1000) + jitter;
		if (t_us < 0)
			return bad(p, wk->err, soff, "negative sample time");

		if (st->epoch != wk->epoch) {
			st->epoch = wk->epoch;
			st->next = NONE;
		}
		if (wk->last_thread != NONE)
			wk->th[wk->last_thread].next = thread;
		st->tick = tick;
		st->stack = stack;
		st->flags = flags;
		wk->last_thread = thread;
		wk->last_tick = tick;
		wk->last_jitter = jitter;
		if ((uint64_t)t_us > seen_max)
			seen_max = (uint64_t)t_us;
		if (++n > count)
			return bad(p, wk->err, soff, "more samples than the record's count");

		struct prof_sample s = { (uint64_t)t_us * 1000, thread, stack, flags };
		int rc = wk->fn(&s, wk->ctx);
		if (rc)
			return rc;
	}
	if (n != count)
		return bad(p, wk->err, off, "%llu samples where the record says %llu",
		           (unsigned long long)n, (unsigned long long)count);
	if (seen_max != max_us)
		return bad(p, wk->err, off, "latest sample time disagrees with the record's");
	return 0;
}

int prof_foreach_sample(const struct profile *p, int (*fn)(const struct prof_sample *s, void *ctx),
                        void *ctx, struct ph_error *err)
{
	if (!p || !fn)
		return ph_fail(err, PH_EUSAGE, "no profile");
	const struct rstate *r = p->priv;
	struct walk wk = { .p = p, .r = r, .err = err, .fn = fn, .ctx = ctx };
	wk.tick_max = (uint64_t)INT64_MAX / r->tick_ns;
	wk.th = calloc(p->nthreads ? p->nthreads : 1, sizeof *wk.th);
	uint8_t *buf = malloc((size_t)r->max_len + CHUNK_HDR);
	int rc = 0;
	if (!wk.th || !buf) {
		rc = oom(err);
		goto out;
	}
	for (size_t i = 0; i < r->nchunks && rc == 0; i++) {
		const struct chunkref *cr = &r->chunks[i];
		if (read_exact(p, err, cr->off, buf, CHUNK_HDR + (size_t)cr->len) < 0) {
			rc = -1;
			break;
		}
		const uint8_t *pl = buf + CHUNK_HDR;
		if (prof_get_u32le(buf + 4) != cr->len || prof_crc32(r->crc, pl, cr->len) != prof_get_u32le(buf + 8)) {
			rc = bad(p, err, cr->off, "chunk changed since the file was opened");
			break;
		}
		wk.epoch++;
		wk.last_thread = NONE;
		wk.last_tick = 0;
		wk.last_jitter = 0;
		struct cur c = { pl, pl + cr->len };
		while (c.p < c.end && rc == 0) {
			uint64_t roff = cr->off + CHUNK_HDR + (uint64_t)(c.p - pl);
			int kind = *c.p++;
			uint64_t rlen;
			if (get_varint(&c, &rlen) < 0 || rlen > (uint64_t)(c.end - c.p)) {
				rc = bad(p, err, roff, "record length past the end of its chunk");
				break;
			}
			if (kind == REC_SAMPLES)
				rc = decode_samples(&wk, c.p, c.p + rlen, roff);
			c.p += rlen;
		}
	}
out:
	free(wk.th);
	free(buf);
	return rc;
}

void prof_close(struct profile *p)
{
	if (!p)
		return;
	struct rstate *r = p->priv;
	free(p->meta.cmdline);
	free(p->meta.exe);
	free(p->meta.python_version);
	free(p->meta.mode);
	free(p->meta.host);
	free(p->meta.pyheat_version);
	if (p->strings)
		for (uint32_t i = 0; i < p->nstrings; i++)
			free(p->strings[i]);
	free(p->strings);
	free(p->funcs);
	free(p->frames);
	free(p->stacks);
	free(p->stack_frames);
	free(p->threads);
	for (uint32_t i = 0; i < p->nsources; i++)
		free((char *)p->sources[i].text);
	free(p->sources);
	free(p->path);
	if (r) {
		if (r->fd >= 0)
			close(r->fd);
		free(r->chunks);
		free(r->def_funcs);
		free(r->def_frames);
		free(r->def_stacks);
		free(r->def_threads);
		free(r->def_sources);
		free(r);
	}
	free(p);
}

const char *prof_str(const struct profile *p, uint32_t id)
{
	if (!p || id >= p->nstrings || !p->strings[id])
		return "?";
	return p->strings[id];
}
