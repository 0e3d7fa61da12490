/* render-html.c — the interactive HTML report: one self-contained file (the
 * JS and CSS of src/html-assets/ inline, no network) with the time x function
 * heatmap, drill-down, source heat, flame graph and function table.
 *
 * What the page gets is aggregated, never raw samples, so a long recording
 * stays a few MB:
 *
 *   - the selected samples' stacks as one calling-context tree: node 0 is the
 *     root, every other node a (parent, line) pair, lines being the
 *     (function, line) pairs of stats.h (functions merged by name and file),
 *     plus two pseudo functions: "[truncated]" (outermost frame of a
 *     truncated stack) and "[no Python frames]" (an empty stack);
 *   - leaves: the (thread, node) pairs samples end at;
 *   - cells: per time bucket, the count of samples of each leaf. Buckets are
 *     a whole number of sampling intervals wide (1, 2, 5 x 10^k of them), at
 *     most HTML_MAX_BUCKETS over the selected window, with edges half an
 *     interval before the nominal sample times so jitter never moves a
 *     sample across an edge;
 *   - the source text of the files the stacks use (within a byte budget).
 *
 * The page computes shares exactly as stats.h does (own = innermost frame,
 * total = once per sample, of all selected samples, Wilson 95% intervals),
 * so its numbers equal `pyheat info`'s and, for a range of whole buckets,
 * those of `pyheat report --from/--to`.
 *
 * Measured with bench/html-open.sh (1M samples, 6 threads, 2000 stacks, 40
 * source files): 2.4 MB, written in about 1.5 s, ready in headless Chromium
 * in 0.4-0.7 s on a busy 2-core machine.
 *
 * Untrusted text (every name, path and source) reaches the page only inside
 * the JSON data island, written by html_put_json: '<', '>', '&', U+2028 and
 * U+2029 and control characters as \uXXXX, invalid UTF-8 as U+FFFD, so it
 * can neither end the <script> element nor be read as markup; the page puts
 * it in the DOM with textContent only. A Content-Security-Policy allows only
 * the page's own script (by its SHA-256) and no network access. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "export.h"
#include "stats.h"

int export_html(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err);

/* src/html-assets/, embedded by contrib/embed-assets (Makefile) */
extern const unsigned char pyheat_asset_report_js[];
extern const size_t pyheat_asset_report_js_len;
extern const char pyheat_asset_report_js_sha256[];
extern const unsigned char pyheat_asset_report_css[];
extern const size_t pyheat_asset_report_css_len;

#define HTML_MAX_BUCKETS 2000
#define HTML_SOURCE_BUDGET (6u << 20)   /* bytes of source text embedded, at most */
#define NONE UINT32_MAX
#define LINE_TRUNC 0u                    /* pseudo lines, before the index's lines */
#define LINE_EMPTY 1u
#define NPSEUDO 2u

/* ---- small containers ------------------------------------------------------ */

/* Open addressing map from a 64-bit key to a 32-bit value (NONE = empty). */
struct u64map { uint64_t *keys; uint32_t *vals; size_t cap, n; };

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static int map_grow(struct u64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 1024;
	uint64_t *keys = calloc(cap, sizeof *keys);
	uint32_t *vals = malloc(cap * sizeof *vals);
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return -1;
	}
	memset(vals, 0xff, cap * sizeof *vals);
	for (size_t i = 0; i < m->cap; i++) {
		if (m->vals[i] == NONE)
			continue;
		size_t j = (size_t)mix64(m->keys[i]) & (cap - 1);
		while (vals[j] != NONE)
			j = (j + 1) & (cap - 1);
		keys[j] = m->keys[i];
		vals[j] = m->vals[i];
	}
	free(m->keys);
	free(m->vals);
	m->keys = keys;
	m->vals = vals;
	m->cap = cap;
	return 0;
}

/* The value of key, or *added = 1 and val stored for it. NONE when out of memory. */
static uint32_t map_get_or_add(struct u64map *m, uint64_t key, uint32_t val, int *added)
{
	*added = 0;
	if ((m->n + 1) * 2 > m->cap && map_grow(m) < 0)
		return NONE;
	size_t j = (size_t)mix64(key) & (m->cap - 1);
	while (m->vals[j] != NONE) {
		if (m->keys[j] == key)
			return m->vals[j];
		j = (j + 1) & (m->cap - 1);
	}
	m->keys[j] = key;
	m->vals[j] = val;
	m->n++;
	*added = 1;
	return val;
}

static void map_free(struct u64map *m)
{
	free(m->keys);
	free(m->vals);
	memset(m, 0, sizeof *m);
}

struct bytes { unsigned char *b; size_t n, cap; int oom; };

static void put_byte(struct bytes *o, unsigned char c)
{
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 4096;
		unsigned char *nb = o->oom ? NULL : realloc(o->b, cap);
		if (!nb) {
			o->oom = 1;
			return;
		}
		o->b = nb;
		o->cap = cap;
	}
	o->b[o->n++] = c;
}

static void put_varint(struct bytes *o, uint64_t v)
{
	while (v >= 0x80) {
		put_byte(o, (unsigned char)(v | 0x80));
		v >>= 7;
	}
	put_byte(o, (unsigned char)v);
}

static void put_base64(FILE *out, const struct bytes *o)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char buf[4096];
	size_t k = 0;
	fputc('"', out);
	for (size_t i = 0; i < o->n; i += 3) {
		uint32_t v = (uint32_t)o->b[i] << 16;
		if (i + 1 < o->n)
			v |= (uint32_t)o->b[i + 1] << 8;
		if (i + 2 < o->n)
			v |= o->b[i + 2];
		buf[k++] = tab[v >> 18 & 63];
		buf[k++] = tab[v >> 12 & 63];
		buf[k++] = i + 1 < o->n ? tab[v >> 6 & 63] : '=';
		buf[k++] = i + 2 < o->n ? tab[v & 63] : '=';
		if (k + 4 > sizeof buf) {
			fwrite(buf, 1, k, out);
			k = 0;
		}
	}
	fwrite(buf, 1, k, out);
	fputc('"', out);
}

/* ---- escaping ------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at s[0..left), 0 when invalid; its code
 * point in *cp. */
static int utf8_at(const unsigned char *s, size_t left, uint32_t *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	int n;
	uint32_t min;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, min = 0x10000;
	else
		return 0;
	if ((size_t)n > left)
		return 0;
	uint32_t v = c & (0x7fu >> n);
	for (int i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		v = v << 6 | (s[i] & 0x3fu);
	}
	if (v < min || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
		return 0;
	*cp = v;
	return n;
}

/* s[0..len) as a JSON string that is safe inside a <script> element: '<',
 * '>', '&', controls, U+2028/U+2029 as \uXXXX; invalid UTF-8 as U+FFFD. */
static void html_put_json_n(FILE *out, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	char buf[4096];
	size_t k = 0;
	fputc('"', out);
	for (size_t i = 0; i < len;) {
		if (k + 16 > sizeof buf) {
			fwrite(buf, 1, k, out);
			k = 0;
		}
		unsigned c = s[i];
		if (c < 0x80) {
			i++;
			if (c == '"' || c == '\\') {
				buf[k++] = '\\';
				buf[k++] = (char)c;
			} else if (c == '\n') {
				buf[k++] = '\\';
				buf[k++] = 'n';
			} else if (c == '\t') {
				buf[k++] = '\\';
				buf[k++] = 't';
			} else if (c < 0x20 || c == 0x7f || c == '<' || c == '>' || c == '&') {
				k += (size_t)snprintf(buf + k, 8, "\\u%04x", c);
			} else {
				buf[k++] = (char)c;
			}
			continue;
		}
		uint32_t cp;
		int n = utf8_at(s + i, len - i, &cp);
		if (n == 0) {
			memcpy(buf + k, "\\ufffd", 6);
			k += 6;
			i++;
		} else if (cp == 0x2028 || cp == 0x2029) {
			k += (size_t)snprintf(buf + k, 8, "\\u%04x", (unsigned)cp);
			i += (size_t)n;
		} else {
			memcpy(buf + k, s + i, (size_t)n);
			k += (size_t)n;
			i += (size_t)n;
		}
	}
	fwrite(buf, 1, k, out);
	fputc('"', out);
}

static void html_put_json(FILE *out, const char *s)
{
	html_put_json_n(out, s ? s : "", s ? strlen(s) : 0);
}

/* s as HTML text (and attribute value): markup characters as entities,
 * controls shown as \xNN like the terminal output, invalid UTF-8 as U+FFFD. */
static void html_put_text(FILE *out, const char *str)
{
	const unsigned char *s = (const unsigned char *)(str ? str : "");
	size_t len = strlen((const char *)s);
	for (size_t i = 0; i < len;) {
		unsigned c = s[i];
		uint32_t cp;
		int n = utf8_at(s + i, len - i, &cp);
		if (n == 0) {
			fputs("\xef\xbf\xbd", out);
			i++;
			continue;
		}
		i += (size_t)n;
		if (cp < 0x20 || cp == 0x7f)
			fprintf(out, "\\x%02x", (unsigned)cp);
		else if (cp >= 0x80 && cp <= 0x9f)
			fprintf(out, "\\u%04x", (unsigned)cp);
		else if (c == '&')
			fputs("&amp;", out);
		else if (c == '<')
			fputs("&lt;", out);
		else if (c == '>')
			fputs("&gt;", out);
		else if (c == '"')
			fputs("&quot;", out);
		else if (c == '\'')
			fputs("&#39;", out);
		else
			fwrite(s + i - n, 1, (size_t)n, out);
	}
}

/* ---- gathering ----------------------------------------------------------- */

struct html_ctx {
	const struct profile *p;
	const struct stats_filter *f;
	const struct stats_index *ix;
	/* the calling-context tree */
	uint32_t *parent, *line;       /* [nnodes] */
	uint32_t nnodes, capnodes;
	struct u64map children;        /* parent << 32 | line -> node */
	uint32_t *variant_node;        /* [2 * (nstacks + 1)]: stack * 2 + truncated -> node */
	/* leaves: (thread, node) */
	struct u64map leaves;
	uint32_t *leaf_thread, *leaf_node;
	uint32_t nleaves, capleaves;
	/* pass 1 */
	uint64_t selected, max_t;
	/* pass 2: cells */
	uint64_t t0, w, h, b0;
	uint32_t nbuckets;
	struct u64map cells;           /* bucket << 32 | leaf -> index into cell_count */
	uint64_t *cell_count;
	size_t ncells, capcells;
	int oom;
};

static uint32_t tree_child(struct html_ctx *c, uint32_t parent, uint32_t line)
{
	int added;
	uint32_t node = map_get_or_add(&c->children, (uint64_t)parent << 32 | line, c->nnodes, &added);
	if (node == NONE || !added)
		return node;
	if (c->nnodes == c->capnodes) {
		uint32_t cap = c->capnodes ? c->capnodes * 2 : 1024;
		uint32_t *np = realloc(c->parent, (size_t)cap * sizeof *np);
		if (np)
			c->parent = np;
		uint32_t *nl = np ? realloc(c->line, (size_t)cap * sizeof *nl) : NULL;
		if (!nl)
			return NONE;
		c->line = nl;
		c->capnodes = cap;
	}
	c->parent[c->nnodes] = parent;
	c->line[c->nnodes] = line;
	return c->nnodes++;
}

/* The tree node a stack variant ends at. */
static uint32_t variant_node(struct html_ctx *c, uint32_t stack, int trunc)
{
	size_t v = (size_t)stack * 2 + (size_t)trunc;
	if (c->variant_node[v] != NONE)
		return c->variant_node[v];
	uint32_t node = 0;
	if (trunc)
		node = tree_child(c, node, LINE_TRUNC);
	uint32_t n = 0;
	const uint32_t *fr = stack < c->p->nstacks ? stats_stack_frames(c->p, stack, &n) : NULL;
	if (!fr && node != NONE)
		node = tree_child(c, node, LINE_EMPTY);
	for (uint32_t i = n; fr && i-- > 0 && node != NONE;)
		node = tree_child(c, node, NPSEUDO + c->ix->frame_line[stats_frame_id(c->ix, fr[i])]);
	return c->variant_node[v] = node;
}

static uint32_t leaf_of(struct html_ctx *c, const struct prof_sample *s)
{
	uint32_t stack = s->stack < c->p->nstacks ? s->stack : c->p->nstacks;
	uint32_t node = variant_node(c, stack, (s->flags & PROF_TRUNCATED) != 0);
	if (node == NONE)
		return NONE;
	uint32_t thread = s->thread < c->p->nthreads ? s->thread : c->p->nthreads;
	int added;
	uint32_t leaf = map_get_or_add(&c->leaves, (uint64_t)thread << 32 | node, c->nleaves, &added);
	if (leaf == NONE || !added)
		return leaf;
	if (c->nleaves == c->capleaves) {
		uint32_t cap = c->capleaves ? c->capleaves * 2 : 256;
		uint32_t *nt = realloc(c->leaf_thread, (size_t)cap * sizeof *nt);
		if (nt)
			c->leaf_thread = nt;
		uint32_t *nn = nt ? realloc(c->leaf_node, (size_t)cap * sizeof *nn) : NULL;
		if (!nn)
			return NONE;
		c->leaf_node = nn;
		c->capleaves = cap;
	}
	c->leaf_thread[c->nleaves] = thread;
	c->leaf_node[c->nleaves] = node;
	return c->nleaves++;
}

static int pass_tree(const struct prof_sample *s, void *vctx)
{
	struct html_ctx *c = vctx;
	if (!stats_match(c->p, c->f, s))
		return 0;
	if (leaf_of(c, s) == NONE) {
		c->oom = 1;
		return 1;
	}
	if (!c->selected || s->t_ns > c->max_t)
		c->max_t = s->t_ns;
	c->selected++;
	return 0;
}

static int pass_cells(const struct prof_sample *s, void *vctx)
{
	struct html_ctx *c = vctx;
	if (!stats_match(c->p, c->f, s))
		return 0;
	uint32_t leaf = leaf_of(c, s);   /* found: pass 1 made it */
	uint64_t t = s->t_ns < c->t0 ? c->t0 : s->t_ns;
	uint64_t b = (t + c->h) / c->w - c->b0;
	if (b >= c->nbuckets)
		b = c->nbuckets - 1;
	int added;
	uint32_t i = leaf == NONE ? NONE
	           : map_get_or_add(&c->cells, b << 32 | leaf, (uint32_t)c->ncells, &added);
	if (i == NONE) {
		c->oom = 1;
		return 1;
	}
	if (added) {
		if (c->ncells == c->capcells) {
			size_t cap = c->capcells ? c->capcells * 2 : 4096;
			uint64_t *nc = realloc(c->cell_count, cap * sizeof *nc);
			if (!nc) {
				c->oom = 1;
				return 1;
			}
			c->cell_count = nc;
			c->capcells = cap;
		}
		c->cell_count[c->ncells++] = 0;
	}
	c->cell_count[i]++;
	return 0;
}

struct cell { uint64_t key, count; };

static int cmp_cell(const void *a, const void *b)
{
	uint64_t x = ((const struct cell *)a)->key, y = ((const struct cell *)b)->key;
	return (x > y) - (x < y);
}

/* 1, 2, 5 x 10^k: the smallest at least n */
static uint64_t nice_at_least(uint64_t n)
{
	uint64_t m = 1;
	while (1) {
		if (m >= n)
			return m;
		if (2 * m >= n)
			return 2 * m;
		if (5 * m >= n)
			return 5 * m;
		if (m > UINT64_MAX / 100)
			return n;
		m *= 10;
	}
}

/* ---- writing ------------------------------------------------------------- */

/* Output ids of strings, by pointer into the profile. */
struct strtab { struct u64map ids; const char **s; uint32_t n, cap; int oom; };

static uint32_t str_id(struct strtab *t, const char *s)
{
	int added;
	uint32_t id = map_get_or_add(&t->ids, (uint64_t)(uintptr_t)s, t->n, &added);
	if (id == NONE) {
		t->oom = 1;
		return 0;
	}
	if (added) {
		if (t->n == t->cap) {
			uint32_t cap = t->cap ? t->cap * 2 : 256;
			const char **ns = realloc(t->s, (size_t)cap * sizeof *ns);
			if (!ns) {
				t->oom = 1;
				return 0;
			}
			t->s = ns;
			t->cap = cap;
		}
		t->s[t->n++] = s;
	}
	return id;
}

static void put_meta(FILE *out, const char *key, const char *value)
{
	fprintf(out, ",\"%s\":", key);
	html_put_json(out, value ? value : "");
}

static void iso_time(int64_t unix_ns, char *buf, size_t len)
{
	buf[0] = '\0';
	if (unix_ns <= 0)
		return;
	time_t secs = (time_t)(unix_ns / 1000000000);
	struct tm tm;
	if (!gmtime_r(&secs, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		buf[0] = '\0';
}

struct srcpick { uint32_t src; uint64_t samples; };

static int cmp_srcpick(const void *a, const void *b)
{
	const struct srcpick *x = a, *y = b;
	if (x->samples != y->samples)
		return x->samples > y->samples ? -1 : 1;
	return (x->src > y->src) - (x->src < y->src);
}

static int write_doc(struct html_ctx *c, FILE *out, struct ph_error *err)
{
	const struct profile *p = c->p;
	const struct stats_index *ix = c->ix;
	struct strtab st = { 0 };
	uint32_t *fmap = malloc(((size_t)ix->nfuncs + 1) * sizeof *fmap);     /* index func -> out */
	uint32_t *lmap = malloc(((size_t)ix->nlines + NPSEUDO) * sizeof *lmap); /* line -> out */
	uint32_t *lout = malloc(((size_t)ix->nlines + NPSEUDO) * sizeof *lout); /* out -> line */
	uint32_t *fout = malloc(((size_t)ix->nfuncs + 1) * sizeof *fout);     /* out -> index func */
	uint64_t *fsamples = calloc((size_t)ix->nfuncs + 1, sizeof *fsamples);
	uint64_t *nodecount = calloc(c->nnodes ? c->nnodes : 1, sizeof *nodecount);
	struct cell *cells = malloc((c->ncells ? c->ncells : 1) * sizeof *cells);
	struct srcpick *picks = calloc(p->nsources ? p->nsources : 1, sizeof *picks);
	struct bytes nodes = { 0 }, leaves = { 0 }, cellbytes = { 0 };
	int rc = -1;
	if (!fmap || !lmap || !lout || !fout || !fsamples || !nodecount || !cells || !picks) {
		ph_fail(err, PH_ESYSTEM, "out of memory writing the HTML report");
		goto out;
	}
	/* lines and functions the tree uses, numbered in order of first use;
	 * output functions 0 and 1 are the pseudo ones */
	uint32_t nlout = NPSEUDO, nfout = NPSEUDO;
	for (size_t i = 0; i < (size_t)ix->nlines + NPSEUDO; i++)
		lmap[i] = NONE;
	for (size_t i = 0; i <= ix->nfuncs; i++)
		fmap[i] = NONE;
	lmap[LINE_TRUNC] = 0, lmap[LINE_EMPTY] = 1;
	lout[0] = LINE_TRUNC, lout[1] = LINE_EMPTY;
	for (uint32_t n = 1; n < c->nnodes; n++) {
		uint32_t l = c->line[n];
		if (lmap[l] != NONE)
			continue;
		lmap[l] = nlout;
		lout[nlout++] = l;
		uint32_t fu = ix->lines[l - NPSEUDO].func;
		if (fmap[fu] == NONE) {
			fmap[fu] = nfout;
			fout[nfout++] = fu;
		}
	}
	/* the cells sorted by bucket and leaf; samples per node, then per
	 * function (to choose which sources to embed) */
	size_t k = 0;
	for (size_t i = 0; i < c->cells.cap; i++) {
		if (c->cells.vals[i] == NONE)
			continue;
		cells[k].key = c->cells.keys[i];
		cells[k].count = c->cell_count[c->cells.vals[i]];
		nodecount[c->leaf_node[(uint32_t)cells[k].key]] += cells[k].count;
		k++;
	}
	qsort(cells, k, sizeof *cells, cmp_cell);
	for (uint32_t n = c->nnodes; n-- > 1;) {
		if (c->line[n] >= NPSEUDO)
			fsamples[ix->lines[c->line[n] - NPSEUDO].func] += nodecount[n];
		nodecount[c->parent[n]] += nodecount[n];
	}

	fputs("{\"v\":1,\"meta\":{", out);
	fprintf(out, "\"pid\":%d,\"rate_hz\":%u,\"complete\":%s", (int)p->meta.pid, (unsigned)p->meta.rate_hz,
	        p->complete ? "true" : "false");
	put_meta(out, "file", p->path);
	put_meta(out, "cmdline", p->meta.cmdline);
	put_meta(out, "exe", p->meta.exe);
	put_meta(out, "python", p->meta.python_version);
	put_meta(out, "mode", p->meta.mode);
	put_meta(out, "host", p->meta.host);
	put_meta(out, "version", p->meta.pyheat_version);
	char when[64];
	iso_time(p->meta.start_unix_ns, when, sizeof when);
	put_meta(out, "start", when);
	fprintf(out, ",\"duration_ns\":%llu,\"samples_all\":%llu,\"errors\":%llu,\"drops\":%llu}",
	        (unsigned long long)p->duration_ns, (unsigned long long)p->nsamples,
	        (unsigned long long)p->errors, (unsigned long long)p->drops);
	fprintf(out, ",\n\"filter\":{\"from_ns\":%llu,\"to_ns\":%llu,\"pid\":%d,\"tid\":%d}",
	        (unsigned long long)c->f->from_ns, (unsigned long long)c->f->to_ns, (int)c->f->pid,
	        (int)c->f->tid);
	uint64_t end = c->t0 + 1;
	if (c->selected && c->max_t + 1 > end)
		end = c->max_t + 1;
	if (p->duration_ns > end)
		end = p->duration_ns;
	if (c->f->to_ns && c->f->to_ns < end)
		end = c->f->to_ns;
	fprintf(out, ",\n\"time\":{\"t0\":%llu,\"end\":%llu,\"w\":%llu,\"h\":%llu,\"b0\":%llu,\"n\":%u}",
	        (unsigned long long)c->t0, (unsigned long long)end, (unsigned long long)c->w,
	        (unsigned long long)c->h, (unsigned long long)c->b0, c->nbuckets);
	fprintf(out, ",\n\"samples\":%llu,\"npseudo\":%u", (unsigned long long)c->selected, NPSEUDO);

	/* functions: name, file, first line (string ids) */
	fputs(",\n\"funcs\":[", out);
	fprintf(out, "%u,%u,0,%u,%u,0", str_id(&st, EXPORT_TRUNCATED_FRAME), str_id(&st, ""),
	        str_id(&st, EXPORT_EMPTY_FRAME), str_id(&st, ""));
	for (uint32_t i = NPSEUDO; i < nfout; i++) {
		const struct stats_func *fn = &ix->funcs[fout[i]];
		uint32_t a = str_id(&st, fn->name), b = str_id(&st, fn->file);
		fprintf(out, ",%u,%u,%d", a, b, fn->firstlineno);
	}
	fputs("],\n\"lines\":[0,0,1,0", out);
	for (uint32_t i = NPSEUDO; i < nlout; i++) {
		const struct stats_line *l = &ix->lines[lout[i] - NPSEUDO];
		fprintf(out, ",%u,%d", fmap[l->func], (int)l->line);
	}
	fputs("],\n\"threads\":[", out);
	for (uint32_t t = 0; t <= p->nthreads; t++) {
		const struct prof_thread *th = stats_thread(p, t);
		fprintf(out, "%s%d,%d,%u", t ? "," : "", th ? (int)th->pid : 0, th ? (int)th->tid : 0,
		        str_id(&st, th ? prof_str(p, th->name) : "?"));
	}
	fputs("],\n", out);

	/* the tree: per node after the root, (node - parent, line) */
	for (uint32_t n = 1; n < c->nnodes; n++) {
		put_varint(&nodes, n - c->parent[n]);
		put_varint(&nodes, lmap[c->line[n]]);
	}
	for (uint32_t i = 0; i < c->nleaves; i++) {
		put_varint(&leaves, c->leaf_thread[i]);
		put_varint(&leaves, c->leaf_node[i]);
	}
	/* per bucket: the number of cells, then (leaf delta, count) each */
	for (size_t i = 0, b = 0; b < c->nbuckets; b++) {
		size_t j = i;
		while (j < k && cells[j].key >> 32 == b)
			j++;
		put_varint(&cellbytes, j - i);
		uint32_t last = 0;
		for (; i < j; i++) {
			uint32_t leaf = (uint32_t)cells[i].key;
			put_varint(&cellbytes, leaf - last);
			put_varint(&cellbytes, cells[i].count);
			last = leaf;
		}
	}
	if (nodes.oom || leaves.oom || cellbytes.oom) {
		ph_fail(err, PH_ESYSTEM, "out of memory writing the HTML report");
		goto out;
	}
	fprintf(out, "\"nnodes\":%u,\"nodes\":", c->nnodes);
	put_base64(out, &nodes);
	fprintf(out, ",\n\"nleaves\":%u,\"leaves\":", c->nleaves);
	put_base64(out, &leaves);
	fprintf(out, ",\n\"ncells\":%zu,\"cells\":", k);
	put_base64(out, &cellbytes);

	/* the sources of the files used, busiest first, within the budget */
	size_t npick = 0;
	for (uint32_t i = 0; i < p->nsources; i++) {
		const char *file = prof_str(p, p->sources[i].file);
		uint64_t n = 0;
		int used = 0;
		for (uint32_t j = NPSEUDO; j < nfout; j++) {
			const struct stats_func *fn = &ix->funcs[fout[j]];
			if (fn->file == file || !strcmp(fn->file, file)) {
				n += fsamples[fout[j]];
				used = 1;
			}
		}
		if (used)
			picks[npick++] = (struct srcpick){ i, n };
	}
	qsort(picks, npick, sizeof *picks, cmp_srcpick);
	fputs(",\n\"sources\":[", out);
	size_t budget = HTML_SOURCE_BUDGET, nsrc = 0, skipped = 0;
	for (size_t i = 0; i < npick; i++) {
		const struct prof_source *src = &p->sources[picks[i].src];
		if (src->len > budget) {
			skipped++;
			continue;
		}
		budget -= src->len;
		fprintf(out, "%s\n%u,", nsrc++ ? "," : "", str_id(&st, prof_str(p, src->file)));
		html_put_json_n(out, src->text ? src->text : "", src->text ? src->len : 0);
	}
	fprintf(out, "],\"sources_skipped\":%zu", skipped);

	fputs(",\n\"strings\":[", out);
	for (uint32_t i = 0; i < st.n; i++) {
		if (i)
			fputc(',', out);
		html_put_json(out, st.s[i]);
	}
	fputs("]}", out);
	if (st.oom) {
		ph_fail(err, PH_ESYSTEM, "out of memory writing the HTML report");
		goto out;
	}
	rc = 0;
out:
	map_free(&st.ids);
	free(st.s);
	free(fmap);
	free(lmap);
	free(lout);
	free(fout);
	free(fsamples);
	free(nodecount);
	free(cells);
	free(picks);
	free(nodes.b);
	free(leaves.b);
	free(cellbytes.b);
	return rc;
}

int export_html(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err)
{
	struct stats_index ix;
	if (stats_index_build(p, &ix, err) < 0)
		return -1;
	struct html_ctx c = { .p = p, .f = &f, .ix = &ix };
	size_t nvariants = 2 * ((size_t)p->nstacks + 1);
	int rc = -1;
	c.variant_node = malloc(nvariants * sizeof *c.variant_node);
	if (!c.variant_node || tree_child(&c, NONE, NONE) != 0) {   /* node 0: the root */
		ph_fail(err, PH_ESYSTEM, "out of memory writing the HTML report");
		goto out;
	}
	memset(c.variant_node, 0xff, nvariants * sizeof *c.variant_node);
	if (prof_foreach_sample(p, pass_tree, &c, err) < 0)
		goto out;
	if (c.oom) {
		ph_fail(err, PH_ESYSTEM, "out of memory writing the HTML report");
		goto out;
	}

	/* buckets: a nice number of sampling intervals wide, over [t0, end) */
	uint64_t tick = p->meta.rate_hz ? 1000000000u / p->meta.rate_hz : 1000000u;
	if (!tick)
		tick = 1;
	c.t0 = f.from_ns;
	uint64_t end = c.t0 + 1;
	if (c.selected && c.max_t + 1 > end)
		end = c.max_t + 1;
	if (p->duration_ns > end)
		end = p->duration_ns;
	if (f.to_ns && f.to_ns < end)
		end = f.to_ns;
	uint64_t span = end > c.t0 ? end - c.t0 : 1;
	uint64_t per = span / tick / HTML_MAX_BUCKETS + 1;
	c.w = tick * nice_at_least(per);
	c.h = tick / 2;
	c.b0 = (c.t0 + c.h) / c.w;
	c.nbuckets = (uint32_t)((end - 1 + c.h) / c.w - c.b0 + 1);
	if (prof_foreach_sample(p, pass_cells, &c, err) < 0)
		goto out;
	if (c.oom) {
		ph_fail(err, PH_ESYSTEM, "out of memory writing the HTML report");
		goto out;
	}

	fputs("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-",
	      out);
	fputs(pyheat_asset_report_js_sha256, out);
	fputs("'; style-src 'unsafe-inline'; img-src data: blob:\">\n<title>pyheat: ", out);
	html_put_text(out, p->meta.cmdline && p->meta.cmdline[0] ? p->meta.cmdline : p->path);
	fputs("</title>\n<style>\n", out);
	fwrite(pyheat_asset_report_css, 1, pyheat_asset_report_css_len, out);
	fputs("</style>\n</head>\n<body>\n<noscript>This report needs JavaScript.</noscript>\n"
	      "<script type=\"application/json\" id=\"pyheat-data\">", out);
	if (write_doc(&c, out, err) < 0)
		goto out;
	fputs("</script>\n<script>", out);
	fwrite(pyheat_asset_report_js, 1, pyheat_asset_report_js_len, out);
	fputs("</script>\n</body>\n</html>\n", out);
	rc = export_finish(out, err);
out:
	map_free(&c.children);
	map_free(&c.leaves);
	map_free(&c.cells);
	free(c.parent);
	free(c.line);
	free(c.variant_node);
	free(c.leaf_thread);
	free(c.leaf_node);
	free(c.cell_count);
	stats_index_free(&ix);
	return rc;
}
