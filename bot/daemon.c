#include "daemon.h"
#include "daemon_int.h"

#include <curl/curl.h>
#include <systemd/sd-daemon.h>
#include <sys/stat.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conv.h"
#include "handoff.h"
#include "kb.h"
#include "log.h"
#include "metrics.h"
#include "redact.h"
#include "store.h"
#include "systext.h"
#include "tg.h"
#include "util.h"
#include "zalo.h"


static volatile sig_atomic_t got_term, got_hup;
static int sig_pipe[2] = { -1, -1 };

static void
on_signal(int sig)
{
	int saved = errno;
	char c = 1;

	if (sig == SIGHUP)
		got_hup = 1;
	else
		got_term = 1;
	/* Wakes curl_multi_poll; write(2) is async-signal-safe. */
	if (sig_pipe[1] >= 0)
		(void)!write(sig_pipe[1], &c, 1);
	errno = saved;
}

/* ---- small helpers ---- */

int
daemon_int64_cmp(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t
on_body(char *p, size_t sz, size_t n, void *arg)
{
	struct buf *b = arg;

	/* A reply over the cap fails the transfer instead of eating memory. */
	if (buf_add(b, p, sz * n) < 0)
		return 0;
	return sz * n;
}

int64_t
daemon_backoff(int attempts, int64_t cap_ms)
{
	int64_t d = 500;
	int i;

	for (i = 0; i < attempts && d < cap_ms; i++)
		d *= 2;
	if (d > cap_ms)
		d = cap_ms;
	/* jitter: 50-100 % so retrying clients do not move in lockstep */
	return d / 2 + (int64_t)((double)(d / 2) * ((double)rand() / RAND_MAX));
}

CURL *
daemon_easy_new(struct buf *body, int timeout_s)
{
	CURL *h = curl_easy_init();

	if (!h)
		fatal("curl_easy_init failed");
	curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(h, CURLOPT_WRITEDATA, body);
	curl_easy_setopt(h, CURLOPT_TIMEOUT, (long)timeout_s);
	curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, 10L);
	curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
	curl_easy_setopt(h, CURLOPT_USERAGENT, "hoidap/1");
	curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
	return h;
}

/* ---- reload ---- */

void
daemon_tell_admins(struct daemon *d, const char *text)
{
	struct handoff h = { d->st, d->kb, d->cfg, store_now_us(), 0, 0,
	    NULL, NULL };

	if (!d->cfg->admins[0] || !d->poll[P_TELEGRAM].enabled)
		return;
	if (store_begin(d->st) < 0)
		return;
	handoff_tell_admins(&h, text);
	if (h.rc < 0 || store_commit(d->st) < 0)
		store_rollback(d->st);
	d->dirty = 1;
}

static void
reload(struct daemon *d, const char *why)
{
	struct diag dg;
	struct kb *nk;
	struct config nc;

	d->kb_sig = kb_dir_signature(d->cfg->kb);
	diag_init(&dg);
	nk = kb_load(d->cfg->kb, &dg);
	if (!nk || dg.nerr) {
		struct buf msg;
		char *p = dg.text.data, *line;

		buf_init(&msg, BUF_CAP_REPLY);
		buf_printf(&msg, "⚠️ Kho câu hỏi có %zu lỗi (%s); bot vẫn dùng "
		    "bản cũ cho đến khi sửa xong:\n", dg.nerr, why);
		while ((line = strsep(&p, "\n")) != NULL) {
			if (!*line)
				continue;
			log_error("reload: %s", line);
			if (!diag_line_is_warning(line) && msg.len < 3000)
				buf_printf(&msg, "%s\n", line);
		}
		log_error("reload: %zu error(s); still serving the previous "
		    "knowledge base", dg.nerr);
		d->m.reloads_failed++;
		daemon_tell_admins(d, buf_failed(&msg) ? "⚠️ Kho câu hỏi có lỗi; "
		    "bot vẫn dùng bản cũ. Chạy 'hoidap check' để xem." : msg.data);
		buf_release(&msg);
		kb_free(nk);
	} else {
		char msg[256];

		kb_free(d->kb);
		d->kb = nk;
		d->m.reloads_ok++;
		log_info("reload (%s): knowledge base %s: %zu topics", why,
		    d->cfg->kb, kb_count(nk));
		snprintf(msg, sizeof(msg), "✅ Đã tải lại kho câu hỏi (%s): %zu chủ "
		    "đề.", why, kb_count(nk));
		if (strcmp(why, "lệnh /tailai") == 0)
			daemon_tell_admins(d, msg);
	}
	diag_release(&dg);

	diag_init(&dg);
	config_init(&nc);
	if (config_load(&nc, d->cfg_path, d->cfg_given, &dg) < 0) {
		char *p = dg.text.data, *line;

		while ((line = strsep(&p, "\n")) != NULL)
			if (*line)
				log_error("reload: %s", line);
		log_error("reload: configuration has errors; keeping the old one");
	} else if (strcmp(why, "SIGHUP") == 0) {
		/* Limits apply now; tokens, URLs and paths need a restart. */
		config_apply_hot(d->cfg, &nc);
	}
	config_release(&nc);
	diag_release(&dg);
	ingest_group_follow(d);        /* a configuration naming the old group id */
}

/* Once a second: the metrics snapshot, and systemd's watchdog. */
static void
service_tick(struct daemon *d, int64_t now)
{
	struct store_stats ss;
	struct metrics *m = &d->m;
	int i, rc;

	if (d->watchdog_ms && now >= d->next_watchdog_ms) {
		d->next_watchdog_ms = now + d->watchdog_ms;
		(void)sd_notify(0, "WATCHDOG=1");
	}
	if (!d->msrv || now < d->next_metrics_ms)
		return;
	d->next_metrics_ms = now + 1000;
	rc = store_stats(d->st, &ss);
	m->tickets_opened = ss.tickets;
	m->tickets_open = ss.tickets_active;
	m->tickets_escalated = ss.tickets_escalated;
	m->outbox_pending = ss.outbox_pending;
	m->outbox_oldest_ms = ss.outbox_oldest_us / 1000;
	m->store_ok = 0;
	if (d->db_lost)
		snprintf(m->store_why, sizeof(m->store_why), "the database file "
		    "was deleted or replaced");
	else if (rc < 0)
		snprintf(m->store_why, sizeof(m->store_why), "cannot read it");
	else if (ss.write_failing)
		snprintf(m->store_why, sizeof(m->store_why), "the last transaction "
		    "failed (locked by another process, or the disk is full)");
	else if (d->nheld)
		snprintf(m->store_why, sizeof(m->store_why), "%d outbox state(s) "
		    "not written", d->nheld);
	else
		m->store_ok = 1;
	for (i = 0; i < P_COUNT; i++) {
		m->enabled[i] = d->poll[i].enabled;
		/* the OA: fresh while it holds an access token */
		if (i == P_ZALO_OA)
			m->last_poll_ms[i] = d->oa.access ? now : d->oa.ok_ms;
		/* pushed, not polled: fresh as long as the webhook is set */
		else if (d->poll[i].webhook && d->poll[i].hooked)
			m->last_poll_ms[i] = now;
		else
			m->last_poll_ms[i] = d->poll[i].last_ok_ms;
	}
	/* a long poll, its HTTP grace, and the longest backoff (60 s) */
	m->poll_stale_s = d->cfg->poll_timeout + 15 + 60;
	metrics_publish(d->msrv, m);
}

static void
cron(struct daemon *d, int64_t now)
{
	int i;

	outbox_held_tick(d, now);
	oatoken_tick(d, now);
	service_tick(d, now);
	if (now >= d->next_dbcheck_ms) {
		d->next_dbcheck_ms = now + 2000;
		if (store_check(d->st) < 0)
			d->db_lost = 1;
	}
	if (now >= d->next_cron_ms) {
		struct handoff h = { d->st, d->kb, d->cfg, store_now_us(), 0, 0,
	    NULL, NULL };

		d->next_cron_ms = now + 15000;
		for (i = 0; i < P_COUNT; i++)
			if (d->poll[i].webhook && !d->poll[i].hooked &&
			    now >= d->poll[i].hook_next_ms)
				(void)webhook_register(d, &d->poll[i]);
		if (store_begin(d->st) == 0) {
			handoff_cron(&h);
			if (h.rc < 0 || store_commit(d->st) < 0)
				store_rollback(d->st);
			d->dirty = 1;
		}
	}
	if (now >= d->next_flush_ms) {
		struct handoff h = { d->st, d->kb, d->cfg, store_now_us(), 0, 0,
		    NULL, NULL };

		d->next_flush_ms = now + 1000;
		if (handoff_held(&h) > 0 && store_begin(d->st) == 0) {
			int sent = handoff_flush(&h);

			if (h.rc < 0 || store_commit(d->st) < 0)
				store_rollback(d->st);
			else if (sent)
				d->dirty = 1;
		}
	}
	if (now >= d->next_prune_ms) {
		int n = store_prune(d->st, now, d->cfg->keep_days);

		d->next_prune_ms = now + 3600000;
		if (n > 0)
			log_info("store: pruned %d old rows", n);
	}
	if (d->cfg->watch_seconds && now >= d->next_watch_ms) {
		d->next_watch_ms = now + (int64_t)d->cfg->watch_seconds * 1000;
		if (kb_dir_signature(d->cfg->kb) != d->kb_sig)
			reload(d, "tệp trong knowledge/ vừa sửa");
	}
	if (d->want_reload) {
		d->want_reload = 0;
		reload(d, "lệnh /tailai");
	}
}

/* ---- the loop ---- */

/*
 * Starts the polls that are due and returns how long the loop may sleep:
 * until the earliest poll, send or timer.
 */
static int64_t
timers(struct daemon *d, int polling, int64_t now)
{
	int64_t wait = 5000;
	int i;

	if (polling) {
		for (i = 0; i < P_COUNT; i++) {
			struct poller *pl = &d->poll[i];

			if (!pl->enabled || pl->busy || pl->webhook)
				continue;
			if (pl->has_held && now >= pl->next_ms &&
			    poll_hold_store(d, pl) == 0)
				pl->next_ms = now;      /* stored: poll at once */
			if (now >= pl->next_ms && !pl->has_held)
				poll_start(d, pl);
			else if (pl->next_ms - now < wait)
				wait = pl->next_ms - now;
		}
	}
	outbox_fill(d);
	/* Timers for sends matter only with a sender free; a finished
	 * transfer wakes the poll by itself (else: a busy loop per send). */
	for (i = 0; i < d->nsnd && d->snd[i].busy; i++)
		;
	if (i < d->nsnd) {
		if (d->wake_ms >= 0 && d->wake_ms - now < wait)
			wait = d->wake_ms - now;
		if (d->next_due >= 0 && d->next_due - now < wait)
			wait = d->next_due - now;
	}
	if (polling && d->cfg->watch_seconds && d->next_watch_ms - now < wait)
		wait = d->next_watch_ms - now;
	if (polling && d->next_cron_ms - now < wait)
		wait = d->next_cron_ms - now;
	if (polling && d->next_flush_ms - now < wait)
		wait = d->next_flush_ms - now;
	if (polling && d->next_dbcheck_ms - now < wait)
		wait = d->next_dbcheck_ms - now;
	if (d->nheld && d->next_held_ms - now < wait)
		wait = d->next_held_ms - now;
	if (polling && d->oa.on && !d->oa.busy && d->oa.next_ms - now < wait)
		wait = d->oa.next_ms - now;
	if (polling && d->watchdog_ms && d->next_watchdog_ms - now < wait)
		wait = d->next_watchdog_ms - now;
	return wait < 0 ? 0 : wait;
}

/* Sleeps until a transfer, a signal or a push wakes the loop, or wait ms. */
static void
wait_fds(struct daemon *d, int64_t wait)
{
	struct curl_waitfd wfd[2] = { { sig_pipe[0], CURL_WAIT_POLLIN, 0 },
	    { -1, CURL_WAIT_POLLIN, 0 } };
	unsigned int nwfd = 1;
	char junk[64];

	if (d->wh) {
		int64_t t = webhook_timeout(d->wh);

		wfd[nwfd++].fd = webhook_fd(d->wh);
		if (t >= 0 && t < wait)
			wait = t;
	}
	curl_multi_poll(d->multi, wfd, nwfd, (int)wait, NULL);
	while (read(sig_pipe[0], junk, sizeof(junk)) > 0)
		;
}

/* Pushes, then every finished transfer to the part that started it. */
static void
dispatch(struct daemon *d)
{
	int running, q, i;
	CURLMsg *m;

	if (d->wh)
		webhook_run(d->wh);     /* pushes are stored here, on this thread */
	curl_multi_perform(d->multi, &running);
	while ((m = curl_multi_info_read(d->multi, &q)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		if (d->oa.busy && m->easy_handle == d->oa.h) {
			oatoken_done(d, m->data.result);
			continue;
		}
		for (i = 0; i < P_COUNT; i++)
			if (d->poll[i].h == m->easy_handle && d->poll[i].busy) {
				poll_done(d, &d->poll[i], m->data.result);
				goto next;
			}
		for (i = 0; i < d->nsnd; i++)
			if (d->snd[i].h == m->easy_handle && d->snd[i].busy) {
				outbox_send_done(d, &d->snd[i], m->data.result);
				break;
			}
next:
		;
	}
}

/* One turn: polls started when polling (not while draining), then sends. */
static void
step(struct daemon *d, int polling)
{
	wait_fds(d, timers(d, polling, store_now_ms()));
	dispatch(d);
}

static int
any_sending(const struct daemon *d)
{
	int i;

	for (i = 0; i < d->nsnd; i++)
		if (d->snd[i].busy)
			return 1;
	return 0;
}

/*
 * ---- open, loop, drain, close ----
 * Each open step leaves what it made in d and returns -1 on failure;
 * daemon_close undoes whatever is there, so a failed start and a stop
 * share the one cleanup.
 */

static void
open_log(const struct config *cfg)
{
	log_add_secret(cfg->telegram_token);
	log_add_secret(cfg->zalo_token);
	log_add_secret(cfg->webhook_secret);
	if (!strcmp(cfg->log_level, "debug"))
		log_set_level(LOG_DEBUG);
	else if (!strcmp(cfg->log_level, "warn"))
		log_set_level(LOG_WARN);
	else if (!strcmp(cfg->log_level, "error"))
		log_set_level(LOG_ERROR);
}

/* The knowledge base (refused with errors) and the store. */
static int
open_store(struct daemon *d)
{
	const struct config *cfg = d->cfg;
	struct diag dg;

	diag_init(&dg);
	d->kb = kb_load(cfg->kb, &dg);
	if (!d->kb || dg.nerr) {
		fputs(dg.text.data, stderr);
		log_error("knowledge base %s has errors; run 'hoidap check --kb %s'",
		    cfg->kb, cfg->kb);
		diag_release(&dg);
		return -1;
	}
	diag_release(&dg);
	/* at the start only: reloads do not repeat it */
	diag_init(&dg);
	if (systext_absent(cfg->kb, &dg))
		log_warn("%.*s", (int)strcspn(dg.text.data, "\n"), dg.text.data);
	diag_release(&dg);
	if (!(d->st = store_open(cfg->db)))
		return -1;
	ingest_group_follow(d);
	d->m.started_ms = store_now_ms();
	return 0;
}

/* The listeners (metrics, webhook) and the Zalo OA's token state. */
static int
open_http(struct daemon *d)
{
	const struct config *cfg = d->cfg;
	char err[512];

	if (cfg->metrics_listen[0]) {
		if (!(d->msrv = metrics_start(cfg->metrics_listen, err,
		    sizeof(err)))) {
			log_error("%s", err);
			return -1;
		}
		log_info("metrics: http://%s/metrics and /healthz",
		    cfg->metrics_listen);
	}
	if (cfg->webhook_url[0] && !cfg->webhook_listen[0])
		log_warn("webhook_url is set but webhook_listen is not: polling");
	if (cfg->webhook_listen[0]) {
		if (!(d->wh = webhook_start(d, cfg->webhook_listen, err,
		    sizeof(err)))) {
			log_error("%s", err);
			return -1;
		}
		log_info("webhook: listening on %s (port %d): POST /telegram, /zalo, "
		    "/zalo-oa", cfg->webhook_listen, webhook_port(d->wh));
	}
	if (oatoken_open(d, err, sizeof(err)) < 0) {
		log_error("%s", err);
		return -1;
	}
	return 0;
}

/* Handlers only set flags and wake the loop through the self-pipe. */
static void
open_signals(void)
{
	struct sigaction sa;
	int i;

	if (pipe(sig_pipe) < 0)
		fatal("pipe: %s", strerror(errno));
	for (i = 0; i < 2; i++) {
		fcntl(sig_pipe[i], F_SETFL, O_NONBLOCK);
		fcntl(sig_pipe[i], F_SETFD, FD_CLOEXEC);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* One poller per platform with a token: polled, or pushed to the webhook. */
static void
open_pollers(struct daemon *d)
{
	const struct config *cfg = d->cfg;
	const char *tok[P_COUNT] = { cfg->telegram_token, cfg->zalo_token,
	    cfg->zalo_oa_app_id };
	const char *api[P_COUNT] = { cfg->telegram_api, cfg->zalo_api,
	    cfg->zalo_oa_api };
	int i;

	for (i = 0; i < P_COUNT; i++) {
		struct poller *pl = &d->poll[i];
		struct buf pre;

		pl->id = (enum platform_id)i;
		pl->pf = &platforms[i];
		buf_init(&pl->body, BODY_CAP);
		if (!tok[i] || !*tok[i])
			continue;
		if (pl->pf->caps & PLATFORM_PUSHED) {
			/* the OA: pushed only, sent to <api> with a header token */
			pl->prefix = xstrdup(api[i]);
			pl->enabled = pl->webhook = pl->hooked = 1;
			log_info("%s: by webhook %s/zalo-oa (registered in the Zalo "
			    "developer console), sending to %s", platforms[i].name,
			    cfg->webhook_url[0] ? cfg->webhook_url : "<webhook_url>",
			    api[i]);
			continue;
		}
		buf_init(&pre, 4096);
		buf_printf(&pre, "%s/bot%s", api[i], tok[i]);
		if (!(pl->prefix = buf_take(&pre)))
			fatal("%s: API URL and token over 4 KB", pl->pf->name);
		pl->enabled = 1;
		pl->h = daemon_easy_new(&pl->body, cfg->poll_timeout + 15);
		pl->hdr = curl_slist_append(NULL, "Content-Type: application/json");
		if (cfg->webhook_url[0] && cfg->webhook_listen[0]) {
			pl->webhook = 1;
			log_info("%s: by webhook %s/%s", platforms[i].name,
			    cfg->webhook_url, platforms[i].name);
		} else {
			log_info("%s: polling %s", platforms[i].name, api[i]);
		}
	}
}

/* The transfers: curl's multi handle, the pollers, the senders. */
static void
open_transfers(struct daemon *d)
{
	const struct config *cfg = d->cfg;

	d->multi = curl_multi_init();
	/* One connection per platform for polling, reused; sends share the
	 * multi handle's connection cache. Enough per host for every poll
	 * and every send at once: with fewer, a long poll queued behind slow
	 * sends (both platforms may share a host, as behind a proxy). */
	curl_multi_setopt(d->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)(P_COUNT + cfg->send_concurrency));
	open_pollers(d);
	/* Sends in flight at once. Each one a crash interrupts may be repeated
	 * after the restart, so 1 keeps "at most one duplicate per crash". */
	outbox_senders_open(d, cfg->send_concurrency, cfg->http_timeout);
	buf_init(&d->member_body, 64 * 1024);
	d->lat = xmalloc(MAX_LAT_SAMPLES * sizeof(*d->lat));
	d->dirty = 1;           /* replies left from before a crash go first */
	d->next_due = -1;
	d->kb_sig = kb_dir_signature(cfg->kb);
	d->next_watch_ms = store_now_ms() + (int64_t)cfg->watch_seconds * 1000;
	d->tokens = cfg->rate_global_per_s;
	d->tokens_ms = store_now_ms();
	srand((unsigned)(store_now_us() ^ getpid()));
}

/* Webhooks registered, Telegram's command menu queued, systemd told. */
static void
open_announce(struct daemon *d)
{
	uint64_t us = 0;
	int i;

	for (i = 0; i < P_COUNT; i++)
		if (d->poll[i].webhook && !(platforms[i].caps & PLATFORM_PUSHED))
			(void)webhook_register(d, &d->poll[i]);
	if (d->poll[P_TELEGRAM].enabled) {
		static const char cmds[] = "{\"commands\":["
		    "{\"command\":\"start\",\"description\":\"Bắt đầu, menu chính\"},"
		    "{\"command\":\"menu\",\"description\":\"Về menu chính\"},"
		    "{\"command\":\"help\",\"description\":\"Hướng dẫn dùng\"}]}";

		(void)store_outbox_add(d->st, "telegram", "", 0, "setMyCommands",
		    cmds, 0);
	}
	log_info("serving: knowledge %s (%zu topics), database %s", d->cfg->kb,
	    kb_count(d->kb), d->cfg->db);
	if (sd_watchdog_enabled(0, &us) > 0)
		d->watchdog_ms = (int64_t)(us / 2000);
	(void)sd_notifyf(0, "READY=1\nSTATUS=serving %zu topics", kb_count(d->kb));
}

static int
daemon_open(struct daemon *d)
{
	open_log(d->cfg);
	if (open_store(d) < 0 || open_http(d) < 0)
		return -1;
	open_signals();
	open_transfers(d);
	open_announce(d);
	return 0;
}

/* Until SIGTERM/SIGINT or the database file is lost: 0, or 1 for the latter. */
static int
daemon_loop(struct daemon *d)
{
	while (!got_term && !d->db_lost) {
		if (got_hup) {
			got_hup = 0;
			(void)sd_notify(0, "RELOADING=1");
			reload(d, "SIGHUP");
			(void)sd_notify(0, "READY=1");
		}
		cron(d, store_now_ms());
		step(d, 1);
	}
	/* Answers would go on while everything they change is lost at the
	 * next start: stop loudly instead, and let the service manager start
	 * again on a fresh, migrated store. */
	if (d->db_lost) {
		log_error("the database %s was deleted or replaced while running; "
		    "exiting with status 1 (after flushing the outbox) so that the "
		    "service manager restarts on a fresh store", d->cfg->db);
		return 1;
	}
	return 0;
}

/* SIGTERM: stop polling (unconfirmed updates come again), then drain. */
static void
daemon_drain(struct daemon *d)
{
	int64_t deadline;
	int i, left;

	(void)sd_notify(0, "STOPPING=1\nSTATUS=flushing the outbox");
	/* No more pushes: an unanswered one is sent again by the platform. */
	webhook_stop(d->wh);
	d->wh = NULL;
	log_info("shutting down: flushing the outbox for up to %d s",
	    d->cfg->drain_seconds);
	for (i = 0; i < P_COUNT; i++) {
		if (d->poll[i].busy) {
			curl_multi_remove_handle(d->multi, d->poll[i].h);
			d->poll[i].busy = 0;
		}
	}
	deadline = store_now_ms() + (int64_t)d->cfg->drain_seconds * 1000;
	while (store_now_ms() < deadline) {
		outbox_held_tick(d, store_now_ms());
		service_tick(d, store_now_ms());        /* the watchdog, /healthz */
		/* a refresh in flight is waited for: its answer is the only
		 * refresh token Zalo will take next */
		if (outbox_left(d) <= 0 && !any_sending(d) && !d->oa.busy)
			break;
		step(d, 0);
	}
	left = outbox_left(d);
	outbox_held_flush(d);
	if (left > 0)
		log_warn("%d message(s) still in the outbox; they go out at the "
		    "next start", left);
	if (d->nheld)
		log_error("%d outbox state(s) could not be written; messages "
		    "sent but not marked go out once more at the next start",
		    d->nheld);
	if (d->nlat) {
		qsort(d->lat, d->nlat, sizeof(*d->lat), daemon_int64_cmp);
		log_info("stats: handled %zu updates, sent %zu, failed %zu; update→"
		    "send latency n=%zu p50=%lldus p99=%lldus", d->handled, d->sent,
		    d->failed, d->nlat, (long long)d->lat[d->nlat / 2],
		    (long long)d->lat[d->nlat * 99 / 100]);
	} else {
		log_info("stats: handled %zu updates, sent %zu, failed %zu",
		    d->handled, d->sent, d->failed);
	}
}

/* Whatever the open steps made, in reverse; a held update is stored first. */
static void
daemon_close(struct daemon *d)
{
	int i;

	outbox_senders_close(d);
	for (i = 0; i < P_COUNT; i++) {
		struct poller *pl = &d->poll[i];

		if (pl->has_held && poll_hold_store(d, pl) < 0) {
			log_error("%s: update %s could not be stored and is lost",
			    pl->pf->name, pl->held.update_id);
			event_release(&pl->held);
		}
		if (pl->h)
			curl_easy_cleanup(pl->h);
		curl_slist_free_all(pl->hdr);
		buf_release(&pl->body);
		free(pl->req);
		if (pl->prefix) {
			memset(pl->prefix, 0, strlen(pl->prefix));
			free(pl->prefix);
		}
	}
	while (d->nready)
		outbox_ready_drop(d, d->nready - 1);
	oatoken_close(d);
	if (d->member_h)
		curl_easy_cleanup(d->member_h);
	buf_release(&d->member_body);
	if (d->multi)
		curl_multi_cleanup(d->multi);
	webhook_stop(d->wh);
	metrics_stop(d->msrv);
	store_close(d->st);
	kb_free(d->kb);
	redact_release();
	free(d->lat);
	for (i = 0; i < 2; i++) {
		if (sig_pipe[i] >= 0)
			close(sig_pipe[i]);
		sig_pipe[i] = -1;
	}
	log_clear_secrets();
}

int
daemon_run(struct config *cfg, const char *cfg_path, int cfg_given)
{
	struct daemon *d = xcalloc(1, sizeof(*d));
	int rc = 1, served = 0;

	d->cfg = cfg;
	d->cfg_path = cfg_path;
	d->cfg_given = cfg_given;
	if (daemon_open(d) < 0)
		goto out;
	rc = daemon_loop(d);
	daemon_drain(d);
	served = 1;
out:
	daemon_close(d);
	if (served)
		log_info("terminated");
	free(d);
	return rc;
}
