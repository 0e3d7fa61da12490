/* aggregator.h — the consumer side of the ring: turns the sampler's
 * messages into the profile's tables and samples and streams them into the
 * raw file.
 *
 * Runs on its own thread. Interns strings, functions (display name, file),
 * frames (function, line), stacks and threads; writes each definition to the
 * raw file before the first sample that uses it, the source text of each new
 * file (read through /proc/PID/root, bounded), per-chunk error and drop
 * counts, and flushes a chunk at least every FLUSH_INTERVAL. Memory grows
 * only with distinct strings, frames and stacks. */
#ifndef PYHEAT_AGGREGATOR_H
#define PYHEAT_AGGREGATOR_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "profile.h"
#include "ring.h"
#include "sampler.h"

struct aggregator;

/* An optional observer (the live view, src/live.c): told, on the aggregator's
 * thread and in file order, each definition and sample as it is written, and
 * each flush. Callbacks must be quick (they may take their own lock); any may
 * be NULL. */
struct aggregator_hook {
	void *ctx;
	void (*string)(void *ctx, uint32_t id, const char *s, size_t len);
	void (*func)(void *ctx, uint32_t id, uint32_t name, uint32_t file, int firstlineno);
	void (*frame)(void *ctx, uint32_t id, uint32_t func, int32_t line);
	void (*stack)(void *ctx, uint32_t id, const uint32_t *frames, uint32_t n);
	void (*thread)(void *ctx, uint32_t id, pid_t pid, pid_t tid, uint32_t name);
	void (*sample)(void *ctx, uint64_t t_ns, uint32_t thread, uint32_t stack, uint32_t flags);
	void (*flushed)(void *ctx);
};

/* Consume sampler s's ring into writer w (which the caller opened and will
 * close). Starts the thread. */
struct aggregator *aggregator_start(struct sampler *s, struct prof_writer *w, struct ph_error *err);
/* The same, with an observer (copied; hook may be NULL). */
struct aggregator *aggregator_start_hooked(struct sampler *s, struct prof_writer *w,
                                           const struct aggregator_hook *hook, struct ph_error *err);

/* Wait until the sampler has finished and everything it pushed is written
 * and flushed; then free. Returns 0, or -1 with err (a write failed). */
int aggregator_finish(struct aggregator *a, struct ph_error *err);

#endif
