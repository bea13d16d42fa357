/*
 * tstamp - timestamps at the start of log lines, and civil time arithmetic
 *
 * Readers take a byte view and return how many bytes the stamp used (0 if
 * there is none); they never allocate, print or consult the locale or the
 * environment. Classic syslog stamps have no year and no zone: turning
 * them into an instant is tstamp_clock's job (year inference from a file's
 * time, Dec->Jan steps) together with struct tzconv (the run's --tz).
 */
#ifndef MAILSPILL_TSTAMP_H
#define MAILSPILL_TSTAMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tstamp_tm {
	int year;		/* 0 when the stamp has none */
	int mon, day;		/* 1-12, 1-31 */
	int hour, min, sec;
	uint32_t usec;
	bool has_zone;
	int32_t gmtoff;		/* seconds east of UTC, when has_zone */
};

/* "Mmm dd hh:mm:ss" with the day padded by a space or a zero, and an
 * optional ".fraction" (journalctl short-precise). */
size_t tstamp_classic(const char *p, size_t len, struct tstamp_tm *tm);
/* "YYYY-MM-DD[T ]hh:mm:ss[.frac][Z|+hh:mm|+hhmm| +hhmm]" (RFC 3339,
 * ISO 8601 and Exim's "2025-09-15 07:40:01[.123][ +0100]"). With
 * allow_space_zone, a zone after one space is taken too (Exim). */
size_t tstamp_iso(const char *p, size_t len, bool allow_space_zone,
    struct tstamp_tm *tm);

/* Days since 1970-01-01 of a proleptic Gregorian date. */
int64_t tstamp_days_from_civil(int y, int m, int d);
/* Seconds since the epoch of a civil time taken as UTC. */
int64_t tstamp_timegm(int y, int mon, int d, int h, int mi, int s);
/* Civil date of an instant taken as UTC. */
void tstamp_civil_from_epoch(int64_t t, int *y, int *mon, int *d,
    int *h, int *mi, int *s);

/*
 * tzconv - the run's time zone (--tz, default local). Zone-less civil
 * times are taken in it; output times are written in it with their
 * offset. Works through the C library's zone database with TZ set once at
 * start; the last conversion is cached because consecutive lines share
 * the hour.
 */
struct tzconv {
	int64_t cache_key;	/* civil hour key of the cached offset */
	int32_t cache_off;
	int64_t out_key;	/* UTC hour key of the cached output offset */
	int32_t out_off;
	int64_t fmt_day;	/* local day of fmt_date, under fmt_off */
	int32_t fmt_off;
	char fmt_date[12];	/* "YYYY-MM-DDT" */
	char fmt_zone[8];	/* "+HH:MM" */
};

void tzconv_init(struct tzconv *z);
/* Instant of a civil time in the run's zone (the earlier one on a
 * repeated autumn hour). */
int64_t tzconv_to_epoch(struct tzconv *z, int y, int mon, int d, int h,
    int mi, int s);
/* Offset east of UTC of the run's zone at instant t. */
int32_t tzconv_offset(struct tzconv *z, int64_t t);
/* Writes "YYYY-MM-DDThh:mm:ss+hh:mm" (26 bytes incl. NUL) for t in the
 * run's zone. */
void tzconv_format(struct tzconv *z, int64_t t, char out[32]);
/* Parses a user time ("2025-03-10", "2025-03-10T07:42", with or without
 * zone; zone-less taken in the run's zone). Returns -1 on bad input. */
int tzconv_parse_user(struct tzconv *z, const char *s, int64_t *out);

/*
 * tstamp_clock - the year of classic (year-less) stamps in one file.
 * The first stamp's year comes from the file's modification time: the
 * year of the mtime, or the year before when the stamp's month and day
 * lie after the mtime's (a file spans less than a year). From there each
 * step back of six months or more (Dec -> Jan) adds a year. A fixed year
 * (--year) disables inference.
 */
struct tstamp_clock {
	int year;		/* year of the current line */
	int last_mon;		/* 0 before the first line */
	int ref_year, ref_mon, ref_day;	/* file time, civil, run's zone */
	bool fixed;
	int first_year;		/* what was inferred for the first line */
	int steps;		/* Dec -> Jan steps seen */
};

/* ref_*: the file's modification time as a civil date in the run's
 * zone; fixed_year > 0 forces that year for the first line. */
void tstamp_clock_init(struct tstamp_clock *c, int ref_year, int ref_mon,
    int ref_day, int fixed_year);
/* Fills tm->year for a year-less stamp and advances the clock. */
void tstamp_clock_year(struct tstamp_clock *c, struct tstamp_tm *tm);

#endif
