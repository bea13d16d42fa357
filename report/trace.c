/*
 * trace - reconstruction CSV. See trace.h.
 */
#include "trace.h"

#include <inttypes.h>
#include <string.h>

static void
cell_id(struct csv_line *l, const struct intern *s, uint32_t id)
{
	csv_cell(l, intern_str(s, id), intern_len(s, id));
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

	do {
		*--p = (char)('0' + line % 10);
	} while ((line /= 10) != 0);
	*--p = ':';
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
	csv_cell(l, t->scratch.p, t->scratch.len);
}

static void
write_row(struct trace_out *t, const struct recon_msg *m,
    const struct recon_row *row)
{
	const struct intern *s = &t->st->strings;
	struct csv_line *l = &t->line;
	char when[32];

	csv_begin(l);
	if (row->r != NULL) {
		const struct rcpt *r = row->r;

		tzconv_format(t->tz, r->time, when);
		csv_cells(l, when);
		csv_cells(l, m->msgid);
		cell_id(l, s, m->sender);
		cell_id(l, s, r->addr);
		cell_id(l, s, row->parent);
		csv_cells(l, rcpt_status_name(r->status));
		csv_cells(l, rcpt_vis_name(row->vis));
		/* A header address refused at RCPT time: the refusing
		 * host, and no queue. */
		cell_id(l, s, row->rj != NULL ? row->rj->host : row->hop->host);
		csv_cells(l, row->rj != NULL ? "" : row->hop->qid);
		cell_id(l, s, r->relay);
		cell_id(l, s, r->dsn);
		csv_cells(l, m->subject);
		cell_evidence(t, l, r->evid, m->join,
		    (r->flags & RF_UNRESOLVED) != 0);
	} else {
		const struct reject *rj = row->rj;

		tzconv_format(t->tz, rj->time, when);
		csv_cells(l, when);
		csv_cell(l, "", 0);
		cell_id(l, s, rj->sender);
		cell_id(l, s, rj->rcpt);
		csv_cell(l, "", 0);
		csv_cells(l, rcpt_status_name(RCPT_REJECTED));
		csv_cells(l, rcpt_vis_name(VIS_UNKNOWN));
		cell_id(l, s, rj->host);
		csv_cell(l, "", 0);
		csv_cell(l, "", 0);
		cell_id(l, s, rj->dsn);
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
	size_t k;

	if (t->sel != NULL && !select_msg(t->sel, t->st, m))
		return 0;
	for (k = 0; k < m->nrows; k++) {
		if (t->sel != NULL && !select_row(t->sel, t->st, &m->rows[k]))
			continue;
		write_row(t, m, &m->rows[k]);
	}
	return 0;
}

int
trace_end(struct trace_out *t)
{
	buf_free(&t->line.b);
	buf_free(&t->scratch);
	return ferror(t->f) ? -1 : 0;
}
