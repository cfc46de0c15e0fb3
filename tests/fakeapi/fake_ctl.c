/*
 * The fake's state, the records of what the bot called (/control/sent,
 * /control/rejected, /control/polls, /control/stats) and the router of
 * /control/...: the endpoints of one platform live in its own file.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fake.h"

struct state S;
const char *const platform_name[P_COUNT] = { "telegram", "zalo", "zalo_oa" };

/* S.mu held, or no thread yet. */
void
state_free(void)
{
	cJSON_Delete(S.tg_queue);
	cJSON_Delete(S.zalo_queue);
	cJSON_Delete(S.sent);
	cJSON_Delete(S.polls);
	cJSON_Delete(S.rejected);
	cJSON_Delete(S.faults);
	cJSON_Delete(S.members);
	cJSON_Delete(S.oa_access);
	free(S.tg_webhook);
	free(S.oa_refresh);
	S.tg_webhook = S.oa_refresh = NULL;
}

/* S.mu held, or no thread yet.  S.polling counts live requests: kept. */
void
state_clear(void)
{
	state_free();
	S.members = cJSON_CreateObject();
	S.tg_queue = cJSON_CreateArray();
	S.zalo_queue = cJSON_CreateArray();
	S.sent = cJSON_CreateArray();
	S.polls = cJSON_CreateArray();
	S.rejected = cJSON_CreateArray();
	S.faults = cJSON_CreateArray();
	S.oa_access = cJSON_CreateObject();
	S.tg_next_id = 1;
	S.seq = 0;
	S.tg_msg_id = 0;
	S.zalo_msg_id = 0;
	S.zalo_redeliver = 0;
	S.oa_gen = 0;
	S.oa_ttl = 3600;
	S.oa_msg_id = 0;
	S.requests = 0;
	memset(S.get_updates, 0, sizeof(S.get_updates));
	S.faults_served = 0;
}

/* ------------------------------------------------------------------ */
/* records                                                              */

/* S.mu held.  A record's common fields; seq orders all three lists. */
cJSON *
record_new(enum platform pl, const char *method, const cJSON *params,
    int64_t t_ms)
{
	cJSON *rec = cJSON_CreateObject();

	cJSON_AddNumberToObject(rec, "seq", ++S.seq);
	cJSON_AddStringToObject(rec, "platform", platform_name[pl]);
	cJSON_AddStringToObject(rec, "method", method);
	if (params)
		cJSON_AddItemToObject(rec, "params", cJSON_Duplicate(params, 1));
	else
		cJSON_AddNullToObject(rec, "params");
	cJSON_AddNumberToObject(rec, "t_ms", (double)t_ms);
	return rec;
}

/* S.mu held.  Returns the record, which /control/sent now holds. */
cJSON *
record_sent(enum platform pl, const char *method, const cJSON *params,
    int64_t t_ms, const cJSON *result)
{
	cJSON *rec = record_new(pl, method, params, t_ms);

	cJSON_AddItemToObject(rec, "result", cJSON_Duplicate(result, 1));
	cJSON_AddItemToArray(S.sent, rec);
	pthread_cond_broadcast(&S.cv);
	return rec;
}

/* S.mu held.  A getUpdates answered normally; takes returned (ids). */
void
record_poll(enum platform pl, const cJSON *params, int64_t t_ms,
    cJSON *returned)
{
	cJSON *rec = record_new(pl, "getUpdates", params, t_ms);

	cJSON_AddNumberToObject(rec, "t_done_ms", (double)mono_ms());
	cJSON_AddItemToObject(rec, "returned", returned);
	cJSON_AddItemToArray(S.polls, rec);
	pthread_cond_broadcast(&S.cv);
}

/* A call answered with an error or dropped: by a fault, or by error. */
void
record_rejected(enum platform pl, const char *method, const cJSON *params,
    int64_t t_ms, unsigned status, const cJSON *fault, const char *error)
{
	cJSON *rec;

	pthread_mutex_lock(&S.mu);
	rec = record_new(pl, method, params, t_ms);
	cJSON_AddNumberToObject(rec, "status", status);
	if (fault)
		cJSON_AddItemToObject(rec, "fault", cJSON_Duplicate(fault, 1));
	if (error)
		cJSON_AddStringToObject(rec, "error", error);
	cJSON_AddItemToArray(S.rejected, rec);
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
}

/* ------------------------------------------------------------------ */
/* control endpoints                                                    */

/* A control body: JSON, whatever the Content-Type.  NULL: answered. */
cJSON *
ctl_body(struct req *r, struct reply *rp)
{
	cJSON *b;

	if (r->too_large) {
		reply_cerror(rp, 413, "body too large");
		return NULL;
	}
	if (r->oom || !r->body || !r->len) {
		reply_cerror(rp, 400, "missing JSON body");
		return NULL;
	}
	if (!(b = parse_json(r->body, r->len)))
		reply_cerror(rp, 400, "invalid JSON body");
	return b;
}

/* A body of one object or an array of objects.  NULL: answered. */
cJSON *
ctl_items(struct req *r, struct reply *rp, const char *item_err,
    const char *body_err)
{
	cJSON *b = ctl_body(r, rp);
	const cJSON *it;

	if (!b)
		return NULL;
	if (cJSON_IsArray(b)) {
		cJSON_ArrayForEach(it, b) {
			if (!cJSON_IsObject(it)) {
				cJSON_Delete(b);
				reply_cerror(rp, 400, item_err);
				return NULL;
			}
		}
	} else if (!cJSON_IsObject(b)) {
		cJSON_Delete(b);
		reply_cerror(rp, 400, body_err);
		return NULL;
	}
	return b;
}

/* The filters of a list's query. */
struct list_query {
	const cJSON *list;
	const char *platform, *method;
	double since, min;
};

static int
list_match(const struct list_query *q, const cJSON *rec)
{
	double seq = 0;
	const char *p = json_str(rec, "platform");
	const char *m = json_str(rec, "method");

	json_num(rec, "seq", &seq);
	if (seq <= q->since)
		return 0;
	if (q->platform && *q->platform && (!p || strcasecmp(q->platform, p)))
		return 0;
	if (q->method && *q->method && (!m || strcasecmp(q->method, m)))
		return 0;
	return 1;
}

/* S.mu held, for wait_ready: are there min matching records yet? */
static int
list_ready(void *arg)
{
	const struct list_query *q = arg;
	const cJSON *rec;
	int n = 0;

	cJSON_ArrayForEach(rec, q->list) {
		if (list_match(q, rec))
			n++;
	}
	return n >= q->min;
}

/* GET /control/{sent,rejected,polls}: ?min= waits, so tests need not
 * sleep. */
static void
ctl_list(struct MHD_Connection *c, const cJSON *list, struct reply *rp)
{
	struct list_query q;
	double wait_ms = 0;
	const cJSON *rec;
	cJSON *out;

	memset(&q, 0, sizeof(q));
	q.list = list;
	q.platform = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "platform");
	q.method = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND,
	    "method");
	query_num(c, "since", &q.since);
	query_num(c, "min", &q.min);
	query_num(c, "wait_ms", &wait_ms);
	wait_ms = clampd(wait_ms, 0, MAX_WAIT_MS);
	pthread_mutex_lock(&S.mu);
	if (wait_ready(c, mono_ms() + (int64_t)wait_ms, list_ready, &q) == -1) {
		pthread_mutex_unlock(&S.mu);
		reply_drop(rp, "client-gone");
		return;
	}
	out = cJSON_CreateArray();
	cJSON_ArrayForEach(rec, list) {
		if (list_match(&q, rec))
			cJSON_AddItemToArray(out, cJSON_Duplicate(rec, 1));
	}
	pthread_mutex_unlock(&S.mu);
	reply_json(rp, 200, out);
}

/* S.mu held.  /control/stats "sent": per platform, per method. */
static void
stats_sent(cJSON *snt)
{
	const cJSON *rec;

	cJSON_ArrayForEach(rec, S.sent) {
		const char *p = json_str(rec, "platform");
		const char *m = json_str(rec, "method");
		cJSON *po = p ? cJSON_GetObjectItemCaseSensitive(snt, p) : NULL;
		cJSON *cnt;

		if (!po || !m)
			continue;
		if ((cnt = cJSON_GetObjectItemCaseSensitive(po, m)) != NULL)
			cJSON_SetNumberValue(cnt, cnt->valuedouble + 1);
		else
			cJSON_AddNumberToObject(po, m, 1);
	}
}

/* S.mu held.  /control/stats "rejected": per platform. */
static void
stats_rejected(cJSON *rj)
{
	const cJSON *rec;

	cJSON_ArrayForEach(rec, S.rejected) {
		const char *p = json_str(rec, "platform");
		cJSON *cnt = p ? cJSON_GetObjectItemCaseSensitive(rj, p) : NULL;

		if (cnt)
			cJSON_SetNumberValue(cnt, cnt->valuedouble + 1);
	}
}

static void
ctl_stats(struct MHD_Connection *c, const char *hmethod, struct req *r,
    struct reply *rp)
{
	cJSON *o = cJSON_CreateObject(), *g, *pd, *pl, *snt, *rj;
	int i;

	(void)c;
	(void)hmethod;
	(void)r;
	pthread_mutex_lock(&S.mu);
	cJSON_AddNumberToObject(o, "requests", (double)S.requests);
	g = cJSON_AddObjectToObject(o, "getUpdates");
	pl = cJSON_AddObjectToObject(o, "polling");
	pd = cJSON_AddObjectToObject(o, "pending");
	snt = cJSON_AddObjectToObject(o, "sent");
	rj = cJSON_AddObjectToObject(o, "rejected");
	for (i = 0; i < P_COUNT; i++) {
		cJSON_AddNumberToObject(g, platform_name[i],
		    (double)S.get_updates[i]);
		cJSON_AddNumberToObject(pl, platform_name[i],
		    (double)S.polling[i]);
		cJSON_AddObjectToObject(snt, platform_name[i]);
		cJSON_AddNumberToObject(rj, platform_name[i], 0);
	}
	cJSON_AddNumberToObject(pd, "telegram", cJSON_GetArraySize(S.tg_queue));
	cJSON_AddNumberToObject(pd, "zalo", cJSON_GetArraySize(S.zalo_queue));
	cJSON_AddNumberToObject(pd, "zalo_oa", 0);     /* pushed, not queued */
	stats_sent(snt);
	stats_rejected(rj);
	cJSON_AddNumberToObject(o, "faults_served", (double)S.faults_served);
	cJSON_AddNumberToObject(o, "faults_pending",
	    cJSON_GetArraySize(S.faults));
	cJSON_AddNumberToObject(o, "zalo_redeliver_pending", S.zalo_redeliver);
	cJSON_AddNumberToObject(o, "telegram_next_update_id", S.tg_next_id);
	pthread_mutex_unlock(&S.mu);
	reply_json(rp, 200, o);
}

/* The body is optional here, so ctl_body's "missing" does not apply. */
static void
ctl_reset(struct MHD_Connection *c, const char *hmethod, struct req *r,
    struct reply *rp)
{
	double next = 0;
	cJSON *b;

	(void)c;
	(void)hmethod;
	if (r->len) {
		if (!(b = parse_json(r->body, r->len))) {
			reply_cerror(rp, 400, "invalid JSON body");
			return;
		}
		json_num(b, "telegram_next_update_id", &next);
		cJSON_Delete(b);
	}
	pthread_mutex_lock(&S.mu);
	state_clear();
	if (next >= 1)
		S.tg_next_id = ifloor(next);
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	reply_done(rp);
}

#define CTL_GET  1              /* HEAD too */
#define CTL_POST 2

static const struct ctl_endpoint {
	const char *path;
	int allow;
	void (*fn)(struct MHD_Connection *, const char *, struct req *,
	    struct reply *);
	cJSON **list;           /* or a list of records, for ctl_list */
} ctl_endpoints[] = {
	{ "/telegram/update",   CTL_POST,               tg_ctl_update, NULL },
	{ "/telegram/member",   CTL_POST,               tg_ctl_member, NULL },
	{ "/zalo/update",       CTL_POST,               zalo_ctl_update, NULL },
	{ "/sent",              CTL_GET,                NULL, &S.sent },
	{ "/rejected",          CTL_GET,                NULL, &S.rejected },
	{ "/polls",             CTL_GET,                NULL, &S.polls },
	{ "/oa/tokens",         CTL_GET | CTL_POST,     oa_ctl_tokens, NULL },
	{ "/stats",             CTL_GET,                ctl_stats, NULL },
	{ "/fault",             CTL_POST,               fault_ctl_add, NULL },
	{ "/faults",            CTL_GET,                fault_ctl_list, NULL },
	{ "/fault/clear",       CTL_POST,               fault_ctl_clear, NULL },
	{ "/reset",             CTL_POST,               ctl_reset, NULL },
};

/* path is what follows "/control". */
void
ctl_handle(struct MHD_Connection *c, const char *hmethod, const char *path,
    struct req *r, struct reply *rp)
{
	const struct ctl_endpoint *e;
	size_t i;
	int m = 0;

	if (!strcmp(hmethod, "POST"))
		m = CTL_POST;
	else if (!strcmp(hmethod, "GET") || !strcmp(hmethod, "HEAD"))
		m = CTL_GET;
	for (i = 0; i < sizeof(ctl_endpoints) / sizeof(ctl_endpoints[0]); i++) {
		e = &ctl_endpoints[i];
		if (strcmp(path, e->path))
			continue;
		if ((e->allow & m) && e->list)
			ctl_list(c, *e->list, rp);
		else if (e->allow & m)
			e->fn(c, hmethod, r, rp);
		else if (e->allow == CTL_POST)
			reply_cerror(rp, 405, "use POST");
		else if (e->allow == CTL_GET)
			reply_cerror(rp, 405, "use GET");
		else
			reply_cerror(rp, 405, "use GET or POST");
		return;
	}
	reply_cerror(rp, 404, "unknown control endpoint");
}
