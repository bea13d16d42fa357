/*
 * rfc5322 - header fields: splitting, unfolding, address and Message-ID
 * lists
 *
 * Contract in rfc5322.h. The address parser is a lenient recursive-descent
 * over a lexer that is a pure function of a position, so ranges found
 * while parsing are rendered afterwards by walking them again; nothing is
 * copied until an item is emitted, and no construct makes a byte be looked
 * at more than a few times (no quadratic cases: 1 MB of commas, quotes,
 * brackets or words is linear). Nesting of comments is a counter, not
 * recursion.
 */
#include "rfc5322.h"
#include "rfc2047.h"
#include "../lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* ---- Header fields --------------------------------------------------- */

/* Length of the line break at p[i] (CRLF, LF, CR), 0 if none. */
static size_t
break_len(const char *p, size_t len, size_t i)
{
	if (p[i] == '\n')
		return 1;
	if (p[i] == '\r')
		return i + 1 < len && p[i + 1] == '\n' ? 2 : 1;
	return 0;
}

/* See rfc5322.h. */
size_t
rfc5322_field_len(const char *p, size_t len)
{
	size_t i = 0, k;

	while (i < len) {
		if ((k = break_len(p, len, i)) == 0) {
			i++;
			continue;
		}
		i += k;
		if (i >= len || (p[i] != ' ' && p[i] != '\t'))
			return i;
	}
	return len;
}

/* See rfc5322.h. */
int
rfc5322_field_split(const char *p, size_t len, struct str *name,
    struct str *value)
{
	size_t i, n;

	for (i = 0; i < len && p[i] != ':'; i++)
		if (p[i] == '\r' || p[i] == '\n')
			return -1;
	if (i >= len)
		return -1;
	n = i;
	while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '\t'))
		n--;
	if (n == 0)
		return -1;
	for (i = 0; i < n; i++)
		if ((unsigned char)p[i] < 33 || (unsigned char)p[i] > 126)
			return -1;
	*name = str_make(p, n);
	for (i = n; p[i] != ':'; i++)
		;
	*value = str_make(p + i + 1, len - i - 1);
	return 0;
}

/* See rfc5322.h. */
void
rfc5322_unfold(struct buf *out, const char *p, size_t len)
{
	size_t i = 0, run, k;

	buf_grow(out, len);
	while (i < len) {
		for (run = i; run < len && p[run] != '\r' && p[run] != '\n';
		    run++)
			;
		buf_add(out, p + i, run - i);
		if (run >= len)
			break;
		k = break_len(p, len, run);
		i = run + k;
		if (i < len && p[i] != ' ' && p[i] != '\t')
			buf_addc(out, ' ');
	}
}

/* See rfc5322.h. */
bool
rfc5322_header_name_eq(const char *name, size_t len, const char *want)
{
	size_t i;
	unsigned char a, b;

	while (len > 0 && (name[len - 1] == ' ' || name[len - 1] == '\t'))
		len--;
	for (i = 0; i < len; i++) {
		a = (unsigned char)name[i];
		b = (unsigned char)want[i];
		if (b == '\0')
			return false;
		if (a >= 'A' && a <= 'Z')
			a = (unsigned char)(a - 'A' + 'a');
		if (b >= 'A' && b <= 'Z')
			b = (unsigned char)(b - 'A' + 'a');
		if (a != b)
			return false;
	}
	return want[len] == '\0';
}

/* See struct parser: how many unclosed comments are skipped as a stray
 * '(' before the rest of the header is taken as comment. */
#define STRAY_PAREN_MAX	8

struct range {
	size_t start, end;
};

struct parser {
	const char *p;
	size_t len;
	struct rfc5322_addr_list *l;
	unsigned rflags;		/* rfc2047 flags */
	bool in_group;
	size_t group_off, group_len;	/* in l->text */
	size_t group_members;
	/* An opening '"' or '[' at or after these never closes (see
	 * lex()): remembered so that 1 MB of quotes stays linear. */
	size_t quote_open_from, dlit_open_from;
	/* Unclosed '(' taken as stray bytes. Nesting makes a memo like the
	 * one above unsound, so only the first few are retried that way;
	 * past them an unclosed comment runs to the end (linear either way). */
	size_t stray_paren[STRAY_PAREN_MAX];
	size_t nstray_paren;
};

/* ---- Lexer ----------------------------------------------------------- */

enum tok_kind {
	T_END,
	T_ATOM,		/* atext, '.', '\\' and 8-bit bytes */
	T_QUOTED,	/* "..." */
	T_DLIT,		/* [...] */
	T_LT, T_GT, T_AT, T_COMMA, T_SEMI, T_COLON,
	T_OTHER		/* a stray ')' or ']' */
};

struct tok {
	enum tok_kind k;
	size_t start, end;	/* end: just past the token */
	bool ws;		/* whitespace or a comment before it */
};

static bool
is_wsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool
is_atom_char(unsigned char c)
{
	if (is_wsp(c))
		return false;
	switch (c) {
	case '(': case ')': case '<': case '>': case '[': case ']':
	case ':': case ';': case '@': case ',': case '"':
		return false;
	}
	return true;
}

/*
 * End of the delimited run starting at p[i] (the opening byte): a quoted
 * string, a domain literal, or a comment (nested). Backslash escapes the
 * next byte. Sets *unterminated and returns len if it never closes.
 */
static size_t
skip_delimited(const char *p, size_t len, size_t i, bool *unterminated)
{
	char close = p[i] == '"' ? '"' : p[i] == '[' ? ']' : ')';
	bool nests = p[i] == '(';
	size_t depth = 1;

	for (i++; i < len; i++) {
		if (p[i] == '\\') {
			i++;
			continue;
		}
		if (nests && p[i] == '(') {
			depth++;
		} else if (p[i] == close && --depth == 0) {
			return i + 1;
		}
	}
	*unterminated = true;
	return len;
}

/*
 * End of the quoted string or domain literal opening at pos, or 0 when it
 * never closes: then the opener is a stray byte, so one bad quote does not
 * swallow the rest of the header. If an opener at i never closes, neither
 * does any later one (a later opener was escaped or inside, so from it the
 * same bytes follow), hence the memo.
 */
static size_t
delim_end(struct parser *ps, size_t pos)
{
	size_t *memo = ps->p[pos] == '"' ? &ps->quote_open_from :
	    &ps->dlit_open_from;
	bool unterm = false;
	size_t end;

	if (pos >= *memo)
		return 0;
	end = skip_delimited(ps->p, ps->len, pos, &unterm);
	if (!unterm)
		return end;
	*memo = pos;
	return 0;
}

/* End of the comment opening at pos, or 0 when its '(' is a stray. */
static size_t
comment_end(struct parser *ps, size_t pos)
{
	bool unterm = false;
	size_t end, i;

	for (i = 0; i < ps->nstray_paren; i++)
		if (ps->stray_paren[i] == pos)
			return 0;
	end = skip_delimited(ps->p, ps->len, pos, &unterm);
	if (!unterm)
		return end;
	ps->l->defects |= RFC5322_AF_UNTERMINATED;
	if (ps->nstray_paren == STRAY_PAREN_MAX)
		return end;
	ps->stray_paren[ps->nstray_paren++] = pos;
	return 0;
}

/* The token at or after pos, CFWS skipped. Unclosed '"' '[' '(' are
 * T_OTHER (see delim_end(), comment_end()). */
static void
lex(struct parser *ps, size_t pos, struct tok *t)
{
	const char *p = ps->p;
	size_t len = ps->len;
	bool unterm = false;
	unsigned char c;
	size_t end;

	t->ws = false;
	for (;;) {
		while (pos < len && is_wsp((unsigned char)p[pos])) {
			pos++;
			t->ws = true;
		}
		if (pos >= len || p[pos] != '(' ||
		    (end = comment_end(ps, pos)) == 0)
			break;
		pos = end;
		t->ws = true;
	}
	t->start = pos;
	if (pos >= len) {
		t->k = T_END;
		t->end = pos;
		goto out;
	}
	c = (unsigned char)p[pos];
	t->end = pos + 1;
	switch (c) {
	case '"':
	case '[':
		t->k = c == '"' ? T_QUOTED : T_DLIT;
		if ((t->end = delim_end(ps, pos)) == 0) {
			t->k = T_OTHER;
			t->end = pos + 1;
			unterm = true;
		}
		break;
	case '<': t->k = T_LT; break;
	case '>': t->k = T_GT; break;
	case '@': t->k = T_AT; break;
	case ',': t->k = T_COMMA; break;
	case ';': t->k = T_SEMI; break;
	case ':': t->k = T_COLON; break;
	case '(': case ')': case ']': t->k = T_OTHER; break;
	default:
		t->k = T_ATOM;
		while (t->end < len && is_atom_char((unsigned char)p[t->end]))
			t->end++;
		break;
	}
out:
	if (unterm)
		ps->l->defects |= RFC5322_AF_UNTERMINATED;
}

static bool
is_word(enum tok_kind k)
{
	return k == T_ATOM || k == T_QUOTED || k == T_DLIT;
}

/* Whether b continues the dot-atom that a ends ("john" "." "doe"). */
static bool
dot_joined(const char *p, const struct tok *a, const struct tok *b)
{
	return !b->ws || (a->k == T_ATOM && p[a->end - 1] == '.') ||
	    (b->k == T_ATOM && p[b->start] == '.');
}

/* Appends the content of a quoted string, comment or literal without its
 * delimiters: escapes resolved, line breaks (folding) dropped. */
static void
add_unquoted(struct buf *b, const char *p, size_t start, size_t end,
    bool keep_delims)
{
	size_t i = start, last = end;
	char open = p[start], close;

	close = open == '"' ? '"' : open == '[' ? ']' : ')';
	if (!keep_delims) {
		i++;
		if (last > i && p[last - 1] == close)
			last--;
	}
	for (; i < last; i++) {
		if (p[i] == '\\' && i + 1 < last && !keep_delims)
			i++;
		else if (p[i] == '\r' || p[i] == '\n')
			continue;
		buf_addc(b, p[i]);
	}
	if (keep_delims && (end - start < 2 || p[end - 1] != close))
		buf_addc(b, close);	/* unterminated literal */
}

/* ---- Address lists --------------------------------------------------- */

enum { F_NAME, F_LOCAL, F_DOMAIN, F_ADDR, F_GROUP, F_COMMENT };

/* Phrase words of a range, joined, then decoded into l->text. */
static void
render_phrase(struct parser *ps, struct range r)
{
	struct buf *tmp = &ps->l->tmp;
	struct tok t;
	size_t pos = r.start;
	bool first = true, sep = false;

	buf_reset(tmp);
	while (pos < r.end) {
		lex(ps, pos, &t);
		if (t.k == T_END || t.start >= r.end)
			break;
		pos = t.end;
		if (t.k == T_OTHER || t.k == T_GT) {
			sep = true;	/* a skipped stray still separates */
			continue;
		}
		if (!first && (t.ws || sep))
			buf_addc(tmp, ' ');
		first = false;
		sep = false;
		if (t.k == T_QUOTED)
			add_unquoted(tmp, ps->p, t.start, t.end, false);
		else
			buf_add(tmp, ps->p + t.start, t.end - t.start);
	}
	rfc2047_decode(&ps->l->text, tmp->p ? tmp->p : "", tmp->len,
	    ps->rflags);
}

/* Local part or domain of a range: words joined, dot-atom style. */
static void
render_addr_part(struct parser *ps, struct range r, bool domain)
{
	struct buf *tmp = &ps->l->tmp;
	struct tok t, prev = { T_END, 0, 0, false };
	size_t pos = r.start;
	bool first = true;

	buf_reset(tmp);
	while (pos < r.end) {
		lex(ps, pos, &t);
		if (t.k == T_END || t.start >= r.end)
			break;
		if (t.k == T_OTHER || t.k == T_GT) {
			pos = t.end;
			continue;
		}
		if (!first && !domain && !dot_joined(ps->p, &prev, &t))
			buf_addc(tmp, ' ');
		first = false;
		if (t.k == T_QUOTED)
			add_unquoted(tmp, ps->p, t.start, t.end, false);
		else if (t.k == T_DLIT)
			add_unquoted(tmp, ps->p, t.start, t.end, true);
		else
			buf_add(tmp, ps->p + t.start, t.end - t.start);
		prev = t;
		pos = t.end;
	}
	rfc2047_append_raw(&ps->l->text, tmp->p ? tmp->p : "", tmp->len,
	    ps->rflags);
}

/* All comments in a range, decoded, joined by one space. */
static void
render_comments(struct parser *ps, struct range r)
{
	const char *p = ps->p;
	size_t i = r.start, end;
	bool first = true;
	struct str c;

	while (i < r.end) {
		if (p[i] == '"' || p[i] == '[') {
			end = delim_end(ps, i);
			i = end == 0 ? i + 1 : end;
			continue;
		}
		if (p[i] != '(') {
			i++;
			continue;
		}
		if ((end = comment_end(ps, i)) == 0) {
			i++;
			continue;
		}
		buf_reset(&ps->l->tmp);
		add_unquoted(&ps->l->tmp, p, i, end, false);
		c = str_trim(str_make(ps->l->tmp.p, ps->l->tmp.len));
		if (c.len > 0) {
			if (!first)
				buf_addc(&ps->l->text, ' ');
			first = false;
			rfc2047_decode(&ps->l->text, c.p, c.len, ps->rflags);
		}
		i = end;
	}
}

/* Appends a copy of b->p[off..off+len), which buf_add() cannot do: it
 * may move the source before copying. */
static void
buf_add_own(struct buf *b, size_t off, size_t len)
{
	buf_grow(b, len);
	buf_add(b, b->p + off, len);
}

static bool
is_atext_or_utf8(unsigned char c)
{
	if (c >= 0x80)
		return true;	/* RFC 6532 */
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* Appends local as an RFC 5322 local part: dot-atom, or quoted. */
static void
add_local_canonical(struct buf *b, size_t off, size_t len)
{
	bool dot_atom = len > 0 && b->p[off] != '.' &&
	    b->p[off + len - 1] != '.';
	size_t i;
	char c;

	for (i = 0; dot_atom && i < len; i++) {
		c = b->p[off + i];
		if (c == '.' ? b->p[off + i + 1] == '.' :
		    !is_atext_or_utf8((unsigned char)c))
			dot_atom = false;
	}
	if (dot_atom) {
		buf_add_own(b, off, len);
		return;
	}
	buf_addc(b, '"');
	for (i = 0; i < len; i++) {
		c = b->p[off + i];
		if (c == '"' || c == '\\')
			buf_addc(b, '\\');
		buf_addc(b, c);
	}
	buf_addc(b, '"');
}

static struct rfc5322_addr *
new_item(struct rfc5322_addr_list *l)
{
	struct rfc5322_addr *a;

	if (l->n >= RFC5322_MAX_ITEMS) {
		l->defects |= RFC5322_AF_TRUNCATED;
		return NULL;
	}
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	a = &l->v[l->n++];
	memset(a, 0, sizeof(*a));
	return a;
}

struct element {
	struct range name;	/* phrase for the name, may be empty */
	struct range after;	/* words after the address (NAME_AFTER) */
	struct range local;
	struct range domain;
	struct range span;	/* whole element, for comments */
	bool has_local, has_domain;
	bool domain_joined;	/* angle form: domain words joined tight */
	unsigned flags;
};

static struct str *
view(struct rfc5322_addr *a, int f)
{
	switch (f) {
	case F_NAME:	return &a->name;
	case F_LOCAL:	return &a->local;
	case F_DOMAIN:	return &a->domain;
	case F_ADDR:	return &a->addr;
	case F_GROUP:	return &a->group;
	default:	return &a->comment;
	}
}

static void
set_view(struct rfc5322_addr *a, int f, size_t off, size_t len)
{
	a->priv_off[f] = off;
	view(a, f)->len = len;
}

static void
emit(struct parser *ps, struct element *e)
{
	struct rfc5322_addr_list *l = ps->l;
	struct buf *t = &l->text;
	struct rfc5322_addr *a;
	size_t off, local_off, local_len;

	if (!e->has_local && !e->has_domain && e->name.end == e->name.start &&
	    e->after.end == e->after.start) {
		l->defects |= e->flags | RFC5322_AF_GARBAGE;
		return;
	}
	if ((a = new_item(l)) == NULL)
		return;
	a->flags = e->flags;

	off = t->len;
	render_comments(ps, e->span);
	set_view(a, F_COMMENT, off, t->len - off);

	off = t->len;
	if (e->name.end > e->name.start) {
		render_phrase(ps, e->name);
		if (e->after.end > e->after.start)
			a->flags |= RFC5322_AF_GARBAGE;
	} else if (a->comment.len > 0 && (e->has_local || e->has_domain)) {
		buf_add_own(t, a->priv_off[F_COMMENT], a->comment.len);
		a->flags |= RFC5322_AF_NAME_FROM_COMMENT;
	} else if (e->after.end > e->after.start) {
		render_phrase(ps, e->after);
		a->flags |= RFC5322_AF_NAME_AFTER;
	}
	set_view(a, F_NAME, off, t->len - off);

	local_off = t->len;
	if (e->has_local)
		render_addr_part(ps, e->local, false);
	local_len = t->len - local_off;
	set_view(a, F_LOCAL, local_off, local_len);

	off = t->len;
	if (e->has_domain)
		render_addr_part(ps, e->domain, true);
	set_view(a, F_DOMAIN, off, t->len - off);

	off = t->len;
	if (e->has_local || e->has_domain) {
		add_local_canonical(t, local_off, local_len);
		if (e->has_domain) {
			buf_addc(t, '@');
			buf_add_own(t, a->priv_off[F_DOMAIN], a->domain.len);
		} else {
			a->flags |= RFC5322_AF_NO_DOMAIN;
		}
	} else {
		a->flags |= RFC5322_AF_NO_ADDR;
	}
	set_view(a, F_ADDR, off, t->len - off);

	if (ps->in_group) {
		set_view(a, F_GROUP, ps->group_off, ps->group_len);
		ps->group_members++;
	}
	l->defects |= a->flags;
}

static void
emit_empty_group(struct parser *ps)
{
	struct rfc5322_addr *a = new_item(ps->l);

	if (a == NULL)
		return;
	a->flags = RFC5322_AF_EMPTY_GROUP;
	set_view(a, F_GROUP, ps->group_off, ps->group_len);
	ps->l->defects |= a->flags;
}

static void
end_group(struct parser *ps)
{
	if (ps->in_group && ps->group_members == 0 && ps->group_len > 0)
		emit_empty_group(ps);
	ps->in_group = false;
}

/*
 * After a mailbox: comments, then ',' (consumed), ';' or the end (left
 * for the caller), or the start of another address (missing comma). Words
 * that lead nowhere are trailing garbage, kept as a possible name.
 */
static size_t
parse_trailing(struct parser *ps, size_t pos, struct element *e)
{
	bool garbage = false;
	struct tok t, u, last;
	size_t q;

	for (;;) {
		lex(ps, pos, &t);
		switch (t.k) {
		case T_END:
		case T_SEMI:
			return t.start;	/* comments before it are ours */
		case T_COMMA:
			pos = t.end;
			lex(ps, pos, &u);
			if (u.k == T_END)
				ps->l->defects |= RFC5322_AF_EMPTY_ELEMENT;
			return pos;
		case T_LT:
			e->flags |= RFC5322_AF_MISSING_COMMA;
			return pos;
		case T_ATOM:
		case T_QUOTED:
		case T_DLIT:
			last = t;
			q = t.end;
			for (;;) {
				lex(ps, q, &u);
				if (!is_word(u.k))
					break;
				last = u;
				q = u.end;
			}
			if (u.k == T_AT || u.k == T_LT || u.k == T_COLON) {
				e->flags |= RFC5322_AF_MISSING_COMMA;
				return pos;
			}
			if (!garbage && e->after.end == e->after.start) {
				e->after.start = t.start;
				e->after.end = last.end;
			} else {
				e->flags |= RFC5322_AF_GARBAGE;
			}
			pos = last.end;
			break;
		default:
			e->flags |= RFC5322_AF_GARBAGE;
			garbage = true;
			pos = t.end;
			break;
		}
	}
}

/* After '<': [route ':'] local ['@' domain] '>'. */
static size_t
parse_angle(struct parser *ps, size_t pos, struct element *e)
{
	struct tok t;
	size_t save;

	lex(ps, pos, &t);
	while (t.k == T_LT) {
		e->flags |= RFC5322_AF_GARBAGE;
		pos = t.end;
		lex(ps, pos, &t);
	}
	if (t.k == T_AT) {
		save = pos;
		while (t.k == T_AT || t.k == T_COMMA || is_word(t.k)) {
			pos = t.end;
			lex(ps, pos, &t);
		}
		if (t.k == T_COLON) {
			e->flags |= RFC5322_AF_ROUTE;
			pos = t.end;
		} else {
			pos = save;
		}
		lex(ps, pos, &t);
	}
	e->local.start = e->local.end = t.start;
	while (t.k == T_ATOM || t.k == T_QUOTED) {
		e->has_local = true;
		e->local.end = t.end;
		pos = t.end;
		lex(ps, pos, &t);
	}
	if (t.k == T_AT) {
		pos = t.end;
		lex(ps, pos, &t);
		e->domain.start = e->domain.end = t.start;
		while (t.k == T_ATOM || t.k == T_DLIT) {
			e->has_domain = true;
			e->domain.end = t.end;
			pos = t.end;
			lex(ps, pos, &t);
		}
	}
	for (;;) {
		switch (t.k) {
		case T_GT:
			return t.end;
		case T_END:
		case T_COMMA:
		case T_SEMI:
			e->flags |= RFC5322_AF_UNTERMINATED;
			return pos;
		default:
			e->flags |= RFC5322_AF_GARBAGE;
			pos = t.end;
			lex(ps, pos, &t);
			break;
		}
	}
}

/* One address (mailbox or group start) at pos; returns the new pos. */
static size_t
parse_address(struct parser *ps, size_t pos)
{
	struct element e;
	struct tok t, last, dt, prev;
	size_t run_start, nwords = 0;

	memset(&e, 0, sizeof(e));
	memset(&last, 0, sizeof(last));
	e.span.start = pos;
	lex(ps, pos, &t);
	run_start = e.name.start = e.name.end = t.start;
	while (is_word(t.k) || t.k == T_OTHER || t.k == T_GT) {
		if (!is_word(t.k)) {
			/* Stray ')' ']' '>': skipped, the phrase goes on. */
			e.flags |= RFC5322_AF_GARBAGE;
			ps->l->defects |= RFC5322_AF_GARBAGE;
		} else {
			if (nwords == 0)
				run_start = e.name.start = t.start;
			else if (!dot_joined(ps->p, &last, &t))
				run_start = t.start;
			last = t;
			nwords++;
		}
		pos = t.end;
		lex(ps, pos, &t);
	}
	if (nwords > 0)
		e.name.end = last.end;

	switch (t.k) {
	case T_AT:
		/* addr-spec: the last dot-joined run is the local part. */
		e.local.start = run_start;
		e.local.end = e.name.end;
		e.has_local = nwords > 0;
		e.name.end = run_start;
		if (e.name.end > e.name.start)
			e.flags |= RFC5322_AF_NO_ANGLE;
		pos = t.end;
		lex(ps, pos, &dt);
		e.domain.start = e.domain.end = dt.start;
		if (dt.k == T_ATOM || dt.k == T_DLIT) {
			e.has_domain = true;
			do {
				e.domain.end = dt.end;
				pos = dt.end;
				prev = dt;
				lex(ps, pos, &dt);
			} while ((dt.k == T_ATOM || dt.k == T_DLIT) &&
			    dot_joined(ps->p, &prev, &dt));
		}
		if (dt.k == T_LT) {
			/* "a@x <a@x>": the first is the name (common from
			 * broken generators), not a second address. */
			e.name.end = e.has_domain ? e.domain.end : t.end;
			e.has_local = e.has_domain = false;
			e.flags &= ~RFC5322_AF_NO_ANGLE;
			e.flags |= RFC5322_AF_ADDR_AS_NAME;
			pos = parse_angle(ps, dt.end, &e);
		}
		break;
	case T_LT:
		pos = parse_angle(ps, t.end, &e);
		break;
	case T_COLON:
		end_group(ps);
		ps->l->ngroups++;
		ps->in_group = true;
		ps->group_members = 0;
		ps->group_off = ps->l->text.len;
		if (e.name.end > e.name.start)
			render_phrase(ps, e.name);
		ps->group_len = ps->l->text.len - ps->group_off;
		return t.end;
	default:
		if (nwords == 0) {
			if (t.k == T_GT || t.k == T_OTHER) {
				ps->l->defects |= RFC5322_AF_GARBAGE;
				return t.end;
			}
			return pos;	/* ',' ';' end: caller's */
		}
		if (run_start == e.name.start) {
			/* One dot-joined word: a local name ("root"). */
			e.local = e.name;
			e.has_local = true;
			e.name.end = e.name.start;
		}
		break;
	}
	pos = parse_trailing(ps, pos, &e);
	e.span.end = pos;
	emit(ps, &e);
	return pos;
}

static void
fix_views(struct rfc5322_addr_list *l, size_t from)
{
	size_t i;
	int f;

	for (i = from; i < l->n; i++)
		for (f = 0; f < 6; f++)
			view(&l->v[i], f)->p = l->text.p +
			    l->v[i].priv_off[f];
}

/* See rfc5322.h. */
size_t
rfc5322_parse_addr_list(struct rfc5322_addr_list *l, const char *p,
    size_t len, unsigned flags)
{
	struct parser ps;
	size_t n0 = l->n, pos = 0;
	struct tok t;

	memset(&ps, 0, sizeof(ps));
	ps.p = p;
	ps.len = len;
	ps.l = l;
	ps.rflags = flags;
	ps.quote_open_from = ps.dlit_open_from = (size_t)-1;
	buf_grow(&l->text, 0);	/* views need a non-NULL base */
	l->text.p[l->text.len] = '\0';
	for (;;) {
		lex(&ps, pos, &t);
		if (t.k == T_END || l->n >= RFC5322_MAX_ITEMS)
			break;
		if (t.k == T_COMMA) {
			l->defects |= RFC5322_AF_EMPTY_ELEMENT;
			pos = t.end;
		} else if (t.k == T_SEMI) {
			if (ps.in_group)
				end_group(&ps);
			else
				l->defects |= RFC5322_AF_SEMICOLON;
			pos = t.end;
		} else {
			pos = parse_address(&ps, pos);
		}
	}
	if (ps.in_group) {
		l->defects |= RFC5322_AF_NO_GROUP_END;
		end_group(&ps);
	}
	fix_views(l, 0);
	return l->n - n0;
}

/* See rfc5322.h. */
void
rfc5322_addr_list_reset(struct rfc5322_addr_list *l)
{
	l->n = 0;
	l->defects = 0;
	l->ngroups = 0;
	buf_reset(&l->text);
	buf_reset(&l->tmp);
}

/* See rfc5322.h. */
void
rfc5322_addr_list_free(struct rfc5322_addr_list *l)
{
	free(l->v);
	buf_free(&l->text);
	buf_free(&l->tmp);
	memset(l, 0, sizeof(*l));
}

/* ---- Message-ID lists ------------------------------------------------ */

static void
msgid_add(struct rfc5322_msgid_list *l, const char *p, size_t start,
    size_t end)
{
	size_t off = l->text.len, i;
	bool unterm = false;

	for (i = start; i < end; ) {
		if (p[i] == '(') {
			i = skip_delimited(p, end, i, &unterm);
		} else if (is_wsp((unsigned char)p[i])) {
			i++;
		} else {
			buf_addc(&l->text, p[i]);
			i++;
		}
	}
	if (l->text.len == off)
		return;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = xreallocarray(l->v, l->cap, sizeof(*l->v));
	}
	l->v[l->n].priv_off = off;
	l->v[l->n].id.len = l->text.len - off;
	l->n++;
}

/* See rfc5322.h. */
size_t
rfc5322_parse_msgids(struct rfc5322_msgid_list *l, const char *p,
    size_t len)
{
	bool bare = memchr(p, '<', len) == NULL, unterm = false;
	size_t n0 = l->n, i = 0, j;

	buf_grow(&l->text, 0);	/* views need a non-NULL base */
	l->text.p[l->text.len] = '\0';
	while (i < len) {
		if (is_wsp((unsigned char)p[i])) {
			i++;
		} else if (p[i] == '(' || (p[i] == '"' && !bare)) {
			i = skip_delimited(p, len, i, &unterm);
		} else if (p[i] == '<') {
			for (j = i + 1; j < len && p[j] != '>' && p[j] != '<';
			    j++)
				;
			if (j >= len || p[j] == '<')
				l->defects |= RFC5322_AF_UNTERMINATED;
			msgid_add(l, p, i + 1, j);
			i = j < len && p[j] == '>' ? j + 1 : j;
		} else if (bare) {
			for (j = i; j < len && !is_wsp((unsigned char)p[j]) &&
			    p[j] != '(' && p[j] != ','; j++)
				;
			if (j == i)
				j++;	/* a ',' between bare ids */
			else
				msgid_add(l, p, i, j);
			i = j;
		} else {
			l->defects |= RFC5322_AF_GARBAGE;
			i++;
		}
	}
	if (unterm)
		l->defects |= RFC5322_AF_UNTERMINATED;
	for (j = 0; j < l->n; j++)
		l->v[j].id.p = l->text.p + l->v[j].priv_off;
	return l->n - n0;
}

/* See rfc5322.h. */
void
rfc5322_msgid_list_reset(struct rfc5322_msgid_list *l)
{
	l->n = 0;
	l->defects = 0;
	buf_reset(&l->text);
}

/* See rfc5322.h. */
void
rfc5322_msgid_list_free(struct rfc5322_msgid_list *l)
{
	free(l->v);
	buf_free(&l->text);
	memset(l, 0, sizeof(*l));
}
