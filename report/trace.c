/*
 * trace - reconstruction CSV. See trace.h.
 */
#include "trace.h"
#include "../lib/hash.h"
#include "../lib/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

/* Rows go to the stream in large writes: one fwrite() a row was a
 * good part of the writing. */
#define TRACE_OUT_FLUSH	(64u << 10)

static void
flush_out(struct trace_out *t)
{
	if (t->out.len > 0)
		fwrite(t->out.p, 1, t->out.len, t->f);
	buf_reset(&t->out);
}

/* Ends the row in t->line and queues it for the stream. */
static void
end_row(struct trace_out *t)
{
	csv_end(&t->line);
	buf_add(&t->out, t->line.b.p, t->line.b.len);
	if (t->out.len >= TRACE_OUT_FLUSH)
		flush_out(t);
	t->rows++;
}

/* Most strings are plain: whether one is, is worked out once. */
static void
cell_id(struct trace_out *t, struct csv_line *l, uint32_t id)
{
	const struct intern *s = &t->st->strings;
	const char *str = intern_str(s, id);
	size_t len = intern_len(s, id);

	if (id >= t->nplain) {
		size_t n = (size_t)intern_count(s) + 1;

		if (id >= n)
			n = (size_t)id + 1;
		t->plain = xrealloc(t->plain, n);
		memset(t->plain + t->nplain, 0, n - t->nplain);
		t->nplain = n;
	}
	if (t->plain[id] == 0)
		t->plain[id] = csv_plain(str, len) ? 1 : 2;
	if (t->plain[id] == 1)
		csv_raw(l, str, len);
	else
		csv_cell(l, str, len);
}

/* Encodes a cell once for all the rows of a message. */
static void
cache_cell(struct csv_line *c, const char *s)
{
	csv_begin(c);
	csv_cells(c, s);
}

/*
 * "path:line", then in parentheses what joins the row to its message
 * when that is more than one lifetime, and whether the recipient is a
 * name no directory resolved.
 */
static void
cell_evidence(struct trace_out *t, struct csv_line *l, uint64_t evid,
    uint8_t join, bool unresolved)
{
	uint32_t src = EVID_SRC(evid);

	if (src >= t->nsources) {
		csv_cell(l, "", 0);
		return;
	}
	char num[24], *p = num + sizeof(num);
	uint64_t line = EVID_LINE(evid);
	bool plain;

	do {
		*--p = (char)('0' + line % 10);
	} while ((line /= 10) != 0);
	*--p = ':';
	if (t->src_plain == NULL)
		t->src_plain = xcalloc(t->nsources, 1);
	if (t->src_plain[src] == 0)
		t->src_plain[src] = csv_plain(t->sources[src],
		    strlen(t->sources[src])) ? 1 : 2;
	plain = t->src_plain[src] == 1;
	buf_reset(&t->scratch);
	buf_adds(&t->scratch, t->sources[src]);
	buf_add(&t->scratch, p, (size_t)(num + sizeof(num) - p));
	if (join != RECON_JOIN_NONE || unresolved) {
		buf_adds(&t->scratch, " (");
		if (join == RECON_JOIN_MSGID)
			buf_adds(&t->scratch, "joined by Message-ID");
		else if (join == RECON_JOIN_UNID)
			buf_adds(&t->scratch, "joined by Notes UNID");
		if (join != RECON_JOIN_NONE && unresolved)
			buf_adds(&t->scratch, "; ");
		if (unresolved)
			buf_adds(&t->scratch, "name not resolved to an address");
		buf_adds(&t->scratch, ")");
	}
	/* A plain path with a line number and a note stays plain. */
	if (plain)
		csv_raw(l, t->scratch.p, t->scratch.len);
	else
		csv_cell(l, t->scratch.p, t->scratch.len);
}

/* A cell known to need no quoting or guard: a time, a status name. */
static void
cell_plain(struct csv_line *l, const char *s)
{
	csv_raw(l, s, strlen(s));
}

/* The cells every row begins with, in both tables: time, message_id,
 * sender, recipient, parent. The message's own cells come from the
 * cache; a NOQUEUE refusal's message has no Message-ID and its
 * sender is the refusal's. */
static void
row_start(struct trace_out *t, const struct recon_row *row, int64_t time,
    uint32_t rcpt)
{
	struct csv_line *l = &t->line;
	char when[32];

	csv_begin(l);
	tzconv_format(t->tz, time, when);
	cell_plain(l, when);
	csv_raw(l, t->msgid.b.p, t->msgid.b.len);
	csv_raw(l, t->sender.b.p, t->sender.b.len);
	cell_id(t, l, rcpt);
	cell_id(t, l, row->r != NULL ? row->parent : 0);
}

static void
write_row(struct trace_out *t, const struct recon_msg *m,
    const struct recon_row *row)
{
	struct csv_line *l = &t->line;

	if (row->r != NULL) {
		const struct rcpt *r = row->r;

		row_start(t, row, r->time, r->addr);
		cell_plain(l, rcpt_status_name(r->status));
		cell_plain(l, rcpt_vis_name(row->vis));
		/* A header address refused at RCPT time: the refusing
		 * host, and no queue. */
		cell_id(t, l, row->rj != NULL ? row->rj->host :
		    row->hop->host);
		csv_cells(l, row->rj != NULL ? "" : row->hop->qid);
		cell_id(t, l, r->relay);
		cell_id(t, l, r->dsn);
		csv_raw(l, t->subject.b.p, t->subject.b.len);
		cell_evidence(t, l, r->evid, m->join,
		    (r->flags & RF_UNRESOLVED) != 0);
	} else {
		const struct reject *rj = row->rj;

		row_start(t, row, rj->time, rj->rcpt);
		cell_plain(l, rcpt_status_name(RCPT_REJECTED));
		cell_plain(l, rcpt_vis_name(VIS_UNKNOWN));
		cell_id(t, l, rj->host);
		csv_cell(l, "", 0);
		csv_cell(l, "", 0);
		cell_id(t, l, rj->dsn);
		csv_cell(l, "", 0);
		cell_evidence(t, l, rj->evid, RECON_JOIN_NONE, false);
	}
	end_row(t);
}

void
trace_begin(struct trace_out *t)
{
	fputs(TRACE_HEADER "\r\n", t->f);
}

/* Calls write() for each selected row of m, and begin() once before
 * the first. */
static void
each_selected_row(struct trace_out *t, const struct recon_msg *m,
    void (*begin)(struct trace_out *, const struct recon_msg *),
    void (*write)(struct trace_out *, const struct recon_msg *,
    const struct recon_row *))
{
	bool begun = false;
	size_t k;

	if (t->sel != NULL && !select_msg(t->sel, t->st, m))
		return;
	for (k = 0; k < m->nrows; k++) {
		if (t->sel != NULL && !select_row(t->sel, t->st, &m->rows[k]))
			continue;
		if (!begun) {
			begin(t, m);
			begun = true;
		}
		write(t, m, &m->rows[k]);
	}
}

/* The cells of m's own, encoded once for its rows. */
static void
cache_msg_cells(struct trace_out *t, const struct recon_msg *m)
{
	cache_cell(&t->msgid, m->msgid);
	cache_cell(&t->sender, intern_str(&t->st->strings, m->sender));
	cache_cell(&t->subject, m->subject);
}

int
trace_msg(void *ctx, const struct recon_msg *m)
{
	each_selected_row(ctx, m, cache_msg_cells, write_row);
	return 0;
}

void
trace_attempts_begin(struct trace_out *t)
{
	fputs(TRACE_ATTEMPTS_HEADER "\r\n", t->f);
}

static void
attempt_number(struct csv_line *l, unsigned long n)
{
	char num[24];

	snprintf(num, sizeof(num), "%lu", n);
	cell_plain(l, num);
}

static void
attempt_end(struct trace_out *t, const char *reply, uint64_t evid,
    uint8_t join, bool unresolved)
{
	struct csv_line *l = &t->line;

	csv_cells(l, reply);
	cell_evidence(t, l, evid, join, unresolved);
	end_row(t);
}

/*
 * A message's attempts grouped for its rows: recipients are numbered
 * across hops (base[h] + index), first[] gives each one's run in
 * order[] (attempt k of hop h as (h, k)), and a map from (address,
 * parent) chains the recipients of every hop with that pair, in hop
 * order. Built once per message, in time linear in its recipients and
 * attempts.
 */
struct att_index {
	uint32_t *base;			/* nhops + 1 */
	uint32_t *first;		/* recipients + 1 */
	uint32_t *order_hop, *order_k;	/* attempts */
	uint32_t *next;			/* recipients: next with the pair */
	uint32_t *slots;		/* map: recipient + 1, 0 empty */
	size_t mask;
	size_t capbase, capfirst, caphop, capk, capnext, capslots;
	/* The tries gathered for the current row, with their hops. */
	const struct msg_attempt **tries;
	const struct msg **try_hops;
	size_t ntries, captries, captryhops;
};

static void *
grow(void *p, size_t *cap, size_t need, size_t size)
{
	if (need <= *cap)
		return p;
	*cap = need < 16 ? 16 : need * 2;
	return xreallocarray(p, *cap, size);
}

static uint64_t
pair_key(const struct rcpt *r)
{
	return ((uint64_t)r->addr << 32) | r->parent;
}

static const struct rcpt *
rcpt_at(const struct recon_msg *m, const struct att_index *ai, uint32_t g,
    uint32_t *hop)
{
	uint32_t h = 0;

	while (g >= ai->base[h + 1])
		h++;
	*hop = h;
	return &m->hops[h].rcpts[g - ai->base[h]];
}

/* The map slot of the pair key: its chain's, or the empty one where it
 * would go. */
static size_t
att_slot(const struct att_index *ai, const struct recon_msg *m,
    uint64_t key)
{
	uint32_t hop;
	size_t j;

	for (j = hash_u64(key) & ai->mask; ai->slots[j] != 0;
	    j = (j + 1) & ai->mask)
		if (pair_key(rcpt_at(m, ai, ai->slots[j] - 1, &hop)) == key)
			break;
	return j;
}

static void
att_index_build(struct att_index *ai, const struct recon_msg *m)
{
	uint32_t h, k, n = 0, na = 0, g;
	size_t nslots = 16, j;
	uint32_t *tail;

	ai->base = grow(ai->base, &ai->capbase, (size_t)m->nhops + 1,
	    sizeof(*ai->base));
	for (h = 0; h < m->nhops; h++) {
		ai->base[h] = n;
		n += m->hops[h].nrcpts;
		na += m->hops[h].natts;
	}
	ai->base[m->nhops] = n;
	ai->first = grow(ai->first, &ai->capfirst, (size_t)n + 1,
	    sizeof(*ai->first));
	ai->next = grow(ai->next, &ai->capnext, (size_t)n + 1,
	    sizeof(*ai->next));
	ai->order_hop = grow(ai->order_hop, &ai->caphop, (size_t)na + 1,
	    sizeof(*ai->order_hop));
	ai->order_k = grow(ai->order_k, &ai->capk, (size_t)na + 1,
	    sizeof(*ai->order_k));

	/* Counting sort of the attempts by recipient, stable. */
	memset(ai->first, 0, ((size_t)n + 1) * sizeof(*ai->first));
	for (h = 0; h < m->nhops; h++)
		for (k = 0; k < m->hops[h].natts; k++)
			if (m->hops[h].atts[k].rcpt < m->hops[h].nrcpts)
				ai->first[ai->base[h] +
				    m->hops[h].atts[k].rcpt + 1]++;
	for (g = 0; g < n; g++)
		ai->first[g + 1] += ai->first[g];
	tail = ai->next;	/* as scratch: where each run is filled to */
	for (g = 0; g < n; g++)
		tail[g] = ai->first[g];
	for (h = 0; h < m->nhops; h++)
		for (k = 0; k < m->hops[h].natts; k++) {
			uint32_t r = m->hops[h].atts[k].rcpt;

			if (r >= m->hops[h].nrcpts)
				continue;
			g = ai->base[h] + r;
			ai->order_hop[tail[g]] = h;
			ai->order_k[tail[g]++] = k;
		}

	/* Chains of recipients by (address, parent), in hop order. */
	while (nslots < (size_t)n * 2)
		nslots *= 2;
	ai->slots = grow(ai->slots, &ai->capslots, nslots, sizeof(*ai->slots));
	memset(ai->slots, 0, nslots * sizeof(*ai->slots));
	ai->mask = nslots - 1;
	for (g = n; g-- > 0;) {
		uint32_t hop;

		j = att_slot(ai, m, pair_key(rcpt_at(m, ai, g, &hop)));
		/* Walking back, each one goes in front of its chain. */
		ai->next[g] = ai->slots[j];
		ai->slots[j] = g + 1;
	}
}

/* The first recipient (numbered across hops) with r's address and
 * parent, + 1; 0 when none. */
static uint32_t
att_index_find(const struct att_index *ai, const struct recon_msg *m,
    const struct rcpt *r)
{
	if (ai->base[m->nhops] == 0)
		return 0;
	return ai->slots[att_slot(ai, m, pair_key(r))];
}

static void
att_index_free(struct att_index *ai)
{
	if (ai == NULL)
		return;
	free(ai->base);
	free(ai->first);
	free(ai->order_hop);
	free(ai->order_k);
	free(ai->next);
	free(ai->slots);
	free(ai->tries);
	free(ai->try_hops);
	free(ai);
}

/* One refusal as a try: a NOQUEUE reject, or a header address the MTA
 * refused at RCPT time. */
static void
write_refusal(struct trace_out *t, const struct recon_row *row,
    const struct reject *rj, uint8_t join)
{
	struct csv_line *l = &t->line;

	row_start(t, row, rj->time, rj->rcpt);
	attempt_number(l, 1);
	cell_plain(l, rcpt_status_name(RCPT_REJECTED));
	cell_id(t, l, rj->host);
	csv_cell(l, "", 0);
	csv_cell(l, "", 0);
	cell_id(t, l, rj->dsn);
	attempt_end(t, NULL, rj->evid, join, false);
}

/* Gathers the tries at recipient g (numbered across hops) in the
 * row's list; returns how many the list holds. */
static size_t
gather_tries(struct att_index *ai, const struct recon_msg *m, uint32_t g)
{
	uint32_t o;

	for (o = ai->first[g]; o < ai->first[g + 1]; o++) {
		const struct msg *hop = &m->hops[ai->order_hop[o]];

		ai->tries = grow(ai->tries, &ai->captries, ai->ntries + 1,
		    sizeof(*ai->tries));
		ai->try_hops = grow(ai->try_hops, &ai->captryhops,
		    ai->ntries + 1, sizeof(*ai->try_hops));
		ai->tries[ai->ntries] = &hop->atts[ai->order_k[o]];
		ai->try_hops[ai->ntries++] = hop;
	}
	return ai->ntries;
}

static bool
same_try(const struct msg *ha, const struct msg_attempt *a,
    const struct msg *hb, const struct msg_attempt *b)
{
	return a->time == b->time && a->status == b->status &&
	    a->dsn == b->dsn && a->relay == b->relay &&
	    ha->host == hb->host && strcmp(ha->qid, hb->qid) == 0;
}

/* Writes the gathered tries, numbered from 1. The same log read twice
 * (two copies, two formats) gives each try twice, on two lifetimes that
 * recon joined: only the last of equal tries is written, as the trace
 * takes its outcome from the last. */
static void
write_tries(struct trace_out *t, const struct recon_msg *m,
    const struct recon_row *row)
{
	struct att_index *ai = t->ai;
	struct csv_line *l = &t->line;
	unsigned long n = 0;
	size_t i, j;

	for (i = 0; i < ai->ntries; i++) {
		const struct msg *hop = ai->try_hops[i];
		const struct msg_attempt *a = ai->tries[i];
		const struct rcpt *r = &hop->rcpts[a->rcpt];

		for (j = i + 1; j < ai->ntries; j++)
			if (same_try(hop, a, ai->try_hops[j], ai->tries[j]))
				break;
		if (j < ai->ntries)
			continue;
		row_start(t, row, a->time, row->r->addr);
		attempt_number(l, ++n);
		cell_plain(l, rcpt_status_name(a->status));
		cell_id(t, l, hop->host);
		csv_cells(l, hop->qid);
		cell_id(t, l, a->relay);
		cell_id(t, l, a->dsn);
		attempt_end(t, a->reply, a->evid, m->join,
		    (r->flags & RF_UNRESOLVED) != 0);
	}
}

/* The tries of one recipient row: those at every hop's recipient with
 * the row's address and parent, in hop order; else those at the row's
 * own recipient record (an Exim bare local part the row names in full);
 * else its refusal. */
static void
write_attempts(struct trace_out *t, const struct recon_msg *m,
    const struct recon_row *row)
{
	struct att_index *ai = t->ai;
	const struct msg *hop = row->hop;
	uint32_t g;

	ai->ntries = 0;
	if (row->r == NULL) {
		write_refusal(t, row, row->rj, RECON_JOIN_NONE);
		return;
	}
	for (g = att_index_find(ai, m, row->r); g != 0; g = ai->next[g - 1])
		gather_tries(ai, m, g - 1);
	if (ai->ntries == 0 && hop != NULL && row->r >= hop->rcpts &&
	    row->r < hop->rcpts + hop->nrcpts)
		gather_tries(ai, m, ai->base[hop - m->hops] +
		    (uint32_t)(row->r - hop->rcpts));
	if (ai->ntries == 0 && hop != NULL && row->r->evid != 0) {
		uint32_t i;

		/* A copy of the record: the recipient of the same line. */
		for (i = 0; i < hop->nrcpts && ai->ntries == 0; i++)
			if (hop->rcpts[i].evid == row->r->evid)
				gather_tries(ai, m, ai->base[hop - m->hops] +
				    i);
	}
	if (ai->ntries > 0)
		write_tries(t, m, row);
	else if (row->rj != NULL)
		write_refusal(t, row, row->rj, m->join);
}

/* The message's cells and its attempts index. */
static void
begin_attempts(struct trace_out *t, const struct recon_msg *m)
{
	cache_msg_cells(t, m);
	if (t->ai == NULL)
		t->ai = xcalloc(1, sizeof(*t->ai));
	att_index_build(t->ai, m);
}

int
trace_attempts_msg(void *ctx, const struct recon_msg *m)
{
	each_selected_row(ctx, m, begin_attempts, write_attempts);
	return 0;
}

int
trace_end(struct trace_out *t)
{
	flush_out(t);
	buf_free(&t->out);
	buf_free(&t->line.b);
	buf_free(&t->scratch);
	buf_free(&t->msgid.b);
	buf_free(&t->sender.b);
	buf_free(&t->subject.b);
	free(t->plain);
	free(t->src_plain);
	att_index_free(t->ai);
	t->ai = NULL;
	t->plain = t->src_plain = NULL;
	t->nplain = 0;
	return ferror(t->f) ? -1 : 0;
}
