/*
 * domino - HCL/IBM/Lotus Domino console logs (console.log, its mirrors
 * consoleN.log, notes.log and notes_*.log.gz) into normalized events
 *
 * A console line is "[> ][[pid:tid-thr] ]DATE [[pid:tid-thr] ]TIME[ AMPM]
 * <blanks>TASK[ [pid:tid-thr]]: TEXT". domino_envelope() reads that small
 * grammar without fixed widths: the thread prefix before the date, after
 * the time or after the task name; the "> " console prompt; dates as
 * a-b-c with '/', '.' or '-' where a four-digit year comes first (YMD)
 * or last (MDY or DMY: which one the line does not say); 12- or 24-hour
 * time with an optional ".hh" fraction and an AM/PM marker in English or
 * a few localized forms (a.m., vorm./nachm., 午前/午後, 오전/오후,
 * 上午/下午). Two-digit years, month names and non-Latin digits are no
 * stamp: such lines read as unstamped.
 *
 * Day/month order is decided per file and separator from the values
 * (domino_order_vote()): a first field above 12 means DMY, a second one
 * MDY; equal fields need no decision. A file that shows neither takes
 * its server's order if the server's other files agree on one, else
 * --date-order (which never overrides a file's own evidence); otherwise
 * it is undecidable, reported once, and its
 * stamped lines are unrecognized (never guessed).
 *
 * domino_parse() reads TASK and TEXT of one line (stamped or not) and
 * emits events. Its state (struct domino) holds the open SMTP sessions
 * (Originator/Recipient lines wait for their "Message ... received")
 * and the open messages per (server, NoteID):
 *
 *   SMTP Server: Message N (MessageID: <m>) received from H size S bytes
 *       EV_BEGIN, EV_MSGID, EV_ENVELOPE (the session's Originator, size,
 *       count of Recipient lines), EV_HDR_ADDRS "Envelope-To" (those
 *       recipients: accepted by the server, not yet delivered)
 *   Router: Message N[, N2] delivered to R [from S ID... Size: ..]
 *       EV_DELIVERY sent, relay "local" (one per NoteID)
 *   Router: Message N transferred to H for R [from S ...] via SMTP|Notes
 *       EV_DELIVERY sent, relay H
 *   Router: Message N NOT transferred via SMTP to H for R from S ... TEXT
 *       EV_DELIVERY deferred (bounced when TEXT holds a 5xx reply)
 *   Router: Unable to deliver message N to R[: reason]
 *       EV_DELIVERY bounced
 *   Router: Message N forwarded to T [from S ...]
 *   Router: Message N auto forwarded by W to T
 *       EV_DELIVERY sent to T, relay "forward", parent W
 *
 * Router lines are read from the right: the tail keywords ("Size:",
 * "Time:", "Hop Count:", "via SMTP|Notes") are cut off first, then the
 * id tokens (OFxxxxxxxx:xxxxxxxx ONxxxxxxxx:xxxxxxxx, '-' or ' ' between,
 * ':' or '.' inside), and only then is "R from S" split: at the first
 * " from " when R is one word (an internet address), else at the last
 * one - Notes names hold spaces and the word "from". A UNID token is
 * the lifetime's Message-ID when the log gives no RFC 5322 one
 * (Notes-originated mail), so hops on other Domino servers that log the
 * same UNID join, and so does the next SMTP hop: the join key of a
 * Message-ID "<OFx.x-ONx.x-...@...>" that Domino made from the UNID is
 * the UNID (msg_store_msgid_key).
 *
 * The first event of a NoteID not open on that server starts a lifetime
 * (EV_BEGIN). A lifetime ends (EV_END, at its last line) when it has been
 * idle for DOMINO_SETTLE seconds once every envelope recipient has an
 * outcome, DOMINO_IDLE seconds when the recipients are not known and
 * none is deferred, DOMINO_GAP seconds otherwise; a "received" line or a
 * different sender on an open NoteID ends it at once (NoteID reuse,
 * counted). Idle lifetimes are swept when the log time passes.
 *
 * Names: Notes names ("John Doe/Sales/Acme", "...@NotesDomain") are kept
 * verbatim unless a Directory (notesdir.h) resolves them: a person to
 * its internet address, a group to one event per member (parent: the
 * group); senders and parents that are persons resolve too. An address that is not an internet address and that the
 * Directory does not resolve carries EVF_UNRESOLVED.
 *
 * Memory: sessions and open messages live in tables that grow by
 * doubling; recipients of a session are copied into one reused buffer.
 * Nothing is allocated per line in the steady state. Parsing never reads
 * past len and never prints; BUGS: without thread prefixes, concurrent
 * SMTP sessions cannot be told apart and their Originator/Recipient lines
 * go to the latest session. Cross-server NRPC hops of SMTP mail have no
 * common id in the logs and stay separate messages.
 */
#ifndef MAILSPILL_DOMINO_H
#define MAILSPILL_DOMINO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/buf.h"
#include "event.h"
#include "input.h"
#include "notesdir.h"
#include "postfix.h"	/* enum parse_result */
#include "tstamp.h"

/* A Domino lifetime whose envelope recipients all have an outcome: its
 * last lines (a second delivery pass) follow within a minute. */
#define DOMINO_SETTLE	60
/* Recipients unknown (no Recipient lines at the default logging level)
 * and nothing deferred: the Router delivers a message in one pass. */
#define DOMINO_IDLE	900
/* A deferred recipient is retried for up to a day (§4 of the
 * reference): past that a NoteID is another message. */
#define DOMINO_GAP	86400


enum domino_order {
	DOMINO_ORDER_UNKNOWN,
	DOMINO_ORDER_MDY,
	DOMINO_ORDER_DMY,
	DOMINO_ORDER_YMD,
	DOMINO_ORDER_COUNT
};

/* "unknown", "mdy", "dmy", "ymd". */
const char *domino_order_name(enum domino_order o);
/* Parses "mdy", "dmy" or "ymd" (any case); DOMINO_ORDER_COUNT if not. */
enum domino_order domino_order_parse(const char *s);

/* The envelope of one line. Views point into the line. */
struct domino_env {
	bool stamped;
	bool prompt;		/* a leading "> " */
	struct str thread;	/* inside [...], empty: none */
	struct str stamp;	/* date and time as written */
	struct str task;	/* "Router", "SMTP Server"; empty: none */
	struct str text;	/* after "TASK: " (or all of it) */
	int f[3];		/* date fields as written */
	char sep;		/* '/', '.' or '-' */
	bool year_first;
	int hour, min, sec;	/* hour on the 24-hour clock */
	uint32_t usec;
};

/* Reads the envelope. Always fills task/text (for an unstamped line:
 * what follows an optional prompt and thread prefix); returns true when
 * the line has a date and time. */
bool domino_envelope(const char *line, size_t len, struct domino_env *env);

/* Evidence of a stamped line for the day/month order: bit 1 = a DMY
 * line (first field above 12), bit 2 = an MDY line. 0: undecided. */
unsigned domino_order_vote(const struct domino_env *env);
/* Index of a separator in per-separator tables: 0 '/', 1 '.', 2 '-'. */
int domino_sep_index(char sep);
/* Civil time of a stamped line in the given order (ignored for YMD
 * lines). -1 when the order is unknown or the date is impossible. */
int domino_env_tm(const struct domino_env *env, enum domino_order order,
    struct tstamp_tm *tm);

/* Server name of a console log without one in its lines: like
 * exim_host_from_path(), with Domino's directory names (notesdata,
 * IBM_TECHNICAL_SUPPORT, local, domino, ...) skipped. */
void domino_host_from_path(const char *display, char *out, size_t outsz);

struct domino_stats {
	uint64_t messages;		/* lifetimes started */
	uint64_t noteid_reuse;		/* a NoteID started over while open */
	uint64_t closed_settled, closed_idle, closed_gap;
	uint64_t sessions;
	uint64_t unresolved;		/* deliveries to unresolved names */
	uint64_t groups_expanded;
	uint64_t replayed;		/* lines of an already-read span */
};

struct domino_msg;
struct domino_session;
struct domino_file;

/* Parser state of one run. */
struct domino {
	const struct notesdir *dir;	/* NULL: no Directory */
	enum domino_order forced;	/* --date-order, or UNKNOWN */
	struct domino_file *files;	/* per input stream */
	size_t nfiles, capfiles, cur;
	struct domino_msg *msgs;	/* open messages, open addressing */
	size_t mask, used;
	struct domino_session *sess;
	size_t nsess, capsess;
	char **hosts;			/* server names, index = host id */
	size_t nhosts, last_host;
	int64_t next_sweep;
	uint64_t tick;			/* session use order */
	struct buf scratch;		/* Message-ID with <> added */
	struct buf addrs;		/* struct hdr_addr of a session */
	struct domino_stats stats;
};

void domino_init(struct domino *dm, const struct notesdir *dir,
    enum domino_order forced);
void domino_free(struct domino *dm);

/*
 * Parses one line whose envelope is env. ev comes in with time (of this
 * line; for an unstamped line the previous stamped one's), host, src and
 * line set; events go to sink. PARSE_EVENT when the line gave events or
 * message data (Originator, Recipient), PARSE_CONTEXT for known lines
 * without message data (startup, sessions, batch summaries, auth
 * failures, debug replies, other tasks, unstamped text),
 * PARSE_UNRECOGNIZED for a Router or SMTP line that matches no shape.
 */
enum parse_result domino_parse(struct domino *dm,
    const struct domino_env *env, struct event *ev, event_sink_fn sink,
    void *ctx);

/*
 * Stream level, for the dispatcher. domino_sniff_score() counts the
 * lines of a stream's first lines that only a Domino console writes
 * (a stamp with a thread prefix, an AM/PM marker, a day-month order or
 * two blanks after the time; an unstamped "Router:" or "SMTP Server:"
 * line). domino_sniff() records a Domino stream's date evidence and,
 * when its order is known, its first time. domino_prepare() reads every
 * stream whose first lines left the order open once more (only the
 * dates), decides each file's order (see above; diag_warn() for an
 * undecidable one) and gives those streams their first time; call it
 * after all inputs were added and before input_sort(). domino_line()
 * reads one line of a Domino stream: sets the stream's first/last
 * seen times, skips (as context, counted) lines of a wrapped
 * console.log that step back into a span another file of the same
 * server already gave, and returns domino_parse()'s result, with
 * unstamped lines never worse than context and stamped lines of an
 * undecided order unrecognized.
 */
size_t domino_sniff_score(const char *const *lines, const size_t *lens,
    size_t n);
void domino_sniff(struct domino *dm, struct input_stream *s,
    const char *const *lines, const size_t *lens, size_t n,
    struct tzconv *tz);
void domino_prepare(struct domino *dm, struct input_set *set,
    struct diag *diag, struct tzconv *tz);
enum parse_result domino_line(struct domino *dm, struct input_stream *s,
    const char *line, size_t len, uint64_t lineno, struct tzconv *tz,
    event_sink_fn sink, void *ctx);

/* Ends every lifetime idle at time now (see above); called by
 * domino_parse() itself as log time passes. */
void domino_sweep(struct domino *dm, int64_t now, event_sink_fn sink,
    void *ctx, bool all);

#endif
