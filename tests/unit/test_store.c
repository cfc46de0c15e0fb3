/*
 * The store on a real database in a temp dir: opening migrates to
 * STORE_SCHEMA_VERSION and refuses a newer file; processed updates are
 * remembered once; the outbox as the sender reads it (one head per chat in
 * id order, one platform at a time, rows the daemon knows are done although
 * writing that failed count as gone), sent, retried and failed; tickets
 * opened, read, claimed and resolved, with the answers store.h promises;
 * chats followed through their moves; and a database file deleted under
 * the store is noticed.
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
		store_outbox_item_release(&it[i]);
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

static int
user_version(const char *db)
{
	sqlite3 *h;
	sqlite3_stmt *st;
	int v = -1;

	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(h, "PRAGMA user_version", -1, &st,
	    NULL), SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void
test_open_migrates_and_refuses_newer(void **state)
{
	char dir[256], db[512];
	struct store *st = open_store(dir, sizeof(dir));
	sqlite3 *h;

	(void)state;
	snprintf(db, sizeof(db), "%s/t.db", dir);
	store_close(st);
	assert_int_equal(user_version(db), STORE_SCHEMA_VERSION);
	/* opened again: nothing to migrate, the data is there */
	st = store_open(db);
	assert_non_null(st);
	assert_int_equal(store_set_offset(st, "telegram", 42), 0);
	store_close(st);
	st = store_open(db);
	assert_non_null(st);
	assert_int_equal(store_offset(st, "telegram"), 42);
	store_close(st);
	/* a newer program's database is left alone */
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READWRITE, NULL),
	    SQLITE_OK);
	assert_int_equal(sqlite3_exec(h, "PRAGMA user_version=99", NULL, NULL,
	    NULL), SQLITE_OK);
	sqlite3_close(h);
	assert_null(store_open(db));
	assert_int_equal(user_version(db), 99);
}

static void
test_update_ids_dedupe(void **state)
{
	char dir[256];
	struct store *st = open_store(dir, sizeof(dir));

	(void)state;
	assert_int_equal(store_seen(st, "telegram", "1001"), 0);
	assert_int_equal(store_mark_processed(st, "telegram", "1001"), 0);
	assert_int_equal(store_seen(st, "telegram", "1001"), 1);
	/* a redelivery marks nothing new and is no error */
	assert_int_equal(store_mark_processed(st, "telegram", "1001"), 0);
	assert_int_equal(store_seen(st, "telegram", "1001"), 1);
	/* the same id from the other platform is another update */
	assert_int_equal(store_seen(st, "zalo", "1001"), 0);
	assert_int_equal(store_seen(st, "telegram", "1002"), 0);
	/* the offset only moves forward */
	assert_int_equal(store_offset(st, "telegram"), 0);
	assert_int_equal(store_set_offset(st, "telegram", 10), 0);
	assert_int_equal(store_set_offset(st, "telegram", 7), 0);
	assert_int_equal(store_offset(st, "telegram"), 10);
	store_close(st);
}

static void
test_outbox_sent_retry_failed(void **state)
{
	char dir[256], got[16][32];
	struct store *st = open_store(dir, sizeof(dir));
	struct outbox_item it;
	int64_t due, now = store_now_ms();

	(void)state;
	assert_int_equal(store_outbox_pending(st, &due), 0);
	assert_int_equal(due, -1);
	assert_int_equal(store_outbox_head(st, "telegram", "1", &it), 0);
	assert_int_equal(store_outbox_add_ticket(st, "telegram", "1", 1,
	    "sendMessage", "a", 123, 9), 0);             /* id 1 */
	add(st, "telegram", "1", "b");                  /* id 2 */
	add(st, "telegram", "2", "c");                  /* id 3 */
	assert_int_equal(store_outbox_pending(st, &due), 3);
	assert_int_equal(store_outbox_chat_pending(st, "telegram", "1"), 2);

	assert_int_equal(store_outbox_head(st, "telegram", "1", &it), 1);
	assert_int_equal(it.id, 1);
	assert_string_equal(it.platform, "telegram");
	assert_string_equal(it.chat_id, "1");
	assert_string_equal(it.method, "sendMessage");
	assert_string_equal(it.body, "a");
	assert_int_equal(it.is_group, 1);
	assert_int_equal(it.created_us, 123);
	assert_int_equal(it.ticket_id, 9);
	assert_int_equal(it.attempts, 0);
	store_outbox_item_release(&it);

	/* sent: the chat's next reply is its head */
	assert_int_equal(store_outbox_sent(st, 1), 0);
	assert_int_equal(store_outbox_chat_pending(st, "telegram", "1"), 1);
	assert_int_equal(heads(st, "telegram", NULL, 0, got, 16), 2);
	assert_string_equal(got[0], "1:b");
	assert_string_equal(got[1], "2:c");

	/* retried later: not due, but it still holds its chat's place */
	assert_int_equal(store_outbox_retry(st, 2, now + 60000, "429", 0), 0);
	assert_int_equal(heads(st, "telegram", NULL, 0, got, 16), 1);
	assert_string_equal(got[0], "2:c");
	{
		struct outbox_item v[4];
		int n = store_outbox_heads(st, "telegram", now, NULL, 0, v, 4, &due);

		assert_int_equal(n, 1);
		store_outbox_item_release(&v[0]);
		assert_int_equal(due, now + 60000);
	}
	assert_int_equal(store_outbox_head(st, "telegram", "1", &it), 1);
	assert_int_equal(it.attempts, 0);       /* a 429 is not a failure */
	store_outbox_item_release(&it);
	assert_int_equal(store_outbox_retry(st, 2, now + 60000, "500", 1), 0);
	assert_int_equal(store_outbox_head(st, "telegram", "1", &it), 1);
	assert_int_equal(it.attempts, 1);
	store_outbox_item_release(&it);

	/* given up on: gone from the queue */
	assert_int_equal(store_outbox_failed(st, 2, "400"), 0);
	assert_int_equal(store_outbox_head(st, "telegram", "1", &it), 0);
	assert_int_equal(store_outbox_pending(st, &due), 1);
	assert_int_equal(store_outbox_chat_pending(st, "telegram", "1"), 0);
	store_close(st);
}

static void
test_tickets(void **state)
{
	char dir[256];
	struct store *st = open_store(dir, sizeof(dir));
	struct ticket t, v[4];
	int64_t id, id2;

	(void)state;
	assert_int_equal(store_ticket_get(st, 1, &t), 0);
	assert_int_equal(store_ticket_active(st, "telegram", "5", &t), 0);
	assert_int_equal(store_tickets_count_active(st), 0);
	id = store_ticket_open(st, "telegram", "5", "Bà Lan", 1, "asked",
	    "cài vneid thế nào");
	assert_true(id > 0);
	id2 = store_ticket_open(st, "zalo", "6", "", 1, "fallback", "");
	assert_true(id2 > id);

	assert_int_equal(store_ticket_get(st, id, &t), 1);
	assert_int_equal(t.id, id);
	assert_string_equal(t.platform, "telegram");
	assert_string_equal(t.chat_id, "5");
	assert_string_equal(t.user_name, "Bà Lan");
	assert_string_equal(t.reason, "asked");
	assert_string_equal(t.question, "cài vneid thế nào");
	assert_string_equal(t.status, "open");
	assert_int_equal(t.tier, 1);
	assert_true(t.created > 0);
	assert_int_equal(t.claimed_at, 0);
	assert_int_equal(store_ticket_active(st, "telegram", "5", &t), 1);
	assert_int_equal(t.id, id);
	assert_int_equal(store_tickets_count_active(st), 2);
	assert_int_equal(store_tickets_active(st, v, 4, 0), 2);
	assert_int_equal(v[0].id, id);
	assert_int_equal(v[1].id, id2);
	assert_int_equal(store_tickets_active(st, v, 4, 1), 1);
	assert_int_equal(v[0].id, id2);
	assert_int_equal(store_tickets_active(st, v, 1, 0), 1);

	/* claimed once: 0 the first time, 1 after (store.h) */
	assert_int_equal(store_ticket_claim(st, id, "77", "Minh"), 0);
	assert_int_equal(store_ticket_claim(st, id, "78", "Hoa"), 1);
	assert_int_equal(store_ticket_get(st, id, &t), 1);
	assert_string_equal(t.status, "claimed");
	assert_string_equal(t.volunteer_id, "77");
	assert_string_equal(t.volunteer_name, "Minh");
	assert_true(t.claimed_at > 0);
	assert_int_equal(store_ticket_active(st, "telegram", "5", &t), 1);

	/* the card: the ticket's first message in the group */
	assert_int_equal(store_ticket_card(st, "-100", id), 0);
	assert_int_equal(store_ticket_msg_add(st, "-100", 501, id), 0);
	assert_int_equal(store_ticket_msg_add(st, "-100", 500, id), 0);
	assert_int_equal(store_ticket_card(st, "-100", id), 500);
	assert_int_equal(store_ticket_by_msg(st, "-100", 501), id);
	assert_int_equal(store_ticket_by_msg(st, "-100", 502), 0);

	/* resolved once; then no longer active; feedback once */
	assert_int_equal(store_ticket_resolve(st, id), 0);
	assert_int_equal(store_ticket_resolve(st, id), 1);
	assert_int_equal(store_ticket_claim(st, id, "78", "Hoa"), 1);
	assert_int_equal(store_ticket_active(st, "telegram", "5", &t), 0);
	assert_int_equal(store_tickets_count_active(st), 1);
	assert_int_equal(store_ticket_feedback(st, "telegram", "5", 1), id);
	assert_int_equal(store_ticket_feedback(st, "telegram", "5", -1), 0);
	assert_int_equal(store_ticket_get(st, id, &t), 1);
	assert_string_equal(t.status, "resolved");
	assert_true(t.resolved_at >= t.claimed_at);
	store_close(st);
}

static void
test_relay_rows(void **state)
{
	char dir[256];
	struct store *st = open_store(dir, sizeof(dir));
	struct relay_row v[4];
	int64_t tid = 0, at = 0;

	(void)state;
	assert_int_equal(store_relay_count(st), 0);
	assert_int_equal(store_relay_oldest(st, &tid, &at), 0);
	assert_int_equal(store_relay_hold(st, 3, "text", "một", 0), 0);
	assert_int_equal(store_relay_hold(st, 4, "copy", "ảnh", 88), 0);
	assert_int_equal(store_relay_hold(st, 3, "text", "hai", 0), 0);
	assert_int_equal(store_relay_count(st), 3);
	assert_int_equal(store_relay_oldest(st, &tid, &at), 1);
	assert_int_equal(tid, 3);
	assert_true(at > 0);
	assert_int_equal(store_relay_rows(st, 3, v, 4), 2);
	assert_string_equal(v[0].text, "một");
	assert_string_equal(v[1].text, "hai");
	assert_string_equal(v[1].kind, "text");
	assert_true(v[0].id < v[1].id);
	assert_int_equal(store_relay_drop(st, 3, v[0].id), 0);
	store_relay_rows_release(v, 2);
	assert_int_equal(store_relay_rows(st, 3, v, 4), 1);
	assert_string_equal(v[0].text, "hai");
	store_relay_rows_release(v, 1);
	assert_int_equal(store_relay_rows(st, 4, v, 1), 1);
	assert_string_equal(v[0].kind, "copy");
	assert_int_equal(v[0].message_id, 88);
	store_relay_rows_release(v, 1);
	store_close(st);
}

static void
test_chats_and_moves(void **state)
{
	char dir[256], to[64];
	struct store *st = open_store(dir, sizeof(dir));
	struct store_chat c;
	struct outbox_item it;

	(void)state;
	assert_int_equal(store_chat_get(st, "telegram", "-1", &c), 0);
	assert_int_equal(c.flood_count, 0);
	assert_int_equal(c.conv.nmenu, 0);
	snprintf(c.conv.topic, sizeof(c.conv.topic), "vneid.cai");
	c.conv.nmenu = 2;
	snprintf(c.conv.menu[0], CONV_ID_MAX, "a.b");
	snprintf(c.conv.menu[1], CONV_ID_MAX, "c.d");
	c.flood_count = 3;
	c.flood_start = 1234;
	assert_int_equal(store_chat_put(st, "telegram", "-1", &c), 0);
	memset(&c, 0, sizeof(c));
	assert_int_equal(store_chat_get(st, "telegram", "-1", &c), 0);
	assert_string_equal(c.conv.topic, "vneid.cai");
	assert_int_equal(c.conv.nmenu, 2);
	assert_string_equal(c.conv.menu[1], "c.d");
	assert_int_equal(c.flood_count, 3);
	assert_int_equal(c.flood_start, 1234);

	/* a group became a supergroup, which moved again: followed, and the
	 * pending replies (their bodies too) go to the new id */
	assert_int_equal(store_outbox_add(st, "telegram", "-1", 1, "sendMessage",
	    "{\"chat_id\":\"-1\",\"text\":\"x\"}", 0), 0);
	assert_int_equal(store_chat_moved(st, "telegram", "-1", to, sizeof(to)),
	    0);
	assert_int_equal(store_chat_move(st, "telegram", "-1", "-1002"), 0);
	assert_int_equal(store_chat_move(st, "telegram", "-1002", "-1003"), 0);
	assert_int_equal(store_chat_moved(st, "telegram", "-1", to, sizeof(to)),
	    1);
	assert_string_equal(to, "-1003");
	assert_int_equal(store_chat_moved(st, "zalo", "-1", to, sizeof(to)), 0);
	assert_int_equal(store_outbox_head(st, "telegram", "-1", &it), 0);
	assert_int_equal(store_outbox_head(st, "telegram", "-1003", &it), 1);
	assert_non_null(strstr(it.body, "\"chat_id\":\"-1003\""));
	store_outbox_item_release(&it);
	store_close(st);
}

static void
test_prune(void **state)
{
	char dir[256];
	struct store *st = open_store(dir, sizeof(dir));
	int64_t now = store_now_ms();

	(void)state;
	assert_int_equal(store_mark_processed(st, "telegram", "1"), 0);
	assert_int_equal(store_log(st, "telegram", "1", "in", "hỏi", NULL,
	    NULL), 0);
	assert_int_equal(store_unanswered(st, "telegram", "1", "hỏi"), 0);
	add(st, "telegram", "1", "a");
	assert_int_equal(store_outbox_sent(st, 1), 0);
	/* nothing is old yet */
	assert_int_equal(store_prune(st, now, 30), 0);
	/* 40 days on: all of it (the sent row, the id, the log, the question) */
	assert_int_equal(store_prune(st, now + 40 * 86400000LL, 30), 4);
	assert_int_equal(store_seen(st, "telegram", "1"), 0);
	store_close(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_heads_per_platform_and_done),
		cmocka_unit_test(test_check_notices_the_file_gone),
		cmocka_unit_test(test_open_migrates_and_refuses_newer),
		cmocka_unit_test(test_update_ids_dedupe),
		cmocka_unit_test(test_outbox_sent_retry_failed),
		cmocka_unit_test(test_tickets),
		cmocka_unit_test(test_relay_rows),
		cmocka_unit_test(test_chats_and_moves),
		cmocka_unit_test(test_prune),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
