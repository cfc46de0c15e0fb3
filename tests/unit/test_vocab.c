/* vocab.c: Telex residue read against the knowledge base's own words. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "kb_int.h"
#include "match.h"
#include "testutil.h"
#include "vocab.h"

/* What vocab_telex_fix makes of msg ("" when it changes nothing). */
static const char *
fixed(const char *msg)
{
	static struct buf b;
	struct text t;
	bool ch;

	buf_release(&b);
	buf_init(&b, BUF_CAP_TEXT);
	text_normalize(&t, msg, strlen(msg));
	ch = vocab_telex_fix(tu_mini()->kb, &t, &b);
	text_release(&t);
	return ch ? b.data : "";
}

static void
test_decodes_into_known_words(void **state)
{
	(void)state;
	assert_string_equal(fixed("caif vneid nhuw thees naof"),
	    "cài vneid như thế nào");
	assert_string_equal(fixed("Caif VNeID"), "cài vneid");
	/* a valid syllable the knowledge base never uses stays as typed */
	assert_string_equal(fixed("vneid muaw"), "");
}

static void
test_leaves_ordinary_words(void **state)
{
	(void)state;
	/* known words, names, abbreviations, words with marks already */
	assert_string_equal(fixed("cai vneid ntn"), "");
	assert_string_equal(fixed("zalo facebook ok pass email ios wifi"), "");
	assert_string_equal(fixed("cài vneid như thế nào"), "");
	assert_string_equal(fixed("mk dc ko j"), "");
}

static void
test_match_sees_the_decoded_words(void **state)
{
	struct match_result a, b;

	(void)state;
	match_run(tu_mini()->kb, "cài vneid như thế nào",
	    strlen("cài vneid như thế nào"), &a);
	match_run(tu_mini()->kb, "caif vneid nhuw thees naof",
	    strlen("caif vneid nhuw thees naof"), &b);
	assert_non_null(a.topic);
	assert_int_equal(b.action, a.action);
	assert_ptr_equal(b.topic, a.topic);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decodes_into_known_words),
		cmocka_unit_test(test_leaves_ordinary_words),
		cmocka_unit_test(test_match_sees_the_decoded_words),
	};

	return cmocka_run_group_tests(tests, tu_setup_mini, tu_teardown_mini);
}
