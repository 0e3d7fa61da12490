/* launch.h — starting a command to profile and finding its interpreter,
 * and naming a session's files: the parts of a profiling session that
 * `record` and `attach`/`top` share.
 *
 * Set-up only (forks, sleeps, allocates in target_attach). */
#ifndef PYHEAT_LAUNCH_H
#define PYHEAT_LAUNCH_H

#include <stddef.h>
#include <sys/types.h>

#include "error.h"
#include "target.h"

struct launch_opts {
	int own_group;           /* the command gets its own process group (a
	                          * terminal's Ctrl-C then reaches only pyheat) */
	const char *output;      /* stdout and stderr to this file (created, 0600),
	                          * stdin from /dev/null; NULL: inherit all three */
};

/* Fork and exec argv[0] (PATH searched). In the child, SIGINT and SIGQUIT
 * are reset to their defaults; a failed exec prints one line and exits 127.
 * Returns the child's pid, or -1 with err. */
pid_t launch_command(char **argv, const struct launch_opts *o, struct ph_error *err);

/* Wait for the child to exec and its interpreter to come up, and attach to
 * it (polls: every 1 ms for 200 ms, then every 20 ms). Returns 0 attached; 1 the child exited
 * first (reaped: *status is its wait status); -1 error (err). */
int launch_attach(struct target *t, pid_t child, int *status, struct ph_error *err);

/* The default stem of a session's files: pyheat-PID-YYYYMMDDTHHMMSSZ (UTC). */
void launch_default_stem(char *buf, size_t len, int pid);

/* An exit code for a wait status: the code, or 128 + the signal. */
int launch_exit_code(int status);

#endif
