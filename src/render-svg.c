/* render-svg.c — a self-contained SVG flame graph of the selected samples,
 * with search and click-to-zoom (the inline script src/html-assets/flame.js),
 * in the manner of Brendan Gregg's flamegraph.pl.
 *
 * Frames are functions (stats.h: merged by name and file), merged along the
 * stack from the root "all" at the bottom; siblings in name order; a frame
 * narrower than SVG_MIN_WIDTH pixels is left out (its samples still count in
 * its parent). A truncated stack gets the outermost frame "[truncated]", a
 * sample without Python frames the frame "[no Python frames]", as in the
 * collapsed output. Each frame's <title> has its samples, share of the
 * selected samples and Wilson 95% interval (stats.h).
 *
 * Names are untrusted: in text and attributes they are written as XML text
 * (markup characters as entities), with controls shown as \xNN (as in the
 * terminal output; XML cannot hold most of them anyway) and invalid UTF-8 as
 * U+FFFD. The script reads them with textContent / getAttribute only. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "stats.h"

int export_svg(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err);

extern const unsigned char pyheat_asset_flame_js[];
extern const size_t pyheat_asset_flame_js_len;

#define SVG_WIDTH      1200
#define SVG_PAD        10
#define SVG_FRAME_H    16
#define SVG_FONT       12
#define SVG_CHAR_W     (SVG_FONT * 0.59)
#define SVG_TOP        56
#define SVG_BOTTOM     34
#define SVG_MIN_WIDTH  0.1
#define SVG_MAX_DEPTH  2000
#define NONE UINT32_MAX

/* ---- text ---------------------------------------------------------------- */

/* s as shown: controls as \xNN / \u00NN, invalid UTF-8 as U+FFFD; malloc'd. */
static char *visible(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	const unsigned char *q = (const unsigned char *)(s ? s : "");
	while (*q) {
		int n = stats_utf8_len(q);
		if (n == 0) {
			fputs("\xef\xbf\xbd", m);
			q++;
		} else if (*q < 0x20 || *q == 0x7f) {
			fprintf(m, "\\x%02x", *q++);
		} else if (n == 2 && q[0] == 0xc2 && q[1] <= 0x9f) {
			fprintf(m, "\\u%04x", q[1]);
			q += 2;
		} else {
			fwrite(q, 1, (size_t)n, m);
			q += n;
		}
	}
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

/* visible text (valid UTF-8, no controls) as XML text or attribute value */
static void xml_put(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* The first max characters of visible text s, with ".." when cut. */
static void xml_put_fit(FILE *out, const char *s, double width)
{
	long max = (long)((width - 6) / SVG_CHAR_W);
	if (max < 3)
		return;
	long chars = 0;
	for (const unsigned char *q = (const unsigned char *)s; *q; q++)
		chars += (*q & 0xc0) != 0x80;
	if (chars <= max) {
		xml_put(out, s);
		return;
	}
	size_t len = strlen(s), cut = 0;
	for (long c = 0; cut < len; cut++) {
		if ((((const unsigned char *)s)[cut] & 0xc0) != 0x80 && c++ == max - 2)
			break;
	}
	char *head = strndup(s, cut);
	if (head) {
		xml_put(out, head);
		fputs("..", out);
		free(head);
	}
}

/* ---- the function tree ----------------------------------------------------- */

struct fnode { uint32_t parent, func, depth; uint64_t self, total; double x; };

struct svg_ctx {
	const struct profile *p;
	const struct stats_filter *f;
	uint64_t *count;                /* [2 * (nstacks + 1)]: stack * 2 + truncated */
	uint64_t selected;
};

static int svg_sample(const struct prof_sample *s, void *vctx)
{
	struct svg_ctx *c = vctx;
	if (!stats_match(c->p, c->f, s))
		return 0;
	size_t stack = s->stack < c->p->nstacks ? s->stack : c->p->nstacks;
	c->count[stack * 2 + ((s->flags & PROF_TRUNCATED) != 0)]++;
	c->selected++;
	return 0;
}

struct tree {
	struct fnode *n;
	uint32_t nn, cap;
	/* children: open addressing on (parent, func) */
	uint64_t *keys;
	uint32_t *vals;
	size_t hcap;
};

static uint64_t hash64(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	return x;
}

static uint32_t child(struct tree *t, uint32_t parent, uint32_t func)
{
	if ((t->nn + 1) * 2 > t->hcap) {
		size_t cap = t->hcap ? t->hcap * 2 : 1024;
		uint64_t *keys = calloc(cap, sizeof *keys);
		uint32_t *vals = malloc(cap * sizeof *vals);
		if (!keys || !vals) {
			free(keys);
			free(vals);
			return NONE;
		}
		memset(vals, 0xff, cap * sizeof *vals);
		for (size_t i = 0; i < t->hcap; i++) {
			if (t->vals[i] == NONE)
				continue;
			size_t j = (size_t)hash64(t->keys[i]) & (cap - 1);
			while (vals[j] != NONE)
				j = (j + 1) & (cap - 1);
			keys[j] = t->keys[i];
			vals[j] = t->vals[i];
		}
		free(t->keys);
		free(t->vals);
		t->keys = keys;
		t->vals = vals;
		t->hcap = cap;
	}
	uint64_t key = (uint64_t)parent << 32 | func;
	size_t j = (size_t)hash64(key) & (t->hcap - 1);
	while (t->vals[j] != NONE) {
		if (t->keys[j] == key)
			return t->vals[j];
		j = (j + 1) & (t->hcap - 1);
	}
	if (t->nn == t->cap) {
		uint32_t cap = t->cap ? t->cap * 2 : 1024;
		struct fnode *nn = realloc(t->n, (size_t)cap * sizeof *nn);
		if (!nn)
			return NONE;
		t->n = nn;
		t->cap = cap;
	}
	t->keys[j] = key;
	t->vals[j] = t->nn;
	t->n[t->nn] = (struct fnode){ parent, func, parent == NONE ? 0 : t->n[parent].depth + 1, 0, 0, 0 };
	return t->nn++;
}

static const char *fname(const struct stats_index *ix, uint32_t func)
{
	if (func == ix->nfuncs)
		return EXPORT_TRUNCATED_FRAME;
	if (func == ix->nfuncs + 1)
		return EXPORT_EMPTY_FRAME;
	return ix->funcs[func].name;
}

static const char *ffile(const struct stats_index *ix, uint32_t func)
{
	return func < ix->nfuncs ? ix->funcs[func].file : "";
}

int export_svg(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err)
{
	struct stats_index ix;
	if (stats_index_build(p, &ix, err) < 0)
		return -1;
	size_t slots = 2 * ((size_t)p->nstacks + 1);
	struct svg_ctx c = { p, &f, calloc(slots, sizeof(uint64_t)), 0 };
	struct tree t = { 0 };
	uint32_t *order = NULL, *first = NULL;
	int rc = -1;
	if (!c.count || child(&t, NONE, NONE) != 0)
		goto oom;
	if (prof_foreach_sample(p, svg_sample, &c, err) < 0)
		goto out;
	const uint32_t trunc_fn = ix.nfuncs, empty_fn = ix.nfuncs + 1;
	for (size_t v = 0; v < slots; v++) {
		if (!c.count[v])
			continue;
		uint32_t node = 0, n = 0;
		const uint32_t *fr = v / 2 < p->nstacks ? stats_stack_frames(p, (uint32_t)(v / 2), &n) : NULL;
		if (v & 1)
			node = child(&t, node, trunc_fn);
		if (!fr && node != NONE)
			node = child(&t, node, empty_fn);
		for (uint32_t i = n; fr && i-- > 0 && node != NONE;) {
			if (t.n[node].depth >= SVG_MAX_DEPTH)
				break;
			node = child(&t, node, ix.frame_func[stats_frame_id(&ix, fr[i])]);
		}
		if (node == NONE)
			goto oom;
		t.n[node].self += c.count[v];
	}
	for (uint32_t i = t.nn; i-- > 0;) {
		t.n[i].total += t.n[i].self;
		if (i)
			t.n[t.n[i].parent].total += t.n[i].total;
	}

	/* x of every frame, in samples: children in name order after their parent */
	order = malloc((size_t)t.nn * sizeof *order);
	first = malloc(((size_t)t.nn + 1) * sizeof *first);
	if (!order || !first)
		goto oom;
	for (uint32_t i = 0; i < t.nn; i++)
		order[i] = i;
	{
		/* counting sort by parent keeps it O(n) before the per-parent name sort */
		memset(first, 0, ((size_t)t.nn + 1) * sizeof *first);
		for (uint32_t i = 1; i < t.nn; i++)
			first[t.n[i].parent + 1]++;
		for (uint32_t i = 0; i < t.nn; i++)
			first[i + 1] += first[i];
		uint32_t *fill = malloc(((size_t)t.nn + 1) * sizeof *fill);
		if (!fill)
			goto oom;
		memcpy(fill, first, ((size_t)t.nn + 1) * sizeof *fill);
		for (uint32_t i = 1; i < t.nn; i++)
			order[fill[t.n[i].parent]++] = i;
		free(fill);
	}
	for (uint32_t i = 0; i < t.nn; i++) {
		uint32_t a = first[i], b = first[i + 1];
		/* insertion sort by (name, file): sibling lists are short */
		for (uint32_t j = a + 1; j < b; j++) {
			uint32_t v = order[j], k = j;
			while (k > a) {
				uint32_t u = order[k - 1];
				int cmp = strcmp(fname(&ix, t.n[u].func), fname(&ix, t.n[v].func));
				if (!cmp)
					cmp = strcmp(ffile(&ix, t.n[u].func), ffile(&ix, t.n[v].func));
				if (cmp <= 0)
					break;
				order[k] = u;
				k--;
			}
			order[k] = v;
		}
		double x = t.n[i].x;
		for (uint32_t j = a; j < b; j++) {
			t.n[order[j]].x = x;
			x += (double)t.n[order[j]].total;
		}
	}

	uint64_t all = t.n[0].total;
	double scale = all ? (double)(SVG_WIDTH - 2 * SVG_PAD) / (double)all : 0;
	uint32_t maxdepth = 0;
	for (uint32_t i = 0; i < t.nn; i++)
		if ((double)t.n[i].total * scale >= SVG_MIN_WIDTH && t.n[i].depth > maxdepth)
			maxdepth = t.n[i].depth;
	int height = SVG_TOP + (int)(maxdepth + 1) * SVG_FRAME_H + SVG_BOTTOM;

	char *title = visible(p->meta.cmdline && p->meta.cmdline[0] ? p->meta.cmdline : p->path);
	fprintf(out, "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n"
	        "<svg version=\"1.1\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	        "xmlns=\"http://www.w3.org/2000/svg\" id=\"pyheat-flame\" data-samples=\"%llu\">\n",
	        SVG_WIDTH, height, SVG_WIDTH, height, (unsigned long long)all);
	fputs("<style>\n"
	      "text { font-family: Verdana, 'DejaVu Sans', sans-serif; font-size: 12px; fill: #000; }\n"
	      "#title { font-size: 17px; text-anchor: middle; }\n"
	      "#subtitle { fill: #555; text-anchor: middle; }\n"
	      ".f text { pointer-events: none; }\n"
	      ".f:hover rect { stroke: #000; stroke-width: 0.5; cursor: pointer; }\n"
	      ".ctl { cursor: pointer; fill: #00c; }\n"
	      ".hide { display: none; }\n"
	      "</style>\n", out);
	fprintf(out, "<rect x=\"0\" y=\"0\" width=\"%d\" height=\"%d\" fill=\"#f8f8f0\"/>\n", SVG_WIDTH, height);
	fprintf(out, "<text id=\"title\" x=\"%d\" y=\"22\">Flame graph: ", SVG_WIDTH / 2);
	xml_put_fit(out, title ? title : "", (SVG_WIDTH - 240) * 12.0 / 17.0);   /* the title's font is 17px */
	fputs("</text>\n", out);
	free(title);
	char *mode = visible(p->meta.mode);
	fprintf(out, "<text id=\"subtitle\" x=\"%d\" y=\"40\">%llu sample%s, ", SVG_WIDTH / 2,
	        (unsigned long long)all, all == 1 ? "" : "s");
	xml_put(out, mode ? mode : "");
	free(mode);
	fprintf(out, " mode, %u Hz", (unsigned)p->meta.rate_hz);
	if (f.from_ns || f.to_ns)
		fprintf(out, ", from %.3f s", (double)f.from_ns / 1e9);
	if (f.to_ns)
		fprintf(out, " to %.3f s", (double)f.to_ns / 1e9);
	if (f.pid)
		fprintf(out, ", pid %d", (int)f.pid);
	if (f.tid)
		fprintf(out, ", tid %d", (int)f.tid);
	fputs("</text>\n", out);
	fprintf(out, "<text id=\"unzoom\" class=\"ctl hide\" x=\"%d\" y=\"22\">Reset zoom</text>\n", SVG_PAD);
	fprintf(out, "<text id=\"search\" class=\"ctl\" x=\"%d\" y=\"22\" text-anchor=\"end\">Search</text>\n",
	        SVG_WIDTH - SVG_PAD);
	fprintf(out, "<text id=\"matched\" x=\"%d\" y=\"%d\" text-anchor=\"end\"></text>\n", SVG_WIDTH - SVG_PAD,
	        height - 12);
	fprintf(out, "<text id=\"details\" x=\"%d\" y=\"%d\"> </text>\n", SVG_PAD, height - 12);
	fputs("<g id=\"frames\">\n", out);
	for (uint32_t i = 0; i < t.nn; i++) {
		const struct fnode *n = &t.n[i];
		double w = (double)n->total * scale;
		if (w < SVG_MIN_WIDTH || !n->total)
			continue;
		const char *name = i == 0 ? "all" : fname(&ix, n->func);
		const char *file = i == 0 ? "" : ffile(&ix, n->func);
		int line = i == 0 || n->func >= ix.nfuncs ? 0 : ix.funcs[n->func].firstlineno;
		char *vname = visible(name), *vfile = visible(file);
		if (!vname || !vfile) {
			free(vname);
			free(vfile);
			goto oom;
		}
		double x = SVG_PAD + n->x * scale;
		int y = height - SVG_BOTTOM - (int)(n->depth + 1) * SVG_FRAME_H;
		double lo, hi;
		stats_wilson(n->total, all, STATS_Z95, &lo, &hi);
		/* colour: flamegraph.pl's "hot" family, from a hash of the name */
		uint32_t hsh = 2166136261u;
		for (const unsigned char *q = (const unsigned char *)name; *q; q++)
			hsh = (hsh ^ *q) * 16777619u;
		int r = 205 + (int)(hsh % 51), g = (int)((hsh >> 8) % 231), b = (int)((hsh >> 16) % 56);
		if (i == 0 || (n->func >= ix.nfuncs))
			r = 190, g = 190, b = 190;
		fprintf(out, "<g class=\"f\" data-n=\"");
		xml_put(out, vname);
		fputs("\" data-file=\"", out);
		xml_put(out, vfile);
		fprintf(out, "\" data-s=\"%llu\"><title>", (unsigned long long)n->total);
		xml_put(out, vname);
		if (vfile[0]) {
			fputs(" (", out);
			xml_put(out, vfile);
			fprintf(out, ":%d)", line);
		}
		fprintf(out, "\n%llu sample%s, %.1f%% (95%% CI %.1f-%.1f%%)", (unsigned long long)n->total,
		        n->total == 1 ? "" : "s", all ? 100.0 * (double)n->total / (double)all : 0.0, 100 * lo,
		        100 * hi);
		if (n->self && i)
			fprintf(out, ", own %llu", (unsigned long long)n->self);
		fprintf(out, "</title><rect x=\"%.2f\" y=\"%d\" width=\"%.2f\" height=\"%d\" fill=\"rgb(%d,%d,%d)\" "
		        "rx=\"2\" ry=\"2\"/><text x=\"%.2f\" y=\"%d\">",
		        x, y, w, SVG_FRAME_H - 1, r, g, b, x + 3, y + SVG_FRAME_H - 4);
		xml_put_fit(out, vname, w);
		fputs("</text></g>\n", out);
		free(vname);
		free(vfile);
	}
	fputs("</g>\n<script type=\"text/ecmascript\"><![CDATA[\n", out);
	fwrite(pyheat_asset_flame_js, 1, pyheat_asset_flame_js_len, out);
	fputs("]]></script>\n</svg>\n", out);
	rc = export_finish(out, err);
	goto out;
oom:
	ph_fail(err, PH_ESYSTEM, "out of memory writing the SVG flame graph");
out:
	free(order);
	free(first);
	free(t.n);
	free(t.keys);
	free(t.vals);
	free(c.count);
	stats_index_free(&ix);
	return rc;
}
