/*
 * Scripted faults (/control/fault): a test queues specs, and the first
 * pending one matching a call's platform, method and chat_id changes how
 * that call is answered: an error, a raw or truncated body, a dropped
 * connection, a delay.  The fields are in README.md.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

#define CONFLICT_DESC \
	"Conflict: terminated by other getUpdates request; make sure that " \
	"only one bot instance is running"
#define MALFORMED_BODY \
	"{\"ok\":true,\"result\":{\"message_id\":42,\"chat\":{\"id\":"

/* S.mu held.  The first pending fault for the call, which it spends. */
static cJSON *
fault_take(enum platform pl, const char *method, const cJSON *params)
{
	cJSON *f, *rem, *copy;
	int i = -1;

	cJSON_ArrayForEach(f, S.faults) {
		const char *fp = json_str(f, "platform");
		const char *fm = json_str(f, "method");
		const char *fq, *pq;
		char want[64], got[64];

		i++;
		if (fp && strcmp(fp, "*") && strcasecmp(fp, platform_name[pl]))
			continue;
		if (fm && strcmp(fm, "*") && strcasecmp(fm, method))
			continue;
		if (cJSON_GetObjectItemCaseSensitive(f, "chat_id")) {
			chat_text(f, want, sizeof(want));
			chat_text(params, got, sizeof(got));
			if (strcmp(want, got))
				continue;
		}
		/* one button press of several (answerCallbackQuery) */
		if ((fq = json_str(f, "callback_query_id")) != NULL &&
		    ((pq = json_str(params, "callback_query_id")) == NULL ||
		    strcmp(fq, pq)))
			continue;
		copy = cJSON_Duplicate(f, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "remaining");
		rem = cJSON_GetObjectItemCaseSensitive(f, "remaining");
		/* count -1 (remaining -1) stays until cleared */
		if (cJSON_IsNumber(rem) && rem->valuedouble > 0) {
			if (rem->valuedouble <= 1)
				cJSON_DeleteItemFromArray(S.faults, i);
			else
				cJSON_SetNumberValue(rem, rem->valuedouble - 1);
		}
		S.faults_served++;
		return copy;
	}
	return NULL;
}

/* Does the fault answer the call itself (rather than only delay it)? */
static int
fault_is_error(const cJSON *f)
{
	double d;

	return json_bool(f, "drop") || json_bool(f, "malformed") ||
	    json_bool(f, "conflict") || json_str(f, "body") ||
	    json_num(f, "status", &d) || json_num(f, "oa_error", &d);
}

static const char *
default_desc(int code)
{
	switch (code) {
	case 400:
		return "Bad Request";
	case 401:
		return "Unauthorized";
	case 403:
		return "Forbidden: bot was blocked by the user";
	case 404:
		return "Not Found";
	case 408:
		return "Request timeout";
	case 409:
		return CONFLICT_DESC;
	case 413:
		return "Request Entity Too Large";
	case 429:
		return "Too Many Requests";
	case 500:
		return "Internal Server Error";
	case 502:
		return "Bad Gateway";
	case 503:
		return "Service Unavailable";
	case 504:
		return "Gateway Timeout";
	default:
		return "Error";
	}
}

/* The bot APIs' error envelope, with retry_after and migrate_to_chat_id
 * in "parameters" as the real ones send them. */
static void
fault_reply_bot(struct reply *rp, const cJSON *f, const char *desc,
    int has_hs, double hs)
{
	double st, ra, mig;
	int code;
	char dbuf[128];
	cJSON *o, *par;

	if (json_bool(f, "conflict"))
		code = 409;
	else if (json_num(f, "status", &st))
		code = (int)st;
	else
		code = 500;
	if (!desc && code == 429 && json_num(f, "retry_after", &ra)) {
		snprintf(dbuf, sizeof(dbuf),
		    "Too Many Requests: retry after %.0f", ra);
		desc = dbuf;
	} else if (!desc) {
		desc = default_desc(code);
	}
	o = error_obj(code, desc);
	if (json_num(f, "retry_after", &ra) ||
	    json_num(f, "migrate_to_chat_id", &mig)) {
		par = cJSON_AddObjectToObject(o, "parameters");
		if (json_num(f, "retry_after", &ra))
			cJSON_AddNumberToObject(par, "retry_after", ra);
		if (json_num(f, "migrate_to_chat_id", &mig))
			cJSON_AddNumberToObject(par, "migrate_to_chat_id", mig);
	}
	reply_json(rp, has_hs ? (unsigned)hs : (unsigned)code, o);
}

/* The answer an error fault asks for. */
static void
fault_reply(struct reply *rp, const cJSON *f)
{
	double st = 0, hs = 0;
	const char *desc = json_str(f, "description");
	const char *raw = json_str(f, "body");
	const char *m = json_str(f, "method");
	int has_hs = json_num(f, "http_status", &hs);

	if (json_bool(f, "drop")) {
		reply_drop(rp, "drop");
	} else if (json_num(f, "oa_error", &st)) {
		/* the OA APIs answer errors with HTTP 200 and their own shape */
		oa_fault_reply(rp, has_hs ? (unsigned)hs : 200, m ? m : "", st,
		    desc);
	} else if (raw || json_bool(f, "malformed")) {
		if (has_hs)
			rp->status = (unsigned)hs;
		else if (json_num(f, "status", &st))
			rp->status = (unsigned)st;
		else
			rp->status = 200;
		rp->body = xstrdup(raw ? raw : MALFORMED_BODY);
	} else {
		fault_reply_bot(rp, f, desc, has_hs, hs);
	}
}

/*
 * A call's fault, if one is pending: it is taken, its delay slept and
 * seen() (when not NULL) told.  A fault that answers the call does so,
 * records the call as rejected and returns 1; otherwise the fault goes to
 * *keep (NULL if none), for the caller to free, and 0 is returned.
 */
int
fault_serve(enum platform pl, const char *method, const cJSON *params,
    int64_t t_ms, void (*seen)(const cJSON *), struct reply *rp,
    cJSON **keep)
{
	cJSON *fault;
	double d;

	*keep = NULL;
	pthread_mutex_lock(&S.mu);
	fault = fault_take(pl, method, params);
	pthread_mutex_unlock(&S.mu);
	if (!fault)
		return 0;
	if (json_num(fault, "delay_ms", &d))
		sleep_ms(d);
	if (seen)
		seen(fault);
	if (!fault_is_error(fault)) {
		*keep = fault;
		return 0;
	}
	fault_reply(rp, fault);
	record_rejected(pl, method, params, t_ms, rp->drop ? 0 : rp->status,
	    fault, NULL);
	cJSON_Delete(fault);
	return 1;
}

static const char *
fault_check_types(const cJSON *f, int *effect)
{
	static const char *const nums[] = { "status", "retry_after",
	    "migrate_to_chat_id", "delay_ms", "idle_status", "http_status",
	    "count", "oa_error" };
	static const char *const flags[] = { "malformed", "drop", "conflict",
	    "redeliver", "drop_after" };
	const cJSON *it;
	const char *pl = json_str(f, "platform"), *m = json_str(f, "method");
	size_t i;

	if (cJSON_GetObjectItemCaseSensitive(f, "platform") &&
	    (!pl || (strcmp(pl, "*") && strcmp(pl, "telegram") &&
	    strcmp(pl, "zalo") && strcmp(pl, "zalo_oa"))))
		return "platform must be \"telegram\", \"zalo\", \"zalo_oa\" "
		    "or \"*\"";
	if (cJSON_GetObjectItemCaseSensitive(f, "method") && (!m || !*m))
		return "method must be a non-empty string";
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		it = cJSON_GetObjectItemCaseSensitive(f, nums[i]);
		if (it && !cJSON_IsNumber(it))
			return "status, retry_after, migrate_to_chat_id, "
			    "delay_ms, idle_status, http_status, count and "
			    "oa_error must be numbers";
	}
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		it = cJSON_GetObjectItemCaseSensitive(f, flags[i]);
		if (it && !cJSON_IsBool(it))
			return "malformed, drop, conflict, redeliver and "
			    "drop_after must be booleans";
		if (cJSON_IsTrue(it))
			*effect = 1;
	}
	if (cJSON_GetObjectItemCaseSensitive(f, "description") &&
	    !json_str(f, "description"))
		return "description must be a string";
	it = cJSON_GetObjectItemCaseSensitive(f, "chat_id");
	if (it && !cJSON_IsNumber(it) &&
	    !(cJSON_IsString(it) && it->valuestring[0]))
		return "chat_id must be a number or a non-empty string";
	it = cJSON_GetObjectItemCaseSensitive(f, "callback_query_id");
	if (it && !(cJSON_IsString(it) && it->valuestring[0]))
		return "callback_query_id must be a non-empty string";
	if (cJSON_GetObjectItemCaseSensitive(f, "body") && !json_str(f, "body"))
		return "body must be a string";
	return NULL;
}

/*
 * A fault spec as a test sent it: NULL if fine, then with its count (1
 * unless given) and the internal "remaining" added; or the error.
 */
static const char *
fault_check(cJSON *f)
{
	const char *err;
	double d;
	int effect = 0;

	if (!cJSON_IsObject(f))
		return "fault must be a JSON object";
	if ((err = fault_check_types(f, &effect)) != NULL)
		return err;
	if (json_num(f, "status", &d)) {
		if (d < 100 || d > 599)
			return "status must be 100..599";
		effect = 1;
	}
	if (json_num(f, "http_status", &d) && (d < 100 || d > 599))
		return "http_status must be 100..599";
	if (json_num(f, "idle_status", &d)) {
		if (d < 100 || d > 599)
			return "idle_status must be 100..599";
		effect = 1;
	}
	if (json_num(f, "delay_ms", &d)) {
		if (d < 0 || d > MAX_WAIT_MS)
			return "delay_ms must be 0..600000";
		effect = 1;
	}
	if (json_str(f, "body") || json_num(f, "oa_error", &d))
		effect = 1;
	/* a spec that changes nothing is a mistake in the test */
	if (!effect)
		return "fault has no effect (need status, malformed, drop, "
		    "conflict, redeliver, delay_ms, idle_status, body, "
		    "oa_error or drop_after)";
	if (json_num(f, "count", &d)) {
		if (d == 0 || d < -1 || d != ifloor(d))
			return "count must be a positive integer, or -1 for "
			    "unlimited";
	} else {
		d = 1;
		cJSON_AddNumberToObject(f, "count", 1);
	}
	cJSON_AddNumberToObject(f, "remaining", d);
	return NULL;
}

/* POST /control/fault: one spec or an array; all or none are added. */
void
fault_ctl_add(struct MHD_Connection *c, const char *hmethod, struct req *r,
    struct reply *rp)
{
	cJSON *b, *it, *out;
	const char *err = NULL;

	(void)c;
	(void)hmethod;
	if (!(b = ctl_body(r, rp)))
		return;
	if (cJSON_IsArray(b)) {
		cJSON_ArrayForEach(it, b) {
			if ((err = fault_check(it)) != NULL)
				break;
		}
	} else {
		err = fault_check(b);
	}
	if (err) {
		cJSON_Delete(b);
		reply_cerror(rp, 400, err);
		return;
	}
	pthread_mutex_lock(&S.mu);
	if (cJSON_IsArray(b)) {
		while ((it = b->child) != NULL)
			cJSON_AddItemToArray(S.faults,
			    cJSON_DetachItemViaPointer(b, it));
		cJSON_Delete(b);
	} else {
		cJSON_AddItemToArray(S.faults, b);
	}
	out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "faults_pending",
	    cJSON_GetArraySize(S.faults));
	pthread_mutex_unlock(&S.mu);
	reply_json(rp, 200, out);
}

/* GET /control/faults */
void
fault_ctl_list(struct MHD_Connection *c, const char *hmethod, struct req *r,
    struct reply *rp)
{
	cJSON *copy;

	(void)c;
	(void)hmethod;
	(void)r;
	pthread_mutex_lock(&S.mu);
	copy = cJSON_Duplicate(S.faults, 1);
	pthread_mutex_unlock(&S.mu);
	reply_json(rp, 200, copy);
}

/* POST /control/fault/clear: a pending redelivery is a fault's too. */
void
fault_ctl_clear(struct MHD_Connection *c, const char *hmethod, struct req *r,
    struct reply *rp)
{
	(void)c;
	(void)hmethod;
	(void)r;
	pthread_mutex_lock(&S.mu);
	cJSON_Delete(S.faults);
	S.faults = cJSON_CreateArray();
	S.zalo_redeliver = 0;
	pthread_mutex_unlock(&S.mu);
	reply_done(rp);
}
