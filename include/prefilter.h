/*
 * prefilter: decides, before any regular expression runs, which patterns
 * can match a message at all.
 *
 * Each pattern (its folded form) is read into a formula over literal facts
 * that every match of it needs: "(cài|tải)\s.{0,30}vneid" needs
 * (cai | tai) & vneid, "lừa\s*đảo" needs a word starting with "lua" and a
 * word ending with "dao" (so "luadao" and "lua dao" both pass), "\bmk\b"
 * the whole word "mk", "^(?=.*A)(?=.*B).*" what A needs and what B needs.
 * One Aho-Corasick pass over the folded message finds the facts; a pattern
 * whose formula is false cannot match and is not run. A not: line of the
 * form "^(?!.*X).*" ("names none of X") is decided without running when X
 * cannot match.
 *
 * Sound by construction: what it does not understand constrains nothing
 * (the pattern is then run on every message); tests/unit/test_prefilter.c
 * and the fuzz target prefilter hold it to PCRE2's answers. It relies on
 * the matcher's texts (text.h): lower case, tokens of letters and digits,
 * single spaces, no punctuation.
 */
#ifndef HOIDAP_PREFILTER_H
#define HOIDAP_PREFILTER_H

#include <stddef.h>
#include <stdint.h>

struct buf;
struct prefilter;

enum pf_verdict {
	PF_NO,          /* cannot match: do not run it */
	PF_MAYBE,       /* run it */
	PF_YES,         /* matches (only PF_DECIDE patterns) */
};

/* prefilter_add flags */
#define PF_CONTAIN 1    /* run on the text with diacritics: only containment
			 * facts hold (its word boundaries are not the folded ones) */
#define PF_LAZY    2    /* tested on demand, never a candidate by itself */
#define PF_DECIDE  4    /* may be answered PF_YES without running (not: lines) */

/* The two texts of one message (match.c: expanded, and as typed). */
#define PF_TEXTS 2

/*
 * How a pattern may run in pieces: PF_ANY, its top-level alternatives (it
 * matches where the leftmost of them does, the first on a tie); PF_NONE_OF,
 * the alternatives of X in "^(?!.*X).*" (it matches when none of them
 * matches anywhere); PF_WHOLE, as written (what ties its parts together:
 * backreferences, recursion, verbs, flags). Same structure for the exact
 * and the folded form of a pattern.
 */
#define PF_PIECES_MAX 64
enum pf_shape { PF_WHOLE, PF_ANY, PF_NONE_OF };
struct pf_piece {
	size_t a, b;            /* [a, b) of the pattern */
};
enum pf_shape prefilter_pieces(const char *pattern, struct pf_piece *v,
    size_t *n);
/*
 * Do a pattern's exact and folded forms have the same syntax, character
 * for character? Folding drops combining marks, so "\\<mark>|" folds to
 * "\\|", an escaped bar, and "^(?!.*X)<mark>" to a "names none of X":
 * then what the folded form tells about the exact one (PF_CONTAIN, PF_YES)
 * and its pieces do not hold, and may not be used.
 */
int prefilter_same_shape(const char *exact, const char *folded);
/*
 * "^(?=.*A)(?!.*B)..." followed by nothing, ".*", ".*$" or ".*T", and
 * ".*T" (one top-level alternative; a lookahead's own alternatives each
 * ".*X"): it matches exactly when each A matches somewhere, no B does, and
 * T does. Without "^", only with no (?!: a match may start after each B.
 * Sets piece[0..*n) to A, B, T as patterns of their own (malloc'ed; a
 * lookahead's ".*" taken off each alternative: run from anywhere, not
 * tried from the start backwards), bit i of *neg for a B. Returns 1 so,
 * else 0 (nothing set).
 */
int prefilter_all_of(const char *pattern, char **piece, uint64_t *neg,
    size_t *n);

struct prefilter *prefilter_new(void);
void prefilter_free(struct prefilter *pf);
/*
 * Reads a folded pattern; returns its id (0, 1, 2 ... in call order; a
 * PF_LAZY pattern already added with the same flags gets its first id).
 * folded NULL: a pattern nothing is known of, run on every message.
 */
uint32_t prefilter_add(struct prefilter *pf, const char *folded, unsigned flags);
/*
 * Builds the automaton once every pattern is added. corpus: folded texts
 * like the messages to come (the kb's own examples): how often each fact
 * holds there decides which fact a clause is woken by (the rarest) and
 * which parts of a formula too big to keep are left out.
 */
void prefilter_build(struct prefilter *pf, const char *const *corpus,
    size_t ncorpus);

/*
 * Per message: prefilter_begin, then prefilter_scan of each text (index
 * 0 .. PF_TEXTS-1), then any prefilter_test. prefilter_woken lists the
 * patterns (not PF_LAZY) that some scanned text lets through, and those
 * that need nothing. A formula is kept as clauses (an OR of ANDs of facts),
 * each filed under its rarest fact, so a message costs what its facts wake,
 * not what the kb holds.
 */
void prefilter_begin(struct prefilter *pf);
void prefilter_scan(struct prefilter *pf, int text, const char *folded,
    size_t len);
const uint32_t *prefilter_woken(const struct prefilter *pf, size_t *n);
enum pf_verdict prefilter_test(const struct prefilter *pf, int text,
    uint32_t pat);

/*
 * The pieces of pattern pat (as prefilter_pieces cuts it, and as added)
 * that may match text: bit i for piece i; all bits for PF_WHOLE.
 */
enum pf_shape prefilter_shape(const struct prefilter *pf, uint32_t pat);
uint64_t prefilter_live(const struct prefilter *pf, int text, uint32_t pat);

/* Counts, for --explain: facts known, and found in a scanned text. */
size_t prefilter_nfacts(const struct prefilter *pf);
size_t prefilter_found(const struct prefilter *pf, int text);

/*
 * The formula of a pattern as text, clauses joined by " | ", facts by
 * " & ", rarest first: "<mk>" the whole word mk, "<lua" a word starting
 * with lua, "dao>" one ending with dao, "vss" anywhere; a formula kept as
 * several parts, each needed, reads "(…) AND (…)"; "*" when nothing is
 * required; "; YES unless ..." for a PF_DECIDE form.
 */
void prefilter_describe(const struct prefilter *pf, uint32_t pat,
    struct buf *out);

#endif
