#include "daemon.h"

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
#include "tg.h"
#include "util.h"
#include "zalo.h"

#define MAX_SENDERS 16
#define BODY_CAP (4 * 1024 * 1024)
#define MAX_LAT_SAMPLES (1 << 20)
#define RATE_SLOTS 8192
#define READY_MAX 256
#define POLL_FLOOR_MS 1000      /* no faster, when answers come back early */
#define UNHOOK_EVERY_MS (10 * 60000)    /* deleteWebhook at most this often */
#define HELD_MAX 1024           /* outbox states kept while writes fail */

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

enum platform_id { P_TELEGRAM, P_ZALO, P_COUNT };
static const char *const pname[P_COUNT] = { "telegram", "zalo" };
_Static_assert((int)P_TELEGRAM == METRICS_TELEGRAM && (int)P_ZALO ==
    METRICS_ZALO && (int)P_COUNT == METRICS_NPLATFORM, "metrics platforms");

struct poller {
	enum platform_id id;
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
	int64_t backoff_ms;
	int64_t last_ok_ms;     /* the last poll that worked ended then */
	struct event held;      /* Zalo: an update not stored yet */
	int64_t held_us;        /* when it arrived */
	int has_held;
};

struct sender {
	CURL *h;
	int busy;
	struct outbox_item it;
	struct buf body;
	struct curl_slist *hdr;
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
	int64_t next_metrics_ms;
	int64_t watchdog_ms;            /* systemd's WatchdogSec / 2, or 0 */
	int64_t next_watchdog_ms;
};

/* ---- small helpers ---- */

static int
int64_cmp(const void *a, const void *b)
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

static int64_t
backoff_delay(int attempts, int64_t cap_ms)
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

static CURL *
easy_new(struct buf *body, int timeout_s)
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

/* ---- rate limits ---- */

static struct rate_slot *
rate_slot(struct daemon *d, const char *platform, const char *chat)
{
	uint64_t k = hash64(chat, strlen(chat), hash64(platform,
	    strlen(platform), 7)) | 1;
	size_t i = k % RATE_SLOTS, probe;

	for (probe = 0; probe < 16; probe++, i = (i + 1) % RATE_SLOTS) {
		if (d->rate[i].key == k || d->rate[i].key == 0) {
			d->rate[i].key = k;
			return &d->rate[i];
		}
	}
	/* Full neighbourhood: reuse the stalest slot (a forgotten chat only
	 * loses its gap, which errs on sending, and Telegram would 429). */
	{
		size_t best = k % RATE_SLOTS, j = best;

		for (probe = 0; probe < 16; probe++, j = (j + 1) % RATE_SLOTS)
			if (d->rate[j].last_ms < d->rate[best].last_ms)
				best = j;
		d->rate[best].key = k;
		d->rate[best].last_ms = d->rate[best].prev_ms = 0;
		return &d->rate[best];
	}
}

static struct poller *platform_of(struct daemon *d, const char *platform);

/* 0 if it may go now; else ms to wait. */
static int64_t
rate_wait(struct daemon *d, const struct outbox_item *it, int64_t now)
{
	const struct config *c = d->cfg;
	int64_t gap = 0, paused = platform_of(d, it->platform)->pause_until;

	if (now < paused)
		return paused - now;
	if (it->chat_id[0]) {
		struct rate_slot *s = rate_slot(d, it->platform, it->chat_id);

		/* callback answers and setMyCommands have no chat ("" key) */
		if (it->is_group)
			gap = c->rate_group_per_min ? 60000 / c->rate_group_per_min : 0;
		else
			gap = c->rate_chat_ms;
		if (gap && s->last_ms && now - s->last_ms < gap)
			return gap - (now - s->last_ms);
	}
	if (c->rate_global_per_s) {
		double rate = c->rate_global_per_s;

		d->tokens += (double)(now - d->tokens_ms) * rate / 1000.0;
		if (d->tokens > rate)
			d->tokens = rate;
		d->tokens_ms = now;
		if (d->tokens < 1.0)
			return (int64_t)((1.0 - d->tokens) * 1000.0 / rate) + 1;
	}
	return 0;
}

static void
rate_take(struct daemon *d, const struct outbox_item *it, int64_t now)
{
	if (it->chat_id[0]) {
		struct rate_slot *s = rate_slot(d, it->platform, it->chat_id);

		s->prev_ms = s->last_ms;
		s->last_ms = now;
	}
	if (d->cfg->rate_global_per_s)
		d->tokens -= 1.0;
}

/* ---- turning events into replies ---- */

struct emit_ctx {
	struct daemon *d;
	enum platform_id p;
	const char *chat;
	int is_group;
	int64_t recv_us;
	int rc;
};

static void
emit_body(const char *body, void *arg)
{
	struct emit_ctx *e = arg;

	if (store_outbox_add(e->d->st, pname[e->p], e->chat, e->is_group,
	    "sendMessage", body, e->recv_us) < 0)
		e->rc = -1;
}

static const char *
media_text(void)
{
	return "Dạ, cháu chưa xem được ảnh, tin nhắn thoại hay tệp gửi qua đây ạ. "
	    "Bác gõ câu hỏi bằng chữ giúp cháu, hoặc chọn 1 để gặp người của Tổ "
	    "Chuyển đổi số cộng đồng ạ.";
}

static const char *
flood_text(void)
{
	return "Dạ, bác gửi nhiều tin quá nhanh nên cháu xin trả lời chậm lại một "
	    "chút ạ. Bác đợi khoảng nửa phút rồi gõ lại câu hỏi chính giúp cháu nhé.";
}

/* "/start vneid-install" or "vneid_install" → a topic id, if one exists. */
static const struct kb_topic *
deep_link_topic(struct kb *kb, const char *payload)
{
	char id[CONV_ID_MAX];
	size_t i, n = strlen(payload);
	const struct kb_topic *t;

	if (!n || n >= sizeof(id))
		return NULL;
	for (i = 0; i <= n; i++)
		id[i] = payload[i] == '-' ? '.' : payload[i];
	if ((t = kb_find(kb, id)) != NULL)
		return t;
	/* "vneid_install": try each '_' as the '.' between id parts */
	for (i = 0; i < n; i++) {
		if (id[i] != '_')
			continue;
		id[i] = '.';
		if ((t = kb_find(kb, id)) != NULL)
			return t;
		id[i] = '_';
	}
	return NULL;
}

/* Answers a resident's message through the conversation engine. */
static void
converse(struct daemon *d, struct store_chat *chat, const struct event *ev,
    struct conv_reply *r)
{
	const char *text = ev->text ? ev->text : "";

	if (ev->kind == EV_MEDIA) {
		conv_notice(d->kb, &chat->conv, media_text(), r);
	} else if (ev->kind == EV_CALLBACK) {
		if (strncmp(text, "t:", 2) == 0 &&
		    conv_open(d->kb, &chat->conv, text + 2, r) == 0)
			;
		else if (strcmp(text, "n") == 0)
			conv_handle(d->kb, &chat->conv, "tiếp", r);
		else
			conv_handle(d->kb, &chat->conv, "0", r);
	} else if (text[0] == '/') {
		/* Commands: /start [payload], /menu, /help; "@bot" suffixes too. */
		char cmd[33];
		const char *arg = text + 1;
		size_t n = strcspn(arg, " @\n");

		snprintf(cmd, sizeof(cmd), "%.*s", (int)(n < 32 ? n : 32), arg);
		arg += strcspn(arg, " \n");
		while (*arg == ' ')
			arg++;
		if (strcmp(cmd, "start") == 0 && *arg) {
			const struct kb_topic *t = deep_link_topic(d->kb, arg);

			if (!t || conv_open(d->kb, &chat->conv, t->id, r) < 0)
				conv_handle(d->kb, &chat->conv, "0", r);
		} else if (strcmp(cmd, "start") == 0 || strcmp(cmd, "menu") == 0 ||
		    strcmp(cmd, "help") == 0) {
			conv_handle(d->kb, &chat->conv, "0", r);
		} else {
			conv_handle(d->kb, &chat->conv, text + 1, r);
		}
	} else {
		conv_handle(d->kb, &chat->conv, text, r);
	}
}

/*
 * The volunteers' group became a supergroup: follow it, and remember the
 * move in the store, so a restart or a reload with the old id in the
 * configuration still finds the group. cfg->volunteer_chat holds the
 * group's id as it is now. Returns 1 if it was that group, 0 if another
 * chat, -1 on a store error.
 */
static int
group_moved(struct daemon *d, const char *from, const char *to)
{
	if (store_chat_move(d->st, "telegram", from, to) < 0)
		return -1;
	d->dirty = 1;           /* queued replies now name the new chat */
	if (!d->cfg->volunteer_chat[0] || strcmp(from, d->cfg->volunteer_chat))
		return 0;
	log_warn("the volunteers' group %s is now supergroup %s: following it "
	    "(no need to edit volunteer_chat)", from, to);
	free(d->cfg->volunteer_chat);
	d->cfg->volunteer_chat = xstrdup(to);
	return 1;
}

static void
group_moved_text(char *b, size_t n, const char *to)
{
	snprintf(b, n, "ℹ️ Telegram đã nâng cấp nhóm tình nguyện viên thành "
	    "supergroup (mã mới %s). Bot đã tự chuyển sang nhóm mới, không cần sửa "
	    "cấu hình; nếu muốn cho khớp, đặt volunteer_chat = %s.", to, to);
}

/* At start and after a reload: the configured group, or what it became. */
static void
group_follow(struct daemon *d)
{
	char to[64];

	if (!d->cfg->volunteer_chat[0] || store_chat_moved(d->st, "telegram",
	    d->cfg->volunteer_chat, to, sizeof(to)) != 1)
		return;
	log_info("the volunteers' group %s became supergroup %s: using %s",
	    d->cfg->volunteer_chat, to, to);
	free(d->cfg->volunteer_chat);
	d->cfg->volunteer_chat = xstrdup(to);
}

/*
 * getChatMember, for a staff command from a volunteer last seen in the
 * group longer ago than member_check_seconds. It blocks the loop (for
 * MEMBER_TIMEOUT_S at most, and only then): simpler than parking the
 * command, and rare, once per volunteer per member_check_seconds.
 */
#define MEMBER_TIMEOUT_S 5

static int
member_status(void *arg, const char *user_id, char *status, size_t n)
{
	struct daemon *d = arg;
	struct poller *pl = &d->poll[P_TELEGRAM];
	long t = d->cfg->http_timeout < MEMBER_TIMEOUT_S ? d->cfg->http_timeout :
	    MEMBER_TIMEOUT_S;
	struct api_error err;
	struct buf req;
	char url[4096];
	CURLcode cc;
	int rc = -1;

	if (!pl->prefix)
		return -1;
	if (!d->member_h)
		d->member_h = easy_new(&d->member_body, (int)t);
	buf_reset(&d->member_body);
	buf_init(&req, 1024);
	tg_chat_member_request(d->cfg->volunteer_chat, user_id, &req);
	snprintf(url, sizeof(url), "%s/getChatMember", pl->prefix);
	curl_easy_setopt(d->member_h, CURLOPT_URL, url);
	curl_easy_setopt(d->member_h, CURLOPT_POSTFIELDS, req.data);
	curl_easy_setopt(d->member_h, CURLOPT_HTTPHEADER, pl->hdr);
	curl_easy_setopt(d->member_h, CURLOPT_TIMEOUT, t);
	cc = curl_easy_perform(d->member_h);
	if (cc != CURLE_OK)
		log_warn("telegram: getChatMember: %s", curl_easy_strerror(cc));
	else if (tg_parse_chat_member(d->member_body.data, d->member_body.len,
	    &err, status, n) != API_OK)
		log_warn("telegram: getChatMember: %d %s", err.code, err.desc);
	else
		rc = 0;
	buf_release(&req);
	return rc;
}

/* Handles one event inside the caller's transaction. */
static int
handle_event(struct daemon *d, enum platform_id p, struct event *ev,
    int64_t recv_us)
{
	const char *plat = pname[p];
	struct store_chat chat;
	struct conv_reply r;
	struct buf red;
	struct emit_ctx ec = { d, p, ev->chat_id, ev->is_group, recv_us, 0 };
	struct handoff h = { d->st, d->kb, d->cfg, recv_us, 0, 0,
	    member_status, d };
	int64_t now = recv_us / 1000;
	int seen, hidden, reply = 1;
	const char *text = ev->text ? ev->text : "";
	const char *what = NULL;

	seen = store_seen(d->st, plat, ev->update_id);
	if (seen)
		return seen < 0 ? -1 : 0;
	d->m.updates[p]++;
	if (ev->moved_to[0] && p == P_TELEGRAM) {
		int m = group_moved(d, ev->moved_from, ev->moved_to);

		if (m == 1) {
			char msg[512];

			group_moved_text(msg, sizeof(msg), ev->moved_to);
			handoff_tell_admins(&h, msg);
		}
		if (m < 0 || h.rc < 0)
			return -1;
		return store_mark_processed(d->st, plat, ev->update_id);
	}
	if (ev->kind == EV_IGNORE || !ev->chat_id[0])
		return store_mark_processed(d->st, plat, ev->update_id);
	if (ev->kind == EV_CALLBACK && p == P_TELEGRAM) {
		struct buf b;

		buf_init(&b, 4096);
		tg_answer_callback(ev->callback_id, &b);
		/* queued apart from the chat ("" key): a button press is answered
		 * at once, not behind the chat's or the group's pacing */
		if (store_outbox_add(d->st, plat, "", 0,
		    "answerCallbackQuery", b.data, recv_us) < 0)
			ec.rc = -1;
		buf_release(&b);
	}
	/* The volunteers' group: claims, replies, commands. */
	if (handoff_is_group(&h, plat, ev->chat_id)) {
		handoff_group(&h, ev);
		d->want_reload |= h.want_reload;
		log_info("%s: update %s from the volunteers' group", plat,
		    ev->update_id);
		if (store_mark_processed(d->st, plat, ev->update_id) < 0)
			h.rc = -1;
		return h.rc < 0 || ec.rc < 0 ? -1 : 0;
	}
	/* Other groups: the bot does not chat there, but answers /id. */
	if (ev->is_group) {
		(void)handoff_whoami(&h, plat, ev);
		if (h.rc < 0)
			return -1;
		return store_mark_processed(d->st, plat, ev->update_id);
	}

	if (store_chat_get(d->st, plat, ev->chat_id, &chat) < 0)
		return -1;
	conv_reply_init(&r);
	buf_init(&red, BUF_CAP_REPLY);
	hidden = redact(text, &red);
	if (store_log(d->st, plat, ev->chat_id, "in", red.data, NULL,
	    ev->kind == EV_MEDIA ? ev->media : NULL) < 0)
		ec.rc = -1;

	/*
	 * Flood control counts the bot's own answers only, by when the
	 * resident sent each message: a backlog after downtime is not a flood,
	 * and words meant for a volunteer are never dropped.
	 */
	if (ev->date_ms > 0 && ev->date_ms < now)
		now = ev->date_ms;
	if (handoff_staff(&h, plat, ev, red.data)) {
		reply = 0;
		what = "staff command";
	} else if (handoff_feedback(&h, plat, ev)) {
		reply = 0;
		what = "feedback";
	} else if (handoff_relay_resident(&h, plat, ev, red.data)) {
		/* a person is on it: the bot keeps quiet */
		reply = 0;
		what = "relayed to the volunteers";
	} else {
		if (now - chat.flood_start > (int64_t)d->cfg->flood_window * 1000 ||
		    now < chat.flood_start) {
			chat.flood_start = now;
			chat.flood_count = 0;
			chat.flood_noticed = 0;
		}
		chat.flood_count++;
		if (chat.flood_count > d->cfg->flood_max) {
			if (chat.flood_noticed) {
				reply = 0;
				what = "flood, no reply";
			} else {
				chat.flood_noticed = 1;
				conv_notice(d->kb, &chat.conv, flood_text(), &r);
			}
		} else {
			int64_t ticket;

			converse(d, &chat, ev, &r);
			ticket = handoff_maybe_open(&h, plat, ev, red.data, &r, &chat);
			if (ticket) {
				what = "ticket opened";
				/* a person takes over: after them, fallbacks count anew */
				chat.conv.fallbacks = 0;
				if (ev->kind == EV_MEDIA)
					reply = 0;      /* the hand-off message says it all */
			}
		}
	}
	d->want_reload |= h.want_reload;

	if (reply) {
		enum metrics_outcome o = r.kind == CONV_FALLBACK ? METRICS_FALLBACK :
		    r.kind == CONV_CLARIFY ? METRICS_CLARIFY : r.kind == CONV_NOTICE ?
		    METRICS_NOTICE : METRICS_ANSWER;
		const char *action = r.kind == CONV_FALLBACK ? "fallback" :
		    r.kind == CONV_CLARIFY ? "clarify" : r.kind == CONV_NOTICE ?
		    "notice" : "answer";

		d->m.outcomes[o]++;

		if (r.topic && store_count_topic(d->st, r.topic->id) < 0)
			ec.rc = -1;
		if (r.kind == CONV_FALLBACK && ev->kind == EV_TEXT &&
		    store_unanswered(d->st, plat, ev->chat_id, red.data) < 0)
			ec.rc = -1;
		if (store_log(d->st, plat, ev->chat_id, "out", r.text.data,
		    r.topic ? r.topic->id : NULL, action) < 0)
			ec.rc = -1;
		if (p == P_TELEGRAM)
			tg_render(&r, ev->chat_id, emit_body, &ec);
		else
			zalo_render(&r, ev->chat_id, emit_body, &ec);
		log_info("%s: update %s chat %s → %s %s%s%s", plat, ev->update_id,
		    ev->chat_id, action, r.topic ? r.topic->id : "-",
		    what ? ", " : "", what ? what : "");
	} else {
		log_info("%s: update %s chat %s → %s", plat, ev->update_id,
		    ev->chat_id, what ? what : "no reply");
	}
	if (hidden > 0 && ev->kind == EV_TEXT)
		handoff_say(&h, plat, ev->chat_id, "⚠️ Bác lưu ý: đừng bao giờ gửi mã "
		    "OTP, mật khẩu, số thẻ ngân hàng hay số căn cước cho bất kỳ ai qua "
		    "tin nhắn, kể cả cho cháu. Cháu đã ẩn thông tin đó đi rồi ạ. "
		    "Cán bộ thật không bao giờ hỏi những thông tin này.");
	if (store_chat_put(d->st, plat, ev->chat_id, &chat) < 0 ||
	    store_mark_processed(d->st, plat, ev->update_id) < 0)
		ec.rc = -1;
	buf_release(&red);
	conv_reply_release(&r);
	d->handled++;
	return ec.rc < 0 || h.rc < 0 ? -1 : 0;
}

/* ---- polling ---- */

static void
poll_start(struct daemon *d, struct poller *pl)
{
	char url[4096];
	struct buf *b = &pl->body;

	buf_reset(b);
	free(pl->req);
	if (pl->id == P_TELEGRAM) {
		char req[256];

		pl->offset = store_offset(d->st, "telegram");
		snprintf(req, sizeof(req), "{\"offset\":%lld,\"timeout\":%d,"
		    "\"allowed_updates\":[\"message\",\"callback_query\"]}",
		    (long long)pl->offset, d->cfg->poll_timeout);
		pl->req = xstrdup(req);
	} else {
		char req[64];

		snprintf(req, sizeof(req), "{\"timeout\":\"%d\"}", d->cfg->poll_timeout);
		pl->req = xstrdup(req);
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
		    pname[pl->id]);
}

/*
 * Zalo hands an update over once, as it is delivered: if storing it fails,
 * it is kept here and stored again (no polling meanwhile, which would take
 * the next one) until it is in. 0 once stored.
 */
static int
zalo_store(struct daemon *d, struct poller *pl)
{
	int64_t w;
	int rc = store_begin(d->st);

	if (rc == 0)
		rc = handle_event(d, P_ZALO, &pl->held, pl->held_us);
	if (rc == 0)
		rc = store_commit(d->st);
	d->dirty = 1;
	if (rc == 0) {
		if (pl->fails)
			log_info("zalo: update %s stored", pl->held.update_id);
		event_release(&pl->held);
		pl->has_held = 0;
		pl->fails = 0;
		return 0;
	}
	store_rollback(d->st);
	w = backoff_delay(pl->fails, 10000);
	log_error("zalo: could not store update %s; kept in memory, trying "
	    "again in %lld ms", pl->held.update_id, (long long)w);
	poll_backoff(pl, store_now_ms(), w);
	return -1;
}

/*
 * 409: someone else gets this token's updates. Either another copy of the
 * bot polls with it — only a person can stop that one — or a webhook is
 * set. hoidap polls and never sets a webhook, so one on its token is a
 * leftover of an earlier setup: deleted, pending updates kept. If it comes
 * back within minutes, another deployment sets it; that is not fought in a
 * loop. Own counter, modest backoff (1-2 s, doubling to 60 s at most): the
 * errors before a 409 say nothing about it.
 */
static void
conflict(struct daemon *d, struct poller *pl, const struct api_error *err,
    int64_t now)
{
	int64_t w = backoff_delay(2 + pl->conflicts++, 60000);
	const char *p = pname[pl->id];

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
		log_error("%s: 409: %s — a webhook is set for this token (hoidap "
		    "polls and never sets one); deleting it, pending updates kept",
		    p, err->desc);
		if (store_outbox_add(d->st, p, "", 0, "deleteWebhook",
		    "{\"drop_pending_updates\":false}", 0) == 0) {
			pl->unhook_ms = now;
			d->dirty = 1;
		}
	}
}

static void
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
		int64_t w = backoff_delay(pl->fails, 60000);

		log_warn("%s: getUpdates failed: %s; retrying in %lld ms",
		    pname[pl->id], curl_easy_strerror(cc), (long long)w);
		poll_backoff(pl, now, w);
		return;
	}
	if (pl->id == P_TELEGRAM) {
		struct event *ev = NULL;
		size_t n = 0, i;
		int64_t max_id;

		st = tg_parse_updates(pl->body.data, pl->body.len, &ev, &n, &max_id,
		    &err);
		if (st == API_OK) {
			int rc = 0;

			if (n) {
				rc = store_begin(d->st);
				for (i = 0; i < n && rc == 0; i++)
					rc = handle_event(d, P_TELEGRAM, &ev[i], recv_us);
				if (rc == 0 && max_id >= 0)
					rc = store_set_offset(d->st, "telegram", max_id + 1);
				if (rc == 0)
					rc = store_commit(d->st);
				d->dirty = 1;
				if (rc < 0) {
					store_rollback(d->st);
					log_error("telegram: could not store a batch of %zu "
					    "updates; they will be fetched again", n);
					poll_backoff(pl, now, backoff_delay(pl->fails, 30000));
				}
			}
			for (i = 0; i < n; i++)
				event_release(&ev[i]);
			free(ev);
			if (rc == 0)
				poll_again(pl, now, max_id >= pl->offset);
			return;
		}
		free(ev);
	} else {
		struct event ev;
		int got = 0;

		st = zalo_parse_update(pl->body.data, pl->body.len, &ev, &got, &err);
		if (st == API_OK) {
			if (!got) {
				event_release(&ev);
				poll_again(pl, now, 0);
				return;
			}
			pl->held = ev;
			pl->held_us = recv_us;
			pl->has_held = 1;
			if (zalo_store(d, pl) == 0)
				poll_again(pl, now, 1);
			return;
		}
		if (http == 408) {
			poll_again(pl, now, 0);
			return;
		}
	}
	if (st == API_MALFORMED) {
		int64_t w = backoff_delay(pl->fails, 30000);

		log_warn("%s: getUpdates: %s (HTTP %ld); retrying in %lld ms",
		    pname[pl->id], err.desc, http, (long long)w);
		poll_backoff(pl, now, w);
		return;
	}
	if (err.code == 409) {
		conflict(d, pl, &err, now);
	} else if (err.code == 429) {
		int64_t w = err.retry_after ? (int64_t)err.retry_after * 1000 :
		    backoff_delay(pl->fails, 60000);

		log_warn("%s: getUpdates rate-limited; retrying in %lld ms",
		    pname[pl->id], (long long)w);
		/* retry_after is pacing, not a failure */
		if (err.retry_after)
			pl->next_ms = now + w;
		else
			poll_backoff(pl, now, w);
	} else if (err.code == 401 || err.code == 404) {
		log_error("%s: the API refused the token (%d %s); check the token; "
		    "retrying in 60 s", pname[pl->id], err.code, err.desc);
		poll_backoff(pl, now, 60000);
	} else {
		int64_t w = backoff_delay(pl->fails, 60000);

		log_warn("%s: getUpdates error %d %s; retrying in %lld ms",
		    pname[pl->id], err.code, err.desc, (long long)w);
		poll_backoff(pl, now, w);
	}
}

/* ---- sending ---- */

static void tell_admins(struct daemon *d, const char *text);

static void chat_advance(struct daemon *d, const char *platform,
    const char *chat);

static struct poller *
platform_of(struct daemon *d, const char *platform)
{
	return &d->poll[strcmp(platform, "zalo") == 0 ? P_ZALO : P_TELEGRAM];
}

static void
send_start(struct daemon *d, struct sender *s, struct outbox_item *it)
{
	struct poller *pl = platform_of(d, it->platform);
	char url[4096];

	s->it = *it;
	it->body = NULL;        /* moved */
	buf_reset(&s->body);
	snprintf(url, sizeof(url), "%s/%s", pl->prefix, s->it.method);
	curl_easy_setopt(s->h, CURLOPT_URL, url);
	curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, s->it.body);
	curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->hdr);
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT, (long)d->cfg->http_timeout);
	curl_multi_add_handle(d->multi, s->h);
	s->busy = 1;
	if (d->nlat < MAX_LAT_SAMPLES && s->it.created_us)
		d->lat[d->nlat++] = store_now_us() - s->it.created_us;
}

/* ---- outbox states that could not be written ---- */

static int
held_write(struct daemon *d, const struct held *h)
{
	switch (h->op) {
	case H_SENT:
		return store_outbox_sent(d->st, h->id);
	case H_FAILED:
		return store_outbox_failed(d->st, h->id, h->why);
	default:
		return store_outbox_retry(d->st, h->id, h->not_before, h->why,
		    h->count);
	}
}

static struct held *
held_find(struct daemon *d, int64_t id)
{
	int i;

	for (i = 0; i < d->nheld; i++)
		if (d->held[i].id == id)
			return &d->held[i];
	return NULL;
}

/* Records what became of a row; kept in memory when the write fails. */
static void
outbox_set(struct daemon *d, const struct outbox_item *it, enum held_op op,
    int64_t not_before, const char *why, int count)
{
	struct held h = { it->id, op, not_before, count, "" }, *old;

	snprintf(h.why, sizeof(h.why), "%s", why ? why : "");
	/* an older state of the row must not be written over this one */
	if ((old = held_find(d, it->id)) != NULL)
		*old = d->held[--d->nheld];
	if (held_write(d, &h) == 0)
		return;
	if (d->nheld == HELD_MAX) {
		log_error("%s: %d outbox states unwritten; message %lld may go "
		    "out again", it->platform, HELD_MAX, (long long)it->id);
		return;
	}
	d->held[d->nheld++] = h;
	if (op == H_SENT)
		log_error("%s: message %lld was sent but could not be marked; "
		    "kept as sent in memory and marked when the database "
		    "takes writes again (a restart before that sends it once "
		    "more)", it->platform, (long long)it->id);
	else
		log_error("%s: could not record what became of message %lld; "
		    "kept in memory, written again later", it->platform,
		    (long long)it->id);
}

/* Writes the held states again, in one transaction. */
static void
held_flush(struct daemon *d)
{
	int i, n = d->nheld;

	if (!n || store_begin(d->st) < 0)
		return;
	for (i = 0; i < n; i++)
		if (held_write(d, &d->held[i]) < 0)
			break;
	if (i < n || store_commit(d->st) < 0) {
		store_rollback(d->st);
		return;
	}
	d->nheld = 0;
	d->dirty = 1;
	log_info("store: wrote %d outbox state(s) kept while writes failed", n);
}

/* Once a second while states are held: a locked database costs each try
 * its busy timeout. */
static void
held_tick(struct daemon *d, int64_t now)
{
	if (d->nheld && now >= d->next_held_ms) {
		d->next_held_ms = now + 1000;
		held_flush(d);
	}
}

/* Pending rows, less those known sent or given up on. */
static int
outbox_left(struct daemon *d)
{
	int64_t next_due;
	int i, n = store_outbox_pending(d->st, &next_due);

	for (i = 0; i < d->nheld && n > 0; i++)
		n -= d->held[i].op != H_RETRY;
	return n;
}

/* Sorted ids of the rows known sent or given up on; returns the count. */
static size_t
held_done(const struct daemon *d, int64_t *ids)
{
	size_t n = 0;
	int i;

	for (i = 0; i < d->nheld; i++)
		if (d->held[i].op != H_RETRY)
			ids[n++] = d->held[i].id;
	qsort(ids, n, sizeof(*ids), int64_cmp);
	return n;
}

static void
send_retry(struct daemon *d, struct sender *s, int64_t wait_ms, const char *why,
    int counts)
{
	int64_t now = store_now_ms();

	if (counts && s->it.attempts + 1 >= d->cfg->max_attempts) {
		log_error("%s: giving up on message %lld to chat %s after %d "
		    "attempts: %s", s->it.platform, (long long)s->it.id,
		    s->it.chat_id, s->it.attempts + 1, why);
		outbox_set(d, &s->it, H_FAILED, 0, why, 0);
		d->failed++;
		return;
	}
	log_warn("%s: %s to chat %s: %s; retry in %lld ms", s->it.platform,
	    s->it.method, s->it.chat_id, why, (long long)wait_ms);
	outbox_set(d, &s->it, H_RETRY, now + wait_ms, why, counts);
}

/*
 * A 429 on a send. Telegram allows about one message a second per chat, 20
 * a minute per group and 30 a second in all, and its 429 does not say which
 * limit was hit. In a group, the group's own limit is the usual cause; in a
 * private chat, the chat's when it had a message less than a second before.
 * Then only that chat waits (its head's not_before, set by the caller).
 * Otherwise — and always on Zalo, whose quota is the bot's, and for calls
 * without a chat — the limit is the bot's: every send to the platform waits
 * retry_after, rather than the other queued sends hitting it again.
 */
static void
rate_limited(struct daemon *d, const struct sender *s, int64_t wait_ms)
{
	struct poller *pl = platform_of(d, s->it.platform);
	int64_t now = store_now_ms();
	int chat_only = 0;

	if (s->it.chat_id[0] && strcmp(s->it.platform, "telegram") == 0) {
		const struct rate_slot *r = rate_slot(d, s->it.platform,
		    s->it.chat_id);

		chat_only = s->it.is_group ||
		    (r->prev_ms && r->last_ms - r->prev_ms < 1000);
	}
	d->m.pauses[pl->id][chat_only ? METRICS_PAUSE_CHAT : METRICS_PAUSE_BOT]++;
	if (chat_only) {
		log_warn("%s: 429 for chat %s: that chat waits %lld ms",
		    s->it.platform, s->it.chat_id, (long long)wait_ms);
		return;
	}
	if (now + wait_ms > pl->pause_until)
		pl->pause_until = now + wait_ms;
	log_warn("%s: 429 (the bot's limit): pausing every send to %s for %lld "
	    "ms", s->it.platform, s->it.platform, (long long)wait_ms);
}

static void
send_done(struct daemon *d, struct sender *s, CURLcode cc)
{
	struct api_error err;
	enum api_status st;
	long http = 0;
	char why[320];
	int64_t *errs = d->m.send_errors[platform_of(d, s->it.platform)->id];

	s->busy = 0;
	curl_multi_remove_handle(d->multi, s->h);
	curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &http);
	if (cc != CURLE_OK) {
		errs[METRICS_ERR_NETWORK]++;
		send_retry(d, s, backoff_delay(s->it.attempts, 300000),
		    curl_easy_strerror(cc), 1);
		goto out;
	}
	if (strcmp(s->it.platform, "zalo") == 0) {
		st = zalo_parse_response(s->body.data, s->body.len, &err);
	} else {
		int64_t mid = 0;

		st = tg_parse_sent(s->body.data, s->body.len, &err, &mid);
		/* a group message about a ticket: replies to it find the ticket */
		if (st == API_OK && s->it.ticket_id && mid &&
		    store_ticket_msg_add(d->st, s->it.chat_id, mid,
		    s->it.ticket_id) < 0)
			log_error("telegram: could not remember message %lld of ticket "
			    "%lld", (long long)mid, (long long)s->it.ticket_id);
	}
	if (st == API_OK) {
		if (strcmp(s->it.method, "deleteWebhook") == 0)
			platform_of(d, s->it.platform)->unhooked_ms = store_now_ms();
		outbox_set(d, &s->it, H_SENT, 0, NULL, 0);
		d->sent++;
		if (s->it.chat_id[0])
			d->m.replies_sent[platform_of(d, s->it.platform)->id]++;
		goto out;
	}
	if (st == API_MALFORMED) {
		/* We cannot tell whether it arrived; resending risks a repeat,
		 * dropping risks a loss. A resident must not be left unanswered. */
		snprintf(why, sizeof(why), "%s (HTTP %ld)", err.desc, http);
		errs[METRICS_ERR_MALFORMED]++;
		send_retry(d, s, backoff_delay(s->it.attempts, 300000), why, 1);
		goto out;
	}
	snprintf(why, sizeof(why), "%d %s", err.code, err.desc);
	if (err.code == 429) {
		int64_t w = err.retry_after ? (int64_t)err.retry_after * 1000 :
		    backoff_delay(s->it.attempts, 300000);

		errs[METRICS_ERR_RATE_LIMITED]++;
		rate_limited(d, s, w);
		send_retry(d, s, w, why, 0);
	} else if (err.code == 400 && err.migrate_to) {
		char to[32];

		snprintf(to, sizeof(to), "%lld", (long long)err.migrate_to);
		errs[METRICS_ERR_MIGRATED]++;
		log_warn("%s: chat %s became supergroup %s", s->it.platform,
		    s->it.chat_id, to);
		if (group_moved(d, s->it.chat_id, to) == 1) {
			char msg[512];

			group_moved_text(msg, sizeof(msg), to);
			tell_admins(d, msg);
		}
		send_retry(d, s, 0, why, 1);
	} else if (err.code == 400 || err.code == 403 || err.code == 404) {
		/* blocked by the user, chat not found, bad request: permanent */
		errs[METRICS_ERR_REFUSED]++;
		log_warn("%s: message %lld to chat %s not deliverable: %s",
		    s->it.platform, (long long)s->it.id, s->it.chat_id, why);
		outbox_set(d, &s->it, H_FAILED, 0, why, 0);
		d->failed++;
	} else {
		errs[METRICS_ERR_SERVER]++;
		send_retry(d, s, backoff_delay(s->it.attempts, 300000), why, 1);
	}
out:
	chat_advance(d, s->it.platform, s->it.chat_id);
	outbox_item_release(&s->it);
}

static int
inflight_chat(const struct daemon *d, const struct outbox_item *it)
{
	int i;

	for (i = 0; i < d->nsnd; i++)
		if (d->snd[i].busy && strcmp(d->snd[i].it.platform, it->platform) == 0
		    && strcmp(d->snd[i].it.chat_id, it->chat_id) == 0)
			return 1;
	return 0;
}

static void
ready_drop(struct daemon *d, int i)
{
	outbox_item_release(&d->ready[i]);
	memmove(&d->ready[i], &d->ready[i + 1],
	    (size_t)(d->nready - i - 1) * sizeof(d->ready[0]));
	d->nready--;
}

/*
 * Reads each platform's due chat heads apart and interleaves them, so that
 * neither platform's backlog goes first; a platform that is off (no token)
 * is not read at all: its queue waits for the token.
 */
static void
refill(struct daemon *d, int64_t now)
{
	int n[P_COUNT] = { 0 }, i, k;
	int64_t due, done[HELD_MAX];
	size_t ndone = held_done(d, done);

	while (d->nready)
		ready_drop(d, d->nready - 1);
	d->dirty = 0;
	d->next_due = -1;
	for (i = 0; i < P_COUNT; i++) {
		if (!d->poll[i].prefix)
			continue;
		n[i] = store_outbox_heads(d->st, pname[i], now, done, ndone,
		    d->heads[i], READY_MAX / P_COUNT, &due);
		if (n[i] < 0) {
			d->dirty = 1;
			n[i] = 0;
		}
		if (due >= 0 && (d->next_due < 0 || due < d->next_due))
			d->next_due = due;
	}
	for (k = 0; k < READY_MAX / P_COUNT; k++) {
		for (i = 0; i < P_COUNT; i++) {
			struct outbox_item *it = &d->heads[i][k];
			const struct held *h;

			if (k >= n[i])
				continue;
			/* a retry whose new not_before could not be written */
			h = held_find(d, it->id);
			if (h && h->op == H_RETRY && h->not_before > now) {
				if (d->next_due < 0 || h->not_before < d->next_due)
					d->next_due = h->not_before;
				outbox_item_release(it);
				continue;
			}
			d->ready[d->nready++] = *it;
		}
	}
	d->more = d->nready > 0;        /* refill again when these run low */
}

/*
 * After a send finished: drop stale copies of that chat's old head (a refill
 * during the send may have read it again); its next reply comes with the
 * next refill, which reads the outbox in id order, so no chat can starve
 * the others by having many replies queued.
 */
static void
chat_advance(struct daemon *d, const char *platform, const char *chat)
{
	int i;

	for (i = d->nready - 1; i >= 0; i--)
		if (strcmp(d->ready[i].platform, platform) == 0 &&
		    strcmp(d->ready[i].chat_id, chat) == 0)
			ready_drop(d, i);
	d->more = 1;
}

static void
fill_senders(struct daemon *d)
{
	int i, k, free_slots = 0;
	int64_t now = store_now_ms();

	for (i = 0; i < d->nsnd; i++)
		free_slots += !d->snd[i].busy;
	d->wake_ms = -1;
	/* no room to remember another unwritten mark: send nothing more */
	if (!free_slots || d->nheld == HELD_MAX)
		return;
	if (d->dirty || (d->next_due >= 0 && now >= d->next_due) ||
	    (d->more && d->nready <= READY_MAX / 4))
		refill(d, now);
	for (i = 0; i < d->nready && free_slots; ) {
		struct outbox_item *it = &d->ready[i];
		int64_t w;

		if (inflight_chat(d, it)) {
			i++;
			continue;
		}
		w = rate_wait(d, it, now);
		if (w > 0) {
			if (d->wake_ms < 0 || now + w < d->wake_ms)
				d->wake_ms = now + w;
			i++;
			continue;
		}
		for (k = 0; k < d->nsnd && d->snd[k].busy; k++)
			;
		rate_take(d, it, now);
		send_start(d, &d->snd[k], it);
		/* send_start moved the body out; drop the husk */
		memmove(&d->ready[i], &d->ready[i + 1],
		    (size_t)(d->nready - i - 1) * sizeof(d->ready[0]));
		d->nready--;
		free_slots--;
	}
}

/* ---- reload ---- */

static void
tell_admins(struct daemon *d, const char *text)
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
		(void)buf_printf(&msg, "⚠️ Kho câu hỏi có %zu lỗi (%s); bot vẫn dùng "
		    "bản cũ cho đến khi sửa xong:\n", dg.nerr, why);
		while ((line = strsep(&p, "\n")) != NULL) {
			if (!*line)
				continue;
			log_error("reload: %s", line);
			if (!diag_line_is_warning(line) && msg.len < 3000)
				(void)buf_printf(&msg, "%s\n", line);
		}
		log_error("reload: %zu error(s); still serving the previous "
		    "knowledge base", dg.nerr);
		d->m.reloads_failed++;
		tell_admins(d, msg.data);
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
			tell_admins(d, msg);
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
		d->cfg->rate_chat_ms = nc.rate_chat_ms;
		d->cfg->rate_group_per_min = nc.rate_group_per_min;
		d->cfg->rate_global_per_s = nc.rate_global_per_s;
		d->cfg->flood_max = nc.flood_max;
		d->cfg->flood_window = nc.flood_window;
		d->cfg->drain_seconds = nc.drain_seconds;
		d->cfg->max_attempts = nc.max_attempts;
		d->cfg->poll_timeout = nc.poll_timeout;
		d->cfg->http_timeout = nc.http_timeout;
		d->cfg->reannounce_minutes = nc.reannounce_minutes;
		d->cfg->escalate_minutes = nc.escalate_minutes;
	}
	config_release(&nc);
	diag_release(&dg);
	group_follow(d);        /* a configuration naming the old group id */
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
		m->last_poll_ms[i] = d->poll[i].last_ok_ms;
	}
	/* a long poll, its HTTP grace, and the longest backoff (60 s) */
	m->poll_stale_s = d->cfg->poll_timeout + 15 + 60;
	metrics_publish(d->msrv, m);
}

static void
cron(struct daemon *d, int64_t now)
{
	held_tick(d, now);
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

static void
step(struct daemon *d, int polling)
{
	int64_t now = store_now_ms(), wait = 5000;
	struct curl_waitfd wfd = { sig_pipe[0], CURL_WAIT_POLLIN, 0 };
	int running, q, i;
	CURLMsg *m;

	if (polling) {
		for (i = 0; i < P_COUNT; i++) {
			struct poller *pl = &d->poll[i];

			if (!pl->enabled || pl->busy)
				continue;
			if (pl->has_held && now >= pl->next_ms &&
			    zalo_store(d, pl) == 0)
				pl->next_ms = now;      /* stored: poll at once */
			if (now >= pl->next_ms && !pl->has_held)
				poll_start(d, pl);
			else if (pl->next_ms - now < wait)
				wait = pl->next_ms - now;
		}
	}
	fill_senders(d);
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
	if (polling && d->watchdog_ms && d->next_watchdog_ms - now < wait)
		wait = d->next_watchdog_ms - now;
	if (wait < 0)
		wait = 0;
	curl_multi_poll(d->multi, &wfd, 1, (int)wait, NULL);
	{
		char junk[64];

		while (read(sig_pipe[0], junk, sizeof(junk)) > 0)
			;
	}
	curl_multi_perform(d->multi, &running);
	while ((m = curl_multi_info_read(d->multi, &q)) != NULL) {
		if (m->msg != CURLMSG_DONE)
			continue;
		for (i = 0; i < P_COUNT; i++)
			if (d->poll[i].h == m->easy_handle && d->poll[i].busy) {
				poll_done(d, &d->poll[i], m->data.result);
				goto next;
			}
		for (i = 0; i < d->nsnd; i++)
			if (d->snd[i].h == m->easy_handle && d->snd[i].busy) {
				send_done(d, &d->snd[i], m->data.result);
				break;
			}
next:
		;
	}
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

int
daemon_run(struct config *cfg, const char *cfg_path, int cfg_given)
{
	struct daemon *d = xcalloc(1, sizeof(*d));
	struct sigaction sa;
	struct diag dg;
	int i, rc = 0;
	int64_t deadline;
	const char *tok[P_COUNT] = { cfg->telegram_token, cfg->zalo_token };
	const char *api[P_COUNT] = { cfg->telegram_api, cfg->zalo_api };

	d->cfg = cfg;
	d->cfg_path = cfg_path;
	d->cfg_given = cfg_given;
	log_add_secret(cfg->telegram_token);
	log_add_secret(cfg->zalo_token);
	if (!strcmp(cfg->log_level, "debug"))
		log_set_level(LOG_DEBUG);
	else if (!strcmp(cfg->log_level, "warn"))
		log_set_level(LOG_WARN);
	else if (!strcmp(cfg->log_level, "error"))
		log_set_level(LOG_ERROR);

	diag_init(&dg);
	d->kb = kb_load(cfg->kb, &dg);
	if (!d->kb || dg.nerr) {
		fputs(dg.text.data, stderr);
		log_error("knowledge base %s has errors; run 'hoidap check --kb %s'",
		    cfg->kb, cfg->kb);
		diag_release(&dg);
		kb_free(d->kb);
		free(d);
		return 1;
	}
	diag_release(&dg);
	d->st = store_open(cfg->db);
	if (!d->st) {
		kb_free(d->kb);
		free(d);
		return 1;
	}
	group_follow(d);
	d->m.started_ms = store_now_ms();
	if (cfg->metrics_listen[0]) {
		char err[256];

		if (!(d->msrv = metrics_start(cfg->metrics_listen, err,
		    sizeof(err)))) {
			log_error("%s", err);
			store_close(d->st);
			kb_free(d->kb);
			free(d);
			return 1;
		}
		log_info("metrics: http://%s/metrics and /healthz",
		    cfg->metrics_listen);
	}
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

	d->multi = curl_multi_init();
	/* One connection per platform for polling, reused; sends share the
	 * multi handle's connection cache. Enough per host for every poll
	 * and every send at once: with fewer, a long poll queued behind slow
	 * sends (both platforms may share a host, as behind a proxy). */
	curl_multi_setopt(d->multi, CURLMOPT_MAX_HOST_CONNECTIONS,
	    (long)(P_COUNT + cfg->send_concurrency));
	for (i = 0; i < P_COUNT; i++) {
		struct poller *pl = &d->poll[i];
		struct buf pre;

		pl->id = (enum platform_id)i;
		buf_init(&pl->body, BODY_CAP);
		if (!tok[i] || !*tok[i])
			continue;
		buf_init(&pre, 4096);
		(void)buf_printf(&pre, "%s/bot%s", api[i], tok[i]);
		pl->prefix = buf_take(&pre);
		pl->enabled = 1;
		pl->h = easy_new(&pl->body, cfg->poll_timeout + 15);
		pl->hdr = curl_slist_append(NULL, "Content-Type: application/json");
		log_info("%s: polling %s", pname[i], api[i]);
	}
	/* Sends in flight at once. Each one a crash interrupts may be repeated
	 * after the restart, so 1 keeps "at most one duplicate per crash". */
	d->nsnd = cfg->send_concurrency;
	for (i = 0; i < d->nsnd; i++) {
		buf_init(&d->snd[i].body, BODY_CAP);
		d->snd[i].h = easy_new(&d->snd[i].body, cfg->http_timeout);
		d->snd[i].hdr = curl_slist_append(NULL,
		    "Content-Type: application/json");
	}
	buf_init(&d->member_body, 64 * 1024);
	d->lat = xmalloc(MAX_LAT_SAMPLES * sizeof(*d->lat));
	d->dirty = 1;           /* replies left from before a crash go first */
	d->next_due = -1;
	d->kb_sig = kb_dir_signature(cfg->kb);
	d->next_watch_ms = store_now_ms() + (int64_t)cfg->watch_seconds * 1000;
	d->tokens = cfg->rate_global_per_s;
	d->tokens_ms = store_now_ms();
	srand((unsigned)(store_now_us() ^ getpid()));

	if (d->poll[P_TELEGRAM].enabled) {
		static const char cmds[] = "{\"commands\":["
		    "{\"command\":\"start\",\"description\":\"Bắt đầu, menu chính\"},"
		    "{\"command\":\"menu\",\"description\":\"Về menu chính\"},"
		    "{\"command\":\"help\",\"description\":\"Hướng dẫn dùng\"}]}";

		(void)store_outbox_add(d->st, "telegram", "", 0, "setMyCommands",
		    cmds, 0);
	}
	log_info("serving: knowledge %s (%zu topics), database %s", cfg->kb,
	    kb_count(d->kb), cfg->db);
	{
		uint64_t us = 0;

		if (sd_watchdog_enabled(0, &us) > 0)
			d->watchdog_ms = (int64_t)(us / 2000);
	}
	(void)sd_notifyf(0, "READY=1\nSTATUS=serving %zu topics", kb_count(d->kb));

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
		    "service manager restarts on a fresh store", cfg->db);
		rc = 1;
	}

	/* SIGTERM: stop polling (unconfirmed updates come again), then drain. */
	(void)sd_notify(0, "STOPPING=1\nSTATUS=flushing the outbox");
	log_info("shutting down: flushing the outbox for up to %d s",
	    cfg->drain_seconds);
	for (i = 0; i < P_COUNT; i++) {
		if (d->poll[i].busy) {
			curl_multi_remove_handle(d->multi, d->poll[i].h);
			d->poll[i].busy = 0;
		}
	}
	deadline = store_now_ms() + (int64_t)cfg->drain_seconds * 1000;
	while (store_now_ms() < deadline) {
		held_tick(d, store_now_ms());
		service_tick(d, store_now_ms());        /* the watchdog, /healthz */
		if (outbox_left(d) <= 0 && !any_sending(d))
			break;
		step(d, 0);
	}
	{
		int left = outbox_left(d);

		held_flush(d);
		if (left > 0)
			log_warn("%d message(s) still in the outbox; they go out at the "
			    "next start", left);
		if (d->nheld)
			log_error("%d outbox state(s) could not be written; messages "
			    "sent but not marked go out once more at the next start",
			    d->nheld);
	}
	if (d->nlat) {
		qsort(d->lat, d->nlat, sizeof(*d->lat), int64_cmp);
		log_info("stats: handled %zu updates, sent %zu, failed %zu; update→"
		    "send latency n=%zu p50=%lldus p99=%lldus", d->handled, d->sent,
		    d->failed, d->nlat, (long long)d->lat[d->nlat / 2],
		    (long long)d->lat[d->nlat * 99 / 100]);
	} else {
		log_info("stats: handled %zu updates, sent %zu, failed %zu",
		    d->handled, d->sent, d->failed);
	}
	for (i = 0; i < d->nsnd; i++) {
		if (d->snd[i].busy) {
			curl_multi_remove_handle(d->multi, d->snd[i].h);
			outbox_item_release(&d->snd[i].it);
		}
		curl_easy_cleanup(d->snd[i].h);
		curl_slist_free_all(d->snd[i].hdr);
		buf_release(&d->snd[i].body);
	}
	for (i = 0; i < P_COUNT; i++) {
		struct poller *pl = &d->poll[i];

		if (pl->has_held && zalo_store(d, pl) < 0) {
			log_error("zalo: update %s could not be stored and is lost",
			    pl->held.update_id);
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
		ready_drop(d, d->nready - 1);
	if (d->member_h)
		curl_easy_cleanup(d->member_h);
	buf_release(&d->member_body);
	curl_multi_cleanup(d->multi);
	metrics_stop(d->msrv);
	store_close(d->st);
	kb_free(d->kb);
	redact_release();
	free(d->lat);
	close(sig_pipe[0]);
	close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
	log_clear_secrets();
	log_info("terminated");
	free(d);
	return rc;
}
