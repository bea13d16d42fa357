/*
 * idna - domains in their ASCII form. See idna.h.
 */
#include "idna.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

/* A label is at most 63 bytes, so at most 63 code points. */
#define LABEL_MAX	63

/* RFC 3492 parameters for IDNA. */
enum {
	PC_BASE = 36, PC_TMIN = 1, PC_TMAX = 26, PC_SKEW = 38,
	PC_DAMP = 700, PC_BIAS = 72, PC_N = 128,
};

/* Decodes one UTF-8 sequence at p (< end); 0 when invalid. */
static size_t
utf8_next(const unsigned char *p, const unsigned char *end, uint32_t *cp)
{
	size_t n, i;
	uint32_t c = p[0], min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, c &= 0x1f, min = 0x80;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, c &= 0x0f, min = 0x800;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, c &= 0x07, min = 0x10000;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Simple lower-case mapping of the capitals mail domains use. */
static uint32_t
lower(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c + 32;
	if (c >= 0xc0 && c <= 0xde && c != 0xd7)
		return c + 32;
	if ((c >= 0x100 && c <= 0x12f) || (c >= 0x132 && c <= 0x137) ||
	    (c >= 0x14a && c <= 0x177))
		return c % 2 == 0 ? c + 1 : c;
	if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17e))
		return c % 2 == 1 ? c + 1 : c;
	if (c == 0x178)
		return 0xff;
	if (c >= 0x391 && c <= 0x3a9 && c != 0x3a2)
		return c + 32;
	if (c >= 0x410 && c <= 0x42f)
		return c + 32;
	if (c >= 0x400 && c <= 0x40f)
		return c + 80;
	return c;
}

static uint32_t
adapt(uint32_t delta, uint32_t npoints, bool first)
{
	uint32_t k = 0;

	delta = first ? delta / PC_DAMP : delta / 2;
	delta += delta / npoints;
	while (delta > ((PC_BASE - PC_TMIN) * PC_TMAX) / 2) {
		delta /= PC_BASE - PC_TMIN;
		k += PC_BASE;
	}
	return k + (PC_BASE - PC_TMIN + 1) * delta / (delta + PC_SKEW);
}

static char
digit(uint32_t d)
{
	return (char)(d < 26 ? 'a' + d : '0' + (d - 26));
}

/* Punycode of cps[0, n) into out; returns the length, 0 on overflow. */
static size_t
punycode_encode(const uint32_t *cps, size_t n, char *out, size_t cap)
{
	uint32_t cp = PC_N, delta = 0, bias = PC_BIAS, h, b = 0, m, q, k, t;
	size_t o = 0, j;

	for (j = 0; j < n; j++)
		if (cps[j] < 0x80) {
			if (o >= cap)
				return 0;
			out[o++] = (char)cps[j];
			b++;
		}
	h = b;
	if (b > 0) {
		if (o >= cap)
			return 0;
		out[o++] = '-';
	}
	while (h < n) {
		for (m = UINT32_MAX, j = 0; j < n; j++)
			if (cps[j] >= cp && cps[j] < m)
				m = cps[j];
		if ((m - cp) > (UINT32_MAX - delta) / (h + 1))
			return 0;
		delta += (m - cp) * (h + 1);
		cp = m;
		for (j = 0; j < n; j++) {
			if (cps[j] < cp && ++delta == 0)
				return 0;
			if (cps[j] != cp)
				continue;
			for (q = delta, k = PC_BASE;; k += PC_BASE) {
				t = k <= bias ? PC_TMIN : k >= bias + PC_TMAX ?
				    PC_TMAX : k - bias;
				if (q < t)
					break;
				if (o >= cap)
					return 0;
				out[o++] = digit(t + (q - t) % (PC_BASE - t));
				q = (q - t) / (PC_BASE - t);
			}
			if (o >= cap)
				return 0;
			out[o++] = digit(q);
			bias = adapt(delta, h + 1, h == b);
			delta = 0;
			h++;
		}
		delta++;
		cp++;
	}
	return o;
}

/* See idna.h. */
size_t
idna_to_ascii(const char *d, size_t n, char *out, size_t cap)
{
	const unsigned char *p = (const unsigned char *)d, *end = p + n;
	uint32_t cps[LABEL_MAX];
	size_t o = 0, i;
	bool any = false;

	for (i = 0; i < n; i++)
		if (p[i] >= 0x80)
			any = true;
	if (!any)
		return 0;
	while (p <= end) {
		const unsigned char *dot = memchr(p, '.', (size_t)(end - p));
		const unsigned char *lend = dot != NULL ? dot : end;
		bool wide = false;
		size_t ncp = 0, len, step;

		for (i = 0; p + i < lend; i++)
			if (p[i] >= 0x80)
				wide = true;
		if (!wide) {
			len = (size_t)(lend - p);
			if (o + len > cap)
				return 0;
			memcpy(out + o, p, len);
			o += len;
		} else {
			const unsigned char *q = p;

			while (q < lend) {
				if (ncp == LABEL_MAX ||
				    (step = utf8_next(q, lend, &cps[ncp])) == 0)
					return 0;
				cps[ncp] = lower(cps[ncp]);
				ncp++;
				q += step;
			}
			if (o + 4 > cap)
				return 0;
			memcpy(out + o, "xn--", 4);
			len = punycode_encode(cps, ncp, out + o + 4,
			    cap - o - 4);
			if (len == 0 || len + 4 > LABEL_MAX)
				return 0;
			o += 4 + len;
		}
		if (dot == NULL)
			break;
		if (o >= cap)
			return 0;
		out[o++] = '.';
		p = dot + 1;
	}
	return o;
}
