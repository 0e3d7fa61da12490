/* ring.c — SPSC record ring. See include/ring.h.
 *
 * Layout of a record at a position p (mod size): a u32 length, a u32 spare,
 * then the payload, padded to 8 bytes. WRAP in the length word means "skip
 * to the start of the buffer". The producer publishes with a release store
 * of head after writing the bytes; the consumer reads head with acquire, so
 * it never sees a half-written record, and releases tail the same way so
 * the producer never overwrites a record still being read. */
#include <stdlib.h>
#include <string.h>

#include "ring.h"

#define HDR 8u
#define WRAP UINT32_MAX

static uint32_t padded(uint32_t len)
{
	return (HDR + len + 7u) & ~7u;
}

int ring_init(struct ring *r, size_t size)
{
	size_t s = 4096;
	while (s < size)
		s <<= 1;
	memset(r, 0, sizeof *r);
	r->buf = aligned_alloc(64, s);
	if (!r->buf)
		return -1;
	memset(r->buf, 0, s);
	r->size = s;
	atomic_init(&r->head, 0);
	atomic_init(&r->tail, 0);
	return 0;
}

void ring_free(struct ring *r)
{
	free(r->buf);
	r->buf = NULL;
}

void *ring_reserve(struct ring *r, uint32_t len)
{
	uint32_t need = padded(len);
	if (need > r->size / 4)
		return NULL;
	uint64_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
	size_t pos = (size_t)(head & (r->size - 1));
	size_t to_end = r->size - pos;
	uint64_t skip = to_end < need ? to_end : 0;    /* a wrap marker fills the end */
	if (head + skip + need - tail > r->size)
		return NULL;
	if (skip) {
		uint32_t marker = WRAP;
		memcpy(r->buf + pos, &marker, sizeof marker);
		head += skip;
		pos = 0;
	}
	memcpy(r->buf + pos, &len, sizeof len);
	r->reserved_at = head + need;
	return r->buf + pos + HDR;
}

void ring_commit(struct ring *r)
{
	atomic_store_explicit(&r->head, r->reserved_at, memory_order_release);
}

const void *ring_peek(struct ring *r, uint32_t *len)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	uint64_t head = atomic_load_explicit(&r->head, memory_order_acquire);
	if (tail == head)
		return NULL;
	size_t pos = (size_t)(tail & (r->size - 1));
	uint32_t l;
	memcpy(&l, r->buf + pos, sizeof l);
	if (l == WRAP) {
		tail += r->size - pos;
		atomic_store_explicit(&r->tail, tail, memory_order_release);
		if (tail == head)
			return NULL;
		pos = 0;
		memcpy(&l, r->buf, sizeof l);
	}
	*len = l;
	return r->buf + pos + HDR;
}

void ring_release(struct ring *r)
{
	uint64_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
	size_t pos = (size_t)(tail & (r->size - 1));
	uint32_t l;
	memcpy(&l, r->buf + pos, sizeof l);
	atomic_store_explicit(&r->tail, tail + padded(l), memory_order_release);
}
