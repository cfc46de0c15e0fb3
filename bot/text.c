#include "text.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buf.h"
#include "util.h"

/*
 * Old-style ↔ new-style tone placement is not a canonical equivalence, so NFC
 * keeps "hoà" and "hòa" apart. We unify on the mark over the second vowel
 * (the form VnCoreNLP normalises to); both sides of every comparison go
 * through here, so which one we pick does not matter, only that it is one.
 */
static const struct { const char *from, *to; } tone_pairs[] = {
	{ "òa", "oà" }, { "óa", "oá" }, { "ỏa", "oả" }, { "õa", "oã" },
	{ "ọa", "oạ" }, { "òe", "oè" }, { "óe", "oé" }, { "ỏe", "oẻ" },
	{ "õe", "oẽ" }, { "ọe", "oẹ" }, { "ùy", "uỳ" }, { "úy", "uý" },
	{ "ủy", "uỷ" }, { "ũy", "uỹ" }, { "ụy", "uỵ" },
};

long
text_utf8_invalid(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n;

		if ((unsigned char)s[i] < 0x80) {
			i++;    /* what utf8proc_iterate says of it, without the call */
			continue;
		}
		n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    (utf8proc_ssize_t)(len - i), &cp);

		if (n <= 0)
			return (long)i;
		i += (size_t)n;
	}
	return -1;
}

static bool
is_zero_width(utf8proc_int32_t cp)
{
	return (cp >= 0x200B && cp <= 0x200F) || cp == 0xFEFF || cp == 0x2060 ||
	    cp == 0x00AD || cp == 0x180E;
}

/* Decodes, repairs, truncates and maps look-alikes; output is valid UTF-8. */
static void
sanitize(struct buf *out, const char *in, size_t len, struct text *t)
{
	size_t i = 0;

	if (len > TEXT_MAX_INPUT) {
		len = TEXT_MAX_INPUT;
		t->truncated = true;
	}
	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_uint8_t enc[4];
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)in + i,
		    (utf8proc_ssize_t)(len - i), &cp);

		if (n <= 0) {
			/* A sequence cut by truncation is dropped, not "repaired". */
			if (!t->truncated || len - i >= 4)
				t->repaired = true;
			cp = ' ';
			n = 1;
		} else if (is_zero_width(cp) || cp == 0) {
			cp = ' ';
		} else if (cp == 0x00D0 || cp == 0x0189) {
			cp = 0x0110;    /* Ð, Ɖ look like Đ and are typed for it */
		} else if (cp == 0x00F0 || cp == 0x0256) {
			cp = 0x0111;
		}
		i += (size_t)n;
		n = utf8proc_encode_char(cp, enc);
		buf_add(out, enc, (size_t)n);
	}
}

/* Upper- and mixed-case variants of tone_pairs (patterns keep their case). */
#define TONE_VARIANTS 4
static char tone_tab[ARRAY_SIZE(tone_pairs) * TONE_VARIANTS][2][8];

static void
case_variant(const char *s, int mask, char out[8])
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t i = 0, len = (utf8proc_ssize_t)strlen(s);
	int k = 0;
	size_t o = 0;

	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(p + i, len - i, &cp);

		if (mask & (1 << k))
			cp = utf8proc_toupper(cp);
		o += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out + o);
		i += n;
		k++;
	}
	out[o] = '\0';
}

static void
replace_tones_in(char *s)
{
	static int ready;
	/* tone_tab entries by the first byte of "from": by_lead[first[c]..] */
	static unsigned char first[257], by_lead[ARRAY_SIZE(tone_tab)];
	size_t k, c;
	char *p;

	if (!ready) {
		for (k = 0; k < ARRAY_SIZE(tone_pairs) * TONE_VARIANTS; k++) {
			case_variant(tone_pairs[k / TONE_VARIANTS].from,
			    (int)(k % TONE_VARIANTS), tone_tab[k][0]);
			case_variant(tone_pairs[k / TONE_VARIANTS].to,
			    (int)(k % TONE_VARIANTS), tone_tab[k][1]);
		}
		for (c = 0, k = 0; c < 256; c++) {
			size_t j;

			first[c] = (unsigned char)k;
			for (j = 0; j < ARRAY_SIZE(tone_tab); j++)
				if ((unsigned char)tone_tab[j][0][0] == c &&
				    strlen(tone_tab[j][0]) == strlen(tone_tab[j][1]))
					by_lead[k++] = (unsigned char)j;
		}
		first[256] = (unsigned char)k;
		ready = 1;
	}
	/*
	 * One pass: every "from" starts with a marked o/u and goes on with
	 * a plain a/e/y, and no "to" holds one, so replacing pair by pair
	 * left to right gives what one strstr pass per pair gave. (A pair
	 * whose two forms differ in length, in some case variant, is left
	 * alone, as before: it cannot be replaced in place.)
	 */
	for (p = s; *p; p++) {
		unsigned char l = (unsigned char)*p;
		size_t cl = l >= 0xE0 ? 3 : 2;

		/* every "from" goes on with a plain a/e/y after its first letter */
		if (first[l] == first[l + 1] || strnlen(p, cl + 1) <= cl ||
		    !strchr("aeyAEY", p[cl]))
			continue;
		for (k = first[l]; k < first[l + 1]; k++) {
			const char *from = tone_tab[by_lead[k]][0];
			size_t fl = strlen(from);

			if (p[1] == from[1] && (fl < 3 || p[2] == from[2]) &&
			    strncmp(p, from, fl) == 0) {
				memcpy(p, tone_tab[by_lead[k]][1], fl);
				p += fl - 1;
				break;
			}
		}
	}
}

static void
replace_tones(struct buf *b)
{
	replace_tones_in(b->data);
}

/* Keeps letters, marks after a letter, and digits; the rest become one space. */
static void
keep_words(struct buf *out, const utf8proc_uint8_t *s)
{
	utf8proc_ssize_t i = 0, len = (utf8proc_ssize_t)strlen((const char *)s);
	bool in_word = false;

	while (i < len) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n = utf8proc_iterate(s + i, len - i, &cp);
		utf8proc_category_t c;

		if (n <= 0)
			break;    /* cannot happen: utf8proc output is valid */
		c = utf8proc_category(cp);
		if (c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL ||
		    c == UTF8PROC_CATEGORY_LT || c == UTF8PROC_CATEGORY_LM ||
		    c == UTF8PROC_CATEGORY_LO || c == UTF8PROC_CATEGORY_ND ||
		    ((c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC) &&
		    in_word)) {
			if (!in_word && out->len)
				buf_addc(out, ' ');
			buf_add(out, s + i, (size_t)n);
			in_word = true;
		} else {
			in_word = false;
		}
		i += n;
	}
}

/*
 * The letters of Vietnamese written precomposed (U+00C0-U+01B0 and
 * U+1EA0-U+1EF9, and đ): for each, what composition and case folding make
 * of it alone and what folding makes of that, asked of utf8proc once. A
 * letter is never the second part of a composition, so a text of ASCII and
 * such letters, no combining marks, normalizes letter by letter to what
 * the general path gives: most messages, every page of the kb.
 */
#define VN1_LO 0x00C0
#define VN1_HI 0x01B0
#define VN2_LO 0x1EA0
#define VN2_HI 0x1EF9

struct vn_letter {
	char ex[4];             /* composed, case folded; UTF-8 */
	unsigned char len;      /* its length, 0: not such a letter */
	char fold;              /* without marks: one ASCII letter */
	bool nfc;               /* composition alone leaves it as it is */
};

static const struct vn_letter *vn_letter_ready(utf8proc_int32_t cp);

/* Strips marks and maps đ to d; ascii_only leaves code points < 0x80 as is. */
static void
fold_into(struct buf *out, const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t i = 0, len = (utf8proc_ssize_t)strlen(s);

	while (i < len) {
		utf8proc_int32_t cp, dec[8];
		utf8proc_ssize_t n, nd, k;
		const struct vn_letter *v;
		int last;

		if (p[i] < 0x80) {
			/* a run of ASCII, as it is, in one piece */
			for (n = i + 1; n < len && p[n] < 0x80; n++)
				;
			buf_add(out, p + i, (size_t)(n - i));
			i = n;
			continue;
		}
		n = utf8proc_iterate(p + i, len - i, &cp);
		if (n <= 0)
			break;
		i += n;
		if (cp == 0x0111 || cp == 0x0110 || cp == 0x00D0 || cp == 0x00F0) {
			buf_addc(out, 'd');
			continue;
		}
		/* a letter that is its own composed, case-folded form: the
		 * table holds what this loop makes of it (vn_entry); most
		 * letters of every pattern, which the load folds */
		if ((v = vn_letter_ready(cp)) && v->len == n &&
		    memcmp(v->ex, p + i - n, (size_t)n) == 0) {
			buf_addc(out, v->fold);
			continue;
		}
		last = 0;
		nd = utf8proc_decompose_char(cp, dec, 8,
		    UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK, &last);
		for (k = 0; k > -1 && k < nd && k < 8; k++) {
			utf8proc_uint8_t enc[4];
			utf8proc_ssize_t m = utf8proc_encode_char(dec[k], enc);

			buf_add(out, enc, (size_t)m);
		}
	}
}


static struct vn_letter vn1[VN1_HI - VN1_LO + 1], vn2[VN2_HI - VN2_LO + 1];

static void
vn_entry(utf8proc_int32_t cp, struct vn_letter *v)
{
	utf8proc_int32_t dec[8], m;
	utf8proc_uint8_t in[5], *out = NULL;
	utf8proc_ssize_t n, r, k;
	utf8proc_category_t c = utf8proc_category(cp);
	struct buf fo;
	int last = 0;
	bool nfc;

	v->len = 0;
	if ((c != UTF8PROC_CATEGORY_LU && c != UTF8PROC_CATEGORY_LL) ||
	    cp == 0x00D0 || cp == 0x00F0)
		return;         /* Ð, ð: sanitize makes them Đ, đ */
	n = utf8proc_decompose_char(cp, dec, 8, UTF8PROC_DECOMPOSE, &last);
	if (cp != 0x0110 && cp != 0x0111 && (n < 2 || n > 8 || dec[0] >= 0x80 ||
	    !((dec[0] >= 'a' && dec[0] <= 'z') || (dec[0] >= 'A' && dec[0] <= 'Z'))))
		return;         /* a Latin letter with marks, or đ */
	n = utf8proc_encode_char(cp, in);
	in[n] = '\0';
	r = utf8proc_map(in, n, &out, UTF8PROC_COMPOSE | UTF8PROC_STABLE);
	nfc = r == n && memcmp(out, in, (size_t)n) == 0;
	free(out);
	out = NULL;
	r = utf8proc_map(in, n, &out, UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
	    UTF8PROC_COMPAT | UTF8PROC_STABLE);
	if (r <= 0 || r > 3 || utf8proc_iterate(out, r, &m) != r ||
	    (utf8proc_category(m) != UTF8PROC_CATEGORY_LL &&
	    utf8proc_category(m) != UTF8PROC_CATEGORY_LU)) {
		free(out);
		return;         /* not one letter */
	}
	buf_init(&fo, 16);
	fold_into(&fo, (const char *)out);
	if (fo.len == 1 && fo.data[0] >= 'a' && fo.data[0] <= 'z') {
		for (k = 0; k < r; k++)
			v->ex[k] = (char)out[k];
		v->len = (unsigned char)r;
		v->fold = fo.data[0];
		v->nfc = nfc;
	}
	buf_release(&fo);
	free(out);
}

static bool vn_ready;

static const struct vn_letter *
vn_letter(utf8proc_int32_t cp)
{
	static bool building;

	if (!vn_ready && !building) {
		utf8proc_int32_t c;

		building = true;        /* vn_entry folds with fold_into */
		for (c = VN1_LO; c <= VN1_HI; c++)
			vn_entry(c, &vn1[c - VN1_LO]);
		for (c = VN2_LO; c <= VN2_HI; c++)
			vn_entry(c, &vn2[c - VN2_LO]);
		vn_ready = true;
	}
	return vn_letter_ready(cp);
}

/* The table entry of cp once the table is built; NULL before. */
static const struct vn_letter *
vn_letter_ready(utf8proc_int32_t cp)
{
	if (!vn_ready)
		return NULL;
	if (cp >= VN1_LO && cp <= VN1_HI && vn1[cp - VN1_LO].len)
		return &vn1[cp - VN1_LO];
	if (cp >= VN2_LO && cp <= VN2_HI && vn2[cp - VN2_LO].len)
		return &vn2[cp - VN2_LO];
	return NULL;
}

/*
 * Other characters that the general path turns into spaces whatever is
 * next to them: punctuation, symbols, emoji ("…", "–", quotes, "👉"), for
 * which composition, case folding and compatibility give no letter, digit
 * or mark (a starter of these classes never composes with its neighbours;
 * a combining mark is never one, so it takes the general path). Asked of
 * utf8proc once per character and remembered: 1 a separator, 2 not.
 */
#define SEP_SLOTS 1024

static int
separator(utf8proc_int32_t cp)
{
	static utf8proc_int32_t key[SEP_SLOTS];
	static unsigned char val[SEP_SLOTS];
	utf8proc_uint8_t in[5], *out = NULL;
	utf8proc_ssize_t n, r, i;
	size_t h;
	int sep = 1;

	for (h = (size_t)cp * 2654435761u % SEP_SLOTS; key[h] && key[h] != cp;
	    h = (h + 1) % SEP_SLOTS)
		;
	if (key[h] == cp)
		return val[h] == 1;
	n = utf8proc_encode_char(cp, in);
	in[n] = '\0';
	r = utf8proc_map(in, n, &out, UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD |
	    UTF8PROC_COMPAT | UTF8PROC_STABLE);
	if (r < 0 || is_zero_width(cp))
		sep = 0;        /* sanitize's business: the general path */
	for (i = 0; sep && i < r;) {
		utf8proc_int32_t m;
		utf8proc_ssize_t k = utf8proc_iterate(out + i, r - i, &m);
		utf8proc_category_t c;

		if (k <= 0)
			break;
		c = utf8proc_category(m);
		if (c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LL ||
		    c == UTF8PROC_CATEGORY_LT || c == UTF8PROC_CATEGORY_LM ||
		    c == UTF8PROC_CATEGORY_LO || c == UTF8PROC_CATEGORY_ND ||
		    c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC ||
		    c == UTF8PROC_CATEGORY_ME || m == 0)
			sep = 0;
		i += k;
	}
	free(out);
	/* remember it unless the table is getting full (then: ask again) */
	{
		static size_t used;

		if (used < SEP_SLOTS / 2) {
			key[h] = cp;
			val[h] = (unsigned char)(sep ? 1 : 2);
			used++;
		}
	}
	return sep;
}

/*
 * ASCII and the letters above: lower case, letters and digits kept,
 * anything else one space. false (nothing done) for any other character:
 * the general path then.
 */
static bool
normalize_vn(struct text *t, const char *in, size_t len)
{
	const unsigned char *s = (const unsigned char *)in;
	size_t i = 0, o = 0, f = 0;
	bool in_word = false;
	char *e, *fo;

	e = xmalloc(2 * len + 1);
	fo = xmalloc(len + 1);
	while (i < len) {
		const struct vn_letter *v = NULL;
		unsigned char c = s[i];

		if (c < 0x80) {
			if (c >= 'A' && c <= 'Z')
				c |= 0x20;
			i++;
			if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
				in_word = false;
				continue;
			}
		} else {
			utf8proc_int32_t cp = -1;

			utf8proc_ssize_t k = utf8proc_iterate(s + i,
			    (utf8proc_ssize_t)(len - i), &cp);

			if (k <= 0 || (!(v = vn_letter(cp)) && !separator(cp))) {
				free(e);
				free(fo);
				return false;
			}
			i += (size_t)k;
			if (!v) {
				in_word = false;
				continue;
			}
		}
		if (!in_word && o) {
			e[o++] = ' ';
			fo[f++] = ' ';
		}
		in_word = true;
		if (v) {
			memcpy(e + o, v->ex, v->len);
			o += v->len;
			fo[f++] = v->fold;
		} else {
			e[o++] = (char)c;
			fo[f++] = (char)c;
		}
	}
	e[o] = '\0';
	fo[f] = '\0';
	replace_tones_in(e);
	t->exact = e;
	t->folded = fo;
	return true;
}

static void
normalize_full(struct text *t, const char *in, size_t len)
{
	struct buf raw, ex, fo;
	utf8proc_uint8_t *mapped = NULL;
	utf8proc_ssize_t rc;

	buf_init(&raw, BUF_CAP_TEXT);
	buf_init(&ex, BUF_CAP_TEXT);
	buf_init(&fo, BUF_CAP_TEXT);
	sanitize(&raw, in, len, t);
	rc = utf8proc_map((const utf8proc_uint8_t *)raw.data, (utf8proc_ssize_t)raw.len,
	    &mapped, UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_COMPAT |
	    UTF8PROC_STABLE);
	if (rc < 0) {
		/* Only on OOM inside utf8proc; treat as empty input. */
		mapped = NULL;
	}
	if (mapped)
		keep_words(&ex, mapped);
	free(mapped);
	replace_tones(&ex);
	fold_into(&fo, ex.data);

	t->exact = buf_take(&ex);
	t->folded = buf_take(&fo);
	if (!t->exact || !t->folded) {
		/* past the cap (not from TEXT_MAX_INPUT bytes): no words, not
		 * the ones that fitted */
		free(t->exact);
		free(t->folded);
		t->exact = xstrdup("");
		t->folded = xstrdup("");
	}
	buf_release(&raw);
}

void
text_normalize(struct text *t, const char *in, size_t len)
{
	size_t i, e, f, n;

	memset(t, 0, sizeof(*t));
	if (!in)
		len = 0;
	if (len > TEXT_MAX_INPUT || !normalize_vn(t, in ? in : "", len))
		normalize_full(t, in ? in : "", len);

	/* Tokens: same count in both forms, since folding keeps spaces. */
	for (n = 1, e = 0; t->exact[e]; e++)
		n += t->exact[e] == ' ';
	if (t->exact[0])
		t->tok = xmalloc((n < TEXT_MAX_TOKENS ? n : TEXT_MAX_TOKENS) *
		    sizeof(*t->tok));
	for (i = 0, e = 0, f = 0; t->exact[e] && t->ntok < TEXT_MAX_TOKENS; i++) {
		struct text_tok *k;
		size_t es = e, fs = f;

		while (t->exact[e] && t->exact[e] != ' ')
			e++;
		while (t->folded[f] && t->folded[f] != ' ')
			f++;
		k = &t->tok[t->ntok++];
		k->eoff = (unsigned)es;
		k->elen = (unsigned)(e - es);
		k->foff = (unsigned)fs;
		k->flen = (unsigned)(f - fs);
		k->marked = k->elen != k->flen ||
		    memcmp(t->exact + es, t->folded + fs, k->elen) != 0;
		if (k->marked)
			t->marked = true;
		if (t->exact[e] == ' ')
			e++;
		if (t->folded[f] == ' ')
			f++;
	}
	if (t->exact[e]) {
		/* Too many tokens: cut both forms after the last kept token. */
		struct text_tok *k = &t->tok[t->ntok - 1];

		t->exact[k->eoff + k->elen] = '\0';
		t->folded[k->foff + k->flen] = '\0';
		t->truncated = true;
	}
}

void
text_release(struct text *t)
{
	free(t->exact);
	free(t->folded);
	free(t->tok);
	memset(t, 0, sizeof(*t));
}

char *
text_pattern_exact(const char *s)
{
	utf8proc_uint8_t *out = NULL;
	struct buf b;
	size_t i;

	for (i = 0; (unsigned char)s[i] < 0x80 && s[i]; i++)
		;
	if (!s[i])
		return xstrdup(s);      /* ASCII: composed, no tone pairs */
	/* ASCII and precomposed Vietnamese letters: composed already */
	while (s[i]) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
		    -1, &cp);
		const struct vn_letter *v;

		if (k <= 0 || (cp >= 0x80 && (!(v = vn_letter(cp)) || !v->nfc)))
			break;
		i += (size_t)k;
	}
	if (!s[i]) {
		buf_init(&b, BUF_CAP_TEXT);
		buf_adds(&b, s);
		replace_tones(&b);
		return buf_take(&b);
	}
	if (text_utf8_invalid(s, strlen(s)) >= 0)
		return NULL;
	if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
	    UTF8PROC_NULLTERM | UTF8PROC_COMPOSE | UTF8PROC_STABLE) < 0)
		return NULL;
	buf_init(&b, BUF_CAP_TEXT);
	buf_adds(&b, (char *)out);
	free(out);
	replace_tones(&b);
	return buf_take(&b);
}

char *
text_pattern_fold(const char *s)
{
	char *nfc = text_pattern_exact(s);
	utf8proc_uint8_t *nfd = NULL;
	struct buf b;

	if (!nfc)
		return NULL;
	buf_init(&b, BUF_CAP_TEXT);
	fold_into(&b, nfc);
	free(nfc);
	free(nfd);
	return buf_take(&b);
}

int
text_pattern_forms(const char *s, char **exact, char **folded)
{
	struct buf b;

	*exact = *folded = NULL;
	if (!(*exact = text_pattern_exact(s)))
		return -1;
	buf_init(&b, BUF_CAP_TEXT);
	fold_into(&b, *exact);
	if (!(*folded = buf_take(&b))) {
		free(*exact);
		*exact = NULL;
		return -1;
	}
	return 0;
}

/* The letter without marks of a letter with them (đ: d), or 0. */
static char
letter_fold(utf8proc_int32_t cp)
{
	const struct vn_letter *v = vn_letter(cp);

	return v ? v->fold : 0;
}

/*
 * The exact form, each letter with marks also taking the letter without
 * them: "mật" becomes "m[ậa]t" (inside a class, the letters without marks
 * go at its end; a class "[^...]" is left as written, and so are a
 * comment, what \Q quotes and what an escape names).
 */
char *
text_pattern_mixed(const char *s)
{
	char *ex = text_pattern_exact(s), pend[64];
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)ex;
	size_t i = 0, npend = 0;
	int cls = 0;            /* 0 outside [...], 1 inside, 2 in [^...] */
	struct buf b;

	if (!ex)
		return NULL;
	buf_init(&b, BUF_CAP_TEXT);
	while (p[i]) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t n;
		char f;

		if (!cls && p[i] == '(' && p[i + 1] == '?' && p[i + 2] == '#') {
			const char *e = strchr(ex + i, ')');
			size_t to = e ? (size_t)(e - ex) + 1 : strlen(ex);

			buf_add(&b, p + i, to - i);     /* a comment */
			i = to;
			continue;
		}
		if (p[i] == '\\' && p[i + 1] == 'Q') {
			const char *e = strstr(ex + i + 2, "\\E");
			size_t to = e ? (size_t)(e - ex) + 2 : strlen(ex);

			buf_add(&b, p + i, to - i);
			i = to;
			continue;
		}
		if (p[i] == '\\' && p[i + 1]) {
			n = utf8proc_iterate(p + i + 1, -1, &cp);
			n = n > 0 ? n : 1;
			buf_add(&b, p + i, (size_t)n + 1);
			i += (size_t)n + 1;
			continue;
		}
		if (!cls && p[i] == '[') {
			cls = p[i + 1] == '^' ? 2 : 1;
			buf_addc(&b, '[');
			i++;
			if (p[i] == '^')
				buf_addc(&b, (char)p[i++]);
			if (p[i] == ']')
				buf_addc(&b, (char)p[i++]);     /* a literal ']' */
			continue;
		}
		if (cls && p[i] == '[' && p[i + 1] == ':') {
			const char *e = strstr(ex + i + 2, ":]");
			size_t to = e ? (size_t)(e - ex) + 2 : i + 1;

			buf_add(&b, p + i, to - i);
			i = to;
			continue;
		}
		if (cls && p[i] == ']') {
			buf_add(&b, pend, npend);
			buf_addc(&b, ']');
			npend = 0;
			cls = 0;
			i++;
			continue;
		}
		if (p[i] < 0x80) {
			buf_addc(&b, (char)p[i++]);
			continue;
		}
		n = utf8proc_iterate(p + i, -1, &cp);
		if (n <= 0)
			n = 1;
		f = n > 1 ? letter_fold(cp) : 0;
		if (f && !cls) {
			buf_addc(&b, '[');
			buf_add(&b, p + i, (size_t)n);
			buf_addc(&b, f);
			buf_addc(&b, ']');
		} else {
			buf_add(&b, p + i, (size_t)n);
			if (f && cls == 1 && npend < sizeof(pend))
				pend[npend++] = f;
		}
		i += (size_t)n;
	}
	free(ex);
	return buf_take(&b);
}

char *
text_fold_phrase(const char *s)
{
	struct text t;
	char *r;

	text_normalize(&t, s, strlen(s));
	r = t.folded;
	t.folded = NULL;
	text_release(&t);
	return r;
}

/* Length in units of the code point starting at s (UTF-8 assumed valid). */
static size_t
cp_bytes(const unsigned char *s, size_t left)
{
	size_t n = *s < 0x80 ? 1 : *s < 0xE0 ? 2 : *s < 0xF0 ? 3 : 4;

	return n > left ? left : n;
}

void
text_split(const char *s, size_t max, int utf16,
    void (*part)(const char *s, size_t n, void *arg), void *arg)
{
	size_t len = strlen(s), start = 0;

	while (start < len) {
		size_t i = start, units = 0, last_nl = 0, cut;

		while (i < len) {
			size_t b = cp_bytes((const unsigned char *)s + i, len - i);
			size_t u = (utf16 && b == 4) ? 2 : 1;

			if (units + u > max)
				break;
			units += u;
			if (s[i] == '\n')
				last_nl = i + 1;
			i += b;
		}
		if (i >= len)
			cut = len;
		else if (last_nl > start)
			cut = last_nl;  /* break after a whole line */
		else
			cut = i;        /* one line longer than max: cut inside */
		{
			size_t e = cut;

			while (e > start && (s[e - 1] == '\n' || s[e - 1] == ' '))
				e--;
			if (e > start)
				part(s + start, e - start, arg);
		}
		start = cut;
		while (start < len && s[start] == '\n')
			start++;
	}
}
