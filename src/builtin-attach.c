/* builtin-attach.c — `pyheat attach` / `pyheat top`: watch a process live.
 *
 * The session is record's (target -> sampler -> ring -> aggregator -> raw
 * file), with the live model (src/live.c) hooked onto the aggregator and the
 * screen (src/tui.c) on the main thread:
 *
 *   sampler thread     wall mode with OS states: every thread's stack, each
 *                      sample flagged running / holds-GIL, so cpu, wall and
 *                      gil are filters the view switches instantly
 *   aggregator thread  writes the raw file (a temporary one unless -o) and
 *                      feeds the live model's shared half
 *   main thread        pulls the model every PULL_S, reads /proc for the
 *                      header, computes and draws every --refresh seconds or
 *                      at a key; snapshots (s) are written here too
 *
 * The sampler never waits for the screen: the ring lies between them, and
 * the model's lock is held only for O(1) swaps. The target exiting ends
 * sampling and closes the raw file (complete); the last view stays until q.
 * The terminal is restored on every way out (q, Ctrl-C, SIGTERM/HUP/QUIT,
 * errors): the signals only set a flag the loop reads. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aggregator.h"
#include "builtin.h"
#include "export.h"
#include "launch.h"
#include "live.h"
#include "profile.h"
#include "sampler.h"
#include "tui.h"

#define PYHEAT_VERSION_STR "0.1.0"
#define PULL_S 0.2                 /* take the model's news this often */
#define FIRST_DRAWS_S 2.0          /* redraw every EARLY_S for the first seconds */
#define EARLY_S 0.25
#define SNAPSHOT_FLUSH_WAIT_S 3.0
#define SNAPSHOT_FORMATS "png,html"
#define MAX_SNAPSHOTS 64           /* listed at exit */

static const char attach_usage[] =
	"usage: pyheat attach (--pid PID | -- COMMAND [ARGS...]) [options]\n"
	"       pyheat top    (--pid PID | -- COMMAND [ARGS...]) [options]\n"
	"\n"
	"Watch a running CPython process (or launch a command and watch it) live in\n"
	"the terminal: the hottest functions as a heatmap over the last seconds and\n"
	"as a sortable table of own and total shares, updated every second. The\n"
	"session is recorded to a raw profile all along (s writes a snapshot).\n"
	"\n"
	"  -p, --pid PID         attach to a running process\n"
	"  -o, --output STEM     keep the whole session as STEM.pyheat (default: a\n"
	"                        temporary file, removed at exit); snapshots are\n"
	"                        STEM-snapN.{pyheat,png,html} (default stem\n"
	"                        pyheat-PID-TIME); a launched command's output goes to\n"
	"                        STEM.out (default: a temporary file)\n"
	"  -r, --rate HZ         samples per second (default 100)\n"
	"  -m, --mode MODE       the view to start in: cpu (running threads, default),\n"
	"                        wall (every thread), gil (the GIL holder); m switches\n"
	"      --subprocesses    also sample child processes (and theirs) that run Python\n"
	"      --blocking        pause the target while reading each sample (ptrace)\n"
	"      --refresh S       redraw every S seconds (default 1; 0.1..60)\n"
	"      --window S        seconds the shares and the heatmap cover (default 60;\n"
	"                        5..600)\n"
	"  -h, --help            show this help\n"
	"\n"
	"Keys: o T n sort by own %, total %, name; Up/Down select; Enter drills into\n"
	"the function (callers, callees, lines), Esc backs out; / filter; m mode;\n"
	"t thread; l functions or lines; w whole session or window; p pause; r reset;\n"
	"s snapshot; ? help; q quit.\n"
	"A launched command is ended (SIGTERM) when pyheat quits before it exits.\n";

struct attach_opts {
	const char *cmd;           /* "attach" or "top" */
	int pid;
	char **command;
	const char *stem;
	uint32_t rate;
	enum live_mode mode;
	int subprocesses, blocking;
	double refresh;
	unsigned window;
};

/* Set by signal handlers: the only state outside main's stack frames. */
static volatile sig_atomic_t stop_signal;

static void on_stop_signal(int sig)
{
	stop_signal = sig;
}

static double mono(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static double clock_s(clockid_t id)
{
	struct timespec t;
	if (clock_gettime(id, &t) < 0)
		return 0;
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int parse_seconds(const char *cmd, const char *name, const char *arg, double lo, double hi, double *out)
{
	char *end;
	double v = strtod(arg, &end);
	if (*end || !(v >= lo && v <= hi)) {
		fprintf(stderr, "pyheat: %s: --%s must be a number of seconds from %g to %g, not '%s'\n", cmd, name, lo,
		        hi, arg);
		return PH_EUSAGE;
	}
	*out = v;
	return 0;
}

static int parse_attach_opts(int argc, char **argv, struct attach_opts *o)
{
	enum { OPT_REFRESH = 256, OPT_WINDOW };
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "output", required_argument, NULL, 'o' },
		{ "rate", required_argument, NULL, 'r' },
		{ "mode", required_argument, NULL, 'm' },
		{ "subprocesses", no_argument, NULL, 'S' },
		{ "blocking", no_argument, NULL, 'B' },
		{ "refresh", required_argument, NULL, OPT_REFRESH },
		{ "window", required_argument, NULL, OPT_WINDOW },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd = o->cmd;
	o->pid = -1;
	o->rate = 100;
	o->mode = LIVE_CPU;
	o->refresh = 1.0;
	o->window = 60;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "+:p:o:r:m:h", longopts, NULL)) != -1) {
		int rc = 0;
		switch (c) {
		case 'p': rc = cli_id_option(cmd, "pid", optarg, &o->pid); break;
		case 'o':
			if (!*optarg || !strcmp(optarg, "-")) {
				fprintf(stderr, "pyheat: %s: -o needs a path stem (the screen is the output)\n", cmd);
				return PH_EUSAGE;
			}
			o->stem = optarg;
			break;
		case 'r': rc = cli_rate_option(cmd, optarg, &o->rate); break;
		case 'm':
			if (!strcmp(optarg, "cpu"))
				o->mode = LIVE_CPU;
			else if (!strcmp(optarg, "wall"))
				o->mode = LIVE_WALL;
			else if (!strcmp(optarg, "gil"))
				o->mode = LIVE_GIL;
			else {
				fprintf(stderr, "pyheat: %s: --mode must be cpu, wall or gil, not '%s'\n", cmd, optarg);
				return PH_EUSAGE;
			}
			break;
		case 'S': o->subprocesses = 1; break;
		case 'B': o->blocking = 1; break;
		case OPT_REFRESH: rc = parse_seconds(cmd, "refresh", optarg, 0.1, 60, &o->refresh); break;
		case OPT_WINDOW: {
			double w;
			rc = parse_seconds(cmd, "window", optarg, LIVE_WINDOW_MIN, LIVE_WINDOW_MAX, &w);
			if (rc == 0)
				o->window = (unsigned)w;
			break;
		}
		case 'h': fputs(attach_usage, stdout); return -1;
		default:
			return cli_option_error(cmd, c, argc, argv);
		}
		if (rc)
			return rc;
	}
	return cli_pid_or_command(cmd, o->pid, argc, argv, &o->command);
}

/* ---- the target's figures from /proc -------------------------------------- */

struct proc_stat {
	uint64_t cpu_ticks;        /* utime + stime */
	uint64_t start_ticks;      /* since boot */
	long threads;
	long rss_pages;
};

static int read_proc_stat(pid_t pid, struct proc_stat *ps)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	char *p = strrchr(buf, ')');   /* the name may hold spaces and ')' */
	if (!p)
		return -1;
	/* fields from 3 (state) on: f[k] is field k (1-based), k = 4..24 */
	unsigned long long f[25];
	char state;
	if (sscanf(p + 1, " %c %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu %llu "
	           "%llu %llu %llu %llu",
	           &state, &f[4], &f[5], &f[6], &f[7], &f[8], &f[9], &f[10], &f[11], &f[12], &f[13], &f[14], &f[15],
	           &f[16], &f[17], &f[18], &f[19], &f[20], &f[21], &f[22], &f[23], &f[24]) != 22)
		return -1;
	if (state == 'Z' || state == 'X')
		return -1;
	ps->cpu_ticks = f[14] + f[15];
	ps->threads = (long)f[20];
	ps->start_ticks = f[22];
	ps->rss_pages = (long)f[24];
	return 0;
}

/* ---- the session ------------------------------------------------------------ */

struct snap { char stem[4200]; int png, html; };

struct session {
	struct attach_opts o;
	struct target t;
	char python[32];
	char command[1024];
	int gil_known;
	pid_t child;
	int child_status;          /* wait status once reaped, else -1 */
	char raw_path[4200];
	char base[4096];           /* the stem of snapshots */
	int keep_raw;
	char out_path[4200];       /* a launched command's stdout and stderr */
	int out_is_temp;

	struct prof_writer *w;
	struct ring ring;
	struct sampler s;
	struct aggregator *agg;
	struct live *live;
	struct live_view *view;
	int started, finished;

	struct export_set formats;
	int have_formats;
	struct snap snaps[MAX_SNAPSHOTS];
	unsigned nsnaps, snap_no;

	/* the header's moving figures */
	struct tui_header h;
	char ended[96];
	double last_hdr, last_cpu_s, last_self_s, last_ui_s;
	uint64_t last_cpu_ticks, last_ticks;
	int have_cpu;
};

static void reap(struct session *ss)
{
	if (ss->child <= 0 || ss->child_status >= 0)
		return;
	if (ss->o.blocking) {
		/* the sampler thread traces the command and reaps it */
		if (ss->finished && ss->s.root_exit_status >= 0)
			ss->child_status = ss->s.root_exit_status;
		return;
	}
	int status;
	pid_t r;
	/* the command, and (as its subreaper) orphaned descendants */
	while ((r = waitpid(ss->o.subprocesses ? -1 : ss->child, &status, WNOHANG)) > 0)
		if (r == ss->child) {
			ss->child_status = status;
			break;
		}
}

/* Stop sampling (if it runs), wait for the aggregator, close the raw file. */
static int finish_sampling(struct session *ss, struct ph_error *err)
{
	if (!ss->started || ss->finished)
		return 0;
	ss->finished = 1;
	sampler_request_stop(&ss->s);
	int rc = aggregator_finish(ss->agg, err);
	ss->agg = NULL;
	struct timespec end_ts;
	clock_gettime(CLOCK_MONOTONIC, &end_ts);
	uint64_t duration = ((uint64_t)end_ts.tv_sec * 1000000000ULL + (uint64_t)end_ts.tv_nsec) -
	                    ((uint64_t)ss->s.start.tv_sec * 1000000000ULL + (uint64_t)ss->s.start.tv_nsec);
	sampler_join(&ss->s);   /* detaches every target, t included */
	ring_free(&ss->ring);
	if (rc < 0) {
		prof_writer_abort(ss->w);
		ss->w = NULL;
		return -1;
	}
	rc = prof_writer_close(ss->w, duration, err);
	ss->w = NULL;
	return rc;
}

static void describe_end(struct session *ss)
{
	reap(ss);
	int st = ss->child_status;
	if (ss->child > 0 && st >= 0 && WIFEXITED(st))
		snprintf(ss->ended, sizeof ss->ended, "process exited (status %d)", WEXITSTATUS(st));
	else if (ss->child > 0 && st >= 0 && WIFSIGNALED(st))
		snprintf(ss->ended, sizeof ss->ended, "process exited (killed by signal %d)", WTERMSIG(st));
	else
		snprintf(ss->ended, sizeof ss->ended, "process exited");
	ss->h.ended = ss->ended;
}

static void update_header(struct session *ss, double now)
{
	struct tui_header *h = &ss->h;
	struct proc_stat ps;
	long hz = sysconf(_SC_CLK_TCK), page = sysconf(_SC_PAGESIZE);
	double dt = now - ss->last_hdr;
	if (!ss->finished && read_proc_stat(ss->t.pid ? ss->t.pid : (pid_t)ss->o.pid, &ps) == 0 && hz > 0) {
		struct timespec boot;
		clock_gettime(CLOCK_BOOTTIME, &boot);
		h->uptime_s = (double)boot.tv_sec + boot.tv_nsec / 1e9 - (double)ps.start_ticks / (double)hz;
		h->rss_bytes = (double)ps.rss_pages * (double)page;
		h->threads = (int)ps.threads;
		if (ss->have_cpu && dt > 0.05)
			h->cpu_pct = 100.0 * (double)(ps.cpu_ticks - ss->last_cpu_ticks) / (double)hz / dt;
		if (!ss->have_cpu || dt > 0.05) {
			ss->last_cpu_ticks = ps.cpu_ticks;
			ss->have_cpu = 1;
		}
	} else if (ss->finished) {
		h->cpu_pct = -1;
		h->threads = -1;
	}
	uint64_t ticks = atomic_load(&ss->s.c.ticks);
	double self = clock_s(CLOCK_PROCESS_CPUTIME_ID), ui = clock_s(CLOCK_THREAD_CPUTIME_ID);
	if (dt > 0.05) {
		if (ss->last_hdr > 0) {
			h->rate_hz = ss->finished ? 0 : (double)(ticks - ss->last_ticks) / dt;
			h->self_cpu_pct = 100.0 * (self - ss->last_self_s) / dt;
			h->ui_cpu_pct = 100.0 * (ui - ss->last_ui_s) / dt;
		}
		ss->last_ticks = ticks;
		ss->last_self_s = self;
		ss->last_ui_s = ui;
		ss->last_hdr = now;
	}
	h->samples = atomic_load(&ss->s.c.samples);
	h->errors = atomic_load(&ss->s.c.errors);
	h->drops = atomic_load(&ss->s.c.drops);
	h->processes = atomic_load(&ss->s.c.processes);
	h->lost = live_view_lost(ss->view);
}

/* Copy the raw file as it is now (whole chunks, and perhaps the start of
 * one more, which readers take as the end of a recording cut short). */
static int copy_file(const char *from, const char *to, struct ph_error *err)
{
	int in = open(from, O_RDONLY | O_CLOEXEC);
	if (in < 0)
		return ph_fail(err, PH_ESYSTEM, "cannot read %s: %s", from, strerror(errno));
	int out = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out < 0) {
		ph_fail(err, PH_ESYSTEM, "cannot create %s: %s", to, strerror(errno));
		close(in);
		return -1;
	}
	char buf[65536];
	int rc = 0;
	for (;;) {
		ssize_t n = read(in, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = ph_fail(err, PH_ESYSTEM, "cannot read %s: %s", from, strerror(errno));
			break;
		}
		for (ssize_t off = 0; off < n;) {
			ssize_t m = write(out, buf + off, (size_t)(n - off));
			if (m < 0 && errno == EINTR)
				continue;
			if (m <= 0) {
				rc = ph_fail(err, PH_ESYSTEM, "cannot write %s: %s", to, strerror(errno));
				break;
			}
			off += m;
		}
		if (rc)
			break;
	}
	close(in);
	if (close(out) != 0 && rc == 0)
		rc = ph_fail(err, PH_ESYSTEM, "cannot write %s: %s", to, strerror(errno));
	if (rc)
		unlink(to);
	return rc;
}

/* s: the session so far as STEM-snapN.pyheat (a copy of the raw file after
 * its next flush) and the formats rendered from that copy. */
static void snapshot(struct session *ss, struct tui *tui)
{
	if (!ss->finished) {
		uint64_t f0 = live_flushes(ss->live);
		double deadline = mono() + SNAPSHOT_FLUSH_WAIT_S;
		while (live_flushes(ss->live) == f0 && mono() < deadline && !stop_signal) {
			struct timespec ms = { 0, 10000000L };
			nanosleep(&ms, NULL);
		}
	}
	struct snap sn = { .png = 0 };
	snprintf(sn.stem, sizeof sn.stem, "%s-snap%u", ss->base, ++ss->snap_no);
	char path[4300];
	snprintf(path, sizeof path, "%s.pyheat", sn.stem);
	struct ph_error err = { 0 };
	if (copy_file(ss->raw_path, path, &err) < 0) {
		tui_message(tui, "snapshot failed: %s", err.msg);
		return;
	}
	int rc = 0;
	if (ss->have_formats) {
		struct profile *p = prof_open(path, &err);
		if (!p) {
			rc = -1;
		} else {
			struct stats_filter all = { 0 };
			rc = export_write(p, &ss->formats, sn.stem, all, NULL, &err);
			prof_close(p);
		}
	}
	if (rc < 0) {
		tui_message(tui, "snapshot: wrote %s; rendering failed: %s", path, err.msg);
		sn.png = sn.html = 0;
	} else {
		sn.png = sn.html = ss->have_formats;
		if (ss->have_formats)
			tui_message(tui, "snapshot: %s.pyheat, %s.png, %s.html", sn.stem, sn.stem, sn.stem);
		else
			tui_message(tui, "snapshot: %s", path);
	}
	if (ss->nsnaps < MAX_SNAPSHOTS)
		ss->snaps[ss->nsnaps++] = sn;
}

/* Launch the command or attach to the pid; fills ss->t. Returns 0; 1 when
 * the command ended before Python came up (ss->child_status); or -1 with
 * err. */
static int start_target(struct session *ss, struct ph_error *err)
{
	if (!ss->o.command)
		return target_attach(&ss->t, (pid_t)ss->o.pid, err);
	if (ss->o.stem) {
		snprintf(ss->out_path, sizeof ss->out_path, "%s.out", ss->o.stem);
	} else {
		const char *tmp = getenv("TMPDIR");
		snprintf(ss->out_path, sizeof ss->out_path, "%s/pyheat-%d-%ld.out", tmp && *tmp ? tmp : "/tmp",
		         (int)getpid(), (long)time(NULL));
		ss->out_is_temp = 1;
	}
	if (ss->o.subprocesses && !ss->o.blocking)
		prctl(PR_SET_CHILD_SUBREAPER, 1);   /* orphans stay in the tree we follow */
	struct launch_opts lo = { .own_group = 1, .output = ss->out_path };
	ss->child = launch_command(ss->o.command, &lo, err);
	if (ss->child < 0)
		return -1;
	int status;
	int a = launch_attach(&ss->t, ss->child, &status, err);
	if (a == 1)
		ss->child_status = status;
	return a;
}

static int start_sampling(struct session *ss, struct ph_error *err)
{
	const char *tmp = getenv("TMPDIR");
	if (!tmp || !*tmp)
		tmp = "/tmp";
	if (ss->o.stem) {
		snprintf(ss->base, sizeof ss->base, "%s", ss->o.stem);
		snprintf(ss->raw_path, sizeof ss->raw_path, "%s.pyheat", ss->o.stem);
		ss->keep_raw = 1;
	} else {
		launch_default_stem(ss->base, sizeof ss->base, (int)ss->t.pid);
		snprintf(ss->raw_path, sizeof ss->raw_path, "%s/pyheat-%d-%ld.pyheat.tmp", tmp, (int)getpid(),
		         (long)time(NULL));
	}
	char host[256] = "";
	gethostname(host, sizeof host - 1);
	struct timespec wall;
	clock_gettime(CLOCK_REALTIME, &wall);
	struct prof_meta meta = {
		.cmdline = ss->t.cmdline, .exe = ss->t.exe, .python_version = ss->t.version,
		.mode = (char *)"wall", .host = host, .pyheat_version = PYHEAT_VERSION_STR, .pid = ss->t.pid,
		.rate_hz = ss->o.rate, .start_unix_ns = (int64_t)wall.tv_sec * 1000000000LL + wall.tv_nsec,
	};
	ss->w = prof_writer_open(ss->raw_path, &meta, err);
	if (!ss->w)
		return -1;
	if (ring_init(&ss->ring, sampler_ring_bytes(ss->o.rate)) < 0) {
		prof_writer_abort(ss->w);
		ss->w = NULL;
		return ph_fail(err, PH_ESYSTEM, "out of memory");
	}
	ss->live = live_new(err);
	ss->view = ss->live ? live_view_new(ss->o.window, ss->o.rate, err) : NULL;
	if (!ss->view) {
		ring_free(&ss->ring);
		prof_writer_abort(ss->w);
		ss->w = NULL;
		return -1;
	}
	/* every thread, with its OS state: the view filters cpu / wall / gil */
	struct sampler_options so = {
		.rate_hz = ss->o.rate, .mode = MODE_WALL, .subprocesses = ss->o.subprocesses,
		.blocking = ss->o.blocking, .os_state = 1,
	};
	if (sampler_start(&ss->s, &ss->t, &ss->ring, &so, err) < 0) {
		ring_free(&ss->ring);
		prof_writer_abort(ss->w);
		ss->w = NULL;
		return -1;
	}
	struct aggregator_hook hook = live_hook(ss->live);
	ss->agg = aggregator_start_hooked(&ss->s, ss->w, &hook, err);
	if (!ss->agg) {
		sampler_request_stop(&ss->s);
		sampler_join(&ss->s);
		ring_free(&ss->ring);
		prof_writer_abort(ss->w);
		ss->w = NULL;
		return -1;
	}
	ss->started = 1;
	return 0;
}

/* The launched command, if it still runs: SIGTERM to its group, then
 * SIGKILL after 2 s. */
static void end_child(struct session *ss)
{
	reap(ss);
	if (ss->child <= 0 || ss->child_status >= 0)
		return;
	kill(-ss->child, SIGTERM);
	kill(ss->child, SIGTERM);
	double deadline = mono() + 2.0;
	int status;
	while (mono() < deadline) {
		pid_t r = waitpid(ss->child, &status, WNOHANG);
		if (r == ss->child) {
			ss->child_status = status;
			return;
		}
		if (r < 0)
			return;
		struct timespec ms = { 0, 10000000L };
		nanosleep(&ms, NULL);
	}
	kill(-ss->child, SIGKILL);
	kill(ss->child, SIGKILL);
	if (waitpid(ss->child, &status, 0) == ss->child)
		ss->child_status = status;
}

static void print_summary(struct session *ss)
{
	for (unsigned i = 0; i < ss->nsnaps; i++) {
		const struct snap *sn = &ss->snaps[i];
		printf("snapshot: %s.pyheat", sn->stem);
		if (sn->png)
			printf(" %s.png", sn->stem);
		if (sn->html)
			printf(" %s.html", sn->stem);
		putchar('\n');
	}
	if (ss->keep_raw && ss->started)
		printf("wrote %s\n", ss->raw_path);
	if (ss->child > 0 && ss->out_path[0]) {
		struct stat st;
		if (stat(ss->out_path, &st) == 0 && st.st_size == 0 && ss->out_is_temp)
			unlink(ss->out_path);
		else if (stat(ss->out_path, &st) == 0)
			printf("the command's output: %s\n", ss->out_path);
	}
	fflush(stdout);
}

static void install_signals(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGQUIT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

int cmd_attach(int argc, char **argv)
{
	struct session *ss = calloc(1, sizeof *ss);
	if (!ss)
		return report_error(&(struct ph_error){ PH_ESYSTEM, "out of memory" });
	ss->child = -1;
	ss->child_status = -1;
	ss->o.cmd = argc > 0 && !strcmp(argv[0], "top") ? "top" : "attach";
	int rc = parse_attach_opts(argc, argv, &ss->o);
	if (rc) {
		free(ss);
		return rc < 0 ? 0 : rc;
	}
	struct ph_error err = { 0 };
	if (tui_check_terminal(&err) < 0) {
		free(ss);
		return report_error(&err);
	}
	/* names are shown as UTF-8 when the terminal's locale is; numbers and
	 * every file written stay in the C locale */
	setlocale(LC_CTYPE, "");
	ss->have_formats = export_parse_formats(ss->o.cmd, SNAPSHOT_FORMATS, &ss->formats) == 0;
	install_signals();

	int exit_code = 0;
	struct tui *tui = NULL;
	rc = start_target(ss, &err);
	if (rc > 0) {
		fprintf(stderr, "pyheat: %s exited before a Python interpreter was found in it\n",
		        ss->o.command[0]);
		print_summary(ss);
		exit_code = launch_exit_code(ss->child_status);
		free(ss);
		return exit_code;
	}
	if (rc < 0) {
		end_child(ss);
		exit_code = report_error(&err);
		free(ss);
		return exit_code;
	}
	if (ss->t.layout_note[0])
		fprintf(stderr, "pyheat: note: %s\n", ss->t.layout_note);
	snprintf(ss->python, sizeof ss->python, "%s", ss->t.version);
	snprintf(ss->command, sizeof ss->command, "%s", ss->t.cmdline);
	size_t vl = strlen(ss->python);
	ss->gil_known = !(vl && ss->python[vl - 1] == 't');
	if (start_sampling(ss, &err) < 0) {
		target_detach(&ss->t);
		goto fail;
	}
	tui = tui_open(ss->o.mode, live_view_window(ss->view), &err);
	if (!tui)
		goto fail;

	struct tui_header *h = &ss->h;
	h->cmd = ss->o.cmd;
	h->pid = ss->t.pid;
	h->command = ss->command;
	h->python = ss->python;
	h->uptime_s = h->cpu_pct = h->rss_bytes = -1;
	h->threads = -1;
	h->gil_known = ss->gil_known;
	h->rate_wanted = ss->o.rate;
	h->window_s = live_view_window(ss->view);
	h->recording = ss->keep_raw ? ss->raw_path : NULL;

	struct live_result res;
	memset(&res, 0, sizeof res);
	int have_res = 0, paused = 0, dirty = 1;
	uint64_t paused_to = 0;
	double start = mono(), last_pull = 0, next_draw = start + EARLY_S;
	while (!stop_signal) {
		double now = mono();
		int wait_ms = (int)((next_draw - now) * 1000);
		if (wait_ms > 100)
			wait_ms = 100;
		if (wait_ms < 0 || dirty)
			wait_ms = 0;
		enum tui_action a = tui_input(tui, wait_ms);
		if (a == TUI_QUIT)
			break;
		switch (a) {
		case TUI_PAUSE:
			paused = !paused;
			/* the last whole second: every sample of an earlier second has
			 * reached the model once one of a later second has (one sampler
			 * thread, one FIFO ring); after the end, the last second */
			paused_to = live_view_last_second(ss->view);
			if (paused_to > 0 && !ss->finished)
				paused_to--;
			tui_message(tui, paused ? "paused: the view stays; sampling and recording go on"
			                        : "resumed");
			dirty = 1;
			break;
		case TUI_RESET:
			live_view_reset(ss->view);
			if (paused)
				paused_to = 0;
			tui_message(tui, "reset: the view starts again from now");
			dirty = 1;
			break;
		case TUI_SNAPSHOT:
			tui_message(tui, "writing a snapshot...");
			if (have_res)
				tui_draw(tui, h, ss->view, &res);
			snapshot(ss, tui);
			dirty = 1;
			break;
		case TUI_REDRAW: dirty = 1; break;
		default: break;
		}
		now = mono();
		reap(ss);
		if (!ss->finished && atomic_load(&ss->s.done)) {
			int fatal = ss->s.end_reason && ss->s.end_reason != PH_EEXITED && ss->s.error.code;
			struct ph_error serr = ss->s.error;
			/* take what the model still holds before the aggregator goes */
			if (finish_sampling(ss, &err) < 0) {
				tui_close(tui);
				tui = NULL;
				goto fail;
			}
			if (fatal) {
				err = serr;
				ss->keep_raw = 0;   /* sampling never started: no recording */
				tui_close(tui);
				tui = NULL;
				goto fail;
			}
			if (live_view_pull(ss->view, ss->live, paused ? paused_to : UINT64_MAX, &err) < 0) {
				tui_close(tui);
				tui = NULL;
				goto fail;
			}
			describe_end(ss);
			dirty = 1;
		}
		if (!ss->finished && now - last_pull >= PULL_S) {
			if (live_view_pull(ss->view, ss->live, paused ? paused_to : UINT64_MAX, &err) < 0) {
				tui_close(tui);
				tui = NULL;
				goto fail;
			}
			last_pull = now;
		}
		if (dirty || now >= next_draw) {
			if (ss->finished && !ss->h.ended)
				describe_end(ss);
			h->paused = paused;
			update_header(ss, now);
			struct live_query q;
			tui_query(tui, paused ? paused_to : live_view_last_second(ss->view), &q);
			if (live_view_compute(ss->view, &q, &res, &err) < 0) {
				tui_close(tui);
				tui = NULL;
				goto fail;
			}
			have_res = 1;
			tui_draw(tui, h, ss->view, &res);
			dirty = 0;
			double interval = now - start < FIRST_DRAWS_S && ss->o.refresh > EARLY_S ? EARLY_S : ss->o.refresh;
			next_draw = now + interval;
		}
	}
	tui_close(tui);
	tui = NULL;
	if (finish_sampling(ss, &err) < 0)
		goto fail;
	end_child(ss);
	if (!ss->keep_raw)
		unlink(ss->raw_path);
	print_summary(ss);
	if (ss->child > 0 && ss->child_status >= 0 && ss->h.ended)
		exit_code = launch_exit_code(ss->child_status);
	live_view_free(ss->view);
	live_free(ss->live);
	free(ss);
	return exit_code;

fail:
	tui_close(tui);
	if (ss->started && !ss->finished) {
		struct ph_error ignored;
		finish_sampling(ss, &ignored);
	} else if (ss->w) {
		prof_writer_abort(ss->w);
	}
	if (ss->started && !ss->keep_raw)
		unlink(ss->raw_path);
	end_child(ss);
	print_summary(ss);
	live_view_free(ss->view);
	live_free(ss->live);
	exit_code = report_error(&err);
	free(ss);
	return exit_code;
}
