/*
 * ingest: an event from any ingress (polling, webhooks) through the one
 * conversation engine into the store and the outbox, flood control included.
 */
#include "daemon.h"
#include "daemon_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"
#include "log.h"
#include "redact.h"
#include "slash.h"
#include "store.h"
#include "systext.h"
#include "tg.h"
#include "util.h"


/* ---- turning events into replies ---- */

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
	struct slash_cmd c;

	if (ev->kind == EV_MEDIA) {
		conv_notice(d->kb, &chat->conv, systext(d->kb, SYSTEXT_MEDIA), r);
	} else if (ev->kind == EV_CALLBACK) {
		if (strncmp(text, "t:", 2) == 0 &&
		    conv_open(d->kb, &chat->conv, text + 2, r) == 0)
			;
		else if (strcmp(text, "n") == 0)
			conv_handle(d->kb, &chat->conv, "tiếp", r);
		else
			conv_handle(d->kb, &chat->conv, "0", r);
	} else if (slash_parse(text, &c) && (strcmp(c.name, "start") == 0 ||
	    strcmp(c.name, "menu") == 0 || strcmp(c.name, "help") == 0)) {
		/* "/start vneid-install": a deep link's topic; else the menu */
		const struct kb_topic *t = strcmp(c.name, "start") == 0 && *c.rest ?
		    deep_link_topic(d->kb, c.rest) : NULL;

		if (!t || conv_open(d->kb, &chat->conv, t->id, r) < 0)
			conv_handle(d->kb, &chat->conv, "0", r);
	} else if (text[0] == '/') {
		/* "/vneid": read as the words */
		conv_handle(d->kb, &chat->conv, text + 1, r);
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
int
ingest_group_moved(struct daemon *d, const char *from, const char *to)
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

void
ingest_group_moved_text(char *b, size_t n, const char *to)
{
	snprintf(b, n, "ℹ️ Telegram đã nâng cấp nhóm tình nguyện viên thành "
	    "supergroup (mã mới %s). Bot đã tự chuyển sang nhóm mới, không cần sửa "
	    "cấu hình; nếu muốn cho khớp, đặt volunteer_chat = %s.", to, to);
}

/* At start and after a reload: the configured group, or what it became. */
void
ingest_group_follow(struct daemon *d)
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
		d->member_h = daemon_easy_new(&d->member_body, (int)t);
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

/*
 * A Telegram group became a supergroup (the migration update): follow it,
 * and tell the admins when it was the volunteers' group.
 */
static int
group_migrated(struct daemon *d, struct handoff *h, const struct event *ev)
{
	int m = ingest_group_moved(d, ev->moved_from, ev->moved_to);

	if (m == 1) {
		char msg[512];

		ingest_group_moved_text(msg, sizeof(msg), ev->moved_to);
		handoff_tell_admins(h, msg);
	}
	if (m < 0 || h->rc < 0)
		return -1;
	return store_mark_processed(d->st, "telegram", ev->update_id);
}

/*
 * A button press is answered (the client's spinner stops) apart from the
 * chat ("" key): at once, not behind the chat's or the group's pacing.
 * The answer only stops the spinner, which stops by itself too: one that
 * cannot be queued is let go with a warning, wherever the press came from.
 * Failing the update for it would have the press delivered again and
 * fail again, for good, holding up every update behind it, and what the
 * press asked for (a page, a claim) would never happen.
 */
static void
press_answer(struct daemon *d, enum platform_id p, const struct event *ev,
    int64_t recv_us)
{
	struct buf b;
	const char *method;

	if (ev->kind != EV_CALLBACK || !(platforms[p].caps & PLATFORM_BUTTONS))
		return;
	buf_init(&b, 4096);
	method = platforms[p].answer_press(ev->callback_id, &b);
	if (!buf_failed(&b) && store_outbox_add(d->st, platforms[p].name, "", 0,
	    method, b.data, recv_us) < 0)
		log_warn("%s: the answer to button press %s could not be queued; "
		    "the press is handled all the same (the client stops its "
		    "spinner by itself)", platforms[p].name, ev->update_id);
	buf_release(&b);
}

/* The volunteers' group: claims, replies, commands. */
static int
volunteers(struct daemon *d, struct handoff *h, enum platform_id p,
    struct event *ev)
{
	const char *plat = platforms[p].name;

	handoff_group(h, ev);
	d->want_reload |= h->want_reload;
	log_info("%s: update %s from the volunteers' group", plat,
	    ev->update_id);
	if (store_mark_processed(d->st, plat, ev->update_id) < 0)
		h->rc = -1;
	return h->rc;
}

/* One resident's message on its way to a reply. */
struct turn {
	struct daemon *d;
	struct handoff *h;
	enum platform_id p;
	const char *plat;
	struct event *ev;
	int64_t recv_us;
	struct store_chat chat;
	struct buf red;         /* the text, redacted: what is stored, relayed */
	int hidden;             /* redact() hid something: warn the resident */
	struct conv_reply r;
	int reply;              /* 0: the bot keeps quiet */
	const char *what;       /* why, for the log */
	int rc;                 /* -1 once a store write failed */
};

/* What the platform's renderer makes of the reply, queued for the chat. */
static void
emit_body(const char *body, void *arg)
{
	struct turn *t = arg;

	if (store_outbox_add(t->d->st, t->plat, t->ev->chat_id, t->ev->is_group,
	    "sendMessage", body, t->recv_us) < 0)
		t->rc = -1;
}

/* Reads the chat's state, and logs the words with secrets redacted. */
static int
turn_parse(struct turn *t)
{
	const struct event *ev = t->ev;

	if (store_chat_get(t->d->st, t->plat, ev->chat_id, &t->chat) < 0)
		return -1;
	conv_reply_init(&t->r);
	buf_init(&t->red, BUF_CAP_REPLY);
	t->hidden = redact(ev->text ? ev->text : "", &t->red);
	if (store_log(t->d->st, t->plat, ev->chat_id, "in", t->red.data, NULL,
	    ev->kind == EV_MEDIA ? ev->media : NULL) < 0)
		t->rc = -1;
	return 0;
}

enum flood { FLOOD_NO, FLOOD_NOTICE, FLOOD_QUIET };

/*
 * Flood control counts the bot's own answers only, by when the resident
 * sent each message: a backlog after downtime is not a flood, and words
 * meant for a volunteer are never dropped (they are routed before this).
 */
static enum flood
flood_control(struct turn *t)
{
	struct store_chat *c = &t->chat;
	int64_t now = t->recv_us / 1000;

	if (t->ev->date_ms > 0 && t->ev->date_ms < now)
		now = t->ev->date_ms;
	if (now - c->flood_start > (int64_t)t->d->cfg->flood_window * 1000 ||
	    now < c->flood_start) {
		c->flood_start = now;
		c->flood_count = 0;
		c->flood_noticed = 0;
	}
	c->flood_count++;
	if (c->flood_count <= t->d->cfg->flood_max)
		return FLOOD_NO;
	if (c->flood_noticed)
		return FLOOD_QUIET;
	c->flood_noticed = 1;
	return FLOOD_NOTICE;
}

/* The conversation engine's answer, and a ticket when it cannot help. */
static void
turn_converse(struct turn *t)
{
	converse(t->d, &t->chat, t->ev, &t->r);
	if (!handoff_maybe_open(t->h, t->plat, t->ev, t->red.data, &t->r,
	    &t->chat))
		return;
	t->what = "ticket opened";
	/* a person takes over: after them, fallbacks count anew */
	t->chat.conv.fallbacks = 0;
	if (t->ev->kind == EV_MEDIA)
		t->reply = 0;   /* the hand-off message says it all */
}

/* Who answers: staff commands, feedback and relays first, then the bot. */
static void
turn_route(struct turn *t)
{
	struct handoff *h = t->h;

	if (handoff_staff(h, t->plat, t->ev, t->red.data)) {
		t->reply = 0;
		t->what = "staff command";
	} else if (handoff_feedback(h, t->plat, t->ev)) {
		t->reply = 0;
		t->what = "feedback";
	} else if (handoff_relay_resident(h, t->plat, t->ev, t->red.data)) {
		/* a person is on it: the bot keeps quiet */
		t->reply = 0;
		t->what = "relayed to the volunteers";
	} else {
		switch (flood_control(t)) {
		case FLOOD_QUIET:
			t->reply = 0;
			t->what = "flood, no reply";
			break;
		case FLOOD_NOTICE:
			conv_notice(t->d->kb, &t->chat.conv,
			    systext(t->d->kb, SYSTEXT_FLOOD), &t->r);
			break;
		case FLOOD_NO:
			turn_converse(t);
			break;
		}
	}
	t->d->want_reload |= h->want_reload;
}

/* The reply counted, logged and queued as the platform renders it. */
static void
turn_queue(struct turn *t)
{
	struct daemon *d = t->d;
	const struct event *ev = t->ev;
	const struct conv_reply *r = &t->r;
	enum metrics_outcome o = r->kind == CONV_FALLBACK ? METRICS_FALLBACK :
	    r->kind == CONV_CLARIFY ? METRICS_CLARIFY : r->kind == CONV_NOTICE ?
	    METRICS_NOTICE : METRICS_ANSWER;
	const char *action = conv_action(r->kind);

	if (!t->reply) {
		log_info("%s: update %s chat %s → %s", t->plat, ev->update_id,
		    ev->chat_id, t->what ? t->what : "no reply");
		return;
	}
	d->m.outcomes[o]++;
	if (r->topic && store_count_topic(d->st, r->topic->id) < 0)
		t->rc = -1;
	if (r->kind == CONV_FALLBACK && ev->kind == EV_TEXT &&
	    store_unanswered(d->st, t->plat, ev->chat_id, t->red.data) < 0)
		t->rc = -1;
	if (store_log(d->st, t->plat, ev->chat_id, "out", r->text.data,
	    r->topic ? r->topic->id : NULL, action) < 0)
		t->rc = -1;
	platforms[t->p].render(r, ev->chat_id, emit_body, t);
	log_info("%s: update %s chat %s → %s %s%s%s", t->plat, ev->update_id,
	    ev->chat_id, action, r->topic ? r->topic->id : "-",
	    t->what ? ", " : "", t->what ? t->what : "");
}

/* A resident's message: parse, route (flood control, converse), queue. */
static int
resident(struct daemon *d, struct handoff *h, enum platform_id p,
    struct event *ev, int64_t recv_us)
{
	struct turn t = { .d = d, .h = h, .p = p, .plat = platforms[p].name,
	    .ev = ev, .recv_us = recv_us, .reply = 1 };

	if (turn_parse(&t) < 0)
		return -1;
	turn_route(&t);
	turn_queue(&t);
	if (t.hidden > 0 && ev->kind == EV_TEXT)
		handoff_say(h, t.plat, ev->chat_id, systext(d->kb, SYSTEXT_SECRET));
	if (store_chat_put(d->st, t.plat, ev->chat_id, &t.chat) < 0 ||
	    store_mark_processed(d->st, t.plat, ev->update_id) < 0)
		t.rc = -1;
	buf_release(&t.red);
	conv_reply_release(&t.r);
	d->handled++;
	return t.rc;
}

/*
 * Handles one event inside the caller's transaction: dedupe, then by where
 * it comes from (a group's migration, the volunteers' group, other groups,
 * a resident). 0, or -1 on a store error (the caller rolls back).
 */
int
ingest_event(struct daemon *d, enum platform_id p, struct event *ev,
    int64_t recv_us)
{
	const char *plat = platforms[p].name;
	struct handoff h = { d->st, d->kb, d->cfg, recv_us, 0, 0,
	    member_status, d };
	int seen;

	seen = store_seen(d->st, plat, ev->update_id);
	if (seen)
		return seen < 0 ? -1 : 0;
	d->m.updates[p]++;
	if (ev->moved_to[0] && p == P_TELEGRAM)
		return group_migrated(d, &h, ev);
	if (ev->kind == EV_IGNORE || !ev->chat_id[0])
		return store_mark_processed(d->st, plat, ev->update_id);
	press_answer(d, p, ev, recv_us);
	if (handoff_is_group(&h, plat, ev->chat_id))
		return volunteers(d, &h, p, ev) < 0 ? -1 : 0;
	/* Other groups: the bot does not chat there, but answers /id. */
	if (ev->is_group) {
		(void)handoff_whoami(&h, plat, ev);
		if (h.rc < 0)
			return -1;
		return store_mark_processed(d->st, plat, ev->update_id);
	}
	if (resident(d, &h, p, ev, recv_us) < 0 || h.rc < 0)
		return -1;
	return 0;
}


/*
 * Updates from any ingress, in one transaction with their outbox rows (and
 * Telegram's offset when polling: next_offset >= 0). 0 once committed; on
 * -1 nothing of it is stored and the caller has it delivered again.
 */
int
ingest_batch(struct daemon *d, enum platform_id p, struct event *ev,
    size_t n, int64_t recv_us, int64_t next_offset)
{
	size_t i;
	int rc = store_begin(d->st);

	for (i = 0; i < n && rc == 0; i++)
		rc = ingest_event(d, p, &ev[i], recv_us);
	if (rc == 0 && next_offset >= 0)
		rc = store_set_offset(d->st, platforms[p].name, next_offset);
	if (rc == 0)
		rc = store_commit(d->st);
	d->dirty = 1;
	if (rc < 0)
		store_rollback(d->st);
	return rc;
}
