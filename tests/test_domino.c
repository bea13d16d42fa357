/*
 * test_domino - Domino console lines into events, one case per line shape
 *
 * Envelope cases take every ATTESTED envelope variant of
 * shared/formats/domino.md and its peer corpus verbatim and check each
 * field the grammar yields. Event cases feed lines (one per '\n') to a
 * fresh parser and compare the results ('E' event, 'C' context, 'U'
 * unrecognized) and the events, rendered as
 * "TYPE qid|addr|orig|sender|status|relay|dsn|flags|extra".
 */
#include "cu.h"
#include "../parsers/domino.h"

#include <stdio.h>
#include <stdlib.h>

#define MAX_RENDER	8192

struct capture {
	char out[MAX_RENDER];
	size_t len;
};

static const char *const type_names[EV_TYPE_COUNT] = {
	[EV_BEGIN] = "BEGIN", [EV_MSGID] = "MSGID",
	[EV_ENVELOPE] = "ENVELOPE", [EV_HEADER] = "HEADER",
	[EV_DELIVERY] = "DELIVERY", [EV_REJECT] = "REJECT",
	[EV_EXPIRED] = "EXPIRED", [EV_END] = "END", [EV_DELETED] = "DELETED",
	[EV_DROPPED] = "DROPPED", [EV_LINK] = "LINK",
	[EV_HDR_ADDRS] = "ADDRS", [EV_REF] = "REF",
};

static void
put(struct capture *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
put(struct capture *c, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(c->out + c->len, sizeof(c->out) - c->len, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(c->out) - c->len)
		c->len += (size_t)n;
}

#define S(x)	(int)(x).len, (x).p ? (x).p : ""

static void
sink(void *ctx, const struct event *ev)
{
	struct capture *c = ctx;
	size_t i;

	put(c, "%s %.*s|%.*s|%.*s|%.*s|%s|%.*s|%.*s|%s|", type_names[ev->type],
	    S(ev->qid), S(ev->addr), S(ev->orig), S(ev->sender),
	    ev->type == EV_DELIVERY ? rcpt_status_name(ev->status) : "",
	    S(ev->relay), S(ev->dsn),
	    ev->flags & EVF_UNRESOLVED ? "U" : "");
	switch (ev->type) {
	case EV_MSGID:
		put(c, "%.*s", S(ev->msgid));
		break;
	case EV_ENVELOPE:
		put(c, "size=%lld nrcpt=%lld", (long long)ev->size,
		    (long long)ev->nrcpt);
		break;
	case EV_HDR_ADDRS:
		put(c, "%.*s:", S(ev->hname));
		for (i = 0; i < ev->naddrs; i++)
			put(c, " %.*s", S(ev->addrs[i].addr));
		break;
	case EV_DELIVERY:
		put(c, "%.*s", S(ev->text));
		break;
	default:
		break;
	}
	put(c, "\n");
}

/* Feeds lines (split at '\n') to dm; the results as "ECU...". */
static void
feed(struct domino *dm, const char *in, int64_t t0, char *res,
    struct capture *c)
{
	const char *p = in, *nl;
	size_t k = 0;
	int64_t t = t0;

	while (*p != '\0') {
		struct domino_env env;
		struct event ev;
		enum parse_result r;
		size_t len;

		nl = strchr(p, '\n');
		len = nl ? (size_t)(nl - p) : strlen(p);
		domino_envelope(p, len, &env);
		event_clear(&ev);
		ev.time = t;
		ev.host = STR_LIT("mail1");
		ev.line = k + 1;
		r = domino_parse(dm, &env, &ev, sink, c);
		res[k++] = r == PARSE_EVENT ? 'E' : r == PARSE_CONTEXT ? 'C' :
		    'U';
		p += len + (nl ? 1 : 0);
		t += 1;
	}
	res[k] = '\0';
}

static const struct {
	const char *name;
	const char *in;
	const char *want_res;
	const char *want;
} line_cases[] = {
	{ "inbound SMTP session (chris-linfoot 2004, text after stamp)",
	    "SMTP Server: 192.168.0.1 connected\n"
	    "SMTP Server: Originator: <originator>\n"
	    "SMTP Server: Recipient: <recipient>\n"
	    "SMTP Server: Message 00364B87 (MessageID: "
	    "<21D5084642AA334AB57F4727C3E0B4A01BDDA7@someplace>) received "
	    "from 192.168.0.1 size 2320 bytes\n"
	    "SMTP Server: 192.168.0.1 disconnected. 1 message[s] received",
	    "CEEEC",
	    "BEGIN 00364B87||||||||\n"
	    "MSGID 00364B87||||||||"
	    "<21D5084642AA334AB57F4727C3E0B4A01BDDA7@someplace>\n"
	    "ENVELOPE 00364B87|||originator|||||size=2320 nrcpt=1\n"
	    "ADDRS 00364B87||||||||Envelope-To: recipient\n" },
	{ "R5 local delivery, short form (LKML 2004, unwrapped)",
	    "Router: Message 006CCCD5 delivered to someone/somewhere",
	    "E",
	    "BEGIN 006CCCD5||||||||\n"
	    "DELIVERY 006CCCD5|someone/somewhere|||sent|local||U|\n" },
	{ "SMTP transfer, short form, and the Notes batch summary (Comture)",
	    "Router: Message 00060B84 transferred to MRH.LOTUS.CO.JP for "
	    "Test@lotus.co.jp via SMTP\n"
	    "Router: Transferred 1 messages to Server/Domain via Notes",
	    "EC",
	    "BEGIN 00060B84||||||||\n"
	    "DELIVERY 00060B84|Test@lotus.co.jp|||sent|MRH.LOTUS.CO.JP|||\n" },
	{ "per-domain transfer start and NOT transferred (Basegmez 2010)",
	    "Router: Transferring mail to domain YAHOO.COM (host YAHOO.COM) "
	    "via SMTP\n"
	    "Router: Message 003903B3 NOT transferred via SMTP to YAHOO.COM "
	    "for xxx@yahoo.com from Serdar Basegmez/developi Size: 124K Error "
	    "transferring to yahoo.com; Some Error Message",
	    "CE",
	    "BEGIN 003903B3||||||||\n"
	    "ENVELOPE 003903B3|||Serdar Basegmez/developi|||||"
	    "size=126976 nrcpt=-1\n"
	    "DELIVERY 003903B3|xxx@yahoo.com|||deferred|YAHOO.COM|||"
	    "Error transferring to yahoo.com; Some Error Message\n" },
	{ "NOT transferred with a 5xx reply is final",
	    "Router: Message 003903B4 NOT transferred via SMTP to mx.ex.org "
	    "for bob@ex.org from Ann Lee/Sales/Acme Size: 3K Error "
	    "transferring to mx.ex.org; 550 5.1.1 User unknown",
	    "E",
	    "BEGIN 003903B4||||||||\n"
	    "ENVELOPE 003903B4|||Ann Lee/Sales/Acme|||||size=3072 nrcpt=-1\n"
	    "DELIVERY 003903B4|bob@ex.org|||bounced|mx.ex.org|5.1.1||"
	    "Error transferring to mx.ex.org; 550 5.1.1 User unknown\n" },
	{ "long delivered form read from the right: 'from' in a name",
	    "Router: Message 0064AA6B delivered to Mary from Accounts/Sales/Acme "
	    "from John Doe/Sales/Acme OFA5C40C75:6656531A "
	    "ONC12571DA:00649AA7 Size: 12K Time: 00:00:01 Hop Count: 1",
	    "E",
	    "BEGIN 0064AA6B||||||||\n"
	    "ENVELOPE 0064AA6B|||John Doe/Sales/Acme|||||size=12288 nrcpt=-1\n"
	    "MSGID 0064AA6B||||||||OFA5C40C75:6656531A-ONC12571DA:00649AA7\n"
	    "DELIVERY 0064AA6B|Mary from Accounts/Sales/Acme|||sent|local||U|\n" },
	{ "long delivered form, UNID joined with '-' and '.' inside",
	    "Router: Message 0064AA6C delivered to Ann Lee/Sales/Acme from "
	    "bob@ex.org OFA5C40C75.6656531A-ONC12571DA.00649AA7 Size: 1K "
	    "Time: 00:00:00 Hop Count: 2",
	    "E",
	    "BEGIN 0064AA6C||||||||\n"
	    "ENVELOPE 0064AA6C|||bob@ex.org|||||size=1024 nrcpt=-1\n"
	    "MSGID 0064AA6C||||||||OFA5C40C75:6656531A-ONC12571DA:00649AA7\n"
	    "DELIVERY 0064AA6C|Ann Lee/Sales/Acme|||sent|local||U|\n" },
	{ "two NoteIDs in one delivery line: two messages",
	    "Router: Message 00A1B2C3, 00A1B2C4 delivered to jo@acme.com",
	    "E",
	    "BEGIN 00A1B2C3||||||||\n"
	    "DELIVERY 00A1B2C3|jo@acme.com|||sent|local|||\n"
	    "BEGIN 00A1B2C4||||||||\n"
	    "DELIVERY 00A1B2C4|jo@acme.com|||sent|local|||\n" },
	{ "long SMTP transfer form with id halves and size",
	    "Router: Message 00060B85 transferred to relay.acme.com for "
	    "bob@ex.org from Ann Lee/Sales/Acme OFA5C40C75:6656531A "
	    "ONC12571DA:00649AA7 Size: 4K via SMTP",
	    "E",
	    "BEGIN 00060B85||||||||\n"
	    "ENVELOPE 00060B85|||Ann Lee/Sales/Acme|||||size=4096 nrcpt=-1\n"
	    "MSGID 00060B85||||||||OFA5C40C75:6656531A-ONC12571DA:00649AA7\n"
	    "DELIVERY 00060B85|bob@ex.org|||sent|relay.acme.com|||\n" },
	{ "forwarded and auto forwarded: new exposures",
	    "Router: Message 00000A01 forwarded to x@ex.org from Ann Lee/Acme\n"
	    "Router: Message 00000A01 auto forwarded by Ann Lee/Acme to "
	    "y@ex.org",
	    "EE",
	    "BEGIN 00000A01||||||||\n"
	    "ENVELOPE 00000A01|||Ann Lee/Acme|||||size=-1 nrcpt=-1\n"
	    "DELIVERY 00000A01|x@ex.org|||sent|forward|||\n"
	    "DELIVERY 00000A01|y@ex.org|Ann Lee/Acme||sent|forward|||\n" },
	{ "delivery failure (unverified wording) is final",
	    "Router: Unable to deliver message 00000B01 to Kim Park/Acme: User "
	    "Kim Park/Acme not listed in Domino Directory",
	    "E",
	    "BEGIN 00000B01||||||||\n"
	    "DELIVERY 00000B01|Kim Park/Acme|||bounced|local||U|User Kim "
	    "Park/Acme not listed in Domino Directory\n" },
	{ "a second 'received' on an open NoteID is another message",
	    "SMTP Server: Message 00000C01 (MessageID: <a@x>) received from "
	    "192.0.2.1 size 10 bytes\n"
	    "SMTP Server: Message 00000C01 (MessageID: b@x) received from "
	    "192.0.2.1 size 20 bytes",
	    "EE",
	    "BEGIN 00000C01||||||||\n"
	    "MSGID 00000C01||||||||<a@x>\n"
	    "ENVELOPE 00000C01||||||||size=10 nrcpt=-1\n"
	    "END 00000C01||||||||\n"
	    "BEGIN 00000C01||||||||\n"
	    "MSGID 00000C01||||||||<b@x>\n"
	    "ENVELOPE 00000C01||||||||size=20 nrcpt=-1\n" },
	{ "context: startup, batches, auth failures, SMTP client debug",
	    "Router: Mail Router started for domain RAD1\n"
	    "Router: Internet SMTP host gUn in domain \n"
	    "Router: Unable to obtain Internet host and domain names\n"
	    "SMTP Server: Starting...\n"
	    "SMTP Server: Listener failure: 'bindsock' is missing\n"
	    "SMTP Server: Authentication failed for user postmaster ; "
	    "connecting host 1.2.3.4\n"
	    "smtp: postmaster [1.2.3.4] authentication failure using internet "
	    "password\n"
	    "SMTPClient: ReceiveResponse: 554 Transaction failed\n"
	    "Router: Transferred 3 messages to relay.acme.com via SMTP\n"
	    "Router: Transfer to server Mail2/Acme is ready with 2 messages\n"
	    "Router: Delivery to local recipient is ready with 1 messages\n"
	    "Router: Delivery thread 1 searching for work\n"
	    "Event Monitor started",
	    "CCCCCCCCCCCCC", "" },
	{ "unrecognized: Router and SMTP Server lines of no known shape",
	    "Router: Message 00000D01 teleported to Mars\n"
	    "Router: Something new happened\n"
	    "SMTP Server: Message 00000D02 vanished\n"
	    "Router: Message 00000D03 delivered to ",
	    "UUUU", "" },
};

static void
test_lines(void)
{
	size_t i;

	for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		struct domino dm;
		struct capture c = { .len = 0 };
		char res[64];

		c.out[0] = '\0';
		domino_init(&dm, NULL, DOMINO_ORDER_UNKNOWN);
		feed(&dm, line_cases[i].in, 1000000, res, &c);
		CHECKF(strcmp(res, line_cases[i].want_res) == 0,
		    "%s: results %s, want %s", line_cases[i].name, res,
		    line_cases[i].want_res);
		CHECKF(strcmp(c.out, line_cases[i].want) == 0,
		    "%s: got\n%s\nwant\n%s", line_cases[i].name, c.out,
		    line_cases[i].want);
		domino_free(&dm);
	}
}

static const struct {
	const char *line;
	bool stamped, prompt;
	const char *thread, *task, *text;
	int f0, f1, f2;
	char sep;
	bool year_first;
	int hour, min, sec;
} env_cases[] = {
	{ "18/02/2004 09:52:07   SMTP Server: 192.168.0.1 connected", true,
	    false, "", "SMTP Server", "192.168.0.1 connected", 18, 2, 2004,
	    '/', false, 9, 52, 7 },
	{ "[007577:000017-00007F621246D700] 20.03.2022 07:36:42   http: "
	    "info@acme.net [1.2.3.4] authentication failure using internet "
	    "password", true, false, "007577:000017-00007F621246D700", "http",
	    "info@acme.net [1.2.3.4] authentication failure using internet "
	    "password", 20, 3, 2022, '.', false, 7, 36, 42 },
	{ "14/12/2012 18:04:33 [0A44:000F-080C] SMTPClient: ReceiveResponse: "
	    "554 Transaction failed", true, false, "0A44:000F-080C",
	    "SMTPClient", "ReceiveResponse: 554 Transaction failed", 14, 12,
	    2012, '/', false, 18, 4, 33 },
	{ "2018-09-19 17:25:50   SMTP Server [0D14:0027-1334] Authentication "
	    "failed for user Bad Hacker ; connecting host [192.0.2.1]", true,
	    false, "0D14:0027-1334", "SMTP Server", "Authentication failed for "
	    "user Bad Hacker ; connecting host [192.0.2.1]", 2018, 9, 19, '-',
	    true, 17, 25, 50 },
	{ "2018-09-19 17:25:52   SMTP Server [000527:000013-0000001227564800] "
	    "Connection from [192.0.2.2] rejected for policy reasons. IP "
	    "address of connecting host not found in reverse DNS lookup.",
	    true, false, "000527:000013-0000001227564800", "SMTP Server",
	    "Connection from [192.0.2.2] rejected for policy reasons. IP "
	    "address of connecting host not found in reverse DNS lookup.",
	    2018, 9, 19, '-', true, 17, 25, 52 },
	{ "[007577:000017-00007F621246D700] blablab", false, false,
	    "007577:000017-00007F621246D700", "", "blablab", 0, 0, 0, 0,
	    false, 0, 0, 0 },
	{ "> 11/25/2008 07:22:09 AM  AMgr: Executive '1' started. Process id "
	    "'30709'", true, true, "", "AMgr", "Executive '1' started. Process "
	    "id '30709'", 11, 25, 2008, '/', false, 7, 22, 9 },
	{ "11/25/2008 07:21:55 AM  Event Monitor started", true, false, "", "",
	    "Event Monitor started", 11, 25, 2008, '/', false, 7, 21, 55 },
	{ "04/28/2004 09:19:16 PM  Router: Message 006CCCD5 delivered to ",
	    true, false, "", "Router", "Message 006CCCD5 delivered to ", 4, 28,
	    2004, '/', false, 21, 19, 16 },
	{ "[025432:000011-00007F5CDCD98700] 12/31/2019 05:16:40 PM  smtp: "
	    "john.doe@acme.com [1.2.3.4] authentication failure using "
	    "internet password", true, false,
	    "025432:000011-00007F5CDCD98700", "smtp", "john.doe@acme.com "
	    "[1.2.3.4] authentication failure using internet password", 12, 31,
	    2019, '/', false, 17, 16, 40 },
	{ "[10780:00015-00007F4E8FFA6700] 08.08.2019 22:52:04   http: "
	    "john.doe@acme.com [1.2.3.4] authentication failure using internet "
	    "password", true, false, "10780:00015-00007F4E8FFA6700", "http",
	    "john.doe@acme.com [1.2.3.4] authentication failure using internet "
	    "password", 8, 8, 2019, '.', false, 22, 52, 4 },
	{ "03-07-2005 23:07:20   SMTP Server: Authentication failed for user "
	    "postmaster ; connecting host 1.2.3.4", true, false, "",
	    "SMTP Server", "Authentication failed for user postmaster ; "
	    "connecting host 1.2.3.4", 3, 7, 2005, '-', false, 23, 7, 20 },
	{ "2016-11-07 22:21:20   smtp: postmaster [1.2.3.4] authentication "
	    "failure using internet password", true, false, "", "smtp",
	    "postmaster [1.2.3.4] authentication failure using internet "
	    "password", 2016, 11, 7, '-', true, 22, 21, 20 },
	{ "08.02.2008 15:47:45   Mail Router started for domain TEST", true,
	    false, "", "", "Mail Router started for domain TEST", 8, 2, 2008,
	    '.', false, 15, 47, 45 },
	{ "[12209:00021-00015] 27/06/2014 09:45:09   Router: Transferred 1 "
	    "messages to Mail2/Acme via Notes", true, false,
	    "12209:00021-00015", "Router", "Transferred 1 messages to "
	    "Mail2/Acme via Notes", 27, 6, 2014, '/', false, 9, 45, 9 },
	{ "Router: Message 00060B84 transferred to MRH.LOTUS.CO.JP for "
	    "Test@lotus.co.jp via SMTP", false, false, "", "Router",
	    "Message 00060B84 transferred to MRH.LOTUS.CO.JP for "
	    "Test@lotus.co.jp via SMTP", 0, 0, 0, 0, false, 0, 0, 0 },
	{ "Unable to bind to port Port = 6400 errno = 98 \"Address already in "
	    "use\"", false, false, "", "", "Unable to bind to port Port = 6400 "
	    "errno = 98 \"Address already in use\"", 0, 0, 0, 0, false, 0, 0,
	    0 },
	{ "**Failed to find VM - aborting**", false, false, "", "",
	    "**Failed to find VM - aborting**", 0, 0, 0, 0, false, 0, 0, 0 },
	{ "2008/11/25 \xe5\x8d\x88\xe5\xbe\x8c 07:22:09  Router: x", true,
	    false, "", "Router", "x", 2008, 11, 25, '/', true, 19, 22, 9 },
	{ "25.11.2008 12:05:09 a.m.  Router: x", true, false, "", "Router",
	    "x", 25, 11, 2008, '.', false, 0, 5, 9 },
	{ "25/11/08 07:22:09   Router: two-digit year", false, false, "", "",
	    "25/11/08 07:22:09   Router: two-digit year", 0, 0, 0, 0, false,
	    0, 0, 0 },
	{ "2024-03-07 09:15:02 1rXyZa-0007Qw-Ab <= a@b.c", true, false, "",
	    "", "1rXyZa-0007Qw-Ab <= a@b.c", 2024, 3, 7, '-', true, 9, 15, 2 },
};

static void
test_envelope(void)
{
	size_t i;

	for (i = 0; i < sizeof(env_cases) / sizeof(env_cases[0]); i++) {
		struct domino_env e;
		const char *l = env_cases[i].line;
		char got[1024];
		bool st = domino_envelope(l, strlen(l), &e);

		CHECKF(st == env_cases[i].stamped && e.prompt ==
		    env_cases[i].prompt, "envelope \"%.40s\": stamped %d prompt "
		    "%d, want %d %d", l, st, e.prompt, env_cases[i].stamped,
		    env_cases[i].prompt);
		snprintf(got, sizeof(got), "%.*s", S(e.thread));
		CHECK_STR(got, env_cases[i].thread, "thread");
		snprintf(got, sizeof(got), "%.*s", S(e.task));
		CHECK_STR(got, env_cases[i].task, "task");
		snprintf(got, sizeof(got), "%.*s", S(e.text));
		CHECK_STR(got, env_cases[i].text, "text");
		if (!st)
			continue;
		CHECKF(e.f[0] == env_cases[i].f0 && e.f[1] == env_cases[i].f1 &&
		    e.f[2] == env_cases[i].f2 && e.sep == env_cases[i].sep &&
		    e.year_first == env_cases[i].year_first,
		    "envelope \"%.40s\": date %d%c%d%c%d yf %d, want %d %d %d "
		    "'%c' %d", l, e.f[0], e.sep, e.f[1], e.sep, e.f[2],
		    e.year_first, env_cases[i].f0, env_cases[i].f1,
		    env_cases[i].f2, env_cases[i].sep, env_cases[i].year_first);
		CHECKF(e.hour == env_cases[i].hour && e.min ==
		    env_cases[i].min && e.sec == env_cases[i].sec,
		    "envelope \"%.40s\": time %d:%d:%d, want %d:%d:%d", l,
		    e.hour, e.min, e.sec, env_cases[i].hour, env_cases[i].min,
		    env_cases[i].sec);
	}
}

/* Day/month order: votes and the civil dates they give (fail2ban's
 * failJSON answers where a line has one). */
static void
test_order(void)
{
	static const struct {
		const char *line;
		unsigned vote;
		enum domino_order order;
		int y, m, d;		/* 0: domino_env_tm fails */
	} cases[] = {
		{ "18/02/2004 09:52:07   x", 1, DOMINO_ORDER_UNKNOWN, 2004, 2,
		    18 },
		{ "04/28/2004 09:19:16 PM  x", 2, DOMINO_ORDER_UNKNOWN, 2004,
		    4, 28 },
		{ "03-07-2005 23:07:20   x", 0, DOMINO_ORDER_DMY, 2005, 7, 3 },
		{ "03-07-2005 23:07:20   x", 0, DOMINO_ORDER_MDY, 2005, 3, 7 },
		{ "03-07-2005 23:07:20   x", 0, DOMINO_ORDER_UNKNOWN, 0, 0, 0 },
		{ "08.08.2019 22:52:04   x", 0, DOMINO_ORDER_UNKNOWN, 2019, 8,
		    8 },
		{ "2016-11-07 22:21:20   x", 0, DOMINO_ORDER_UNKNOWN, 2016, 11,
		    7 },
		{ "31/02/2004 09:52:07   x", 1, DOMINO_ORDER_DMY, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct domino_env e;
		struct tstamp_tm tm;
		enum domino_order o;
		int r;

		domino_envelope(cases[i].line, strlen(cases[i].line), &e);
		CHECKF(domino_order_vote(&e) == cases[i].vote,
		    "vote \"%s\": got %u, want %u", cases[i].line,
		    domino_order_vote(&e), cases[i].vote);
		o = cases[i].order;
		if (o == DOMINO_ORDER_UNKNOWN && cases[i].vote != 0)
			o = cases[i].vote == 1 ? DOMINO_ORDER_DMY :
			    DOMINO_ORDER_MDY;
		r = domino_env_tm(&e, o, &tm);
		if (cases[i].y == 0) {
			CHECKF(r != 0, "tm \"%s\" (%s): got a date, want none",
			    cases[i].line, domino_order_name(o));
			continue;
		}
		CHECKF(r == 0 && tm.year == cases[i].y && tm.mon == cases[i].m
		    && tm.day == cases[i].d, "tm \"%s\" (%s): got %d-%d-%d, want "
		    "%d-%d-%d", cases[i].line, domino_order_name(o), tm.year,
		    tm.mon, tm.day, cases[i].y, cases[i].m, cases[i].d);
	}
	CHECKF(domino_order_parse("DMY") == DOMINO_ORDER_DMY &&
	    domino_order_parse("x") == DOMINO_ORDER_COUNT, "order_parse");
}

/* Lifetimes close when settled, idle or past the gap. */
static void
test_close(void)
{
	static const struct {
		const char *name;
		const char *in;
		int64_t later;		/* seconds after the last line */
		bool want_end;
	} cases[] = {
		{ "every envelope recipient delivered: settled after a minute",
		    "SMTP Server: Recipient: <a@acme.com>\n"
		    "SMTP Server: Message 00000E01 (MessageID: <e@x>) received "
		    "from 192.0.2.1 size 9 bytes\n"
		    "Router: Message 00000E01 delivered to A/Acme",
		    DOMINO_SETTLE + 2, true },
		{ "settled, but not a minute yet",
		    "SMTP Server: Recipient: <a@acme.com>\n"
		    "SMTP Server: Message 00000E01 (MessageID: <e@x>) received "
		    "from 192.0.2.1 size 9 bytes\n"
		    "Router: Message 00000E01 delivered to A/Acme",
		    DOMINO_SETTLE - 10, false },
		{ "recipients unknown: idle limit",
		    "Router: Message 00000E02 delivered to A/Acme",
		    DOMINO_IDLE + 2, true },
		{ "a deferred recipient keeps it open past the idle limit",
		    "Router: Message 00000E03 NOT transferred via SMTP to "
		    "mx.ex.org for b@ex.org from A/Acme Size: 1K Error x",
		    DOMINO_IDLE + 40, false },
		{ "... until the gap",
		    "Router: Message 00000E03 NOT transferred via SMTP to "
		    "mx.ex.org for b@ex.org from A/Acme Size: 1K Error x",
		    DOMINO_GAP + 40, true },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct domino dm;
		struct capture c = { .len = 0 };
		char res[16];
		int64_t t0 = 5000000;

		c.out[0] = '\0';
		domino_init(&dm, NULL, DOMINO_ORDER_UNKNOWN);
		feed(&dm, cases[i].in, t0, res, &c);
		c.len = 0;
		c.out[0] = '\0';
		domino_sweep(&dm, t0 + 2 + cases[i].later, sink, &c, false);
		CHECKF((strstr(c.out, "END ") != NULL) == cases[i].want_end,
		    "%s: got \"%s\"", cases[i].name, c.out);
		domino_free(&dm);
	}
}

static const char dir_csv[] =
    "\xef\xbb\xbf" "FullName,ShortName,InternetAddress,ListName,Members\r\n"
    "\"CN=Ann Lee/OU=Sales/O=Acme;Ann Lee/Sales/Acme\",alee,"
    "ann.lee@acme.example,,\r\n"
    "CN=Bo Chan/O=Acme,bchan,bo.chan@acme.example,,\n"
    "CN=Cy Ng/O=Acme,,,,\n"
    "CN=Di Ray/O=Acme,dray,di@acme.example,,\n"
    "CN=Di Ray/OU=Ops/O=Acme,dray2,di.ray@acme.example,,\n"
    ",,,Sales Team,\"Ann Lee/Sales/Acme;Ops Team\"\n"
    ",,,Ops Team,\"CN=Bo Chan/O=Acme;Cy Ng/Acme;ext@partner.example;"
    "Sales Team;Nobody/Acme\"\n";

static void
test_directory(void)
{
	static const struct {
		const char *name;
		enum notesdir_kind kind;
		const char *want;	/* address, or members "a,b+," */
	} cases[] = {
		{ "Ann Lee/Sales/Acme", NOTESDIR_PERSON, "ann.lee@acme.example" },
		{ "ann lee/sales/acme@Acme", NOTESDIR_PERSON,
		    "ann.lee@acme.example" },
		{ "CN=Ann Lee/OU=Sales/O=Acme", NOTESDIR_PERSON,
		    "ann.lee@acme.example" },
		{ "alee", NOTESDIR_PERSON, "ann.lee@acme.example" },
		{ "Ann Lee", NOTESDIR_PERSON, "ann.lee@acme.example" },
		{ "Bo Chan/Acme", NOTESDIR_PERSON, "bo.chan@acme.example" },
		{ "Di Ray", NOTESDIR_AMBIGUOUS, "" },
		{ "Di Ray/Ops/Acme", NOTESDIR_PERSON, "di.ray@acme.example" },
		{ "Nobody/Acme", NOTESDIR_NONE, "" },
		/* Nested both ways: a loop, cut; '+' = resolved. */
		{ "Sales Team", NOTESDIR_GROUP, "ann.lee@acme.example+,"
		    "bo.chan@acme.example+,Cy Ng/Acme,ext@partner.example+,"
		    "Nobody/Acme," },
	};
	struct notesdir d;
	char err[200], got[512];
	size_t i, j, n, o;

	CHECKF(notesdir_load_mem(&d, dir_csv, sizeof(dir_csv) - 1, err,
	    sizeof(err)) == 0, "load: %s", err);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct notesdir_member *m = NULL;
		struct str a = str_make("", 0);
		enum notesdir_kind k;

		n = 0;
		k = notesdir_find(&d, str_make(cases[i].name,
		    strlen(cases[i].name)), &a, &m, &n);
		got[0] = '\0';
		if (k == NOTESDIR_PERSON) {
			snprintf(got, sizeof(got), "%.*s", S(a));
		} else if (k == NOTESDIR_GROUP) {
			for (j = 0, o = 0; j < n && o < sizeof(got); j++)
				o += (size_t)snprintf(got + o, sizeof(got) - o,
				    "%.*s%s,", S(m[j].addr),
				    m[j].resolved ? "+" : "");
		}
		CHECKF(k == cases[i].kind, "find \"%s\": kind %d, want %d",
		    cases[i].name, k, cases[i].kind);
		CHECK_STR(got, cases[i].want, cases[i].name);
	}

	/* Resolution in the parser: a group is one delivery per member,
	 * its name the parent. */
	{
		struct domino dm;
		struct capture c = { .len = 0 };
		char res[8];

		c.out[0] = '\0';
		domino_init(&dm, &d, DOMINO_ORDER_UNKNOWN);
		feed(&dm, "Router: Message 00000F01 delivered to Ops Team\n"
		    "Router: Message 00000F01 delivered to alee", 100, res,
		    &c);
		CHECK_STR(c.out,
		    "BEGIN 00000F01||||||||\n"
		    "DELIVERY 00000F01|bo.chan@acme.example|Ops Team||sent|"
		    "local|||\n"
		    "DELIVERY 00000F01|Cy Ng/Acme|Ops Team||sent|local||U|\n"
		    "DELIVERY 00000F01|ext@partner.example|Ops Team||sent|"
		    "local|||\n"
		    "DELIVERY 00000F01|ann.lee@acme.example|Ops Team||sent|"
		    "local|||\n"
		    "DELIVERY 00000F01|Nobody/Acme|Ops Team||sent|local||U|\n"
		    "DELIVERY 00000F01|ann.lee@acme.example|||sent|local|||\n",
		    "group delivery");
		domino_free(&dm);
	}
	notesdir_free(&d);
	CHECKF(notesdir_load_mem(&d, "Name,Mail\nx,y\n", 14, err,
	    sizeof(err)) != 0, "a header without FullName/ListName loads");
	notesdir_free(&d);
	CHECKF(notesdir_is_inet(STR_LIT("a@b.example")) &&
	    !notesdir_is_inet(STR_LIT("Ann Lee/Acme@Acme")) &&
	    !notesdir_is_inet(STR_LIT("someone/somewhere")) &&
	    !notesdir_is_inet(STR_LIT("a@localhost")), "is_inet");
}

static void
test_host_from_path(void)
{
	static const struct {
		const char *display, *want;
	} cases[] = {
		{ "site/mail1/IBM_TECHNICAL_SUPPORT/console.log", "mail1" },
		{ "site/mail1/IBM_TECHNICAL_SUPPORT/console12.log", "mail1" },
		{ "/local/notesdata/IBM_TECHNICAL_SUPPORT/console.log",
		    "localhost" },
		{ "hub/local/log/notes_20260309.log.gz", "hub" },
		{ "x/mail2.taz!IBM_TECHNICAL_SUPPORT/console.log", "mail2" },
	};
	size_t i;
	char out[64];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		domino_host_from_path(cases[i].display, out, sizeof(out));
		CHECK_STR(out, cases[i].want, cases[i].display);
	}
}

static const struct cu_test tests[] = {
	{ "envelope", test_envelope },
	{ "order", test_order },
	{ "lines", test_lines },
	{ "close", test_close },
	{ "directory", test_directory },
	{ "host from path", test_host_from_path },
};

CU_MAIN("domino", tests)
