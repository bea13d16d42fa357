/*
 * test_model - the message model and its reconstruction (msg_store,
 * recon): lifetimes, queue-ID reuse, replayed lines, hops joined by
 * Message-ID, alias parents, final outcomes.
 */
#include "cu.h"
#include "../audit/msg_store.h"
#include "../audit/recon.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct ev_spec {
	enum ev_type type;
	int64_t time;
	const char *host, *qid;
	const char *a1;		/* msgid / sender / recipient / link qid */
	const char *a2;		/* orig / relay */
	enum rcpt_status status;
	unsigned flags;
};

static struct str
S(const char *s)
{
	return s ? str_make(s, strlen(s)) : STR_NULL;
}

/* Hands the events to sink(ctx, ...). */
static void
feed_to(event_sink_fn sink, void *ctx, const struct ev_spec *e, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct event ev;

		event_clear(&ev);
		ev.type = e[i].type;
		ev.time = e[i].time;
		ev.host = S(e[i].host);
		ev.instance = S("postfix");
		ev.qid = S(e[i].qid);
		ev.line = i + 1;
		ev.status = e[i].status;
		ev.flags = e[i].flags;
		switch (e[i].type) {
		case EV_MSGID:
			ev.msgid = S(e[i].a1);
			break;
		case EV_ENVELOPE:
			ev.sender = S(e[i].a1);
			break;
		case EV_DELIVERY:
			ev.addr = S(e[i].a1);
			ev.orig = S(e[i].a2);
			ev.relay = S("relay");
			if (e[i].flags & EVF_FORWARD) {
				ev.link = LINK_FORWARD;
				ev.link_qid = S(e[i].a2);
				ev.orig = STR_NULL;
			}
			break;
		case EV_REJECT:
			ev.addr = S(e[i].a1);
			ev.sender = S(e[i].a2);
			break;
		case EV_LINK:
			ev.link = LINK_NEXT_HOP;
			ev.link_qid = S(e[i].a1);
			break;
		default:
			break;
		}
		sink(ctx, &ev);
		if (e[i].flags & EVF_FORWARD) {
			ev.type = EV_LINK;
			sink(ctx, &ev);
		}
	}
}

static void
feed(struct msg_store *st, const struct ev_spec *e, size_t n)
{
	feed_to(msg_store_event, st, e, n);
}

/* What the queue does while filing lags: msg_store_prep_event() on a
 * copy of each event (the reading side), then the filing. */
static void
prep_then_file(void *ctx, const struct event *ev)
{
	struct event copy = *ev;

	msg_store_prep_event(ctx, &copy);
	msg_store_event(ctx, &copy);
}

struct render_ctx {
	struct msg_store *st;
	char *out;
	size_t len, used;
};

static int
render_msg(void *ctx, const struct recon_msg *m)
{
	struct render_ctx *rc = ctx;
	const struct intern *s = &rc->st->strings;
	size_t k;

	for (k = 0; k < m->nrows; k++) {
		const struct recon_row *r = &m->rows[k];

		if (r->r != NULL)
			rc->used += (size_t)snprintf(rc->out + rc->used,
			    rc->len - rc->used, "%s|%s|%s|%s|%s\n",
			    m->msgid ? m->msgid : "",
			    intern_str(s, r->r->addr), intern_str(s, r->parent),
			    rcpt_status_name(r->r->status),
			    intern_str(s, r->hop->host));
		else
			rc->used += (size_t)snprintf(rc->out + rc->used,
			    rc->len - rc->used, "|%s||rejected|%s\n",
			    intern_str(s, r->rj->rcpt),
			    intern_str(s, r->rj->host));
	}
	return 0;
}

/* Renders the reconstruction as "msgid|rcpt|parent|status|host" lines,
 * in output order. */
static void
render(struct msg_store *st, char *out, size_t len)
{
	struct render_ctx rc = { st, out, len, 0 };
	struct recon_stats stats;
	char *ahead = calloc(1, len);
	struct render_ctx ra = { st, ahead, len, 0 };

	out[0] = '\0';
	msg_store_finish(st);
	recon_run(st, render_msg, &rc, &stats);
	/* The reconstruction with look-ahead gives the same, in order. */
	CU_ASSERT_FATAL(ahead != NULL);
	recon_run_ahead(st, render_msg, &ra, &stats);
	CHECK_STR(ahead, out, "recon_run_ahead == recon_run");
	free(ahead);
}

static void
test_single_message(void)
{
	static const struct ev_spec e[] = {
		{ EV_BEGIN, 100, "mx", "A1", NULL, NULL, 0, 0 },
		{ EV_MSGID, 100, "mx", "A1", "<m1@x>", NULL, 0, 0 },
		{ EV_ENVELOPE, 100, "mx", "A1", "s@Org.Example", NULL, 0, 0 },
		{ EV_DELIVERY, 101, "mx", "A1", "Bob@Example.COM", NULL,
		    RCPT_DEFERRED, 0 },
		{ EV_DELIVERY, 160, "mx", "A1", "Bob@Example.COM", NULL,
		    RCPT_SENT, 0 },
		{ EV_DELIVERY, 101, "mx", "A1", "carol@example.org", NULL,
		    RCPT_BOUNCED, 0 },
		{ EV_END, 161, "mx", "A1", NULL, NULL, 0, 0 },
	};
	struct msg_store st;
	char out[2048];
	int pass;

	/* Filed as they come, then with addresses made canonical ahead. */
	for (pass = 0; pass < 2; pass++) {
		msg_store_init(&st);
		feed_to(pass ? prep_then_file : msg_store_event, &st, e,
		    sizeof(e) / sizeof(e[0]));
		render(&st, out, sizeof(out));
		CHECK_STR(out, "<m1@x>|Bob@example.com||sent|mx\n"
		    "<m1@x>|carol@example.org||bounced|mx\n",
		    pass ? "single message, prepared" : "single message");
		CHECKF(st.nrefs == 1, "one lifetime: got %zu", st.nrefs);
		CHECKF(intern_find(&st.strings, "s@org.example", 13) != 0,
		    "sender domain lower-cased");
		CHECKF(intern_find(&st.strings, "Bob@Example.COM", 15) == 0,
		    "recipient interned as written");
		msg_store_free(&st);
	}
}

static void
test_reuse_and_replay(void)
{
	static const struct ev_spec e[] = {
		{ EV_BEGIN, 100, "mx", "Q", NULL, NULL, 0, 0 },
		{ EV_MSGID, 100, "mx", "Q", "<first@x>", NULL, 0, 0 },
		{ EV_DELIVERY, 101, "mx", "Q", "a@x.org", NULL, RCPT_SENT, 0 },
		{ EV_END, 101, "mx", "Q", NULL, NULL, 0, 0 },
		{ EV_BEGIN, 200, "mx", "Q", NULL, NULL, 0, 0 },
		{ EV_MSGID, 200, "mx", "Q", "<second@x>", NULL, 0, 0 },
		{ EV_DELIVERY, 201, "mx", "Q", "b@x.org", NULL,
		    RCPT_DEFERRED, 0 },
	};
	struct msg_store st;
	char once[2048], twice[2048];

	msg_store_init(&st);
	feed(&st, e, sizeof(e) / sizeof(e[0]));
	render(&st, once, sizeof(once));
	CHECK_STR(once, "<first@x>|a@x.org||sent|mx\n"
	    "<second@x>|b@x.org||deferred|mx\n", "reused queue ID");
	CHECKF(st.stats.qid_reuse == 1, "reuse counted: got %llu",
	    (unsigned long long)st.stats.qid_reuse);
	msg_store_free(&st);
	/* The same lines twice (a second copy of the log), while the
	 * first copy is in memory and after it was retired: no change. */
	msg_store_init(&st);
	feed(&st, e, sizeof(e) / sizeof(e[0]));
	feed(&st, e, sizeof(e) / sizeof(e[0]));
	render(&st, twice, sizeof(twice));
	CHECK_STR(twice, once, "replayed lines, in memory");
	CHECKF(st.stats.lifetimes == 2, "lifetimes after replay: got %llu, "
	    "want 2", (unsigned long long)st.stats.lifetimes);
	msg_store_free(&st);
	msg_store_init(&st);
	feed(&st, e, sizeof(e) / sizeof(e[0]));
	msg_store_finish(&st);
	feed(&st, e, sizeof(e) / sizeof(e[0]));
	render(&st, twice, sizeof(twice));
	CHECK_STR(twice, once, "replayed lines, after retirement");
	msg_store_free(&st);
}

static void
test_copy_with_list_member(void)
{
	/* ben is addressed directly and through comms@: two rows. The
	 * same log read twice (its second copy after the first was
	 * retired, as two files of one log are) must give the same two,
	 * not the list's row twice. */
	static const struct ev_spec e[] = {
		{ EV_BEGIN, 100, "mx", "L1", NULL, NULL, 0, 0 },
		{ EV_MSGID, 100, "mx", "L1", "<l@x>", NULL, 0, 0 },
		{ EV_DELIVERY, 101, "mx", "L1", "ben@org.uk", NULL,
		    RCPT_SENT, 0 },
		{ EV_DELIVERY, 101, "mx", "L1", "ben@org.uk", "comms@org.uk",
		    RCPT_SENT, 0 },
		{ EV_DELIVERY, 101, "mx", "L1", "ann@org.uk", "comms@org.uk",
		    RCPT_BOUNCED, 0 },
		{ EV_END, 102, "mx", "L1", NULL, NULL, 0, 0 },
	};
	static const char want[] =
	    "<l@x>|ann@org.uk|comms@org.uk|bounced|mx\n"
	    "<l@x>|ben@org.uk||sent|mx\n"
	    "<l@x>|ben@org.uk|comms@org.uk|sent|mx\n";
	struct msg_store st;
	char out[2048];

	msg_store_init(&st);
	feed(&st, e, sizeof(e) / sizeof(e[0]));
	render(&st, out, sizeof(out));
	CHECK_STR(out, want, "list member also addressed directly");
	msg_store_free(&st);
	msg_store_init(&st);
	feed(&st, e, sizeof(e) / sizeof(e[0]));
	msg_store_finish(&st);
	feed(&st, e, sizeof(e) / sizeof(e[0]));
	render(&st, out, sizeof(out));
	CHECK_STR(out, want, "the same, its log read twice");
	CHECKF(st.nrefs == 2, "two copies of the lifetime: got %zu",
	    st.nrefs);
	msg_store_free(&st);
}

static void
test_hops_and_aliases(void)
{
	/* mx hands bob and team@ to the mailbox server, which delivers
	 * bob and expands team@ into two users. */
	static const struct ev_spec e[] = {
		{ EV_BEGIN, 100, "mx", "M1", NULL, NULL, 0, 0 },
		{ EV_MSGID, 100, "mx", "M1", "<hop@ext>", NULL, 0, 0 },
		{ EV_DELIVERY, 101, "mx", "M1", "bob@org.uk", NULL,
		    RCPT_SENT, 0 },
		{ EV_DELIVERY, 101, "mx", "M1", "team@org.uk", NULL,
		    RCPT_SENT, 0 },
		{ EV_DELIVERY, 101, "mx", "M1", "ext@else.com", NULL,
		    RCPT_SENT, 0 },
		{ EV_END, 101, "mx", "M1", NULL, NULL, 0, 0 },
		{ EV_BEGIN, 102, "mbox", "B7", NULL, NULL, 0, 0 },
		{ EV_MSGID, 102, "mbox", "B7", "<hop@EXT>", NULL, 0, 0 },
		{ EV_DELIVERY, 102, "mbox", "B7", "bob@org.uk", NULL,
		    RCPT_SENT, 0 },
		{ EV_DELIVERY, 102, "mbox", "B7", "ann@org.uk", "team@org.uk",
		    RCPT_SENT, 0 },
		{ EV_DELIVERY, 102, "mbox", "B7", "cy@org.uk", "team@org.uk",
		    RCPT_BOUNCED, 0 },
		{ EV_END, 103, "mbox", "B7", NULL, NULL, 0, 0 },
	};
	struct msg_store st;
	char out[2048];

	static const char want[] =
	    "<hop@ext>|ann@org.uk|team@org.uk|sent|mbox\n"
	    "<hop@ext>|bob@org.uk||sent|mbox\n"
	    "<hop@ext>|cy@org.uk|team@org.uk|bounced|mbox\n"
	    "<hop@ext>|ext@else.com||sent|mx\n";

	msg_store_init(&st);
	feed(&st, e, sizeof(e) / sizeof(e[0]));
	render(&st, out, sizeof(out));
	CHECK_STR(out, want, "two hops, one message");
	msg_store_free(&st);
	msg_store_init(&st);
	feed_to(prep_then_file, &st, e, sizeof(e) / sizeof(e[0]));
	render(&st, out, sizeof(out));
	CHECK_STR(out, want, "two hops, one message, prepared");
	/* Found by the table's own hash: the prepared one was the same. */
	CHECKF(intern_find(&st.strings, "team@org.uk", 11) != 0 &&
	    intern_find(&st.strings, "ann@org.uk", 10) != 0,
	    "prepared addresses found by intern_find()");
	msg_store_free(&st);
}

static void
test_hop_order_same_second(void)
{
	/* The mailbox server's log is read first and both hops start in
	 * the same second: the hand-over ("queued as B9") orders them. */
	static const struct ev_spec e[] = {
		{ EV_BEGIN, 100, "mbox", "B9", NULL, NULL, 0, 0 },
		{ EV_MSGID, 100, "mbox", "B9", "<same@sec>", NULL, 0, 0 },
		{ EV_DELIVERY, 100, "mbox", "B9", "bob@org.uk", NULL,
		    RCPT_BOUNCED, 0 },
		{ EV_END, 100, "mbox", "B9", NULL, NULL, 0, 0 },
		{ EV_BEGIN, 100, "mx", "M9", NULL, NULL, 0, 0 },
		{ EV_MSGID, 100, "mx", "M9", "<same@sec>", NULL, 0, 0 },
		{ EV_DELIVERY, 100, "mx", "M9", "bob@org.uk", NULL,
		    RCPT_SENT, 0 },
		{ EV_LINK, 100, "mx", "M9", "B9", NULL, 0, 0 },
		{ EV_END, 100, "mx", "M9", NULL, NULL, 0, 0 },
	};
	struct msg_store st;
	char out[1024];

	msg_store_init(&st);
	feed(&st, e, sizeof(e) / sizeof(e[0]));
	render(&st, out, sizeof(out));
	CHECK_STR(out, "<same@sec>|bob@org.uk||bounced|mbox\n",
	    "the last hop wins, whatever the read order");
	msg_store_free(&st);
}

static void
test_forward_expired_reject(void)
{
	static const struct ev_spec e[] = {
		{ EV_BEGIN, 100, "h", "F1", NULL, NULL, 0, 0 },
		{ EV_MSGID, 100, "h", "F1", "<f@x>", NULL, 0, 0 },
		{ EV_DELIVERY, 101, "h", "F1", "alias@org.uk", "F2",
		    RCPT_SENT, EVF_FORWARD },
		{ EV_END, 101, "h", "F1", NULL, NULL, 0, 0 },
		{ EV_MSGID, 101, "h", "F2", "<f@x>", NULL, 0, 0 },
		{ EV_DELIVERY, 102, "h", "F2", "far@away.net", NULL,
		    RCPT_SENT, 0 },
		{ EV_END, 102, "h", "F2", NULL, NULL, 0, 0 },
		{ EV_BEGIN, 200, "h", "E1", NULL, NULL, 0, 0 },
		{ EV_MSGID, 200, "h", "E1", "<e@x>", NULL, 0, 0 },
		{ EV_DELIVERY, 201, "h", "E1", "slow@down.org", NULL,
		    RCPT_DEFERRED, 0 },
		{ EV_EXPIRED, 90000, "h", "E1", NULL, NULL, 0, 0 },
		{ EV_END, 90001, "h", "E1", NULL, NULL, 0, 0 },
		{ EV_REJECT, 300, "h", NULL, "nobody@org.uk", "s@x", 0, 0 },
		{ EV_REJECT, 300, "h", NULL, "nobody@org.uk", "s@x", 0, 0 },
	};
	struct msg_store st;
	char out[2048];

	msg_store_init(&st);
	feed(&st, e, sizeof(e) / sizeof(e[0]));
	render(&st, out, sizeof(out));
	CHECK_STR(out,
	    "<f@x>|far@away.net|alias@org.uk|sent|h\n"
	    "<e@x>|slow@down.org||expired|h\n"
	    "|nobody@org.uk||rejected|h\n",
	    "forward, expiry and a NOQUEUE reject read twice");
	msg_store_free(&st);
}

/* More messages than recon_run_ahead() puts together ahead (its slots
 * wrap around), some joined across hosts by Message-ID: render()
 * compares it with recon_run(); here, the order and count too. */
static void
test_many_messages(void)
{
	enum { N = 100 };
	static char qids[N][2][8], msgids[N][16], rcpts[N][24];
	static struct ev_spec e[N * 9];
	struct msg_store st;
	static char out[N * 200];
	size_t n = 0, i, lines = 0;
	const char *p;

	for (i = 0; i < N; i++) {
		int64_t t = 1000 + (int64_t)i * 10;

		snprintf(qids[i][0], sizeof(qids[i][0]), "A%03zu", i);
		snprintf(qids[i][1], sizeof(qids[i][1]), "B%03zu", i);
		snprintf(msgids[i], sizeof(msgids[i]), "<m%03zu@x>", i);
		snprintf(rcpts[i], sizeof(rcpts[i]), "r%03zu@example.org", i);
		e[n++] = (struct ev_spec){ EV_BEGIN, t, "mx", qids[i][0],
		    NULL, NULL, 0, 0 };
		e[n++] = (struct ev_spec){ EV_MSGID, t, "mx", qids[i][0],
		    msgids[i], NULL, 0, 0 };
		e[n++] = (struct ev_spec){ EV_DELIVERY, t + 1, "mx",
		    qids[i][0], rcpts[i], NULL, RCPT_SENT, 0 };
		e[n++] = (struct ev_spec){ EV_DELIVERY, t + 1, "mx",
		    qids[i][0], "list@example.net", NULL, RCPT_DEFERRED, 0 };
		e[n++] = (struct ev_spec){ EV_END, t + 2, "mx", qids[i][0],
		    NULL, NULL, 0, 0 };
		if (i % 3 != 0)
			continue;
		/* Every third goes on to a second host. */
		e[n++] = (struct ev_spec){ EV_BEGIN, t + 3, "mbox",
		    qids[i][1], NULL, NULL, 0, 0 };
		e[n++] = (struct ev_spec){ EV_MSGID, t + 3, "mbox",
		    qids[i][1], msgids[i], NULL, 0, 0 };
		e[n++] = (struct ev_spec){ EV_DELIVERY, t + 4, "mbox",
		    qids[i][1], "local@example.org", NULL, RCPT_SENT, 0 };
		e[n++] = (struct ev_spec){ EV_END, t + 5, "mbox", qids[i][1],
		    NULL, NULL, 0, 0 };
	}
	msg_store_init(&st);
	feed(&st, e, n);
	render(&st, out, sizeof(out));
	for (p = out; (p = strchr(p, '\n')) != NULL; p++)
		lines++;
	/* Two rows a message, and a third for the 34 that went on. */
	CHECKF(lines == N * 2 + 34, "rows: got %zu", lines);
	{
		static const char first[] =
		    "<m000@x>|list@example.net||deferred|mx\n"
		    "<m000@x>|local@example.org||sent|mbox\n"
		    "<m000@x>|r000@example.org||sent|mx\n<m001@x>|";

		CHECKF(strncmp(out, first, sizeof(first) - 1) == 0,
		    "first message: got %.130s", out);
	}
	CHECKF(strstr(out, "<m099@x>|r099@example.org||sent|mx\n") != NULL,
	    "last message");
	msg_store_free(&st);
}

static void
test_addr_canonical(void)
{
	struct msg_store st;
	static const struct {
		const char *in, *want;
	} cases[] = {
		{ "<John.Smith@Example.COM>", "John.Smith@example.com" },
		{ "\"a, b\"@X.org", "\"a, b\"@x.org" },
		{ "dave", "dave" },
		{ "", "" },
		{ "user@[192.0.2.1]", "user@[192.0.2.1]" },
		/* IDNs in one form: the A-label (RFC 3492 vectors). */
		{ "Bob@B\xc3\xbc""cher.Example", "Bob@xn--bcher-kva.example" },
		{ "anna@M\xc3\x9c""NCHEN.de", "anna@xn--mnchen-3ya.de" },
		{ "a@xn--mnchen-3ya.de", "a@xn--mnchen-3ya.de" },
		{ "ivan@\xd0\x9f\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80"
		  ".\xd0\xb8\xd1\x81\xd0\xbf\xd1\x8b\xd1\x82\xd0\xb0"
		  "\xd0\xbd\xd0\xb8\xd0\xb5",
		  "ivan@xn--e1afmkfd.xn--80akhbyknj4f" },
		{ "j\xc3\xb6rg@example.org", "j\xc3\xb6rg@example.org" },
		/* Not UTF-8: kept as written. */
		{ "x@b\xfc""cher.de", "x@b\xfc""cher.de" },
	};
	size_t i;

	msg_store_init(&st);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint32_t id = msg_store_addr(&st, cases[i].in,
		    strlen(cases[i].in));

		CHECK_STR(intern_str(&st.strings, id), cases[i].want,
		    cases[i].in);
	}
	msg_store_free(&st);
}

#define KEY(s)	msg_store_msgid_key((s), strlen(s))

static void
test_msgid_key(void)
{
	/* Angle brackets, blanks and the domain's case do not count; the
	 * local part's case does. */
	CU_ASSERT_EQUAL(KEY("<a.b@Example.ORG>"), KEY(" a.b@example.org "));
	CU_ASSERT_NOT_EQUAL(KEY("<A.b@example.org>"), KEY("<a.b@example.org>"));
	CU_ASSERT_EQUAL(KEY(""), 0);
	CU_ASSERT_EQUAL(KEY("<>"), 0);
	/* A Notes UNID as the Router logs it and the Message-ID Domino
	 * makes from it when the note leaves over SMTP. */
	CU_ASSERT_EQUAL(KEY("OF0B7E4411:2D9F6C03-ON80258D40:004E5F21"),
	    KEY("<OF0B7E4411.2D9F6C03-ON80258D40.004E5F21-80258D40."
	    "004E9A10@fenwick-water.example>"));
	CU_ASSERT_EQUAL(KEY("of0b7e4411:2d9f6c03-on80258d40:004e5f21"),
	    KEY("OF0B7E4411:2D9F6C03-ON80258D40:004E5F21"));
	/* Another note, or a near-miss shape, is another message. */
	CU_ASSERT_NOT_EQUAL(KEY("OF0B7E4411:2D9F6C03-ON80258D40:004E5F22"),
	    KEY("<OF0B7E4411.2D9F6C03-ON80258D40.004E5F21-80258D40."
	    "004E9A10@fenwick-water.example>"));
	CU_ASSERT_NOT_EQUAL(KEY("<OF0B7E4411.2D9F6C03-ON80258D40.004E5F21X"
	    "@fenwick-water.example>"),
	    KEY("OF0B7E4411:2D9F6C03-ON80258D40:004E5F21"));
	CU_ASSERT_NOT_EQUAL(KEY("OF0B7E4411:2D9F6C03-ON80258D40.004E5F21"),
	    KEY("OF0B7E4411:2D9F6C03-ON80258D40:004E5F21"));
	CU_ASSERT_TRUE(msg_store_is_unid(
	    "OF0B7E4411:2D9F6C03-ON80258D40:004E5F21"));
	CU_ASSERT_FALSE(msg_store_is_unid("<OF0B7E4411.2D9F6C03-ON80258D40."
	    "004E5F21-80258D40.004E9A10@fenwick-water.example>"));
	CU_ASSERT_FALSE(msg_store_is_unid("OF0B7E4411:2D9F"));
}

static const struct cu_test tests[] = {
	{ "single message, retries", test_single_message },
	{ "queue-ID reuse and replayed lines", test_reuse_and_replay },
	{ "hops joined by Message-ID, alias parents", test_hops_and_aliases },
	{ "a log read twice, list member also direct",
	    test_copy_with_list_member },
	{ "hop order from hand-overs", test_hop_order_same_second },
	{ "forwards, expiry, NOQUEUE rejects", test_forward_expired_reject },
	{ "more messages than the look-ahead holds", test_many_messages },
	{ "canonical addresses", test_addr_canonical },
	{ "Message-ID join keys, Notes UNIDs", test_msgid_key },
};

CU_MAIN("model", tests)
