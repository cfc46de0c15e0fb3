#include "match.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "kb_int.h"
#include "prefilter.h"
#include "util.h"
#include "vocab.h"

/* Weights of the score; README "How a question is answered" explains them. */
#define W_STOP          0.15    /* a stop word counts this much of a word */
#define W_MISMARK       0.7     /* "thuê" asked, topic knows only "thuế" */
#define R_EXACT         1.0
#define R_FOLDED_MARKED 0.45    /* a word typed with other diacritics */
#define SIM_ONLY        0.70
#define VETO_LONG       25      /* words: a story with the question in it */
#define VETO_FAR        8       /* words between a veto and the topic's hit */
#define VETO_SPANS      16      /* match: hits kept per text for veto_aside */
#define MAX_DF_MIN      64      /* features in more topics than max(this, n/5) are skipped */

/* ---- matching ---- */

struct qfeat {
	uint64_t key;
	double w;
	int kind;
	bool stop;              /* a stop word, or a pair of them */
	uint64_t exact;         /* FEAT_EXACT_UNI key when the token is marked */
};

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

#define SPAN_MARKED   1        /* a token typed with diacritics */
#define SPAN_UNMARKED 2        /* a token with letters typed without */

/* Which tokens in folded bytes [so,eo) did the resident type with
 * diacritics, which without (SPAN_*)? */
static int
span_marked(const struct text *t, size_t so, size_t eo)
{
	size_t i;
	int r = 0;

	for (i = 0; i < t->ntok; i++) {
		const struct text_tok *k = &t->tok[i];
		size_t a = k->foff, b = a + k->flen, j;

		if (b <= so)
			continue;
		if (a >= eo)
			break;
		if (k->marked) {
			r |= SPAN_MARKED;
			continue;
		}
		for (j = a; j < b && !(r & SPAN_UNMARKED); j++)
			if ((t->folded[j] | 0x20) >= 'a' && (t->folded[j] | 0x20) <= 'z')
				r |= SPAN_UNMARKED;
	}
	return r;
}

/*
 * The exact form of a match: line for a message typed with diacritics on
 * some words only (text_pattern_mixed): compiled the first time one needs
 * it, and never JIT-compiled: it runs only where the exact form missed.
 */
static pcre2_code *
mixed_form(struct kb_compiled *c)
{
	char *s;

	if (!c->mixed_tried) {
		c->mixed_tried = true;
		if ((s = text_pattern_mixed(c->src))) {
			c->mixed = kb_pattern_compile(s, strlen(s), NULL);
			free(s);
		}
	}
	return c->mixed;
}

/*
 * The exact form of a match: line "^(?=.*A)(?!.*B).*T" (prefilter_all_of)
 * is cut in A, B and T, each run from anywhere: only whether it matches
 * counts, and the form is interpreted, never JIT-compiled (hot()), where
 * ".*" before an alternation is tried at every position from the end back,
 * each alternative caselessly in UTF-8: the slowest questions spent 20,000
 * to 70,000 cycles on one such run.
 */
static void
cut_all_of(struct kb_compiled *c, const char *ex)
{
	char *pc[PF_PIECES_MAX];
	struct kb_pieces *k;
	uint64_t neg;
	size_t n, i;

	if (!prefilter_all_of(ex, pc, &neg, &n))
		return;
	k = xcalloc(1, sizeof(*k) + n * sizeof(k->code[0]));
	k->uses = xcalloc(n + 1, sizeof(*k->uses));
	k->shape = KB_ALL_OF;
	k->neg = neg;
	k->n = (uint32_t)n;
	k->interpreted = true;
	for (i = 0; i < n; i++)
		if (!(k->code[i] = kb_pattern_compile_anywhere(pc[i],
		    strlen(pc[i]))))
			break;
	if (i == n) {
		c->pieces[0] = k;
	} else {
		while (i > 0)
			pcre2_code_free(k->code[--i]);
		free(k->uses);
		free(k);
	}
	for (i = 0; i < n; i++)
		free(pc[i]);
}

/*
 * A form (0 exact, 1 folded) of a line is run a second time: a line the
 * prefilter can read in pieces (prefilter_pieces: the top-level
 * alternatives, or the alternatives X names in "^(?!.*X).*") is cut, so
 * that a message runs only the pieces that may match it (prefilter_live),
 * each JIT-compiled in its turn once it proves hot. The exact form of a
 * match: line is cut too: only whether it matches counts (exact against
 * folded-only), so its pieces run until one matches, the one the folded
 * form hit with first (prun's hint). The whole stays for a line that does
 * not cut.
 */
static void
cut(struct kb_compiled *c, int folded)
{
	struct pf_piece pc[PF_PIECES_MAX];
	struct kb_pieces *k;
	enum pf_shape sh;
	char *ex = NULL;
	const char *s;
	size_t n, i;

	if (folded) {
		s = c->fold;
	} else {
		if (!(ex = text_pattern_exact(c->src)))
			return;
		if (c->roles == KB_ROLE_MATCH) {
			cut_all_of(c, ex);
			if (c->pieces[0]) {
				free(ex);
				return;
			}
		}
		/* the prefilter's pieces are the folded form's */
		if (!c->same_shape) {
			free(ex);
			return;
		}
		s = ex;
	}
	sh = prefilter_pieces(s, pc, &n);
	if (sh == PF_WHOLE || (sh == PF_NONE_OF && !(c->roles & KB_ROLE_NOT)) ||
	    (!folded && !(c->roles & KB_ROLE_NOT) && sh != PF_ANY)) {
		free(ex);
		return;
	}
	k = xcalloc(1, sizeof(*k) + n * sizeof(k->code[0]));
	k->uses = xcalloc(n + 1, sizeof(*k->uses));
	k->shape = sh;
	k->n = (uint32_t)n;
	for (i = 0; i < n; i++)
		if (!(k->code[i] = sh == PF_NONE_OF ?
		    kb_pattern_compile_anywhere(s + pc[i].a, pc[i].b - pc[i].a) :
		    kb_pattern_compile(s + pc[i].a, pc[i].b - pc[i].a, NULL)))
			break;
	free(ex);
	if (i < n) {
		/* not one to cut after all: as a whole */
		while (i > 0)
			pcre2_code_free(k->code[--i]);
		free(k->uses);
		free(k);
		return;
	}
	k->interpreted = !folded && c->roles == KB_ROLE_MATCH;
	c->pieces[folded] = k;
}

/*
 * The form has proved hot: JIT-compile the whole, where the whole runs.
 * Not the exact form of a match: line, whole or in pieces: it runs only
 * after a folded hit on letters typed with marks, mostly once (the hinted
 * piece), and its JIT code, the largest of all (every marked letter in
 * both cases), was most of the matcher's memory: 2 MB of the 3.6 MB of
 * JIT code on the bundled kb.
 */
static void
hot(struct kb_compiled *c, int folded)
{
	struct kb_pieces *k = c->pieces[folded];

	if (!folded && c->roles == KB_ROLE_MATCH)
		return;
	if (!k || (c->roles & KB_ROLE_MATCH && k->shape != PF_ANY))
		/* an optimisation: without JIT pcre2_match interprets */
		(void)pcre2_jit_compile(folded ? c->folded : c->exact,
		    PCRE2_JIT_COMPLETE);
}

void
match_free(struct kb *kb)
{
	size_t i, j;
	int f;

	for (i = 0; kb->compiled && i <= kb->compiled_mask; i++)
		for (f = 0; f < 2; f++) {
			struct kb_pieces *k = kb->compiled[i].pieces[f];

			for (j = 0; k && j < k->n; j++)
				pcre2_code_free(k->code[j]);
			if (k)
				free(k->uses);
			free(k);
			kb->compiled[i].pieces[f] = NULL;
		}
	for (i = 0; kb->compiled && i <= kb->compiled_mask; i++) {
		struct kb_pieces *k = kb->compiled[i].mixed_pieces;

		pcre2_code_free(kb->compiled[i].mixed);
		kb->compiled[i].mixed = NULL;
		kb->compiled[i].mixed_tried = false;
		kb->compiled[i].mixed_uses = 0;
		for (j = 0; k && j < k->n; j++)
			pcre2_code_free(k->code[j]);
		free(k);
		kb->compiled[i].mixed_pieces = NULL;
		kb->compiled[i].mixed_cut_tried = false;
	}
}

/*
 * Runs a form of a pattern. role: KB_ROLE_MATCH or KB_ROLE_NOT; live: the
 * pieces that may match this text (prefilter_live); hint: the piece a run
 * in pieces hit with (the leftmost), for the exact form's run after the
 * folded one (UINT32_MAX: none). In pieces, PF_ANY
 * matches where the leftmost live piece does (the first on a tie: what
 * the alternation gives), PF_NONE_OF when no live piece matches (a piece
 * that is not live cannot).
 */
/* Runs piece i; it is JIT-compiled in its turn, once it proves hot and if
 * it is big enough for JIT code to pay for its memory. */
static bool
piece_run(struct kb *kb, struct kb_pieces *k, uint32_t i, const char *s,
    size_t *so, size_t *eo)
{
	if (++k->uses[i] == KB_JIT_AFTER && !k->interpreted) {
		size_t sz = 0;

		(void)pcre2_pattern_info(k->code[i], PCRE2_INFO_SIZE, &sz);
		if (sz >= KB_JIT_PIECE_MIN)
			(void)pcre2_jit_compile(k->code[i], PCRE2_JIT_COMPLETE);
	}
	return run(kb, k->code[i], s, so, eo);
}

/*
 * The exact form of a match: line in pieces: does any match? The piece
 * the folded form hit with (hint, or none) first: where the resident typed
 * the diacritics as written, it is the one that matches.
 */
static bool
exact_any(struct kb *kb, struct kb_pieces *k, const char *s, uint32_t hint)
{
	size_t a, b;
	uint32_t i;

	if (hint < k->n && piece_run(kb, k, hint, s, &a, &b))
		return true;
	for (i = 0; i < k->n; i++)
		if (i != hint && piece_run(kb, k, i, s, &a, &b))
			return true;
	return false;
}

/* The exact form of "^(?=.*A)(?!.*B).*T" in pieces: A, T match, B not. */
static bool
exact_all(struct kb *kb, struct kb_pieces *k, const char *s)
{
	size_t a, b;
	uint32_t i;

	for (i = 0; i < k->n; i++)
		if (piece_run(kb, k, i, s, &a, &b) == (bool)(k->neg >> i & 1))
			return false;
	return true;
}

static bool
prun(struct kb *kb, struct kb_pattern *p, int folded, int role,
    const char *s, uint64_t live, size_t *so, size_t *eo, uint32_t *hint)
{
	struct kb_compiled *c = p->lc;
	pcre2_code *re = folded ? p->folded : kb_exact(c);
	struct kb_pieces *k;
	uint32_t i;
	bool any = false;

	if (!re)
		return false;
	if (++c->uses[folded] == KB_CUT_AFTER)
		cut(c, folded);
	if (c->uses[folded] == KB_JIT_AFTER)
		hot(c, folded);
	k = c->pieces[folded];
	if (k && role == KB_ROLE_MATCH && !folded && k->shape == KB_ALL_OF)
		return exact_all(kb, k, s);
	if (k && role == KB_ROLE_MATCH && !folded && k->shape == PF_ANY)
		return exact_any(kb, k, s, *hint);
	if (!k || (role == KB_ROLE_MATCH && k->shape != PF_ANY))
		return run(kb, re, s, so, eo);
	for (i = 0; i < k->n; i++) {
		size_t a, b;

		if (!(live >> i & 1))
			continue;
		if (!piece_run(kb, k, i, s, &a, &b))
			continue;
		if (k->shape == PF_NONE_OF)
			return false;
		if (!any || a < *so) {
			*so = a;
			*eo = b;
			*hint = i;
			any = true;
		}
		if (a == 0)
			break;          /* none later can start before */
	}
	if (k->shape == PF_NONE_OF) {
		*so = 0;
		*eo = strlen(s);
		return true;
	}
	return any;
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

/*
 * One question on its way through the stages of match_run:
 *
 *   normalize  -> t (abbreviations expanded) and t0 (as typed), Telex read
 *   features   -> the question's weighted unigrams and bigrams, q[]
 *   words      -> candidate topics sharing a feature, with their weights
 *   patterns   -> patterns the prefilter lets through; their topics join
 *   scores     -> each candidate's score, vetoes, the best few (top[])
 *   decision   -> answer, clarify or fallback
 *
 * Everything a stage needs lives here or in the kb's scratch (acc, cands,
 * pmark, reset lazily by epoch), so a stage can be read and profiled alone
 * and the hot path allocates nothing but the texts.
 */
struct mq {
	struct kb *kb;
	struct text t, t0;
	bool have_t0;           /* abbreviations changed t0 into t */
	struct qfeat q[3 * TEXT_MAX_TOKENS];
	size_t nq;
	double total_uni;
	double best_sim;        /* the best words similarity of any candidate */
	uint32_t max_df;
	size_t ncand;           /* kb->cands[0..ncand) */
	size_t nword;           /* of which from words (the rest: patterns) */
	struct match_cand top[TOPK];
	size_t ntop;
	int left_off;           /* marks_left_off; -1: not asked yet */
	struct {                /* for --explain */
		size_t pat_woken, pat_marked, pat_run, pat_hit, not_run, not_decided, vetoed,
		    scored;
	} n;
};

/*
 * Can w (n bytes, ASCII) not be a Vietnamese syllable as written, without
 * marks? A syllable ending in p, t, c or ch has a rising or a heavy tone
 * ("mat": mát, mạt, mật); iê, yê, uô/ươ, êu, ưu and uê (but "que") never
 * lose their hat or horn ("tien", "chuyen", "duoc", "neu", "luu", "thue").
 */
static bool
needs_marks(const char *w, size_t n)
{
	size_t i;
	char z = w[n - 1];

	if (n >= 2 && (z == 'p' || z == 't' || z == 'c' ||
	    (z == 'h' && w[n - 2] == 'c')))
		return true;
	for (i = 0; i + 1 < n; i++) {
		char a = w[i], b = w[i + 1];

		if ((a == 'i' && b == 'e') || (a == 'y' && b == 'e') ||
		    (a == 'u' && (b == 'o' || b == 'u')) || (a == 'e' && b == 'u') ||
		    (a == 'u' && b == 'e' && (i == 0 || w[i - 1] != 'q')))
			return true;
	}
	return false;
}

/*
 * Did the resident leave the marks off words ("quên mat khau")? Only a
 * word typed without them that the kb never writes so (vocab_plain) can
 * say so; a word it writes so too ("qua", "con", "cao", "app") may be
 * meant just so. Of those, one that cannot be a syllable without marks
 * ("mat") says it, or two that could ("khau", "co": one may be a word the
 * kb does not use, two are a habit). Only the words as typed count: an
 * abbreviation typed without marks expands without them ("ud": "ung
 * dung"). Asked once per message, where a pattern needs it.
 */
static bool
marks_left_off(struct mq *m)
{
	const struct text *t = &m->t0;
	size_t i, j, n = 0;

	if (m->left_off >= 0)
		return m->left_off;
	m->left_off = 0;
	for (i = 0; i < t->ntok && !m->left_off; i++) {
		const struct text_tok *k = &t->tok[i];
		const char *w = t->exact + k->eoff;

		if (k->marked)
			continue;
		/* a word has a vowel: "dc", "k", "bhxh" are abbreviations */
		for (j = 0; j < k->elen && !strchr("aeiouy", w[j]); j++)
			;
		if (j == k->elen || vocab_plain(m->kb, w, k->elen))
			continue;
		if (needs_marks(w, k->elen) || ++n == 2)
			m->left_off = 1;
	}
	return m->left_off;
}

/* v: which text t is (0 expanded, 1 as typed), for the prefilter. */
static double
pattern_hit(struct mq *m, struct kb_pattern *p, const struct text *t, int v,
    double *spec)
{
	struct kb *kb = m->kb;
	size_t so = 0, eo = 0, fl;
	uint32_t hint = UINT32_MAX;
	int sm;

	/* An exact hit implies a folded one: the cheap miss comes first. */
	m->n.pat_run++;
	if (!prun(kb, p, 1, KB_ROLE_MATCH, t->folded,
	    prefilter_live(kb->pf, v, p->pf), &so, &eo, &hint))
		return 0;
	m->n.pat_hit++;
	fl = strlen(t->folded);
	*spec = fl ? (double)(eo - so) / (double)fl : 0;
	if (!p->lc->marked)
		return R_EXACT;         /* written without diacritics: either way */
	/* Hit only without diacritics: a real mismatch if the resident typed
	 * other ones there ("thuê" for "thuế"), else the expected case; so the
	 * exact form is only worth running where marks were typed. */
	if (!((sm = span_marked(t, so, eo)) & SPAN_MARKED))
		return R_EXACT;
	m->n.pat_run++;
	if (prun(kb, p, 0, KB_ROLE_MATCH, t->exact, ~(uint64_t)0, &so, &eo,
	    &hint))
		return R_EXACT;
	/* Marks on some words, left off others ("quên mat khau"): a word
	 * typed without them is no mismatch, only one typed with other marks
	 * ("thuê" for "thuế"). */
	if (!(sm & SPAN_UNMARKED) || !marks_left_off(m))
		return R_FOLDED_MARKED;
	m->n.pat_run++;
	if (run(kb, mixed_form(p->lc), t->exact, &so, &eo))
		return R_EXACT;
	return R_FOLDED_MARKED;
}

/* Best hit among v[0..n) (global ids gid...), of those let through. */
static double
patterns_best(struct mq *m, struct kb_pattern *v, size_t n,
    const struct text *t0, double *spec, long gid)
{
	struct kb *kb = m->kb;
	double best = 0, bspec = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		double s = 0, r;

		uint8_t allow = kb->pallow[gid + (long)i];

		if (kb->pmark[gid + (long)i] != kb->epoch)
			continue;
		/* a text the prefilter ruled out is a miss there */
		r = allow & 1 ? pattern_hit(m, &v[i], &m->t, 0, &s) : 0;
		if (t0 && r < R_EXACT && (allow & 2)) {
			double s0 = 0, r0 = pattern_hit(m, &v[i], t0, 1, &s0);

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

/*
 * The mixed form of a not: line in the prefilter's pieces (its top-level
 * alternatives, PF_ANY), compiled on first need, never JIT-compiled: a
 * message runs only those whose folded form may match it (prefilter_live:
 * a piece whose facts are missing cannot match in any form), one or two of
 * the tens in the longest lines. NULL: run the whole.
 */
static struct kb_pieces *
mixed_pieces(struct kb_compiled *c)
{
	struct pf_piece pc[PF_PIECES_MAX];
	struct kb_pieces *k;
	char *ex, *s = NULL;
	size_t n, i;

	if (c->mixed_cut_tried)
		return c->mixed_pieces;
	c->mixed_cut_tried = true;
	/* the prefilter's pieces are the folded form's */
	if (!c->same_shape || !(ex = text_pattern_exact(c->src)))
		return NULL;
	if (prefilter_pieces(ex, pc, &n) != PF_ANY) {
		free(ex);
		return NULL;
	}
	k = xcalloc(1, sizeof(*k) + n * sizeof(k->code[0]));
	k->shape = PF_ANY;
	k->interpreted = true;
	for (i = 0; i < n; i++) {
		char end = ex[pc[i].b];

		ex[pc[i].b] = '\0';
		s = text_pattern_mixed(ex + pc[i].a);
		ex[pc[i].b] = end;
		if (!s || !(k->code[i] = kb_pattern_compile(s, strlen(s), NULL)))
			break;
		free(s);
		s = NULL;
	}
	free(s);
	free(ex);
	if (i < n) {
		/* not one to cut after all: as a whole */
		while (i > 0)
			pcre2_code_free(k->code[--i]);
		free(k);
		return NULL;
	}
	k->n = (uint32_t)n;
	return c->mixed_pieces = k;
}

/*
 * Does the mixed form of a not: line written with diacritics hit where its
 * exact form missed t ("người lạ gọi" typed "nguoi la gọi")? As for a
 * match: line, only in a message whose words as typed say the marks were
 * left off (marks_left_off): there a word typed without them reads as the
 * line writes it. Never in a message typed without any ("cống" must not
 * veto "cong dan": the expansion of an abbreviation does not count), nor
 * on a word typed with other marks ("gói" for "gọi"), which the mixed form
 * misses. A line "^(?!.*X).*" is left out: its mixed form matches less.
 */
static bool
not_mixed_hit(struct mq *m, struct kb_pattern *p, const struct text *t, int v)
{
	struct kb *kb = m->kb;
	struct kb_pieces *k;
	enum pf_shape sh = prefilter_shape(kb->pf, p->pf);
	uint64_t live;
	size_t so, eo;
	uint32_t i;

	if (!m->t0.marked || sh == PF_NONE_OF || !marks_left_off(m))
		return false;
	m->n.not_run++;
	if (v < 0 || sh != PF_ANY || !(k = mixed_pieces(p->lc))) {
		pcre2_code *re = mixed_form(p->lc);

		/* a whole line, "^(?!.*X).*Y" most often: interpreted, its
		 * mixed form costs some 9 us a run, JIT-compiled 1 */
		if (re && ++p->lc->mixed_uses == KB_JIT_AFTER)
			(void)pcre2_jit_compile(re, PCRE2_JIT_COMPLETE);
		return run(kb, re, t->exact, &so, &eo);
	}
	live = prefilter_live(kb->pf, v, p->pf);
	for (i = 0; i < k->n; i++)
		if ((live >> i & 1) && run(kb, k->code[i], t->exact, &so, &eo))
			return true;
	return false;
}

/*
 * A veto must be certain: a `not:` written with diacritics rules a topic
 * out on an exact hit, or on its mixed form's where marks were left off
 * (not_mixed_hit), never on a message typed without them ("cống" must not
 * veto "cong dan").
 */
static bool
not_hit(struct mq *m, const struct kb_topic_int *tp, const struct text *t0)
{
	struct kb *kb = m->kb;
	const struct text *tv[2] = { &m->t, t0 };
	size_t i, v, so, eo;
	uint32_t hint = UINT32_MAX;

	for (i = 0; i < tp->nnot; i++) {
		struct kb_pattern *p = &tp->not[i];

		for (v = 0; v < 2 && tv[v]; v++) {
			enum pf_verdict pv = prefilter_test(kb->pf, (int)v, p->pf);

			if (pv == PF_NO)
				continue;
			if (pv == PF_YES) {
				m->n.not_decided++;
				return true;
			}
			if (kb->not_mark[v][p->same] != kb->epoch) {
				kb->not_mark[v][p->same] = kb->epoch;
				m->n.not_run++;
				kb->not_res[v][p->same] = prun(kb, p, !p->exact,
				    KB_ROLE_NOT, p->exact ? tv[v]->exact : tv[v]->folded,
				    prefilter_live(kb->pf, (int)v, p->pf), &so, &eo,
				    &hint) ||
				    (p->exact && not_mixed_hit(m, p, tv[v], (int)v));
			}
			if (kb->not_res[v][p->same])
				return true;
		}
	}
	return false;
}

static bool
stage_normalize(struct mq *m, const char *msg, size_t len)
{
	struct kb *kb = m->kb;

	text_normalize(&m->t0, msg, len);
	index_telex(kb, &m->t0);
	m->have_t0 = false;
	if (kb->abbrev) {
		struct buf b;

		buf_init(&b, BUF_CAP_TEXT);
		if (abbrev_expand(kb->abbrev, &m->t0, &b)) {
			text_normalize(&m->t, b.data, b.len);
			m->have_t0 = true;
		} else {
			m->t = m->t0;
		}
		buf_release(&b);
	} else {
		m->t = m->t0;
	}
	return m->t.ntok > 0;
}

static void
mq_release(struct mq *m)
{
	if (m->have_t0)
		text_release(&m->t);
	text_release(&m->t0);
}

/* Query features, each counted once; a new epoch for the scratch. */
static void
stage_features(struct mq *m)
{
	struct kb *kb = m->kb;
	const struct text *t = &m->t;
	size_t i, j;

	if (++kb->epoch == 0) {
		for (i = 0; i <= kb->n; i++)
			kb->acc[i].mark = kb->acc[i].pats = kb->acc[i].said = 0;
		memset(kb->pmark, 0, (kb->npat + 1) * sizeof(*kb->pmark));
		for (i = 0; i < 2; i++)
			memset(kb->not_mark[i], 0, (kb->nsame + 1) * sizeof(uint32_t));
		kb->epoch = 1;
	}
	m->max_df = kb->n / 5 > MAX_DF_MIN ? (uint32_t)(kb->n / 5) : MAX_DF_MIN;
	for (i = 0; i < t->ntok; i++) {
		size_t fl;
		const char *f = index_word(t, i, &fl);
		uint64_t key = index_key(FEAT_FOLD_UNI, f, fl);
		bool dup = false, stop = index_stop(kb, key);

		for (j = 0; j < m->nq; j++)
			if (m->q[j].key == key)
				dup = true;
		if (!dup) {
			struct kb_feat *kf = index_find(kb, key);
			struct qfeat *qf = &m->q[m->nq];

			/* A word in most topics tells them apart no better than a
			 * stop word; skipping it also keeps its long posting list
			 * out of the words stage (the classic max-df cut). */
			if (kf && kf->npost > m->max_df)
				goto pair;
			qf->key = key;
			qf->kind = FEAT_FOLD_UNI;
			qf->w = idf(kb, kf ? kf->npost : 0) * (stop ? W_STOP : 1.0);
			qf->stop = stop;
			qf->exact = t->tok[i].marked ? index_key(FEAT_EXACT_UNI,
			    t->exact + t->tok[i].eoff, t->tok[i].elen) : 0;
			m->total_uni += qf->w;
			m->nq++;
		}
pair:
		if (i + 1 < t->ntok) {
			uint64_t bk = index_bigram(FEAT_FOLD_BI, t, i);
			size_t fl2;
			const char *f2 = index_word(t, i + 1, &fl2);
			bool stop2 = index_stop(kb, index_key(FEAT_FOLD_UNI, f2, fl2));
			struct kb_feat *kf = index_find(kb, bk);

			dup = false;
			for (j = 0; j < m->nq; j++)
				if (m->q[j].key == bk)
					dup = true;
			if (!dup && kf && kf->npost <= m->max_df) {
				struct qfeat *qf = &m->q[m->nq++];

				qf->key = bk;
				qf->kind = FEAT_FOLD_BI;
				qf->w = idf(kb, kf->npost) * (stop && stop2 ? W_STOP : 1.0);
				qf->stop = stop && stop2;
				qf->exact = 0;
			}
		}
	}
}

static void
cand_add(struct kb *kb, uint32_t ti, size_t *ncand)
{
	if (kb->acc[ti].mark != kb->epoch) {
		kb->acc[ti].mark = kb->epoch;
		kb->acc[ti].uni = kb->acc[ti].bi = kb->acc[ti].pen = 0;
		kb->cands[(*ncand)++] = ti;
	}
}

/* Accumulates over postings: candidates are the topics touched. */
static void
stage_words(struct mq *m)
{
	struct kb *kb = m->kb;
	const struct text *t = &m->t;
	size_t i, j;

	for (i = 0; i < m->nq; i++) {
		struct kb_feat *kf = index_find(kb, m->q[i].key);

		if (!kf)
			continue;
		for (j = 0; j < kf->npost; j++) {
			uint32_t ti = kf->post[j];

			cand_add(kb, ti, &m->ncand);
			if (!m->q[i].stop)
				kb->acc[ti].said = kb->epoch;
			if (m->q[i].kind == FEAT_FOLD_UNI)
				kb->acc[ti].uni += m->q[i].w;
			else
				kb->acc[ti].bi += m->q[i].w;
		}
	}
	/*
	 * The resident typed diacritics: a topic that knows this word only
	 * with other marks ("thuế" for "thuê") loses most of its weight.
	 */
	for (i = 0; i < t->ntok; i++) {
		size_t fl, a, b;
		const char *f;
		struct kb_feat *mk, *ex;
		double w = 0;
		uint64_t fk;

		if (!t->tok[i].marked)
			continue;
		f = index_word(t, i, &fl);
		mk = index_find(kb, index_key(FEAT_MARKED_UNI, f, fl));
		if (!mk)
			continue;
		ex = index_find(kb, index_key(FEAT_EXACT_UNI,
		    t->exact + t->tok[i].eoff, t->tok[i].elen));
		/* hashed once, not once per feature it is compared with */
		fk = index_key(FEAT_FOLD_UNI, f, fl);
		for (j = 0; j < m->nq; j++)
			if (m->q[j].key == fk)
				w = m->q[j].w;
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
	m->nword = m->ncand;
}

/*
 * Patterns that can match: one pass over each text finds the literal facts
 * (prefilter.h); only the patterns whose formula holds for a text are run on
 * it. Their topics join the candidates.
 */
static void
stage_patterns(struct mq *m)
{
	struct kb *kb = m->kb;
	const uint32_t *w;
	size_t i, nw;

	prefilter_begin(kb->pf);
	prefilter_scan(kb->pf, 0, m->t.folded, strlen(m->t.folded));
	if (m->have_t0)
		prefilter_scan(kb->pf, 1, m->t0.folded, strlen(m->t0.folded));
	w = prefilter_woken(kb->pf, &nw);
	m->n.pat_woken = nw;
	for (i = 0; i < nw; i++) {
		uint32_t gid = w[i];
		uint8_t allow = 0;

		if (prefilter_test(kb->pf, 0, gid) != PF_NO)
			allow |= 1;
		if (m->have_t0 && prefilter_test(kb->pf, 1, gid) != PF_NO)
			allow |= 2;
		if (!allow)
			continue;
		kb->pmark[gid] = kb->epoch;
		kb->pallow[gid] = allow;
		m->n.pat_marked++;
		cand_add(kb, kb->pat_topic[gid], &m->ncand);
		kb->acc[kb->pat_topic[gid]].pats = kb->epoch;
	}
}

/* Has the prefilter let any of ti's match: lines through? */
static bool
any_let_through(const struct kb *kb, uint32_t ti)
{
	return kb->acc[ti].pats == kb->epoch;
}

/*
 * The score of the words alone. Forms of address and particles are no
 * evidence by themselves: "được không con" shares all its words with "tài
 * khoản cho con". Beside a pattern's hit they still count.
 */
static double
words_only(const struct kb *kb, const struct kb_acc *a)
{
	return a->said == kb->epoch ? a->sim * SIM_ONLY : 0;
}

/* Token i of t that holds byte off of its folded (folded) or exact form. */
static size_t
tok_at(const struct text *t, size_t off, int folded)
{
	size_t i;

	for (i = 0; i < t->ntok; i++) {
		const struct text_tok *k = &t->tok[i];

		if ((folded ? k->foff + k->flen : k->eoff + k->elen) > off)
			return i;
	}
	return t->ntok;
}

/* Tokens between [a0, b0) and [a1, b1), 0 when they overlap. */
static size_t
tok_gap(size_t a0, size_t b0, size_t a1, size_t b1)
{
	if (b0 <= a1)
		return a1 - b0 + 1;
	if (b1 <= a0)
		return a0 - b1 + 1;
	return 0;
}

/*
 * A veto said in passing. In a long message (a story with the question in
 * it) a word of a not: line may belong to the story, not to what is asked:
 * "bác bị mất điện thoại, trong đó có VNeID với app ngân hàng, ... phải
 * làm gì để khoá lại" is about the lost phone though "ngân hàng" vetoes it.
 * The veto is set aside only when the rest of the message speaks for the
 * topic twice over: one of its own match: lines hits, every hit of its
 * not: lines is at least VETO_FAR words from every such hit (another part
 * of the story), and its words fit the message as well as any candidate's
 * (a veto that says "this is another guide's question" mostly has that
 * guide's words around it: "vào app Agribank thì nó bắt xác thực sinh trắc
 * học" keeps vetoing the VNeID guide). A line "^(?!.*X).*" spans the
 * whole message and so is never far; a hit of a mixed form has no span
 * here and stands. Short messages keep every veto: there each word is
 * the question.
 */
static bool
veto_aside(struct mq *m, const struct kb_topic_int *tp, const struct text *t0)
{
	struct kb *kb = m->kb;
	const struct text *tv[2] = { &m->t, t0 };
	size_t pa[2][VETO_SPANS], pb[2][VETO_SPANS], np[2] = { 0, 0 };
	size_t i, j, v, so, eo, a, b;
	bool any = false;

	if (m->t0.ntok < VETO_LONG || !any_let_through(kb, (uint32_t)(tp - kb->t)) ||
	    kb->acc[tp - kb->t].sim < m->best_sim)
		return false;
	for (v = 0; v < 2 && tv[v]; v++)
		for (i = 0; i < tp->nmatch && np[v] < VETO_SPANS; i++) {
			if (!run(kb, tp->match[i].folded, tv[v]->folded, &so, &eo))
				continue;
			pa[v][np[v]] = tok_at(tv[v], so, 1);
			pb[v][np[v]++] = tok_at(tv[v], eo ? eo - 1 : 0, 1) + 1;
			any = true;
		}
	if (!any)
		return false;
	for (i = 0; i < tp->nnot; i++) {
		struct kb_pattern *p = &tp->not[i];

		for (v = 0; v < 2 && tv[v]; v++) {
			const char *s = p->exact ? tv[v]->exact : tv[v]->folded;

			if (!run(kb, p->exact ? kb_exact(p->lc) : p->folded, s, &so,
			    &eo)) {
				if (p->exact && not_mixed_hit(m, p, tv[v], -1))
					return false;
				continue;
			}
			a = tok_at(tv[v], so, !p->exact);
			b = tok_at(tv[v], eo ? eo - 1 : 0, !p->exact) + 1;
			for (j = 0; j < np[v]; j++)
				if (tok_gap(a, b, pa[v][j], pb[v][j]) < VETO_FAR)
					return false;
			if (np[v] == 0)
				return false;
		}
	}
	return true;
}

static void
stage_scores(struct mq *m)
{
	struct kb *kb = m->kb;
	const struct text *t0 = m->have_t0 ? &m->t0 : NULL;
	struct kb_ord *ord = kb->ord;
	size_t i, j, nord = 0;

	/*
	 * Each candidate's best possible score first (its patterns an exact
	 * hit spanning the whole question), best first: the best few fill
	 * early, and the rest, which could not enter them even so, are not
	 * worth their patterns and not: lines. The best few do not depend on
	 * the order candidates come in (cand_cmp is a total order). One whose
	 * best is 0 (stop words only, no pattern let through) scores nothing
	 * and is not put in order at all (one in six of some 60).
	 */
	for (i = 0; i < m->ncand; i++) {
		uint32_t ti = kb->cands[i];
		struct kb_acc *a = &kb->acc[ti];
		double matched = a->uni - a->pen, ub;

		if (matched < 0)
			matched = 0;
		a->sim = m->total_uni > 0 ?
		    (matched + a->bi) / (m->total_uni + a->bi) : 0;
		if (a->sim > m->best_sim)
			m->best_sim = a->sim;
		ub = words_only(kb, a);
		if (any_let_through(kb, ti)) {
			double s2 = R_EXACT * (0.40 + 0.50 * a->sim + 0.10 * 1.0);

			if (s2 > ub)
				ub = s2;
		}
		if (ub <= 0)
			continue;
		for (j = nord++; j > 0 && ord[j - 1].ub < ub; j--)
			ord[j] = ord[j - 1];
		ord[j].ub = ub;
		ord[j].ti = ti;
	}
	for (i = 0; i < nord; i++) {
		uint32_t ti = ord[i].ti;
		struct kb_topic_int *tp = &kb->t[ti];
		double sim = kb->acc[ti].sim, rx = 0, spec = 0, score;
		bool vetted = false;

		if (m->ntop == TOPK && ord[i].ub < m->top[TOPK - 1].score)
			break;  /* nor can any after it */
		if (any_let_through(kb, ti)) {
			struct match_cand ub = { &tp->pub, ord[i].ub,
			    R_EXACT, sim };

			if (!topk_admits(m->top, m->ntop, &ub))
				continue;
			/* vetoes are mostly decided by the prefilter or shared
			 * with other topics: cheaper than the patterns */
			if (tp->nnot && not_hit(m, tp, t0) && !veto_aside(m, tp, t0)) {
				m->n.vetoed++;
				continue;
			}
			vetted = true;
			rx = patterns_best(m, tp->match, tp->nmatch, t0, &spec,
			    (long)tp->pat_base);
		}
		score = words_only(kb, &kb->acc[ti]);
		if (rx > 0) {
			double s2 = rx * (0.40 + 0.50 * sim + 0.10 * spec);

			if (s2 > score)
				score = s2;
		}
		if (score <= 0)
			continue;
		m->n.scored++;
		{
			struct match_cand c = { &tp->pub, score, rx, sim };

			if (!topk_admits(m->top, m->ntop, &c))
				continue;
			if (!vetted && tp->nnot && not_hit(m, tp, t0) &&
			    !veto_aside(m, tp, t0)) {
				m->n.vetoed++;
				continue;
			}
			topk_insert(m->top, &m->ntop, &c);
		}
	}
}

/*
 * A close call between pattern hits is a call of words. Hits of the same
 * strength differ in score by half their words' lead (0.50 * sim) and by
 * span, which says little in a long message: a pattern of lookaheads spans
 * all of it, one of a phrase a few words. So a guide whose pattern caught a
 * side remark stays within the margin of the guide the message is about.
 * The words' lead that settles a call between guides matched by words alone
 * (MATCH_MARGIN at SIM_ONLY, 0.17) settles this one too: the best answers
 * when every candidate within the margin is a pattern hit no stronger than
 * its own whose words fit the message that much less.
 */
static bool
words_settle(const struct match_cand *all, size_t nall)
{
	size_t i;

	if (all[0].regex <= 0)
		return false;
	for (i = 1; i < nall && all[i].score > all[0].score - MATCH_MARGIN;
	    i++)
		if (all[i].regex <= 0 || all[i].regex > all[0].regex ||
		    all[i].sim > all[0].sim - MATCH_MARGIN / SIM_ONLY)
			return false;
	return true;
}

static void
stage_decide(struct mq *m, struct match_result *r)
{
	struct match_cand *all = m->top;
	size_t nall = m->ntop, i;

	if (!nall)
		return;
	/*
	 * Safety first: a close call involving a "priority: high" topic
	 * (scams) that a pattern hit goes to that topic, not to a menu, when
	 * the words fit it at least as well. A fear said in passing ("mà sợ
	 * bị lừa") in a long question about something else hits its pattern
	 * too; there the menu, with the scam guide in it, is the safe reply.
	 */
	for (i = 1; i < nall; i++) {
		if (all[i].topic->priority && !all[0].topic->priority &&
		    all[i].regex > 0 && all[i].score >= MATCH_ANSWER_MIN &&
		    all[i].score > all[0].score - MATCH_MARGIN &&
		    all[i].sim >= all[0].sim) {
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
	    (all[0].topic->priority && all[0].regex > 0) ||
	    words_settle(all, nall)))
		r->action = MATCH_ANSWER;
	else if (r->score >= MATCH_CLARIFY_MIN)
		r->action = MATCH_CLARIFY;
	else
		r->action = MATCH_FALLBACK;
}

/* --explain: what each stage saw (for admins; not on the hot path). */
static void
explain(const struct mq *m, const struct match_result *r, struct buf *out)
{
	const struct kb *kb = m->kb;
	size_t i;

	buf_printf(out, "# stage normalize: %zu words \"%s\"", m->t.ntok,
	    m->t.folded);
	if (m->have_t0)
		buf_printf(out, " (as typed: \"%s\")", m->t0.folded);
	if (!m->t.ntok) {
		/* nothing to match: the other stages did not run */
		buf_adds(out, "\n# stage features: -\n# stage words: -\n"
		    "# stage patterns: -\n# stage scores: -\n");
		buf_printf(out, "# stage decision: %s\n",
		    match_action_name(r->action));
		return;
	}
	buf_printf(out, "\n# stage features: %zu (unigrams and bigrams "
	    "in at most %u topics)\n", m->nq, m->max_df);
	buf_printf(out, "# stage words: %zu candidate topics\n", m->nword);
	buf_printf(out, "# stage patterns: %zu literal facts of %zu found; "
	    "%zu of %u patterns woken, %zu let through by the prefilter; %zu more "
	    "candidate topics\n", prefilter_found(kb->pf, 0) +
	    (m->have_t0 ? prefilter_found(kb->pf, 1) : 0),
	    prefilter_nfacts(kb->pf), m->n.pat_woken, kb->npat, m->n.pat_marked,
	    m->ncand - m->nword);
	buf_printf(out, "# stage scores: %zu scored; pattern runs %zu, "
	    "hits %zu; not: runs %zu, decided without running %zu, vetoed %zu\n",
	    m->n.scored, m->n.pat_run, m->n.pat_hit, m->n.not_run,
	    m->n.not_decided, m->n.vetoed);
	buf_printf(out, "# stage decision: %s", match_action_name(r->action));
	for (i = 0; i < m->ntop; i++)
		buf_printf(out, "%s%s %.3f", i ? ", " : " (best: ",
		    m->top[i].topic->id, m->top[i].score);
	buf_adds(out, m->ntop ? ")\n" : "\n");
}

static void
stages(struct kb *kb, const char *msg, size_t len, struct match_result *r,
    struct buf *why)
{
	static struct mq zero;
	struct mq m;

	memset(r, 0, sizeof(*r));
	r->action = MATCH_FALLBACK;
	if (!kb->n) {
		if (why)
			buf_adds(why, "# no topics\n");
		return;
	}
	/* only the small part of mq that is read before it is written */
	m.kb = kb;
	m.nq = 0;
	m.total_uni = m.best_sim = 0;
	m.ncand = m.nword = m.ntop = 0;
	m.n = zero.n;
	m.max_df = 0;
	m.left_off = -1;
	if (stage_normalize(&m, msg, len)) {
		stage_features(&m);
		stage_words(&m);
		stage_patterns(&m);
		stage_scores(&m);
		stage_decide(&m, r);
	}
	if (why)
		explain(&m, r, why);
	mq_release(&m);
}

/*
 * kb_hit_line's not: lines (check's "its own not: rules it out"): the
 * line of t's first not: that vetoes msg as not_hit does, mixed forms
 * too, without the prefilter and the memo of a message being matched.
 */
int
match_not_line(struct kb *kb, const char *msg, const struct kb_topic *t)
{
	const struct kb_topic_int *tp = (const struct kb_topic_int *)t;
	static struct mq zero;
	const struct text *tv[2];
	struct mq m;
	size_t i, v, so, eo;
	int line = 0;

	m.kb = kb;
	m.n = zero.n;
	m.left_off = -1;
	(void)stage_normalize(&m, msg, strlen(msg));
	tv[0] = &m.t;
	tv[1] = m.have_t0 ? &m.t0 : NULL;
	for (i = 0; i < tp->nnot && !line; i++) {
		struct kb_pattern *p = &tp->not[i];

		for (v = 0; v < 2 && tv[v] && !line; v++)
			if (p->exact ? run(kb, kb_exact(p->lc), tv[v]->exact, &so,
			    &eo) || (!t->system && not_mixed_hit(&m, p, tv[v], -1)) :
			    run(kb, p->folded, tv[v]->folded, &so, &eo))
				line = p->line;
	}
	mq_release(&m);
	return line;
}

void
match_run(struct kb *kb, const char *msg, size_t len, struct match_result *r)
{
	stages(kb, msg, len, r, NULL);
}

void
match_explain(struct kb *kb, const char *msg, size_t len,
    struct match_result *r, struct buf *out)
{
	stages(kb, msg, len, r, out);
}
