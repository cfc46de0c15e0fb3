#include "telex.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "util.h"

/*
 * A letter being decoded: its base (a-z) and the shape mark a Telex key gave
 * it. Marks: '^' circumflex (aa ee oo), '(' breve (aw), '+' horn (ow uw w),
 * '-' the stroke of đ (dd).
 */
struct unit {
	char base, mark;
};

/* Shape marks: base + mark -> the letter, as UTF-8. */
static const struct { char base, mark; const char *utf8; } shapes[] = {
	{ 'a', '^', "â" }, { 'a', '(', "ă" }, { 'e', '^', "ê" },
	{ 'o', '^', "ô" }, { 'o', '+', "ơ" }, { 'u', '+', "ư" },
	{ 'd', '-', "đ" },
};

/* Tone keys -> combining marks (sắc, huyền, hỏi, ngã, nặng). */
static const struct { char key; const char *mark; } tones[] = {
	{ 's', "\xCC\x81" }, { 'f', "\xCC\x80" }, { 'r', "\xCC\x89" },
	{ 'x', "\xCC\x83" }, { 'j', "\xCC\xA3" },
};

/* Initial consonants, longest first so "ngh" wins over "ng" and "n". */
static const char *const onsets[] = {
	"ngh", "ng", "nh", "ch", "gh", "gi", "kh", "ph", "qu", "th", "tr",
	"b", "c", "d", "g", "h", "k", "l", "m", "n", "p", "r", "s", "t", "v",
	"x",
};

/* Final consonants. The stops (c ch p t) take only sắc or nặng. */
static const char *const codas[] = { "ng", "nh", "ch", "c", "m", "n", "p", "t" };

/*
 * Vowel clusters of Vietnamese syllables (shape marks, no tone). need:
 * 1 = only before a final consonant (ăn, iêng), 2 = never before one (ia,
 * ưa, ai), 0 = either.
 */
static const struct { const char *v; int need; } clusters[] = {
	{ "a", 0 }, { "ă", 1 }, { "â", 1 }, { "e", 0 }, { "ê", 0 }, { "i", 0 },
	{ "o", 0 }, { "ô", 0 }, { "ơ", 0 }, { "u", 0 }, { "ư", 0 }, { "y", 0 },
	{ "ai", 2 }, { "ao", 2 }, { "au", 2 }, { "ay", 2 }, { "âu", 2 },
	{ "ây", 2 }, { "eo", 2 }, { "êu", 2 }, { "ia", 2 }, { "iê", 1 },
	{ "iu", 2 }, { "oa", 0 }, { "oă", 1 }, { "oe", 0 }, { "oi", 2 },
	{ "ôi", 2 }, { "ơi", 2 }, { "ua", 2 }, { "uâ", 1 }, { "uê", 0 },
	{ "ui", 2 }, { "uô", 1 }, { "uơ", 2 }, { "uy", 0 }, { "ưa", 2 },
	{ "ưi", 2 }, { "ươ", 1 }, { "ưu", 2 }, { "yê", 1 }, { "iêu", 2 },
	{ "yêu", 2 }, { "oai", 2 }, { "oao", 2 }, { "oay", 2 }, { "oeo", 2 },
	{ "uây", 2 }, { "uôi", 2 }, { "uya", 2 }, { "uyê", 1 }, { "uyu", 2 },
	{ "ươi", 2 }, { "ươu", 2 },
};

static bool
is_vowel(char c)
{
	return c && strchr("aeiouy", c) != NULL;
}

static const char *
shape(const struct unit *u)
{
	static char plain[2];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(shapes); i++)
		if (shapes[i].base == u->base && shapes[i].mark == u->mark)
			return shapes[i].utf8;
	plain[0] = u->base;
	plain[1] = '\0';
	return plain;
}

/* The last run of vowels: [*a, *b). Empty when there is no vowel yet. */
static void
vowel_group(const struct unit *u, size_t n, size_t *a, size_t *b)
{
	size_t e = n;

	while (e > 0 && !is_vowel(u[e - 1].base))
		e--;
	*b = e;
	while (e > 0 && is_vowel(u[e - 1].base))
		e--;
	*a = e;
}

/* "w": ươ for uo, ư for ua (mưa; not after q: quăng), else ă/ơ/ư. */
static bool
apply_w(struct unit *u, size_t n)
{
	size_t a, b, i;

	vowel_group(u, n, &a, &b);
	if (a == b)
		return false;
	for (i = a; i + 1 < b; i++)
		if (u[i].base == 'u' && u[i + 1].base == 'o') {
			u[i].mark = u[i + 1].mark = '+';
			return true;
		}
	if (b - a == 2 && u[a].base == 'u' && u[a + 1].base == 'a' &&
	    !(a > 0 && u[a - 1].base == 'q')) {
		u[a].mark = '+';
		return true;
	}
	for (i = b; i > a; i--) {
		struct unit *v = &u[i - 1];

		if (v->mark)
			continue;
		if (v->base == 'a') {
			v->mark = '(';
			return true;
		}
		if (v->base == 'o' || v->base == 'u') {
			v->mark = '+';
			return true;
		}
	}
	return false;
}

/* Where the tone goes: index into u, or -1. ns = onset length in units. */
static long
tone_place(const struct unit *u, size_t ns, size_t ve, bool coda)
{
	size_t i, nv = ve - ns;

	for (i = ve; i > ns; i--)
		if (u[i - 1].mark)
			return (long)(i - 1);
	if (nv == 1 || coda)
		return (long)(ve - 1);
	if (nv == 3)
		return (long)(ns + 1);
	if ((u[ns].base == 'o' && (u[ns + 1].base == 'a' || u[ns + 1].base == 'e')) ||
	    (u[ns].base == 'u' && u[ns + 1].base == 'y'))
		return (long)(ns + 1);
	return (long)ns;
}

/* Long: one syllable decoded in the order its spelling is built (keys, onset,
 * vowels, coda, tone mark, NFC), each step reading the ones before. */
int
telex_decode(const char *s, size_t n, char *out, size_t outsz)
{
	struct unit u[TELEX_MAX_WORD];
	char cluster[16] = "", coda[4] = "", raw[TELEX_MAX_WORD + 1];
	char tone = 0, buf[64];
	size_t nu = 0, i, ns, ve, len = 0, a, b;
	bool used = false, stop;
	long tp;
	utf8proc_uint8_t *nfc;

	if (n == 0 || n > TELEX_MAX_WORD || outsz < sizeof(buf))
		return 0;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c < 'a' || c > 'z')
			return 0;
		if (c == 'd' && nu == 1 && u[0].base == 'd' && !u[0].mark) {
			u[0].mark = '-';
			used = true;
			continue;
		}
		if (c == 'a' || c == 'e' || c == 'o') {
			vowel_group(u, nu, &a, &b);
			while (b > a && !(u[b - 1].base == c && !u[b - 1].mark))
				b--;
			if (b > a) {
				u[b - 1].mark = '^';
				used = true;
				continue;
			}
		}
		if (c == 'w') {
			if (apply_w(u, nu)) {
				used = true;
				continue;
			}
			vowel_group(u, nu, &a, &b);
			if (a != b)
				return 0;       /* "aww", "oww": not a syllable */
			u[nu].base = 'u';
			u[nu++].mark = '+';
			used = true;
			continue;
		}
		if (strchr("sfrxj", c)) {
			vowel_group(u, nu, &a, &b);
			if (a != b) {
				if (tone)
					return 0;       /* a second tone: typed as a word */
				tone = c;
				used = true;
				continue;
			}
		}
		u[nu].base = c;
		u[nu++].mark = 0;
	}
	if (!used || nu == 0)
		return 0;

	/* onset: longest match; "gi" is an onset only before another vowel */
	for (i = 0; i < nu && i < sizeof(raw) - 1; i++)
		raw[i] = u[i].mark == '-' ? 'D' : u[i].base;
	raw[i] = '\0';
	ns = 0;
	if (raw[0] == 'D')
		ns = 1;
	else
		for (i = 0; i < ARRAY_SIZE(onsets); i++) {
			size_t ol = strlen(onsets[i]);

			if (strncmp(raw, onsets[i], ol) != 0)
				continue;
			if ((strcmp(onsets[i], "gi") == 0 || strcmp(onsets[i], "qu") == 0) &&
			    !is_vowel(raw[ol]))
				continue;
			ns = ol;
			break;
		}
	for (i = 0; i < ns; i++)
		if (u[i].mark && u[i].mark != '-')
			return 0;
	for (ve = ns; ve < nu && is_vowel(u[ve].base); ve++) {
		const char *sh = shape(&u[ve]);

		if (strlen(cluster) + strlen(sh) >= sizeof(cluster))
			return 0;
		strcat(cluster, sh);
	}
	if (ve == ns)
		return 0;
	for (i = ve; i < nu; i++)
		if (is_vowel(u[i].base) || u[i].mark || i - ve >= sizeof(coda) - 1)
			return 0;
	snprintf(coda, sizeof(coda), "%.*s", (int)(nu - ve), raw + ve);
	if (coda[0]) {
		for (i = 0; i < ARRAY_SIZE(codas); i++)
			if (strcmp(coda, codas[i]) == 0)
				break;
		if (i == ARRAY_SIZE(codas))
			return 0;
	}
	for (i = 0; i < ARRAY_SIZE(clusters); i++)
		if (strcmp(cluster, clusters[i].v) == 0)
			break;
	if (i == ARRAY_SIZE(clusters) || (clusters[i].need == 1 && !coda[0]) ||
	    (clusters[i].need == 2 && coda[0]))
		return 0;
	stop = coda[0] && strchr("cpt", coda[0]);
	if (stop && tone && tone != 's' && tone != 'j')
		return 0;

	tp = tone ? tone_place(u, ns, ve, coda[0] != '\0') : -1;
	for (i = 0; i < nu; i++) {
		const char *sh = shape(&u[i]);
		size_t k;

		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s", sh);
		if ((long)i == tp)
			for (k = 0; k < ARRAY_SIZE(tones); k++)
				if (tones[k].key == tone)
					len += (size_t)snprintf(buf + len, sizeof(buf) - len,
					    "%s", tones[k].mark);
		if (len >= sizeof(buf))
			return 0;
	}
	nfc = utf8proc_NFC((const utf8proc_uint8_t *)buf);
	if (!nfc || strlen((char *)nfc) >= outsz) {
		free(nfc);
		return 0;
	}
	snprintf(out, outsz, "%s", (char *)nfc);
	free(nfc);
	return 1;
}
