/*
 * fuzz_rfc2047 - header text to UTF-8: encoded words, charsets, raw bytes
 *
 * The input is decoded as a header value with and without
 * RFC2047_LATIN1, appended raw, and (split at its first LF into a
 * charset name and text) converted from that charset. Every output must
 * be valid UTF-8 by fuzz.h's own checker; rfc2047_utf8_valid() must
 * agree with that checker on the raw input; valid UTF-8 without "=?"
 * must come out unchanged. Inputs over FUZZ_RFC2047_MAX are ignored.
 */
#include "fuzz.h"

#include <string.h>

#include "../lib/buf.h"
#include "../parsers/rfc2047.h"

#define FUZZ_RFC2047_MAX	(16u << 10)

const char fuzz_target[] = "rfc2047";

static void
check_utf8(const struct buf *b)
{
	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)b->p, b->len));
	FUZZ_CHECK(b->len == 0 || b->p[b->len] == '\0');
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct buf out = { 0 };
	bool valid;
	const char *nl;
	unsigned flags;

	if (size > FUZZ_RFC2047_MAX)
		return 0;
	valid = fuzz_utf8_valid(data, size);
	FUZZ_CHECK(rfc2047_utf8_valid(p, size) == valid);

	for (flags = 0; flags <= RFC2047_LATIN1; flags++) {
		buf_reset(&out);
		rfc2047_decode(&out, p, size, flags);
		check_utf8(&out);
		if (valid && memmem(p, size, "=?", 2) == NULL)
			FUZZ_CHECK(out.len == size && (size == 0 ||
			    memcmp(out.p, p, size) == 0));

		buf_reset(&out);
		rfc2047_append_raw(&out, p, size, flags);
		check_utf8(&out);
		if (valid)
			FUZZ_CHECK(out.len == size && (size == 0 ||
			    memcmp(out.p, p, size) == 0));
	}

	nl = memchr(p, '\n', size);
	if (nl != NULL) {
		size_t cslen = (size_t)(nl - p);

		buf_reset(&out);
		rfc2047_convert(&out, p, cslen, nl + 1,
		    size - cslen - 1, (unsigned)size & RFC2047_LATIN1);
		check_utf8(&out);
	}
	buf_free(&out);
	return 0;
}
