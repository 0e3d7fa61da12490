/* export-collapsed.c — folded stacks (flamegraph.pl's input), and the
 * helpers the exporters share. See include/export.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "export.h"
#include "textout.h"

/* ---- shared helpers ------------------------------------------------------ */

void export_put_json(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t bad = 0, len = 0;
	while (p[len]) {
		int n = stats_utf8_len(p + len);
		bad += n == 0;
		len += n ? (size_t)n : 1;
	}
	if (!bad) {
		json_put_str(out, s);
		return;
	}
	char *copy = malloc(len + 2 * bad + 1);
	if (!copy) {
		json_put_str(out, "\xef\xbf\xbd");
		return;
	}
	size_t o = 0;
	for (size_t i = 0; p[i];) {
		int n = stats_utf8_len(p + i);
		if (n) {
			memcpy(copy + o, p + i, (size_t)n);
			o += (size_t)n;
			i += (size_t)n;
		} else {
			memcpy(copy + o, "\xef\xbf\xbd", 3);
			o += 3;
			i++;
		}
	}
	copy[o] = '\0';
	json_put_str(out, copy);
	free(copy);
}

void export_put_folded(FILE *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		int n = stats_utf8_len(p);
		if (n == 0 || *p < 0x20 || *p == 0x7f || *p == ';' || *p == '\\') {
			fprintf(out, "\\x%02x", *p);
			p++;
		} else if (n == 2 && p[0] == 0xc2 && p[1] <= 0x9f) {
			fprintf(out, "\\x%02x\\x%02x", p[0], p[1]);   /* C1 control */
			p += 2;
		} else {
			fwrite(p, 1, (size_t)n, out);
			p += n;
		}
	}
}

int export_finish(FILE *out, struct ph_error *err)
{
	errno = 0;
	if (fflush(out) != 0 || ferror(out))
		return ph_fail(err, PH_ESYSTEM, "could not write the output: %s",
		               errno ? strerror(errno) : "write error");
	return 0;
}

/* ---- collapsed ----------------------------------------------------------- */

struct fold_ctx {
	const struct profile *p;
	const struct stats_filter *f;
	uint64_t *count;          /* [2 * (nstacks + 1)]: stack * 2 + truncated */
};

static int fold_sample(const struct prof_sample *s, void *vctx)
{
	struct fold_ctx *c = vctx;
	if (!stats_match(c->p, c->f, s))
		return 0;
	size_t stack = s->stack < c->p->nstacks ? s->stack : c->p->nstacks;
	c->count[stack * 2 + ((s->flags & PROF_TRUNCATED) != 0)]++;
	return 0;
}

struct folded { char *text; uint64_t count; };

static int cmp_folded(const void *a, const void *b)
{
	return strcmp(((const struct folded *)a)->text, ((const struct folded *)b)->text);
}

static void put_frame(FILE *out, const struct stats_index *ix, uint32_t frame)
{
	uint32_t id = stats_frame_id(ix, frame);
	const struct stats_func *fn = &ix->funcs[ix->frame_func[id]];
	export_put_folded(out, fn->name);
	fputs(" (", out);
	export_put_folded(out, fn->file);
	fprintf(out, ":%d)", (int)ix->lines[ix->frame_line[id]].line);
}

/* The folded text of one stack, malloc'd. */
static char *fold_stack(const struct profile *p, const struct stats_index *ix, size_t stack, int truncated)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	if (!m)
		return NULL;
	uint32_t n = 0;
	const uint32_t *fr = stack < p->nstacks ? stats_stack_frames(p, (uint32_t)stack, &n) : NULL;
	if (truncated)
		fputs(EXPORT_TRUNCATED_FRAME, m);
	if (!fr) {
		fputs(truncated ? ";" EXPORT_EMPTY_FRAME : EXPORT_EMPTY_FRAME, m);
	} else {
		for (uint32_t i = n; i-- > 0;) {
			if (truncated || i != n - 1)
				fputc(';', m);
			put_frame(m, ix, fr[i]);
		}
	}
	if (fclose(m) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}

int export_collapsed(const struct profile *p, struct stats_filter f, FILE *out, struct ph_error *err)
{
	struct stats_index ix;
	if (stats_index_build(p, &ix, err) < 0)
		return -1;
	size_t slots = 2 * ((size_t)p->nstacks + 1);
	struct fold_ctx c = { p, &f, calloc(slots, sizeof(uint64_t)) };
	struct folded *lines = NULL;
	size_t nlines = 0;
	int rc = -1;
	if (!c.count) {
		ph_fail(err, PH_ESYSTEM, "out of memory folding stacks");
		goto out;
	}
	if (prof_foreach_sample(p, fold_sample, &c, err) < 0)
		goto out;
	size_t used = 0;
	for (size_t i = 0; i < slots; i++)
		used += c.count[i] != 0;
	lines = calloc(used ? used : 1, sizeof *lines);
	if (!lines) {
		ph_fail(err, PH_ESYSTEM, "out of memory folding stacks");
		goto out;
	}
	for (size_t i = 0; i < slots; i++) {
		if (!c.count[i])
			continue;
		lines[nlines].text = fold_stack(p, &ix, i / 2, (int)(i & 1));
		lines[nlines].count = c.count[i];
		if (!lines[nlines].text) {
			ph_fail(err, PH_ESYSTEM, "out of memory folding stacks");
			goto out;
		}
		nlines++;
	}
	qsort(lines, nlines, sizeof *lines, cmp_folded);
	/* different stack ids can fold to the same text (functions merged by name) */
	for (size_t i = 0; i < nlines; i++) {
		uint64_t n = lines[i].count;
		while (i + 1 < nlines && !strcmp(lines[i].text, lines[i + 1].text))
			n += lines[++i].count;
		fprintf(out, "%s %llu\n", lines[i].text, (unsigned long long)n);
	}
	rc = export_finish(out, err);
out:
	for (size_t i = 0; i < nlines; i++)
		free(lines[i].text);
	free(lines);
	free(c.count);
	stats_index_free(&ix);
	return rc;
}
