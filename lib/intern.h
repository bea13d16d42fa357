/*
 * intern - each distinct string stored once, named by a small id
 *
 * intern_id() returns the id of a byte string, adding it on first sight;
 * ids are dense, start at 1 and stay valid until intern_free(); id 0 is
 * "none". intern_str() gives the stored NUL-terminated copy, which never
 * moves. Canonical forms (lower-cased domains, ...) are the caller's job:
 * this table compares bytes. Memory: the strings once, plus 16 bytes an
 * entry and 4 a slot.
 */
#ifndef MAILSPILL_INTERN_H
#define MAILSPILL_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include "arena.h"

struct intern_entry {
	const char *s;
	uint32_t len;
	uint32_t hash;
};

struct intern {
	struct arena arena;
	uint32_t *slots;		/* entry index + 1, 0 = empty */
	uint32_t mask;
	struct intern_entry *entries;	/* [0] unused: id 0 is "none" */
	uint32_t count;			/* entries in use, including [0] */
	uint32_t cap;
};

void intern_init(struct intern *t);
void intern_free(struct intern *t);
uint32_t intern_id(struct intern *t, const char *s, size_t len);
/* Like intern_id() but never adds: 0 when the string is unknown. */
uint32_t intern_find(const struct intern *t, const char *s, size_t len);

static inline const char *
intern_str(const struct intern *t, uint32_t id)
{
	return id ? t->entries[id].s : "";
}

static inline size_t
intern_len(const struct intern *t, uint32_t id)
{
	return id ? t->entries[id].len : 0;
}

static inline uint32_t
intern_count(const struct intern *t)
{
	return t->count - 1;
}

#endif
