/*
 * index: a kb's feature index (bot/index.c) — what topics are found by
 * before any pattern runs. Private to the kb modules (kb.c, match.c,
 * vocab.c): every function takes the kb's internals (bot/kb_int.h).
 */
#ifndef HOIDAP_INDEX_H
#define HOIDAP_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct kb;
struct kb_feat;
struct text;

/* Kinds of feature key; the kind seeds the hash, so equal words of two
 * kinds never share a key. vocab.c keeps its own kind (FEAT_KNOWN, 7). */
#define FEAT_FOLD_UNI   1
#define FEAT_FOLD_BI    2
#define FEAT_EXACT_UNI  3
#define FEAT_MARKED_UNI 5       /* this folded word occurs with marks */

/* The key of n bytes of s as a feature of that kind; never 0. */
uint64_t index_key(int kind, const char *s, size_t n);
/* Builds the index once all topics parsed (kb_load); index_free undoes it. */
void index_build(struct kb *kb);
void index_free(struct kb *kb);
/* A normalized text with Telex residue decoded and abbreviations expanded:
 * what both sides (topics and messages) are read as. */
void index_text(const struct kb *kb, const char *s, size_t len,
    struct text *out);
/* t with Telex residue decoded in place, once the kb's own words are known
 * (index_text's first step; the matcher keeps that text as typed). */
void index_telex(const struct kb *kb, struct text *t);
/* The topics holding a feature (its postings), or NULL. */
struct kb_feat *index_find(const struct kb *kb, uint64_t key);
/* Is key (FEAT_FOLD_UNI) one of the kb's stop words? */
bool index_stop(const struct kb *kb, uint64_t key);
/* Token i's folded form (its length in *n); the key of tokens i and i + 1
 * as a pair (FEAT_FOLD_BI: folded, else exact). */
const char *index_word(const struct text *t, size_t i, size_t *n);
uint64_t index_bigram(int kind, const struct text *t, size_t i);

#endif
