/* stress-walk — sample a changing target as fast as possible and check what
 * comes back (tests/test_walker.py drives it against tests/targets/churn.py).
 *
 *   stress-walk PID SHARED_FILE SECONDS [HZ]
 *
 * As fast as it can, or at HZ samples a second.
 * Every frame named dyn_K must come from file "dyn-K" with its line K+2, and
 * K must lie between the value the target published before the sample and
 * the one after it: an older K is a stale code-object cache, or a stale
 * stack given again for a thread that had moved on. The target publishes
 * one K (offset 0), or, when the word at offset 64 is N (2..8), one per
 * thread taking turns (tests/targets/idlers.py: slot K % N at offset
 * 8 * (K % N), K stepping by N). A stack the walker gave again without a
 * walk (an idle thread's) must name the K published now. Prints counts;
 * exits 1 on any violation. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "walker.h"

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	if (argc != 4 && argc != 5) {
		fprintf(stderr, "usage: stress-walk PID SHARED_FILE SECONDS [HZ]\n");
		return 64;
	}
	int fd = open(argv[2], O_RDONLY);
	volatile const long long *published = fd >= 0 ? mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0)
	                                              : MAP_FAILED;
	if (published == MAP_FAILED) {
		perror(argv[2]);
		return 71;
	}
	struct ph_error err = { 0 };
	struct target t;
	if (target_attach(&t, atoi(argv[1]), &err) < 0) {
		fprintf(stderr, "attach: %s\n", err.msg);
		return err.code;
	}
	struct walker *w = walker_new(&t, &err);
	if (!w) {
		fprintf(stderr, "walker: %s\n", err.msg);
		return err.code;
	}
	static struct thread_info th[WALK_MAX_THREADS];
	static struct frame_ref frames[WALK_MAX_FRAMES];
	long samples = 0, stacks = 0, failed = 0, dyn = 0, bad = 0, bad_reused = 0, thread_errors = 0;
	const int slots = published[8] >= 2 && published[8] <= 8 ? (int)published[8] : 1;
	const long long step = slots;
	double end = now() + atof(argv[3]);
	const double period = argc == 5 && atof(argv[4]) > 0 ? 1.0 / atof(argv[4]) : 0;
	double next = now();
	while (now() < end) {
		if (period > 0) {
			next += period;
			double wait = next - now();
			if (wait > 0) {
				struct timespec ts = { (time_t)wait, (long)((wait - (time_t)wait) * 1e9) };
				nanosleep(&ts, NULL);
			}
		}
		long long before_of[8];
		for (int s = 0; s < slots; s++)
			before_of[s] = published[s];
		int n = walker_threads(w, th, WALK_MAX_THREADS, &err);
		samples++;
		if (n < 0) {
			thread_errors++;
			continue;
		}
		for (int i = 0; i < n; i++) {
			int trunc;
			struct walker_stats before_stack;
			walker_get_stats(w, &before_stack);
			int d = walker_stack(w, &th[i], frames, WALK_MAX_FRAMES, &trunc);
			struct walker_stats after_stack;
			walker_get_stats(w, &after_stack);
			/* A walked stack may be one K behind (a torn reading of a
			 * thread moving on). A stack given again for an idle thread
			 * may not: the thread published K before it called dyn_K and
			 * has run no Python code since, so K is still published. */
			long long slack = after_stack.stack_reuses != before_stack.stack_reuses ? 0 : step;
			if (d < 0) {
				failed++;
				continue;
			}
			stacks++;
			for (int k = 0; k < d; k++) {
				const struct code_info *ci = walker_code(w, frames[k].code);
				long long K;
				if (!ci || strncmp(ci->name, "dyn_", 4) != 0)
					continue;
				dyn++;
				K = atoll(ci->name + 4);
				int slot = (int)(K % slots);
				long long before = before_of[slot], after = published[slot];
				char want_file[64];
				snprintf(want_file, sizeof want_file, "dyn-%lld", K);
				if (strcmp(ci->file, want_file) != 0 || frames[k].line < K + 1 ||
				    frames[k].line > K + 3 || K < before - slack || K > after) {
					bad_reused += slack == 0;
					if (bad++ < 10)
						fprintf(stderr, "violation: %s (%s:%d) sampled between K=%lld and %lld%s\n",
						        ci->name, ci->file, frames[k].line, before, after,
						        slack == 0 ? " (given again, not walked)" : "");
				}
			}
		}
	}
	struct walker_stats st;
	walker_get_stats(w, &st);
	printf("samples %ld stacks %ld failed-stacks %ld failed-samples %ld dyn-frames %ld "
	       "violations %ld code-misses %llu code-stale %llu code-checks %llu code-vouched %llu "
	       "entry-reads %llu stack-reuses %llu parked-walks %llu reused-violations %ld\n", samples, stacks, failed,
	       thread_errors, dyn, bad, (unsigned long long)st.code_misses,
	       (unsigned long long)st.code_stale, (unsigned long long)st.code_checks,
	       (unsigned long long)st.code_vouched, (unsigned long long)st.entry_reads,
	       (unsigned long long)st.stack_reuses, (unsigned long long)st.parked_walks, bad_reused);
	walker_free(w);
	target_detach(&t);
	return bad ? 1 : 0;
}
