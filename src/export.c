/* export.c — choosing and writing output formats, shared by `report` and
 * `record`. See include/export.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "render.h"

typedef int (*export_fn)(const struct profile *, struct stats_filter, FILE *, struct ph_error *);
/* heatmap formats: also the set's timeline options */
typedef int (*export_heat_fn)(const struct profile *, struct stats_filter, const struct timeline_opts *, FILE *,
                              struct ph_error *);

struct export_format {
	const char *name;
	const char *suffix;       /* appended to the stem */
	int text;                 /* may be streamed to stdout */
	export_fn fn;
	export_heat_fn heat;      /* instead of fn */
};

/* The interactive HTML report and the SVG flame graph (src/render-html.c,
 * src/render-svg.c). */
int export_html(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err);
int export_svg(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err);

/* Every format pyheat writes; the heatmap formats join here. */
static const struct export_format formats[] = {
	{ "collapsed", ".collapsed", 1, export_collapsed, NULL },
	{ "speedscope", ".speedscope.json", 1, export_speedscope, NULL },
	{ "chrome", ".chrome.json", 1, export_chrome, NULL },
	{ "html", ".html", 1, export_html, NULL },
	{ "svg", ".svg", 1, export_svg, NULL },
	{ "png", ".png", 0, NULL, export_png },
};
#define NFORMATS (sizeof formats / sizeof formats[0])

static void put_known(FILE *out)
{
	for (size_t i = 0; i < NFORMATS; i++)
		fprintf(out, "%s%s", i ? ", " : "", formats[i].name);
}

void export_all_formats(struct export_set *set)
{
	memset(set, 0, sizeof *set);
	for (size_t i = 0; i < NFORMATS; i++)
		set->want[i] = 1;
	set->n = (int)NFORMATS;
}

int export_parse_formats(const char *cmd, const char *list, struct export_set *set)
{
	memset(set, 0, sizeof *set);
	const char *p = list;
	while (1) {
		size_t len = strcspn(p, ",");
		size_t i;
		for (i = 0; i < NFORMATS; i++)
			if (strlen(formats[i].name) == len && !strncmp(formats[i].name, p, len))
				break;
		if (i == NFORMATS) {
			fprintf(stderr, "pyheat: %s: unknown format '%.*s' (known: ", cmd, (int)len, p);
			put_known(stderr);
			fputs(")\n", stderr);
			return PH_EUSAGE;
		}
		if (!set->want[i]++)
			set->n++;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

int export_check_stdout(const char *cmd, const struct export_set *set)
{
	for (size_t i = 0; i < NFORMATS; i++)
		if (set->want[i] && set->n == 1 && formats[i].text)
			return 0;
	fprintf(stderr, "pyheat: %s: -o - writes one format to stdout; choose one text format with -f (one of ",
	        cmd);
	put_known(stderr);
	fputs(")\n", stderr);
	return -1;
}

/* Write one format to path through a temporary file renamed into place, so
 * a failed run leaves no half-written output. */
static int write_one(const struct profile *p, const struct export_format *rf, const struct export_set *set,
                     struct stats_filter f, const char *path, struct ph_error *err)
{
	size_t len = strlen(path) + 32;
	char *tmp = malloc(len);
	if (!tmp)
		return ph_fail(err, PH_ESYSTEM, "out of memory");
	snprintf(tmp, len, "%s.tmp%ld", path, (long)getpid());
	FILE *out = fopen(tmp, "w");
	if (!out) {
		ph_fail(err, PH_ESYSTEM, "cannot create %s: %s", path, strerror(errno));
		free(tmp);
		return -1;
	}
	int rc = rf->heat ? rf->heat(p, f, set->heat, out, err) : rf->fn(p, f, out, err);
	if (fclose(out) != 0 && rc == 0)
		rc = ph_fail(err, PH_ESYSTEM, "cannot write %s: %s", path, strerror(errno));
	if (rc == 0 && rename(tmp, path) != 0)
		rc = ph_fail(err, PH_ESYSTEM, "cannot create %s: %s", path, strerror(errno));
	if (rc < 0) {
		if (err->code == PH_ESYSTEM && strncmp(err->msg, "cannot", 6)) {
			char msg[sizeof err->msg];
			memcpy(msg, err->msg, sizeof msg);
			ph_fail(err, PH_ESYSTEM, "%s: %s", path, msg);
		}
		unlink(tmp);
	}
	free(tmp);
	return rc;
}

int export_write(const struct profile *p, const struct export_set *set, const char *stem,
                 struct stats_filter f, FILE *paths_out, struct ph_error *err)
{
	for (size_t i = 0; i < NFORMATS; i++) {
		if (!set->want[i])
			continue;
		if (!strcmp(stem, "-")) {
			if ((formats[i].heat ? formats[i].heat(p, f, set->heat, stdout, err)
			                     : formats[i].fn(p, f, stdout, err)) < 0)
				return -1;
			continue;
		}
		size_t len = strlen(stem) + strlen(formats[i].suffix) + 1;
		char *path = malloc(len);
		if (!path)
			return ph_fail(err, PH_ESYSTEM, "out of memory");
		snprintf(path, len, "%s%s", stem, formats[i].suffix);
		int rc = write_one(p, &formats[i], set, f, path, err);
		if (rc == 0 && paths_out) {
			fprintf(paths_out, "%s\n", path);
			fflush(paths_out);
		}
		free(path);
		if (rc < 0)
			return -1;
	}
	return 0;
}
