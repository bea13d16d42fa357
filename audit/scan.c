/*
 * scan - incident detection. See scan.h.
 */
#include "scan.h"
#include "lookalike.h"
#include "../lib/buf.h"
#include "../lib/hash.h"
#include "../lib/xalloc.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A domain written to this often, or by this many people, is one the
 * site normally writes to: a reference, never a look-alike suspect. */
#define REF_MIN_MSGS		5
#define REF_MIN_SENDERS		3
/* Of those, the most written to (by senders, then messages) have their
 * look-alikes generated: the cost stays bounded however many domains
 * the traffic holds (a look-alike of the 1001st is still never reported
 * as the site's own correspondent, only not searched for). */
#define REF_MAX_FREQUENT	1000
/* Sender domains with at least this share of the busiest one's messages
 * are the organisation's, when none is given. */
#define ORG_SHARE		0.5

void
scan_opts_default(struct scan_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->min_visible = 10;
	o->storm_window = 72 * 3600;
	o->storm_jaccard = 0.8;
	o->storm_min_repliers = 3;
}

struct dstat {
	uint32_t domain;	/* interned */
	uint32_t msgs_to;	/* messages with a recipient there */
	uint32_t senders_to;	/* distinct senders writing there */
	uint32_t msgs_from;	/* messages sent from there */
	uint32_t delivered;
	bool reference;
	bool suspect;
	bool correspondent;	/* it also writes to us */
	uint8_t cls;
	uint32_t repaired;	/* interned intended domain */
};

/* One recipient of a kept message, compactly. */
struct krow {
	uint32_t addr, name;
	uint64_t evid;
	uint8_t status, vis;
	bool internal;
};

/* A message kept for the detectors. */
struct kmsg {
	const char *msgid;
	uint64_t key;
	uint64_t *refs;
	uint32_t nrefs;
	const char *subject;
	uint32_t sender, sender_name;
	int64_t time;
	bool has_headers;
	bool sender_internal;
	struct krow *rows;
	uint32_t nrows;
	uint32_t storm;		/* storm index + 1 */
};

struct kvec {
	struct kmsg *v;
	size_t n, cap;
};

/* A set of ids for one message at a time: slots carry the generation
 * that filled them, so clearing it costs nothing. */
struct idset {
	uint32_t *keys;
	uint32_t *gen;
	size_t mask;
	uint32_t cur;
	size_t used;
};

struct scan {
	struct scan_opts o;
	struct msg_store *st;
	struct arena arena;		/* kept messages */
	struct incidents incs;
	struct scan_counts counts;
	/* domains */
	struct dstat *doms;
	size_t ndoms, capdoms;
	uint32_t *dslots;		/* domain id -> dstat index + 1 */
	size_t dmask;
	uint64_t *pairs;		/* (domain, sender) seen */
	size_t pmask, pused;
	/* organisation */
	uint32_t *org;			/* interned domains */
	size_t norg;
	const char **org_names;
	bool org_inferred;
	struct lookalike *la;		/* fixed references */
	struct lookalike *la_freq;	/* domains written to often */
	uint32_t *allowed;
	size_t nallowed;
	/* kept messages */
	struct kvec large;
	struct kvec misrouted;
	struct buf tmp;
	struct idset seen;
	uint32_t *dom_of;		/* address id -> domain id + 1 */
	size_t ndom_of;
};

/* Adds the domain of every address in the store's strings, so that the
 * passes over the messages (recon_run_ahead(), with a second thread
 * reading the strings) find every domain there and add none. */
static void
intern_domains(struct msg_store *st)
{
	uint32_t id, n = intern_count(&st->strings);

	for (id = 1; id <= n; id++) {
		const char *a = intern_str(&st->strings, id);
		const char *at = strrchr(a, '@');

		if (at != NULL && at[1] != '\0')
			intern_id(&st->strings, at + 1, strlen(at + 1));
	}
}

struct scan *
scan_new(const struct scan_opts *o, struct msg_store *st)
{
	struct scan *sc = xcalloc(1, sizeof(*sc));

	sc->o = *o;
	sc->st = st;
	arena_init(&sc->arena);
	incidents_init(&sc->incs);
	sc->dmask = 1023;
	sc->dslots = xcalloc(sc->dmask + 1, sizeof(*sc->dslots));
	sc->pmask = 4095;
	sc->pairs = xcalloc(sc->pmask + 1, sizeof(*sc->pairs));
	intern_domains(st);
	return sc;
}

static void
kvec_free(struct kvec *kv)
{
	free(kv->v);
}

void
scan_free(struct scan *sc)
{
	if (sc == NULL)
		return;
	kvec_free(&sc->large);
	kvec_free(&sc->misrouted);
	free(sc->doms);
	free(sc->dslots);
	free(sc->pairs);
	free(sc->org);
	free(sc->org_names);
	free(sc->allowed);
	lookalike_free(sc->la);
	lookalike_free(sc->la_freq);
	incidents_free(&sc->incs);
	arena_free(&sc->arena);
	buf_free(&sc->tmp);
	free(sc->seen.keys);
	free(sc->seen.gen);
	free(sc->dom_of);
	free(sc);
}

struct incidents *
scan_incidents(struct scan *sc)
{
	return &sc->incs;
}

const struct scan_counts *
scan_get_counts(const struct scan *sc)
{
	return &sc->counts;
}

const char *const *
scan_org_domains(const struct scan *sc, size_t *n, bool *inferred)
{
	*n = sc->norg;
	*inferred = sc->org_inferred;
	return sc->org_names;
}

/* The domain of an interned address, interned (0 when there is none);
 * remembered per address, since every row asks. */
static uint32_t
addr_domain(struct scan *sc, uint32_t addr)
{
	const char *a, *at;
	uint32_t d;

	if (addr < sc->ndom_of && sc->dom_of[addr] != 0)
		return sc->dom_of[addr] - 1;
	a = intern_str(&sc->st->strings, addr);
	at = strrchr(a, '@');
	d = at == NULL || at[1] == '\0' ? 0 :
	    intern_id(&sc->st->strings, at + 1, strlen(at + 1));
	if (addr >= sc->ndom_of) {
		size_t n = sc->ndom_of ? sc->ndom_of : 1024;

		while (n <= addr)
			n *= 2;
		sc->dom_of = xreallocarray(sc->dom_of, n, sizeof(*sc->dom_of));
		memset(sc->dom_of + sc->ndom_of, 0,
		    (n - sc->ndom_of) * sizeof(*sc->dom_of));
		sc->ndom_of = n;
	}
	sc->dom_of[addr] = d + 1;
	return d;
}

static bool
domain_is_org(const struct scan *sc, const char *d)
{
	size_t i, dl = strlen(d);

	for (i = 0; i < sc->norg; i++) {
		const char *o = sc->org_names[i];
		size_t ol = strlen(o);

		if (dl == ol && strcasecmp(d, o) == 0)
			return true;
		/* below it: tickets.example.gov.uk for example.gov.uk */
		if (dl > ol && d[dl - ol - 1] == '.' &&
		    strcasecmp(d + dl - ol, o) == 0)
			return true;
	}
	return false;
}

bool
scan_is_internal(const struct scan *sc, uint32_t addr)
{
	const char *a = intern_str(&sc->st->strings, addr);
	const char *at = strrchr(a, '@');

	/* A bare local part ("root") is a local mailbox. */
	if (at == NULL)
		return true;
	return domain_is_org(sc, at + 1);
}

static struct dstat *
dstat_get(struct scan *sc, uint32_t domain)
{
	size_t j;

	for (j = hash_u64(domain) & sc->dmask; sc->dslots[j];
	    j = (j + 1) & sc->dmask)
		if (sc->doms[sc->dslots[j] - 1].domain == domain)
			return &sc->doms[sc->dslots[j] - 1];
	if (sc->ndoms == sc->capdoms) {
		sc->capdoms = sc->capdoms ? sc->capdoms * 2 : 256;
		sc->doms = xreallocarray(sc->doms, sc->capdoms,
		    sizeof(*sc->doms));
	}
	memset(&sc->doms[sc->ndoms], 0, sizeof(sc->doms[0]));
	sc->doms[sc->ndoms].domain = domain;
	sc->dslots[j] = (uint32_t)++sc->ndoms;
	if (sc->ndoms * 2 > sc->dmask) {
		size_t n = (sc->dmask + 1) * 2, i, k;
		uint32_t *slots = xcalloc(n, sizeof(*slots));

		for (i = 0; i < sc->ndoms; i++) {
			for (k = hash_u64(sc->doms[i].domain) & (n - 1);
			    slots[k]; k = (k + 1) & (n - 1))
				;
			slots[k] = (uint32_t)i + 1;
		}
		free(sc->dslots);
		sc->dslots = slots;
		sc->dmask = n - 1;
		return dstat_get(sc, domain);
	}
	return &sc->doms[sc->ndoms - 1];
}

static struct dstat *
dstat_find(const struct scan *sc, uint32_t domain)
{
	size_t j;

	for (j = hash_u64(domain) & sc->dmask; sc->dslots[j];
	    j = (j + 1) & sc->dmask)
		if (sc->doms[sc->dslots[j] - 1].domain == domain)
			return &sc->doms[sc->dslots[j] - 1];
	return NULL;
}

/* Adds a (domain, sender) pair; true when it is new. */
static bool
pair_add(struct scan *sc, uint32_t domain, uint32_t sender)
{
	uint64_t h = hash_u64(((uint64_t)domain << 32) | sender);
	size_t j;

	if (h == 0)
		h = 1;
	for (j = h & sc->pmask; sc->pairs[j]; j = (j + 1) & sc->pmask)
		if (sc->pairs[j] == h)
			return false;
	sc->pairs[j] = h;
	if (++sc->pused * 2 > sc->pmask) {
		size_t n = (sc->pmask + 1) * 2, i, k;
		uint64_t *set = xcalloc(n, sizeof(*set));

		for (i = 0; i <= sc->pmask; i++) {
			if (!sc->pairs[i])
				continue;
			for (k = sc->pairs[i] & (n - 1); set[k];
			    k = (k + 1) & (n - 1))
				;
			set[k] = sc->pairs[i];
		}
		free(sc->pairs);
		sc->pairs = set;
		sc->pmask = n - 1;
	}
	return true;
}

static void
idset_clear(struct idset *s, size_t expect)
{
	size_t cap = 64;

	while (cap < expect * 2)
		cap *= 2;
	if (s->keys == NULL || cap > s->mask + 1) {
		free(s->keys);
		free(s->gen);
		s->keys = xcalloc(cap, sizeof(*s->keys));
		s->gen = xcalloc(cap, sizeof(*s->gen));
		s->mask = cap - 1;
		s->cur = 0;
	}
	s->cur++;
	s->used = 0;
}

static void
idset_grow(struct idset *s)
{
	size_t n = (s->mask + 1) * 2, i, j;
	uint32_t *keys = xcalloc(n, sizeof(*keys));
	uint32_t *gen = xcalloc(n, sizeof(*gen));

	for (i = 0; i <= s->mask; i++) {
		if (s->gen[i] != s->cur)
			continue;
		for (j = hash_u64(s->keys[i]) & (n - 1); gen[j] == 1;
		    j = (j + 1) & (n - 1))
			;
		gen[j] = 1;
		keys[j] = s->keys[i];
	}
	free(s->keys);
	free(s->gen);
	s->keys = keys;
	s->gen = gen;
	s->mask = n - 1;
	s->cur = 1;
}

/* Adds id; true when it was not there. */
static bool
idset_add(struct idset *s, uint32_t id)
{
	size_t j;

	for (j = hash_u64(id) & s->mask; s->gen[j] == s->cur;
	    j = (j + 1) & s->mask)
		if (s->keys[j] == id)
			return false;
	s->gen[j] = s->cur;
	s->keys[j] = id;
	/* Keep the load under a half: probes stay short, and the table
	 * never fills whatever the caller expected. */
	if (++s->used * 2 > s->mask)
		idset_grow(s);
	return true;
}

static bool
idset_has(const struct idset *s, uint32_t id)
{
	size_t j;

	for (j = hash_u64(id) & s->mask; s->gen[j] == s->cur;
	    j = (j + 1) & s->mask)
		if (s->keys[j] == id)
			return true;
	return false;
}

/* See scan.h. */
int
scan_learn(void *ctx, const struct recon_msg *m)
{
	struct scan *sc = ctx;
	uint32_t sdom = m->sender ? addr_domain(sc, m->sender) : 0;
	struct idset *seen = &sc->seen;
	size_t k;

	if (m->rj != NULL) {
		/* A refused attempt still says where the site writes. */
		uint32_t d = addr_domain(sc, m->rj->rcpt);

		if (d != 0) {
			struct dstat *ds = dstat_get(sc, d);

			ds->msgs_to++;
			if (pair_add(sc, d, m->rj->sender))
				ds->senders_to++;
		}
		return 0;
	}
	if (sdom != 0)
		dstat_get(sc, sdom)->msgs_from++;
	idset_clear(seen, m->nrows);
	for (k = 0; k < m->nrows; k++) {
		const struct recon_row *row = &m->rows[k];
		uint32_t d = addr_domain(sc, row->r->addr);
		struct dstat *ds;

		if (d == 0)
			continue;
		ds = dstat_get(sc, d);
		if (row->r->status == RCPT_SENT)
			ds->delivered++;
		/* Each recipient domain once per message. */
		if (!idset_add(seen, d))
			continue;
		ds->msgs_to++;
		if (pair_add(sc, d, m->sender))
			ds->senders_to++;
	}
	return 0;
}

static int
dstat_by_from(const void *pa, const void *pb)
{
	const struct dstat *a = pa, *b = pb;

	if (a->msgs_from != b->msgs_from)
		return a->msgs_from > b->msgs_from ? -1 : 1;
	return a->domain < b->domain ? -1 : a->domain > b->domain;
}

static int
dstat_by_writing(const void *pa, const void *pb)
{
	const struct dstat *a = *(const struct dstat *const *)pa;
	const struct dstat *b = *(const struct dstat *const *)pb;

	if (a->senders_to != b->senders_to)
		return a->senders_to > b->senders_to ? -1 : 1;
	if (a->msgs_to != b->msgs_to)
		return a->msgs_to > b->msgs_to ? -1 : 1;
	return a->domain < b->domain ? -1 : a->domain > b->domain;
}

static void
org_add(struct scan *sc, const char *d)
{
	size_t i;

	for (i = 0; i < sc->norg; i++)
		if (strcasecmp(sc->org_names[i], d) == 0)
			return;
	sc->org = xreallocarray(sc->org, sc->norg + 1, sizeof(*sc->org));
	sc->org_names = xreallocarray(sc->org_names, sc->norg + 2,
	    sizeof(*sc->org_names));
	sc->org[sc->norg] = intern_id(&sc->st->strings, d, strlen(d));
	sc->org_names[sc->norg] = intern_str(&sc->st->strings,
	    sc->org[sc->norg]);
	sc->norg++;
	sc->org_names[sc->norg] = NULL;
}

/* The organisation's domains when none were given: the sender domains
 * that dominate the mail (the site's own people send most of it; the
 * outside world is spread over many domains). */
static void
infer_org(struct scan *sc)
{
	struct dstat *v;
	size_t i, n = 0;

	v = xcalloc(sc->ndoms + 1, sizeof(*v));
	for (i = 0; i < sc->ndoms; i++)
		if (sc->doms[i].msgs_from > 0)
			v[n++] = sc->doms[i];
	qsort(v, n, sizeof(*v), dstat_by_from);
	for (i = 0; i < n; i++) {
		const char *d = intern_str(&sc->st->strings, v[i].domain);

		if (i > 0 && v[i].msgs_from < v[0].msgs_from * ORG_SHARE)
			break;
		/* A subdomain of one already taken adds nothing. */
		if (domain_is_org(sc, d))
			continue;
		org_add(sc, d);
	}
	free(v);
	sc->org_inferred = true;
}

static bool
domain_allowed(const struct scan *sc, uint32_t domain)
{
	size_t i;

	for (i = 0; i < sc->nallowed; i++)
		if (sc->allowed[i] == domain)
			return true;
	return false;
}

/* See scan.h. */
void
scan_prepare(struct scan *sc)
{
	struct lookalike_match mt;
	struct dstat **refs;
	size_t i, nrefs = 0;

	for (i = 0; i < sc->o.norg; i++)
		org_add(sc, sc->o.org_domains[i]);
	if (sc->norg == 0)
		infer_org(sc);
	for (i = 0; i < sc->o.nallowed; i++) {
		const char *d = sc->o.allowed[i];

		sc->allowed = xreallocarray(sc->allowed, sc->nallowed + 1,
		    sizeof(*sc->allowed));
		sc->allowed[sc->nallowed++] = intern_id(&sc->st->strings, d,
		    strlen(d));
	}

	if (sc->o.no_lookalike)
		return;
	/* References: the large providers and public suffixes, the site's
	 * domains and what the user expects (fixed); and the domains the
	 * site writes to often (frequent). A domain is tried against the
	 * frequent ones only if it is not frequent itself. */
	sc->la = lookalike_new();
	sc->la_freq = lookalike_new();
	lookalike_add_builtin(sc->la, LOOKALIKE_BUILTIN_ALL);
	for (i = 0; i < sc->norg; i++)
		lookalike_add_domain(sc->la, sc->org_names[i],
		    strlen(sc->org_names[i]));
	for (i = 0; i < sc->o.nexpected; i++)
		lookalike_add_domain(sc->la, sc->o.expected[i],
		    strlen(sc->o.expected[i]));
	refs = xcalloc(sc->ndoms + 1, sizeof(*refs));
	for (i = 0; i < sc->ndoms; i++) {
		struct dstat *ds = &sc->doms[i];

		if (ds->msgs_to >= REF_MIN_MSGS ||
		    ds->senders_to >= REF_MIN_SENDERS) {
			ds->reference = true;
			refs[nrefs++] = ds;
		}
	}
	if (nrefs > REF_MAX_FREQUENT)
		qsort(refs, nrefs, sizeof(*refs), dstat_by_writing);
	for (i = 0; i < nrefs && i < REF_MAX_FREQUENT; i++) {
		const char *d = intern_str(&sc->st->strings, refs[i]->domain);

		lookalike_add_domain(sc->la_freq, d, strlen(d));
	}
	sc->counts.frequent_refs = nrefs;
	free(refs);
	/* Suspects: recipient domains one slip away from a reference that
	 * the site writes to more often than to them. */
	for (i = 0; i < sc->ndoms; i++) {
		struct dstat *ds = &sc->doms[i], *rd;
		const char *d = intern_str(&sc->st->strings, ds->domain);
		enum lookalike_verdict v;
		uint32_t rid;

		if (ds->msgs_to == 0 || domain_is_org(sc, d) ||
		    domain_allowed(sc, ds->domain))
			continue;
		sc->counts.lookalike_checked++;
		v = lookalike_find(sc->la, d, strlen(d), &mt);
		if (v != LOOKALIKE_FOUND) {
			if (ds->reference ||
			    lookalike_is_reference_domain(sc->la, d, strlen(d)))
				continue;
			v = lookalike_find(sc->la_freq, d, strlen(d), &mt);
			if (v != LOOKALIKE_FOUND)
				continue;
		}
		buf_reset(&sc->tmp);
		lookalike_repair(&mt, d, strlen(d), &sc->tmp);
		rid = intern_find(&sc->st->strings, sc->tmp.p, sc->tmp.len);
		rd = rid ? dstat_find(sc, rid) : NULL;
		/* army.ml is a slip of army.mil only if the site writes to
		 * army.mil (every X.ml is one edit from X.mil), and more
		 * often than to army.ml; a provider is always written to. */
		if ((mt.reference_is_suffix || ds->reference) &&
		    (rd == NULL || rd->msgs_to <= ds->msgs_to))
			continue;
		ds->suspect = true;
		ds->cls = (uint8_t)mt.cls;
		ds->repaired = intern_id(&sc->st->strings, sc->tmp.p,
		    sc->tmp.len);
		ds->correspondent = ds->msgs_from > 0;
	}
}

static bool
vis_visible(uint8_t vis)
{
	return vis == VIS_TO || vis == VIS_CC;
}

static const char *
arena_str(struct scan *sc, const char *s)
{
	return s ? arena_strndup(&sc->arena, s, strlen(s)) : NULL;
}

static struct kmsg *
keep_msg(struct scan *sc, struct kvec *kv, const struct recon_msg *m)
{
	struct kmsg *k;
	uint32_t i, n = 0;
	size_t r;

	if (kv->n == kv->cap) {
		kv->cap = kv->cap ? kv->cap * 2 : 64;
		kv->v = xreallocarray(kv->v, kv->cap, sizeof(*kv->v));
	}
	k = &kv->v[kv->n++];
	memset(k, 0, sizeof(*k));
	k->msgid = arena_str(sc, m->msgid);
	k->key = m->msgid ? msg_store_msgid_key(m->msgid, strlen(m->msgid)) :
	    0;
	k->subject = arena_str(sc, m->subject);
	k->sender = m->sender;
	k->sender_name = m->sender_name;
	k->sender_internal = m->sender && scan_is_internal(sc, m->sender);
	k->time = m->first;
	k->has_headers = m->has_headers;
	for (i = 0; i < m->nhops; i++)
		n += m->hops[i].nrefs;
	if (n > 0) {
		k->refs = arena_alloc(&sc->arena, n * sizeof(*k->refs));
		for (i = 0; i < m->nhops; i++) {
			memcpy(k->refs + k->nrefs, m->hops[i].refs,
			    m->hops[i].nrefs * sizeof(*k->refs));
			k->nrefs += m->hops[i].nrefs;
		}
	}
	k->rows = arena_alloc(&sc->arena, (m->nrows ? m->nrows : 1) *
	    sizeof(*k->rows));
	for (r = 0; r < m->nrows; r++) {
		const struct recon_row *row = &m->rows[r];
		struct krow *kr = &k->rows[k->nrows++];

		if (row->r == NULL) {
			/* A NOQUEUE refusal: no message, one recipient. */
			kr->addr = row->rj->rcpt;
			kr->evid = row->rj->evid;
			kr->status = RCPT_REJECTED;
			kr->vis = VIS_UNKNOWN;
		} else {
			kr->addr = row->r->addr;
			kr->name = row->name;
			kr->evid = row->r->evid;
			kr->status = row->r->status;
			kr->vis = row->vis;
		}
		kr->internal = scan_is_internal(sc, kr->addr);
	}
	return k;
}

/* See scan.h. */
int
scan_detect(void *ctx, const struct recon_msg *m)
{
	struct scan *sc = ctx;
	size_t k, big = 0;
	bool suspect = false;

	if (m->rj != NULL) {
		uint32_t d = addr_domain(sc, m->rj->rcpt);
		struct dstat *ds = d ? dstat_find(sc, d) : NULL;

		if (ds != NULL && ds->suspect)
			keep_msg(sc, &sc->misrouted, m);
		return 0;
	}
	sc->counts.messages++;
	if (m->has_headers)
		sc->counts.messages_with_headers++;
	for (k = 0; k < m->nrows; k++) {
		const struct recon_row *row = &m->rows[k];
		uint32_t d;
		struct dstat *ds;

		sc->counts.recipients++;
		if (row->vis != VIS_UNKNOWN)
			sc->counts.rows_with_visibility++;
		if (row->r->status != RCPT_REJECTED &&
		    (vis_visible(row->vis) || row->vis == VIS_UNKNOWN))
			big++;
		if (sc->o.no_lookalike)
			continue;
		d = addr_domain(sc, row->r->addr);
		if (d != 0 && (ds = dstat_find(sc, d)) != NULL && ds->suspect)
			suspect = true;
	}
	if (big >= sc->o.min_visible)
		keep_msg(sc, &sc->large, m);
	if (suspect)
		keep_msg(sc, &sc->misrouted, m);
	return 0;
}

/* "Re: RE: Fwd: AW: Subject" -> "Subject", for comparing threads. */
static const char *
subject_base(const char *s, bool *was_reply)
{
	bool again = true;

	*was_reply = false;
	if (s == NULL)
		return "";
	while (again) {
		again = false;
		while (*s == ' ' || *s == '\t')
			s++;
		if ((strncasecmp(s, "re", 2) == 0 || strncasecmp(s, "aw", 2) == 0 ||
		    strncasecmp(s, "sv", 2) == 0) && (s[2] == ':' ||
		    (s[2] == ' ' && s[3] == ':'))) {
			s += s[2] == ':' ? 3 : 4;
			*was_reply = again = true;
		} else if (strncasecmp(s, "fwd:", 4) == 0 ||
		    strncasecmp(s, "fw:", 3) == 0) {
			s += s[2] == ':' ? 3 : 4;
			again = true;
		}
	}
	return s;
}

static bool
has_ref(const struct kmsg *k, const uint64_t *keys, size_t n)
{
	uint32_t i;
	size_t j;

	for (i = 0; i < k->nrefs; i++)
		for (j = 0; j < n; j++)
			if (k->refs[i] == keys[j])
				return true;
	return false;
}

static void
add_people(struct scan *sc, struct incident *inc, const struct kmsg *k,
    bool unknown_counts, uint32_t exposed_to)
{
	uint32_t r;

	for (r = 0; r < k->nrows; r++) {
		const struct krow *kr = &k->rows[r];
		struct inc_person p;

		/* Refused recipients never saw anything. */
		if (kr->status == RCPT_REJECTED)
			continue;
		if (!vis_visible(kr->vis) &&
		    !(unknown_counts && kr->vis == VIS_UNKNOWN))
			continue;
		memset(&p, 0, sizeof(p));
		p.email = kr->addr;
		p.name = kr->name;
		p.role = kr->internal ? ROLE_INTERNAL : ROLE_EXPOSED;
		p.action = kr->internal ? ACT_INFORM : ACT_NOTIFY;
		p.status = kr->status;
		p.vis = kr->vis;
		p.evid = kr->evid;
		p.msgid = k->msgid;
		p.subject = k->subject;
		p.time = k->time;
		p.exposed_to = exposed_to;
		incident_add_person(inc, &p);
	}
}

static void
add_sender(struct incident *inc, const struct kmsg *k, enum inc_role role,
    bool internal, uint64_t evid)
{
	struct inc_person p;
	uint32_t r;

	if (k->sender == 0)
		return;
	memset(&p, 0, sizeof(p));
	/* Their From: address went to every recipient. */
	for (r = 0; r < k->nrows; r++)
		p.exposed_to += k->rows[r].addr != k->sender;
	p.email = k->sender;
	p.name = k->sender_name;
	p.role = internal ? (role == ROLE_REPLIER ? ROLE_REPLIER : ROLE_SENDER)
	    : (role == ROLE_REPLIER ? ROLE_REPLIER : ROLE_EXPOSED);
	p.action = internal ? ACT_INFORM : ACT_NOTIFY;
	p.status = RCPT_UNKNOWN;
	p.vis = VIS_UNKNOWN;
	p.evid = evid;
	p.msgid = k->msgid;
	p.subject = k->subject;
	p.time = k->time;
	incident_add_person(inc, &p);
}

static uint32_t
count_delivered(const struct kmsg *k)
{
	uint32_t r, n = 0;

	for (r = 0; r < k->nrows; r++)
		n += k->rows[r].status == RCPT_SENT;
	return n;
}

/* Fills the incident's message, recipient and delivery counts. */
static void
incident_counts(struct scan *sc, struct incident *inc, const struct kmsg *k)
{
	uint32_t r;

	incident_add_msg(&sc->incs, inc, k->msgid, k->time);
	inc->delivered += count_delivered(k);
	for (r = 0; r < k->nrows; r++) {
		if (k->rows[r].status == RCPT_REJECTED ||
		    !idset_add(&sc->seen, k->rows[r].addr))
			continue;
		inc->recipients++;
		if (!k->rows[r].internal)
			inc->external++;
	}
}

static void
summarize(struct scan *sc, struct incident *inc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
summarize(struct scan *sc, struct incident *inc, const char *fmt, ...)
{
	va_list ap;
	char text[512];

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	inc->summary = incidents_strdup(&sc->incs, text);
}

/* Storms: a large visible message followed by replies to (nearly) the
 * same list. Returns how many messages were joined to storms. */
static void
find_storms(struct scan *sc)
{
	struct kvec *kv = &sc->large;
	struct idset set = { 0 };
	uint64_t *keys = NULL;
	size_t i, j, nkeys, capkeys = 0;
	uint32_t nstorm = 0;

	for (i = 0; i < kv->n; i++) {
		struct kmsg *c = &kv->v[i];
		struct idset repliers = { 0 };
		const char *cbase;
		bool crep;
		uint32_t r, nmembers = 0, sender_in;

		if (c->storm != 0)
			continue;
		cbase = subject_base(c->subject, &crep);
		idset_clear(&set, c->nrows);
		for (r = 0; r < c->nrows; r++)
			if (c->rows[r].status != RCPT_REJECTED)
				idset_add(&set, c->rows[r].addr);
		nkeys = 0;
		if (capkeys == 0) {
			capkeys = 64;
			keys = xreallocarray(keys, capkeys, sizeof(*keys));
		}
		if (c->key != 0)
			keys[nkeys++] = c->key;
		idset_clear(&repliers, 16);
		for (j = i + 1; j < kv->n; j++) {
			struct kmsg *rp = &kv->v[j];
			bool linked = false, rrep;
			uint32_t inter = 0;

			if (rp->time > c->time + sc->o.storm_window)
				break;
			if (rp->storm != 0 || rp->sender == c->sender)
				continue;
			sender_in = idset_has(&set, rp->sender);
			if (nkeys > 0 && has_ref(rp, keys, nkeys))
				linked = true;
			else if (sender_in && c->subject != NULL &&
			    rp->subject != NULL && *cbase &&
			    strcmp(subject_base(rp->subject, &rrep), cbase) == 0 &&
			    rrep)
				linked = true;
			else if (sender_in) {
				/* Logs alone: the same list from another of
				 * its members. */
				for (r = 0; r < rp->nrows; r++)
					inter += idset_has(&set,
					    rp->rows[r].addr);
				linked = inter > 0 && (double)inter /
				    (double)(c->nrows + rp->nrows - inter) >=
				    sc->o.storm_jaccard;
			}
			if (!linked)
				continue;
			rp->storm = UINT32_MAX;	/* tentative */
			nmembers++;
			idset_add(&repliers, rp->sender);
			if (rp->key != 0) {
				if (nkeys == capkeys) {
					capkeys *= 2;
					keys = xreallocarray(keys, capkeys,
					    sizeof(*keys));
				}
				keys[nkeys++] = rp->key;
			}
		}
		if (repliers.used >= sc->o.storm_min_repliers) {
			nstorm++;
			c->storm = nstorm;
			for (j = i + 1; j < kv->n; j++)
				if (kv->v[j].storm == UINT32_MAX)
					kv->v[j].storm = nstorm;
		} else {
			for (j = i + 1; j < kv->n; j++)
				if (kv->v[j].storm == UINT32_MAX)
					kv->v[j].storm = 0;
		}
		free(repliers.keys);
		free(repliers.gen);
		(void)nmembers;
	}
	free(set.keys);
	free(set.gen);
	free(keys);
}

static void
storm_incidents(struct scan *sc)
{
	struct kvec *kv = &sc->large;
	size_t i, j;
	uint32_t s;

	for (i = 0; i < kv->n; i++) {
		struct kmsg *c = &kv->v[i];
		struct incident *inc;
		uint32_t replies = 0, total;

		if (c->storm == 0)
			continue;
		/* The original is the first message of its storm. */
		for (j = 0; j < i; j++)
			if (kv->v[j].storm == c->storm)
				break;
		if (j < i)
			continue;
		s = c->storm;
		inc = incident_new(&sc->incs, INC_STORM);
		inc->severity = SEV_HIGH;
		inc->sender = c->sender;
		inc->subject = incidents_strdup(&sc->incs, c->subject);
		idset_clear(&sc->seen, c->nrows * 2);
		for (j = i; j < kv->n; j++)
			if (kv->v[j].storm == s)
				incident_counts(sc, inc, &kv->v[j]);
		total = (uint32_t)inc->recipients;
		for (j = i; j < kv->n; j++) {
			const struct kmsg *k = &kv->v[j];

			if (k->storm != s)
				continue;
			add_people(sc, inc, k, !k->has_headers,
			    total ? total - 1 : 0);
			if (j == i) {
				add_sender(inc, k, ROLE_SENDER,
				    k->sender_internal, k->nrows ?
				    k->rows[0].evid : 0);
			} else {
				replies++;
				add_sender(inc, k, ROLE_REPLIER,
				    k->sender_internal, k->nrows ?
				    k->rows[0].evid : 0);
			}
		}
		summarize(sc, inc, "reply-all storm: %u replies to a message "
		    "that showed %zu recipients (%zu outside the "
		    "organisation) to each other; every reply exposed the "
		    "list again and the replier's own details",
		    replies, inc->recipients, inc->external);
	}
}

static void
blast_incidents(struct scan *sc)
{
	struct kvec *kv = &sc->large;
	size_t i;

	for (i = 0; i < kv->n; i++) {
		struct kmsg *k = &kv->v[i];
		struct incident *inc;
		uint32_t r, ext_vis = 0, ext_unknown = 0;
		enum inc_type type;

		if (k->storm != 0)
			continue;
		idset_clear(&sc->seen, k->nrows);
		for (r = 0; r < k->nrows; r++) {
			const struct krow *kr = &k->rows[r];

			if (kr->internal || kr->status == RCPT_REJECTED ||
			    !idset_add(&sc->seen, kr->addr))
				continue;
			if (vis_visible(kr->vis))
				ext_vis++;
			else if (kr->vis == VIS_UNKNOWN)
				ext_unknown++;
		}
		if (ext_vis >= sc->o.min_visible)
			type = INC_VISIBLE;
		else if (!k->has_headers && ext_vis + ext_unknown >=
		    sc->o.min_visible)
			type = INC_BULK_UNKNOWN;
		else
			continue;
		inc = incident_new(&sc->incs, type);
		inc->severity = type == INC_VISIBLE ? SEV_HIGH : SEV_MEDIUM;
		inc->sender = k->sender;
		inc->subject = incidents_strdup(&sc->incs, k->subject);
		idset_clear(&sc->seen, k->nrows);
		incident_counts(sc, inc, k);
		add_people(sc, inc, k, type == INC_BULK_UNKNOWN,
		    (uint32_t)(inc->recipients ? inc->recipients - 1 : 0));
		if (k->sender_internal)
			add_sender(inc, k, ROLE_SENDER, true, k->nrows ?
			    k->rows[0].evid : 0);
		if (type == INC_VISIBLE)
			summarize(sc, inc, "%u addresses outside the "
			    "organisation visible to every recipient in "
			    "To/Cc of one message; %zu copies delivered",
			    ext_vis, inc->delivered);
		else
			summarize(sc, inc, "%u recipients outside the "
			    "organisation and no headers to tell To/Cc from "
			    "Bcc: find the sent copy before notifying; %zu "
			    "copies delivered", ext_vis + ext_unknown,
			    inc->delivered);
	}
}

static void
misroute_incidents(struct scan *sc)
{
	struct kvec *kv = &sc->misrouted;
	size_t d, i;

	for (d = 0; d < sc->ndoms; d++) {
		struct dstat *ds = &sc->doms[d];
		struct incident *inc = NULL;
		const char *dom = intern_str(&sc->st->strings, ds->domain);
		size_t dl = strlen(dom);
		uint32_t delivered = 0, attempts = 0;

		if (!ds->suspect)
			continue;
		for (i = 0; i < kv->n; i++) {
			struct kmsg *k = &kv->v[i];
			uint32_t r;
			bool hit = false;

			for (r = 0; r < k->nrows && !hit; r++) {
				const char *a = intern_str(&sc->st->strings,
				    k->rows[r].addr);
				const char *at = strrchr(a, '@');

				hit = at != NULL && strcasecmp(at + 1, dom) == 0;
			}
			if (!hit)
				continue;
			if (inc == NULL) {
				inc = incident_new(&sc->incs, INC_MISROUTE);
				inc->sender = k->sender;
				inc->subject = incidents_strdup(&sc->incs,
				    k->subject);
				idset_clear(&sc->seen, 64);
			}
			incident_counts(sc, inc, k);
			for (r = 0; r < k->nrows; r++) {
				const struct krow *kr = &k->rows[r];
				const char *a = intern_str(&sc->st->strings,
				    kr->addr);
				const char *at = strrchr(a, '@');
				struct inc_person p;

				memset(&p, 0, sizeof(p));
				p.status = kr->status;
				p.vis = kr->vis;
				p.evid = kr->evid;
				p.msgid = k->msgid;
				p.subject = k->subject;
				p.time = k->time;
				p.exposed_to = 1;
				if (at != NULL && strlen(at + 1) == dl &&
				    strcasecmp(at + 1, dom) == 0) {
					/* The look-alike that got it, and the
					 * person it was meant for. */
					attempts++;
					if (kr->status == RCPT_SENT) {
						delivered++;
						p.email = kr->addr;
						p.role = ROLE_UNINTENDED;
						p.action = ACT_DELETION;
						incident_add_person(inc, &p);
					}
					buf_reset(&sc->tmp);
					buf_add(&sc->tmp, a, (size_t)(at - a) + 1);
					buf_adds(&sc->tmp, intern_str(
					    &sc->st->strings, ds->repaired));
					p.email = msg_store_addr(sc->st,
					    sc->tmp.p, sc->tmp.len);
					p.name = kr->name;
					p.role = ROLE_INTENDED;
					p.action = ACT_NOTIFY;
					if (kr->status == RCPT_SENT)
						incident_add_person(inc, &p);
					continue;
				}
				/* Others named in it were disclosed to the
				 * look-alike's owner. */
				if (kr->status == RCPT_REJECTED ||
				    (kr->vis != VIS_TO && kr->vis != VIS_CC &&
				    kr->vis != VIS_UNKNOWN))
					continue;
				p.email = kr->addr;
				p.name = kr->name;
				p.role = kr->internal ? ROLE_INTERNAL :
				    ROLE_EXPOSED;
				p.action = kr->internal ? ACT_INFORM :
				    ACT_NOTIFY;
				if (delivered > 0 || !kr->internal)
					incident_add_person(inc, &p);
			}
			if (k->sender_internal)
				add_sender(inc, k, ROLE_SENDER, true,
				    k->nrows ? k->rows[0].evid : 0);
		}
		if (inc == NULL)
			continue;
		/* Nothing left the building: a near miss, nobody to
		 * notify. A domain that also writes to us may be a real
		 * correspondent: reported, not raised. */
		if (delivered == 0) {
			size_t p, out = 0;

			inc->severity = SEV_LOW;
			for (p = 0; p < inc->npeople; p++)
				if (inc->people[p].role == ROLE_SENDER)
					inc->people[out++] = inc->people[p];
			inc->npeople = out;
		} else {
			inc->severity = ds->correspondent ? SEV_LOW : SEV_HIGH;
		}
		summarize(sc, inc, "mail for %s sent to the look-alike %s "
		    "(%s): %u of %u copies accepted%s",
		    intern_str(&sc->st->strings, ds->repaired), dom,
		    lookalike_class_name(ds->cls), delivered, attempts,
		    delivered == 0 ? " (near miss: nothing to notify)" :
		    ds->correspondent ? "; the domain also writes to the "
		    "organisation: check whether it is a real correspondent" :
		    "");
	}
}

/* See scan.h. */
void
scan_finish(struct scan *sc)
{
	find_storms(sc);
	storm_incidents(sc);
	blast_incidents(sc);
	misroute_incidents(sc);
	incidents_number(&sc->incs, &sc->st->strings);
}
