#include "tg.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "text.h"
#include "platform.h"
#include "util.h"

enum api_status
tg_parse_response(const char *body, size_t len, struct api_error *err)
{
	return tg_parse_sent(body, len, err, NULL);
}

enum api_status
tg_parse_sent(const char *body, size_t len, struct api_error *err,
    int64_t *message_id)
{
	cJSON *root;
	enum api_status st = api_envelope(body, len, &root, err);

	if (message_id) {
		const cJSON *res = root ? cJSON_GetObjectItemCaseSensitive(root,
		    "result") : NULL;
		const cJSON *mid = cJSON_IsObject(res) ?
		    cJSON_GetObjectItemCaseSensitive(res, "message_id") : NULL;

		*message_id = st == API_OK && cJSON_IsNumber(mid) ?
		    api_int(mid) : 0;
	}
	cJSON_Delete(root);
	return st;
}

static const char *const media_kinds[] = {
	"photo", "voice", "audio", "video", "video_note", "sticker", "document",
	"animation", "contact", "location",
};

static void
parse_message(const cJSON *m, struct event *e)
{
	const cJSON *chat = cJSON_GetObjectItemCaseSensitive(m, "chat");
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(m, "from");
	const cJSON *mid = cJSON_GetObjectItemCaseSensitive(m, "message_id");
	const char *type, *text;
	size_t i;

	if (!cJSON_IsObject(chat) || api_jid(chat, "id", e->chat_id,
	    sizeof(e->chat_id)) < 0)
		return;         /* stays EV_IGNORE */
	type = api_jstr(chat, "type");
	e->is_group = type && (strcmp(type, "group") == 0 ||
	    strcmp(type, "supergroup") == 0);
	if (type && strcmp(type, "channel") == 0)
		return;
	if (cJSON_IsObject(from)) {
		const cJSON *bot = cJSON_GetObjectItemCaseSensitive(from, "is_bot");

		if (cJSON_IsTrue(bot))
			return;
		(void)api_jid(from, "id", e->user_id, sizeof(e->user_id));
		if (api_jstr(from, "first_name"))
			utf8_copy(e->first_name, sizeof(e->first_name),
			    api_jstr(from, "first_name"));
	}
	if (cJSON_IsNumber(mid))
		e->message_id = api_int(mid);
	{
		const cJSON *dt = cJSON_GetObjectItemCaseSensitive(m, "date");

		/* seconds; a sane range only (the value is a double from JSON) */
		if (cJSON_IsNumber(dt) && dt->valuedouble > 0 &&
		    dt->valuedouble < 4e9)
			e->date_ms = (int64_t)dt->valuedouble * 1000;
	}
	e->forwarded = cJSON_HasObjectItem(m, "forward_origin") ||
	    cJSON_HasObjectItem(m, "forward_date");
	{
		const cJSON *rt = cJSON_GetObjectItemCaseSensitive(m,
		    "reply_to_message");
		const cJSON *rid = cJSON_IsObject(rt) ?
		    cJSON_GetObjectItemCaseSensitive(rt, "message_id") : NULL;

		if (cJSON_IsNumber(rid))
			e->reply_to = api_int(rid);
	}
	/* the service message about a group upgraded to a supergroup: in the
	 * old chat it names the new one, in the new chat the old one */
	if (api_jid(m, "migrate_to_chat_id", e->moved_to,
	    sizeof(e->moved_to)) == 0)
		snprintf(e->moved_from, sizeof(e->moved_from), "%s", e->chat_id);
	else if (api_jid(m, "migrate_from_chat_id", e->moved_from,
	    sizeof(e->moved_from)) == 0)
		snprintf(e->moved_to, sizeof(e->moved_to), "%s", e->chat_id);
	text = api_jstr(m, "text");
	if (text) {
		e->kind = EV_TEXT;
		e->text = xstrdup(text);
		return;
	}
	for (i = 0; i < ARRAY_SIZE(media_kinds); i++) {
		if (cJSON_HasObjectItem(m, media_kinds[i])) {
			e->kind = EV_MEDIA;
			snprintf(e->media, sizeof(e->media), "%s", media_kinds[i]);
			e->text = xstrdup(api_jstr(m, "caption") ? api_jstr(m, "caption") : "");
			return;
		}
	}
}

static void
parse_callback(const cJSON *q, struct event *e)
{
	const cJSON *from = cJSON_GetObjectItemCaseSensitive(q, "from");
	const cJSON *msg = cJSON_GetObjectItemCaseSensitive(q, "message");
	const char *data = api_jstr(q, "data"), *id = api_jstr(q, "id");

	if (!id)
		return;
	snprintf(e->callback_id, sizeof(e->callback_id), "%s", id);
	if (cJSON_IsObject(from)) {
		(void)api_jid(from, "id", e->user_id, sizeof(e->user_id));
		if (api_jstr(from, "first_name"))
			utf8_copy(e->first_name, sizeof(e->first_name),
			    api_jstr(from, "first_name"));
	}
	/* An inaccessible message (date 0) still names its chat. */
	if (cJSON_IsObject(msg)) {
		const cJSON *chat = cJSON_GetObjectItemCaseSensitive(msg, "chat");
		const cJSON *mid = cJSON_GetObjectItemCaseSensitive(msg, "message_id");

		if (cJSON_IsNumber(mid))
			e->message_id = api_int(mid);

		if (cJSON_IsObject(chat)) {
			const char *type = api_jstr(chat, "type");

			(void)api_jid(chat, "id", e->chat_id, sizeof(e->chat_id));
			e->is_group = type && strcmp(type, "private") != 0;
		}
	}
	if (!e->chat_id[0])
		snprintf(e->chat_id, sizeof(e->chat_id), "%s", e->user_id);
	if (!e->chat_id[0])
		return;
	e->kind = EV_CALLBACK;
	e->text = xstrdup(data ? data : "");
}

enum api_status
tg_parse_updates(const char *body, size_t len, struct event **ev, size_t *n,
    int64_t *max_id, struct api_error *err)
{
	cJSON *root;
	const cJSON *res, *u;
	enum api_status st = api_envelope(body, len, &root, err);
	size_t k = 0;

	*ev = NULL;
	*n = 0;
	*max_id = -1;
	if (st != API_OK) {
		cJSON_Delete(root);
		return st;
	}
	res = cJSON_GetObjectItemCaseSensitive(root, "result");
	if (!cJSON_IsArray(res)) {
		snprintf(err->desc, sizeof(err->desc), "getUpdates result is not an "
		    "array");
		cJSON_Delete(root);
		return API_MALFORMED;
	}
	*ev = xcalloc((size_t)cJSON_GetArraySize(res) + 1, sizeof(**ev));
	cJSON_ArrayForEach(u, res) {
		const cJSON *idv = cJSON_GetObjectItemCaseSensitive(u, "update_id");
		const cJSON *m;
		struct event *e = &(*ev)[k];
		int64_t id;

		/* An update without a usable id (a whole number 0 ≤ id < 2^53)
		 * cannot be confirmed or deduplicated: skipped. */
		if (!cJSON_IsObject(u) || !cJSON_IsNumber(idv) || api_int(idv) < 0 ||
		    (double)api_int(idv) != idv->valuedouble)
			continue;
		id = api_int(idv);
		memset(e, 0, sizeof(*e));
		e->kind = EV_IGNORE;
		snprintf(e->update_id, sizeof(e->update_id), "%lld", (long long)id);
		if (id > *max_id)
			*max_id = id;
		if ((m = cJSON_GetObjectItemCaseSensitive(u, "message")) &&
		    cJSON_IsObject(m))
			parse_message(m, e);
		else if ((m = cJSON_GetObjectItemCaseSensitive(u, "callback_query")) &&
		    cJSON_IsObject(m))
			parse_callback(m, e);
		k++;
	}
	*n = k;
	cJSON_Delete(root);
	return API_OK;
}

/*
 * parse_mode HTML needs only & < > escaped (Telegram's rule, not a web
 * page's: html.c escapes quotes too, for attributes).
 */
static void
html_escape_tg(const char *s, size_t n, struct buf *out)
{
	size_t i;

	for (i = 0; i < n; i++) {
		switch (s[i]) {
		case '&':
			buf_adds(out, "&amp;");
			break;
		case '<':
			buf_adds(out, "&lt;");
			break;
		case '>':
			buf_adds(out, "&gt;");
			break;
		default:
			buf_addc(out, s[i]);
		}
	}
}

struct tg_parts {
	char **v;
	size_t n;
};

static void
collect(const char *s, size_t n, void *arg)
{
	struct tg_parts *p = arg;

	p->v = xrealloc(p->v, (p->n + 1) * sizeof(*p->v));
	p->v[p->n++] = xstrndup(s, n);
}

static void
emit_parts(struct tg_parts *p, const char *chat_id, cJSON *markup,
    void (*emit)(const char *body, void *arg), void *arg)
{
	size_t i, ok;

	/* every part escaped before any is sent: one that cannot be refuses
	 * the whole reply, not only the parts after it */
	for (ok = 0; ok < p->n; ok++) {
		struct buf esc;
		char *e;

		buf_init(&esc, BUF_CAP_REPLY);
		html_escape_tg(p->v[ok], strlen(p->v[ok]), &esc);
		if (!(e = buf_take(&esc))) {
			log_error("telegram: a reply to chat %s is over %zu bytes "
			    "escaped: not sent", chat_id, esc.cap);
			break;
		}
		free(p->v[ok]);
		p->v[ok] = e;
	}
	if (ok < p->n) {
		for (i = 0; i < p->n; i++)
			free(p->v[i]);
		p->n = 0;
	}
	for (i = 0; i < p->n; i++) {
		cJSON *o = cJSON_CreateObject();
		char *s;

		cJSON_AddStringToObject(o, "chat_id", chat_id);
		cJSON_AddStringToObject(o, "text", p->v[i]);
		cJSON_AddStringToObject(o, "parse_mode", "HTML");
		{
			cJSON *lp = cJSON_AddObjectToObject(o, "link_preview_options");

			cJSON_AddBoolToObject(lp, "is_disabled", 1);
		}
		if (markup && i + 1 == p->n) {
			cJSON_AddItemToObject(o, "reply_markup", markup);
			markup = NULL;
		}
		s = cJSON_PrintUnformatted(o);
		if (!s)
			fatal("out of memory (JSON)");
		emit(s, arg);
		free(s);
		cJSON_Delete(o);
		free(p->v[i]);
	}
	cJSON_Delete(markup);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

static void
add_button(cJSON *rows, const char *text, const char *data)
{
	cJSON *row = cJSON_CreateArray(), *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "text", text);
	cJSON_AddStringToObject(b, "callback_data", data);
	cJSON_AddItemToArray(row, b);
	cJSON_AddItemToArray(rows, row);
}

void
tg_render(const struct conv_reply *r, const char *chat_id,
    void (*emit)(const char *body, void *arg), void *arg)
{
	struct tg_parts p = { 0 };
	cJSON *markup = cJSON_CreateObject();
	cJSON *rows = cJSON_AddArrayToObject(markup, "inline_keyboard");
	int i;

	text_split(r->text.data, TG_TEXT_MAX, 1, collect, &p);
	if (!p.n)
		collect("…", strlen("…"), &p);
	if (r->more)
		add_button(rows, "Xem tiếp ▶", "n");
	for (i = 0; i < r->nopt; i++) {
		char data[TG_CALLBACK_MAX + 8];
		char label[160];

		/* callback_data is at most 64 bytes; topic ids are shorter */
		if (snprintf(data, sizeof(data), "t:%s", r->opt[i].topic) >
		    TG_CALLBACK_MAX)
			continue;
		snprintf(label, sizeof(label), "%d. %s", i + 1, r->opt[i].title);
		add_button(rows, label, data);
	}
	if (r->kind != CONV_MENU)
		add_button(rows, "🏠 Về menu chính", "m");
	emit_parts(&p, chat_id, markup, emit, arg);
}

void
tg_render_text(const char *text, const char *chat_id,
    void (*emit)(const char *body, void *arg), void *arg)
{
	struct tg_parts p = { 0 };

	text_split(text, TG_TEXT_MAX, 1, collect, &p);
	emit_parts(&p, chat_id, NULL, emit, arg);
}

/* Appends o, printed, to out, and frees o. */
static void
print_body(cJSON *o, struct buf *out)
{
	char *s = cJSON_PrintUnformatted(o);

	if (!s)
		fatal("out of memory (JSON)");
	buf_adds(out, s);
	free(s);
	cJSON_Delete(o);
}

void
tg_answer_callback(const char *callback_id, struct buf *out)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "callback_query_id", callback_id);
	print_body(o, out);
}

void
tg_chat_member_request(const char *chat_id, const char *user_id,
    struct buf *out)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "chat_id", chat_id);
	/* user ids fit in 52 bits: exact in a JSON number */
	cJSON_AddNumberToObject(o, "user_id", (double)strtoll(user_id, NULL,
	    10));
	print_body(o, out);
}

/* Under message_id, or on its own when that one was deleted meanwhile. */
static void
add_reply_to(cJSON *o, int64_t message_id)
{
	cJSON *rp = cJSON_AddObjectToObject(o, "reply_parameters");

	cJSON_AddNumberToObject(rp, "message_id", (double)message_id);
	cJSON_AddBoolToObject(rp, "allow_sending_without_reply", 1);
}

static cJSON *
card_keyboard(const struct platform_card *c)
{
	cJSON *m = cJSON_CreateObject();
	cJSON *rows = cJSON_AddArrayToObject(m, "inline_keyboard"), *row = NULL;
	size_t i, per = c->per_row ? c->per_row : 1;

	for (i = 0; i < c->nbuttons; i++) {
		cJSON *b = cJSON_CreateObject();

		if (i % per == 0) {
			row = cJSON_CreateArray();
			cJSON_AddItemToArray(rows, row);
		}
		cJSON_AddStringToObject(b, "text", c->buttons[i].label);
		cJSON_AddStringToObject(b, "callback_data", c->buttons[i].data);
		cJSON_AddItemToArray(row, b);
	}
	return m;
}

/* No parse_mode: a resident's words on a card need no escaping. */
void
tg_render_card(const struct platform_card *c,
    void (*emit)(const char *body, void *arg), void *arg)
{
	struct tg_parts p = { 0 };
	size_t i;

	text_split(c->text, TG_TEXT_MAX, 1, collect, &p);
	for (i = 0; i < p.n; i++) {
		cJSON *o = cJSON_CreateObject();
		char *s;

		cJSON_AddStringToObject(o, "chat_id", c->chat_id);
		cJSON_AddStringToObject(o, "text", p.v[i]);
		if (i == 0 && c->reply_to)
			add_reply_to(o, c->reply_to);
		if (i + 1 == p.n && c->nbuttons)
			cJSON_AddItemToObject(o, "reply_markup", card_keyboard(c));
		if (!(s = cJSON_PrintUnformatted(o)))
			fatal("out of memory (JSON)");
		emit(s, arg);
		free(s);
		cJSON_Delete(o);
		free(p.v[i]);
	}
	free(p.v);
}

const char *
tg_copy_request(const char *chat_id, const char *from_chat,
    int64_t message_id, int64_t reply_to, const char *caption,
    struct buf *out)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "chat_id", chat_id);
	if (caption)
		cJSON_AddStringToObject(o, "caption", caption);
	cJSON_AddStringToObject(o, "from_chat_id", from_chat);
	cJSON_AddNumberToObject(o, "message_id", (double)message_id);
	if (reply_to)
		add_reply_to(o, reply_to);
	print_body(o, out);
	return "copyMessage";
}

const char *
tg_edit_request(const char *chat_id, int64_t message_id, const char *text,
    struct buf *out)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "chat_id", chat_id);
	cJSON_AddNumberToObject(o, "message_id", (double)message_id);
	cJSON_AddStringToObject(o, "text", text);
	print_body(o, out);
	return "editMessageText";
}

enum api_status
tg_parse_chat_member(const char *body, size_t len, struct api_error *err,
    char *status, size_t n)
{
	cJSON *root;
	enum api_status st = api_envelope(body, len, &root, err);

	snprintf(status, n, "%s", "");
	if (st == API_ERROR && err->code == 400 && (strstr(err->desc,
	    "user not found") || strstr(err->desc, "member not found") ||
	    strstr(err->desc, "PARTICIPANT_ID_INVALID"))) {
		/* someone who is not in the chat at all */
		snprintf(status, n, "left");
		st = API_OK;
	} else if (st == API_OK) {
		const cJSON *res = cJSON_GetObjectItemCaseSensitive(root, "result");
		const char *s = cJSON_IsObject(res) ? api_jstr(res, "status") : NULL;

		if (!s || !*s) {
			snprintf(err->desc, sizeof(err->desc), "getChatMember result "
			    "without a status");
			st = API_MALFORMED;
		} else if (strcmp(s, "restricted") == 0 && !cJSON_IsTrue(
		    cJSON_GetObjectItemCaseSensitive(res, "is_member"))) {
			snprintf(status, n, "left");
		} else {
			snprintf(status, n, "%s", s);
		}
	}
	cJSON_Delete(root);
	return st;
}
