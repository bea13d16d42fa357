/*
 * rfc2047 - header text to UTF-8: encoded words, charsets, raw 8-bit
 *
 * Pure functions: no I/O, no global state, nothing printed. Every function
 * appends to a caller's struct buf (lib/buf.h); appending may move b->p, so
 * pointers into it go stale. The input is a byte view (not NUL-terminated)
 * and is never read out of bounds, whatever it holds.
 *
 * Output is always valid UTF-8. Bytes that are not (invalid UTF-8 in raw
 * RFC 6532 text, or in a word whose charset is UTF-8 or unknown) become
 * U+FFFD, one per maximal invalid subsequence (the WHATWG/Unicode rule);
 * with RFC2047_LATIN1 each such byte is read as ISO-8859-1 instead, which
 * recovers undeclared legacy names ("M\xfcller") at the price of guessing.
 * NUL and other control characters are kept: callers that print escape.
 *
 * Encoded words (RFC 2047, RFC 2231 language suffix ignored):
 *   =?charset[*lang]?B|Q?text?=     (B/Q case-insensitive)
 * - Q: '_' is a space, "=XX" a byte (hex in either case); a '=' not
 *   followed by two hex digits and raw 8-bit bytes are taken literally.
 * - B: whitespace inside is skipped, padding optional, trailing bits that
 *   make no whole byte are dropped; any other byte outside the base64
 *   alphabet makes the word malformed.
 * - The text may hold spaces (real mail does) but ends at the first "?=";
 *   a word is recognised anywhere, not only between whitespace.
 * - Linear whitespace between two encoded words is dropped; the bytes of
 *   consecutive words in the same charset are joined before conversion, so
 *   a character split across words survives.
 * - Malformed words (no "?=", unknown encoding letter, empty or
 *   over-long charset, bad base64) are left as they are, as raw text.
 * - Charsets: UTF-8, US-ASCII, ISO-8859-1, -2, -15, Windows-1252 and KOI8-R
 *   by built-in tables (ISO-8859-1 is read as Windows-1252, as browsers
 *   do: its 0x80-0x9F controls are in practice always cp1252 quotes and
 *   dashes); any other name glibc iconv(3) knows (UTF-7, ISO-2022-JP,
 *   GB2312, ...) through iconv, opened and closed per run of words. An
 *   unknown charset (unknown-8bit, x-user-defined) decodes the bytes and
 *   treats them as raw text (UTF-8 if valid, else as above).
 */
#ifndef MAILSPILL_RFC2047_H
#define MAILSPILL_RFC2047_H

#include "../lib/buf.h"

#include <stdbool.h>
#include <stddef.h>

/* Flags for the functions below. */
/* Invalid UTF-8 bytes read as Latin-1 instead of becoming U+FFFD. */
#define RFC2047_LATIN1	0x1u

/* A charset name longer than this is not a charset: the word is left
 * alone. Real names are under 20 bytes ("ISO-2022-JP-2", "windows-1252");
 * the cap keeps the name in a stack buffer for iconv_open(). */
#define RFC2047_CHARSET_MAX	40

/*
 * Appends the decoded value (an unfolded header value, or any part of one
 * such as a display name or a comment) to out as UTF-8. Never fails.
 */
void rfc2047_decode(struct buf *out, const char *p, size_t len,
    unsigned flags);

/*
 * Appends raw header bytes as UTF-8 without looking for encoded words:
 * valid UTF-8 is copied, the rest follows the policy above.
 */
void rfc2047_append_raw(struct buf *out, const char *p, size_t len,
    unsigned flags);

/*
 * Appends bytes in the named charset (name not NUL-terminated, an RFC 2231
 * "*lang" suffix allowed) converted to UTF-8. Returns 0, or -1 when the
 * charset is unknown, in which case the bytes were appended as raw text.
 * Invalid sequences in a known charset become U+FFFD.
 */
int rfc2047_convert(struct buf *out, const char *charset, size_t cslen,
    const char *p, size_t len, unsigned flags);

/* Whether p[0..len) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool rfc2047_utf8_valid(const char *p, size_t len);

#endif
