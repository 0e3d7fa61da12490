/* pydict.h — reading dicts and instance attributes out of the target.
 *
 * Every layout pyheat supports: 2.7's open-addressing table, 3.6 - 3.10
 * compact dicts (combined or split), 3.11+ keys objects with str-only or
 * general entries, and the attributes of instances that have no dict object
 * (3.11+ managed dicts, 3.12's dict-or-values word, 3.13+ inline values with
 * the keys in the type's ht_cached_keys). All offsets and version behaviour
 * come from struct py_layout.
 *
 * Everything read is hostile: sizes are checked against the structure they
 * claim (power-of-two tables, entry counts within the table), at most
 * PYDICT_MAX_ENTRIES entries are looked at, every pointer is checked, and
 * nothing is allocated (entries are read in fixed chunks on the stack).
 * The target keeps running, so a dict can change under a reader: a torn read
 * gives -1 or a missing entry, never a crash. Slow path (a few reads per
 * 128 entries): not for the sampler's hot loop. */
#ifndef PYHEAT_PYDICT_H
#define PYHEAT_PYDICT_H

#include <stdint.h>

#include "layout.h"
#include "remote.h"

#define PYDICT_MAX_ENTRIES (1u << 16)   /* entries looked at per dict */
#define PYDICT_MAX_KEY     64           /* longest key pydict_get_str looks up */

/* A dict's storage, resolved: where the entries are and how to read them. */
struct pydict {
	uint64_t entries;      /* the first entry (2.7: ma_table) */
	uint64_t values;       /* split tables: &values[0], indexed like the entries; else 0 */
	uint32_t nentries;     /* entries to look at (<= PYDICT_MAX_ENTRIES) */
	uint32_t entry_size, key_off, value_off;
	int str_keys;          /* every key is a str by construction (3.11+ str-keyed kinds) */
	int truncated;         /* the table has more than PYDICT_MAX_ENTRIES entries */
};

/* Resolve the dict (or dict subclass) object at addr. 0, or -1 when it is not
 * a readable dict. */
int pydict_open(const struct remote *r, const struct py_layout *l, uint64_t addr,
                struct pydict *d);

/* Resolve the instance attributes of the object at addr, whatever the
 * version keeps them in. An object without attributes gives an empty
 * *d (nentries 0). 0, or -1 when unreadable. */
int pydict_open_instance(const struct remote *r, const struct py_layout *l, uint64_t addr,
                         struct pydict *d);

/* Call fn(key, value, ctx) for every live entry, in table order; a nonzero
 * return from fn stops the walk and is returned. 0 when every entry was
 * seen, -1 on a read error. */
int pydict_foreach(const struct remote *r, const struct py_layout *l, const struct pydict *d,
                   int (*fn)(uint64_t key, uint64_t value, void *ctx), void *ctx);

/* Find the value of the str key `key` (ASCII, < PYDICT_MAX_KEY bytes) by
 * comparing contents (no hashing: the target's str hash is salted). 1 with
 * *value set, 0 when absent, -1 on a read error. */
int pydict_get_str(const struct remote *r, const struct py_layout *l, const struct pydict *d,
                   const char *key, uint64_t *value);

/* pydict_open + pydict_get_str. */
int pydict_lookup(const struct remote *r, const struct py_layout *l, uint64_t dict,
                  const char *key, uint64_t *value);

/* The tp_flags of the object's type; 0 or -1. */
int pyobj_type_flags(const struct remote *r, const struct py_layout *l, uint64_t addr,
                     uint64_t *flags);

/* The value of an int (2.7: int or long) object that fits 64 bits, as raw
 * two's-complement bits (idents are unsigned, small negatives come back as
 * such). 0, or -1 when it is not a readable int or does not fit. */
int pyobj_read_int64(const struct remote *r, const struct py_layout *l, uint64_t addr,
                     uint64_t *out);

#endif
