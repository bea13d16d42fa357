/*
 * mbox - stored mail into archive events. See mbox.h.
 *
 * A message is emitted when its header block ends; its body is only
 * looked at for the next separator and counted for Content-Length. Header
 * bytes are held in one buffer per message (capped), released with the
 * scratch lists once the events are out. Never prints, never exits.
 */
#include "mbox.h"
#include "rfc2047.h"
#include "tstamp.h"
#include "../lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
	ST_IDLE,	/* before a message: start of stream, after MMDF end */
	ST_HEADERS,
	ST_BODY,
};

static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
static const char wdays[] = "MonTueWedThuFriSatSun";

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

/* Month 1-12 of a three-letter name (any case), 0 if none. */
static int
month_of(const char *p, size_t len)
{
	int i;

	if (len < 3)
		return 0;
	for (i = 0; i < 12; i++)
		if (strncasecmp(p, months + 3 * i, 3) == 0)
			return i + 1;
	return 0;
}

static bool
is_wday(const char *p, size_t len)
{
	int i;

	if (len < 3)
		return false;
	for (i = 0; i < 7; i++)
		if (strncasecmp(p, wdays + 3 * i, 3) == 0)
			return true;
	return false;
}

/* Reads up to max digits at *i; -1 if none. */
static long
read_num(const char *p, size_t len, size_t *i, int max, int *ndig)
{
	long v = 0;
	int n = 0;

	while (*i < len && n < max && is_digit(p[*i])) {
		v = v * 10 + (p[*i] - '0');
		(*i)++;
		n++;
	}
	if (ndig != NULL)
		*ndig = n;
	return n > 0 ? v : -1;
}

/* Skips blanks and (nested) comments. */
static void
skip_cfws(const char *p, size_t len, size_t *i)
{
	int depth = 0;

	while (*i < len) {
		char c = p[*i];

		if (depth > 0) {
			if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
			else if (c == '\\' && *i + 1 < len)
				(*i)++;
		} else if (c == '(') {
			depth = 1;
		} else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			return;
		}
		(*i)++;
	}
}

/* "hh:mm[:ss]" at *i. */
static int
read_time(const char *p, size_t len, size_t *i, int *h, int *mi, int *s)
{
	*h = (int)read_num(p, len, i, 2, NULL);
	if (*h < 0 || *i >= len || p[*i] != ':')
		return -1;
	(*i)++;
	*mi = (int)read_num(p, len, i, 2, NULL);
	if (*mi < 0)
		return -1;
	*s = 0;
	if (*i < len && p[*i] == ':') {
		(*i)++;
		*s = (int)read_num(p, len, i, 2, NULL);
		if (*s < 0)
			return -1;
	}
	return *h <= 23 && *mi <= 59 && *s <= 60 ? 0 : -1;
}

/* A zone at *i: "+hhmm", "-hhmm", or a name of RFC 5322 4.3 (military
 * letters count as unknown, i.e. 0). Returns 0 with *off set, or -1. */
static int
read_zone(const char *p, size_t len, size_t *i, int32_t *off)
{
	static const struct {
		const char *name;
		int hours;
	} names[] = {
		{ "UT", 0 }, { "UTC", 0 }, { "GMT", 0 }, { "Z", 0 },
		{ "EST", -5 }, { "EDT", -4 }, { "CST", -6 }, { "CDT", -5 },
		{ "MST", -7 }, { "MDT", -6 }, { "PST", -8 }, { "PDT", -7 },
	};
	size_t j, n;

	if (*i < len && (p[*i] == '+' || p[*i] == '-')) {
		int sign = p[*i] == '-' ? -1 : 1, nd;
		size_t k = *i + 1;
		long v = read_num(p, len, &k, 4, &nd);

		if (nd != 4 || v % 100 > 59)
			return -1;
		*off = (int32_t)(sign * ((v / 100) * 3600 + (v % 100) * 60));
		*i = k;
		return 0;
	}
	for (n = 0; *i + n < len && is_alpha(p[*i + n]); n++)
		;
	if (n == 0)
		return -1;
	for (j = 0; j < sizeof(names) / sizeof(names[0]); j++)
		if (strlen(names[j].name) == n &&
		    strncasecmp(p + *i, names[j].name, n) == 0) {
			*off = names[j].hours * 3600;
			*i += n;
			return 0;
		}
	if (n == 1) {		/* military: meaning unreliable (RFC 5322) */
		*off = 0;
		*i += n;
		return 0;
	}
	return -1;
}

static int64_t
civil_epoch(int y, int mon, int d, int h, int mi, int s, int32_t off)
{
	return tstamp_timegm(y, mon, d, h, mi, s) - off;
}

/* See mbox.h. */
int
mbox_parse_date(const char *p, size_t len, int64_t *t)
{
	size_t i = 0;
	int day, mon, year, nd, h, mi, s;
	int32_t off = 0;

	skip_cfws(p, len, &i);
	if (i + 3 <= len && is_wday(p + i, len - i)) {
		i += 3;
		while (i < len && is_alpha(p[i]))	/* "Tuesday" */
			i++;
		skip_cfws(p, len, &i);
		if (i < len && p[i] == ',')
			i++;
		skip_cfws(p, len, &i);
	}
	day = (int)read_num(p, len, &i, 2, NULL);
	skip_cfws(p, len, &i);
	if (i < len && p[i] == '-')		/* "1-Jul-2003" */
		i++;
	mon = month_of(p + i, len - i);
	if (day < 1 || day > 31 || mon == 0)
		return -1;
	while (i < len && is_alpha(p[i]))
		i++;
	skip_cfws(p, len, &i);
	if (i < len && p[i] == '-')
		i++;
	year = (int)read_num(p, len, &i, 4, &nd);
	if (year < 0)
		return -1;
	if (nd == 2)
		year += year < 50 ? 2000 : 1900;
	else if (nd == 3)
		year += 1900;
	skip_cfws(p, len, &i);
	if (read_time(p, len, &i, &h, &mi, &s) != 0)
		return -1;
	skip_cfws(p, len, &i);
	if (read_zone(p, len, &i, &off) != 0)
		off = 0;		/* no zone: "-0000", unknown */
	if (day > 28 + (mon == 2 ? 1 : 3))
		return -1;
	*t = civil_epoch(year, mon, day, h, mi, s > 59 ? 59 : s, off);
	return 0;
}

/* asctime at p: "Www Mmm dd hh:mm:ss [zone] yyyy [zone]". */
static int
asctime_at(const char *p, size_t len, int64_t *t)
{
	size_t i = 0;
	int mon, day, h, mi, s, year = -1, nd;
	int32_t off = 0;

	if (len < 20 || !is_wday(p, len) || p[3] != ' ')
		return -1;
	i = 4;
	mon = month_of(p + i, len - i);
	if (mon == 0 || i + 3 >= len || p[i + 3] != ' ')
		return -1;
	i += 4;
	while (i < len && p[i] == ' ')
		i++;
	day = (int)read_num(p, len, &i, 2, NULL);
	if (day < 1 || day > 31 || i >= len || p[i] != ' ')
		return -1;
	i++;
	if (read_time(p, len, &i, &h, &mi, &s) != 0)
		return -1;
	while (i < len && p[i] == ' ')
		i++;
	if (i < len && !is_digit(p[i])) {	/* zone before the year */
		if (read_zone(p, len, &i, &off) != 0)
			return -1;
		while (i < len && p[i] == ' ')
			i++;
	}
	year = (int)read_num(p, len, &i, 4, &nd);
	if (year < 0 || nd != 4)
		return -1;
	while (i < len && p[i] == ' ')
		i++;
	if (i < len && (p[i] == '+' || p[i] == '-'))
		(void)read_zone(p, len, &i, &off);
	*t = civil_epoch(year, mon, day, h, mi, s > 59 ? 59 : s, off);
	return 0;
}

/* See mbox.h. */
int
mbox_from_line_date(const char *p, size_t len, int64_t *t)
{
	size_t i;

	if (len < 5 || memcmp(p, "From ", 5) != 0)
		return -1;
	/* The address may hold spaces (a quoted local part): try every
	 * word start, within the first few hundred bytes. */
	for (i = 5; i < len && i < 512; i++)
		if (p[i - 1] == ' ' && p[i] != ' ' &&
		    asctime_at(p + i, len - i, t) == 0)
			return 0;
	return -1;
}

/* Whether a line opens a header field: a name of printable bytes without
 * a colon or space, then optional blanks and ':' (RFC 5322 obsolete
 * syntax). */
static bool
is_field_line(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == ':')
			return i > 0;
		if (c == ' ' || c == '\t') {
			if (i == 0)
				return false;
			while (i < len && (p[i] == ' ' || p[i] == '\t'))
				i++;
			return i < len && p[i] == ':';
		}
		if (c < 33 || c > 126)
			return false;
	}
	return false;
}

static bool
is_from_line(const char *p, size_t len)
{
	return len >= 5 && memcmp(p, "From ", 5) == 0;
}

static bool
is_mmdf(const char *p, size_t len)
{
	return len == 4 && memcmp(p, "\1\1\1\1", 4) == 0;
}

/* See mbox.h. */
bool
mbox_sniff(const char *const *lines, const size_t *lens, size_t n)
{
	static const char *const common[] = {
		"from", "to", "subject", "date", "message-id", "received",
		"return-path", "delivered-to", "mime-version", "content-type",
	};
	size_t i, k, fields = 0;
	bool known = false;

	for (i = 0; i < n && lens[i] == 0; i++)
		;
	if (i == n)
		return false;
	/* Bare CR line ends (old Mac): the first line holds the header
	 * block; sniff its CR-separated pieces. */
	{
		const char *cr = memchr(lines[i], '\r', lens[i]);

		if (cr != NULL && (size_t)(cr - lines[i]) + 1 < lens[i]) {
			const char *piece[32], *p = lines[i];
			const char *end = p + lens[i];
			size_t plen[32], np = 0;

			while (np < 32 && p < end) {
				cr = memchr(p, '\r', (size_t)(end - p));
				piece[np] = p;
				plen[np++] = (size_t)((cr ? cr : end) - p);
				p = cr ? cr + 1 : end;
			}
			return mbox_sniff(piece, plen, np);
		}
	}
	for (k = i; k < n; k++) {
		const char *p = lines[k];
		size_t len = lens[k], j, nl;

		if (k == i && len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
			p += 3, len -= 3;
		if (k == i && (is_from_line(p, len) || is_mmdf(p, len)))
			return true;
		if (len == 0)
			break;
		if (p[0] == ' ' || p[0] == '\t') {
			if (fields == 0)
				return false;
			continue;
		}
		if (!is_field_line(p, len))
			return false;
		fields++;
		for (nl = 0; nl < len && p[nl] != ':' && p[nl] != ' ' &&
		    p[nl] != '\t'; nl++)
			;
		for (j = 0; j < sizeof(common) / sizeof(common[0]); j++)
			if (strlen(common[j]) == nl &&
			    strncasecmp(p, common[j], nl) == 0)
				known = true;
	}
	return fields >= 2 && known;
}

/* ---- Emitting one message ------------------------------------------- */

struct fields {
	struct str date, msgid, subject, return_path, from, clen;
	bool pseudo;
};

static void
ev_base(struct mbox_reader *m, struct event *ev, const char *qid,
    size_t qlen, int64_t t, uint64_t lineno)
{
	event_clear(ev);
	ev->time = t;
	ev->host = STR_LIT(MBOX_HOST);
	ev->qid = str_make(qid, qlen);
	ev->src = m->src;
	ev->line = lineno;
}

static void
emit(struct event *ev, enum ev_type type, event_sink_fn sink, void *ctx)
{
	ev->type = type;
	sink(ctx, ev);
	ev->hname = ev->hvalue = ev->msgid = ev->sender = STR_NULL;
	ev->addrs = NULL;
	ev->naddrs = 0;
	ev->list_complete = false;
	ev->flags = 0;
}

/* The header fields whose addresses are emitted, by name. */
static bool
is_addr_field(struct str name)
{
	static const char *const names[] = {
		"from", "sender", "reply-to", "to", "cc", "bcc",
		"resent-from", "resent-sender", "resent-to", "resent-cc",
		"resent-bcc", "delivered-to", "x-original-to", "envelope-to",
		"x-envelope-to",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == name.len &&
		    strncasecmp(names[i], name.p, name.len) == 0)
			return true;
	return false;
}

static void
unfold(struct buf *b, struct str v)
{
	buf_reset(b);
	rfc5322_unfold(b, v.p, v.len);
}

/* Emits the addresses of list (already parsed) as one EV_HDR_ADDRS. */
static void
emit_list(struct mbox_reader *m, struct event *ev, struct str name,
    bool complete, event_sink_fn sink, void *ctx)
{
	size_t i, n = 0;

	if (m->addrs.n > m->ev_cap) {
		m->ev_cap = m->addrs.n;
		m->ev_addrs = xreallocarray(m->ev_addrs, m->ev_cap,
		    sizeof(*m->ev_addrs));
	}
	for (i = 0; i < m->addrs.n; i++) {
		const struct rfc5322_addr *a = &m->addrs.v[i];

		if (a->addr.len == 0)
			continue;
		m->ev_addrs[n].addr = a->addr;
		m->ev_addrs[n].name = a->name;
		n++;
	}
	if (n == 0)
		return;
	ev->hname = name;
	ev->addrs = m->ev_addrs;
	ev->naddrs = n;
	ev->list_complete = complete &&
	    !(m->addrs.defects & RFC5322_AF_TRUNCATED);
	emit(ev, EV_HDR_ADDRS, sink, ctx);
}

/* The address of a "for" clause of an unfolded Received value. */
static struct str
received_for(struct str v)
{
	size_t i, end = v.len, j;

	for (i = v.len; i > 0; i--)
		if (v.p[i - 1] == ';') {
			end = i - 1;
			break;
		}
	for (i = 0; i + 5 <= end; i++) {
		if ((v.p[i] != ' ' && v.p[i] != '\t') ||
		    strncasecmp(v.p + i + 1, "for", 3) != 0 ||
		    (v.p[i + 4] != ' ' && v.p[i + 4] != '\t'))
			continue;
		j = i + 5;
		while (j < end && (v.p[j] == ' ' || v.p[j] == '\t'))
			j++;
		if (j < end && v.p[j] == '<') {
			size_t k = j + 1;

			while (k < end && v.p[k] != '>')
				k++;
			if (k < end && k > j + 1)
				return str_make(v.p + j, k + 1 - j);
		} else {
			size_t k = j;

			while (k < end && v.p[k] != ' ' && v.p[k] != '\t' &&
			    v.p[k] != ';')
				k++;
			if (k > j && memchr(v.p + j, '@', k - j) != NULL)
				return str_make(v.p + j, k - j);
		}
	}
	return STR_NULL;
}

static bool
name_is(struct str name, const char *want)
{
	return rfc5322_header_name_eq(name.p, name.len, want);
}

/* Pass 1: the fields read once. */
static void
collect_fields(const char *p, size_t len, struct fields *f)
{
	size_t pos = 0, flen;
	struct str name, value;

	memset(f, 0, sizeof(*f));
	while (pos < len) {
		flen = rfc5322_field_len(p + pos, len - pos);
		if (flen == 0)
			flen = 1;
		if (rfc5322_field_split(p + pos, flen, &name, &value) == 0) {
			struct str *slot = NULL;

			if (name_is(name, "date"))
				slot = &f->date;
			else if (name_is(name, "message-id"))
				slot = &f->msgid;
			else if (name_is(name, "subject"))
				slot = &f->subject;
			else if (name_is(name, "return-path"))
				slot = &f->return_path;
			else if (name_is(name, "from"))
				slot = &f->from;
			else if (name_is(name, "content-length"))
				slot = &f->clen;
			else if (name_is(name, "x-imap") ||
			    name_is(name, "x-imapbase"))
				f->pseudo = true;
			if (slot != NULL && slot->p == NULL)
				*slot = value;
		}
		pos += flen;
	}
}

static int64_t
parse_clen(struct str v)
{
	size_t i = 0;
	int64_t n = 0;

	while (v.len > 0 && (v.p[v.len - 1] == '\n' ||
	    v.p[v.len - 1] == '\r'))
		v.len--;
	v = str_trim(v);
	if (v.len == 0 || v.len > 15)
		return -1;
	for (i = 0; i < v.len; i++) {
		if (!is_digit(v.p[i]))
			return -1;
		n = n * 10 + (v.p[i] - '0');
	}
	return n;
}

/*
 * Emits the message whose header block is p[0..len). cut_off: offset of
 * the field that lost lines to the cap (len or more: none). Returns its
 * Content-Length, -1 if none.
 */
static int64_t
emit_message(struct mbox_reader *m, const char *p, size_t len,
    size_t cut_off, int64_t from_time, uint64_t lineno, event_sink_fn sink,
    void *ctx)
{
	struct fields f;
	struct event ev;
	char qid[MBOX_QID_LEN];
	size_t qlen, pos, flen, i;
	int64_t t;
	struct str name, value;
	bool bounce;

	collect_fields(p, len, &f);
	if (f.pseudo || (f.subject.p != NULL && memmem(f.subject.p,
	    f.subject.len, "FOLDER INTERNAL DATA", 20) != NULL)) {
		m->pseudo++;
		return parse_clen(f.clen);
	}
	m->ordinal++;
	m->messages++;
	qlen = (size_t)snprintf(qid, sizeof(qid), "m%lu.%llu",
	    (unsigned long)m->src, (unsigned long long)m->ordinal);
	if (qlen >= sizeof(qid))
		qlen = sizeof(qid) - 1;
	if (f.date.p == NULL || (unfold(&m->tmp, f.date),
	    mbox_parse_date(m->tmp.p, m->tmp.len, &t) != 0))
		t = from_time != INT64_MIN ? from_time : m->mtime;
	ev_base(m, &ev, qid, qlen, t, lineno);
	ev.flags = EVF_ARCHIVE;
	emit(&ev, EV_BEGIN, sink, ctx);

	if (f.msgid.p != NULL) {
		unfold(&m->tmp, f.msgid);
		rfc5322_msgid_list_reset(&m->ids);
		if (rfc5322_parse_msgids(&m->ids, m->tmp.p, m->tmp.len) > 0) {
			struct str id = m->ids.v[0].id;

			buf_reset(&m->tmp);
			buf_addc(&m->tmp, '<');
			buf_add(&m->tmp, id.p, id.len);
			buf_addc(&m->tmp, '>');
			ev.msgid = str_make(m->tmp.p, m->tmp.len);
			emit(&ev, EV_MSGID, sink, ctx);
		}
	}

	/* Envelope sender: Return-Path, else the author. */
	rfc5322_addr_list_reset(&m->addrs);
	bounce = false;
	if (f.return_path.p != NULL) {
		unfold(&m->tmp, f.return_path);
		if (STR_EQ(str_trim(str_make(m->tmp.p, m->tmp.len)), "<>")) {
			ev.sender = STR_LIT("");
			emit(&ev, EV_ENVELOPE, sink, ctx);
			bounce = true;
		} else {
			rfc5322_parse_addr_list(&m->addrs, m->tmp.p,
			    m->tmp.len, 0);
		}
	}
	if (!bounce && m->addrs.n == 0 && f.from.p != NULL) {
		unfold(&m->tmp, f.from);
		rfc5322_parse_addr_list(&m->addrs, m->tmp.p, m->tmp.len, 0);
	}
	for (i = 0; i < m->addrs.n; i++)
		if (m->addrs.v[i].addr.len > 0) {
			ev.sender = m->addrs.v[i].addr;
			emit(&ev, EV_ENVELOPE, sink, ctx);
			break;
		}

	if (f.subject.p != NULL) {
		unfold(&m->tmp, f.subject);
		value = str_trim(str_make(m->tmp.p, m->tmp.len));
		buf_reset(&m->text);
		rfc2047_decode(&m->text, value.p, value.len, 0);
		ev.hname = STR_LIT("Subject");
		ev.hvalue = str_trim(str_make(m->text.p, m->text.len));
		emit(&ev, EV_HEADER, sink, ctx);
	}

	for (pos = 0; pos < len; pos += flen) {
		bool complete;

		flen = rfc5322_field_len(p + pos, len - pos);
		if (flen == 0)
			flen = 1;
		if (rfc5322_field_split(p + pos, flen, &name, &value) != 0)
			continue;
		complete = !(cut_off >= pos && cut_off < pos + flen);
		if (is_addr_field(name)) {
			unfold(&m->tmp, value);
			rfc5322_addr_list_reset(&m->addrs);
			rfc5322_parse_addr_list(&m->addrs, m->tmp.p,
			    m->tmp.len, 0);
			emit_list(m, &ev, name, complete, sink, ctx);
		} else if (name_is(name, "received")) {
			struct str a;

			unfold(&m->tmp, value);
			a = received_for(str_make(m->tmp.p, m->tmp.len));
			if (a.len == 0)
				continue;
			rfc5322_addr_list_reset(&m->addrs);
			rfc5322_parse_addr_list(&m->addrs, a.p, a.len, 0);
			emit_list(m, &ev, STR_LIT("Received"), true, sink,
			    ctx);
		} else if (name_is(name, "in-reply-to") ||
		    name_is(name, "references")) {
			unfold(&m->tmp, value);
			rfc5322_msgid_list_reset(&m->ids);
			rfc5322_parse_msgids(&m->ids, m->tmp.p, m->tmp.len);
			for (i = 0; i < m->ids.n; i++) {
				ev.hname = name;
				ev.msgid = m->ids.v[i].id;
				emit(&ev, EV_REF, sink, ctx);
			}
		}
	}
	emit(&ev, EV_END, sink, ctx);
	return parse_clen(f.clen);
}

/* Releases the scratch memory of one message. */
static void
release(struct mbox_reader *m)
{
	buf_free(&m->hdr);
	buf_free(&m->tmp);
	buf_free(&m->text);
	rfc5322_addr_list_free(&m->addrs);
	rfc5322_msgid_list_free(&m->ids);
	free(m->ev_addrs);
	m->ev_addrs = NULL;
	m->ev_cap = 0;
}

static void
start_message(struct mbox_reader *m, uint64_t lineno, int64_t from_time)
{
	buf_reset(&m->hdr);
	m->hdr_cut = false;
	m->hdr_cut_off = SIZE_MAX;
	m->from_time = from_time;
	m->msg_line = lineno;
	m->state = ST_HEADERS;
	m->clen = -1;
	m->landed = false;
	m->nhidden = 0;
	m->in_hidden = false;
	buf_reset(&m->hidden_buf);
}

/* The header block is over: emit, then skip the body. */
static void
end_headers(struct mbox_reader *m, event_sink_fn sink, void *ctx)
{
	int64_t clen = -1;

	if (m->hdr.len > 0 || m->msg_line > 0)
		clen = emit_message(m, m->hdr.p, m->hdr.len, m->hdr_cut ?
		    m->hdr_cut_off : SIZE_MAX, m->from_time, m->msg_line, sink,
		    ctx);
	release(m);
	m->state = ST_BODY;
	m->clen = m->single ? -1 : clen;
	m->body_lf = m->body_crlf = 0;
	m->landed = false;
	m->nhidden = 0;
	m->in_hidden = false;
	buf_reset(&m->hidden_buf);
}

static void
add_header_line(struct mbox_reader *m, const char *p, size_t len)
{
	if (m->hdr_cut)
		return;
	if (m->hdr.len + len + 1 > MBOX_MAX_HEADER) {
		size_t i = m->hdr.len;

		/* The field this line belongs to starts after the last
		 * '\n' that is not followed by a blank. */
		if (len > 0 && (p[0] == ' ' || p[0] == '\t')) {
			while (i > 0) {
				size_t j = i - 1;

				while (j > 0 && m->hdr.p[j - 1] != '\n')
					j--;
				i = j;
				if (m->hdr.p[j] != ' ' && m->hdr.p[j] != '\t')
					break;
			}
		}
		m->hdr_cut = true;
		m->hdr_cut_off = i;
		m->hdr_cuts++;
		return;
	}
	buf_add(&m->hdr, p, len);
	buf_addc(&m->hdr, '\n');
}

/* A Content-Length proved wrong: the separators it hid were real. */
static void
clen_failed(struct mbox_reader *m, event_sink_fn sink, void *ctx)
{
	size_t i, n = m->nhidden;

	m->bad_clen++;
	m->clen = -1;
	m->landed = false;
	if (n == 0)
		return;
	if (m->hidden_buf.p == NULL)
		buf_addc(&m->hidden_buf, '\n');	/* never NULL below */
	for (i = 0; i + 1 < n; i++)
		emit_message(m, m->hidden_buf.p + m->hidden[i].off,
		    m->hidden[i + 1].off - m->hidden[i].off, SIZE_MAX,
		    m->hidden[i].from_time, m->hidden[i].lineno, sink, ctx);
	if (m->in_hidden) {
		/* Still in its header block: read on as the message. */
		struct mbox_hidden h = m->hidden[n - 1];
		struct buf keep = m->hidden_buf;

		memset(&m->hidden_buf, 0, sizeof(m->hidden_buf));
		release(m);
		start_message(m, h.lineno, h.from_time);
		buf_add(&m->hdr, keep.p + h.off, keep.len - h.off);
		buf_free(&keep);
		m->nhidden = 0;
		return;
	}
	emit_message(m, m->hidden_buf.p + m->hidden[n - 1].off,
	    m->hidden_buf.len - m->hidden[n - 1].off, SIZE_MAX,
	    m->hidden[n - 1].from_time, m->hidden[n - 1].lineno, sink, ctx);
	release(m);
	buf_free(&m->hidden_buf);
	m->nhidden = 0;
	m->in_hidden = false;
}

/* A separator accepted at lineno: the current message is over. */
static void
separator(struct mbox_reader *m, uint64_t lineno, int64_t t,
    event_sink_fn sink, void *ctx)
{
	if (m->state == ST_HEADERS)
		end_headers(m, sink, ctx);
	buf_free(&m->hidden_buf);
	start_message(m, lineno, t);
}

/* A body line while a Content-Length is in force. Returns true when the
 * line was taken (as body or as the separator at the end). */
static bool
body_with_clen(struct mbox_reader *m, const char *p, size_t len,
    uint64_t lineno, event_sink_fn sink, void *ctx)
{
	uint64_t cl = (uint64_t)m->clen;
	bool from = is_from_line(p, len);
	int64_t t = INT64_MIN;

	bool dated = from && mbox_from_line_date(p, len, &t) == 0;

	if (from && (m->body_lf == cl || m->landed ||
	    (m->body_crlf == cl && (m->prev_blank || dated)))) {
		m->clen = -1;
		separator(m, lineno, t, sink, ctx);
		return true;
	}
	if (m->body_lf > cl || (m->landed && m->body_lf >= cl)) {
		clen_failed(m, sink, ctx);
		return false;
	}
	m->landed = len == 0 && (m->body_lf == cl || m->body_crlf == cl);
	if (m->in_hidden) {
		if (len == 0)
			m->in_hidden = false;
		else if (m->hidden_buf.len + len + 1 <= MBOX_MAX_HIDDEN_BYTES) {
			buf_add(&m->hidden_buf, p, len);
			buf_addc(&m->hidden_buf, '\n');
		}
	} else if (dated && m->prev_blank && m->nhidden < MBOX_MAX_HIDDEN) {
		m->hidden[m->nhidden].off = m->hidden_buf.len;
		m->hidden[m->nhidden].from_time = t;
		m->hidden[m->nhidden].lineno = lineno;
		m->nhidden++;
		m->in_hidden = true;
	}
	m->body_lf += len + 1;
	m->body_crlf += len + 2;
	return true;
}

static enum parse_result
read_one(struct mbox_reader *m, const char *p, size_t len, uint64_t lineno,
    event_sink_fn sink, void *ctx)
{
	bool blank = len == 0;
	int64_t t = INT64_MIN;
	enum parse_result res = PARSE_CONTEXT;

	if (m->pending) {
		if (blank) {
			m->prev_blank = true;
			return PARSE_CONTEXT;
		}
		m->pending = false;
		if (is_field_line(p, len))
			separator(m, m->pending_line, m->pending_time, sink,
			    ctx);
		else
			m->rejected_from++;
	}
	switch (m->state) {
	case ST_IDLE:
		if (blank)
			break;
		if (is_from_line(p, len)) {
			(void)mbox_from_line_date(p, len, &t);
			start_message(m, lineno, t);
			res = PARSE_EVENT;
		} else if (is_mmdf(p, len)) {
			start_message(m, 0, INT64_MIN);
		} else if (is_field_line(p, len)) {
			if (m->ordinal == 0)
				m->single = true;
			start_message(m, lineno, INT64_MIN);
			add_header_line(m, p, len);
			res = PARSE_EVENT;
		} else {
			res = PARSE_UNRECOGNIZED;
		}
		break;
	case ST_HEADERS:
		if (blank) {
			end_headers(m, sink, ctx);
		} else if (is_mmdf(p, len)) {
			end_headers(m, sink, ctx);
			m->state = ST_IDLE;
		} else if (is_from_line(p, len) && m->hdr.len == 0) {
			/* A second From_ line (converters, Mac exports). */
			if (m->from_time == INT64_MIN)
				(void)mbox_from_line_date(p, len,
				    &m->from_time);
		} else if (is_from_line(p, len) && !m->single &&
		    mbox_from_line_date(p, len, &t) == 0) {
			/* The last message had no body: a new one. */
			separator(m, lineno, t, sink, ctx);
			res = PARSE_EVENT;
		} else {
			if (m->msg_line == 0)
				m->msg_line = lineno;
			add_header_line(m, p, len);
			res = PARSE_EVENT;
		}
		break;
	default:	/* ST_BODY */
		if (m->clen >= 0 &&
		    body_with_clen(m, p, len, lineno, sink, ctx)) {
			res = m->state == ST_HEADERS ? PARSE_EVENT :
			    PARSE_CONTEXT;
			break;
		}
		if (m->state == ST_HEADERS) {	/* a hidden one resumed */
			if (blank)
				end_headers(m, sink, ctx);
			else
				add_header_line(m, p, len);
			res = blank ? PARSE_CONTEXT : PARSE_EVENT;
			break;
		}
		if (is_mmdf(p, len)) {
			m->state = ST_IDLE;
		} else if (!m->single && m->prev_blank &&
		    is_from_line(p, len)) {
			if (mbox_from_line_date(p, len, &t) == 0) {
				separator(m, lineno, t, sink, ctx);
				res = PARSE_EVENT;
			} else {
				m->pending = true;
				m->pending_time = INT64_MIN;
				m->pending_line = lineno;
			}
		}
		break;
	}
	m->prev_blank = blank;
	return res;
}

/* See mbox.h. */
enum parse_result
mbox_read_line(struct mbox_reader *m, const char *line, size_t len,
    uint64_t lineno, event_sink_fn sink, void *ctx)
{
	const char *cr;
	enum parse_result res, r;

	if (lineno == 1 && len >= 3 && memcmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3, len -= 3;
	if (m->state == ST_BODY && !m->cr_split)
		return read_one(m, line, len, lineno, sink, ctx);
	cr = memchr(line, '\r', len);
	if (cr == NULL)
		return read_one(m, line, len, lineno, sink, ctx);
	/* Bare CR line ends: split here. */
	m->cr_split = true;
	res = PARSE_CONTEXT;
	for (;;) {
		size_t n = cr ? (size_t)(cr - line) : len;

		r = read_one(m, line, n, lineno, sink, ctx);
		if (r < res)
			res = r;
		if (cr == NULL)
			break;
		len -= n + 1;
		line = cr + 1;
		cr = memchr(line, '\r', len);
		if (cr == NULL && len == 0)
			break;
	}
	return res;
}

/* See mbox.h. */
void
mbox_begin(struct mbox_reader *m, uint32_t src, int64_t mtime,
    event_sink_fn sink, void *ctx)
{
	mbox_finish(m, sink, ctx);
	m->src = src;
	m->mtime = mtime;
	m->active = true;
	m->single = false;
	m->cr_split = false;
	m->ordinal = 0;
	m->state = ST_IDLE;
	m->prev_blank = true;
	m->pending = false;
	m->clen = -1;
	m->nhidden = 0;
	m->in_hidden = false;
	m->hdr_cut = false;
	m->msg_line = 0;
}

/* See mbox.h. */
void
mbox_finish(struct mbox_reader *m, event_sink_fn sink, void *ctx)
{
	if (m->active) {
		if (m->pending)
			separator(m, m->pending_line, m->pending_time, sink,
			    ctx);
		if (m->state == ST_BODY && m->clen >= 0 &&
		    (uint64_t)m->clen != m->body_lf &&
		    (uint64_t)m->clen != m->body_crlf)
			clen_failed(m, sink, ctx);
		if (m->state == ST_HEADERS && (m->hdr.len > 0 ||
		    m->msg_line > 0))
			end_headers(m, sink, ctx);
	}
	release(m);
	buf_free(&m->hidden_buf);
	m->active = false;
	m->pending = false;
	m->state = ST_IDLE;
}
