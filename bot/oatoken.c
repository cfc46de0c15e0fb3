/*
 * oatoken: the Zalo Official Account's access token, from its refresh
 * token (POST <oauth>/v4/oa/access_token), through the loop's curl multi
 * so that a slow OAuth server never stalls the loop.
 *
 * Zalo's refresh token is single-use: the answer spends the one presented
 * and carries the only one that will work next. It is committed to the
 * store (synchronously, store_oa_token_put) before the access token that
 * came with it is used, and while that write fails the new access token
 * is not used at all and the write is tried again each second. A crash
 * after the commit restarts from the stored token; only a crash between
 * Zalo's answer and the commit (or an answer lost on the way) can lose it,
 * and nothing on this side can close that gap. The access token stays in
 * memory (the store's column is left empty): the first refresh at start
 * gets a new one.
 */
#include "daemon.h"
#include "daemon_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "util.h"
#include "zalo_oa.h"

#define OA_BACKOFF_MAX_MS (10 * 60000)  /* a refused token: no hammering */
#define OA_REFUSED_EVERY_MS 60000       /* after two -216 refreshes in a row */

void
oatoken_headers_free(struct curl_slist *l)
{
	struct curl_slist *p;

	for (p = l; p; p = p->next)
		if (p->data)
			explicit_bzero(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

/*
 * At start: which refresh token to begin from. The store's, if it grew
 * from the configured one (same seed); the configured one if it is new to
 * the store (first start, or the operator put a fresh one in the
 * configuration after the old chain died).
 */
int
oatoken_open(struct daemon *d, char *err, size_t n)
{
	const struct config *c = d->cfg;
	struct oatoken *o = &d->oa;
	struct store_oa_token t;
	char seed[65] = "";
	int got;

	memset(o, 0, sizeof(*o));
	if (!c->zalo_oa_app_id[0])
		return 0;
	if (!c->zalo_oa_app_secret[0] || !c->zalo_oa_secret[0]) {
		snprintf(err, n, "zalo_oa_app_id is set but %s is empty: set "
		    "HOIDAP_ZALO_OA_APP_SECRET (the app's secret key) and "
		    "HOIDAP_ZALO_OA_SECRET (the OA secret key, for event "
		    "signatures)", !c->zalo_oa_app_secret[0] ?
		    "zalo_oa_app_secret" : "zalo_oa_secret");
		return -1;
	}
	if (!c->webhook_listen[0]) {
		snprintf(err, n, "zalo_oa_app_id is set but webhook_listen is not: "
		    "the OA only delivers events by webhook; set "
		    "HOIDAP_WEBHOOK_LISTEN (see README, Zalo Official Account)");
		return -1;
	}
	if (c->zalo_oa_refresh_token[0])
		zalo_oa_seed(c->zalo_oa_refresh_token, seed);
	if ((got = store_oa_token_get(d->st, &t)) < 0) {
		snprintf(err, n, "cannot read the Zalo OA token from the database");
		return -1;
	}
	if (got == 1 && t.refresh[0] && (!seed[0] || strcmp(t.seed, seed) == 0)) {
		snprintf(o->seed, sizeof(o->seed), "%s", t.seed);
		o->refresh = xstrdup(t.refresh);
		log_info("zalo_oa: starting from the refresh token in the database");
	} else if (seed[0]) {
		snprintf(o->seed, sizeof(o->seed), "%s", seed);
		o->refresh = xstrdup(c->zalo_oa_refresh_token);
		log_info("zalo_oa: starting from the configured refresh token%s",
		    got == 1 ? " (a new one: the database's chain is dropped)" : "");
	} else {
		store_oa_token_release(&t);
		snprintf(err, n, "zalo_oa_app_id is set but there is no refresh "
		    "token: set HOIDAP_ZALO_OA_REFRESH_TOKEN (see README, Zalo "
		    "Official Account)");
		return -1;
	}
	store_oa_token_release(&t);
	log_add_secret(c->zalo_oa_app_secret);
	log_add_secret(c->zalo_oa_secret);
	log_add_secret(c->zalo_oa_refresh_token);
	buf_init(&o->body, 64 * 1024);
	o->h = daemon_easy_new(&o->body, c->http_timeout);
	o->on = 1;
	o->next_ms = 0;         /* at once: no access token yet */
	return 0;
}

static void
start(struct daemon *d)
{
	const struct config *c = d->cfg;
	struct oatoken *o = &d->oa;
	struct buf form, line;
	char url[4096];

	buf_reset(&o->body);
	str_wipe_free(&o->req);
	buf_init(&form, 8192);
	zalo_oa_token_form(c->zalo_oa_app_id, o->refresh, &form);
	o->req = buf_take(&form);
	oatoken_headers_free(o->hdr);
	buf_init(&line, 4096);
	buf_printf(&line, "secret_key: %s", c->zalo_oa_app_secret);
	o->hdr = curl_slist_append(NULL,
	    "Content-Type: application/x-www-form-urlencoded");
	o->hdr = curl_slist_append(o->hdr, line.data);
	memset(line.data, 0, line.len);
	buf_release(&line);
	snprintf(url, sizeof(url), "%s%s", c->zalo_oa_oauth, ZALO_OA_TOKEN_PATH);
	curl_easy_setopt(o->h, CURLOPT_URL, url);
	curl_easy_setopt(o->h, CURLOPT_POSTFIELDS, o->req);
	curl_easy_setopt(o->h, CURLOPT_HTTPHEADER, o->hdr);
	curl_easy_setopt(o->h, CURLOPT_TIMEOUT, (long)c->http_timeout);
	curl_multi_add_handle(d->multi, o->h);
	o->busy = 1;
}

/* When to refresh a token that expires at exp: ahead of it, but not in a
 * loop when Zalo hands out very short ones. */
static int64_t
refresh_at(int64_t now, int64_t exp)
{
	int64_t t = exp - ZALO_OA_REFRESH_AHEAD_MS;

	if (t < now + (exp - now) / 2)
		t = now + (exp - now) / 2;
	return t < now + 1000 ? now + 1000 : t;
}

/*
 * The answer's tokens, stored before use. 0 once stored; -1 kept in
 * o->fresh, the old tokens still in charge, written again later.
 */
static int
commit_fresh(struct daemon *d, int64_t now)
{
	struct oatoken *o = &d->oa;
	int64_t exp = now + o->fresh.expires_in * 1000;

	if (store_oa_token_put(d->st, o->seed, o->fresh.refresh, "", exp) < 0) {
		if (!o->unwritten)
			log_error("zalo_oa: could not store the new refresh token (the "
			    "old one is spent); the new access token is not used "
			    "until it is stored; trying again each second");
		o->unwritten = 1;
		o->next_ms = now + 1000;
		return -1;
	}
	if (o->unwritten)
		log_info("zalo_oa: the new refresh token is stored");
	o->unwritten = 0;
	str_wipe_free(&o->refresh);
	str_wipe_free(&o->access);
	o->refresh = o->fresh.refresh;
	o->access = o->fresh.access;
	o->fresh.refresh = o->fresh.access = NULL;
	o->fresh.expires_in = 0;
	o->expires_ms = exp;
	o->gen++;
	o->fails = 0;
	o->told = 0;
	o->ok_ms = now;
	o->next_ms = refresh_at(now, exp);
	d->m.oa_refreshes[0]++;
	d->dirty = 1;           /* OA replies may go now */
	log_info("zalo_oa: access token refreshed, valid for %lld s",
	    (long long)(exp - now) / 1000);
	return 0;
}

void
oatoken_done(struct daemon *d, CURLcode cc)
{
	struct oatoken *o = &d->oa;
	struct api_error err;
	enum api_status st = API_MALFORMED;
	int64_t now = store_now_ms(), w;
	long http = 0;

	o->busy = 0;
	curl_multi_remove_handle(d->multi, o->h);
	curl_easy_getinfo(o->h, CURLINFO_RESPONSE_CODE, &http);
	str_wipe_free(&o->req);
	memset(&err, 0, sizeof(err));
	if (cc == CURLE_OK) {
		zalo_oa_token_release(&o->fresh);
		st = zalo_oa_parse_token(o->body.data, o->body.len, &o->fresh,
		    &err);
	}
	if (o->body.data)
		memset(o->body.data, 0, o->body.len);
	if (st == API_OK) {
		(void)commit_fresh(d, now);
		return;
	}
	zalo_oa_token_release(&o->fresh);
	o->fails++;
	d->m.oa_refreshes[1]++;
	if (st == API_ERROR) {
		w = daemon_backoff(o->fails + 4, OA_BACKOFF_MAX_MS);
		log_error("zalo_oa: Zalo refused the refresh token (%d %s); OA "
		    "replies wait. If it keeps refusing, get a new refresh token "
		    "(README: Zalo Official Account), put it in "
		    "HOIDAP_ZALO_OA_REFRESH_TOKEN and restart; retrying in %lld s",
		    err.code, err.desc, (long long)w / 1000);
		if (!o->told) {
			o->told = 1;
			daemon_tell_admins(d, "⚠️ Zalo OA từ chối mã làm mới "
			    "(refresh token) nên bot chưa trả lời được người dân "
			    "nhắn qua Zalo OA. Cần lấy mã mới trên developers.zalo.me, "
			    "đặt vào HOIDAP_ZALO_OA_REFRESH_TOKEN rồi khởi động lại bot "
			    "(xem README, mục Zalo Official Account).");
		}
	} else {
		w = daemon_backoff(o->fails, 60000);
		log_warn("zalo_oa: token refresh failed: %s (HTTP %ld); retrying "
		    "in %lld ms", cc != CURLE_OK ? curl_easy_strerror(cc) :
		    err.desc, http, (long long)w);
	}
	o->next_ms = now + w;
}

void
oatoken_tick(struct daemon *d, int64_t now)
{
	struct oatoken *o = &d->oa;

	if (!o->on || o->busy || now < o->next_ms)
		return;
	if (o->unwritten) {
		(void)commit_fresh(d, now);
		return;
	}
	if (o->access && now >= o->expires_ms) {
		/* expired before a refresh worked: sends would only get -216 */
		str_wipe_free(&o->access);
		log_warn("zalo_oa: the access token expired; OA replies wait for "
		    "a new one");
	}
	start(d);
}

int
oatoken_refused(struct daemon *d, int64_t gen)
{
	struct oatoken *o = &d->oa;
	int64_t now = store_now_ms();

	if (gen < o->gen)
		return 1;       /* refreshed since it went: try the new one */
	/* fresh tokens refused twice with no send in between: something
	 * else is wrong (the app's permission revoked?); no refresh loop */
	if (o->refused_row >= 2 && now - o->refused_ms < OA_REFUSED_EVERY_MS)
		return 0;
	o->refused_row++;
	o->refused_ms = now;
	if (o->access) {
		log_warn("zalo_oa: the access token was refused (-216); "
		    "refreshing it, then sending again");
		str_wipe_free(&o->access);
	}
	if (!o->unwritten)
		o->next_ms = now;
	return 1;
}

void
oatoken_close(struct daemon *d)
{
	struct oatoken *o = &d->oa;

	if (!o->on)
		return;
	if (o->busy) {
		curl_multi_remove_handle(d->multi, o->h);
		o->busy = 0;
	}
	if (o->unwritten && commit_fresh(d, store_now_ms()) < 0)
		log_error("zalo_oa: the new refresh token could not be stored and "
		    "is lost; the next start needs a new one (README: Zalo "
		    "Official Account)");
	zalo_oa_token_release(&o->fresh);
	str_wipe_free(&o->refresh);
	str_wipe_free(&o->access);
	str_wipe_free(&o->req);
	oatoken_headers_free(o->hdr);
	o->hdr = NULL;
	if (o->h)
		curl_easy_cleanup(o->h);
	buf_release(&o->body);
	o->on = 0;
}
