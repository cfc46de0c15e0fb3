/*
 * log.c: a registered token never reaches the log, however an API error
 * text spells it (percent-encoded, JSON-escaped, in a URL path, cut short).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "testutil.h"
#include "util.h"

#define TOKEN "123456:TESTtokenDoNotLogMe_abcdefghijklmnopqrs"
#define SECRET "TESTtokenDoNotLogMe_abcdefghijklmnopqrs"

static void
log_one(void *line)
{
	log_msg(LOG_ERROR, "%s", (const char *)line);
}

/* Logs one line with stderr sent to a file; returns what was written. */
static char *
logged(const char *line)
{
	return tu_capture(2, log_one, (void *)line);
}

/* Every way an API or a proxy has been seen to spell the token. */
static const char *const spelled[] = {
	TOKEN,
	"123456%3ATESTtokenDoNotLogMe_abcdefghijklmnopqrs",
	"123456%3aTESTtokenDoNotLogMe_abcdefghijklmnopqrs",
	"123456%253ATESTtokenDoNotLogMe_abcdefghijklmnopqrs",     /* twice */
	"123456\\u003aTESTtokenDoNotLogMe_abcdefghijklmnopqrs",   /* JSON */
	"123456\\u003ATESTtokenDoNotLogMe_abcdefghijklmnopqrs",
	"123456\\\\u003aTESTtokenDoNotLogMe_abcdefghijklmnopqrs",  /* JSON in JSON */
	"123456&#58;TESTtokenDoNotLogMe_abcdefghijklmnopqrs",     /* HTML */
	"%31%32%33%34%35%36%3A%54%45%53%54tokenDoNotLogMe_abcdefghijklmnopqrs",
	"https://api.telegram.org/bot" TOKEN "/sendMessage",
	"https:\\/\\/api.telegram.org\\/bot123456%3ATESTtokenDoNotLogMe_"
	    "abcdefghijklmnopqrs\\/sendMessage",
	SECRET,                 /* without the bot id */
	"Bad Request: wrong url /bot123456%3ATESTtokenDoNo",       /* cut short */
};

static void
test_every_spelling(void **state)
{
	size_t i;

	(void)state;
	log_add_secret(TOKEN);
	for (i = 0; i < ARRAY_SIZE(spelled); i++) {
		char *s = logged(spelled[i]);

		if (strstr(s, "DoNotLog") || strstr(s, "DoNo") ||
		    strstr(s, "abcdefghijklmnopqrs"))
			fail_msg("the token reached the log: %s", s);
		if (!strstr(s, "<token>"))
			fail_msg("no <token> mark in: %s", s);
		free(s);
	}
	log_clear_secrets();
}

/* Text around the token is kept; near-misses are not masked. */
static void
test_context_kept(void **state)
{
	char *s;

	(void)state;
	log_add_secret(TOKEN);
	s = logged("sendMessage to chat 42: 400 Bad Request: url /bot123456%3A"
	    SECRET "/x ** ok");
	assert_non_null(strstr(s, "sendMessage to chat 42: 400 Bad Request: url "
	    "/bot<token>/x ** ok"));
	free(s);
	s = logged("chat 123456 said TESTtoken, and 123456%3A too");
	assert_non_null(strstr(s, "chat 123456 said TESTtoken, and 123456%3A too"));
	free(s);
	log_clear_secrets();
}

/* A message past the cap is not written in part, nor lost without a word. */
static void
test_too_long(void **state)
{
	char *big = malloc(70 * 1024), *s;

	(void)state;
	assert_non_null(big);
	memset(big, 'z', 70 * 1024 - 1);
	big[70 * 1024 - 1] = '\0';
	s = logged(big);
	assert_null(strstr(s, "zzzz"));
	assert_non_null(strstr(s, "error: a message over 65536 bytes was not "
	    "written (\"%s\")\n"));
	free(s);
	/* control bytes escaped four-fold: the escaped line is too long */
	memset(big, '\x01', 64 * 1024 - 2);
	big[64 * 1024 - 2] = '\0';
	s = logged(big);
	assert_null(strstr(s, "\\x01"));
	assert_non_null(strstr(s, "was not written"));
	free(s);
	free(big);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_spelling),
		cmocka_unit_test(test_context_kept),
		cmocka_unit_test(test_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
