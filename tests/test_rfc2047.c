/*
 * test_rfc2047 - encoded words, charsets and the raw 8-bit policy
 *
 * Expected strings are written by hand (UTF-8 in the source); cases taken
 * from other projects name their source. Malformed inputs must come back
 * as they were (or as valid UTF-8), never crash, and stay linear.
 */
#include "cu.h"
#include "../parsers/rfc2047.h"

#include <stdint.h>
#include <stdlib.h>

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))

struct dcase {
	const char *in;
	const char *want;
	unsigned flags;
};

static void
run_cases(const char *what, const struct dcase *c, size_t n)
{
	struct buf out = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		buf_reset(&out);
		rfc2047_decode(&out, c[i].in, strlen(c[i].in), c[i].flags);
		CHECKF(out.p != NULL && strcmp(out.p, c[i].want) == 0,
		    "%s \"%s\": got \"%s\", want \"%s\"", what, c[i].in,
		    out.p ? out.p : "(null)", c[i].want);
		CHECKF(rfc2047_utf8_valid(out.p ? out.p : "", out.len),
		    "%s \"%s\": output is not valid UTF-8", what, c[i].in);
	}
	buf_free(&out);
}

static void
test_encoded_words(void)
{
	static const struct dcase cases[] = {
		{ "", "", 0 },
		{ "plain text", "plain text", 0 },
		{ "=?utf-8?q?caf=C3=A9?=", "café", 0 },
		{ "=?UTF-8?Q?caf=c3=a9?=", "café", 0 },
		{ "=?utf-8?B?Y2Fmw6k=?=", "café", 0 },
		{ "=?utf-8?b?Y2Fmw6k=?=", "café", 0 },
		{ "=?utf-8?q?a_b_c?=", "a b c", 0 },
		/* Whitespace between adjacent words goes, next to text stays. */
		{ "=?UTF-8?Q?a?= =?UTF-8?Q?b?=", "ab", 0 },
		{ "=?UTF-8?Q?a?=\t \t=?UTF-8?Q?b?=", "ab", 0 },
		{ "=?UTF-8?Q?a?= b =?UTF-8?Q?c?=", "a b c", 0 },
		{ "x =?UTF-8?Q?a?=", "x a", 0 },
		{ "Re: =?UTF-8?Q?a?=!", "Re: a!", 0 },
		/* A character split across two words survives. */
		{ "=?utf-8?q?=C3?= =?utf-8?q?=A9?=", "é", 0 },
		{ "=?utf-8?b?w6nD?= =?UTF-8?b?qQ==?=", "éé", 0 },
		/* Different charsets: each converted, space still dropped. */
		{ "=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=", "a b", 0 },
		/* RFC 2231 language suffix (RFC 2231 section 5 example). */
		{ "=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore", 0 },
		/* RFC 2047 section 8 examples. */
		{ "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?=", "Keld Jørn Simonsen",
		    0 },
		{ "=?ISO-8859-1?Q?Andr=E9?= Pirard", "André Pirard", 0 },
		{ "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?= "
		    "=?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
		    "If you can read this you understand the example.", 0 },
		{ "(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)", 0 },
		{ "(=?ISO-8859-1?Q?a?=  \r\n    =?ISO-8859-1?Q?b?=)", "(ab)",
		    0 },
		{ "(=?ISO-8859-1?Q?a_b?=)", "(a b)", 0 },
		{ "(=?ISO-8859-1?Q?a?= b)", "(a b)", 0 },
		/* Empty encoded text is a valid word. */
		{ "a=?utf-8?q?\?=b", "ab", 0 },
		/* Words are recognised even when glued to text. */
		{ "x=?utf-8?q?y?=z", "xyz", 0 },
	};

	run_cases("decode", cases, NCASES(cases));
}

static void
test_charsets(void)
{
	static const struct dcase cases[] = {
		{ "=?iso-8859-1?q?=E9?=", "é", 0 },
		{ "=?latin1?q?=E9?=", "é", 0 },
		/* ISO-8859-1 read as Windows-1252 (see rfc2047.h). */
		{ "=?iso-8859-1?q?=93hi=94?=", "“hi”", 0 },
		{ "=?windows-1252?q?=80_=99?=", "€ ™", 0 },
		{ "=?cp1252?q?=81?=", "\xef\xbf\xbd", 0 },
		{ "=?iso-8859-15?q?=A4=BD?=", "€œ", 0 },
		{ "=?ISO_8859-15?q?=E9?=", "é", 0 },
		{ "=?iso-8859-2?q?=B1=E6?=", "ąć", 0 },
		{ "=?koi8-r?b?8NLJ18XU?=", "Привет", 0 },
		{ "=?us-ascii?q?abc?=", "abc", 0 },
		/* iconv charsets. */
		{ "=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=", "םולש ןב ילטפנ", 0 },
		{ "=?ISO-2022-JP?B?GyRCRnxLXDhsGyhC?=", "日本語", 0 },
		{ "=?gb2312?b?1tDOxA==?=", "中文", 0 },
		{ "=?Shift_JIS?B?g2WDWINn?=", "テスト", 0 },
		{ "=?big5?b?pKSk5Q==?=", "中文", 0 },
		/* stalwart-mail-parser resources/eml/legacy/001.eml (To:). */
		{ "=?utf-7?B?SitBUHctcmdlbiBTY2htK0FQdy1yZ2Vu?=",
		    "Jürgen Schmürgen", 0 },
		/* Unknown charsets: bytes decoded, then the raw policy. */
		{ "=?x-unknown?q?caf=C3=A9?=", "café", 0 },
		{ "=?unknown-8bit?q?M=FCller?=", "M\xef\xbf\xbdller", 0 },
		{ "=?unknown-8bit?q?M=FCller?=", "Müller", RFC2047_LATIN1 },
		{ "=?utf-8//TRANSLIT?q?x?=", "x", 0 },
		/* Invalid bytes in a known charset. */
		{ "=?utf-8?q?a=FFb?=", "a\xef\xbf\xbd" "b", 0 },
		{ "=?utf-8?q?=E2=82?=", "\xef\xbf\xbd", 0 },
		{ "=?gb2312?q?a=D6?=", "a\xef\xbf\xbd", 0 },
	};

	run_cases("charset", cases, NCASES(cases));
}

static void
test_raw(void)
{
	static const struct dcase cases[] = {
		{ "ハロー・ワールド", "ハロー・ワールド", 0 },
		/* stalwart-mail-parser eml/legacy/020.eml: raw Latin-1 name. */
		{ "J\xfcrgen Schm\xfcrgen", "J\xef\xbf\xbdrgen "
		    "Schm\xef\xbf\xbdrgen", 0 },
		{ "J\xfcrgen", "Jürgen", RFC2047_LATIN1 },
		/* Maximal subparts: overlong, surrogate, truncated. */
		{ "\xc0\xaf", "\xef\xbf\xbd\xef\xbf\xbd", 0 },
		{ "\xed\xa0\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", 0 },
		{ "a\xe2\x82", "a\xef\xbf\xbd", 0 },
		{ "\xf4\x90\x80\x80", "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
		    "\xef\xbf\xbd", 0 },
		{ "\xf0\x9f\x98\x80", "\xf0\x9f\x98\x80", 0 },
		/* stalwart eml/legacy/016.eml: raw 8-bit inside a Q word. */
		{ "=?iso-8859-1?Q?J\xfcrgen?= =?iso-8859-1?Q?_Schm\xfcrgen?=",
		    "Jürgen Schmürgen", 0 },
	};

	run_cases("raw", cases, NCASES(cases));
}

static void
test_malformed(void)
{
	static const struct dcase cases[] = {
		{ "=?", "=?", 0 },
		{ "?=", "?=", 0 },
		{ "=?utf-8", "=?utf-8", 0 },
		{ "=?utf-8?", "=?utf-8?", 0 },
		{ "=?utf-8?q", "=?utf-8?q", 0 },
		{ "=?utf-8?q?", "=?utf-8?q?", 0 },
		{ "=?utf-8?q?abc", "=?utf-8?q?abc", 0 },
		{ "=?utf-8?q?abc?", "=?utf-8?q?abc?", 0 },
		{ "=?utf-8?x?abc?=", "=?utf-8?x?abc?=", 0 },
		{ "=?\?q?abc?=", "=?\?q?abc?=", 0 },
		{ "=?*en?q?abc?=", "=?*en?q?abc?=", 0 },
		{ "=?utf-8?b?!!!?=", "=?utf-8?b?!!!?=", 0 },
		{ "=?utf-8?b?YWJj?=", "abc", 0 },
		{ "=?utf-8?b?YWI?=", "ab", 0 },
		{ "=?utf-8?b?YQ?=", "a", 0 },
		{ "=?utf-8?b?Y?=", "", 0 },
		{ "=?utf-8?b?YW Jj?=", "abc", 0 },
		{ "=?utf-8?q?a=zz=4?=", "a=zz=4", 0 },
		{ "=?utf-8?q?a=?=", "a=", 0 },
		/* Spaces in Q text: stalwart resources/list.json case 3. */
		{ "=?iso-8859-1?q?this is some text?=", "this is some text", 0 },
		/* stalwart resources/address.json case 31 (inner text). */
		{ "=?ISO-8859-1?Q =?ISO-8859-1?Q?a?= \" =?ISO-8859-1?Q?b?=",
		    "=?ISO-8859-1?Q a \" b", 0 },
		{ "=?" "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "?q?x?=", "=?aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		    "?q?x?=", 0 },
		{ "=?utf-8?q?a?= =?bad", "a =?bad", 0 },
		{ "=?=?utf-8?q?a?=", "=?a", 0 },
	};

	run_cases("malformed", cases, NCASES(cases));
}

/* Big inputs: linear time (the test would time out otherwise), and the
 * output is the input when nothing decodes. */
static void
test_big(void)
{
	/* None of these repeated forms a word ("q?" + "=?" would). */
	static const char *const units[] = { "=?a?q?x ", "=?", "?=",
	    "=?x?b?! ", "\xff", "=?utf-8?q?a" };
	const size_t size = 1 << 20;
	struct buf in = { 0 }, out = { 0 };
	size_t u;

	for (u = 0; u < NCASES(units); u++) {
		buf_reset(&in);
		buf_reset(&out);
		while (in.len < size)
			buf_adds(&in, units[u]);
		rfc2047_decode(&out, in.p, in.len, 0);
		CHECKF(rfc2047_utf8_valid(out.p, out.len),
		    "big \"%s\"x: output not UTF-8", units[u]);
		if (units[u][0] != '\xff')
			CHECKF(out.len == in.len && memcmp(out.p, in.p,
			    in.len) == 0, "big \"%s\"x: output changed "
			    "(%zu bytes, want %zu)", units[u], out.len, in.len);
	}
	/* One huge valid word. */
	buf_reset(&in);
	buf_reset(&out);
	buf_adds(&in, "=?utf-8?q?");
	while (in.len < size)
		buf_adds(&in, "=C3=A9");
	buf_adds(&in, "?=");
	rfc2047_decode(&out, in.p, in.len, 0);
	CHECKF(out.len == (size - 10 + 5) / 6 * 2 && memcmp(out.p, "é", 2) == 0,
	    "big word: got %zu bytes", out.len);
	buf_free(&in);
	buf_free(&out);
}

/* Random mixes of meaningful pieces: never crash, always UTF-8. */
static void
test_fuzz(void)
{
	static const char *const pieces[] = { "=?", "?=", "?q?", "?B?", "utf-8",
	    "iso-8859-1", "koi8-r", "utf-7", "iso-2022-jp", "x", "=C3", "=A9",
	    "=", "_", " ", "\t", "\r\n ", "\xff", "\xc3", "\xe2\x82", "Y2Fm",
	    "w6k=", "*en", "+AP8-", "\x1b$B", "\0" };
	struct buf in = { 0 }, out = { 0 };
	uint32_t seed = 12345;
	size_t i, k, n, bad = 0;

	for (i = 0; i < 20000; i++) {
		buf_reset(&in);
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 24;
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *pc = pieces[(seed >> 16) % NCASES(pieces)];
			buf_add(&in, pc, pc[0] ? strlen(pc) : 1);
		}
		buf_reset(&out);
		rfc2047_decode(&out, in.p ? in.p : "", in.len,
		    (seed & 0x100) ? RFC2047_LATIN1 : 0);
		if (!rfc2047_utf8_valid(out.p ? out.p : "", out.len))
			bad++;
	}
	CHECKF(bad == 0, "fuzz: %zu of 20000 outputs not UTF-8", bad);
	buf_free(&in);
	buf_free(&out);
}

static void
test_convert(void)
{
	struct buf out = { 0 };
	int rc;

	rc = rfc2047_convert(&out, "ISO-8859-2*pl", 13, "\xb1", 1, 0);
	CHECKF(rc == 0 && strcmp(out.p, "ą") == 0,
	    "convert latin2: rc %d, got \"%s\"", rc, out.p);
	buf_reset(&out);
	rc = rfc2047_convert(&out, "no-such-charset", 15, "a\xe9", 2, 0);
	CHECKF(rc == -1 && strcmp(out.p, "a\xef\xbf\xbd") == 0,
	    "convert unknown: rc %d, got \"%s\"", rc, out.p);
	buf_reset(&out);
	rc = rfc2047_convert(&out, "utf-8", 5, "", 0, 0);
	CHECKF(rc == 0 && out.len == 0, "convert empty: rc %d, len %zu", rc,
	    out.len);
	buf_free(&out);
}

static const struct cu_test tests[] = {
	{ "encoded_words", test_encoded_words },
	{ "charsets", test_charsets },
	{ "raw", test_raw },
	{ "malformed", test_malformed },
	{ "convert", test_convert },
	{ "big", test_big },
	{ "fuzz", test_fuzz },
};

CU_MAIN("rfc2047", tests)
