/*
 * The one command parser: staff commands as volunteers type them, and the
 * residents' /start, /menu, /help as Telegram sends them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "slash.h"

/* Staff commands as volunteers type them, and residents' /start. */
static void
test_parse_cmd(void **state)
{
	static const struct {
		const char *text;
		int is_cmd;
		const char *name, *bot;
		int64_t arg;
		const char *rest;
	} cases[] = {
		{ "/nhan 12", 1, "nhan", "", 12, "12" },
		{ "/xong 12", 1, "xong", "", 12, "12" },
		{ "/hangdoi", 1, "hangdoi", "", 0, "" },
		{ "/hangdoi 2", 1, "hangdoi", "", 2, "2" },
		{ "/nhan@HoidapBot 12", 1, "nhan", "HoidapBot", 12, "12" },
		{ "/xong@hoidap_bot #12", 1, "xong", "hoidap_bot", 12, "#12" },
		{ "/NHAN 7", 1, "nhan", "", 7, "7" },
		{ "/nhan\t\t 5 ", 1, "nhan", "", 5, "5 " },
		{ "/nhan 12.", 1, "nhan", "", 12, "12." },
		{ "/nhan 12abc", 1, "nhan", "", 0, "12abc" },
		{ "/nhan -3", 1, "nhan", "", 0, "-3" },
		{ "/nhan 9999999999999999", 1, "nhan", "", 0, "9999999999999999" },
		{ "/nhan 999999999999999", 1, "nhan", "", 999999999999999LL,
		    "999999999999999" },
		{ "/chuyen\nbà Tư không vào được", 1, "chuyen", "", 0,
		    "bà Tư không vào được" },
		{ "/chuyen\r\n  ông Sáu", 1, "chuyen", "", 0, "ông Sáu" },
		{ "/chuyen@Bot\nbà Tư", 1, "chuyen", "Bot", 0, "bà Tư" },
		{ "/chuyen", 1, "chuyen", "", 0, "" },
		{ "/nhan@ 12", 1, "nhan", "", 0, "@ 12" },
		{ "/nhanxxxxxxxxxxxxxxxxx 1", 1, "", "", 1, "1" },
		{ "/nhận 12", 1, "nh", "", 0, "ận 12" },
		/* residents: a deep link's payload, a mention, any case */
		{ "/start vneid-install", 1, "start", "", 0, "vneid-install" },
		{ "/start@HoidapBot vneid_install", 1, "start", "HoidapBot", 0,
		    "vneid_install" },
		{ "/Menu", 1, "menu", "", 0, "" },
		{ "/help\n", 1, "help", "", 0, "" },
		{ "/", 0, "", "", 0, NULL },
		{ "/ nhan 1", 0, "", "", 0, NULL },
		{ "nhan 12", 0, "", "", 0, NULL },
		{ "", 0, "", "", 0, NULL },
	};
	struct slash_cmd c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int r = slash_parse(cases[i].text, &c);

		if (r != cases[i].is_cmd)
			fail_msg("\"%s\": is_cmd %d", cases[i].text, r);
		if (!r)
			continue;
		if (strcmp(c.name, cases[i].name) || strcmp(c.bot, cases[i].bot) ||
		    c.arg != cases[i].arg || strcmp(c.rest, cases[i].rest))
			fail_msg("\"%s\": name \"%s\" bot \"%s\" arg %lld rest "
			    "\"%s\"", cases[i].text, c.name, c.bot, (long long)c.arg,
			    c.rest);
	}
	assert_int_equal(slash_parse(NULL, &c), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_cmd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
