/*
 * config: config/hoidap.conf ("key = value", '#' comments) then environment
 * overrides (HOIDAP_*). One table lists every key with its type, bounds and
 * default (Redis config.c); errors are "path:line: message" (ntpd).
 */
#ifndef HOIDAP_CONFIG_H
#define HOIDAP_CONFIG_H

#include "diag.h"

struct config {
	char *telegram_token;
	char *telegram_api;
	char *telegram_bot;             /* bot username, for deep links */
	char *zalo_token;
	char *zalo_api;
	char *zalo_oa_app_id;           /* Official Account: the Zalo app */
	char *zalo_oa_app_secret;       /* token refresh (header secret_key) */
	char *zalo_oa_secret;           /* the OA secret key: event signatures */
	char *zalo_oa_refresh_token;    /* the first one; then the database's */
	char *zalo_oa_api;              /* https://openapi.zalo.me */
	char *zalo_oa_oauth;            /* https://oauth.zaloapp.com */
	char *db;
	char *kb;
	char *log_level;
	int poll_timeout;               /* long-poll seconds */
	int http_timeout;               /* send timeout seconds */
	int rate_chat_ms;               /* min gap between sends to one chat */
	int rate_group_per_min;
	int rate_global_per_s;
	int flood_max;                  /* messages per window before a notice */
	int flood_window;               /* seconds */
	int drain_seconds;              /* SIGTERM: flush the outbox this long */
	int max_attempts;               /* transient failures before giving up */
	int send_concurrency;           /* sends in flight at once */
	char *volunteer_chat;           /* Telegram group of the volunteers */
	char *admins;                   /* Telegram user ids, comma-separated */
	char *volunteers;               /* extra volunteer user ids (optional) */
	char *support_hours;            /* "07:30-21:00", Asia/Ho_Chi_Minh */
	char *typical_wait;             /* "khoảng 30 phút" */
	int reannounce_minutes;         /* unclaimed ticket: remind the group */
	int escalate_minutes;           /* open this long: tell the admins */
	int member_check_seconds;       /* trust a volunteer's membership this long */
	int watch_seconds;              /* knowledge/ change check interval */
	int keep_days;                  /* message log retention */
	char *ward_name;                /* printed on every leaflet card */
	char *ward_hotline;             /* the ward's phone, ditto */
	char *zalo_link;                /* the ward's Zalo chat, for leaflets */
	char *metrics_listen;           /* "127.0.0.1:9464"; "" = no metrics */
	char *webhook_listen;           /* "127.0.0.1:8080"; "" = no webhooks */
	char *webhook_url;              /* public base URL; "" = long polling */
	char *webhook_secret;           /* secret_token of every push */
};

#define CONFIG_DEFAULT_PATH "config/hoidap.conf"

void config_init(struct config *c);     /* defaults */
void config_release(struct config *c);
/* Reads path (a missing default path is not an error); then environment. */
int config_load(struct config *c, const char *path, int path_given,
    struct diag *d);
/* Parses config text (no environment); `path` names it in messages. */
int config_parse(struct config *c, const char *path, const char *data,
    struct diag *d);
/* SIGHUP: copies the keys marked hot in the table (the limits; tokens, URLs
 * and paths need a restart) from `from` to c. */
void config_apply_hot(struct config *c, const struct config *from);
/* The platforms c configures, "telegram zalo zalo_oa" or a part, into out
 * ("" none); returns how many. serve refuses to start without one, and
 * `make run` asks check-config, which prints the line. */
int config_platforms(const struct config *c, char *out, size_t n);
/* Prints the effective configuration, tokens masked. */
void config_dump(const struct config *c);

#endif
