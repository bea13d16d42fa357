/*
 * test_tstamp - timestamps, civil time and year inference
 */
#include "cu.h"
#include "../parsers/tstamp.h"
#include "../parsers/syslog.h"

#include <stdlib.h>
#include <time.h>

static void
test_classic(void)
{
	static const struct {
		const char *in;
		size_t want_len;
		int mon, day, hour, min, sec;
		unsigned usec;
	} cases[] = {
		{ "Mar  7 09:15:02 mx1", 15, 3, 7, 9, 15, 2, 0 },
		{ "Mar 07 09:15:02 mx1", 15, 3, 7, 9, 15, 2, 0 },
		{ "Dec 31 23:59:60 x", 15, 12, 31, 23, 59, 60, 0 },
		{ "Jan 02 21:00:50.123456 x", 22, 1, 2, 21, 0, 50, 123456 },
		{ "Jan  2 21:00:50.5 x", 17, 1, 2, 21, 0, 50, 500000 },
		{ "Mar 7 02:09:33 mail", 14, 3, 7, 2, 9, 33, 0 },
		{ "Foo  2 21:00:50 x", 0, 0, 0, 0, 0, 0, 0 },
		{ "Jan 32 21:00:50 x", 0, 0, 0, 0, 0, 0, 0 },
		{ "Jan  0 21:00:50 x", 0, 0, 0, 0, 0, 0, 0 },
		{ "Jan  2 24:00:50 x", 0, 0, 0, 0, 0, 0, 0 },
		{ "Jan  2 21:00", 0, 0, 0, 0, 0, 0, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tstamp_tm tm;
		size_t n = tstamp_classic(cases[i].in, strlen(cases[i].in), &tm);

		CHECKF(n == cases[i].want_len, "classic \"%s\": got length "
		    "%zu, want %zu", cases[i].in, n, cases[i].want_len);
		if (n == 0 || cases[i].want_len == 0)
			continue;
		CHECKF(tm.mon == cases[i].mon && tm.day == cases[i].day &&
		    tm.hour == cases[i].hour && tm.min == cases[i].min &&
		    tm.sec == cases[i].sec && tm.usec == cases[i].usec,
		    "classic \"%s\": got %02d-%02d %02d:%02d:%02d.%06u",
		    cases[i].in, tm.mon, tm.day, tm.hour, tm.min, tm.sec,
		    tm.usec);
		CHECKF(tm.year == 0, "classic \"%s\": a year appeared",
		    cases[i].in);
	}
}

static void
test_iso(void)
{
	static const struct {
		const char *in;
		bool space_zone;
		size_t want_len;
		int year, mon, day, hour;
		bool has_zone;
		int gmtoff;
	} cases[] = {
		{ "2026-01-02T07:31:26.770908+00:00 smtp1", false, 32,
		    2026, 1, 2, 7, true, 0 },
		{ "2024-03-07T09:15:02+0100 mx1", false, 24, 2024, 3, 7, 9,
		    true, 3600 },
		{ "2024-03-07T09:15:02Z x", false, 20, 2024, 3, 7, 9, true, 0 },
		{ "2024-03-07T09:15:02.1-05:30 x", false, 27, 2024, 3, 7, 9,
		    true, -19800 },
		{ "2025-09-15 07:40:01 1uAbCd-000001-Ab <= x", true, 19,
		    2025, 9, 15, 7, false, 0 },
		{ "2025-09-15 07:40:01.123 +0100 1uA", true, 29, 2025, 9, 15,
		    7, true, 3600 },
		{ "2025-13-15 07:40:01 x", true, 0, 0, 0, 0, 0, false, 0 },
		{ "2025-09-15_07:40:01 x", true, 0, 0, 0, 0, 0, false, 0 },
	};
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct tstamp_tm tm;
		size_t n = tstamp_iso(cases[i].in, strlen(cases[i].in),
		    cases[i].space_zone, &tm);

		CHECKF(n == cases[i].want_len, "iso \"%s\": got length %zu, "
		    "want %zu", cases[i].in, n, cases[i].want_len);
		if (n == 0 || cases[i].want_len == 0)
			continue;
		CHECKF(tm.year == cases[i].year && tm.mon == cases[i].mon &&
		    tm.day == cases[i].day && tm.hour == cases[i].hour,
		    "iso \"%s\": got %d-%d-%d %d", cases[i].in, tm.year,
		    tm.mon, tm.day, tm.hour);
		CHECKF(tm.has_zone == cases[i].has_zone &&
		    tm.gmtoff == cases[i].gmtoff, "iso \"%s\": got zone %d "
		    "offset %d", cases[i].in, tm.has_zone, tm.gmtoff);
	}
}

static void
test_civil(void)
{
	int y, mon, d, h, mi, s;
	int64_t t;

	CHECKF(tstamp_timegm(1970, 1, 1, 0, 0, 0) == 0, "epoch start");
	t = tstamp_timegm(2025, 3, 10, 7, 42, 56);
	CHECKF(t == 1741592576, "2025-03-10T07:42:56Z: got %lld, want "
	    "1741592576", (long long)t);
	tstamp_civil_from_epoch(t, &y, &mon, &d, &h, &mi, &s);
	CHECKF(y == 2025 && mon == 3 && d == 10 && h == 7 && mi == 42 &&
	    s == 56, "round trip: got %d-%d-%d %d:%d:%d", y, mon, d, h, mi,
	    s);
	t = tstamp_timegm(2024, 2, 29, 12, 0, 0);
	tstamp_civil_from_epoch(t, &y, &mon, &d, &h, &mi, &s);
	CHECKF(mon == 2 && d == 29, "leap day: got %d-%d", mon, d);
}

static void
test_year_inference(void)
{
	struct tstamp_clock c;
	struct tstamp_tm tm = { 0 };

	/* File written 2026-01-01: a file starting Dec 31 began in 2025
	 * and its January lines are 2026. */
	tstamp_clock_init(&c, 2026, 1, 1, 0);
	tm.mon = 12, tm.day = 31;
	tstamp_clock_year(&c, &tm);
	CHECKF(tm.year == 2025, "Dec 31 before a Jan 1 mtime: got %d, "
	    "want 2025", tm.year);
	tm.mon = 1, tm.day = 1, tm.year = 0;
	tstamp_clock_year(&c, &tm);
	CHECKF(tm.year == 2026, "Jan 1 after Dec 31: got %d, want 2026",
	    tm.year);
	CHECKF(c.steps == 1, "steps: got %d, want 1", c.steps);

	/* Same month as the mtime: that year. */
	tstamp_clock_init(&c, 2025, 3, 12, 0);
	tm.mon = 3, tm.day = 10, tm.year = 0;
	tstamp_clock_year(&c, &tm);
	CHECKF(tm.year == 2025, "Mar 10 with a Mar 12 mtime: got %d",
	    tm.year);

	/* --year fixes the first line; Dec -> Jan still steps. */
	tstamp_clock_init(&c, 2030, 6, 1, 2019);
	tm.mon = 12, tm.day = 30, tm.year = 0;
	tstamp_clock_year(&c, &tm);
	CHECKF(tm.year == 2019, "--year 2019: got %d", tm.year);
	tm.mon = 1, tm.day = 2, tm.year = 0;
	tstamp_clock_year(&c, &tm);
	CHECKF(tm.year == 2020, "--year 2019 then January: got %d", tm.year);
}

static void
test_tzconv(void)
{
	struct tzconv z;
	char out[32];
	int64_t t;

	setenv("TZ", "Europe/London", 1);
	tzset();
	tzconv_init(&z);
	/* Summer: BST, +01:00 */
	t = tzconv_to_epoch(&z, 2025, 7, 1, 12, 0, 0);
	CHECKF(t == tstamp_timegm(2025, 7, 1, 11, 0, 0), "London July noon: "
	    "got %lld", (long long)t);
	tzconv_format(&z, t, out);
	CHECK_STR(out, "2025-07-01T12:00:00+01:00", "format BST");
	t = tzconv_to_epoch(&z, 2025, 1, 15, 8, 30, 0);
	tzconv_format(&z, t, out);
	CHECK_STR(out, "2025-01-15T08:30:00+00:00", "format GMT");
	/* The date is kept from row to row: the same day, the spring
	 * change within it, and back. */
	tzconv_format(&z, t + 3600 * 15 + 29 * 60 + 59, out);
	CHECK_STR(out, "2025-01-15T23:59:59+00:00", "same day, later");
	tzconv_format(&z, t + 3600 * 15 + 30 * 60, out);
	CHECK_STR(out, "2025-01-16T00:00:00+00:00", "next day");
	t = tstamp_timegm(2025, 3, 30, 0, 59, 59);
	tzconv_format(&z, t, out);
	CHECK_STR(out, "2025-03-30T00:59:59+00:00", "before the change");
	tzconv_format(&z, t + 1, out);
	CHECK_STR(out, "2025-03-30T02:00:00+01:00", "after the change");
	tzconv_format(&z, tstamp_timegm(2025, 1, 15, 8, 30, 0), out);
	CHECK_STR(out, "2025-01-15T08:30:00+00:00", "back in January");
	CHECKF(tzconv_parse_user(&z, "2025-03-10", &t) == 0 &&
	    t == tstamp_timegm(2025, 3, 10, 0, 0, 0), "user date");
	CHECKF(tzconv_parse_user(&z, "2025-03-10T07:42+02:00", &t) == 0 &&
	    t == tstamp_timegm(2025, 3, 10, 5, 42, 0), "user time with zone");
	CHECKF(tzconv_parse_user(&z, "yesterday", &t) == -1, "bad user time");
	setenv("TZ", "UTC", 1);
	tzset();
	tzconv_init(&z);
	tzconv_format(&z, -1, out);
	CHECK_STR(out, "1969-12-31T23:59:59+00:00", "before the epoch");
	tzconv_format(&z, 0, out);
	CHECK_STR(out, "1970-01-01T00:00:00+00:00", "the epoch");
}

static void
test_syslog_prefix(void)
{
	static const struct {
		const char *in;
		int ok;
		const char *host, *program, *instance, *pid, *msg;
	} cases[] = {
		{ "Mar  7 09:15:02 mx1 postfix/smtpd[4711]: connect from x",
		    0, "mx1", "smtpd", "postfix", "4711", "connect from x" },
		{ "Mar 07 09:15:02 mail postfix/submission/smtpd[1]: a: b",
		    0, "mail", "smtpd", "postfix/submission", "1", "a: b" },
		{ "2024-03-07T09:15:02.123456+01:00 mx1 postfix-out/smtp[9]: m",
		    0, "mx1", "smtp", "postfix-out", "9", "m" },
		{ "<22>Mar  7 09:15:02 mx1 postfix/qmgr[2]: X: removed",
		    0, "mx1", "qmgr", "postfix", "2", "X: removed" },
		{ "<22>1 2024-03-07T09:15:02Z mx1 postfix/smtp 4711 - - hello",
		    0, "mx1", "smtp", "postfix", "4711", "hello" },
		{ "Mar  7 09:15:02 mx1 dovecot: imap-login: x", 0, "mx1",
		    "dovecot", "dovecot", "", "imap-login: x" },
		{ "garbage line", -1, NULL, NULL, NULL, NULL, NULL },
		{ "Mar  7 09:15:02 mx1", -1, NULL, NULL, NULL, NULL, NULL },
		{ "Mar  7 09:15:02 mx1 postfix/smtpd[4711", -1, NULL, NULL,
		    NULL, NULL, NULL },
	};
	size_t i;
	char got[256];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct syslog_rec r;
		int ok = syslog_parse(cases[i].in, strlen(cases[i].in), &r);

		CHECKF(ok == cases[i].ok, "syslog \"%s\": got %d, want %d",
		    cases[i].in, ok, cases[i].ok);
		if (ok != 0 || cases[i].ok != 0)
			continue;
#define FIELD(f) do { \
		snprintf(got, sizeof(got), "%.*s", (int)r.f.len, r.f.p); \
		CHECK_STR(got, cases[i].f, #f); \
	} while (0)
		FIELD(host);
		FIELD(program);
		FIELD(instance);
		FIELD(pid);
		FIELD(msg);
#undef FIELD
	}
}

static const struct cu_test tests[] = {
	{ "classic syslog stamps", test_classic },
	{ "ISO 8601 / RFC 3339 stamps", test_iso },
	{ "civil time", test_civil },
	{ "year inference", test_year_inference },
	{ "time zone conversion", test_tzconv },
	{ "syslog prefixes", test_syslog_prefix },
};

CU_MAIN("tstamp", tests)
