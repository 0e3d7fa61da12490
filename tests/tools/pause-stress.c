/* pause-stress — stop and resume every thread of a target in a loop with
 * the pauser (include/pause.h); tests/test_blocking.py drives it against
 * tests/targets/progress.py and kills it at random points.
 *
 *   pause-stress PID SECONDS [--walk] [--shared FILE] [--hold-us N] [--gap-us N]
 *
 *   --walk         read every thread's stack with the walker while stopped
 *   --shared FILE  progress.py's counter file: while stopped, the counters
 *                  must not move (checked before and after the hold)
 *   --hold-us N    keep the target stopped N µs per cycle (default 0)
 *   --gap-us N     let it run N µs between cycles, calling pause_poll()
 *
 * Prints "ready" after the first cycle, then on exit one line of counts (key value
 * pairs) including the stop and stop+resume times in µs. SIGINT/SIGTERM end
 * the loop and detach (exit 0). Exits 1 when a counter of a stopped target
 * moved, 69 when the target exited, else the error's code. (A stack can still
 * fail to read while stopped: a thread paused in the middle of being created
 * or torn down; the counts say how often.) */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pause.h"
#include "walker.h"

#define HIST_US 20000   /* 1 µs buckets; slower cycles land in the last one */

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	stop_requested = sig;
}

static double now_us(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + ts.tv_nsec / 1e3;
}

static void spin_until(double t)
{
	while (now_us() < t && !stop_requested)
		;
}

/* Why a thread did not stop: what /proc says about it. */
static void show_thread(pid_t pid, pid_t tid)
{
	static const char *const files[] = { "stat", "wchan", "syscall", "status" };
	for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
		char path[96], buf[4096];
		snprintf(path, sizeof path, "/proc/%d/task/%d/%s", (int)pid, (int)tid, files[i]);
		FILE *f = fopen(path, "r");
		size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
		if (f)
			fclose(f);
		buf[n] = '\0';
		if (i == 3) {   /* status: only the interesting lines */
			for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n"))
				if (!strncmp(line, "State", 5) || !strncmp(line, "TracerPid", 9) ||
				    !strncmp(line, "Sig", 3) || !strncmp(line, "ShdPnd", 6))
					fprintf(stderr, "  %s\n", line);
		} else {
			fprintf(stderr, "  %s: %s\n", files[i], buf);
		}
	}
}

struct hist {
	unsigned *b;
	long n;
	double sum, max;
};

static void hist_add(struct hist *h, double us)
{
	long i = us < 0 ? 0 : (long)us;
	h->b[i < HIST_US ? i : HIST_US - 1]++;
	h->n++;
	h->sum += us;
	if (us > h->max)
		h->max = us;
}

static long hist_pct(const struct hist *h, double pct)
{
	long want = (long)(h->n * pct / 100.0), acc = 0;
	if (h->n == 0)
		return 0;
	for (long i = 0; i < HIST_US; i++) {
		acc += h->b[i];
		if (acc > want)
			return i;
	}
	return HIST_US;
}

/* The counters of progress.py's counting threads (slots 8..8+N). */
static int read_counters(volatile const long long *shm, long long *out, int cap)
{
	int n = (int)shm[2];
	if (n < 0 || n > cap)
		n = cap;
	for (int i = 0; i < n; i++)
		out[i] = shm[8 + i];
	return n;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: pause-stress PID SECONDS [--walk] [--shared FILE] "
		        "[--hold-us N] [--gap-us N]\n");
		return 64;
	}
	pid_t pid = (pid_t)atoi(argv[1]);
	double seconds = atof(argv[2]);
	int walk = 0;
	long hold_us = 0, gap_us = 0;
	const char *shared = NULL;
	for (int i = 3; i < argc; i++) {
		if (!strcmp(argv[i], "--walk"))
			walk = 1;
		else if (!strcmp(argv[i], "--shared") && i + 1 < argc)
			shared = argv[++i];
		else if (!strcmp(argv[i], "--hold-us") && i + 1 < argc)
			hold_us = atol(argv[++i]);
		else if (!strcmp(argv[i], "--gap-us") && i + 1 < argc)
			gap_us = atol(argv[++i]);
		else {
			fprintf(stderr, "pause-stress: unknown argument '%s'\n", argv[i]);
			return 64;
		}
	}
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;   /* no SA_RESTART: a nap ends early */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	volatile const long long *shm = NULL;
	if (shared) {
		int fd = open(shared, O_RDONLY);
		void *m = fd >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0) : MAP_FAILED;
		if (m == MAP_FAILED) {
			perror(shared);
			return 71;
		}
		shm = m;
	}

	struct ph_error err = { 0 };
	struct target t;
	struct walker *w = NULL;
	if (walk) {
		if (target_attach(&t, pid, &err) < 0) {
			fprintf(stderr, "pause-stress: %s\n", err.msg);
			return err.code;
		}
		w = walker_new(&t, &err);
		if (!w) {
			fprintf(stderr, "pause-stress: %s\n", err.msg);
			target_detach(&t);
			return err.code;
		}
		walker_want_os_state(w, 0);   /* the pauser reads it before stopping */
	}
	struct pauser *p = calloc(1, sizeof *p);
	struct thread_info *th = calloc(WALK_MAX_THREADS, sizeof *th);
	struct frame_ref *frames = calloc(WALK_MAX_FRAMES, sizeof *frames);
	struct hist h_stop = { calloc(HIST_US, sizeof(unsigned)), 0, 0, 0 };
	struct hist h_cycle = { calloc(HIST_US, sizeof(unsigned)), 0, 0, 0 };
	long cycles = 0, errors = 0, moved = 0, samples = 0, failed_samples = 0, stacks = 0,
	     failed_stacks = 0, max_threads = 0, running_seen = 0;
	int rc = 0;
	if (!p || !th || !frames || !h_stop.b || !h_cycle.b) {
		fprintf(stderr, "pause-stress: out of memory\n");
		rc = 71;
		goto out;
	}
	if (pause_open(p, pid, PAUSE_OS_STATE, &err) < 0) {
		fprintf(stderr, "pause-stress: %s\n", err.msg);
		rc = err.code;
		goto out;
	}
	double end = now_us() + seconds * 1e6;
	while (!stop_requested && now_us() < end) {
		double t0 = now_us();
		int n = pause_stop_all(p, &err);
		double t1 = now_us();
		if (n < 0) {
			if (err.code == PH_EEXITED) {
				fprintf(stderr, "pause-stress: %s\n", err.msg);
				rc = PH_EEXITED;
				break;
			}
			errors++;   /* a thread would not stop in time: this cycle is lost */
			if (errors < 5) {
				fprintf(stderr, "pause-stress: %s\n", err.msg);
				int slow;
				if (sscanf(err.msg, "thread %d", &slow) == 1)
					show_thread(pid, slow);
			}
			continue;
		}
		if (n > max_threads)
			max_threads = n;
		long long before[64], after[64];
		int nc = shm ? read_counters(shm, before, 64) : 0;
		if (walk) {
			int k = walker_threads(w, th, WALK_MAX_THREADS, &err);
			samples++;
			if (k < 0) {
				failed_samples++;
			} else {
				pause_fix_os_state(p, th, k);
				for (int i = 0; i < k; i++) {
					int trunc;
					running_seen += (th[i].flags & THREAD_RUNNING) != 0;
					if (walker_stack(w, &th[i], frames, WALK_MAX_FRAMES, &trunc) < 0)
						failed_stacks++;
					else
						stacks++;
				}
			}
		}
		if (hold_us)
			spin_until(now_us() + (double)hold_us);
		if (shm && read_counters(shm, after, 64) == nc &&
		    memcmp(before, after, (size_t)nc * sizeof *before))
			moved++;
		double t2 = now_us();
		int r = pause_resume_all(p);
		double t3 = now_us();
		if (cycles++ == 0) {
			printf("ready\n");   /* attached, and one cycle done */
			fflush(stdout);
		}
		hist_add(&h_stop, t1 - t0);
		hist_add(&h_cycle, (t1 - t0) + (t3 - t2));
		if (r < 0) {
			fprintf(stderr, "pause-stress: process %d exited\n", (int)pid);
			rc = PH_EEXITED;
			break;
		}
		if (gap_us) {
			double until = now_us() + (double)gap_us;
			while (!stop_requested && now_us() < until) {
				if (pause_poll(p) < 0)
					break;
				struct timespec nap = { 0, 200000 };
				nanosleep(&nap, NULL);
			}
		}
	}
	int left = pause_detach_all(p);
	printf("cycles %ld errors %ld threads %ld stop-us-avg %.1f stop-us-p50 %ld stop-us-p99 %ld "
	       "stop-us-max %.0f cycle-us-avg %.1f cycle-us-p50 %ld cycle-us-p99 %ld signals %llu "
	       "group-stops %llu seized %llu gone %llu rescans %llu late %llu moved %ld samples %ld "
	       "failed-samples %ld stacks %ld failed-stacks %ld running %ld not-detached %d "
	       "stopped-by %d\n",
	       cycles, errors, max_threads, h_stop.n ? h_stop.sum / h_stop.n : 0.0,
	       hist_pct(&h_stop, 50), hist_pct(&h_stop, 99), h_stop.max,
	       h_cycle.n ? h_cycle.sum / h_cycle.n : 0.0,
	       hist_pct(&h_cycle, 50), hist_pct(&h_cycle, 99), (unsigned long long)p->c.signals,
	       (unsigned long long)p->c.group_stops, (unsigned long long)p->c.seized,
	       (unsigned long long)p->c.gone, (unsigned long long)p->c.rescans,
	       (unsigned long long)p->c.late, moved, samples, failed_samples, stacks,
	       failed_stacks, running_seen, left, (int)stop_requested);
	fflush(stdout);
	pause_close(p);
out:
	if (w) {
		walker_free(w);
		target_detach(&t);
	}
	free(p);
	free(th);
	free(frames);
	free(h_stop.b);
	free(h_cycle.b);
	if (rc)
		return rc;
	return moved ? 1 : 0;
}
