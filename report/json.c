/*
 * json - JSON strings. See json.h.
 */
#include "json.h"
#include "csv.h"
#include "../lib/buf.h"

#include <string.h>

void
json_strn(FILE *f, const char *s, size_t len)
{
	struct buf b = { 0 };
	size_t i;

	csv_add_utf8(&b, s ? s : "", s ? len : 0);
	fputc('"', f);
	for (i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.p[i];

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
	buf_free(&b);
}

void
json_str(FILE *f, const char *s)
{
	json_strn(f, s, s ? strlen(s) : 0);
}
