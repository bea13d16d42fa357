/*
 * lookalike - typo-squat permutations of reference domains. See
 * lookalike.h for the contract.
 *
 * Two open-addressing hash tables: "dom" holds reference domains and
 * their permutations, "suf" the built-in public suffixes, the reference
 * suffixes and their edits. Keys live in one arena; nothing is freed
 * before lookalike_free(). Lookups copy the domain to the stack (at most
 * LOOKALIKE_MAX_DOMAIN bytes) and allocate nothing.
 */
#include "lookalike.h"
#include "../lib/arena.h"
#include "../lib/hash.h"
#include "../lib/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LABEL	63	/* RFC 1035 */
#define MAX_LABELS	128	/* 253 bytes hold at most 127 labels */
#define MIN_SLOTS	1024u
/* Code points of one decoded label: a punycode label has at most 59
 * bytes after "xn--" and every code point costs at least one. */
#define MAX_CODEPOINTS	64

enum dom_kind { DOM_REF = 1, DOM_PERM };
enum suf_kind { SUF_PUBLIC = 1, SUF_REF, SUF_EDIT };

struct entry {
	uint64_t hash;
	const char *key;	/* arena, NUL-terminated */
	uint32_t len;
	uint32_t ref;		/* index into refs[] */
	uint8_t kind;
	uint8_t cls;
};

struct table {
	struct entry *slots;
	size_t mask;
	size_t used;
};

struct ref {
	const char *name;	/* arena */
	size_t len;
	bool suffix;
};

struct lookalike {
	struct arena arena;
	struct table dom;
	struct table suf;
	struct ref *refs;
	size_t nrefs, refcap;
	size_t ndomains, nsuffixes, nperms, nedits;
};

/* How specific a class is: when one candidate arises several ways, the
 * lowest rank is reported ("gmail.co" is a truncation of ".com" rather
 * than a swap to ".co"; a doubled letter is repetition, not insertion). */
static const unsigned char class_rank[LOOKALIKE_CLASS_COUNT] = {
	[LOOKALIKE_TLD_TRUNCATION] = 0,
	[LOOKALIKE_TRANSPOSITION] = 1,
	[LOOKALIKE_REPETITION] = 2,
	[LOOKALIKE_OMISSION] = 3,
	[LOOKALIKE_VOWEL_SWAP] = 4,
	[LOOKALIKE_HOMOGLYPH] = 5,
	[LOOKALIKE_HYPHENATION] = 6,
	[LOOKALIKE_SUBDOMAIN] = 7,
	[LOOKALIKE_REPLACEMENT] = 8,
	[LOOKALIKE_BITSQUATTING] = 9,
	[LOOKALIKE_INSERTION] = 10,
	[LOOKALIKE_TLD_SWAP] = 11,
};

static const char *const class_names[LOOKALIKE_CLASS_COUNT] = {
	[LOOKALIKE_OMISSION] = "omission",
	[LOOKALIKE_INSERTION] = "insertion",
	[LOOKALIKE_REPETITION] = "repetition",
	[LOOKALIKE_REPLACEMENT] = "replacement",
	[LOOKALIKE_TRANSPOSITION] = "transposition",
	[LOOKALIKE_VOWEL_SWAP] = "vowel-swap",
	[LOOKALIKE_HOMOGLYPH] = "homoglyph",
	[LOOKALIKE_BITSQUATTING] = "bitsquatting",
	[LOOKALIKE_HYPHENATION] = "hyphenation",
	[LOOKALIKE_SUBDOMAIN] = "subdomain",
	[LOOKALIKE_TLD_SWAP] = "tld-swap",
	[LOOKALIKE_TLD_TRUNCATION] = "tld-truncation",
};

/* QWERTY neighbours of each key (letters and the digit row). */
static const char *const keyboard[128] = {
	['1'] = "2q", ['2'] = "3wq1", ['3'] = "4ew2", ['4'] = "5re3",
	['5'] = "6tr4", ['6'] = "7yt5", ['7'] = "8uy6", ['8'] = "9iu7",
	['9'] = "0oi8", ['0'] = "po9",
	['q'] = "12wa", ['w'] = "3esaq2", ['e'] = "4rdsw3", ['r'] = "5tfde4",
	['t'] = "6ygfr5", ['y'] = "7uhgt6", ['u'] = "8ijhy7", ['i'] = "9okju8",
	['o'] = "0plki9", ['p'] = "lo0",
	['a'] = "qwsz", ['s'] = "edxzaw", ['d'] = "rfcxse", ['f'] = "tgvcdr",
	['g'] = "yhbvft", ['h'] = "ujnbgy", ['j'] = "ikmnhu", ['k'] = "olmji",
	['l'] = "kop",
	['z'] = "asx", ['x'] = "zsdc", ['c'] = "xdfv", ['v'] = "cfgb",
	['b'] = "vghn", ['n'] = "bhjm", ['m'] = "njk",
};

/* ASCII glyphs that read alike in common mail-client fonts; each pair is
 * applied both ways, one occurrence at a time. */
static const struct {
	const char *a, *b;
} glyphs[] = {
	{ "m", "rn" }, { "m", "nn" }, { "w", "vv" }, { "d", "cl" },
	{ "o", "0" }, { "l", "1" }, { "i", "1" }, { "l", "i" },
	{ "s", "5" }, { "g", "q" }, { "g", "9" }, { "b", "6" }, { "b", "8" },
	{ "e", "3" }, { "z", "2" }, { "u", "v" }, { "e", "c" },
};

/* TLDs and suffixes a domain's own suffix is swapped to. */
static const char *const swap_targets[] = {
	"com", "net", "org", "co", "io", "info", "biz", "me", "eu", "uk",
	"co.uk", "org.uk", "me.uk", "de", "fr", "nl", "it", "es", "ie", "us",
	"ca", "au", "com.au", "ch", "at", "be",
};

/*
 * Multi-label public suffixes: a small built-in subset of the Public
 * Suffix List, enough for the registrable label of the common cases
 * (and to stop suffix edits at "ac.il" rather than "il").
 */
static const char *const public_suffixes[] = {
	"co.uk", "org.uk", "gov.uk", "ac.uk", "nhs.uk", "ltd.uk", "plc.uk",
	"me.uk", "net.uk", "sch.uk", "police.uk", "mod.uk", "parliament.uk",
	"com.au", "net.au", "org.au", "edu.au", "gov.au", "asn.au", "id.au",
	"co.nz", "org.nz", "govt.nz", "ac.nz", "net.nz", "school.nz",
	"co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "ad.jp", "ed.jp",
	"gr.jp", "lg.jp",
	"gouv.fr", "asso.fr", "com.fr",
	"gc.ca", "on.ca", "qc.ca", "bc.ca", "ab.ca",
	"co.za", "org.za", "gov.za", "ac.za", "net.za",
	"co.in", "net.in", "org.in", "gov.in", "ac.in", "nic.in", "res.in",
	"com.br", "gov.br", "org.br", "net.br", "edu.br",
	"co.il", "ac.il", "org.il", "gov.il", "net.il", "muni.il",
	"co.kr", "go.kr", "or.kr", "ac.kr", "ne.kr",
	"com.cn", "gov.cn", "net.cn", "org.cn", "edu.cn",
	"com.hk", "gov.hk", "org.hk", "edu.hk",
	"com.sg", "gov.sg", "edu.sg", "org.sg",
	"com.my", "gov.my", "edu.my",
	"com.tr", "gov.tr", "org.tr", "edu.tr",
	"com.mx", "gob.mx", "org.mx", "edu.mx",
	"com.ar", "gob.ar", "gov.ar",
	"gob.es", "com.es", "org.es",
	"gov.ie", "gov.it",
	"com.pl", "gov.pl", "org.pl", "net.pl",
	"com.ua", "gov.ua",
	"com.ng", "gov.ng",
	"co.ke", "go.ke",
	"com.eg", "gov.eg",
	"com.pk", "gov.pk",
	"com.ph", "gov.ph",
	"com.tw", "gov.tw",
	"co.id", "go.id", "ac.id",
	"co.th", "go.th", "ac.th",
	"gv.at", "co.at", "or.at", "ac.at",
	"ac.be",
};

/* Large mail providers: their users are everyone's correspondents. */
static const char *const builtin_providers[] = {
	"gmail.com", "googlemail.com", "gmail.co.uk",
	"outlook.com", "outlook.de", "outlook.fr", "hotmail.com",
	"hotmail.co.uk", "hotmail.fr", "hotmail.de", "hotmail.it",
	"live.com", "live.co.uk", "live.fr", "msn.com",
	"yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "ymail.com",
	"rocketmail.com",
	"icloud.com", "me.com", "mac.com",
	"aol.com", "aol.co.uk",
	"protonmail.com", "protonmail.ch", "proton.me", "pm.me",
	"gmx.com", "gmx.de", "gmx.net", "gmx.at", "gmx.ch", "gmx.co.uk",
	"web.de", "t-online.de", "freenet.de",
	"mail.com", "zoho.com", "fastmail.com", "tutanota.com",
	"yandex.com", "yandex.ru", "mail.ru",
	"btinternet.com", "btopenworld.com", "sky.com", "virginmedia.com",
	"talktalk.net", "ntlworld.com", "blueyonder.co.uk", "tiscali.co.uk",
	"orange.fr", "wanadoo.fr", "free.fr", "laposte.net", "sfr.fr",
	"libero.it", "comcast.net", "verizon.net", "att.net",
};

/* Public sector. Suffixes under which every domain is an authority;
 * then single domains whose subdomains are agencies or that people
 * write to directly. */
static const char *const builtin_public_suffixes[] = {
	"mil", "gov", "gov.uk", "nhs.uk", "police.uk", "mod.uk",
	"parliament.uk", "gouv.fr", "gc.ca", "gov.au", "govt.nz", "gov.ie",
	"gv.at", "gov.in", "nic.in", "gob.es", "gov.it", "gov.za", "gov.br",
	"gob.mx",
};

static const char *const builtin_public_domains[] = {
	"nhs.net", "bund.de", "admin.ch", "europa.eu", "gov.scot",
	"gov.wales",
};

/*
 * Skeleton: Unicode letters that look like an ASCII letter, sorted by
 * code point. Cyrillic, Greek and Armenian homoglyphs (after Unicode's
 * confusables.txt) and accented Latin small letters (their base
 * letter). Only lower case: A-labels are lower case after IDNA mapping.
 */
static const struct {
	unsigned cp;
	char ascii;
} confusables[] = {
	{ 0x00e0, 'a' }, { 0x00e1, 'a' }, { 0x00e2, 'a' }, { 0x00e3, 'a' },
	{ 0x00e4, 'a' }, { 0x00e5, 'a' }, { 0x00e7, 'c' }, { 0x00e8, 'e' },
	{ 0x00e9, 'e' }, { 0x00ea, 'e' }, { 0x00eb, 'e' }, { 0x00ec, 'i' },
	{ 0x00ed, 'i' }, { 0x00ee, 'i' }, { 0x00ef, 'i' }, { 0x00f1, 'n' },
	{ 0x00f2, 'o' }, { 0x00f3, 'o' }, { 0x00f4, 'o' }, { 0x00f5, 'o' },
	{ 0x00f6, 'o' }, { 0x00f8, 'o' }, { 0x00f9, 'u' }, { 0x00fa, 'u' },
	{ 0x00fb, 'u' }, { 0x00fc, 'u' }, { 0x00fd, 'y' }, { 0x00ff, 'y' },
	{ 0x0101, 'a' }, { 0x0103, 'a' }, { 0x0105, 'a' }, { 0x0107, 'c' },
	{ 0x0109, 'c' }, { 0x010b, 'c' }, { 0x010d, 'c' }, { 0x010f, 'd' },
	{ 0x0111, 'd' }, { 0x0113, 'e' }, { 0x0115, 'e' }, { 0x0117, 'e' },
	{ 0x0119, 'e' }, { 0x011b, 'e' }, { 0x011d, 'g' }, { 0x011f, 'g' },
	{ 0x0121, 'g' }, { 0x0123, 'g' }, { 0x0125, 'h' }, { 0x0127, 'h' },
	{ 0x0129, 'i' }, { 0x012b, 'i' }, { 0x012d, 'i' }, { 0x012f, 'i' },
	{ 0x0131, 'i' }, { 0x0135, 'j' }, { 0x0137, 'k' }, { 0x013a, 'l' },
	{ 0x013c, 'l' }, { 0x013e, 'l' }, { 0x0142, 'l' }, { 0x0144, 'n' },
	{ 0x0146, 'n' }, { 0x0148, 'n' }, { 0x014d, 'o' }, { 0x014f, 'o' },
	{ 0x0151, 'o' }, { 0x0155, 'r' }, { 0x0157, 'r' }, { 0x0159, 'r' },
	{ 0x015b, 's' }, { 0x015d, 's' }, { 0x015f, 's' }, { 0x0161, 's' },
	{ 0x0163, 't' }, { 0x0165, 't' }, { 0x0169, 'u' }, { 0x016b, 'u' },
	{ 0x016d, 'u' }, { 0x016f, 'u' }, { 0x0171, 'u' }, { 0x0173, 'u' },
	{ 0x0175, 'w' }, { 0x0177, 'y' }, { 0x017a, 'z' }, { 0x017c, 'z' },
	{ 0x017e, 'z' }, { 0x01a1, 'o' }, { 0x01b0, 'u' }, { 0x0251, 'a' },
	{ 0x0261, 'g' }, { 0x0269, 'i' }, { 0x0282, 's' }, { 0x03b1, 'a' },
	{ 0x03b5, 'e' }, { 0x03b9, 'i' }, { 0x03ba, 'k' }, { 0x03bd, 'v' },
	{ 0x03bf, 'o' }, { 0x03c1, 'p' }, { 0x03c4, 't' }, { 0x03c5, 'u' },
	{ 0x03c7, 'x' }, { 0x03c9, 'w' }, { 0x03f2, 'c' }, { 0x03f3, 'j' },
	{ 0x0430, 'a' }, { 0x0432, 'b' }, { 0x0433, 'r' }, { 0x0435, 'e' },
	{ 0x043a, 'k' }, { 0x043c, 'm' }, { 0x043d, 'h' }, { 0x043e, 'o' },
	{ 0x043f, 'n' }, { 0x0440, 'p' }, { 0x0441, 'c' }, { 0x0442, 't' },
	{ 0x0443, 'y' }, { 0x0445, 'x' }, { 0x0450, 'e' }, { 0x0451, 'e' },
	{ 0x0455, 's' }, { 0x0456, 'i' }, { 0x0457, 'i' }, { 0x0458, 'j' },
	{ 0x045c, 'k' }, { 0x045e, 'y' }, { 0x0461, 'w' }, { 0x0475, 'v' },
	{ 0x04bb, 'h' }, { 0x04cf, 'l' }, { 0x04e7, 'o' }, { 0x0501, 'd' },
	{ 0x051b, 'q' }, { 0x051d, 'w' }, { 0x0561, 'w' }, { 0x0563, 'q' },
	{ 0x0566, 'q' }, { 0x0570, 'h' }, { 0x0578, 'n' }, { 0x057d, 'u' },
	{ 0x0581, 'g' }, { 0x0585, 'o' }, { 0x1d0f, 'o' }, { 0x1d1c, 'u' },
	{ 0x1d20, 'v' }, { 0x1d21, 'w' }, { 0x1d22, 'z' }, { 0x1e05, 'b' },
	{ 0x1e0d, 'd' }, { 0x1e25, 'h' }, { 0x1e37, 'l' }, { 0x1e43, 'm' },
	{ 0x1e47, 'n' }, { 0x1e5b, 'r' }, { 0x1e63, 's' }, { 0x1e6d, 't' },
	{ 0x1ea1, 'a' }, { 0x1eb9, 'e' }, { 0x1ecb, 'i' }, { 0x1ecd, 'o' },
	{ 0x1ee5, 'u' }, { 0x1ef3, 'y' },
};

/* --- hostname syntax ------------------------------------------------ */

static bool
is_ldh(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
}

static bool
is_xn(const char *p, size_t n)
{
	return n > 4 && memcmp(p, "xn--", 4) == 0;
}

/*
 * Is p[0, n) a lower-case hostname of at least min_labels labels whose
 * last label could be a TLD (two letters or more, or an A-label)?
 */
static bool
host_is_valid(const char *p, size_t n, size_t min_labels)
{
	size_t i, start = 0, labels = 0;
	bool alpha = true;

	if (n == 0 || n > LOOKALIKE_MAX_DOMAIN)
		return false;
	for (i = 0; i <= n; i++) {
		if (i == n || p[i] == '.') {
			size_t len = i - start;

			if (len == 0 || len > MAX_LABEL || p[start] == '-' ||
			    p[i - 1] == '-')
				return false;
			labels++;
			if (i == n && !(is_xn(p + start, len) ||
			    (alpha && len >= 2)))
				return false;
			start = i + 1;
			alpha = true;
			continue;
		}
		if (!is_ldh((unsigned char)p[i]))
			return false;
		if (p[i] < 'a' || p[i] > 'z')
			alpha = false;
	}
	return labels >= min_labels;
}

/* --- hash tables ---------------------------------------------------- */

static void
table_init(struct table *t)
{
	t->slots = xcalloc(MIN_SLOTS, sizeof(*t->slots));
	t->mask = MIN_SLOTS - 1;
	t->used = 0;
}

static struct entry *
table_find(const struct table *t, const char *key, size_t len, uint64_t h)
{
	size_t i;

	for (i = h & t->mask; t->slots[i].key != NULL; i = (i + 1) & t->mask)
		if (t->slots[i].hash == h && t->slots[i].len == len &&
		    memcmp(t->slots[i].key, key, len) == 0)
			return &t->slots[i];
	return NULL;
}

static void
table_grow(struct table *t)
{
	size_t n = (t->mask + 1) * 2, i, j;
	struct entry *slots = xcalloc(n, sizeof(*slots));

	for (i = 0; i <= t->mask; i++) {
		if (t->slots[i].key == NULL)
			continue;
		for (j = t->slots[i].hash & (n - 1); slots[j].key != NULL;
		    j = (j + 1) & (n - 1))
			;
		slots[j] = t->slots[i];
	}
	free(t->slots);
	t->slots = slots;
	t->mask = n - 1;
}

/* Returns the entry for key, adding an empty one (kind 0) if absent. */
static struct entry *
table_upsert(struct lookalike *la, struct table *t, const char *key,
    size_t len)
{
	uint64_t h = hash_bytes(key, len);
	struct entry *e = table_find(t, key, len, h);
	size_t i;

	if (e != NULL)
		return e;
	/* At most half full: probes stay short even for unlucky keys. */
	if ((t->used + 1) * 2 > t->mask + 1)
		table_grow(t);
	for (i = h & t->mask; t->slots[i].key != NULL; i = (i + 1) & t->mask)
		;
	e = &t->slots[i];
	e->hash = h;
	e->key = arena_strndup(&la->arena, key, len);
	e->len = (uint32_t)len;
	e->kind = 0;
	t->used++;
	return e;
}

static const struct entry *
table_get(const struct table *t, const char *key, size_t len)
{
	return table_find(t, key, len, hash_bytes(key, len));
}

static bool
is_public_suffix(const struct lookalike *la, const char *p, size_t n)
{
	const struct entry *e = table_get(&la->suf, p, n);

	return e != NULL && (e->kind == SUF_PUBLIC || e->kind == SUF_REF);
}

/* The last dot in p[0, n), or NULL. */
static const char *
last_dot(const char *p, size_t n)
{
	while (n > 0)
		if (p[--n] == '.')
			return p + n;
	return NULL;
}

/* --- generation ----------------------------------------------------- */

/*
 * One reference being permuted: prefix (labels left of the registrable
 * label, with their dot), label, suffix. For a reference suffix, label
 * and prefix are empty and only the suffix is edited.
 */
struct gen {
	struct lookalike *la;
	uint32_t ref;
	bool suffix_ref;
	const char *prefix;
	size_t prefix_len;
	const char *label;
	size_t label_len;
	const char *suffix;
	size_t suffix_len;
	/* Suffix being edited label by label: which label, where. */
	size_t slabel_off, slabel_len;
};

typedef void emit_fn(struct gen *, enum lookalike_class, const char *,
    size_t);

static void
store_perm(struct gen *g, enum lookalike_class cls, const char *p, size_t n)
{
	struct entry *e;

	if (!host_is_valid(p, n, 2) || is_public_suffix(g->la, p, n))
		return;
	e = table_upsert(g->la, &g->la->dom, p, n);
	if (e->kind == DOM_REF)
		return;
	if (e->kind == DOM_PERM && class_rank[e->cls] <= class_rank[cls])
		return;
	if (e->kind == 0)
		g->la->nperms++;
	e->kind = DOM_PERM;
	e->cls = (uint8_t)cls;
	e->ref = g->ref;
}

static void
store_edit(struct gen *g, enum lookalike_class cls, const char *p, size_t n)
{
	struct entry *e;

	if (!host_is_valid(p, n, 1))
		return;
	e = table_upsert(g->la, &g->la->suf, p, n);
	if (e->kind == SUF_PUBLIC || e->kind == SUF_REF)
		return;
	if (e->kind == SUF_EDIT && class_rank[e->cls] <= class_rank[cls])
		return;
	if (e->kind == 0)
		g->la->nedits++;
	e->kind = SUF_EDIT;
	e->cls = (uint8_t)cls;
	e->ref = g->ref;
}

/* A new registrable label (which may contain a dot): prefix + it +
 * "." + suffix. One-letter registrable labels are left out: they are
 * almost all reserved, and "m.com" for "me.com" is noise. */
static void
emit_label(struct gen *g, enum lookalike_class cls, const char *p, size_t n)
{
	char d[LOOKALIKE_MAX_DOMAIN + 2];
	size_t len;

	if (n < 2 || g->prefix_len + n + 1 + g->suffix_len >= sizeof(d))
		return;
	memcpy(d, g->prefix, g->prefix_len);
	memcpy(d + g->prefix_len, p, n);
	d[g->prefix_len + n] = '.';
	memcpy(d + g->prefix_len + n + 1, g->suffix, g->suffix_len);
	len = g->prefix_len + n + 1 + g->suffix_len;
	store_perm(g, cls, d, len);
}

/* A new whole suffix. */
static void
emit_suffix(struct gen *g, enum lookalike_class cls, const char *p, size_t n)
{
	char d[LOOKALIKE_MAX_DOMAIN + 2];
	size_t len;

	if (g->suffix_ref) {
		store_edit(g, cls, p, n);
		return;
	}
	if (g->prefix_len + g->label_len + 1 + n >= sizeof(d))
		return;
	memcpy(d, g->prefix, g->prefix_len);
	memcpy(d + g->prefix_len, g->label, g->label_len);
	d[g->prefix_len + g->label_len] = '.';
	memcpy(d + g->prefix_len + g->label_len + 1, p, n);
	len = g->prefix_len + g->label_len + 1 + n;
	store_perm(g, cls, d, len);
}

/* A new version of one label of the suffix: rebuild the suffix. A
 * character left out of the suffix is a truncation (".ml", ".co"). */
static void
emit_suffix_label(struct gen *g, enum lookalike_class cls, const char *p,
    size_t n)
{
	char s[LOOKALIKE_MAX_DOMAIN + 2];
	size_t len;

	if (g->suffix_len - g->slabel_len + n >= sizeof(s))
		return;
	if (cls == LOOKALIKE_OMISSION)
		cls = LOOKALIKE_TLD_TRUNCATION;
	memcpy(s, g->suffix, g->slabel_off);
	memcpy(s + g->slabel_off, p, n);
	len = g->slabel_off + n;
	memcpy(s + len, g->suffix + g->slabel_off + g->slabel_len,
	    g->suffix_len - g->slabel_off - g->slabel_len);
	len += g->suffix_len - g->slabel_off - g->slabel_len;
	emit_suffix(g, cls, s, len);
}

/* Emits s[0, n) with s[at, at + cut) replaced by r[0, rn). */
static void
splice(struct gen *g, emit_fn *emit, enum lookalike_class cls,
    const char *s, size_t n, size_t at, size_t cut, const char *r, size_t rn)
{
	char b[2 * MAX_LABEL + 4];

	if (n - cut + rn > sizeof(b))
		return;
	memcpy(b, s, at);
	memcpy(b + at, r, rn);
	memcpy(b + at + rn, s + at + cut, n - at - cut);
	emit(g, cls, b, n - cut + rn);
}

static bool
is_vowel(char c)
{
	return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u';
}

/* The single-key typos, used on labels and on suffix labels. */
static void
permute_keys(struct gen *g, emit_fn *emit, const char *s, size_t n,
    bool suffix)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		const char *k = c < 128 ? keyboard[c] : NULL;
		char r[2] = { s[i], s[i] };

		/* A hyphen left out or doubled is hyphenation's business. */
		if (c != '-') {
			splice(g, emit, LOOKALIKE_OMISSION, s, n, i, 1, "", 0);
			splice(g, emit, LOOKALIKE_REPETITION, s, n, i, 1, r, 2);
		}
		if (i + 1 < n && s[i] != s[i + 1]) {
			r[0] = s[i + 1], r[1] = s[i];
			splice(g, emit, LOOKALIKE_TRANSPOSITION, s, n, i, 2, r,
			    2);
		}
		for (; k != NULL && *k != '\0'; k++) {
			/* Suffixes are letters: no digit-row typos there. */
			if (suffix && (*k < 'a' || *k > 'z'))
				continue;
			splice(g, emit, LOOKALIKE_REPLACEMENT, s, n, i, 1, k, 1);
			if (suffix)
				continue;
			r[0] = *k, r[1] = s[i];
			splice(g, emit, LOOKALIKE_INSERTION, s, n, i, 1, r, 2);
			r[0] = s[i], r[1] = *k;
			splice(g, emit, LOOKALIKE_INSERTION, s, n, i, 1, r, 2);
		}
		if (is_vowel(s[i])) {
			const char *v;

			for (v = "aeiou"; *v != '\0'; v++)
				if (*v != s[i])
					splice(g, emit, LOOKALIKE_VOWEL_SWAP, s,
					    n, i, 1, v, 1);
		}
	}
}

/* The classes that only make sense on the registrable label. */
static void
permute_label(struct gen *g, const char *s, size_t n)
{
	size_t i, j;

	permute_keys(g, emit_label, s, n, false);
	for (i = 0; i < n; i++) {
		for (j = 0; j < 8; j++) {
			char c = (char)(s[i] ^ (1u << j));

			if (is_ldh((unsigned char)c))
				splice(g, emit_label, LOOKALIKE_BITSQUATTING,
				    s, n, i, 1, &c, 1);
		}
		if (s[i] == '-') {
			splice(g, emit_label, LOOKALIKE_HYPHENATION, s, n, i,
			    1, "", 0);
			splice(g, emit_label, LOOKALIKE_SUBDOMAIN, s, n, i, 1,
			    ".", 1);
		} else if (i > 0 && s[i - 1] != '-') {
			splice(g, emit_label, LOOKALIKE_HYPHENATION, s, n, i,
			    0, "-", 1);
			splice(g, emit_label, LOOKALIKE_SUBDOMAIN, s, n, i, 0,
			    ".", 1);
		}
	}
	for (j = 0; j < sizeof(glyphs) / sizeof(glyphs[0]); j++) {
		size_t an = strlen(glyphs[j].a), bn = strlen(glyphs[j].b);

		for (i = 0; i < n; i++) {
			if (i + an <= n && memcmp(s + i, glyphs[j].a, an) == 0)
				splice(g, emit_label, LOOKALIKE_HOMOGLYPH, s,
				    n, i, an, glyphs[j].b, bn);
			if (i + bn <= n && memcmp(s + i, glyphs[j].b, bn) == 0)
				splice(g, emit_label, LOOKALIKE_HOMOGLYPH, s,
				    n, i, bn, glyphs[j].a, an);
		}
	}
}

/* Edits of the suffix: single-key typos of each label (not of an
 * A-label), the last label dropped, and for domains the swaps. */
static void
permute_suffix(struct gen *g)
{
	size_t start = 0, i;
	const char *last = last_dot(g->suffix, g->suffix_len);

	for (i = 0; i <= g->suffix_len; i++) {
		if (i < g->suffix_len && g->suffix[i] != '.')
			continue;
		g->slabel_off = start;
		g->slabel_len = i - start;
		if (!is_xn(g->suffix + start, i - start))
			permute_keys(g, emit_suffix_label, g->suffix + start,
			    i - start, true);
		start = i + 1;
	}
	if (last != NULL)
		emit_suffix(g, LOOKALIKE_TLD_TRUNCATION, g->suffix,
		    (size_t)(last - g->suffix));
	if (g->suffix_ref)
		return;
	for (i = 0; i < sizeof(swap_targets) / sizeof(swap_targets[0]); i++) {
		size_t n = strlen(swap_targets[i]);

		if (n != g->suffix_len ||
		    memcmp(swap_targets[i], g->suffix, n) != 0)
			emit_suffix(g, LOOKALIKE_TLD_SWAP, swap_targets[i], n);
	}
	/* The dot between the label and a two-label suffix left out:
	 * "northfield-housingorg.uk" is a real registrable domain. */
	if (last != NULL) {
		char b[2 * MAX_LABEL + 2];
		size_t sn = (size_t)(last - g->suffix);
		struct gen h = *g;

		if (g->label_len + sn <= sizeof(b)) {
			memcpy(b, g->label, g->label_len);
			memcpy(b + g->label_len, g->suffix, sn);
			h.suffix = last + 1;
			h.suffix_len = g->suffix_len - sn - 1;
			emit_label(&h, LOOKALIKE_SUBDOMAIN, b,
			    g->label_len + sn);
		}
	}
}

/* Length of the public suffix of p[0, n): the longest listed tail, else
 * the last label. */
static size_t
suffix_len_of(const struct lookalike *la, const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] == '.' && is_public_suffix(la, p + i + 1, n - i - 1))
			return n - i - 1;
	for (i = n; i > 0; i--)
		if (p[i - 1] == '.')
			return n - i;
	return n;
}

static uint32_t
add_ref(struct lookalike *la, const char *p, size_t n, bool suffix)
{
	struct ref *r;

	if (la->nrefs == la->refcap) {
		la->refcap = la->refcap ? 2 * la->refcap : 64;
		la->refs = xreallocarray(la->refs, la->refcap,
		    sizeof(*la->refs));
	}
	r = &la->refs[la->nrefs];
	r->name = arena_strndup(&la->arena, p, n);
	r->len = n;
	r->suffix = suffix;
	return (uint32_t)la->nrefs++;
}

/* Copies p[0, n) lower-cased, without one trailing dot. */
static size_t
fold(char *out, const char *p, size_t n)
{
	size_t i;

	if (n > 0 && p[n - 1] == '.')
		n--;
	if (n > LOOKALIKE_MAX_DOMAIN)
		return 0;
	for (i = 0; i < n; i++)
		out[i] = (p[i] >= 'A' && p[i] <= 'Z') ? p[i] + 32 : p[i];
	return n;
}

/* --- public: building ----------------------------------------------- */

/* See lookalike.h. */
struct lookalike *
lookalike_new(void)
{
	struct lookalike *la = xcalloc(1, sizeof(*la));
	size_t i;

	arena_init(&la->arena);
	table_init(&la->dom);
	table_init(&la->suf);
	for (i = 0; i < sizeof(public_suffixes) / sizeof(public_suffixes[0]);
	    i++) {
		const char *s = public_suffixes[i];

		table_upsert(la, &la->suf, s, strlen(s))->kind = SUF_PUBLIC;
	}
	return la;
}

/* See lookalike.h. */
void
lookalike_free(struct lookalike *la)
{
	if (la == NULL)
		return;
	arena_free(&la->arena);
	free(la->dom.slots);
	free(la->suf.slots);
	free(la->refs);
	free(la);
}

/* See lookalike.h. */
int
lookalike_add_domain(struct lookalike *la, const char *domain, size_t len)
{
	char d[LOOKALIKE_MAX_DOMAIN + 1];
	size_t n = fold(d, domain, len), sn, ln;
	struct entry *e;
	struct gen g;
	const char *dot;

	if (!host_is_valid(d, n, 2) || is_public_suffix(la, d, n))
		return -1;
	e = table_upsert(la, &la->dom, d, n);
	if (e->kind == DOM_REF)
		return 0;
	if (e->kind == DOM_PERM)
		la->nperms--;
	e->kind = DOM_REF;
	e->ref = add_ref(la, d, n, false);
	la->ndomains++;

	sn = suffix_len_of(la, d, n);
	dot = last_dot(d, n - sn - 1);
	ln = dot == NULL ? n - sn - 1 : (size_t)(d + n - sn - 1 - dot - 1);
	memset(&g, 0, sizeof(g));
	g.la = la;
	g.ref = e->ref;
	g.prefix = d;
	g.prefix_len = n - sn - 1 - ln;
	g.label = d + g.prefix_len;
	g.label_len = ln;
	g.suffix = d + n - sn;
	g.suffix_len = sn;
	/* Typos of an A-label are typos of its encoding, not of what the
	 * reader sees: only its suffix is permuted. */
	if (!is_xn(g.label, g.label_len))
		permute_label(&g, g.label, g.label_len);
	permute_suffix(&g);
	/* The dot between a subdomain and the label left out. */
	if (g.prefix_len > 0) {
		char b[2 * MAX_LABEL + 2];
		const char *pdot = last_dot(d, g.prefix_len - 1);
		size_t pl = pdot == NULL ? g.prefix_len - 1 :
		    (size_t)(d + g.prefix_len - 1 - pdot - 1);
		struct gen h = g;

		memcpy(b, d + g.prefix_len - 1 - pl, pl);
		memcpy(b + pl, g.label, g.label_len);
		h.prefix_len = g.prefix_len - 1 - pl;
		emit_label(&h, LOOKALIKE_SUBDOMAIN, b, pl + g.label_len);
	}
	return 0;
}

/* See lookalike.h. */
int
lookalike_add_suffix(struct lookalike *la, const char *suffix, size_t len)
{
	char d[LOOKALIKE_MAX_DOMAIN + 1];
	size_t n = fold(d, suffix, len);
	struct entry *e;
	struct gen g;

	if (!host_is_valid(d, n, 1))
		return -1;
	e = table_upsert(la, &la->suf, d, n);
	if (e->kind == SUF_REF)
		return 0;
	if (e->kind == SUF_EDIT)
		la->nedits--;
	e->kind = SUF_REF;
	e->ref = add_ref(la, d, n, true);
	la->nsuffixes++;
	memset(&g, 0, sizeof(g));
	g.la = la;
	g.ref = e->ref;
	g.suffix_ref = true;
	g.suffix = d;
	g.suffix_len = n;
	permute_suffix(&g);
	return 0;
}

/* See lookalike.h. */
void
lookalike_add_builtin(struct lookalike *la, unsigned what)
{
	size_t i;

	if (what & LOOKALIKE_BUILTIN_PROVIDERS)
		for (i = 0; i < sizeof(builtin_providers) /
		    sizeof(builtin_providers[0]); i++)
			lookalike_add_domain(la, builtin_providers[i],
			    strlen(builtin_providers[i]));
	if (!(what & LOOKALIKE_BUILTIN_PUBLIC))
		return;
	for (i = 0; i < sizeof(builtin_public_suffixes) /
	    sizeof(builtin_public_suffixes[0]); i++)
		lookalike_add_suffix(la, builtin_public_suffixes[i],
		    strlen(builtin_public_suffixes[i]));
	for (i = 0; i < sizeof(builtin_public_domains) /
	    sizeof(builtin_public_domains[0]); i++)
		lookalike_add_domain(la, builtin_public_domains[i],
		    strlen(builtin_public_domains[i]));
}

/* --- punycode and skeleton ------------------------------------------ */

/* RFC 3492 section 6.1. */
static uint32_t
puny_adapt(uint32_t delta, uint32_t numpoints, bool first)
{
	uint32_t k = 0;

	delta = first ? delta / 700 : delta / 2;
	delta += delta / numpoints;
	while (delta > ((36 - 1) * 26) / 2) {
		delta /= 36 - 1;
		k += 36;
	}
	return k + (36 * delta) / (delta + 38);
}

/* See lookalike.h. */
int
lookalike_punycode_decode(const char *in, size_t len, unsigned *out,
    size_t max)
{
	const uint32_t base = 36, tmin = 1, tmax = 26;
	uint32_t n = 128, i = 0, bias = 72;
	size_t b = 0, j, pos, count;

	for (j = 0; j < len; j++)
		if (in[j] == '-')
			b = j;
	if (b > max)
		return -1;
	for (j = 0; j < b; j++) {
		if ((unsigned char)in[j] >= 0x80)
			return -1;
		out[j] = (unsigned char)in[j];
	}
	count = b;
	for (pos = b > 0 ? b + 1 : 0; pos < len;) {
		uint32_t oldi = i, w = 1, k;

		for (k = base;; k += base) {
			unsigned char c;
			uint32_t digit, t;

			if (pos >= len)
				return -1;
			c = (unsigned char)in[pos++];
			if (c >= '0' && c <= '9')
				digit = c - '0' + 26;
			else if (c >= 'a' && c <= 'z')
				digit = c - 'a';
			else if (c >= 'A' && c <= 'Z')
				digit = c - 'A';
			else
				return -1;
			if (digit > (UINT32_MAX - i) / w)
				return -1;
			i += digit * w;
			t = k <= bias ? tmin : k >= bias + tmax ? tmax :
			    k - bias;
			if (digit < t)
				break;
			if (w > UINT32_MAX / (base - t))
				return -1;
			w *= base - t;
		}
		bias = puny_adapt(i - oldi, (uint32_t)count + 1, oldi == 0);
		if (i / (count + 1) > 0x10ffff - n)
			return -1;
		n += i / (uint32_t)(count + 1);
		i %= (uint32_t)(count + 1);
		if (count >= max || n < 0x80)
			return -1;
		memmove(out + i + 1, out + i, (count - i) * sizeof(*out));
		out[i++] = n;
		count++;
	}
	return (int)count;
}

static int
skeleton_char(unsigned cp)
{
	size_t lo = 0, hi = sizeof(confusables) / sizeof(confusables[0]);

	if (cp < 128)
		return is_ldh((unsigned char)cp) ? (int)cp : -1;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (confusables[mid].cp == cp)
			return confusables[mid].ascii;
		if (confusables[mid].cp < cp)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/*
 * Writes the ASCII skeleton of d[0, n) to out (same length or shorter,
 * same number of labels): each A-label whose letters all have a
 * skeleton is replaced by it, other labels are copied. Returns the
 * length, or 0 when no label changed.
 */
static size_t
skeleton(const char *d, size_t n, char *out)
{
	unsigned cps[MAX_CODEPOINTS];
	size_t i, start = 0, o = 0;
	bool changed = false;

	for (i = 0; i <= n; i++) {
		size_t len = i - start, ok_len = 0;
		int ncp, j;

		if (i < n && d[i] != '.')
			continue;
		if (is_xn(d + start, len) && (ncp = lookalike_punycode_decode(
		    d + start + 4, len - 4, cps, MAX_CODEPOINTS)) > 0 &&
		    (size_t)ncp < len) {
			for (j = 0; j < ncp && skeleton_char(cps[j]) >= 0; j++)
				out[o + ok_len++] = (char)skeleton_char(cps[j]);
			if (j == ncp) {
				o += ok_len;
				changed = true;
				goto next;
			}
		}
		memcpy(out + o, d + start, len);
		o += len;
next:
		if (i < n)
			out[o++] = '.';
		start = i + 1;
	}
	return changed ? o : 0;
}

/* --- public: lookup ------------------------------------------------- */

/* Label start offsets of d[0, n); returns the count or 0 if too many. */
static size_t
split_labels(const char *d, size_t n, size_t *at)
{
	size_t i, k = 0;

	at[k++] = 0;
	for (i = 0; i < n; i++) {
		if (d[i] != '.')
			continue;
		if (k == MAX_LABELS)
			return 0;
		at[k++] = i + 1;
	}
	return k;
}

static void
fill(const struct lookalike *la, const struct entry *e,
    struct lookalike_match *m, enum lookalike_class cls, bool idn,
    size_t off, size_t keep)
{
	const struct ref *r = &la->refs[e->ref];

	m->cls = cls;
	m->reference = r->name;
	m->reference_len = r->len;
	m->reference_is_suffix = r->suffix;
	m->idn = idn;
	m->lookalike_off = off;
	m->keep = keep;
}

/* See lookalike.h. */
enum lookalike_verdict
lookalike_find(const struct lookalike *la, const char *domain, size_t len,
    struct lookalike_match *m)
{
	char d[LOOKALIKE_MAX_DOMAIN + 1], sk[LOOKALIKE_MAX_DOMAIN + 1];
	size_t at[MAX_LABELS], sat[MAX_LABELS], n, sn, nl, k;
	const struct entry *perm = NULL, *e;
	size_t perm_k = 0;
	bool perm_idn = false;
	struct lookalike_match dummy;

	if (m == NULL)
		m = &dummy;
	n = fold(d, domain, len);
	if (!host_is_valid(d, n, 1))
		return LOOKALIKE_UNRELATED;
	nl = split_labels(d, n, at);
	if (nl == 0)
		return LOOKALIKE_UNRELATED;
	sn = skeleton(d, n, sk);
	if (sn > 0 && split_labels(sk, sn, sat) != nl)
		sn = 0;

	/* Domain level, longest tail first, down to the public suffix. A
	 * reference anywhere in the chain owns the domain; otherwise the
	 * longest permutation is the look-alike. */
	for (k = 0; k + 1 < nl; k++) {
		const char *t = d + at[k];
		size_t tn = n - at[k];

		if (is_public_suffix(la, t, tn))
			break;
		e = table_get(&la->dom, t, tn);
		if (e != NULL && e->kind == DOM_REF)
			return LOOKALIKE_REFERENCE;
		if (e != NULL && perm == NULL)
			perm = e, perm_k = k, perm_idn = false;
		if (sn == 0 || (sn - sat[k] == tn &&
		    memcmp(sk + sat[k], t, tn) == 0))
			continue;
		e = table_get(&la->dom, sk + sat[k], sn - sat[k]);
		if (e != NULL && perm == NULL)
			perm = e, perm_k = k, perm_idn = true;
	}
	if (perm != NULL) {
		fill(la, perm, m, perm->kind == DOM_REF ? LOOKALIKE_HOMOGLYPH :
		    (enum lookalike_class)perm->cls, perm_idn, at[perm_k],
		    at[perm_k]);
		return LOOKALIKE_FOUND;
	}

	/* Suffix level: a tail that is a reference suffix or an edit of
	 * one, before any listed public suffix. */
	for (k = 0; k < nl; k++) {
		const char *t = d + at[k];
		size_t tn = n - at[k];

		e = table_get(&la->suf, t, tn);
		if (e != NULL && e->kind == SUF_REF)
			return LOOKALIKE_REFERENCE;
		if (k > 0 && e != NULL && e->kind == SUF_EDIT) {
			fill(la, e, m, (enum lookalike_class)e->cls, false,
			    at[k - 1], at[k]);
			return LOOKALIKE_FOUND;
		}
		if (k > 0 && sn > 0 && !(sn - sat[k] == tn &&
		    memcmp(sk + sat[k], t, tn) == 0)) {
			const struct entry *se = table_get(&la->suf,
			    sk + sat[k], sn - sat[k]);

			if (se != NULL && se->kind != SUF_PUBLIC) {
				fill(la, se, m, se->kind == SUF_REF ?
				    LOOKALIKE_HOMOGLYPH :
				    (enum lookalike_class)se->cls, true,
				    at[k - 1], at[k]);
				return LOOKALIKE_FOUND;
			}
		}
		if (e != NULL && e->kind == SUF_PUBLIC)
			break;
	}
	return LOOKALIKE_UNRELATED;
}

/* See lookalike.h. */
void
lookalike_repair(const struct lookalike_match *m, const char *observed,
    size_t len, struct buf *out)
{
	size_t i, keep = m->keep < len ? m->keep : len;

	for (i = 0; i < keep; i++)
		buf_addc(out, (observed[i] >= 'A' && observed[i] <= 'Z') ?
		    observed[i] + 32 : observed[i]);
	buf_add(out, m->reference, m->reference_len);
}

/* See lookalike.h. */
const char *
lookalike_class_name(enum lookalike_class cls)
{
	if ((unsigned)cls >= LOOKALIKE_CLASS_COUNT)
		return "unknown";
	return class_names[cls];
}

/* See lookalike.h. */
void
lookalike_get_stats(const struct lookalike *la, struct lookalike_stats *st)
{
	st->domains = la->ndomains;
	st->suffixes = la->nsuffixes;
	st->permutations = la->nperms;
	st->suffix_edits = la->nedits;
	st->bytes = la->arena.total +
	    (la->dom.mask + 1 + la->suf.mask + 1) * sizeof(struct entry) +
	    la->refcap * sizeof(struct ref);
}

/* See lookalike.h. */
bool
lookalike_is_reference_domain(const struct lookalike *la, const char *domain,
    size_t len)
{
	char d[LOOKALIKE_MAX_DOMAIN + 1];
	size_t at[MAX_LABELS], n, nl, k;
	const struct entry *e;

	n = fold(d, domain, len);
	if (!host_is_valid(d, n, 1))
		return false;
	nl = split_labels(d, n, at);
	for (k = 0; k + 1 < nl; k++) {
		const char *t = d + at[k];
		size_t tn = n - at[k];

		if (is_public_suffix(la, t, tn))
			break;
		e = table_get(&la->dom, t, tn);
		if (e != NULL && e->kind == DOM_REF)
			return true;
	}
	return false;
}
