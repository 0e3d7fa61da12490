/* walkrate — how many full stack samples per second the walker sustains
 * against one target (all threads, every frame), with nothing else in the
 * loop: the ceiling for `pyheat record`. Usage: walkrate PID SECONDS
 *
 * walkrate PID SECONDS HZ: the cost of a sampler's parts at HZ instead, for
 * benchmark 3. Blocks of 0.5 s, in turn: sleep to HZ deadlines and do
 * nothing (the wake-up floor); the same plus one replay of the walker's
 * batched read (what reading every thread costs, walked or not); the same
 * plus the whole walk of every thread (the walker as pyheat runs it). Prints
 * "idle read walk": each kind of block's share of a core (thread run time
 * from /proc/thread-self/schedstat, nanoseconds), blocks of one kind
 * summed. Interleaving the three cancels the machine's drift. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "remote.h"
#include "walker.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static unsigned long long run_ns(void)
{
	unsigned long long v = 0;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	if (!f || fscanf(f, "%llu", &v) != 1)
		v = 0;
	if (f)
		fclose(f);
	return v;
}

static void walk_all(struct walker *w, struct thread_info *th, struct frame_ref *frames)
{
	struct ph_error err;
	int n = walker_threads(w, th, 64, &err);
	for (int i = 0; i < n; i++) {
		int trunc;
		walker_stack(w, &th[i], frames, WALK_MAX_FRAMES, &trunc);
	}
}

static int paced(struct target *t, struct walker *w, double secs, int hz)
{
	static struct thread_info th[64];
	static struct frame_ref frames[WALK_MAX_FRAMES];
	static uint8_t ok[1024];
	const long long period = 1000000000LL / hz;
	struct timespec dl;
	clock_gettime(CLOCK_MONOTONIC, &dl);
	unsigned long long run[3] = { 0 }, wall[3] = { 0 };
	const int block = hz / 2 > 0 ? hz / 2 : 1;   /* ticks per 0.5 s block */
	long blocks = (long)(secs * 2) / 3 * 3;
	if (blocks < 3)
		blocks = 3;
	for (int k = 0; k < hz; k++)   /* warm up: a plan, every code object cached */
		walk_all(w, th, frames);
	for (long b = 0; b < blocks; b++) {
		int kind = (int)(b % 3);
		unsigned long long r0 = run_ns(), t0 = (unsigned long long)(now() * 1e9);
		for (int k = 0; k < block; k++) {
			dl.tv_nsec += period;
			while (dl.tv_nsec >= 1000000000L) {
				dl.tv_nsec -= 1000000000L;
				dl.tv_sec++;
			}
			clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &dl, NULL);
			if (kind == 1) {
				const struct remote_iov *plan;
				int nplan = walker_plan(w, &plan);
				remote_readv_each(&t->mem, plan, nplan, ok);
			} else if (kind == 2) {
				walk_all(w, th, frames);
			}
		}
		run[kind] += run_ns() - r0;
		wall[kind] += (unsigned long long)(now() * 1e9) - t0;
	}
	printf("%.5f %.5f %.5f\n", (double)run[0] / wall[0], (double)run[1] / wall[1], (double)run[2] / wall[2]);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3)
		return 64;
	struct ph_error err = { 0 };
	struct target t;
	if (target_attach(&t, atoi(argv[1]), &err) < 0) {
		fprintf(stderr, "%s\n", err.msg);
		return err.code;
	}
	struct walker *w = walker_new(&t, &err);
	if (getenv("NO_OS_STATE")) walker_want_os_state(w, 0);
	if (argc > 3) {
		walker_want_os_state(w, 0);   /* as pyheat's wall mode */
		return paced(&t, w, atof(argv[2]), atoi(argv[3]));
	}
	static struct thread_info th[64];
	static struct frame_ref frames[WALK_MAX_FRAMES];
	double end = now() + atof(argv[2]), start = now();
	long samples = 0, failed = 0, frames_total = 0;
	while (now() < end) {
		int n = walker_threads(w, th, 64, &err);
		if (n < 0) { failed++; continue; }
		for (int i = 0; i < n; i++) {
			int trunc;
			int d = walker_stack(w, &th[i], frames, WALK_MAX_FRAMES, &trunc);
			if (d < 0) failed++; else { samples++; frames_total += d; }
		}
	}
	double el = now() - start;
	struct walker_stats st; walker_get_stats(w, &st);
	fprintf(stderr, "misses/sample %.2f code_misses %llu stale %llu retries %llu\n", (double)st.fetch_misses / st.samples, (unsigned long long)st.code_misses, (unsigned long long)st.code_stale, (unsigned long long)st.retries);
	printf("%s: %.0f samples/s, %.1f frames/sample, %ld failed\n", t.version, samples / el,
	       samples ? (double)frames_total / samples : 0, failed);
	/* The floor: the last sample's batched read alone, replayed (one
	 * process_vm_readv of the same regions; no walk, no cache). */
	const struct remote_iov *plan;
	int nplan = walker_plan(w, &plan);
	static uint8_t ok[1024];
	size_t bytes = 0, pages = 0;
	for (int i = 0; i < nplan; i++) {
		bytes += plan[i].len;
		pages += (plan[i].addr + plan[i].len - 1) / 4096 - plan[i].addr / 4096 + 1;
	}
	long reads = 0;
	double fstart = now(), fend = fstart + (atof(argv[2]) < 1 ? atof(argv[2]) : 1.0);
	while (now() < fend) {
		remote_readv_each(&t.mem, plan, nplan, ok);
		reads++;
	}
	printf("floor: %.0f reads/s of %d regions, %zu bytes, %zu pages\n", reads / (now() - fstart), nplan,
	       bytes, pages);
	return 0;
}
