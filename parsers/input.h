/*
 * input - every input as numbered lines, through libarchive
 *
 * input_add_path() takes a file, a directory (walked recursively, names in
 * byte order) or "-" (standard input). Every file is opened with
 * libarchive (every compression filter but uudecode; tar, zip, 7z, cpio, ar, iso9660,
 * cab, lha, rar, xar and the raw format), so plain text, .gz/.bz2/.xz/
 * .zst/.lz4, tar(.*) and zip all read the same way; an archive member that
 * is itself compressed or an archive is opened once more (one level of
 * nesting). Each regular member is one struct input_stream with its
 * provenance string ("logs/mx1.tar.gz!var/log/mail.log.2.gz").
 *
 * input_sniff() reads the first lines of every stream (hands them to a
 * callback that detects the format and the first time), input_sort()
 * orders streams by that time, and input_read() then delivers each
 * stream's lines in order. Standard input is read once only: it is read
 * whole at its place in the order of the arguments, before the others.
 *
 * Limits: a line longer than INPUT_MAX_LINE is cut there (counted, one
 * warning); nesting deeper than one level is reported, not opened.
 * Errors (unreadable file, corrupt archive) go to diag_error() with the
 * provenance and the run goes on.
 */
#ifndef MAILSPILL_INPUT_H
#define MAILSPILL_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/diag.h"

/* 1 MiB: longer than any real log line (Postfix cuts at 2000 bytes,
 * syslog daemons at 8 KiB), short enough to bound memory. */
#define INPUT_MAX_LINE		(1u << 20)
/* Bytes of each stream the sniffer sees. */
#define INPUT_SNIFF_BYTES	(64u << 10)
#define INPUT_SNIFF_LINES	64

enum input_format {
	FMT_UNKNOWN,
	FMT_SYSLOG,	/* syslog-style lines: Postfix, Exim via syslog, ... */
	FMT_EXIM,	/* Exim mainlog/rejectlog */
	FMT_MBOX,
	FMT_DOMINO,
	FMT_COUNT
};

const char *input_format_name(enum input_format f);
/* Parses a --format value; FMT_COUNT when unknown. */
enum input_format input_format_parse(const char *name);

struct input_stream {
	uint32_t id;			/* index in input_set.v */
	char *display;			/* provenance prefix */
	char *path;			/* file on disk, "-" for stdin */
	long entry;			/* member index, -1: the file itself */
	long inner;			/* member of the nested archive, -1 */
	bool is_stdin;
	int64_t mtime;			/* seconds since the epoch */
	const char *mtime_from;		/* "file", "archive member" */
	uint64_t order;			/* position in the argument walk */

	/* Filled by the sniff callback. */
	enum input_format format;
	bool has_time;
	int64_t first_time;		/* for ordering */
	char host[64];

	/* Counters, filled while reading. */
	uint64_t lines;
	uint64_t bytes;
	uint64_t cut_lines;
	uint64_t recognized;		/* gave events */
	uint64_t context;		/* known lines without message data */
	uint64_t unrecognized;
	uint64_t other_program;		/* syslog lines of non-mail programs */
	int64_t first_seen, last_seen;	/* times of first and last line */
	int year;			/* year inferred for the first line */
	const char *year_from;		/* "file mtime", "--year", ... */
	const char *date_order;		/* Domino: "dmy from its dates"... */
	bool read_error;
};

struct input_set {
	struct input_stream **v;
	size_t n, cap;
	struct diag *diag;
};

/* The first lines of a stream, for format detection. */
typedef void (*input_sniff_fn)(void *ctx, struct input_stream *s,
    const char *const *lines, const size_t *lens, size_t n);
/* One line, without its end-of-line bytes; cut is set when it was cut at
 * INPUT_MAX_LINE. The bytes live until the callback returns. */
typedef void (*input_line_fn)(void *ctx, struct input_stream *s,
    const char *line, size_t len, uint64_t lineno);

void input_set_init(struct input_set *set, struct diag *d);
void input_set_free(struct input_set *set);

/* Adds path and sniffs its streams at once. Returns -1 (after a
 * diag_error) when the path cannot be read at all. */
int input_add_path(struct input_set *set, const char *path,
    input_sniff_fn sniff, input_line_fn stdin_lines, void *ctx);

/* Orders streams: those with a time by first_time, then the rest; ties
 * by argument order. Stable. */
void input_sort(struct input_set *set);

/* Delivers the lines of s. Returns 0, or -1 after a read error (what
 * was read before it has been delivered). */
int input_read(struct input_set *set, struct input_stream *s,
    input_line_fn fn, void *ctx);

/*
 * A host name for a log that carries none, from its provenance string:
 * for an archive member the archive's name up to its first dot, else the
 * file's directories from the nearest, skipping the names in generic
 * (NULL-terminated, compared without case: "log", "var" ...), else
 * "localhost". Writes at most outsz bytes with the NUL.
 */
void input_host_from_path(const char *display, const char *const *generic,
    char *out, size_t outsz);

#endif
