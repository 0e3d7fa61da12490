/* linetable.c — decoders for CPython's line tables (see linetable.h).
 *
 * All four formats are expanded by one iterator, lt_next(), that yields the
 * table's address ranges in order; linetable_line() stops at the range that
 * holds the offset, linetable_ranges() writes them out.  Both therefore agree
 * by construction, and on malformed input both fail at the same point.
 *
 * The semantics mirror CPython's own PyCode_Addr2Line() of each version:
 *
 *  LINES_LNOTAB_U8 / _S8 (2.7, 3.0-3.9 co_lnotab): pairs (addr incr u8,
 *    line incr u8 or s8).  The line of offset q is co_firstlineno plus the
 *    line increments of every pair whose cumulative address is <= q.  An odd
 *    trailing byte is ignored (CPython reads len/2 pairs).  The last range is
 *    open: it runs to LT_ADDR_LIMIT, as the table does not know where the
 *    code ends.
 *
 *  LINES_TABLE_310 (3.10 co_linetable): pairs (start delta u8, line delta
 *    s8); -128 means "no line" and leaves the running line alone; entries
 *    of zero length change the line but give no range.  An odd trailing
 *    byte is malformed.
 *
 *  LINES_LOCATIONS (3.11+ co_linetable): entries start at a byte with bit 7
 *    set, `1 | code:4 | (units-1):3`; as in CPython's advance(), the next
 *    entry is the next byte with bit 7 set, and only the line delta is
 *    decoded: code 15 none (0, no line), 14 and 13 a signed varint right
 *    after the first byte, 10-12 code-10, 0-9 zero.  A first byte without
 *    bit 7, a varint running past the table or longer than 6 bytes (32
 *    bits) is malformed.
 *
 * Also malformed: a range or final line outside [0, INT_MAX] (-1 and -2 are
 * the sentinels), an address reaching past LT_ADDR_LIMIT.
 *
 * An offset >= 2^31 is a negative lasti seen as unsigned (3.11/3.12 frames
 * that have not started have prev_instr = code - 1, i.e. offset -2; before
 * 3.10 f_lasti = -1): like PyCode_Addr2Line(addrq < 0), it gives
 * co_firstlineno.  An offset past the table's last range gives the running
 * line after the whole table ("the last line reached"). */
#include <limits.h>
#include "linetable.h"

#define LT_ADDR_LIMIT 0x80000000u    /* offsets from here on are "negative" */
#define LT_LINE_GUARD ((int64_t)1 << 40) /* running line overflow guard */
#define RLINE_NONE INT64_MIN         /* "no line", apart from real lines */

struct lt_iter {
	const uint8_t *p, *end;
	enum line_format fmt;
	int64_t line;           /* running line */
	uint64_t addr;          /* end of the last entry */
	int tail_done;          /* lnotab: the open last range was yielded */
	int bad;                /* NULL table with a length */
};

static int64_t s8(uint8_t b)
{
	return b < 128 ? (int64_t)b : (int64_t)b - 256;
}

static void lt_init(struct lt_iter *it, enum line_format fmt,
                    const uint8_t *table, size_t len, int firstlineno)
{
	it->p = table;
	it->end = table ? table + len : table;
	it->bad = !table && len;
	it->fmt = fmt;
	it->line = firstlineno;
	it->addr = 0;
	it->tail_done = 0;
}

static int line_ok(int64_t line)
{
	return line >= 0 && line <= INT_MAX;
}

/* 3.11+ varint at p (6 bits a byte, bit 6 = more), bounded by end.
 * Returns 0 and sets *val, or -1. */
static int lt_varint(const uint8_t *p, const uint8_t *end, uint32_t *val)
{
	uint32_t v = 0;
	for (unsigned shift = 0; shift <= 30; shift += 6) {
		if (p >= end)
			return -1;
		uint8_t b = *p++;
		v |= (uint32_t)(b & 63) << shift;
		if (!(b & 64)) {
			*val = v;
			return 0;
		}
	}
	return -1;
}

/* The next range: 1 (filled *r), 0 at the end of the table (it->line is the
 * final line), -1 malformed.  Every call consumes table bytes, yields the
 * lnotab's open last range once, or ends the walk: a walk takes at most
 * len + 2 calls, and each call's loop is bounded by the bytes left. */
static int lt_next(struct lt_iter *it, struct line_range *r)
{
	if (it->bad)
		return -1;
	for (;;) {
		size_t left = (size_t)(it->end - it->p);
		uint64_t start = it->addr;
		int64_t rline;

		switch (it->fmt) {
		case LINES_LNOTAB_U8:
		case LINES_LNOTAB_S8:
			if (left < 2) {
				if (it->tail_done || it->addr >= LT_ADDR_LIMIT)
					return line_ok(it->line) ? 0 : -1;
				it->tail_done = 1;
				if (!line_ok(it->line))
					return -1;
				r->start = (uint32_t)it->addr;
				r->end = LT_ADDR_LIMIT;
				r->line = (int)it->line;
				return 1;
			}
			rline = it->line;
			it->addr += it->p[0];
			it->line += it->fmt == LINES_LNOTAB_U8 ? (int64_t)it->p[1]
			                                       : s8(it->p[1]);
			it->p += 2;
			break;

		case LINES_TABLE_310:
			if (left == 0)
				return line_ok(it->line) ? 0 : -1;
			if (left < 2)
				return -1;
			it->addr += it->p[0];
			if (it->p[1] == 0x80) {
				rline = RLINE_NONE;
			} else {
				it->line += s8(it->p[1]);
				rline = it->line;
			}
			it->p += 2;
			break;

		case LINES_LOCATIONS: {
			if (left == 0)
				return line_ok(it->line) ? 0 : -1;
			uint8_t b = it->p[0];
			if (!(b & 0x80))
				return -1;
			unsigned code = (b >> 3) & 15;
			uint32_t u;
			int64_t delta = 0;
			if (code == 13 || code == 14) {
				if (lt_varint(it->p + 1, it->end, &u) < 0)
					return -1;
				delta = (u & 1) ? -(int64_t)(u >> 1) : (int64_t)(u >> 1);
			} else if (code >= 10 && code <= 12) {
				delta = code - 10;
			}
			it->line += delta;
			rline = code == 15 ? RLINE_NONE : it->line;
			it->addr += ((b & 7) + 1) * 2u;
			do
				it->p++;
			while (it->p < it->end && !(*it->p & 0x80));
			break;
		}

		default:
			return -1;
		}

		if (it->addr > LT_ADDR_LIMIT ||
		    it->line > LT_LINE_GUARD || it->line < -LT_LINE_GUARD)
			return -1;
		if (it->addr == start)
			continue;       /* empty entry: only moves the line */
		if (rline != RLINE_NONE && !line_ok(rline))
			return -1;
		r->start = (uint32_t)start;
		r->end = (uint32_t)it->addr;
		r->line = rline == RLINE_NONE ? LINE_NONE : (int)rline;
		return 1;
	}
}

int linetable_line(enum line_format fmt, const uint8_t *table, size_t len,
                   int firstlineno, uint32_t offset)
{
	struct lt_iter it;
	struct line_range r;

	if (offset >= LT_ADDR_LIMIT)
		return line_ok(firstlineno) ? firstlineno : LINE_BAD;
	lt_init(&it, fmt, table, len, firstlineno);
	for (;;) {
		int rc = lt_next(&it, &r);
		if (rc < 0)
			return LINE_BAD;
		if (rc == 0)
			return (int)it.line;
		if (offset < r.end)
			return r.line;
	}
}

int linetable_ranges(enum line_format fmt, const uint8_t *table, size_t len,
                     int firstlineno, struct line_range *out, int cap)
{
	struct lt_iter it;
	int n = 0;

	if (!out)
		cap = 0;
	lt_init(&it, fmt, table, len, firstlineno);
	while (n < cap) {
		int rc = lt_next(&it, &out[n]);
		if (rc < 0)
			return -1;
		if (rc == 0)
			break;
		n++;
	}
	return n;
}
