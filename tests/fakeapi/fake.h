/*
 * Private to fakeapi, the scriptable fake of the Telegram Bot API, the Zalo
 * Bot API and the Zalo OA API that the integration tests talk to (README.md
 * next to this file has the CLI and the /control protocol).
 *
 * fake.c        the HTTP server (libmicrohttpd), request bodies, replies,
 *               the JSON helpers, the log, main
 * fake_ctl.c    the state, the records (/control/sent, rejected, polls)
 *               and the /control router
 * fake_fault.c  scripted faults: checked, matched, answered
 * fake_bot.c    what a call of both bot APIs goes through (token, method,
 *               fault, argument checks, record)
 * fake_tg.c     Telegram: its methods, getUpdates, its /control endpoints
 * fake_zalo.c   Zalo Bot API: its methods, getUpdates, /control/zalo/update
 * fake_oa.c     Zalo OA: message/cs, the OAuth refresh, /control/oa/tokens
 *
 * All state lives in S, guarded by S.mu: one lock, because a wait for a
 * record (/control/sent?min=) must wake on a change made by any platform.
 * S.cv is broadcast on every change.  Functions marked "S.mu held" expect
 * the caller to hold it; the others take it themselves.
 */
#ifndef FAKEAPI_FAKE_H
#define FAKEAPI_FAKE_H

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#define BODY_CAP ((uint64_t)1024 * 1024)
#define MAX_POLL_S 3600.0
#define MAX_WAIT_MS 600000.0

enum platform {
	P_TELEGRAM,
	P_ZALO,
	P_OA,
	P_COUNT
};

struct state {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int shutting_down;
	cJSON *sent;            /* successful bot calls except getUpdates */
	cJSON *polls;           /* getUpdates calls answered normally */
	cJSON *rejected;        /* bot calls answered with an error / dropped */
	cJSON *faults;          /* pending faults; "remaining" is internal */
	double seq;             /* one counter for the three lists */
	long long requests;
	long long get_updates[P_COUNT];
	long long polling[P_COUNT];     /* live, so never reset */
	long long faults_served;
	/* Telegram */
	cJSON *tg_queue;        /* Update objects, ascending update_id */
	cJSON *members;         /* "chat_id:user_id" or "user_id" → status */
	double tg_next_id;
	double tg_msg_id;
	char *tg_webhook;       /* the URL setWebhook set, or NULL */
	/* Zalo Bot API */
	cJSON *zalo_queue;      /* {"event_name","message"}, FIFO */
	double zalo_msg_id;
	int zalo_redeliver;
	/* Zalo OA: the one refresh token the OAuth endpoint accepts (NULL:
	 * any, once), the access tokens it issued → expiry (real ms) */
	char *oa_refresh;
	cJSON *oa_access;
	double oa_gen;
	double oa_ttl;          /* expires_in of the tokens it issues, seconds */
	double oa_msg_id;
};

/* A form field or multipart part of a request body. */
struct field {
	char *key;
	char *val;
	size_t len;
	int is_file;
	char *filename;
	char *ctype;
	uint64_t size;
};

/* One request, from its first callback to its completion. */
struct req {
	int64_t t_ms;           /* monotonic, at receipt: the records' t_ms */
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
	char *body;             /* malloc'd; NULL → generic 500 */
	int drop;               /* close the connection without answering */
	const char *note;       /* for the log when dropped */
};

/* A method of a bot API. */
struct bot_method {
	const char *name;       /* canonical spelling, for the records */
	/* The result of a call that passed every check (S.mu held);
	 * NULL for getUpdates, which the platform's poll answers. */
	cJSON *(*result)(const char *name, const cJSON *params);
};

/* What differs between the two bot APIs (fake_bot.c runs them). */
struct bot_api {
	enum platform pl;
	const struct bot_method *methods;       /* ends with a NULL name */
	/* getUpdates; fault is one that only delayed the call, or NULL */
	void (*poll)(struct MHD_Connection *c, const cJSON *params,
	    int64_t t_ms, const cJSON *fault, struct reply *rp);
	/* Argument checks of this platform only: NULL or the error. */
	const char *(*check)(const char *method, const cJSON *params);
	/* A fault was taken for a call (may be NULL). */
	void (*faulted)(const cJSON *fault);
};

extern struct state S;
extern const char *const platform_name[P_COUNT];
extern const struct bot_api tg_api, zalo_api;

/* fake.c */
int64_t mono_ms(void);
int64_t real_ms(void);
void sleep_ms(double ms);
int wait_ready(struct MHD_Connection *c, int64_t deadline,
    int (*ready)(void *), void *arg);
char *xstrdup(const char *s);
cJSON *parse_json(const char *buf, size_t len);
int json_num(const cJSON *obj, const char *key, double *out);
int json_bool(const cJSON *obj, const char *key);
const char *json_str(const cJSON *obj, const char *key);
void json_set(cJSON *obj, const char *key, cJSON *item);
void chat_text(const cJSON *obj, char *out, size_t n);
int query_num(struct MHD_Connection *c, const char *key, double *out);
double ifloor(double v);
double clampd(double v, double lo, double hi);
cJSON *request_params(struct MHD_Connection *c, struct req *r,
    enum platform pl, const char *method, struct reply *rp);
void reply_json(struct reply *rp, unsigned status, cJSON *j);
void reply_ok(struct reply *rp, cJSON *result);
cJSON *error_obj(int code, const char *desc);
void reply_error(struct reply *rp, unsigned status, const char *desc);
void reply_cerror(struct reply *rp, unsigned status, const char *desc);
void reply_done(struct reply *rp);
void reply_drop(struct reply *rp, const char *note);

/* fake_ctl.c */
void state_clear(void);
void state_free(void);
cJSON *record_new(enum platform pl, const char *method,
    const cJSON *params, int64_t t_ms);
cJSON *record_sent(enum platform pl, const char *method,
    const cJSON *params, int64_t t_ms, const cJSON *result);
void record_poll(enum platform pl, const cJSON *params, int64_t t_ms,
    cJSON *returned);
void record_rejected(enum platform pl, const char *method,
    const cJSON *params, int64_t t_ms, unsigned status,
    const cJSON *fault, const char *error);
cJSON *ctl_body(struct req *r, struct reply *rp);
cJSON *ctl_items(struct req *r, struct reply *rp, const char *item_err,
    const char *body_err);
void ctl_handle(struct MHD_Connection *c, const char *hmethod,
    const char *path, struct req *r, struct reply *rp);

/* fake_fault.c */
int fault_serve(enum platform pl, const char *method, const cJSON *params,
    int64_t t_ms, void (*seen)(const cJSON *), struct reply *rp,
    cJSON **keep);
void fault_ctl_add(struct MHD_Connection *c, const char *hmethod,
    struct req *r, struct reply *rp);
void fault_ctl_list(struct MHD_Connection *c, const char *hmethod,
    struct req *r, struct reply *rp);
void fault_ctl_clear(struct MHD_Connection *c, const char *hmethod,
    struct req *r, struct reply *rp);

/* fake_bot.c */
void bot_handle(struct MHD_Connection *c, const struct bot_api *api,
    const char *rest, struct req *r, struct reply *rp);
cJSON *bot_true(const char *name, const cJSON *params);

/* fake_tg.c */
void tg_ctl_update(struct MHD_Connection *c, const char *hmethod,
    struct req *r, struct reply *rp);
void tg_ctl_member(struct MHD_Connection *c, const char *hmethod,
    struct req *r, struct reply *rp);

/* fake_zalo.c */
void zalo_ctl_update(struct MHD_Connection *c, const char *hmethod,
    struct req *r, struct reply *rp);

/* fake_oa.c */
void oa_handle(struct MHD_Connection *c, const char *url, struct req *r,
    struct reply *rp);
void oa_fault_reply(struct reply *rp, unsigned status, const char *method,
    double code, const char *desc);
void oa_ctl_tokens(struct MHD_Connection *c, const char *hmethod,
    struct req *r, struct reply *rp);

#endif
