/*
 * diag - run diagnostics. See diag.h.
 */
#include "diag.h"

#include <stdarg.h>

void
diag_init(struct diag *d, FILE *out)
{
	d->out = out;
	d->quiet = false;
	d->warnings = 0;
	d->errors = 0;
}

static void
diag_vprint(struct diag *d, const char *sev, const char *where,
    const char *fmt, va_list ap)
{
	if (d->out == NULL)
		return;
	fprintf(d->out, "mailspill: %s: ", sev);
	if (where != NULL && *where)
		fprintf(d->out, "%s: ", where);
	vfprintf(d->out, fmt, ap);
	fputc('\n', d->out);
}

void
diag_warn(struct diag *d, const char *where, const char *fmt, ...)
{
	va_list ap;

	d->warnings++;
	if (d->quiet)
		return;
	va_start(ap, fmt);
	diag_vprint(d, "warning", where, fmt, ap);
	va_end(ap);
}

void
diag_error(struct diag *d, const char *where, const char *fmt, ...)
{
	va_list ap;

	d->errors++;
	va_start(ap, fmt);
	diag_vprint(d, "error", where, fmt, ap);
	va_end(ap);
}
