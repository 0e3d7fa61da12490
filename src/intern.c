/* intern.c — byte keys to dense ids. See include/intern.h. */
#include <stdlib.h>
#include <string.h>

#include "intern.h"

static uint64_t hash_bytes(const void *key, size_t len)
{
	/* FNV-1a, then a final mix so the low bits spread */
	const uint8_t *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

void intern_init(struct intern *t)
{
	memset(t, 0, sizeof *t);
}

void intern_free(struct intern *t)
{
	free(t->slots);
	free(t->hashes);
	free(t->offsets);
	free(t->lengths);
	free(t->arena);
	memset(t, 0, sizeof *t);
}

static int grow_slots(struct intern *t)
{
	uint32_t n = t->nslots ? t->nslots * 2 : 1024;
	uint32_t *slots = calloc(n, sizeof *slots);
	if (!slots)
		return -1;
	for (uint32_t id = 0; id < t->count; id++) {
		uint32_t s = (uint32_t)t->hashes[id] & (n - 1);
		while (slots[s])
			s = (s + 1) & (n - 1);
		slots[s] = id + 1;
	}
	free(t->slots);
	t->slots = slots;
	t->nslots = n;
	return 0;
}

static int grow_ids(struct intern *t)
{
	uint32_t n = t->id_cap ? t->id_cap * 2 : 256;
	uint64_t *h = realloc(t->hashes, n * sizeof *h);
	if (!h)
		return -1;
	t->hashes = h;
	uint64_t *o = realloc(t->offsets, n * sizeof *o);
	if (!o)
		return -1;
	t->offsets = o;
	uint32_t *l = realloc(t->lengths, n * sizeof *l);
	if (!l)
		return -1;
	t->lengths = l;
	t->id_cap = n;
	return 0;
}

uint32_t intern_bytes(struct intern *t, const void *key, size_t len, int *created)
{
	if (created)
		*created = 0;
	if ((t->count + 1) * 2 > t->nslots && grow_slots(t) < 0)
		return UINT32_MAX;
	uint64_t h = hash_bytes(key, len);
	uint32_t s = (uint32_t)h & (t->nslots - 1);
	for (; t->slots[s]; s = (s + 1) & (t->nslots - 1)) {
		uint32_t id = t->slots[s] - 1;
		if (t->hashes[id] == h && t->lengths[id] == len &&
		    memcmp(t->arena + t->offsets[id], key, len) == 0)
			return id;
	}
	if (t->count == t->id_cap && grow_ids(t) < 0)
		return UINT32_MAX;
	if (!t->arena || t->arena_used + len > t->arena_cap) {   /* memcpy wants an arena even for len 0 */
		size_t cap = t->arena_cap ? t->arena_cap : 4096;
		while (cap < t->arena_used + len)
			cap *= 2;
		uint8_t *a = realloc(t->arena, cap);
		if (!a)
			return UINT32_MAX;
		t->arena = a;
		t->arena_cap = cap;
	}
	uint32_t id = t->count++;
	memcpy(t->arena + t->arena_used, key, len);
	t->offsets[id] = t->arena_used;
	t->lengths[id] = (uint32_t)len;
	t->hashes[id] = h;
	t->arena_used += len;
	t->slots[s] = id + 1;
	if (created)
		*created = 1;
	return id;
}

const void *intern_key(const struct intern *t, uint32_t id, size_t *len)
{
	if (id >= t->count)
		return NULL;
	if (len)
		*len = t->lengths[id];
	return t->arena + t->offsets[id];
}
