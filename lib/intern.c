/*
 * intern - string interning with open addressing. See intern.h.
 */
#include "intern.h"
#include "hash.h"
#include "xalloc.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

#define INTERN_MIN_SLOTS	1024u

static struct intern_rec *
new_rec(struct intern *t, const char *s, size_t len)
{
	struct intern_rec *r = arena_alloc_align(&t->arena,
	    sizeof(*r) + len + 1, alignof(struct intern_rec));

	r->len = (uint32_t)len;
	memcpy(r->s, s, len);
	r->s[len] = '\0';
	return r;
}

void
intern_init(struct intern *t)
{
	arena_init(&t->arena);
	t->mask = INTERN_MIN_SLOTS - 1;
	t->slots = xcalloc(INTERN_MIN_SLOTS, sizeof(*t->slots));
	t->cap = 256;
	t->recs = xcalloc(t->cap, sizeof(*t->recs));
	t->recs[0] = new_rec(t, "", 0);
	t->count = 1;
}

void
intern_free(struct intern *t)
{
	arena_free(&t->arena);
	free(t->slots);
	free(t->recs);
	memset(t, 0, sizeof(*t));
}

static void
intern_rehash(struct intern *t)
{
	uint32_t nslots = (t->mask + 1) * 2, i, j;
	struct intern_slot *slots = xcalloc(nslots, sizeof(*slots));

	for (i = 0; i <= t->mask; i++) {
		if (t->slots[i].id == 0)
			continue;
		for (j = t->slots[i].hash & (nslots - 1); slots[j].id;
		    j = (j + 1) & (nslots - 1))
			;
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->mask = nslots - 1;
}

static uint32_t
intern_lookup(const struct intern *t, const char *s, size_t len,
    uint32_t h, uint32_t *slot)
{
	const struct intern_slot *sl;
	uint32_t j;

	for (j = h & t->mask; (sl = &t->slots[j])->id != 0;
	    j = (j + 1) & t->mask) {
		if (sl->hash == h && sl->rec->len == len &&
		    memcmp(sl->rec->s, s, len) == 0)
			return sl->id;
	}
	*slot = j;
	return 0;
}

uint32_t
intern_hash(const char *s, size_t len)
{
	return (uint32_t)hash_bytes(len ? s : "", len);
}

uint32_t
intern_find(const struct intern *t, const char *s, size_t len)
{
	uint32_t slot;

	if (len == 0)
		s = "";
	return intern_lookup(t, s, len, intern_hash(s, len), &slot);
}

uint32_t
intern_id(struct intern *t, const char *s, size_t len)
{
	return intern_id_hashed(t, s, len, intern_hash(s, len));
}

uint32_t
intern_id_hashed(struct intern *t, const char *s, size_t len, uint32_t h)
{
	uint32_t slot, id;
	struct intern_rec *r;

	/* An empty view may carry a NULL pointer. */
	if (len == 0)
		s = "";
	if (len > UINT32_MAX - sizeof(*r) - 1) {
		len = UINT32_MAX - sizeof(*r) - 1;
		h = intern_hash(s, len);
	}
	id = intern_lookup(t, s, len, h, &slot);
	if (id)
		return id;
	if (t->count == t->cap) {
		t->cap *= 2;
		t->recs = xreallocarray(t->recs, t->cap, sizeof(*t->recs));
	}
	id = t->count++;
	r = new_rec(t, s, len);
	t->recs[id] = r;
	t->slots[slot].hash = h;
	t->slots[slot].id = id;
	t->slots[slot].rec = r;
	/* Keep the load under 1/2 so probes stay short. */
	if (t->count * 2 > t->mask + 1)
		intern_rehash(t);
	return id;
}
