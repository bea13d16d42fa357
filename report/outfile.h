/*
 * outfile - output files that appear whole or not at all, mode 0600
 *
 * outfile_open() creates a temporary file (mkstemp: mode 0600) in the
 * destination's directory; outfile_commit() checks every write, closes
 * and renames it into place; outfile_abort() removes it. The path "-"
 * (or NULL) is standard output, and a character device such as
 * /dev/null is written directly: there is nothing to rename. Output
 * holds personal data, hence the mode.
 */
#ifndef MAILSPILL_OUTFILE_H
#define MAILSPILL_OUTFILE_H

#include <stdbool.h>
#include <stdio.h>

struct outfile {
	FILE *f;
	char *final;		/* NULL: stdout or device */
	char *tmp;
	bool owned;		/* f must be closed */
};

/* Returns 0, or -1 with errno set. */
int outfile_open(struct outfile *o, const char *path);
/* Returns 0, or -1 (the temporary file is removed). */
int outfile_commit(struct outfile *o);
void outfile_abort(struct outfile *o);

#endif
