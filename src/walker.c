/* walker.c — read every thread's Python stack. See include/walker.h.
 *
 * Per sample: walker_threads() reads each thread state once; walker_stack()
 * follows the frame chain (on 3.11+ mostly inside one local copy of the
 * thread's data-stack chunk), then re-validates every distinct code object
 * of the stack with one batched read of its immutable fields, and decodes
 * lines from the cached line tables. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "linetable.h"
#include "proc.h"
#include "pyobj.h"
#include "walker.h"

#define ARENA_BYTES    (64u << 20)  /* names, files, line tables of cached code objects */
#define CODE_CAP       65536u       /* cached code objects before a flush */
#define CODE_SLOTS     (CODE_CAP * 2)
#define TYPE_CAP       4096u
#define NAME_MAX_BYTES 2048
#define LINETABLE_MAX  (256u << 10)
#define WINDOW_BYTES   (16u << 10)  /* one read of a data-stack chunk (its first chunk size) */
#define FP_SPAN_MAX    160          /* bytes of a code object holding its fingerprint fields */
#define OBJ_READ_MAX   1024         /* largest header we read of a frame/code/thread state */

struct type_entry { uint64_t addr; const char *name; };

struct walker {
	struct target *t;
	const struct py_layout *l;
	struct code_info *codes;
	uint32_t ncodes;
	uint32_t *slots;               /* open addressing: code index + 1, 0 = empty */
	uint32_t *verified;            /* per code: epoch of its last validation */
	uint32_t epoch;
	struct type_entry *types;
	uint32_t ntypes;
	char *arena;
	size_t arena_used;
	uint32_t fp_lo, fp_len;        /* span of the code object holding the fingerprint fields */
	uint32_t tstate_read;          /* bytes of a thread state that hold every field used */
	uint8_t window[WINDOW_BYTES];  /* local copy of target memory around the frames */
	uint64_t win_addr;
	size_t win_len;
	/* per-stack scratch, sized for WALK_MAX_FRAMES */
	uint64_t *code_addr, *lasti_addr, *self_obj, *frame_addr;
	uint32_t *ids;
	int32_t *lasti;
	uint8_t *fp_buf;
	struct remote_iov *iov;
	uint32_t *pending;
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
	w->types = calloc(TYPE_CAP, sizeof *w->types);
	w->arena = malloc(ARENA_BYTES);
	w->code_addr = malloc(WALK_MAX_FRAMES * sizeof *w->code_addr);
	w->lasti_addr = malloc(WALK_MAX_FRAMES * sizeof *w->lasti_addr);
	w->self_obj = malloc(WALK_MAX_FRAMES * sizeof *w->self_obj);
	w->frame_addr = malloc(WALK_MAX_FRAMES * sizeof *w->frame_addr);
	w->ids = malloc(WALK_MAX_FRAMES * sizeof *w->ids);
	w->lasti = malloc(WALK_MAX_FRAMES * sizeof *w->lasti);
	w->fp_buf = malloc((size_t)WALK_MAX_FRAMES * FP_SPAN_MAX);
	w->iov = malloc(WALK_MAX_FRAMES * sizeof *w->iov);
	w->pending = malloc(WALK_MAX_FRAMES * sizeof *w->pending);
	if (!w->codes || !w->slots || !w->verified || !w->types || !w->arena || !w->code_addr ||
	    !w->lasti_addr || !w->self_obj || !w->frame_addr || !w->ids || !w->lasti || !w->fp_buf || !w->iov || !w->pending)
		goto oom;
	const struct py_layout *l = w->l;
	uint32_t lo = UINT32_MAX, hi = 0;
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
	if (hi - lo > FP_SPAN_MAX || ts_hi > 4 * OBJ_READ_MAX || l->frame.size > OBJ_READ_MAX || l->code.size > OBJ_READ_MAX ||
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
	free(w->types);
	free(w->arena);
	free(w->code_addr);
	free(w->lasti_addr);
	free(w->self_obj);
	free(w->frame_addr);
	free(w->ids);
	free(w->lasti);
	free(w->fp_buf);
	free(w->iov);
	free(w->pending);
	free(w);
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

/* ---- arena and caches ---------------------------------------------------- */

static void cache_flush(struct walker *w)
{
	w->ncodes = 0;
	w->ntypes = 0;
	w->arena_used = 0;
	memset(w->slots, 0, CODE_SLOTS * sizeof *w->slots);
	memset(w->types, 0, TYPE_CAP * sizeof *w->types);
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
	    !is_code_type(w, ld64(hdr, l->object.ob_type)))
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

/* ---- threads ------------------------------------------------------------- */

static uint64_t gil_holder(struct walker *w, uint64_t interp, int *known)
{
	const struct py_layout *l = w->l;
	const struct remote *r = &w->t->mem;
	uint64_t holder = 0;
	*known = 0;
	switch (l->gil) {
	case GIL_TSTATE_SYMBOL:
		if (w->t->tstate_current_var && remote_read_u64(r, w->t->tstate_current_var, &holder) == 0)
			*known = 1;
		break;
	case GIL_RUNTIME_CURRENT:
		if (w->t->runtime && l->runtime.gilstate_current != LAYOUT_NONE &&
		    remote_read_u64(r, w->t->runtime + l->runtime.gilstate_current, &holder) == 0)
			*known = 1;
		break;
	case GIL_INTERP_STRUCT: {
		uint64_t gil;
		int32_t locked;
		if (l->interp.gil_ptr == LAYOUT_NONE ||
		    remote_read_u64(r, interp + l->interp.gil_ptr, &gil) < 0 || !remote_ptr_ok(gil, 8) ||
		    remote_read(r, gil + l->gil_state.locked, &locked, sizeof locked) < 0 ||
		    remote_read_u64(r, gil + l->gil_state.last_holder, &holder) < 0)
			break;
		*known = 1;
		if (!locked)
			holder = 0;
		break;
	}
	}
	return holder;
}

static pid_t tid_of(struct walker *w, const uint8_t *ts)
{
	const struct py_layout *l = w->l;
	if (l->tstate.native_thread_id != LAYOUT_NONE)
		return (pid_t)ld64(ts, l->tstate.native_thread_id);
	uint64_t pthread = ld64(ts, l->tstate.thread_id);
	int32_t tid;
	if (w->t->pthread_tid_offset && remote_ptr_ok(pthread, 8) &&
	    remote_read(&w->t->mem, pthread + w->t->pthread_tid_offset, &tid, sizeof tid) == 0)
		return tid;
	return 0;
}

static uint64_t top_frame_of(struct walker *w, const uint8_t *ts)
{
	const struct py_layout *l = w->l;
	if (l->tstate.current_frame != LAYOUT_NONE)
		return ld64(ts, l->tstate.current_frame);
	if (l->tstate.frame != LAYOUT_NONE)
		return ld64(ts, l->tstate.frame);
	uint64_t cframe = ld64(ts, l->tstate.cframe), frame = 0;
	if (remote_ptr_ok(cframe, 8))
		remote_read_u64(&w->t->mem, cframe + l->cframe.current_frame, &frame);
	return frame;
}

int walker_threads(struct walker *w, struct thread_info *out, int cap, struct ph_error *err)
{
	const struct py_layout *l = w->l;
	const struct remote *r = &w->t->mem;
	uint8_t ts[4 * OBJ_READ_MAX];
	uint64_t interp;
	int n = 0;
	w->epoch++;
	if (target_interp_head(w->t, &interp) < 0) {
		if (proc_check(w->t->pid, NULL) < 0)
			return ph_fail(err, PH_EEXITED, "process %d exited", (int)w->t->pid);
		return ph_fail(err, PH_EREAD, "cannot read the interpreter list of process %d",
		               (int)w->t->pid);
	}
	for (int ni = 0; ni < WALK_MAX_INTERPS && interp; ni++) {
		if (!remote_ptr_ok(interp, 8))
			return ph_fail(err, PH_EREAD, "bad interpreter pointer in process %d", (int)w->t->pid);
		int64_t id = 0;
		uint64_t tstate, next_interp = 0;
		if ((l->interp.id != LAYOUT_NONE &&
		     remote_read(r, interp + l->interp.id, &id, sizeof id) < 0) ||
		    remote_read_u64(r, interp + l->interp.tstate_head, &tstate) < 0 ||
		    remote_read_u64(r, interp + l->interp.next, &next_interp) < 0) {
			if (proc_check(w->t->pid, NULL) < 0)
				return ph_fail(err, PH_EEXITED, "process %d exited", (int)w->t->pid);
			return ph_fail(err, PH_EREAD, "torn read of an interpreter in process %d",
			               (int)w->t->pid);
		}
		int gil_known;
		uint64_t holder = gil_holder(w, interp, &gil_known);
		for (int guard = 0; tstate && guard < WALK_MAX_THREADS && n < cap; guard++) {
			if (!remote_ptr_ok(tstate, 8) || remote_read(r, tstate, ts, w->tstate_read) < 0)
				return ph_fail(err, PH_EREAD, "torn read of a thread state in process %d",
				               (int)w->t->pid);
			struct thread_info *th = &out[n++];
			memset(th, 0, sizeof *th);
			th->tstate = tstate;
			th->interp = interp;
			th->interp_id = id;
			th->thread_id = ld64(ts, l->tstate.thread_id);
			th->tid = tid_of(w, ts);
			th->top_frame = top_frame_of(w, ts);
			if (l->tstate.datastack_chunk != LAYOUT_NONE)
				th->stack_chunk = ld64(ts, l->tstate.datastack_chunk);
			if (gil_known)
				th->flags |= THREAD_GIL_KNOWN | (holder == tstate ? THREAD_HOLDS_GIL : 0);
			if (l->free_threaded && l->tstate.status != LAYOUT_NONE &&
			    ld32(ts, l->tstate.status) == 1)
				th->flags |= THREAD_ATTACHED;
			if (th->tid > 0) {
				th->os_state = proc_task_state(w->t->pid, th->tid);
				if (th->os_state == 'R')
					th->flags |= THREAD_RUNNING;
			}
			tstate = ld64(ts, l->tstate.next);
		}
		interp = next_interp;
	}
	return n;
}

/* ---- frames -------------------------------------------------------------- */

/* Copy `len` bytes of target memory at addr, from the window when it holds
 * them, else refilling the window so that it ends just past addr+len: frames
 * are older the lower they sit in a data-stack chunk, so the next frames of
 * the walk are likely below. */
static const uint8_t *frame_bytes(struct walker *w, uint64_t addr, size_t len, int chunked)
{
	if (addr >= w->win_addr && addr + len <= w->win_addr + w->win_len)
		return w->window + (addr - w->win_addr);
	const struct remote *r = &w->t->mem;
	if (chunked && addr + len > WINDOW_BYTES) {
		uint64_t start = addr + len - WINDOW_BYTES;
		if (remote_read(r, start, w->window, WINDOW_BYTES) == 0) {
			w->win_addr = start;
			w->win_len = WINDOW_BYTES;
			return w->window + (addr - start);
		}
	}
	if (remote_read(r, addr, w->window, len) < 0) {
		w->win_len = 0;
		return NULL;
	}
	w->win_addr = addr;
	w->win_len = len;
	return w->window;
}

static int walk_frames(struct walker *w, const struct thread_info *th, int cap, int *truncated)
{
	const struct py_layout *l = w->l;
	const int interp_frames = l->frames == FRAME_INTERP;
	const uint32_t need = l->frame.size + (interp_frames ? 0 : 8);  /* + f_localsplus[0] */
	uint64_t addr = th->top_frame;
	int n = 0;
	w->win_len = 0;
	if (interp_frames && remote_ptr_ok(th->stack_chunk, 8) &&
	    remote_read(&w->t->mem, th->stack_chunk, w->window, WINDOW_BYTES) == 0) {
		w->win_addr = th->stack_chunk;
		w->win_len = WINDOW_BYTES;
	}
	*truncated = 0;
	for (int guard = 0; addr; guard++) {
		if (guard >= WALK_MAX_FRAMES * 2 || n >= cap) {
			*truncated = 1;
			break;
		}
		if (!remote_ptr_ok(addr, 8))
			return -1;
		const uint8_t *f = frame_bytes(w, addr, need, interp_frames);
		if (!f)
			return -1;
		uint64_t prev = ld64(f, l->frame.previous);
		uint64_t code = ld64(f, l->frame.code);
		if (l->tagged_executable)
			code &= ~(uint64_t)3;
		if (interp_frames && l->frame.owner != LAYOUT_NONE && f[l->frame.owner] >= 3) {
			addr = prev;   /* C-stack shim / interpreter base frame: not Python code */
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
		addr = prev;
	}
	return n;
}

/* Make sure every distinct code object of the stack is in the cache and
 * still the object it was: one batched read of their fingerprint fields. */
static void validate_codes(struct walker *w, int n, uint32_t *ids)
{
	const struct py_layout *l = w->l;
	int npending = 0;
	for (int i = 0; i < n; i++) {
		uint64_t addr = w->code_addr[i];
		uint32_t id = code_lookup(w, addr);
		ids[i] = id;
		if (id == CODE_NONE || w->verified[id] == w->epoch)
			continue;
		w->verified[id] = w->epoch;   /* queued once per sample */
		w->pending[npending] = id;
		w->iov[npending].addr = addr + w->fp_lo;
		w->iov[npending].buf = w->fp_buf + (size_t)npending * FP_SPAN_MAX;
		w->iov[npending].len = w->fp_len;
		npending++;
	}
	int ok = npending ? remote_readv(&w->t->mem, w->iov, npending) : 0;
	for (int k = 0; k < npending; k++) {
		uint32_t id = w->pending[k];
		if (k < ok && code_fingerprint(l, w->fp_buf + (size_t)k * FP_SPAN_MAX, w->fp_lo) ==
		                  w->codes[id].fingerprint)
			continue;
		/* freed and maybe recreated: forget it; resolved again below */
		w->stats.code_stale++;
		w->verified[id] = 0;
		w->codes[id].addr = 0;
	}
	for (int i = 0; i < n; i++) {
		if (ids[i] != CODE_NONE && w->codes[ids[i]].addr == w->code_addr[i])
			continue;
		ids[i] = code_lookup(w, w->code_addr[i]);
		if (ids[i] == CODE_NONE) {
			uint32_t before = w->stats.cache_flushes;
			ids[i] = code_resolve(w, w->code_addr[i]);
			if (w->stats.cache_flushes != before) {
				/* the flush dropped the ids already given out: start again */
				for (int j = 0; j < i; j++)
					ids[j] = code_resolve(w, w->code_addr[j]);
			}
		}
	}
}

int walker_stack(struct walker *w, const struct thread_info *th, struct frame_ref *frames, int cap,
                 int *truncated)
{
	const struct py_layout *l = w->l;
	if (cap > WALK_MAX_FRAMES)
		cap = WALK_MAX_FRAMES;
	int n = walk_frames(w, th, cap, truncated);
	if (n < 0) {
		w->stats.bad_frames++;
		return -1;
	}
	uint32_t *ids = w->ids;
	validate_codes(w, n, ids);
	for (int i = 0; i < n; i++) {
		struct frame_ref *fr = &frames[i];
		const struct code_info *ci = ids[i] != CODE_NONE ? &w->codes[ids[i]] : NULL;
		fr->code = ids[i];
		fr->line = -1;
		fr->class_name = CODE_NONE;
		fr->addr = w->frame_addr[i];
		if (!ci) {
			w->stats.bad_frames++;
			return -1;   /* a frame without a readable code object: torn */
		}
		int64_t offset;
		if (l->frames == FRAME_INTERP)
			offset = (int64_t)(w->lasti_addr[i] - (ci->addr + l->code.code_adaptive));
		else
			offset = l->lasti_in_code_units ? (int64_t)w->lasti[i] * 2 : w->lasti[i];
		if (offset < 0 || offset > (1 << 28))
			fr->line = ci->firstlineno;
		else {
			int line = linetable_line(l->lines, ci->linetable, ci->linetable_len,
			                          ci->firstlineno, (uint32_t)offset);
			fr->line = line >= 0 ? line : ci->firstlineno;
		}
		if (ci->first_arg_name && remote_ptr_ok(w->self_obj[i], 8)) {
			uint64_t type = w->self_obj[i];
			if (ci->first_arg_name == 2 ||
			    remote_read_u64(&w->t->mem, w->self_obj[i] + l->object.ob_type, &type) == 0)
				fr->class_name = type_name_id(w, type);
		}
	}
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
