/*
 * select - row selection. See select.h.
 */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "select.h"

#include <pcre2.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

void
select_init(struct select *s)
{
	memset(s, 0, sizeof(*s));
	s->since = INT64_MIN;
	s->until = INT64_MAX;
}

int
select_compile(struct select *s, char *err, size_t errlen)
{
	int code;
	PCRE2_SIZE off;

	if (s->subject == NULL)
		return 0;
	s->re = pcre2_compile((PCRE2_SPTR)s->subject, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &off, NULL);
	if (s->re == NULL) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(code, msg, sizeof(msg));
		snprintf(err, errlen, "--subject: %s at offset %zu",
		    (char *)msg, (size_t)off);
		return -1;
	}
	pcre2_jit_compile(s->re, PCRE2_JIT_COMPLETE);
	s->md = pcre2_match_data_create_from_pattern(s->re, NULL);
	return 0;
}

void
select_free(struct select *s)
{
	if (s->md != NULL)
		pcre2_match_data_free(s->md);
	if (s->re != NULL)
		pcre2_code_free(s->re);
	s->md = s->re = NULL;
}

/* Message-IDs compare without <> and blanks. */
static bool
msgid_eq(const char *a, const char *b)
{
	size_t la, lb;

	while (*a == ' ' || *a == '<')
		a++;
	while (*b == ' ' || *b == '<')
		b++;
	la = strlen(a);
	lb = strlen(b);
	while (la > 0 && (a[la - 1] == ' ' || a[la - 1] == '>'))
		la--;
	while (lb > 0 && (b[lb - 1] == ' ' || b[lb - 1] == '>'))
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

static bool
addr_eq(const char *a, const char *b)
{
	while (*a == '<')
		a++;
	while (*b == '<')
		b++;
	return msgid_eq(a, b);
}

bool
select_msg(struct select *s, const struct msg_store *st,
    const struct recon_msg *m)
{
	uint32_t i;

	if (s->msgid != NULL && (m->msgid == NULL ||
	    !msgid_eq(m->msgid, s->msgid)))
		return false;
	if (s->from != NULL && !addr_eq(intern_str(&st->strings, m->sender),
	    s->from))
		return false;
	if (s->qid != NULL) {
		bool hit = false;

		for (i = 0; i < m->nhops && !hit; i++)
			hit = strcmp(m->hops[i].qid, s->qid) == 0;
		if (!hit)
			return false;
	}
	if (s->re != NULL && (m->subject == NULL || pcre2_match(s->re,
	    (PCRE2_SPTR)m->subject, strlen(m->subject), 0, 0, s->md,
	    NULL) < 0))
		return false;
	return true;
}

bool
select_row(const struct select *s, const struct msg_store *st,
    const struct recon_row *row)
{
	int64_t t = row->r != NULL ? row->r->time : row->rj->time;
	uint32_t addr = row->r != NULL ? row->r->addr : row->rj->rcpt;

	if (t < s->since || t > s->until)
		return false;
	if (s->to != NULL && !addr_eq(intern_str(&st->strings, addr), s->to) &&
	    !(row->parent && addr_eq(intern_str(&st->strings, row->parent),
	    s->to)))
		return false;
	return true;
}
