/*
 * config: defaults, the file ("path:line: message", in English: it is the
 * operator's), environment overrides, and tokens that never reach a
 * message or the dump.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "testutil.h"
#include "util.h"

#define TOKEN "123456:TESTtokenDoNotEchoMe_abcdefghij"
#define SECRET "NotEchoedSecret_0123456789"

extern char **environ;

/* No HOIDAP_* from the caller's environment may change what is tested. */
static int
clear_env(void **state)
{
	char name[256];
	size_t i;

	(void)state;
	for (i = 0; environ[i];) {
		size_t n = strcspn(environ[i], "=");

		if (strncmp(environ[i], "HOIDAP_", 7) == 0 && n < sizeof(name)) {
			snprintf(name, sizeof(name), "%.*s", (int)n, environ[i]);
			unsetenv(name);
			i = 0;
		} else {
			i++;
		}
	}
	return 0;
}

/* A file in a fresh temp dir; path gets its name. */
static void
write_conf(char *path, size_t n, const char *text, mode_t mode)
{
	char dir[256];

	tu_mkdtemp(dir, sizeof(dir));
	tu_write(dir, "hoidap.conf", text);
	snprintf(path, n, "%s/hoidap.conf", dir);
	assert_int_equal(chmod(path, mode), 0);
}

static void
test_defaults(void **state)
{
	struct config c;

	(void)state;
	config_init(&c);
	assert_string_equal(c.telegram_token, "");
	assert_string_equal(c.zalo_token, "");
	assert_string_equal(c.webhook_secret, "");
	assert_string_equal(c.telegram_api, "https://api.telegram.org");
	assert_string_equal(c.db, "hoidap.db");
	assert_string_equal(c.kb, "knowledge");
	assert_string_equal(c.log_level, "info");
	assert_string_equal(c.support_hours, "07:30-21:00");
	assert_string_equal(c.typical_wait, "khoảng 30 phút");
	assert_int_equal(c.poll_timeout, 30);
	assert_int_equal(c.flood_max, 8);
	assert_int_equal(c.send_concurrency, 1);
	assert_int_equal(c.keep_days, 180);
	config_release(&c);
	assert_null(c.kb);
}

static void
test_parse(void **state)
{
	struct config c;
	struct diag d;

	(void)state;
	config_init(&c);
	diag_init(&d);
	assert_int_equal(config_parse(&c, "x.conf",
	    "# comment\n"
	    "\n"
	    "   poll_timeout=12   \n"
	    "db = /var/lib/hoidap/hoidap.db\n"
	    "typical_wait = \"khoảng 1 giờ\"\n"
	    "admins = 111, 222\n"
	    "support_hours = 08:00-17:30\n"
	    "metrics_listen = 127.0.0.1:9464\n"
	    "webhook_secret = abcdefgh_-12\n"
	    "log_level = debug\n"
	    "telegram_api = http://127.0.0.1:8081\n"
	    "ward_name =\n", &d), 0);
	assert_int_equal(d.nerr, 0);
	assert_string_equal(d.text.data, "");
	assert_int_equal(c.poll_timeout, 12);
	assert_string_equal(c.db, "/var/lib/hoidap/hoidap.db");
	assert_string_equal(c.typical_wait, "khoảng 1 giờ");
	assert_string_equal(c.admins, "111, 222");
	assert_string_equal(c.support_hours, "08:00-17:30");
	assert_string_equal(c.metrics_listen, "127.0.0.1:9464");
	assert_string_equal(c.webhook_secret, "abcdefgh_-12");
	assert_string_equal(c.log_level, "debug");
	assert_string_equal(c.telegram_api, "http://127.0.0.1:8081");
	assert_string_equal(c.ward_name, "");
	/* untouched keys keep their defaults */
	assert_int_equal(c.http_timeout, 15);
	assert_string_equal(c.kb, "knowledge");
	diag_release(&d);
	config_release(&c);
}

/* Every mistake is reported at its line (blank and comment lines count),
 * the lines around it still apply, and a bad value keeps the default. */
static void
test_errors_at_lines(void **state)
{
	static const struct {
		int line;
		const char *msg;
	} want[] = {
		{ 2, "expected 'key = value'" },
		{ 3, "unknown key 'pol_timeout'" },
		{ 5, "'poll_timeout' must be a whole number" },
		{ 6, "'http_timeout' must be between 1 and 120" },
		{ 7, "'log_level' must be debug, info, warn or error" },
		{ 8, "'support_hours' must look like 07:30-21:00" },
		{ 9, "'admins' takes Telegram numeric ids separated by commas" },
		{ 10, "'zalo_api' must start with https://" },
		{ 11, "'zalo_oa_app_id' is the app's numeric id" },
		{ 12, "'webhook_listen' must be a numeric address and port" },
		{ 14, "'webhook_url' must start with https://" },
		{ 15, "'flood_max' must be between 1 and 100000" },
	};
	struct config c;
	struct diag d;
	char loc[64];
	size_t i;

	(void)state;
	config_init(&c);
	diag_init(&d);
	assert_int_equal(config_parse(&c, "etc/hoidap.conf",
	    "# line 1\n"
	    "poll_timeout 12\n"
	    "pol_timeout = 12\n"
	    "\n"
	    "poll_timeout = 12s\n"
	    "http_timeout = 121\n"
	    "log_level = verbose\n"
	    "support_hours = 21:00-07:30\n"
	    "admins = @ward_admin\n"
	    "zalo_api = ftp://zalo\n"
	    "zalo_oa_app_id = app12\n"
	    "webhook_listen = localhost:8080\n"
	    "rate_chat_ms = 500\n"
	    "webhook_url = hooks.example.vn\n"
	    "flood_max = 0\n", &d), -1);
	for (i = 0; i < ARRAY_SIZE(want); i++) {
		snprintf(loc, sizeof(loc), "etc/hoidap.conf:%d: ", want[i].line);
		assert_diag_line(&d, loc, want[i].msg);
	}
	if (d.nerr != ARRAY_SIZE(want))
		fail_msg("expected %zu errors, got %zu:\n%s", ARRAY_SIZE(want),
		    d.nerr, d.text.data);
	/* English for the operator: no Vietnamese labels */
	assert_diag_lacks(&d, DIAG_ERROR_LABEL);
	assert_int_equal(c.rate_chat_ms, 500);
	assert_int_equal(c.poll_timeout, 30);
	assert_int_equal(c.http_timeout, 15);
	assert_int_equal(c.flood_max, 8);
	assert_string_equal(c.log_level, "info");
	assert_string_equal(c.webhook_url, "");
	diag_release(&d);
	config_release(&c);
}

static void
test_load_file(void **state)
{
	struct config c;
	struct diag d;
	char path[300], loc[400];

	(void)state;
	write_conf(path, sizeof(path), "keep_days = 30\nflood_window = x\n", 0600);
	config_init(&c);
	diag_init(&d);
	assert_int_equal(config_load(&c, path, 1, &d), -1);
	snprintf(loc, sizeof(loc), "%s:2: ", path);
	assert_diag_line(&d, loc, "'flood_window' must be a whole number");
	assert_int_equal(d.nerr, 1);
	assert_int_equal(c.keep_days, 30);
	diag_release(&d);
	config_release(&c);

	/* the default path may be missing; a path given may not */
	snprintf(path + strlen(path) - strlen("hoidap.conf"), 12, "none.conf");
	config_init(&c);
	diag_init(&d);
	assert_int_equal(config_load(&c, path, 0, &d), 0);
	assert_int_equal(d.nerr, 0);
	assert_int_equal(config_load(&c, path, 1, &d), -1);
	snprintf(loc, sizeof(loc), "%s: ", path);
	assert_diag_line(&d, loc, "cannot read: ");
	diag_release(&d);
	config_release(&c);
}

static void
test_load_not_text(void **state)
{
	struct config c;
	struct diag d;
	char dir[256], path[300];
	char *big;

	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	tu_write_bytes(dir, "bin.conf", "db = a\0b\n", 9);
	snprintf(path, sizeof(path), "%s/bin.conf", dir);
	config_init(&c);
	diag_init(&d);
	assert_int_equal(config_load(&c, path, 1, &d), -1);
	assert_diag_has(&d, "not a configuration file (binary data)");
	assert_string_equal(c.db, "hoidap.db");
	diag_release(&d);

	/* over the 1 MB a configuration may have: an error, even unasked */
	big = malloc(1024 * 1024 + 2);
	assert_non_null(big);
	memset(big, '#', 1024 * 1024 + 1);
	big[1024 * 1024 + 1] = '\0';
	tu_write(dir, "big.conf", big);
	free(big);
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	diag_init(&d);
	assert_int_equal(config_load(&c, path, 0, &d), -1);
	assert_diag_has(&d, "cannot read: ");
	diag_release(&d);
	config_release(&c);
}

/* The environment wins over the file, and is checked like it. */
static void
test_env_overrides(void **state)
{
	struct config c;
	struct diag d;
	char path[300];

	(void)state;
	write_conf(path, sizeof(path), "poll_timeout = 10\nkeep_days = 30\n"
	    "kb = /srv/kb\n", 0600);
	setenv("HOIDAP_POLL_TIMEOUT", "20", 1);
	setenv("HOIDAP_KB", "/srv/other", 1);
	setenv("HOIDAP_TELEGRAM_TOKEN", TOKEN, 1);
	config_init(&c);
	diag_init(&d);
	assert_int_equal(config_load(&c, path, 1, &d), 0);
	assert_int_equal(d.nerr, 0);
	assert_int_equal(c.poll_timeout, 20);
	assert_int_equal(c.keep_days, 30);
	assert_string_equal(c.kb, "/srv/other");
	assert_string_equal(c.telegram_token, TOKEN);
	diag_release(&d);
	config_release(&c);

	/* a bad override is named by its variable, and keeps the file's */
	setenv("HOIDAP_POLL_TIMEOUT", "99", 1);
	config_init(&c);
	diag_init(&d);
	assert_int_equal(config_load(&c, path, 1, &d), -1);
	assert_diag_line(&d, "HOIDAP_POLL_TIMEOUT: ",
	    "'poll_timeout' must be between 1 and 50");
	assert_int_equal(d.nerr, 1);
	assert_int_equal(c.poll_timeout, 10);
	diag_release(&d);
	config_release(&c);
	clear_env(NULL);
}

static void
dump_one(void *c)
{
	config_dump(c);
}

/* What config_dump() writes to stdout. */
static char *
dumped(const struct config *c)
{
	return tu_capture(1, dump_one, (void *)c);
}

/*
 * Tokens and secrets are never echoed: not by the dump, not in a message
 * about the line they are on (a typo in the key, a pasted token without
 * its key, a secret with a bad character).
 */
static void
test_secrets_not_echoed(void **state)
{
	struct config c;
	struct diag d;
	char path[300], *out;

	(void)state;
	write_conf(path, sizeof(path),
	    "telegram_token = " TOKEN "\n"
	    "telegram_tokn = " TOKEN "x\n"
	    TOKEN "y\n"
	    "webhook_secret = " SECRET " !\n"
	    "zalo_oa_app_secret = " SECRET "z\n"
	    "db = /var/lib/hoidap/hoidap.db\n", 0644);
	config_init(&c);
	diag_init(&d);
	assert_int_equal(config_load(&c, path, 1, &d), -1);
	assert_int_equal(d.nerr, 3);
	assert_diag_has(&d, "unknown key 'telegram_tokn'");
	assert_diag_has(&d, "expected 'key = value'");
	assert_diag_has(&d, "'webhook_secret' takes 8 to 256 of");
	/* a token in a file others can read: warned, without the token */
	assert_int_equal(d.nwarn, 1);
	assert_diag_has(&d, "a token is set in this file, which others can "
	    "read (mode 0644)");
	assert_diag_lacks(&d, "TESTtoken");
	assert_diag_lacks(&d, "DoNotEcho");
	assert_diag_lacks(&d, "NotEchoed");
	assert_string_equal(c.telegram_token, TOKEN);
	assert_string_equal(c.zalo_oa_app_secret, SECRET "z");

	out = dumped(&c);
	if (strstr(out, "DoNotEcho") || strstr(out, "NotEchoed"))
		fail_msg("a secret in the dump:\n%s", out);
	assert_non_null(strstr(out, "telegram_token        = (set)\n"));
	assert_non_null(strstr(out, "zalo_oa_app_secret    = (set)\n"));
	assert_non_null(strstr(out, "zalo_token            = (empty: off)\n"));
	assert_non_null(strstr(out, "db                    = "
	    "/var/lib/hoidap/hoidap.db\n"));
	assert_non_null(strstr(out, "poll_timeout          = 30\n"));
	free(out);
	diag_release(&d);
	config_release(&c);

	/* mode 0600: no warning */
	write_conf(path, sizeof(path), "zalo_token = " TOKEN "\n", 0600);
	config_init(&c);
	diag_init(&d);
	assert_int_equal(config_load(&c, path, 1, &d), 0);
	assert_int_equal(d.nwarn, 0);
	diag_release(&d);
	config_release(&c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_errors_at_lines),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_load_not_text),
		cmocka_unit_test(test_env_overrides),
		cmocka_unit_test(test_secrets_not_echoed),
	};

	return cmocka_run_group_tests(tests, clear_env, NULL);
}
