/*
 * recon - who received what: lifetimes joined into messages, one row per
 * (message, final recipient), handed to a consumer one message at a time
 *
 * recon_run() groups the store's retired lifetimes by Message-ID
 * (compared without angle brackets, the part after the last '@' in lower
 * case), within RECON_JOIN_WINDOW of each other, so that the hops of one
 * message across hosts, content filters and alias re-submissions are one
 * message. A recipient's outcome comes from the last hop that handled
 * it: a later hop's row for the same address, or for an address whose
 * parent it is, replaces the earlier hop's (a hand-over is not a final
 * delivery) and inherits its parent; the same lifetime read twice
 * collapses the same way. Forwarded recipients ("forwarded as NEWQID")
 * become the parent of the new message's recipients. NOQUEUE rejections
 * are messages of their own, without a Message-ID.
 *
 * Messages come in order of first time, then Message-ID hash; rows in a
 * message by recipient, then parent: the same input gives the same
 * order. A struct recon_msg and everything it points to live only during
 * the callback. Call msg_store_finish() first. Memory: one message's
 * hops at a time, plus 40 bytes per message for the order.
 */
#ifndef MAILSPILL_RECON_H
#define MAILSPILL_RECON_H

#include <stddef.h>
#include <stdint.h>

#include "msg_store.h"

/* Hops of one message are minutes apart; a Message-ID seen again after
 * a day is another message that reused it. */
#define RECON_JOIN_WINDOW	86400

struct recon_row {
	const struct msg *hop;		/* lifetime of the outcome */
	const struct rcpt *r;		/* NULL: a NOQUEUE reject */
	const struct reject *rj;		/* the refusal: a NOQUEUE row, or
					 * with r, a header address refused */
	uint32_t parent;		/* interned address or 0 */
	uint32_t name;			/* display name from headers, or 0 */
	uint8_t vis;			/* enum rcpt_vis */
	uint8_t removed;		/* replaced by a later hop */
	uint8_t header_only;		/* named in headers, in no log */
};

struct recon_msg {
	const struct msg *hops;		/* begin order */
	uint32_t nhops;
	const char *msgid;		/* raw value, NULL: none */
	uint32_t sender;
	const char *subject;
	int64_t first;			/* earliest begin */
	const struct recon_row *rows;
	size_t nrows;
	const struct reject *rj;	/* a NOQUEUE reject */
	bool has_headers;		/* a whole header copy was read */
	uint32_t sender_name;		/* display name of From, or 0 */
	uint8_t join;			/* enum recon_join */
};

/* How the lifetimes of a message were joined (said in the evidence). */
enum recon_join {
	RECON_JOIN_NONE,		/* one lifetime: host and queue ID */
	RECON_JOIN_MSGID,		/* several, by Message-ID */
	RECON_JOIN_UNID,		/* several, by a Notes UNID that one
					 * hop logged instead of a Message-ID */
};

struct recon_stats {
	uint64_t messages;
	uint64_t multi_hop;		/* messages with more than one lifetime */
	uint64_t forwards_linked;
	uint64_t rows;
};

/* Returns non-zero to stop the run. */
typedef int (*recon_fn)(void *ctx, const struct recon_msg *m);

/* Calls fn for every message in order. Returns fn's non-zero result,
 * or 0. */
int recon_run(struct msg_store *st, recon_fn fn, void *ctx,
    struct recon_stats *stats);
/*
 * The same, with the next messages put together (loaded from the spill,
 * joined, their rows built) in a second thread while fn handles the
 * current one. fn must not change st, and must not add strings: the
 * other thread reads them (intern_id() of a string already there adds
 * nothing). A string added anyway is an internal error that aborts.
 */
int recon_run_ahead(struct msg_store *st, recon_fn fn, void *ctx,
    struct recon_stats *stats);

#endif
