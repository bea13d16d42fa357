/*
 * gen_storm - writes a Postfix log of a reply-all storm at the scale of
 * the 2007 DHS one: a newsletter to N outside subscribers with the list
 * visible, then R replies from subscribers to the whole list, each
 * delivered to every member. Only logs, no headers: mailspill must find
 * the storm from recipient sets alone.
 *
 * Usage: gen_storm [--domino] [N [R]]  (default 7500 270); the log goes
 * to stdout. Line shapes are those of Postfix 3.7 (see samples/logs), or
 * with --domino those of one Domino server's console log (mail1's in
 * samples/logs/domino: "MM/DD/YYYY hh:mm:ss AM", no thread prefix).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void
stamp(char *buf, size_t len, long t)
{
	/* Seconds after Wed Oct  3 08:00:00 (no year: --year sets it). */
	long h = 8 + t / 3600, m = t / 60 % 60, s = t % 60;

	snprintf(buf, len, "Oct  3 %02ld:%02ld:%02ld", h % 24, m, s);
}

static void
message(long n, long t, const char *qid, const char *msgid,
    const char *sender, int outbound_id)
{
	char ts[32];
	long i;

	stamp(ts, sizeof(ts), t);
	printf("%s mx postfix/smtpd[100]: %s: client=relay.example.net"
	    "[192.0.2.%d]\n", ts, qid, 1 + outbound_id % 200);
	printf("%s mx postfix/cleanup[101]: %s: message-id=<%s>\n", ts, qid,
	    msgid);
	printf("%s mx postfix/qmgr[102]: %s: from=<%s>, size=4000, "
	    "nrcpt=%ld (queue active)\n", ts, qid, sender, n);
	for (i = 0; i < n; i++)
		printf("%s mx postfix/smtp[103]: %s: to=<s%05ld@subscriber%ld"
		    ".example>, relay=mx.subscriber%ld.example[198.51.100.%ld]"
		    ":25, delay=1, delays=0/0/0/1, dsn=2.0.0, status=sent "
		    "(250 OK)\n", ts, qid, i, i % 97, i % 97, 1 + i % 200);
	printf("%s mx postfix/qmgr[102]: %s: removed\n", ts, qid);
}

/*
 * Domino: the list is a group on the server; the newsletter comes in
 * over SMTP from an outside sender, addressed to the list, and the
 * Router relays a copy for every member through the SMTP gateway (the
 * members are outside subscribers). Each reply comes in the same way,
 * from one subscriber to the list, and goes out to every member again.
 * Only the short attested Router form is written ("transferred to H for
 * A via SMTP"); console lines carry no subject. Times: 3 Oct 2007 from
 * 09:30 AM, a message every DOMINO_EVERY seconds, past noon (PM). The
 * date is fixed: an R or N that runs the storm past midnight would step
 * the log's time back.
 */
#define DOMINO_DATE	"10/03/2007 "
#define DOMINO_START	(9 * 3600 + 30 * 60)
/* Seconds between two messages arriving: 270 replies in three hours. */
#define DOMINO_EVERY	40
/* Router transfers per log second: 7,500 copies take half a minute. */
#define DOMINO_RATE	250
#define DOMINO_LIST	"osir-daily@dhs.example.gov"
#define DOMINO_GW	"gw1.dhs.example.gov"

/* "hh:mm:ss AM" of t seconds after midnight. */
static void
domino_clock(long t, char *out, size_t len)
{
	long h = t / 3600 % 24, m = t / 60 % 60, s = t % 60;
	long h12 = h % 12 == 0 ? 12 : h % 12;

	snprintf(out, len, "%02ld:%02ld:%02ld %s", h12, m, s,
	    h < 12 ? "AM" : "PM");
}

/* Writes one message arriving at t; returns the time of its last line. */
static long
domino_message(long n, long t, unsigned long noteid, const char *msgid,
    const char *sender, const char *ip)
{
	char ts[32];
	long i, sec = -1;

	domino_clock(t, ts, sizeof(ts));
	printf(DOMINO_DATE "%s  SMTP Server: %s connected\n", ts, ip);
	printf(DOMINO_DATE "%s  SMTP Server: Originator: <%s>\n", ts, sender);
	printf(DOMINO_DATE "%s  SMTP Server: Recipient: <" DOMINO_LIST ">\n",
	    ts);
	printf(DOMINO_DATE "%s  SMTP Server: Message %08lX (MessageID: <%s>) "
	    "received from %s size 4000 bytes\n", ts, noteid, msgid, ip);
	printf(DOMINO_DATE "%s  SMTP Server: %s disconnected. 1 message[s] "
	    "received\n", ts, ip);
	for (i = 0; i < n; i++) {
		if (1 + i / DOMINO_RATE != sec) {
			sec = 1 + i / DOMINO_RATE;
			domino_clock(t + sec, ts, sizeof(ts));
		}
		printf(DOMINO_DATE "%s  Router: Message %08lX transferred to "
		    DOMINO_GW " for s%05ld@subscriber%ld.example via SMTP\n",
		    ts, noteid, i, i % 97);
	}
	printf(DOMINO_DATE "%s  Router: Transferred 1 messages to " DOMINO_GW
	    " via SMTP\n", ts);
	return t + (sec < 0 ? 0 : sec);
}

static void
domino_storm(long n, long r)
{
	char msgid[64], sender[64], ip[32];
	long k, m, t, last;

	/* About 2 million lines: 64 KiB writes, not one per line. */
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	last = domino_message(n, DOMINO_START, 0x0010A3F0UL,
	    "daily-report.1@osir-editor.example", "editor@osir-editor.example",
	    "192.0.2.10");
	for (k = 1; k <= r; k++) {
		m = (k * 7) % n;
		snprintf(msgid, sizeof(msgid), "reply.%ld@subscriber%ld.example",
		    k, m % 97);
		snprintf(sender, sizeof(sender), "s%05ld@subscriber%ld.example",
		    m, m % 97);
		snprintf(ip, sizeof(ip), "198.51.100.%ld", 1 + m % 200);
		/* A list so large that the Router is still busy: the reply
		 * waits, so that the log's time never steps back. */
		t = DOMINO_START + k * DOMINO_EVERY;
		if (t <= last)
			t = last + 1;
		/* NoteIDs of MAIL.BOX documents: distinct, not sequential. */
		last = domino_message(n, t, 0x0010A3F0UL +
		    (unsigned long)k * 0x2EUL, msgid, sender, ip);
	}
}

int
main(int argc, char **argv)
{
	bool domino = argc > 1 && strcmp(argv[1], "--domino") == 0;
	long n, r, k;
	char qid[32], msgid[64], sender[64];

	if (domino) {
		argc--;
		argv++;
	}
	n = argc > 1 ? atol(argv[1]) : 7500;
	r = argc > 2 ? atol(argv[2]) : 270;
	if (n < 1 || r < 0)
		return 2;
	if (domino) {
		domino_storm(n, r);
		return fflush(stdout) != 0 || ferror(stdout) ? 1 : 0;
	}
	message(n, 0, "A0000000001", "daily-report.1@dhs.example.gov",
	    "daily-report@dhs.example.gov", 0);
	for (k = 1; k <= r; k++) {
		snprintf(qid, sizeof(qid), "B%010lX", k);
		snprintf(msgid, sizeof(msgid), "reply.%ld@subscriber%ld.example",
		    k, (k * 7) % 97);
		snprintf(sender, sizeof(sender), "s%05ld@subscriber%ld.example",
		    (k * 7) % n, ((k * 7) % n) % 97);
		/* Each reply goes to the list: the original's members. */
		message(n, 60 + k * 100, qid, msgid, sender, (int)k);
	}
	return 0;
}
