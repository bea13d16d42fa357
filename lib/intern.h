/*
 * intern - each distinct string stored once, named by a small id
 *
 * intern_id() returns the id of a byte string, adding it on first sight;
 * ids are dense, start at 1 and stay valid until intern_free(); id 0 is
 * "none". intern_str() gives the stored NUL-terminated copy, which never
 * moves. Canonical forms (lower-cased domains, ...) are the caller's job:
 * this table compares bytes.
 *
 * A slot holds the string's hash and a pointer to its record (length,
 * then the bytes), so that a lookup that finds its string costs two
 * memory reads, the slot and the record (with an index of ids and a
 * table of strings, three): with tables larger than the cache those are
 * misses. Memory: the strings with 5 bytes each, 8 bytes an id and 16 a
 * slot.
 */
#ifndef MAILSPILL_INTERN_H
#define MAILSPILL_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct intern_rec {
	uint32_t len;
	char s[];		/* len bytes and a NUL */
};

struct intern_slot {
	uint32_t hash;
	uint32_t id;		/* 0: empty */
	const struct intern_rec *rec;
};

struct intern {
	struct arena arena;
	struct intern_slot *slots;
	uint32_t mask;
	const struct intern_rec **recs;	/* by id; [0] is the empty string */
	uint32_t count;			/* ids in use, including 0 */
	uint32_t cap;
};

void intern_init(struct intern *t);
void intern_free(struct intern *t);
uint32_t intern_id(struct intern *t, const char *s, size_t len);
/* The hash intern_id() computes; pure, so that another thread can
 * compute it ahead for intern_id_hashed(). */
uint32_t intern_hash(const char *s, size_t len);
/* intern_id() given h == intern_hash(s, len). */
uint32_t intern_id_hashed(struct intern *t, const char *s, size_t len,
    uint32_t h);
/* Like intern_id() but never adds: 0 when the string is unknown. */
uint32_t intern_find(const struct intern *t, const char *s, size_t len);

static inline const char *
intern_str(const struct intern *t, uint32_t id)
{
	return id ? t->recs[id]->s : "";
}

static inline size_t
intern_len(const struct intern *t, uint32_t id)
{
	return id ? t->recs[id]->len : 0;
}

static inline uint32_t
intern_count(const struct intern *t)
{
	return t->count - 1;
}

#endif
