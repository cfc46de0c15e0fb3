/*
 * clock: the wards' wall clock. Asia/Ho_Chi_Minh is UTC+7 with no daylight
 * saving, so local time is UTC plus a constant; this is the one place that
 * says so. Tests fake the clock with clock_set (unit tests) or with
 * HOIDAP_TODAY / HOIDAP_NOW (whole programs: the date and the time of day
 * kb, conv and `report` read).
 */
#ifndef HOIDAP_CLOCK_H
#define HOIDAP_CLOCK_H

#include <stdint.h>
#include <time.h>

#define CLOCK_TZ_OFFSET_S (7 * 3600)

/* Seconds since the epoch: time(NULL), or what clock_set's function says. */
time_t clock_now(void);
/* The same in milliseconds and microseconds (CLOCK_REALTIME): what the
 * store stamps rows with and the metrics time. */
int64_t clock_now_ms(void);
int64_t clock_now_us(void);
/* Tests: clock_now() returns now() from here on (and clock_now_ms() and
 * clock_now_us() its whole seconds); NULL is the real clock again. */
void clock_set(time_t (*now)(void));
/* The local day of utc_s (days since 1970-01-01 in the wards) and the local
 * minute of that day (0..1439). */
long clock_day(int64_t utc_s);
long clock_minute(int64_t utc_s);
/* The wards' time now (clock_now()'s), broken down, for strftime. */
void clock_local(struct tm *tm);
/* Today as YYYY-MM-DD (HOIDAP_TODAY overrides it, for tests). */
void clock_today(char out[11]);
/* The time now as HH:MM (HOIDAP_NOW overrides it, for tests). */
void clock_hhmm(char out[6]);

#endif
