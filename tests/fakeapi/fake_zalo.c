/*
 * The Zalo Bot API: its methods, getUpdates (one update a call, and a 408
 * when idle, as the real one answers), redelivery, and
 * /control/zalo/update, which queues what getUpdates hands out.
 */
#include <stdio.h>

#include "fake.h"

static cJSON *
zalo_sent(const char *name, const cJSON *params)
{
	cJSON *o = cJSON_CreateObject();
	char idbuf[64];

	(void)name;
	(void)params;
	snprintf(idbuf, sizeof(idbuf), "fakezmsg%012.0f", ++S.zalo_msg_id);
	cJSON_AddStringToObject(o, "message_id", idbuf);
	cJSON_AddNumberToObject(o, "date", (double)real_ms());
	return o;
}

static cJSON *
zalo_me(const char *name, const cJSON *params)
{
	cJSON *o = cJSON_CreateObject();

	(void)name;
	(void)params;
	cJSON_AddStringToObject(o, "id", "1000000000000000001");
	cJSON_AddStringToObject(o, "account_name", "fake_bot");
	cJSON_AddStringToObject(o, "account_type", "BASIC");
	cJSON_AddFalseToObject(o, "can_join_groups");
	return o;
}

static cJSON *
zalo_webhook_info(const char *name, const cJSON *params)
{
	cJSON *o = cJSON_CreateObject();

	(void)name;
	(void)params;
	cJSON_AddStringToObject(o, "url", "");
	return o;
}

static const struct bot_method zalo_methods[] = {
	{ "getUpdates",         NULL },
	{ "getMe",              zalo_me },
	{ "sendMessage",        zalo_sent },
	{ "sendPhoto",          zalo_sent },
	{ "sendSticker",        zalo_sent },
	{ "sendChatAction",     zalo_sent },
	{ "setWebhook",         bot_true },
	{ "deleteWebhook",      bot_true },
	{ "getWebhookInfo",     zalo_webhook_info },
	{ NULL,                 NULL },
};

/* A redeliver fault: the next update returned stays queued once more. */
static void
zalo_faulted(const cJSON *fault)
{
	if (!json_bool(fault, "redeliver"))
		return;
	pthread_mutex_lock(&S.mu);
	S.zalo_redeliver++;
	pthread_mutex_unlock(&S.mu);
}

static int
zalo_poll_ready(void *arg)
{
	(void)arg;
	return S.zalo_queue->child != NULL;
}

/* S.mu held.  The oldest update, taken off the queue unless it is to be
 * redelivered; its message_id goes to ids. */
static cJSON *
zalo_take(cJSON *ids)
{
	cJSON *item;
	const cJSON *id;

	if (S.zalo_redeliver > 0) {
		S.zalo_redeliver--;
		item = cJSON_Duplicate(S.zalo_queue->child, 1);
	} else {
		item = cJSON_DetachItemFromArray(S.zalo_queue, 0);
	}
	id = cJSON_GetObjectItemCaseSensitive(item, "message");
	id = cJSON_GetObjectItemCaseSensitive(id, "message_id");
	cJSON_AddItemToArray(ids, id ? cJSON_Duplicate(id, 1) :
	    cJSON_CreateNull());
	return item;
}

/* Zalo's timeout defaults to 30 s, and idle it answers 408 on HTTP 200. */
static void
zalo_poll(struct MHD_Connection *c, const cJSON *params, int64_t t_ms,
    const cJSON *fault, struct reply *rp)
{
	double timeout = 30, idle_status = 200;
	int64_t deadline;
	int gone;
	cJSON *item = NULL, *ids;

	json_num(params, "timeout", &timeout);
	timeout = clampd(timeout, 0, MAX_POLL_S);
	deadline = mono_ms() + (int64_t)(timeout * 1000);
	if (fault)
		json_num(fault, "idle_status", &idle_status);

	pthread_mutex_lock(&S.mu);
	S.polling[P_ZALO]++;
	gone = wait_ready(c, deadline, zalo_poll_ready, NULL) == -1;
	S.polling[P_ZALO]--;
	if (!gone) {
		ids = cJSON_CreateArray();
		if (S.zalo_queue->child)
			item = zalo_take(ids);
		record_poll(P_ZALO, params, t_ms, ids);
	}
	pthread_mutex_unlock(&S.mu);
	if (gone)
		reply_drop(rp, "client-gone");
	else if (item)
		reply_ok(rp, item);
	else
		reply_json(rp, (unsigned)idle_status,
		    error_obj(408, "Request timeout"));
}

const struct bot_api zalo_api = {
	.pl = P_ZALO,
	.methods = zalo_methods,
	.poll = zalo_poll,
	.check = NULL,
	.faulted = zalo_faulted,
};

/*
 * POST /control/zalo/update: a message, {"event_name":…,"message":…} or
 * an array of either, queued verbatim (nothing is filled in).
 */
void
zalo_ctl_update(struct MHD_Connection *c, const char *hmethod, struct req *r,
    struct reply *rp)
{
	cJSON *b, *u, *out;
	const cJSON *it, *msg;
	const char *ev;
	int n = 0;

	(void)c;
	(void)hmethod;
	if (!(b = ctl_items(r, rp, "array items must be objects",
	    "body must be a message object or an array of them")))
		return;
	pthread_mutex_lock(&S.mu);
	for (it = cJSON_IsArray(b) ? b->child : b; it;
	    it = cJSON_IsArray(b) ? it->next : NULL) {
		u = cJSON_CreateObject();
		msg = cJSON_GetObjectItemCaseSensitive(it, "message");
		ev = json_str(it, "event_name");
		if (!cJSON_IsObject(msg)) {
			/* a bare message */
			msg = it;
			ev = NULL;
		}
		cJSON_AddStringToObject(u, "event_name",
		    ev ? ev : "message.text.received");
		cJSON_AddItemToObject(u, "message", cJSON_Duplicate(msg, 1));
		cJSON_AddItemToArray(S.zalo_queue, u);
		n++;
	}
	out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "queued", n);
	cJSON_AddNumberToObject(out, "pending",
	    cJSON_GetArraySize(S.zalo_queue));
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	cJSON_Delete(b);
	reply_json(rp, 200, out);
}
