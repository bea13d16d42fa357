/*
 * str - views into bytes that someone else owns
 *
 * A struct str is a pointer and a length; it is not NUL-terminated and
 * lives only as long as the bytes it points into (usually the current
 * input line). The helpers here never allocate.
 */
#ifndef MAILSPILL_STR_H
#define MAILSPILL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct str {
	const char *p;
	size_t len;
};

#define STR_NULL	((struct str){ NULL, 0 })
/* Empty but never NULL: safe to copy from. */
#define STR_EMPTY	((struct str){ "", 0 })
#define STR_LIT(s)	((struct str){ (s), sizeof(s) - 1 })

static inline struct str
str_make(const char *p, size_t len)
{
	struct str s = { p, len };

	return s;
}

static inline bool
str_eq_lit(struct str s, const char *lit, size_t litlen)
{
	return s.len == litlen && memcmp(s.p, lit, litlen) == 0;
}

#define STR_EQ(s, lit)	str_eq_lit((s), (lit), sizeof(lit) - 1)

/*
 * Index of the first byte of p[from, n) that is a or b, or n. Eight bytes
 * a step where words are little-endian (the lowest marked byte of the
 * zero-byte test is exact); the tokenizers of long log lines spend their
 * time here.
 */
static inline size_t
str_find2(const char *p, size_t from, size_t n, char a, char b)
{
	size_t i = from;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	const uint64_t ones = UINT64_C(0x0101010101010101);
	const uint64_t highs = UINT64_C(0x8080808080808080);

	for (; i + 8 <= n; i += 8) {
		uint64_t w, x, y, m;

		memcpy(&w, p + i, 8);
		x = w ^ (ones * (unsigned char)a);
		y = w ^ (ones * (unsigned char)b);
		m = ((x - ones) & ~x) | ((y - ones) & ~y);
		m &= highs;
		if (m != 0)
			return i + (size_t)(__builtin_ctzll(m) >> 3);
	}
#endif
	for (; i < n; i++)
		if (p[i] == a || p[i] == b)
			return i;
	return n;
}

static inline bool
str_starts(struct str s, const char *lit, size_t litlen)
{
	return s.len >= litlen && memcmp(s.p, lit, litlen) == 0;
}

#define STR_STARTS(s, lit)	str_starts((s), (lit), sizeof(lit) - 1)

static inline struct str
str_skip(struct str s, size_t n)
{
	if (n > s.len)
		n = s.len;
	return str_make(s.p + n, s.len - n);
}

static inline struct str
str_trim(struct str s)
{
	while (s.len > 0 && (s.p[0] == ' ' || s.p[0] == '\t'))
		s.p++, s.len--;
	while (s.len > 0 && (s.p[s.len - 1] == ' ' || s.p[s.len - 1] == '\t' ||
	    s.p[s.len - 1] == '\r'))
		s.len--;
	return s;
}

/* Position of the first occurrence of needle in s, or -1. */
static inline long
str_find(struct str s, const char *needle, size_t nlen)
{
	const char *hit;

	if (nlen == 0)
		return 0;
	if (s.len < nlen)
		return -1;
	hit = memmem(s.p, s.len, needle, nlen);
	return hit == NULL ? -1 : (long)(hit - s.p);
}

#define STR_FIND(s, lit)	str_find((s), (lit), sizeof(lit) - 1)

#endif
