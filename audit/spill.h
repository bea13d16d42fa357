/*
 * spill - finished messages kept on disk until the run ends
 *
 * A log of a gigabyte holds about a million messages; keeping them all
 * in memory would make memory grow with the log. Finished lifetimes are
 * appended to an anonymous temporary file (created mode 0600 in $TMPDIR
 * and unlinked at once, so nothing is left behind, even after a crash)
 * and read back, a message at a time, when the run joins and reports
 * them. Writes are buffered; a read first flushes. I/O errors are fatal:
 * a reconstruction with holes would be wrong, not partial.
 */
#ifndef MAILSPILL_SPILL_H
#define MAILSPILL_SPILL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/buf.h"

struct spill {
	int fd;			/* -1 until the first append */
	uint64_t flushed;	/* bytes on disk */
	struct buf pending;	/* bytes not yet written */
	char *window;		/* read-ahead: reads are mostly in order */
	uint64_t win_off;
	size_t win_len;
	char *aside;		/* for reads far from the window */
	uint64_t aside_off;
	size_t aside_len;
	bool aside_reused;	/* the last aside read served another */
};

void spill_init(struct spill *s);
/* Appends n bytes; returns their offset. */
uint64_t spill_append(struct spill *s, const void *p, size_t n);
/* Reads n bytes at off into p. */
void spill_read(struct spill *s, uint64_t off, void *p, size_t n);
uint64_t spill_size(const struct spill *s);
void spill_free(struct spill *s);

#endif
