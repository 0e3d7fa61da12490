/* builtin-report.c — `pyheat report`: a recorded profile in other tools'
 * formats (include/export.h). */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "builtin.h"
#include "export.h"
#include "profile.h"
#include "stats.h"
#include "timeline.h"

static const char report_usage[] =
	"usage: pyheat report FILE [-f FORMATS] [-o STEM] [options]\n"
	"\n"
	"Write a recorded profile (FILE, from pyheat record) in other tools' formats,\n"
	"one file per format, and print the paths written.\n"
	"\n"
	"  -f, --format FORMATS  comma-separated list of formats (default: all):\n"
	"                          collapsed   folded stacks for flamegraph.pl/inferno\n"
	"                                      (STEM.collapsed)\n"
	"                          speedscope  speedscope's JSON, one profile per thread\n"
	"                                      (STEM.speedscope.json)\n"
	"                          chrome      Trace Event Format JSON for Perfetto and\n"
	"                                      chrome://tracing (STEM.chrome.json)\n"
	"                          html        interactive report: heatmap, drill-down,\n"
	"                                      flame graph, table; one file (STEM.html)\n"
	"                          svg         flame graph with search and zoom\n"
	"                                      (STEM.svg)\n"
	"                          png         heatmap of the top functions over time\n"
	"                                      (STEM.png; options below)\n"
	"  -o, --output STEM     write STEM.<suffix> (default: FILE without .pyheat);\n"
	"                        '-' writes the one format given with -f to stdout\n"
	"                        (any but png)\n"
	"      --from S          only samples at or after S seconds from the start\n"
	"      --to S            only samples before S seconds from the start\n"
	"      --pid P           only threads of process P\n"
	"      --tid T           only thread T\n"
	"  -h, --help            show this help\n"
	TIMELINE_OPTIONS_HELP;

struct report_opts {
	const char *file;
	const char *stem;
	struct export_set formats;
	struct stats_filter filter;
	int have_from, have_to;
	struct timeline_opts heat;
};

/* Seconds (decimal, >= 0) to ns; -1 when malformed. */
static int parse_seconds(const char *s, uint64_t *ns)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (!*s || *end || errno || !isfinite(v) || v < 0 || v > 1e9)
		return -1;
	*ns = (uint64_t)llround(v * 1e9);
	return 0;
}

static int parse_report_opts(int argc, char **argv, struct report_opts *o)
{
	enum { OPT_FROM = CLI_OPT_HEAT_END, OPT_TO, OPT_PID, OPT_TID };
	static const struct option longopts[] = {
		{ "format", required_argument, NULL, 'f' },
		{ "output", required_argument, NULL, 'o' },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "pid", required_argument, NULL, OPT_PID },
		{ "tid", required_argument, NULL, OPT_TID },
		CLI_HEAT_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	memset(o, 0, sizeof *o);
	opterr = 0;
	optind = 1;
	const char *fmt = NULL;
	while (optind < argc) {
		int c = getopt_long(argc, argv, "+:f:o:h", longopts, NULL);
		int rc = 0;
		switch (c) {
		case -1:   /* a positional argument; options may follow it */
			rc = cli_file_arg("report", argv, &o->file);
			break;
		case 'f': fmt = optarg; break;
		case 'o': o->stem = optarg; break;
		case OPT_FROM:
		case OPT_TO:
			if (parse_seconds(optarg, c == OPT_FROM ? &o->filter.from_ns : &o->filter.to_ns) < 0) {
				fprintf(stderr, "pyheat: report: --%s needs seconds from the start, not '%s'\n",
				        c == OPT_FROM ? "from" : "to", optarg);
				return PH_EUSAGE;
			}
			*(c == OPT_FROM ? &o->have_from : &o->have_to) = 1;
			break;
		case OPT_PID:
		case OPT_TID: {
			int v;
			rc = cli_id_option("report", c == OPT_PID ? "pid" : "tid", optarg, &v);
			if (rc == 0)
				*(c == OPT_PID ? &o->filter.pid : &o->filter.tid) = (pid_t)v;
			break;
		}
		case 'h': fputs(report_usage, stdout); return -1;
		default:
			if (!cli_is_heat_option(c))
				return cli_option_error("report", c, argc, argv);
			rc = cli_heat_option("report", c, optarg, &o->heat);
			break;
		}
		if (rc)
			return rc;
	}
	if (!o->file)
		return cli_file_missing("report");
	if (o->have_to && o->filter.to_ns <= o->filter.from_ns) {
		fprintf(stderr, "pyheat: report: --to must be later than --from\n");
		return PH_EUSAGE;
	}
	if (fmt) {
		int rc = export_parse_formats("report", fmt, &o->formats);
		if (rc)
			return rc;
	} else {
		export_all_formats(&o->formats);
	}
	o->formats.heat = &o->heat;
	if (o->stem && !strcmp(o->stem, "-") && export_check_stdout("report", &o->formats) < 0)
		return PH_EUSAGE;
	if (o->stem && !o->stem[0]) {
		fprintf(stderr, "pyheat: report: -o needs a file name stem or '-'\n");
		return PH_EUSAGE;
	}
	return 0;
}

/* FILE without its .pyheat suffix, malloc'd. */
static char *default_stem(const char *file)
{
	size_t len = strlen(file);
	const char *ext = ".pyheat";
	size_t el = strlen(ext);
	if (len > el && !strcmp(file + len - el, ext))
		len -= el;
	return strndup(file, len);
}

int cmd_report(int argc, char **argv)
{
	struct report_opts o;
	int rc = parse_report_opts(argc, argv, &o);
	if (rc)
		return rc < 0 ? 0 : rc;

	struct ph_error err = { 0 };
	struct profile *p = prof_open(o.file, &err);
	if (!p)
		return report_error(&err);
	if (!p->complete)
		fprintf(stderr, "pyheat: note: %s was cut short (the recording did not end cleanly); "
		                "reporting its samples up to the last flush\n", o.file);

	int to_stdout = o.stem && !strcmp(o.stem, "-");
	char *stem = o.stem ? strdup(o.stem) : default_stem(o.file);
	if (!stem) {
		prof_close(p);
		ph_fail(&err, PH_ESYSTEM, "out of memory");
		return report_error(&err);
	}
	rc = export_write(p, &o.formats, to_stdout ? "-" : stem, o.filter, stdout, &err);
	free(stem);
	prof_close(p);
	return rc < 0 ? report_error(&err) : 0;
}
