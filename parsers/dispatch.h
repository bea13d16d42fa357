/*
 * dispatch - from input lines to events: format detection, timestamps,
 * and the parser for each line
 *
 * dispatch_sniff() is the input layer's sniff callback: it decides each
 * stream's format from its first lines (unless --format forces one),
 * the logging host, and the time of the first line (year inferred for
 * classic syslog stamps, see tstamp.h). dispatch_line() is the line
 * callback: it parses the prefix, resolves the time once per distinct
 * stamp, routes the line to its parser and counts it in the stream
 * (recognized, context, unrecognized, other program). Events go to the
 * sink given at init. The dispatcher knows the parsers, never the audit.
 */
#ifndef MAILSPILL_DISPATCH_H
#define MAILSPILL_DISPATCH_H

#include <stdio.h>

#include "event.h"
#include "domino.h"
#include "input.h"
#include "mbox.h"
#include "tstamp.h"

struct dispatch_opts {
	enum input_format force_format;	/* FMT_UNKNOWN: detect */
	int year;			/* --year; 0: infer */
	const char *host;		/* --host for logs without one */
	enum domino_order date_order;	/* --date-order; UNKNOWN: detect */
	const struct notesdir *directory;	/* --directory, or NULL */
};

struct dispatch {
	struct dispatch_opts opts;
	struct tzconv tz;
	struct diag *diag;
	event_sink_fn sink;
	void *sink_ctx;
	FILE *unparsed;			/* list unrecognized lines here */

	/* State of the stream being read. */
	struct input_stream *cur;
	struct tstamp_clock clock;
	char last_stamp[48];
	size_t last_stamp_len;
	int64_t last_time;
	/* last_stamp as an Exim line's stamp (0: it is not one) and what
	 * it read: a main log has a hundred lines a second. */
	size_t exim_stamp_len;
	struct tstamp_tm exim_tm;
	uint64_t warned_unrecognized;
	struct mbox_reader mbox;	/* state of an FMT_MBOX stream */
	struct domino dom;		/* Domino sessions and messages */
	struct domino_stats dom_stats;	/* kept by dispatch_finish() */
};

void dispatch_init(struct dispatch *d, const struct dispatch_opts *o,
    struct diag *diag, event_sink_fn sink, void *sink_ctx);
void dispatch_sniff(void *ctx, struct input_stream *s,
    const char *const *lines, const size_t *lens, size_t n);
void dispatch_line(void *ctx, struct input_stream *s, const char *line,
    size_t len, uint64_t lineno);
/* After all inputs were added, before input_sort(): what needs more
 * than a stream's first lines (Domino date order, see domino.h). */
void dispatch_prepare(struct dispatch *d, struct input_set *set);
/* After the last stream: ends what a stream left open (a stored message
 * whose header block ran to the end of its file) and frees the state. */
void dispatch_finish(struct dispatch *d);

#endif
