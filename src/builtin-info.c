/* builtin-info.c — `pyheat info`: what a recorded profile holds, and its
 * top functions (the same table `pyheat record` prints at the end). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "builtin.h"
#include "export.h"
#include "profile.h"
#include "stats.h"

#define INFO_TOP 10

static const char info_usage[] =
	"usage: pyheat info FILE [--json]\n"
	"\n"
	"Print a recorded profile's metadata (target, Python, mode, rate, start,\n"
	"duration, whether the recording is complete or was cut short), its counts\n"
	"(samples, threads, stacks, frames, functions, errors, drops, source files)\n"
	"and its top 10 functions by own share, with total share and 95% Wilson\n"
	"intervals.\n"
	"\n"
	"  -j, --json   print one JSON document instead of text\n"
	"  -h, --help   show this help\n";

struct info_opts {
	const char *file;
	int json;
};

static int parse_info_opts(int argc, char **argv, struct info_opts *o)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	opterr = 0;
	optind = 1;
	while (optind < argc) {
		int c = getopt_long(argc, argv, "+:jh", longopts, NULL);
		switch (c) {
		case -1: {   /* a positional argument; options may follow it */
			int rc = cli_file_arg("info", argv, &o->file);
			if (rc)
				return rc;
			break;
		}
		case 'j': o->json = 1; break;
		case 'h': fputs(info_usage, stdout); return -1;
		default:
			return cli_option_error("info", c, argc, argv);
		}
	}
	return o->file ? 0 : cli_file_missing("info");
}

/* UTC ISO 8601 with milliseconds, or "" when unknown. */
static void iso_time(int64_t unix_ns, char *buf, size_t len)
{
	buf[0] = '\0';
	if (unix_ns <= 0)
		return;
	time_t secs = (time_t)(unix_ns / 1000000000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm))
		return;
	char head[40];
	if (!strftime(head, sizeof head, "%Y-%m-%dT%H:%M:%S", &tm))
		return;
	snprintf(buf, len, "%s.%03dZ", head, (int)(unix_ns / 1000000 % 1000));
}

static const char *s_or(const char *s, const char *dflt)
{
	return s && s[0] ? s : dflt;
}

static void text_field(FILE *out, const char *label, const char *value)
{
	fprintf(out, "%-13s", label);
	stats_put_text(out, s_or(value, "?"));
	fputc('\n', out);
}

static void print_text(FILE *out, const struct profile *p, const struct stats_result *r, const char *file)
{
	char when[64];
	fputs("File         ", out);
	stats_put_text(out, file);
	fprintf(out, " (format %d, %s)\n", p->format_version,
	        p->complete ? "complete" : "cut short: no trailer, read up to its last flush");
	text_field(out, "Command", p->meta.cmdline);
	text_field(out, "Executable", p->meta.exe);
	text_field(out, "Python", p->meta.python_version);
	fprintf(out, "%-13s%d\n", "PID", (int)p->meta.pid);
	fputs("Mode         ", out);
	stats_put_text(out, s_or(p->meta.mode, "?"));
	fprintf(out, " at %u Hz\n", (unsigned)p->meta.rate_hz);
	iso_time(p->meta.start_unix_ns, when, sizeof when);
	text_field(out, "Started", when);
	text_field(out, "Host", p->meta.host);
	fprintf(out, "%-13s%.3f s\n", "Duration", (double)p->duration_ns / 1e9);
	fputs("Recorded by  pyheat ", out);
	stats_put_text(out, s_or(p->meta.pyheat_version, "?"));
	fputc('\n', out);
	fprintf(out, "%-13s%llu (errors %llu, dropped %llu)\n", "Samples", (unsigned long long)p->nsamples,
	        (unsigned long long)p->errors, (unsigned long long)p->drops);
	fprintf(out, "%-13s%u\n", "Threads", p->nthreads);
	for (uint32_t i = 0; i < p->nthreads; i++) {
		const struct prof_thread *th = &p->threads[i];
		fprintf(out, "  %7d  ", (int)th->tid);
		stats_put_text(out, s_or(prof_str(p, th->name), "(no name)"));
		if (th->pid != p->meta.pid)
			fprintf(out, " (pid %d)", (int)th->pid);
		fprintf(out, ": %llu samples\n", (unsigned long long)r->thread_samples[i]);
	}
	fprintf(out, "%-13s%u\n", "Stacks", p->nstacks);
	fprintf(out, "%-13s%u\n", "Frames", p->nframes);
	fprintf(out, "%-13s%u\n", "Functions", r->ix.nfuncs - 1);
	fprintf(out, "%-13s%u\n", "Source files", p->nsources);
	fputc('\n', out);
	stats_print_top(out, r, INFO_TOP);
}

static void json_field(FILE *out, const char *key, const char *value)
{
	fprintf(out, ",\n \"%s\": ", key);
	export_put_json(out, value ? value : "");
}

static void json_share(FILE *out, const char *key, double v, double lo, double hi)
{
	fprintf(out, ", \"%s\": %.6f, \"%s_ci\": [%.6f, %.6f]", key, v, key, lo, hi);
}

static void print_json(FILE *out, const struct profile *p, const struct stats_result *r, const char *file)
{
	char when[64];
	fputs("{\"file\": ", out);
	export_put_json(out, file);
	fprintf(out, ",\n \"format_version\": %d, \"complete\": %s", p->format_version,
	        p->complete ? "true" : "false");
	fprintf(out, ",\n \"pid\": %d", (int)p->meta.pid);
	json_field(out, "command", p->meta.cmdline);
	json_field(out, "executable", p->meta.exe);
	json_field(out, "python_version", p->meta.python_version);
	json_field(out, "mode", p->meta.mode);
	fprintf(out, ",\n \"rate_hz\": %u", (unsigned)p->meta.rate_hz);
	iso_time(p->meta.start_unix_ns, when, sizeof when);
	json_field(out, "start_time", when);
	fprintf(out, ",\n \"start_unix_ns\": %lld", (long long)p->meta.start_unix_ns);
	json_field(out, "host", p->meta.host);
	json_field(out, "pyheat_version", p->meta.pyheat_version);
	fprintf(out, ",\n \"duration_s\": %.9f", (double)p->duration_ns / 1e9);
	fprintf(out, ",\n \"samples\": %llu, \"errors\": %llu, \"drops\": %llu",
	        (unsigned long long)p->nsamples, (unsigned long long)p->errors,
	        (unsigned long long)p->drops);
	fprintf(out, ",\n \"stacks\": %u, \"frames\": %u, \"functions\": %u, \"source_files\": %u",
	        p->nstacks, p->nframes, r->ix.nfuncs - 1, p->nsources);
	fprintf(out, ",\n \"samples_without_python\": %llu, \"samples_truncated\": %llu, \"cores_busy\": %.4f",
	        (unsigned long long)r->samples_empty, (unsigned long long)r->samples_truncated, r->cores_busy);
	fputs(",\n \"threads\": [", out);
	for (uint32_t i = 0; i < p->nthreads; i++) {
		const struct prof_thread *th = &p->threads[i];
		fprintf(out, "%s\n  {\"pid\": %d, \"tid\": %d, \"name\": ", i ? "," : "", (int)th->pid,
		        (int)th->tid);
		export_put_json(out, prof_str(p, th->name));
		fprintf(out, ", \"samples\": %llu}", (unsigned long long)r->thread_samples[i]);
	}
	fputs("],\n \"top\": [", out);
	for (size_t i = 0; i < r->nfuncs && i < INFO_TOP; i++) {
		const struct stats_row *row = &r->funcs[i];
		fputs(i ? ",\n  {\"function\": " : "\n  {\"function\": ", out);
		export_put_json(out, row->name);
		fputs(", \"file\": ", out);
		export_put_json(out, row->file);
		fprintf(out, ", \"line\": %d, \"samples_own\": %llu, \"samples_total\": %llu",
		        r->ix.funcs[row->func].firstlineno, (unsigned long long)row->samples_own,
		        (unsigned long long)row->samples_total);
		json_share(out, "own", row->own, row->own_lo, row->own_hi);
		json_share(out, "total", row->total, row->total_lo, row->total_hi);
		fputc('}', out);
	}
	fputs("]}\n", out);
}

int cmd_info(int argc, char **argv)
{
	struct info_opts o;
	int rc = parse_info_opts(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;

	struct ph_error err = { 0 };
	struct profile *p = prof_open(o.file, &err);
	if (!p)
		return report_error(&err);
	struct stats_filter all = { 0 };
	struct stats_result r;
	if (stats_compute(p, &all, &r, &err) < 0) {
		prof_close(p);
		return report_error(&err);
	}
	if (o.json)
		print_json(stdout, p, &r, o.file);
	else
		print_text(stdout, p, &r, o.file);
	rc = export_finish(stdout, &err);
	stats_free(&r);
	prof_close(p);
	return rc < 0 ? report_error(&err) : 0;
}
