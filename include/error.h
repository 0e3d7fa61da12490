/* error.h — errors as values.
 *
 * Deep code never prints: it fills a `struct ph_error` with an exit code from
 * the documented range and a one-line message that says what to do, and
 * returns -1. The subcommand at the top prints `pyheat: <msg>` and exits with
 * the code. */
#ifndef PYHEAT_ERROR_H
#define PYHEAT_ERROR_H

/* Exit codes (documented in man/pyheat.1 and README.md). */
enum ph_exit {
	PH_OK            = 0,
	PH_EUSAGE        = 64, /* bad options or arguments */
	PH_ENOPROC       = 65, /* no such process */
	PH_ENOTPYTHON    = 66, /* the process is not running CPython */
	PH_EUNSUPPORTED  = 67, /* a CPython build pyheat cannot read */
	PH_EPERM         = 68, /* permission denied reading the target */
	PH_EEXITED       = 69, /* the target exited while being read */
	PH_EBADFILE      = 70, /* corrupt or unreadable input file */
	PH_ESYSTEM       = 71, /* out of memory, I/O error, other system failure */
	PH_ENOTTY        = 72, /* a terminal was needed and there is none */
	PH_EREAD         = 73, /* the target's memory did not make sense (torn or garbage read) */
};

struct ph_error {
	int code;          /* enum ph_exit */
	char msg[320];
};

/* Fill `e` (may be NULL) and return -1, so callers can `return ph_fail(...)`. */
int ph_fail(struct ph_error *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* A short name for an exit code ("no such process"), for the man page and tests. */
const char *ph_exit_name(int code);

#endif
