/*
 * msg_store - the message model. See msg_store.h.
 *
 * Lifetimes of one (host, queue ID) are chained; an event goes to the
 * lifetime that was live at its time, which is what makes replayed lines
 * land where they first landed.
 */
#include "msg_store.h"
#include "../lib/hash.h"
#include "../lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* Lines of one message can trail its "removed" by a second or two
 * (processes log independently). */
#define MSG_END_GRACE		2
/* A start line this close after a message's first seen line belongs to
 * it: its lines came out of order. */
#define MSG_ADOPT_WINDOW	5
/* Below this many recipients a linear search beats an index. */
#define RCPT_INDEX_MIN		8

const char *
rcpt_vis_name(enum rcpt_vis v)
{
	static const char *const names[VIS_COUNT] = {
		[VIS_UNKNOWN] = "unknown", [VIS_TO] = "to", [VIS_CC] = "cc",
		[VIS_BCC] = "bcc", [VIS_HIDDEN] = "hidden",
	};

	return (unsigned)v < VIS_COUNT ? names[v] : "unknown";
}

void
msg_store_init(struct msg_store *st)
{
	memset(st, 0, sizeof(*st));
	intern_init(&st->strings);
	arena_init(&st->arena);
	st->mask = 4095;
	st->slots = xcalloc(st->mask + 1, sizeof(*st->slots));
	st->rejmask = 255;
	st->rejset = xcalloc(st->rejmask + 1, sizeof(*st->rejset));
}

void
msg_store_free(struct msg_store *st)
{
	size_t i;

	for (i = 0; i < st->nmsgs; i++) {
		free(st->msgs[i]->rcpts);
		free(st->msgs[i]->idx);
		free(st->msgs[i]);
	}
	free(st->msgs);
	free(st->slots);
	free(st->rejects);
	free(st->rejset);
	arena_free(&st->arena);
	intern_free(&st->strings);
	memset(st, 0, sizeof(*st));
}

/* See msg_store.h. */
uint32_t
msg_store_addr(struct msg_store *st, const char *p, size_t len)
{
	char tmp[512];
	size_t i, at = len;

	while (len > 0 && (*p == ' ' || *p == '<')) {
		p++;
		len--;
	}
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '>'))
		len--;
	for (i = len; i > 0; i--)
		if (p[i - 1] == '@') {
			at = i - 1;
			break;
		}
	if (i == 0)
		at = len;
	if (len > sizeof(tmp))
		return intern_id(&st->strings, p, len);
	memcpy(tmp, p, len);
	for (i = at; i < len; i++)
		if (tmp[i] >= 'A' && tmp[i] <= 'Z')
			tmp[i] = (char)(tmp[i] + 32);
	return intern_id(&st->strings, tmp, len);
}

static uint64_t
key_hash(uint32_t host, const char *qid, size_t qlen)
{
	return hash_bytes(qid, qlen) ^ hash_u64(host);
}

static bool
key_eq(const struct msg *m, uint32_t host, const char *qid, size_t qlen)
{
	return m->host == host && strncmp(m->qid, qid, qlen) == 0 &&
	    m->qid[qlen] == '\0';
}

static struct msg **
slot_find(struct msg_store *st, uint32_t host, const char *qid, size_t qlen)
{
	size_t j = key_hash(host, qid, qlen) & st->mask;

	while (st->slots[j] != NULL && !key_eq(st->slots[j], host, qid, qlen))
		j = (j + 1) & st->mask;
	return &st->slots[j];
}

static void
slots_grow(struct msg_store *st)
{
	size_t n = (st->mask + 1) * 2, i, j;
	struct msg **slots = xcalloc(n, sizeof(*slots));

	for (i = 0; i <= st->mask; i++) {
		struct msg *m = st->slots[i];

		if (m == NULL)
			continue;
		j = key_hash(m->host, m->qid, strlen(m->qid)) & (n - 1);
		while (slots[j] != NULL)
			j = (j + 1) & (n - 1);
		slots[j] = m;
	}
	free(st->slots);
	st->slots = slots;
	st->mask = n - 1;
}

static struct msg *
pick_generation(struct msg *head, int64_t t)
{
	struct msg *m, *best = NULL, *earliest = head;

	for (m = head; m != NULL; m = m->next_gen) {
		if (m->begin <= t && (best == NULL || m->begin > best->begin))
			best = m;
		if (m->begin < earliest->begin)
			earliest = m;
	}
	/* A line stamped a little before its message's first line. */
	return best != NULL ? best : earliest;
}

/* See msg_store.h. */
struct msg *
msg_store_find(struct msg_store *st, uint32_t host, const char *qid,
    size_t qlen, int64_t t)
{
	struct msg **slot = slot_find(st, host, qid, qlen);

	return *slot == NULL ? NULL : pick_generation(*slot, t);
}

static struct msg *
msg_new(struct msg_store *st, struct msg **slot, const struct event *ev,
    uint32_t host)
{
	struct msg *m = xcalloc(1, sizeof(*m));

	m->host = host;
	m->instance = intern_id(&st->strings, ev->instance.p, ev->instance.len);
	m->qid = arena_strndup(&st->arena, ev->qid.p, ev->qid.len);
	m->begin = ev->time;
	m->end = INT64_MAX;
	m->begin_src = ev->src;
	m->begin_line = ev->line;
	m->size = m->nrcpt = -1;
	m->state = MSG_OPEN;
	m->seq = (uint32_t)st->nmsgs;
	if (st->nmsgs == st->cap) {
		st->cap = st->cap ? st->cap * 2 : 1024;
		st->msgs = xreallocarray(st->msgs, st->cap, sizeof(*st->msgs));
	}
	st->msgs[st->nmsgs++] = m;
	st->stats.lifetimes++;
	m->next_gen = *slot;
	if (*slot == NULL)
		st->used++;
	*slot = m;
	return m;
}

/* The lifetime an event belongs to, made when needed. */
static struct msg *
lifetime_for(struct msg_store *st, const struct event *ev)
{
	uint32_t host = intern_id(&st->strings, ev->host.p, ev->host.len);
	struct msg **slot = slot_find(st, host, ev->qid.p, ev->qid.len);
	struct msg *m;

	if (*slot == NULL) {
		if (st->used * 2 >= st->mask) {
			slots_grow(st);
			slot = slot_find(st, host, ev->qid.p, ev->qid.len);
		}
		m = msg_new(st, slot, ev, host);
		if (ev->type == EV_BEGIN)
			m->begun = true;
		else
			st->stats.implicit_starts++;
		return m;
	}
	m = pick_generation(*slot, ev->time);
	if (ev->type == EV_BEGIN) {
		if (m->begun && m->begin == ev->time) {
			st->stats.duplicate_events++;
			return m;
		}
		if (!m->begun && m->state == MSG_OPEN &&
		    ev->time - m->begin <= MSG_ADOPT_WINDOW &&
		    ev->time >= m->begin - MSG_ADOPT_WINDOW) {
			m->begun = true;
			if (ev->time < m->begin)
				m->begin = ev->time;
			m->begin_src = ev->src;
			m->begin_line = ev->line;
			return m;
		}
		if (m->state == MSG_OPEN && ev->time >= m->begin)
			st->stats.unended_reuse++;
		else
			st->stats.qid_reuse++;
		m = msg_new(st, slot, ev, host);
		m->begun = true;
		return m;
	}
	if (m->state == MSG_OPEN || ev->time <= m->end + MSG_END_GRACE)
		return m;
	/* An ended ID seen again without a start line: mail made by the
	 * MTA itself (bounces, forwards) starts at cleanup. */
	st->stats.qid_reuse++;
	st->stats.implicit_starts++;
	return msg_new(st, slot, ev, host);
}

static uint64_t
rcpt_hash(uint32_t addr, uint32_t parent)
{
	return hash_u64(((uint64_t)addr << 32) | parent);
}

static void
rcpt_index_build(struct msg *m)
{
	uint32_t n = 16, i, j;

	while (n < m->nrcpts * 2 + 2)
		n *= 2;
	free(m->idx);
	m->idx = xcalloc(n, sizeof(*m->idx));
	m->idx_mask = n - 1;
	for (i = 0; i < m->nrcpts; i++) {
		j = rcpt_hash(m->rcpts[i].addr, m->rcpts[i].parent) &
		    m->idx_mask;
		while (m->idx[j])
			j = (j + 1) & m->idx_mask;
		m->idx[j] = i + 1;
	}
}

static struct rcpt *
rcpt_get(struct msg *m, uint32_t addr, uint32_t parent)
{
	struct rcpt *r;
	uint32_t i, j;

	if (m->nrcpts >= RCPT_INDEX_MIN) {
		if (m->idx == NULL)
			rcpt_index_build(m);
		for (j = rcpt_hash(addr, parent) & m->idx_mask; m->idx[j];
		    j = (j + 1) & m->idx_mask) {
			r = &m->rcpts[m->idx[j] - 1];
			if (r->addr == addr && r->parent == parent)
				return r;
		}
	} else {
		for (i = 0; i < m->nrcpts; i++)
			if (m->rcpts[i].addr == addr &&
			    m->rcpts[i].parent == parent)
				return &m->rcpts[i];
	}
	if (m->nrcpts == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 2;
		m->rcpts = xreallocarray(m->rcpts, m->cap, sizeof(*m->rcpts));
	}
	r = &m->rcpts[m->nrcpts++];
	memset(r, 0, sizeof(*r));
	r->addr = addr;
	r->parent = parent;
	r->status = RCPT_UNKNOWN;
	if (m->idx != NULL) {
		if (m->nrcpts * 2 > m->idx_mask) {
			rcpt_index_build(m);
		} else {
			j = rcpt_hash(addr, parent) & m->idx_mask;
			while (m->idx[j])
				j = (j + 1) & m->idx_mask;
			m->idx[j] = m->nrcpts;
		}
	}
	return r;
}

static void
set_outcome(struct msg_store *st, struct rcpt *r, const struct event *ev,
    enum rcpt_status status)
{
	r->status = (uint8_t)status;
	r->time = ev->time;
	r->src = ev->src;
	r->line = ev->line;
	r->relay = ev->relay.len ? intern_id(&st->strings, ev->relay.p,
	    ev->relay.len) : 0;
	r->dsn = ev->dsn.len ? intern_id(&st->strings, ev->dsn.p,
	    ev->dsn.len) : 0;
}

static void
apply_delivery(struct msg_store *st, struct msg *m, const struct event *ev)
{
	uint32_t addr, parent = 0;
	uint32_t dsn;
	struct rcpt *r;

	if (ev->flags & EVF_PROBE) {
		st->stats.probes++;
		return;
	}
	addr = msg_store_addr(st, ev->addr.p, ev->addr.len);
	if (ev->orig.len > 0) {
		parent = msg_store_addr(st, ev->orig.p, ev->orig.len);
		if (parent == addr)
			parent = 0;
	}
	r = rcpt_get(m, addr, parent);
	dsn = ev->dsn.len ? intern_id(&st->strings, ev->dsn.p, ev->dsn.len) :
	    0;
	if (r->attempts > 0 && r->time == ev->time &&
	    r->status == ev->status && r->dsn == dsn) {
		st->stats.duplicate_events++;
		return;
	}
	if (r->attempts > 0 && ev->time < r->time) {
		/* An older attempt read late: it changes no outcome. */
		st->stats.duplicate_events++;
		return;
	}
	r->attempts++;
	r->flags |= RF_DELIVERED;
	if (ev->flags & EVF_FORWARD)
		r->flags |= RF_FORWARD;
	if (ev->flags & EVF_PARTIAL)
		r->flags |= RF_PARTIAL;
	set_outcome(st, r, ev, ev->status);
}

static void
apply_reject(struct msg_store *st, struct msg *m, const struct event *ev)
{
	uint32_t addr = msg_store_addr(st, ev->addr.p, ev->addr.len);
	struct rcpt *r = rcpt_get(m, addr, 0);

	if (r->flags & RF_DELIVERED)
		return;
	if (r->status == RCPT_REJECTED && r->time == ev->time) {
		st->stats.duplicate_events++;
		return;
	}
	set_outcome(st, r, ev, RCPT_REJECTED);
	r->attempts++;
}

static void
store_noqueue_reject(struct msg_store *st, const struct event *ev)
{
	struct reject *rj;
	uint32_t host = intern_id(&st->strings, ev->host.p, ev->host.len);
	uint32_t sender = msg_store_addr(st, ev->sender.p, ev->sender.len);
	uint32_t rcpt = msg_store_addr(st, ev->addr.p, ev->addr.len);
	uint64_t h = hash_u64(((uint64_t)host << 32) ^ (uint64_t)ev->time) ^
	    hash_u64(((uint64_t)sender << 32) | rcpt);
	size_t j;

	if (h == 0)
		h = 1;
	for (j = h & st->rejmask; st->rejset[j]; j = (j + 1) & st->rejmask)
		if (st->rejset[j] == h) {
			st->stats.duplicate_events++;
			return;
		}
	st->rejset[j] = h;
	if (++st->rejused * 2 > st->rejmask) {
		size_t n = (st->rejmask + 1) * 2, i, k;
		uint64_t *set = xcalloc(n, sizeof(*set));

		for (i = 0; i <= st->rejmask; i++) {
			if (!st->rejset[i])
				continue;
			for (k = st->rejset[i] & (n - 1); set[k];
			    k = (k + 1) & (n - 1))
				;
			set[k] = st->rejset[i];
		}
		free(st->rejset);
		st->rejset = set;
		st->rejmask = n - 1;
	}
	if (st->nrejects == st->caprej) {
		st->caprej = st->caprej ? st->caprej * 2 : 64;
		st->rejects = xreallocarray(st->rejects, st->caprej,
		    sizeof(*st->rejects));
	}
	rj = &st->rejects[st->nrejects++];
	rj->time = ev->time;
	rj->host = host;
	rj->sender = sender;
	rj->rcpt = rcpt;
	rj->dsn = ev->dsn.len ? intern_id(&st->strings, ev->dsn.p,
	    ev->dsn.len) : 0;
	rj->src = ev->src;
	rj->line = ev->line;
	st->stats.noqueue_rejects++;
}

static void
add_header(struct msg_store *st, struct msg *m, const struct event *ev)
{
	uint32_t name = intern_id(&st->strings, ev->hname.p, ev->hname.len);
	struct msg_header *h, **tail = &m->headers;

	for (h = m->headers; h != NULL; h = h->next) {
		if (h->name == name && strlen(h->value) == ev->hvalue.len &&
		    memcmp(h->value, ev->hvalue.p, ev->hvalue.len) == 0) {
			st->stats.duplicate_events++;
			return;
		}
		tail = &h->next;
	}
	h = arena_alloc(&st->arena, sizeof(*h));
	h->next = NULL;
	h->name = name;
	h->value = arena_strndup(&st->arena, ev->hvalue.p, ev->hvalue.len);
	h->cut = ev->hvalue_cut;
	*tail = h;
	if (m->subject == 0 && ev->hname.len == 7 &&
	    strncasecmp(ev->hname.p, "subject", 7) == 0)
		m->subject = intern_id(&st->strings, ev->hvalue.p,
		    ev->hvalue.len);
}

static void
add_link(struct msg_store *st, struct msg *m, const struct event *ev)
{
	struct msg_link *l;

	for (l = m->links; l != NULL; l = l->next)
		if (l->kind == ev->link && strlen(l->qid) == ev->link_qid.len &&
		    memcmp(l->qid, ev->link_qid.p, ev->link_qid.len) == 0)
			return;
	l = arena_alloc(&st->arena, sizeof(*l));
	l->kind = ev->link;
	l->qid = arena_strndup(&st->arena, ev->link_qid.p, ev->link_qid.len);
	l->parent = 0;
	if (ev->link == LINK_FORWARD) {
		struct str a = ev->orig.len ? ev->orig : ev->addr;

		l->parent = msg_store_addr(st, a.p, a.len);
	}
	l->time = ev->time;
	l->next = m->links;
	m->links = l;
}

/* See msg_store.h. */
void
msg_store_event(void *ctx, const struct event *ev)
{
	struct msg_store *st = ctx;
	struct msg *m;
	uint32_t i;

	st->stats.events++;
	if (ev->qid.len == 0) {
		if (ev->type == EV_REJECT)
			store_noqueue_reject(st, ev);
		return;
	}
	m = lifetime_for(st, ev);
	switch (ev->type) {
	case EV_BEGIN:
		break;
	case EV_MSGID:
		if (m->msgid == 0 && ev->msgid.len > 0)
			m->msgid = intern_id(&st->strings, ev->msgid.p,
			    ev->msgid.len);
		break;
	case EV_ENVELOPE:
		if (m->sender == 0 || (ev->sender.len > 0 &&
		    intern_len(&st->strings, m->sender) == 0))
			m->sender = msg_store_addr(st, ev->sender.p,
			    ev->sender.len);
		if (ev->size >= 0)
			m->size = ev->size;
		if (ev->nrcpt >= 0)
			m->nrcpt = ev->nrcpt;
		break;
	case EV_HEADER:
		add_header(st, m, ev);
		break;
	case EV_DELIVERY:
		apply_delivery(st, m, ev);
		break;
	case EV_REJECT:
		if (m->sender == 0 && ev->sender.len > 0)
			m->sender = msg_store_addr(st, ev->sender.p,
			    ev->sender.len);
		apply_reject(st, m, ev);
		break;
	case EV_EXPIRED:
		m->expired = true;
		/* The relay and dsn of the last try stay: they say why. */
		for (i = 0; i < m->nrcpts; i++) {
			struct rcpt *r = &m->rcpts[i];

			if (r->status != RCPT_DEFERRED)
				continue;
			r->status = RCPT_EXPIRED;
			r->time = ev->time;
			r->src = ev->src;
			r->line = ev->line;
		}
		break;
	case EV_END:
		if (m->state == MSG_OPEN) {
			m->state = MSG_ENDED;
			m->end = ev->time;
		}
		free(m->idx);
		m->idx = NULL;
		break;
	case EV_DELETED:
		m->state = MSG_DELETED;
		m->end = ev->time;
		break;
	case EV_DROPPED:
		m->state = MSG_DROPPED;
		m->drop_status = (uint8_t)ev->status;
		if (m->end == INT64_MAX)
			m->end = ev->time;
		if (ev->addr.len > 0)
			rcpt_get(m, msg_store_addr(st, ev->addr.p,
			    ev->addr.len), 0);
		for (i = 0; i < m->nrcpts; i++)
			if (!(m->rcpts[i].flags & RF_DELIVERED))
				set_outcome(st, &m->rcpts[i], ev, ev->status);
		if (m->sender == 0 && ev->sender.len > 0)
			m->sender = msg_store_addr(st, ev->sender.p,
			    ev->sender.len);
		break;
	case EV_LINK:
		add_link(st, m, ev);
		break;
	default:
		break;
	}
}
