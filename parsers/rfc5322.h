/*
 * rfc5322 - header fields: splitting, unfolding, address and Message-ID
 * lists
 *
 * Pure functions over byte views: no I/O, no global state, nothing printed,
 * never a read outside [p, p + len), whatever the bytes. Bad input is
 * normal input: parsers return a best-effort result and report what they
 * had to repair as RFC5322_AF_* flags, never an error.
 *
 * Ownership: a struct rfc5322_addr_list or rfc5322_msgid_list owns every
 * byte its items point to (its text buffer). Views stay valid until the
 * next parse into, reset of, or free of that list; a later parse into the
 * same list may move the text, but it re-points all items, old and new.
 * A zero-initialised list is ready to use; reset keeps the memory for the
 * next message (no allocation per header once warmed up); free releases it.
 *
 * All text in results is UTF-8 (see rfc2047.h for the policy on invalid
 * bytes), except Message-IDs, which keep their bytes: they are keys.
 *
 * BUGS: memory is proportional to the header (about 3x its length in the
 * worst case); the caller caps header size (the mbox reader's MAX_LINE).
 */
#ifndef MAILSPILL_RFC5322_H
#define MAILSPILL_RFC5322_H

#include "../lib/buf.h"
#include "../lib/str.h"

#include <stdbool.h>
#include <stddef.h>

/* ---- Header fields --------------------------------------------------- */

/*
 * Length of the header field that starts at p: its first line and every
 * continuation line (one that starts with SP or HTAB), line breaks
 * included. Line breaks are CRLF, LF or a lone CR (old Mac files). Returns
 * len when the field runs to the end of the input.
 */
size_t rfc5322_field_len(const char *p, size_t len);

/*
 * Splits a field "Name: value" (as delimited by rfc5322_field_len) at the
 * first colon. name gets the field name without the whitespace the
 * obsolete syntax allows before the colon ("Subject :"); value gets the
 * rest, still folded. Returns -1, views untouched, when there is no colon
 * on the first line or the name is empty or holds bytes outside 33-126.
 */
int rfc5322_field_split(const char *p, size_t len, struct str *name,
    struct str *value);

/*
 * Appends p[0..len) to out unfolded: a line break (CRLF, LF, CR) followed
 * by SP or HTAB is removed and the whitespace kept (RFC 5322 2.2.3); a
 * break at the end is dropped; any other break becomes one space so words
 * never merge. Nothing else changes (no trimming, no decoding).
 */
void rfc5322_unfold(struct buf *out, const char *p, size_t len);

/* Whether a field name equals want (NUL-terminated), ASCII case ignored,
 * whitespace before the colon ignored. */
bool rfc5322_header_name_eq(const char *name, size_t len, const char *want);

/* ---- Address lists (RFC 5322 3.4 and obsolete 4.4) ------------------- */

/* What an item needed or is: several may be set. */
#define RFC5322_AF_NAME_FROM_COMMENT 0x0001u /* "a@b (Name)" */
#define RFC5322_AF_NAME_AFTER 0x0002u /* "<a@b> Name": words after */
#define RFC5322_AF_NO_ANGLE 0x0004u /* "Name a@b": no < > */
#define RFC5322_AF_NO_DOMAIN 0x0008u /* "root": local part only */
#define RFC5322_AF_NO_ADDR 0x0010u /* "John Doe": a name only */
#define RFC5322_AF_EMPTY_GROUP 0x0020u /* "undisclosed-recipients:;" */
#define RFC5322_AF_ROUTE 0x0040u /* "<@a,@b:x@y>": route dropped */
#define RFC5322_AF_MISSING_COMMA 0x0080u /* "a@x b@y": no separator */
#define RFC5322_AF_GARBAGE 0x0100u /* bytes skipped */
#define RFC5322_AF_UNTERMINATED 0x0200u /* quote ( [ or < not closed */
#define RFC5322_AF_SEMICOLON 0x0400u /* ';' outside a group (Outlook) */
#define RFC5322_AF_NO_GROUP_END 0x0800u /* group without ';' */
#define RFC5322_AF_EMPTY_ELEMENT 0x1000u /* "a@x,,b@y" or trailing ',' */
#define RFC5322_AF_ADDR_AS_NAME 0x2000u /* "a@x <b@y>": a@x is the name */
#define RFC5322_AF_TRUNCATED 0x4000u /* list cut at RFC5322_MAX_ITEMS */

/* Items kept per list: a 1 MiB header of "a@b," would give 262144 items
 * of ~150 bytes; real lists stay far below (Exchange caps a message at
 * a few thousand recipients). Past it parsing stops, flagged TRUNCATED. */
#define RFC5322_MAX_ITEMS	100000

struct rfc5322_addr {
	/*
	 * Display name: the phrase before "<", RFC 2047-decoded, quotes and
	 * backslash escapes removed, words joined by one space (text inside
	 * quotes kept as is). Comments are not part of it, except that
	 * when there is no phrase the comments become the name
	 * (RFC5322_AF_NAME_FROM_COMMENT), or failing that words after the
	 * address (RFC5322_AF_NAME_AFTER). An addr-spec written right
	 * before an angle-addr is a name too (RFC5322_AF_ADDR_AS_NAME).
	 * Empty when there is none.
	 */
	struct str name;
	/* Local part: quotes and escapes removed, CFWS around dots removed,
	 * not decoded (RFC 2047 words are not allowed there). */
	struct str local;
	/* Domain as written, CFWS removed, case kept; a domain literal keeps
	 * its brackets ("[192.0.2.1]"). Empty with RFC5322_AF_NO_DOMAIN. */
	struct str domain;
	/* Canonical addr-spec: local part (quoted again when it is not a
	 * dot-atom) "@" domain; only the local part without a domain; empty
	 * when the item has no address (RFC5322_AF_NO_ADDR, _EMPTY_GROUP). */
	struct str addr;
	/* Name of the group the item is in, decoded; empty if none. For an
	 * RFC5322_AF_EMPTY_GROUP item, the group that had no members. */
	struct str group;
	/* All comments of the element, decoded, joined by one space. */
	struct str comment;
	unsigned flags;		/* RFC5322_AF_* */
	size_t priv_off[6];	/* private: offsets of the views in text */
};

struct rfc5322_addr_list {
	struct rfc5322_addr *v;	/* items in header order */
	size_t n;
	size_t cap;
	unsigned defects;	/* OR of all flags, empty elements included */
	size_t ngroups;		/* groups seen, empty ones included */
	struct buf text;	/* private: owns the bytes of the views */
	struct buf tmp;		/* private: scratch */
};

/*
 * Parses an unfolded address-list value (To, Cc, Bcc, From, Sender,
 * Reply-To, Resent-*, ...) and appends its items to l, so repeated fields
 * (Cc: and cc:) can be merged into one list. flags are rfc2047 flags
 * (RFC2047_LATIN1) for names and raw bytes. Returns the number of items
 * appended. Folded input works too (line breaks count as whitespace).
 *
 * Items: one per mailbox, in order; one RFC5322_AF_NO_ADDR item per
 * element that is only a phrase; one RFC5322_AF_EMPTY_GROUP item per
 * named group without members (the real recipients of
 * "undisclosed-recipients:;" were envelope-only). Empty elements and
 * comment-only elements give none. A recipient list is therefore the items whose addr is not empty.
 */
size_t rfc5322_parse_addr_list(struct rfc5322_addr_list *l, const char *p,
    size_t len, unsigned flags);
void rfc5322_addr_list_reset(struct rfc5322_addr_list *l);
void rfc5322_addr_list_free(struct rfc5322_addr_list *l);

/* ---- Message-ID lists (In-Reply-To, References, Message-ID) ---------- */

struct rfc5322_msgid {
	/* The id without its angle brackets, CFWS inside removed (obsolete
	 * "<a @ b>" gives "a@b"); bytes as in the header. */
	struct str id;
	size_t priv_off;
};

struct rfc5322_msgid_list {
	struct rfc5322_msgid *v;
	size_t n;
	size_t cap;
	unsigned defects;	/* RFC5322_AF_UNTERMINATED, _GARBAGE */
	struct buf text;	/* private */
};

/*
 * Appends the ids of an unfolded In-Reply-To, References or Message-ID
 * value to l and returns how many. Ids are the "<...>" tokens; comments,
 * quoted strings and words between them (old "In-Reply-To: Your message
 * of ..." forms) are skipped. Only when the value holds no '<' at all are
 * its whitespace-separated words taken as bare ids (broken mailers). An
 * empty "<>" gives nothing; a '<' without '>' gives an id up to the next
 * '<' or the end, trimmed, flagged RFC5322_AF_UNTERMINATED.
 */
size_t rfc5322_parse_msgids(struct rfc5322_msgid_list *l, const char *p,
    size_t len);
void rfc5322_msgid_list_reset(struct rfc5322_msgid_list *l);
void rfc5322_msgid_list_free(struct rfc5322_msgid_list *l);

#endif
