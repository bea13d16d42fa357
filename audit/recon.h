/*
 * recon - who received what: lifetimes joined into messages, one row per
 * (message, final recipient)
 *
 * recon_build() groups the store's lifetimes by Message-ID (compared
 * without angle brackets, the part after the last '@' in lower case),
 * within RECON_JOIN_WINDOW of each other, so that the hops of one message
 * across hosts, content filters and alias re-submissions are one message.
 * A recipient's outcome comes from the last hop that handled it: a later
 * hop's row for the same address, or for an address whose parent it is,
 * replaces the earlier hop's (a hand-over is not a final delivery), and
 * inherits its parent. Forwarded recipients ("forwarded as NEWQID")
 * become the parent of the new message's recipients. NOQUEUE rejections
 * are groups of their own, without a Message-ID.
 *
 * Groups are ordered by first time, then Message-ID; rows in a group by
 * recipient, then parent: the same input gives the same order. The
 * result points into the store, which must outlive it.
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
	const struct reject *rj;
	uint32_t parent;		/* interned address or 0 */
	uint32_t removed;		/* replaced by a later hop */
};

struct recon_group {
	const struct msg **hops;	/* begin order */
	uint32_t nhops;
	uint32_t msgid;			/* interned raw value */
	uint32_t sender;
	uint32_t subject;
	int64_t first;			/* earliest begin */
	size_t row0, nrows;		/* rows[row0 .. row0+nrows) */
	const struct reject *rj;	/* for a NOQUEUE group */
};

struct recon_stats {
	uint64_t groups;
	uint64_t multi_hop;		/* groups with more than one lifetime */
	uint64_t forwards_linked;
	uint64_t rows;
};

struct recon {
	struct msg_store *st;
	struct recon_group *groups;
	size_t ngroups;
	struct recon_row *rows;
	size_t nrows;
	const struct msg **hopbuf;
	struct recon_stats stats;
};

void recon_build(struct recon *rc, struct msg_store *st);
void recon_free(struct recon *rc);

#endif
