/*
 * The report read from the bot's database, read-only, in one read
 * transaction.
 */
#include "report.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "report_int.h"
#include "util.h"

#define DAY_MS 86400000LL
#define TZ_MS ((int64_t)REPORT_TZ_OFFSET_S * 1000)

static int64_t
day_start_ms(long day)
{
	return (int64_t)day * DAY_MS - TZ_MS;
}

/* ---- reading the database ---- */

static sqlite3_stmt *
query(sqlite3 *db, struct report *r, const char *sql, int64_t from, int64_t to)
{
	sqlite3_stmt *st = NULL;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(r->err, sizeof(r->err), "%s: %s", r->db, sqlite3_errmsg(db));
		sqlite3_finalize(st);
		return NULL;
	}
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	return st;
}

/* Finalizes st; -1 (with r->err) unless the last step finished the rows. */
static int
finish(sqlite3 *db, struct report *r, sqlite3_stmt *st, int rc)
{
	if (rc != SQLITE_DONE)
		snprintf(r->err, sizeof(r->err), "%s: %s", r->db, sqlite3_errmsg(db));
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : "";
}

static int
has_table(sqlite3 *db, struct report *r, const char *name, int *yes)
{
	sqlite3_stmt *st = query(db, r, "SELECT 1 FROM sqlite_master WHERE "
	    "type='table' AND name=?3", 0, 0);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*yes = rc == SQLITE_ROW;
	if (rc == SQLITE_ROW)
		rc = SQLITE_DONE;
	return finish(db, r, st, rc);
}

enum outcome { OUT_ANSWERED, OUT_UNSURE, OUT_UNANSWERED, OUT_OTHER };

/* The outcome of a reply, by its action (see include/report.h). */
static enum outcome
outcome(const char *action)
{
	static const char *const names[] = { "answer", "clarify", "fallback" };
	int i;

	for (i = 0; i < (int)ARRAY_SIZE(names); i++)
		if (strcmp(action, names[i]) == 0)
			break;
	return (enum outcome)i;         /* names[] is in the enum's order */
}

static int
load_days(sqlite3 *db, struct report *r, int64_t from, int64_t to)
{
	sqlite3_stmt *st = query(db, r, "SELECT (at + ?3) / 86400000, COUNT(*) "
	    "FROM messages WHERE dir='in' AND at >= ?1 AND at < ?2 "
	    "GROUP BY 1 ORDER BY 1", from, to);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int64(st, 3, TZ_MS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long day = (long)sqlite3_column_int64(st, 0);
		int n = sqlite3_column_int(st, 1);

		/* every day from the first with a question, empty ones too */
		if (!r->ndays)
			r->days = xcalloc((size_t)(r->today - day + 1),
			    sizeof(*r->days));
		while (r->ndays == 0 || r->days[r->ndays - 1].day < day) {
			r->days[r->ndays].day = r->ndays ?
			    r->days[r->ndays - 1].day + 1 : day;
			r->days[r->ndays++].n = 0;
		}
		r->days[r->ndays - 1].n = n;
		r->questions += n;
	}
	while (r->ndays && r->days[r->ndays - 1].day < r->today) {
		r->days[r->ndays].day = r->days[r->ndays - 1].day + 1;
		r->days[r->ndays++].n = 0;
	}
	if (finish(db, r, st, rc) < 0)
		return -1;

	/* the outcome of each day's questions: the action of the bot's reply */
	st = query(db, r, "SELECT (at + ?3) / 86400000, action, COUNT(*) FROM "
	    "messages WHERE dir='out' AND action IN ('answer','clarify',"
	    "'fallback') AND at >= ?1 AND at < ?2 GROUP BY 1, 2", from, to);
	if (!st)
		return -1;
	sqlite3_bind_int64(st, 3, TZ_MS);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long day = (long)sqlite3_column_int64(st, 0);
		const char *a = col_text(st, 1);
		int n = sqlite3_column_int(st, 2);
		struct report_day *d;

		/* a reply a moment after its question, past midnight, on a day
		 * without questions: not drawn */
		if (!r->ndays || day < r->days[0].day ||
		    day - r->days[0].day >= (long)r->ndays)
			continue;
		d = &r->days[day - r->days[0].day];
		switch (outcome(a)) {
		case OUT_ANSWERED: d->answered += n; break;
		case OUT_UNSURE: d->unsure += n; break;
		default: d->unanswered += n; break;
		}
	}
	return finish(db, r, st, rc);
}

static int
load_actions(sqlite3 *db, struct report *r, int64_t from, int64_t to)
{
	sqlite3_stmt *st = query(db, r, "SELECT action, COUNT(*) FROM messages "
	    "WHERE dir='out' AND at >= ?1 AND at < ?2 GROUP BY action", from, to);
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *a = col_text(st, 0);
		int n = sqlite3_column_int(st, 1);

		int *count[] = { &r->answered, &r->clarified, &r->fallbacks,
			&r->notices };

		*count[outcome(a)] += n;
	}
	return finish(db, r, st, rc);
}

static int
load_topics(sqlite3 *db, struct report *r, const struct kb *kb, int64_t from,
    int64_t to)
{
	/* A section's answers count for its topic ("a.b#c" -> "a.b"): the
	 * report ranks guides, as the leaflets do. */
	sqlite3_stmt *st = query(db, r, "SELECT CASE WHEN instr(topic, '#') > 0 "
	    "THEN substr(topic, 1, instr(topic, '#') - 1) ELSE topic END AS t, "
	    "COUNT(*) AS n FROM messages WHERE dir='out' AND action='answer' AND "
	    "topic IS NOT NULL AND at >= ?1 AND at < ?2 GROUP BY t "
	    "ORDER BY n DESC, t LIMIT ?3", from, to);
	int rc;

	if (!st)
		return -1;
	sqlite3_bind_int(st, 3, REPORT_TOP_TOPICS);
	r->topics = xcalloc(REPORT_TOP_TOPICS, sizeof(*r->topics));
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct report_count *c = &r->topics[r->ntopics++];
		const struct kb_topic *t = kb ? kb_find(kb, col_text(st, 0)) : NULL;

		c->key = report_clean_text(col_text(st, 0), REPORT_TEXT_CHARS);
		c->title = t ? report_clean_text(t->title, REPORT_TEXT_CHARS) : NULL;
		c->n = sqlite3_column_int(st, 1);
	}
	return finish(db, r, st, rc);
}

/*
 * The questions to group, most recent first: the unanswered ones (their
 * own table, kept as long as the log) and the unsure ones — the resident's
 * message before each "clarify" reply of the same chat. The window finds
 * that message by id, so a hand-off notice logged in between does not hide
 * it.
 */
static int
load_questions(sqlite3 *db, struct report *r, const struct words *w,
    int64_t from, int64_t to)
{
	sqlite3_stmt *st = query(db, r,
	    "SELECT text, at, 0 AS unsure, id FROM unanswered "
	    "WHERE at >= ?1 AND at < ?2 "
	    "UNION ALL "
	    "SELECT i.text, o.at, 1, o.id FROM (SELECT id, dir, action, at, "
	    "  MAX(CASE WHEN dir='in' THEN id END) OVER (PARTITION BY platform, "
	    "  chat_id ORDER BY id) AS q FROM messages "
	    "  WHERE at >= ?1 - 86400000 AND at < ?2) o "
	    "JOIN messages i ON i.id = o.q "
	    "WHERE o.dir='out' AND o.action='clarify' AND o.at >= ?1 "
	    "ORDER BY 2 DESC, 3, 4 DESC", from, to);
	struct question *v = NULL;
	size_t n = 0, alloc = 0, i;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		bool unsure = sqlite3_column_int(st, 2) != 0;

		if (unsure)
			r->nunsure++;
		else
			r->nunanswered++;
		if (n == REPORT_MAX_UNANSWERED)
			continue;       /* counted, not grouped */
		v = xgrow(v, &alloc, n + 1, sizeof(*v));
		memset(&v[n], 0, sizeof(v[n]));
		v[n].text = report_clean_text(col_text(st, 0), REPORT_TEXT_CHARS);
		v[n].unsure = unsure;
		report_question_features(w, col_text(st, 0), &v[n]);
		n++;
	}
	r->ngrouped = n;
	rc = finish(db, r, st, rc);
	if (rc == 0)
		report_group_questions(r, v, n);
	for (i = 0; i < n; i++)
		report_question_release(&v[i]);
	free(v);
	return rc;
}

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
median(double *v, int n)
{
	if (n <= 0)
		return 0;
	qsort(v, (size_t)n, sizeof(*v), dbl_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void
count_reason(struct report_tickets *t, const char *reason, size_t *alloc)
{
	char *key = report_clean_text(reason, 40);
	size_t i;

	for (i = 0; i < t->nreasons; i++) {
		if (strcmp(t->reasons[i].key, key) == 0) {
			t->reasons[i].n++;
			free(key);
			return;
		}
	}
	t->reasons = xgrow(t->reasons, alloc, t->nreasons + 1, sizeof(*t->reasons));
	t->reasons[t->nreasons].key = key;
	t->reasons[t->nreasons].title = NULL;
	t->reasons[t->nreasons++].n = 1;
}

static int
count_cmp(const void *a, const void *b)
{
	const struct report_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->key, y->key);
}

static int
load_tickets(sqlite3 *db, struct report *r, int64_t from, int64_t to)
{
	struct report_tickets *t = &r->t;
	sqlite3_stmt *st = query(db, r, "SELECT status, tier, reason, created, "
	    "first_reply_at, resolved_at, feedback FROM tickets "
	    "WHERE created >= ?1 AND created < ?2", from, to);
	double *reply = NULL, *resolve = NULL;
	size_t areply = 0, aresolve = 0, areasons = 0;
	int rc;

	if (!st)
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *status = col_text(st, 0);
		int64_t created = sqlite3_column_int64(st, 3);

		t->total++;
		if (strcmp(status, "open") == 0)
			t->open++;
		else if (strcmp(status, "claimed") == 0)
			t->claimed++;
		else if (strcmp(status, "resolved") == 0)
			t->resolved++;
		if (sqlite3_column_int(st, 1) >= 2)
			t->tier2++;
		count_reason(t, col_text(st, 2), &areasons);
		if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
			int64_t d = sqlite3_column_int64(st, 4) - created;

			reply = xgrow(reply, &areply, (size_t)t->nreply + 1,
			    sizeof(*reply));
			reply[t->nreply++] = d > 0 ? (double)d / 60000 : 0;
		}
		if (strcmp(status, "resolved") == 0 &&
		    sqlite3_column_type(st, 5) != SQLITE_NULL) {
			int64_t d = sqlite3_column_int64(st, 5) - created;

			resolve = xgrow(resolve, &aresolve, (size_t)t->nresolve + 1,
			    sizeof(*resolve));
			resolve[t->nresolve++] = d > 0 ? (double)d / 60000 : 0;
		}
		if (sqlite3_column_type(st, 6) == SQLITE_NULL) {
			if (strcmp(status, "resolved") == 0)
				t->no_feedback++;
		} else if (sqlite3_column_int(st, 6) > 0) {
			t->up++;
		} else if (sqlite3_column_int(st, 6) < 0) {
			t->down++;
		}
	}
	t->reply_min = median(reply, t->nreply);
	t->resolve_min = median(resolve, t->nresolve);
	if (t->nreasons)
		qsort(t->reasons, t->nreasons, sizeof(*t->reasons), count_cmp);
	free(reply);
	free(resolve);
	return finish(db, r, st, rc);
}

int
report_load(struct report *r, const struct report_opts *o)
{
	int64_t from = day_start_ms(o->since), to = day_start_ms(o->today + 1);
	sqlite3 *db = NULL;
	struct words w;
	struct stat sb;
	const char *why = NULL;
	int rc = -1, yes;

	memset(r, 0, sizeof(*r));
	report_words_load(&w, o->kb_dir);
	r->db = xstrdup(o->db);
	r->since = o->since;
	r->today = o->today;
	r->kb_loaded = o->kb != NULL;
	/* SQLite's own message for a missing file is "unable to open" */
	if (stat(o->db, &sb) < 0)
		why = strerror(errno);
	else if (S_ISDIR(sb.st_mode))
		why = "đây là một thư mục";
	if (why) {
		snprintf(r->err, sizeof(r->err), "không mở được cơ sở dữ liệu '%s': %s",
		    o->db, why);
		goto out;
	}
	/* Read-only: the report must never change what the daemon owns. */
	if (sqlite3_open_v2(o->db, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX,
	    NULL) != SQLITE_OK) {
		snprintf(r->err, sizeof(r->err), "không mở được cơ sở dữ liệu '%s': %s",
		    o->db, db ? sqlite3_errmsg(db) : "out of memory");
		goto out;
	}
	sqlite3_busy_timeout(db, 5000);
	/* one read transaction: every section sees the same moment */
	if (sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
		snprintf(r->err, sizeof(r->err), "%s: %s", o->db, sqlite3_errmsg(db));
		goto out;
	}
	if (has_table(db, r, "messages", &yes) < 0)
		goto out;
	if (!yes || has_table(db, r, "unanswered", &yes) < 0 || !yes) {
		if (!r->err[0])
			snprintf(r->err, sizeof(r->err), "'%s' không phải cơ sở dữ "
			    "liệu của hoidap (không có bảng messages hay unanswered)",
			    o->db);
		goto out;
	}
	if (has_table(db, r, "tickets", &r->t.present) < 0)
		goto out;
	if (load_days(db, r, from, to) < 0 || load_actions(db, r, from, to) < 0 ||
	    load_topics(db, r, o->kb, from, to) < 0 ||
	    load_questions(db, r, &w, from, to) < 0)
		goto out;
	if (r->t.present && load_tickets(db, r, from, to) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_close(db);              /* ends the read transaction too */
	report_words_release(&w);
	return rc;
}

void
report_release(struct report *r)
{
	size_t i, j;

	free(r->db);
	free(r->days);
	for (i = 0; i < r->ntopics; i++) {
		free(r->topics[i].key);
		free(r->topics[i].title);
	}
	free(r->topics);
	for (i = 0; i < r->ngroups; i++)
		for (j = 0; j < r->groups[i].nex; j++)
			free(r->groups[i].ex[j]);
	free(r->groups);
	for (i = 0; i < r->t.nreasons; i++)
		free(r->t.reasons[i].key);
	free(r->t.reasons);
	memset(r, 0, sizeof(*r));
}
