/*
 * arena - bump allocator for the many small strings and records of a run
 *
 * Memory handed out by an arena lives until arena_reset() or arena_free()
 * on that arena; single objects are never freed. Blocks grow geometrically
 * up to ARENA_MAX_BLOCK, and a request larger than a block gets a block of
 * its own. Allocation never fails (see xalloc.h). Alignment is that of
 * max_align_t for arena_alloc(), none for arena_strndup().
 */
#ifndef MAILSPILL_ARENA_H
#define MAILSPILL_ARENA_H

#include <stddef.h>

struct arena_block;

struct arena {
	struct arena_block *head;	/* current block, others chained */
	size_t used;			/* bytes used in head */
	size_t next_size;		/* size of the next block */
	size_t total;			/* bytes in all blocks */
};

void arena_init(struct arena *a);
/* Like arena_init() with a first block of first bytes (small arenas for
 * per-message data). */
void arena_init_size(struct arena *a, size_t first);
void *arena_alloc(struct arena *a, size_t size);
void *arena_zalloc(struct arena *a, size_t size);
/* Like arena_alloc() with an alignment of align (a power of two). */
void *arena_alloc_align(struct arena *a, size_t size, size_t align);
/* Copies n bytes and a terminating NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
/* Releases every block but the first, which is kept for reuse. */
void arena_reset(struct arena *a);
void arena_free(struct arena *a);

#endif
