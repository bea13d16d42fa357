/*
 * fuzz_input - bytes as a file through the input layer: libarchive's
 * filter and format detection, archive members, one level of nested
 * archives, the line splitter and the sniff/read passes
 *
 * The input goes into a memfd and is opened by its /proc/self/fd path,
 * so nothing touches the disk. Sniffing runs the real dispatch_sniff();
 * lines are checked (no LF inside, at most INPUT_MAX_LINE, numbers
 * rising, every byte readable) and counted. Inputs over FUZZ_INPUT_MAX
 * are ignored; decompressed output is what the input layer allows.
 */
#include "fuzz.h"

#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../parsers/dispatch.h"
#include "../parsers/input.h"

#define FUZZ_INPUT_MAX	(64u << 10)

const char fuzz_target[] = "input";

struct ctx {
	struct dispatch d;
	uint64_t lines;
	uint64_t last_lineno;
	struct input_stream *cur;
};

static void
sniff(void *vctx, struct input_stream *s, const char *const *lines,
    const size_t *lens, size_t n)
{
	struct ctx *c = vctx;
	size_t i;

	FUZZ_CHECK(n <= INPUT_SNIFF_LINES);
	for (i = 0; i < n; i++) {
		FUZZ_CHECK(lens[i] <= INPUT_MAX_LINE);
		FUZZ_CHECK(memchr(lines[i], '\n', lens[i]) == NULL);
	}
	dispatch_sniff(&c->d, s, lines, lens, n);
	FUZZ_CHECK(s->format < FMT_COUNT);
	FUZZ_CHECK(memchr(s->host, '\0', sizeof(s->host)) != NULL);
}

static void
line(void *vctx, struct input_stream *s, const char *p, size_t len,
    uint64_t lineno)
{
	struct ctx *c = vctx;

	FUZZ_CHECK(len <= INPUT_MAX_LINE);
	FUZZ_CHECK(memchr(p, '\n', len) == NULL);
	if (s != c->cur) {
		c->cur = s;
		c->last_lineno = 0;
	}
	FUZZ_CHECK(lineno > c->last_lineno);
	c->last_lineno = lineno;
	fuzz_touch(p, len);
	c->lines++;
}

static void
ignore_event(void *ctx, const struct event *ev)
{
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ctx c;
	struct dispatch_opts o;
	struct input_set set;
	struct diag diag;
	char path[64];
	size_t i, done = 0;
	int fd;

	if (size > FUZZ_INPUT_MAX)
		return 0;
	fd = memfd_create("fuzz-input", MFD_CLOEXEC);
	FUZZ_CHECK(fd >= 0);
	while (done < size) {
		ssize_t n = write(fd, data + done, size - done);

		FUZZ_CHECK(n > 0);
		done += (size_t)n;
	}
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	memset(&c, 0, sizeof(c));
	memset(&o, 0, sizeof(o));
	o.force_format = FMT_UNKNOWN;
	diag_init(&diag, NULL);
	dispatch_init(&c.d, &o, &diag, ignore_event, NULL);
	input_set_init(&set, &diag);
	input_add_path(&set, path, sniff, line, &c);
	dispatch_prepare(&c.d, &set);
	input_sort(&set);
	for (i = 0; i < set.n; i++) {
		struct input_stream *s = set.v[i];

		FUZZ_CHECK(s->id == i);
		c.cur = NULL;
		input_read(&set, s, line, &c);
		FUZZ_CHECK(s->lines <= c.lines);
	}
	dispatch_finish(&c.d);
	input_set_free(&set);
	close(fd);
	return 0;
}
