/* test-pydict — src/pydict.c against fake CPython objects built in this
 * process (read back through remote_read on our own pid), for every
 * compiled-in layout: lookups and iteration over combined, split and
 * str-keyed dicts; instance attributes in every model (tp_dictoffset, 3.11
 * values pointer, 3.12 dict-or-values, 3.13+ inline values); int idents;
 * and hostile tables (bad sizes, counts, pointers) that must fail cleanly.
 * Prints "ok"/"FAIL" lines; exits 0 only when every check passed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "layout.h"
#include "pydict.h"
#include "pyobj.h"
#include "remote.h"

#include "check.h"

static char label[32];   /* the layout under test */

static void check_layout(int cond, const char *what)
{
	check(cond, "%s: %s", label, what);
}

/* ---- a bump arena of zeroed, 16-aligned fake objects ---- */
static _Alignas(16) uint8_t arena[4 << 20];
static size_t arena_used;

static void *alloc(size_t n)
{
	arena_used = (arena_used + 15) & ~(size_t)15;
	if (arena_used + n > sizeof arena) {
		fprintf(stderr, "test-pydict: arena full\n");
		exit(2);
	}
	void *p = arena + arena_used;
	memset(p, 0, n);
	arena_used += n;
	return p;
}

static uint64_t A(const void *p) { return (uint64_t)(uintptr_t)p; }
static void put64(void *base, uint32_t off, uint64_t v) { memcpy((uint8_t *)base + off, &v, 8); }
static void put8(void *base, uint32_t off, uint8_t v) { ((uint8_t *)base)[off] = v; }

struct fx {
	const struct py_layout *l;
	struct remote r;
	uint8_t *str_type, *dict_type, *long_type, *int_type, *plain_type;
};

static uint8_t *mk_type(uint64_t flags, const struct py_layout *l)
{
	uint8_t *t = alloc(2048);
	put64(t, l->typeattr.flags, flags);
	return t;
}

static uint64_t mk_str(struct fx *f, const char *s)
{
	const struct py_layout *l = f->l;
	size_t n = strlen(s);
	uint8_t *o = alloc(l->unicode.ascii_data + n + 256);
	put64(o, l->object.ob_type, A(f->str_type));
	put64(o, l->unicode.length, n);
	if (l->strings == STR_PEP393) {
		uint32_t state = 1u << 2 | 1u << 5 | 1u << 6;   /* kind 1, compact, ascii */
		memcpy(o + l->unicode.state, &state, 4);
	}
	memcpy(o + l->unicode.ascii_data, s, n);
	return A(o);
}

static uint64_t mk_plain(struct fx *f)
{
	uint8_t *o = alloc(64);
	put64(o, f->l->object.ob_type, A(f->plain_type));
	return A(o);
}

/* A dict of n (keys[i], vals[i]); split: values in a separate array. */
struct built {
	uint64_t dict, keys, values_base;
};

static struct built mk_dict(struct fx *f, int n, const uint64_t *keys, const uint64_t *vals,
                            int split, int general)
{
	const struct py_layout *l = f->l;
	struct built b = { 0, 0, 0 };
	uint8_t *d = alloc(256);
	put64(d, l->object.ob_type, A(f->dict_type));
	b.dict = A(d);
	if (l->dicts == DICT_TABLE27) {
		uint64_t slots = 8;
		while ((slots << 1) / 3 < (uint64_t)n)
			slots <<= 1;
		uint8_t *t = alloc(slots * l->dictentry.size);
		for (int i = 0; i < n; i++) {
			uint64_t s = ((uint64_t)i * 5 + 1) & (slots - 1);
			uint64_t k;
			while (memcpy(&k, t + s * l->dictentry.size + l->dictentry.key, 8), k)
				s = (s + 1) & (slots - 1);
			put64(t, (uint32_t)(s * l->dictentry.size + l->dictentry.key), keys[i]);
			put64(t, (uint32_t)(s * l->dictentry.size + l->dictentry.value), vals[i]);
		}
		put64(d, l->dictobj.mask, slots - 1);
		put64(d, l->dictobj.table, A(t));
		return b;
	}
	uint64_t size = 8;
	while ((size << 1) / 3 < (uint64_t)n)
		size <<= 1;
	unsigned log2 = 0;
	while ((1ull << log2) < size)
		log2++;
	unsigned ix = size <= 0xff ? 1 : size <= 0xffff ? 2 : 4;
	uint32_t esize = l->dictentry.size, koff = l->dictentry.key, voff = l->dictentry.value;
	if (l->dicts == DICT_KEYS311 && !general) {
		esize = l->dictentry.unicode_size;
		koff = l->dictentry.unicode_key;
		voff = l->dictentry.unicode_value;
	}
	uint8_t *k = alloc(l->dictkeys.indices + size * ix + (size_t)n * esize + 64);
	put64(k, 0, 1);   /* dk_refcnt */
	put64(k, l->dictkeys.nentries, (uint64_t)n);
	if (l->dicts == DICT_KEYS36) {
		put64(k, l->dictkeys.size, size);
	} else {
		put8(k, l->dictkeys.log2_size, (uint8_t)log2);
		put8(k, l->dictkeys.log2_index_bytes, (uint8_t)(log2 + (ix == 1 ? 0 : ix == 2 ? 1 : 2)));
		put8(k, l->dictkeys.kind, (uint8_t)(general ? l->dictkeys.kind_general
		                                           : l->dictkeys.kind_general + 1 + (split != 0)));
	}
	memset(k + l->dictkeys.indices, 0xff, size * ix);    /* DKIX_EMPTY; not read by pydict */
	uint8_t *e = k + l->dictkeys.indices + size * ix;
	for (int i = 0; i < n; i++) {
		put64(e, (uint32_t)(i * esize + koff), keys[i]);
		if (!split)
			put64(e, (uint32_t)(i * esize + voff), vals[i]);
	}
	b.keys = A(k);
	if (split) {
		uint32_t voffs = l->dictvalues.values;
		uint8_t *v = alloc(voffs + (size_t)n * 8 + 64);
		if (l->dictvalues.capacity != LAYOUT_NONE) {
			put8(v, l->dictvalues.capacity, (uint8_t)n);
			put8(v, l->dictvalues.valid, 1);
		}
		for (int i = 0; i < n; i++)
			put64(v, voffs + (uint32_t)i * 8, vals[i]);
		b.values_base = A(v);
	}
	put64(d, l->dictobj.keys, A(k));
	put64(d, l->dictobj.values, b.values_base);
	return b;
}

static int count_fn(uint64_t key, uint64_t value, void *ctx)
{
	(void)key;
	(void)value;
	(*(int *)ctx)++;
	return 0;
}

#define N 20

static void test_dicts(struct fx *f)
{
	const struct py_layout *l = f->l;
	uint64_t keys[N], vals[N], v;
	char name[16];
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof name, "key%d", i);
		keys[i] = mk_str(f, name);
		vals[i] = mk_plain(f);
	}
	int variants = l->dicts == DICT_TABLE27 ? 1 : l->dicts == DICT_KEYS36 ? 2 : 3;
	for (int var = 0; var < variants; var++) {
		/* 0 combined, 1 split, 2 (3.11+) combined with str-only entries */
		int split = var == 1, general = l->dicts != DICT_KEYS311 || var == 0;
		struct built b = mk_dict(f, N, keys, vals, split, general);
		struct pydict d;
		int count = 0;
		check_layout(pydict_open(&f->r, l, b.dict, &d) == 0, "open");
		check_layout(pydict_get_str(&f->r, l, &d, "key7", &v) == 1 && v == vals[7], "lookup key7");
		check_layout(pydict_get_str(&f->r, l, &d, "key19", &v) == 1 && v == vals[19], "lookup key19");
		check_layout(pydict_get_str(&f->r, l, &d, "key", &v) == 0, "a prefix is not a match");
		check_layout(pydict_get_str(&f->r, l, &d, "nope", &v) == 0, "absent key");
		check_layout(pydict_foreach(&f->r, l, &d, count_fn, &count) == 0 && count == N, "foreach sees every entry");
		check_layout(pydict_lookup(&f->r, l, b.dict, "key3", &v) == 1 && v == vals[3], "pydict_lookup");
	}

	/* a deleted entry (3.x: key NULL; 2.7: dummy key, value NULL) */
	uint64_t vals2[N];
	memcpy(vals2, vals, sizeof vals2);
	vals2[5] = 0;
	struct built b = mk_dict(f, N, keys, vals2, 0, 1);
	struct pydict d;
	int count = 0;
	check_layout(pydict_open(&f->r, l, b.dict, &d) == 0 &&
	             pydict_foreach(&f->r, l, &d, count_fn, &count) == 0 && count == N - 1, "deleted entry skipped");
	check_layout(pydict_get_str(&f->r, l, &d, "key5", &v) == 0, "deleted key not found");

	/* a general dict whose matching key is not a str */
	uint64_t keys3[2] = { mk_str(f, "fake"), mk_str(f, "real") }, vals3[2] = { vals[0], vals[1] };
	put64((void *)(uintptr_t)keys3[0], l->object.ob_type, A(f->plain_type));
	b = mk_dict(f, 2, keys3, vals3, 0, 1);
	check_layout(pydict_lookup(&f->r, l, b.dict, "fake", &v) == 0, "non-str key with str bytes");
	check_layout(pydict_lookup(&f->r, l, b.dict, "real", &v) == 1 && v == vals[1], "str key next to it");
}

static void test_hostile(struct fx *f)
{
	const struct py_layout *l = f->l;
	uint64_t keys[4], vals[4], v;
	struct pydict d;
	for (int i = 0; i < 4; i++) {
		keys[i] = mk_str(f, "k");
		vals[i] = mk_plain(f);
	}
	struct built b = mk_dict(f, 4, keys, vals, 0, 1);
	uint8_t *dict = (uint8_t *)(uintptr_t)b.dict, *k = (uint8_t *)(uintptr_t)b.keys;

	/* not a dict */
	check_layout(pydict_open(&f->r, l, mk_plain(f), &d) < 0, "a non-dict is refused");
	check_layout(pydict_open(&f->r, l, 0, &d) < 0, "NULL");
	check_layout(pydict_open(&f->r, l, 0x10, &d) < 0, "a tiny pointer");
	check_layout(pydict_open(&f->r, l, 0x7ffffffff000ull, &d) < 0, "unmapped memory");
	check_layout(pydict_open(&f->r, l, b.dict + 1, &d) < 0, "a misaligned pointer");

	if (l->dicts == DICT_TABLE27) {
		put64(dict, l->dictobj.mask, 11);                  /* 12 slots */
		check_layout(pydict_open(&f->r, l, b.dict, &d) < 0, "ma_mask + 1 not a power of two");
		put64(dict, l->dictobj.mask, (1ull << 40) - 1);
		check_layout(pydict_open(&f->r, l, b.dict, &d) < 0, "a 2^40-slot table");
		put64(dict, l->dictobj.mask, (1ull << 20) - 1);    /* capped, read past the table */
		check_layout(pydict_open(&f->r, l, b.dict, &d) == 0 && d.truncated &&
		             d.nentries == PYDICT_MAX_ENTRIES, "a huge table is capped");
		int count = 0;
		(void)pydict_foreach(&f->r, l, &d, count_fn, &count);
		put64(dict, l->dictobj.mask, 7);
		put64(dict, l->dictobj.table, 0x7ffffffff000ull);
		check_layout(pydict_open(&f->r, l, b.dict, &d) < 0 || pydict_get_str(&f->r, l, &d, "k", &v) < 0,
		             "an unmapped table");
		return;
	}
	/* a keys object with impossible numbers */
	put64(dict, l->dictobj.keys, 0);
	check_layout(pydict_open(&f->r, l, b.dict, &d) < 0, "ma_keys NULL");
	put64(dict, l->dictobj.keys, 0x7ffffffff000ull);
	check_layout(pydict_open(&f->r, l, b.dict, &d) < 0, "ma_keys unmapped");
	put64(dict, l->dictobj.keys, b.keys);
	put64(k, l->dictkeys.nentries, 6);    /* > 2/3 of 8 */
	check_layout(pydict_open(&f->r, l, b.dict, &d) < 0, "more entries than the table allows");
	put64(k, l->dictkeys.nentries, (uint64_t)-1);
	check_layout(pydict_open(&f->r, l, b.dict, &d) < 0, "a negative entry count");
	put64(k, l->dictkeys.nentries, 4);
	if (l->dicts == DICT_KEYS36) {
		put64(k, l->dictkeys.size, 12);
		check_layout(pydict_open(&f->r, l, b.dict, &d) < 0, "dk_size not a power of two");
		put64(k, l->dictkeys.size, 1ull << 50);
		check_layout(pydict_open(&f->r, l, b.dict, &d) < 0, "dk_size 2^50");
		put64(k, l->dictkeys.size, 1ull << 30);   /* plausible, but the entries are far away */
		put64(k, l->dictkeys.nentries, 1ull << 28);
		check_layout(pydict_open(&f->r, l, b.dict, &d) == 0 && d.truncated, "capped at PYDICT_MAX_ENTRIES");
		check_layout(pydict_get_str(&f->r, l, &d, "k", &v) != 1, "entries out of reach");
		put64(k, l->dictkeys.size, 8);
		put64(k, l->dictkeys.nentries, 4);
	} else {
		put8(k, l->dictkeys.log2_index_bytes, 7);
		check_layout(pydict_open(&f->r, l, b.dict, &d) < 0, "dk_log2_index_bytes disagrees with dk_log2_size");
		put8(k, l->dictkeys.log2_size, 60);
		put8(k, l->dictkeys.log2_index_bytes, 63);
		check_layout(pydict_open(&f->r, l, b.dict, &d) < 0, "dk_log2_size 60");
		put8(k, l->dictkeys.log2_size, 3);
		put8(k, l->dictkeys.log2_index_bytes, 3);
	}
	check_layout(pydict_open(&f->r, l, b.dict, &d) == 0 && pydict_get_str(&f->r, l, &d, "k", &v) == 1,
	             "repaired dict reads again");
	/* a key whose length field is huge, and one in unmapped memory */
	put64((void *)(uintptr_t)keys[1], l->unicode.length, 1ull << 62);
	uint64_t e0 = b.keys + l->dictkeys.indices + 8;   /* first entry (8 one-byte indices) */
	uint64_t bad = 0x7ffffffff000ull;
	memcpy((void *)(uintptr_t)(e0 + l->dictentry.key), &bad, 8);
	check_layout(pydict_open(&f->r, l, b.dict, &d) == 0 && pydict_get_str(&f->r, l, &d, "k", &v) == 1 &&
	             v == vals[2], "bad keys are skipped, good ones found");
	/* too long a key to look up */
	char lng[PYDICT_MAX_KEY + 8];
	memset(lng, 'a', sizeof lng - 1);
	lng[sizeof lng - 1] = '\0';
	check_layout(pydict_get_str(&f->r, l, &d, lng, &v) < 0, "an over-long key is refused");
	check_layout(pydict_get_str(&f->r, l, &d, "", &v) < 0, "an empty key is refused");
	/* split values with a tiny capacity (3.13+) */
	if (l->dictvalues.capacity != LAYOUT_NONE) {
		b = mk_dict(f, 4, keys, vals, 1, 0);
		put8((void *)(uintptr_t)b.values_base, l->dictvalues.capacity, 2);
		int count = 0;
		check_layout(pydict_open(&f->r, l, b.dict, &d) == 0 && d.nentries == 2 &&
		             pydict_foreach(&f->r, l, &d, count_fn, &count) == 0 && count == 2,
		             "entries beyond the values' capacity are not read");
	}
}

/* An instance whose attributes hold {"_name": name}, in each model. */
static void test_instances(struct fx *f)
{
	const struct py_layout *l = f->l;
	uint64_t keys[3] = { mk_str(f, "_target"), mk_str(f, "_name"), mk_str(f, "_ident") };
	uint64_t vals[3] = { mk_plain(f), mk_str(f, "worker-1"), mk_plain(f) };
	uint64_t v;
	struct pydict d;
	char buf[64];

	/* tp_dictoffset (every version; the only model before 3.11) */
	uint8_t *t = mk_type(0, l);
	put64(t, l->typeattr.basicsize, 32);
	put64(t, l->typeattr.dictoffset, 16);
	uint8_t *o = alloc(64);
	put64(o, l->object.ob_type, A(t));
	struct built b = mk_dict(f, 3, keys, vals, 0, 1);
	put64(o, 16, b.dict);
	check_layout(pydict_open_instance(&f->r, l, A(o), &d) == 0 && pydict_get_str(&f->r, l, &d, "_name", &v) == 1 &&
	             v == vals[1] && pyobj_read_str(&f->r, l, v, buf, sizeof buf) == 8 &&
	             strcmp(buf, "worker-1") == 0, "tp_dictoffset dict");
	put64(o, 16, 0);
	check_layout(pydict_open_instance(&f->r, l, A(o), &d) == 0 && d.nentries == 0, "no dict yet");
	put64(t, l->typeattr.dictoffset, 0);
	check_layout(pydict_open_instance(&f->r, l, A(o), &d) == 0 && d.nentries == 0, "a type without __dict__");
	put64(t, l->typeattr.dictoffset, (uint64_t)-8);
	check_layout(pydict_open_instance(&f->r, l, A(o), &d) < 0, "a negative tp_dictoffset is refused");
	put64(t, l->typeattr.dictoffset, 1ull << 40);
	check_layout(pydict_open_instance(&f->r, l, A(o), &d) < 0, "an absurd tp_dictoffset is refused");
	check_layout(pydict_open_instance(&f->r, l, 0, &d) < 0, "a NULL instance");

	if (l->instdicts == INSTDICT_OFFSET)
		return;

	/* managed dicts: shared keys in the type, values or a dict before the object */
	struct built shared = mk_dict(f, 3, keys, vals, 1, 0);
	uint64_t flags = l->typeattr.flag_managed_dict | l->typeattr.flag_inline_values;
	t = mk_type(flags, l);
	int64_t basic = l->object.ob_type + 8;
	put64(t, l->typeattr.basicsize, (uint64_t)basic);
	put64(t, l->typeattr.dictoffset, (uint64_t)-1);
	put64(t, l->typeattr.cached_keys, shared.keys);
	uint8_t *pre = alloc(256);
	o = pre + 64;
	put64(o, l->object.ob_type, A(t));
	b = mk_dict(f, 3, keys, vals, 0, 1);
	uint64_t vb = shared.values_base;
	switch (l->instdicts) {
	case INSTDICT_MANAGED:
		put64(o - l->instdict.values_before, 0, vb);
		break;
	case INSTDICT_DORV:
		put64(o - l->instdict.dict_before, 0, vb - 1);
		break;
	case INSTDICT_INLINE:
		/* inline values right after the object header */
		memcpy(o + basic, (void *)(uintptr_t)vb, l->dictvalues.values + 3 * 8);
		break;
	case INSTDICT_OFFSET:
		break;
	}
	check_layout(pydict_open_instance(&f->r, l, A(o), &d) == 0 && d.values &&
	             pydict_get_str(&f->r, l, &d, "_name", &v) == 1 && v == vals[1], "values with the type's cached keys");
	/* the values dropped (3.13+: invalidated) and a dict in their place */
	switch (l->instdicts) {
	case INSTDICT_MANAGED:
		put64(o - l->instdict.values_before, 0, 0);
		break;
	case INSTDICT_INLINE:
		put8(o + basic, l->dictvalues.valid, 0);
		break;
	default:
		break;
	}
	put64(o - l->instdict.dict_before, 0, b.dict);
	check_layout(pydict_open_instance(&f->r, l, A(o), &d) == 0 && !d.values &&
	             pydict_get_str(&f->r, l, &d, "_name", &v) == 1 && v == vals[1], "the managed dict");
	put64(o - l->instdict.dict_before, 0, 0);
	check_layout(pydict_open_instance(&f->r, l, A(o), &d) == 0 && d.nentries == 0, "no attributes at all");
	put64(o - l->instdict.dict_before, 0, mk_plain(f));
	check_layout(pydict_open_instance(&f->r, l, A(o), &d) < 0, "a managed 'dict' that is not a dict");
	put64(t, l->typeattr.cached_keys, 0);
	if (l->instdicts == INSTDICT_DORV)
		put64(o - l->instdict.dict_before, 0, vb - 1);
	else if (l->instdicts == INSTDICT_MANAGED)
		put64(o - l->instdict.values_before, 0, vb);
	else
		put8(o + basic, l->dictvalues.valid, 1);
	check_layout(pydict_open_instance(&f->r, l, A(o), &d) < 0, "values without cached keys");
}

static uint64_t mk_long(struct fx *f, int negative, int ndigits, const uint32_t *digits)
{
	const struct py_layout *l = f->l;
	uint8_t *o = alloc(l->long_.digits + 64);
	put64(o, l->object.ob_type, A(f->long_type));
	int64_t tag;
	if (l->ints == INT_DIGITS_TAG)
		tag = (int64_t)((uint64_t)ndigits << 3 | (ndigits == 0 ? 1u : negative ? 2u : 0u));
	else
		tag = negative ? -ndigits : ndigits;
	put64(o, l->long_.tag_or_size, (uint64_t)tag);
	memcpy(o + l->long_.digits, digits, (size_t)ndigits * 4);
	return A(o);
}

static void test_ints(struct fx *f)
{
	const struct py_layout *l = f->l;
	uint64_t v;
	if (l->long_shift != 30) {
		check_layout(0, "long_shift is not 30: the fake ints below assume it");
		return;
	}
	const uint64_t ident = 0x7f1d8e4b8b80ull;
	uint32_t d2[2] = { (uint32_t)(ident & 0x3fffffff), (uint32_t)(ident >> 30) };
	check_layout(pyobj_read_int64(&f->r, l, mk_long(f, 0, 2, d2), &v) == 0 && v == ident, "a pthread_t ident");
	uint32_t d3[3] = { 0x3fffffff, 0x3fffffff, 0xf };
	check_layout(pyobj_read_int64(&f->r, l, mk_long(f, 0, 3, d3), &v) == 0 && v == UINT64_MAX, "2^64 - 1");
	uint32_t d3big[3] = { 0, 0, 0x10 };
	check_layout(pyobj_read_int64(&f->r, l, mk_long(f, 0, 3, d3big), &v) < 0, "2^64 does not fit");
	uint32_t d1[1] = { 5 };
	check_layout(pyobj_read_int64(&f->r, l, mk_long(f, 1, 1, d1), &v) == 0 && (int64_t)v == -5, "-5");
	check_layout(pyobj_read_int64(&f->r, l, mk_long(f, 0, 0, d1), &v) == 0 && v == 0, "0");
	uint32_t d9[9] = { 0 };
	check_layout(pyobj_read_int64(&f->r, l, mk_long(f, 0, 9, d9), &v) < 0, "nine digits");
	check_layout(pyobj_read_int64(&f->r, l, mk_plain(f), &v) < 0, "not an int");
	/* a one-digit int that ends where the mapping ends */
	long pg = sysconf(_SC_PAGESIZE);
	uint8_t *map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (map != MAP_FAILED && mprotect(map + pg, (size_t)pg, PROT_NONE) == 0) {
		uint8_t *o = map + pg - ((l->long_.digits + 4 + 7) & ~7u);
		memcpy(o, (void *)(uintptr_t)mk_long(f, 0, 1, d1), l->long_.digits + 4);
		check_layout(pyobj_read_int64(&f->r, l, A(o), &v) == 0 && v == 5, "an int at the end of a mapping");
	}
	if (map != MAP_FAILED)
		munmap(map, (size_t)pg * 2);
	if (l->typeattr.flag_int27) {
		uint8_t *o = alloc(64);
		put64(o, l->object.ob_type, A(f->int_type));
		put64(o, l->int27.value, ident);
		check_layout(pyobj_read_int64(&f->r, l, A(o), &v) == 0 && v == ident, "a 2.7 int");
	}
}

int main(void)
{
	const char *versions = layout_versions();
	const char *p = versions;
	unsigned maj, min;
	int len;
	struct ph_error err = { 0 };
	struct remote r;

	if (remote_open(&r, getpid(), A(arena), &err) < 0) {
		printf("FAIL cannot read our own memory\n");
		return 1;
	}
	while (sscanf(p, " %u.%u%n", &maj, &min, &len) == 2) {
		int ft = p[len] == 't';
		p += len + ft;
		const struct py_layout *l = layout_for(maj, min, ft);
		snprintf(label, sizeof label, "%u.%u%s", maj, min, ft ? "t" : "");
		if (!l) {
			check_layout(0, "no layout");
			check_group("%s", label);   /* ends the failed group: prints nothing */
			continue;
		}
		struct fx f = { .l = l, .r = r };
		f.str_type = mk_type(l->typeattr.flag_str, l);
		f.dict_type = mk_type(l->typeattr.flag_dict, l);
		f.long_type = mk_type(l->typeattr.flag_long, l);
		f.int_type = mk_type(l->typeattr.flag_int27, l);
		f.plain_type = mk_type(0, l);
		test_dicts(&f);
		test_hostile(&f);
		test_instances(&f);
		test_ints(&f);
		check_group("%s: dicts, hostile tables, instance attributes, ints", label);
		arena_used = 0;
	}
	remote_close(&r);
	return check_done("test-pydict");
}
