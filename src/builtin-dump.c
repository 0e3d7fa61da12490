/* builtin-dump.c — `pyheat dump`: every thread's stack, once, without
 * pausing the target (with --blocking: paused for the read, see pause.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "builtin.h"
#include "pause.h"
#include "proc.h"
#include "textout.h"
#include "threadnames.h"
#include "walker.h"

#define DUMP_RETRIES 5   /* a running target can tear a read; try a thread again */

static const char dump_usage[] =
	"usage: pyheat dump --pid PID [--json] [--locals] [--blocking]\n"
	"\n"
	"Print every thread of a running CPython process with its Python stack,\n"
	"innermost frame first. The target is not paused unless --blocking.\n"
	"\n"
	"  -p, --pid PID   the process to read\n"
	"  -j, --json      print one JSON document instead of text\n"
	"  -l, --locals    show each frame's local variables (simple values)\n"
	"  -b, --blocking  stop every thread (ptrace) while reading, for a consistent\n"
	"                  snapshot; the target runs again before anything is printed\n"
	"  -h, --help      show this help\n";

struct dump_opts {
	int pid;
	int json;
	int locals;
	int blocking;
};

struct thread_dump {
	struct thread_info info;
	struct frame_ref *frames;
	int nframes;
	int truncated;
	int failed;
	char comm[64];
	const char *python_name;   /* Thread.name, or NULL when unknown */
};

static const char *state_name(const struct thread_info *th)
{
	switch (th->os_state) {
	case 'R': return "running";
	case 0: return "unknown";
	case 'D': return "disk-wait";
	case 't': case 'T': return "stopped";
	default: return "idle";
	}
}

/* The display name of a frame: "Class.method" before 3.11, else the qualname. */
static void frame_name(const struct walker *w, const struct frame_ref *f, char *buf, size_t len)
{
	const struct code_info *ci = walker_code(w, f->code);
	const char *cls = f->class_name != CODE_NONE ? walker_type_name(w, f->class_name) : NULL;
	if (cls)
		snprintf(buf, len, "%s.%s", cls, ci->name);
	else
		snprintf(buf, len, "%s", ci->name);
}

struct locals_ctx { FILE *out; int json; int count; };

static void print_local(const char *name, const char *value, void *vctx)
{
	struct locals_ctx *c = vctx;
	if (c->json) {
		fputs(c->count ? ", {\"name\": " : "{\"name\": ", c->out);
		json_put_str(c->out, name);
		fputs(", \"value\": ", c->out);
		json_put_str(c->out, value);
		fputc('}', c->out);
	} else {
		fputs("        ", c->out);
		text_put_safe(c->out, name);
		fputs(" = ", c->out);
		text_put_safe(c->out, value);
		fputc('\n', c->out);
	}
	c->count++;
}

static void print_text(FILE *out, const struct target *t, struct walker *w,
                       const struct dump_opts *o, const struct thread_dump *td, int n)
{
	fprintf(out, "Process %d: ", (int)t->pid);
	text_put_safe(out, t->cmdline[0] ? t->cmdline : t->exe);
	fprintf(out, "\nPython %s (", t->version);
	text_put_safe(out, t->python_file);
	fputs(")\n", out);
	for (int i = 0; i < n; i++) {
		const struct thread_dump *d = &td[i];
		fprintf(out, "\nThread %d (0x%llx) ", (int)d->info.tid,
		        (unsigned long long)d->info.thread_id);
		if (d->python_name) {
			fputc('"', out);
			text_put_safe(out, d->python_name);
			fputs("\" ", out);
		}
		if (d->comm[0]) {
			fputs("[os: ", out);
			text_put_safe(out, d->comm);
			fputs("] ", out);
		}
		fputs(state_name(&d->info), out);
		if (d->info.flags & THREAD_HOLDS_GIL)
			fputs(", holds GIL", out);
		if (d->info.flags & THREAD_ATTACHED)
			fputs(", attached", out);
		if (d->info.interp_id)
			fprintf(out, ", interpreter %lld", (long long)d->info.interp_id);
		fputc('\n', out);
		if (d->failed) {
			fputs("    <stack could not be read: it changed while being read>\n", out);
			continue;
		}
		if (d->nframes == 0)
			fputs("    <no Python frames>\n", out);
		for (int k = 0; k < d->nframes; k++) {
			const struct frame_ref *f = &d->frames[k];
			char name[4096];
			frame_name(w, f, name, sizeof name);
			fputs("    ", out);
			text_put_safe(out, name);
			fputs(" (", out);
			text_put_safe(out, walker_code(w, f->code)->file);
			fprintf(out, ":%d)\n", f->line);
			if (o->locals) {
				struct locals_ctx c = { out, 0, 0 };
				walker_locals(w, f, print_local, &c);
			}
		}
		if (d->truncated)
			fprintf(out, "    <truncated: stack deeper than %d frames>\n", d->nframes);
	}
}

static void print_json(FILE *out, const struct target *t, struct walker *w,
                       const struct dump_opts *o, const struct thread_dump *td, int n)
{
	fprintf(out, "{\"pid\": %d, \"python\": ", (int)t->pid);
	json_put_str(out, t->version);
	fputs(", \"executable\": ", out);
	json_put_str(out, t->exe);
	fputs(", \"python_file\": ", out);
	json_put_str(out, t->python_file);
	fputs(", \"cmdline\": ", out);
	json_put_str(out, t->cmdline);
	fputs(", \"threads\": [", out);
	for (int i = 0; i < n; i++) {
		const struct thread_dump *d = &td[i];
		fprintf(out, "%s\n  {\"tid\": %d, \"thread_id\": %llu, \"name\": ", i ? "," : "",
		        (int)d->info.tid, (unsigned long long)d->info.thread_id);
		json_put_str(out, d->comm);
		fputs(", \"python_name\": ", out);
		if (d->python_name)
			json_put_str(out, d->python_name);
		else
			fputs("null", out);
		fprintf(out, ", \"interpreter\": %lld, \"state\": \"%s\", \"holds_gil\": %s",
		        (long long)d->info.interp_id, state_name(&d->info),
		        (d->info.flags & THREAD_HOLDS_GIL) ? "true" : "false");
		if (w && t->layout.free_threaded)
			fprintf(out, ", \"attached\": %s", (d->info.flags & THREAD_ATTACHED) ? "true" : "false");
		fprintf(out, ", \"truncated\": %s, \"error\": %s, \"frames\": [",
		        d->truncated ? "true" : "false", d->failed ? "\"torn read\"" : "null");
		for (int k = 0; k < d->nframes && !d->failed; k++) {
			const struct frame_ref *f = &d->frames[k];
			char name[4096];
			frame_name(w, f, name, sizeof name);
			fputs(k ? ",\n    {\"name\": " : "\n    {\"name\": ", out);
			json_put_str(out, name);
			fputs(", \"file\": ", out);
			json_put_str(out, walker_code(w, f->code)->file);
			fprintf(out, ", \"line\": %d", f->line);
			if (o->locals) {
				struct locals_ctx c = { out, 1, 0 };
				fputs(", \"locals\": [", out);
				walker_locals(w, f, print_local, &c);
				fputc(']', out);
			}
			fputc('}', out);
		}
		fputs("]}", out);
	}
	fputs("\n]}\n", out);
}

static int parse_dump_opts(int argc, char **argv, struct dump_opts *o)
{
	static const struct option longopts[] = {
		{ "pid", required_argument, NULL, 'p' },
		{ "json", no_argument, NULL, 'j' },
		{ "locals", no_argument, NULL, 'l' },
		{ "blocking", no_argument, NULL, 'b' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	o->pid = -1;
	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "+:p:jlbh", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': {
			int rc = cli_id_option("dump", "pid", optarg, &o->pid);
			if (rc)
				return rc;
			break;
		}
		case 'j': o->json = 1; break;
		case 'l': o->locals = 1; break;
		case 'b': o->blocking = 1; break;
		case 'h': fputs(dump_usage, stdout); return -1;
		default:
			return cli_option_error("dump", c, argc, argv);
		}
	}
	if (optind < argc) {
		fprintf(stderr, "pyheat: dump: unexpected argument '%s' (see 'pyheat dump --help')\n",
		        argv[optind]);
		return PH_EUSAGE;
	}
	if (o->pid < 0) {
		fprintf(stderr, "pyheat: dump: --pid PID is required (see 'pyheat dump --help')\n");
		return PH_EUSAGE;
	}
	return 0;
}

int cmd_dump(int argc, char **argv)
{
	struct dump_opts o;
	int rc = parse_dump_opts(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;

	struct ph_error err = { 0 };
	struct target t;
	if (target_attach(&t, (pid_t)o.pid, &err) < 0)
		return report_error(&err);
	if (t.layout_note[0])
		fprintf(stderr, "pyheat: note: %s\n", t.layout_note);
	struct walker *w = walker_new(&t, &err);
	if (!w) {
		target_detach(&t);
		return report_error(&err);
	}
	/* --blocking: stopped from here to the end of the reads, on every path */
	struct pauser *pz = o.blocking ? calloc(1, sizeof *pz) : NULL;
	if (o.blocking && (!pz || pause_open(pz, t.pid, PAUSE_OS_STATE, &err) < 0 ||
	                   pause_stop_all(pz, &err) < 0)) {
		if (!pz)
			ph_fail(&err, PH_ESYSTEM, "out of memory");
		else
			pause_close(pz);   /* a no-op after a failed pause_open() */
		free(pz);
		walker_free(w);
		target_detach(&t);
		return report_error(&err);
	}
	if (pz)
		walker_want_os_state(w, 0);   /* the pauser read it before stopping */
	static struct thread_info threads[WALK_MAX_THREADS];
	struct thread_dump *td = calloc(WALK_MAX_THREADS, sizeof *td);
	struct frame_ref *frames = malloc((size_t)WALK_MAX_FRAMES * sizeof *frames);
	int n = -1;
	if (td && frames) {
		for (int attempt = 0; attempt < DUMP_RETRIES && n < 0; attempt++)
			n = walker_threads(w, threads, WALK_MAX_THREADS, &err);
		if (pz && n > 0)
			pause_fix_os_state(pz, threads, n);
	} else {
		ph_fail(&err, PH_ESYSTEM, "out of memory");
	}
	for (int i = 0; i < n; i++) {
		struct thread_dump *d = &td[i];
		d->info = threads[i];
		int depth = -1;
		for (int attempt = 0; attempt < DUMP_RETRIES && depth < 0; attempt++)
			depth = walker_stack(w, &d->info, frames, WALK_MAX_FRAMES, &d->truncated);
		d->failed = depth < 0;
		d->nframes = depth < 0 ? 0 : depth;
		d->frames = d->nframes ? malloc((size_t)d->nframes * sizeof *frames) : NULL;
		if (d->nframes && !d->frames) {
			d->failed = 1;
			d->nframes = 0;
		} else if (d->nframes) {
			memcpy(d->frames, frames, (size_t)d->nframes * sizeof *frames);
		}
		if (d->info.tid > 0)
			proc_task_comm(t.pid, d->info.tid, d->comm, sizeof d->comm);
	}
	/* Python thread names, per interpreter (each has its own threading) */
	struct thread_name *names = n > 0 ? calloc(WALK_MAX_THREADS, sizeof *names) : NULL;
	for (int i = 0, used = 0; names && i < n; i++) {
		int seen = 0, nn = -1;
		for (int j = 0; j < i && !seen; j++)
			seen = td[j].info.interp == td[i].info.interp;
		for (int attempt = 0; !seen && attempt < DUMP_RETRIES && nn < 0; attempt++)
			nn = thread_names_read(&t, td[i].info.interp, names + used, WALK_MAX_THREADS - used);
		for (int j = i; j < n && nn > 0; j++)
			if (td[j].info.interp == td[i].info.interp)
				td[j].python_name = thread_name_find(names + used, nn, td[j].info.thread_id);
		used += nn > 0 ? nn : 0;
	}
	if (pz) {
		pause_resume_all(pz);
		pause_close(pz);
		free(pz);
	}
	if (n >= 0) {
		if (o.json)
			print_json(stdout, &t, w, &o, td, n);
		else
			print_text(stdout, &t, w, &o, td, n);
		fflush(stdout);
	}
	for (int i = 0; td && i < n; i++)
		free(td[i].frames);
	free(td);
	free(names);
	free(frames);
	walker_free(w);
	target_detach(&t);
	return n < 0 ? report_error(&err) : 0;
}
