/* textout.h — writing names from the target safely.
 *
 * Function, file and thread names come from the target and are untrusted:
 * in terminal text every control character (C0, DEL, C1) becomes a visible
 * escape so a name cannot move the cursor or change colours; in JSON every
 * string is escaped per RFC 8259. Input is UTF-8 (pyobj.h guarantees it). */
#ifndef PYHEAT_TEXTOUT_H
#define PYHEAT_TEXTOUT_H

#include <stddef.h>
#include <stdio.h>

/* Length (1-4) of the valid UTF-8 sequence at s, with at most avail bytes
 * readable (a NUL-terminated string may pass 4: the NUL ends it first); 0
 * for a byte that does not start one (overlong forms, surrogates and values
 * past U+10FFFF are invalid). */
int utf8_seq_len(const unsigned char *s, size_t avail);

/* Write s to f with control characters and bytes that are not UTF-8 shown
 * as \xNN, C1 controls as \u0085-style escapes. */
void text_put_safe(FILE *f, const char *s);

/* Write s to f as a JSON string literal, quotes included. */
void json_put_str(FILE *f, const char *s);

#endif
