#include "zalo.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "text.h"
#include "util.h"

enum api_status
zalo_parse_response(const char *body, size_t len, struct api_error *err)
{
	cJSON *root;
	enum api_status st = api_envelope(body, len, &root, err);

	cJSON_Delete(root);
	return st;
}

enum api_status
zalo_parse_update(const char *body, size_t len, struct event *e, int *got,
    struct api_error *err)
{
	cJSON *root;
	const cJSON *res, *m, *chat, *from;
	const char *ev, *text, *ctype;
	enum api_status st = api_envelope(body, len, &root, err);

	*got = 0;
	memset(e, 0, sizeof(*e));
	e->kind = EV_IGNORE;
	if (st == API_ERROR && err->code == 408) {
		cJSON_Delete(root);
		return API_OK;  /* "no message": an idle long poll */
	}
	if (st != API_OK) {
		cJSON_Delete(root);
		return st;
	}
	res = cJSON_GetObjectItemCaseSensitive(root, "result");
	/* Webhook-style payloads are bare {event_name, message}: accept both. */
	if (!cJSON_IsObject(res))
		res = root;
	m = cJSON_GetObjectItemCaseSensitive(res, "message");
	if (!cJSON_IsObject(m)) {
		/* "result": {} or "message": null is an empty poll, not an error */
		int empty = !m || cJSON_IsNull(m);

		cJSON_Delete(root);
		if (empty)
			return API_OK;
		snprintf(err->desc, sizeof(err->desc), "update without a message");
		return API_MALFORMED;
	}
	chat = cJSON_GetObjectItemCaseSensitive(m, "chat");
	from = cJSON_GetObjectItemCaseSensitive(m, "from");
	if (api_jid(m, "message_id", e->update_id, sizeof(e->update_id)) < 0 ||
	    !cJSON_IsObject(chat) ||
	    api_jid(chat, "id", e->chat_id, sizeof(e->chat_id)) < 0) {
		snprintf(err->desc, sizeof(err->desc), "update without message_id or "
		    "chat id");
		cJSON_Delete(root);
		return API_MALFORMED;
	}
	*got = 1;
	{
		const cJSON *dt = cJSON_GetObjectItemCaseSensitive(m, "date");

		/* Zalo dates are milliseconds */
		if (cJSON_IsNumber(dt) && dt->valuedouble > 0 &&
		    dt->valuedouble < 4e12)
			e->date_ms = (int64_t)dt->valuedouble;
	}
	ctype = api_jstr(chat, "chat_type");
	e->is_group = ctype && strcmp(ctype, "GROUP") == 0;
	if (cJSON_IsObject(from)) {
		const char *name = api_jstr(from, "display_name");

		if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(from, "is_bot")))
			goto out;
		(void)api_jid(from, "id", e->user_id, sizeof(e->user_id));
		if (!name)
			name = api_jstr(from, "first_name");
		if (name)
			utf8_copy(e->first_name, sizeof(e->first_name), name);
	}
	ev = api_jstr(res, "event_name");
	text = api_jstr(m, "text");
	if (text && (!ev || strcmp(ev, "message.text.received") == 0)) {
		e->kind = EV_TEXT;
		e->text = xstrdup(text);
	} else if (ev && strncmp(ev, "message.", 8) == 0) {
		const char *kind = ev + 8, *dot = strchr(kind, '.');

		e->kind = EV_MEDIA;
		snprintf(e->media, sizeof(e->media), "%.*s",
		    (int)(dot ? (size_t)(dot - kind) : strlen(kind)), kind);
		if (strcmp(e->media, "image") == 0)
			snprintf(e->media, sizeof(e->media), "photo");
		e->text = xstrdup(api_jstr(m, "caption") ? api_jstr(m, "caption") : "");
	}
out:
	cJSON_Delete(root);
	return API_OK;
}

struct zparts {
	const char *chat_id;
	void (*emit)(const char *body, void *arg);
	void *arg;
};

void
zalo_emit_json(cJSON *o, void (*emit)(const char *body, void *arg), void *arg)
{
	char *j = cJSON_PrintUnformatted(o);

	if (!j)
		fatal("out of memory (JSON)");
	emit(j, arg);
	cJSON_free(j);
	cJSON_Delete(o);
}

static void
send_part(const char *s, size_t n, void *arg)
{
	struct zparts *z = arg;
	cJSON *o = cJSON_CreateObject();
	char *t = xstrndup(s, n);

	if (!cJSON_AddStringToObject(o, "chat_id", z->chat_id) ||
	    !cJSON_AddStringToObject(o, "text", t))
		fatal("out of memory (JSON)");
	free(t);
	zalo_emit_json(o, z->emit, z->arg);
}

void
zalo_render_text(const char *text, const char *chat_id,
    void (*emit)(const char *body, void *arg), void *arg)
{
	struct zparts z = { chat_id, emit, arg };

	text_split(text, ZALO_TEXT_MAX, 0, send_part, &z);
}

void
zalo_render_via(const struct conv_reply *r, const char *chat_id,
    const char *name, zalo_text_renderer *render_text,
    void (*emit)(const char *body, void *arg), void *arg)
{
	struct buf out;

	buf_init(&out, BUF_CAP_REPLY);
	if (conv_render_text(r, &out) < 0)
		log_error("%s: a reply to chat %s is over %zu bytes: not sent",
		    name, chat_id, out.cap);
	else
		render_text(out.data, chat_id, emit, arg);
	buf_release(&out);
}

void
zalo_render(const struct conv_reply *r, const char *chat_id,
    void (*emit)(const char *body, void *arg), void *arg)
{
	zalo_render_via(r, chat_id, "zalo", zalo_render_text, emit, arg);
}
