/* metrics: listen addresses, the exposition text, the health verdict;
 * and metrics_listen in the configuration. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "config.h"
#include "diag.h"
#include "metrics.h"

static void
test_parse_listen(void **state)
{
	struct sockaddr_storage sa;
	socklen_t len;
	const struct sockaddr_in *in = (const struct sockaddr_in *)&sa;
	const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&sa;
	static const char *const bad[] = {
		"", "9464", ":9464", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0",
		"127.0.0.1:65536", "127.0.0.1:94x", "localhost:9464", "::1:9464",
		"[::1]9464", "[::1]:", "1.2.3.4.5:80", "[127.0.0.1:80",
	};
	size_t i;

	(void)state;
	assert_int_equal(metrics_parse_listen("127.0.0.1:9464", &sa, &len), 0);
	assert_int_equal(sa.ss_family, AF_INET);
	assert_int_equal(ntohs(in->sin_port), 9464);
	assert_int_equal(ntohl(in->sin_addr.s_addr), 0x7f000001);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(metrics_parse_listen("[::1]:80", &sa, &len), 0);
	assert_int_equal(sa.ss_family, AF_INET6);
	assert_int_equal(ntohs(in6->sin6_port), 80);
	assert_int_equal(metrics_parse_listen("0.0.0.0:65535", &sa, &len), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(metrics_parse_listen(bad[i], &sa, &len), -1);
}

static void
sample(const struct buf *b, const char *line)
{
	char want[256];

	snprintf(want, sizeof(want), "\n%s\n", line);
	if (!strstr(b->data, want))
		fail_msg("no line '%s' in:\n%s", line, b->data);
}

static void
test_render(void **state)
{
	struct metrics m;
	struct buf b;
	const char *p;

	(void)state;
	memset(&m, 0, sizeof(m));
	m.updates[METRICS_TELEGRAM] = 7;
	m.updates[METRICS_ZALO] = 2;
	m.replies_sent[METRICS_ZALO] = 3;
	m.outcomes[METRICS_CLARIFY] = 4;
	m.send_errors[METRICS_TELEGRAM][METRICS_ERR_REFUSED] = 5;
	m.pauses[METRICS_ZALO][METRICS_PAUSE_BOT] = 1;
	m.reloads_failed = 2;
	m.tickets_opened = 9;
	m.tickets_open = 1;
	m.tickets_escalated = 3;
	m.oa_refreshes[1] = 5;
	m.oa_window_dropped = 4;
	m.outbox_pending = 6;
	m.published_ms = 1700000010000;
	m.outbox_oldest_ms = 1700000007500;
	m.last_poll_ms[METRICS_TELEGRAM] = 1700000009250;
	m.enabled[METRICS_TELEGRAM] = 1;
	m.store_ok = 1;
	m.started_ms = 1700000000999;
	buf_init(&b, 1 << 20);
	metrics_render(&m, &b);
	sample(&b, "hoidap_updates_received_total{platform=\"telegram\"} 7");
	sample(&b, "hoidap_updates_received_total{platform=\"zalo\"} 2");
	sample(&b, "hoidap_replies_sent_total{platform=\"zalo\"} 3");
	sample(&b, "hoidap_replies_sent_total{platform=\"telegram\"} 0");
	sample(&b, "hoidap_replies_total{outcome=\"clarify\"} 4");
	sample(&b, "hoidap_replies_total{outcome=\"notice\"} 0");
	sample(&b, "hoidap_send_errors_total{platform=\"telegram\",kind=\"refused\"} 5");
	sample(&b, "hoidap_rate_limit_pauses_total{platform=\"zalo\",scope=\"bot\"} 1");
	sample(&b, "hoidap_knowledge_reloads_total{result=\"failed\"} 2");
	sample(&b, "hoidap_knowledge_reloads_total{result=\"ok\"} 0");
	sample(&b, "hoidap_oa_token_refreshes_total{result=\"failed\"} 5");
	sample(&b, "hoidap_oa_window_replies_total{result=\"dropped\"} 4");
	sample(&b, "hoidap_oa_window_replies_total{result=\"last\"} 0");
	sample(&b, "hoidap_send_errors_total{platform=\"zalo_oa\",kind=\"server\"} 0");
	sample(&b, "hoidap_tickets_opened_total 9");
	sample(&b, "hoidap_tickets_open 1");
	sample(&b, "hoidap_tickets_escalated_total 3");
	sample(&b, "hoidap_outbox_pending 6");
	sample(&b, "hoidap_outbox_oldest_age_seconds 2.500");
	sample(&b, "hoidap_last_poll_success_timestamp_seconds{platform=\"telegram\"} 1700000009.250");
	sample(&b, "hoidap_last_poll_success_timestamp_seconds{platform=\"zalo\"} 0.000");
	sample(&b, "hoidap_platform_enabled{platform=\"zalo\"} 0");
	sample(&b, "hoidap_store_writable 1");
	sample(&b, "hoidap_start_time_seconds 1700000000");
	sample(&b, "# TYPE hoidap_updates_received_total counter");
	sample(&b, "# TYPE hoidap_outbox_pending gauge");
	/* every family's TYPE comes before its samples; counters end in _total */
	for (p = b.data; (p = strstr(p, "# TYPE ")) != NULL; p++) {
		char name[96], type[16];

		assert_int_equal(sscanf(p, "# TYPE %95s %15s", name, type), 2);
		if (strcmp(type, "counter") == 0)
			assert_non_null(strstr(name, "_total"));
	}
	/* and its HELP just before, under the same name */
	for (p = b.data; (p = strstr(p, "# HELP ")) != NULL; p++) {
		char name[96], next[96];
		const char *nl = strchr(p, '\n');

		assert_non_null(nl);
		assert_int_equal(sscanf(p, "# HELP %95s", name), 1);
		assert_int_equal(sscanf(nl + 1, "# TYPE %95s", next), 1);
		assert_string_equal(name, next);
	}
	assert_true(strncmp(b.data, "# HELP hoidap_build_info ", 25) == 0);
	assert_int_equal(b.data[b.len - 1], '\n');
	buf_release(&b);
}

static void
test_health(void **state)
{
	struct metrics m;
	char why[256];
	int64_t t0 = 1700000000000;

	(void)state;
	memset(&m, 0, sizeof(m));
	assert_int_equal(metrics_health(&m, t0, why, sizeof(why)), 0);
	assert_string_equal(why, "starting");
	m.started_ms = t0;
	m.published_ms = t0;
	m.store_ok = 1;
	m.poll_stale_s = 90;
	m.enabled[METRICS_TELEGRAM] = 1;
	/* no poll yet, but not for long */
	assert_int_equal(metrics_health(&m, t0 + 5000, why, sizeof(why)), 1);
	assert_string_equal(why, "ok");
	m.published_ms = t0 + 91000;
	assert_int_equal(metrics_health(&m, t0 + 91000, why, sizeof(why)), 0);
	assert_string_equal(why, "telegram: no successful poll since the start 91 s ago");
	m.last_poll_ms[METRICS_TELEGRAM] = t0 + 60000;
	assert_int_equal(metrics_health(&m, t0 + 91000, why, sizeof(why)), 1);
	/* zalo off: never asked */
	assert_int_equal(m.enabled[METRICS_ZALO], 0);
	m.enabled[METRICS_ZALO] = 1;
	m.last_poll_ms[METRICS_ZALO] = t0 + 500;
	assert_int_equal(metrics_health(&m, t0 + 91000, why, sizeof(why)), 0);
	assert_string_equal(why, "zalo: no successful poll for 90 s");
	m.last_poll_ms[METRICS_ZALO] = t0 + 90000;
	m.store_ok = 0;
	snprintf(m.store_why, sizeof(m.store_why), "locked");
	assert_int_equal(metrics_health(&m, t0 + 91000, why, sizeof(why)), 0);
	assert_string_equal(why, "store not writable: locked");
	m.store_ok = 1;
	/* the loop stopped publishing: the snapshot says nothing any more */
	assert_int_equal(metrics_health(&m, t0 + 91000 + METRICS_LOOP_STALE_S *
	    1000 + 1000, why, sizeof(why)), 0);
	assert_non_null(strstr(why, "event loop silent for 31 s"));
	assert_null(strchr(why, '\n'));
}

static void
test_config(void **state)
{
	struct config c;
	struct diag d;

	(void)state;
	config_init(&c);
	diag_init(&d);
	assert_string_equal(c.metrics_listen, "");     /* off by default */
	assert_int_equal(config_parse(&c, "t.conf", "metrics_listen = "
	    "127.0.0.1:9464\n", &d), 0);
	assert_string_equal(c.metrics_listen, "127.0.0.1:9464");
	assert_int_equal(config_parse(&c, "t.conf", "\nmetrics_listen = "
	    "localhost:9464\n", &d), -1);
	assert_non_null(strstr(d.text.data, "t.conf:2: 'metrics_listen' must be "
	    "a numeric address and port"));
	assert_string_equal(c.metrics_listen, "127.0.0.1:9464");
	diag_release(&d);
	config_release(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_listen),
		cmocka_unit_test(test_render),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_config),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
