/* config.c: what SIGHUP changes (config_apply_hot) — the keys marked hot in
 * the table, and nothing else. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config.h"
#include "diag.h"

/* Every key but the hot ones, changed: none of these may reach the daemon. */
static const char cold[] =
    "telegram_token = 123:abc\n"
    "telegram_api = http://127.0.0.1:1\n"
    "zalo_token = z\n"
    "db = other.db\n"
    "kb = other\n"
    "log_level = debug\n"
    "send_concurrency = 4\n"
    "volunteer_chat = -100\n"
    "admins = 7\n"
    "support_hours = 08:00-17:00\n"
    "typical_wait = 1 giờ\n"
    "member_check_seconds = 9\n"
    "watch_seconds = 9\n"
    "keep_days = 9\n"
    "ward_name = Phường X\n"
    "metrics_listen = 127.0.0.1:1\n"
    "webhook_listen = 127.0.0.1:2\n"
    "webhook_url = https://example.org\n"
    "webhook_secret = abcdefgh\n";

/* The hot ones, each away from its default. */
static const char hot[] =
    "rate_chat_ms = 11\n"
    "rate_group_per_min = 12\n"
    "rate_global_per_s = 13\n"
    "flood_max = 14\n"
    "flood_window = 15\n"
    "drain_seconds = 16\n"
    "max_attempts = 17\n"
    "poll_timeout = 18\n"
    "http_timeout = 19\n"
    "reannounce_minutes = 20\n"
    "escalate_minutes = 21\n";

static void
parse(struct config *c, const char *text)
{
	struct diag d;

	diag_init(&d);
	config_init(c);
	assert_int_equal(config_parse(c, "test.conf", text, &d), 0);
	assert_int_equal(d.nerr, 0);
	diag_release(&d);
}

static void
test_hot_keys_apply(void **state)
{
	struct config run, def, nc;
	char both[sizeof(cold) + sizeof(hot)];

	(void)state;
	config_init(&run);
	config_init(&def);
	snprintf(both, sizeof(both), "%s%s", cold, hot);
	parse(&nc, both);
	config_apply_hot(&run, &nc);
	assert_int_equal(run.rate_chat_ms, 11);
	assert_int_equal(run.rate_group_per_min, 12);
	assert_int_equal(run.rate_global_per_s, 13);
	assert_int_equal(run.flood_max, 14);
	assert_int_equal(run.flood_window, 15);
	assert_int_equal(run.drain_seconds, 16);
	assert_int_equal(run.max_attempts, 17);
	assert_int_equal(run.poll_timeout, 18);
	assert_int_equal(run.http_timeout, 19);
	assert_int_equal(run.reannounce_minutes, 20);
	assert_int_equal(run.escalate_minutes, 21);
	/* the rest is still the running (here: default) configuration */
	assert_string_equal(run.telegram_token, def.telegram_token);
	assert_string_equal(run.telegram_api, def.telegram_api);
	assert_string_equal(run.zalo_token, def.zalo_token);
	assert_string_equal(run.db, def.db);
	assert_string_equal(run.kb, def.kb);
	assert_string_equal(run.log_level, def.log_level);
	assert_int_equal(run.send_concurrency, def.send_concurrency);
	assert_string_equal(run.volunteer_chat, def.volunteer_chat);
	assert_string_equal(run.admins, def.admins);
	assert_string_equal(run.support_hours, def.support_hours);
	assert_string_equal(run.typical_wait, def.typical_wait);
	assert_int_equal(run.member_check_seconds, def.member_check_seconds);
	assert_int_equal(run.watch_seconds, def.watch_seconds);
	assert_int_equal(run.keep_days, def.keep_days);
	assert_string_equal(run.ward_name, def.ward_name);
	assert_string_equal(run.metrics_listen, def.metrics_listen);
	assert_string_equal(run.webhook_listen, def.webhook_listen);
	assert_string_equal(run.webhook_url, def.webhook_url);
	assert_string_equal(run.webhook_secret, def.webhook_secret);
	config_release(&run);
	config_release(&def);
	config_release(&nc);
}

/* A file that changes only cold keys changes nothing live. */
static void
test_cold_keys_do_not(void **state)
{
	struct config run, def, nc;

	(void)state;
	config_init(&run);
	config_init(&def);
	parse(&nc, cold);
	config_apply_hot(&run, &nc);
	assert_memory_equal(&run.poll_timeout, &def.poll_timeout,
	    offsetof(struct config, volunteer_chat) -
	    offsetof(struct config, poll_timeout));
	assert_int_equal(run.reannounce_minutes, def.reannounce_minutes);
	assert_int_equal(run.escalate_minutes, def.escalate_minutes);
	assert_string_equal(run.kb, def.kb);
	assert_string_equal(run.webhook_secret, def.webhook_secret);
	config_release(&run);
	config_release(&def);
	config_release(&nc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hot_keys_apply),
		cmocka_unit_test(test_cold_keys_do_not),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
