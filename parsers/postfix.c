/*
 * postfix - Postfix log lines into events. See postfix.h.
 *
 * Dispatch is on fixed bytes: the program name, then the first word of
 * the text after the queue ID, then key=value fields found with memmem.
 * No regular expression runs per line. Line shapes follow the Postfix
 * source (log_adhoc.c, smtpd.c, cleanup_*.c, qmgr_*.c) from 2.x to 3.11.
 */
#include "postfix.h"
#include "rfc5322.h"

#include <ctype.h>
#include <string.h>

enum pf_prog {
	PF_OTHER,	/* known program without message data */
	PF_SMTPD,	/* smtpd, postscreen, qmqpd */
	PF_CLEANUP,
	PF_QMGR,
	PF_AGENT,	/* smtp, lmtp, local, virtual, pipe, error, retry */
	PF_DISCARD,
	PF_PICKUP,
	PF_BOUNCE,
	PF_POSTSUPER,
	PF_UNKNOWN,
};

struct pf_name {
	const char *name;
	size_t len;
	enum pf_prog prog;
};

#define PF(n, p)	{ n, sizeof(n) - 1, p }

/* Busiest programs first: this runs for every line. */
static const struct pf_name pf_programs[] = {
	PF("smtp", PF_AGENT), PF("qmgr", PF_QMGR), PF("cleanup", PF_CLEANUP),
	PF("smtpd", PF_SMTPD), PF("local", PF_AGENT),
	PF("virtual", PF_AGENT), PF("lmtp", PF_AGENT),
	PF("bounce", PF_BOUNCE), PF("pickup", PF_PICKUP),
	PF("postscreen", PF_SMTPD), PF("qmqpd", PF_SMTPD),
	PF("oqmgr", PF_QMGR), PF("pipe", PF_AGENT), PF("error", PF_AGENT),
	PF("retry", PF_AGENT), PF("discard", PF_DISCARD),
	PF("defer", PF_BOUNCE), PF("trace", PF_BOUNCE),
	PF("postsuper", PF_POSTSUPER),
	PF("master", PF_OTHER), PF("anvil", PF_OTHER), PF("scache", PF_OTHER),
	PF("tlsmgr", PF_OTHER), PF("tlsproxy", PF_OTHER),
	PF("trivial-rewrite", PF_OTHER), PF("verify", PF_OTHER),
	PF("flush", PF_OTHER), PF("showq", PF_OTHER), PF("proxymap", PF_OTHER),
	PF("postlogd", PF_OTHER), PF("dnsblog", PF_OTHER),
	PF("postfix-script", PF_OTHER), PF("postfix", PF_OTHER),
	PF("sendmail", PF_OTHER), PF("postdrop", PF_OTHER),
	PF("postqueue", PF_OTHER), PF("postmap", PF_OTHER),
	PF("postalias", PF_OTHER), PF("postmulti", PF_OTHER),
	PF("postlog", PF_OTHER), PF("postconf", PF_OTHER),
	PF("spawn", PF_OTHER), PF("policy-spf", PF_OTHER),
	PF("postscreen-cache", PF_OTHER), PF("smtp-sink", PF_OTHER),
	{ NULL, 0, PF_UNKNOWN },
};

static enum pf_prog
pf_program(struct str prog)
{
	const struct pf_name *n;

	for (n = pf_programs; n->name != NULL; n++)
		if (prog.len == n->len && prog.p[0] == n->name[0] &&
		    memcmp(prog.p, n->name, prog.len) == 0)
			return n->prog;
	return PF_UNKNOWN;
}

/* See postfix.h. */
bool
postfix_is_tag(const struct syslog_rec *r)
{
	/* Every Postfix program logs as "<syslog_name>/<program>". */
	if (r->program.p == r->instance.p || r->program.len == 0)
		return false;
	return pf_program(r->program) != PF_UNKNOWN;
}

/* Queue ID characters: QC_HEX for the short form (0-9, A-F), QC_LONG
 * for the long one (0-9, B-Z and b-z without vowels). Every line's ID
 * is checked, so by table. */
#define QC_HEX	1
#define QC_LONG	2
static const unsigned char qid_class[256] = {
	['0'] = 3, ['1'] = 3, ['2'] = 3, ['3'] = 3, ['4'] = 3, ['5'] = 3,
	['6'] = 3, ['7'] = 3, ['8'] = 3, ['9'] = 3, ['A'] = 1, ['B'] = 3,
	['C'] = 3, ['D'] = 3, ['E'] = 1, ['F'] = 3, ['G'] = 2, ['H'] = 2,
	['J'] = 2, ['K'] = 2, ['L'] = 2, ['M'] = 2, ['N'] = 2, ['P'] = 2,
	['Q'] = 2, ['R'] = 2, ['S'] = 2, ['T'] = 2, ['V'] = 2, ['W'] = 2,
	['X'] = 2, ['Y'] = 2, ['Z'] = 2, ['b'] = 2, ['c'] = 2, ['d'] = 2,
	['f'] = 2, ['g'] = 2, ['h'] = 2, ['j'] = 2, ['k'] = 2, ['l'] = 2,
	['m'] = 2, ['n'] = 2, ['p'] = 2, ['q'] = 2, ['r'] = 2, ['s'] = 2,
	['t'] = 2, ['v'] = 2, ['w'] = 2, ['x'] = 2, ['y'] = 2, ['z'] = 2,
};

/* See postfix.h. */
size_t
postfix_qid_len(struct str s)
{
	size_t i, last_z = 0;
	unsigned cls = QC_HEX | QC_LONG;

	for (i = 0; i < s.len && i < 40 && s.p[i] != ':'; i++) {
		unsigned char c = (unsigned char)s.p[i];

		cls &= qid_class[c];
		if (cls == 0)
			return 0;
		if (c == 'z')
			last_z = i;
	}
	if (i >= s.len || s.p[i] != ':')
		return 0;
	if ((cls & QC_HEX) && i >= 6)
		return i;
	/* Long form: time (>= 6) + usec (4) + 'z' + inode (>= 1). */
	if ((cls & QC_LONG) && i >= 12 && last_z >= 10 && last_z + 1 < i)
		return i;
	return 0;
}

/* See postfix.h. */
size_t
postfix_read_addr(struct str s, struct str *out)
{
	size_t i;
	bool quoted = false;

	if (s.len == 0)
		return 0;
	if (s.p[0] != '<') {
		for (i = 0; i < s.len && s.p[i] != ',' && s.p[i] != ' '; i++)
			;
		*out = str_make(s.p, i);
		return i;
	}
	for (i = 1; i < s.len; i++) {
		char c = s.p[i];

		if (c == '\\' && quoted && i + 1 < s.len)
			i++;
		else if (c == '"')
			quoted = !quoted;
		else if (c == '>' && !quoted)
			break;
	}
	if (i >= s.len) {
		/* No closing bracket: the line was cut. Take what is there. */
		*out = str_make(s.p + 1, s.len - 1);
		return s.len;
	}
	*out = str_make(s.p + 1, i - 1);
	return i + 1;
}

/* Value of "key" (with its '='), found anywhere after from: up to ", "
 * or the end. */
static bool
find_field(struct str s, const char *key, size_t klen, struct str *out)
{
	long at = str_find(s, key, klen);
	size_t i;

	if (at < 0)
		return false;
	s = str_skip(s, (size_t)at + klen);
	for (i = 0; i < s.len && s.p[i] != ',' && s.p[i] != ' '; i++)
		;
	*out = str_make(s.p, i);
	return true;
}

#define FIND_FIELD(s, key, out)	find_field((s), (key), sizeof(key) - 1, (out))

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
	return i ? v : -1;
}

/* The next hop's ID in a success reply: "queued as QID2" (Postfix and
 * others), "id=EXIMID" (Exim's "250 OK id=1rXyZa-000abc-Qw"); the last
 * one wins, since a content filter quotes the reply of its own next
 * hop. Empty when the reply names none. */
static struct str
next_hop_id(struct str text)
{
	static const struct { const char *key; size_t len; } keys[] = {
		{ "queued as ", 10 }, { " id=", 4 },
	};
	struct str best = STR_NULL;
	const char *best_at = NULL;
	size_t k, n;

	for (k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		struct str t = text;
		long at;

		while ((at = str_find(t, keys[k].key, keys[k].len)) >= 0) {
			t = str_skip(t, (size_t)at + keys[k].len);
			for (n = 0; n < t.len && n < 64 &&
			    (isalnum((unsigned char)t.p[n]) || t.p[n] == '-');
			    n++)
				;
			if (n >= 6 && (best_at == NULL || t.p > best_at)) {
				best = str_make(t.p, n);
				best_at = t.p;
			}
		}
	}
	return best;
}

/* "to=<R>, [orig_to=<O>, ]relay=X, ..., dsn=D, status=WORD (TEXT)" */
static enum parse_result
parse_delivery(struct str s, enum pf_prog prog, struct event *ev,
    event_sink_fn sink, void *ctx)
{
	struct str status, rest;
	size_t n;

	n = postfix_read_addr(str_skip(s, 3), &ev->addr);
	if (n == 0)
		return PARSE_UNRECOGNIZED;
	rest = str_skip(s, 3 + n);
	if (STR_STARTS(rest, ", orig_to=")) {
		n = postfix_read_addr(str_skip(rest, 10), &ev->orig);
		rest = str_skip(rest, 10 + n);
	}
	/* ", relay=R[, conn_use=N], delay=D, delays=a/b/c/d[, tls=T],
	 * dsn=X, status=WORD (TEXT)": walked field by field, in one pass.
	 * status= comes last; the reply text after it may itself hold
	 * "to=<...>" or "dsn=". */
	for (;;) {
		struct str key, val;

		if (!STR_STARTS(rest, ", "))
			return PARSE_UNRECOGNIZED;
		rest = str_skip(rest, 2);
		for (n = 0; n < rest.len && rest.p[n] != '=' &&
		    rest.p[n] != ','; n++)
			;
		if (n >= rest.len || rest.p[n] != '=')
			return PARSE_UNRECOGNIZED;
		key = str_make(rest.p, n);
		rest = str_skip(rest, n + 1);
		if (STR_EQ(key, "status"))
			break;
		if (STR_EQ(key, "tls")) {
			/* Free text up to ", dsn=" (3.11+). */
			long at = STR_FIND(rest, ", dsn=");

			if (at < 0)
				return PARSE_UNRECOGNIZED;
			rest = str_skip(rest, (size_t)at);
			continue;
		}
		for (n = 0; n < rest.len && rest.p[n] != ','; n++)
			;
		val = str_make(rest.p, n);
		rest = str_skip(rest, n);
		if (STR_EQ(key, "relay"))
			ev->relay = val;
		else if (STR_EQ(key, "dsn"))
			ev->dsn = val;
	}
	for (n = 0; n < rest.len && rest.p[n] != ' ' && rest.p[n] != ','; n++)
		;
	status = str_make(rest.p, n);
	rest = str_skip(rest, n);
	if (STR_STARTS(rest, " (")) {
		rest = str_skip(rest, 2);
		if (rest.len > 0 && rest.p[rest.len - 1] == ')')
			rest.len--;
		ev->text = rest;
	}
	if (STR_EQ(status, "sent"))
		ev->status = prog == PF_DISCARD ? RCPT_DISCARDED : RCPT_SENT;
	else if (STR_EQ(status, "deferred") || STR_EQ(status, "SOFTBOUNCE"))
		ev->status = RCPT_DEFERRED;
	else if (STR_EQ(status, "bounced"))
		ev->status = RCPT_BOUNCED;
	else if (STR_EQ(status, "expired") || STR_EQ(status, "force-expired"))
		ev->status = RCPT_EXPIRED;
	else if (STR_EQ(status, "deliverable") ||
	    STR_STARTS(status, "undeliverable")) {
		ev->status = RCPT_UNKNOWN;
		ev->flags |= EVF_PROBE;
	} else
		return PARSE_UNRECOGNIZED;
	if (ev->status == RCPT_SENT && STR_STARTS(ev->text, "discarded"))
		ev->status = RCPT_DISCARDED;
	if (ev->status == RCPT_SENT && STR_STARTS(ev->text, "forwarded as ")) {
		struct str q = str_skip(ev->text, 13);

		for (n = 0; n < q.len && q.p[n] != ' ' && q.p[n] != ')'; n++)
			;
		ev->flags |= EVF_FORWARD;
		ev->link = LINK_FORWARD;
		ev->link_qid = str_make(q.p, n);
	}
	if ((ev->status == RCPT_BOUNCED || ev->status == RCPT_DEFERRED) &&
	    (STR_FIND(ev->text, "in reply to end of DATA command") >= 0 ||
	    STR_FIND(ev->text, "may be sent more than once") >= 0))
		ev->flags |= EVF_PARTIAL;
	emit(ev, EV_DELIVERY, sink, ctx);
	if (ev->link == LINK_FORWARD) {
		emit(ev, EV_LINK, sink, ctx);
	} else if (ev->status == RCPT_SENT &&
	    (ev->link_qid = next_hop_id(ev->text)).len > 0) {
		ev->link = LINK_NEXT_HOP;
		emit(ev, EV_LINK, sink, ctx);
	}
	return PARSE_EVENT;
}

/*
 * The "from=<S> to=<R> proto=P helo=<H>" tail of action lines: fields
 * separated by spaces (smtpd, cleanup) or ", " (postscreen). Values in
 * <> are read with their quoting, so a quoted local part may hold
 * spaces, commas or "to="; the scan stops at the first word that is not
 * key=value (the ": text" of a header check, a cut line).
 */
static void
parse_envelope_tail(struct str t, struct event *ev)
{
	size_t i, n;
	struct str key, val;

	while (t.len > 0) {
		for (i = 0; i < t.len && t.p[i] != '=' && t.p[i] != ' ' &&
		    t.p[i] != ','; i++)
			;
		if (i == 0 || i >= t.len || t.p[i] != '=')
			return;
		key = str_make(t.p, i);
		t = str_skip(t, i + 1);
		if (t.len > 0 && t.p[0] == '<') {
			n = postfix_read_addr(t, &val);
		} else {
			for (n = 0; n < t.len && t.p[n] != ' ' &&
			    t.p[n] != ','; n++)
				;
			val = str_make(t.p, n);
		}
		if (STR_EQ(key, "from"))
			ev->sender = val;
		else if (STR_EQ(key, "to"))
			ev->addr = val;
		t = str_skip(t, n);
		if (STR_STARTS(t, ", "))
			t = str_skip(t, 2);
		else if (STR_STARTS(t, " "))
			t = str_skip(t, 1);
		else
			return;
	}
}

/* Start of the envelope tail: the last "; " followed by a tail key.
 * The reply text before it may hold "; " of its own. */
static long
find_tail(struct str s)
{
	static const char *const keys[] = {
		"from=", "to=", "proto=", "helo=", NULL,
	};
	const char *const *k;
	long i;

	for (i = (long)s.len - 2; i >= 0; i--) {
		struct str rest;

		if (s.p[i] != ';' || s.p[i + 1] != ' ')
			continue;
		rest = str_skip(s, (size_t)i + 2);
		for (k = keys; *k != NULL; k++)
			if (str_starts(rest, *k, strlen(*k)))
				return i;
	}
	return -1;
}

/* Enhanced status code of a reply: "550 5.1.1 <x>: ..." or a milter's
 * bare "5.7.1 text" -> "5.1.1", "5.7.1"; empty when there is none. */
static struct str
reply_dsn(struct str reply)
{
	size_t n;
	struct str d = reply;

	for (n = 0; n < reply.len && reply.p[n] != ' '; n++)
		;
	if (n == 3 && n < reply.len)
		d = str_skip(reply, n + 1);
	for (n = 0; n < d.len && d.p[n] != ' ' && d.p[n] != ';'; n++)
		;
	if (n >= 5 && (d.p[0] == '2' || d.p[0] == '4' || d.p[0] == '5') &&
	    d.p[1] == '.')
		return str_make(d.p, n);
	return STR_NULL;
}

/* What an action word does to the recipients it names. */
enum pf_action {
	ACT_NONE,	/* not an action word */
	ACT_NOTE,	/* no effect on who gets the content */
	ACT_REJECT,
	ACT_DISCARD,
	ACT_ACCEPT,	/* proxy-accept: queued downstream as another ID */
};

/*
 * ACTION is an access or check action (smtpd_*_restrictions,
 * header_checks, body_checks), optionally prefixed "milter-" (from a
 * milter) or "milter-header-"/"milter-body-" (milter_header_checks),
 * or a before-queue filter verdict "proxy-accept"/"proxy-reject".
 */
static enum pf_action
action_kind(struct str w)
{
	static const char *const notes[] = {
		"reject_warning", "warning", "warn", "info", "hold",
		"filter", "redirect", "bcc", "prepend", "replace", "strip",
		"pass", "delay", "permit", "hangup", "quarantine", NULL,
	};
	const char *const *p;

	if (STR_EQ(w, "proxy-reject"))
		return ACT_REJECT;
	if (STR_EQ(w, "proxy-accept"))
		return ACT_ACCEPT;
	if (STR_STARTS(w, "milter-")) {
		w = str_skip(w, 7);
		if (STR_STARTS(w, "header-"))
			w = str_skip(w, 7);
		else if (STR_STARTS(w, "body-"))
			w = str_skip(w, 5);
	}
	if (STR_EQ(w, "reject"))
		return ACT_REJECT;
	if (STR_EQ(w, "discard"))
		return ACT_DISCARD;
	for (p = notes; *p != NULL; p++)
		if (w.len == strlen(*p) && memcmp(w.p, *p, w.len) == 0)
			return ACT_NOTE;
	return ACT_NONE;
}

/* Address headers whose logged text gives visibility. */
static bool
is_addr_header(struct str name)
{
	static const char *const names[] = {
		"to", "cc", "bcc", "from", "reply-to", "sender",
		"resent-to", "resent-cc", "resent-bcc", "resent-from",
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (rfc5322_header_name_eq(name.p, name.len, names[i]))
			return true;
	return false;
}

/*
 * Length of v that holds only whole addresses, v being header text Postfix
 * cut short: up to the last top-level ',' or ';', or all of it when it
 * ends with a closed angle address. Postfix's "??" (a folding CRLF) has
 * been made blanks already.
 */
static size_t
whole_addrs_len(const char *v, size_t len)
{
	size_t i, last_sep = 0, end = len;
	bool quoted = false;
	int angle = 0, paren = 0;

	for (i = 0; i < len; i++) {
		char c = v[i];

		if (quoted) {
			if (c == '\\')
				i++;
			else if (c == '"')
				quoted = false;
		} else if (paren > 0) {
			if (c == '\\')
				i++;
			else if (c == '(')
				paren++;
			else if (c == ')')
				paren--;
		} else if (c == '"') {
			quoted = true;
		} else if (c == '(') {
			paren = 1;
		} else if (c == '<') {
			angle = 1;
		} else if (c == '>') {
			angle = 0;
		} else if ((c == ',' || c == ';') && angle == 0) {
			last_sep = i + 1;
		}
	}
	while (end > 0 && (v[end - 1] == ' ' || v[end - 1] == '\t'))
		end--;
	if (!quoted && paren == 0 && angle == 0 && end > 0 &&
	    v[end - 1] == '>')
		return end;
	return last_sep;
}

/* Bytes of a logged header value parsed at most: Postfix logs 200. */
#define HDR_LOG_MAX	1024
/* Addresses kept per logged header: 200 bytes hold under 40. */
#define HDR_LOG_ADDRS	64

/*
 * EV_HDR_ADDRS for a logged address header. A cut value keeps only its
 * whole addresses (list_complete false): a cut address is never guessed.
 */
static void
emit_hdr_addrs(struct event *ev, struct str name, struct str value,
    bool cut, event_sink_fn sink, void *ctx)
{
	char text[HDR_LOG_MAX];
	struct hdr_addr out[HDR_LOG_ADDRS];
	struct rfc5322_addr_list l = { 0 };
	size_t i, n = 0, len = value.len;

	if (len > sizeof(text)) {
		len = sizeof(text);
		cut = true;
	}
	memcpy(text, value.p, len);
	for (i = 0; i + 1 < len; i++)
		if (text[i] == '?' && text[i + 1] == '?') {
			text[i] = text[i + 1] = ' ';
			i++;
		}
	if (cut)
		len = whole_addrs_len(text, len);
	if (len > 0)
		rfc5322_parse_addr_list(&l, text, len, 0);
	for (i = 0; i < l.n && n < HDR_LOG_ADDRS; i++) {
		if (l.v[i].addr.len == 0)
			continue;
		out[n].addr = l.v[i].addr;
		out[n].name = l.v[i].name;
		n++;
	}
	if (n > 0) {
		ev->hname = name;
		ev->addrs = out;
		ev->naddrs = n;
		ev->list_complete = !cut && n == l.n;
		emit(ev, EV_HDR_ADDRS, sink, ctx);
		ev->addrs = NULL;
		ev->naddrs = 0;
		ev->list_complete = false;
	}
	rfc5322_addr_list_free(&l);
}

/* The header or body line of a check action, "NAME: VALUE from ORIGIN"
 * with TEXT cut at 200 bytes by Postfix: emits EV_HEADER for headers,
 * and EV_HDR_ADDRS for address headers. */
static struct str
check_text(struct str head, bool is_header, struct event *ev,
    event_sink_fn sink, void *ctx, bool *emitted)
{
	struct str text = str_skip(head, is_header ? 7 : 5);
	long i;
	size_t colon;

	if (!is_header && STR_STARTS(head, "content "))
		text = str_skip(head, 8);
	for (i = (long)text.len - 6; i >= 0; i--)
		if (memcmp(text.p + i, " from ", 6) == 0) {
			text.len = (size_t)i;
			break;
		}
	if (!is_header || ev->qid.len == 0)
		return text;
	for (colon = 0; colon < text.len && text.p[colon] != ':'; colon++)
		;
	if (colon < text.len && colon > 0) {
		ev->hname = str_make(text.p, colon);
		ev->hvalue = str_trim(str_skip(text, colon + 1));
		ev->hvalue_cut = text.len >= 200;
		emit(ev, EV_HEADER, sink, ctx);
		*emitted = true;
		if (is_addr_header(ev->hname))
			emit_hdr_addrs(ev, ev->hname, ev->hvalue,
			    ev->hvalue_cut, sink, ctx);
		ev->hname = ev->hvalue = STR_NULL;
		ev->hvalue_cut = false;
	}
	return text;
}

/*
 * Access, check, milter and proxy actions (smtpd, postscreen, cleanup):
 *   ACTION: STAGE from CLIENT: REPLY; from=<S> to=<R> proto=P helo=<H>
 *   ACTION: header NAME: VALUE from CLIENT; from=<S> to=<R> ...[: TEXT]
 *   ACTION: mime-error TEXT: DETAIL from ORIGIN; from=<S> to=<R>
 *   proxy-accept: END-OF-MESSAGE: 250 ... queued as QID2; from=<S> ...
 * A reject or discard with a queue ID at DATA or later, and any made by
 * cleanup, throws the message away for every recipient (EV_DROPPED);
 * a refused RCPT refuses that recipient only (EV_REJECT).
 */
static enum parse_result
parse_action(struct str s, struct str word, enum pf_prog prog,
    struct event *ev, event_sink_fn sink, void *ctx)
{
	enum pf_action act = action_kind(word);
	struct str body = str_skip(s, word.len + 2), head, reply;
	long tail = find_tail(body), c;
	bool have_qid = ev->qid.len > 0, whole, check, header = false;

	head = tail >= 0 ? str_make(body.p, (size_t)tail) : body;
	if (tail >= 0)
		parse_envelope_tail(str_skip(body, (size_t)tail + 2), ev);
	check = STR_STARTS(head, "header ") || STR_STARTS(head, "body ") ||
	    STR_STARTS(head, "content ");
	if (check) {
		reply = check_text(head, STR_STARTS(head, "header "), ev,
		    sink, ctx, &header);
		whole = true;
	} else {
		/* STAGE from CLIENT: REPLY, or STAGE: REPLY (proxy) */
		c = STR_FIND(head, ": ");
		reply = c >= 0 ? str_skip(head, (size_t)c + 2) : STR_NULL;
		ev->dsn = reply_dsn(reply);
		whole = prog == PF_CLEANUP || STR_STARTS(head, "DATA ") ||
		    STR_STARTS(head, "END-OF-MESSAGE") ||
		    STR_STARTS(head, "BDAT ");
	}
	ev->text = reply;
	if ((act == ACT_REJECT || act == ACT_DISCARD) && have_qid &&
	    (whole || act == ACT_DISCARD)) {
		/* DISCARD at RCPT or later drops the whole transaction. */
		ev->status = act == ACT_REJECT ? RCPT_REJECTED :
		    RCPT_DISCARDED;
		emit(ev, EV_DROPPED, sink, ctx);
		return PARSE_EVENT;
	}
	if (act == ACT_REJECT && ev->addr.len > 0 && !check &&
	    (whole || STR_STARTS(head, "RCPT "))) {
		ev->status = RCPT_REJECTED;
		emit(ev, EV_REJECT, sink, ctx);
		return PARSE_EVENT;
	}
	if (header)
		return PARSE_EVENT;
	/* Notes (reject_warning, warn, info, hold, redirect, bcc, filter,
	 * ...), proxy-accept (the downstream ID logs its own lifetime),
	 * and refusals before any recipient (CONNECT, HELO, MAIL, VRFY,
	 * ETRN): no recipient was given or denied the content. */
	return PARSE_CONTEXT;
}

/* First word of s up to ": " (no spaces), or empty. */
static struct str
action_word(struct str s)
{
	size_t i;

	for (i = 0; i < s.len && i < 32; i++) {
		if (s.p[i] == ':')
			return i + 1 < s.len && s.p[i + 1] == ' ' ?
			    str_make(s.p, i) : STR_NULL;
		if (s.p[i] == ' ')
			return STR_NULL;
	}
	return STR_NULL;
}

static bool
starts_any(struct str s, const char *const *prefixes)
{
	const char *const *p;

	for (p = prefixes; *p != NULL; p++)
		if (str_starts(s, *p, strlen(*p)))
			return true;
	return false;
}

/* Lines that carry no message data, with or without a queue ID. */
static bool
is_context_text(struct str s)
{
	static const char *const prefixes[] = {
		"connect from ", "disconnect from ", "lost connection ",
		"timeout after ", "too many errors ", "improper command ",
		"Anonymous TLS ", "Trusted TLS ", "Verified TLS ",
		"Untrusted TLS ", "TLS ", "SSL_", "setting up TLS",
		"statistics: ", "connect to ", "daemon started",
		"reload ", "terminating on signal", "starting the Postfix",
		"stopping the Postfix", "refreshing the Postfix",
		"CONNECT from ", "PASS NEW ", "PASS OLD ", "DISCONNECT ",
		"PREGREET ", "HANGUP ", "DNSBL rank ", "WHITELISTED ",
		"BLACKLISTED ", "ALLOWLISTED ", "DENYLISTED ", "COMMAND ",
		"NON-SMTP COMMAND ", "BARE NEWLINE ", "WHITELIST VETO ",
		"ALLOWLIST VETO ", "BDAT ", "cache ", "addr ", "host ",
		"Deleted: ", "Requeued: ", "Placed on hold: ",
		"Released from hold: ", "Force-expired: ", "Renamed to ",
		"SASL ", "begin ",
		"end ", "Host offered STARTTLS", "mapping ", "table ",
		"dict_", "service ", "fatal: ", "panic: ", "error: ",
		"warning: ", "using ", "Postfix ", "smtp_", "smtpd_",
		"verify ", "postqueue", "sendmail", "queue ", "skipped",
		"process ", "pid ", "bad command", "unknown ", "exiting",
		"abort: ", "client ", "certificate ", "server ", "key ",
		"enabling ", "mail for ", "send attr ", "closing ",
		"discarding ", "delivering ", "listen ", "Cannot start TLS",
		"conversation with ", "Server certificate ",
		"breaking line ", "Host or domain name not found",
		"Name service error",
		NULL,
	};

	return starts_any(s, prefixes);
}

/* "sender non-delivery notification: QID2" and its kin */
static enum parse_result
parse_bounce(struct str s, struct event *ev, event_sink_fn sink, void *ctx)
{
	long at = STR_FIND(s, "notification: ");
	struct str q;
	size_t n;

	if (at < 0)
		return STR_FIND(s, "notification failed") >= 0 ?
		    PARSE_CONTEXT : PARSE_UNRECOGNIZED;
	q = str_skip(s, (size_t)at + 14);
	for (n = 0; n < q.len && q.p[n] != ' '; n++)
		;
	ev->link = LINK_BOUNCE;
	ev->link_qid = str_make(q.p, n);
	emit(ev, EV_LINK, sink, ctx);
	return PARSE_EVENT;
}

/* qmgr: "from=<S>, size=N, nrcpt=N (queue active)" or
 * "from=<S>, status=expired, returned to sender" */
static enum parse_result
parse_qmgr_from(struct str s, struct event *ev, event_sink_fn sink,
    void *ctx)
{
	struct str rest, v;
	size_t n = postfix_read_addr(str_skip(s, 5), &ev->sender);

	if (n == 0 && !STR_STARTS(s, "from=, "))
		return PARSE_UNRECOGNIZED;
	rest = str_skip(s, 5 + n);
	if (STR_FIND(rest, "status=expired") >= 0 ||
	    STR_FIND(rest, "status=force-expired") >= 0) {
		emit(ev, EV_ENVELOPE, sink, ctx);
		emit(ev, EV_EXPIRED, sink, ctx);
		return PARSE_EVENT;
	}
	if (FIND_FIELD(rest, "size=", &v))
		ev->size = to_long(v);
	if (FIND_FIELD(rest, "nrcpt=", &v))
		ev->nrcpt = to_long(v);
	emit(ev, EV_ENVELOPE, sink, ctx);
	return PARSE_EVENT;
}

/*
 * "warning: QID: TEXT". A warning about a message changes nothing for
 * its recipients, unless cleanup says it did not accept the message:
 * hopcount or size limits, a map lookup failure ("-- message not
 * accepted, try again later"). The client gets an error; nothing is
 * queued under this ID.
 */
static enum parse_result
parse_warning(struct str s, enum pf_prog prog, struct event *ev,
    event_sink_fn sink, void *ctx)
{
	if (prog != PF_CLEANUP || ev->qid.len == 0)
		return PARSE_CONTEXT;
	if (STR_STARTS(s, "message rejected") ||
	    STR_STARTS(s, "queue file size limit exceeded") ||
	    STR_FIND(s, "message not accepted") >= 0) {
		ev->status = RCPT_REJECTED;
		ev->text = s;
		emit(ev, EV_DROPPED, sink, ctx);
		return PARSE_EVENT;
	}
	return PARSE_CONTEXT;
}

/*
 * The text after "QID: " (or after nothing: the peers' test lines leave
 * the ID out, and proxy-* lines have none). PARSE_UNRECOGNIZED here
 * means no message shape matched; the caller then tries the context
 * lines.
 */
static enum parse_result
parse_payload(struct str s, enum pf_prog prog, struct event *ev,
    event_sink_fn sink, void *ctx)
{
	struct str word;

	/* The delivery line is made by log_adhoc() for every agent,
	 * qmgr included. */
	if (STR_STARTS(s, "to=") && prog != PF_SMTPD)
		return parse_delivery(s, prog, ev, sink, ctx);

	word = action_word(s);
	if (word.len > 0 && action_kind(word) != ACT_NONE &&
	    (prog == PF_SMTPD || prog == PF_CLEANUP))
		return parse_action(s, word, prog, ev, sink, ctx);

	switch (prog) {
	case PF_SMTPD:
		if (STR_STARTS(s, "client=")) {
			emit(ev, EV_BEGIN, sink, ctx);
			return PARSE_EVENT;
		}
		break;
	case PF_PICKUP:
		if (STR_STARTS(s, "uid=")) {
			long at = STR_FIND(s, " from=");
			struct str v;

			emit(ev, EV_BEGIN, sink, ctx);
			if (at >= 0 && postfix_read_addr(str_skip(s,
			    (size_t)at + 6), &ev->sender) > 0)
				emit(ev, EV_ENVELOPE, sink, ctx);
			if (FIND_FIELD(s, "orig_id=", &v)) {
				ev->link = LINK_REQUEUE;
				ev->link_qid = v;
				emit(ev, EV_LINK, sink, ctx);
			}
			return PARSE_EVENT;
		}
		break;
	case PF_CLEANUP:
		if (STR_STARTS(s, "message-id=")) {
			ev->msgid = str_trim(str_skip(s, 11));
			emit(ev, EV_MSGID, sink, ctx);
			return PARSE_EVENT;
		}
		if (STR_STARTS(s, "resent-message-id=")) {
			/* A header the log names; not the message's own ID. */
			ev->hname = STR_LIT("Resent-Message-ID");
			ev->hvalue = str_trim(str_skip(s, 18));
			emit(ev, EV_HEADER, sink, ctx);
			return PARSE_EVENT;
		}
		if (STR_EQ(s, "removed") || STR_STARTS(s, "removed (")) {
			/* 3.10+: "removed (canceled)" never queued,
			 * "removed (discarded)" thrown away. */
			ev->status = STR_FIND(s, "discarded") >= 0 ?
			    RCPT_DISCARDED : RCPT_REJECTED;
			ev->text = s;
			emit(ev, EV_DROPPED, sink, ctx);
			return PARSE_EVENT;
		}
		if (STR_STARTS(s, "message rejected") ||
		    STR_STARTS(s, "queue file size limit"))
			return parse_warning(s, prog, ev, sink, ctx);
		break;
	case PF_QMGR:
		if (STR_EQ(s, "removed")) {
			emit(ev, EV_END, sink, ctx);
			return PARSE_EVENT;
		}
		if (STR_STARTS(s, "from="))
			return parse_qmgr_from(s, ev, sink, ctx);
		if (STR_STARTS(s, "skipped, still being delivered"))
			return PARSE_CONTEXT;
		break;
	case PF_BOUNCE:
		return parse_bounce(s, ev, sink, ctx);
	case PF_POSTSUPER:
		if (STR_EQ(s, "removed")) {
			emit(ev, EV_DELETED, sink, ctx);
			return PARSE_EVENT;
		}
		/* Hold, release, requeue (the new ID's pickup line carries
		 * orig_id=), force-expire (qmgr logs status=expired). */
		if (STR_EQ(s, "placed on hold") ||
		    STR_EQ(s, "released from hold") ||
		    STR_EQ(s, "requeued") || STR_EQ(s, "expired"))
			return PARSE_CONTEXT;
		break;
	case PF_AGENT:
	case PF_DISCARD:
		/* Non-final remote replies and connection trouble of one
		 * attempt; the delivery line carries the outcome. */
		if (STR_STARTS(s, "host ") || STR_STARTS(s, "lost connection") ||
		    STR_STARTS(s, "conversation with") ||
		    STR_STARTS(s, "enabling PIX") ||
		    STR_STARTS(s, "TLS is required") ||
		    STR_STARTS(s, "Server certificate") ||
		    STR_STARTS(s, "Cannot start TLS") ||
		    STR_STARTS(s, "SASL authentication failed") ||
		    STR_STARTS(s, "connect to "))
			return PARSE_CONTEXT;
		break;
	default:
		break;
	}
	return PARSE_UNRECOGNIZED;
}

/* See postfix.h. */
enum parse_result
postfix_parse_line(const struct syslog_rec *r, struct event *ev,
    event_sink_fn sink, void *ctx)
{
	enum pf_prog prog = pf_program(r->program);
	struct str s = r->msg;
	enum parse_result res;
	size_t n;
	bool severity = false;

	event_reset_fields(ev);
	ev->instance = r->instance;
	ev->qid = STR_NULL;
	if (prog == PF_UNKNOWN)
		return PARSE_UNRECOGNIZED;
	/* "warning: QID: ..." - the queue ID may follow a severity. */
	if (STR_STARTS(s, "warning: ") || STR_STARTS(s, "error: ") ||
	    STR_STARTS(s, "fatal: ") || STR_STARTS(s, "panic: ")) {
		const char *sp = memchr(s.p, ' ', s.len);

		s = str_skip(s, (size_t)(sp - s.p) + 1);
		severity = true;
	}
	if ((n = postfix_qid_len(s)) > 0 && n + 1 < s.len &&
	    s.p[n + 1] == ' ') {
		ev->qid = str_make(s.p, n);
		s = str_skip(s, n + 2);
	} else if (STR_STARTS(s, "NOQUEUE: ")) {
		s = str_skip(s, 9);
	}
	if (severity)
		return parse_warning(s, prog, ev, sink, ctx);
	if (prog == PF_OTHER)
		return PARSE_CONTEXT;
	res = parse_payload(s, prog, ev, sink, ctx);
	if (res != PARSE_UNRECOGNIZED)
		return res;
	/* Lines without an ID that are not message shapes are session and
	 * daemon chatter; with an ID, only the known ones: the rest is
	 * listed by `stats --unparsed`. Both include the 3.10+
	 * "QID: lost connection after DATA from ..." (cleanup's
	 * "removed (canceled)" says the message was dropped). */
	return is_context_text(s) ? PARSE_CONTEXT : PARSE_UNRECOGNIZED;
}
