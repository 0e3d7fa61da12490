/* profile.h — the raw profile: pyheat's own file format (docs/FORMAT.md),
 * its streaming writer and its reader.
 *
 * A recording is a stream of typed, length-prefixed records grouped in
 * chunks, flushed at least once a second, so a recording cut short (even by
 * SIGKILL) is readable up to its last flush. Tables (strings, functions,
 * frames, stacks, threads, sources) are defined before the samples that use
 * them, by ids the writer's caller chooses (dense, from 0). Unknown record
 * kinds are skipped, so later kinds (memory, I/O, native) do not break old
 * readers. The reader treats the file as hostile: any corruption is a
 * PH_EBADFILE error with a message, never a crash. */
#ifndef PYHEAT_PROFILE_H
#define PYHEAT_PROFILE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"

/* Sample flags (also the sampler's). */
enum prof_sample_flags {
	PROF_RUNNING   = 1u << 0,  /* the thread's OS state was R */
	PROF_HOLDS_GIL = 1u << 1,
	PROF_ATTACHED  = 1u << 2,  /* free-threaded builds */
	PROF_TRUNCATED = 1u << 3,  /* the stack was deeper than recorded */
};

struct prof_meta {
	char *cmdline;          /* target command line */
	char *exe;              /* target executable */
	char *python_version;   /* "3.11.7", "3.13.5t" */
	char *mode;             /* "cpu", "wall", "gil" */
	char *host;             /* hostname */
	char *pyheat_version;
	pid_t pid;              /* the first (root) target */
	uint32_t rate_hz;       /* requested sampling rate */
	int64_t start_unix_ns;  /* wall-clock start */
};

/* ---- writer -------------------------------------------------------------- */

struct prof_writer;

struct prof_writer *prof_writer_open(const char *path, const struct prof_meta *meta,
                                     struct ph_error *err);
int prof_write_string(struct prof_writer *w, uint32_t id, const char *s);
int prof_write_func(struct prof_writer *w, uint32_t id, uint32_t name, uint32_t file, int firstlineno);
int prof_write_frame(struct prof_writer *w, uint32_t id, uint32_t func, int32_t line);
/* frames innermost first */
int prof_write_stack(struct prof_writer *w, uint32_t id, const uint32_t *frames, uint32_t n);
int prof_write_thread(struct prof_writer *w, uint32_t id, pid_t pid, pid_t tid, uint32_t name);
/* The source text of a file (by its string id), as read from the target. */
int prof_write_source(struct prof_writer *w, uint32_t file, const char *text, size_t len);
/* One sample: time since the start, in ns; a thread and stack id. */
int prof_write_sample(struct prof_writer *w, uint64_t t_ns, uint32_t thread, uint32_t stack,
                      uint32_t flags);
/* Counters since the last call: samples that failed (torn reads), and
 * samples dropped because the ring was full. */
int prof_write_counts(struct prof_writer *w, uint64_t errors, uint64_t drops);
/* End the current chunk and write it out (fflush + no fsync). Call at least
 * once a second. */
int prof_writer_flush(struct prof_writer *w);
/* Flush, write the trailer (duration, totals) that marks a complete file, close. */
int prof_writer_close(struct prof_writer *w, uint64_t duration_ns, struct ph_error *err);
/* Close without the trailer (error paths). */
void prof_writer_abort(struct prof_writer *w);

/* ---- reader -------------------------------------------------------------- */

struct prof_func { uint32_t name, file; int firstlineno; };
struct prof_frame { uint32_t func; int32_t line; };
struct prof_stack { uint32_t first, n; };   /* into profile.stack_frames, innermost first */
struct prof_thread { pid_t pid, tid; uint32_t name; };
struct prof_source { uint32_t file; const char *text; size_t len; };

struct profile {
	struct prof_meta meta;
	int format_version;
	int complete;             /* the trailer was found; 0 = cut short */
	uint64_t duration_ns;     /* from the trailer, else the last sample's time */
	uint64_t nsamples, errors, drops;
	char **strings; uint32_t nstrings;          /* NULL for ids never defined */
	struct prof_func *funcs; uint32_t nfuncs;
	struct prof_frame *frames; uint32_t nframes;
	struct prof_stack *stacks; uint32_t nstacks;
	uint32_t *stack_frames; uint64_t nstack_frames;
	struct prof_thread *threads; uint32_t nthreads;
	struct prof_source *sources; uint32_t nsources;
	char *path;
	void *priv;               /* reader state */
};

struct prof_sample { uint64_t t_ns; uint32_t thread, stack, flags; };

/* Read a file's tables and counts (first pass; samples are not kept). */
struct profile *prof_open(const char *path, struct ph_error *err);
/* Stream every sample, in file order (time order per thread), to fn; a
 * non-zero return from fn stops the walk and is returned. -1 with err on a
 * read error. */
int prof_foreach_sample(const struct profile *p, int (*fn)(const struct prof_sample *s, void *ctx),
                        void *ctx, struct ph_error *err);
void prof_close(struct profile *p);

/* Safe accessors: "" / "?" for ids out of range or undefined. */
const char *prof_str(const struct profile *p, uint32_t id);

#endif
