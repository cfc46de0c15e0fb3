/*
 * daemon_int.h: what the daemon's parts share (daemon.c: signals, the loop,
 * reload, the tick; ingest.c: events to replies; poll.c: long polling;
 * outbox.c: senders, the ready list, rate limits; oatoken.c: the Zalo OA's
 * tokens; webhook.c: the HTTP ingress). Not a public interface.
 */
#ifndef HOIDAP_DAEMON_INT_H
#define HOIDAP_DAEMON_INT_H

#include <curl/curl.h>
#include <stdint.h>

#include "buf.h"
#include "config.h"
#include "event.h"
#include "metrics.h"
#include "platform.h"
#include "store.h"
#include "zalo_oa.h"

#define MAX_SENDERS 16
#define BODY_CAP (4 * 1024 * 1024)
#define MAX_LAT_SAMPLES (1 << 20)
#define RATE_SLOTS 8192
#define READY_MAX 256
#define POLL_FLOOR_MS 1000      /* no faster, when answers come back early */
#define UNHOOK_EVERY_MS (10 * 60000)    /* deleteWebhook at most this often */
#define HELD_MAX 1024           /* outbox states kept while writes fail */

/* indexes into platforms[] (platform.h) */
enum platform_id { P_TELEGRAM = PLATFORM_TELEGRAM, P_ZALO = PLATFORM_ZALO,
	P_ZALO_OA = PLATFORM_ZALO_OA, P_COUNT = PLATFORM_COUNT };
_Static_assert((int)P_TELEGRAM == METRICS_TELEGRAM && (int)P_ZALO ==
    METRICS_ZALO && (int)P_ZALO_OA == METRICS_ZALO_OA &&
    (int)P_COUNT == METRICS_NPLATFORM, "metrics platforms");

struct poller {
	enum platform_id id;
	const struct platform *pf;
	int enabled;
	char *prefix;           /* base/bot<token>: a secret, never logged */
	CURL *h;
	int busy;
	struct buf body;
	char *req;
	struct curl_slist *hdr;
	int64_t next_ms;        /* do not poll before */
	int64_t started_ms;     /* the poll in flight began */
	int64_t offset;         /* Telegram: the offset it asked with */
	int early;              /* answers came back early with nothing new */
	int fails;              /* errors in a row, 409 aside */
	int conflicts;          /* 409s in a row */
	int64_t unhook_ms;      /* deleteWebhook queued then */
	int64_t unhooked_ms;    /* deleteWebhook succeeded then */
	int64_t pause_until;    /* a 429 for the whole bot: no sends before */
	int64_t press_pause_until;      /* a 429 on a press's answer: no
					 * other answers before */
	int64_t backoff_ms;
	int64_t last_ok_ms;     /* the last poll that worked ended then */
	struct event held;      /* Zalo: an update not stored yet */
	int64_t held_us;        /* when it arrived */
	int has_held;
	int webhook;            /* pushed to webhook_listen: no long polling */
	int hooked;             /* setWebhook succeeded */
	int64_t hook_next_ms;   /* try setWebhook again then */
};

struct sender {
	CURL *h;
	int busy;
	struct outbox_item it;
	struct buf body;
	struct curl_slist *hdr;
	struct curl_slist *xhdr;        /* hdr and the platform's header (the
					 * OA's access token): wiped after */
	int64_t oa_gen;                 /* OA: the access token it used */
	int oa_counted;                 /* OA: counted against the window */
};

/*
 * The Zalo OA's tokens (oatoken.c). The access token lives in memory only;
 * the refresh token, single-use, in the store: a new one is committed
 * before the access token that came with it is used.
 */
struct oatoken {
	int on;                         /* zalo_oa_app_id is set */
	char seed[65];                  /* zalo_oa_seed() of the configured one */
	char *refresh;                  /* the newest the store holds */
	char *access;                   /* NULL: none usable (sends wait) */
	int64_t expires_ms;
	int64_t gen;                    /* counts access tokens */
	struct zalo_oa_token fresh;     /* answered but not yet stored */
	int unwritten;
	CURL *h;
	int busy;
	struct buf body;
	char *req;
	struct curl_slist *hdr;
	int64_t next_ms;                /* refresh (or write fresh) then */
	int fails;
	int64_t refused_ms;             /* a -216 asked for a refresh then */
	int refused_row;                /* such refreshes since a send worked */
	int64_t ok_ms;                  /* the last access token came then */
	int told;                       /* admins told the token was refused */
};

/*
 * What became of an outbox row when writing it failed (disk full, database
 * locked): kept in memory and written again later. A row known sent or
 * given up on is never sent again by this process; if it restarts first,
 * the row goes out once more.
 */
enum held_op { H_SENT, H_FAILED, H_RETRY };

struct held {
	int64_t id;
	enum held_op op;
	int64_t not_before;     /* H_RETRY */
	int count;              /* H_RETRY: counts as an attempt */
	char why[160];
};

struct rate_slot {
	uint64_t key;
	int64_t last_ms;
	int64_t prev_ms;        /* the send before last_ms's */
	int64_t told_ms;        /* OA: the group was told a reply to it could
				 * not go (outside the window) */
};

struct daemon {
	struct config *cfg;
	const char *cfg_path;
	int cfg_given;
	struct kb *kb;
	struct store *st;
	CURLM *multi;
	struct poller poll[P_COUNT];
	struct sender snd[MAX_SENDERS];
	int nsnd;
	struct rate_slot rate[RATE_SLOTS];
	double tokens;                  /* global bucket */
	int64_t tokens_ms;
	int64_t wake_ms;                /* earliest rate-limited send */
	/* Due chat heads read from the outbox, sent in id order; refilled when
	 * new replies were committed (dirty) or a delayed one falls due. */
	struct outbox_item ready[READY_MAX];
	struct outbox_item heads[P_COUNT][READY_MAX / P_COUNT];    /* refill's */
	int nready;
	int dirty;
	int more;
	int64_t next_due;
	struct held held[HELD_MAX];
	int nheld;
	int64_t next_held_ms;           /* write the held states again */
	int64_t *lat;                   /* update->send latency samples, us */
	size_t nlat;
	size_t handled, sent, failed;
	int want_reload;                /* /tailai from an admin */
	int64_t next_cron_ms;           /* tickets: re-announce, escalate */
	int64_t next_flush_ms;          /* residents' words held for the group */
	int64_t next_watch_ms;          /* knowledge/ edits */
	int64_t next_prune_ms;          /* retention, hourly */
	int64_t next_dbcheck_ms;        /* is the database file still there? */
	int db_lost;
	uint64_t kb_sig;                /* signature of knowledge/ at load */
	CURL *member_h;                 /* getChatMember, see member_status */
	struct buf member_body;
	struct metrics m;               /* the loop's counters, see metrics.h */
	struct metrics_server *msrv;    /* NULL: metrics_listen is off */
	struct webhook *wh;             /* NULL: webhook_listen is off */
	int64_t next_metrics_ms;
	int64_t watchdog_ms;            /* systemd's WatchdogSec / 2, or 0 */
	int64_t next_watchdog_ms;
	struct oatoken oa;              /* Zalo OA tokens, see oatoken.c */
};

/* daemon.c */
int64_t daemon_backoff(int attempts, int64_t cap_ms);
int daemon_int64_cmp(const void *a, const void *b);
CURL *daemon_easy_new(struct buf *body, int timeout_s);
void daemon_tell_admins(struct daemon *d, const char *text);

/* ingest.c: one event, inside the caller's transaction */
int ingest_event(struct daemon *d, enum platform_id p, struct event *ev,
    int64_t recv_us);
int ingest_batch(struct daemon *d, enum platform_id p, struct event *ev,
    size_t n, int64_t recv_us, int64_t next_offset);
void ingest_group_follow(struct daemon *d);
int ingest_group_moved(struct daemon *d, const char *from, const char *to);
void ingest_group_moved_text(char *b, size_t n, const char *to);

/* poll.c */
void poll_start(struct daemon *d, struct poller *pl);
void poll_done(struct daemon *d, struct poller *pl, CURLcode cc);
int poll_hold_store(struct daemon *d, struct poller *pl);

/* outbox.c */
void outbox_fill(struct daemon *d);
void outbox_send_done(struct daemon *d, struct sender *s, CURLcode cc);
void outbox_held_tick(struct daemon *d, int64_t now);
void outbox_held_flush(struct daemon *d);
int outbox_left(struct daemon *d);
void outbox_ready_drop(struct daemon *d, int i);
void outbox_senders_open(struct daemon *d, int n, long timeout);
void outbox_senders_close(struct daemon *d);

/* oatoken.c: the Zalo OA's tokens, refreshed through the loop's multi */
int oatoken_open(struct daemon *d, char *err, size_t n);
void oatoken_tick(struct daemon *d, int64_t now);
void oatoken_done(struct daemon *d, CURLcode cc);
/* A send with token generation gen got -216: 1 retry it (uncounted; a
 * refresh is on its way), 0 count it as a failed attempt. */
int oatoken_refused(struct daemon *d, int64_t gen);
void oatoken_close(struct daemon *d);
/* Frees header lines that carry the OA's secrets (the app secret, an
 * access token), wiping them first; outbox.c's sends use it too. */
void oatoken_headers_free(struct curl_slist *l);

/* webhook.c: the HTTP ingress, run by the loop (see webhook.c) */
struct webhook;
struct webhook *webhook_start(struct daemon *d, const char *addr, char *err,
    size_t n);
int webhook_fd(const struct webhook *w);
int64_t webhook_timeout(const struct webhook *w);     /* ms, -1: none */
void webhook_run(struct webhook *w);
int webhook_port(const struct webhook *w);
void webhook_stop(struct webhook *w);
int webhook_register(struct daemon *d, struct poller *pl);

#endif
