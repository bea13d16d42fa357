/*
 * scanout - the report folder of `mailspill scan`
 *
 * scanout_prepare() makes the folder (mode 0700) or checks that an
 * existing one is empty or a previous mailspill report (it holds a
 * report.json naming mailspill); anything else is refused unless force
 * is set. scanout_write() writes incidents.csv, one incidents/<id>.csv
 * per incident (a notification list ready for mail-merge), report.json
 * (the same incidents and the counts, for scripts) and removes incident
 * files of an earlier run that no longer exist; deliveries.csv is
 * written by the caller through trace.h while the reconstruction runs.
 * Every file is written whole or not at all, mode 0600 (outfile.h).
 * scanout_summary() prints the terminal summary.
 */
#ifndef MAILSPILL_SCANOUT_H
#define MAILSPILL_SCANOUT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../audit/incident.h"
#include "../audit/msg_store.h"
#include "../parsers/tstamp.h"

/* What the report says about one input, format-neutral. */
struct report_input {
	const char *name;		/* provenance */
	const char *format;
	const char *host;
	uint64_t bytes, lines, recognized, unrecognized;
	int year;			/* 0: none inferred */
	const char *year_from;
	bool read_error;
};

struct scan_report {
	const char *dir;
	const char *version;
	const char *command_line;
	const char *tz_name;
	struct msg_store *st;
	struct incidents *incs;
	struct tzconv *tz;
	const char *const *sources;	/* provenance by stream id */
	size_t nsources;
	const struct report_input *inputs;
	size_t ninputs;
	const char *const *org_domains;
	size_t norg;
	bool org_inferred;
	uint64_t messages, messages_with_headers, recipients;
	uint64_t rows_with_visibility, deliveries_rows;
};

/* Returns 0, or -1 with a message on stderr. */
int scanout_prepare(const char *dir, bool force);
/* Returns 0, or -1 with a message on stderr. */
int scanout_write(const struct scan_report *r);
void scanout_summary(FILE *f, const struct scan_report *r);

#endif
