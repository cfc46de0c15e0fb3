#include "platform.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "tg.h"
#include "util.h"
#include "zalo.h"
#include "zalo_oa.h"

static enum api_status
tg_updates(const char *body, size_t len, struct event **ev, size_t *n,
    int64_t *next_offset, struct api_error *err)
{
	int64_t max_id = -1;
	enum api_status st = tg_parse_updates(body, len, ev, n, &max_id, err);

	*next_offset = st == API_OK && *n && max_id >= 0 ? max_id + 1 : -1;
	return st;
}

static void
tg_poll_request(int64_t offset, int timeout, struct buf *out)
{
	buf_printf(out, "{\"offset\":%lld,\"timeout\":%d,"
	    "\"allowed_updates\":[\"message\",\"callback_query\"]}",
	    (long long)offset, timeout);
}

static const char *
tg_answer_press(const char *callback_id, struct buf *out)
{
	tg_answer_callback(callback_id, out);
	return "answerCallbackQuery";
}

/*
 * A push body as one JSON object, nothing after it (a second update
 * spliced in would otherwise ride along); NULL if it is not.
 */
static cJSON *
push_object(const char *body, size_t len)
{
	const char *end = NULL;
	cJSON *o = cJSON_ParseWithLengthOpts(body, len, &end, 0);

	if (!cJSON_IsObject(o) || !end)
		goto bad;
	while (end < body + len && strchr(" \t\r\n", *end) && *end)
		end++;
	if (end == body + len)
		return o;
bad:
	cJSON_Delete(o);
	return NULL;
}

/* Appends o, printed, to out, and frees o. */
static int
print_json(cJSON *o, struct buf *out)
{
	char *s = cJSON_PrintUnformatted(o);
	int rc;

	if (!s)
		fatal("out of memory");
	cJSON_Delete(o);
	rc = buf_adds(out, s);
	cJSON_free(s);
	return rc;
}

/* The envelope, printed back for the polling parser. */
static int
push_envelope(cJSON *result, struct buf *out)
{
	cJSON *root = cJSON_CreateObject();

	cJSON_AddTrueToObject(root, "ok");
	cJSON_AddItemToObject(root, "result", result);
	return print_json(root, out);
}

/*
 * Zalo's getUpdates and an OA push hand over one event or none: *ev is
 * allocated for one (one_event), and kept if the parse went well and
 * there is one to hand on (one_done).
 */
static struct event *
one_event(struct event **ev, size_t *n, int64_t *next_offset)
{
	*ev = xcalloc(1, sizeof(**ev));
	*n = 0;
	*next_offset = -1;
	return *ev;
}

static enum api_status
one_done(enum api_status st, int keep, struct event *ev, size_t *n)
{
	if (st == API_OK && keep)
		*n = 1;
	else
		event_release(ev);
	return st;
}

/* An Update object; getUpdates answers an array of them. */
static int
tg_wrap_push(const char *body, size_t len, struct buf *out)
{
	cJSON *o = push_object(body, len), *a;

	if (!o)
		return -1;
	a = cJSON_CreateArray();
	cJSON_AddItemToArray(a, o);
	return push_envelope(a, out);
}

/* Zalo's getUpdates hands over one update, or none. */
static enum api_status
zalo_updates(const char *body, size_t len, struct event **ev, size_t *n,
    int64_t *next_offset, struct api_error *err)
{
	struct event *e = one_event(ev, n, next_offset);
	int got = 0;
	enum api_status st = zalo_parse_update(body, len, e, &got, err);

	return one_done(st, got, e, n);
}

static enum api_status
zalo_sent(const char *body, size_t len, struct api_error *err,
    int64_t *message_id)
{
	*message_id = 0;        /* Zalo's are strings; nothing refers to them */
	return zalo_parse_response(body, len, err);
}

static void
zalo_poll_request(int64_t offset, int timeout, struct buf *out)
{
	(void)offset;
	buf_printf(out, "{\"timeout\":\"%d\"}", timeout);
}

/* The push's shape is unverified: a bare {event_name, message}, or
 * getUpdates' {ok, result}. Both are taken. */
static int
zalo_wrap_push(const char *body, size_t len, struct buf *out)
{
	cJSON *o = push_object(body, len), *r;

	if (!o)
		return -1;
	if (!(r = cJSON_DetachItemFromObjectCaseSensitive(o, "result")))
		return push_envelope(o, out);
	cJSON_Delete(o);
	return push_envelope(r, out);
}

/* The bot APIs: <api>/bot<token>/<method>, the token in the URL. */
static int
bot_prepare_send(struct platform_send *s)
{
	int n = snprintf(s->url, sizeof(s->url), "%s/%s", s->base, s->method);

	s->header[0] = '\0';
	return n > 0 && (size_t)n < sizeof(s->url) ? 0 : -1;
}

/* An OA push is the event itself; printed back as one object. */
static int
oa_wrap_push(const char *body, size_t len, struct buf *out)
{
	cJSON *o = push_object(body, len);

	return o ? print_json(o, out) : -1;
}

/* One event per push; receipts, unfollows and the OA's own echoes are
 * not handed on (nothing to store for them). */
static enum api_status
oa_updates(const char *body, size_t len, struct event **ev, size_t *n,
    int64_t *next_offset, struct api_error *err)
{
	struct event *e = one_event(ev, n, next_offset);
	enum api_status st = zalo_oa_parse_event(body, len, e, err);

	return one_done(st, e->kind != EV_IGNORE, e, n);
}

static enum api_status
oa_sent(const char *body, size_t len, struct api_error *err,
    int64_t *message_id)
{
	*message_id = 0;
	return zalo_oa_parse_sent(body, len, err, NULL, 0);
}

/* POST <api>/v3.0/oa/message/cs, the access token in a header. Only
 * messages: the OA has no counterpart of the bots' other methods. */
static int
oa_prepare_send(struct platform_send *s)
{
	int n;

	s->url[0] = s->header[0] = '\0';
	if (!s->token || !*s->token || strcmp(s->method, "sendMessage") != 0)
		return -1;
	n = snprintf(s->url, sizeof(s->url), "%s%s", s->base,
	    ZALO_OA_SEND_PATH);
	if (n <= 0 || (size_t)n >= sizeof(s->url))
		return -1;
	n = snprintf(s->header, sizeof(s->header), "access_token: %s",
	    s->token);
	return n > 0 && (size_t)n < sizeof(s->header) ? 0 : -1;
}

const struct platform platforms[PLATFORM_COUNT] = {
	[PLATFORM_TELEGRAM] = {
		.name = "telegram",
		.caps = PLATFORM_BUTTONS | PLATFORM_COPY | PLATFORM_EDIT |
		    PLATFORM_OFFSET | PLATFORM_CHAT_429,
		.secret_header = "X-Telegram-Bot-Api-Secret-Token",
		.parse_updates = tg_updates,
		.parse_sent = tg_parse_sent,
		.render = tg_render,
		.render_text = tg_render_text,
		.poll_request = tg_poll_request,
		.wrap_push = tg_wrap_push,
		.prepare_send = bot_prepare_send,
		.render_card = tg_render_card,
		.copy = tg_copy_request,
		.edit = tg_edit_request,
		.label = "Telegram",
		.answer_press = tg_answer_press,
	},
	[PLATFORM_ZALO] = {
		.name = "zalo",
		.caps = 0,
		.secret_header = "X-Bot-Api-Secret-Token",
		.parse_updates = zalo_updates,
		.parse_sent = zalo_sent,
		.render = zalo_render,
		.render_text = zalo_render_text,
		.poll_request = zalo_poll_request,
		.wrap_push = zalo_wrap_push,
		.prepare_send = bot_prepare_send,
		.label = "Zalo",
	},
	[PLATFORM_ZALO_OA] = {
		.name = "zalo_oa",
		.caps = PLATFORM_SIGNED | PLATFORM_WINDOW | PLATFORM_PUSHED,
		.secret_header = NULL,
		.parse_updates = oa_updates,
		.parse_sent = oa_sent,
		.render = zalo_oa_render,
		.render_text = zalo_oa_render_text,
		.poll_request = NULL,
		.wrap_push = oa_wrap_push,
		.webhook_path = "/zalo-oa",
		.prepare_send = oa_prepare_send,
		.label = "Zalo OA",
	},
};

int
platform_find(const char *name)
{
	int i;

	for (i = 0; i < PLATFORM_COUNT; i++)
		if (strcmp(platforms[i].name, name) == 0)
			return i;
	return -1;
}

int
platform_find_path(const char *path)
{
	int i;

	for (i = 0; i < PLATFORM_COUNT; i++) {
		const char *w = platforms[i].webhook_path;

		if (w ? strcmp(w, path) == 0 : path[0] == '/' &&
		    strcmp(platforms[i].name, path + 1) == 0)
			return i;
	}
	return -1;
}

const struct platform *
platform_of_name(const char *name)
{
	int i = platform_find(name);

	return &platforms[i < 0 ? PLATFORM_TELEGRAM : i];
}
