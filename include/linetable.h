/* linetable.h — the line of an instruction, from a code object's line table.
 *
 * Pure functions over a byte buffer copied out of the target: they never
 * allocate, never read past `len`, and treat the table as hostile (any byte
 * sequence gives an answer or LINE_BAD, never a crash or an endless loop). */
#ifndef PYHEAT_LINETABLE_H
#define PYHEAT_LINETABLE_H

#include <stddef.h>
#include <stdint.h>
#include "layout.h"

#define LINE_NONE (-1)   /* the instruction has no line (e.g. 3.10 -128, 3.11 kind 15) */
#define LINE_BAD  (-2)   /* the table is malformed before reaching `offset` */

/* The line number of the instruction at byte offset `offset` into the
 * bytecode (co_code / co_code_adaptive; for 3.10 f_lasti*2, for 3.11+
 * (instr_ptr - code_adaptive)), given the table in `fmt`, and co_firstlineno.
 * An offset past the end of the table gives the last line reached. An
 * offset >= 2^31 (a negative lasti cast to uint32_t, e.g. 3.11/3.12
 * prev_instr = code - 1) gives firstlineno, like PyCode_Addr2Line(addrq < 0).
 * A line outside [0, INT_MAX] makes the table malformed. */
int linetable_line(enum line_format fmt, const uint8_t *table, size_t len,
                   int firstlineno, uint32_t offset);

/* One row of the table's expansion, for tests and the source view: the
 * instructions in [start, end) (byte offsets) are on `line` (or LINE_NONE). */
struct line_range { uint32_t start, end; int line; };

/* Expand the table into at most `cap` ranges, in order. Returns the number of
 * ranges written, or -1 when the table is malformed. Adjacent entries are not
 * merged: the output mirrors co_lines() for 3.10 and 3.11 (from 3.12
 * co_lines() also merges neighbours with the same line). For the lnotab
 * formats the last range is open and ends at 0x80000000. */
int linetable_ranges(enum line_format fmt, const uint8_t *table, size_t len,
                     int firstlineno, struct line_range *out, int cap);

#endif
