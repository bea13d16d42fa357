/*
 * mailspill - retrospective email exposure audits
 *
 * Options, subcommands and wiring only: inputs (parsers/) feed events to
 * the model (audit/), whose reconstruction the reports (report/) write.
 * Exit status: 0 done, 1 incidents found (scan), 2 usage error, 3 some
 * input could not be read (named on stderr; the rest was processed).
 */


#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "audit/msg_store.h"
#include "audit/recon.h"
#include "audit/scan.h"
#include "audit/select.h"
#include "lib/buf.h"
#include "lib/diag.h"
#include "lib/xalloc.h"
#include "parsers/dispatch.h"
#include "parsers/evqueue.h"
#include "parsers/input.h"
#include "report/outfile.h"
#include "report/scanout.h"
#include "report/trace.h"

enum exit_status {
	EXIT_DONE = 0,
	EXIT_INCIDENTS = 1,
	EXIT_USAGE = 2,
	EXIT_INPUT = 3,
};

/* Everything one run owns: no global state. */
struct run {
	struct diag diag;
	struct input_set inputs;
	struct dispatch disp;
	struct msg_store store;
	struct evqueue *queue;		/* events to the store, threaded */
	struct recon_stats recon;
	const char **sources;
};

struct common_opts {
	struct dispatch_opts disp;
	const char *tz;
	const char *output;
	bool quiet;
};

static void
usage_error(const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
usage_error(const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "mailspill %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'mailspill %s --help'.\n", cmd);
}

static const char common_help[] =
"Inputs: files, directories (walked recursively) or - for standard input.\n"
"Plain text, .gz .bz2 .xz .zst .lz4, tar (also compressed) and zip are\n"
"read alike; the format is detected from the content.\n"
"\n"
"  --format NAME   read every input as NAME (postfix, exim, mbox, domino)\n"
"                  instead of detecting it\n"
"  --year YEAR     year of the first line of each log whose timestamps\n"
"                  have none (classic syslog \"Mar  7 09:15:02\"); later\n"
"                  lines still step into the next year at December ->\n"
"                  January. Without it the year comes from each file's\n"
"                  modification time (or its archive member's)\n"
"  --tz ZONE       time zone of timestamps written without one, and of\n"
"                  the output times (default: the local zone), e.g.\n"
"                  Europe/London or UTC\n"
"  --host NAME     host name for logs that carry none\n"
"  --date-order mdy|dmy\n"
"                  day/month order of Domino console dates for files\n"
"                  whose own dates (a day above 12) and whose server's\n"
"                  other files do not decide it; without it such a\n"
"                  file's dated lines are unrecognized, never guessed\n"
"  --directory CSV Domino Directory export (columns FullName, ShortName,\n"
"                  InternetAddress, ListName, Members) to resolve Notes\n"
"                  names to addresses and groups to members\n"
"  -q, --quiet     no warnings about input lines (errors still shown)\n";

static int
set_tz(const char *cmd, const char *tz)
{
	char path[PATH_MAX];
	struct stat st;

	if (tz == NULL)
		return 0;
	/* glibc takes an unknown zone name for UTC without a word: check
	 * the zone database so a typo is a usage error. */
	snprintf(path, sizeof(path), "/usr/share/zoneinfo/%s", tz);
	if (strcmp(tz, "UTC") != 0 && strchr(tz, ',') == NULL &&
	    stat(path, &st) != 0 && strpbrk(tz, "0123456789") == NULL) {
		usage_error(cmd, "unknown time zone '%s'", tz);
		return -1;
	}
	setenv("TZ", tz, 1);
	tzset();
	return 0;
}

/* True when path lies in or beside an input: outputs hold personal data
 * and must never land among the evidence. */
static bool
output_near_inputs(const char *out, char **inputs, int n)
{
	char outdir[PATH_MAX], in[PATH_MAX], tmp[PATH_MAX];
	const char *slash;
	struct stat st;
	int i;
	size_t len;

	char trimmed[PATH_MAX];

	if (out == NULL || strcmp(out, "-") == 0)
		return false;
	if (stat(out, &st) == 0 && S_ISCHR(st.st_mode))
		return false;
	/* "report/" is the folder report, beside whatever is beside it. */
	snprintf(trimmed, sizeof(trimmed), "%s", out);
	for (len = strlen(trimmed); len > 1 && trimmed[len - 1] == '/'; len--)
		trimmed[len - 1] = '\0';
	out = trimmed;
	slash = strrchr(out, '/');
	if (slash == NULL)
		snprintf(tmp, sizeof(tmp), ".");
	else
		snprintf(tmp, sizeof(tmp), "%.*s", (int)(slash - out + 1), out);
	/* A folder still to be made: judge by its nearest existing
	 * ancestor. */
	while (realpath(tmp, outdir) == NULL) {
		char *cut;

		len = strlen(tmp);
		while (len > 1 && tmp[len - 1] == '/')
			tmp[--len] = '\0';
		if ((cut = strrchr(tmp, '/')) == NULL)
			snprintf(tmp, sizeof(tmp), ".");
		else if (cut == tmp)
			tmp[1] = '\0';
		else
			*cut = '\0';
		if (strcmp(tmp, ".") == 0 && realpath(tmp, outdir) == NULL)
			return false;
	}
	for (i = 0; i < n; i++) {
		if (strcmp(inputs[i], "-") == 0 || realpath(inputs[i], in) == NULL)
			continue;
		if (stat(in, &st) == 0 && !S_ISDIR(st.st_mode)) {
			/* A file: refuse its own directory only. */
			char *s = strrchr(in, '/');

			if (s != NULL)
				*(s == in ? s + 1 : s) = '\0';
			if (strcmp(outdir, in) == 0)
				return true;
			continue;
		}
		/* A directory: refuse it and everything below it. */
		len = strlen(in);
		if (strncmp(outdir, in, len) == 0 &&
		    (outdir[len] == '\0' || outdir[len] == '/' ||
		    (len == 1 && in[0] == '/')))
			return true;
	}
	return false;
}

static void
run_init(struct run *run, const struct common_opts *o)
{
	memset(run, 0, sizeof(*run));
	diag_init(&run->diag, stderr);
	run->diag.quiet = o->quiet;
	input_set_init(&run->inputs, &run->diag);
	msg_store_init(&run->store);
	/* Parsing and filing events overlap on two threads. */
	run->queue = evqueue_new(msg_store_event, msg_store_prep_event,
	    msg_store_ahead, &run->store, true);
	dispatch_init(&run->disp, &o->disp, &run->diag, evqueue_push,
	    run->queue);
}

static void
run_free(struct run *run)
{
	if (run->disp.opts.directory != NULL) {
		notesdir_free((struct notesdir *)run->disp.opts.directory);
		free((void *)run->disp.opts.directory);
	}
	evqueue_free(run->queue);
	msg_store_free(&run->store);
	input_set_free(&run->inputs);
	free(run->sources);
}

/* Reads every input, in time order, into the model. */
static void
run_read(struct run *run, char **paths, int n)
{
	size_t i;
	int k;

	for (k = 0; k < n; k++)
		input_add_path(&run->inputs, paths[k], dispatch_sniff,
		    dispatch_line, &run->disp);
	dispatch_prepare(&run->disp, &run->inputs);
	input_sort(&run->inputs);
	for (i = 0; i < run->inputs.n; i++)
		input_read(&run->inputs, run->inputs.v[i], dispatch_line,
		    &run->disp);
	dispatch_finish(&run->disp);
	evqueue_drain(run->queue);
	msg_store_finish(&run->store);
	run->sources = xcalloc(run->inputs.n + 1, sizeof(*run->sources));
	for (i = 0; i < run->inputs.n; i++)
		run->sources[run->inputs.v[i]->id] = run->inputs.v[i]->display;
}

enum {
	OPT_FORMAT = 256, OPT_YEAR, OPT_TZ, OPT_HOST, OPT_MSGID, OPT_QID,
	OPT_FROM, OPT_TO, OPT_SUBJECT, OPT_SINCE, OPT_UNTIL, OPT_UNPARSED,
	OPT_FORCE, OPT_ORG, OPT_MIN_VISIBLE, OPT_EXPECTED, OPT_EXPECTED_FILE,
	OPT_ALLOW, OPT_ALLOW_FILE, OPT_STORM_WINDOW,
	OPT_DATE_ORDER, OPT_DIRECTORY, OPT_NO_LOOKALIKE, OPT_ATTEMPTS,
};

#define COMMON_LONGOPTS \
	{ "format", required_argument, NULL, OPT_FORMAT }, \
	{ "year", required_argument, NULL, OPT_YEAR }, \
	{ "tz", required_argument, NULL, OPT_TZ }, \
	{ "host", required_argument, NULL, OPT_HOST }, \
	{ "date-order", required_argument, NULL, OPT_DATE_ORDER }, \
	{ "directory", required_argument, NULL, OPT_DIRECTORY }, \
	{ "quiet", no_argument, NULL, 'q' }, \
	{ "help", no_argument, NULL, 'h' }

/* Handles an option every subcommand takes. Returns 1 when handled, 0
 * when not, -1 on a usage error. */
static int
common_option(const char *cmd, int c, struct common_opts *o)
{
	char *end;
	long y;

	switch (c) {
	case OPT_FORMAT:
		o->disp.force_format = input_format_parse(optarg);
		if (o->disp.force_format == FMT_COUNT ||
		    o->disp.force_format == FMT_UNKNOWN) {
			usage_error(cmd, "unknown format '%s' (known: postfix)",
			    optarg);
			return -1;
		}
		return 1;
	case OPT_YEAR:
		y = strtol(optarg, &end, 10);
		if (*end != '\0' || y < 1970 || y > 9999) {
			usage_error(cmd, "--year wants a year such as 2025");
			return -1;
		}
		o->disp.year = (int)y;
		return 1;
	case OPT_TZ:
		o->tz = optarg;
		return 1;
	case OPT_HOST:
		o->disp.host = optarg;
		return 1;
	case OPT_DATE_ORDER:
		o->disp.date_order = domino_order_parse(optarg);
		if (o->disp.date_order != DOMINO_ORDER_MDY &&
		    o->disp.date_order != DOMINO_ORDER_DMY) {
			usage_error(cmd, "--date-order wants mdy or dmy");
			return -1;
		}
		return 1;
	case OPT_DIRECTORY: {
		struct notesdir *nd = xmalloc(sizeof(*nd));
		char err[200];

		if (notesdir_load(nd, optarg, err, sizeof(err)) != 0) {
			usage_error(cmd, "--directory %s: %s", optarg, err);
			notesdir_free(nd);
			free(nd);
			return -1;
		}
		if (o->disp.directory != NULL) {
			notesdir_free((struct notesdir *)o->disp.directory);
			free((void *)o->disp.directory);
		}
		o->disp.directory = nd;
		return 1;
	}
	case 'q':
		o->quiet = true;
		return 1;
	}
	return 0;
}

static const char trace_help[] =
"Usage: mailspill trace [SELECTORS] [-o FILE] PATH...\n"
"\n"
"Reconstructs who received what: one CSV row per (message, recipient),\n"
"columns time,message_id,sender,recipient,parent,status,visibility,host,\n"
"queue_id,relay,dsn,subject,evidence. Selectors combine with AND; none\n"
"means every delivery.\n"
"\n"
"  --message-id ID   rows of this Message-ID (with or without <>)\n"
"  --queue-id ID     rows of the message that had this queue ID on a hop\n"
"  --from ADDR       envelope sender\n"
"  --to ADDR         recipient (or the alias it was expanded from)\n"
"  --subject REGEX   subject matches this PCRE2 pattern\n"
"  --since T, --until T\n"
"                    rows whose time is in range (2025-03-10,\n"
"                    2025-03-10T07:42, with or without a zone)\n"
"  --attempts        instead, every try at each selected recipient, one\n"
"                    row each, from every hop: time,message_id,sender,\n"
"                    recipient,parent,attempt,status,host,queue_id,relay,\n"
"                    dsn,reply,evidence (reply: the reply or reason text)\n"
"  -o FILE           write here (mode 0600, atomically) instead of stdout\n"
"\n";

static int
cmd_trace(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "message-id", required_argument, NULL, OPT_MSGID },
		{ "queue-id", required_argument, NULL, OPT_QID },
		{ "from", required_argument, NULL, OPT_FROM },
		{ "to", required_argument, NULL, OPT_TO },
		{ "subject", required_argument, NULL, OPT_SUBJECT },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "attempts", no_argument, NULL, OPT_ATTEMPTS },
		{ "output", required_argument, NULL, 'o' },
		{ NULL, 0, NULL, 0 },
	};
	struct common_opts o;
	struct select sel;
	const char *since = NULL, *until = NULL;
	bool attempts = false;
	struct run run;
	struct outfile out;
	struct trace_out to;
	char err[300];
	int c, r, status;

	memset(&o, 0, sizeof(o));
	select_init(&sel);
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		if ((r = common_option("trace", c, &o)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case 'h':
			fputs(trace_help, stdout);
			fputs(common_help, stdout);
			return EXIT_DONE;
		case 'o':
			o.output = optarg;
			break;
		case OPT_MSGID:
			sel.msgid = optarg;
			break;
		case OPT_QID:
			sel.qid = optarg;
			break;
		case OPT_FROM:
			sel.from = optarg;
			break;
		case OPT_TO:
			sel.to = optarg;
			break;
		case OPT_SUBJECT:
			sel.subject = optarg;
			break;
		case OPT_SINCE:
			since = optarg;
			break;
		case OPT_UNTIL:
			until = optarg;
			break;
		case OPT_ATTEMPTS:
			attempts = true;
			break;
		default:
			usage_error("trace", "unknown option");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage_error("trace", "no input given");
		return EXIT_USAGE;
	}
	if (set_tz("trace", o.tz) != 0)
		return EXIT_USAGE;
	if (select_compile(&sel, err, sizeof(err)) != 0) {
		usage_error("trace", "%s", err);
		return EXIT_USAGE;
	}
	if (output_near_inputs(o.output, argv + optind, argc - optind)) {
		usage_error("trace", "refusing to write %s among the inputs",
		    o.output);
		select_free(&sel);
		return EXIT_USAGE;
	}
	run_init(&run, &o);
	if ((since && tzconv_parse_user(&run.disp.tz, since, &sel.since)) ||
	    (until && tzconv_parse_user(&run.disp.tz, until, &sel.until))) {
		usage_error("trace", "bad --since/--until time");
		run_free(&run);
		select_free(&sel);
		return EXIT_USAGE;
	}
	if (outfile_open(&out, o.output) != 0) {
		fprintf(stderr, "mailspill: fatal: %s: %s\n", o.output,
		    strerror(errno));
		run_free(&run);
		select_free(&sel);
		return EXIT_USAGE;
	}
	run.store.keep_attempts = attempts;
	run_read(&run, argv + optind, argc - optind);
	memset(&to, 0, sizeof(to));
	to.f = out.f;
	to.tz = &run.disp.tz;
	to.sources = run.sources;
	to.nsources = run.inputs.n;
	to.sel = &sel;
	to.st = &run.store;
	status = run.diag.errors ? EXIT_INPUT : EXIT_DONE;
	if (attempts)
		trace_attempts_begin(&to);
	else
		trace_begin(&to);
	/* trace only reads the model: the next messages are put
	 * together while it writes. */
	recon_run_ahead(&run.store, attempts ? trace_attempts_msg : trace_msg,
	    &to, &run.recon);
	if (trace_end(&to) != 0 || outfile_commit(&out) != 0) {
		fprintf(stderr, "mailspill: fatal: cannot write %s: %s\n",
		    o.output ? o.output : "standard output", strerror(errno));
		status = 70;
	}
	select_free(&sel);
	run_free(&run);
	return status;
}

static const char stats_help[] =
"Usage: mailspill stats [--unparsed] PATH...\n"
"\n"
"Per input file (or archive member): detected format, host, lines, how\n"
"many were recognized, known context (connects, TLS, daemon notices),\n"
"lines of other programs, unrecognized and cut lines, first and last\n"
"time, and the year given to year-less timestamps with where it came\n"
"from (for a Domino console log: its day/month order and what decided\n"
"it). Then the totals and what the model made of them.\n"
"\n"
"  --unparsed        also list every unrecognized line, with provenance\n"
"\n";

static void
print_time(struct tzconv *tz, int64_t t)
{
	char when[32];

	if (t == INT64_MIN) {
		fputs("-", stdout);
		return;
	}
	tzconv_format(tz, t, when);
	fputs(when, stdout);
}

static int
count_msg(void *ctx, const struct recon_msg *m)
{
	(void)ctx;
	(void)m;
	return 0;
}

static int
cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "unparsed", no_argument, NULL, OPT_UNPARSED },
		{ NULL, 0, NULL, 0 },
	};
	struct common_opts o;
	struct run run;
	bool unparsed = false;
	uint64_t tl = 0, tr = 0, tc = 0, tu = 0, to = 0, tcut = 0;
	size_t i;
	int c, r;

	memset(&o, 0, sizeof(o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "hq", longopts, NULL)) != -1) {
		if ((r = common_option("stats", c, &o)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case 'h':
			fputs(stats_help, stdout);
			fputs(common_help, stdout);
			return EXIT_DONE;
		case OPT_UNPARSED:
			unparsed = true;
			break;
		default:
			usage_error("stats", "unknown option");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage_error("stats", "no input given");
		return EXIT_USAGE;
	}
	if (set_tz("stats", o.tz) != 0)
		return EXIT_USAGE;
	run_init(&run, &o);
	if (unparsed) {
		run.disp.unparsed = stdout;
		printf("# unrecognized lines\n");
	}
	run_read(&run, argv + optind, argc - optind);
	printf("input\tformat\thost\tlines\trecognized\tcontext\t"
	    "other_programs\tunrecognized\tcut\tfirst\tlast\tyear\n");
	for (i = 0; i < run.inputs.n; i++) {
		struct input_stream *s = run.inputs.v[i];

		printf("%s\t%s\t%s\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%"
		    PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t", s->display,
		    input_format_name(s->format), s->host[0] ? s->host : "-",
		    s->lines, s->recognized, s->context, s->other_program,
		    s->unrecognized, s->cut_lines);
		print_time(&run.disp.tz, s->first_seen);
		putchar('\t');
		print_time(&run.disp.tz, s->last_seen);
		putchar('\t');
		if (s->year_from != NULL) {
			printf("%d from %s", s->year, s->year_from);
			if (strcmp(s->year_from, "--year") != 0) {
				putchar(' ');
				print_time(&run.disp.tz, s->mtime);
			}
		} else if (s->date_order != NULL) {
			fputs(s->date_order, stdout);
		} else {
			fputs("-", stdout);
		}
		putchar('\n');
		tl += s->lines;
		tr += s->recognized;
		tc += s->context;
		tu += s->unrecognized;
		to += s->other_program;
		tcut += s->cut_lines;
	}
	printf("total\t\t\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64 "\t%" PRIu64
	    "\t%" PRIu64 "\t%" PRIu64 "\n", tl, tr, tc, to, tu, tcut);
	recon_run_ahead(&run.store, count_msg, NULL, &run.recon);
	printf("\nmessages\t%" PRIu64 "\n", run.recon.messages -
	    run.store.nrejects);
	printf("lifetimes\t%" PRIu64 "\n", run.store.stats.lifetimes);
	printf("joined across hops\t%" PRIu64 "\n", run.recon.multi_hop);
	printf("recipient rows\t%" PRIu64 "\n", run.recon.rows);
	printf("noqueue rejects\t%" PRIu64 "\n", run.store.stats.noqueue_rejects);
	printf("queue id reuse\t%" PRIu64 "\n", run.store.stats.qid_reuse);
	printf("starts without end\t%" PRIu64 "\n",
	    run.store.stats.unended_reuse);
	printf("replayed events ignored\t%" PRIu64 "\n",
	    run.store.stats.duplicate_events);
	printf("most messages in memory\t%" PRIu64 "\n",
	    run.store.stats.open_peak);
	printf("address probes\t%" PRIu64 "\n", run.store.stats.probes);
	printf("forwards linked\t%" PRIu64 "\n",
	    run.recon.forwards_linked);
	if (run.disp.dom_stats.messages > 0) {
		const struct domino_stats *ds = &run.disp.dom_stats;

		printf("domino notes (NoteID lifetimes)\t%" PRIu64 "\n",
		    ds->messages);
		printf("domino NoteID reused while open\t%" PRIu64 "\n",
		    ds->noteid_reuse);
		printf("domino closed: settled / idle / after a gap\t%" PRIu64
		    " / %" PRIu64 " / %" PRIu64 "\n", ds->closed_settled,
		    ds->closed_idle, ds->closed_gap);
		printf("domino deliveries to unresolved names\t%" PRIu64 "\n",
		    ds->unresolved);
		printf("domino groups expanded\t%" PRIu64 "\n",
		    ds->groups_expanded);
		printf("domino lines of an already-read span\t%" PRIu64 "\n",
		    ds->replayed);
	}
	r = run.diag.errors ? EXIT_INPUT : EXIT_DONE;
	run_free(&run);
	return r;
}


static const char scan_help[] =
"Usage: mailspill scan [OPTIONS] [-o DIR] PATH...\n"
"\n"
"Reconstructs every delivery (as trace does) and finds the incidents a\n"
"data-protection officer must act on:\n"
"  visible-recipients   one message showing many outside addresses to\n"
"                       each other in To/Cc\n"
"  bulk-external-unknown-visibility\n"
"                       a large mailing to outside addresses with no\n"
"                       headers to tell To/Cc from Bcc (find the copy)\n"
"  reply-all-storm      replies to such a message, to the same list\n"
"  misrouted-domain     mail to a look-alike of a domain the site writes\n"
"                       to (army.ml for army.mil, gmial.com)\n"
"and writes DIR (default mailspill-report/): incidents.csv,\n"
"incidents/INC-0001.csv ... (notification lists for mail-merge: filter on\n"
"action = notify, request-deletion or inform), deliveries.csv (the trace\n"
"columns) and report.json; a summary goes to standard output.\n"
"\n"
"  -o DIR                 report folder; an existing one must be a\n"
"                         previous mailspill report or empty\n"
"  --force                write into DIR whatever it holds\n"
"  --org-domain D         a domain of the organisation (repeatable);\n"
"                         default: inferred from the dominant senders\n"
"  --min-visible N        external visible recipients that make a blast\n"
"                         (default 10)\n"
"  --storm-window HOURS   how long after a blast replies count (default 72)\n"
"  --expected-domain D    a domain the site writes to (repeatable);\n"
"  --expected-domains F   ... one per line in file F\n"
"  --allow-domain D       never report D as a look-alike (repeatable);\n"
"  --allow-domains F      ... one per line in file F\n"
"  --no-lookalike         skip the misrouted-domain detection\n"
"\n"
"Exit status: 0 no incident, 1 incidents found, 2 usage error, 3 some\n"
"input could not be read (the rest was processed).\n"
"\n";

struct strv {
	const char **v;
	size_t n;
};

static void
strv_add(struct strv *sv, const char *s)
{
	sv->v = xreallocarray(sv->v, sv->n + 1, sizeof(*sv->v));
	sv->v[sv->n++] = s;
}

/* Reads one domain a line ('#' starts a comment). The strings are kept
 * for the run. */
static int
strv_add_file(struct strv *sv, const char *path)
{
	FILE *f = fopen(path, "r");
	char line[512];

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *p = line, *e;

		if ((e = strchr(p, '#')) != NULL)
			*e = '\0';
		while (*p == ' ' || *p == '\t')
			p++;
		for (e = p + strlen(p); e > p && (e[-1] == '\n' ||
		    e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		if (*p)
			strv_add(sv, xstrdup(p));
	}
	fclose(f);
	return 0;
}

struct scan_pass {
	struct trace_out *trace;
	struct scan *scan;
};

static int
scan_pass2(void *ctx, const struct recon_msg *m)
{
	struct scan_pass *sp = ctx;

	trace_msg(sp->trace, m);
	return scan_detect(sp->scan, m);
}

static char *
join_args(int argc, char **argv)
{
	struct buf b = { 0 };
	int i;

	buf_adds(&b, "mailspill");
	for (i = 0; i < argc; i++) {
		buf_addc(&b, ' ');
		buf_adds(&b, argv[i]);
	}
	return b.p;
}

static int
cmd_scan(int argc, char **argv)
{
	static const struct option longopts[] = {
		COMMON_LONGOPTS,
		{ "output", required_argument, NULL, 'o' },
		{ "force", no_argument, NULL, OPT_FORCE },
		{ "org-domain", required_argument, NULL, OPT_ORG },
		{ "min-visible", required_argument, NULL, OPT_MIN_VISIBLE },
		{ "storm-window", required_argument, NULL, OPT_STORM_WINDOW },
		{ "expected-domain", required_argument, NULL, OPT_EXPECTED },
		{ "expected-domains", required_argument, NULL,
		    OPT_EXPECTED_FILE },
		{ "allow-domain", required_argument, NULL, OPT_ALLOW },
		{ "allow-domains", required_argument, NULL, OPT_ALLOW_FILE },
		{ "no-lookalike", no_argument, NULL, OPT_NO_LOOKALIKE },
		{ NULL, 0, NULL, 0 },
	};
	struct common_opts o;
	struct scan_opts so;
	struct strv org = { 0 }, expected = { 0 }, allowed = { 0 };
	const char *dir = "mailspill-report";
	bool force = false;
	struct run run;
	struct scan *sc;
	struct scan_pass sp;
	struct trace_out to;
	struct outfile out;
	struct scan_report rep;
	struct report_input *ins;
	const struct scan_counts *cnt;
	char path[4096], *cmdline;
	long v;
	char *end;
	size_t i;
	int c, r, status;

	memset(&o, 0, sizeof(o));
	scan_opts_default(&so);
	optind = 1;
	while ((c = getopt_long(argc, argv, "ho:q", longopts, NULL)) != -1) {
		if ((r = common_option("scan", c, &o)) < 0)
			return EXIT_USAGE;
		if (r > 0)
			continue;
		switch (c) {
		case 'h':
			fputs(scan_help, stdout);
			fputs(common_help, stdout);
			return EXIT_DONE;
		case 'o':
			dir = optarg;
			break;
		case OPT_FORCE:
			force = true;
			break;
		case OPT_NO_LOOKALIKE:
			so.no_lookalike = true;
			break;
		case OPT_ORG:
			strv_add(&org, optarg);
			break;
		case OPT_EXPECTED:
			strv_add(&expected, optarg);
			break;
		case OPT_ALLOW:
			strv_add(&allowed, optarg);
			break;
		case OPT_EXPECTED_FILE:
		case OPT_ALLOW_FILE:
			if (strv_add_file(c == OPT_ALLOW_FILE ? &allowed :
			    &expected, optarg) != 0) {
				usage_error("scan", "cannot read %s: %s", optarg,
				    strerror(errno));
				return EXIT_USAGE;
			}
			break;
		case OPT_MIN_VISIBLE:
		case OPT_STORM_WINDOW:
			v = strtol(optarg, &end, 10);
			if (*end != '\0' || v < 1 || v > 1000000) {
				usage_error("scan", "%s wants a positive number",
				    c == OPT_MIN_VISIBLE ? "--min-visible" :
				    "--storm-window");
				return EXIT_USAGE;
			}
			if (c == OPT_MIN_VISIBLE)
				so.min_visible = (unsigned)v;
			else
				so.storm_window = (int64_t)v * 3600;
			break;
		default:
			usage_error("scan", "unknown option");
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		usage_error("scan", "no input given");
		return EXIT_USAGE;
	}
	if (set_tz("scan", o.tz) != 0)
		return EXIT_USAGE;
	/* The folder must not sit beside an input file nor inside an input
	 * directory, and an existing one must not be an input itself. */
	snprintf(path, sizeof(path), "%s/deliveries.csv", dir);
	if (output_near_inputs(dir, argv + optind, argc - optind) ||
	    output_near_inputs(path, argv + optind, argc - optind)) {
		usage_error("scan", "refusing to write %s among the inputs",
		    dir);
		return EXIT_USAGE;
	}
	if (scanout_prepare(dir, force) != 0)
		return EXIT_USAGE;
	so.org_domains = org.v;
	so.norg = org.n;
	so.expected = expected.v;
	so.nexpected = expected.n;
	so.allowed = allowed.v;
	so.nallowed = allowed.n;

	run_init(&run, &o);
	run_read(&run, argv + optind, argc - optind);
	sc = scan_new(&so, &run.store);
	/* The next messages are put together while scan looks at one:
	 * scan adds no strings then (scan_new() interned its domains; see
	 * recon_run_ahead() in recon.h). */
	recon_run_ahead(&run.store, scan_learn, sc, &run.recon);
	scan_prepare(sc);

	if (outfile_open(&out, path) != 0) {
		fprintf(stderr, "mailspill: fatal: %s: %s\n", path,
		    strerror(errno));
		scan_free(sc);
		run_free(&run);
		return 70;
	}
	memset(&to, 0, sizeof(to));
	to.f = out.f;
	to.tz = &run.disp.tz;
	to.sources = run.sources;
	to.nsources = run.inputs.n;
	to.st = &run.store;
	sp.trace = &to;
	sp.scan = sc;
	trace_begin(&to);
	recon_run_ahead(&run.store, scan_pass2, &sp, &run.recon);
	status = EXIT_DONE;
	if (trace_end(&to) != 0 || outfile_commit(&out) != 0) {
		fprintf(stderr, "mailspill: fatal: cannot write %s: %s\n", path,
		    strerror(errno));
		status = 70;
	}
	scan_finish(sc);

	ins = xcalloc(run.inputs.n + 1, sizeof(*ins));
	for (i = 0; i < run.inputs.n; i++) {
		const struct input_stream *s = run.inputs.v[i];

		ins[i].name = s->display;
		ins[i].format = input_format_name(s->format);
		ins[i].host = s->host;
		ins[i].bytes = s->bytes;
		ins[i].lines = s->lines;
		ins[i].recognized = s->recognized + s->context;
		ins[i].unrecognized = s->unrecognized;
		ins[i].year = s->year_from ? s->year : 0;
		ins[i].year_from = s->year_from;
		ins[i].read_error = s->read_error;
	}
	cmdline = join_args(argc, argv);
	cnt = scan_get_counts(sc);
	memset(&rep, 0, sizeof(rep));
	rep.dir = dir;
	rep.version = PACKAGE_VERSION;
	rep.command_line = cmdline;
	rep.tz_name = o.tz;
	rep.st = &run.store;
	rep.incs = scan_incidents(sc);
	rep.tz = &run.disp.tz;
	rep.sources = run.sources;
	rep.nsources = run.inputs.n;
	rep.inputs = ins;
	rep.ninputs = run.inputs.n;
	rep.org_domains = scan_org_domains(sc, &rep.norg, &rep.org_inferred);
	rep.messages = cnt->messages;
	rep.messages_with_headers = cnt->messages_with_headers;
	rep.recipients = cnt->recipients;
	rep.rows_with_visibility = cnt->rows_with_visibility;
	if (status == EXIT_DONE && scanout_write(&rep) != 0)
		status = 70;
	if (status == EXIT_DONE) {
		scanout_summary(stdout, &rep);
		if (run.diag.errors)
			status = EXIT_INPUT;
		else if (rep.incs->n > 0)
			status = EXIT_INCIDENTS;
	}
	free(cmdline);
	free(ins);
	scan_free(sc);
	run_free(&run);
	free(org.v);
	free(expected.v);
	free(allowed.v);
	return status;
}

static const char main_help[] =
"Usage: mailspill COMMAND [OPTIONS] PATH...\n"
"\n"
"Retrospective email exposure audits from mail logs and archives.\n"
"\n"
"Commands:\n"
"  scan     find incidents and write a report folder with notification\n"
"           lists (the main job)\n"
"  trace    who received what: one CSV row per (message, recipient)\n"
"  stats    what was read: per-file formats, line counts, years\n"
"\n"
"'mailspill COMMAND --help' describes each command.\n"
"Exit status: 0 done (scan: no incident), 1 incidents found (scan),\n"
"2 usage error, 3 some input could not be read (named on stderr; the\n"
"rest was processed).\n";

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fputs(main_help, stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("mailspill %s\n", PACKAGE_VERSION);
		return EXIT_DONE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		fputs(main_help, stdout);
		return EXIT_DONE;
	}
	if (strcmp(argv[1], "scan") == 0)
		return cmd_scan(argc - 1, argv + 1);
	if (strcmp(argv[1], "trace") == 0)
		return cmd_trace(argc - 1, argv + 1);
	if (strcmp(argv[1], "stats") == 0)
		return cmd_stats(argc - 1, argv + 1);
	fprintf(stderr, "mailspill: unknown command '%s'\n\n", argv[1]);
	fputs(main_help, stderr);
	return EXIT_USAGE;
}
