/*
 * The outbox without the network: rows in a real store, senders whose
 * transfers are started (handed to a curl multi that is never run) and
 * finished by hand with the platform's answer. Fairness between chats and
 * platforms, the per-chat gap, the Zalo OA's access token, its 48 h
 * window of 8 replies, the resident's message each reply names, -216, and
 * button presses' answers (tried once, in time, none behind another).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "daemon_int.h"
#include "log.h"
#include "platform.h"
#include "store.h"
#include "util.h"
#include "zalo_oa.h"

#define OA_OK "{\"error\":0,\"message\":\"Success\",\"data\":{\"message_id\":\"m1\"}}"
#define OA_216 "{\"error\":-216,\"message\":\"Access token is invalid\"}"
#define TG_502 "{\"ok\":false,\"error_code\":502,\"description\":" \
	"\"Bad Gateway\"}"
#define TG_429 "{\"ok\":false,\"error_code\":429,\"description\":" \
	"\"Too Many Requests: retry after 5\",\"parameters\":" \
	"{\"retry_after\":5}}"
#define TG_TRUE "{\"ok\":true,\"result\":true}"
#define TG_OK "{\"ok\":true,\"result\":{\"message_id\":5,\"date\":1,\"chat\":" \
	"{\"id\":1,\"type\":\"private\"}}}"

struct fx {
	char dir[256], db[512];
	struct config cfg;
	struct daemon *d;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));
	struct daemon *d;
	int i;

	log_set_level(LOG_ERROR);
	tu_mkdtemp(f->dir, sizeof(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
	config_init(&f->cfg);
	f->cfg.rate_chat_ms = 0;
	f->cfg.rate_group_per_min = 0;
	f->cfg.rate_global_per_s = 0;
	f->d = d = xcalloc(1, sizeof(*d));
	d->cfg = &f->cfg;
	d->st = store_open(f->db);
	assert_non_null(d->st);
	d->multi = curl_multi_init();
	d->lat = xmalloc(16 * sizeof(*d->lat));
	d->dirty = 1;
	d->next_due = -1;
	for (i = 0; i < P_COUNT; i++) {
		d->poll[i].id = (enum platform_id)i;
		d->poll[i].pf = &platforms[i];
		d->poll[i].prefix = xstrdup("http://127.0.0.1:9/nowhere");
		d->poll[i].enabled = 1;
	}
	outbox_senders_open(d, 2, 5);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;
	int i;

	outbox_senders_close(d);
	while (d->nready)
		outbox_ready_drop(d, d->nready - 1);
	for (i = 0; i < P_COUNT; i++)
		free(d->poll[i].prefix);
	free(d->oa.access);
	curl_multi_cleanup(d->multi);
	store_close(d->st);
	free(d->lat);
	free(d);
	config_release(&f->cfg);
	tu_rmrf(f->dir);
	free(f);
	return 0;
}

static void
add(struct daemon *d, const char *platform, const char *chat,
    const char *body)
{
	assert_int_equal(store_outbox_add(d->st, platform, chat, 0,
	    "sendMessage", body, 0), 0);
	d->dirty = 1;
}

/* An OA cs body, as the platform renders it. */
static void
oa_emit(const char *body, void *arg)
{
	char **out = arg;

	assert_null(*out);
	*out = xstrdup(body);
}

static void
add_oa(struct daemon *d, const char *user, const char *text)
{
	char *body = NULL;

	zalo_oa_render_text(text, user, oa_emit, &body);
	assert_non_null(body);
	add(d, "zalo_oa", user, body);
	free(body);
}

static int
busy(const struct daemon *d)
{
	int i, n = 0;

	for (i = 0; i < d->nsnd; i++)
		n += d->snd[i].busy;
	return n;
}

/* The one sender at work (fails the test if none is). */
static struct sender *
busy_one(struct daemon *d)
{
	int i;

	for (i = 0; i < d->nsnd; i++)
		if (d->snd[i].busy)
			return &d->snd[i];
	fail_msg("no send started");
	return &d->snd[0];
}

/* Line i of a header list, "" if there is none. */
static const char *
hdr_line(const struct curl_slist *l, int i)
{
	for (; l && i > 0; i--)
		l = l->next;
	return l && l->data ? l->data : "";
}

/* The platform answers the transfer with body. */
static void
finish(struct daemon *d, struct sender *s, const char *body)
{
	buf_reset(&s->body);
	assert_int_equal(buf_adds(&s->body, body), 0);
	outbox_send_done(d, s, CURLE_OK);
}

static int
status_count(const struct fx *f, const char *status)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = -1;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM outbox "
	    "WHERE status=?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, status, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

/* One chat with three queued replies does not take both senders. */
static void
test_fair_chats(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;
	int i;

	add(d, "telegram", "1", "{\"chat_id\":1,\"text\":\"a1\"}");
	add(d, "telegram", "1", "{\"chat_id\":1,\"text\":\"a2\"}");
	add(d, "telegram", "1", "{\"chat_id\":1,\"text\":\"a3\"}");
	add(d, "telegram", "2", "{\"chat_id\":2,\"text\":\"b1\"}");
	outbox_fill(d);
	assert_int_equal(busy(d), 2);
	assert_string_not_equal(d->snd[0].it.chat_id, d->snd[1].it.chat_id);
	/* in order within a chat */
	for (i = 0; i < 2; i++)
		if (strcmp(d->snd[i].it.chat_id, "1") == 0)
			assert_non_null(strstr(d->snd[i].it.body, "a1"));
}

/* Neither platform's backlog goes first. */
static void
test_platforms_interleave(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;

	add(d, "telegram", "1", "{\"chat_id\":1,\"text\":\"t\"}");
	add(d, "telegram", "2", "{\"chat_id\":2,\"text\":\"t\"}");
	add(d, "telegram", "3", "{\"chat_id\":3,\"text\":\"t\"}");
	add(d, "zalo", "z1", "{\"chat_id\":\"z1\",\"text\":\"z\"}");
	outbox_fill(d);
	assert_int_equal(busy(d), 2);
	assert_string_not_equal(d->snd[0].it.platform, d->snd[1].it.platform);
}

/* rate_chat_ms: a chat's second reply waits, and the loop is told when. */
static void
test_chat_gap(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;
	int64_t now;

	f->cfg.rate_chat_ms = 60000;
	add(d, "telegram", "1", "{\"chat_id\":1,\"text\":\"a1\"}");
	add(d, "telegram", "1", "{\"chat_id\":1,\"text\":\"a2\"}");
	outbox_fill(d);
	assert_int_equal(busy(d), 1);
	finish(d, busy_one(d), TG_OK);
	assert_int_equal(status_count(f, "sent"), 1);
	now = store_now_ms();
	outbox_fill(d);
	assert_int_equal(busy(d), 0);
	assert_true(d->wake_ms > now + 50000);
}

/* No access token: OA rows wait; with one, they go with its header. */
static void
test_oa_token(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;
	struct sender *s;

	assert_int_equal(store_oa_inbound(d->st, "u1", store_now_ms(), "m-1"),
	    0);
	add_oa(d, "u1", "xin chào");
	outbox_fill(d);
	assert_int_equal(busy(d), 0);
	d->oa.access = xstrdup("tok-1");
	d->oa.gen = 1;
	d->dirty = 1;
	outbox_fill(d);
	s = busy_one(d);
	assert_string_equal(hdr_line(s->xhdr, 1), "access_token: tok-1");
	finish(d, s, OA_OK);
	assert_int_equal(status_count(f, "sent"), 1);
	assert_null(s->xhdr);   /* the header with the token is gone */
}

/*
 * Eight replies within the window: the eighth says how to ask again, the
 * ninth is not sent; a new message from the resident opens a new window.
 */
static void
test_oa_window(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;
	struct sender *s;
	char text[64];
	int i, left;

	d->oa.access = xstrdup("tok-1");
	d->oa.gen = 1;
	assert_int_equal(store_oa_inbound(d->st, "u1", store_now_ms() - 1000,
	    "m-1"), 0);
	for (i = 1; i <= 8; i++) {
		snprintf(text, sizeof(text), "trả lời %d", i);
		add_oa(d, "u1", text);
		outbox_fill(d);
		s = busy_one(d);
		assert_non_null(strstr(s->it.body, text));
		if (i < 8)
			assert_null(strstr(s->it.body, "nhắn lại"));
		else
			assert_non_null(strstr(s->it.body, "nhắn lại"));
		finish(d, s, OA_OK);
	}
	add_oa(d, "u1", "trả lời 9");
	outbox_fill(d);
	assert_int_equal(busy(d), 0);
	assert_int_equal(status_count(f, "sent"), 8);
	assert_int_equal(status_count(f, "failed"), 1);
	assert_int_equal(d->m.oa_window_dropped, 1);
	assert_int_equal(d->m.oa_window_cut, 1);
	/* the resident writes again */
	assert_int_equal(store_oa_inbound(d->st, "u1", store_now_ms(), "m-2"),
	    0);
	assert_int_equal(store_oa_replies_left(d->st, "u1", store_now_ms(),
	    &left), 1);
	assert_int_equal(left, ZALO_OA_FREE_REPLIES);
	add_oa(d, "u1", "trả lời 10");
	outbox_fill(d);
	assert_int_equal(busy(d), 1);
}

/* A long answer at the window's edge: its head and the note, not the rest. */
static void
test_oa_window_cut(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;
	struct sender *s;

	d->oa.access = xstrdup("tok-1");
	d->oa.gen = 1;
	assert_int_equal(store_oa_inbound(d->st, "u2", store_now_ms(), "m-1"),
	    0);
	assert_int_equal(store_oa_replies_used(d->st, "u2", 7), 0);
	add_oa(d, "u2", "phần đầu");
	add_oa(d, "u2", "phần sau");
	outbox_fill(d);
	s = busy_one(d);
	assert_non_null(strstr(s->it.body, "phần đầu"));
	assert_non_null(strstr(s->it.body, "Tin còn dài"));
	finish(d, s, OA_OK);
	outbox_fill(d);
	assert_int_equal(busy(d), 0);
	assert_int_equal(status_count(f, "failed"), 1);
}

/* Never proactive: a resident who never wrote, or wrote 49 h ago. */
static void
test_oa_closed(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;

	d->oa.access = xstrdup("tok-1");
	d->oa.gen = 1;
	add_oa(d, "never", "xin chào");
	assert_int_equal(store_oa_inbound(d->st, "old", store_now_ms() -
	    49LL * 3600 * 1000, "m-1"), 0);
	add_oa(d, "old", "xin chào");
	outbox_fill(d);
	outbox_fill(d);
	assert_int_equal(busy(d), 0);
	assert_int_equal(status_count(f, "failed"), 2);
}

/* recipient.message_id of a cs body ("" if none), user_id checked. */
static void
named(const char *body, const char *user, char *mid, size_t n)
{
	cJSON *o = cJSON_Parse(body), *r;
	const cJSON *m;

	assert_non_null(o);
	r = cJSON_GetObjectItemCaseSensitive(o, "recipient");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(r, "user_id")
	    ->valuestring, user);
	m = cJSON_GetObjectItemCaseSensitive(r, "message_id");
	snprintf(mid, n, "%s", cJSON_IsString(m) ? m->valuestring : "");
	cJSON_Delete(o);
}

/*
 * Every reply names the resident's latest message (so Zalo counts it as a
 * reply, not a proactive message): a reply queued before they wrote again
 * names the newer one, and so does the last free reply with its note. A
 * resident known by a follow only gets the user_id.
 */
static void
test_oa_reply_to(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;
	struct sender *s;
	char mid[64];
	int64_t t = store_now_ms() - 1000;

	d->oa.access = xstrdup("tok-1");
	d->oa.gen = 1;
	assert_int_equal(store_oa_inbound(d->st, "u1", t, "msg-a"), 0);
	add_oa(d, "u1", "trả lời a");
	outbox_fill(d);
	s = busy_one(d);
	named(s->it.body, "u1", mid, sizeof(mid));
	assert_string_equal(mid, "msg-a");
	finish(d, s, OA_OK);
	add_oa(d, "u1", "trả lời a, phần 2");
	assert_int_equal(store_oa_inbound(d->st, "u1", t + 1, "msg-b"), 0);
	/* a late retry of the older push changes nothing */
	assert_int_equal(store_oa_inbound(d->st, "u1", t, "msg-a"), 0);
	assert_int_equal(store_oa_replies_used(d->st, "u1", 7), 0);
	outbox_fill(d);
	s = busy_one(d);
	assert_non_null(strstr(s->it.body, "nhắn lại"));
	named(s->it.body, "u1", mid, sizeof(mid));
	assert_string_equal(mid, "msg-b");
	finish(d, s, OA_OK);
	/* followed, never wrote: nothing to name */
	assert_int_equal(store_oa_inbound(d->st, "f1", t, NULL), 0);
	add_oa(d, "f1", "chào mừng");
	outbox_fill(d);
	s = busy_one(d);
	named(s->it.body, "f1", mid, sizeof(mid));
	assert_string_equal(mid, "");
	finish(d, s, OA_OK);
	assert_int_equal(status_count(f, "sent"), 3);
}

/* -216: the token is dropped, a refresh asked for, the reply given back
 * to the window and sent again (once) with the next token. */
static void
test_oa_invalid_token(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;
	struct sender *s;
	int left;

	d->oa.access = xstrdup("tok-1");
	d->oa.gen = 1;
	d->oa.next_ms = store_now_ms() + 3600000;
	assert_int_equal(store_oa_inbound(d->st, "u3", store_now_ms(), "m-1"),
	    0);
	add_oa(d, "u3", "xin chào");
	outbox_fill(d);
	s = busy_one(d);
	finish(d, s, OA_216);
	assert_null(d->oa.access);
	assert_true(d->oa.next_ms <= store_now_ms());
	assert_int_equal(status_count(f, "pending"), 1);
	assert_int_equal(store_oa_replies_left(d->st, "u3", store_now_ms(),
	    &left), 1);
	assert_int_equal(left, ZALO_OA_FREE_REPLIES);
	outbox_fill(d);
	assert_int_equal(busy(d), 0);           /* waits for the new token */
	d->oa.access = xstrdup("tok-2");
	d->oa.gen = 2;
	d->dirty = 1;
	outbox_fill(d);
	s = busy_one(d);
	assert_int_equal(s->it.attempts, 0);    /* the retry is not counted */
	finish(d, s, OA_OK);
	assert_int_equal(status_count(f, "sent"), 1);
}

/* A press's answer, as ingest queues it: no chat; the press came at_us. */
static void
add_press(struct daemon *d, const char *id, int64_t at_us)
{
	char body[128];

	snprintf(body, sizeof(body), "{\"callback_query_id\":\"%s\"}", id);
	assert_int_equal(store_outbox_add(d->st, "telegram", "", 0,
	    "answerCallbackQuery", body, at_us), 0);
	d->dirty = 1;
}

/* The sender busy with press id's answer, or NULL. */
static struct sender *
press_sender(struct daemon *d, const char *id)
{
	char want[64];
	int i;

	snprintf(want, sizeof(want), "\"%s\"", id);
	for (i = 0; i < d->nsnd; i++)
		if (d->snd[i].busy && strstr(d->snd[i].it.body, want))
			return &d->snd[i];
	return NULL;
}

/*
 * Calls without a chat are no queue: two presses' answers go side by side
 * (they used to go one at a time, in one queue with setMyCommands), and
 * one that fails is dropped after its one try, not retried.
 */
static void
test_press_answers_side_by_side(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;
	struct sender *s;

	add_press(d, "c1", store_now_us());
	add_press(d, "c2", store_now_us());
	outbox_fill(d);
	assert_int_equal(busy(d), 2);
	assert_non_null(s = press_sender(d, "c1"));
	finish(d, s, TG_502);
	assert_int_equal(status_count(f, "failed"), 1);
	assert_int_equal(status_count(f, "pending"), 1);        /* c2's */
	assert_non_null(s = press_sender(d, "c2"));
	finish(d, s, TG_TRUE);
	assert_int_equal(status_count(f, "sent"), 1);
	outbox_fill(d);
	assert_int_equal(busy(d), 0);                   /* nothing retried */
	/* a network error alike; a reply still gets its retries */
	add_press(d, "c3", store_now_us());
	add(d, "telegram", "7", "{\"chat_id\":7,\"text\":\"a\"}");
	outbox_fill(d);
	assert_int_equal(busy(d), 2);
	s = press_sender(d, "c3");
	assert_non_null(s);
	outbox_send_done(d, s, CURLE_COULDNT_CONNECT);
	assert_int_equal(status_count(f, "failed"), 2);
	s = busy_one(d);
	assert_string_equal(s->it.chat_id, "7");
	outbox_send_done(d, s, CURLE_COULDNT_CONNECT);
	assert_int_equal(status_count(f, "pending"), 1);
}

/* An answer that could only go past its use is let go, untried. */
static void
test_press_answer_too_late(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;

	add_press(d, "old", store_now_us() - 11 * 1000000LL);
	outbox_fill(d);
	assert_int_equal(busy(d), 0);
	assert_int_equal(status_count(f, "failed"), 1);
	/* the platform paused for longer than a press's answer is of use */
	d->poll[P_TELEGRAM].pause_until = store_now_ms() + 30000;
	add_press(d, "paused", store_now_us());
	outbox_fill(d);
	assert_int_equal(busy(d), 0);
	assert_int_equal(status_count(f, "failed"), 2);
	assert_int_equal(status_count(f, "pending"), 0);
}

/*
 * A 429 on a press's answer: that answer is dropped, the next waits its
 * retry_after, and residents' replies do not wait at all.
 */
static void
test_press_answer_429(void **state)
{
	struct fx *f = *state;
	struct daemon *d = f->d;
	int64_t now = store_now_ms();

	add_press(d, "c1", store_now_us());
	outbox_fill(d);
	finish(d, busy_one(d), TG_429);
	assert_int_equal(status_count(f, "failed"), 1);
	assert_true(d->poll[P_TELEGRAM].pause_until < now);
	add_press(d, "c2", store_now_us());
	add(d, "telegram", "8", "{\"chat_id\":8,\"text\":\"a\"}");
	outbox_fill(d);
	assert_int_equal(busy(d), 1);
	assert_string_equal(busy_one(d)->it.chat_id, "8");
	assert_true(d->wake_ms >= now + 4000 && d->wake_ms <= now + 6000);
	assert_int_equal(status_count(f, "pending"), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fair_chats, setup, teardown),
		cmocka_unit_test_setup_teardown(test_platforms_interleave, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_chat_gap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oa_token, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oa_window, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oa_window_cut, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_oa_closed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oa_reply_to, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_oa_invalid_token, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_press_answers_side_by_side,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_press_answer_too_late, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_press_answer_429, setup,
		    teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
