/*
 * What a call of either bot API (/bot<TOKEN>/<method>, /zalo/bot<TOKEN>/
 * <method>) goes through, in the order the README promises: the path, the
 * parameters, the token, the method, a fault, the argument checks, then
 * the platform's result, recorded in /control/sent.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

/* The result of the methods that answer true. */
cJSON *
bot_true(const char *name, const cJSON *params)
{
	(void)name;
	(void)params;
	return cJSON_CreateTrue();
}

/* The checks both APIs make, then the platform's own.  NULL if fine. */
static const char *
bot_check(const struct bot_api *api, const char *method,
    const cJSON *params)
{
	const cJSON *cid = cJSON_GetObjectItemCaseSensitive(params, "chat_id");
	const char *text;
	int needs_chat = strncmp(method, "send", 4) == 0 ||
	    !strcmp(method, "copyMessage") || !strcmp(method, "forwardMessage");

	if (needs_chat && (!cid || cJSON_IsNull(cid) ||
	    (cJSON_IsString(cid) && !cid->valuestring[0])))
		return "Bad Request: chat_id is empty";
	if (!strcmp(method, "sendMessage")) {
		text = json_str(params, "text");
		if (!text || !*text)
			return "Bad Request: message text is empty";
	}
	return api->check ? api->check(method, params) : NULL;
}

static void
bot_success(const struct bot_api *api, const struct bot_method *md,
    const cJSON *params, int64_t t_ms, struct reply *rp)
{
	cJSON *result;

	pthread_mutex_lock(&S.mu);
	result = md->result(md->name, params);
	record_sent(api->pl, md->name, params, t_ms, result);
	pthread_mutex_unlock(&S.mu);
	reply_ok(rp, result);
}

static const struct bot_method *
bot_method(const struct bot_api *api, const char *name)
{
	const struct bot_method *md;

	for (md = api->methods; md->name; md++) {
		if (!strcasecmp(md->name, name))
			return md;
	}
	return NULL;
}

/* rest is what follows "bot" in the path: "<TOKEN>/<method>". */
void
bot_handle(struct MHD_Connection *c, const struct bot_api *api,
    const char *rest, struct req *r, struct reply *rp)
{
	const struct bot_method *md;
	const char *slash = strchr(rest, '/'), *desc;
	char token[256], mname[128];
	size_t tl;
	cJSON *params, *fault = NULL;

	if (!slash || !slash[1] || strchr(slash + 1, '/') ||
	    (size_t)(slash - rest) >= sizeof(token) ||
	    strlen(slash + 1) >= sizeof(mname)) {
		reply_error(rp, 404, "Not Found");
		return;
	}
	tl = (size_t)(slash - rest);
	memcpy(token, rest, tl);
	token[tl] = '\0';
	snprintf(mname, sizeof(mname), "%s", slash + 1);

	if (!(params = request_params(c, r, api->pl, mname, rp)))
		return;
	if (!strcmp(token, "bad")) {
		record_rejected(api->pl, mname, params, r->t_ms, 401, NULL,
		    "Unauthorized");
		reply_error(rp, 401, "Unauthorized");
		goto done;
	}
	if (!(md = bot_method(api, mname))) {
		record_rejected(api->pl, mname, params, r->t_ms, 404, NULL,
		    "Not Found");
		reply_error(rp, 404, "Not Found");
		goto done;
	}
	if (!md->result) {
		/* counted even when a fault answers it */
		pthread_mutex_lock(&S.mu);
		S.get_updates[api->pl]++;
		pthread_mutex_unlock(&S.mu);
	}
	if (fault_serve(api->pl, md->name, params, r->t_ms, api->faulted, rp,
	    &fault))
		goto done;

	if (!md->result) {
		api->poll(c, params, r->t_ms, fault, rp);
	} else if ((desc = bot_check(api, md->name, params)) != NULL) {
		record_rejected(api->pl, md->name, params, r->t_ms, 400, NULL,
		    desc);
		reply_error(rp, 400, desc);
	} else {
		bot_success(api, md, params, r->t_ms, rp);
	}
done:
	cJSON_Delete(fault);
	cJSON_Delete(params);
}
