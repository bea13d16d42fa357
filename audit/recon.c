/*
 * recon - messages and their final recipients. See recon.h.
 */
#include "recon.h"
#include "../lib/hash.h"
#include "../lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

struct keyed {
	uint32_t key;		/* normalized Message-ID, 0: none */
	const struct msg *m;
};

/* Interns the join key of a Message-ID: one pair of <> and blanks
 * dropped, the part after the last '@' lower-cased. */
static uint32_t
msgid_key(struct intern *keys, const char *s, size_t len)
{
	char tmp[1024];
	size_t i, at;

	while (len > 0 && (*s == ' ' || *s == '\t'))
		s++, len--;
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len >= 2 && s[0] == '<' && s[len - 1] == '>')
		s++, len -= 2;
	if (len == 0 || len > sizeof(tmp))
		return 0;
	memcpy(tmp, s, len);
	for (at = len; at > 0 && tmp[at - 1] != '@'; at--)
		;
	for (i = at; i < len; i++)
		if (tmp[i] >= 'A' && tmp[i] <= 'Z')
			tmp[i] = (char)(tmp[i] + 32);
	return intern_id(keys, tmp, len);
}

static int
keyed_cmp(const void *pa, const void *pb)
{
	const struct keyed *a = pa, *b = pb;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->m->begin != b->m->begin)
		return a->m->begin < b->m->begin ? -1 : 1;
	return a->m->seq < b->m->seq ? -1 : a->m->seq > b->m->seq;
}

/* Recipients of re-submitted copies get the forwarded address as their
 * parent; the forwarding row itself is then no outcome. */
static void
link_forwards(struct recon *rc)
{
	struct msg_store *st = rc->st;
	size_t i;

	for (i = 0; i < st->nmsgs; i++) {
		struct msg *m = st->msgs[i];
		struct msg_link *l;
		uint32_t k;

		for (l = m->links; l != NULL; l = l->next) {
			struct msg *child;

			if (l->kind != LINK_FORWARD)
				continue;
			child = msg_store_find(st, m->host, l->qid,
			    strlen(l->qid), l->time + 5);
			if (child == NULL || child == m)
				continue;
			rc->stats.forwards_linked++;
			for (k = 0; k < child->nrcpts; k++)
				if (child->rcpts[k].parent == 0 &&
				    child->rcpts[k].addr != l->parent)
					child->rcpts[k].parent = l->parent;
		}
	}
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
	const struct intern *sort_strings = ctx;
	const struct recon_row *a = pa, *b = pb;
	int c;

	c = strcmp(intern_str(sort_strings, a->r->addr),
	    intern_str(sort_strings, b->r->addr));
	if (c != 0)
		return c;
	c = strcmp(intern_str(sort_strings, a->parent),
	    intern_str(sort_strings, b->parent));
	if (c != 0)
		return c;
	return a->hop->seq < b->hop->seq ? -1 : a->hop->seq > b->hop->seq;
}

static int
group_cmp(const void *pa, const void *pb, void *ctx)
{
	const struct intern *sort_strings = ctx;
	const struct recon_group *a = pa, *b = pb;
	int c;

	if (a->first != b->first)
		return a->first < b->first ? -1 : 1;
	c = strcmp(intern_str(sort_strings, a->msgid),
	    intern_str(sort_strings, b->msgid));
	if (c != 0)
		return c;
	if (a->nhops && b->nhops)
		return a->hops[0]->seq < b->hops[0]->seq ? -1 :
		    a->hops[0]->seq > b->hops[0]->seq;
	if (a->rj != NULL && b->rj != NULL) {
		c = strcmp(intern_str(sort_strings, a->rj->rcpt),
		    intern_str(sort_strings, b->rj->rcpt));
		if (c != 0)
			return c;
		return a->rj < b->rj ? -1 : a->rj > b->rj;
	}
	return a->nhops ? -1 : 1;
}

/* Builds the rows of one group from its hops (begin order). */
static void
group_rows(struct recon *rc, struct recon_group *g, struct recon_row **rows,
    size_t *nrows, size_t *caprows)
{
	size_t total = 0, i, k, start = *nrows, out;
	struct addr_map am;
	size_t *next;		/* per row: previous row of its address */

	(void)rc;
	for (i = 0; i < g->nhops; i++)
		total += g->hops[i]->nrcpts;
	if (*nrows + total > *caprows) {
		while (*nrows + total > *caprows)
			*caprows = *caprows ? *caprows * 2 : 4096;
		*rows = xreallocarray(*rows, *caprows, sizeof(**rows));
	}
	next = xcalloc(total + 1, sizeof(*next));
	addr_map_init(&am, total);
	for (i = 0; i < g->nhops; i++) {
		const struct msg *h = g->hops[i];

		for (k = 0; k < h->nrcpts; k++) {
			const struct rcpt *r = &h->rcpts[k];
			struct recon_row *row;
			uint32_t parent = r->parent;
			size_t *head, j;

			if ((r->flags & RF_FORWARD) && g->nhops > 1)
				continue;
			/* Rows of earlier hops for this address, or for
			 * its parent, were hand-overs. */
			head = addr_map_slot(&am, r->addr);
			for (j = *head; j != 0; j = next[j - 1 - start]) {
				struct recon_row *old = &(*rows)[j - 1];

				if (old->hop == h || old->removed)
					continue;
				old->removed = 1;
				if (parent == 0)
					parent = old->parent;
			}
			if (r->parent != 0) {
				size_t *ph = addr_map_slot(&am, r->parent);

				for (j = *ph; j != 0; j = next[j - 1 - start]) {
					struct recon_row *old = &(*rows)[j - 1];

					if (old->hop != h)
						old->removed = 1;
				}
			}
			row = &(*rows)[*nrows];
			row->hop = h;
			row->r = r;
			row->rj = NULL;
			row->parent = parent;
			row->removed = 0;
			head = addr_map_slot(&am, r->addr);
			next[*nrows - start] = *head;
			*head = *nrows + 1;
			(*nrows)++;
		}
	}
	/* Drop replaced rows, then order what is left. */
	for (i = start, out = start; i < *nrows; i++)
		if (!(*rows)[i].removed)
			(*rows)[out++] = (*rows)[i];
	*nrows = out;
	g->row0 = start;
	g->nrows = out - start;
	qsort_r(*rows + start, g->nrows, sizeof(**rows), row_cmp,
	    &rc->st->strings);
	addr_map_free(&am);
	free(next);
}

/* See recon.h. */
void
recon_build(struct recon *rc, struct msg_store *st)
{
	struct intern keys;
	struct keyed *kv;
	size_t n = st->nmsgs, i, j, ngroups = 0, caprows = 0;
	struct recon_row *rows = NULL;
	size_t nrows = 0;

	memset(rc, 0, sizeof(*rc));
	rc->st = st;
	link_forwards(rc);
	intern_init(&keys);
	kv = xcalloc(n + 1, sizeof(*kv));
	for (i = 0; i < n; i++) {
		const struct msg *m = st->msgs[i];

		kv[i].m = m;
		kv[i].key = m->msgid ? msgid_key(&keys,
		    intern_str(&st->strings, m->msgid),
		    intern_len(&st->strings, m->msgid)) : 0;
	}
	qsort(kv, n, sizeof(*kv), keyed_cmp);
	rc->hopbuf = xcalloc(n + 1, sizeof(*rc->hopbuf));
	rc->groups = xcalloc(n + st->nrejects + 1, sizeof(*rc->groups));
	for (i = 0; i < n; i = j) {
		struct recon_group *g = &rc->groups[ngroups++];

		g->hops = &rc->hopbuf[i];
		rc->hopbuf[i] = kv[i].m;
		g->nhops = 1;
		for (j = i + 1; j < n && kv[i].key != 0 &&
		    kv[j].key == kv[i].key &&
		    kv[j].m->begin - kv[j - 1].m->begin <= RECON_JOIN_WINDOW;
		    j++)
			rc->hopbuf[j] = kv[j].m, g->nhops++;
		g->first = g->hops[0]->begin;
		g->msgid = g->hops[0]->msgid;
		for (j = 0; j < g->nhops; j++) {
			if (g->sender == 0 || intern_len(&st->strings,
			    g->sender) == 0)
				g->sender = g->hops[j]->sender;
			if (g->subject == 0)
				g->subject = g->hops[j]->subject;
		}
		if (g->nhops > 1)
			rc->stats.multi_hop++;
		group_rows(rc, g, &rows, &nrows, &caprows);
		j = i + g->nhops;
	}
	for (i = 0; i < st->nrejects; i++) {
		struct recon_group *g = &rc->groups[ngroups++];

		g->rj = &st->rejects[i];
		g->first = g->rj->time;
		g->sender = g->rj->sender;
		g->row0 = nrows;
		g->nrows = 1;
		if (nrows == caprows) {
			caprows = caprows ? caprows * 2 : 4096;
			rows = xreallocarray(rows, caprows, sizeof(*rows));
		}
		memset(&rows[nrows], 0, sizeof(rows[nrows]));
		rows[nrows].rj = g->rj;
		rows[nrows].parent = 0;
		nrows++;
	}
	qsort_r(rc->groups, ngroups, sizeof(*rc->groups), group_cmp,
	    &st->strings);
	rc->ngroups = ngroups;
	rc->rows = rows;
	rc->nrows = nrows;
	rc->stats.groups = ngroups;
	rc->stats.rows = nrows;
	free(kv);
	intern_free(&keys);
}

void
recon_free(struct recon *rc)
{
	free(rc->groups);
	free(rc->rows);
	free(rc->hopbuf);
	memset(rc, 0, sizeof(*rc));
}
