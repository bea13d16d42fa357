/*
 * input - inputs through libarchive as numbered lines. See input.h.
 *
 * Every stream is opened twice: once to sniff its first lines (format,
 * host, first time) and once, in time order, to read it through. The
 * second open of a member of a compressed tar decompresses what lies
 * before it again; rotated-log archives hold few members, so that cost
 * is accepted for a simple, stateless reader.
 */
#include "input.h"
#include "../lib/buf.h"
#include "../lib/xalloc.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Large reads: libarchive's default of 10 KiB costs a syscall per
 * hundred lines. */
#define INPUT_BLOCK	(1u << 20)

const char *
input_format_name(enum input_format f)
{
	static const char *const names[FMT_COUNT] = {
		[FMT_UNKNOWN] = "unknown",
		[FMT_SYSLOG] = "syslog",
		[FMT_EXIM] = "exim",
		[FMT_MBOX] = "mbox",
		[FMT_DOMINO] = "domino",
	};

	return (unsigned)f < FMT_COUNT ? names[f] : "unknown";
}

enum input_format
input_format_parse(const char *name)
{
	int f;

	if (strcmp(name, "postfix") == 0)
		return FMT_SYSLOG;
	for (f = 0; f < FMT_COUNT; f++)
		if (strcmp(name, input_format_name(f)) == 0)
			return f;
	return FMT_COUNT;
}

void
input_set_init(struct input_set *set, struct diag *d)
{
	memset(set, 0, sizeof(*set));
	set->diag = d;
}

void
input_set_free(struct input_set *set)
{
	size_t i;

	for (i = 0; i < set->n; i++) {
		free(set->v[i]->display);
		free(set->v[i]->path);
		free(set->v[i]);
	}
	free(set->v);
	memset(set, 0, sizeof(*set));
}

/*
 * Formats, one by one instead of archive_read_support_format_all(): that
 * one includes mtree, which takes some plain text files for an mtree
 * spec, and a log must never be mistaken for an archive.
 */
static struct archive *
archive_new_reader(void)
{
	struct archive *a = archive_read_new();

	if (a == NULL) {
		fprintf(stderr, "mailspill: fatal: out of memory\n");
		exit(70);
	}
	/* Every compression, but not uudecode: a mail with a uuencoded
	 * attachment ("begin 644 ...") is text to read, not a file to
	 * decode. */
	archive_read_support_filter_gzip(a);
	archive_read_support_filter_bzip2(a);
	archive_read_support_filter_xz(a);
	archive_read_support_filter_lzma(a);
	archive_read_support_filter_lzip(a);
	archive_read_support_filter_zstd(a);
	archive_read_support_filter_lz4(a);
	archive_read_support_filter_compress(a);
	archive_read_support_filter_lzop(a);
	archive_read_support_filter_grzip(a);
	archive_read_support_filter_lrzip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	archive_read_support_format_zip(a);
	archive_read_support_format_7zip(a);
	archive_read_support_format_cpio(a);
	archive_read_support_format_ar(a);
	archive_read_support_format_iso9660(a);
	archive_read_support_format_cab(a);
	archive_read_support_format_lha(a);
	archive_read_support_format_rar(a);
	archive_read_support_format_rar5(a);
	archive_read_support_format_xar(a);
	archive_read_support_format_raw(a);
	return a;
}

/* Magic numbers of what a member may hold that needs one more reader. */
static bool
looks_nested(const unsigned char *p, size_t len)
{
	if (len >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return true;			/* gzip */
	if (len >= 3 && memcmp(p, "BZh", 3) == 0)
		return true;			/* bzip2 */
	if (len >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
		return true;			/* xz */
	if (len >= 4 && memcmp(p, "\x28\xb5\x2f\xfd", 4) == 0)
		return true;			/* zstd */
	if (len >= 4 && memcmp(p, "\x04\x22\x4d\x18", 4) == 0)
		return true;			/* lz4 */
	if (len >= 4 && memcmp(p, "PK\x03\x04", 4) == 0)
		return true;			/* zip */
	if (len >= 6 && memcmp(p, "7z\xbc\xaf\x27\x1c", 6) == 0)
		return true;			/* 7z */
	if (len >= 262 && memcmp(p + 257, "ustar", 5) == 0)
		return true;			/* tar */
	return false;
}

/* Feeds the data of the outer member to a nested reader, starting with
 * the block already taken to look at it. */
struct pump {
	struct archive *outer;
	const void *first;
	size_t first_len;
};

static la_ssize_t
pump_read(struct archive *a, void *ctx, const void **buf)
{
	struct pump *pm = ctx;
	size_t len;
	la_int64_t off;
	int r;

	(void)a;
	if (pm->first != NULL) {
		*buf = pm->first;
		len = pm->first_len;
		pm->first = NULL;
		return (la_ssize_t)len;
	}
	r = archive_read_data_block(pm->outer, buf, &len, &off);
	if (r == ARCHIVE_EOF)
		return 0;
	if (r < ARCHIVE_WARN)
		return -1;
	return (la_ssize_t)len;
}

/* Splits blocks into lines; carries the unfinished last line. */
struct splitter {
	struct buf carry;
	bool skipping;		/* inside a cut line, up to its end */
	uint64_t lineno;
	struct input_stream *s;
	struct input_set *set;
	input_line_fn fn;
	void *ctx;
	/* sniff mode: collect lines instead of delivering them */
	bool sniffing;
	struct buf sniffed;
	size_t sniff_off[INPUT_SNIFF_LINES];
	size_t sniff_len[INPUT_SNIFF_LINES];
	size_t nsniff;
};

static void
splitter_emit(struct splitter *sp, const char *p, size_t len)
{
	sp->lineno++;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	if (sp->sniffing) {
		if (sp->nsniff < INPUT_SNIFF_LINES) {
			sp->sniff_off[sp->nsniff] = sp->sniffed.len;
			sp->sniff_len[sp->nsniff] = len;
			buf_add(&sp->sniffed, p, len);
			buf_addc(&sp->sniffed, '\n');
			sp->nsniff++;
		}
		return;
	}
	sp->s->lines++;
	sp->fn(sp->ctx, sp->s, p, len, sp->lineno);
}

static void
splitter_cut(struct splitter *sp, const char *p)
{
	sp->s->cut_lines++;
	if (sp->s->cut_lines == 1 && !sp->sniffing) {
		diag_warn(sp->set->diag, sp->s->display,
		    "line %llu longer than %u bytes: cut",
		    (unsigned long long)sp->lineno + 1, INPUT_MAX_LINE);
	}
	splitter_emit(sp, p, INPUT_MAX_LINE);
	sp->skipping = true;
}

static void
splitter_feed(struct splitter *sp, const char *p, size_t len)
{
	const char *end, *nl;

	/* libarchive may hand over an empty block as NULL. */
	if (len == 0)
		return;
	end = p + len;
	sp->s->bytes += len;
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (sp->skipping) {
			if (nl == NULL)
				return;
			sp->skipping = false;
			p = nl + 1;
			continue;
		}
		if (nl == NULL) {
			size_t rest = (size_t)(end - p);

			if (sp->carry.len + rest >= INPUT_MAX_LINE) {
				size_t take = INPUT_MAX_LINE - sp->carry.len;

				buf_add(&sp->carry, p, take);
				splitter_cut(sp, sp->carry.p);
				buf_reset(&sp->carry);
				p += take;
				continue;
			}
			buf_add(&sp->carry, p, rest);
			return;
		}
		if (sp->carry.len > 0) {
			size_t take = (size_t)(nl - p);

			if (sp->carry.len + take > INPUT_MAX_LINE) {
				take = INPUT_MAX_LINE - sp->carry.len;
				buf_add(&sp->carry, p, take);
				splitter_cut(sp, sp->carry.p);
				sp->skipping = false;
			} else {
				buf_add(&sp->carry, p, take);
				splitter_emit(sp, sp->carry.p, sp->carry.len);
			}
			buf_reset(&sp->carry);
		} else if ((size_t)(nl - p) > INPUT_MAX_LINE) {
			splitter_cut(sp, p);
			sp->skipping = false;
		} else {
			splitter_emit(sp, p, (size_t)(nl - p));
		}
		p = nl + 1;
	}
}

static void
splitter_finish(struct splitter *sp)
{
	if (sp->carry.len > 0 && !sp->skipping)
		splitter_emit(sp, sp->carry.p, sp->carry.len);
	buf_reset(&sp->carry);
	sp->skipping = false;
}

static void
splitter_free(struct splitter *sp)
{
	buf_free(&sp->carry);
	buf_free(&sp->sniffed);
}

/*
 * Decompression in a thread of its own: inflating and parsing then share
 * the two cores instead of taking turns. The reader thread makes every
 * libarchive call and copies blocks into a small ring; the caller's
 * thread splits and parses them.
 */
#define RING_SLOTS	4

struct ring_slot {
	char *p;
	size_t len, cap;
};

struct ring {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct ring_slot slot[RING_SLOTS];
	unsigned head, tail;	/* filled: [head, tail) modulo RING_SLOTS */
	bool done;
	int status;		/* 0, or -1 after a read error */
	struct archive *a;
	char errmsg[256];
};

static void *
ring_reader(void *arg)
{
	struct ring *rg = arg;
	const void *blk;
	size_t len;
	la_int64_t off;
	int r;

	for (;;) {
		struct ring_slot *sl;

		r = archive_read_data_block(rg->a, &blk, &len, &off);
		pthread_mutex_lock(&rg->mu);
		if (r == ARCHIVE_EOF || r < ARCHIVE_WARN) {
			if (r < ARCHIVE_WARN) {
				rg->status = -1;
				snprintf(rg->errmsg, sizeof(rg->errmsg), "%s",
				    archive_error_string(rg->a) ?
				    archive_error_string(rg->a) :
				    "unknown error");
			}
			rg->done = true;
			pthread_cond_broadcast(&rg->cv);
			pthread_mutex_unlock(&rg->mu);
			return NULL;
		}
		while (rg->tail - rg->head == RING_SLOTS)
			pthread_cond_wait(&rg->cv, &rg->mu);
		sl = &rg->slot[rg->tail % RING_SLOTS];
		pthread_mutex_unlock(&rg->mu);
		if (sl->cap < len) {
			free(sl->p);
			sl->cap = len;
			sl->p = xmalloc(len);
		}
		memcpy(sl->p, blk, len);
		sl->len = len;
		pthread_mutex_lock(&rg->mu);
		rg->tail++;
		pthread_cond_broadcast(&rg->cv);
		pthread_mutex_unlock(&rg->mu);
	}
}

/* Like pour() for a whole member, with decompression in another
 * thread. Returns 0 or -1 on a read error. */
static int
pour_threaded(struct archive *a, struct splitter *sp)
{
	struct ring rg;
	pthread_t tid;
	unsigned i;
	int ret;

	memset(&rg, 0, sizeof(rg));
	pthread_mutex_init(&rg.mu, NULL);
	pthread_cond_init(&rg.cv, NULL);
	rg.a = a;
	if (pthread_create(&tid, NULL, ring_reader, &rg) != 0) {
		pthread_mutex_destroy(&rg.mu);
		pthread_cond_destroy(&rg.cv);
		return 1;	/* caller reads in this thread */
	}
	pthread_mutex_lock(&rg.mu);
	for (;;) {
		struct ring_slot *sl;

		while (rg.head == rg.tail && !rg.done)
			pthread_cond_wait(&rg.cv, &rg.mu);
		if (rg.head == rg.tail && rg.done)
			break;
		sl = &rg.slot[rg.head % RING_SLOTS];
		pthread_mutex_unlock(&rg.mu);
		splitter_feed(sp, sl->p, sl->len);
		pthread_mutex_lock(&rg.mu);
		rg.head++;
		pthread_cond_broadcast(&rg.cv);
	}
	pthread_mutex_unlock(&rg.mu);
	pthread_join(tid, NULL);
	splitter_finish(sp);
	ret = rg.status;
	if (ret != 0) {
		diag_error(sp->set->diag, sp->s->display,
		    "read error after line %llu: %s",
		    (unsigned long long)sp->lineno, rg.errmsg);
		sp->s->read_error = true;
	}
	for (i = 0; i < RING_SLOTS; i++)
		free(rg.slot[i].p);
	pthread_mutex_destroy(&rg.mu);
	pthread_cond_destroy(&rg.cv);
	return ret;
}

/* Whether reading a costs more than copying its blocks: it decompresses
 * (any filter but "none") or sits inside another archive. */
static bool
worth_a_thread(struct archive *a, bool nested)
{
	return nested || archive_filter_count(a) > 1;
}

/*
 * Reads the data of the current member of a (first block already in
 * hand when first != NULL). In sniff mode stops after INPUT_SNIFF_BYTES.
 * Returns 0 or -1 on a read error.
 */
static int
pour(struct archive *a, struct splitter *sp, const void *first,
    size_t first_len)
{
	const void *blk;
	size_t len, seen = 0;
	la_int64_t off;
	int r;

	if (first != NULL) {
		splitter_feed(sp, first, first_len);
		seen += first_len;
	}
	for (;;) {
		if (sp->sniffing && (seen >= INPUT_SNIFF_BYTES ||
		    sp->nsniff >= INPUT_SNIFF_LINES))
			return 0;
		r = archive_read_data_block(a, &blk, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			if (sp->sniffing)
				return -1;
			splitter_finish(sp);
			diag_error(sp->set->diag, sp->s->display,
			    "read error after line %llu: %s",
			    (unsigned long long)sp->lineno,
			    archive_error_string(a) ? archive_error_string(a) :
			    "unknown error");
			sp->s->read_error = true;
			return -1;
		}
		splitter_feed(sp, blk, len);
		seen += len;
	}
	splitter_finish(sp);
	return 0;
}

static bool
entry_is_regular(struct archive_entry *e)
{
	mode_t t = archive_entry_filetype(e);

	return t == 0 || t == AE_IFREG;
}

static int
open_path(struct archive *a, const char *path, bool is_stdin)
{
	if (is_stdin)
		return archive_read_open_fd(a, 0, INPUT_BLOCK);
	return archive_read_open_filename(a, path, INPUT_BLOCK);
}

static struct input_stream *
stream_new(struct input_set *set, const char *path, long entry, long inner,
    const char *display, int64_t mtime, const char *mtime_from,
    bool is_stdin)
{
	struct input_stream *s = xcalloc(1, sizeof(*s));

	s->path = xstrdup(path);
	s->display = xstrdup(display);
	s->entry = entry;
	s->inner = inner;
	s->mtime = mtime;
	s->mtime_from = mtime_from;
	s->is_stdin = is_stdin;
	s->order = set->n;
	s->first_seen = s->last_seen = INT64_MIN;
	if (set->n == set->cap) {
		set->cap = set->cap ? set->cap * 2 : 16;
		set->v = xreallocarray(set->v, set->cap, sizeof(*set->v));
	}
	s->id = (uint32_t)set->n;
	set->v[set->n++] = s;
	return s;
}

struct walk {
	struct input_set *set;
	input_sniff_fn sniff;
	input_line_fn stdin_lines;
	void *ctx;
};

/* Sniffs (or, for stdin, reads whole) the current member's data. */
static void
take_stream(struct walk *w, struct archive *a, struct input_stream *s,
    const void *first, size_t first_len)
{
	struct splitter sp;
	const char *lines[INPUT_SNIFF_LINES];
	size_t i;

	memset(&sp, 0, sizeof(sp));
	sp.s = s;
	sp.set = w->set;
	sp.sniffing = true;
	if (s->is_stdin) {
		/* Sniff the first block, then read on: stdin is read once. */
		splitter_feed(&sp, first, first_len);
		for (i = 0; i < sp.nsniff; i++)
			lines[i] = sp.sniffed.p + sp.sniff_off[i];
		w->sniff(w->ctx, s, lines, sp.sniff_len, sp.nsniff);
		splitter_free(&sp);
		s->cut_lines = 0;
		memset(&sp, 0, sizeof(sp));
		sp.s = s;
		sp.set = w->set;
		sp.fn = w->stdin_lines;
		sp.ctx = w->ctx;
		s->bytes = 0;
		pour(a, &sp, first, first_len);
		splitter_free(&sp);
		return;
	}
	pour(a, &sp, first, first_len);
	splitter_finish(&sp);
	for (i = 0; i < sp.nsniff; i++)
		lines[i] = sp.sniffed.p + sp.sniff_off[i];
	w->sniff(w->ctx, s, lines, sp.sniff_len, sp.nsniff);
	s->bytes = 0;
	s->cut_lines = 0;
	splitter_free(&sp);
}

static char *
join_display(const char *a, const char *b)
{
	struct buf d = { 0 };

	buf_adds(&d, a);
	if (b != NULL) {
		buf_addc(&d, '!');
		buf_adds(&d, b);
	}
	return d.p;
}

static void
walk_nested(struct walk *w, struct archive *outer, const char *path,
    long entry, const char *outer_display, int64_t mtime,
    const char *mtime_from, const void *first, size_t first_len,
    bool is_stdin)
{
	struct archive *in = archive_new_reader();
	struct archive_entry *e;
	struct pump pm = { outer, first, first_len };
	long j;
	int r;

	if (archive_read_open(in, &pm, NULL, pump_read, NULL) != ARCHIVE_OK) {
		diag_error(w->set->diag, outer_display, "cannot open: %s",
		    archive_error_string(in));
		archive_read_free(in);
		return;
	}
	for (j = 0;; j++) {
		const void *blk = NULL;
		size_t len = 0;
		la_int64_t off;
		char *disp;
		struct input_stream *s;
		int64_t mt = mtime;
		const char *mf = mtime_from;

		r = archive_read_next_header(in, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			diag_error(w->set->diag, outer_display,
			    "cannot read nested archive: %s",
			    archive_error_string(in));
			break;
		}
		if (!entry_is_regular(e))
			continue;
		if (archive_format(in) == ARCHIVE_FORMAT_RAW)
			disp = xstrdup(outer_display);
		else
			disp = join_display(outer_display,
			    archive_entry_pathname(e));
		if (archive_entry_mtime_is_set(e) &&
		    archive_format(in) != ARCHIVE_FORMAT_RAW) {
			mt = archive_entry_mtime(e);
			mf = "archive member";
		}
		s = stream_new(w->set, path, entry, j, disp, mt, mf, is_stdin);
		free(disp);
		r = archive_read_data_block(in, &blk, &len, &off);
		if (r == ARCHIVE_EOF) {
			blk = NULL;
			len = 0;
		} else if (r < ARCHIVE_WARN) {
			diag_error(w->set->diag, s->display, "cannot read: %s",
			    archive_error_string(in));
			s->read_error = true;
			continue;
		}
		if (len > 0 && looks_nested(blk, len)) {
			diag_warn(w->set->diag, s->display,
			    "archive nested more than one level deep: "
			    "not opened");
			s->read_error = true;
			continue;
		}
		take_stream(w, in, s, blk, len);
	}
	archive_read_free(in);
}

static int
walk_file(struct walk *w, const char *path, bool is_stdin, int64_t mtime)
{
	struct archive *a = archive_new_reader();
	struct archive_entry *e;
	long i;
	int r, ret = 0;

	if (open_path(a, path, is_stdin) != ARCHIVE_OK) {
		diag_error(w->set->diag, path, "cannot open: %s",
		    archive_error_string(a) ? archive_error_string(a) :
		    strerror(errno));
		archive_read_free(a);
		return -1;
	}
	for (i = 0;; i++) {
		const void *blk = NULL;
		size_t len = 0;
		la_int64_t off;
		char *disp;
		int64_t mt = mtime;
		const char *mf = is_stdin ? "now (standard input)" : "file";
		bool raw;

		r = archive_read_next_header(a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN) {
			/* An empty file has no header at all. */
			if (i == 0 && archive_errno(a) == 0 &&
			    archive_error_string(a) == NULL)
				break;
			diag_error(w->set->diag, path, "cannot read: %s",
			    archive_error_string(a) ? archive_error_string(a) :
			    "unknown error");
			ret = -1;
			break;
		}
		if (!entry_is_regular(e))
			continue;
		raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
		disp = raw ? xstrdup(path) :
		    join_display(path, archive_entry_pathname(e));
		if (!raw && archive_entry_mtime_is_set(e)) {
			mt = archive_entry_mtime(e);
			mf = "archive member";
		}
		r = archive_read_data_block(a, &blk, &len, &off);
		if (r == ARCHIVE_EOF) {
			blk = NULL;
			len = 0;
		} else if (r < ARCHIVE_WARN) {
			diag_error(w->set->diag, disp, "cannot read: %s",
			    archive_error_string(a));
			free(disp);
			ret = -1;
			if (raw)
				break;
			continue;
		}
		if (len > 0 && looks_nested(blk, len)) {
			walk_nested(w, a, path, i, disp, mt, mf, blk, len,
			    is_stdin);
		} else {
			struct input_stream *s = stream_new(w->set, path, i,
			    -1, disp, mt, mf, is_stdin);

			take_stream(w, a, s, blk, len);
		}
		free(disp);
	}
	archive_read_free(a);
	return ret;
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
walk_path(struct walk *w, const char *path, int depth)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int ret = 0;

	if (strcmp(path, "-") == 0)
		return walk_file(w, "-", true, (int64_t)time(NULL));
	if (stat(path, &st) != 0) {
		diag_error(w->set->diag, path, "cannot open: %s",
		    strerror(errno));
		return -1;
	}
	/* No bytes, no lines: nothing skipped, nothing to report. */
	if (S_ISREG(st.st_mode) && st.st_size == 0) {
		diag_warn(w->set->diag, path, "empty file: nothing to read");
		return 0;
	}
	if (!S_ISDIR(st.st_mode))
		return walk_file(w, path, false, (int64_t)st.st_mtime);
	/* Symbolic-link loops end here; real trees are not this deep. */
	if (depth > 32) {
		diag_error(w->set->diag, path, "directories nested too deep");
		return -1;
	}
	if ((dir = opendir(path)) == NULL) {
		diag_error(w->set->diag, path, "cannot open: %s",
		    strerror(errno));
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = join_display(path, NULL);
		{
			struct buf b = { 0 };

			buf_adds(&b, path);
			if (b.len == 0 || b.p[b.len - 1] != '/')
				buf_addc(&b, '/');
			buf_adds(&b, de->d_name);
			free(names[n - 1]);
			names[n - 1] = b.p;
		}
	}
	closedir(dir);
	if (n > 1)	/* an empty directory leaves names NULL */
		qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		if (walk_path(w, names[i], depth + 1) != 0)
			ret = -1;
		free(names[i]);
	}
	free(names);
	return ret;
}

/* See input.h. */
int
input_add_path(struct input_set *set, const char *path,
    input_sniff_fn sniff, input_line_fn stdin_lines, void *ctx)
{
	struct walk w = { set, sniff, stdin_lines, ctx };

	return walk_path(&w, path, 0);
}

static int
stream_cmp(const void *pa, const void *pb)
{
	const struct input_stream *a = *(struct input_stream *const *)pa;
	const struct input_stream *b = *(struct input_stream *const *)pb;

	if (a->has_time != b->has_time)
		return a->has_time ? -1 : 1;
	if (a->has_time && a->first_time != b->first_time)
		return a->first_time < b->first_time ? -1 : 1;
	return a->order < b->order ? -1 : a->order > b->order;
}

/* See input.h. */
void
input_sort(struct input_set *set)
{
	size_t i;

	/* No streams (an empty input) leaves v NULL: qsort wants a valid
	 * pointer even for no elements. */
	if (set->n > 1)
		qsort(set->v, set->n, sizeof(*set->v), stream_cmp);
	for (i = 0; i < set->n; i++)
		set->v[i]->id = (uint32_t)i;
}

static int
seek_member(struct archive *a, long index, const void **blk, size_t *len)
{
	struct archive_entry *e;
	la_int64_t off;
	long i;
	int r;

	for (i = 0; i <= index; i++) {
		r = archive_read_next_header(a, &e);
		if (r < ARCHIVE_WARN || r == ARCHIVE_EOF)
			return -1;
	}
	r = archive_read_data_block(a, blk, len, &off);
	if (r == ARCHIVE_EOF) {
		*blk = NULL;
		*len = 0;
		return 0;
	}
	return r < ARCHIVE_WARN ? -1 : 0;
}

/* See input.h. */
int
input_read(struct input_set *set, struct input_stream *s,
    input_line_fn fn, void *ctx)
{
	struct archive *a, *in = NULL;
	struct splitter sp;
	struct pump pm;
	const void *blk;
	size_t len;
	int ret = -1;

	if (s->is_stdin)
		return 0;	/* read whole while sniffing */
	a = archive_new_reader();
	memset(&sp, 0, sizeof(sp));
	sp.s = s;
	sp.set = set;
	sp.fn = fn;
	sp.ctx = ctx;
	if (open_path(a, s->path, false) != ARCHIVE_OK ||
	    seek_member(a, s->entry, &blk, &len) != 0) {
		diag_error(set->diag, s->display, "cannot read: %s",
		    archive_error_string(a) ? archive_error_string(a) :
		    "file changed since it was first read");
		s->read_error = true;
		goto out;
	}
	if (s->inner >= 0) {
		in = archive_new_reader();
		pm.outer = a;
		pm.first = blk;
		pm.first_len = len;
		if (archive_read_open(in, &pm, NULL, pump_read, NULL) !=
		    ARCHIVE_OK || seek_member(in, s->inner, &blk, &len) != 0) {
			diag_error(set->diag, s->display, "cannot read: %s",
			    archive_error_string(in) ?
			    archive_error_string(in) : "unknown error");
			s->read_error = true;
			goto out;
		}
		if (len > 0)
			splitter_feed(&sp, blk, len);
		ret = worth_a_thread(in, true) ? pour_threaded(in, &sp) : 1;
		if (ret == 1)
			ret = pour(in, &sp, NULL, 0);
	} else {
		if (len > 0)
			splitter_feed(&sp, blk, len);
		ret = worth_a_thread(a, false) ? pour_threaded(a, &sp) : 1;
		if (ret == 1)
			ret = pour(a, &sp, NULL, 0);
	}
out:
	splitter_free(&sp);
	if (in != NULL)
		archive_read_free(in);
	archive_read_free(a);
	return ret;
}

static bool
is_generic_dir(const char *p, size_t n, const char *const *generic)
{
	const char *const *g;

	if (n == 0 || (n == 1 && p[0] == '.') ||
	    (n == 2 && p[0] == '.' && p[1] == '.'))
		return true;
	for (g = generic; *g != NULL; g++)
		if (strlen(*g) == n && strncasecmp(p, *g, n) == 0)
			return true;
	return false;
}

static void
put_host(char *out, size_t outsz, const char *p, size_t n)
{
	if (outsz == 0)
		return;
	if (n >= outsz)
		n = outsz - 1;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* See input.h. */
void
input_host_from_path(const char *display, const char *const *generic,
    char *out, size_t outsz)
{
	const char *bang = strchr(display, '!');
	size_t end = bang != NULL ? (size_t)(bang - display) : strlen(display);
	size_t i, start;

	/* The file itself (or, for a member, the archive's stem) first. */
	for (i = end; i > 0 && display[i - 1] != '/'; i--)
		;
	if (bang != NULL) {
		size_t dot = i;

		while (dot < end && display[dot] != '.')
			dot++;
		if (!is_generic_dir(display + i, dot - i, generic)) {
			put_host(out, outsz, display + i, dot - i);
			return;
		}
	}
	end = i;
	while (end > 0) {
		/* display[0..end) ends with '/': the component before it. */
		size_t stop = end - 1;

		for (start = stop; start > 0 && display[start - 1] != '/';
		    start--)
			;
		if (!is_generic_dir(display + start, stop - start, generic)) {
			put_host(out, outsz, display + start, stop - start);
			return;
		}
		end = start;
	}
	put_host(out, outsz, "localhost", 9);
}
