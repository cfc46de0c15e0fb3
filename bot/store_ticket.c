/*
 * The store's hand-offs to people (see bot/handoff.c): tickets and the
 * group messages that belong to them, the volunteers, and the resident's
 * messages held back while the group's queue is busy.
 */
#include "store.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store_int.h"
#include "util.h"

#define TICKET_COLS "id, platform, chat_id, COALESCE(user_name, ''), tier, " \
	"reason, COALESCE(question, ''), status, COALESCE(volunteer_id, ''), " \
	"COALESCE(volunteer_name, ''), created, COALESCE(claimed_at, 0), " \
	"COALESCE(first_reply_at, 0), COALESCE(resolved_at, 0), " \
	"COALESCE(announced_at, 0), COALESCE(escalated_at, 0)"

static void
fill_ticket(sqlite3_stmt *st, void *arg)
{
	struct ticket *t = arg;

	memset(t, 0, sizeof(*t));
	t->id = sqlite3_column_int64(st, 0);
	snprintf(t->platform, sizeof(t->platform), "%s", sqlite3_column_text(st, 1));
	snprintf(t->chat_id, sizeof(t->chat_id), "%s", sqlite3_column_text(st, 2));
	utf8_copy(t->user_name, sizeof(t->user_name),
	    (const char *)sqlite3_column_text(st, 3));
	t->tier = sqlite3_column_int(st, 4);
	snprintf(t->reason, sizeof(t->reason), "%s", sqlite3_column_text(st, 5));
	utf8_copy(t->question, sizeof(t->question),
	    (const char *)sqlite3_column_text(st, 6));
	snprintf(t->status, sizeof(t->status), "%s", sqlite3_column_text(st, 7));
	snprintf(t->volunteer_id, sizeof(t->volunteer_id), "%s",
	    sqlite3_column_text(st, 8));
	utf8_copy(t->volunteer_name, sizeof(t->volunteer_name),
	    (const char *)sqlite3_column_text(st, 9));
	t->created = sqlite3_column_int64(st, 10);
	t->claimed_at = sqlite3_column_int64(st, 11);
	t->first_reply_at = sqlite3_column_int64(st, 12);
	t->resolved_at = sqlite3_column_int64(st, 13);
	t->announced_at = sqlite3_column_int64(st, 14);
	t->escalated_at = sqlite3_column_int64(st, 15);
}

int64_t
store_ticket_open(struct store *s, const char *platform, const char *chat_id,
    const char *user_name, int tier, const char *reason, const char *question)
{
	const char *a[] = { platform, chat_id, user_name, reason, question };
	int64_t ints[] = { tier, store_now_ms() };

	if (store_run(s, "INSERT INTO tickets(platform, chat_id, user_name, reason, "
	    "question, tier, created, announced_at) VALUES(?1,?2,?3,?4,?5,?6,?7,"
	    "?7)", 5, a, 2, ints) < 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

int
store_ticket_active(struct store *s, const char *platform, const char *chat_id,
    struct ticket *t)
{
	const char *a[] = { platform, chat_id };

	return store_row(s, store_bind(s, "SELECT " TICKET_COLS " FROM tickets "
	    "WHERE platform=?1 AND chat_id=?2 AND status IN ('open','claimed') "
	    /* a case a volunteer forwarded is about someone else: the
	     * volunteer's own chat must not be silenced by it */
	    "AND reason<>'forwarded' ORDER BY id DESC LIMIT 1", 2, a, 0, NULL),
	    fill_ticket, t);
}

int
store_ticket_get(struct store *s, int64_t id, struct ticket *t)
{
	return store_row(s, store_bind(s, "SELECT " TICKET_COLS " FROM tickets "
	    "WHERE id=?1", 0, NULL, 1, &id), fill_ticket, t);
}

int
store_ticket_claim(struct store *s, int64_t id, const char *vol_id,
    const char *vol_name)
{
	const char *a[] = { vol_id, vol_name };
	int64_t ints[] = { store_now_ms(), id };

	if (store_run(s, "UPDATE tickets SET status='claimed', volunteer_id=?1, "
	    "volunteer_name=?2, claimed_at=?3 WHERE id=?4 AND status='open'",
	    2, a, 2, ints) < 0)
		return -1;
	return sqlite3_changes(s->db) ? 0 : 1;
}

int
store_ticket_replied(struct store *s, int64_t id)
{
	int64_t ints[] = { store_now_ms(), id };

	return store_run(s, "UPDATE tickets SET first_reply_at=COALESCE(first_reply_at,"
	    " ?1) WHERE id=?2", 0, NULL, 2, ints);
}

int
store_ticket_resolve(struct store *s, int64_t id)
{
	int64_t ints[] = { store_now_ms(), id };

	if (store_run(s, "UPDATE tickets SET status='resolved', resolved_at=?1 WHERE "
	    "id=?2 AND status IN ('open','claimed')", 0, NULL, 2, ints) < 0)
		return -1;
	return sqlite3_changes(s->db) ? 0 : 1;
}

int64_t
store_ticket_feedback(struct store *s, const char *platform,
    const char *chat_id, int value)
{
	const char *a[] = { platform, chat_id };
	int64_t since = store_now_ms() - 24 * 3600 * 1000LL, id = 0;
	int64_t ints[2];
	int rc;

	rc = store_row(s, store_bind(s, "SELECT id FROM tickets WHERE "
	    "platform=?1 AND chat_id=?2 AND status='resolved' AND feedback IS "
	    "NULL AND resolved_at>=?3 ORDER BY id DESC LIMIT 1", 2, a, 1, &since),
	    store_col_int64, &id);
	if (rc <= 0)
		return rc;
	ints[0] = value;
	ints[1] = id;
	if (store_run(s, "UPDATE tickets SET feedback=?1 WHERE id=?2", 0, NULL, 2,
	    ints) < 0)
		return -1;
	return id;
}

int
store_ticket_set(struct store *s, int64_t id, const char *what, int64_t v)
{
	int64_t ints[] = { v, id };

	if (strcmp(what, "announced_at") == 0)
		return store_run(s, "UPDATE tickets SET announced_at=?1 WHERE id=?2", 0,
		    NULL, 2, ints);
	if (strcmp(what, "escalated_at") == 0)
		return store_run(s, "UPDATE tickets SET escalated_at=?1, tier=2 WHERE id=?2",
		    0, NULL, 2, ints);
	return -1;
}

int
store_ticket_msg_add(struct store *s, const char *chat_id, int64_t message_id,
    int64_t ticket_id)
{
	const char *a[] = { chat_id };
	int64_t ints[] = { message_id, ticket_id };

	return store_run(s, "INSERT OR IGNORE INTO ticket_msgs(chat_id, message_id, "
	    "ticket_id) VALUES(?1,?2,?3)", 1, a, 2, ints);
}

/* Column 0 of the row of a ticket_msgs query on (chat_id, n): >= 0, or -1. */
static int64_t
msg_lookup(struct store *s, const char *sql, const char *chat_id, int64_t n)
{
	const char *a[] = { chat_id };
	int64_t v = 0;

	if (store_row(s, store_bind(s, sql, 1, a, 1, &n), store_col_int64,
	    &v) < 0)
		return -1;
	return v;
}

int64_t
store_ticket_by_msg(struct store *s, const char *chat_id, int64_t message_id)
{
	return msg_lookup(s, "SELECT ticket_id FROM ticket_msgs WHERE "
	    "chat_id=?1 AND message_id=?2", chat_id, message_id);
}

int64_t
store_ticket_card(struct store *s, const char *chat_id, int64_t ticket_id)
{
	/* MIN() of no rows is NULL, read as 0 */
	int64_t id = msg_lookup(s, "SELECT MIN(message_id) FROM ticket_msgs "
	    "WHERE chat_id=?1 AND ticket_id=?2", chat_id, ticket_id);

	return id < 0 ? 0 : id;
}

static void
fill_ticket_at(sqlite3_stmt *st, void *arg, int i)
{
	fill_ticket(st, (struct ticket *)arg + i);
}

int
store_tickets_active(struct store *s, struct ticket *v, int max, int skip)
{
	int64_t ints[] = { max, skip };

	return store_rows(s, store_bind(s, "SELECT " TICKET_COLS " FROM tickets "
	    "WHERE status IN ('open','claimed') ORDER BY id LIMIT ?1 OFFSET ?2",
	    0, NULL, 2, ints), max, fill_ticket_at, v);
}

int
store_tickets_count_active(struct store *s)
{
	return store_count(s, "SELECT COUNT(*) FROM tickets WHERE "
	    "status IN ('open','claimed')", 0, NULL);
}

int
store_volunteer_seen(struct store *s, const char *user_id, const char *name)
{
	const char *a[] = { user_id, name };
	int64_t now = store_now_ms();

	/* writing in the group shows they are in it now */
	return store_run(s, "INSERT INTO volunteers(user_id, name, seen, checked) "
	    "VALUES(?1,?2,?3,?3) ON CONFLICT(user_id) DO UPDATE SET "
	    "name=excluded.name, seen=excluded.seen, checked=excluded.checked",
	    2, a, 1, &now);
}

int
store_volunteer_checked(struct store *s, const char *user_id,
    int64_t *checked)
{
	const char *a[] = { user_id };

	return store_row(s, store_bind(s, "SELECT checked FROM volunteers WHERE "
	    "user_id=?1", 1, a, 0, NULL), store_col_int64, checked);
}

int
store_volunteer_confirm(struct store *s, const char *user_id, int64_t when)
{
	const char *a[] = { user_id };

	return store_run(s, "UPDATE volunteers SET checked=?2 WHERE user_id=?1", 1, a,
	    1, &when);
}

int
store_volunteer_forget(struct store *s, const char *user_id)
{
	const char *a[] = { user_id };

	return store_run(s, "DELETE FROM volunteers WHERE user_id=?1", 1, a, 0, NULL);
}

int
store_is_volunteer(struct store *s, const char *user_id)
{
	const char *a[] = { user_id };

	return store_row(s, store_bind(s, "SELECT 1 FROM volunteers WHERE "
	    "user_id=?1", 1, a, 0, NULL), NULL, NULL) == 1;
}

int
store_relay_hold(struct store *s, int64_t ticket_id, const char *kind,
    const char *text, int64_t message_id)
{
	const char *a[] = { kind, text };
	int64_t ints[] = { ticket_id, message_id, store_now_ms() };

	return store_run(s, "INSERT INTO relay_held(kind, text, ticket_id, message_id, "
	    "at) VALUES(?1,?2,?3,?4,?5)", 2, a, 3, ints);
}

int
store_relay_count(struct store *s)
{
	return store_count(s, "SELECT COUNT(*) FROM relay_held", 0, NULL);
}

struct oldest {
	int64_t *ticket_id, *at;
};

static void
fill_oldest(sqlite3_stmt *st, void *arg)
{
	struct oldest *o = arg;

	*o->ticket_id = sqlite3_column_int64(st, 0);
	*o->at = sqlite3_column_int64(st, 1);
}

int
store_relay_oldest(struct store *s, int64_t *ticket_id, int64_t *at)
{
	struct oldest o = { ticket_id, at };

	return store_row(s, store_prep(s, "SELECT ticket_id, at FROM relay_held "
	    "ORDER BY id LIMIT 1"), fill_oldest, &o);
}

static void
fill_relay_at(sqlite3_stmt *st, void *arg, int i)
{
	struct relay_row *r = (struct relay_row *)arg + i;

	r->id = sqlite3_column_int64(st, 0);
	snprintf(r->kind, sizeof(r->kind), "%s", sqlite3_column_text(st, 1));
	r->text = xstrdup((const char *)sqlite3_column_text(st, 2));
	r->message_id = sqlite3_column_int64(st, 3);
	r->at = sqlite3_column_int64(st, 4);
}

int
store_relay_rows(struct store *s, int64_t ticket_id, struct relay_row *v,
    int max)
{
	int64_t ints[] = { ticket_id, max };
	int i, n;

	for (i = 0; i < max; i++)
		v[i].text = NULL;       /* an error part-way frees what was read */
	n = store_rows(s, store_bind(s, "SELECT id, kind, text, message_id, at "
	    "FROM relay_held WHERE ticket_id=?1 ORDER BY id LIMIT ?2", 0, NULL, 2,
	    ints), max, fill_relay_at, v);
	if (n < 0)
		store_relay_rows_release(v, max);
	return n;
}

void
store_relay_rows_release(struct relay_row *v, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		free(v[i].text);
		v[i].text = NULL;
	}
}

int
store_relay_drop(struct store *s, int64_t ticket_id, int64_t upto_id)
{
	int64_t ints[] = { ticket_id, upto_id };

	return store_run(s, "DELETE FROM relay_held WHERE ticket_id=?1 AND id<=?2", 0,
	    NULL, 2, ints);
}
