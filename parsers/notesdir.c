/*
 * notesdir - Domino Directory CSV export. See notesdir.h.
 *
 * Records are split by a small RFC 4180 state machine over the whole
 * file; names are normalized (abbreviated, lower case) once into keys
 * of one hash table that maps to persons and groups.
 */
#include "notesdir.h"
#include "../lib/buf.h"
#include "../lib/hash.h"
#include "../lib/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct notesdir_key {
	const char *key;	/* normalized, NULL: empty slot */
	size_t len;
	uint8_t kind;		/* enum notesdir_kind */
	uint32_t idx;
};

struct notesdir_person {
	struct str name;
	struct str inet;
};

struct notesdir_group {
	struct str name;
	struct str *raw;		/* member names as written */
	size_t nraw;
	struct notesdir_member *flat;	/* after notesdir_flatten */
	size_t nflat;
	bool flattening;
};

enum col { COL_FULLNAME, COL_SHORTNAME, COL_INET, COL_LISTNAME,
	COL_MEMBERS, COL_COUNT };

static const char *const col_names[COL_COUNT] = {
	"FullName", "ShortName", "InternetAddress", "ListName", "Members",
};

/* Abbreviated, lower-case form of a name into out (cap bytes): "CN=John
 * Doe/OU=Sales/O=Acme" and "John Doe/Sales/Acme" both give "john
 * doe/sales/acme"; "<...>" and a Notes domain after '@' are dropped. */
static size_t
normalize(struct str s, char *out, size_t cap)
{
	size_t i, o = 0, at;
	bool comp_start = true;

	s = str_trim(s);
	if (s.len >= 2 && s.p[0] == '<' && s.p[s.len - 1] == '>')
		s = str_make(s.p + 1, s.len - 2);
	/* "Name/Org@NotesDomain": the part before the first '@' is the
	 * name when it holds a '/' or a blank. */
	for (at = 0; at < s.len && s.p[at] != '@'; at++)
		;
	if (at < s.len && (memchr(s.p, '/', at) != NULL ||
	    memchr(s.p, ' ', at) != NULL))
		s.len = at;
	for (i = 0; i < s.len && o < cap; i++) {
		char c = s.p[i];

		if (comp_start) {
			/* Drop a "CN=", "OU=", "O=", "C=" label. */
			size_t j = i;

			while (j < s.len && j - i < 3 && ((s.p[j] >= 'A' &&
			    s.p[j] <= 'Z') || (s.p[j] >= 'a' && s.p[j] <= 'z')))
				j++;
			if (j > i && j < s.len && s.p[j] == '=') {
				i = j;
				comp_start = false;
				continue;
			}
			comp_start = false;
		}
		if (c == '/')
			comp_start = true;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c + 32);
		out[o++] = c;
	}
	return o;
}

static uint64_t
key_hash(const char *p, size_t n)
{
	return hash_bytes(p, n);
}

static struct notesdir_key *
key_slot(const struct notesdir *d, const char *p, size_t n)
{
	size_t j = key_hash(p, n) & d->mask;

	while (d->keys[j].key != NULL && (d->keys[j].len != n ||
	    memcmp(d->keys[j].key, p, n) != 0))
		j = (j + 1) & d->mask;
	return &d->keys[j];
}

static void
keys_grow(struct notesdir *d)
{
	struct notesdir_key *old = d->keys;
	size_t oldn = d->mask + 1, i;

	d->mask = oldn * 2 - 1;
	d->keys = xcalloc(d->mask + 1, sizeof(*d->keys));
	for (i = 0; i < oldn; i++)
		if (old[i].key != NULL)
			*key_slot(d, old[i].key, old[i].len) = old[i];
	free(old);
}

static void
key_add(struct notesdir *d, struct str name, enum notesdir_kind kind,
    uint32_t idx)
{
	char tmp[512];
	size_t n = normalize(name, tmp, sizeof(tmp));
	struct notesdir_key *k;

	if (n == 0)
		return;
	if ((d->nkeys + 1) * 2 > d->mask)
		keys_grow(d);
	k = key_slot(d, tmp, n);
	if (k->key != NULL) {
		if (k->kind != kind || k->idx != idx)
			k->kind = NOTESDIR_AMBIGUOUS;
		return;
	}
	k->key = arena_strndup(&d->arena, tmp, n);
	k->len = n;
	k->kind = (uint8_t)kind;
	k->idx = idx;
	d->nkeys++;
}

/* Next ';'-separated value of *cell, trimmed; false at the end. */
static bool
next_value(struct str *cell, struct str *v)
{
	size_t i;

	while (cell->len > 0) {
		for (i = 0; i < cell->len && cell->p[i] != ';' &&
		    cell->p[i] != '\n'; i++)
			;
		*v = str_trim(str_make(cell->p, i));
		*cell = str_skip(*cell, i + 1);
		if (v->len > 0)
			return true;
	}
	return false;
}

static struct str
arena_str(struct arena *a, struct str s)
{
	return str_make(arena_strndup(a, s.p, s.len), s.len);
}

/* Common name of a hierarchical name: "CN=John Doe/OU=..." -> "John
 * Doe"; a name without '/' is its own common name. */
static struct str
common_name(struct str s)
{
	const char *slash = memchr(s.p, '/', s.len);

	if (slash != NULL)
		s.len = (size_t)(slash - s.p);
	if (s.len > 3 && strncasecmp(s.p, "CN=", 3) == 0)
		s = str_skip(s, 3);
	return s;
}

static void
add_record(struct notesdir *d, struct str *cells)
{
	struct str v, c;

	if (cells[COL_FULLNAME].len > 0) {
		struct notesdir_person *p;
		uint32_t idx = (uint32_t)d->npersons;
		bool first = true;

		if (d->npersons == d->cappersons) {
			d->cappersons = d->cappersons ? d->cappersons * 2 : 64;
			d->persons = xreallocarray(d->persons, d->cappersons,
			    sizeof(*d->persons));
		}
		p = &d->persons[d->npersons++];
		memset(p, 0, sizeof(*p));
		c = cells[COL_INET];
		if (next_value(&c, &v))
			p->inet = arena_str(&d->arena, v);
		else
			p->inet = STR_EMPTY;
		c = cells[COL_FULLNAME];
		while (next_value(&c, &v)) {
			if (first) {
				p->name = arena_str(&d->arena, v);
				key_add(d, common_name(v), NOTESDIR_PERSON, idx);
				first = false;
			}
			key_add(d, v, NOTESDIR_PERSON, idx);
		}
		c = cells[COL_SHORTNAME];
		while (next_value(&c, &v))
			key_add(d, v, NOTESDIR_PERSON, idx);
		if (p->inet.len > 0)
			key_add(d, p->inet, NOTESDIR_PERSON, idx);
		return;
	}
	if (cells[COL_LISTNAME].len > 0) {
		struct notesdir_group *g;
		uint32_t idx = (uint32_t)d->ngroups;
		size_t n = 0;

		if (d->ngroups == d->capgroups) {
			d->capgroups = d->capgroups ? d->capgroups * 2 : 16;
			d->groups = xreallocarray(d->groups, d->capgroups,
			    sizeof(*d->groups));
		}
		g = &d->groups[d->ngroups++];
		memset(g, 0, sizeof(*g));
		c = cells[COL_LISTNAME];
		while (next_value(&c, &v)) {
			if (g->name.p == NULL)
				g->name = arena_str(&d->arena, v);
			key_add(d, v, NOTESDIR_GROUP, idx);
		}
		c = cells[COL_MEMBERS];
		while (next_value(&c, &v))
			n++;
		g->raw = arena_alloc(&d->arena, (n ? n : 1) * sizeof(*g->raw));
		c = cells[COL_MEMBERS];
		while (next_value(&c, &v))
			g->raw[g->nraw++] = arena_str(&d->arena, v);
		return;
	}
	d->skipped++;
}

static enum notesdir_kind
find_key(const struct notesdir *d, struct str name, uint32_t *idx)
{
	char tmp[512];
	size_t n = normalize(name, tmp, sizeof(tmp));
	struct notesdir_key *k;

	if (n == 0 || d->keys == NULL)
		return NOTESDIR_NONE;
	k = key_slot(d, tmp, n);
	if (k->key == NULL)
		return NOTESDIR_NONE;
	*idx = k->idx;
	return (enum notesdir_kind)k->kind;
}

static void
member_add(struct buf *acc, struct str addr, bool resolved)
{
	struct notesdir_member m = { addr, resolved };
	size_t i, n = acc->len / sizeof(m);
	const struct notesdir_member *v = (const void *)acc->p;

	for (i = 0; i < n; i++)
		if (v[i].addr.len == addr.len && strncasecmp(v[i].addr.p,
		    addr.p, addr.len) == 0)
			return;
	buf_add(acc, &m, sizeof(m));
}

static void
flatten_into(struct notesdir *d, struct notesdir_group *g, struct buf *acc,
    int depth)
{
	size_t i;
	uint32_t idx;

	if (depth > NOTESDIR_MAX_DEPTH || g->flattening)
		return;
	g->flattening = true;
	for (i = 0; i < g->nraw; i++) {
		struct str m = g->raw[i];

		switch (find_key(d, m, &idx)) {
		case NOTESDIR_PERSON:
			if (d->persons[idx].inet.len > 0)
				member_add(acc, d->persons[idx].inet, true);
			else
				member_add(acc, m, false);
			break;
		case NOTESDIR_GROUP:
			flatten_into(d, &d->groups[idx], acc, depth + 1);
			break;
		default:
			member_add(acc, m, notesdir_is_inet(m));
			break;
		}
	}
	g->flattening = false;
}

static void
flatten_all(struct notesdir *d)
{
	struct buf acc = { 0 };
	size_t i;

	for (i = 0; i < d->ngroups; i++) {
		struct notesdir_group *g = &d->groups[i];

		buf_reset(&acc);
		flatten_into(d, g, &acc, 0);
		g->nflat = acc.len / sizeof(struct notesdir_member);
		g->flat = arena_alloc(&d->arena, acc.len ? acc.len : 1);
		if (acc.len)
			memcpy(g->flat, acc.p, acc.len);
	}
	buf_free(&acc);
}

/* See notesdir.h. */
int
notesdir_load_mem(struct notesdir *d, const char *p, size_t len, char *err,
    size_t errsz)
{
	struct buf field = { 0 }, rec = { 0 };
	size_t *offs = NULL, nf = 0, capf = 0, i;
	int colmap[64];
	struct str cells[COL_COUNT];
	bool header = true, quoted = false, have_name = false;
	size_t pos = 0;
	int ret = 0;

	memset(d, 0, sizeof(*d));
	arena_init(&d->arena);
	d->mask = 255;
	d->keys = xcalloc(d->mask + 1, sizeof(*d->keys));
	for (i = 0; i < 64; i++)
		colmap[i] = -1;
	/* rec holds the record's fields NUL-separated; offs their starts. */
	while (pos <= len) {
		bool end_field = false, end_rec = false;

		if (pos == len) {
			end_field = end_rec = true;
		} else {
			char c = p[pos];

			if (quoted) {
				if (c == '"' && pos + 1 < len && p[pos + 1] == '"') {
					buf_addc(&field, '"');
					pos++;
				} else if (c == '"') {
					quoted = false;
				} else {
					buf_addc(&field, c);
				}
			} else if (c == '"') {
				quoted = true;
			} else if (c == ',') {
				end_field = true;
			} else if (c == '\n') {
				end_field = end_rec = true;
			} else if (c != '\r') {
				buf_addc(&field, c);
			}
		}
		pos++;
		if (!end_field)
			continue;
		if (nf == capf) {
			capf = capf ? capf * 2 : 16;
			offs = xreallocarray(offs, capf, sizeof(*offs));
		}
		offs[nf++] = rec.len;
		buf_add(&rec, field.p ? field.p : "", field.len);
		buf_addc(&rec, '\0');
		buf_reset(&field);
		if (!end_rec)
			continue;
		if (header) {
			for (i = 0; i < nf && i < 64; i++) {
				struct str h = str_trim(str_make(rec.p + offs[i],
				    strlen(rec.p + offs[i])));
				int c;

				/* A UTF-8 byte order mark before the first. */
				if (i == 0 && h.len >= 3 &&
				    memcmp(h.p, "\xef\xbb\xbf", 3) == 0)
					h = str_skip(h, 3);
				for (c = 0; c < COL_COUNT; c++)
					if (h.len == strlen(col_names[c]) &&
					    strncasecmp(h.p, col_names[c],
					    h.len) == 0) {
						colmap[i] = c;
						if (c == COL_FULLNAME ||
						    c == COL_LISTNAME)
							have_name = true;
					}
			}
			header = false;
			if (!have_name) {
				snprintf(err, errsz, "no FullName or ListName "
				    "column in the first line");
				ret = -1;
				break;
			}
		} else if (!(nf == 1 && rec.p[offs[0]] == '\0')) {
			for (i = 0; i < COL_COUNT; i++)
				cells[i] = STR_EMPTY;
			for (i = 0; i < nf && i < 64; i++)
				if (colmap[i] >= 0)
					cells[colmap[i]] = str_make(rec.p +
					    offs[i], strlen(rec.p + offs[i]));
			add_record(d, cells);
		}
		nf = 0;
		buf_reset(&rec);
	}
	if (ret == 0 && header) {
		snprintf(err, errsz, "empty file");
		ret = -1;
	}
	if (ret == 0)
		flatten_all(d);
	free(offs);
	buf_free(&field);
	buf_free(&rec);
	return ret;
}

/* See notesdir.h. */
int
notesdir_load(struct notesdir *d, const char *path, char *err, size_t errsz)
{
	FILE *f = fopen(path, "rb");
	struct buf b = { 0 };
	char blk[65536];
	size_t n;
	int ret;

	if (f == NULL) {
		memset(d, 0, sizeof(*d));
		snprintf(err, errsz, "%s", strerror(errno));
		return -1;
	}
	while ((n = fread(blk, 1, sizeof(blk), f)) > 0)
		buf_add(&b, blk, n);
	if (ferror(f)) {
		snprintf(err, errsz, "read error");
		fclose(f);
		buf_free(&b);
		memset(d, 0, sizeof(*d));
		return -1;
	}
	fclose(f);
	ret = notesdir_load_mem(d, b.p ? b.p : "", b.len, err, errsz);
	buf_free(&b);
	return ret;
}

/* See notesdir.h. */
void
notesdir_free(struct notesdir *d)
{
	free(d->keys);
	free(d->persons);
	free(d->groups);
	arena_free(&d->arena);
	memset(d, 0, sizeof(*d));
}

/* See notesdir.h. */
enum notesdir_kind
notesdir_find(const struct notesdir *d, struct str name, struct str *addr,
    const struct notesdir_member **members, size_t *n)
{
	uint32_t idx = 0;
	enum notesdir_kind k = find_key(d, name, &idx);

	if (k == NOTESDIR_PERSON) {
		*addr = d->persons[idx].inet;
	} else if (k == NOTESDIR_GROUP) {
		*members = d->groups[idx].flat;
		*n = d->groups[idx].nflat;
	}
	return k;
}

/* See notesdir.h. */
bool
notesdir_is_inet(struct str s)
{
	size_t i, at = s.len;

	s = str_trim(s);
	if (s.len >= 2 && s.p[0] == '<' && s.p[s.len - 1] == '>')
		s = str_make(s.p + 1, s.len - 2);
	for (i = 0; i < s.len; i++) {
		if (s.p[i] == '/' || s.p[i] == ' ')
			return false;
		if (s.p[i] == '@')
			at = i;
	}
	return at > 0 && at < s.len && memchr(s.p + at + 1, '.',
	    s.len - at - 1) != NULL && memchr(s.p + at + 1, '@',
	    s.len - at - 1) == NULL;
}
