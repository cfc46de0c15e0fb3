/*
 * webhook: pushes from Telegram, the Zalo Bot Platform and the Zalo
 * Official Account over HTTP (webhook_listen, behind a TLS proxy). libmicrohttpd runs in external
 * mode inside the daemon's loop: one epoll fd polled with curl's, and the
 * requests are handled by MHD_run on the loop thread, so the store is only
 * ever touched there. A push is answered 200 only after its update and
 * outbox rows are committed (ingest_batch), 5xx when the store failed so
 * the platform sends it again; a repeat is answered 200 and not handled.
 * Telegram and the Zalo Bot carry webhook_secret in a header; the OA signs
 * each event (X-ZEvent-Signature), checked once the body is in.
 */
#include "webhook.h"
#include "daemon_int.h"

#include <microhttpd.h>
#include <openssl/crypto.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "log.h"
#include "metrics.h"
#include "util.h"
#include "zalo_oa.h"

/* Telegram's and Zalo's updates are a few kilobytes; a long text with
 * entities stays far below this. */
#define WEBHOOK_BODY_CAP (256 * 1024)

struct webhook {
	struct MHD_Daemon *mhd;
	struct daemon *d;
	int port;
};

struct req {
	enum platform_id p;
	int status;             /* refused before the body: this status */
	const char *why;
	struct buf body;
	char sig[160];          /* OA: X-ZEvent-Signature, as received */
};

static enum MHD_Result
reply(struct MHD_Connection *c, unsigned int status, const char *text)
{
	struct MHD_Response *r = MHD_create_response_from_buffer(strlen(text),
	    (void *)(uintptr_t)text, MHD_RESPMEM_PERSISTENT);
	enum MHD_Result rc;

	if (!r)
		return MHD_NO;
	(void)MHD_add_response_header(r, "Content-Type",
	    "text/plain; charset=utf-8");
	if (status == MHD_HTTP_METHOD_NOT_ALLOWED)
		(void)MHD_add_response_header(r, "Allow", "POST");
	rc = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return rc;
}

/* Constant time in the secret's content; its length is no secret. */
static int
secret_ok(const char *got, const char *want)
{
	size_t n = strlen(want);

	return got && strlen(got) == n && CRYPTO_memcmp(got, want, n) == 0;
}

/* Before the body: which platform, and whether to listen at all. */
static void
route(struct webhook *w, struct MHD_Connection *c, const char *url,
    const char *method, struct req *r)
{
	const struct config *cfg = w->d->cfg;
	const char *got, *len;
	int i = platform_find_path(url);

	if (i >= 0)
		r->p = (enum platform_id)i;
	else {
		r->status = MHD_HTTP_NOT_FOUND;
		r->why = "not found: POST /telegram, /zalo or /zalo-oa\n";
		return;
	}
	if (strcmp(method, MHD_HTTP_METHOD_POST) != 0) {
		r->status = MHD_HTTP_METHOD_NOT_ALLOWED;
		r->why = "method not allowed: POST only\n";
		return;
	}
	if (!w->d->poll[r->p].enabled) {
		r->status = MHD_HTTP_NOT_FOUND;
		r->why = "this platform is not configured\n";
		return;
	}
	if (platforms[r->p].caps & PLATFORM_SIGNED) {
		/* checked against the body, once it is in */
		got = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
		    "X-ZEvent-Signature");
		if (got && strlen(got) < sizeof(r->sig))
			snprintf(r->sig, sizeof(r->sig), "%s", got);
		else if (got)
			snprintf(r->sig, sizeof(r->sig), "too long");
		goto length;
	}
	got = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    platforms[r->p].secret_header);
	if (!got) {
		r->status = MHD_HTTP_UNAUTHORIZED;
		r->why = "missing secret token\n";
	} else if (!secret_ok(got, cfg->webhook_secret)) {
		r->status = MHD_HTTP_FORBIDDEN;
		r->why = "wrong secret token\n";
	}
	if (r->status) {
		log_warn("webhook: %s push refused: %s", platforms[r->p].name,
		    r->status == MHD_HTTP_UNAUTHORIZED ? "no secret token" :
		    "wrong secret token");
		return;
	}
length:
	len = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
	    MHD_HTTP_HEADER_CONTENT_LENGTH);
	if (len && strtoull(len, NULL, 10) > WEBHOOK_BODY_CAP) {
		r->status = MHD_HTTP_CONTENT_TOO_LARGE;
		r->why = "request body too large\n";
	}
}

/*
 * A push is one update, wrapped in getUpdates' envelope for the polling
 * parser. Returns the number of events (0: nothing to act on), -1 if
 * malformed.
 */
static int
parse_push(enum platform_id p, const struct buf *body, struct event **ev,
    size_t *n)
{
	const struct platform *pf = &platforms[p];
	struct api_error err;
	struct buf env;
	int64_t next;
	int rc = -1;

	*ev = NULL;
	*n = 0;
	buf_init(&env, WEBHOOK_BODY_CAP + 64);
	if (pf->wrap_push(body->data, body->len, &env) == 0 &&
	    pf->parse_updates(env.data, env.len, ev, n, &next, &err) == API_OK)
		rc = (int)*n;
	buf_release(&env);
	if (rc <= 0) {
		free(*ev);
		*ev = NULL;
		*n = 0;
	}
	return rc;
}

/*
 * The OA's signature over the raw body: nothing of a push that fails it is
 * read further, let alone stored. 1 if good; else r->status is set.
 */
static int
signed_ok(struct webhook *w, struct req *r)
{
	const struct config *cfg = w->d->cfg;
	enum zalo_oa_sig v = zalo_oa_verify(r->sig[0] ? r->sig : NULL,
	    r->body.data ? r->body.data : "", r->body.len, cfg->zalo_oa_app_id,
	    cfg->zalo_oa_secret, store_now_ms());
	static const char *const what[] = { "ok", "no signature",
	    "wrong signature", "stale timestamp" };

	if (v == ZOA_SIG_OK)
		return 1;
	r->status = v == ZOA_SIG_MISSING ? MHD_HTTP_UNAUTHORIZED :
	    MHD_HTTP_FORBIDDEN;
	r->why = v == ZOA_SIG_MISSING ? "missing signature\n" :
	    v == ZOA_SIG_STALE ? "stale event\n" : "wrong signature\n";
	log_warn("webhook: %s push refused: %s (%zu bytes)",
	    platforms[r->p].name, what[v], r->body.len);
	return 0;
}

/*
 * The OA's reply window opens with each message from the resident, by the
 * time they sent it, and its msg_id is what the replies name. Done before
 * the event's transaction and idempotent (only a later message resets the
 * count or the name), so a retried push changes nothing. 0, or -1 on a
 * store error (answered 503).
 */
static int
window_open(struct daemon *d, enum platform_id p, const struct event *ev,
    size_t n)
{
	int64_t now = store_now_ms(), at;
	size_t i;

	if (!(platforms[p].caps & PLATFORM_WINDOW))
		return 0;
	for (i = 0; i < n; i++) {
		if (ev[i].kind == EV_IGNORE || !ev[i].chat_id[0])
			continue;
		at = ev[i].date_ms > 0 && ev[i].date_ms <= now ? ev[i].date_ms :
		    now;
		if (store_oa_inbound(d->st, ev[i].chat_id, at,
		    zalo_oa_msg_id(&ev[i])) < 0)
			return -1;
	}
	return 0;
}

static enum MHD_Result
answer(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct webhook *w = cls;
	struct req *r = *con_cls;
	struct event *ev;
	size_t n, i;
	int got, rc;

	(void)version;
	if (!r) {
		r = xcalloc(1, sizeof(*r));
		buf_init(&r->body, WEBHOOK_BODY_CAP);
		*con_cls = r;
		route(w, c, url, method, r);
		/* refused: answered at once, the body is never read */
		return r->status ? reply(c, (unsigned)r->status, r->why) : MHD_YES;
	}
	if (*upload_size) {
		if (!r->status && buf_add(&r->body, upload, *upload_size) < 0) {
			r->status = MHD_HTTP_CONTENT_TOO_LARGE;
			r->why = "request body too large\n";
		}
		*upload_size = 0;
		return MHD_YES;
	}
	if (r->status)
		return reply(c, (unsigned)r->status, r->why);
	if ((platforms[r->p].caps & PLATFORM_SIGNED) && !signed_ok(w, r))
		return reply(c, (unsigned)r->status, r->why);
	got = parse_push(r->p, &r->body, &ev, &n);
	if (got < 0) {
		log_warn("webhook: %s push is not an update (%zu bytes)",
		    platforms[r->p].name, r->body.len);
		return reply(c, MHD_HTTP_BAD_REQUEST, "not an update\n");
	}
	if (got == 0)
		return reply(c, MHD_HTTP_OK, "ok\n");
	w->d->poll[r->p].last_ok_ms = store_now_ms();
	rc = window_open(w->d, r->p, ev, n);
	if (rc == 0)
		rc = ingest_batch(w->d, r->p, ev, n, store_now_us(), -1);
	for (i = 0; i < n; i++)
		event_release(&ev[i]);
	free(ev);
	if (rc < 0) {
		log_error("webhook: could not store a %s push; answered 503 so "
		    "that the platform sends it again", platforms[r->p].name);
		return reply(c, MHD_HTTP_SERVICE_UNAVAILABLE, "try again\n");
	}
	return reply(c, MHD_HTTP_OK, "ok\n");
}

static void
completed(void *cls, struct MHD_Connection *c, void **con_cls,
    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (!r)
		return;
	buf_release(&r->body);
	free(r);
	*con_cls = NULL;
}

int
webhook_parse_listen(const char *s, struct sockaddr_storage *sa, socklen_t *len)
{
	size_t n = strlen(s);
	char *t;
	int any, rc;

	any = n > 2 && strcmp(s + n - 2, ":0") == 0;
	t = xstrdup(s);
	if (any)
		t[n - 1] = '1';
	rc = metrics_parse_listen(t, sa, len);
	free(t);
	if (rc == 0 && any) {
		if (sa->ss_family == AF_INET6)
			((struct sockaddr_in6 *)sa)->sin6_port = 0;
		else
			((struct sockaddr_in *)sa)->sin_port = 0;
	}
	return rc;
}

struct webhook *
webhook_start(struct daemon *d, const char *addr, char *err, size_t n)
{
	struct webhook *w;
	struct sockaddr_storage sa;
	socklen_t len;
	const union MHD_DaemonInfo *info;
	unsigned int flags = MHD_USE_EPOLL;
	const char *portfile = getenv("HOIDAP_WEBHOOK_PORTFILE");

	if (webhook_parse_listen(addr, &sa, &len) < 0) {
		snprintf(err, n, "webhook_listen '%s' is not IP:port", addr);
		return NULL;
	}
	/* the OA signs its events; the others need the shared secret */
	if (!d->cfg->webhook_secret[0] && (d->cfg->telegram_token[0] ||
	    d->cfg->zalo_token[0])) {
		snprintf(err, n, "webhook_listen is set but webhook_secret is "
		    "empty: set HOIDAP_WEBHOOK_SECRET (8-256 of A-Z a-z 0-9 _ -)");
		return NULL;
	}
	if (sa.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	w = xcalloc(1, sizeof(*w));
	w->d = d;
	w->mhd = MHD_start_daemon(flags, 0, NULL, NULL, answer, w,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_CONNECTION_LIMIT, 64U,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10U,
	    MHD_OPTION_NOTIFY_COMPLETED, completed, w,
	    MHD_OPTION_END);
	if (!w->mhd) {
		snprintf(err, n, "cannot listen on %s for webhooks (in use, or not "
		    "an address of this machine)", addr);
		free(w);
		return NULL;
	}
	info = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_BIND_PORT);
	w->port = info ? info->port : 0;
	if (portfile && *portfile) {
		FILE *f = fopen(portfile, "w");

		if (f) {
			fprintf(f, "%d\n", w->port);
			fclose(f);
		}
	}
	return w;
}

int
webhook_fd(const struct webhook *w)
{
	const union MHD_DaemonInfo *info;

	info = MHD_get_daemon_info(w->mhd, MHD_DAEMON_INFO_EPOLL_FD);
	return info ? info->epoll_fd : -1;
}

int64_t
webhook_timeout(const struct webhook *w)
{
	MHD_UNSIGNED_LONG_LONG t;

	if (MHD_get_timeout(w->mhd, &t) != MHD_YES)
		return -1;
	return t > 60000 ? 60000 : (int64_t)t;
}

void
webhook_run(struct webhook *w)
{
	(void)MHD_run(w->mhd);
}

int
webhook_port(const struct webhook *w)
{
	return w->port;
}

/*
 * setWebhook with the secret, blocking (http_timeout at most): at start,
 * then from the tick every 30 s until it worked. Not through the outbox:
 * the secret must not be stored. 0 once set.
 */
int
webhook_register(struct daemon *d, struct poller *pl)
{
	const struct config *cfg = d->cfg;
	struct api_error err;
	struct buf body;
	struct curl_slist *hdr;
	char url[4096], hook[2048];
	cJSON *o = cJSON_CreateObject(), *root = NULL;
	char *req;
	CURL *h;
	CURLcode cc;
	int rc = -1;

	snprintf(hook, sizeof(hook), "%s/%s", cfg->webhook_url,
	    platforms[pl->id].name);
	cJSON_AddStringToObject(o, "url", hook);
	cJSON_AddStringToObject(o, "secret_token", cfg->webhook_secret);
	if (pl->id == P_TELEGRAM) {
		cJSON *a = cJSON_AddArrayToObject(o, "allowed_updates");

		cJSON_AddItemToArray(a, cJSON_CreateString("message"));
		cJSON_AddItemToArray(a, cJSON_CreateString("callback_query"));
	}
	req = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!req)
		fatal("out of memory");
	buf_init(&body, 64 * 1024);
	h = daemon_easy_new(&body, cfg->http_timeout);
	hdr = curl_slist_append(NULL, "Content-Type: application/json");
	snprintf(url, sizeof(url), "%s/setWebhook", pl->prefix);
	curl_easy_setopt(h, CURLOPT_URL, url);
	curl_easy_setopt(h, CURLOPT_POSTFIELDS, req);
	curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdr);
	cc = curl_easy_perform(h);
	if (cc != CURLE_OK)
		log_warn("%s: setWebhook: %s; trying again in 30 s",
		    platforms[pl->id].name, curl_easy_strerror(cc));
	else if (api_envelope(body.data, body.len, &root, &err) != API_OK)
		log_error("%s: setWebhook %s refused: %d %s; trying again in 30 s",
		    platforms[pl->id].name, hook, err.code, err.desc);
	else
		rc = 0;
	cJSON_Delete(root);
	if (rc == 0)
		log_info("%s: webhook set to %s", platforms[pl->id].name, hook);
	pl->hooked = rc == 0;
	pl->hook_next_ms = store_now_ms() + 30000;
	memset(req, 0, strlen(req));
	cJSON_free(req);
	curl_slist_free_all(hdr);
	curl_easy_cleanup(h);
	buf_release(&body);
	return rc;
}

void
webhook_stop(struct webhook *w)
{
	if (!w)
		return;
	MHD_stop_daemon(w->mhd);
	free(w);
}
