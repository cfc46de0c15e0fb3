/*
 * The Zalo OA adapter: webhook events, X-ZEvent-Signature (a known-answer
 * vector computed with sha256sum, not with the code under test), cs
 * bodies split within 2,000 characters, the reply allowance, and the send
 * and token replies.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#include "zalo_oa.h"

#define APP "4291763606161179100"
#define SECRET "oaSecretKey123"
#define TS 1764600000000LL
#define BODY "{\"app_id\":\"4291763606161179100\",\"user_id_by_app\":" \
	"\"552177279717587730\",\"event_name\":\"user_send_text\"," \
	"\"timestamp\":\"1764600000000\",\"sender\":{\"id\":\"2512523625412515\"}," \
	"\"recipient\":{\"id\":\"579745863508352884\"},\"message\":{\"msg_id\":" \
	"\"96d3cdf3af150460909\",\"text\":\"làm sao cài VNeID\"}}"
/* printf '%s' "$APP$BODY${TS}$SECRET" | sha256sum */
#define MAC "3455512b110b29eebf1e47a1e316285eb24b48d57e5114473e4056e8ea1c971a"

static enum zalo_oa_sig
verify(const char *hdr, const char *body, int64_t now)
{
	return zalo_oa_verify(hdr, body, strlen(body), APP, SECRET, now);
}

static void
test_signature_good(void **state)
{
	char upper[80];
	size_t i;

	(void)state;
	assert_int_equal(verify("mac=" MAC, BODY, TS + 1000), ZOA_SIG_OK);
	assert_int_equal(verify(MAC, BODY, TS), ZOA_SIG_OK);
	snprintf(upper, sizeof(upper), "MAC=%s", MAC);
	for (i = 4; upper[i]; i++)
		if (upper[i] >= 'a' && upper[i] <= 'f')
			upper[i] -= 32;
	assert_int_equal(verify(upper, BODY, TS), ZOA_SIG_OK);
}

static void
test_signature_bad(void **state)
{
	char hdr[80], body[sizeof(BODY)];

	(void)state;
	snprintf(hdr, sizeof(hdr), "mac=%s", MAC);
	hdr[10] = hdr[10] == '0' ? '1' : '0';
	assert_int_equal(verify(hdr, BODY, TS), ZOA_SIG_BAD);
	/* the body changed by one byte */
	memcpy(body, BODY, sizeof(BODY));
	*strstr(body, "VNeID") = 'W';
	assert_int_equal(verify("mac=" MAC, body, TS), ZOA_SIG_BAD);
	/* the right digest for the wrong secret */
	assert_int_equal(verify("mac=fb5e283b3dd28ace3490f575f369842e8cc51af6e"
	    "36312910a8a3c5bb5e19552", BODY, TS), ZOA_SIG_BAD);
	/* the app secret is not the OA secret */
	assert_int_equal(zalo_oa_verify("mac=" MAC, BODY, strlen(BODY), APP,
	    "appSecret", TS), ZOA_SIG_BAD);
	assert_int_equal(verify("mac=", BODY, TS), ZOA_SIG_BAD);
	assert_int_equal(verify("mac=" MAC "00", BODY, TS), ZOA_SIG_BAD);
	assert_int_equal(verify("mac=zz", BODY, TS), ZOA_SIG_BAD);
	assert_int_equal(verify("sha256=" MAC, BODY, TS), ZOA_SIG_BAD);
	assert_int_equal(verify(NULL, BODY, TS), ZOA_SIG_MISSING);
	assert_int_equal(verify("", BODY, TS), ZOA_SIG_MISSING);
	/* nothing to sign without the body's timestamp */
	assert_int_equal(verify("mac=" MAC, "{\"event_name\":\"follow\"}", TS),
	    ZOA_SIG_MISSING);
	assert_int_equal(verify("mac=" MAC, "not json", TS), ZOA_SIG_MISSING);
}

static void
test_signature_stale(void **state)
{
	char forged[80];

	(void)state;
	snprintf(forged, sizeof(forged), "mac=%s", MAC);
	forged[4] = forged[4] == '0' ? '1' : '0';
	assert_int_equal(verify("mac=" MAC, BODY, TS + ZALO_OA_SIG_MAX_AGE_MS),
	    ZOA_SIG_OK);
	assert_int_equal(verify("mac=" MAC, BODY,
	    TS + ZALO_OA_SIG_MAX_AGE_MS + 1), ZOA_SIG_STALE);
	assert_int_equal(verify("mac=" MAC, BODY, TS - ZALO_OA_SIG_MAX_AHEAD_MS
	    - 1), ZOA_SIG_STALE);
	/* a forged stale body is bad, not stale: the digest comes first */
	assert_int_equal(verify(forged, BODY, TS + 86400000LL * 30),
	    ZOA_SIG_BAD);
}

static void
parse(const char *body, struct event *ev, enum api_status want)
{
	struct api_error err;

	assert_int_equal(zalo_oa_parse_event(body, strlen(body), ev, &err),
	    want);
}

static void
test_parse_text(void **state)
{
	struct event ev;

	(void)state;
	parse(BODY, &ev, API_OK);
	assert_int_equal(ev.kind, EV_TEXT);
	assert_string_equal(ev.chat_id, "2512523625412515");
	assert_string_equal(ev.user_id, "2512523625412515");
	assert_string_equal(ev.update_id, "96d3cdf3af150460909");
	assert_string_equal(ev.text, "làm sao cài VNeID");
	assert_true(ev.date_ms == TS);
	assert_int_equal(ev.is_group, 0);
	event_release(&ev);
	/* a numeric timestamp counts too */
	parse("{\"event_name\":\"user_send_text\",\"timestamp\":1764600000001,"
	    "\"sender\":{\"id\":\"u1\"},\"message\":{\"msg_id\":\"m1\","
	    "\"text\":\"a\"}}", &ev, API_OK);
	assert_true(ev.date_ms == TS + 1);
	event_release(&ev);
}

static void
test_parse_media(void **state)
{
	static const struct {
		const char *event, *media;
	} c[] = {
		{ "user_send_image", "photo" }, { "user_send_sticker", "sticker" },
		{ "user_send_file", "file" }, { "user_send_audio", "voice" },
		{ "user_send_video", "video" }, { "user_send_gif", "animation" },
		{ "user_send_location", "location" },
		{ "user_send_something_new", "other" },
	};
	char body[512];
	struct event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		snprintf(body, sizeof(body), "{\"event_name\":\"%s\",\"timestamp\":"
		    "\"1764600000000\",\"sender\":{\"id\":\"u9\"},\"message\":"
		    "{\"msg_id\":\"m%zu\",\"text\":\"ảnh CCCD\",\"attachments\":"
		    "[{\"type\":\"image\",\"payload\":{\"url\":\"https://x/y\"}}]}}",
		    c[i].event, i);
		parse(body, &ev, API_OK);
		assert_int_equal(ev.kind, EV_MEDIA);
		assert_string_equal(ev.media, c[i].media);
		assert_string_equal(ev.chat_id, "u9");
		assert_string_equal(ev.text, "ảnh CCCD");
		event_release(&ev);
	}
}

static void
test_parse_follow_and_ignored(void **state)
{
	static const char *const ignored[] = {
		"{\"event_name\":\"unfollow\",\"timestamp\":\"1\",\"follower\":"
		    "{\"id\":\"u1\"}}",
		"{\"event_name\":\"oa_send_text\",\"timestamp\":\"1\",\"sender\":"
		    "{\"id\":\"oa\"},\"recipient\":{\"id\":\"u1\"},\"message\":"
		    "{\"msg_id\":\"x\",\"text\":\"echo\"}}",
		"{\"event_name\":\"user_seen_message\",\"sender\":{\"id\":\"u1\"}}",
		"{\"event_name\":\"user_send_group_text\",\"sender\":{\"id\":\"u1\"},"
		    "\"message\":{\"msg_id\":\"g\",\"text\":\"hi\"}}",
		"{\"event_name\":\"add_user_to_tag\",\"tag_name\":\"VIP\"}",
	};
	struct event ev;
	size_t i;

	(void)state;
	parse("{\"app_id\":\"1\",\"oa_id\":\"9\",\"event_name\":\"follow\","
	    "\"timestamp\":\"1764600000000\",\"source\":\"oa_profile\","
	    "\"follower\":{\"id\":\"f7\"},\"user_id_by_app\":\"5\"}", &ev, API_OK);
	assert_int_equal(ev.kind, EV_TEXT);
	assert_string_equal(ev.text, "/start");
	assert_string_equal(ev.chat_id, "f7");
	/* no msg_id: the key still tells two follows apart */
	assert_string_equal(ev.update_id, "follow:f7:1764600000000");
	event_release(&ev);
	for (i = 0; i < sizeof(ignored) / sizeof(ignored[0]); i++) {
		parse(ignored[i], &ev, API_OK);
		assert_int_equal(ev.kind, EV_IGNORE);
		assert_null(ev.text);
		event_release(&ev);
	}
}

static void
test_parse_malformed(void **state)
{
	static const char *const bad[] = {
		"", "null", "[]", "{\"event_name\":5}", "{}", "{\"event_name\":",
		"{\"event_name\":\"user_send_text\",\"message\":{\"text\":\"a\"}}",
		"{\"event_name\":\"user_send_text\",\"sender\":{\"id\":\"\"}}",
		"{\"event_name\":\"follow\",\"follower\":{}}",
	};
	struct event ev;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		parse(bad[i], &ev, API_MALFORMED);
		assert_int_equal(ev.kind, EV_IGNORE);
		assert_null(ev.text);
		event_release(&ev);
	}
}

struct sink {
	char *body[16];
	int n;
};

static void
collect(const char *body, void *arg)
{
	struct sink *k = arg;

	assert_true(k->n < 16);
	k->body[k->n++] = strdup(body);
}

static void
sink_release(struct sink *k)
{
	while (k->n)
		free(k->body[--k->n]);
}

static size_t
cps(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The text of a cs body, checked to be addressed to user. */
static char *
body_text(const char *body, const char *user)
{
	cJSON *o = cJSON_Parse(body), *r, *m;
	char *t;

	assert_non_null(o);
	r = cJSON_GetObjectItemCaseSensitive(o, "recipient");
	m = cJSON_GetObjectItemCaseSensitive(o, "message");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(r, "user_id")
	    ->valuestring, user);
	t = strdup(cJSON_GetObjectItemCaseSensitive(m, "text")->valuestring);
	cJSON_Delete(o);
	return t;
}

/* n lines of Vietnamese, 60 characters each with the newline. */
static char *
long_text(int lines)
{
	struct buf b;
	int i;

	buf_init(&b, BUF_CAP_REPLY);
	for (i = 0; i < lines; i++)
		buf_printf(&b, "Bước %03d: mở ứng dụng VNeID, chọn mục Thủ tục "
		    "hành chính ạ\n", i);
	return buf_take(&b);
}

static void
test_render_short_and_long(void **state)
{
	struct sink k = { { 0 }, 0 };
	char *text = long_text(80), *t;
	size_t total = 0;
	int i;

	(void)state;
	zalo_oa_render_text("Xin chào bác", "u1", collect, &k);
	assert_int_equal(k.n, 1);
	assert_string_equal(k.body[0], "{\"recipient\":{\"user_id\":\"u1\"},"
	    "\"message\":{\"text\":\"Xin chào bác\"}}");
	sink_release(&k);

	assert_true(cps(text) > 2 * ZALO_OA_TEXT_MAX);
	assert_int_equal(zalo_oa_parts(text), 3);
	zalo_oa_render_text(text, "u1", collect, &k);
	assert_int_equal(k.n, 3);
	for (i = 0; i < k.n; i++) {
		t = body_text(k.body[i], "u1");
		assert_true(cps(t) <= ZALO_OA_TEXT_MAX);
		assert_true(tu_utf8_valid(t));
		/* split between lines, not inside a word */
		assert_true(strncmp(t, "Bước ", strlen("Bước ")) == 0);
		total += cps(t);
		free(t);
	}
	/* nothing lost but the newlines at the cuts */
	assert_true(total + 2 >= cps(text) - 1);
	sink_release(&k);
	free(text);
}

static void
test_render_menu(void **state)
{
	struct conv_reply r;
	struct sink k = { { 0 }, 0 };
	char *t;

	(void)state;
	conv_reply_init(&r);
	r.kind = CONV_MENU;
	buf_adds(&r.text, "Bác muốn hỏi gì ạ?");
	r.nopt = 2;
	r.opt[0].title = "Cài VNeID";
	r.opt[1].title = "Nộp thuế";
	zalo_oa_render(&r, "u2", collect, &k);
	assert_int_equal(k.n, 1);
	t = body_text(k.body[0], "u2");
	assert_string_equal(t, "Bác muốn hỏi gì ạ?\n\n1. Cài VNeID\n2. Nộp thuế");
	free(t);
	sink_release(&k);
	conv_reply_release(&r);
}

static void
test_render_within_allowance(void **state)
{
	struct sink k = { { 0 }, 0 };
	char *text = long_text(80), *t;

	(void)state;
	assert_int_equal(zalo_oa_render_text_max(text, "u1", 0, collect, &k), 0);
	assert_int_equal(k.n, 0);
	assert_int_equal(zalo_oa_render_text_max(text, "u1", 3, collect, &k), 3);
	t = body_text(k.body[2], "u1");
	assert_null(strstr(t, "gõ lại câu hỏi"));
	free(t);
	sink_release(&k);

	assert_int_equal(zalo_oa_render_text_max(text, "u1", 2, collect, &k), 2);
	assert_int_equal(k.n, 2);
	t = body_text(k.body[1], "u1");
	assert_true(cps(t) <= ZALO_OA_TEXT_MAX);
	assert_non_null(strstr(t, "Bác gõ lại câu hỏi để cháu gửi đầy đủ ạ.)"));
	assert_true(strncmp(t, "Bước ", strlen("Bước ")) == 0);
	free(t);
	sink_release(&k);

	assert_int_equal(zalo_oa_render_text_max("ngắn", "u1", 1, collect, &k), 1);
	t = body_text(k.body[0], "u1");
	assert_string_equal(t, "ngắn");
	free(t);
	sink_release(&k);
	free(text);
}

static void
test_allowance(void **state)
{
	int64_t now = TS;

	(void)state;
	assert_int_equal(zalo_oa_replies_left(now, 0, now), ZALO_OA_FREE_REPLIES);
	assert_int_equal(ZALO_OA_FREE_REPLIES, 8);
	assert_int_equal(zalo_oa_replies_left(now, 3, now + 1000), 5);
	assert_int_equal(zalo_oa_replies_left(now, 8, now), 0);
	assert_int_equal(zalo_oa_replies_left(now, 12, now), 0);
	assert_int_equal(zalo_oa_replies_left(now, 0, now + ZALO_OA_WINDOW_MS),
	    8);
	assert_int_equal(zalo_oa_replies_left(now, 0,
	    now + ZALO_OA_WINDOW_MS + 1), 0);
	assert_int_equal(zalo_oa_replies_left(0, 0, now), 0);
}

static enum api_status
sent(const char *body, struct api_error *err, char *id, size_t n)
{
	return zalo_oa_parse_sent(body, strlen(body), err, id, n);
}

static void
test_parse_sent(void **state)
{
	struct api_error err;
	char id[64];

	(void)state;
	assert_int_equal(sent("{\"error\":0,\"message\":\"Success\",\"data\":"
	    "{\"message_id\":\"7e4e3fe2f1ad\",\"user_id\":\"u1\",\"quota\":"
	    "{\"quota_type\":\"reply\",\"remain\":\"7\"}}}", &err, id,
	    sizeof(id)), API_OK);
	assert_string_equal(id, "7e4e3fe2f1ad");
	assert_int_equal(sent("{\"error\":-216,\"message\":\"Access token is "
	    "invalid\"}", &err, id, sizeof(id)), API_ERROR);
	assert_int_equal(err.code, -216);
	assert_true(zalo_oa_token_invalid(&err));
	assert_string_equal(err.desc, "Access token is invalid");
	assert_int_equal(sent("{\"error\":\"-216\"}", &err, NULL, 0), API_ERROR);
	assert_true(zalo_oa_token_invalid(&err));
	assert_int_equal(sent("{\"error\":-230,\"message\":\"User has not "
	    "interacted with the OA in the past 7 days\"}", &err, id,
	    sizeof(id)), API_ERROR);
	assert_false(zalo_oa_token_invalid(&err));
	assert_int_equal(sent("{\"message\":\"Success\"}", &err, id, sizeof(id)),
	    API_MALFORMED);
	assert_int_equal(sent("{\"ok\":true,\"result\":{}}", &err, id,
	    sizeof(id)), API_MALFORMED);
	assert_int_equal(sent("<html>502</html>", &err, id, sizeof(id)),
	    API_MALFORMED);
}

static enum api_status
token(const char *body, struct zalo_oa_token *t, struct api_error *err)
{
	return zalo_oa_parse_token(body, strlen(body), t, err);
}

static void
test_parse_token(void **state)
{
	struct zalo_oa_token t;
	struct api_error err;

	(void)state;
	assert_int_equal(token("{\"access_token\":\"AT1\",\"refresh_token\":"
	    "\"RT2\",\"expires_in\":\"90000\"}", &t, &err), API_OK);
	assert_string_equal(t.access, "AT1");
	assert_string_equal(t.refresh, "RT2");
	assert_true(t.expires_in == 90000);
	zalo_oa_token_release(&t);
	assert_null(t.access);
	assert_int_equal(token("{\"access_token\":\"AT1\",\"refresh_token\":"
	    "\"RT2\",\"expires_in\":3600}", &t, &err), API_OK);
	assert_true(t.expires_in == 3600);
	zalo_oa_token_release(&t);
	/* a refused (spent or expired) refresh token */
	assert_int_equal(token("{\"error\":-14014,\"error_name\":\"Invalid "
	    "refresh token\",\"error_reason\":\"\",\"error_description\":"
	    "\"Refresh token is invalid\"}", &t, &err), API_ERROR);
	assert_int_equal(err.code, -14014);
	assert_string_equal(err.desc, "Refresh token is invalid");
	assert_null(t.access);
	assert_null(t.refresh);
	/* without a new refresh token the old one is spent: not a success */
	assert_int_equal(token("{\"access_token\":\"AT1\",\"expires_in\":3600}",
	    &t, &err), API_MALFORMED);
	assert_null(t.access);
	assert_int_equal(token("{\"access_token\":\"AT1\",\"refresh_token\":"
	    "\"RT2\",\"expires_in\":\"soon\"}", &t, &err), API_MALFORMED);
	assert_int_equal(token("{\"access_token\":\"AT1\",\"refresh_token\":"
	    "\"RT2\",\"expires_in\":-5}", &t, &err), API_MALFORMED);
	assert_int_equal(token("[1]", &t, &err), API_MALFORMED);
}

static void
test_token_form_and_freshness(void **state)
{
	struct buf b;
	char seed[65];

	(void)state;
	buf_init(&b, 4096);
	zalo_oa_token_form("12345", "a+b/c=d&e", &b);
	assert_string_equal(b.data, "app_id=12345&grant_type=refresh_token&"
	    "refresh_token=a%2Bb%2Fc%3Dd%26e");
	buf_release(&b);
	assert_true(zalo_oa_token_fresh(TS + ZALO_OA_REFRESH_AHEAD_MS + 1, TS));
	assert_false(zalo_oa_token_fresh(TS + ZALO_OA_REFRESH_AHEAD_MS, TS));
	assert_false(zalo_oa_token_fresh(0, TS));
	/* printf '%s' abc | sha256sum */
	zalo_oa_seed("abc", seed);
	assert_string_equal(seed, "ba7816bf8f01cfea414140de5dae2223b00361a396"
	    "177a9cb410ff61f20015ad");
}

/* The window's last reply: the head of the text and a note, in 2,000. */
static void
test_last_body(void **state)
{
	char big[12000], *body = NULL;
	struct buf out;
	size_t i;

	(void)state;
	buf_init(&out, BUF_CAP_REPLY);
	assert_int_equal(zalo_oa_last_body("{\"recipient\":{\"user_id\":\"u1\"},"
	    "\"message\":{\"text\":\"Bước 1\"}}", 0, &out), 0);
	assert_non_null(strstr(out.data, "\"user_id\":\"u1\""));
	assert_non_null(strstr(out.data, "Bước 1"));
	assert_non_null(strstr(out.data, "nhắn lại"));
	buf_reset(&out);
	for (i = 0; i + 1 < sizeof(big); i++)
		big[i] = i % 50 == 49 ? '\n' : 'a';
	big[i] = '\0';
	{
		struct buf b;

		buf_init(&b, BUF_CAP_REPLY);
		buf_printf(&b, "{\"recipient\":{\"user_id\":\"u1\"},"
		    "\"message\":{\"text\":\"%s\"}}", big);
		body = buf_take(&b);
	}
	for (i = 0; body[i]; i++)
		if (body[i] == '\n')
			body[i] = ' ';
	assert_int_equal(zalo_oa_last_body(body, 1, &out), 0);
	assert_non_null(strstr(out.data, "Tin còn dài"));
	{
		cJSON *o = cJSON_Parse(out.data);
		const char *t = cJSON_GetObjectItem(cJSON_GetObjectItem(o,
		    "message"), "text")->valuestring;
		size_t n = 0;

		for (; *t; t++)
			n += ((unsigned char)*t & 0xc0) != 0x80;
		assert_true(n <= ZALO_OA_TEXT_MAX);
		assert_true(n > ZALO_OA_TEXT_MAX / 2);
		cJSON_Delete(o);
	}
	buf_reset(&out);
	assert_int_equal(zalo_oa_last_body("{\"text\":\"x\"}", 0, &out), -1);
	assert_int_equal(zalo_oa_last_body("nope", 0, &out), -1);
	free(body);
	buf_release(&out);
}

/* recipient.message_id of a cs body, NULL if none; user_id checked. */
static char *
named(const char *body, const char *user)
{
	cJSON *o = cJSON_Parse(body), *r;
	const cJSON *m;
	char *mid;

	assert_non_null(o);
	r = cJSON_GetObjectItemCaseSensitive(o, "recipient");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(r, "user_id")
	    ->valuestring, user);
	m = cJSON_GetObjectItemCaseSensitive(r, "message_id");
	mid = cJSON_IsString(m) ? strdup(m->valuestring) : NULL;
	cJSON_Delete(o);
	return mid;
}

static void
test_reply_to(void **state)
{
	struct sink k = { { 0 }, 0 };
	struct buf out, again;
	char *t, *mid;

	(void)state;
	buf_init(&out, BUF_CAP_REPLY);
	buf_init(&again, BUF_CAP_REPLY);
	zalo_oa_render_text("Bác mở VNeID ạ", "u1", collect, &k);
	assert_int_equal(k.n, 1);
	assert_int_equal(zalo_oa_reply_to(k.body[0], "96d3cdf3af150460909",
	    &out), 0);
	assert_string_equal(out.data, "{\"recipient\":{\"user_id\":\"u1\","
	    "\"message_id\":\"96d3cdf3af150460909\"},\"message\":{\"text\":"
	    "\"Bác mở VNeID ạ\"}}");
	/* named again (sent again after a newer message): one message_id */
	assert_int_equal(zalo_oa_reply_to(out.data, "m2", &again), 0);
	mid = named(again.data, "u1");
	assert_string_equal(mid, "m2");
	free(mid);
	assert_null(strstr(again.data, "96d3cdf3af150460909"));
	/* the last free reply keeps the name */
	buf_reset(&out);
	assert_int_equal(zalo_oa_last_body(again.data, 0, &out), 0);
	mid = named(out.data, "u1");
	assert_string_equal(mid, "m2");
	free(mid);
	t = body_text(out.data, "u1");
	assert_non_null(strstr(t, "nhắn lại"));
	free(t);
	/* nothing to name, or not a cs body of ours */
	buf_reset(&out);
	assert_int_equal(zalo_oa_reply_to(k.body[0], NULL, &out), -1);
	assert_int_equal(zalo_oa_reply_to(k.body[0], "", &out), -1);
	assert_int_equal(zalo_oa_reply_to("{\"chat_id\":\"1\",\"text\":"
	    "\"x\"}", "m1", &out), -1);
	assert_int_equal(zalo_oa_reply_to("nope", "m1", &out), -1);
	assert_int_equal(out.len, 0);
	sink_release(&k);
	buf_release(&out);
	buf_release(&again);
}

/* The message an event is, for the replies to name. */
static void
test_msg_id(void **state)
{
	struct event ev;
	char body[512], id[100];

	(void)state;
	parse(BODY, &ev, API_OK);
	assert_string_equal(zalo_oa_msg_id(&ev), "96d3cdf3af150460909");
	event_release(&ev);
	parse("{\"event_name\":\"follow\",\"timestamp\":\"1764600000000\","
	    "\"follower\":{\"id\":\"f7\"}}", &ev, API_OK);
	assert_null(zalo_oa_msg_id(&ev));
	event_release(&ev);
	parse("{\"event_name\":\"user_send_text\",\"timestamp\":\"1\","
	    "\"sender\":{\"id\":\"u1\"},\"message\":{\"text\":\"a\"}}",
	    &ev, API_OK);
	assert_null(zalo_oa_msg_id(&ev));
	event_release(&ev);
	/* one that does not fit whole is no name (nor a cut-off dedupe key) */
	memset(id, 'a', sizeof(id) - 1);
	id[sizeof(id) - 1] = '\0';
	snprintf(body, sizeof(body), "{\"event_name\":\"user_send_text\","
	    "\"timestamp\":\"1\",\"sender\":{\"id\":\"u1\"},\"message\":"
	    "{\"msg_id\":\"%s\",\"text\":\"a\"}}", id);
	parse(body, &ev, API_OK);
	assert_null(zalo_oa_msg_id(&ev));
	assert_int_equal(ev.kind, EV_TEXT);
	event_release(&ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_good),
		cmocka_unit_test(test_signature_bad),
		cmocka_unit_test(test_signature_stale),
		cmocka_unit_test(test_parse_text),
		cmocka_unit_test(test_parse_media),
		cmocka_unit_test(test_parse_follow_and_ignored),
		cmocka_unit_test(test_parse_malformed),
		cmocka_unit_test(test_render_short_and_long),
		cmocka_unit_test(test_render_menu),
		cmocka_unit_test(test_render_within_allowance),
		cmocka_unit_test(test_allowance),
		cmocka_unit_test(test_parse_sent),
		cmocka_unit_test(test_parse_token),
		cmocka_unit_test(test_token_form_and_freshness),
		cmocka_unit_test(test_last_body),
		cmocka_unit_test(test_reply_to),
		cmocka_unit_test(test_msg_id),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
