/*
 * test_mbox - splitting stored mail into messages, and what each gives
 *
 * Every case feeds text line by line (as the input layer does: LF split,
 * one trailing CR removed) and compares a rendering of all events:
 *   [L t=T id=<..> s=SENDER subj=".." Name:a(Display),b! ref=ID]
 * L is the message's first line, "!" marks a list that is not complete.
 * The peers' samples from ../shared are read the same way and skip (pass,
 * noted on stderr) when ../shared is absent.
 */
#include "cu.h"
#include "../parsers/mbox.h"
#include "../parsers/postfix.h"
#include "../parsers/syslog.h"
#include "../lib/buf.h"

#include <stdio.h>
#include <stdlib.h>

static void
render(void *ctx, const struct event *ev)
{
	struct buf *b = ctx;
	size_t i;

	switch (ev->type) {
	case EV_BEGIN:
		buf_printf(b, "[%llu t=%lld", (unsigned long long)ev->line,
		    (long long)ev->time);
		CHECKF(ev->flags & EVF_ARCHIVE, "BEGIN without EVF_ARCHIVE");
		CHECKF(ev->qid.len > 0 && ev->qid.len < 32, "qid length %zu",
		    ev->qid.len);
		break;
	case EV_MSGID:
		buf_printf(b, " id=%.*s", (int)ev->msgid.len, ev->msgid.p);
		break;
	case EV_ENVELOPE:
		buf_printf(b, " s=%.*s", (int)ev->sender.len, ev->sender.p);
		break;
	case EV_HEADER:
		buf_printf(b, " subj=\"%.*s\"", (int)ev->hvalue.len,
		    ev->hvalue.p);
		break;
	case EV_HDR_ADDRS:
		buf_printf(b, " %.*s:", (int)ev->hname.len, ev->hname.p);
		for (i = 0; i < ev->naddrs; i++) {
			const struct hdr_addr *a = &ev->addrs[i];

			buf_printf(b, "%s%.*s", i ? "," : "", (int)a->addr.len,
			    a->addr.p);
			if (a->name.len > 0)
				buf_printf(b, "(%.*s)", (int)a->name.len,
				    a->name.p);
		}
		if (!ev->list_complete)
			buf_addc(b, '!');
		break;
	case EV_REF:
		buf_printf(b, " ref=%.*s", (int)ev->msgid.len, ev->msgid.p);
		break;
	case EV_END:
		buf_adds(b, "]");
		break;
	default:
		buf_printf(b, " ?%d", (int)ev->type);
		break;
	}
}

struct counts {
	unsigned event, context, unrecognized;
};

/* Feeds text through a fresh reader; b gets the rendering. */
static void
feed(struct buf *b, const char *text, size_t len, struct counts *c)
{
	struct mbox_reader m = { 0 };
	const char *p = text, *end = text + len, *nl;
	uint64_t lineno = 0;

	mbox_begin(&m, 3, 1000, render, b);
	while (p < end) {
		size_t n;
		enum parse_result r;

		nl = memchr(p, '\n', (size_t)(end - p));
		n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		r = mbox_read_line(&m, p, n, ++lineno, render, b);
		if (c != NULL)
			r == PARSE_EVENT ? c->event++ : r == PARSE_CONTEXT ?
			    c->context++ : c->unrecognized++;
		if (nl == NULL)
			break;
		p = nl + 1;
	}
	mbox_finish(&m, render, b);
	mbox_finish(&m, render, b);	/* harmless twice */
}

struct split_case {
	const char *name;
	const char *text;
	const char *want;
};

/* 2024-01-01T01:02:03Z, the date most cases use. */
#define T1 "1704070923"

static const struct split_case split_cases[] = {
	{ "two messages, mboxo quoting, From in body",
	  "From a@x.test Mon Jan  1 01:02:03 2024\n"
	  "From: A <a@x.test>\nTo: b@y.test\nSubject: one\n\n"
	  "body\n>From the quoted line\n\n"
	  "From now on, no separator\n\n"
	  "From b@y.test Mon Jan  1 01:02:03 2024\n"
	  "To: c@z.test\n\nsecond\n",
	  "[1 t=" T1 " s=a@x.test subj=\"one\" From:a@x.test(A) To:b@y.test]"
	  "[11 t=" T1 " To:c@z.test]" },
	{ "From_ not after an empty line is body",
	  "From a@x.test Mon Jan  1 01:02:03 2024\nTo: b@y.test\n\nline\n"
	  "From a@x.test Mon Jan  1 01:02:03 2024\nTo: c@z.test\n",
	  "[1 t=" T1 " To:b@y.test]" },
	{ "bare From_ lines: taken only before headers",
	  "From \nList-Id: <l.test>\n\nNo date\n\nFrom \nplain text\n"
	  "\nFrom -\nTo: d@w.test\n\nx\n",
	  "[1 t=1000][9 t=1000 To:d@w.test]" },
	{ "Google Takeout From_ line (zone before year)",
	  "From 1826259434@xxx Tue Mar 11 01:31:25 +0000 2025\n"
	  "To: t@x.test\n\n",
	  "[1 t=1741656685 To:t@x.test]" },
	{ "mboxcl2: Content-Length hides an unquoted From_",
	  "From a@x.test Mon Jan  1 01:02:03 2024\nTo: b@y.test\n"
	  "Content-Length: 59\n\n"
	  "12345\n\nFrom c@z.test Mon Jan  1 01:02:03 2024\nTo: e@v.test\n"
	  "From d@w.test Mon Jan  1 01:02:03 2024\nTo: f@u.test\n\nz\n",
	  "[1 t=" T1 " To:b@y.test][9 t=" T1 " To:f@u.test]" },
	{ "Content-Length landing on an empty line",
	  "From a@x.test Mon Jan  1 01:02:03 2024\nContent-Length: 4\n"
	  "To: b@y.test\n\nabc\n\nFrom c@z.test Mon Jan  1 01:02:03 2024\n"
	  "To: g@t.test\n\n",
	  "[1 t=" T1 " To:b@y.test][7 t=" T1 " To:g@t.test]" },
	{ "wrong Content-Length: hidden separators come back",
	  "From a@x.test Mon Jan  1 01:02:03 2024\nTo: b@y.test\n"
	  "Content-Length: 9999\n\nbody\n\n"
	  "From c@z.test Mon Jan  1 01:02:03 2024\nTo: e@v.test\n\nb2\n\n"
	  "From d@w.test Mon Jan  1 01:02:03 2024\nTo: f@u.test\n\nb3\n",
	  "[1 t=" T1 " To:b@y.test][7 t=" T1 " To:e@v.test]"
	  "[12 t=" T1 " To:f@u.test]" },
	{ "wrong Content-Length ending inside hidden headers",
	  "From a@x.test Mon Jan  1 01:02:03 2024\nTo: b@y.test\n"
	  "Content-Length: 20\n\nbody\n\n"
	  "From c@z.test Mon Jan  1 01:02:03 2024\nTo: e@v.test\n"
	  "Cc: h@s.test\n\nb2\n",
	  "[1 t=" T1 " To:b@y.test][7 t=" T1 " To:e@v.test Cc:h@s.test]" },
	{ "CRLF lines, Content-Length in CRLF bytes",
	  "From a@x.test Mon Jan  1 01:02:03 2024\r\nTo: b@y.test\r\n"
	  "Content-Length: 7\r\n\r\nabcde\r\n"
	  "From c@z.test Mon Jan  1 01:02:03 2024\r\nTo: e@v.test\r\n\r\n",
	  "[1 t=" T1 " To:b@y.test][6 t=" T1 " To:e@v.test]" },
	{ "bare CR line ends",
	  "From a@x.test Mon Jan  1 01:02:03 2024\rTo: b@y.test\r\rbody\r\r"
	  "From c@z.test Mon Jan  1 01:02:03 2024\rTo: e@v.test\r\r",
	  "[1 t=" T1 " To:b@y.test][1 t=" T1 " To:e@v.test]" },
	{ "MMDF",
	  "\1\1\1\1\nTo: b@y.test\n\nFrom the body\n\1\1\1\1\n"
	  "\1\1\1\1\nTo: e@v.test\n\nx\n\1\1\1\1\n",
	  "[2 t=1000 To:b@y.test][7 t=1000 To:e@v.test]" },
	{ "Maildir file: one message whatever the body says",
	  "Return-Path: <s@x.test>\nTo: b@y.test\nDate: Mon, 1 Jan 2024 "
	  "01:02:03 +0000\n\nhi\n\nFrom a@x.test Mon Jan  1 01:02:03 2024\n"
	  "To: e@v.test\n",
	  "[1 t=" T1 " s=s@x.test To:b@y.test]" },
	{ "stray From_ line before a Maildir header, BOM, second From_",
	  "\xef\xbb\xbf" "From a@x.test Mon Jan  1 01:02:03 2024\n"
	  ">From - Sat Apr 12 2025 15:59:28\n"
	  "To: b@y.test\n\n",
	  "[1 t=" T1 " To:b@y.test]" },
	{ "message without body or empty line at the end",
	  "From a@x.test Mon Jan  1 01:02:03 2024\nTo: b@y.test\n"
	  "From c@z.test Mon Jan  1 01:02:03 2024\nTo: e@v.test",
	  "[1 t=" T1 " To:b@y.test][3 t=" T1 " To:e@v.test]" },
	{ "empty input", "", "" },
	{ "UW-IMAP folder data is not mail",
	  "From MAILER-DAEMON Mon Jan  1 01:02:03 2024\n"
	  "Subject: DON'T DELETE THIS MESSAGE -- FOLDER INTERNAL DATA\n"
	  "X-IMAP: 1 2\n\nx\n\n"
	  "From a@x.test Mon Jan  1 01:02:03 2024\nTo: b@y.test\n\n",
	  "[7 t=" T1 " To:b@y.test]" },
};

static void
test_split(void)
{
	size_t i;

	for (i = 0; i < sizeof(split_cases) / sizeof(split_cases[0]); i++) {
		const struct split_case *c = &split_cases[i];
		struct buf b = { 0 };

		buf_adds(&b, "");
		feed(&b, c->text, strlen(c->text), NULL);
		CHECKF(strcmp(b.p, c->want) == 0, "%s:\n got %s\nwant %s",
		    c->name, b.p, c->want);
		buf_free(&b);
	}
}

static const struct split_case header_cases[] = {
	{ "all the fields a sender's copy has",
	  "From me@org.test Mon Jan  1 01:02:03 2024\n"
	  "Return-Path: <>\n"
	  "Received: from a by b; Mon, 1 Jan 2024 01:02:03 +0000\n"
	  "Received: from c by d (Postfix) with ESMTP id 1\n"
	  "\tfor <Env@Org.test>; Mon, 1 Jan 2024 01:02:03 +0000\n"
	  "Delivered-To: box@org.test\n"
	  "X-Original-To: alias@org.test\n"
	  "From: \"Doe, Jane\" <me@org.test>\n"
	  "Date: Mon, 1 Jan 2024 02:02:03 +0100 (CET)\n"
	  "To: A Group:Ed <c@a.test>,joe@w.test;, \"x\\\"y\" <q@r.test>\n"
	  "Cc: undisclosed-recipients:;\n"
	  "cc: =?UTF-8?B?SsO8cmdlbg==?= <j@g.test>\n"
	  "Bcc: hidden@h.test\n"
	  "Resent-To: r@s.test\n"
	  "Subject: =?utf-8?Q?Caf=C3=A9?= =?utf-8?Q?_menu?=\n"
	  "Message-ID: <ID.1@Org.test>\n"
	  "In-Reply-To: <p@x.test>\n"
	  "References: <a@x.test>\n <p@x.test>\n"
	  "\nbody\n",
	  "[1 t=" T1 " id=<ID.1@Org.test> s= subj=\"Café menu\""
	  " Received:Env@Org.test Delivered-To:box@org.test"
	  " X-Original-To:alias@org.test From:me@org.test(Doe, Jane)"
	  " To:c@a.test(Ed),joe@w.test,q@r.test(x\"y)"
	  " cc:j@g.test(Jürgen) Bcc:hidden@h.test Resent-To:r@s.test"
	  " ref=p@x.test ref=a@x.test ref=p@x.test]" },
	{ "broken headers still give a message",
	  "From a@x.test Mon Jan  1 01:02:03 2024\n"
	  " continuation first\nno colon here\nTo: b@y.test\n"
	  "Date: garbage\n\n",
	  "[1 t=" T1 " To:b@y.test]" },
	{ "sender from From: when there is no Return-Path",
	  "From: Me <me@x.test>\nSubject:   spaced  \nTo: b@y.test\n\n",
	  "[1 t=1000 s=me@x.test subj=\"spaced\" From:me@x.test(Me)"
	  " To:b@y.test]" },
};

static void
test_headers(void)
{
	size_t i;

	for (i = 0; i < sizeof(header_cases) / sizeof(header_cases[0]); i++) {
		const struct split_case *c = &header_cases[i];
		struct buf b = { 0 };

		buf_adds(&b, "");
		feed(&b, c->text, strlen(c->text), NULL);
		CHECKF(strcmp(b.p, c->want) == 0, "%s:\n got %s\nwant %s",
		    c->name, b.p, c->want);
		buf_free(&b);
	}
}

/* A header past MBOX_MAX_HEADER: the message stays, the cut list says
 * it is not complete, and the fields before it are whole. */
static void
test_header_cap(void)
{
	static const char want[] = "[1 t=" T1 " Cc:c@x.test To:t0@x.test,";
	struct buf in = { 0 }, b = { 0 };
	size_t i;

	buf_adds(&in, "From a@x.test Mon Jan  1 01:02:03 2024\n"
	    "Cc: c@x.test\nTo: t0@x.test");
	for (i = 1; in.len < MBOX_MAX_HEADER + 1000; i++)
		buf_printf(&in, ",\n t%zu@x.test", i);
	buf_adds(&in, "\nBcc: late@x.test\n\nbody\n");
	buf_adds(&b, "");
	feed(&b, in.p, in.len, NULL);
	CHECKF(strncmp(b.p, want, strlen(want)) == 0, "cap: got %.60s", b.p);
	CHECKF(b.len > 2 && strcmp(b.p + b.len - 2, "!]") == 0 &&
	    strstr(b.p, "late@") == NULL && strstr(b.p, "Cc:c@x.test!") ==
	    NULL, "cap: got end %s", b.len > 40 ? b.p + b.len - 40 : b.p);
	buf_free(&in);
	buf_free(&b);
}

static void
test_line_counts(void)
{
	struct counts c = { 0 };
	struct buf b = { 0 };
	static const char text[] = "garbage before\n"
	    "From a@x.test Mon Jan  1 01:02:03 2024\nTo: b@y.test\n"
	    "Subject: s\n\nbody 1\nbody 2\n";

	feed(&b, text, sizeof(text) - 1, &c);
	CHECKF(c.event == 3 && c.context == 3 && c.unrecognized == 1,
	    "counts: got event %u context %u unrecognized %u, want 3 3 1",
	    c.event, c.context, c.unrecognized);
	buf_free(&b);
}

static void
test_dates(void)
{
	static const struct {
		const char *in;
		long long want;	/* -1: not a date */
	} cases[] = {
		{ "Mon, 1 Jan 2024 01:02:03 +0000", 1704070923 },
		{ "1 Jan 2024 02:02:03 +0100 (CET)", 1704070923 },
		{ "Sun, 31 Dec 2023 20:02:03 EST", 1704070923 },
		{ "Mon, 01 Jan 24 01:02:03 GMT", 1704070923 },
		{ "Monday, 1-Jan-2024 01:02 UT", 1704070920 },
		{ "18 Feb 2020 16:41:40 +0000", 1582044100 },
		{ "Mon, 1 Jan 2024 01:02:03", 1704070923 },
		{ "Mon, 32 Jan 2024 01:02:03 +0000", -1 },
		{ "yesterday", -1 },
		{ "", -1 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int64_t t = -1;
		int r = mbox_parse_date(cases[i].in, strlen(cases[i].in), &t);

		CHECKF(cases[i].want < 0 ? r != 0 : (r == 0 &&
		    t == cases[i].want), "date \"%s\": got %d/%lld, want %lld",
		    cases[i].in, r, (long long)t, cases[i].want);
	}
}

static void
test_sniff(void)
{
	static const struct {
		const char *name;
		const char *lines[4];
		bool want;
	} cases[] = {
		{ "mbox", { "From a@b Mon Jan  1 01:02:03 2024", "To: x" },
		    true },
		{ "maildir", { "Return-Path: <a@b>", "Received: from x",
		    "\tby y", "Subject: s" }, true },
		{ "MMDF", { "\1\1\1\1", "To: x" }, true },
		{ "syslog", { "Mar 10 07:42:56 mx postfix/smtpd[1]: x",
		    "Mar 10 07:42:57 mx postfix/smtpd[1]: y" }, false },
		{ "plain text", { "Urna. Metus augue fermentum cras",
		    "elit pretium erat" }, false },
		{ "key: value config", { "foo: 1", "bar: 2" }, false },
		{ "one field only", { "Subject: x", "", "text" }, false },
	};
	size_t i, k, lens[4];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (k = 0; k < 4 && cases[i].lines[k] != NULL; k++)
			lens[k] = strlen(cases[i].lines[k]);
		CHECKF(mbox_sniff(cases[i].lines, lens, k) == cases[i].want,
		    "sniff %s: got %d", cases[i].name, !cases[i].want);
	}
}

/* ---- The peers' samples ----------------------------------------------- */

static char *
read_shared(const char *rel, size_t *len)
{
	const char *src = getenv("SRCDIR");
	char path[1024];
	FILE *f;
	struct buf b = { 0 };
	char chunk[65536];
	size_t n;

	snprintf(path, sizeof(path), "%s/../shared/corpus/peers/%s",
	    src ? src : "..", rel);
	f = fopen(path, "rb");
	if (f == NULL) {
		fprintf(stderr, "skipped (no ../shared): %s\n", rel);
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	if (b.p == NULL)
		buf_adds(&b, "");
	return b.p;
}

static size_t
count_messages(const char *r)
{
	size_t n = 0;

	/* "[LINE t=": a subject may hold '[' too. */
	for (; (r = strchr(r, '[')) != NULL; r++) {
		const char *q = r + 1;

		while (*q >= '0' && *q <= '9')
			q++;
		if (q > r + 1 && strncmp(q, " t=", 3) == 0)
			n++;
	}
	return n;
}

static void
test_peers(void)
{
	static const struct {
		const char *file;
		size_t messages;
		const char *want;	/* substring of the rendering */
	} cases[] = {
		{ "neomutt-test-files/mbox/banana.mbox", 1,
		  "[1 t=1582044100 subj=\"hello world\" To:example@example.com]" },
		{ "neomutt-test-files/mbox/apple.mbox", 0, "" },
		{ "apache-ponymail-unit-tests/corpus/no_date.mbox", 1, "[1 " },
		{ "apache-ponymail-unit-tests/corpus/"
		  "maven-dev-2017-11-124652-listsao.mbox", 1,
		  " id=<CAKuVzBSyG-8Bnor7sezCp6z0Cv+Jng0o11HN4hBx10BjWCQnOw@"
		  "mail.gmail.com>" },
		{ "apache-ponymail-unit-tests/corpus/"
		  "maven-dev-2017-11-124652-mailarchivesao.mbox", 1,
		  " To:dev@maven.apache.org(Maven Developers List)" },
		{ "apache-ponymail-unit-tests/corpus/"
		  "maven-dev-2017-11-124652-mboxvm.mbox", 1,
		  " From:tibordigana@apache.org(Tibor Digana)" },
		{ "apache-ponymail-unit-tests/corpus/"
		  "httpd-users-200606-part.mbox", 12,
		  " id=<BAY103-F40786C94EB9152F563E277ED720@phx.gbl>" },
		{ "apache-ponymail-unit-tests/corpus/"
		  "maven_duplicates_2017_mboxvm.mbox", 10, "" },
		{ "notmuch-test-corpora/test/corpora/broken/broken-cc", 1,
		  " To:daniel@example.org(Daniel) Cc:bob@example.org(Bob)"
		  " cc:charles@example.org(Charles)" },
		{ "mu-testdata/testdata/testdir2/wom_bat/cur/rfc822.2", 1,
		  " s=dwarf@siblings.net subj=\"Fwd: test abc\""
		  " From:dwarf@siblings.net To:root@eruditorum.org"
		  " ref=8639ddr9wu.fsf@cthulhu.djcbsoftware]" },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len;
		char *text = read_shared(cases[i].file, &len);
		struct buf b = { 0 };

		if (text == NULL)
			continue;
		buf_adds(&b, "");
		feed(&b, text, len, NULL);
		CHECKF(count_messages(b.p) == cases[i].messages,
		    "%s: got %zu messages, want %zu", cases[i].file,
		    count_messages(b.p), cases[i].messages);
		CHECKF(strstr(b.p, cases[i].want) != NULL,
		    "%s: want \"%s\" in\n%s", cases[i].file, cases[i].want,
		    b.p);
		free(text);
		buf_free(&b);
	}
}

/* ---- Postfix header_checks lines -------------------------------------- */

static const struct split_case postfix_cases[] = {
	{ "whole list, folding shown as ??",
	  "Jun 17 07:35:34 mx postfix/cleanup[17564]: 65966104311: info: "
	  "header To: \"Gemma Owen\" <g@navy.mil>,??Robert <r@navy.mil>"
	  " from unknown[127.0.0.1]; from=<m@f.test> to=<g@navy.mil> "
	  "proto=ESMTP helo=<ws>",
	  " To:g@navy.mil(Gemma Owen),r@navy.mil(Robert)" },
	{ "cut in the middle of an address: it is dropped",
	  "Jun 17 07:35:34 mx postfix/cleanup[1]: 65966104311: info: "
	  "header To: \"A\" <a@x.test>,??\"B\" <b@x.test>, c@x.test,??"
	  "\"Dddddddddddddddddd Eeeeeeeeeeeeeeeeeee\" <d@x.test>,??"
	  "\"Ffffffffffffffffff Gggggggggggggggggggg\" <f@x.test>,??"
	  "\"Hhhhhhhhhhhhhhhhhhhh\" <hhhhhhhhhhhhhh@x.te"
	  " from unknown[127.0.0.1]; from=<m@f.test> to=<a@x.test>",
	  " To:a@x.test(A),b@x.test(B),c@x.test,d@x.test(Dddddddddddddddddd"
	  " Eeeeeeeeeeeeeeeeeee),f@x.test(Ffffffffffffffffff "
	  "Gggggggggggggggggggg)!" },
	{ "cut right after a whole angle address: it is kept",
	  "Jun 17 07:35:34 mx postfix/cleanup[1]: 65966104311: info: "
	  "header Cc: \"Aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\" <a@x.test>,??"
	  "\"Bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\" "
	  "<b@x.test>,??\"Cccccccccccccccccccccccccccccccccccccccccccccccc"
	  "ccccccc\" <ccccccccccccccccc@xxxxxxxx.test>"
	  " from unknown[127.0.0.1]; from=<m@f.test> to=<a@x.test>",
	  "@xxxxxxxx.test(Ccccccccccccccccccccccccccccccccccccccccccccccccc"
	  "cccccc)!" },
	{ "cut bare address: dropped",
	  "Jun 17 07:35:34 mx postfix/cleanup[1]: 65966104311: info: "
	  "header To: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa@x.test, "
	  "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	  "@x.test, ccccccccccccccccccccccccccccccccccccccccccccccccccc"
	  "@x.test, dddddddddddddddddddd@x.t"
	  " from unknown[127.0.0.1]; from=<m@f.test> to=<a@x.test>",
	  "c@x.test!" },
};

static void
test_postfix_header(void)
{
	size_t i;

	for (i = 0; i < sizeof(postfix_cases) / sizeof(postfix_cases[0]);
	    i++) {
		const struct split_case *c = &postfix_cases[i];
		struct syslog_rec r;
		struct event ev;
		struct buf b = { 0 };
		const char *at;

		buf_adds(&b, "");
		CHECKF(syslog_parse(c->text, strlen(c->text), &r) == 0,
		    "%s: not a syslog line", c->name);
		event_clear(&ev);
		ev.host = r.host;
		postfix_parse_line(&r, &ev, render, &b);
		at = strstr(b.p, c->want);
		CHECKF(at != NULL && strcmp(at, c->want) == 0,
		    "%s:\n got %s\nwant ...%s", c->name, b.p, c->want);
		buf_free(&b);
	}
}

static const struct cu_test tests[] = {
	{ "split", test_split },
	{ "headers", test_headers },
	{ "header cap", test_header_cap },
	{ "line counts", test_line_counts },
	{ "dates", test_dates },
	{ "sniff", test_sniff },
	{ "peers' samples", test_peers },
	{ "postfix header_checks", test_postfix_header },
};

CU_MAIN("mbox", tests)
