/*
 * poll: long polling of getUpdates (Telegram, Zalo Bot); batches are stored
 * before their offset is confirmed.
 */
#include "daemon.h"
#include "daemon_int.h"
#include "platform.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "store.h"
#include "util.h"

/* ---- polling ---- */

void
poll_start(struct daemon *d, struct poller *pl)
{
	char url[4096];
	struct buf *b = &pl->body;

	buf_reset(b);
	free(pl->req);
	if (pl->pf->caps & PLATFORM_OFFSET)
		pl->offset = store_offset(d->st, pl->pf->name);
	{
		struct buf req;

		buf_init(&req, 1024);
		pl->pf->poll_request(pl->offset, d->cfg->poll_timeout, &req);
		if (!(pl->req = buf_take(&req)))
			fatal("%s: getUpdates request over 1 KB", pl->pf->name);
	}
	snprintf(url, sizeof(url), "%s/getUpdates", pl->prefix);
	curl_easy_setopt(pl->h, CURLOPT_URL, url);
	curl_easy_setopt(pl->h, CURLOPT_POSTFIELDS, pl->req);
	curl_easy_setopt(pl->h, CURLOPT_HTTPHEADER, pl->hdr);
	curl_easy_setopt(pl->h, CURLOPT_TIMEOUT, (long)d->cfg->poll_timeout + 15);
	curl_multi_add_handle(d->multi, pl->h);
	pl->busy = 1;
	pl->started_ms = store_now_ms();
}

static void
poll_backoff(struct poller *pl, int64_t now, int64_t ms)
{
	pl->fails++;
	pl->next_ms = now + ms;
}

/*
 * A poll that worked. A long poll ends when something arrives or its timeout
 * runs out; one that came back early with nothing new (a proxy ignoring the
 * timeout, updates whose ids cannot be confirmed) would make the next one
 * come back early too: wait out the floor instead of spinning.
 */
static void
poll_again(struct poller *pl, int64_t now, int progress)
{
	pl->last_ok_ms = now;
	pl->fails = 0;
	pl->conflicts = 0;
	pl->next_ms = now;
	if (progress || now - pl->started_ms >= POLL_FLOOR_MS) {
		pl->early = 0;
		return;
	}
	pl->next_ms = pl->started_ms + POLL_FLOOR_MS;
	if (!pl->early++)
		log_warn("%s: getUpdates answered at once with nothing new; "
		    "polling at most once a second until it waits again",
		    platforms[pl->id].name);
}

/*
 * A platform without an offset (Zalo) hands an update over once, as it is
 * delivered: if storing it fails, it is kept here and stored again (no polling meanwhile, which would take
 * the next one) until it is in. 0 once stored.
 */
int
poll_hold_store(struct daemon *d, struct poller *pl)
{
	int64_t w;
	int rc = ingest_batch(d, pl->id, &pl->held, 1, pl->held_us, -1);

	if (rc == 0) {
		if (pl->fails)
			log_info("%s: update %s stored", pl->pf->name,
			    pl->held.update_id);
		event_release(&pl->held);
		pl->has_held = 0;
		pl->fails = 0;
		return 0;
	}
	w = daemon_backoff(pl->fails, 10000);
	log_error("%s: could not store update %s; kept in memory, trying "
	    "again in %lld ms", pl->pf->name, pl->held.update_id, (long long)w);
	poll_backoff(pl, store_now_ms(), w);
	return -1;
}

/*
 * 409: someone else gets this token's updates. Either another copy of the
 * bot polls with it — only a person can stop that one — or a webhook is
 * set. Polling means webhook_url is not set, so a webhook on its token is
 * a leftover of an earlier setup: deleted, pending updates kept. If it comes
 * back within minutes, another deployment sets it; that is not fought in a
 * loop. Own counter, modest backoff (1-2 s, doubling to 60 s at most): the
 * errors before a 409 say nothing about it.
 */
static void
conflict(struct daemon *d, struct poller *pl, const struct api_error *err,
    int64_t now)
{
	int64_t w = daemon_backoff(2 + pl->conflicts++, 60000);
	const char *p = platforms[pl->id].name;

	pl->next_ms = now + w;
	if (!strstr(err->desc, "webhook")) {
		log_error("%s: 409 Conflict: %s — another copy of the bot is polling "
		    "with this token; stop it (one instance per token); retrying "
		    "in %lld ms", p, err->desc, (long long)w);
	} else if (pl->unhooked_ms < pl->unhook_ms && now - pl->unhook_ms < 60000) {
		log_warn("%s: 409: a webhook is set; waiting for deleteWebhook", p);
	} else if (pl->unhooked_ms && now - pl->unhooked_ms < UNHOOK_EVERY_MS) {
		log_error("%s: 409: %s — the webhook is back %lld s after hoidap "
		    "deleted it: another deployment uses this token with a webhook; "
		    "stop it or give this bot its own token; retrying in %lld ms",
		    p, err->desc, (long long)(now - pl->unhooked_ms) / 1000,
		    (long long)w);
	} else {
		log_error("%s: 409: %s — a webhook is set for this token (without "
		    "webhook_url hoidap polls); deleting it, pending updates kept",
		    p, err->desc);
		if (store_outbox_add(d->st, p, "", 0, "deleteWebhook",
		    "{\"drop_pending_updates\":false}", 0) == 0) {
			pl->unhook_ms = now;
			d->dirty = 1;
		}
	}
}

void
poll_done(struct daemon *d, struct poller *pl, CURLcode cc)
{
	int64_t now = store_now_ms(), recv_us = store_now_us();
	long http = 0;
	struct api_error err;
	enum api_status st;

	pl->busy = 0;
	curl_multi_remove_handle(d->multi, pl->h);
	curl_easy_getinfo(pl->h, CURLINFO_RESPONSE_CODE, &http);
	if (cc != CURLE_OK) {
		int64_t w = daemon_backoff(pl->fails, 60000);

		log_warn("%s: getUpdates failed: %s; retrying in %lld ms",
		    platforms[pl->id].name, curl_easy_strerror(cc), (long long)w);
		poll_backoff(pl, now, w);
		return;
	}
	{
		struct event *ev = NULL;
		size_t n = 0, i;
		int64_t next;
		int rc = 0;

		st = pl->pf->parse_updates(pl->body.data, pl->body.len, &ev, &n,
		    &next, &err);
		if (st == API_OK && (pl->pf->caps & PLATFORM_OFFSET)) {
			if (n) {
				rc = ingest_batch(d, pl->id, ev, n, recv_us, next);
				if (rc < 0) {
					log_error("%s: could not store a batch of %zu "
					    "updates; they will be fetched again",
					    pl->pf->name, n);
					poll_backoff(pl, now, daemon_backoff(pl->fails, 30000));
				}
			}
			for (i = 0; i < n; i++)
				event_release(&ev[i]);
			free(ev);
			if (rc == 0)
				poll_again(pl, now, next > pl->offset);
			return;
		}
		if (st == API_OK) {
			/* handed over once (n is 0 or 1): kept until stored */
			if (n) {
				pl->held = ev[0];
				pl->held_us = recv_us;
				pl->has_held = 1;
			}
			free(ev);
			if (!n)
				poll_again(pl, now, 0);
			else if (poll_hold_store(d, pl) == 0)
				poll_again(pl, now, 1);
			return;
		}
		free(ev);
		/* Zalo's idle long poll */
		if (http == 408) {
			poll_again(pl, now, 0);
			return;
		}
	}
	if (st == API_MALFORMED) {
		int64_t w = daemon_backoff(pl->fails, 30000);

		log_warn("%s: getUpdates: %s (HTTP %ld); retrying in %lld ms",
		    platforms[pl->id].name, err.desc, http, (long long)w);
		poll_backoff(pl, now, w);
		return;
	}
	if (err.code == 409) {
		conflict(d, pl, &err, now);
	} else if (err.code == 429) {
		int64_t w = err.retry_after ? (int64_t)err.retry_after * 1000 :
		    daemon_backoff(pl->fails, 60000);

		log_warn("%s: getUpdates rate-limited; retrying in %lld ms",
		    platforms[pl->id].name, (long long)w);
		/* retry_after is pacing, not a failure */
		if (err.retry_after)
			pl->next_ms = now + w;
		else
			poll_backoff(pl, now, w);
	} else if (err.code == 401 || err.code == 404) {
		log_error("%s: the API refused the token (%d %s); check the token; "
		    "retrying in 60 s", platforms[pl->id].name, err.code, err.desc);
		poll_backoff(pl, now, 60000);
	} else {
		int64_t w = daemon_backoff(pl->fails, 60000);

		log_warn("%s: getUpdates error %d %s; retrying in %lld ms",
		    platforms[pl->id].name, err.code, err.desc, (long long)w);
		poll_backoff(pl, now, w);
	}
}

