/*
 * dispatch - lines to parsers. See dispatch.h.
 */
#include "dispatch.h"
#include "exim.h"
#include "postfix.h"
#include "syslog.h"
#include "../lib/buf.h"

#include <string.h>

void
dispatch_init(struct dispatch *d, const struct dispatch_opts *o,
    struct diag *diag, event_sink_fn sink, void *sink_ctx)
{
	memset(d, 0, sizeof(*d));
	d->opts = *o;
	tzconv_init(&d->tz);
	d->diag = diag;
	d->sink = sink;
	d->sink_ctx = sink_ctx;
	domino_init(&d->dom, o->directory, o->date_order);
}

/* Sets up the year inference for a stream from its file time. */
static void
clock_for_stream(struct dispatch *d, struct input_stream *s,
    struct tstamp_clock *c)
{
	int y, mon, day, h, mi, sec;
	int64_t local = s->mtime + tzconv_offset(&d->tz, s->mtime);

	tstamp_civil_from_epoch(local, &y, &mon, &day, &h, &mi, &sec);
	tstamp_clock_init(c, y, mon, day, d->opts.year);
}

static int64_t
stamp_epoch(struct dispatch *d, struct tstamp_tm *tm)
{
	if (tm->has_zone)
		return tstamp_timegm(tm->year, tm->mon, tm->day, tm->hour,
		    tm->min, tm->sec) - tm->gmtoff;
	return tzconv_to_epoch(&d->tz, tm->year, tm->mon, tm->day, tm->hour,
	    tm->min, tm->sec);
}

static bool
looks_exim(const char *p, size_t len)
{
	struct tstamp_tm tm;
	size_t n = tstamp_iso(p, len, true, &tm);

	return n > 0 && n < len && p[10] == ' ' && p[n] == ' ';
}

/* See dispatch.h. */
void
dispatch_sniff(void *ctx, struct input_stream *s, const char *const *lines,
    const size_t *lens, size_t n)
{
	struct dispatch *d = ctx;
	size_t i, syslog_ok = 0, exim_ok = 0, nonempty = 0, untimed = 0;
	size_t exim_ids = 0, domino_ok;
	struct syslog_rec r;
	bool first = true;

	for (i = 0; i < n; i++) {
		if (lens[i] == 0)
			continue;
		nonempty++;
		if (i == 0 && lens[i] > 5 && memcmp(lines[i], "From ", 5) == 0) {
			s->format = FMT_MBOX;
			break;
		}
		if (syslog_parse(lines[i], lens[i], &r) == 0 &&
		    (!looks_exim(lines[i], lens[i]) ||
		    exim_syslog_credible(&r))) {
			syslog_ok++;
			if (first) {
				size_t hl = r.host.len < sizeof(s->host) - 1 ?
				    r.host.len : sizeof(s->host) - 1;
				struct tstamp_clock c;

				memcpy(s->host, r.host.p, hl);
				s->host[hl] = '\0';
				if (r.tm.year == 0) {
					clock_for_stream(d, s, &c);
					tstamp_clock_year(&c, &r.tm);
					s->year = r.tm.year;
					s->year_from = d->opts.year ? "--year" :
					    s->mtime_from;
				}
				s->first_time = stamp_epoch(d, &r.tm);
				s->has_time = true;
				first = false;
			}
		} else if (looks_exim(lines[i], lens[i])) {
			struct tstamp_tm tm;
			size_t sl = tstamp_iso(lines[i], lens[i], true, &tm);

			exim_ok++;
			if (exim_has_msgid(str_make(lines[i] + sl + 1,
			    lens[i] - sl - 1)))
				exim_ids++;
			if (!s->has_time) {
				s->first_time = stamp_epoch(d, &tm);
				s->has_time = true;
			}
		} else if (exim_parse_untimed(str_make(lines[i], lens[i])) ==
		    PARSE_CONTEXT) {
			untimed++;	/* reject log header dumps */
		}
	}
	domino_ok = s->format == FMT_UNKNOWN ? domino_sniff_score(lines, lens,
	    n) : 0;
	if (s->format == FMT_UNKNOWN && nonempty > 0) {
		/* Most lines decide: a stray banner line must not. */
		if (syslog_ok * 2 >= nonempty)
			s->format = FMT_SYSLOG;
		else if (domino_ok > 0 && domino_ok >= exim_ok &&
		    domino_ok * 4 >= nonempty)
			s->format = FMT_DOMINO;	/* quotes mix in other text */
		else if (exim_ok > 0 && (exim_ok * 2 >= nonempty - untimed ||
		    (exim_ids >= 2 && syslog_ok == 0)))
			s->format = FMT_EXIM;	/* IDs: even among other text */
	}
	if (s->format == FMT_UNKNOWN && mbox_sniff(lines, lens, n))
		s->format = FMT_MBOX;	/* bare From_, MMDF, one message */
	if (d->opts.force_format != FMT_UNKNOWN)
		s->format = d->opts.force_format;
	if (s->format == FMT_EXIM) {
		/* A plain Exim log names no host: see exim.h. */
		if (d->opts.host != NULL)
			snprintf(s->host, sizeof(s->host), "%s", d->opts.host);
		else
			exim_host_from_path(s->display, s->host,
			    sizeof(s->host));
	}
	if (s->format == FMT_DOMINO) {
		if (d->opts.host != NULL)
			snprintf(s->host, sizeof(s->host), "%s", d->opts.host);
		else
			domino_host_from_path(s->display, s->host,
			    sizeof(s->host));
		domino_sniff(&d->dom, s, lines, lens, n, &d->tz);
	}
}

static void
note_unrecognized(struct dispatch *d, struct input_stream *s,
    const char *line, size_t len, uint64_t lineno)
{
	s->unrecognized++;
	if (d->unparsed != NULL) {
		struct buf b = { 0 };

		buf_printf(&b, "%s:%llu: ", s->display,
		    (unsigned long long)lineno);
		buf_add_repr(&b, line, len, 4096);
		fprintf(d->unparsed, "%s\n", b.p);
		buf_free(&b);
	}
}

static void
count_result(struct dispatch *d, struct input_stream *s,
    enum parse_result res, const char *line, size_t len, uint64_t lineno)
{
	if (res == PARSE_EVENT)
		s->recognized++;
	else if (res == PARSE_CONTEXT)
		s->context++;
	else
		note_unrecognized(d, s, line, len, lineno);
}

/* Time of a stamp. Consecutive lines mostly share theirs: resolve it
 * once. */
static int64_t
stamp_time(struct dispatch *d, struct str stamp, struct tstamp_tm *tm)
{
	int64_t t;

	if (stamp.len == d->last_stamp_len && stamp.len > 0 &&
	    memcmp(stamp.p, d->last_stamp, stamp.len) == 0)
		return d->last_time;
	if (tm->year == 0)
		tstamp_clock_year(&d->clock, tm);
	t = stamp_epoch(d, tm);
	if (stamp.len <= sizeof(d->last_stamp)) {
		memcpy(d->last_stamp, stamp.p, stamp.len);
		d->last_stamp_len = stamp.len;
		d->last_time = t;
		d->exim_stamp_len = 0;
	}
	return t;
}

/* The length of the last Exim stamp when line starts with it, else 0.
 * The stamp must end there: no fraction or zone may follow. */
static size_t
exim_stamp_again(const struct dispatch *d, const char *line, size_t len)
{
	size_t n = d->exim_stamp_len;

	if (n == 0 || len <= n + 1 || line[n] != ' ' ||
	    memcmp(line, d->last_stamp, n) != 0)
		return 0;
	if (!d->exim_tm.has_zone && (line[n + 1] == '+' ||
	    line[n + 1] == '-' || line[n + 1] == 'Z'))
		return 0;
	return n;
}

/* A line of an Exim main or reject log. Returns false, having done
 * nothing, for a syslog line (Exim's through syslog, or another
 * program's in a merged file): the syslog path reads it. */
static bool
exim_line(struct dispatch *d, struct input_stream *s, const char *line,
    size_t len, uint64_t lineno)
{
	struct tstamp_tm tm;
	struct syslog_rec r;
	struct event ev;
	size_t n = exim_stamp_again(d, line, len);

	if (n > 0)
		tm = d->exim_tm;
	else
		n = tstamp_iso(line, len, true, &tm);
	if (n == 0 || n >= len || line[n] != ' ') {
		/* A syslog line among them (a merged file). */
		if (n == 0 && syslog_parse(line, len, &r) == 0)
			return false;
		count_result(d, s, exim_parse_untimed(str_make(line, len)),
		    line, len, lineno);
		return true;
	}
	/* A message ID after the stamp: an Exim line, not syslog's. */
	if (exim_msgid_len(str_make(line + n + 1, len - n - 1)) == 0 &&
	    syslog_parse(line, len, &r) == 0 && exim_syslog_credible(&r))
		return false;
	event_clear(&ev);
	ev.time = stamp_time(d, str_make(line, n), &tm);
	ev.usec = tm.usec;
	if (d->last_stamp_len == n && d->exim_stamp_len == 0) {
		d->exim_stamp_len = n;
		d->exim_tm = tm;
	}
	if (s->first_seen == INT64_MIN)
		s->first_seen = ev.time;
	s->last_seen = ev.time;
	ev.host = str_make(s->host, strlen(s->host));
	ev.src = s->id;
	ev.line = lineno;
	count_result(d, s, exim_parse_line(str_make(line + n + 1,
	    len - n - 1), &ev, d->sink, d->sink_ctx), line, len, lineno);
	return true;
}

static void
begin_stream(struct dispatch *d, struct input_stream *s)
{
	d->cur = s;
	clock_for_stream(d, s, &d->clock);
	d->last_stamp_len = 0;
	d->exim_stamp_len = 0;
	if (s->format == FMT_MBOX)
		mbox_begin(&d->mbox, s->id, s->mtime, d->sink, d->sink_ctx);
	else
		mbox_finish(&d->mbox, d->sink, d->sink_ctx);
}

/* See dispatch.h. */
void
dispatch_line(void *ctx, struct input_stream *s, const char *line,
    size_t len, uint64_t lineno)
{
	struct dispatch *d = ctx;
	struct syslog_rec r;
	struct event ev;
	enum parse_result res;

	if (d->cur != s)
		begin_stream(d, s);
	if (s->format == FMT_MBOX) {
		count_result(d, s, mbox_read_line(&d->mbox, line, len, lineno,
		    d->sink, d->sink_ctx), line, len, lineno);
		return;
	}
	if (len == 0) {
		s->context++;
		return;
	}
	if (s->format == FMT_DOMINO) {
		count_result(d, s, domino_line(&d->dom, s, line, len, lineno,
		    &d->tz, d->sink, d->sink_ctx), line, len, lineno);
		return;
	}
	if (s->format == FMT_EXIM && exim_line(d, s, line, len, lineno))
		return;
	if (s->format != FMT_SYSLOG && s->format != FMT_EXIM) {
		note_unrecognized(d, s, line, len, lineno);
		return;
	}
	if (syslog_parse(line, len, &r) != 0) {
		note_unrecognized(d, s, line, len, lineno);
		return;
	}
	event_clear(&ev);
	ev.time = stamp_time(d, r.stamp, &r.tm);
	ev.usec = r.tm.usec;
	if (s->first_seen == INT64_MIN)
		s->first_seen = ev.time;
	s->last_seen = ev.time;
	ev.host = r.host;
	ev.src = s->id;
	ev.line = lineno;
	if (postfix_is_tag(&r)) {
		res = postfix_parse_line(&r, &ev, d->sink, d->sink_ctx);
	} else if (exim_is_tag(&r)) {
		res = exim_parse_line(r.msg, &ev, d->sink, d->sink_ctx);
	} else {
		s->other_program++;
		return;
	}
	count_result(d, s, res, line, len, lineno);
}

/* See dispatch.h. */
void
dispatch_finish(struct dispatch *d)
{
	mbox_finish(&d->mbox, d->sink, d->sink_ctx);
	d->dom_stats = d->dom.stats;
	domino_free(&d->dom);
	d->cur = NULL;
}

/* See dispatch.h. */
void
dispatch_prepare(struct dispatch *d, struct input_set *set)
{
	domino_prepare(&d->dom, set, d->diag, &d->tz);
}
