#include "match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kb_int.h"
#include "prefilter.h"
#include "util.h"

/* Weights of the score; README "How a question is answered" explains them. */
#define W_STOP          0.15    /* a stop word counts this much of a word */
#define W_MISMARK       0.7     /* "thuê" asked, topic knows only "thuế" */
#define R_EXACT         1.0
#define R_FOLDED_MARKED 0.45    /* hit only without the diacritics typed */
#define SIM_ONLY        0.70
#define MAX_DF_MIN      64      /* features in more topics than max(this, n/5) are skipped */

uint64_t
kb_feat_key(int kind, const char *s, size_t n)
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

static struct kb_feat *
hash_get(const struct kb_hash *h, uint64_t key)
{
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
	f->df = f->npost;
}

static void
hash_free(struct kb_hash *h)
{
	size_t i;

	if (!h->slot)
		return;
	for (i = 0; i <= h->mask; i++)
		free(h->slot[i].post);
	free(h->slot);
	h->slot = NULL;
}

/* ---- texts ---- */

/*
 * Telex residue is read before abbreviations: "queen mk" holds the
 * abbreviation "mk" only once "queen" has become "quên". Does nothing until
 * the kb's own words are known (kb_vocab_build runs after the index).
 */
static void
telex_fix(const struct kb *kb, struct text *t)
{
	struct buf b;
	struct text dec;

	buf_init(&b, BUF_CAP_TEXT);
	if (kb_telex_fix(kb, t, &b)) {
		text_normalize(&dec, b.data, b.len);
		dec.truncated = t->truncated;
		dec.repaired = t->repaired;
		text_release(t);
		*t = dec;
	}
	buf_release(&b);
}

void
kb_text_expand(const struct kb *kb, const char *s, size_t len, struct text *out)
{
	struct text raw;
	struct buf b;

	text_normalize(&raw, s, len);
	telex_fix(kb, &raw);
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

static const char *
tok_f(const struct text *t, size_t i, size_t *n)
{
	*n = t->tok[i].flen;
	return t->folded + t->tok[i].foff;
}

static uint64_t
bigram_key(int kind, const struct text *t, size_t i)
{
	const char *base = kind == FEAT_FOLD_BI ? t->folded : t->exact;
	size_t a = kind == FEAT_FOLD_BI ? t->tok[i].foff : t->tok[i].eoff;
	size_t e = kind == FEAT_FOLD_BI ? t->tok[i + 1].foff + t->tok[i + 1].flen :
	    t->tok[i + 1].eoff + t->tok[i + 1].elen;

	return kb_feat_key(kind, base + a, e - a);
}

static void
topic_feats_add(uint64_t **v, size_t *n, size_t *alloc, const struct text *t)
{
	size_t i, fl;
	const char *f;

	for (i = 0; i < t->ntok; i++) {
		*v = xgrow(*v, alloc, *n + 4, sizeof(**v));
		f = tok_f(t, i, &fl);
		(*v)[(*n)++] = kb_feat_key(FEAT_FOLD_UNI, f, fl);
		if (t->tok[i].marked) {
			(*v)[(*n)++] = kb_feat_key(FEAT_MARKED_UNI, f, fl);
			(*v)[(*n)++] = kb_feat_key(FEAT_EXACT_UNI,
			    t->exact + t->tok[i].eoff, t->tok[i].elen);
		}
		if (i + 1 < t->ntok)
			(*v)[(*n)++] = bigram_key(FEAT_FOLD_BI, t, i);
	}
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * Indexes a pattern under one required word (prefilter.c), so it is only
 * tried on messages holding that word; without one it is tried always.
 */
static void
pattern_index(struct kb *kb, uint32_t gid, const char *src)
{
	char *fo = text_pattern_fold(src);
	struct prefilter_set set;
	size_t i;

	if (fo && prefilter_words(fo, &set) == 0) {
		for (i = 0; i < set.n; i++)
			hash_add(&kb->vocab, kb_feat_key(FEAT_FOLD_UNI, set.w[i],
			    strlen(set.w[i])), gid);
	} else {
		kb->always = xrealloc(kb->always,
		    (kb->nalways + 1) * sizeof(*kb->always));
		kb->always[kb->nalways++] = gid;
	}
	free(fo);
}

void
kb_index_build(struct kb *kb)
{
	size_t i, j;

	hash_init(&kb->sim, 1024);
	hash_init(&kb->vocab, 256);
	if (kb->nstop)
		qsort(kb->stop, kb->nstop, sizeof(*kb->stop), u64_cmp);
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
			kb_text_expand(kb, t->title, strlen(t->title), &tx);
			topic_feats_add(&v, &n, &alloc, &tx);
			text_release(&tx);
		}
		for (j = 0; j < t->nkeywords; j++) {
			kb_text_expand(kb, t->keywords[j], strlen(t->keywords[j]), &tx);
			topic_feats_add(&v, &n, &alloc, &tx);
			text_release(&tx);
		}
		for (j = 0; j < t->nasks; j++) {
			kb_text_expand(kb, t->asks[j], strlen(t->asks[j]), &tx);
			topic_feats_add(&v, &n, &alloc, &tx);
			text_release(&tx);
		}
		if (n)
			qsort(v, n, sizeof(*v), u64_cmp);
		for (j = 0, k = 0; j < n; j++)
			if (!k || v[k - 1] != v[j])
				v[k++] = v[j];
		ti->feats = v;
		ti->nfeats = k;
		for (j = 0; j < k; j++)
			hash_add(&kb->sim, v[j], (uint32_t)i);
		kb->pat_topic = xrealloc(kb->pat_topic,
		    (kb->npat + ti->nmatch + 1) * sizeof(*kb->pat_topic));
		for (j = 0; j < ti->nmatch; j++) {
			kb->pat_topic[kb->npat] = (uint32_t)i;
			pattern_index(kb, kb->npat, ti->match[j].src);
			kb->npat++;
		}
	}
	kb->pmark = xcalloc(kb->npat + 1, sizeof(*kb->pmark));
	kb->acc = xcalloc(kb->n + 1, sizeof(*kb->acc));
	kb->cands = xcalloc(kb->n + 1, sizeof(uint32_t));
}

void
kb_index_free(struct kb *kb)
{
	hash_free(&kb->sim);
	hash_free(&kb->vocab);
	free(kb->always);
	free(kb->pat_topic);
	free(kb->pmark);
	free(kb->acc);
	free(kb->cands);
}

/* ---- matching ---- */

struct qfeat {
	uint64_t key;
	double w;
	int kind;
	uint64_t exact;         /* FEAT_EXACT_UNI key when the token is marked */
};

static bool
is_stop(const struct kb *kb, uint64_t key)
{
	return kb->nstop &&
	    bsearch(&key, kb->stop, kb->nstop, sizeof(*kb->stop), u64_cmp) != NULL;
}

static double
idf(const struct kb *kb, uint32_t df)
{
	double n = (double)(kb->n ? kb->n : 1);

	return log(1.0 + n / (double)(df ? df : 1));
}

/* Runs one compiled pattern; PCRE2 limits turn runaway patterns into misses. */
static bool
run(struct kb *kb, pcre2_code *re, const char *s, size_t *so, size_t *eo)
{
	int rc;
	PCRE2_SIZE *ov;

	if (!re)
		return false;
	rc = pcre2_match(re, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0,
	    PCRE2_NO_UTF_CHECK, kb->md, kb->mctx);
	if (rc < 0)
		return false;   /* no match, or MATCHLIMIT/HEAPLIMIT/JIT stack */
	ov = pcre2_get_ovector_pointer(kb->md);
	*so = ov[0];
	*eo = ov[1];
	return true;
}

/* Did the resident type diacritics on any token in folded bytes [so,eo)? */
static bool
span_marked(const struct text *t, size_t so, size_t eo)
{
	size_t i;

	for (i = 0; i < t->ntok; i++) {
		size_t a = t->tok[i].foff, b = a + t->tok[i].flen;

		if (b > so && a < eo && t->tok[i].marked)
			return true;
	}
	return false;
}

/* Runs one form of a pattern, JIT-compiling it once it proves hot. */
static bool
prun(struct kb *kb, struct kb_pattern *p, int folded, const char *s,
    size_t *so, size_t *eo)
{
	pcre2_code *re = folded ? p->folded : p->exact;

	if (re && ++p->uses[folded] == KB_JIT_AFTER)
		/* an optimisation: without JIT pcre2_match interprets */
		(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
	return run(kb, re, s, so, eo);
}

static double
pattern_hit(struct kb *kb, struct kb_pattern *p, const struct text *t,
    double *spec)
{
	size_t so, eo, fl;

	/* An exact hit implies a folded one: the cheap miss comes first. */
	if (!prun(kb, p, 1, t->folded, &so, &eo))
		return 0;
	fl = strlen(t->folded);
	*spec = fl ? (double)(eo - so) / (double)fl : 0;
	if (!p->exact)
		return R_EXACT;         /* written without diacritics: either way */
	if (prun(kb, p, 0, t->exact, &so, &eo))
		return R_EXACT;
	/* Hit only without diacritics: a real mismatch if the resident typed
	 * them there ("thuê" for "thuế"), else the expected case. */
	return span_marked(t, so, eo) ? R_FOLDED_MARKED : R_EXACT;
}

/* Best hit among v[0..n); only patterns marked this round when gid != -1. */
static double
patterns_best(struct kb *kb, struct kb_pattern *v, size_t n,
    const struct text *t, const struct text *t0, double *spec, long gid)
{
	double best = 0, bspec = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double s = 0, r;

		if (gid >= 0 && kb->pmark[gid + (long)i] != kb->epoch)
			continue;
		r = pattern_hit(kb, &v[i], t, &s);
		if (t0 && r < R_EXACT) {
			double s0 = 0, r0 = pattern_hit(kb, &v[i], t0, &s0);

			if (r0 > r || (r0 == r && s0 > s)) {
				r = r0;
				s = s0;
			}
		}
		if (r > best || (r == best && s > bspec)) {
			best = r;
			bspec = s;
		}
	}
	*spec = bspec;
	return best;
}

static void
mark_pattern(struct kb *kb, uint32_t gid, size_t *ncand)
{
	uint32_t ti = kb->pat_topic[gid];

	kb->pmark[gid] = kb->epoch;
	if (kb->acc[ti].mark != kb->epoch) {
		kb->acc[ti].mark = kb->epoch;
		kb->acc[ti].uni = kb->acc[ti].bi = kb->acc[ti].pen = 0;
		kb->cands[(*ncand)++] = ti;
	}
}

/*
 * A veto must be certain: a `not:` written with diacritics rules a topic
 * out only on an exact hit, never on a message typed without them
 * ("cống" must not veto "cong dan").
 */
static bool
not_hit(struct kb *kb, const struct kb_topic_int *tp, const struct text *t,
    const struct text *t0)
{
	const struct text *tv[2] = { t, t0 };
	size_t i, v, so, eo;

	for (i = 0; i < tp->nnot; i++) {
		struct kb_pattern *p = &tp->not[i];

		for (v = 0; v < 2 && tv[v]; v++) {
			if (p->exact ? prun(kb, p, 0, tv[v]->exact, &so, &eo) :
			    prun(kb, p, 1, tv[v]->folded, &so, &eo))
				return true;
		}
	}
	return false;
}

const char *
match_action_name(enum match_action a)
{
	switch (a) {
	case MATCH_ANSWER:
		return "answer";
	case MATCH_CLARIFY:
		return "clarify";
	case MATCH_FALLBACK:
		return "fallback";
	}
	return "fallback";
}

static int
cand_cmp(const void *a, const void *b)
{
	const struct match_cand *x = a, *y = b;

	if (x->score != y->score)
		return x->score > y->score ? -1 : 1;
	if (x->regex != y->regex)
		return x->regex > y->regex ? -1 : 1;
	/* file order: topics are stored in load order */
	return x->topic < y->topic ? -1 : x->topic > y->topic;
}

#define TOPK (MATCH_MAX_CAND + 1)

/*
 * The best few candidates, one per family (a topic and its sections): a
 * topic and its own section close together are not a close call between
 * guides, so the family's best member stands for it and margins are taken
 * against other families.
 */
static const struct kb_topic *
family(const struct kb_topic *t)
{
	return t->parent ? t->parent : t;
}

static long
topk_family(const struct match_cand *top, size_t n, const struct match_cand *c)
{
	const struct kb_topic *root = family(c->topic);
	size_t i;

	for (i = 0; i < n; i++)
		if (family(top[i].topic) == root)
			return (long)i;
	return -1;
}

/* Would c enter the best-k list top[0..*n)? (Only the best few matter.) */
static bool
topk_admits(const struct match_cand *top, size_t n, const struct match_cand *c)
{
	long f;

	/* most candidates lose to the last one: no family scan for them */
	if (n == TOPK && cand_cmp(c, &top[n - 1]) >= 0)
		return false;
	f = topk_family(top, n, c);
	return f < 0 || cand_cmp(c, &top[f]) < 0;
}

/* Inserts c, replacing its family's member if it had one (c is better). */
static void
topk_insert(struct match_cand *top, size_t *n, const struct match_cand *c)
{
	long f = topk_family(top, *n, c);
	size_t i;

	if (f >= 0)
		i = (size_t)f;  /* c ranks above it: shift into its slot */
	else
		i = *n < TOPK ? (*n)++ : TOPK - 1;
	while (i > 0 && cand_cmp(c, &top[i - 1]) < 0) {
		top[i] = top[i - 1];
		i--;
	}
	top[i] = *c;
}

void
kb_match(struct kb *kb, const char *msg, size_t len, struct match_result *r)
{
	struct text t, t0;
	bool have_t0 = false;
	struct qfeat q[3 * TEXT_MAX_TOKENS];
	size_t nq = 0, i, j, ncand = 0, nall = 0;
	double total_uni = 0;
	uint32_t max_df = kb->n / 5 > MAX_DF_MIN ? (uint32_t)(kb->n / 5) : MAX_DF_MIN;
	struct match_cand all[TOPK];

	memset(r, 0, sizeof(*r));
	r->action = MATCH_FALLBACK;
	if (!kb->n)
		return;
	text_normalize(&t0, msg, len);
	telex_fix(kb, &t0);
	if (kb->abbrev) {
		struct buf b;

		buf_init(&b, BUF_CAP_TEXT);
		if (abbrev_expand(kb->abbrev, &t0, &b)) {
			text_normalize(&t, b.data, b.len);
			have_t0 = true;
		} else {
			t = t0;
		}
		buf_release(&b);
	} else {
		t = t0;
	}
	if (!t.ntok)
		goto out;

	if (++kb->epoch == 0) {
		for (i = 0; i <= kb->n; i++)
			kb->acc[i].mark = 0;
		memset(kb->pmark, 0, (kb->npat + 1) * sizeof(*kb->pmark));
		kb->epoch = 1;
	}

	/* Query features, each counted once. */
	for (i = 0; i < t.ntok; i++) {
		size_t fl;
		const char *f = tok_f(&t, i, &fl);
		uint64_t key = kb_feat_key(FEAT_FOLD_UNI, f, fl);
		bool dup = false, stop = is_stop(kb, key);

		for (j = 0; j < nq; j++)
			if (q[j].key == key)
				dup = true;
		if (!dup) {
			struct kb_feat *kf = hash_get(&kb->sim, key);

			/* A word in most topics tells them apart no better than a
			 * stop word; skipping it also keeps its long posting list
			 * out of the loop below (the classic max-df cut). */
			if (kf && kf->df > max_df)
				goto pair;
			q[nq].key = key;
			q[nq].kind = FEAT_FOLD_UNI;
			q[nq].w = idf(kb, kf ? kf->df : 0) * (stop ? W_STOP : 1.0);
			q[nq].exact = t.tok[i].marked ? kb_feat_key(FEAT_EXACT_UNI,
			    t.exact + t.tok[i].eoff, t.tok[i].elen) : 0;
			total_uni += q[nq].w;
			nq++;
		}
pair:
		if (i + 1 < t.ntok) {
			uint64_t bk = bigram_key(FEAT_FOLD_BI, &t, i);
			size_t fl2;
			const char *f2 = tok_f(&t, i + 1, &fl2);
			bool stop2 = is_stop(kb, kb_feat_key(FEAT_FOLD_UNI, f2, fl2));
			struct kb_feat *kf = hash_get(&kb->sim, bk);

			dup = false;
			for (j = 0; j < nq; j++)
				if (q[j].key == bk)
					dup = true;
			if (!dup && kf && kf->df <= max_df) {
				q[nq].key = bk;
				q[nq].kind = FEAT_FOLD_BI;
				q[nq].w = idf(kb, kf->df) * (stop && stop2 ? W_STOP : 1.0);
				q[nq].exact = 0;
				nq++;
			}
		}
	}

	/* Accumulate over postings; candidates are the topics touched. */
	for (i = 0; i < nq; i++) {
		struct kb_feat *kf = hash_get(&kb->sim, q[i].key);

		if (!kf)
			continue;
		for (j = 0; j < kf->npost; j++) {
			uint32_t ti = kf->post[j];

			if (kb->acc[ti].mark != kb->epoch) {
				kb->acc[ti].mark = kb->epoch;
				kb->acc[ti].uni = kb->acc[ti].bi = kb->acc[ti].pen = 0;
				kb->cands[ncand++] = ti;
			}
			if (q[i].kind == FEAT_FOLD_UNI)
				kb->acc[ti].uni += q[i].w;
			else
				kb->acc[ti].bi += q[i].w;
		}
	}
	/*
	 * The resident typed diacritics: a topic that knows this word only
	 * with other marks ("thuế" for "thuê") loses most of its weight.
	 */
	for (i = 0; i < t.ntok; i++) {
		size_t fl, a, b;
		const char *f;
		struct kb_feat *mk, *ex;
		double w = 0;

		if (!t.tok[i].marked)
			continue;
		f = tok_f(&t, i, &fl);
		mk = hash_get(&kb->sim, kb_feat_key(FEAT_MARKED_UNI, f, fl));
		if (!mk)
			continue;
		ex = hash_get(&kb->sim, kb_feat_key(FEAT_EXACT_UNI,
		    t.exact + t.tok[i].eoff, t.tok[i].elen));
		for (j = 0; j < nq; j++)
			if (q[j].key == kb_feat_key(FEAT_FOLD_UNI, f, fl))
				w = q[j].w;
		/* merge-walk two sorted posting lists: marked but not exact */
		for (a = 0, b = 0; a < mk->npost; a++) {
			uint32_t ti = mk->post[a];

			while (ex && b < ex->npost && ex->post[b] < ti)
				b++;
			if (ex && b < ex->npost && ex->post[b] == ti)
				continue;
			if (kb->acc[ti].mark == kb->epoch)
				kb->acc[ti].pen += w * W_MISMARK;
		}
	}
	/* Patterns whose required word occurs (as typed or expanded). */
	{
		const struct text *tv[2] = { &t, have_t0 ? &t0 : NULL };
		size_t v;

		for (v = 0; v < 2 && tv[v]; v++) {
			for (i = 0; i < tv[v]->ntok; i++) {
				size_t fl;
				const char *f = tok_f(tv[v], i, &fl);
				struct kb_feat *kf = hash_get(&kb->vocab,
				    kb_feat_key(FEAT_FOLD_UNI, f, fl));

				for (j = 0; kf && j < kf->npost; j++)
					mark_pattern(kb, kf->post[j], &ncand);
			}
		}
		for (i = 0; i < kb->nalways; i++)
			mark_pattern(kb, kb->always[i], &ncand);
	}

	for (i = 0; i < ncand; i++) {
		uint32_t ti = kb->cands[i];
		struct kb_topic_int *tp = &kb->t[ti];
		double matched = kb->acc[ti].uni - kb->acc[ti].pen, sim, rx, spec = 0, score;

		if (matched < 0)
			matched = 0;
		sim = total_uni > 0 ?
		    (matched + kb->acc[ti].bi) / (total_uni + kb->acc[ti].bi) : 0;
		rx = patterns_best(kb, tp->match, tp->nmatch, &t,
		    have_t0 ? &t0 : NULL, &spec, (long)tp->pat_base);
		score = sim * SIM_ONLY;
		if (rx > 0) {
			double s2 = rx * (0.40 + 0.50 * sim + 0.10 * spec);

			if (s2 > score)
				score = s2;
		}
		if (score <= 0)
			continue;
		{
			struct match_cand c = { &tp->pub, score, rx, sim };

			if (!topk_admits(all, nall, &c))
				continue;
			if (tp->nnot && not_hit(kb, tp, &t, have_t0 ? &t0 : NULL))
				continue;
			topk_insert(all, &nall, &c);
		}
	}
	if (nall) {
		/*
		 * Safety first: a close call involving a "priority: high" topic
		 * (scams) that a pattern hit goes to that topic, not to a menu.
		 */
		for (i = 1; i < nall; i++) {
			if (all[i].topic->priority && !all[0].topic->priority &&
			    all[i].regex > 0 && all[i].score >= MATCH_ANSWER_MIN &&
			    all[i].score > all[0].score - MATCH_MARGIN) {
				struct match_cand c = all[i];

				memmove(&all[1], &all[0], i * sizeof(all[0]));
				all[0] = c;
				break;
			}
		}
		r->topic = all[0].topic;
		r->score = all[0].score;
		for (i = 0; i < nall && r->ncand < MATCH_MAX_CAND; i++) {
			if (i > 0 && all[i].score < MATCH_CLARIFY_MIN)
				break;
			if (i > 0 && all[i].score < all[0].score - 0.25)
				break;
			r->cand[r->ncand++] = all[i];
		}
		if (r->score >= MATCH_ANSWER_MIN && (nall == 1 ||
		    all[1].score <= r->score - MATCH_MARGIN ||
		    (all[0].topic->priority && all[0].regex > 0)))
			r->action = MATCH_ANSWER;
		else if (r->score >= MATCH_CLARIFY_MIN)
			r->action = MATCH_CLARIFY;
		else
			r->action = MATCH_FALLBACK;
	}
out:
	if (have_t0)
		text_release(&t);
	text_release(&t0);
}
