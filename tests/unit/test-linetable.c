/* test-linetable — unit tests for src/linetable.c.
 *
 *   test-linetable                  hand-made tables of every format
 *   test-linetable FORMAT DUMPFILE  every instruction of every code object in
 *                                   a dump written by
 *                                   tests/linetable/dump_tables.py; FORMAT is
 *                                   lnotab_u8, lnotab_s8, table_310 or
 *                                   locations
 *
 * Exit 0 when everything matched, 1 otherwise. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "linetable.h"

#include "check.h"

static struct line_range dummy[8];

static struct line_range *out_dummy(void)
{
	return dummy;
}

#define CHECK_EQ(got, want) check_eq((long)(got), (long)(want), #got, __LINE__)

static void check_eq(long got, long want, const char *what, int line)
{
	check(got == want, "line %d: %s = %ld, want %ld", line, what, got, want);
}

/* The line of every offset in [0, n) and then past it; `want` has n + 1
 * entries, the last one for every offset from n on. */
static void check_lines(int l, enum line_format fmt, const uint8_t *t,
                        size_t len, int first, const int *want, int n)
{
	for (int off = 0; off <= n + 3; off++) {
		int w = want[off < n ? off : n];
		int got = linetable_line(fmt, t, len, first, (uint32_t)off);
		check(got == w, "line %d: format %d offset %d: line %d, want %d",
		      l, (int)fmt, off, got, w);
	}
}

struct want_range { uint32_t start, end; int line; };

static void check_ranges(int l, enum line_format fmt, const uint8_t *t,
                         size_t len, int first, const struct want_range *want,
                         int n)
{
	struct line_range out[64];
	int got = linetable_ranges(fmt, t, len, first, out, 64);
	check(got == n, "line %d: format %d: %d ranges, want %d",
	      l, (int)fmt, got, n);
	if (got != n)
		return;
	for (int i = 0; i < n; i++)
		check(out[i].start == want[i].start && out[i].end == want[i].end &&
		      out[i].line == want[i].line,
		      "line %d: format %d range %d: [%u, %u) line %d, "
		      "want [%u, %u) line %d", l, (int)fmt, i, out[i].start,
		      out[i].end, out[i].line, want[i].start, want[i].end,
		      want[i].line);
}

#define N(a) ((int)(sizeof(a) / sizeof((a)[0])))
#define OPEN 0x80000000u      /* end of the open last range of an lnotab */
#define NEG2 0xfffffffeu      /* a lasti of -2 bytes, seen as unsigned */
#define NONE LINE_NONE
#define BAD LINE_BAD

static void test_lnotab(void)
{
	/* 2.7: three lines, addresses 0, 3, 9. */
	static const uint8_t t27[] = { 3, 1, 6, 2 };
	static const int w27[] = { 10, 10, 10, 11, 11, 11, 11, 11, 11, 13 };
	check_lines(__LINE__, LINES_LNOTAB_U8, t27, sizeof t27, 10, w27, N(w27) - 1);
	static const struct want_range r27[] = {
		{ 0, 3, 10 }, { 3, 9, 11 }, { 9, OPEN, 13 } };
	check_ranges(__LINE__, LINES_LNOTAB_U8, t27, sizeof t27, 10, r27, N(r27));

	/* A line jump of 300 in 2.7: (0, 255), (4, 45); and an address jump
	 * of 300: (255, 0), (45, 1). */
	static const uint8_t jump[] = { 0, 255, 4, 45, 255, 0, 45, 1 };
	CHECK_EQ(linetable_line(LINES_LNOTAB_U8, jump, sizeof jump, 1, 0), 256);
	CHECK_EQ(linetable_line(LINES_LNOTAB_U8, jump, sizeof jump, 1, 3), 256);
	CHECK_EQ(linetable_line(LINES_LNOTAB_U8, jump, sizeof jump, 1, 4), 301);
	CHECK_EQ(linetable_line(LINES_LNOTAB_U8, jump, sizeof jump, 1, 303), 301);
	CHECK_EQ(linetable_line(LINES_LNOTAB_U8, jump, sizeof jump, 1, 304), 302);
	static const struct want_range rjump[] = {
		{ 0, 4, 256 }, { 4, 259, 301 }, { 259, 304, 301 },
		{ 304, OPEN, 302 } };
	check_ranges(__LINE__, LINES_LNOTAB_U8, jump, sizeof jump, 1, rjump,
	             N(rjump));

	/* The same bytes: 0xff is +255 in 2.7 and -1 from 3.6. */
	static const uint8_t back[] = { 2, 3, 4, 0xff, 2, 0xfe };
	static const int wu8[] = { 5, 5, 8, 8, 8, 8, 263, 263, 517 };
	static const int ws8[] = { 5, 5, 8, 8, 8, 8, 7, 7, 5 };
	check_lines(__LINE__, LINES_LNOTAB_U8, back, sizeof back, 5, wu8, N(wu8) - 1);
	check_lines(__LINE__, LINES_LNOTAB_S8, back, sizeof back, 5, ws8, N(ws8) - 1);

	/* Empty tables: everything is on co_firstlineno. */
	static const int wempty[] = { 42 };
	check_lines(__LINE__, LINES_LNOTAB_U8, NULL, 0, 42, wempty, 0);
	check_lines(__LINE__, LINES_LNOTAB_S8, back, 0, 42, wempty, 0);
	static const struct want_range rempty[] = { { 0, OPEN, 42 } };
	check_ranges(__LINE__, LINES_LNOTAB_S8, NULL, 0, 42, rempty, 1);

	/* An odd trailing byte is ignored, as CPython reads len/2 pairs. */
	check_lines(__LINE__, LINES_LNOTAB_U8, t27, 3, 10, w27, 3);
	check_lines(__LINE__, LINES_LNOTAB_S8, back, 5, 5, ws8, 6);

	/* A running line that dips below zero between addresses is fine... */
	static const uint8_t dip[] = { 0, 0x80, 0, 0x7f, 2, 5 };
	static const int wdip[] = { 0, 0, 5 };
	check_lines(__LINE__, LINES_LNOTAB_S8, dip, sizeof dip, 1, wdip, 2);
	/* ...but a negative line for an address is malformed, from there on. */
	static const uint8_t neg[] = { 2, 0x80, 2, 0 };
	static const int wneg[] = { 1, 1, BAD };
	check_lines(__LINE__, LINES_LNOTAB_S8, neg, sizeof neg, 1, wneg, 2);
	CHECK_EQ(linetable_ranges(LINES_LNOTAB_S8, neg, sizeof neg, 1, NULL, 0), 0);
	struct line_range out[4];
	CHECK_EQ(linetable_ranges(LINES_LNOTAB_S8, neg, sizeof neg, 1, out, 4), -1);
	CHECK_EQ(linetable_ranges(LINES_LNOTAB_S8, neg, sizeof neg, 1, out, 1), 1);
	CHECK_EQ(out[0].end, 2);
}

static void test_310(void)
{
	/* 3.10: [0,2) +0, [2,6) +1, [6,8) no line, an empty entry +3, [8,10)
	 * +1, and an empty entry +2 at the end. */
	static const uint8_t t[] = { 2, 0, 4, 1, 2, 0x80, 0, 3, 2, 1, 0, 2 };
	static const int w[] = { 5, 5, 6, 6, 6, 6, NONE, NONE, 10, 10, 12 };
	check_lines(__LINE__, LINES_TABLE_310, t, sizeof t, 5, w, N(w) - 1);
	static const struct want_range r[] = {
		{ 0, 2, 5 }, { 2, 6, 6 }, { 6, 8, NONE }, { 8, 10, 10 } };
	check_ranges(__LINE__, LINES_TABLE_310, t, sizeof t, 5, r, N(r));

	/* Long ranges are split as (254, d), (rest, 0); not merged. */
	static const uint8_t split[] = { 254, 1, 46, 0, 2, 0xff };
	static const struct want_range rs[] = {
		{ 0, 254, 2 }, { 254, 300, 2 }, { 300, 302, 1 } };
	check_ranges(__LINE__, LINES_TABLE_310, split, sizeof split, 1, rs, N(rs));
	CHECK_EQ(linetable_line(LINES_TABLE_310, split, sizeof split, 1, 299), 2);
	CHECK_EQ(linetable_line(LINES_TABLE_310, split, sizeof split, 1, 300), 1);
	CHECK_EQ(linetable_line(LINES_TABLE_310, split, sizeof split, 1, 9999), 1);

	/* Empty table: past the end at once. */
	CHECK_EQ(linetable_line(LINES_TABLE_310, NULL, 0, 7, 0), 7);
	CHECK_EQ(linetable_ranges(LINES_TABLE_310, NULL, 0, 7, out_dummy(), 4), 0);

	/* A truncated (odd) table: fine up to the half entry, bad past it. */
	CHECK_EQ(linetable_line(LINES_TABLE_310, t, 9, 5, 7), NONE);
	CHECK_EQ(linetable_line(LINES_TABLE_310, t, 9, 5, 8), BAD);
	CHECK_EQ(linetable_ranges(LINES_TABLE_310, t, 9, 5, out_dummy(), 4), -1);

	/* A line of -1 is malformed rather than LINE_NONE. */
	static const uint8_t neg[] = { 2, 0xfe };
	CHECK_EQ(linetable_line(LINES_TABLE_310, neg, sizeof neg, 1, 0), BAD);
	/* Lasti -1 (in bytes -2): co_firstlineno, like PyCode_Addr2Line. */
	CHECK_EQ(linetable_line(LINES_TABLE_310, t, sizeof t, 5, NEG2), 5);
}

static void test_locations(void)
{
	/* 3.11+: entries are (1 | code:4 | units-1:3) + data. */
	static const uint8_t t[] = {
		0xe8, 0x02,             /* 13 no columns, 1 unit, +1  -> 2  [0,2) */
		0xd1, 0x04, 0x09,       /* 10 one line +0, 2 units    -> 2  [2,6) */
		0xd8, 0x00, 0x05,       /* 11 one line +1, 1 unit     -> 3  [6,8) */
		0x82, 0x13,             /* 0 short form, 3 units      -> 3  [8,14) */
		0xf8,                   /* 15 no location, 1 unit     -> -  [14,16) */
		0xf0, 0x05, 0x00, 0x01, 0x03, /* 14 long, -2          -> 1  [16,18) */
		0xe9, 0x48, 0x03,       /* 13, 2 units, +100          -> 101 [18,22) */
		0xe7, 0x05, 0x07,       /* 12 one line +2, 8 units    -> 103 [22,38) */
	};
	int w[39];
	for (int i = 0; i < 39; i++)
		w[i] = i < 2 ? 2 : i < 6 ? 2 : i < 14 ? 3 : i < 16 ? NONE :
		       i < 18 ? 1 : i < 22 ? 101 : 103;
	check_lines(__LINE__, LINES_LOCATIONS, t, sizeof t, 1, w, 38);
	static const struct want_range r[] = {
		{ 0, 2, 2 }, { 2, 6, 2 }, { 6, 8, 3 }, { 8, 14, 3 },
		{ 14, 16, NONE }, { 16, 18, 1 }, { 18, 22, 101 }, { 22, 38, 103 } };
	check_ranges(__LINE__, LINES_LOCATIONS, t, sizeof t, 1, r, N(r));
	struct line_range two[2];
	CHECK_EQ(linetable_ranges(LINES_LOCATIONS, t, sizeof t, 1, two, 2), 2);
	CHECK_EQ(two[1].end, 6);

	/* A table that ends in no-location: past it, the last line reached. */
	CHECK_EQ(linetable_line(LINES_LOCATIONS, t, 11, 1, 15), NONE);
	CHECK_EQ(linetable_line(LINES_LOCATIONS, t, 11, 1, 16), 3);

	/* Malformed: a first byte without bit 7. */
	static const uint8_t nobit[] = { 0x68, 0x02 };
	CHECK_EQ(linetable_line(LINES_LOCATIONS, nobit, sizeof nobit, 1, 0), BAD);
	CHECK_EQ(linetable_ranges(LINES_LOCATIONS, nobit, sizeof nobit, 1,
	                          out_dummy(), 4), -1);
	/* Malformed: a varint cut by the end of the table, after a good entry. */
	static const uint8_t cut[] = { 0xe8, 0x02, 0xe8, 0x48 };
	CHECK_EQ(linetable_line(LINES_LOCATIONS, cut, sizeof cut, 1, 1), 2);
	CHECK_EQ(linetable_line(LINES_LOCATIONS, cut, sizeof cut, 1, 2), BAD);
	CHECK_EQ(linetable_line(LINES_LOCATIONS, cut, 3, 1, 2), BAD);
	/* Malformed: a varint of more than 32 bits (7 bytes). */
	static const uint8_t longv[] = { 0xe8, 0x7e, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f,
	                                 0x01 };
	CHECK_EQ(linetable_line(LINES_LOCATIONS, longv, sizeof longv, 1, 0), BAD);
	/* 6 bytes is the longest: +2^30 - 1 + ... = 1 + 0x7fffffff overflows
	 * int: malformed; -(2^31 - 1) from INT_MAX is fine. */
	static const uint8_t big[] = { 0xe8, 0x7e, 0x7f, 0x7f, 0x7f, 0x7f, 0x3f };
	CHECK_EQ(linetable_line(LINES_LOCATIONS, big, sizeof big, 1, 0), BAD);
	static const uint8_t bigneg[] = { 0xe8, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x3f };
	CHECK_EQ(linetable_line(LINES_LOCATIONS, bigneg, sizeof bigneg, 0x7fffffff,
	                        0), 0);
	/* A varint byte with bit 7 set is read as varint data (as CPython's
	 * scan_varint does) and then also starts the next entry. */
	static const uint8_t odd[] = { 0xe8, 0xc0, 0x01 };
	/* varint: 0 | 1 << 6 = 64 -> +32 = 33 on [0,2); then 0xc0 is code 8,
	 * 1 unit, +0 -> 33 on [2,4). */
	CHECK_EQ(linetable_line(LINES_LOCATIONS, odd, sizeof odd, 1, 0), 33);
	CHECK_EQ(linetable_line(LINES_LOCATIONS, odd, sizeof odd, 1, 3), 33);
	/* Stray bytes without bit 7 are skipped. */
	static const uint8_t stray[] = { 0x80, 0x11, 0x22, 0x33, 0xd8 };
	CHECK_EQ(linetable_line(LINES_LOCATIONS, stray, sizeof stray, 1, 2), 2);

	/* Empty and NULL tables. */
	CHECK_EQ(linetable_line(LINES_LOCATIONS, t, 0, 9, 0), 9);
	CHECK_EQ(linetable_line(LINES_LOCATIONS, NULL, 0, 9, 100), 9);
	CHECK_EQ(linetable_line(LINES_LOCATIONS, NULL, 4, 9, 0), BAD);
	CHECK_EQ(linetable_ranges(LINES_LOCATIONS, NULL, 4, 9, out_dummy(), 4), -1);
	/* prev_instr = code - 1 (3.11/3.12 frame not started): firstlineno. */
	CHECK_EQ(linetable_line(LINES_LOCATIONS, t, sizeof t, 1, NEG2), 1);
	CHECK_EQ(linetable_line(LINES_LOCATIONS, t, sizeof t, -5, NEG2), BAD);
	/* An unknown format. */
	CHECK_EQ(linetable_line((enum line_format)99, t, sizeof t, 1, 0), BAD);
}

/* ---- dump files ---------------------------------------------------------- */

static const struct { const char *name; enum line_format fmt; } formats[] = {
	{ "lnotab_u8", LINES_LNOTAB_U8 },
	{ "lnotab_s8", LINES_LNOTAB_S8 },
	{ "table_310", LINES_TABLE_310 },
	{ "locations", LINES_LOCATIONS },
};

struct dump {
	const char *path;
	enum line_format fmt;
	char version[64];
	long lineno;                 /* of the dump file */
	long codes, instrs, mismatches, rangecodes;
	/* the current code object */
	int first;
	long codelen;
	uint8_t *tab;
	size_t tablen, tabcap;
	struct line_range *ranges;
	int nranges, rangecap;
};

static void mismatch(struct dump *d, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void mismatch(struct dump *d, const char *fmt, ...)
{
	if (++d->mismatches > 10)
		return;
	va_list ap;
	va_start(ap, fmt);
	printf("MISMATCH %s:%ld (firstlineno %d, table ", d->path, d->lineno,
	       d->first);
	for (size_t i = 0; i < d->tablen && i < 48; i++)
		printf("%02x", d->tab[i]);
	printf("%s): ", d->tablen > 48 ? "..." : "");
	vprintf(fmt, ap);
	printf("\n");
	va_end(ap);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static int parse_code(struct dump *d, char *s)
{
	int n = 0;
	if (sscanf(s, "C %d %ld %n", &d->first, &d->codelen, &n) != 2 || !n)
		return -1;
	char *h = s + n;
	size_t hl = strcspn(h, " \n");
	if (hl == 1 && h[0] == '-')
		hl = 0;
	if (hl % 2)
		return -1;
	if (hl / 2 > d->tabcap) {
		d->tabcap = hl / 2;
		d->tab = realloc(d->tab, d->tabcap);
		if (!d->tab)
			return -1;
	}
	d->tablen = hl / 2;
	for (size_t i = 0; i < d->tablen; i++) {
		int hi = hexval(h[2 * i]), lo = hexval(h[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		d->tab[i] = (uint8_t)(hi << 4 | lo);
	}
	/* Expand the ranges now: every instruction is checked against them. */
	int cap = (int)d->tablen + 2;
	if (cap > d->rangecap) {
		d->rangecap = cap;
		d->ranges = realloc(d->ranges, sizeof *d->ranges * (size_t)cap);
		if (!d->ranges)
			return -1;
	}
	/* The copy is exactly tablen bytes long so that ASan sees over-reads. */
	uint8_t *copy = malloc(d->tablen ? d->tablen : 1);
	if (!copy)
		return -1;
	memcpy(copy, d->tab, d->tablen);
	free(d->tab);
	d->tab = copy;
	d->tabcap = d->tablen;
	d->nranges = linetable_ranges(d->fmt, d->tab, d->tablen, d->first,
	                              d->ranges, cap);
	if (d->nranges < 0)
		mismatch(d, "linetable_ranges() says malformed");
	else if (d->nranges == cap)
		mismatch(d, "more than %d ranges", cap);
	d->codes++;
	return 0;
}

static int parse_line(const char *s, char **endp)
{
	if (*s == 'N') {
		*endp = (char *)s + 1;
		return LINE_NONE;
	}
	return (int)strtol(s, endp, 10);
}

/* The range that holds `off`, or NULL. */
static const struct line_range *find_range(struct dump *d, uint32_t off)
{
	int lo = 0, hi = d->nranges;
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (d->ranges[mid].end <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < d->nranges && d->ranges[lo].start <= off)
		return &d->ranges[lo];
	return NULL;
}

static int check_instrs(struct dump *d, char *s)
{
	char *p = s + 1;
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\n' || !*p)
			return 0;
		char *e;
		unsigned long off = strtoul(p, &e, 10);
		if (*e != ':')
			return -1;
		p = e + 1;
		if (*p == '?') {         /* not covered by co_lines(): none seen */
			p++;
			continue;
		}
		int want = parse_line(p, &e);
		if (e == p)
			return -1;
		p = e;
		d->instrs++;
		int got = linetable_line(d->fmt, d->tab, d->tablen, d->first,
		                         (uint32_t)off);
		if (got != want) {
			mismatch(d, "offset %lu: line %d, want %d", off, got, want);
			continue;
		}
		if (d->nranges < 0)
			continue;
		const struct line_range *r = find_range(d, (uint32_t)off);
		if (!r)
			mismatch(d, "offset %lu: in no range", off);
		else if (r->line != want)
			mismatch(d, "offset %lu: range [%u, %u) has line %d, want %d",
			         off, r->start, r->end, r->line, want);
	}
}

/* Merge neighbours with the same line (co_lines() does from 3.12 on). */
static int merge(struct line_range *r, int n)
{
	int m = 0;
	for (int i = 0; i < n; i++) {
		if (m && r[m - 1].end == r[i].start && r[m - 1].line == r[i].line)
			r[m - 1].end = r[i].end;
		else
			r[m++] = r[i];
	}
	return m;
}

/* "R start:end:line ..." is co_lines(): compare with our ranges. */
static int check_colines(struct dump *d, char *s)
{
	struct line_range *want = NULL;
	int n = 0, cap = 0;
	char *p = s + 1;
	for (;;) {
		while (*p == ' ')
			p++;
		if (*p == '\n' || !*p)
			break;
		char *e;
		struct line_range r;
		r.start = (uint32_t)strtoul(p, &e, 10);
		if (*e != ':')
			goto bad;
		r.end = (uint32_t)strtoul(e + 1, &e, 10);
		if (*e != ':')
			goto bad;
		p = e + 1;
		r.line = parse_line(p, &e);
		if (e == p)
			goto bad;
		p = e;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			want = realloc(want, sizeof *want * (size_t)cap);
			if (!want)
				goto bad;
		}
		want[n++] = r;
	}
	if (d->nranges >= 0) {
		int exact = n == d->nranges;
		for (int i = 0; exact && i < n; i++)
			exact = want[i].start == d->ranges[i].start &&
			        want[i].end == d->ranges[i].end &&
			        want[i].line == d->ranges[i].line;
		int nw = merge(want, n), ng = merge(d->ranges, d->nranges);
		int same = nw == ng;
		for (int i = 0; same && i < nw; i++)
			same = want[i].start == d->ranges[i].start &&
			       want[i].end == d->ranges[i].end &&
			       want[i].line == d->ranges[i].line;
		if (!same)
			mismatch(d, "linetable_ranges() differs from co_lines() "
			         "(%d merged ranges, want %d)", ng, nw);
		if (exact)
			d->rangecodes++;
		d->nranges = ng;
	}
	free(want);
	return 0;
bad:
	free(want);
	return -1;
}

static int check_dump(const char *fmtname, const char *path)
{
	struct dump d;
	memset(&d, 0, sizeof d);
	d.path = path;
	int found = 0;
	for (int i = 0; i < N(formats); i++)
		if (!strcmp(formats[i].name, fmtname)) {
			d.fmt = formats[i].fmt;
			found = 1;
		}
	if (!found) {
		fprintf(stderr, "test-linetable: unknown format %s\n", fmtname);
		return 2;
	}
	FILE *f = fopen(path, "r");
	if (!f) {
		perror(path);
		return 2;
	}
	char *s = NULL;
	size_t scap = 0;
	int ended = 0, rc = 0, havecode = 0;
	while (getline(&s, &scap, f) > 0) {
		d.lineno++;
		switch (s[0]) {
		case 'V': {
			char fmt[32];
			if (sscanf(s, "V %63s %31s", d.version, fmt) != 2)
				goto bad;
			if (strcmp(fmt, fmtname))
				printf("note: %s was dumped as %s, checked as %s\n",
				       path, fmt, fmtname);
			break;
		}
		case 'C':
			if (parse_code(&d, s) < 0)
				goto bad;
			havecode = 1;
			break;
		case 'I':
			if (!havecode || check_instrs(&d, s) < 0)
				goto bad;
			break;
		case 'R':
			if (!havecode || check_colines(&d, s) < 0)
				goto bad;
			break;
		case 'E':
			ended = 1;
			break;
		default:
			goto bad;
		}
	}
	if (!ended) {
		printf("%s: truncated dump (no E line)\n", path);
		rc = 1;
	}
	goto out;
bad:
	printf("%s:%ld: cannot parse\n", path, d.lineno);
	rc = 1;
out:
	fclose(f);
	free(s);
	free(d.tab);
	free(d.ranges);
	if (rc)
		return rc;
	if (d.mismatches) {
		printf("linetable %s: %ld code objects, %ld instructions, "
		       "%ld MISMATCHES\n", d.version, d.codes, d.instrs,
		       d.mismatches);
		return 1;
	}
	printf("linetable %s: %ld code objects, %ld instructions ok", d.version,
	       d.codes, d.instrs);
	if (d.fmt == LINES_TABLE_310 || d.fmt == LINES_LOCATIONS)
		printf(" (ranges = co_lines() unmerged for %ld)", d.rangecodes);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3)
		return check_dump(argv[1], argv[2]);
	if (argc != 1) {
		fprintf(stderr, "usage: %s [FORMAT DUMPFILE]\n", argv[0]);
		return 2;
	}
	test_lnotab();
	test_310();
	test_locations();
	return check_done("test-linetable");
}
