/*
 * The Zalo OA rows of the store: the single-use refresh token and its
 * access token replaced together and still there after the store is
 * closed and opened again (as after a crash), a new configured token
 * noticed by its seed, the 48 h allowance per resident and the message
 * its replies name. A real store
 * in a temp dir.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "log.h"
#include "store.h"
#include "zalo_oa.h"

static struct store *
open_store(char *dir, size_t n, char *db, size_t dn)
{
	struct store *st;

	log_set_level(LOG_ERROR);
	tu_mkdtemp(dir, n);
	snprintf(db, dn, "%s/t.db", dir);
	st = store_open(db);
	assert_non_null(st);
	return st;
}

static void
test_token_row(void **state)
{
	char dir[256], db[512], seed[65];
	struct store *st = open_store(dir, sizeof(dir), db, sizeof(db));
	struct store_oa_token t;

	(void)state;
	assert_int_equal(store_oa_token_get(st, &t), 0);
	assert_null(t.refresh);
	zalo_oa_seed("RT0-from-config", seed);
	assert_int_equal(store_oa_token_put(st, seed, "RT1", "AT1", 1000), 0);
	assert_int_equal(store_oa_token_put(st, seed, "RT2", "AT2", 2000), 0);
	store_close(st);

	/* as after a crash: the newest pair, whole */
	st = store_open(db);
	assert_non_null(st);
	assert_int_equal(store_oa_token_get(st, &t), 1);
	assert_string_equal(t.seed, seed);
	assert_string_equal(t.refresh, "RT2");
	assert_string_equal(t.access, "AT2");
	assert_true(t.expires_at == 2000);
	store_oa_token_release(&t);
	assert_null(t.refresh);
	store_close(st);
}

static void
test_token_in_caller_transaction(void **state)
{
	char dir[256], db[512];
	struct store *st = open_store(dir, sizeof(dir), db, sizeof(db));
	struct store_oa_token t;

	(void)state;
	assert_int_equal(store_oa_token_put(st, "s", "RT1", "AT1", 1000), 0);
	/* a rolled-back batch takes the new pair with it, both halves */
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_oa_token_put(st, "s", "RT2", "AT2", 2000), 0);
	store_rollback(st);
	assert_int_equal(store_oa_token_get(st, &t), 1);
	assert_string_equal(t.refresh, "RT1");
	assert_string_equal(t.access, "AT1");
	store_oa_token_release(&t);
	assert_int_equal(store_begin(st), 0);
	assert_int_equal(store_oa_token_put(st, "s", "RT3", "AT3", 3000), 0);
	assert_int_equal(store_commit(st), 0);
	assert_int_equal(store_oa_token_get(st, &t), 1);
	assert_string_equal(t.refresh, "RT3");
	store_oa_token_release(&t);
	store_close(st);
}

/* The database holds one token row, never a second (spent) one. */
static void
test_token_one_row(void **state)
{
	char dir[256], db[512];
	struct store *st = open_store(dir, sizeof(dir), db, sizeof(db));
	sqlite3 *h;
	sqlite3_stmt *q;

	(void)state;
	assert_int_equal(store_oa_token_put(st, "s", "RT1", "AT1", 1000), 0);
	assert_int_equal(store_oa_token_put(st, "s", "RT2", "AT2", 2000), 0);
	store_close(st);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "SELECT count(*), "
	    "sum(refresh = 'RT1') FROM oa_token", -1, &q, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), 1);
	assert_int_equal(sqlite3_column_int(q, 1), 0);
	sqlite3_finalize(q);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &q,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_step(q), SQLITE_ROW);
	assert_int_equal(sqlite3_column_int(q, 0), STORE_SCHEMA_VERSION);
	sqlite3_finalize(q);
	sqlite3_close(h);
}

static void
test_window(void **state)
{
	char dir[256], db[512];
	struct store *st = open_store(dir, sizeof(dir), db, sizeof(db));
	int64_t t0 = 1764600000000LL;
	int left;

	(void)state;
	/* never wrote: nothing may be sent (no proactive messages) */
	assert_int_equal(store_oa_replies_left(st, "u1", t0, &left), 0);
	assert_int_equal(left, 0);
	assert_int_equal(store_oa_inbound(st, "u1", t0, NULL), 0);
	assert_int_equal(store_oa_replies_left(st, "u1", t0 + 1, &left), 1);
	assert_int_equal(left, 8);
	assert_int_equal(store_oa_replies_used(st, "u1", 5), 0);
	assert_int_equal(store_oa_replies_left(st, "u1", t0 + 2, &left), 1);
	assert_int_equal(left, 3);
	assert_int_equal(store_oa_replies_used(st, "u1", 3), 0);
	assert_int_equal(store_oa_replies_left(st, "u1", t0 + 3, &left), 0);
	assert_int_equal(left, 0);
	/* a late retry of an older push gives nothing back */
	assert_int_equal(store_oa_inbound(st, "u1", t0 - 1000, NULL), 0);
	assert_int_equal(store_oa_replies_left(st, "u1", t0 + 4, &left), 0);
	/* the resident writes again: a fresh allowance */
	assert_int_equal(store_oa_inbound(st, "u1", t0 + 60000, NULL), 0);
	assert_int_equal(store_oa_replies_left(st, "u1", t0 + 60001, &left), 1);
	assert_int_equal(left, 8);
	/* and it closes 48 h after that message */
	assert_int_equal(store_oa_replies_left(st, "u1",
	    t0 + 60000 + ZALO_OA_WINDOW_MS + 1, &left), 0);
	/* residents are counted apart */
	assert_int_equal(store_oa_replies_left(st, "u2", t0, &left), 0);
	store_close(st);
}

/* The message the OA's replies name: the resident's latest. */
static void
test_last_msg(void **state)
{
	char dir[256], db[512], mid[64];
	struct store *st = open_store(dir, sizeof(dir), db, sizeof(db));
	int64_t t0 = 1764600000000LL;

	(void)state;
	assert_int_equal(store_oa_last_msg(st, "u1", mid, sizeof(mid)), 0);
	assert_string_equal(mid, "");
	/* a follow: a window, but no message to name */
	assert_int_equal(store_oa_inbound(st, "u1", t0, NULL), 0);
	assert_int_equal(store_oa_last_msg(st, "u1", mid, sizeof(mid)), 0);
	assert_int_equal(store_oa_inbound(st, "u1", t0 + 10, "m1"), 0);
	assert_int_equal(store_oa_last_msg(st, "u1", mid, sizeof(mid)), 1);
	assert_string_equal(mid, "m1");
	/* a late retry of an older push is not the latest */
	assert_int_equal(store_oa_inbound(st, "u1", t0 + 5, "m0"), 0);
	assert_int_equal(store_oa_last_msg(st, "u1", mid, sizeof(mid)), 1);
	assert_string_equal(mid, "m1");
	/* a later follow keeps the message before */
	assert_int_equal(store_oa_inbound(st, "u1", t0 + 20, NULL), 0);
	assert_int_equal(store_oa_last_msg(st, "u1", mid, sizeof(mid)), 1);
	assert_string_equal(mid, "m1");
	assert_int_equal(store_oa_inbound(st, "u1", t0 + 30, "m2"), 0);
	assert_int_equal(store_oa_last_msg(st, "u1", mid, sizeof(mid)), 1);
	assert_string_equal(mid, "m2");
	/* too long for the caller's buffer: none rather than a cut one */
	assert_int_equal(store_oa_last_msg(st, "u1", mid, 2), 0);
	assert_int_equal(store_oa_last_msg(st, "u2", mid, sizeof(mid)), 0);
	store_close(st);
	tu_rmrf(dir);
}

/* A window of schema 4 keeps its count; it names no message until the
 * resident writes again. */
static void
test_last_msg_migrated(void **state)
{
	char dir[256], db[512], mid[64];
	struct store *st = open_store(dir, sizeof(dir), db, sizeof(db));
	int64_t now = 1764600000000LL;
	sqlite3 *h;
	int left;

	(void)state;
	store_close(st);
	assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "ALTER TABLE oa_window DROP COLUMN "
	    "last_msg; PRAGMA user_version=4; INSERT INTO oa_window(user_id, "
	    "last_in, sent) VALUES('u1', 1764600000000, 3)", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(h);
	st = store_open(db);
	assert_non_null(st);
	assert_int_equal(store_oa_replies_left(st, "u1", now + 1, &left), 1);
	assert_int_equal(left, 5);
	assert_int_equal(store_oa_last_msg(st, "u1", mid, sizeof(mid)), 0);
	assert_int_equal(store_oa_inbound(st, "u1", now + 2, "m1"), 0);
	assert_int_equal(store_oa_last_msg(st, "u1", mid, sizeof(mid)), 1);
	assert_string_equal(mid, "m1");
	store_close(st);
	tu_rmrf(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_token_row),
		cmocka_unit_test(test_token_in_caller_transaction),
		cmocka_unit_test(test_token_one_row),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_last_msg),
		cmocka_unit_test(test_last_msg_migrated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
