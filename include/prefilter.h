/*
 * prefilter: finds, in a (folded) pattern, a set of words at least one of
 * which every match must contain as a whole word — "(cài|tải)\s.{0,30}vneid"
 * gives {vneid} (or {cai, tai}). The matcher then tries a pattern only on
 * messages holding one of its words, which is what keeps 1,000 topics fast.
 *
 * Conservative: any construct it does not understand gives "no set", and
 * such a pattern is simply tried on every message.
 */
#ifndef HOIDAP_PREFILTER_H
#define HOIDAP_PREFILTER_H

#include <stddef.h>

#define PREFILTER_MAX_WORDS 16
#define PREFILTER_WORD_MAX 48

struct prefilter_set {
	size_t n;
	char w[PREFILTER_MAX_WORDS][PREFILTER_WORD_MAX];
};

/* 0 and a non-empty set, or -1 when no required word can be named. */
int prefilter_words(const char *pattern, struct prefilter_set *out);

#endif
