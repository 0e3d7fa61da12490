/* launch.c — starting a command and attaching to its interpreter. See
 * include/launch.h. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "launch.h"

pid_t launch_command(char **argv, const struct launch_opts *o, struct ph_error *err)
{
	int out_fd = -1;
	if (o && o->output) {
		out_fd = open(o->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (out_fd < 0)
			return ph_fail(err, PH_ESYSTEM, "cannot create %s: %s", o->output, strerror(errno));
	}
	pid_t child = fork();
	if (child < 0) {
		if (out_fd >= 0)
			close(out_fd);
		return ph_fail(err, PH_ESYSTEM, "cannot fork: %s", strerror(errno));
	}
	if (child == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		if (o && o->own_group)
			setpgid(0, 0);
		if (out_fd >= 0) {
			int in = open("/dev/null", O_RDONLY);
			if (in >= 0 && in != 0) {
				dup2(in, 0);
				close(in);
			}
			dup2(out_fd, 1);
			dup2(out_fd, 2);
		}
		execvp(argv[0], argv);
		dprintf(2, "pyheat: cannot run %s: %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	if (o && o->own_group)
		setpgid(child, child);   /* also here: no race with the exec */
	if (out_fd >= 0)
		close(out_fd);
	return child;
}

/* Has the child exec'd (its executable is no longer pyheat's)? Until then
 * target_attach could read pyheat's own command line and executable. */
static int execed(pid_t child)
{
	char link[64];
	struct stat mine, its;
	snprintf(link, sizeof link, "/proc/%d/exe", (int)child);
	if (stat("/proc/self/exe", &mine) < 0 || stat(link, &its) < 0)
		return 1;   /* cannot tell: let target_attach decide */
	return mine.st_dev != its.st_dev || mine.st_ino != its.st_ino;
}

int launch_attach(struct target *t, pid_t child, int *status, struct ph_error *err)
{
	for (unsigned attempt = 0;; attempt++) {
		int st;
		if (waitpid(child, &st, WNOHANG) == child) {
			*status = st;
			return 1;
		}
		if (execed(child) && target_attach(t, child, err) == 0)
			return 0;
		if (execed(child) && err->code == PH_EPERM)
			return -1;
		struct timespec ts = { 0, attempt < 200 ? 1000000L : 20000000L };
		nanosleep(&ts, NULL);
	}
}

void launch_default_stem(char *buf, size_t len, int pid)
{
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	char when[32];
	strftime(when, sizeof when, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "pyheat-%d-%s", pid, when);
}

int launch_exit_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 0;
}
