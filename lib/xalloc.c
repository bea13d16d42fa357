/*
 * xalloc - allocation that succeeds or exits. See xalloc.h.
 *
 * The counter is the only process-wide state in the program: it is a
 * statistic for tests, never read to make a decision.
 */
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per thread: the test of the per-line path counts its own thread's
 * allocations, and threads never share the counter. */
static _Thread_local uint64_t alloc_count;

static void
xalloc_die(size_t size)
{
	fprintf(stderr, "mailspill: fatal: out of memory (%zu bytes)\n", size);
	exit(70);
}

void *
xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		xalloc_die(size);
	alloc_count++;
	return p;
}

void *
xcalloc(size_t nmemb, size_t size)
{
	void *p = calloc(nmemb ? nmemb : 1, size ? size : 1);

	if (p == NULL)
		xalloc_die(nmemb * size);
	alloc_count++;
	return p;
}

void *
xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		xalloc_die(size);
	alloc_count++;
	return p;
}

void *
xreallocarray(void *ptr, size_t nmemb, size_t size)
{
	if (size != 0 && nmemb > SIZE_MAX / size)
		xalloc_die(SIZE_MAX);
	return xrealloc(ptr, nmemb * size);
}

char *
xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

uint64_t
xalloc_count(void)
{
	return alloc_count;
}
