/*
 * trace - the reconstruction as CSV, one row per (message, recipient)
 *
 * Columns, exactly: time,message_id,sender,recipient,parent,status,
 * visibility,host,queue_id,relay,dsn,subject,evidence. time is ISO 8601
 * with the offset of the run's zone; evidence is "provenance:line" of the
 * line that gave the outcome. Cells go through csv.h (formula guard,
 * UTF-8). Returns 0, or -1 when writing failed.
 */
#ifndef MAILSPILL_TRACE_H
#define MAILSPILL_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "../audit/recon.h"
#include "../audit/select.h"
#include "../lib/buf.h"
#include "csv.h"
#include "../parsers/tstamp.h"

struct att_index;

#define TRACE_HEADER "time,message_id,sender,recipient,parent,status," \
	"visibility,host,queue_id,relay,dsn,subject,evidence"

struct trace_out {
	FILE *f;
	struct tzconv *tz;
	const char *const *sources;	/* provenance by stream id */
	size_t nsources;
	struct select *sel;		/* NULL: every row */
	struct msg_store *st;
	uint64_t rows;
	struct buf scratch;
	struct csv_line line;
	/* Caches, filled as rows are written: */
	uint8_t *plain;			/* by string id: 1 plain, 2 not, 0 unknown */
	size_t nplain;
	uint8_t *src_plain;		/* the same by stream id */
	struct csv_line msgid, sender, subject;	/* the message's cells */
	struct att_index *ai;		/* --attempts: the message's tries */
	struct buf out;			/* rows not yet handed to f */
};

/*
 * The attempts table (trace --attempts): one row per try at a
 * recipient, from every hop, in hop order and then log order:
 * time,message_id,sender,recipient,parent,attempt,status,host,queue_id,
 * relay,dsn,reply,evidence. attempt counts from 1 per recipient row;
 * status is that try's (deferred, sent, bounced, expired, rejected,
 * ...); reply is the reply or reason text the log gave. It needs a
 * store that kept attempts (keep_attempts); a recipient no log line
 * tried (named only in headers) has no rows.
 */
#define TRACE_ATTEMPTS_HEADER "time,message_id,sender,recipient,parent," \
	"attempt,status,host,queue_id,relay,dsn,reply,evidence"

/* Writes the header row. */
void trace_begin(struct trace_out *t);
void trace_attempts_begin(struct trace_out *t);
/* A recon_fn like trace_msg(), writing the attempts table. */
int trace_attempts_msg(void *ctx, const struct recon_msg *m);
/* A recon_fn: writes the selected rows of one message; ctx is the
 * struct trace_out, whose sel and st must be set. */
int trace_msg(void *ctx, const struct recon_msg *m);
/* Returns 0, or -1 when a write failed. */
int trace_end(struct trace_out *t);

#endif
