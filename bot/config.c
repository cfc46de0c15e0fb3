#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buf.h"
#include "metrics.h"
#include "util.h"
#include "webhook.h"

enum ctype { C_STR, C_INT, C_SECRET };

static const struct centry {
	const char *name;
	const char *env;
	enum ctype type;
	size_t off;
	int min, max;
	int idef;
	const char *sdef;
	const char *help;
	bool hot;               /* SIGHUP applies it (config_apply_hot) */
} table[] = {
#define S(n, e, d, h) { #n, e, C_STR, offsetof(struct config, n), 0, 0, 0, d, h, 0 }
#define T(n, e, h) { #n, e, C_SECRET, offsetof(struct config, n), 0, 0, 0, NULL, h, 0 }
#define I(n, e, lo, hi, d, h) \
	{ #n, e, C_INT, offsetof(struct config, n), lo, hi, d, NULL, h, 0 }
/* hot: SIGHUP copies it into the running configuration (config_apply_hot) */
#define H(n, e, lo, hi, d, h) \
	{ #n, e, C_INT, offsetof(struct config, n), lo, hi, d, NULL, h, 1 }
	T(telegram_token, "HOIDAP_TELEGRAM_TOKEN", "Telegram bot token; empty = off"),
	S(telegram_api, "HOIDAP_TELEGRAM_API", "https://api.telegram.org",
	    "Telegram API base URL"),
	S(telegram_bot, "HOIDAP_TELEGRAM_BOT", "", "bot username for t.me deep links"),
	T(zalo_token, "HOIDAP_ZALO_TOKEN", "Zalo Bot Platform token; empty = off"),
	S(zalo_api, "HOIDAP_ZALO_API", "https://bot-api.zaloplatforms.com", "Zalo API base URL"),
	S(zalo_oa_app_id, "HOIDAP_ZALO_OA_APP_ID", "",
	    "Zalo OA: the app id (developers.zalo.me); empty = off"),
	T(zalo_oa_app_secret, "HOIDAP_ZALO_OA_APP_SECRET",
	    "Zalo OA: the app secret key, for token refresh"),
	T(zalo_oa_secret, "HOIDAP_ZALO_OA_SECRET",
	    "Zalo OA: the OA secret key, for event signatures"),
	T(zalo_oa_refresh_token, "HOIDAP_ZALO_OA_REFRESH_TOKEN",
	    "Zalo OA: the first refresh token (later ones live in the database)"),
	S(zalo_oa_api, "HOIDAP_ZALO_OA_API", "https://openapi.zalo.me",
	    "Zalo OA OpenAPI base URL"),
	S(zalo_oa_oauth, "HOIDAP_ZALO_OA_OAUTH", "https://oauth.zaloapp.com",
	    "Zalo OA OAuth base URL"),
	S(db, "HOIDAP_DB", "hoidap.db", "SQLite database path"),
	S(kb, "HOIDAP_KB", "knowledge", "knowledge directory"),
	S(log_level, "HOIDAP_LOG_LEVEL", "info", "debug, info, warn or error"),
	H(poll_timeout, "HOIDAP_POLL_TIMEOUT", 1, 50, 30, "long-poll seconds"),
	H(http_timeout, "HOIDAP_HTTP_TIMEOUT", 1, 120, 15, "send request timeout, seconds"),
	H(rate_chat_ms, "HOIDAP_RATE_CHAT_MS", 0, 60000, 1000,
	    "min ms between messages to one chat"),
	H(rate_group_per_min, "HOIDAP_RATE_GROUP_PER_MIN", 0, 10000, 20,
	    "messages per minute to one group"),
	H(rate_global_per_s, "HOIDAP_RATE_GLOBAL_PER_S", 0, 100000, 30,
	    "messages per second in all"),
	H(flood_max, "HOIDAP_FLOOD_MAX", 1, 100000, 8,
	    "messages per window a resident gets answers to"),
	H(flood_window, "HOIDAP_FLOOD_WINDOW", 1, 3600, 30, "flood window, seconds"),
	H(drain_seconds, "HOIDAP_DRAIN_SECONDS", 0, 60, 5, "SIGTERM: seconds to flush the outbox"),
	H(max_attempts, "HOIDAP_MAX_ATTEMPTS", 1, 1000, 12,
	    "transient failures before a message is given up"),
	I(send_concurrency, "HOIDAP_SEND_CONCURRENCY", 1, 16, 1,
	    "sends in flight at once (a crash may repeat each)"),
	S(volunteer_chat, "HOIDAP_VOLUNTEER_CHAT", "",
	    "Telegram chat id of the volunteers' group"),
	S(admins, "HOIDAP_ADMINS", "", "admin Telegram user ids, comma-separated"),
	S(volunteers, "HOIDAP_VOLUNTEERS", "", "extra volunteer user ids, comma-separated"),
	S(support_hours, "HOIDAP_SUPPORT_HOURS", "07:30-21:00",
	    "when volunteers answer (HH:MM-HH:MM)"),
	S(typical_wait, "HOIDAP_TYPICAL_WAIT", "khoảng 30 phút",
	    "what residents are told about the wait"),
	H(reannounce_minutes, "HOIDAP_REANNOUNCE_MINUTES", 1, 10080, 30,
	    "remind the group of an unclaimed ticket"),
	H(escalate_minutes, "HOIDAP_ESCALATE_MINUTES", 1, 100000, 240,
	    "escalate a ticket open this long to the admins"),
	I(member_check_seconds, "HOIDAP_MEMBER_CHECK_SECONDS", 0, 86400, 300,
	    "re-check a volunteer is in the group after N s"),
	I(watch_seconds, "HOIDAP_WATCH_SECONDS", 0, 3600, 2,
	    "check knowledge/ for edits every N s (0 = off)"),
	I(keep_days, "HOIDAP_KEEP_DAYS", 1, 3650, 180, "days the (redacted) message log is kept"),
	S(ward_name, "HOIDAP_WARD_NAME", "", "the ward's name, on every QR leaflet card"),
	S(ward_hotline, "HOIDAP_WARD_HOTLINE", "",
	    "the ward's phone number, on every leaflet card"),
	S(zalo_link, "HOIDAP_ZALO_LINK", "",
	    "link that opens the ward's Zalo chat (https://zalo.me/<OA id>), for leaflets"),
	S(metrics_listen, "HOIDAP_METRICS_LISTEN", "",
	    "IP:port for /metrics and /healthz (e.g. 127.0.0.1:9464); empty = off"),
	S(webhook_listen, "HOIDAP_WEBHOOK_LISTEN", "",
	    "IP:port for webhook pushes (/telegram, /zalo), behind a TLS proxy; empty = off"),
	S(webhook_url, "HOIDAP_WEBHOOK_URL", "",
	    "public https:// base URL of webhook_listen; set: setWebhook, no long polling"),
	T(webhook_secret, "HOIDAP_WEBHOOK_SECRET",
	    "secret_token the platforms send with each push (8-256 of A-Z a-z 0-9 _ -)"),
#undef S
#undef T
#undef I
#undef H
};

static char **
str_at(struct config *c, const struct centry *e)
{
	return (char **)((char *)c + e->off);
}

static int *
int_at(struct config *c, const struct centry *e)
{
	return (int *)((char *)c + e->off);
}

void
config_init(struct config *c)
{
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < ARRAY_SIZE(table); i++) {
		if (table[i].type == C_INT)
			*int_at(c, &table[i]) = table[i].idef;
		else
			*str_at(c, &table[i]) = xstrdup(table[i].sdef ? table[i].sdef : "");
	}
}

void
config_release(struct config *c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(table); i++) {
		if (table[i].type != C_INT)
			str_wipe_free(str_at(c, &table[i]));    /* tokens */
	}
}

/* A base URL: https://, or http:// (the fake API of the tests). */
static bool
is_url(const char *v)
{
	return strncmp(v, "https://", 8) == 0 || strncmp(v, "http://", 7) == 0;
}

static int
set(struct config *c, const struct centry *e, const char *v, const char *path,
    int line, struct diag *d)
{
	if (e->type == C_INT) {
		char *end;
		long n;

		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || end == v || *end) {
			diag_error(d, path, line, "'%s' must be a whole number", e->name);
			return -1;
		}
		if (n < e->min || n > e->max) {
			diag_error(d, path, line, "'%s' must be between %d and %d",
			    e->name, e->min, e->max);
			return -1;
		}
		*int_at(c, e) = (int)n;
		return 0;
	}
	if (strcmp(e->name, "log_level") == 0 && strcmp(v, "debug") != 0 &&
	    strcmp(v, "info") != 0 && strcmp(v, "warn") != 0 &&
	    strcmp(v, "error") != 0) {
		diag_error(d, path, line, "'log_level' must be debug, info, warn or "
		    "error");
		return -1;
	}
	if (strcmp(e->name, "support_hours") == 0 && *v) {
		int a, b, c2, d2;
		char tail;

		if (sscanf(v, "%d:%d-%d:%d%c", &a, &b, &c2, &d2, &tail) != 4 ||
		    a < 0 || a > 23 || b < 0 || b > 59 || c2 < 0 || c2 > 24 ||
		    d2 < 0 || d2 > 59 || a * 60 + b >= c2 * 60 + d2) {
			diag_error(d, path, line, "'support_hours' must look like "
			    "07:30-21:00");
			return -1;
		}
	}
	if ((strcmp(e->name, "admins") == 0 || strcmp(e->name, "volunteers") == 0
	    || strcmp(e->name, "volunteer_chat") == 0) && *v) {
		const char *q;

		for (q = v; *q; q++) {
			if (!(*q >= '0' && *q <= '9') && *q != ',' && *q != ' ' &&
			    *q != '-') {
				diag_error(d, path, line, "'%s' takes Telegram numeric ids "
				    "separated by commas", e->name);
				return -1;
			}
		}
	}
	if (strcmp(e->name, "zalo_oa_app_id") == 0 && v[strspn(v, "0123456789")]) {
		diag_error(d, path, line, "'zalo_oa_app_id' is the app's numeric id");
		return -1;
	}
	if ((strcmp(e->name, "telegram_api") == 0 || strcmp(e->name, "zalo_api") == 0
	    || strcmp(e->name, "zalo_oa_api") == 0 ||
	    strcmp(e->name, "zalo_oa_oauth") == 0) && !is_url(v)) {
		diag_error(d, path, line, "'%s' must start with https://", e->name);
		return -1;
	}
	if (strcmp(e->name, "webhook_url") == 0 && *v && !is_url(v)) {
		diag_error(d, path, line, "'webhook_url' must start with https://");
		return -1;
	}
	if (strcmp(e->name, "webhook_secret") == 0 && *v && (strlen(v) < 8 ||
	    strlen(v) > 256 || v[strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789_-")])) {
		diag_error(d, path, line, "'webhook_secret' takes 8 to 256 of "
		    "A-Z, a-z, 0-9, _ and -");
		return -1;
	}
	if ((strcmp(e->name, "metrics_listen") == 0 ||
	    strcmp(e->name, "webhook_listen") == 0) && *v) {
		struct sockaddr_storage sa;
		socklen_t len;

		if ((e->name[0] == 'm' ? metrics_parse_listen(v, &sa, &len) :
		    webhook_parse_listen(v, &sa, &len)) < 0) {
			diag_error(d, path, line, "'%s' must be a numeric "
			    "address and port, like 127.0.0.1:9464 or [::1]:9464",
			    e->name);
			return -1;
		}
	}
	free(*str_at(c, e));
	*str_at(c, e) = xstrdup(v);
	return 0;
}

int
config_parse(struct config *c, const char *path, const char *data,
    struct diag *d)
{
	char *copy = xstrdup(data), *p = copy, *line;
	size_t before = d->nerr, i;
	int lineno = 0;

	d->en = true;           /* the operator's file: English messages */

	while ((line = strsep(&p, "\n")) != NULL) {
		char *eq, *k, *v;
		const struct centry *e = NULL;

		lineno++;
		line = str_trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (!eq) {
			diag_error(d, path, lineno, "expected 'key = value'");
			continue;
		}
		*eq = '\0';
		k = str_trim(line);
		v = str_trim(eq + 1);
		if (strlen(v) >= 2 && v[0] == '"' && v[strlen(v) - 1] == '"') {
			v[strlen(v) - 1] = '\0';
			v++;
		}
		for (i = 0; i < ARRAY_SIZE(table); i++)
			if (strcmp(table[i].name, k) == 0)
				e = &table[i];
		if (!e) {
			diag_error(d, path, lineno, "unknown key '%s'", k);
			continue;
		}
		(void)set(c, e, v, path, lineno, d);
	}
	free(copy);
	return d->nerr > before ? -1 : 0;
}

int
config_load(struct config *c, const char *path, int path_given, struct diag *d)
{
	struct buf b;
	size_t before = d->nerr, i;

	d->en = true;           /* the operator's file: English messages */
	buf_init(&b, 1024 * 1024);
	if (buf_read_file(&b, path) < 0) {
		if (path_given || errno != ENOENT)
			diag_error(d, path, 0, "cannot read: %s", strerror(errno));
	} else if (memchr(b.data, '\0', b.len)) {
		diag_error(d, path, 0, "not a configuration file (binary data)");
	} else {
		struct stat sb;

		(void)config_parse(c, path, b.data, d);
		/* a token beside settings everyone may read (hoidap.conf is
		 * installed 0644 so the service user can read it) */
		if ((*c->telegram_token || *c->zalo_token) && stat(path, &sb) == 0 &&
		    (sb.st_mode & 077))
			diag_warn(d, path, 0, "a token is set in this file, which "
			    "others can read (mode %04o): put tokens in /etc/hoidap/env "
			    "(mode 0600, read by systemd as root; see "
			    "config/hoidap.service), or chmod 600 this file",
			    (unsigned)(sb.st_mode & 07777));
	}
	buf_release(&b);
	for (i = 0; i < ARRAY_SIZE(table); i++) {
		const char *v = getenv(table[i].env);

		if (v)
			(void)set(c, &table[i], v, table[i].env, 0, d);
	}
	return d->nerr > before ? -1 : 0;
}

void
config_apply_hot(struct config *c, const struct config *from)
{
	struct config *f = (struct config *)(uintptr_t)from;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(table); i++) {
		const struct centry *e = &table[i];

		if (!e->hot)
			continue;
		if (e->type == C_INT) {
			*int_at(c, e) = *int_at(f, e);
		} else {
			free(*str_at(c, e));
			*str_at(c, e) = xstrdup(*str_at(f, e));
		}
	}
}

int
config_platforms(const struct config *c, char *out, size_t n)
{
	/* a ward may run its Official Account alone */
	const char *on[3] = { *c->telegram_token ? "telegram" : NULL,
	    *c->zalo_token ? "zalo" : NULL, *c->zalo_oa_app_id ? "zalo_oa" : NULL };
	size_t i;
	int k = 0;

	if (n)
		*out = '\0';
	for (i = 0; i < ARRAY_SIZE(on); i++) {
		if (!on[i])
			continue;
		snprintf(out + strlen(out), n - strlen(out), "%s%s", k ? " " : "",
		    on[i]);
		k++;
	}
	return k;
}

void
config_dump(const struct config *c)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(table); i++) {
		const struct centry *e = &table[i];
		struct config *cc = (struct config *)(uintptr_t)c;

		if (e->type == C_INT)
			printf("%-21s = %d\n", e->name, *int_at(cc, e));
		else if (e->type == C_SECRET)
			printf("%-21s = %s\n", e->name,
			    **str_at(cc, e) ? "(set)" : "(empty: off)");
		else
			printf("%-21s = %s\n", e->name, *str_at(cc, e));
	}
}
