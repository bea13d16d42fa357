/*
 * fuzz_split - bytes to lines the way parsers/input.c delivers them,
 * without libarchive
 *
 * fuzz_split_sniff() hands the first lines (at most INPUT_SNIFF_LINES
 * and INPUT_SNIFF_BYTES) to a sniff callback, fuzz_split_read() every
 * line to a line callback, both with a fake struct input_stream set up
 * as input.c does (id 0, fixed mtime, counters zero, first_seen
 * INT64_MIN). Lines end at
 * LF; one CR before it is dropped; a last line without LF is delivered;
 * lines past INPUT_MAX_LINE are cut there and the rest skipped. Each
 * line is copied into a heap block of exactly its length, so a parser
 * reading past the end of its line is caught by ASan (inside input.c's
 * blocks the same bug would read neighbouring bytes silently).
 */
#ifndef MAILSPILL_FUZZ_SPLIT_H
#define MAILSPILL_FUZZ_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "../parsers/input.h"

/* 2024-06-15 12:00:00 UTC: year inference has a reference. */
#define FUZZ_SPLIT_MTIME	INT64_C(1718452800)

/* Sets up s as a fresh stream named "fuzz". */
void fuzz_split_stream(struct input_stream *s);
/* Hands the first lines of data to sniff. */
void fuzz_split_sniff(struct input_stream *s, const uint8_t *data,
    size_t size, input_sniff_fn sniff, void *ctx);
/* Delivers every line of data to fn. */
void fuzz_split_read(struct input_stream *s, const uint8_t *data,
    size_t size, input_line_fn fn, void *ctx);

#endif
