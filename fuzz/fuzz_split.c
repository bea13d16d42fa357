/*
 * fuzz_split - input.c's line semantics over a byte array. See
 * fuzz_split.h.
 */
#include "fuzz_split.h"

#include <stdlib.h>
#include <string.h>

#include "../lib/xalloc.h"

static char fuzz_name[] = "fuzz";

/* See fuzz_split.h. */
void
fuzz_split_stream(struct input_stream *s)
{
	memset(s, 0, sizeof(*s));
	s->display = fuzz_name;
	s->path = fuzz_name;
	s->entry = -1;
	s->inner = -1;
	s->mtime = FUZZ_SPLIT_MTIME;
	s->mtime_from = "file";
	s->first_seen = s->last_seen = INT64_MIN;
}

/* Finds the next line at *pos: sets *len (without CR LF, cut at
 * INPUT_MAX_LINE) and moves *pos past its end. Returns false at the
 * end of the data. */
static bool
next_line(const uint8_t *data, size_t size, size_t *pos, size_t *start,
    size_t *len)
{
	const uint8_t *nl;
	size_t end;

	if (*pos >= size)
		return false;
	*start = *pos;
	nl = memchr(data + *pos, '\n', size - *pos);
	end = nl != NULL ? (size_t)(nl - data) : size;
	*pos = nl != NULL ? end + 1 : size;
	*len = end - *start;
	if (*len > INPUT_MAX_LINE)
		*len = INPUT_MAX_LINE;
	else if (*len > 0 && data[*start + *len - 1] == '\r')
		(*len)--;
	return true;
}

/* See fuzz_split.h. */
void
fuzz_split_sniff(struct input_stream *s, const uint8_t *data, size_t size,
    input_sniff_fn sniff, void *ctx)
{
	char *lines[INPUT_SNIFF_LINES];
	size_t lens[INPUT_SNIFF_LINES];
	size_t n = 0, pos = 0, start, len, seen = 0, i;

	while (n < INPUT_SNIFF_LINES && seen < INPUT_SNIFF_BYTES &&
	    next_line(data, size, &pos, &start, &len)) {
		lines[n] = xmalloc(len ? len : 1);
		memcpy(lines[n], data + start, len);
		lens[n] = len;
		seen = pos;
		n++;
	}
	sniff(ctx, s, (const char *const *)lines, lens, n);
	for (i = 0; i < n; i++)
		free(lines[i]);
}

/* See fuzz_split.h. */
void
fuzz_split_read(struct input_stream *s, const uint8_t *data, size_t size,
    input_line_fn fn, void *ctx)
{
	size_t pos = 0, start, len;
	uint64_t lineno = 0;

	while (next_line(data, size, &pos, &start, &len)) {
		char *copy = xmalloc(len ? len : 1);

		memcpy(copy, data + start, len);
		s->lines++;
		s->bytes += len;
		fn(ctx, s, copy, len, ++lineno);
		free(copy);
	}
}
