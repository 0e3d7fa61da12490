/* test-ring — the SPSC ring under two real threads: every record arrives
 * once, in order, intact, across many wraps; a full ring refuses instead of
 * overwriting. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "ring.h"

#include "check.h"

#define RECORDS 400000u

static uint32_t len_of(uint32_t seq)
{
	return 8 + (seq * 2654435761u >> 20) % 300;   /* 8..307 bytes */
}

static void *producer(void *arg)
{
	struct ring *r = arg;
	for (uint32_t seq = 0; seq < RECORDS;) {
		uint32_t len = len_of(seq);
		uint8_t *p = ring_reserve(r, len);
		if (!p)
			continue;   /* full: spin until the consumer catches up */
		memcpy(p, &seq, 4);
		for (uint32_t i = 4; i < len; i++)
			p[i] = (uint8_t)(seq + i);
		ring_commit(r);
		seq++;
	}
	return NULL;
}

int main(void)
{
	struct ring r;
	check_say(ring_init(&r, 1 << 16) == 0, "init");
	pthread_t th;
	pthread_create(&th, NULL, producer, &r);
	uint32_t expect = 0, bad = 0;
	while (expect < RECORDS) {
		uint32_t len;
		const uint8_t *p = ring_peek(&r, &len);
		if (!p)
			continue;
		uint32_t seq;
		memcpy(&seq, p, 4);
		if (seq != expect || len != len_of(seq))
			bad++;
		for (uint32_t i = 4; i < len && !bad; i++)
			if (p[i] != (uint8_t)(seq + i))
				bad++;
		ring_release(&r);
		expect++;
	}
	pthread_join(th, NULL);
	check_say(bad == 0, "400k variable-size records across threads: in order and intact");
	uint32_t len;
	check_say(ring_peek(&r, &len) == NULL, "empty after draining");

	/* full: reservations fail and nothing is overwritten */
	int accepted = 0;
	for (int i = 0; i < 10000; i++) {
		uint32_t *p = ring_reserve(&r, 100);
		if (!p)
			break;
		*p = (uint32_t)i;
		ring_commit(&r);
		accepted++;
	}
	check_say(accepted > 0 && accepted < 10000, "a full ring refuses reservations");
	int in_order = 1;
	for (int i = 0; i < accepted; i++) {
		const uint32_t *p = ring_peek(&r, &len);
		in_order &= p && *p == (uint32_t)i;
		if (p)
			ring_release(&r);
	}
	check_say(in_order, "records accepted before it filled are all there");
	check_say(ring_reserve(&r, 1 << 20) == NULL, "a record larger than a quarter of the ring is refused");
	ring_free(&r);
	return check_done("test-ring");
}
