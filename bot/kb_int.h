/*
 * Private to kb.c (parser), index.c, match.c (scoring) and vocab.c: the
 * parts of a kb nobody else needs to see.
 */
#ifndef HOIDAP_KB_INT_H
#define HOIDAP_KB_INT_H

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdbool.h>
#include <stdint.h>

#include "abbrev.h"
#include "kb.h"

struct kb_pattern {
	char *src;
	char *fold;             /* src without diacritics (text_pattern_fold) */
	int line;
	/* exact, folded and fold belong to the kb's compiled lines
	 * (struct kb_compiled), shared by every copy of the line */
	pcre2_code *exact;      /* NULL when the pattern has no diacritics */
	pcre2_code *folded;
	/* its line: a form is JIT-compiled once it has been tried
	 * KB_JIT_AFTER times (match.c): most patterns are rarely tried
	 * (prefilter), and JIT code costs memory */
	struct kb_compiled *lc;
	uint32_t pf;            /* its id in the kb's prefilter (index.c) */
	uint32_t same;          /* not: lines: one id per distinct line */
};

/*
 * A pattern line compiled once (kb.c): every kb_pattern of that line, in
 * any topic, points here; the kb owns it.
 */
struct kb_compiled {
	char *src;              /* NULL: a free slot */
	pcre2_code *exact, *folded;
	char *fold;
	/* match.c: runs of each form ([0] exact, [1] folded) so far, and once
	 * it proves hot, the form cut in pieces (prefilter_pieces), JIT-compiled */
	uint32_t uses[2];
	struct kb_pieces *pieces[2];
	uint8_t roles;          /* KB_ROLE_*: in match: lines, in not: lines */
	bool same_shape;        /* exact and folded forms: same syntax
				 * (prefilter_same_shape) */
	bool marked;            /* has an exact form (diacritics) */
	bool lazy;              /* ... compiled on first use (kb_exact) */
	/* match.c: the exact form with each marked letter also taking the
	 * letter without marks (text_pattern_mixed), compiled on first need */
	bool mixed_tried;
	pcre2_code *mixed;
	uint32_t mixed_uses;    /* by not: lines, whole: JIT-compiled when hot */
	/* ... and of a not: line the prefilter cuts (PF_ANY), in its pieces */
	bool mixed_cut_tried;
	struct kb_pieces *mixed_pieces;
};

#define KB_ROLE_MATCH 1
#define KB_ROLE_NOT 2

/* match.c: an exact form cut as prefilter_all_of reads it (shape) */
#define KB_ALL_OF 16

struct kb_pieces {
	int shape;              /* enum pf_shape, or KB_ALL_OF */
	bool interpreted;       /* never JIT-compiled (match.c hot()) */
	uint64_t neg;           /* KB_ALL_OF: the pieces that must not match */
	uint32_t n;
	uint32_t *uses;         /* runs of each piece */
	pcre2_code *code[];
};

/* A pattern (n bytes of src) compiled as every match: and not: line is:
 * caseless, Unicode, and never starting inside a word. NULL if it does not
 * compile. */
pcre2_code *kb_pattern_compile(const char *src, size_t n,
    pcre2_compile_context *cctx);
/* The exact form of a compiled line, compiling it on first use; NULL
 * without diacritics (or should it not compile). */
pcre2_code *kb_exact(struct kb_compiled *c);
/* The same without the word-start guard: an alternative X of a line
 * "^(?!.*X).*", run alone (match.c), may match inside a word as there. */
pcre2_code *kb_pattern_compile_anywhere(const char *src, size_t n);
/* The compiled line of a pattern source (kb.c), or NULL. */
struct kb_compiled *kb_compiled_find(struct kb *kb, const char *src);

#define KB_JIT_AFTER 16
/* A line is cut in pieces (match.c) on the second run of a form: cutting
 * costs a compile, which a line run once never repays */
#define KB_CUT_AFTER 2
/* A piece (match.c) compiled to fewer bytes than this runs interpreted: it
 * is over in a few steps, and each JIT code costs a few KB */
#define KB_JIT_PIECE_MIN 400

struct kb_feat {
	uint64_t key;
	uint32_t npost;         /* topics holding it: its document frequency */
	uint32_t apost;         /* while building; 0 once post is in the pool */
	uint32_t *post;         /* topic indexes, ascending */
};

struct kb_topic_int {
	struct kb_topic pub;
	struct kb_pattern *match;
	size_t nmatch;
	struct kb_pattern *not;
	size_t nnot;
	int see_line, menu_line;
	uint64_t *feats;        /* sorted similarity feature keys */
	size_t nfeats;
	uint32_t pat_base;      /* global id of match[0] (match.c) */
	long parent_i;          /* a section: index of its topic; else -1 */
};

struct kb_hash {
	struct kb_feat *slot;   /* open addressing; key 0 = empty */
	size_t mask;
	size_t n;
	uint32_t *pool;         /* every posting list, once built */
};

struct kb {
	char *dir;
	struct kb_topic_int *t;
	size_t n, alloc;
	struct abbrev *abbrev;
	struct kb_hash sim;     /* feature -> topics (title/keywords/asks) */
	struct prefilter *pf;   /* which patterns can match (prefilter.h); a
				 * match: pattern's prefilter id is its id */
	uint32_t *pat_topic;    /* pattern id -> topic */
	uint32_t npat;
	uint32_t *pmark;        /* pattern id -> epoch it was let through in */
	uint8_t *pallow;        /* ... and for which texts (bit 0: expanded,
				 * bit 1: as typed) */
	uint32_t nsame;         /* distinct not: lines */
	uint32_t *not_mark[2];  /* per text: epoch a line's result is from */
	uint8_t *not_res[2];
	uint64_t *stop;         /* sorted folded stop-word keys */
	size_t nstop;
	uint64_t *stop_set;     /* the same, open addressing (index.c): looked
				 * up for every word and pair of every message */
	size_t stop_mask;
	struct kb_compiled *compiled;   /* open addressing by hash of src */
	size_t ncompiled, compiled_mask;
	struct schedule *schedule;      /* NULL without schedule.txt */
	uint64_t *known;        /* folded words the kb uses: a set (vocab.c) */
	size_t nknown;          /* its slots */
	bool known_later;       /* not read yet: on first need (vocab.c) */
	/* "say only" phrase lists: the keywords of sys.* topics, as folded
	 * word keys (vocab.c) */
	struct kb_says {
		const struct kb_topic *t;
		uint64_t *w;            /* words of every phrase, in order */
		uint32_t *start;        /* phrase i = w[start[i] .. start[i+1]) */
		size_t nphr;
	} *says;
	size_t nsays;
	pcre2_match_context *mctx;
	pcre2_match_data *md;
	/* matcher scratch, one entry per topic, reset lazily by epoch */
	struct kb_acc {
		uint32_t mark;  /* epoch in which this topic became a candidate */
		uint32_t pats;  /* epoch in which the prefilter let a match: through */
		uint32_t said;  /* epoch in which it held a word that is not a stop word */
		double uni;     /* weight of the message's words it holds */
		double bi;      /* weight of the message's word pairs it holds */
		double pen;     /* words it knows only with other diacritics */
		double sim;     /* match.c's scores stage: its similarity */
	} *acc;
	uint32_t epoch;
	uint32_t *cands;
	struct kb_ord {         /* match.c's scores stage: candidates in order */
		double ub;      /* the best score its patterns could give */
		uint32_t ti;
	} *ord;
};

/* match.c: frees what matching built lazily (a line's pieces). */
void match_free(struct kb *kb);
/* match.c: kb_hit_line for not: lines, as the matcher reads them. */
int match_not_line(struct kb *kb, const char *msg,
    const struct kb_topic *t);

#endif
