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

struct buf {
	char *p;
	size_t len;
	size_t cap;
};

void buf_grow(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_addc(struct buf *b, char c);
void buf_adds(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Appends s as a printable, escaped quote of at most max bytes of input
 * ("\x1b", "\"", "..." when cut): for diagnostics that quote input. */
void buf_add_repr(struct buf *b, const char *s, size_t len, size_t max);

#endif
