/* pause.h — stop every thread of the target for one sample, then let it go.
 *
 *   pause_open()       PTRACE_SEIZE every thread, with no options (nothing in
 *                      the target's behaviour changes; nothing is stopped yet)
 *   pause_stop_all()   PTRACE_INTERRUPT every thread and collect the traps
 *                      (waitpid __WALL): from now on no thread runs user code
 *   pause_resume_all() PTRACE_CONT each thread; PTRACE_LISTEN for one in a
 *                      group-stop (a SIGSTOP/SIGTSTP someone sent stays)
 *   pause_poll()       between samples: pass on signals that arrived, answer
 *                      stray traps, reap threads that exited (never blocks)
 *   pause_close()      resume and PTRACE_DETACH everything: the normal exit
 *                      path, also after SIGINT/SIGTERM (call it where the
 *                      flag the handler set is seen, never in the handler)
 *
 * One thread: ptrace ties a tracee to the thread that attached, so every
 * pause_* call on a pauser must come from the same thread (the sampler's).
 * No other thread may waitpid(-1, ...) or waitpid(target, ...) while it is
 * open (that steals the tracees' stops). Each tracee stop sends SIGCHLD to
 * this process (ignored by default: keep it that way, or use SA_RESTART).
 *
 * New threads: no PTRACE_O_TRACECLONE (it would stop the target at each
 * thread creation until pyheat answers). pause_stop_all() re-reads
 * /proc/PID/task (one getdents64, the fd kept open) after stopping, seizes
 * and stops newcomers, and repeats until no thread is new: a stopped thread
 * cannot start one, so the snapshot covers every thread.
 *
 * Signals: a signal reaching a traced thread shows as a signal-delivery-stop;
 * it is passed on at once with the same signal (same siginfo), never
 * swallowed. Between samples such a stop waits for the next pause_poll() or
 * pause_stop_all(): call one every few ms. A group-stop is kept (LISTEN), and
 * PTRACE_DETACH leaves a stopped process stopped. If pyheat dies (SIGKILL
 * too), the kernel detaches every tracee, wakes those in a ptrace-stop and
 * delivers a signal held in a signal-delivery-stop (tests/test_blocking.py).
 *
 * Slow threads: a thread waiting for a CPU or in uninterruptible sleep may
 * trap late, but once interrupted it runs no user code before its trap
 * (pause.c explains why); after patience_ms it counts as paused (c.late)
 * and its trap is answered when it comes.
 *
 * Hot path: pause_stop_all/resume_all/poll/fix_os_state never allocate,
 * print or lock; state is bounded by WALK_MAX_THREADS. struct pauser is about
 * 45 KB (embed it in a heap object); PAUSE_OS_STATE keeps one open fd per
 * thread (then turn the walker's own state read off: walker_want_os_state). */
#ifndef PYHEAT_PAUSE_H
#define PYHEAT_PAUSE_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "proc.h"
#include "walker.h"

#define PAUSE_HASH_SLOTS 4096       /* > 2 * WALK_MAX_THREADS, a power of two */
#define PAUSE_PATIENCE_MS 10        /* default wait for the traps (see pause.c) */

/* pause_open() flags */
#define PAUSE_OS_STATE 1u   /* read each thread's /proc state just before
                               stopping it, for pause_fix_os_state() */

struct pause_thread {         /* private */
	pid_t tid;
	uint8_t state;            /* enum in pause.c */
	uint8_t stop_sig;         /* group-stop signal while stopped in one, else 0 */
	char os_state;            /* /proc state before the last stop, or 0 */
	uint8_t seen;             /* /proc/PID/task scan parity */
	uint8_t fresh;            /* interrupted by the running pause_stop_all() */
};

struct pause_counters {
	uint64_t cycles;          /* successful pause_stop_all() calls */
	uint64_t seized;          /* threads attached (at open and newcomers) */
	uint64_t gone;            /* threads that exited while attached */
	uint64_t signals;         /* signal-delivery-stops passed on */
	uint64_t group_stops;     /* stops found in group-stop (SIGSTOP & co) */
	uint64_t late;            /* threads counted paused before their trap came */
	uint64_t rescans;         /* extra task scans that found newcomers */
};

struct pauser {
	pid_t pid;
	unsigned flags;
	int patience_ms;          /* how long pause_stop_all() waits for traps */
	int exit_status;          /* the leader's wait status once the target exited, else -1 */
	struct pause_counters c;
	/* private */
	int task_fd;              /* /proc/PID/task */
	int n;
	int stopped;              /* between a successful stop_all and resume_all */
	uint8_t parity;
	struct pause_thread th[WALK_MAX_THREADS];
	int16_t slot[PAUSE_HASH_SLOTS];   /* tid -> index into th, -1 empty */
	struct task_stat_cache stat;      /* PAUSE_OS_STATE */
	_Alignas(8) char dents[8192];   /* getdents64 records */
};

/* Seize every thread of pid. 0, or -1 with err: PH_ENOPROC, PH_EPERM (the
 * message says how to allow it: root, CAP_SYS_PTRACE, kernel.yama.ptrace_scope;
 * or which process already traces it), PH_EEXITED, PH_ESYSTEM (more than
 * WALK_MAX_THREADS threads). On failure nothing stays attached, and
 * pause_close() is a no-op (call it or not). */
int pause_open(struct pauser *p, pid_t pid, unsigned flags, struct ph_error *err);

/* Stop every thread. Returns the number paused (> 0), or -1 with err, and
 * then every thread runs again (no resume needed): PH_EEXITED (the target
 * exited; exit_status has the leader's wait status when it was reaped here),
 * PH_EREAD (threads appear faster than they can be stopped: the sample is
 * lost), PH_ESYSTEM (too many threads), PH_EPERM. Called while stopped, it
 * returns the count again. */
int pause_stop_all(struct pauser *p, struct ph_error *err);

/* Resume every thread pause_stop_all() stopped. Returns 0, or -1 when the
 * target has exited meanwhile. Calling it when nothing is stopped is a no-op. */
int pause_resume_all(struct pauser *p);

/* Non-blocking service between samples (see "Signals" above): when nothing
 * happened, one waitid() call. Returns 0, or -1 when the target has exited. */
int pause_poll(struct pauser *p);

/* While paused the walker would see every thread in state 't': give each
 * thread pause_stop_all() paused the state it had just before (needs
 * PAUSE_OS_STATE; else 0, unknown), with THREAD_RUNNING to match. A thread
 * in a real group-stop gets 'T'. */
void pause_fix_os_state(const struct pauser *p, struct thread_info *th, int n);

/* Detach every thread, resuming the ones we stopped, passing on pending
 * signals, keeping a group-stop. Safe at any point, also mid-sample and
 * more than once. PTRACE_DETACH needs a stopped tracee, so running threads
 * are interrupted first; returns how many did not trap within 2 s (they stay
 * traced until this thread exits, when the kernel detaches them). */
int pause_detach_all(struct pauser *p);

/* pause_detach_all() and release the pauser's files. Only after
 * pause_open() (failed or not); a second call is a no-op. */
void pause_close(struct pauser *p);

#endif
