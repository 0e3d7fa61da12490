/* threadnames.h — the Python-level names of a process's threads.
 *
 * Read from the target without pausing it: the interpreter's sys.modules
 * -> threading -> _active, a dict {ident: Thread}, and each Thread's `_name`
 * (2.7: `_Thread__name`) instance attribute. Threads not started through
 * `threading` (and not yet seen by it as _DummyThread) have no entry.
 * Allocation-free and bounded (see pydict.h), but tens of reads: once per
 * dump, or about once a second by the sampler, never per sample. */
#ifndef PYHEAT_THREADNAMES_H
#define PYHEAT_THREADNAMES_H

#include <stdint.h>

#include "target.h"

#define THREAD_NAME_MAX 64

struct thread_name {
	uint64_t ident;                /* threading.get_ident() == thread_info.thread_id */
	char name[THREAD_NAME_MAX];    /* Thread.name as UTF-8, cut short with "..." */
};

/* Fill out[cap] with (ident, name) for interpreter `interp`'s threading._active;
 * returns the count (0 when threading is not imported), or -1 on a read error. */
int thread_names_read(const struct target *t, uint64_t interp, struct thread_name *out, int cap);

/* The name of `ident` among names[n], or NULL. */
const char *thread_name_find(const struct thread_name *names, int n, uint64_t ident);

#endif
