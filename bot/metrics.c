#include "metrics.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "util.h"

#ifndef HOIDAP_VERSION
#define HOIDAP_VERSION "unknown"
#endif

static const char *const plat_name[METRICS_NPLATFORM] = { "telegram", "zalo",
	"zalo_oa" };
static const char *const outcome_name[METRICS_NOUTCOME] = {
	"answer", "clarify", "fallback", "notice"
};
static const char *const err_name[METRICS_NSEND_ERROR] = {
	"network", "malformed", "rate_limited", "refused", "migrated", "server"
};
static const char *const pause_name[METRICS_NPAUSE] = { "chat", "bot" };

struct metrics_server {
	struct MHD_Daemon *mhd;
	pthread_mutex_t mu;
	struct metrics snap;            /* the loop's last publication */
};

int
metrics_parse_listen(const char *s, struct sockaddr_storage *sa,
    socklen_t *len)
{
	struct addrinfo hints, *ai = NULL;
	char host[64];
	const char *colon;
	size_t hl;
	char *end;
	long port;

	if (!s || !*s)
		return -1;
	if (s[0] == '[') {
		const char *rb = strchr(s, ']');

		if (!rb || rb[1] != ':')
			return -1;
		hl = (size_t)(rb - s - 1);
		s++;
		colon = rb + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || memchr(s, ':', (size_t)(colon - s)))
			return -1;      /* bare IPv6 needs its brackets */
		hl = (size_t)(colon - s);
	}
	if (!hl || hl >= sizeof(host))
		return -1;
	memcpy(host, s, hl);
	host[hl] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (end == colon + 1 || *end || port < 1 || port > 65535)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0 || !ai)
		return -1;
	memset(sa, 0, sizeof(*sa));
	memcpy(sa, ai->ai_addr, ai->ai_addrlen);
	*len = ai->ai_addrlen;
	freeaddrinfo(ai);
	return 0;
}

static void
family(struct buf *b, const char *name, const char *type, const char *help)
{
	buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
	    type);
}

/* A family of one sample without labels. */
static void
single(struct buf *b, const char *name, const char *type, const char *help,
    long long v)
{
	family(b, name, type, help);
	buf_printf(b, "%s %lld\n", name, v);
}

/*
 * The samples name{platform="pl",label="value[k]"} v[k] for k < n; without
 * the platform label when pl is NULL.
 */
static void
samples(struct buf *b, const char *name, const char *pl, const char *label,
    const char *const *value, int n, const int64_t *v)
{
	int k;

	for (k = 0; k < n; k++) {
		if (pl)
			buf_printf(b, "%s{platform=\"%s\",%s=\"%s\"} %lld\n", name,
			    pl, label, value[k], (long long)v[k]);
		else
			buf_printf(b, "%s{%s=\"%s\"} %lld\n", name, label,
			    value[k], (long long)v[k]);
	}
}

void
metrics_render(const struct metrics *m, struct buf *b)
{
	static const char *const result[] = { "ok", "failed" };
	static const char *const edge[] = { "last", "dropped" };
	const int64_t reloads[] = { m->reloads_ok, m->reloads_failed };
	const int64_t window[] = { m->oa_window_cut, m->oa_window_dropped };
	int p;

	family(b, "hoidap_build_info", "gauge", "Always 1; the labels say "
	    "which build runs.");
	buf_printf(b, "hoidap_build_info{version=\"%s\"} 1\n",
	    HOIDAP_VERSION);
	single(b, "hoidap_start_time_seconds", "gauge", "When the daemon "
	    "started, Unix time.", (long long)(m->started_ms / 1000));
	family(b, "hoidap_platform_enabled", "gauge", "1 if the platform has a "
	    "token and is polled.");
	for (p = 0; p < METRICS_NPLATFORM; p++)
		buf_printf(b, "hoidap_platform_enabled{platform=\"%s\"} %d\n",
		    plat_name[p], m->enabled[p]);
	family(b, "hoidap_updates_received_total", "counter", "Updates "
	    "(messages, button presses) handled, duplicates left out.");
	samples(b, "hoidap_updates_received_total", NULL, "platform", plat_name,
	    METRICS_NPLATFORM, m->updates);
	family(b, "hoidap_replies_sent_total", "counter", "Messages to a chat "
	    "the platform accepted.");
	samples(b, "hoidap_replies_sent_total", NULL, "platform", plat_name,
	    METRICS_NPLATFORM, m->replies_sent);
	family(b, "hoidap_replies_total", "counter", "The bot's replies to "
	    "residents by outcome.");
	samples(b, "hoidap_replies_total", NULL, "outcome", outcome_name,
	    METRICS_NOUTCOME, m->outcomes);
	family(b, "hoidap_send_errors_total", "counter", "Send attempts that "
	    "failed, by kind.");
	for (p = 0; p < METRICS_NPLATFORM; p++)
		samples(b, "hoidap_send_errors_total", plat_name[p], "kind",
		    err_name, METRICS_NSEND_ERROR, m->send_errors[p]);
	family(b, "hoidap_rate_limit_pauses_total", "counter", "429 answers to "
	    "sends: one chat waits, or every send to the platform.");
	for (p = 0; p < METRICS_NPLATFORM; p++)
		samples(b, "hoidap_rate_limit_pauses_total", plat_name[p], "scope",
		    pause_name, METRICS_NPAUSE, m->pauses[p]);
	family(b, "hoidap_knowledge_reloads_total", "counter", "Knowledge base "
	    "reloads; a failed one keeps the previous knowledge.");
	samples(b, "hoidap_knowledge_reloads_total", NULL, "result", result, 2,
	    reloads);
	family(b, "hoidap_last_poll_success_timestamp_seconds", "gauge", "End "
	    "of the last successful getUpdates, Unix time; 0 never.");
	for (p = 0; p < METRICS_NPLATFORM; p++)
		buf_printf(b, "hoidap_last_poll_success_timestamp_seconds{"
		    "platform=\"%s\"} %.3f\n", plat_name[p],
		    (double)m->last_poll_ms[p] / 1000.0);
	single(b, "hoidap_tickets_opened_total", "counter", "Hand-offs to "
	    "people kept in the database.", (long long)m->tickets_opened);
	single(b, "hoidap_tickets_open", "gauge", "Tickets open or claimed, "
	    "not resolved.", (long long)m->tickets_open);
	single(b, "hoidap_tickets_escalated_total", "counter", "Tickets told to "
	    "the admins for being open too long.", (long long)m->tickets_escalated);
	single(b, "hoidap_outbox_pending", "gauge", "Messages waiting to be "
	    "sent.", (long long)m->outbox_pending);
	family(b, "hoidap_outbox_oldest_age_seconds", "gauge", "Age of the "
	    "oldest waiting message (from its update); 0 when none waits.");
	buf_printf(b, "hoidap_outbox_oldest_age_seconds %.3f\n",
	    m->outbox_oldest_ms ? (double)(m->published_ms - m->outbox_oldest_ms)
	    / 1000.0 : 0.0);
	single(b, "hoidap_store_writable", "gauge", "1 while the database takes "
	    "writes.", m->store_ok);
	family(b, "hoidap_oa_token_refreshes_total", "counter", "Zalo OA access "
	    "token refreshes.");
	samples(b, "hoidap_oa_token_refreshes_total", NULL, "result", result, 2,
	    m->oa_refreshes);
	family(b, "hoidap_oa_window_replies_total", "counter", "Zalo OA replies "
	    "at the edge of the 48 h window: the last free one (sent with a "
	    "note), or one past it (not sent).");
	samples(b, "hoidap_oa_window_replies_total", NULL, "result", edge, 2,
	    window);
}

int
metrics_health(const struct metrics *m, int64_t now_ms, char *why, size_t n)
{
	int p;

	if (!m->published_ms) {
		snprintf(why, n, "starting");
		return 0;
	}
	if (now_ms - m->published_ms > METRICS_LOOP_STALE_S * 1000) {
		snprintf(why, n, "event loop silent for %lld s",
		    (long long)(now_ms - m->published_ms) / 1000);
		return 0;
	}
	if (!m->store_ok) {
		snprintf(why, n, "store not writable: %s", m->store_why);
		return 0;
	}
	for (p = 0; p < METRICS_NPLATFORM; p++) {
		/* before the first good poll, the clock runs from the start */
		int64_t ref = m->last_poll_ms[p] ? m->last_poll_ms[p] : m->started_ms;

		if (!m->enabled[p] || now_ms - ref <= (int64_t)m->poll_stale_s * 1000)
			continue;
		if (m->last_poll_ms[p])
			snprintf(why, n, "%s: no successful poll for %lld s",
			    plat_name[p], (long long)(now_ms - ref) / 1000);
		else
			snprintf(why, n, "%s: no successful poll since the start "
			    "%lld s ago", plat_name[p], (long long)(now_ms - ref) / 1000);
		return 0;
	}
	snprintf(why, n, "ok");
	return 1;
}

static enum MHD_Result
answer(void *arg, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_len, void **state)
{
	struct metrics_server *s = arg;
	struct MHD_Response *r;
	struct metrics m;
	struct buf b;
	unsigned int code = MHD_HTTP_OK;
	enum MHD_Result rc;
	char why[256];

	(void)version;
	(void)upload;
	(void)upload_len;
	(void)state;
	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0)
		return MHD_NO;  /* closes the connection: nothing to post here */
	pthread_mutex_lock(&s->mu);
	m = s->snap;
	pthread_mutex_unlock(&s->mu);
	buf_init(&b, 1024 * 1024);
	if (strcmp(url, "/metrics") == 0) {
		metrics_render(&m, &b);
	} else if (strcmp(url, "/healthz") == 0) {
		if (!metrics_health(&m, clock_now_ms(), why, sizeof(why)))
			code = MHD_HTTP_SERVICE_UNAVAILABLE;
		buf_printf(&b, "%s\n", why);
	} else {
		code = MHD_HTTP_NOT_FOUND;
		buf_adds(&b, "not found: try /metrics or /healthz\n");
	}
	if (buf_failed(&b)) {
		/* half a scrape would read as counters gone back to zero */
		buf_reset(&b);
		code = MHD_HTTP_INTERNAL_SERVER_ERROR;
		buf_adds(&b, "metrics over 1 MB: not served\n");
	}
	r = MHD_create_response_from_buffer(b.len, b.data, MHD_RESPMEM_MUST_COPY);
	buf_release(&b);
	if (!r)
		return MHD_NO;
	(void)MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
	    strcmp(url, "/metrics") == 0 ? "text/plain; version=0.0.4; "
	    "charset=utf-8" : "text/plain; charset=utf-8");
	rc = MHD_queue_response(c, code, r);
	MHD_destroy_response(r);
	return rc;
}

struct metrics_server *
metrics_start(const char *addr, char *err, size_t n)
{
	struct metrics_server *s;
	struct sockaddr_storage sa;
	socklen_t len;
	unsigned int flags = MHD_USE_INTERNAL_POLLING_THREAD;

	if (metrics_parse_listen(addr, &sa, &len) < 0) {
		snprintf(err, n, "metrics_listen '%s' is not IP:port", addr);
		return NULL;
	}
	if (sa.ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	s = xcalloc(1, sizeof(*s));
	pthread_mutex_init(&s->mu, NULL);
	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, answer, s,
	    MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
	    MHD_OPTION_CONNECTION_LIMIT, 16U,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10U,
	    MHD_OPTION_END);
	if (!s->mhd) {
		snprintf(err, n, "cannot listen on %s for metrics (in use, or not "
		    "an address of this machine)", addr);
		pthread_mutex_destroy(&s->mu);
		free(s);
		return NULL;
	}
	return s;
}

void
metrics_publish(struct metrics_server *s, const struct metrics *m)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->snap = *m;
	s->snap.published_ms = clock_now_ms();
	pthread_mutex_unlock(&s->mu);
}

void
metrics_stop(struct metrics_server *s)
{
	if (!s)
		return;
	MHD_stop_daemon(s->mhd);
	pthread_mutex_destroy(&s->mu);
	free(s);
}
