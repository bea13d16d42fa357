/*
 * spill - finished messages on disk. See spill.h.
 */
#include "spill.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Flush in large writes: one syscall per megabyte of messages. */
#define SPILL_FLUSH	(1u << 20)
/* Messages come back roughly in the order they went out (by time), with
 * short steps back: read a window that reaches a little behind too. The
 * order is by start and they went out by end: 4 MB (a 1 GB log's spill
 * holds about 15 MB an hour) keeps a message deferred for a quarter of
 * an hour in the window. */
#define SPILL_WINDOW	(4u << 20)
#define SPILL_BEHIND	(128u << 10)
/* A message that ended late sits far ahead of the window: usually
 * alone (read a little around it), sometimes one of a run retired
 * together (read more while the last such read served several). */
#define SPILL_ASIDE	(16u << 10)
#define SPILL_ASIDE_FEW	(2u << 10)

static void
spill_die(const char *what)
{
	fprintf(stderr, "mailspill: fatal: temporary file: %s: %s\n", what,
	    strerror(errno));
	exit(70);
}

void
spill_init(struct spill *s)
{
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}

static void
spill_create(struct spill *s)
{
	const char *dir = getenv("TMPDIR");
	struct buf path = { 0 };

	buf_printf(&path, "%s/mailspill-XXXXXX", dir && *dir ? dir : "/tmp");
	/* mkstemp: mode 0600. Unlinked at once: no name, no leftovers. */
	if ((s->fd = mkstemp(path.p)) < 0)
		spill_die(path.p);
	unlink(path.p);
	buf_free(&path);
}

static void
spill_flush(struct spill *s)
{
	size_t done = 0;
	ssize_t n;

	if (s->pending.len == 0)
		return;
	if (s->fd < 0)
		spill_create(s);
	while (done < s->pending.len) {
		n = pwrite(s->fd, s->pending.p + done, s->pending.len - done,
		    (off_t)(s->flushed + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			spill_die("write");
		}
		done += (size_t)n;
	}
	s->flushed += s->pending.len;
	buf_reset(&s->pending);
}

uint64_t
spill_append(struct spill *s, const void *p, size_t n)
{
	uint64_t off = s->flushed + s->pending.len;

	buf_add(&s->pending, p, n);
	if (s->pending.len >= SPILL_FLUSH)
		spill_flush(s);
	return off;
}

static void
read_at(struct spill *s, uint64_t off, void *p, size_t n)
{
	size_t done = 0;
	ssize_t r;

	while (done < n) {
		r = pread(s->fd, (char *)p + done, n - done,
		    (off_t)(off + done));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			spill_die("read");
		done += (size_t)r;
	}
}

static bool
in_buffer(uint64_t boff, size_t blen, uint64_t off, size_t n)
{
	return blen > 0 && off >= boff && off + n <= boff + blen;
}

/* Fills a buffer of cap bytes from start (clipped to the file). */
static size_t
fill(struct spill *s, char *buf, size_t cap, uint64_t start)
{
	size_t len = s->flushed - start < cap ? (size_t)(s->flushed - start) :
	    cap;

	read_at(s, start, buf, len);
	return len;
}

void
spill_read(struct spill *s, uint64_t off, void *p, size_t n)
{
	size_t cap;

	if (off + n > s->flushed)
		spill_flush(s);
	if (in_buffer(s->win_off, s->win_len, off, n)) {
		memcpy(p, s->window + (off - s->win_off), n);
		return;
	}
	if (in_buffer(s->aside_off, s->aside_len, off, n)) {
		memcpy(p, s->aside + (off - s->aside_off), n);
		s->aside_reused = true;
		return;
	}
	if (s->window == NULL) {
		s->window = malloc(SPILL_WINDOW);
		s->aside = malloc(SPILL_ASIDE);
		if (s->window == NULL || s->aside == NULL)
			spill_die("memory");
	}
	/* Onward from the window (or no window yet): slide it. A message
	 * that ended late sits far ahead: read it aside, and keep the
	 * window where the reading goes on. */
	if (s->win_len == 0 || (off >= s->win_off &&
	    off < s->win_off + s->win_len + SPILL_WINDOW)) {
		if (n + SPILL_BEHIND > SPILL_WINDOW) {
			read_at(s, off, p, n);
			return;
		}
		s->win_off = off > SPILL_BEHIND ?
		    (off - SPILL_BEHIND) & ~UINT64_C(4095) : 0;
		s->win_len = fill(s, s->window, SPILL_WINDOW, s->win_off);
		memcpy(p, s->window + (off - s->win_off), n);
		return;
	}
	cap = s->aside_reused ? SPILL_ASIDE : SPILL_ASIDE_FEW;
	if (n > cap) {
		read_at(s, off, p, n);
		return;
	}
	s->aside_off = off;
	s->aside_len = fill(s, s->aside, cap, off);
	s->aside_reused = false;
	memcpy(p, s->aside, n);
}

uint64_t
spill_size(const struct spill *s)
{
	return s->flushed + s->pending.len;
}

void
spill_free(struct spill *s)
{
	if (s->fd >= 0)
		close(s->fd);
	buf_free(&s->pending);
	free(s->window);
	free(s->aside);
	spill_init(s);
}
