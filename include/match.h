/*
 * match: ranks a kb's topics for one message.
 *
 * score(topic) combines pattern hits (exact spelling above folded-only when
 * the resident typed diacritics), IDF-weighted coverage of the message's
 * syllable unigrams and bigrams by the topic's title/keywords/examples (exact
 * and folded), and specificity (how much of the message a pattern covered).
 * Deterministic: ties go to the stronger pattern hit (the exact spelling
 * over a folded one), then to file order.
 */
#ifndef HOIDAP_MATCH_H
#define HOIDAP_MATCH_H

#include <stddef.h>

#include "kb.h"

enum match_action { MATCH_ANSWER, MATCH_CLARIFY, MATCH_FALLBACK };

#define MATCH_MAX_CAND 3

struct match_cand {
	const struct kb_topic *topic;
	double score;
	double regex;           /* pattern component, 0 if no hit */
	double sim;             /* similarity component */
};

struct match_result {
	enum match_action action;
	const struct kb_topic *topic;   /* answer, or best candidate; or NULL */
	double score;
	struct match_cand cand[MATCH_MAX_CAND];
	size_t ncand;
};

/* Thresholds; tuned with `make eval`, see README "Figures". */
#define MATCH_ANSWER_MIN  0.50
#define MATCH_CLARIFY_MIN 0.30
#define MATCH_MARGIN      0.12

void match_run(struct kb *kb, const char *msg, size_t len,
    struct match_result *r);
/* match_run, and what each stage of it saw appended to out (--explain). */
struct buf;
void match_explain(struct kb *kb, const char *msg, size_t len,
    struct match_result *r, struct buf *out);
const char *match_action_name(enum match_action a);

#endif
