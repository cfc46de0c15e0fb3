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
	tu_kb_open(&k, "system.txt", MEDIA FLOOD SECRET HOTLINES TU_SYS_HANDOFF,
	    NULL);
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
	tu_kb_open(&k, "system.txt", MEDIA SECRET HOTLINES TU_SYS_HANDOFF, NULL);
	assert_int_equal(k.d.nerr, 1);
	assert_diag_line(&k.d, tu_loc(where, sizeof(where), k.dir, "system.txt",
	    0), "lỗi: thiếu chủ đề 'sys.flood' (câu nhắc khi người dân gửi nhiều "
	    "tin quá nhanh). Cách sửa: thêm lại vào tệp này một khối "
	    "'== sys.flood'");
	assert_diag_vietnamese(&k.d);
	tu_kb_close(&k);
	/* there, but nothing to say */
	tu_kb_open(&k, "system.txt", MEDIA FLOOD HOTLINES
	    "\n== sys.secret\ntitle: S\nkeywords: otp\n" TU_SYS_HANDOFF, NULL);
	assert_int_equal(k.d.nerr, 1);
	assert_diag_line(&k.d, tu_loc(where, sizeof(where), k.dir, "system.txt",
	    17), "lỗi: 'sys.secret' chưa có câu nào để nói");
	tu_kb_close(&k);
}

/* What the hand-off fills in, the same in every test here. */
static const struct systext_var v[] = {
	{ "phieu", "12" }, { "cho", "khoảng 30 phút" }, { "gio", "07:30-21:00" },
	{ "batdau", "7:30" }, { "ten", "Minh" }, { "lenh", "/tailai" },
	{ "ai", "quản trị viên" },
};

/* The hand-off's sentences fill in {phieu}, {ten}... */
static void
test_fill(void **state)
{
	static const struct {
		const char *id, *want;
	} c[] = {
		{ SYSTEXT_HANDOFF_WAIT, "chờ phiếu 12, khoảng 30 phút." },
		{ SYSTEXT_HANDOFF_AFTER_HOURS, "ngoài giờ phiếu 12 (07:30-21:00) từ "
		    "7:30." },
		{ SYSTEXT_HANDOFF_CLAIMED, "Minh nhận rồi." },
		{ SYSTEXT_HANDOFF_DONE, "xong phiếu 12." },
		{ SYSTEXT_STAFF_ONLY, "lệnh /tailai chỉ cho quản trị viên." },
		{ SYSTEXT_HANDOFF_MEDIA, "ảnh tới Tổ." },
		{ SYSTEXT_FEEDBACK_THANKS, "cảm ơn góp ý." },
		{ SYSTEXT_FEEDBACK_SORRY, "xin lỗi bác." },
	};
	struct tu_kb k;
	struct buf b;
	size_t i;

	(void)state;
	tu_kb_open(&k, "system.txt", TU_SYS_REQUIRED, NULL);
	if (k.d.nerr)
		fail_msg("%s", k.d.text.data);
	buf_init(&b, 4096);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		buf_reset(&b);
		systext_fill(k.kb, c[i].id, v, sizeof(v) / sizeof(v[0]), &b);
		assert_string_equal(b.data, c[i].want);
	}
	/* a value is not read for more names: "{ten}" from a name stays */
	{
		const struct systext_var odd = { "ten", "{phieu}" };

		buf_reset(&b);
		systext_fill(k.kb, SYSTEXT_HANDOFF_CLAIMED, &odd, 1, &b);
		assert_string_equal(b.data, "{phieu} nhận rồi.");
	}
	buf_release(&b);
	tu_kb_close(&k);
}

/* A name the sentence cannot fill in is an error: the resident would read
 * "{phieuu}". Braces that are not a name are just text. */
static void
test_unknown_name_is_an_error(void **state)
{
	struct tu_kb k;
	char where[512];

	(void)state;
	tu_kb_open(&k, "system.txt", MEDIA FLOOD SECRET HOTLINES
	    "\n== sys.handoff_media\ntitle: HM\nanswer:\nảnh {:-)} tới Tổ.\n"
	    "\n== sys.handoff_wait\ntitle: HW\nanswer:\nchờ {phieu}, {ten}.\n"
	    "\n== sys.handoff_after_hours\ntitle: HA\nanswer:\nngoài giờ.\n"
	    "\n== sys.handoff_claimed\ntitle: HC\nanswer:\n{ten} nhận.\n"
	    "\n== sys.handoff_done\ntitle: HD\nanswer:\nxong {phieuu}.\n"
	    "\n== sys.feedback_thanks\ntitle: FT\nanswer:\ncảm ơn.\n"
	    "\n== sys.feedback_sorry\ntitle: FS\nanswer:\nxin lỗi.\n"
	    "\n== sys.staff_only\ntitle: SO\nanswer:\nkhông.\n", NULL);
	assert_int_equal(k.d.nerr, 2);
	assert_diag_line(&k.d, tu_loc(where, sizeof(where), k.dir, "system.txt",
	    27), "lỗi: 'sys.handoff_wait' có chỗ điền {ten} mà câu này không "
	    "điền được, người dân sẽ đọc nguyên chữ đó. Cách sửa: chỉ dùng "
	    "{phieu} (số phiếu), {cho}");
	assert_diag_line(&k.d, tu_loc(where, sizeof(where), k.dir, "system.txt",
	    42), "lỗi: 'sys.handoff_done' có chỗ điền {phieuu}");
	assert_diag_vietnamese(&k.d);
	tu_kb_close(&k);
}

/* What handoff.c said in C before, word for word: the shipped system.txt
 * and the stand-ins without one say the same. */
static void
handoff_wording(const struct kb *kb)
{
	static const struct {
		const char *id, *want;
	} c[] = {
		{ SYSTEXT_HANDOFF_MEDIA, "Dạ, cháu chưa tự xem được ảnh, ghi âm hay "
		    "tệp bác gửi, nên cháu chuyển cho người của Tổ xem giúp bác." },
		{ SYSTEXT_HANDOFF_WAIT, "Dạ, cháu đã chuyển câu hỏi của bác cho Tổ "
		    "Chuyển đổi số cộng đồng (phiếu số 12). Các tình nguyện viên "
		    "thường trả lời trong khoảng 30 phút. Bác cứ nhắn thêm ở đây, tin "
		    "của bác sẽ được chuyển tới Tổ ạ." },
		{ SYSTEXT_HANDOFF_AFTER_HOURS, "Dạ, cháu đã ghi lại câu hỏi của bác "
		    "(phiếu số 12). Bây giờ là ngoài giờ hỗ trợ (07:30-21:00), Tổ "
		    "Chuyển đổi số cộng đồng sẽ trả lời bác từ 7:30 sáng ạ." },
		{ SYSTEXT_HANDOFF_CLAIMED, "Dạ, Minh — tình nguyện viên của Tổ "
		    "Chuyển đổi số cộng đồng — đã nhận câu hỏi của bác và sẽ nhắn "
		    "cho bác ngay ạ." },
		{ SYSTEXT_HANDOFF_DONE, "Dạ, việc hỗ trợ bác (phiếu số 12) đã xong. "
		    "Bác có hài lòng không ạ? Bác gõ 👍 nếu hài lòng, 👎 nếu chưa. "
		    "Từ giờ cháu lại trả lời bác như thường, gõ 0 để xem menu ạ." },
		{ SYSTEXT_FEEDBACK_THANKS, "Dạ, cháu cảm ơn bác đã góp ý ạ! 🙏" },
		{ SYSTEXT_FEEDBACK_SORRY, "Dạ, cháu xin lỗi vì chưa giúp được bác "
		    "chu đáo. Tổ sẽ xem lại để hỗ trợ tốt hơn. Bác gõ câu hỏi nếu "
		    "cần thêm ạ." },
		{ SYSTEXT_STAFF_ONLY, "Dạ, lệnh /tailai chỉ dành cho quản trị viên "
		    "của Tổ Chuyển đổi số cộng đồng ạ. Bác cần hỗ trợ thì gõ câu "
		    "hỏi, hoặc gõ 0 để xem menu." },
	};
	struct buf b;
	size_t i;

	buf_init(&b, 4096);
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		buf_reset(&b);
		systext_fill(kb, c[i].id, v, sizeof(v) / sizeof(v[0]), &b);
		assert_string_equal(b.data, c[i].want);
	}
	buf_release(&b);
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
	handoff_wording(k.kb);
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
	handoff_wording(k.kb);
	tu_kb_close(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_from_system_txt),
		cmocka_unit_test(test_missing_is_an_error),
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_unknown_name_is_an_error),
		cmocka_unit_test(test_without_system_txt),
		cmocka_unit_test(test_without_system_txt_warns),
		cmocka_unit_test(test_knowledge_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
