/* test-stats.c — the shares every view uses (src/stats.c) and the collapsed
 * format's escapes (src/export-collapsed.c).
 *
 * The Wilson interval is checked against published values (Newcombe 1998,
 * "Two-sided confidence intervals for the single proportion", Table I,
 * method 3). The aggregation runs on a small profile written with the real
 * prof_writer and read back with prof_open: four threads in two processes,
 * recursion, a function split over two code objects, an empty stack, and
 * truncated samples.
 *
 * Prints "ok <what>" per group, "FAIL <what>: <detail>" per failed check;
 * exits 0 only when every check passed. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "profile.h"
#include "stats.h"

#include "check.h"

/* ---- Wilson --------------------------------------------------------------- */

static void test_wilson(void)
{
	static const struct { uint64_t k, n; double lo, hi; } known[] = {
		{ 81, 263, 0.2553, 0.3662 },   /* Newcombe 1998, Table I */
		{ 15, 148, 0.0624, 0.1605 },
		{ 0, 20, 0.0000, 0.1611 },
		{ 1, 29, 0.0061, 0.1718 },
		{ 5, 10, 0.2366, 0.7634 },
		{ 0, 10, 0.0000, 0.2775 },
		{ 10, 10, 0.7225, 1.0000 },
	};
	for (size_t i = 0; i < sizeof known / sizeof known[0]; i++) {
		double lo, hi;
		stats_wilson(known[i].k, known[i].n, STATS_Z95, &lo, &hi);
		check(fabs(lo - known[i].lo) < 5e-5 && fabs(hi - known[i].hi) < 5e-5,
		      "wilson %llu/%llu = [%.5f, %.5f], want [%.4f, %.4f]", (unsigned long long)known[i].k,
		      (unsigned long long)known[i].n, lo, hi, known[i].lo, known[i].hi);
	}
	double lo, hi;
	stats_wilson(0, 0, STATS_Z95, &lo, &hi);
	check(lo == 0.0 && hi == 1.0, "wilson 0/0 = [%g, %g], want [0, 1]", lo, hi);
	stats_wilson(0, 1000000, STATS_Z95, &lo, &hi);
	check(lo == 0.0 && hi > 0.0 && hi < 1e-5, "wilson 0/1e6 = [%g, %g]", lo, hi);
	stats_wilson(1000000, 1000000, STATS_Z95, &lo, &hi);
	check(hi == 1.0 && lo < 1.0 && lo > 1 - 1e-5, "wilson 1e6/1e6 = [%g, %g]", lo, hi);
	/* symmetric: k/n and (n-k)/n mirror each other */
	double lo2, hi2;
	stats_wilson(3, 17, STATS_Z95, &lo, &hi);
	stats_wilson(14, 17, STATS_Z95, &lo2, &hi2);
	check(fabs(lo - (1 - hi2)) < 1e-12 && fabs(hi - (1 - lo2)) < 1e-12, "wilson not symmetric");
	/* the interval holds the estimate and narrows with n */
	double a_lo, a_hi, b_lo, b_hi;
	stats_wilson(30, 100, STATS_Z95, &a_lo, &a_hi);
	stats_wilson(3000, 10000, STATS_Z95, &b_lo, &b_hi);
	check(a_lo < 0.3 && a_hi > 0.3 && b_lo < 0.3 && b_hi > 0.3 && b_hi - b_lo < a_hi - a_lo,
	      "wilson 30/100 [%g, %g] vs 3000/10000 [%g, %g]", a_lo, a_hi, b_lo, b_hi);
	check_group("wilson interval (Newcombe 1998 values, edges, symmetry)");
}

/* ---- a synthetic profile ---------------------------------------------------- */

enum { S_MAIN, S_A, S_B, S_C, S_REC, S_LEAF, S_T0, S_T1, S_T2, S_T3 };
enum { F_MAIN, F_REC, F_LEAF, F_LEAF2, F_LEAFC };
#define MS 1000000ull

static int write_profile(const char *path)
{
	struct prof_meta meta = { .cmdline = "python3 a.py", .exe = "/usr/bin/python3",
	                          .python_version = "3.12.1", .mode = "cpu", .host = "test",
	                          .pyheat_version = "test", .pid = 100, .rate_hz = 100,
	                          .start_unix_ns = 1700000000000000000ll };
	struct ph_error err = { 0 };
	struct prof_writer *w = prof_writer_open(path, &meta, &err);
	if (!w) {
		check(0, "prof_writer_open: %s", err.msg);
		return -1;
	}
	static const char *strs[] = { "main", "a.py", "b.py", "c.py", "rec", "leaf", "main", "w1", "w2", "child" };
	int rc = 0;
	for (uint32_t i = 0; i < sizeof strs / sizeof strs[0]; i++)
		rc |= prof_write_string(w, i, strs[i]);
	rc |= prof_write_func(w, F_MAIN, S_MAIN, S_A, 1);
	rc |= prof_write_func(w, F_REC, S_REC, S_A, 5);
	rc |= prof_write_func(w, F_LEAF, S_LEAF, S_B, 3);
	rc |= prof_write_func(w, F_LEAF2, S_LEAF, S_B, 2);   /* same function, another code object */
	rc |= prof_write_func(w, F_LEAFC, S_LEAF, S_C, 1);   /* same name, another file */
	/* frames: 0 main@1, 1 main@2, 2 rec@5, 3 rec@6, 4 leaf@3, 5 leaf2@4, 6 leafc@1 */
	rc |= prof_write_frame(w, 0, F_MAIN, 1);
	rc |= prof_write_frame(w, 1, F_MAIN, 2);
	rc |= prof_write_frame(w, 2, F_REC, 5);
	rc |= prof_write_frame(w, 3, F_REC, 6);
	rc |= prof_write_frame(w, 4, F_LEAF, 3);
	rc |= prof_write_frame(w, 5, F_LEAF2, 4);
	rc |= prof_write_frame(w, 6, F_LEAFC, 1);
	static const uint32_t s0[] = { 4, 0 }, s1[] = { 2, 3, 3, 1 }, s2[] = { 5, 3, 1 }, s4[] = { 6, 0 };
	rc |= prof_write_stack(w, 0, s0, 2);
	rc |= prof_write_stack(w, 1, s1, 4);
	rc |= prof_write_stack(w, 2, s2, 3);
	rc |= prof_write_stack(w, 3, NULL, 0);
	rc |= prof_write_stack(w, 4, s4, 2);
	rc |= prof_write_thread(w, 0, 100, 100, S_T0);
	rc |= prof_write_thread(w, 1, 100, 101, S_T1);
	rc |= prof_write_thread(w, 2, 100, 102, S_T2);
	rc |= prof_write_thread(w, 3, 200, 200, S_T3);
	for (uint64_t k = 0; k < 10; k++) {
		uint64_t t = k * 10 * MS;
		rc |= prof_write_sample(w, t, 0, 0, PROF_RUNNING);
		rc |= prof_write_sample(w, t, 1, k < 6 ? 1 : 2, PROF_RUNNING);
		if (k < 5)
			rc |= prof_write_sample(w, t, 2, 3, 0);
		else
			rc |= prof_write_sample(w, t, 3, 4, k >= 8 ? PROF_TRUNCATED : 0);
		if (k == 4)
			rc |= prof_writer_flush(w);
	}
	rc |= prof_write_counts(w, 2, 1);
	if (rc) {
		check(0, "the writer refused a record");
		prof_writer_abort(w);
		return -1;
	}
	if (prof_writer_close(w, 100 * MS, &err) < 0) {
		check(0, "prof_writer_close: %s", err.msg);
		return -1;
	}
	return 0;
}

static const struct stats_row *find(const struct stats_row *rows, size_t n, const char *name,
                                    const char *file, int line)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(rows[i].name, name) && !strcmp(rows[i].file, file) && rows[i].line == line)
			return &rows[i];
	return NULL;
}

static void expect_row(const struct stats_row *rows, size_t n, uint64_t total_samples, const char *name,
                       const char *file, int line, uint64_t own, uint64_t total)
{
	const struct stats_row *r = find(rows, n, name, file, line);
	check(r != NULL, "no row for %s (%s:%d)", name, file, line);
	if (!r)
		return;
	check(r->samples_own == own && r->samples_total == total, "%s (%s:%d): own %llu total %llu, want %llu %llu",
	      name, file, line, (unsigned long long)r->samples_own, (unsigned long long)r->samples_total,
	      (unsigned long long)own, (unsigned long long)total);
	double lo, hi;
	stats_wilson(own, total_samples, STATS_Z95, &lo, &hi);
	check(fabs(r->own - (double)own / (double)total_samples) < 1e-12 && r->own_lo == lo && r->own_hi == hi,
	      "%s: own share %g [%g, %g]", name, r->own, r->own_lo, r->own_hi);
	stats_wilson(total, total_samples, STATS_Z95, &lo, &hi);
	check(fabs(r->total - (double)total / (double)total_samples) < 1e-12 && r->total_lo == lo &&
	      r->total_hi == hi, "%s: total share %g [%g, %g]", name, r->total, r->total_lo, r->total_hi);
}

static void test_aggregation(const struct profile *p)
{
	struct ph_error err = { 0 };
	struct stats_filter all = { 0 };
	struct stats_result r;
	if (stats_compute(p, &all, &r, &err) < 0) {
		check(0, "stats_compute: %s", err.msg);
		return;
	}
	check(r.samples == 30, "samples %llu, want 30", (unsigned long long)r.samples);
	check(r.samples_empty == 5, "empty samples %llu, want 5", (unsigned long long)r.samples_empty);
	check(r.samples_truncated == 2, "truncated %llu, want 2", (unsigned long long)r.samples_truncated);
	check(r.threads == 4, "threads %u, want 4", r.threads);
	check(r.nthreads == 4 && r.thread_samples[0] == 10 && r.thread_samples[1] == 10 &&
	      r.thread_samples[2] == 5 && r.thread_samples[3] == 5, "samples per thread");
	check(r.duration_ns == 100 * MS, "duration %llu", (unsigned long long)r.duration_ns);
	check(fabs(r.ticks - 10.0) < 1e-9 && fabs(r.cores_busy - 3.0) < 1e-9, "ticks %g cores busy %g",
	      r.ticks, r.cores_busy);
	check(r.first_ns == 0 && r.last_ns == 90 * MS, "first %llu last %llu", (unsigned long long)r.first_ns,
	      (unsigned long long)r.last_ns);
	/* functions: leaf in b.py is two code objects, one function */
	check(r.nfuncs == 4, "%zu function rows, want 4", r.nfuncs);
	expect_row(r.funcs, r.nfuncs, 30, "main", "a.py", -1, 0, 25);
	expect_row(r.funcs, r.nfuncs, 30, "leaf", "b.py", -1, 14, 14);
	expect_row(r.funcs, r.nfuncs, 30, "rec", "a.py", -1, 6, 10);     /* recursion once */
	expect_row(r.funcs, r.nfuncs, 30, "leaf", "c.py", -1, 5, 5);
	const struct stats_row *leaf = find(r.funcs, r.nfuncs, "leaf", "b.py", -1);
	check(leaf && r.ix.funcs[leaf->func].firstlineno == 2, "merged firstlineno is the smallest");
	/* own shares plus the empty samples add up to 100%% across threads */
	double sum = (double)r.samples_empty / (double)r.samples;
	uint64_t own = 0;
	for (size_t i = 0; i < r.nfuncs; i++) {
		sum += r.funcs[i].own;
		own += r.funcs[i].samples_own;
		check(r.funcs[i].total <= 1.0, "total share over 100%%: %s", r.funcs[i].name);
	}
	check(fabs(sum - 1.0) < 1e-12 && own + r.samples_empty == r.samples, "own shares sum to %g", sum);
	/* by own share, largest first */
	check(!strcmp(r.funcs[0].name, "leaf") && !strcmp(r.funcs[0].file, "b.py") &&
	      !strcmp(r.funcs[1].name, "rec") && !strcmp(r.funcs[3].name, "main"), "order by own share");
	stats_sort(r.funcs, r.nfuncs, STATS_BY_TOTAL);
	check(!strcmp(r.funcs[0].name, "main") && !strcmp(r.funcs[1].name, "leaf") &&
	      !strcmp(r.funcs[2].name, "rec"), "order by total share");
	/* lines */
	expect_row(r.lines, r.nlines, 30, "leaf", "b.py", 3, 10, 10);
	expect_row(r.lines, r.nlines, 30, "leaf", "b.py", 4, 4, 4);
	expect_row(r.lines, r.nlines, 30, "rec", "a.py", 5, 6, 6);
	expect_row(r.lines, r.nlines, 30, "rec", "a.py", 6, 0, 10);      /* twice in a stack, once */
	expect_row(r.lines, r.nlines, 30, "main", "a.py", 1, 0, 15);
	expect_row(r.lines, r.nlines, 30, "main", "a.py", 2, 0, 10);
	expect_row(r.lines, r.nlines, 30, "leaf", "c.py", 1, 5, 5);
	check(r.nlines == 7, "%zu line rows, want 7", r.nlines);

	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	stats_print_top(m, &r, 2);
	fclose(m);
	check(buf && strstr(buf, "30 samples from 4 threads over 0.10 s (3.00 cores busy)") &&
	      strstr(buf, "Top 2 of 4 functions") && strstr(buf, "leaf (b.py:2)") &&
	      strstr(buf, "rec (a.py:5)") && !strstr(buf, "main (a.py"), "top table:\n%s", buf ? buf : "");
	check(buf && strstr(buf, "  46.7   30.2- 63.9     46.7   30.2- 63.9  leaf (b.py:2)"), "leaf's own share 46.7%% in:\n%s", buf ? buf : "");
	free(buf);
	stats_free(&r);
	check_group("aggregation: own/total, recursion once, merged code objects, lines, 100%% across threads");
}

static void expect_filtered(const struct profile *p, struct stats_filter f, uint64_t want, uint32_t threads,
                            const char *what)
{
	struct ph_error err = { 0 };
	struct stats_result r;
	if (stats_compute(p, &f, &r, &err) < 0) {
		check(0, "%s: stats_compute: %s", what, err.msg);
		return;
	}
	check(r.samples == want && r.threads == threads, "%s: %llu samples from %u threads, want %llu from %u",
	      what, (unsigned long long)r.samples, r.threads, (unsigned long long)want, threads);
	double sum = (double)r.samples_empty / (double)(r.samples ? r.samples : 1);
	for (size_t i = 0; i < r.nfuncs; i++)
		sum += r.funcs[i].own;
	check(r.samples == 0 || fabs(sum - 1.0) < 1e-12, "%s: own shares sum to %g", what, sum);
	stats_free(&r);
}

static void test_filters(const struct profile *p)
{
	expect_filtered(p, (struct stats_filter){ .tid = 101 }, 10, 1, "tid 101");
	expect_filtered(p, (struct stats_filter){ .pid = 200 }, 5, 1, "pid 200");
	expect_filtered(p, (struct stats_filter){ .pid = 100 }, 25, 3, "pid 100");
	expect_filtered(p, (struct stats_filter){ .pid = 100, .tid = 200 }, 0, 0, "pid 100 tid 200");
	expect_filtered(p, (struct stats_filter){ .from_ns = 50 * MS, .to_ns = 80 * MS }, 9, 3, "50-80 ms");
	expect_filtered(p, (struct stats_filter){ .from_ns = 50 * MS }, 15, 3, "from 50 ms");
	expect_filtered(p, (struct stats_filter){ .to_ns = 10 * MS }, 3, 3, "to 10 ms");
	expect_filtered(p, (struct stats_filter){ .from_ns = 500 * MS }, 0, 0, "after the end");
	struct stats_result r;
	struct ph_error err = { 0 };
	struct stats_filter f = { .from_ns = 50 * MS, .to_ns = 80 * MS };
	if (stats_compute(p, &f, &r, &err) == 0) {
		check(r.duration_ns == 30 * MS && fabs(r.cores_busy - 3.0) < 1e-9, "window 30 ms, %g busy",
		      r.cores_busy);
		stats_free(&r);
	}
	check_group("filters: --from/--to/--pid/--tid select the right samples");
}

/* ---- escapes ---------------------------------------------------------------- */

static char *capture(void (*fn)(FILE *, const char *), const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	fn(m, s);
	fclose(m);
	return buf;
}

static void test_escapes(void)
{
	static const struct { const char *in, *folded, *json; } cases[] = {
		{ "plain", "plain", "\"plain\"" },
		{ "a;b\nc", "a\\x3bb\\x0ac", "\"a;b\\nc\"" },
		{ "back\\slash", "back\\x5cslash", "\"back\\\\slash\"" },
		{ "\x1b[31mred", "\\x1b[31mred", "\"\\u001b[31mred\"" },
		{ "</script>", "</script>", "\"\\u003c/script\\u003e\"" },
		{ "\xc2\x9b" "csi", "\\xc2\\x9bcsi", "\"\\u009bcsi\"" },
		{ "\xe9t\xe9", "\\xe9t\\xe9", "\"\xef\xbf\xbdt\xef\xbf\xbd\"" },     /* Latin-1, not UTF-8 */
		{ "\xe9\x96\xa2\xe6\x95\xb0", "\xe9\x96\xa2\xe6\x95\xb0", "\"\xe9\x96\xa2\xe6\x95\xb0\"" },
		{ "\xed\xa0\x80", "\\xed\\xa0\\x80", "\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\"" }, /* surrogate */
		{ "\xc0\xaf", "\\xc0\\xaf", "\"\xef\xbf\xbd\xef\xbf\xbd\"" },          /* overlong '/' */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *f = capture(export_put_folded, cases[i].in);
		char *j = capture(export_put_json, cases[i].in);
		check(f && !strcmp(f, cases[i].folded), "folded case %zu: got '%s' want '%s'", i, f, cases[i].folded);
		check(j && !strcmp(j, cases[i].json), "json case %zu: got '%s' want '%s'", i, j, cases[i].json);
		free(f);
		free(j);
	}
	static const struct { const char *in, *text; } texts[] = {
		{ "plain \xe9\x96\xa2", "plain \xe9\x96\xa2" },
		{ "\x1b[2J\x07", "\\x1b[2J\\x07" },
		{ "raw\x9b" "csi\xff", "raw\\x9bcsi\\xff" },          /* 8-bit CSI as a bare byte */
		{ "\xc2\x9b" "c1", "\\u009bc1" },
	};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		char *t = capture(stats_put_text, texts[i].in);
		check(t && !strcmp(t, texts[i].text), "text case %zu: got '%s' want '%s'", i, t, texts[i].text);
		free(t);
	}
	/* a long valid name crosses stats_put_text's buffer on a character boundary */
	char longname[1200], want[1200];
	size_t o = 0;
	for (int i = 0; i < 300; i++) {
		memcpy(longname + o, "\xe6\x95\xb0", 3);
		o += 3;
	}
	longname[o] = '\0';
	memcpy(want, longname, o + 1);
	char *t = capture(stats_put_text, longname);
	check(t && !strcmp(t, want), "a long UTF-8 name was cut or escaped");
	free(t);
	check_group("escapes: collapsed \\xNN for ; \\ controls and bad UTF-8; JSON with U+FFFD; text");
}

int main(void)
{
	test_wilson();
	test_escapes();

	const char *tmp = getenv("TMPDIR");
	char dir[4096];
	snprintf(dir, sizeof dir, "%s/pyheat-test-stats-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	char path[4200];
	snprintf(path, sizeof path, "%s/synthetic.pyheat", dir);
	if (write_profile(path) == 0) {
		struct ph_error err = { 0 };
		struct profile *p = prof_open(path, &err);
		check(p != NULL, "prof_open: %s", err.msg);
		if (p) {
			check(p->complete && p->nsamples == 30 && p->errors == 2 && p->drops == 1,
			      "read back: complete %d, %llu samples, %llu errors, %llu drops", p->complete,
			      (unsigned long long)p->nsamples, (unsigned long long)p->errors,
			      (unsigned long long)p->drops);
			test_aggregation(p);
			test_filters(p);
			prof_close(p);
		}
	}
	unlink(path);
	rmdir(dir);
	return check_done("test-stats");
}
