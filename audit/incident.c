/*
 * incident - incidents and notification lists. See incident.h.
 */
#include "incident.h"
#include "../lib/hash.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *
inc_type_name(enum inc_type t)
{
	static const char *const names[INC_TYPE_COUNT] = {
		[INC_VISIBLE] = "visible-recipients",
		[INC_BULK_UNKNOWN] = "bulk-external-unknown-visibility",
		[INC_STORM] = "reply-all-storm",
		[INC_MISROUTE] = "misrouted-domain",
	};

	return (unsigned)t < INC_TYPE_COUNT ? names[t] : "unknown";
}

const char *
inc_severity_name(enum inc_severity s)
{
	return s == SEV_HIGH ? "high" : s == SEV_MEDIUM ? "medium" : "low";
}

const char *
inc_role_name(enum inc_role r)
{
	static const char *const names[ROLE_COUNT] = {
		[ROLE_INTENDED] = "intended", [ROLE_REPLIER] = "replier",
		[ROLE_EXPOSED] = "exposed", [ROLE_UNINTENDED] = "unintended",
		[ROLE_SENDER] = "sender", [ROLE_INTERNAL] = "internal",
	};

	return (unsigned)r < ROLE_COUNT ? names[r] : "exposed";
}

const char *
inc_action_name(enum inc_action a)
{
	return a == ACT_NOTIFY ? "notify" : a == ACT_DELETION ?
	    "request-deletion" : "inform";
}

void
incidents_init(struct incidents *is)
{
	memset(is, 0, sizeof(*is));
	arena_init(&is->arena);
}

void
incidents_free(struct incidents *is)
{
	size_t i;

	for (i = 0; i < is->n; i++) {
		free(is->v[i]->msgs);
		free(is->v[i]->people);
		free(is->v[i]->slots);
		free(is->v[i]);
	}
	free(is->v);
	arena_free(&is->arena);
	memset(is, 0, sizeof(*is));
}

struct incident *
incident_new(struct incidents *is, enum inc_type type)
{
	struct incident *inc = xcalloc(1, sizeof(*inc));

	inc->type = type;
	inc->first = INT64_MAX;
	inc->last = INT64_MIN;
	inc->mask = 63;
	inc->slots = xcalloc(inc->mask + 1, sizeof(*inc->slots));
	if (is->n == is->cap) {
		is->cap = is->cap ? is->cap * 2 : 16;
		is->v = xreallocarray(is->v, is->cap, sizeof(*is->v));
	}
	is->v[is->n++] = inc;
	return inc;
}

const char *
incidents_strdup(struct incidents *is, const char *s)
{
	return s ? arena_strndup(&is->arena, s, strlen(s)) : NULL;
}

void
incident_add_msg(struct incidents *is, struct incident *inc,
    const char *msgid, int64_t t)
{
	size_t i;

	for (i = 0; i < inc->nmsgs; i++)
		if (msgid != NULL && inc->msgs[i].msgid != NULL &&
		    strcmp(inc->msgs[i].msgid, msgid) == 0)
			return;
	if (inc->nmsgs == inc->capmsgs) {
		inc->capmsgs = inc->capmsgs ? inc->capmsgs * 2 : 4;
		inc->msgs = xreallocarray(inc->msgs, inc->capmsgs,
		    sizeof(*inc->msgs));
	}
	inc->msgs[inc->nmsgs].msgid = incidents_strdup(is, msgid);
	inc->msgs[inc->nmsgs].time = t;
	inc->nmsgs++;
	if (t < inc->first)
		inc->first = t;
	if (t > inc->last)
		inc->last = t;
}

static void
person_slots_grow(struct incident *inc)
{
	size_t n = (inc->mask + 1) * 2, i, j;
	uint32_t *slots = xcalloc(n, sizeof(*slots));

	for (i = 0; i < inc->npeople; i++) {
		for (j = hash_u64(inc->people[i].email) & (n - 1); slots[j];
		    j = (j + 1) & (n - 1))
			;
		slots[j] = (uint32_t)i + 1;
	}
	free(inc->slots);
	inc->slots = slots;
	inc->mask = n - 1;
}

struct inc_person *
incident_add_person(struct incident *inc, const struct inc_person *p)
{
	size_t j;
	struct inc_person *q;

	for (j = hash_u64(p->email) & inc->mask; inc->slots[j];
	    j = (j + 1) & inc->mask) {
		q = &inc->people[inc->slots[j] - 1];
		if (q->email != p->email)
			continue;
		/* Once per incident, with the strongest role; fill in what
		 * the first sighting lacked. */
		if (p->role < q->role) {
			q->role = p->role;
			q->action = p->action;
		}
		if (q->name == 0)
			q->name = p->name;
		if (q->status != RCPT_SENT && p->status == RCPT_SENT)
			q->status = p->status;
		if (p->vis == VIS_TO || (p->vis == VIS_CC && q->vis != VIS_TO))
			q->vis = p->vis;
		if (p->exposed_to > q->exposed_to)
			q->exposed_to = p->exposed_to;
		return q;
	}
	if (inc->npeople == inc->cappeople) {
		inc->cappeople = inc->cappeople ? inc->cappeople * 2 : 16;
		inc->people = xreallocarray(inc->people, inc->cappeople,
		    sizeof(*inc->people));
	}
	q = &inc->people[inc->npeople++];
	*q = *p;
	inc->slots[j] = (uint32_t)inc->npeople;
	if (inc->npeople * 2 > inc->mask)
		person_slots_grow(inc);
	return q;
}

static int
incident_cmp(const void *pa, const void *pb)
{
	const struct incident *a = *(struct incident *const *)pa;
	const struct incident *b = *(struct incident *const *)pb;
	const char *ma, *mb;
	int c;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	ma = a->nmsgs ? a->msgs[0].msgid : NULL;
	mb = b->nmsgs ? b->msgs[0].msgid : NULL;
	c = strcmp(ma ? ma : "", mb ? mb : "");
	if (c != 0)
		return c;
	return a->sender < b->sender ? -1 : a->sender > b->sender;
}

static int
person_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct intern *strings = ctx;
	const struct inc_person *a = pa, *b = pb;

	if (a->action != b->action)
		return a->action < b->action ? -1 : 1;
	if (a->role != b->role)
		return a->role < b->role ? -1 : 1;
	return strcmp(intern_str(strings, a->email),
	    intern_str(strings, b->email));
}

static int
msg_cmp(const void *pa, const void *pb)
{
	const struct inc_msg *a = pa, *b = pb;

	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	return strcmp(a->msgid ? a->msgid : "", b->msgid ? b->msgid : "");
}

void
incidents_number(struct incidents *is, const struct intern *strings)
{
	size_t i;

	/* qsort() wants a valid array even when it is empty: an incident
	 * may have nobody to notify, a scan no incident. */
	for (i = 0; i < is->n; i++)
		if (is->v[i]->nmsgs > 1)
			qsort(is->v[i]->msgs, is->v[i]->nmsgs,
			    sizeof(*is->v[i]->msgs), msg_cmp);
	if (is->n > 1)
		qsort(is->v, is->n, sizeof(*is->v), incident_cmp);
	for (i = 0; i < is->n; i++) {
		struct incident *inc = is->v[i];

		snprintf(inc->id, sizeof(inc->id), "INC-%04zu", i + 1);
		if (inc->npeople > 1)
			qsort_r(inc->people, inc->npeople,
			    sizeof(*inc->people), person_cmp, (void *)strings);
		/* The index points at old positions: rebuild it. */
		memset(inc->slots, 0, (inc->mask + 1) * sizeof(*inc->slots));
		inc->mask = (inc->mask + 1) / 2 - 1;
		person_slots_grow(inc);
	}
}
