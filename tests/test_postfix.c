/*
 * test_postfix - queue IDs, addresses and every Postfix line shape
 *
 * Each postfix_parse_line() case is a whole syslog line and the events
 * it must emit, written as one string: "TYPE field=value ..." per event,
 * joined by " | ", fields in a fixed order and only when set. The sink
 * records copies of the events; the test formats them the same way and
 * compares, so a failure shows both sides in full.
 */
#include "cu.h"
#include "../parsers/postfix.h"
#include "../parsers/syslog.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_EVENTS	8	/* room to record more than a line may emit */
#define MAX_PER_LINE	3	/* HEADER + DROPPED, or BEGIN + ENVELOPE + LINK */

struct rec {
	char out[4096];
	size_t len;
	int n;
};

static const char *const type_names[EV_TYPE_COUNT] = {
	"BEGIN", "MSGID", "ENVELOPE", "HEADER", "DELIVERY", "REJECT",
	"EXPIRED", "END", "DELETED", "DROPPED", "LINK",
};

static const char *const link_names[] = {
	"none", "forward", "bounce", "next-hop", "requeue",
};

static void
rec_put(struct rec *r, const char *key, struct str v)
{
	int n;

	if (v.len == 0)
		return;
	n = snprintf(r->out + r->len, sizeof(r->out) - r->len, " %s=%.*s",
	    key, (int)v.len, v.p);
	if (n > 0 && (size_t)n < sizeof(r->out) - r->len)
		r->len += (size_t)n;
}

static void
rec_putf(struct rec *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
rec_putf(struct rec *r, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r->out + r->len, sizeof(r->out) - r->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(r->out) - r->len)
		r->len += (size_t)n;
}

/* The sink: formats (copies) each event while its views are valid. */
static void
rec_sink(void *ctx, const struct event *ev)
{
	struct rec *r = ctx;

	if (r->n++ >= MAX_EVENTS)
		return;
	rec_putf(r, "%s%s", r->len ? " | " : "", type_names[ev->type]);
	rec_put(r, "qid", ev->qid);
	rec_put(r, "sender", ev->sender);
	rec_put(r, "addr", ev->addr);
	rec_put(r, "orig", ev->orig);
	rec_put(r, "msgid", ev->msgid);
	rec_put(r, "relay", ev->relay);
	rec_put(r, "dsn", ev->dsn);
	if (ev->status != RCPT_UNKNOWN)
		rec_putf(r, " status=%s", rcpt_status_name(ev->status));
	if (ev->flags & EVF_PROBE)
		rec_putf(r, " probe");
	if (ev->flags & EVF_PARTIAL)
		rec_putf(r, " partial");
	if (ev->flags & EVF_FORWARD)
		rec_putf(r, " forward");
	if (ev->size >= 0)
		rec_putf(r, " size=%lld", (long long)ev->size);
	if (ev->nrcpt >= 0)
		rec_putf(r, " nrcpt=%lld", (long long)ev->nrcpt);
	rec_put(r, "hname", ev->hname);
	rec_put(r, "hvalue", ev->hvalue);
	if (ev->hvalue_cut)
		rec_putf(r, " cut");
	if (ev->link != LINK_NONE)
		rec_putf(r, " link=%s", link_names[ev->link]);
	rec_put(r, "link_qid", ev->link_qid);
	rec_put(r, "text", ev->text);
}

static void
test_qid_len(void)
{
	static const struct {
		const char *in;
		size_t want;
	} cases[] = {
		{ "7A3F21C0D4: client=x", 10 },
		{ "1310930001DB: removed", 12 },
		{ "B99FE3D: lost connection", 7 },
		{ "ABCDEF: x", 6 },
		{ "ABCDE: x", 0 },		/* short form: at least 6 */
		{ "3mPVKl0Mhjz7sXv: to=<x>", 15 },
		{ "4Tq3Vd0m7Jz1Bc: removed", 14 },
		{ "3mfNtc147Bz1M9pl: from=<>", 16 },
		{ "warning: 4Tq3Vd0m7Jz1Bc: x", 0 },
		{ "NOQUEUE: reject: RCPT", 0 },
		{ "statistics: max cache size", 0 },
		{ "Deleted: 12 messages", 0 },
		{ "7a3f21c0d4: client=x", 0 },	/* hex is upper case */
		{ "4Tq3Vd0m7Jz: x", 0 },	/* no inode after the z */
		{ "4Tq3Vd0m7J1Bc: x", 0 },	/* no z separator */
		{ "7A3F21C0D4", 0 },		/* no colon */
		{ "<queue id>: reject: x", 0 },
		{ "", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = postfix_qid_len(str_make(cases[i].in,
		    strlen(cases[i].in)));

		CHECKF(n == cases[i].want, "qid_len \"%s\": got %zu, want %zu",
		    cases[i].in, n, cases[i].want);
	}
}

static void
test_read_addr(void)
{
	static const struct {
		const char *in;
		size_t want_used;
		const char *want;
	} cases[] = {
		{ "<bob@example.com>, relay=x", 17, "bob@example.com" },
		{ "<>, size=3", 2, "" },
		{ "<dave> orig_id=X", 6, "dave" },
		{ "<\"a, b\"@example.com>, relay=x", 20, "\"a, b\"@example.com" },
		{ "<\"a>b\"@example.com> to=<c>", 19, "\"a>b\"@example.com" },
		{ "<\"a\\\"> b\"@x> y", 12, "\"a\\\"> b\"@x" },
		{ "<john smith@example.com>, x", 24, "john smith@example.com" },
		{ "<user@[192.0.2.1]>", 18, "user@[192.0.2.1]" },
		{ "user@example.com, size=270", 16, "user@example.com" },
		{ "user@example.com proto=SMTP", 16, "user@example.com" },
		{ "<56597@con", 10, "56597@con" },	/* cut line */
		{ "<\"a, b", 6, "\"a, b" },		/* cut inside quotes */
		{ "", 0, "" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct str out = STR_NULL;
		char got[256];
		size_t n = postfix_read_addr(str_make(cases[i].in,
		    strlen(cases[i].in)), &out);

		snprintf(got, sizeof(got), "%.*s", (int)out.len,
		    out.p ? out.p : "");
		CHECKF(n == cases[i].want_used, "read_addr \"%s\": got %zu "
		    "bytes used, want %zu", cases[i].in, n,
		    cases[i].want_used);
		CHECK_STR(got, cases[i].want, cases[i].in);
	}
}

#define P	"Mar  7 09:15:02 mx1 "

static const struct {
	const char *line;
	enum parse_result want_res;
	const char *want;	/* events as rec_sink formats them */
} line_cases[] = {
	/* smtpd */
	{ P "postfix/smtpd[1101]: 7A3F21C0D4: client=mail.example.net"
	    "[192.0.2.10]", PARSE_EVENT, "BEGIN qid=7A3F21C0D4" },
	{ P "postfix/submission/smtpd[1]: 4Tq3Vd0m7Jz1Bc: client=x[192.0.2.1]"
	    ", sasl_method=PLAIN, sasl_username=alice", PARSE_EVENT,
	    "BEGIN qid=4Tq3Vd0m7Jz1Bc" },
	{ P "postfix/smtpd[1]: connect from x[192.0.2.1]", PARSE_CONTEXT, "" },
	{ P "postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.1]: 550 "
	    "5.1.1 <b@example.com>: Recipient address rejected: User unknown;"
	    " from=<a@example.net> to=<b@example.com> proto=ESMTP helo=<x>",
	    PARSE_EVENT, "REJECT sender=a@example.net addr=b@example.com "
	    "dsn=5.1.1 status=rejected text=550 5.1.1 <b@example.com>: "
	    "Recipient address rejected: User unknown" },
	/* Quoted local parts: "to=" and spaces inside the quotes. */
	{ P "postfix/smtpd[1]: 7A3F21C0D4: reject: RCPT from x[192.0.2.1]: "
	    "550 5.1.1 <\"a b\"@example.com>: Recipient address rejected; "
	    "from=<\"c to=d\"@example.net> to=<\"a b\"@example.com> "
	    "proto=ESMTP helo=<x> sasl_method=PLAIN sasl_username=u",
	    PARSE_EVENT, "REJECT qid=7A3F21C0D4 sender=\"c to=d\"@example.net "
	    "addr=\"a b\"@example.com dsn=5.1.1 status=rejected text=550 "
	    "5.1.1 <\"a b\"@example.com>: Recipient address rejected" },
	/* A tail with to= only (from the Postfix smtpd_check tests). */
	{ P "postfix/smtpd[1]: NOQUEUE: reject: RCPT from x[192.0.2.1]: 554 "
	    "5.7.1 <r@example.org>: Relay access denied; to=<r@example.org> "
	    "proto=SMTP", PARSE_EVENT, "REJECT addr=r@example.org dsn=5.7.1 "
	    "status=rejected text=554 5.7.1 <r@example.org>: Relay access "
	    "denied" },
	/* Refused before any recipient: no one was denied the content. */
	{ P "postfix/smtpd[1]: NOQUEUE: reject: MAIL from x[192.0.2.1]: 554 "
	    "5.7.1 <a@example.net>: Sender address rejected: Access denied; "
	    "from=<a@example.net> proto=SMTP helo=<x>", PARSE_CONTEXT, "" },
	{ P "postfix/smtpd[1]: NOQUEUE: reject_warning: RCPT from x[192.0.2.1]"
	    ": 550 5.1.1 <b@example.com>: no; from=<a@example.net> "
	    "to=<b@example.com> proto=ESMTP helo=<x>", PARSE_CONTEXT, "" },
	{ P "postfix/smtpd[1]: 7A3F21C0D4: reject: DATA from x[192.0.2.1]: "
	    "421 4.3.0 x[192.0.2.1] Server local data error; "
	    "from=<a@example.net> to=<b@example.com> proto=ESMTP helo=<x>",
	    PARSE_EVENT, "DROPPED qid=7A3F21C0D4 sender=a@example.net "
	    "addr=b@example.com dsn=4.3.0 status=rejected text=421 4.3.0 "
	    "x[192.0.2.1] Server local data error" },
	{ P "postfix/smtpd[1]: 7A3F21C0D4: discard: RCPT from x[192.0.2.1]: "
	    "<b@example.com>: Recipient address triggers DISCARD action; "
	    "from=<a@example.net> to=<b@example.com> proto=ESMTP helo=<x>",
	    PARSE_EVENT, "DROPPED qid=7A3F21C0D4 sender=a@example.net "
	    "addr=b@example.com status=discarded text=<b@example.com>: "
	    "Recipient address triggers DISCARD action" },
	{ P "postfix/smtpd[1]: 7A3F21C0D4: milter-reject: END-OF-MESSAGE from "
	    "x[192.0.2.1]: 5.7.1 Spam; from=<a@example.net> to=<b@example.com>"
	    " proto=ESMTP helo=<x>", PARSE_EVENT, "DROPPED qid=7A3F21C0D4 "
	    "sender=a@example.net addr=b@example.com dsn=5.7.1 "
	    "status=rejected text=5.7.1 Spam" },
	{ P "postfix/smtpd[1]: 7A3F21C0D4: milter-hold: END-OF-MESSAGE from "
	    "x[192.0.2.1]: milter triggers HOLD action; from=<a@example.net> "
	    "to=<b@example.com> proto=ESMTP helo=<x>", PARSE_CONTEXT, "" },
	/* 3.10+: the abnormal end carries the ID; cleanup's "removed" says
	 * the message was dropped. */
	{ P "postfix/smtpd[1]: 7A3F21C0D4: lost connection after DATA (123 "
	    "bytes) from x[192.0.2.1]", PARSE_CONTEXT, "" },
	{ P "postfix/smtpd[1]: proxy-accept: END-OF-MESSAGE: 250 2.0.0 Ok: "
	    "queued as 4Tq3Vd0m7Jz1Bc; from=<a@example.net> "
	    "to=<b@example.com> proto=ESMTP helo=<x>", PARSE_CONTEXT, "" },
	/* whyscream-postfix-grok-patterns (smtpd_0022): proxy_status_code
	 * 554, enhanced 5.7.0, to=<user2@example2.com>. */
	{ P "postfix/smtpd[1]: proxy-reject: END-OF-MESSAGE: 554 5.7.0 Reject,"
	    " contact postmaster@example.com, id=31619-02 - spam; from=<> "
	    "to=<user2@example2.com> proto=SMTP helo=<17.33.12.53>",
	    PARSE_EVENT, "REJECT addr=user2@example2.com dsn=5.7.0 "
	    "status=rejected text=554 5.7.0 Reject, contact "
	    "postmaster@example.com, id=31619-02 - spam" },
	/* postscreen: comma-separated tail, [ip]:port client */
	{ P "postfix/postscreen[512]: NOQUEUE: reject: RCPT from "
	    "[192.0.2.10]:53211: 550 5.7.1 Service unavailable; client "
	    "[192.0.2.10] blocked using zen.example; from=<a@example.net>, "
	    "to=<b@example.com>, proto=ESMTP, helo=<x>", PARSE_EVENT,
	    "REJECT sender=a@example.net addr=b@example.com dsn=5.7.1 "
	    "status=rejected text=550 5.7.1 Service unavailable; client "
	    "[192.0.2.10] blocked using zen.example" },
	{ P "postfix/postscreen[512]: NOQUEUE: reject: CONNECT from "
	    "[192.0.2.10]:1337: all server ports busy", PARSE_CONTEXT, "" },
	{ P "postfix/postscreen[512]: PASS NEW [192.0.2.10]:53211",
	    PARSE_CONTEXT, "" },
	/* pickup */
	{ P "postfix/pickup[990]: 91C0D2A11F: uid=1000 from=<dave>",
	    PARSE_EVENT, "BEGIN qid=91C0D2A11F | ENVELOPE qid=91C0D2A11F "
	    "sender=dave" },
	{ P "postfix/pickup[990]: 91C0D2A11F: uid=0 from=<a@example.com> "
	    "orig_id=7A3F21C0D4", PARSE_EVENT, "BEGIN qid=91C0D2A11F | "
	    "ENVELOPE qid=91C0D2A11F sender=a@example.com | LINK "
	    "qid=91C0D2A11F sender=a@example.com link=requeue "
	    "link_qid=7A3F21C0D4" },
	/* cleanup */
	/* msimerson-postfix-parser (syslogLines "postfix/cleanup"): qid
	 * 3mPVKl0Mhjz7sXv, message-id E1ZB06G-0006n5-Vp@... */
	{ "Jul  5 06:52:11 prd-mx1 postfix/cleanup[21893]: 3mPVKl0Mhjz7sXv: "
	    "message-id=<E1ZB06G-0006n5-Vp@anc-dev-web1.slc.example.net>",
	    PARSE_EVENT, "MSGID qid=3mPVKl0Mhjz7sXv "
	    "msgid=<E1ZB06G-0006n5-Vp@anc-dev-web1.slc.example.net>" },
	{ P "postfix/cleanup[1]: 7A3F21C0D4: message-id=", PARSE_EVENT,
	    "MSGID qid=7A3F21C0D4" },
	{ P "postfix/cleanup[1]: 7A3F21C0D4: resent-message-id=<r@example.net>",
	    PARSE_EVENT, "HEADER qid=7A3F21C0D4 hname=Resent-Message-ID "
	    "hvalue=<r@example.net>" },
	{ P "postfix/cleanup[1]: 7A3F21C0D4: warning: header Subject: Invoice "
	    "from x[192.0.2.1]; from=<a@example.net> to=<b@example.com> "
	    "proto=ESMTP helo=<x>", PARSE_EVENT, "HEADER qid=7A3F21C0D4 "
	    "sender=a@example.net addr=b@example.com hname=Subject "
	    "hvalue=Invoice" },
	{ P "postfix/cleanup[1]: 7A3F21C0D4: reject: body spam here from "
	    "local; from=<a@example.net> to=<b@example.com>: 5.7.1 no",
	    PARSE_EVENT, "DROPPED qid=7A3F21C0D4 sender=a@example.net "
	    "addr=b@example.com status=rejected text=spam here" },
	/* whyscream-postfix-grok-patterns (cleanup_0003): milter result
	 * header-redirect, keyvalue from=<wumt5@cchfdc.com>
	 * to=<voorzitter@example.com>. */
	{ P "postfix/cleanup[1]: 4104E3D: milter-header-redirect: header "
	    "X-Spam-Status: Yes, score=39.3 required=5.0 tests=ADVANCE_FE "
	    "from 061238241086.static.ctinets.com[61.238.241.86]; "
	    "from=<wumt5@cchfdc.com> to=<voorzitter@example.com> proto=ESMTP "
	    "helo=<ecsolved.com>: tom@example.com", PARSE_EVENT,
	    "HEADER qid=4104E3D sender=wumt5@cchfdc.com "
	    "addr=voorzitter@example.com hname=X-Spam-Status hvalue=Yes, "
	    "score=39.3 required=5.0 tests=ADVANCE_FE" },
	{ P "postfix/cleanup[1]: 7A3F21C0D4: removed (canceled)", PARSE_EVENT,
	    "DROPPED qid=7A3F21C0D4 status=rejected text=removed (canceled)" },
	{ P "postfix/cleanup[1]: 7A3F21C0D4: removed (discarded)", PARSE_EVENT,
	    "DROPPED qid=7A3F21C0D4 status=discarded "
	    "text=removed (discarded)" },
	{ P "postfix/cleanup[881]: warning: 4Tq3Vd0m7Jz1Bc: message rejected: "
	    "hopcount exceeded", PARSE_EVENT, "DROPPED qid=4Tq3Vd0m7Jz1Bc "
	    "status=rejected text=message rejected: hopcount exceeded" },
	{ P "postfix/cleanup[1]: warning: 9BECF3F19D: sender_canonical_maps "
	    "map lookup problem for a@example.com -- message not accepted, "
	    "try again later", PARSE_EVENT, "DROPPED qid=9BECF3F19D "
	    "status=rejected text=sender_canonical_maps map lookup problem "
	    "for a@example.com -- message not accepted, try again later" },
	/* qmgr */
	/* msimerson-postfix-parser ("postfix/qmgr, no angle brackets"):
	 * qid ED373F8043E, from rory@rory-dev.localdomain, size 270,
	 * nrcpt 1. */
	{ "Sep 25 12:07:56 rory-dev postfix/qmgr[1626]: ED373F8043E: "
	    "from=rory@rory-dev.localdomain, size=270, nrcpt=1 (queue active)",
	    PARSE_EVENT, "ENVELOPE qid=ED373F8043E "
	    "sender=rory@rory-dev.localdomain size=270 nrcpt=1" },
	{ P "postfix/qmgr[880]: 7A3F21C0D4: from=<>, size=4211, nrcpt=2 "
	    "(queue active)", PARSE_EVENT, "ENVELOPE qid=7A3F21C0D4 "
	    "size=4211 nrcpt=2" },
	{ P "postfix/qmgr[880]: 7A3F21C0D4: from=<a@example.net>, "
	    "status=force-expired, returned to sender", PARSE_EVENT,
	    "ENVELOPE qid=7A3F21C0D4 sender=a@example.net | EXPIRED "
	    "qid=7A3F21C0D4 sender=a@example.net" },
	/* kumina-postfix_exporter ("Single line"): removedCount 1. */
	{ "Feb 11 16:49:24 letterman postfix/qmgr[8204]: AAB4D259B1: removed",
	    PARSE_EVENT, "END qid=AAB4D259B1" },
	{ P "postfix/qmgr[880]: 7A3F21C0D4: to=<b@example.com>, relay=none, "
	    "delay=0.1, delays=0.1/0/0/0, dsn=4.3.2, status=deferred "
	    "(delivery temporarily suspended: x)", PARSE_EVENT,
	    "DELIVERY qid=7A3F21C0D4 addr=b@example.com relay=none dsn=4.3.2 "
	    "status=deferred text=delivery temporarily suspended: x" },
	/* delivery agents */
	/* msimerson-postfix-parser (syslogLines "postfix/smtp"): to
	 * 56597@continuity.delivery, relay 10.2.2.85[10.2.2.85]:2527,
	 * dsn 2.0.0, status sent (250 2.0.0 Ok: queued as
	 * 3mPVKl3YVXz2pS5Z). */
	{ "Jul  5 06:52:11 prd-mx1 postfix/smtp[22030]: 3mPVKl0Mhjz7sXv: "
	    "to=<56597@continuity.delivery>, relay=10.2.2.85[10.2.2.85]:2527, "
	    "delay=0.51, delays=0.44/0.01/0.05/0.01, dsn=2.0.0, status=sent "
	    "(250 2.0.0 Ok: queued as 3mPVKl3YVXz2pS5Z)", PARSE_EVENT,
	    "DELIVERY qid=3mPVKl0Mhjz7sXv addr=56597@continuity.delivery "
	    "relay=10.2.2.85[10.2.2.85]:2527 dsn=2.0.0 status=sent "
	    "text=250 2.0.0 Ok: queued as 3mPVKl3YVXz2pS5Z | LINK "
	    "qid=3mPVKl0Mhjz7sXv addr=56597@continuity.delivery "
	    "relay=10.2.2.85[10.2.2.85]:2527 dsn=2.0.0 status=sent "
	    "link=next-hop link_qid=3mPVKl3YVXz2pS5Z text=250 2.0.0 Ok: "
	    "queued as 3mPVKl3YVXz2pS5Z" },
	/* msimerson-postfix-parser: the same line cut by the logger. */
	{ "Jul  5 06:52:11 prd-mx1 postfix/smtp[22030]: 3mPVKl0Mhjz7sXv: "
	    "to=<56597@con", PARSE_UNRECOGNIZED, "" },
	{ P "postfix/smtp[1]: 7A3F21C0D4: to=<\"a, b>c\"@example.com>, "
	    "orig_to=<\"x y\"@example.com>, relay=mx.example.org"
	    "[198.51.100.7]:25, conn_use=3, delay=1.4, delays=0.1/0/0.6/0.7, "
	    "tls=dane/requiretls, dsn=4.0.0, status=deferred (host mx[198.51."
	    "100.7] said: 451 try later (in reply to end of DATA command))",
	    PARSE_EVENT, "DELIVERY qid=7A3F21C0D4 addr=\"a, b>c\"@example.com "
	    "orig=\"x y\"@example.com relay=mx.example.org[198.51.100.7]:25 "
	    "dsn=4.0.0 status=deferred partial text=host mx[198.51.100.7] "
	    "said: 451 try later (in reply to end of DATA command)" },
	{ P "postfix/smtp[1]: 7A3F21C0D4: to=<x@example.org>, relay=none, "
	    "delay=1, delays=1/0/0/0, dsn=4.4.1, status=SOFTBOUNCE (connect "
	    "to mx[198.51.100.7]:25: Connection refused)", PARSE_EVENT,
	    "DELIVERY qid=7A3F21C0D4 addr=x@example.org relay=none dsn=4.4.1 "
	    "status=deferred text=connect to mx[198.51.100.7]:25: Connection "
	    "refused" },
	{ P "postfix/relay/smtp[1]: 7A3F21C0D4: to=<b@example.org>, relay=mx"
	    "[198.51.100.7]:25, delay=1, delays=1/0/0/0, dsn=2.0.0, "
	    "status=sent (250 OK id=1rXyZa-000abc-Qw)", PARSE_EVENT,
	    "DELIVERY qid=7A3F21C0D4 addr=b@example.org relay=mx[198.51.100.7]"
	    ":25 dsn=2.0.0 status=sent text=250 OK id=1rXyZa-000abc-Qw | LINK "
	    "qid=7A3F21C0D4 addr=b@example.org relay=mx[198.51.100.7]:25 "
	    "dsn=2.0.0 status=sent link=next-hop link_qid=1rXyZa-000abc-Qw "
	    "text=250 OK id=1rXyZa-000abc-Qw" },
	{ P "postfix/smtp[1]: 7A3F21C0D4: host mx[198.51.100.7] said: 450 "
	    "4.7.1 Greylisted (in reply to RCPT TO command)", PARSE_CONTEXT,
	    "" },
	{ P "postfix/smtp[1]: 3mPz615lB2z7sZt: Cannot start TLS: handshake "
	    "failure", PARSE_CONTEXT, "" },
	{ P "postfix/lmtp[1]: AD6E41CDC05C: to=<admin@example.com>, relay="
	    "sub1.example.com[private/dovecot-lmtp], delay=0.15, delays=0.04/"
	    "0/0.02/0.08, dsn=2.0.0, status=sent (250 2.0.0 <admin@example.com>"
	    " qYyyBMsl9FRuZQAAA15QOA Saved)", PARSE_EVENT,
	    "DELIVERY qid=AD6E41CDC05C addr=admin@example.com "
	    "relay=sub1.example.com[private/dovecot-lmtp] dsn=2.0.0 "
	    "status=sent text=250 2.0.0 <admin@example.com> "
	    "qYyyBMsl9FRuZQAAA15QOA Saved" },
	{ P "postfix/local[1]: 486ED600A5: to=<system@example.net>, "
	    "orig_to=<system>, relay=local, delay=0.01, delays=0.01/0/0/0, "
	    "dsn=2.0.0, status=sent (forwarded as 3mLQKK4rDdz7sVS)",
	    PARSE_EVENT, "DELIVERY qid=486ED600A5 addr=system@example.net "
	    "orig=system relay=local dsn=2.0.0 status=sent forward "
	    "link=forward link_qid=3mLQKK4rDdz7sVS text=forwarded as "
	    "3mLQKK4rDdz7sVS | LINK qid=486ED600A5 addr=system@example.net "
	    "orig=system relay=local dsn=2.0.0 status=sent forward "
	    "link=forward link_qid=3mLQKK4rDdz7sVS text=forwarded as "
	    "3mLQKK4rDdz7sVS" },
	{ P "postfix/local[1]: 7A3F21C0D4: to=<b@example.com>, relay=local, "
	    "delay=0.1, delays=0.1/0/0/0, dsn=2.0.0, status=deliverable "
	    "(delivers to mailbox)", PARSE_EVENT, "DELIVERY qid=7A3F21C0D4 "
	    "addr=b@example.com relay=local dsn=2.0.0 probe "
	    "text=delivers to mailbox" },
	/* whyscream-postfix-grok-patterns (error_0002): status
	 * undeliverable-but-not-cached, dsn 5.1.1. */
	{ P "postfix/error[1]: 3E29030F8637E: to=<user@yahoo.com>, relay=none, "
	    "delay=0.01, delays=0.01/0/0/0, dsn=5.1.1, "
	    "status=undeliverable-but-not-cached (User unknown in virtual "
	    "alias table)", PARSE_EVENT, "DELIVERY qid=3E29030F8637E "
	    "addr=user@yahoo.com relay=none dsn=5.1.1 probe text=User unknown "
	    "in virtual alias table" },
	{ P "postfix/pipe[1]: 7A3F21C0D4: to=<b@example.com>, relay=dovecot, "
	    "delay=0.1, delays=0.1/0/0/0, dsn=2.0.0, status=sent (delivered "
	    "via dovecot service)", PARSE_EVENT, "DELIVERY qid=7A3F21C0D4 "
	    "addr=b@example.com relay=dovecot dsn=2.0.0 status=sent "
	    "text=delivered via dovecot service" },
	{ P "postfix/discard[1]: 7A3F21C0D4: to=<b@example.com>, relay=none, "
	    "delay=0.1, delays=0.1/0/0/0, dsn=2.0.0, status=sent (spam)",
	    PARSE_EVENT, "DELIVERY qid=7A3F21C0D4 addr=b@example.com "
	    "relay=none dsn=2.0.0 status=discarded text=spam" },
	/* msimerson-postfix-parser (postfixLines, local): the peer left the
	 * queue ID out; the shape is still a delivery. */
	{ P "postfix/local[1]: to=<logspam@system.alerts>, relay=local, "
	    "delay=3.1, delays=1.8/0.86/0/0.44, dsn=2.0.0, status=sent "
	    "(forwarded as 3mLQKK4rDdz7sVS)", PARSE_EVENT,
	    "DELIVERY addr=logspam@system.alerts relay=local dsn=2.0.0 "
	    "status=sent forward link=forward link_qid=3mLQKK4rDdz7sVS "
	    "text=forwarded as 3mLQKK4rDdz7sVS | LINK "
	    "addr=logspam@system.alerts relay=local dsn=2.0.0 status=sent "
	    "forward link=forward link_qid=3mLQKK4rDdz7sVS text=forwarded as "
	    "3mLQKK4rDdz7sVS" },
	/* bounce */
	{ P "postfix/bounce[1200]: 7A3F21C0D4: sender non-delivery "
	    "notification: 8B2C1D0E9F", PARSE_EVENT, "LINK qid=7A3F21C0D4 "
	    "link=bounce link_qid=8B2C1D0E9F" },
	{ P "postfix/bounce[1200]: 7A3F21C0D4: sender notification failed to "
	    "a@example.net: mail system is down", PARSE_CONTEXT, "" },
	/* postsuper */
	{ P "postfix/postsuper[4001]: 3nsRhm5bH5z306M: removed", PARSE_EVENT,
	    "DELETED qid=3nsRhm5bH5z306M" },
	{ P "postfix/postsuper[4001]: D4F2023DB: placed on hold",
	    PARSE_CONTEXT, "" },
	{ P "postfix/postsuper[4001]: Renamed to match inode number: 5 "
	    "messages", PARSE_CONTEXT, "" },
	/* not Postfix message data */
	{ P "postfix/anvil[1]: statistics: max cache size 1 at Oct 26 "
	    "18:13:50", PARSE_CONTEXT, "" },
	{ P "postfix/smtpd[1]: warning: unknown[192.0.2.1]: SASL LOGIN "
	    "authentication failed: authentication failure", PARSE_CONTEXT,
	    "" },
	{ P "postfix/smtpd[1]: 7A3F21C0D4: frobnicated", PARSE_UNRECOGNIZED,
	    "" },
};

static void
test_parse_line(void)
{
	static const char *const res_names[] = {
		"event", "context", "unrecognized",
	};
	size_t i;

	for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const char *line = line_cases[i].line;
		struct syslog_rec r;
		struct event ev;
		struct rec got = { .len = 0 };
		enum parse_result res;

		if (syslog_parse(line, strlen(line), &r) != 0) {
			CHECKF(0, "case %zu: no syslog prefix: \"%s\"", i, line);
			continue;
		}
		CHECKF(postfix_is_tag(&r), "case %zu: not a Postfix tag", i);
		event_clear(&ev);
		res = postfix_parse_line(&r, &ev, rec_sink, &got);
		CHECKF(res == line_cases[i].want_res, "case %zu \"%.60s...\": got "
		    "%s, want %s", i, r.msg.p, res_names[res],
		    res_names[line_cases[i].want_res]);
		got.out[got.len] = '\0';
		CHECKF(strcmp(got.out, line_cases[i].want) == 0,
		    "case %zu \"%.60s...\":\n got  \"%s\"\n want \"%s\"", i,
		    r.msg.p, got.out, line_cases[i].want);
	}
}

/* Every prefix of a line (a logger may cut anywhere) parses without
 * reading past the end (ASan checks that) and emits no more events
 * than a whole line may. */
static void
test_cut_lines(void)
{
	size_t i, n;

	for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		const char *line = line_cases[i].line;
		size_t len = strlen(line);

		for (n = 0; n <= len; n++) {
			struct syslog_rec r;
			struct event ev;
			struct rec got = { .len = 0 };
			enum parse_result res = PARSE_UNRECOGNIZED;
			/* An exact-size copy, so a read past n is caught. */
			char *copy = malloc(n ? n : 1);

			if (copy == NULL)
				return;
			memcpy(copy, line, n);
			if (syslog_parse(copy, n, &r) == 0 &&
			    postfix_is_tag(&r)) {
				event_clear(&ev);
				res = postfix_parse_line(&r, &ev, rec_sink,
				    &got);
			}
			free(copy);
			CHECKF(got.n <= MAX_PER_LINE && (res != PARSE_EVENT ||
			    got.n > 0), "case %zu cut at %zu: %d events, "
			    "result %d", i, n, got.n, (int)res);
		}
	}
}

static const struct cu_test tests[] = {
	{ "postfix_qid_len", test_qid_len },
	{ "postfix_read_addr", test_read_addr },
	{ "postfix_parse_line", test_parse_line },
	{ "postfix_parse_line on cut lines", test_cut_lines },
};

CU_MAIN("postfix", tests)
