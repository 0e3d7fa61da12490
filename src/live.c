/* live.c — the live view's model: the aggregator's hook, the UI's buckets and
 * every figure the screen shows. See include/live.h. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "intern.h"
#include "live.h"

#define NS          1000000000ULL
#define PEND_SLOTS  (LIVE_PEND_KEYS * 2u)   /* a power of two, at most half full */
#define PEND_SECS   4096u                   /* distinct seconds between two pulls */
#define EMPTY       UINT32_MAX
#define GIL_SECONDS 5                       /* the header's GIL held %: the last 5 s */
#define NO_STRING   UINT32_MAX

/* Flag classes: index = flags & 3 (bit 0 PROF_RUNNING, bit 1 PROF_HOLDS_GIL). */
#define NCLASS 4

/* ---- the shared half -------------------------------------------------------- */

struct pend_key { uint32_t sec, thread, stack; uint32_t n[NCLASS]; };
struct pend_sec { uint32_t sec, ticks; };

enum def_kind { DEF_STRING = 1, DEF_FUNC, DEF_FRAME, DEF_STACK, DEF_THREAD };

/* What the hook gathered since the last pull. Definitions are a log of
 * records { u32 kind, u32 payload bytes, payload }; samples a hash table of
 * (second, thread, stack) keys, plus the ticks of each second. */
struct pending {
	struct pend_key *tab;        /* [PEND_SLOTS]; sec == EMPTY: free */
	uint32_t *used;              /* [LIVE_PEND_KEYS]: occupied slots */
	uint32_t nused;
	struct pend_sec *secs;       /* [PEND_SECS], increasing */
	uint32_t nsecs;
	uint8_t *defs;
	size_t dlen, dcap;
	uint64_t lost;               /* samples not counted: table full */
	int broken;                  /* a definition could not be stored (out of memory) */
};

struct live {
	pthread_mutex_t mu;
	struct pending *cur;         /* the hook writes here */
	uint64_t last_t;             /* the last sample's time: a new one is a new tick */
	int have_t;
	_Atomic uint64_t flushes;
};

static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static void pending_free(struct pending *p)
{
	if (!p)
		return;
	free(p->tab);
	free(p->used);
	free(p->secs);
	free(p->defs);
	free(p);
}

static struct pending *pending_new(void)
{
	struct pending *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->tab = malloc(PEND_SLOTS * sizeof *p->tab);
	p->used = malloc(LIVE_PEND_KEYS * sizeof *p->used);
	p->secs = malloc(PEND_SECS * sizeof *p->secs);
	if (!p->tab || !p->used || !p->secs) {
		pending_free(p);
		return NULL;
	}
	for (uint32_t i = 0; i < PEND_SLOTS; i++)
		p->tab[i].sec = EMPTY;
	return p;
}

static void pending_clear(struct pending *p)
{
	for (uint32_t i = 0; i < p->nused; i++)
		p->tab[p->used[i]].sec = EMPTY;
	p->nused = 0;
	p->nsecs = 0;
	p->dlen = 0;
	p->lost = 0;
	p->broken = 0;
}

struct live *live_new(struct ph_error *err)
{
	struct live *l = calloc(1, sizeof *l);
	if (!l || !(l->cur = pending_new())) {
		free(l);
		ph_fail(err, PH_ESYSTEM, "out of memory");
		return NULL;
	}
	pthread_mutex_init(&l->mu, NULL);
	return l;
}

void live_free(struct live *l)
{
	if (!l)
		return;
	pthread_mutex_destroy(&l->mu);
	pending_free(l->cur);
	free(l);
}

uint64_t live_flushes(struct live *l)
{
	return atomic_load(&l->flushes);
}

#define ALIGN4(n) (((n) + 3) & ~(size_t)3)

/* Append one definition record (under the lock): { u32 kind, u32 payload
 * bytes, payload (a then b) }, padded so that every record starts 4-aligned. */
static void def_put(struct pending *p, uint32_t kind, const void *a, size_t alen, const void *b,
                    size_t blen)
{
	if (alen + blen > UINT32_MAX - 16) {
		p->broken = 1;
		return;
	}
	size_t need = p->dlen + 8 + ALIGN4(alen + blen);
	if (need > p->dcap) {
		size_t cap = p->dcap ? p->dcap : 65536;
		while (cap < need)
			cap *= 2;
		uint8_t *nd = realloc(p->defs, cap);
		if (!nd) {
			p->broken = 1;
			return;
		}
		p->defs = nd;
		p->dcap = cap;
	}
	uint32_t hdr[2] = { kind, (uint32_t)(alen + blen) };
	uint8_t *q = p->defs + p->dlen;
	memcpy(q, hdr, 8);
	memcpy(q + 8, a, alen);
	if (blen)
		memcpy(q + 8 + alen, b, blen);
	memset(q + 8 + alen + blen, 0, ALIGN4(alen + blen) - (alen + blen));
	p->dlen = need;
}

static void hk_string(void *ctx, uint32_t id, const char *s, size_t len)
{
	struct live *l = ctx;
	pthread_mutex_lock(&l->mu);
	def_put(l->cur, DEF_STRING, &id, sizeof id, s, len);
	pthread_mutex_unlock(&l->mu);
}

static void hk_func(void *ctx, uint32_t id, uint32_t name, uint32_t file, int firstlineno)
{
	struct live *l = ctx;
	uint32_t rec[4] = { id, name, file, (uint32_t)firstlineno };
	pthread_mutex_lock(&l->mu);
	def_put(l->cur, DEF_FUNC, rec, sizeof rec, NULL, 0);
	pthread_mutex_unlock(&l->mu);
}

static void hk_frame(void *ctx, uint32_t id, uint32_t func, int32_t line)
{
	struct live *l = ctx;
	uint32_t rec[3] = { id, func, (uint32_t)line };
	pthread_mutex_lock(&l->mu);
	def_put(l->cur, DEF_FRAME, rec, sizeof rec, NULL, 0);
	pthread_mutex_unlock(&l->mu);
}

static void hk_stack(void *ctx, uint32_t id, const uint32_t *frames, uint32_t n)
{
	struct live *l = ctx;
	uint32_t rec[2] = { id, n };
	pthread_mutex_lock(&l->mu);
	def_put(l->cur, DEF_STACK, rec, sizeof rec, frames, (size_t)n * sizeof *frames);
	pthread_mutex_unlock(&l->mu);
}

static void hk_thread(void *ctx, uint32_t id, pid_t pid, pid_t tid, uint32_t name)
{
	struct live *l = ctx;
	uint32_t rec[4] = { id, (uint32_t)pid, (uint32_t)tid, name };
	pthread_mutex_lock(&l->mu);
	def_put(l->cur, DEF_THREAD, rec, sizeof rec, NULL, 0);
	pthread_mutex_unlock(&l->mu);
}

static void hk_sample(void *ctx, uint64_t t_ns, uint32_t thread, uint32_t stack, uint32_t flags)
{
	struct live *l = ctx;
	uint64_t s64 = t_ns / NS;
	uint32_t sec = s64 >= EMPTY ? EMPTY - 1 : (uint32_t)s64;
	unsigned cls = flags & 3u;
	uint64_t h = mix(((uint64_t)sec << 32 | thread) ^ mix(stack + 0x9e3779b97f4a7c15ULL));
	pthread_mutex_lock(&l->mu);
	struct pending *p = l->cur;
	if (!l->have_t || t_ns != l->last_t) {
		l->have_t = 1;
		l->last_t = t_ns;
		if (p->nsecs && p->secs[p->nsecs - 1].sec == sec)
			p->secs[p->nsecs - 1].ticks++;
		else if (p->nsecs < PEND_SECS)
			p->secs[p->nsecs++] = (struct pend_sec){ sec, 1 };
	}
	for (uint32_t i = (uint32_t)h & (PEND_SLOTS - 1);; i = (i + 1) & (PEND_SLOTS - 1)) {
		struct pend_key *k = &p->tab[i];
		if (k->sec == sec && k->thread == thread && k->stack == stack) {
			k->n[cls]++;
			break;
		}
		if (k->sec == EMPTY) {
			if (p->nused >= LIVE_PEND_KEYS) {
				p->lost++;
				break;
			}
			*k = (struct pend_key){ sec, thread, stack, { 0, 0, 0, 0 } };
			k->n[cls] = 1;
			p->used[p->nused++] = i;
			break;
		}
	}
	pthread_mutex_unlock(&l->mu);
}

static void hk_flushed(void *ctx)
{
	struct live *l = ctx;
	atomic_fetch_add(&l->flushes, 1);
}

struct aggregator_hook live_hook(struct live *l)
{
	struct aggregator_hook h = {
		.ctx = l, .string = hk_string, .func = hk_func, .frame = hk_frame, .stack = hk_stack,
		.thread = hk_thread, .sample = hk_sample, .flushed = hk_flushed,
	};
	return h;
}

/* ---- the view ------------------------------------------------------------- */

struct vfunc { uint32_t name, file; int32_t first; };   /* canonical: (name, file) */
struct vline { uint32_t func; int32_t line; };
struct vframe { uint32_t func, line; };                  /* canonical function, line id */
struct vstack { uint64_t off; uint32_t n, nuf, nul; };   /* sdata: func[n] line[n] ufunc[nuf] uline[nul] */
struct vthread { pid_t pid, tid; uint32_t name; int defined; };

struct bkey { uint32_t thread, stack; uint32_t n[NCLASS]; };   /* thread == EMPTY: free */
struct bucket {
	int64_t sec;                 /* -1: unused */
	uint32_t ticks;
	uint32_t cap, used;          /* cap: a power of two or 0 */
	uint64_t lost;
	struct bkey *tab;
};

/* The whole session in LIVE_SESSION_BUCKETS buckets of `width` seconds from
 * `origin`: when a second falls past the last bucket, neighbours merge in
 * pairs and the width doubles, so an hour costs what a minute does. While
 * the view is paused, seconds after `hold` stay out (the per-second ring
 * keeps them) and are added on resume. */
struct session {
	struct bucket b[LIVE_SESSION_BUCKETS];
	uint64_t origin, width, last;
	uint32_t used;               /* buckets in use: [0, used) */
	int started;
	uint64_t hold;               /* UINT64_MAX: not paused */
	uint64_t lost;
};

struct live_view {
	unsigned window, nb;         /* nb = 2 * window buckets */
	struct session ses;
	uint32_t rate;
	uint32_t bucket_keys;        /* keys one bucket may hold */
	struct pending *spare;

	char **strings; uint32_t nstrings, cstrings;
	uint32_t *fcanon; uint32_t nfagg, cfagg;          /* aggregator function id -> canonical */
	struct vfunc *funcs; uint32_t nfuncs, cfuncs;
	struct intern func_ix;
	struct vline *lines; uint32_t nlines, clines;
	struct intern line_ix;
	struct vframe *frames; uint32_t nframes, cframes; /* by aggregator frame id */
	struct vstack *stacks; uint32_t nstacks, cstacks;
	uint32_t *sdata; uint64_t sdlen, sdcap;
	struct vthread *threads; uint32_t nthreads, cthreads;
	uint32_t *fstamp, *lstamp; uint32_t stamp, cstamps_f, cstamps_l;   /* dedup while defining stacks */

	struct bucket *b;
	uint64_t last_sec;
	int any;
	uint64_t lost;

	/* scratch and results of live_view_compute (capacities in elements) */
	uint64_t *scount; uint32_t *stouched; size_t cstack;     /* per stack, + the undefined one */
	uint64_t *fown, *ftot, *d_caller, *d_callee; uint32_t *d_cstamp, *d_kstamp; size_t cfunc;
	uint64_t *lown, *ltot, *d_lown, *d_ltot; uint32_t *d_lstamp; size_t cline;
	int32_t *rowmap; size_t crowmap;
	uint64_t *tcount; size_t cthread;
	struct stats_row *rows; size_t crows;
	struct stats_row *hrow; size_t chrow;
	float *cells; uint64_t *hcount; size_t ccells;
	uint64_t *col_samples; size_t ccols;
	struct live_thread *tlist; size_t ctlist;
	struct live_drill_row *d_rows; size_t cd_rows;
	const struct bucket **sel; size_t csel;   /* the buckets a query covers, oldest first */
};

const char *live_mode_name(enum live_mode m)
{
	return m == LIVE_WALL ? "wall" : m == LIVE_GIL ? "gil" : "cpu";
}

/* Grow *p (elements of size elem, capacity *cap) to hold at least need;
 * new elements are zeroed. 0 or -1. */
static int grow(void *pp, uint32_t *cap, uint64_t need, size_t elem)
{
	void **p = pp;
	if (need <= *cap)
		return 0;
	if (need > UINT32_MAX / 2)
		return -1;
	uint64_t n = *cap ? *cap : 64;
	while (n < need)
		n *= 2;
	void *q = realloc(*p, (size_t)n * elem);
	if (!q)
		return -1;
	memset((char *)q + (size_t)*cap * elem, 0, (size_t)(n - *cap) * elem);
	*p = q;
	*cap = (uint32_t)n;
	return 0;
}

static const char *vstr(const struct live_view *v, uint32_t id)
{
	return id < v->nstrings && v->strings[id] ? v->strings[id] : "?";
}

const char *live_func_name(const struct live_view *v, uint32_t func)
{
	return func < v->nfuncs ? vstr(v, v->funcs[func].name) : "?";
}

const char *live_func_file(const struct live_view *v, uint32_t func)
{
	return func < v->nfuncs ? vstr(v, v->funcs[func].file) : "?";
}

int live_func_firstline(const struct live_view *v, uint32_t func)
{
	return func < v->nfuncs ? v->funcs[func].first : 0;
}

static uint32_t canon_func(struct live_view *v, uint32_t name, uint32_t file, int32_t first)
{
	uint32_t key[2] = { name, file };
	int created;
	uint32_t id = intern_bytes(&v->func_ix, key, sizeof key, &created);
	if (id == UINT32_MAX || grow(&v->funcs, &v->cfuncs, (uint64_t)id + 1, sizeof *v->funcs) < 0)
		return UINT32_MAX;
	if (created) {
		v->funcs[id] = (struct vfunc){ name, file, first };
		v->nfuncs = id + 1;
	} else if (first < v->funcs[id].first) {
		v->funcs[id].first = first;
	}
	return id;
}

static uint32_t line_id(struct live_view *v, uint32_t func, int32_t line)
{
	uint32_t key[2] = { func, (uint32_t)line };
	int created;
	uint32_t id = intern_bytes(&v->line_ix, key, sizeof key, &created);
	if (id == UINT32_MAX || grow(&v->lines, &v->clines, (uint64_t)id + 1, sizeof *v->lines) < 0)
		return UINT32_MAX;
	if (created) {
		v->lines[id] = (struct vline){ func, line };
		v->nlines = id + 1;
	}
	return id;
}

void live_view_free(struct live_view *v)
{
	if (!v)
		return;
	pending_free(v->spare);
	for (uint32_t i = 0; i < v->nstrings; i++)
		free(v->strings[i]);
	free(v->strings);
	free(v->fcanon);
	free(v->funcs);
	intern_free(&v->func_ix);
	free(v->lines);
	intern_free(&v->line_ix);
	free(v->frames);
	free(v->stacks);
	free(v->sdata);
	free(v->threads);
	free(v->fstamp);
	free(v->lstamp);
	for (unsigned i = 0; v->b && i < v->nb; i++)
		free(v->b[i].tab);
	free(v->b);
	for (unsigned i = 0; i < LIVE_SESSION_BUCKETS; i++)
		free(v->ses.b[i].tab);
	free(v->scount);
	free(v->stouched);
	free(v->fown);
	free(v->ftot);
	free(v->d_caller);
	free(v->d_callee);
	free(v->d_cstamp);
	free(v->d_kstamp);
	free(v->lown);
	free(v->ltot);
	free(v->d_lown);
	free(v->d_ltot);
	free(v->d_lstamp);
	free(v->rowmap);
	free(v->tcount);
	free(v->rows);
	free(v->hrow);
	free(v->cells);
	free(v->hcount);
	free(v->col_samples);
	free(v->tlist);
	free(v->d_rows);
	free(v->sel);
	free(v);
}

struct live_view *live_view_new(unsigned window_s, uint32_t rate_hz, struct ph_error *err)
{
	if (window_s < LIVE_WINDOW_MIN)
		window_s = LIVE_WINDOW_MIN;
	if (window_s > LIVE_WINDOW_MAX)
		window_s = LIVE_WINDOW_MAX;
	struct live_view *v = calloc(1, sizeof *v);
	if (!v)
		goto oom;
	v->window = window_s;
	v->nb = 2 * window_s;
	v->rate = rate_hz ? rate_hz : 100;
	v->bucket_keys = LIVE_KEYS_BUDGET / v->nb;
	if (v->bucket_keys < 1024)
		v->bucket_keys = 1024;   /* the longest window: 1200 x 1024 keys */
	intern_init(&v->func_ix);
	intern_init(&v->line_ix);
	v->spare = pending_new();
	v->b = calloc(v->nb, sizeof *v->b);
	if (!v->spare || !v->b)
		goto oom;
	for (unsigned i = 0; i < v->nb; i++)
		v->b[i].sec = -1;
	v->ses.hold = UINT64_MAX;
	/* the "?" function (id 0) and its line 0, for ids never defined */
	if (canon_func(v, NO_STRING, NO_STRING, 0) != LIVE_UNKNOWN_FUNC || line_id(v, 0, 0) != 0)
		goto oom;
	return v;
oom:
	live_view_free(v);
	ph_fail(err, PH_ESYSTEM, "out of memory");
	return NULL;
}

unsigned live_view_window(const struct live_view *v)
{
	return v->window;
}

uint64_t live_view_last_second(const struct live_view *v)
{
	return v->any ? v->last_sec : 0;
}

uint64_t live_view_lost(const struct live_view *v)
{
	return v->lost;
}

uint64_t live_view_session_lost(const struct live_view *v)
{
	return v->ses.lost;
}

void live_view_reset(struct live_view *v)
{
	for (unsigned i = 0; i < v->nb; i++) {
		struct bucket *b = &v->b[i];
		free(b->tab);
		*b = (struct bucket){ .sec = -1 };
	}
	v->any = 0;
	v->last_sec = 0;
	v->lost = 0;
	for (unsigned i = 0; i < LIVE_SESSION_BUCKETS; i++) {
		free(v->ses.b[i].tab);
		v->ses.b[i] = (struct bucket){ .sec = -1 };
	}
	uint64_t hold = v->ses.hold;
	v->ses = (struct session){ .hold = hold };
	for (unsigned i = 0; i < LIVE_SESSION_BUCKETS; i++)
		v->ses.b[i].sec = -1;
}

/* ---- definitions ---------------------------------------------------------- */

static int def_stack(struct live_view *v, uint32_t id, const uint32_t *fr, uint32_t n)
{
	if (grow(&v->stacks, &v->cstacks, (uint64_t)id + 1, sizeof *v->stacks) < 0 ||
	    grow(&v->fstamp, &v->cstamps_f, v->nfuncs, sizeof *v->fstamp) < 0 ||
	    grow(&v->lstamp, &v->cstamps_l, v->nlines, sizeof *v->lstamp) < 0)
		return -1;
	uint64_t need = v->sdlen + 4 * (uint64_t)n;
	if (need > v->sdcap) {
		uint64_t cap = v->sdcap ? v->sdcap : 4096;
		while (cap < need)
			cap *= 2;
		uint32_t *nd = realloc(v->sdata, (size_t)cap * sizeof *nd);
		if (!nd)
			return -1;
		v->sdata = nd;
		v->sdcap = cap;
	}
	uint32_t *func = v->sdata + v->sdlen, *line = func + n, *uf = line + n;
	if (++v->stamp == 0) {
		memset(v->fstamp, 0, v->cstamps_f * sizeof *v->fstamp);
		memset(v->lstamp, 0, v->cstamps_l * sizeof *v->lstamp);
		v->stamp = 1;
	}
	uint32_t nuf = 0, nul = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct vframe f = fr[i] < v->nframes ? v->frames[fr[i]] : (struct vframe){ 0, 0 };
		func[i] = f.func;
		line[i] = f.line;
		if (v->fstamp[f.func] != v->stamp) {
			v->fstamp[f.func] = v->stamp;
			uf[nuf++] = f.func;
		}
	}
	uint32_t *ul = uf + nuf;
	for (uint32_t i = 0; i < n; i++)
		if (v->lstamp[line[i]] != v->stamp) {
			v->lstamp[line[i]] = v->stamp;
			ul[nul++] = line[i];
		}
	v->stacks[id] = (struct vstack){ v->sdlen, n, nuf, nul };
	v->sdlen += 2 * (uint64_t)n + nuf + nul;
	if (id >= v->nstacks)
		v->nstacks = id + 1;
	return 0;
}

static int apply_defs(struct live_view *v, const uint8_t *p, size_t len)
{
	size_t off = 0;
	while (off + 8 <= len) {
		uint32_t hdr[2];
		memcpy(hdr, p + off, 8);
		const uint8_t *d = p + off + 8;
		uint32_t dl = hdr[1];
		if (off + 8 + ALIGN4((size_t)dl) > len)
			break;
		off += 8 + ALIGN4((size_t)dl);
		uint32_t r[4] = { 0, 0, 0, 0 };
		memcpy(r, d, dl < sizeof r ? dl : sizeof r);
		switch (hdr[0]) {
		case DEF_STRING: {
			if (dl < 4)
				break;
			if (grow(&v->strings, &v->cstrings, (uint64_t)r[0] + 1, sizeof *v->strings) < 0)
				return -1;
			char *str = malloc(dl - 4 + 1);
			if (!str)
				return -1;
			memcpy(str, d + 4, dl - 4);
			str[dl - 4] = '\0';
			free(v->strings[r[0]]);
			v->strings[r[0]] = str;
			if (r[0] >= v->nstrings)
				v->nstrings = r[0] + 1;
			break;
		}
		case DEF_FUNC: {
			uint32_t cf = canon_func(v, r[1], r[2], (int32_t)r[3]);
			if (cf == UINT32_MAX || grow(&v->fcanon, &v->cfagg, (uint64_t)r[0] + 1, sizeof *v->fcanon) < 0)
				return -1;
			v->fcanon[r[0]] = cf;
			if (r[0] >= v->nfagg)
				v->nfagg = r[0] + 1;
			break;
		}
		case DEF_FRAME: {
			uint32_t cf = r[1] < v->nfagg ? v->fcanon[r[1]] : LIVE_UNKNOWN_FUNC;
			uint32_t li = line_id(v, cf, (int32_t)r[2]);
			if (li == UINT32_MAX || grow(&v->frames, &v->cframes, (uint64_t)r[0] + 1, sizeof *v->frames) < 0)
				return -1;
			v->frames[r[0]] = (struct vframe){ cf, li };
			if (r[0] >= v->nframes)
				v->nframes = r[0] + 1;
			break;
		}
		case DEF_STACK:
			/* the payload is 4-aligned: the frame ids can be read in place */
			if (dl >= 8 && (dl - 8) / 4 == r[1] &&
			    def_stack(v, r[0], (const uint32_t *)(const void *)(d + 8), r[1]) < 0)
				return -1;
			break;
		case DEF_THREAD:
			if (grow(&v->threads, &v->cthreads, (uint64_t)r[0] + 1, sizeof *v->threads) < 0)
				return -1;
			v->threads[r[0]] = (struct vthread){ (pid_t)r[1], (pid_t)r[2], r[3], 1 };
			if (r[0] >= v->nthreads)
				v->nthreads = r[0] + 1;
			break;
		}
	}
	return 0;
}

/* ---- samples -------------------------------------------------------------- */

static struct bucket *bucket_for(struct live_view *v, uint64_t sec)
{
	struct bucket *b = &v->b[sec % v->nb];
	if (b->sec == (int64_t)sec)
		return b;
	if (b->sec > (int64_t)sec)
		return NULL;       /* older than what the slot holds now: gone */
	b->sec = (int64_t)sec;
	b->ticks = 0;
	b->used = 0;
	b->lost = 0;
	for (uint32_t i = 0; i < b->cap; i++)
		b->tab[i].thread = EMPTY;
	if (!v->any || sec > v->last_sec)
		v->last_sec = sec;
	v->any = 1;
	return b;
}

static int bucket_grow(struct bucket *b)
{
	uint32_t ncap = b->cap ? b->cap * 2 : 64;
	struct bkey *nt = malloc((size_t)ncap * sizeof *nt);
	if (!nt)
		return -1;
	for (uint32_t i = 0; i < ncap; i++)
		nt[i].thread = EMPTY;
	for (uint32_t i = 0; i < b->cap; i++) {
		struct bkey *k = &b->tab[i];
		if (k->thread == EMPTY)
			continue;
		uint32_t j = (uint32_t)mix((uint64_t)k->thread << 32 | k->stack) & (ncap - 1);
		while (nt[j].thread != EMPTY)
			j = (j + 1) & (ncap - 1);
		nt[j] = *k;
	}
	free(b->tab);
	b->tab = nt;
	b->cap = ncap;
	return 0;
}

/* Add pk's counts to b, which may hold up to `keys` keys; returns the
 * samples that did not fit (counted in b->lost too). */
static uint64_t bucket_add(struct bucket *b, const struct pend_key *pk, uint32_t keys)
{
	uint64_t total = (uint64_t)pk->n[0] + pk->n[1] + pk->n[2] + pk->n[3];
	if ((uint64_t)(b->used + 1) * 4 > (uint64_t)b->cap * 3 && b->used < keys)
		bucket_grow(b);    /* on failure the key may still be there */
	uint32_t i = b->cap ? (uint32_t)mix((uint64_t)pk->thread << 32 | pk->stack) & (b->cap - 1) : 0;
	for (uint32_t probes = 0; probes < b->cap; probes++, i = (i + 1) & (b->cap - 1)) {
		struct bkey *k = &b->tab[i];
		if (k->thread == pk->thread && k->stack == pk->stack) {
			for (int c = 0; c < NCLASS; c++)
				k->n[c] += pk->n[c];
			return 0;
		}
		if (k->thread == EMPTY) {
			if ((uint64_t)(b->used + 1) * 4 > (uint64_t)b->cap * 3)
				break;     /* full (bucket_keys): lost */
			*k = (struct bkey){ pk->thread, pk->stack, { pk->n[0], pk->n[1], pk->n[2], pk->n[3] } };
			b->used++;
			return 0;
		}
	}
	b->lost += total;
	return total;
}

/* ---- the session series ----------------------------------------------------- */

#define SESSION_KEYS (LIVE_KEYS_BUDGET / LIVE_SESSION_BUCKETS)   /* keys one session bucket may hold */

static void bucket_clear(struct bucket *b)
{
	for (uint32_t i = 0; i < b->cap; i++)
		b->tab[i].thread = EMPTY;
	b->used = 0;
	b->ticks = 0;
	b->lost = 0;
}

/* A bucket's key as the pending table's, to add it to another bucket. */
static struct pend_key pend_of(const struct bkey *k, uint32_t sec)
{
	return (struct pend_key){ sec, k->thread, k->stack, { k->n[0], k->n[1], k->n[2], k->n[3] } };
}

/* Every bucket pair into one, the width doubled. */
static void session_coarsen(struct live_view *v)
{
	struct session *S = &v->ses;
	const unsigned half = LIVE_SESSION_BUCKETS / 2;
	for (unsigned i = 0; i < half; i++) {
		struct bucket *dst = &S->b[2 * i], *src = &S->b[2 * i + 1];
		for (uint32_t k = 0; k < src->cap; k++) {
			const struct bkey *key = &src->tab[k];
			if (key->thread == EMPTY)
				continue;
			struct pend_key pk = pend_of(key, 0);
			S->lost += bucket_add(dst, &pk, SESSION_KEYS);
		}
		dst->ticks += src->ticks;
		dst->lost += src->lost;
		bucket_clear(src);
	}
	/* b[2i] -> b[i]: b[2i] is never written before step i */
	for (unsigned i = 1; i < half; i++) {
		struct bucket t = S->b[i];
		S->b[i] = S->b[2 * i];
		S->b[2 * i] = t;
	}
	for (unsigned i = half; i < LIVE_SESSION_BUCKETS; i++)
		bucket_clear(&S->b[i]);
	S->width *= 2;
	S->used = (S->used + 1) / 2;
}

/* The session bucket of second sec, or NULL when it is before the origin. */
static struct bucket *session_bucket(struct live_view *v, uint64_t sec)
{
	struct session *S = &v->ses;
	if (!S->started) {
		S->started = 1;
		S->origin = sec;
		S->width = 1;
		S->used = 0;
		S->last = sec;
	}
	if (sec < S->origin)
		return NULL;
	while ((sec - S->origin) / S->width >= LIVE_SESSION_BUCKETS)
		session_coarsen(v);
	uint32_t i = (uint32_t)((sec - S->origin) / S->width);
	if (i + 1 > S->used)
		S->used = i + 1;
	if (sec > S->last)
		S->last = sec;
	return &S->b[i];
}

static void session_ticks(struct live_view *v, uint64_t sec, uint32_t ticks)
{
	struct bucket *b = session_bucket(v, sec);
	if (b)
		b->ticks += ticks;
}

static void session_add(struct live_view *v, uint64_t sec, const struct pend_key *pk)
{
	struct bucket *b = session_bucket(v, sec);
	if (b)
		v->ses.lost += bucket_add(b, pk, SESSION_KEYS);
	else
		v->ses.lost += (uint64_t)pk->n[0] + pk->n[1] + pk->n[2] + pk->n[3];
}

/* Back from a pause: the seconds held out of the session, from the ring. */
static void session_resume(struct live_view *v)
{
	uint64_t hold = v->ses.hold;
	v->ses.hold = UINT64_MAX;
	if (!v->any || hold >= v->last_sec)
		return;
	uint64_t from = hold + 1, to = v->last_sec;
	if (to - from + 1 > v->nb)
		from = to + 1 - v->nb;
	for (uint64_t sec = from; sec <= to; sec++) {
		const struct bucket *b = &v->b[sec % v->nb];
		if (b->sec != (int64_t)sec)
			continue;
		session_ticks(v, sec, b->ticks);
		for (uint32_t k = 0; k < b->cap; k++) {
			const struct bkey *key = &b->tab[k];
			if (key->thread == EMPTY)
				continue;
			struct pend_key pk = pend_of(key, (uint32_t)sec);
			session_add(v, sec, &pk);
		}
	}
}

int live_view_pull(struct live_view *v, struct live *l, uint64_t keep_to_s, struct ph_error *err)
{
	pthread_mutex_lock(&l->mu);
	struct pending *p = l->cur;
	l->cur = v->spare;
	pthread_mutex_unlock(&l->mu);
	v->spare = p;

	int rc = 0;
	if (p->broken || apply_defs(v, p->defs, p->dlen) < 0)
		rc = ph_fail(err, PH_ESYSTEM, "out of memory in the live view");
	uint64_t limit = keep_to_s == UINT64_MAX ? UINT64_MAX : keep_to_s + v->window;
	if (keep_to_s == UINT64_MAX && v->ses.hold != UINT64_MAX)
		session_resume(v);
	else if (keep_to_s != UINT64_MAX && v->ses.hold == UINT64_MAX)
		v->ses.hold = keep_to_s;
	uint64_t hold = v->ses.hold;
	v->lost += p->lost;
	v->ses.lost += p->lost;
	for (uint32_t i = 0; rc == 0 && i < p->nsecs; i++) {
		if (p->secs[i].sec > limit)
			continue;
		struct bucket *b = bucket_for(v, p->secs[i].sec);
		if (b)
			b->ticks += p->secs[i].ticks;
		if (p->secs[i].sec <= hold)
			session_ticks(v, p->secs[i].sec, p->secs[i].ticks);
	}
	for (uint32_t i = 0; rc == 0 && i < p->nused; i++) {
		const struct pend_key *k = &p->tab[p->used[i]];
		if (k->sec > limit)
			continue;      /* past what a paused view keeps: discarded, not lost */
		if (k->sec <= hold)
			session_add(v, k->sec, k);
		struct bucket *b = bucket_for(v, k->sec);
		if (b) {
			v->lost += bucket_add(b, k, v->bucket_keys);
		} else {
			uint64_t n = (uint64_t)k->n[0] + k->n[1] + k->n[2] + k->n[3];
			v->lost += n;
		}
	}
	pending_clear(p);
	return rc;
}

/* ---- computing the screen's figures ----------------------------------------- */

static int resize_one(void *pp, size_t n, size_t elem)
{
	void **p = pp;
	void *q = realloc(*p, (n ? n : 1) * elem);
	if (!q)
		return -1;
	*p = q;
	return 0;
}

/* The scratch arrays sized for the view's definitions. scount stays zeroed
 * between computes (compute clears what it touched). */
static int scratch(struct live_view *v)
{
	size_t ns = (size_t)v->nstacks + 1;
	if (v->cstack < ns) {
		size_t n = ns + ns / 2 + 256;
		if (resize_one(&v->scount, n, sizeof *v->scount) < 0 ||
		    resize_one(&v->stouched, n, sizeof *v->stouched) < 0)
			return -1;
		memset(v->scount, 0, n * sizeof *v->scount);
		v->cstack = n;
	}
	if (v->cfunc < v->nfuncs) {
		size_t n = (size_t)v->nfuncs + v->nfuncs / 2 + 64;
		if (resize_one(&v->fown, n, sizeof(uint64_t)) < 0 || resize_one(&v->ftot, n, sizeof(uint64_t)) < 0 ||
		    resize_one(&v->d_caller, n, sizeof(uint64_t)) < 0 ||
		    resize_one(&v->d_callee, n, sizeof(uint64_t)) < 0 ||
		    resize_one(&v->d_cstamp, n, sizeof(uint32_t)) < 0 ||
		    resize_one(&v->d_kstamp, n, sizeof(uint32_t)) < 0)
			return -1;
		v->cfunc = n;
	}
	if (v->cline < v->nlines) {
		size_t n = (size_t)v->nlines + v->nlines / 2 + 64;
		if (resize_one(&v->lown, n, sizeof(uint64_t)) < 0 || resize_one(&v->ltot, n, sizeof(uint64_t)) < 0 ||
		    resize_one(&v->d_lown, n, sizeof(uint64_t)) < 0 ||
		    resize_one(&v->d_ltot, n, sizeof(uint64_t)) < 0 ||
		    resize_one(&v->d_lstamp, n, sizeof(uint32_t)) < 0)
			return -1;
		v->cline = n;
	}
	size_t nk = v->nfuncs > v->nlines ? v->nfuncs : v->nlines;
	if (v->crowmap < nk) {
		if (resize_one(&v->rowmap, nk + 64, sizeof *v->rowmap) < 0)
			return -1;
		v->crowmap = nk + 64;
	}
	if (v->cthread < (size_t)v->nthreads + 1) {
		size_t n = (size_t)v->nthreads + 64;
		if (resize_one(&v->tcount, n, sizeof *v->tcount) < 0 || resize_one(&v->tlist, n, sizeof *v->tlist) < 0)
			return -1;
		v->cthread = n;
	}
	return 0;
}

static uint64_t masked(const uint32_t n[NCLASS], enum live_mode m)
{
	switch (m) {
	case LIVE_CPU: return (uint64_t)n[1] + n[3];            /* PROF_RUNNING */
	case LIVE_GIL: return (uint64_t)n[2] + n[3];            /* PROF_HOLDS_GIL */
	default: return (uint64_t)n[0] + n[1] + n[2] + n[3];
	}
}

static void fill_shares(struct stats_row *row, uint64_t n)
{
	row->own = n ? (double)row->samples_own / (double)n : 0.0;
	row->total = n ? (double)row->samples_total / (double)n : 0.0;
	stats_wilson(row->samples_own, n, STATS_Z95, &row->own_lo, &row->own_hi);
	stats_wilson(row->samples_total, n, STATS_Z95, &row->total_lo, &row->total_hi);
}

static void fill_drill(struct live_drill_row *d, uint64_t n)
{
	d->own_share = n ? (double)d->own / (double)n : 0.0;
	d->total_share = n ? (double)d->total / (double)n : 0.0;
	stats_wilson(d->total, n, STATS_Z95, &d->total_lo, &d->total_hi);
}

static int cmp_by_name(const void *a, const void *b)
{
	const struct stats_row *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (!c)
		c = strcmp(x->file, y->file);
	if (!c && x->line != y->line)
		c = x->line < y->line ? -1 : 1;
	return c;
}

static int cmp_thread(const void *a, const void *b)
{
	const struct live_thread *x = a, *y = b;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

static int cmp_drill_total(const void *a, const void *b)
{
	const struct live_drill_row *x = a, *y = b;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	int c = strcmp(x->name, y->name);
	return c ? c : strcmp(x->file, y->file);
}

static int cmp_drill_line(const void *a, const void *b)
{
	const struct live_drill_row *x = a, *y = b;
	return (x->line > y->line) - (x->line < y->line);
}

static int matches(const char *filter, const char *name, const char *file)
{
	return !filter || !*filter || strcasestr(name, filter) || strcasestr(file, filter);
}

static const struct vstack *stack_of(const struct live_view *v, uint32_t sid)
{
	return sid < v->nstacks && v->stacks[sid].n ? &v->stacks[sid] : NULL;
}

static const struct bucket *bucket_at(const struct live_view *v, uint64_t sec)
{
	const struct bucket *b = &v->b[sec % v->nb];
	return b->sec == (int64_t)sec ? b : NULL;
}

/* Callers, callees and lines of function F over the stacks counted in
 * scount (stouched[0..nt)). */
static int compute_drill(struct live_view *v, uint32_t F, size_t nt, struct live_result *r)
{
	size_t nf = v->nfuncs, nl = v->nlines;
	memset(v->d_caller, 0, nf * sizeof *v->d_caller);
	memset(v->d_callee, 0, nf * sizeof *v->d_callee);
	memset(v->d_cstamp, 0, nf * sizeof *v->d_cstamp);
	memset(v->d_kstamp, 0, nf * sizeof *v->d_kstamp);
	memset(v->d_lown, 0, nl * sizeof *v->d_lown);
	memset(v->d_ltot, 0, nl * sizeof *v->d_ltot);
	memset(v->d_lstamp, 0, nl * sizeof *v->d_lstamp);
	struct live_drill_row *self = &r->drill_self;
	*self = (struct live_drill_row){ .func = F, .line = -1, .name = live_func_name(v, F),
	                                 .file = live_func_file(v, F) };
	for (size_t t = 0; t < nt; t++) {
		uint32_t sid = v->stouched[t];
		const struct vstack *st = stack_of(v, sid);
		if (!st)
			continue;
		uint64_t n = v->scount[sid];
		const uint32_t *func = v->sdata + st->off, *line = func + st->n, *uf = line + st->n;
		uint32_t j;
		for (j = 0; j < st->nuf && uf[j] != F; j++)
			;
		if (j == st->nuf)
			continue;
		uint32_t stamp = (uint32_t)t + 1;
		self->total += n;
		if (func[0] == F)
			self->own += n;
		for (uint32_t i = 0; i < st->n; i++) {
			if (func[i] != F)
				continue;
			if (i + 1 < st->n && v->d_cstamp[func[i + 1]] != stamp) {
				v->d_cstamp[func[i + 1]] = stamp;
				v->d_caller[func[i + 1]] += n;
			}
			if (i > 0 && v->d_kstamp[func[i - 1]] != stamp) {
				v->d_kstamp[func[i - 1]] = stamp;
				v->d_callee[func[i - 1]] += n;
			}
			if (v->d_lstamp[line[i]] != stamp) {
				v->d_lstamp[line[i]] = stamp;
				v->d_ltot[line[i]] += n;
			}
			if (i == 0)
				v->d_lown[line[i]] += n;
		}
	}
	fill_drill(self, r->samples);
	size_t need = 2 * nf + nl + 1;
	if (v->cd_rows < need) {
		if (resize_one(&v->d_rows, need, sizeof *v->d_rows) < 0)
			return -1;
		v->cd_rows = need;
	}
	size_t k = 0;
	for (int pass = 0; pass < 2; pass++) {
		const uint64_t *cnt = pass == 0 ? v->d_caller : v->d_callee;
		size_t start = k;
		for (uint32_t f = 0; f < nf; f++) {
			if (!cnt[f])
				continue;
			struct live_drill_row *d = &v->d_rows[k++];
			*d = (struct live_drill_row){ .func = f, .line = -1, .name = live_func_name(v, f),
			                              .file = live_func_file(v, f), .total = cnt[f] };
			fill_drill(d, r->samples);
		}
		qsort(v->d_rows + start, k - start, sizeof *v->d_rows, cmp_drill_total);
		if (k - start > LIVE_DRILL_MAX)
			k = start + LIVE_DRILL_MAX;
		if (pass == 0)
			r->ncallers = k - start;
		else
			r->ncallees = k - start;
	}
	size_t start = k;
	for (uint32_t li = 0; li < nl; li++) {
		if (!v->d_ltot[li] || v->lines[li].func != F)
			continue;
		struct live_drill_row *d = &v->d_rows[k++];
		*d = (struct live_drill_row){ .func = F, .line = v->lines[li].line, .name = self->name,
		                              .file = self->file, .own = v->d_lown[li], .total = v->d_ltot[li] };
		fill_drill(d, r->samples);
	}
	qsort(v->d_rows + start, k - start, sizeof *v->d_rows, cmp_drill_line);
	if (k - start > LIVE_DRILL_MAX)
		k = start + LIVE_DRILL_MAX;
	r->ndlines = k - start;
	r->callers = v->d_rows;
	r->callees = v->d_rows + r->ncallers;
	r->dlines = v->d_rows + r->ncallers + r->ncallees;
	r->drill_firstline = live_func_firstline(v, F);
	r->drill_ok = 1;
	return 0;
}

/* The heatmap: the hottest rows (by own share in the window) and their own
 * share in each of the last hcols seconds. */
static int compute_heat(struct live_view *v, const struct live_query *q, size_t nsel, struct live_result *r)
{
	/* a column is one second of the window (the last hcols, right-aligned:
	 * columns before the start stay empty), or a run of session buckets */
	unsigned limit = q->session ? (unsigned)nsel : v->window;
	unsigned hcols = q->heat_cols < limit ? q->heat_cols : limit;
	unsigned hrows = q->heat_rows;
	if (!hcols || !hrows || !r->nrows)
		return 0;
	if (v->chrow < r->nrows) {
		if (resize_one(&v->hrow, r->nrows, sizeof *v->hrow) < 0)
			return -1;
		v->chrow = r->nrows;
	}
	memcpy(v->hrow, r->rows, r->nrows * sizeof *v->hrow);
	stats_sort(v->hrow, r->nrows, STATS_BY_OWN);
	unsigned n = 0;
	while (n < hrows && n < r->nrows && v->hrow[n].samples_own)
		n++;
	if (!n)
		return 0;
	size_t ncell = (size_t)n * hcols;
	if (v->ccells < ncell) {
		if (resize_one(&v->cells, ncell, sizeof *v->cells) < 0 ||
		    resize_one(&v->hcount, ncell, sizeof *v->hcount) < 0)
			return -1;
		v->ccells = ncell;
	}
	if (v->ccols < hcols) {
		if (resize_one(&v->col_samples, hcols, sizeof *v->col_samples) < 0)
			return -1;
		v->ccols = hcols;
	}
	memset(v->hcount, 0, ncell * sizeof *v->hcount);
	memset(v->col_samples, 0, hcols * sizeof *v->col_samples);
	size_t nk = q->lines ? v->nlines : v->nfuncs;
	memset(v->rowmap, 0xff, nk * sizeof *v->rowmap);
	for (unsigned i = 0; i < n; i++) {
		uint32_t key = q->lines ? line_id(v, v->hrow[i].func, v->hrow[i].line) : v->hrow[i].func;
		if (key < nk)
			v->rowmap[key] = (int32_t)i;
	}
	for (size_t si = 0; si < nsel; si++) {
		const struct bucket *b = v->sel[si];
		long cc = q->session ? (long)(si * hcols / nsel) : (long)si - (long)nsel + (long)hcols;
		if (!b || cc < 0 || cc >= (long)hcols)
			continue;
		unsigned c = (unsigned)cc;
		for (uint32_t i = 0; i < b->cap; i++) {
			const struct bkey *k = &b->tab[i];
			if (k->thread == EMPTY || (q->thread >= 0 && k->thread != (uint64_t)q->thread))
				continue;
			uint64_t m = masked(k->n, q->mode);
			if (!m)
				continue;
			v->col_samples[c] += m;
			const struct vstack *st = stack_of(v, k->stack);
			if (!st)
				continue;
			const uint32_t *func = v->sdata + st->off;
			uint32_t key = q->lines ? func[st->n] : func[0];
			if (key < nk && v->rowmap[key] >= 0)
				v->hcount[(size_t)v->rowmap[key] * hcols + c] += m;
		}
	}
	for (unsigned i = 0; i < n; i++)
		for (unsigned c = 0; c < hcols; c++) {
			uint64_t d = v->col_samples[c];
			v->cells[(size_t)i * hcols + c] = d ? (float)((double)v->hcount[(size_t)i * hcols + c] / (double)d)
			                                    : -1.0f;
		}
	r->hrows = n;
	r->hcols = hcols;
	r->hrow = v->hrow;
	r->cells = v->cells;
	r->col_samples = v->col_samples;
	return 0;
}

int live_view_compute(struct live_view *v, const struct live_query *q, struct live_result *r,
                      struct ph_error *err)
{
	memset(r, 0, sizeof *r);
	r->gil_held = -1;
	if (scratch(v) < 0)
		return ph_fail(err, PH_ESYSTEM, "out of memory in the live view");
	uint64_t to = q->to_s, from = to + 1 > v->window ? to + 1 - v->window : 0;
	size_t nsel = 0;
	if (v->csel < v->window + LIVE_SESSION_BUCKETS) {
		if (resize_one(&v->sel, v->window + LIVE_SESSION_BUCKETS, sizeof *v->sel) < 0)
			return ph_fail(err, PH_ESYSTEM, "out of memory in the live view");
		v->csel = v->window + LIVE_SESSION_BUCKETS;
	}
	if (q->session) {
		/* the whole session (to_s is ignored: a paused session holds its end) */
		const struct session *S = &v->ses;
		for (uint32_t i = 0; i < S->used; i++)
			v->sel[nsel++] = &S->b[i];
		r->session = 1;
		r->col_s = S->started ? S->width : 1;
		from = S->started ? S->origin : 0;
		to = S->started ? S->last : 0;
		r->seconds = S->started ? (double)(to - from + 1) : 0;
		r->lost = S->lost;
	} else {
		for (uint64_t s = from; s <= to; s++) {
			const struct bucket *b = bucket_at(v, s);
			v->sel[nsel++] = b;
			r->seconds += b != NULL;
		}
		r->col_s = 1;
	}
	r->from_s = from;
	r->to_s = to;
	r->rate_hz = v->rate;
	memset(v->tcount, 0, ((size_t)v->nthreads + 1) * sizeof *v->tcount);

	/* samples per stack over the selection */
	size_t nt = 0;
	for (size_t si = 0; si < nsel; si++) {
		const struct bucket *b = v->sel[si];
		if (!b)
			continue;
		r->ticks += b->ticks;
		if (!q->session)
			r->lost += b->lost;
		for (uint32_t i = 0; i < b->cap; i++) {
			const struct bkey *k = &b->tab[i];
			if (k->thread == EMPTY)
				continue;
			if (k->thread < v->nthreads)
				v->tcount[k->thread] += (uint64_t)k->n[0] + k->n[1] + k->n[2] + k->n[3];
			if (q->thread >= 0 && k->thread != (uint64_t)q->thread)
				continue;
			uint64_t n = masked(k->n, q->mode);
			if (!n)
				continue;
			r->samples += n;
			uint32_t sid = k->stack < v->nstacks ? k->stack : v->nstacks;
			if (!v->scount[sid])
				v->stouched[nt++] = sid;
			v->scount[sid] += n;
		}
	}
	r->cores_busy = r->ticks ? (double)r->samples / (double)r->ticks : 0.0;

	/* own and total per function and line */
	memset(v->fown, 0, v->nfuncs * sizeof *v->fown);
	memset(v->ftot, 0, v->nfuncs * sizeof *v->ftot);
	memset(v->lown, 0, v->nlines * sizeof *v->lown);
	memset(v->ltot, 0, v->nlines * sizeof *v->ltot);
	for (size_t t = 0; t < nt; t++) {
		uint32_t sid = v->stouched[t];
		uint64_t n = v->scount[sid];
		const struct vstack *st = stack_of(v, sid);
		if (!st) {
			r->samples_empty += n;
			continue;
		}
		const uint32_t *func = v->sdata + st->off, *line = func + st->n, *uf = line + st->n,
		               *ul = uf + st->nuf;
		v->fown[func[0]] += n;
		v->lown[line[0]] += n;
		for (uint32_t j = 0; j < st->nuf; j++)
			v->ftot[uf[j]] += n;
		for (uint32_t j = 0; j < st->nul; j++)
			v->ltot[ul[j]] += n;
	}

	/* rows */
	size_t nkeys = q->lines ? v->nlines : v->nfuncs;
	if (v->crows < nkeys) {
		if (resize_one(&v->rows, nkeys, sizeof *v->rows) < 0)
			goto oom;
		v->crows = nkeys;
	}
	for (uint32_t key = 0; key < nkeys; key++) {
		uint64_t tot = q->lines ? v->ltot[key] : v->ftot[key];
		if (!tot)
			continue;
		r->nrows_all++;
		uint32_t fu = q->lines ? v->lines[key].func : key;
		const char *name = live_func_name(v, fu), *file = live_func_file(v, fu);
		if (!matches(q->filter, name, file))
			continue;
		struct stats_row *row = &v->rows[r->nrows++];
		*row = (struct stats_row){ .func = fu, .line = q->lines ? v->lines[key].line : -1,
		                           .name = name, .file = file,
		                           .samples_own = q->lines ? v->lown[key] : v->fown[key],
		                           .samples_total = tot };
		fill_shares(row, r->samples);
	}
	r->rows = v->rows;
	if (q->sort == LIVE_BY_NAME)
		qsort(r->rows, r->nrows, sizeof *r->rows, cmp_by_name);
	else
		stats_sort(r->rows, r->nrows, q->sort == LIVE_BY_TOTAL ? STATS_BY_TOTAL : STATS_BY_OWN);

	if (compute_heat(v, q, nsel, r) < 0)
		goto oom;
	if (q->drill >= 0 && (uint64_t)q->drill < v->nfuncs && compute_drill(v, (uint32_t)q->drill, nt, r) < 0)
		goto oom;

	/* threads seen in the window */
	for (uint32_t t = 0; t < v->nthreads; t++) {
		if (!v->tcount[t])
			continue;
		const struct vthread *th = &v->threads[t];
		v->tlist[r->nthreads++] = (struct live_thread){ t, th->pid, th->tid, vstr(v, th->name),
		                                                v->tcount[t] };
	}
	qsort(v->tlist, r->nthreads, sizeof *v->tlist, cmp_thread);
	r->threads = v->tlist;

	/* the GIL: samples of a thread holding it per tick, over the last seconds */
	uint64_t gil = 0, gticks = 0;
	for (uint64_t s = to + 1 > GIL_SECONDS ? to + 1 - GIL_SECONDS : 0; s <= to; s++) {
		const struct bucket *b = bucket_at(v, s);
		if (!b)
			continue;
		gticks += b->ticks;
		for (uint32_t i = 0; i < b->cap; i++)
			if (b->tab[i].thread != EMPTY)
				gil += (uint64_t)b->tab[i].n[2] + b->tab[i].n[3];
	}
	if (gticks)
		r->gil_held = gil > gticks ? 1.0 : (double)gil / (double)gticks;

	for (size_t t = 0; t < nt; t++)
		v->scount[v->stouched[t]] = 0;
	return 0;
oom:
	for (size_t t = 0; t < nt; t++)
		v->scount[v->stouched[t]] = 0;
	return ph_fail(err, PH_ESYSTEM, "out of memory in the live view");
}
