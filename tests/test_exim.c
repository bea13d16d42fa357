/*
 * test_exim - Exim log lines into events, one case per line shape
 *
 * Each case is the text after the timestamp and the events it must give,
 * written as "TYPE qid|addr|orig|sender|status|flags|extra" lines: extra
 * is the Message-ID, the subject, the link queue ID or the dsn, as the
 * type has it. The capture sink renders every event the same way.
 */
#include "cu.h"
#include "../parsers/exim.h"

#include <stdio.h>

#define MAX_RENDER	4096

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
};

static void
sink(void *ctx, const struct event *ev)
{
	struct capture *c = ctx;
	struct str extra = STR_NULL;
	char flags[8] = "", num[48] = "";
	int n;

	if (ev->type == EV_ARRIVAL) {
		/* Rendered as the events it stands for. */
		struct event e = *ev;

		e.type = EV_BEGIN;
		sink(ctx, &e);
		e.type = EV_ENVELOPE;
		sink(ctx, &e);
		if (ev->msgid.len > 0) {
			e.type = EV_MSGID;
			sink(ctx, &e);
		}
		if (ev->hname.len > 0) {
			e.type = EV_HEADER;
			sink(ctx, &e);
		}
		return;
	}
	switch (ev->type) {
	case EV_MSGID:
		extra = ev->msgid;
		break;
	case EV_HEADER:
		extra = ev->hvalue;
		break;
	case EV_LINK:
		extra = ev->link_qid;
		break;
	case EV_ENVELOPE:
		snprintf(num, sizeof(num), "size=%lld nrcpt=%lld",
		    (long long)ev->size, (long long)ev->nrcpt);
		break;
	default:
		extra = ev->dsn;
		break;
	}
	if (ev->flags & EVF_PROBE)
		strcat(flags, "P");
	if (ev->flags & EVF_PARTIAL)
		strcat(flags, "X");
	n = snprintf(c->out + c->len, sizeof(c->out) - c->len,
	    "%s %.*s|%.*s|%.*s|%.*s|%s|%s|%.*s%s\n", type_names[ev->type],
	    (int)ev->qid.len, ev->qid.p, (int)ev->addr.len, ev->addr.p,
	    (int)ev->orig.len, ev->orig.p, (int)ev->sender.len, ev->sender.p,
	    ev->type == EV_DELIVERY || ev->type == EV_REJECT ?
	    rcpt_status_name(ev->status) : "", flags, (int)extra.len,
	    extra.p, num);
	if (n > 0 && (size_t)n < sizeof(c->out) - c->len)
		c->len += (size_t)n;
}

static const struct {
	const char *name;
	const char *in;
	enum parse_result want_res;
	const char *want;
} line_cases[] = {
	{ "arrival, SMTP, subject with octal UTF-8 and escapes",
	    "1uy65n-000085-0Y <= events@ex.org H=(ws1.ex.org) [127.0.0.1] "
	    "P=esmtp S=10862 id=2025.5a2d@mail.ex.org "
	    "T=\"R\\303\\251sum\\303\\251 \\\"x\\\" for y\"",
	    PARSE_EVENT,
	    "BEGIN 1uy65n-000085-0Y|||events@ex.org|||\n"
	    "ENVELOPE 1uy65n-000085-0Y|||events@ex.org|||size=10862 nrcpt=-1\n"
	    "MSGID 1uy65n-000085-0Y|||events@ex.org|||<2025.5a2d@mail.ex.org>\n"
	    "HEADER 1uy65n-000085-0Y|||events@ex.org|||"
	    "R\xc3\xa9sum\xc3\xa9 \"x\" for y\n" },
	{ "arrival with pid, port, TLS, A=, from and for list",
	    "[28107] 1gsu1C-003dCu-Hb <= aaron@d.com H=localhost (10.5.40.204) "
	    "[127.0.0.1]:39753 I=[127.0.0.1]:25 P=esmtpa "
	    "A=dovecot_plain:aaron@d.com S=4315 M8S=0 id=d2b6@d.com "
	    "T=\"what's up?!? ;-)\" from <aaron@d.com> for a+f@d.com b@d.com",
	    PARSE_EVENT,
	    "BEGIN 1gsu1C-003dCu-Hb|||aaron@d.com|||\n"
	    "ENVELOPE 1gsu1C-003dCu-Hb|||aaron@d.com|||size=4315 nrcpt=2\n"
	    "MSGID 1gsu1C-003dCu-Hb|||aaron@d.com|||<d2b6@d.com>\n"
	    "HEADER 1gsu1C-003dCu-Hb|||aaron@d.com|||what's up?!? ;-)\n" },
	{ "arrival, HELO with spaces and 'for' inside",
	    "1gsu1C-003dCu-Hb <= a@d.com H=(x for y) [192.0.2.1] P=smtp "
	    "S=sss for r@d.com",
	    PARSE_EVENT,
	    "BEGIN 1gsu1C-003dCu-Hb|||a@d.com|||\n"
	    "ENVELOPE 1gsu1C-003dCu-Hb|||a@d.com|||size=-1 nrcpt=1\n" },
	{ "arrival, 23-character ID, truncated for list",
	    "10HmaX-000000005vi-0000 <= CALLER@test.ex U=CALLER P=local S=sss "
	    "for a@test.ex <trunc>",
	    PARSE_EVENT,
	    "BEGIN 10HmaX-000000005vi-0000|||CALLER@test.ex|||\n"
	    "ENVELOPE 10HmaX-000000005vi-0000|||CALLER@test.ex|||"
	    "size=-1 nrcpt=-1\n" },
	{ "bounce arrival links the original",
	    "1uyQGt-0000NG-2q <= <> R=1uyQGt-0000N3-2T U=Debian-exim P=local "
	    "S=2241 T=\"Mail delivery failed\"",
	    PARSE_EVENT,
	    "BEGIN 1uyQGt-0000NG-2q||||||\n"
	    "ENVELOPE 1uyQGt-0000NG-2q||||||size=2241 nrcpt=-1\n"
	    "HEADER 1uyQGt-0000NG-2q||||||Mail delivery failed\n"
	    "LINK 1uyQGt-0000N3-2T||||||1uyQGt-0000NG-2q\n" },
	{ "fake reject arrival is an arrival",
	    "1uyQGt-0000NG-2q (= a@b.c H=[192.0.2.5] P=smtp S=12",
	    PARSE_EVENT,
	    "BEGIN 1uyQGt-0000NG-2q|||a@b.c|||\n"
	    "ENVELOPE 1uyQGt-0000NG-2q|||a@b.c|||size=12 nrcpt=-1\n" },
	{ "local delivery by local part becomes the address",
	    "1uyQAc-0000Lq-2V => scott <scott@ex.org> R=local_user "
	    "T=local_mbox S=923",
	    PARSE_EVENT,
	    "DELIVERY 1uyQAc-0000Lq-2V|scott@ex.org|||sent||\n" },
	{ "alias expansion keeps the original as parent",
	    "1uyQUx-0000NY-0l => lucy <press@ex.org> R=local_user T=local_mbox",
	    PARSE_EVENT,
	    "DELIVERY 1uyQUx-0000NY-0l|lucy|press@ex.org||sent||\n" },
	{ "remote delivery, C= with queued as",
	    "1uy8D2-0000Cx-1L => hr@r.org R=remote T=remote_smtp S=657 "
	    "H=mx.r.org [192.0.2.17] C=\"250 2.0.0 Ok: queued as 17000038\"",
	    PARSE_EVENT,
	    "DELIVERY 1uy8D2-0000Cx-1L|hr@r.org|||sent||2.0.0\n"
	    "LINK 1uy8D2-0000Cx-1L|hr@r.org|||||17000038\n" },
	{ "further recipient, TLS, DN= with spaces, Exim next hop",
	    "1jmXgg-000AIC-89 -> s@d.corp R=dnslookup T=smtp H=sh.t.corp "
	    "[192.0.2.5] X=TLS1.2:ECDHE_RSA_AES_128_GCM_SHA256:128 CV=yes "
	    "DN=\"C=XX,O=Text Corp,CN=*.t.corp\" C=\"250 OK id=1raAO5-0091Cv-IH\"",
	    PARSE_EVENT,
	    "DELIVERY 1jmXgg-000AIC-89|s@d.corp|||sent||\n"
	    "LINK 1jmXgg-000AIC-89|s@d.corp|||||1raAO5-0091Cv-IH\n" },
	{ "cutthrough delivery",
	    "10HmaX-0005vi-00 >> userx@test.ex R=all T=smtp H=127.0.0.1 "
	    "[127.0.0.1]:1224 C=\"250 ok rcpt 1\"",
	    PARSE_EVENT,
	    "DELIVERY 10HmaX-0005vi-00|userx@test.ex|||sent||\n" },
	{ "suppressed delivery is a probe",
	    "10HmaX-0005vi-00 *> x@y.z R=r T=t", PARSE_EVENT,
	    "DELIVERY 10HmaX-0005vi-00|x@y.z|||unknown|P|\n" },
	{ "pipe with spaces and a pipe original",
	    "10HmaX-0005vi-00 => |/bin/cat /etc/aliases @test.ex "
	    "<|/bin/cat\\ /etc/aliases\\ @test.ex> R=r1 T=pipe",
	    PARSE_EVENT,
	    "DELIVERY 10HmaX-0005vi-00||/bin/cat /etc/aliases @test.ex|"
	    "|/bin/cat\\ /etc/aliases\\ @test.ex||sent||\n" },
	{ "autoreply is not this message",
	    "10HmaX-0005vi-00 => >userx <userx+page@test.ex> R=uf "
	    "T=address_reply", PARSE_EVENT,
	    "DELIVERY 10HmaX-0005vi-00|>userx|userx+page@test.ex||sent|P|\n" },
	{ "/dev/null bypassed is discarded",
	    "10HmaX-0005vi-00 => /dev/null (faq@nl.org) <faq@nl.org> R=a "
	    "T=**bypassed**", PARSE_EVENT,
	    "DELIVERY 10HmaX-0005vi-00|faq@nl.org|||discarded||\n" },
	{ ":blackhole: is discarded",
	    "10HmaX-0005vi-00 => :blackhole: <b@test.ex> R=bh", PARSE_EVENT,
	    "DELIVERY 10HmaX-0005vi-00|b@test.ex|||discarded||\n" },
	{ "ACL discard blackhole",
	    "10HmaX-0005vi-00 => blackhole (DATA ACL discarded recipients)",
	    PARSE_EVENT,
	    "DELIVERY 10HmaX-0005vi-00|blackhole|||discarded||\n" },
	{ "failure after RCPT with dsn",
	    "1uyQGt-0000N3-2T ** ex@o.com R=remote T=remote_smtp H=10.0.0.12 "
	    "[10.0.0.12]: SMTP error from remote mail server after RCPT "
	    "TO:<ex@o.com>: 550 5.1.1 <ex@o.com>: User unknown", PARSE_EVENT,
	    "DELIVERY 1uyQGt-0000N3-2T|ex@o.com|||bounced||5.1.1\n" },
	{ "failure after end of data is partial",
	    "1jmKso-0009d4-Uf ** m@z.corp R=d T=s H=mail.z.corp [192.0.2.3] "
	    "DN=\"C=US,O=Zee Corp\": SMTP error from remote mail server after "
	    "end of data: 554 5.2.0 Mailbox Full", PARSE_EVENT,
	    "DELIVERY 1jmKso-0009d4-Uf|m@z.corp|||bounced|X|5.2.0\n" },
	{ "failure without router, reason joined by ': '",
	    "1uyXX7-0000Ze-3A ** s@k.gov.uk R=domain_not_found: all relevant "
	    "MX records point to non-existent hosts", PARSE_EVENT,
	    "DELIVERY 1uyXX7-0000Ze-3A|s@k.gov.uk|||bounced||\n" },
	{ "4.99 joiner ' : '",
	    "10HmaX-000000005vi-0000 ** bob@example.org : Unrouteable address",
	    PARSE_EVENT,
	    "DELIVERY 10HmaX-000000005vi-0000|bob@example.org|||bounced||\n" },
	{ "retry timeout exceeded expires",
	    "1jmFYj-00039V-QX ** bob@null.corp: retry timeout exceeded",
	    PARSE_EVENT,
	    "DELIVERY 1jmFYj-00039V-QX|bob@null.corp|||expired||\n" },
	{ "deferral with errno",
	    "1uy7FK-00009v-1G == j@r.org.uk R=remote T=remote_smtp defer "
	    "(111): Connection refused", PARSE_EVENT,
	    "DELIVERY 1uy7FK-00009v-1G|j@r.org.uk|||deferred||\n" },
	{ "deferral with host and 4xx reply",
	    "1uy65n-000085-0Y == e@g.com R=remote T=remote_smtp defer (-44) "
	    "H=10.0.0.11 [10.0.0.11]: SMTP error from remote mail server "
	    "after RCPT TO:<e@g.com>: 450 4.2.0 <e@g.com>: Greylisted",
	    PARSE_EVENT,
	    "DELIVERY 1uy65n-000085-0Y|e@g.com|||deferred||4.2.0\n" },
	{ "routing deferral of a pipe from the system filter",
	    "10HmaX-0005vi-00 == |/x/non-exist <system-filter> routing defer "
	    "(-1): system_filter_pipe_transport is unset", PARSE_EVENT,
	    "DELIVERY 10HmaX-0005vi-00||/x/non-exist|system-filter||"
	    "deferred||\n" },
	{ "Completed with QT=",
	    "1uyQAc-0000Lq-2V Completed QT=2m13s", PARSE_EVENT,
	    "END 1uyQAc-0000Lq-2V||||||\n" },
	{ "removed by an administrator",
	    "1uyQAc-0000Lq-2V removed by root", PARSE_EVENT,
	    "DELETED 1uyQAc-0000Lq-2V||||||\n" },
	{ "ACL reject without an ID",
	    "H=(mx.isp.test) [192.0.2.138] F=<g@gmail.com> rejected RCPT "
	    "<planing@ex.gov.uk>: Unrouteable address", PARSE_EVENT,
	    "REJECT |planing@ex.gov.uk||g@gmail.com|rejected||\n" },
	{ "ACL reject, old bare forms, pid, port, I=",
	    "[2249] H=([2.181.148.95]) [2.181.148.95]:52391 I=[1.2.3.4]:25 "
	    "F=f@google.com rejected RCPT some@email.com: in dnsbl",
	    PARSE_EVENT,
	    "REJECT |some@email.com||f@google.com|rejected||\n" },
	{ "temporary ACL reject",
	    "H=[192.0.2.2] F=<a@b.c> temporarily rejected RCPT <d@e.f>: "
	    "greylisted", PARSE_EVENT,
	    "REJECT |d@e.f||a@b.c|rejected||\n" },
	{ "rejected after DATA with an ID drops the message",
	    "1Unmew-0000ea-SE H=e.otenet.gr [83.235.177.148]:32706 "
	    "I=[1.2.3.4]:25 F=a@google.com rejected after DATA: virus",
	    PARSE_EVENT,
	    "DROPPED 1Unmew-0000ea-SE|||a@google.com|||\n" },
	{ "rejected after DATA without an ID is context",
	    "H=e.gr [192.0.2.1] F=<a@b.c> rejected after DATA: spam",
	    PARSE_CONTEXT, "" },
	{ "host error of one attempt is context",
	    "1uy7FK-00009v-1G H=127.0.0.99 [127.0.0.99] Connection refused",
	    PARSE_CONTEXT, "" },
	{ "frozen is context",
	    "10HmaX-0005vi-00 Message is frozen", PARSE_CONTEXT, "" },
	{ "site logwrite text is context",
	    "10HmaX-0005vi-00 DKIM: d=test.ex s=sel [verification succeeded]",
	    PARSE_CONTEXT, "" },
	{ "queue run is context", "Start queue run: pid=1353",
	    PARSE_CONTEXT, "" },
	{ "authenticator failure is context",
	    "dovecot_login authenticator failed for (User) [192.0.2.37]: 535 "
	    "Incorrect authentication data (set_id=t@d.com)", PARSE_CONTEXT,
	    "" },
	{ "syslog text with Exim's own stamp and split part 1",
	    "2024-03-07 09:15:02 [1/2] 1rXyZa-000abc-Qw Completed",
	    PARSE_EVENT, "END 1rXyZa-000abc-Qw||||||\n" },
	{ "later split parts are context",
	    "[2/2] rest of a long line", PARSE_CONTEXT, "" },
	{ "flag line that does not parse",
	    "1uyQAc-0000Lq-2V <=  ", PARSE_UNRECOGNIZED, "" },
	{ "no ID, unknown text", "ETRN abc received from CALLER",
	    PARSE_UNRECOGNIZED, "" },
	{ "almost an ID", "1uyQAc-0000Lq-2 => a@b.c R=x T=y",
	    PARSE_UNRECOGNIZED, "" },
};

static void
test_lines(void)
{
	size_t i;

	for (i = 0; i < sizeof(line_cases) / sizeof(line_cases[0]); i++) {
		struct capture c = { .len = 0 };
		struct event ev;
		enum parse_result res;

		c.out[0] = '\0';
		event_clear(&ev);
		res = exim_parse_line(str_make(line_cases[i].in,
		    strlen(line_cases[i].in)), &ev, sink, &c);
		CHECKF(res == line_cases[i].want_res, "%s: got result %d, want %d",
		    line_cases[i].name, (int)res, (int)line_cases[i].want_res);
		CHECKF(strcmp(c.out, line_cases[i].want) == 0,
		    "%s: got events\n%s\nwant\n%s", line_cases[i].name, c.out,
		    line_cases[i].want);
	}
}

static void
test_msgid_len(void)
{
	static const struct {
		const char *in;
		size_t want;
	} cases[] = {
		{ "1rXyZa-0007Qw-Ab", 16 },
		{ "1rXyZa-0007Qw-Ab <= x", 16 },
		{ "1rXyZa-00000007Qw1-Ab3x", 23 },
		{ "1rXyZa-00000007Qw1-Ab3x Completed", 23 },
		{ "1rXyZa-0007Qw-Abc", 0 },
		{ "1rXyZa-0007Qw_Ab", 0 },
		{ "1rXyZ-00007Qw-Ab", 0 },
		{ "1rXyZa-00000007Qw1-Ab3", 0 },
		{ "Start queue run", 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = exim_msgid_len(str_make(cases[i].in,
		    strlen(cases[i].in)));

		CHECKF(n == cases[i].want, "msgid \"%s\": got %zu, want %zu",
		    cases[i].in, n, cases[i].want);
	}
}

static void
test_untimed(void)
{
	static const struct {
		const char *in;
		enum parse_result want;
	} cases[] = {
		{ "Envelope-from: <a@b.c>", PARSE_CONTEXT },
		{ "Envelope-to: <d@e.f>", PARSE_CONTEXT },
		{ "  <g@e.f>", PARSE_CONTEXT },
		{ "P Received: from [127.0.0.1] (helo=test)", PARSE_CONTEXT },
		{ "I Message-Id: <E10HmaX@myhost.test.ex>", PARSE_CONTEXT },
		{ "* X-Deleted: yes", PARSE_CONTEXT },
		{ "\tby myhost.test.ex with smtp", PARSE_CONTEXT },
		{ " Suggested action: either install a certificate",
		    PARSE_CONTEXT },
		{ "250 OK", PARSE_UNRECOGNIZED },
		{ "<<< LHLO myhost.test.ex", PARSE_UNRECOGNIZED },
		{ "P Received from nowhere", PARSE_UNRECOGNIZED },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum parse_result r = exim_parse_untimed(str_make(cases[i].in,
		    strlen(cases[i].in)));

		CHECKF(r == cases[i].want, "untimed \"%s\": got %d, want %d",
		    cases[i].in, (int)r, (int)cases[i].want);
	}
}

static void
test_host_from_path(void)
{
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "logs/mainlog", "localhost" },
		{ "mainlog", "localhost" },
		{ "/var/log/exim4/mainlog.2.gz", "localhost" },
		{ "/srv/mx1/var/log/exim4/rejectlog", "mx1" },
		{ "collected/mx2/mainlog", "mx2" },
		{ "logs/mx1.tar.gz!var/log/exim4/mainlog", "mx1" },
		{ "logs/logs.tar.gz!mainlog", "localhost" },
		{ "case/relay.example.org/exim_mainlog", "relay.example.org" },
	};
	size_t i;
	char got[64];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		exim_host_from_path(cases[i].in, got, sizeof(got));
		CHECK_STR(got, cases[i].want, cases[i].in);
	}
	exim_host_from_path("mx-very-long-name/mainlog", got, 5);
	CHECK_STR(got, "mx-v", "cut to the buffer");
}

static void
test_syslog_credible(void)
{
	static const struct {
		const char *in;
		bool want;
	} cases[] = {
		{ "2019-10-22 03:39:17 mx1.fqdn.local exim[29786]: x", true },
		{ "2016-04-01 11:08:00 info exim[8003]: [8003] SMTP x", true },
		{ "2024-03-07 09:15:02 mx1 postfix/smtpd[1]: connect", true },
		{ "1999-03-02 09:44:33 10HmaX-0005vi-00 DKIM: d=test.ex", false },
		{ "1999-03-02 09:44:33 U=CALLER F=<x@y>: rejected", false },
		{ "1999-03-02 09:44:33 10HmaX-0005vi-00 H=[1.2.3.4]: x", false },
		{ "1999-03-02 09:44:33 signer: test.ex bits: 1024", false },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct syslog_rec r;
		bool got = syslog_parse(cases[i].in, strlen(cases[i].in),
		    &r) == 0 && exim_syslog_credible(&r);

		CHECKF(got == cases[i].want, "credible \"%s\": got %d, want %d",
		    cases[i].in, got, cases[i].want);
	}
}

static const struct cu_test tests[] = {
	{ "line shapes", test_lines },
	{ "message ID shapes", test_msgid_len },
	{ "lines without a stamp", test_untimed },
	{ "host of a plain log", test_host_from_path },
	{ "syslog lines among Exim lines", test_syslog_credible },
};

CU_MAIN("exim", tests)
