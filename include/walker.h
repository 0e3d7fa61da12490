/* walker.h — every thread's Python stack, read from outside.
 *
 * The sampler's hot path: after walker_new() nothing here allocates, prints
 * or locks. Code objects are resolved once into a cache (names, file, line
 * table copied into a fixed arena) keyed by address and re-validated against
 * a fingerprint of the object's immutable fields (and a check that it is not
 * freed memory), so a code object freed and recreated at the same address
 * never shows a stale name: on every sample, or, where the interpreter
 * counts the code objects it creates (3.12, 3.13+ release builds), on the
 * samples after that counter moved and every 64th sample.
 *
 * Everything read from the target is hostile: counts and depths are capped,
 * pointers checked, and a torn read fails that thread's sample (counted in
 * the thread's `error`), never the process.
 *
 * A thread that cannot have run Python code since its last walk (the GIL's
 * switch count proves it: see idle_since() in walker.c) gets that walk's
 * stack again without a walk, for at most 64 samples in a row; after 16,
 * its frames leave the batched read too (parked), and its next walk reads
 * them apart in one call. */
#ifndef PYHEAT_WALKER_H
#define PYHEAT_WALKER_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "target.h"

#define WALK_MAX_THREADS 1024     /* threads per sample */
#define WALK_MAX_INTERPS 64       /* sub-interpreters followed */
#define WALK_MAX_FRAMES  8192     /* deeper stacks are cut and marked truncated */

#define WALK_CODE_CAP    65536u   /* code objects cached before the cache is flushed */
#define WALK_TYPE_CAP    4096u    /* class names cached before the cache is flushed */

#define CODE_NONE UINT32_MAX

/* One resolved code object. Strings are UTF-8, NUL-terminated, owned by the
 * walker's arena and valid until walker_free() or a cache flush. */
struct code_info {
	uint64_t addr;
	const char *name;          /* co_qualname (3.11+) or co_name */
	const char *file;          /* co_filename */
	const uint8_t *linetable;  /* a copy of co_lnotab / co_linetable */
	uint32_t linetable_len;
	int firstlineno;
	uint64_t fingerprint;      /* hash of the immutable fields */
	uint64_t first_arg_name;   /* interned "self"/"cls" check (<= 3.10): 1 self, 2 cls, 0 none */
};

struct frame_ref {
	uint32_t code;             /* index into the code cache, or CODE_NONE */
	int32_t line;              /* source line, or -1 when unknown */
	uint32_t class_name;       /* type-name cache index for "Class.method" (<= 3.10), or CODE_NONE */
	uint64_t addr;             /* the frame's address in the target */
};

enum thread_flags {
	THREAD_HOLDS_GIL  = 1u << 0,
	THREAD_ATTACHED   = 1u << 1,  /* free-threaded builds: attached to the interpreter */
	THREAD_RUNNING    = 1u << 2,  /* OS state R */
	THREAD_GIL_KNOWN  = 1u << 3,  /* the GIL holder could be read this sample */
	THREAD_GIL_SWITCHES = 1u << 4,/* gil, gil_switches, gil_last_holder are a consistent reading */
};

struct thread_info {
	uint64_t tstate;
	uint64_t interp;
	int64_t interp_id;         /* 0 for the main interpreter */
	pid_t tid;                 /* host TID, 0 when unknown */
	uint64_t thread_id;        /* threading.get_ident() */
	unsigned flags;            /* enum thread_flags */
	char os_state;             /* 'R', 'S', 'D', ... or 0 */
	uint64_t top_frame;        /* innermost frame address, 0 when no Python frame */
	uint64_t stack_chunk;      /* the current data-stack chunk (3.11+), or 0 */
	uint64_t gil;              /* the GIL struct this thread's interpreter uses */
	uint64_t gil_switches;     /* its switch count and last holder, read before any frame */
	uint64_t gil_last_holder;
};

struct walker;

struct walker *walker_new(struct target *t, struct ph_error *err);
void walker_free(struct walker *w);

/* The thread states of every interpreter, with TIDs, GIL and OS state.
 * Returns the count (<= cap), or -1 with err set (PH_EEXITED when the
 * target is gone, PH_EREAD for a torn thread list). */
int walker_threads(struct walker *w, struct thread_info *out, int cap, struct ph_error *err);

/* The Python stack of one thread, innermost first, into frames[cap].
 * Returns the depth written; *truncated is set when the stack was deeper
 * than cap; -1 when the walk failed (torn read, garbage pointer) twice: a
 * torn first reading from the batch is read again from the target. */
int walker_stack(struct walker *w, const struct thread_info *th, struct frame_ref *frames, int cap,
                 int *truncated);

const struct code_info *walker_code(const struct walker *w, uint32_t id);
const char *walker_type_name(const struct walker *w, uint32_t id);

/* Whether walker_threads() reads each thread's OS state (running/idle)
 * from /proc: one pread per thread per sample. On by default. */
void walker_want_os_state(struct walker *w, int on);

/* Local variables of one frame (slow path, for `dump --locals`): calls
 * fn(name, value, ctx) for each local that has a value. Returns 0 or -1. */
int walker_locals(struct walker *w, const struct frame_ref *f,
                  void (*fn)(const char *name, const char *value, void *ctx), void *ctx);

/* Bumped on every cache flush: code and type ids given out before it are
 * void (they will be reused for other objects). */
uint64_t walker_generation(const struct walker *w);

/* Counters since walker_new(). */
struct walker_stats {
	uint64_t samples;        /* walker_threads() calls */
	uint64_t fetch_misses;   /* reads the batched prefetch did not cover */
	uint64_t code_misses, code_stale, cache_flushes, bad_frames;
	uint64_t retries;        /* stacks read again from the target after a torn first reading */
	uint64_t code_checks;    /* code objects checked by their fingerprint */
	uint64_t code_vouched;   /* ... and not, the code counter having stood still */
	uint64_t entry_reads;    /* C-stack entry frames read (the others were remembered) */
	uint64_t stack_reuses;   /* stacks of idle threads given again, not walked */
	uint64_t parked_walks;   /* walks of parked threads, their frames read apart first */
};
void walker_get_stats(const struct walker *w, struct walker_stats *out);

/* The batched read the next sample starts with (*iov, valid until the next
 * walker call; the count is returned). For bench/walkrate: replaying it
 * alone measures the system call's share of a sample. */
int walker_plan(const struct walker *w, const struct remote_iov **iov);

#endif
