/*
 * The prefilter decides which patterns are tried at all, so a wrong
 * "required word" silently hides a topic. Each case: a folded pattern and
 * the word set it must give, or none (tried on every message).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "prefilter.h"

static const struct {
	const char *pattern;
	const char *want;       /* words joined by ' ', or NULL for none */
} cases[] = {
	{ "(cai|tai)\\s.{0,30}vneid", "vneid" },
	{ "thue\\s+(nha\\s+)?dat", "thue" },
	{ "^(xin\\s+)?chao\\b", "chao" },
	{ "\\b8079\\b|\\bbh\\s+mk\\b", "8079 bh" },
	{ "dang ky", "dang" },
	{ "[abc]+ vneid", "vneid" },
	{ "x[^]]y vneid", "vneid" },
	{ "VNeID\\s+app", "vneid" },            /* indexed in lower case */
	/* \s* may match nothing: "vss\s*id" is typed "vssid", no whole word */
	{ "vss\\s*id.{0,40}(the|bhyt)", "the bhyt" },
	{ "(mat\\s*khau|pass)", NULL },
	{ "dang ?ky", NULL },
	{ "kh(oa|oe)\\s+tai", "tai" },
	{ "x(a|b)", NULL },
	{ "(ab)c", NULL },
	{ "a+", NULL },
	{ "(a|)b", NULL },                      /* an empty branch */
	{ "(?i)foo", NULL },                    /* flags: give up */
	{ "vneid?", NULL },                     /* the last letter is optional */
	{ "(?:cai|tai)\\s+app", "app" },
	{ "(?!go)vneid", "vneid" },             /* lookaround is zero-width */
	{ "\\w+", NULL },
};

static void
test_cases(void **state)
{
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct prefilter_set set;
		char got[512] = "";
		int rc = prefilter_words(cases[i].pattern, &set);

		for (k = 0; rc == 0 && k < set.n; k++) {
			if (k)
				strcat(got, " ");
			strcat(got, set.w[k]);
		}
		if (!cases[i].want) {
			if (rc != -1)
				fail_msg("%s: want no word, got '%s'", cases[i].pattern, got);
		} else if (rc != 0 || strcmp(got, cases[i].want) != 0) {
			fail_msg("%s: want '%s', got '%s' (rc %d)", cases[i].pattern,
			    cases[i].want, got, rc);
		}
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
