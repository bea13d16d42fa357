/*
 * exim - Exim main and reject log lines into normalized events
 *
 * exim_parse_line() reads the text of one Exim log entry after its
 * timestamp: "[pid] " (+pid), the message ID (classic 16-character
 * "1rXyZa-0007Qw-Ab" or 4.97+ 23-character "1rXyZa-00000007Qw1-Ab3x")
 * and the flag or free text. Through syslog the same text may still
 * start with Exim's own stamp (syslog_timestamp), which is skipped, and
 * a "[n/m] " split marker: part 1 is read, later parts are context.
 * ev comes in with time, host, src and line set; the parser fills the
 * rest and calls sink zero or more times. Events map as follows:
 *
 *   <= and (=     EV_BEGIN, EV_ENVELOPE (sender, S=, count of "for"),
 *                 EV_MSGID ("<id=>"), EV_HEADER Subject (T="...",
 *                 unescaped), and for "<= <> R=ID" an EV_LINK
 *                 LINK_BOUNCE filed under the original ID
 *   => -> >>      EV_DELIVERY sent (discarded for :blackhole:,
 *                 /dev/null T=**bypassed**, "discarded", ACL
 *                 blackhole); C="..." with "id=" or "queued as" also
 *                 gives an EV_LINK LINK_NEXT_HOP
 *   *> and =>  >  EV_DELIVERY with EVF_PROBE (suppressed, autoreply)
 *   **            EV_DELIVERY bounced (expired for retry timeouts;
 *                 EVF_PARTIAL when the reply came after end of data)
 *   ==            EV_DELIVERY deferred
 *   Completed     EV_END;  "removed by" EV_DELETED
 *   rejected RCPT EV_REJECT with an empty qid (sender from F=)
 *   rejected after DATA, SMTP connection lost after final dot (with
 *                 an ID)  EV_DROPPED
 *
 * Delivery addresses are read as "FINAL [(PARENT)] [<ORIGINAL>]"; addr
 * is FINAL and orig ORIGINAL, except that a bare local part equal to
 * ORIGINAL's local part ("bob <bob@example.com>") becomes ORIGINAL with
 * no parent, and a discard target becomes ORIGINAL. Other lines about a
 * message (host errors, frozen, retry time not reached, site logwrite
 * text) are context, as are session, daemon and queue-run lines.
 * Strings that need rewriting (the Message-ID in <>, the unescaped
 * subject) are built in a buffer on the parser's stack, which is valid
 * for the sink call. Never allocates; never reads past len.
 *
 * exim_parse_untimed() classifies a line without a timestamp: reject
 * log header dumps ("Envelope-from: ", "P Received: ...", indented
 * recipients and continuations) and the continuation lines of
 * multi-line main log entries are context.
 *
 * exim_host_from_path() gives the host name of a plain Exim log, which
 * carries none: for an archive member, the archive's file name up to
 * its first '.'; otherwise the nearest directory of the file whose name
 * is not a conventional log directory (log, logs, var, exim, exim4,
 * mail, spool, tmp); "localhost" when there is none. So a host's
 * mainlog, rejectlog and their rotations share one host, and
 * "mx1/var/log/exim4/mainlog" or "mx1.tar.gz!mainlog" read as mx1.
 * --host overrides it, and Exim lines through syslog take the syslog
 * host.
 */
#ifndef MAILSPILL_EXIM_H
#define MAILSPILL_EXIM_H

#include <stdbool.h>
#include <stddef.h>

#include "event.h"
#include "postfix.h"	/* enum parse_result */
#include "syslog.h"

/* Whether a syslog record comes from Exim: tag "exim" or "exim4"
 * (syslog_processname), with or without a pid. */
bool exim_is_tag(const struct syslog_rec *r);

/* Whether a line that has both an Exim stamp ("2024-03-07 09:15:02 ")
 * and a syslog prefix after syslog_parse() is really a syslog line: its
 * "host" is no message ID, neither host nor tag holds '=', and the tag
 * has a pid or names a mail program. "<id> DKIM: ..." is Exim's;
 * "mx1 exim[29786]: ..." is syslog's. */
bool exim_syslog_credible(const struct syslog_rec *r);

enum parse_result exim_parse_line(struct str text, struct event *ev,
    event_sink_fn sink, void *ctx);

/* PARSE_CONTEXT for reject-log header dumps and continuation lines,
 * else PARSE_UNRECOGNIZED. */
enum parse_result exim_parse_untimed(struct str line);

/* Writes the host of a plain log named by its provenance display
 * string (see above) into out, NUL-terminated and cut to outsz. */
void exim_host_from_path(const char *display, char *out, size_t outsz);

/* Whether the text after a main log stamp names a message: "[pid] "
 * and then a message ID. Format detection takes such lines as strong
 * evidence of an Exim log. */
bool exim_has_msgid(struct str text);

/* Exposed for unit tests. */
/* Length of the message ID at the start of s (16 or 23) when it is
 * followed by a space or the end, else 0. */
size_t exim_msgid_len(struct str s);

#endif
