/*
 * csv - RFC 4180 cells with a formula guard. See csv.h.
 */
#include "csv.h"

#include <stdint.h>
#include <string.h>

void
csv_begin(struct csv_line *l)
{
	buf_reset(&l->b);
	l->first = true;
}

/* Length of the valid UTF-8 sequence at p, or 0. */
static size_t
utf8_len(const unsigned char *p, size_t len)
{
	size_t n, i;
	unsigned cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2, cp = p[0] & 0x1f;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3, cp = p[0] & 0x0f;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	if (len < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	/* overlong, surrogates, beyond U+10FFFF */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

void
csv_add_utf8(struct buf *b, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, n;

	/* Copy runs of valid text in one go: the bytes are almost always
	 * ASCII. */
	buf_grow(b, len);
	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_len(p + i, len - i);
		if (n > 0) {
			i += n;
			continue;
		}
		buf_add(b, p + run, i - run);
		buf_add(b, "\xef\xbf\xbd", 3);
		run = ++i;
	}
	buf_add(b, p + run, i - run);
}

#define ONES	UINT64_C(0x0101010101010101)
#define HIGHS	UINT64_C(0x8080808080808080)

/* Nonzero when a byte of w equals c (exact for "any"). */
static inline uint64_t
has_byte(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (ONES * c);

	return (x - ONES) & ~x & HIGHS;
}

/* Whether s needs quotes (a comma, quote, CR or LF) and whether it holds
 * bytes above ASCII: eight bytes a step, since every output row passes
 * here a dozen times. */
static void
scan_cell(const char *s, size_t len, bool *quote, bool *ascii)
{
	uint64_t q = 0, h = 0, w;
	size_t i = 0;

	for (; i + 8 <= len; i += 8) {
		memcpy(&w, s + i, 8);
		q |= has_byte(w, ',') | has_byte(w, '"') | has_byte(w, '\r') |
		    has_byte(w, '\n');
		h |= w & HIGHS;
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == ',' || c == '"' || c == '\r' || c == '\n')
			q = 1;
		else if (c >= 0x80)
			h = 1;
	}
	*quote = q != 0;
	*ascii = h == 0;
}

/* A first byte a spreadsheet would take for a formula. */
static bool
formula_start(char c)
{
	return c == '=' || c == '+' || c == '-' || c == '@' || c == '\t' ||
	    c == '\r';
}

void
csv_cell(struct csv_line *l, const char *s, size_t len)
{
	bool quote, plain, guard;

	if (!l->first)
		buf_addc(&l->b, ',');
	l->first = false;
	if (len == 0)
		return;
	guard = formula_start(s[0]);
	scan_cell(s, len, &quote, &plain);
	if (quote)
		buf_addc(&l->b, '"');
	if (guard)
		buf_addc(&l->b, '\'');
	if (!quote) {
		if (plain)
			buf_add(&l->b, s, len);
		else
			csv_add_utf8(&l->b, s, len);
	} else {
		const char *p = s, *q, *end = s + len;

		while ((q = memchr(p, '"', (size_t)(end - p))) != NULL) {
			csv_add_utf8(&l->b, p, (size_t)(q - p) + 1);
			buf_addc(&l->b, '"');
			p = q + 1;
		}
		csv_add_utf8(&l->b, p, (size_t)(end - p));
		buf_addc(&l->b, '"');
	}
}

bool
csv_plain(const char *s, size_t len)
{
	bool quote, ascii;

	if (len == 0)
		return true;
	if (formula_start(s[0]))
		return false;
	scan_cell(s, len, &quote, &ascii);
	return !quote && ascii;
}

void
csv_raw(struct csv_line *l, const char *enc, size_t len)
{
	if (!l->first)
		buf_addc(&l->b, ',');
	l->first = false;
	buf_add(&l->b, enc, len);
}

void
csv_cells(struct csv_line *l, const char *s)
{
	csv_cell(l, s ? s : "", s ? strlen(s) : 0);
}

void
csv_end(struct csv_line *l)
{
	buf_add(&l->b, "\r\n", 2);
}
