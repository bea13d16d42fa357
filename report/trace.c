/*
 * trace - reconstruction CSV. See trace.h.
 */
#include "trace.h"
#include "csv.h"

#include <inttypes.h>
#include <string.h>

static void
cell_id(struct csv_line *l, const struct intern *s, uint32_t id)
{
	csv_cell(l, intern_str(s, id), intern_len(s, id));
}

static void
cell_evidence(struct trace_out *t, struct csv_line *l, uint32_t src,
    uint64_t line)
{
	if (src >= t->nsources) {
		csv_cell(l, "", 0);
		return;
	}
	buf_reset(&t->scratch);
	buf_adds(&t->scratch, t->sources[src]);
	buf_printf(&t->scratch, ":%" PRIu64, line);
	csv_cell(l, t->scratch.p, t->scratch.len);
}

static void
write_row(struct trace_out *t, struct csv_line *l, const struct recon *rc,
    const struct recon_group *g, const struct recon_row *row)
{
	const struct intern *s = &rc->st->strings;
	char when[32];

	csv_begin(l);
	if (row->r != NULL) {
		const struct rcpt *r = row->r;

		tzconv_format(t->tz, r->time, when);
		csv_cells(l, when);
		cell_id(l, s, g->msgid);
		cell_id(l, s, g->sender);
		cell_id(l, s, r->addr);
		cell_id(l, s, row->parent);
		csv_cells(l, rcpt_status_name(r->status));
		csv_cells(l, rcpt_vis_name(r->vis));
		cell_id(l, s, row->hop->host);
		csv_cells(l, row->hop->qid);
		cell_id(l, s, r->relay);
		cell_id(l, s, r->dsn);
		cell_id(l, s, g->subject);
		cell_evidence(t, l, r->src, r->line);
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
		cell_evidence(t, l, rj->src, rj->line);
	}
	csv_end(l);
	fwrite(l->b.p, 1, l->b.len, t->f);
	t->rows++;
}

int
trace_write(struct trace_out *t, const struct recon *rc, struct select *sel)
{
	struct csv_line l = { 0 };
	size_t i, k;

	fputs(TRACE_HEADER "\r\n", t->f);
	for (i = 0; i < rc->ngroups; i++) {
		const struct recon_group *g = &rc->groups[i];

		if (sel != NULL && !select_group(sel, rc->st, g))
			continue;
		for (k = 0; k < g->nrows; k++) {
			const struct recon_row *row = &rc->rows[g->row0 + k];

			if (sel != NULL && !select_row(sel, rc->st, row))
				continue;
			write_row(t, &l, rc, g, row);
		}
	}
	buf_free(&l.b);
	buf_free(&t->scratch);
	return ferror(t->f) ? -1 : 0;
}
