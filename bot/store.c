#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"
#include "store_int.h"
#include "util.h"
#include "zalo_oa.h"

/* Migrations: entry i brings user_version i to i+1. Never edit a shipped one. */
static const char *const migrations[] = {
	"CREATE TABLE processed(platform TEXT NOT NULL, update_id TEXT NOT NULL,"
	"  at INTEGER NOT NULL, PRIMARY KEY(platform, update_id)) WITHOUT ROWID;"
	"CREATE TABLE offsets(platform TEXT PRIMARY KEY, next INTEGER NOT NULL);"
	"CREATE TABLE chats(platform TEXT NOT NULL, chat_id TEXT NOT NULL,"
	"  state TEXT NOT NULL, flood_start INTEGER NOT NULL DEFAULT 0,"
	"  flood_count INTEGER NOT NULL DEFAULT 0,"
	"  flood_noticed INTEGER NOT NULL DEFAULT 0, updated INTEGER NOT NULL,"
	"  PRIMARY KEY(platform, chat_id)) WITHOUT ROWID;"
	"CREATE TABLE outbox(id INTEGER PRIMARY KEY, platform TEXT NOT NULL,"
	"  chat_id TEXT NOT NULL, is_group INTEGER NOT NULL, method TEXT NOT NULL,"
	"  body TEXT NOT NULL, created_us INTEGER NOT NULL,"
	"  not_before INTEGER NOT NULL DEFAULT 0, attempts INTEGER NOT NULL DEFAULT 0,"
	"  status TEXT NOT NULL DEFAULT 'pending', last_error TEXT, done_at INTEGER);"
	"CREATE INDEX outbox_chat ON outbox(status, platform, chat_id, id);"
	"CREATE INDEX outbox_pending ON outbox(status, id);"
	"CREATE TABLE messages(id INTEGER PRIMARY KEY, platform TEXT NOT NULL,"
	"  chat_id TEXT NOT NULL, dir TEXT NOT NULL, text TEXT NOT NULL,"
	"  topic TEXT, action TEXT, at INTEGER NOT NULL);"
	"CREATE TABLE topic_counts(topic TEXT PRIMARY KEY, n INTEGER NOT NULL);"
	"CREATE TABLE unanswered(id INTEGER PRIMARY KEY, platform TEXT NOT NULL,"
	"  chat_id TEXT NOT NULL, text TEXT NOT NULL, at INTEGER NOT NULL);",

	/* 2: hand-offs to volunteers. Times are ms since the epoch. */
	"CREATE TABLE tickets(id INTEGER PRIMARY KEY,"
	"  platform TEXT NOT NULL, chat_id TEXT NOT NULL, user_name TEXT,"
	"  tier INTEGER NOT NULL DEFAULT 1,"         /* 1 volunteers, 2 admins */
	"  reason TEXT NOT NULL,"       /* asked, fallback, media, forwarded */
	"  question TEXT,"              /* redacted */
	"  status TEXT NOT NULL DEFAULT 'open',"     /* open, claimed, resolved */
	"  volunteer_id TEXT, volunteer_name TEXT,"
	"  created INTEGER NOT NULL, claimed_at INTEGER, first_reply_at INTEGER,"
	"  resolved_at INTEGER, announced_at INTEGER, escalated_at INTEGER,"
	"  feedback INTEGER);"          /* 1 thumbs up, -1 down, NULL none */
	"CREATE INDEX tickets_chat ON tickets(platform, chat_id, status);"
	/* group messages that belong to a ticket (its card, relayed messages),
	 * so a volunteer's Telegram reply finds its ticket */
	"CREATE TABLE ticket_msgs(chat_id TEXT NOT NULL,"
	"  message_id INTEGER NOT NULL, ticket_id INTEGER NOT NULL,"
	"  PRIMARY KEY(chat_id, message_id)) WITHOUT ROWID;"
	"ALTER TABLE outbox ADD COLUMN ticket_id INTEGER;"
	/* who wrote in the volunteers' group: recognised in private chats */
	"CREATE TABLE volunteers(user_id TEXT PRIMARY KEY, name TEXT,"
	"  seen INTEGER NOT NULL) WITHOUT ROWID;",

	/* 3: tickets under load and over time. A resident's messages held
	 * back while the group's queue is busy, then sent as one (redacted;
	 * kind 'copy' is a Telegram media message, text its caption). */
	"CREATE TABLE relay_held(id INTEGER PRIMARY KEY,"
	"  ticket_id INTEGER NOT NULL, kind TEXT NOT NULL, text TEXT NOT NULL,"
	"  message_id INTEGER NOT NULL DEFAULT 0, at INTEGER NOT NULL);"
	"CREATE INDEX relay_held_ticket ON relay_held(ticket_id, id);"
	/* when a volunteer was last known to be in the group (ms) */
	"ALTER TABLE volunteers ADD COLUMN checked INTEGER NOT NULL DEFAULT 0;"
	/* a group that became a supergroup, followed across restarts */
	"CREATE TABLE chat_moves(platform TEXT NOT NULL, from_id TEXT NOT NULL,"
	"  to_id TEXT NOT NULL, at INTEGER NOT NULL,"
	"  PRIMARY KEY(platform, from_id)) WITHOUT ROWID;",

	/* 4: the Zalo Official Account. Its refresh token is single-use: the
	 * one row holds the newest refresh token with the access token it
	 * came with, so one statement replaces both. seed is the SHA-256 of
	 * the configured refresh token this chain grew from, so a new one in
	 * the configuration is noticed. */
	"CREATE TABLE oa_token(id INTEGER PRIMARY KEY CHECK(id = 1),"
	"  seed TEXT NOT NULL, refresh TEXT NOT NULL, access TEXT NOT NULL,"
	"  expires_at INTEGER NOT NULL, updated INTEGER NOT NULL);"
	/* the free replies of the 48 h window, per resident (ms) */
	"CREATE TABLE oa_window(user_id TEXT PRIMARY KEY,"
	"  last_in INTEGER NOT NULL, sent INTEGER NOT NULL DEFAULT 0)"
	"  WITHOUT ROWID;",

	/* 5: the msg_id of the resident's latest message, which the OA's
	 * sends name so that Zalo counts them as replies ('' none yet) */
	"ALTER TABLE oa_window ADD COLUMN last_msg TEXT NOT NULL DEFAULT '';",
};
_Static_assert(ARRAY_SIZE(migrations) == STORE_SCHEMA_VERSION,
    "a new migration: bump STORE_SCHEMA_VERSION in include/store.h");

/* clock.c's, so that a test's fake clock moves the store's stamps too */
int64_t
store_now_ms(void)
{
	return clock_now_ms();
}

int64_t
store_now_us(void)
{
	return clock_now_us();
}

int
store_exec(struct store *s, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("store: %s", err ? err : sqlite3_errmsg(s->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

sqlite3_stmt *
store_prep(struct store *s, const char *sql)
{
	sqlite3_stmt *st = NULL;
	size_t i;

	for (i = 0; i < STMT_CACHE && s->cache[i].sql; i++)
		if (s->cache[i].sql == sql)
			return s->cache[i].st;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
	    NULL) != SQLITE_OK) {
		log_error("store: %s: %s", sqlite3_errmsg(s->db), sql);
		return NULL;
	}
	if (i < STMT_CACHE) {
		s->cache[i].sql = sql;
		s->cache[i].st = st;
	}
	return st;
}

void
store_done(struct store *s, sqlite3_stmt *st)
{
	size_t i;

	for (i = 0; i < STMT_CACHE && s->cache[i].sql; i++) {
		if (s->cache[i].st == st) {
			sqlite3_reset(st);
			sqlite3_clear_bindings(st);
			return;
		}
	}
	sqlite3_finalize(st);   /* not cached (cache full): NULL is fine too */
}

sqlite3_stmt *
store_bind(struct store *s, const char *sql, int n, const char *const *args,
    int nint, const int64_t *ints)
{
	sqlite3_stmt *st = store_prep(s, sql);
	int i;

	if (!st)
		return NULL;
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
	for (i = 0; i < nint; i++)
		sqlite3_bind_int64(st, n + i + 1, ints[i]);
	return st;
}

int
store_run(struct store *s, const char *sql, int n, const char *const *args,
    int nint, const int64_t *ints)
{
	sqlite3_stmt *st = store_bind(s, sql, n, args, nint, ints);
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	store_done(s, st);
	if (rc != SQLITE_DONE) {
		log_error("store: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
}

int
store_row(struct store *s, sqlite3_stmt *st,
    void (*fill)(sqlite3_stmt *st, void *arg), void *arg)
{
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && fill)
		fill(st, arg);
	else if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		log_error("store: %s", sqlite3_errmsg(s->db));
	store_done(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_rows(struct store *s, sqlite3_stmt *st, int max,
    void (*fill)(sqlite3_stmt *st, void *arg, int i), void *arg)
{
	int n = 0, rc = SQLITE_DONE;

	if (!st)
		return -1;
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		fill(st, arg, n++);
	if (n < max && rc != SQLITE_DONE) {
		log_error("store: %s", sqlite3_errmsg(s->db));
		n = -1;
	}
	store_done(s, st);
	return n;
}

void
store_col_int64(sqlite3_stmt *st, void *arg)
{
	*(int64_t *)arg = sqlite3_column_int64(st, 0);
}

int
store_count(struct store *s, const char *sql, int n, const char *const *args)
{
	int64_t c;

	if (store_row(s, store_bind(s, sql, n, args, 0, NULL), store_col_int64,
	    &c) != 1)
		return -1;
	return (int)c;
}

struct store *
store_open(const char *path)
{
	struct store *s = xcalloc(1, sizeof(*s));
	sqlite3_stmt *st;
	int version, fd;
	size_t i;

	/* Create it 0600 before SQLite does (which would honour the umask). */
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		log_error("store: cannot open '%s': %m", path);
		free(s);
		return NULL;
	}
	(void)fchmod(fd, 0600);
	close(fd);
	if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE |
	    SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
		log_error("store: cannot open '%s': %s", path, sqlite3_errmsg(s->db));
		goto fail;
	}
	s->path = xstrdup(path);
	sqlite3_busy_timeout(s->db, 5000);
	if (store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;") < 0)
		goto fail;
	st = store_prep(s, "PRAGMA user_version");
	if (!st || sqlite3_step(st) != SQLITE_ROW) {
		store_done(s, st);
		goto fail;
	}
	version = sqlite3_column_int(st, 0);
	store_done(s, st);
	if (version > (int)ARRAY_SIZE(migrations)) {
		log_error("store: '%s' has schema version %d, newer than this "
		    "program (%zu); refusing to touch it", path, version,
		    ARRAY_SIZE(migrations));
		goto fail;
	}
	for (i = (size_t)version; i < ARRAY_SIZE(migrations); i++) {
		char sql[64];

		if (store_exec(s, "BEGIN IMMEDIATE") < 0)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%zu", i + 1);
		if (store_exec(s, migrations[i]) < 0 || store_exec(s, sql) < 0) {
			store_rollback(s);
			goto fail;
		}
		if (store_exec(s, "COMMIT") < 0)
			goto fail;
		log_info("store: migrated '%s' to schema version %zu", path, i + 1);
	}
	/* WAL and SHM files follow the database's mode only if created now. */
	{
		char side[4096];
		struct stat sb;

		if (stat(path, &sb) == 0) {
			s->dev = sb.st_dev;
			s->ino = sb.st_ino;
		}
		snprintf(side, sizeof(side), "%s-wal", path);
		(void)chmod(side, 0600);
		snprintf(side, sizeof(side), "%s-shm", path);
		(void)chmod(side, 0600);
	}
	return s;
fail:
	for (i = 0; i < STMT_CACHE; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	free(s->path);
	free(s);
	return NULL;
}

int
store_check(struct store *s)
{
	struct stat sb;

	if (stat(s->path, &sb) < 0) {
		if (errno != ENOENT && errno != ENOTDIR)
			return 0;       /* cannot tell */
		log_error("store: the database '%s' was deleted", s->path);
		return -1;
	}
	if (sb.st_dev != s->dev || sb.st_ino != s->ino) {
		log_error("store: the database '%s' was replaced by another file",
		    s->path);
		return -1;
	}
	return 0;
}

void
store_close(struct store *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < STMT_CACHE; i++)
		sqlite3_finalize(s->cache[i].st);
	sqlite3_close(s->db);
	/* The database was deleted: its WAL and SHM must not meet the fresh
	 * one the next start creates under the same name. */
	if (s->path && access(s->path, F_OK) < 0 && errno == ENOENT) {
		char side[4096];

		snprintf(side, sizeof(side), "%s-wal", s->path);
		(void)unlink(side);
		snprintf(side, sizeof(side), "%s-shm", s->path);
		(void)unlink(side);
	}
	free(s->path);
	free(s);
}

int
store_begin(struct store *s)
{
	if (store_exec(s, "BEGIN IMMEDIATE") < 0) {
		s->write_failing = 1;
		return -1;
	}
	return 0;
}

int
store_commit(struct store *s)
{
	s->write_failing = store_exec(s, "COMMIT") < 0;
	return s->write_failing ? -1 : 0;
}

void
store_rollback(struct store *s)
{
	(void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

int
store_seen(struct store *s, const char *platform, const char *update_id)
{
	const char *a[] = { platform, update_id };

	return store_row(s, store_bind(s, "SELECT 1 FROM processed WHERE "
	    "platform=?1 AND update_id=?2", 2, a, 0, NULL), NULL, NULL);
}

int
store_mark_processed(struct store *s, const char *platform,
    const char *update_id)
{
	const char *a[] = { platform, update_id };
	int64_t now = store_now_ms();

	return store_run(s, "INSERT OR IGNORE INTO processed(platform, update_id, at) "
	    "VALUES(?1, ?2, ?3)", 2, a, 1, &now);
}

int64_t
store_offset(struct store *s, const char *platform)
{
	const char *a[] = { platform };
	int64_t v = 0;

	if (store_row(s, store_bind(s, "SELECT next FROM offsets WHERE "
	    "platform=?1", 1, a, 0, NULL), store_col_int64, &v) != 1)
		return 0;
	return v;
}

int
store_set_offset(struct store *s, const char *platform, int64_t next)
{
	const char *a[] = { platform };

	return store_run(s, "INSERT INTO offsets(platform, next) VALUES(?1, ?2) "
	    "ON CONFLICT(platform) DO UPDATE SET next=excluded.next "
	    "WHERE excluded.next > offsets.next", 1, a, 1, &next);
}

/* State as text "v1\ttopic\tpage\tfallbacks\tid,id,…": readable, versioned. */
static void
state_encode(const struct conv_state *c, struct buf *b)
{
	int i;

	buf_printf(b, "v1\t%s\t%d\t%d\t", c->topic, c->page, c->fallbacks);
	for (i = 0; i < c->nmenu; i++)
		buf_printf(b, "%s%s", i ? "," : "", c->menu[i]);
}

static void
state_decode(const char *s, struct conv_state *c)
{
	char *copy = xstrdup(s), *p = copy, *f[5];
	int n = 0;

	conv_state_init(c);
	while (n < 5 && (f[n] = strsep(&p, "\t")) != NULL)
		n++;
	if (n == 5 && strcmp(f[0], "v1") == 0) {
		char *m = f[4], *id;

		snprintf(c->topic, sizeof(c->topic), "%s", f[1]);
		c->page = atoi(f[2]);
		c->fallbacks = atoi(f[3]);
		while ((id = strsep(&m, ",")) != NULL && c->nmenu < CONV_MAX_OPT)
			if (*id)
				snprintf(c->menu[c->nmenu++], CONV_ID_MAX, "%s", id);
	}
	free(copy);
}

static void
fill_chat(sqlite3_stmt *st, void *arg)
{
	struct store_chat *c = arg;

	state_decode((const char *)sqlite3_column_text(st, 0), &c->conv);
	c->flood_start = sqlite3_column_int64(st, 1);
	c->flood_count = sqlite3_column_int(st, 2);
	c->flood_noticed = sqlite3_column_int(st, 3);
}

int
store_chat_get(struct store *s, const char *platform, const char *chat_id,
    struct store_chat *c)
{
	const char *a[] = { platform, chat_id };

	memset(c, 0, sizeof(*c));
	conv_state_init(&c->conv);
	return store_row(s, store_bind(s, "SELECT state, flood_start, "
	    "flood_count, flood_noticed FROM chats WHERE platform=?1 AND "
	    "chat_id=?2", 2, a, 0, NULL), fill_chat, c) < 0 ? -1 : 0;
}

int
store_chat_put(struct store *s, const char *platform, const char *chat_id,
    const struct store_chat *c)
{
	struct buf b;
	const char *a[3];
	int64_t ints[4];
	int rc;

	buf_init(&b, 4096);
	state_encode(&c->conv, &b);
	a[0] = platform;
	a[1] = chat_id;
	a[2] = b.data;
	ints[0] = c->flood_start;
	ints[1] = c->flood_count;
	ints[2] = c->flood_noticed;
	ints[3] = store_now_ms();
	rc = store_run(s, "INSERT INTO chats(platform, chat_id, state, flood_start, "
	    "flood_count, flood_noticed, updated) VALUES(?1,?2,?3,?4,?5,?6,?7) "
	    "ON CONFLICT(platform, chat_id) DO UPDATE SET state=excluded.state, "
	    "flood_start=excluded.flood_start, flood_count=excluded.flood_count, "
	    "flood_noticed=excluded.flood_noticed, updated=excluded.updated",
	    3, a, 4, ints);
	buf_release(&b);
	return rc;
}

int
store_chat_move(struct store *s, const char *platform, const char *from,
    const char *to)
{
	const char *a[] = { platform, from, to };
	int64_t now = store_now_ms();

	/* a savepoint: one unit inside the caller's transaction or alone */
	if (store_exec(s, "SAVEPOINT chat_move") < 0)
		return -1;
	if (store_run(s, "INSERT INTO chat_moves(platform, from_id, to_id, at) "
	    "VALUES(?1,?2,?3,?4) ON CONFLICT(platform, from_id) DO UPDATE SET "
	    "to_id=excluded.to_id, at=excluded.at", 3, a, 1, &now) < 0 ||
	    store_outbox_migrate(s, platform, from, to) < 0) {
		(void)store_exec(s, "ROLLBACK TO chat_move");
		(void)store_exec(s, "RELEASE chat_move");
		return -1;
	}
	return store_exec(s, "RELEASE chat_move");
}

static void
fill_to_id(sqlite3_stmt *st, void *arg)
{
	char *cur = arg;

	snprintf(cur, 64, "%s", sqlite3_column_text(st, 0));
}

int
store_chat_moved(struct store *s, const char *platform, const char *id,
    char *out, size_t n)
{
	char cur[64];
	const char *a[] = { platform, cur };
	int hops, moved = 0;

	snprintf(cur, sizeof(cur), "%s", id);
	/* a chain (A became B became C) in a few hops; a loop stops */
	for (hops = 0; hops < 8; hops++) {
		int rc = store_row(s, store_bind(s, "SELECT to_id FROM chat_moves "
		    "WHERE platform=?1 AND from_id=?2", 2, a, 0, NULL), fill_to_id,
		    cur);

		if (rc == 0)
			break;
		if (rc < 0)
			return -1;
		moved = strcmp(cur, id) != 0;
	}
	if (moved)
		snprintf(out, n, "%s", cur);
	return moved;
}

int
store_log(struct store *s, const char *platform, const char *chat_id,
    const char *dir, const char *text, const char *topic, const char *action)
{
	/* a NULL topic or action is bound as NULL */
	const char *a[] = { platform, chat_id, dir, text, topic, action };
	int64_t now = store_now_ms();

	return store_run(s, "INSERT INTO messages(platform, chat_id, dir, text, "
	    "topic, action, at) VALUES(?1,?2,?3,?4,?5,?6,?7)", 6, a, 1, &now);
}

int
store_count_topic(struct store *s, const char *topic)
{
	const char *a[] = { topic };

	return store_run(s, "INSERT INTO topic_counts(topic, n) VALUES(?1, 1) ON "
	    "CONFLICT(topic) DO UPDATE SET n=n+1", 1, a, 0, NULL);
}

int
store_unanswered(struct store *s, const char *platform, const char *chat_id,
    const char *text)
{
	const char *a[] = { platform, chat_id, text };
	int64_t now = store_now_ms();

	return store_run(s, "INSERT INTO unanswered(platform, chat_id, text, at) "
	    "VALUES(?1,?2,?3,?4)", 3, a, 1, &now);
}

static void
fill_outbox_stats(sqlite3_stmt *st, void *arg)
{
	struct store_stats *o = arg;

	o->outbox_pending = sqlite3_column_int64(st, 0);
	o->outbox_oldest_us = sqlite3_column_int64(st, 1);
}

static void
fill_ticket_stats(sqlite3_stmt *st, void *arg)
{
	struct store_stats *o = arg;

	o->tickets = sqlite3_column_int64(st, 0);
	o->tickets_active = sqlite3_column_int64(st, 1);
	o->tickets_escalated = sqlite3_column_int64(st, 2);
}

int
store_stats(struct store *s, struct store_stats *o)
{
	memset(o, 0, sizeof(*o));
	o->write_failing = s->write_failing;
	if (store_row(s, store_prep(s, "SELECT COUNT(*), COALESCE(MIN(NULLIF("
	    "created_us, 0)), 0) FROM outbox WHERE status='pending'"),
	    fill_outbox_stats, o) != 1)
		return -1;
	if (store_row(s, store_prep(s, "SELECT COUNT(*), COALESCE(SUM(status IN "
	    "('open','claimed')), 0), COALESCE(SUM(escalated_at IS NOT NULL), 0) "
	    "FROM tickets"), fill_ticket_stats, o) != 1)
		return -1;
	return 0;
}

int
store_recent_messages(struct store *s, const char *platform,
    const char *chat_id, int max, struct buf *out)
{
	const char *a[] = { platform, chat_id };
	int64_t lim = max;
	sqlite3_stmt *st = store_bind(s, "SELECT dir, text FROM (SELECT id, dir, "
	    "text FROM messages WHERE platform=?1 AND chat_id=?2 ORDER BY id DESC "
	    "LIMIT ?3) ORDER BY id", 2, a, 1, &lim);

	if (!st)
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *dir = (const char *)sqlite3_column_text(st, 0);
		const char *txt = (const char *)sqlite3_column_text(st, 1);
		size_t n = strlen(txt), cut = n > 160 ? 160 : n;

		/* cut at a character boundary */
		while (cut < n && ((unsigned char)txt[cut] & 0xC0) == 0x80)
			cut--;
		buf_printf(out, "%s %.*s%s\n", strcmp(dir, "in") == 0 ?
		    "👤" : "🤖", (int)cut, txt, cut < n ? "…" : "");
	}
	store_done(s, st);
	return 0;
}

int
store_prune(struct store *s, int64_t now_ms, int keep_days)
{
	static const char *const sql[] = {
		"DELETE FROM processed WHERE at<?1",
		"DELETE FROM outbox WHERE status<>'pending' AND done_at<?1",
		"DELETE FROM ticket_msgs WHERE ticket_id IN (SELECT id FROM "
		    "tickets WHERE status='resolved' AND resolved_at<?1)",
		"DELETE FROM messages WHERE at<?1",
		"DELETE FROM unanswered WHERE at<?1",
	};
	int64_t week = now_ms - 7 * 86400000LL, month = now_ms - 30 * 86400000LL;
	int64_t keep = now_ms - (int64_t)keep_days * 86400000LL;
	const int64_t before[] = { week, month, month, keep, keep };
	int total = 0;
	size_t i;

	if (store_begin(s) < 0)
		return -1;
	for (i = 0; i < ARRAY_SIZE(sql); i++) {
		if (store_run(s, sql[i], 0, NULL, 1, &before[i]) < 0)
			goto fail;
		total += sqlite3_changes(s->db);
	}
	if (store_commit(s) < 0)
		goto fail;
	return total;
fail:
	store_rollback(s);
	return -1;
}

static char *
column_dup(sqlite3_stmt *st, int i)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	return xstrdup(t ? (const char *)t : "");
}

int
store_oa_token_get(struct store *s, struct store_oa_token *t)
{
	sqlite3_stmt *st = store_prep(s, "SELECT seed, refresh, access, "
	    "expires_at FROM oa_token WHERE id=1");
	int rc;

	memset(t, 0, sizeof(*t));
	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *seed = sqlite3_column_text(st, 0);

		snprintf(t->seed, sizeof(t->seed), "%s",
		    seed ? (const char *)seed : "");
		t->refresh = column_dup(st, 1);
		t->access = column_dup(st, 2);
		t->expires_at = sqlite3_column_int64(st, 3);
	}
	store_done(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_oa_token_put(struct store *s, const char *seed, const char *refresh,
    const char *access, int64_t expires_at)
{
	const char *a[3] = { seed, refresh, access };
	int64_t ints[2] = { expires_at, store_now_ms() };
	int own = sqlite3_get_autocommit(s->db), rc;

	/*
	 * synchronous=NORMAL (WAL) survives a crash of this process but may
	 * lose the last commits to a power cut, and losing this one loses
	 * the only refresh token Zalo still accepts: this write is synced.
	 * Inside a caller's transaction the caller's commit decides.
	 */
	if (own && store_exec(s, "PRAGMA synchronous=FULL") < 0)
		return -1;
	rc = store_run(s, "INSERT INTO oa_token(id, seed, refresh, access, "
	    "expires_at, updated) VALUES(1,?1,?2,?3,?4,?5) "
	    "ON CONFLICT(id) DO UPDATE SET seed=excluded.seed, "
	    "refresh=excluded.refresh, access=excluded.access, "
	    "expires_at=excluded.expires_at, updated=excluded.updated",
	    3, a, 2, ints);
	if (own && store_exec(s, "PRAGMA synchronous=NORMAL") < 0)
		rc = -1;
	return rc;
}

void
store_oa_token_release(struct store_oa_token *t)
{
	str_wipe_free(&t->refresh);
	str_wipe_free(&t->access);
	memset(t, 0, sizeof(*t));
}

int
store_oa_inbound(struct store *s, const char *user_id, int64_t at_ms,
    const char *msg_id)
{
	const char *a[2] = { user_id, msg_id ? msg_id : "" };
	int64_t ints[1] = { at_ms };

	/*
	 * Only a newer message opens a new window: a late retry of an old
	 * push must not hand back replies already spent, nor become the
	 * message replies name. An event without a msg_id (follow) keeps
	 * the one before.
	 */
	return store_run(s, "INSERT INTO oa_window(user_id, last_msg, last_in, sent) "
	    "VALUES(?1,?2,?3,0) ON CONFLICT(user_id) DO UPDATE SET "
	    "sent=CASE WHEN excluded.last_in > last_in THEN 0 ELSE sent END, "
	    "last_msg=CASE WHEN excluded.last_in >= last_in AND "
	    "excluded.last_msg <> '' THEN excluded.last_msg ELSE last_msg END, "
	    "last_in=MAX(last_in, excluded.last_in)", 2, a, 1, ints);
}

int
store_oa_last_msg(struct store *s, const char *user_id, char *msg_id,
    size_t n)
{
	sqlite3_stmt *st = store_prep(s, "SELECT last_msg FROM oa_window "
	    "WHERE user_id=?1");
	const unsigned char *t;
	int rc;

	msg_id[0] = '\0';
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, user_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && (t = sqlite3_column_text(st, 0)) &&
	    strlen((const char *)t) < n)
		snprintf(msg_id, n, "%s", (const char *)t);
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return msg_id[0] != '\0';
}

int
store_oa_replies_left(struct store *s, const char *user_id, int64_t now_ms,
    int *left)
{
	sqlite3_stmt *st = store_prep(s, "SELECT last_in, sent "
	    "FROM oa_window WHERE user_id=?1");
	int rc;

	*left = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, user_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*left = zalo_oa_replies_left(sqlite3_column_int64(st, 0),
		    sqlite3_column_int(st, 1), now_ms);
	store_done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return *left > 0;
}

int
store_oa_replies_used(struct store *s, const char *user_id, int n)
{
	const char *a[1] = { user_id };
	int64_t ints[1] = { n };

	return store_run(s, "UPDATE oa_window SET sent=sent+?2 WHERE user_id=?1",
	    1, a, 1, ints);
}
