/*
 * Private to kb.c (parser) and match.c (index and scoring): the parts of a
 * kb nobody else needs to see.
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
	int line;
	pcre2_code *exact;      /* NULL when the pattern has no diacritics */
	pcre2_code *folded;
	/* JIT-compiled once a form has been tried KB_JIT_AFTER times: most
	 * patterns are rarely tried (prefilter), and JIT code costs memory */
	uint32_t uses[2];       /* [0] exact, [1] folded */
};

#define KB_JIT_AFTER 16

struct kb_feat {
	uint64_t key;
	uint32_t df;            /* topics holding it (similarity features only) */
	uint32_t npost, apost;
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
};

struct kb {
	char *dir;
	struct kb_topic_int *t;
	size_t n, alloc;
	struct abbrev *abbrev;
	struct kb_hash sim;     /* feature -> topics (title/keywords/asks) */
	struct kb_hash vocab;   /* required word of a pattern -> pattern ids */
	uint32_t *pat_topic;    /* pattern id -> topic */
	uint32_t npat;
	uint32_t *always;       /* patterns with no required word */
	size_t nalways;
	uint32_t *pmark;        /* pattern id -> epoch it was marked in */
	uint64_t *stop;         /* sorted folded stop-word keys */
	size_t nstop;
	struct schedule *schedule;      /* NULL without schedule.txt */
	uint64_t *known;        /* sorted folded words the kb uses (vocab.c) */
	size_t nknown;
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
		double uni;     /* weight of the message's words it holds */
		double bi;      /* weight of the message's word pairs it holds */
		double pen;     /* words it knows only with other diacritics */
	} *acc;
	uint32_t epoch;
	uint32_t *cands;
};

/* match.c: builds the index once all topics parsed. */
void kb_index_build(struct kb *kb);
void kb_index_free(struct kb *kb);
/* Features of a normalized, expanded text, as used by both sides. */
void kb_text_expand(const struct kb *kb, const char *s, size_t len,
    struct text *out);

#define FEAT_FOLD_UNI   1
#define FEAT_FOLD_BI    2
#define FEAT_EXACT_UNI  3
#define FEAT_EXACT_BI   4
#define FEAT_MARKED_UNI 5       /* this folded word occurs with marks */
#define FEAT_VOCAB      6

uint64_t kb_feat_key(int kind, const char *s, size_t n);

/* vocab.c: the kb's own words, and Telex residue read against them. */
void kb_vocab_build(struct kb *kb);
void kb_vocab_free(struct kb *kb);
/* Writes in's tokens (exact forms) to out with Telex residue decoded
 * ("caif" -> "cài"); true if any word changed. */
bool kb_telex_fix(const struct kb *kb, const struct text *in, struct buf *out);

#endif
