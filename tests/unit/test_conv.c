/* conv.c: the conversation engine, on kb-mini and a crafted kb. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "conv.h"
#include "kb.h"
#include "log.h"
#include "store.h"
#include "testutil.h"

/* A conversation: one state, one reply buffer. */
struct chat {
	struct kb *kb;
	struct conv_state s;
	struct conv_reply r;
};

static void
chat_init(struct chat *c, struct kb *kb)
{
	c->kb = kb;
	conv_state_init(&c->s);
	conv_reply_init(&c->r);
}

static void
chat_free(struct chat *c)
{
	conv_reply_release(&c->r);
}

static const struct conv_reply *
say(struct chat *c, const char *msg)
{
	conv_handle(c->kb, &c->s, msg, &c->r);
	assert_true(tu_utf8_valid(c->r.text.data));
	assert_true(c->r.nopt >= 0 && c->r.nopt <= CONV_MAX_OPT);
	return &c->r;
}

static void
assert_text_has(const struct conv_reply *r, const char *needle)
{
	if (!strstr(r->text.data, needle))
		fail_msg("reply lacks \"%s\":\n%s", needle, r->text.data);
}

static void
assert_text_lacks(const struct conv_reply *r, const char *needle)
{
	if (strstr(r->text.data, needle))
		fail_msg("reply should not have \"%s\":\n%s", needle, r->text.data);
}

static const char *
sys_text(const char *id)
{
	const char *t = kb_system_text(tu_mini()->kb, id, NULL);

	assert_non_null(t);
	return t;
}

static void
assert_main_menu(const struct conv_reply *r, const struct conv_state *s)
{
	assert_int_equal(r->kind, CONV_MENU);
	assert_non_null(r->topic);
	assert_string_equal(r->topic->id, "greeting");
	assert_text_has(r, "Bác chọn một số");
	assert_int_equal(r->nopt, 3);
	assert_string_equal(r->opt[0].topic, "vneid.install");
	assert_string_equal(r->opt[0].title, "Cài ứng dụng VNeID");
	assert_string_equal(r->opt[1].topic, "etax.pay_land_tax");
	assert_string_equal(r->opt[2].topic, "handoff.human");
	assert_int_equal(s->nmenu, 3);
	assert_string_equal(s->menu[1], "etax.pay_land_tax");
}

/* ---- the main menu ---- */

static void
test_greeting_shows_menu(void **state)
{
	struct chat c;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	assert_main_menu(say(&c, "xin chào"), &c.s);
	assert_true(c.r.matched);
	assert_main_menu(say(&c, "Chào bác ạ!"), &c.s);
	chat_free(&c);
}

static void
test_zero_and_menu_show_menu(void **state)
{
	static const char *const cmds[] = { "0", "menu", "MENU", " Menu! ",
		"quay lại", "start" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		struct chat c;

		chat_init(&c, tu_mini()->kb);
		/* from the middle of another conversation */
		say(&c, "giá vàng hôm nay");
		assert_main_menu(say(&c, cmds[i]), &c.s);
		/* a menu command, not a question for the matcher */
		assert_false(c.r.matched);
		assert_int_equal(c.s.fallbacks, 0);
		chat_free(&c);
	}
}

static void
test_digit_selects_option(void **state)
{
	struct chat c;
	const struct conv_reply *r;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	say(&c, "0");
	r = say(&c, "2");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_non_null(r->topic);
	assert_string_equal(r->topic->id, "etax.pay_land_tax");
	assert_text_has(r, "Mở eTax Mobile");
	assert_false(r->matched);
	assert_string_equal(c.s.topic, "etax.pay_land_tax");
	/* an answer without see: no options left to pick */
	assert_int_equal(c.s.nmenu, 0);
	/* full-width digit and spaces are still a digit */
	say(&c, "0");
	r = say(&c, " \xef\xbc\x91 ");
	assert_non_null(r->topic);
	assert_string_equal(r->topic->id, "vneid.install");
	chat_free(&c);
}

static void
test_digit_out_of_range(void **state)
{
	struct chat c;
	const struct conv_reply *r;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	say(&c, "menu");
	r = say(&c, "7");
	assert_int_equal(r->kind, CONV_NOTICE);
	assert_null(r->topic);
	assert_text_has(r, "từ 1 đến 3");
	/* the menu is still there */
	assert_int_equal(c.s.nmenu, 3);
	r = say(&c, "3");
	assert_non_null(r->topic);
	assert_string_equal(r->topic->id, "handoff.human");
	assert_true(r->handoff);
	chat_free(&c);

	/* a digit with no menu at all */
	chat_init(&c, tu_mini()->kb);
	r = say(&c, "5");
	assert_int_equal(r->kind, CONV_NOTICE);
	assert_text_has(r, "gõ 0");
	assert_null(r->topic);
	chat_free(&c);
}

/* ---- pages ---- */

static void
test_long_guide_pages(void **state)
{
	struct chat c;
	const struct conv_reply *r;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	r = say(&c, "cai vneid ntn");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_string_equal(r->topic->id, "vneid.install");
	assert_true(r->more);
	assert_text_has(r, "1. Mở CH Play.");
	assert_text_lacks(r, "3. Bấm Cài đặt.");
	assert_text_has(r, sys_text("sys.more"));
	/* "see" and links come with the last page only */
	assert_int_equal(r->nopt, 0);
	assert_text_lacks(r, "https://vneid.gov.vn");
	assert_string_equal(c.s.topic, "vneid.install");
	assert_int_equal(c.s.page, 0);

	r = say(&c, "tiếp");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_false(r->more);
	assert_false(r->matched);
	assert_text_has(r, "3. Bấm Cài đặt.");
	assert_text_lacks(r, "1. Mở CH Play.");
	assert_text_lacks(r, sys_text("sys.more"));
	assert_text_has(r, "https://vneid.gov.vn");
	assert_text_has(r, "Nguồn: https://vneid.gov.vn");
	assert_text_has(r, "01/11/2026");
	assert_int_equal(c.s.page, 1);
	assert_int_equal(r->nopt, 1);
	assert_string_equal(r->opt[0].topic, "etax.pay_land_tax");

	r = say(&c, "tiếp");
	assert_int_equal(r->kind, CONV_NOTICE);
	assert_string_equal(r->text.data, sys_text("sys.end"));
	chat_free(&c);
}

static void
test_tiep_spellings(void **state)
{
	static const char *const words[] = { "tiep", "Tiếp!", "TIẾP", "xem tiếp",
		"tiếp theo", "tie\xcc\x82\xcc\x81p" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		struct chat c;
		const struct conv_reply *r;

		chat_init(&c, tu_mini()->kb);
		say(&c, "cài vneid thế nào");
		r = say(&c, words[i]);
		if (r->kind != CONV_ANSWER || !strstr(r->text.data, "Bấm Cài đặt"))
			fail_msg("\"%s\" did not show page 2:\n%s", words[i],
			    r->text.data);
		chat_free(&c);
	}
}

static void
test_tiep_without_guide(void **state)
{
	struct chat c;
	const struct conv_reply *r;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	r = say(&c, "tiếp");
	assert_int_equal(r->kind, CONV_NOTICE);
	assert_string_equal(r->text.data, sys_text("sys.end"));
	/* after a one-page answer too */
	say(&c, "thuế nhà đất");
	r = say(&c, "tiep");
	assert_int_equal(r->kind, CONV_NOTICE);
	chat_free(&c);
}

static void
test_see_option_opens_topic(void **state)
{
	struct chat c;
	const struct conv_reply *r;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	say(&c, "cài vneid");
	say(&c, "tiếp");
	r = say(&c, "1");
	assert_non_null(r->topic);
	assert_string_equal(r->topic->id, "etax.pay_land_tax");
	chat_free(&c);
}

/* ---- fallback and clarify ---- */

static void
test_fallback_counts_and_offers_handoff(void **state)
{
	struct chat c;
	const struct conv_reply *r;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	r = say(&c, "giá vàng hôm nay");
	assert_int_equal(r->kind, CONV_FALLBACK);
	assert_true(r->matched);
	assert_int_equal(r->match.action, MATCH_FALLBACK);
	assert_int_equal(c.s.fallbacks, 1);
	assert_string_equal(r->text.data, sys_text("sys.fallback"));
	assert_int_equal(r->nopt, 1);
	assert_string_equal(r->opt[0].topic, "handoff.human");
	assert_string_equal(r->opt[0].title, "Gặp người hỗ trợ");
	assert_false(r->handoff);

	r = say(&c, "dự báo thời tiết");
	assert_int_equal(r->kind, CONV_FALLBACK);
	assert_int_equal(c.s.fallbacks, 2);

	/* the offered person is one digit away */
	r = say(&c, "1");
	assert_non_null(r->topic);
	assert_string_equal(r->topic->id, "handoff.human");
	assert_true(r->handoff);
	assert_int_equal(c.s.fallbacks, 0);

	/* an answer also resets the count */
	say(&c, "giá vàng");
	assert_int_equal(c.s.fallbacks, 1);
	r = say(&c, "thuế nhà đất");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_int_equal(c.s.fallbacks, 0);
	chat_free(&c);
}

#define TWIN(id, answer) \
	"== " id "\n" \
	"title: Đổi thẻ xanh " id "\n" \
	"keywords: đổi thẻ xanh, thẻ xanh\n" \
	"ask: đổi thẻ xanh ở đâu\n" \
	"source: s\nreviewed: 2026-11-01\nanswer:\n" answer "\n\n"

#define HANDOFF_TOPIC \
	"== handoff.human\ntitle: Gặp người hỗ trợ\nkeywords: gặp người\n" \
	"source: s\nreviewed: 2026-11-01\nanswer:\nDạ, cháu chuyển bác ạ.\n"

#define CLARIFY_SYS \
	"== sys.clarify\ntitle: Hỏi lại\nanswer:\nBác muốn hỏi việc nào ạ?\n"

static void
test_clarify_lists_candidates(void **state)
{
	struct tu_kb k;
	struct chat c;
	const struct conv_reply *r;
	struct buf out;

	(void)state;
	tu_kb_open(&k, "topics.txt", TWIN("card.a", "Trả lời A")
	    TWIN("card.b", "Trả lời B") HANDOFF_TOPIC,
	    "system.txt", CLARIFY_SYS TU_SYS_REQUIRED, NULL);
	if (k.d.nerr)
		fail_msg("crafted kb:\n%s", k.d.text.data);
	chat_init(&c, k.kb);
	r = say(&c, "đổi thẻ xanh ở đâu");
	assert_int_equal(r->kind, CONV_CLARIFY);
	assert_int_equal(r->match.action, MATCH_CLARIFY);
	assert_string_equal(r->text.data, "Bác muốn hỏi việc nào ạ?");
	assert_int_equal(r->nopt, 3);
	assert_string_equal(r->opt[0].topic, "card.a");
	assert_string_equal(r->opt[1].topic, "card.b");
	assert_string_equal(r->opt[2].topic, "handoff.human");
	assert_int_equal(c.s.nmenu, 3);
	assert_int_equal(c.s.fallbacks, 0);

	buf_init(&out, BUF_CAP_REPLY);
	conv_render_text(r, &out);
	assert_string_equal(out.data, "Bác muốn hỏi việc nào ạ?\n"
	    "\n1. Đổi thẻ xanh card.a"
	    "\n2. Đổi thẻ xanh card.b"
	    "\n3. Gặp người hỗ trợ"
	    "\n0. Về menu chính");
	buf_release(&out);

	/* the digit picks the candidate */
	r = say(&c, "2");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_string_equal(r->topic->id, "card.b");
	assert_text_has(r, "Trả lời B");
	chat_free(&c);
	tu_kb_close(&k);
}

/* ---- rendering ---- */

static void
test_render_menu(void **state)
{
	struct chat c;
	struct buf out;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	say(&c, "0");
	buf_init(&out, BUF_CAP_REPLY);
	conv_render_text(&c.r, &out);
	/* the menu itself does not offer "0. back to the menu" */
	assert_string_equal(out.data, "Dạ, cháu chào bác ạ. Bác chọn một số:\n"
	    "\n1. Cài ứng dụng VNeID"
	    "\n2. Nộp thuế đất"
	    "\n3. Gặp người hỗ trợ");
	buf_release(&out);
	chat_free(&c);
}

static void
test_render_answer_with_see(void **state)
{
	struct chat c;
	struct buf out;
	const char *p;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	say(&c, "cài vneid");
	say(&c, "tiếp");
	buf_init(&out, BUF_CAP_REPLY);
	conv_render_text(&c.r, &out);
	assert_true(strncmp(out.data, "3. Bấm Cài đặt.", strlen("3. Bấm Cài đặt."))
	    == 0);
	p = strstr(out.data, "\n\nXem thêm:\n1. Nộp thuế đất\n0. Về menu chính");
	assert_non_null(p);
	/* and that is the end */
	assert_string_equal(p, "\n\nXem thêm:\n1. Nộp thuế đất\n0. Về menu chính");
	buf_release(&out);
	chat_free(&c);
}

static void
test_render_plain_answer_and_fallback(void **state)
{
	struct chat c;
	struct buf out;
	size_t n;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	say(&c, "tôi muốn thuê nhà");
	buf_init(&out, BUF_CAP_REPLY);
	conv_render_text(&c.r, &out);
	assert_string_equal(out.data, "1. Hỏi chủ nhà.\n\nNguồn: test · cập nhật "
	    "01/11/2026\n\n0. Về menu chính");
	buf_reset(&out);
	say(&c, "giá vàng hôm nay");
	conv_render_text(&c.r, &out);
	n = strlen(sys_text("sys.fallback"));
	assert_memory_equal(out.data, sys_text("sys.fallback"), n);
	assert_string_equal(out.data + n, "\n\n1. Gặp người hỗ trợ\n0. Về menu chính");
	buf_release(&out);
	chat_free(&c);
}

/*
 * A reply past BUF_CAP_REPLY (issue 12). A page that fits the kb's cap by
 * a few bytes overflows with its links and source after it: the resident
 * must get neither the page without its end nor the end alone ("Nguồn: …"
 * was all that survived the old buffer), but a short notice and a person.
 */
static char *
long_answer(size_t bytes)
{
	static const char line[] = "Bác bấm vào ô này rồi đọc kỹ hướng dẫn.\n";
	size_t n = 0, l = strlen(line);
	char *a = malloc(bytes + l + 1);

	assert_non_null(a);
	while (n + l <= bytes) {
		memcpy(a + n, line, l);
		n += l;
	}
	a[n] = '\0';
	return a;
}

static void
test_overflowing_page_refused(void **state)
{
	struct tu_kb k;
	struct chat c;
	struct buf out;
	char *answer = long_answer(BUF_CAP_REPLY - 120), *topics;
	size_t n = strlen(answer) + 1024;

	(void)state;
	topics = malloc(n);
	assert_non_null(topics);
	snprintf(topics, n, "== long.page\ntitle: Dài\nkeywords: hướng dẫn "
	    "dài\nsource: Trang rất dài của phường\nreviewed: 2026-11-01\n"
	    "link: Trang một | https://vneid.gov.vn/mot\n"
	    "link: Trang hai | https://vneid.gov.vn/hai\n"
	    "link: Trang ba | https://vneid.gov.vn/ba\n"
	    "answer:\n%s\n" HANDOFF_TOPIC, answer);
	tu_kb_open(&k, "topics.txt", topics, NULL);
	if (k.d.nerr)
		fail_msg("crafted kb:\n%s", k.d.text.data);
	chat_init(&c, k.kb);
	log_set_level(LOG_ERROR + 1);
	assert_int_equal(conv_open(k.kb, &c.s, "long.page", &c.r), 0);
	log_set_level(LOG_INFO);
	assert_false(buf_failed(&c.r.text));
	assert_int_equal(c.r.kind, CONV_NOTICE);
	assert_null(c.r.topic);
	assert_false(c.r.more);
	assert_text_lacks(&c.r, "Nguồn:");
	assert_text_lacks(&c.r, "đọc kỹ hướng dẫn");
	assert_text_has(&c.r, "dài quá");
	assert_true(c.r.text.len < 1024);
	/* the way to a person stays one digit away */
	assert_int_equal(c.r.nopt, 1);
	assert_string_equal(c.r.opt[0].topic, "handoff.human");
	assert_int_equal(c.s.nmenu, 1);
	assert_string_equal(c.s.topic, "");
	buf_init(&out, BUF_CAP_REPLY);
	assert_int_equal(conv_render_text(&c.r, &out), 0);
	assert_non_null(strstr(out.data, "1. Gặp người hỗ trợ"));
	buf_release(&out);
	/* and the conversation goes on as usual */
	say(&c, "1");
	assert_string_equal(c.r.topic->id, "handoff.human");
	chat_free(&c);
	tu_kb_close(&k);
	free(topics);
	free(answer);
}

static void
test_overflowing_notice_refused(void **state)
{
	struct chat c;
	char *big = long_answer(BUF_CAP_REPLY + 100);

	(void)state;
	chat_init(&c, tu_mini()->kb);
	log_set_level(LOG_ERROR + 1);
	conv_notice(c.kb, &c.s, big, &c.r);
	log_set_level(LOG_INFO);
	assert_false(buf_failed(&c.r.text));
	assert_int_equal(c.r.kind, CONV_NOTICE);
	assert_text_lacks(&c.r, "đọc kỹ");
	assert_text_has(&c.r, "dài quá");
	assert_int_equal(c.r.nopt, 1);
	chat_free(&c);
	free(big);
}

/* The text rendering of a reply near the cap fails whole, not in part. */
static void
test_render_overflow_fails(void **state)
{
	struct chat c;
	struct buf out;
	char *big = long_answer(BUF_CAP_REPLY - 10);

	(void)state;
	chat_init(&c, tu_mini()->kb);
	say(&c, "giá vàng hôm nay");
	assert_true(c.r.nopt > 0);
	buf_reset(&c.r.text);
	assert_int_equal(buf_adds(&c.r.text, big), 0);
	buf_init(&out, BUF_CAP_REPLY);
	assert_int_equal(conv_render_text(&c.r, &out), -1);
	assert_true(buf_failed(&out));
	/* the options after the failure were not added on their own */
	assert_null(strstr(out.data, "Gặp người"));
	assert_null(strstr(out.data, "menu"));
	buf_release(&out);
	chat_free(&c);
	free(big);
}

static void
test_conv_open(void **state)
{
	struct chat c;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	assert_int_equal(conv_open(tu_mini()->kb, &c.s, "rent.house", &c.r), 0);
	assert_int_equal(c.r.kind, CONV_ANSWER);
	assert_string_equal(c.r.topic->id, "rent.house");
	assert_int_equal(conv_open(tu_mini()->kb, &c.s, "no.such", &c.r), -1);
	/* system texts are not guides */
	assert_int_equal(conv_open(tu_mini()->kb, &c.s, "sys.fallback", &c.r), -1);
	chat_free(&c);
}

static void
test_notice_offers_handoff(void **state)
{
	struct chat c;
	const struct conv_reply *r;

	(void)state;
	chat_init(&c, tu_mini()->kb);
	say(&c, "cài vneid");
	conv_notice(tu_mini()->kb, &c.s, "Dạ, cháu chưa xem được ảnh ạ.", &c.r);
	assert_int_equal(c.r.kind, CONV_NOTICE);
	assert_string_equal(c.r.text.data, "Dạ, cháu chưa xem được ảnh ạ.");
	assert_int_equal(c.r.nopt, 1);
	assert_string_equal(c.r.opt[0].topic, "handoff.human");
	/* the guide being read is dropped: "tiếp" has nothing to continue */
	assert_string_equal(c.s.topic, "");
	r = say(&c, "tiếp");
	assert_int_equal(r->kind, CONV_NOTICE);
	conv_notice(tu_mini()->kb, &c.s, "x", &c.r);
	r = say(&c, "1");
	assert_non_null(r->topic);
	assert_string_equal(r->topic->id, "handoff.human");
	assert_true(r->handoff);
	chat_free(&c);
}

static void
test_reply_reuse(void **state)
{
	struct chat c;
	int i;

	(void)state;
	/* one reply buffer across many turns: no stale text or options */
	chat_init(&c, tu_mini()->kb);
	for (i = 0; i < 50; i++) {
		say(&c, "xin chào");
		assert_int_equal(c.r.nopt, 3);
		say(&c, "thuế nhà đất");
		assert_int_equal(c.r.nopt, 0);
		assert_text_lacks(&c.r, "Bác chọn một số");
		assert_false(c.r.more);
	}
	chat_free(&c);
}

/* ---- sections: the asked part first, the rest one digit away ---- */

static struct tu_kb *
sections_kb(void)
{
	static struct tu_kb k;
	char dir[4200];

	if (!k.kb) {
		snprintf(dir, sizeof(dir), "%s/kb-sections", TU_DATA_DIR);
		tu_kb_load_dir(&k, dir);
		if (!k.kb || k.d.nerr)
			fail_msg("cannot load %s:\n%s", dir, k.d.text.data);
	}
	return &k;
}

static void
assert_opts(const struct conv_reply *r, const char *const *ids, int n)
{
	int i;

	if (r->nopt != n)
		fail_msg("%d options, want %d (first: %s)", r->nopt, n,
		    r->nopt ? r->opt[0].topic : "-");
	for (i = 0; i < n; i++)
		assert_string_equal(r->opt[i].topic, ids[i]);
}

static void
test_section_first_then_the_rest(void **state)
{
	static const char *const end_opts[] = { "app.login", "app.login#fee",
		"land.tax" };
	static const char *const topic_opts[] = { "app.login#password",
		"app.login#fee" };
	struct kb *kb = sections_kb()->kb;
	struct chat c;
	const struct conv_reply *r;

	(void)state;
	chat_init(&c, kb);
	r = say(&c, "quên mật khẩu abc");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_string_equal(r->topic->id, "app.login#password");
	assert_text_has(r, "bấm \"Quên mật khẩu\"");
	assert_text_lacks(r, "Mở CH Play");
	assert_true(r->more);
	assert_int_equal(r->nopt, 0);
	assert_string_equal(c.s.topic, "app.login#password");

	/* its last page: the topic's main guide, the other section, see: */
	r = say(&c, "tiếp");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_text_has(r, "Mã OTP chỉ dùng một lần");
	assert_text_has(r, "Nguồn: abc.gov.vn · cập nhật 01/11/2026");
	assert_text_lacks(r, "https://abc.gov.vn");    /* the topic's link */
	assert_opts(r, end_opts, 3);
	assert_string_equal(r->opt[0].title, "Cài và đăng nhập ứng dụng ABC");
	assert_string_equal(r->opt[1].title, "Phí dùng ABC");

	/* 1: the topic itself, its sections offered at once */
	r = say(&c, "1");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_string_equal(r->topic->id, "app.login");
	assert_text_has(r, "Mở CH Play");
	assert_true(r->more);
	assert_opts(r, topic_opts, 2);
	r = say(&c, "tiếp");
	assert_text_has(r, "Nhập số căn cước");
	assert_text_has(r, "👉 Trang ABC: https://abc.gov.vn");
	{
		static const char *const last[] = { "app.login#password",
			"app.login#fee", "land.tax" };

		assert_opts(r, last, 3);
	}
	/* 2: a section from the topic's options */
	r = say(&c, "2");
	assert_string_equal(r->topic->id, "app.login#fee");
	assert_text_has(r, "không thu phí");
	chat_free(&c);
}

static void
test_open_topic_lists_sections(void **state)
{
	static const char *const topic_opts[] = { "app.login#password",
		"app.login#fee" };
	struct kb *kb = sections_kb()->kb;
	struct chat c;
	const struct conv_reply *r;

	(void)state;
	chat_init(&c, kb);
	/* a deep link or a menu digit opens the topic's own answer */
	assert_int_equal(conv_open(kb, &c.s, "app.login", &c.r), 0);
	assert_string_equal(c.r.topic->id, "app.login");
	assert_opts(&c.r, topic_opts, 2);
	/* the main menu lists topics; its digit opens the topic, not a part */
	r = say(&c, "0");
	assert_int_equal(r->kind, CONV_MENU);
	r = say(&c, "1");
	assert_string_equal(r->topic->id, "app.login");
	assert_opts(r, topic_opts, 2);
	/* a general question gets the topic too */
	r = say(&c, "abc");
	assert_string_equal(r->topic->id, "app.login");
	/* a section opens by its id (Telegram buttons carry it) */
	assert_int_equal(conv_open(kb, &c.s, "app.login#fee", &c.r), 0);
	assert_string_equal(c.r.topic->id, "app.login#fee");
	assert_int_equal(conv_open(kb, &c.s, "app.login#nope", &c.r), -1);
	chat_free(&c);
}

/* "Làm xong các bước trên" only after a page that has steps. */
static void
test_more_hint_fits_the_page(void **state)
{
	struct kb *kb = sections_kb()->kb;
	const char *steps = kb_system_text(kb, "sys.more", NULL);
	const char *read = kb_system_text(kb, "sys.more_read", NULL);
	struct chat c;
	const struct conv_reply *r;

	(void)state;
	assert_non_null(steps);
	assert_non_null(read);
	chat_init(&c, kb);
	r = say(&c, "abc mất phí bao nhiêu");
	assert_string_equal(r->topic->id, "app.login#fee");
	assert_true(r->more);
	assert_text_has(r, read);
	assert_text_lacks(r, "làm xong");
	r = say(&c, "quên mật khẩu abc");
	assert_true(r->more);
	assert_text_has(r, steps);
	assert_text_lacks(r, read);
	chat_free(&c);

	/* without sys.more_read in system.txt, a built-in sentence that fits */
	chat_init(&c, tu_mini()->kb);
	assert_null(kb_system_text(tu_mini()->kb, "sys.more_read", NULL));
	{
		struct tu_kb k;

		tu_kb_open(&k, "t.txt", "== a.b\ntitle: T\nkeywords: đọc kỹ\n"
		    "source: s\nreviewed: 2026-11-01\nanswer:\nĐọc kỹ ạ.\n---\n"
		    "1. Làm.\n", NULL);
		assert_int_equal(k.d.nerr, 0);
		c.kb = k.kb;
		r = say(&c, "đọc kỹ");
		assert_true(r->more);
		assert_text_has(r, "gõ \"tiếp\"");
		assert_text_lacks(r, "làm xong");
		tu_kb_close(&k);
	}
	chat_free(&c);
}

/* The store keeps a section id as it keeps a topic id: "tiếp" goes on. */
static void
test_section_state_in_store(void **state)
{
	struct kb *kb = sections_kb()->kb;
	struct chat c;
	struct store_chat sc;
	struct store *st;
	char dir[256], db[320];
	const struct conv_reply *r;

	(void)state;
	log_set_level(LOG_ERROR);
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(db, sizeof(db), "%s/t.db", dir);
	st = store_open(db);
	assert_non_null(st);
	chat_init(&c, kb);
	say(&c, "quên mật khẩu abc");
	memset(&sc, 0, sizeof(sc));
	sc.conv = c.s;
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_chat_put(st, "telegram", "7", &sc), 0);
	assert_int_equal(store_commit(st), 0);
	memset(&sc, 0, sizeof(sc));
	assert_int_equal(store_chat_get(st, "telegram", "7", &sc), 0);
	assert_string_equal(sc.conv.topic, "app.login#password");
	c.s = sc.conv;
	r = say(&c, "tiếp");
	assert_text_has(r, "Mã OTP chỉ dùng một lần");
	/* and the options it remembers, section ids among them */
	memset(&sc, 0, sizeof(sc));
	sc.conv = c.s;
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_chat_put(st, "telegram", "7", &sc), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_chat_get(st, "telegram", "7", &sc), 0);
	assert_int_equal(sc.conv.nmenu, 3);
	assert_string_equal(sc.conv.menu[1], "app.login#fee");
	c.s = sc.conv;
	r = say(&c, "2");
	assert_string_equal(r->topic->id, "app.login#fee");
	store_close(st);
	chat_free(&c);
}

static int
teardown_sections(void **state)
{
	(void)state;
	if (sections_kb()->kb)
		tu_kb_close(sections_kb());
	return tu_teardown_mini(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_greeting_shows_menu),
		cmocka_unit_test(test_zero_and_menu_show_menu),
		cmocka_unit_test(test_digit_selects_option),
		cmocka_unit_test(test_digit_out_of_range),
		cmocka_unit_test(test_long_guide_pages),
		cmocka_unit_test(test_tiep_spellings),
		cmocka_unit_test(test_tiep_without_guide),
		cmocka_unit_test(test_see_option_opens_topic),
		cmocka_unit_test(test_fallback_counts_and_offers_handoff),
		cmocka_unit_test(test_clarify_lists_candidates),
		cmocka_unit_test(test_render_menu),
		cmocka_unit_test(test_render_answer_with_see),
		cmocka_unit_test(test_render_plain_answer_and_fallback),
		cmocka_unit_test(test_conv_open),
		cmocka_unit_test(test_notice_offers_handoff),
		cmocka_unit_test(test_reply_reuse),
		cmocka_unit_test(test_section_first_then_the_rest),
		cmocka_unit_test(test_open_topic_lists_sections),
		cmocka_unit_test(test_more_hint_fits_the_page),
		cmocka_unit_test(test_section_state_in_store),
		cmocka_unit_test(test_overflowing_page_refused),
		cmocka_unit_test(test_overflowing_notice_refused),
		cmocka_unit_test(test_render_overflow_fails),
	};

	return cmocka_run_group_tests(tests, tu_setup_mini, teardown_sections);
}
