/*
 * rfc2047 - header text to UTF-8: encoded words, charsets, raw 8-bit
 *
 * Contract in rfc2047.h. Decoded bytes of a run of encoded words are first
 * appended to the caller's buffer and then converted in place (converted
 * text written after them, then moved down), so decoding needs no scratch
 * allocation; only charsets outside the built-in tables cost an
 * iconv_open() per run. Input is read through explicit lengths only.
 */
#include "rfc2047.h"

#include <errno.h>
#include <iconv.h>
#include <stdint.h>
#include <string.h>

enum cs_kind {
	CS_UTF8,	/* also US-ASCII: 8-bit bytes follow the raw policy */
	CS_1252,	/* also ISO-8859-1, see rfc2047.h */
	CS_8859_2,
	CS_8859_15,
	CS_KOI8R,
	CS_ICONV,
	CS_UNKNOWN
};

/* Windows-1252 0x80-0x9F; undefined positions give U+FFFD. */
static const uint16_t cp1252_80[32] = {
	0x20ac, 0xfffd, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0xfffd, 0x017d, 0xfffd,
	0xfffd, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0xfffd, 0x017e, 0x0178,
};

/* ISO-8859-2 0xA0-0xFF. */
static const uint16_t iso8859_2_a0[96] = {
	0x00a0, 0x0104, 0x02d8, 0x0141, 0x00a4, 0x013d, 0x015a, 0x00a7,
	0x00a8, 0x0160, 0x015e, 0x0164, 0x0179, 0x00ad, 0x017d, 0x017b,
	0x00b0, 0x0105, 0x02db, 0x0142, 0x00b4, 0x013e, 0x015b, 0x02c7,
	0x00b8, 0x0161, 0x015f, 0x0165, 0x017a, 0x02dd, 0x017e, 0x017c,
	0x0154, 0x00c1, 0x00c2, 0x0102, 0x00c4, 0x0139, 0x0106, 0x00c7,
	0x010c, 0x00c9, 0x0118, 0x00cb, 0x011a, 0x00cd, 0x00ce, 0x010e,
	0x0110, 0x0143, 0x0147, 0x00d3, 0x00d4, 0x0150, 0x00d6, 0x00d7,
	0x0158, 0x016e, 0x00da, 0x0170, 0x00dc, 0x00dd, 0x0162, 0x00df,
	0x0155, 0x00e1, 0x00e2, 0x0103, 0x00e4, 0x013a, 0x0107, 0x00e7,
	0x010d, 0x00e9, 0x0119, 0x00eb, 0x011b, 0x00ed, 0x00ee, 0x010f,
	0x0111, 0x0144, 0x0148, 0x00f3, 0x00f4, 0x0151, 0x00f6, 0x00f7,
	0x0159, 0x016f, 0x00fa, 0x0171, 0x00fc, 0x00fd, 0x0163, 0x02d9,
};

/* KOI8-R 0x80-0xFF. */
static const uint16_t koi8r_80[128] = {
	0x2500, 0x2502, 0x250c, 0x2510, 0x2514, 0x2518, 0x251c, 0x2524,
	0x252c, 0x2534, 0x253c, 0x2580, 0x2584, 0x2588, 0x258c, 0x2590,
	0x2591, 0x2592, 0x2593, 0x2320, 0x25a0, 0x2219, 0x221a, 0x2248,
	0x2264, 0x2265, 0x00a0, 0x2321, 0x00b0, 0x00b2, 0x00b7, 0x00f7,
	0x2550, 0x2551, 0x2552, 0x0451, 0x2553, 0x2554, 0x2555, 0x2556,
	0x2557, 0x2558, 0x2559, 0x255a, 0x255b, 0x255c, 0x255d, 0x255e,
	0x255f, 0x2560, 0x2561, 0x0401, 0x2562, 0x2563, 0x2564, 0x2565,
	0x2566, 0x2567, 0x2568, 0x2569, 0x256a, 0x256b, 0x256c, 0x00a9,
	0x044e, 0x0430, 0x0431, 0x0446, 0x0434, 0x0435, 0x0444, 0x0433,
	0x0445, 0x0438, 0x0439, 0x043a, 0x043b, 0x043c, 0x043d, 0x043e,
	0x043f, 0x044f, 0x0440, 0x0441, 0x0442, 0x0443, 0x0436, 0x0432,
	0x044c, 0x044b, 0x0437, 0x0448, 0x044d, 0x0449, 0x0447, 0x044a,
	0x042e, 0x0410, 0x0411, 0x0426, 0x0414, 0x0415, 0x0424, 0x0413,
	0x0425, 0x0418, 0x0419, 0x041a, 0x041b, 0x041c, 0x041d, 0x041e,
	0x041f, 0x042f, 0x0420, 0x0421, 0x0422, 0x0423, 0x0416, 0x0412,
	0x042c, 0x042b, 0x0417, 0x0428, 0x042d, 0x0429, 0x0427, 0x042a,
};

/* Names after lower-casing and dropping '-', '_' and ' '. */
static const struct {
	const char *name;
	enum cs_kind kind;
} cs_aliases[] = {
	{ "utf8", CS_UTF8 }, { "usascii", CS_UTF8 }, { "ascii", CS_UTF8 },
	{ "ansix3.41968", CS_UTF8 }, { "us", CS_UTF8 },
	{ "iso88591", CS_1252 }, { "iso88591:1987", CS_1252 },
	{ "latin1", CS_1252 }, { "l1", CS_1252 }, { "cp819", CS_1252 },
	{ "windows1252", CS_1252 }, { "cp1252", CS_1252 },
	{ "xcp1252", CS_1252 },
	{ "iso88592", CS_8859_2 }, { "iso88592:1987", CS_8859_2 },
	{ "latin2", CS_8859_2 }, { "l2", CS_8859_2 },
	{ "iso885915", CS_8859_15 }, { "latin9", CS_8859_15 },
	{ "latin0", CS_8859_15 },
	{ "koi8r", CS_KOI8R }, { "cskoi8r", CS_KOI8R },
};

static bool
is_lwsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static char *
put_cp(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		*o++ = (char)cp;
	} else if (cp < 0x800) {
		*o++ = (char)(0xc0 | (cp >> 6));
		*o++ = (char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (char)(0xe0 | (cp >> 12));
		*o++ = (char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/*
 * Length of the valid UTF-8 sequence at s (1-4), or 0 when there is none;
 * then *bad is the length of the maximal invalid subpart (at least 1).
 */
static size_t
utf8_scan(const unsigned char *s, size_t n, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf) {
		need = 1;
	} else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;	/* no surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;	/* nothing above U+10FFFF */
	} else {
		*bad = 1;
		return 0;
	}
	for (i = 1; i <= need; i++) {
		if (i >= n || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/* See rfc2047.h. */
bool
rfc2047_utf8_valid(const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, k, bad;

	while (i < len) {
		if ((k = utf8_scan(s + i, len - i, &bad)) == 0)
			return false;
		i += k;
	}
	return true;
}

/*
 * Writes s[0..n) as UTF-8 at o, which must have room for 3 * n bytes;
 * s must not overlap that room. Returns the new end.
 */
static char *
raw_to_utf8(char *o, const unsigned char *s, size_t n, unsigned flags)
{
	size_t i = 0, k, bad, j;

	while (i < n) {
		if ((k = utf8_scan(s + i, n - i, &bad)) != 0) {
			memcpy(o, s + i, k);
			o += k;
			i += k;
		} else if (flags & RFC2047_LATIN1) {
			for (j = 0; j < bad; j++)
				o = put_cp(o, s[i + j]);
			i += bad;
		} else {
			o = put_cp(o, 0xfffd);
			i += bad;
		}
	}
	return o;
}

/* See rfc2047.h. */
void
rfc2047_append_raw(struct buf *out, const char *p, size_t len,
    unsigned flags)
{
	char *end;

	if (len == 0)
		return;
	if (rfc2047_utf8_valid(p, len)) {
		buf_add(out, p, len);
		return;
	}
	buf_grow(out, len * 3);
	end = raw_to_utf8(out->p + out->len, (const unsigned char *)p, len,
	    flags);
	out->len = (size_t)(end - out->p);
	out->p[out->len] = '\0';
}

/*
 * Classifies a charset label (without "*lang"); for CS_ICONV, name gets
 * a NUL-terminated copy safe to hand to iconv_open().
 */
static enum cs_kind
cs_classify(const char *cs, size_t n, char name[RFC2047_CHARSET_MAX + 1])
{
	char norm[RFC2047_CHARSET_MAX + 1];
	size_t i, m = 0;
	unsigned char c;

	if (n == 0 || n > RFC2047_CHARSET_MAX)
		return CS_UNKNOWN;
	for (i = 0; i < n; i++) {
		c = (unsigned char)cs[i];
		/* No '/' or ',': glibc reads "//TRANSLIT" and friends
		 * from the name; mail must not choose those. */
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_' ||
		    c == '.' || c == ':' || c == '+'))
			return CS_UNKNOWN;
		name[i] = (char)c;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		if (c != '-' && c != '_')
			norm[m++] = (char)c;
	}
	name[n] = '\0';
	norm[m] = '\0';
	for (i = 0; i < sizeof(cs_aliases) / sizeof(cs_aliases[0]); i++)
		if (strcmp(norm, cs_aliases[i].name) == 0)
			return cs_aliases[i].kind;
	return CS_ICONV;
}

/* The charset part of a label: "*lang" (RFC 2231) cut off. */
static size_t
cs_len(const char *cs, size_t n)
{
	const char *star = memchr(cs, '*', n);

	return star == NULL ? n : (size_t)(star - cs);
}

/* Replaces out->p[mark..len) by its UTF-8 rendering, from the tail. */
static void
tail_move_down(struct buf *out, size_t mark, size_t src_end)
{
	size_t n = out->len - src_end;

	memmove(out->p + mark, out->p + src_end, n);
	out->len = mark + n;
	out->p[out->len] = '\0';
}

static void
tail_raw(struct buf *out, size_t mark, unsigned flags)
{
	size_t src_end = out->len, n = src_end - mark;
	char *end;

	if (rfc2047_utf8_valid(out->p + mark, n))
		return;
	buf_grow(out, n * 3);
	end = raw_to_utf8(out->p + src_end, (unsigned char *)out->p + mark, n,
	    flags);
	out->len = (size_t)(end - out->p);
	tail_move_down(out, mark, src_end);
}

static void
tail_table(struct buf *out, size_t mark, enum cs_kind kind)
{
	size_t src_end = out->len, n = src_end - mark, i;
	const unsigned char *s;
	uint32_t cp;
	char *o;

	buf_grow(out, n * 3);
	s = (const unsigned char *)out->p + mark;
	o = out->p + src_end;
	for (i = 0; i < n; i++) {
		cp = s[i];
		if (cp >= 0x80) {
			switch (kind) {
			case CS_1252:
				if (cp < 0xa0)
					cp = cp1252_80[cp - 0x80];
				break;
			case CS_8859_2:
				if (cp >= 0xa0)
					cp = iso8859_2_a0[cp - 0xa0];
				break;
			case CS_8859_15:
				switch (cp) {
				case 0xa4: cp = 0x20ac; break;
				case 0xa6: cp = 0x0160; break;
				case 0xa8: cp = 0x0161; break;
				case 0xb4: cp = 0x017d; break;
				case 0xb8: cp = 0x017e; break;
				case 0xbc: cp = 0x0152; break;
				case 0xbd: cp = 0x0153; break;
				case 0xbe: cp = 0x0178; break;
				}
				break;
			case CS_KOI8R:
				cp = koi8r_80[cp - 0x80];
				break;
			default:
				break;
			}
		}
		o = put_cp(o, cp);
	}
	out->len = (size_t)(o - out->p);
	tail_move_down(out, mark, src_end);
}

/* Returns -1 when iconv does not know the charset (tail left alone). */
static int
tail_iconv(struct buf *out, size_t mark, const char *name)
{
	size_t src_end = out->len, in_off = mark, inleft, outleft, r;
	iconv_t cd;
	char *in, *o;
	int err;

	if ((cd = iconv_open("UTF-8", name)) == (iconv_t)-1)
		return -1;
	buf_grow(out, (src_end - mark) * 4 + 16);
	while (in_off < src_end) {
		in = out->p + in_off;
		inleft = src_end - in_off;
		o = out->p + out->len;
		outleft = out->cap - out->len - 1;
		r = iconv(cd, &in, &inleft, &o, &outleft);
		err = errno;
		in_off = (size_t)(in - out->p);
		out->len = (size_t)(o - out->p);
		if (r != (size_t)-1)
			break;	/* done; UTF-8 has no shift state */
		if (err == E2BIG) {
			buf_grow(out, out->cap);
			continue;
		}
		/* EILSEQ: skip one byte; EINVAL: cut short at the end. */
		buf_grow(out, 3);
		out->len = (size_t)(put_cp(out->p + out->len, 0xfffd) -
		    out->p);
		if (err != EILSEQ)
			break;
		in_off++;
	}
	iconv_close(cd);
	out->p[out->len] = '\0';
	tail_move_down(out, mark, src_end);
	return 0;
}

/* Converts out->p[mark..len), bytes in charset cs, to UTF-8 in place. */
static int
tail_convert(struct buf *out, size_t mark, const char *cs, size_t cslen,
    unsigned flags)
{
	char name[RFC2047_CHARSET_MAX + 1];
	enum cs_kind kind = cs_classify(cs, cs_len(cs, cslen), name);

	if (mark == out->len)
		return kind == CS_UNKNOWN ? -1 : 0;
	switch (kind) {
	case CS_UTF8:
		tail_raw(out, mark, flags);
		return 0;
	case CS_ICONV:
		if (tail_iconv(out, mark, name) == 0)
			return 0;
		break;
	case CS_UNKNOWN:
		break;
	default:
		tail_table(out, mark, kind);
		return 0;
	}
	tail_raw(out, mark, flags);
	return -1;
}

/* See rfc2047.h. */
int
rfc2047_convert(struct buf *out, const char *charset, size_t cslen,
    const char *p, size_t len, unsigned flags)
{
	size_t mark = out->len;

	buf_add(out, p, len);
	return tail_convert(out, mark, charset, cslen, flags);
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

static bool
b64_valid(const unsigned char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] == '=')
			return true;	/* the rest is ignored */
		if (b64_value(s[i]) < 0 && !is_lwsp(s[i]))
			return false;
	}
	return true;
}

static void
b64_decode(struct buf *out, const unsigned char *s, size_t n)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t i;
	int v;

	buf_grow(out, n);
	for (i = 0; i < n && s[i] != '='; i++) {
		if ((v = b64_value(s[i])) < 0)
			continue;
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out->p[out->len++] = (char)((acc >> bits) & 0xff);
		}
	}
	out->p[out->len] = '\0';
}

static int
hex_value(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void
q_decode(struct buf *out, const unsigned char *s, size_t n)
{
	size_t i;
	int hi, lo;

	buf_grow(out, n);
	for (i = 0; i < n; i++) {
		if (s[i] == '_') {
			out->p[out->len++] = ' ';
		} else if (s[i] == '=' && i + 2 < n &&
		    (hi = hex_value(s[i + 1])) >= 0 &&
		    (lo = hex_value(s[i + 2])) >= 0) {
			out->p[out->len++] = (char)(hi << 4 | lo);
			i += 2;
		} else {
			out->p[out->len++] = (char)s[i];
		}
	}
	out->p[out->len] = '\0';
}

struct eword {
	const char *cs;		/* charset label, "*lang" included */
	size_t cslen;
	char enc;		/* 'B' or 'Q' */
	const unsigned char *text;
	size_t textlen;
	size_t end;		/* offset just past "?=" */
};

/*
 * Where the next "?=" at or after a position is. Candidates are tried in
 * increasing order, so remembering the last answer keeps a line full of
 * "=?x?q?" without any "?=" linear instead of quadratic.
 */
struct qe_cache {
	size_t from;		/* searched from here ... */
	size_t at;		/* ... and found "?=" here (len: none) */
	bool valid;
};

static size_t
find_qe(const char *p, size_t len, size_t from, struct qe_cache *c)
{
	const char *hit;

	if (c->valid && from >= c->from && from <= c->at)
		return c->at;
	hit = from + 1 < len ? memmem(p + from, len - from, "?=", 2) : NULL;
	c->from = from;
	c->at = hit == NULL ? len : (size_t)(hit - p);
	c->valid = true;
	return c->at;
}

/* Parses an encoded word starting at p[at] ("=?"); false if malformed. */
static bool
eword_parse(const char *p, size_t len, size_t at, struct qe_cache *qc,
    struct eword *w)
{
	size_t i = at + 2, qe;
	unsigned char c;

	w->cs = p + i;
	while (i < len && i - (at + 2) <= 2 * RFC2047_CHARSET_MAX) {
		c = (unsigned char)p[i];
		if (c == '?' || c <= ' ' || c >= 0x7f)
			break;
		i++;
	}
	w->cslen = (size_t)(p + i - w->cs);
	if (w->cslen == 0 || cs_len(w->cs, w->cslen) == 0 ||
	    cs_len(w->cs, w->cslen) > RFC2047_CHARSET_MAX)
		return false;
	if (i + 2 >= len || p[i] != '?' || p[i + 2] != '?')
		return false;
	switch (p[i + 1]) {
	case 'B': case 'b':
		w->enc = 'B';
		break;
	case 'Q': case 'q':
		w->enc = 'Q';
		break;
	default:
		return false;
	}
	i += 3;
	if ((qe = find_qe(p, len, i, qc)) >= len)
		return false;
	w->text = (const unsigned char *)p + i;
	w->textlen = qe - i;
	w->end = qe + 2;
	if (w->enc == 'B' && !b64_valid(w->text, w->textlen))
		return false;
	return true;
}

static bool
cs_same(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i;

	alen = cs_len(a, alen);
	blen = cs_len(b, blen);
	if (alen != blen)
		return false;
	for (i = 0; i < alen; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

static bool
all_lwsp(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!is_lwsp((unsigned char)p[i]))
			return false;
	return true;
}

/* See rfc2047.h. */
void
rfc2047_decode(struct buf *out, const char *p, size_t len, unsigned flags)
{
	struct qe_cache qc = { 0, 0, false };
	size_t raw = 0;		/* start of text not yet emitted */
	size_t scan = 0;	/* where to look for the next "=?" */
	size_t mark = 0;	/* start of the open run's bytes in out */
	const char *run_cs = NULL;
	size_t run_cslen = 0;
	const char *hit;
	struct eword w;
	bool adjacent;
	size_t at;

	buf_grow(out, 0);	/* out->p is a string even for empty input */
	out->p[out->len] = '\0';
	while (scan + 1 < len &&
	    (hit = memmem(p + scan, len - scan, "=?", 2)) != NULL) {
		at = (size_t)(hit - p);
		if (!eword_parse(p, len, at, &qc, &w)) {
			scan = at + 1;
			continue;
		}
		/* Only whitespace since the previous word: drop it. */
		adjacent = run_cs != NULL && all_lwsp(p + raw, at - raw);
		if (run_cs != NULL && (!adjacent || !cs_same(run_cs, run_cslen,
		    w.cs, w.cslen))) {
			tail_convert(out, mark, run_cs, run_cslen, flags);
			run_cs = NULL;
		}
		if (run_cs == NULL) {
			if (!adjacent)
				rfc2047_append_raw(out, p + raw, at - raw,
				    flags);
			mark = out->len;
			run_cs = w.cs;
			run_cslen = w.cslen;
		}
		if (w.enc == 'B')
			b64_decode(out, w.text, w.textlen);
		else
			q_decode(out, w.text, w.textlen);
		raw = scan = w.end;
	}
	if (run_cs != NULL)
		tail_convert(out, mark, run_cs, run_cslen, flags);
	rfc2047_append_raw(out, p + raw, len - raw, flags);
}
