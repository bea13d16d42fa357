/*
 * spill - finished messages on disk. See spill.h.
 */
#include "spill.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Flush in large writes: one syscall per megabyte of messages. */
#define SPILL_FLUSH	(1u << 20)

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

void
spill_read(struct spill *s, uint64_t off, void *p, size_t n)
{
	size_t done = 0;
	ssize_t r;

	if (off + n > s->flushed)
		spill_flush(s);
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
	spill_init(s);
}
