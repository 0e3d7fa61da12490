/* test-layout.c — invariants of the compiled-in layout tables (src/layout-table.c).
 *
 * Prints one "ok <what>" line per group of checks, a "FAIL <what>: <detail>"
 * line per failed check, and exits 0 only when every check passed.
 * The spot-check values were computed from each version's headers by
 * contrib/gen-layout; those up to 3.14 also match the team's CPython notes. */
#include "layout.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define NONE LAYOUT_NONE
#define ANY LAYOUT_MICRO_ANY

/* Version as a comparable number: 3.10 -> 310. */
#define VER(l) ((l)->major * 100 + (l)->minor)

static const char *name(const struct py_layout *l)
{
	static char buf[48];
	if (l->micro_min == 0 && l->micro_max == ANY)
		snprintf(buf, sizeof buf, "%u.%u%s", (unsigned)l->major, (unsigned)l->minor,
		         l->free_threaded ? "t" : "");
	else if (l->micro_max == ANY)
		snprintf(buf, sizeof buf, "%u.%u.%u+%s", (unsigned)l->major, (unsigned)l->minor,
		         (unsigned)l->micro_min, l->free_threaded ? "t" : "");
	else
		snprintf(buf, sizeof buf, "%u.%u.%u-%u%s", (unsigned)l->major, (unsigned)l->minor,
		         (unsigned)l->micro_min, (unsigned)l->micro_max, l->free_threaded ? "t" : "");
	return buf;
}

/* ---- 1. every version is present, and nothing else ---- */
static const struct { unsigned major, minor; int ft; } expected[] = {
	{2, 7, 0}, {3, 6, 0}, {3, 7, 0}, {3, 8, 0}, {3, 9, 0}, {3, 10, 0},
	{3, 11, 0}, {3, 12, 0}, {3, 13, 0}, {3, 14, 0}, {3, 15, 0}, {3, 13, 1},
};
#define NEXPECTED (sizeof expected / sizeof expected[0])

static void test_versions(void)
{
	const char *want = "2.7 3.6 3.7 3.8 3.9 3.10 3.11 3.12 3.13 3.14 3.15 3.13t";
	const char *got = layout_versions();

	check(got != NULL && strcmp(got, want) == 0, "layout_versions() is \"%s\", want \"%s\"",
	      got ? got : "(null)", want);
	for (size_t i = 0; i < NEXPECTED; i++) {
		const struct py_layout *l = layout_for(expected[i].major, expected[i].minor, expected[i].ft);

		check(l != NULL, "no table for %u.%u%s", expected[i].major, expected[i].minor,
		      expected[i].ft ? "t" : "");
		if (!l)
			continue;
		check(l->major == expected[i].major && l->minor == expected[i].minor &&
		      l->free_threaded == expected[i].ft,
		      "layout_for(%u, %u, %d) describes %s", expected[i].major, expected[i].minor,
		      expected[i].ft, name(l));
	}
	/* every name layout_versions() lists resolves */
	if (got) {
		const char *p = got;
		unsigned maj, min;
		int len;

		while (sscanf(p, " %u.%u%n", &maj, &min, &len) == 2) {
			int ft = p[len] == 't';

			check(layout_for(maj, min, ft) != NULL,
			      "layout_versions() lists %u.%u%s but layout_for has no such table", maj, min,
			      ft ? "t" : "");
			p += len + ft;
		}
		check(*p == '\0', "layout_versions() has junk: \"%s\"", p);
	}
	/* what must not be there */
	check(layout_for(3, 5, 0) == NULL, "a table for 3.5");
	check(layout_for(2, 6, 0) == NULL, "a table for 2.6");
	check(layout_for(3, 16, 0) == NULL, "a table for 3.16");
	check(layout_for(4, 0, 0) == NULL, "a table for 4.0");
	check(layout_for(3, 12, 1) == NULL, "a free-threaded table for 3.12");
	check(layout_for(3, 14, 1) == NULL, "a 3.14t table (none was generated)");
	check(layout_for(3, 13, 2) == layout_for(3, 13, 1), "free_threaded is not treated as a boolean");
	check(layout_for(3, 13, 0) != layout_for(3, 13, 1), "3.13 and 3.13t share a table");
	check_group("versions: %s", want);
}

/* ---- 2. enums and flags follow the version ---- */
static void test_enums(const struct py_layout *l)
{
	unsigned v = VER(l);

	check(l->frames == (v >= 311 ? FRAME_INTERP : FRAME_OBJECT), "%s: frames = %d", name(l), l->frames);
	check(l->lines == (v >= 311 ? LINES_LOCATIONS : v == 310 ? LINES_TABLE_310
	                   : v >= 300 ? LINES_LNOTAB_S8 : LINES_LNOTAB_U8),
	      "%s: lines = %d", name(l), l->lines);
	check(l->gil == (v >= 312 ? GIL_INTERP_STRUCT : v >= 307 ? GIL_RUNTIME_CURRENT
	                 : GIL_TSTATE_SYMBOL), "%s: gil = %d", name(l), l->gil);
	check(l->strings == (v >= 300 ? STR_PEP393 : STR_BYTES27), "%s: strings = %d", name(l), l->strings);
	check(l->ints == (v >= 312 ? INT_DIGITS_TAG : INT_DIGITS_SIZE), "%s: ints = %d", name(l), l->ints);
	check(l->tagged_executable == (v >= 314), "%s: tagged_executable = %d", name(l), l->tagged_executable);
	check(l->lasti_in_code_units == (v == 310), "%s: lasti_in_code_units = %d", name(l),
	      l->lasti_in_code_units);
	check_group("%s: enums and flags", name(l));
}

/* ---- 3. which fields a version has ---- */
#define HAS(field, cond) \
	check(((l->field) != NONE) == !!(cond), "%s: " #field " is %s (%u)", name(l), \
	      (l->field) == NONE ? "LAYOUT_NONE" : "set", (unsigned)(l->field))

static void test_presence(const struct py_layout *l)
{
	unsigned v = VER(l);

	HAS(runtime.interpreters_head, v >= 307);
	HAS(runtime.gilstate_current, v >= 307 && v <= 311);
	HAS(interp.next, 1);
	HAS(interp.tstate_head, 1);
	HAS(interp.id, v >= 307);
	HAS(interp.gil_ptr, v >= 312);
	HAS(interp.modules, 1);
	HAS(gil_state.locked, v >= 307);
	HAS(gil_state.last_holder, v >= 307);
	HAS(tstate.next, 1);
	HAS(tstate.interp, 1);
	HAS(tstate.frame, v <= 310);
	HAS(tstate.cframe, v == 311 || v == 312);
	HAS(tstate.current_frame, v >= 313);
	HAS(tstate.thread_id, 1);
	HAS(tstate.native_thread_id, v >= 311);
	HAS(tstate.datastack_chunk, v >= 311);
	HAS(tstate.status, v >= 313);
	HAS(tstate.size, 1);
	HAS(cframe.current_frame, v == 311 || v == 312);
	HAS(frame.previous, 1);
	HAS(frame.code, 1);
	HAS(frame.lasti, 1);
	HAS(frame.owner, v >= 311);
	HAS(frame.is_entry, v == 311);
	HAS(frame.localsplus, 1);
	/* 3.13 still has `int stacktop`; 3.14 replaced it with a stackpointer */
	HAS(frame.stacktop, v >= 311 && v <= 313);
	HAS(frame.size, 1);
	HAS(code.filename, 1);
	HAS(code.name, 1);
	HAS(code.qualname, v >= 311);
	HAS(code.firstlineno, 1);
	HAS(code.linetable, 1);
	HAS(code.code, v <= 310);
	HAS(code.code_adaptive, v >= 311);
	HAS(code.argcount, 1);
	HAS(code.nlocals, 1);
	HAS(code.varnames, v <= 310);
	HAS(code.localsplusnames, v >= 311);
	HAS(code.localspluskinds, v >= 311);
	HAS(code.size, 1);
	HAS(object.ob_type, 1);
	HAS(object.ob_size, 1);
	HAS(type.tp_name, 1);
	HAS(unicode.length, 1);
	HAS(unicode.state, v >= 300);
	HAS(unicode.ascii_data, 1);
	HAS(unicode.compact_data, v >= 300);
	HAS(bytes.size, 1);
	HAS(bytes.data, 1);
	HAS(tuple.size, 1);
	HAS(tuple.items, 1);
	HAS(list.size, 1);
	HAS(dict.used, 1);
	HAS(float_.value, 1);
	HAS(int27.value, v < 300);
	HAS(long_.tag_or_size, 1);
	HAS(long_.digits, 1);
	check_group("%s: fields present exactly where the version has them", name(l));
}

/* ---- 4. sizes and internal consistency ---- */
#define BELOW(field, limit) \
	check((l->field) == NONE || (l->field) + 4 <= (limit), "%s: " #field " = %u is not inside " #limit " = %u", \
	      name(l), (unsigned)(l->field), (unsigned)(limit))

static void test_sizes(const struct py_layout *l)
{
	unsigned v = VER(l);
	unsigned hdr = l->free_threaded ? 32 : 16; /* PyObject header (ob_type + 8) */

	check(l->tstate.size != 0 && l->tstate.size != NONE, "%s: tstate.size = %u", name(l), l->tstate.size);
	check(l->frame.size != 0 && l->frame.size != NONE, "%s: frame.size = %u", name(l), l->frame.size);
	check(l->code.size != 0 && l->code.size != NONE, "%s: code.size = %u", name(l), l->code.size);
	check(l->unicode.ascii_data != 0 && l->unicode.ascii_data != NONE,
	      "%s: unicode.ascii_data = %u", name(l), l->unicode.ascii_data);
	/* no offset is absurd */
	check(l->tstate.size < (1u << 16), "%s: tstate.size = %u is absurd", name(l), l->tstate.size);
	check(l->interp.modules < (1u << 16), "%s: interp.modules = %u is absurd", name(l), l->interp.modules);

	/* what the walker reads lies inside the bytes it reads */
	BELOW(tstate.next, l->tstate.size);
	BELOW(tstate.interp, l->tstate.size);
	BELOW(tstate.frame, l->tstate.size);
	BELOW(tstate.cframe, l->tstate.size);
	BELOW(tstate.current_frame, l->tstate.size);
	BELOW(tstate.thread_id, l->tstate.size);
	BELOW(tstate.native_thread_id, l->tstate.size);
	BELOW(tstate.datastack_chunk, l->tstate.size);
	BELOW(tstate.status, l->tstate.size);
	BELOW(frame.previous, l->frame.size);
	BELOW(frame.code, l->frame.size);
	BELOW(frame.lasti, l->frame.size);
	BELOW(frame.stacktop, l->frame.size);
	check(l->frame.owner == NONE || l->frame.owner < l->frame.size, "%s: frame.owner outside the frame",
	      name(l));
	check(l->frame.is_entry == NONE || l->frame.is_entry < l->frame.size,
	      "%s: frame.is_entry outside the frame", name(l));
	check(l->frame.size == l->frame.localsplus, "%s: frame.size %u != frame.localsplus %u", name(l),
	      l->frame.size, l->frame.localsplus);
	BELOW(code.filename, l->code.size);
	BELOW(code.name, l->code.size);
	BELOW(code.qualname, l->code.size);
	BELOW(code.firstlineno, l->code.size);
	BELOW(code.linetable, l->code.size);
	BELOW(code.code, l->code.size);
	BELOW(code.argcount, l->code.size);
	BELOW(code.nlocals, l->code.size);
	BELOW(code.varnames, l->code.size);
	BELOW(code.localsplusnames, l->code.size);
	BELOW(code.localspluskinds, l->code.size);
	if (v >= 311)
		check(l->code.size == l->code.code_adaptive, "%s: code.size %u != code.code_adaptive %u",
		      name(l), l->code.size, l->code.code_adaptive);
	BELOW(unicode.length, l->unicode.ascii_data);
	BELOW(unicode.state, l->unicode.ascii_data);
	if (v >= 300)
		check(l->unicode.compact_data > l->unicode.ascii_data, "%s: compact_data %u <= ascii_data %u",
		      name(l), l->unicode.compact_data, l->unicode.ascii_data);

	/* object headers */
	check(l->object.ob_type == hdr - 8, "%s: object.ob_type = %u, want %u", name(l), l->object.ob_type, hdr - 8);
	check(l->object.ob_size == hdr, "%s: object.ob_size = %u, want %u", name(l), l->object.ob_size, hdr);
	check(l->bytes.size == hdr && l->tuple.size == hdr && l->list.size == hdr,
	      "%s: bytes/tuple/list size not at ob_size (%u/%u/%u)", name(l), l->bytes.size, l->tuple.size,
	      l->list.size);
	check(l->unicode.length == hdr, "%s: unicode.length = %u, want %u", name(l), l->unicode.length, hdr);
	check(l->long_.tag_or_size == hdr && l->long_.digits == hdr + 8, "%s: long_ = %u/%u", name(l),
	      l->long_.tag_or_size, l->long_.digits);
	check(l->float_.value == hdr, "%s: float_.value = %u, want %u", name(l), l->float_.value, hdr);
	check(l->type.tp_name == hdr + 8, "%s: type.tp_name = %u, want %u", name(l), l->type.tp_name, hdr + 8);
	/* 3.14 added the cached ob_hash to tuples */
	check(l->tuple.items == hdr + (v >= 314 ? 16u : 8u), "%s: tuple.items = %u", name(l), l->tuple.items);
	check_group("%s: sizes and consistency", name(l));
}

/* ---- 5. spot checks (computed from the headers; match the shared notes) ---- */
struct spot {
	unsigned major, minor;
	uint32_t gilstate, interp_head, tstate_head, frame_src, thread_id, native_tid;
	uint32_t f_prev, f_code, f_lasti, co_filename, co_name, co_firstlineno, co_linetable, co_adaptive;
	uint32_t ascii_data, compact_data;
};

static const struct spot spots[] = {
	/*        gilst  ihead  thead  fsrc tid  ntid  prev code lasti file name first line adapt  ascii compact */
	{2, 7,  NONE, NONE,    8,    16, 144, NONE, 24, 32, 120,  80,  88,  96, 104, NONE, 36, NONE},
	{3, 6,  NONE, NONE,    8,    24, 152, NONE, 24, 32, 120,  96, 104,  36, 112, NONE, 48, 72},
	{3, 7,  1480,   24,    8,    24, 176, NONE, 24, 32, 104,  96, 104,  36, 112, NONE, 48, 72},
	{3, 8,  1368,   32,    8,    24, 176, NONE, 24, 32, 104, 104, 112,  40, 120, NONE, 48, 72},
	{3, 9,   568,   32,    8,    24, 176, NONE, 24, 32, 104, 104, 112,  40, 120, NONE, 48, 72},
	{3, 10,  568,   32,    8,    24, 176, NONE, 24, 32,  96, 104, 112,  40, 120, NONE, 48, 72},
	{3, 11,  576,   40,   16,    56, 152,  160, 48, 32,  56, 112, 120,  72, 136,  184, 48, 72},
	{3, 12, NONE,   40,   72,    56, 136,  144,  8,  0,  56, 112, 120,  68, 136,  192, 40, 56},
	{3, 13, NONE,  632, 7344,    72, 152,  160,  8,  0,  56, 112, 120,  68, 136,  200, 40, 56},
	{3, 14, NONE,  808, 7344,    72, 152,  160,  8,  0,  56, 112, 120,  68, 136,  208, 40, 56},
	{3, 15, NONE,  936, 7336,    72, 176,  184,  8,  0,  56, 112, 120,  68, 136,  208, 40, 56},
};

#define SPOT(field, want) \
	check((l->field) == (want), "%s: " #field " = %u, want %u", name(l), (unsigned)(l->field), \
	      (unsigned)(want))

static void test_spots(void)
{
	for (size_t i = 0; i < sizeof spots / sizeof spots[0]; i++) {
		const struct spot *s = &spots[i];
		const struct py_layout *l = layout_for(s->major, s->minor, 0);
		unsigned v = s->major * 100 + s->minor;
		uint32_t fsrc;

		if (!l)
			continue; /* reported by test_versions */
		fsrc = v >= 313 ? l->tstate.current_frame : v >= 311 ? l->tstate.cframe : l->tstate.frame;
		SPOT(runtime.gilstate_current, s->gilstate);
		SPOT(runtime.interpreters_head, s->interp_head);
		SPOT(interp.tstate_head, s->tstate_head);
		check(fsrc == s->frame_src, "%s: tstate frame source = %u, want %u", name(l), fsrc, s->frame_src);
		SPOT(tstate.thread_id, s->thread_id);
		SPOT(tstate.native_thread_id, s->native_tid);
		SPOT(tstate.interp, v >= 300 ? 16u : 8u);
		SPOT(frame.previous, s->f_prev);
		SPOT(frame.code, s->f_code);
		SPOT(frame.lasti, s->f_lasti);
		SPOT(code.filename, s->co_filename);
		SPOT(code.name, s->co_name);
		SPOT(code.firstlineno, s->co_firstlineno);
		SPOT(code.linetable, s->co_linetable);
		SPOT(code.code_adaptive, s->co_adaptive);
		SPOT(unicode.ascii_data, s->ascii_data);
		SPOT(unicode.compact_data, s->compact_data);
		if (v >= 311)
			SPOT(code.qualname, 128);
		if (v >= 313) {
			SPOT(interp.next, v == 314 ? 7272u : 7264u);
			SPOT(interp.gil_ptr, 16);
			SPOT(gil_state.locked, 16);
			SPOT(gil_state.last_holder, 8);
		}
		if (v == 311 || v == 312)
			SPOT(cframe.current_frame, v == 311 ? 8u : 0u);
		if (v == 310)
			SPOT(frame.localsplus, 352);
		if (v == 311)
			SPOT(frame.is_entry, 68);
		if (s->major == 2) {
			SPOT(bytes.data, 36);
			SPOT(int27.value, 16);
		}
		check_group("%s: spot checks", name(l));
	}
}

/* ---- 6. 3.13t = 3.13 with a 32-byte object header ---- */
#define SAME(field) \
	check(t->field == d->field, "3.13t " #field " = %u, 3.13 has %u", (unsigned)t->field, (unsigned)d->field)
#define PLUS16(field) \
	check(t->field == d->field + 16, "3.13t " #field " = %u, want 3.13's %u + 16", (unsigned)t->field, \
	      (unsigned)d->field)

static void test_free_threaded(void)
{
	const struct py_layout *d = layout_for(3, 13, 0), *t = layout_for(3, 13, 1);

	if (!d || !t)
		return; /* reported by test_versions */
	check(t->free_threaded == 1 && d->free_threaded == 0, "free_threaded flags");
	SAME(frames); SAME(lines); SAME(gil); SAME(strings); SAME(ints);
	SAME(tagged_executable); SAME(lasti_in_code_units);
	/* objects: every field moves by the 16 extra header bytes */
	PLUS16(object.ob_type); PLUS16(object.ob_size); PLUS16(type.tp_name);
	PLUS16(unicode.length); PLUS16(unicode.state); PLUS16(unicode.ascii_data);
	PLUS16(unicode.compact_data);
	PLUS16(bytes.size); PLUS16(bytes.data); PLUS16(tuple.size); PLUS16(tuple.items);
	PLUS16(list.size); PLUS16(dict.used); PLUS16(float_.value);
	PLUS16(long_.tag_or_size); PLUS16(long_.digits);
	PLUS16(code.filename); PLUS16(code.name); PLUS16(code.qualname); PLUS16(code.firstlineno);
	PLUS16(code.linetable); PLUS16(code.code_adaptive); PLUS16(code.argcount); PLUS16(code.nlocals);
	PLUS16(code.localsplusnames); PLUS16(code.localspluskinds); PLUS16(code.size);
	/* plain C structs: unchanged */
	SAME(runtime.interpreters_head);
	SAME(interp.next); SAME(interp.tstate_head); SAME(interp.id); SAME(interp.gil_ptr);
	SAME(tstate.next); SAME(tstate.interp); SAME(tstate.current_frame); SAME(tstate.thread_id);
	SAME(tstate.native_thread_id); SAME(tstate.datastack_chunk); SAME(tstate.status);
	SAME(frame.previous); SAME(frame.code); SAME(frame.lasti); SAME(frame.owner);
	SAME(frame.localsplus); SAME(frame.stacktop); SAME(frame.size);
	/* the free-threaded thread state is read whole (_PyThreadStateImpl) */
	check(t->tstate.size > d->tstate.size, "3.13t tstate.size %u <= 3.13's %u", t->tstate.size,
	      d->tstate.size);
	check_group("3.13t differs from 3.13 by the 16-byte object header");
}

/* ---- 7. patch releases: the tables of one minor version split its micro
 * range without gaps or overlaps, and the known moves pick the right table ---- */
#define SAMEFIELDS(a, b) (memcmp(&(a)->frames, &(b)->frames, \
	sizeof(struct py_layout) - offsetof(struct py_layout, frames)) == 0)

static void test_micro(void)
{
	/* every table: a sane range, and nothing else shares its minor/flavour/micro */
	for (size_t i = 0; layout_table(i); i++) {
		const struct py_layout *l = layout_table(i);

		check(l->micro_min <= l->micro_max, "%s: micro_min %u > micro_max %u", name(l),
		      l->micro_min, l->micro_max);
		check(l->micro_max == ANY || l->micro_max < 100, "%s: micro_max %u", name(l), l->micro_max);
		for (size_t j = 0; j < i; j++) {
			const struct py_layout *o = layout_table(j);

			check(!(o->major == l->major && o->minor == l->minor &&
			        o->free_threaded == l->free_threaded && o->micro_min <= l->micro_max &&
			        l->micro_min <= o->micro_max),
			      "%s and %s overlap", name(o), name(l));
		}
		/* every micro of it resolves to it; so do the edges */
		check(layout_for_release(l->major, l->minor, l->micro_min, l->free_threaded) == l,
		      "%s: layout_for(micro_min) is another table", name(l));
		check(layout_for_release(l->major, l->minor, l->micro_max, l->free_threaded) == l,
		      "%s: layout_for(micro_max) is another table", name(l));
		/* a patch-range table exists only where something moved */
		if (l->micro_max != ANY) {
			const struct py_layout *newest = layout_for(l->major, l->minor, l->free_threaded);

			check(newest && newest != l && !SAMEFIELDS(newest, l),
			      "%s: same fields as the newest table", name(l));
		}
	}
	/* every minor version and flavour resolves for every micro 0 .. 99 */
	for (size_t i = 0; i < NEXPECTED; i++)
		for (unsigned m = 0; m < 100; m++)
			check(layout_for_release(expected[i].major, expected[i].minor, m, expected[i].ft) != NULL,
			      "no table for %u.%u.%u%s", expected[i].major, expected[i].minor, m,
			      expected[i].ft ? "t" : "");

	/* 3.7.0 - 3.7.3: _PyRuntime.gilstate.tstate_current at 1392, 3.7.4+ at 1480 */
	for (unsigned m = 0; m <= 20; m++) {
		const struct py_layout *l = layout_for_release(3, 7, m, 0);

		check(l && l->runtime.gilstate_current == (m <= 3 ? 1392u : 1480u),
		      "3.7.%u: runtime.gilstate_current = %u", m, l ? l->runtime.gilstate_current : 0);
	}
	check(layout_for(3, 7, 0)->runtime.gilstate_current == 1480, "3.7 (micro unknown)");
	/* 2.7.0 - 2.7.3: a 152-byte PyThreadState, 168 from 2.7.4 */
	check(layout_for_release(2, 7, 3, 0)->tstate.size == 152, "2.7.3 tstate.size");
	check(layout_for_release(2, 7, 4, 0)->tstate.size == 168, "2.7.4 tstate.size");
	check(layout_for_release(2, 7, 18, 0)->tstate.size == 168, "2.7.18 tstate.size");
	check(layout_for_release(2, 7, 0, 0)->tstate.thread_id == layout_for_release(2, 7, 18, 0)->tstate.thread_id,
	      "2.7.0 tstate.thread_id moved");
	/* 3.13.0 - 3.13.5: a 304-byte PyThreadState (312 in 3.13.18) */
	check(layout_for_release(3, 13, 0, 0)->tstate.size == 304, "3.13.0 tstate.size");
	check(layout_for_release(3, 13, 5, 0)->tstate.size == 304, "3.13.5 tstate.size");
	check(layout_for_release(3, 13, 18, 0)->tstate.size == 312, "3.13.18 tstate.size");
	check(layout_for_release(3, 13, 0, 0)->tstate.status == layout_for_release(3, 13, 18, 0)->tstate.status,
	      "3.13.0 tstate.status moved");
	/* one table for every patch release of these */
	static const unsigned one[][2] = { {3, 6}, {3, 8}, {3, 9}, {3, 10}, {3, 11}, {3, 12},
	                                   {3, 14}, {3, 15} };
	for (size_t i = 0; i < sizeof one / sizeof one[0]; i++)
		check(layout_for_release(one[i][0], one[i][1], 0, 0) == layout_for(one[i][0], one[i][1], 0),
		      "%u.%u.0 has a table of its own", one[i][0], one[i][1]);
	check(layout_for_release(3, 13, 0, 1) == layout_for(3, 13, 1), "3.13.0t has a table of its own");
	check_group("patch releases: 2.7.0-3, 3.7.0-3 and 3.13.0-5 have tables of their own");
}

int main(void)
{
	test_versions();
	/* every table, patch-range ones included */
	for (size_t i = 0; layout_table(i); i++) {
		const struct py_layout *l = layout_table(i);

		test_enums(l);
		test_presence(l);
		test_sizes(l);
	}
	test_spots();
	test_free_threaded();
	test_micro();
	return check_done("test-layout");
}
