/* pyobj.h — reading Python objects out of the target.
 *
 * Strings of every representation (2.7 str, PEP 393 compact ASCII, latin-1,
 * UCS-2, UCS-4) become valid UTF-8: lone surrogates and undecodable bytes
 * turn into visible escapes (\udc80, \xff), never invalid output. Lengths
 * read from the target are bounded by the caller's buffer; nothing is
 * allocated. */
#ifndef PYHEAT_PYOBJ_H
#define PYHEAT_PYOBJ_H

#include <stddef.h>
#include <stdint.h>
#include "layout.h"
#include "remote.h"

/* Read the str (or 2.7 str/unicode) object at addr as UTF-8 into buf
 * (always NUL-terminated when cap > 0). A string longer than fits is cut at
 * a character boundary and ends with "...". Returns the byte length, or -1
 * when addr is not a readable string. */
int pyobj_read_str(const struct remote *r, const struct py_layout *l, uint64_t addr,
                   char *buf, size_t cap);

/* Read a bytes object (2.7: str) into buf, at most cap bytes. Returns the
 * number of bytes copied, or -1. *full_len gets the object's length. */
long pyobj_read_bytes(const struct remote *r, const struct py_layout *l, uint64_t addr,
                      void *buf, size_t cap, long *full_len);

/* The type name (tp_name) of the object at addr, into buf. 0 or -1. */
int pyobj_type_name(const struct remote *r, const struct py_layout *l, uint64_t addr,
                    char *buf, size_t cap);

/* A short, human-readable rendering of a simple value: int, float, str,
 * bytes, bool, None as their repr (strings cut short); list, tuple, dict as
 * "<list len=3>"; anything else as "<TYPE>". Returns 0, or -1 when the
 * object cannot be read. */
int pyobj_repr_short(const struct remote *r, const struct py_layout *l, uint64_t addr,
                     char *buf, size_t cap);

/* Append the UTF-8 encoding of code point cp to buf at *pos (bounded by cap,
 * keeps room for the NUL). Surrogates and out-of-range values are written as
 * \\uXXXX / \\UXXXXXXXX escapes. Returns 0, or -1 when it does not fit. */
int utf8_put(char *buf, size_t cap, size_t *pos, uint32_t cp);

/* Copy bytes as UTF-8: valid sequences pass through, every other byte becomes
 * \\xNN. Returns the output length. */
size_t utf8_sanitize(const uint8_t *in, size_t n, char *out, size_t cap);

#endif
