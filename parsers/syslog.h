/*
 * syslog - the prefix of a syslog-style line: time, host, tag, pid
 *
 * syslog_parse() splits "STAMP HOST TAG[PID]: MESSAGE" in the shapes mail
 * logs come in: classic BSD (space- or zero-padded day, optional
 * fraction), RFC 3339 / ISO 8601 stamps, epoch seconds, RFC 5424
 * ("<PRI>1 STAMP HOST APP PROCID MSGID SD MSG"), and a leading "<PRI>" or
 * UTF-8 BOM. The tag may lack a pid. Views point into the line; nothing
 * is allocated. Returns 0, or -1 when the line has no such prefix.
 */
#ifndef MAILSPILL_SYSLOG_H
#define MAILSPILL_SYSLOG_H

#include <stddef.h>

#include "../lib/str.h"
#include "tstamp.h"

struct syslog_rec {
	struct tstamp_tm tm;	/* tm.year 0: classic stamp, no year */
	struct str stamp;	/* the stamp as written */
	struct str host;
	struct str tag;		/* "postfix/submission/smtpd" */
	struct str program;	/* last component of the tag: "smtpd" */
	struct str instance;	/* the rest: "postfix/submission" */
	struct str pid;
	struct str msg;		/* after "TAG[PID]: " */
};

int syslog_parse(const char *p, size_t len, struct syslog_rec *r);

#endif
