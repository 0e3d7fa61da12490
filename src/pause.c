/* pause.c — stop every thread of the target for one sample. See include/pause.h.
 *
 * Per-thread states (our bookkeeping, which can lag behind the kernel's):
 *
 *   RUNNING    attached, not stopped by us (it may sit in a stop we have not
 *              collected yet: a signal-delivery-stop, a group-stop trap)
 *   STOPPING   PTRACE_INTERRUPT sent: one ptrace-stop is certain to come
 *   STOPPED    in a PTRACE_EVENT_STOP we collected (stop_sig != 0: group-stop)
 *   LISTENING  group-stop restarted with PTRACE_LISTEN: still stopped, but
 *              SIGCONT or SIGKILL wake it (and SIGCONT makes it trap again)
 *   GONE       exited; reaped or a zombie leader waiting for its threads
 *
 * The one rule that keeps "one stop is certain to come" true: a thread found
 * in a signal-delivery-stop while we want it stopped gets PTRACE_INTERRUPT
 * *before* PTRACE_CONT(sig). The interrupt is then pending while the thread
 * is stopped, so after the signal is delivered it traps exactly once (an
 * interrupt sent after the CONT could land on the trap and leave a second
 * one for later). A stop found by waitpid that nobody asked for (a leftover
 * trap) is simply collected and answered at the next call. */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pause.h"

#ifndef PTRACE_SEIZE
#define PTRACE_SEIZE 0x4206
#endif
#ifndef PTRACE_INTERRUPT
#define PTRACE_INTERRUPT 0x4207
#endif
#ifndef PTRACE_LISTEN
#define PTRACE_LISTEN 0x4208
#endif
#ifndef PTRACE_EVENT_STOP
#define PTRACE_EVENT_STOP 128
#endif

enum { T_RUNNING, T_STOPPING, T_STOPPED, T_LISTENING, T_GONE };

/* What to do with a ptrace-stop, by caller. */
enum mode {
	M_STOP,     /* pause_stop_all: keep event-stops, pass signals and wait on */
	M_POLL,     /* between samples: let everything run again */
	M_DETACH,   /* pause_detach_all: detach at the first stop */
};

#define DETACH_TIMEOUT_MS 1000
#define STABLE_SCANS 16   /* rescans after stopping before giving up on newcomers */

static long xptrace(int req, pid_t tid, long data)
{
	return ptrace((enum __ptrace_request)req, tid, (void *)0, (void *)data);
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- tid -> index ---------------------------------------------------------- */

static unsigned hash_tid(pid_t tid)
{
	return ((unsigned)tid * 2654435761u) & (PAUSE_HASH_SLOTS - 1);
}

static int find(const struct pauser *p, pid_t tid)
{
	for (unsigned h = hash_tid(tid), k = 0; k < PAUSE_HASH_SLOTS; k++, h = (h + 1) & (PAUSE_HASH_SLOTS - 1)) {
		int i = p->slot[h];
		if (i < 0)
			return -1;
		if (p->th[i].tid == tid)
			return i;
	}
	return -1;
}

static void hash_put(struct pauser *p, int i)
{
	unsigned h = hash_tid(p->th[i].tid);
	while (p->slot[h] >= 0)
		h = (h + 1) & (PAUSE_HASH_SLOTS - 1);
	p->slot[h] = (int16_t)i;
}

/* Drop GONE threads the last scan did not list (reaped, or detached and
 * gone) and rebuild the index. A listed GONE thread stays: a zombie leader
 * waiting for its threads must not be seized again. */
static void compact(struct pauser *p)
{
	int m = 0;
	for (int i = 0; i < p->n; i++)
		if (p->th[i].state != T_GONE || p->th[i].seen == p->parity)
			p->th[m++] = p->th[i];
	if (m == p->n)
		return;
	p->n = m;
	memset(p->slot, 0xff, sizeof p->slot);
	for (int i = 0; i < p->n; i++)
		hash_put(p, i);
}

static int add(struct pauser *p, pid_t tid)
{
	if (p->n >= WALK_MAX_THREADS)
		return -1;
	struct pause_thread *t = &p->th[p->n];
	memset(t, 0, sizeof *t);
	t->tid = tid;
	t->state = T_RUNNING;
	t->seen = p->parity;
	hash_put(p, p->n++);
	return 0;
}

/* ---- what waitpid says ----------------------------------------------------- */

static void gone(struct pauser *p, struct pause_thread *t, int status, int reaped)
{
	if (t->state != T_GONE)
		p->c.gone++;
	t->state = T_GONE;
	if (reaped && t->tid == p->pid)
		p->exit_status = status;
}

/* The thread could not be operated on (ESRCH): it died, maybe a zombie to reap. */
static void lost(struct pauser *p, struct pause_thread *t)
{
	int st = 0;
	pid_t r = waitpid(t->tid, &st, WNOHANG | __WALL);
	gone(p, t, st, r == t->tid && (WIFEXITED(st) || WIFSIGNALED(st)));
}

static int is_stop_signal(int sig)
{
	return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

static void detach(struct pauser *p, struct pause_thread *t, int sig)
{
	if (xptrace(PTRACE_DETACH, t->tid, sig) < 0) {
		lost(p, t);
		return;
	}
	t->state = T_GONE;   /* not ours any more; compact() drops it */
}

/* Act on one status from waitpid for thread t. */
static void handle(struct pauser *p, struct pause_thread *t, int st, enum mode mode)
{
	if (WIFEXITED(st) || WIFSIGNALED(st)) {
		gone(p, t, st, 1);
		return;
	}
	if (!WIFSTOPPED(st))
		return;
	int sig = WSTOPSIG(st), event = (st >> 16) & 0xff;
	if (event == PTRACE_EVENT_STOP) {
		/* an interrupt (SIGTRAP), or a group-stop (the stop signal) */
		int group = is_stop_signal(sig);
		if (group)
			p->c.group_stops++;
		if (mode == M_DETACH) {
			detach(p, t, 0);          /* the kernel re-enters a group-stop */
		} else if (mode == M_STOP) {
			t->state = T_STOPPED;
			t->stop_sig = (uint8_t)(group ? sig : 0);
		} else if (group) {
			t->state = xptrace(PTRACE_LISTEN, t->tid, 0) < 0 ? T_STOPPED : T_LISTENING;
			t->stop_sig = (uint8_t)sig;
		} else if (xptrace(PTRACE_CONT, t->tid, 0) < 0) {
			lost(p, t);
		} else {
			t->state = T_RUNNING;
		}
		return;
	}
	if (event != 0) {
		/* no PTRACE_O_* option is set, so no other event can come: let it go */
		if (mode == M_DETACH)
			detach(p, t, 0);
		else if (xptrace(PTRACE_CONT, t->tid, 0) < 0)
			lost(p, t);
		else
			t->state = T_RUNNING;
		return;
	}
	/* signal-delivery-stop: the signal goes on, unchanged */
	p->c.signals++;
	if (mode == M_DETACH) {
		detach(p, t, sig);
		return;
	}
	int want_stop = mode == M_STOP || t->state == T_STOPPING;
	if (want_stop && xptrace(PTRACE_INTERRUPT, t->tid, 0) < 0) {
		lost(p, t);
		return;
	}
	if (xptrace(PTRACE_CONT, t->tid, sig) < 0) {
		lost(p, t);
		return;
	}
	t->state = want_stop ? T_STOPPING : T_RUNNING;
}

/* Collect, without blocking, the stops of threads in any of the states in
 * `mask` (1 << T_*). Returns how many reported. */
static int collect(struct pauser *p, unsigned mask, enum mode mode)
{
	int got = 0;
	for (int i = 0; i < p->n; i++) {
		struct pause_thread *t = &p->th[i];
		if (!(mask & (1u << t->state)))
			continue;
		int st;
		pid_t r = waitpid(t->tid, &st, WNOHANG | __WALL);
		if (r == t->tid) {
			handle(p, t, st, mode);
			got++;
		} else if (r < 0 && errno == ECHILD) {
			gone(p, t, 0, 0);   /* not our tracee any more */
			got++;
		}
	}
	return got;
}

static int count_state(const struct pauser *p, int state)
{
	int n = 0;
	for (int i = 0; i < p->n; i++)
		n += p->th[i].state == state;
	return n;
}

static int is_zombie(pid_t pid, pid_t tid)
{
	char s = proc_task_state(pid, tid);
	return s == 'Z' || s == 'X' || s == 0;
}

/* Wait until no thread is STOPPING, or the deadline. 0, or -1 on timeout. */
static int wait_stopping(struct pauser *p, enum mode mode, int timeout_ms)
{
	uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000u;
	long nap_ns = 2000;
	for (int idle = 0;;) {
		int got = collect(p, 1u << T_STOPPING, mode);
		if (!count_state(p, T_STOPPING))
			return 0;
		if (now_ns() > deadline)
			return -1;
		if (got) {
			idle = 0;
			nap_ns = 2000;
			continue;
		}
		/* a stop normally takes microseconds: yield first, then nap longer */
		if (++idle < 32) {
			sched_yield();
		} else {
			/* a zombie leader (its threads still run) takes the interrupt
			 * but never stops, and waitpid says nothing about it */
			if (idle == 32 || (idle & 63) == 0)
				for (int i = 0; i < p->n; i++)
					if (p->th[i].state == T_STOPPING && is_zombie(p->pid, p->th[i].tid))
						gone(p, &p->th[i], 0, 0);
			struct timespec ts = { 0, nap_ns };
			nanosleep(&ts, NULL);
			if (nap_ns < 1000000)
				nap_ns *= 2;
		}
	}
}

static void interrupt(struct pauser *p, struct pause_thread *t)
{
	if (xptrace(PTRACE_INTERRUPT, t->tid, 0) < 0)
		lost(p, t);
	else
		t->state = T_STOPPING;
}

/* ---- /proc/PID/task ---------------------------------------------------------- */

struct dent64 {
	uint64_t ino;
	int64_t off;
	unsigned short reclen;
	unsigned char type;
	char name[];
};

/* Seize every listed thread not yet known. Returns the number seized, or -1
 * with *err_no set (EPERM on the first refusal, ENOSPC when the table is
 * full); *listed gets the number of threads listed. Threads that are known
 * but no longer listed are marked GONE. */
static int scan(struct pauser *p, int *listed, int *err_no)
{
	int seized = 0;
	*listed = 0;
	*err_no = 0;
	p->parity ^= 1;
	if (lseek(p->task_fd, 0, SEEK_SET) < 0) {
		*err_no = errno;
		return -1;
	}
	for (;;) {
		long len = syscall(SYS_getdents64, p->task_fd, p->dents, sizeof p->dents);
		if (len < 0) {
			*err_no = errno;
			return -1;
		}
		if (len == 0)
			break;
		for (long off = 0; off < len;) {
			const struct dent64 *d = (const struct dent64 *)(p->dents + off);
			off += d->reclen;
			pid_t tid = 0;
			const char *s = d->name;
			for (; *s >= '0' && *s <= '9' && tid < 100000000; s++)
				tid = tid * 10 + (*s - '0');
			if (*s || tid <= 0)
				continue;
			++*listed;
			int i = find(p, tid);
			if (i >= 0) {
				p->th[i].seen = p->parity;
				continue;
			}
			int ok = xptrace(PTRACE_SEIZE, tid, 0) == 0, e = errno;
			if (!ok && e == ESRCH)
				continue;   /* it exited meanwhile */
			if (!ok && e == EPERM && is_zombie(p->pid, tid))
				ok = -1;    /* a zombie (a leader waiting for its threads) */
			if (!ok) {
				*err_no = e;
				return -1;
			}
			if (add(p, tid) < 0) {
				if (ok > 0)
					xptrace(PTRACE_DETACH, tid, 0);   /* still running: nothing to undo */
				*err_no = ENOSPC;
				return -1;
			}
			if (ok < 0) {
				p->th[p->n - 1].state = T_GONE;
				continue;
			}
			p->c.seized++;
			seized++;
		}
	}
	for (int i = 0; i < p->n; i++)
		if (p->th[i].seen != p->parity && p->th[i].state != T_GONE)
			lost(p, &p->th[i]);
	compact(p);
	return seized;
}

static int target_gone(const struct pauser *p)
{
	if (p->exit_status != -1)
		return 1;
	for (int i = 0; i < p->n; i++)
		if (p->th[i].state != T_GONE)
			return 0;
	return 1;
}

/* ---- permission messages ------------------------------------------------------ */

static int read_text(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return 0;
}

static int perm_error(pid_t pid, struct ph_error *err)
{
	char buf[4096];
	snprintf(buf, sizeof buf, "/proc/%d/status", (int)pid);
	long tracer = 0;
	if (read_text(buf, buf, sizeof buf) == 0) {
		const char *tp = strstr(buf, "\nTracerPid:");
		if (tp)
			tracer = strtol(tp + 11, NULL, 10);
	}
	if (tracer > 0)
		return ph_fail(err, PH_EPERM, "cannot pause process %d: it is already traced by process "
		               "%ld (a debugger, strace, another pyheat --blocking); detach that first, "
		               "or sample without --blocking", (int)pid, tracer);
	int scope = -1;
	if (read_text("/proc/sys/kernel/yama/ptrace_scope", buf, sizeof buf) == 0)
		scope = (int)strtol(buf, NULL, 10);
	switch (scope) {
	case 3:
		return ph_fail(err, PH_EPERM, "cannot pause process %d: ptrace is disabled on this system "
		               "(kernel.yama.ptrace_scope=3, only a reboot resets it); sample without "
		               "--blocking", (int)pid);
	case 2:
		return ph_fail(err, PH_EPERM, "cannot pause process %d: kernel.yama.ptrace_scope=2 allows "
		               "ptrace only with CAP_SYS_PTRACE: run as root or grant it (setcap "
		               "cap_sys_ptrace+ep pyheat), or sample without --blocking", (int)pid);
	case 1:
		return ph_fail(err, PH_EPERM, "cannot pause process %d: kernel.yama.ptrace_scope=1 allows "
		               "ptrace only of descendants: run as root, grant CAP_SYS_PTRACE (setcap "
		               "cap_sys_ptrace+ep pyheat), or set kernel.yama.ptrace_scope=0; or sample "
		               "without --blocking", (int)pid);
	default:
		return ph_fail(err, PH_EPERM, "cannot pause process %d: ptrace not permitted: run as root "
		               "or as the target's user (with CAP_SYS_PTRACE when it changed user or is "
		               "not dumpable), or sample without --blocking", (int)pid);
	}
}

/* ---- the API ------------------------------------------------------------------- */

int pause_open(struct pauser *p, pid_t pid, unsigned flags, struct ph_error *err)
{
	memset(&p->c, 0, sizeof p->c);
	p->pid = pid;
	p->flags = flags;
	p->timeout_ms = getenv("PTO") ? atoi(getenv("PTO")) : PAUSE_TIMEOUT_MS;
	p->exit_status = -1;
	p->n = 0;
	p->stopped = 0;
	p->parity = 0;
	memset(p->slot, 0xff, sizeof p->slot);
	task_stat_cache_init(&p->stat, pid);
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	p->task_fd = pid > 0 ? open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;
	if (p->task_fd < 0) {
		if (errno == EACCES || errno == EPERM)
			return perm_error(pid, err);
		return ph_fail(err, PH_ENOPROC, "no process %d", (int)pid);
	}
	int listed, e = 0;
	if (scan(p, &listed, &e) < 0 || listed == 0 || p->n == 0) {
		int had = p->n;
		pause_close(p);
		if (e == EPERM || e == EACCES)
			return perm_error(pid, err);
		if (e == ENOSPC)
			return ph_fail(err, PH_ESYSTEM, "process %d has more than %d threads: too many to "
			               "pause", (int)pid, WALK_MAX_THREADS);
		if (e == 0 || e == ESRCH || e == ENOENT || !had)
			return ph_fail(err, proc_check(pid, NULL) < 0 ? PH_EEXITED : PH_ESYSTEM,
			               "process %d exited before it could be paused", (int)pid);
		return ph_fail(err, PH_ESYSTEM, "cannot pause process %d: ptrace: %s", (int)pid,
		               strerror(e));
	}
	return 0;
}

/* Let every thread we stopped run again (STOPPING ones are left to poll). */
static void resume(struct pauser *p)
{
	for (int i = 0; i < p->n; i++) {
		struct pause_thread *t = &p->th[i];
		if (t->state != T_STOPPED)
			continue;
		if (t->stop_sig) {
			if (xptrace(PTRACE_LISTEN, t->tid, 0) == 0)
				t->state = T_LISTENING;
			else if (errno == ESRCH)
				lost(p, t);
			/* else leave it stopped: it is in a group-stop anyway */
		} else if (xptrace(PTRACE_CONT, t->tid, 0) == 0) {
			t->state = T_RUNNING;
		} else {
			lost(p, t);
		}
	}
	p->stopped = 0;
}

static int exited(struct pauser *p, struct ph_error *err)
{
	resume(p);
	if (p->exit_status != -1 && WIFSIGNALED(p->exit_status))
		return ph_fail(err, PH_EEXITED, "process %d was killed by signal %d while paused",
		               (int)p->pid, WTERMSIG(p->exit_status));
	return ph_fail(err, PH_EEXITED, "process %d exited", (int)p->pid);
}

int pause_stop_all(struct pauser *p, struct ph_error *err)
{
	if (p->task_fd < 0)
		return ph_fail(err, PH_ESYSTEM, "pause_stop_all: the pauser is closed");
	if (p->stopped)
		return count_state(p, T_STOPPED);
	/* stops that came while running: signals to pass on, group-stops, leftovers */
	collect(p, 1u << T_RUNNING | 1u << T_LISTENING | 1u << T_STOPPING, M_STOP);
	if (p->flags & PAUSE_OS_STATE)
		for (int i = 0; i < p->n; i++)
			if (p->th[i].state == T_RUNNING || p->th[i].state == T_LISTENING)
				p->th[i].os_state = task_stat_cache_state(&p->stat, p->th[i].tid);
	for (int i = 0; i < p->n; i++)
		if (p->th[i].state == T_RUNNING || p->th[i].state == T_LISTENING)
			interrupt(p, &p->th[i]);
	for (int round = 0;; round++) {
		if (wait_stopping(p, M_STOP, p->timeout_ms) < 0) {
			p->c.timeouts++;
			pid_t slow = 0;
			for (int i = 0; i < p->n && !slow; i++)
				if (p->th[i].state == T_STOPPING)
					slow = p->th[i].tid;
			resume(p);
			if (target_gone(p))
				return exited(p, err);
			return ph_fail(err, PH_EREAD, "thread %d of process %d did not stop within %d ms "
			               "(uninterruptible sleep?)", (int)slow, (int)p->pid, p->timeout_ms);
		}
		if (target_gone(p))
			return exited(p, err);
		/* everything known is stopped: only a thread we do not know yet could
		 * still be running (and making more) */
		int listed, e;
		int fresh = scan(p, &listed, &e);
		if (fresh < 0 || listed == 0) {
			if (listed == 0 || e == ESRCH || e == ENOENT || target_gone(p))
				return exited(p, err);
			resume(p);
			if (e == ENOSPC)
				return ph_fail(err, PH_ESYSTEM, "process %d has more than %d threads: too many "
				               "to pause", (int)p->pid, WALK_MAX_THREADS);
			if (e == EPERM)
				return perm_error(p->pid, err);
			return ph_fail(err, PH_ESYSTEM, "cannot pause process %d: %s", (int)p->pid,
			               strerror(e));
		}
		if (fresh == 0 && !count_state(p, T_RUNNING))
			break;
		if (round >= STABLE_SCANS) {
			resume(p);
			return ph_fail(err, PH_EREAD, "process %d keeps starting threads faster than they "
			               "can be paused", (int)p->pid);
		}
		p->c.rescans++;
		for (int i = 0; i < p->n; i++)
			if (p->th[i].state == T_RUNNING)
				interrupt(p, &p->th[i]);
	}
	p->stopped = 1;
	p->c.cycles++;
	return count_state(p, T_STOPPED);
}

int pause_resume_all(struct pauser *p)
{
	if (p->task_fd < 0)
		return -1;
	resume(p);
	return target_gone(p) ? -1 : 0;
}

int pause_poll(struct pauser *p)
{
	if (p->task_fd < 0)
		return -1;
	if (!p->stopped) {
		collect(p, 1u << T_RUNNING | 1u << T_LISTENING | 1u << T_STOPPING, M_POLL);
		}
	return target_gone(p) ? -1 : 0;
}

void pause_fix_os_state(const struct pauser *p, struct thread_info *th, int n)
{
	for (int k = 0; k < n; k++) {
		int i = th[k].tid > 0 ? find(p, th[k].tid) : -1;
		if (i < 0 || p->th[i].state != T_STOPPED)
			continue;
		const struct pause_thread *t = &p->th[i];
		char s = t->stop_sig ? 'T' : (p->flags & PAUSE_OS_STATE) ? t->os_state : 0;
		if (s == 't')
			s = 0;   /* it was in some other trace stop: unknown */
		th[k].os_state = s;
		if (s == 'R')
			th[k].flags |= THREAD_RUNNING;
		else
			th[k].flags &= ~(unsigned)THREAD_RUNNING;
	}
}

int pause_detach_all(struct pauser *p)
{
	if (p->task_fd < 0)
		return 0;
	/* collect what is already waiting, then stop the rest: PTRACE_DETACH
	 * needs a tracee in a ptrace-stop */
	collect(p, 1u << T_RUNNING | 1u << T_LISTENING | 1u << T_STOPPING, M_DETACH);
	for (int i = 0; i < p->n; i++) {
		struct pause_thread *t = &p->th[i];
		if (t->state == T_STOPPED)
			detach(p, t, 0);
		else if (t->state == T_RUNNING || t->state == T_LISTENING)
			interrupt(p, t);
	}
	wait_stopping(p, M_DETACH, DETACH_TIMEOUT_MS);
	int left = count_state(p, T_STOPPING);
	/* Those stay traced; the kernel detaches them when this thread exits. */
	for (int i = 0; i < p->n; i++)
		if (p->th[i].state != T_STOPPING)
			p->th[i].state = T_GONE;
	p->stopped = 0;
	p->n = 0;
	memset(p->slot, 0xff, sizeof p->slot);
	return left;
}

void pause_close(struct pauser *p)
{
	if (p->task_fd < 0)
		return;
	pause_detach_all(p);
	close(p->task_fd);
	p->task_fd = -1;
	task_stat_cache_close(&p->stat);
}
