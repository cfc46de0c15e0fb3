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

#include "diag.h"
#include "kb.h"
#include "kb_int.h"     /* nstop: the stop-word count is not public */
#include "testutil.h"

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
	tu_kb_close(&k);
}

/* Same, when a follow-up error is expected too ("empty 'source:'" is also
 * "has no 'source:'"): the message must be there, at most `max` errors. */
static void
expect_error_max(const char *topics, int line, const char *msg, size_t max)
{
	struct tu_kb k;

	load1(&k, topics);
	assert_diag_line(&k.d, loc(&k, "topics.txt", line), msg);
	if (k.d.nerr < 1 || k.d.nerr > max)
		fail_msg("expected 1..%zu errors, got %zu:\n%s", max, k.d.nerr,
		    k.d.text.data);
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
	    "system.txt", SYSTEM,
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
	    "\n== sys.more\ntitle: Còn tiếp\nanswer:\nGõ \"tiếp\" ạ.\n", NULL);
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
	expect_error("== sys.end\nanswer:\nHết ạ.\n", 1, "has no 'title:'");
}

/* ---- syntax ---- */

static void
test_line_without_colon(void **state)
{
	(void)state;
	expect_error(GOOD("a.b") "\n== c.d\ntitle: T\nthis line has no colon\n"
	    "keywords: x\nsource: s\nreviewed: 2026-11-01\nanswer:\nx\n", 11,
	    "expected 'key: value'");
}

static void
test_unknown_key(void **state)
{
	(void)state;
	expect_error("== a.b\ntitle: T\ncolour: red\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 3, "unknown key 'colour:'");
	/* keys are lower case */
	expect_error("== a.b\nTitle: T\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 2, "unknown key 'Title:'");
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

		/* the rejected block's own lines are not reported again */
		snprintf(buf, sizeof(buf), GOOD("ok.one") "== %s\ntitle: T\n"
		    "colour: red\nanswer:\nx\n", bad[i]);
		expect_error(buf, 8, "invalid topic id");
	}
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
	snprintf(first, sizeof(first),
	    "duplicate topic id 'vneid.install' (first defined at %s/a.txt:2)",
	    k.dir);
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
	expect_error(GOOD("a.b") GOOD("a.b"), 8,
	    "duplicate topic id 'a.b' (first defined at ");
}

static void
test_invalid_regex(void **state)
{
	struct tu_kb k;

	(void)state;
	load1(&k, "== a.b\ntitle: T\nkeywords: x\nmatch: (cài|tải\nnot: [abc\n"
	    "match: thuế\\s+(nhà\nsource: s\nreviewed: 2026-11-01\nanswer:\nx\n");
	assert_diag_line(&k.d, loc(&k, "topics.txt", 4),
	    "invalid match pattern: missing closing parenthesis at offset ");
	assert_diag_line(&k.d, loc(&k, "topics.txt", 5),
	    "invalid not pattern: missing terminating ] for character class at "
	    "offset ");
	assert_diag_line(&k.d, loc(&k, "topics.txt", 6),
	    "missing closing parenthesis at offset ");
	/* one message per pattern, though it is compiled twice */
	assert_int_equal(k.d.nerr, 3);
	tu_kb_close(&k);
	/* an ASCII pattern: the offset is PCRE2's */
	expect_error("== a.b\ntitle: T\nkeywords: x\nmatch: abc)\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "invalid match pattern: unmatched closing parenthesis at offset 3");
	expect_error("== a.b\ntitle: T\nkeywords: x\nmatch:\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 4, "empty match pattern");
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
	    "'see:' names unknown topic 'nope.see'");
	assert_diag_line(&k.d, loc(&k, "b.txt", 5),
	    "'menu:' names unknown topic 'nope.menu'");
	/* a.one is in another file: fine */
	assert_int_equal(k.d.nerr, 2);
	tu_kb_close(&k);
}

static void
test_menu_too_long(void **state)
{
	(void)state;
	expect_error(GOOD("a") GOOD("b") GOOD("c") "== m\ntitle: M\nkeywords: m\n"
	    "menu: a, b, c, a, b, c, a, b, c, a\nsource: s\nreviewed: 2026-11-01\n"
	    "answer:\nx\n", 25, "at most 9");
}

/* ---- required keys ---- */

static void
test_missing_title(void **state)
{
	(void)state;
	expect_error(GOOD("a.a") "\n== a.b\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 9, "topic 'a.b' has no 'title:'");
}

static void
test_missing_answer(void **state)
{
	(void)state;
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\n" GOOD("c.d"), 1, "topic 'a.b' has no 'answer:'");
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\n\n# only a comment\n---\n\n", 6,
	    "topic 'a.b': the answer is empty");
}

static void
test_missing_source(void **state)
{
	(void)state;
	expect_error("\n\n== a.b\ntitle: T\nkeywords: x\nreviewed: 2026-11-01\n"
	    "answer:\nx\n", 3, "topic 'a.b' has no 'source:'");
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
	    "topic 'a.b' has no 'reviewed:' date");
}

static void
test_nothing_to_match(void **state)
{
	(void)state;
	expect_error("== a.b\ntitle: T\nsource: s\nreviewed: 2026-11-01\n"
	    "answer:\nx\n", 1, "has nothing to match on");
}

static void
test_given_twice_and_empty(void **state)
{
	(void)state;
	expect_error("== a.b\ntitle: T\ntitle: U\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 3, "'title:' given twice");
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\nreviewed: 2026-11-02\nanswer:\nx\n", 6,
	    "'reviewed:' given twice");
	expect_error("== a.b\ntitle: T\nkeywords: x\nask:   \nsource: s\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 4, "empty 'ask:'");
	expect_error_max("== a.b\ntitle: T\nkeywords: x\nsource:\n"
	    "reviewed: 2026-11-01\nanswer:\nx\n", 4, "empty 'source:'", 2);
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
		snprintf(msg, sizeof(msg), "invalid date '%s'", bad[i]);
		/* plus, at most, "has no 'reviewed:' date" */
		expect_error_max(buf, 5, msg, 2);
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
	static const char *const bad[] = { "vneid.gov.vn", "https://",
		"https://localhost/x", "https://vneid .gov.vn", "ftp://vneid.gov.vn",
		"https://.gov.vn", "https://vneid.gov.vn./x", "https://vneid.gov.vn/a b",
		"https://vneid.gov.vn/\"x\"", "javascript:alert(1)" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char buf[512], msg[128];

		snprintf(buf, sizeof(buf), "== a.b\ntitle: T\nkeywords: x\n"
		    "link: Trang | %s\nsource: s\nreviewed: 2026-11-01\nanswer:\nx\n",
		    bad[i]);
		snprintf(msg, sizeof(msg), "malformed URL '%s'", bad[i]);
		expect_error(buf, 4, msg);
	}
	expect_error("== a.b\ntitle: T\nkeywords: x\nlink: https://vneid.gov.vn\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", 4,
	    "expected 'link: label | https://");
	expect_error("== a.b\ntitle: T\nkeywords: x\nlink:  | https://vneid.gov.vn\n"
	    "source: s\nreviewed: 2026-11-01\nanswer:\nx\n", 4, "link has no label");
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
	assert_diag_line(&k.d, loc(&k, "topics.txt", 4), "warning: ");
	assert_diag_has(&k.d, "is not https");
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
	assert_diag_line(&k.d, loc(&k, "b.txt", 4), "invalid UTF-8");
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
	assert_diag_line(&k.d, loc(&k, "list.txt", 3), "not a knowledge file");
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
	    "not a knowledge file: it contains binary data");
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
	snprintf(want, sizeof(want), "%s/pipe.txt: không đọc: đây là ống FIFO, "
	    "không phải tệp văn bản", dir);
	ok = ok && strstr(k.d.text.data, want);
	snprintf(want, sizeof(want), "%s/schedule.txt: không đọc: đây là ống "
	    "FIFO", dir);
	ok = ok && strstr(k.d.text.data, want);
	snprintf(want, sizeof(want), "%s/folder.txt: không đọc: đây là thư mục",
	    dir);
	ok = ok && strstr(k.d.text.data, want);
	snprintf(want, sizeof(want), "%s/huge.txt: không đọc: tệp quá lớn", dir);
	ok = ok && strstr(k.d.text.data, want);
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
	assert_diag_has(&d, "/nonexistent/hoidap-kb: cannot open knowledge "
	    "directory");
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
	assert_diag_line(&k.d, loc(&k, "abbreviations.txt", 3), "expected");
	assert_diag_line(&k.d, loc(&k, "stopwords.txt", 2), "is not one word");
	assert_int_equal(k.d.nerr, 2);
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
	    "warning: 'a.b' was last reviewed 181 days ago (2026-01-01)");
	tu_kb_close(&k);

	tu_set_today("2025-12-31");     /* reviewed tomorrow */
	load1(&k, topic);
	assert_int_equal(k.d.nerr, 0);
	assert_diag_line(&k.d, loc(&k, "topics.txt", 5),
	    "warning: 'reviewed: 2026-01-01' is in the future");
	tu_kb_close(&k);
	tu_set_today(TU_TODAY);
}

static void
test_today_override(void **state)
{
	char today[11];

	(void)state;
	tu_set_today("2030-02-03");
	kb_today(today);
	assert_string_equal(today, "2030-02-03");
	/* a malformed override is ignored */
	tu_set_today("tomorrow");
	kb_today(today);
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
	assert_diag_has(&k.d, "warning: 'a.b': a page has 9 steps");
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
	    "tên phần '' không hợp lệ");
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
	    "phần 'a.b#p': câu trả lời trống");
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
	/* a section of a rejected topic is skipped, not reported again */
	expect_error("== Bad.Id\ntitle: T\nanswer:\nx\n=== p\ntitle: T\n"
	    "colour: red\nanswer:\nx\n" GOOD("c.d"), 1, "invalid topic id");
	/* a topic with no answer before its first section */
	expect_error("== a.b\ntitle: T\nkeywords: x\nsource: s\n"
	    "reviewed: 2026-11-01\n=== p\ntitle: T\nanswer:\nx\n", 1,
	    "topic 'a.b' has no 'answer:'");
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
	assert_diag_line(&k.d, loc(&k, "topics.txt", 4), "unknown topic 'no.such'");
	assert_int_equal(k.d.nerr, 1);
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
		cmocka_unit_test(test_invalid_topic_id),
		cmocka_unit_test(test_valid_ids),
		cmocka_unit_test(test_duplicate_id_across_files),
		cmocka_unit_test(test_duplicate_id_same_file),
		cmocka_unit_test(test_invalid_regex),
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
		cmocka_unit_test(test_kb_sections_fixture_is_clean),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
