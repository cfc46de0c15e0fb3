/*
 * The outbox as the sender reads it: one head per chat in id order, one
 * platform at a time, and rows the daemon knows are done although writing
 * that failed (disk full) count as gone, so the chat's next reply is its
 * head. And a database file deleted under the store is noticed. A real
 * store in a temp dir.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#include "log.h"
#include "store.h"

static struct store *
open_store(char *dir, size_t n)
{
	char db[512];
	struct store *st;

	log_set_level(LOG_ERROR);
	tu_mkdtemp(dir, n);
	snprintf(db, sizeof(db), "%s/t.db", dir);
	st = store_open(db);
	assert_non_null(st);
	return st;
}

static void
add(struct store *st, const char *platform, const char *chat,
    const char *body)
{
	assert_int_equal(store_outbox_add(st, platform, chat, 0, "sendMessage",
	    body, 0), 0);
}

static int
heads(struct store *st, const char *platform, const int64_t *done,
    size_t ndone, char out[][32], int max)
{
	struct outbox_item it[16];
	int64_t due;
	int n, i;

	n = store_outbox_heads(st, platform, store_now_ms(), done, ndone, it,
	    max, &due);
	assert_true(n >= 0);
	for (i = 0; i < n; i++) {
		snprintf(out[i], 32, "%s:%s", it[i].chat_id, it[i].body);
		outbox_item_release(&it[i]);
	}
	return n;
}

static void
test_heads_per_platform_and_done(void **state)
{
	char dir[256], got[16][32];
	struct store *st = open_store(dir, sizeof(dir));
	int64_t done[2];

	(void)state;
	add(st, "telegram", "1", "a");          /* id 1 */
	add(st, "zalo", "z", "b");              /* id 2 */
	add(st, "telegram", "1", "c");          /* id 3 */
	add(st, "telegram", "2", "d");          /* id 4 */
	add(st, "telegram", "1", "e");          /* id 5 */

	/* one head per chat, oldest first; the other platform not at all */
	assert_int_equal(heads(st, "telegram", NULL, 0, got, 16), 2);
	assert_string_equal(got[0], "1:a");
	assert_string_equal(got[1], "2:d");
	assert_int_equal(heads(st, "zalo", NULL, 0, got, 16), 1);
	assert_string_equal(got[0], "z:b");

	/* chat 1's head is known sent (its mark failed): the next one leads */
	done[0] = 1;
	assert_int_equal(heads(st, "telegram", done, 1, got, 16), 2);
	assert_string_equal(got[0], "1:c");
	assert_string_equal(got[1], "2:d");
	done[1] = 3;
	assert_int_equal(heads(st, "telegram", done, 2, got, 16), 2);
	assert_string_equal(got[0], "2:d");
	assert_string_equal(got[1], "1:e");

	/* max caps the count */
	assert_int_equal(heads(st, "telegram", NULL, 0, got, 1), 1);
	assert_string_equal(got[0], "1:a");
	store_close(st);
}

static void
test_check_notices_the_file_gone(void **state)
{
	char dir[256], db[512], tmp[600];
	struct store *st = open_store(dir, sizeof(dir));
	FILE *f;

	(void)state;
	snprintf(db, sizeof(db), "%s/t.db", dir);
	assert_int_equal(store_check(st), 0);
	assert_int_equal(unlink(db), 0);
	assert_int_equal(store_check(st), -1);
	/* another file under the name (a backup put back) */
	snprintf(tmp, sizeof(tmp), "%s.new", db);
	f = fopen(tmp, "w");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(rename(tmp, db), 0);
	assert_int_equal(store_check(st), -1);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heads_per_platform_and_done),
		cmocka_unit_test(test_check_notices_the_file_gone),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
