/* pause.c — stop every thread of the target for one sample. See include/pause.h.
 *
 * Per-thread states (our bookkeeping, which can lag behind the kernel's):
 *
 *   RUNNING    attached, not stopped by us (it may sit in a stop we have not
 *              collected yet: a signal-delivery-stop, a group-stop trap)
 *   STOPPING   PTRACE_INTERRUPT sent, the trap not collected yet
 *   STOPPED    in a PTRACE_EVENT_STOP we collected (stop_sig != 0: group-stop)
 *   LISTENING  group-stop restarted with PTRACE_LISTEN: still stopped, but
 *              SIGCONT or SIGKILL wake it (and SIGCONT makes it trap again)
 *   DEAD       exited, not reaped yet (a traced zombie, or a zombie leader
 *              waiting for its threads): waitpid is tried again
 *   GONE       reaped, detached, or never ours
 *
 * Why a STOPPING thread is already frozen: PTRACE_INTERRUPT sets a pending
 * trap and TIF_SIGPENDING and kicks the thread's CPU (an IPI) when it runs.
 * Every return to user mode checks that flag first, so from microseconds
 * after the interrupt on the thread executes no user-mode instruction before
 * it traps: a thread waiting for a CPU, or in an uninterruptible sleep (D),
 * may take long to report its trap but cannot change the interpreter's
 * state meanwhile (only the kernel may finish a system call's copy into a
 * user buffer). So pause_stop_all() waits `patience_ms` for the traps (they
 * normally come within tens of microseconds) and then counts the rest as
 * paused; their traps are collected and answered as they come.
 *
 * Leftover traps: PTRACE_INTERRUPT sent to a thread already in a ptrace-stop
 * we have not collected stays pending and traps again after the resume. Any
 * stop nobody asked for is collected and answered at the next call, which is
 * why the sampler must call pause_poll() or pause_stop_all() often. */
#include <errno.h>
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

enum { T_RUNNING, T_STOPPING, T_STOPPED, T_LISTENING, T_DEAD, T_GONE };

/* What to do with a ptrace-stop, by caller. */
enum mode {
	M_STOP,     /* pause_stop_all: keep event-stops, pass signals and wait on */
	M_POLL,     /* between samples: let everything run again */
	M_DETACH,   /* pause_detach_all: detach at the first stop */
};

/* every state that may have a stop or exit to collect */
#define ANY_STOP (1u << T_RUNNING | 1u << T_STOPPING | 1u << T_LISTENING | 1u << T_DEAD)

#define DETACH_TIMEOUT_MS 2000
#define SPIN_US 200       /* busy-poll for traps this long before napping */
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
	unsigned h = hash_tid(tid);
	for (unsigned k = 0; k < PAUSE_HASH_SLOTS; k++, h = (h + 1) & (PAUSE_HASH_SLOTS - 1)) {
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

/* Drop GONE and DEAD threads the last scan did not list and rebuild the
 * index. A listed one stays: a zombie leader waiting for its threads must
 * not be seized again. */
static void compact(struct pauser *p)
{
	int m = 0;
	for (int i = 0; i < p->n; i++)
		if ((p->th[i].state != T_GONE && p->th[i].state != T_DEAD) ||
		    p->th[i].seen == p->parity)
			p->th[m++] = p->th[i];
	if (m == p->n)
		return;
	p->n = m;
	memset(p->slot, 0xff, sizeof p->slot);
	for (int i = 0; i < p->n; i++)
		hash_put(p, i);
}

static void add(struct pauser *p, pid_t tid)
{
	struct pause_thread *t = &p->th[p->n];
	memset(t, 0, sizeof *t);
	t->tid = tid;
	t->state = T_RUNNING;
	t->seen = p->parity;
	hash_put(p, p->n++);
}

/* ---- what waitpid says ----------------------------------------------------- */

/* The thread exited: reaped (status is its wait status) or not yet. */
static void gone(struct pauser *p, struct pause_thread *t, int status, int reaped)
{
	if (t->state != T_GONE && t->state != T_DEAD)
		p->c.gone++;
	t->state = reaped ? T_GONE : T_DEAD;
	t->fresh = 0;
	if (reaped && t->tid == p->pid)
		p->exit_status = status;
}

/* The thread could not be operated on (ESRCH): it died; reap it if it can be. */
static void lost(struct pauser *p, struct pause_thread *t)
{
	int st = 0;
	pid_t r = waitpid(t->tid, &st, WNOHANG | __WALL);
	if (r < 0 && errno == ECHILD) {
		t->state = T_GONE;   /* not our tracee (any more) */
		t->fresh = 0;
		return;
	}
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
	t->state = T_GONE;   /* not ours any more; dropped once no longer listed */
	t->fresh = 0;
}

static void cont(struct pauser *p, struct pause_thread *t, int sig)
{
	if (xptrace(PTRACE_CONT, t->tid, sig) < 0) {
		lost(p, t);
		return;
	}
	t->state = T_RUNNING;
	t->fresh = 0;
}

static void interrupt(struct pauser *p, struct pause_thread *t)
{
	if (xptrace(PTRACE_INTERRUPT, t->tid, 0) < 0) {
		lost(p, t);
		return;
	}
	t->state = T_STOPPING;
	t->fresh = 1;
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
		/* our interrupt (SIGTRAP), or a group-stop (the stop signal) */
		int group = is_stop_signal(sig);
		p->c.group_stops += group;
		if (mode == M_DETACH) {
			detach(p, t, 0);          /* the kernel re-enters a group-stop */
		} else if (mode == M_STOP) {
			t->state = T_STOPPED;
			t->stop_sig = (uint8_t)(group ? sig : 0);
			t->fresh = 0;
		} else if (group) {
			t->state = xptrace(PTRACE_LISTEN, t->tid, 0) < 0 ? T_STOPPED : T_LISTENING;
			t->stop_sig = (uint8_t)sig;
			t->fresh = 0;
		} else {
			cont(p, t, 0);
		}
		return;
	}
	if (event != 0) {
		/* no PTRACE_O_* option is set, so no other event can come: let it go */
		if (mode == M_DETACH)
			detach(p, t, 0);
		else
			cont(p, t, 0);
		return;
	}
	/* signal-delivery-stop: the signal goes on, unchanged (the kernel keeps
	 * its siginfo when the same signal is given back) */
	p->c.signals++;
	if (mode == M_DETACH) {
		detach(p, t, sig);
	} else if (mode == M_POLL) {
		cont(p, t, sig);
	} else if (xptrace(PTRACE_INTERRUPT, t->tid, 0) < 0) {
		/* interrupt first, while it is stopped: after the signal is
		 * delivered it traps exactly once (an interrupt sent after the
		 * CONT could land on that trap and leave a second one) */
		lost(p, t);
	} else {
		cont(p, t, sig);
		if (t->state == T_RUNNING) {
			t->state = T_STOPPING;
			t->fresh = 1;
		}
	}
}

/* Has any child or tracee of this process something to report? One
 * syscall instead of one per thread when, as usual, nothing happened.
 * WNOWAIT: nothing is consumed (it may be someone else's child). */
static int anything_pending(void)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	if (waitid(P_ALL, 0, &si, WEXITED | WSTOPPED | WNOHANG | WNOWAIT | __WALL) < 0)
		return errno != ECHILD;
	return si.si_pid != 0;
}

/* Collect, without blocking, the stops of threads in any of the states in
 * `mask` (1 << T_*). Returns how many reported. */
static int collect(struct pauser *p, unsigned mask, enum mode mode)
{
	int got = 0;
	if ((mask & (1u << T_RUNNING)) && !anything_pending())
		return 0;
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
			if (t->state != T_DEAD)
				p->c.gone++;
			t->state = T_GONE;   /* not our tracee any more */
			t->fresh = 0;
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

static int count_waiting(const struct pauser *p, int all)
{
	int n = 0;
	for (int i = 0; i < p->n; i++)
		n += p->th[i].state == T_STOPPING && (all || p->th[i].fresh);
	return n;
}

static int is_zombie(pid_t pid, pid_t tid)
{
	char s = proc_task_state(pid, tid);
	return s == 'Z' || s == 'X' || s == 0;
}

/* Wait until the STOPPING threads (all, or only those interrupted by this
 * call: `fresh`) have trapped, or timeout_ms. Returns how many did not.
 * A thread on a CPU traps within microseconds of the interrupt: poll without
 * yielding for SPIN_US (sched_yield() can hand the CPU away for a whole time
 * slice on a busy machine), then nap in growing steps. */
static int wait_traps(struct pauser *p, enum mode mode, int all, int timeout_ms)
{
	uint64_t start = now_ns(), deadline = start + (uint64_t)timeout_ms * 1000000u;
	long nap_ns = 20000;
	for (int naps = 0;;) {
		collect(p, 1u << T_STOPPING, mode);
		int left = count_waiting(p, all);
		uint64_t now = now_ns();
		if (!left || now > deadline)
			return left;
		if (now - start < SPIN_US * 1000u)
			continue;
		/* a zombie leader (its threads still run) takes the interrupt but
		 * never traps, and waitpid says nothing about it */
		if ((naps++ & 7) == 0)
			for (int i = 0; i < p->n; i++)
				if (p->th[i].state == T_STOPPING && is_zombie(p->pid, p->th[i].tid))
					gone(p, &p->th[i], 0, 0);
		struct timespec ts = { 0, nap_ns };
		nanosleep(&ts, NULL);
		if (nap_ns < 1000000)
			nap_ns *= 2;
	}
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
			if (p->n >= WALK_MAX_THREADS) {
				*err_no = ENOSPC;   /* checked first: a seized thread must be in the table */
				return -1;
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
			add(p, tid);
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
			lost(p, &p->th[i]);   /* reaped, or at least no longer listed */
	compact(p);
	return seized;
}

static int target_gone(const struct pauser *p)
{
	if (p->exit_status != -1)
		return 1;
	for (int i = 0; i < p->n; i++)
		if (p->th[i].state != T_GONE && p->th[i].state != T_DEAD)
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
	p->patience_ms = PAUSE_PATIENCE_MS;
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
		pause_close(p);
		if (e == EPERM || e == EACCES)
			return perm_error(pid, err);
		if (e == ENOSPC)
			return ph_fail(err, PH_ESYSTEM, "process %d has more than %d threads: too many to "
			               "pause", (int)pid, WALK_MAX_THREADS);
		if (e == 0 || e == ESRCH || e == ENOENT)
			return ph_fail(err, proc_check(pid, NULL) < 0 ? PH_EEXITED : PH_ESYSTEM,
			               "process %d exited before it could be paused", (int)pid);
		return ph_fail(err, PH_ESYSTEM, "cannot pause process %d: ptrace: %s", (int)pid,
		               strerror(e));
	}
	return 0;
}

/* Let every thread we stopped run again, and answer the traps of threads
 * that were counted as paused before they trapped. */
static void resume(struct pauser *p)
{
	for (int i = 0; i < p->n; i++) {
		struct pause_thread *t = &p->th[i];
		t->fresh = 0;
		if (t->state != T_STOPPED)
			continue;
		if (!t->stop_sig)
			cont(p, t, 0);
		else if (xptrace(PTRACE_LISTEN, t->tid, 0) == 0)
			t->state = T_LISTENING;
		else if (errno == ESRCH)
			lost(p, t);
		/* else leave it stopped: it is in a group-stop anyway */
	}
	collect(p, 1u << T_STOPPING, M_POLL);
	p->stopped = 0;
}

static int exited(struct pauser *p, struct ph_error *err)
{
	resume(p);
	if (p->exit_status != -1 && WIFSIGNALED(p->exit_status))
		return ph_fail(err, PH_EEXITED, "process %d was killed by signal %d", (int)p->pid,
		               WTERMSIG(p->exit_status));
	return ph_fail(err, PH_EEXITED, "process %d exited", (int)p->pid);
}

int pause_stop_all(struct pauser *p, struct ph_error *err)
{
	if (p->task_fd < 0)
		return ph_fail(err, PH_ESYSTEM, "pause_stop_all: the pauser is closed");
	if (p->stopped)
		return count_state(p, T_STOPPED) + count_state(p, T_STOPPING);
	/* stops that came while running: signals to pass on, group-stops, leftovers */
	collect(p, ANY_STOP, M_STOP);
	if (p->flags & PAUSE_OS_STATE)
		for (int i = 0; i < p->n; i++)
			if (p->th[i].state == T_RUNNING || p->th[i].state == T_LISTENING)
				p->th[i].os_state = task_stat_cache_state(&p->stat, p->th[i].tid);
	for (int i = 0; i < p->n; i++)
		if (p->th[i].state == T_RUNNING || p->th[i].state == T_LISTENING)
			interrupt(p, &p->th[i]);
	for (int round = 0;; round++) {
		int late = wait_traps(p, M_STOP, 0, p->patience_ms);
		if (late) {
			/* interrupted, not yet trapped: frozen all the same (see the top) */
			p->c.late += (uint64_t)late;
			for (int i = 0; i < p->n; i++)
				p->th[i].fresh = 0;
		}
		if (target_gone(p))
			return exited(p, err);
		/* every known thread is paused: only a thread we do not know yet can
		 * still run (and start more) */
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
	return count_state(p, T_STOPPED) + count_state(p, T_STOPPING);
}

int pause_resume_all(struct pauser *p)
{
	if (p->task_fd < 0)
		return -1;
	if (p->stopped)
		resume(p);
	return target_gone(p) ? -1 : 0;
}

int pause_poll(struct pauser *p)
{
	if (p->task_fd < 0)
		return -1;
	if (!p->stopped)
		collect(p, ANY_STOP, M_POLL);
	return target_gone(p) ? -1 : 0;
}

void pause_fix_os_state(const struct pauser *p, struct thread_info *th, int n)
{
	for (int k = 0; k < n; k++) {
		int i = th[k].tid > 0 ? find(p, th[k].tid) : -1;
		if (i < 0 || (p->th[i].state != T_STOPPED && p->th[i].state != T_STOPPING))
			continue;
		const struct pause_thread *t = &p->th[i];
		char s = t->stop_sig ? 'T' : (p->flags & PAUSE_OS_STATE) ? t->os_state : 0;
		if (s == 't')
			s = 0;   /* it was in some other ptrace-stop: unknown */
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
	/* PTRACE_DETACH needs a tracee in a ptrace-stop: collect what is
	 * waiting, detach what is stopped, interrupt the rest */
	collect(p, ANY_STOP, M_DETACH);
	for (int i = 0; i < p->n; i++) {
		struct pause_thread *t = &p->th[i];
		if (t->state == T_STOPPED)
			detach(p, t, 0);
		else if (t->state == T_RUNNING || t->state == T_LISTENING)
			interrupt(p, t);
	}
	int left = wait_traps(p, M_DETACH, 1, DETACH_TIMEOUT_MS);
	collect(p, 1u << T_DEAD, M_DETACH);   /* a leader is reapable once its threads are */
	/* those stay traced until this thread exits, when the kernel detaches them */
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
