/* ring.h — a lock-free single-producer/single-consumer ring of records.
 *
 * The sampler thread produces, the aggregator thread consumes; neither ever
 * blocks or locks. A record is a length-prefixed byte run, 8-byte aligned,
 * always contiguous in the buffer (a record that would straddle the end is
 * preceded by a wrap marker). A full ring makes ring_reserve() return NULL:
 * the producer counts a drop and goes on. Positions are 64-bit byte counters
 * that never wrap in practice; head and tail sit on separate cache lines. */
#ifndef PYHEAT_RING_H
#define PYHEAT_RING_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

struct ring {
	_Alignas(64) _Atomic uint64_t head;   /* bytes published by the producer */
	_Alignas(64) _Atomic uint64_t tail;   /* bytes released by the consumer */
	_Alignas(64) uint8_t *buf;
	size_t size;                          /* a power of two */
	uint64_t reserved_at;                 /* producer-private: head of the open reservation */
};

/* size is rounded up to a power of two (>= 4096). Every page is touched here,
 * so the producer never takes a page fault in it and the process's RSS does
 * not creep up during the first lap. 0 or -1 (out of memory). */
int ring_init(struct ring *r, size_t size);
void ring_free(struct ring *r);

/* Producer: space for a record of len bytes, or NULL when the ring is full
 * (or len is larger than a quarter of the ring). Then ring_commit(). */
void *ring_reserve(struct ring *r, uint32_t len);
void ring_commit(struct ring *r);

/* Consumer: the oldest record and its length, or NULL when empty. Then
 * ring_release() once done with it. */
const void *ring_peek(struct ring *r, uint32_t *len);
void ring_release(struct ring *r);

#endif
