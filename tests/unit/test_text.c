/* text.c: normalization into the exact and folded forms. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "text.h"

/* Normalizes a NUL-terminated string. */
static void
norm(struct text *t, const char *s)
{
	text_normalize(t, s, strlen(s));
}

/* Checks every invariant text.h promises about a normalized text. */
static void
check_invariants(const struct text *t)
{
	size_t i, elen, flen;

	assert_non_null(t->exact);
	assert_non_null(t->folded);
	assert_true(tu_utf8_valid(t->exact));
	assert_true(tu_utf8_valid(t->folded));
	elen = strlen(t->exact);
	flen = strlen(t->folded);
	assert_true(t->ntok <= TEXT_MAX_TOKENS);
	if (t->ntok == 0) {
		assert_int_equal(elen, 0);
		assert_int_equal(flen, 0);
		return;
	}
	assert_non_null(t->tok);
	/* no leading/trailing/double spaces */
	assert_true(t->exact[0] != ' ' && t->exact[elen - 1] != ' ');
	assert_null(strstr(t->exact, "  "));
	assert_null(strstr(t->folded, "  "));
	for (i = 0; i < t->ntok; i++) {
		const struct text_tok *k = &t->tok[i];
		char *ftok, *etok;

		assert_true(k->elen > 0 && k->flen > 0);
		assert_true(k->eoff + k->elen <= elen);
		assert_true(k->foff + k->flen <= flen);
		assert_null(memchr(t->exact + k->eoff, ' ', k->elen));
		assert_null(memchr(t->folded + k->foff, ' ', k->flen));
		if (i == 0) {
			assert_int_equal(k->eoff, 0);
			assert_int_equal(k->foff, 0);
		} else {
			const struct text_tok *p = &t->tok[i - 1];

			assert_int_equal(k->eoff, p->eoff + p->elen + 1);
			assert_int_equal(k->foff, p->foff + p->flen + 1);
			assert_int_equal(t->exact[k->eoff - 1], ' ');
			assert_int_equal(t->folded[k->foff - 1], ' ');
		}
		/* token i of folded is the folding of token i of exact */
		etok = strndup(t->exact + k->eoff, k->elen);
		ftok = text_fold_phrase(etok);
		assert_non_null(ftok);
		assert_int_equal(strlen(ftok), k->flen);
		assert_memory_equal(ftok, t->folded + k->foff, k->flen);
		/* marked iff the exact token differs from its folding */
		assert_int_equal(k->marked, strcmp(etok, ftok) != 0);
		free(ftok);
		free(etok);
	}
	{
		const struct text_tok *l = &t->tok[t->ntok - 1];

		assert_int_equal(l->eoff + l->elen, elen);
		assert_int_equal(l->foff + l->flen, flen);
	}
}

static void
expect_forms(const char *in, const char *exact, const char *folded)
{
	struct text t;

	norm(&t, in);
	check_invariants(&t);
	assert_string_equal(t.exact, exact);
	assert_string_equal(t.folded, folded);
	text_release(&t);
}

/* Both inputs normalize to the same exact and folded forms. */
static void
expect_same(const char *a, const char *b)
{
	struct text ta, tb;

	norm(&ta, a);
	norm(&tb, b);
	check_invariants(&ta);
	check_invariants(&tb);
	assert_string_equal(ta.exact, tb.exact);
	assert_string_equal(ta.folded, tb.folded);
	assert_int_equal(ta.ntok, tb.ntok);
	text_release(&ta);
	text_release(&tb);
}

/* ---- Unicode forms ---- */

static void
test_nfc_nfd_identical(void **state)
{
	/* NFC (48 bytes) and NFD (54 bytes) of the same sentence */
	const char *nfc = "Đăng ký tài khoản Cổng Dịch vụ công";
	const char *nfd = "Đa\xcc\x86ng ky\xcc\x81 ta\xcc\x80i khoa\xcc\x89n "
	    "Co\xcc\x82\xcc\x89ng Di\xcc\xa3" "ch vu\xcc\xa3 co\xcc\x82ng";
	struct text t;

	(void)state;
	assert_int_equal(strlen(nfc), 48);
	assert_int_equal(strlen(nfd), 54);
	expect_same(nfc, nfd);
	norm(&t, nfd);
	assert_string_equal(t.exact, "đăng ký tài khoản cổng dịch vụ công");
	assert_string_equal(t.folded, "dang ky tai khoan cong dich vu cong");
	assert_int_equal(t.ntok, 8);
	assert_true(t.marked);
	text_release(&t);
}

static void
test_case_folding(void **state)
{
	(void)state;
	expect_forms("ĐĂNG KÝ", "đăng ký", "dang ky");
	expect_forms("CỔNG DỊCH VỤ CÔNG", "cổng dịch vụ công", "cong dich vu cong");
	expect_forms("ƯU TIÊN Ơ Ă Â", "ưu tiên ơ ă â", "uu tien o a a");
	expect_forms("Cài VNeID", "cài vneid", "cai vneid");
	expect_same("ĐĂNG KÝ", "đăng ký");
}

static void
test_d_stroke_and_eth(void **state)
{
	struct text t;

	(void)state;
	/* Đ U+0110, đ U+0111 */
	expect_forms("Đường đi", "đường đi", "duong di");
	/* Ð U+00D0 (eth), typed for Đ: exact đ, folded d */
	norm(&t, "\xc3\x90" "ăng ký");
	check_invariants(&t);
	assert_string_equal(t.exact, "đăng ký");
	assert_string_equal(t.folded, "dang ky");
	assert_true(t.tok[0].marked);
	text_release(&t);
	expect_same("\xc3\x90" "ịa chỉ", "Địa chỉ");
	/* a bare đ is a diacritic too */
	norm(&t, "đi");
	assert_string_equal(t.folded, "di");
	assert_true(t.tok[0].marked);
	assert_true(t.marked);
	text_release(&t);
}

static void
test_cp1258_style(void **state)
{
	struct text t;

	(void)state;
	/* precomposed base vowel ê + combining acute: neither NFC nor NFD */
	norm(&t, "tiê\xcc\x81ng Viê\xcc\xa3t");
	check_invariants(&t);
	assert_string_equal(t.exact, "tiếng việt");
	assert_string_equal(t.folded, "tieng viet");
	text_release(&t);
	expect_same("tiê\xcc\x81ng Viê\xcc\xa3t", "tiếng Việt");
	expect_same("cô\xcc\x89ng dịch vụ", "cổng dịch vụ");
	expect_same("ư\xcc\x80 ơ\xcc\x80", "ừ ờ");
}

static void
test_tone_placement(void **state)
{
	struct text a, b;

	(void)state;
	expect_same("hoà", "hòa");
	expect_same("thuỷ", "thủy");
	expect_same("HOÀ BÌNH", "hòa bình");
	expect_same("khoẻ", "khỏe");
	expect_same("Uỷ ban", "ủy ban");
	expect_same("hoá đơn", "hóa đơn");
	/* NFD of the old style lands on the same form too */
	expect_same("ho\xcc\x80" "a", "hoà");
	/* unifying placement must not drop the tone itself */
	norm(&a, "hoà");
	norm(&b, "hoá");
	assert_string_not_equal(a.exact, b.exact);
	assert_string_equal(a.folded, "hoa");
	assert_string_equal(b.folded, "hoa");
	text_release(&a);
	text_release(&b);
	norm(&a, "thủy");
	assert_string_equal(a.folded, "thuy");
	assert_true(a.tok[0].marked);
	text_release(&a);
}

/* ---- what becomes a space ---- */

static void
test_zero_width_splits(void **state)
{
	struct text t;

	(void)state;
	/* ZWSP between two words separates them (utf8proc IGNORE would join) */
	norm(&t, "đăng\xe2\x80\x8bký");
	check_invariants(&t);
	assert_string_equal(t.exact, "đăng ký");
	assert_int_equal(t.ntok, 2);
	text_release(&t);
	expect_forms("tài\xe2\x80\x8b\xe2\x80\x8bkhoản", "tài khoản", "tai khoan");
	/* word joiner U+2060 and BOM U+FEFF too */
	expect_forms("cài\xe2\x81\xa0vneid", "cài vneid", "cai vneid");
	expect_forms("\xef\xbb\xbfxin chào", "xin chào", "xin chao");
}

static void
test_emoji_and_punctuation(void **state)
{
	(void)state;
	expect_forms("Chào bác!!! 😀👍 cài VNeID, được không???",
	    "chào bác cài vneid được không", "chao bac cai vneid duoc khong");
	expect_forms("(1)...[2]{3}", "1 2 3", "1 2 3");
	expect_forms("a-b/c.d", "a b c d", "a b c d");
	expect_forms("🙏🙏🙏", "", "");
	expect_forms("\"VNeID\" – «định danh»", "vneid định danh", "vneid dinh danh");
}

static void
test_whitespace_collapsed(void **state)
{
	(void)state;
	expect_forms("  \t xin \n\n chào \r\n bác  ", "xin chào bác",
	    "xin chao bac");
	/* NBSP and full-width letters are compatibility-mapped */
	expect_forms("xin\xc2\xa0" "chào", "xin chào", "xin chao");
	expect_forms("ＶＮｅＩＤ", "vneid", "vneid");
	expect_forms("", "", "");
	expect_forms("   ", "", "");
}

static void
test_null_input(void **state)
{
	struct text t;

	(void)state;
	text_normalize(&t, NULL, 12);
	check_invariants(&t);
	assert_int_equal(t.ntok, 0);
	assert_string_equal(t.exact, "");
	text_release(&t);
}

static void
test_embedded_nul(void **state)
{
	struct text t;

	(void)state;
	text_normalize(&t, "cài\0vneid", sizeof("cài\0vneid") - 1);
	check_invariants(&t);
	assert_string_equal(t.exact, "cài vneid");
	assert_int_equal(t.ntok, 2);
	assert_false(t.repaired);
	text_release(&t);
}

/* ---- invalid input ---- */

static void
expect_repaired(const char *in, size_t len, const char *exact)
{
	struct text t;

	text_normalize(&t, in, len);
	check_invariants(&t);
	assert_true(t.repaired);
	assert_false(t.truncated);
	assert_string_equal(t.exact, exact);
	text_release(&t);
}

static void
test_invalid_utf8(void **state)
{
	struct text t;

	(void)state;
	expect_repaired("\xff\xfe", 2, "");
	/* truncated sequence at the end (not a length cut: a real error) */
	expect_repaired("cài \xe1\xba", 6, "cài");
	expect_repaired("\xe1\xba", 2, "");
	/* lone continuation byte, overlong NUL, surrogate, > U+10FFFF */
	expect_repaired("\x80" "abc", 4, "abc");
	expect_repaired("a\xc0\x80" "b", 4, "a b");
	expect_repaired("a\xed\xa0\x80" "b", 5, "a b");
	expect_repaired("a\xf4\x90\x80\x80" "b", 6, "a b");
	/* a bad byte between words separates them, keeps both */
	expect_repaired("đăng\xffký", sizeof("đăng\xffký") - 1, "đăng ký");
	/* valid input is not "repaired" */
	norm(&t, "đăng ký");
	assert_false(t.repaired);
	assert_false(t.truncated);
	text_release(&t);
}

/* ---- length limits ---- */

static void
test_long_ascii_truncated(void **state)
{
	char *big = malloc(10000);
	struct text t;

	(void)state;
	memset(big, 'a', 10000);
	text_normalize(&t, big, 10000);
	check_invariants(&t);
	assert_true(t.truncated);
	assert_false(t.repaired);
	assert_int_equal(strlen(t.exact), TEXT_MAX_INPUT);
	assert_int_equal(t.ntok, 1);
	text_release(&t);
	free(big);
}

static void
test_long_cut_inside_multibyte(void **state)
{
	/* 3333 × "ế" (3 bytes) + "a" = 10,000 bytes; 4096 = 3·1365 + 1 */
	char *big = malloc(10001);
	struct text t;
	size_t i;

	(void)state;
	for (i = 0; i < 3333; i++)
		memcpy(big + 3 * i, "ế", 3);
	big[9999] = 'a';
	big[10000] = '\0';
	text_normalize(&t, big, 10000);
	check_invariants(&t);
	assert_true(t.truncated);
	/* text.h: cut at a character boundary, so this is not a repair */
	assert_false(t.repaired);
	assert_int_equal(strlen(t.exact), 3 * 1365);
	for (i = 0; i < 1365; i++)
		assert_memory_equal(t.exact + 3 * i, "ế", 3);
	assert_int_equal(strlen(t.folded), 1365);
	text_release(&t);

	/* 4094 × 'a' + a 4-byte emoji: cut two bytes into the emoji */
	memset(big, 'a', 4094);
	memcpy(big + 4094, "😀", 4);
	memset(big + 4098, 'b', 100);
	text_normalize(&t, big, 4198);
	check_invariants(&t);
	assert_true(t.truncated);
	assert_false(t.repaired);
	assert_int_equal(strlen(t.exact), 4094);
	text_release(&t);
	free(big);
}

static void
test_too_many_tokens(void **state)
{
	/* 1365 two-letter words in 4095 bytes: more than TEXT_MAX_TOKENS */
	char *big = malloc(4096);
	struct text t;
	size_t i;

	(void)state;
	for (i = 0; i < 1365; i++)
		memcpy(big + 3 * i, "ab ", 3);
	text_normalize(&t, big, 4095);
	check_invariants(&t);
	assert_int_equal(t.ntok, TEXT_MAX_TOKENS);
	assert_true(t.truncated);
	assert_int_equal(strlen(t.exact), TEXT_MAX_TOKENS * 3 - 1);
	text_release(&t);
	/* exactly TEXT_MAX_TOKENS words is not a cut */
	text_normalize(&t, big, TEXT_MAX_TOKENS * 3 - 1);
	assert_int_equal(t.ntok, TEXT_MAX_TOKENS);
	assert_false(t.truncated);
	text_release(&t);
	free(big);
}

/* ---- tokens ---- */

static void
test_token_offsets(void **state)
{
	struct text t;
	static const char *const words[] = { "đăng", "ký", "vneid", "2", "lần",
		"ở", "phường", "hoà", "bình" };
	static const char *const folded[] = { "dang", "ky", "vneid", "2", "lan",
		"o", "phuong", "hoa", "binh" };
	size_t i;

	(void)state;
	norm(&t, "Đăng ký VNeID 2 lần, ở phường Hòa Bình!");
	check_invariants(&t);
	assert_int_equal(t.ntok, sizeof(words) / sizeof(words[0]));
	for (i = 0; i < t.ntok; i++) {
		assert_int_equal(t.tok[i].elen, strlen(words[i]));
		assert_memory_equal(t.exact + t.tok[i].eoff, words[i], t.tok[i].elen);
		assert_int_equal(t.tok[i].flen, strlen(folded[i]));
		assert_memory_equal(t.folded + t.tok[i].foff, folded[i],
		    t.tok[i].flen);
	}
	/* offsets differ between the forms once a multibyte letter occurred */
	assert_int_equal(t.tok[1].eoff, strlen("đăng "));
	assert_int_equal(t.tok[1].foff, strlen("dang "));
	text_release(&t);
}

static void
test_marked_flags(void **state)
{
	struct text t;

	(void)state;
	norm(&t, "cai vneid ntn");
	check_invariants(&t);
	assert_false(t.marked);
	assert_false(t.tok[0].marked || t.tok[1].marked || t.tok[2].marked);
	text_release(&t);

	norm(&t, "cài vneid 2026 được");
	check_invariants(&t);
	assert_true(t.marked);
	assert_true(t.tok[0].marked);
	assert_false(t.tok[1].marked);
	assert_false(t.tok[2].marked);
	assert_true(t.tok[3].marked);
	text_release(&t);
}

/* ---- pattern helpers ---- */

static void
expect_fold(const char *pat, const char *want)
{
	char *f = text_pattern_fold(pat);

	assert_non_null(f);
	assert_string_equal(f, want);
	free(f);
}

static void
test_pattern_fold(void **state)
{
	(void)state;
	/* ASCII, and so regex escapes, stay as written (no case folding) */
	expect_fold("\\D", "\\D");
	expect_fold("\\w+\\W\\S\\B", "\\w+\\W\\S\\B");
	expect_fold("đăng\\s*ký", "dang\\s*ky");
	expect_fold("(Đăng|mở)\\s+tài\\s*khoản", "(dang|mo)\\s+tai\\s*khoan");
	expect_fold("VNeID", "VNeID");
	expect_fold("\\bCÀI\\b", "\\bCAI\\b");
	expect_fold("[àáạ]\\d{2,}", "[aaa]\\d{2,}");
	/* NFD pattern folds the same as NFC */
	expect_fold("ca\xcc\x80i", "cai");
	/* invalid UTF-8 is refused */
	assert_null(text_pattern_fold("ca\xffi"));
}

static void
test_pattern_exact(void **state)
{
	char *e;

	(void)state;
	e = text_pattern_exact("ca\xcc\x80i\\s+\\D");
	assert_non_null(e);
	assert_string_equal(e, "cài\\s+\\D");
	free(e);
	/* tone placement unified like the text side */
	e = text_pattern_exact("hòa|thủy");
	assert_non_null(e);
	assert_string_equal(e, "hoà|thuỷ");
	free(e);
	/* case is left to PCRE2_CASELESS */
	e = text_pattern_exact("VNeID");
	assert_string_equal(e, "VNeID");
	free(e);
	assert_null(text_pattern_exact("\xe1\xba"));
}

/*
 * The text side lower-cases before unifying tone placement, so a pattern
 * written in capitals must be unified too, or its exact form never
 * matches: "HÒA" must become "HOÀ" (CASELESS then matches "hoà").
 */
static void
test_pattern_exact_capitals(void **state)
{
	char *e;

	(void)state;
	e = text_pattern_exact("HÒA BÌNH|THỦY");
	assert_non_null(e);
	assert_string_equal(e, "HOÀ BÌNH|THUỶ");
	free(e);
	e = text_pattern_exact("Hòa");
	assert_string_equal(e, "Hoà");
	free(e);
}

static void
test_fold_phrase(void **state)
{
	char *f;

	(void)state;
	f = text_fold_phrase("Đăng  Ký, tài khoản!");
	assert_string_equal(f, "dang ky tai khoan");
	free(f);
	f = text_fold_phrase("");
	assert_non_null(f);
	assert_string_equal(f, "");
	free(f);
}

static void
test_utf8_invalid_offsets(void **state)
{
	(void)state;
	assert_int_equal(text_utf8_invalid("abc", 3), -1);
	assert_int_equal(text_utf8_invalid("", 0), -1);
	assert_int_equal(text_utf8_invalid("ab\xff" "cd", 5), 2);
	assert_int_equal(text_utf8_invalid("\xff", 1), 0);
	/* "đ" is 2 bytes, then a cut 3-byte sequence */
	assert_int_equal(text_utf8_invalid("đ\xe1\xba", 4), 2);
	assert_int_equal(text_utf8_invalid("đăng\xe1\xba" "x", 9), 6);
	assert_int_equal(text_utf8_invalid("\xc0\x80", 2), 0);
	assert_int_equal(text_utf8_invalid("x\xed\xa0\x80", 4), 1);
	assert_int_equal(text_utf8_invalid("xy\xf4\x90\x80\x80", 6), 2);
	assert_int_equal(text_utf8_invalid("😀ế", 7), -1);
	/* only len bytes are looked at */
	assert_int_equal(text_utf8_invalid("a\xff", 1), -1);
	/* NUL is valid UTF-8 */
	assert_int_equal(text_utf8_invalid("a\0b", 3), -1);
	/* the 2nd line's bad byte: offset, not line */
	assert_int_equal(text_utf8_invalid("một\nhai\xfe", 10), 9);
}

/*
 * Text typed without diacritics takes a short path (pure ASCII); it must
 * give what the general one gives. A trailing "é" sends the same text down
 * the general path: all but that last word must come out the same.
 */
static void
test_ascii_same_as_general(void **state)
{
	static const char al[] = "aZ9 .,_-\t\n\x01\x7f/?!";
	unsigned seed = 7;
	int it;

	(void)state;
	for (it = 0; it < 2000; it++) {
		char in[200], in2[210];
		size_t len = (size_t)(it % 150), j;
		struct text a, b;

		for (j = 0; j < len; j++) {
			seed = seed * 1103515245u + 12345u;
			in[j] = al[(seed >> 8) % (sizeof(al) - 1)];
		}
		in[len] = '\0';
		snprintf(in2, sizeof(in2), "%s \xc3\xa9", in);
		norm(&a, in);
		norm(&b, in2);
		check_invariants(&a);
		assert_int_equal(a.ntok + 1, b.ntok);
		assert_true(strncmp(a.exact, b.exact, strlen(a.exact)) == 0);
		assert_true(strncmp(a.folded, b.folded, strlen(a.folded)) == 0);
		for (j = 0; j < a.ntok; j++) {
			assert_int_equal(a.tok[j].eoff, b.tok[j].eoff);
			assert_int_equal(a.tok[j].elen, b.tok[j].elen);
			assert_false(a.tok[j].marked);
		}
		assert_false(a.marked);
		text_release(&a);
		text_release(&b);
	}
}

/* Appends code point c to b as UTF-8. */
static size_t
put_cp(char *b, size_t l, unsigned c)
{
	if (c < 0x80) {
		b[l++] = (char)c;
	} else if (c < 0x800) {
		b[l++] = (char)(0xC0 | (c >> 6));
		b[l++] = (char)(0x80 | (c & 0x3F));
	} else if (c < 0x10000) {
		b[l++] = (char)(0xE0 | (c >> 12));
		b[l++] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[l++] = (char)(0x80 | (c & 0x3F));
	} else {
		b[l++] = (char)(0xF0 | (c >> 18));
		b[l++] = (char)(0x80 | ((c >> 12) & 0x3F));
		b[l++] = (char)(0x80 | ((c >> 6) & 0x3F));
		b[l++] = (char)(0x80 | (c & 0x3F));
	}
	return l;
}

/*
 * Text of ASCII and precomposed Vietnamese letters takes a short path too.
 * A trailing " " + U+0301 (a mark after a space: a separator) sends the
 * same text down the general path and must change nothing: every pair of
 * code points of U+00C0-U+01B0 and U+1EA0-U+1EF9 (letters or not), with
 * ASCII around them, comes out the same both ways.
 */
static void
test_vietnamese_same_as_general(void **state)
{
	unsigned cps[420], n = 0, c, x, y, z;
	static const char ascii[] = "aZ 9.,";

	(void)state;
	for (c = 0xC0; c <= 0x1B0; c++)
		cps[n++] = c;
	for (c = 0x1EA0; c <= 0x1EF9; c++)
		cps[n++] = c;
	for (c = 0; ascii[c]; c++)
		cps[n++] = (unsigned char)ascii[c];
	for (x = 0; x < n; x++)
		for (y = 0; y < n; y += 1 + (x % 3)) {
			for (z = 0; z < 2; z++) {
				char in[32], in2[40];
				size_t l = 0;
				struct text a, b;

				l = put_cp(in, l, cps[x]);
				l = put_cp(in, l, cps[y]);
				l = put_cp(in, l, z ? 0x1EA1 : 'o');
				in[l] = '\0';
				snprintf(in2, sizeof(in2), "%s \xcc\x81", in);
				norm(&a, in);
				norm(&b, in2);
				if (strcmp(a.exact, b.exact) != 0 ||
				    strcmp(a.folded, b.folded) != 0 ||
				    a.ntok != b.ntok || a.marked != b.marked)
					fail_msg("U+%04X U+%04X: '%s'/'%s' vs '%s'/'%s'",
					    cps[x], cps[y], a.exact, a.folded, b.exact,
					    b.folded);
				text_release(&a);
				text_release(&b);
				/* patterns keep their case: the same both ways */
				{
					char *pa = text_pattern_exact(in);
					char *pb = text_pattern_exact(in2);

					assert_non_null(pa);
					assert_non_null(pb);
					if (strncmp(pa, pb, strlen(pa)) != 0 ||
					    strcmp(pb + strlen(pa), " \xcc\x81") != 0)
						fail_msg("pattern U+%04X U+%04X: '%s' vs '%s'",
						    cps[x], cps[y], pa, pb);
					free(pa);
					free(pb);
				}
			}
		}
}

/*
 * Punctuation, symbols and emoji between words take the short path as
 * spaces, when nothing in them is a letter, digit or mark once composed,
 * case folded and compatibility-mapped; others ("™" is "tm", "①" is "1",
 * a variation selector is a mark) take the general path. Every code point
 * of the Basic Multilingual Plane and the emoji blocks, between two
 * letters, both ways.
 */
static void
test_symbols_same_as_general(void **state)
{
	unsigned c;

	(void)state;
	for (c = 0x80; c < 0x1FB00; c += c < 0x10000 ? 1 : 7) {
		char in[16], in2[24];
		size_t l = 0;
		struct text a, b;

		if (c >= 0xD800 && c <= 0xDFFF)
			continue;
		in[l++] = 'a';
		l = put_cp(in, l, c);
		in[l++] = 'o';
		in[l] = '\0';
		snprintf(in2, sizeof(in2), "%s \xcc\x81", in);
		norm(&a, in);
		norm(&b, in2);
		if (strcmp(a.exact, b.exact) != 0 || strcmp(a.folded, b.folded) != 0 ||
		    a.ntok != b.ntok || a.marked != b.marked)
			fail_msg("U+%04X: '%s'/'%s' vs '%s'/'%s'", c, a.exact, a.folded,
			    b.exact, b.folded);
		text_release(&a);
		text_release(&b);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_nfc_nfd_identical),
		cmocka_unit_test(test_case_folding),
		cmocka_unit_test(test_d_stroke_and_eth),
		cmocka_unit_test(test_cp1258_style),
		cmocka_unit_test(test_tone_placement),
		cmocka_unit_test(test_zero_width_splits),
		cmocka_unit_test(test_emoji_and_punctuation),
		cmocka_unit_test(test_whitespace_collapsed),
		cmocka_unit_test(test_null_input),
		cmocka_unit_test(test_embedded_nul),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_long_ascii_truncated),
		cmocka_unit_test(test_long_cut_inside_multibyte),
		cmocka_unit_test(test_too_many_tokens),
		cmocka_unit_test(test_token_offsets),
		cmocka_unit_test(test_marked_flags),
		cmocka_unit_test(test_pattern_fold),
		cmocka_unit_test(test_pattern_exact),
		cmocka_unit_test(test_pattern_exact_capitals),
		cmocka_unit_test(test_fold_phrase),
		cmocka_unit_test(test_utf8_invalid_offsets),
		cmocka_unit_test(test_ascii_same_as_general),
		cmocka_unit_test(test_vietnamese_same_as_general),
		cmocka_unit_test(test_symbols_same_as_general),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
