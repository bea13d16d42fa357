/*
 * lookalike - is a domain a typo-squat / look-alike of a reference domain?
 *
 * SYNOPSIS
 *	struct lookalike *la = lookalike_new();
 *	lookalike_add_builtin(la, LOOKALIKE_BUILTIN_ALL);
 *	lookalike_add_domain(la, "northfield-housing.org.uk", 25);
 *	if (lookalike_find(la, d, dlen, &m) == LOOKALIKE_FOUND)
 *		lookalike_repair(&m, d, dlen, &intended);
 *	lookalike_free(la);
 *
 * DESCRIPTION
 *	A set of REFERENCE domains (the site's own, the domains it writes to
 *	often, the built-in large mail providers) and REFERENCE SUFFIXES
 *	(public-sector suffixes such as mil, gov.uk, nhs.uk) is turned, when
 *	each is added, into the look-alike permutations of it, kept in a hash
 *	set. lookalike_find() then answers for any observed domain with at
 *	most two hash probes per label (four with punycode labels), not one
 *	per reference: unrelated, a reference (or under one), or a
 *	look-alike of which reference by which permutation class.
 *
 *	Pure module: no I/O, no global state, knows nothing of logs or of
 *	the message store. Domains are ASCII; IDNs in A-label form
 *	("xn--..."). Upper case input is folded; one trailing dot is ignored.
 *
 *	A domain is split into the registrable label (left of the public
 *	suffix), the labels left of it (kept as written) and the public
 *	suffix. The label gets the typo classes, the suffix gets
 *	tld-truncation, tld-swap and the single-key typos (transposition,
 *	repetition, replacement, vowel-swap: "gmail.con", "gmail.cmo").
 *	The public suffix comes from a small built-in list of multi-label
 *	suffixes (co.uk, org.uk, gov.uk, com.au, co.jp, ...; 132 entries),
 *	else the last label. It is NOT the full Public Suffix
 *	List: a domain under an unlisted multi-label suffix (say
 *	"x.blogspot.com") is taken as label "blogspot" + suffix "com".
 *
 *	Decisions the caller must know:
 *	- A reference, a subdomain of a reference ("mail.gmail.com") and a
 *	  domain under a reference suffix ("mail.mil", "x.gov.uk") are
 *	  never look-alikes: lookalike_find() says LOOKALIKE_REFERENCE.
 *	- A subdomain of a look-alike ("smtp.gmial.com") is a look-alike;
 *	  the match says where the look-alike part starts.
 *	- Exactly one edit: "mail.mil" is not a look-alike of "army.mil",
 *	  "navy.mod.uk" is not one of "navy.mil".
 *	- tld-swap is the weakest class: brands own their name under
 *	  several TLDs ("outlook.de" is a tld-swap of "outlook.com" and is
 *	  Microsoft's; "northfield-housing.co.uk" may be a sister company
 *	  of "northfield-housing.org.uk"). The module reports the class;
 *	  deciding whether the domain is rare in the traffic or a real
 *	  correspondent is the caller's job. Short labels (3 letters or
 *	  less: aol, gmx, sky) also collide with real domains easily.
 *	- A reference suffix only matches through its own edits
 *	  (tld-truncation, transposition, ...), never through tld-swap:
 *	  "army.ml" is a tld-truncation of suffix "mil" (repaired to
 *	  "army.mil"), and so is every "X.ml" and "X.il". Such matches set
 *	  reference_is_suffix; the caller should want more evidence (the
 *	  repaired domain seen in the traffic, rareness).
 *	- Homoglyphs: ASCII look-alikes (rn/m, vv/w, cl/d, 0/o, 1/l/i, 5/s,
 *	  ...) are generated; punycode labels are decoded (RFC 3492) and
 *	  mapped to an ASCII skeleton by a small table of Cyrillic, Greek,
 *	  Armenian and accented Latin letters that look like a-z. A domain
 *	  whose skeleton is a reference is a homoglyph of it ("xn--pple-43d
 *	  .com", Cyrillic a, is "apple.com"); one whose skeleton is a
 *	  permutation gets that permutation's class and idn set.
 *	  Permutations of IDN references themselves are limited to the
 *	  suffix.
 *	- When a candidate comes from several classes or references, the
 *	  most specific class wins, in this order: tld-truncation,
 *	  transposition, repetition, omission, vowel-swap, homoglyph,
 *	  hyphenation, subdomain, replacement, bitsquatting, insertion,
 *	  tld-swap; then the reference added first. A hyphen left out is
 *	  hyphenation, a character left out of the suffix tld-truncation.
 *
 * COST
 *	Adding a reference domain costs a few hundred permutations (163
 *	for "gmail.com", 211 for "outlook.com", 510 for
 *	"northfield-housing.org.uk"); each takes one hash slot (32 bytes,
 *	table kept at most half full, so 64 to 128 bytes a permutation)
 *	plus its text in an arena. The built-in list (68 domains, 20
 *	suffixes) makes about 11,700 permutations and 800 suffix edits in
 *	1.4 MB, built in a few milliseconds. lookalike_find() allocates
 *	nothing and costs about 0.2 us a domain.
 *
 * DIAGNOSTICS
 *	None: lookalike_add_*() return -1 for text that is not a hostname;
 *	lookalike_find() says LOOKALIKE_UNRELATED for any such input.
 *
 * BUGS
 *	Keyboard adjacency is QWERTY only (no AZERTY/QWERTZ). The
 *	confusables table is a small subset of Unicode's confusables.txt.
 *	Punycode labels that decode to scripts without a skeleton (Han,
 *	Arabic, ...) are compared as written.
 */
#ifndef MAILSPILL_LOOKALIKE_H
#define MAILSPILL_LOOKALIKE_H

#include <stdbool.h>
#include <stddef.h>

#include "../lib/buf.h"

/* Longest domain name we look at (RFC 1035 presentation form). */
#define LOOKALIKE_MAX_DOMAIN	253

enum lookalike_class {
	LOOKALIKE_OMISSION,		/* gmai.com: one character left out */
	LOOKALIKE_INSERTION,		/* gmsail.com: a neighbouring key added */
	LOOKALIKE_REPETITION,		/* gmaill.com: a character doubled */
	LOOKALIKE_REPLACEMENT,		/* gnail.com: a QWERTY neighbour */
	LOOKALIKE_TRANSPOSITION,	/* gmial.com: two neighbours swapped */
	LOOKALIKE_VOWEL_SWAP,		/* gmeil.com */
	LOOKALIKE_HOMOGLYPH,		/* rnicrosoft.com, IDN apple.com */
	LOOKALIKE_BITSQUATTING,		/* gmaml.com: one bit flipped */
	LOOKALIKE_HYPHENATION,		/* hyphen added or removed */
	LOOKALIKE_SUBDOMAIN,		/* gma.il.com: dot added or removed */
	LOOKALIKE_TLD_SWAP,		/* gmail.net, x.co.uk for x.org.uk */
	LOOKALIKE_TLD_TRUNCATION,	/* army.ml, gmail.co, x.co for x.co.uk */
	LOOKALIKE_CLASS_COUNT
};

enum lookalike_verdict {
	LOOKALIKE_UNRELATED,	/* neither a reference nor a look-alike */
	LOOKALIKE_REFERENCE,	/* a reference, under one, or under a
				 * reference suffix */
	LOOKALIKE_FOUND		/* a look-alike: see struct lookalike_match */
};

/* Bits for lookalike_add_builtin(). */
#define LOOKALIKE_BUILTIN_PROVIDERS	0x1u	/* gmail.com, outlook.com ... */
#define LOOKALIKE_BUILTIN_PUBLIC	0x2u	/* mil, gov.uk, nhs.net ... */
#define LOOKALIKE_BUILTIN_ALL		0x3u

struct lookalike;

struct lookalike_match {
	enum lookalike_class cls;
	/* The reference domain or reference suffix that was mistyped:
	 * NUL-terminated, owned by the set, valid until lookalike_free(). */
	const char *reference;
	size_t reference_len;
	bool reference_is_suffix;	/* e.g. "mil" for "army.ml" */
	bool idn;			/* found through a punycode skeleton */
	/* Offset in the observed domain where the look-alike registrable
	 * domain starts: 5 for "smtp.gmial.com", 0 for "army.ml". */
	size_t lookalike_off;
	/* lookalike_repair() keeps observed[0, keep) and appends the
	 * reference: 0 + "gmail.com"; 5 ("army.") + "mil". */
	size_t keep;
};

/* A new empty set. Allocation never fails (xalloc.h). */
struct lookalike *lookalike_new(void);
/* Releases the set and every string it handed out. NULL is allowed. */
void lookalike_free(struct lookalike *la);

/*
 * Adds a reference domain ("gmail.com", "mail.example.org",
 * "northfield-housing.org.uk") and its permutations. Returns 0, or -1
 * when the text is not a hostname of at least two labels or is itself a
 * public suffix (add those with lookalike_add_suffix()). Adding a
 * reference twice is harmless. A permutation that was stored earlier
 * becomes a reference.
 */
int lookalike_add_domain(struct lookalike *la, const char *domain,
    size_t len);

/*
 * Adds a reference suffix ("mil", "gov.uk", "gouv.fr"): every domain
 * under it is LOOKALIKE_REFERENCE, and a domain under one of its edits
 * ("ml", "go.uk") is a look-alike with reference_is_suffix set. Returns
 * 0, or -1 when the text is not a hostname.
 */
int lookalike_add_suffix(struct lookalike *la, const char *suffix,
    size_t len);

/* Adds the built-in references selected by LOOKALIKE_BUILTIN_* bits. */
void lookalike_add_builtin(struct lookalike *la, unsigned what);

/*
 * Classifies an observed domain. On LOOKALIKE_FOUND fills *m (m may be
 * NULL); otherwise *m is untouched. Never allocates; any byte sequence
 * is accepted (non-hostnames are LOOKALIKE_UNRELATED).
 */
enum lookalike_verdict lookalike_find(const struct lookalike *la,
    const char *domain, size_t len, struct lookalike_match *m);

/*
 * Appends to out the domain the writer most likely meant: the observed
 * domain with its look-alike part replaced by the reference
 * ("army.ml" -> "army.mil", "smtp.gmial.com" -> "smtp.gmail.com").
 * observed and len must be those given to the lookalike_find() that
 * filled m. Folds upper case. Pointers into out go stale (buf.h).
 */
void lookalike_repair(const struct lookalike_match *m, const char *observed,
    size_t len, struct buf *out);

/* True when domain is a reference domain itself or lies under one (not
 * merely under a reference suffix): a provider such as outlook.de. */
bool lookalike_is_reference_domain(const struct lookalike *la,
    const char *domain, size_t len);

/* The stable lowercase word outputs use: "omission", "tld-swap", ... */
const char *lookalike_class_name(enum lookalike_class cls);

/* Counts for stats and the manifest. */
struct lookalike_stats {
	size_t domains;		/* reference domains */
	size_t suffixes;	/* reference suffixes */
	size_t permutations;	/* stored look-alike domains */
	size_t suffix_edits;	/* stored look-alike suffixes */
	size_t bytes;		/* memory held by the set */
};

void lookalike_get_stats(const struct lookalike *la,
    struct lookalike_stats *st);

/*
 * Decodes one punycode label (without "xn--") into Unicode code points
 * (RFC 3492). Returns the number of code points, or -1 for bad input or
 * more than max code points. Exposed for tests.
 */
int lookalike_punycode_decode(const char *in, size_t len, unsigned *out,
    size_t max);

#endif
