/*
 * notesdir - a Domino Directory export (CSV) for turning Notes names
 * into people: persons to internet addresses, groups to their members
 *
 * notesdir_load() reads an RFC 4180 CSV file (comma separated, fields
 * quoted with '"' when needed, CRLF or LF) whose first record names the
 * columns. Columns are recognised by their Domino item names, in any
 * order and case; others are ignored:
 *
 *   FullName         person: hierarchical names, canonical
 *                    ("CN=John Doe/OU=Sales/O=Acme") or abbreviated
 *                    ("John Doe/Sales/Acme"); the first is the name
 *   ShortName        person: short names ("jdoe")
 *   InternetAddress  person: the internet address names resolve to
 *   ListName         group: its names
 *   Members          group: member names (persons, groups, addresses)
 *
 * A cell holding several values separates them with ';' (Notes exports
 * multi-value items that way). A record with a FullName is a person,
 * one with a ListName a group; records with neither are skipped and
 * counted. Names match without regard to case, in abbreviated form, and
 * also by a person's common name ("John Doe") and short names and
 * internet address; a key that two entries claim is ambiguous and
 * resolves to nothing (never guessed). "Name/Org@NotesDomain" is looked
 * up without its Notes domain.
 *
 * Groups are flattened once at load: nested groups expanded (depth
 * NOTESDIR_MAX_DEPTH, cycles cut), members resolved to internet
 * addresses where possible, duplicates dropped. The directory is read
 * whole into memory (an export is a few MB; logs never are) and owns
 * every string it hands out until notesdir_free().
 *
 * Diagnostics: notesdir_load() returns -1 with a message in err for an
 * unreadable file or a header without FullName or ListName.
 */
#ifndef MAILSPILL_NOTESDIR_H
#define MAILSPILL_NOTESDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../lib/arena.h"
#include "../lib/str.h"

/* Groups nest a few levels in practice; deeper is a loop or an error. */
#define NOTESDIR_MAX_DEPTH	8

enum notesdir_kind {
	NOTESDIR_NONE,
	NOTESDIR_PERSON,
	NOTESDIR_GROUP,
	NOTESDIR_AMBIGUOUS,
};

struct notesdir_member {
	struct str addr;	/* internet address, or the name verbatim */
	bool resolved;
};

struct notesdir_key;
struct notesdir_person;
struct notesdir_group;

struct notesdir {
	struct arena arena;
	struct notesdir_key *keys;	/* open addressing */
	size_t mask, nkeys;
	struct notesdir_person *persons;
	size_t npersons, cappersons;
	struct notesdir_group *groups;
	size_t ngroups, capgroups;
	uint64_t skipped;		/* records without a name */
};

/* Loads path. Returns 0, or -1 with a message in err. */
int notesdir_load(struct notesdir *d, const char *path, char *err,
    size_t errsz);
/* Same from bytes in memory (for tests). */
int notesdir_load_mem(struct notesdir *d, const char *p, size_t len,
    char *err, size_t errsz);
void notesdir_free(struct notesdir *d);

/* Looks name up (see above). For a person, *addr is its internet
 * address (empty when the record has none); for a group, *members and
 * *n its flattened members. */
enum notesdir_kind notesdir_find(const struct notesdir *d, struct str name,
    struct str *addr, const struct notesdir_member **members, size_t *n);

/* Whether s reads as an internet address (local@domain.tld, no '/' and
 * no blank), not a Notes name. */
bool notesdir_is_inet(struct str s);

#endif
