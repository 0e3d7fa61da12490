/* test-profile — unit tests for the raw profile (src/profile-write.c,
 * src/profile-read.c, docs/FORMAT.md).
 *
 *   test-profile            every test; temp files under $TMPDIR (or /tmp)
 *   test-profile --bench N  also time N samples (default: 10M, 1M under ASan)
 *
 * Round trip of everything with exact equality; bytes per sample (steady
 * stack: at most 2.0); a small real file cut at every byte offset; 1000
 * copies with random byte flips; an empty file, a non-pyheat file, a future
 * format version; unknown record kinds skipped; a writer killed with
 * SIGKILL; the writer refusing what the reader would reject; timings.
 * Prints ok/FAIL lines; exit 0 when everything passed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "profile.h"
#include "profile-format.h"

#include "check.h"

#if defined(__SANITIZE_ADDRESS__)
#define SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SANITIZED 1
#endif
#endif
#ifndef SANITIZED
#define SANITIZED 0
#endif

static char tmpdir[4096];

static uint64_t rnd(uint64_t *s)
{
	uint64_t x = *s;
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

static uint64_t below(uint64_t *s, uint64_t n)
{
	return n ? rnd(s) % n : 0;
}

static double now_s(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static const char *tmp(const char *name)
{
	static char buf[8][4200];
	static int i;
	i = (i + 1) % 8;
	snprintf(buf[i], sizeof buf[i], "%s/%s", tmpdir, name);
	return buf[i];
}

static long file_size(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static uint8_t *slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long len = ftell(f);
	fseek(f, 0, SEEK_SET);
	uint8_t *b = malloc(len > 0 ? (size_t)len : 1);
	*n = b ? fread(b, 1, (size_t)len, f) : 0;
	fclose(f);
	return b;
}

/* Make path hold exactly b[0, n). (Not O_TRUNC: on ext4 a truncation to
 * zero starts writeback, and the cut test does this 20000 times.) */
static int spit(const char *path, const uint8_t *b, size_t n)
{
	int fd = open(path, O_WRONLY | O_CREAT, 0644);
	if (fd < 0)
		return -1;
	size_t done = 0;
	while (done < n) {
		ssize_t k = pwrite(fd, b + done, n - done, (off_t)done);
		if (k <= 0) {
			close(fd);
			return -1;
		}
		done += (size_t)k;
	}
	if (ftruncate(fd, (off_t)n) < 0) {
		close(fd);
		return -1;
	}
	return close(fd);
}

/* ---- a recording: what the test wrote, to compare with what is read ---- */
struct stackdef { uint32_t n; uint32_t *f; };

struct model {
	struct prof_meta meta;
	char **strings; uint32_t nstrings;
	struct prof_func *funcs; uint32_t nfuncs;
	struct prof_frame *frames; uint32_t nframes;
	struct stackdef *stacks; uint32_t nstacks, cstacks;
	struct prof_thread *threads; uint32_t nthreads;
	struct prof_source src[4]; uint32_t nsrc;
	struct prof_sample *samples; uint64_t nsamples, csamples;
	uint64_t errors, drops, duration;
};

static void model_free(struct model *m)
{
	for (uint32_t i = 0; i < m->nstrings; i++)
		free(m->strings[i]);
	free(m->strings);
	free(m->funcs);
	free(m->frames);
	for (uint32_t i = 0; i < m->nstacks; i++)
		free(m->stacks[i].f);
	free(m->stacks);
	free(m->threads);
	free(m->samples);
	memset(m, 0, sizeof *m);
}

static char meta_cmd[] = "python3 -m myapp --workers 8 \xc3\xa9t\xc3\xa9";
static char meta_exe[] = "/usr/bin/python3.11";
static char meta_ver[] = "3.11.7";
static char meta_mode[] = "wall";
static char meta_host[] = "build-host";
static char meta_phv[] = "0.1.0";

static struct prof_meta test_meta(uint32_t rate)
{
	struct prof_meta m = { meta_cmd, meta_exe, meta_ver, meta_mode, meta_host, meta_phv,
	                       4242, rate, 1700000000123456789LL };
	return m;
}

static int def_stack(struct prof_writer *w, struct model *m, uint64_t *rs)
{
	uint32_t id = m->nstacks;
	uint32_t n = (uint32_t)below(rs, 40);
	uint32_t *f = malloc((n ? n : 1) * sizeof *f);
	/* often the outer part of the previous stack, as real stacks are */
	uint32_t keep = 0;
	if (id && below(rs, 2)) {
		const struct stackdef *pv = &m->stacks[id - 1];
		keep = n < pv->n ? n : pv->n;
		keep = (uint32_t)below(rs, keep + 1);
		memcpy(f + n - keep, pv->f + pv->n - keep, keep * sizeof *f);
	}
	for (uint32_t i = 0; i < n - keep; i++)
		f[i] = (uint32_t)below(rs, m->nframes);
	if (m->nstacks == m->cstacks) {
		m->cstacks = m->cstacks ? m->cstacks * 2 : 256;
		m->stacks = realloc(m->stacks, m->cstacks * sizeof *m->stacks);
	}
	m->stacks[m->nstacks++] = (struct stackdef){ n, f };
	return prof_write_stack(w, id, f, n);
}

static void add_sample(struct model *m, uint64_t t, uint32_t th, uint32_t st, uint32_t fl)
{
	if (m->nsamples == m->csamples) {
		m->csamples = m->csamples ? m->csamples * 2 : 4096;
		m->samples = realloc(m->samples, m->csamples * sizeof *m->samples);
	}
	m->samples[m->nsamples++] = (struct prof_sample){ t, th, st, fl };
}

/* Write a recording of about `target` samples with everything in it:
 * `flush_every` samples per chunk. */
static int write_recording(const char *path, struct model *m, uint64_t target,
                           uint64_t flush_every, uint64_t seed)
{
	uint64_t rs = seed;
	memset(m, 0, sizeof *m);
	m->meta = test_meta(997);
	struct ph_error err;
	struct prof_writer *w = prof_writer_open(path, &m->meta, &err);
	if (!w) {
		printf("FAIL: prof_writer_open: %s\n", err.msg);
		return -1;
	}
	int bad = 0;
	/* strings: 0..59, 7 left undefined */
	m->nstrings = 60;
	m->strings = calloc(m->nstrings, sizeof *m->strings);
	for (uint32_t i = 0; i < m->nstrings; i++) {
		if (i == 7)
			continue;
		char b[64];
		if (i == 3)
			b[0] = '\0';
		else
			snprintf(b, sizeof b, "%s_%u%s", i % 3 ? "func" : "/src/file", i,
			         i == 5 ? " \xe2\x9c\x93" : "");
		m->strings[i] = strdup(b);
		bad |= prof_write_string(w, i, b);
	}
	m->nfuncs = 50;
	m->funcs = calloc(m->nfuncs, sizeof *m->funcs);
	for (uint32_t i = 0; i < m->nfuncs; i++) {
		m->funcs[i] = (struct prof_func){ (uint32_t)below(&rs, 70), (uint32_t)below(&rs, 60),
		                                  (int)below(&rs, 3000) - 1 };
		bad |= prof_write_func(w, i, m->funcs[i].name, m->funcs[i].file, m->funcs[i].firstlineno);
	}
	m->nframes = 400;
	m->frames = calloc(m->nframes, sizeof *m->frames);
	for (uint32_t i = 0; i < m->nframes; i++) {
		m->frames[i] = (struct prof_frame){ (uint32_t)below(&rs, m->nfuncs),
		                                    i == 9 ? INT32_MIN : i == 10 ? INT32_MAX :
		                                    (int32_t)below(&rs, 5000) - 2 };
		bad |= prof_write_frame(w, i, m->frames[i].func, m->frames[i].line);
	}
	for (int i = 0; i < 100; i++)
		bad |= def_stack(w, m, &rs);
	m->nthreads = 8;
	m->threads = calloc(m->nthreads, sizeof *m->threads);
	for (uint32_t i = 0; i < m->nthreads; i++) {
		m->threads[i] = (struct prof_thread){ i < 6 ? 4242 : 5151, (pid_t)(4242 + i * 7),
		                                      (uint32_t)below(&rs, 60) };
		bad |= prof_write_thread(w, i, m->threads[i].pid, m->threads[i].tid, m->threads[i].name);
	}
	static const char s0[] = "import os\n\ndef main():\n    print('h\xc3\xa9llo')\n";
	static const char s1[] = "binary\0with\0nul\n";
	m->src[0] = (struct prof_source){ 0, s0, sizeof s0 - 1 };
	m->src[1] = (struct prof_source){ 12, s1, sizeof s1 - 1 };
	m->src[2] = (struct prof_source){ 7, "", 0 };   /* undefined string id: allowed */
	m->nsrc = 3;
	for (uint32_t i = 0; i < m->nsrc; i++)
		bad |= prof_write_source(w, m->src[i].file, m->src[i].text, m->src[i].len);
	if (bad) {
		printf("FAIL: a table write failed\n");
		prof_writer_abort(w);
		return -1;
	}

	const uint64_t I = 1000000000u / 997;
	uint32_t cur_stack[8], cur_flags[8], order[8];
	for (int i = 0; i < 8; i++) {
		cur_stack[i] = (uint32_t)below(&rs, m->nstacks);
		cur_flags[i] = (uint32_t)below(&rs, 16);
		order[i] = (uint32_t)i;
	}
	uint64_t k = 0, since_flush = 0;
	int64_t half_us = (int64_t)(I / 2000) - 2;
	while (m->nsamples < target && !bad) {
		k += below(&rs, 100) ? 1 : 1 + below(&rs, 20);
		int64_t tick_j = below(&rs, 100) ? (int64_t)below(&rs, 100) - 20
		                                 : (int64_t)below(&rs, (uint64_t)(2 * half_us)) - half_us;
		if (!below(&rs, 50)) {
			uint32_t a = (uint32_t)below(&rs, 8), b = (uint32_t)below(&rs, 8), t = order[a];
			order[a] = order[b];
			order[b] = t;
		}
		for (int oi = 0; oi < 8 && m->nsamples < target; oi++) {
			uint32_t th = order[oi];
			if (!below(&rs, 10))
				continue;
			uint64_t r = below(&rs, 1000);
			if (r < 5)
				bad |= def_stack(w, m, &rs), cur_stack[th] = m->nstacks - 1;
			else if (r < 60)
				cur_stack[th] = (uint32_t)below(&rs, m->nstacks);
			if (!below(&rs, 100))
				cur_flags[th] = (uint32_t)below(&rs, 16) | (below(&rs, 100) ? 0 : 0x80000000u);
			int64_t j = tick_j;
			if (!below(&rs, 10))
				j += (int64_t)below(&rs, 7) - 3;
			if (j > half_us)
				j = half_us;
			if (j < -half_us)
				j = -half_us;
			int64_t t_us = (int64_t)(k * I / 1000) + j;
			if (t_us < 0)
				t_us = 0;
			uint64_t t = (uint64_t)t_us * 1000;
			add_sample(m, t, th, cur_stack[th], cur_flags[th]);
			bad |= prof_write_sample(w, t, th, cur_stack[th], cur_flags[th]);
			if (m->nsamples % 5000 == 0) {
				uint64_t e = below(&rs, 5), d = below(&rs, 3);
				m->errors += e;
				m->drops += d;
				bad |= prof_write_counts(w, e, d);
			}
			if (++since_flush >= flush_every) {
				bad |= prof_writer_flush(w);
				since_flush = 0;
			}
		}
	}
	m->errors += 3;
	bad |= prof_write_counts(w, 3, 0);
	m->duration = k * I + 12345;
	if (bad) {
		printf("FAIL: a sample write failed\n");
		prof_writer_abort(w);
		return -1;
	}
	if (prof_writer_close(w, m->duration, &err) < 0) {
		printf("FAIL: prof_writer_close: %s\n", err.msg);
		return -1;
	}
	return 0;
}

struct cmp_ctx { const struct model *m; uint64_t i, bad, first_bad; };

static int cmp_sample(const struct prof_sample *s, void *vctx)
{
	struct cmp_ctx *c = vctx;
	if (c->i >= c->m->nsamples) {
		c->bad++;
		return 1;
	}
	const struct prof_sample *e = &c->m->samples[c->i];
	if (s->t_ns != e->t_ns || s->thread != e->thread || s->stack != e->stack ||
	    s->flags != e->flags) {
		if (!c->bad)
			printf("  sample %llu: got t=%llu th=%u st=%u fl=%u want t=%llu th=%u st=%u fl=%u\n",
			       (unsigned long long)c->i, (unsigned long long)s->t_ns, s->thread, s->stack,
			       s->flags, (unsigned long long)e->t_ns, e->thread, e->stack, e->flags);
		c->bad++;
	}
	c->i++;
	return 0;
}

static int streq(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

static void compare(const struct profile *p, const struct model *m, const char *what)
{
	int okm = streq(p->meta.cmdline, m->meta.cmdline) && streq(p->meta.exe, m->meta.exe) &&
	          streq(p->meta.python_version, m->meta.python_version) &&
	          streq(p->meta.mode, m->meta.mode) && streq(p->meta.host, m->meta.host) &&
	          streq(p->meta.pyheat_version, m->meta.pyheat_version) && p->meta.pid == m->meta.pid &&
	          p->meta.rate_hz == m->meta.rate_hz && p->meta.start_unix_ns == m->meta.start_unix_ns;
	check(okm, "%s: meta", what);
	check(p->format_version == 1 && p->complete == 1, "%s: version %d complete %d", what,
	      p->format_version, p->complete);
	check(p->duration_ns == m->duration && p->nsamples == m->nsamples && p->errors == m->errors &&
	      p->drops == m->drops, "%s: totals %llu %llu %llu %llu want %llu %llu %llu %llu", what,
	      (unsigned long long)p->duration_ns, (unsigned long long)p->nsamples,
	      (unsigned long long)p->errors, (unsigned long long)p->drops,
	      (unsigned long long)m->duration, (unsigned long long)m->nsamples,
	      (unsigned long long)m->errors, (unsigned long long)m->drops);
	int oks = p->nstrings == m->nstrings;
	for (uint32_t i = 0; oks && i < m->nstrings; i++)
		oks = m->strings[i] ? streq(p->strings[i], m->strings[i]) : p->strings[i] == NULL;
	check(oks, "%s: strings", what);
	check(!strcmp(prof_str(p, 7), "?") && !strcmp(prof_str(p, 100000), "?") &&
	      !strcmp(prof_str(p, 5), m->strings[5]) && !strcmp(prof_str(p, 3), ""), "%s: prof_str", what);
	int okf = p->nfuncs == m->nfuncs;
	for (uint32_t i = 0; okf && i < m->nfuncs; i++)
		okf = p->funcs[i].name == m->funcs[i].name && p->funcs[i].file == m->funcs[i].file &&
		      p->funcs[i].firstlineno == m->funcs[i].firstlineno;
	check(okf, "%s: functions", what);
	int okr = p->nframes == m->nframes;
	for (uint32_t i = 0; okr && i < m->nframes; i++)
		okr = p->frames[i].func == m->frames[i].func && p->frames[i].line == m->frames[i].line;
	check(okr, "%s: frames", what);
	int okst = p->nstacks == m->nstacks;
	uint64_t total = 0;
	for (uint32_t i = 0; okst && i < m->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		okst = s->n == m->stacks[i].n && (uint64_t)s->first + s->n <= p->nstack_frames &&
		       (!s->n || !memcmp(p->stack_frames + s->first, m->stacks[i].f, s->n * sizeof(uint32_t)));
		total += s->n;
	}
	check(okst && total == p->nstack_frames, "%s: %u stacks", what, m->nstacks);
	int okt = p->nthreads == m->nthreads;
	for (uint32_t i = 0; okt && i < m->nthreads; i++)
		okt = p->threads[i].pid == m->threads[i].pid && p->threads[i].tid == m->threads[i].tid &&
		      p->threads[i].name == m->threads[i].name;
	check(okt, "%s: threads", what);
	int oksrc = p->nsources == m->nsrc;
	for (uint32_t i = 0; oksrc && i < m->nsrc; i++)
		oksrc = p->sources[i].file == m->src[i].file && p->sources[i].len == m->src[i].len &&
		        !memcmp(p->sources[i].text, m->src[i].text, m->src[i].len) &&
		        p->sources[i].text[p->sources[i].len] == '\0';
	check(oksrc, "%s: sources", what);

	struct cmp_ctx c = { m, 0, 0, 0 };
	struct ph_error err;
	int rc = prof_foreach_sample(p, cmp_sample, &c, &err);
	check(rc == 0 && c.bad == 0 && c.i == m->nsamples, "%s: samples (rc %d: %s; %llu bad, %llu of %llu)",
	      what, rc, rc < 0 ? err.msg : "", (unsigned long long)c.bad, (unsigned long long)c.i,
	      (unsigned long long)m->nsamples);
}

static void test_roundtrip(void)
{
	struct model m;
	const char *path = tmp("roundtrip.pyheat");
	if (write_recording(path, &m, 1000000, 20000, 0x1234567887654321ull) < 0) {
		check(0, "roundtrip: write");
		model_free(&m);
		return;
	}
	struct ph_error err;
	struct profile *p = prof_open(path, &err);
	check(p != NULL, "roundtrip: prof_open: %s", p ? "" : err.msg);
	if (p) {
		compare(p, &m, "roundtrip");
		/* stopping early returns the callback's value */
		struct cmp_ctx c = { &m, 0, 0, 0 };
		m.nsamples = 10;
		int rc = prof_foreach_sample(p, cmp_sample, &c, &err);
		check(rc == 1 && c.i == 10, "roundtrip: a callback's non-zero stops the walk (%d)", rc);
		check_group("roundtrip: 1M samples, %u stacks, %ld bytes (%.2f bytes/sample)", m.nstacks,
		   file_size(path), (double)file_size(path) / 1e6);
	}
	prof_close(p);
	model_free(&m);
}

/* Times that are not whole microseconds come back within 500 ns. */
static int near_ctx_check(const struct prof_sample *s, void *vctx)
{
	uint64_t *st = vctx;   /* [0] index, [1] worst error, [2..] wanted times */
	uint64_t want = st[2 + st[0]++];
	uint64_t d = s->t_ns > want ? s->t_ns - want : want - s->t_ns;
	if (d > st[1])
		st[1] = d;
	return 0;
}

static void test_time_resolution(void)
{
	const char *path = tmp("ns.pyheat");
	struct ph_error err;
	static const uint32_t rates[] = { 1, 3, 97, 100, 997, 1000, 4000, 1000000000, 4000000000u, 0 };
	for (size_t ri = 0; ri < sizeof rates / sizeof rates[0]; ri++) {
		struct prof_meta meta = test_meta(rates[ri]);
		struct prof_writer *w = prof_writer_open(path, &meta, &err);
		uint64_t want[2 + 3000] = { 0 }, rs = 99 + ri, t = 0;
		int bad = !w || prof_write_thread(w, 0, 1, 1, 0) || prof_write_thread(w, 1, 1, 2, 0) ||
		          prof_write_stack(w, 0, NULL, 0);
		for (int i = 0; i < 3000 && !bad; i++) {
			t += below(&rs, 3) ? below(&rs, 20000000) : below(&rs, (uint64_t)1 << 40);
			if (i == 2999)
				t = (uint64_t)1 << 62;    /* the largest time the writer takes */
			want[2 + i] = t;
			bad |= prof_write_sample(w, t, (uint32_t)below(&rs, 2), 0, 0);
		}
		check(!bad && w && prof_writer_close(w, t, &err) == 0, "resolution: write at %u Hz",
		      rates[ri]);
		struct profile *p = prof_open(path, &err);
		int rc = p ? prof_foreach_sample(p, near_ctx_check, want, &err) : -1;
		check(rc == 0 && want[0] == 3000 && want[1] <= 500,
		      "resolution at %u Hz: %llu samples, worst error %llu ns (%s)", rates[ri],
		      (unsigned long long)want[0], (unsigned long long)want[1], rc ? err.msg : "");
		prof_close(p);
	}
	check_group("resolution: times within 500 ns at 10 rates");
}

/* bytes per sample: a steady stack, and many stacks */
static double cost(const char *name, int nthreads, uint32_t nstacks, int steady, uint64_t n)
{
	const char *path = tmp(name);
	struct ph_error err;
	struct prof_meta meta = test_meta(1000);
	struct prof_writer *w = prof_writer_open(path, &meta, &err);
	uint64_t rs = 777;
	int bad = !w;
	for (int i = 0; i < nthreads && !bad; i++)
		bad |= prof_write_thread(w, (uint32_t)i, 10, 10 + i, 0);
	uint32_t frames[20];
	bad |= prof_write_string(w, 0, "f") | prof_write_func(w, 0, 0, 0, 1);
	for (uint32_t i = 0; i < 64 && !bad; i++)
		bad |= prof_write_frame(w, i, 0, (int32_t)i);
	for (uint32_t s = 0; s < nstacks && !bad; s++) {
		for (int i = 0; i < 20; i++)
			frames[i] = (uint32_t)below(&rs, 64);
		bad |= prof_write_stack(w, s, frames, 20);
	}
	long tables = w && !bad && prof_writer_flush(w) == 0 ? file_size(path) : -1;
	uint64_t k = 0;
	for (uint64_t i = 0; i < n && !bad;) {
		k++;
		/* a real sampler's wake-up: 40-90 us late, now and then 1 ms */
		int64_t j = below(&rs, 200) ? 40 + (int64_t)below(&rs, 50) : 1000;
		for (int th = 0; th < nthreads && i < n; th++, i++) {
			uint32_t st = steady ? (uint32_t)th % nstacks : (uint32_t)below(&rs, nstacks);
			bad |= prof_write_sample(w, (k * 1000000 + (uint64_t)j * 1000), (uint32_t)th, st,
			                         PROF_RUNNING);
		}
		if (k % 1000 == 0)       /* once a second */
			bad |= prof_writer_flush(w);
	}
	check(!bad && w && prof_writer_close(w, k * 1000000, &err) == 0, "cost %s: write", name);
	long size = file_size(path);
	double b = (double)(size - tables) / (double)n;
	struct profile *p = prof_open(path, &err);
	check(p && p->nsamples == n && p->complete, "cost %s: read back", name);
	prof_close(p);
	return b;
}

static void test_cost(void)
{
	double steady = cost("steady.pyheat", 1, 1, 1, 100000);
	check(steady <= 2.0, "steady stack: %.3f bytes/sample, want <= 2.0", steady);
	check_group("steady stack, 1 thread: %.3f bytes/sample (100k samples, 1 kHz, flushed every second)", steady);
	double steady8 = cost("steady8.pyheat", 8, 8, 1, 100000);
	check(steady8 <= 2.0, "steady stacks, 8 threads: %.3f bytes/sample, want <= 2.0", steady8);
	check_group("steady stacks, 8 threads: %.3f bytes/sample", steady8);
	double many = cost("many.pyheat", 4, 5000, 0, 100000);
	check_group("many stacks (5000, a random one each sample, 4 threads): %.3f bytes/sample", many);
}

/* ---- the small real file -------------------------------------------------- */
struct prefix_ctx { const struct model *m; uint64_t i, bad; };

static int prefix_sample(const struct prof_sample *s, void *vctx)
{
	struct prefix_ctx *c = vctx;
	if (c->i >= c->m->nsamples)
		return c->bad++, 1;
	const struct prof_sample *e = &c->m->samples[c->i++];
	if (s->t_ns != e->t_ns || s->thread != e->thread || s->stack != e->stack || s->flags != e->flags)
		c->bad++;
	return 0;
}

static int count_sample(const struct prof_sample *s, void *vctx)
{
	(void)s;
	++*(uint64_t *)vctx;
	return 0;
}

/* Open and walk; 0 read, 1 clean error, -1 a wrong answer (printed). */
static int read_any(const char *path, const char *what, uint64_t *nread)
{
	struct ph_error err = { 0, "" };
	struct profile *p = prof_open(path, &err);
	*nread = 0;
	if (!p) {
		if (err.code != PH_EBADFILE || !strstr(err.msg, path) || strchr(err.msg, '\n')) {
			printf("FAIL: %s: error code %d message \"%s\"\n", what, err.code, err.msg);
			return -1;
		}
		return 1;
	}
	int rc = prof_foreach_sample(p, count_sample, nread, &err);
	if (rc == -1 && (err.code != PH_EBADFILE || !strstr(err.msg, path))) {
		printf("FAIL: %s: foreach error code %d message \"%s\"\n", what, err.code, err.msg);
		rc = -2;
	} else if (rc == 0 && *nread != p->nsamples) {
		printf("FAIL: %s: %llu samples walked, %llu counted\n", what,
		       (unsigned long long)*nread, (unsigned long long)p->nsamples);
		rc = -2;
	}
	prof_close(p);
	return rc == -2 ? -1 : rc == 0 ? 0 : 1;
}

static void test_truncation(const char *path, const struct model *m, size_t header)
{
	size_t n;
	uint8_t *full = slurp(path, &n);
	const char *cut = tmp("cut.pyheat");
	uint64_t errors = 0, reads = 0, last = 0, wrong = 0;
	for (size_t len = 0; full && len <= n; len++) {
		if (spit(cut, full, len) < 0) {
			wrong++;
			break;
		}
		struct ph_error err = { 0, "" };
		struct profile *p = prof_open(cut, &err);
		if (len < header) {
			if (p || err.code != PH_EBADFILE || !strstr(err.msg, cut)) {
				if (!wrong++)
					printf("FAIL: cut at %zu (in the header): %s\n", len, p ? "read" : err.msg);
			}
			errors++;
			prof_close(p);
			continue;
		}
		if (!p) {
			if (!wrong++)
				printf("FAIL: cut at %zu: %s\n", len, err.msg);
			continue;
		}
		struct prefix_ctx c = { m, 0, 0 };
		int rc = prof_foreach_sample(p, prefix_sample, &c, &err);
		if (rc != 0 || c.bad || c.i != p->nsamples || p->complete != (len == n) || c.i < last ||
		    (len == n && c.i != m->nsamples)) {
			if (!wrong++)
				printf("FAIL: cut at %zu: rc %d (%s) complete %d, %llu samples (%llu bad), "
				       "%llu counted, before %llu\n", len, rc, rc ? err.msg : "", p->complete,
				       (unsigned long long)c.i, (unsigned long long)c.bad,
				       (unsigned long long)p->nsamples, (unsigned long long)last);
		}
		last = c.i;
		reads++;
		prof_close(p);
	}
	check(full && !wrong, "truncation: %llu wrong answers", (unsigned long long)wrong);
	check_group("truncation at every offset of a %zu-byte file: %llu clean header errors, %llu reads",
	   n, (unsigned long long)errors, (unsigned long long)reads);

	/* zeros where a chunk would start (a crash after the size grew) */
	uint8_t *z = calloc(n + 5000, 1);
	memcpy(z, full, n);
	uint64_t cnt;
	spit(cut, z, n + 5000);
	check(read_any(cut, "complete file + zeros", &cnt) == 0 && cnt == m->nsamples,
	      "a complete file followed by zeros reads");
	free(z);
	free(full);
}

static void test_flips(const char *path, int fix)
{
	size_t n;
	uint8_t *full = slurp(path, &n);
	uint8_t *copy = malloc(n);
	const char *f = tmp("flip.pyheat");
	uint64_t rs = 4711 + (uint64_t)fix, nerr = 0, nread = 0, wrong = 0;
	for (int i = 0; full && copy && i < 1000; i++) {
		memcpy(copy, full, n);
		int flips = 1 + (int)below(&rs, 3);
		for (int k = 0; k < flips; k++)
			copy[below(&rs, n)] ^= (uint8_t)(1 + below(&rs, 255));
		if (fix)
			prof_reseal(copy, n);
		spit(f, copy, n);
		uint64_t cnt;
		char what[64];
		snprintf(what, sizeof what, "flip copy %d", i);
		int rc = read_any(f, what, &cnt);
		if (rc < 0)
			wrong++;
		else if (rc == 0)
			nread++;
		else
			nerr++;
	}
	check(full && !wrong, "byte flips: %llu wrong answers", (unsigned long long)wrong);
	check_group("byte flips in 1000 copies%s: %llu clean errors, %llu read",
	   fix ? " with their checksums made right" : "", (unsigned long long)nerr,
	   (unsigned long long)nread);
	free(copy);
	free(full);
}

static void expect_error(const char *path, const char *want, const char *what)
{
	struct ph_error err = { 0, "" };
	struct profile *p = prof_open(path, &err);
	check(!p && err.code == PH_EBADFILE && strstr(err.msg, want) && strstr(err.msg, path),
	      "%s: \"%s\" (want \"%s\")", what, p ? "read" : err.msg, want);
	if (!p)
		check_group("%s: %s", what, err.msg);
	prof_close(p);
}

static void test_bad_files(const char *good)
{
	const char *f = tmp("bad.pyheat");
	spit(f, (const uint8_t *)"", 0);
	expect_error(f, "empty", "empty file");
	spit(f, (const uint8_t *)"#!/bin/sh\necho hello\n", 21);
	expect_error(f, "not a pyheat profile", "non-pyheat file");
	spit(f, (const uint8_t *)"\x89PYH", 4);
	expect_error(f, "at byte 4", "file cut in the magic");
	expect_error(tmp("does-not-exist.pyheat"), "cannot open", "missing file");
	expect_error(tmpdir, "not a regular file", "a directory");

	size_t n;
	uint8_t *b = slurp(good, &n);
	if (b && n > 20) {
		prof_put_u32le(b + 8, 2);
		spit(f, b, n);
		expect_error(f, "written by a newer pyheat", "future format version");
		prof_put_u32le(b + 8, 1);
		/* a bad header checksum, and a bad chunk checksum (named with its offset) */
		b[17] ^= 1;
		spit(f, b, n);
		expect_error(f, "bad header checksum", "header checksum");
		b[17] ^= 1;
		b[n - 3] ^= 0x10;
		spit(f, b, n);
		expect_error(f, "bad chunk checksum at byte", "chunk checksum");
	}
	free(b);
}

/* The writer, the reader and prof_reseal() share profile-format.h's CRC32:
 * it is the one docs/FORMAT.md names if it gives that CRC's check value. */
static void test_crc(void)
{
	uint32_t t[256];
	prof_crc_init(t);
	uint32_t c = prof_crc32(t, (const uint8_t *)"123456789", 9);
	check(c == 0xcbf43926u, "CRC32 of \"123456789\" is %08x, want cbf43926", (unsigned)c);
	check(prof_crc32(t, NULL, 0) == 0, "CRC32 of nothing");
	check_group("CRC32: the standard check value");
}

/* A later record kind (and a later header field) are skipped by this reader. */
static void test_unknown_kinds(void)
{
	const char *path = tmp("unknown.pyheat");
	struct ph_error err;
	struct prof_meta meta = test_meta(100);
	struct prof_writer *w = prof_writer_open(path, &meta, &err);
	int bad = !w || prof_write_string(w, 0, "main") || prof_write_thread(w, 0, 1, 2, 0) ||
	          prof_write_stack(w, 0, NULL, 0) || prof_write_sample(w, 10000000, 0, 0, 1) ||
	          prof_writer_flush(w);
	prof_writer_abort(w);   /* no trailer: we append a chunk by hand */
	size_t n;
	uint8_t *b = slurp(path, &n);
	check(!bad && b, "unknown kinds: write");
	if (!b)
		return;
	/* a chunk: unknown kind 200 (5 bytes), STRING 1 "x", unknown kind 0
	 * (empty), SAMPLES of 1 sample, latest 20 us: op 0xc8 (thread given,
	 * jitter given, tick delta 0 from the chunk's tick 0), thread 0,
	 * jitter zigzag(20) */
	uint8_t pl2[] = { 200, 5, 1, 2, 3, 4, 5, 1, 2, 1, 'x', 0, 0, 7, 5, 1, 20, 0xc8, 0, 40 };
	uint8_t *nb = malloc(n + 16 + sizeof pl2);
	memcpy(nb, b, n);
	uint8_t *h = nb + n;
	memcpy(h, "CHNK", 4);
	prof_put_u32le(h + 4, sizeof pl2);
	memcpy(h + 16, pl2, sizeof pl2);
	prof_reseal(nb, n + 16 + sizeof pl2);
	spit(path, nb, n + 16 + sizeof pl2);
	struct profile *p = prof_open(path, &err);
	uint64_t cnt = 0;
	int rc = p ? prof_foreach_sample(p, count_sample, &cnt, &err) : -1;
	check(p && rc == 0 && p->nstrings == 2 && !strcmp(prof_str(p, 1), "x") && cnt == 2 &&
	      p->nsamples == 2 && !p->complete && p->duration_ns == 10000000,
	      "unknown record kinds are skipped (%s)", p ? (rc ? err.msg : "") : err.msg);
	prof_close(p);

	/* a header with a field this reader does not know: ignored */
	uint32_t mlen = (uint32_t)b[12] | (uint32_t)b[13] << 8 | (uint32_t)b[14] << 16 |
	                (uint32_t)b[15] << 24;
	size_t hl = 16 + mlen + 4;
	uint8_t *hb = malloc(n + 3);
	memcpy(hb, b, 16 + mlen);
	hb[16 + mlen] = 0x01;                /* later fields */
	hb[16 + mlen + 1] = 0x02;
	hb[16 + mlen + 2] = 0x03;
	prof_put_u32le(hb + 12, mlen + 3);
	memcpy(hb + hl + 3, b + hl, n - hl);
	prof_reseal(hb, n + 3);
	spit(path, hb, n + 3);
	p = prof_open(path, &err);
	check(p && p->nsamples == 1 && !strcmp(p->meta.host, "build-host"),
	      "unknown header fields are skipped (%s)", p ? "" : err.msg);
	prof_close(p);
	check_group("unknown record kinds and header fields are skipped");
	free(hb);
	free(nb);
	free(b);
}

/* Stacks as deep as the walker goes (8192), thousands of them differing
 * only in the innermost frame: shared frames would expand past the reader's
 * cap, so the writer writes some in full, and the file reads. And a
 * hand-made file that expands past the cap is an error. */
static void test_deep_stacks(void)
{
	const char *path = tmp("deep.pyheat");
	struct ph_error err;
	struct prof_meta meta = test_meta(100);
	struct prof_writer *w = prof_writer_open(path, &meta, &err);
	enum { DEPTH = 8192, NSTACKS = 2500 };
	uint32_t *f = malloc(DEPTH * sizeof *f);
	int bad = !w || !f || prof_write_func(w, 0, 0, 0, 1);
	for (uint32_t i = 0; i < 16 && !bad; i++)
		bad |= prof_write_frame(w, i, 0, (int32_t)i);
	for (uint32_t i = 0; f && i < DEPTH; i++)
		f[i] = i % 7;
	for (uint32_t s = 0; s < NSTACKS && !bad; s++) {
		f[0] = 7 + s % 9;
		f[1] = s % 5;
		bad |= prof_write_stack(w, s, f, DEPTH);
	}
	bad |= w ? prof_write_thread(w, 0, 1, 1, 0) | prof_write_sample(w, 0, 0, NSTACKS - 1, 0) : -1;
	check(!bad && prof_writer_close(w, 1, &err) == 0, "deep stacks: write");
	struct profile *p = prof_open(path, &err);
	int good = p && p->nstacks == NSTACKS && p->nstack_frames == (uint64_t)DEPTH * NSTACKS;
	for (uint32_t s = 0; good && s < NSTACKS; s += 97) {
		const uint32_t *sf = p->stack_frames + p->stacks[s].first;
		good = p->stacks[s].n == DEPTH && sf[0] == 7 + s % 9 && sf[1] == s % 5 &&
		       sf[DEPTH - 1] == (DEPTH - 1) % 7;
	}
	check(good, "deep stacks: %d stacks of %d frames (%.1f MB of frames) in a %ld-byte file read (%s)",
	      NSTACKS, DEPTH, NSTACKS * (double)DEPTH * 4 / 1e6, file_size(path), p ? "" : err.msg);
	if (good)
		check_group("deep stacks: %d stacks of %d frames, %ld-byte file", NSTACKS, DEPTH, file_size(path));
	prof_close(p);

	/* by hand: FUNC 0, FRAME 0, a STACK of 4096 frames, then 6000 STACKs
	 * sharing all 4096 (24.6M frames from ~50 KB) */
	size_t hdr_n;
	uint8_t *hdr = slurp(path, &hdr_n);
	size_t hl = hdr ? 16 + (size_t)prof_get_u32le(hdr + 12) + 4 : 0;
	size_t cap = hl + 16 + 16 + 4200 + 6000 * 12;
	uint8_t *b = hdr ? malloc(cap) : NULL;
	if (b) {
		memcpy(b, hdr, hl);
		uint8_t *pl = b + hl + 16, *q = pl;
		*q++ = 2; *q++ = 4; *q++ = 0; *q++ = 0; *q++ = 0; *q++ = 2;   /* FUNC 0 */
		*q++ = 3; *q++ = 3; *q++ = 0; *q++ = 0; *q++ = 2;             /* FRAME 0 */
		/* STACK 0: id 0, n 4096, shared 0, 4096 zeros: body 1 + 2 + 1 + 4096 */
		*q++ = 4; *q++ = 0x84; *q++ = 0x20; *q++ = 0; *q++ = 0x80; *q++ = 0x20; *q++ = 0;
		memset(q, 0, 4096);
		q += 4096;
		for (uint32_t id = 1; id <= 6000; id++) {
			uint8_t body[12], *e = body;
			uint32_t v = id;
			while (v >= 0x80) {
				*e++ = (uint8_t)(v | 0x80);
				v >>= 7;
			}
			*e++ = (uint8_t)v;
			*e++ = 0x80; *e++ = 0x20;      /* n 4096 */
			*e++ = 0x80; *e++ = 0x20;      /* shared 4096 */
			*q++ = 4;
			*q++ = (uint8_t)(e - body);
			memcpy(q, body, (size_t)(e - body));
			q += e - body;
		}
		uint8_t *h = b + hl;
		memcpy(h, "CHNK", 4);
		prof_put_u32le(h + 4, (uint32_t)(q - pl));
		prof_reseal(b, (size_t)(q - b));
		spit(path, b, (size_t)(q - b));
		expect_error(path, "too many stack frames", "stack frames past the cap");
	}
	free(b);
	free(hdr);
	free(f);
}

/* A writer killed with SIGKILL: readable up to its last flush. */
static void test_sigkill(void)
{
	const char *path = tmp("killed.pyheat");
	int pipefd[2];
	if (pipe(pipefd) < 0) {
		check(0, "sigkill: pipe");
		return;
	}
	pid_t pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		struct ph_error err;
		struct prof_meta meta = test_meta(1000);
		struct prof_writer *w = prof_writer_open(path, &meta, &err);
		if (!w || prof_write_thread(w, 0, 1, 1, 0) || prof_write_stack(w, 0, NULL, 0))
			_exit(1);
		for (uint64_t i = 0;; i++) {
			if (prof_write_sample(w, i * 1000000 + 50000, 0, 0, 0))
				_exit(1);
			if (i % 1000 == 999) {
				prof_writer_flush(w);
				if (i == 9999 && write(pipefd[1], "x", 1) != 1)
					_exit(1);
			}
		}
	}
	close(pipefd[1]);
	char c;
	ssize_t got = read(pipefd[0], &c, 1);
	close(pipefd[0]);
	kill(pid, SIGKILL);
	int status;
	waitpid(pid, &status, 0);
	struct ph_error err;
	struct profile *p = got == 1 ? prof_open(path, &err) : NULL;
	uint64_t cnt = 0;
	int rc = p ? prof_foreach_sample(p, count_sample, &cnt, &err) : -1;
	check(p && rc == 0 && !p->complete && p->nsamples >= 10000 && cnt == p->nsamples &&
	      p->nsamples % 1000 == 0 && p->duration_ns == (p->nsamples - 1) * 1000000 + 50000,
	      "sigkill: %s", p ? (rc ? err.msg : "") : got == 1 ? err.msg : "child failed");
	if (p)
		check_group("writer killed by SIGKILL: %llu samples of whole chunks read, complete = 0",
		   (unsigned long long)p->nsamples);
	prof_close(p);
}

/* The writer refuses what the reader would reject, and the file stays good. */
static void test_writer_refuses(void)
{
	const char *path = tmp("refuse.pyheat");
	struct ph_error err;
	struct prof_meta meta = { 0 };            /* NULL strings: written as "" */
	struct prof_writer *w = prof_writer_open(path, &meta, &err);
	check(w != NULL, "refuse: open");
	if (!w)
		return;
	uint32_t fr[2] = { 0, 5 };
	check(prof_write_string(w, 0, "a") == 0 && prof_write_string(w, 0, "b") == -1,
	      "refuse: duplicate string");
	check(prof_write_string(w, 1u << 28, "a") == -1, "refuse: string id too large");
	check(prof_write_string(w, 5000, "a") == -1 && prof_write_thread(w, 5000, 1, 1, 0) == -1,
	      "refuse: an id past the file's size");
	check(prof_write_frame(w, 0, 0, 1) == -1, "refuse: frame of an undefined function");
	check(prof_write_func(w, 0, 0, 0, 1) == 0 && prof_write_frame(w, 0, 0, 1) == 0,
	      "refuse: function and frame");
	check(prof_write_stack(w, 0, fr, 2) == -1, "refuse: stack of an undefined frame");
	check(prof_write_stack(w, 0, fr, 1) == 0 && prof_write_stack(w, 0, fr, 1) == -1,
	      "refuse: duplicate stack");
	check(prof_write_sample(w, 0, 0, 0, 0) == -1, "refuse: sample of an undefined thread");
	check(prof_write_thread(w, 3, 1, 1, 99) == 0 && prof_write_thread(w, 3, 1, 1, 99) == -1,
	      "refuse: duplicate thread");
	check(prof_write_sample(w, 0, 3, 1, 0) == -1, "refuse: sample of an undefined stack");
	check(prof_write_sample(w, 0, 2, 0, 0) == -1, "refuse: sample of a thread id never defined");
	check(prof_write_sample(w, 5, 3, 0, 0) == 0, "refuse: a good sample");
	check(prof_write_source(w, 0, "x", 1) == 0 && prof_write_source(w, 0, "y", 1) == -1,
	      "refuse: duplicate source");
	check(prof_writer_close(w, 5, &err) == 0, "refuse: close");
	struct profile *p = prof_open(path, &err);
	check(p && p->complete && p->nsamples == 1 && p->nthreads == 4 && p->nstacks == 1 &&
	      !strcmp(p->meta.host, "") && p->meta.rate_hz == 0,
	      "refuse: the file reads (%s)", p ? "" : err.msg);
	prof_close(p);
	check(prof_writer_open(tmp("no/such/dir.pyheat"), &meta, &err) == NULL &&
	      err.code == PH_ESYSTEM && strstr(err.msg, "cannot create"),
	      "writer: an uncreatable file is an error (%s)", err.msg);
	check_group("the writer refuses duplicates and undefined references");
}

static int sum_sample(const struct prof_sample *s, void *vctx)
{
	*(uint64_t *)vctx += s->t_ns + s->stack;
	return 0;
}

static void bench(uint64_t n)
{
	const char *path = tmp("bench.pyheat");
	struct ph_error err;
	struct prof_meta meta = test_meta(1000);
	struct prof_writer *w = prof_writer_open(path, &meta, &err);
	uint64_t rs = 31337;
	int bad = !w || prof_write_string(w, 0, "f") || prof_write_func(w, 0, 0, 0, 1) ||
	          prof_write_frame(w, 0, 0, 1);
	uint32_t zero[1] = { 0 };
	for (uint32_t s = 0; s < 1000 && !bad; s++)
		bad |= prof_write_stack(w, s, zero, 1);
	for (uint32_t t = 0; t < 16 && !bad; t++)
		bad |= prof_write_thread(w, t, 1, (pid_t)t, 0);
	uint32_t cur[16] = { 0 };
	double t0 = now_s();
	uint64_t k = 0, i = 0;
	while (i < n && !bad) {
		k++;
		uint64_t base = k * 1000000 + 40000 + below(&rs, 30) * 1000;
		for (uint32_t t = 0; t < 16 && i < n; t++, i++) {
			if ((rnd(&rs) & 63) == 0)
				cur[t] = (uint32_t)below(&rs, 1000);
			bad |= prof_write_sample(w, base, t, cur[t], PROF_RUNNING);
		}
		if ((k & 1023) == 0)
			bad |= prof_writer_flush(w);
	}
	bad |= w ? prof_writer_close(w, k * 1000000, &err) : -1;
	double t1 = now_s();
	struct profile *p = prof_open(path, &err);
	uint64_t sum = 0;
	int rc = p ? prof_foreach_sample(p, sum_sample, &sum, &err) : -1;
	double t2 = now_s();
	check(!bad && p && rc == 0 && p->nsamples == n, "bench: %s", p ? "" : err.msg);
	check_group("bench: %llu samples (16 threads, 1000 stacks): write %.0f ns/sample, %.2f bytes/sample; "
	   "read (open + walk) %.1fM samples/s",
	   (unsigned long long)n, (t1 - t0) * 1e9 / (double)n, (double)file_size(path) / (double)n,
	   (double)n / (t2 - t1) / 1e6);
	prof_close(p);
	unlink(path);
}

int main(int argc, char **argv)
{
	uint64_t bench_n = SANITIZED ? 1000000 : 10000000;
	if (argc >= 2 && !strcmp(argv[1], "--bench") && argc >= 3)
		bench_n = strtoull(argv[2], NULL, 10);
	const char *base = getenv("TMPDIR");
	snprintf(tmpdir, sizeof tmpdir, "%s/test-profile.XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("FAIL: mkdtemp %s: %s\n", tmpdir, strerror(errno));
		return 1;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	test_crc();
	test_roundtrip();
	test_time_resolution();
	test_cost();

	/* the small real file: ~20 KB, several chunks */
	struct model m;
	const char *small = tmp("small.pyheat");
	if (write_recording(small, &m, 7500, 900, 42) == 0) {
		struct ph_error err;
		struct profile *p = prof_open(small, &err);
		check(p != NULL, "small: open (%s)", p ? "" : err.msg);
		if (p)
			compare(p, &m, "small");
		prof_close(p);
		size_t n;
		uint8_t *b = slurp(small, &n);
		size_t header = b && n >= 16 ? 16 + ((size_t)b[12] | (size_t)b[13] << 8) + 4 : 0;
		free(b);
		check_group("small file: %zu bytes, %llu samples", n, (unsigned long long)m.nsamples);
		test_truncation(small, &m, header);
		test_flips(small, 0);
		test_flips(small, 1);
		test_bad_files(small);
	} else {
		check(0, "small: write");
	}
	model_free(&m);

	test_unknown_kinds();
	test_deep_stacks();
	test_sigkill();
	test_writer_refuses();
	bench(bench_n);

	/* leave nothing behind */
	char cmd[4300];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("note: could not remove %s\n", tmpdir);
	return check_done("test-profile");
}
