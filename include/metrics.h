/*
 * metrics: GET /metrics (Prometheus text format) and GET /healthz for
 * `hoidap serve`, over libmicrohttpd, when metrics_listen is set.
 *
 * Threads: the event loop owns a struct metrics and bumps its counters
 * without locks; about once a second it publishes a copy to the server
 * (metrics_publish, under a mutex). libmicrohttpd answers from its own
 * thread (MHD_USE_INTERNAL_POLLING_THREAD) and reads only that copy, so it
 * touches nothing the loop uses, and a slow scraper cannot stall replies to
 * residents. A loop that stopped publishing makes /healthz fail.
 */
#ifndef HOIDAP_METRICS_H
#define HOIDAP_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "buf.h"

enum metrics_platform { METRICS_TELEGRAM, METRICS_ZALO, METRICS_ZALO_OA,
	METRICS_NPLATFORM };

/* The bot's reply, as the messages table records it (report.h). */
enum metrics_outcome {
	METRICS_ANSWER, METRICS_CLARIFY, METRICS_FALLBACK, METRICS_NOTICE,
	METRICS_NOUTCOME
};

/* Why a send did not go through (each failed attempt counts once). */
enum metrics_send_error {
	METRICS_ERR_NETWORK,            /* curl: no connection, timeout */
	METRICS_ERR_MALFORMED,          /* an answer that is not the API's */
	METRICS_ERR_RATE_LIMITED,       /* 429 */
	METRICS_ERR_REFUSED,            /* 400/403/404: given up at once */
	METRICS_ERR_MIGRATED,           /* the group became a supergroup */
	METRICS_ERR_SERVER,             /* 5xx and anything else */
	METRICS_NSEND_ERROR
};

/* 429 pauses: only one chat waits, or every send to the platform. */
enum metrics_pause { METRICS_PAUSE_CHAT, METRICS_PAUSE_BOT, METRICS_NPAUSE };

struct metrics {
	/* counters, since the start */
	int64_t updates[METRICS_NPLATFORM];     /* updates handled (new ones) */
	int64_t replies_sent[METRICS_NPLATFORM];        /* to a chat, API ok */
	int64_t outcomes[METRICS_NOUTCOME];
	int64_t send_errors[METRICS_NPLATFORM][METRICS_NSEND_ERROR];
	int64_t pauses[METRICS_NPLATFORM][METRICS_NPAUSE];
	int64_t reloads_ok, reloads_failed;
	/* from the store, at publication */
	int64_t tickets_opened, tickets_open, tickets_escalated;
	int64_t outbox_pending;
	int64_t outbox_oldest_ms;       /* 0: nothing pending */
	int store_ok;                   /* the store takes writes */
	char store_why[160];            /* if not, why (one line, English) */
	/* the platforms */
	int enabled[METRICS_NPLATFORM];
	int64_t last_poll_ms[METRICS_NPLATFORM];        /* last good poll, 0 none */
	int poll_stale_s;               /* no good poll this long: unhealthy */
	int64_t started_ms;
	int64_t published_ms;           /* set by metrics_publish */
	/* the Zalo OA */
	int64_t oa_refreshes[2];        /* token refreshes: [0] ok, [1] failed */
	int64_t oa_window_cut;          /* last free reply, sent with the note */
	int64_t oa_window_dropped;      /* replies not sent: window spent/closed */
};

#define METRICS_LOOP_STALE_S 30         /* loop silent this long: unhealthy */

struct metrics_server;

/*
 * "127.0.0.1:9464" or "[::1]:9464" (numeric address and port) to a socket
 * address. 0, or -1 when it is not one. Pure.
 */
int metrics_parse_listen(const char *s, struct sockaddr_storage *sa,
    socklen_t *len);

/* Listens on addr ("IP:port"); NULL with err filled when it cannot. */
struct metrics_server *metrics_start(const char *addr, char *err, size_t n);
void metrics_publish(struct metrics_server *s, const struct metrics *m);
void metrics_stop(struct metrics_server *s);

/* The Prometheus text exposition of m (version 0.0.4). Pure. */
void metrics_render(const struct metrics *m, struct buf *out);
/* 1 healthy, else 0 with why filled (one line). Pure. */
int metrics_health(const struct metrics *m, int64_t now_ms, char *why,
    size_t n);

#endif
