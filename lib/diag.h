/*
 * diag - diagnostics of one run: warnings about input, counted and capped
 *
 * Parsers never print; the input layer and the audit call diag_warn() with
 * the provenance of the bad line. Each (file, kind) pair prints at most
 * DIAG_MAX_PER_KIND lines; the rest are only counted, and `stats
 * --unparsed` lists them all. diag_error() records that an input could
 * not be read (exit status 3) and always prints.
 */
#ifndef MAILSPILL_DIAG_H
#define MAILSPILL_DIAG_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Enough to show a pattern without flooding a terminal. */
#define DIAG_MAX_PER_KIND	5

struct diag {
	FILE *out;		/* stderr, or a test's file */
	bool quiet;		/* no warnings (errors still print) */
	uint64_t warnings;	/* all warnings, printed or not */
	uint64_t errors;	/* inputs that could not be read (in part) */
};

void diag_init(struct diag *d, FILE *out);
void diag_warn(struct diag *d, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void diag_error(struct diag *d, const char *where, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
