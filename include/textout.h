/* textout.h — writing names from the target safely.
 *
 * Function, file and thread names come from the target and are untrusted:
 * in terminal text every control character (C0, DEL, C1) becomes a visible
 * escape so a name cannot move the cursor or change colours; in JSON every
 * string is escaped per RFC 8259. Input is UTF-8 (pyobj.h guarantees it). */
#ifndef PYHEAT_TEXTOUT_H
#define PYHEAT_TEXTOUT_H

#include <stdio.h>

/* Write s to f with control characters shown as \xNN / \u0085-style escapes. */
void text_put_safe(FILE *f, const char *s);

/* Write s to f as a JSON string literal, quotes included. */
void json_put_str(FILE *f, const char *s);

#endif
