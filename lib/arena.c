/*
 * arena - bump allocator. See arena.h.
 */
#include "arena.h"
#include "xalloc.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* 4 KiB first block: a per-message arena rarely needs more; runs of a
 * few MiB amortise malloc to nothing. */
#define ARENA_MIN_BLOCK	4096
#define ARENA_MAX_BLOCK	(4u << 20)

struct arena_block {
	struct arena_block *next;
	size_t size;
	alignas(max_align_t) unsigned char data[];
};

void
arena_init(struct arena *a)
{
	a->head = NULL;
	a->used = 0;
	a->next_size = ARENA_MIN_BLOCK;
	a->total = 0;
}

void
arena_init_size(struct arena *a, size_t first)
{
	arena_init(a);
	a->next_size = first < 64 ? 64 : first;
}

static void
arena_grow(struct arena *a, size_t need)
{
	size_t size = a->next_size;
	struct arena_block *b;

	if (size < need)
		size = need;
	b = xmalloc(sizeof(*b) + size);
	b->size = size;
	b->next = a->head;
	a->head = b;
	a->used = 0;
	a->total += size;
	if (a->next_size < ARENA_MAX_BLOCK)
		a->next_size *= 2;
}

static void *
arena_take(struct arena *a, size_t size, size_t align)
{
	size_t off;

	if (a->head != NULL) {
		off = (a->used + align - 1) & ~(align - 1);
		if (off <= a->head->size && a->head->size - off >= size) {
			a->used = off + size;
			return a->head->data + off;
		}
	}
	arena_grow(a, size);
	a->used = size;
	return a->head->data;
}

void *
arena_alloc(struct arena *a, size_t size)
{
	return arena_take(a, size, alignof(max_align_t));
}

void *
arena_alloc_align(struct arena *a, size_t size, size_t align)
{
	return arena_take(a, size, align);
}

void *
arena_zalloc(struct arena *a, size_t size)
{
	void *p = arena_alloc(a, size);

	memset(p, 0, size);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_take(a, n + 1, 1);

	if (n > 0)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

void
arena_reset(struct arena *a)
{
	struct arena_block *b, *next;

	if (a->head == NULL)
		return;
	/* Keep the oldest (smallest) block: per-message arenas are reset
	 * often and most messages fit in one block. */
	for (b = a->head; b->next != NULL; b = next) {
		next = b->next;
		free(b);
	}
	a->head = b;
	a->used = 0;
	a->total = b->size;
	a->next_size = b->size * 2;
}

void
arena_free(struct arena *a)
{
	struct arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	arena_init(a);
}
