/* target.h — finding the interpreter inside a live process.
 *
 * target_attach() reads /proc/PID/maps, finds the ELF file that holds
 * CPython (the executable itself, or libpython*.so beside it), works out the
 * exact version and build flavour, picks the layout (overlaid by
 * `_Py_DebugOffsets` on 3.13+), and locates the interpreter list: through
 * `_PyRuntime` (3.7+) or `interp_head` (2.7, 3.6), or by a validated scan of
 * the file's data sections when those symbols are stripped. It never stops
 * or writes to the target. Slow (milliseconds) and allocating: set-up only. */
#ifndef PYHEAT_TARGET_H
#define PYHEAT_TARGET_H

#include <limits.h>
#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "layout.h"
#include "remote.h"

struct target {
	pid_t pid;
	struct remote mem;
	struct py_layout layout;   /* the compiled-in table, overlaid on 3.13+ */
	unsigned major, minor, micro;
	int debug_build;           /* Py_DEBUG (from the file name or sys.abiflags-like hints) */
	char version[32];          /* "3.11.7", "3.13.5t" */
	char python_file[PATH_MAX];/* the ELF file holding the interpreter, as the target sees it */
	char exe[PATH_MAX];
	char cmdline[1024];
	char layout_note[512];     /* debug offsets that differ from the compiled-in table, or "" */
	int found_by_scan;         /* the interpreter was found without its symbols */

	uint64_t runtime;          /* &_PyRuntime (3.7+), else 0 */
	uint64_t interp_head_var;  /* &interp_head (2.7, 3.6): a PyInterpreterState ** */
	uint64_t interp_head;      /* the first interpreter, as found at attach time */
	uint64_t tstate_current_var; /* &_PyThreadState_Current (2.7, 3.6) */
	uint64_t code_type;        /* &PyCode_Type, or 0 when unknown (then checked by tp_name) */
	uint64_t code_version_var; /* &_Py_next_func_version (3.12, when the symbol is there), else 0 */
	uint32_t code_version_off; /* per-interpreter code counter (layout interp.code_version, 3.13+),
	                            * LAYOUT_NONE when not trusted (debug builds, moved fields) */
	uint32_t gil_switch_off;   /* switch_number in the GIL struct (3.7+ GIL builds), LAYOUT_NONE when
	                            * not trusted (free-threaded, moved fields, no _PyRuntime) */
	uint32_t pthread_tid_offset; /* where glibc keeps the TID in struct pthread (<= 3.10), or 0 */
};

/* Attach to pid: on success fill *t and return 0; on failure return -1 with
 * PH_ENOPROC, PH_EPERM, PH_ENOTPYTHON, PH_EUNSUPPORTED or PH_EEXITED. */
int target_attach(struct target *t, pid_t pid, struct ph_error *err);
void target_detach(struct target *t);

/* The first interpreter state now (it changes only at start-up and
 * shutdown). Returns 0 with *interp set, or -1. */
int target_interp_head(const struct target *t, uint64_t *interp);

/* 1 when the target is a free-threaded build whose GIL is disabled now
 * (struct _gil_runtime_state.enabled, its first field in such builds, is 0):
 * no thread holds a GIL, so --mode gil would sample nothing. The GIL can be
 * enabled later (an extension not marked free-threading safe is imported,
 * or PYTHON_GIL=1). 0 otherwise, or when it cannot be told. */
int target_gil_disabled(const struct target *t);

#endif
