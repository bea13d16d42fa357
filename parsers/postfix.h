/*
 * postfix - Postfix log lines into normalized events
 *
 * postfix_is_tag() says whether a syslog record comes from a Postfix
 * program: the tag has an instance and a program ("postfix/smtpd",
 * "postfix/submission/smtpd", "postfix-out/smtp": any syslog_name) and
 * the program is one of Postfix's daemons or tools.
 *
 * postfix_parse_line() reads the message text of such a record. ev comes
 * in with time, host, src and line set; the parser fills the rest and
 * calls sink zero or more times. The queue ID is recognised in short
 * (hex) and long (base 52, enable_long_queue_ids) form, after an optional
 * severity word; addresses are read with their quoting ("a, b"@x). Never
 * allocates; never reads past len.
 *
 * Results: PARSE_EVENT (events emitted), PARSE_CONTEXT (a known line that
 * carries no message data: connect, TLS, statistics, daemon start, a
 * non-final reply of one delivery attempt, an action that changes no
 * recipient's fate such as reject_warning or hold, a refusal before any
 * recipient was named, proxy-accept), PARSE_UNRECOGNIZED (counted and
 * listed by `stats --unparsed`). A message shape without its queue ID
 * still emits events, with an empty qid.
 */
#ifndef MAILSPILL_POSTFIX_H
#define MAILSPILL_POSTFIX_H

#include <stdbool.h>

#include "event.h"
#include "syslog.h"

enum parse_result {
	PARSE_EVENT,
	PARSE_CONTEXT,
	PARSE_UNRECOGNIZED,
};

bool postfix_is_tag(const struct syslog_rec *r);
enum parse_result postfix_parse_line(const struct syslog_rec *r,
    struct event *ev, event_sink_fn sink, void *ctx);

/* Exposed for unit tests. */
/* Length of the queue ID at the start of s (followed by ':'), or 0. */
size_t postfix_qid_len(struct str s);
/* Reads an address after "key=" at s: "<...>" with quotes honoured, or a
 * bare word up to ',' or ' '. *out excludes the brackets. Returns the
 * bytes used, 0 if none. */
size_t postfix_read_addr(struct str s, struct str *out);

#endif
