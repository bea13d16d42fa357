/*
 * event - the normalized events every parser emits and the audit consumes
 *
 * A parser turns one input line into zero or more events and hands each
 * to an event_sink_fn. Every struct str in an event is a view into the
 * current line (or the parser's scratch space) and lives only for that
 * call: a sink that keeps text must copy or intern it. Events know no log
 * format: the same vocabulary serves Postfix, Exim, Domino and archives.
 */
#ifndef MAILSPILL_EVENT_H
#define MAILSPILL_EVENT_H

#include <stdbool.h>
#include <stdint.h>

#include "../lib/str.h"

enum ev_type {
	EV_BEGIN,	/* a message lifetime starts (client=, uid=, <=) */
	EV_MSGID,	/* msgid: the Message-ID header value */
	EV_ENVELOPE,	/* addr: envelope sender; size, nrcpt when known */
	EV_HEADER,	/* hname, hvalue: a header logged by the MTA */
	EV_DELIVERY,	/* one attempt for addr (orig: parent), see below */
	EV_REJECT,	/* addr refused in the SMTP dialogue (qid may be empty) */
	EV_EXPIRED,	/* message given up: pending recipients expire */
	EV_END,		/* lifetime over: every recipient finished */
	EV_DELETED,	/* removed by an administrator: pending ones dropped */
	EV_DROPPED,	/* never queued: nobody got it (text: why) */
	EV_LINK,	/* this message led to link_qid (link: how) */
	EV_HDR_ADDRS,	/* hname: an address header, parsed (addrs) */
	EV_REF,		/* hname In-Reply-To/References names msgid */
	EV_ARRIVAL,	/* one line tells it all (Exim's <=): EV_BEGIN, then
			 * EV_ENVELOPE, EV_MSGID when msgid is set and
			 * EV_HEADER when hname is, in one event */
	EV_TYPE_COUNT
};

/* Final outcome vocabulary of a recipient, shared by model and reports. */
enum rcpt_status {
	RCPT_UNKNOWN,	/* seen only in headers */
	RCPT_DEFERRED,	/* never finally delivered in the logs given */
	RCPT_SENT,
	RCPT_BOUNCED,
	RCPT_EXPIRED,
	RCPT_REJECTED,	/* refused in the SMTP dialogue */
	RCPT_DISCARDED,	/* accepted, then thrown away by policy */
	RCPT_STATUS_COUNT
};

const char *rcpt_status_name(enum rcpt_status s);

enum ev_link {
	LINK_NONE,
	LINK_FORWARD,	/* local alias/.forward re-submitted it (forwarded as) */
	LINK_BOUNCE,	/* a notification to the sender (non-delivery, delay) */
	LINK_NEXT_HOP,	/* handed to another queue (queued as / id=) */
	LINK_REQUEUE,	/* postsuper -r: the same message under a new ID */
};

/* Flags of an EV_DELIVERY. */
#define EVF_PROBE	0x01	/* address verification: nothing delivered */
#define EVF_PARTIAL	0x02	/* content crossed though not accepted */
#define EVF_FORWARD	0x04	/* not final: re-submitted (link_qid) */
/* Flag of an EV_BEGIN: a stored copy of the message (mbox, Maildir), not
 * a hop of its delivery: its headers are whole, it decides nobody's
 * outcome. */
#define EVF_ARCHIVE	0x08
/* Flag of an EV_DELIVERY: addr is a name (a Notes name) that no
 * directory resolved to an address; reported verbatim, never guessed. */
#define EVF_UNRESOLVED	0x10

/* One address of an address header, parsed by the format's reader. */
struct hdr_addr {
	struct str addr;	/* addr-spec; domain case as written */
	struct str name;	/* display name, UTF-8, may be empty */
};

struct event {
	enum ev_type type;
	int64_t time;		/* seconds since the epoch, UTC */
	uint32_t usec;
	struct str host;	/* logging host */
	struct str instance;	/* separate queue on that host ("postfix") */
	struct str qid;		/* message ID on that host; empty: none */
	struct str sender;	/* envelope sender (EV_ENVELOPE, EV_REJECT) */
	struct str addr;	/* recipient */
	struct str orig;	/* parent: the address before expansion */
	struct str msgid;
	struct str relay;
	struct str dsn;
	struct str text;	/* reply or reason text */
	struct str hname;	/* EV_HEADER */
	struct str hvalue;
	struct str link_qid;
	enum rcpt_status status;	/* EV_DELIVERY, EV_REJECT */
	enum ev_link link;
	unsigned flags;
	bool hvalue_cut;	/* the MTA cut the header text short */
	const struct hdr_addr *addrs;	/* EV_HDR_ADDRS */
	size_t naddrs;
	bool list_complete;	/* addrs is the whole list (not cut) */
	int64_t size;		/* -1 unknown */
	int64_t nrcpt;		/* -1 unknown */
	uint32_t src;		/* input stream id (provenance) */
	uint64_t line;		/* line number in that stream */
	/* Set by a sink's event_prep_fn (see evqueue.h), never by a
	 * parser: the addresses named in canon are in the sink's canonical
	 * form already, with the hash of its string table. */
	unsigned canon;		/* EVC_* */
	uint32_t sender_hash, addr_hash, orig_hash;
};

#define EVC_SENDER	0x01
#define EVC_ADDR	0x02
#define EVC_ORIG	0x04

typedef void (*event_sink_fn)(void *ctx, const struct event *ev);
/* Work a sink can have done ahead, on the side that pushes events
 * (where it must touch no state the sink's thread uses): it may point
 * ev's strings at its own scratch space, which must stay valid until
 * the next call, provided no string grows longer. */
typedef void (*event_prep_fn)(void *ctx, struct event *ev);
/* A look at the event after the one being filed (see evqueue.h). */
typedef void (*event_ahead_fn)(void *ctx, const struct event *next);

/* Resets every field to "absent" (sizes -1, strings empty). */
void event_clear(struct event *ev);
/* Empties what a parser fills per line: every field but type, time,
 * usec, host, qid, src and line. Strings become empty but never NULL
 * (sinks may copy them); sizes -1. */
void event_reset_fields(struct event *ev);

#endif
