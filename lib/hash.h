/*
 * hash - a fast 64-bit hash of a byte string (FNV-1a with a final mix)
 *
 * Not cryptographic: inputs are log text an attacker may shape, so tables
 * using it must stay correct (only slower) under collisions.
 */
#ifndef MAILSPILL_HASH_H
#define MAILSPILL_HASH_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

static inline uint64_t
hash_mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ULL;
	h ^= h >> 33;
	return h;
}

static inline uint64_t
hash_bytes(const void *data, size_t len)
{
	const unsigned char *p = data;
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i = 0;

	/* Eight bytes a step: FNV-1a byte by byte is the hot spot of
	 * interning otherwise. */
	for (; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, p + i, 8);
		h = (h ^ w) * 0x100000001b3ULL;
		h ^= h >> 29;
	}
	for (; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return hash_mix(h ^ len);
}

static inline uint64_t
hash_u64(uint64_t v)
{
	return hash_mix(v + 0x9e3779b97f4a7c15ULL);
}

#endif
