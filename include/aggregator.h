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

#include <stdint.h>

#include "error.h"
#include "profile.h"
#include "ring.h"
#include "sampler.h"

struct aggregator;

/* Consume sampler s's ring into writer w (which the caller opened and will
 * close). Starts the thread. */
struct aggregator *aggregator_start(struct sampler *s, struct prof_writer *w, struct ph_error *err);

/* Wait until the sampler has finished and everything it pushed is written
 * and flushed; then free. Returns 0, or -1 with err (a write failed). */
int aggregator_finish(struct aggregator *a, struct ph_error *err);

#endif
