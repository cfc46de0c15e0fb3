#include "prefilter.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "util.h"

/*
 * Reading a pattern. The texts the matcher runs patterns on (text.h) are
 * lower-case tokens of letters and digits joined by single spaces, so:
 * a literal is a run of [a-z0-9 ] the pattern spells out (`\s` and `\s+`
 * are one space there); `\b`, `^`, `$` and a mandatory space next to it
 * say the literal starts or ends a word. Anything else is an unknown atom:
 * it ends the literal and requires nothing.
 */
#define LIT_MAX 32      /* a longer literal is cut (its prefix is required) */
#define TREE_MAX 2048   /* parse nodes per pattern; beyond, nothing is required */
#define NONE UINT32_MAX
#define NOPIECE 0xFF
#define NODENSE 0xFFFF

#define NEED_LB 1       /* the literal starts a word */
#define NEED_RB 2       /* the literal ends a word */

#define NCLASS 38       /* other, a-z, 0-9, space */

enum { T_TRUE, T_LIT, T_AND, T_OR };

struct tnode {
	int op;
	int kid, next;          /* first child, next sibling; -1 = none */
	uint8_t need;
	char lit[LIT_MAX + 1];
};

struct parse {
	const char *s;
	struct tnode *t;
	int nt;
	bool fail;              /* give up: the pattern requires nothing */
	unsigned flags;
};

struct pf_node {
	uint8_t op;
	uint32_t n;             /* T_AND, T_OR: children */
	uint32_t a;             /* T_LIT: fact; else first child in kids[] */
};

struct pf_pat {
	uint32_t nec;           /* adding: what every match needs (a node) */
	uint32_t suff;          /* adding: PF_DECIDE: if false, it matches */
	unsigned flags;
	bool always;            /* requires nothing */
	bool decide;            /* has a suff formula */
	uint32_t g0, ng;        /* nec: groups g0 .. g0+ng, all must hold */
	uint32_t s0, ns;        /* suff: groups */
	/* run in pieces (prefilter_pieces): their formulas while adding */
	uint8_t shape;
	uint32_t np, root0;     /* piece i's formula: proot[root0 + i] */
	uint64_t live_always;   /* pieces that need nothing */
};

/* Formula ids: 2 * pattern for nec, 2 * pattern + 1 for suff. */
#define FID_NEC(p) (2 * (p))
#define FID_SUFF(p) (2 * (p) + 1)

/*
 * A formula ends up as groups that must all hold, each an OR of clauses,
 * each an AND of facts: "^(?=.*A)(?=.*B)" is the group of A and the group
 * of B. Inside a group, an AND of alternatives multiplies out, up to
 * DNF_MAX clauses of CLAUSE_MAX facts; beyond, a part is left out or a
 * clause cut short (weaker, so still true for every match). A clause lists
 * its facts rarest first; groups are kept most telling first.
 */
#define DNF_MAX 256
#define OR_MAX 1024
#define CLAUSE_MAX 8

struct clause {
	uint32_t n;
	uint32_t f[CLAUSE_MAX];
};

struct dnf {
	struct clause *c;
	size_t n, alloc;
	bool top;               /* true whatever the text */
};

struct prefilter {
	struct tnode *tree;     /* parse scratch, TREE_MAX */
	struct pf_pat *pat;
	size_t npat, apat;
	struct pf_node *node;   /* formulas as read, until prefilter_build */
	size_t nnode, anode;
	uint32_t *kids;
	size_t nkids, akids;
	/* facts: a literal and what must surround it */
	uint32_t *fact_lit;
	uint8_t *fact_need;
	double *fact_p;         /* how often it holds (corpus), 0..1 */
	size_t nfact, afact;
	uint32_t *fact_hash;    /* open addressing over (literal, need) */
	size_t fact_mask;
	/* literals: distinct strings */
	char *pool;
	size_t npool, apool;
	uint32_t *lit_off, *lit_len;
	size_t nlit, alit;
	uint32_t *lit_hash;
	size_t lit_mask;
	/* what the scan reads of a literal it found, in one place: its
	 * facts are lit_facts[fact0 .. fact0+nfact), each as fact << 2 | need */
	struct pf_lit {
		uint32_t fact0;
		uint16_t nfact, len;
	} *lit_out;
	uint32_t *lit_facts;
	/* the automaton */
	uint8_t cls[256];
	/* the trie's edges, a state's sorted by class: edge[edge0[s] ..
	 * edge0[s+1]) (class in the top byte); the root's as a full row */
	uint32_t *edge0, *edge;
	uint32_t root[NCLASS];
	/* a state of two children or more (the few a scan is mostly in, with
	 * most of the edges) also has a full row of where each class leads,
	 * failure links followed: dense[drow[s] * NCLASS + class] */
	uint16_t *drow, *dense;
	uint32_t *fail;
	uint32_t *slit;         /* literal ending at a state, or NONE */
	uint32_t *dict;         /* next state on the failure chain with a literal */
	size_t nstate;
	/* groups and clauses */
	uint32_t *gc0, *gcn, *g_fid;
	size_t ngrp, agrp;
	uint32_t *cl0, *cln, *cl_grp;
	uint8_t *cl_piece;      /* the piece a clause is of, or NOPIECE */
	size_t ncl, acl;
	uint32_t *proot;        /* pieces' formulas, while adding */
	size_t nproot, aproot;
	uint32_t *cf;
	size_t ncf, acf;
	/* fact -> the clauses of first groups it is the rarest fact of
	 * (idx only while building) */
	uint32_t *idx0, *idx;
	/* idx[k] with what the scan reads of its clause, side by side (one
	 * cache line, not five arrays: the scan was a sixth of the run). The
	 * fact it is filed under holds; most woken clauses fail on the next
	 * one, f2, so that is here too, not a read of cf[] away */
	struct pf_wake {
		uint32_t f2;    /* the clause's second fact, or NONE */
		uint32_t cl0, g, fid;
		uint16_t ng;
		uint8_t cln, piece;
	} *wake;
	uint32_t *always;
	size_t nalways;
	/* adding: PF_LAZY patterns already read, by text (one formula each) */
	char **lazy_src;
	uint32_t *lazy_id;
	size_t nlazy, alazy;
	uint32_t *lazy_hash;    /* open addressing: index into lazy_src, or NONE */
	size_t lazy_mask;
	/* per message */
	uint32_t stamp;
	uint32_t *mark[PF_TEXTS];       /* fact -> stamp when present */
	uint32_t *found[PF_TEXTS];      /* facts present */
	size_t nfound[PF_TEXTS];
	uint32_t *ftrue[PF_TEXTS];      /* formula id -> stamp when it holds */
	uint32_t *lstamp[PF_TEXTS];     /* formula id -> stamp of live[] */
	uint64_t *live[PF_TEXTS];       /* ... and the pieces that may match */
	uint32_t *pmark;                /* pattern -> stamp when woken */
	uint32_t *woken;
	size_t nwoken;
};

/* ---- reading a pattern ---- */

static bool
alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Index just past the escape sequence at s[i] == '\\'. */
static size_t
esc_end(const char *s, size_t i, size_t n)
{
	char c;

	if (i + 1 >= n)
		return n;
	c = s[i + 1];
	i += 2;
	switch (c) {
	case 'x': case 'o': case 'p': case 'P': case 'N': case 'g': case 'k':
		if (i < n && s[i] == '{') {
			while (i < n && s[i] != '}')
				i++;
			return i < n ? i + 1 : n;
		}
		if ((c == 'g' || c == 'k') && i < n && (s[i] == '<' || s[i] == '\'')) {
			char close = s[i] == '<' ? '>' : '\'';

			while (i < n && s[i] != close)
				i++;
			return i < n ? i + 1 : n;
		}
		if (c == 'x') {
			size_t k;

			for (k = 0; k < 2 && i < n && ((s[i] >= '0' && s[i] <= '9') ||
			    (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F'));
			    k++)
				i++;
		} else if (c == 'p' || c == 'P') {
			if (i < n)
				i++;
		} else if (c == 'g') {
			if (i < n && (s[i] == '-' || s[i] == '+'))
				i++;
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		}
		return i;
	case 'c':
		return i < n ? i + 1 : n;
	case 'Q':
		while (i + 1 < n && !(s[i] == '\\' && s[i + 1] == 'E'))
			i++;
		return i + 1 < n ? i + 2 : n;
	default:
		if (c >= '0' && c <= '9') {
			while (i < n && s[i] >= '0' && s[i] <= '9')
				i++;
		} else if ((unsigned char)c >= 0x80) {
			while (i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
				i++;
		}
		return i;
	}
}

/* Index of the ']' closing the class that opens at s[i], or n. */
static size_t
class_end(const char *s, size_t i, size_t n)
{
	i++;
	if (i < n && s[i] == '^')
		i++;
	if (i < n && s[i] == ']')
		i++;            /* a ']' first is a literal */
	while (i < n && s[i] != ']') {
		if (s[i] == '\\') {
			i = esc_end(s, i, n);
			continue;
		}
		if (s[i] == '[' && i + 1 < n && (s[i + 1] == ':' || s[i + 1] == '.' ||
		    s[i + 1] == '=')) {
			char k = s[i + 1];

			i += 2;
			while (i + 1 < n && !(s[i] == k && s[i + 1] == ']'))
				i++;
			i = i + 1 < n ? i + 2 : n;
			continue;
		}
		i++;
	}
	return i < n ? i : n;
}

/* Index just past the ')' of a "(?#" comment opening at s[i]. */
static size_t
comment_end(const char *s, size_t i, size_t n)
{
	while (i < n && s[i] != ')')
		i++;
	return i < n ? i + 1 : n + 1;
}

/* Index just past the ')' matching s[i] == '(', or n + 1 if none. */
static size_t
group_end(const char *s, size_t i, size_t n)
{
	int depth = 0;

	while (i < n) {
		if (s[i] == '\\') {
			i = esc_end(s, i, n);
			continue;
		}
		if (s[i] == '[') {
			i = class_end(s, i, n) + 1;
			continue;
		}
		if (s[i] == '(' && i + 2 < n && s[i + 1] == '?' && s[i + 2] == '#') {
			i = comment_end(s, i, n);
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
		i++;
	}
	return n + 1;
}

/*
 * Reads a quantifier at s[i], if there is one: *q tells, *min is its least
 * count (1 without one). A '{' that is no quantifier is left alone (it is a
 * literal); "{,n}" counts as one from zero, the weaker reading.
 */
static size_t
quant(const char *s, size_t i, size_t n, unsigned *min, bool *q)
{
	*min = 1;
	*q = false;
	if (i >= n)
		return i;
	if (s[i] == '?' || s[i] == '*') {
		*min = 0;
		*q = true;
		i++;
	} else if (s[i] == '+') {
		*q = true;
		i++;
	} else if (s[i] == '{') {
		size_t j = i + 1, k;
		unsigned v = 0;
		bool digits = false;

		while (j < n && s[j] == ' ')
			j++;
		while (j < n && s[j] >= '0' && s[j] <= '9') {
			if (v < 100000)
				v = v * 10 + (unsigned)(s[j] - '0');
			digits = true;
			j++;
		}
		for (k = j; k < n && (s[k] == ',' || s[k] == ' ' ||
		    (s[k] >= '0' && s[k] <= '9')); k++)
			;
		if (k < n && s[k] == '}' && (digits || (j < n && s[j] == ','))) {
			*min = digits ? v : 0;
			*q = true;
			i = k + 1;
		}
	}
	if (*q && i < n && (s[i] == '?' || s[i] == '+'))
		i++;            /* lazy or possessive */
	return i;
}

static int
t_new(struct parse *P, int op)
{
	struct tnode *t;

	if (P->nt == TREE_MAX) {
		P->fail = true;
		return -1;
	}
	t = &P->t[P->nt];
	t->op = op;
	t->kid = t->next = -1;
	t->need = 0;
	t->lit[0] = '\0';
	return P->nt++;
}

/* A list of nodes under construction (AND or OR). */
struct tlist {
	int head, tail, n;
};

static void
tl_add(struct parse *P, struct tlist *l, int op, int x)
{
	if (x < 0 || P->fail || (op == T_AND && P->t[x].op == T_TRUE))
		return;
	if (P->t[x].op == op) {         /* flatten (a & b) & c */
		int k = P->t[x].kid;

		while (k >= 0) {
			int next = P->t[k].next;

			P->t[k].next = -1;
			tl_add(P, l, op, k);
			k = next;
		}
		return;
	}
	if (l->tail >= 0)
		P->t[l->tail].next = x;
	else
		l->head = x;
	l->tail = x;
	P->t[x].next = -1;
	l->n++;
}

static int
tl_close(struct parse *P, struct tlist *l, int op)
{
	int x;

	if (P->fail || l->n == 0)
		return t_new(P, T_TRUE);
	if (l->n == 1)
		return l->head;
	x = t_new(P, op);
	if (x >= 0)
		P->t[x].kid = l->head;
	return x;
}

struct run {
	char c[LIT_MAX + 1];
	size_t n;
	bool lb, cut;
};

static void
run_push(struct run *r, char c, bool here)
{
	if (r->n == 0)
		r->lb = here;
	if (r->n < LIT_MAX)
		r->c[r->n++] = c;
	else
		r->cut = true;
}

/* Ends the literal being read; rb: a word boundary follows it. */
static void
run_end(struct parse *P, struct tlist *and, struct run *r, bool rb)
{
	size_t k;
	bool word = false;
	int x;

	for (k = 0; k < r->n; k++)
		if (r->c[k] != ' ')
			word = true;
	if (word && (x = t_new(P, T_LIT)) >= 0) {
		struct tnode *t = &P->t[x];

		memcpy(t->lit, r->c, r->n);
		t->lit[r->n] = '\0';
		if (!(P->flags & PF_CONTAIN)) {
			if (r->lb && alnum(r->c[0]))
				t->need |= NEED_LB;
			if (rb && !r->cut && alnum(r->c[r->n - 1]))
				t->need |= NEED_RB;
		}
		tl_add(P, and, T_AND, x);
	}
	r->n = 0;
	r->cut = false;
}

/* Does what starts at s[i] put a word boundary there? */
static bool
bound_at(const char *s, size_t i, size_t b, bool rctx)
{
	unsigned min;
	bool q;

	if (i >= b)
		return rctx;
	if (s[i] == '$')
		return true;
	if (s[i] == ' ') {
		(void)quant(s, i + 1, b, &min, &q);
		return min >= 1;
	}
	if (s[i] == '\\' && i + 1 < b) {
		char c = s[i + 1];

		if (c == 'z' || c == 'Z')
			return true;
		if (c == 'b' || c == 's' || c == 'W') {
			(void)quant(s, i + 2, b, &min, &q);
			return min >= 1;
		}
	}
	return false;
}

static int p_alt(struct parse *P, size_t a, size_t b, bool lctx, bool rctx);

/*
 * One branch: the conjunction of what its items need. here: the position
 * is at the start of the text or after a space (or a \b before a letter),
 * so a literal starting here starts a word.
 * Long: one case per item of a branch (escape, class, group, literal),
 * sharing the run being built and where it is.
 */
static int
p_seq(struct parse *P, size_t a, size_t b, bool lctx, bool rctx)
{
	const char *s = P->s;
	struct tlist and = { -1, -1, 0 };
	struct run r = { .n = 0 };
	bool here = lctx, q;
	unsigned min;
	size_t i = a;

	while (i < b && !P->fail) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			char e = i + 1 < b ? s[i + 1] : 0;
			size_t k = quant(s, esc_end(s, i, b), b, &min, &q);

			switch (e) {
			case 's':
				if (min >= 1) {
					run_push(&r, ' ', here);
					here = true;
				} else {
					run_end(P, &and, &r, false);
				}
				break;
			case 'b':
				run_end(P, &and, &r, min >= 1);
				here = min >= 1;
				break;
			case 'A':
				run_end(P, &and, &r, false);
				here = min >= 1;
				break;
			case 'z': case 'Z':
				run_end(P, &and, &r, min >= 1);
				here = false;
				break;
			case 'E':
				break;
			case 'K':
				run_end(P, &and, &r, false);
				break;
			default:
				run_end(P, &and, &r, false);
				here = false;
				break;
			}
			i = k;
		} else if (c == '[') {
			size_t j = class_end(s, i, b);

			if (j >= b) {
				P->fail = true;
				break;
			}
			i = quant(s, j + 1, b, &min, &q);
			run_end(P, &and, &r, false);
			here = false;
		} else if (c == '(') {
			size_t e = group_end(s, i, b), bs = i + 1, k;
			enum { G_PLAIN, G_AHEAD, G_ZERO } kind = G_PLAIN;

			if (i + 2 < b && s[i + 1] == '?' && s[i + 2] == '#') {
				i = comment_end(s, i, b);
				if (i > b)
					P->fail = true;
				continue;
			}
			if (e > b) {
				P->fail = true;
				break;
			}
			if (s[i + 1] == '*') {
				P->fail = true;         /* verbs: (*ACCEPT) ends a match */
				break;
			}
			if (s[i + 1] == '?') {
				char g = i + 2 < b ? s[i + 2] : 0, h = i + 3 < b ? s[i + 3] : 0;

				bs = i + 3;
				if (g == ':' || g == '|' || g == '>') {
					kind = G_PLAIN;
				} else if (g == '=') {
					kind = G_AHEAD;
				} else if (g == '!' || (g == '<' && (h == '=' || h == '!'))) {
					kind = G_ZERO;
				} else if (g == '<' || g == '\'' || (g == 'P' && h == '<')) {
					char close = g == '\'' ? '\'' : '>';

					for (bs = i + 3; bs < e && s[bs] != close; bs++)
						;
					bs++;
				} else {
					/* flags, recursion, conditionals, callouts */
					P->fail = true;
					break;
				}
			}
			if (bs > e - 1) {
				P->fail = true;
				break;
			}
			k = quant(s, e, b, &min, &q);
			run_end(P, &and, &r, false);
			if (kind == G_AHEAD) {
				if (min >= 1)
					tl_add(P, &and, T_AND, p_alt(P, bs, e - 1, here, false));
			} else if (kind == G_PLAIN) {
				if (min >= 1)
					tl_add(P, &and, T_AND, p_alt(P, bs, e - 1, here,
					    !q && bound_at(s, k, b, rctx)));
				here = false;
			}
			i = k;
		} else if (c == ')' || c == '|' || c == '*' || c == '+' || c == '?') {
			P->fail = true;         /* not where a well-formed item starts */
		} else if (c == '.') {
			i = quant(s, i + 1, b, &min, &q);
			run_end(P, &and, &r, false);
			here = false;
		} else if (c == '^') {
			i = quant(s, i + 1, b, &min, &q);
			run_end(P, &and, &r, false);
			here = min >= 1;
		} else if (c == '$') {
			i = quant(s, i + 1, b, &min, &q);
			run_end(P, &and, &r, min >= 1);
			here = false;
		} else if (c == ' ') {
			i = quant(s, i + 1, b, &min, &q);
			if (min >= 1) {
				run_push(&r, ' ', here);
				here = true;
			} else {
				run_end(P, &and, &r, false);
			}
		} else if (alnum(c) || (c >= 'A' && c <= 'Z')) {
			char lc = (char)(c >= 'A' && c <= 'Z' ? c | 0x20 : c);

			i = quant(s, i + 1, b, &min, &q);
			if (min >= 1)
				run_push(&r, lc, here);
			if (q)
				run_end(P, &and, &r, false);
			here = false;
		} else {
			/* punctuation (never in the texts), '{' as a literal, and
			 * characters other than a-z 0-9: unknown atoms */
			size_t j = i + 1;

			if (c >= 0x80)
				while (j < b && ((unsigned char)s[j] & 0xC0) == 0x80)
					j++;
			i = c == '{' ? j : quant(s, j, b, &min, &q);
			run_end(P, &and, &r, false);
			here = false;
		}
	}
	run_end(P, &and, &r, rctx);
	return tl_close(P, &and, T_AND);
}

/*
 * Where the top-level alternative of s that starts at i ends: the index of
 * its '|', or b. Escapes, classes and comments are skipped whole, so a '|'
 * inside them does not count.
 */
static size_t
alt_end(const char *s, size_t i, size_t b)
{
	int depth = 0;

	for (;;) {
		if (i < b && s[i] == '\\') {
			i = esc_end(s, i, b);
			continue;
		}
		if (i < b && s[i] == '[') {
			i = class_end(s, i, b) + 1;
			continue;
		}
		if (i + 2 < b && s[i] == '(' && s[i + 1] == '?' && s[i + 2] == '#') {
			i = comment_end(s, i, b);
			continue;
		}
		if (i >= b)
			return b;
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')')
			depth--;
		else if (s[i] == '|' && depth == 0)
			return i;
		i++;
	}
}

/* Alternatives: any one branch's needs. */
static int
p_alt(struct parse *P, size_t a, size_t b, bool lctx, bool rctx)
{
	struct tlist or = { -1, -1, 0 };
	size_t start = a, e;

	for (;;) {
		int x;

		e = alt_end(P->s, start, b);
		x = p_seq(P, start, e, lctx, rctx);
		if (P->fail)
			return -1;
		if (P->t[x].op == T_TRUE)
			return x;       /* one branch needs nothing */
		tl_add(P, &or, T_OR, x);
		if (e >= b)
			break;
		start = e + 1;
	}
	return tl_close(P, &or, T_OR);
}

/* ---- interning ---- */

static uint32_t
lit_intern(struct prefilter *pf, const char *s, size_t n)
{
	uint64_t h = hash64(s, n, 0x5eed);
	size_t i;

	if ((pf->nlit + 1) * 2 > pf->lit_mask + 1) {
		size_t sz = (pf->lit_mask + 1) * 2, k;

		free(pf->lit_hash);
		pf->lit_hash = xmalloc(sz * sizeof(*pf->lit_hash));
		memset(pf->lit_hash, 0xff, sz * sizeof(*pf->lit_hash));
		pf->lit_mask = sz - 1;
		for (k = 0; k < pf->nlit; k++) {
			uint64_t hk = hash64(pf->pool + pf->lit_off[k], pf->lit_len[k],
			    0x5eed);

			for (i = hk & pf->lit_mask; pf->lit_hash[i] != NONE;
			    i = (i + 1) & pf->lit_mask)
				;
			pf->lit_hash[i] = (uint32_t)k;
		}
	}
	for (i = h & pf->lit_mask; pf->lit_hash[i] != NONE; i = (i + 1) & pf->lit_mask) {
		uint32_t k = pf->lit_hash[i];

		if (pf->lit_len[k] == n && memcmp(pf->pool + pf->lit_off[k], s, n) == 0)
			return k;
	}
	pf->lit_off = xgrow(pf->lit_off, &pf->alit, pf->nlit + 1, sizeof(uint32_t));
	pf->lit_len = xrealloc(pf->lit_len, pf->alit * sizeof(uint32_t));
	pf->pool = xgrow(pf->pool, &pf->apool, pf->npool + n + 1, 1);
	memcpy(pf->pool + pf->npool, s, n);
	pf->pool[pf->npool + n] = '\0';
	pf->lit_off[pf->nlit] = (uint32_t)pf->npool;
	pf->lit_len[pf->nlit] = (uint32_t)n;
	pf->npool += n + 1;
	pf->lit_hash[i] = (uint32_t)pf->nlit;
	return (uint32_t)pf->nlit++;
}

static uint32_t
fact_intern(struct prefilter *pf, const char *s, uint8_t need)
{
	uint32_t lit = lit_intern(pf, s, strlen(s));
	uint64_t key = (uint64_t)lit * 4 + need;
	size_t i;

	if ((pf->nfact + 1) * 2 > pf->fact_mask + 1) {
		size_t sz = (pf->fact_mask + 1) * 2, k;

		free(pf->fact_hash);
		pf->fact_hash = xmalloc(sz * sizeof(*pf->fact_hash));
		memset(pf->fact_hash, 0xff, sz * sizeof(*pf->fact_hash));
		pf->fact_mask = sz - 1;
		for (k = 0; k < pf->nfact; k++) {
			uint64_t kk = (uint64_t)pf->fact_lit[k] * 4 + pf->fact_need[k];

			for (i = (kk * 0x9E3779B97F4A7C15ULL >> 20) & pf->fact_mask;
			    pf->fact_hash[i] != NONE; i = (i + 1) & pf->fact_mask)
				;
			pf->fact_hash[i] = (uint32_t)k;
		}
	}
	for (i = (key * 0x9E3779B97F4A7C15ULL >> 20) & pf->fact_mask;
	    pf->fact_hash[i] != NONE; i = (i + 1) & pf->fact_mask) {
		uint32_t k = pf->fact_hash[i];

		if (pf->fact_lit[k] == lit && pf->fact_need[k] == need)
			return k;
	}
	pf->fact_lit = xgrow(pf->fact_lit, &pf->afact, pf->nfact + 1,
	    sizeof(uint32_t));
	pf->fact_need = xrealloc(pf->fact_need, pf->afact);
	pf->fact_lit[pf->nfact] = lit;
	pf->fact_need[pf->nfact] = need;
	pf->fact_hash[i] = (uint32_t)pf->nfact;
	return (uint32_t)pf->nfact++;
}

/* Copies parse node x into the kb-wide node array. */
static uint32_t
flatten(struct prefilter *pf, const struct parse *P, int x)
{
	const struct tnode *t = &P->t[x];
	uint32_t id, n = 0, k0, *tmp;
	int k;

	if (t->op == T_TRUE)
		return NONE;
	if (t->op == T_LIT) {
		uint32_t f = fact_intern(pf, t->lit, t->need);

		pf->node = xgrow(pf->node, &pf->anode, pf->nnode + 1, sizeof(*pf->node));
		pf->node[pf->nnode] = (struct pf_node){ T_LIT, 0, f };
		return (uint32_t)pf->nnode++;
	}
	for (k = t->kid; k >= 0; k = P->t[k].next)
		n++;
	tmp = xmalloc(n * sizeof(*tmp));
	n = 0;
	for (k = t->kid; k >= 0; k = P->t[k].next)
		tmp[n++] = flatten(pf, P, k);
	pf->kids = xgrow(pf->kids, &pf->akids, pf->nkids + n, sizeof(*pf->kids));
	k0 = (uint32_t)pf->nkids;
	memcpy(pf->kids + k0, tmp, n * sizeof(*tmp));
	pf->nkids += n;
	free(tmp);
	pf->node = xgrow(pf->node, &pf->anode, pf->nnode + 1, sizeof(*pf->node));
	id = (uint32_t)pf->nnode++;
	pf->node[id] = (struct pf_node){ (uint8_t)t->op, n, k0 };
	return id;
}

/* Reads [a, b) of s; NONE when it requires nothing. */
static uint32_t
formula(struct prefilter *pf, const char *s, size_t a, size_t b, unsigned flags)
{
	struct parse P = { s, pf->tree, 0, false, flags };
	int x = p_alt(&P, a, b, false, false);

	if (P.fail || x < 0)
		return NONE;
	return flatten(pf, &P, x);
}

/*
 * "^(?!.*X)" with ".*", ".*$" or nothing after it: matches exactly when X
 * matches nowhere. Sets [*xa, *xb) to X.
 */
static bool
names_none_form(const char *s, size_t n, size_t *xa, size_t *xb)
{
	size_t e, a;

	if (n < 6 || strncmp(s, "^(?!.*", 6) != 0)
		return false;
	e = group_end(s, 1, n);
	if (e > n)
		return false;
	a = 6;
	if (a < e - 1 && s[a] == '?')
		a++;            /* .*? */
	if (strcmp(s + e, "") != 0 && strcmp(s + e, ".*") != 0 &&
	    strcmp(s + e, ".*$") != 0)
		return false;
	*xa = a;
	*xb = e - 1;
	return true;
}

/*
 * May a pattern run as separate pieces? Not with what ties its parts to one
 * another or to the whole: backreferences and recursion (group numbers
 * change), verbs, inline flags, \G, \K.
 */
static bool
splittable(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (s[i] == '\\') {
			char c = i + 1 < n ? s[i + 1] : 0;

			if ((c >= '1' && c <= '9') || c == 'g' || c == 'k' || c == 'G' ||
			    c == 'K')
				return false;
			i = esc_end(s, i, n);
			continue;
		}
		if (s[i] == '[') {
			i = class_end(s, i, n) + 1;
			continue;
		}
		if (s[i] == '(' && i + 1 < n && s[i + 1] == '*')
			return false;
		if (s[i] == '(' && i + 1 < n && s[i + 1] == '?') {
			char g = i + 2 < n ? s[i + 2] : 0, h = i + 3 < n ? s[i + 3] : 0;

			if (g == '#') {
				i = comment_end(s, i, n);
				continue;
			}
			if (!(g == ':' || g == '=' || g == '!' || g == '>' || g == '|' ||
			    g == '<' || g == '\'' || (g == 'P' && h == '<')))
				return false;
		}
		i++;
	}
	return true;
}

/* The top-level alternatives of [a, b); false if more than max. */
static bool
split_alt(const char *s, size_t a, size_t b, struct pf_piece *v, size_t *n,
    size_t max)
{
	size_t start = a, e;

	for (*n = 0;; start = e + 1) {
		e = alt_end(s, start, b);
		if (*n == max)
			return false;
		v[*n].a = start;
		v[(*n)++].b = e;
		if (e >= b)
			return true;
	}
}

/*
 * The next syntax token of s from *i (its literal characters left out):
 * two characters in t, or 0 at the end.
 */
/* strchr("()|?*+{}^$.", c) without the call: this runs for every byte
 * of every pattern at load */
static bool
shape_char(unsigned char c)
{
	switch (c) {
	case '(': case ')': case '|': case '?': case '*': case '+': case '{':
	case '}': case '^': case '$': case '.':
		return true;
	default:
		return false;
	}
}

static int
shape_next(const char *s, size_t n, size_t *i, char t[2])
{
	while (*i < n) {
		unsigned char c = (unsigned char)s[*i];

		if (c == '\\') {
			/* an escape, and what it escapes */
			t[0] = '\\';
			t[1] = *i + 1 < n && (unsigned char)s[*i + 1] < 0x80 ?
			    s[*i + 1] : '~';
			*i = esc_end(s, *i, n);
			return 1;
		}
		if (c == '[') {
			t[0] = t[1] = 'C';
			*i = class_end(s, *i, n) + 1;
			return 1;
		}
		(*i)++;
		if (shape_char(c)) {
			t[0] = t[1] = (char)c;
			return 1;
		}
		/* a literal: folding may change it */
	}
	return 0;
}

/* Code points in s. */
static size_t
ncp(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xC0) != 0x80;
	return n;
}

int
prefilter_same_shape(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i = 0, j = 0;
	char x[2], y[2];
	int ka, kb;

	/* folding dropped something (a mark NFC could not compose): what
	 * was there may have mattered ("^(?!.*X)<mark>" is no "names none") */
	if (ncp(a) != ncp(b))
		return 0;
	do {
		ka = shape_next(a, na, &i, x);
		kb = shape_next(b, nb, &j, y);
		if (ka != kb || (ka && (x[0] != y[0] || x[1] != y[1])))
			return 0;
	} while (ka);
	return 1;
}

enum pf_shape
prefilter_pieces(const char *s, struct pf_piece *v, size_t *n)
{
	size_t len = strlen(s), xa, xb, e;

	*n = 0;
	if (!splittable(s, len))
		return PF_WHOLE;
	if (names_none_form(s, len, &xa, &xb)) {
		/* "(A|B)" as the whole of X: A and B. (".*A|B" is not
		 * ".*(A|B)": B is tried at the start only; as written then.) */
		if (xa < xb && s[xa] == '(' && group_end(s, xa, xb) == xb &&
		    (xa + 1 >= xb || s[xa + 1] != '?' ||
		    (xa + 2 < xb && s[xa + 2] == ':'))) {
			xa += s[xa + 1] == '?' ? 3 : 1;
			xb--;
		} else if (!split_alt(s, xa, xb, v, n, PF_PIECES_MAX) || *n != 1) {
			*n = 0;
			return PF_WHOLE;
		}
		if (!split_alt(s, xa, xb, v, n, PF_PIECES_MAX)) {
			*n = 0;
			return PF_WHOLE;
		}
		return PF_NONE_OF;
	}
	e = len;
	if (!split_alt(s, 0, e, v, n, PF_PIECES_MAX) || *n < 2) {
		*n = 0;
		return PF_WHOLE;
	}
	return PF_ANY;
}

/* After ".*" or ".*?" at s[i] (before n): where what follows starts, or 0
 * (".*+", possessive, and ".*{" are no such thing). */
static size_t
dotstar(const char *s, size_t i, size_t n)
{
	if (i + 2 > n || s[i] != '.' || s[i + 1] != '*' ||
	    (i + 2 < n && (s[i + 2] == '+' || s[i + 2] == '{')))
		return 0;
	return i + 2 < n && s[i + 2] == '?' ? i + 3 : i + 2;
}

/*
 * [a, b) as a piece of its own: its top-level alternatives, each without
 * its leading ".*"; NULL if one does not start so.
 */
static char *
all_of_piece(const char *s, size_t a, size_t b)
{
	struct pf_piece alt[PF_PIECES_MAX];
	size_t k, i, len = 0, x;
	char *p;

	if (!split_alt(s, a, b, alt, &k, PF_PIECES_MAX))
		return NULL;
	p = xmalloc(b - a + 1);
	for (i = 0; i < k; i++) {
		if (!(x = dotstar(s, alt[i].a, alt[i].b))) {
			free(p);
			return NULL;
		}
		if (i)
			p[len++] = '|';
		memcpy(p + len, s + x, alt[i].b - x);
		len += alt[i].b - x;
	}
	p[len] = '\0';
	return p;
}

int
prefilter_all_of(const char *s, char **piece, uint64_t *neg, size_t *n)
{
	size_t len = strlen(s), i = s[0] == '^', e, k;
	struct pf_piece alt[2];
	char *p;

	*n = 0;
	*neg = 0;
	if (!splittable(s, len) || !split_alt(s, 0, len, alt, &k, 2) || k != 1)
		return 0;
	while (i + 2 < len && s[i] == '(' && s[i + 1] == '?' &&
	    (s[i + 2] == '=' || s[i + 2] == '!')) {
		e = group_end(s, i, len);
		/* (a quantifier after it is no lookahead, nor a ".*" tail) */
		if (e > len || (s[i + 2] == '!' && s[0] != '^') ||
		    *n == PF_PIECES_MAX ||
		    !(p = all_of_piece(s, i + 3, e - 1)))
			goto whole;
		if (s[i + 2] == '!')
			*neg |= (uint64_t)1 << *n;
		piece[(*n)++] = p;
		i = e;
	}
	if (i < len && strcmp(s + i, ".*") != 0 && strcmp(s + i, ".*$") != 0) {
		if (*n == PF_PIECES_MAX || !(p = all_of_piece(s, i, len)))
			goto whole;
		piece[(*n)++] = p;
	}
	if (*n > 0)
		return 1;
whole:
	while (*n > 0)
		free(piece[--*n]);
	*neg = 0;
	return 0;
}

struct prefilter *
prefilter_new(void)
{
	struct prefilter *pf = xcalloc(1, sizeof(*pf));

	pf->tree = xmalloc(TREE_MAX * sizeof(*pf->tree));
	pf->lit_mask = 63;
	pf->lit_hash = xmalloc(64 * sizeof(*pf->lit_hash));
	memset(pf->lit_hash, 0xff, 64 * sizeof(*pf->lit_hash));
	pf->fact_mask = 63;
	pf->fact_hash = xmalloc(64 * sizeof(*pf->fact_hash));
	memset(pf->fact_hash, 0xff, 64 * sizeof(*pf->fact_hash));
	return pf;
}

static size_t
lazy_slot(const struct prefilter *pf, const char *folded, unsigned flags)
{
	return hash64(folded, strlen(folded), flags) & pf->lazy_mask;
}

static void
lazy_rehash(struct prefilter *pf)
{
	size_t sz = pf->lazy_hash ? (pf->lazy_mask + 1) * 2 : 256, k, i;

	free(pf->lazy_hash);
	pf->lazy_hash = xmalloc(sz * sizeof(*pf->lazy_hash));
	memset(pf->lazy_hash, 0xff, sz * sizeof(*pf->lazy_hash));
	pf->lazy_mask = sz - 1;
	for (k = 0; k < pf->nlazy; k++) {
		for (i = lazy_slot(pf, pf->lazy_src[k],
		    pf->pat[pf->lazy_id[k]].flags); pf->lazy_hash[i] != NONE;
		    i = (i + 1) & pf->lazy_mask)
			;
		pf->lazy_hash[i] = (uint32_t)k;
	}
}

uint32_t
prefilter_add(struct prefilter *pf, const char *folded, unsigned flags)
{
	struct pf_pat *p;
	size_t n = folded ? strlen(folded) : 0, xa, xb;

	if ((flags & PF_LAZY) && folded) {
		size_t i;

		/* the same not: line in many topics: one formula, one verdict
		 * (by hash: comparing with each line before was a tenth of
		 * the load) */
		if ((pf->nlazy + 1) * 2 > pf->lazy_mask + 1)
			lazy_rehash(pf);
		for (i = lazy_slot(pf, folded, flags); pf->lazy_hash[i] != NONE;
		    i = (i + 1) & pf->lazy_mask) {
			uint32_t k = pf->lazy_hash[i];

			if (pf->pat[pf->lazy_id[k]].flags == flags &&
			    strcmp(pf->lazy_src[k], folded) == 0)
				return pf->lazy_id[k];
		}
		pf->lazy_hash[i] = (uint32_t)pf->nlazy;
		pf->lazy_src = xgrow(pf->lazy_src, &pf->alazy, pf->nlazy + 1,
		    sizeof(*pf->lazy_src));
		pf->lazy_id = xrealloc(pf->lazy_id, pf->alazy * sizeof(*pf->lazy_id));
		pf->lazy_src[pf->nlazy] = xstrdup(folded);
		pf->lazy_id[pf->nlazy++] = (uint32_t)pf->npat;
	}
	pf->pat = xgrow(pf->pat, &pf->apat, pf->npat + 1, sizeof(*pf->pat));
	p = &pf->pat[pf->npat];
	memset(p, 0, sizeof(*p));
	p->flags = flags;
	p->nec = p->suff = NONE;
	if (folded) {
		struct pf_piece pc[PF_PIECES_MAX];
		size_t np, i;
		enum pf_shape sh = prefilter_pieces(folded, pc, &np);

		if (sh == PF_NONE_OF && !(flags & PF_DECIDE))
			sh = PF_WHOLE;  /* a match: line wants where it matched */
		p->shape = (uint8_t)sh;
		p->np = (uint32_t)np;
		p->root0 = (uint32_t)pf->nproot;
		for (i = 0; i < np; i++) {
			pf->proot = xgrow(pf->proot, &pf->aproot, pf->nproot + 1,
			    sizeof(*pf->proot));
			pf->proot[pf->nproot++] = formula(pf, folded, pc[i].a, pc[i].b,
			    flags);
		}
		if (sh != PF_ANY)
			p->nec = formula(pf, folded, 0, n, flags);
		if (sh == PF_WHOLE && (flags & PF_DECIDE) &&
		    names_none_form(folded, n, &xa, &xb))
			p->suff = formula(pf, folded, xa, xb, flags);
	}
	return (uint32_t)pf->npat++;
}

/* ---- the automaton ---- */

/* The state reached from st by class c in the trie, or 0. */
static uint32_t
child(const struct prefilter *pf, uint32_t st, uint32_t c)
{
	uint32_t k;

	if (st == 0)
		return pf->root[c];
	for (k = pf->edge0[st]; k < pf->edge0[st + 1]; k++)
		if (pf->edge[k] >> 24 == c)
			return pf->edge[k] & 0xFFFFFF;
	return 0;
}

/* One step of the automaton: a failure link at a time, as Aho-Corasick. */
static uint32_t
step(const struct prefilter *pf, uint32_t st, uint32_t c)
{
	for (;;) {
		uint32_t nx;

		if (pf->drow && pf->drow[st] != NODENSE)
			return pf->dense[(size_t)pf->drow[st] * NCLASS + c];
		nx = child(pf, st, c);
		if (nx || st == 0)
			return nx;
		st = pf->fail[st];
	}
}

/* The full rows of the branching states (and the root), once the failure
 * links are known; not where a state id would not fit them. */
static void
build_rows(struct prefilter *pf)
{
	size_t i, n = 0;
	uint32_t c;
	uint16_t *drow, *dense;

	if (pf->nstate >= NODENSE)
		return;
	drow = xmalloc(pf->nstate * sizeof(*drow));
	for (i = 0; i < pf->nstate; i++)
		drow[i] = i == 0 || pf->edge0[i + 1] - pf->edge0[i] >= 2 ?
		    (uint16_t)n++ : NODENSE;
	dense = xmalloc((n * NCLASS + 1) * sizeof(*dense));
	for (i = 0; i < pf->nstate; i++)
		if (drow[i] != NODENSE)
			for (c = 0; c < NCLASS; c++)
				dense[(size_t)drow[i] * NCLASS + c] =
				    (uint16_t)step(pf, (uint32_t)i, c);
	pf->drow = drow;
	pf->dense = dense;
}

static int
u64_cmp_pf(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The trie of every literal, sparse (a state has one child or two, and a
 * full table of every class for every state would be most of the
 * prefilter's memory), with failure links and, for each state, the next
 * one on its failure chain where a literal ends (dict).
 */
static void
build_automaton(struct prefilter *pf)
{
	size_t i, k, cap = 1, head, tail, nedge = 0, hmask = 63;
	uint64_t *hkey;         /* (state << 8 | class) + 1 -> child, while building */
	uint32_t *hval, *pairs, *queue;

	memset(pf->cls, 0, sizeof(pf->cls));
	for (i = 0; i < 26; i++)
		pf->cls['a' + i] = (uint8_t)(1 + i);
	for (i = 0; i < 10; i++)
		pf->cls['0' + i] = (uint8_t)(27 + i);
	pf->cls[' '] = 37;
	for (i = 0; i < pf->nlit; i++)
		cap += pf->lit_len[i];
	if (cap >= 0xFFFFFF)
		fatal("prefilter: too many literals");
	while (hmask + 1 < 2 * cap)
		hmask = hmask * 2 + 1;
	hkey = xcalloc(hmask + 1, sizeof(*hkey));
	hval = xmalloc((hmask + 1) * sizeof(*hval));
	pairs = xmalloc(cap * sizeof(*pairs));
	pf->slit = xmalloc(cap * sizeof(*pf->slit));
	for (i = 0; i < cap; i++)
		pf->slit[i] = NONE;
	pf->nstate = 1;
	for (i = 0; i < pf->nlit; i++) {
		const char *s = pf->pool + pf->lit_off[i];
		uint32_t st = 0;

		for (k = 0; k < pf->lit_len[i]; k++) {
			uint32_t c = pf->cls[(unsigned char)s[k]];
			uint64_t key = ((uint64_t)st << 8 | c) + 1;
			size_t h;

			for (h = (size_t)(key * 0x9E3779B97F4A7C15ULL >> 17) & hmask;
			    hkey[h] && hkey[h] != key; h = (h + 1) & hmask)
				;
			if (!hkey[h]) {
				hkey[h] = key;
				hval[h] = (uint32_t)pf->nstate++;
				/* edges as (state, class, child) sorted later */
				pairs[nedge++] = (uint32_t)h;
			}
			st = hval[h];
		}
		pf->slit[st] = (uint32_t)i;
	}
	/* edges grouped by state, by class within a state */
	pf->edge0 = xcalloc(pf->nstate + 1, sizeof(*pf->edge0));
	pf->edge = xmalloc((nedge + 1) * sizeof(*pf->edge));
	memset(pf->root, 0, sizeof(pf->root));
	{
		uint64_t *tmp = xmalloc((nedge + 1) * sizeof(*tmp));
		size_t n = 0;

		for (i = 0; i < nedge; i++) {
			uint64_t key = hkey[pairs[i]] - 1;

			tmp[n++] = key << 24 | hval[pairs[i]];
		}
		qsort(tmp, n, sizeof(*tmp), u64_cmp_pf);
		for (i = 0, k = 0; i < n; i++) {
			uint32_t st = (uint32_t)(tmp[i] >> 32);
			uint32_t c = (uint32_t)(tmp[i] >> 24) & 0xFF;
			uint32_t ch = (uint32_t)(tmp[i] & 0xFFFFFF);

			if (st == 0) {
				pf->root[c] = ch;
				continue;
			}
			pf->edge0[st + 1]++;
			pf->edge[k++] = c << 24 | ch;
		}
		for (i = 0; i < pf->nstate; i++)
			pf->edge0[i + 1] += pf->edge0[i];
		free(tmp);
	}
	free(hkey);
	free(hval);
	free(pairs);
	/* breadth first: failure links and dict */
	pf->fail = xcalloc(pf->nstate, sizeof(*pf->fail));
	pf->dict = xcalloc(pf->nstate, sizeof(*pf->dict));
	queue = xmalloc(pf->nstate * sizeof(*queue));
	head = tail = 0;
	for (k = 0; k < NCLASS; k++)
		if (pf->root[k])
			queue[tail++] = pf->root[k];
	while (head < tail) {
		uint32_t u = queue[head++], e;

		for (e = pf->edge0[u]; e < pf->edge0[u + 1]; e++) {
			uint32_t c = pf->edge[e] >> 24, v = pf->edge[e] & 0xFFFFFF;
			uint32_t f = step(pf, pf->fail[u], c);

			pf->fail[v] = f;
			pf->dict[v] = pf->slit[f] != NONE ? f : pf->dict[f];
			queue[tail++] = v;
		}
	}
	pf->slit = xrealloc(pf->slit, pf->nstate * sizeof(*pf->slit));
	free(queue);
	build_rows(pf);
}

static void
lazy_release(struct prefilter *pf)
{
	size_t i;

	for (i = 0; i < pf->nlazy; i++)
		free(pf->lazy_src[i]);
	free(pf->lazy_src);
	free(pf->lazy_id);
	free(pf->lazy_hash);
	pf->lazy_src = NULL;
	pf->lazy_id = NULL;
	pf->lazy_hash = NULL;
	pf->nlazy = pf->alazy = pf->lazy_mask = 0;
}

/* ---- formulas as clauses ---- */

static double
dnf_p(const struct prefilter *pf, const struct dnf *d)
{
	double sum = 0;
	size_t i, k;

	if (d->top)
		return 1;
	for (i = 0; i < d->n; i++) {
		double p = 1;

		for (k = 0; k < d->c[i].n; k++)
			p *= pf->fact_p[d->c[i].f[k]];
		sum += p;
	}
	return sum < 1 ? sum : 1;
}

static void
dnf_push(struct dnf *d, const struct clause *c)
{
	d->c = xgrow(d->c, &d->alloc, d->n + 1, sizeof(*d->c));
	d->c[d->n++] = *c;
}

/* Rarer first: less likely in the corpus, then the longer literal. */
static bool
rarer(const struct prefilter *pf, uint32_t a, uint32_t b)
{
	if (pf->fact_p[a] != pf->fact_p[b])
		return pf->fact_p[a] < pf->fact_p[b];
	if (pf->lit_len[pf->fact_lit[a]] != pf->lit_len[pf->fact_lit[b]])
		return pf->lit_len[pf->fact_lit[a]] > pf->lit_len[pf->fact_lit[b]];
	return a < b;
}

/* Adds fact f to clause c, rarest first; a full clause keeps its rarest. */
static void
clause_add(const struct prefilter *pf, struct clause *c, uint32_t f)
{
	uint32_t i, k;

	for (i = 0; i < c->n; i++)
		if (c->f[i] == f)
			return;
	for (i = 0; i < c->n && rarer(pf, c->f[i], f); i++)
		;
	if (i == CLAUSE_MAX)
		return;         /* fewer facts: a weaker, still sound clause */
	if (c->n == CLAUSE_MAX)
		c->n--;
	for (k = c->n; k > i; k--)
		c->f[k] = c->f[k - 1];
	c->f[i] = f;
	c->n++;
}

static void
dnf_of(const struct prefilter *pf, uint32_t x, struct dnf *out)
{
	const struct pf_node *nd;
	uint32_t i;

	memset(out, 0, sizeof(*out));
	if (x == NONE) {
		out->top = true;
		return;
	}
	nd = &pf->node[x];
	if (nd->op == T_LIT) {
		struct clause c = { 1, { nd->a } };

		dnf_push(out, &c);
		return;
	}
	if (nd->op == T_OR) {
		for (i = 0; i < nd->n && !out->top; i++) {
			struct dnf k;
			size_t j;

			dnf_of(pf, pf->kids[nd->a + i], &k);
			if (k.top)
				out->top = true;
			for (j = 0; j < k.n; j++)
				dnf_push(out, &k.c[j]);
			free(k.c);
		}
		if (out->top) {
			out->n = 0;
		} else if (out->n > OR_MAX) {
			/* too many: each clause by its rarest fact alone */
			size_t j, m = 0;

			for (j = 0; j < out->n; j++) {
				struct clause c = { 1, { out->c[j].f[0] } };
				size_t k;
				bool dup = false;

				for (k = 0; k < m; k++)
					if (out->c[k].f[0] == c.f[0])
						dup = true;
				if (!dup)
					out->c[m++] = c;
			}
			out->n = m;
		}
		return;
	}
	/* AND: the product of its parts, the most telling first, leaving
	 * out a part that would make too many clauses (weaker, sound) */
	{
		struct dnf *k = xcalloc(nd->n, sizeof(*k));
		uint32_t *ord = xmalloc(nd->n * sizeof(*ord)), j, m;
		double *p = xmalloc(nd->n * sizeof(*p));

		for (i = 0; i < nd->n; i++) {
			dnf_of(pf, pf->kids[nd->a + i], &k[i]);
			p[i] = dnf_p(pf, &k[i]);
			ord[i] = i;
		}
		for (i = 1; i < nd->n; i++)
			for (j = i; j > 0 && p[ord[j]] < p[ord[j - 1]]; j--) {
				m = ord[j];
				ord[j] = ord[j - 1];
				ord[j - 1] = m;
			}
		out->top = true;
		for (i = 0; i < nd->n; i++) {
			struct dnf *d = &k[ord[i]], prod = { 0 };
			size_t a, b, f;

			if (d->top)
				continue;
			if (out->top) {
				*out = *d;
				d->c = NULL;
				continue;
			}
			if (out->n * d->n > DNF_MAX)
				continue;
			for (a = 0; a < out->n; a++)
				for (b = 0; b < d->n; b++) {
					struct clause c = out->c[a];

					for (f = 0; f < d->c[b].n; f++)
						clause_add(pf, &c, d->c[b].f[f]);
					dnf_push(&prod, &c);
				}
			free(out->c);
			*out = prod;
		}
		for (i = 0; i < nd->n; i++)
			free(k[i].c);
		free(k);
		free(ord);
		free(p);
	}
}

/* Stores d as a group of formula fid (tags[i]: clause i's piece, or
 * NULL); returns its index. */
static uint32_t
store(struct prefilter *pf, const struct dnf *d, uint32_t fid,
    const uint8_t *tags)
{
	uint32_t g = (uint32_t)pf->ngrp;
	size_t i;

	if (pf->ngrp + 1 > pf->agrp) {
		pf->agrp = pf->agrp ? 2 * pf->agrp : 256;
		pf->gc0 = xrealloc(pf->gc0, pf->agrp * sizeof(uint32_t));
		pf->gcn = xrealloc(pf->gcn, pf->agrp * sizeof(uint32_t));
		pf->g_fid = xrealloc(pf->g_fid, pf->agrp * sizeof(uint32_t));
	}
	pf->gc0[g] = (uint32_t)pf->ncl;
	pf->gcn[g] = (uint32_t)d->n;
	pf->g_fid[g] = fid;
	pf->ngrp++;
	for (i = 0; i < d->n; i++) {
		if (pf->ncl + 1 > pf->acl) {
			pf->acl = pf->acl ? 2 * pf->acl : 1024;
			pf->cl0 = xrealloc(pf->cl0, pf->acl * sizeof(uint32_t));
			pf->cln = xrealloc(pf->cln, pf->acl * sizeof(uint32_t));
			pf->cl_grp = xrealloc(pf->cl_grp, pf->acl * sizeof(uint32_t));
			pf->cl_piece = xrealloc(pf->cl_piece, pf->acl);
		}
		pf->cl_piece[pf->ncl] = tags ? tags[i] : NOPIECE;
		pf->cf = xgrow(pf->cf, &pf->acf, pf->ncf + d->c[i].n, sizeof(uint32_t));
		pf->cl0[pf->ncl] = (uint32_t)pf->ncf;
		pf->cln[pf->ncl] = d->c[i].n;
		pf->cl_grp[pf->ncl] = g;
		memcpy(pf->cf + pf->ncf, d->c[i].f, d->c[i].n * sizeof(uint32_t));
		pf->ncf += d->c[i].n;
		pf->ncl++;
	}
	return g;
}

/* The parts of a conjunction, nested ones flattened. */
static void
parts(const struct prefilter *pf, uint32_t x, struct dnf **v, size_t *n,
    size_t *alloc)
{
	const struct pf_node *nd;
	struct dnf d;
	uint32_t i;

	if (x == NONE)
		return;
	nd = &pf->node[x];
	if (nd->op == T_AND) {
		for (i = 0; i < nd->n; i++)
			parts(pf, pf->kids[nd->a + i], v, n, alloc);
		return;
	}
	dnf_of(pf, x, &d);
	if (d.top)
		return;
	*v = xgrow(*v, alloc, *n + 1, sizeof(**v));
	(*v)[(*n)++] = d;
}

/* Stores formula x as groups of fid, most telling first: *g0, *ng. */
static void
store_formula(struct prefilter *pf, uint32_t x, uint32_t fid, uint32_t *g0,
    uint32_t *ng)
{
	struct dnf *v = NULL;
	size_t n = 0, alloc = 0, i, j;

	parts(pf, x, &v, &n, &alloc);
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && dnf_p(pf, &v[j]) < dnf_p(pf, &v[j - 1]); j--) {
			struct dnf t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	*g0 = (uint32_t)pf->ngrp;
	*ng = (uint32_t)n;
	for (i = 0; i < n; i++) {
		(void)store(pf, &v[i], fid, NULL);
		free(v[i].c);
	}
	free(v);
}

/*
 * Pieces: one group, the clauses of every piece, each tagged with its
 * piece; *always gets the pieces that need nothing (then the formula
 * needs nothing: *ng = 0).
 */
static void
store_pieces(struct prefilter *pf, const struct pf_pat *p, uint32_t fid,
    uint32_t *g0, uint32_t *ng, uint64_t *always)
{
	struct dnf all = { 0 };
	uint8_t *tags = NULL;
	size_t alloc = 0, i, j;

	*always = 0;
	for (i = 0; i < p->np; i++) {
		struct dnf d;

		dnf_of(pf, pf->proot[p->root0 + i], &d);
		if (d.top)
			*always |= (uint64_t)1 << i;
		for (j = 0; j < d.n; j++) {
			dnf_push(&all, &d.c[j]);
			tags = xgrow(tags, &alloc, all.n, 1);
			tags[all.n - 1] = (uint8_t)i;
		}
		free(d.c);
	}
	*g0 = (uint32_t)pf->ngrp;
	*ng = 0;
	if (!*always && all.n) {
		(void)store(pf, &all, fid, tags);
		*ng = 1;
	} else if (all.n) {
		/* still filed: which of the other pieces may match */
		(void)store(pf, &all, fid, tags);
		*g0 = (uint32_t)pf->ngrp - 1;
	}
	free(all.c);
	free(tags);
}

/* Is group g the first of its formula (the one its clauses are filed by)? */
static bool
first_group(const struct prefilter *pf, uint32_t g)
{
	uint32_t fid = pf->g_fid[g];
	const struct pf_pat *p = &pf->pat[fid / 2];

	return g == (fid % 2 ? p->s0 : p->g0);
}

void
prefilter_build(struct prefilter *pf, const char *const *corpus, size_t ncorpus)
{
	size_t i, k;
	uint32_t *cnt;
	int v;

	build_automaton(pf);
	/* each literal's facts, grouped (at most one per need: four) */
	pf->lit_out = xcalloc(pf->nlit + 1, sizeof(*pf->lit_out));
	pf->lit_facts = xmalloc((pf->nfact + 1) * sizeof(uint32_t));
	for (i = 0; i < pf->nfact; i++)
		pf->lit_out[pf->fact_lit[i]].nfact++;
	for (i = 0, k = 0; i < pf->nlit; i++) {
		pf->lit_out[i].fact0 = (uint32_t)k;
		pf->lit_out[i].len = (uint16_t)pf->lit_len[i];
		k += pf->lit_out[i].nfact;
		pf->lit_out[i].nfact = 0;
	}
	for (i = 0; i < pf->nfact; i++) {
		struct pf_lit *l = &pf->lit_out[pf->fact_lit[i]];

		pf->lit_facts[l->fact0 + l->nfact++] = (uint32_t)i << 2 |
		    pf->fact_need[i];
	}
	for (v = 0; v < PF_TEXTS; v++) {
		pf->mark[v] = xcalloc(pf->nfact + 1, sizeof(uint32_t));
		pf->found[v] = xmalloc((pf->nfact + 1) * sizeof(uint32_t));
		pf->ftrue[v] = xcalloc(2 * pf->npat + 2, sizeof(uint32_t));
		pf->lstamp[v] = xcalloc(2 * pf->npat + 2, sizeof(uint32_t));
		pf->live[v] = xcalloc(2 * pf->npat + 2, sizeof(uint64_t));
	}
	pf->pmark = xcalloc(pf->npat + 1, sizeof(uint32_t));
	pf->woken = xmalloc((pf->npat + 1) * sizeof(uint32_t));
	pf->always = xmalloc((pf->npat + 1) * sizeof(uint32_t));
	pf->idx0 = xcalloc(pf->nfact + 2, sizeof(uint32_t));
	/* how often each fact holds in texts like the messages to come */
	pf->fact_p = xmalloc((pf->nfact + 1) * sizeof(double));
	cnt = xcalloc(pf->nfact + 1, sizeof(*cnt));
	for (i = 0; i < ncorpus; i++) {
		prefilter_begin(pf);
		prefilter_scan(pf, 0, corpus[i], strlen(corpus[i]));
		for (k = 0; k < pf->nfound[0]; k++)
			cnt[pf->found[0][k]]++;
	}
	for (i = 0; i < pf->nfact; i++)
		pf->fact_p[i] = ((double)cnt[i] + 1.0) / ((double)ncorpus + 2.0);
	free(cnt);
	for (i = 0; i < pf->npat; i++) {
		struct pf_pat *p = &pf->pat[i];

		if (p->shape == PF_ANY)
			store_pieces(pf, p, FID_NEC(i), &p->g0, &p->ng, &p->live_always);
		else
			store_formula(pf, p->nec, FID_NEC(i), &p->g0, &p->ng);
		p->always = p->ng == 0;
		if (p->always && !(p->flags & PF_LAZY))
			pf->always[pf->nalways++] = (uint32_t)i;
		if (p->shape == PF_NONE_OF) {
			store_pieces(pf, p, FID_SUFF(i), &p->s0, &p->ns, &p->live_always);
			/* "names none of X" where X needs nothing: never decided */
			p->decide = p->ns > 0;
		} else if (p->suff != NONE) {
			store_formula(pf, p->suff, FID_SUFF(i), &p->s0, &p->ns);
			p->decide = p->ns > 0;
		}
	}
	/* index: fact -> the clauses of each formula's first (most telling)
	 * group whose rarest fact it is */
	for (i = 0; i < pf->ncl; i++)
		if (first_group(pf, pf->cl_grp[i]))
			pf->idx0[pf->cf[pf->cl0[i]] + 1]++;
	for (i = 0; i < pf->nfact; i++)
		pf->idx0[i + 1] += pf->idx0[i];
	pf->idx = xmalloc((pf->idx0[pf->nfact] + 1) * sizeof(uint32_t));
	cnt = xcalloc(pf->nfact + 1, sizeof(*cnt));
	for (i = 0; i < pf->ncl; i++) {
		uint32_t f = pf->cf[pf->cl0[i]];

		if (first_group(pf, pf->cl_grp[i]))
			pf->idx[pf->idx0[f] + cnt[f]++] = (uint32_t)i;
	}
	free(cnt);
	pf->wake = xmalloc((pf->idx0[pf->nfact] + 1) * sizeof(*pf->wake));
	for (i = 0; i < pf->idx0[pf->nfact]; i++) {
		uint32_t c = pf->idx[i], g = pf->cl_grp[c], fid = pf->g_fid[g];
		const struct pf_pat *pp = &pf->pat[fid / 2];

		uint32_t ng = fid % 2 ? pp->ns : pp->ng;

		if (ng > UINT16_MAX || pf->cln[c] > CLAUSE_MAX)
			fatal("prefilter: a clause of %u facts in a formula of %u "
			    "groups", pf->cln[c], ng);
		pf->wake[i] = (struct pf_wake){ pf->cln[c] > 1 ?
		    pf->cf[pf->cl0[c] + 1] : NONE, pf->cl0[c], g, fid,
		    (uint16_t)ng, (uint8_t)pf->cln[c], pf->cl_piece[c] };
	}
	free(pf->idx);
	pf->idx = NULL;
	/* what was only for adding */
	lazy_release(pf);
	free(pf->tree);
	pf->tree = NULL;
	free(pf->lit_hash);
	pf->lit_hash = NULL;
	free(pf->fact_hash);
	pf->fact_hash = NULL;
	free(pf->node);
	pf->node = NULL;
	free(pf->kids);
	pf->kids = NULL;
	free(pf->proot);
	pf->proot = NULL;
}

void
prefilter_free(struct prefilter *pf)
{
	int v;

	if (!pf)
		return;
	lazy_release(pf);
	free(pf->tree);
	free(pf->pat);
	free(pf->node);
	free(pf->kids);
	free(pf->fact_lit);
	free(pf->fact_need);
	free(pf->fact_p);
	free(pf->fact_hash);
	free(pf->pool);
	free(pf->lit_off);
	free(pf->lit_len);
	free(pf->lit_out);
	free(pf->lit_hash);
	free(pf->lit_facts);
	free(pf->edge0);
	free(pf->edge);
	free(pf->fail);
	free(pf->drow);
	free(pf->dense);
	free(pf->slit);
	free(pf->dict);
	free(pf->gc0);
	free(pf->gcn);
	free(pf->g_fid);
	free(pf->cl0);
	free(pf->cln);
	free(pf->cl_grp);
	free(pf->cl_piece);
	free(pf->proot);
	free(pf->cf);
	free(pf->idx0);
	free(pf->idx);
	free(pf->wake);
	free(pf->always);
	for (v = 0; v < PF_TEXTS; v++) {
		free(pf->mark[v]);
		free(pf->found[v]);
		free(pf->ftrue[v]);
		free(pf->lstamp[v]);
		free(pf->live[v]);
	}
	free(pf->pmark);
	free(pf->woken);
	free(pf);
}

/* ---- per message ---- */

void
prefilter_begin(struct prefilter *pf)
{
	size_t i;
	int v;

	if (++pf->stamp == 0) {
		for (v = 0; v < PF_TEXTS; v++) {
			memset(pf->mark[v], 0, (pf->nfact + 1) * sizeof(uint32_t));
			memset(pf->ftrue[v], 0, (2 * pf->npat + 2) * sizeof(uint32_t));
			memset(pf->lstamp[v], 0, (2 * pf->npat + 2) * sizeof(uint32_t));
		}
		memset(pf->pmark, 0, (pf->npat + 1) * sizeof(uint32_t));
		pf->stamp = 1;
	}
	for (v = 0; v < PF_TEXTS; v++)
		pf->nfound[v] = 0;
	pf->nwoken = 0;
	for (i = 0; i < pf->nalways; i++) {
		pf->pmark[pf->always[i]] = pf->stamp;
		pf->woken[pf->nwoken++] = pf->always[i];
	}
}

static void
found(struct prefilter *pf, int v, uint32_t lit, const char *s, size_t len,
    size_t end)
{
	const struct pf_lit *l = &pf->lit_out[lit];
	size_t start = end - l->len;
	/* what this occurrence lacks: a fact needing it does not hold */
	uint32_t lack = (start == 0 || s[start - 1] == ' ' ? 0 : NEED_LB) |
	    (end == len || s[end] == ' ' ? 0 : NEED_RB);
	const uint32_t *x = pf->lit_facts + l->fact0, *e = x + l->nfact;
	uint32_t *mark = pf->mark[v], stamp = pf->stamp;

	for (; x < e; x++) {
		uint32_t f = *x >> 2;

		if ((*x & lack) || mark[f] == stamp)
			continue;
		mark[f] = stamp;
		pf->found[v][pf->nfound[v]++] = f;
	}
}

static bool
clause_true(const struct prefilter *pf, int v, uint32_t c)
{
	const uint32_t *f = pf->cf + pf->cl0[c], *mark = pf->mark[v];
	uint32_t i, n = pf->cln[c];

	for (i = 0; i < n; i++)
		if (mark[f[i]] != pf->stamp)
			return false;
	return true;
}

static bool
group_true(const struct prefilter *pf, int v, uint32_t g)
{
	uint32_t c;

	for (c = pf->gc0[g]; c < pf->gc0[g] + pf->gcn[g]; c++)
		if (clause_true(pf, v, c))
			return true;
	return false;
}

static bool
all_groups(const struct prefilter *pf, int v, uint32_t g0, uint32_t n)
{
	uint32_t g;

	for (g = g0; g < g0 + n; g++)
		if (!group_true(pf, v, g))
			return false;
	return true;
}

void
prefilter_scan(struct prefilter *pf, int v, const char *s, size_t len)
{
	const uint32_t *slit = pf->slit, *dict = pf->dict, *mark;
	uint32_t st = 0, stamp, *ftrue;
	size_t i;

	for (i = 0; i < len; i++) {
		uint32_t x;

		st = step(pf, st, pf->cls[(unsigned char)s[i]]);
		for (x = slit[st] != NONE ? st : dict[st]; x; x = dict[x])
			found(pf, v, slit[x], s, len, i + 1);
	}
	if (!pf->wake)
		return;         /* still building */
	mark = pf->mark[v];
	ftrue = pf->ftrue[v];
	stamp = pf->stamp;
	/* the clauses of match patterns woken by what was found */
	for (i = 0; i < pf->nfound[v]; i++) {
		uint32_t f = pf->found[v][i], k;

		for (k = pf->idx0[f]; k < pf->idx0[f + 1]; k++) {
			const struct pf_wake *w = &pf->wake[k];
			uint32_t g = w->g, fid = w->fid, p = fid / 2, ng = w->ng, j;
			const struct pf_pat *pp;
			uint8_t piece = w->piece;

			/* clause_true: its first fact is f */
			if (w->f2 != NONE && mark[w->f2] != stamp)
				continue;
			/* a formula in pieces: every true clause says which */
			if (ftrue[fid] == stamp && piece == NOPIECE)
				continue;
			for (j = 2; j < w->cln && mark[pf->cf[w->cl0 + j]] == stamp;
			    j++)
				;
			if (j < w->cln || !all_groups(pf, v, g + 1, ng ? ng - 1 : 0))
				continue;
			pp = &pf->pat[p];
			if (piece != NOPIECE) {
				if (pf->lstamp[v][fid] != stamp) {
					pf->lstamp[v][fid] = stamp;
					pf->live[v][fid] = 0;
				}
				pf->live[v][fid] |= (uint64_t)1 << piece;
			}
			if (ftrue[fid] == stamp)
				continue;
			ftrue[fid] = stamp;
			if (fid % 2 == 0 && !(pp->flags & PF_LAZY) &&
			    pf->pmark[p] != stamp) {
				pf->pmark[p] = stamp;
				pf->woken[pf->nwoken++] = p;
			}
		}
	}
}

const uint32_t *
prefilter_woken(const struct prefilter *pf, size_t *n)
{
	*n = pf->nwoken;
	return pf->woken;
}

enum pf_verdict
prefilter_test(const struct prefilter *pf, int v, uint32_t pat)
{
	const struct pf_pat *p = &pf->pat[pat];

	if (!p->always && pf->ftrue[v][FID_NEC(pat)] != pf->stamp)
		return PF_NO;
	if (p->decide && pf->ftrue[v][FID_SUFF(pat)] != pf->stamp)
		return PF_YES;
	return PF_MAYBE;
}

enum pf_shape
prefilter_shape(const struct prefilter *pf, uint32_t pat)
{
	return (enum pf_shape)pf->pat[pat].shape;
}

uint64_t
prefilter_live(const struct prefilter *pf, int v, uint32_t pat)
{
	const struct pf_pat *p = &pf->pat[pat];
	uint32_t fid = p->shape == PF_NONE_OF ? FID_SUFF(pat) : FID_NEC(pat);
	uint64_t m = p->live_always;

	if (p->shape == PF_WHOLE)
		return ~(uint64_t)0;
	if (pf->lstamp[v][fid] == pf->stamp)
		m |= pf->live[v][fid];
	return m;
}

size_t
prefilter_nfacts(const struct prefilter *pf)
{
	return pf->nfact;
}

size_t
prefilter_found(const struct prefilter *pf, int v)
{
	return pf->nfound[v];
}

static void
describe(const struct prefilter *pf, uint32_t g0, uint32_t ng, struct buf *out)
{
	uint32_t g, c, i;

	for (g = g0; g < g0 + ng; g++) {
		if (g > g0)
			buf_adds(out, " AND ");
		if (ng > 1)
			buf_addc(out, '(');
		for (c = pf->gc0[g]; c < pf->gc0[g] + pf->gcn[g]; c++) {
			if (c > pf->gc0[g])
				buf_adds(out, " | ");
			for (i = 0; i < pf->cln[c]; i++) {
				uint32_t f = pf->cf[pf->cl0[c] + i];
				uint8_t need = pf->fact_need[f];

				buf_printf(out, "%s%s%s%s", i ? " & " : "",
				    need & NEED_LB ? "<" : "", pf->pool +
				    pf->lit_off[pf->fact_lit[f]],
				    need & NEED_RB ? ">" : "");
			}
		}
		if (ng > 1)
			buf_addc(out, ')');
	}
}

void
prefilter_describe(const struct prefilter *pf, uint32_t pat, struct buf *out)
{
	const struct pf_pat *p = &pf->pat[pat];

	if (p->always)
		buf_addc(out, '*');
	else
		describe(pf, p->g0, p->ng, out);
	if (p->decide) {
		buf_adds(out, "; YES unless ");
		describe(pf, p->s0, p->ns, out);
	}
}
