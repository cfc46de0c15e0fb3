#include "clock.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static time_t (*now_fn)(void);

time_t
clock_now(void)
{
	return now_fn ? now_fn() : time(NULL);
}

int64_t
clock_now_us(void)
{
	struct timespec ts;

	if (now_fn)
		return (int64_t)now_fn() * 1000000;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

int64_t
clock_now_ms(void)
{
	return clock_now_us() / 1000;
}

void
clock_set(time_t (*now)(void))
{
	now_fn = now;
}

long
clock_day(int64_t utc_s)
{
	return (long)((utc_s + CLOCK_TZ_OFFSET_S) / 86400);
}

long
clock_minute(int64_t utc_s)
{
	return (long)((utc_s + CLOCK_TZ_OFFSET_S) % 86400) / 60;
}

void
clock_local(struct tm *tm)
{
	time_t now = clock_now() + CLOCK_TZ_OFFSET_S;

	gmtime_r(&now, tm);
}

void
clock_today(char out[11])
{
	const char *env = getenv("HOIDAP_TODAY");
	struct tm tm;

	if (env && date_parse(env) >= 0) {
		memcpy(out, env, 10);
		out[10] = '\0';
		return;
	}
	clock_local(&tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void
clock_hhmm(char out[6])
{
	const char *env = getenv("HOIDAP_NOW");
	struct tm tm;

	if (env && strlen(env) == 5 && isdigit((unsigned char)env[0]) &&
	    isdigit((unsigned char)env[1]) && env[2] == ':' &&
	    isdigit((unsigned char)env[3]) && isdigit((unsigned char)env[4]) &&
	    atoi(env) < 24 && atoi(env + 3) < 60) {
		memcpy(out, env, 5);
		out[5] = '\0';
		return;
	}
	clock_local(&tm);
	strftime(out, 6, "%H:%M", &tm);
}
