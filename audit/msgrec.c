/*
 * msgrec - the spill record of a lifetime. See msgrec.h.
 */
#include "msgrec.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* Flag bits of a record. */
#define MR_BEGUN	0x01
#define MR_EXPIRED	0x02
#define MR_ARCHIVE	0x04
#define MR_ENDED	0x08	/* end is set (not INT64_MAX) */

/* The subject: none, a string of its own, or header k's text (2 + k). */
#define MR_SUBJ_NONE	0
#define MR_SUBJ_OWN	1

static inline void
put_uv(struct buf *b, uint64_t v)
{
	char *p;

	buf_grow(b, 10);
	p = b->p + b->len;
	while (v >= 0x80) {
		*p++ = (char)(v | 0x80);
		v >>= 7;
	}
	*p++ = (char)v;
	*p = '\0';
	b->len = (size_t)(p - b->p);
}

static inline void
put_sv(struct buf *b, int64_t v)
{
	put_uv(b, ((uint64_t)v << 1) ^ (uint64_t)(v >> 63));
}

/* Length + 1 (0: NULL), then the bytes and their NUL. */
static void
put_str(struct buf *b, const char *s)
{
	size_t n;

	if (s == NULL) {
		put_uv(b, 0);
		return;
	}
	n = strlen(s);
	put_uv(b, (uint64_t)n + 1);
	buf_add(b, s, n + 1);
}

/* A line as the distance from the lifetime's first: in its stream,
 * usually a little after. */
static void
put_evid(struct buf *b, uint64_t base, uint64_t evid)
{
	if (EVID_SRC(evid) == EVID_SRC(base)) {
		put_uv(b, 0);
		put_sv(b, (int64_t)EVID_LINE(evid) - (int64_t)EVID_LINE(base));
	} else {
		put_uv(b, (uint64_t)EVID_SRC(evid) + 1);
		put_uv(b, EVID_LINE(evid));
	}
}

void
msgrec_write(struct buf *b, const struct msg *m)
{
	const struct msg_header *h;
	const struct msg_link *l;
	uint32_t n, subj = MR_SUBJ_OWN;
	unsigned flags = 0;

	if (m->begun)
		flags |= MR_BEGUN;
	if (m->expired)
		flags |= MR_EXPIRED;
	if (m->archive)
		flags |= MR_ARCHIVE;
	if (m->end != INT64_MAX)
		flags |= MR_ENDED;
	put_uv(b, flags);
	put_uv(b, m->state);
	put_uv(b, m->drop_status);
	put_uv(b, m->host);
	put_uv(b, m->instance);
	put_uv(b, m->sender);
	put_uv(b, m->seq);
	put_sv(b, m->begin);
	if (flags & MR_ENDED)
		put_sv(b, (int64_t)((uint64_t)m->end - (uint64_t)m->begin));
	put_uv(b, EVID_SRC(m->begin_evid));
	put_uv(b, EVID_LINE(m->begin_evid));
	put_sv(b, m->size);
	put_sv(b, m->nrcpt);
	put_str(b, m->qid);
	put_str(b, m->msgid);

	for (n = 0, h = m->headers; h != NULL; h = h->next, n++)
		if (subj == MR_SUBJ_OWN && m->subject == h->value)
			subj = 2 + n;
	put_uv(b, n);
	for (h = m->headers; h != NULL; h = h->next) {
		put_uv(b, h->name);
		put_uv(b, h->cut);
		put_str(b, h->value);
	}
	if (m->subject == NULL)
		subj = MR_SUBJ_NONE;
	put_uv(b, subj);
	if (subj == MR_SUBJ_OWN)
		put_str(b, m->subject);

	put_uv(b, m->nrcpts);
	for (n = 0; n < m->nrcpts; n++) {
		const struct rcpt *r = &m->rcpts[n];

		put_uv(b, r->addr);
		put_uv(b, r->parent);
		put_uv(b, r->relay);
		put_uv(b, r->dsn);
		put_evid(b, m->begin_evid, r->evid);
		put_sv(b, (int64_t)((uint64_t)r->time - (uint64_t)m->begin));
		put_uv(b, r->attempts);
		put_uv(b, r->status);
		put_uv(b, r->vis);
		put_uv(b, r->flags);
	}

	for (n = 0, l = m->links; l != NULL; l = l->next)
		n++;
	put_uv(b, n);
	for (l = m->links; l != NULL; l = l->next) {
		put_uv(b, l->kind);
		put_uv(b, l->parent);
		put_sv(b, (int64_t)((uint64_t)l->time - (uint64_t)m->begin));
		put_str(b, l->qid);
	}

	put_uv(b, m->nhaddrs);
	for (n = 0; n < m->nhaddrs; n++) {
		put_uv(b, m->haddrs[n].addr);
		put_uv(b, m->haddrs[n].name);
		put_uv(b, m->haddrs[n].kind);
		put_uv(b, m->haddrs[n].complete);
	}
	put_uv(b, m->nrefs);
	buf_add(b, m->refs, m->nrefs * sizeof(*m->refs));

	put_uv(b, m->natts);
	for (n = 0; n < m->natts; n++) {
		const struct msg_attempt *a = &m->atts[n];

		put_sv(b, (int64_t)((uint64_t)a->time - (uint64_t)m->begin));
		put_evid(b, m->begin_evid, a->evid);
		put_uv(b, a->rcpt);
		put_uv(b, a->relay);
		put_uv(b, a->dsn);
		put_uv(b, a->status);
		put_str(b, a->reply);
	}
}

/* Reading: p walks the record; past its end every number is 0 and every
 * string NULL. */
struct rd {
	const char *p, *end;
};

static uint64_t
get_uv_long(struct rd *r)
{
	uint64_t v = 0;
	unsigned shift = 0;

	while (r->p < r->end) {
		unsigned char c = (unsigned char)*r->p++;

		if (shift < 64)
			v |= (uint64_t)(c & 0x7f) << shift;
		if (!(c & 0x80))
			return v;
		shift += 7;
	}
	return 0;
}

/* Most numbers take one byte. */
static inline uint64_t
get_uv(struct rd *r)
{
	if (r->p < r->end && !(*r->p & 0x80))
		return (unsigned char)*r->p++;
	return get_uv_long(r);
}

static inline uint32_t
get_u32(struct rd *r)
{
	uint64_t v = get_uv(r);

	return v > UINT32_MAX ? 0 : (uint32_t)v;
}

static inline int64_t
get_sv(struct rd *r)
{
	uint64_t v = get_uv(r);

	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

static int64_t
get_time(struct rd *r, int64_t base)
{
	return (int64_t)((uint64_t)base + (uint64_t)get_sv(r));
}

static const char *
get_str(struct rd *r)
{
	uint64_t n = get_uv(r);
	const char *s;

	if (n == 0 || (uint64_t)(r->end - r->p) < n || r->p[n - 1] != '\0') {
		if (n != 0)
			r->p = r->end;
		return NULL;
	}
	s = r->p;
	r->p += n;
	return s;
}

static uint64_t
get_evid(struct rd *r, uint64_t base)
{
	uint64_t src = get_uv(r);

	if (src == 0)
		return EVID(EVID_SRC(base), EVID_LINE(base) +
		    (uint64_t)get_sv(r));
	return EVID(src - 1, get_uv(r));
}

/* n items of size each, when the record can hold them (every item takes
 * at least min bytes), else 0. */
static uint32_t
get_count(struct rd *r, size_t min)
{
	uint64_t n = get_uv(r);

	if (n > UINT32_MAX || n > (uint64_t)(r->end - r->p) / min)
		return 0;
	return (uint32_t)n;
}

/* n items in the arena, never NULL (room for one when n is 0). */
static void *
arena_array(struct arena *a, size_t n, size_t size)
{
	return arena_alloc(a, (n ? n : 1) * size);
}

void
msgrec_read(const char *rec, size_t len, struct arena *arena, struct msg *m)
{
	struct rd r = { rec, rec + len };
	struct msg_header **tail;
	const char *s;
	unsigned flags;
	uint32_t n, i;
	uint64_t subj;

	memset(m, 0, sizeof(*m));
	flags = (unsigned)get_uv(&r);
	m->begun = (flags & MR_BEGUN) != 0;
	m->expired = (flags & MR_EXPIRED) != 0;
	m->archive = (flags & MR_ARCHIVE) != 0;
	m->state = (uint8_t)get_uv(&r);
	m->drop_status = (uint8_t)get_uv(&r);
	m->host = get_u32(&r);
	m->instance = get_u32(&r);
	m->sender = get_u32(&r);
	m->seq = get_u32(&r);
	m->begin = get_sv(&r);
	m->end = flags & MR_ENDED ? get_time(&r, m->begin) : INT64_MAX;
	n = get_u32(&r);
	m->begin_evid = EVID(n, get_uv(&r));
	m->size = get_sv(&r);
	m->nrcpt = get_sv(&r);
	if ((s = get_str(&r)) != NULL) {
		size_t ql = strlen(s);

		memcpy(m->qid, s, ql < sizeof(m->qid) ? ql :
		    sizeof(m->qid) - 1);
	}
	m->msgid = get_str(&r);

	n = get_count(&r, 3);
	tail = &m->headers;
	for (i = 0; i < n; i++) {
		struct msg_header *h = arena_alloc(arena, sizeof(*h));

		h->name = get_u32(&r);
		h->cut = get_uv(&r) != 0;
		h->value = get_str(&r);
		if (h->value == NULL)
			h->value = "";
		h->next = NULL;
		*tail = h;
		tail = &h->next;
	}
	subj = get_uv(&r);
	if (subj == MR_SUBJ_OWN) {
		m->subject = get_str(&r);
	} else if (subj >= 2) {
		struct msg_header *h = m->headers;

		for (i = 0; h != NULL && i < subj - 2; i++)
			h = h->next;
		m->subject = h != NULL ? h->value : NULL;
	}

	m->nrcpts = get_count(&r, 11);
	m->cap = m->nrcpts;
	m->rcpts = arena_array(arena, m->nrcpts, sizeof(*m->rcpts));
	for (i = 0; i < m->nrcpts; i++) {
		struct rcpt *rc = &m->rcpts[i];

		memset(rc, 0, sizeof(*rc));
		rc->addr = get_u32(&r);
		rc->parent = get_u32(&r);
		rc->relay = get_u32(&r);
		rc->dsn = get_u32(&r);
		rc->evid = get_evid(&r, m->begin_evid);
		rc->time = get_time(&r, m->begin);
		rc->attempts = (uint16_t)get_uv(&r);
		rc->status = (uint8_t)get_uv(&r);
		rc->vis = (uint8_t)get_uv(&r);
		rc->flags = (uint8_t)get_uv(&r);
	}

	/* Links are read back in front of each other: the list comes out
	 * reversed, as it always has. */
	n = get_count(&r, 4);
	for (i = 0; i < n; i++) {
		struct msg_link *l = arena_alloc(arena, sizeof(*l));

		l->kind = get_u32(&r);
		l->parent = get_u32(&r);
		l->time = get_time(&r, m->begin);
		l->qid = get_str(&r);
		if (l->qid == NULL)
			l->qid = "";
		l->next = m->links;
		m->links = l;
	}

	m->nhaddrs = get_count(&r, 4);
	m->haddrs = arena_array(arena, m->nhaddrs, sizeof(*m->haddrs));
	for (i = 0; i < m->nhaddrs; i++) {
		m->haddrs[i].addr = get_u32(&r);
		m->haddrs[i].name = get_u32(&r);
		m->haddrs[i].kind = (uint8_t)get_uv(&r);
		m->haddrs[i].complete = (uint8_t)get_uv(&r);
	}
	m->nrefs = get_count(&r, sizeof(*m->refs));
	m->refs = arena_array(arena, m->nrefs, sizeof(*m->refs));
	if (m->nrefs > 0)
		memcpy(m->refs, r.p, m->nrefs * sizeof(*m->refs));
	r.p += m->nrefs * sizeof(*m->refs);

	m->natts = get_count(&r, 8);
	m->capatts = m->natts;
	m->atts = arena_array(arena, m->natts, sizeof(*m->atts));
	for (i = 0; i < m->natts; i++) {
		struct msg_attempt *a = &m->atts[i];

		a->time = get_time(&r, m->begin);
		a->evid = get_evid(&r, m->begin_evid);
		a->rcpt = get_u32(&r);
		a->relay = get_u32(&r);
		a->dsn = get_u32(&r);
		a->status = (uint8_t)get_uv(&r);
		a->reply = get_str(&r);
	}
}
