/* walkrate — how many full stack samples per second the walker sustains
 * against one target (all threads, every frame), with nothing else in the
 * loop: the ceiling for `pyheat record`. Usage: walkrate PID SECONDS */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "walker.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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
