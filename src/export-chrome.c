/* export-chrome.c — Chrome's Trace Event Format. See include/export.h. */
#include <stdlib.h>
#include <string.h>

#include "export.h"

/* What one thread has open: functions outermost first (ix.nfuncs is the
 * "[truncated]" frame). */
struct ch_thread {
	uint32_t *open;
	size_t n, cap;
	uint64_t last_t;
	uint64_t samples;
};

struct ch_ctx {
	const struct profile *p;
	const struct stats_filter *f;
	const struct stats_index *ix;
	FILE *out;
	struct ch_thread *th;     /* [nthreads + 1]; the last: ids never defined */
	uint32_t *stack;          /* scratch: the sample's functions, outermost first */
	int32_t *lines;           /* scratch: their lines */
	size_t stack_cap, lines_cap;
	uint64_t interval, gap;   /* ns */
	uint64_t nevents;
	int oom;
};

/* buf with room for need items (NULL when out of memory; buf is kept). */
static void *grow(void *buf, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return buf;
	size_t cap2 = *cap ? *cap : 64;
	while (cap2 < need)
		cap2 *= 2;
	void *nb = realloc(buf, cap2 * size);
	if (nb)
		*cap = cap2;
	return nb;
}

static void put_ts(FILE *out, uint64_t t_ns)
{
	fprintf(out, "%llu.%03u", (unsigned long long)(t_ns / 1000), (unsigned)(t_ns % 1000));
}

static void thread_ids(const struct profile *p, size_t t, int *pid, int *tid)
{
	const struct prof_thread *th = stats_thread(p, (uint32_t)t);
	*pid = th ? (int)th->pid : 0;
	*tid = th ? (int)th->tid : 0;
}

static const char *func_name(const struct stats_index *ix, uint32_t fn)
{
	return fn < ix->nfuncs ? ix->funcs[fn].name : EXPORT_TRUNCATED_FRAME;
}

/* One B or E event; file and line only on B. */
static void event(struct ch_ctx *c, size_t t, char ph, uint32_t fn, int32_t line, uint64_t t_ns)
{
	int pid, tid;
	thread_ids(c->p, t, &pid, &tid);
	FILE *out = c->out;
	fputs(c->nevents++ ? ",\n{\"name\":" : "\n{\"name\":", out);
	export_put_json(out, func_name(c->ix, fn));
	fprintf(out, ",\"cat\":\"python\",\"ph\":\"%c\",\"ts\":", ph);
	put_ts(out, t_ns);
	fprintf(out, ",\"pid\":%d,\"tid\":%d", pid, tid);
	if (ph == 'B' && fn < c->ix->nfuncs) {
		fputs(",\"args\":{\"file\":", out);
		export_put_json(out, c->ix->funcs[fn].file);
		fprintf(out, ",\"line\":%d}", (int)line);
	}
	fputc('}', out);
}

/* Close th's open functions down to depth keep, innermost first. */
static void close_to(struct ch_ctx *c, size_t t, size_t keep, uint64_t t_ns)
{
	struct ch_thread *th = &c->th[t];
	while (th->n > keep) {
		th->n--;
		event(c, t, 'E', th->open[th->n], 0, t_ns);
	}
}

static int ch_sample(const struct prof_sample *s, void *vctx)
{
	struct ch_ctx *c = vctx;
	const struct profile *p = c->p;
	if (!stats_match(p, c->f, s))
		return 0;
	size_t t = s->thread < p->nthreads ? s->thread : p->nthreads;
	struct ch_thread *th = &c->th[t];
	uint32_t n = 0;
	const uint32_t *fr = stats_stack_frames(p, s->stack, &n);
	int trunc = (s->flags & PROF_TRUNCATED) != 0;
	size_t depth = (size_t)n + (size_t)trunc;
	uint32_t *stack = grow(c->stack, &c->stack_cap, depth + 1, sizeof *c->stack);
	if (stack)
		c->stack = stack;
	int32_t *lines = stack ? grow(c->lines, &c->lines_cap, depth + 1, sizeof *c->lines) : NULL;
	if (lines)
		c->lines = lines;
	uint32_t *open = lines ? grow(th->open, &th->cap, depth + 1, sizeof *th->open) : NULL;
	if (!open) {
		c->oom = 1;
		return 1;
	}
	th->open = open;
	size_t d = 0;
	if (trunc) {
		c->stack[d] = c->ix->nfuncs;
		c->lines[d++] = 0;
	}
	for (uint32_t i = n; i-- > 0;) {
		uint32_t id = stats_frame_id(c->ix, fr[i]);
		c->stack[d] = c->ix->frame_func[id];
		c->lines[d++] = c->ix->lines[c->ix->frame_line[id]].line;
	}

	uint64_t now = s->t_ns;
	if (th->samples && now < th->last_t)
		now = th->last_t;     /* never back in time within a thread */
	size_t keep = 0;
	if (th->samples && now - th->last_t > c->gap) {
		close_to(c, t, 0, th->last_t + c->interval);
	} else {
		while (keep < th->n && keep < depth && th->open[keep] == c->stack[keep])
			keep++;
		close_to(c, t, keep, now);
	}
	for (size_t i = th->n; i < depth; i++) {
		th->open[i] = c->stack[i];
		event(c, t, 'B', c->stack[i], c->lines[i], now);
	}
	th->n = depth;
	th->last_t = now;
	th->samples++;
	return 0;
}

static void meta_event(struct ch_ctx *c, const char *what, int pid, int tid, const char *name)
{
	FILE *out = c->out;
	fprintf(out, "%s\n{\"name\":\"%s\",\"ph\":\"M\",\"ts\":0,\"pid\":%d,\"tid\":%d,\"args\":{\"name\":",
	        c->nevents++ ? "," : "", what, pid, tid);
	export_put_json(out, name);
	fputs("}}", out);
}

int export_chrome(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err)
{
	struct stats_index ix;
	if (stats_index_build(p, &ix, err) < 0)
		return -1;
	size_t nth = (size_t)p->nthreads + 1;
	struct ch_ctx c = { .p = p, .f = &f, .ix = &ix, .out = out, .th = calloc(nth, sizeof *c.th) };
	int rc = -1;
	if (!c.th) {
		ph_fail(err, PH_ESYSTEM, "out of memory writing the trace");
		goto out;
	}
	c.interval = p->meta.rate_hz ? 1000000000ull / p->meta.rate_hz : 0;
	c.gap = c.interval ? c.interval + c.interval / 2 : UINT64_MAX;   /* a missed tick */
	uint64_t pad = c.interval ? c.interval : 1000;

	fputs("{\"displayTimeUnit\":\"ms\",\n\"otherData\":{\"exporter\":", out);
	{
		char ver[96];
		snprintf(ver, sizeof ver, "pyheat %s", p->meta.pyheat_version ? p->meta.pyheat_version : "");
		export_put_json(out, ver);
	}
	fputs(",\"command\":", out);
	export_put_json(out, p->meta.cmdline ? p->meta.cmdline : "");
	fputs(",\"mode\":", out);
	export_put_json(out, p->meta.mode ? p->meta.mode : "");
	fprintf(out, ",\"rate_hz\":%u},\n\"traceEvents\":[", (unsigned)p->meta.rate_hz);

	if (prof_foreach_sample(p, ch_sample, &c, err) < 0)
		goto out;
	if (c.oom) {
		ph_fail(err, PH_ESYSTEM, "out of memory writing the trace");
		goto out;
	}
	for (size_t t = 0; t < nth; t++)
		if (c.th[t].samples)
			close_to(&c, t, 0, c.th[t].last_t + pad);

	/* name the processes and threads that have events */
	for (size_t t = 0; t < nth; t++) {
		if (!c.th[t].samples)
			continue;
		int pid, tid, seen = 0;
		thread_ids(p, t, &pid, &tid);
		for (size_t u = 0; u < t && !seen; u++) {
			int pid2, tid2;
			thread_ids(p, u, &pid2, &tid2);
			seen = c.th[u].samples && pid2 == pid;
		}
		if (!seen) {
			char pname[64];
			snprintf(pname, sizeof pname, "pid %d", pid);
			meta_event(&c, "process_name", pid, pid,
			           pid == p->meta.pid && p->meta.cmdline && p->meta.cmdline[0] ? p->meta.cmdline
			                                                                     : pname);
		}
		const struct prof_thread *th = stats_thread(p, (uint32_t)t);
		const char *name = th ? prof_str(p, th->name) : "";
		char tname[64];
		if (!name[0]) {
			snprintf(tname, sizeof tname, "thread %d", tid);
			name = tname;
		}
		meta_event(&c, "thread_name", pid, tid, name);
	}
	fputs("\n]}\n", out);
	rc = export_finish(out, err);
out:
	for (size_t t = 0; c.th && t < nth; t++)
		free(c.th[t].open);
	free(c.th);
	free(c.stack);
	free(c.lines);
	stats_index_free(&ix);
	return rc;
}
