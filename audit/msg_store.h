/*
 * msg_store - the message model: lifetimes, recipients, outcomes
 *
 * msg_store_event() is an event_sink_fn. It files each event under the
 * message lifetime it belongs to, keyed by (host, queue ID) and told
 * apart from earlier and later users of the same ID by time: a lifetime
 * starts with EV_BEGIN (or the first event of an unknown ID) and ends
 * with EV_END (or EV_DELETED/EV_DROPPED); a later start opens a new one
 * (queue-ID reuse). Events are applied idempotently, so lines read twice
 * change nothing while their lifetime is in memory; copies read after it
 * was retired become a second lifetime with the same Message-ID, host
 * and start, which recon merges.
 *
 * Memory: open lifetimes live in memory with their working state (a
 * recipient index, header and link text in a small per-message arena).
 * MSG_RETIRE_DELAY seconds (of log time) after its end a lifetime is
 * written to the spill file and freed; msg_store_finish() retires the
 * rest. What stays per retired lifetime is one struct msg_ref (32 bytes).
 * Addresses, hosts, relays and dsn codes are interned in st->strings
 * (their number grows with distinct addresses, not with the log).
 * Rejections without a queue ID (NOQUEUE) are kept in st->rejects.
 */
#ifndef MAILSPILL_MSG_STORE_H
#define MAILSPILL_MSG_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/arena.h"
#include "../lib/buf.h"
#include "../lib/intern.h"
#include "../parsers/event.h"
#include "spill.h"

/* Lines of one message trail its end by seconds; replayed lines of a
 * second copy of a log come much later. Five minutes keeps the first in
 * memory and memory small. */
#define MSG_RETIRE_DELAY	300
/* Longest address put in canonical form (longer ones are kept as
 * written). */
#define MSG_ADDR_FORM_MAX	512
/* Longest queue ID kept (Exim 4.97+ IDs are 23 characters). */
#define MSG_QID_MAX		31

enum rcpt_vis {
	VIS_UNKNOWN,
	VIS_TO,
	VIS_CC,
	VIS_BCC,
	VIS_HIDDEN,
	VIS_COUNT
};

const char *rcpt_vis_name(enum rcpt_vis v);

/* Evidence: input stream id and line number in one word. */
#define EVID(src, line)	(((uint64_t)(src) << 40) | ((uint64_t)(line) & \
	((UINT64_C(1) << 40) - 1)))
#define EVID_SRC(e)	((uint32_t)((e) >> 40))
#define EVID_LINE(e)	((e) & ((UINT64_C(1) << 40) - 1))

#define RF_FORWARD	0x01	/* re-submitted under a new ID */
#define RF_PARTIAL	0x02	/* content crossed in a failed attempt */
#define RF_DELIVERED	0x04	/* some delivery line exists */
#define RF_UNRESOLVED	0x08	/* addr is a name no directory resolved */

struct rcpt {
	uint32_t addr;		/* interned, canonical */
	uint32_t parent;	/* 0: none */
	uint32_t relay;
	uint32_t dsn;
	uint64_t evid;		/* line of the outcome */
	int64_t time;		/* time of the outcome */
	uint16_t attempts;
	uint8_t status;		/* enum rcpt_status */
	uint8_t vis;		/* enum rcpt_vis */
	uint8_t flags;
};

/* One try at one recipient, kept when the store is asked to
 * (keep_attempts): every delivery, deferral, bounce or refusal line, the
 * queue expiring it or a drop. */
struct msg_attempt {
	int64_t time;
	uint64_t evid;		/* its line */
	uint32_t rcpt;		/* index in the lifetime's rcpts */
	uint32_t relay;		/* interned, 0: none */
	uint32_t dsn;
	uint8_t status;		/* enum rcpt_status */
	const char *reply;	/* reply or reason text; NULL: none */
};

struct msg_header {
	struct msg_header *next;
	uint32_t name;		/* interned */
	const char *value;
	bool cut;
};

struct msg_link {
	struct msg_link *next;
	uint32_t kind;		/* enum ev_link */
	uint32_t parent;	/* LINK_FORWARD: the forwarded address */
	int64_t time;
	const char *qid;
};

/* Which header an address came from. */
enum hdr_kind {
	HK_TO,		/* To, Resent-To */
	HK_CC,		/* Cc, Resent-Cc */
	HK_BCC,		/* Bcc, Resent-Bcc (a sender's own copy) */
	HK_FROM,	/* From, Sender, Reply-To, Resent-From */
	HK_ENVELOPE,	/* Delivered-To, X-Original-To, Received for */
	HK_OTHER,
	HK_COUNT
};

struct msg_addr {
	uint32_t addr;		/* interned, canonical */
	uint32_t name;		/* interned display name, 0: none */
	uint8_t kind;		/* enum hdr_kind */
	uint8_t complete;	/* from a list the MTA did not cut */
};

enum hdr_kind msg_store_hdr_kind(const char *name, size_t len);

enum msg_state {
	MSG_OPEN,
	MSG_ENDED,
	MSG_DELETED,
	MSG_DROPPED,
};

/* One lifetime. In memory while open; read back from the spill (into a
 * caller's arena) when the run reports. */
struct msg {
	struct msg *next_gen;	/* other lifetimes of the same key */
	struct msg *next_ended;	/* retirement queue */
	struct arena arena;	/* strings of this message */
	char qid[MSG_QID_MAX + 1];
	uint64_t khash;		/* hash of (host, qid) */
	uint32_t host, instance;
	uint32_t sender;	/* interned address, 0: unknown */
	uint32_t seq;		/* creation order */
	const char *msgid;	/* raw value, NULL: none */
	const char *subject;
	int64_t begin, end;	/* end: INT64_MAX while open */
	uint64_t begin_evid;
	int64_t size;
	int64_t nrcpt;
	struct rcpt *rcpts;
	uint32_t nrcpts, cap;
	uint32_t *idx;		/* recipient index while open */
	uint32_t idx_mask;
	struct msg_header *headers;
	struct msg_link *links;
	struct msg_addr *haddrs;	/* addresses from headers */
	uint32_t nhaddrs, caphaddrs;
	uint64_t *refs;		/* In-Reply-To/References, as join keys */
	uint32_t nrefs, caprefs;
	struct msg_attempt *atts;	/* in log order */
	uint32_t natts, capatts;
	bool archive;		/* a stored copy, not a delivery hop */
	uint8_t state;
	uint8_t drop_status;
	bool begun;		/* saw its EV_BEGIN */
	bool expired;
	bool queued;		/* on the retirement queue */
};

/* A retired lifetime: where to find it and how to group it. */
struct msg_ref {
	uint64_t key;		/* hash of the normalized Message-ID, 0 none */
	int64_t begin;
	uint64_t off;		/* in the spill */
	uint32_t seq;
	uint32_t len;
};

struct reject {
	int64_t time;
	uint32_t host, sender, rcpt, dsn;
	uint64_t evid;
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
	uint64_t open_peak;		/* most lifetimes in memory at once */
	uint64_t qid_cut;		/* queue IDs longer than MSG_QID_MAX */
};

struct msg_store {
	struct intern strings;
	struct spill spill;
	struct msg_ref *refs;		/* retired lifetimes */
	size_t nrefs, caprefs;
	/* (host, qid) -> lifetimes in memory; each slot has its key's
	 * hash, so that probing and deleting read the table alone. */
	struct lt_slot {
		uint64_t khash;
		struct msg *m;		/* latest generation first */
	} *slots;
	size_t mask, used;
	size_t live;			/* lifetimes in memory */
	struct msg *ended_head, *ended_tail;
	int64_t clock;			/* latest event time seen */
	uint32_t next_seq;
	struct reject *rejects;
	size_t nrejects, caprej;
	uint64_t *rejset;		/* hashes of rejects kept */
	size_t rejmask, rejused;
	struct buf scratch;		/* serialization */
	/* The lifetime the last event went to, and that event's line: the
	 * events of one line (an Exim arrival gives four) go to one. */
	bool keep_attempts;		/* record struct msg_attempt */
	struct msg *last_msg;
	struct msg *spare;		/* retired lifetimes' memory, by next_gen */
	size_t nspare;
	uint64_t last_evid;
	uint32_t host_id;		/* the last host name interned */
	size_t host_len;
	char host[64];
	struct msg_store_stats stats;
	/* msg_store_prep_event()'s alone: it runs in the other thread. */
	char prep_tmp[3][MSG_ADDR_FORM_MAX];
};

void msg_store_init(struct msg_store *st);
void msg_store_free(struct msg_store *st);
/* The event_sink_fn: ctx is the struct msg_store. */
void msg_store_event(void *ctx, const struct event *ev);
/* The event_prep_fn of an evqueue in front of msg_store_event(): puts
 * an event's addresses in canonical form and hashes them, work the
 * filing would do. Touches nothing but st->prep_tmp. */
void msg_store_prep_event(void *ctx, struct event *ev);
/* The event_ahead_fn of that evqueue: prefetches what filing the next
 * event will look up first. */
void msg_store_ahead(void *ctx, const struct event *next);
/* Retires every lifetime still in memory: call once all input is read. */
void msg_store_finish(struct msg_store *st);

/* Interns an address in canonical form: surrounding "<>" and blanks
 * dropped, domain lower-cased, local part as written. "" stays "". */
uint32_t msg_store_addr(struct msg_store *st, const char *p, size_t len);
/* Hash of a Message-ID as the join compares it: without one pair of <>
 * and blanks, the part after the last '@' lower-cased; a Notes UNID
 * (Domino's "OFx:x-ONx:x" and the "<OFx.x-ONx.x-...@...>" Message-ID
 * made from it) by the UNID alone. 0: empty. */
uint64_t msg_store_msgid_key(const char *s, size_t len);
/* Whether s is a Notes UNID as Domino's Router logs it in place of a
 * Message-ID ("OFxxxxxxxx:xxxxxxxx-ONxxxxxxxx:xxxxxxxx"). */
bool msg_store_is_unid(const char *s);
/* Reads a retired lifetime back; strings and arrays go into arena. */
void msg_store_load(struct msg_store *st, const struct msg_ref *ref,
    struct arena *arena, struct msg *out);

#endif
