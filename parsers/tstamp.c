/*
 * tstamp - log timestamps and civil time. See tstamp.h.
 *
 * Byte compares, not strptime(): logs carry C-locale month names whatever
 * the reader's locale, and this runs once per line.
 */
#include "tstamp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int
two_digits(const char *p, int max)
{
	int v;

	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	v = (p[0] - '0') * 10 + (p[1] - '0');
	return v > max ? -1 : v;
}

static int
month_number(const char *p)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int m;

	for (m = 0; m < 12; m++)
		if (memcmp(p, months + 3 * m, 3) == 0)
			return m + 1;
	return 0;
}

/* Reads ".ddd..." (any number of digits, kept to microseconds). */
static size_t
read_fraction(const char *p, size_t len, uint32_t *usec)
{
	size_t i = 1, digits = 0;
	uint32_t v = 0;

	if (len < 2 || (p[0] != '.' && p[0] != ',') || p[1] < '0' || p[1] > '9')
		return 0;
	for (; i < len && p[i] >= '0' && p[i] <= '9'; i++) {
		if (digits < 6) {
			v = v * 10 + (uint32_t)(p[i] - '0');
			digits++;
		}
	}
	while (digits++ < 6)
		v *= 10;
	*usec = v;
	return i;
}

/* See tstamp.h. */
size_t
tstamp_classic(const char *p, size_t len, struct tstamp_tm *tm)
{
	size_t n, d;

	if (len < 14 || p[3] != ' ')
		return 0;
	memset(tm, 0, sizeof(*tm));
	if ((tm->mon = month_number(p)) == 0)
		return 0;
	/* The day: " 7" (syslog), "07" (postlogd) or "7" (some relays
	 * and reformatters drop the padding). */
	if (p[4] == ' ' && p[5] >= '1' && p[5] <= '9')
		tm->day = p[5] - '0', d = 6;
	else if (p[4] >= '1' && p[4] <= '9' && p[5] == ' ')
		tm->day = p[4] - '0', d = 5;
	else if ((tm->day = two_digits(p + 4, 31)) > 0)
		d = 6;
	else
		return 0;
	if (len < d + 9 || p[d] != ' ' || p[d + 3] != ':' || p[d + 6] != ':')
		return 0;
	tm->hour = two_digits(p + d + 1, 23);
	tm->min = two_digits(p + d + 4, 59);
	tm->sec = two_digits(p + d + 7, 60);	/* 60: leap second */
	if (tm->day < 1 || tm->hour < 0 || tm->min < 0 || tm->sec < 0)
		return 0;
	n = d + 9;
	n += read_fraction(p + n, len - n, &tm->usec);
	return n;
}

static size_t
read_zone(const char *p, size_t len, struct tstamp_tm *tm)
{
	int h, m, sign;

	if (len >= 1 && p[0] == 'Z') {
		tm->has_zone = true;
		tm->gmtoff = 0;
		return 1;
	}
	if (len < 5 || (p[0] != '+' && p[0] != '-'))
		return 0;
	sign = p[0] == '-' ? -1 : 1;
	if ((h = two_digits(p + 1, 23)) < 0)
		return 0;
	if (p[3] == ':') {
		if (len < 6 || (m = two_digits(p + 4, 59)) < 0)
			return 0;
		tm->has_zone = true;
		tm->gmtoff = sign * (h * 3600 + m * 60);
		return 6;
	}
	if ((m = two_digits(p + 3, 59)) < 0)
		return 0;
	tm->has_zone = true;
	tm->gmtoff = sign * (h * 3600 + m * 60);
	return 5;
}

/* See tstamp.h. */
size_t
tstamp_iso(const char *p, size_t len, bool allow_space_zone,
    struct tstamp_tm *tm)
{
	size_t n, z;
	int c;

	if (len < 19 || p[4] != '-' || p[7] != '-' ||
	    (p[10] != 'T' && p[10] != ' ') || p[13] != ':' || p[16] != ':')
		return 0;
	memset(tm, 0, sizeof(*tm));
	if ((c = two_digits(p, 99)) < 0 || two_digits(p + 2, 99) < 0)
		return 0;
	tm->year = c * 100 + two_digits(p + 2, 99);
	tm->mon = two_digits(p + 5, 12);
	tm->day = two_digits(p + 8, 31);
	tm->hour = two_digits(p + 11, 23);
	tm->min = two_digits(p + 14, 59);
	tm->sec = two_digits(p + 17, 60);
	if (tm->mon < 1 || tm->day < 1 || tm->hour < 0 || tm->min < 0 ||
	    tm->sec < 0)
		return 0;
	n = 19;
	n += read_fraction(p + n, len - n, &tm->usec);
	z = read_zone(p + n, len - n, tm);
	if (z == 0 && allow_space_zone && n < len && p[n] == ' ') {
		z = read_zone(p + n + 1, len - n - 1, tm);
		/* "Z" after a space is a word, not a zone. */
		if (z == 1)
			z = 0, tm->has_zone = false;
		if (z)
			z++;
	}
	return n + z;
}

/* See tstamp.h. Howard Hinnant's days_from_civil. */
int64_t
tstamp_days_from_civil(int y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* See tstamp.h. */
int64_t
tstamp_timegm(int y, int mon, int d, int h, int mi, int s)
{
	return tstamp_days_from_civil(y, mon, d) * 86400 + h * 3600 +
	    mi * 60 + s;
}

/* See tstamp.h. */
void
tstamp_civil_from_epoch(int64_t t, int *y, int *mon, int *d, int *h,
    int *mi, int *s)
{
	int64_t z = t >= 0 ? t / 86400 : (t - 86399) / 86400;
	int64_t secs = t - z * 86400, era, doe, yoe, doy, mp;

	*h = (int)(secs / 3600);
	*mi = (int)(secs / 60 % 60);
	*s = (int)(secs % 60);
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mon = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*mon <= 2));
}

void
tzconv_init(struct tzconv *z)
{
	z->cache_key = INT64_MIN;
	z->cache_off = 0;
	z->out_key = INT64_MIN;
	z->out_off = 0;
	z->fmt_day = INT64_MIN;
	z->fmt_off = 0;
}

/* See tstamp.h. */
int32_t
tzconv_offset(struct tzconv *z, int64_t t)
{
	int64_t key = t >= 0 ? t / 900 : (t - 899) / 900;
	struct tm tm;
	time_t tt = (time_t)t;

	/* Zone offsets change on quarter hours at most. */
	if (key == z->out_key)
		return z->out_off;
	if (localtime_r(&tt, &tm) == NULL)
		return 0;
	z->out_key = key;
	z->out_off = (int32_t)tm.tm_gmtoff;
	return z->out_off;
}

/* See tstamp.h. */
int64_t
tzconv_to_epoch(struct tzconv *z, int y, int mon, int d, int h, int mi,
    int s)
{
	int64_t local = tstamp_timegm(y, mon, d, h, mi, s);
	int64_t key = local / 900, t;
	int32_t off;

	if (key == z->cache_key)
		return local - z->cache_off;
	/* Guess with the offset at the UTC reading, then correct once:
	 * enough for every zone whose offset changes by less than a day. */
	off = tzconv_offset(z, local);
	t = local - off;
	off = tzconv_offset(z, t);
	t = local - off;
	z->cache_key = key;
	z->cache_off = off;
	return t;
}

static char *
put2(char *p, int v)
{
	p[0] = (char)('0' + v / 10 % 10);
	p[1] = (char)('0' + v % 10);
	return p + 2;
}

/* See tstamp.h. */
void
tzconv_format(struct tzconv *z, int64_t t, char out[32])
{
	int32_t off = tzconv_offset(z, t);
	int64_t local = t + off;
	int64_t day = local >= 0 ? local / 86400 : (local - 86399) / 86400;
	int secs = (int)(local - day * 86400);
	int ao = off < 0 ? -off : off;
	char *p;

	/* By hand, not snprintf(): this runs once per output row. The
	 * date and the offset are kept from the row before when they are
	 * the same (rows come roughly in time order). */
	if (day != z->fmt_day || off != z->fmt_off) {
		int y, mon, d, h, mi, sec;

		tstamp_civil_from_epoch(local, &y, &mon, &d, &h, &mi, &sec);
		if (y < 0 || y > 9999)
			y = 0;
		p = z->fmt_date;
		p = put2(p, y / 100);
		p = put2(p, y % 100);
		*p++ = '-';
		p = put2(p, mon);
		*p++ = '-';
		p = put2(p, d);
		*p++ = 'T';
		p = z->fmt_zone;
		*p++ = off < 0 ? '-' : '+';
		p = put2(p, ao / 3600);
		*p++ = ':';
		p = put2(p, ao / 60 % 60);
		*p = '\0';
		z->fmt_day = day;
		z->fmt_off = off;
	}
	memcpy(out, z->fmt_date, 11);
	p = out + 11;
	p = put2(p, secs / 3600);
	*p++ = ':';
	p = put2(p, secs / 60 % 60);
	*p++ = ':';
	p = put2(p, secs % 60);
	memcpy(p, z->fmt_zone, 7);
}

/* See tstamp.h. */
int
tzconv_parse_user(struct tzconv *z, const char *s, int64_t *out)
{
	char buf[64];
	size_t len = strlen(s);
	struct tstamp_tm tm;

	if (len >= sizeof(buf) - 10)
		return -1;
	/* Complete "YYYY-MM-DD" and "YYYY-MM-DDThh:mm" to full stamps. */
	memcpy(buf, s, len + 1);
	if (len == 10)
		memcpy(buf + 10, "T00:00:00", 10), len = 19;
	else if (len == 16)
		memcpy(buf + 16, ":00", 4), len = 19;
	else if (len > 16 && buf[16] != ':') {
		memmove(buf + 19, buf + 16, len - 16 + 1);
		memcpy(buf + 16, ":00", 3);
		len += 3;
	}
	if (tstamp_iso(buf, len, true, &tm) != len)
		return -1;
	if (tm.has_zone)
		*out = tstamp_timegm(tm.year, tm.mon, tm.day, tm.hour, tm.min,
		    tm.sec) - tm.gmtoff;
	else
		*out = tzconv_to_epoch(z, tm.year, tm.mon, tm.day, tm.hour,
		    tm.min, tm.sec);
	return 0;
}

/* See tstamp.h. */
void
tstamp_clock_init(struct tstamp_clock *c, int ref_year, int ref_mon,
    int ref_day, int fixed_year)
{
	c->year = fixed_year > 0 ? fixed_year : ref_year;
	c->last_mon = 0;
	c->ref_year = ref_year;
	c->ref_mon = ref_mon;
	c->ref_day = ref_day;
	c->fixed = fixed_year > 0;
	c->first_year = 0;
	c->steps = 0;
}

/* See tstamp.h. */
void
tstamp_clock_year(struct tstamp_clock *c, struct tstamp_tm *tm)
{
	if (c->last_mon == 0) {
		/* A day of slack: the file time may be in another zone
		 * than the stamps. */
		if (!c->fixed &&
		    tm->mon * 32 + tm->day > c->ref_mon * 32 + c->ref_day + 1)
			c->year = c->ref_year - 1;
		c->first_year = c->year;
	} else if (tm->mon + 6 <= c->last_mon) {
		c->year++;
		c->steps++;
	}
	c->last_mon = tm->mon;
	tm->year = c->year;
}
