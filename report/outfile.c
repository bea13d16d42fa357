/*
 * outfile - atomic 0600 output files. See outfile.h.
 */
#include "outfile.h"
#include "../lib/buf.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int
outfile_open(struct outfile *o, const char *path)
{
	struct stat st;
	struct buf t = { 0 };
	int fd;

	memset(o, 0, sizeof(*o));
	if (path == NULL || strcmp(path, "-") == 0) {
		o->f = stdout;
		return 0;
	}
	if (stat(path, &st) == 0 && S_ISCHR(st.st_mode)) {
		if ((o->f = fopen(path, "w")) == NULL)
			return -1;
		o->owned = true;
		return 0;
	}
	buf_printf(&t, "%s.tmp-XXXXXX", path);
	/* mkstemp creates the file with mode 0600. */
	if ((fd = mkstemp(t.p)) < 0) {
		buf_free(&t);
		return -1;
	}
	if ((o->f = fdopen(fd, "w")) == NULL) {
		int e = errno;

		close(fd);
		unlink(t.p);
		buf_free(&t);
		errno = e;
		return -1;
	}
	o->owned = true;
	o->tmp = t.p;
	o->final = xstrdup(path);
	return 0;
}

int
outfile_commit(struct outfile *o)
{
	int ret = 0;

	if (fflush(o->f) != 0 || ferror(o->f))
		ret = -1;
	if (o->owned && fclose(o->f) != 0)
		ret = -1;
	o->f = NULL;
	if (o->tmp != NULL) {
		if (ret == 0 && rename(o->tmp, o->final) != 0)
			ret = -1;
		if (ret != 0)
			unlink(o->tmp);
	}
	free(o->tmp);
	free(o->final);
	o->tmp = o->final = NULL;
	return ret;
}

void
outfile_abort(struct outfile *o)
{
	if (o->f != NULL && o->owned)
		fclose(o->f);
	if (o->tmp != NULL)
		unlink(o->tmp);
	free(o->tmp);
	free(o->final);
	memset(o, 0, sizeof(*o));
}
