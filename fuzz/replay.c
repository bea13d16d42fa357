/*
 * replay - runs a fuzz target over saved inputs, for `make check`
 *
 * Without arguments it replays every regular file of
 * $SRCDIR/fuzz/corpus/<fuzz_target>/ (SRCDIR defaults to "."), in byte
 * order of the names; with arguments, each file or directory named. An
 * input that breaks an invariant aborts the program (the target's
 * FUZZ_CHECK or a sanitizer), so reaching the end means all passed. An
 * empty seed directory is a failure: a target that runs nothing tests
 * nothing. Inputs are read whole: seeds are small (a few KiB).
 */
#include "fuzz.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "../lib/buf.h"
#include "../lib/xalloc.h"

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Runs the target on one file; returns 0, or -1 if it cannot be read. */
static int
replay_file(const char *path)
{
	struct buf b = { 0 };
	char chunk[8192];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (f == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_add(&b, chunk, n);
	if (ferror(f)) {
		fprintf(stderr, "replay: %s: read error\n", path);
		fclose(f);
		buf_free(&b);
		return -1;
	}
	fclose(f);
	/* An exact-size copy, so that a read past the end is caught under
	 * ASan as it is by libFuzzer. */
	{
		uint8_t *copy = xmalloc(b.len ? b.len : 1);

		memcpy(copy, b.p ? b.p : "", b.len);
		LLVMFuzzerTestOneInput(copy, b.len);
		free(copy);
	}
	buf_free(&b);
	return 0;
}

/* Replays a file, or every regular file in a directory. Adds the inputs
 * run to *count; returns -1 on an unreadable input. */
static int
replay_path(const char *path, size_t *count)
{
	struct stat st;
	DIR *dir;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0, cap = 0, i;
	int ret = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (replay_file(path) != 0)
			return -1;
		(*count)++;
		return 0;
	}
	if ((dir = opendir(path)) == NULL) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((de = readdir(dir)) != NULL) {
		struct buf full = { 0 };

		if (de->d_name[0] == '.')
			continue;
		buf_printf(&full, "%s/%s", path, de->d_name);
		if (stat(full.p, &st) != 0 || !S_ISREG(st.st_mode)) {
			buf_free(&full);
			continue;
		}
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = full.p;
	}
	closedir(dir);
	qsort(names, n, sizeof(*names), name_cmp);
	for (i = 0; i < n; i++) {
		if (replay_file(names[i]) != 0)
			ret = -1;
		else
			(*count)++;
		free(names[i]);
	}
	free(names);
	return ret;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int i, ret = 0;

	if (argc > 1) {
		for (i = 1; i < argc; i++)
			if (replay_path(argv[i], &count) != 0)
				ret = 1;
	} else {
		const char *src = getenv("SRCDIR");
		struct buf dir = { 0 };

		buf_printf(&dir, "%s/fuzz/corpus/%s", src && *src ? src : ".",
		    fuzz_target);
		if (replay_path(dir.p, &count) != 0)
			ret = 1;
		if (count == 0) {
			fprintf(stderr, "replay: %s: no inputs\n", dir.p);
			ret = 1;
		}
		buf_free(&dir);
	}
	printf("%s: %zu passed, %d failed\n", fuzz_target, count, ret);
	return ret;
}
