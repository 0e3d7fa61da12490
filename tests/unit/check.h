/* check.h — how the unit tests (tests/unit/test-*.c) check and count.
 *
 *   check(cond, fmt, ...)      one check, counted; a failure prints
 *                              "FAIL <what>"
 *   check_say(cond, fmt, ...)  the same, and a pass prints "ok   <what>"
 *   check_group(fmt, ...)      ends a group of checks: prints "ok <what>"
 *                              when none since the previous group failed
 *   check_done(name)           prints the counts; returns the exit status,
 *                              0 when every check passed, else 1
 *
 * The counters are this header's statics: a test is one file, so each test
 * program has its own. Lines are flushed as printed, so they keep their
 * order with a child's output or a crash. */
#ifndef PYHEAT_TESTS_CHECK_H
#define PYHEAT_TESTS_CHECK_H

#include <stdarg.h>
#include <stdio.h>

static struct { int passed, failed, group_failed; } check_counts;

static inline void __attribute__((format(printf, 2, 0)))
check_vline(const char *tag, const char *fmt, va_list ap)
{
	fputs(tag, stdout);
	vprintf(fmt, ap);
	putchar('\n');
	fflush(stdout);
}

static inline int check_count(int cond)
{
	if (cond) {
		check_counts.passed++;
	} else {
		check_counts.failed++;
		check_counts.group_failed++;
	}
	return cond;
}

static inline void __attribute__((format(printf, 2, 3)))
check(int cond, const char *fmt, ...)
{
	if (check_count(cond))
		return;
	va_list ap;
	va_start(ap, fmt);
	check_vline("FAIL ", fmt, ap);
	va_end(ap);
}

static inline void __attribute__((format(printf, 2, 3)))
check_say(int cond, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	check_vline(check_count(cond) ? "ok   " : "FAIL ", fmt, ap);
	va_end(ap);
}

static inline void __attribute__((format(printf, 1, 2)))
check_group(const char *fmt, ...)
{
	if (check_counts.group_failed) {
		check_counts.group_failed = 0;
		return;
	}
	va_list ap;
	va_start(ap, fmt);
	check_vline("ok ", fmt, ap);
	va_end(ap);
}

static inline int check_done(const char *name)
{
	if (check_counts.failed)
		printf("FAIL %s: %d of %d checks failed\n", name, check_counts.failed,
		       check_counts.failed + check_counts.passed);
	else
		printf("ok %s: all %d checks passed\n", name, check_counts.passed);
	return check_counts.failed ? 1 : 0;
}

#endif
