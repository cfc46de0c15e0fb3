/*
 * The Telegram bodies of the hand-off (tg_render_card, tg_copy_request,
 * tg_edit_request), byte for byte as handoff.c wrote them itself before
 * the platform table had them, and the table's promise that an op is
 * there exactly when its capability is.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "platform.h"
#include "tg.h"

struct bodies {
	char *v[8];
	size_t n;
};

static void
keep(const char *body, void *arg)
{
	struct bodies *b = arg;

	assert_true(b->n < 8);
	b->v[b->n++] = strdup(body);
}

static void
bodies_free(struct bodies *b)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		free(b->v[i]);
	b->n = 0;
}

/* One card, one body, exactly this. */
static void
card_is(const struct platform_card *c, const char *want)
{
	struct bodies b = { { 0 }, 0 };

	tg_render_card(c, keep, &b);
	assert_int_equal(b.n, 1);
	assert_string_equal(b.v[0], want);
	bodies_free(&b);
}

static void
test_card_exact(void **state)
{
	static const struct platform_button btn[] = {
		{ "✋ Nhận phiếu này", "claim:3" } };
	struct platform_card plain = { "-100500", "Phiếu #3 <b>", 0, NULL, 0, 0 };
	struct platform_card full = { "-100500", "thẻ", 77, btn, 1, 1 };

	(void)state;
	/* no parse_mode: the text goes as written, "<b>" included */
	card_is(&plain, "{\"chat_id\":\"-100500\",\"text\":\"Phiếu #3 <b>\"}");
	card_is(&full, "{\"chat_id\":\"-100500\",\"text\":\"thẻ\","
	    "\"reply_parameters\":{\"message_id\":77,"
	    "\"allow_sending_without_reply\":true},\"reply_markup\":{"
	    "\"inline_keyboard\":[[{\"text\":\"✋ Nhận phiếu này\","
	    "\"callback_data\":\"claim:3\"}]]}}");
}

/* Rows of per_row: the digest's claim buttons, four to a row. */
static void
test_card_rows(void **state)
{
	static const struct platform_button btn[] = {
		{ "a", "1" }, { "b", "2" }, { "c", "3" }, { "d", "4" }, { "e", "5" },
	};
	struct platform_card c = { "1", "x", 0, btn, 5, 4 };
	struct bodies b = { { 0 }, 0 };

	(void)state;
	tg_render_card(&c, keep, &b);
	assert_int_equal(b.n, 1);
	assert_non_null(strstr(b.v[0], "\"inline_keyboard\":[[{\"text\":\"a\","
	    "\"callback_data\":\"1\"},{\"text\":\"b\",\"callback_data\":\"2\"},"
	    "{\"text\":\"c\",\"callback_data\":\"3\"},{\"text\":\"d\","
	    "\"callback_data\":\"4\"}],[{\"text\":\"e\",\"callback_data\":\"5\"}]]"));
	bodies_free(&b);
	/* two side by side: the feedback question */
	c.nbuttons = 2;
	c.per_row = 2;
	tg_render_card(&c, keep, &b);
	assert_non_null(strstr(b.v[0], "[[{\"text\":\"a\",\"callback_data\":\"1\"},"
	    "{\"text\":\"b\",\"callback_data\":\"2\"}]]"));
	bodies_free(&b);
	/* per_row 0 reads as one a row */
	c.per_row = 0;
	tg_render_card(&c, keep, &b);
	assert_non_null(strstr(b.v[0], "[[{\"text\":\"a\",\"callback_data\":\"1\"}],"
	    "[{\"text\":\"b\",\"callback_data\":\"2\"}]]"));
	bodies_free(&b);
}

/* Longer than one message: under the reply on the first part, the buttons
 * on the last, nothing lost. */
static void
test_card_split(void **state)
{
	static const struct platform_button btn[] = { { "ok", "done:1" } };
	char *text = malloc(6001);
	struct platform_card c = { "-1", NULL, 9, btn, 1, 1 };
	struct bodies b = { { 0 }, 0 };
	size_t i;

	(void)state;
	for (i = 0; i < 6000; i++)
		text[i] = i % 100 == 99 ? '\n' : 'a';
	text[6000] = '\0';
	c.text = text;
	tg_render_card(&c, keep, &b);
	assert_int_equal(b.n, 2);
	assert_non_null(strstr(b.v[0], "reply_parameters"));
	assert_null(strstr(b.v[0], "reply_markup"));
	assert_null(strstr(b.v[1], "reply_parameters"));
	assert_non_null(strstr(b.v[1], "\"reply_markup\""));
	assert_true(strlen(b.v[0]) + strlen(b.v[1]) > 5900);
	bodies_free(&b);
	/* an empty card sends nothing */
	c.text = "";
	tg_render_card(&c, keep, &b);
	assert_int_equal(b.n, 0);
	free(text);
}

static void
test_copy(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 4096);
	assert_string_equal(tg_copy_request("-100500", "601", 12, 0,
	    "ảnh [mã OTP đã ẩn]", &out), "copyMessage");
	assert_string_equal(out.data, "{\"chat_id\":\"-100500\",\"caption\":"
	    "\"ảnh [mã OTP đã ẩn]\",\"from_chat_id\":\"601\",\"message_id\":12}");
	buf_reset(&out);
	/* NULL caption keeps the original's; under the card */
	assert_string_equal(tg_copy_request("601", "-100500", 13, 40, NULL, &out),
	    "copyMessage");
	assert_string_equal(out.data, "{\"chat_id\":\"601\",\"from_chat_id\":"
	    "\"-100500\",\"message_id\":13,\"reply_parameters\":{\"message_id\":40,"
	    "\"allow_sending_without_reply\":true}}");
	buf_release(&out);
}

static void
test_edit(void **state)
{
	struct buf out;

	(void)state;
	buf_init(&out, 4096);
	assert_string_equal(tg_edit_request("-100500", 40, "✅ Đã nhận: Lan",
	    &out), "editMessageText");
	assert_string_equal(out.data, "{\"chat_id\":\"-100500\",\"message_id\":40,"
	    "\"text\":\"✅ Đã nhận: Lan\"}");
	buf_release(&out);
}

/* An op is there exactly when the capability says so, and every entry has
 * a name volunteers can read. */
static void
test_table_caps(void **state)
{
	int i;

	(void)state;
	for (i = 0; i < PLATFORM_COUNT; i++) {
		const struct platform *p = &platforms[i];

		assert_non_null(p->label);
		assert_int_equal(!!(p->caps & PLATFORM_BUTTONS), !!p->render_card);
		assert_int_equal(!!(p->caps & PLATFORM_BUTTONS), !!p->answer_press);
		assert_int_equal(!!(p->caps & PLATFORM_COPY), !!p->copy);
		assert_int_equal(!!(p->caps & PLATFORM_EDIT), !!p->edit);
	}
	assert_string_equal(platforms[PLATFORM_ZALO].label, "Zalo");
	assert_ptr_equal(platforms[PLATFORM_TELEGRAM].render_card, tg_render_card);
	{
		struct buf out;

		buf_init(&out, 4096);
		assert_string_equal(platforms[PLATFORM_TELEGRAM].answer_press("cb7",
		    &out), "answerCallbackQuery");
		assert_string_equal(out.data, "{\"callback_query_id\":\"cb7\"}");
		buf_release(&out);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_card_exact),
		cmocka_unit_test(test_card_rows),
		cmocka_unit_test(test_card_split),
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_edit),
		cmocka_unit_test(test_table_caps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
