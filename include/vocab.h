/*
 * vocab: the knowledge base's own words (bot/vocab.c), Telex residue read
 * against them, and the "say only" phrases of the system topics. Built once
 * per kb_load (vocab_build, after the index; the known words on first
 * need); read-only afterwards.
 */
#ifndef HOIDAP_VOCAB_H
#define HOIDAP_VOCAB_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct kb;
struct text;

void vocab_build(struct kb *kb);
void vocab_free(struct kb *kb);
/* Writes in's tokens (exact forms) to out with Telex residue decoded
 * ("caif" -> "cài"); true if any word changed. */
bool vocab_telex_fix(const struct kb *kb, const struct text *in,
    struct buf *out);
/*
 * Does the kb write the n bytes of w (a word of a text's exact form, typed
 * without marks) so, without marks, in a title or an answer? Then a
 * resident who types it so may mean it so ("qua", "con", "app"); a word it
 * writes only with marks ("mat" for "mật") was typed without them.
 */
bool vocab_plain(const struct kb *kb, const char *w, size_t n);
/*
 * The id of the system topic whose 'keywords:' phrases make up all of msg,
 * give or take stop words ("cảm ơn cháu", "ok dc rồi" -> "sys.thanks";
 * "xem tiếp đi" -> "sys.more"), or NULL: a command or an acknowledgement,
 * not a question. A question word outside the phrases ("được không") makes
 * it a question.
 */
const char *vocab_says(const struct kb *kb, const char *msg);

#endif
