/*
 * test_rfc5322 - header fields, address lists, Message-ID lists
 *
 * Address cases assert the exact list. Each item is written as
 * "name|addr|group" and items are joined by newlines, so a failure shows
 * the whole list both ways. Cases copied from other projects' test data
 * name their source; where that project's expected result differs from
 * what RFC 5322 says (mostly: comments are not display names), the comment
 * says so and the RFC result is asserted.
 */
#include "cu.h"
#include "../parsers/rfc5322.h"
#include "../parsers/rfc2047.h"

#include <stdint.h>
#include <stdlib.h>

#define NCASES(a)	(sizeof(a) / sizeof((a)[0]))
#define NOCHECK		0xffffffffu

struct acase {
	const char *in;		/* raw field value, may be folded */
	const char *want;	/* "name|addr|group\n..." */
	unsigned defects;	/* exact list defects, or NOCHECK */
	unsigned flags;		/* rfc2047 flags */
};

static void
render(struct buf *b, const struct rfc5322_addr_list *l)
{
	size_t i;

	buf_reset(b);
	buf_adds(b, "");
	for (i = 0; i < l->n; i++) {
		const struct rfc5322_addr *a = &l->v[i];

		if (i > 0)
			buf_addc(b, '\n');
		buf_add(b, a->name.p, a->name.len);
		buf_addc(b, '|');
		buf_add(b, a->addr.p, a->addr.len);
		buf_addc(b, '|');
		buf_add(b, a->group.p, a->group.len);
	}
}

/* The way the mbox reader will do it: field extent, unfold, parse. */
static void
parse_value(struct rfc5322_addr_list *l, const char *in, size_t len,
    unsigned flags)
{
	struct buf u = { 0 };
	size_t n = rfc5322_field_len(in, len);

	rfc5322_unfold(&u, in, n);
	rfc5322_parse_addr_list(l, u.p ? u.p : "", u.len, flags);
	buf_free(&u);
}

static void
run_cases(const char *what, const struct acase *c, size_t n)
{
	struct rfc5322_addr_list l = { 0 };
	struct buf got = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		rfc5322_addr_list_reset(&l);
		parse_value(&l, c[i].in, strlen(c[i].in), c[i].flags);
		render(&got, &l);
		CHECKF(strcmp(got.p, c[i].want) == 0,
		    "%s #%zu \"%s\":\n got  \"%s\"\n want \"%s\"", what, i,
		    c[i].in, got.p, c[i].want);
		if (c[i].defects != NOCHECK)
			CHECKF(l.defects == c[i].defects, "%s #%zu \"%s\": "
			    "got defects 0x%x, want 0x%x", what, i, c[i].in,
			    l.defects, c[i].defects);
	}
	rfc5322_addr_list_free(&l);
	buf_free(&got);
}

/*
 * stalwart-mail-parser resources/address.json (Apache-2.0 OR MIT), cases
 * 0-36, 42 and 48-59 in order. Left out: 37-41 and 43-47, List-* header
 * values holding URLs in angle brackets, which are not address lists.
 * Stalwart returns groups as a tree; here the same content is flat, each
 * item carrying its group name.
 */
static void
test_stalwart_address_json(void)
{
	static const struct acase cases[] = {
		{ "John Doe <jdoe@machine.example>\n",
		    "John Doe|jdoe@machine.example|", 0, 0 },
		{ " Mary Smith <mary@example.net>\n",
		    "Mary Smith|mary@example.net|", 0, 0 },
		{ "\"Joe Q. Public\" <john.q.public@example.com>\n",
		    "Joe Q. Public|john.q.public@example.com|", 0, 0 },
		{ "Mary Smith <mary@x.test>, jdoe@example.org, Who? "
		    "<one@y.test>\n",
		    "Mary Smith|mary@x.test|\n|jdoe@example.org|\n"
		    "Who?|one@y.test|", 0, 0 },
		{ "<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" "
		    "<sysservices@example.net>\n",
		    "|boss@nil.test|\nGiant; \"Big\" Box|"
		    "sysservices@example.net|", 0, 0 },
		{ "A Group:Ed Jones <c@a.test>,joe@where.test,John "
		    "<jdoe@one.test>;\n",
		    "Ed Jones|c@a.test|A Group\n|joe@where.test|A Group\n"
		    "John|jdoe@one.test|A Group", 0, 0 },
		{ "Undisclosed recipients:;\n", "||Undisclosed recipients",
		    RFC5322_AF_EMPTY_GROUP, 0 },
		{ "\"Mary Smith: Personal Account\" <smith@home.example >\n",
		    "Mary Smith: Personal Account|smith@home.example|", 0, 0 },
		/* Case 8 (RFC 5322 A.5). Stalwart folds the comments into
		 * the name ("Pete (A nice ) chap his account his host)");
		 * per RFC 5322 3.4 comments are not part of a display name. */
		{ "Pete(A nice \\) chap) <pete(his account)@silly.test(his "
		    "host)>\n", "Pete|pete@silly.test|", 0, 0 },
		/* Case 9: the same, folded between '\' and ')'. Unfolding
		 * keeps the WSP, so "\ " escapes a space and the ')' closes
		 * the comment; "chap" is then a word and the second ')' a
		 * stray. Stalwart: "Pete (A nice ) chap his account his
		 * host)". */
		{ "Pete(A nice \n \\\n ) chap) <pete(his\n account)@silly\n"
		    " .test(his host)>\n", "Pete chap|pete@silly.test|",
		    RFC5322_AF_GARBAGE, 0 },
		/* Case 10 (RFC 5322 A.1.3 with comments). Stalwart puts
		 * comments in names and turns the comment after ';' into an
		 * extra null-address entry; it is CFWS. */
		{ "A Group(Some people)\n        :Chris Jones "
		    "<c@(Chris's host.)public.example>,\n"
		    "            joe@example.org,\n     John <jdoe@one.test> "
		    "(my dear friend); (the end of the group)\n",
		    "Chris Jones|c@public.example|A Group\n"
		    "|joe@example.org|A Group\n"
		    "John|jdoe@one.test|A Group", 0, 0 },
		/* Case 11 (RFC 5322 A.5): an empty group. Stalwart lists the
		 * comment "nobody(that I know)" as a member. */
		{ "(Empty list)(start)Hidden recipients  :(nobody(that I "
		    "know))  ;\n", "||Hidden recipients",
		    RFC5322_AF_EMPTY_GROUP, 0 },
		{ "Joe Q. Public <john.q.public@example.com>\n",
		    "Joe Q. Public|john.q.public@example.com|", 0, 0 },
		/* Case 13 (RFC 5322 A.6.1, obsolete): the route is dropped
		 * and CFWS around the dot removed (RFC 5322 4.4); stalwart
		 * keeps "@node.test:mary@example.net" and
		 * "jdoe@test  . example" verbatim. */
		{ "Mary Smith <@node.test:mary@example.net>, , jdoe@test  . "
		    "example\n", "Mary Smith|mary@example.net|\n"
		    "|jdoe@test.example|",
		    RFC5322_AF_ROUTE | RFC5322_AF_EMPTY_ELEMENT, 0 },
		/* Case 14 (RFC 5322 A.6.3): stalwart "John Doe (comment)",
		 * "jdoe@machine.  example". */
		{ "John Doe <jdoe@machine(comment).  example>\n",
		    "John Doe|jdoe@machine.example|", 0, 0 },
		{ "Mary Smith\n    \n\t<mary@example.net>\n",
		    "Mary Smith|mary@example.net|", 0, 0 },
		{ "=?US-ASCII*EN?Q?Keith_Moore?= <moore@cs.utk.edu>\n",
		    "Keith Moore|moore@cs.utk.edu|", 0, 0 },
		{ "John =?US-ASCII*EN?Q?Doe?= <moore@cs.utk.edu>\n",
		    "John Doe|moore@cs.utk.edu|", 0, 0 },
		{ "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>\n",
		    "Keld Jørn Simonsen|keld@dkuug.dk|", 0, 0 },
		{ "=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\n",
		    "André Pirard|PIRARD@vm1.ulg.ac.be|", 0, 0 },
		{ "=?ISO-8859-1?Q?Olle_J=E4rnefors?= <ojarnef@admin.kth.se>\n",
		    "Olle Järnefors|ojarnef@admin.kth.se|", 0, 0 },
		{ "ietf-822@dimacs.rutgers.edu, ojarnef@admin.kth.se\n",
		    "|ietf-822@dimacs.rutgers.edu|\n|ojarnef@admin.kth.se|",
		    0, 0 },
		/* Case 22 (RFC 2047 8): the encoded comment is a comment;
		 * stalwart appends it to the name. */
		{ "Nathaniel Borenstein <nsb@thumper.bellcore.com>\n    "
		    "(=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)\n",
		    "Nathaniel Borenstein|nsb@thumper.bellcore.com|", 0, 0 },
		{ "Greg Vaudreuil <gvaudre@NRI.Reston.VA.US>, Ned Freed\n"
		    "      <ned@innosoft.com>, Keith Moore <moore@cs.utk.edu>\n",
		    "Greg Vaudreuil|gvaudre@NRI.Reston.VA.US|\n"
		    "Ned Freed|ned@innosoft.com|\n"
		    "Keith Moore|moore@cs.utk.edu|", 0, 0 },
		{ "=?ISO-8859-1?Q?a?= <test@test.com>\n", "a|test@test.com|",
		    0, 0 },
		{ "\"=?ISO-8859-1?Q?a?= b\" <test@test.com>\n",
		    "a b|test@test.com|", 0, 0 },
		{ "=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?= <test@test.com>\n",
		    "ab|test@test.com|", 0, 0 },
		{ "=?ISO-8859-1?Q?a?=\n   =?ISO-8859-1?Q?b?= "
		    "<test@test.com>\n", "ab|test@test.com|", 0, 0 },
		{ "=?ISO-8859-1?Q?a?= \"=?ISO-8859-2?Q?_b?=\" "
		    "<test@test.com>\n", "a b|test@test.com|", 0, 0 },
		{ " <test@test.com>\n", "|test@test.com|", 0, 0 },
		/* The second line is not a continuation: not ours. */
		{ "test@test.com\ninvalid@address.com\n", "|test@test.com|",
		    0, 0 },
		{ "\"=?ISO-8859-1?Q =?ISO-8859-1?Q?a?= \\\" "
		    "=?ISO-8859-1?Q?b?=\" <last@address.com>\n\n"
		    "body@content.com", "=?ISO-8859-1?Q a \" b|"
		    "last@address.com|", 0, 0 },
		{ "=? <name@domain.com>\n", "=?|name@domain.com|", 0, 0 },
		{ "\"  James Smythe\" <james@example.com>, Friends:\n"
		    "  jane@example.com, =?UTF-8?Q?John_Sm=C3=AEth?=\n"
		    "   <john@example.com>;\n",
		    "  James Smythe|james@example.com|\n"
		    "|jane@example.com|Friends\n"
		    "John Smîth|john@example.com|Friends", 0, 0 },
		{ "List 1: addr1@test.com, addr2@test.com; List 2: "
		    "addr3@test.com, addr4@test.com; addr5@test.com, "
		    "addr6@test.com\n",
		    "|addr1@test.com|List 1\n|addr2@test.com|List 1\n"
		    "|addr3@test.com|List 2\n|addr4@test.com|List 2\n"
		    "|addr5@test.com|\n|addr6@test.com|", 0, 0 },
		{ "\"List 1\": addr1@test.com, addr2@test.com; \"List 2\": "
		    "addr3@test.com, addr4@test.com; addr5@test.com, "
		    "addr6@test.com\n",
		    "|addr1@test.com|List 1\n|addr2@test.com|List 1\n"
		    "|addr3@test.com|List 2\n|addr4@test.com|List 2\n"
		    "|addr5@test.com|\n|addr6@test.com|", 0, 0 },
		{ "\"=?utf-8?b?VGjDrXMgw61zIHbDoWzDrWQgw5pURjg=?=\": "
		    "addr1@test.com, addr2@test.com; "
		    "=?utf-8?b?VGjDrXMgw61zIHbDoWzDrWQgw5pURjg=?=: "
		    "addr3@test.com, addr4@test.com; addr5@test.com, "
		    "addr6@test.com\n",
		    "|addr1@test.com|Thís ís válíd ÚTF8\n"
		    "|addr2@test.com|Thís ís válíd ÚTF8\n"
		    "|addr3@test.com|Thís ís válíd ÚTF8\n"
		    "|addr4@test.com|Thís ís válíd ÚTF8\n"
		    "|addr5@test.com|\n|addr6@test.com|", 0, 0 },
		/* Case 42: a local name without domain, the comment as its
		 * name (same result as stalwart). */
		{ "NO (posting not allowed on this list)\n",
		    "posting not allowed on this list|NO|",
		    RFC5322_AF_NO_DOMAIN | RFC5322_AF_NAME_FROM_COMMENT, 0 },
		{ "\"\\\\\\\\\\\\\\\\S. NIG\\\\\\\\\\\\\\\\\" "
		    "<first.last@host.com>",
		    "\\\\\\\\S. NIG\\\\\\\\|first.last@host.com|", 0, 0 },
		{ "\"phil@example.com\" <phil@example.com>\n",
		    "phil@example.com|phil@example.com|", 0, 0 },
		{ "\"<phil@example.com>\" <phil@example.com>\n",
		    "<phil@example.com>|phil@example.com|", 0, 0 },
		{ "phil@example.com <phil@example.com>\n",
		    "phil@example.com|phil@example.com|",
		    RFC5322_AF_ADDR_AS_NAME, 0 },
		{ "\"John\r\n Doe\" <a@b.com>\n", "John Doe|a@b.com|", 0, 0 },
		{ "\"Serge B, Chair, HR\" "
		    "=?utf-8?b?U3ltcG9zaXVtL1hwb+KEog==?= conference "
		    "<a@b.com>\n",
		    "Serge B, Chair, HR Symposium/Xpo™ conference|a@b.com|",
		    0, 0 },
		{ "\"John\" =?utf-8?q?Doe?= <a@b.com>\n", "John Doe|a@b.com|",
		    0, 0 },
		{ "<a@b.com> =?utf-8?q?Doe?=\n", "Doe|a@b.com|",
		    RFC5322_AF_NAME_AFTER, 0 },
		/* Case 56: stalwart "Name Doe (comment)". */
		{ "Name (comment) =?utf-8?q?Doe?= <a@b.com>\n",
		    "Name Doe|a@b.com|", 0, 0 },
		{ "=?utf-8?q?a?= =?utf-8?q?b?= <a@b.com>\n", "ab|a@b.com|",
		    0, 0 },
		{ "=?utf-8?q?Hello?= <a@b.com>\n", "Hello|a@b.com|", 0, 0 },
		{ "\"foo =?utf-8?q?bar?=\" <a@b.com>\n", "foo bar|a@b.com|",
		    0, 0 },
	};

	run_cases("stalwart address.json", cases, NCASES(cases));
}

/*
 * Address headers of whole messages in other projects' corpora; the
 * expected lists are those projects' where they publish one (stalwart's
 * eml/ *.json), else what RFC 5322/2047 give.
 */
static void
test_peer_messages(void)
{
	static const struct acase cases[] = {
		/* stalwart eml/legacy/001.eml To: (UTF-7 in B). */
		{ " \"Joe Blow\" <jblow@example.com>,\n\t"
		    "=?utf-7?B?SitBUHctcmdlbiBTY2htK0FQdy1yZ2Vu?= "
		    "<schmuergen@example.com>\n",
		    "Joe Blow|jblow@example.com|\n"
		    "Jürgen Schmürgen|schmuergen@example.com|", 0, 0 },
		/* stalwart eml/legacy/016.eml To: raw 8-bit in Q words. */
		{ " =?iso-8859-1?Q?J\xfcrgen?= =?iso-8859-1?Q?_Schm\xfcrgen?="
		    "\r\n  <jschmuergen@example.com>\r\n",
		    "Jürgen Schmürgen|jschmuergen@example.com|", 0, 0 },
		/* stalwart eml/legacy/020.eml To: raw Latin-1 in a quoted
		 * name; stalwart gives U+FFFD, as we do by default. */
		{ " \"J\xfcrgen Schm\xfcrgen\" <schmuergen@example.com>\r\n",
		    "J\xef\xbf\xbdrgen Schm\xef\xbf\xbdrgen|"
		    "schmuergen@example.com|", 0, 0 },
		/* stalwart eml/legacy/012.eml To:. */
		{ " =?Windows-1252?Q?Heinz_M=FCller?= "
		    "<mueller@example.com>\r\n",
		    "Heinz Müller|mueller@example.com|", 0, 0 },
		/* stalwart eml/rfc/004.eml To: (RFC 2046 example). Stalwart
		 * makes the lone word a name without address; we keep it
		 * as an unresolved local name, like "root". */
		{ " Recipient-List\n", "|Recipient-List|",
		    RFC5322_AF_NO_DOMAIN, 0 },
		/* mailgun-flanker tests/fixtures/messages/
		 * encoded-header.eml From: the comma is inside the word. */
		{ " =?UTF-8?B?Rm9vLCBCYXI=?= <foo.bar@example.com>\n",
		    "Foo, Bar|foo.bar@example.com|", 0, 0 },
		/* flanker from-encoding.eml From: raw Latin-1, undeclared. */
		{ " \"Ingo L\xfctkebohle\" <ingo@blank.pages.de>\n",
		    "Ingo L\xef\xbf\xbdtkebohle|ingo@blank.pages.de|", 0, 0 },
		{ " \"Ingo L\xfctkebohle\" <ingo@blank.pages.de>\n",
		    "Ingo Lütkebohle|ingo@blank.pages.de|", 0,
		    RFC2047_LATIN1 },
		/* flanker tests/fixtures/mailbox_valid.txt lines. */
		{ "\"much.more unusual\"@example.com",
		    "|\"much.more unusual\"@example.com|", 0, 0 },
		{ "\"very.unusual.@.unusual.com\"@example.com",
		    "|\"very.unusual.@.unusual.com\"@example.com|", 0, 0 },
		{ "\" \"@example.org", "|\" \"@example.org|", 0, 0 },
		{ "\"quoted\"@sld.com", "|quoted@sld.com|", 0, 0 },
		{ "\"\\e\\s\\c\\a\\p\\e\\d\"@sld.com", "|escaped@sld.com|",
		    0, 0 },
		{ "\"escaped\\\"quote\"@sld.com",
		    "|\"escaped\\\"quote\"@sld.com|", 0, 0 },
		{ "\"Fred\\ Bloggs\"@example.com",
		    "|\"Fred Bloggs\"@example.com|", 0, 0 },
		{ "\"tom+[a]\"@s.com", "|\"tom+[a]\"@s.com|", 0, 0 },
		{ "Bill Gates <\"billy\"@retired.Micr!osoft99.com>",
		    "Bill Gates|billy@retired.Micr!osoft99.com|", 0, 0 },
		{ "Matt \"The Matt\" Mickiewicz "
		    "<matt.Mickiewicz@99designs.com>",
		    "Matt The Matt Mickiewicz|matt.Mickiewicz@99designs.com|",
		    0, 0 },
		{ "\"<john@smith.com>\" <john@smith.com>",
		    "<john@smith.com>|john@smith.com|", 0, 0 },
		/* mu-testdata testdata/cjk/cur/test1 To:. */
		{ " \"Chase\" <chase@ppatrol.org>\n",
		    "Chase|chase@ppatrol.org|", 0, 0 },
	};

	run_cases("peer message", cases, NCASES(cases));
}

/* The forms the brief and formats/mbox.md section 3 list. */
static void
test_forms(void)
{
	static const struct acase cases[] = {
		{ "undisclosed-recipients:;", "||undisclosed-recipients",
		    RFC5322_AF_EMPTY_GROUP, 0 },
		{ "Steering Group: a@x, b@y;", "|a@x|Steering Group\n"
		    "|b@y|Steering Group", 0, 0 },
		{ "Steering Group: a@x, b@y", "|a@x|Steering Group\n"
		    "|b@y|Steering Group", RFC5322_AF_NO_GROUP_END, 0 },
		{ "G1: a@x; G2:; c@z", "|a@x|G1\n||G2\n|c@z|",
		    RFC5322_AF_EMPTY_GROUP, 0 },
		{ "Mailing-list: ;", "||Mailing-list",
		    RFC5322_AF_EMPTY_GROUP, 0 },
		{ ": ;", "", 0, 0 },
		{ "\"Doe, John\" <jd@example.com>", "Doe, John|jd@example.com|",
		    0, 0 },
		{ "\"Doe, John\" <jd@example.com>, \"Roe, Jane\" <jr@x.test>",
		    "Doe, John|jd@example.com|\nRoe, Jane|jr@x.test|", 0, 0 },
		{ "\"a \\\\ b \\\" c\" <q@x>", "a \\ b \" c|q@x|", 0, 0 },
		{ "jdoe@example.org (John Doe)", "John Doe|jdoe@example.org|",
		    RFC5322_AF_NAME_FROM_COMMENT, 0 },
		{ "jdoe@example.org (John (the) Doe)",
		    "John (the) Doe|jdoe@example.org|",
		    RFC5322_AF_NAME_FROM_COMMENT, 0 },
		{ "(John Doe) jdoe@example.org", "John Doe|jdoe@example.org|",
		    RFC5322_AF_NAME_FROM_COMMENT, 0 },
		{ "<@route1,@route2:user@host>", "|user@host|",
		    RFC5322_AF_ROUTE, 0 },
		{ "Joe <@a.test,@b.test:joe@c.test>, x@y", "Joe|joe@c.test|\n"
		    "|x@y|", RFC5322_AF_ROUTE, 0 },
		{ "\"john..doe\"@example.com", "|\"john..doe\"@example.com|",
		    0, 0 },
		{ "john . doe @ example . com", "|john.doe@example.com|", 0,
		    0 },
		{ "user@[192.0.2.1]", "|user@[192.0.2.1]|", 0, 0 },
		{ "U <user@[IPv6:2001:db8::1]>", "U|user@[IPv6:2001:db8::1]|",
		    0, 0 },
		{ "\"a b\"@x", "|\"a b\"@x|", 0, 0 },
		{ "root", "|root|", RFC5322_AF_NO_DOMAIN, 0 },
		{ "<root>", "|root|", RFC5322_AF_NO_DOMAIN, 0 },
		{ "John Doe", "John Doe||", RFC5322_AF_NO_ADDR, 0 },
		{ "a@x.test; b@y.test", "|a@x.test|\n|b@y.test|",
		    RFC5322_AF_SEMICOLON, 0 },
		{ "A <a@x.test>; B <b@y.test>;", "A|a@x.test|\nB|b@y.test|",
		    RFC5322_AF_SEMICOLON, 0 },
		{ "a@x.test,,b@y.test,", "|a@x.test|\n|b@y.test|",
		    RFC5322_AF_EMPTY_ELEMENT, 0 },
		{ ",a@x.test", "|a@x.test|", RFC5322_AF_EMPTY_ELEMENT, 0 },
		{ "a@x b@y", "|a@x|\n|b@y|", RFC5322_AF_MISSING_COMMA, 0 },
		{ "Alice <a@x> Bob <b@y>", "Alice|a@x|\nBob|b@y|",
		    RFC5322_AF_MISSING_COMMA, 0 },
		{ "<a@x> <b@y>", "|a@x|\n|b@y|", RFC5322_AF_MISSING_COMMA, 0 },
		{ "Joe Blow a@x", "Joe Blow|a@x|", RFC5322_AF_NO_ANGLE, 0 },
		{ "Yutaka Sato 佐藤豊 <ysato@etl.go.jp>",
		    "Yutaka Sato 佐藤豊|ysato@etl.go.jp|", 0, 0 },
		{ "\"山田 太郎\" <用户@例子.广告>", "山田 太郎|用户@例子.广告|",
		    0, 0 },
		{ "Ma\xfc <m@x>", "Ma\xef\xbf\xbd|m@x|", 0, 0 },
		{ "<a@x> trailing words", "trailing words|a@x|",
		    RFC5322_AF_NAME_AFTER, 0 },
		{ "Name <a@x> trailing", "Name|a@x|", RFC5322_AF_GARBAGE, 0 },
		{ "a@x@y", "|a@x|", RFC5322_AF_GARBAGE, 0 },
		{ "a@x (c) junk", "c|a@x|", RFC5322_AF_NAME_FROM_COMMENT, 0 },
		{ "Ma <a@x> (note)", "Ma|a@x|", 0, 0 },
		{ "a@", "|a|", RFC5322_AF_NO_DOMAIN, 0 },
		{ "=?utf-8?q?J=C3=B6rg?= <j@x>, =?utf-8?b?w6k=?= <e@x>",
		    "Jörg|j@x|\né|e@x|", 0, 0 },
		{ "Re: (c) Dept:  a@x ;", "||Re\n|a@x|Dept",
		    RFC5322_AF_EMPTY_GROUP, 0 },
		{ "", "", 0, 0 },
		{ "   ", "", 0, 0 },
		{ "(only a comment)", "", 0, 0 },
		{ "<>", "", NOCHECK, 0 },
	};

	run_cases("form", cases, NCASES(cases));
}

/* Unbalanced input: best effort, exact result still pinned down. */
static void
test_malformed(void)
{
	static const struct acase cases[] = {
		{ "\"unterminated <a@x>", "unterminated|a@x|",
		    RFC5322_AF_UNTERMINATED | RFC5322_AF_GARBAGE, 0 },
		{ "a@x, \"B <b@y>", "|a@x|\nB|b@y|",
		    RFC5322_AF_UNTERMINATED | RFC5322_AF_GARBAGE, 0 },
		{ "Name (unclosed <a@x>", "Name unclosed|a@x|",
		    RFC5322_AF_UNTERMINATED | RFC5322_AF_GARBAGE, 0 },
		/* The unclosed '(' is a stray, so "c" names the next. */
		{ "a@x (c (d) <b@y>", "|a@x|\nc|b@y|", RFC5322_AF_UNTERMINATED |
		    RFC5322_AF_GARBAGE | RFC5322_AF_MISSING_COMMA, 0 },
		{ "a@x, ((((((((((((b@y", "|a@x|", RFC5322_AF_UNTERMINATED |
		    RFC5322_AF_GARBAGE, 0 },
		{ "Name <a@x", "Name|a@x|", RFC5322_AF_UNTERMINATED, 0 },
		{ "Name <a@x, b@y", "Name|a@x|\n|b@y|",
		    RFC5322_AF_UNTERMINATED, 0 },
		{ "a@[1.2.3.4", "|a|", RFC5322_AF_UNTERMINATED |
		    RFC5322_AF_NO_DOMAIN | RFC5322_AF_GARBAGE, 0 },
		{ "a@x)", "|a@x|", RFC5322_AF_GARBAGE, 0 },
		{ "Name) <a@x>", "Name|a@x|", RFC5322_AF_GARBAGE, 0 },
		{ ">>> a@x", "|a@x|", RFC5322_AF_GARBAGE, 0 },
		{ "\\", "|\"\\\\\"|", RFC5322_AF_NO_DOMAIN, 0 },
		{ "\"\\", "|\"\\\\\"|", RFC5322_AF_UNTERMINATED |
		    RFC5322_AF_GARBAGE | RFC5322_AF_NO_DOMAIN, 0 },
		{ "=?utf-8?q?broken <a@x>", "=?utf-8?q?broken|a@x|", 0, 0 },
		{ "=?utf-8?b?!!!?= <a@x>", "=?utf-8?b?!!!?=|a@x|", 0, 0 },
		{ "::::", "", RFC5322_AF_NO_GROUP_END, 0 },
		{ ";;;;", "", RFC5322_AF_SEMICOLON, 0 },
		{ "<<<<a@x>", "|a@x|", RFC5322_AF_GARBAGE, 0 },
	};

	run_cases("malformed", cases, NCASES(cases));
}

/* Repeated fields (notmuch test/corpora/broken/broken-cc has "Cc:" and
 * "cc:"): both lists are recipients, parsed into one list. */
static void
test_merge_broken_cc(void)
{
	static const char msg[] =
	    "From: Alice <alice@example.org>\n"
	    "To: Daniel <daniel@example.org>\n"
	    "Cc: Bob <bob@example.org>\n"
	    "Subject: wowsers!\n"
	    "cc: Charles <charles@example.org>\n"
	    "Message-Id: <multiple-cc@example.org>\n"
	    "Date: Thu, 16 Jun 2016 22:14:41 -0400\n"
	    "\n";
	struct rfc5322_addr_list l = { 0 };
	struct buf got = { 0 }, u = { 0 };
	size_t pos = 0, n, fields = 0;
	struct str name, value;

	while (pos < sizeof(msg) - 1 && msg[pos] != '\n') {
		n = rfc5322_field_len(msg + pos, sizeof(msg) - 1 - pos);
		if (rfc5322_field_split(msg + pos, n, &name, &value) == 0 &&
		    rfc5322_header_name_eq(name.p, name.len, "Cc")) {
			buf_reset(&u);
			rfc5322_unfold(&u, value.p, value.len);
			rfc5322_parse_addr_list(&l, u.p, u.len, 0);
			fields++;
		}
		pos += n;
	}
	render(&got, &l);
	CHECKF(fields == 2 && strcmp(got.p, "Bob|bob@example.org|\n"
	    "Charles|charles@example.org|") == 0,
	    "broken-cc: %zu fields, got \"%s\"", fields, got.p);
	rfc5322_addr_list_free(&l);
	buf_free(&got);
	buf_free(&u);
}

/* Views of earlier items must survive later parses into the same list. */
static void
test_views_repointed(void)
{
	struct rfc5322_addr_list l = { 0 };
	struct buf big = { 0 };
	size_t i;

	rfc5322_parse_addr_list(&l, "First <f@x>", 11, 0);
	for (i = 0; i < 2000; i++)
		buf_printf(&big, "Person %zu <p%zu@example.com>, ", i, i);
	rfc5322_parse_addr_list(&l, big.p, big.len, 0);
	CHECKF(l.n == 2001, "repoint: got %zu items, want 2001", l.n);
	CHECKF(l.v[0].name.len == 5 && memcmp(l.v[0].name.p, "First", 5) == 0,
	    "repoint: first name \"%.*s\"", (int)l.v[0].name.len,
	    l.v[0].name.p);
	CHECKF(l.v[2000].addr.len == 17 &&
	    memcmp(l.v[2000].addr.p, "p1999@example.com", 17) == 0,
	    "repoint: last addr \"%.*s\"", (int)l.v[2000].addr.len,
	    l.v[2000].addr.p);
	CHECKF(l.v[1].local.len == 2 && memcmp(l.v[1].local.p, "p0", 2) == 0 &&
	    l.v[1].domain.len == 11 &&
	    memcmp(l.v[1].domain.p, "example.com", 11) == 0,
	    "repoint: local/domain of #1");
	rfc5322_addr_list_free(&l);
	buf_free(&big);
}

/* 1 MB of one thing: linear time, no crash, exact small result. */
static void
test_big(void)
{
	static const struct {
		const char *unit;
		size_t want_n;
	} cases[] = {
		{ ",", 0 }, { ";", 0 }, { "\"", 1 }, { "(", 0 }, { ")", 0 },
		{ "[", 0 }, { "<", 0 }, { ">", 0 }, { ":", 0 }, { "@", 0 },
		{ "a ", 1 }, { "=?", 1 }, { "\\", 1 },
		{ "a@b ", RFC5322_MAX_ITEMS }, { "<a@b>", RFC5322_MAX_ITEMS },
		{ "x:", RFC5322_MAX_ITEMS }, { "\"\" ", 1 }, { "(a)", 0 },
		{ "a@b,", RFC5322_MAX_ITEMS }, { "\" ", 1 }, { "a\"", 1 },
	};
	const size_t size = 1 << 20;
	struct rfc5322_addr_list l = { 0 };
	struct buf in = { 0 };
	size_t i;

	for (i = 0; i < NCASES(cases); i++) {
		buf_reset(&in);
		while (in.len + strlen(cases[i].unit) <= size)
			buf_adds(&in, cases[i].unit);
		rfc5322_addr_list_reset(&l);
		rfc5322_parse_addr_list(&l, in.p, in.len, 0);
		CHECKF(l.n == cases[i].want_n || (cases[i].want_n == 0 &&
		    l.n <= 1 && l.v[0].addr.len == 0),
		    "big \"%s\"x: got %zu items, want %zu", cases[i].unit,
		    l.n, cases[i].want_n);
	}
	rfc5322_addr_list_free(&l);
	buf_free(&in);
}

/* Random mixes of meaningful pieces: no crash, items valid UTF-8. */
static void
test_fuzz(void)
{
	static const char *const pieces[] = { "a", "b.c", "@", "<", ">", ",",
	    ";", ":", "\"", "\\", "(", ")", "[", "]", " ", "\r\n ", "=?utf-8?q?",
	    "?=", "\xff", "\xc3\xa9", "x@y", ".", "\0" };
	struct rfc5322_addr_list l = { 0 };
	struct buf in = { 0 };
	uint32_t seed = 4242;
	size_t i, k, n, j, bad = 0;

	for (i = 0; i < 20000; i++) {
		buf_reset(&in);
		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 30;
		for (k = 0; k < n; k++) {
			seed = seed * 1103515245u + 12345u;
			const char *pc = pieces[(seed >> 16) % NCASES(pieces)];
			buf_add(&in, pc, pc[0] ? strlen(pc) : 1);
		}
		rfc5322_addr_list_reset(&l);
		rfc5322_parse_addr_list(&l, in.p ? in.p : "", in.len, 0);
		for (j = 0; j < l.n; j++)
			if (!rfc2047_utf8_valid(l.v[j].name.p,
			    l.v[j].name.len) ||
			    !rfc2047_utf8_valid(l.v[j].addr.p,
			    l.v[j].addr.len) ||
			    !rfc2047_utf8_valid(l.v[j].comment.p,
			    l.v[j].comment.len))
				bad++;
	}
	CHECKF(bad == 0, "fuzz: %zu items not UTF-8", bad);
	rfc5322_addr_list_free(&l);
	buf_free(&in);
}

static void
test_msgids(void)
{
	static const struct {
		const char *in;
		const char *want;	/* ids joined by ' ' */
	} cases[] = {
		/* stalwart-mail-parser resources/id.json, in order. */
		{ "<1234@local.machine.example>\n",
		    "1234@local.machine.example" },
		{ "<1234@local.machine.example> <3456@example.net>\n",
		    "1234@local.machine.example 3456@example.net" },
		{ "<1234@local.machine.example>\n <3456@example.net> \n",
		    "1234@local.machine.example 3456@example.net" },
		{ "<1234@local.machine.example>\n\n <3456@example.net>\n",
		    "1234@local.machine.example" },
		{ "              <testabcd.1234@silly.test>  \n",
		    "testabcd.1234@silly.test" },
		{ "<5678.21-Nov-1997@example.com>\n",
		    "5678.21-Nov-1997@example.com" },
		/* Obsolete CFWS inside (RFC 5322 4.5.4): removed. Stalwart
		 * keeps "1234   @   local(blah)  .machine .example". */
		{ "<1234   @   local(blah)  .machine .example>\n",
		    "1234@local.machine.example" },
		{ "<>\n", "" },
		{ "malformed@id.machine.example\n",
		    "malformed@id.machine.example" },
		{ "   malformed2@id.machine.example \t  \n",
		    "malformed2@id.machine.example" },
		{ "   m \n", "m" },
		/* Own cases. */
		{ "<a@x> (comment <not@an.id>) <b@y>", "a@x b@y" },
		{ "Your message of \"Mon, 1 Jan\" <a@x>", "a@x" },
		{ "<a@x>,<b@y>", "a@x b@y" },
		{ "<a@x", "a@x" },
		{ "<a@x <b@y>", "a@x b@y" },
		{ "<<<<", "" },
		{ "a@x, b@y", "a@x b@y" },
		{ "", "" },
	};
	struct rfc5322_msgid_list l = { 0 };
	struct buf got = { 0 }, u = { 0 };
	size_t i, j, n;

	for (i = 0; i < NCASES(cases); i++) {
		rfc5322_msgid_list_reset(&l);
		buf_reset(&u);
		buf_adds(&u, "");
		n = rfc5322_field_len(cases[i].in, strlen(cases[i].in));
		rfc5322_unfold(&u, cases[i].in, n);
		rfc5322_parse_msgids(&l, u.p, u.len);
		buf_reset(&got);
		buf_adds(&got, "");
		for (j = 0; j < l.n; j++) {
			if (j > 0)
				buf_addc(&got, ' ');
			buf_add(&got, l.v[j].id.p, l.v[j].id.len);
		}
		CHECKF(strcmp(got.p, cases[i].want) == 0,
		    "msgids \"%s\": got \"%s\", want \"%s\"", cases[i].in,
		    got.p, cases[i].want);
	}
	rfc5322_msgid_list_free(&l);
	buf_free(&got);
	buf_free(&u);
}

static void
test_fields(void)
{
	static const struct {
		const char *in;
		size_t want_len;
		const char *unfolded;
	} cases[] = {
		{ "To: a\r\n b\r\nCc: c", 11, "To: a b" },
		{ "To: a\n\tb\nCc: c", 9, "To: a\tb" },
		{ "To: a\r \r b\rCc", 11, "To: a  b" },
		{ "To: a", 5, "To: a" },
		{ "To: a\n", 6, "To: a" },
		{ "To: a\n \n b\n", 11, "To: a  b" },
		{ "", 0, "" },
	};
	static const struct {
		const char *in;
		int rc;
		const char *name, *value;
	} splits[] = {
		{ "Subject: hi", 0, "Subject", " hi" },
		{ "Subject \t: hi", 0, "Subject", " hi" },
		{ "X-A:b:c", 0, "X-A", "b:c" },
		{ ": x", -1, NULL, NULL },
		{ "no colon", -1, NULL, NULL },
		{ "Sub ject: x", -1, NULL, NULL },
		{ "Subj\xc3\xa9: x", -1, NULL, NULL },
		{ "To\n: x", -1, NULL, NULL },
	};
	struct buf u = { 0 };
	struct str name, value;
	size_t i, n;
	int rc;

	for (i = 0; i < NCASES(cases); i++) {
		n = rfc5322_field_len(cases[i].in, strlen(cases[i].in));
		CHECKF(n == cases[i].want_len, "field_len \"%s\": got %zu, "
		    "want %zu", cases[i].in, n, cases[i].want_len);
		buf_reset(&u);
		buf_adds(&u, "");
		rfc5322_unfold(&u, cases[i].in, n);
		CHECK_STR(u.p, cases[i].unfolded, "unfold");
	}
	for (i = 0; i < NCASES(splits); i++) {
		name = value = STR_NULL;
		rc = rfc5322_field_split(splits[i].in, strlen(splits[i].in),
		    &name, &value);
		CHECKF(rc == splits[i].rc, "split \"%s\": got rc %d",
		    splits[i].in, rc);
		if (rc != 0 || splits[i].rc != 0)
			continue;
		CHECKF(name.len == strlen(splits[i].name) &&
		    memcmp(name.p, splits[i].name, name.len) == 0 &&
		    value.len == strlen(splits[i].value) &&
		    memcmp(value.p, splits[i].value, value.len) == 0,
		    "split \"%s\": got \"%.*s\" / \"%.*s\"", splits[i].in,
		    (int)name.len, name.p, (int)value.len, value.p);
	}
	CHECKF(rfc5322_header_name_eq("cc", 2, "Cc"), "name_eq cc");
	CHECKF(rfc5322_header_name_eq("RESENT-TO \t", 11, "Resent-To"),
	    "name_eq RESENT-TO");
	CHECKF(!rfc5322_header_name_eq("Cc", 2, "Bcc"), "name_eq Cc/Bcc");
	CHECKF(!rfc5322_header_name_eq("Bcc", 3, "Cc"), "name_eq Bcc/Cc");
	CHECKF(!rfc5322_header_name_eq("To", 2, "T"), "name_eq To/T");
	CHECKF(!rfc5322_header_name_eq("", 0, "To"), "name_eq empty");
	buf_free(&u);
}

static const struct cu_test tests[] = {
	{ "fields", test_fields },
	{ "stalwart_address_json", test_stalwart_address_json },
	{ "peer_messages", test_peer_messages },
	{ "forms", test_forms },
	{ "malformed", test_malformed },
	{ "merge_broken_cc", test_merge_broken_cc },
	{ "views_repointed", test_views_repointed },
	{ "msgids", test_msgids },
	{ "big", test_big },
	{ "fuzz", test_fuzz },
};

CU_MAIN("rfc5322", tests)
