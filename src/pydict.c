/* pydict.c — dicts and instance attributes out of the target. See include/pydict.h. */
#include <string.h>

#include "pydict.h"

#define CHUNK 128                 /* entries per read */
#define MAX_ENTRY_SIZE 32         /* PyDictKeyEntry is 24 bytes, PyDictUnicodeEntry 16 */
#define MAX_LOG2_SIZE 32          /* a table of 2^32 slots is already absurd */

static uint64_t get_u64(const uint8_t *p)
{
	uint64_t v;
	memcpy(&v, p, sizeof v);
	return v;
}

static void set_empty(struct pydict *d)
{
	memset(d, 0, sizeof *d);
}

int pyobj_type_flags(const struct remote *r, const struct py_layout *l, uint64_t addr,
                     uint64_t *flags)
{
	uint64_t type;
	if (!remote_ptr_ok(addr, 8) || remote_read_u64(r, addr + l->object.ob_type, &type) < 0 ||
	    !remote_ptr_ok(type, 8) || remote_read_u64(r, type + l->typeattr.flags, flags) < 0)
		return -1;
	return 0;
}

int pyobj_read_int64(const struct remote *r, const struct py_layout *l, uint64_t addr,
                     uint64_t *out)
{
	/* the header, size/tag and up to 64 bits of digits in one read */
	uint8_t raw[128];
	unsigned shift = l->long_shift;
	unsigned dsize = shift == 30 ? 4 : 2;
	uint64_t maxdigits = shift ? (64 + shift - 1) / shift : 0;
	uint32_t end = l->long_.digits + (uint32_t)(maxdigits * dsize);
	uint64_t flags, type;

	if ((shift != 15 && shift != 30) || end > sizeof raw || l->object.ob_type + 8 > end ||
	    l->long_.tag_or_size + 8 > end || (l->int27.value != LAYOUT_NONE && l->int27.value + 8 > end))
		return -1;
	if (!remote_ptr_ok(addr, 8))
		return -1;
	/* near the end of a mapping, read the header, then only the digits it has */
	int whole = remote_read(r, addr, raw, end) == 0;
	if (!whole && remote_read(r, addr, raw, l->long_.digits) < 0)
		return -1;
	type = get_u64(raw + l->object.ob_type);
	if (!remote_ptr_ok(type, 8) || remote_read_u64(r, type + l->typeattr.flags, &flags) < 0)
		return -1;
	if (l->typeattr.flag_int27 && (flags & l->typeattr.flag_int27)) {
		/* 2.7 int: a C long */
		if (whole || l->int27.value + 8 <= l->long_.digits) {
			*out = get_u64(raw + l->int27.value);
			return 0;
		}
		return remote_read_u64(r, addr + l->int27.value, out);
	}
	if (!(flags & l->typeattr.flag_long))
		return -1;
	int64_t tag = (int64_t)get_u64(raw + l->long_.tag_or_size);
	int negative;
	uint64_t ndigits;
	if (l->ints == INT_DIGITS_TAG) {
		/* lv_tag: ndigits << 3 | sign (0 positive, 1 zero, 2 negative) */
		negative = (tag & 3) == 2;
		ndigits = (uint64_t)tag >> 3;
	} else {
		negative = tag < 0;
		ndigits = tag < 0 ? -(uint64_t)tag : (uint64_t)tag;
	}
	if (ndigits > maxdigits)
		return -1;
	if (!whole && ndigits &&
	    remote_read(r, addr + l->long_.digits, raw + l->long_.digits, ndigits * dsize) < 0)
		return -1;
	uint64_t v = 0;
	for (uint64_t i = ndigits; i-- > 0;) {
		uint32_t dg = 0;
		memcpy(&dg, raw + l->long_.digits + i * dsize, dsize);
		dg &= (1u << shift) - 1;
		if (v >> (64 - shift))
			return -1;  /* does not fit 64 bits */
		v = (v << shift) | dg;
	}
	if (negative) {
		if (v > (1ull << 63))
			return -1;
		v = -v;
	}
	*out = v;
	return 0;
}

/* Resolve a PyDictKeysObject (3.6+) and, for a split table, the values
 * (`values_base` is ma_values / the PyDictValues address, or 0). */
static int open_keys(const struct remote *r, const struct py_layout *l, uint64_t keys,
                     uint64_t values_base, struct pydict *d)
{
	uint8_t hdr[128];
	uint64_t nent, size, index_bytes;

	set_empty(d);
	if (!remote_ptr_ok(keys, 8) || l->dictkeys.indices == LAYOUT_NONE ||
	    l->dictkeys.indices > sizeof hdr || remote_read(r, keys, hdr, l->dictkeys.indices) < 0)
		return -1;
	nent = get_u64(hdr + l->dictkeys.nentries);
	if (l->dicts == DICT_KEYS36) {
		size = get_u64(hdr + l->dictkeys.size);
		/* PyDict_MINSIZE is 8; the table is a power of two */
		if (size < 8 || (size & (size - 1)) || size > (1ull << MAX_LOG2_SIZE))
			return -1;
		unsigned ix = size <= 0xff ? 1 : size <= 0xffff ? 2 : size <= 0xffffffffull ? 4 : 8;
		index_bytes = size * ix;
		d->entry_size = l->dictentry.size;
		d->key_off = l->dictentry.key;
		d->value_off = l->dictentry.value;
	} else if (l->dicts == DICT_KEYS311) {
		unsigned log2 = hdr[l->dictkeys.log2_size], lib = hdr[l->dictkeys.log2_index_bytes];
		unsigned kind = hdr[l->dictkeys.kind];
		if (log2 < 3 || log2 > MAX_LOG2_SIZE)
			return -1;
		/* indices are 1, 2, 4 or 8 bytes by table size (new_keys_object) */
		unsigned ixlog = log2 < 8 ? 0 : log2 < 16 ? 1 : log2 < 32 ? 2 : 3;
		if (lib != log2 + ixlog)
			return -1;
		size = 1ull << log2;
		index_bytes = 1ull << lib;
		if (kind == l->dictkeys.kind_general) {
			d->entry_size = l->dictentry.size;
			d->key_off = l->dictentry.key;
			d->value_off = l->dictentry.value;
		} else {
			d->entry_size = l->dictentry.unicode_size;
			d->key_off = l->dictentry.unicode_key;
			d->value_off = l->dictentry.unicode_value;
			d->str_keys = 1;
		}
	} else {
		return -1;
	}
	/* USABLE_FRACTION: at most 2/3 of the slots hold entries */
	if (nent > (size << 1) / 3 || d->entry_size == 0 || d->entry_size > MAX_ENTRY_SIZE)
		return -1;
	d->entries = keys + l->dictkeys.indices + index_bytes;
	if (values_base) {
		if (!remote_ptr_ok(values_base, 8) || l->dictvalues.values == LAYOUT_NONE)
			return -1;
		if (l->dictvalues.capacity != LAYOUT_NONE) {
			/* 3.13+: PyDictValues says how many values it has room for */
			uint8_t vh[16];
			if (l->dictvalues.values > sizeof vh ||
			    remote_read(r, values_base, vh, l->dictvalues.values) < 0)
				return -1;
			if (nent > vh[l->dictvalues.capacity])
				nent = vh[l->dictvalues.capacity];
		}
		d->values = values_base + l->dictvalues.values;
	}
	if (nent > PYDICT_MAX_ENTRIES) {
		nent = PYDICT_MAX_ENTRIES;
		d->truncated = 1;
	}
	d->nentries = (uint32_t)nent;
	return 0;
}

int pydict_open(const struct remote *r, const struct py_layout *l, uint64_t addr,
                struct pydict *d)
{
	uint64_t flags;

	set_empty(d);
	if (pyobj_type_flags(r, l, addr, &flags) < 0 || !(flags & l->typeattr.flag_dict))
		return -1;
	if (l->dicts == DICT_TABLE27) {
		uint64_t mask, table;
		if (remote_read_u64(r, addr + l->dictobj.mask, &mask) < 0 ||
		    remote_read_u64(r, addr + l->dictobj.table, &table) < 0 || !remote_ptr_ok(table, 8))
			return -1;
		uint64_t slots = mask + 1;
		if (slots < 8 || (slots & mask) || slots > (1ull << MAX_LOG2_SIZE))
			return -1;
		d->entries = table;
		d->entry_size = l->dictentry.size;
		d->key_off = l->dictentry.key;
		d->value_off = l->dictentry.value;
		if (d->entry_size == 0 || d->entry_size > MAX_ENTRY_SIZE)
			return -1;
		if (slots > PYDICT_MAX_ENTRIES) {
			slots = PYDICT_MAX_ENTRIES;
			d->truncated = 1;
		}
		d->nentries = (uint32_t)slots;
		return 0;
	}
	uint64_t keys, values;
	if (remote_read_u64(r, addr + l->dictobj.keys, &keys) < 0 ||
	    remote_read_u64(r, addr + l->dictobj.values, &values) < 0)
		return -1;
	return open_keys(r, l, keys, values, d);
}

/* The instance's values with its type's shared keys (3.11+). */
static int open_values(const struct remote *r, const struct py_layout *l, uint64_t type,
                       uint64_t values_base, struct pydict *d)
{
	uint64_t keys;
	if (l->typeattr.cached_keys == LAYOUT_NONE ||
	    remote_read_u64(r, type + l->typeattr.cached_keys, &keys) < 0)
		return -1;
	return open_keys(r, l, keys, values_base, d);
}

int pydict_open_instance(const struct remote *r, const struct py_layout *l, uint64_t addr,
                         struct pydict *d)
{
	uint64_t type, dict = 0;

	set_empty(d);
	if (!remote_ptr_ok(addr, 8) || remote_read_u64(r, addr + l->object.ob_type, &type) < 0 ||
	    !remote_ptr_ok(type, 8))
		return -1;
	/* tp_basicsize, tp_dictoffset and tp_flags in one read */
	uint32_t lo = l->typeattr.basicsize, hi = l->typeattr.basicsize;
	const uint32_t offs[3] = { l->typeattr.basicsize, l->typeattr.dictoffset, l->typeattr.flags };
	for (int i = 0; i < 3; i++) {
		lo = offs[i] < lo ? offs[i] : lo;
		hi = offs[i] > hi ? offs[i] : hi;
	}
	uint8_t th[512];
	if (hi + 8 - lo > sizeof th || remote_read(r, type + lo, th, hi + 8 - lo) < 0)
		return -1;
	int64_t basicsize = (int64_t)get_u64(th + l->typeattr.basicsize - lo);
	int64_t dictoffset = (int64_t)get_u64(th + l->typeattr.dictoffset - lo);
	uint64_t flags = get_u64(th + l->typeattr.flags - lo);

	if (l->instdicts != INSTDICT_OFFSET && (flags & l->typeattr.flag_managed_dict)) {
		uint64_t w;
		switch (l->instdicts) {
		case INSTDICT_MANAGED:   /* 3.11: values pointer, else dict pointer */
			if (remote_read_u64(r, addr - l->instdict.values_before, &w) < 0)
				return -1;
			if (w)
				return open_values(r, l, type, w, d);
			if (remote_read_u64(r, addr - l->instdict.dict_before, &dict) < 0)
				return -1;
			break;
		case INSTDICT_DORV:      /* 3.12: values - 1 (low bit set), or a dict */
			if (remote_read_u64(r, addr - l->instdict.dict_before, &w) < 0)
				return -1;
			if (w & 1)
				return open_values(r, l, type, w + 1, d);
			dict = w;
			break;
		case INSTDICT_INLINE:    /* 3.13+: inline values while valid, else the dict */
			if (flags & l->typeattr.flag_inline_values) {
				uint8_t vh[16];
				if (basicsize <= 0 || basicsize > (1 << 20) || (basicsize & 7) ||
				    l->dictvalues.values > sizeof vh || l->dictvalues.valid == LAYOUT_NONE)
					return -1;
				uint64_t v = addr + (uint64_t)basicsize;
				if (remote_read(r, v, vh, l->dictvalues.values) < 0)
					return -1;
				if (vh[l->dictvalues.valid])
					return open_values(r, l, type, v, d);
			}
			if (remote_read_u64(r, addr - l->instdict.dict_before, &dict) < 0)
				return -1;
			break;
		case INSTDICT_OFFSET:
			break;
		}
	} else {
		if (dictoffset == 0)
			return 0;    /* no __dict__ */
		/* negative: var-sized objects (subclasses of int, tuple...), not read */
		if (dictoffset < 0 || dictoffset > (1 << 20) ||
		    remote_read_u64(r, addr + (uint64_t)dictoffset, &dict) < 0)
			return -1;
	}
	if (dict == 0)
		return 0;        /* no attribute set yet */
	return pydict_open(r, l, dict, d);
}

/* Keys and values of entries [start, start + n). */
static int read_chunk(const struct remote *r, const struct pydict *d, uint32_t start, uint32_t n,
                      uint64_t *keys, uint64_t *values)
{
	uint8_t raw[CHUNK * MAX_ENTRY_SIZE];
	uint64_t vals[CHUNK];
	struct remote_iov iov[2];
	int niov = 1;

	if (n > CHUNK || d->entry_size > MAX_ENTRY_SIZE)
		return -1;
	iov[0] = (struct remote_iov){ d->entries + (uint64_t)start * d->entry_size, raw,
	                              (size_t)n * d->entry_size };
	if (d->values)
		iov[niov++] = (struct remote_iov){ d->values + (uint64_t)start * 8, vals, (size_t)n * 8 };
	if (remote_readv(r, iov, niov) != niov)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		const uint8_t *e = raw + (size_t)i * d->entry_size;
		keys[i] = get_u64(e + d->key_off);
		values[i] = d->values ? vals[i] : get_u64(e + d->value_off);
		/* empty, deleted (2.7: the dummy key has no value) or garbage */
		if (!remote_ptr_ok(keys[i], 8) || !remote_ptr_ok(values[i], 8))
			keys[i] = values[i] = 0;
	}
	return 0;
}

int pydict_foreach(const struct remote *r, const struct py_layout *l, const struct pydict *d,
                   int (*fn)(uint64_t key, uint64_t value, void *ctx), void *ctx)
{
	uint64_t keys[CHUNK], values[CHUNK];
	(void)l;
	for (uint32_t start = 0; start < d->nentries; start += CHUNK) {
		uint32_t n = d->nentries - start < CHUNK ? d->nentries - start : CHUNK;
		if (read_chunk(r, d, start, n, keys, values) < 0)
			return -1;
		for (uint32_t i = 0; i < n; i++) {
			if (!keys[i])
				continue;
			int rc = fn(keys[i], values[i], ctx);
			if (rc)
				return rc;
		}
	}
	return 0;
}

int pydict_get_str(const struct remote *r, const struct py_layout *l, const struct pydict *d,
                   const char *key, uint64_t *value)
{
	size_t klen = strnlen(key, PYDICT_MAX_KEY);
	uint64_t keys[CHUNK], values[CHUNK];
	/* the str header and the characters, read straight: names are compact
	 * ASCII (PEP 393) or 2.7 str, with the data at ascii_data */
	uint32_t data = l->unicode.ascii_data;
	size_t span = (size_t)data + klen;
	static const size_t max_span = 128 + PYDICT_MAX_KEY;
	uint8_t buf[CHUNK][128 + PYDICT_MAX_KEY];
	struct remote_iov iov[CHUNK];
	uint8_t ok[CHUNK];
	uint32_t idx[CHUNK];

	if (klen == 0 || klen >= PYDICT_MAX_KEY || span > max_span ||
	    l->unicode.length + 8 > span || (l->strings == STR_PEP393 && l->unicode.state + 4 > span))
		return -1;
	for (uint32_t start = 0; start < d->nentries; start += CHUNK) {
		uint32_t n = d->nentries - start < CHUNK ? d->nentries - start : CHUNK;
		int m = 0;
		if (read_chunk(r, d, start, n, keys, values) < 0)
			return -1;
		for (uint32_t i = 0; i < n; i++) {
			if (!keys[i])
				continue;
			iov[m] = (struct remote_iov){ keys[i], buf[m], span };
			idx[m++] = i;
		}
		if (m == 0)
			continue;
		remote_readv_each(r, iov, m, ok);
		for (int k = 0; k < m; k++) {
			const uint8_t *s = buf[k];
			int64_t len;
			if (!ok[k])
				continue;
			memcpy(&len, s + l->unicode.length, sizeof len);
			if (len != (int64_t)klen || memcmp(s + data, key, klen) != 0)
				continue;
			if (l->strings == STR_PEP393) {
				uint32_t state;
				memcpy(&state, s + l->unicode.state, sizeof state);
				/* kind 1, compact, ascii: bits 2-4, 5, 6 (checked by contrib/gen-layout) */
				if (((state >> 2) & 7) != 1 || !((state >> 5) & 1) || !((state >> 6) & 1))
					continue;
			}
			uint64_t kf;
			if (!d->str_keys && (pyobj_type_flags(r, l, keys[idx[k]], &kf) < 0 ||
			                     !(kf & l->typeattr.flag_str)))
				continue;
			*value = values[idx[k]];
			return 1;
		}
	}
	return 0;
}

int pydict_lookup(const struct remote *r, const struct py_layout *l, uint64_t dict,
                  const char *key, uint64_t *value)
{
	struct pydict d;
	if (pydict_open(r, l, dict, &d) < 0)
		return -1;
	return pydict_get_str(r, l, &d, key, value);
}
