/* export-speedscope.c — speedscope's JSON file format. See include/export.h. */
#include <stdlib.h>
#include <string.h>

#include "export.h"

#define SCHEMA_URL "https://www.speedscope.app/file-format-schema.json"

/* The selected samples of one thread, in file (time) order: stack * 2 + truncated. */
struct ss_thread { uint64_t *s; size_t n, cap; };

struct ss_ctx {
	const struct profile *p;
	const struct stats_filter *f;
	struct ss_thread *th;     /* [nthreads + 1]; the last: ids never defined */
	unsigned char *used;      /* [nstacks + 1]: bit 0 plain, bit 1 truncated */
	int oom;
};

static int ss_sample(const struct prof_sample *s, void *vctx)
{
	struct ss_ctx *c = vctx;
	if (!stats_match(c->p, c->f, s))
		return 0;
	struct ss_thread *t = &c->th[s->thread < c->p->nthreads ? s->thread : c->p->nthreads];
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 256;
		uint64_t *ns = realloc(t->s, cap * sizeof *ns);
		if (!ns) {
			c->oom = 1;
			return 1;
		}
		t->s = ns;
		t->cap = cap;
	}
	uint64_t stack = s->stack < c->p->nstacks ? s->stack : c->p->nstacks;
	int trunc = (s->flags & PROF_TRUNCATED) != 0;
	t->s[t->n++] = stack * 2 + (uint64_t)trunc;
	c->used[stack] |= (unsigned char)(1u << trunc);
	return 0;
}

static void put_thread_name(FILE *out, const struct profile *p, uint32_t id)
{
	const struct prof_thread *th = stats_thread(p, id);
	char head[96];
	if (!th) {
		export_put_json(out, "thread ?");
		return;
	}
	snprintf(head, sizeof head, "thread %d ", (int)th->tid);
	const char *name = prof_str(p, th->name);
	char tail[48] = "";
	if (th->pid != p->meta.pid)
		snprintf(tail, sizeof tail, " (pid %d)", (int)th->pid);
	size_t len = strlen(head) + strlen(name) + strlen(tail) + 1;
	char *full = malloc(len);
	if (!full) {
		export_put_json(out, head);
		return;
	}
	snprintf(full, len, "%s%s%s", head, name, tail);
	export_put_json(out, full);
	free(full);
}

int export_speedscope(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err)
{
	struct stats_index ix;
	if (stats_index_build(p, &ix, err) < 0)
		return -1;
	size_t nth = (size_t)p->nthreads + 1, nst = (size_t)p->nstacks + 1;
	struct ss_ctx c = { p, &f, calloc(nth, sizeof *c.th), calloc(nst, 1), 0 };
	/* shared frame of each (function, line), numbered in order of first use;
	 * slot nlines is the "[truncated]" frame */
	uint32_t *shared = malloc(((size_t)ix.nlines + 1) * sizeof *shared);
	uint32_t *shared_line = malloc(((size_t)ix.nlines + 1) * sizeof *shared_line);
	int rc = -1;
	if (!c.th || !c.used || !shared || !shared_line) {
		ph_fail(err, PH_ESYSTEM, "out of memory writing speedscope");
		goto out;
	}
	if (prof_foreach_sample(p, ss_sample, &c, err) < 0)
		goto out;
	if (c.oom) {
		ph_fail(err, PH_ESYSTEM, "out of memory writing speedscope");
		goto out;
	}
	const uint32_t none = UINT32_MAX;
	for (size_t i = 0; i <= ix.nlines; i++)
		shared[i] = none;
	uint32_t nshared = 0;
	for (size_t s = 0; s < nst; s++) {
		if (!c.used[s])
			continue;
		if ((c.used[s] & 2) && shared[ix.nlines] == none)
			shared_line[nshared] = ix.nlines, shared[ix.nlines] = nshared++;
		uint32_t n = 0;
		const uint32_t *fr = s < p->nstacks ? stats_stack_frames(p, (uint32_t)s, &n) : NULL;
		for (uint32_t i = n; fr && i-- > 0;) {
			uint32_t li = ix.frame_line[stats_frame_id(&ix, fr[i])];
			if (shared[li] == none)
				shared_line[nshared] = li, shared[li] = nshared++;
		}
	}

	fputs("{\"$schema\":\"" SCHEMA_URL "\",\n\"name\":", out);
	export_put_json(out, p->meta.cmdline && p->meta.cmdline[0] ? p->meta.cmdline
	                     : p->path ? p->path : "pyheat profile");
	fputs(",\n\"exporter\":", out);
	{
		char ver[96];
		snprintf(ver, sizeof ver, "pyheat %s", p->meta.pyheat_version ? p->meta.pyheat_version : "");
		export_put_json(out, ver);
	}
	/* open the busiest thread first */
	size_t active = 0, best = 0, k = 0;
	for (size_t t = 0; t < nth; t++) {
		if (!c.th[t].n)
			continue;
		if (c.th[t].n > best)
			best = c.th[t].n, active = k;
		k++;
	}
	fprintf(out, ",\n\"activeProfileIndex\":%zu,\n\"shared\":{\"frames\":[", active);
	for (uint32_t i = 0; i < nshared; i++) {
		fputs(i ? ",\n{\"name\":" : "\n{\"name\":", out);
		if (shared_line[i] == ix.nlines) {
			export_put_json(out, EXPORT_TRUNCATED_FRAME);
			fputc('}', out);
			continue;
		}
		const struct stats_line *l = &ix.lines[shared_line[i]];
		export_put_json(out, ix.funcs[l->func].name);
		fputs(",\"file\":", out);
		export_put_json(out, ix.funcs[l->func].file);
		if (l->line > 0)
			fprintf(out, ",\"line\":%d", (int)l->line);
		fputc('}', out);
	}
	fputs("]},\n\"profiles\":[", out);

	double weight = p->meta.rate_hz ? 1000.0 / (double)p->meta.rate_hz : 1.0;
	const char *unit = p->meta.rate_hz ? "milliseconds" : "none";
	k = 0;
	for (size_t t = 0; t < nth; t++) {
		const struct ss_thread *th = &c.th[t];
		if (!th->n)
			continue;
		fputs(k++ ? ",\n{\"type\":\"sampled\",\"name\":" : "\n{\"type\":\"sampled\",\"name\":", out);
		put_thread_name(out, p, (uint32_t)t);
		fprintf(out, ",\"unit\":\"%s\",\"startValue\":0,\"endValue\":%.10g,\n\"samples\":[", unit,
		        weight * (double)th->n);
		for (size_t i = 0; i < th->n; i++) {
			size_t s = (size_t)(th->s[i] >> 1);
			int trunc = (int)(th->s[i] & 1);
			fputs(i ? ",[" : "[", out);
			int first = 1;
			if (trunc) {
				fprintf(out, "%u", shared[ix.nlines]);
				first = 0;
			}
			uint32_t n = 0;
			const uint32_t *fr = s < p->nstacks ? stats_stack_frames(p, (uint32_t)s, &n) : NULL;
			for (uint32_t j = n; fr && j-- > 0;) {
				fprintf(out, first ? "%u" : ",%u", shared[ix.frame_line[stats_frame_id(&ix, fr[j])]]);
				first = 0;
			}
			fputc(']', out);
		}
		fputs("],\n\"weights\":[", out);
		for (size_t i = 0; i < th->n; i++)
			fprintf(out, i ? ",%.10g" : "%.10g", weight);
		fputs("]}", out);
	}
	fputs("]}\n", out);
	rc = export_finish(out, err);
out:
	for (size_t t = 0; c.th && t < nth; t++)
		free(c.th[t].s);
	free(c.th);
	free(c.used);
	free(shared);
	free(shared_line);
	stats_index_free(&ix);
	return rc;
}
