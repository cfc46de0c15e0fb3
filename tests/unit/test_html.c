/* html_escape: what the report's page and the QR leaflets put around text
 * from files and residents. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "html.h"

static char *
escaped(const char *s)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	html_escape(f, s);
	fclose(f);
	return out;
}

static void
test_escapes_markup_and_quotes(void **state)
{
	char *e;

	(void)state;
	e = escaped("<b>\"Tom & Jerry's\"</b>");
	assert_string_equal(e, "&lt;b&gt;&quot;Tom &amp; Jerry&#39;s&quot;"
	    "&lt;/b&gt;");
	free(e);
	/* Vietnamese and an entity already written stay as they are but for
	 * the ampersand: the text is text, never markup */
	e = escaped("Phường Láng Hạ &amp;");
	assert_string_equal(e, "Phường Láng Hạ &amp;amp;");
	free(e);
	e = escaped("");
	assert_string_equal(e, "");
	free(e);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escapes_markup_and_quotes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
