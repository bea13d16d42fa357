/*
 * msg_store - the message model. See msg_store.h.
 *
 * Lifetimes of one (host, queue ID) are chained; an event goes to the
 * lifetime that was live at its time, which is what makes replayed lines
 * land where they first landed.
 */
#include "msg_store.h"
#include "msgrec.h"
#include "../lib/hash.h"
#include "../lib/idna.h"
#include "../lib/xalloc.h"
#include "../parsers/rfc2047.h"

#include <stdio.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Lines of one message can trail its "removed" by a second or two
 * (processes log independently). */
#define MSG_END_GRACE		2
/* A start line this close after a message's first seen line belongs to
 * it: its lines came out of order. */
#define MSG_ADOPT_WINDOW	5
/* Below this many recipients a linear search beats an index. */
#define RCPT_INDEX_MIN		8
/* First block of a message's arena: a Message-ID and a subject fit. */
#define MSG_ARENA_FIRST		256
/* Longest address put in its interned form (longer: as written). */
#define ADDR_FORM_MAX		MSG_ADDR_FORM_MAX
/* Retired lifetimes kept for reuse, and the largest kept. */
#define MSG_SPARE_MAX		1024
#define MSG_SPARE_RCPTS		64
#define MSG_SPARE_ARENA		4096

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
	spill_init(&st->spill);
	st->mask = 4095;
	st->slots = xcalloc(st->mask + 1, sizeof(*st->slots));
	st->rejmask = 255;
	st->rejset = xcalloc(st->rejmask + 1, sizeof(*st->rejset));
	st->clock = INT64_MIN;
}

static void
msg_free(struct msg *m)
{
	free(m->haddrs);
	free(m->refs);
	free(m->rcpts);
	free(m->atts);
	free(m->idx);
	arena_free(&m->arena);
	free(m);
}

/* A retired lifetime's memory, kept for the next one: most messages
 * are alike in size, and a log has millions of them. */
static void
msg_recycle(struct msg_store *st, struct msg *m)
{
	struct arena a;
	struct rcpt *rcpts;
	struct msg_addr *haddrs;
	uint64_t *refs;
	struct msg_attempt *atts;
	uint32_t cap, caphaddrs, caprefs, capatts;

	if (st->nspare >= MSG_SPARE_MAX || m->cap > MSG_SPARE_RCPTS ||
	    m->arena.total > MSG_SPARE_ARENA) {
		msg_free(m);
		return;
	}
	free(m->idx);
	a = m->arena;
	arena_reset(&a);
	rcpts = m->rcpts, cap = m->cap;
	haddrs = m->haddrs, caphaddrs = m->caphaddrs;
	refs = m->refs, caprefs = m->caprefs;
	atts = m->atts, capatts = m->capatts;
	memset(m, 0, sizeof(*m));
	m->atts = atts, m->capatts = capatts;
	m->arena = a;
	m->rcpts = rcpts, m->cap = cap;
	m->haddrs = haddrs, m->caphaddrs = caphaddrs;
	m->refs = refs, m->caprefs = caprefs;
	m->next_gen = st->spare;
	st->spare = m;
	st->nspare++;
}

void
msg_store_free(struct msg_store *st)
{
	size_t i;
	struct msg *m, *next;

	while ((m = st->spare) != NULL) {
		st->spare = m->next_gen;
		msg_free(m);
	}
	for (i = 0; i <= st->mask; i++) {
		for (m = st->slots[i].m; m != NULL; m = next) {
			next = m->next_gen;
			msg_free(m);
		}
	}
	free(st->slots);
	free(st->refs);
	free(st->rejects);
	free(st->rejset);
	buf_free(&st->scratch);
	spill_free(&st->spill);
	intern_free(&st->strings);
	memset(st, 0, sizeof(*st));
}

/* An address in the form it is interned in: without brackets, its
 * domain lower-cased and as an A-label. *out is p itself, or tmp. */
static size_t
addr_form(const char *p, size_t len, char tmp[ADDR_FORM_MAX],
    const char **out)
{
	char dom[IDNA_MAX];
	size_t i, at, n;
	bool wide = false;

	while (len > 0 && (*p == ' ' || *p == '<')) {
		p++;
		len--;
	}
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '>'))
		len--;
	for (at = len; at > 0 && p[at - 1] != '@'; at--)
		;
	*out = p;
	if (len > ADDR_FORM_MAX || at == 0)
		return len;
	memcpy(tmp, p, len);
	for (i = at; i < len; i++) {
		if (tmp[i] >= 'A' && tmp[i] <= 'Z')
			tmp[i] = (char)(tmp[i] + 32);
		wide |= (unsigned char)tmp[i] >= 0x80;
	}
	/* A UTF-8 domain in its A-label form, as other hosts write it. */
	if (wide && (n = idna_to_ascii(tmp + at, len - at, dom,
	    sizeof(dom))) > 0 && at + n <= ADDR_FORM_MAX) {
		memcpy(tmp + at, dom, n);
		len = at + n;
	}
	*out = tmp;
	return len;
}

/* See msg_store.h. */
uint32_t
msg_store_addr(struct msg_store *st, const char *p, size_t len)
{
	char tmp[ADDR_FORM_MAX];
	const char *s;

	len = addr_form(p, len, tmp, &s);
	return intern_id(&st->strings, s, len);
}

/* Puts *a in canonical form in tmp (or leaves it where it is), with its
 * hash: true unless that would make it longer (an IDNA domain). */
static bool
prep_addr(struct str *a, char tmp[ADDR_FORM_MAX], uint32_t *hash)
{
	const char *s;
	size_t n;

	if (a->len == 0)
		return false;
	n = addr_form(a->p, a->len, tmp, &s);
	/* The queue's record has room for the address as it was. */
	if (n > a->len)
		return false;
	*a = str_make(s, n);
	*hash = intern_hash(s, n);
	return true;
}

/* See msg_store.h. */
void
msg_store_prep_event(void *ctx, struct event *ev)
{
	struct msg_store *st = ctx;

	if (prep_addr(&ev->sender, st->prep_tmp[0], &ev->sender_hash))
		ev->canon |= EVC_SENDER;
	if (prep_addr(&ev->addr, st->prep_tmp[1], &ev->addr_hash))
		ev->canon |= EVC_ADDR;
	if (prep_addr(&ev->orig, st->prep_tmp[2], &ev->orig_hash))
		ev->canon |= EVC_ORIG;
}

/* See msg_store.h. */
void
msg_store_ahead(void *ctx, const struct event *next)
{
	struct msg_store *st = ctx;
	const struct intern *t = &st->strings;

	/* The slot its recipient's lookup starts at: the lookup of a
	 * prepared address, otherwise a miss, overlaps this event. */
	if (next->canon & EVC_ADDR)
		__builtin_prefetch(&t->slots[next->addr_hash & t->mask]);
	if (next->canon & EVC_SENDER)
		__builtin_prefetch(&t->slots[next->sender_hash & t->mask]);
}

/* The interned canonical form of an address of ev, from what
 * msg_store_prep_event() did ahead when it did (canon has bit). */
static uint32_t
canon_id(struct msg_store *st, const struct event *ev, unsigned bit,
    struct str a, uint32_t hash)
{
	if (ev->canon & bit)
		return intern_id_hashed(&st->strings, a.p, a.len, hash);
	return msg_store_addr(st, a.p, a.len);
}

static uint32_t
ev_sender(struct msg_store *st, const struct event *ev)
{
	return canon_id(st, ev, EVC_SENDER, ev->sender, ev->sender_hash);
}

static uint32_t
ev_addr(struct msg_store *st, const struct event *ev)
{
	return canon_id(st, ev, EVC_ADDR, ev->addr, ev->addr_hash);
}

static uint32_t
ev_orig(struct msg_store *st, const struct event *ev)
{
	return canon_id(st, ev, EVC_ORIG, ev->orig, ev->orig_hash);
}

static bool
hex8(const char *p)
{
	size_t i;

	for (i = 0; i < 8; i++)
		if (!((p[i] >= '0' && p[i] <= '9') ||
		    ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'f')))
			return false;
	return true;
}

/*
 * A Notes document's UNID at the start of s: "OFxxxxxxxx:xxxxxxxx-
 * ONxxxxxxxx:xxxxxxxx" as Domino's Router logs it, or the same with
 * dots as the local part of the Message-ID Domino writes when the
 * message leaves over SMTP ("<OFxxxxxxxx.xxxxxxxx-ONxxxxxxxx.xxxxxxxx-
 * xxxxxxxx.xxxxxxxx@domain>"). Writes the canonical form (upper case,
 * dots) to out.
 */
#define NOTES_UNID_LEN	39
static bool
notes_unid(const char *s, size_t len, char out[NOTES_UNID_LEN])
{
	size_t i;

	if (len < NOTES_UNID_LEN || (s[0] | 0x20) != 'o' ||
	    (s[1] | 0x20) != 'f' || !hex8(s + 2) ||
	    (s[10] != ':' && s[10] != '.') || !hex8(s + 11) ||
	    s[19] != '-' || (s[20] | 0x20) != 'o' || (s[21] | 0x20) != 'n' ||
	    !hex8(s + 22) || s[30] != s[10] || !hex8(s + 31))
		return false;
	if (len > NOTES_UNID_LEN && s[NOTES_UNID_LEN] != '-' &&
	    s[NOTES_UNID_LEN] != '@')
		return false;
	for (i = 0; i < NOTES_UNID_LEN; i++)
		out[i] = s[i] == ':' ? '.' : (s[i] >= 'a' && s[i] <= 'z') ?
		    (char)(s[i] - 32) : s[i];
	return true;
}

/* See msg_store.h. */
bool
msg_store_is_unid(const char *s)
{
	char tmp[NOTES_UNID_LEN];
	size_t len = strlen(s);

	return len >= NOTES_UNID_LEN && s[10] == ':' &&
	    notes_unid(s, len, tmp);
}

/* See msg_store.h. */
uint64_t
msg_store_msgid_key(const char *s, size_t len)
{
	char tmp[1024];
	size_t i, at;
	uint64_t h;

	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 2 && s[0] == '<' && s[len - 1] == '>')
		s++, len -= 2;
	if (len == 0)
		return 0;
	if (notes_unid(s, len, tmp)) {
		h = hash_bytes(tmp, NOTES_UNID_LEN);
		return h ? h : 1;
	}
	if (len > sizeof(tmp))
		len = sizeof(tmp);
	memcpy(tmp, s, len);
	for (at = len; at > 0 && tmp[at - 1] != '@'; at--)
		;
	for (i = at; i < len; i++)
		if (tmp[i] >= 'A' && tmp[i] <= 'Z')
			tmp[i] = (char)(tmp[i] + 32);
	h = hash_bytes(tmp, len);
	return h ? h : 1;
}

static uint64_t
key_hash(uint32_t host, const char *qid, size_t qlen)
{
	return hash_bytes(qid, qlen) ^ hash_u64(host);
}

static bool
key_eq(const struct msg *m, uint64_t h, uint32_t host, const char *qid,
    size_t qlen)
{
	return m->khash == h && m->host == host &&
	    memcmp(m->qid, qid, qlen) == 0 && m->qid[qlen] == '\0';
}

static size_t
slot_index(struct msg_store *st, uint64_t h, uint32_t host, const char *qid,
    size_t qlen)
{
	size_t j = h & st->mask;

	while (st->slots[j].m != NULL && (st->slots[j].khash != h ||
	    !key_eq(st->slots[j].m, h, host, qid, qlen)))
		j = (j + 1) & st->mask;
	return j;
}

/* The slot of a lifetime in the table, found without hashing its key
 * again nor reading other lifetimes; its chain is the slot's or
 * another generation's of the same key. */
static size_t
slot_of(const struct msg_store *st, const struct msg *m)
{
	size_t j = m->khash & st->mask;
	const struct lt_slot *sl;

	while ((sl = &st->slots[j])->m != NULL) {
		if (sl->m == m || (sl->khash == m->khash &&
		    key_eq(sl->m, m->khash, m->host, m->qid, strlen(m->qid))))
			break;
		j = (j + 1) & st->mask;
	}
	return j;
}

static void
slots_grow(struct msg_store *st)
{
	size_t n = (st->mask + 1) * 2, i, j;
	struct lt_slot *slots = xcalloc(n, sizeof(*slots));

	for (i = 0; i <= st->mask; i++) {
		if (st->slots[i].m == NULL)
			continue;
		j = st->slots[i].khash & (n - 1);
		while (slots[j].m != NULL)
			j = (j + 1) & (n - 1);
		slots[j] = st->slots[i];
	}
	free(st->slots);
	st->slots = slots;
	st->mask = n - 1;
}

/* Empties slot i, moving later members of its probe run back (linear
 * probing deletion without tombstones). */
static void
slot_delete(struct msg_store *st, size_t i)
{
	size_t j = i, k;

	st->slots[i].m = NULL;
	st->used--;
	for (;;) {
		j = (j + 1) & st->mask;
		if (st->slots[j].m == NULL)
			return;
		k = st->slots[j].khash & st->mask;
		/* Leave it where it is if its home lies in (i, j]. */
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		st->slots[i] = st->slots[j];
		st->slots[j].m = NULL;
		i = j;
	}
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

/* Host names repeat line after line: the last one is kept at hand. */
static uint32_t
host_id(struct msg_store *st, struct str h)
{
	uint32_t id;

	if (st->host_id != 0 && h.len == st->host_len &&
	    memcmp(h.p, st->host, h.len) == 0)
		return st->host_id;
	id = intern_id(&st->strings, h.p, h.len);
	if (h.len <= sizeof(st->host)) {
		memcpy(st->host, h.p, h.len);
		st->host_len = h.len;
		st->host_id = id;
	}
	return id;
}

static struct msg *
msg_new(struct msg_store *st, size_t slot, const struct event *ev,
    uint32_t host, uint64_t khash)
{
	struct msg *m = st->spare;
	size_t ql = ev->qid.len;

	if (m != NULL) {
		st->spare = m->next_gen;
		st->nspare--;
	} else {
		m = xcalloc(1, sizeof(*m));
		arena_init_size(&m->arena, MSG_ARENA_FIRST);
	}
	if (ql > MSG_QID_MAX) {
		ql = MSG_QID_MAX;
		st->stats.qid_cut++;
	}
	memcpy(m->qid, ev->qid.p, ql);
	m->khash = khash;
	m->host = host;
	m->instance = intern_id(&st->strings, ev->instance.p, ev->instance.len);
	m->begin = ev->time;
	m->end = INT64_MAX;
	m->begin_evid = EVID(ev->src, ev->line);
	m->size = m->nrcpt = -1;
	m->state = MSG_OPEN;
	m->seq = st->next_seq++;
	st->stats.lifetimes++;
	m->next_gen = st->slots[slot].m;
	if (st->slots[slot].m == NULL)
		st->used++;
	st->slots[slot].m = m;
	st->slots[slot].khash = m->khash;
	if (++st->live > st->stats.open_peak)
		st->stats.open_peak = st->live;
	return m;
}

/* Whether m's queue ID is q (cut as msg_new() cuts it). */
static bool
same_qid(const struct msg *m, struct str q)
{
	size_t ql = q.len > MSG_QID_MAX ? MSG_QID_MAX : q.len;

	return memcmp(m->qid, q.p, ql) == 0 && m->qid[ql] == '\0';
}

/* Whether ev starts a lifetime. */
static bool
starts(const struct event *ev)
{
	return ev->type == EV_BEGIN || ev->type == EV_ARRIVAL;
}

/* The lifetime an event belongs to, made when needed. */
static struct msg *
lifetime_for(struct msg_store *st, const struct event *ev)
{
	uint32_t host = host_id(st, ev->host);
	size_t ql = ev->qid.len > MSG_QID_MAX ? MSG_QID_MAX : ev->qid.len;
	uint64_t h = key_hash(host, ev->qid.p, ql);
	size_t slot = slot_index(st, h, host, ev->qid.p, ql);
	struct msg *m;

	if (st->slots[slot].m == NULL) {
		if (st->used * 2 >= st->mask) {
			slots_grow(st);
			slot = slot_index(st, h, host, ev->qid.p, ql);
		}
		m = msg_new(st, slot, ev, host, h);
		if (starts(ev))
			m->begun = true;
		else
			st->stats.implicit_starts++;
		return m;
	}
	m = pick_generation(st->slots[slot].m, ev->time);
	if (starts(ev)) {
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
			m->begin_evid = EVID(ev->src, ev->line);
			return m;
		}
		if (m->state == MSG_OPEN && ev->time >= m->begin)
			st->stats.unended_reuse++;
		else
			st->stats.qid_reuse++;
		m = msg_new(st, slot, ev, host, h);
		m->begun = true;
		return m;
	}
	if (m->state == MSG_OPEN || ev->time <= m->end + MSG_END_GRACE)
		return m;
	/* An ended ID seen again without a start line: mail made by the
	 * MTA itself (bounces, forwards) starts at cleanup. */
	st->stats.qid_reuse++;
	st->stats.implicit_starts++;
	return msg_new(st, slot, ev, host, h);
}

/* Writes m to the spill, records where, and frees it. */
static void
retire(struct msg_store *st, struct msg *m)
{
	struct buf *b = &st->scratch;
	struct msg_ref *ref;
	size_t slot = slot_of(st, m);
	struct msg **pp;

	buf_reset(b);
	msgrec_write(b, m);
	if (st->nrefs == st->caprefs) {
		st->caprefs = st->caprefs ? st->caprefs * 2 : 1024;
		st->refs = xreallocarray(st->refs, st->caprefs,
		    sizeof(*st->refs));
	}
	ref = &st->refs[st->nrefs++];
	ref->key = m->msgid ? msg_store_msgid_key(m->msgid,
	    strlen(m->msgid)) : 0;
	ref->begin = m->begin;
	ref->seq = m->seq;
	ref->len = (uint32_t)b->len;
	ref->off = spill_append(&st->spill, b->p, b->len);

	for (pp = &st->slots[slot].m; *pp != NULL; pp = &(*pp)->next_gen)
		if (*pp == m) {
			*pp = m->next_gen;
			if (st->slots[slot].m == NULL)
				slot_delete(st, slot);
			break;
		}
	st->live--;
	if (st->last_msg == m)
		st->last_msg = NULL;
	msg_recycle(st, m);
}

static void
queue_ended(struct msg_store *st, struct msg *m)
{
	if (m->queued)
		return;
	m->queued = true;
	m->next_ended = NULL;
	if (st->ended_tail != NULL)
		st->ended_tail->next_ended = m;
	else
		st->ended_head = m;
	st->ended_tail = m;
}

/* The cache lines of a lifetime that retire() reads. */
static void
prefetch_lifetime(const struct msg *m)
{
	const char *p = (const char *)m;
	size_t i;

	for (i = 0; i < sizeof(*m); i += 64)
		__builtin_prefetch(p + i);
}

static void
retire_due(struct msg_store *st)
{
	struct msg *m, *n;

	while ((m = st->ended_head) != NULL &&
	    m->end < st->clock - MSG_RETIRE_DELAY) {
		/* Lifetimes retire minutes after their last line, long out
		 * of the cache, and several at a time: the next one was
		 * fetched while this one's predecessor retired, so what it
		 * points to can be fetched now, and the one after it. */
		if ((n = m->next_ended) != NULL) {
			__builtin_prefetch(n->rcpts);
			__builtin_prefetch(n->msgid);
			__builtin_prefetch(&st->slots[n->khash & st->mask]);
			if (n->next_ended != NULL)
				prefetch_lifetime(n->next_ended);
		}
		st->ended_head = m->next_ended;
		if (st->ended_head == NULL)
			st->ended_tail = NULL;
		retire(st, m);
	}
}

static int
begin_cmp(const void *pa, const void *pb)
{
	const struct msg *a = *(struct msg *const *)pa;
	const struct msg *b = *(struct msg *const *)pb;

	if (a->begin != b->begin)
		return a->begin < b->begin ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* See msg_store.h. */
void
msg_store_finish(struct msg_store *st)
{
	struct msg **v, *m;
	size_t i, n = 0;

	st->ended_head = st->ended_tail = NULL;
	/* In the order the reconstruction reads them back, by start: in
	 * the table's order they would lie all over the spill's end. */
	v = xreallocarray(NULL, st->live + 1, sizeof(*v));
	for (i = 0; i <= st->mask; i++)
		for (m = st->slots[i].m; m != NULL && n < st->live;
		    m = m->next_gen)
			v[n++] = m;
	qsort(v, n, sizeof(*v), begin_cmp);
	for (i = 0; i < n; i++)
		retire(st, v[i]);
	free(v);
	/* The open lifetimes' memory is free now; hand its pages back
	 * before the reconstruction allocates its own, so that the peak is
	 * the larger of the two phases, not their sum. */
#ifdef __GLIBC__
	malloc_trim(0);
#endif
}

/* See msg_store.h. */
void
msg_store_load(struct msg_store *st, const struct msg_ref *ref,
    struct arena *arena, struct msg *m)
{
	char *raw = arena_alloc(arena, ref->len ? ref->len : 1);

	spill_read(&st->spill, ref->off, raw, ref->len);
	msgrec_read(raw, ref->len, arena, m);
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

static uint32_t
relay_id(struct msg_store *st, const struct event *ev)
{
	return ev->relay.len ? intern_id(&st->strings, ev->relay.p,
	    ev->relay.len) : 0;
}

/* Adds one try at r to m's history, when the store keeps one. */
static void
note_attempt(struct msg_store *st, struct msg *m, const struct rcpt *r,
    const struct event *ev, enum rcpt_status status, uint32_t relay,
    uint32_t dsn)
{
	struct msg_attempt *a;

	if (!st->keep_attempts)
		return;
	if (m->natts == m->capatts) {
		m->capatts = m->capatts ? m->capatts * 2 : 4;
		m->atts = xreallocarray(m->atts, m->capatts, sizeof(*m->atts));
	}
	a = &m->atts[m->natts++];
	a->time = ev->time;
	a->evid = EVID(ev->src, ev->line);
	a->rcpt = (uint32_t)(r - m->rcpts);
	a->relay = relay;
	a->dsn = dsn;
	a->status = (uint8_t)status;
	a->reply = ev->text.len > 0 ? arena_strndup(&m->arena, ev->text.p,
	    ev->text.len) : NULL;
}

static void
set_outcome(struct msg_store *st, struct rcpt *r, const struct event *ev,
    enum rcpt_status status, uint32_t dsn)
{
	r->status = (uint8_t)status;
	r->time = ev->time;
	r->evid = EVID(ev->src, ev->line);
	r->relay = relay_id(st, ev);
	r->dsn = dsn;
}

static uint32_t
dsn_id(struct msg_store *st, const struct event *ev)
{
	return ev->dsn.len ? intern_id(&st->strings, ev->dsn.p, ev->dsn.len) :
	    0;
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
	addr = ev_addr(st, ev);
	if (ev->orig.len > 0) {
		parent = ev_orig(st, ev);
		if (parent == addr)
			parent = 0;
	}
	r = rcpt_get(m, addr, parent);
	dsn = dsn_id(st, ev);
	if (r->attempts > 0 && r->time == ev->time &&
	    r->status == ev->status && r->dsn == dsn) {
		st->stats.duplicate_events++;
		return;
	}
	if (r->attempts > 0 && ev->time < r->time) {
		/* An older attempt read late: it changes no outcome. */
		st->stats.duplicate_events++;
		if (st->keep_attempts)
			note_attempt(st, m, r, ev, ev->status,
			    relay_id(st, ev), dsn);
		return;
	}
	if (r->attempts < UINT16_MAX)
		r->attempts++;
	r->flags |= RF_DELIVERED;
	if (ev->flags & EVF_FORWARD)
		r->flags |= RF_FORWARD;
	if (ev->flags & EVF_PARTIAL)
		r->flags |= RF_PARTIAL;
	if (ev->flags & EVF_UNRESOLVED)
		r->flags |= RF_UNRESOLVED;
	set_outcome(st, r, ev, ev->status, dsn);
	note_attempt(st, m, r, ev, ev->status, r->relay, dsn);
}

static void
apply_reject(struct msg_store *st, struct msg *m, const struct event *ev)
{
	struct rcpt *r = rcpt_get(m, ev_addr(st, ev), 0);

	if (r->flags & RF_DELIVERED)
		return;
	if (r->status == RCPT_REJECTED && r->time == ev->time) {
		st->stats.duplicate_events++;
		return;
	}
	set_outcome(st, r, ev, RCPT_REJECTED, dsn_id(st, ev));
	note_attempt(st, m, r, ev, RCPT_REJECTED, r->relay, r->dsn);
	if (r->attempts < UINT16_MAX)
		r->attempts++;
}

static void
store_noqueue_reject(struct msg_store *st, const struct event *ev)
{
	struct reject *rj;
	uint32_t host = host_id(st, ev->host);
	uint32_t sender = ev_sender(st, ev);
	uint32_t rcpt = ev_addr(st, ev);
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
	rj->evid = EVID(ev->src, ev->line);
	st->stats.noqueue_rejects++;
}

/* Whether s may hold an RFC 2047 encoded word: "=?" in it. (memchr()
 * is many times faster than memmem() on a subject without '='.) */
static bool
may_be_encoded(const char *s, size_t n)
{
	const char *e = s + n, *p = s;

	while ((p = memchr(p, '=', (size_t)(e - p))) != NULL && p + 1 < e) {
		if (p[1] == '?')
			return true;
		p++;
	}
	return false;
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
	h = arena_alloc(&m->arena, sizeof(*h));
	h->next = NULL;
	h->name = name;
	h->value = arena_strndup(&m->arena, ev->hvalue.p, ev->hvalue.len);
	h->cut = ev->hvalue_cut;
	*tail = h;
	if (m->subject == NULL && ev->hname.len == 7 &&
	    strncasecmp(ev->hname.p, "subject", 7) == 0) {
		/* As a person reads it: encoded words (RFC 2047) decoded,
		 * the text UTF-8. */
		if (!may_be_encoded(h->value, ev->hvalue.len) &&
		    rfc2047_utf8_valid(h->value, ev->hvalue.len)) {
			m->subject = h->value;
		} else {
			buf_reset(&st->scratch);
			rfc2047_decode(&st->scratch, h->value, ev->hvalue.len, 0);
			m->subject = arena_strndup(&m->arena, st->scratch.p,
			    st->scratch.len);
		}
	}
}

static void
add_link(struct msg_store *st, struct msg *m, const struct event *ev)
{
	struct msg_link *l;

	for (l = m->links; l != NULL; l = l->next)
		if (l->kind == ev->link && strlen(l->qid) == ev->link_qid.len &&
		    memcmp(l->qid, ev->link_qid.p, ev->link_qid.len) == 0)
			return;
	l = arena_alloc(&m->arena, sizeof(*l));
	l->kind = ev->link;
	l->qid = arena_strndup(&m->arena, ev->link_qid.p, ev->link_qid.len);
	l->parent = 0;
	if (ev->link == LINK_FORWARD)
		l->parent = ev->orig.len ? ev_orig(st, ev) : ev_addr(st, ev);
	l->time = ev->time;
	l->next = m->links;
	m->links = l;
}

/* See msg_store.h. */
enum hdr_kind
msg_store_hdr_kind(const char *name, size_t len)
{
	static const struct {
		const char *name;
		enum hdr_kind kind;
	} names[] = {
		{ "to", HK_TO }, { "resent-to", HK_TO },
		{ "cc", HK_CC }, { "resent-cc", HK_CC },
		{ "bcc", HK_BCC }, { "resent-bcc", HK_BCC },
		{ "from", HK_FROM }, { "sender", HK_FROM },
		{ "reply-to", HK_FROM }, { "resent-from", HK_FROM },
		{ "resent-sender", HK_FROM },
		{ "delivered-to", HK_ENVELOPE }, { "x-original-to", HK_ENVELOPE },
		{ "envelope-to", HK_ENVELOPE }, { "received", HK_ENVELOPE },
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == len &&
		    strncasecmp(names[i].name, name, len) == 0)
			return names[i].kind;
	return HK_OTHER;
}

static void
add_hdr_addrs(struct msg_store *st, struct msg *m, const struct event *ev)
{
	enum hdr_kind kind = msg_store_hdr_kind(ev->hname.p, ev->hname.len);
	size_t i;

	for (i = 0; i < ev->naddrs; i++) {
		const struct hdr_addr *a = &ev->addrs[i];
		struct msg_addr *ma;

		if (a->addr.len == 0)
			continue;
		if (m->nhaddrs == m->caphaddrs) {
			m->caphaddrs = m->caphaddrs ? m->caphaddrs * 2 : 4;
			m->haddrs = xreallocarray(m->haddrs, m->caphaddrs,
			    sizeof(*m->haddrs));
		}
		ma = &m->haddrs[m->nhaddrs++];
		ma->addr = msg_store_addr(st, a->addr.p, a->addr.len);
		ma->name = a->name.len ? intern_id(&st->strings, a->name.p,
		    a->name.len) : 0;
		ma->kind = (uint8_t)kind;
		ma->complete = ev->list_complete;
	}
}

static void
add_ref(struct msg *m, const struct event *ev)
{
	uint64_t key = msg_store_msgid_key(ev->msgid.p, ev->msgid.len);
	uint32_t i;

	if (key == 0)
		return;
	for (i = 0; i < m->nrefs; i++)
		if (m->refs[i] == key)
			return;
	if (m->nrefs == m->caprefs) {
		m->caprefs = m->caprefs ? m->caprefs * 2 : 4;
		m->refs = xreallocarray(m->refs, m->caprefs, sizeof(*m->refs));
	}
	m->refs[m->nrefs++] = key;
}

static void
msg_finished(struct msg_store *st, struct msg *m, enum msg_state state,
    int64_t t)
{
	if (m->state == MSG_OPEN || m->state == MSG_ENDED)
		m->state = (uint8_t)state;
	if (m->end == INT64_MAX)
		m->end = t;
	free(m->idx);
	m->idx = NULL;
	queue_ended(st, m);
}

static void
set_msgid(struct msg *m, const struct event *ev)
{
	if (m->msgid == NULL && ev->msgid.len > 0)
		m->msgid = arena_strndup(&m->arena, ev->msgid.p,
		    ev->msgid.len);
}

static void
set_envelope(struct msg_store *st, struct msg *m, const struct event *ev)
{
	if (m->sender == 0 || (ev->sender.len > 0 &&
	    intern_len(&st->strings, m->sender) == 0))
		m->sender = ev_sender(st, ev);
	if (ev->size >= 0)
		m->size = ev->size;
	if (ev->nrcpt >= 0)
		m->nrcpt = ev->nrcpt;
}

/* See msg_store.h. */
void
msg_store_event(void *ctx, const struct event *ev)
{
	struct msg_store *st = ctx;
	struct msg *m;
	uint32_t i;

	st->stats.events++;
	if (ev->time > st->clock) {
		st->clock = ev->time;
		retire_due(st);
	}
	if (ev->qid.len == 0) {
		if (ev->type == EV_REJECT)
			store_noqueue_reject(st, ev);
		return;
	}
	m = st->last_msg;
	if (m == NULL || starts(ev) ||
	    EVID(ev->src, ev->line) != st->last_evid ||
	    !same_qid(m, ev->qid) || host_id(st, ev->host) != m->host)
		m = lifetime_for(st, ev);
	st->last_msg = m;
	st->last_evid = EVID(ev->src, ev->line);
	switch (ev->type) {
	case EV_ARRIVAL:
		if (ev->flags & EVF_ARCHIVE)
			m->archive = true;
		set_envelope(st, m, ev);
		if (ev->msgid.len > 0)
			set_msgid(m, ev);
		if (ev->hname.len > 0)
			add_header(st, m, ev);
		break;
	case EV_BEGIN:
		if (ev->flags & EVF_ARCHIVE)
			m->archive = true;
		break;
	case EV_HDR_ADDRS:
		add_hdr_addrs(st, m, ev);
		break;
	case EV_REF:
		add_ref(m, ev);
		break;
	case EV_MSGID:
		set_msgid(m, ev);
		break;
	case EV_ENVELOPE:
		set_envelope(st, m, ev);
		break;
	case EV_HEADER:
		add_header(st, m, ev);
		break;
	case EV_DELIVERY:
		apply_delivery(st, m, ev);
		break;
	case EV_REJECT:
		if (m->sender == 0 && ev->sender.len > 0)
			m->sender = ev_sender(st, ev);
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
			r->evid = EVID(ev->src, ev->line);
			note_attempt(st, m, r, ev, RCPT_EXPIRED, 0, 0);
		}
		break;
	case EV_END:
		msg_finished(st, m, MSG_ENDED, ev->time);
		break;
	case EV_DELETED:
		msg_finished(st, m, MSG_DELETED, ev->time);
		break;
	case EV_DROPPED:
		m->drop_status = (uint8_t)ev->status;
		if (ev->addr.len > 0)
			rcpt_get(m, ev_addr(st, ev), 0);
		for (i = 0; i < m->nrcpts; i++) {
			if (m->rcpts[i].flags & RF_DELIVERED)
				continue;
			set_outcome(st, &m->rcpts[i], ev, ev->status,
			    dsn_id(st, ev));
			note_attempt(st, m, &m->rcpts[i], ev, ev->status,
			    m->rcpts[i].relay, m->rcpts[i].dsn);
		}
		if (m->sender == 0 && ev->sender.len > 0)
			m->sender = ev_sender(st, ev);
		msg_finished(st, m, MSG_DROPPED, ev->time);
		break;
	case EV_LINK:
		add_link(st, m, ev);
		break;
	default:
		break;
	}
}
