/*
 * The bot's own sentences outside a guide: read from system.txt, and a
 * system.txt that lacks one is an error that names the file and the
 * sentence, in Vietnamese, so `check` tells the admin before the bot runs.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "testutil.h"

#include "systext.h"

#define MEDIA TU_SYS_MEDIA
#define FLOOD TU_SYS_FLOOD
#define SECRET TU_SYS_SECRET
#define HOTLINES TU_SYS_HOTLINES

static void
test_read_from_system_txt(void **state)
{
	struct tu_kb k;

	(void)state;
	tu_kb_open(&k, "system.txt", MEDIA FLOOD SECRET HOTLINES, NULL);
	if (k.d.nerr)
		fail_msg("%s", k.d.text.data);
	assert_string_equal(systext(k.kb, SYSTEXT_MEDIA), "ảnh");
	assert_string_equal(systext(k.kb, SYSTEXT_FLOOD), "chậm lại");
	assert_string_equal(systext(k.kb, SYSTEXT_SECRET), "đừng gửi OTP");
	assert_string_equal(systext(k.kb, SYSTEXT_HOTLINES), "gọi 1900");
	tu_kb_close(&k);
}

static void
test_missing_is_an_error(void **state)
{
	struct tu_kb k;
	char where[512];

	(void)state;
	tu_kb_open(&k, "system.txt", MEDIA SECRET HOTLINES, NULL);
	assert_int_equal(k.d.nerr, 1);
	assert_diag_line(&k.d, tu_loc(where, sizeof(where), k.dir, "system.txt",
	    0), "lỗi: thiếu chủ đề 'sys.flood' (câu nhắc khi người dân gửi nhiều "
	    "tin quá nhanh). Cách sửa: thêm lại vào tệp này một khối "
	    "'== sys.flood'");
	assert_diag_vietnamese(&k.d);
	tu_kb_close(&k);
	/* there, but nothing to say */
	tu_kb_open(&k, "system.txt", MEDIA FLOOD HOTLINES
	    "\n== sys.secret\ntitle: S\nkeywords: otp\n", NULL);
	assert_int_equal(k.d.nerr, 1);
	assert_diag_line(&k.d, tu_loc(where, sizeof(where), k.dir, "system.txt",
	    17), "lỗi: 'sys.secret' chưa có câu nào để nói");
	tu_kb_close(&k);
}

/* A directory without system.txt (a test's): no error, a stand-in. */
static void
test_without_system_txt(void **state)
{
	struct tu_kb k;

	(void)state;
	tu_kb_open(&k, "topics.txt", "== a.b\ntitle: A\nkeywords: a\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	assert_true(strlen(systext(k.kb, SYSTEXT_MEDIA)) > 0);
	assert_true(strlen(systext(k.kb, SYSTEXT_SECRET)) > 0);
	assert_string_equal(systext(k.kb, SYSTEXT_HOTLINES), "");
	tu_kb_close(&k);
}

/*
 * But `check` says so (and serve and chat log it): the stand-ins are not
 * the ward's wording, the hotlines are gone, and thanks, "tiếp" and
 * "menu" are not understood.
 */
static void
test_without_system_txt_warns(void **state)
{
	struct tu_kb k;
	struct diag d;
	char where[512];

	(void)state;
	tu_kb_open(&k, "topics.txt", "== a.b\ntitle: A\nkeywords: a\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", NULL);
	diag_init(&d);
	assert_int_equal(systext_absent(k.dir, &d), 1);
	assert_int_equal(d.nwarn, 1);
	assert_int_equal(d.nerr, 0);
	assert_diag_line(&d, tu_loc(where, sizeof(where), k.dir, "system.txt",
	    0), "cảnh báo: không có tệp system.txt");
	assert_non_null(strstr(d.text.data, "knowledge/system.txt"));
	assert_diag_vietnamese(&d);
	diag_release(&d);
	tu_kb_close(&k);
	/* with one: nothing to say */
	tu_kb_open(&k, "system.txt", TU_SYS_REQUIRED, NULL);
	diag_init(&d);
	assert_int_equal(systext_absent(k.dir, &d), 0);
	assert_int_equal(d.nwarn + d.nerr, 0);
	diag_release(&d);
	tu_kb_close(&k);
}

/* The shipped knowledge base has every one, and says what it said in C. */
static void
test_knowledge_dir(void **state)
{
	struct tu_kb k;
	char dir[4200];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/../../knowledge", tu_data_dir());
	tu_kb_load_dir(&k, dir);
	if (k.d.nerr)
		fail_msg("%s", k.d.text.data);
	assert_non_null(strstr(systext(k.kb, SYSTEXT_SECRET), "đừng bao giờ gửi "
	    "mã OTP"));
	assert_non_null(strstr(systext(k.kb, SYSTEXT_HOTLINES), "1900 0368"));
	assert_non_null(strstr(systext(k.kb, SYSTEXT_FLOOD), "nhiều tin quá "
	    "nhanh"));
	assert_non_null(strstr(systext(k.kb, SYSTEXT_MEDIA), "chưa xem được ảnh"));
	tu_kb_close(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_from_system_txt),
		cmocka_unit_test(test_missing_is_an_error),
		cmocka_unit_test(test_without_system_txt),
		cmocka_unit_test(test_without_system_txt_warns),
		cmocka_unit_test(test_knowledge_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
