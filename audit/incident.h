/*
 * incident - what a DPO must act on: incidents and the people in them
 *
 * An incident has a type, a severity, the messages it rests on and a
 * notification list: one person per address, with the strongest role
 * they had (incident_add_person() keeps the strongest when an address is
 * added twice). Roles and actions are the output vocabulary of the
 * per-incident CSV. Everything an incident keeps is copied or interned:
 * it outlives the reconstruction callback that found it.
 */
#ifndef MAILSPILL_INCIDENT_H
#define MAILSPILL_INCIDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/arena.h"
#include "msg_store.h"

enum inc_type {
	INC_VISIBLE,		/* visible-recipients */
	INC_BULK_UNKNOWN,	/* bulk-external-unknown-visibility */
	INC_STORM,		/* reply-all-storm */
	INC_MISROUTE,		/* misrouted-domain */
	INC_TYPE_COUNT
};

enum inc_severity { SEV_LOW, SEV_MEDIUM, SEV_HIGH };

/* Strongest first where one person fits several. */
enum inc_role {
	ROLE_INTENDED,		/* the correspondent whose mail went astray */
	ROLE_REPLIER,		/* their own reply went to the list */
	ROLE_EXPOSED,		/* their address was shown to others */
	ROLE_UNINTENDED,	/* received content not meant for them */
	ROLE_SENDER,		/* the internal sender */
	ROLE_INTERNAL,		/* a member of the organisation, visible */
	ROLE_COUNT
};

enum inc_action { ACT_NOTIFY, ACT_DELETION, ACT_INFORM };

const char *inc_type_name(enum inc_type t);
const char *inc_severity_name(enum inc_severity s);
const char *inc_role_name(enum inc_role r);
const char *inc_action_name(enum inc_action a);

struct inc_person {
	uint32_t email;		/* interned in the store */
	uint32_t name;		/* interned display name, 0: none */
	uint8_t role, action;
	uint8_t status;		/* enum rcpt_status of their copy */
	uint8_t vis;		/* enum rcpt_vis */
	uint64_t evid;		/* the line or entry the row rests on */
	const char *msgid;	/* the message that involved them */
	const char *subject;
	int64_t time;
	uint32_t exposed_to;	/* how many others saw their address */
};

struct inc_msg {
	const char *msgid;
	int64_t time;
};

struct incident {
	enum inc_type type;
	enum inc_severity severity;
	char id[32];			/* INC-0001, set by incidents_number() */
	int64_t first, last;
	uint32_t sender;		/* interned address */
	const char *subject;
	struct inc_msg *msgs;
	size_t nmsgs, capmsgs;
	struct inc_person *people;
	size_t npeople, cappeople;
	uint32_t *slots;		/* email -> person index + 1 */
	size_t mask;
	size_t recipients;		/* distinct recipients of its messages */
	size_t external;		/* of them outside the organisation */
	size_t delivered;		/* copies delivered (status sent) */
	const char *summary;
};

struct incidents {
	struct arena arena;
	struct incident **v;
	size_t n, cap;
};

void incidents_init(struct incidents *is);
void incidents_free(struct incidents *is);
struct incident *incident_new(struct incidents *is, enum inc_type type);
/* Copies s into the incidents' arena (NULL stays NULL). */
const char *incidents_strdup(struct incidents *is, const char *s);
void incident_add_msg(struct incidents *is, struct incident *inc,
    const char *msgid, int64_t t);
/* Adds or strengthens a person; returns the record. */
struct inc_person *incident_add_person(struct incident *inc,
    const struct inc_person *p);
/* Sorts incidents by first time, then first Message-ID, and names them
 * INC-0001, ... in that order; sorts each notification list by action,
 * role and address. */
void incidents_number(struct incidents *is, const struct intern *strings);

#endif
