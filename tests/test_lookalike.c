/*
 * test_lookalike - look-alike domains: one case per permutation class,
 * multi-label suffixes, punycode, reference suffixes and the decoys the
 * realmta corpora plant (outlook.de, mail.mil, navy.mod.uk, ...).
 */
#include "cu.h"
#include "../audit/lookalike.h"
#include "../lib/buf.h"

#include <stdlib.h>

/* References a site like the corpora's would derive from its traffic. */
static const char *const site_refs[] = {
	"army.mil", "northfield-housing.org.uk", "kestrelvale.gov.uk",
	"microsoft.com", "apple.com", "mail.example.org", "example.org",
};

static struct lookalike *
new_set(unsigned builtin)
{
	struct lookalike *la = lookalike_new();
	size_t i;

	lookalike_add_builtin(la, builtin);
	for (i = 0; i < sizeof(site_refs) / sizeof(site_refs[0]); i++)
		CHECKF(lookalike_add_domain(la, site_refs[i],
		    strlen(site_refs[i])) == 0, "add %s", site_refs[i]);
	return la;
}

static const char *
verdict_name(enum lookalike_verdict v)
{
	return v == LOOKALIKE_FOUND ? "found" : v == LOOKALIKE_REFERENCE ?
	    "reference" : "unrelated";
}

struct found_case {
	const char *observed;
	const char *cls;	/* class name */
	const char *reference;
	const char *repaired;	/* lookalike_repair() */
	unsigned flags;		/* F_SUFFIX, F_IDN */
};

#define F_SUFFIX	1u	/* reference_is_suffix */
#define F_IDN		2u	/* idn */

static void
check_found(struct lookalike *la, const struct found_case *c, size_t n)
{
	struct buf b = { 0 };
	size_t i;

	for (i = 0; i < n; i++) {
		struct lookalike_match m;
		enum lookalike_verdict v = lookalike_find(la, c[i].observed,
		    strlen(c[i].observed), &m);

		CHECKF(v == LOOKALIKE_FOUND, "%s: got %s, want found",
		    c[i].observed, verdict_name(v));
		if (v != LOOKALIKE_FOUND)
			continue;
		CHECKF(strcmp(lookalike_class_name(m.cls), c[i].cls) == 0,
		    "%s: got class %s, want %s", c[i].observed,
		    lookalike_class_name(m.cls), c[i].cls);
		CHECKF(strcmp(m.reference, c[i].reference) == 0 &&
		    m.reference_len == strlen(c[i].reference),
		    "%s: got reference %s, want %s", c[i].observed,
		    m.reference, c[i].reference);
		CHECKF(m.reference_is_suffix == !!(c[i].flags & F_SUFFIX) &&
		    m.idn == !!(c[i].flags & F_IDN), "%s: got suffix_ref %d "
		    "idn %d, want flags %u", c[i].observed,
		    m.reference_is_suffix, m.idn, c[i].flags);
		buf_reset(&b);
		lookalike_repair(&m, c[i].observed, strlen(c[i].observed),
		    &b);
		CHECKF(strcmp(b.p, c[i].repaired) == 0, "%s: repaired to %s, "
		    "want %s", c[i].observed, b.p, c[i].repaired);
	}
	buf_free(&b);
}

/* One case per class, against the built-in list plus the site's own. */
static void
test_classes(void)
{
	static const struct found_case cases[] = {
		{ "army.ml", "tld-truncation", "army.mil", "army.mil", 0 },
		{ "gmail.co", "tld-truncation", "gmail.com", "gmail.com", 0 },
		{ "gmail.cm", "tld-truncation", "gmail.com", "gmail.com", 0 },
		{ "gmail.om", "tld-truncation", "gmail.com", "gmail.com", 0 },
		{ "yahoo.co", "tld-truncation", "yahoo.com", "yahoo.com", 0 },
		{ "northfield-housing.org", "tld-truncation",
		    "northfield-housing.org.uk", "northfield-housing.org.uk",
		    0 },
		{ "gmial.com", "transposition", "gmail.com", "gmail.com", 0 },
		{ "hotmial.co.uk", "transposition", "hotmail.co.uk",
		    "hotmail.co.uk", 0 },
		{ "gmail.cmo", "transposition", "gmail.com", "gmail.com", 0 },
		{ "gmai.com", "omission", "gmail.com", "gmail.com", 0 },
		{ "outlok.com", "omission", "outlook.com", "outlook.com", 0 },
		{ "northfield-housng.org.uk", "omission",
		    "northfield-housing.org.uk", "northfield-housing.org.uk",
		    0 },
		{ "kestrelvle.gov.uk", "omission", "kestrelvale.gov.uk",
		    "kestrelvale.gov.uk", 0 },
		{ "kestrlvale.gov.uk", "omission", "kestrelvale.gov.uk",
		    "kestrelvale.gov.uk", 0 },
		{ "gmaill.com", "repetition", "gmail.com", "gmail.com", 0 },
		{ "gmail.comm", "repetition", "gmail.com", "gmail.com", 0 },
		{ "gnail.com", "replacement", "gmail.com", "gmail.com", 0 },
		{ "gmail.con", "replacement", "gmail.com", "gmail.com", 0 },
		{ "gmsail.com", "insertion", "gmail.com", "gmail.com", 0 },
		{ "gmeil.com", "vowel-swap", "gmail.com", "gmail.com", 0 },
		{ "rnicrosoft.com", "homoglyph", "microsoft.com",
		    "microsoft.com", 0 },
		{ "micr0soft.com", "homoglyph", "microsoft.com",
		    "microsoft.com", 0 },
		{ "gmai1.com", "homoglyph", "gmail.com", "gmail.com", 0 },
		{ "gmaml.com", "bitsquatting", "gmail.com", "gmail.com", 0 },
		{ "northfieldhousing.org.uk", "hyphenation",
		    "northfield-housing.org.uk", "northfield-housing.org.uk",
		    0 },
		{ "g-mail.com", "hyphenation", "gmail.com", "gmail.com", 0 },
		{ "northfield.housing.org.uk", "subdomain",
		    "northfield-housing.org.uk", "northfield-housing.org.uk",
		    0 },
		{ "northfield-housingorg.uk", "subdomain",
		    "northfield-housing.org.uk", "northfield-housing.org.uk",
		    0 },
		{ "gma.il.com", "subdomain", "gmail.com", "gmail.com", 0 },
		{ "mailexample.org", "subdomain", "mail.example.org",
		    "mail.example.org", 0 },
		{ "northfield-housing.co.uk", "tld-swap",
		    "northfield-housing.org.uk", "northfield-housing.org.uk",
		    0 },
		{ "gmail.net", "tld-swap", "gmail.com", "gmail.com", 0 },
		{ "army.com", "tld-swap", "army.mil", "army.mil", 0 },
		/* Upper case and a trailing dot are folded. */
		{ "GMial.COM.", "transposition", "gmail.com", "gmail.com", 0 },
		/* A subdomain of a look-alike: the prefix is kept. When two
		 * tails are look-alikes (of mail.example.org and of
		 * example.org), the longer one wins. */
		{ "smtp.gmial.com", "transposition", "gmail.com",
		    "smtp.gmail.com", 0 },
		{ "mail.exmaple.org", "transposition", "mail.example.org",
		    "mail.example.org", 0 },
	};
	struct lookalike *la = new_set(LOOKALIKE_BUILTIN_ALL);
	struct lookalike_match m;

	check_found(la, cases, sizeof(cases) / sizeof(cases[0]));
	/* Where the look-alike part starts. */
	CHECKF(lookalike_find(la, "smtp.gmial.com", 14, &m) ==
	    LOOKALIKE_FOUND && m.lookalike_off == 5 && m.keep == 5,
	    "smtp.gmial.com: got off %zu keep %zu, want 5 5",
	    m.lookalike_off, m.keep);
	lookalike_free(la);
}

/* Reference suffixes: mail to any X.ml for X.mil, with no X.mil known. */
static void
test_suffix_refs(void)
{
	static const struct found_case cases[] = {
		{ "navy.ml", "tld-truncation", "mil", "navy.mil", F_SUFFIX },
		{ "army.ml", "tld-truncation", "mil", "army.mil", F_SUFFIX },
		{ "hq.army.ml", "tld-truncation", "mil", "hq.army.mil",
		    F_SUFFIX },
		{ "army.mli", "transposition", "mil", "army.mil", F_SUFFIX },
		{ "kestrelvale.gv.uk", "tld-truncation", "gov.uk",
		    "kestrelvale.gov.uk", F_SUFFIX },
		{ "kestrelvale.giv.uk", "vowel-swap", "gov.uk",
		    "kestrelvale.gov.uk", F_SUFFIX },
		{ "trust.nsh.uk", "transposition", "nhs.uk", "trust.nhs.uk",
		    F_SUFFIX },
		{ "interieur.guv.fr", "tld-truncation", "gouv.fr",
		    "interieur.gouv.fr", F_SUFFIX },
		{ "interieur.gauv.fr", "vowel-swap", "gouv.fr",
		    "interieur.gouv.fr", F_SUFFIX },
	};
	static const struct {
		const char *observed;
		enum lookalike_verdict want;
	} refs[] = {
		{ "mail.mil", LOOKALIKE_REFERENCE },
		{ "army.mil", LOOKALIKE_REFERENCE },
		{ "navy.mod.uk", LOOKALIKE_REFERENCE },
		{ "kestrelvale.gov.uk", LOOKALIKE_REFERENCE },
		{ "gov.uk", LOOKALIKE_REFERENCE },
		{ "mil", LOOKALIKE_REFERENCE },
		/* A listed public suffix stops the edits: not "ac.mil". */
		{ "technion.ac.il", LOOKALIKE_UNRELATED },
		{ "ml", LOOKALIKE_UNRELATED },
	};
	struct lookalike *la = lookalike_new();
	size_t i;

	lookalike_add_builtin(la, LOOKALIKE_BUILTIN_PUBLIC);
	check_found(la, cases, sizeof(cases) / sizeof(cases[0]));
	for (i = 0; i < sizeof(refs) / sizeof(refs[0]); i++) {
		enum lookalike_verdict v = lookalike_find(la,
		    refs[i].observed, strlen(refs[i].observed), NULL);

		CHECKF(v == refs[i].want, "%s: got %s, want %s",
		    refs[i].observed, verdict_name(v),
		    verdict_name(refs[i].want));
	}
	lookalike_free(la);
}

/* Punycode (RFC 3492) and Unicode skeletons. The A-labels below were
 * made with Python's "punycode" codec, not by this module. */
static void
test_punycode(void)
{
	static const struct {
		const char *in;
		unsigned want[16];
		int n;
	} cases[] = {
		{ "pple-43d", { 0x430, 'p', 'p', 'l', 'e' }, 5 },
		{ "bcher-kva", { 'b', 0xfc, 'c', 'h', 'e', 'r' }, 6 },
		{ "80ak6aa92e", { 0x430, 0x440, 0x440, 0x4cf, 0x435 }, 5 },
		{ "ml-hoc", { 'm', 0x456, 'l' }, 3 },
		{ "h1aeekakijr", { 0x43c, 0x438, 0x43a, 0x440, 0x43e, 0x441,
		    0x43e, 0x444, 0x442 }, 9 },
		/* RFC 3492 section 7.1, samples (B), (L), and (D) whose 22
		 * code points do not fit in 16. */
		{ "ihqwcrb4cv8a8dqg056pqjye", { 0x4ed6, 0x4eec, 0x4e3a,
		    0x4ec0, 0x4e48, 0x4e0d, 0x8bf4, 0x4e2d, 0x6587 }, 9 },
		{ "4dbcagdahymbxekheh6e0a7fei0b", { 0 }, -1 },
		{ "3B-ww4c5e180e575a65lsy2b", { '3', 0x5e74, 'B', 0x7d44,
		    0x91d1, 0x516b, 0x5148, 0x751f }, 8 },
		/* Bad input: bad digit, truncated, overflow, too long. */
		{ "pple-4_d", { 0 }, -1 },
		{ "pple-4", { 0 }, -1 },
		{ "99999999999999", { 0 }, -1 },
		{ "a-", { 'a' }, 1 },
	};
	static const struct found_case found[] = {
		/* Cyrillic a in apple: a homoglyph of the reference. */
		{ "xn--pple-43d.com", "homoglyph", "apple.com", "apple.com",
		    F_IDN },
		/* All-Cyrillic "apple". */
		{ "xn--80ak6aa92e.com", "homoglyph", "apple.com", "apple.com",
		    F_IDN },
		{ "xn--gmil-63d.com", "homoglyph", "gmail.com", "gmail.com",
		    F_IDN },
		{ "mx.xn--hotmil-6nf.co.uk", "homoglyph", "hotmail.co.uk",
		    "mx.hotmail.co.uk", F_IDN },
		/* Greek omicron, upsilon, tau: "outlook". */
		{ "xn--look-znd4ag.com", "homoglyph", "outlook.com",
		    "outlook.com", F_IDN },
		/* Skeleton "gmail.co": a permutation, seen through IDN. */
		{ "xn--gmil-63d.co", "tld-truncation", "gmail.com",
		    "gmail.com", F_IDN },
		/* Cyrillic i in "mil": army.mil is a reference domain, navy.mil
		 * is only under the reference suffix. */
		{ "army.xn--ml-hoc", "homoglyph", "army.mil", "army.mil",
		    F_IDN },
		{ "navy.xn--ml-hoc", "homoglyph", "mil", "navy.mil",
		    F_SUFFIX | F_IDN },
	};
	struct lookalike *la = new_set(LOOKALIKE_BUILTIN_ALL);
	unsigned out[16];
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int n = lookalike_punycode_decode(cases[i].in,
		    strlen(cases[i].in), out, 16);
		int j;

		CHECKF(n == cases[i].n, "punycode %s: got %d code points, "
		    "want %d", cases[i].in, n, cases[i].n);
		for (j = 0; n == cases[i].n && j < n; j++)
			CHECKF(out[j] == cases[i].want[j], "punycode %s[%d]: "
			    "got U+%04X, want U+%04X", cases[i].in, j, out[j],
			    cases[i].want[j]);
	}
	CHECKF(lookalike_punycode_decode("80ak6aa92e", 10, out, 4) == -1,
	    "punycode: more code points than room must fail");
	check_found(la, found, sizeof(found) / sizeof(found[0]));
	/* Han script has no skeleton: compared as written. */
	CHECKF(lookalike_find(la, "xn--fiqs8s.com", 14, NULL) ==
	    LOOKALIKE_UNRELATED, "xn--fiqs8s.com must be unrelated");
	lookalike_free(la);
}

/* What must not match, or only in a way the caller can filter. */
static void
test_negative(void)
{
	static const struct {
		const char *observed;
		enum lookalike_verdict want;
		const char *cls;	/* when found */
	} cases[] = {
		/* References and what is under them. */
		{ "gmail.com", LOOKALIKE_REFERENCE, NULL },
		{ "army.mil", LOOKALIKE_REFERENCE, NULL },
		{ "mail.northfield-housing.org.uk", LOOKALIKE_REFERENCE, NULL },
		{ "northfield-housing.org.uk", LOOKALIKE_REFERENCE, NULL },
		{ "mx.mail.example.org", LOOKALIKE_REFERENCE, NULL },
		/* Two genuine Microsoft domains: both built in. */
		{ "hotmail.com", LOOKALIKE_REFERENCE, NULL },
		{ "hotmail.co.uk", LOOKALIKE_REFERENCE, NULL },
		{ "outlook.de", LOOKALIKE_REFERENCE, NULL },
		/* Google's legacy UK domain, still in use. */
		{ "gmail.co.uk", LOOKALIKE_REFERENCE, NULL },
		/* DoD enterprise mail: not one edit from army.mil, and under
		 * the reference suffix mil. */
		{ "mail.mil", LOOKALIKE_REFERENCE, NULL },
		{ "navy.mod.uk", LOOKALIKE_REFERENCE, NULL },
		{ "stourmouth.gov.uk", LOOKALIKE_REFERENCE, NULL },
		/* Unrelated. */
		{ "fenbury-leisure.net", LOOKALIKE_UNRELATED, NULL },
		{ "bbc.co.uk", LOOKALIKE_UNRELATED, NULL },
		{ "northfield-homes.org.uk", LOOKALIKE_UNRELATED, NULL },
		{ "gmailx.comx", LOOKALIKE_UNRELATED, NULL },
		{ "co.uk", LOOKALIKE_UNRELATED, NULL },
		{ "", LOOKALIKE_UNRELATED, NULL },
		{ "gmial..com", LOOKALIKE_UNRELATED, NULL },
		{ "-gmial.com", LOOKALIKE_UNRELATED, NULL },
		{ "gmial.com\n", LOOKALIKE_UNRELATED, NULL },
		{ "192.168.1.1", LOOKALIKE_UNRELATED, NULL },
		{ "[192.168.1.1]", LOOKALIKE_UNRELATED, NULL },
		{ "g\xc3\xa4il.com", LOOKALIKE_UNRELATED, NULL },
		/* Found, and the caller filters by rareness: a tld-swap, or a
		 * real provider's name under another suffix. */
		{ "gmail.de", LOOKALIKE_FOUND, "tld-swap" },
		/* One-letter registrable labels are not generated. */
		{ "e.com", LOOKALIKE_UNRELATED, NULL },
	};
	struct lookalike *la = new_set(LOOKALIKE_BUILTIN_ALL);
	struct lookalike *only = lookalike_new();
	struct lookalike_match m;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum lookalike_verdict v = lookalike_find(la,
		    cases[i].observed, strlen(cases[i].observed), &m);

		CHECKF(v == cases[i].want, "%s: got %s, want %s",
		    cases[i].observed, verdict_name(v),
		    verdict_name(cases[i].want));
		if (v == LOOKALIKE_FOUND && cases[i].cls != NULL)
			CHECK_STR(lookalike_class_name(m.cls), cases[i].cls,
			    cases[i].observed);
	}

	/* With outlook.com alone, outlook.de is reported as a tld-swap:
	 * a real Microsoft domain the caller must let through. */
	lookalike_add_domain(only, "outlook.com", 11);
	lookalike_add_domain(only, "army.mil", 8);
	CHECKF(lookalike_find(only, "outlook.de", 10, &m) ==
	    LOOKALIKE_FOUND && m.cls == LOOKALIKE_TLD_SWAP,
	    "outlook.de against outlook.com alone: want tld-swap");
	CHECKF(lookalike_find(only, "mail.mil", 8, &m) == LOOKALIKE_UNRELATED,
	    "mail.mil against army.mil alone: want unrelated");
	CHECKF(lookalike_find(only, "navy.mod.uk", 11, &m) ==
	    LOOKALIKE_UNRELATED, "navy.mod.uk against army.mil alone: want "
	    "unrelated");
	/* A permutation that becomes a reference stops being one. */
	CHECKF(lookalike_find(only, "outlok.com", 10, &m) == LOOKALIKE_FOUND,
	    "outlok.com before it is a reference");
	lookalike_add_domain(only, "outlok.com", 10);
	CHECKF(lookalike_find(only, "outlok.com", 10, &m) ==
	    LOOKALIKE_REFERENCE, "outlok.com after it is a reference");
	lookalike_free(only);
	lookalike_free(la);
}

static void
test_add_and_stats(void)
{
	static const struct {
		const char *in;
		int want;
	} adds[] = {
		{ "gmail.com", 0 }, { "GMail.Com.", 0 }, { "com", -1 },
		{ "co.uk", -1 }, { "gmail", -1 }, { "gm ail.com", -1 },
		{ "-x.com", -1 }, { "", -1 }, { "xn--pple-43d.com", 0 },
	};
	struct lookalike *la = lookalike_new();
	struct lookalike_stats st;
	size_t i;

	for (i = 0; i < sizeof(adds) / sizeof(adds[0]); i++) {
		int r = lookalike_add_domain(la, adds[i].in,
		    strlen(adds[i].in));

		CHECKF(r == adds[i].want, "add \"%s\": got %d, want %d",
		    adds[i].in, r, adds[i].want);
	}
	CHECKF(lookalike_add_suffix(la, "mil", 3) == 0 &&
	    lookalike_add_suffix(la, "MIL", 3) == 0 &&
	    lookalike_add_suffix(la, "x_y", 3) == -1, "add_suffix");
	lookalike_get_stats(la, &st);
	CHECKF(st.domains == 2 && st.suffixes == 1, "stats: got %zu domains "
	    "%zu suffixes, want 2 1", st.domains, st.suffixes);
	/* gmail.com alone yields a few hundred; the IDN one only its
	 * suffix edits and swaps. */
	CHECKF(st.permutations > 100 && st.permutations < 1000,
	    "stats: %zu permutations", st.permutations);
	CHECKF(st.suffix_edits > 5 && st.bytes > 0, "stats: %zu suffix "
	    "edits, %zu bytes", st.suffix_edits, st.bytes);
	for (i = 0; i < LOOKALIKE_CLASS_COUNT; i++)
		CHECKF(strcmp(lookalike_class_name(
		    (enum lookalike_class)i), "unknown") != 0,
		    "class %zu has no name", i);
	CHECK_STR(lookalike_class_name(LOOKALIKE_CLASS_COUNT), "unknown",
	    "class out of range");
	lookalike_free(la);
}

/* Any byte sequence: no crash, no look-alike from noise. */
static void
test_noise(void)
{
	struct lookalike *la = new_set(LOOKALIKE_BUILTIN_ALL);
	char d[300];
	unsigned seed = 12345;
	size_t i, j, found = 0;

	for (i = 0; i < 20000; i++) {
		size_t n = (seed = seed * 1103515245 + 12345) % sizeof(d);

		for (j = 0; j < n; j++) {
			seed = seed * 1103515245 + 12345;
			d[j] = (char)(seed >> 16);
		}
		if (lookalike_find(la, d, n, NULL) == LOOKALIKE_FOUND)
			found++;
	}
	CHECKF(found == 0, "noise: %zu look-alikes", found);
	/* Long and many-label names. */
	memset(d, 'a', sizeof(d));
	CHECKF(lookalike_find(la, d, sizeof(d), NULL) == LOOKALIKE_UNRELATED,
	    "300 bytes");
	for (j = 1; j < 253; j += 2)
		d[j] = '.';
	memcpy(d + 244, "gmial.com", 9);
	CHECKF(lookalike_find(la, d, 253, NULL) == LOOKALIKE_FOUND,
	    "123 labels ending in gmial.com");
	memcpy(d, "xn--", 4);
	CHECKF(lookalike_find(la, d, 253, NULL) == LOOKALIKE_FOUND,
	    "a bad A-label in front");
	lookalike_free(la);
}

static const struct cu_test tests[] = {
	{ "classes", test_classes },
	{ "suffix_refs", test_suffix_refs },
	{ "punycode", test_punycode },
	{ "negative", test_negative },
	{ "add_and_stats", test_add_and_stats },
	{ "noise", test_noise },
};

CU_MAIN("lookalike", tests)
