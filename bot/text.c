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
		utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
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
		(void)buf_add(out, enc, (size_t)n);
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
replace_tones(struct buf *b)
{
	static int ready;
	static unsigned char lead[256];
	size_t k;
	char *p;

	if (!ready) {
		for (k = 0; k < ARRAY_SIZE(tone_pairs) * TONE_VARIANTS; k++) {
			case_variant(tone_pairs[k / TONE_VARIANTS].from,
			    (int)(k % TONE_VARIANTS), tone_tab[k][0]);
			case_variant(tone_pairs[k / TONE_VARIANTS].to,
			    (int)(k % TONE_VARIANTS), tone_tab[k][1]);
			lead[(unsigned char)tone_tab[k][0][0]] = 1;
		}
		ready = 1;
	}
	/*
	 * One pass: every "from" starts with a marked o/u and goes on with
	 * a plain a/e/y, and no "to" holds one, so replacing pair by pair
	 * left to right gives what one strstr pass per pair gave.
	 */
	for (p = b->data; *p; p++) {
		if (!lead[(unsigned char)*p])
			continue;
		for (k = 0; k < ARRAY_SIZE(tone_tab); k++) {
			const char *from = tone_tab[k][0], *to = tone_tab[k][1];
			size_t fl = strlen(from);

			/* same length in UTF-8 both ways (case included): in place */
			if (p[1] == from[1] && strncmp(p, from, fl) == 0 &&
			    strlen(to) == fl) {
				memcpy(p, to, fl);
				p += fl - 1;
				break;
			}
		}
	}
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
				(void)buf_addc(out, ' ');
			(void)buf_add(out, s + i, (size_t)n);
			in_word = true;
		} else {
			in_word = false;
		}
		i += n;
	}
}

/* Strips marks and maps đ to d; ascii_only leaves code points < 0x80 as is. */
static void
fold_into(struct buf *out, const char *s)
{
	const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
	utf8proc_ssize_t i = 0, len = (utf8proc_ssize_t)strlen(s);

	while (i < len) {
		utf8proc_int32_t cp, dec[8];
		utf8proc_ssize_t n = utf8proc_iterate(p + i, len - i, &cp);
		utf8proc_ssize_t nd, k;
		int last;

		if (n <= 0)
			break;
		i += n;
		if (cp < 0x80) {
			(void)buf_addc(out, (char)cp);
			continue;
		}
		if (cp == 0x0111 || cp == 0x0110 || cp == 0x00D0 || cp == 0x00F0) {
			(void)buf_addc(out, 'd');
			continue;
		}
		last = 0;
		nd = utf8proc_decompose_char(cp, dec, 8,
		    UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK, &last);
		for (k = 0; k > -1 && k < nd && k < 8; k++) {
			utf8proc_uint8_t enc[4];
			utf8proc_ssize_t m = utf8proc_encode_char(dec[k], enc);

			(void)buf_add(out, enc, (size_t)m);
		}
	}
}

/*
 * Pure ASCII, as most messages typed without diacritics are: lower case,
 * letters and digits kept, anything else one space; exact and folded are
 * the same. The general path gives exactly this, only slower.
 */
static bool
normalize_ascii(struct text *t, const char *in, size_t len)
{
	size_t i, o = 0;
	bool in_word = false;
	char *e;

	for (i = 0; i < len; i++)
		if ((unsigned char)in[i] >= 0x80)
			return false;
	e = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		char c = in[i];

		if (c >= 'A' && c <= 'Z')
			c = (char)(c | 0x20);
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
			if (!in_word && o)
				e[o++] = ' ';
			e[o++] = c;
			in_word = true;
		} else {
			in_word = false;
		}
	}
	e[o] = '\0';
	t->exact = e;
	t->folded = xmalloc(o + 1);
	memcpy(t->folded, e, o + 1);
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
	buf_release(&raw);
}

void
text_normalize(struct text *t, const char *in, size_t len)
{
	size_t i, e, f, n;

	memset(t, 0, sizeof(*t));
	if (!in)
		len = 0;
	if (len > TEXT_MAX_INPUT && normalize_ascii(t, in, TEXT_MAX_INPUT))
		t->truncated = true;
	else if (len > TEXT_MAX_INPUT || !normalize_ascii(t, in ? in : "", len))
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

	if (text_utf8_invalid(s, strlen(s)) >= 0)
		return NULL;
	if (utf8proc_map((const utf8proc_uint8_t *)s, 0, &out,
	    UTF8PROC_NULLTERM | UTF8PROC_COMPOSE | UTF8PROC_STABLE) < 0)
		return NULL;
	buf_init(&b, BUF_CAP_TEXT);
	(void)buf_adds(&b, (char *)out);
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
