/*
 * syslog - syslog line prefixes. See syslog.h.
 */
#include "syslog.h"

#include <string.h>

static size_t
skip_digits(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && p[i] >= '0' && p[i] <= '9')
		i++;
	return i;
}

/* Reads one space-delimited word. */
static struct str
take_word(const char **pp, const char *end)
{
	const char *p = *pp, *start = p;

	while (p < end && *p != ' ')
		p++;
	*pp = p;
	return str_make(start, (size_t)(p - start));
}

static void
split_tag(struct syslog_rec *r)
{
	const char *slash = NULL, *p;

	for (p = r->tag.p; p < r->tag.p + r->tag.len; p++)
		if (*p == '/')
			slash = p;
	if (slash == NULL) {
		r->program = r->tag;
		r->instance = r->tag;
	} else {
		r->instance = str_make(r->tag.p, (size_t)(slash - r->tag.p));
		r->program = str_make(slash + 1,
		    (size_t)(r->tag.p + r->tag.len - slash - 1));
	}
}

static int
parse_5424(const char *p, const char *end, struct syslog_rec *r)
{
	struct str procid, msgid;
	size_t n;

	if ((n = tstamp_iso(p, (size_t)(end - p), false, &r->tm)) == 0)
		return -1;
	r->stamp = str_make(p, n);
	p += n;
	if (p >= end || *p++ != ' ')
		return -1;
	r->host = take_word(&p, end);
	if (p >= end || *p++ != ' ')
		return -1;
	r->tag = take_word(&p, end);
	if (p >= end || *p++ != ' ')
		return -1;
	procid = take_word(&p, end);
	if (p >= end || *p++ != ' ')
		return -1;
	msgid = take_word(&p, end);
	(void)msgid;
	if (p >= end || *p++ != ' ')
		return -1;
	/* STRUCTURED-DATA: "-" or one or more [...] blocks (with escaped
	 * "\]" inside values). */
	if (p < end && *p == '-') {
		p++;
	} else {
		while (p < end && *p == '[') {
			while (p < end && *p != ']') {
				if (*p == '\\' && p + 1 < end)
					p++;
				p++;
			}
			if (p < end)
				p++;
		}
	}
	if (p < end && *p == ' ')
		p++;
	if (end - p >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	r->pid = STR_EQ(procid, "-") ? STR_NULL : procid;
	if (STR_EQ(r->tag, "-"))
		r->tag = STR_NULL;
	r->msg = str_make(p, (size_t)(end - p));
	split_tag(r);
	return 0;
}

/* See syslog.h. */
int
syslog_parse(const char *p, size_t len, struct syslog_rec *r)
{
	const char *end = p + len, *q;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	if (p < end && *p == '<') {
		n = skip_digits(p + 1, (size_t)(end - p - 1));
		if (n == 0 || n > 3 || p + 1 + n >= end || p[1 + n] != '>')
			return -1;
		p += n + 2;
		if (end - p > 2 && p[0] == '1' && p[1] == ' ')
			return parse_5424(p + 2, end, r);
	}
	if ((n = tstamp_classic(p, (size_t)(end - p), &r->tm)) == 0 &&
	    (n = tstamp_iso(p, (size_t)(end - p), false, &r->tm)) == 0)
		return -1;
	r->stamp = str_make(p, n);
	p += n;
	if (p >= end || *p != ' ')
		return -1;
	p++;
	r->host = take_word(&p, end);
	if (r->host.len == 0 || p >= end)
		return -1;
	p++;
	/* The tag runs to '[' or ':'; it has no spaces. */
	for (q = p; q < end && *q != '[' && *q != ':' && *q != ' '; q++)
		;
	if (q == p || q >= end)
		return -1;
	r->tag = str_make(p, (size_t)(q - p));
	if (*q == '[') {
		const char *pid = ++q;

		while (q < end && *q != ']')
			q++;
		if (q >= end)
			return -1;
		r->pid = str_make(pid, (size_t)(q - pid));
		q++;
	}
	if (q >= end || *q != ':')
		return -1;
	q++;
	if (q < end && *q == ' ')
		q++;
	r->msg = str_make(q, (size_t)(end - q));
	split_tag(r);
	return 0;
}
