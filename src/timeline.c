/* timeline.c — a profile's selected samples as a (row x time bucket) matrix
 * of shares: the data of the CPU heatmap. See include/timeline.h. */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "timeline.h"

int timeline_parse_option(const char *cmd, const char *name, const char *value, struct timeline_opts *o)
{
	if (!strcmp(name, "by")) {
		if (!strcmp(value, "own"))
			o->by = STATS_BY_OWN;
		else if (!strcmp(value, "total"))
			o->by = STATS_BY_TOTAL;
		else
			goto bad;
		return 0;
	}
	if (!strcmp(name, "granularity")) {
		if (!strcmp(value, "function") || !strcmp(value, "functions"))
			o->granularity = TIMELINE_FUNCTIONS;
		else if (!strcmp(value, "line") || !strcmp(value, "lines"))
			o->granularity = TIMELINE_LINES;
		else
			goto bad;
		return 0;
	}
	char *end;
	errno = 0;
	long v = strtol(value, &end, 10);
	int bad_num = !*value || *end || errno;
	if (!strcmp(name, "top")) {
		if (bad_num || v < 1 || v > TIMELINE_MAX_TOP) {
			fprintf(stderr, "pyheat: %s: --top needs a number of rows, 1..%d, not '%s'\n", cmd,
			        TIMELINE_MAX_TOP, value);
			return PH_EUSAGE;
		}
		o->top = (int)v;
		return 0;
	}
	if (!strcmp(name, "width") || !strcmp(name, "height")) {
		if (bad_num || v < 200 || v > HEATMAP_MAX_SIDE) {
			fprintf(stderr, "pyheat: %s: --%s needs pixels, 200..%d, not '%s'\n", cmd, name,
			        HEATMAP_MAX_SIDE, value);
			return PH_EUSAGE;
		}
		*(name[0] == 'w' ? &o->width : &o->height) = (uint32_t)v;
		return 0;
	}
bad:
	fprintf(stderr, "pyheat: %s: --%s must be %s, not '%s'\n", cmd, name,
	        !strcmp(name, "by") ? "own or total" : !strcmp(name, "granularity") ? "function or line"
	                                                                             : "known", value);
	return PH_EUSAGE;
}

uint64_t timeline_bucket_ns(uint64_t span_ns, uint32_t rate_hz, uint32_t max_buckets)
{
	if (!rate_hz)
		rate_hz = 100;
	if (!max_buckets)
		max_buckets = 1;
	double want = (double)span_ns / max_buckets;
	double min = 10.0 * 1e9 / rate_hz;
	if (want < min)
		want = min;
	if (want < 1e6)
		want = 1e6;
	double e = pow(10.0, floor(log10(want)));
	static const double m[] = { 1, 2, 2.5, 5, 10 };
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (m[i] * e >= want * (1 - 1e-9))
			return (uint64_t)llround(m[i] * e);
	return (uint64_t)llround(10 * e);
}

/* ---- panels -------------------------------------------------------------- */

struct panel {
	struct stats_filter f;
	pid_t pid, tid;
	uint64_t samples;
	uint32_t first_thread;        /* the first thread id of the panel (ordering) */
	const char *thread_name;
};

/* The panels of the selected samples (filled from the whole selection's
 * per-thread counts), busiest TIMELINE_MAX_PANELS kept, in display order. */
static int make_panels(const struct profile *p, const struct stats_filter *f, const struct timeline_opts *o,
                       const struct stats_result *all, struct panel **out, size_t *n, size_t *omitted,
                       const char **by)
{
	*omitted = 0;
	size_t cap = (size_t)p->nthreads + 1;
	struct panel *pa = calloc(cap, sizeof *pa);
	if (!pa)
		return -1;
	size_t np = 0;
	int per_thread = o->threads;
	int per_process = 0;
	if (!per_thread && !f->pid && !f->tid) {
		/* several processes have selected samples */
		pid_t first = 0;
		for (uint32_t t = 0; t < p->nthreads; t++) {
			if (!all->thread_samples[t])
				continue;
			if (!first)
				first = p->threads[t].pid;
			else if (p->threads[t].pid != first)
				per_process = 1;
		}
	}
	*by = per_thread ? "thread" : per_process ? "process" : "all";
	if (!per_thread && !per_process) {
		pa[np++] = (struct panel){ *f, f->pid, f->tid, all->samples, 0, NULL };
	} else {
		for (uint32_t t = 0; t < p->nthreads; t++) {
			if (!all->thread_samples[t])
				continue;
			const struct prof_thread *th = &p->threads[t];
			size_t i;
			for (i = 0; i < np; i++)
				if (pa[i].pid == th->pid && (!per_thread || pa[i].tid == th->tid))
					break;
			if (i == np) {
				struct stats_filter pf = *f;
				pf.pid = th->pid;
				if (per_thread)
					pf.tid = th->tid;
				pa[np++] = (struct panel){ pf, th->pid, per_thread ? th->tid : 0, 0, t,
				                           per_thread ? prof_str(p, th->name) : NULL };
			}
			pa[i].samples += all->thread_samples[t];
		}
	}
	if (np > TIMELINE_MAX_PANELS) {
		/* keep the busiest, then restore the display order */
		for (size_t i = 0; i < np; i++)
			for (size_t j = i + 1; j < np; j++)
				if (pa[j].samples > pa[i].samples) {
					struct panel tmp = pa[i];
					pa[i] = pa[j];
					pa[j] = tmp;
				}
		*omitted = np - TIMELINE_MAX_PANELS;
		np = TIMELINE_MAX_PANELS;
		for (size_t i = 0; i < np; i++)
			for (size_t j = i + 1; j < np; j++)
				if (pa[j].first_thread < pa[i].first_thread) {
					struct panel tmp = pa[i];
					pa[i] = pa[j];
					pa[j] = tmp;
				}
	}
	/* the root process first, then by first appearance */
	pid_t root = p->meta.pid;
	for (size_t i = 0, k = 0; i < np; i++)
		if (pa[i].pid == root && i != k) {
			struct panel tmp = pa[i];
			memmove(pa + k + 1, pa + k, (i - k) * sizeof *pa);
			pa[k++] = tmp;
		} else if (pa[i].pid == root) {
			k++;
		}
	*out = pa;
	*n = np;
	return 0;
}

/* ---- rows ---------------------------------------------------------------- */

/* The key of a row: a function index, or a line index of the stats index. */
struct row_key { uint32_t key; uint32_t row; };

static int cmp_key(const void *a, const void *b)
{
	const struct row_key *x = a, *y = b;
	return (x->key > y->key) - (x->key < y->key);
}

struct panel_rows {
	size_t n;
	const struct stats_row **rows;   /* display order */
	struct row_key *keys;            /* sorted by key */
	uint64_t *col_samples;           /* [ncols] */
	uint64_t *counts;                /* [n * ncols] */
	uint64_t *stamp;                 /* [n]: the last sample counted (total) */
};

static const char *file_of(const struct stats_row *r)
{
	return r->file ? r->file : "";
}

/* The top rows of r (its funcs or lines) in display order: grouped by file,
 * groups in the order of their best row. */
static int pick_rows(const struct stats_result *r, const struct timeline_opts *o, struct panel_rows *pr)
{
	int lines = o->granularity == TIMELINE_LINES;
	size_t n = lines ? r->nlines : r->nfuncs;
	struct stats_row *src = lines ? r->lines : r->funcs;
	stats_sort(src, n, o->by);
	size_t top = (size_t)(o->top > 0 ? o->top : TIMELINE_TOP), k = 0;
	while (k < n && k < top && (o->by == STATS_BY_OWN ? src[k].samples_own : src[k].samples_total))
		k++;
	pr->rows = calloc(k ? k : 1, sizeof *pr->rows);
	pr->keys = calloc(k ? k : 1, sizeof *pr->keys);
	char *placed = calloc(k ? k : 1, 1);
	if (!pr->rows || !pr->keys || !placed) {
		free(placed);
		return -1;
	}
	size_t out = 0;
	for (size_t i = 0; i < k; i++) {
		if (placed[i])
			continue;
		for (size_t j = i; j < k; j++)
			if (!placed[j] && !strcmp(file_of(&src[i]), file_of(&src[j]))) {
				placed[j] = 1;
				pr->rows[out++] = &src[j];
			}
	}
	free(placed);
	pr->n = k;
	for (size_t i = 0; i < k; i++) {
		const struct stats_row *row = pr->rows[i];
		uint32_t key = row->func;
		if (lines) {
			/* the line's index: find it by (func, line) in the sorted index */
			const struct stats_index *ix = &r->ix;
			size_t lo = 0, hi = ix->nlines;
			while (lo < hi) {
				size_t mid = lo + (hi - lo) / 2;
				const struct stats_line *l = &ix->lines[mid];
				if (l->func < row->func || (l->func == row->func && l->line < row->line))
					lo = mid + 1;
				else
					hi = mid;
			}
			key = (uint32_t)lo;
		}
		pr->keys[i] = (struct row_key){ key, (uint32_t)i };
	}
	qsort(pr->keys, k, sizeof *pr->keys, cmp_key);
	return 0;
}

static long find_row(const struct panel_rows *pr, uint32_t key)
{
	size_t lo = 0, hi = pr->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (pr->keys[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < pr->n && pr->keys[lo].key == key ? (long)pr->keys[lo].row : -1;
}

/* ---- bucketing pass ------------------------------------------------------ */

struct bucket_ctx {
	const struct profile *p;
	const struct stats_filter *f;
	const struct stats_index *ix;
	const struct timeline_opts *o;
	int single;                   /* one panel: every selected sample */
	int *thread_panel;            /* [nthreads]: panel, or -1 */
	struct panel_rows *pr;
	uint64_t t0, bucket_ns;
	size_t ncols;
	uint64_t seq;
};

static int bucket_sample(const struct prof_sample *s, void *vctx)
{
	struct bucket_ctx *c = vctx;
	if (!stats_match(c->p, c->f, s))
		return 0;
	int panel = c->single ? 0 : s->thread < c->p->nthreads ? c->thread_panel[s->thread] : -1;
	if (panel < 0)
		return 0;
	struct panel_rows *pr = &c->pr[panel];
	uint64_t col = s->t_ns > c->t0 ? (s->t_ns - c->t0) / c->bucket_ns : 0;
	if (col >= c->ncols)
		col = c->ncols - 1;
	pr->col_samples[col]++;
	uint32_t depth;
	const uint32_t *fr = stats_stack_frames(c->p, s->stack, &depth);
	if (!fr || !pr->n)
		return 0;
	int lines = c->o->granularity == TIMELINE_LINES;
	c->seq++;
	for (uint32_t i = 0; i < depth; i++) {
		uint32_t id = stats_frame_id(c->ix, fr[i]);
		uint32_t key = lines ? c->ix->frame_line[id] : c->ix->frame_func[id];
		long row = find_row(pr, key);
		if (row >= 0 && pr->stamp[row] != c->seq) {
			pr->stamp[row] = c->seq;
			pr->counts[(size_t)row * c->ncols + col]++;
		}
		if (c->o->by == STATS_BY_OWN)
			break;
	}
	return 0;
}

/* ---- the heatmap --------------------------------------------------------- */

static char *xprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static char *xprintf(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	char *s = NULL;
	int n = vasprintf(&s, fmt, ap);
	va_end(ap);
	return n < 0 ? NULL : s;
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

static void add_prop(struct heatmap *h, const char *k, char *v, int *oom)
{
	char *kk = strdup(k);
	if (!kk || !v || h->nprops >= HEATMAP_MAX_PROPS) {
		free(kk);
		free(v);
		*oom = 1;
		return;
	}
	h->props[h->nprops][0] = kk;
	h->props[h->nprops][1] = v;
	h->nprops++;
}

static void fmt_seconds(char *buf, size_t len, uint64_t ns)
{
	snprintf(buf, len, "%.2f s", (double)ns / 1e9);
}

/* Title, info lines, captions and props. */
static int describe(const struct profile *p, const struct stats_filter *f, const struct timeline_opts *o,
                    const struct stats_result *all, const char *panels_by, size_t omitted, struct heatmap *h)
{
	int oom = 0;
	const char *key = o->by == STATS_BY_OWN ? "own" : "total";
	const char *what = o->granularity == TIMELINE_LINES ? "line" : "function";
	const char *mode = p->meta.mode && *p->meta.mode ? p->meta.mode : "?";
	h->title = xprintf("pyheat \xc2\xb7 %s share by %s over time \xc2\xb7 %s mode", key, what, mode);
	h->info[h->ninfo++] = xprintf("command: %s", p->meta.cmdline && *p->meta.cmdline ? p->meta.cmdline
	                                             : p->meta.exe ? p->meta.exe : "?");
	char dur[32];
	fmt_seconds(dur, sizeof dur, p->duration_ns);
	h->info[h->ninfo++] = xprintf("pid %d \xc2\xb7 Python %s \xc2\xb7 %s mode \xc2\xb7 %s \xc2\xb7 %llu sample%s at %u Hz"
	                              " \xc2\xb7 %llu errors \xc2\xb7 %llu dropped%s",
	                              (int)p->meta.pid, p->meta.python_version ? p->meta.python_version : "?", mode,
	                              dur, (unsigned long long)p->nsamples, p->nsamples == 1 ? "" : "s",
	                              p->meta.rate_hz,
	                              (unsigned long long)p->errors, (unsigned long long)p->drops,
	                              p->complete ? "" : " \xc2\xb7 cut short");
	if (f->from_ns || f->to_ns || f->pid || f->tid) {
		char from[32], to[32], who[64] = "";
		fmt_seconds(from, sizeof from, f->from_ns);
		fmt_seconds(to, sizeof to, f->from_ns + all->duration_ns);
		if (f->pid)
			snprintf(who, sizeof who, " \xc2\xb7 pid %d", (int)f->pid);
		if (f->tid)
			snprintf(who + strlen(who), sizeof who - strlen(who), " \xc2\xb7 tid %d", (int)f->tid);
		h->info[h->ninfo++] = xprintf("selected: %s to %s%s \xc2\xb7 %llu sample%s", from, to, who,
		                              (unsigned long long)all->samples, all->samples == 1 ? "" : "s");
	}
	for (size_t i = 0; i < h->ninfo; i++)
		oom |= !h->info[i];
	if (omitted)
		h->note = xprintf("%zu more %s%s with fewer samples not shown", omitted, panels_by,
		                  !strcmp(panels_by, "process") ? "es" : "s");
	char bucket[32];
	double b = (double)h->bucket_ns / 1e9;
	if (b < 1)
		snprintf(bucket, sizeof bucket, "%g ms", b * 1e3);
	else
		snprintf(bucket, sizeof bucket, "%g s", b);
	h->value_name = xprintf("%s share", key);
	h->colour_caption = xprintf("colour: %s share of the samples in each %s time bucket%s", key, bucket,
	                            o->by == STATS_BY_OWN ? " (innermost frame)" : " (anywhere on the stack)");
	h->bar_caption = xprintf("%s, whole range", key);
	h->axis_caption = strdup("seconds since the start of the recording");
	h->unit = HEATMAP_FRACTION;
	oom |= !h->title || (omitted && !h->note) || !h->value_name || !h->colour_caption || !h->bar_caption ||
	       !h->axis_caption;
	add_prop(h, "kind", strdup("cpu"), &oom);
	add_prop(h, "by", strdup(key), &oom);
	add_prop(h, "granularity", strdup(what), &oom);
	add_prop(h, "panels", strdup(panels_by), &oom);
	add_prop(h, "mode", strdup(mode), &oom);
	add_prop(h, "command", dup_or_empty(p->meta.cmdline), &oom);
	add_prop(h, "pid", xprintf("%d", (int)p->meta.pid), &oom);
	add_prop(h, "python", dup_or_empty(p->meta.python_version), &oom);
	add_prop(h, "rate_hz", xprintf("%u", p->meta.rate_hz), &oom);
	add_prop(h, "samples", xprintf("%llu", (unsigned long long)all->samples), &oom);
	add_prop(h, "software", xprintf("pyheat %s", p->meta.pyheat_version ? p->meta.pyheat_version : "?"), &oom);
	return oom ? -1 : 0;
}

static char *panel_title(const struct profile *p, const struct panel *pa, const char *by, uint64_t total,
                         const char *rows_what)
{
	double pct = total ? 100.0 * (double)pa->samples / (double)total : 0.0;
	if (!strcmp(by, "thread"))
		return xprintf("thread %d \"%s\" \xc2\xb7 pid %d \xc2\xb7 %llu sample%s (%.1f%% of all) \xc2\xb7 %s",
		               (int)pa->tid, pa->thread_name ? pa->thread_name : "", (int)pa->pid,
		               (unsigned long long)pa->samples, pa->samples == 1 ? "" : "s", pct, rows_what);
	if (!strcmp(by, "process"))
		return xprintf("process %d%s \xc2\xb7 %llu sample%s (%.1f%% of all) \xc2\xb7 %s", (int)pa->pid,
		               pa->pid == p->meta.pid ? " (root)" : "", (unsigned long long)pa->samples,
		               pa->samples == 1 ? "" : "s", pct, rows_what);
	return xprintf("%s \xc2\xb7 %llu sample%s", rows_what, (unsigned long long)pa->samples,
	               pa->samples == 1 ? "" : "s");
}

int timeline_build(const struct profile *p, const struct stats_filter *f, const struct timeline_opts *o,
                   struct heatmap *h, struct ph_error *err)
{
	memset(h, 0, sizeof *h);
	struct stats_result all;
	if (stats_compute(p, f, &all, err) < 0)
		return -1;
	struct panel *panels = NULL;
	struct stats_result *res = NULL;
	struct panel_rows *pr = NULL;
	int *thread_panel = NULL;
	size_t np = 0, omitted = 0;
	const char *panels_by = "all";
	int rc = -1;
	if (make_panels(p, f, o, &all, &panels, &np, &omitted, &panels_by) < 0)
		goto oom;

	h->t0_ns = f->from_ns;
	h->t1_ns = f->from_ns + all.duration_ns;
	uint32_t max_buckets = TIMELINE_MAX_BUCKETS;
	if (o->width) {
		uint32_t w = o->width > 400 ? (o->width - 400) / 2 : 10;
		max_buckets = w < 10 ? 10 : w < TIMELINE_MAX_BUCKETS ? w : TIMELINE_MAX_BUCKETS;
	}
	h->bucket_ns = timeline_bucket_ns(all.duration_ns, p->meta.rate_hz, max_buckets);
	h->ncols = (size_t)((all.duration_ns + h->bucket_ns - 1) / h->bucket_ns);
	if (h->ncols == 0)
		h->ncols = 1;

	res = calloc(np ? np : 1, sizeof *res);
	pr = calloc(np ? np : 1, sizeof *pr);
	thread_panel = malloc(((size_t)p->nthreads + 1) * sizeof *thread_panel);
	if (!res || !pr || !thread_panel)
		goto oom;
	int single = !strcmp(panels_by, "all");
	for (uint32_t t = 0; t < p->nthreads; t++) {
		thread_panel[t] = -1;
		for (size_t i = 0; i < np && !single; i++)
			if (panels[i].pid == p->threads[t].pid && (!panels[i].tid || panels[i].tid == p->threads[t].tid))
				thread_panel[t] = (int)i;
	}
	for (size_t i = 0; i < np; i++) {
		if (single) {
			res[i] = all;      /* moved: freed once, through res */
			memset(&all, 0, sizeof all);
		} else if (stats_compute(p, &panels[i].f, &res[i], err) < 0) {
			goto out;
		}
		panels[i].samples = res[i].samples;
		if (pick_rows(&res[i], o, &pr[i]) < 0)
			goto oom;
		pr[i].col_samples = calloc(h->ncols, sizeof *pr[i].col_samples);
		pr[i].counts = calloc((pr[i].n ? pr[i].n : 1) * h->ncols, sizeof *pr[i].counts);
		pr[i].stamp = calloc(pr[i].n ? pr[i].n : 1, sizeof *pr[i].stamp);
		if (!pr[i].col_samples || !pr[i].counts || !pr[i].stamp)
			goto oom;
	}
	if (np) {
		struct bucket_ctx c = { p, f, &res[0].ix, o, single, thread_panel, pr, h->t0_ns, h->bucket_ns,
		                        h->ncols, 0 };
		if (prof_foreach_sample(p, bucket_sample, &c, err) < 0)
			goto out;
	}

	uint64_t total = single ? res[0].samples : all.samples;
	if (describe(p, f, o, single ? &res[0] : &all, panels_by, omitted, h) < 0)
		goto oom;
	h->panels = calloc(np ? np : 1, sizeof *h->panels);
	if (!h->panels)
		goto oom;
	h->npanels = np;
	for (size_t i = 0; i < np; i++) {
		struct heatmap_panel *hp = &h->panels[i];
		hp->pid = panels[i].pid;
		hp->tid = panels[i].tid;
		hp->samples = panels[i].samples;
		char rows_what[96];
		snprintf(rows_what, sizeof rows_what, "top %zu of %zu %s by %s share", pr[i].n,
		         o->granularity == TIMELINE_LINES ? res[i].nlines : res[i].nfuncs,
		         o->granularity == TIMELINE_LINES ? "lines" : "functions", o->by == STATS_BY_OWN ? "own" : "total");
		hp->title = panel_title(p, &panels[i], panels_by, total, rows_what);
		if (!hp->title)
			goto oom;
		hp->rows = calloc(pr[i].n ? pr[i].n : 1, sizeof *hp->rows);
		if (!hp->rows)
			goto oom;
		hp->nrows = pr[i].n;
		for (size_t r = 0; r < pr[i].n; r++) {
			const struct stats_row *sr = pr[i].rows[r];
			struct heatmap_row *row = &hp->rows[r];
			int own = o->by == STATS_BY_OWN;
			row->name = strdup(sr->name ? sr->name : "?");
			row->file = strdup(file_of(sr));
			row->group = strdup(file_of(sr));
			row->line = o->granularity == TIMELINE_LINES ? sr->line : res[i].ix.funcs[sr->func].firstlineno;
			row->bar = own ? sr->own : sr->total;
			row->bar_lo = own ? sr->own_lo : sr->total_lo;
			row->bar_hi = own ? sr->own_hi : sr->total_hi;
			row->count = own ? sr->samples_own : sr->samples_total;
			row->cells = malloc(h->ncols * sizeof *row->cells);
			if (!row->name || !row->file || !row->group || !row->cells)
				goto oom;
			for (size_t col = 0; col < h->ncols; col++) {
				uint64_t n = pr[i].col_samples[col];
				row->cells[col] = n ? (float)((double)pr[i].counts[r * h->ncols + col] / (double)n) : NAN;
			}
		}
	}
	rc = 0;
	goto out;
oom:
	ph_fail(err, PH_ESYSTEM, "out of memory building the heatmap");
out:
	for (size_t i = 0; pr && i < np; i++) {
		free(pr[i].rows);
		free(pr[i].keys);
		free(pr[i].col_samples);
		free(pr[i].counts);
		free(pr[i].stamp);
	}
	for (size_t i = 0; res && i < np; i++)
		stats_free(&res[i]);
	free(pr);
	free(res);
	free(thread_panel);
	free(panels);
	stats_free(&all);
	if (rc < 0)
		heatmap_free(h);
	return rc;
}
