/* clock.c: the wards' UTC+7 day and time, and the fake clock tests use. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "clock.h"
#include "log.h"
#include "metrics.h"
#include "store.h"

/* 2026-12-01 16:59:30 UTC, 23:59:30 in Hanoi */
#define T_LATE ((time_t)1796144370)

static time_t fake;

static time_t
fake_now(void)
{
	return fake;
}

static void
test_fake_now(void **state)
{
	(void)state;
	clock_set(fake_now);
	fake = 42;
	assert_int_equal(clock_now(), 42);
	clock_set(NULL);
	/* back on the real clock: after 2026-01-01 */
	assert_true(clock_now() > (time_t)1767225600);
}

/* Local midnight falls at 17:00 UTC: 30 s before it is still the old day. */
static void
test_today_across_local_midnight(void **state)
{
	char d[11], t[6];

	(void)state;
	unsetenv("HOIDAP_TODAY");
	unsetenv("HOIDAP_NOW");
	clock_set(fake_now);
	fake = T_LATE;
	clock_today(d);
	clock_hhmm(t);
	assert_string_equal(d, "2026-12-01");
	assert_string_equal(t, "23:59");
	fake = T_LATE + 30;
	clock_today(d);
	clock_hhmm(t);
	assert_string_equal(d, "2026-12-02");
	assert_string_equal(t, "00:00");
	clock_set(NULL);
}

/* The wards' broken-down time: 23:59:30 in Hanoi is 16:59:30 UTC. */
static void
test_local(void **state)
{
	struct tm tm;

	(void)state;
	clock_set(fake_now);
	fake = T_LATE;
	clock_local(&tm);
	assert_int_equal(tm.tm_year, 126);
	assert_int_equal(tm.tm_mon, 11);
	assert_int_equal(tm.tm_mday, 1);
	assert_int_equal(tm.tm_hour, 23);
	assert_int_equal(tm.tm_min, 59);
	assert_int_equal(tm.tm_sec, 30);
	clock_set(NULL);
}

/* The environment overrides the clock, fake or not (whole-program tests). */
static void
test_env_overrides(void **state)
{
	char d[11], t[6];

	(void)state;
	clock_set(fake_now);
	fake = T_LATE;
	setenv("HOIDAP_TODAY", "2026-11-28", 1);
	setenv("HOIDAP_NOW", "09:15", 1);
	clock_today(d);
	clock_hhmm(t);
	assert_string_equal(d, "2026-11-28");
	assert_string_equal(t, "09:15");
	/* not a date, not a time: the clock again */
	setenv("HOIDAP_TODAY", "yesterday", 1);
	setenv("HOIDAP_NOW", "25:00", 1);
	clock_today(d);
	clock_hhmm(t);
	assert_string_equal(d, "2026-12-01");
	assert_string_equal(t, "23:59");
	unsetenv("HOIDAP_TODAY");
	unsetenv("HOIDAP_NOW");
	clock_set(NULL);
}

static void
test_day_and_minute(void **state)
{
	(void)state;
	/* 1970-01-01 17:00 UTC is 00:00 on 1970-01-02 in Hanoi */
	assert_int_equal(clock_day(17 * 3600 - 1), 0);
	assert_int_equal(clock_minute(17 * 3600 - 1), 23 * 60 + 59);
	assert_int_equal(clock_day(17 * 3600), 1);
	assert_int_equal(clock_minute(17 * 3600), 0);
	assert_int_equal(clock_day(T_LATE), 20788);     /* 2026-12-01 */
	assert_int_equal(clock_day(T_LATE + 30), 20789);
	assert_int_equal(clock_minute(0), 7 * 60);
}

/* The store's timestamps follow the fake clock too (tickets, outbox...). */
static void
test_store_follows_fake_clock(void **state)
{
	char dir[256], db[512];
	struct store *st;
	struct ticket t;
	int64_t id;

	(void)state;
	log_set_level(LOG_ERROR);
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(db, sizeof(db), "%s/t.db", dir);
	assert_non_null(st = store_open(db));
	clock_set(fake_now);
	fake = T_LATE;
	assert_int_equal(store_now_ms(), (int64_t)T_LATE * 1000);
	assert_int_equal(store_now_us(), (int64_t)T_LATE * 1000000);
	id = store_ticket_open(st, "telegram", "5", "Lan", 1, "asked", "q");
	assert_true(id > 0);
	assert_int_equal(store_ticket_get(st, id, &t), 1);
	assert_int_equal(t.created, (int64_t)T_LATE * 1000);
	clock_set(NULL);
	store_close(st);
	tu_rmrf(dir);
}

static size_t
sink(char *p, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;

	buf_add(b, p, size * n);
	return size * n;
}

/* /healthz: published on the fake clock, a minute later on it the loop is
 * silent (the real clock would say ok, or 30 years silent). */
static void
test_metrics_follow_fake_clock(void **state)
{
	struct metrics m;
	struct metrics_server *s = NULL;
	char err[256], url[64];
	struct buf b;
	CURL *h;
	int port;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.store_ok = 1;
	for (port = 39464; port < 39564 && !s; port++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "127.0.0.1:%d", port);
		s = metrics_start(addr, err, sizeof(err));
	}
	assert_non_null(s);
	snprintf(url, sizeof(url), "http://127.0.0.1:%d/healthz", port - 1);
	clock_set(fake_now);
	fake = T_LATE;
	metrics_publish(s, &m);
	fake = T_LATE + 60;
	buf_init(&b, 4096);
	assert_non_null(h = curl_easy_init());
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, &b);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, 10L);
	assert_int_equal(curl_easy_perform(h), CURLE_OK);
	curl_easy_cleanup(h);
	clock_set(NULL);
	metrics_stop(s);
	assert_non_null(b.data);
	assert_string_equal(b.data, "event loop silent for 60 s\n");
	buf_release(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_now),
		cmocka_unit_test(test_today_across_local_midnight),
		cmocka_unit_test(test_local),
		cmocka_unit_test(test_env_overrides),
		cmocka_unit_test(test_day_and_minute),
		cmocka_unit_test(test_store_follows_fake_clock),
		cmocka_unit_test(test_metrics_follow_fake_clock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
