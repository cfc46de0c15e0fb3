/*
 * buf: the cap, and what is left after an append passed it. A buffer that
 * overflowed must never look like a finished text: later appends must not
 * build a tail that a caller could send as if it were the whole reply.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "testutil.h"

static void
test_appends(void **state)
{
	struct buf b;
	char *s;

	(void)state;
	buf_init(&b, 64);
	assert_non_null(b.data);
	assert_string_equal(b.data, "");
	assert_int_equal(buf_adds(&b, "xin "), 0);
	assert_int_equal(buf_addc(&b, 'c'), 0);
	assert_int_equal(buf_printf(&b, "hào %d", 7), 0);
	assert_int_equal(buf_add(&b, "", 0), 0);
	assert_string_equal(b.data, "xin chào 7");
	assert_int_equal(b.len, strlen("xin chào 7"));
	assert_false(buf_failed(&b));
	s = buf_take(&b);
	assert_non_null(s);
	assert_string_equal(s, "xin chào 7");
	free(s);
	assert_string_equal(b.data, "");
	assert_int_equal(b.len, 0);
	/* a buffer never appended to hands over "", not NULL */
	s = buf_take(&b);
	assert_non_null(s);
	assert_string_equal(s, "");
	free(s);
	buf_release(&b);
}

/* Exactly the cap fits; one byte more does not. */
static void
test_cap_exact(void **state)
{
	struct buf b;
	char big[300];

	(void)state;
	memset(big, 'a', sizeof(big));
	buf_init(&b, 256);
	assert_int_equal(buf_add(&b, big, 256), 0);
	assert_int_equal(b.len, 256);
	assert_false(buf_failed(&b));
	errno = 0;
	assert_int_equal(buf_addc(&b, 'a'), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_true(buf_failed(&b));
	buf_release(&b);

	/* printf's long path (over its 256-byte stack copy) keeps the cap */
	buf_init(&b, 280);
	assert_int_equal(buf_printf(&b, "%.*s", 270, big), 0);
	assert_int_equal(buf_printf(&b, "%.*s", 20, big), -1);
	assert_true(buf_failed(&b));
	buf_release(&b);
}

/*
 * The bug of issue 12: the failed append emptied the buffer and the next
 * ones carried on, leaving "the tail" with no trace of the failure.
 */
static void
test_overflow_sticks(void **state)
{
	struct buf b;
	char big[100];

	(void)state;
	memset(big, 'x', sizeof(big));
	buf_init(&b, 64);
	assert_int_equal(buf_adds(&b, "Bước 1. "), 0);
	assert_int_equal(buf_add(&b, big, sizeof(big)), -1);
	assert_true(buf_failed(&b));
	/* later appends are refused too, and leave nothing behind */
	assert_int_equal(buf_adds(&b, "0. Về menu chính"), -1);
	assert_int_equal(buf_addc(&b, '\n'), -1);
	assert_int_equal(buf_printf(&b, "%d", 1), -1);
	assert_true(buf_failed(&b));
	assert_int_equal(b.len, 0);
	assert_string_equal(b.data, "");
	assert_null(strstr(b.data, "menu"));
	/* and nothing can be handed over as if it were finished */
	assert_null(buf_take(&b));
	buf_release(&b);
}

/* A fresh start (reset, release) clears the error: the buffer is reused. */
static void
test_reset_clears(void **state)
{
	struct buf b;
	char big[100];
	char *s;

	(void)state;
	memset(big, 'x', sizeof(big));
	buf_init(&b, 64);
	assert_int_equal(buf_add(&b, big, sizeof(big)), -1);
	buf_reset(&b);
	assert_false(buf_failed(&b));
	assert_int_equal(buf_adds(&b, "lại"), 0);
	assert_string_equal(b.data, "lại");
	assert_int_equal(buf_add(&b, big, sizeof(big)), -1);
	buf_release(&b);
	assert_false(buf_failed(&b));
	assert_int_equal(buf_adds(&b, "mới"), 0);
	s = buf_take(&b);
	assert_string_equal(s, "mới");
	free(s);
	/* after buf_take refused, the buffer is empty and usable again */
	assert_int_equal(buf_add(&b, big, sizeof(big)), -1);
	assert_null(buf_take(&b));
	assert_false(buf_failed(&b));
	assert_int_equal(buf_adds(&b, "ok"), 0);
	assert_string_equal(b.data, "ok");
	buf_release(&b);
}

static void
test_read_file(void **state)
{
	char dir[256], path[300];
	struct buf b;
	char big[200];

	(void)state;
	memset(big, 'k', sizeof(big));
	tu_mkdtemp(dir, sizeof(dir));
	tu_write_bytes(dir, "f", big, sizeof(big));
	snprintf(path, sizeof(path), "%s/f", dir);
	buf_init(&b, 200);
	assert_int_equal(buf_read_file(&b, path), 0);
	assert_int_equal(b.len, 200);
	assert_false(buf_failed(&b));
	buf_release(&b);
	buf_init(&b, 199);
	errno = 0;
	assert_int_equal(buf_read_file(&b, path), -1);
	assert_int_equal(errno, EMSGSIZE);
	assert_true(buf_failed(&b));
	assert_int_equal(b.len, 0);
	buf_release(&b);
	buf_init(&b, 200);
	snprintf(path, sizeof(path), "%s/missing", dir);
	assert_int_equal(buf_read_file(&b, path), -1);
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_appends),
		cmocka_unit_test(test_cap_exact),
		cmocka_unit_test(test_overflow_sticks),
		cmocka_unit_test(test_reset_clears),
		cmocka_unit_test(test_read_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
