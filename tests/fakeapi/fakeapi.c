/*
 * fakeapi — scriptable fake of the Telegram Bot API and the Zalo Bot
 * Platform API, for hoidap's integration tests.  See README.md next to
 * this file for the CLI and the /control protocol.
 *
 * HTTP is handled by libmicrohttpd (one thread per connection, so long
 * polls never block other requests); JSON by cJSON.  All shared state
 * lives in `S`, guarded by S.mu; S.cv is broadcast on every change.
 */
#include <cjson/cJSON.h>
#include <microhttpd.h>

#include <arpa/inet.h>
#include <errno.h>
#include <math.h> /* isfinite (macro only; no -lm needed) */
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define BODY_CAP ((uint64_t)1024 * 1024)
#define MAX_POLL_S 3600.0
#define MAX_WAIT_MS 600000.0
#define GONE_CHECK_MS 200
#define CONFLICT_DESC                                                          \
	"Conflict: terminated by other getUpdates request; make sure that only " \
	"one bot instance is running"
#define WEBHOOK_DESC                                                           \
	"Conflict: can't use getUpdates method while webhook is active; use "    \
	"deleteWebhook to delete the webhook first"
#define MALFORMED_BODY "{\"ok\":true,\"result\":{\"message_id\":42,\"chat\":{\"id\":"

enum platform { P_TELEGRAM = 0, P_ZALO = 1, P_OA = 2, P_COUNT = 3 };
static const char *const platform_name[P_COUNT] = {"telegram", "zalo",
						   "zalo_oa"};

/* What a bot method answers on success. */
enum result_kind {
	R_TRUE,
	R_MESSAGE,      /* Telegram Message object */
	R_MESSAGE_ID,   /* Telegram MessageId {"message_id":N} */
	R_TG_ME,
	R_TG_WEBHOOK,   /* WebhookInfo */
	R_TG_DELWEBHOOK,
	R_TG_SETWEBHOOK,
	R_TG_MEMBER,    /* ChatMember, scripted with /control/telegram/member */
	R_TG_UPDATES,
	R_ZALO_SENT,    /* {"message_id":"…","date":ms} */
	R_ZALO_ME,
	R_ZALO_WEBHOOK,
	R_ZALO_UPDATES
};

struct method_def {
	const char *name;
	enum result_kind kind;
};

static const struct method_def tg_methods[] = {
	{"getUpdates", R_TG_UPDATES},
	{"getMe", R_TG_ME},
	{"sendMessage", R_MESSAGE},
	{"sendPhoto", R_MESSAGE},
	{"sendDocument", R_MESSAGE},
	{"forwardMessage", R_MESSAGE},
	{"copyMessage", R_MESSAGE_ID},
	{"answerCallbackQuery", R_TRUE},
	{"setMyCommands", R_TRUE},
	{"deleteMyCommands", R_TRUE},
	{"deleteWebhook", R_TG_DELWEBHOOK},
	{"setWebhook", R_TG_SETWEBHOOK},
	{"getWebhookInfo", R_TG_WEBHOOK},
	{"getChatMember", R_TG_MEMBER},
	{"editMessageText", R_TRUE},
	{"editMessageReplyMarkup", R_TRUE},
	{"editMessageCaption", R_TRUE},
	{"deleteMessage", R_TRUE},
	{"sendChatAction", R_TRUE},
	{"logOut", R_TRUE},
	{"close", R_TRUE},
	{NULL, R_TRUE},
};

static const struct method_def zalo_methods[] = {
	{"getUpdates", R_ZALO_UPDATES},
	{"getMe", R_ZALO_ME},
	{"sendMessage", R_ZALO_SENT},
	{"sendPhoto", R_ZALO_SENT},
	{"sendSticker", R_ZALO_SENT},
	{"sendChatAction", R_ZALO_SENT},
	{"setWebhook", R_TRUE},
	{"deleteWebhook", R_TRUE},
	{"getWebhookInfo", R_ZALO_WEBHOOK},
	{NULL, R_TRUE},
};

struct state {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int shutting_down;
	cJSON *tg_queue;   /* Update objects, ascending update_id */
	cJSON *zalo_queue; /* {"event_name","message"}, FIFO */
	cJSON *sent;       /* successful bot calls except getUpdates */
	cJSON *polls;      /* getUpdates calls answered normally */
	cJSON *rejected;   /* bot calls answered with an error / dropped */
	cJSON *faults;     /* pending faults; "remaining" is internal */
	cJSON *members;    /* "chat_id:user_id" or "user_id" → status */
	double tg_next_id;
	double seq;
	double tg_msg_id;
	double zalo_msg_id;
	int zalo_redeliver;
	char *tg_webhook;  /* Telegram: the URL setWebhook set, or NULL */
	/* Zalo OA: the one refresh token the OAuth endpoint accepts (NULL:
	 * any, once), the access tokens it issued → expiry (real ms) */
	char *oa_refresh;
	cJSON *oa_access;
	double oa_gen;
	double oa_ttl;     /* expires_in of the tokens it issues, seconds */
	double oa_msg_id;
	long long requests;
	long long get_updates[P_COUNT];
	long long polling[P_COUNT];
	long long faults_served;
};

static struct state S;
static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
/* cJSON's parser writes a global error pointer; serialise parses. */
static pthread_mutex_t parse_mu = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_fp;

/* ------------------------------------------------------------------ */
/* small helpers                                                        */

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int64_t mono_ms(void) { return clock_ms(CLOCK_MONOTONIC); }
static int64_t real_ms(void) { return clock_ms(CLOCK_REALTIME); }

/* Caller holds S.mu. */
static void cv_wait_until(int64_t abs_ms)
{
	struct timespec ts;
	if (abs_ms < 0)
		abs_ms = 0;
	ts.tv_sec = (time_t)(abs_ms / 1000);
	ts.tv_nsec = (long)(abs_ms % 1000) * 1000000L;
	pthread_cond_timedwait(&S.cv, &S.mu, &ts);
}

/* Sleep up to ms, returning early on shutdown. */
static void sleep_ms(double ms)
{
	int64_t deadline;
	if (!(ms > 0))
		return;
	if (ms > MAX_WAIT_MS)
		ms = MAX_WAIT_MS;
	deadline = mono_ms() + (int64_t)ms;
	pthread_mutex_lock(&S.mu);
	while (!S.shutting_down && mono_ms() < deadline)
		cv_wait_until(deadline);
	pthread_mutex_unlock(&S.mu);
}

static cJSON *parse_json(const char *buf, size_t len)
{
	cJSON *j;
	pthread_mutex_lock(&parse_mu);
	j = cJSON_ParseWithLength(buf, len);
	pthread_mutex_unlock(&parse_mu);
	return j;
}

/* Number or numeric string → double. */
static int get_num(const cJSON *obj, const char *key, double *out)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsNumber(it) && isfinite(it->valuedouble)) {
		*out = it->valuedouble;
		return 1;
	}
	if (cJSON_IsString(it) && it->valuestring && it->valuestring[0]) {
		char *end;
		double v;
		errno = 0;
		v = strtod(it->valuestring, &end);
		while (*end == ' ')
			end++;
		if (end != it->valuestring && *end == '\0' && errno == 0 &&
		    isfinite(v)) {
			*out = v;
			return 1;
		}
	}
	return 0;
}

static int get_bool(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (cJSON_IsBool(it))
		return cJSON_IsTrue(it);
	if (cJSON_IsNumber(it))
		return it->valuedouble != 0;
	if (cJSON_IsString(it) && it->valuestring)
		return strcasecmp(it->valuestring, "true") == 0 ||
		       strcmp(it->valuestring, "1") == 0;
	return 0;
}

static const char *get_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

/* floor() without libm, for values already clamped to a sane range. */
static double ifloor(double v)
{
	double t;
	if (!(v > -9e15 && v < 9e15))
		return v;
	t = (double)(long long)v;
	return t > v ? t - 1 : t;
}

static double clampd(double v, double lo, double hi)
{
	if (!(v >= lo))
		return lo;
	if (v > hi)
		return hi;
	return v;
}

/* Add or replace obj[key] = item (takes ownership of item). */
static void set_item(cJSON *obj, const char *key, cJSON *item)
{
	if (!item)
		return;
	if (cJSON_GetObjectItemCaseSensitive(obj, key))
		cJSON_ReplaceItemInObjectCaseSensitive(obj, key, item);
	else
		cJSON_AddItemToObject(obj, key, item);
}

/* A query-string lookup as a number (control endpoints). */
static int query_num(struct MHD_Connection *c, const char *key, double *out)
{
	const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
	char *end;
	double d;
	if (!v || !*v)
		return 0;
	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end || errno || !isfinite(d))
		return 0;
	*out = d;
	return 1;
}

/* ------------------------------------------------------------------ */
/* per-request context                                                  */

struct field {
	char *key;
	char *val;
	size_t len;
	int is_file;
	char *filename;
	char *ctype;
	uint64_t size;
};

struct req {
	int64_t t_ms;
	int is_json_ct;
	int oom;
	int too_large;
	int pp_error;
	uint64_t total;
	char *body;
	size_t len, cap;
	struct MHD_PostProcessor *pp;
	struct field *fields;
	size_t nfields, capfields;
};

struct reply {
	unsigned status;
	char *body; /* malloc'd; NULL → generic 500 */
	int drop;   /* close the connection without answering */
	const char *note; /* for the log when dropped */
};

static char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = malloc(n);
	if (p)
		memcpy(p, s, n);
	return p;
}

static int buf_append(char **buf, size_t *len, size_t *cap, const char *data,
		      size_t n)
{
	if (*len + n + 1 > *cap) {
		size_t nc = *cap ? *cap : 256;
		char *nb;
		while (nc < *len + n + 1)
			nc *= 2;
		nb = realloc(*buf, nc);
		if (!nb)
			return -1;
		*buf = nb;
		*cap = nc;
	}
	if (n)
		memcpy(*buf + *len, data, n);
	*len += n;
	(*buf)[*len] = '\0';
	return 0;
}

static enum MHD_Result post_iter(void *cls, enum MHD_ValueKind kind,
				 const char *key, const char *filename,
				 const char *content_type,
				 const char *transfer_encoding, const char *data,
				 uint64_t off, size_t size)
{
	struct req *r = cls;
	struct field *f;
	(void)kind;
	(void)transfer_encoding;
	if (!key)
		return MHD_YES;
	if (off == 0 || r->nfields == 0 ||
	    strcmp(r->fields[r->nfields - 1].key, key) != 0) {
		if (r->nfields == r->capfields) {
			size_t nc = r->capfields ? r->capfields * 2 : 8;
			struct field *nf = realloc(r->fields, nc * sizeof(*nf));
			if (!nf) {
				r->oom = 1;
				return MHD_NO;
			}
			r->fields = nf;
			r->capfields = nc;
		}
		f = &r->fields[r->nfields];
		memset(f, 0, sizeof(*f));
		f->key = xstrdup(key);
		if (!f->key) {
			r->oom = 1;
			return MHD_NO;
		}
		r->nfields++;
		if (filename) {
			f->is_file = 1;
			f->filename = xstrdup(filename);
			f->ctype = content_type ? xstrdup(content_type) : NULL;
		}
	}
	f = &r->fields[r->nfields - 1];
	if (f->is_file) {
		f->size += size;
		return MHD_YES;
	}
	{
		size_t cap = f->val ? f->len + 1 : 0;
		if (!f->val) {
			f->val = malloc(1);
			if (!f->val) {
				r->oom = 1;
				return MHD_NO;
			}
			f->val[0] = '\0';
			cap = 1;
		}
		if (size && data &&
		    buf_append(&f->val, &f->len, &cap, data, size) != 0) {
			r->oom = 1;
			return MHD_NO;
		}
	}
	return MHD_YES;
}

static void req_free(struct req *r)
{
	size_t i;
	if (!r)
		return;
	if (r->pp)
		(void)MHD_destroy_post_processor(r->pp);
	for (i = 0; i < r->nfields; i++) {
		free(r->fields[i].key);
		free(r->fields[i].val);
		free(r->fields[i].filename);
		free(r->fields[i].ctype);
	}
	free(r->fields);
	free(r->body);
	free(r);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)c;
	(void)toe;
	req_free(*con_cls);
	*con_cls = NULL;
}

static enum MHD_Result query_iter(void *cls, enum MHD_ValueKind kind,
				  const char *key, const char *value)
{
	(void)kind;
	if (key)
		set_item(cls, key, cJSON_CreateString(value ? value : ""));
	return MHD_YES;
}

/*
 * Collect bot-call parameters: query string, then the body (JSON object
 * or form fields) on top.  Returns NULL (status and desc set) on error.
 */
static cJSON *build_params(struct MHD_Connection *c, struct req *r,
			   unsigned *status, const char **desc)
{
	cJSON *p = cJSON_CreateObject();
	size_t i;
	if (!p || r->oom) {
		cJSON_Delete(p);
		*status = 500;
		*desc = "Internal Server Error: out of memory";
		return NULL;
	}
	if (r->too_large) {
		cJSON_Delete(p);
		*status = 413;
		*desc = "Request Entity Too Large";
		return NULL;
	}
	if (r->pp_error) {
		cJSON_Delete(p);
		*status = 400;
		*desc = "Bad Request: can't parse form data";
		return NULL;
	}
	MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, query_iter, p);
	for (i = 0; i < r->nfields; i++) {
		struct field *f = &r->fields[i];
		if (f->is_file) {
			cJSON *o = cJSON_CreateObject();
			cJSON_AddStringToObject(o, "filename",
						f->filename ? f->filename : "");
			cJSON_AddStringToObject(o, "content_type",
						f->ctype ? f->ctype : "");
			cJSON_AddNumberToObject(o, "size", (double)f->size);
			set_item(p, f->key, o);
		} else {
			set_item(p, f->key,
				 cJSON_CreateString(f->val ? f->val : ""));
		}
	}
	if (r->len > 0) {
		size_t k = 0;
		while (k < r->len && (r->body[k] == ' ' || r->body[k] == '\t' ||
				      r->body[k] == '\r' || r->body[k] == '\n'))
			k++;
		if (r->is_json_ct || (k < r->len && r->body[k] == '{')) {
			cJSON *b = parse_json(r->body, r->len);
			cJSON *it;
			if (!b) {
				cJSON_Delete(p);
				*status = 400;
				*desc = "Bad Request: can't parse JSON object";
				return NULL;
			}
			if (!cJSON_IsObject(b)) {
				cJSON_Delete(b);
				cJSON_Delete(p);
				*status = 400;
				*desc = "Bad Request: JSON body must be an object";
				return NULL;
			}
			while ((it = b->child) != NULL) {
				char *key;
				cJSON_DetachItemViaPointer(b, it);
				key = it->string;
				if (!key) {
					cJSON_Delete(it);
					continue;
				}
				it->string = NULL;
				set_item(p, key, it);
				free(key);
			}
			cJSON_Delete(b);
		}
	}
	return p;
}

/* ------------------------------------------------------------------ */
/* replies                                                              */

static void reply_json(struct reply *rp, unsigned status, cJSON *j)
{
	rp->status = status;
	rp->body = j ? cJSON_PrintUnformatted(j) : NULL;
	cJSON_Delete(j);
}

static void reply_ok(struct reply *rp, cJSON *result)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddTrueToObject(o, "ok");
	if (result)
		cJSON_AddItemToObject(o, "result", result);
	else
		cJSON_AddNullToObject(o, "result");
	reply_json(rp, 200, o);
}

static cJSON *error_obj(int code, const char *desc)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddFalseToObject(o, "ok");
	cJSON_AddNumberToObject(o, "error_code", code);
	cJSON_AddStringToObject(o, "description", desc);
	return o;
}

static void reply_error(struct reply *rp, unsigned status, const char *desc)
{
	reply_json(rp, status, error_obj((int)status, desc));
}

/* Control-endpoint error: {"error":"…"}. */
static void reply_cerror(struct reply *rp, unsigned status, const char *desc)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "error", desc);
	reply_json(rp, status, o);
}

static const char *default_desc(int code)
{
	switch (code) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden: bot was blocked by the user";
	case 404: return "Not Found";
	case 408: return "Request timeout";
	case 409: return CONFLICT_DESC;
	case 413: return "Request Entity Too Large";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return "Error";
	}
}

/* ------------------------------------------------------------------ */
/* records (caller holds S.mu)                                          */

static cJSON *new_record(enum platform pl, const char *method,
			 const cJSON *params, int64_t t_ms)
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

static void add_rejected(enum platform pl, const char *method,
			 const cJSON *params, int64_t t_ms, unsigned status,
			 const cJSON *fault, const char *error)
{
	cJSON *rec;
	pthread_mutex_lock(&S.mu);
	rec = new_record(pl, method, params, t_ms);
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
/* faults                                                               */

/* A call's chat_id as text ("" if none), numbers and strings alike. */
static void chat_text(const cJSON *obj, char *out, size_t n)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, "chat_id");
	double d;
	if (cJSON_IsString(it) && it->valuestring && !get_num(obj, "chat_id", &d))
		snprintf(out, n, "%s", it->valuestring);
	else if (get_num(obj, "chat_id", &d))
		snprintf(out, n, "%.0f", d);
	else
		out[0] = '\0';
}

/* Take the first pending fault matching (platform, method, and chat_id
 * when the fault names one). S.mu held. */
static cJSON *take_fault(enum platform pl, const char *method,
			 const cJSON *params)
{
	cJSON *f;
	int i = 0;
	cJSON_ArrayForEach(f, S.faults)
	{
		const char *fp = get_str(f, "platform");
		const char *fm = get_str(f, "method");
		cJSON *rem, *copy;
		if (fp && strcmp(fp, "*") && strcasecmp(fp, platform_name[pl])) {
			i++;
			continue;
		}
		if (fm && strcmp(fm, "*") && strcasecmp(fm, method)) {
			i++;
			continue;
		}
		if (cJSON_GetObjectItemCaseSensitive(f, "chat_id")) {
			char want[64], got[64];
			chat_text(f, want, sizeof(want));
			chat_text(params, got, sizeof(got));
			if (strcmp(want, got)) {
				i++;
				continue;
			}
		}
		copy = cJSON_Duplicate(f, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(copy, "remaining");
		rem = cJSON_GetObjectItemCaseSensitive(f, "remaining");
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

static int fault_is_error(const cJSON *f)
{
	double d;
	return get_bool(f, "drop") || get_bool(f, "malformed") ||
	       get_bool(f, "conflict") || get_str(f, "body") ||
	       get_num(f, "status", &d) || get_num(f, "oa_error", &d);
}

static const char *oa_default_desc(int code)
{
	switch (code) {
	case -216: return "Access token is invalid";
	case -201: return "Parameters are invalid";
	case -230: return "User has not interacted with the OA in the past 7 days";
	default: return "Error";
	}
}

/* Build the error answer a fault asks for. */
static void fault_reply(struct reply *rp, const cJSON *f)
{
	double st = 0, hs = 0, ra, mig;
	const char *desc = get_str(f, "description");
	const char *raw = get_str(f, "body");
	int has_hs = get_num(f, "http_status", &hs);
	int code;
	char dbuf[128];
	cJSON *o;

	if (get_bool(f, "drop")) {
		rp->drop = 1;
		rp->note = "drop";
		return;
	}
	if (get_num(f, "oa_error", &st)) {
		/* the OA APIs answer errors with HTTP 200 and their own shape */
		o = cJSON_CreateObject();
		cJSON_AddNumberToObject(o, "error", st);
		if (!strcmp(get_str(f, "method") ? get_str(f, "method") : "",
			    "access_token")) {
			cJSON_AddStringToObject(o, "error_name",
						desc ? desc : "Invalid refresh token");
			cJSON_AddStringToObject(o, "error_reason", "");
			cJSON_AddStringToObject(o, "error_description",
						desc ? desc : "Invalid refresh token");
		} else {
			cJSON_AddStringToObject(o, "message",
						desc ? desc : oa_default_desc((int)st));
		}
		reply_json(rp, has_hs ? (unsigned)hs : 200, o);
		return;
	}
	if (raw || get_bool(f, "malformed")) {
		rp->status = has_hs ? (unsigned)hs : get_num(f, "status", &st)
							 ? (unsigned)st
							 : 200;
		rp->body = xstrdup(raw ? raw : MALFORMED_BODY);
		return;
	}
	if (get_bool(f, "conflict"))
		code = 409;
	else if (get_num(f, "status", &st))
		code = (int)st;
	else
		code = 500;
	if (!desc) {
		if (code == 429 && get_num(f, "retry_after", &ra)) {
			snprintf(dbuf, sizeof(dbuf),
				 "Too Many Requests: retry after %.0f", ra);
			desc = dbuf;
		} else {
			desc = default_desc(code);
		}
	}
	o = error_obj(code, desc);
	if (get_num(f, "retry_after", &ra) || get_num(f, "migrate_to_chat_id", &mig)) {
		cJSON *par = cJSON_AddObjectToObject(o, "parameters");
		if (get_num(f, "retry_after", &ra))
			cJSON_AddNumberToObject(par, "retry_after", ra);
		if (get_num(f, "migrate_to_chat_id", &mig))
			cJSON_AddNumberToObject(par, "migrate_to_chat_id", mig);
	}
	reply_json(rp, has_hs ? (unsigned)hs : (unsigned)code, o);
}

/* Validate and normalise a fault spec; returns NULL if fine. */
static const char *fault_check(cJSON *f)
{
	static const char *const nums[] = {"status", "retry_after",
					   "migrate_to_chat_id", "delay_ms",
					   "idle_status", "http_status", "count",
					   "oa_error"};
	static const char *const flags[] = {"malformed", "drop", "conflict",
					    "redeliver", "drop_after"};
	const char *pl, *m;
	double d;
	size_t i;
	int effect = 0;
	if (!cJSON_IsObject(f))
		return "fault must be a JSON object";
	pl = get_str(f, "platform");
	if (cJSON_GetObjectItemCaseSensitive(f, "platform") &&
	    (!pl || (strcmp(pl, "*") && strcmp(pl, "telegram") &&
		     strcmp(pl, "zalo") && strcmp(pl, "zalo_oa"))))
		return "platform must be \"telegram\", \"zalo\", \"zalo_oa\" "
		       "or \"*\"";
	m = get_str(f, "method");
	if (cJSON_GetObjectItemCaseSensitive(f, "method") && (!m || !*m))
		return "method must be a non-empty string";
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		const cJSON *it = cJSON_GetObjectItemCaseSensitive(f, nums[i]);
		if (it && !cJSON_IsNumber(it))
			return "status, retry_after, migrate_to_chat_id, "
			       "delay_ms, idle_status, http_status, count and "
			       "oa_error must be numbers";
	}
	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		const cJSON *it = cJSON_GetObjectItemCaseSensitive(f, flags[i]);
		if (it && !cJSON_IsBool(it))
			return "malformed, drop, conflict, redeliver and "
			       "drop_after must be booleans";
		if (cJSON_IsTrue(it))
			effect = 1;
	}
	if (cJSON_GetObjectItemCaseSensitive(f, "description") &&
	    !get_str(f, "description"))
		return "description must be a string";
	{
		const cJSON *ci = cJSON_GetObjectItemCaseSensitive(f, "chat_id");
		if (ci && !cJSON_IsNumber(ci) && !(cJSON_IsString(ci) &&
						    ci->valuestring[0]))
			return "chat_id must be a number or a non-empty string";
	}
	if (cJSON_GetObjectItemCaseSensitive(f, "body") && !get_str(f, "body"))
		return "body must be a string";
	if (get_num(f, "status", &d)) {
		if (d < 100 || d > 599)
			return "status must be 100..599";
		effect = 1;
	}
	if (get_num(f, "http_status", &d) && (d < 100 || d > 599))
		return "http_status must be 100..599";
	if (get_num(f, "idle_status", &d)) {
		if (d < 100 || d > 599)
			return "idle_status must be 100..599";
		effect = 1;
	}
	if (get_num(f, "delay_ms", &d)) {
		if (d < 0 || d > MAX_WAIT_MS)
			return "delay_ms must be 0..600000";
		effect = 1;
	}
	if (get_str(f, "body") || get_num(f, "oa_error", &d))
		effect = 1;
	if (!effect)
		return "fault has no effect (need status, malformed, drop, "
		       "conflict, redeliver, delay_ms, idle_status, body, "
		       "oa_error or drop_after)";
	if (get_num(f, "count", &d)) {
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

/* ------------------------------------------------------------------ */
/* bot-side method handlers                                             */

/* Is the client gone?  (Peeks the socket; only called from the
 * connection's own thread while MHD isn't reading it.) */
static int client_gone(struct MHD_Connection *c)
{
	const union MHD_ConnectionInfo *ci =
		MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
	char ch;
	ssize_t n;
	if (!ci)
		return 0;
	n = recv(ci->connect_fd, &ch, 1, MSG_PEEK | MSG_DONTWAIT);
	if (n == 0)
		return 1;
	if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
		return 1;
	return 0;
}

static double poll_timeout_s(const cJSON *params, double dflt)
{
	double t = dflt;
	get_num(params, "timeout", &t);
	return clampd(t, 0, MAX_POLL_S);
}

/* Drop confirmed Telegram updates.  S.mu held. */
static void tg_confirm(double offset)
{
	if (offset > 0) {
		cJSON *first;
		while ((first = S.tg_queue->child) != NULL) {
			double id = 0;
			get_num(first, "update_id", &id);
			if (id >= offset)
				break;
			cJSON_DeleteItemFromArray(S.tg_queue, 0);
		}
	} else if (offset < 0) {
		int keep = (int)clampd(-offset, 0, 1e9);
		while (cJSON_GetArraySize(S.tg_queue) > keep)
			cJSON_DeleteItemFromArray(S.tg_queue, 0);
	}
}

static void tg_get_updates(struct MHD_Connection *c, const cJSON *params,
			   int64_t t_ms, struct reply *rp)
{
	double offset = 0, limit = 100;
	int has_off = get_num(params, "offset", &offset);
	double timeout = poll_timeout_s(params, 0);
	int64_t deadline = mono_ms() + (int64_t)(timeout * 1000);
	int gone = 0, n = 0;
	cJSON *result = NULL, *ids, *u, *rec;

	get_num(params, "limit", &limit);
	limit = clampd(limit, 1, 100);
	offset = ifloor(offset);

	pthread_mutex_lock(&S.mu);
	S.polling[P_TELEGRAM]++;
	for (;;) {
		int64_t now, until;
		if (has_off)
			tg_confirm(offset);
		if (S.tg_queue->child || S.shutting_down)
			break;
		now = mono_ms();
		if (now >= deadline)
			break;
		until = now + GONE_CHECK_MS < deadline ? now + GONE_CHECK_MS
						       : deadline;
		cv_wait_until(until);
		if (client_gone(c)) {
			gone = 1;
			break;
		}
	}
	S.polling[P_TELEGRAM]--;
	if (!gone) {
		result = cJSON_CreateArray();
		ids = cJSON_CreateArray();
		cJSON_ArrayForEach(u, S.tg_queue)
		{
			double id = 0;
			if (n >= (int)limit)
				break;
			get_num(u, "update_id", &id);
			cJSON_AddItemToArray(result, cJSON_Duplicate(u, 1));
			cJSON_AddItemToArray(ids, cJSON_CreateNumber(id));
			n++;
		}
		rec = new_record(P_TELEGRAM, "getUpdates", params, t_ms);
		cJSON_AddNumberToObject(rec, "t_done_ms", (double)mono_ms());
		cJSON_AddItemToObject(rec, "returned", ids);
		cJSON_AddItemToArray(S.polls, rec);
		pthread_cond_broadcast(&S.cv);
	}
	pthread_mutex_unlock(&S.mu);
	if (gone) {
		rp->drop = 1;
		rp->note = "client-gone";
		return;
	}
	reply_ok(rp, result);
}

static void zalo_get_updates(struct MHD_Connection *c, const cJSON *params,
			     int64_t t_ms, const cJSON *fault,
			     struct reply *rp)
{
	double timeout = poll_timeout_s(params, 30);
	double idle_status = 200;
	int64_t deadline = mono_ms() + (int64_t)(timeout * 1000);
	int gone = 0;
	cJSON *item = NULL, *ids, *rec;

	if (fault)
		get_num(fault, "idle_status", &idle_status);

	pthread_mutex_lock(&S.mu);
	S.polling[P_ZALO]++;
	for (;;) {
		int64_t now, until;
		if (S.zalo_queue->child || S.shutting_down)
			break;
		now = mono_ms();
		if (now >= deadline)
			break;
		until = now + GONE_CHECK_MS < deadline ? now + GONE_CHECK_MS
						       : deadline;
		cv_wait_until(until);
		if (client_gone(c)) {
			gone = 1;
			break;
		}
	}
	S.polling[P_ZALO]--;
	if (!gone) {
		ids = cJSON_CreateArray();
		if (S.zalo_queue->child) {
			const cJSON *msg;
			if (S.zalo_redeliver > 0) {
				S.zalo_redeliver--;
				item = cJSON_Duplicate(S.zalo_queue->child, 1);
			} else {
				item = cJSON_DetachItemFromArray(S.zalo_queue, 0);
			}
			msg = cJSON_GetObjectItemCaseSensitive(item, "message");
			msg = cJSON_GetObjectItemCaseSensitive(msg, "message_id");
			cJSON_AddItemToArray(ids, msg ? cJSON_Duplicate(msg, 1)
						      : cJSON_CreateNull());
		}
		rec = new_record(P_ZALO, "getUpdates", params, t_ms);
		cJSON_AddNumberToObject(rec, "t_done_ms", (double)mono_ms());
		cJSON_AddItemToObject(rec, "returned", ids);
		cJSON_AddItemToArray(S.polls, rec);
		pthread_cond_broadcast(&S.cv);
	}
	pthread_mutex_unlock(&S.mu);
	if (gone) {
		rp->drop = 1;
		rp->note = "client-gone";
		return;
	}
	if (item)
		reply_ok(rp, item);
	else
		reply_json(rp, (unsigned)idle_status,
			   error_obj(408, "Request timeout"));
}

static cJSON *tg_bot_user(void)
{
	cJSON *u = cJSON_CreateObject();
	cJSON_AddNumberToObject(u, "id", 1);
	cJSON_AddTrueToObject(u, "is_bot");
	cJSON_AddStringToObject(u, "first_name", "Fake");
	cJSON_AddStringToObject(u, "username", "fake_bot");
	return u;
}

/* Telegram Message echoing the call.  S.mu held. */
static cJSON *tg_message(const char *method, const cJSON *params)
{
	cJSON *m = cJSON_CreateObject(), *chat;
	const cJSON *cid = cJSON_GetObjectItemCaseSensitive(params, "chat_id");
	const cJSON *rm = cJSON_GetObjectItemCaseSensitive(params, "reply_markup");
	const char *s;
	double id;
	cJSON_AddNumberToObject(m, "message_id", ++S.tg_msg_id);
	cJSON_AddItemToObject(m, "from", tg_bot_user());
	cJSON_AddNumberToObject(m, "date", (double)(real_ms() / 1000));
	chat = cJSON_AddObjectToObject(m, "chat");
	if (get_num(params, "chat_id", &id)) {
		cJSON_AddNumberToObject(chat, "id", id);
		cJSON_AddStringToObject(chat, "type",
					id > 0 ? "private"
					: id <= -1000000000000.0 ? "supergroup"
								 : "group");
	} else {
		if (cid)
			cJSON_AddItemToObject(chat, "id", cJSON_Duplicate(cid, 1));
		else
			cJSON_AddNullToObject(chat, "id");
		cJSON_AddStringToObject(chat, "type", "channel");
	}
	if (!strcmp(method, "sendMessage")) {
		s = get_str(params, "text");
		cJSON_AddStringToObject(m, "text", s ? s : "");
	} else if (!strcmp(method, "sendPhoto")) {
		cJSON *arr = cJSON_AddArrayToObject(m, "photo");
		cJSON *ps = cJSON_CreateObject();
		char fid[64];
		snprintf(fid, sizeof(fid), "fake-photo-%.0f", S.tg_msg_id);
		s = get_str(params, "photo");
		cJSON_AddStringToObject(ps, "file_id", s ? s : fid);
		cJSON_AddStringToObject(ps, "file_unique_id", fid);
		cJSON_AddNumberToObject(ps, "width", 640);
		cJSON_AddNumberToObject(ps, "height", 480);
		cJSON_AddItemToArray(arr, ps);
	} else if (!strcmp(method, "sendDocument")) {
		cJSON *d = cJSON_AddObjectToObject(m, "document");
		char fid[64];
		snprintf(fid, sizeof(fid), "fake-doc-%.0f", S.tg_msg_id);
		s = get_str(params, "document");
		cJSON_AddStringToObject(d, "file_id", s ? s : fid);
		cJSON_AddStringToObject(d, "file_unique_id", fid);
	}
	if ((s = get_str(params, "caption")) != NULL)
		cJSON_AddStringToObject(m, "caption", s);
	if (cJSON_IsObject(rm) &&
	    cJSON_GetObjectItemCaseSensitive(rm, "inline_keyboard"))
		cJSON_AddItemToObject(m, "reply_markup", cJSON_Duplicate(rm, 1));
	return m;
}

/* Number of UTF-16 code units in UTF-8 text. */
static size_t utf16_len(const char *s)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
	for (; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		n += (*p >= 0xF0) ? 2 : 1;
	}
	return n;
}

/* Basic argument checks the real APIs do.  NULL if fine. */
static const char *validate(enum platform pl, const char *method,
			    const cJSON *params)
{
	const cJSON *cid = cJSON_GetObjectItemCaseSensitive(params, "chat_id");
	const char *text;
	int needs_chat = strncmp(method, "send", 4) == 0 ||
			 !strcmp(method, "copyMessage") ||
			 !strcmp(method, "forwardMessage");
	if (needs_chat && (!cid || cJSON_IsNull(cid) ||
			   (cJSON_IsString(cid) && !cid->valuestring[0])))
		return "Bad Request: chat_id is empty";
	if (!strcmp(method, "sendMessage")) {
		text = get_str(params, "text");
		if (!text || !*text)
			return "Bad Request: message text is empty";
		if (pl == P_TELEGRAM && !get_str(params, "parse_mode") &&
		    utf16_len(text) > 4096)
			return "Bad Request: message is too long";
	}
	if (pl == P_TELEGRAM && !strcmp(method, "answerCallbackQuery") &&
	    !cJSON_GetObjectItemCaseSensitive(params, "callback_query_id"))
		return "Bad Request: query is too old and response timeout "
		       "expired or query ID is invalid";
	return NULL;
}

static void respond_success(enum platform pl, const struct method_def *md,
			    const cJSON *params, int64_t t_ms, struct reply *rp)
{
	cJSON *result = NULL, *rec;
	char idbuf[64];
	pthread_mutex_lock(&S.mu);
	switch (md->kind) {
	case R_MESSAGE:
		result = tg_message(md->name, params);
		break;
	case R_MESSAGE_ID:
		result = cJSON_CreateObject();
		cJSON_AddNumberToObject(result, "message_id", ++S.tg_msg_id);
		break;
	case R_TG_ME:
		result = tg_bot_user();
		break;
	case R_TG_WEBHOOK:
		result = cJSON_CreateObject();
		cJSON_AddStringToObject(result, "url",
					S.tg_webhook ? S.tg_webhook : "");
		cJSON_AddFalseToObject(result, "has_custom_certificate");
		cJSON_AddNumberToObject(result, "pending_update_count",
					cJSON_GetArraySize(S.tg_queue));
		break;
	case R_TG_MEMBER: {
		char chat[64], key[160];
		double uid = 0;
		const char *st = NULL;
		chat_text(params, chat, sizeof(chat));
		get_num(params, "user_id", &uid);
		snprintf(key, sizeof(key), "%s:%.0f", chat, uid);
		st = get_str(S.members, key);
		if (!st) {
			snprintf(key, sizeof(key), "%.0f", uid);
			st = get_str(S.members, key);
		}
		if (!st)
			st = "member";
		result = cJSON_CreateObject();
		cJSON_AddStringToObject(result, "status", st);
		{
			cJSON *u = cJSON_AddObjectToObject(result, "user");
			cJSON_AddNumberToObject(u, "id", uid);
			cJSON_AddFalseToObject(u, "is_bot");
			cJSON_AddStringToObject(u, "first_name", "Fake");
		}
		if (!strcmp(st, "restricted"))
			cJSON_AddTrueToObject(result, "is_member");
		break;
	}
	case R_TG_DELWEBHOOK:
		if (get_bool(params, "drop_pending_updates")) {
			cJSON_Delete(S.tg_queue);
			S.tg_queue = cJSON_CreateArray();
		}
		free(S.tg_webhook);
		S.tg_webhook = NULL;
		result = cJSON_CreateTrue();
		break;
	case R_TG_SETWEBHOOK: {
		/* an empty url removes the webhook, as on the real API */
		const char *url = get_str(params, "url");
		free(S.tg_webhook);
		S.tg_webhook = url && *url ? xstrdup(url) : NULL;
		result = cJSON_CreateTrue();
		break;
	}
	case R_ZALO_SENT:
		result = cJSON_CreateObject();
		snprintf(idbuf, sizeof(idbuf), "fakezmsg%012.0f", ++S.zalo_msg_id);
		cJSON_AddStringToObject(result, "message_id", idbuf);
		cJSON_AddNumberToObject(result, "date", (double)real_ms());
		break;
	case R_ZALO_ME:
		result = cJSON_CreateObject();
		cJSON_AddStringToObject(result, "id", "1000000000000000001");
		cJSON_AddStringToObject(result, "account_name", "fake_bot");
		cJSON_AddStringToObject(result, "account_type", "BASIC");
		cJSON_AddFalseToObject(result, "can_join_groups");
		break;
	case R_ZALO_WEBHOOK:
		result = cJSON_CreateObject();
		cJSON_AddStringToObject(result, "url", "");
		break;
	case R_TRUE:
	case R_TG_UPDATES:
	case R_ZALO_UPDATES:
	default:
		result = cJSON_CreateTrue();
		break;
	}
	rec = new_record(pl, md->name, params, t_ms);
	cJSON_AddItemToObject(rec, "result", cJSON_Duplicate(result, 1));
	cJSON_AddItemToArray(S.sent, rec);
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	reply_ok(rp, result);
}

static void handle_bot(struct MHD_Connection *c, enum platform pl,
		       const char *rest, struct req *r, struct reply *rp)
{
	const struct method_def *tab = pl == P_TELEGRAM ? tg_methods : zalo_methods;
	const struct method_def *md = NULL;
	const char *slash = strchr(rest, '/');
	char token[256], mname[128];
	size_t tl;
	cJSON *params, *fault = NULL;
	unsigned st = 0;
	const char *desc = NULL;

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

	params = build_params(c, r, &st, &desc);
	if (!params) {
		add_rejected(pl, mname, NULL, r->t_ms, st, NULL, desc);
		reply_error(rp, st, desc);
		return;
	}
	if (!strcmp(token, "bad")) {
		add_rejected(pl, mname, params, r->t_ms, 401, NULL, "Unauthorized");
		reply_error(rp, 401, "Unauthorized");
		cJSON_Delete(params);
		return;
	}
	for (; tab->name; tab++) {
		if (!strcasecmp(tab->name, mname)) {
			md = tab;
			break;
		}
	}
	if (!md) {
		add_rejected(pl, mname, params, r->t_ms, 404, NULL, "Not Found");
		reply_error(rp, 404, "Not Found");
		cJSON_Delete(params);
		return;
	}

	pthread_mutex_lock(&S.mu);
	if (md->kind == R_TG_UPDATES || md->kind == R_ZALO_UPDATES)
		S.get_updates[pl]++;
	fault = take_fault(pl, md->name, params);
	pthread_mutex_unlock(&S.mu);

	if (fault) {
		double d;
		if (get_num(fault, "delay_ms", &d))
			sleep_ms(d);
		if (pl == P_ZALO && get_bool(fault, "redeliver")) {
			pthread_mutex_lock(&S.mu);
			S.zalo_redeliver++;
			pthread_mutex_unlock(&S.mu);
		}
		if (fault_is_error(fault)) {
			fault_reply(rp, fault);
			add_rejected(pl, md->name, params, r->t_ms,
				     rp->drop ? 0 : rp->status, fault, NULL);
			cJSON_Delete(fault);
			cJSON_Delete(params);
			return;
		}
	}

	pthread_mutex_lock(&S.mu);
	st = md->kind == R_TG_UPDATES && S.tg_webhook ? 409 : 0;
	pthread_mutex_unlock(&S.mu);
	if (st) {
		/* getUpdates and a webhook exclude each other */
		add_rejected(pl, md->name, params, r->t_ms, 409, NULL,
			     "webhook is active");
		reply_error(rp, 409, WEBHOOK_DESC);
	} else if (md->kind == R_TG_UPDATES) {
		tg_get_updates(c, params, r->t_ms, rp);
	} else if (md->kind == R_ZALO_UPDATES) {
		zalo_get_updates(c, params, r->t_ms, fault, rp);
	} else if ((desc = validate(pl, md->name, params)) != NULL) {
		add_rejected(pl, md->name, params, r->t_ms, 400, NULL, desc);
		reply_error(rp, 400, desc);
	} else {
		respond_success(pl, md, params, r->t_ms, rp);
	}
	cJSON_Delete(fault);
	cJSON_Delete(params);
}

/* ------------------------------------------------------------------ */
/* Zalo Official Account: /oa/v3.0/oa/message/cs and                    */
/* /oauth/v4/oa/access_token                                            */

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

static void oa_answer(struct reply *rp, int code, const char *msg, cJSON *data)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "error", code);
	cJSON_AddStringToObject(o, "message", msg);
	if (data)
		cJSON_AddItemToObject(o, "data", data);
	reply_json(rp, 200, o);
}

/* An OA bot call: faults first, as for the bot APIs. 1 when answered. */
static int oa_fault(const char *method, const cJSON *params, struct req *r,
		    struct reply *rp, cJSON **keep)
{
	cJSON *fault;
	double d;
	pthread_mutex_lock(&S.mu);
	fault = take_fault(P_OA, method, params);
	pthread_mutex_unlock(&S.mu);
	*keep = NULL;
	if (!fault)
		return 0;
	if (get_num(fault, "delay_ms", &d))
		sleep_ms(d);
	if (fault_is_error(fault)) {
		fault_reply(rp, fault);
		add_rejected(P_OA, method, params, r->t_ms,
			     rp->drop ? 0 : rp->status, fault, NULL);
		cJSON_Delete(fault);
		return 1;
	}
	*keep = fault;
	return 0;
}

static void handle_oa_send(struct MHD_Connection *c, const char *path,
			   struct req *r, struct reply *rp)
{
	const char *method = "message/cs";
	const char *tok = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      "access_token");
	const cJSON *rcp, *msg, *exp;
	const char *user, *text, *err = NULL;
	cJSON *params, *fault, *data, *rec;
	unsigned st = 0;
	const char *desc = NULL;
	char idbuf[64];

	if (strcmp(path, "/v3.0/oa/message/cs")) {
		reply_error(rp, 404, "Not Found");
		return;
	}
	params = build_params(c, r, &st, &desc);
	if (!params) {
		add_rejected(P_OA, method, NULL, r->t_ms, st, NULL, desc);
		reply_error(rp, st, desc);
		return;
	}
	if (oa_fault(method, params, r, rp, &fault)) {
		cJSON_Delete(params);
		return;
	}
	cJSON_Delete(fault);
	pthread_mutex_lock(&S.mu);
	exp = tok ? cJSON_GetObjectItemCaseSensitive(S.oa_access, tok) : NULL;
	if (!exp || exp->valuedouble <= (double)real_ms())
		err = "invalid access token";
	pthread_mutex_unlock(&S.mu);
	rcp = cJSON_GetObjectItemCaseSensitive(params, "recipient");
	msg = cJSON_GetObjectItemCaseSensitive(params, "message");
	user = get_str(rcp, "user_id");
	text = get_str(msg, "text");
	if (err) {
		add_rejected(P_OA, method, params, r->t_ms, 200, NULL, err);
		oa_answer(rp, -216, "Access token is invalid", NULL);
	} else if (!user || !*user || !text || !*text ||
		   utf8_chars(text) > 2000) {
		add_rejected(P_OA, method, params, r->t_ms, 200, NULL,
			     "invalid parameters");
		oa_answer(rp, -201, "Parameters are invalid", NULL);
	} else {
		data = cJSON_CreateObject();
		pthread_mutex_lock(&S.mu);
		snprintf(idbuf, sizeof(idbuf), "fakeoa%012.0f", ++S.oa_msg_id);
		cJSON_AddStringToObject(data, "message_id", idbuf);
		cJSON_AddStringToObject(data, "user_id", user);
		rec = new_record(P_OA, method, params, r->t_ms);
		cJSON_AddItemToObject(rec, "result", cJSON_Duplicate(data, 1));
		cJSON_AddItemToArray(S.sent, rec);
		pthread_cond_broadcast(&S.cv);
		pthread_mutex_unlock(&S.mu);
		oa_answer(rp, 0, "Success", data);
	}
	cJSON_Delete(params);
}

static void oa_token_error(struct reply *rp, int code, const char *name)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddNumberToObject(o, "error", code);
	cJSON_AddStringToObject(o, "error_name", name);
	cJSON_AddStringToObject(o, "error_reason", "");
	cJSON_AddStringToObject(o, "error_description", name);
	reply_json(rp, 200, o);
}

/* The refresh token rotates: the one presented is spent, a new one and
 * an access token are issued. Error codes are the fake's own. */
static void handle_oa_token(struct MHD_Connection *c, const char *path,
			    struct req *r, struct reply *rp)
{
	const char *method = "access_token";
	const char *key = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						      "secret_key");
	const char *app, *grant, *rt, *err = NULL;
	cJSON *params, *fault, *res, *rec;
	unsigned st = 0;
	const char *desc = NULL;
	char at_buf[64], rt_buf[64], ttl[32];
	int code = 0, drop_after;

	if (strcmp(path, "/v4/oa/access_token")) {
		reply_error(rp, 404, "Not Found");
		return;
	}
	params = build_params(c, r, &st, &desc);
	if (!params) {
		add_rejected(P_OA, method, NULL, r->t_ms, st, NULL, desc);
		reply_error(rp, st, desc);
		return;
	}
	if (oa_fault(method, params, r, rp, &fault)) {
		cJSON_Delete(params);
		return;
	}
	drop_after = fault && get_bool(fault, "drop_after");
	cJSON_Delete(fault);
	app = get_str(params, "app_id");
	grant = get_str(params, "grant_type");
	rt = get_str(params, "refresh_token");
	pthread_mutex_lock(&S.mu);
	if (!key || !*key)
		code = -14001, err = "Invalid secret key";
	else if (!app || !*app || !grant || strcmp(grant, "refresh_token"))
		code = -14003, err = "Invalid parameter";
	else if (!rt || !*rt || (S.oa_refresh && strcmp(rt, S.oa_refresh)))
		code = -14014, err = "Invalid refresh token";
	if (err) {
		pthread_mutex_unlock(&S.mu);
		add_rejected(P_OA, method, params, r->t_ms, 200, NULL, err);
		oa_token_error(rp, code, err);
		cJSON_Delete(params);
		return;
	}
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
	rec = new_record(P_OA, method, params, r->t_ms);
	cJSON_AddItemToObject(rec, "result", cJSON_Duplicate(res, 1));
	if (drop_after)
		cJSON_AddTrueToObject(rec, "dropped");
	cJSON_AddItemToArray(S.sent, rec);
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	if (drop_after) {
		/* rotated, but the answer never arrives */
		cJSON_Delete(res);
		rp->drop = 1;
		rp->note = "drop";
	} else {
		reply_json(rp, 200, res);
	}
	cJSON_Delete(params);
}

static cJSON *control_body(struct req *r, struct reply *rp);

/* POST: script the tokens; GET: what the fake holds now. */
static void ctl_oa_tokens(const char *hmethod, struct req *r,
			  struct reply *rp)
{
	cJSON *b, *out;
	double d;
	const char *s;
	if (strcmp(hmethod, "POST")) {
		out = cJSON_CreateObject();
		pthread_mutex_lock(&S.mu);
		if (S.oa_refresh)
			cJSON_AddStringToObject(out, "refresh_token", S.oa_refresh);
		else
			cJSON_AddNullToObject(out, "refresh_token");
		cJSON_AddNumberToObject(out, "issued", S.oa_gen);
		cJSON_AddNumberToObject(out, "access_tokens",
					cJSON_GetArraySize(S.oa_access));
		cJSON_AddNumberToObject(out, "expires_in", S.oa_ttl);
		pthread_mutex_unlock(&S.mu);
		reply_json(rp, 200, out);
		return;
	}
	if (!(b = control_body(r, rp)))
		return;
	pthread_mutex_lock(&S.mu);
	if ((s = get_str(b, "refresh_token")) != NULL) {
		free(S.oa_refresh);
		S.oa_refresh = *s ? xstrdup(s) : NULL;
	}
	if (get_num(b, "expires_in", &d) && d >= 1)
		S.oa_ttl = ifloor(d);
	if ((s = get_str(b, "access_token")) != NULL && *s) {
		cJSON_DeleteItemFromObjectCaseSensitive(S.oa_access, s);
		cJSON_AddNumberToObject(S.oa_access, s,
					(double)real_ms() + S.oa_ttl * 1000);
	}
	if (get_bool(b, "expire_access")) {
		cJSON *it;
		cJSON_ArrayForEach(it, S.oa_access)
			cJSON_SetNumberValue(it, 0);
	}
	pthread_mutex_unlock(&S.mu);
	cJSON_Delete(b);
	rp->status = 200;
	rp->body = xstrdup("{\"ok\":true}");
}

/* ------------------------------------------------------------------ */
/* control endpoints                                                    */

static cJSON *control_body(struct req *r, struct reply *rp)
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
	b = parse_json(r->body, r->len);
	if (!b)
		reply_cerror(rp, 400, "invalid JSON body");
	return b;
}

/* Insert keeping tg_queue sorted by update_id.  S.mu held. */
static void tg_insert(cJSON *u, double id)
{
	cJSON *it;
	int i = 0;
	cJSON_ArrayForEach(it, S.tg_queue)
	{
		double other = 0;
		get_num(it, "update_id", &other);
		if (other > id) {
			cJSON_InsertItemInArray(S.tg_queue, i, u);
			return;
		}
		i++;
	}
	cJSON_AddItemToArray(S.tg_queue, u);
}

static void ctl_tg_update(struct MHD_Connection *c, struct req *r,
			  struct reply *rp)
{
	cJSON *b = control_body(r, rp), *it, *out;
	int is_arr;
	double next;
	if (!b)
		return;
	is_arr = cJSON_IsArray(b);
	if (is_arr) {
		cJSON_ArrayForEach(it, b)
		{
			if (!cJSON_IsObject(it)) {
				cJSON_Delete(b);
				reply_cerror(rp, 400, "array items must be Update objects");
				return;
			}
		}
	} else if (!cJSON_IsObject(b)) {
		cJSON_Delete(b);
		reply_cerror(rp, 400, "body must be an Update object or an array of them");
		return;
	}
	out = is_arr ? cJSON_CreateArray() : NULL;
	pthread_mutex_lock(&S.mu);
	if (query_num(c, "next_id", &next) && next >= 1)
		S.tg_next_id = ifloor(next);
	for (it = is_arr ? b->child : b; it; it = is_arr ? it->next : NULL) {
		cJSON *u = cJSON_CreateObject(), *kv;
		double id;
		if (get_num(it, "update_id", &id) && id >= 0) {
			id = ifloor(id);
			if (id >= S.tg_next_id)
				S.tg_next_id = id + 1;
		} else {
			id = S.tg_next_id++;
		}
		cJSON_AddNumberToObject(u, "update_id", id);
		cJSON_ArrayForEach(kv, it)
		{
			if (kv->string && strcmp(kv->string, "update_id"))
				cJSON_AddItemToObject(u, kv->string,
						      cJSON_Duplicate(kv, 1));
		}
		tg_insert(u, id);
		if (is_arr)
			cJSON_AddItemToArray(out, cJSON_CreateNumber(id));
		else {
			out = cJSON_CreateObject();
			cJSON_AddNumberToObject(out, "update_id", id);
		}
	}
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	cJSON_Delete(b);
	reply_json(rp, 200, out);
}

static void ctl_zalo_update(struct req *r, struct reply *rp)
{
	cJSON *b = control_body(r, rp), *it, *out;
	int is_arr, n = 0;
	if (!b)
		return;
	is_arr = cJSON_IsArray(b);
	if (is_arr) {
		cJSON_ArrayForEach(it, b)
		{
			if (!cJSON_IsObject(it)) {
				cJSON_Delete(b);
				reply_cerror(rp, 400, "array items must be objects");
				return;
			}
		}
	} else if (!cJSON_IsObject(b)) {
		cJSON_Delete(b);
		reply_cerror(rp, 400, "body must be a message object or an array of them");
		return;
	}
	pthread_mutex_lock(&S.mu);
	for (it = is_arr ? b->child : b; it; it = is_arr ? it->next : NULL) {
		cJSON *u = cJSON_CreateObject();
		const cJSON *msg = cJSON_GetObjectItemCaseSensitive(it, "message");
		const char *ev = get_str(it, "event_name");
		if (cJSON_IsObject(msg)) {
			cJSON_AddStringToObject(u, "event_name",
						ev ? ev : "message.text.received");
			cJSON_AddItemToObject(u, "message", cJSON_Duplicate(msg, 1));
		} else {
			cJSON_AddStringToObject(u, "event_name",
						"message.text.received");
			cJSON_AddItemToObject(u, "message", cJSON_Duplicate(it, 1));
		}
		cJSON_AddItemToArray(S.zalo_queue, u);
		n++;
	}
	out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "queued", n);
	cJSON_AddNumberToObject(out, "pending", cJSON_GetArraySize(S.zalo_queue));
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	cJSON_Delete(b);
	reply_json(rp, 200, out);
}

/* POST /control/telegram/member {"user_id":N,"status":"left","chat_id":C}:
 * what getChatMember answers for that user (in that chat, or any chat). */
static void ctl_tg_member(struct req *r, struct reply *rp)
{
	cJSON *b = control_body(r, rp), *out;
	const char *st;
	char chat[64], key[160];
	double uid;
	if (!b)
		return;
	st = get_str(b, "status");
	if (!get_num(b, "user_id", &uid) || !st || !*st) {
		cJSON_Delete(b);
		reply_cerror(rp, 400, "need user_id (number) and status (string)");
		return;
	}
	chat_text(b, chat, sizeof(chat));
	if (chat[0])
		snprintf(key, sizeof(key), "%s:%.0f", chat, uid);
	else
		snprintf(key, sizeof(key), "%.0f", uid);
	pthread_mutex_lock(&S.mu);
	set_item(S.members, key, cJSON_CreateString(st));
	pthread_mutex_unlock(&S.mu);
	cJSON_Delete(b);
	out = cJSON_CreateObject();
	cJSON_AddTrueToObject(out, "ok");
	reply_json(rp, 200, out);
}

/* GET /control/{sent,rejected,polls}. */
static void ctl_list(struct MHD_Connection *c, cJSON **listp, struct reply *rp)
{
	const char *pf = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "platform");
	const char *mf = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "method");
	double since = 0, min = 0, wait_ms = 0;
	int64_t deadline;
	cJSON *out;
	query_num(c, "since", &since);
	query_num(c, "min", &min);
	query_num(c, "wait_ms", &wait_ms);
	wait_ms = clampd(wait_ms, 0, MAX_WAIT_MS);
	deadline = mono_ms() + (int64_t)wait_ms;
	pthread_mutex_lock(&S.mu);
	for (;;) {
		cJSON *rec;
		int n = 0;
		int64_t now, until;
		out = cJSON_CreateArray();
		cJSON_ArrayForEach(rec, *listp)
		{
			double seq = 0;
			const char *p = get_str(rec, "platform");
			const char *m = get_str(rec, "method");
			get_num(rec, "seq", &seq);
			if (seq <= since)
				continue;
			if (pf && *pf && (!p || strcasecmp(pf, p)))
				continue;
			if (mf && *mf && (!m || strcasecmp(mf, m)))
				continue;
			cJSON_AddItemToArray(out, cJSON_Duplicate(rec, 1));
			n++;
		}
		if (n >= min || S.shutting_down)
			break;
		now = mono_ms();
		if (now >= deadline)
			break;
		cJSON_Delete(out);
		until = now + GONE_CHECK_MS < deadline ? now + GONE_CHECK_MS
						       : deadline;
		cv_wait_until(until);
		if (client_gone(c)) {
			pthread_mutex_unlock(&S.mu);
			rp->drop = 1;
			rp->note = "client-gone";
			return;
		}
	}
	pthread_mutex_unlock(&S.mu);
	reply_json(rp, 200, out);
}

static void ctl_stats(struct reply *rp)
{
	cJSON *o = cJSON_CreateObject(), *g, *pd, *pl, *snt, *rj, *rec;
	int i;
	pthread_mutex_lock(&S.mu);
	cJSON_AddNumberToObject(o, "requests", (double)S.requests);
	g = cJSON_AddObjectToObject(o, "getUpdates");
	pl = cJSON_AddObjectToObject(o, "polling");
	pd = cJSON_AddObjectToObject(o, "pending");
	snt = cJSON_AddObjectToObject(o, "sent");
	rj = cJSON_AddObjectToObject(o, "rejected");
	for (i = 0; i < P_COUNT; i++) {
		cJSON_AddNumberToObject(g, platform_name[i], (double)S.get_updates[i]);
		cJSON_AddNumberToObject(pl, platform_name[i], (double)S.polling[i]);
		cJSON_AddObjectToObject(snt, platform_name[i]);
		cJSON_AddNumberToObject(rj, platform_name[i], 0);
	}
	cJSON_AddNumberToObject(pd, "telegram", cJSON_GetArraySize(S.tg_queue));
	cJSON_AddNumberToObject(pd, "zalo", cJSON_GetArraySize(S.zalo_queue));
	cJSON_AddNumberToObject(pd, "zalo_oa", 0);   /* pushed, not queued */
	cJSON_ArrayForEach(rec, S.sent)
	{
		const char *p = get_str(rec, "platform");
		const char *m = get_str(rec, "method");
		cJSON *po = p ? cJSON_GetObjectItemCaseSensitive(snt, p) : NULL;
		cJSON *cnt;
		if (!po || !m)
			continue;
		cnt = cJSON_GetObjectItemCaseSensitive(po, m);
		if (cnt)
			cJSON_SetNumberValue(cnt, cnt->valuedouble + 1);
		else
			cJSON_AddNumberToObject(po, m, 1);
	}
	cJSON_ArrayForEach(rec, S.rejected)
	{
		const char *p = get_str(rec, "platform");
		cJSON *cnt = p ? cJSON_GetObjectItemCaseSensitive(rj, p) : NULL;
		if (cnt)
			cJSON_SetNumberValue(cnt, cnt->valuedouble + 1);
	}
	cJSON_AddNumberToObject(o, "faults_served", (double)S.faults_served);
	cJSON_AddNumberToObject(o, "faults_pending", cJSON_GetArraySize(S.faults));
	cJSON_AddNumberToObject(o, "zalo_redeliver_pending", S.zalo_redeliver);
	cJSON_AddNumberToObject(o, "telegram_next_update_id", S.tg_next_id);
	pthread_mutex_unlock(&S.mu);
	reply_json(rp, 200, o);
}

static void ctl_fault(struct req *r, struct reply *rp)
{
	cJSON *b = control_body(r, rp), *it, *out;
	const char *err = NULL;
	if (!b)
		return;
	if (cJSON_IsArray(b)) {
		cJSON_ArrayForEach(it, b)
		{
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
			cJSON_AddItemToArray(S.faults, cJSON_DetachItemViaPointer(b, it));
		cJSON_Delete(b);
	} else {
		cJSON_AddItemToArray(S.faults, b);
	}
	out = cJSON_CreateObject();
	cJSON_AddNumberToObject(out, "faults_pending", cJSON_GetArraySize(S.faults));
	pthread_mutex_unlock(&S.mu);
	reply_json(rp, 200, out);
}

static void state_clear(void)
{
	cJSON_Delete(S.tg_queue);
	cJSON_Delete(S.zalo_queue);
	cJSON_Delete(S.sent);
	cJSON_Delete(S.polls);
	cJSON_Delete(S.rejected);
	cJSON_Delete(S.faults);
	cJSON_Delete(S.members);
	S.members = cJSON_CreateObject();
	S.tg_queue = cJSON_CreateArray();
	S.zalo_queue = cJSON_CreateArray();
	S.sent = cJSON_CreateArray();
	S.polls = cJSON_CreateArray();
	S.rejected = cJSON_CreateArray();
	S.faults = cJSON_CreateArray();
	S.tg_next_id = 1;
	S.seq = 0;
	S.tg_msg_id = 0;
	S.zalo_msg_id = 0;
	S.zalo_redeliver = 0;
	free(S.tg_webhook);
	S.tg_webhook = NULL;
	free(S.oa_refresh);
	S.oa_refresh = NULL;
	cJSON_Delete(S.oa_access);
	S.oa_access = cJSON_CreateObject();
	S.oa_gen = 0;
	S.oa_ttl = 3600;
	S.oa_msg_id = 0;
	S.requests = 0;
	memset(S.get_updates, 0, sizeof(S.get_updates));
	S.faults_served = 0;
	/* S.polling tracks live requests and is not reset. */
}

static void ctl_reset(struct req *r, struct reply *rp)
{
	double next = 0;
	cJSON *b = NULL, *out;
	if (r->len) {
		b = parse_json(r->body, r->len);
		if (!b) {
			reply_cerror(rp, 400, "invalid JSON body");
			return;
		}
		get_num(b, "telegram_next_update_id", &next);
		cJSON_Delete(b);
	}
	pthread_mutex_lock(&S.mu);
	state_clear();
	if (next >= 1)
		S.tg_next_id = ifloor(next);
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	out = cJSON_CreateObject();
	cJSON_AddTrueToObject(out, "ok");
	reply_json(rp, 200, out);
}

static void handle_control(struct MHD_Connection *c, const char *hmethod,
			   const char *path, struct req *r, struct reply *rp)
{
	int is_post = !strcmp(hmethod, "POST");
	int is_get = !strcmp(hmethod, "GET") || !strcmp(hmethod, "HEAD");
	if (!strcmp(path, "/telegram/update")) {
		if (is_post)
			ctl_tg_update(c, r, rp);
		else
			reply_cerror(rp, 405, "use POST");
	} else if (!strcmp(path, "/telegram/member")) {
		if (is_post)
			ctl_tg_member(r, rp);
		else
			reply_cerror(rp, 405, "use POST");
	} else if (!strcmp(path, "/zalo/update")) {
		if (is_post)
			ctl_zalo_update(r, rp);
		else
			reply_cerror(rp, 405, "use POST");
	} else if (!strcmp(path, "/sent") || !strcmp(path, "/rejected") ||
		   !strcmp(path, "/polls")) {
		if (!is_get) {
			reply_cerror(rp, 405, "use GET");
			return;
		}
		ctl_list(c, path[1] == 's' ? &S.sent : path[1] == 'r' ? &S.rejected : &S.polls, rp);
	} else if (!strcmp(path, "/oa/tokens")) {
		if (is_post || is_get)
			ctl_oa_tokens(hmethod, r, rp);
		else
			reply_cerror(rp, 405, "use GET or POST");
	} else if (!strcmp(path, "/stats")) {
		if (is_get)
			ctl_stats(rp);
		else
			reply_cerror(rp, 405, "use GET");
	} else if (!strcmp(path, "/fault")) {
		if (is_post)
			ctl_fault(r, rp);
		else
			reply_cerror(rp, 405, "use POST");
	} else if (!strcmp(path, "/faults")) {
		if (!is_get) {
			reply_cerror(rp, 405, "use GET");
			return;
		}
		pthread_mutex_lock(&S.mu);
		{
			cJSON *copy = cJSON_Duplicate(S.faults, 1);
			pthread_mutex_unlock(&S.mu);
			reply_json(rp, 200, copy);
		}
	} else if (!strcmp(path, "/fault/clear")) {
		if (!is_post) {
			reply_cerror(rp, 405, "use POST");
			return;
		}
		pthread_mutex_lock(&S.mu);
		cJSON_Delete(S.faults);
		S.faults = cJSON_CreateArray();
		S.zalo_redeliver = 0;
		pthread_mutex_unlock(&S.mu);
		rp->status = 200;
		rp->body = xstrdup("{\"ok\":true}");
	} else if (!strcmp(path, "/reset")) {
		if (is_post)
			ctl_reset(r, rp);
		else
			reply_cerror(rp, 405, "use POST");
	} else {
		reply_cerror(rp, 404, "unknown control endpoint");
	}
}

/* ------------------------------------------------------------------ */
/* logging                                                              */

static void log_request(const char *hmethod, const char *url,
			const struct reply *rp)
{
	char path[512];
	size_t o = 0;
	const char *p = url, *tok_end;
	size_t pre = 0;
	if (!log_fp)
		return;
	if (!strncmp(url, "/zalo/bot", 9))
		pre = 9;
	else if (!strncmp(url, "/bot", 4))
		pre = 4;
	if (pre) {
		memcpy(path, url, pre);
		o = pre;
		memcpy(path + o, "<token>", 7);
		o += 7;
		tok_end = strchr(url + pre, '/');
		p = tok_end ? tok_end : url + strlen(url);
	}
	for (; *p && o + 1 < sizeof(path); p++)
		path[o++] = (*p >= 0x21 && *p <= 0x7e) ? *p : '?';
	path[o] = '\0';
	pthread_mutex_lock(&log_mu);
	if (rp->drop)
		fprintf(log_fp, "%lld %s %s %s\n", (long long)mono_ms(), hmethod,
			path, rp->note ? rp->note : "drop");
	else
		fprintf(log_fp, "%lld %s %s %u\n", (long long)mono_ms(), hmethod,
			path, rp->status);
	fflush(log_fp);
	pthread_mutex_unlock(&log_mu);
}

/* ------------------------------------------------------------------ */
/* MHD glue                                                             */

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
				  const char *url, const char *hmethod,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct req *r = *con_cls;
	struct reply rp;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	(void)cls;
	(void)version;

	if (!r) {
		const char *ct;
		r = calloc(1, sizeof(*r));
		if (!r)
			return MHD_NO;
		r->t_ms = mono_ms();
		ct = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_TYPE);
		if (ct && !strncasecmp(ct, "application/json", 16))
			r->is_json_ct = 1;
		else if (ct && strncmp(url, "/control/", 9) &&
			 (!strncasecmp(ct, MHD_HTTP_POST_ENCODING_FORM_URLENCODED,
				       strlen(MHD_HTTP_POST_ENCODING_FORM_URLENCODED)) ||
			  !strncasecmp(ct, MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA,
				       strlen(MHD_HTTP_POST_ENCODING_MULTIPART_FORMDATA)))) {
			r->pp = MHD_create_post_processor(c, 4096, post_iter, r);
			if (!r->pp)
				r->pp_error = 1;
		}
		*con_cls = r;
		return MHD_YES;
	}

	if (*upload_data_size) {
		size_t n = *upload_data_size;
		*upload_data_size = 0;
		r->total += n;
		if (r->too_large || r->total > BODY_CAP) {
			r->too_large = 1;
			return MHD_YES;
		}
		if (r->pp) {
			if (!r->pp_error && !r->oom &&
			    MHD_post_process(r->pp, upload_data, n) != MHD_YES)
				r->pp_error = 1;
		} else if (!r->pp_error && !r->oom) {
			if (buf_append(&r->body, &r->len, &r->cap, upload_data, n))
				r->oom = 1;
		}
		return MHD_YES;
	}

	memset(&rp, 0, sizeof(rp));
	pthread_mutex_lock(&S.mu);
	S.requests++;
	pthread_mutex_unlock(&S.mu);

	if (!strncmp(url, "/control/", 9))
		handle_control(c, hmethod, url + 8, r, &rp);
	else if (!strncmp(url, "/zalo/bot", 9))
		handle_bot(c, P_ZALO, url + 9, r, &rp);
	else if (!strncmp(url, "/oa/", 4))
		handle_oa_send(c, url + 3, r, &rp);
	else if (!strncmp(url, "/oauth/", 7))
		handle_oa_token(c, url + 6, r, &rp);
	else if (!strncmp(url, "/bot", 4))
		handle_bot(c, P_TELEGRAM, url + 4, r, &rp);
	else
		reply_error(&rp, 404, "Not Found");

	if (!rp.drop && !rp.body) {
		rp.status = 500;
		rp.body = xstrdup("{\"ok\":false,\"error_code\":500,"
				  "\"description\":\"Internal Server Error\"}");
	}
	log_request(hmethod, url, &rp);
	if (rp.drop)
		return MHD_NO;
	if (!rp.body)
		return MHD_NO;
	resp = MHD_create_response_from_buffer(strlen(rp.body), rp.body,
					       MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(rp.body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/json");
	ret = MHD_queue_response(c, rp.status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void usage(FILE *fp)
{
	fprintf(fp, "usage: fakeapi --port N|0 [--portfile FILE] [--log FILE]\n"
		    "Fake Telegram Bot API (/bot<TOKEN>/<method>) and Zalo Bot "
		    "API (/zalo/bot<TOKEN>/<method>)\n"
		    "on 127.0.0.1, scripted via /control/*.  See "
		    "tests/fakeapi/README.md.\n");
}

static int write_portfile(const char *path, unsigned port)
{
	char tmp[4096];
	FILE *fp;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid()) >=
	    (int)sizeof(tmp))
		return -1;
	fp = fopen(tmp, "w");
	if (!fp)
		return -1;
	fprintf(fp, "%u\n", port);
	if (fclose(fp) != 0 || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	long port = -1;
	const char *portfile = NULL, *logfile = NULL;
	struct sockaddr_in sa;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *di;
	pthread_condattr_t ca;
	sigset_t set;
	unsigned bound;
	int i, sig = 0;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--port") && i + 1 < argc) {
			char *end;
			port = strtol(argv[++i], &end, 10);
			if (*end || port < 0 || port > 65535) {
				fprintf(stderr, "fakeapi: bad --port\n");
				return 2;
			}
		} else if (!strcmp(argv[i], "--portfile") && i + 1 < argc) {
			portfile = argv[++i];
		} else if (!strcmp(argv[i], "--log") && i + 1 < argc) {
			logfile = argv[++i];
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return 2;
		}
	}
	if (port < 0) {
		usage(stderr);
		return 2;
	}

	/* Signals go to sigwait() in main; threads inherit the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	pthread_mutex_init(&S.mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&S.cv, &ca);
	pthread_condattr_destroy(&ca);
	state_clear();

	if (logfile) {
		log_fp = fopen(logfile, "a");
		if (!log_fp) {
			fprintf(stderr, "fakeapi: can't open log %s: %s\n",
				logfile, strerror(errno));
			return 1;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				     MHD_USE_THREAD_PER_CONNECTION |
				     MHD_USE_POLL | MHD_USE_ERROR_LOG,
			     (uint16_t)port, NULL, NULL, on_request, NULL,
			     MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
			     MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
			     MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)0,
			     MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "fakeapi: can't listen on 127.0.0.1:%ld\n", port);
		return 1;
	}
	di = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	bound = di ? di->port : (unsigned)port;
	if (portfile && write_portfile(portfile, bound) != 0) {
		fprintf(stderr, "fakeapi: can't write %s: %s\n", portfile,
			strerror(errno));
		MHD_stop_daemon(d);
		return 1;
	}
	fprintf(stderr, "fakeapi: listening on 127.0.0.1:%u\n", bound);

	while (sigwait(&set, &sig) != 0)
		;
	fprintf(stderr, "fakeapi: signal %d, shutting down\n", sig);

	pthread_mutex_lock(&S.mu);
	S.shutting_down = 1;
	pthread_cond_broadcast(&S.cv);
	pthread_mutex_unlock(&S.mu);
	MHD_stop_daemon(d);

	if (portfile)
		unlink(portfile);
	pthread_mutex_lock(&S.mu);
	cJSON_Delete(S.tg_queue);
	cJSON_Delete(S.zalo_queue);
	cJSON_Delete(S.sent);
	cJSON_Delete(S.polls);
	cJSON_Delete(S.rejected);
	cJSON_Delete(S.faults);
	free(S.tg_webhook);
	cJSON_Delete(S.members);
	free(S.oa_refresh);
	cJSON_Delete(S.oa_access);
	pthread_mutex_unlock(&S.mu);
	if (log_fp)
		fclose(log_fp);
	return 0;
}
