/*
 * index: what a kb's topics are found by before any pattern runs — feature
 * keys of a text's words and word pairs, the feature -> topics postings
 * (open addressing, one pool once built), texts as both sides read them
 * (Telex residue, then abbreviations), and the prefilter of the patterns.
 * Built once per kb (kb_load), read by match.c.
 */
#include "index.h"

#include <stdlib.h>
#include <string.h>

#include "kb_int.h"
#include "prefilter.h"
#include "util.h"
#include "vocab.h"

uint64_t
index_key(int kind, const char *s, size_t n)
{
	uint64_t h = hash64(s, n, (uint64_t)kind * 0x9E3779B97F4A7C15ULL);

	return h ? h : 1;
}

/* ---- a small open-addressing map: feature key -> topic postings ---- */

static void
hash_init(struct kb_hash *h, size_t want)
{
	size_t sz = 64;

	while (sz < want * 2)
		sz *= 2;
	h->slot = xcalloc(sz, sizeof(*h->slot));
	h->mask = sz - 1;
	h->n = 0;
}

struct kb_feat *
index_find(const struct kb *kb, uint64_t key)
{
	const struct kb_hash *h = &kb->sim;
	size_t i;

	if (!h->slot)
		return NULL;
	for (i = key & h->mask; h->slot[i].key; i = (i + 1) & h->mask)
		if (h->slot[i].key == key)
			return &h->slot[i];
	return NULL;
}

static void hash_add(struct kb_hash *h, uint64_t key, uint32_t topic);

static void
hash_grow(struct kb_hash *h)
{
	struct kb_hash nh;
	size_t i;

	hash_init(&nh, (h->mask + 1));
	for (i = 0; i <= h->mask; i++) {
		struct kb_feat *f = &h->slot[i];
		size_t j;

		if (!f->key)
			continue;
		for (j = f->key & nh.mask; nh.slot[j].key; j = (j + 1) & nh.mask)
			;
		nh.slot[j] = *f;
		nh.n++;
	}
	free(h->slot);
	*h = nh;
}

static void
hash_add(struct kb_hash *h, uint64_t key, uint32_t topic)
{
	struct kb_feat *f;
	size_t i;

	if ((h->n + 1) * 2 > h->mask + 1)
		hash_grow(h);
	for (i = key & h->mask; h->slot[i].key && h->slot[i].key != key;
	    i = (i + 1) & h->mask)
		;
	f = &h->slot[i];
	if (!f->key) {
		f->key = key;
		h->n++;
	}
	/* Topics are added in index order, so postings stay sorted. */
	if (f->npost && f->post[f->npost - 1] == topic)
		return;
	if (f->npost == f->apost) {
		f->apost = f->apost ? f->apost * 2 : 2;
		f->post = xrealloc(f->post, f->apost * sizeof(*f->post));
	}
	f->post[f->npost++] = topic;
}

/* Once built: every posting list in one array, sized to fit. */
static void
hash_pack(struct kb_hash *h)
{
	size_t i, total = 0, off = 0;

	for (i = 0; i <= h->mask; i++)
		total += h->slot[i].npost;
	h->pool = xmalloc((total + 1) * sizeof(*h->pool));
	for (i = 0; i <= h->mask; i++) {
		struct kb_feat *f = &h->slot[i];

		if (!f->key)
			continue;
		memcpy(h->pool + off, f->post, f->npost * sizeof(*f->post));
		free(f->post);
		f->post = h->pool + off;
		f->apost = 0;
		off += f->npost;
	}
}

static void
hash_free(struct kb_hash *h)
{
	size_t i;

	if (!h->slot)
		return;
	for (i = 0; i <= h->mask; i++)
		if (h->slot[i].apost)
			free(h->slot[i].post);
	free(h->slot);
	free(h->pool);
	h->slot = NULL;
	h->pool = NULL;
}

/* ---- texts ---- */

/*
 * Telex residue is read before abbreviations: "queen mk" holds the
 * abbreviation "mk" only once "queen" has become "quên". Does nothing until
 * the kb's own words are known (vocab_build runs after the index).
 */
void
index_telex(const struct kb *kb, struct text *t)
{
	struct buf b;
	struct text dec;

	buf_init(&b, BUF_CAP_TEXT);
	if (vocab_telex_fix(kb, t, &b)) {
		text_normalize(&dec, b.data, b.len);
		dec.truncated = t->truncated;
		dec.repaired = t->repaired;
		text_release(t);
		*t = dec;
	}
	buf_release(&b);
}

void
index_text(const struct kb *kb, const char *s, size_t len, struct text *out)
{
	struct text raw;
	struct buf b;

	text_normalize(&raw, s, len);
	index_telex(kb, &raw);
	buf_init(&b, BUF_CAP_TEXT);
	if (kb->abbrev && abbrev_expand(kb->abbrev, &raw, &b)) {
		text_normalize(out, b.data, b.len);
		out->truncated = raw.truncated;
		out->repaired = raw.repaired;
		text_release(&raw);
	} else {
		*out = raw;
	}
	buf_release(&b);
}

const char *
index_word(const struct text *t, size_t i, size_t *n)
{
	*n = t->tok[i].flen;
	return t->folded + t->tok[i].foff;
}

uint64_t
index_bigram(int kind, const struct text *t, size_t i)
{
	const char *base = kind == FEAT_FOLD_BI ? t->folded : t->exact;
	size_t a = kind == FEAT_FOLD_BI ? t->tok[i].foff : t->tok[i].eoff;
	size_t e = kind == FEAT_FOLD_BI ? t->tok[i + 1].foff + t->tok[i + 1].flen :
	    t->tok[i + 1].eoff + t->tok[i + 1].elen;

	return index_key(kind, base + a, e - a);
}

static void
topic_feats_add(uint64_t **v, size_t *n, size_t *alloc, const struct text *t)
{
	size_t i, fl;
	const char *f;

	for (i = 0; i < t->ntok; i++) {
		*v = xgrow(*v, alloc, *n + 4, sizeof(**v));
		f = index_word(t, i, &fl);
		(*v)[(*n)++] = index_key(FEAT_FOLD_UNI, f, fl);
		if (t->tok[i].marked) {
			(*v)[(*n)++] = index_key(FEAT_MARKED_UNI, f, fl);
			(*v)[(*n)++] = index_key(FEAT_EXACT_UNI,
			    t->exact + t->tok[i].eoff, t->tok[i].elen);
		}
		if (i + 1 < t->ntok)
			(*v)[(*n)++] = index_bigram(FEAT_FOLD_BI, t, i);
	}
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
src_cmp(const void *a, const void *b)
{
	const struct kb_pattern *x = *(struct kb_pattern *const *)a;
	const struct kb_pattern *y = *(struct kb_pattern *const *)b;

	return strcmp(x->src, y->src);
}

bool
index_stop(const struct kb *kb, uint64_t key)
{
	size_t i;

	if (!kb->stop_set)
		return kb->nstop && bsearch(&key, kb->stop, kb->nstop,
		    sizeof(*kb->stop), u64_cmp) != NULL;
	/* keys are never 0 (index_key): 0 is a free slot */
	for (i = key & kb->stop_mask; kb->stop_set[i]; i = (i + 1) & kb->stop_mask)
		if (kb->stop_set[i] == key)
			return true;
	return false;
}

static void
stop_set_build(struct kb *kb)
{
	size_t sz = 16, i, j;

	while (sz < 4 * kb->nstop)
		sz *= 2;
	kb->stop_set = xcalloc(sz, sizeof(*kb->stop_set));
	kb->stop_mask = sz - 1;
	for (i = 0; i < kb->nstop; i++) {
		for (j = kb->stop[i] & kb->stop_mask; kb->stop_set[j] &&
		    kb->stop_set[j] != kb->stop[i]; j = (j + 1) & kb->stop_mask)
			;
		kb->stop_set[j] = kb->stop[i];
	}
}

/*
 * The same not: line in many topics ("mất điện" is not about any guide)
 * runs once per message: one id per distinct line for the per-message memo.
 */
static void
same_index(struct kb *kb)
{
	struct kb_pattern **v = NULL;
	size_t n = 0, alloc = 0, i, j;
	int t;

	for (i = 0; i < kb->n; i++)
		for (j = 0; j < kb->t[i].nnot; j++) {
			v = xgrow(v, &alloc, n + 1, sizeof(*v));
			v[n++] = &kb->t[i].not[j];
		}
	if (n)
		qsort(v, n, sizeof(*v), src_cmp);
	for (i = 0; i < n; i++) {
		if (i && strcmp(v[i]->src, v[i - 1]->src) != 0)
			kb->nsame++;
		v[i]->same = kb->nsame;
	}
	if (n)
		kb->nsame++;
	free(v);
	for (t = 0; t < 2; t++) {
		kb->not_mark[t] = xcalloc(kb->nsame + 1, sizeof(uint32_t));
		kb->not_res[t] = xcalloc(kb->nsame + 1, 1);
	}
}

/*
 * v[0..n) without repeats, sorted; returns the count. A topic's examples
 * repeat their words, so repeats go first (a set, *seen, reused) and only
 * what is left is sorted.
 */
static size_t
unique_sorted(uint64_t *v, size_t n, uint64_t **seen, size_t *aseen)
{
	size_t sz = 64, i, j, k = 0;

	while (sz < 2 * n)
		sz *= 2;
	if (sz > *aseen) {
		free(*seen);
		*seen = xmalloc(sz * sizeof(**seen));
		*aseen = sz;
	}
	memset(*seen, 0, sz * sizeof(**seen));
	for (i = 0; i < n; i++) {
		/* keys are never 0 (index_key) */
		for (j = v[i] & (sz - 1); (*seen)[j] && (*seen)[j] != v[i];
		    j = (j + 1) & (sz - 1))
			;
		if (!(*seen)[j]) {
			(*seen)[j] = v[i];
			v[k++] = v[i];
		}
	}
	if (k)
		qsort(v, k, sizeof(*v), u64_cmp);
	return k;
}

void
index_build(struct kb *kb)
{
	size_t i, j, ncorpus = 0, acorpus = 0, aseen = 0;
	char **corpus = NULL;
	uint64_t *seen = NULL;

	hash_init(&kb->sim, 1024);
	kb->pf = prefilter_new();
	if (kb->nstop)
		qsort(kb->stop, kb->nstop, sizeof(*kb->stop), u64_cmp);
	stop_set_build(kb);
	for (i = 0; i < kb->n; i++) {
		struct kb_topic_int *ti = &kb->t[i];
		struct kb_topic *t = &ti->pub;
		size_t alloc = 0, n = 0, k;
		uint64_t *v = NULL;
		struct text tx;

		ti->pat_base = kb->npat;
		if (t->system)
			continue;
		if (t->title) {
			index_text(kb, t->title, strlen(t->title), &tx);
			topic_feats_add(&v, &n, &alloc, &tx);
			text_release(&tx);
		}
		for (j = 0; j < t->nkeywords; j++) {
			index_text(kb, t->keywords[j], strlen(t->keywords[j]), &tx);
			topic_feats_add(&v, &n, &alloc, &tx);
			text_release(&tx);
		}
		for (j = 0; j < t->nasks; j++) {
			index_text(kb, t->asks[j], strlen(t->asks[j]), &tx);
			topic_feats_add(&v, &n, &alloc, &tx);
			/* the examples: what the prefilter's messages look like */
			corpus = xgrow(corpus, &acorpus, ncorpus + 1, sizeof(*corpus));
			corpus[ncorpus++] = tx.folded;
			tx.folded = NULL;
			text_release(&tx);
		}
		k = unique_sorted(v, n, &seen, &aseen);
		ti->feats = v;
		ti->nfeats = k;
		for (j = 0; j < k; j++)
			hash_add(&kb->sim, v[j], (uint32_t)i);
		kb->pat_topic = xrealloc(kb->pat_topic,
		    (kb->npat + ti->nmatch + 1) * sizeof(*kb->pat_topic));
		for (j = 0; j < ti->nmatch; j++) {
			kb->pat_topic[kb->npat] = (uint32_t)i;
			ti->match[j].pf = prefilter_add(kb->pf, ti->match[j].fold, 0);
			kb->npat++;
		}
	}
	/* not: lines after every match: line, so a match: id is its prefilter id */
	for (i = 0; i < kb->n; i++) {
		struct kb_topic_int *ti = &kb->t[i];

		for (j = 0; j < ti->nnot && !ti->pub.system; j++) {
			struct kb_pattern *p = &ti->not[j];
			struct kb_compiled *c = kb_compiled_find(kb, p->src);

			/* with diacritics, it is read from its folded form: only
			 * when both have the same syntax */
			p->pf = prefilter_add(kb->pf, !p->exact || c->same_shape ?
			    p->fold : NULL, PF_LAZY | PF_DECIDE |
			    (p->exact ? PF_CONTAIN : 0));
		}
	}
	same_index(kb);
	for (i = 0; i < kb->n; i++) {
		struct kb_topic_int *ti = &kb->t[i];

		for (j = 0; j < ti->nmatch; j++) {
			ti->match[j].lc = kb_compiled_find(kb, ti->match[j].src);
			ti->match[j].lc->roles |= KB_ROLE_MATCH;
		}
		for (j = 0; j < ti->nnot; j++) {
			ti->not[j].lc = kb_compiled_find(kb, ti->not[j].src);
			ti->not[j].lc->roles |= KB_ROLE_NOT;
		}
	}
	hash_pack(&kb->sim);
	prefilter_build(kb->pf, (const char *const *)corpus, ncorpus);
	for (i = 0; i < ncorpus; i++)
		free(corpus[i]);
	free(corpus);
	free(seen);
	kb->pmark = xcalloc(kb->npat + 1, sizeof(*kb->pmark));
	kb->pallow = xcalloc(kb->npat + 1, sizeof(*kb->pallow));
	kb->acc = xcalloc(kb->n + 1, sizeof(*kb->acc));
	kb->cands = xcalloc(kb->n + 1, sizeof(uint32_t));
	kb->ord = xcalloc(kb->n + 1, sizeof(*kb->ord));
}

void
index_free(struct kb *kb)
{
	hash_free(&kb->sim);
	prefilter_free(kb->pf);
	free(kb->pat_topic);
	free(kb->pmark);
	free(kb->pallow);
	free(kb->not_mark[0]);
	free(kb->not_mark[1]);
	free(kb->not_res[0]);
	free(kb->not_res[1]);
	free(kb->acc);
	free(kb->cands);
	free(kb->ord);
	free(kb->stop_set);
	kb->stop_set = NULL;
}
