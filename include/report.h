/*
 * report: the ward admins' report, read from the bot's database without
 * writing to it: questions per day by outcome, the most answered topics, the
 * questions the bot could not answer or was unsure about (it only offered a
 * "did you mean" list) grouped by similarity (each big group is the next FAQ
 * entry or ask: line to write), and the hand-offs to people (tickets).
 *
 * Outcomes come from the action of the bot's reply in the messages table
 * (conv_action(), logged by bot/ingest.c and bot/cmd_chat.c): "answer" is
 * answered, "clarify" unsure, "fallback" not answered; "notice" (a
 * thank-you, "tiếp" past the end, a photo), "handoff" and anything else is
 * none of the three.
 *
 * Days are Asia/Ho_Chi_Minh days (UTC+7, no daylight saving): a question
 * typed at 00:10 in Hanoi counts for that Hanoi day, whatever UTC says.
 * A period runs from the start of `since` to the end of `today`.
 */
#ifndef HOIDAP_REPORT_H
#define HOIDAP_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kb.h"

#define REPORT_DEFAULT_DAYS 30          /* --since default: today - 30 */
#define REPORT_TOP_TOPICS 10
/*
 * Two questions are "alike" when their folded syllables (unigrams +
 * bigrams; abbreviations expanded, stop words left out) overlap enough:
 * the Jaccard similarity of the two sets reaches REPORT_SIM_THRESHOLD, or
 * the shorter question, of at least REPORT_CONTAIN_MIN syllables, has
 * REPORT_CONTAIN_THRESHOLD of its unigrams and bigrams in the longer one
 * ("lương hưu" is inside "lương hưu tháng này bao giờ có", whose Jaccard
 * is 0.33). On tests/data/report.sql Jaccard values from 0.34 to 0.44 give
 * the intended groups. Figures for the golden sets are in bot/report_group.c,
 * above question_alike().
 */
#define REPORT_SIM_THRESHOLD 0.40
#define REPORT_CONTAIN_THRESHOLD 0.75
#define REPORT_CONTAIN_MIN 2
/* Grouping is quadratic: only the most recent questions are grouped. */
#define REPORT_MAX_UNANSWERED 3000
#define REPORT_EXAMPLES 3
#define REPORT_TEXT_CHARS 120           /* longer texts are cut, with "…" */

struct report_day {
	long day;                       /* local days since 1970-01-01 */
	int n;                          /* questions (messages in) */
	int answered, unsure, unanswered;       /* the bot's replies */
};

struct report_count {
	char *key;                      /* topic id, ticket reason */
	char *title;                    /* topic title; NULL if not in the kb */
	int n;
};

struct report_group {
	size_t n;                       /* questions in the group */
	size_t nunsure;                 /* of them, answered with a "did you mean" */
	char *ex[REPORT_EXAMPLES];      /* distinct examples, cleaned, cut */
	bool ex_unsure[REPORT_EXAMPLES];
	size_t nex;
};

struct report_tickets {
	int present;                    /* 0: the database has no tickets table */
	int total, open, claimed, resolved, tier2;
	int up, down, no_feedback;      /* no_feedback: resolved, not rated */
	int nreply, nresolve;           /* tickets behind each median */
	double reply_min, resolve_min;  /* medians, minutes */
	struct report_count *reasons;   /* most frequent first */
	size_t nreasons;
};

struct report {
	char *db;
	long since, today;              /* local days since the epoch */
	struct report_day *days;        /* first day with a question .. today */
	size_t ndays;
	int questions;                  /* messages in */
	int answered, clarified, fallbacks, notices;
	struct report_count *topics;    /* most answered first */
	size_t ntopics;
	int kb_loaded;                  /* titles were looked up */
	size_t nunanswered;             /* in the period */
	size_t nunsure;                 /* questions answered with a clarify */
	size_t ngrouped;                /* the most recent of both, grouped */
	struct report_group *groups;    /* biggest first */
	size_t ngroups;
	struct report_tickets t;
	char err[512];                  /* why report_load failed */
};

struct report_opts {
	const char *db;                 /* opened read-only */
	const struct kb *kb;            /* topic titles; may be NULL */
	const char *kb_dir;             /* abbreviations and stop words; or NULL */
	long since, today;              /* local days since the epoch */
};

/* Reads everything; on failure (-1) r->err says why. Release r either way. */
int report_load(struct report *r, const struct report_opts *o);
void report_release(struct report *r);
void report_text(const struct report *r, FILE *f);
/* One self-contained page: inline CSS and SVG, no script, no network. */
void report_html(const struct report *r, FILE *f);

/*
 * Groups texts the way the report groups questions: group[i] is the group
 * of texts[i], numbered from 0, biggest group first (ties: the group of the
 * earlier text first). kb_dir gives the abbreviations and stop words, or
 * NULL. Returns the number of groups.
 */
size_t report_group_texts(const char *const *texts, size_t n,
    const char *kb_dir, size_t *group);

/* YYYY-MM-DD (a real date, year >= 2000) to days since the epoch, or -1. */
long report_parse_date(const char *s);
void report_format_date(long day, char out[11]);

#endif
