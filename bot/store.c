#include "store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "util.h"
#include "zalo_oa.h"

#define STMT_CACHE 96     /* more than the distinct statements below */

struct store {
	sqlite3 *db;
	char *path;
	dev_t dev;              /* the file opened, to notice it deleted */
	ino_t ino;
	/* Prepared once, reused: keyed by the SQL literal's address. */
	struct {
		const char *sql;
		sqlite3_stmt *st;
	} cache[STMT_CACHE];
	int write_failing;      /* the last BEGIN or COMMIT failed */
};

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
};

int64_t
store_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t
store_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int
exec(struct store *s, const char *sql)
{
	char *err = NULL;

	if (sqlite3_exec(s->db, sql, NULL, NULL, &err) != SQLITE_OK) {
		log_error("store: %s", err ? err : sqlite3_errmsg(s->db));
		sqlite3_free(err);
		return -1;
	}
	return 0;
}

/* A ready statement; give it back with done(). */
static sqlite3_stmt *
prep(struct store *s, const char *sql)
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

static void
done(struct store *s, sqlite3_stmt *st)
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

/* Runs a statement that returns no rows; binds text args in order. */
static int
run(struct store *s, const char *sql, int n, const char *const *args,
    int nint, const int64_t *ints)
{
	sqlite3_stmt *st = prep(s, sql);
	int i, rc;

	if (!st)
		return -1;
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
	for (i = 0; i < nint; i++)
		sqlite3_bind_int64(st, n + i + 1, ints[i]);
	rc = sqlite3_step(st);
	done(s, st);
	if (rc != SQLITE_DONE) {
		log_error("store: %s", sqlite3_errmsg(s->db));
		return -1;
	}
	return 0;
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
	if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
	    "PRAGMA foreign_keys=ON;") < 0)
		goto fail;
	st = prep(s, "PRAGMA user_version");
	if (!st || sqlite3_step(st) != SQLITE_ROW) {
		done(s, st);
		goto fail;
	}
	version = sqlite3_column_int(st, 0);
	done(s, st);
	if (version > (int)ARRAY_SIZE(migrations)) {
		log_error("store: '%s' has schema version %d, newer than this "
		    "program (%zu); refusing to touch it", path, version,
		    ARRAY_SIZE(migrations));
		goto fail;
	}
	for (i = (size_t)version; i < ARRAY_SIZE(migrations); i++) {
		char sql[64];

		if (exec(s, "BEGIN IMMEDIATE") < 0)
			goto fail;
		snprintf(sql, sizeof(sql), "PRAGMA user_version=%zu", i + 1);
		if (exec(s, migrations[i]) < 0 || exec(s, sql) < 0) {
			store_rollback(s);
			goto fail;
		}
		if (exec(s, "COMMIT") < 0)
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
	if (exec(s, "BEGIN IMMEDIATE") < 0) {
		s->write_failing = 1;
		return -1;
	}
	return 0;
}

int
store_commit(struct store *s)
{
	s->write_failing = exec(s, "COMMIT") < 0;
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
	sqlite3_stmt *st = prep(s, "SELECT 1 FROM processed WHERE platform=?1 "
	    "AND update_id=?2");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, update_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	done(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_mark_processed(struct store *s, const char *platform,
    const char *update_id)
{
	const char *a[] = { platform, update_id };
	int64_t now = store_now_ms();

	return run(s, "INSERT OR IGNORE INTO processed(platform, update_id, at) "
	    "VALUES(?1, ?2, ?3)", 2, a, 1, &now);
}

int64_t
store_offset(struct store *s, const char *platform)
{
	sqlite3_stmt *st = prep(s, "SELECT next FROM offsets WHERE platform=?1");
	int64_t v = 0;

	if (!st)
		return 0;
	sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	done(s, st);
	return v;
}

int
store_set_offset(struct store *s, const char *platform, int64_t next)
{
	const char *a[] = { platform };

	return run(s, "INSERT INTO offsets(platform, next) VALUES(?1, ?2) "
	    "ON CONFLICT(platform) DO UPDATE SET next=excluded.next "
	    "WHERE excluded.next > offsets.next", 1, a, 1, &next);
}

/* State as text "v1\ttopic\tpage\tfallbacks\tid,id,…": readable, versioned. */
static void
state_encode(const struct conv_state *c, struct buf *b)
{
	int i;

	(void)buf_printf(b, "v1\t%s\t%d\t%d\t", c->topic, c->page, c->fallbacks);
	for (i = 0; i < c->nmenu; i++)
		(void)buf_printf(b, "%s%s", i ? "," : "", c->menu[i]);
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

int
store_chat_get(struct store *s, const char *platform, const char *chat_id,
    struct store_chat *c)
{
	sqlite3_stmt *st = prep(s, "SELECT state, flood_start, flood_count, "
	    "flood_noticed FROM chats WHERE platform=?1 AND chat_id=?2");
	int rc;

	memset(c, 0, sizeof(*c));
	conv_state_init(&c->conv);
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, chat_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		state_decode((const char *)sqlite3_column_text(st, 0), &c->conv);
		c->flood_start = sqlite3_column_int64(st, 1);
		c->flood_count = sqlite3_column_int(st, 2);
		c->flood_noticed = sqlite3_column_int(st, 3);
	}
	done(s, st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : -1;
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
	rc = run(s, "INSERT INTO chats(platform, chat_id, state, flood_start, "
	    "flood_count, flood_noticed, updated) VALUES(?1,?2,?3,?4,?5,?6,?7) "
	    "ON CONFLICT(platform, chat_id) DO UPDATE SET state=excluded.state, "
	    "flood_start=excluded.flood_start, flood_count=excluded.flood_count, "
	    "flood_noticed=excluded.flood_noticed, updated=excluded.updated",
	    3, a, 4, ints);
	buf_release(&b);
	return rc;
}

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

	return run(s, "INSERT INTO outbox(platform, chat_id, method, body, "
	    "is_group, created_us, ticket_id) VALUES(?1,?2,?3,?4,?5,?6,"
	    "NULLIF(?7, 0))", 4, a, 3, ints);
}

static void
fill_item(sqlite3_stmt *st, struct outbox_item *it)
{
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
	sqlite3_stmt *st = prep(s, "SELECT " OUTBOX_COLS " FROM outbox "
	    "WHERE status='pending' AND platform=?1 ORDER BY id LIMIT 8192");
	uint64_t *seen;         /* open-addressing set of chats met so far */
	size_t mask = 2 * OUTBOX_SCAN - 1, k;
	int n = 0;

	*next_due = -1;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
	seen = xcalloc(mask + 1, sizeof(*seen));
	while (n < max && sqlite3_step(st) == SQLITE_ROW) {
		const char *p = (const char *)sqlite3_column_text(st, 1);
		const char *c = (const char *)sqlite3_column_text(st, 2);
		uint64_t key = hash64(c, strlen(c), hash64(p, strlen(p), 3)) | 1;
		int64_t nb = sqlite3_column_int64(st, 8);
		int64_t id = sqlite3_column_int64(st, 0);

		if (ngone && bsearch(&id, gone, ngone, sizeof(*gone), id_cmp))
			continue;
		/* only a chat's oldest pending message may go: order per chat */
		for (k = key & mask; seen[k] && seen[k] != key; k = (k + 1) & mask)
			;
		if (seen[k])
			continue;
		seen[k] = key;
		if (nb > now_ms) {
			if (*next_due < 0 || nb < *next_due)
				*next_due = nb;
			continue;
		}
		fill_item(st, &v[n++]);
	}
	free(seen);
	done(s, st);
	return n;
}

int
store_outbox_head(struct store *s, const char *platform, const char *chat_id,
    struct outbox_item *it)
{
	sqlite3_stmt *st = prep(s, "SELECT " OUTBOX_COLS " FROM outbox "
	    "WHERE status='pending' AND platform=?1 AND chat_id=?2 ORDER BY id "
	    "LIMIT 1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, chat_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		fill_item(st, it);
	done(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

void
outbox_item_release(struct outbox_item *it)
{
	free(it->body);
	it->body = NULL;
}

int
store_outbox_sent(struct store *s, int64_t id)
{
	int64_t ints[] = { store_now_ms(), id };

	/* delivered: its text (a volunteer's words, verbatim) is not kept */
	return run(s, "UPDATE outbox SET status='sent', done_at=?1, body='' "
	    "WHERE id=?2",
	    0, NULL, 2, ints);
}

int
store_outbox_retry(struct store *s, int64_t id, int64_t not_before_ms,
    const char *err, int count_attempt)
{
	const char *a[] = { err };
	int64_t ints[] = { not_before_ms, id, count_attempt ? 1 : 0 };

	return run(s, "UPDATE outbox SET attempts=attempts+?4, last_error=?1, "
	    "not_before=?2 WHERE id=?3", 1, a, 3, ints);
}

int
store_outbox_failed(struct store *s, int64_t id, const char *err)
{
	const char *a[] = { err };
	int64_t ints[] = { store_now_ms(), id };

	return run(s, "UPDATE outbox SET status='failed', last_error=?1, "
	    "done_at=?2, attempts=attempts+1, body='' WHERE id=?3", 1, a, 2, ints);
}

int
store_outbox_migrate(struct store *s, const char *platform, const char *from,
    const char *to)
{
	const char *a[] = { to, platform, from };

	/* the body names the chat too, and it is what gets sent */
	return run(s, "UPDATE outbox SET chat_id=?1, body=CASE WHEN "
	    "json_valid(body) AND json_type(body, '$.chat_id') IS NOT NULL THEN "
	    "json_set(body, '$.chat_id', ?1) ELSE body END WHERE platform=?2 AND "
	    "chat_id=?3 AND status='pending'", 3, a, 0, NULL);
}

int
store_chat_move(struct store *s, const char *platform, const char *from,
    const char *to)
{
	const char *a[] = { platform, from, to };
	int64_t now = store_now_ms();

	/* a savepoint: one unit inside the caller's transaction or alone */
	if (exec(s, "SAVEPOINT chat_move") < 0)
		return -1;
	if (run(s, "INSERT INTO chat_moves(platform, from_id, to_id, at) "
	    "VALUES(?1,?2,?3,?4) ON CONFLICT(platform, from_id) DO UPDATE SET "
	    "to_id=excluded.to_id, at=excluded.at", 3, a, 1, &now) < 0 ||
	    store_outbox_migrate(s, platform, from, to) < 0) {
		(void)exec(s, "ROLLBACK TO chat_move");
		(void)exec(s, "RELEASE chat_move");
		return -1;
	}
	return exec(s, "RELEASE chat_move");
}

int
store_chat_moved(struct store *s, const char *platform, const char *id,
    char *out, size_t n)
{
	char cur[64];
	int hops, moved = 0;

	snprintf(cur, sizeof(cur), "%s", id);
	/* a chain (A became B became C) in a few hops; a loop stops */
	for (hops = 0; hops < 8; hops++) {
		sqlite3_stmt *st = prep(s, "SELECT to_id FROM chat_moves WHERE "
		    "platform=?1 AND from_id=?2");
		int rc;

		if (!st)
			return -1;
		sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, cur, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			snprintf(cur, sizeof(cur), "%s", sqlite3_column_text(st, 0));
		done(s, st);
		if (rc == SQLITE_DONE)
			break;
		if (rc != SQLITE_ROW)
			return -1;
		moved = strcmp(cur, id) != 0;
	}
	if (moved)
		snprintf(out, n, "%s", cur);
	return moved;
}

int
store_outbox_pending(struct store *s, int64_t *next_due_ms)
{
	sqlite3_stmt *st = prep(s, "SELECT COUNT(*), MIN(not_before) FROM outbox "
	    "WHERE status='pending'");
	int n = -1;

	*next_due_ms = -1;
	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		n = sqlite3_column_int(st, 0);
		if (n)
			*next_due_ms = sqlite3_column_int64(st, 1);
	}
	done(s, st);
	return n;
}

int
store_log(struct store *s, const char *platform, const char *chat_id,
    const char *dir, const char *text, const char *topic, const char *action)
{
	sqlite3_stmt *st = prep(s, "INSERT INTO messages(platform, chat_id, dir, "
	    "text, topic, action, at) VALUES(?1,?2,?3,?4,?5,?6,?7)");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, chat_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, dir, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, text, -1, SQLITE_STATIC);
	if (topic)
		sqlite3_bind_text(st, 5, topic, -1, SQLITE_STATIC);
	if (action)
		sqlite3_bind_text(st, 6, action, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 7, store_now_ms());
	rc = sqlite3_step(st);
	done(s, st);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
store_count_topic(struct store *s, const char *topic)
{
	const char *a[] = { topic };

	return run(s, "INSERT INTO topic_counts(topic, n) VALUES(?1, 1) ON "
	    "CONFLICT(topic) DO UPDATE SET n=n+1", 1, a, 0, NULL);
}

int
store_unanswered(struct store *s, const char *platform, const char *chat_id,
    const char *text)
{
	const char *a[] = { platform, chat_id, text };
	int64_t now = store_now_ms();

	return run(s, "INSERT INTO unanswered(platform, chat_id, text, at) "
	    "VALUES(?1,?2,?3,?4)", 3, a, 1, &now);
}

/* ---- tickets ---- */

#define TICKET_COLS "id, platform, chat_id, COALESCE(user_name, ''), tier, " \
	"reason, COALESCE(question, ''), status, COALESCE(volunteer_id, ''), " \
	"COALESCE(volunteer_name, ''), created, COALESCE(claimed_at, 0), " \
	"COALESCE(first_reply_at, 0), COALESCE(resolved_at, 0), " \
	"COALESCE(announced_at, 0), COALESCE(escalated_at, 0)"

static void
fill_ticket(sqlite3_stmt *st, struct ticket *t)
{
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

	if (run(s, "INSERT INTO tickets(platform, chat_id, user_name, reason, "
	    "question, tier, created, announced_at) VALUES(?1,?2,?3,?4,?5,?6,?7,"
	    "?7)", 5, a, 2, ints) < 0)
		return -1;
	return sqlite3_last_insert_rowid(s->db);
}

int
store_ticket_active(struct store *s, const char *platform, const char *chat_id,
    struct ticket *t)
{
	sqlite3_stmt *st = prep(s, "SELECT " TICKET_COLS " FROM tickets WHERE "
	    "platform=?1 AND chat_id=?2 AND status IN ('open','claimed') "
	    /* a case a volunteer forwarded is about someone else: the
	     * volunteer's own chat must not be silenced by it */
	    "AND reason<>'forwarded' ORDER BY id DESC LIMIT 1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, chat_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		fill_ticket(st, t);
	done(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_ticket_get(struct store *s, int64_t id, struct ticket *t)
{
	sqlite3_stmt *st = prep(s, "SELECT " TICKET_COLS " FROM tickets WHERE "
	    "id=?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		fill_ticket(st, t);
	done(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_ticket_claim(struct store *s, int64_t id, const char *vol_id,
    const char *vol_name)
{
	const char *a[] = { vol_id, vol_name };
	int64_t ints[] = { store_now_ms(), id };

	if (run(s, "UPDATE tickets SET status='claimed', volunteer_id=?1, "
	    "volunteer_name=?2, claimed_at=?3 WHERE id=?4 AND status='open'",
	    2, a, 2, ints) < 0)
		return -1;
	return sqlite3_changes(s->db) ? 0 : 1;
}

int
store_ticket_replied(struct store *s, int64_t id)
{
	int64_t ints[] = { store_now_ms(), id };

	return run(s, "UPDATE tickets SET first_reply_at=COALESCE(first_reply_at,"
	    " ?1) WHERE id=?2", 0, NULL, 2, ints);
}

int
store_ticket_resolve(struct store *s, int64_t id)
{
	int64_t ints[] = { store_now_ms(), id };

	if (run(s, "UPDATE tickets SET status='resolved', resolved_at=?1 WHERE "
	    "id=?2 AND status IN ('open','claimed')", 0, NULL, 2, ints) < 0)
		return -1;
	return sqlite3_changes(s->db) ? 0 : 1;
}

int64_t
store_ticket_feedback(struct store *s, const char *platform,
    const char *chat_id, int value)
{
	sqlite3_stmt *st = prep(s, "SELECT id FROM tickets WHERE platform=?1 AND "
	    "chat_id=?2 AND status='resolved' AND feedback IS NULL AND "
	    "resolved_at>=?3 ORDER BY id DESC LIMIT 1");
	int64_t id = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, chat_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, store_now_ms() - 24 * 3600 * 1000LL);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	done(s, st);
	if (id) {
		int64_t ints[] = { value, id };

		if (run(s, "UPDATE tickets SET feedback=?1 WHERE id=?2", 0, NULL, 2,
		    ints) < 0)
			return -1;
	}
	return id;
}

int
store_ticket_set(struct store *s, int64_t id, const char *what, int64_t v)
{
	int64_t ints[] = { v, id };

	if (strcmp(what, "announced_at") == 0)
		return run(s, "UPDATE tickets SET announced_at=?1 WHERE id=?2", 0,
		    NULL, 2, ints);
	if (strcmp(what, "escalated_at") == 0)
		return run(s, "UPDATE tickets SET escalated_at=?1, tier=2 WHERE id=?2",
		    0, NULL, 2, ints);
	return -1;
}

int
store_ticket_msg_add(struct store *s, const char *chat_id, int64_t message_id,
    int64_t ticket_id)
{
	const char *a[] = { chat_id };
	int64_t ints[] = { message_id, ticket_id };

	return run(s, "INSERT OR IGNORE INTO ticket_msgs(chat_id, message_id, "
	    "ticket_id) VALUES(?1,?2,?3)", 1, a, 2, ints);
}

int64_t
store_ticket_by_msg(struct store *s, const char *chat_id, int64_t message_id)
{
	sqlite3_stmt *st = prep(s, "SELECT ticket_id FROM ticket_msgs WHERE "
	    "chat_id=?1 AND message_id=?2");
	int64_t id = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, chat_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, message_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	done(s, st);
	return id;
}

int64_t
store_ticket_card(struct store *s, const char *chat_id, int64_t ticket_id)
{
	sqlite3_stmt *st = prep(s, "SELECT MIN(message_id) FROM ticket_msgs "
	    "WHERE chat_id=?1 AND ticket_id=?2");
	int64_t id = 0;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, chat_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, ticket_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	done(s, st);
	return id;
}

int
store_tickets_active(struct store *s, struct ticket *v, int max, int skip)
{
	sqlite3_stmt *st = prep(s, "SELECT " TICKET_COLS " FROM tickets WHERE "
	    "status IN ('open','claimed') ORDER BY id LIMIT ?1 OFFSET ?2");
	int n = 0, rc = SQLITE_DONE;

	if (!st)
		return -1;
	sqlite3_bind_int(st, 1, max);
	sqlite3_bind_int(st, 2, skip);
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW)
		fill_ticket(st, &v[n++]);
	if (n < max && rc != SQLITE_DONE)
		n = -1;
	done(s, st);
	return n;
}

int
store_tickets_count_active(struct store *s)
{
	sqlite3_stmt *st = prep(s, "SELECT COUNT(*) FROM tickets WHERE "
	    "status IN ('open','claimed')");
	int n = -1;

	if (!st)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	done(s, st);
	return n;
}

int
store_stats(struct store *s, struct store_stats *o)
{
	sqlite3_stmt *st;
	int rc = -1;

	memset(o, 0, sizeof(*o));
	o->write_failing = s->write_failing;
	if (!(st = prep(s, "SELECT COUNT(*), COALESCE(MIN(NULLIF(created_us, "
	    "0)), 0) FROM outbox WHERE status='pending'")))
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		o->outbox_pending = sqlite3_column_int64(st, 0);
		o->outbox_oldest_us = sqlite3_column_int64(st, 1);
		rc = 0;
	}
	done(s, st);
	if (rc < 0 || !(st = prep(s, "SELECT COUNT(*), COALESCE(SUM(status IN "
	    "('open','claimed')), 0), COALESCE(SUM(escalated_at IS NOT NULL), 0) "
	    "FROM tickets")))
		return -1;
	rc = -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		o->tickets = sqlite3_column_int64(st, 0);
		o->tickets_active = sqlite3_column_int64(st, 1);
		o->tickets_escalated = sqlite3_column_int64(st, 2);
		rc = 0;
	}
	done(s, st);
	return rc;
}

int
store_volunteer_seen(struct store *s, const char *user_id, const char *name)
{
	const char *a[] = { user_id, name };
	int64_t now = store_now_ms();

	/* writing in the group shows they are in it now */
	return run(s, "INSERT INTO volunteers(user_id, name, seen, checked) "
	    "VALUES(?1,?2,?3,?3) ON CONFLICT(user_id) DO UPDATE SET "
	    "name=excluded.name, seen=excluded.seen, checked=excluded.checked",
	    2, a, 1, &now);
}

int
store_volunteer_checked(struct store *s, const char *user_id,
    int64_t *checked)
{
	sqlite3_stmt *st = prep(s, "SELECT checked FROM volunteers WHERE "
	    "user_id=?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, user_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*checked = sqlite3_column_int64(st, 0);
	done(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_volunteer_confirm(struct store *s, const char *user_id, int64_t when)
{
	const char *a[] = { user_id };

	return run(s, "UPDATE volunteers SET checked=?2 WHERE user_id=?1", 1, a,
	    1, &when);
}

int
store_volunteer_forget(struct store *s, const char *user_id)
{
	const char *a[] = { user_id };

	return run(s, "DELETE FROM volunteers WHERE user_id=?1", 1, a, 0, NULL);
}

int
store_is_volunteer(struct store *s, const char *user_id)
{
	sqlite3_stmt *st = prep(s, "SELECT 1 FROM volunteers WHERE user_id=?1");
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, user_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	done(s, st);
	return rc == SQLITE_ROW ? 1 : 0;
}

int
store_relay_hold(struct store *s, int64_t ticket_id, const char *kind,
    const char *text, int64_t message_id)
{
	const char *a[] = { kind, text };
	int64_t ints[] = { ticket_id, message_id, store_now_ms() };

	return run(s, "INSERT INTO relay_held(kind, text, ticket_id, message_id, "
	    "at) VALUES(?1,?2,?3,?4,?5)", 2, a, 3, ints);
}

static int
count_of(struct store *s, const char *sql, int n, const char *const *args)
{
	sqlite3_stmt *st = prep(s, sql);
	int i, c = -1;

	if (!st)
		return -1;
	for (i = 0; i < n; i++)
		sqlite3_bind_text(st, i + 1, args[i], -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		c = sqlite3_column_int(st, 0);
	done(s, st);
	return c;
}

int
store_relay_count(struct store *s)
{
	return count_of(s, "SELECT COUNT(*) FROM relay_held", 0, NULL);
}

int
store_outbox_chat_pending(struct store *s, const char *platform,
    const char *chat_id)
{
	const char *a[] = { platform, chat_id };

	return count_of(s, "SELECT COUNT(*) FROM outbox WHERE status='pending' "
	    "AND platform=?1 AND chat_id=?2", 2, a);
}

int
store_relay_oldest(struct store *s, int64_t *ticket_id, int64_t *at)
{
	sqlite3_stmt *st = prep(s, "SELECT ticket_id, at FROM relay_held ORDER "
	    "BY id LIMIT 1");
	int rc;

	if (!st)
		return -1;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ticket_id = sqlite3_column_int64(st, 0);
		*at = sqlite3_column_int64(st, 1);
	}
	done(s, st);
	return rc == SQLITE_ROW ? 1 : rc == SQLITE_DONE ? 0 : -1;
}

int
store_relay_rows(struct store *s, int64_t ticket_id, struct relay_row *v,
    int max)
{
	sqlite3_stmt *st = prep(s, "SELECT id, kind, text, message_id, at FROM "
	    "relay_held WHERE ticket_id=?1 ORDER BY id LIMIT ?2");
	int n = 0, rc = SQLITE_DONE;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 1, ticket_id);
	sqlite3_bind_int(st, 2, max);
	while (n < max && (rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct relay_row *r = &v[n++];

		r->id = sqlite3_column_int64(st, 0);
		snprintf(r->kind, sizeof(r->kind), "%s", sqlite3_column_text(st, 1));
		r->text = xstrdup((const char *)sqlite3_column_text(st, 2));
		r->message_id = sqlite3_column_int64(st, 3);
		r->at = sqlite3_column_int64(st, 4);
	}
	done(s, st);
	if (n < max && rc != SQLITE_DONE) {
		relay_rows_release(v, n);
		return -1;
	}
	return n;
}

void
relay_rows_release(struct relay_row *v, int n)
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

	return run(s, "DELETE FROM relay_held WHERE ticket_id=?1 AND id<=?2", 0,
	    NULL, 2, ints);
}

int
store_recent_messages(struct store *s, const char *platform,
    const char *chat_id, int max, struct buf *out)
{
	sqlite3_stmt *st = prep(s, "SELECT dir, text FROM (SELECT id, dir, text "
	    "FROM messages WHERE platform=?1 AND chat_id=?2 ORDER BY id DESC "
	    "LIMIT ?3) ORDER BY id");

	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, platform, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, chat_id, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, max);
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *dir = (const char *)sqlite3_column_text(st, 0);
		const char *txt = (const char *)sqlite3_column_text(st, 1);
		size_t n = strlen(txt), cut = n > 160 ? 160 : n;

		/* cut at a character boundary */
		while (cut < n && ((unsigned char)txt[cut] & 0xC0) == 0x80)
			cut--;
		(void)buf_printf(out, "%s %.*s%s\n", strcmp(dir, "in") == 0 ?
		    "👤" : "🤖", (int)cut, txt, cut < n ? "…" : "");
	}
	done(s, st);
	return 0;
}

int
store_prune(struct store *s, int64_t now_ms, int keep_days)
{
	int64_t week = now_ms - 7 * 86400000LL, month = now_ms - 30 * 86400000LL;
	int64_t keep = now_ms - (int64_t)keep_days * 86400000LL;
	int total = 0;

	if (store_begin(s) < 0)
		return -1;
	if (run(s, "DELETE FROM processed WHERE at<?1", 0, NULL, 1, &week) < 0)
		goto fail;
	total += sqlite3_changes(s->db);
	if (run(s, "DELETE FROM outbox WHERE status<>'pending' AND done_at<?1",
	    0, NULL, 1, &month) < 0)
		goto fail;
	total += sqlite3_changes(s->db);
	if (run(s, "DELETE FROM ticket_msgs WHERE ticket_id IN (SELECT id FROM "
	    "tickets WHERE status='resolved' AND resolved_at<?1)", 0, NULL, 1,
	    &month) < 0)
		goto fail;
	total += sqlite3_changes(s->db);
	if (run(s, "DELETE FROM messages WHERE at<?1", 0, NULL, 1, &keep) < 0)
		goto fail;
	total += sqlite3_changes(s->db);
	if (run(s, "DELETE FROM unanswered WHERE at<?1", 0, NULL, 1, &keep) < 0)
		goto fail;
	total += sqlite3_changes(s->db);
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
	sqlite3_stmt *st = prep(s, "SELECT seed, refresh, access, expires_at "
	    "FROM oa_token WHERE id=1");
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
	done(s, st);
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
	if (own && exec(s, "PRAGMA synchronous=FULL") < 0)
		return -1;
	rc = run(s, "INSERT INTO oa_token(id, seed, refresh, access, "
	    "expires_at, updated) VALUES(1,?1,?2,?3,?4,?5) "
	    "ON CONFLICT(id) DO UPDATE SET seed=excluded.seed, "
	    "refresh=excluded.refresh, access=excluded.access, "
	    "expires_at=excluded.expires_at, updated=excluded.updated",
	    3, a, 2, ints);
	if (own && exec(s, "PRAGMA synchronous=NORMAL") < 0)
		rc = -1;
	return rc;
}

static void
wipe_str(char **p)
{
	if (*p) {
		memset(*p, 0, strlen(*p));
		free(*p);
	}
	*p = NULL;
}

void
store_oa_token_release(struct store_oa_token *t)
{
	wipe_str(&t->refresh);
	wipe_str(&t->access);
	memset(t, 0, sizeof(*t));
}

int
store_oa_inbound(struct store *s, const char *user_id, int64_t at_ms)
{
	const char *a[1] = { user_id };
	int64_t ints[1] = { at_ms };

	/* only a newer message opens a new window: a late retry of an old
	 * push must not hand back replies already spent */
	return run(s, "INSERT INTO oa_window(user_id, last_in, sent) "
	    "VALUES(?1,?2,0) ON CONFLICT(user_id) DO UPDATE SET "
	    "sent=CASE WHEN excluded.last_in > last_in THEN 0 ELSE sent END, "
	    "last_in=MAX(last_in, excluded.last_in)", 1, a, 1, ints);
}

int
store_oa_replies_left(struct store *s, const char *user_id, int64_t now_ms,
    int *left)
{
	sqlite3_stmt *st = prep(s, "SELECT last_in, sent FROM oa_window "
	    "WHERE user_id=?1");
	int rc;

	*left = 0;
	if (!st)
		return -1;
	sqlite3_bind_text(st, 1, user_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*left = zalo_oa_replies_left(sqlite3_column_int64(st, 0),
		    sqlite3_column_int(st, 1), now_ms);
	done(s, st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return -1;
	return *left > 0;
}

int
store_oa_replies_used(struct store *s, const char *user_id, int n)
{
	const char *a[1] = { user_id };
	int64_t ints[1] = { n };

	return run(s, "UPDATE oa_window SET sent=sent+?2 WHERE user_id=?1",
	    1, a, 1, ints);
}
