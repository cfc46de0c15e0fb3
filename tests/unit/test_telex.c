/* telex.c: the rules table, driven by tests/data/telex.tsv. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "telex.h"

static void
test_table(void **state)
{
	FILE *f = fopen("tests/data/telex.tsv", "r");
	char line[256], out[64];
	int n = 0, bad = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		char *tab, *want;
		int got;

		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || !line[0])
			continue;
		tab = strchr(line, '\t');
		assert_non_null(tab);
		*tab = '\0';
		want = tab + 1;
		got = telex_decode(line, strlen(line), out, sizeof(out));
		n++;
		if (strcmp(want, "-") == 0 ? got : (!got || strcmp(out, want) != 0)) {
			print_error("%s: want %s, got %s\n", line, want, got ? out : "-");
			bad++;
		}
	}
	fclose(f);
	assert_true(n >= 50);
	assert_int_equal(bad, 0);
}

static void
test_bounds(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(telex_decode("", 0, out, sizeof(out)), 0);
	assert_int_equal(telex_decode("aaaaaaaaaaaaaaaaaaaaaaaas", 25, out,
	    sizeof(out)), 0);
	assert_int_equal(telex_decode("Caif", 4, out, sizeof(out)), 0);
	assert_int_equal(telex_decode("caif", 4, out, 8), 0);
	assert_int_equal(telex_decode("caif", 4, out, sizeof(out)), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
