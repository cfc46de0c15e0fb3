/*
 * The store's outbox: replies queued in the transaction that marks their
 * updates processed, sent one head per chat in id order (see store.h).
 */
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "util.h"

int
store_outbox_add(struct store *s, const char *platform, const char *chat_id,
    int is_group, const char *method, const char *body, int64_t received_us)
{
	return store_outbox_add_ticket(s, platform, chat_id, is_group, method,
	    body, received_us, 0);
}

int
store_outbox_add_ticket(struct store *s, const char *platform,
    const char *chat_id, int is_group, const char *method, const char *body,
    int64_t received_us, int64_t ticket_id)
{
	const char *a[] = { platform, chat_id, method, body };
	int64_t ints[] = { is_group, received_us, ticket_id };

	return store_run(s, "INSERT INTO outbox(platform, chat_id, method, body, "
	    "is_group, created_us, ticket_id) VALUES(?1,?2,?3,?4,?5,?6,"
	    "NULLIF(?7, 0))", 4, a, 3, ints);
}

static void
fill_item(sqlite3_stmt *st, void *arg)
{
	struct outbox_item *it = arg;

	it->id = sqlite3_column_int64(st, 0);
	snprintf(it->platform, sizeof(it->platform), "%s",
	    sqlite3_column_text(st, 1));
	snprintf(it->chat_id, sizeof(it->chat_id), "%s",
	    sqlite3_column_text(st, 2));
	it->is_group = sqlite3_column_int(st, 3);
	snprintf(it->method, sizeof(it->method), "%s", sqlite3_column_text(st, 4));
	it->body = xstrdup((const char *)sqlite3_column_text(st, 5));
	it->attempts = sqlite3_column_int(st, 6);
	it->created_us = sqlite3_column_int64(st, 7);
	it->not_before = sqlite3_column_int64(st, 8);
	it->ticket_id = sqlite3_column_int64(st, 9);
}

#define OUTBOX_COLS "id, platform, chat_id, is_group, method, body, attempts, " \
	"created_us, not_before, ticket_id"
#define OUTBOX_SCAN 8192

static int
id_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

int
store_outbox_heads(struct store *s, const char *platform, int64_t now_ms,
    const int64_t *gone, size_t ngone, struct outbox_item *v, int max,
    int64_t *next_due)
{
	const char *a[] = { platform };
	sqlite3_stmt *st = store_bind(s, "SELECT " OUTBOX_COLS " FROM outbox "
	    "WHERE status='pending' AND platform=?1 ORDER BY id LIMIT 8192", 1, a,
	    0, NULL);
	uint64_t *seen;         /* open-addressing set of chats met so far */
	size_t mask = 2 * OUTBOX_SCAN - 1, k;
	int n = 0;

	*next_due = -1;
	if (!st)
		return -1;
	seen = xcalloc(mask + 1, sizeof(*seen));
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 1);
		const char *c = (const char *)sqlite3_column_text(st, 2);
		uint64_t key = hash64(c, strlen(c), hash64(p, strlen(p), 3)) | 1;
		int64_t nb = sqlite3_column_int64(st, 8);
		int64_t id = sqlite3_column_int64(st, 0);

		if (ngone && bsearch(&id, gone, ngone, sizeof(*gone), id_cmp))
			continue;
		/* only a chat's oldest pending message may go: order per chat.
		 * Calls without a chat (a press's answer, setMyCommands) are no
		 * chat's replies and need no order: each is a head of its own,
		 * or one that is retried would hold up every other. */
		if (c[0]) {
			for (k = key & mask; seen[k] && seen[k] != key;
			    k = (k + 1) & mask)
				;
			if (seen[k])
				continue;
			seen[k] = key;
		}
		if (nb > now_ms) {
			if (*next_due < 0 || nb < *next_due)
				*next_due = nb;
			continue;
		}
		fill_item(st, &v[n++]);
	}
	free(seen);
	store_done(s, st);
	return n;
}

int
store_outbox_head(struct store *s, const char *platform, const char *chat_id,
    struct outbox_item *it)
{
	const char *a[] = { platform, chat_id };

	return store_row(s, store_bind(s, "SELECT " OUTBOX_COLS " FROM outbox "
	    "WHERE status='pending' AND platform=?1 AND chat_id=?2 ORDER BY id "
	    "LIMIT 1", 2, a, 0, NULL), fill_item, it);
}

void
store_outbox_item_release(struct outbox_item *it)
{
	free(it->body);
	it->body = NULL;
}

int
store_outbox_sent(struct store *s, int64_t id)
{
	int64_t ints[] = { store_now_ms(), id };

	/* delivered: its text (a volunteer's words, verbatim) is not kept */
	return store_run(s, "UPDATE outbox SET status='sent', done_at=?1, body='' "
	    "WHERE id=?2",
	    0, NULL, 2, ints);
}

int
store_outbox_retry(struct store *s, int64_t id, int64_t not_before_ms,
    const char *err, int count_attempt)
{
	const char *a[] = { err };
	int64_t ints[] = { not_before_ms, id, count_attempt ? 1 : 0 };

	return store_run(s, "UPDATE outbox SET attempts=attempts+?4, last_error=?1, "
	    "not_before=?2 WHERE id=?3", 1, a, 3, ints);
}

int
store_outbox_failed(struct store *s, int64_t id, const char *err)
{
	const char *a[] = { err };
	int64_t ints[] = { store_now_ms(), id };

	return store_run(s, "UPDATE outbox SET status='failed', last_error=?1, "
	    "done_at=?2, attempts=attempts+1, body='' WHERE id=?3", 1, a, 2, ints);
}

int
store_outbox_migrate(struct store *s, const char *platform, const char *from,
    const char *to)
{
	const char *a[] = { to, platform, from };

	/* the body names the chat too, and it is what gets sent */
	return store_run(s, "UPDATE outbox SET chat_id=?1, body=CASE WHEN "
	    "json_valid(body) AND json_type(body, '$.chat_id') IS NOT NULL THEN "
	    "json_set(body, '$.chat_id', ?1) ELSE body END WHERE platform=?2 AND "
	    "chat_id=?3 AND status='pending'", 3, a, 0, NULL);
}

static void
fill_pending(sqlite3_stmt *st, void *arg)
{
	int64_t *v = arg;

	v[0] = sqlite3_column_int64(st, 0);
	v[1] = sqlite3_column_int64(st, 1);
}

int
store_outbox_pending(struct store *s, int64_t *next_due_ms)
{
	int64_t v[2];

	*next_due_ms = -1;
	if (store_row(s, store_prep(s, "SELECT COUNT(*), MIN(not_before) FROM "
	    "outbox WHERE status='pending'"), fill_pending, v) != 1)
		return -1;
	if (v[0])
		*next_due_ms = v[1];
	return (int)v[0];
}

int
store_outbox_chat_pending(struct store *s, const char *platform,
    const char *chat_id)
{
	const char *a[] = { platform, chat_id };

	return store_count(s, "SELECT COUNT(*) FROM outbox WHERE status='pending' "
	    "AND platform=?1 AND chat_id=?2", 2, a);
}
