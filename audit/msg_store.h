/*
 * msg_store - the message model: lifetimes, recipients, outcomes
 *
 * msg_store_event() is an event_sink_fn. It files each event under the
 * message lifetime it belongs to, keyed by (host, queue ID) and told
 * apart from earlier and later users of the same ID by time: a lifetime
 * starts with EV_BEGIN (or the first event of an unknown ID) and ends
 * with EV_END; a later start opens a new one (queue-ID reuse). Events are
 * applied idempotently, so the same lines read twice (a log kept in two
 * formats, overlapping copies) leave the model as if read once.
 *
 * Per recipient the store keeps the address, its parent (the address
 * before alias expansion), the number of attempts and the outcome of the
 * latest one (time, relay, dsn, status, evidence). Reply texts and the
 * per-message recipient index live only while the message is open.
 * Strings (addresses with their domain lower-cased, hosts, relays,
 * Message-IDs, subjects) are interned in store->strings. Rejections
 * without a queue ID (NOQUEUE) are kept apart in store->rejects.
 */
#ifndef MAILSPILL_MSG_STORE_H
#define MAILSPILL_MSG_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/arena.h"
#include "../lib/intern.h"
#include "../parsers/event.h"

enum rcpt_vis {
	VIS_UNKNOWN,
	VIS_TO,
	VIS_CC,
	VIS_BCC,
	VIS_HIDDEN,
	VIS_COUNT
};

const char *rcpt_vis_name(enum rcpt_vis v);

#define RF_FORWARD	0x01	/* re-submitted under a new ID */
#define RF_PARTIAL	0x02	/* content crossed in a failed attempt */
#define RF_DELIVERED	0x04	/* some delivery line exists */

struct rcpt {
	uint32_t addr;		/* interned, canonical */
	uint32_t parent;	/* 0: none */
	uint32_t relay;
	uint32_t dsn;
	uint32_t src;		/* evidence: stream and line of the outcome */
	uint64_t line;
	int64_t time;		/* time of the outcome */
	uint32_t attempts;
	uint8_t status;		/* enum rcpt_status */
	uint8_t vis;		/* enum rcpt_vis */
	uint8_t flags;
};

struct msg_header {
	struct msg_header *next;
	uint32_t name;		/* interned */
	const char *value;	/* in the store arena */
	bool cut;
};

struct msg_link {
	struct msg_link *next;
	enum ev_link kind;
	const char *qid;
	uint32_t parent;	/* LINK_FORWARD: the forwarded address */
	int64_t time;
};

enum msg_state {
	MSG_OPEN,
	MSG_ENDED,
	MSG_DELETED,
	MSG_DROPPED,
};

struct msg {
	struct msg *next_gen;	/* other lifetimes of the same key */
	uint32_t host, instance;
	const char *qid;	/* in the store arena */
	uint32_t msgid;		/* interned raw value, 0: none */
	uint32_t sender;	/* interned address, 0: unknown */
	uint32_t subject;
	int64_t begin, end;	/* end: INT64_MAX while open */
	uint32_t begin_src;
	uint64_t begin_line;
	int64_t size;
	int64_t nrcpt;
	struct rcpt *rcpts;
	uint32_t nrcpts, cap;
	uint32_t *idx;		/* index of rcpts while open */
	uint32_t idx_mask;
	struct msg_header *headers;
	struct msg_link *links;
	uint32_t seq;		/* creation order */
	uint8_t state;
	uint8_t drop_status;
	bool begun;		/* saw its EV_BEGIN */
	bool expired;
};

struct reject {
	int64_t time;
	uint32_t host, sender, rcpt, dsn;
	uint32_t src;
	uint64_t line;
};

struct msg_store_stats {
	uint64_t events;
	uint64_t lifetimes;
	uint64_t qid_reuse;		/* new lifetime after an ended one */
	uint64_t unended_reuse;		/* new start while one was open */
	uint64_t implicit_starts;	/* first line seen was not a start */
	uint64_t duplicate_events;	/* replayed lines ignored */
	uint64_t probes;
	uint64_t noqueue_rejects;
};

struct msg_store {
	struct intern strings;
	struct arena arena;
	struct msg **msgs;		/* every lifetime, creation order */
	size_t nmsgs, cap;
	struct msg **slots;		/* (host, qid) -> newest lifetime */
	size_t mask, used;
	struct reject *rejects;
	size_t nrejects, caprej;
	uint64_t *rejset;		/* hashes of rejects kept */
	size_t rejmask, rejused;
	struct msg_store_stats stats;
};

void msg_store_init(struct msg_store *st);
void msg_store_free(struct msg_store *st);
/* The event_sink_fn: ctx is the struct msg_store. */
void msg_store_event(void *ctx, const struct event *ev);

/* Interns an address in canonical form: surrounding "<>" and blanks
 * dropped, domain lower-cased, local part as written. "" stays "". */
uint32_t msg_store_addr(struct msg_store *st, const char *p, size_t len);
/* The newest lifetime of (host, qid) whose begin is at or before t, or
 * NULL. */
struct msg *msg_store_find(struct msg_store *st, uint32_t host,
    const char *qid, size_t qlen, int64_t t);

#endif
