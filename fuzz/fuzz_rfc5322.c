/*
 * fuzz_rfc5322 - a header block through field splitting, unfolding,
 * address lists and Message-ID lists
 *
 * The input is a header block; each field found by rfc5322_field_len()
 * is split, unfolded, and its value parsed both as an address list and
 * as a Message-ID list, appended to lists that are reset every
 * FIELDS_PER_LIST fields (so appending and re-pointing are exercised).
 * Checks: field lengths advance and stay in bounds, name and value lie
 * inside the field, unfolded text holds no line break, every view of
 * every item (old ones too) lies inside its list's text, and all text
 * but Message-IDs is valid UTF-8. Inputs over FUZZ_RFC5322_MAX are
 * ignored.
 */
#include "fuzz.h"

#include <string.h>

#include "../parsers/rfc2047.h"
#include "../parsers/rfc5322.h"

#define FUZZ_RFC5322_MAX	(64u << 10)
#define FIELDS_PER_LIST		4

const char fuzz_target[] = "rfc5322";

/* v lies inside b (an empty view may point anywhere). */
static void
check_in(struct str v, const struct buf *b)
{
	if (v.len == 0)
		return;
	FUZZ_CHECK(v.p >= b->p && v.len <= b->len &&
	    (size_t)(v.p - b->p) <= b->len - v.len);
	fuzz_touch(v.p, v.len);
}

static void
check_text(struct str v, const struct buf *b)
{
	check_in(v, b);
	FUZZ_CHECK(fuzz_utf8_valid((const unsigned char *)v.p, v.len));
}

static void
check_addrs(const struct rfc5322_addr_list *l)
{
	size_t i;

	FUZZ_CHECK(l->n <= l->cap && l->n <= RFC5322_MAX_ITEMS);
	for (i = 0; i < l->n; i++) {
		const struct rfc5322_addr *a = &l->v[i];

		check_text(a->name, &l->text);
		check_text(a->local, &l->text);
		check_text(a->domain, &l->text);
		check_text(a->addr, &l->text);
		check_text(a->group, &l->text);
		check_text(a->comment, &l->text);
		FUZZ_CHECK((a->flags & ~l->defects) == 0);
		if (a->addr.len == 0)
			FUZZ_CHECK(a->flags & (RFC5322_AF_NO_ADDR |
			    RFC5322_AF_EMPTY_GROUP));
	}
}

static void
check_msgids(const struct rfc5322_msgid_list *l)
{
	size_t i;

	FUZZ_CHECK(l->n <= l->cap);
	for (i = 0; i < l->n; i++) {
		check_in(l->v[i].id, &l->text);
		FUZZ_CHECK(l->v[i].id.len > 0);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	struct rfc5322_addr_list al = { 0 };
	struct rfc5322_msgid_list ml = { 0 };
	struct buf unfolded = { 0 };
	size_t pos = 0, nfield = 0;

	if (size > FUZZ_RFC5322_MAX)
		return 0;
	while (pos < size) {
		size_t flen = rfc5322_field_len(p + pos, size - pos);
		struct str name, value;
		size_t before, got;

		FUZZ_CHECK(flen > 0 && flen <= size - pos);
		if (rfc5322_field_split(p + pos, flen, &name, &value) == 0) {
			FUZZ_CHECK(name.len > 0 && name.p >= p + pos &&
			    name.p + name.len <= p + pos + flen);
			FUZZ_CHECK(value.p >= name.p + name.len &&
			    value.p + value.len <= p + pos + flen);
			FUZZ_CHECK(rfc5322_header_name_eq(name.p, name.len,
			    "x") == (name.len == 1 && (name.p[0] | 0x20) ==
			    'x'));
			buf_reset(&unfolded);
			rfc5322_unfold(&unfolded, value.p, value.len);
			FUZZ_CHECK(unfolded.len == 0 ||
			    (memchr(unfolded.p, '\n', unfolded.len) == NULL &&
			    memchr(unfolded.p, '\r', unfolded.len) == NULL));
			if (nfield % FIELDS_PER_LIST == 0) {
				rfc5322_addr_list_reset(&al);
				rfc5322_msgid_list_reset(&ml);
			}
			before = al.n;
			got = rfc5322_parse_addr_list(&al, unfolded.p,
			    unfolded.len, nfield & 1 ? RFC2047_LATIN1 : 0);
			FUZZ_CHECK(al.n == before + got);
			check_addrs(&al);
			/* Folded input is allowed too. */
			if (nfield % 3 == 0) {
				before = al.n;
				got = rfc5322_parse_addr_list(&al, value.p,
				    value.len, 0);
				FUZZ_CHECK(al.n == before + got);
				check_addrs(&al);
			}
			before = ml.n;
			got = rfc5322_parse_msgids(&ml, unfolded.p,
			    unfolded.len);
			FUZZ_CHECK(ml.n == before + got);
			check_msgids(&ml);
			nfield++;
		}
		pos += flen;
	}
	/* The whole input as one value: lists need no field around them. */
	rfc5322_addr_list_reset(&al);
	rfc5322_parse_addr_list(&al, p, size, RFC2047_LATIN1);
	check_addrs(&al);
	rfc5322_msgid_list_reset(&ml);
	rfc5322_parse_msgids(&ml, p, size);
	check_msgids(&ml);

	rfc5322_addr_list_free(&al);
	rfc5322_msgid_list_free(&ml);
	buf_free(&unfolded);
	return 0;
}
