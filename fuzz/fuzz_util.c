/*
 * fuzz_util - checks shared by the fuzz targets. See fuzz.h.
 */
#include "fuzz.h"

#include "../lib/buf.h"

/* See fuzz.h. */
bool
fuzz_utf8_valid(const unsigned char *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = p[i];
		unsigned char lo = 0x80, hi = 0xbf;
		size_t n, k;

		if (c < 0x80) {
			i++;
			continue;
		}
		/* Table 3-7 of the Unicode standard: the second byte's
		 * range depends on the first. */
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			if (c == 0xe0)
				lo = 0xa0;
			else if (c == 0xed)
				hi = 0x9f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			if (c == 0xf0)
				lo = 0x90;
			else if (c == 0xf4)
				hi = 0x8f;
		} else
			return false;
		if (len - i - 1 < n)
			return false;
		for (k = 1; k <= n; k++) {
			if (p[i + k] < lo || p[i + k] > hi)
				return false;
			lo = 0x80;
			hi = 0xbf;
		}
		i += n + 1;
	}
	return true;
}

/* See fuzz.h. */
unsigned
fuzz_touch(const void *p, size_t len)
{
	const volatile unsigned char *q = p;
	unsigned sum = 0;
	size_t i;

	for (i = 0; i < len; i++)
		sum += q[i];
	return sum;
}

/* See fuzz.h. */
long
fuzz_csv_parse(const char *p, size_t len, fuzz_csv_field_fn fn, void *ctx)
{
	struct buf cell = { 0 };
	size_t i = 0, record = 0, field = 0;
	long ret = -1;

	while (i < len) {
		bool quoted = false;

		buf_reset(&cell);
		if (p[i] == '"') {
			quoted = true;
			for (i++;; i++) {
				if (i >= len)
					goto out;	/* unterminated */
				if (p[i] == '"') {
					if (i + 1 < len && p[i + 1] == '"') {
						buf_addc(&cell, '"');
						i++;
						continue;
					}
					i++;
					break;
				}
				buf_addc(&cell, p[i]);
			}
		} else {
			while (i < len && p[i] != ',' && p[i] != '"' &&
			    p[i] != '\r' && p[i] != '\n')
				buf_addc(&cell, p[i++]);
		}
		if (fn != NULL)
			fn(ctx, record, field, cell.p ? cell.p : "", cell.len,
			    quoted);
		if (i < len && p[i] == ',') {
			i++;
			field++;
			continue;
		}
		if (i + 1 < len && p[i] == '\r' && p[i + 1] == '\n') {
			i += 2;
			record++;
			field = 0;
			continue;
		}
		goto out;	/* a quote inside a field, a bare CR or LF, or
				 * no CRLF at the end */
	}
	if (field == 0)
		ret = (long)record;
out:
	buf_free(&cell);
	return ret;
}
