/*
 * The Telegram Bot API: its methods and their results, getUpdates with
 * offsets and a webhook that excludes it, and /control/telegram/update
 * and /control/telegram/member, which script what it answers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

#define WEBHOOK_DESC \
	"Conflict: can't use getUpdates method while webhook is active; " \
	"use deleteWebhook to delete the webhook first"

static cJSON *
tg_bot_user(void)
{
	cJSON *u = cJSON_CreateObject();

	cJSON_AddNumberToObject(u, "id", 1);
	cJSON_AddTrueToObject(u, "is_bot");
	cJSON_AddStringToObject(u, "first_name", "Fake");
	cJSON_AddStringToObject(u, "username", "fake_bot");
	return u;
}

/* A Chat as the real API types it from the id. */
static void
tg_chat(cJSON *m, const cJSON *params)
{
	cJSON *chat = cJSON_AddObjectToObject(m, "chat");
	const cJSON *cid = cJSON_GetObjectItemCaseSensitive(params, "chat_id");
	double id;

	if (json_num(params, "chat_id", &id)) {
		cJSON_AddNumberToObject(chat, "id", id);
		cJSON_AddStringToObject(chat, "type", id > 0 ? "private" :
		    id <= -1000000000000.0 ? "supergroup" : "group");
		return;
	}
	if (cid)
		cJSON_AddItemToObject(chat, "id", cJSON_Duplicate(cid, 1));
	else
		cJSON_AddNullToObject(chat, "id");
	cJSON_AddStringToObject(chat, "type", "channel");
}

/* A sent file: the file_id the bot gave, or one made up from the id. */
static void
tg_file(cJSON *o, const char *kind, const char *given)
{
	char fid[64];

	snprintf(fid, sizeof(fid), "fake-%s-%.0f", kind, S.tg_msg_id);
	cJSON_AddStringToObject(o, "file_id", given ? given : fid);
	cJSON_AddStringToObject(o, "file_unique_id", fid);
}

/* S.mu held.  The Message a send answers, echoing the call. */
static cJSON *
tg_message(const char *method, const cJSON *params)
{
	cJSON *m = cJSON_CreateObject(), *ps;
	const cJSON *rm = cJSON_GetObjectItemCaseSensitive(params,
	    "reply_markup");
	const char *s;

	cJSON_AddNumberToObject(m, "message_id", ++S.tg_msg_id);
	cJSON_AddItemToObject(m, "from", tg_bot_user());
	cJSON_AddNumberToObject(m, "date", (double)(real_ms() / 1000));
	tg_chat(m, params);
	if (!strcmp(method, "sendMessage")) {
		s = json_str(params, "text");
		cJSON_AddStringToObject(m, "text", s ? s : "");
	} else if (!strcmp(method, "sendPhoto")) {
		ps = cJSON_CreateObject();
		tg_file(ps, "photo", json_str(params, "photo"));
		cJSON_AddNumberToObject(ps, "width", 640);
		cJSON_AddNumberToObject(ps, "height", 480);
		cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "photo"), ps);
	} else if (!strcmp(method, "sendDocument")) {
		tg_file(cJSON_AddObjectToObject(m, "document"), "doc",
		    json_str(params, "document"));
	}
	if ((s = json_str(params, "caption")) != NULL)
		cJSON_AddStringToObject(m, "caption", s);
	if (cJSON_IsObject(rm) &&
	    cJSON_GetObjectItemCaseSensitive(rm, "inline_keyboard"))
		cJSON_AddItemToObject(m, "reply_markup", cJSON_Duplicate(rm, 1));
	return m;
}

static cJSON *
tg_message_id(const char *name, const cJSON *params)
{
	cJSON *o = cJSON_CreateObject();

	(void)name;
	(void)params;
	cJSON_AddNumberToObject(o, "message_id", ++S.tg_msg_id);
	return o;
}

static cJSON *
tg_me(const char *name, const cJSON *params)
{
	(void)name;
	(void)params;
	return tg_bot_user();
}

static cJSON *
tg_webhook_info(const char *name, const cJSON *params)
{
	cJSON *o = cJSON_CreateObject();

	(void)name;
	(void)params;
	cJSON_AddStringToObject(o, "url", S.tg_webhook ? S.tg_webhook : "");
	cJSON_AddFalseToObject(o, "has_custom_certificate");
	cJSON_AddNumberToObject(o, "pending_update_count",
	    cJSON_GetArraySize(S.tg_queue));
	return o;
}

/* The key of a scripted member: in one chat, or in all ("" chat). */
static void
tg_member_key(char *key, size_t n, const char *chat, double uid)
{
	if (chat[0])
		snprintf(key, n, "%s:%.0f", chat, uid);
	else
		snprintf(key, n, "%.0f", uid);
}

/* A ChatMember: scripted for the chat, else for every chat, else a
 * member. */
static cJSON *
tg_member(const char *name, const cJSON *params)
{
	char chat[64], key[160];
	double uid = 0;
	const char *st;
	cJSON *o, *u;

	(void)name;
	chat_text(params, chat, sizeof(chat));
	json_num(params, "user_id", &uid);
	/* with no chat_id the key is that of "every chat" */
	tg_member_key(key, sizeof(key), chat, uid);
	if (!(st = json_str(S.members, key))) {
		tg_member_key(key, sizeof(key), "", uid);
		st = json_str(S.members, key);
	}
	if (!st)
		st = "member";
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "status", st);
	u = cJSON_AddObjectToObject(o, "user");
	cJSON_AddNumberToObject(u, "id", uid);
	cJSON_AddFalseToObject(u, "is_bot");
	cJSON_AddStringToObject(u, "first_name", "Fake");
	if (!strcmp(st, "restricted"))
		cJSON_AddTrueToObject(o, "is_member");
	return o;
}

static cJSON *
tg_delete_webhook(const char *name, const cJSON *params)
{
	(void)name;
	if (json_bool(params, "drop_pending_updates")) {
		cJSON_Delete(S.tg_queue);
		S.tg_queue = cJSON_CreateArray();
	}
	free(S.tg_webhook);
	S.tg_webhook = NULL;
	return cJSON_CreateTrue();
}

/* An empty url removes the webhook, as on the real API. */
static cJSON *
tg_set_webhook(const char *name, const cJSON *params)
{
	const char *url = json_str(params, "url");

	(void)name;
	free(S.tg_webhook);
	S.tg_webhook = url && *url ? xstrdup(url) : NULL;
	return cJSON_CreateTrue();
}

static const struct bot_method tg_methods[] = {
	{ "getUpdates",                 NULL },
	{ "getMe",                      tg_me },
	{ "sendMessage",                tg_message },
	{ "sendPhoto",                  tg_message },
	{ "sendDocument",               tg_message },
	{ "forwardMessage",             tg_message },
	{ "copyMessage",                tg_message_id },
	{ "answerCallbackQuery",        bot_true },
	{ "setMyCommands",              bot_true },
	{ "deleteMyCommands",           bot_true },
	{ "deleteWebhook",              tg_delete_webhook },
	{ "setWebhook",                 tg_set_webhook },
	{ "getWebhookInfo",             tg_webhook_info },
	{ "getChatMember",              tg_member },
	{ "editMessageText",            bot_true },
	{ "editMessageReplyMarkup",     bot_true },
	{ "editMessageCaption",         bot_true },
	{ "deleteMessage",              bot_true },
	{ "sendChatAction",             bot_true },
	{ "logOut",                     bot_true },
	{ "close",                      bot_true },
	{ NULL,                         NULL },
};

/* Telegram counts a text's length in UTF-16 code units. */
static size_t
utf16_len(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;

	for (; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		n += (*p >= 0xF0) ? 2 : 1;
	}
	return n;
}

/* After bot_check's: the text's length (parse_mode's markup is not
 * counted, so then it is not checked), a callback query's id. */
static const char *
tg_check(const char *method, const cJSON *params)
{
	if (!strcmp(method, "sendMessage") &&
	    !json_str(params, "parse_mode") &&
	    utf16_len(json_str(params, "text")) > 4096)
		return "Bad Request: message is too long";
	if (!strcmp(method, "answerCallbackQuery") &&
	    !cJSON_GetObjectItemCaseSensitive(params, "callback_query_id"))
		return "Bad Request: query is too old and response timeout "
		    "expired or query ID is invalid";
	return NULL;
}

/* S.mu held.  Drops the updates an offset confirms. */
static void
tg_confirm(double offset)
{
	cJSON *first;
	double id;
	int keep;

	if (offset > 0) {
		while ((first = S.tg_queue->child) != NULL) {
			id = 0;
			json_num(first, "update_id", &id);
			if (id >= offset)
				break;
			cJSON_DeleteItemFromArray(S.tg_queue, 0);
		}
	} else if (offset < 0) {
		/* a negative offset keeps the last -offset updates */
		keep = (int)clampd(-offset, 0, 1e9);
		while (cJSON_GetArraySize(S.tg_queue) > keep)
			cJSON_DeleteItemFromArray(S.tg_queue, 0);
	}
}

struct tg_poll {
	int has_off;
	double offset;
};

/* S.mu held.  An update pushed while waiting may be one the offset
 * confirms, so the offset is applied again before each look. */
static int
tg_poll_ready(void *arg)
{
	const struct tg_poll *p = arg;

	if (p->has_off)
		tg_confirm(p->offset);
	return S.tg_queue->child != NULL;
}

/* S.mu held.  Up to limit queued updates, which stay until confirmed;
 * their ids go to *ids. */
static cJSON *
tg_updates(double limit, cJSON **ids)
{
	cJSON *result = cJSON_CreateArray();
	const cJSON *u;
	double id;
	int n = 0;

	*ids = cJSON_CreateArray();
	cJSON_ArrayForEach(u, S.tg_queue) {
		if (n >= (int)limit)
			break;
		id = 0;
		json_num(u, "update_id", &id);
		cJSON_AddItemToArray(result, cJSON_Duplicate(u, 1));
		cJSON_AddItemToArray(*ids, cJSON_CreateNumber(id));
		n++;
	}
	return result;
}

static void
tg_poll(struct MHD_Connection *c, const cJSON *params, int64_t t_ms,
    const cJSON *fault, struct reply *rp)
{
	struct tg_poll p = { 0, 0 };
	double limit = 100, timeout = 0;
	int64_t deadline;
	int gone;
	cJSON *result = NULL, *ids;

	(void)fault;
	pthread_mutex_lock(&S.mu);
	if (S.tg_webhook) {
		pthread_mutex_unlock(&S.mu);
		record_rejected(P_TELEGRAM, "getUpdates", params, t_ms, 409,
		    NULL, "webhook is active");
		reply_error(rp, 409, WEBHOOK_DESC);
		return;
	}
	pthread_mutex_unlock(&S.mu);
	p.has_off = json_num(params, "offset", &p.offset);
	p.offset = ifloor(p.offset);
	json_num(params, "timeout", &timeout);
	timeout = clampd(timeout, 0, MAX_POLL_S);
	deadline = mono_ms() + (int64_t)(timeout * 1000);
	json_num(params, "limit", &limit);
	limit = clampd(limit, 1, 100);

	pthread_mutex_lock(&S.mu);
	S.polling[P_TELEGRAM]++;
	gone = wait_ready(c, deadline, tg_poll_ready, &p) == -1;
	S.polling[P_TELEGRAM]--;
	if (!gone) {
		result = tg_updates(limit, &ids);
		record_poll(P_TELEGRAM, params, t_ms, ids);
	}
	pthread_mutex_unlock(&S.mu);
	if (gone)
		reply_drop(rp, "client-gone");
	else
		reply_ok(rp, result);
}

const struct bot_api tg_api = {
	.pl = P_TELEGRAM,
	.methods = tg_methods,
	.poll = tg_poll,
	.check = tg_check,
	.faulted = NULL,
};

/* S.mu held.  Inserts keeping the queue sorted by update_id. */
static void
tg_insert(cJSON *u, double id)
{
	const cJSON *it;
	double other;
	int i = 0;

	cJSON_ArrayForEach(it, S.tg_queue) {
		other = 0;
		json_num(it, "update_id", &other);
		if (other > id) {
			cJSON_InsertItemInArray(S.tg_queue, i, u);
			return;
		}
		i++;
	}
	cJSON_AddItemToArray(S.tg_queue, u);
}

/* S.mu held.  Queues a copy of an Update with its id; returns the id. */
static double
tg_queue_update(const cJSON *it)
{
	cJSON *u = cJSON_CreateObject();
	const cJSON *kv;
	double id;

	/* an explicit id is honoured and the counter moves past it */
	if (json_num(it, "update_id", &id) && id >= 0) {
		id = ifloor(id);
		if (id >= S.tg_next_id)
			S.tg_next_id = id + 1;
	} else {
		id = S.tg_next_id++;
	}
	cJSON_AddNumberToObject(u, "update_id", id);
	cJSON_ArrayForEach(kv, it) {
		if (kv->string && strcmp(kv->string, "update_id"))
			cJSON_AddItemToObject(u, kv->string,
			    cJSON_Duplicate(kv, 1));
	}
	tg_insert(u, id);
	return id;
}

/* POST /control/telegram/update[?next_id=N]: one Update or an array. */
void
tg_ctl_update(struct MHD_Connection *c, const char *hmethod, struct req *r,
    struct reply *rp)
{
	cJSON *b, *out;
	const cJSON *it;
	double next, id;

	(void)hmethod;
	if (!(b = ctl_items(r, rp, "array items must be Update objects",
	    "body must be an Update object or an array of them")))
		return;
	pthread_mutex_lock(&S.mu);
	if (query_num(c, "next_id", &next) && next >= 1)
		S.tg_next_id = ifloor(next);
	if (cJSON_IsArray(b)) {
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(it, b)
			cJSON_AddItemToArray(out,
			    cJSON_CreateNumber(tg_queue_update(it)));
	} else {
		id = tg_queue_update(b);
		out = cJSON_CreateObject();
		cJSON_AddNumberToObject(out, "update_id", id);
	}
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	cJSON_Delete(b);
	reply_json(rp, 200, out);
}

/*
 * POST /control/telegram/member {"user_id":N,"status":"left","chat_id":C}:
 * what getChatMember answers for that user (in that chat, or any chat).
 */
void
tg_ctl_member(struct MHD_Connection *c, const char *hmethod, struct req *r,
    struct reply *rp)
{
	cJSON *b;
	const char *st;
	char chat[64], key[160];
	double uid;

	(void)c;
	(void)hmethod;
	if (!(b = ctl_body(r, rp)))
		return;
	st = json_str(b, "status");
	if (!json_num(b, "user_id", &uid) || !st || !*st) {
		cJSON_Delete(b);
		reply_cerror(rp, 400, "need user_id (number) and status "
		    "(string)");
		return;
	}
	chat_text(b, chat, sizeof(chat));
	tg_member_key(key, sizeof(key), chat, uid);
	pthread_mutex_lock(&S.mu);
	json_set(S.members, key, cJSON_CreateString(st));
	pthread_mutex_unlock(&S.mu);
	cJSON_Delete(b);
	reply_done(rp);
}
