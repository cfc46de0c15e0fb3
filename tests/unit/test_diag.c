/*
 * diag: messages are kept whole. Past the text's cap the rest is not shown
 * (one line says so) and the counts stay exact; the messages before stay.
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

#include "diag.h"
#include "testutil.h"

static void
test_lines(void **state)
{
	struct diag d;

	(void)state;
	diag_init(&d);
	diag_error(&d, "k/topics.txt", 3, "sai %d" DIAG_FIX "sửa", 1);
	diag_warn(&d, "k/topics.txt", 0, "lạ" DIAG_FIX "xem");
	assert_string_equal(d.text.data, "k/topics.txt:3: " DIAG_ERROR_LABEL
	    "sai 1" DIAG_FIX "sửa\nk/topics.txt: " DIAG_WARN_LABEL "lạ" DIAG_FIX
	    "xem\n");
	assert_int_equal(d.nerr, 1);
	assert_int_equal(d.nwarn, 1);
	assert_false(diag_line_is_warning("k/topics.txt:3: " DIAG_ERROR_LABEL
	    "x"));
	assert_true(diag_line_is_warning("k/topics.txt: " DIAG_WARN_LABEL "x"));
	diag_release(&d);
}

/* The error names the line of the first bad byte, and only that one. */
static void
test_utf8(void **state)
{
	struct diag d;
	const char ok[] = "Căn cước\nđịnh danh\n";
	const char bad[] = "một\nhai\nba \xff\nbốn \xc3(\n";

	(void)state;
	diag_init(&d);
	assert_int_equal(diag_utf8(&d, "k/a.txt", ok, strlen(ok)), 0);
	assert_int_equal(d.nerr, 0);
	assert_int_equal(d.text.len, 0);
	assert_int_equal(diag_utf8(&d, "k/a.txt", bad, strlen(bad)), -1);
	assert_int_equal(d.nerr, 1);
	assert_string_equal(d.text.data, "k/a.txt:3: " DIAG_ERROR_LABEL "tệp "
	    "không lưu dạng UTF-8, chữ có dấu ở dòng này bị hỏng" DIAG_FIX
	    DIAG_UTF8_FIX "\n");
	/* the length is the caller's: a bad byte after it is not looked at */
	assert_int_equal(diag_utf8(&d, "k/a.txt", bad, 8), 0);
	assert_int_equal(diag_utf8(&d, "k/b.txt", "\xc3(", 2), -1);
	assert_non_null(strstr(d.text.data, "\nk/b.txt:1: "));
	diag_release(&d);
}

static void
test_read_file(void **state)
{
	struct diag d;
	struct buf b;
	char dir[256], path[512];

	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	tu_write(dir, "a.txt", "một\n");
	diag_init(&d);
	snprintf(path, sizeof(path), "%s/a.txt", dir);
	assert_int_equal(diag_read_file(&d, path, &b, false), 0);
	assert_string_equal(b.data, "một\n");
	buf_release(&b);
	/* missing: an error, unless that is all right */
	snprintf(path, sizeof(path), "%s/none.txt", dir);
	assert_int_equal(diag_read_file(&d, path, &b, true), -1);
	assert_int_equal(d.nerr, 0);
	assert_int_equal(diag_read_file(&d, path, &b, false), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(d.nerr, 1);
	assert_non_null(strstr(d.text.data, ": " DIAG_ERROR_LABEL "không đọc "
	    "được tệp: "));
	assert_non_null(strstr(d.text.data, diag_strerror(ENOENT)));
	/* a directory is there but cannot be read: missing_ok does not hide it */
	assert_int_equal(diag_read_file(&d, dir, &b, true), -1);
	assert_int_equal(d.nerr, 2);
	diag_release(&d);
}

static void
test_full(void **state)
{
	struct diag d;
	char *long_line = malloc(1024 * 1024);
	const char *p, *last = NULL;
	size_t i, lines = 0;

	(void)state;
	assert_non_null(long_line);
	memset(long_line, 'q', 1024 * 1024 - 1);
	long_line[1024 * 1024 - 1] = '\0';
	diag_init(&d);
	diag_error(&d, "k/topics.txt", 1, "đầu tiên" DIAG_FIX "sửa");
	/* one message longer than a line may be: not shown, and it says so */
	diag_error(&d, "k/topics.txt", 2, "%s" DIAG_FIX "sửa", long_line);
	for (i = 0; i < 100000; i++)
		diag_error(&d, "k/topics.txt", (int)i + 3, "dòng %zu sai, %.100s"
		    DIAG_FIX "sửa", i, long_line);
	assert_int_equal(d.nerr, 100002);
	assert_false(buf_failed(&d.text));
	assert_non_null(strstr(d.text.data, "đầu tiên"));
	assert_null(strstr(d.text.data, "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
	    "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"
	    "qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"));
	for (p = d.text.data; *p; p = strchr(p, '\n') + 1) {
		last = p;
		lines++;
	}
	assert_int_equal(lines, 2);
	assert_non_null(strstr(last, "phần sau không hiện"));
	assert_diag_vietnamese(&d);
	diag_release(&d);

	/* many short ones: kept up to the cap, whole, the note last */
	diag_init(&d);
	for (i = 0; i < 100000; i++)
		diag_error(&d, "k/topics.txt", (int)i + 1, "dòng %zu sai, %.100s"
		    DIAG_FIX "sửa", i, long_line);
	assert_int_equal(d.nerr, 100000);
	assert_false(buf_failed(&d.text));
	assert_true(d.text.len > 4 * 1024 * 1024 - 1024);
	assert_non_null(strstr(d.text.data, "k/topics.txt:1: "));
	last = NULL;
	for (p = d.text.data; *p; p = strchr(p, '\n') + 1) {
		if (last)
			assert_non_null(strstr(last, "qq" DIAG_FIX "sửa\n"));
		last = p;
	}
	assert_non_null(strstr(last, "phần sau không hiện"));
	assert_diag_vietnamese(&d);
	diag_release(&d);
	free(long_line);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_read_file),
		cmocka_unit_test(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
