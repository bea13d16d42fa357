/*
 * intern - string interning with open addressing. See intern.h.
 */
#include "intern.h"
#include "hash.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define INTERN_MIN_SLOTS	1024u

void
intern_init(struct intern *t)
{
	arena_init(&t->arena);
	t->mask = INTERN_MIN_SLOTS - 1;
	t->slots = xcalloc(INTERN_MIN_SLOTS, sizeof(*t->slots));
	t->cap = 256;
	t->entries = xcalloc(t->cap, sizeof(*t->entries));
	t->count = 1;
}

void
intern_free(struct intern *t)
{
	arena_free(&t->arena);
	free(t->slots);
	free(t->entries);
	memset(t, 0, sizeof(*t));
}

static void
intern_rehash(struct intern *t)
{
	uint32_t nslots = (t->mask + 1) * 2, i, j;
	uint32_t *slots = xcalloc(nslots, sizeof(*slots));

	for (i = 1; i < t->count; i++) {
		for (j = t->entries[i].hash & (nslots - 1); slots[j];
		    j = (j + 1) & (nslots - 1))
			;
		slots[j] = i;
	}
	free(t->slots);
	t->slots = slots;
	t->mask = nslots - 1;
}

static uint32_t
intern_lookup(const struct intern *t, const char *s, size_t len,
    uint32_t h, uint32_t *slot)
{
	uint32_t j, id;

	for (j = h & t->mask; (id = t->slots[j]) != 0; j = (j + 1) & t->mask) {
		const struct intern_entry *e = &t->entries[id];

		if (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0)
			return id;
	}
	*slot = j;
	return 0;
}

uint32_t
intern_find(const struct intern *t, const char *s, size_t len)
{
	uint32_t slot;

	if (len == 0)
		s = "";
	return intern_lookup(t, s, len, (uint32_t)hash_bytes(s, len), &slot);
}

uint32_t
intern_id(struct intern *t, const char *s, size_t len)
{
	uint32_t h, slot, id;
	struct intern_entry *e;

	/* An empty view may carry a NULL pointer. */
	if (len == 0)
		s = "";
	h = (uint32_t)hash_bytes(s, len);

	if (len > UINT32_MAX)
		len = UINT32_MAX;
	id = intern_lookup(t, s, len, h, &slot);
	if (id)
		return id;
	if (t->count == t->cap) {
		t->cap *= 2;
		t->entries = xreallocarray(t->entries, t->cap,
		    sizeof(*t->entries));
	}
	id = t->count++;
	e = &t->entries[id];
	e->s = arena_strndup(&t->arena, s, len);
	e->len = (uint32_t)len;
	e->hash = h;
	t->slots[slot] = id;
	/* Keep the load under 1/2 so probes stay short. */
	if (t->count * 2 > t->mask + 1)
		intern_rehash(t);
	return id;
}
