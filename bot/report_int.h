/*
 * Private to the report's files: bot/report.c (dates, residents' text made
 * safe to show, the wording and the counts both pages share), bot/report_load.c (reading
 * the database), bot/report_group.c (grouping alike questions),
 * bot/report_text.c and bot/report_html.c (the two pages).
 */
#ifndef HOIDAP_REPORT_INT_H
#define HOIDAP_REPORT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "report.h"

#define GROUPS_SHOWN 15                 /* groups of two or more */
#define SINGLES_SHOWN 10                /* questions asked once */

/* What grouping needs of the knowledge base (report_words_load). */
struct words {
	uint64_t *stop;                 /* sorted keys of folded stop words */
	size_t nstop;
	struct abbrev *abbrev;
};

/* A question to group: its text and its keys (report_question_features). */
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

/* Vietnamese weekday: Thứ Hai is T2 … Chủ nhật is CN. */
const char *report_weekday(long day);
/*
 * A stored text for display: one line with single spaces, no controls,
 * invalid UTF-8 shown as U+FFFD, cut after max characters with "…".
 */
char *report_clean_text(const char *s, size_t max);
/* "90 phút (1 giờ 30 phút)": whole minutes, and hours/days when long. */
void report_duration(double min, char *out, size_t n);
/* Groups of one question; the day with the most questions (or NULL). */
size_t report_singles(const struct report *r);
const struct report_day *report_busiest(const struct report *r);
/*
 * A day's replies as the pages draw them, in the order of their legends:
 * answered, unsure, not answered, and the rest (notices, hand-offs, no
 * reply; 0, not less, when replies after midnight outnumber the day's
 * questions). Returns the four's sum, which may exceed d->n.
 */
int report_day_parts(const struct report_day *d, int part[4]);
/* The groups of one question the pages list, in order: up to
 * SINGLES_SHOWN into v; returns how many. */
size_t report_singles_shown(const struct report *r,
    const struct report_group **v);

/* The abbreviations and stop words of dir (or none if NULL). */
void report_words_load(struct words *w, const char *dir);
void report_words_release(struct words *w);
/* Fills q's keys from s; q->text and q->unsure are the caller's. */
void report_question_features(const struct words *w, const char *s,
    struct question *q);
/* Groups v[0..n) into r->groups (biggest first) with their examples. */
void report_group_questions(struct report *r, struct question *v, size_t n);
void report_question_release(struct question *q);

#endif
