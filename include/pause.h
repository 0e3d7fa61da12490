/* pause.h — stop every thread of the target for one sample, then let it go.
 *
 *   pause_open()       PTRACE_SEIZE every thread (no options: the target's
 *                      behaviour is unchanged; nothing is stopped yet)
 *   pause_stop_all()   PTRACE_INTERRUPT every thread and wait until each sits
 *                      in a ptrace-stop; the memory is now quiescent
 *   pause_resume_all() PTRACE_CONT each thread (PTRACE_LISTEN for a thread
 *                      in group-stop: a SIGSTOP/SIGTSTP someone else sent
 *                      stays in force)
 *   pause_poll()       between samples: pass on signals that arrived, reap
 *                      threads that exited (never blocks)
 *   pause_close()      resume and PTRACE_DETACH everything (normal exit path,
 *                      also after SIGINT/SIGTERM: call it from the code that
 *                      sees the flag, never from a signal handler)
 *
 * Threads: ptrace ties a tracee to the thread that attached, so every
 * pause_* call on one pauser must come from the same thread (the sampler
 * thread), and no other thread of the process may waitpid(-1) or
 * waitpid(target) while it is open (that would steal the tracees' stops).
 *
 * New threads: no PTRACE_O_TRACECLONE (it would stop the target at every
 * thread creation until pyheat answers). Instead pause_stop_all() re-reads
 * /proc/PID/task (one getdents, fd kept open), seizes newcomers, and re-reads
 * after everything is stopped until no thread is new: a stopped thread
 * cannot create one, so the snapshot covers every thread.
 *
 * Signals: a signal that reaches a thread while it is traced is reported as
 * a signal-delivery-stop; pause_* passes it on at once with the same signal
 * (and siginfo), never swallowing it. Between samples such a stop waits for
 * the next pause_poll()/pause_stop_all(): call one at least every few ms.
 * Group-stop is kept (PTRACE_LISTEN), and PTRACE_DETACH leaves a stopped
 * process stopped. If pyheat dies (even SIGKILL), the kernel detaches every
 * tracee and wakes the ones in a ptrace-stop (tests/test_blocking.py).
 *
 * Hot path: pause_stop_all/resume_all/poll never allocate, print or lock;
 * the state is bounded by WALK_MAX_THREADS. struct pauser is ~60 KB: embed
 * it in a heap object. */
#ifndef PYHEAT_PAUSE_H
#define PYHEAT_PAUSE_H

#include <stdint.h>
#include <sys/types.h>

#include "error.h"
#include "proc.h"
#include "walker.h"

#define PAUSE_HASH_SLOTS 4096       /* > 2 * WALK_MAX_THREADS, a power of two */
#define PAUSE_TIMEOUT_MS 200        /* default wait for a thread to stop */

/* pause_open() flags */
#define PAUSE_OS_STATE 1u   /* read each thread's /proc state just before
                               stopping it, for pause_fix_os_state() */

struct pause_thread {         /* private */
	pid_t tid;
	uint8_t state;            /* enum in pause.c */
	uint8_t stop_sig;         /* group-stop signal while stopped in one, else 0 */
	char os_state;            /* /proc state before the last stop, or 0 */
	uint8_t seen;             /* /proc/PID/task scan parity */
};

struct pause_counters {
	uint64_t cycles;          /* successful pause_stop_all() calls */
	uint64_t seized;          /* threads attached (at open and newcomers) */
	uint64_t gone;            /* threads that exited while attached */
	uint64_t signals;         /* signal-delivery-stops passed on */
	uint64_t group_stops;     /* stops found in group-stop (SIGSTOP & co) */
	uint64_t timeouts;        /* pause_stop_all() calls that gave up waiting */
	uint64_t rescans;         /* extra task scans that found newcomers */
};

struct pauser {
	pid_t pid;
	unsigned flags;
	int timeout_ms;           /* how long pause_stop_all() waits; PAUSE_TIMEOUT_MS */
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
	char dents[8192];
};

/* Seize every thread of pid. 0, or -1 with err: PH_ENOPROC, PH_EPERM (the
 * message says how to allow it: root, CAP_SYS_PTRACE, kernel.yama.ptrace_scope;
 * or that another tracer is attached), PH_EEXITED, PH_ESYSTEM (more than
 * WALK_MAX_THREADS threads). On failure nothing stays attached. */
int pause_open(struct pauser *p, pid_t pid, unsigned flags, struct ph_error *err);

/* Stop every thread. Returns the number stopped (> 0), or -1 with err, and
 * then every thread is running again (no resume needed): PH_EEXITED (the
 * target exited), PH_EREAD (a thread did not stop within timeout_ms: an
 * uninterruptible sleep; the sample is lost, the next one may work),
 * PH_ESYSTEM (too many threads, ptrace failed). */
int pause_stop_all(struct pauser *p, struct ph_error *err);

/* Resume every thread pause_stop_all() stopped. Returns 0, or -1 when the
 * target has exited meanwhile. Calling it when nothing is stopped is a no-op. */
int pause_resume_all(struct pauser *p);

/* Non-blocking service between samples (see "Signals" above). Returns 0,
 * or -1 when the target has exited. */
int pause_poll(struct pauser *p);

/* Threads the walker saw in state 't' only because pause_stop_all() stopped
 * them get the state they had just before (needs PAUSE_OS_STATE; else their
 * state becomes unknown), and THREAD_RUNNING follows it. A thread in a real
 * group-stop stays 'T'. */
void pause_fix_os_state(const struct pauser *p, struct thread_info *th, int n);

/* Detach every thread, resuming the ones we stopped, passing on pending
 * signals, keeping a group-stop. Safe at any point, also mid-sample and
 * more than once. Returns the number of threads that could not be stopped
 * for the detach in time (they stay traced until pyheat exits, when the
 * kernel detaches them). */
int pause_detach_all(struct pauser *p);

/* pause_detach_all() and release the pauser's files. */
void pause_close(struct pauser *p);

#endif
