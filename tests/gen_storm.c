/*
 * gen_storm - writes a Postfix log of a reply-all storm at the scale of
 * the 2007 DHS one: a newsletter to N outside subscribers with the list
 * visible, then R replies from subscribers to the whole list, each
 * delivered to every member. Only logs, no headers: mailspill must find
 * the storm from recipient sets alone.
 *
 * Usage: gen_storm [N [R]]  (default 7500 270); the log goes to stdout.
 * Line shapes are those of Postfix 3.7 (see samples/logs).
 */
#include <stdio.h>
#include <stdlib.h>

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

int
main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 7500;
	long r = argc > 2 ? atol(argv[2]) : 270, k;
	char qid[32], msgid[64], sender[64];

	if (n < 1 || r < 0)
		return 2;
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
