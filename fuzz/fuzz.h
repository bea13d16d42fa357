/*
 * fuzz - what every fuzz target and the replay driver share
 *
 * Each fuzz/fuzz_*.c defines LLVMFuzzerTestOneInput() and fuzz_target[],
 * the name of its seed directory under fuzz/corpus/. Built with clang
 * -fsanitize=fuzzer (fuzz/build.sh) libFuzzer supplies main(); built by
 * `make check` the same file links with fuzz/replay.c, which runs it over
 * every file of its corpus. A target never prints: it returns 0 or dies
 * (abort through FUZZ_CHECK, or a sanitizer report).
 */
#ifndef MAILSPILL_FUZZ_H
#define MAILSPILL_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Seed directory name: fuzz/corpus/<fuzz_target>/. */
extern const char fuzz_target[];

/* An invariant the code under test promises. Unlike assert() it stays
 * on under NDEBUG: the check is the point of the target. */
#define FUZZ_CHECK(cond) do { \
	if (!(cond)) { \
		fprintf(stderr, "%s:%d: fuzz check failed: %s\n", \
		    __FILE__, __LINE__, #cond); \
		abort(); \
	} \
} while (0)

/* Whether p[0..len) is valid UTF-8: shortest forms only, no surrogates,
 * nothing past U+10FFFF. Written apart from the library's own checkers
 * so that targets compare two implementations. */
bool fuzz_utf8_valid(const unsigned char *p, size_t len);

/* Sums every byte of p[0..len): makes a sanitizer see a read of the
 * whole view, so a view pointing outside its buffer is reported. */
unsigned fuzz_touch(const void *p, size_t len);

/* A field of a CSV record, decoded (quotes removed, "" made "). */
typedef void (*fuzz_csv_field_fn)(void *ctx, size_t record, size_t field,
    const char *p, size_t len, bool quoted);

/* Reads p[0..len) as strict RFC 4180: records end with CRLF (the last
 * one too), a field is either quoted (inner quotes doubled, anything
 * else inside) or holds no quote, comma, CR or LF. Calls fn (when not
 * NULL) for every field. Returns the number of records, or -1 at the
 * first syntax error. */
long fuzz_csv_parse(const char *p, size_t len, fuzz_csv_field_fn fn,
    void *ctx);

#endif
