/*
 * vocab: every word the knowledge base itself uses (titles, keywords,
 * examples, answers, the words inside patterns), folded. It decides which
 * words of a message are Telex residue: a word the knowledge base does not
 * know that decodes (telex.c) into one it does. Knowing "tax", "zalo" and
 * "ok" keeps them as typed; "caif" becomes "cài" because "cai" is known.
 * Built once per kb_load; read-only afterwards.
 */
#include "kb_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "telex.h"
#include "text.h"
#include "util.h"

#define FEAT_KNOWN 7

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static void
push(struct kb *kb, size_t *alloc, const char *w, size_t n)
{
	kb->known = xgrow(kb->known, alloc, kb->nknown + 1, sizeof(*kb->known));
	kb->known[kb->nknown++] = kb_feat_key(FEAT_KNOWN, w, n);
}

static void
add_text(struct kb *kb, size_t *alloc, const char *s)
{
	struct text t;
	size_t i;

	text_normalize(&t, s, strlen(s));
	for (i = 0; i < t.ntok; i++)
		push(kb, alloc, t.folded + t.tok[i].foff, t.tok[i].flen);
	text_release(&t);
}

/* Letter runs of a pattern ("(cài|tải)\s+vneid" -> cai, tai, s, vneid). */
static void
add_pattern(struct kb *kb, size_t *alloc, const char *src)
{
	char *f = text_pattern_fold(src), *p;

	if (!f)
		return;
	for (p = f; *p;) {
		size_t n = 0;

		while (isalpha((unsigned char)p[n]))
			n++;
		if (n) {
			size_t i;

			for (i = 0; i < n; i++)
				p[i] = (char)tolower((unsigned char)p[i]);
			push(kb, alloc, p, n);
			p += n;
		} else {
			p++;
		}
	}
	free(f);
}

void
kb_vocab_build(struct kb *kb)
{
	size_t alloc = 0, i, j, k;

	for (i = 0; i < kb->n; i++) {
		const struct kb_topic_int *ti = &kb->t[i];
		const struct kb_topic *t = &ti->pub;

		if (t->title)
			add_text(kb, &alloc, t->title);
		for (j = 0; j < t->nkeywords; j++)
			add_text(kb, &alloc, t->keywords[j]);
		for (j = 0; j < t->nasks; j++)
			add_text(kb, &alloc, t->asks[j]);
		for (j = 0; j < t->npages; j++)
			add_text(kb, &alloc, t->pages[j]);
		for (j = 0; j < ti->nmatch; j++)
			add_pattern(kb, &alloc, ti->match[j].src);
		for (j = 0; j < ti->nnot; j++)
			add_pattern(kb, &alloc, ti->not[j].src);
	}
	if (!kb->nknown)
		return;
	qsort(kb->known, kb->nknown, sizeof(*kb->known), u64_cmp);
	for (j = 0, k = 0; j < kb->nknown; j++)
		if (!k || kb->known[k - 1] != kb->known[j])
			kb->known[k++] = kb->known[j];
	kb->nknown = k;
}

void
kb_vocab_free(struct kb *kb)
{
	free(kb->known);
	kb->known = NULL;
	kb->nknown = 0;
}

static bool
known(const struct kb *kb, const char *w, size_t n)
{
	uint64_t key = kb_feat_key(FEAT_KNOWN, w, n);

	return kb->nknown && bsearch(&key, kb->known, kb->nknown,
	    sizeof(*kb->known), u64_cmp) != NULL;
}

bool
kb_telex_fix(const struct kb *kb, const struct text *in, struct buf *out)
{
	char dec[64], *f;
	size_t i, j;
	bool changed = false;

	for (i = 0; i < in->ntok && kb->nknown; i++) {
		const struct text_tok *k = &in->tok[i];
		const char *w = in->exact + k->eoff;
		bool fix = false;

		if (!k->marked && k->elen >= 2 && k->elen <= TELEX_MAX_WORD) {
			for (j = 0; j < k->elen && w[j] >= 'a' && w[j] <= 'z'; j++)
				;
			if (j == k->elen && !known(kb, w, k->elen) &&
			    telex_decode(w, k->elen, dec, sizeof(dec))) {
				f = text_fold_phrase(dec);
				fix = f && known(kb, f, strlen(f));
				free(f);
			}
		}
		if (i)
			(void)buf_addc(out, ' ');
		if (fix) {
			(void)buf_adds(out, dec);
			changed = true;
		} else {
			(void)buf_add(out, w, k->elen);
		}
	}
	return changed;
}
