/*
 * The Zalo Official Account API: /oa/v3.0/oa/message/cs (a send with an
 * access token), /oauth/v4/oa/access_token (the refresh, whose refresh
 * token is single-use) and /control/oa/tokens, which scripts the tokens.
 * Both answer errors with HTTP 200 and the OA's own shapes, not the bot
 * APIs' {"ok":…} envelope.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake.h"

/* Zalo counts a text's length in characters. */
static size_t
utf8_chars(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static const char *
oa_default_desc(int code)
{
	switch (code) {
	case -216:
		return "Access token is invalid";
	case -201:
		return "Parameters are invalid";
	case -230:
		return "User has not interacted with the OA in the past 7 days";
	default:
		return "Error";
	}
}

/* message/cs's answer: {"error":N,"message":…[,"data":…]}; takes data. */
static void
oa_answer(struct reply *rp, unsigned status, double code, const char *msg,
    cJSON *data)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "error", code);
	cJSON_AddStringToObject(o, "message", msg);
	if (data)
		cJSON_AddItemToObject(o, "data", data);
	reply_json(rp, status, o);
}

/* The OAuth endpoint's error shape. */
static void
oa_token_error(struct reply *rp, unsigned status, double code,
    const char *name)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddNumberToObject(o, "error", code);
	cJSON_AddStringToObject(o, "error_name", name);
	cJSON_AddStringToObject(o, "error_reason", "");
	cJSON_AddStringToObject(o, "error_description", name);
	reply_json(rp, status, o);
}

/* An oa_error fault's answer, in the shape of the method it hits. */
void
oa_fault_reply(struct reply *rp, unsigned status, const char *method,
    double code, const char *desc)
{
	if (!strcmp(method, "access_token"))
		oa_token_error(rp, status, code,
		    desc ? desc : "Invalid refresh token");
	else
		oa_answer(rp, status, code,
		    desc ? desc : oa_default_desc((int)code), NULL);
}

/* S.mu held.  Did the fake issue (or a test script) tok, still valid? */
static int
oa_access_valid(const char *tok)
{
	const cJSON *exp;

	exp = tok ? cJSON_GetObjectItemCaseSensitive(S.oa_access, tok) : NULL;
	return exp && exp->valuedouble > (double)real_ms();
}

/* message/cs: the access token in the header must be one still valid. */
static void
oa_send(const char *tok, const cJSON *params, const cJSON *fault,
    int64_t t_ms, struct reply *rp)
{
	const char *method = "message/cs", *user, *text;
	cJSON *data;
	char idbuf[64];
	int valid;

	(void)fault;
	pthread_mutex_lock(&S.mu);
	valid = oa_access_valid(tok);
	pthread_mutex_unlock(&S.mu);
	user = json_str(cJSON_GetObjectItemCaseSensitive(params, "recipient"),
	    "user_id");
	text = json_str(cJSON_GetObjectItemCaseSensitive(params, "message"),
	    "text");
	if (!valid) {
		record_rejected(P_OA, method, params, t_ms, 200, NULL,
		    "invalid access token");
		oa_answer(rp, 200, -216, "Access token is invalid", NULL);
	} else if (!user || !*user || !text || !*text ||
	    utf8_chars(text) > 2000) {
		record_rejected(P_OA, method, params, t_ms, 200, NULL,
		    "invalid parameters");
		oa_answer(rp, 200, -201, "Parameters are invalid", NULL);
	} else {
		data = cJSON_CreateObject();
		pthread_mutex_lock(&S.mu);
		snprintf(idbuf, sizeof(idbuf), "fakeoa%012.0f", ++S.oa_msg_id);
		cJSON_AddStringToObject(data, "message_id", idbuf);
		cJSON_AddStringToObject(data, "user_id", user);
		record_sent(P_OA, method, params, t_ms, data);
		pthread_mutex_unlock(&S.mu);
		oa_answer(rp, 200, 0, "Success", data);
	}
}

/* S.mu held.  The refresh's error code, its name in *err; or 0. */
static int
oa_refresh_error(const char *key, const cJSON *params, const char **err)
{
	const char *app = json_str(params, "app_id");
	const char *grant = json_str(params, "grant_type");
	const char *rt = json_str(params, "refresh_token");

	if (!key || !*key) {
		*err = "Invalid secret key";
		return -14001;
	}
	if (!app || !*app || !grant || strcmp(grant, "refresh_token")) {
		*err = "Invalid parameter";
		return -14003;
	}
	if (!rt || !*rt || (S.oa_refresh && strcmp(rt, S.oa_refresh))) {
		*err = "Invalid refresh token";
		return -14014;
	}
	return 0;
}

/* S.mu held.  Spends the refresh token: a new one and an access token. */
static cJSON *
oa_rotate(void)
{
	char at_buf[64], rt_buf[64], ttl[32];
	cJSON *res;

	S.oa_gen++;
	snprintf(at_buf, sizeof(at_buf), "fake-at-%.0f", S.oa_gen);
	snprintf(rt_buf, sizeof(rt_buf), "fake-rt-%.0f", S.oa_gen);
	snprintf(ttl, sizeof(ttl), "%.0f", S.oa_ttl);
	free(S.oa_refresh);
	S.oa_refresh = xstrdup(rt_buf);
	cJSON_AddNumberToObject(S.oa_access, at_buf,
	    (double)real_ms() + S.oa_ttl * 1000);
	res = cJSON_CreateObject();
	cJSON_AddStringToObject(res, "access_token", at_buf);
	cJSON_AddStringToObject(res, "refresh_token", rt_buf);
	/* a string, as several clients say the real one sends */
	cJSON_AddStringToObject(res, "expires_in", ttl);
	return res;
}

/*
 * access_token: the secret key in the header, a refresh token that is
 * accepted.  The error codes are the fake's own: the real ones were not
 * found in a primary source.
 */
static void
oa_refresh(const char *key, const cJSON *params, const cJSON *fault,
    int64_t t_ms, struct reply *rp)
{
	const char *method = "access_token", *err;
	int code, drop_after = fault && json_bool(fault, "drop_after");
	cJSON *res, *rec;

	pthread_mutex_lock(&S.mu);
	if ((code = oa_refresh_error(key, params, &err)) != 0) {
		pthread_mutex_unlock(&S.mu);
		record_rejected(P_OA, method, params, t_ms, 200, NULL, err);
		oa_token_error(rp, 200, code, err);
		return;
	}
	res = oa_rotate();
	rec = record_sent(P_OA, method, params, t_ms, res);
	if (drop_after)
		cJSON_AddTrueToObject(rec, "dropped");
	pthread_mutex_unlock(&S.mu);
	if (drop_after) {
		/* rotated, but the answer never arrives */
		cJSON_Delete(res);
		reply_drop(rp, "drop");
	} else {
		reply_json(rp, 200, res);
	}
}

static const struct oa_endpoint {
	const char *path;
	const char *method;     /* in records and faults */
	const char *header;     /* the credential the call carries */
	void (*fn)(const char *cred, const cJSON *params, const cJSON *fault,
	    int64_t t_ms, struct reply *rp);
} oa_endpoints[] = {
	{ "/oa/v3.0/oa/message/cs",     "message/cs",   "access_token", oa_send },
	{ "/oauth/v4/oa/access_token",  "access_token", "secret_key", oa_refresh },
};

/*
 * An OA call: the parameters and a fault as for the bot APIs, then the
 * endpoint.  A fault that only delayed the call is passed on (drop_after).
 */
void
oa_handle(struct MHD_Connection *c, const char *url, struct req *r,
    struct reply *rp)
{
	const struct oa_endpoint *e = NULL;
	const char *cred;
	cJSON *params, *fault;
	size_t i;

	for (i = 0; i < sizeof(oa_endpoints) / sizeof(oa_endpoints[0]); i++) {
		if (!strcmp(url, oa_endpoints[i].path))
			e = &oa_endpoints[i];
	}
	if (!e) {
		reply_error(rp, 404, "Not Found");
		return;
	}
	cred = MHD_lookup_connection_value(c, MHD_HEADER_KIND, e->header);
	if (!(params = request_params(c, r, P_OA, e->method, rp)))
		return;
	if (!fault_serve(P_OA, e->method, params, r->t_ms, NULL, rp, &fault)) {
		e->fn(cred, params, fault, r->t_ms, rp);
		cJSON_Delete(fault);
	}
	cJSON_Delete(params);
}

/* S.mu held. */
static cJSON *
oa_tokens(void)
{
	cJSON *out = cJSON_CreateObject();

	if (S.oa_refresh)
		cJSON_AddStringToObject(out, "refresh_token", S.oa_refresh);
	else
		cJSON_AddNullToObject(out, "refresh_token");
	cJSON_AddNumberToObject(out, "issued", S.oa_gen);
	cJSON_AddNumberToObject(out, "access_tokens",
	    cJSON_GetArraySize(S.oa_access));
	cJSON_AddNumberToObject(out, "expires_in", S.oa_ttl);
	return out;
}

/* S.mu held.  Every field of the body is optional. */
static void
oa_script(const cJSON *b)
{
	const char *s;
	cJSON *it;
	double d;

	if ((s = json_str(b, "refresh_token")) != NULL) {
		free(S.oa_refresh);
		/* "" goes back to accepting any refresh token, once */
		S.oa_refresh = *s ? xstrdup(s) : NULL;
	}
	if (json_num(b, "expires_in", &d) && d >= 1)
		S.oa_ttl = ifloor(d);
	if ((s = json_str(b, "access_token")) != NULL && *s) {
		cJSON_DeleteItemFromObjectCaseSensitive(S.oa_access, s);
		cJSON_AddNumberToObject(S.oa_access, s,
		    (double)real_ms() + S.oa_ttl * 1000);
	}
	if (json_bool(b, "expire_access")) {
		cJSON_ArrayForEach(it, S.oa_access)
			cJSON_SetNumberValue(it, 0);
	}
}

/* GET /control/oa/tokens: what the fake holds; POST: script them. */
void
oa_ctl_tokens(struct MHD_Connection *c, const char *hmethod, struct req *r,
    struct reply *rp)
{
	cJSON *b, *out;

	(void)c;
	if (strcmp(hmethod, "POST")) {
		pthread_mutex_lock(&S.mu);
		out = oa_tokens();
		pthread_mutex_unlock(&S.mu);
		reply_json(rp, 200, out);
		return;
	}
	if (!(b = ctl_body(r, rp)))
		return;
	pthread_mutex_lock(&S.mu);
	oa_script(b);
	pthread_mutex_unlock(&S.mu);
	cJSON_Delete(b);
	reply_done(rp);
}
