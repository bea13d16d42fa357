/*
 * test_csv - RFC 4180 cells, the spreadsheet formula guard, UTF-8 repair
 */
#include "cu.h"
#include "../report/csv.h"

static void
test_cells(void)
{
	static const struct {
		const char *in;
		size_t len;
		const char *want;
	} cases[] = {
		{ "plain@example.com", 17, "plain@example.com" },
		{ "", 0, "" },
		{ "Smith, John", 11, "\"Smith, John\"" },
		{ "say \"hi\"", 8, "\"say \"\"hi\"\"\"" },
		{ "two\nlines", 9, "\"two\nlines\"" },
		{ "cr\rhere", 7, "\"cr\rhere\"" },
		/* Formula guard: a leading apostrophe. */
		{ "=HYPERLINK(\"x\")", 15, "\"'=HYPERLINK(\"\"x\"\")\"" },
		{ "+44 20 7946 0000", 16, "'+44 20 7946 0000" },
		{ "-2+3", 4, "'-2+3" },
		{ "@SUM(A1)", 8, "'@SUM(A1)" },
		{ "\tTAB", 4, "'\tTAB" },
		{ "\rCR", 3, "\"'\rCR\"" },
		{ "a=b", 3, "a=b" },
		/* UTF-8 passes, bad bytes become U+FFFD. */
		{ "Zo\xc3\xab", 4, "Zo\xc3\xab" },
		{ "M\xfcller", 6, "M\xef\xbf\xbdller" },
		{ "cut \xe2\x82", 6, "cut \xef\xbf\xbd\xef\xbf\xbd" },
		{ "\xed\xa0\x80", 3, "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" },
	};
	struct csv_line l = { 0 };
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		csv_begin(&l);
		csv_cell(&l, cases[i].in, cases[i].len);
		CHECKF(l.b.len == strlen(cases[i].want) &&
		    memcmp(l.b.p, cases[i].want, l.b.len) == 0,
		    "cell %zu: got [%.*s], want [%s]", i, (int)l.b.len,
		    l.b.p ? l.b.p : "", cases[i].want);
	}
	buf_free(&l.b);
}

static void
test_record(void)
{
	struct csv_line l = { 0 };

	csv_begin(&l);
	csv_cells(&l, "a");
	csv_cell(&l, "", 0);
	csv_cells(&l, "b,c");
	csv_end(&l);
	CHECKF(l.b.len == 10 && memcmp(l.b.p, "a,,\"b,c\"\r\n", 10) == 0,
	    "record: got [%s]", l.b.p);
	buf_free(&l.b);
}

static const struct cu_test tests[] = {
	{ "cells", test_cells },
	{ "records", test_record },
};

CU_MAIN("csv", tests)
