/*
 * outbox: the senders, the ready list (fairness between chats), rate limits,
 * button presses' answers, the Zalo OA's reply window, and outbox states
 * kept in memory while writes fail.
 */
#include "daemon.h"
#include "daemon_int.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handoff.h"
#include "log.h"
#include "store.h"
#include "util.h"
#include "zalo_oa.h"


/* ---- button presses' answers ---- */

static struct poller *platform_of(struct daemon *d, const char *platform);

/*
 * A press's answer (platform.c's answer_press) only stops the spinner on
 * the button, and only for a short while: the resident's client waits for
 * it about 10 s (tdlib tells its own client 502 when the query times out;
 * Pyrogram's wait is 10 s), and Telegram refuses a late one ("query is too
 * old and response timeout expired"). So it is tried once, while it can
 * still be of use, never again: a retry with a reply's waits (up to 5 min
 * each) would come minutes late. The window itself is undocumented.
 */
#define PRESS_METHOD "answerCallbackQuery"
#define PRESS_TTL_MS 10000

static int
press_answer(struct daemon *d, const struct outbox_item *it)
{
	return !it->chat_id[0] && (platform_of(d, it->platform)->pf->caps &
	    PLATFORM_BUTTONS) && strcmp(it->method, PRESS_METHOD) == 0;
}

/* ms the answer is still of use (the press came at created_us); <= 0: none */
static int64_t
press_left(const struct outbox_item *it, int64_t now)
{
	return it->created_us / 1000 + PRESS_TTL_MS - now;
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
		d->rate[best].told_ms = 0;
		return &d->rate[best];
	}
}

/* 0 if it may go now; else ms to wait. */
static int64_t
rate_wait(struct daemon *d, const struct outbox_item *it, int64_t now)
{
	const struct config *c = d->cfg;
	const struct poller *pl = platform_of(d, it->platform);
	int64_t gap = 0, paused = pl->pause_until;

	if (press_answer(d, it) && pl->press_pause_until > paused)
		paused = pl->press_pause_until;
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


/* ---- sending ---- */

static void chat_advance(struct daemon *d, const struct outbox_item *it);

static struct poller *
platform_of(struct daemon *d, const char *platform)
{
	int i = platform_find(platform);

	/* rows name a platform of this table (only this code writes them) */
	return &d->poll[i < 0 ? P_TELEGRAM : i];
}

/* A platform whose sends can go now: it has a token (the OA's access
 * token comes and goes with refreshes). */
static int
platform_ready(const struct daemon *d, int p)
{
	return d->poll[p].prefix && (p != P_ZALO_OA || d->oa.access);
}

/* The request for a row, by the platform's table entry: -1 if it cannot
 * go (a method the platform does not have). */
static int
send_start(struct daemon *d, struct sender *s, struct outbox_item *it)
{
	struct poller *pl = platform_of(d, it->platform);
	struct platform_send ps;
	long timeout_ms = d->cfg->http_timeout * 1000L;

	memset(&ps, 0, sizeof(ps));
	ps.base = pl->prefix;
	ps.method = it->method;
	ps.token = pl->id == P_ZALO_OA ? d->oa.access : NULL;
	if (pl->pf->prepare_send(&ps) < 0)
		return -1;
	s->it = *it;
	it->body = NULL;        /* moved */
	buf_reset(&s->body);
	oatoken_headers_free(s->xhdr);
	s->xhdr = NULL;
	s->oa_gen = d->oa.gen;
	curl_easy_setopt(s->h, CURLOPT_URL, ps.url);
	curl_easy_setopt(s->h, CURLOPT_POSTFIELDS, s->it.body);
	if (ps.header[0]) {
		s->xhdr = curl_slist_append(NULL, "Content-Type: application/json");
		s->xhdr = curl_slist_append(s->xhdr, ps.header);
		if (!s->xhdr)
			fatal("out of memory (headers)");
		curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->xhdr);
	} else {
		curl_easy_setopt(s->h, CURLOPT_HTTPHEADER, s->hdr);
	}
	memset(ps.header, 0, sizeof(ps.header));
	/* a press's answer that hangs past its use holds a sender for nothing */
	if (press_answer(d, it)) {
		int64_t left = press_left(it, store_now_ms());

		if (left < 1000)
			left = 1000;
		if (left < timeout_ms)
			timeout_ms = (long)left;
	}
	curl_easy_setopt(s->h, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_multi_add_handle(d->multi, s->h);
	s->busy = 1;
	if (d->nlat < MAX_LAT_SAMPLES && s->it.created_us)
		d->lat[d->nlat++] = store_now_us() - s->it.created_us;
	return 0;
}

/* ---- the Zalo OA's reply window ---- */

static void outbox_set(struct daemon *d, const struct outbox_item *it,
    enum held_op op, int64_t not_before, const char *why, int count);

enum window { W_SEND, W_LAST, W_CLOSED, W_LATER };

#define WINDOW_WHY "outside the Zalo OA reply window (8 replies within 48 h " \
	"of the resident's last message)"
#define WINDOW_TELL_EVERY_MS (10 * 60000)

/*
 * The OA's free replies, ZALO_OA_FREE_REPLIES within 48 h of the
 * resident's last message, are counted here, where every reply to an OA
 * resident passes: the bot's answers and the volunteers' words alike. The
 * last one the window allows gets a note (the resident must write again
 * for more: for the rest of a long answer, or anything else); beyond it
 * nothing goes, as anything more would be a proactive message.
 */
static enum window
window_check(struct daemon *d, const struct outbox_item *it)
{
	int left;

	if (!(platform_of(d, it->platform)->pf->caps & PLATFORM_WINDOW) ||
	    !it->chat_id[0])
		return W_SEND;
	if (store_oa_replies_left(d->st, it->chat_id, store_now_ms(), &left) < 0)
		return W_LATER;
	return left <= 0 ? W_CLOSED : left == 1 ? W_LAST : W_SEND;
}

/*
 * Zalo counts a cs send as a reply only when it names the resident's
 * message (recipient.message_id); with the user_id alone it is a
 * proactive message. The latest one is named: the window this reply is
 * counted in is that message's. 0, or -1 if the store did not answer.
 */
static int
window_reply_to(struct daemon *d, struct outbox_item *it)
{
	char mid[64];           /* an event's update_id fits */
	struct buf b;
	int rc = store_oa_last_msg(d->st, it->chat_id, mid, sizeof(mid));

	if (rc <= 0)
		return rc;
	buf_init(&b, BUF_CAP_REPLY);
	if (zalo_oa_reply_to(it->body, mid, &b) == 0) {
		free(it->body);
		it->body = buf_take(&b);
	} else {
		buf_release(&b);
	}
	return 0;
}

/* The last free reply, once counted: the note goes in its body. */
static void
window_last(struct daemon *d, struct outbox_item *it)
{
	struct buf b;
	int more;

	/* this row is pending too: more than one, and the reply goes on */
	more = store_outbox_chat_pending(d->st, it->platform, it->chat_id);
	buf_init(&b, BUF_CAP_REPLY);
	if (zalo_oa_last_body(it->body, more > 1, &b) == 0) {
		free(it->body);
		it->body = buf_take(&b);
	} else {
		buf_release(&b);
	}
}

/*
 * A reply that may not go. If a volunteer has the resident's ticket, it
 * was probably theirs: the group hears it did not arrive (once in a while
 * per resident, not per message).
 */
static void
window_closed(struct daemon *d, struct outbox_item *it)
{
	struct rate_slot *r = rate_slot(d, it->platform, it->chat_id);
	int64_t now = store_now_ms();
	struct ticket t;
	char msg[1024];

	log_warn("%s: message %lld to %s not sent: %s", it->platform,
	    (long long)it->id, it->chat_id, WINDOW_WHY);
	outbox_set(d, it, H_FAILED, 0, WINDOW_WHY, 0);
	d->failed++;
	d->m.oa_window_dropped++;
	if (!d->cfg->volunteer_chat[0] || !d->poll[P_TELEGRAM].enabled ||
	    (r->told_ms && now - r->told_ms < WINDOW_TELL_EVERY_MS))
		return;
	if (store_ticket_active(d->st, it->platform, it->chat_id, &t) != 1)
		return;
	r->told_ms = now;
	snprintf(msg, sizeof(msg), "⚠️ Phiếu #%lld: tin nhắn gửi %s qua Zalo OA "
	    "không đi được. Zalo chỉ cho trả lời trong 48 giờ sau tin nhắn cuối "
	    "của người dân, tối đa %d tin; sau đó phải chờ người dân nhắn lại. "
	    "Khi họ nhắn, anh/chị trả lời tiếp như thường.", (long long)t.id,
	    t.user_name[0] ? t.user_name : "người dân", ZALO_OA_FREE_REPLIES);
	if (store_begin(d->st) == 0) {
		struct handoff h = { d->st, d->kb, d->cfg, store_now_us(), 0, 0,
		    NULL, NULL };

		handoff_say(&h, "telegram", d->cfg->volunteer_chat, msg);
		if (h.rc < 0 || store_commit(d->st) < 0) {
			store_rollback(d->st);
			r->told_ms = 0;
		}
		d->dirty = 1;
	}
}

/* Gives back a counted reply that certainly did not arrive. */
static void
window_refund(struct daemon *d, struct sender *s)
{
	if (s->oa_counted && store_oa_replies_used(d->st, s->it.chat_id, -1) < 0)
		log_warn("%s: could not give back a reply to %s's window",
		    s->it.platform, s->it.chat_id);
	s->oa_counted = 0;
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
void
outbox_held_flush(struct daemon *d)
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
void
outbox_held_tick(struct daemon *d, int64_t now)
{
	if (d->nheld && now >= d->next_held_ms) {
		d->next_held_ms = now + 1000;
		outbox_held_flush(d);
	}
}

/* Pending rows, less those known sent or given up on. */
int
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
	qsort(ids, n, sizeof(*ids), daemon_int64_cmp);
	return n;
}

static void
send_retry(struct daemon *d, struct sender *s, int64_t wait_ms, const char *why,
    int counts)
{
	int64_t now = store_now_ms();

	if (press_answer(d, &s->it)) {
		/* by the time a retry could go, it would be too late */
		log_warn("%s: the answer to a button press (row %lld) dropped "
		    "after one try: %s (the client stops its spinner by itself)",
		    s->it.platform, (long long)s->it.id, why);
		outbox_set(d, &s->it, H_FAILED, 0, why, 0);
		d->failed++;
		return;
	}
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
 *
 * Save for a press's answer: it is dropped, not repeated, and only the
 * other answers wait retry_after ("before the request can be repeated",
 * the API says). Replies go on: were the limit the bot's, the next one's
 * own 429 pauses the platform. One more 429 at worst, where pausing
 * would have kept every resident waiting for retry_after (Telegram has
 * been seen to ask for 2282 s) on account of a spinner.
 */
static void
rate_limited(struct daemon *d, const struct sender *s, int64_t wait_ms)
{
	struct poller *pl = platform_of(d, s->it.platform);
	int64_t now = store_now_ms();
	int chat_only = 0;

	if (press_answer(d, &s->it)) {
		if (now + wait_ms > pl->press_pause_until)
			pl->press_pause_until = now + wait_ms;
		log_warn("%s: 429 on a button press's answer: the other answers "
		    "wait %lld ms, replies go on", s->it.platform,
		    (long long)wait_ms);
		return;
	}

	if (s->it.chat_id[0] && (pl->pf->caps & PLATFORM_CHAT_429)) {
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

void
outbox_send_done(struct daemon *d, struct sender *s, CURLcode cc)
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
		/* it may have arrived: the window keeps it counted */
		errs[METRICS_ERR_NETWORK]++;
		send_retry(d, s, daemon_backoff(s->it.attempts, 300000),
		    curl_easy_strerror(cc), 1);
		goto out;
	}
	{
		const struct platform *pf = platform_of(d, s->it.platform)->pf;
		int64_t mid = 0;

		st = pf->parse_sent(s->body.data, s->body.len, &err, &mid);
		/* a group message about a ticket: replies to it find the ticket */
		if (st == API_OK && s->it.ticket_id && mid &&
		    store_ticket_msg_add(d->st, s->it.chat_id, mid,
		    s->it.ticket_id) < 0)
			log_error("%s: could not remember message %lld of ticket "
			    "%lld", pf->name, (long long)mid,
			    (long long)s->it.ticket_id);
	}
	if (st == API_OK) {
		s->oa_counted = 0;
		if (platform_of(d, s->it.platform)->id == P_ZALO_OA)
			d->oa.refused_row = 0;
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
		send_retry(d, s, daemon_backoff(s->it.attempts, 300000), why, 1);
		goto out;
	}
	snprintf(why, sizeof(why), "%d %s", err.code, err.desc);
	if (platform_of(d, s->it.platform)->id == P_ZALO_OA) {
		/* the OA answered, with an error: nothing arrived */
		window_refund(d, s);
		if (zalo_oa_token_invalid(&err)) {
			errs[METRICS_ERR_REFUSED]++;
			if (oatoken_refused(d, s->oa_gen))
				send_retry(d, s, 0, why, 0);
			else
				send_retry(d, s, daemon_backoff(s->it.attempts,
				    300000), why, 1);
		} else {
			/* -201 bad request, -230 the user never interacted, …:
			 * not a passing failure (the codes are unverified) */
			errs[METRICS_ERR_REFUSED]++;
			log_warn("%s: message %lld to %s refused: %s",
			    s->it.platform, (long long)s->it.id, s->it.chat_id, why);
			outbox_set(d, &s->it, H_FAILED, 0, why, 0);
			d->failed++;
		}
	} else if (err.code == 429) {
		int64_t w = err.retry_after ? (int64_t)err.retry_after * 1000 :
		    daemon_backoff(s->it.attempts, 300000);

		errs[METRICS_ERR_RATE_LIMITED]++;
		rate_limited(d, s, w);
		send_retry(d, s, w, why, 0);
	} else if (err.code == 400 && err.migrate_to) {
		char to[32];

		snprintf(to, sizeof(to), "%lld", (long long)err.migrate_to);
		errs[METRICS_ERR_MIGRATED]++;
		log_warn("%s: chat %s became supergroup %s", s->it.platform,
		    s->it.chat_id, to);
		if (ingest_group_moved(d, s->it.chat_id, to) == 1) {
			char msg[512];

			ingest_group_moved_text(msg, sizeof(msg), to);
			daemon_tell_admins(d, msg);
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
		send_retry(d, s, daemon_backoff(s->it.attempts, 300000), why, 1);
	}
out:
	s->oa_counted = 0;
	oatoken_headers_free(s->xhdr);
	s->xhdr = NULL;
	chat_advance(d, &s->it);
	store_outbox_item_release(&s->it);
}

/* Rows of one chat, or the same row where there is no chat (those go side
 * by side: see store_outbox_heads). */
static int
same_queue(const struct outbox_item *a, const struct outbox_item *b)
{
	if (strcmp(a->platform, b->platform) || strcmp(a->chat_id, b->chat_id))
		return 0;
	return a->chat_id[0] || a->id == b->id;
}

static int
inflight_chat(const struct daemon *d, const struct outbox_item *it)
{
	int i;

	for (i = 0; i < d->nsnd; i++)
		if (d->snd[i].busy && same_queue(&d->snd[i].it, it))
			return 1;
	return 0;
}

void
outbox_ready_drop(struct daemon *d, int i)
{
	store_outbox_item_release(&d->ready[i]);
	memmove(&d->ready[i], &d->ready[i + 1],
	    (size_t)(d->nready - i - 1) * sizeof(d->ready[0]));
	d->nready--;
}

/*
 * Reads each platform's due chat heads apart and interleaves them, so that
 * neither platform's backlog goes first; a platform that is off (no token,
 * or the OA between access tokens) is not read at all: its queue waits.
 */
static void
refill(struct daemon *d, int64_t now)
{
	int n[P_COUNT] = { 0 }, i, k;
	int64_t due, done[HELD_MAX];
	size_t ndone = held_done(d, done);

	while (d->nready)
		outbox_ready_drop(d, d->nready - 1);
	d->dirty = 0;
	d->next_due = -1;
	for (i = 0; i < P_COUNT; i++) {
		if (!platform_ready(d, i))
			continue;
		n[i] = store_outbox_heads(d->st, platforms[i].name, now, done, ndone,
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
				store_outbox_item_release(it);
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
 * the others by having many replies queued. it may be a row of the ready
 * list: what it names is copied first.
 */
static void
chat_advance(struct daemon *d, const struct outbox_item *it)
{
	struct outbox_item was;
	int i;

	memset(&was, 0, sizeof(was));
	was.id = it->id;
	snprintf(was.platform, sizeof(was.platform), "%s", it->platform);
	snprintf(was.chat_id, sizeof(was.chat_id), "%s", it->chat_id);
	for (i = d->nready - 1; i >= 0; i--)
		if (same_queue(&d->ready[i], &was))
			outbox_ready_drop(d, i);
	d->more = 1;
}

/* A press's answer that can no longer go in time: let go untried. */
static void
press_late(struct daemon *d, const struct outbox_item *it)
{
	log_warn("%s: the answer to a button press (row %lld) dropped "
	    "untried: it could only go too late (%d s after the press)",
	    it->platform, (long long)it->id, PRESS_TTL_MS / 1000);
	outbox_set(d, it, H_FAILED, 0, "too late for the press", 0);
	d->failed++;
}

void
outbox_fill(struct daemon *d)
{
	enum window win;
	int i, k, free_slots = 0, counted;
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

		if (inflight_chat(d, it) || !platform_ready(d,
		    platform_of(d, it->platform)->id)) {
			i++;
			continue;
		}
		w = rate_wait(d, it, now);
		if (press_answer(d, it) && press_left(it, now) <= w) {
			press_late(d, it);
			chat_advance(d, it);
			continue;       /* chat_advance dropped it from ready */
		}
		if (w > 0) {
			if (d->wake_ms < 0 || now + w < d->wake_ms)
				d->wake_ms = now + w;
			i++;
			continue;
		}
		switch ((win = window_check(d, it))) {
		case W_LATER:
			/* the store did not answer: the next refill tries again */
			d->dirty = 1;
			i++;
			continue;
		case W_CLOSED:
			window_closed(d, it);
			chat_advance(d, it);
			continue;       /* chat_advance dropped it from ready */
		case W_LAST:
		case W_SEND:
			break;
		}
		counted = (platform_of(d, it->platform)->pf->caps &
		    PLATFORM_WINDOW) && it->chat_id[0];
		if (counted && window_reply_to(d, it) < 0) {
			d->dirty = 1;   /* unnamed, it would be proactive */
			i++;
			continue;
		}
		if (counted && store_oa_replies_used(d->st, it->chat_id, 1) < 0) {
			d->dirty = 1;   /* uncounted, it does not go */
			i++;
			continue;
		}
		if (win == W_LAST)
			window_last(d, it);
		for (k = 0; k < d->nsnd && d->snd[k].busy; k++)
			;
		rate_take(d, it, now);
		if (send_start(d, &d->snd[k], it) < 0) {
			log_error("%s: message %lld (%s) cannot be sent on this "
			    "platform; dropped", it->platform, (long long)it->id,
			    it->method);
			if (counted)
				(void)store_oa_replies_used(d->st, it->chat_id, -1);
			outbox_set(d, it, H_FAILED, 0, "no such method here", 0);
			d->failed++;
			chat_advance(d, it);
			continue;
		}
		d->snd[k].oa_counted = counted;
		if (win == W_LAST)
			d->m.oa_window_cut++;
		/* send_start moved the body out; drop the husk */
		memmove(&d->ready[i], &d->ready[i + 1],
		    (size_t)(d->nready - i - 1) * sizeof(d->ready[0]));
		d->nready--;
		free_slots--;
	}
}


/*
 * The senders: n easy handles with their bodies. Close releases what they
 * hold, an unfinished send's row too, and wipes the OA headers (they carry
 * the access token). The daemon and test_outbox.c share both.
 */
void
outbox_senders_open(struct daemon *d, int n, long timeout)
{
	int i;

	d->nsnd = n;
	for (i = 0; i < n; i++) {
		buf_init(&d->snd[i].body, BODY_CAP);
		d->snd[i].h = daemon_easy_new(&d->snd[i].body, timeout);
		d->snd[i].hdr = curl_slist_append(NULL,
		    "Content-Type: application/json");
	}
}

void
outbox_senders_close(struct daemon *d)
{
	int i;

	for (i = 0; i < d->nsnd; i++) {
		if (d->snd[i].busy) {
			curl_multi_remove_handle(d->multi, d->snd[i].h);
			store_outbox_item_release(&d->snd[i].it);
		}
		curl_easy_cleanup(d->snd[i].h);
		curl_slist_free_all(d->snd[i].hdr);
		oatoken_headers_free(d->snd[i].xhdr);
		buf_release(&d->snd[i].body);
	}
	d->nsnd = 0;
}
