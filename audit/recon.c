/*
 * recon - messages and their final recipients. See recon.h.
 */
#include "recon.h"
#include "../lib/hash.h"
#include "../lib/xalloc.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Kept small: a GB of log makes well over a million of them. */
struct group {
	int64_t first;
	uint64_t key;		/* its first reference's, for sorting */
	uint32_t ref0;		/* index in the sorted refs; for a NOQUEUE
				 * reject, its index in the store's */
	uint32_t nrefs;		/* 0: a NOQUEUE reject */
};

static int
ref_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct msg_ref *a = pa, *b = pb;

	(void)ctx;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->begin != b->begin)
		return a->begin < b->begin ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* By time; at one time messages before refusals, then by Message-ID
 * key and creation order of their first reference (refusals by their
 * order). Groups of one key start further apart than the join window,
 * and refs sort by key, start and creation: at one time and key, the
 * order of ref0 is that of creation. Many groups start in the same
 * second: comparing them reads no reference. */
static int
group_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct group *a = pa, *b = pb;

	(void)ctx;
	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	if ((a->nrefs == 0) != (b->nrefs == 0))
		return a->nrefs != 0 ? -1 : 1;
	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	return a->ref0 < b->ref0 ? -1 : a->ref0 > b->ref0;
}

/* A record's sort key: the 64 bits at off, xor flip. */
static inline uint64_t
rkey(const char *r, size_t off, uint64_t flip)
{
	uint64_t k;

	memcpy(&k, r + off, sizeof(k));
	return k ^ flip;
}

/*
 * Sorts n records of size sz in cmp's order, keeping equal ones in
 * their order: by insertion when there are few (the usual case: a
 * message's rows, a run of equal sort keys), where qsort_r() would cost
 * more in setting up than in comparing; else qsort_r() (glibc's merge
 * sort, also stable), never quadratic. tmp holds one record.
 */
static void
sort_few(void *base, size_t n, size_t sz, void *tmp,
    int (*cmp)(const void *, const void *, void *), void *ctx)
{
	char *b = base;
	size_t i, j;

	if (n < 2)
		return;
	if (n > 16) {
		qsort_r(base, n, sz, cmp, ctx);
		return;
	}
	for (i = 1; i < n; i++) {
		memcpy(tmp, b + i * sz, sz);
		for (j = i; j > 0 && cmp(b + (j - 1) * sz, tmp, ctx) > 0; j--)
			memcpy(b + j * sz, b + (j - 1) * sz, sz);
		memcpy(b + j * sz, tmp, sz);
	}
}

/*
 * Sorts n records of size sz by the key at off (rkey()), stably, a byte
 * a pass from byte lo up to the top one (a million references sort
 * several times faster than with qsort and its comparisons), then puts
 * each run of equal keys in cmp's order, which must order by the key
 * first. With lo > 0 the low bytes are left to cmp: fine for hashes,
 * whose top bytes are as good as all. tmp holds n records.
 */
static void
radix_sort(void *base, size_t n, size_t sz, void *tmp, size_t off,
    uint64_t flip, unsigned lo,
    int (*cmp)(const void *, const void *, void *), void *ctx)
{
	char *src = base, *dst = tmp, *t;
	size_t (*count)[256] = xcalloc(8, sizeof(*count));
	size_t i, run;
	unsigned pass;

	/* Every pass's counts in one reading. */
	for (i = 0; i < n; i++) {
		uint64_t key = rkey(src + i * sz, off, flip);

		for (pass = lo; pass < 8; pass++)
			count[pass][(key >> (pass * 8)) & 0xff]++;
	}
	for (pass = lo; pass < 8; pass++) {
		unsigned shift = pass * 8;
		size_t sum = 0, *c = count[pass];

		if (c[(rkey(src, off, flip) >> shift) & 0xff] == n)
			continue;	/* this byte is the same everywhere */
		for (i = 0; i < 256; i++) {
			size_t x = c[i];

			c[i] = sum;
			sum += x;
		}
		for (i = 0; i < n; i++) {
			const char *r = src + i * sz;

			memcpy(dst + c[(rkey(r, off, flip) >> shift) & 0xff]++ *
			    sz, r, sz);
		}
		t = src;
		src = dst;
		dst = t;
	}
	free(count);
	if (src != base)
		memcpy(base, src, n * sz);
	/* Ties (usually a few): in the full order. */
	for (i = 0; i < n; i = run) {
		uint64_t k0 = rkey((char *)base + i * sz, off, flip) >> (lo * 8);

		for (run = i + 1; run < n && rkey((char *)base + run * sz, off,
		    flip) >> (lo * 8) == k0; run++)
			;
		sort_few((char *)base + i * sz, run - i, sz, tmp, cmp, ctx);
	}
}

/* Maps live as long as the run: each message clears and reuses them
 * (a message's maps are small; allocating them anew was a good share of
 * the per-message cost). A zeroed struct is an empty map. */
struct addr_map {
	uint32_t *keys;		/* addr id, 0 empty */
	size_t *heads;		/* row index + 1 of the latest row */
	size_t mask;
	size_t alloc;		/* slots allocated, >= mask + 1 */
};

static void
addr_map_init(struct addr_map *am, size_t n)
{
	size_t cap = 16;

	/* Keys: recipients, parents and header addresses, each at most
	 * once: n counts the first and last, parents add as many again. */
	while (cap < n * 4)
		cap *= 2;
	if (cap > am->alloc) {
		free(am->keys);
		free(am->heads);
		am->keys = xcalloc(cap, sizeof(*am->keys));
		am->heads = xcalloc(cap, sizeof(*am->heads));
		am->alloc = cap;
	} else {
		memset(am->keys, 0, cap * sizeof(*am->keys));
	}
	am->mask = cap - 1;
}

static size_t *
addr_map_slot(struct addr_map *am, uint32_t addr)
{
	size_t j = hash_u64(addr) & am->mask;

	while (am->keys[j] != 0 && am->keys[j] != addr)
		j = (j + 1) & am->mask;
	if (am->keys[j] == 0) {
		am->keys[j] = addr;
		am->heads[j] = 0;
	}
	return &am->heads[j];
}

/* The latest row of addr, or 0; inserts nothing. */
static size_t
addr_map_peek(const struct addr_map *am, uint32_t addr)
{
	size_t j = hash_u64(addr) & am->mask;

	while (am->keys[j] != 0 && am->keys[j] != addr)
		j = (j + 1) & am->mask;
	return am->keys[j] == addr ? am->heads[j] : 0;
}

static void
addr_map_free(struct addr_map *am)
{
	free(am->keys);
	free(am->heads);
	memset(am, 0, sizeof(*am));
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

struct hdr_map {
	uint32_t *keys;		/* addr id, 0 empty */
	uint8_t *vis;
	uint32_t *names;
	size_t mask;
	size_t n;
	size_t alloc;
};

struct rows {
	struct recon_row *v;
	size_t n, cap;
	size_t *next;		/* per row: previous row of its address */
	size_t capnext;
	struct addr_map am, parents, env;	/* reused message to message */
	struct hdr_map hm;
};


static void
hdr_map_init(struct hdr_map *hm, size_t n)
{
	size_t cap = 16;

	while (cap < n * 2)
		cap *= 2;
	if (cap > hm->alloc) {
		free(hm->keys);
		free(hm->vis);
		free(hm->names);
		hm->keys = xcalloc(cap, sizeof(*hm->keys));
		hm->vis = xcalloc(cap, sizeof(*hm->vis));
		hm->names = xcalloc(cap, sizeof(*hm->names));
		hm->alloc = cap;
	} else {
		/* vis and names are set when a key goes in. */
		memset(hm->keys, 0, cap * sizeof(*hm->keys));
	}
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
	memset(hm, 0, sizeof(*hm));
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
				hm->vis[j] = VIS_UNKNOWN;
				hm->names[j] = 0;
				hm->n++;
			}
			if (vis_rank(v) > vis_rank(hm->vis[j]))
				hm->vis[j] = v;
			if (hm->names[j] == 0)
				hm->names[j] = a->name;
		}
}

/*
 * RCPT refusals by (sender, recipient), so that an address the headers
 * name but the MTA refused at RCPT time is reported as refused, not as
 * unknown. chain: per reject, the next one of the same pair (time
 * order, since rejects are stored as read).
 */
struct reject_index {
	uint64_t *keys;		/* sender << 32 | rcpt, 0 empty */
	size_t *heads;		/* reject index + 1 */
	size_t *chain;
	size_t mask;
	const struct reject *v;
};

/* How long before the message's arrival a refusal is taken as part of
 * the same SMTP transaction; a little after, for clock skew between
 * hosts. */
#define RECON_REJECT_BEFORE	3600
#define RECON_REJECT_AFTER	60

static void
reject_index_init(struct reject_index *ri, const struct reject *v, size_t n)
{
	size_t cap = 16, i, j;

	while (cap < n * 2)
		cap *= 2;
	ri->keys = xcalloc(cap, sizeof(*ri->keys));
	ri->heads = xcalloc(cap, sizeof(*ri->heads));
	ri->chain = xcalloc(n ? n : 1, sizeof(*ri->chain));
	ri->mask = cap - 1;
	ri->v = v;
	for (i = n; i-- > 0;) {
		uint64_t key = (uint64_t)v[i].sender << 32 | v[i].rcpt;

		if (v[i].rcpt == 0)
			continue;
		j = hash_u64(key) & ri->mask;
		while (ri->keys[j] != 0 && ri->keys[j] != key)
			j = (j + 1) & ri->mask;
		ri->keys[j] = key;
		ri->chain[i] = ri->heads[j];
		ri->heads[j] = i + 1;
	}
}

static const struct reject *
reject_index_find(const struct reject_index *ri, uint32_t sender,
    uint32_t rcpt, int64_t when)
{
	uint64_t key = (uint64_t)sender << 32 | rcpt;
	size_t j = hash_u64(key) & ri->mask, k;

	while (ri->keys[j] != 0 && ri->keys[j] != key)
		j = (j + 1) & ri->mask;
	if (ri->keys[j] != key)
		return NULL;
	for (k = ri->heads[j]; k != 0; k = ri->chain[k - 1]) {
		const struct reject *rj = &ri->v[k - 1];

		if (rj->time >= when - RECON_REJECT_BEFORE &&
		    rj->time <= when + RECON_REJECT_AFTER)
			return rj;
	}
	return NULL;
}

static void
reject_index_free(struct reject_index *ri)
{
	free(ri->keys);
	free(ri->heads);
	free(ri->chain);
}

/*
 * The log row of addr's bare local part ("harry.powell" where the
 * headers say harry.powell@example.org): Exim logs local deliveries
 * so. 0 when addr has no '@' or no such row exists.
 */
static size_t
bare_local_row(const struct addr_map *am, const struct intern *strings,
    uint32_t addr)
{
	const char *s = intern_str(strings, addr);
	const char *at = strrchr(s, '@');
	uint32_t lp;

	if (at == NULL || at == s)
		return 0;
	lp = intern_find(strings, s, (size_t)(at - s));
	return lp != 0 ? addr_map_peek(am, lp) : 0;
}

/*
 * Among the rows from head (a chain of one address), whether one is
 * the address's own delivery: not an expansion of another address.
 * Else *via is the first expansion row, or stays NULL.
 */
static bool
has_direct_row(const struct rows *rw, size_t head, uint32_t addr,
    const struct recon_row **via)
{
	size_t j;

	for (j = head; j != 0; j = rw->next[j - 1]) {
		const struct recon_row *row = &rw->v[j - 1];

		if (row->header_only || row->parent == 0 ||
		    row->parent == addr)
			return true;
		if (*via == NULL)
			*via = row;
	}
	return false;
}

/*
 * The row of an address the headers name (a), unless a log row of
 * its own exists. When the MTA delivered to the person only as the
 * member of a list or alias that was also addressed (it delivers each
 * mailbox once), the address still was a recipient in its own right:
 * its row takes that delivery's outcome. Otherwise its status is
 * unknown, or refused when the MTA refused it at RCPT time.
 */
static void
add_header_row(struct rows *rw, struct addr_map *am,
    const struct hdr_map *hm, const struct msg *h,
    const struct msg_addr *a, const struct intern *strings,
    const struct reject_index *ri, struct arena *scratch,
    const struct recon_msg *m, bool full)
{
	const struct recon_row *via = NULL;
	size_t *head, hj, bare;
	struct rcpt *r;
	struct recon_row *row;
	const struct reject *rj;

	if (a->kind != HK_TO && a->kind != HK_CC && a->kind != HK_BCC &&
	    a->kind != HK_ENVELOPE)
		return;
	if (has_direct_row(rw, addr_map_peek(am, a->addr), a->addr, &via))
		return;
	hj = hdr_map_find(hm, a->addr);
	if (via == NULL &&
	    (bare = bare_local_row(am, strings, a->addr)) != 0 &&
	    !rw->v[bare - 1].header_only &&
	    has_direct_row(rw, bare, a->addr, &via)) {
		/* Exim's "=> local.part" of this very address: the
		 * headers' name and strongest visibility carry over. */
		row = &rw->v[bare - 1];
		if (row->name == 0)
			row->name = hm->names[hj];
		if (vis_rank(hm->vis[hj]) > vis_rank(row->vis))
			row->vis = hm->vis[hj];
		return;
	}
	/* Envelope evidence (Delivered-To:, "for <addr>") names the
	 * expanded address itself, not a recipient of its own. */
	if (via != NULL && a->kind == HK_ENVELOPE)
		return;
	r = arena_zalloc(scratch, sizeof(*r));
	row = &rw->v[rw->n];
	memset(row, 0, sizeof(*row));
	if (via != NULL) {
		*r = *via->r;
		r->parent = 0;
		row->hop = via->hop;
		row->rj = via->rj;
	} else {
		r->status = RCPT_UNKNOWN;
		r->time = h->begin;
		r->evid = h->begin_evid;
		if ((rj = reject_index_find(ri, m->sender, a->addr,
		    m->first)) != NULL) {
			r->status = RCPT_REJECTED;
			r->time = rj->time;
			r->evid = rj->evid;
			r->dsn = rj->dsn;
			row->rj = rj;
		}
		row->hop = h;
		row->header_only = 1;
	}
	r->addr = a->addr;
	row->r = r;
	row->name = hm->names[hj];
	row->vis = hm->vis[hj] != VIS_UNKNOWN ? hm->vis[hj] :
	    full ? VIS_HIDDEN : VIS_UNKNOWN;
	head = addr_map_slot(am, a->addr);
	rw->next[rw->n] = *head;
	*head = ++rw->n;
}

/*
 * A log that names a message's envelope recipients but not what it
 * expanded them to (Domino: "Recipient: <list@org>", then Router lines
 * for each member, none naming the list): when exactly one envelope
 * recipient of hop h has no row of its own, the rows of h for addresses
 * outside the envelope came from it, and it becomes their parent.
 */
static void
infer_parents(struct rows *rw, struct addr_map *am, struct addr_map *parents,
    const struct msg *h)
{
	struct addr_map env = rw->env;
	uint32_t e = 0, k;
	size_t i, nenv = 0, missing = 0;

	for (k = 0; k < h->nhaddrs; k++)
		nenv += h->haddrs[k].kind == HK_ENVELOPE;
	if (nenv == 0)
		return;
	addr_map_init(&env, nenv);
	for (k = 0; k < h->nhaddrs; k++) {
		const struct msg_addr *a = &h->haddrs[k];
		size_t *slot;

		if (a->kind != HK_ENVELOPE)
			continue;
		slot = addr_map_slot(&env, a->addr);
		if (*slot != 0)
			continue;
		*slot = 1;
		if (addr_map_peek(am, a->addr) == 0 &&
		    addr_map_peek(parents, a->addr) == 0) {
			missing++;
			e = a->addr;
		}
	}
	if (missing == 1)
		for (i = 0; i < rw->n; i++) {
			struct recon_row *row = &rw->v[i];

			if (row->hop == h && row->parent == 0 &&
			    addr_map_peek(&env, row->r->addr) == 0) {
				row->parent = e;
				*addr_map_slot(parents, e) = i + 1;
			}
		}
	rw->env = env;
}

/* Whether two hops are one lifetime: the same log read twice (two
 * copies, or one in two formats), not a hand-over from one queue to
 * the next. */
static bool
same_lifetime(const struct msg *a, const struct msg *b)
{
	return a->host == b->host && a->instance == b->instance &&
	    strcmp(a->qid, b->qid) == 0;
}

/* Builds the rows of one message from its hops (begin order). */
static void
build_rows(struct rows *rw, const struct msg *hops, uint32_t nhops,
    const struct intern *strings, const struct reject_index *ri,
    struct arena *scratch, struct recon_msg *m)
{
	size_t total = 0, i, k, out, j;
	struct addr_map am = rw->am, parents = rw->parents;
	struct hdr_map hm = rw->hm;
	struct recon_row tmp;
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
				/* In a copy of this lifetime, only this
				 * row's copy is replaced: the address's
				 * other rows (directly and through a list)
				 * are rows of this hop too. */
				if (same_lifetime(old->hop, h) &&
				    old->r->parent != r->parent)
					continue;
				old->removed = 1;
				if (parent == 0)
					parent = old->parent;
			}
			if (r->parent != 0) {
				size_t *ph = addr_map_slot(&am, r->parent);

				for (j = *ph; j != 0; j = rw->next[j - 1])
					if (rw->v[j - 1].hop != h &&
					    !same_lifetime(rw->v[j - 1].hop, h))
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
	/* Index the rows that remain, and the addresses they expand. */
	memset(am.keys, 0, (am.mask + 1) * sizeof(*am.keys));
	memset(am.heads, 0, (am.mask + 1) * sizeof(*am.heads));
	addr_map_init(&parents, rw->n);
	for (i = 0; i < rw->n; i++) {
		size_t *head = addr_map_slot(&am, rw->v[i].r->addr);

		rw->next[i] = *head;
		*head = i + 1;
		if (rw->v[i].parent != 0)
			*addr_map_slot(&parents, rw->v[i].parent) = i + 1;
	}
	for (i = 0; i < nhops; i++)
		if (!hops[i].archive)
			infer_parents(rw, &am, &parents, &hops[i]);

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
	/* Addresses the headers name that no log delivered to as
	 * themselves. */
	for (i = 0; i < nhops; i++) {
		const struct msg *h = &hops[i];

		for (k = 0; k < h->nhaddrs; k++)
			if (addr_map_peek(&parents, h->haddrs[k].addr) == 0)
				add_header_row(rw, &am, &hm, &hops[i],
				    &h->haddrs[k], strings, ri, scratch, m,
				    full);
	}
	/* By address, parent and hop. */
	sort_few(rw->v, rw->n, sizeof(*rw->v), &tmp, row_cmp, (void *)strings);
	rw->am = am;
	rw->parents = parents;
	rw->hm = hm;
}

static uint8_t
join_kind(const struct msg *hops, uint32_t n)
{
	bool rfc = false, unid = false;
	uint32_t k;

	for (k = 0; k < n; k++)
		if (hops[k].msgid != NULL) {
			if (msg_store_is_unid(hops[k].msgid))
				unid = true;
			else
				rfc = true;
		}
	return rfc && unid ? RECON_JOIN_UNID : RECON_JOIN_MSGID;
}

/* The working memory of one message being put together. */
struct slot {
	struct arena scratch;
	struct msg *hops;
	size_t caphops;
	struct rows rw;
	struct recon_row rjrow;
	struct recon_msg m;
};

struct plan {
	struct msg_store *st;
	struct group *groups;
	size_t ng;
	struct reject_index ri;
	struct recon_stats *stats;
};

static void
slot_free(struct slot *sl)
{
	addr_map_free(&sl->rw.am);
	addr_map_free(&sl->rw.parents);
	addr_map_free(&sl->rw.env);
	hdr_map_free(&sl->rw.hm);
	arena_free(&sl->scratch);
	free(sl->hops);
	free(sl->rw.v);
	free(sl->rw.next);
}

/* Puts group g together in sl->m: loads its lifetimes, orders them,
 * builds its rows. */
static void
prepare(struct plan *pl, const struct group *g, struct slot *sl)
{
	struct msg_store *st = pl->st;
	struct recon_stats *stats = pl->stats;
	struct recon_msg *m = &sl->m;
	struct msg *hops;
	uint32_t k;

	memset(m, 0, sizeof(*m));
	m->first = g->first;
	stats->messages++;
	if (g->nrefs == 0) {
		const struct reject *rj = &st->rejects[g->ref0];

		memset(&sl->rjrow, 0, sizeof(sl->rjrow));
		sl->rjrow.rj = rj;
		sl->rjrow.vis = VIS_UNKNOWN;
		m->rj = rj;
		m->sender = rj->sender;
		m->rows = &sl->rjrow;
		m->nrows = 1;
		stats->rows++;
		return;
	}
	arena_reset(&sl->scratch);
	if (g->nrefs > sl->caphops) {
		sl->caphops = g->nrefs;
		sl->hops = xreallocarray(sl->hops, sl->caphops,
		    sizeof(*sl->hops));
	}
	hops = sl->hops;
	for (k = 0; k < g->nrefs; k++)
		msg_store_load(st, &st->refs[g->ref0 + k], &sl->scratch,
		    &hops[k]);
	if (g->nrefs > 1) {
		stats->multi_hop++;
		order_hops(hops, g->nrefs);
		link_forwards(hops, g->nrefs, stats);
	}
	for (k = 0; k < g->nrefs; k++) {
		/* The RFC 5322 form where one hop logged it, not a Notes
		 * UNID. */
		if (m->msgid == NULL || (msg_store_is_unid(m->msgid) &&
		    hops[k].msgid != NULL &&
		    !msg_store_is_unid(hops[k].msgid)))
			m->msgid = hops[k].msgid;
		if (m->sender == 0 || intern_len(&st->strings, m->sender) == 0)
			m->sender = hops[k].sender;
		if (m->subject == NULL)
			m->subject = hops[k].subject;
	}
	if (g->nrefs > 1)
		m->join = join_kind(hops, g->nrefs);
	build_rows(&sl->rw, hops, g->nrefs, &st->strings, &pl->ri,
	    &sl->scratch, m);
	m->hops = hops;
	m->nhops = g->nrefs;
	m->rows = sl->rw.v;
	m->nrows = sl->rw.n;
	stats->rows += sl->rw.n;
}

/* Groups the retired lifetimes by Message-ID and sorts the groups (and
 * the NOQUEUE rejects) by time. */
static void
plan_init(struct plan *pl, struct msg_store *st, struct recon_stats *stats)
{
	struct msg_ref *refs = st->refs;
	size_t n = st->nrefs, i, j;

	memset(pl, 0, sizeof(*pl));
	pl->st = st;
	pl->stats = stats;
	memset(stats, 0, sizeof(*stats));
	/* refs is NULL when nothing was read. */
	if (n > 1) {
		void *tmp = xreallocarray(NULL, n, sizeof(*refs));

		/* Message-ID keys are hashes: their top half sorts. */
		radix_sort(refs, n, sizeof(*refs), tmp,
		    offsetof(struct msg_ref, key), 0, 4, ref_cmp, NULL);
		free(tmp);
	}
	pl->groups = xcalloc(n + st->nrejects + 1, sizeof(*pl->groups));
	for (i = 0; i < n; i = j) {
		struct group *g = &pl->groups[pl->ng++];

		g->ref0 = (uint32_t)i;
		g->first = refs[i].begin;
		g->key = refs[i].key;
		for (j = i + 1; j < n && refs[i].key != 0 &&
		    refs[j].key == refs[i].key &&
		    refs[j].begin - refs[j - 1].begin <= RECON_JOIN_WINDOW;
		    j++)
			;
		g->nrefs = (uint32_t)(j - i);
	}
	for (i = 0; i < st->nrejects; i++) {
		struct group *g = &pl->groups[pl->ng++];

		g->ref0 = (uint32_t)i;
		g->first = st->rejects[i].time;
	}
	if (pl->ng > 1) {
		void *tmp = xreallocarray(NULL, pl->ng, sizeof(*pl->groups));

		/* Times as unsigned, in the same order: the sign bit
		 * flipped. */
		radix_sort(pl->groups, pl->ng, sizeof(*pl->groups), tmp,
		    offsetof(struct group, first), UINT64_C(1) << 63, 0,
		    group_cmp, NULL);
		free(tmp);
	}
	/* Groups go by time, references by Message-ID: laid out again in
	 * group order, putting the groups together reads them in turn
	 * instead of missing the cache on each (a table of a million). */
	if (n > 0) {
		struct msg_ref *byg = xreallocarray(NULL, n, sizeof(*refs));
		size_t o = 0;

		for (i = 0; i < pl->ng; i++) {
			struct group *g = &pl->groups[i];

			/* The groups' references lie all over refs. */
			if (i + 8 < pl->ng && pl->groups[i + 8].nrefs != 0)
				__builtin_prefetch(&refs[pl->groups[i + 8].ref0]);
			if (g->nrefs == 0)
				continue;
			memcpy(&byg[o], &refs[g->ref0], g->nrefs * sizeof(*refs));
			g->ref0 = (uint32_t)o;
			o += g->nrefs;
		}
		free(st->refs);
		st->refs = byg;
		st->caprefs = n;
	}
	reject_index_init(&pl->ri, st->rejects, st->nrejects);
}

static void
plan_free(struct plan *pl)
{
	reject_index_free(&pl->ri);
	free(pl->groups);
}

/* See recon.h. */
int
recon_run(struct msg_store *st, recon_fn fn, void *ctx,
    struct recon_stats *stats)
{
	struct plan pl;
	struct slot sl;
	size_t i;
	int ret = 0;

	plan_init(&pl, st, stats);
	memset(&sl, 0, sizeof(sl));
	arena_init(&sl.scratch);
	for (i = 0; i < pl.ng && ret == 0; i++) {
		prepare(&pl, &pl.groups[i], &sl);
		ret = fn(ctx, &sl.m);
	}
	slot_free(&sl);
	plan_free(&pl);
	return ret;
}

/* Messages put together ahead of the callback. */
#define RECON_AHEAD	32

struct ahead {
	struct plan *pl;
	struct slot slots[RECON_AHEAD];
	atomic_size_t prepared;		/* groups ready */
	atomic_size_t consumed;		/* groups the callback is done with */
	atomic_bool stop;
};

static void *
prepare_ahead(void *arg)
{
	struct ahead *ah = arg;
	size_t i;

	for (i = 0; i < ah->pl->ng; i++) {
		while (i - atomic_load_explicit(&ah->consumed,
		    memory_order_acquire) >= RECON_AHEAD) {
			if (atomic_load_explicit(&ah->stop,
			    memory_order_relaxed))
				return NULL;
			sched_yield();
		}
		prepare(ah->pl, &ah->pl->groups[i], &ah->slots[i % RECON_AHEAD]);
		atomic_store_explicit(&ah->prepared, i + 1,
		    memory_order_release);
	}
	return NULL;
}

/* See recon.h. */
int
recon_run_ahead(struct msg_store *st, recon_fn fn, void *ctx,
    struct recon_stats *stats)
{
	struct plan pl;
	struct ahead *ah;
	pthread_t thread;
	size_t i, k;
	uint32_t strings_before;
	int ret = 0;

	strings_before = intern_count(&st->strings);
	plan_init(&pl, st, stats);
	ah = xcalloc(1, sizeof(*ah));
	ah->pl = &pl;
	for (k = 0; k < RECON_AHEAD; k++)
		arena_init(&ah->slots[k].scratch);
	atomic_init(&ah->prepared, 0);
	atomic_init(&ah->consumed, 0);
	atomic_init(&ah->stop, false);
	if (pthread_create(&thread, NULL, prepare_ahead, ah) != 0) {
		for (i = 0; i < pl.ng && ret == 0; i++) {
			prepare(&pl, &pl.groups[i], &ah->slots[0]);
			ret = fn(ctx, &ah->slots[0].m);
		}
	} else {
		for (i = 0; i < pl.ng && ret == 0; i++) {
			while (atomic_load_explicit(&ah->prepared,
			    memory_order_acquire) <= i)
				sched_yield();
			ret = fn(ctx, &ah->slots[i % RECON_AHEAD].m);
			atomic_store_explicit(&ah->consumed, i + 1,
			    memory_order_release);
		}
		atomic_store_explicit(&ah->stop, true, memory_order_relaxed);
		pthread_join(thread, NULL);
	}
	for (k = 0; k < RECON_AHEAD; k++)
		slot_free(&ah->slots[k]);
	free(ah);
	plan_free(&pl);
	/* The second thread read the strings while fn ran: fn must not
	 * have added any (see recon.h). */
	if (intern_count(&st->strings) != strings_before) {
		fprintf(stderr, "mailspill: internal error: strings added "
		    "during a reconstruction with look-ahead\n");
		abort();
	}
	return ret;
}
