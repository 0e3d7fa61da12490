/* fuzz-linetable — libFuzzer target for src/linetable.c.
 *
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -Iinclude \
 *         -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
 *         -o build-fuzz/fuzz-linetable tests/fuzz/fuzz-linetable.c src/linetable.c
 *   tests/linetable/fuzz-seeds build-fuzz/corpus-linetable   # optional
 *   build-fuzz/fuzz-linetable -max_total_time=60 build-fuzz/corpus-linetable
 *
 * With -DFUZZ_STANDALONE (any compiler) it is a plain program that runs the
 * same checks on the files named on its command line.
 *
 * Input: 2 bytes that pick co_firstlineno, then the table.  Every decoder
 * (and an invalid format) gets the same bytes; for each, every offset below
 * 64 and the edges (start, middle, end-1, end) of up to 32 ranges are
 * looked up with linetable_line() and must agree with linetable_ranges():
 *  - a well-formed table: offsets inside a range give its line; past the
 *    last range, the same valid line (>= 0) for every offset;
 *  - a malformed one: ranges() with a cap returns the good prefix of ranges;
 *    inside those, their lines; from the end of the last good one, LINE_BAD;
 *  - offsets >= 2^31 (negative lasti) give co_firstlineno (LINE_BAD if that
 *    is negative). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include "linetable.h"

#define LIMIT 0x80000000u
#define SCAN  64u            /* offsets [0, SCAN) are all looked up */
#define EDGES 32             /* ranges whose edges are looked up */

static void fail(const char *what, int fmt, uint32_t off, int got, int want)
{
	fprintf(stderr, "fuzz-linetable: %s: format %d offset %u: got %d, want %d\n",
	        what, fmt, off, got, want);
	abort();
}

static int first_of(const uint8_t *d)
{
	switch (d[1]) {
	case 0xff: return INT_MAX - d[0];
	case 0xfe: return -(int)d[0];
	default:   return d[0] | d[1] << 8;
	}
}

/* What linetable_line() must say for `off`, from `n` good ranges and what
 * follows them (`past`: the line past the end, or LINE_BAD). */
static int expect(const struct line_range *r, int n, int past, uint32_t off)
{
	int lo = 0, hi = n;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (r[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n)
		return r[lo].line;
	return past;
}

static void probe(int fmt, const uint8_t *t, size_t len, int first,
                  const struct line_range *r, int n, int past, uint32_t off)
{
	int want = off >= LIMIT ? (first >= 0 ? first : LINE_BAD)
	                        : expect(r, n, past, off);
	int got = linetable_line((enum line_format)fmt, t, len, first, off);
	if (got != want)
		fail("line != ranges", fmt, off, got, want);
}

static void check_format(int fmt, const uint8_t *t, size_t len, int first,
                         struct line_range *r, int cap)
{
	int n = linetable_ranges((enum line_format)fmt, t, len, first, r, cap);
	int past = 0, malformed = n < 0;

	if (n >= cap)
		fail("more ranges than table bytes", fmt, 0, n, cap - 1);
	if (n < 0) {
		/* The longest good prefix: ranges(cap = k) is k up to it, then -1. */
		int lo = 0, hi = cap;              /* ranges(hi) is -1 */
		while (hi - lo > 1) {
			int mid = lo + (hi - lo) / 2;
			int m = linetable_ranges((enum line_format)fmt, t, len, first,
			                         r, mid);
			if (m == mid)
				lo = mid;
			else if (m == -1)
				hi = mid;
			else
				fail("ranges with a cap", fmt, 0, m, mid);
		}
		n = lo;
		if (n && linetable_ranges((enum line_format)fmt, t, len, first, r,
		                          n) != n)
			fail("ranges prefix", fmt, 0, -1, n);
		past = LINE_BAD;
	}

	/* The ranges themselves: contiguous from 0, lines valid. */
	for (int i = 0; i < n; i++) {
		if (r[i].start != (i ? r[i - 1].end : 0u) || r[i].end <= r[i].start ||
		    r[i].end > LIMIT)
			fail("ranges not contiguous", fmt, r[i].start, (int)r[i].end, i);
		if (r[i].line < 0 && r[i].line != LINE_NONE)
			fail("range line", fmt, r[i].start, r[i].line, LINE_NONE);
	}
	uint32_t end = n ? r[n - 1].end : 0;
	if (!malformed) {
		past = end < LIMIT ? linetable_line((enum line_format)fmt, t, len,
		                                    first, end) : 0;
		if (end < LIMIT && past < 0)
			fail("line past the end", fmt, end, past, 0);
	}

	/* Every offset up to a little past the end, and the edges of ranges. */
	uint32_t scan = end < SCAN - 16 ? end + 16 : SCAN;
	for (uint32_t off = 0; off < scan; off++)
		probe(fmt, t, len, first, r, n, past, off);
	int step = n > EDGES ? n / EDGES : 1;
	for (int i = n - 1; i >= 0; i -= step) {
		probe(fmt, t, len, first, r, n, past, r[i].start);
		probe(fmt, t, len, first, r, n, past,
		      r[i].start + (r[i].end - r[i].start) / 2);
		probe(fmt, t, len, first, r, n, past, r[i].end - 1);
		probe(fmt, t, len, first, r, n, past, r[i].end);
	}
	static const uint32_t far[] = { 0x7fffffffu, 0x80000000u, 0xfffffffeu,
	                                0xffffffffu };
	for (size_t i = 0; i < sizeof far / sizeof far[0]; i++)
		if (far[i] >= end)
			probe(fmt, t, len, first, r, n, past, far[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct line_range r[1 << 17];
	if (size < 2 || size - 2 > (sizeof r / sizeof r[0]) - 2)
		return 0;
	int first = first_of(data);
	const uint8_t *t = data + 2;     /* ends where the input does */
	size_t len = size - 2;
	int cap = (int)len + 2;

	for (int fmt = LINES_LNOTAB_U8; fmt <= LINES_LOCATIONS; fmt++)
		check_format(fmt, t, len, first, r, cap);

	if (linetable_line((enum line_format)99, t, len, first, 0) != LINE_BAD ||
	    linetable_ranges((enum line_format)99, t, len, first, r, cap) != -1)
		fail("unknown format", 99, 0, 0, LINE_BAD);
	if (len && (linetable_line(LINES_LOCATIONS, NULL, len, first, 0) !=
	            LINE_BAD))
		fail("NULL table", LINES_LOCATIONS, 0, 0, LINE_BAD);
	return 0;
}

#ifdef FUZZ_STANDALONE
#include "standalone.h"

int main(int argc, char **argv)
{
	return fuzz_run_files("fuzz-linetable", argc, argv, 1 << 16);
}
#endif
