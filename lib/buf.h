/*
 * buf - growable byte buffer, always NUL-terminated, may hold NULs
 *
 * buf_* functions that append may move the data: pointers into b->p go
 * stale after any append. A zero-initialised struct buf is an empty
 * buffer; buf_free() releases it. Allocation never fails (xalloc.h).
 */
#ifndef MAILSPILL_BUF_H
#define MAILSPILL_BUF_H

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

/* Makes room for extra more bytes and the NUL. */
void buf_grow_slow(struct buf *b, size_t extra);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Appends s as a printable, escaped quote of at most max bytes of input
 * ("\x1b", "\"", "..." when cut): for diagnostics that quote input. */
void buf_add_repr(struct buf *b, const char *s, size_t len, size_t max);

/* Inline: output rows and spill records append a few bytes at a time. */
static inline void
buf_grow(struct buf *b, size_t extra)
{
	if (b->len + extra + 1 > b->cap)
		buf_grow_slow(b, extra);
}

static inline void
buf_add(struct buf *b, const void *data, size_t len)
{
	buf_grow(b, len);
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
}

static inline void
buf_addc(struct buf *b, char c)
{
	buf_grow(b, 1);
	b->p[b->len++] = c;
	b->p[b->len] = '\0';
}

#endif
