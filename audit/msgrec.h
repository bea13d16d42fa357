/*
 * msgrec - a retired lifetime as bytes, for the spill and back
 *
 * msgrec_write() appends the record of a lifetime to a buffer;
 * msgrec_read() makes a struct msg of one again. Numbers are varints
 * (LEB128; signed ones zigzag-coded), times and lines are stored as
 * their distance from the lifetime's start, and the subject names the
 * header it came from when it is that header's text: a log of a million
 * messages writes and reads back hundreds of megabytes, so the record
 * is about half the size of the struct it stands for.
 *
 * Strings are stored with their NUL, and a read lifetime's strings
 * point into the record, which must live as long as the struct msg
 * (msgrec_read() is given the record in an arena). A record that is cut
 * or garbled reads as far as it makes sense: never past its end.
 */
#ifndef MAILSPILL_MSGREC_H
#define MAILSPILL_MSGREC_H

#include <stddef.h>

#include "../lib/arena.h"
#include "../lib/buf.h"
#include "msg_store.h"

void msgrec_write(struct buf *b, const struct msg *m);
/* Fills *m (zeroed first) from the record rec[0, len), which stays put;
 * arrays come from arena. */
void msgrec_read(const char *rec, size_t len, struct arena *arena,
    struct msg *m);

#endif
