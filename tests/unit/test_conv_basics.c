/*
 * conv.c: what is not a question (thanks, "ok", commands in other words) and
 * messages that ask two things; on kb-mini, whose system.txt lists the
 * phrases.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "conv.h"
#include "kb.h"
#include "testutil.h"

static struct conv_state st;
static struct conv_reply rep;

static const struct conv_reply *
say(const char *msg)
{
	conv_handle(tu_mini()->kb, &st, msg, &rep);
	assert_true(tu_utf8_valid(rep.text.data));
	return &rep;
}

static int
fresh(void **state)
{
	(void)state;
	conv_state_init(&st);
	conv_reply_init(&rep);
	return 0;
}

static int
done(void **state)
{
	(void)state;
	conv_reply_release(&rep);
	return 0;
}

static void
test_thanks_are_not_questions(void **state)
{
	static const char *const acks[] = { "cảm ơn cháu", "cam on chau nhe",
	    "vâng ạ", "ok dc rồi", "Dạ vâng!", "thanks", "hiểu rồi ạ",
	    "ok cháu" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(acks) / sizeof(acks[0]); i++) {
		const struct conv_reply *r = say(acks[i]);

		if (r->kind != CONV_NOTICE || !strstr(r->text.data, "không có gì"))
			fail_msg("\"%s\" got kind %d: %s", acks[i], r->kind,
			    r->text.data);
		assert_false(r->matched);
		assert_int_equal(st.fallbacks, 0);
	}
}

static void
test_questions_among_thanks_words(void **state)
{
	static const char *const qs[] = { "được không", "ok không", "cảm ơn, "
	    "nhưng cài vneid thế nào", "vâng nhưng nộp thuế đất ở đâu" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		if (say(qs[i])->kind == CONV_NOTICE)
			fail_msg("\"%s\" was taken for a thank-you", qs[i]);
}

/* A thank-you in the middle of a guide keeps it open. */
static void
test_thanks_then_next(void **state)
{
	const struct conv_reply *r;

	(void)state;
	r = say("cài vneid thế nào");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_true(r->more);
	say("vâng cảm ơn cháu");
	r = say("xem tiếp nhé");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_string_equal(r->topic->id, "vneid.install");
	assert_int_equal(st.page, 1);
}

static void
test_commands_in_other_words(void **state)
{
	const struct conv_reply *r;

	(void)state;
	say("cài vneid thế nào");
	r = say("tiếp tục");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_int_equal(st.page, 1);
	r = say("menu chính");
	assert_int_equal(r->kind, CONV_MENU);
	say("cài vneid thế nào");
	r = say("quay lại ạ");
	assert_int_equal(r->kind, CONV_MENU);
	say("cài vneid thế nào");
	say("tiếp");
	r = say("còn nữa không");
	/* kb-mini's guide has two pages: past the end is a notice, not a
	 * question nobody understood */
	assert_int_equal(r->kind, CONV_NOTICE);
	assert_false(r->matched);
}

/* id is the answer, or one digit away among the options. */
static bool
reachable(const struct conv_reply *r, const char *id)
{
	int i;

	if (r->kind == CONV_ANSWER && strcmp(r->topic->id, id) == 0)
		return true;
	for (i = 0; i < r->nopt; i++)
		if (strcmp(r->opt[i].topic, id) == 0)
			return true;
	return false;
}

/* Two questions: both reachable at once, whichever way they are put. */
static void
test_two_questions_nothing_dropped(void **state)
{
	static const char *const two[] = {
		"cài vneid thế nào? còn nộp thuế đất thì sao",
		"nộp thuế đất ở đâu và cài vneid thế nào",
		"cách cài vneid. cách nộp thuế đất",
		"cài vneid thế nào, với lại thuê nhà cần gì",
	};
	const struct conv_reply *r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(two) / sizeof(two[0]); i++) {
		r = say(two[i]);
		if (!reachable(r, "vneid.install") ||
		    !reachable(r, strstr(two[i], "thuê") ? "rent.house" :
		    "etax.pay_land_tax"))
			fail_msg("\"%s\" dropped a question: %s", two[i],
			    r->text.data);
	}
	/* answered one, offered the other first, and the digit opens it */
	r = say("cài vneid thế nào, còn thuê nhà thì cần giấy tờ gì");
	if (r->kind == CONV_ANSWER) {
		const char *other = strcmp(r->topic->id, "vneid.install") == 0 ?
		    "rent.house" : "vneid.install";

		assert_string_equal(r->opt[0].topic, other);
		assert_non_null(strstr(r->text.data, "Bác còn hỏi về"));
		r = say("1");
		assert_string_equal(r->topic->id, other);
	}
	/* one question with a comma is still one question */
	r = say("cháu ơi, cài vneid thế nào");
	assert_int_equal(r->kind, CONV_ANSWER);
	assert_null(strstr(r->text.data, "Bác còn hỏi"));
	assert_null(strstr(r->text.data, "mấy việc"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_thanks_are_not_questions, fresh,
		    done),
		cmocka_unit_test_setup_teardown(test_questions_among_thanks_words,
		    fresh, done),
		cmocka_unit_test_setup_teardown(test_thanks_then_next, fresh, done),
		cmocka_unit_test_setup_teardown(test_commands_in_other_words, fresh,
		    done),
		cmocka_unit_test_setup_teardown(test_two_questions_nothing_dropped,
		    fresh, done),
	};

	return cmocka_run_group_tests(tests, tu_setup_mini, tu_teardown_mini);
}
