/* idletick — the wake-up floor of benchmark 3: a thread that does nothing
 * but sleep to absolute deadlines at HZ, as pyheat's sampler does, for
 * SECONDS; prints the share of a core it used (its run time from
 * /proc/thread-self/schedstat, nanoseconds) and the microseconds per
 * wake-up. Whatever a wake-up costs on this machine (a virtual CPU woken
 * from idle costs tens of microseconds) is paid by every profiler before it
 * reads a byte. Usage: idletick HZ SECONDS */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

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

static unsigned long long mono_ns(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (unsigned long long)t.tv_sec * 1000000000ULL + (unsigned long long)t.tv_nsec;
}

int main(int argc, char **argv)
{
	if (argc != 3)
		return 64;
	int hz = atoi(argv[1]);
	double secs = atof(argv[2]);
	if (hz < 1 || secs <= 0)
		return 64;
	unsigned long long period = 1000000000ULL / (unsigned long long)hz, deadline = mono_ns();
	long n = (long)(secs * hz);
	unsigned long long r0 = run_ns(), t0 = mono_ns();
	for (long k = 0; k < n; k++) {
		deadline += period;
		struct timespec d = { (time_t)(deadline / 1000000000ULL), (long)(deadline % 1000000000ULL) };
		clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &d, NULL);
	}
	unsigned long long r1 = run_ns(), t1 = mono_ns();
	printf("%.4f %.1f\n", (double)(r1 - r0) / (double)(t1 - t0), (double)(r1 - r0) / 1000.0 / (double)n);
	return 0;
}
