#include "prefilter.h"

#include <stdbool.h>
#include <string.h>

static bool
is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c >= 0x80 || c == '_';
}

/* Index of the ']' closing the class that opens at s[i] (or n). */
static size_t
class_end(const char *s, size_t i, size_t n)
{
	i++;
	if (i < n && s[i] == '^')
		i++;
	if (i < n && s[i] == ']')
		i++;       /* a ']' first is a literal */
	while (i < n && s[i] != ']') {
		if (s[i] == '\\')
			i++;
		i++;
	}
	return i < n ? i : n;
}

/* Index just past the ')' matching s[i] == '(' within [i, n), or n. */
static size_t
close_paren(const char *s, size_t i, size_t n)
{
	int depth = 0;

	for (; i < n; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '[') {
			i = class_end(s, i, n);
			continue;
		}
		if (s[i] == '(')
			depth++;
		else if (s[i] == ')' && --depth == 0)
			return i + 1;
	}
	return n;
}

/* Skips a quantifier at s[i]; *optional tells whether it allows zero. */
static size_t
skip_quant(const char *s, size_t i, size_t n, bool *optional, bool *any)
{
	*optional = false;
	*any = false;
	if (i >= n)
		return i;
	if (s[i] == '?' || s[i] == '*') {
		*optional = true;
		*any = true;
		i++;
	} else if (s[i] == '+') {
		*any = true;
		i++;
	} else if (s[i] == '{') {
		size_t j = i + 1;

		while (j < n && s[j] != '}')
			j++;
		if (j < n) {
			*any = true;
			*optional = s[i + 1] == '0' || s[i + 1] == ',';
			i = j + 1;
		}
	}
	if (*any && i < n && (s[i] == '?' || s[i] == '+'))
		i++;    /* lazy or possessive */
	return i;
}

/* Can a word end at s[i] (what follows cannot extend it with a letter)? */
static bool
ends_word(const char *s, size_t i, size_t n)
{
	if (i >= n)
		return true;
	switch (s[i]) {
	case ' ':
		return !(i + 1 < n && (s[i + 1] == '?' || s[i + 1] == '*'));
	case ')': case '|': case '$': case '.':
		return true;
	case '\\':
		/* \s* and \s? may match nothing: "vss\s*id" is typed "vssid" */
		return i + 1 < n && (s[i + 1] == 'b' || (s[i + 1] == 's' &&
		    !(i + 2 < n && (s[i + 2] == '*' || s[i + 2] == '?' ||
		    (s[i + 2] == '{' && i + 3 < n && (s[i + 3] == '0' ||
		    s[i + 3] == ','))))));
	default:
		return false;
	}
}

static int analyze(const char *s, size_t n, struct prefilter_set *out);

/* Does a group's body end with a mandatory separator (" ", \s, \s+, \b)? */
static bool
ends_sep(const char *s, size_t n)
{
	if (n >= 1 && s[n - 1] == '+')
		n--;
	else if (n >= 1 && (s[n - 1] == '*' || s[n - 1] == '?'))
		return false;
	if (n >= 1 && s[n - 1] == ' ')
		return true;
	return n >= 2 && s[n - 2] == '\\' && (s[n - 1] == 's' || s[n - 1] == 'b');
}

static void
consider(struct prefilter_set *best, bool *have, const struct prefilter_set *c)
{
	size_t i, minlen_c = PREFILTER_WORD_MAX, minlen_b = PREFILTER_WORD_MAX;

	for (i = 0; i < c->n; i++)
		if (strlen(c->w[i]) < minlen_c)
			minlen_c = strlen(c->w[i]);
	for (i = 0; *have && i < best->n; i++)
		if (strlen(best->w[i]) < minlen_b)
			minlen_b = strlen(best->w[i]);
	/* fewer alternatives first, then longer (rarer) words */
	if (!*have || c->n < best->n || (c->n == best->n && minlen_c > minlen_b)) {
		*best = *c;
		*have = true;
	}
}

static int
analyze_seq(const char *s, size_t n, struct prefilter_set *out)
{
	struct prefilter_set best, cand;
	bool have = false, prev_b = true, opt, any;
	size_t i = 0;

	while (i < n) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			char e = i + 1 < n ? s[i + 1] : 0;

			i = skip_quant(s, i + 2, n, &opt, &any);
			prev_b = (e == 's' && !opt) || e == 'b';
		} else if (c == '[') {
			i = skip_quant(s, class_end(s, i, n) + 1, n, &opt, &any);
			prev_b = false;
		} else if (c == '(') {
			size_t end = close_paren(s, i, n), a = i + 1, b = end - 1;
			bool look = false, ok_start = prev_b;

			if (b > n || b < a)
				return -1;
			if (a < b && s[a] == '?') {
				if (a + 1 < b && s[a + 1] == ':')
					a += 2;
				else if (a + 1 < b && (s[a + 1] == '=' || s[a + 1] == '!' ||
				    s[a + 1] == '<'))
					look = true;
				else
					return -1;      /* flags, named groups: give up */
			}
			i = skip_quant(s, end, n, &opt, &any);
			if (look)
				continue;       /* zero-width: boundaries unchanged */
			if (!opt && ok_start && ends_word(s, i, n) &&
			    analyze(s + a, b - a, &cand) == 0)
				consider(&best, &have, &cand);
			/* skipped (optional) or present, a word may follow only if
			 * both ways end at a separator */
			prev_b = ends_sep(s + a, b - a) && (!opt || ok_start);
		} else if (is_word(c)) {
			size_t j = i;

			while (j < n && is_word((unsigned char)s[j]))
				j++;
			if (j < n && (s[j] == '?' || s[j] == '*' || s[j] == '+' ||
			    s[j] == '{')) {
				i = skip_quant(s, j, n, &opt, &any);
				prev_b = false;
				continue;
			}
			if (prev_b && ends_word(s, j, n) && j - i < PREFILTER_WORD_MAX) {
				size_t k;

				cand.n = 1;
				for (k = 0; k < j - i; k++)
					cand.w[0][k] = (char)((unsigned char)s[i + k] < 0x80 ?
					    (s[i + k] | (s[i + k] >= 'A' && s[i + k] <= 'Z' ?
					    0x20 : 0)) : s[i + k]);
				cand.w[0][j - i] = '\0';
				consider(&best, &have, &cand);
			}
			i = j;
			prev_b = false;
		} else if (c == '.') {
			i = skip_quant(s, i + 1, n, &opt, &any);
			prev_b = true;  /* a gap between words, by convention */
		} else if (c == ' ') {
			i = skip_quant(s, i + 1, n, &opt, &any);
			prev_b = !opt;
		} else {
			/* '^', '$' and literal punctuation separate words */
			prev_b = true;
			i++;
		}
	}
	if (!have)
		return -1;
	*out = best;
	return 0;
}

static int
analyze(const char *s, size_t n, struct prefilter_set *out)
{
	size_t i, start = 0;
	int depth = 0;
	bool alt = false;
	struct prefilter_set acc = { 0 }, part;

	for (i = 0; i <= n; i++) {
		if (i < n && s[i] == '\\') {
			i++;
			continue;
		}
		if (i < n && s[i] == '[') {
			i = class_end(s, i, n);
			continue;
		}
		if (i < n && s[i] == '(')
			depth++;
		else if (i < n && s[i] == ')')
			depth--;
		if (i == n || (s[i] == '|' && depth == 0)) {
			size_t k;

			if (i < n)
				alt = true;
			/* every branch must name a word, or the whole has none */
			if (analyze_seq(s + start, i - start, &part) < 0)
				return -1;
			for (k = 0; k < part.n; k++) {
				size_t m;
				bool dup = false;

				for (m = 0; m < acc.n; m++)
					if (strcmp(acc.w[m], part.w[k]) == 0)
						dup = true;
				if (dup)
					continue;
				if (acc.n == PREFILTER_MAX_WORDS)
					return -1;
				memcpy(acc.w[acc.n++], part.w[k], PREFILTER_WORD_MAX);
			}
			start = i + 1;
		}
	}
	(void)alt;
	if (!acc.n)
		return -1;
	*out = acc;
	return 0;
}

int
prefilter_words(const char *pattern, struct prefilter_set *out)
{
	out->n = 0;
	return analyze(pattern, strlen(pattern), out);
}
