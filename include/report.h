/*
 * report: the ward admins' report, read from the bot's database without
 * writing to it: questions per day, the most answered topics, the questions
 * the bot could not answer grouped by similarity (each big group is the next
 * FAQ entry to write), and the hand-offs to people (tickets).
 *
 * Days are Asia/Ho_Chi_Minh days (UTC+7, no daylight saving): a question
 * typed at 00:10 in Hanoi counts for that Hanoi day, whatever UTC says.
 * A period runs from the start of `since` to the end of `today`.
 */
#ifndef HOIDAP_REPORT_H
#define HOIDAP_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "kb.h"

#define REPORT_TZ_OFFSET_S (7 * 3600)
#define REPORT_DEFAULT_DAYS 30          /* --since default: today - 30 */
#define REPORT_TOP_TOPICS 10
/*
 * Two unanswered questions are "alike" when the Jaccard similarity of their
 * folded syllable sets (unigrams + bigrams; abbreviations expanded, stop
 * words left out) reaches this. On tests/data/report.sql every value from
 * 0.34 to 0.44 gives the intended groups: at 0.33 "số điện thoại của
 * phường" joins the VNeID phone-number group, at 0.45 a paraphrase splits
 * off. On the 242 labelled questions of tests/golden/paraphrases.tsv and the
 * shared dev set, two questions put in one group share a topic 89% of the
 * time at 0.40 (73% at 0.35, 67% at 0.30; 96% at 0.50, which finds 30%
 * fewer pairs). Jaccard does penalise a long message against a short one
 * with the same core words: such a message may stay on its own.
 */
#define REPORT_SIM_THRESHOLD 0.40
/* Grouping is quadratic: only the most recent questions are grouped. */
#define REPORT_MAX_UNANSWERED 3000
#define REPORT_EXAMPLES 3
#define REPORT_TEXT_CHARS 120           /* longer texts are cut, with "…" */

struct report_day {
	long day;                       /* local days since 1970-01-01 */
	int n;
};

struct report_count {
	char *key;                      /* topic id, ticket reason */
	char *title;                    /* topic title; NULL if not in the kb */
	int n;
};

struct report_group {
	size_t n;                       /* questions in the group */
	char *ex[REPORT_EXAMPLES];      /* distinct examples, cleaned, cut */
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
	size_t ngrouped;                /* the most recent of them, grouped */
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

/* YYYY-MM-DD (a real date, year >= 2000) to days since the epoch, or -1. */
long report_parse_date(const char *s);
void report_format_date(long day, char out[11]);

#endif
