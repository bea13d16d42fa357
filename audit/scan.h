/*
 * scan - incidents from the reconstruction: visible-recipient blasts,
 * bulk mail of unknown visibility, reply-all storms, misrouted domains
 *
 * Two passes over recon_run(): scan_learn() (pass 1) counts who writes
 * to which domains and which domains send; scan_prepare() then fixes the
 * organisation's domains (given, or inferred from the sender domains
 * that dominate) and the look-alike references; scan_detect() (pass 2)
 * keeps, per message, only what a detector may need: messages with many
 * recipients (their address lists, compactly) and messages to suspect
 * domains. scan_finish() clusters storms, decides every incident and
 * numbers them. Memory: 20 bytes per recipient of a large message, the
 * few suspect messages, and per domain a small counter.
 *
 * Storms are found without comparing all messages with each other: each
 * large message is compared only with the large messages that follow it
 * within the window, and one joined to a storm is not tried as an
 * original again, so a 7,500-address list with 270 replies costs about
 * 2 million set lookups.
 */
#ifndef MAILSPILL_SCAN_H
#define MAILSPILL_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "incident.h"
#include "recon.h"

struct scan_opts {
	const char **org_domains;	/* --org-domain */
	size_t norg;
	const char **expected;		/* --expected-domain(s) */
	size_t nexpected;
	const char **allowed;		/* --allow-domain(s) */
	size_t nallowed;
	unsigned min_visible;		/* --min-visible, default 10 */
	int64_t storm_window;		/* seconds, default 72 h */
	double storm_jaccard;		/* default 0.8 */
	unsigned storm_min_repliers;	/* default 3 */
	bool no_lookalike;		/* skip misrouted-domain detection */
};

void scan_opts_default(struct scan_opts *o);

struct scan;

struct scan *scan_new(const struct scan_opts *o, struct msg_store *st);
void scan_free(struct scan *sc);
/* recon_fn of pass 1 and pass 2; ctx is the struct scan. */
int scan_learn(void *ctx, const struct recon_msg *m);
void scan_prepare(struct scan *sc);
int scan_detect(void *ctx, const struct recon_msg *m);
void scan_finish(struct scan *sc);

/* Results. */
struct incidents *scan_incidents(struct scan *sc);
/* Organisation domains, and whether they were inferred. */
const char *const *scan_org_domains(const struct scan *sc, size_t *n,
    bool *inferred);
/* True when the address's domain is the organisation's (or below it). */
bool scan_is_internal(const struct scan *sc, uint32_t addr);

struct scan_counts {
	uint64_t messages;
	uint64_t messages_with_headers;
	uint64_t recipients;		/* rows */
	uint64_t rows_with_visibility;
	uint64_t lookalike_checked;	/* distinct recipient domains */
	uint64_t frequent_refs;		/* domains written to often */
};
const struct scan_counts *scan_get_counts(const struct scan *sc);

#endif
