/*
 * fuzz_csv - CSV cells: RFC 4180 structure, formula guard, UTF-8
 *
 * The first input byte is a separator; the rest, split at it, are the
 * cells of one record written with csv_cell(). The record must read back
 * under strict RFC 4180 (fuzz_csv_parse) as exactly those cells, each
 * valid UTF-8; a cell starting with '=', '+', '-', '@', TAB or CR must
 * come back with a leading apostrophe, others without; a cell that was
 * valid UTF-8 must come back byte for byte, an invalid one must at least
 * keep its length order (one U+FFFD per bad byte at most). Inputs over
 * FUZZ_CSV_MAX are ignored.
 */
#include "fuzz.h"

#include <string.h>

#include "../report/csv.h"

#define FUZZ_CSV_MAX	(16u << 10)

const char fuzz_target[] = "csv";

struct cells {
	const char *p[FUZZ_CSV_MAX];
	size_t len[FUZZ_CSV_MAX];
	size_t n;
	size_t seen;
};

static bool
is_guarded(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	    c == '\r';
}

static void
check_field(void *vctx, size_t record, size_t field, const char *p,
    size_t len, bool quoted)
{
	struct cells *c = vctx;
	const char *want;
	size_t wlen;

	FUZZ_CHECK(record == 0);
	FUZZ_CHECK(field == c->seen && field < c->n);
	c->seen++;
	want = c->p[field];
	wlen = c->len[field];
	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)p, len));
	if (wlen > 0 && is_guarded(want[0])) {
		FUZZ_CHECK(len > 0 && p[0] == '\'');
		p++;
		len--;
	} else if (wlen > 0) {
		FUZZ_CHECK(len > 0 && (p[0] != '\'' || want[0] == '\''));
	}
	if (fuzz_utf8_valid((const unsigned char *)want, wlen))
		FUZZ_CHECK(len == wlen && (len == 0 ||
		    memcmp(p, want, len) == 0));
	else
		FUZZ_CHECK(len >= wlen && len <= 3 * wlen);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct cells c;
	struct csv_line l = { { 0 }, true };
	struct buf u = { 0 };
	const char *p, *end, *q;
	size_t i;
	char sep;

	if (size < 1 || size > FUZZ_CSV_MAX)
		return 0;
	sep = (char)data[0];
	p = (const char *)data + 1;
	end = (const char *)data + size;
	c.n = 0;
	c.seen = 0;
	for (;;) {
		q = memchr(p, sep, (size_t)(end - p));
		c.p[c.n] = p;
		c.len[c.n] = q != NULL ? (size_t)(q - p) : (size_t)(end - p);
		c.n++;
		if (q == NULL)
			break;
		p = q + 1;
	}

	csv_begin(&l);
	for (i = 0; i < c.n; i++)
		csv_cell(&l, c.p[i], c.len[i]);
	csv_end(&l);
	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)l.b.p, l.b.len));
	FUZZ_CHECK(fuzz_csv_parse(l.b.p, l.b.len, check_field, &c) == 1);
	FUZZ_CHECK(c.seen == c.n);

	/* csv_add_utf8 alone: valid stays as is, the rest becomes valid. */
	csv_add_utf8(&u, (const char *)data, size);
	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)u.p, u.len));
	if (fuzz_utf8_valid(data, size))
		FUZZ_CHECK(u.len == size && memcmp(u.p, data, size) == 0);
	buf_free(&u);
	buf_free(&l.b);
	return 0;
}
