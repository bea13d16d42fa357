/*
 * xalloc - allocation that succeeds or exits
 *
 * xmalloc(), xcalloc(), xrealloc() and xreallocarray() never return NULL:
 * out of memory is fatal (one message on stderr, exit status 70). Size
 * products are overflow-checked. xalloc_count() returns how many
 * allocations the calling thread made so far, so tests can prove that a hot path
 * allocates nothing per line.
 */
#ifndef MAILSPILL_XALLOC_H
#define MAILSPILL_XALLOC_H

#include <stddef.h>
#include <stdint.h>

void *xmalloc(size_t size);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *ptr, size_t size);
/* Grows an array of nmemb elements of size bytes; checks the product. */
void *xreallocarray(void *ptr, size_t nmemb, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* Number of allocations made through this module since start. */
uint64_t xalloc_count(void);

#endif
