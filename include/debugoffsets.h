/* debugoffsets.h — CPython 3.13+'s `_Py_DebugOffsets`, the target's own
 * description of its layout, found at the start of `_PyRuntime`.
 *
 * The struct is stable only within one minor version, so it is parsed by
 * exact major.minor into word indices. Every value is untrusted: an offset
 * that falls outside its struct's stated size is rejected. */
#ifndef PYHEAT_DEBUGOFFSETS_H
#define PYHEAT_DEBUGOFFSETS_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"
#include "layout.h"

#define DEBUG_OFFSETS_COOKIE "xdebugpy"
#define DEBUG_OFFSETS_MAX_BYTES 1024   /* more than any known version (3.15: 888) */

/* The size in bytes of the struct for 3.minor, or 0 when unknown. */
size_t debug_offsets_size(unsigned minor);

/* Overlay `l` (a copy of the compiled-in table for the same minor version)
 * with the offsets in `raw` (the first debug_offsets_size() bytes of
 * _PyRuntime). Writes into `diff` a short list of fields whose value differs
 * from the compiled-in table ("" when none). Returns 0, or -1 (PH_EUNSUPPORTED)
 * when the struct is not a version pyheat knows or holds impossible values. */
int layout_apply_debug_offsets(struct py_layout *l, const uint8_t *raw, size_t len,
                               char *diff, size_t difflen, struct ph_error *err);

/* Read the header: cookie, version (PY_VERSION_HEX) and free_threaded flag.
 * Returns 0 when the cookie matches, -1 otherwise. */
int debug_offsets_header(const uint8_t *raw, size_t len, uint64_t *version_hex, int *free_threaded);

#endif
