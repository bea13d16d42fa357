/*
 * json - just enough JSON writing for report.json
 *
 * json_str() writes a quoted string: control characters, quote and
 * backslash escaped, invalid UTF-8 as U+FFFD (the text comes from mail).
 */
#ifndef MAILSPILL_JSON_H
#define MAILSPILL_JSON_H

#include <stddef.h>
#include <stdio.h>

void json_str(FILE *f, const char *s);
void json_strn(FILE *f, const char *s, size_t len);

#endif
