/*
 * csv - RFC 4180 cells, safe to open in a spreadsheet
 *
 * csv_cell() appends one cell to a line buffer: a comma before every cell
 * but the first, quotes around cells holding a comma, quote, CR or LF
 * (inner quotes doubled), and a leading apostrophe on cells that start
 * with '=', '+', '-', '@', TAB or CR so that no spreadsheet runs them as
 * formulas. Bytes that are not valid UTF-8 become U+FFFD: output text is
 * always UTF-8, and the evidence column points at the raw line.
 * csv_end() ends the record with CRLF.
 */
#ifndef MAILSPILL_CSV_H
#define MAILSPILL_CSV_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/buf.h"

struct csv_line {
	struct buf b;
	bool first;
};

void csv_begin(struct csv_line *l);
void csv_cell(struct csv_line *l, const char *s, size_t len);
/* A NUL-terminated string; NULL is an empty cell. */
void csv_cells(struct csv_line *l, const char *s);
void csv_end(struct csv_line *l);
/* Whether csv_cell() would copy s unchanged (no quotes, no guard, plain
 * ASCII): such a cell can be cached and added with csv_raw(). */
bool csv_plain(const char *s, size_t len);
/* Appends a cell already encoded by csv_cell() (or csv_plain()). */
void csv_raw(struct csv_line *l, const char *enc, size_t len);
/* Appends s to b as valid UTF-8 (bad bytes as U+FFFD). */
void csv_add_utf8(struct buf *b, const char *s, size_t len);

#endif
