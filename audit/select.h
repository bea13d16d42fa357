/*
 * select - which rows of a reconstruction a user asked for
 *
 * The trace selectors combine with AND: --message-id (compared like the
 * join key), --queue-id (any hop), --from (envelope sender), --to
 * (recipient or its parent), --subject (a PCRE2 pattern, compiled once
 * with JIT), --since/--until (the row's time). Addresses compare
 * case-insensitively. No selector selects every row.
 */
#ifndef MAILSPILL_SELECT_H
#define MAILSPILL_SELECT_H

#include <stdbool.h>
#include <stdint.h>

#include "recon.h"

struct select {
	const char *msgid;
	const char *qid;
	const char *from;
	const char *to;
	const char *subject;		/* pattern text */
	int64_t since, until;		/* INT64_MIN / INT64_MAX: open */
	void *re;			/* pcre2_code */
	void *md;			/* pcre2_match_data */
};

void select_init(struct select *s);
/* Compiles the subject pattern; on error writes a message to err and
 * returns -1. */
int select_compile(struct select *s, char *err, size_t errlen);
void select_free(struct select *s);
bool select_msg(struct select *s, const struct msg_store *st,
    const struct recon_msg *m);
bool select_row(const struct select *s, const struct msg_store *st,
    const struct recon_row *row);

#endif
