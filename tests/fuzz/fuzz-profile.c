/* fuzz-profile — libFuzzer target for the raw profile reader
 * (src/profile-read.c; docs/FORMAT.md).
 *
 *   clang -g -fsanitize=fuzzer,address,undefined -std=c11 -D_GNU_SOURCE -Iinclude \
 *         tests/fuzz/fuzz-profile.c src/profile-read.c src/profile-write.c src/error.c \
 *         -o /tmp/fuzz-profile
 *   /tmp/fuzz-profile -max_total_time=60 CORPUS tests/fuzz/seeds/profile
 *
 * (or `make fuzz`.) With -DFUZZ_STANDALONE (any compiler) it is a plain
 * program: `fuzz-profile FILE...` runs the same checks on files, and
 * `fuzz-profile --seeds DIR` writes the seed files with the real writer.
 *
 * Each input is read twice from a memfd: as it is, and with every checksum
 * recomputed (as far as the chunk structure holds), so that mutations reach
 * the record and sample decoders rather than stopping at a CRC. The reader
 * must either fail with PH_EBADFILE and a one-line message naming the file
 * and a byte offset (or the header) — or give tables whose references are
 * all in range and samples whose thread and stack are defined, as many as
 * it counted. Anything else aborts. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "profile.h"
#include "profile-format.h"

static void die(const char *what, const char *detail)
{
	fprintf(stderr, "fuzz-profile: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
	abort();
}

struct walk { const struct profile *p; uint64_t n; };

static int on_sample(const struct prof_sample *s, void *vctx)
{
	struct walk *w = vctx;
	const struct profile *p = w->p;
	if (s->thread >= p->nthreads || s->stack >= p->nstacks)
		die("sample with an id out of range", NULL);
	if (s->t_ns % 1000)
		die("sample time not in whole microseconds", NULL);
	const struct prof_stack *st = &p->stacks[s->stack];
	if ((uint64_t)st->first + st->n > p->nstack_frames)
		die("sample's stack out of range", NULL);
	w->n++;
	return 0;
}

static void check_error(const struct ph_error *err, const char *path)
{
	if (err->code != PH_EBADFILE)
		die("error code is not PH_EBADFILE", err->msg);
	if (!strstr(err->msg, path))
		die("error message does not name the file", err->msg);
	if (strchr(err->msg, '\n'))
		die("error message has a newline", err->msg);
}

static void check_file(const char *path)
{
	struct ph_error err = { 0, "" };
	struct profile *p = prof_open(path, &err);
	if (!p) {
		check_error(&err, path);
		return;
	}
	for (uint32_t i = 0; i < p->nfuncs; i++)
		(void)prof_str(p, p->funcs[i].name), (void)prof_str(p, p->funcs[i].file);
	for (uint32_t i = 0; i < p->nframes; i++)
		if (p->frames[i].func >= p->nfuncs && !(p->frames[i].func == 0 && p->frames[i].line == 0))
			die("frame of a function out of range", NULL);
	for (uint32_t i = 0; i < p->nstacks; i++) {
		const struct prof_stack *s = &p->stacks[i];
		if ((uint64_t)s->first + s->n > p->nstack_frames)
			die("stack out of range", NULL);
		for (uint32_t k = 0; k < s->n; k++)
			if (p->stack_frames[s->first + k] >= p->nframes)
				die("stack frame out of range", NULL);
	}
	for (uint32_t i = 0; i < p->nthreads; i++)
		(void)prof_str(p, p->threads[i].name);
	for (uint32_t i = 0; i < p->nsources; i++)
		if (p->sources[i].text[p->sources[i].len] != '\0')
			die("source text not terminated", NULL);
	if (!p->meta.cmdline || !p->meta.exe || !p->meta.python_version || !p->meta.mode ||
	    !p->meta.host || !p->meta.pyheat_version)
		die("meta string missing", NULL);
	struct walk w = { p, 0 };
	int rc = prof_foreach_sample(p, on_sample, &w, &err);
	if (rc < 0)
		check_error(&err, path);
	else if (rc != 0)
		die("foreach returned what no callback did", NULL);
	else if (w.n != p->nsamples)
		die("walked a different number of samples than counted", NULL);
	prof_close(p);
}

static void run(const uint8_t *data, size_t size)
{
	int fd = memfd_create("fuzz-profile", MFD_CLOEXEC);
	if (fd < 0)
		die("memfd_create", NULL);
	size_t done = 0;
	while (done < size) {
		ssize_t k = write(fd, data + done, size - done);
		if (k <= 0)
			die("write to memfd", NULL);
		done += (size_t)k;
	}
	char path[64];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	check_file(path);
	close(fd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	run(data, size);
	uint8_t *copy = malloc(size ? size : 1);
	if (!copy)
		return 0;
	if (size)
		memcpy(copy, data, size);
	prof_reseal(copy, size);
	if (size && memcmp(copy, data, size))
		run(copy, size);
	free(copy);
	return 0;
}

#ifdef FUZZ_STANDALONE
#include "standalone.h"

/* ---- seeds: small real files --------------------------------------------- */
static int seed(const char *dir, const char *name, int nthreads, int nsamples, int complete,
                int wild)
{
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	struct prof_meta meta = { "python3 app.py --port 8080", "/usr/bin/python3.12", "3.12.3",
	                          wild ? "cpu" : "wall", "host", "0.1.0", 321, wild ? 997 : 100,
	                          1700000000000000000LL };
	struct ph_error err;
	struct prof_writer *w = prof_writer_open(path, &meta, &err);
	if (!w) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	static const char *strs[] = { "main", "app.py", "work", "lib/util.py", "MainThread", "worker" };
	int bad = 0;
	for (uint32_t i = 0; i < 6; i++)
		bad |= prof_write_string(w, i, strs[i]);
	bad |= prof_write_func(w, 0, 0, 1, 1) | prof_write_func(w, 1, 2, 3, 10);
	for (uint32_t i = 0; i < 6; i++)
		bad |= prof_write_frame(w, i, i % 2, (int32_t)(i * 3 + 1));
	uint32_t f[6] = { 5, 3, 1, 0, 2, 4 };
	bad |= prof_write_stack(w, 0, f + 3, 1);
	bad |= prof_write_stack(w, 1, f + 2, 2);
	bad |= prof_write_stack(w, 2, f + 1, 3);
	bad |= prof_write_stack(w, 3, f, 4);
	bad |= prof_write_stack(w, 4, NULL, 0);
	for (int t = 0; t < nthreads; t++)
		bad |= prof_write_thread(w, (uint32_t)t, 321 + (t > 2), 321 + t, 4 + (t > 0));
	bad |= prof_write_source(w, 1, "def main():\n    work()\n", 23);
	uint64_t I = 1000000000u / meta.rate_hz, x = 12345;
	for (int i = 0; i < nsamples && !bad;) {
		uint64_t k = (uint64_t)(i / nthreads) + 1;
		for (int t = 0; t < nthreads && i < nsamples; t++, i++) {
			x = x * 6364136223846793005ull + 1442695040888963407ull;
			uint32_t st = wild ? (uint32_t)(x >> 60) % 5 : (uint32_t)t % 5;
			uint64_t j = wild ? (x >> 40) % 3000000 : 50000 + (x >> 50) % 20000;
			bad |= prof_write_sample(w, k * I + j, (uint32_t)t, st,
			                         wild ? (uint32_t)(x >> 33) % 16 : PROF_RUNNING);
		}
		if (i % 16 == 0) {
			bad |= prof_write_counts(w, 1, (uint64_t)wild);
			bad |= prof_writer_flush(w);
		}
		if (wild && i == 40)
			bad |= prof_write_stack(w, 5, f, 6);
	}
	if (bad) {
		fprintf(stderr, "%s: a write failed\n", path);
		prof_writer_abort(w);
		return -1;
	}
	if (!complete) {
		prof_writer_abort(w);
		return 0;
	}
	if (prof_writer_close(w, 123456789, &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "--seeds")) {
		int rc = seed(argv[2], "steady", 1, 40, 1, 0) | seed(argv[2], "threads", 4, 64, 1, 0) |
		         seed(argv[2], "wild", 3, 90, 1, 1) | seed(argv[2], "cut-short", 2, 50, 0, 1) |
		         seed(argv[2], "no-samples", 1, 0, 1, 0);
		return rc ? 1 : 0;
	}
	return fuzz_run_files("fuzz-profile", argc, argv, 1 << 20);
}
#endif
