/* profile-format.h — the raw profile's bytes (docs/FORMAT.md), shared by its
 * writer (src/profile-write.c), its reader (src/profile-read.c) and the tests
 * and fuzzers that forge files; not for the rest of pyheat, which goes
 * through include/profile.h.
 *
 * One place for what both ends must agree on: the magic and version, the
 * chunk header, the record kinds, the id and stack-frame limits the reader
 * enforces (so the writer refuses what the reader would reject), and the
 * CRC32 and little-endian u32 every header and chunk is sealed with. */
#ifndef PYHEAT_PROFILE_FORMAT_H
#define PYHEAT_PROFILE_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#define PROF_MAGIC        "\x89PYHEAT\n"
#define PROF_VERSION      1u
#define CHUNK_MAGIC       "CHNK"
#define CHUNK_HDR         16u            /* magic, length, payload CRC, header CRC */
#define ID_LIMIT          (1u << 28)     /* ids are below this */
/* The reader's cap on the frames all stacks hold (shared-frame encoding
 * expands): BASE + PER_BYTE x the file's size. */
#define STACK_FRAMES_BASE ((uint64_t)1 << 24)
#define STACK_FRAMES_PER_BYTE 64u

enum rec_kind {
	REC_STRING = 1, REC_FUNC, REC_FRAME, REC_STACK, REC_THREAD, REC_SOURCE,
	REC_SAMPLES, REC_COUNTS, REC_TRAILER,
};

/* CRC32 (reflected 0xEDB88320, init and final XOR 0xFFFFFFFF): fill a table
 * once (each reader and writer keeps its own), then checksum with it. */
static inline void prof_crc_init(uint32_t t[256])
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;
		for (int k = 0; k < 8; k++)
			c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
		t[i] = c;
	}
}

static inline uint32_t prof_crc32(const uint32_t t[256], const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	while (n--)
		c = t[(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xffffffffu;
}

static inline uint32_t prof_get_u32le(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static inline void prof_put_u32le(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* For the tests and fuzzers that damage a file image b[0, n): recompute its
 * header CRC and every chunk's CRCs, as far as its lengths hold, so that the
 * damage reaches the record decoders instead of stopping at a checksum. */
static inline void prof_reseal(uint8_t *b, size_t n)
{
	uint32_t t[256];
	if (n < 20)
		return;
	prof_crc_init(t);
	uint64_t mlen = prof_get_u32le(b + 12);
	if (16 + mlen + 4 > n)
		return;
	prof_put_u32le(b + 16 + mlen, prof_crc32(t, b, 16 + mlen));
	for (uint64_t off = 16 + mlen + 4; off + CHUNK_HDR <= n;) {
		uint64_t len = prof_get_u32le(b + off + 4);
		if (off + CHUNK_HDR + len <= n)
			prof_put_u32le(b + off + 8, prof_crc32(t, b + off + CHUNK_HDR, len));
		prof_put_u32le(b + off + 12, prof_crc32(t, b + off, 12));
		off += CHUNK_HDR + len;
	}
}

#endif
