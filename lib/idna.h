/*
 * idna - internationalized domain names in one form: the ASCII one.
 *
 * A mail log may write a domain as UTF-8 (SMTPUTF8, RFC 6531) where a
 * header or another host wrote its A-label ("xn--..."). Joining and
 * counting domains needs one form; the A-label is the one every MTA and
 * the look-alike detector understand.
 *
 * idna_to_ascii() converts each label holding bytes >= 0x80 to
 * "xn--" + its Punycode (RFC 3492) after lower-casing its letters
 * (ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic capitals: the
 * simple case mappings that real mail domains need; full IDNA2008
 * mapping and NFC normalization are not done). Labels already in ASCII
 * are copied as they are: callers lower-case ASCII themselves.
 */
#ifndef MAILSPILL_IDNA_H
#define MAILSPILL_IDNA_H

#include <stddef.h>

/* The longest output: a DNS name is at most 253 bytes, with room. */
#define IDNA_MAX	512

/*
 * Writes the ASCII form of the domain d[0, n) to out (cap bytes, no NUL
 * added) and returns its length; returns 0 when d is all ASCII (nothing
 * to do) or cannot be converted (invalid UTF-8, a label over 63 bytes
 * once encoded, out too small): the caller keeps d as it is.
 */
size_t idna_to_ascii(const char *d, size_t n, char *out, size_t cap);

#endif
