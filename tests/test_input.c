/*
 * test_input - the input layer: every container shape through libarchive,
 * provenance strings, line splitting, cut lines, time order.
 *
 * Fixtures are written at run time into a temporary directory with zlib
 * and libarchive's writer, so each case states its bytes exactly.
 */
#include "cu.h"
#include "../parsers/input.h"
#include "../lib/buf.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

static char dir[256];

struct seen {
	struct buf text;	/* "display:line:text\n" per line */
	int streams;
};

static void
sniff_cb(void *ctx, struct input_stream *s, const char *const *lines,
    const size_t *lens, size_t n)
{
	struct seen *sn = ctx;

	(void)lines;
	(void)lens;
	sn->streams++;
	s->has_time = n > 0;
	/* Order by the first line's first byte, so the test can check
	 * that input_sort() orders by time and not by name. */
	s->first_time = n > 0 && lens[0] > 0 ? (unsigned char)lines[0][0] : 0;
}

static void
line_cb(void *ctx, struct input_stream *s, const char *line, size_t len,
    uint64_t lineno)
{
	struct seen *sn = ctx;

	buf_printf(&sn->text, "%s:%llu:", s->display + strlen(dir) + 1,
	    (unsigned long long)lineno);
	buf_add(&sn->text, line, len > 40 ? 40 : len);
	buf_addc(&sn->text, '\n');
}

static void
write_file(const char *name, const void *data, size_t len)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	fwrite(data, 1, len, f);
	fclose(f);
}

static void
write_gz(const char *name, const char *text)
{
	char path[512];
	gzFile g;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	g = gzopen(path, "wb");
	gzwrite(g, text, (unsigned)strlen(text));
	gzclose(g);
}

/* Gzips text into memory. */
static size_t
gz_mem(const char *text, unsigned char *out, size_t cap)
{
	z_stream z;

	memset(&z, 0, sizeof(z));
	deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (unsigned char *)text;
	z.avail_in = (unsigned)strlen(text);
	z.next_out = out;
	z.avail_out = (unsigned)cap;
	deflate(&z, Z_FINISH);
	deflateEnd(&z);
	return z.total_out;
}

static void
write_archive(const char *name, int zip, const char *const *names,
    const void *const *datas, const size_t *lens, size_t n)
{
	char path[512];
	struct archive *a = archive_write_new();
	struct archive_entry *e;
	size_t i;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (zip) {
		archive_write_set_format_zip(a);
	} else {
		archive_write_set_format_pax_restricted(a);
		archive_write_add_filter_gzip(a);
	}
	archive_write_open_filename(a, path);
	for (i = 0; i < n; i++) {
		e = archive_entry_new();
		archive_entry_set_pathname(e, names[i]);
		archive_entry_set_size(e, (la_int64_t)lens[i]);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_mtime(e, 1700000000 + (time_t)i, 0);
		archive_write_header(a, e);
		archive_write_data(a, datas[i], lens[i]);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
}

static void
run(struct seen *sn, const char *path)
{
	struct diag d;
	struct input_set set;
	size_t i;

	diag_init(&d, NULL);
	input_set_init(&set, &d);
	memset(sn, 0, sizeof(*sn));
	input_add_path(&set, path, sniff_cb, line_cb, sn);
	input_sort(&set);
	for (i = 0; i < set.n; i++)
		input_read(&set, set.v[i], line_cb, sn);
	input_set_free(&set);
	if (sn->text.p == NULL)
		buf_adds(&sn->text, "");
}

static void
test_plain_and_compressed(void)
{
	struct seen sn;
	char path[512];

	write_file("plain.log", "b one\r\nb two\nb three", 20);
	snprintf(path, sizeof(path), "%s/plain.log", dir);
	run(&sn, path);
	CHECK_STR(sn.text.p, "plain.log:1:b one\nplain.log:2:b two\n"
	    "plain.log:3:b three\n", "plain file, CRLF, no final newline");
	buf_free(&sn.text);

	write_gz("rot.log.2.gz", "a first\na second\n");
	snprintf(path, sizeof(path), "%s/rot.log.2.gz", dir);
	run(&sn, path);
	CHECK_STR(sn.text.p, "rot.log.2.gz:1:a first\nrot.log.2.gz:2:a "
	    "second\n", "gzip file");
	buf_free(&sn.text);
}

static void
test_tar_with_nested_gz(void)
{
	unsigned char gz[256];
	const char *names[] = { "var/log/mail.log.1", "var/log/mail.log.2.gz" };
	const void *datas[2];
	size_t lens[2];
	struct seen sn;
	char path[512];

	datas[0] = "d later\n";
	lens[0] = 8;
	lens[1] = gz_mem("c earlier\nc again\n", gz, sizeof(gz));
	datas[1] = gz;
	write_archive("mx1.tar.gz", 0, names, datas, lens, 2);
	snprintf(path, sizeof(path), "%s/mx1.tar.gz", dir);
	run(&sn, path);
	/* Time order ('c' < 'd'), whatever the member order. */
	CHECK_STR(sn.text.p,
	    "mx1.tar.gz!var/log/mail.log.2.gz:1:c earlier\n"
	    "mx1.tar.gz!var/log/mail.log.2.gz:2:c again\n"
	    "mx1.tar.gz!var/log/mail.log.1:1:d later\n",
	    "tar.gz with a gzip member, provenance and order");
	buf_free(&sn.text);
}

static void
test_zip_and_directory(void)
{
	const char *names[] = { "logs/b.log", "logs/a.log" };
	const void *datas[] = { "f zip b\n", "e zip a\n" };
	size_t lens[] = { 8, 8 };
	struct seen sn;
	char path[512];

	snprintf(path, sizeof(path), "%s/sub", dir);
	mkdir(path, 0700);
	write_archive("sub/both.zip", 1, names, datas, lens, 2);
	write_file("sub/z.log", "g last\n", 7);
	run(&sn, path);
	CHECK_STR(sn.text.p, "sub/both.zip!logs/a.log:1:e zip a\n"
	    "sub/both.zip!logs/b.log:1:f zip b\n"
	    "sub/z.log:1:g last\n", "directory with a zip");
	CHECKF(sn.streams == 3, "streams: got %d, want 3", sn.streams);
	buf_free(&sn.text);
}

static void
test_long_line_cut(void)
{
	size_t big = INPUT_MAX_LINE + 5000;
	char *data = malloc(big + 16), path[512];
	struct seen sn;

	memset(data, 'x', big);
	memcpy(data + big, "\nh next\n", 8);
	write_file("long.log", data, big + 8);
	free(data);
	snprintf(path, sizeof(path), "%s/long.log", dir);
	run(&sn, path);
	CHECK_STR(sn.text.p, "long.log:1:xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
	    "long.log:2:h next\n", "a line over the limit is cut, the next "
	    "line is whole");
	buf_free(&sn.text);
}

static void
test_corrupt_and_missing(void)
{
	struct diag d;
	struct input_set set;
	struct seen sn;
	char path[512];
	unsigned char gz[256];
	size_t n = gz_mem("i line one\ni line two\ni line three\n", gz,
	    sizeof(gz));

	/* A truncated gzip: what was readable is delivered, the error is
	 * counted, the run goes on. */
	write_file("cut.gz", gz, n - 12);
	snprintf(path, sizeof(path), "%s/cut.gz", dir);
	memset(&sn, 0, sizeof(sn));
	diag_init(&d, NULL);
	input_set_init(&set, &d);
	input_add_path(&set, path, sniff_cb, line_cb, &sn);
	if (set.n == 1)
		input_read(&set, set.v[0], line_cb, &sn);
	CHECKF(d.errors >= 1, "truncated gzip: got %llu errors",
	    (unsigned long long)d.errors);
	input_set_free(&set);
	buf_free(&sn.text);

	snprintf(path, sizeof(path), "%s/does-not-exist", dir);
	diag_init(&d, NULL);
	input_set_init(&set, &d);
	CHECKF(input_add_path(&set, path, sniff_cb, line_cb, &sn) == -1 &&
	    d.errors == 1, "missing file is an error");
	input_set_free(&set);
}

static const struct cu_test tests[] = {
	{ "plain and gzip files", test_plain_and_compressed },
	{ "tar.gz with a nested .gz", test_tar_with_nested_gz },
	{ "zip in a directory", test_zip_and_directory },
	{ "long lines", test_long_line_cut },
	{ "corrupt and missing inputs", test_corrupt_and_missing },
};

int
main(void)
{
	char cmd[300];
	int r;

	snprintf(dir, sizeof(dir), "%s/mailspill-test-input-XXXXXX",
	    getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (mkdtemp(dir) == NULL)
		return 99;
	r = cu_main("input", tests, sizeof(tests) / sizeof(tests[0]));
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		r = r ? r : 1;
	return r;
}
