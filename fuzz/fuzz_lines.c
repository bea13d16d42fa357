/*
 * fuzz_lines - log lines through the whole pipeline: format detection,
 * syslog prefix, time stamps, every parser dispatch routes to (Postfix,
 * Exim, and whatever dispatch.c learns later), the message model, the
 * reconstruction and the trace CSV
 *
 * The input is one log file; fuzz_split.c cuts it into lines as the
 * input layer does. The trace is written to a memory stream and must be
 * valid UTF-8 made of CRLF-ended records. Inputs over FUZZ_LINES_MAX are
 * ignored: longer ones add time, not paths.
 */
#include "fuzz.h"
#include "fuzz_split.h"

#include <string.h>

#include "../audit/msg_store.h"
#include "../audit/recon.h"
#include "../parsers/dispatch.h"
#include "../report/trace.h"

#define FUZZ_LINES_MAX	(64u << 10)

const char fuzz_target[] = "lines";

/* Columns of the trace (TRACE_HEADER), and of the attempts table. */
#define TRACE_COLUMNS	13

/* Both reports of a run. */
struct outs {
	struct trace_out trace, attempts;
};

struct shape {
	size_t record, fields;
};

/* Every record of the trace has TRACE_COLUMNS fields. */
static void
check_field(void *ctx, size_t record, size_t field, const char *p,
    size_t len, bool quoted)
{
	struct shape *sh = ctx;

	if (record != sh->record) {
		FUZZ_CHECK(sh->fields == TRACE_COLUMNS);
		sh->record = record;
		sh->fields = 0;
	}
	FUZZ_CHECK(field == sh->fields);
	sh->fields++;
}

/* Checks each message handed to the report, then writes it. */
static int
check_msg(void *ctx, const struct recon_msg *m)
{
	size_t i;

	FUZZ_CHECK(m->nrows == 0 || m->rows != NULL);
	if (m->msgid != NULL)
		fuzz_touch(m->msgid, strlen(m->msgid));
	if (m->subject != NULL)
		fuzz_touch(m->subject, strlen(m->subject));
	for (i = 0; i < m->nrows; i++) {
		const struct recon_row *r = &m->rows[i];

		FUZZ_CHECK(r->vis < VIS_COUNT);
		FUZZ_CHECK(r->r != NULL || r->rj != NULL);
		if (r->r != NULL)
			FUZZ_CHECK(r->r->status < RCPT_STATUS_COUNT);
	}
	if (trace_msg(&((struct outs *)ctx)->trace, m) != 0)
		return -1;
	return trace_attempts_msg(&((struct outs *)ctx)->attempts, m);
}

/* Opens a report on a memory stream. */
static void
out_open(struct trace_out *to, FILE *f, struct dispatch *d,
    const char **sources, struct msg_store *st)
{
	memset(to, 0, sizeof(*to));
	to->f = f;
	to->tz = &d->tz;
	to->sources = sources;
	to->nsources = 1;
	to->sel = NULL;
	to->st = st;
}

/* A report is valid UTF-8 CSV of TRACE_COLUMNS fields a record, with
 * its rows and the header. */
static void
out_check(const char *out, size_t outlen, uint64_t rows)
{
	struct shape sh = { 0, 0 };

	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)out, outlen));
	FUZZ_CHECK(fuzz_csv_parse(out, outlen, check_field, &sh) ==
	    (long)rows + 1);
	FUZZ_CHECK(sh.fields == TRACE_COLUMNS);
}

/* Files every other event as mailspill does while filing lags: its
 * addresses put in canonical form first (msg_store_prep_event()). */
struct filer {
	struct msg_store *st;
	unsigned n;
};

static void
file_event(void *ctx, const struct event *ev)
{
	struct filer *fl = ctx;
	struct event copy;

	if (fl->n++ % 2 == 0) {
		msg_store_event(fl->st, ev);
		return;
	}
	copy = *ev;
	msg_store_prep_event(fl->st, &copy);
	msg_store_event(fl->st, &copy);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag diag;
	struct dispatch d;
	struct dispatch_opts o;
	struct msg_store st;
	struct filer fl = { &st, 0 };
	struct input_stream s, *sv[1] = { &s };
	struct input_set set;
	struct recon_stats rs;
	struct outs os;
	const char *sources[1];
	char *out = NULL, *aout = NULL;
	size_t outlen = 0, aoutlen = 0;
	FILE *f, *af;

	if (size > FUZZ_LINES_MAX)
		return 0;
	memset(&o, 0, sizeof(o));
	o.force_format = FMT_UNKNOWN;
	diag_init(&diag, NULL);
	msg_store_init(&st);
	st.keep_attempts = true;
	dispatch_init(&d, &o, &diag, file_event, &fl);
	fuzz_split_stream(&s);
	fuzz_split_sniff(&s, data, size, dispatch_sniff, &d);
	/* The order mailspill.c keeps: prepare once every stream is
	 * sniffed, finish after the last line. */
	memset(&set, 0, sizeof(set));
	set.v = sv;
	set.n = set.cap = 1;
	set.diag = &diag;
	dispatch_prepare(&d, &set);
	fuzz_split_read(&s, data, size, dispatch_line, &d);
	dispatch_finish(&d);
	FUZZ_CHECK(s.recognized + s.context + s.unrecognized +
	    s.other_program <= s.lines);
	msg_store_finish(&st);

	f = open_memstream(&out, &outlen);
	af = open_memstream(&aout, &aoutlen);
	FUZZ_CHECK(f != NULL && af != NULL);
	sources[0] = s.display;
	out_open(&os.trace, f, &d, sources, &st);
	out_open(&os.attempts, af, &d, sources, &st);
	memset(&rs, 0, sizeof(rs));
	trace_begin(&os.trace);
	trace_attempts_begin(&os.attempts);
	recon_run(&st, check_msg, &os, &rs);
	FUZZ_CHECK(trace_end(&os.trace) == 0);
	FUZZ_CHECK(trace_end(&os.attempts) == 0);
	fclose(f);
	fclose(af);
	out_check(out, outlen, os.trace.rows);
	out_check(aout, aoutlen, os.attempts.rows);
	free(aout);
	free(out);
	msg_store_free(&st);
	return 0;
}
