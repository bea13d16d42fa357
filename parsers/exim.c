/*
 * exim - Exim log lines into events. See exim.h.
 *
 * Dispatch is on fixed bytes: the message ID shape, then the two-byte
 * flag, then "key=value" tokens read left to right with quoted values
 * ("T=", "C=", "DN=") scanned as strings with backslash escapes. Line
 * shapes follow Exim's receive.c, deliver.c (delivery_log,
 * string_log_address) and acl.c from 4.8x to 4.99, checked against the
 * expected logs of Exim's test suite. No regular expression runs.
 */
#include "exim.h"
#include "input.h"

#include <string.h>
#include <strings.h>

/* An absent string: empty, but never a NULL pointer, so that a sink may
 * hand it to memcpy(). */

/* Room for a Message-ID with its "<>" added and for an unescaped T=
 * subject (Exim logs at most 100 subject bytes, escapes included, so
 * this is never the limit in practice). */
#define EXIM_SCRATCH	1024

enum ex_flag {
	EXF_ARRIVE,	/* <= */
	EXF_FAKEREJ,	/* (= */
	EXF_DELIVER,	/* => */
	EXF_MORE,	/* -> */
	EXF_CUT,	/* >> */
	EXF_SUPPRESS,	/* *> */
	EXF_FAIL,	/* ** */
	EXF_DEFER,	/* == */
	EXF_NONE,
};

static const char ex_flags[][3] = {
	[EXF_ARRIVE] = "<=", [EXF_FAKEREJ] = "(=", [EXF_DELIVER] = "=>",
	[EXF_MORE] = "->", [EXF_CUT] = ">>", [EXF_SUPPRESS] = "*>",
	[EXF_FAIL] = "**", [EXF_DEFER] = "==",
};

/* Letters and digits: message IDs are checked on every line. */
static const bool alnum[256] = {
	['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1, ['5'] = 1,
	['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
	['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1,
	['G'] = 1, ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1,
	['M'] = 1, ['N'] = 1, ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1,
	['S'] = 1, ['T'] = 1, ['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1,
	['Y'] = 1, ['Z'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1,
};

static bool
is_alnum(char c)
{
	return alnum[(unsigned char)c];
}

static bool
all_alnum(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_alnum(p[i]))
			return false;
	return true;
}

/* See exim.h. */
size_t
exim_msgid_len(struct str s)
{
	size_t n;

	if (s.len < 16 || s.p[6] != '-' || !all_alnum(s.p, 6))
		return 0;
	if (s.p[13] == '-' && all_alnum(s.p + 7, 6) && all_alnum(s.p + 14, 2))
		n = 16;
	else if (s.len >= 23 && s.p[18] == '-' && all_alnum(s.p + 7, 11) &&
	    all_alnum(s.p + 19, 4))
		n = 23;
	else
		return 0;
	return s.len == n || s.p[n] == ' ' ? n : 0;
}

/* See exim.h. */
bool
exim_is_tag(const struct syslog_rec *r)
{
	return STR_EQ(r->tag, "exim") || STR_EQ(r->tag, "exim4");
}

/* See exim.h. */
bool
exim_syslog_credible(const struct syslog_rec *r)
{
	if (exim_msgid_len(r->host) > 0 || memchr(r->host.p, '=',
	    r->host.len) != NULL || memchr(r->tag.p, '=', r->tag.len) != NULL)
		return false;
	return r->pid.len > 0 || exim_is_tag(r) || postfix_is_tag(r);
}

static void
emit(struct event *ev, enum ev_type type, event_sink_fn sink, void *ctx)
{
	ev->type = type;
	sink(ctx, ev);
}

static long
to_long(struct str s)
{
	long v = 0;
	size_t i;

	for (i = 0; i < s.len && s.p[i] >= '0' && s.p[i] <= '9'; i++)
		if (v < 1000000000000L)
			v = v * 10 + (s.p[i] - '0');
	return i > 0 && i == s.len ? v : -1;
}

/* End of a quoted string whose opening '"' is at s.p[i]: the index
 * after the closing quote, or s.len when the line was cut. */
static size_t
quoted_end(struct str s, size_t i)
{
	for (i++; (i = str_find2(s.p, i, s.len, '\\', '"')) < s.len;) {
		if (s.p[i] == '"')
			return i + 1;
		i += 2;		/* an escaped byte */
	}
	return s.len;
}

/*
 * Next space-separated token of *rest. A value that opens with a quote
 * right after "KEY=" runs to its closing quote, spaces and all; so does
 * a token that starts with a quote (a quoted local part).
 */
static bool
next_token(struct str *rest, struct str *tok)
{
	struct str s = *rest;
	size_t i = 0;

	while (i < s.len && s.p[i] == ' ')
		i++;
	s = str_skip(s, i);
	if (s.len == 0)
		return false;
	for (i = 0; (i = str_find2(s.p, i, s.len, ' ', '"')) < s.len &&
	    s.p[i] != ' ';) {
		if (i == 0 || s.p[i - 1] == '=')
			i = quoted_end(s, i);
		else
			i++;
	}
	*tok = str_make(s.p, i);
	*rest = str_skip(s, i);
	return true;
}

/* The value of tok when it is "KEY=value" for the given key. */
static bool
tok_value(struct str tok, const char *key, size_t klen, struct str *val)
{
	if (tok.len < klen || memcmp(tok.p, key, klen) != 0)
		return false;
	*val = str_skip(tok, klen);
	return true;
}

#define TOK_VALUE(t, key, v)	tok_value((t), (key), sizeof(key) - 1, (v))

/* A quoted value without its quotes (still escaped). */
static struct str
unquote(struct str v)
{
	if (v.len >= 2 && v.p[0] == '"' && v.p[v.len - 1] == '"')
		return str_make(v.p + 1, v.len - 2);
	if (v.len >= 1 && v.p[0] == '"')
		return str_skip(v, 1);
	return v;
}

/* Undoes Exim's string_printing(): \" \\ \n \t ... and \ooo octal
 * bytes (UTF-8 subjects are logged that way). Returns the bytes
 * written; *cut when out was too small. */
static size_t
unescape(struct str v, char *out, size_t cap, bool *cut)
{
	size_t i, o = 0;

	*cut = false;
	for (i = 0; i < v.len; i++) {
		char c = v.p[i];

		if (c == '\\' && i + 1 < v.len) {
			char e = v.p[++i];

			if (e >= '0' && e <= '7' && i + 2 < v.len &&
			    v.p[i + 1] >= '0' && v.p[i + 1] <= '7' &&
			    v.p[i + 2] >= '0' && v.p[i + 2] <= '7') {
				c = (char)(((e - '0') << 6) |
				    ((v.p[i + 1] - '0') << 3) | (v.p[i + 2] - '0'));
				i += 2;
			} else {
				switch (e) {
				case 'n': c = '\n'; break;
				case 'r': c = '\r'; break;
				case 't': c = '\t'; break;
				case 'b': c = '\b'; break;
				case 'v': c = '\v'; break;
				case 'f': c = '\f'; break;
				default: c = e; break;
				}
			}
		}
		if (o == cap) {
			*cut = true;
			break;
		}
		out[o++] = c;
	}
	return o;
}

/* Reads "<addr>" (quotes and backslashes honoured) or a bare word up
 * to a space; brackets are not part of *out. Returns the bytes used. */
static size_t
read_addr(struct str s, struct str *out)
{
	size_t i;
	bool quoted = false;

	if (s.len == 0)
		return 0;
	if (s.p[0] != '<') {
		for (i = 0; i < s.len && s.p[i] != ' '; i++)
			if (s.p[i] == '"')
				i = quoted_end(s, i) - 1;
		*out = str_make(s.p, i);
		return i;
	}
	for (i = 1; i < s.len; i++) {
		char c = s.p[i];

		if (c == '\\' && i + 1 < s.len)
			i++;
		else if (c == '"')
			quoted = !quoted;
		else if (c == '>' && !quoted)
			break;
	}
	if (i >= s.len) {
		*out = str_make(s.p + 1, s.len - 1);
		return s.len;
	}
	*out = str_make(s.p + 1, i - 1);
	return i + 1;
}

/* First enhanced status code "d.d.d" after a three-digit reply code of
 * the same class ("550 5.1.1"). */
static struct str
find_dsn(struct str t)
{
	size_t i, j;

	for (i = 0; i + 9 <= t.len; i++) {
		const char *p = t.p + i;

		if ((p[0] != '2' && p[0] != '4' && p[0] != '5') ||
		    p[1] < '0' || p[1] > '9' || p[2] < '0' || p[2] > '9' ||
		    p[3] != ' ' || p[4] != p[0] || p[5] != '.' ||
		    (i > 0 && p[-1] != ' ' && p[-1] != '"' && p[-1] != ':'))
			continue;
		for (j = 6; i + j < t.len && ((p[j] >= '0' && p[j] <= '9') ||
		    p[j] == '.'); j++)
			;
		if (j > 8 && p[j - 1] != '.')
			return str_make(p + 4, j - 4);
	}
	return STR_EMPTY;
}

/* A bracketed part "(...)" or "<...>" at s.p[0]: its length, when it
 * closes and is followed by the end, a space or ':'; else 0. */
static size_t
bracket_len(struct str s)
{
	char close = s.len > 0 && s.p[0] == '(' ? ')' : '>';
	size_t i;
	bool quoted = false;

	if (s.len < 2 || (s.p[0] != '(' && s.p[0] != '<'))
		return 0;
	for (i = 1; i < s.len; i++) {
		char c = s.p[i];

		if (c == '\\' && i + 1 < s.len) {
			i++;
		} else if (c == '"' && close == '>') {
			quoted = !quoted;
		} else if (c == close && !quoted) {
			if (i + 1 == s.len || s.p[i + 1] == ' ' ||
			    s.p[i + 1] == ':')
				return i + 1;
		}
	}
	return 0;
}

struct addr_part {
	struct str final;	/* as logged: address, local part, pipe... */
	struct str parent;	/* inside "(...)", may list several */
	struct str orig;	/* inside "<...>" */
	bool reason;		/* the part ended in ':': a reason follows */
};

/*
 * "FINAL [(PARENT)] [<ORIGINAL>]" (string_log_address). FINAL is one
 * word, except for pipes, files and autoreplies ('|', '/', '>',
 * "save "), whose command or path may hold spaces: there FINAL ends at
 * the first " (" or " <" that opens a well-formed bracket.
 */
static struct str
read_addr_part(struct str s, struct addr_part *a)
{
	size_t i, n;

	a->final = a->parent = a->orig = STR_EMPTY;
	a->reason = false;
	if (s.len > 0 && (s.p[0] == '|' || s.p[0] == '/' || s.p[0] == '>' ||
	    STR_STARTS(s, "save "))) {
		for (i = 1; i + 1 < s.len; i++)
			if (s.p[i] == ' ' && (s.p[i + 1] == '(' ||
			    s.p[i + 1] == '<') &&
			    bracket_len(str_skip(s, i + 1)) > 0)
				break;
		if (i + 1 >= s.len)
			for (i = 0; i < s.len && s.p[i] != ' '; i++)
				;
		a->final = str_make(s.p, i);
	} else {
		read_addr(s, &a->final);
		if (s.len > 0 && s.p[0] == '<')	/* "<>" or "<addr>" */
			a->final = str_make(s.p, a->final.len + 2 > s.len ?
			    s.len : a->final.len + 2);
	}
	s = str_skip(s, a->final.len);
	/* "bob@example.org: reason"; but ":blackhole:" is a target. */
	if (a->final.len > 1 && a->final.p[a->final.len - 1] == ':' &&
	    a->final.p[0] != ':') {
		a->final.len--;
		a->reason = true;
		return s;
	}
	if (s.len > 1 && s.p[0] == ' ' && s.p[1] == '(' &&
	    (n = bracket_len(str_skip(s, 1))) > 0) {
		a->parent = str_make(s.p + 2, n - 2);
		s = str_skip(s, n + 1);
	}
	if (s.len > 1 && s.p[0] == ' ' && s.p[1] == '<' &&
	    (n = bracket_len(str_skip(s, 1))) > 0) {
		a->orig = str_make(s.p + 2, n - 2);
		s = str_skip(s, n + 1);
	}
	if (s.len > 0 && s.p[0] == ':') {
		a->reason = true;
		s = str_skip(s, 1);
	}
	return s;
}

/* Local part of an address: up to its last '@', or all of it. */
static struct str
local_part(struct str a)
{
	size_t i;

	for (i = a.len; i > 0; i--)
		if (a.p[i - 1] == '@')
			return str_make(a.p, i - 1);
	return a;
}

static bool
str_eq(struct str a, struct str b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

/* The queue ID in a next hop's reply: "id=ID" (Exim) or "queued as
 * QID" (Postfix and others). */
static struct str
confirmation_qid(struct str c)
{
	long at;
	size_t n;

	if ((at = STR_FIND(c, "id=")) >= 0 && (at == 0 || c.p[at - 1] == ' '))
		c = str_skip(c, (size_t)at + 3);
	else if ((at = STR_FIND(c, "queued as ")) >= 0)
		c = str_skip(c, (size_t)at + 10);
	else
		return STR_EMPTY;
	for (n = 0; n < c.len && (is_alnum(c.p[n]) || c.p[n] == '-'); n++)
		;
	return str_make(c.p, n);
}

/* => -> >> *> ** == */
static enum parse_result
parse_delivery(enum ex_flag flag, struct str s, struct event *ev,
    event_sink_fn sink, void *ctx)
{
	struct addr_part a;
	struct str rest, tok, v, conf = STR_EMPTY, transport = STR_EMPTY;
	struct str reason = STR_EMPTY;
	bool bypassed = false, in_host = false, have_reason;

	rest = read_addr_part(s, &a);
	if (a.final.len == 0)
		return PARSE_UNRECOGNIZED;
	have_reason = a.reason;
	while (!have_reason && next_token(&rest, &tok)) {
		if (STR_EQ(tok, ":")) {
			have_reason = true;
			break;
		}
		if (tok.p[tok.len - 1] == ':' && tok.p[0] != '"') {
			tok.len--;
			have_reason = true;
		}
		if (in_host) {
			/* "H=name [ip]:port*", maybe with DS between. */
			if (tok.len > 0 && tok.p[0] == '[') {
				ev->relay.len = (size_t)(tok.p + tok.len -
				    ev->relay.p);
				in_host = false;
				continue;
			}
			if (STR_EQ(tok, "DS") || (tok.len > 0 &&
			    tok.p[0] == '('))
				continue;
			in_host = false;
		}
		if (TOK_VALUE(tok, "H=", &v)) {
			ev->relay = v;
			in_host = v.len == 0 || v.p[0] != '[';
		} else if (TOK_VALUE(tok, "T=", &v)) {
			transport = v;
			if (STR_EQ(v, "**bypassed**"))
				bypassed = true;
		} else if (TOK_VALUE(tok, "C=", &v)) {
			conf = unquote(v);
		}
	}
	if (have_reason) {
		reason = rest;
		while (reason.len > 0 && reason.p[0] == ' ')
			reason = str_skip(reason, 1);
		if (STR_STARTS(reason, ": "))	/* ": strerror: message" */
			reason = str_skip(reason, 2);
	}
	if (ev->relay.len == 0)
		ev->relay = transport;

	ev->addr = a.final;
	ev->orig = a.orig;
	/* "bob <bob@example.com>": a local delivery logged by local part. */
	if (a.orig.len > 0 && memchr(a.final.p, '@', a.final.len) == NULL &&
	    str_eq(a.final, local_part(a.orig))) {
		ev->addr = a.orig;
		ev->orig = STR_EMPTY;
	}
	switch (flag) {
	case EXF_DELIVER:
	case EXF_MORE:
	case EXF_CUT:
		ev->status = RCPT_SENT;
		ev->text = conf;
		ev->dsn = find_dsn(conf);
		if (bypassed || STR_EQ(a.final, ":blackhole:") ||
		    (STR_EQ(a.final, "discarded") && a.orig.len > 0)) {
			ev->status = RCPT_DISCARDED;
			if (a.orig.len > 0) {
				ev->addr = a.orig;
				ev->orig = STR_EMPTY;
			}
		} else if (STR_EQ(a.final, "blackhole") &&
		    STR_FIND(a.parent, "discarded recipients") >= 0) {
			ev->status = RCPT_DISCARDED;
			ev->text = a.parent;
		} else if (a.final.p[0] == '>') {
			/* A filter's autoreply: a new message, not this one. */
			ev->flags |= EVF_PROBE;
		}
		break;
	case EXF_SUPPRESS:
		ev->status = RCPT_UNKNOWN;
		ev->flags |= EVF_PROBE;
		break;
	case EXF_FAIL:
		ev->status = RCPT_BOUNCED;
		ev->text = reason;
		ev->dsn = find_dsn(reason);
		if (STR_FIND(reason, "retry timeout exceeded") >= 0 ||
		    STR_FIND(reason, "have been failing for a long time") >= 0)
			ev->status = RCPT_EXPIRED;
		break;
	case EXF_DEFER:
		ev->status = RCPT_DEFERRED;
		ev->text = reason;
		ev->dsn = find_dsn(reason);
		break;
	default:
		return PARSE_UNRECOGNIZED;
	}
	/* The next hop had the whole content when it answered the final
	 * dot; an answer to DATA itself comes before any content. */
	if ((flag == EXF_FAIL || flag == EXF_DEFER) &&
	    STR_FIND(reason, "after end of data") >= 0)
		ev->flags |= EVF_PARTIAL;
	emit(ev, EV_DELIVERY, sink, ctx);
	if (ev->status == RCPT_SENT && !(ev->flags & EVF_PROBE)) {
		struct str q = confirmation_qid(conf);

		if (q.len > 0) {
			ev->link = LINK_NEXT_HOP;
			ev->link_qid = q;
			emit(ev, EV_LINK, sink, ctx);
		}
	}
	return PARSE_EVENT;
}

/* A token with a '(' that it does not close: "(helo", "H=(helo". */
static bool
opens_paren(struct str tok)
{
	const char *open = memchr(tok.p, '(', tok.len);

	return open != NULL && memchr(open, ')',
	    (size_t)(tok.p + tok.len - open)) == NULL;
}

/* <= and (= */
static enum parse_result
parse_arrival(struct str s, struct event *ev, event_sink_fn sink,
    void *ctx)
{
	char scratch[EXIM_SCRATCH], subj[EXIM_SCRATCH];
	struct str tok, v, rest, msgid = STR_EMPTY, subject = STR_EMPTY;
	struct str refid = STR_EMPTY;
	bool has_subject = false;
	size_t n;
	long nfor = -1;
	bool cut = false;
	int paren = 0;

	if (s.len == 0 || s.p[0] == ' ')
		return PARSE_UNRECOGNIZED;
	n = read_addr(s, &ev->sender);
	rest = str_skip(s, n);
	if (rest.len > 0 && rest.p[0] != ' ')
		return PARSE_UNRECOGNIZED;
	while (next_token(&rest, &tok)) {
		if (paren > 0) {
			/* Inside "H=name (helo with spaces) [ip]". */
			if (tok.p[tok.len - 1] == ')')
				paren = 0;
			continue;
		}
		if (opens_paren(tok)) {
			paren = 1;
			continue;
		}
		if (STR_EQ(tok, "for")) {
			nfor = 0;
			while (next_token(&rest, &tok))
				nfor = STR_EQ(tok, "<trunc>") || nfor < 0 ?
				    -1 : nfor + 1;
			break;
		}
		if (STR_EQ(tok, "from")) {
			next_token(&rest, &tok);
			continue;
		}
		if (TOK_VALUE(tok, "S=", &v))
			ev->size = to_long(v);
		else if (TOK_VALUE(tok, "id=", &v) || TOK_VALUE(tok, "id*=", &v))
			msgid = v;
		else if (TOK_VALUE(tok, "T=", &v)) {
			subject = unquote(v);
			has_subject = true;
		}
		else if (TOK_VALUE(tok, "R=", &v) &&
		    exim_msgid_len(v) == v.len)
			refid = v;
	}
	/* One event for the whole line: begin, envelope, Message-ID and
	 * subject. */
	ev->nrcpt = nfor;
	if (msgid.len > 0) {
		if (msgid.p[0] != '<' && msgid.len + 2 <= sizeof(scratch)) {
			scratch[0] = '<';
			memcpy(scratch + 1, msgid.p, msgid.len);
			scratch[msgid.len + 1] = '>';
			msgid = str_make(scratch, msgid.len + 2);
		}
		ev->msgid = msgid;
	}
	if (has_subject) {
		ev->hname = STR_LIT("Subject");
		n = unescape(subject, subj, sizeof(subj), &cut);
		ev->hvalue = str_make(subj, n);
		ev->hvalue_cut = cut;
	}
	emit(ev, EV_ARRIVAL, sink, ctx);
	if (refid.len > 0) {
		/* "This message led to link_qid": filed under the original. */
		ev->link = LINK_BOUNCE;
		ev->link_qid = ev->qid;
		ev->qid = refid;
		emit(ev, EV_LINK, sink, ctx);
		ev->qid = ev->link_qid;
	}
	return PARSE_EVENT;
}

/* F=<sender> (or F=sender) anywhere in s. */
static struct str
find_sender(struct str s)
{
	long at = STR_FIND(s, "F=");
	struct str out = STR_EMPTY;

	while (at > 0 && s.p[at - 1] != ' ') {
		struct str t = str_skip(s, (size_t)at + 2);
		long next = STR_FIND(t, "F=");

		if (next < 0)
			return STR_EMPTY;
		at += 2 + next;
	}
	if (at < 0)
		return STR_EMPTY;
	read_addr(str_skip(s, (size_t)at + 2), &out);
	return out;
}

/* "[H=... ]F=<s> [temporarily ]rejected RCPT <r>: reason" */
static enum parse_result
parse_rcpt_reject(struct str s, long at, struct event *ev,
    event_sink_fn sink, void *ctx)
{
	struct str r = str_skip(s, (size_t)at + 14);	/* "rejected RCPT " */
	size_t n;

	ev->sender = find_sender(str_make(s.p, (size_t)at));
	n = read_addr(r, &ev->addr);
	if (n == 0)
		return PARSE_UNRECOGNIZED;
	if (ev->addr.len > 0 && r.p[0] != '<' &&
	    ev->addr.p[ev->addr.len - 1] == ':')
		ev->addr.len--;
	r = str_skip(r, n);
	if (STR_STARTS(r, ": "))
		r = str_skip(r, 2);
	ev->text = str_trim(r);
	ev->dsn = find_dsn(ev->text);
	ev->status = RCPT_REJECTED;
	emit(ev, EV_REJECT, sink, ctx);
	return PARSE_EVENT;
}

/* Lines about a message that was never accepted. */
static bool
is_drop_text(struct str s)
{
	return STR_FIND(s, "rejected after DATA") >= 0 ||
	    STR_FIND(s, "rejected by local_scan") >= 0 ||
	    STR_FIND(s, "rejected by non-SMTP ACL") >= 0 ||
	    STR_FIND(s, "rejected after BDAT") >= 0 ||
	    STR_STARTS(s, "SMTP connection lost after final dot") ||
	    STR_STARTS(s, "SMTP data timeout (message abandoned)") ||
	    (STR_STARTS(s, "SMTP connection from ") &&
	    STR_FIND(s, "lost while reading message data") >= 0);
}

/* Lines without a message ID that carry no message data. */
static bool
is_context_text(struct str s)
{
	static const char *const prefixes[] = {
		"Start queue run", "End queue run", "exim ", "SMTP ",
		"no MAIL in SMTP", "no IP address", "no host name",
		"H=", "U=", "F=", "TLS ", "Warning: ", "cwd=", "pid ",
		"daemon", "unexpected disconnection", "rejected ",
		"temporarily rejected", "too many ", "sender verify",
		"Connection from", "connection from", "LOG: ", "ACL ",
		"DKIM", "DMARC", "SPF", "spool", "Spool", "Tainted",
		"Failed to ", "failed to ", "Unfrozen", "unfrozen", "Frozen",
		"queue_run", "Message ", "message ", "host ", "Host ",
		"lookup of host", "dnslookup", "remote host ", "malware",
		"Authentication", "Peer ", "peer ", "Our cert", "our cert",
		"TLS error", "tls_", "DANE", "dane", "OCSP", "ocsp",
		"configuration", "Connecting", "Connection", "Received ",
		"SIGHUP", "exim_", "Exim ", "local_scan", "ignoring ",
		"Ignoring ", "using queue", "proxy ", "Proxy ",
		"Delivery ", "delivery ", "attempting ", "error ",
		"Error ", "retry ", "Retry ", "No ", "Unknown ", "unknown ",
		"refused connection", NULL,
	};
	const char *const *p;

	for (p = prefixes; *p != NULL; p++)
		if (str_starts(s, *p, strlen(*p)))
			return true;
	return STR_FIND(s, " authenticator failed for ") >= 0;
}

static enum ex_flag
flag_of(struct str s)
{
	int f;

	if (s.len < 3 || s.p[2] != ' ')
		return EXF_NONE;
	for (f = 0; f < EXF_NONE; f++)
		if (s.p[0] == ex_flags[f][0] && s.p[1] == ex_flags[f][1])
			return (enum ex_flag)f;
	return EXF_NONE;
}

/* "[n/m] " or "[n\m] " (syslog split): n, or 0 when absent. */
static long
split_part(struct str *s)
{
	size_t i = 1;
	long n = 0;

	if (s->len < 6 || s->p[0] != '[' || s->p[1] < '1' || s->p[1] > '9')
		return 0;
	while (i < s->len && s->p[i] >= '0' && s->p[i] <= '9' && i < 6)
		n = n * 10 + (s->p[i++] - '0');
	if (i >= s->len || (s->p[i] != '/' && s->p[i] != '\\'))
		return 0;
	for (i++; i < s->len && s->p[i] >= '0' && s->p[i] <= '9'; i++)
		;
	if (i + 1 >= s->len || s->p[i] != ']' || s->p[i + 1] != ' ')
		return 0;
	*s = str_skip(*s, i + 2);
	return n;
}

/* Skips a "[28107] " (+pid) prefix. */
static struct str
skip_pid(struct str s)
{
	const char *close;

	if (s.len > 2 && s.p[0] == '[' && (close = memchr(s.p, ']',
	    s.len < 24 ? s.len : 24)) != NULL &&
	    (size_t)(close - s.p) + 1 < s.len && close[1] == ' ' &&
	    memchr(s.p, ' ', (size_t)(close - s.p)) == NULL)
		s = str_skip(s, (size_t)(close - s.p) + 2);
	return s;
}

/* See exim.h. */
bool
exim_has_msgid(struct str text)
{
	return exim_msgid_len(skip_pid(text)) > 0;
}

/* See exim.h. */
enum parse_result
exim_parse_line(struct str s, struct event *ev, event_sink_fn sink,
    void *ctx)
{
	struct tstamp_tm tm;
	enum ex_flag flag;
	size_t n;
	long at;

	event_reset_fields(ev);
	ev->qid = STR_EMPTY;
	/* Through syslog: Exim's own stamp may still be there. */
	if (s.len > 19 && s.p[4] == '-' &&
	    (n = tstamp_iso(s.p, s.len, true, &tm)) > 0 && n < s.len &&
	    s.p[n] == ' ')
		s = str_skip(s, n + 1);
	if (split_part(&s) > 1)
		return PARSE_CONTEXT;
	s = skip_pid(s);
	if ((n = exim_msgid_len(s)) == 0) {
		if ((at = STR_FIND(s, "rejected RCPT ")) >= 0)
			return parse_rcpt_reject(s, at, ev, sink, ctx);
		if (s.len == 0)
			return PARSE_UNRECOGNIZED;
		return is_context_text(s) || is_drop_text(s) ?
		    PARSE_CONTEXT : PARSE_UNRECOGNIZED;
	}
	ev->qid = str_make(s.p, n);
	s = str_skip(s, n + 1);

	flag = flag_of(s);
	if (flag == EXF_ARRIVE || flag == EXF_FAKEREJ)
		return parse_arrival(str_skip(s, 3), ev, sink, ctx);
	if (flag != EXF_NONE)
		return parse_delivery(flag, str_skip(s, 3), ev, sink, ctx);
	if (STR_EQ(s, "Completed") || STR_STARTS(s, "Completed ")) {
		emit(ev, EV_END, sink, ctx);
		return PARSE_EVENT;
	}
	if (STR_STARTS(s, "removed by ")) {
		emit(ev, EV_DELETED, sink, ctx);
		return PARSE_EVENT;
	}
	if ((at = STR_FIND(s, "rejected RCPT ")) >= 0)
		return parse_rcpt_reject(s, at, ev, sink, ctx);
	if (is_drop_text(s)) {
		ev->sender = find_sender(s);
		ev->status = RCPT_REJECTED;
		ev->text = s;
		emit(ev, EV_DROPPED, sink, ctx);
		return PARSE_EVENT;
	}
	/* Host errors of one attempt, frozen and thawed, retry times,
	 * spool locks, DKIM and site logwrite text: the message's own
	 * lines carry the outcome. */
	return PARSE_CONTEXT;
}

/* See exim.h. */
enum parse_result
exim_parse_untimed(struct str s)
{
	size_t i;

	if (s.len == 0 || s.p[0] == ' ' || s.p[0] == '\t')
		return PARSE_CONTEXT;
	if (STR_STARTS(s, "Envelope-from: ") || STR_STARTS(s, "Envelope-to: ")
	    || STR_EQ(s, "Envelope-from:") || STR_EQ(s, "Envelope-to:"))
		return PARSE_CONTEXT;
	/* log.c marks a header dump cut at its buffer's end. */
	if (STR_EQ(s, "*** truncated ***"))
		return PARSE_CONTEXT;
	/* "F From: ...": a spool flag letter, then a header line. */
	if (s.len > 3 && s.p[0] != '\0' && strchr("PIFTCBRS*", s.p[0]) != NULL
	    && s.p[1] == ' ') {
		for (i = 2; i < s.len && s.p[i] > ' ' && s.p[i] < 127 &&
		    s.p[i] != ':'; i++)
			;
		if (i > 2 && i < s.len && s.p[i] == ':')
			return PARSE_CONTEXT;
	}
	return PARSE_UNRECOGNIZED;
}

/* See exim.h. */
void
exim_host_from_path(const char *display, char *out, size_t outsz)
{
	static const char *const generic[] = {
		"log", "logs", "var", "exim", "exim4", "mail", "spool", "tmp",
		NULL,
	};

	input_host_from_path(display, generic, out, outsz);
}
