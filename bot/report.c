#include "report.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "abbrev.h"
#include "buf.h"
#include "handoff.h"
#include "text.h"
#include "util.h"

#define DAY_MS 86400000LL
#define TZ_MS ((int64_t)REPORT_TZ_OFFSET_S * 1000)
#define BAR_CELLS 40                    /* text bar of the busiest day */
#define GROUPS_SHOWN 15                 /* groups of two or more */
#define SINGLES_SHOWN 10                /* questions asked once */

/* ---- dates ---- */

long
report_parse_date(const char *s)
{
	return date_parse(s);
}

void
report_format_date(long day, char out[11])
{
	int y, m, d;

	date_civil(day, &y, &m, &d);
	/* the modulos tell the compiler it fits (years 2000..9999 anyway) */
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
}

/* Vietnamese weekday: Thứ Hai is T2 … Chủ nhật is CN. */
static const char *
weekday(long day)
{
	static const char *const names[] = { "CN", "T2", "T3", "T4", "T5",
		"T6", "T7" };
	long w = (day + 4) % 7;         /* 1970-01-01 was a Thursday */

	return names[w < 0 ? w + 7 : w];
}

static int64_t
day_start_ms(long day)
{
	return (int64_t)day * DAY_MS - TZ_MS;
}

/* ---- residents' text, made safe to show ---- */

/* Length of the valid UTF-8 sequence at p (its code point in *cp), or 0. */
static size_t
utf8_seq(const unsigned char *p, uint32_t *cp)
{
	size_t n, i;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;       /* also stops at the terminating NUL */
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Characters that could move the admin's cursor, recolour the terminal
 * (C0/C1 controls, ESC) or reorder the line (bidi controls). */
static bool
is_blank(uint32_t c)
{
	return c <= 0x20 || c == 0x7F || (c >= 0x80 && c <= 0xA0) ||
	    (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x200E || c == 0x200F || c == 0xFEFF;
}

/*
 * A stored text for display: one line with single spaces, no controls,
 * invalid UTF-8 shown as U+FFFD, cut after max characters with "…". The
 * database holds whatever residents typed (redacted), escape codes included.
 */
static char *
clean_text(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b;
	size_t nch = 0;
	bool gap = false;

	buf_init(&b, BUF_CAP_TEXT);
	while (*p) {
		uint32_t c;
		size_t n = utf8_seq(p, &c);

		if (n == 0) {
			c = 0xFFFD;
			n = 1;
		}
		if (is_blank(c)) {
			gap = true;
			p += n;
			continue;
		}
		if (nch + (gap && b.len) >= max) {
			(void)buf_adds(&b, "…");
			break;
		}
		if (gap && b.len) {
			(void)buf_addc(&b, ' ');
			nch++;
		}
		gap = false;
		if (c == 0xFFFD && n == 1)
			(void)buf_adds(&b, "\xEF\xBF\xBD");
		else
			(void)buf_add(&b, p, n);
		nch++;
		p += n;
	}
	return buf_take(&b);
}

/* ---- similarity of unanswered questions ---- */

struct words {
	uint64_t *stop;                 /* sorted keys of folded stop words */
	size_t nstop;
	struct abbrev *abbrev;
};

struct question {
	char *text;                     /* cleaned and cut, for display */
	char *folded;                   /* spots repeats among the examples */
	uint64_t *f;                    /* sorted keys: unigrams and bigrams */
	size_t nf;
	size_t nsyl;                    /* syllables behind f */
	size_t *nb;                     /* alike questions, ascending */
	size_t nnb, anb;
	bool unsure;                    /* got a "did you mean", not a fallback */
	bool taken;
};

static uint64_t
uni_key(const char *s, size_t n)
{
	return hash64(s, n, 0x756e69);
}

static uint64_t
bi_key(const char *a, size_t na, const char *b, size_t nb)
{
	/* the space keeps ("ab","c") and ("a","bc") apart */
	return hash64(b, nb, hash64(" ", 1, hash64(a, na, 0x6269)));
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool
is_stop(const struct words *w, uint64_t key)
{
	return w->nstop && bsearch(&key, w->stop, w->nstop, sizeof(key),
	    u64_cmp) != NULL;
}

/* The same files the matcher reads; missing ones only make groups worse. */
static void
words_load(struct words *w, const char *dir)
{
	struct buf path, b;
	struct diag d;
	char *p, *line;

	memset(w, 0, sizeof(*w));
	if (!dir)
		return;
	buf_init(&path, 4096);
	diag_init(&d);
	(void)buf_printf(&path, "%s/abbreviations.txt", dir);
	if (access(path.data, F_OK) == 0)
		w->abbrev = abbrev_load(path.data, &d);
	buf_reset(&path);
	(void)buf_printf(&path, "%s/stopwords.txt", dir);
	buf_init(&b, BUF_CAP_FILE);
	if (buf_read_file(&b, path.data) == 0 &&
	    text_utf8_invalid(b.data, b.len) < 0) {
		p = b.data;
		while ((line = strsep(&p, "\n")) != NULL) {
			char *tok;

			if (line[strspn(line, " \t")] == '#')
				continue;
			while ((tok = strsep(&line, " ,\t\r")) != NULL) {
				char *f;

				if (!*tok)
					continue;
				f = text_fold_phrase(tok);
				if (f && *f && !strchr(f, ' ')) {
					w->stop = xrealloc(w->stop, (w->nstop + 1) *
					    sizeof(*w->stop));
					w->stop[w->nstop++] = uni_key(f, strlen(f));
				}
				free(f);
			}
		}
		if (w->nstop)
			qsort(w->stop, w->nstop, sizeof(*w->stop), u64_cmp);
	}
	buf_release(&b);
	buf_release(&path);
	diag_release(&d);               /* the admin runs `hoidap check` for these */
}

static void
words_release(struct words *w)
{
	free(w->stop);
	abbrev_free(w->abbrev);
	memset(w, 0, sizeof(*w));
}

/*
 * Folded syllables with abbreviations expanded ("sdt" → "so dien thoai") and
 * stop words dropped (unless nothing else is left), and the bigrams of the
 * syllables that remain, so "quên mật khẩu ạ" equals "quên mật khẩu".
 */
static void
question_features(const struct words *w, const char *s, struct question *q)
{
	struct text t0, t;
	struct buf b;
	size_t *keep, nk = 0, i, n = 0;

	text_normalize(&t0, s, strlen(s));
	q->folded = xstrdup(t0.folded);
	buf_init(&b, BUF_CAP_TEXT);
	if (w->abbrev && abbrev_expand(w->abbrev, &t0, &b)) {
		text_normalize(&t, b.data, b.len);
		text_release(&t0);
	} else {
		t = t0;
	}
	buf_release(&b);
	keep = xmalloc((t.ntok + 1) * sizeof(*keep));
	for (i = 0; i < t.ntok; i++)
		if (!is_stop(w, uni_key(t.folded + t.tok[i].foff, t.tok[i].flen)))
			keep[nk++] = i;
	if (nk == 0)
		for (i = 0; i < t.ntok; i++)
			keep[nk++] = i;
	q->nsyl = nk;
	q->f = xmalloc((2 * nk + 1) * sizeof(*q->f));
	for (i = 0; i < nk; i++) {
		const struct text_tok *a = &t.tok[keep[i]];

		q->f[n++] = uni_key(t.folded + a->foff, a->flen);
		if (i > 0) {
			const struct text_tok *z = &t.tok[keep[i - 1]];

			q->f[n++] = bi_key(t.folded + z->foff, z->flen,
			    t.folded + a->foff, a->flen);
		}
	}
	qsort(q->f, n, sizeof(*q->f), u64_cmp);
	q->nf = 0;
	for (i = 0; i < n; i++)
		if (q->nf == 0 || q->f[q->nf - 1] != q->f[i])
			q->f[q->nf++] = q->f[i];
	free(keep);
	text_release(&t);
}

static size_t
common_keys(const struct question *a, const struct question *b)
{
	size_t i = 0, j = 0, common = 0;

	while (i < a->nf && j < b->nf) {
		if (a->f[i] == b->f[j]) {
			common++;
			i++;
			j++;
		} else if (a->f[i] < b->f[j]) {
			i++;
		} else {
			j++;
		}
	}
	return common;
}

/*
 * Jaccard alone splits a short question from a longer one that asks the
 * same thing ("lương hưu" / "lương hưu tháng này bao giờ có": 0.33), so a
 * short question of two syllables or more that sits (nearly) whole inside
 * a longer one is alike to it too. A one-syllable question ("vneid") would
 * sit inside everything about its service, so it is left to Jaccard.
 *
 * build/tests/test_report groups the 263 labelled in-scope questions of
 * tests/golden/paraphrases.tsv and nearmiss.tsv as if none had been
 * answered, and prints the figures. On the sets of 2026-12-01, Jaccard
 * alone (0.40): 105 pairs in one group, 77.1% of them on one topic, 8.6% of
 * the same-topic pairs found. With containment at 0.75: 166 pairs, 84.3%,
 * 14.9%. From 0.72 to 0.80 the figures stay within 84-85% and 14-15.5%; at
 * 0.70 a four-syllable question missing two of its seven keys joins (5/7),
 * and the share on one topic falls to 62%.
 */
static bool
question_alike(const struct question *a, const struct question *b)
{
	const struct question *s = a->nf <= b->nf ? a : b;
	size_t lo = s->nf, hi = a->nf + b->nf - lo, common;

	if (!lo)
		return false;
	/* Jaccard is at most lo/hi; the shorter must be long enough to be
	 * contained: otherwise no need to count */
	if ((double)lo < REPORT_SIM_THRESHOLD * (double)hi &&
	    s->nsyl < REPORT_CONTAIN_MIN)
		return false;
	common = common_keys(a, b);
	if ((double)common >= REPORT_SIM_THRESHOLD * (double)(lo + hi - common))
		return true;
	return s->nsyl >= REPORT_CONTAIN_MIN &&
	    (double)common >= REPORT_CONTAIN_THRESHOLD * (double)lo;
}

static void
push_nb(struct question *q, size_t j)
{
	q->nb = xgrow(q->nb, &q->anb, q->nnb + 1, sizeof(*q->nb));
	q->nb[q->nnb++] = j;
}

struct rank {
	size_t key;                     /* sorted descending */
	size_t idx;                     /* then ascending */
};

static int
rank_cmp(const void *a, const void *b)
{
	const struct rank *x = a, *y = b;

	if (x->key != y->key)
		return x->key > y->key ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/*
 * Greedy grouping (Butina's leader clustering): the question alike to the
 * most others seeds the first group, which takes all its alike questions
 * still free; then the next best-connected free question, and so on. Every
 * member is alike to its seed, so a group cannot drift through a chain of
 * small steps, and the result does not depend on the order of the rows.
 * Ties go to the earlier question (the report passes the most recent
 * first). group[i] gets the group of v[i], biggest group first; returns
 * the number of groups. Each group's seed is the first of its members in
 * seeds[] (its order of formation), which the report uses for examples.
 */
static size_t
cluster(struct question *v, size_t n, size_t *group, size_t *members)
{
	struct rank *order, *size;
	size_t *formed, *seq, *rank_of, *at, i, j, ng = 0, ns = 0;

	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (question_alike(&v[i], &v[j])) {
				push_nb(&v[i], j);
				push_nb(&v[j], i);
			}
	order = xmalloc((n + 1) * sizeof(*order));
	for (i = 0; i < n; i++) {
		order[i].key = v[i].nnb;
		order[i].idx = i;
	}
	qsort(order, n, sizeof(*order), rank_cmp);
	formed = xmalloc((n + 1) * sizeof(*formed));
	seq = xmalloc((n + 1) * sizeof(*seq));  /* seed, then its members */
	size = xmalloc((n + 1) * sizeof(*size));
	for (i = 0; i < n; i++) {
		size_t seed = order[i].idx;

		if (v[seed].taken)
			continue;
		v[seed].taken = true;
		formed[seed] = ng;
		seq[ns++] = seed;
		size[ng].key = 1;
		size[ng].idx = ng;
		for (j = 0; j < v[seed].nnb; j++) {
			size_t m = v[seed].nb[j];

			if (v[m].taken)
				continue;
			v[m].taken = true;
			formed[m] = ng;
			seq[ns++] = m;
			size[ng].key++;
		}
		ng++;
	}
	/* biggest first; equal sizes keep the order they were formed in */
	qsort(size, ng, sizeof(*size), rank_cmp);
	rank_of = xmalloc((ng + 1) * sizeof(*rank_of));
	at = xcalloc(ng + 1, sizeof(*at));
	for (i = 0; i < ng; i++) {
		rank_of[size[i].idx] = i;
		at[i + 1] = at[i] + size[i].key;
	}
	for (i = 0; i < n; i++)
		group[i] = rank_of[formed[i]];
	for (i = 0; members && i < ns; i++)
		members[at[group[seq[i]]]++] = seq[i];
	free(at);
	free(rank_of);
	free(size);
	free(seq);
	free(formed);
	free(order);
	return ng;
}

static void
add_example(struct report_group *g, const struct question *q,
    const char **seen)
{
	size_t k;

	if (g->nex == REPORT_EXAMPLES)
		return;
	for (k = 0; k < g->nex; k++)
		if (strcmp(seen[k], q->folded) == 0)
			return;         /* the same words again: show another one */
	seen[g->nex] = q->folded;
	g->ex_unsure[g->nex] = q->unsure;
	g->ex[g->nex++] = xstrdup(q->text);
}

static void
group_questions(struct report *r, struct question *v, size_t n)
{
	size_t *group = xmalloc((n + 1) * sizeof(*group));
	size_t *members = xmalloc((n + 1) * sizeof(*members));
	size_t i, ng = cluster(v, n, group, members);
	const char *seen[REPORT_EXAMPLES];

	r->groups = xcalloc(ng + 1, sizeof(*r->groups));
	r->ngroups = ng;
	for (i = 0; i < n; i++) {
		const struct question *q = &v[members[i]];
		struct report_group *g = &r->groups[group[members[i]]];

		if (g->n == 0)
			memset(seen, 0, sizeof(seen));
		g->n++;
		g->nunsure += q->unsure;
		add_example(g, q, seen);
	}
	free(members);
	free(group);
}

static void
question_release(struct question *q)
{
	free(q->text);
	free(q->folded);
	free(q->f);
	free(q->nb);
}

size_t
report_group_texts(const char *const *texts, size_t n, const char *kb_dir,
    size_t *group)
{
	struct question *v = xcalloc(n + 1, sizeof(*v));
	struct words w;
	size_t i, ng;

	words_load(&w, kb_dir);
	for (i = 0; i < n; i++)
		question_features(&w, texts[i], &v[i]);
	ng = cluster(v, n, group, NULL);
	for (i = 0; i < n; i++)
		question_release(&v[i]);
	free(v);
	words_release(&w);
	return ng;
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
		if (strcmp(a, "answer") == 0)
			d->answered += n;
		else if (strcmp(a, "clarify") == 0)
			d->unsure += n;
		else
			d->unanswered += n;
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

		if (strcmp(a, "answer") == 0)
			r->answered += n;
		else if (strcmp(a, "clarify") == 0)
			r->clarified += n;
		else if (strcmp(a, "fallback") == 0)
			r->fallbacks += n;
		else
			r->notices += n;
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

		c->key = clean_text(col_text(st, 0), REPORT_TEXT_CHARS);
		c->title = t ? clean_text(t->title, REPORT_TEXT_CHARS) : NULL;
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
		v[n].text = clean_text(col_text(st, 0), REPORT_TEXT_CHARS);
		v[n].unsure = unsure;
		question_features(w, col_text(st, 0), &v[n]);
		n++;
	}
	r->ngrouped = n;
	rc = finish(db, r, st, rc);
	if (rc == 0)
		group_questions(r, v, n);
	for (i = 0; i < n; i++)
		question_release(&v[i]);
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
	char *key = clean_text(reason, 40);
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
	words_load(&w, o->kb_dir);
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
	words_release(&w);
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

/* ---- shared wording ---- */

/* "90 phút (1 giờ 30 phút)": whole minutes, and hours/days when long. */
static void
duration(double min, char *out, size_t n)
{
	long m = (long)(min + 0.5);

	if (min < 0.5)
		snprintf(out, n, "dưới 1 phút");
	else if (m < 60)
		snprintf(out, n, "%ld phút", m);
	else if (m < 24 * 60)
		snprintf(out, n, "%ld phút (%ld giờ %02ld phút)", m, m / 60, m % 60);
	else
		snprintf(out, n, "%ld phút (%ld ngày %ld giờ)", m, m / 1440,
		    m % 1440 / 60);
}

static size_t
singles(const struct report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->ngroups; i++)
		n += r->groups[i].n == 1;
	return n;
}

static const struct report_day *
busiest(const struct report *r)
{
	const struct report_day *b = NULL;
	size_t i;

	for (i = 0; i < r->ndays; i++)
		if (!b || r->days[i].n > b->n)
			b = &r->days[i];
	return b;
}

/* ---- text ---- */

/*
 * A day's bar in cells: answered, unsure, not answered, then the rest
 * (notices, hand-offs, no reply), by largest remainder so the busiest day
 * has exactly BAR_CELLS. Each outcome that happened gets a cell, so one
 * unsure question on a busy day still shows.
 */
static void
day_cells(const struct report_day *d, int top, int cells[4])
{
	double share[4];
	int part[4], total = 0, i, want;

	part[0] = d->answered;
	part[1] = d->unsure;
	part[2] = d->unanswered;
	part[3] = d->n - d->answered - d->unsure - d->unanswered;
	if (part[3] < 0)
		part[3] = 0;
	want = top ? (int)((double)d->n * BAR_CELLS / top + 0.5) : 0;
	if (d->n && !want)
		want = 1;
	for (i = 0; i < 4; i++) {
		int sum = part[0] + part[1] + part[2] + part[3];

		share[i] = sum ? (double)part[i] * want / sum : 0;
		cells[i] = (int)share[i];
		if (part[i] && !cells[i])
			cells[i] = 1;
		share[i] -= cells[i];
		total += cells[i];
	}
	while (total != want) {
		int pick = -1;

		for (i = 0; i < 4; i++) {
			if (total < want ? !part[i] : cells[i] <= 1)
				continue;
			/* under: the largest remainder gets a cell; over: the
			 * smallest gives one back */
			if (pick < 0 || (total < want ? share[i] > share[pick] :
			    share[i] < share[pick]))
				pick = i;
		}
		if (pick < 0)
			break;
		cells[pick] += total < want ? 1 : -1;
		share[pick] -= total < want ? 1 : -1;
		total += total < want ? 1 : -1;
	}
}

static void
text_days(const struct report *r, FILE *f)
{
	static const char *const glyph[4] = { "█", "▒", "░", "·" };
	const struct report_day *top = busiest(r);
	size_t i, j;
	int k, c, cells[4];

	fprintf(f, "1. Số câu hỏi theo ngày\n");
	if (!r->questions) {
		fprintf(f, "   (chưa có câu hỏi nào trong khoảng này)\n\n");
		return;
	}
	fprintf(f, "   Mỗi dòng: ngày, số câu hỏi, trả lời được/chưa chắc/chưa trả "
	    "lời được, rồi biểu đồ\n   (█ trả lời được, ▒ chưa chắc: bot chỉ hỏi "
	    "lại, ░ chưa trả lời được, · khác: cảm ơn, ảnh, gặp người…)\n");
	for (i = 0; i < r->ndays; i = j) {
		const struct report_day *d = &r->days[i];
		char ds[11], de[11], mid[40];

		/* a run of empty days is one line */
		for (j = i; j < r->ndays && r->days[j].n == 0; j++)
			;
		if (j - i >= 2) {
			report_format_date(d->day, ds);
			report_format_date(r->days[j - 1].day, de);
			fprintf(f, "   %s … %s: không có câu hỏi (%zu ngày)\n", ds, de,
			    j - i);
			continue;
		}
		j = i + 1;
		report_format_date(d->day, ds);
		snprintf(mid, sizeof(mid), "%d/%d/%d", d->answered, d->unsure,
		    d->unanswered);
		fprintf(f, "   %s %-2s %5d  %-11s ", ds, weekday(d->day), d->n, mid);
		day_cells(d, top->n, cells);
		for (c = 0; c < 4; c++)
			for (k = 0; k < cells[c]; k++)
				fputs(glyph[c], f);
		fputc('\n', f);
	}
	{
		char d[11];

		report_format_date(top->day, d);
		fprintf(f, "   Tổng: %d câu hỏi; nhiều nhất %s (%d).\n", r->questions,
		    d, top->n);
	}
	fprintf(f, "   Bot trả lời ngay: %d · chưa chắc (chỉ hỏi lại): %d · chưa "
	    "trả lời được: %d · thông báo khác: %d\n\n", r->answered, r->clarified,
	    r->fallbacks, r->notices);
}

static void
text_topics(const struct report *r, FILE *f)
{
	size_t i;

	fprintf(f, "2. Chủ đề được trả lời nhiều nhất\n");
	if (!r->ntopics)
		fprintf(f, "   (chưa có)\n");
	for (i = 0; i < r->ntopics; i++) {
		const struct report_count *c = &r->topics[i];

		if (c->title)
			fprintf(f, "   %2zu. %5d  %s [%s]\n", i + 1, c->n, c->title, c->key);
		else if (r->kb_loaded)
			fprintf(f, "   %2zu. %5d  %s (không còn trong kho kiến thức)\n",
			    i + 1, c->n, c->key);
		else
			fprintf(f, "   %2zu. %5d  %s\n", i + 1, c->n, c->key);
	}
	fputc('\n', f);
}

static void
text_examples(const struct report_group *g, FILE *f)
{
	size_t j;

	for (j = 0; j < g->nex; j++)
		fprintf(f, "      • \"%s\"%s\n", g->ex[j], g->ex_unsure[j] ?
		    " (chưa chắc)" : "");
}

static void
text_unanswered(const struct report *r, FILE *f)
{
	size_t i, shown = 0, ns = singles(r);

	fprintf(f, "3. Câu hỏi bot chưa trả lời được: %zu · chưa chắc: %zu\n",
	    r->nunanswered, r->nunsure);
	if (!r->nunanswered && !r->nunsure) {
		fputc('\n', f);
		return;
	}
	if (r->ngrouped < r->nunanswered + r->nunsure)
		fprintf(f, "   (chỉ gom nhóm %zu câu gần đây nhất)\n", r->ngrouped);
	fprintf(f, "   \"Chưa chắc\": bot chưa trả lời, chỉ hỏi lại \"có phải bác "
	    "muốn hỏi…\".\n   Gom theo độ giống nhau; mỗi nhóm lớn nên thành một "
	    "mục hỏi đáp mới,\n   hoặc một dòng ask: cho chủ đề đúng.\n");
	for (i = 0; i < r->ngroups && r->groups[i].n > 1; i++) {
		const struct report_group *g = &r->groups[i];

		if (shown++ == GROUPS_SHOWN) {
			fprintf(f, "   … và các nhóm nhỏ hơn\n");
			break;
		}
		if (g->nunsure)
			fprintf(f, "   Nhóm %zu: %zu câu (chưa chắc: %zu)\n", i + 1, g->n,
			    g->nunsure);
		else
			fprintf(f, "   Nhóm %zu: %zu câu\n", i + 1, g->n);
		text_examples(g, f);
	}
	if (ns) {
		fprintf(f, "   Câu hỏi lẻ (chỉ hỏi một lần): %zu\n", ns);
		shown = 0;
		for (i = 0; i < r->ngroups; i++) {
			if (r->groups[i].n != 1)
				continue;
			if (shown++ == SINGLES_SHOWN) {
				fprintf(f, "      … và %zu câu khác\n", ns - SINGLES_SHOWN);
				break;
			}
			text_examples(&r->groups[i], f);
		}
	}
	fputc('\n', f);
}

static void
text_tickets(const struct report *r, FILE *f)
{
	const struct report_tickets *t = &r->t;
	char d[64];
	size_t i;

	fprintf(f, "4. Yêu cầu gặp người hỗ trợ (ticket)\n");
	if (!t->present) {
		fprintf(f, "   (cơ sở dữ liệu chưa có bảng tickets)\n");
		return;
	}
	fprintf(f, "   Tổng: %d · đang chờ: %d · đã có người nhận: %d · "
	    "đã xong: %d\n", t->total, t->open, t->claimed, t->resolved);
	fprintf(f, "   Chuyển lên cấp 2 (cán bộ phường): %d\n", t->tier2);
	if (t->nreply) {
		duration(t->reply_min, d, sizeof(d));
		fprintf(f, "   Trả lời lần đầu sau (trung vị): %s, trên %d ticket\n",
		    d, t->nreply);
	} else {
		fprintf(f, "   Trả lời lần đầu sau (trung vị): —\n");
	}
	if (t->nresolve) {
		duration(t->resolve_min, d, sizeof(d));
		fprintf(f, "   Xử lý xong sau (trung vị): %s, trên %d ticket\n", d,
		    t->nresolve);
	} else {
		fprintf(f, "   Xử lý xong sau (trung vị): —\n");
	}
	fprintf(f, "   Người dân đánh giá: 👍 %d · 👎 %d · chưa đánh giá: %d\n",
	    t->up, t->down, t->no_feedback);
	if (t->nreasons)
		fprintf(f, "   Theo lý do:\n");
	for (i = 0; i < t->nreasons; i++) {
		const char *l = handoff_reason_text(t->reasons[i].key);

		fprintf(f, "     %5d  %s%s%s\n", t->reasons[i].n, t->reasons[i].key,
		    l ? " — " : "", l ? l : "");
	}
}

void
report_text(const struct report *r, FILE *f)
{
	char a[11], b[11];

	report_format_date(r->since, a);
	report_format_date(r->today, b);
	fprintf(f, "BÁO CÁO HỎI ĐÁP — từ %s đến %s (giờ Việt Nam, UTC+7)\n", a, b);
	fprintf(f, "Cơ sở dữ liệu: %s\n\n", r->db);
	text_days(r, f);
	text_topics(r, f);
	text_unanswered(r, f);
	text_tickets(r, f);
}

/* ---- HTML ---- */

static void
esc(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: fputc(*s, f); break;
		}
	}
}

/* Escaped, and cut to max characters (chart labels have a fixed width). */
static void
esc_cut(FILE *f, const char *s, size_t max)
{
	char *c = clean_text(s, max);

	esc(f, c);
	free(c);
}

static const char css[] =
	"body{font-family:system-ui,\"Segoe UI\",Roboto,\"Noto Sans\",Arial,"
	"sans-serif;color:#111;background:#fff;max-width:50rem;margin:1.5rem auto;"
	"padding:0 1rem;line-height:1.45}"
	"h1{font-size:1.5rem;margin-bottom:.2rem}"
	"h2{font-size:1.15rem;border-bottom:2px solid #1f5f99;padding-bottom:.2rem;"
	"margin-top:2rem}"
	".meta{color:#444;margin-top:0}"
	"table{border-collapse:collapse;width:100%;margin:.5rem 0}"
	"th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ccc;"
	"vertical-align:top}"
	"th{background:#eef3f8}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}"
	"ul{margin:.1rem 0;padding-left:1.2rem}"
	"svg{display:block;max-width:100%;height:auto}"
	"svg text{font-size:12px;fill:#222}"
	".bar,.o0{fill:#1f5f99}.o1{fill:#e3a21a}.o2{fill:#c0392b}.o3{fill:#bbb}"
	".axis{stroke:#888;stroke-width:1}"
	".grid{stroke:#ddd;stroke-width:1}"
	".code{font-family:ui-monospace,Consolas,monospace;color:#555;"
	"font-size:.9em}"
	".legend{margin:.3rem 0}.sw{display:inline-block;width:.8em;height:.8em;"
	"vertical-align:-.05em;margin:0 .3em 0 .6em}.li{white-space:nowrap}"
	".li:first-child .sw{margin-left:0}"
	".s0{background:#1f5f99}.s1{background:#e3a21a}.s2{background:#c0392b}"
	".s3{background:#bbb}"
	".tag{font-size:.8em;color:#7a5200;background:#fbefd5;padding:0 .3em;"
	"border-radius:.2em;white-space:nowrap}"
	/* A section may start on the first page and go on to the next: only
	 * a heading (kept with what follows), a table row and a chart stay
	 * whole, so the first page is never left near-empty. */
	"@page{size:A4;margin:12mm}"
	"@media print{body{max-width:none;margin:0;padding:0}"
	"h1{margin-top:0}h2{break-after:avoid;page-break-after:avoid}"
	"tr,svg,.legend{break-inside:avoid;page-break-inside:avoid}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static void
html_days(const struct report *r, FILE *f)
{
	static const char *const label[4] = { "trả lời được",
		"chưa chắc (bot chỉ hỏi lại)", "chưa trả lời được",
		"khác (cảm ơn, ảnh, gặp người…)" };
	const double W = 720, H = 230, L = 36, R = 24, T = 18, B = 40;
	const double pw = W - L - R, ph = H - T - B;
	const struct report_day *top = busiest(r);
	double slot, bw;
	size_t i, every;
	int c;

	fprintf(f, "<section>\n<h2>1. Số câu hỏi theo ngày</h2>\n");
	if (!r->questions) {
		fprintf(f, "<p>Chưa có câu hỏi nào trong khoảng này.</p>\n"
		    "</section>\n");
		return;
	}
	fprintf(f, "<p class=\"legend\">");
	for (c = 0; c < 4; c++)
		fprintf(f, "<span class=\"li\"><span class=\"sw s%d\"></span>%s"
		    "</span> ", c, label[c]);
	fprintf(f, "</p>\n");
	slot = pw / (double)r->ndays;
	bw = slot * 0.7 > 40 ? 40 : slot * 0.7;
	every = (size_t)(40 / slot) + 1;        /* date labels must not overlap */
	fprintf(f, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
	    "role=\"img\" aria-label=\"Biểu đồ số câu hỏi theo ngày, chia theo kết "
	    "quả\">\n", W, H, W, H);
	fprintf(f, "<line class=\"grid\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
	    "y2=\"%.0f\"/>\n", L, T, W - R, T);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%d</text>\n",
	    L - 4, T + 4, top->n);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">0</text>\n",
	    L - 4, T + ph + 4);
	for (i = 0; i < r->ndays; i++) {
		const struct report_day *d = &r->days[i];
		double x = L + slot * (double)i, y = T + ph;
		int part[4];
		char ds[11];

		part[0] = d->answered;
		part[1] = d->unsure;
		part[2] = d->unanswered;
		part[3] = d->n - d->answered - d->unsure - d->unanswered;
		if (part[3] < 0)
			part[3] = 0;
		report_format_date(d->day, ds);
		fprintf(f, "<g><title>%s (%s): %d câu hỏi — trả lời được %d, chưa "
		    "chắc %d, chưa trả lời được %d, khác %d</title>", ds,
		    weekday(d->day), d->n, part[0], part[1], part[2], part[3]);
		/* stacked from the axis up, in the order of the legend; the
		 * parts may add up to more than the day's questions (a reply
		 * after midnight), so they are scaled to the day's bar */
		for (c = 0; c < 4; c++) {
			int sum = part[0] + part[1] + part[2] + part[3];
			double h = sum ? ph * d->n / top->n * part[c] / sum : 0;

			if (h <= 0)
				continue;
			y -= h;
			fprintf(f, "<rect class=\"o%d\" x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"%.1f\"/>", c, x + (slot - bw) / 2, y,
			    bw, h);
		}
		fprintf(f, "</g>\n");
		if (d->n && slot >= 16)
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
			    "%d</text>\n", x + slot / 2, T + ph - ph * d->n / top->n - 3,
			    d->n);
		if (i % every == 0) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">"
			    "%.2s/%.2s</text>\n", x + slot / 2, T + ph + 15, ds + 8, ds + 5);
			if (every == 1 && slot >= 24)
				fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">"
				    "%s</text>\n", x + slot / 2, T + ph + 30, weekday(d->day));
		}
	}
	fprintf(f, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
	    "y2=\"%.0f\"/>\n</svg>\n", L, T + ph, W - R, T + ph);
	{
		char ds[11];

		report_format_date(top->day, ds);
		fprintf(f, "<p>Tổng: <b>%d</b> câu hỏi; nhiều nhất %s (%d). Bot trả "
		    "lời ngay: %d · chưa chắc (chỉ hỏi lại): %d · chưa trả lời được: "
		    "%d · thông báo khác: %d.</p>\n", r->questions, ds, top->n,
		    r->answered, r->clarified, r->fallbacks, r->notices);
	}
	fprintf(f, "</section>\n");
}

static void
html_topics(const struct report *r, FILE *f)
{
	const double W = 720, LW = 330, BX = 340, BMAX = 330, RH = 26;
	size_t i;
	int max = r->ntopics ? r->topics[0].n : 1;

	fprintf(f, "<section>\n<h2>2. Chủ đề được trả lời nhiều nhất</h2>\n");
	if (!r->ntopics) {
		fprintf(f, "<p>Chưa có.</p>\n</section>\n");
		return;
	}
	fprintf(f, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
	    "role=\"img\" aria-label=\"Biểu đồ các chủ đề được trả lời nhiều "
	    "nhất\">\n", W, RH * (double)r->ntopics + 4, W,
	    RH * (double)r->ntopics + 4);
	for (i = 0; i < r->ntopics; i++) {
		const struct report_count *c = &r->topics[i];
		double y = RH * (double)i, w = BMAX * c->n / max;

		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">",
		    LW, y + 17);
		esc_cut(f, c->title ? c->title : c->key, 46);
		fprintf(f, "</text>\n<rect class=\"bar\" x=\"%.0f\" y=\"%.0f\" "
		    "width=\"%.1f\" height=\"18\"><title>", BX, y + 4, w);
		esc(f, c->key);
		fprintf(f, ": %d</title></rect>\n<text x=\"%.1f\" y=\"%.0f\">%d"
		    "</text>\n", c->n, BX + w + 5, y + 17, c->n);
	}
	fprintf(f, "</svg>\n<table>\n<tr><th class=\"n\">#</th><th>Chủ đề</th>"
	    "<th>Mã</th><th class=\"n\">Số lần</th></tr>\n");
	for (i = 0; i < r->ntopics; i++) {
		const struct report_count *c = &r->topics[i];

		fprintf(f, "<tr><td class=\"n\">%zu</td><td>", i + 1);
		if (c->title)
			esc(f, c->title);
		else if (r->kb_loaded)
			fprintf(f, "<i>không còn trong kho kiến thức</i>");
		fprintf(f, "</td><td class=\"code\">");
		esc(f, c->key);
		fprintf(f, "</td><td class=\"n\">%d</td></tr>\n", c->n);
	}
	fprintf(f, "</table>\n</section>\n");
}

static void
html_example(const char *text, bool unsure, FILE *f)
{
	fprintf(f, "<li>");
	esc(f, text);
	if (unsure)
		fprintf(f, " <span class=\"tag\">chưa chắc</span>");
	fprintf(f, "</li>");
}

static void
html_examples(const struct report_group *g, FILE *f)
{
	size_t j;

	fprintf(f, "<ul>");
	for (j = 0; j < g->nex; j++)
		html_example(g->ex[j], g->ex_unsure[j], f);
	fprintf(f, "</ul>");
}

static void
html_unanswered(const struct report *r, FILE *f)
{
	size_t i, shown = 0, ns = singles(r), nsu = 0;

	fprintf(f, "<section>\n<h2>3. Câu hỏi bot chưa trả lời được: %zu · chưa "
	    "chắc: %zu</h2>\n", r->nunanswered, r->nunsure);
	if (!r->nunanswered && !r->nunsure) {
		fprintf(f, "</section>\n");
		return;
	}
	fprintf(f, "<p><span class=\"tag\">chưa chắc</span>: bot chưa trả lời, chỉ "
	    "hỏi lại “có phải bác muốn hỏi…”. Gom theo độ giống nhau; mỗi nhóm lớn "
	    "nên thành một mục hỏi đáp mới, hoặc một dòng <span class=\"code\">"
	    "ask:</span> cho chủ đề đúng.");
	if (r->ngrouped < r->nunanswered + r->nunsure)
		fprintf(f, " (Chỉ gom nhóm %zu câu gần đây nhất.)", r->ngrouped);
	fprintf(f, "</p>\n<table>\n<tr><th class=\"n\">Nhóm</th>"
	    "<th class=\"n\">Số câu</th><th class=\"n\">Chưa chắc</th>"
	    "<th>Ví dụ</th></tr>\n");
	for (i = 0; i < r->ngroups && r->groups[i].n > 1 &&
	    shown < GROUPS_SHOWN; i++, shown++) {
		fprintf(f, "<tr><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
		    "<td class=\"n\">%zu</td><td>", i + 1, r->groups[i].n,
		    r->groups[i].nunsure);
		html_examples(&r->groups[i], f);
		fprintf(f, "</td></tr>\n");
	}
	if (ns) {
		for (i = 0; i < r->ngroups; i++)
			if (r->groups[i].n == 1)
				nsu += r->groups[i].nunsure;
		fprintf(f, "<tr><td class=\"n\">lẻ</td><td class=\"n\">%zu</td>"
		    "<td class=\"n\">%zu</td><td><ul>", ns, nsu);
		for (i = 0, shown = 0; i < r->ngroups; i++) {
			if (r->groups[i].n != 1)
				continue;
			if (shown++ == SINGLES_SHOWN) {
				fprintf(f, "<li>… và %zu câu khác</li>", ns - SINGLES_SHOWN);
				break;
			}
			html_example(r->groups[i].ex[0], r->groups[i].ex_unsure[0], f);
		}
		fprintf(f, "</ul></td></tr>\n");
	}
	fprintf(f, "</table>\n</section>\n");
}

static void
html_tickets(const struct report *r, FILE *f)
{
	const struct report_tickets *t = &r->t;
	char d[64];
	size_t i;

	fprintf(f, "<section>\n<h2>4. Yêu cầu gặp người hỗ trợ (ticket)</h2>\n");
	if (!t->present) {
		fprintf(f, "<p>Cơ sở dữ liệu chưa có bảng tickets.</p>\n</section>\n");
		return;
	}
	fprintf(f, "<table>\n<tr><td>Tổng</td><td class=\"n\">%d</td></tr>\n"
	    "<tr><td>Đang chờ</td><td class=\"n\">%d</td></tr>\n"
	    "<tr><td>Đã có người nhận</td><td class=\"n\">%d</td></tr>\n"
	    "<tr><td>Đã xong</td><td class=\"n\">%d</td></tr>\n"
	    "<tr><td>Chuyển lên cấp 2 (cán bộ phường)</td><td class=\"n\">%d"
	    "</td></tr>\n", t->total, t->open, t->claimed, t->resolved, t->tier2);
	if (t->nreply)
		duration(t->reply_min, d, sizeof(d));
	fprintf(f, "<tr><td>Trả lời lần đầu sau (trung vị, %d ticket)</td>"
	    "<td class=\"n\">%s</td></tr>\n", t->nreply, t->nreply ? d : "—");
	if (t->nresolve)
		duration(t->resolve_min, d, sizeof(d));
	fprintf(f, "<tr><td>Xử lý xong sau (trung vị, %d ticket)</td>"
	    "<td class=\"n\">%s</td></tr>\n", t->nresolve, t->nresolve ? d : "—");
	fprintf(f, "<tr><td>Người dân đánh giá</td><td class=\"n\">👍 %d · 👎 %d · "
	    "chưa đánh giá: %d</td></tr>\n</table>\n", t->up, t->down,
	    t->no_feedback);
	if (t->nreasons)
		fprintf(f, "<table>\n<tr><th>Lý do</th><th class=\"n\">Số ticket</th>"
		    "</tr>\n");
	for (i = 0; i < t->nreasons; i++) {
		const char *l = handoff_reason_text(t->reasons[i].key);

		fprintf(f, "<tr><td>");
		if (l)
			fprintf(f, "%s ", l);
		fprintf(f, "<span class=\"code\">");
		esc(f, t->reasons[i].key);
		fprintf(f, "</span></td><td class=\"n\">%d</td></tr>\n",
		    t->reasons[i].n);
	}
	if (t->nreasons)
		fprintf(f, "</table>\n");
	fprintf(f, "</section>\n");
}

void
report_html(const struct report *r, FILE *f)
{
	char a[11], b[11], now[32];
	time_t t = time(NULL) + REPORT_TZ_OFFSET_S;
	struct tm tm;

	report_format_date(r->since, a);
	report_format_date(r->today, b);
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%d %H:%M", &tm);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>Báo cáo hỏi đáp %s – %s</title>\n"
	    "<style>%s</style>\n</head>\n<body>\n<h1>Báo cáo hỏi đáp</h1>\n"
	    "<p class=\"meta\">Từ %s đến %s (giờ Việt Nam, UTC+7). Cơ sở dữ liệu: "
	    "<span class=\"code\">", a, b, css, a, b);
	esc(f, r->db);
	fprintf(f, "</span>. Lập lúc %s.</p>\n", now);
	html_days(r, f);
	html_topics(r, f);
	html_unanswered(r, f);
	html_tickets(r, f);
	fprintf(f, "</body>\n</html>\n");
}
