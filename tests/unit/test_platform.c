/*
 * The platform table: names, capabilities, and a webhook push read through
 * each entry's envelope and getUpdates parser as the ingress reads it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "platform.h"

#define TG_PUSH "{\"update_id\":41,\"message\":{\"message_id\":7,\"date\":1," \
	"\"chat\":{\"id\":42,\"type\":\"private\"},\"from\":{\"id\":42," \
	"\"is_bot\":false,\"first_name\":\"Lan\"},\"text\":\"xin chào\"}}"
#define ZALO_MSG "{\"event_name\":\"message.text.received\",\"message\":{" \
	"\"message_id\":\"zm9\",\"date\":1766619597466,\"chat\":{\"id\":\"z1\"," \
	"\"chat_type\":\"PRIVATE\"},\"from\":{\"id\":\"z1\",\"display_name\":" \
	"\"Hùng\",\"is_bot\":false},\"text\":\"xin chào\"}}"

/* The events of one push; -1 if the envelope or the parser refused it. */
static int
read_push(int p, const char *body, struct event **ev, size_t *n,
    int64_t *next)
{
	const struct platform *pf = &platforms[p];
	struct api_error err;
	struct buf env;
	int rc = -1;

	*ev = NULL;
	*n = 0;
	buf_init(&env, 1 << 20);
	if (pf->wrap_push(body, strlen(body), &env) == 0 &&
	    pf->parse_updates(env.data, env.len, ev, n, next, &err) == API_OK)
		rc = 0;
	buf_release(&env);
	return rc;
}

static void
release(struct event *ev, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		event_release(&ev[i]);
	free(ev);
}

static void
test_find(void **state)
{
	(void)state;
	assert_int_equal(platform_find("telegram"), PLATFORM_TELEGRAM);
	assert_int_equal(platform_find("zalo"), PLATFORM_ZALO);
	assert_int_equal(platform_find("zalo_oa"), PLATFORM_ZALO_OA);
	assert_int_equal(platform_find_path("/zalo-oa"), PLATFORM_ZALO_OA);
	assert_int_equal(platform_find_path("/zalo_oa"), -1);
	assert_int_equal(platform_find_path("/zalo"), PLATFORM_ZALO);
	assert_int_equal(platform_find_path("/telegram"), PLATFORM_TELEGRAM);
	assert_int_equal(platform_find_path("telegram"), -1);
	assert_int_equal(platform_find(""), -1);
	assert_ptr_equal(platform_of_name("nope"), &platforms[PLATFORM_TELEGRAM]);
	assert_true(platforms[PLATFORM_TELEGRAM].caps & PLATFORM_BUTTONS);
	assert_true(platforms[PLATFORM_TELEGRAM].caps & PLATFORM_OFFSET);
	assert_false(platforms[PLATFORM_ZALO].caps & PLATFORM_BUTTONS);
	assert_false(platforms[PLATFORM_ZALO].caps & PLATFORM_OFFSET);
	assert_string_equal(platforms[PLATFORM_TELEGRAM].secret_header,
	    "X-Telegram-Bot-Api-Secret-Token");
	assert_string_equal(platforms[PLATFORM_ZALO].secret_header,
	    "X-Bot-Api-Secret-Token");
}

static void
test_telegram_push(void **state)
{
	struct event *ev;
	size_t n;
	int64_t next;

	(void)state;
	assert_int_equal(read_push(PLATFORM_TELEGRAM, TG_PUSH, &ev, &n, &next), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].update_id, "41");
	assert_string_equal(ev[0].chat_id, "42");
	assert_string_equal(ev[0].text, "xin chào");
	assert_int_equal(next, 42);
	release(ev, n);
	/* not an object: refused before parsing */
	assert_int_equal(read_push(PLATFORM_TELEGRAM, "[" TG_PUSH "]", &ev, &n,
	    &next), -1);
	assert_int_equal(read_push(PLATFORM_TELEGRAM, "{\"update_id\":", &ev, &n,
	    &next), -1);
	/* a second update spliced in cannot ride in the envelope */
	assert_int_equal(read_push(PLATFORM_TELEGRAM, TG_PUSH "]," TG_PUSH,
	    &ev, &n, &next), -1);
	assert_int_equal(read_push(PLATFORM_TELEGRAM, TG_PUSH "," TG_PUSH,
	    &ev, &n, &next), -1);
	assert_int_equal(read_push(PLATFORM_ZALO, ZALO_MSG "}", &ev, &n,
	    &next), -1);
	/* whitespace after the object is fine */
	assert_int_equal(read_push(PLATFORM_TELEGRAM, TG_PUSH " \r\n", &ev, &n,
	    &next), 0);
	release(ev, n);
}

static void
test_zalo_push_both_shapes(void **state)
{
	struct event *a, *b;
	size_t na, nb;
	int64_t next;

	(void)state;
	assert_int_equal(read_push(PLATFORM_ZALO, ZALO_MSG, &a, &na, &next), 0);
	assert_int_equal(read_push(PLATFORM_ZALO, "{\"ok\":true,\"result\":"
	    ZALO_MSG "}", &b, &nb, &next), 0);
	assert_int_equal(na, 1);
	assert_int_equal(nb, 1);
	assert_int_equal(next, -1);
	assert_string_equal(a[0].update_id, b[0].update_id);
	assert_string_equal(a[0].chat_id, "z1");
	assert_string_equal(b[0].text, "xin chào");
	release(a, na);
	release(b, nb);
}

#define OA_EVENT "{\"app_id\":\"1\",\"sender\":{\"id\":\"u9\"},\"recipient\":" \
	"{\"id\":\"oa\"},\"event_name\":\"user_send_text\",\"message\":{\"msg_id\":" \
	"\"mid7\",\"text\":\"xin chào\"},\"timestamp\":\"1766619597466\"}"

/* An OA push is the event itself; receipts give no event to store. */
static void
test_oa_push(void **state)
{
	struct event *ev;
	size_t n;
	int64_t next;

	(void)state;
	assert_int_equal(read_push(PLATFORM_ZALO_OA, OA_EVENT, &ev, &n, &next), 0);
	assert_int_equal(n, 1);
	assert_string_equal(ev[0].update_id, "mid7");
	assert_string_equal(ev[0].chat_id, "u9");
	assert_string_equal(ev[0].text, "xin chào");
	assert_int_equal(next, -1);
	release(ev, n);
	assert_int_equal(read_push(PLATFORM_ZALO_OA, "{\"app_id\":\"1\",\"sender\":"
	    "{\"id\":\"u9\"},\"event_name\":\"user_seen_message\",\"timestamp\":"
	    "\"1\"}", &ev, &n, &next), 0);
	assert_int_equal(n, 0);
	free(ev);
	assert_int_equal(read_push(PLATFORM_ZALO_OA, OA_EVENT "," OA_EVENT, &ev,
	    &n, &next), -1);
	assert_true(platforms[PLATFORM_ZALO_OA].caps & PLATFORM_SIGNED);
	assert_true(platforms[PLATFORM_ZALO_OA].caps & PLATFORM_WINDOW);
	assert_false(platforms[PLATFORM_ZALO_OA].caps & PLATFORM_BUTTONS);
	assert_null(platforms[PLATFORM_ZALO_OA].secret_header);
}

/* Zalo's getUpdates and an OA push give one event or none; none, or a
 * parse that failed, leaves an array with nothing to release in it. */
static void
test_one_event_or_none(void **state)
{
	static const char none[] = "{\"ok\":false,\"error_code\":408,"
	    "\"description\":\"Request timeout\"}";
	static const char bad[] = "{\"app_id\":\"1\",\"event_name\":"
	    "\"user_send_text\",\"message\":{\"text\":\"x\"}}";
	const struct platform *z = &platforms[PLATFORM_ZALO];
	const struct platform *oa = &platforms[PLATFORM_ZALO_OA];
	struct api_error err;
	struct event *ev;
	size_t n = 9;
	int64_t next = 9;

	(void)state;
	assert_int_equal(z->parse_updates(none, strlen(none), &ev, &n, &next,
	    &err), API_OK);
	assert_int_equal(n, 0);
	assert_int_equal(next, -1);
	assert_non_null(ev);
	assert_null(ev[0].text);
	free(ev);
	n = 9;
	assert_int_equal(z->parse_updates("{", 1, &ev, &n, &next, &err),
	    API_MALFORMED);
	assert_int_equal(n, 0);
	free(ev);
	n = 9;
	/* a user event without a user */
	assert_int_equal(oa->parse_updates(bad, strlen(bad), &ev, &n, &next,
	    &err), API_MALFORMED);
	assert_int_equal(n, 0);
	assert_null(ev[0].text);
	free(ev);
}

/* The send's request: the bots put the token in the URL, the OA in a
 * header, and has nothing but messages. */
static void
test_prepare_send(void **state)
{
	struct platform_send s;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.base = "https://api.telegram.org/bot1:x";
	s.method = "sendMessage";
	assert_int_equal(platforms[PLATFORM_TELEGRAM].prepare_send(&s), 0);
	assert_string_equal(s.url, "https://api.telegram.org/bot1:x/sendMessage");
	assert_string_equal(s.header, "");
	memset(&s, 0, sizeof(s));
	s.base = "https://openapi.zalo.me";
	s.method = "sendMessage";
	assert_int_equal(platforms[PLATFORM_ZALO_OA].prepare_send(&s), -1);
	s.token = "AT-1";
	assert_int_equal(platforms[PLATFORM_ZALO_OA].prepare_send(&s), 0);
	assert_string_equal(s.url, "https://openapi.zalo.me/v3.0/oa/message/cs");
	assert_string_equal(s.header, "access_token: AT-1");
	s.method = "copyMessage";
	assert_int_equal(platforms[PLATFORM_ZALO_OA].prepare_send(&s), -1);
	assert_string_equal(platforms[PLATFORM_ZALO_OA].label, "Zalo OA");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_find),
		cmocka_unit_test(test_telegram_push),
		cmocka_unit_test(test_zalo_push_both_shapes),
		cmocka_unit_test(test_oa_push),
		cmocka_unit_test(test_one_event_or_none),
		cmocka_unit_test(test_prepare_send),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
