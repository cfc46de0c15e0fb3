/* abbrev.c: the abbreviation table, parsed from memory, and its expansion. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "abbrev.h"
#include "buf.h"
#include "diag.h"
#include "testutil.h"
#include "text.h"

#define PATH "mem/abbreviations.txt"

/* Expands msg with table a; returns the malloc'ed result, *changed set. */
static char *
expand(const struct abbrev *a, const char *msg, bool *changed)
{
	struct text t;
	struct buf out;
	bool c;

	text_normalize(&t, msg, strlen(msg));
	buf_init(&out, BUF_CAP_TEXT);
	c = abbrev_expand(a, &t, &out);
	if (changed)
		*changed = c;
	text_release(&t);
	return buf_take(&out);
}

static void
expect_expand(const struct abbrev *a, const char *msg, const char *want)
{
	bool changed = false;
	char *got = expand(a, msg, &changed);

	if (strcmp(got, want) != 0)
		fail_msg("expand(\"%s\") = \"%s\", want \"%s\"", msg, got, want);
	free(got);
}

/* A table parsed from memory, with its diagnostics. */
struct tab {
	struct diag d;
	struct abbrev *a;
};

static void
tab_parse(struct tab *t, const char *data)
{
	diag_init(&t->d);
	t->a = abbrev_parse(PATH, data, &t->d);
	assert_non_null(t->a);
}

static void
tab_free(struct tab *t)
{
	abbrev_free(t->a);
	diag_release(&t->d);
}

/* ---- expansion ---- */

static void
test_simple(void **state)
{
	struct tab t;
	bool changed = false;
	char *s;

	(void)state;
	tab_parse(&t, "# comment\n\nko = không\nntn = như thế nào\n");
	assert_int_equal(t.d.nerr, 0);
	assert_int_equal(t.d.nwarn, 0);
	assert_int_equal(abbrev_count(t.a), 2);
	s = expand(t.a, "ko biết", &changed);
	assert_string_equal(s, "khong biết");
	assert_true(changed);
	free(s);
	/* typed in capitals, with punctuation */
	expect_expand(t.a, "KO, cài vneid NTN?", "khong cài vneid nhu the nao");
	/* only whole words */
	s = expand(t.a, "kobiet ntnao", &changed);
	assert_string_equal(s, "kobiet ntnao");
	assert_false(changed);
	free(s);
	tab_free(&t);
}

static void
test_null_table(void **state)
{
	bool changed = true;
	char *s;

	(void)state;
	s = expand(NULL, "Ko  biết!", &changed);
	assert_string_equal(s, "ko biết");
	assert_false(changed);
	free(s);
	assert_int_equal(abbrev_count(NULL), 0);
}

static void
test_ascii_key_matches_d_stroke(void **state)
{
	struct tab t;

	(void)state;
	tab_parse(&t, "dc = được\n");
	assert_int_equal(t.d.nerr, 0);
	expect_expand(t.a, "dc ko", "duoc ko");
	expect_expand(t.a, "đc ko", "được ko");
	expect_expand(t.a, "ĐC", "được");
	/* typed without marks, expanded without marks: no false diacritic mismatch */
	expect_expand(t.a, "dc", "duoc");
	tab_free(&t);
}

static void
test_ascii_key_not_toned_word(void **state)
{
	struct tab t;

	(void)state;
	tab_parse(&t, "hong = không\n");
	expect_expand(t.a, "hong biết", "khong biết");
	/* "hỏng" (broken) and "hồng" are other words */
	expect_expand(t.a, "điện thoại hỏng", "điện thoại hỏng");
	expect_expand(t.a, "hoa hồng", "hoa hồng");
	tab_free(&t);
}

static void
test_key_with_diacritics(void **state)
{
	struct tab t;

	(void)state;
	/* an NFD key is the same key as its NFC form */
	tab_parse(&t, "đc = được\nko\xcc\x82 = không\n");
	assert_int_equal(t.d.nerr, 0);
	expect_expand(t.a, "đc", "được");
	expect_expand(t.a, "kô", "không");
	/* the key with a mark does not cover the bare word */
	expect_expand(t.a, "ko", "ko");
	tab_free(&t);
}

static void
test_near_context(void **state)
{
	struct tab t;

	(void)state;
	tab_parse(&t,
	    "mk = mật khẩu ; near quên, đổi, sai, vneid, tài khoản\n"
	    "mk = mình\n");
	assert_int_equal(t.d.nerr, 0);
	assert_int_equal(t.d.nwarn, 0);
	assert_int_equal(abbrev_count(t.a), 1);
	expect_expand(t.a, "quên mk", "quên mat khau");
	expect_expand(t.a, "mk bị quên rồi", "mat khau bị quên rồi");
	/* context words compare without diacritics */
	expect_expand(t.a, "quen mk vneid", "quen mat khau vneid");
	/* otherwise the next line */
	expect_expand(t.a, "mk đi chợ", "minh đi chợ");
	expect_expand(t.a, "mk", "minh");
	/* within 3 words, not 4 */
	expect_expand(t.a, "quên a b mk", "quên a b mat khau");
	expect_expand(t.a, "quên a b c mk", "quên a b c minh");
	expect_expand(t.a, "mk a b c quên", "minh a b c quên");
	/* a word pair must be there as a pair */
	expect_expand(t.a, "mk tài khoản", "mat khau tài khoản");
	expect_expand(t.a, "mk tài lộc", "minh tài lộc");
	tab_free(&t);
}

static void
test_after_number(void **state)
{
	struct tab t;

	(void)state;
	tab_parse(&t,
	    "k = nghìn ; after-number\n"
	    "k = không\n"
	    "tr = triệu ; after-number\n");
	assert_int_equal(t.d.nerr, 0);
	assert_int_equal(t.d.nwarn, 0);
	expect_expand(t.a, "50 k", "50 nghin");
	expect_expand(t.a, "50k", "50 nghin");
	expect_expand(t.a, "phí 10tr", "phí 10 trieu");
	expect_expand(t.a, "k", "khong");
	expect_expand(t.a, "k biết", "khong biết");
	expect_expand(t.a, "năm k", "năm khong");
	/* a unit the table does not know stays glued */
	expect_expand(t.a, "50kg", "50kg");
	/* "tr" has no sense without a number */
	expect_expand(t.a, "tr", "tr");
	tab_free(&t);
}

static void
test_glued_number_needs_after_number_sense(void **state)
{
	struct tab t;

	(void)state;
	tab_parse(&t, "k = không\n");
	expect_expand(t.a, "50k", "50k");
	expect_expand(t.a, "50 k", "50 khong");
	tab_free(&t);
}

static void
test_alternatives(void **state)
{
	struct tab t;
	char *s;

	(void)state;
	tab_parse(&t, "bn = bạn | bao nhiêu\n");
	assert_int_equal(t.d.nerr, 0);
	s = expand(t.a, "phí bn", NULL);
	assert_non_null(strstr(s, "ban"));
	assert_non_null(strstr(s, "bao nhieu"));
	assert_null(strchr(s, '|'));
	assert_string_equal(s, "phí ban bao nhieu");
	free(s);
	tab_free(&t);
}

static void
test_crlf_lines(void **state)
{
	struct tab t;

	(void)state;
	tab_parse(&t, "# saved on Windows\r\nko = không\r\nmk = mật khẩu ; near "
	    "quên\r\nmk = mình\r\n");
	assert_int_equal(t.d.nerr, 0);
	assert_int_equal(t.d.nwarn, 0);
	expect_expand(t.a, "ko", "khong");
	expect_expand(t.a, "quên mk", "quên mat khau");
	tab_free(&t);
}

/* Notepad saves UTF-8 with a byte-order mark; kb.c accepts it in topics. */
static void
test_bom_before_comment(void **state)
{
	struct tab t;

	(void)state;
	tab_parse(&t, "\xef\xbb\xbf# Chat abbreviations\nko = không\n");
	if (t.d.nerr)
		fail_msg("a BOM before the first comment is an error:\n%s",
		    t.d.text.data);
	expect_expand(t.a, "ko", "khong");
	tab_free(&t);
}

/* ---- diagnostics ---- */

static void
expect_one_error(const char *data, int line, const char *msg)
{
	struct tab t;
	char loc[128];

	tab_parse(&t, data);
	snprintf(loc, sizeof(loc), "%s:%d: lỗi: ", PATH, line);
	assert_diag_line(&t.d, loc, msg);
	assert_int_equal(t.d.nerr, 1);
	assert_diag_vietnamese(&t.d);
	tab_free(&t);
}

static void
test_diag_missing_equals(void **state)
{
	(void)state;
	expect_one_error("ko = không\n# c\nntn như thế nào\n", 3,
	    "không có dạng 'chữ viết tắt = nghĩa đầy đủ'");
	/* the ':' of topic files, written here by habit */
	expect_one_error("ko = không\nntn: như thế nào\n", 2,
	    "cách nhau bằng dấu '=', không phải ':'. Cách sửa: viết 'ntn = như "
	    "thế nào'");
}

static void
test_diag_empty_expansion(void **state)
{
	(void)state;
	expect_one_error("ok = được\nko =   \n", 2,
	    "'ko' chưa có nghĩa đầy đủ sau dấu '='");
	expect_one_error("ko = không\nmk = ; near quên\n", 2,
	    "'mk' chưa có nghĩa đầy đủ sau dấu '='");
}

static void
test_diag_multiword_key(void **state)
{
	(void)state;
	expect_one_error("ok = được\nko ko = không\n", 2,
	    "chữ viết tắt 'ko ko' phải là một từ");
	expect_one_error("ok = được\na\tb = c\n", 2,
	    "chữ viết tắt 'a\tb' phải là một từ");
	expect_one_error("ok = được\n = không\n", 2,
	    "chưa có chữ viết tắt trước dấu '='");
}

static void
test_diag_unknown_condition(void **state)
{
	(void)state;
	expect_one_error("ok = được\nmk = mình ; sometimes\n", 2,
	    "không có điều kiện 'sometimes'. Cách sửa: dùng '; near");
	/* the nearest condition is named */
	expect_one_error("ok = được\nk = nghìn ; after number\n", 2,
	    "không có điều kiện 'after number'. Cách sửa: có phải "
	    "'after-number'?");
	expect_one_error("ok = được\nmk = mật khẩu ; nera quên\n", 2,
	    "có phải 'near'?");
}

static void
test_diag_near_without_words(void **state)
{
	struct tab t;

	(void)state;
	expect_one_error("x = y\nmk = mình ; near , ,\n", 2,
	    "điều kiện 'near' chưa có từ nào");
	/* a bare "near" is an error on its line too */
	tab_parse(&t, "x = y\nmk = mình ; near\n");
	assert_int_equal(t.d.nerr, 1);
	assert_true(tu_diag_has(&t.d, PATH ":2: "));
	/* the bad line is skipped */
	expect_expand(t.a, "mk", "mk");
	tab_free(&t);
}

static void
test_diag_unreachable_line(void **state)
{
	struct tab t;

	(void)state;
	tab_parse(&t, "k = không\n# comment\nk = nghìn ; after-number\n");
	assert_int_equal(t.d.nerr, 0);
	assert_int_equal(t.d.nwarn, 1);
	assert_diag_line(&t.d, PATH ":3: cảnh báo: ",
	    "'k' đã có một nghĩa không điều kiện ở dòng trên");
	assert_diag_vietnamese(&t.d);
	/* and it is indeed never used */
	expect_expand(t.a, "50 k", "50 khong");
	tab_free(&t);
}

static void
test_diag_invalid_utf8(void **state)
{
	struct tab t;

	(void)state;
	tab_parse(&t, "ko = không\n\n# c\nbn = b\xff\n");
	assert_int_equal(t.d.nerr, 1);
	assert_diag_line(&t.d, PATH ":4: lỗi: ", "không lưu dạng UTF-8");
	assert_diag_vietnamese(&t.d);
	tab_free(&t);
	tab_parse(&t, "\xc3(");
	assert_diag_line(&t.d, PATH ":1: lỗi: ", "không lưu dạng UTF-8");
	tab_free(&t);
}

static void
test_bad_lines_skipped(void **state)
{
	struct tab t;

	(void)state;
	tab_parse(&t, "ko = không\nbroken line\nmk = mình ; maybe\nntn = như "
	    "thế nào\n");
	assert_int_equal(t.d.nerr, 2);
	assert_diag_line(&t.d, PATH ":2: lỗi: ", "không có dạng");
	assert_diag_line(&t.d, PATH ":3: lỗi: ", "không có điều kiện");
	assert_int_equal(abbrev_count(t.a), 2);
	expect_expand(t.a, "ko ntn", "khong nhu the nao");
	tab_free(&t);
}

static void
test_load_missing_file(void **state)
{
	struct diag d;
	struct abbrev *a;

	(void)state;
	diag_init(&d);
	a = abbrev_load("/nonexistent/hoidap/abbreviations.txt", &d);
	assert_null(a);
	assert_int_equal(d.nerr, 1);
	assert_diag_has(&d, "/nonexistent/hoidap/abbreviations.txt: lỗi: không "
	    "đọc được tệp: không có tệp hoặc thư mục này");
	diag_release(&d);
}

static void
test_load_from_file(void **state)
{
	char dir[256], path[300];
	struct diag d;
	struct abbrev *a;

	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	tu_write(dir, "abbreviations.txt", "ko = không\nx\n");
	snprintf(path, sizeof(path), "%s/abbreviations.txt", dir);
	diag_init(&d);
	a = abbrev_load(path, &d);
	assert_non_null(a);
	assert_int_equal(abbrev_count(a), 1);
	assert_true(tu_diag_line_has(&d, path, ":2: lỗi: dòng này không có "
	    "dạng"));
	expect_expand(a, "ko", "khong");
	abbrev_free(a);
	diag_release(&d);
	tu_rmrf(dir);
}

/*
 * A table in which no line is valid (an admin's first, broken draft) must
 * still parse: one error, an empty table that expands nothing.
 */
static int
no_valid_line_child(void *arg)
{
	struct diag d;
	struct abbrev *a;
	char *got;
	int rc = 0;

	(void)arg;
	diag_init(&d);
	a = abbrev_parse(PATH, "# draft\nko ko = không\n", &d);
	if (!a || d.nerr != 1 || abbrev_count(a) != 0)
		rc = 1;
	got = expand(a, "ko", NULL);
	if (strcmp(got, "ko") != 0)
		rc = 1;
	free(got);
	abbrev_free(a);
	diag_release(&d);
	return rc;
}

static void
test_no_valid_line(void **state)
{
	(void)state;
	assert_isolated_ok(no_valid_line_child, NULL);
}

/*
 * A single token whose normalized form is longer than TEXT_MAX_INPUT bytes:
 * compatibility mapping makes U+3300 (3 bytes) four katakana (12 bytes).
 */
static int
long_token_child(void *arg)
{
	const struct abbrev *a = arg;
	size_t n = 1365, i;
	char *msg = malloc(3 * n + 1), *got;
	struct text t;

	for (i = 0; i < n; i++)
		memcpy(msg + 3 * i, "\xe3\x8c\x80", 3);
	msg[3 * n] = '\0';
	text_normalize(&t, msg, strlen(msg));
	if (t.ntok != 1 || strlen(t.exact) <= TEXT_MAX_INPUT)
		return 2;       /* the premise, not the code under test */
	text_release(&t);
	got = expand(a, msg, NULL);
	/* nothing to expand: the token comes back as normalized */
	if (strlen(got) != 12 * n)
		return 1;
	free(got);
	free(msg);
	return 0;
}

static void
test_long_token_expansion(void **state)
{
	struct tab t;

	(void)state;
	tab_parse(&t, "ko = không\nk = nghìn ; after-number\n");
	assert_isolated_ok(long_token_child, t.a);
	tab_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple),
		cmocka_unit_test(test_null_table),
		cmocka_unit_test(test_ascii_key_matches_d_stroke),
		cmocka_unit_test(test_ascii_key_not_toned_word),
		cmocka_unit_test(test_key_with_diacritics),
		cmocka_unit_test(test_near_context),
		cmocka_unit_test(test_after_number),
		cmocka_unit_test(test_glued_number_needs_after_number_sense),
		cmocka_unit_test(test_alternatives),
		cmocka_unit_test(test_crlf_lines),
		cmocka_unit_test(test_bom_before_comment),
		cmocka_unit_test(test_diag_missing_equals),
		cmocka_unit_test(test_diag_empty_expansion),
		cmocka_unit_test(test_diag_multiword_key),
		cmocka_unit_test(test_diag_unknown_condition),
		cmocka_unit_test(test_diag_near_without_words),
		cmocka_unit_test(test_diag_unreachable_line),
		cmocka_unit_test(test_diag_invalid_utf8),
		cmocka_unit_test(test_bad_lines_skipped),
		cmocka_unit_test(test_load_missing_file),
		cmocka_unit_test(test_load_from_file),
		cmocka_unit_test(test_no_valid_line),
		cmocka_unit_test(test_long_token_expansion),
	};

	tu_set_today(TU_TODAY);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
