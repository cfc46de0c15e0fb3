/*
 * schedule: knowledge/schedule.txt, the ward's in-person help sessions of
 * the Tổ Chuyển đổi số cộng đồng (date, hours, place, what is offered), and
 * the short list of upcoming ones the bot puts in front of the answer to
 * "where and when can someone help me". Format: knowledge/README.md.
 *
 * Dates are compared as ISO strings and times as minutes, in the wards' own
 * time (Asia/Ho_Chi_Minh); the caller supplies "today" and "now" (clock_today,
 * clock_hhmm) so tests and `check` see the same clock as the bot.
 */
#ifndef HOIDAP_SCHEDULE_H
#define HOIDAP_SCHEDULE_H

#include <stddef.h>

#include "buf.h"
#include "diag.h"

struct schedule;

/* Read-only view of one session; owned by its schedule. */
struct schedule_session {
	char date[11];          /* YYYY-MM-DD */
	int start, end;         /* minutes after midnight, start < end */
	char *place;            /* never empty */
	char *what;             /* "" when the line does not say */
	int line;               /* line in the file, for diagnostics */
};

/*
 * Parses `path`; every problem goes to d as path:line. Sessions are kept in
 * date and time order, bad lines are skipped. today ("YYYY-MM-DD") and now
 * ("HH:MM") are only used to warn when no session is still to come.
 * Returns NULL when the file cannot be read, holds binary data or is not
 * UTF-8 (also in d).
 */
struct schedule *schedule_load(const char *path, const char *today,
    const char *now, struct diag *d);
/* Same, from memory (tests); `path` names it in diagnostics. */
struct schedule *schedule_parse(const char *path, const char *data,
    size_t len, const char *today, const char *now, struct diag *d);
void schedule_free(struct schedule *s);

size_t schedule_count(const struct schedule *s);
const struct schedule_session *schedule_session(const struct schedule *s,
    size_t i);
/* The `contact:` line (whom to call or ask), or NULL. */
const char *schedule_contact(const struct schedule *s);

/* 0 = Sunday … 6 = Saturday for "YYYY-MM-DD", -1 if it is not a date. */
int schedule_weekday(const char *iso);

/*
 * Appends at most max sessions still to come at today/now (today's sessions
 * whose end has not passed, then later dates), one per line, no newline
 * after the last:
 * "- Thứ Bảy 05/12/2026, 8:00–11:00: Nhà văn hoá … (Cài VNeID)".
 * Returns how many were written (0: nothing appended), or -1 if today/now
 * are malformed or out overflowed its cap.
 */
int schedule_upcoming(const struct schedule *s, const char *today,
    const char *now, size_t max, struct buf *out);

/*
 * The block a resident sees before the support-point answer: a heading,
 * the upcoming list and the contact, or, when nothing is coming, a sentence
 * saying so and whom to ask. 0, or -1 as schedule_upcoming.
 */
int schedule_reply(const struct schedule *s, const char *today,
    const char *now, size_t max, struct buf *out);

#endif
