/*
 * vocab: every word the knowledge base itself uses (titles, keywords,
 * examples, answers, the words inside patterns), folded. It decides which
 * words of a message are Telex residue: a word the knowledge base does not
 * know that decodes (telex.c) into one it does. Knowing "tax", "zalo" and
 * "ok" keeps them as typed; "caif" becomes "cài" because "cai" is known.
 * Built once per kb_load; read-only afterwards.
 */
#include "vocab.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "index.h"
#include "kb_int.h"
#include "telex.h"
#include "text.h"
#include "util.h"

#define FEAT_KNOWN 7
#define FEAT_PLAIN 8    /* a word a title or an answer writes without marks */

static void says_build(struct kb *kb);

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * kb->known is a set of word keys, open addressing over kb->nknown slots
 * (a power of two; key 0 is an empty slot, index_key never gives it):
 * the kb's words repeat, so a set grows with the vocabulary, not the text.
 */
static void
set_add(uint64_t *set, size_t n, uint64_t key)
{
	size_t i;

	for (i = key & (n - 1); set[i] && set[i] != key; i = (i + 1) & (n - 1))
		;
	set[i] = key;
}

static void
push(struct kb *kb, size_t *used, int kind, const char *w, size_t n)
{
	uint64_t key = index_key(kind, w, n);
	size_t i;

	if ((*used + 1) * 2 > kb->nknown) {
		size_t sz = kb->nknown ? kb->nknown * 2 : 1024;
		uint64_t *set = xcalloc(sz, sizeof(*set));

		for (i = 0; i < kb->nknown; i++)
			if (kb->known[i])
				set_add(set, sz, kb->known[i]);
		free(kb->known);
		kb->known = set;
		kb->nknown = sz;
	}
	for (i = key & (kb->nknown - 1); kb->known[i] && kb->known[i] != key;
	    i = (i + 1) & (kb->nknown - 1))
		;
	if (!kb->known[i]) {
		kb->known[i] = key;
		(*used)++;
	}
}

/* plain: the words written without marks go in as such too (FEAT_PLAIN),
 * from a text written for residents with every mark (a title, an answer). */
static void
add_text(struct kb *kb, size_t *alloc, const char *s, bool plain)
{
	struct text t;
	size_t i;

	text_normalize(&t, s, strlen(s));
	for (i = 0; i < t.ntok; i++) {
		push(kb, alloc, FEAT_KNOWN, t.folded + t.tok[i].foff,
		    t.tok[i].flen);
		if (plain && !t.tok[i].marked)
			push(kb, alloc, FEAT_PLAIN, t.exact + t.tok[i].eoff,
			    t.tok[i].elen);
	}
	text_release(&t);
}

/* Letter runs of a pattern ("(cài|tải)\s+vneid" -> cai, tai, s, vneid). */
static void
add_pattern(struct kb *kb, size_t *alloc, const char *fold)
{
	char *f = xstrdup(fold), *p;

	for (p = f; *p;) {
		size_t n = 0;

		while (isalpha((unsigned char)p[n]))
			n++;
		if (n) {
			size_t i;

			for (i = 0; i < n; i++)
				p[i] = (char)tolower((unsigned char)p[i]);
			push(kb, alloc, FEAT_KNOWN, p, n);
			p += n;
		} else {
			p++;
		}
	}
	free(f);
}

/*
 * The known words are read on first need (known): reading every answer
 * page was a tenth of the load time, and a message only needs them when
 * one of its words looks like Telex residue. The matcher already fills
 * the kb as it goes (kb_exact), so this is no new kind of write.
 */
void
vocab_build(struct kb *kb)
{
	kb->known_later = true;
	says_build(kb);
}

static void
known_build(struct kb *kb)
{
	size_t alloc = 0, i, j;

	kb->known_later = false;

	for (i = 0; i < kb->n; i++) {
		const struct kb_topic_int *ti = &kb->t[i];
		const struct kb_topic *t = &ti->pub;

		/* keywords and examples are often written without marks on
		 * purpose ("quen mat khau"): not FEAT_PLAIN */
		if (t->title)
			add_text(kb, &alloc, t->title, true);
		for (j = 0; j < t->nkeywords; j++)
			add_text(kb, &alloc, t->keywords[j], false);
		for (j = 0; j < t->nasks; j++)
			add_text(kb, &alloc, t->asks[j], false);
		for (j = 0; j < t->npages; j++)
			add_text(kb, &alloc, t->pages[j], true);
		for (j = 0; j < ti->nmatch; j++)
			add_pattern(kb, &alloc, ti->match[j].fold);
		for (j = 0; j < ti->nnot; j++)
			add_pattern(kb, &alloc, ti->not[j].fold);
	}
}

void
vocab_free(struct kb *kb)
{
	size_t i;

	free(kb->known);
	kb->known = NULL;
	kb->nknown = 0;
	for (i = 0; i < kb->nsays; i++) {
		free(kb->says[i].w);
		free(kb->says[i].start);
	}
	free(kb->says);
	kb->says = NULL;
	kb->nsays = 0;
}

/* The keywords of every sys.* topic, as word keys, longest phrase first. */
static void
says_build(struct kb *kb)
{
	size_t i, j, k, m;

	for (i = 0; i < kb->n; i++) {
		const struct kb_topic *t = &kb->t[i].pub;
		struct kb_says *sy;
		size_t nw = 0, aw = 0, order[256], nph;

		if (!t->system || !t->nkeywords)
			continue;
		kb->says = xrealloc(kb->says, (kb->nsays + 1) * sizeof(*kb->says));
		sy = &kb->says[kb->nsays++];
		memset(sy, 0, sizeof(*sy));
		sy->t = t;
		nph = t->nkeywords < 256 ? t->nkeywords : 256;
		/* longest first, so "được rồi" is tried before "được" */
		for (j = 0; j < nph; j++)
			order[j] = j;
		for (j = 1; j < nph; j++)
			for (k = j; k > 0 && strlen(t->keywords[order[k]]) >
			    strlen(t->keywords[order[k - 1]]); k--) {
				m = order[k];
				order[k] = order[k - 1];
				order[k - 1] = m;
			}
		sy->start = xcalloc(nph + 1, sizeof(*sy->start));
		for (j = 0; j < nph; j++) {
			struct text tx;
			const char *kw = t->keywords[order[j]];

			text_normalize(&tx, kw, strlen(kw));
			sy->start[j] = (uint32_t)nw;
			for (k = 0; k < tx.ntok; k++) {
				sy->w = xgrow(sy->w, &aw, nw + 1, sizeof(*sy->w));
				sy->w[nw++] = index_key(FEAT_FOLD_UNI,
				    tx.folded + tx.tok[k].foff, tx.tok[k].flen);
			}
			text_release(&tx);
		}
		sy->start[nph] = (uint32_t)nw;
		sy->nphr = nph;
	}
}

static bool
stop_word(const struct kb *kb, uint64_t key)
{
	return kb->nstop && bsearch(&key, kb->stop, kb->nstop,
	    sizeof(*kb->stop), u64_cmp) != NULL;
}

/* Words that make a message a question even among stop words. */
static const char *const asking[] = { "khong", "chua", "gi", "sao", "nao",
    "dau", "bao", "may", "the", "nhu" };

/* A command or a thank-you is a few words; longer is a question. */
#define SAYS_MAX_WORDS 10

/* Does sy cover the words w[0..n), give or take stop words? */
static bool
covers(const struct kb *kb, const struct kb_says *sy, const uint64_t *w,
    size_t n)
{
	size_t i, j, k;
	bool hit = false;

	for (i = 0; i < n;) {
		size_t len = 0;

		for (j = 0; j < sy->nphr && !len; j++) {
			size_t a = sy->start[j], pl = sy->start[j + 1] - a;

			if (pl && pl <= n - i &&
			    memcmp(&w[i], &sy->w[a], pl * sizeof(*w)) == 0)
				len = pl;
		}
		if (len) {
			hit = true;
			i += len;
			continue;
		}
		for (k = 0; k < ARRAY_SIZE(asking); k++)
			if (w[i] == index_key(FEAT_FOLD_UNI, asking[k],
			    strlen(asking[k])))
				return false;
		if (!stop_word(kb, w[i]))
			return false;
		i++;
	}
	return hit;
}

const char *
vocab_says(const struct kb *kb, const char *msg)
{
	struct text t;
	uint64_t w[SAYS_MAX_WORDS];
	const char *id = NULL;
	size_t i, n;

	if (!kb->nsays || strlen(msg) > 16 * SAYS_MAX_WORDS)
		return NULL;
	index_text(kb, msg, strlen(msg), &t);
	n = t.ntok;
	if (n > 0 && n <= SAYS_MAX_WORDS) {
		for (i = 0; i < n; i++)
			w[i] = index_key(FEAT_FOLD_UNI, t.folded + t.tok[i].foff,
			    t.tok[i].flen);
		for (i = 0; i < kb->nsays && !id; i++)
			if (covers(kb, &kb->says[i], w, n))
				id = kb->says[i].t->id;
	}
	text_release(&t);
	return id;
}

static bool
known_as(const struct kb *kb, int kind, const char *w, size_t n)
{
	uint64_t key = index_key(kind, w, n);
	size_t i;

	if (kb->known_later)
		known_build((struct kb *)kb);   /* not const: see vocab_build */
	if (!kb->nknown)
		return false;
	for (i = key & (kb->nknown - 1); kb->known[i]; i = (i + 1) & (kb->nknown - 1))
		if (kb->known[i] == key)
			return true;
	return false;
}

static bool
known(const struct kb *kb, const char *w, size_t n)
{
	return known_as(kb, FEAT_KNOWN, w, n);
}

bool
vocab_plain(const struct kb *kb, const char *w, size_t n)
{
	return known_as(kb, FEAT_PLAIN, w, n);
}

bool
vocab_telex_fix(const struct kb *kb, const struct text *in, struct buf *out)
{
	char dec[64], *f;
	size_t i, j;
	bool changed = false;

	for (i = 0; i < in->ntok && (kb->nknown || kb->known_later); i++) {
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
			buf_addc(out, ' ');
		if (fix) {
			buf_adds(out, dec);
			changed = true;
		} else {
			buf_add(out, w, k->elen);
		}
	}
	return changed;
}
