/* builtin-record.c — `pyheat record`: sample a process (attached by pid, or
 * launched as a command) into a raw profile, then render the requested
 * formats from it. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aggregator.h"
#include "builtin.h"
#include "export.h"
#include "launch.h"
#include "profile.h"
#include "sampler.h"
#include "stats.h"
#include "timeline.h"

#define PYHEAT_VERSION_STR "0.1.0"
#define DEFAULT_ATTACH_SECONDS 60

static const char record_usage[] =
	"usage: pyheat record (--pid PID | -- COMMAND [ARGS...]) [options]\n"
	"\n"
	"Sample a running CPython process, or launch a command and sample it, into\n"
	"a raw profile (STEM.pyheat) and the formats asked for.\n"
	"\n"
	"  -p, --pid PID         attach to a running process (default 60 s; Ctrl-C stops)\n"
	"  -o, --output STEM     path stem for the files written (default\n"
	"                        pyheat-PID-TIME); '-' streams one text format to stdout\n"
	"  -f, --format LIST     comma list of formats: collapsed, speedscope, chrome,\n"
	"                        html, svg, png (see 'pyheat report --help'); default\n"
	"                        none, only STEM.pyheat\n"
	"  -r, --rate HZ         samples per second (default 100)\n"
	"  -d, --duration S      stop after S seconds\n"
	"  -m, --mode MODE       cpu (running threads, default), wall (every thread),\n"
	"                        gil (the thread holding the GIL; refused for a\n"
	"                        free-threaded process whose GIL is disabled)\n"
	"      --subprocesses    also sample child processes (and theirs) that run Python\n"
	"      --blocking        pause the target while reading each sample (ptrace):\n"
	"                        consistent stacks, at a cost to the target\n"
	"      --no-raw          do not keep the raw profile\n"
	"  -h, --help            show this help\n"
	TIMELINE_OPTIONS_HELP;

struct record_opts {
	int pid;
	char **command;
	const char *stem;
	struct export_set formats;
	int have_formats;
	uint32_t rate;
	double duration;
	enum sample_mode mode;
	int subprocesses;
	int blocking;
	int no_raw;
	struct timeline_opts heat;
};

/* Set by signal handlers: the only state outside main's stack frames. */
static volatile sig_atomic_t stop_requested;

static void on_stop_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static int parse_record_opts(int argc, char **argv, struct record_opts *o)
{
	static const struct option longopts[] = {
		CLI_HEAT_LONGOPTS,
		{ "pid", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ "rate", required_argument, NULL, 'r' },
		{ "duration", required_argument, NULL, 'd' },
		{ "mode", required_argument, NULL, 'm' },
		{ "no-raw", no_argument, NULL, 'R' },
		{ "subprocesses", no_argument, NULL, 'S' },
		{ "blocking", no_argument, NULL, 'B' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	o->pid = -1;
	o->rate = 100;
	o->mode = MODE_CPU;
	opterr = 0;
	optind = 1;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "+:p:o:f:r:d:m:h", longopts, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 'p': rc = cli_id_option("record", "pid", optarg, &o->pid); break;
		case 'o': o->stem = optarg; break;
		case 'f':
			rc = export_parse_formats("record", optarg, &o->formats);
			o->have_formats = 1;
			break;
		case 'r': rc = cli_rate_option("record", optarg, &o->rate); break;
		case 'd':
			o->duration = strtod(optarg, &end);
			if (*end || !(o->duration > 0) || o->duration > 1e7) {
				fprintf(stderr, "pyheat: record: --duration must be a positive number of seconds\n");
				return PH_EUSAGE;
			}
			break;
		case 'm':
			if (sample_mode_parse(optarg, &o->mode) < 0) {
				fprintf(stderr, "pyheat: record: --mode must be cpu, wall or gil, not '%s'\n", optarg);
				return PH_EUSAGE;
			}
			break;
		case 'R': o->no_raw = 1; break;
		case 'S': o->subprocesses = 1; break;
		case 'B': o->blocking = 1; break;
		case 'h': fputs(record_usage, stdout); return -1;
		default:
			if (!cli_is_heat_option(c))
				return cli_option_error("record", c, argc, argv);
			rc = cli_heat_option("record", c, optarg, &o->heat);
			break;
		}
		if (rc)
			return rc;
	}
	o->formats.heat = &o->heat;
	int rc = cli_pid_or_command("record", o->pid, argc, argv, &o->command);
	if (rc)
		return rc;
	if (o->stem && !strcmp(o->stem, "-") &&
	    (!o->have_formats || export_check_stdout("record", &o->formats) < 0)) {
		if (!o->have_formats)
			fprintf(stderr, "pyheat: record: -o - streams one text format: choose it with -f\n");
		return PH_EUSAGE;
	}
	return 0;
}

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static void progress(const struct sampler *s, double started, double total)
{
	double el = mono() - started;
	uint64_t samples = atomic_load(&s->c.samples), ticks = atomic_load(&s->c.ticks);
	char remain[32] = "";
	if (total > 0)
		snprintf(remain, sizeof remain, " / %.0fs", total);
	fprintf(stderr, "\rpyheat: %.1fs%s  samples %llu  rate %.0f/s  errors %llu  drops %llu   ",
	        el, remain, (unsigned long long)samples, el > 0 ? ticks / el : 0.0,
	        (unsigned long long)atomic_load(&s->c.errors),
	        (unsigned long long)atomic_load(&s->c.drops));
	fflush(stderr);
}

int cmd_record(int argc, char **argv)
{
	struct record_opts o;
	int rc = parse_record_opts(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;

	struct ph_error err = { 0 };
	struct target t;
	pid_t child = -1;
	int child_status = -1;
	struct sigaction sa = { 0 };
	sa.sa_handler = on_stop_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (o.command) {
		/* The command keeps the terminal; Ctrl-C goes to it (the whole
		 * foreground group gets SIGINT), and pyheat ends when it does. */
		signal(SIGINT, SIG_IGN);
		signal(SIGQUIT, SIG_IGN);
		if (o.subprocesses && !o.blocking)
			prctl(PR_SET_CHILD_SUBREAPER, 1);   /* orphans stay in the tree we follow */
		struct launch_opts lo = { 0 };   /* the command keeps stdin/stdout and the group */
		child = launch_command(o.command, &lo, &err);
		if (child < 0)
			return report_error(&err);
		int a = launch_attach(&t, child, &child_status, &err);
		if (a == 1) {
			fprintf(stderr, "pyheat: %s exited before a Python interpreter was found in it\n",
			        o.command[0]);
			return launch_exit_code(child_status);
		}
		if (a < 0) {
			kill(child, SIGTERM);
			waitpid(child, NULL, 0);
			return report_error(&err);
		}
	} else {
		sigaction(SIGINT, &sa, NULL);
		if (target_attach(&t, (pid_t)o.pid, &err) < 0)
			return report_error(&err);
		if (o.duration == 0)
			o.duration = DEFAULT_ATTACH_SECONDS;
	}
	if (t.layout_note[0])
		fprintf(stderr, "pyheat: note: %s\n", t.layout_note);
	if (o.mode == MODE_GIL && target_gil_disabled(&t)) {
		/* nothing would be sampled: say so now, not after the recording */
		if (!o.command) {
			ph_fail(&err, PH_EUNSUPPORTED,
			        "process %d runs a free-threaded CPython %s with the GIL disabled: no thread holds "
			        "a GIL, so --mode gil would record nothing; use --mode cpu or --mode wall",
			        (int)t.pid, t.version);
			goto fail_target;
		}
		fprintf(stderr, "pyheat: note: %s is a free-threaded CPython %s with the GIL disabled: --mode gil "
		        "records only while an extension or PYTHON_GIL=1 enables it\n", o.command[0], t.version);
	}

	char stem[4096], raw_path[4200];
	int to_stdout = o.stem && !strcmp(o.stem, "-");
	if (o.stem && !to_stdout)
		snprintf(stem, sizeof stem, "%s", o.stem);
	else
		launch_default_stem(stem, sizeof stem, (int)t.pid);
	int keep_raw = !o.no_raw && !to_stdout;
	if (keep_raw)
		snprintf(raw_path, sizeof raw_path, "%s.pyheat", stem);
	else
		snprintf(raw_path, sizeof raw_path, "%s/pyheat-%d-%ld.pyheat.tmp",
		         getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", (int)getpid(), (long)time(NULL));

	char host[256] = "";
	gethostname(host, sizeof host - 1);
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	struct prof_meta meta = {
		.cmdline = t.cmdline, .exe = t.exe, .python_version = t.version,
		.mode = (char *)sample_mode_name(o.mode), .host = host,
		.pyheat_version = PYHEAT_VERSION_STR, .pid = t.pid, .rate_hz = o.rate,
		.start_unix_ns = (int64_t)wall.tv_sec * 1000000000LL + wall.tv_nsec,
	};
	struct prof_writer *w = prof_writer_open(raw_path, &meta, &err);
	if (!w)
		goto fail_target;
	struct ring ring;
	if (ring_init(&ring, sampler_ring_bytes(o.rate)) < 0) {
		ph_fail(&err, PH_ESYSTEM, "out of memory");
		prof_writer_abort(w);
		goto fail_target;
	}
	struct sampler s;
	struct sampler_options so = {
		.rate_hz = o.rate, .mode = o.mode, .duration_ns = (uint64_t)(o.duration * 1e9),
		.subprocesses = o.subprocesses, .blocking = o.blocking,
	};
	if (sampler_start(&s, &t, &ring, &so, &err) < 0) {
		prof_writer_abort(w);
		ring_free(&ring);
		goto fail_target;
	}
	struct aggregator *agg = aggregator_start(&s, w, &err);
	if (!agg) {
		sampler_request_stop(&s);
		sampler_join(&s);
		prof_writer_abort(w);
		ring_free(&ring);
		goto fail_target;
	}

	int tty = isatty(2);
	double started = mono(), last = 0;
	while (!atomic_load(&s.done)) {
		if (stop_requested)
			sampler_request_stop(&s);
		/* Reap the command (and, as its subreaper, orphaned descendants).
		 * With --blocking the sampler thread traces the command and is the
		 * one that sees it exit. */
		if (child > 0 && child_status < 0 && !o.blocking) {
			int status;
			pid_t r;
			while ((r = waitpid(-1, &status, WNOHANG)) > 0)
				if (r == child)
					child_status = status;   /* the sampler sees the exit next tick */
		}
		if (tty && mono() - last >= 0.25) {
			progress(&s, started, o.duration);
			last = mono();
		}
		/* The sampler posts done_sem when it stops, and a signal cuts the
		 * wait short; a command to reap is looked at every 20 ms, the
		 * progress line redrawn 4 times a second, and otherwise this
		 * thread wakes once a second (each wake-up costs CPU). */
		struct timespec until;
		clock_gettime(CLOCK_MONOTONIC, &until);
		long nap_ns = child > 0 ? 20000000L : tty ? 250000000L : 999999999L;
		until.tv_nsec += nap_ns;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		if (s.done_sem_ready)
			sem_clockwait(&s.done_sem, CLOCK_MONOTONIC, &until);
		else
			nanosleep(&(struct timespec){ 0, nap_ns }, NULL);
	}
	if (tty) {
		progress(&s, started, o.duration);
		fputc('\n', stderr);
	}
	if (s.end_reason && s.end_reason != PH_EEXITED && s.error.code) {
		/* sampling never started (--blocking could not attach) */
		err = s.error;
		aggregator_finish(agg, NULL);
		sampler_join(&s);
		ring_free(&ring);
		prof_writer_abort(w);
		unlink(raw_path);
		if (child > 0) {
			fprintf(stderr, "pyheat: %s\n", err.msg);
			waitpid(child, &child_status, 0);
			return err.code;
		}
		return report_error(&err);
	}
	if (child > 0 && child_status < 0 && s.root_exit_status >= 0)
		child_status = s.root_exit_status;
	uint64_t samples = atomic_load(&s.c.samples), errors = atomic_load(&s.c.errors);
	uint64_t drops = atomic_load(&s.c.drops);
	int agg_rc = aggregator_finish(agg, &err);
	struct timespec end_ts;
	clock_gettime(CLOCK_MONOTONIC, &end_ts);
	uint64_t duration = ((uint64_t)end_ts.tv_sec * 1000000000ULL + (uint64_t)end_ts.tv_nsec) -
	                    ((uint64_t)s.start.tv_sec * 1000000000ULL + (uint64_t)s.start.tv_nsec);
	sampler_join(&s);   /* detaches every target, t included */
	ring_free(&ring);
	if (agg_rc < 0) {
		prof_writer_abort(w);
		return report_error(&err);
	}
	if (prof_writer_close(w, duration, &err) < 0)
		return report_error(&err);
	if (child > 0 && child_status < 0)
		waitpid(child, &child_status, 0);

	/* Everything else is rendered from the raw file, exactly as `report` would. */
	int out_rc = 0;
	struct profile *p = prof_open(raw_path, &err);
	if (!p) {
		out_rc = report_error(&err);
	} else {
		FILE *summary = to_stdout ? stderr : stdout;
		fprintf(summary, "pyheat: %llu samples of %s (pid %d, Python %s, %s mode, %u Hz), "
		        "%llu errors, %llu dropped\n", (unsigned long long)samples,
		        o.command ? o.command[0] : "process", (int)meta.pid, meta.python_version,
		        meta.mode, o.rate, (unsigned long long)errors, (unsigned long long)drops);
		struct stats_filter all = { 0 };
		struct stats_result res;
		if (stats_compute(p, &all, &res, &err) == 0) {
			stats_print_top(summary, &res, 10);
			stats_free(&res);
		}
		if (o.have_formats &&
		    export_write(p, &o.formats, to_stdout ? "-" : stem, all, summary, &err) < 0)
			out_rc = report_error(&err);
		if (keep_raw)
			fprintf(summary, "wrote %s\n", raw_path);
		prof_close(p);
	}
	if (!keep_raw)
		unlink(raw_path);
	if (out_rc)
		return out_rc;
	if (child > 0)
		return launch_exit_code(child_status);
	return 0;

fail_target:
	target_detach(&t);
	if (child > 0) {
		/* the command runs on; pyheat only failed to profile it */
		fprintf(stderr, "pyheat: %s\n", err.msg);
		int status;
		waitpid(child, &status, 0);
		return err.code ? err.code : PH_ESYSTEM;
	}
	return report_error(&err);
}
