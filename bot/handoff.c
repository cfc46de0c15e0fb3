#include "handoff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "clock.h"
#include "log.h"
#include "match.h"
#include "platform.h"
#include "redact.h"
#include "slash.h"
#include "systext.h"
#include "report.h"
#include "util.h"

#define QUEUE_PAGE 25           /* /hangdoi lines per page: one message */
#define CRON_BATCH 64           /* tickets read at a time by the cron */
#define STATS_GROUPS 5          /* /thongke: unanswered groups shown */

/* The volunteers' group, its admins and volunteers are on Telegram. */
static const struct platform *const group_pl = &platforms[PLATFORM_TELEGRAM];

static int
on_group_platform(const char *platform)
{
	return strcmp(platform, group_pl->name) == 0;
}

/* A resident's media can reach the group as itself (copied), not as a
 * line saying what it was. */
static int
can_copy(const char *platform)
{
	return on_group_platform(platform) && (group_pl->caps & PLATFORM_COPY);
}

/* The platform's name as volunteers read it on a card. */
static const char *
platform_label(const char *platform)
{
	int i = platform_find(platform);

	return i >= 0 && platforms[i].label ? platforms[i].label : platform;
}

/* ---- small helpers ---- */

static int
in_list(const char *list, const char *id)
{
	size_t n = strlen(id);
	const char *p = list;

	if (!id[0] || !list)
		return 0;
	while (*p) {
		while (*p == ' ' || *p == ',')
			p++;
		if (strncmp(p, id, n) == 0 && (p[n] == '\0' || p[n] == ',' ||
		    p[n] == ' '))
			return 1;
		while (*p && *p != ',')
			p++;
	}
	return 0;
}

int
handoff_is_admin(const struct handoff *h, const char *user_id)
{
	return in_list(h->cfg->admins, user_id);
}

static int
in_group(const char *status)
{
	return strcmp(status, "member") == 0 || strcmp(status, "administrator")
	    == 0 || strcmp(status, "creator") == 0 || strcmp(status,
	    "restricted") == 0;
}

int
handoff_is_volunteer(struct handoff *h, const char *user_id)
{
	int64_t checked = 0, now = store_now_ms();
	char status[32];
	int rc;

	if (in_list(h->cfg->volunteers, user_id) || handoff_is_admin(h, user_id))
		return 1;
	rc = store_volunteer_checked(h->st, user_id, &checked);
	if (rc <= 0)
		return rc;
	if (now - checked < (int64_t)h->cfg->member_check_seconds * 1000 &&
	    checked <= now)
		return 1;
	if (!h->member || !h->cfg->volunteer_chat[0] ||
	    h->member(h->member_arg, user_id, status, sizeof(status)) < 0) {
		log_warn("handoff: membership of user %s in the volunteers' group "
		    "could not be checked; staff commands refused for now", user_id);
		return -1;
	}
	if (in_group(status)) {
		if (store_volunteer_confirm(h->st, user_id, now) < 0)
			h->rc = -1;
		return 1;
	}
	if (strcmp(status, "left") && strcmp(status, "kicked")) {
		log_warn("handoff: user %s has status '%s' in the volunteers' group; "
		    "staff commands refused", user_id, status);
		return -1;
	}
	log_info("handoff: user %s %s the volunteers' group: no longer a "
	    "volunteer", user_id, strcmp(status, "left") == 0 ? "left" :
	    "was removed from");
	if (store_volunteer_forget(h->st, user_id) < 0)
		h->rc = -1;
	return 0;
}

int
handoff_is_group(const struct handoff *h, const char *platform,
    const char *chat_id)
{
	return h->cfg->volunteer_chat[0] && on_group_platform(platform) &&
	    strcmp(chat_id, h->cfg->volunteer_chat) == 0;
}

int
handoff_in_hours(const struct config *cfg, int64_t now_ms)
{
	int a, b, c, d;
	long local = clock_minute(now_ms / 1000);

	if (sscanf(cfg->support_hours, "%d:%d-%d:%d", &a, &b, &c, &d) != 4)
		return 1;
	return local >= a * 60 + b && local < c * 60 + d;
}

static void
add(struct handoff *h, const char *platform, const char *chat, int group,
    const char *method, const char *body, int64_t ticket)
{
	if (store_outbox_add_ticket(h->st, platform, chat, group, method, body,
	    h->recv_us, ticket) < 0)
		h->rc = -1;
}

struct say_ctx {
	struct handoff *h;
	const char *platform;
	const char *chat;
	int group;              /* paced as a group */
	int64_t ticket;         /* every part, so replies to any find it */
};

static void
say_emit(const char *body, void *arg)
{
	struct say_ctx *c = arg;

	add(c->h, c->platform, c->chat, c->group, "sendMessage", body, c->ticket);
}

/* Sends text; the message log gets `logged` (a volunteer's words redacted). */
static void
say_logged(struct handoff *h, const char *platform, const char *chat_id,
    const char *text, const char *logged)
{
	struct say_ctx c = { h, platform, chat_id, 0, 0 };

	platform_of_name(platform)->render_text(text, chat_id, say_emit, &c);
	if (store_log(h->st, platform, chat_id, "out", logged, NULL, "handoff") < 0)
		h->rc = -1;
}

void
handoff_say(struct handoff *h, const char *platform, const char *chat_id,
    const char *text)
{
	say_logged(h, platform, chat_id, text, text);
}

/* A card as the platform renders one; as plain text where it has no
 * buttons. */
static void
send_card(struct handoff *h, const char *platform,
    const struct platform_card *c, int group, int64_t ticket)
{
	const struct platform *p = platform_of_name(platform);
	struct say_ctx sc = { h, platform, c->chat_id, group, ticket };

	if (p->render_card && (p->caps & PLATFORM_BUTTONS))
		p->render_card(c, say_emit, &sc);
	else
		p->render_text(c->text, c->chat_id, say_emit, &sc);
}

/*
 * Plain text to the volunteers' group (nothing to escape in residents'
 * words), under reply_to, with one button b when not NULL.
 */
static void
group_send(struct handoff *h, const char *text, int64_t reply_to,
    const struct platform_button *b, int64_t ticket)
{
	struct platform_card c = { h->cfg->volunteer_chat, text, reply_to, b,
	    b ? 1 : 0, 1 };

	if (h->cfg->volunteer_chat[0])
		send_card(h, group_pl->name, &c, 1, ticket);
}

/* caption: NULL keeps the original; a resident's media gets its redacted
 * caption, so an OTP in a screenshot's caption stays out of the group. */
static void
copy_message(struct handoff *h, const char *to, int to_group,
    const char *from_chat, int64_t message_id, int64_t reply_to, int64_t ticket,
    const char *caption)
{
	struct buf b;
	const char *method;

	if (!group_pl->copy)
		return;
	buf_init(&b, BUF_CAP_REPLY);
	method = group_pl->copy(to, from_chat, message_id, reply_to, caption, &b);
	if (buf_failed(&b))
		log_error("handoff: a copy of message %lld is over %zu bytes: not "
		    "sent", (long long)message_id, b.cap);
	else
		add(h, group_pl->name, to, to_group, method, b.data, ticket);
	buf_release(&b);
}

const char *
handoff_reason_text(const char *reason)
{
	static const struct {
		const char *reason, *text;
	} v[] = {
		{ "asked", "người dân muốn gặp người hỗ trợ" },
		{ "fallback", "bot chưa trả lời được (2 lần liền)" },
		{ "media", "người dân gửi ảnh / ghi âm / tệp" },
		{ "forwarded", "tình nguyện viên chuyển ca khó từ hiện trường" },
	};
	size_t i;

	for (i = 0; i < ARRAY_SIZE(v); i++)
		if (strcmp(reason, v[i].reason) == 0)
			return v[i].text;
	return NULL;
}

static void
card_text(struct handoff *h, const struct ticket *t, struct buf *b)
{
	buf_printf(b, "%s Phiếu #%lld · %s · %s\nLý do: %s\n",
	    t->tier > 1 ? "⚠️" : "🆘", (long long)t->id,
	    platform_label(t->platform),
	    t->user_name[0] ? t->user_name : "(không tên)",
	    handoff_reason_text(t->reason) ? handoff_reason_text(t->reason) :
	    t->reason);
	if (t->question[0])
		buf_printf(b, "Câu hỏi: %s\n", t->question);
	buf_adds(b, "Gần đây:\n");
	(void)store_recent_messages(h->st, t->platform, t->chat_id, 6, b);
	buf_printf(b, "\nTrả lời (reply) tin này để nhắn cho người dân; "
	    "gõ /xong %lld khi xong.", (long long)t->id);
}

/* The ward's words (system.txt) for what a resident reads of a hand-off. */
static void
tell_resident_wait(struct handoff *h, const struct ticket *t)
{
	struct buf b;
	int64_t now = store_now_ms();
	char num[24];

	snprintf(num, sizeof(num), "%lld", (long long)t->id);
	buf_init(&b, BUF_CAP_REPLY);
	if (strcmp(t->reason, "media") == 0) {
		buf_adds(&b, systext(h->kb, SYSTEXT_HANDOFF_MEDIA));
		buf_addc(&b, ' ');
	}
	if (handoff_in_hours(h->cfg, now)) {
		const struct systext_var v[] = { { "phieu", num },
		    { "cho", h->cfg->typical_wait } };

		systext_fill(h->kb, SYSTEXT_HANDOFF_WAIT, v, ARRAY_SIZE(v), &b);
	} else {
		char start[8] = "7:30";
		const char *call = systext(h->kb, SYSTEXT_HOTLINES);
		const struct systext_var v[] = { { "phieu", num },
		    { "gio", h->cfg->support_hours }, { "batdau", start } };

		sscanf(h->cfg->support_hours, "%7[0-9:]", start);
		systext_fill(h->kb, SYSTEXT_HANDOFF_AFTER_HOURS, v, ARRAY_SIZE(v),
		    &b);
		if (*call)
			buf_printf(&b, " %s", call);
	}
	handoff_say(h, t->platform, t->chat_id, b.data);
	buf_release(&b);
}

static int64_t
open_ticket(struct handoff *h, const char *platform, const struct event *ev,
    const char *reason, int tier, const char *question)
{
	struct ticket t;
	struct buf card;
	int64_t id;

	id = store_ticket_open(h->st, platform, ev->chat_id, ev->first_name, tier,
	    reason, question);
	if (id < 0 || store_ticket_get(h->st, id, &t) != 1) {
		h->rc = -1;
		return 0;
	}
	buf_init(&card, BUF_CAP_REPLY);
	card_text(h, &t, &card);
	if (tier > 1) {
		handoff_tell_admins(h, card.data);
	} else {
		char data[32];
		struct platform_button b = { "✋ Nhận phiếu này", data };

		snprintf(data, sizeof(data), "claim:%lld", (long long)id);
		group_send(h, card.data, 0, &b, id);
		if (ev->kind == EV_MEDIA && can_copy(platform) &&
		    ev->message_id && h->cfg->volunteer_chat[0])
			copy_message(h, h->cfg->volunteer_chat, 1, ev->chat_id,
			    ev->message_id, 0, id, question);
	}
	log_info("handoff: ticket %lld opened (%s, %s chat %s)", (long long)id,
	    reason, platform, ev->chat_id);
	buf_release(&card);
	return id;
}

/* ---- volunteers ---- */

/* Ticket id into t: 0, or -1 having told the group there is none. */
static int
ticket_or_say(struct handoff *h, int64_t id, struct ticket *t)
{
	if (store_ticket_get(h->st, id, t) == 1)
		return 0;
	group_send(h, "Không có phiếu số này.", 0, NULL, 0);
	return -1;
}

static void
claim(struct handoff *h, int64_t id, const char *vol_id, const char *vol_name)
{
	struct ticket t;
	struct buf b;
	int rc;

	if (ticket_or_say(h, id, &t) < 0)
		return;
	rc = store_ticket_claim(h->st, id, vol_id, vol_name);
	buf_init(&b, BUF_CAP_REPLY);
	if (rc == 0) {
		int64_t card = store_ticket_card(h->st, h->cfg->volunteer_chat, id);
		char data[32];
		struct platform_button btn = { "✔️ Xong phiếu này", data };

		buf_printf(&b, "✅ %s đã nhận phiếu #%lld.", vol_name,
		    (long long)id);
		snprintf(data, sizeof(data), "done:%lld", (long long)id);
		group_send(h, b.data, card, &btn, id);
		if (card && group_pl->edit) {
			/* the card itself shows who has it */
			struct buf txt, body;
			const char *method;

			buf_init(&txt, BUF_CAP_REPLY);
			store_ticket_get(h->st, id, &t);
			card_text(h, &t, &txt);
			buf_printf(&txt, "\n✅ Đã nhận: %s", vol_name);
			if (txt.len > 3000) {
				/* an edit cannot be split: keep the head of the card */
				char *cut = xstrdup(txt.data);

				utf8_copy(cut, 3000, txt.data);
				buf_reset(&txt);
				buf_printf(&txt, "%s…\n✅ Đã nhận: %s", cut, vol_name);
				free(cut);
			}
			buf_init(&body, BUF_CAP_REPLY);
			method = group_pl->edit(h->cfg->volunteer_chat, card, txt.data,
			    &body);
			/* the head of a card is far under the cap; a failed one
			 * leaves the card as it was */
			if (!buf_failed(&txt) && !buf_failed(&body))
				add(h, group_pl->name, h->cfg->volunteer_chat, 1, method,
				    body.data, 0);
			buf_release(&body);
			buf_release(&txt);
		}
		buf_reset(&b);
		{
			const struct systext_var v[] = { { "ten", vol_name } };

			systext_fill(h->kb, SYSTEXT_HANDOFF_CLAIMED, v, 1, &b);
		}
		handoff_say(h, t.platform, t.chat_id, b.data);
		log_info("handoff: ticket %lld claimed by %s", (long long)id, vol_id);
	} else if (rc == 1) {
		buf_printf(&b, "Phiếu #%lld %s.", (long long)id,
		    strcmp(t.status, "resolved") == 0 ? "đã xong rồi" :
		    "đã có người nhận");
		if (t.volunteer_name[0] && strcmp(t.status, "claimed") == 0)
			buf_printf(&b, " (%s)", t.volunteer_name);
		group_send(h, b.data, 0, NULL, 0);
	} else {
		h->rc = -1;
	}
	buf_release(&b);
}

static void
resolve(struct handoff *h, int64_t id, const char *by)
{
	struct ticket t;
	struct buf b;
	int rc;

	if (ticket_or_say(h, id, &t) < 0)
		return;
	rc = store_ticket_resolve(h->st, id);
	buf_init(&b, BUF_CAP_REPLY);
	if (rc == 0) {
		buf_printf(&b, "✔️ Phiếu #%lld đã xong (%s).", (long long)id, by);
		group_send(h, b.data, store_ticket_card(h->st,
		    h->cfg->volunteer_chat, id), NULL, 0);
		buf_reset(&b);
		{
			static const struct platform_button fb[] = {
				{ "👍 Hài lòng", "fb:1" },
				{ "👎 Chưa hài lòng", "fb:-1" },
			};
			char num[24];
			const struct systext_var v[] = { { "phieu", num } };
			struct platform_card c = { t.chat_id, NULL, 0, fb, 2, 2 };

			snprintf(num, sizeof(num), "%lld", (long long)id);
			systext_fill(h->kb, SYSTEXT_HANDOFF_DONE, v, 1, &b);
			c.text = b.data;

			send_card(h, t.platform, &c, 0, 0);
			if (store_log(h->st, t.platform, t.chat_id, "out", b.data,
			    NULL, "handoff") < 0)
				h->rc = -1;
		}
		log_info("handoff: ticket %lld resolved", (long long)id);
	} else if (rc == 1) {
		buf_printf(&b, "Phiếu #%lld đã xong từ trước.", (long long)id);
		group_send(h, b.data, 0, NULL, 0);
	} else {
		h->rc = -1;
	}
	buf_release(&b);
}

/* "/hangdoi 3": page 3 of the open tickets, oldest first. */
static void
queue_list(struct handoff *h, const char *platform, const char *chat,
    int64_t page)
{
	struct ticket *v = NULL;
	int total = store_tickets_count_active(h->st), n = 0, i, pages;
	int64_t now = store_now_ms();
	struct buf b;

	pages = total > 0 ? (total + QUEUE_PAGE - 1) / QUEUE_PAGE : 0;
	if (page < 1)
		page = 1;
	if (total > 0 && page <= pages) {
		v = xcalloc(QUEUE_PAGE, sizeof(*v));
		n = store_tickets_active(h->st, v, QUEUE_PAGE,
		    (int)(page - 1) * QUEUE_PAGE);
	}
	buf_init(&b, BUF_CAP_REPLY);
	if (total < 0 || n < 0) {
		buf_adds(&b, "Dạ, cháu chưa đọc được hàng đợi (lỗi cơ sở dữ "
		    "liệu). Anh/chị thử lại sau ít phút ạ.");
	} else if (total == 0) {
		buf_adds(&b, "Không có phiếu nào đang chờ. 🎉");
	} else if (page > pages) {
		buf_printf(&b, "Không có trang %lld: hàng đợi có %d phiếu, %d "
		    "trang. Gõ /hangdoi để xem trang 1.", (long long)page, total,
		    pages);
	} else {
		if (pages > 1)
			buf_printf(&b, "Hàng đợi: %d phiếu · trang %lld/%d (cũ "
			    "nhất trước)\n", total, (long long)page, pages);
		else
			buf_printf(&b, "Hàng đợi: %d phiếu\n", total);
		for (i = 0; i < n; i++)
			buf_printf(&b, "#%lld · %s · %s · %s · chờ %lld phút%s\n",
			    (long long)v[i].id, v[i].platform, v[i].user_name[0] ?
			    v[i].user_name : "(không tên)",
			    strcmp(v[i].status, "open") == 0 ? "chưa ai nhận" :
			    v[i].volunteer_name, (long long)((now - v[i].created) / 60000),
			    v[i].tier > 1 ? " · ⚠️ cấp 2" : "");
		if (page < pages)
			buf_printf(&b, "Trang sau: /hangdoi %lld", (long long)page
			    + 1);
	}
	if (handoff_is_group(h, platform, chat))
		group_send(h, b.data, 0, NULL, 0);
	else
		handoff_say(h, platform, chat, b.data);
	buf_release(&b);
	free(v);
}

/* "/nhan@OtherBot 12" in the group is meant for another bot. */
static int
for_us(const struct handoff *h, const struct slash_cmd *c)
{
	const char *me = h->cfg->telegram_bot;

	if (!c->bot[0] || !me || !*me)
		return 1;
	return strcasecmp(c->bot, me + (*me == '@')) == 0;
}

static void
relay_to_resident(struct handoff *h, const struct ticket *t,
    const struct event *ev)
{
	struct buf b, red;

	buf_init(&b, BUF_CAP_REPLY);
	if (ev->kind == EV_TEXT && ev->text && *ev->text) {
		buf_printf(&b, "👤 %s (Tổ Chuyển đổi số cộng đồng): %s",
		    ev->first_name[0] ? ev->first_name : "Tình nguyện viên", ev->text);
		/* the resident gets the exact words (the outbox clears them once
		 * sent); the log keeps them redacted like everyone else's */
		buf_init(&red, BUF_CAP_REPLY);
		(void)redact(b.data, &red);
		say_logged(h, t->platform, t->chat_id, b.data, red.data);
		buf_release(&red);
	} else if (ev->kind == EV_MEDIA && can_copy(t->platform)) {
		copy_message(h, t->chat_id, 0, h->cfg->volunteer_chat, ev->message_id,
		    0, 0, NULL);
	} else {
		buf_printf(&b, "Bot chưa chuyển được loại tin này sang %s; "
		    "xin nhắn bằng chữ.", t->platform);
		group_send(h, b.data, ev->message_id, NULL, 0);
		buf_release(&b);
		return;
	}
	if (store_ticket_replied(h->st, t->id) < 0)
		h->rc = -1;
	buf_release(&b);
}

/* /id: who the sender is and where, for admins and volunteer_chat. */
static void
whoami(struct handoff *h, const char *platform, const struct event *ev)
{
	struct say_ctx sc = { h, platform, ev->chat_id, ev->is_group, 0 };
	char b[768];

	snprintf(b, sizeof(b), "🆔 Mã người dùng của %s: %s\n"
	    "🆔 Mã cuộc trò chuyện này: %s\n\n"
	    "Quản trị viên: điền mã người dùng vào dòng admins (hoặc volunteers) "
	    "trong hoidap.conf; mã của nhóm tình nguyện viên (số âm) vào dòng "
	    "volunteer_chat.", ev->first_name[0] ? ev->first_name : "anh/chị",
	    ev->user_id[0] ? ev->user_id : "(không rõ)", ev->chat_id);
	platform_of_name(platform)->render_text(b, ev->chat_id, say_emit, &sc);
	log_info("handoff: /id from %s user %s in chat %s", platform,
	    ev->user_id, ev->chat_id);
}

int
handoff_whoami(struct handoff *h, const char *platform, const struct event *ev)
{
	struct slash_cmd c;

	if (ev->kind != EV_TEXT || !slash_parse(ev->text, &c) ||
	    strcmp(c.name, "id") != 0 || !for_us(h, &c))
		return 0;
	whoami(h, platform, ev);
	return 1;
}

static void
dm(long day, char out[6])
{
	char iso[11];

	report_format_date(day, iso);
	snprintf(out, 6, "%.2s/%.2s", iso + 8, iso + 5);
}

/*
 * /thongke for admins: today and this week (from Monday, Hanoi days), the
 * tickets open now, and the biggest groups of questions the bot could not
 * answer or was unsure about, as the report groups them.
 */
static void
stats(struct handoff *h, const char *platform, const struct event *ev)
{
	struct report r;
	struct report_opts o;
	struct buf b;
	long today = clock_day(h->recv_us / 1000000);
	long monday = today - (today + 3) % 7;  /* 1970-01-01 was a Thursday */
	struct say_ctx sc = { h, platform, ev->chat_id, ev->is_group, 0 };
	int open = store_tickets_count_active(h->st);
	char d1[6], d2[6];
	size_t i;

	memset(&o, 0, sizeof(o));
	o.db = h->cfg->db;
	o.kb = h->kb;
	o.kb_dir = h->cfg->kb;
	o.since = monday;
	o.today = today;
	buf_init(&b, BUF_CAP_REPLY);
	dm(today, d1);
	dm(monday, d2);
	if (report_load(&r, &o) < 0) {
		buf_printf(&b, "Dạ, cháu chưa đọc được số liệu: %s.", r.err);
	} else {
		const struct report_day *t = NULL;

		for (i = 0; i < r.ndays; i++)
			if (r.days[i].day == today)
				t = &r.days[i];
		buf_printf(&b, "📊 Thống kê (giờ Hà Nội)\n"
		    "Hôm nay %s: %d câu hỏi — trả lời được %d, chưa chắc %d, chưa "
		    "trả lời được %d.\n"
		    "Tuần này (từ thứ Hai %s): %d câu hỏi — trả lời được %d, chưa "
		    "chắc %d, chưa trả lời được %d.\n", d1, t ? t->n : 0,
		    t ? t->answered : 0, t ? t->unsure : 0, t ? t->unanswered : 0,
		    d2, r.questions, r.answered, r.clarified, r.fallbacks);
		if (open >= 0)
			buf_printf(&b, "Phiếu hỗ trợ đang mở: %d.\n", open);
		if (!r.ngroups)
			buf_adds(&b, "\nTuần này không có câu nào bot chưa trả "
			    "lời được.");
		else
			buf_adds(&b, "\nCâu hỏi bot chưa trả lời được hoặc chưa "
			    "chắc, nhiều nhất tuần này (nên thêm vào kho câu hỏi):\n");
		for (i = 0; i < r.ngroups && i < STATS_GROUPS; i++)
			buf_printf(&b, "%zu. %zu lần: \"%s\"\n", i + 1,
			    r.groups[i].n, r.groups[i].nex ? r.groups[i].ex[0] : "");
		buf_adds(&b, "\nBáo cáo đầy đủ: lệnh hoidap report trên máy "
		    "chạy bot.");
	}
	report_release(&r);
	platform_of_name(platform)->render_text(b.data, ev->chat_id, say_emit, &sc);
	buf_release(&b);
}

void
handoff_group(struct handoff *h, const struct event *ev)
{
	struct slash_cmd c;
	int64_t tid;
	struct ticket t;

	if (ev->user_id[0])
		(void)store_volunteer_seen(h->st, ev->user_id, ev->first_name);
	if (ev->kind == EV_CALLBACK && ev->text) {
		if (strncmp(ev->text, "claim:", 6) == 0)
			claim(h, strtoll(ev->text + 6, NULL, 10), ev->user_id,
			    ev->first_name);
		else if (strncmp(ev->text, "done:", 5) == 0)
			resolve(h, strtoll(ev->text + 5, NULL, 10), ev->first_name);
		return;
	}
	if (ev->kind == EV_TEXT && slash_parse(ev->text, &c)) {
		if (!for_us(h, &c)) {
			log_info("handoff: /%s in the group is for @%s, not us",
			    c.name, c.bot);
			return;
		}
		if (strcmp(c.name, "nhan") == 0 && c.arg > 0)
			claim(h, c.arg, ev->user_id, ev->first_name);
		else if (strcmp(c.name, "xong") == 0 && c.arg > 0)
			resolve(h, c.arg, ev->first_name);
		else if (strcmp(c.name, "hangdoi") == 0)
			queue_list(h, group_pl->name, h->cfg->volunteer_chat, c.arg);
		else if (strcmp(c.name, "tailai") == 0 && handoff_is_admin(h,
		    ev->user_id))
			h->want_reload = 1;
		else if (strcmp(c.name, "id") == 0)
			whoami(h, group_pl->name, ev);
		else if (strcmp(c.name, "thongke") == 0 && handoff_is_admin(h,
		    ev->user_id))
			stats(h, group_pl->name, ev);
		else if (strcmp(c.name, "nhan") == 0 || strcmp(c.name, "xong") == 0)
			group_send(h, "Cách dùng: /nhan 12 (nhận phiếu 12), /xong 12 "
			    "(xong phiếu 12), /hangdoi (các phiếu đang chờ).", 0, NULL, 0);
		return;
	}
	if (!ev->reply_to)
		return;         /* volunteers talking among themselves */
	tid = store_ticket_by_msg(h->st, h->cfg->volunteer_chat, ev->reply_to);
	if (tid <= 0 || store_ticket_get(h->st, tid, &t) != 1)
		return;
	if (strcmp(t.status, "resolved") == 0) {
		char b[96];

		snprintf(b, sizeof(b), "Phiếu #%lld đã xong; tin này không được "
		    "chuyển.", (long long)tid);
		group_send(h, b, ev->message_id, NULL, 0);
		return;
	}
	if (strcmp(t.status, "open") == 0)
		claim(h, tid, ev->user_id, ev->first_name);
	relay_to_resident(h, &t, ev);
}

/* ---- staff in private chats ---- */

static void
refuse(struct handoff *h, const char *platform, const struct event *ev,
    const char *cmd, const char *who)
{
	char lenh[48];
	const struct systext_var v[] = { { "lenh", lenh }, { "ai", who } };
	struct buf b;

	snprintf(lenh, sizeof(lenh), "/%s", cmd);
	buf_init(&b, BUF_CAP_REPLY);
	systext_fill(h->kb, SYSTEXT_STAFF_ONLY, v, ARRAY_SIZE(v), &b);
	handoff_say(h, platform, ev->chat_id, b.data);
	buf_release(&b);
	log_warn("handoff: refused /%s from %s user %s", cmd, platform,
	    ev->user_id);
}

/* The membership check failed: refuse (fail closed), and say why. */
static void
unverified(struct handoff *h, const char *platform, const struct event *ev,
    const char *what)
{
	char b[512];

	snprintf(b, sizeof(b), "Dạ, cháu chưa kiểm tra được anh/chị còn trong "
	    "nhóm tình nguyện viên hay không (Telegram chưa trả lời), nên chưa %s "
	    "được. Anh/chị thử lại sau ít phút, hoặc gõ lệnh ngay trong nhóm ạ.",
	    what);
	handoff_say(h, platform, ev->chat_id, b);
}

static void
forward_case(struct handoff *h, const char *platform, const struct event *ev,
    const char *redacted)
{
	struct match_result m;
	int64_t id;
	char b[256];

	id = open_ticket(h, platform, ev, "forwarded", 2, redacted);
	if (!id)
		return;
	snprintf(b, sizeof(b), "Đã chuyển ca này cho quản trị viên (phiếu #%lld). "
	    "Cảm ơn anh/chị!", (long long)id);
	handoff_say(h, platform, ev->chat_id, b);
	/* and the best guide, when one fits, for the volunteer to use now */
	match_run(h->kb, redacted, strlen(redacted), &m);
	if (m.action == MATCH_ANSWER && m.topic && m.topic->npages) {
		struct buf g;

		buf_init(&g, BUF_CAP_REPLY);
		buf_printf(&g, "Hướng dẫn có thể dùng ngay — %s:\n\n%s",
		    m.topic->title, m.topic->pages[0]);
		handoff_say(h, platform, ev->chat_id, g.data);
		buf_release(&g);
	}
}

int
handoff_staff(struct handoff *h, const char *platform, const struct event *ev,
    const char *redacted)
{
	struct slash_cmd c;
	const char *cmd = c.name;

	if (ev->kind == EV_TEXT && slash_parse(ev->text, &c)) {
		if (strcmp(cmd, "id") == 0) {
			whoami(h, platform, ev);
			return 1;
		}
		if (strcmp(cmd, "thongke") == 0 || strcmp(cmd, "tailai") == 0) {
			if (!on_group_platform(platform) ||
			    !handoff_is_admin(h, ev->user_id)) {
				refuse(h, platform, ev, cmd, "quản trị viên");
			} else if (strcmp(cmd, "thongke") == 0) {
				stats(h, platform, ev);
			} else {
				h->want_reload = 1;
				handoff_say(h, platform, ev->chat_id,
				    "Đang tải lại kho câu hỏi…");
			}
			return 1;
		}
		if (strcmp(cmd, "nhan") == 0 || strcmp(cmd, "xong") == 0 ||
		    strcmp(cmd, "hangdoi") == 0 || strcmp(cmd, "chuyen") == 0) {
			/* asked only now: /start from a volunteer costs no check */
			int staff = on_group_platform(platform) ?
			    handoff_is_volunteer(h, ev->user_id) : 0;

			if (staff < 0) {
				char what[32];

				snprintf(what, sizeof(what), "làm lệnh /%s", cmd);
				unverified(h, platform, ev, what);
				return 1;
			}
			if (!staff) {
				refuse(h, platform, ev, cmd, "tình nguyện viên");
				return 1;
			}
			if (strcmp(cmd, "nhan") == 0 && c.arg > 0)
				claim(h, c.arg, ev->user_id, ev->first_name);
			else if (strcmp(cmd, "xong") == 0 && c.arg > 0)
				resolve(h, c.arg, ev->first_name);
			else if (strcmp(cmd, "hangdoi") == 0)
				queue_list(h, platform, ev->chat_id, c.arg);
			else if (strcmp(cmd, "chuyen") == 0 && *c.rest) {
				/* the case as redacted, without the command; never
				 * the raw text, which may hold a password */
				struct slash_cmd rc;

				forward_case(h, platform, ev, slash_parse(redacted,
				    &rc) ? rc.rest : redacted);
			} else
				handoff_say(h, platform, ev->chat_id, "Cách dùng: /chuyen "
				    "<nội dung ca khó>, /nhan 12, /xong 12, /hangdoi.");
			return 1;
		}
		return 0;
	}
	if (ev->forwarded && on_group_platform(platform) &&
	    ev->kind == EV_TEXT) {
		int staff = handoff_is_volunteer(h, ev->user_id);

		if (staff < 0)
			unverified(h, platform, ev, "chuyển ca này cho quản trị viên");
		else if (staff)
			forward_case(h, platform, ev, redacted);
		return staff != 0;
	}
	return 0;
}

int
handoff_feedback(struct handoff *h, const char *platform,
    const struct event *ev)
{
	const char *t = ev->text ? ev->text : "";
	int v = 0;
	int64_t id;

	if (ev->kind == EV_CALLBACK && strncmp(t, "fb:", 3) == 0)
		v = atoi(t + 3) > 0 ? 1 : -1;
	else if (ev->kind == EV_TEXT && strstr(t, "👍") && strlen(t) < 16)
		v = 1;
	else if (ev->kind == EV_TEXT && strstr(t, "👎") && strlen(t) < 16)
		v = -1;
	if (!v)
		return 0;
	id = store_ticket_feedback(h->st, platform, ev->chat_id, v);
	if (id <= 0)
		return ev->kind == EV_CALLBACK;
	handoff_say(h, platform, ev->chat_id, systext(h->kb, v > 0 ?
	    SYSTEXT_FEEDBACK_THANKS : SYSTEXT_FEEDBACK_SORRY));
	log_info("handoff: feedback %d on ticket %lld", v, (long long)id);
	return 1;
}

/*
 * Residents' messages share the group's queue (20 a minute) with the cards
 * of new tickets. They go out at once while that queue is empty; else they
 * are held (in the store) and later sent as one message per ticket holding
 * everything that arrived meanwhile, in order, nothing dropped. Cards,
 * claims and the like go straight to the queue, ahead of what is held, so
 * one resident's hundred messages cannot push the next resident's card
 * back. Held longer than RELAY_MAX_HOLD_MS, they go even into a busy
 * queue: at worst one message per ticket per that interval.
 */
#define RELAY_MAX_HOLD_MS 60000
#define RELAY_ROWS 64           /* held rows read at a time */
#define RELAY_PART 3500         /* bytes of one coalesced message */

/* Sends a ticket's oldest held rows as one group message (or one copied
 * Telegram message) and forgets them. */
static void
relay_send_held(struct handoff *h, int64_t tid)
{
	struct relay_row v[RELAY_ROWS];
	struct ticket t;
	struct buf b;
	int n, i, k = 0;
	int64_t card, last;
	const char *name;

	n = store_relay_rows(h->st, tid, v, RELAY_ROWS);
	if (n <= 0) {
		if (n < 0)
			h->rc = -1;
		return;
	}
	if (store_ticket_get(h->st, tid, &t) != 1)
		memset(&t, 0, sizeof(t));       /* still sent, with its number */
	name = t.user_name[0] ? t.user_name : "(không tên)";
	card = store_ticket_card(h->st, h->cfg->volunteer_chat, tid);
	buf_init(&b, BUF_CAP_REPLY);
	if (strcmp(v[0].kind, "copy") == 0) {
		copy_message(h, h->cfg->volunteer_chat, 1, t.chat_id,
		    v[0].message_id, card, tid, v[0].text);
		last = v[0].id;
	} else {
		/* the text rows up to the next copy, one part's worth */
		size_t len = strlen(v[0].text);

		for (k = 1; k < n && strcmp(v[k].kind, "text") == 0 &&
		    len + strlen(v[k].text) + 5 <= RELAY_PART; k++)
			len += strlen(v[k].text) + 5;
		if (k == 1)
			buf_printf(&b, "💬 #%lld %s: %s", (long long)tid, name,
			    v[0].text);
		else
			buf_printf(&b, "💬 #%lld %s (%d tin liền):", (long long)tid,
			    name, k);
		for (i = 0; k > 1 && i < k; i++)
			buf_printf(&b, "\n• %s", v[i].text);
		last = v[k - 1].id;
		group_send(h, b.data, card, NULL, tid);
	}
	if (store_relay_drop(h->st, tid, last) < 0)
		h->rc = -1;
	buf_release(&b);
	store_relay_rows_release(v, n);
}

int
handoff_held(struct handoff *h)
{
	int n = store_relay_count(h->st);

	return n < 0 ? -1 : n > 0;
}

int
handoff_flush(struct handoff *h)
{
	int64_t tid, at;
	int busy, rc;

	if (!h->cfg->volunteer_chat[0])
		return 0;
	rc = store_relay_oldest(h->st, &tid, &at);
	if (rc <= 0) {
		if (rc < 0)
			h->rc = -1;
		return 0;
	}
	busy = store_outbox_chat_pending(h->st, group_pl->name,
	    h->cfg->volunteer_chat);
	if (busy < 0) {
		h->rc = -1;
		return 0;
	}
	if (busy && store_now_ms() - at < RELAY_MAX_HOLD_MS)
		return 0;
	relay_send_held(h, tid);
	return 1;
}

int
handoff_relay_resident(struct handoff *h, const char *platform,
    const struct event *ev, const char *redacted)
{
	struct ticket t;
	struct buf b;
	int rc;

	if (!h->cfg->volunteer_chat[0] ||
	    store_ticket_active(h->st, platform, ev->chat_id, &t) != 1)
		return 0;
	buf_init(&b, BUF_CAP_REPLY);
	if (ev->kind == EV_MEDIA && can_copy(platform) && ev->message_id) {
		rc = store_relay_hold(h->st, t.id, "copy", redacted, ev->message_id);
	} else if (ev->kind == EV_MEDIA) {
		const char *l = platform_label(platform);

		buf_printf(&b, "📷 gửi %s qua %s (bot không chuyển được tệp "
		    "từ %s)%s%s", ev->media, l, l, *redacted ? ": " : ".", redacted);
		rc = store_relay_hold(h->st, t.id, "text", b.data, 0);
	} else {
		rc = store_relay_hold(h->st, t.id, "text", redacted, 0);
	}
	if (rc < 0)
		h->rc = -1;
	else
		(void)handoff_flush(h);        /* at once if the queue is free */
	buf_release(&b);
	return 1;
}

/* A screenshot, a voice note or a document needs a person; a sticker,
 * an animation or a location does not. */
static int
media_worth_a_person(const char *kind)
{
	static const char *const kinds[] = { "photo", "voice", "audio", "video",
	    "video_note", "document", "file" };
	size_t i;

	for (i = 0; i < ARRAY_SIZE(kinds); i++)
		if (strcmp(kind, kinds[i]) == 0)
			return 1;
	return 0;
}

const char *
handoff_reason(const struct event *ev, const struct conv_reply *r,
    const struct conv_state *cs)
{
	if (ev && ev->kind == EV_MEDIA && media_worth_a_person(ev->media))
		return "media";
	if (r->handoff)
		return "asked";
	if (r->kind == CONV_FALLBACK && cs->fallbacks >= 2)
		return "fallback";
	return NULL;
}

int64_t
handoff_maybe_open(struct handoff *h, const char *platform,
    const struct event *ev, const char *redacted, const struct conv_reply *r,
    const struct store_chat *chat)
{
	const char *reason;
	struct ticket t;
	int64_t id;

	/* No volunteers' group: nobody could answer a ticket, so the bot keeps
	 * answering and the handoff.human guide gives the hotlines. */
	if (!h->cfg->volunteer_chat[0])
		return 0;
	if (!(reason = handoff_reason(ev, r, &chat->conv)))
		return 0;
	if (store_ticket_active(h->st, platform, ev->chat_id, &t) == 1)
		return 0;
	id = open_ticket(h, platform, ev, reason, 1, redacted);
	if (id && store_ticket_get(h->st, id, &t) == 1)
		tell_resident_wait(h, &t);
	return id;
}

void
handoff_tell_admins(struct handoff *h, const char *text)
{
	const char *p = h->cfg->admins;

	while (p && *p) {
		char id[48];
		size_t n;

		while (*p == ' ' || *p == ',')
			p++;
		n = strcspn(p, ", ");
		if (n && n < sizeof(id)) {
			snprintf(id, sizeof(id), "%.*s", (int)n, p);
			handoff_say(h, group_pl->name, id, text);
		}
		p += n;
	}
}

/*
 * Reminders and escalations of a cron pass. One ticket gets the usual
 * message (a reminder under its card); several get a digest, in messages
 * of one Telegram part each, so 250 old tickets are a handful of messages
 * in the group's queue (20 a minute), not 250 in front of the next card.
 */
#define DIGEST_PART 3500        /* bytes: under 4,096 UTF-16 units */
#define DIGEST_BUTTONS 8        /* claim buttons per reminder message */

struct digest {
	struct handoff *h;
	int escalate;           /* 1: to the admins, 0: reminders to the group */
	int64_t now;
	int n;                  /* tickets so far */
	struct ticket first;    /* alone, it gets the usual message */
	struct buf b;
	/* reminders: the message's claim buttons */
	struct platform_button btn[DIGEST_BUTTONS];
	char btn_text[DIGEST_BUTTONS][2][32];
	size_t nbtn;
};

static void
remind_one(struct handoff *h, const struct ticket *t, int64_t now)
{
	char b[512], data[32];
	struct platform_button btn = { "✋ Nhận phiếu này", data };

	snprintf(b, sizeof(b), "⏰ Phiếu #%lld chưa ai nhận — %s đã chờ %lld "
	    "phút.", (long long)t->id, t->user_name[0] ? t->user_name :
	    "người dân", (long long)((now - t->created) / 60000));
	snprintf(data, sizeof(data), "claim:%lld", (long long)t->id);
	group_send(h, b, store_ticket_card(h->st, h->cfg->volunteer_chat, t->id),
	    &btn, t->id);
}

static void
escalate_one(struct handoff *h, const struct ticket *t, int64_t now)
{
	struct buf m;

	buf_init(&m, BUF_CAP_REPLY);
	buf_printf(&m, "⚠️ Phiếu #%lld (%s, %s) đã mở %lld phút mà chưa "
	    "xong (%s). Câu hỏi: %s", (long long)t->id, t->platform,
	    t->user_name[0] ? t->user_name : "không tên",
	    (long long)((now - t->created) / 60000), strcmp(t->status, "open") == 0
	    ? "chưa ai nhận" : t->volunteer_name, t->question);
	handoff_tell_admins(h, m.data);
	buf_release(&m);
}

static void
digest_send(struct digest *d)
{
	if (!d->b.len)
		return;
	if (d->escalate) {
		handoff_tell_admins(d->h, d->b.data);
	} else {
		struct platform_card c = { d->h->cfg->volunteer_chat, d->b.data, 0,
		    d->btn, d->nbtn, 4 };

		buf_adds(&d->b, "Bấm nút hoặc gõ /nhan <số> để nhận.");
		c.text = d->b.data;
		if (d->h->cfg->volunteer_chat[0])
			send_card(d->h, group_pl->name, &c, 1, 0);
		d->nbtn = 0;
	}
	buf_reset(&d->b);
}

static void
digest_line(struct digest *d, const struct ticket *t)
{
	char line[1024], q[128];
	long long waited = (long long)((d->now - t->created) / 60000);

	if (d->escalate) {
		utf8_copy(q, sizeof(q), t->question);
		snprintf(line, sizeof(line), "Phiếu #%lld (%s, %s, %lld phút, %s): "
		    "%s%s\n", (long long)t->id, t->platform, t->user_name[0] ?
		    t->user_name : "không tên", waited, strcmp(t->status, "open") ==
		    0 ? "chưa ai nhận" : t->volunteer_name, q,
		    strlen(t->question) > strlen(q) ? "…" : "");
	} else {
		snprintf(line, sizeof(line), "#%lld · %s · chờ %lld phút\n",
		    (long long)t->id, t->user_name[0] ? t->user_name : "người dân",
		    waited);
	}
	if (d->b.len && d->b.len + strlen(line) > DIGEST_PART)
		digest_send(d);
	if (!d->b.len) {
		if (d->escalate)
			buf_printf(&d->b, "⚠️ Các phiếu đã mở quá %d phút mà "
			    "chưa xong:\n", d->h->cfg->escalate_minutes);
		else
			buf_adds(&d->b, "⏰ Các phiếu chưa ai nhận:\n");
	}
	buf_adds(&d->b, line);
	if (!d->escalate && d->nbtn < DIGEST_BUTTONS) {
		char *label = d->btn_text[d->nbtn][0], *data = d->btn_text[d->nbtn][1];

		snprintf(label, sizeof(d->btn_text[0][0]), "✋ #%lld", (long long)t->id);
		snprintf(data, sizeof(d->btn_text[0][1]), "claim:%lld",
		    (long long)t->id);
		d->btn[d->nbtn].label = label;
		d->btn[d->nbtn].data = data;
		d->nbtn++;
	}
}

static void
digest_add(struct digest *d, const struct ticket *t)
{
	if (d->n == 0)
		d->first = *t;
	else if (d->n == 1)
		digest_line(d, &d->first);
	if (d->n >= 1)
		digest_line(d, t);
	d->n++;
}

static void
digest_end(struct digest *d)
{
	if (d->n == 1 && d->escalate)
		escalate_one(d->h, &d->first, d->now);
	else if (d->n == 1)
		remind_one(d->h, &d->first, d->now);
	else
		digest_send(d);
	if (d->n > 1 && d->escalate)
		log_info("handoff: %d tickets escalated to admins", d->n);
	else if (d->n == 1 && d->escalate)
		log_info("handoff: ticket %lld escalated to admins",
		    (long long)d->first.id);
	buf_release(&d->b);
}

void
handoff_cron(struct handoff *h)
{
	struct ticket *v = xcalloc(CRON_BATCH, sizeof(*v));
	int64_t now = store_now_ms();
	int64_t re = (int64_t)h->cfg->reannounce_minutes * 60000;
	int64_t esc = (int64_t)h->cfg->escalate_minutes * 60000;
	struct digest rd = { .h = h, .escalate = 0, .now = now };
	struct digest ed = { .h = h, .escalate = 1, .now = now };
	int n, i, skip = 0;

	buf_init(&rd.b, BUF_CAP_REPLY);
	buf_init(&ed.b, BUF_CAP_REPLY);
	/* every active ticket, a batch at a time (marking one keeps it active,
	 * so the offsets stay put) */
	do {
		n = store_tickets_active(h->st, v, CRON_BATCH, skip);
		if (n < 0) {
			h->rc = -1;
			break;
		}
		for (i = 0; i < n; i++) {
			struct ticket *t = &v[i];

			if (strcmp(t->status, "open") == 0 && t->tier == 1 &&
			    now - t->announced_at >= re && h->cfg->volunteer_chat[0]) {
				digest_add(&rd, t);
				if (store_ticket_set(h->st, t->id, "announced_at", now) < 0)
					h->rc = -1;
			}
			if (!t->escalated_at && now - t->created >= esc) {
				digest_add(&ed, t);
				if (store_ticket_set(h->st, t->id, "escalated_at", now) < 0)
					h->rc = -1;
			}
		}
		skip += n;
	} while (n == CRON_BATCH && h->rc == 0);
	digest_end(&rd);
	digest_end(&ed);
	free(v);
}
