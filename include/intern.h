/* intern.h — byte strings to dense ids (0, 1, 2, ...), and back.
 *
 * The aggregator's one table type: strings, functions (name id, file id),
 * frames (function id, line), stacks (frame ids) and threads (pid, tid) are
 * all interned as byte keys. Open addressing with stored hashes; keys are
 * copied into a growing arena. Grows with distinct keys only. Not for the
 * sampling hot path (it allocates when it grows). */
#ifndef PYHEAT_INTERN_H
#define PYHEAT_INTERN_H

#include <stddef.h>
#include <stdint.h>

struct intern {
	uint32_t *slots;       /* id + 1, 0 = empty */
	uint64_t *hashes;      /* per id */
	uint64_t *offsets;     /* per id: key start in arena */
	uint32_t *lengths;     /* per id */
	uint8_t *arena;
	size_t arena_used, arena_cap;
	uint32_t count, id_cap, nslots;
};

void intern_init(struct intern *t);
void intern_free(struct intern *t);
/* The id of key; a new key gets the next id and sets *created (may be NULL).
 * Returns UINT32_MAX when out of memory. */
uint32_t intern_bytes(struct intern *t, const void *key, size_t len, int *created);
/* The key of id (its length in *len), or NULL. */
const void *intern_key(const struct intern *t, uint32_t id, size_t *len);

#endif
