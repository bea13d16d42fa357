/*
 * recon - messages and their final recipients. See recon.h.
 */
#include "recon.h"
#include "../lib/hash.h"
#include "../lib/xalloc.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

struct group {
	int64_t first;
	uint64_t key;
	size_t ref0;		/* index in the sorted refs */
	uint32_t nrefs;
	uint32_t seq;		/* of the first lifetime */
	const struct reject *rj;
};

static int
ref_cmp(const void *pa, const void *pb)
{
	const struct msg_ref *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->begin != b->begin)
		return a->begin < b->begin ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static int
group_cmp(const void *pa, const void *pb)
{
	const struct group *a = pa, *b = pb;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	if ((a->rj == NULL) != (b->rj == NULL))
		return a->rj == NULL ? -1 : 1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->rj != NULL)
		return a->rj < b->rj ? -1 : a->rj > b->rj;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

struct addr_map {
	uint32_t *keys;		/* addr id, 0 empty */
	size_t *heads;		/* row index + 1 of the latest row */
	size_t mask;
};

static void
addr_map_init(struct addr_map *am, size_t n)
{
	size_t cap = 16;

	while (cap < n * 2)
		cap *= 2;
	am->keys = xcalloc(cap, sizeof(*am->keys));
	am->heads = xcalloc(cap, sizeof(*am->heads));
	am->mask = cap - 1;
}

static size_t *
addr_map_slot(struct addr_map *am, uint32_t addr)
{
	size_t j = hash_u64(addr) & am->mask;

	while (am->keys[j] != 0 && am->keys[j] != addr)
		j = (j + 1) & am->mask;
	am->keys[j] = addr;
	return &am->heads[j];
}

static void
addr_map_free(struct addr_map *am)
{
	free(am->keys);
	free(am->heads);
}

static int
row_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct intern *strings = ctx;
	const struct recon_row *a = pa, *b = pb;
	int c;

	if (a->r->addr != b->r->addr) {
		c = strcmp(intern_str(strings, a->r->addr),
		    intern_str(strings, b->r->addr));
		if (c != 0)
			return c;
	}
	if (a->parent != b->parent) {
		c = strcmp(intern_str(strings, a->parent),
		    intern_str(strings, b->parent));
		if (c != 0)
			return c;
	}
	return a->hop->seq < b->hop->seq ? -1 : a->hop->seq > b->hop->seq;
}

/* Recipients of re-submitted copies (same Message-ID, same host) get the
 * forwarded address as their parent. */
static void
link_forwards(struct msg *hops, uint32_t n, struct recon_stats *stats)
{
	uint32_t i, j, k;

	for (i = 0; i < n; i++) {
		const struct msg_link *l;

		for (l = hops[i].links; l != NULL; l = l->next) {
			if (l->kind != LINK_FORWARD)
				continue;
			for (j = 0; j < n; j++) {
				struct msg *c = &hops[j];

				if (j == i || c->host != hops[i].host ||
				    strcmp(c->qid, l->qid) != 0)
					continue;
				stats->forwards_linked++;
				for (k = 0; k < c->nrcpts; k++)
					if (c->rcpts[k].parent == 0 &&
					    c->rcpts[k].addr != l->parent)
						c->rcpts[k].parent = l->parent;
				break;
			}
		}
	}
}

/*
 * Orders the hops of one message: a hop that handed the message to
 * another ("queued as QID2" naming a lifetime of the group) comes before
 * it, whatever the clocks say; otherwise by start time, then read order.
 */
static void
order_hops(struct msg *hops, uint32_t n)
{
	uint32_t *depth, i, j, pass;
	bool changed = true;

	if (n < 2)
		return;
	depth = xcalloc(n, sizeof(*depth));
	/* Longest chain of hand-overs leading to each hop; n passes bound
	 * it even if the links form a loop. */
	for (pass = 0; pass < n && changed; pass++) {
		changed = false;
		for (i = 0; i < n; i++) {
			const struct msg_link *l;

			for (l = hops[i].links; l != NULL; l = l->next) {
				if (l->kind != LINK_NEXT_HOP)
					continue;
				for (j = 0; j < n; j++)
					if (j != i && depth[j] < depth[i] + 1 &&
					    strcmp(hops[j].qid, l->qid) == 0) {
						depth[j] = depth[i] + 1;
						changed = true;
					}
			}
		}
	}
	/* Insertion sort: groups are small. */
	for (i = 1; i < n; i++) {
		struct msg m = hops[i];
		uint32_t d = depth[i];

		for (j = i; j > 0 && (depth[j - 1] > d || (depth[j - 1] == d &&
		    (hops[j - 1].begin > m.begin || (hops[j - 1].begin ==
		    m.begin && hops[j - 1].seq > m.seq)))); j--) {
			hops[j] = hops[j - 1];
			depth[j] = depth[j - 1];
		}
		hops[j] = m;
		depth[j] = d;
	}
	free(depth);
}

struct rows {
	struct recon_row *v;
	size_t n, cap;
	size_t *next;		/* per row: previous row of its address */
	size_t capnext;
};

struct hdr_map {
	uint32_t *keys;		/* addr id, 0 empty */
	uint8_t *vis;
	uint32_t *names;
	size_t mask;
	size_t n;
};

static void
hdr_map_init(struct hdr_map *hm, size_t n)
{
	size_t cap = 16;

	while (cap < n * 2)
		cap *= 2;
	hm->keys = xcalloc(cap, sizeof(*hm->keys));
	hm->vis = xcalloc(cap, sizeof(*hm->vis));
	hm->names = xcalloc(cap, sizeof(*hm->names));
	hm->mask = cap - 1;
	hm->n = 0;
}

static size_t
hdr_map_find(const struct hdr_map *hm, uint32_t addr)
{
	size_t j = hash_u64(addr) & hm->mask;

	while (hm->keys[j] != 0 && hm->keys[j] != addr)
		j = (j + 1) & hm->mask;
	return j;
}

static void
hdr_map_free(struct hdr_map *hm)
{
	free(hm->keys);
	free(hm->vis);
	free(hm->names);
}

/* To beats Cc beats Bcc: the strongest disclosure decides. */
static uint8_t
vis_of_kind(uint8_t kind)
{
	switch (kind) {
	case HK_TO:
		return VIS_TO;
	case HK_CC:
		return VIS_CC;
	case HK_BCC:
		return VIS_BCC;
	default:
		return VIS_UNKNOWN;
	}
}

static int
vis_rank(uint8_t vis)
{
	return vis == VIS_TO ? 3 : vis == VIS_CC ? 2 : vis == VIS_BCC ? 1 : 0;
}

static void
hdr_map_fill(struct hdr_map *hm, const struct msg *hops, uint32_t nhops,
    uint32_t *sender_name, uint32_t sender)
{
	size_t total = 0, j;
	uint32_t i, k;

	for (i = 0; i < nhops; i++)
		total += hops[i].nhaddrs;
	hdr_map_init(hm, total);
	for (i = 0; i < nhops; i++)
		for (k = 0; k < hops[i].nhaddrs; k++) {
			const struct msg_addr *a = &hops[i].haddrs[k];
			uint8_t v = vis_of_kind(a->kind);

			if (a->kind == HK_FROM && a->addr == sender &&
			    *sender_name == 0)
				*sender_name = a->name;
			j = hdr_map_find(hm, a->addr);
			if (hm->keys[j] == 0) {
				hm->keys[j] = a->addr;
				hm->n++;
			}
			if (vis_rank(v) > vis_rank(hm->vis[j]))
				hm->vis[j] = v;
			if (hm->names[j] == 0)
				hm->names[j] = a->name;
		}
}

/* Builds the rows of one message from its hops (begin order). */
static void
build_rows(struct rows *rw, const struct msg *hops, uint32_t nhops,
    const struct intern *strings, struct arena *scratch,
    struct recon_msg *m)
{
	size_t total = 0, i, k, out, j;
	struct addr_map am;
	struct hdr_map hm;
	bool full = false;

	rw->n = 0;
	for (i = 0; i < nhops; i++) {
		total += hops[i].nrcpts + hops[i].nhaddrs;
		full = full || hops[i].archive;
	}
	m->has_headers = full;
	if (total > rw->cap) {
		rw->cap = total;
		rw->v = xreallocarray(rw->v, rw->cap, sizeof(*rw->v));
		rw->next = xreallocarray(rw->next, rw->cap, sizeof(*rw->next));
	}
	addr_map_init(&am, total);
	for (i = 0; i < nhops; i++) {
		const struct msg *h = &hops[i];

		/* A stored copy decides nobody's outcome. */
		if (h->archive)
			continue;
		for (k = 0; k < h->nrcpts; k++) {
			const struct rcpt *r = &h->rcpts[k];
			struct recon_row *row;
			uint32_t parent = r->parent;
			size_t *head;

			if ((r->flags & RF_FORWARD) && nhops > 1)
				continue;
			/* Rows of earlier hops for this address, or for
			 * its parent, were hand-overs. */
			head = addr_map_slot(&am, r->addr);
			for (j = *head; j != 0; j = rw->next[j - 1]) {
				struct recon_row *old = &rw->v[j - 1];

				if (old->hop == h || old->removed)
					continue;
				old->removed = 1;
				if (parent == 0)
					parent = old->parent;
			}
			if (r->parent != 0) {
				size_t *ph = addr_map_slot(&am, r->parent);

				for (j = *ph; j != 0; j = rw->next[j - 1])
					if (rw->v[j - 1].hop != h)
						rw->v[j - 1].removed = 1;
			}
			row = &rw->v[rw->n];
			memset(row, 0, sizeof(*row));
			row->hop = h;
			row->r = r;
			row->parent = parent;
			head = addr_map_slot(&am, r->addr);
			rw->next[rw->n] = *head;
			*head = ++rw->n;
		}
	}
	for (i = 0, out = 0; i < rw->n; i++)
		if (!rw->v[i].removed)
			rw->v[out++] = rw->v[i];
	rw->n = out;

	/* Visibility from the headers of every copy. */
	hdr_map_fill(&hm, hops, nhops, &m->sender_name, m->sender);
	for (i = 0; i < rw->n; i++) {
		struct recon_row *row = &rw->v[i];
		size_t a = hdr_map_find(&hm, row->r->addr);

		row->vis = full ? VIS_HIDDEN : VIS_UNKNOWN;
		if (hm.keys[a] != 0) {
			row->name = hm.names[a];
			if (hm.vis[a] != VIS_UNKNOWN)
				row->vis = hm.vis[a];
		}
		if (hm.keys[a] == 0 || hm.vis[a] == VIS_UNKNOWN) {
			size_t pa = row->parent ? hdr_map_find(&hm,
			    row->parent) : 0;

			if (row->parent && hm.keys[pa] != 0 &&
			    hm.vis[pa] != VIS_UNKNOWN)
				row->vis = hm.vis[pa];
		}
	}
	/* Addresses the headers name that no log delivered to. */
	for (i = 0; i < nhops; i++) {
		const struct msg *h = &hops[i];

		for (k = 0; k < h->nhaddrs; k++) {
			const struct msg_addr *a = &h->haddrs[k];
			size_t *head, hj;
			struct rcpt *r;
			struct recon_row *row;

			if (a->kind != HK_TO && a->kind != HK_CC &&
			    a->kind != HK_BCC && a->kind != HK_ENVELOPE)
				continue;
			head = addr_map_slot(&am, a->addr);
			if (*head != 0)
				continue;
			hj = hdr_map_find(&hm, a->addr);
			r = arena_zalloc(scratch, sizeof(*r));
			r->addr = a->addr;
			r->status = RCPT_UNKNOWN;
			r->time = h->begin;
			r->evid = h->begin_evid;
			row = &rw->v[rw->n];
			memset(row, 0, sizeof(*row));
			row->hop = h;
			row->r = r;
			row->header_only = 1;
			row->name = hm.names[hj];
			row->vis = hm.vis[hj] != VIS_UNKNOWN ? hm.vis[hj] :
			    full ? VIS_HIDDEN : VIS_UNKNOWN;
			rw->next[rw->n] = 0;
			*head = ++rw->n;
		}
	}
	if (rw->n > 1)
		qsort_r(rw->v, rw->n, sizeof(*rw->v), row_cmp,
		    (void *)strings);
	addr_map_free(&am);
	hdr_map_free(&hm);
}

/* See recon.h. */
int
recon_run(struct msg_store *st, recon_fn fn, void *ctx,
    struct recon_stats *stats)
{
	struct msg_ref *refs = st->refs;
	size_t n = st->nrefs, i, j, ng = 0;
	struct group *groups;
	struct arena scratch;
	struct msg *hops = NULL;
	size_t caphops = 0;
	struct rows rw = { 0 };
	int ret = 0;

	memset(stats, 0, sizeof(*stats));
	qsort(refs, n, sizeof(*refs), ref_cmp);
	groups = xcalloc(n + st->nrejects + 1, sizeof(*groups));
	for (i = 0; i < n; i = j) {
		struct group *g = &groups[ng++];

		g->ref0 = i;
		g->first = refs[i].begin;
		g->key = refs[i].key;
		g->seq = refs[i].seq;
		for (j = i + 1; j < n && refs[i].key != 0 &&
		    refs[j].key == refs[i].key &&
		    refs[j].begin - refs[j - 1].begin <= RECON_JOIN_WINDOW;
		    j++)
			;
		g->nrefs = (uint32_t)(j - i);
	}
	for (i = 0; i < st->nrejects; i++) {
		struct group *g = &groups[ng++];

		g->rj = &st->rejects[i];
		g->first = g->rj->time;
	}
	qsort(groups, ng, sizeof(*groups), group_cmp);
	arena_init(&scratch);
	for (i = 0; i < ng && ret == 0; i++) {
		struct group *g = &groups[i];
		struct recon_msg m;
		struct recon_row row;
		uint32_t k;

		memset(&m, 0, sizeof(m));
		m.first = g->first;
		stats->messages++;
		if (g->rj != NULL) {
			memset(&row, 0, sizeof(row));
			row.rj = g->rj;
			row.vis = VIS_UNKNOWN;
			m.rj = g->rj;
			m.sender = g->rj->sender;
			m.rows = &row;
			m.nrows = 1;
			stats->rows++;
			ret = fn(ctx, &m);
			continue;
		}
		arena_reset(&scratch);
		if (g->nrefs > caphops) {
			caphops = g->nrefs;
			hops = xreallocarray(hops, caphops, sizeof(*hops));
		}
		for (k = 0; k < g->nrefs; k++)
			msg_store_load(st, &refs[g->ref0 + k], &scratch,
			    &hops[k]);
		if (g->nrefs > 1) {
			stats->multi_hop++;
			order_hops(hops, g->nrefs);
			link_forwards(hops, g->nrefs, stats);
		}
		for (k = 0; k < g->nrefs; k++) {
			if (m.msgid == NULL)
				m.msgid = hops[k].msgid;
			if (m.sender == 0 || intern_len(&st->strings,
			    m.sender) == 0)
				m.sender = hops[k].sender;
			if (m.subject == NULL)
				m.subject = hops[k].subject;
		}
		build_rows(&rw, hops, g->nrefs, &st->strings, &scratch, &m);
		m.hops = hops;
		m.nhops = g->nrefs;
		m.rows = rw.v;
		m.nrows = rw.n;
		stats->rows += rw.n;
		ret = fn(ctx, &m);
	}
	arena_free(&scratch);
	free(hops);
	free(rw.v);
	free(rw.next);
	free(groups);
	return ret;
}
