/* stats.c — own and total shares with Wilson intervals. See include/stats.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "stats.h"
#include "textout.h"

void stats_wilson(uint64_t k, uint64_t n, double z, double *lo, double *hi)
{
	if (n == 0) {
		*lo = 0.0;
		*hi = 1.0;
		return;
	}
	if (k > n)
		k = n;
	double nn = (double)n, p = (double)k / nn, z2 = z * z;
	double denom = 1.0 + z2 / nn;
	double centre = (p + z2 / (2.0 * nn)) / denom;
	double half = z / denom * sqrt(p * (1.0 - p) / nn + z2 / (4.0 * nn * nn));
	double l = centre - half, h = centre + half;
	/* exact at the ends (rounding would otherwise leave 1e-17) */
	*lo = k == 0 ? 0.0 : (l < 0.0 ? 0.0 : l);
	*hi = k == n ? 1.0 : (h > 1.0 ? 1.0 : h);
}

const uint32_t *stats_stack_frames(const struct profile *p, uint32_t stack, uint32_t *n)
{
	*n = 0;
	if (stack >= p->nstacks)
		return NULL;
	const struct prof_stack *s = &p->stacks[stack];
	if (s->n == 0 || (uint64_t)s->first + s->n > p->nstack_frames)
		return NULL;
	*n = s->n;
	return p->stack_frames + s->first;
}

const struct prof_thread *stats_thread(const struct profile *p, uint32_t thread)
{
	return thread < p->nthreads ? &p->threads[thread] : NULL;
}

int stats_match(const struct profile *p, const struct stats_filter *f, const struct prof_sample *s)
{
	if (s->t_ns < f->from_ns || (f->to_ns && s->t_ns >= f->to_ns))
		return 0;
	if (f->pid || f->tid) {
		const struct prof_thread *th = stats_thread(p, s->thread);
		if (!th || (f->pid && th->pid != f->pid) || (f->tid && th->tid != f->tid))
			return 0;
	}
	return 1;
}

/* ---- index --------------------------------------------------------------- */

struct func_key { const char *name, *file; int first; uint32_t id; };
struct line_key { uint32_t func; int32_t line; uint32_t id; };

static int cmp_func_key(const void *a, const void *b)
{
	const struct func_key *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->file, y->file);
	if (!c)
		c = (x->id > y->id) - (x->id < y->id);
	return c;
}

static int cmp_line_key(const void *a, const void *b)
{
	const struct line_key *x = a, *y = b;
	if (x->func != y->func)
		return x->func < y->func ? -1 : 1;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

void stats_index_free(struct stats_index *ix)
{
	free(ix->funcs);
	free(ix->lines);
	free(ix->frame_func);
	free(ix->frame_line);
	memset(ix, 0, sizeof *ix);
}

int stats_index_build(const struct profile *p, struct stats_index *ix, struct ph_error *err)
{
	memset(ix, 0, sizeof *ix);
	/* function ids 0..nfuncs-1 and nfuncs, the "?" function of undefined ids */
	size_t nf = (size_t)p->nfuncs + 1, nl = (size_t)p->nframes + 1;
	struct func_key *fk = malloc(nf * sizeof *fk);
	uint32_t *canon = malloc(nf * sizeof *canon);
	struct line_key *lk = malloc(nl * sizeof *lk);
	ix->funcs = malloc(nf * sizeof *ix->funcs);
	ix->lines = malloc(nl * sizeof *ix->lines);
	ix->frame_func = malloc(nl * sizeof *ix->frame_func);
	ix->frame_line = malloc(nl * sizeof *ix->frame_line);
	if (!fk || !canon || !lk || !ix->funcs || !ix->lines || !ix->frame_func || !ix->frame_line) {
		free(fk);
		free(canon);
		free(lk);
		stats_index_free(ix);
		return ph_fail(err, PH_ESYSTEM, "out of memory indexing the profile's functions");
	}
	ix->nframes = p->nframes;
	for (uint32_t i = 0; i < p->nfuncs; i++) {
		const struct prof_func *f = &p->funcs[i];
		fk[i] = (struct func_key){ prof_str(p, f->name), prof_str(p, f->file), f->firstlineno, i };
	}
	qsort(fk, p->nfuncs, sizeof *fk, cmp_func_key);
	fk[p->nfuncs] = (struct func_key){ "?", "?", 0, p->nfuncs };
	for (size_t i = 0; i < nf; i++) {
		/* the "?" function stays apart, last */
		if (i == 0 || i == p->nfuncs || strcmp(fk[i].name, fk[i - 1].name) ||
		    strcmp(fk[i].file, fk[i - 1].file)) {
			ix->funcs[ix->nfuncs++] = (struct stats_func){ fk[i].name, fk[i].file, fk[i].first };
		} else {
			struct stats_func *sf = &ix->funcs[ix->nfuncs - 1];
			if (fk[i].first < sf->firstlineno)
				sf->firstlineno = fk[i].first;
		}
		canon[fk[i].id] = ix->nfuncs - 1;
	}
	for (uint32_t i = 0; i < p->nframes; i++) {
		const struct prof_frame *fr = &p->frames[i];
		uint32_t fu = fr->func < p->nfuncs ? fr->func : p->nfuncs;
		lk[i] = (struct line_key){ canon[fu], fr->line, i };
	}
	lk[p->nframes] = (struct line_key){ canon[p->nfuncs], 0, p->nframes };
	qsort(lk, nl, sizeof *lk, cmp_line_key);
	for (size_t i = 0; i < nl; i++) {
		if (i == 0 || lk[i].func != lk[i - 1].func || lk[i].line != lk[i - 1].line)
			ix->lines[ix->nlines++] = (struct stats_line){ lk[i].func, lk[i].line };
		ix->frame_func[lk[i].id] = lk[i].func;
		ix->frame_line[lk[i].id] = ix->nlines - 1;
	}
	free(fk);
	free(canon);
	free(lk);
	return 0;
}

/* ---- aggregation --------------------------------------------------------- */

struct count_ctx {
	const struct profile *p;
	const struct stats_filter *f;
	struct stats_result *r;
	uint64_t *stack_count;     /* [nstacks + 1]; the last: ids never defined */
	int any;
};

static int count_sample(const struct prof_sample *s, void *vctx)
{
	struct count_ctx *c = vctx;
	if (!stats_match(c->p, c->f, s))
		return 0;
	struct stats_result *r = c->r;
	r->samples++;
	c->stack_count[s->stack < c->p->nstacks ? s->stack : c->p->nstacks]++;
	if (s->flags & PROF_TRUNCATED)
		r->samples_truncated++;
	if (s->thread < r->nthreads && r->thread_samples[s->thread]++ == 0)
		r->threads++;
	if (!c->any || s->t_ns < r->first_ns)
		r->first_ns = s->t_ns;
	if (!c->any || s->t_ns > r->last_ns)
		r->last_ns = s->t_ns;
	c->any = 1;
	return 0;
}

static void fill_row(struct stats_row *row, uint64_t n)
{
	row->own = n ? (double)row->samples_own / (double)n : 0.0;
	row->total = n ? (double)row->samples_total / (double)n : 0.0;
	stats_wilson(row->samples_own, n, STATS_Z95, &row->own_lo, &row->own_hi);
	stats_wilson(row->samples_total, n, STATS_Z95, &row->total_lo, &row->total_hi);
}

static int cmp_rows(const struct stats_row *x, const struct stats_row *y, enum stats_key key)
{
	uint64_t a1 = key == STATS_BY_OWN ? x->samples_own : x->samples_total;
	uint64_t b1 = key == STATS_BY_OWN ? y->samples_own : y->samples_total;
	uint64_t a2 = key == STATS_BY_OWN ? x->samples_total : x->samples_own;
	uint64_t b2 = key == STATS_BY_OWN ? y->samples_total : y->samples_own;
	if (a1 != b1)
		return a1 > b1 ? -1 : 1;
	if (a2 != b2)
		return a2 > b2 ? -1 : 1;
	int c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->file, y->file);
	if (!c && x->line != y->line)
		c = x->line < y->line ? -1 : 1;
	return c;
}

static int cmp_by_own(const void *a, const void *b) { return cmp_rows(a, b, STATS_BY_OWN); }
static int cmp_by_total(const void *a, const void *b) { return cmp_rows(a, b, STATS_BY_TOTAL); }

void stats_sort(struct stats_row *rows, size_t n, enum stats_key key)
{
	if (n > 1)
		qsort(rows, n, sizeof *rows, key == STATS_BY_OWN ? cmp_by_own : cmp_by_total);
}

void stats_free(struct stats_result *r)
{
	free(r->thread_samples);
	free(r->funcs);
	free(r->lines);
	stats_index_free(&r->ix);
	memset(r, 0, sizeof *r);
}

int stats_compute(const struct profile *p, const struct stats_filter *f, struct stats_result *r,
                  struct ph_error *err)
{
	memset(r, 0, sizeof *r);
	r->filter = *f;
	r->mode = p->meta.mode;
	if (stats_index_build(p, &r->ix, err) < 0)
		return -1;
	const struct stats_index *ix = &r->ix;
	r->nthreads = p->nthreads;
	r->thread_samples = calloc((size_t)p->nthreads + 1, sizeof *r->thread_samples);
	struct count_ctx c = { p, f, r, calloc((size_t)p->nstacks + 1, sizeof(uint64_t)), 0 };
	uint64_t *fown = calloc(ix->nfuncs, sizeof *fown), *ftot = calloc(ix->nfuncs, sizeof *ftot);
	uint64_t *lown = calloc(ix->nlines, sizeof *lown), *ltot = calloc(ix->nlines, sizeof *ltot);
	size_t *fstamp = calloc(ix->nfuncs, sizeof *fstamp), *lstamp = calloc(ix->nlines, sizeof *lstamp);
	int rc = -1;
	if (!r->thread_samples || !c.stack_count || !fown || !ftot || !lown || !ltot || !fstamp || !lstamp) {
		ph_fail(err, PH_ESYSTEM, "out of memory counting samples");
		goto out;
	}
	if (prof_foreach_sample(p, count_sample, &c, err) < 0)
		goto out;

	for (size_t s = 0; s <= p->nstacks; s++) {
		uint64_t n = c.stack_count[s];
		if (!n)
			continue;
		uint32_t depth;
		const uint32_t *fr = s < p->nstacks ? stats_stack_frames(p, (uint32_t)s, &depth) : NULL;
		if (!fr) {
			r->samples_empty += n;
			continue;
		}
		for (uint32_t i = 0; i < depth; i++) {
			uint32_t id = stats_frame_id(ix, fr[i]);
			uint32_t fu = ix->frame_func[id], li = ix->frame_line[id];
			if (fstamp[fu] != s + 1) {
				fstamp[fu] = s + 1;
				ftot[fu] += n;
			}
			if (lstamp[li] != s + 1) {
				lstamp[li] = s + 1;
				ltot[li] += n;
			}
			if (i == 0) {
				fown[fu] += n;
				lown[li] += n;
			}
		}
	}

	size_t nf = 0, nl = 0;
	for (uint32_t i = 0; i < ix->nfuncs; i++)
		nf += ftot[i] != 0;
	for (uint32_t i = 0; i < ix->nlines; i++)
		nl += ltot[i] != 0;
	r->funcs = calloc(nf ? nf : 1, sizeof *r->funcs);
	r->lines = calloc(nl ? nl : 1, sizeof *r->lines);
	if (!r->funcs || !r->lines) {
		ph_fail(err, PH_ESYSTEM, "out of memory counting samples");
		goto out;
	}
	for (uint32_t i = 0; i < ix->nfuncs; i++) {
		if (!ftot[i])
			continue;
		struct stats_row *row = &r->funcs[r->nfuncs++];
		*row = (struct stats_row){ .func = i, .line = -1, .name = ix->funcs[i].name,
		                           .file = ix->funcs[i].file, .samples_own = fown[i],
		                           .samples_total = ftot[i] };
		fill_row(row, r->samples);
	}
	for (uint32_t i = 0; i < ix->nlines; i++) {
		if (!ltot[i])
			continue;
		const struct stats_line *l = &ix->lines[i];
		struct stats_row *row = &r->lines[r->nlines++];
		*row = (struct stats_row){ .func = l->func, .line = l->line, .name = ix->funcs[l->func].name,
		                           .file = ix->funcs[l->func].file, .samples_own = lown[i],
		                           .samples_total = ltot[i] };
		fill_row(row, r->samples);
	}
	stats_sort(r->funcs, r->nfuncs, STATS_BY_OWN);
	stats_sort(r->lines, r->nlines, STATS_BY_OWN);

	uint64_t end = p->duration_ns;
	if (r->last_ns > end)
		end = r->last_ns;
	if (f->to_ns && f->to_ns < end)
		end = f->to_ns;
	r->duration_ns = end > f->from_ns ? end - f->from_ns : 0;
	r->ticks = (double)r->duration_ns / 1e9 * (double)p->meta.rate_hz;
	r->cores_busy = r->ticks > 0 ? (double)r->samples / r->ticks : 0.0;
	rc = 0;
out:
	free(c.stack_count);
	free(fown);
	free(ftot);
	free(lown);
	free(ltot);
	free(fstamp);
	free(lstamp);
	if (rc < 0)
		stats_free(r);
	return rc;
}

void stats_put_text(FILE *out, const char *s)
{
	text_put_safe(out, s);
}

/* ---- the top table ------------------------------------------------------- */

void stats_print_top(FILE *out, const struct stats_result *r, int n)
{
	fprintf(out, "%llu sample%s from %u thread%s over %.2f s", (unsigned long long)r->samples,
	        r->samples == 1 ? "" : "s", r->threads, r->threads == 1 ? "" : "s",
	        (double)r->duration_ns / 1e9);
	if (r->ticks > 0)
		fprintf(out, " (%.2f %s)", r->cores_busy,
		        r->mode && !strcmp(r->mode, "cpu") ? "cores busy" : "samples per tick");
	fputc('\n', out);
	if (r->samples_empty)
		fprintf(out, "%llu of them (%.1f%%) without Python frames\n", (unsigned long long)r->samples_empty,
		        100.0 * (double)r->samples_empty / (double)r->samples);
	if (r->samples == 0 || r->nfuncs == 0) {
		fputs("no Python functions in the selected samples\n", out);
		return;
	}
	size_t shown = r->nfuncs < (size_t)(n > 0 ? n : 0) ? r->nfuncs : (size_t)(n > 0 ? n : 0);
	/* by own share, whatever order the caller left r->funcs in */
	struct stats_row *rows = malloc(r->nfuncs * sizeof *rows);
	if (rows) {
		memcpy(rows, r->funcs, r->nfuncs * sizeof *rows);
		stats_sort(rows, r->nfuncs, STATS_BY_OWN);
	}
	fprintf(out, "Top %zu of %zu functions by own share (95%% Wilson intervals):\n", shown, r->nfuncs);
	fputs("    own%  (95% CI)      total%  (95% CI)     function (file:first line)\n", out);
	for (size_t i = 0; i < shown; i++) {
		const struct stats_row *row = rows ? &rows[i] : &r->funcs[i];
		fprintf(out, "  %6.1f  %5.1f-%5.1f  %7.1f  %5.1f-%5.1f  ", 100 * row->own, 100 * row->own_lo,
		        100 * row->own_hi, 100 * row->total, 100 * row->total_lo, 100 * row->total_hi);
		stats_put_text(out, row->name);
		fputs(" (", out);
		stats_put_text(out, row->file);
		fprintf(out, ":%d)\n", r->ix.funcs[row->func].firstlineno);
	}
	free(rows);
}
