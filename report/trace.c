/*
 * trace - reconstruction CSV. See trace.h.
 */
#include "trace.h"
#include "../lib/xalloc.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

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

static void
write_row(struct trace_out *t, const struct recon_msg *m,
    const struct recon_row *row)
{
	struct csv_line *l = &t->line;
	char when[32];

	csv_begin(l);
	if (row->r != NULL) {
		const struct rcpt *r = row->r;

		tzconv_format(t->tz, r->time, when);
		/* Times and the status and visibility names are plain. */
		csv_raw(l, when, strlen(when));
		csv_raw(l, t->msgid.b.p, t->msgid.b.len);
		csv_raw(l, t->sender.b.p, t->sender.b.len);
		cell_id(t, l, r->addr);
		cell_id(t, l, row->parent);
		csv_raw(l, rcpt_status_name(r->status),
		    strlen(rcpt_status_name(r->status)));
		csv_raw(l, rcpt_vis_name(row->vis),
		    strlen(rcpt_vis_name(row->vis)));
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

		tzconv_format(t->tz, rj->time, when);
		csv_cells(l, when);
		csv_cell(l, "", 0);
		cell_id(t, l, rj->sender);
		cell_id(t, l, rj->rcpt);
		csv_cell(l, "", 0);
		csv_cells(l, rcpt_status_name(RCPT_REJECTED));
		csv_cells(l, rcpt_vis_name(VIS_UNKNOWN));
		cell_id(t, l, rj->host);
		csv_cell(l, "", 0);
		csv_cell(l, "", 0);
		cell_id(t, l, rj->dsn);
		csv_cell(l, "", 0);
		cell_evidence(t, l, rj->evid, RECON_JOIN_NONE, false);
	}
	csv_end(l);
	fwrite(l->b.p, 1, l->b.len, t->f);
	t->rows++;
}

void
trace_begin(struct trace_out *t)
{
	fputs(TRACE_HEADER "\r\n", t->f);
}

int
trace_msg(void *ctx, const struct recon_msg *m)
{
	struct trace_out *t = ctx;
	bool cached = false;
	size_t k;

	if (t->sel != NULL && !select_msg(t->sel, t->st, m))
		return 0;
	for (k = 0; k < m->nrows; k++) {
		if (t->sel != NULL && !select_row(t->sel, t->st, &m->rows[k]))
			continue;
		if (!cached) {
			cache_cell(&t->msgid, m->msgid);
			cache_cell(&t->sender, intern_str(&t->st->strings,
			    m->sender));
			cache_cell(&t->subject, m->subject);
			cached = true;
		}
		write_row(t, m, &m->rows[k]);
	}
	return 0;
}

int
trace_end(struct trace_out *t)
{
	buf_free(&t->line.b);
	buf_free(&t->scratch);
	buf_free(&t->msgid.b);
	buf_free(&t->sender.b);
	buf_free(&t->subject.b);
	free(t->plain);
	free(t->src_plain);
	t->plain = t->src_plain = NULL;
	t->nplain = 0;
	return ferror(t->f) ? -1 : 0;
}
