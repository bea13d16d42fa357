/*
 * domino - Domino console logs into events. See domino.h.
 *
 * Line shapes follow shared/formats/domino.md: the envelope variants and
 * the SMTP Server and Router lines it tags ATTESTED, plus the INFERRED
 * long forms (read from the right). Dispatch is on fixed bytes: task,
 * then the first words of the text; no regular expression runs.
 */
#include "domino.h"
#include "../lib/hash.h"
#include "../lib/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Recipients of a message whose deferral is remembered; past this the
 * message simply waits DOMINO_GAP. */
#define DOMINO_DEFER_KEPT	4
/* Open SMTP sessions remembered per run (threads of the SMTP task);
 * the least recently used is reused past this. */
#define DOMINO_MAX_SESSIONS	256
/* Log seconds between two sweeps of idle lifetimes. */
#define DOMINO_SWEEP_EVERY	30
#define DOMINO_TIME_LIMIT	((int64_t)1 << 48)
/* Longest task name ("Rooms and Resources Manager"). */
#define DOMINO_TASK_MAX		40


struct domino_msg {
	uint32_t host;		/* host id + 1; 0: empty slot */
	uint32_t noteid;
	int64_t first, last;
	uint32_t src;
	uint64_t line;
	uint64_t sender;	/* hash of a Router line's sender, 0: none */
	uint64_t unid;		/* hash of the UNID token, 0: none */
	int32_t expected;	/* envelope recipients, -1 unknown */
	int32_t outcomes;
	uint64_t deferred[DOMINO_DEFER_KEPT];
	uint8_t ndeferred;
	bool defer_lost;
	bool has_msgid;
};

struct domino_session {
	uint64_t key;
	int64_t used;		/* use counter, for reuse */
	struct buf sender;
	struct buf rcpts;	/* each followed by '\0' */
	uint32_t nrcpts;
	bool has_sender;
};

struct domino_first {
	int f[3];
	char sep;
	bool year_first;
	int hour, min, sec;
};

struct domino_file {
	const struct input_stream *s;
	uint32_t host;			/* host id */
	size_t hostlen;
	uint8_t votes[3];		/* per separator, domino_order_vote */
	bool ambig[3];			/* a date whose order matters */
	bool seen[3];
	uint8_t order[3];		/* decided, enum domino_order */
	bool has_first;
	struct domino_first first;
	bool done;			/* read to its end */
	bool has_last;
	int64_t last_time;
	char stamp[48];
	size_t stamp_len;
	int64_t stamp_time;
};

static bool
is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool
is_hex(char c)
{
	return is_digit(c) || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static int
hex_val(char c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return c - 'a' + 10;
}

/* Position of the last occurrence of lit in s, or -1. */
static long
str_rfind(struct str s, const char *lit, size_t n)
{
	size_t i;

	if (s.len < n)
		return -1;
	for (i = s.len - n + 1; i > 0; i--)
		if (memcmp(s.p + i - 1, lit, n) == 0)
			return (long)(i - 1);
	return -1;
}

#define STR_RFIND(s, lit)	str_rfind((s), (lit), sizeof(lit) - 1)

const char *
domino_order_name(enum domino_order o)
{
	static const char *const names[DOMINO_ORDER_COUNT] = {
		"unknown", "mdy", "dmy", "ymd",
	};

	return (unsigned)o < DOMINO_ORDER_COUNT ? names[o] : "unknown";
}

enum domino_order
domino_order_parse(const char *s)
{
	int o;

	for (o = DOMINO_ORDER_MDY; o < DOMINO_ORDER_COUNT; o++)
		if (strcasecmp(s, domino_order_name((enum domino_order)o)) == 0)
			return (enum domino_order)o;
	return DOMINO_ORDER_COUNT;
}

/* "[hex:hex-hex]" at s: its length with the brackets, else 0. */
static size_t
thread_len(struct str s)
{
	size_t i = 1;
	int part = 0;
	size_t run = 0;

	if (s.len < 7 || s.p[0] != '[')
		return 0;
	for (; i < s.len && i < 64; i++) {
		char c = s.p[i];

		if (is_hex(c)) {
			run++;
		} else if ((c == ':' && part == 0) || (c == '-' && part == 1)) {
			if (run == 0)
				return 0;
			part++;
			run = 0;
		} else if (c == ']' && part == 2 && run > 0) {
			return i + 1;
		} else {
			return 0;
		}
	}
	return 0;
}

/* Digits at s.p[*i], at most max of them: the value, or -1. */
static int
read_num(struct str s, size_t *i, size_t min, size_t max, size_t *ndig)
{
	int v = 0;
	size_t n = 0;

	while (*i < s.len && is_digit(s.p[*i]) && n < max) {
		v = v * 10 + (s.p[*i] - '0');
		(*i)++;
		n++;
	}
	if (n < min || (*i < s.len && is_digit(s.p[*i])))
		return -1;
	*ndig = n;
	return v;
}

static size_t
skip_blanks(struct str s, size_t i)
{
	while (i < s.len && is_blank(s.p[i]))
		i++;
	return i;
}

/* Day/month-after-time markers; before-time ones are the CJK forms. */
static const struct {
	const char *text;
	bool pm;
} ampm[] = {
	{ "AM", false }, { "PM", true }, { "am", false }, { "pm", true },
	{ "A.M.", false }, { "P.M.", true }, { "a.m.", false },
	{ "p.m.", true }, { "a. m.", false }, { "p. m.", true },
	{ "vorm.", false }, { "nachm.", true },
	{ "\xe5\x8d\x88\xe5\x89\x8d", false },	/* 午前 */
	{ "\xe5\x8d\x88\xe5\xbe\x8c", true },	/* 午後 */
	{ "\xec\x98\xa4\xec\xa0\x84", false },	/* 오전 */
	{ "\xec\x98\xa4\xed\x9b\x84", true },	/* 오후 */
	{ "\xe4\xb8\x8a\xe5\x8d\x88", false },	/* 上午 */
	{ "\xe4\xb8\x8b\xe5\x8d\x88", true },	/* 下午 */
};

/* An AM/PM marker at s.p[i] followed by a blank or the end: its length,
 * *pm set; else 0. */
static size_t
marker_len(struct str s, size_t i, bool *pm)
{
	size_t k, n;
	char c = i < s.len ? s.p[i] : '\0';

	/* Most lines have no marker: one byte rules them out. */
	if (c != 'A' && c != 'P' && c != 'a' && c != 'p' && c != 'v' &&
	    c != 'n' && (unsigned char)c < 0x80)
		return 0;
	for (k = 0; k < sizeof(ampm) / sizeof(ampm[0]); k++) {
		n = strlen(ampm[k].text);
		if (i + n <= s.len && memcmp(s.p + i, ampm[k].text, n) == 0 &&
		    (i + n == s.len || is_blank(s.p[i + n]))) {
			*pm = ampm[k].pm;
			return n;
		}
	}
	return 0;
}

/* Splits "TASK: text" or "TASK [thread] text". */
static void
split_task(struct str t, struct domino_env *env)
{
	size_t i, n;

	env->task = STR_EMPTY;
	env->text = t;
	if (t.len == 0 || !((t.p[0] >= 'A' && t.p[0] <= 'Z') ||
	    (t.p[0] >= 'a' && t.p[0] <= 'z')))
		return;
	for (i = 1; i < t.len && i <= DOMINO_TASK_MAX; i++) {
		char c = t.p[i];

		if (c == ':' && t.p[i - 1] != ' ') {
			env->task = str_make(t.p, i);
			env->text = str_skip(t, i + 1);
			if (env->text.len > 0 && env->text.p[0] == ' ')
				env->text = str_skip(env->text, 1);
			return;
		}
		if (c == ' ' && i + 1 < t.len && t.p[i + 1] == '[' &&
		    (n = thread_len(str_skip(t, i + 1))) > 0 &&
		    i + 1 + n < t.len && t.p[i + 1 + n] == ' ') {
			env->task = str_make(t.p, i);
			if (env->thread.len == 0)
				env->thread = str_make(t.p + i + 2, n - 2);
			env->text = str_skip(t, i + 2 + n);
			return;
		}
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    is_digit(c) || c == ' ' || c == '/' || c == '_' ||
		    c == '-' || c == '.'))
			return;
	}
}

static bool
take_thread(struct str s, size_t *i, struct domino_env *env)
{
	size_t n = thread_len(str_skip(s, *i));

	if (n == 0)
		return false;
	if (env->thread.len == 0)
		env->thread = str_make(s.p + *i + 1, n - 2);
	*i = skip_blanks(s, *i + n);
	return true;
}

/* See domino.h. */
bool
domino_envelope(const char *line, size_t len, struct domino_env *env)
{
	struct str s = str_make(line, len);
	size_t i = 0, d0, dstart, tend, nd1, nd2, nd3, j;
	int a, b, c, h, mi, sec;
	char sep, tsep;
	bool pm = false, has_marker = false;
	size_t m;

	memset(env, 0, sizeof(*env));
	env->thread = env->stamp = STR_EMPTY;
	while (i + 1 < s.len && s.p[i] == '>' && s.p[i + 1] == ' ') {
		env->prompt = true;
		i = skip_blanks(s, i + 2);
	}
	if (i < s.len && s.p[i] == '[')
		take_thread(s, &i, env);
	d0 = i;
	dstart = i;
	/* Date: a SEP b SEP c, the year four digits, first or last. */
	if ((a = read_num(s, &i, 1, 4, &nd1)) < 0 || i >= s.len)
		goto unstamped;
	sep = s.p[i];
	if (sep != '/' && sep != '.' && sep != '-')
		goto unstamped;
	i++;
	if ((b = read_num(s, &i, 1, 2, &nd2)) < 0 || i >= s.len ||
	    s.p[i] != sep)
		goto unstamped;
	i++;
	if ((c = read_num(s, &i, 1, 4, &nd3)) < 0)
		goto unstamped;
	if (nd1 == 4 && nd3 <= 2) {
		env->year_first = true;
		if (a < 1900 || b < 1 || b > 12 || c < 1 || c > 31)
			goto unstamped;
	} else if (nd3 == 4 && nd1 <= 2) {
		if (c < 1900 || a < 1 || a > 31 || b < 1 || b > 31 ||
		    (a > 12 && b > 12))
			goto unstamped;
	} else {
		goto unstamped;
	}
	if (i >= s.len || !is_blank(s.p[i]))
		goto unstamped;
	i = skip_blanks(s, i);
	if (i < s.len && s.p[i] == '[')
		take_thread(s, &i, env);
	if ((m = marker_len(s, i, &pm)) > 0 && !is_digit(s.p[i])) {
		has_marker = true;
		i = skip_blanks(s, i + m);
	}
	/* Time: h SEP mm SEP ss [.frac]; SEP ':' or '.'. */
	if ((h = read_num(s, &i, 1, 2, &nd1)) < 0 || i >= s.len)
		goto unstamped;
	tsep = s.p[i];
	if (tsep != ':' && tsep != '.')
		goto unstamped;
	i++;
	if ((mi = read_num(s, &i, 2, 2, &nd2)) < 0 || i >= s.len ||
	    s.p[i] != tsep)
		goto unstamped;
	i++;
	if ((sec = read_num(s, &i, 2, 2, &nd3)) < 0)
		goto unstamped;
	if (i + 1 < s.len && (s.p[i] == '.' || s.p[i] == ',') &&
	    is_digit(s.p[i + 1])) {
		uint32_t scale = 100000;

		for (i++, j = 0; i < s.len && is_digit(s.p[i]); i++, j++)
			if (j < 6) {
				env->usec += (uint32_t)(s.p[i] - '0') * scale;
				scale /= 10;
			}
	}
	if (h > 23 || mi > 59 || sec > 60)
		goto unstamped;
	tend = i;
	if (!has_marker && i + 1 < s.len && s.p[i] == ' ' &&
	    (m = marker_len(s, i + 1, &pm)) > 0) {
		has_marker = true;
		i += 1 + m;
		tend = i;
	}
	if (has_marker) {
		if (h < 1 || h > 12)
			goto unstamped;
		if (pm && h < 12)
			h += 12;
		else if (!pm && h == 12)
			h = 0;
	}
	if (i < s.len && !is_blank(s.p[i]))
		goto unstamped;
	env->stamped = true;
	env->f[0] = a;
	env->f[1] = b;
	env->f[2] = c;
	env->sep = sep;
	env->hour = h;
	env->min = mi;
	env->sec = sec;
	env->stamp = str_make(s.p + dstart, tend - dstart);
	i = skip_blanks(s, i);
	if (i < s.len && s.p[i] == '[')
		take_thread(s, &i, env);
	split_task(str_skip(s, i), env);
	return true;

unstamped:
	env->year_first = false;
	env->usec = 0;
	split_task(str_skip(s, d0), env);
	return false;
}

/* See domino.h. */
unsigned
domino_order_vote(const struct domino_env *env)
{
	if (!env->stamped || env->year_first)
		return 0;
	if (env->f[0] > 12)
		return 1;
	if (env->f[1] > 12)
		return 2;
	return 0;
}

/* See domino.h. */
int
domino_sep_index(char sep)
{
	return sep == '/' ? 0 : sep == '.' ? 1 : sep == '-' ? 2 : -1;
}

static int
days_in_month(int y, int m)
{
	static const int dim[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return dim[m - 1];
}

/* See domino.h. */
int
domino_env_tm(const struct domino_env *env, enum domino_order order,
    struct tstamp_tm *tm)
{
	memset(tm, 0, sizeof(*tm));
	if (env->year_first) {
		tm->year = env->f[0];
		tm->mon = env->f[1];
		tm->day = env->f[2];
	} else if (order == DOMINO_ORDER_MDY) {
		tm->mon = env->f[0];
		tm->day = env->f[1];
		tm->year = env->f[2];
	} else if (order == DOMINO_ORDER_DMY ||
	    (order != DOMINO_ORDER_UNKNOWN && env->f[0] == env->f[1])) {
		tm->day = env->f[0];
		tm->mon = env->f[1];
		tm->year = env->f[2];
	} else if (env->f[0] == env->f[1]) {
		tm->day = tm->mon = env->f[0];
		tm->year = env->f[2];
	} else {
		return -1;
	}
	if (tm->mon < 1 || tm->mon > 12 || tm->day < 1 ||
	    tm->day > days_in_month(tm->year, tm->mon))
		return -1;
	tm->hour = env->hour;
	tm->min = env->min;
	tm->sec = env->sec > 59 ? 59 : env->sec;
	tm->usec = env->usec;
	return 0;
}

/* See domino.h. */
void
domino_host_from_path(const char *display, char *out, size_t outsz)
{
	static const char *const generic[] = {
		"log", "logs", "var", "tmp", "local", "notesdata", "data",
		"IBM_TECHNICAL_SUPPORT", "HCL_TECHNICAL_SUPPORT", "domino",
		"opt", "hcl", "ibm", "lotus", NULL,
	};

	input_host_from_path(display, generic, out, outsz);
}

/* See domino.h. */
void
domino_init(struct domino *dm, const struct notesdir *dir,
    enum domino_order forced)
{
	memset(dm, 0, sizeof(*dm));
	dm->dir = dir;
	dm->forced = forced;
	dm->mask = 1023;
	dm->msgs = xcalloc(dm->mask + 1, sizeof(*dm->msgs));
	dm->next_sweep = INT64_MIN;
	dm->cur = SIZE_MAX;
}

/* See domino.h. */
void
domino_free(struct domino *dm)
{
	size_t i;

	for (i = 0; i < dm->nsess; i++) {
		buf_free(&dm->sess[i].sender);
		buf_free(&dm->sess[i].rcpts);
	}
	for (i = 0; i < dm->nhosts; i++)
		free(dm->hosts[i]);
	free(dm->hosts);
	free(dm->sess);
	free(dm->msgs);
	free(dm->files);
	buf_free(&dm->scratch);
	buf_free(&dm->addrs);
	memset(dm, 0, sizeof(*dm));
}

static uint32_t
host_id(struct domino *dm, struct str host)
{
	size_t i;

	/* Consecutive lines come from one server: try the last first. */
	if (dm->last_host < dm->nhosts && host.p == dm->hosts[dm->last_host])
		return (uint32_t)dm->last_host;
	for (i = dm->nhosts; i > 0; i--)
		if (strncmp(dm->hosts[i - 1], host.p, host.len) == 0 &&
		    dm->hosts[i - 1][host.len] == '\0') {
			dm->last_host = i - 1;
			return (uint32_t)(i - 1);
		}
	dm->hosts = xreallocarray(dm->hosts, dm->nhosts + 1,
	    sizeof(*dm->hosts));
	dm->hosts[dm->nhosts] = xstrndup(host.p, host.len);
	dm->last_host = dm->nhosts;
	return (uint32_t)dm->nhosts++;
}

/* ---- open messages ---- */

static uint64_t
msg_hash(uint32_t host, uint32_t noteid)
{
	return hash_u64(((uint64_t)host << 32) | noteid);
}

static size_t
msg_slot(const struct domino *dm, uint32_t host, uint32_t noteid)
{
	size_t j = msg_hash(host, noteid) & dm->mask;

	while (dm->msgs[j].host != 0 && (dm->msgs[j].host != host ||
	    dm->msgs[j].noteid != noteid))
		j = (j + 1) & dm->mask;
	return j;
}

static void
msgs_grow(struct domino *dm)
{
	struct domino_msg *old = dm->msgs;
	size_t n = dm->mask + 1, i;

	dm->mask = n * 2 - 1;
	dm->msgs = xcalloc(dm->mask + 1, sizeof(*dm->msgs));
	for (i = 0; i < n; i++)
		if (old[i].host != 0)
			dm->msgs[msg_slot(dm, old[i].host, old[i].noteid)] =
			    old[i];
	free(old);
}

/* Empties slot i (backward-shift deletion, no tombstones). */
static void
msg_delete(struct domino *dm, size_t i)
{
	size_t j = i, k;

	dm->msgs[i].host = 0;
	dm->used--;
	for (;;) {
		j = (j + 1) & dm->mask;
		if (dm->msgs[j].host == 0)
			return;
		k = msg_hash(dm->msgs[j].host, dm->msgs[j].noteid) & dm->mask;
		if (i <= j ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		dm->msgs[i] = dm->msgs[j];
		dm->msgs[j].host = 0;
		i = j;
	}
}

static void
format_noteid(uint32_t id, char out[9])
{
	static const char hex[] = "0123456789ABCDEF";
	int i;

	for (i = 7; i >= 0; i--) {
		out[i] = hex[id & 15];
		id >>= 4;
	}
	out[8] = '\0';
}

/* Ends the lifetime in slot i (at its last line) and frees the slot. */
static void
msg_close(struct domino *dm, size_t i, event_sink_fn sink, void *ctx)
{
	struct domino_msg *m = &dm->msgs[i];
	struct event ev;
	char qid[9];
	const char *host = dm->hosts[m->host - 1];

	event_clear(&ev);
	event_reset_fields(&ev);
	format_noteid(m->noteid, qid);
	ev.type = EV_END;
	ev.time = m->last;
	ev.host = str_make(host, strlen(host));
	ev.qid = str_make(qid, 8);
	ev.src = m->src;
	ev.line = m->line;
	sink(ctx, &ev);
	msg_delete(dm, i);
}

static int64_t
idle_limit(const struct domino_msg *m)
{
	if (m->ndeferred > 0 || m->defer_lost)
		return DOMINO_GAP;
	if (m->expected >= 0 && m->outcomes >= m->expected)
		return DOMINO_SETTLE;
	return DOMINO_IDLE;
}

/* See domino.h. */
void
domino_sweep(struct domino *dm, int64_t now, event_sink_fn sink, void *ctx,
    bool all)
{
	size_t i = 0;

	while (i <= dm->mask) {
		struct domino_msg *m = &dm->msgs[i];

		if (m->host != 0 && (all || (now > m->last &&
		    (uint64_t)now - (uint64_t)m->last >
		    (uint64_t)idle_limit(m)))) {
			if (m->expected >= 0 && m->outcomes >= m->expected &&
			    m->ndeferred == 0)
				dm->stats.closed_settled++;
			else if (m->ndeferred > 0 || m->defer_lost)
				dm->stats.closed_gap++;
			else
				dm->stats.closed_idle++;
			msg_close(dm, i, sink, ctx);
			continue;	/* slot i may hold a shifted entry */
		}
		i++;
	}
}

static void
maybe_sweep(struct domino *dm, int64_t now, event_sink_fn sink, void *ctx)
{
	/* Far outside any real clock (a garbled stamp): no sweep, and no
	 * arithmetic near the int64 limits. */
	if (now < -DOMINO_TIME_LIMIT || now > DOMINO_TIME_LIMIT)
		return;
	if (dm->next_sweep == INT64_MIN ||
	    now < dm->next_sweep - 2 * DOMINO_SWEEP_EVERY)
		dm->next_sweep = now + DOMINO_SWEEP_EVERY;	/* stepped back */
	if (now < dm->next_sweep)
		return;
	dm->next_sweep = now + DOMINO_SWEEP_EVERY;
	if (dm->used > 0)
		domino_sweep(dm, now, sink, ctx, false);
}

/*
 * The open lifetime of noteid on ev's host, started (EV_BEGIN) when
 * there is none. reuse: this line begins a new message (a "received"
 * line, another sender or UNID): an open one ends first. Sets ev->qid
 * to qid (the caller's 9 bytes).
 */
static struct domino_msg *
msg_touch(struct domino *dm, struct event *ev, uint32_t noteid,
    char qid[9], bool reuse, event_sink_fn sink, void *ctx)
{
	uint32_t host = host_id(dm, ev->host) + 1;
	size_t j = msg_slot(dm, host, noteid);
	struct domino_msg *m = &dm->msgs[j];
	struct event b;

	format_noteid(noteid, qid);
	ev->qid = str_make(qid, 8);
	if (m->host != 0 && reuse) {
		dm->stats.noteid_reuse++;
		msg_close(dm, j, sink, ctx);
		j = msg_slot(dm, host, noteid);
		m = &dm->msgs[j];
	}
	if (m->host == 0) {
		if ((dm->used + 1) * 2 > dm->mask) {
			msgs_grow(dm);
			j = msg_slot(dm, host, noteid);
		}
		m = &dm->msgs[j];
		memset(m, 0, sizeof(*m));
		m->host = host;
		m->noteid = noteid;
		m->first = m->last = ev->time;
		m->expected = -1;
		dm->used++;
		dm->stats.messages++;
		b = *ev;
		event_reset_fields(&b);
		b.type = EV_BEGIN;
		sink(ctx, &b);
	}
	if (ev->time >= m->last) {
		m->last = ev->time;
		m->src = ev->src;
		m->line = ev->line;
	}
	return m;
}

static void
note_outcome(struct domino_msg *m, uint64_t who, enum rcpt_status st)
{
	uint8_t i;

	for (i = 0; i < m->ndeferred; i++)
		if (m->deferred[i] == who)
			break;
	if (st == RCPT_DEFERRED) {
		if (i < m->ndeferred)
			return;
		if (m->ndeferred < DOMINO_DEFER_KEPT)
			m->deferred[m->ndeferred++] = who;
		else
			m->defer_lost = true;
		return;
	}
	if (i < m->ndeferred)
		m->deferred[i] = m->deferred[--m->ndeferred];
	m->outcomes++;
}

/* ---- sessions ---- */

static struct domino_session *
session_for(struct domino *dm, const struct domino_env *env,
    struct str host, bool create)
{
	uint64_t key = hash_bytes(host.p, host.len) ^
	    (env->thread.len ? hash_bytes(env->thread.p, env->thread.len) :
	    0x5e55);
	struct domino_session *s, *lru = NULL;
	size_t i;

	if (key == 0)
		key = 1;
	for (i = 0; i < dm->nsess; i++) {
		s = &dm->sess[i];
		if (s->key == key) {
			s->used = (int64_t)++dm->tick;
			return s;
		}
		if (lru == NULL || s->used < lru->used)
			lru = s;
	}
	if (!create)
		return NULL;
	if (dm->nsess < DOMINO_MAX_SESSIONS) {
		if (dm->nsess == dm->capsess) {
			dm->capsess = dm->capsess ? dm->capsess * 2 : 8;
			dm->sess = xreallocarray(dm->sess, dm->capsess,
			    sizeof(*dm->sess));
		}
		s = &dm->sess[dm->nsess++];
		memset(s, 0, sizeof(*s));
	} else {
		s = lru;
	}
	s->key = key;
	s->used = (int64_t)++dm->tick;
	dm->stats.sessions++;
	buf_reset(&s->sender);
	buf_reset(&s->rcpts);
	s->nrcpts = 0;
	s->has_sender = false;
	return s;
}

static void
session_clear(struct domino_session *s)
{
	buf_reset(&s->sender);
	buf_reset(&s->rcpts);
	s->nrcpts = 0;
	s->has_sender = false;
}

/* ---- line shapes ---- */

/* An 8-hex-digit NoteID at s (followed by a blank, ',' or the end). */
static bool
read_noteid(struct str s, uint32_t *id)
{
	size_t i;
	uint32_t v = 0;

	if (s.len < 8)
		return false;
	for (i = 0; i < 8; i++) {
		if (!is_hex(s.p[i]))
			return false;
		v = (v << 4) | (uint32_t)hex_val(s.p[i]);
	}
	if (s.len > 8 && s.p[8] != ' ' && s.p[8] != ',')
		return false;
	*id = v;
	return true;
}

/* "OFxxxxxxxx:xxxxxxxx" / "ONxxxxxxxx.xxxxxxxx" (prefix OF or ON). */
static bool
is_unid_half(const char *p, size_t n, char second)
{
	size_t i;

	if (n != 19 || p[0] != 'O' || p[1] != second ||
	    (p[10] != ':' && p[10] != '.'))
		return false;
	for (i = 2; i < 19; i++)
		if (i != 10 && !is_hex(p[i]))
			return false;
	return true;
}

/* The right-hand part of a Router line. */
struct tail {
	struct str head;	/* before the tail and the id tokens */
	struct str of, on;	/* UNID halves, empty: none */
	int64_t size;
	bool via_smtp, via_notes;
	struct str after;	/* after "Size: n" (error text, Time:) */
};

static void
cut_tail(struct str rest, struct tail *t)
{
	long at = STR_RFIND(rest, " Size: ");
	size_t i;

	memset(t, 0, sizeof(*t));
	t->of = t->on = t->after = STR_EMPTY;
	t->size = -1;
	t->head = rest;
	if (at >= 0) {
		struct str sz = str_skip(rest, (size_t)at + 7);
		int64_t v = 0;

		t->head = str_make(rest.p, (size_t)at);
		for (i = 0; i < sz.len && is_digit(sz.p[i]); i++)
			if (v < INT64_MAX / 16)
				v = v * 10 + (sz.p[i] - '0');
		if (i > 0) {
			if (i < sz.len && (sz.p[i] == 'K' || sz.p[i] == 'k'))
				v *= 1024, i++;
			else if (i < sz.len && sz.p[i] == 'M')
				v *= 1048576, i++;
			t->size = v;
		}
		while (i < sz.len && !is_blank(sz.p[i]))
			i++;
		t->after = str_trim(str_skip(sz, i));
		if (STR_STARTS(t->after, "via SMTP"))
			t->via_smtp = true;
		else if (STR_STARTS(t->after, "via Notes"))
			t->via_notes = true;
	} else {
		t->head = str_trim(rest);
		if ((at = STR_RFIND(t->head, " via SMTP")) >= 0 &&
		    (size_t)at + 9 == t->head.len) {
			t->via_smtp = true;
			t->head.len = (size_t)at;
		} else if ((at = STR_RFIND(t->head, " via Notes")) >= 0 &&
		    (size_t)at + 10 == t->head.len) {
			t->via_notes = true;
			t->head.len = (size_t)at;
		}
	}
	/* Id tokens, from the right: "OF..:.. ON..:.." or "OF..-ON..". */
	for (i = 0; i < 2; i++) {
		struct str h = t->head, tok;
		long sp = STR_RFIND(h, " ");

		if (sp < 0)
			break;
		tok = str_skip(h, (size_t)sp + 1);
		if (tok.len == 39 && tok.p[19] == '-' &&
		    is_unid_half(tok.p, 19, 'F') &&
		    is_unid_half(tok.p + 20, 19, 'N')) {
			t->of = str_make(tok.p, 19);
			t->on = str_make(tok.p + 20, 19);
		} else if (is_unid_half(tok.p, tok.len, 'N') &&
		    t->on.len == 0 && t->of.len == 0) {
			t->on = tok;
		} else if (is_unid_half(tok.p, tok.len, 'F') &&
		    t->of.len == 0) {
			t->of = tok;
		} else {
			break;
		}
		t->head.len = (size_t)sp;
		if (t->of.len > 0)
			break;
	}
}

/* "R from S": *r and *s (s empty when there is no " from "). */
static void
split_from(struct str head, bool has_id, struct str *r, struct str *s)
{
	long first = STR_FIND(head, " from ");
	long at = first;

	*r = str_trim(head);
	*s = STR_EMPTY;
	if (first < 0)
		return;
	if (has_id || memchr(head.p, ' ', (size_t)first) != NULL)
		at = STR_RFIND(head, " from ");
	*r = str_trim(str_make(head.p, (size_t)at));
	*s = str_trim(str_skip(head, (size_t)at + 6));
}

/* A 4xx/5xx SMTP reply code in t: its first digit, else 0; *dsn the
 * enhanced code after it, if any. */
static char
reply_class(struct str t, struct str *dsn)
{
	size_t i, j;

	*dsn = STR_EMPTY;
	for (i = 0; i + 3 <= t.len; i++) {
		const char *p = t.p + i;

		if ((p[0] != '4' && p[0] != '5') || !is_digit(p[1]) ||
		    !is_digit(p[2]) || (i > 0 && !is_blank(p[-1]) &&
		    p[-1] != ':' && p[-1] != '(') ||
		    (i + 3 < t.len && p[3] != ' ' && p[3] != '-'))
			continue;
		j = i + 4;
		if (j + 5 <= t.len && t.p[j] == p[0] && t.p[j + 1] == '.') {
			size_t k = j + 2;

			while (k < t.len && (is_digit(t.p[k]) || t.p[k] == '.'))
				k++;
			*dsn = str_make(t.p + j, k - j);
		}
		return p[0];
	}
	return 0;
}

/* The msgid of a UNID: "OFxxxxxxxx:xxxxxxxx-ONxxxxxxxx:xxxxxxxx". */
static struct str
unid_msgid(struct domino *dm, const struct tail *t)
{
	size_t i;

	buf_reset(&dm->scratch);
	buf_add(&dm->scratch, t->of.p, t->of.len);
	if (t->on.len > 0) {
		buf_addc(&dm->scratch, '-');
		buf_add(&dm->scratch, t->on.p, t->on.len);
	}
	for (i = 0; i < dm->scratch.len; i++)
		if (dm->scratch.p[i] == '.')
			dm->scratch.p[i] = ':';
	return str_make(dm->scratch.p, dm->scratch.len);
}

static void
emit(struct event *ev, enum ev_type type, event_sink_fn sink, void *ctx)
{
	ev->type = type;
	sink(ctx, ev);
}

/* A person's internet address, else name as it is. */
static struct str
resolve_person(const struct domino *dm, struct str name)
{
	const struct notesdir_member *mem;
	struct str addr = STR_EMPTY;
	size_t n;

	if (dm->dir == NULL || name.len == 0 || notesdir_is_inet(name) ||
	    notesdir_find(dm->dir, name, &addr, &mem, &n) != NOTESDIR_PERSON ||
	    addr.len == 0)
		return name;
	return addr;
}

/* One EV_DELIVERY for name, resolved through the Directory. */
static void
emit_rcpt(struct domino *dm, struct domino_msg *m, struct event *ev,
    struct str name, struct str parent, enum rcpt_status st,
    event_sink_fn sink, void *ctx)
{
	const struct notesdir_member *mem = NULL;
	struct str addr = STR_EMPTY;
	size_t n = 0, i;

	parent = resolve_person(dm, parent);
	ev->status = st;
	ev->orig = parent;
	ev->flags = 0;
	note_outcome(m, hash_bytes(name.p, name.len), st);
	if (notesdir_is_inet(name) || name.len == 0) {
		ev->addr = name;
		emit(ev, EV_DELIVERY, sink, ctx);
		return;
	}
	switch (dm->dir != NULL ? notesdir_find(dm->dir, name, &addr, &mem,
	    &n) : NOTESDIR_NONE) {
	case NOTESDIR_PERSON:
		if (addr.len > 0) {
			ev->addr = addr;
			emit(ev, EV_DELIVERY, sink, ctx);
			return;
		}
		break;
	case NOTESDIR_GROUP:
		dm->stats.groups_expanded++;
		ev->orig = name;
		for (i = 0; i < n; i++) {
			ev->addr = mem[i].addr;
			ev->flags = mem[i].resolved ? 0 : EVF_UNRESOLVED;
			if (!mem[i].resolved)
				dm->stats.unresolved++;
			emit(ev, EV_DELIVERY, sink, ctx);
		}
		ev->flags = 0;
		if (n > 0)
			return;
		ev->orig = parent;
		break;
	default:
		break;
	}
	dm->stats.unresolved++;
	ev->addr = name;
	ev->flags = EVF_UNRESOLVED;
	emit(ev, EV_DELIVERY, sink, ctx);
	ev->flags = 0;
}

/* Sender, size and UNID of a long-form Router line; returns whether the
 * line names another message than the open one (reuse). */
static bool
differs(const struct domino_msg *m, uint64_t sender, uint64_t unid)
{
	if (m == NULL)
		return false;
	if (unid != 0 && m->unid != 0 && unid != m->unid)
		return true;
	return sender != 0 && m->sender != 0 && sender != m->sender;
}

static struct domino_msg *
find_open(struct domino *dm, struct str host, uint32_t noteid)
{
	uint32_t h = host_id(dm, host) + 1;
	size_t j = msg_slot(dm, h, noteid);

	return dm->msgs[j].host != 0 ? &dm->msgs[j] : NULL;
}

/* The lifetime of noteid with the sender, size and UNID of tail t. */
static struct domino_msg *
router_msg(struct domino *dm, struct event *ev, uint32_t noteid,
    char qid[9], struct str sender, const struct tail *t,
    event_sink_fn sink, void *ctx)
{
	uint64_t sh = sender.len ? hash_bytes(sender.p, sender.len) : 0;
	uint64_t uh = t->of.len ? hash_bytes(t->of.p, t->of.len) : 0;
	struct domino_msg *m = find_open(dm, ev->host, noteid);
	bool had_sender;

	m = msg_touch(dm, ev, noteid, qid, differs(m, sh, uh), sink, ctx);
	had_sender = m->sender != 0;
	if (sh != 0 && m->sender == 0)
		m->sender = sh;
	if (uh != 0 && m->unid == 0)
		m->unid = uh;
	if ((sender.len > 0 && !had_sender) || t->size >= 0) {
		ev->sender = resolve_person(dm, sender);
		ev->size = t->size;
		emit(ev, EV_ENVELOPE, sink, ctx);
		ev->sender = STR_EMPTY;
		ev->size = -1;
	}
	if (t->of.len > 0 && !m->has_msgid) {
		m->has_msgid = true;
		ev->msgid = unid_msgid(dm, t);
		emit(ev, EV_MSGID, sink, ctx);
		ev->msgid = STR_EMPTY;
	}
	return m;
}

/* "Message N[, N2] VERB ...": the NoteIDs and what follows them. */
static size_t
read_noteids(struct str s, uint32_t ids[2], struct str *rest)
{
	size_t n = 0;

	if (!read_noteid(s, &ids[0]))
		return 0;
	n = 1;
	s = str_skip(s, 8);
	if (STR_STARTS(s, ", ") && read_noteid(str_skip(s, 2), &ids[1])) {
		n = 2;
		s = str_skip(s, 10);
	}
	*rest = s;
	return n;
}

static enum parse_result
router_message(struct domino *dm, struct str s, struct event *ev,
    event_sink_fn sink, void *ctx)
{
	uint32_t ids[2];
	size_t nids, k;
	struct str rest, r, sender, host = STR_EMPTY, who = STR_EMPTY;
	struct tail t;
	enum rcpt_status st;
	char qid[9];
	long at;
	enum { DELIVERED, TRANSFERRED, NOT_TRANSFERRED, FORWARDED,
		AUTO_FORWARDED } verb;

	if ((nids = read_noteids(s, ids, &rest)) == 0)
		return PARSE_UNRECOGNIZED;
	if (STR_STARTS(rest, " delivered to ")) {
		verb = DELIVERED;
		rest = str_skip(rest, 14);
	} else if (STR_STARTS(rest, " transferred to ")) {
		verb = TRANSFERRED;
		rest = str_skip(rest, 16);
	} else if (STR_STARTS(rest, " NOT transferred ")) {
		verb = NOT_TRANSFERRED;
		rest = str_skip(rest, 17);
		if (STR_STARTS(rest, "via SMTP to ") ||
		    STR_STARTS(rest, "via Notes to "))
			rest = str_skip(rest, rest.p[4] == 'S' ? 12 : 13);
		else if (STR_STARTS(rest, "to "))
			rest = str_skip(rest, 3);
		else
			return PARSE_UNRECOGNIZED;
	} else if ((at = STR_FIND(rest, " auto forwarded by ")) >= 0) {
		long to;

		verb = AUTO_FORWARDED;
		rest = str_skip(rest, (size_t)at + 19);
		if ((to = STR_RFIND(rest, " to ")) < 0)
			return PARSE_UNRECOGNIZED;
		who = str_trim(str_make(rest.p, (size_t)to));
		rest = str_skip(rest, (size_t)to + 4);
	} else if ((at = STR_FIND(rest, " forwarded to ")) >= 0) {
		verb = FORWARDED;
		rest = str_skip(rest, (size_t)at + 14);
	} else {
		return PARSE_UNRECOGNIZED;
	}
	cut_tail(rest, &t);
	if (verb == TRANSFERRED || verb == NOT_TRANSFERRED) {
		if ((at = STR_FIND(t.head, " for ")) < 0)
			return PARSE_UNRECOGNIZED;
		host = str_trim(str_make(t.head.p, (size_t)at));
		t.head = str_skip(t.head, (size_t)at + 5);
	}
	split_from(t.head, t.of.len > 0, &r, &sender);
	if (verb == NOT_TRANSFERRED && t.size < 0 && sender.len == 0) {
		/* "... for R <error text>": R is one word. */
		struct str h = t.head;
		size_t i;

		for (i = 0; i < h.len && h.p[i] != ' '; i++)
			;
		r = str_make(h.p, i);
		t.after = str_trim(str_skip(h, i));
	}
	if (r.len == 0 || ((verb == TRANSFERRED || verb == NOT_TRANSFERRED) &&
	    host.len == 0))
		return PARSE_UNRECOGNIZED;
	for (k = 0; k < nids; k++) {
		struct domino_msg *m = router_msg(dm, ev, ids[k], qid,
		    verb == AUTO_FORWARDED ? STR_EMPTY : sender, &t, sink,
		    ctx);

		ev->text = ev->dsn = STR_EMPTY;
		st = RCPT_SENT;
		switch (verb) {
		case DELIVERED:
			ev->relay = STR_LIT("local");
			break;
		case TRANSFERRED:
			ev->relay = host;
			break;
		case NOT_TRANSFERRED:
			ev->relay = host;
			ev->text = t.after;
			st = reply_class(t.after, &ev->dsn) == '5' ?
			    RCPT_BOUNCED : RCPT_DEFERRED;
			break;
		case FORWARDED:
		case AUTO_FORWARDED:
			ev->relay = STR_LIT("forward");
			break;
		}
		emit_rcpt(dm, m, ev, r, who, st, sink, ctx);
	}
	return PARSE_EVENT;
}

/* "Unable to deliver message N to R[: reason]" (unverified shape). */
static enum parse_result
router_unable(struct domino *dm, struct str s, struct event *ev,
    event_sink_fn sink, void *ctx)
{
	uint32_t id;
	struct str r, reason = STR_EMPTY;
	struct domino_msg *m;
	char qid[9];
	long at;

	if (!read_noteid(s, &id) || !STR_STARTS(str_skip(s, 8), " to "))
		return PARSE_UNRECOGNIZED;
	r = str_skip(s, 12);
	if ((at = STR_FIND(r, ": ")) >= 0 || (at = STR_FIND(r, " because "))
	    >= 0) {
		reason = str_trim(str_skip(r, (size_t)at + 1));
		r = str_make(r.p, (size_t)at);
	}
	r = str_trim(r);
	if (r.len == 0)
		return PARSE_UNRECOGNIZED;
	m = msg_touch(dm, ev, id, qid, false, sink, ctx);
	ev->relay = STR_LIT("local");
	ev->text = reason;
	reply_class(reason, &ev->dsn);
	emit_rcpt(dm, m, ev, r, STR_EMPTY, RCPT_BOUNCED, sink, ctx);
	return PARSE_EVENT;
}

static bool
starts_any(struct str s, const char *const *list)
{
	for (; *list != NULL; list++)
		if (str_starts(s, *list, strlen(*list)))
			return true;
	return false;
}

static enum parse_result
parse_router(struct domino *dm, struct str s, struct event *ev,
    event_sink_fn sink, void *ctx)
{
	/* Start-up, per-domain and batch lines: no message of their own. */
	static const char *const context[] = {
		"Mail Router started", "Mail Router shutdown",
		"Mail Router is ", "Internet SMTP host", "Unable to obtain",
		"Transferring mail to ", "Transferred ", "Transfer to server ",
		"Delivery to local recipient ", "Delivery thread ",
		"Shutdown", "Starting", "Started", "Using ", "Mail Router ",
		"Router shutdown", "Unable to connect", NULL,
	};

	if (STR_STARTS(s, "Message "))
		return router_message(dm, str_skip(s, 8), ev, sink, ctx);
	if (STR_STARTS(s, "Unable to deliver message "))
		return router_unable(dm, str_skip(s, 26), ev, sink, ctx);
	if (starts_any(s, context))
		return PARSE_CONTEXT;
	return PARSE_UNRECOGNIZED;
}

/* "Message N (MessageID: <m>) received from H size S bytes" */
static enum parse_result
smtp_received(struct domino *dm, const struct domino_env *env, struct str s,
    struct event *ev, event_sink_fn sink, void *ctx)
{
	uint32_t id;
	struct str msgid = STR_EMPTY, rest;
	struct domino_session *se;
	struct domino_msg *m;
	char qid[9];
	long at, size = -1;
	size_t i;

	if (!read_noteid(s, &id))
		return PARSE_UNRECOGNIZED;
	rest = str_skip(s, 8);
	if (STR_STARTS(rest, " (MessageID: ")) {
		rest = str_skip(rest, 13);
		if ((at = STR_FIND(rest, ") received ")) < 0)
			return PARSE_UNRECOGNIZED;
		msgid = str_trim(str_make(rest.p, (size_t)at));
		rest = str_skip(rest, (size_t)at + 1);
	}
	if (!STR_STARTS(rest, " received"))
		return PARSE_UNRECOGNIZED;
	if ((at = STR_RFIND(rest, " size ")) >= 0) {
		struct str n = str_skip(rest, (size_t)at + 6);

		for (i = 0, size = 0; i < n.len && is_digit(n.p[i]); i++)
			if (size < 1000000000000L)
				size = size * 10 + (n.p[i] - '0');
		if (i == 0)
			size = -1;
	}
	se = session_for(dm, env, ev->host, false);
	m = msg_touch(dm, ev, id, qid, find_open(dm, ev->host, id) != NULL,
	    sink, ctx);
	if (msgid.len > 0) {
		if (msgid.p[0] != '<') {
			buf_reset(&dm->scratch);
			buf_addc(&dm->scratch, '<');
			buf_add(&dm->scratch, msgid.p, msgid.len);
			buf_addc(&dm->scratch, '>');
			msgid = str_make(dm->scratch.p, dm->scratch.len);
		}
		m->has_msgid = true;
		ev->msgid = msgid;
		emit(ev, EV_MSGID, sink, ctx);
		ev->msgid = STR_EMPTY;
	}
	ev->size = size;
	if (se != NULL && se->has_sender)
		ev->sender = str_make(se->sender.p, se->sender.len);
	if (se != NULL && se->nrcpts > 0) {
		ev->nrcpt = se->nrcpts;
		m->expected = (int32_t)se->nrcpts;
	}
	emit(ev, EV_ENVELOPE, sink, ctx);
	ev->sender = STR_EMPTY;
	if (se != NULL && se->nrcpts > 0) {
		struct hdr_addr *a;
		const char *p = se->rcpts.p;

		buf_reset(&dm->addrs);
		buf_grow(&dm->addrs, se->nrcpts * sizeof(*a));
		a = (struct hdr_addr *)(void *)dm->addrs.p;
		for (i = 0; i < se->nrcpts; i++) {
			size_t n = strlen(p);

			a[i].addr = str_make(p, n);
			a[i].name = STR_EMPTY;
			p += n + 1;
		}
		ev->hname = STR_LIT("Envelope-To");
		ev->addrs = a;
		ev->naddrs = se->nrcpts;
		ev->list_complete = true;
		emit(ev, EV_HDR_ADDRS, sink, ctx);
	}
	if (se != NULL)
		session_clear(se);
	return PARSE_EVENT;
}

/* "<a>" or "a": the address without brackets. */
static struct str
bare_addr(struct str s)
{
	s = str_trim(s);
	if (s.len >= 2 && s.p[0] == '<' && s.p[s.len - 1] == '>')
		s = str_make(s.p + 1, s.len - 2);
	return s;
}

static enum parse_result
parse_smtp_server(struct domino *dm, const struct domino_env *env,
    struct str s, struct event *ev, event_sink_fn sink, void *ctx)
{
	static const char *const context[] = {
		"Starting", "Started", "Shutdown", "Stopped", "Listener ",
		"Listening", "Authentication failed", "Connection from ",
		"Message rejected", "Rejected ", "Unable to ", "Maximum ",
		"Error ", "TLS ", "Relay ", "Inbound ", "Suspending ", NULL,
	};
	struct domino_session *se;
	struct str a;

	if (STR_STARTS(s, "Originator: ")) {
		se = session_for(dm, env, ev->host, true);
		session_clear(se);
		a = bare_addr(str_skip(s, 12));
		buf_add(&se->sender, a.p, a.len);
		se->has_sender = true;
		return PARSE_EVENT;
	}
	if (STR_STARTS(s, "Recipient: ")) {
		se = session_for(dm, env, ev->host, true);
		a = bare_addr(str_skip(s, 11));
		if (a.len > 0 && memchr(a.p, '\0', a.len) == NULL) {
			buf_add(&se->rcpts, a.p, a.len);
			buf_addc(&se->rcpts, '\0');
			se->nrcpts++;
		}
		return PARSE_EVENT;
	}
	if (STR_STARTS(s, "Message ") && STR_FIND(s, " received") >= 0)
		return smtp_received(dm, env, str_skip(s, 8), ev, sink, ctx);
	if (s.len > 10 && memcmp(s.p + s.len - 10, " connected", 10) == 0) {
		session_clear(session_for(dm, env, ev->host, true));
		return PARSE_CONTEXT;
	}
	if (STR_FIND(s, " disconnected") >= 0) {
		if ((se = session_for(dm, env, ev->host, false)) != NULL)
			session_clear(se);
		return PARSE_CONTEXT;
	}
	if (starts_any(s, context))
		return PARSE_CONTEXT;
	return PARSE_UNRECOGNIZED;
}

/* See domino.h. */
enum parse_result
domino_parse(struct domino *dm, const struct domino_env *env,
    struct event *ev, event_sink_fn sink, void *ctx)
{
	struct str task = env->task;

	event_reset_fields(ev);
	ev->qid = STR_EMPTY;
	if (env->stamped)
		maybe_sweep(dm, ev->time, sink, ctx);
	if (STR_EQ(task, "Router"))
		return parse_router(dm, env->text, ev, sink, ctx);
	if (STR_EQ(task, "SMTP Server"))
		return parse_smtp_server(dm, env, env->text, ev, sink, ctx);
	/* SMTPClient debug replies, "smtp:"/"http:" authentication
	 * failures, start-up text of every task, bare message numbers. */
	return PARSE_CONTEXT;
}

/* ---- streams ---- */

static struct domino_file *
file_for(struct domino *dm, const struct input_stream *s, bool create)
{
	size_t i;

	if (dm->cur < dm->nfiles && dm->files[dm->cur].s == s)
		return &dm->files[dm->cur];
	for (i = 0; i < dm->nfiles; i++)
		if (dm->files[i].s == s)
			break;
	if (i == dm->nfiles) {
		if (!create)
			return NULL;
		if (dm->nfiles == dm->capfiles) {
			dm->capfiles = dm->capfiles ? dm->capfiles * 2 : 16;
			dm->files = xreallocarray(dm->files, dm->capfiles,
			    sizeof(*dm->files));
		}
		memset(&dm->files[i], 0, sizeof(dm->files[i]));
		dm->files[i].s = s;
		dm->nfiles++;
	}
	return &dm->files[i];
}

/* Whether a line looks like only Domino writes it. */
static bool
looks_domino(const char *line, size_t len)
{
	struct domino_env env;
	size_t i;

	if (!domino_envelope(line, len, &env))
		return env.thread.len > 0 || STR_EQ(env.task, "Router") ||
		    STR_EQ(env.task, "SMTP Server");
	if (env.thread.len > 0 || env.prompt || !env.year_first)
		return true;
	/* "2016-11-07 22:21:20   smtp: ...": two blanks after the time
	 * (Exim writes one). */
	i = (size_t)(env.stamp.p - line) + env.stamp.len;
	return i + 1 < len && is_blank(line[i]) && is_blank(line[i + 1]);
}

/* See domino.h. */
size_t
domino_sniff_score(const char *const *lines, const size_t *lens, size_t n)
{
	size_t i, score = 0;

	for (i = 0; i < n; i++)
		if (lens[i] > 0 && looks_domino(lines[i], lens[i]))
			score++;
	return score;
}

static void
file_vote(struct domino_file *f, const struct domino_env *env)
{
	int k;

	if (!env->stamped || env->year_first)
		return;
	k = domino_sep_index(env->sep);
	f->seen[k] = true;
	f->votes[k] |= (uint8_t)domino_order_vote(env);
	if (env->f[0] != env->f[1] && env->f[0] <= 12 && env->f[1] <= 12)
		f->ambig[k] = true;
}

static enum domino_order
file_order(const struct domino *dm, const struct domino_file *f, char sep)
{
	int k = domino_sep_index(sep);

	/* The dates' own evidence first: --date-order is for files (and
	 * servers) whose dates do not decide, or contradict each other. */
	if (f->votes[k] == 1)
		return DOMINO_ORDER_DMY;
	if (f->votes[k] == 2)
		return DOMINO_ORDER_MDY;
	if (f->order[k] != DOMINO_ORDER_UNKNOWN)
		return (enum domino_order)f->order[k];
	if (dm->forced == DOMINO_ORDER_MDY || dm->forced == DOMINO_ORDER_DMY)
		return dm->forced;
	return DOMINO_ORDER_UNKNOWN;
}

/* How f's day/month order was decided, for stats. */
static const char *
order_story(const struct domino *dm, const struct domino_file *f)
{
	static const char *const own[] = { "", "dmy from its dates",
	    "mdy from its dates" };
	static const char *const server[] = { "", "dmy from the server's "
	    "other files", "mdy from the server's other files" };
	int k;

	for (k = 0; k < 3; k++) {
		if (!f->seen[k])
			continue;
		if (f->votes[k] == 1 || f->votes[k] == 2)
			return own[f->votes[k]];
		if (f->votes[k] == 3 && dm->forced != DOMINO_ORDER_MDY &&
		    dm->forced != DOMINO_ORDER_DMY)
			return "undecided: both orders seen";
		if (!f->ambig[k])
			return "no date where the order matters";
		if (f->order[k] == DOMINO_ORDER_DMY)
			return server[1];
		if (f->order[k] == DOMINO_ORDER_MDY)
			return server[2];
		if (dm->forced == DOMINO_ORDER_MDY)
			return "mdy from --date-order";
		if (dm->forced == DOMINO_ORDER_DMY)
			return "dmy from --date-order";
		return "undecided: no day above 12";
	}
	return "year first, or no dates";
}

static void
set_first_time(struct domino *dm, struct domino_file *f,
    struct input_stream *s, struct tzconv *tz)
{
	struct domino_env env;
	struct tstamp_tm tm;
	enum domino_order o;

	if (!f->has_first || s->has_time)
		return;
	memset(&env, 0, sizeof(env));
	env.stamped = true;
	memcpy(env.f, f->first.f, sizeof(env.f));
	env.sep = f->first.sep;
	env.year_first = f->first.year_first;
	env.hour = f->first.hour;
	env.min = f->first.min;
	env.sec = f->first.sec;
	o = env.year_first ? DOMINO_ORDER_YMD : file_order(dm, f, env.sep);
	if (domino_env_tm(&env, o, &tm) != 0)
		return;
	s->first_time = tzconv_to_epoch(tz, tm.year, tm.mon, tm.day, tm.hour,
	    tm.min, tm.sec);
	s->has_time = true;
}

/* See domino.h. */
void
domino_sniff(struct domino *dm, struct input_stream *s,
    const char *const *lines, const size_t *lens, size_t n,
    struct tzconv *tz)
{
	struct domino_file *f = file_for(dm, s, true);
	struct domino_env env;
	size_t i;

	s->has_time = false;
	for (i = 0; i < n; i++) {
		if (!domino_envelope(lines[i], lens[i], &env))
			continue;
		file_vote(f, &env);
		if (!f->has_first) {
			f->has_first = true;
			memcpy(f->first.f, env.f, sizeof(env.f));
			f->first.sep = env.sep;
			f->first.year_first = env.year_first;
			f->first.hour = env.hour;
			f->first.min = env.min;
			f->first.sec = env.sec;
		}
	}
	set_first_time(dm, f, s, tz);
}

static void
prescan_line(void *ctx, struct input_stream *s, const char *line,
    size_t len, uint64_t lineno)
{
	struct domino *dm = ctx;
	struct domino_file *f = file_for(dm, s, true);
	struct domino_env env;

	(void)lineno;
	/* Only digits can start a date, after an optional prefix. */
	if (len > 0 && (is_digit(line[0]) || line[0] == '[' ||
	    line[0] == '>') && domino_envelope(line, len, &env))
		file_vote(f, &env);
}

/* See domino.h. */
void
domino_prepare(struct domino *dm, struct input_set *set, struct diag *diag,
    struct tzconv *tz)
{
	size_t i, j;
	int k;

	for (i = 0; i < set->n; i++) {
		struct input_stream *s = set->v[i];
		struct domino_file *f;
		uint64_t lines, bytes, cut;
		bool need = false;

		if (s->format != FMT_DOMINO)
			continue;
		f = file_for(dm, s, true);
		f->host = host_id(dm, str_make(s->host, strlen(s->host)));
		for (k = 0; k < 3; k++)
			if (f->seen[k] && f->votes[k] == 0)
				need = true;
		if (!need || s->is_stdin)
			continue;
		/* The first lines left the order open: read the dates of
		 * the whole file once (counters are the real read's). */
		lines = s->lines;
		bytes = s->bytes;
		cut = s->cut_lines;
		input_read(set, s, prescan_line, dm);
		s->lines = lines;
		s->bytes = bytes;
		s->cut_lines = cut;
	}
	for (i = 0; i < dm->nfiles; i++) {
		struct domino_file *f = &dm->files[i];

		for (k = 0; k < 3; k++) {
			uint8_t v = f->votes[k];

			if (v == 1 || v == 2)
				f->order[k] = v == 1 ? DOMINO_ORDER_DMY :
				    DOMINO_ORDER_MDY;
			if (v != 0 || !f->seen[k])
				continue;
			/* The server's other files, if they agree. */
			for (j = 0; j < dm->nfiles; j++)
				if (j != i && dm->files[j].host == f->host)
					v |= dm->files[j].votes[k];
			if (v == 1 || v == 2)
				f->order[k] = v == 1 ? DOMINO_ORDER_DMY :
				    DOMINO_ORDER_MDY;
			else if (!f->ambig[k])
				f->order[k] = DOMINO_ORDER_DMY;	/* no matter */
		}
	}
	for (i = 0; i < dm->nfiles; i++) {
		struct domino_file *f = &dm->files[i];
		struct input_stream *s = (struct input_stream *)f->s;
		static const char seps[] = "/.-";

		for (k = 0; k < 3; k++) {
			if (!f->seen[k] || file_order(dm, f, seps[k]) !=
			    DOMINO_ORDER_UNKNOWN)
				continue;
			diag_warn(diag, s->display, "domino: %s: day/month "
			    "order of '%c' dates undecidable (%s): those lines "
			    "are counted as unrecognized; give --date-order",
			    f->votes[k] == 3 ? "conflicting dates" :
			    "no day above 12", seps[k], f->votes[k] == 3 ?
			    "both orders seen" : "nor in the server's other "
			    "files");
		}
		set_first_time(dm, f, s, tz);
		s->date_order = order_story(dm, f);
	}
}

/* Whether t lies in the span of another, finished file of f's server. */
static bool
covered(const struct domino *dm, const struct domino_file *f, int64_t t)
{
	size_t i;

	for (i = 0; i < dm->nfiles; i++) {
		const struct domino_file *o = &dm->files[i];

		if (o != f && o->done && o->host == f->host &&
		    o->s->first_seen != INT64_MIN &&
		    o->s->first_seen <= t && t <= o->s->last_seen)
			return true;
	}
	return false;
}

/* See domino.h. */
enum parse_result
domino_line(struct domino *dm, struct input_stream *s, const char *line,
    size_t len, uint64_t lineno, struct tzconv *tz, event_sink_fn sink,
    void *ctx)
{
	struct domino_file *f;
	struct domino_env env;
	struct event ev;
	enum parse_result res;
	bool stamped;

	if (dm->cur >= dm->nfiles || dm->files[dm->cur].s != s) {
		if (dm->cur < dm->nfiles)
			dm->files[dm->cur].done = true;
		f = file_for(dm, s, true);
		dm->cur = (size_t)(f - dm->files);
		f->host = host_id(dm, str_make(s->host, strlen(s->host)));
		f->hostlen = strlen(s->host);
	}
	f = &dm->files[dm->cur];
	stamped = domino_envelope(line, len, &env);
	event_clear(&ev);
	/* The interned copy: host_id() then finds it by pointer. */
	ev.host = str_make(dm->hosts[f->host], f->hostlen);
	ev.src = s->id;
	ev.line = lineno;
	if (stamped) {
		enum domino_order o = env.year_first ? DOMINO_ORDER_YMD :
		    file_order(dm, f, env.sep);
		struct tstamp_tm tm;
		int64_t t;

		if (env.stamp.len == f->stamp_len && env.stamp.len > 0 &&
		    memcmp(env.stamp.p, f->stamp, env.stamp.len) == 0) {
			t = f->stamp_time;
		} else {
			if (domino_env_tm(&env, o, &tm) != 0)
				return PARSE_UNRECOGNIZED;
			t = tzconv_to_epoch(tz, tm.year, tm.mon, tm.day,
			    tm.hour, tm.min, tm.sec);
			if (env.stamp.len <= sizeof(f->stamp)) {
				memcpy(f->stamp, env.stamp.p, env.stamp.len);
				f->stamp_len = env.stamp.len;
				f->stamp_time = t;
			}
		}
		if (s->first_seen != INT64_MIN && t < s->first_seen &&
		    covered(dm, f, t)) {
			dm->stats.replayed++;
			return PARSE_CONTEXT;
		}
		if (s->first_seen == INT64_MIN)
			s->first_seen = t;
		s->last_seen = t;
		f->last_time = t;
		f->has_last = true;
		ev.time = t;
		ev.usec = env.usec;
	} else {
		/* No stamp (a pasted quote, a wrapped line): the time of
		 * the line before, or the epoch when there was none. */
		ev.time = f->has_last ? f->last_time : 0;
	}
	res = domino_parse(dm, &env, &ev, sink, ctx);
	if (!stamped && res == PARSE_UNRECOGNIZED)
		res = PARSE_CONTEXT;
	return res;
}
