/*
 * scanout - the scan report folder. See scanout.h.
 */
#include "scanout.h"
#include "csv.h"
#include "json.h"
#include "outfile.h"
#include "../lib/buf.h"
#include "../lib/hash.h"
#include "../lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Incidents listed on the terminal; incidents.csv holds them all. */
#define SUMMARY_LIST	20

#define INCIDENTS_HEADER "incident_id,type,severity,first_seen,last_seen," \
	"sender,subject,message_ids,recipients,external_recipients," \
	"delivered,summary"
#define PEOPLE_HEADER "email,display_name,role,action,delivery_status," \
	"visibility,incident_id,incident_type,incident_date,sender,subject," \
	"message_id,exposed_to_count,evidence"

/* A report.json that names mailspill marks a folder we may reuse. */
static bool
is_previous_report(const char *dir)
{
	char path[4096], head[256];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/report.json", dir);
	if ((f = fopen(path, "r")) == NULL)
		return false;
	n = fread(head, 1, sizeof(head) - 1, f);
	fclose(f);
	head[n] = '\0';
	return strstr(head, "\"generator\": \"mailspill\"") != NULL;
}

static bool
dir_is_empty(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	bool empty = true;

	if (d == NULL)
		return false;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = false;
	closedir(d);
	return empty;
}

int
scanout_prepare(const char *dir, bool force)
{
	char sub[4096];
	struct stat st;

	if (stat(dir, &st) == 0) {
		if (!S_ISDIR(st.st_mode)) {
			fprintf(stderr, "mailspill scan: %s exists and is not a "
			    "folder\n", dir);
			return -1;
		}
		if (!force && !dir_is_empty(dir) && !is_previous_report(dir)) {
			fprintf(stderr, "mailspill scan: %s is not a previous "
			    "mailspill report: refusing to write into it "
			    "(--force to do it anyway)\n", dir);
			return -1;
		}
	} else if (mkdir(dir, 0700) != 0) {
		fprintf(stderr, "mailspill scan: cannot create %s: %s\n", dir,
		    strerror(errno));
		return -1;
	}
	snprintf(sub, sizeof(sub), "%s/incidents", dir);
	if (mkdir(sub, 0700) != 0 && errno != EEXIST) {
		fprintf(stderr, "mailspill scan: cannot create %s: %s\n", sub,
		    strerror(errno));
		return -1;
	}
	return 0;
}

static void
cell_id(struct csv_line *l, const struct intern *s, uint32_t id)
{
	csv_cell(l, intern_str(s, id), intern_len(s, id));
}

static void
cell_u64(struct csv_line *l, uint64_t v)
{
	char tmp[24];

	snprintf(tmp, sizeof(tmp), "%" PRIu64, v);
	csv_cells(l, tmp);
}

static void
cell_time(struct csv_line *l, struct tzconv *tz, int64_t t)
{
	char when[32];

	if (t == INT64_MIN || t == INT64_MAX) {
		csv_cell(l, "", 0);
		return;
	}
	tzconv_format(tz, t, when);
	csv_cells(l, when);
}

static void
cell_evidence(struct csv_line *l, const struct scan_report *r, uint64_t evid)
{
	struct buf b = { 0 };
	uint32_t src = EVID_SRC(evid);

	if (evid == 0 || src >= r->nsources) {
		csv_cell(l, "", 0);
		return;
	}
	buf_printf(&b, "%s:%" PRIu64, r->sources[src], EVID_LINE(evid));
	csv_cell(l, b.p, b.len);
	buf_free(&b);
}

static void
message_ids(struct buf *b, const struct incident *inc)
{
	size_t i;

	buf_reset(b);
	for (i = 0; i < inc->nmsgs; i++) {
		const char *m = inc->msgs[i].msgid;

		if (m == NULL || *m == '\0')
			continue;
		if (b->len > 0)
			buf_addc(b, ' ');
		if (m[0] != '<')
			buf_addc(b, '<');
		buf_adds(b, m);
		if (m[strlen(m) - 1] != '>')
			buf_addc(b, '>');
	}
	if (b->p == NULL)
		buf_adds(b, "");
}

static int
write_people(const struct scan_report *r, const struct incident *inc)
{
	const struct intern *s = &r->st->strings;
	struct outfile out;
	struct csv_line l = { 0 };
	char path[4096], when[32];
	size_t i;

	snprintf(path, sizeof(path), "%s/incidents/%s.csv", r->dir, inc->id);
	if (outfile_open(&out, path) != 0)
		return -1;
	fputs(PEOPLE_HEADER "\r\n", out.f);
	tzconv_format(r->tz, inc->first, when);
	for (i = 0; i < inc->npeople; i++) {
		const struct inc_person *p = &inc->people[i];
		struct buf mid = { 0 };

		csv_begin(&l);
		cell_id(&l, s, p->email);
		cell_id(&l, s, p->name);
		csv_cells(&l, inc_role_name(p->role));
		csv_cells(&l, inc_action_name(p->action));
		csv_cells(&l, rcpt_status_name(p->status));
		csv_cells(&l, rcpt_vis_name(p->vis));
		csv_cells(&l, inc->id);
		csv_cells(&l, inc_type_name(inc->type));
		csv_cells(&l, when);
		cell_id(&l, s, inc->sender);
		csv_cells(&l, p->subject ? p->subject : inc->subject);
		if (p->msgid != NULL && *p->msgid != '\0') {
			if (p->msgid[0] != '<')
				buf_addc(&mid, '<');
			buf_adds(&mid, p->msgid);
			if (p->msgid[strlen(p->msgid) - 1] != '>')
				buf_addc(&mid, '>');
			csv_cell(&l, mid.p, mid.len);
		} else {
			csv_cell(&l, "", 0);
		}
		buf_free(&mid);
		cell_u64(&l, p->exposed_to);
		cell_evidence(&l, r, p->evid);
		csv_end(&l);
		fwrite(l.b.p, 1, l.b.len, out.f);
	}
	buf_free(&l.b);
	return outfile_commit(&out);
}

static int
write_incidents(const struct scan_report *r)
{
	const struct intern *s = &r->st->strings;
	struct outfile out;
	struct csv_line l = { 0 };
	struct buf ids = { 0 };
	char path[4096];
	size_t i;

	snprintf(path, sizeof(path), "%s/incidents.csv", r->dir);
	if (outfile_open(&out, path) != 0)
		return -1;
	fputs(INCIDENTS_HEADER "\r\n", out.f);
	for (i = 0; i < r->incs->n; i++) {
		const struct incident *inc = r->incs->v[i];

		csv_begin(&l);
		csv_cells(&l, inc->id);
		csv_cells(&l, inc_type_name(inc->type));
		csv_cells(&l, inc_severity_name(inc->severity));
		cell_time(&l, r->tz, inc->first);
		cell_time(&l, r->tz, inc->last);
		cell_id(&l, s, inc->sender);
		csv_cells(&l, inc->subject);
		message_ids(&ids, inc);
		csv_cell(&l, ids.p, ids.len);
		cell_u64(&l, inc->recipients);
		cell_u64(&l, inc->external);
		cell_u64(&l, inc->delivered);
		csv_cells(&l, inc->summary);
		csv_end(&l);
		fwrite(l.b.p, 1, l.b.len, out.f);
	}
	buf_free(&l.b);
	buf_free(&ids);
	return outfile_commit(&out);
}

/* The names of this run's incident files, to tell stale ones by: a
 * set, since a large log gives tens of thousands. */
struct name_set {
	const char **v;
	size_t mask;
};

static void
name_set_init(struct name_set *ns, const struct scan_report *r)
{
	size_t n = 16, i, j;

	while (n < r->incs->n * 2 + 2)
		n *= 2;
	ns->v = xcalloc(n, sizeof(*ns->v));
	ns->mask = n - 1;
	for (i = 0; i < r->incs->n; i++) {
		const char *id = r->incs->v[i]->id;

		for (j = hash_bytes(id, strlen(id)) & ns->mask; ns->v[j] != NULL;
		    j = (j + 1) & ns->mask)
			;
		ns->v[j] = id;
	}
}

static bool
name_set_has(const struct name_set *ns, const char *s, size_t len)
{
	size_t j;

	for (j = hash_bytes(s, len) & ns->mask; ns->v[j] != NULL;
	    j = (j + 1) & ns->mask)
		if (strncmp(ns->v[j], s, len) == 0 && ns->v[j][len] == '\0')
			return true;
	return false;
}

/* Incident files of an earlier run that this run did not write. */
static void
remove_stale(const struct scan_report *r)
{
	char path[4096];
	struct name_set ns;
	DIR *d;
	struct dirent *de;

	snprintf(path, sizeof(path), "%s/incidents", r->dir);
	if ((d = opendir(path)) == NULL)
		return;
	name_set_init(&ns, r);
	while ((de = readdir(d)) != NULL) {
		size_t len = strlen(de->d_name);

		if (strncmp(de->d_name, "INC-", 4) != 0 || len < 5 ||
		    strcmp(de->d_name + len - 4, ".csv") != 0 ||
		    name_set_has(&ns, de->d_name, len - 4))
			continue;
		snprintf(path, sizeof(path), "%s/incidents/%s", r->dir,
		    de->d_name);
		unlink(path);
	}
	closedir(d);
	free(ns.v);
}

static void
json_time(FILE *f, struct tzconv *tz, int64_t t)
{
	char when[32];

	if (t == INT64_MIN || t == INT64_MAX) {
		fputs("null", f);
		return;
	}
	tzconv_format(tz, t, when);
	json_str(f, when);
}

static int
write_json(const struct scan_report *r)
{
	const struct intern *s = &r->st->strings;
	struct outfile out;
	char path[4096];
	size_t i, k, counts[INC_TYPE_COUNT] = { 0 };
	FILE *f;

	snprintf(path, sizeof(path), "%s/report.json", r->dir);
	if (outfile_open(&out, path) != 0)
		return -1;
	f = out.f;
	fputs("{\n  \"generator\": \"mailspill\",\n  \"version\": ", f);
	json_str(f, r->version);
	fputs(",\n  \"command_line\": ", f);
	json_str(f, r->command_line);
	fputs(",\n  \"time_zone\": ", f);
	json_str(f, r->tz_name ? r->tz_name : "local");
	fputs(",\n  \"organisation_domains\": [", f);
	for (i = 0; i < r->norg; i++) {
		fputs(i ? ", " : "", f);
		json_str(f, r->org_domains[i]);
	}
	fprintf(f, "],\n  \"organisation_domains_inferred\": %s,\n",
	    r->org_inferred ? "true" : "false");
	fprintf(f, "  \"counts\": {\"messages\": %" PRIu64 ", "
	    "\"messages_with_headers\": %" PRIu64 ", \"recipients\": %" PRIu64
	    ", \"recipients_with_visibility\": %" PRIu64 ", \"incidents\": %zu"
	    "},\n", r->messages, r->messages_with_headers, r->recipients,
	    r->rows_with_visibility, r->incs->n);
	for (i = 0; i < r->incs->n; i++)
		counts[r->incs->v[i]->type]++;
	fputs("  \"incidents_by_type\": {", f);
	for (i = 0; i < INC_TYPE_COUNT; i++)
		fprintf(f, "%s\"%s\": %zu", i ? ", " : "",
		    inc_type_name((enum inc_type)i), counts[i]);
	fputs("},\n  \"inputs\": [\n", f);
	for (i = 0; i < r->ninputs; i++) {
		const struct report_input *in = &r->inputs[i];

		fputs("    {\"name\": ", f);
		json_str(f, in->name);
		fputs(", \"format\": ", f);
		json_str(f, in->format);
		fputs(", \"host\": ", f);
		json_str(f, in->host);
		fprintf(f, ", \"bytes\": %" PRIu64 ", \"lines\": %" PRIu64
		    ", \"recognized\": %" PRIu64 ", \"unrecognized\": %" PRIu64,
		    in->bytes, in->lines, in->recognized, in->unrecognized);
		if (in->year) {
			fprintf(f, ", \"year\": %d, \"year_from\": ", in->year);
			json_str(f, in->year_from);
		}
		fprintf(f, ", \"read_error\": %s}%s\n", in->read_error ?
		    "true" : "false", i + 1 < r->ninputs ? "," : "");
	}
	fputs("  ],\n  \"incidents\": [\n", f);
	for (i = 0; i < r->incs->n; i++) {
		const struct incident *inc = r->incs->v[i];
		size_t notify = 0;

		for (k = 0; k < inc->npeople; k++)
			notify += inc->people[k].action == ACT_NOTIFY;
		fputs("    {\"incident_id\": ", f);
		json_str(f, inc->id);
		fputs(", \"type\": ", f);
		json_str(f, inc_type_name(inc->type));
		fputs(", \"severity\": ", f);
		json_str(f, inc_severity_name(inc->severity));
		fputs(", \"first_seen\": ", f);
		json_time(f, r->tz, inc->first);
		fputs(", \"last_seen\": ", f);
		json_time(f, r->tz, inc->last);
		fputs(", \"sender\": ", f);
		json_str(f, intern_str(s, inc->sender));
		fputs(", \"subject\": ", f);
		json_str(f, inc->subject ? inc->subject : "");
		fputs(", \"message_ids\": [", f);
		for (k = 0; k < inc->nmsgs; k++) {
			fputs(k ? ", " : "", f);
			json_str(f, inc->msgs[k].msgid ? inc->msgs[k].msgid : "");
		}
		fprintf(f, "], \"recipients\": %zu, \"external_recipients\": "
		    "%zu, \"delivered\": %zu, \"people\": %zu, \"notify\": %zu, "
		    "\"file\": ", inc->recipients, inc->external,
		    inc->delivered, inc->npeople, notify);
		{
			char file[64];

			snprintf(file, sizeof(file), "incidents/%s.csv",
			    inc->id);
			json_str(f, file);
		}
		fputs(", \"summary\": ", f);
		json_str(f, inc->summary ? inc->summary : "");
		fprintf(f, "}%s\n", i + 1 < r->incs->n ? "," : "");
	}
	fputs("  ]\n}\n", f);
	return outfile_commit(&out);
}

int
scanout_write(const struct scan_report *r)
{
	size_t i;

	for (i = 0; i < r->incs->n; i++)
		if (write_people(r, r->incs->v[i]) != 0)
			goto fail;
	remove_stale(r);
	if (write_incidents(r) != 0 || write_json(r) != 0)
		goto fail;
	return 0;
fail:
	fprintf(stderr, "mailspill: fatal: cannot write the report in %s: "
	    "%s\n", r->dir, strerror(errno));
	return -1;
}

void
scanout_summary(FILE *f, const struct scan_report *r)
{
	const struct intern *s = &r->st->strings;
	uint64_t lines = 0, unrec = 0;
	size_t i, k, errors = 0, shown = 0;
	int t, sev;

	for (i = 0; i < r->ninputs; i++) {
		lines += r->inputs[i].lines;
		unrec += r->inputs[i].unrecognized;
		errors += r->inputs[i].read_error;
	}
	fprintf(f, "mailspill scan: %zu inputs, %" PRIu64 " lines (%" PRIu64
	    " unrecognized%s)\n", r->ninputs, lines, unrec,
	    errors ? ", some inputs unreadable: see above" : "");
	fprintf(f, "  %" PRIu64 " messages, %" PRIu64 " recipients; "
	    "headers for %" PRIu64 " messages, visibility known for %" PRIu64
	    " recipients (%.1f%%)\n", r->messages, r->recipients,
	    r->messages_with_headers, r->rows_with_visibility,
	    r->recipients ? 100.0 * (double)r->rows_with_visibility /
	    (double)r->recipients : 0.0);
	fprintf(f, "  organisation: ");
	for (i = 0; i < r->norg; i++)
		fprintf(f, "%s%s", i ? ", " : "", r->org_domains[i]);
	fprintf(f, "%s\n", r->org_inferred ? " (inferred from the senders; "
	    "--org-domain to set)" : "");
	fprintf(f, "  %zu incident%s\n", r->incs->n, r->incs->n == 1 ? "" :
	    "s");
	/* Counts by type and severity, then the incidents themselves, the
	 * most severe first, at most SUMMARY_LIST of them: the CSV has all. */
	for (t = 0; t < INC_TYPE_COUNT; t++)
		for (sev = SEV_HIGH; sev >= SEV_LOW; sev--) {
			for (i = 0, k = 0; i < r->incs->n; i++)
				k += r->incs->v[i]->type == (enum inc_type)t &&
				    r->incs->v[i]->severity ==
				    (enum inc_severity)sev;
			if (k > 0)
				fprintf(f, "    %-32s %-6s %zu\n",
				    inc_type_name((enum inc_type)t),
				    inc_severity_name((enum inc_severity)sev),
				    k);
		}
	for (sev = SEV_HIGH; sev >= SEV_LOW; sev--)
		for (i = 0; i < r->incs->n; i++) {
			const struct incident *inc = r->incs->v[i];
			size_t notify = 0;
			char when[32];

			if (inc->severity != (enum inc_severity)sev)
				continue;
			if (shown == SUMMARY_LIST)
				break;
			shown++;
			for (k = 0; k < inc->npeople; k++)
				notify += inc->people[k].action == ACT_NOTIFY;
			tzconv_format(r->tz, inc->first, when);
			fprintf(f, "  %s %-32s %-6s %s %s: %zu to notify\n",
			    inc->id, inc_type_name(inc->type),
			    inc_severity_name(inc->severity), when,
			    intern_str(s, inc->sender), notify);
		}
	if (r->incs->n > SUMMARY_LIST)
		fprintf(f, "  ... and %zu more, in incidents.csv\n",
		    r->incs->n - SUMMARY_LIST);
	fprintf(f, "  report: %s/ (incidents.csv, incidents/, "
	    "deliveries.csv, report.json)\n", r->dir);
}
