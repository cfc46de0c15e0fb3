/* kb.c: the knowledge parser and its path:line diagnostics. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "diag.h"
#include "kb.h"
#include "kb_int.h"     /* nstop: the stop-word count is not public */
#include "match.h"
#include "testutil.h"
#include "util.h"

/* One valid topic; tests append or prepend what they break. */
#define GOOD(id) \
	"== " id "\n" \
	"title: Cài VNeID\n" \
	"keywords: vneid, cài app\n" \
	"source: https://vneid.gov.vn\n" \
	"reviewed: 2026-11-01\n" \
	"answer:\n" \
	"1. Mở CH Play.\n"

#define SYSTEM \
	"== sys.fallback\n" \
	"title: Chưa hiểu\n" \
	"answer:\n" \
	"Dạ, cháu chưa hiểu ạ.\n"

static char loc_buf[8][512];
static int loc_next;

/* "DIR/FILE:LINE: " of a temp kb (rotating static buffers). */
static const char *
loc(const struct tu_kb *k, const char *file, int line)
{
	char *b = loc_buf[loc_next++ % 8];

	return tu_loc(b, sizeof(loc_buf[0]), k->dir, file, line);
}

static void
load1(struct tu_kb *k, const char *topics)
{
	tu_kb_open(k, "topics.txt", topics, NULL);
	assert_non_null(k->kb);
}

/* Loads one topics file and expects exactly one error, at line, saying msg. */
static void
expect_error(const char *topics, int line, const char *msg)
{
	struct tu_kb k;

	load1(&k, topics);
	assert_diag_line(&k.d, loc(&k, "topics.txt", line), msg);
	if (k.d.nerr != 1)
		fail_msg("expected 1 error, got %zu:\n%s", k.d.nerr, k.d.text.data);
	assert_diag_vietnamese(&k.d);
	tu_kb_close(&k);
}

/*
 * Loads one topics file that has several mistakes and expects each of
 * them, and no other: want is a list of line, message pairs ended by 0.
 */
static void
expect_errors(const char *topics, ...)
{
	struct tu_kb k;
	va_list ap;
	size_t n = 0;
	int line;

	load1(&k, topics);
	va_start(ap, topics);
	while ((line = va_arg(ap, int)) != 0) {
		const char *msg = va_arg(ap, const char *);

		assert_diag_line(&k.d, loc(&k, "topics.txt", line), msg);
		n++;
	}
	va_end(ap);
	if (k.d.nerr != n)
		fail_msg("expected %zu errors, got %zu:\n%s", n, k.d.nerr,
		    k.d.text.data);
	assert_diag_vietnamese(&k.d);
	tu_kb_close(&k);
}

static int
setup(void **state)
{
	(void)state;
	tu_set_today(TU_TODAY);
	return 0;
}

/* ---- a valid file ---- */

static void
test_valid_topic_fields(void **state)
{
	struct tu_kb k;
	const struct kb_topic *t;

	(void)state;
	load1(&k,
	    "# VNeID\n"
	    "== vneid.install\n"
	    "title: Cài ứng dụng VNeID\n"
	    "keywords: vneid ,  định danh điện tử,, cài app\n"
	    "ask: cài vneid thế nào\n"
	    "# a comment between keys\n"
	    "ask: tải ứng dụng định danh ở đâu\n"
	    "match: (cài|tải)\\s.*vneid\n"
	    "not: gỡ\\s+vneid\n"
	    "link: Trang VNeID | https://vneid.gov.vn/huong-dan?a=1\n"
	    "see: etax.pay, sys.fallback\n"
	    "menu: etax.pay\n"
	    "source: https://vneid.gov.vn; Công an phường\n"
	    "reviewed: 2026-11-01\n"
	    "answer:\n"
	    "Dạ, bác làm như sau:\n"
	    "1. Mở CH Play.\n"
	    "\n"
	    "== etax.pay\n"
	    "title: Nộp thuế\n"
	    "keywords: nộp thuế\n"
	    "source: https://thuedientu.gdt.gov.vn\n"
	    "reviewed: 2026-10-01\n"
	    "answer: Mở eTax Mobile.\n"
	    SYSTEM);
	if (k.d.nerr || k.d.nwarn)
		fail_msg("unexpected diagnostics:\n%s", k.d.text.data);
	assert_int_equal(kb_count(k.kb), 3);
	assert_string_equal(kb_dir(k.kb), k.dir);
	t = kb_find(k.kb, "vneid.install");
	assert_non_null(t);
	assert_ptr_equal(kb_topic(k.kb, 0), t);
	assert_string_equal(t->title, "Cài ứng dụng VNeID");
	assert_string_equal(t->source, "https://vneid.gov.vn; Công an phường");
	assert_string_equal(t->reviewed, "2026-11-01");
	assert_int_equal(t->line, 2);
	assert_non_null(strstr(t->file, "topics.txt"));
	assert_false(t->system);
	assert_int_equal(t->nkeywords, 3);
	assert_string_equal(t->keywords[0], "vneid");
	assert_string_equal(t->keywords[1], "định danh điện tử");
	assert_string_equal(t->keywords[2], "cài app");
	assert_int_equal(t->nasks, 2);
	assert_string_equal(t->asks[1], "tải ứng dụng định danh ở đâu");
	assert_int_equal(t->ask_lines[0], 5);
	assert_int_equal(t->ask_lines[1], 7);
	assert_int_equal(t->nlinks, 1);
	assert_string_equal(t->links[0].label, "Trang VNeID");
	assert_string_equal(t->links[0].url, "https://vneid.gov.vn/huong-dan?a=1");
	assert_int_equal(t->nsee, 2);
	assert_string_equal(t->see[0], "etax.pay");
	assert_int_equal(t->nmenu, 1);
	assert_int_equal(t->npages, 1);
	assert_string_equal(t->pages[0], "Dạ, bác làm như sau:\n1. Mở CH Play.");
	/* "answer: text" on the key line is the first answer line */
	t = kb_find(k.kb, "etax.pay");
	assert_non_null(t);
	assert_int_equal(t->npages, 1);
	assert_string_equal(t->pages[0], "Mở eTax Mobile.");
	assert_null(kb_find(k.kb, "etax"));
	assert_null(kb_find(k.kb, "nope.nope"));
	assert_null(kb_topic(k.kb, 3));
	tu_kb_close(&k);
}

static void
test_count_find_order(void **state)
{
	struct tu_kb k;

	(void)state;
	/* files are read in name order, topics in file order */
	tu_kb_open(&k, "b.txt", GOOD("b.one") "\n" GOOD("b.two"),
	    "a.txt", GOOD("a.one"),
	    "sys.txt", SYSTEM,
	    "README.md", "not read: == not.a.topic\n",
	    "notes.txt.bak", "garbage\n",
	    ".hidden.txt", "garbage\n",
	    NULL);
	if (k.d.nerr)
		fail_msg("unexpected errors:\n%s", k.d.text.data);
	assert_int_equal(kb_count(k.kb), 4);
	assert_string_equal(kb_topic(k.kb, 0)->id, "a.one");
	assert_string_equal(kb_topic(k.kb, 1)->id, "b.one");
	assert_string_equal(kb_topic(k.kb, 2)->id, "b.two");
	assert_string_equal(kb_topic(k.kb, 3)->id, "sys.fallback");
	assert_int_equal(kb_find(k.kb, "b.two")->line, 9);
	assert_null(kb_find(k.kb, "not.a.topic"));
	tu_kb_close(&k);
}

static void
test_system_topics(void **state)
{
	struct tu_kb k;
	const struct kb_topic *t;

	(void)state;
	tu_kb_open(&k, "system.txt", SYSTEM
	    "\n== sys.more\ntitle: Còn tiếp\nanswer:\nGõ \"tiếp\" ạ.\n"
	    TU_SYS_REQUIRED, NULL);
	if (k.d.nerr || k.d.nwarn)
		fail_msg("sys.* topics need no ask/source/reviewed:\n%s",
		    k.d.text.data);
	t = kb_find(k.kb, "sys.fallback");
	assert_non_null(t);
	assert_true(t->system);
	assert_string_equal(kb_system_text(k.kb, "sys.more", "x"),
	    "Gõ \"tiếp\" ạ.");
	assert_string_equal(kb_system_text(k.kb, "sys.end", "fallback text"),
	    "fallback text");
	tu_kb_close(&k);
	/* but a title they do need */
	expect_error("== sys.end\nanswer:\nHết ạ.\n", 1,
	    "lỗi: chủ đề 'sys.end' chưa có 'title:'. Cách sửa: thêm dòng 'title: "
	    "…'");
}

/* ---- syntax ---- */

static void
test_line_without_colon(void **state)
{
	(void)state;
	expect_error(GOOD("a.b") "\n== c.d\ntitle: T\nthis line has no colon\n"
	    "keywords: x\nsource: s\nreviewed: 2026-11-01\nanswer:\nx\n", 11,
	    "lỗi: dòng này không có dạng 'khoá: nội dung' và khối chưa có dòng "
	    "'answer:'. Cách sửa: nếu đây (và các dòng sau) là câu trả lời, thêm "
	    "dòng 'answer:' ngay trên nó");
	/* a key whose ':' was forgotten is named, and read as meant */
	expect_error(GOOD("a.b") "\n== c.d\ntitle: T\nkeywords vneid, cài app\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", 11,
	    "lỗi: thiếu dấu ':' sau 'keywords'. Cách sửa: viết 'keywords: vneid, "
	    "cài app'");
	expect_error("== c.d\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nAnswer\nDạ, bác làm như sau:\n1. Mở.\n", 6,
	    "lỗi: thiếu dấu ':' sau 'Answer'. Cách sửa: viết 'answer:'");
	/* an answer without its 'answer:' line: one error, not one per line */
	expect_error("== c.d\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nDạ, bác làm như sau:\n1. Mở CH Play.\n"
	    "2. Bấm Cài đặt.\n", 6, "thêm dòng 'answer:' ngay trên nó");
	/* "==id": the space forgotten; the block is still read as one */
	expect_error(GOOD("a.b") "==c.d\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 8,
	    "lỗi: thiếu dấu cách sau '=='. Cách sửa: viết '== c.d'");
}

static void
test_unknown_key(void **state)
{
	(void)state;
	expect_error("== a.b\ntitle: T\ncolour: red\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 3, "lỗi: không có khoá "
	    "'colour:'. Cách sửa: dùng một trong các khoá title, keywords");
	/* keys are lower case; the one meant is named */
	expect_error("== a.b\nTitle: T\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 2, "lỗi: không có khoá "
	    "'Title:'. Cách sửa: viết 'title:' (chữ thường)");
}

/* An unknown key names the nearest one and is read as it: one error. */
static void
test_unknown_key_nearest(void **state)
{
	static const struct { const char *line, *want; } near[] = {
		{ "Title: T", "'Title:'. Cách sửa: viết 'title:' (chữ thường)" },
		{ "tittle: T", "'tittle:'. Cách sửa: viết 'title:'" },
		{ "keyword: x", "'keyword:'. Cách sửa: viết 'keywords:'" },
		{ "KEYWORDS: x", "'KEYWORDS:'. Cách sửa: viết 'keywords:' (chữ" },
		{ "sorce: s", "'sorce:'. Cách sửa: viết 'source:'" },
		{ "reveiwed: 2026-11-01", "'reveiwed:'. Cách sửa: viết 'reviewed:'" },
		{ "tiêu đề: T", "'tiêu đề:'. Cách sửa: viết 'title:'" },
		{ "Từ khoá: x", "'Từ khoá:'. Cách sửa: viết 'keywords:'" },
		{ "nguồn: s", "'nguồn:'. Cách sửa: viết 'source:'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(near); i++) {
		char buf[512];
		struct tu_kb k;

		/* the line replaces the block's own one: nothing else is missing */
		snprintf(buf, sizeof(buf), "== a.b\n%s\n%s%s%s%s"
		    "answer:\nx\n", near[i].line,
		    strstr(near[i].want, "'title:'") ? "" : "title: T\n",
		    strstr(near[i].want, "'keywords:'") ? "" : "keywords: x\n",
		    strstr(near[i].want, "'source:'") ? "" : "source: s\n",
		    strstr(near[i].want, "'reviewed:'") ? "" :
		    "reviewed: 2026-11-01\n");
		expect_error(buf, 2, near[i].want);
		/* read as meant */
		load1(&k, buf);
		assert_non_null(kb_find(k.kb, "a.b"));
		assert_non_null(kb_find(k.kb, "a.b")->title);
		assert_non_null(kb_find(k.kb, "a.b")->source);
		tu_kb_close(&k);
	}
	/* "anwser:" is the answer: its lines are not each a stray line */
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanwser:\nDạ, bác làm như sau:\n1. Mở.\n", 6,
	    "'anwser:'. Cách sửa: viết 'answer:'");
	/* a link pasted without its key */
	expect_error("== a.b\ntitle: T\nkeywords: x\nhttps://vneid.gov.vn\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "đường link nhưng chưa có khoá. Cách sửa: viết 'link: tên trang | "
	    "https://vneid.gov.vn'");
}

static void
test_invalid_topic_id(void **state)
{
	static const char *const bad[] = { "VNeID.install", "vneid..install",
		"vneid.", ".vneid", "vneid-install", "vneid install", "thuế.đất",
		"" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[512];

		snprintf(buf, sizeof(buf), GOOD("ok.one") "== %s\ntitle: T\n"
		    "keywords: x\nsource: s\nreviewed: 2026-11-01\nanswer:\nx\n",
		    bad[i]);
		expect_error(buf, 8, *bad[i] ? "không hợp lệ: chỉ dùng chữ thường "
		    "không dấu" : "dòng '==' chưa có mã chủ đề");
	}
	/* the id it could be is suggested */
	expect_error("== VNeID.Cài Đặt\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 1, "mã chủ đề 'VNeID.Cài Đặt' "
	    "không hợp lệ: chỉ dùng chữ thường không dấu, chữ số, '_', các phần "
	    "nối bằng dấu chấm. Cách sửa: viết '== vneid.cai_dat'");
}

/*
 * A rejected id does not hide the block's other mistakes: the block is
 * read anyway, every error reported, and only then dropped.
 */
static void
test_bad_block_reports_everything(void **state)
{
	struct tu_kb k;

	(void)state;
	expect_errors(GOOD("ok.one")
	    "== Vneid.Cai\n"                           /* 8 */
	    "Title: T\n"                               /* 9 */
	    "colour: red\n"                            /* 10 */
	    "link: Trang | vneid.gov.vn\n"             /* 11 */
	    "match: (cài\n"                            /* 12 */
	    "reviewed: 28/11/2026\n"                   /* 13 */
	    "answer:\nx\n",
	    8, "lỗi: mã chủ đề 'Vneid.Cai' không hợp lệ",
	    9, "lỗi: không có khoá 'Title:'. Cách sửa: viết 'title:'",
	    10, "lỗi: không có khoá 'colour:'",
	    11, "lỗi: đường link 'vneid.gov.vn' thiếu 'https://' ở đầu. Cách sửa: "
	    "viết 'https://vneid.gov.vn'",
	    12, "lỗi: mẫu 'match:' viết sai: thiếu dấu ')' đóng ngoặc",
	    13, "lỗi: ngày '28/11/2026' viết chưa đúng cách. Cách sửa: viết "
	    "năm-tháng-ngày: 'reviewed: 2026-11-28'",
	    8, "lỗi: chủ đề 'Vneid.Cai' chưa có 'source:'",
	    0);
	/* the same for a duplicate id; the first definition stays */
	load1(&k, GOOD("a.b") "== a.b\ntitle: T\nsource: s\nreviewed: 2026-11-01\n"
	    "reviewed: 2026-11-02\nanswer:\nx\n");
	assert_diag_line(&k.d, loc(&k, "topics.txt", 8), "lỗi: mã chủ đề 'a.b' "
	    "đã dùng ở ");
	assert_diag_line(&k.d, loc(&k, "topics.txt", 12), "lỗi: 'reviewed:' ghi "
	    "hai lần (lần đầu ở dòng 11)");
	assert_diag_line(&k.d, loc(&k, "topics.txt", 8), "lỗi: chủ đề 'a.b' "
	    "chưa có gì để nhận ra câu hỏi");
	assert_int_equal(k.d.nerr, 3);
	assert_int_equal(kb_count(k.kb), 1);
	assert_string_equal(kb_find(k.kb, "a.b")->title, "Cài VNeID");
	tu_kb_close(&k);
	/* and for a section of a rejected topic, and a rejected section */
	expect_errors("== Bad.Id\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n"
	    "=== p\ncolour: red\nanswer:\ny\n"             /* 8 */
	    "== c.d\ntitle: T\nkeywords: x\nsource: s\n"     /* 12 */
	    "reviewed: 2026-11-01\nanswer:\nx\n"
	    "=== Quên MK\nsee: a.b\nanswer:\nz\n",          /* 19 */
	    1, "mã chủ đề 'Bad.Id' không hợp lệ",
	    9, "không có khoá 'colour:'",
	    8, "phần 'Bad.Id#p' chưa có 'title:'",
	    19, "tên phần 'Quên MK' không hợp lệ: chỉ dùng chữ thường không dấu, "
	    "chữ số và '_'. Cách sửa: viết '=== quen_mk'",
	    20, "'see:' không dùng trong một phần (===): phần lấy source, "
	    "evidence, reviewed, see, priority của chủ đề. Cách sửa: ghi dòng "
	    "này ở chủ đề 'c.d'",
	    19, "phần 'c.d#Quên MK' chưa có 'title:'",
	    0);
}

/* The messages of a block come in line order, though some are found last. */
static void
test_block_messages_in_line_order(void **state)
{
	struct tu_kb k;
	const char *a, *b, *c;

	(void)state;
	load1(&k, "== a.b\ntitle: T\ncolour: red\nkeywords: x\nanswer:\nx\n"
	    GOOD("c.d") "== e.f\ntitlee: T\nkeywords: x\nanswer:\nx\n");
	assert_int_equal(k.d.nerr, 6);
	a = strstr(k.d.text.data, loc(&k, "topics.txt", 1));
	b = strstr(k.d.text.data, loc(&k, "topics.txt", 3));
	c = strstr(k.d.text.data, loc(&k, "topics.txt", 14));
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	/* "no source" (line 1) before "colour" (line 3), then the next block */
	assert_true(a < b && b < c);
	assert_true(strstr(a, "chưa có 'source:'") < strstr(a, "chưa có ngày"));
	tu_kb_close(&k);
}

/* A bad date is one mistake: one error, not a second "no reviewed date". */
static void
test_bad_date_one_error(void **state)
{
	(void)state;
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-13-01\nanswer:\nx\n", 5,
	    "lỗi: ngày '2026-13-01' không đọc được");
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed:\nanswer:\nx\n", 5, "lỗi: dòng 'reviewed:' trống. Cách "
	    "sửa: ghi ngày kiểm tra nội dung lần cuối, viết năm-tháng-ngày, ví dụ "
	    "'reviewed: " TU_TODAY "'");
	/* the same for source:, and for a match: that does not compile */
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource:\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 4, "lỗi: dòng 'source:' trống");
	expect_error("== a.b\ntitle: T\nmatch: (x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 3, "lỗi: mẫu 'match:' viết "
	    "sai");
}

/* A key written below 'answer:' is answer text: that is the mistake. */
static void
test_key_below_answer(void **state)
{
	struct tu_kb k;

	(void)state;
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\nanswer:\n"
	    "Dạ, bác mở app.\nreviewed: 2026-11-01\n", 7, "lỗi: dòng "
	    "'reviewed:' nằm dưới 'answer:' (dòng 5) nên bị đọc như một câu của "
	    "câu trả lời, và chủ đề 'a.b' vẫn chưa có 'reviewed:'. Cách sửa: "
	    "chuyển dòng này lên trên dòng 'answer:'");
	/* a key the topic does not need: a warning, the answer stays */
	load1(&k, GOOD("a.b") "see: c.d\n");
	assert_int_equal(k.d.nerr, 0);
	assert_int_equal(k.d.nwarn, 1);
	assert_diag_line(&k.d, loc(&k, "topics.txt", 8), "cảnh báo: dòng 'see:' "
	    "nằm dưới 'answer:' (dòng 6)");
	assert_diag_vietnamese(&k.d);
	assert_string_equal(kb_find(k.kb, "a.b")->pages[0],
	    "1. Mở CH Play.\nsee: c.d");
	tu_kb_close(&k);
	/* "Lưu ý:", "Bước 1:" or an indented "link:" are answer text */
	load1(&k, GOOD("a.b") "Lưu ý: mang căn cước\nBước 1: mở app\n"
	    "  link: x\nLink: y\n");
	if (k.d.nerr || k.d.nwarn)
		fail_msg("unexpected diagnostics:\n%s", k.d.text.data);
	tu_kb_close(&k);
}

static void
test_valid_ids(void **state)
{
	struct tu_kb k;

	(void)state;
	load1(&k, GOOD("a") GOOD("a_b.c2.d_3") GOOD("x9.y"));
	if (k.d.nerr)
		fail_msg("unexpected errors:\n%s", k.d.text.data);
	assert_int_equal(kb_count(k.kb), 3);
	tu_kb_close(&k);
}

static void
test_duplicate_id_across_files(void **state)
{
	struct tu_kb k;
	char first[600];

	(void)state;
	tu_kb_open(&k, "a.txt", "# first\n" GOOD("vneid.install"),
	    "b.txt", GOOD("etax.pay") "\n" GOOD("vneid.install"), NULL);
	snprintf(first, sizeof(first), "lỗi: mã chủ đề 'vneid.install' đã "
	    "dùng ở %s/a.txt:2. Cách sửa: đặt mã khác", k.dir);
	assert_diag_line(&k.d, loc(&k, "b.txt", 9), first);
	assert_int_equal(k.d.nerr, 1);
	/* the first definition stays */
	assert_non_null(strstr(kb_find(k.kb, "vneid.install")->file, "a.txt"));
	assert_int_equal(kb_count(k.kb), 2);
	tu_kb_close(&k);
}

static void
test_duplicate_id_same_file(void **state)
{
	(void)state;
	expect_error(GOOD("a.b") GOOD("a.b"), 8, "mã chủ đề 'a.b' đã dùng ở ");
}

/*
 * A match: line that matches an empty message matches every message: a
 * trailing '|' ("vneid|") made one topic answer everything, and check said
 * nothing. A not: line may (^(?!.*x).* is "unless x is said").
 */
static void
test_match_everything(void **state)
{
	struct tu_kb k;

	(void)state;
	expect_error("== a.b\ntitle: T\nkeywords: x\nmatch: (cài|tải)\\s+vneid|\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "mẫu 'match:' khớp với mọi câu");
	expect_error("== a.b\ntitle: T\nkeywords: x\nmatch: (vneid)?\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "mẫu 'match:' khớp với mọi câu");
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nmatch: vneid\n"
	    "not: ^(?!.*vneid).*\nsource: s\nreviewed: 2026-11-01\nanswer:\nx\n");
	assert_int_equal(k.d.nerr, 0);
	tu_kb_close(&k);
}

/*
 * Lines are compiled without numbered captures (only where a line matches
 * is read); one that refers to a group by number still loads, and matches.
 */
static void
test_backreference_still_compiles(void **state)
{
	struct tu_kb k;
	struct match_result r;

	(void)state;
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nmatch: \\b(khoá)\\s+\\1\\b\n"
	    "match: (mở)\\s+(?1)\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n");
	assert_int_equal(k.d.nerr, 0);
	match_run(k.kb, "khoá khoá", strlen("khoá khoá"), &r);
	assert_non_null(r.topic);
	assert_string_equal(r.topic->id, "a.b");
	assert_true(r.cand[0].regex > 0);
	match_run(k.kb, "mở mở", strlen("mở mở"), &r);
	assert_non_null(r.topic);
	assert_true(r.cand[0].regex > 0);
	match_run(k.kb, "khoá mở", strlen("khoá mở"), &r);
	assert_true(!r.ncand || r.cand[0].regex == 0);
	tu_kb_close(&k);
}

static void
test_invalid_regex(void **state)
{
	struct tu_kb k;

	(void)state;
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nmatch: (cài|tải\nnot: [abc\n"
	    "match: thuế\\s+(nhà\nsource: s\nreviewed: 2026-11-01\nanswer:\nx\n");
	assert_diag_line(&k.d, loc(&k, "topics.txt", 4),
	    "lỗi: mẫu 'match:' viết sai: thiếu dấu ')' đóng ngoặc (PCRE2: "
	    "missing closing parenthesis, sau ký tự thứ 8)");
	assert_diag_line(&k.d, loc(&k, "topics.txt", 5),
	    "lỗi: mẫu 'not:' viết sai: thiếu dấu ']' đóng ngoặc vuông (PCRE2: "
	    "missing terminating ] for character class, sau ký tự thứ 4)");
	assert_diag_line(&k.d, loc(&k, "topics.txt", 6),
	    "thiếu dấu ')' đóng ngoặc");
	/* one message per pattern, though it is compiled twice */
	assert_int_equal(k.d.nerr, 3);
	assert_diag_vietnamese(&k.d);
	tu_kb_close(&k);
	/* an ASCII pattern: the offset is PCRE2's */
	expect_error("== a.b\ntitle: T\nkeywords: x\nmatch: abc)\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "mẫu 'match:' viết sai: có dấu ')' mà không có '(' mở trước nó "
	    "(PCRE2: unmatched closing parenthesis, sau ký tự thứ 3)");
	/* a mistake PCRE2 alone names */
	expect_error("== a.b\ntitle: T\nkeywords: x\nmatch: (?<=a+)b\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "mẫu 'match:' viết sai (PCRE2: lookbehind");
	expect_error("== a.b\ntitle: T\nkeywords: x\nmatch:\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 4, "dòng 'match:' trống");
}

static void
test_unknown_see_and_menu(void **state)
{
	struct tu_kb k;

	(void)state;
	tu_kb_open(&k, "a.txt", GOOD("a.one"),
	    "b.txt", "== b.one\ntitle: T\nkeywords: x\nsee: a.one, nope.see\n"
	    "menu: a.one,nope.menu\nsource: s\nreviewed: 2026-11-01\nanswer:\nx\n",
	    NULL);
	assert_diag_line(&k.d, loc(&k, "b.txt", 4),
	    "lỗi: 'see:' nêu mã 'nope.see', nhưng không có chủ đề nào mang mã "
	    "này. Cách sửa: chép đúng mã");
	assert_diag_line(&k.d, loc(&k, "b.txt", 5),
	    "lỗi: 'menu:' nêu mã 'nope.menu'");
	/* a.one is in another file: fine */
	assert_int_equal(k.d.nerr, 2);
	assert_diag_vietnamese(&k.d);
	tu_kb_close(&k);
	/* a typo of an id: the id meant is named */
	tu_kb_open(&k, "a.txt", GOOD("vneid.install"),
	    "b.txt", "== b.one\ntitle: T\nkeywords: x\nsee: vneid.instal\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", NULL);
	assert_diag_line(&k.d, loc(&k, "b.txt", 4), "'see:' nêu mã "
	    "'vneid.instal', nhưng không có chủ đề nào mang mã này. Cách sửa: có "
	    "phải 'vneid.install'?");
	assert_int_equal(k.d.nerr, 1);
	tu_kb_close(&k);
}

static void
test_menu_too_long(void **state)
{
	(void)state;
	expect_error(GOOD("a") GOOD("b") GOOD("c") "== m\ntitle: M\nkeywords: m\n"
	    "menu: a, b, c, a, b, c, a, b, c, a\nsource: s\nreviewed: 2026-11-01\n"
	    "answer:\nx\n", 25, "'menu:' có 10 mục, tối đa 9");
}

/* ---- required keys ---- */

static void
test_missing_title(void **state)
{
	(void)state;
	expect_error(GOOD("a.a") "\n== a.b\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 9, "chủ đề 'a.b' chưa có "
	    "'title:'. Cách sửa: thêm dòng 'title: …' trước dòng 'answer:'");
}

static void
test_missing_answer(void **state)
{
	(void)state;
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\n" GOOD("c.d"), 1, "chủ đề 'a.b' chưa có "
	    "'answer:'. Cách sửa: thêm dòng 'answer:' làm dòng cuối của khối");
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\n\n# only a comment\n---\n\n", 6,
	    "câu trả lời của chủ đề 'a.b' trống");
}

/*
 * An answer past BUF_CAP_REPLY is an error at its 'answer:' line, not a
 * topic answering with whatever the buffer kept (issue 12), nor "empty".
 */
/*
 * The exact form of a match: line is compiled when it first runs
 * (kb.c one_form_will_do), but only where it is certain to compile: a line
 * whose exact form alone is wrong ("[ế-z]": ế comes after z; "[e-z]" is
 * fine) is still reported by check, and a line that waits still answers
 * with its exact spelling.
 */
static void
test_exact_form_errors_still_reported(void **state)
{
	struct tu_kb k;

	(void)state;
	expect_error("== a.b\ntitle: T\nsource: s\nreviewed: 2026-11-01\n"
	    "match: thuế[ế-z]\nanswer:\nx\n", 5,
	    "lỗi: mẫu 'match:' viết sai");
	/* and the folded form of a not: line, which never runs, when only it
	 * is wrong: "\\ơ" is a letter, "\\o" wants "{...}" */
	expect_error("== a.b\ntitle: T\nkeywords: k\nsource: s\n"
	    "reviewed: 2026-11-01\nnot: thuế|x\\ơ\nanswer:\nx\n", 6,
	    "lỗi: mẫu 'not:' viết sai");
	load1(&k, "== a.b\ntitle: T\nsource: s\nreviewed: 2026-11-01\n"
	    "match: thuế\\s+đất\nanswer:\nx\n");
	assert_int_equal(k.d.nerr, 0);
	assert_int_equal(kb_hit_line(k.kb, "thuế đất", kb_find(k.kb, "a.b"),
	    false), 5);
	tu_kb_close(&k);
}

static void
test_answer_too_long(void **state)
{
	static const char head[] = "== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\n";
	static const char line[] = "Bác bấm vào ô này rồi đọc kỹ hướng dẫn.\n";
	size_t n = strlen(head), l = strlen(line), cap = BUF_CAP_REPLY + 4096;
	char *t = malloc(cap + l + 1);

	(void)state;
	assert_non_null(t);
	memcpy(t, head, n);
	while (n < cap) {
		memcpy(t + n, line, l);
		n += l;
	}
	t[n] = '\0';
	expect_error(t, 6, "câu trả lời của chủ đề 'a.b' dài quá 256 KB");
	free(t);
}

static void
test_missing_source(void **state)
{
	(void)state;
	expect_error("\n\n== a.b\ntitle: T\nkeywords: x\nreviewed: 2026-11-01\n"
	    "answer:\nx\n", 3, "chủ đề 'a.b' chưa có 'source:'. Cách sửa: thêm "
	    "dòng 'source: …' nêu tên trang công khai");
}

/* Residents read the source line; the trail of pages is for admins. */
static void
test_source_short_and_public(void **state)
{
	struct tu_kb k;
	const struct kb_topic *t;

	(void)state;
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: services.md §1.1: "
	    "cafef.vn\nreviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "'source:' nêu tên một tệp nội bộ (services.md)");
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: vneid.gov.vn; "
	    "dantri.com.vn 'Cách lấy lại mật khẩu VNeID đơn giản' và nhiều bài khác nữa"
	    "\nreviewed: 2026-11-01\nanswer:\nx\n", 4, "'source:' dài 88 ký tự");
	/* evidence: repeatable, never shown, but no internal names either */
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: vneid.gov.vn\n"
	    "evidence: /work/shared/reference/services.md\nreviewed: 2026-11-01\n"
	    "answer:\nx\n", 5, "'evidence:' nêu tên một tệp nội bộ");
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nsource: vneid.gov.vn · Bộ Công "
	    "an\nevidence: https://dantri.com.vn/a-20251203003057624.htm (quên mật "
	    "khẩu)\nevidence: https://vneid.gov.vn/faq.md.html\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n");
	assert_int_equal(k.d.nerr, 0);
	t = kb_find(k.kb, "a.b");
	assert_non_null(t);
	assert_int_equal(t->nevidence, 2);
	assert_string_equal(t->evidence[1], "https://vneid.gov.vn/faq.md.html");
	tu_kb_close(&k);
}

static void
test_missing_reviewed(void **state)
{
	(void)state;
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\nanswer:\nx\n", 1,
	    "chủ đề 'a.b' chưa có ngày 'reviewed:'. Cách sửa: thêm dòng "
	    "'reviewed: " TU_TODAY "'");
}

static void
test_nothing_to_match(void **state)
{
	(void)state;
	expect_error("== a.b\ntitle: T\nsource: s\nreviewed: 2026-11-01\n"
	    "answer:\nx\n", 1, "chưa có gì để nhận ra câu hỏi của người dân. "
	    "Cách sửa: thêm ít nhất một dòng 'ask:'");
}

static void
test_given_twice_and_empty(void **state)
{
	(void)state;
	expect_error("== a.b\ntitle: T\ntitle: U\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 3, "'title:' ghi hai lần (lần "
	    "đầu ở dòng 2)");
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nreviewed: 2026-11-02\nanswer:\nx\n", 6,
	    "'reviewed:' ghi hai lần (lần đầu ở dòng 5)");
	expect_error("== a.b\ntitle: T\nkeywords: x\nask:   \nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 4, "dòng 'ask:' trống");
	/* one error: no second "no 'source:'" */
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource:\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 4, "dòng 'source:' trống");
}

/* ---- values ---- */

static void
test_bad_dates(void **state)
{
	static const char *const bad[] = { "28/11/2026", "2026-13-01",
		"2026-02-29", "2026-11-31", "2026-1-01", "2026-11-01x", "1999-12-31",
		"hôm qua", "2026-00-10" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[512], msg[128];

		snprintf(buf, sizeof(buf), "== a.b\ntitle: T\nkeywords: x\n"
		    "source: s\nreviewed: %s\nanswer:\nx\n", bad[i]);
		snprintf(msg, sizeof(msg), "lỗi: ngày '%s' ", bad[i]);
		/* and no second "no 'reviewed:' date" */
		expect_error(buf, 5, msg);
	}
}

static void
test_leap_day_is_a_date(void **state)
{
	struct tu_kb k;

	(void)state;
	tu_set_today("2024-03-01");
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nsource: s\nreviewed: "
	    "2024-02-29\nanswer:\nx\n");
	tu_set_today(TU_TODAY);
	assert_int_equal(k.d.nerr, 0);
	assert_int_equal(k.d.nwarn, 0);
	tu_kb_close(&k);
}

static void
test_malformed_urls(void **state)
{
	static const struct { const char *url, *msg; } bad[] = {
		{ "vneid.gov.vn", "'vneid.gov.vn' thiếu 'https://' ở đầu. Cách sửa: "
		    "viết 'https://vneid.gov.vn'" },
		{ "www.vneid.gov.vn/hd", "thiếu 'https://' ở đầu. Cách sửa: viết "
		    "'https://www.vneid.gov.vn/hd'" },
		{ "https//vneid.gov.vn", "thiếu dấu ':' sau 'https'. Cách sửa: viết "
		    "'https://vneid.gov.vn'" },
		{ "https://vneid .gov.vn", "có dấu cách" },
		{ "https://vneid.gov.vn/a b", "có dấu cách" },
		{ "https://", "không đúng dạng địa chỉ web" },
		{ "https://localhost/x", "không đúng dạng địa chỉ web" },
		{ "ftp://vneid.gov.vn", "không đúng dạng địa chỉ web" },
		{ "https://.gov.vn", "không đúng dạng địa chỉ web" },
		{ "https://vneid.gov.vn./x", "không đúng dạng địa chỉ web" },
		{ "https://vneid.gov.vn/\"x\"", "không đúng dạng địa chỉ web" },
		{ "javascript:alert(1)", "không đúng dạng địa chỉ web" },
		{ "", "chưa có địa chỉ sau dấu '|'" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[512];

		snprintf(buf, sizeof(buf), "== a.b\ntitle: T\nkeywords: x\n"
		    "link: Trang | %s\nsource: s\nreviewed: 2026-11-01\nanswer:\nx\n",
		    bad[i].url);
		expect_error(buf, 4, bad[i].msg);
	}
	/* a bare address: the label is what is missing */
	expect_error("== a.b\ntitle: T\nkeywords: x\nlink: https://vneid.gov.vn\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "lỗi: dòng 'link:' chưa có tên trang. Cách sửa: viết tên trang, dấu "
	    "'|', rồi địa chỉ: 'link: Tên trang | https://vneid.gov.vn'");
	expect_error("== a.b\ntitle: T\nkeywords: x\nlink: vneid.gov.vn\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "'link: Tên trang | https://vneid.gov.vn'");
	expect_error("== a.b\ntitle: T\nkeywords: x\nlink: Trang VNeID\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "thiếu dấu '|' giữa tên trang và địa chỉ");
	expect_error("== a.b\ntitle: T\nkeywords: x\nlink:  | https://vneid.gov.vn\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "đường link chưa có tên trang");
}

static void
test_http_link_warns(void **state)
{
	struct tu_kb k;

	(void)state;
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nlink: Cổng | "
	    "http://dichvucong.gov.vn:80/p\nsource: s\nreviewed: 2026-11-01\n"
	    "answer:\nx\n");
	assert_int_equal(k.d.nerr, 0);
	assert_int_equal(k.d.nwarn, 1);
	assert_diag_line(&k.d, loc(&k, "topics.txt", 4), "cảnh báo: đường link "
	    "'http://dichvucong.gov.vn:80/p' dùng http, không phải https");
	assert_diag_has(&k.d, "mở thử 'https://dichvucong.gov.vn:80/p'");
	assert_diag_vietnamese(&k.d);
	assert_int_equal(kb_find(k.kb, "a.b")->nlinks, 1);
	tu_kb_close(&k);
}

/* ---- whole files ---- */

static void
test_invalid_utf8_file(void **state)
{
	struct tu_kb k;

	(void)state;
	tu_kb_open(&k, "a.txt", GOOD("a.one"),
	    "b.txt", "# Windows-1252 by mistake\n== b.one\ntitle: T\n"
	    "keywords: c\xe0i app\nsource: s\nreviewed: 2026-11-01\nanswer:\nx\n",
	    NULL);
	assert_diag_line(&k.d, loc(&k, "b.txt", 4), "lỗi: tệp không lưu dạng "
	    "UTF-8, chữ có dấu ở dòng này bị hỏng. Cách sửa: lưu lại tệp");
	assert_int_equal(k.d.nerr, 1);
	/* that file is skipped, the others are served */
	assert_null(kb_find(k.kb, "b.one"));
	assert_non_null(kb_find(k.kb, "a.one"));
	tu_kb_close(&k);
}

static void
test_not_a_knowledge_file(void **state)
{
	struct tu_kb k;

	(void)state;
	tu_kb_open(&k, "a.txt", GOOD("a.one"),
	    "list.txt", "# đi chợ thứ bảy\n\nGạo 5kg\nTrứng: 10 quả\nRau muống\n",
	    NULL);
	assert_diag_line(&k.d, loc(&k, "list.txt", 3), "lỗi: tệp này chưa bắt "
	    "đầu bằng một chủ đề");
	assert_diag_vietnamese(&k.d);
	/* one message for the file, not one per line */
	assert_int_equal(k.d.nerr, 1);
	assert_non_null(kb_find(k.kb, "a.one"));
	tu_kb_close(&k);
}

static void
test_binary_file(void **state)
{
	static const unsigned char png[] = { 0x89, 'P', 'N', 'G', '\r', '\n',
		0x1a, '\n', 0, 0, 0, '\r', 'I', 'H', 'D', 'R', 0, 0, 1, 0 };
	struct tu_kb k;
	char dir[256];

	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	tu_write(dir, "a.txt", GOOD("a.one"));
	tu_write(dir, "stopwords.txt", TU_DEFAULT_STOPWORDS);
	tu_write_bytes(dir, "logo.txt", png, sizeof(png));
	tu_kb_load_dir(&k, dir);
	snprintf(k.dir, sizeof(k.dir), "%s", dir);  /* closed with the kb */
	assert_non_null(k.kb);
	assert_diag_line(&k.d, loc(&k, "logo.txt", 0),
	    "lỗi: đây không phải tệp chữ (có dữ liệu nhị phân)");
	assert_int_equal(k.d.nerr, 1);
	assert_non_null(kb_find(k.kb, "a.one"));
	tu_kb_close(&k);
}

/* In a child with an alarm: before the fix, opening the FIFO never returned. */
static int
load_odd_files(void *arg)
{
	const char *dir = arg;
	struct tu_kb k;
	char want[600];
	int ok;

	alarm(10);
	tu_kb_load_dir(&k, dir);
	ok = k.kb && kb_find(k.kb, "a.one") && k.d.nerr == 4;
	snprintf(want, sizeof(want), "%s/pipe.txt: lỗi: không đọc: đây là ống FIFO, "
	    "không phải tệp văn bản", dir);
	ok = ok && strstr(k.d.text.data, want);
	snprintf(want, sizeof(want), "%s/schedule.txt: lỗi: không đọc: đây là ống "
	    "FIFO", dir);
	ok = ok && strstr(k.d.text.data, want);
	snprintf(want, sizeof(want), "%s/folder.txt: lỗi: không đọc: đây là thư mục",
	    dir);
	ok = ok && strstr(k.d.text.data, want);
	snprintf(want, sizeof(want), "%s/huge.txt: lỗi: không đọc: tệp quá lớn", dir);
	ok = ok && strstr(k.d.text.data, want);
	ok = ok && strstr(k.d.text.data, "Cách sửa: chuyển nó ra khỏi");
	if (!ok)
		fprintf(stderr, "diagnostics:\n%s", k.d.text.data);
	tu_kb_close(&k);
	return ok ? 0 : 1;
}

static void
test_only_regular_files(void **state)
{
	char dir[256], path[512];
	int fd;

	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	tu_write(dir, "a.txt", GOOD("a.one"));
	tu_write(dir, "stopwords.txt", TU_DEFAULT_STOPWORDS);
	snprintf(path, sizeof(path), "%s/pipe.txt", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/schedule.txt", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/folder.txt", dir);
	assert_int_equal(mkdir(path, 0700), 0);
	/* sparse: over the cap without using the disk */
	snprintf(path, sizeof(path), "%s/huge.txt", dir);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, (off_t)BUF_CAP_FILE + 1), 0);
	close(fd);
	assert_isolated_ok(load_odd_files, dir);
}

static void
test_missing_directory(void **state)
{
	struct diag d;
	struct kb *kb;

	(void)state;
	diag_init(&d);
	kb = kb_load("/nonexistent/hoidap-kb", &d);
	assert_null(kb);
	assert_int_equal(d.nerr, 1);
	assert_diag_has(&d, "/nonexistent/hoidap-kb: lỗi: không mở được thư "
	    "mục kiến thức: không có tệp hoặc thư mục này");
	diag_release(&d);
}

static void
test_errors_in_companion_files(void **state)
{
	struct tu_kb k;

	(void)state;
	tu_kb_open(&k, "topics.txt", GOOD("a.one"),
	    "abbreviations.txt", "ko = không\n# c\nthis is wrong\n",
	    "stopwords.txt", "ạ à\nhỏi-đáp\n", NULL);
	assert_diag_line(&k.d, loc(&k, "abbreviations.txt", 3), "lỗi: dòng này "
	    "không có dạng 'chữ viết tắt = nghĩa đầy đủ'");
	assert_diag_line(&k.d, loc(&k, "stopwords.txt", 2), "lỗi: 'hỏi-đáp' "
	    "không phải một từ");
	assert_int_equal(k.d.nerr, 2);
	assert_diag_vietnamese(&k.d);
	tu_kb_close(&k);
}

/* ---- dates ---- */

static void
test_stale_reviewed(void **state)
{
	struct tu_kb k;
	const char *topic = "== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-01-01\nanswer:\nx\n";

	(void)state;
	tu_set_today("2026-06-30");     /* 180 days: still fresh */
	load1(&k, topic);
	assert_int_equal(k.d.nwarn, 0);
	tu_kb_close(&k);

	tu_set_today("2026-07-01");     /* 181 days */
	load1(&k, topic);
	assert_int_equal(k.d.nerr, 0);
	assert_int_equal(k.d.nwarn, 1);
	assert_diag_line(&k.d, loc(&k, "topics.txt", 5),
	    "cảnh báo: 'a.b' được kiểm tra lần cuối cách đây 181 ngày "
	    "(2026-01-01), quá 180 ngày. Cách sửa: đối chiếu lại với trang chính "
	    "thức, sửa chỗ đã đổi, rồi ghi 'reviewed: 2026-07-01'");
	tu_kb_close(&k);

	tu_set_today("2025-12-31");     /* reviewed tomorrow */
	load1(&k, topic);
	assert_int_equal(k.d.nerr, 0);
	assert_diag_line(&k.d, loc(&k, "topics.txt", 5),
	    "cảnh báo: 'reviewed: 2026-01-01' là một ngày chưa tới (hôm nay là "
	    "2025-12-31)");
	tu_kb_close(&k);
	tu_set_today(TU_TODAY);
}

static void
test_today_override(void **state)
{
	char today[11];

	(void)state;
	tu_set_today("2030-02-03");
	clock_today(today);
	assert_string_equal(today, "2030-02-03");
	/* a malformed override is ignored */
	tu_set_today("tomorrow");
	clock_today(today);
	assert_int_equal(strlen(today), 10);
	assert_true(today[4] == '-' && today[7] == '-');
	assert_string_not_equal(today, "tomorrow");
	tu_set_today(TU_TODAY);
}

/* ---- answers ---- */

static void
test_pages_split(void **state)
{
	struct tu_kb k;
	const struct kb_topic *t;

	(void)state;
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\n"
	    "\n"
	    "Trang một\n"
	    "---\n"
	    "Trang hai, dòng 1\n"
	    "dòng 2\n"
	    "\n"
	    "  ---  \n"
	    "---\n"
	    "----\n"
	    "Trang ba\n"
	    "\n\n");
	if (k.d.nerr)
		fail_msg("unexpected errors:\n%s", k.d.text.data);
	t = kb_find(k.kb, "a.b");
	assert_non_null(t);
	/* an empty page between two separators is dropped; "----" is text */
	assert_int_equal(t->npages, 3);
	assert_string_equal(t->pages[0], "Trang một");
	assert_string_equal(t->pages[1], "Trang hai, dòng 1\ndòng 2");
	assert_string_equal(t->pages[2], "----\nTrang ba");
	tu_kb_close(&k);
}

static void
test_comments_in_answers(void **state)
{
	struct tu_kb k;
	const struct kb_topic *t;

	(void)state;
	load1(&k, "# file comment\n== a.b\n# before title\ntitle: T\n"
	    "keywords: x\nsource: s\nreviewed: 2026-11-01\nanswer:\n"
	    "Dòng 1\n"
	    "# ghi chú cho admin: không gửi\n"
	    " # dòng này bắt đầu bằng dấu cách\n"
	    "Dòng 2 # không phải ghi chú\n"
	    "#\n");
	if (k.d.nerr)
		fail_msg("unexpected errors:\n%s", k.d.text.data);
	t = kb_find(k.kb, "a.b");
	assert_int_equal(t->npages, 1);
	assert_string_equal(t->pages[0], "Dòng 1\n # dòng này bắt đầu bằng dấu "
	    "cách\nDòng 2 # không phải ghi chú");
	assert_null(strstr(t->pages[0], "admin"));
	tu_kb_close(&k);
}

static void
test_bom_and_crlf(void **state)
{
	struct tu_kb k;
	const struct kb_topic *t;

	(void)state;
	tu_kb_open(&k, "a.txt",
	    "\xef\xbb\xbf# Notepad\r\n== a.b\r\ntitle: Cài VNeID\r\n"
	    "keywords: vneid, cài app\r\nlink: VNeID | https://vneid.gov.vn\r\n"
	    "source: s\r\nreviewed: 2026-11-01\r\nanswer:\r\nDòng 1\r\n---\r\n"
	    "Dòng 2\r\n",
	    "b.txt", "\xef\xbb\xbf== c.d\r\ntitle: T\r\nkeywords: x\r\nsource: s\r\n"
	    "reviewed: 2026-11-01\r\nanswer:\r\nx\r\n", NULL);
	if (k.d.nerr || k.d.nwarn)
		fail_msg("BOM/CRLF should be accepted:\n%s", k.d.text.data);
	t = kb_find(k.kb, "a.b");
	assert_non_null(t);
	assert_string_equal(t->title, "Cài VNeID");
	assert_string_equal(t->keywords[1], "cài app");
	assert_string_equal(t->links[0].url, "https://vneid.gov.vn");
	assert_string_equal(t->reviewed, "2026-11-01");
	assert_int_equal(t->npages, 2);
	assert_string_equal(t->pages[0], "Dòng 1");
	assert_string_equal(t->pages[1], "Dòng 2");
	assert_non_null(kb_find(k.kb, "c.d"));
	tu_kb_close(&k);
}

/* Notepad's BOM is accepted in topic files; the companion files too. */
static void
test_bom_abbreviations_file(void **state)
{
	struct tu_kb k;

	(void)state;
	tu_kb_open(&k, "topics.txt", GOOD("a.one"),
	    "abbreviations.txt", "\xef\xbb\xbf# Chat abbreviations\nko = không\n",
	    NULL);
	if (k.d.nerr)
		fail_msg("a BOM before a comment is an error:\n%s", k.d.text.data);
	tu_kb_close(&k);
}

static void
test_bom_stopwords_file(void **state)
{
	struct tu_kb k;

	(void)state;
	tu_kb_open(&k, "topics.txt", GOOD("a.one"),
	    "stopwords.txt", "\xef\xbb\xbf# stop words here\nạ\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	/* only "ạ": the comment's words are not stop words */
	if (k.kb->nstop != 1)
		fail_msg("stopwords.txt with a BOM: %zu stop words, want 1 (the "
		    "comment line was read as words)", k.kb->nstop);
	tu_kb_close(&k);
	/* the same file without the BOM, for comparison */
	tu_kb_open(&k, "topics.txt", GOOD("a.one"),
	    "stopwords.txt", "# stop words here\nạ\n", NULL);
	assert_int_equal(k.kb->nstop, 1);
	tu_kb_close(&k);
}

/*
 * README: a block starts with "== " and an id. A decorative line of '='
 * inside an answer is answer text, not a broken topic header.
 */
static void
test_answer_line_of_equals(void **state)
{
	struct tu_kb k;
	const struct kb_topic *t;

	(void)state;
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nBước 1\n==========\nBước 2\n");
	if (k.d.nerr)
		fail_msg("a line of '=' in an answer is an error:\n%s",
		    k.d.text.data);
	t = kb_find(k.kb, "a.b");
	assert_non_null(t);
	assert_int_equal(t->npages, 1);
	assert_string_equal(t->pages[0], "Bước 1\n==========\nBước 2");
	tu_kb_close(&k);
}

static void
test_too_many_steps(void **state)
{
	struct tu_kb k;
	const char *head = "== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\n";
	char buf[2048];

	(void)state;
	/* 8 steps: fine */
	snprintf(buf, sizeof(buf), "%s1. a\n2. b\n3. c\n4. d\n5. e\n6. f\n7. g\n"
	    "8. h\n", head);
	load1(&k, buf);
	assert_int_equal(k.d.nwarn, 0);
	tu_kb_close(&k);
	/* 9 steps on one page */
	snprintf(buf, sizeof(buf), "%s1. a\n2. b\n3. c\n4. d\n5. e\n6. f\n7. g\n"
	    "8. h\n9. i\n", head);
	load1(&k, buf);
	assert_int_equal(k.d.nerr, 0);
	assert_int_equal(k.d.nwarn, 1);
	assert_diag_has(&k.d, "cảnh báo: một trang của 'a.b' có 9 bước, quá 8 "
	    "bước cho một tin nhắn. Cách sửa: chèn một dòng chỉ có '---'");
	tu_kb_close(&k);
	/* split with ---: fine again */
	snprintf(buf, sizeof(buf), "%s1. a\n2. b\n3. c\n4. d\n5. e\n---\n6. f\n"
	    "7. g\n8. h\n9. i\n10. j\n", head);
	load1(&k, buf);
	assert_int_equal(k.d.nwarn, 0);
	assert_int_equal(kb_find(k.kb, "a.b")->npages, 2);
	tu_kb_close(&k);
}

/*
 * The warning must point into the page that is too long. Lines 7-8 are
 * page 1, line 9 is the "---", lines 10-19 are page 2 (10 steps).
 */
static void
test_too_many_steps_line(void **state)
{
	struct tu_kb k;
	const char *p;
	int line;

	(void)state;
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\n"
	    "# admin note, not sent\n"
	    "1. a\n"
	    "---\n"
	    "1. a\n2. b\n3. c\n4. d\n5. e\n6. f\n7. g\n8. h\n9. i\n10. j\n");
	assert_int_equal(k.d.nwarn, 1);
	p = strstr(k.d.text.data, "topics.txt:");
	assert_non_null(p);
	line = atoi(p + strlen("topics.txt:"));
	if (line < 9 || line > 19)
		fail_msg("the 'a page has 10 steps' warning names line %d, outside "
		    "the page (lines 9-19):\n%s", line, k.d.text.data);
	tu_kb_close(&k);
}

static void
test_bad_topic_does_not_hide_others(void **state)
{
	struct tu_kb k;

	(void)state;
	load1(&k, GOOD("a.one") "== a.two\ntitle: T\nanswer:\nx\n" GOOD("a.three"));
	assert_true(k.d.nerr >= 1);
	assert_non_null(kb_find(k.kb, "a.one"));
	assert_non_null(kb_find(k.kb, "a.three"));
	tu_kb_close(&k);
}

static void
test_kb_mini_is_clean(void **state)
{
	struct tu_kb k;

	(void)state;
	tu_kb_load_dir(&k, TU_KB_MINI);
	assert_non_null(k.kb);
	if (k.d.nerr || k.d.nwarn)
		fail_msg("kb-mini has diagnostics:\n%s", k.d.text.data);
	assert_non_null(kb_find(k.kb, "vneid.install"));
	assert_non_null(kb_find(k.kb, "sys.fallback"));
	assert_int_equal(kb_find(k.kb, "vneid.install")->npages, 2);
	tu_kb_close(&k);
}

/* ---- directories without optional files ---- */

static int
no_stopwords_child(void *arg)
{
	struct tu_kb k;
	int rc;

	(void)arg;
	tu_kb_open_raw(&k, "topics.txt", GOOD("a.one"), NULL);
	rc = k.kb && k.d.nerr == 0 && kb_find(k.kb, "a.one") ? 0 : 1;
	tu_kb_close(&k);
	return rc;
}

/* stopwords.txt is optional (kb.c ignores ENOENT). */
static void
test_no_stopwords_file(void **state)
{
	(void)state;
	assert_isolated_ok(no_stopwords_child, NULL);
}

static int
empty_dir_child(void *arg)
{
	struct tu_kb k;
	int rc;

	(void)arg;
	tu_kb_open_raw(&k, NULL);
	rc = k.kb && k.d.nerr == 0 && kb_count(k.kb) == 0 ? 0 : 1;
	tu_kb_close(&k);
	return rc;
}

static void
test_empty_directory(void **state)
{
	(void)state;
	assert_isolated_ok(empty_dir_child, NULL);
}

static int
no_features_child(void *arg)
{
	struct tu_kb k;
	int rc;

	(void)arg;
	/* no title (an error), only a pattern: no words to index */
	tu_kb_open(&k, "topics.txt", "== a.b\nmatch: vneid\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", NULL);
	rc = k.kb && k.d.nerr == 1 && kb_find(k.kb, "a.b") ? 0 : 1;
	tu_kb_close(&k);
	return rc;
}

/* `check` still indexes a kb with errors, to run its examples. */
static void
test_topic_without_words(void **state)
{
	(void)state;
	assert_isolated_ok(no_features_child, NULL);
}

/* ---- sections ("=== name") ---- */

#define TOPIC_WITH_SECTIONS \
	"== app.login\n" \
	"title: Cài và đăng nhập ABC\n" \
	"keywords: abc\n" \
	"ask: cài abc\n" \
	"see: land.tax\n" \
	"priority: high\n" \
	"link: ABC | https://abc.gov.vn\n" \
	"source: abc.gov.vn\n" \
	"evidence: https://abc.gov.vn/hd (cài)\n" \
	"reviewed: 2026-11-01\n" \
	"answer:\n" \
	"1. Mở CH Play.\n" \
	"---\n" \
	"Đọc kỹ ạ.\n" \
	"=== password\n" \
	"title: Quên mật khẩu ABC\n" \
	"keywords: quên mật khẩu abc\n" \
	"ask: quên mk abc\n" \
	"match: quên\\s.{0,20}mật\\s*khẩu\n" \
	"not: vneid\n" \
	"answer:\n" \
	"1. Bấm \"Quên mật khẩu\".\n" \
	"2. Nhập OTP.\n" \
	"\n" \
	"=== fee_2\n" \
	"title: Phí ABC\n" \
	"link: Phí | https://abc.gov.vn/phi\n" \
	"answer:\n" \
	"Miễn phí ạ.\n" \
	"\n" \
	"== land.tax\n" \
	"title: Thuế đất\n" \
	"keywords: thuế đất\n" \
	"source: gdt.gov.vn\n" \
	"reviewed: 2026-10-01\n" \
	"answer:\n" \
	"1. Mở eTax.\n"

static void
test_sections_parsed(void **state)
{
	struct tu_kb k;
	const struct kb_topic *t, *s, *f;

	(void)state;
	load1(&k, TOPIC_WITH_SECTIONS);
	if (k.d.nerr || k.d.nwarn)
		fail_msg("unexpected diagnostics:\n%s", k.d.text.data);
	/* a section is an entry of its own, right after its topic */
	assert_int_equal(kb_count(k.kb), 4);
	t = kb_find(k.kb, "app.login");
	s = kb_find(k.kb, "app.login#password");
	f = kb_find(k.kb, "app.login#fee_2");
	assert_non_null(t);
	assert_non_null(s);
	assert_non_null(f);
	assert_ptr_equal(kb_topic(k.kb, 1), s);
	assert_ptr_equal(kb_topic(k.kb, 2), f);
	assert_null(t->parent);
	assert_null(t->section);
	assert_ptr_equal(kb_root(t), t);
	assert_int_equal(t->nsections, 2);
	assert_ptr_equal(t->sections[0], s);
	assert_ptr_equal(t->sections[1], f);
	assert_ptr_equal(s->parent, t);
	assert_ptr_equal(kb_root(s), t);
	assert_string_equal(s->section, "password");
	assert_string_equal(f->section, "fee_2");
	assert_int_equal(s->nsections, 0);
	assert_int_equal(s->line, 15);
	/* the topic's answer ends at "==="; the section's at the next header */
	assert_int_equal(t->npages, 2);
	assert_string_equal(t->pages[1], "Đọc kỹ ạ.");
	assert_int_equal(s->npages, 1);
	assert_string_equal(s->pages[0], "1. Bấm \"Quên mật khẩu\".\n2. Nhập OTP.");
	assert_string_equal(f->pages[0], "Miễn phí ạ.");
	/* its own words, examples, links */
	assert_string_equal(s->title, "Quên mật khẩu ABC");
	assert_int_equal(s->nkeywords, 1);
	assert_int_equal(s->nasks, 1);
	assert_string_equal(s->asks[0], "quên mk abc");
	assert_int_equal(s->ask_lines[0], 18);
	assert_int_equal(s->nlinks, 0);
	assert_int_equal(f->nlinks, 1);
	assert_string_equal(f->links[0].url, "https://abc.gov.vn/phi");
	assert_int_equal(t->nasks, 1);
	assert_int_equal(t->nlinks, 1);
	/* inherited from the topic */
	assert_string_equal(s->source, "abc.gov.vn");
	assert_string_equal(s->reviewed, "2026-11-01");
	assert_int_equal(s->nevidence, 1);
	assert_string_equal(s->evidence[0], "https://abc.gov.vn/hd (cài)");
	assert_int_equal(s->nsee, 1);
	assert_string_equal(s->see[0], "land.tax");
	assert_true(s->priority);
	assert_true(f->priority);
	assert_false(s->system);
	assert_int_equal(s->nmenu, 0);
	/* the next topic is a topic again */
	assert_null(kb_find(k.kb, "land.tax")->parent);
	assert_null(kb_find(k.kb, "app.login#nope"));
	tu_kb_close(&k);
}

static void
test_page_steps(void **state)
{
	struct tu_kb k;
	const struct kb_topic *t;

	(void)state;
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nDạ:\n1. Mở.\n 2. Bấm.\n10. Xong.\n"
	    "---\nĐọc kỹ: năm 2025 có 3 loại.\n- một\n---\n2.5 triệu\n");
	assert_int_equal(k.d.nerr, 0);
	t = kb_find(k.kb, "a.b");
	assert_int_equal(t->npages, 3);
	assert_non_null(t->page_steps);
	assert_int_equal(t->page_steps[0], 3);
	assert_int_equal(t->page_steps[1], 0);
	assert_int_equal(t->page_steps[2], 0);
	tu_kb_close(&k);
}

static void
test_section_errors(void **state)
{
	struct tu_kb k;
	char buf[1024];

	(void)state;
	/* before any topic: said once, and the file is still read */
	expect_error("=== password\ntitle: T\nanswer:\nx\n" GOOD("a.b"), 1,
	    "phần phải nằm trong một chủ đề");
	expect_error(GOOD("a.b") "=== Quen-MK\ntitle: T\nanswer:\nx\n", 8,
	    "tên phần 'Quen-MK' không hợp lệ");
	expect_error(GOOD("a.b") "===\ntitle: T\nanswer:\nx\n", 8,
	    "dòng '===' chưa có tên phần");
	expect_error(GOOD("a.b") "=== p\ntitle: T\nanswer:\nx\n"
	    "=== p\ntitle: U\nanswer:\ny\n", 12,
	    "chủ đề 'a.b' đã có phần '=== p' (dòng 8)");
	/* the same name in two topics is fine */
	load1(&k, GOOD("a.b") "=== p\ntitle: T\nanswer:\nx\n"
	    GOOD("c.d") "=== p\ntitle: T\nanswer:\nx\n");
	if (k.d.nerr)
		fail_msg("unexpected errors:\n%s", k.d.text.data);
	assert_non_null(kb_find(k.kb, "c.d#p"));
	tu_kb_close(&k);
	/* inherited keys are the topic's to say */
	expect_error(GOOD("a.b") "=== p\ntitle: T\nsource: x.vn\nanswer:\nx\n", 10,
	    "'source:' không dùng trong một phần");
	expect_error(GOOD("a.b") "=== p\ntitle: T\nsee: a.b\nanswer:\nx\n", 10,
	    "ghi dòng này ở chủ đề 'a.b'");
	expect_error(GOOD("a.b") "=== p\ntitle: T\nmenu: a.b\nanswer:\nx\n", 10,
	    "'menu:' không dùng trong một phần");
	expect_error(GOOD("a.b") "=== p\nreviewed: 2026-11-01\ntitle: T\n"
	    "answer:\nx\n", 9, "'reviewed:' không dùng trong một phần");
	expect_error(GOOD("a.b") "=== p\nkeywords: x\nanswer:\nx\n", 8,
	    "phần 'a.b#p' chưa có 'title:'");
	expect_error(GOOD("a.b") "=== p\ntitle: T\nkeywords: x\n", 8,
	    "phần 'a.b#p' chưa có 'answer:'");
	expect_error(GOOD("a.b") "=== p\ntitle: T\nanswer:\n\n", 10,
	    "câu trả lời của phần 'a.b#p' trống");
	expect_error(SYSTEM "=== p\ntitle: T\nanswer:\nx\n", 5,
	    "chủ đề hệ thống 'sys.fallback' không chia phần");
	/* "t:" + id must fit Telegram's 64-byte callback_data */
	snprintf(buf, sizeof(buf), GOOD("a.b") "=== %s\ntitle: T\nanswer:\nx\n",
	    "p23456789012345678901234567890123456789012345678901234567890");
	expect_error(buf, 8, "dài 64 byte, tối đa 62");
	snprintf(buf, sizeof(buf), GOOD("a.b") "=== %s\ntitle: T\nanswer:\nx\n",
	    "p234567890123456789012345678901234567890123456789012345678");
	load1(&k, buf);
	assert_int_equal(k.d.nerr, 0);
	tu_kb_close(&k);
	/* a topic that long still opens from a deep link: a warning */
	snprintf(buf, sizeof(buf), GOOD("%s"),
	    "a.b234567890123456789012345678901234567890123456789012345678901");
	load1(&k, buf);
	assert_int_equal(k.d.nerr, 0);
	assert_int_equal(k.d.nwarn, 1);
	assert_diag_line(&k.d, loc(&k, "topics.txt", 1), "mã chủ đề 'a.b2345");
	tu_kb_close(&k);
	/* a topic with no answer before its first section */
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\n=== p\ntitle: T\nanswer:\nx\n", 1,
	    "chủ đề 'a.b' chưa có 'answer:'");
}

static void
test_section_needs_no_words(void **state)
{
	struct tu_kb k;

	(void)state;
	/* reachable from its topic's options, so words are optional */
	load1(&k, GOOD("a.b") "=== more\ntitle: Thêm\nanswer:\nx\n");
	if (k.d.nerr || k.d.nwarn)
		fail_msg("unexpected diagnostics:\n%s", k.d.text.data);
	assert_int_equal(kb_find(k.kb, "a.b")->nsections, 1);
	tu_kb_close(&k);
}

static void
test_section_see_checked_once(void **state)
{
	struct tu_kb k;

	(void)state;
	/* the copy a section inherits is not checked (and reported) again */
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nsee: no.such\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n=== p\ntitle: T\nanswer:\ny\n"
	    "=== q\ntitle: U\nanswer:\nz\n");
	assert_diag_line(&k.d, loc(&k, "topics.txt", 4), "'see:' nêu mã "
	    "'no.such'");
	assert_int_equal(k.d.nerr, 1);
	tu_kb_close(&k);
}

/* ---- for check's messages: why a topic scored ---- */

static void
test_words_shared_and_own(void **state)
{
	struct tu_kb k;
	const struct kb_topic *t;
	struct buf b;

	(void)state;
	tu_kb_open(&k, "topics.txt",
	    "== etax.land\ntitle: Nộp thuế đất\nkeywords: thuế đất, nộp thuế, "
	    "etax\nask: nộp thuế đất trên etax thế nào\n"
	    "match: thuế\\s+đất\nnot: \\bxe\\b\nnot: ô tô\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n",
	    "abbreviations.txt", "dc = được\n",
	    "stopwords.txt", "ạ của như\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	t = kb_find(k.kb, "etax.land");
	buf_init(&b, BUF_CAP_REPLY);
	/* runs the topic holds as pairs are one phrase; stop words left out */
	assert_int_equal(kb_words(k.kb, "Giờ NỘP THUẾ đất của phường ạ, etax",
	    t, true, &b), 2);
	assert_string_equal(b.data, "\"nộp thuế đất\", \"etax\"");
	buf_reset(&b);
	/* "đất etax" is no pair of the topic's: two phrases */
	assert_int_equal(kb_words(k.kb, "thuế đất etax", t, true, &b), 2);
	assert_string_equal(b.data, "\"thuế đất\", \"etax\"");
	buf_reset(&b);
	/* the words it lacks, each once, in message order when equally rare */
	assert_int_equal(kb_words(k.kb, "giờ nộp thuế đất của phường ạ, giờ",
	    t, false, &b), 2);
	assert_string_equal(b.data, "\"giờ\", \"phường\"");
	buf_reset(&b);
	/* read as the matcher reads: abbreviations expanded (an abbreviation
	 * typed without diacritics expands without them) */
	assert_int_equal(kb_words(k.kb, "nộp thuế dc ko", t, false, &b), 2);
	assert_string_equal(b.data, "\"duoc\", \"ko\"");
	buf_reset(&b);
	assert_int_equal(kb_words(k.kb, "xin chào", t, true, &b), 0);
	assert_int_equal(b.len, 0);
	/* which pattern hit: with or without diacritics typed */
	assert_int_equal(kb_hit_line(k.kb, "thue dat bao nhieu", t, false), 5);
	assert_int_equal(kb_hit_line(k.kb, "nộp thuế đất", t, false), 5);
	assert_int_equal(kb_hit_line(k.kb, "nộp thuế", t, false), 0);
	/* a veto as the matcher applies it: with diacritics only exactly */
	assert_int_equal(kb_hit_line(k.kb, "thuế xe máy", t, true), 6);
	assert_int_equal(kb_hit_line(k.kb, "thuế ô tô", t, true), 7);
	assert_int_equal(kb_hit_line(k.kb, "thue o to", t, true), 0);
	tu_kb_close(&k);

	/* rarest first: "phí" is in no other topic, "lệ" and "phường" in one */
	tu_kb_open(&k, "topics.txt",
	    "== etax.land\ntitle: Nộp thuế đất\nkeywords: thuế đất\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n"
	    "== ward.hours\ntitle: Giờ làm việc của phường\nkeywords: lệ\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n"
	    "== ward.rules\ntitle: Lệ làng ở phường\nkeywords: làng\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", NULL);
	assert_int_equal(k.d.nerr, 0);
	t = kb_find(k.kb, "etax.land");
	buf_reset(&b);
	assert_int_equal(kb_words(k.kb, "lệ phí thuế đất phường", t, false, &b),
	    3);
	assert_string_equal(b.data, "\"phí\", \"lệ\", \"phường\"");
	buf_release(&b);
	tu_kb_close(&k);
}

static void
test_kb_sections_fixture_is_clean(void **state)
{
	struct tu_kb k;
	char dir[4200];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/kb-sections", TU_DATA_DIR);
	tu_kb_load_dir(&k, dir);
	assert_non_null(k.kb);
	if (k.d.nerr || k.d.nwarn)
		fail_msg("kb-sections is not clean:\n%s", k.d.text.data);
	assert_int_equal(kb_find(k.kb, "app.login")->nsections, 2);
	tu_kb_close(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_topic_fields),
		cmocka_unit_test(test_count_find_order),
		cmocka_unit_test(test_system_topics),
		cmocka_unit_test(test_line_without_colon),
		cmocka_unit_test(test_unknown_key),
		cmocka_unit_test(test_unknown_key_nearest),
		cmocka_unit_test(test_bad_block_reports_everything),
		cmocka_unit_test(test_block_messages_in_line_order),
		cmocka_unit_test(test_bad_date_one_error),
		cmocka_unit_test(test_key_below_answer),
		cmocka_unit_test(test_invalid_topic_id),
		cmocka_unit_test(test_valid_ids),
		cmocka_unit_test(test_duplicate_id_across_files),
		cmocka_unit_test(test_duplicate_id_same_file),
		cmocka_unit_test(test_invalid_regex),
		cmocka_unit_test(test_match_everything),
		cmocka_unit_test(test_unknown_see_and_menu),
		cmocka_unit_test(test_menu_too_long),
		cmocka_unit_test(test_missing_title),
		cmocka_unit_test(test_missing_answer),
		cmocka_unit_test(test_missing_source),
		cmocka_unit_test(test_source_short_and_public),
		cmocka_unit_test(test_missing_reviewed),
		cmocka_unit_test(test_nothing_to_match),
		cmocka_unit_test(test_given_twice_and_empty),
		cmocka_unit_test(test_bad_dates),
		cmocka_unit_test(test_leap_day_is_a_date),
		cmocka_unit_test(test_malformed_urls),
		cmocka_unit_test(test_http_link_warns),
		cmocka_unit_test(test_invalid_utf8_file),
		cmocka_unit_test(test_not_a_knowledge_file),
		cmocka_unit_test(test_binary_file),
		cmocka_unit_test(test_only_regular_files),
		cmocka_unit_test(test_missing_directory),
		cmocka_unit_test(test_errors_in_companion_files),
		cmocka_unit_test(test_stale_reviewed),
		cmocka_unit_test(test_today_override),
		cmocka_unit_test(test_pages_split),
		cmocka_unit_test(test_comments_in_answers),
		cmocka_unit_test(test_bom_and_crlf),
		cmocka_unit_test(test_bom_abbreviations_file),
		cmocka_unit_test(test_bom_stopwords_file),
		cmocka_unit_test(test_answer_line_of_equals),
		cmocka_unit_test(test_too_many_steps),
		cmocka_unit_test(test_too_many_steps_line),
		cmocka_unit_test(test_bad_topic_does_not_hide_others),
		cmocka_unit_test(test_kb_mini_is_clean),
		cmocka_unit_test(test_no_stopwords_file),
		cmocka_unit_test(test_empty_directory),
		cmocka_unit_test(test_topic_without_words),
		cmocka_unit_test(test_sections_parsed),
		cmocka_unit_test(test_page_steps),
		cmocka_unit_test(test_section_errors),
		cmocka_unit_test(test_section_needs_no_words),
		cmocka_unit_test(test_section_see_checked_once),
		cmocka_unit_test(test_words_shared_and_own),
		cmocka_unit_test(test_kb_sections_fixture_is_clean),
		cmocka_unit_test(test_answer_too_long),
		cmocka_unit_test(test_exact_form_errors_still_reported),
		cmocka_unit_test(test_backreference_still_compiles),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
