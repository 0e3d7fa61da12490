/* walker.c — read every thread's Python stack. See include/walker.h.
 *
 * Reads go through fetch(), which records every (address, length) a sample
 * touched. The next sample starts by reading all of those regions, merged
 * where they sit close together, in one process_vm_readv: in a steady state
 * (same threads, same frames, same code objects) a whole sample of every
 * thread is one system call, and the walk then runs on local copies. A region
 * that moved or vanished is simply a miss, read on its own and remembered for
 * the next sample. Correctness never depends on the prediction.
 *
 * Time order matters for one check: a code object's fingerprint must be read
 * no earlier than the frame that points to it, or a frame re-used for a new
 * code object at a freed one's address would be matched against the old
 * object's bytes and named after it. So the fingerprint reads form a second,
 * "late" group of regions, after every other region in the same call (the
 * kernel copies iovecs in order), and are read again on their own when any
 * frame of the stack had to be read after the batch.
 *
 * Where the interpreter counts the code objects it creates (3.12+), that
 * counter is read in the batch after the frames and before the fingerprints:
 * while it has not moved since a code object was checked, no code object can
 * have taken a freed one's address, and the fingerprint read is skipped.
 *
 * Three more reads are remembered rather than repeated: the interpreter list
 * head and the GIL pointer (re-read every HEAD_RECHECK samples, or at once
 * when a thread state no longer points back at its interpreter), and each
 * C-stack entry frame (3.12+), which stays as written while the frame pushed
 * on it lives (re-read every ENTRY_RECHECK samples, and whenever another
 * frame sits on it). Each of those is a page, and a page costs about as much
 * as the bytes a thread's whole stack copies.
 *
 * And a thread that has run no Python code since its last walk is not walked
 * again: where the GIL counts its switches between threads (3.7+ GIL
 * builds), a thread that did not hold it since is given the stack it had
 * (idle_since() has the proof), and walked again only every IDLE_REUSE
 * samples. Its frames stay in the batch for PARK_AFTER samples (a thread
 * that waits for the GIL gets it back soon), then leave it: the walk that
 * comes when a parked thread wakes reads them apart first, in one call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linetable.h"
#include "proc.h"
#include "pyobj.h"
#include "walker.h"

#define ARENA_BYTES    (64u << 20)  /* names, files, line tables of cached code objects */
#define CODE_CAP       WALK_CODE_CAP
#define CODE_SLOTS     (CODE_CAP * 2)
#define TYPE_CAP       WALK_TYPE_CAP
#define NAME_MAX_BYTES 2048
#define LINETABLE_MAX  (256u << 10)
#define PLAN_REGIONS   1024         /* iovecs in the batched read (the kernel's IOV_MAX) */
#define PLAN_BYTES     (2u << 20)   /* bytes prefetched per sample, at most */
#define SAMPLE_BYTES   (4u << 20)   /* prefetched + missed bytes of one sample */
#define TOUCH_MAX      16384        /* reads remembered from one sample */
#define MERGE_GAP      256          /* regions this close are read as one ... */
#define MERGE_GAP_HEAD 512          /* ... in G_HEAD (an interpreter and its GIL), this close.
                                     * Frames merged wider were seen named after dead ones
                                     * (churn test, 3.10): a wide region reads memory the walk
                                     * reaches only through torn pointers. */
#define MERGE_MAX      (64u << 10)  /* largest merged region */
#define FETCH_MAX      (64u << 10)  /* largest single fetch */
#define PLAN_REFRESH   64           /* samples between plan rebuilds when nothing missed */
#define PLAN_KEEP      4            /* rebuilds an untouched region stays in the plan */
#define LINE_CACHE     8192         /* (code, offset) -> line, direct-mapped */
#define FP_SPAN_MAX    192          /* bytes of a code object holding its fingerprint fields */
#define OBJ_READ_MAX   1024         /* largest header we read of a frame/code/thread state */
#define GEN_RECHECK    64           /* samples between fingerprint checks of every code object
                                     * even while the code counter stands still */
#define HEAD_RECHECK   64           /* samples the interpreter head and GIL pointer are kept */
#define ENTRY_SLOTS    256          /* C-stack entry frames remembered (direct-mapped) */
#define ENTRY_RECHECK  64           /* samples an entry frame is trusted without a read */
#define IDLE_SLOTS     256          /* threads whose last stack is remembered (direct-mapped) */
#define IDLE_FRAMES    128          /* ... when it is at most this deep */
#define IDLE_TOUCHES   32           /* ... and its frames were read in at most this many pieces
                                     * (one per frame object on <= 3.10) */
#define IDLE_REUSE     64           /* samples a remembered stack stands in before a fresh walk */
#define PARK_AFTER     16           /* samples idle after which a thread's frames leave the batch */

/* Read groups, in the order the batch reads them. A pointer is read before
 * what it points to: the thread states (and everything that leads to them)
 * before the frames, or a frame placed at a recycled address just after the
 * batch read its bytes could be named after whatever dead frame those bytes
 * were, and that frame's long-freed code object (whose fingerprint fields
 * outlive it in freed memory). Then the code counters, then the
 * fingerprints. Within a group the batch reads by address. */
enum { G_HEAD, G_FRAMES, G_GEN, G_FP, G_COUNT };

struct type_entry { uint64_t addr; const char *name; };

struct walker {
	struct target *t;
	const struct py_layout *l;
	struct code_info *codes;
	uint32_t ncodes;
	uint32_t *slots;               /* open addressing: code index + 1, 0 = empty */
	uint32_t *verified;            /* per code: epoch of its last validation */
	uint64_t *verified_gen;        /* per code: the code counter read before its last check */
	uint32_t epoch;
	uint64_t gen;                  /* this sample's code counter(s), 0 when unknown */
	int recheck;                   /* this sample checks every fingerprint, outside the plan */
	int fp_fetched;                /* this sample fetched a fingerprint */
	uint64_t gen_addr[WALK_MAX_INTERPS];
	int ngen;
	uint64_t head_cache;           /* the interpreter list head, as last read */
	uint64_t gil_ptr;              /* the GIL pointer of head_cache, as last read (0: not read) */
	uint64_t head_read_at;         /* sample number of that read */
	struct entry_memo { uint64_t addr, child, prev, seen; } *entries;
	/* each thread's last stack, with the GIL reading it was walked under:
	 * it stands in for a walk while the GIL proves the thread idle */
	struct idle_memo {
		uint64_t tstate, top, gil, switches, last_holder;
		uint64_t walked_at, flushes;     /* sample number; cache generation of its ids */
		int depth, ntouch;
		unsigned idle_run;               /* samples in a row it was proved idle */
		struct touch { uint64_t addr; uint32_t len; uint32_t group; } touch[IDLE_TOUCHES];
		struct frame_ref frames[IDLE_FRAMES];
	} *idle;
	struct type_entry *types;
	uint32_t ntypes;
	char *arena;
	size_t arena_used;
	uint32_t fp_lo, fp_len;        /* span of the code object holding the fingerprint fields */
	uint32_t tstate_read;          /* bytes of a thread state that hold every field used */
	uint32_t interp_lo, interp_len;/* span of an interpreter state holding every field used */
	/* this sample's prefetched regions and their bytes, group after group
	 * (gstart[g] .. gstart[g + 1]), each group sorted by address */
	struct region { uint64_t addr; uint32_t len, off; uint16_t age; uint8_t group; } *regions;
	struct region *carry;          /* scratch: the last plan's regions while rebuilding */
	uint8_t *region_ok;
	int nregions, gstart[G_COUNT + 1];
	int hint;                      /* the region of the last prefetched read */
	/* a parked thread's frames, read apart for its walk (G_FRAMES only) */
	struct remote_iov aux[IDLE_TOUCHES];
	uint8_t aux_ok[IDLE_TOUCHES];
	int naux;
	uint8_t *buf;
	size_t buf_used;
	/* what this sample read: the next sample's plan */
	struct touch *touched;
	int ntouched;
	size_t plan_bytes;             /* bytes of buf the plan's regions fill */
	uint64_t misses_at_plan;       /* fetch_misses when the plan was made */
	struct remote_iov *plan_iov;
	struct { uint64_t key; int32_t line; } *lines;
	int want_os_state;
	struct task_stat_cache *tasks;
	struct host_tid_map *host_tids;
	/* per-stack scratch, sized for WALK_MAX_FRAMES */
	uint64_t *code_addr, *lasti_addr, *self_obj, *frame_addr;
	uint32_t *ids;
	int32_t *lasti;
	struct walker_stats stats;
};

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
	return h;
}

static uint64_t ld64(const uint8_t *p, uint32_t off)
{
	uint64_t v;
	memcpy(&v, p + off, 8);
	return v;
}

static int32_t ld32(const uint8_t *p, uint32_t off)
{
	int32_t v;
	memcpy(&v, p + off, 4);
	return v;
}

/* Fingerprint of a code object from its header bytes, `base` being the
 * offset that `hdr` starts at. */
static uint64_t code_fingerprint(const struct py_layout *l, const uint8_t *hdr, uint32_t base)
{
	uint64_t h = 0x5eed;
	h = mix(h, ld64(hdr, l->code.filename - base));
	h = mix(h, ld64(hdr, l->code.name - base));
	h = mix(h, ld64(hdr, l->code.linetable - base));
	h = mix(h, (uint64_t)(uint32_t)ld32(hdr, l->code.firstlineno - base));
	if (l->code.qualname != LAYOUT_NONE)
		h = mix(h, ld64(hdr, l->code.qualname - base));
	return h;
}

/* Is the code object whose header starts at `hdr` (at address addr) alive?
 * A torn walk can reach a dead frame (<= 3.10: one on the frame free list,
 * linked to older ones) whose code object was freed long ago while its
 * fields, fingerprint included, still sit in the freed memory. Freeing
 * overwrites the first word: pymalloc links the block to its pool's free
 * list (a pointer to another block of the same pool, 16 KiB at most, or
 * NULL), glibc writes its own pointers over the first two (ob_type no
 * longer the code type). A live refcount is not 0 and never a value within
 * a pool of the object's own address: that needs a count in the millions
 * even for an object in the lowest heap there is (a non-PIE interpreter
 * without address randomization has its heap at 11 MiB, so "near" must not
 * mean megabytes). Immortal counts (top bit of the low half, 3.12+) pass.
 * Free-threaded builds keep a thread id there: not looked at. */
#define POOL_SPAN (64u << 10)   /* pymalloc pools are 4 KiB (<= 3.9) or 16 KiB */

static int code_alive(const struct walker *w, const uint8_t *hdr, uint64_t addr)
{
	const struct py_layout *l = w->l;
	if (w->t->code_type && ld64(hdr, l->object.ob_type) != w->t->code_type)
		return 0;
	if (l->free_threaded)
		return 1;
	uint64_t refcnt = ld64(hdr, l->object.ob_type - 8);
	if ((uint32_t)refcnt >= 0x80000000u)
		return 1;
	uint64_t dist = refcnt > addr ? refcnt - addr : addr - refcnt;
	return refcnt != 0 && !(refcnt >= 0x10000 && dist < POOL_SPAN);
}

static void span_include(uint32_t *lo, uint32_t *hi, uint32_t off, uint32_t size)
{
	if (off == LAYOUT_NONE)
		return;
	if (off < *lo)
		*lo = off;
	if (off + size > *hi)
		*hi = off + size;
}

struct walker *walker_new(struct target *t, struct ph_error *err)
{
	struct walker *w = calloc(1, sizeof *w);
	if (!w)
		goto oom;
	w->t = t;
	w->l = &t->layout;
	w->codes = calloc(CODE_CAP, sizeof *w->codes);
	w->slots = calloc(CODE_SLOTS, sizeof *w->slots);
	w->verified = calloc(CODE_CAP, sizeof *w->verified);
	w->verified_gen = calloc(CODE_CAP, sizeof *w->verified_gen);
	w->entries = calloc(ENTRY_SLOTS, sizeof *w->entries);
	w->idle = calloc(IDLE_SLOTS, sizeof *w->idle);
	w->types = calloc(TYPE_CAP, sizeof *w->types);
	w->arena = malloc(ARENA_BYTES);
	w->code_addr = malloc(WALK_MAX_FRAMES * sizeof *w->code_addr);
	w->lasti_addr = malloc(WALK_MAX_FRAMES * sizeof *w->lasti_addr);
	w->self_obj = malloc(WALK_MAX_FRAMES * sizeof *w->self_obj);
	w->frame_addr = malloc(WALK_MAX_FRAMES * sizeof *w->frame_addr);
	w->ids = malloc(WALK_MAX_FRAMES * sizeof *w->ids);
	w->lasti = malloc(WALK_MAX_FRAMES * sizeof *w->lasti);
	w->regions = malloc(PLAN_REGIONS * sizeof *w->regions);
	w->carry = malloc(PLAN_REGIONS * sizeof *w->carry);
	w->region_ok = malloc(PLAN_REGIONS);
	w->buf = malloc(SAMPLE_BYTES);
	w->touched = malloc(TOUCH_MAX * sizeof *w->touched);
	w->plan_iov = malloc(PLAN_REGIONS * sizeof *w->plan_iov);
	w->lines = calloc(LINE_CACHE, sizeof *w->lines);
	w->tasks = malloc(sizeof *w->tasks);
	w->host_tids = malloc(sizeof *w->host_tids);
	if (!w->host_tids)
		goto oom;
	host_tid_map_init(w->host_tids, t->pid);
	if (!w->regions || !w->carry || !w->region_ok || !w->buf || !w->touched || !w->plan_iov || !w->lines ||
	    !w->tasks)
		goto oom;
	task_stat_cache_init(w->tasks, t->pid);
	w->want_os_state = 1;
	if (!w->codes || !w->slots || !w->verified || !w->verified_gen || !w->entries || !w->idle || !w->types || !w->arena || !w->code_addr ||
	    !w->lasti_addr || !w->self_obj || !w->frame_addr || !w->ids || !w->lasti)
		goto oom;
	const struct py_layout *l = w->l;
	uint32_t lo = 0, hi = 0;   /* from the header on: code_alive() looks at it */
	span_include(&lo, &hi, l->object.ob_type, 8);
	span_include(&lo, &hi, l->code.filename, 8);
	span_include(&lo, &hi, l->code.name, 8);
	span_include(&lo, &hi, l->code.qualname, 8);
	span_include(&lo, &hi, l->code.linetable, 8);
	span_include(&lo, &hi, l->code.firstlineno, 4);
	uint32_t ts_lo = 0, ts_hi = 0;
	span_include(&ts_lo, &ts_hi, l->tstate.next, 8);
	span_include(&ts_lo, &ts_hi, l->tstate.interp, 8);
	span_include(&ts_lo, &ts_hi, l->tstate.frame, 8);
	span_include(&ts_lo, &ts_hi, l->tstate.cframe, 8);
	span_include(&ts_lo, &ts_hi, l->tstate.current_frame, 8);
	span_include(&ts_lo, &ts_hi, l->tstate.thread_id, 8);
	span_include(&ts_lo, &ts_hi, l->tstate.native_thread_id, 8);
	span_include(&ts_lo, &ts_hi, l->tstate.datastack_chunk, 8);
	span_include(&ts_lo, &ts_hi, l->tstate.status, 4);
	w->tstate_read = ts_hi;
	uint32_t is_lo = UINT32_MAX, is_hi = 0;
	span_include(&is_lo, &is_hi, l->interp.next, 8);
	span_include(&is_lo, &is_hi, l->interp.tstate_head, 8);
	span_include(&is_lo, &is_hi, l->interp.id, 8);
	/* not gil_ptr: on 3.12+ it sits kilobytes further on, and reading the
	 * span between would copy a page or two per sample for 8 bytes */
	w->interp_lo = is_lo;
	w->interp_len = is_hi - is_lo;
	if (hi - lo > FP_SPAN_MAX || ts_hi > 4 * OBJ_READ_MAX || is_hi - is_lo > FETCH_MAX || l->frame.size > OBJ_READ_MAX || l->code.size > OBJ_READ_MAX ||
	    0) {
		walker_free(w);
		ph_fail(err, PH_EUNSUPPORTED, "CPython %s has a layout pyheat cannot read", t->version);
		return NULL;
	}
	w->fp_lo = lo;
	w->fp_len = hi - lo;
	w->epoch = 1;
	return w;
oom:
	walker_free(w);
	ph_fail(err, PH_ESYSTEM, "out of memory");
	return NULL;
}

void walker_free(struct walker *w)
{
	if (!w)
		return;
	free(w->codes);
	free(w->slots);
	free(w->verified);
	free(w->verified_gen);
	free(w->entries);
	free(w->idle);
	free(w->types);
	free(w->arena);
	free(w->code_addr);
	free(w->lasti_addr);
	free(w->self_obj);
	free(w->frame_addr);
	free(w->ids);
	free(w->lasti);
	free(w->regions);
	free(w->carry);
	free(w->region_ok);
	free(w->buf);
	free(w->touched);
	free(w->plan_iov);
	free(w->lines);
	if (w->tasks)
		task_stat_cache_close(w->tasks);
	free(w->tasks);
	free(w->host_tids);
	free(w);
}

uint64_t walker_generation(const struct walker *w)
{
	return w->stats.cache_flushes;
}

int walker_plan(const struct walker *w, const struct remote_iov **iov)
{
	*iov = w->plan_iov;
	return w->nregions;
}

void walker_get_stats(const struct walker *w, struct walker_stats *out)
{
	*out = w->stats;
}

const struct code_info *walker_code(const struct walker *w, uint32_t id)
{
	return id < w->ncodes ? &w->codes[id] : NULL;
}

const char *walker_type_name(const struct walker *w, uint32_t id)
{
	return id < w->ntypes ? w->types[id].name : NULL;
}

/* ---- lists read from the target ----------------------------------------- */

/* Brent's cycle check for a linked list whose links come from the target: a
 * torn read can make one loop. loop_closed() is true once `addr` repeats;
 * constant state, and a loop is seen within about twice its length plus the
 * steps before it. */
struct loop_check {
	uint64_t mark;
	unsigned power, steps;
};
#define LOOP_CHECK_INIT { 0, 1, 0 }

static int loop_closed(struct loop_check *c, uint64_t addr)
{
	if (addr == c->mark)
		return 1;
	if (++c->steps == c->power) {
		c->mark = addr;
		c->power *= 2;
		c->steps = 0;
	}
	return 0;
}

/* ---- arena and caches ---------------------------------------------------- */

static void cache_flush(struct walker *w)
{
	w->ncodes = 0;
	w->ntypes = 0;
	w->arena_used = 0;
	memset(w->slots, 0, CODE_SLOTS * sizeof *w->slots);
	memset(w->types, 0, TYPE_CAP * sizeof *w->types);
	memset(w->lines, 0, LINE_CACHE * sizeof *w->lines);
	w->stats.cache_flushes++;
}

static void *arena_alloc(struct walker *w, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (w->arena_used + n > ARENA_BYTES)
		return NULL;
	void *p = w->arena + w->arena_used;
	w->arena_used += n;
	return p;
}

static const char *arena_str(struct walker *w, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(w, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static uint32_t slot_of(uint64_t addr)
{
	return (uint32_t)((addr >> 4) * 0x9e3779b97f4a7c15ULL >> 40) % CODE_SLOTS;
}

static uint32_t code_lookup(const struct walker *w, uint64_t addr)
{
	for (uint32_t s = slot_of(addr), n = 0; n < CODE_SLOTS; n++, s = (s + 1) % CODE_SLOTS) {
		uint32_t v = w->slots[s];
		if (!v)
			return CODE_NONE;
		if (w->codes[v - 1].addr == addr)
			return v - 1;
	}
	return CODE_NONE;
}

static void code_insert(struct walker *w, uint64_t addr, uint32_t id)
{
	for (uint32_t s = slot_of(addr), n = 0; n < CODE_SLOTS; n++, s = (s + 1) % CODE_SLOTS) {
		uint32_t v = w->slots[s];
		if (!v || w->codes[v - 1].addr == addr) {
			w->slots[s] = id + 1;
			return;
		}
	}
}

/* Is the object at `obj` (whose ob_type is `type`) a code object? */
static int is_code_type(struct walker *w, uint64_t type)
{
	if (w->t->code_type)
		return type == w->t->code_type;
	/* No PyCode_Type symbol: learn it from the type's name once. */
	char name[16];
	uint64_t tp_name;
	if (remote_read_u64(&w->t->mem, type + w->l->type.tp_name, &tp_name) < 0 ||
	    !remote_ptr_ok(tp_name, 1) || remote_read(&w->t->mem, tp_name, name, 5) < 0)
		return 0;
	if (memcmp(name, "code", 5) != 0)
		return 0;
	w->t->code_type = type;
	return 1;
}

/* Resolve the code object at addr into a new cache entry. Slow path. */
static uint32_t code_resolve(struct walker *w, uint64_t addr)
{
	const struct py_layout *l = w->l;
	const struct remote *r = &w->t->mem;
	uint8_t hdr[OBJ_READ_MAX];
	if (!remote_ptr_ok(addr, 8) || remote_read(r, addr, hdr, l->code.size) < 0 ||
	    !is_code_type(w, ld64(hdr, l->object.ob_type)) || !code_alive(w, hdr, addr))
		return CODE_NONE;
	if (w->ncodes == CODE_CAP || ARENA_BYTES - w->arena_used < LINETABLE_MAX + 3 * NAME_MAX_BYTES)
		cache_flush(w);
	w->stats.code_misses++;

	char name[NAME_MAX_BYTES], file[NAME_MAX_BYTES];
	uint64_t name_obj = l->code.qualname != LAYOUT_NONE ? ld64(hdr, l->code.qualname)
	                                                    : ld64(hdr, l->code.name);
	if (pyobj_read_str(r, l, name_obj, name, sizeof name) < 0 &&
	    pyobj_read_str(r, l, ld64(hdr, l->code.name), name, sizeof name) < 0)
		return CODE_NONE;
	if (pyobj_read_str(r, l, ld64(hdr, l->code.filename), file, sizeof file) < 0)
		return CODE_NONE;

	struct code_info ci = { 0 };
	ci.addr = addr;
	ci.firstlineno = ld32(hdr, l->code.firstlineno);
	ci.fingerprint = code_fingerprint(l, hdr, 0);
	ci.name = arena_str(w, name);
	ci.file = arena_str(w, file);
	uint8_t *lt = arena_alloc(w, LINETABLE_MAX);
	long full = 0;
	long n = lt ? pyobj_read_bytes(r, l, ld64(hdr, l->code.linetable), lt, LINETABLE_MAX, &full) : -1;
	if (n >= 0) {
		ci.linetable = lt;
		ci.linetable_len = (uint32_t)n;
		w->arena_used -= LINETABLE_MAX - (((size_t)n + 7) & ~(size_t)7);
	} else if (lt) {
		w->arena_used -= LINETABLE_MAX;
	}
	/* "Class.method" naming before 3.11: remember whether the first
	 * argument is called self or cls. */
	if (l->code.qualname == LAYOUT_NONE && l->code.varnames != LAYOUT_NONE &&
	    ld32(hdr, l->code.argcount) >= 1) {
		uint64_t names = ld64(hdr, l->code.varnames), first;
		char arg[8];
		if (remote_ptr_ok(names, 8) && remote_read_u64(r, names + l->tuple.items, &first) == 0 &&
		    pyobj_read_str(r, l, first, arg, sizeof arg) >= 0)
			ci.first_arg_name = strcmp(arg, "self") == 0 ? 1 : strcmp(arg, "cls") == 0 ? 2 : 0;
	}
	if (!ci.name || !ci.file)
		return CODE_NONE;
	uint32_t id = w->ncodes++;
	w->codes[id] = ci;
	w->verified[id] = w->epoch;
	code_insert(w, addr, id);
	return id;
}

/* The cache index of a type's name, for "Class.method". */
static uint32_t type_name_id(struct walker *w, uint64_t type)
{
	for (uint32_t i = 0; i < w->ntypes; i++)
		if (w->types[i].addr == type)
			return i;
	if (w->ntypes == TYPE_CAP)
		return CODE_NONE;
	uint64_t tp_name;
	uint8_t raw[256];
	char name[256];
	if (remote_read_u64(&w->t->mem, type + w->l->type.tp_name, &tp_name) < 0 ||
	    !remote_ptr_ok(tp_name, 1) ||
	    (remote_read(&w->t->mem, tp_name, raw, sizeof raw) < 0 &&
	     remote_read(&w->t->mem, tp_name, raw, 32) < 0))
		return CODE_NONE;
	size_t n = strnlen((const char *)raw, sizeof raw - 1);
	utf8_sanitize(raw, n, name, sizeof name);
	/* tp_name of builtins is dotted ("collections.OrderedDict"): keep the last part */
	const char *dot = strrchr(name, '.');
	const char *s = arena_str(w, dot ? dot + 1 : name);
	if (!s)
		return CODE_NONE;
	w->types[w->ntypes].addr = type;
	w->types[w->ntypes].name = s;
	return w->ntypes++;
}

/* ---- batched reads ------------------------------------------------------ */

static uint64_t merge_gap(int group)
{
	return group == G_HEAD ? MERGE_GAP_HEAD : MERGE_GAP;
}

static void touch(struct walker *w, uint64_t addr, uint32_t len, int group)
{
	/* A read next to the last one (a thread's frames, one after another)
	 * widens it, as the plan would merge them anyway: one entry per
	 * thread instead of one per frame to write and sort. */
	if (w->ntouched) {
		struct touch *t = &w->touched[w->ntouched - 1];
		uint64_t lo = t->addr < addr ? t->addr : addr;
		uint64_t hi = t->addr + t->len > addr + len ? t->addr + t->len : addr + len;
		uint64_t gap = merge_gap(group);
		if (t->group == (uint32_t)group && addr <= t->addr + t->len + gap && t->addr <= addr + len + gap &&
		    hi - lo <= MERGE_MAX) {
			t->addr = lo;
			t->len = (uint32_t)(hi - lo);
			return;
		}
	}
	if (w->ntouched < TOUCH_MAX) {
		w->touched[w->ntouched].addr = addr;
		w->touched[w->ntouched].len = len;
		w->touched[w->ntouched].group = (uint32_t)group;
		w->ntouched++;
	}
}

/* `len` bytes at addr from this sample's prefetched regions of `group`, or
 * NULL when they do not hold them. */
static const uint8_t *batch_find(struct walker *w, uint64_t addr, uint32_t len, int group)
{
	for (int i = 0; i < w->naux && group == G_FRAMES; i++)
		if (w->aux_ok[i] && addr >= w->aux[i].addr && addr + len <= w->aux[i].addr + w->aux[i].len)
			return (const uint8_t *)w->aux[i].buf + (addr - w->aux[i].addr);
	int base = w->gstart[group];
	int lo = base, hi = w->gstart[group + 1];
	/* consecutive reads mostly land in one region (a thread's frames in
	 * its data stack): try the last hit first */
	int h = w->hint;
	if (h >= lo && h < hi && w->region_ok[h] && addr >= w->regions[h].addr &&
	    addr + len <= w->regions[h].addr + w->regions[h].len)
		return w->buf + w->regions[h].off + (addr - w->regions[h].addr);
	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (w->regions[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo > base) {
		const struct region *r = &w->regions[lo - 1];
		if (w->region_ok[lo - 1] && addr + len <= r->addr + r->len) {
			w->hint = lo - 1;
			return w->buf + r->off + (addr - r->addr);
		}
	}
	return NULL;
}

/* Read now, outside the plan and its miss count: for reads that are
 * remembered (or periodic), which a plan would repeat every sample. */
static const uint8_t *read_apart(struct walker *w, uint64_t addr, uint32_t len)
{
	if (!remote_ptr_ok(addr, 1) || len == 0 || len > FETCH_MAX || w->buf_used + len > SAMPLE_BYTES)
		return NULL;
	uint8_t *dst = w->buf + w->buf_used;
	if (remote_read(&w->t->mem, addr, dst, len) < 0)
		return NULL;
	w->buf_used += (len + 7) & ~(size_t)7;
	return dst;
}

/* `len` bytes of the target at addr, valid until the next sample begins:
 * from this sample's prefetched regions of `group` when they hold them (and
 * `live` is 0), else read now. Either way the read joins the next plan, in
 * `group`. */
static const uint8_t *fetch_from(struct walker *w, uint64_t addr, uint32_t len, int group, int live)
{
	if (!remote_ptr_ok(addr, 1) || len == 0 || len > FETCH_MAX)
		return NULL;
	touch(w, addr, len, group);
	if (group == G_FP)
		w->fp_fetched = 1;
	const uint8_t *p = live ? NULL : batch_find(w, addr, len, group);
	if (p)
		return p;
	if ((p = read_apart(w, addr, len)))
		w->stats.fetch_misses++;
	return p;
}


static const uint8_t *fetch(struct walker *w, uint64_t addr, uint32_t len)
{
	return fetch_from(w, addr, len, G_HEAD, 0);
}

static int fetch_u64(struct walker *w, uint64_t addr, uint64_t *out)
{
	const uint8_t *p = fetch(w, addr, 8);
	if (!p)
		return -1;
	memcpy(out, p, 8);
	return 0;
}

static int touch_cmp(const void *a, const void *b)
{
	const struct touch *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

static int region_before(const struct region *a, const struct region *b)
{
	return a->group != b->group ? a->group < b->group : a->addr < b->addr;
}

static int regions_overlap(const struct region *a, const struct region *b)
{
	return a->group == b->group && a->addr < b->addr + b->len && b->addr < a->addr + a->len;
}

/* Start a sample: read, in one batch, everything the last sample touched.
 * A sample that missed nothing keeps the plan as it is (no sort), except
 * every PLAN_REFRESH samples.
 *
 * A rebuilt plan also keeps, for PLAN_KEEP rebuilds, the regions of the last
 * plan that this sample did not touch and that overlap nothing it did: in
 * cpu mode the threads walked change from tick to tick (whoever holds the
 * GIL), and a thread walked again after a pause then finds its frames
 * prefetched instead of missing each one (a system call per frame). A region
 * that was touched again is rebuilt from this sample's reads alone, so a
 * stack that got shallower shrinks its region at once. */
static void begin_sample(struct walker *w)
{
	/* fingerprints planned but none fetched: the code counter vouched for
	 * every code object, so drop them from the plan now */
	int idle_fp = w->gstart[G_FP] < w->nregions && !w->fp_fetched;
	w->fp_fetched = 0;
	if (w->stats.samples && w->misses_at_plan == w->stats.fetch_misses && !idle_fp &&
	    w->stats.samples % PLAN_REFRESH != 0) {
		w->ntouched = 0;
		w->buf_used = w->plan_bytes;
		if (w->nregions)
			remote_readv_each(&w->t->mem, w->plan_iov, w->nregions, w->region_ok);
		w->stats.samples++;
		return;
	}
	/* the last plan's regions that may be carried over (sorted as the plan);
	 * counters and fingerprints are read only as the walk asks for them */
	int nc = 0;
	for (int i = 0; i < w->nregions; i++)
		if (w->regions[i].age + 1 <= PLAN_KEEP && w->regions[i].group <= G_FRAMES) {
			w->carry[nc] = w->regions[i];
			w->carry[nc++].age++;
		}
	/* this sample's reads, merged within their group, group after group */
	qsort(w->touched, (size_t)w->ntouched, sizeof *w->touched, touch_cmp);
	int nf = 0;
	size_t bytes = 0;
	for (int i = 0; i < w->ntouched; i++) {
		uint64_t a = w->touched[i].addr, e = a + w->touched[i].len;
		struct region *r = nf && w->regions[nf - 1].group == w->touched[i].group ? &w->regions[nf - 1] : NULL;
		if (r && a <= r->addr + r->len + merge_gap(r->group) &&
		    e - r->addr <= MERGE_MAX) {
			if (e > r->addr + r->len) {
				bytes += e - (r->addr + r->len);
				r->len = (uint32_t)(e - r->addr);
			}
			continue;
		}
		if (nf == PLAN_REGIONS || bytes + (e - a) > PLAN_BYTES)
			break;
		w->regions[nf].addr = a;
		w->regions[nf].len = (uint32_t)(e - a);
		w->regions[nf].age = 0;
		w->regions[nf].group = (uint8_t)w->touched[i].group;
		bytes += e - a;
		nf++;
	}
	/* carry the untouched old regions in, in order, from the back so the
	 * fresh ones are moved at most once */
	int keep = 0;
	for (int j = 0, i = 0; j < nc; j++) {
		const struct region *c = &w->carry[j];
		while (i < nf && region_before(&w->regions[i], c))
			i++;
		if ((i > 0 && regions_overlap(&w->regions[i - 1], c)) || (i < nf && regions_overlap(&w->regions[i], c)) ||
		    bytes + c->len > PLAN_BYTES || nf + keep == PLAN_REGIONS) {
			w->carry[j].len = 0;   /* dropped */
			continue;
		}
		bytes += c->len;
		keep++;
	}
	int n = nf + keep;
	for (int k = n - 1, i = nf - 1, j = nc - 1; k >= 0; k--) {
		while (j >= 0 && !w->carry[j].len)
			j--;
		if (j >= 0 && (i < 0 || region_before(&w->regions[i], &w->carry[j])))
			w->regions[k] = w->carry[j--];
		else
			w->regions[k] = w->regions[i--];
	}
	size_t off = 0;
	for (int g = 0, i = 0; g <= G_COUNT; g++) {
		while (i < n && w->regions[i].group < g)
			i++;
		w->gstart[g] = g == G_COUNT ? n : i;
	}
	for (int i = 0; i < n; i++) {
		w->regions[i].off = (uint32_t)off;
		w->plan_iov[i].addr = w->regions[i].addr;
		w->plan_iov[i].buf = w->buf + off;
		w->plan_iov[i].len = w->regions[i].len;
		off += (w->regions[i].len + 7) & ~(size_t)7;
	}
	w->nregions = n;
	w->buf_used = off;
	w->plan_bytes = off;
	w->misses_at_plan = w->stats.fetch_misses;
	w->ntouched = 0;
	if (n)
		remote_readv_each(&w->t->mem, w->plan_iov, n, w->region_ok);
	w->stats.samples++;
}

/* ---- threads ------------------------------------------------------------- */

/* The thread state holding the GIL of `interp` (0: none); *known says
 * whether it could be read, *gil_addr where the GIL struct is (0: unknown). */
static uint64_t gil_holder(struct walker *w, uint64_t interp, int *known, uint64_t *gil_addr)
{
	const struct py_layout *l = w->l;
	uint64_t holder = 0;
	*known = 0;
	*gil_addr = 0;
	switch (l->gil) {
	case GIL_TSTATE_SYMBOL:
		if (w->t->tstate_current_var && fetch_u64(w, w->t->tstate_current_var, &holder) == 0)
			*known = 1;
		break;
	case GIL_RUNTIME_CURRENT:
		if (w->t->runtime && l->runtime.gilstate_current != LAYOUT_NONE &&
		    fetch_u64(w, w->t->runtime + l->runtime.gilstate_current, &holder) == 0)
			*known = 1;
		if (w->t->runtime && l->runtime.ceval_gil != LAYOUT_NONE)
			*gil_addr = w->t->runtime + l->runtime.ceval_gil;
		break;
	case GIL_INTERP_STRUCT: {
		if (l->interp.gil_ptr == LAYOUT_NONE)
			break;
		uint64_t gil;
		if (interp == w->head_cache && w->gil_ptr) {
			gil = w->gil_ptr;   /* set once when the interpreter is made */
		} else if (interp == w->head_cache) {
			/* read apart from the batch (never planned): it is kept */
			if (remote_read_u64(&w->t->mem, interp + l->interp.gil_ptr, &gil) < 0)
				break;
			w->gil_ptr = gil;
		} else if (fetch_u64(w, interp + l->interp.gil_ptr, &gil) < 0) {
			break;
		}
		/* locked and last_holder, and the switch count beside them (one
		 * read for gil_switches() too) */
		uint32_t lo = l->gil_state.locked < l->gil_state.last_holder ? l->gil_state.locked
		                                                              : l->gil_state.last_holder;
		uint32_t hi = l->gil_state.locked + 4 > l->gil_state.last_holder + 8
		              ? l->gil_state.locked + 4 : l->gil_state.last_holder + 8;
		if (w->t->gil_switch_off != LAYOUT_NONE) {
			if (w->t->gil_switch_off < lo)
				lo = w->t->gil_switch_off;
			if (w->t->gil_switch_off + 8 > hi)
				hi = w->t->gil_switch_off + 8;
		}
		const uint8_t *g = remote_ptr_ok(gil, 8) ? fetch(w, gil + lo, hi - lo) : NULL;
		if (!g)
			break;
		*known = 1;
		*gil_addr = gil;
		holder = ld32(g, l->gil_state.locked - lo) ? ld64(g, l->gil_state.last_holder - lo) : 0;
		break;
	}
	}
	return holder;
}

/* The GIL's switch count and its last holder, for the proof in
 * walker_stack() (idle_since() says why a torn pair does no harm there);
 * 0 when they cannot be had. take_gil() stores last_holder, then bumps
 * switch_number, whenever a thread other than the last holder takes the
 * GIL. Read in G_HEAD (with the holder, on 3.12+: the same bytes), from the
 * batch only, so before any frame. */
static int gil_switches(struct walker *w, uint64_t gil, uint64_t *switches, uint64_t *last_holder)
{
	const struct py_layout *l = w->l;
	uint32_t off = w->t->gil_switch_off, lh = l->gil_state.last_holder;
	if (off == LAYOUT_NONE || lh == LAYOUT_NONE || !remote_ptr_ok(gil, 8))
		return 0;
	uint32_t lo = lh < off ? lh : off, hi = (lh > off ? lh : off) + 8;
	uint64_t misses = w->stats.fetch_misses;
	const uint8_t *p = fetch(w, gil + lo, hi - lo);
	if (!p || w->stats.fetch_misses != misses)
		return 0;
	*switches = ld64(p, off - lo);
	*last_holder = ld64(p, lh - lo);
	/* a GIL taken at least once names its holder: a struct that is all
	 * zeros is not the one in use (3.9's isolated-subinterpreter builds) */
	return *last_holder != 0;
}

static pid_t tid_of(struct walker *w, const uint8_t *ts)
{
	const struct py_layout *l = w->l;
	if (l->tstate.native_thread_id != LAYOUT_NONE)
		return (pid_t)ld64(ts, l->tstate.native_thread_id);
	uint64_t pthread = ld64(ts, l->tstate.thread_id);
	const uint8_t *p;
	if (w->t->pthread_tid_offset && remote_ptr_ok(pthread, 8) &&
	    (p = fetch(w, pthread + w->t->pthread_tid_offset, 4)))
		return ld32(p, 0);
	return 0;
}

/* The thread's innermost frame, from its thread state ts; the 3.11/3.12
 * cframe it goes through is read live when `live` (the retry needs it fresh). */
static uint64_t top_frame_of(struct walker *w, const uint8_t *ts, int live)
{
	const struct py_layout *l = w->l;
	if (l->tstate.current_frame != LAYOUT_NONE)
		return ld64(ts, l->tstate.current_frame);
	if (l->tstate.frame != LAYOUT_NONE)
		return ld64(ts, l->tstate.frame);
	uint64_t cframe = ld64(ts, l->tstate.cframe), frame = 0;
	const uint8_t *p = remote_ptr_ok(cframe, 8) ? fetch_from(w, cframe + l->cframe.current_frame, 8, G_HEAD, live)
	                                            : NULL;
	if (p)
		memcpy(&frame, p, 8);
	return frame;
}

/* The interpreters' code counters combined (0: unknown), from the batch's
 * G_GEN group (read after every frame in it) or, `live`, from the target now.
 * Every GEN_RECHECK samples the counter vouches for nothing, so every code
 * object gets its fingerprint checked however still the counter stands (read
 * apart from the plan, which they would otherwise join). */
static uint64_t code_counter(struct walker *w, int live)
{
	w->recheck = w->ngen && w->stats.samples % GEN_RECHECK == 0;
	if (!w->ngen)
		return 0;
	uint64_t h = 0x9e11;
	for (int i = 0; i < w->ngen; i++) {
		const uint8_t *p = fetch_from(w, w->gen_addr[i], 4, G_GEN, live);
		uint32_t v;
		if (!p)
			return 0;
		memcpy(&v, p, 4);
		if (!v)
			return 0;   /* the counter wrapped and stopped */
		h = mix(h, mix(w->gen_addr[i], v));
	}
	return h ? h : 1;
}

void walker_want_os_state(struct walker *w, int on)
{
	w->want_os_state = on;
}

int walker_threads(struct walker *w, struct thread_info *out, int cap, struct ph_error *err)
{
	const struct py_layout *l = w->l;
	uint64_t interp;
	int n = 0;
	w->epoch++;
	begin_sample(w);
	uint64_t head_var = w->t->runtime ? w->t->runtime + l->runtime.interpreters_head
	                                  : w->t->interp_head_var;
	/* the head changes only when an interpreter is created or destroyed */
	if (w->head_cache && w->stats.samples - w->head_read_at < HEAD_RECHECK) {
		interp = w->head_cache;
	} else if (remote_read_u64(&w->t->mem, head_var, &interp) == 0) {
		/* read apart from the batch (never planned): it is kept */
		w->head_cache = interp;
		w->head_read_at = w->stats.samples;
		w->gil_ptr = 0;
	} else {
		w->head_cache = 0;
		if (proc_check(w->t->pid, NULL) < 0)
			return ph_fail(err, PH_EEXITED, "process %d exited", (int)w->t->pid);
		return ph_fail(err, PH_EREAD, "cannot read the interpreter list of process %d",
		               (int)w->t->pid);
	}
	w->ngen = 0;
	int ninterps = 0;
	for (int ni = 0; ni < WALK_MAX_INTERPS && interp; ni++) {
		ninterps++;
		const uint8_t *ip = remote_ptr_ok(interp, 8) ? fetch(w, interp + w->interp_lo,
		                                                     w->interp_len) : NULL;
		if (!ip) {
			w->head_cache = 0;
			if (proc_check(w->t->pid, NULL) < 0)
				return ph_fail(err, PH_EEXITED, "process %d exited", (int)w->t->pid);
			return ph_fail(err, PH_EREAD, "torn read of an interpreter in process %d",
			               (int)w->t->pid);
		}
		int64_t id = l->interp.id != LAYOUT_NONE ? (int64_t)ld64(ip, l->interp.id - w->interp_lo) : 0;
		uint64_t tstate = ld64(ip, l->interp.tstate_head - w->interp_lo);
		uint64_t next_interp = ld64(ip, l->interp.next - w->interp_lo);
		int gil_known;
		uint64_t gil = 0, switches = 0, last_holder = 0;
		uint64_t holder = gil_holder(w, interp, &gil_known, &gil);
		int switches_known = gil && gil_switches(w, gil, &switches, &last_holder);
		if (w->t->code_version_off != LAYOUT_NONE)
			w->gen_addr[w->ngen++] = interp + w->t->code_version_off;
		struct loop_check loop = LOOP_CHECK_INIT;  /* a torn list that loops is one error */
		for (int guard = 0; tstate && guard < WALK_MAX_THREADS && n < cap; guard++) {
			if (loop_closed(&loop, tstate))
				return ph_fail(err, PH_EREAD, "torn read of the thread list of process %d",
				               (int)w->t->pid);
			const uint8_t *ts = remote_ptr_ok(tstate, 8) ? fetch(w, tstate, w->tstate_read) : NULL;
			if (!ts || (l->tstate.interp != LAYOUT_NONE && ld64(ts, l->tstate.interp) != interp)) {
				w->head_cache = 0;   /* a stale interpreter, or a torn list: read it all again */
				return ph_fail(err, PH_EREAD, "torn read of a thread state in process %d",
				               (int)w->t->pid);
			}
			struct thread_info *th = &out[n++];
			memset(th, 0, sizeof *th);
			th->tstate = tstate;
			th->interp = interp;
			th->interp_id = id;
			th->thread_id = ld64(ts, l->tstate.thread_id);
			th->tid = host_tid_map_get(w->host_tids, tid_of(w, ts));
			th->top_frame = top_frame_of(w, ts, 0);
			if (l->tstate.datastack_chunk != LAYOUT_NONE)
				th->stack_chunk = ld64(ts, l->tstate.datastack_chunk);
			if (gil_known)
				th->flags |= THREAD_GIL_KNOWN | (holder == tstate ? THREAD_HOLDS_GIL : 0);
			if (switches_known) {
				th->flags |= THREAD_GIL_SWITCHES;
				th->gil = gil;
				th->gil_switches = switches;
				th->gil_last_holder = last_holder;
			}
			if (l->free_threaded && l->tstate.status != LAYOUT_NONE &&
			    ld32(ts, l->tstate.status) == 1)
				th->flags |= THREAD_ATTACHED;
			if (th->tid > 0 && w->want_os_state) {
				th->os_state = task_stat_cache_state(w->tasks, th->tid);
				if (th->os_state == 'R')
					th->flags |= THREAD_RUNNING;
			}
			tstate = ld64(ts, l->tstate.next);
		}
		interp = next_interp;
	}
	/* One OS thread can switch among thread states of several interpreters
	 * (PyThreadState_Swap, as in mod_wsgi) and run Python code in one that
	 * never took the GIL itself: with more than one interpreter, the
	 * switch count proves nothing. */
	if (ninterps > 1 || interp)
		for (int i = 0; i < n; i++)
			out[i].flags &= ~(unsigned)THREAD_GIL_SWITCHES;
	if (w->t->code_version_var)
		w->gen_addr[w->ngen++] = w->t->code_version_var;
	w->gen = code_counter(w, 0);
	/* A thread state being created or torn down has no frame yet and may
	 * still carry its creator's thread ids: drop a frameless one whose TID
	 * another thread state of the same interpreter, with frames, has. */
	int kept = 0;
	for (int i = 0; i < n; i++) {
		int dup = 0;
		for (int j = 0; j < n && !out[i].top_frame && out[i].tid > 0 && !dup; j++)
			dup = j != i && out[j].top_frame && out[j].tid == out[i].tid &&
			      out[j].interp == out[i].interp;
		if (!dup)
			out[kept++] = out[i];
	}
	return kept;
}

/* ---- frames -------------------------------------------------------------- */

/* The top byte of a Fibonacci hash of a target address: a slot in the
 * direct-mapped memos (entry frames, idle threads), 256 slots each. */
static uint32_t addr_slot256(uint64_t addr)
{
	return (uint32_t)((addr >> 4) * 0x9e3779b97f4a7c15ULL >> 56);
}

static struct entry_memo *entry_slot(struct walker *w, uint64_t addr)
{
	return &w->entries[addr_slot256(addr) % ENTRY_SLOTS];
}

/* Walk the frame list from `top`, from the batch or (`live`) the target. */
static int walk_frames(struct walker *w, uint64_t top, int cap, int *truncated, int live)
{
	const struct py_layout *l = w->l;
	const int interp_frames = l->frames == FRAME_INTERP;
	const uint32_t need = l->frame.size + (interp_frames ? 0 : 8);  /* + f_localsplus[0] */
	uint64_t addr = top, child = 0;
	int n = 0;
	*truncated = 0;
	/* A torn read can link a frame back to a newer one (a recycled slot of
	 * the data stack); walking that loop to the frame limit cost a system
	 * call per step, thousands in one sample. */
	struct loop_check loop = LOOP_CHECK_INIT;
	for (int guard = 0; addr; guard++) {
		if (guard >= WALK_MAX_FRAMES * 2 || n >= cap) {
			*truncated = 1;
			break;
		}
		if (loop_closed(&loop, addr))
			return -1;   /* a loop: torn */
		/* A C-stack entry frame is written once, when its evaluation loop
		 * starts, and stays so while the frame pushed on it (`child`)
		 * lives: seen recently under the same child, it is not read. */
		/* a frame the batch holds is read from it; the memo is looked up
		 * only for the others (entry frames are kept out of the plan) */
		const uint8_t *f = !live && remote_ptr_ok(addr, 8) ? batch_find(w, addr, need, G_FRAMES) : NULL;
		struct entry_memo *m = interp_frames && !f ? entry_slot(w, addr) : NULL;
		int known = m && !live && child && m->addr == addr && m->child == child;
		if (known && w->stats.samples - m->seen < ENTRY_RECHECK) {
			child = addr;
			addr = m->prev;
			continue;
		}
		int before = w->ntouched;
		struct touch last = before ? w->touched[before - 1] : (struct touch){ 0, 0, 0 };
		if (f)
			touch(w, addr, need, G_FRAMES);
		else
			f = !remote_ptr_ok(addr, 8) ? NULL
			    : known ? read_apart(w, addr, need)   /* due for a check */
			    : fetch_from(w, addr, need, G_FRAMES, live);
		if (!f)
			return -1;
		uint64_t prev = ld64(f, l->frame.previous);
		uint64_t code = ld64(f, l->frame.code);
		if (l->tagged_executable)
			code &= ~(uint64_t)3;
		if (interp_frames && l->frame.owner != LAYOUT_NONE && f[l->frame.owner] >= 3) {
			/* C-stack shim (3) / interpreter base frame (4): not Python code */
			if (f[l->frame.owner] == 3)
				w->stats.entry_reads++;
			if (f[l->frame.owner] == 3 && child) {
				if (!m)
					m = entry_slot(w, addr);
				m->addr = addr;
				m->child = child;
				m->prev = prev;
				m->seen = w->stats.samples;
				/* kept out of the plan: the memo stands in for it */
				w->ntouched = before;   /* (touch() may have widened the last entry) */
				if (before)
					w->touched[before - 1] = last;
			}
			child = addr;
			addr = prev;
			continue;
		}
		if (interp_frames && !code && !n) {
			/* the innermost frame is being pushed (linked before its
			 * executable is set, seen on 3.15 in call-heavy code): the
			 * call has not started, the sample is its caller's */
			child = addr;
			addr = prev;
			continue;
		}
		w->code_addr[n] = code;
		w->frame_addr[n] = addr;
		w->self_obj[n] = 0;
		if (interp_frames) {
			w->lasti_addr[n] = ld64(f, l->frame.lasti);
		} else {
			w->lasti[n] = ld32(f, l->frame.lasti);
			w->self_obj[n] = ld64(f, l->frame.localsplus);
		}
		n++;
		child = addr;
		addr = prev;
	}
	return n;
}

/* Make sure every distinct code object of the stack is in the cache and
 * still the object it was: unchecked while the code counter `gen` (read
 * after the frames, 0 when unknown) equals the one read before its last
 * check, else by its fingerprint fields (prefetched in the G_FP group, or
 * read now when `live`). */
static void validate_codes(struct walker *w, int n, uint32_t *ids, uint64_t gen, int live)
{
	const struct py_layout *l = w->l;
	for (int i = 0; i < n; i++) {
		uint64_t addr = w->code_addr[i];
		if (i && addr == w->code_addr[i - 1] && ids[i - 1] != CODE_NONE) {
			ids[i] = ids[i - 1];   /* recursion: the same object, checked just now */
			continue;
		}
		uint32_t id = code_lookup(w, addr);
		if (id != CODE_NONE && w->verified[id] != w->epoch && gen && w->verified_gen[id] == gen &&
		    !w->recheck) {
			w->stats.code_vouched++;
		} else if (id != CODE_NONE && w->verified[id] != w->epoch) {
			w->stats.code_checks++;
			const uint8_t *fp = w->recheck ? read_apart(w, addr + w->fp_lo, w->fp_len)
			                               : fetch_from(w, addr + w->fp_lo, w->fp_len, G_FP, live);
			if (fp && code_fingerprint(l, fp, w->fp_lo) == w->codes[id].fingerprint &&
			    code_alive(w, fp, addr)) {
				w->verified[id] = w->epoch;
				w->verified_gen[id] = gen;
			} else {
				/* freed and maybe recreated: forget it, resolve again */
				w->stats.code_stale++;
				w->codes[id].addr = 0;
				id = CODE_NONE;
			}
		}
		if (id == CODE_NONE) {
			uint64_t flushes = w->stats.cache_flushes;
			id = code_resolve(w, addr);
			if (id != CODE_NONE)
				w->verified_gen[id] = gen;
			if (w->stats.cache_flushes != flushes) {
				/* the flush dropped the ids already given out: start again */
				for (int j = 0; j < i; j++) {
					ids[j] = code_resolve(w, w->code_addr[j]);
					if (ids[j] != CODE_NONE)
						w->verified_gen[ids[j]] = gen;
				}
			}
		}
		ids[i] = id;
	}
}

static int line_of(struct walker *w, uint32_t id, const struct code_info *ci, int64_t offset)
{
	if (offset < 0 || offset > (1 << 28))
		return ci->firstlineno;
	uint64_t key = ((uint64_t)id << 32) | (uint64_t)offset;
	uint32_t slot = (uint32_t)((key * 0x9e3779b97f4a7c15ULL) >> 51) % LINE_CACHE;
	if (w->lines[slot].key == key + 1)
		return w->lines[slot].line;
	int line = linetable_line(w->l->lines, ci->linetable, ci->linetable_len, ci->firstlineno,
	                          (uint32_t)offset);
	if (line < 0)
		line = ci->firstlineno;
	w->lines[slot].key = key + 1;
	w->lines[slot].line = line;
	return line;
}

/* One reading of the stack from frame `top`: frames from the batch (falling
 * back to the target) or, `live`, all from the target now. */
static int stack_once(struct walker *w, uint64_t top, struct frame_ref *frames, int cap, int *truncated,
                      int live)
{
	const struct py_layout *l = w->l;
	uint64_t misses = w->stats.fetch_misses;
	int n = walk_frames(w, top, cap, truncated, live);
	if (n < 0)
		return -1;
	uint32_t *ids = w->ids;
	/* A frame read after the batch is newer than the batch's code counter
	 * and fingerprints, and than any validation done so far this sample: a
	 * new epoch and a fresh counter make every code object of this stack be
	 * checked against what the target holds now. */
	uint64_t gen = w->gen;
	if (live || w->stats.fetch_misses != misses) {
		live = 1;
		w->epoch++;
		gen = code_counter(w, 1);
	}
	validate_codes(w, n, ids, gen, live);
	int64_t prev_offset = -1;
	for (int i = 0; i < n; i++) {
		struct frame_ref *fr = &frames[i];
		const struct code_info *ci = ids[i] != CODE_NONE ? &w->codes[ids[i]] : NULL;
		if (!ci)
			return -1;   /* a frame without a readable code object: torn */
		fr->code = ids[i];
		fr->class_name = CODE_NONE;
		fr->addr = w->frame_addr[i];
		int64_t offset;
		if (l->frames == FRAME_INTERP)
			offset = (int64_t)(w->lasti_addr[i] - (ci->addr + l->code.code_adaptive));
		else
			offset = l->lasti_in_code_units ? (int64_t)w->lasti[i] * 2 : w->lasti[i];
		if (i && ids[i] == ids[i - 1] && offset == prev_offset)
			fr->line = frames[i - 1].line;   /* recursion at the same call site */
		else
			fr->line = line_of(w, ids[i], ci, offset);
		prev_offset = offset;
		if (ci->first_arg_name && remote_ptr_ok(w->self_obj[i], 8)) {
			uint64_t type = w->self_obj[i];
			const uint8_t *tp = ci->first_arg_name == 2 ? NULL
			                    : fetch_from(w, w->self_obj[i] + l->object.ob_type, 8, G_FRAMES, live);
			if (tp)
				memcpy(&type, tp, 8);
			if (ci->first_arg_name == 2 || tp)
				fr->class_name = type_name_id(w, type);
		}
	}
	return n;
}

static struct idle_memo *idle_slot(struct walker *w, uint64_t tstate)
{
	return &w->idle[addr_slot256(tstate) % IDLE_SLOTS];
}

/* Has the thread been idle since its remembered stack was walked? Only a
 * thread holding the GIL runs Python code. The memo's GIL reading was taken
 * before the frames it walked; if the switch count and the last holder both
 * stand still since, the only thread that can have held the GIL meanwhile
 * is that last holder. Any other thread ran no Python code: its stack is
 * the one remembered. Its frames hold their code objects, so those cannot
 * have been freed and replaced.
 *
 * Not after one switch, though "the old and the new last holder" looks
 * like a proof: take_gil() stores last_holder before it bumps the count,
 * and a reading between the two (the taker preempted there) shows the new
 * holder with the old count, hiding the thread that held the GIL in
 * between (seen: 1 stale stack in 200,000 on a 3.13 debug build). With the
 * count standing still, a torn reading either way (new holder, old count;
 * or, read across the stores, old holder, new count) shows a holder other
 * than the memo's, or a count already bumped by a switch away from it. */
static int idle_since(const struct walker *w, const struct idle_memo *m, const struct thread_info *th)
{
	return (th->flags & THREAD_GIL_SWITCHES) && m->tstate == th->tstate && m->top == th->top_frame &&
	       m->gil == th->gil && m->flushes == w->stats.cache_flushes && th->tstate != m->last_holder &&
	       th->gil_switches == m->switches && th->gil_last_holder == m->last_holder;
}

/* A parked thread's frames left the batch: read the regions they were in,
 * as they were last walked, in one call, for the walk about to start. */
static void aux_load(struct walker *w, const struct idle_memo *m)
{
	size_t need = 0;
	for (int i = 0; i < m->ntouch; i++)
		need += (m->touch[i].len + 7) & ~(size_t)7;
	if (w->buf_used + need > SAMPLE_BYTES)
		return;   /* no room: the walk reads what it misses, frame by frame */
	for (int i = 0; i < m->ntouch; i++) {
		w->aux[i].addr = m->touch[i].addr;
		w->aux[i].len = m->touch[i].len;
		w->aux[i].buf = w->buf + w->buf_used;
		w->buf_used += (m->touch[i].len + 7) & ~(size_t)7;
	}
	w->naux = m->ntouch;
	remote_readv_each(&w->t->mem, w->aux, w->naux, w->aux_ok);
}

/* The thread's stack: given again while the GIL proves it idle (its frames
 * kept in the batch for PARK_AFTER samples, then left out: parked), else
 * walked (a parked thread's frames read apart first, in one call). A walk
 * of a parked thread that is still idle (the periodic one) keeps it
 * parked. */
int walker_stack(struct walker *w, const struct thread_info *th, struct frame_ref *frames, int cap,
                 int *truncated)
{
	if (cap > WALK_MAX_FRAMES)
		cap = WALK_MAX_FRAMES;
	struct idle_memo *m = th->flags & THREAD_GIL_SWITCHES ? idle_slot(w, th->tstate) : NULL;
	int idle = m && m->depth < cap && idle_since(w, m, th);
	if (idle && w->stats.samples - m->walked_at < IDLE_REUSE) {
		if (++m->idle_run < PARK_AFTER)
			for (int i = 0; i < m->ntouch; i++)
				touch(w, m->touch[i].addr, m->touch[i].len, (int)m->touch[i].group);
		memcpy(frames, m->frames, (size_t)m->depth * sizeof *frames);
		*truncated = 0;
		w->stats.stack_reuses++;
		return m->depth;
	}
	int parked = m && m->tstate == th->tstate && m->idle_run >= PARK_AFTER;
	if (parked) {
		aux_load(w, m);
		w->stats.parked_walks++;
	}
	int touched_before = w->ntouched;
	struct touch last = touched_before ? w->touched[touched_before - 1] : (struct touch){ 0, 0, 0 };
	int n = stack_once(w, th->top_frame, frames, cap, truncated, 0);
	w->naux = 0;
	if (m && n >= 0 && th->tstate == th->gil_last_holder) {
		m->tstate = 0;   /* the GIL's last holder: its stack cannot be given again */
	} else if (m && n >= 0) {
		/* remembered with what the walk added to the plan (the first entry
		 * may be one that a frame widened: then the walk after a reuse
		 * misses it and reads it apart, once) */
		int nt = w->ntouched - touched_before;
		unsigned run = idle ? m->idle_run : 0;
		m->tstate = 0;
		if (!*truncated && n <= IDLE_FRAMES && n < cap && nt <= IDLE_TOUCHES) {
			m->tstate = th->tstate;
			m->top = th->top_frame;
			m->gil = th->gil;
			m->switches = th->gil_switches;
			m->last_holder = th->gil_last_holder;
			m->walked_at = w->stats.samples;
			m->flushes = w->stats.cache_flushes;
			m->depth = n;
			m->ntouch = nt;
			m->idle_run = run;
			memcpy(m->touch, w->touched + touched_before, (size_t)nt * sizeof *m->touch);
			memcpy(m->frames, frames, (size_t)n * sizeof *frames);
			if (run >= PARK_AFTER) {
				/* still parked: its frames stay out of the plan */
				w->ntouched = touched_before;
				if (touched_before)
					w->touched[touched_before - 1] = last;
			}
		}
	} else if (m) {
		m->tstate = 0;
	}
	if (n >= 0)
		return n;
	/* Torn: the thread moved on between the batch's reads (a frame popped,
	 * the C stack under an entry frame reused). Read it again from the
	 * target itself, from its thread state on, once: a system call per
	 * frame, on the few samples that need it. */
	w->stats.retries++;
	const uint8_t *ts = fetch_from(w, th->tstate, w->tstate_read, G_HEAD, 1);
	uint64_t top = ts ? top_frame_of(w, ts, 1) : 0;
	n = top ? stack_once(w, top, frames, cap, truncated, 1) : -1;
	if (n < 0)
		w->stats.bad_frames++;
	return n;
}

/* ---- locals (dump --locals) ---------------------------------------------- */

#define CO_FAST_LOCAL 0x20
#define MAX_LOCALS 256

int walker_locals(struct walker *w, const struct frame_ref *f,
                  void (*fn)(const char *name, const char *value, void *ctx), void *ctx)
{
	const struct py_layout *l = w->l;
	const struct remote *r = &w->t->mem;
	const struct code_info *ci = walker_code(w, f->code);
	uint8_t hdr[OBJ_READ_MAX];
	if (!ci || !f->addr || remote_read(r, ci->addr, hdr, l->code.size) < 0)
		return -1;
	uint64_t names;
	int64_t count;
	uint8_t kinds[MAX_LOCALS];
	int have_kinds = 0;
	if (l->frames == FRAME_INTERP) {
		names = ld64(hdr, l->code.localsplusnames);
		long full;
		if (pyobj_read_bytes(r, l, ld64(hdr, l->code.localspluskinds), kinds, sizeof kinds,
		                     &full) < 0)
			return -1;
		have_kinds = 1;
		if (!remote_ptr_ok(names, 8) || remote_read(r, names + l->tuple.size, &count, 8) < 0)
			return -1;
		if (count > full)
			count = full;
	} else {
		names = ld64(hdr, l->code.varnames);
		count = ld32(hdr, l->code.nlocals);
	}
	if (count < 0)
		return -1;
	if (count > MAX_LOCALS)
		count = MAX_LOCALS;
	uint64_t name_ptrs[MAX_LOCALS], values[MAX_LOCALS];
	if (count == 0)
		return 0;
	if (remote_read(r, names + l->tuple.items, name_ptrs, (size_t)count * 8) < 0 ||
	    remote_read(r, f->addr + l->frame.localsplus, values, (size_t)count * 8) < 0)
		return -1;
	for (int64_t i = 0; i < count; i++) {
		if (have_kinds && !(kinds[i] & CO_FAST_LOCAL))
			continue;
		uint64_t v = values[i];
		if (l->tagged_executable)
			v &= ~(uint64_t)3;
		if (!v)
			continue;   /* unbound */
		char name[256], value[160];
		if (pyobj_read_str(r, l, name_ptrs[i], name, sizeof name) < 0)
			continue;
		if (pyobj_repr_short(r, l, v, value, sizeof value) < 0)
			snprintf(value, sizeof value, "<unreadable>");
		fn(name, value, ctx);
	}
	return 0;
}
