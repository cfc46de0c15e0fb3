/*
 * util: the small helpers every module shares.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

/* A secret is freed and its pointer forgotten; twice or NULL is harmless
 * (release functions run on half-built structs). */
static void
test_wipe_free(void **state)
{
	char *s = xstrdup("access-token-123");
	char *none = NULL;

	(void)state;
	str_wipe_free(&s);
	assert_null(s);
	str_wipe_free(&s);
	assert_null(s);
	str_wipe_free(&none);
	assert_null(none);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wipe_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
