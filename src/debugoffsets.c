/* debugoffsets.c — parse `_Py_DebugOffsets` (3.13+). See include/debugoffsets.h.
 *
 * The struct is a flat run of uint64 words. Rather than mirror three C
 * structs, each version gets a map from the fields pyheat uses to their word
 * index, read off that version's Include/internal/pycore_debug_offsets.h
 * (pycore_runtime.h in 3.13). The struct sizes (584/760/888) cross-check the
 * maps. */
#include <stdio.h>
#include <string.h>

#include "debugoffsets.h"

/* Word indices; 0 means "this version does not publish the field" (word 0 is
 * the cookie, so it can never be a field). */
struct do_map {
	unsigned minor;
	size_t size;
	unsigned rt_size, rt_interp_head;
	unsigned is_size, is_id, is_next, is_threads_head, is_modules, is_ceval_gil, is_gil_state,
	         is_gil_locked, is_gil_holder;
	unsigned ts_size, ts_next, ts_interp, ts_current_frame, ts_thread_id, ts_native_tid,
	         ts_datastack, ts_status;
	unsigned fr_size, fr_previous, fr_executable, fr_instr_ptr, fr_localsplus, fr_owner;
	unsigned co_size, co_filename, co_name, co_qualname, co_linetable, co_firstlineno,
	         co_argcount, co_lpnames, co_lpkinds, co_adaptive;
	unsigned ob_type, tp_name, tu_item, tu_size, li_size, fl_fval, lo_tag, lo_digit,
	         by_size, by_sval, un_state, un_length, un_ascii_size, un_compact_size;
	unsigned tp_flags, tp_basicsize, tp_dictoffset, ht_cached_keys, di_keys, di_values;
};

static const struct do_map maps[] = {
	{ .minor = 13, .size = 584,
	  .rt_size = 3, .rt_interp_head = 5,
	  .is_size = 6, .is_id = 7, .is_next = 8, .is_threads_head = 9, .is_modules = 11,
	  .is_ceval_gil = 14, .is_gil_state = 15, .is_gil_locked = 17, .is_gil_holder = 18,
	  .ts_size = 19, .ts_next = 21, .ts_interp = 22, .ts_current_frame = 23, .ts_thread_id = 24,
	  .ts_native_tid = 25, .ts_datastack = 26, .ts_status = 27,
	  .fr_size = 28, .fr_previous = 29, .fr_executable = 30, .fr_instr_ptr = 31,
	  .fr_localsplus = 32, .fr_owner = 33,
	  .co_size = 34, .co_filename = 35, .co_name = 36, .co_qualname = 37, .co_linetable = 38,
	  .co_firstlineno = 39, .co_argcount = 40, .co_lpnames = 41, .co_lpkinds = 42,
	  .co_adaptive = 43,
	  .ob_type = 45, .tp_name = 47, .tu_item = 51, .tu_size = 52, .li_size = 55, .fl_fval = 60,
	  .lo_tag = 62, .lo_digit = 63, .by_size = 65, .by_sval = 66, .un_state = 68,
	  .un_length = 69, .un_ascii_size = 70, .un_compact_size = 0,
	  .tp_flags = 49, .di_keys = 57, .di_values = 58 },
	{ .minor = 14, .size = 760,
	  .rt_size = 3, .rt_interp_head = 5,
	  .is_size = 6, .is_id = 7, .is_next = 8, .is_threads_head = 9, .is_modules = 12,
	  .is_ceval_gil = 15, .is_gil_state = 16, .is_gil_locked = 18, .is_gil_holder = 19,
	  .ts_size = 22, .ts_next = 24, .ts_interp = 25, .ts_current_frame = 26, .ts_thread_id = 27,
	  .ts_native_tid = 28, .ts_datastack = 29, .ts_status = 30,
	  .fr_size = 31, .fr_previous = 32, .fr_executable = 33, .fr_instr_ptr = 34,
	  .fr_localsplus = 35, .fr_owner = 36,
	  .co_size = 39, .co_filename = 40, .co_name = 41, .co_qualname = 42, .co_linetable = 43,
	  .co_firstlineno = 44, .co_argcount = 45, .co_lpnames = 46, .co_lpkinds = 47,
	  .co_adaptive = 48,
	  .ob_type = 51, .tp_name = 53, .tu_item = 57, .tu_size = 58, .li_size = 61, .fl_fval = 70,
	  .lo_tag = 72, .lo_digit = 73, .by_size = 75, .by_sval = 76, .un_state = 78,
	  .un_length = 79, .un_ascii_size = 80, .un_compact_size = 0,
	  .tp_flags = 55, .di_keys = 67, .di_values = 68 },
	{ .minor = 15, .size = 888,
	  .rt_size = 3, .rt_interp_head = 5,
	  .is_size = 6, .is_id = 7, .is_next = 8, .is_threads_head = 9, .is_modules = 12,
	  .is_ceval_gil = 15, .is_gil_state = 16, .is_gil_locked = 18, .is_gil_holder = 19,
	  .ts_size = 22, .ts_next = 24, .ts_interp = 25, .ts_current_frame = 26, .ts_thread_id = 30,
	  .ts_native_tid = 31, .ts_datastack = 32, .ts_status = 33,
	  .fr_size = 39, .fr_previous = 40, .fr_executable = 41, .fr_instr_ptr = 42,
	  .fr_localsplus = 43, .fr_owner = 44,
	  .co_size = 47, .co_filename = 48, .co_name = 49, .co_qualname = 50, .co_linetable = 51,
	  .co_firstlineno = 52, .co_argcount = 53, .co_lpnames = 54, .co_lpkinds = 55,
	  .co_adaptive = 56,
	  .ob_type = 59, .tp_name = 61, .tu_item = 69, .tu_size = 70, .li_size = 73, .fl_fval = 82,
	  .lo_tag = 84, .lo_digit = 85, .by_size = 87, .by_sval = 88, .un_state = 90,
	  .un_length = 91, .un_ascii_size = 92, .un_compact_size = 93,
	  .tp_flags = 63, .tp_basicsize = 64, .tp_dictoffset = 65, .ht_cached_keys = 67,
	  .di_keys = 79, .di_values = 80 },
};

static const struct do_map *map_for(unsigned minor)
{
	for (size_t i = 0; i < sizeof maps / sizeof maps[0]; i++)
		if (maps[i].minor == minor)
			return &maps[i];
	return NULL;
}

size_t debug_offsets_size(unsigned minor)
{
	const struct do_map *m = map_for(minor);
	return m ? m->size : 0;
}

static uint64_t word(const uint8_t *raw, unsigned idx)
{
	uint64_t v;
	memcpy(&v, raw + (size_t)idx * 8, 8);
	return v;
}

int debug_offsets_header(const uint8_t *raw, size_t len, uint64_t *version_hex, int *free_threaded)
{
	if (len < 24 || memcmp(raw, DEBUG_OFFSETS_COOKIE, 8) != 0)
		return -1;
	*version_hex = word(raw, 1);
	*free_threaded = word(raw, 2) != 0;
	return 0;
}

/* Context for one overlay: checks each value against its struct's size and
 * records differences from the compiled-in value. */
struct overlay {
	const uint8_t *raw;
	char *diff;
	size_t difflen;
	int bad;
	const char *bad_field;
};

static void set_field(struct overlay *o, uint32_t *field, const char *name, unsigned idx,
                      uint64_t struct_size, int64_t adjust)
{
	if (idx == 0)
		return;
	uint64_t v = word(o->raw, idx);
	int64_t sv = (int64_t)v + adjust;
	if (sv < 0 || (uint64_t)sv + 1 > struct_size || struct_size > (1u << 20)) {
		o->bad = 1;
		o->bad_field = name;
		return;
	}
	if (*field != LAYOUT_NONE && *field != (uint32_t)sv) {
		size_t used = strlen(o->diff);
		if (used + 1 < o->difflen)
			snprintf(o->diff + used, o->difflen - used, "%s%s %u->%lld", used ? ", " : "",
			         name, (unsigned)*field, (long long)sv);
	}
	*field = (uint32_t)sv;
}

int layout_apply_debug_offsets(struct py_layout *l, const uint8_t *raw, size_t len,
                               char *diff, size_t difflen, struct ph_error *err)
{
	uint64_t hex;
	int ft;
	if (difflen)
		diff[0] = '\0';
	if (debug_offsets_header(raw, len, &hex, &ft) < 0)
		return ph_fail(err, PH_EUNSUPPORTED, "no _Py_DebugOffsets cookie in _PyRuntime");
	unsigned major = (unsigned)(hex >> 24) & 0xff, minor = (unsigned)(hex >> 16) & 0xff;
	const struct do_map *m = major == 3 ? map_for(minor) : NULL;
	if (!m || minor != l->minor)
		return ph_fail(err, PH_EUNSUPPORTED, "CPython %u.%u's debug offsets are not known to "
		               "pyheat", major, minor);
	if (len < m->size)
		return ph_fail(err, PH_EUNSUPPORTED, "short _Py_DebugOffsets read");

	struct overlay o = { raw, diff, difflen, 0, NULL };
	uint64_t is = word(raw, m->is_size), ts = word(raw, m->ts_size), fr = word(raw, m->fr_size);
	uint64_t co = word(raw, m->co_size), rt = word(raw, m->rt_size);
	uint64_t big = 1u << 16;  /* plain objects: fields lie well inside 64 KiB */

	set_field(&o, &l->runtime.interpreters_head, "runtime.interpreters_head", m->rt_interp_head, rt, 0);
	set_field(&o, &l->interp.id, "interp.id", m->is_id, is, 0);
	set_field(&o, &l->interp.next, "interp.next", m->is_next, is, 0);
	set_field(&o, &l->interp.tstate_head, "interp.threads_head", m->is_threads_head, is, 0);
	set_field(&o, &l->interp.modules, "interp.modules", m->is_modules, is, 0);
	set_field(&o, &l->interp.gil_ptr, "interp.ceval_gil", m->is_ceval_gil, is, 0);
	/* locked/holder are published relative to the interpreter (inside its
	 * own embedded _gil); pyheat follows ceval.gil, so make them relative to
	 * the GIL struct. */
	int64_t gil_base = -(int64_t)word(raw, m->is_gil_state);
	set_field(&o, &l->gil_state.locked, "gil.locked", m->is_gil_locked, is, gil_base);
	set_field(&o, &l->gil_state.last_holder, "gil.last_holder", m->is_gil_holder, is, gil_base);
	set_field(&o, &l->tstate.next, "tstate.next", m->ts_next, ts, 0);
	set_field(&o, &l->tstate.interp, "tstate.interp", m->ts_interp, ts, 0);
	set_field(&o, &l->tstate.current_frame, "tstate.current_frame", m->ts_current_frame, ts, 0);
	set_field(&o, &l->tstate.thread_id, "tstate.thread_id", m->ts_thread_id, ts, 0);
	set_field(&o, &l->tstate.native_thread_id, "tstate.native_thread_id", m->ts_native_tid, ts, 0);
	set_field(&o, &l->tstate.datastack_chunk, "tstate.datastack_chunk", m->ts_datastack, ts, 0);
	/* not ts_status: that is the _status bitfield (initialized, bound, ...),
	 * while pyheat wants `state` (detached/attached), which the debug
	 * offsets do not publish; the compiled-in table has it. */
	set_field(&o, &l->frame.previous, "frame.previous", m->fr_previous, fr, 0);
	set_field(&o, &l->frame.code, "frame.executable", m->fr_executable, fr, 0);
	set_field(&o, &l->frame.lasti, "frame.instr_ptr", m->fr_instr_ptr, fr, 0);
	set_field(&o, &l->frame.localsplus, "frame.localsplus", m->fr_localsplus, fr + 1, 0);
	set_field(&o, &l->frame.owner, "frame.owner", m->fr_owner, fr, 0);
	set_field(&o, &l->code.filename, "code.filename", m->co_filename, co, 0);
	set_field(&o, &l->code.name, "code.name", m->co_name, co, 0);
	set_field(&o, &l->code.qualname, "code.qualname", m->co_qualname, co, 0);
	set_field(&o, &l->code.linetable, "code.linetable", m->co_linetable, co, 0);
	set_field(&o, &l->code.firstlineno, "code.firstlineno", m->co_firstlineno, co, 0);
	set_field(&o, &l->code.argcount, "code.argcount", m->co_argcount, co, 0);
	set_field(&o, &l->code.localsplusnames, "code.localsplusnames", m->co_lpnames, co, 0);
	set_field(&o, &l->code.localspluskinds, "code.localspluskinds", m->co_lpkinds, co, 0);
	set_field(&o, &l->code.code_adaptive, "code.co_code_adaptive", m->co_adaptive, co + 1, 0);
	set_field(&o, &l->object.ob_type, "object.ob_type", m->ob_type, big, 0);
	set_field(&o, &l->type.tp_name, "type.tp_name", m->tp_name, big, 0);
	set_field(&o, &l->tuple.items, "tuple.ob_item", m->tu_item, big, 0);
	set_field(&o, &l->tuple.size, "tuple.ob_size", m->tu_size, big, 0);
	set_field(&o, &l->list.size, "list.ob_size", m->li_size, big, 0);
	set_field(&o, &l->float_.value, "float.ob_fval", m->fl_fval, big, 0);
	set_field(&o, &l->long_.tag_or_size, "long.lv_tag", m->lo_tag, big, 0);
	set_field(&o, &l->long_.digits, "long.ob_digit", m->lo_digit, big, 0);
	set_field(&o, &l->bytes.size, "bytes.ob_size", m->by_size, big, 0);
	set_field(&o, &l->bytes.data, "bytes.ob_sval", m->by_sval, big, 0);
	set_field(&o, &l->unicode.state, "unicode.state", m->un_state, big, 0);
	set_field(&o, &l->unicode.length, "unicode.length", m->un_length, big, 0);
	set_field(&o, &l->unicode.ascii_data, "unicode.ascii_size", m->un_ascii_size, big, 0);
	set_field(&o, &l->unicode.compact_data, "unicode.compact_size", m->un_compact_size, big, 0);
	set_field(&o, &l->typeattr.flags, "type.tp_flags", m->tp_flags, big, 0);
	set_field(&o, &l->typeattr.basicsize, "type.tp_basicsize", m->tp_basicsize, big, 0);
	set_field(&o, &l->typeattr.dictoffset, "type.tp_dictoffset", m->tp_dictoffset, big, 0);
	set_field(&o, &l->typeattr.cached_keys, "heap_type.ht_cached_keys", m->ht_cached_keys, big, 0);
	set_field(&o, &l->dictobj.keys, "dict.ma_keys", m->di_keys, big, 0);
	set_field(&o, &l->dictobj.values, "dict.ma_values", m->di_values, big, 0);
	if (o.bad)
		return ph_fail(err, PH_EUNSUPPORTED, "the target's _Py_DebugOffsets holds an impossible "
		               "value for %s", o.bad_field);
	if (ts < (1u << 16) && ts > l->tstate.size)
		l->tstate.size = (uint32_t)ts;
	if (fr < (1u << 16) && fr > 0)
		l->frame.size = (uint32_t)fr;
	if (co < (1u << 16) && co > 0)
		l->code.size = (uint32_t)co;
	l->free_threaded = ft;
	return 0;
}
