#include "abbrev.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum abbrev_cond { COND_NONE, COND_NEAR, COND_AFTER_NUMBER };

struct abbrev_sense {
	char *expansion;        /* exact form, may hold "a | b" alternatives */
	char *folded;           /* the same without diacritics */
	enum abbrev_cond cond;
	char **near;            /* folded words or word pairs */
	size_t nnear;
};

struct abbrev_entry {
	char *key;              /* normalized exact form */
	struct abbrev_sense *senses;
	size_t nsenses, asenses;
};

struct abbrev {
	struct abbrev_entry *e;
	size_t n, alloc;
	uint32_t *slot;         /* by hash of key: index into e, or UINT32_MAX */
	size_t mask;
};

#define NEAR_WINDOW 3
#define ABBREV_KEY_MAX 64     /* no abbreviation is longer; longer words skip the lookup */

/* Exact form of one token with đ written as d (how ASCII keys compare). */
static void
d_to_ascii(char *dst, const char *src, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		if ((unsigned char)src[i] == 0xC4 && i + 1 < n &&
		    (unsigned char)src[i + 1] == 0x91) {
			dst[o++] = 'd';
			i++;
		} else {
			dst[o++] = src[i];
		}
	}
	dst[o] = '\0';
}

/* By hash: every word of every text and message is looked up (the
 * binary search was a twentieth of the load). */
static struct abbrev_entry *
find(const struct abbrev *a, const char *key)
{
	size_t i;

	if (!a->slot)
		return NULL;
	for (i = hash64(key, strlen(key), 0) & a->mask; a->slot[i] != UINT32_MAX;
	    i = (i + 1) & a->mask)
		if (strcmp(key, a->e[a->slot[i]].key) == 0)
			return &a->e[a->slot[i]];
	return NULL;
}

static void
index_keys(struct abbrev *a)
{
	size_t sz = 16, k, i;

	while (sz < 2 * a->n)
		sz *= 2;
	a->slot = xmalloc(sz * sizeof(*a->slot));
	memset(a->slot, 0xff, sz * sizeof(*a->slot));
	a->mask = sz - 1;
	for (k = 0; k < a->n; k++) {
		for (i = hash64(a->e[k].key, strlen(a->e[k].key), 0) & a->mask;
		    a->slot[i] != UINT32_MAX; i = (i + 1) & a->mask)
			;
		a->slot[i] = (uint32_t)k;
	}
}

static int
entry_cmp(const void *x, const void *y)
{
	const struct abbrev_entry *a = x, *b = y;

	return strcmp(a->key, b->key);
}

#define ONE_WORD "chữ viết tắt '%s' phải là một từ" DIAG_FIX "mỗi dòng " \
	"một chữ viết tắt không có dấu cách hay dấu câu, ví dụ 'mk = mật " \
	"khẩu'; một cụm nhiều từ thì thêm vào 'keywords:' của chủ đề"

/* Long: one line of abbrev.txt, each check with its own message to the
 * admin, in the order a line is read; split, they would share half-read
 * state. */
static int
parse_line(struct abbrev *a, const char *path, int lineno, char *line,
    struct diag *d)
{
	char *eq = strchr(line, '='), *key, *rhs, *cond, *expn;
	struct abbrev_entry *e = NULL;
	struct abbrev_sense s = { 0 };
	struct text kt;
	size_t i;

	if (!eq) {
		char *colon = strchr(line, ':');

		if (colon) {
			*colon = '\0';
			diag_error(d, path, lineno, "chữ viết tắt và nghĩa của nó cách "
			    "nhau bằng dấu '=', không phải ':'" DIAG_FIX "viết '%s = %s'",
			    str_trim(line), str_trim(colon + 1));
		} else {
			diag_error(d, path, lineno, "dòng này không có dạng 'chữ viết "
			    "tắt = nghĩa đầy đủ'" DIAG_FIX "viết ví dụ 'ko = không'; ghi "
			    "chú thì thêm dấu '#' ở đầu dòng");
		}
		return -1;
	}
	*eq = '\0';
	key = str_trim(line);
	rhs = eq + 1;
	cond = strchr(rhs, ';');
	if (cond)
		*cond++ = '\0';
	expn = str_trim(rhs);
	if (!*key) {
		diag_error(d, path, lineno, "chưa có chữ viết tắt trước dấu '='"
		    DIAG_FIX "viết ví dụ 'mk = mật khẩu'");
		return -1;
	}
	if (strchr(key, ' ')) {
		diag_error(d, path, lineno, ONE_WORD, key);
		return -1;
	}
	if (!*expn) {
		diag_error(d, path, lineno, "'%s' chưa có nghĩa đầy đủ sau dấu '='"
		    DIAG_FIX "viết nghĩa sau dấu '=', ví dụ '%s = …'", key, key);
		return -1;
	}
	if (cond) {
		cond = str_trim(cond);
		if (strcmp(cond, "after-number") == 0) {
			s.cond = COND_AFTER_NUMBER;
		} else if (strncmp(cond, "near ", 5) == 0) {
			char *p = cond + 5, *tok;

			s.cond = COND_NEAR;
			while ((tok = strsep(&p, ",")) != NULL) {
				tok = str_trim(tok);
				if (!*tok)
					continue;
				s.near = xrealloc(s.near, (s.nnear + 1) * sizeof(*s.near));
				s.near[s.nnear++] = text_fold_phrase(tok);
			}
			if (!s.nnear) {
				diag_error(d, path, lineno, "điều kiện 'near' chưa có từ "
				    "nào" DIAG_FIX "liệt kê các từ hay đứng gần, cách nhau "
				    "bằng dấu phẩy, ví dụ '; near quên, đổi, vneid'");
				free(s.near);
				return -1;
			}
		} else {
			static const char *const conds[] = { "near", "after-number" };
			char w[32];
			const char *near;

			snprintf(w, sizeof(w), "%.*s", (int)strcspn(cond, " \t"), cond);
			near = diag_nearest(w, conds, ARRAY_SIZE(conds));
			if (!near && strncmp(cond, "after number", 12) == 0)
				near = "after-number";
			diag_error(d, path, lineno, "không có điều kiện '%s'" DIAG_FIX
			    "%s%s%sdùng '; near từ1, từ2' (một trong các từ ở gần) hoặc "
			    "'; after-number' (đứng ngay sau một con số, như '50 k')",
			    cond, near ? "có phải '" : "", near ? near : "",
			    near ? "'? " : "");
			return -1;
		}
	}

	/* Keys compare in normalized exact form (NFC, lower case). */
	text_normalize(&kt, key, strlen(key));
	if (kt.ntok != 1) {
		diag_error(d, path, lineno, ONE_WORD, key);
		text_release(&kt);
		for (i = 0; i < s.nnear; i++)
			free(s.near[i]);
		free(s.near);
		return -1;
	}
	{
		char *k = xstrdup(kt.exact);

		for (i = 0; i < a->n; i++)
			if (strcmp(a->e[i].key, k) == 0)
				e = &a->e[i];
		if (!e) {
			a->e = xgrow(a->e, &a->alloc, a->n + 1, sizeof(*a->e));
			e = &a->e[a->n++];
			memset(e, 0, sizeof(*e));
			e->key = k;
		} else {
			free(k);
		}
	}
	text_release(&kt);
	for (i = 0; i < e->nsenses; i++) {
		if (e->senses[i].cond == COND_NONE) {
			diag_warn(d, path, lineno, "'%s' đã có một nghĩa không điều "
			    "kiện ở dòng trên, nên dòng này không bao giờ được dùng"
			    DIAG_FIX "từ có nhiều nghĩa thì gộp thành một dòng '%s = "
			    "a | b'; hoặc thêm điều kiện ('; near …') cho dòng trên",
			    e->key, e->key);
			break;
		}
	}
	s.expansion = xstrdup(expn);
	s.folded = text_fold_phrase(expn);
	e->senses = xgrow(e->senses, &e->asenses, e->nsenses + 1, sizeof(s));
	e->senses[e->nsenses++] = s;
	return 0;
}

struct abbrev *
abbrev_parse(const char *path, const char *data, struct diag *d)
{
	struct abbrev *a = xcalloc(1, sizeof(*a));
	char *copy, *p, *line;
	int lineno = 0;

	if (diag_utf8(d, path, data, strlen(data)) < 0)
		return a;
	if (strncmp(data, "\xEF\xBB\xBF", 3) == 0)
		data += 3;      /* Notepad's byte-order mark */
	copy = xstrdup(data);
	p = copy;
	while ((line = strsep(&p, "\n")) != NULL) {
		char *t;

		lineno++;
		t = str_trim(line);
		if (!*t || *t == '#')
			continue;
		(void)parse_line(a, path, lineno, t, d);
	}
	free(copy);
	if (a->n)
		qsort(a->e, a->n, sizeof(*a->e), entry_cmp);
	index_keys(a);
	return a;
}

struct abbrev *
abbrev_load(const char *path, struct diag *d)
{
	struct buf b;
	struct abbrev *a;

	if (diag_read_file(d, path, &b, false) < 0)
		return NULL;
	a = abbrev_parse(path, b.data, d);
	buf_release(&b);
	return a;
}

void
abbrev_free(struct abbrev *a)
{
	size_t i, j, k;

	if (!a)
		return;
	for (i = 0; i < a->n; i++) {
		for (j = 0; j < a->e[i].nsenses; j++) {
			struct abbrev_sense *s = &a->e[i].senses[j];

			for (k = 0; k < s->nnear; k++)
				free(s->near[k]);
			free(s->near);
			free(s->expansion);
			free(s->folded);
		}
		free(a->e[i].senses);
		free(a->e[i].key);
	}
	free(a->e);
	free(a->slot);
	free(a);
}

size_t
abbrev_count(const struct abbrev *a)
{
	return a ? a->n : 0;
}

static bool
all_digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Does the folded phrase occur at token j (whole tokens only)? */
static bool
phrase_at(const struct text *t, size_t j, const char *phrase)
{
	const char *s = t->folded + t->tok[j].foff;
	size_t pl = strlen(phrase);

	if (strncmp(s, phrase, pl) != 0)
		return false;
	return s[pl] == '\0' || s[pl] == ' ';
}

static bool
sense_applies(const struct abbrev_sense *s, const struct text *t, size_t i,
    bool after_number)
{
	size_t j, k, lo, hi;

	switch (s->cond) {
	case COND_NONE:
		return true;
	case COND_AFTER_NUMBER:
		return after_number;
	case COND_NEAR:
		lo = i > NEAR_WINDOW ? i - NEAR_WINDOW : 0;
		hi = i + NEAR_WINDOW < t->ntok ? i + NEAR_WINDOW : t->ntok - 1;
		for (j = lo; j <= hi; j++) {
			if (j == i)
				continue;
			for (k = 0; k < s->nnear; k++)
				if (phrase_at(t, j, s->near[k]))
					return true;
		}
		return false;
	}
	return false;
}

/* Writes one sense, turning "a | b" into "a b" so every sense is seen. */
static void
put_expansion(struct buf *out, const char *e)
{
	for (; *e; e++) {
		if (*e == '|')
			continue;
		if (*e == ' ' && out->len && out->data[out->len - 1] == ' ')
			continue;
		buf_addc(out, *e);
	}
	while (out->len && out->data[out->len - 1] == ' ')
		out->data[--out->len] = '\0';
}

static const struct abbrev_sense *
pick(const struct abbrev_entry *e, const struct text *t, size_t i,
    bool after_number)
{
	size_t k;

	for (k = 0; k < e->nsenses; k++)
		if (sense_applies(&e->senses[k], t, i, after_number))
			return &e->senses[k];
	return NULL;
}

bool
abbrev_expand(const struct abbrev *a, const struct text *in, struct buf *out)
{
	bool changed = false;
	char key[ABBREV_KEY_MAX + 1];
	size_t i;

	for (i = 0; i < in->ntok; i++) {
		const struct text_tok *k = &in->tok[i];
		const char *tok = in->exact + k->eoff;
		const struct abbrev_entry *e = NULL;
		const struct abbrev_sense *s = NULL;
		size_t dl = 0;

		if (out->len)
			buf_addc(out, ' ');
		if (a && k->elen < ABBREV_KEY_MAX) {
			/*
			 * The key as typed first ("đt"), then with đ as d, so "dc"
			 * also covers "đc" — but never a toned word ("hong" ≠ "hỏng").
			 */
			memcpy(key, tok, k->elen);
			key[k->elen] = '\0';
			e = find(a, key);
			if (!e) {
				d_to_ascii(key, tok, k->elen);
				e = find(a, key);
			}
			if (e) {
				bool num = i > 0 && all_digits(in->exact + in->tok[i - 1].eoff,
				    in->tok[i - 1].elen);
				s = pick(e, in, i, num);
			} else {
				/* "50k", "10tr": a number glued to an after-number unit */
				while (dl < k->elen && isdigit((unsigned char)tok[dl]))
					dl++;
				if (dl && dl < k->elen) {
					e = find(a, key + dl);
					if (e) {
						size_t m;

						s = NULL;
						for (m = 0; m < e->nsenses; m++)
							if (e->senses[m].cond == COND_AFTER_NUMBER)
								s = &e->senses[m];
					}
				}
			}
		}
		if (s) {
			if (dl) {
				buf_add(out, tok, dl);
				buf_addc(out, ' ');
			}
			/*
			 * "dvc" typed without marks expands without marks too: the
			 * resident did not type "dịch vụ công", so a pattern must not
			 * count it as a mismatch of diacritics.
			 */
			put_expansion(out, k->marked ? s->expansion : s->folded);
			changed = true;
		} else {
			buf_add(out, tok, k->elen);
		}
	}
	return changed;
}
