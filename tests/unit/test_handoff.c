/*
 * Hand-off pieces that the integration tests cannot reach in a few seconds:
 * re-announcing and escalating old tickets (minutes of waiting), support
 * hours, roles and the queue listing. A real store in a temp dir, the
 * kb-mini knowledge base; what the bot would send is read from the outbox.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "testutil.h"

#include "config.h"
#include "handoff.h"
#include "kb.h"
#include "log.h"
#include "store.h"

struct fx {
	char dir[256];
	char db[300];
	struct config cfg;
	struct store *st;
	struct kb *kb;
	struct diag d;
	struct handoff h;
};

static void
fx_open(struct fx *f)
{
	memset(f, 0, sizeof(*f));
	log_set_level(LOG_ERROR);
	tu_mkdtemp(f->dir, sizeof(f->dir));
	snprintf(f->db, sizeof(f->db), "%s/t.db", f->dir);
	f->st = store_open(f->db);
	assert_non_null(f->st);
	diag_init(&f->d);
	f->kb = kb_load(TU_KB_MINI, &f->d);
	assert_non_null(f->kb);
	config_init(&f->cfg);
	free(f->cfg.volunteer_chat);
	f->cfg.volunteer_chat = strdup("-100500");
	free(f->cfg.admins);
	f->cfg.admins = strdup("9001, 9002");
	f->cfg.reannounce_minutes = 30;
	f->cfg.escalate_minutes = 240;
	f->h.st = f->st;
	f->h.kb = f->kb;
	f->h.cfg = &f->cfg;
	f->h.recv_us = store_now_us();
}

static void
fx_close(struct fx *f)
{
	store_close(f->st);
	kb_free(f->kb);
	diag_release(&f->d);
	config_release(&f->cfg);
	tu_rmrf(f->dir);
}

/* Count outbox rows to chat whose body contains needle. */
static int
outbox_count(struct fx *f, const char *chat, const char *needle)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	int n = 0;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT body FROM outbox WHERE "
	    "chat_id=?1", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, chat, -1, SQLITE_STATIC);
	while (sqlite3_step(st) == SQLITE_ROW)
		if (strstr((const char *)sqlite3_column_text(st, 0), needle))
			n++;
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static void
age_ticket(struct fx *f, int64_t id, int64_t minutes)
{
	sqlite3 *db;
	char sql[256];

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "UPDATE tickets SET created=created-%lld, "
	    "announced_at=announced_at-%lld WHERE id=%lld",
	    (long long)minutes * 60000, (long long)minutes * 60000, (long long)id);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void
test_cron_reannounces_then_escalates(void **state)
{
	struct fx f;
	struct ticket t;
	int64_t id;

	(void)state;
	fx_open(&f);
	id = store_ticket_open(f.st, "telegram", "601", "Lan", 1, "asked",
	    "cài vneid");
	assert_true(id > 0);

	/* fresh: nothing to say */
	handoff_cron(&f.h);
	assert_int_equal(outbox_count(&f, "-100500", "chưa ai nhận"), 0);

	/* 35 minutes unclaimed: one reminder with a claim button, once */
	age_ticket(&f, id, 35);
	handoff_cron(&f.h);
	assert_int_equal(outbox_count(&f, "-100500", "chưa ai nhận"), 1);
	assert_int_equal(outbox_count(&f, "-100500", "claim:1"), 1);
	handoff_cron(&f.h);
	assert_int_equal(outbox_count(&f, "-100500", "chưa ai nhận"), 1);
	assert_int_equal(outbox_count(&f, "9001", "Phiếu #1"), 0);

	/* 5 hours open: both admins told once, tier 2 */
	age_ticket(&f, id, 300);
	handoff_cron(&f.h);
	assert_int_equal(outbox_count(&f, "9001", "Phiếu #1"), 1);
	assert_int_equal(outbox_count(&f, "9002", "Phiếu #1"), 1);
	handoff_cron(&f.h);
	assert_int_equal(outbox_count(&f, "9001", "Phiếu #1"), 1);
	assert_int_equal(store_ticket_get(f.st, id, &t), 1);
	assert_int_equal(t.tier, 2);
	assert_true(t.escalated_at > 0);
	assert_int_equal(f.h.rc, 0);

	/* a claimed ticket is not re-announced */
	id = store_ticket_open(f.st, "zalo", "z1", "Hùng", 1, "media", "");
	assert_int_equal(store_ticket_claim(f.st, id, "701", "Minh"), 0);
	assert_int_equal(store_ticket_claim(f.st, id, "702", "Hà"), 1);
	age_ticket(&f, id, 40);
	handoff_cron(&f.h);
	assert_int_equal(outbox_count(&f, "-100500", "Phiếu #2 chưa ai nhận"), 0);
	fx_close(&f);
}

static void
test_roles(void **state)
{
	struct fx f;

	(void)state;
	fx_open(&f);
	assert_true(handoff_is_admin(&f.h, "9001"));
	assert_true(handoff_is_admin(&f.h, "9002"));
	assert_false(handoff_is_admin(&f.h, "900"));     /* no prefix match */
	assert_false(handoff_is_admin(&f.h, "90012"));
	assert_false(handoff_is_admin(&f.h, ""));
	assert_false(handoff_is_volunteer(&f.h, "701"));
	assert_int_equal(store_volunteer_seen(f.st, "701", "Minh"), 0);
	assert_true(handoff_is_volunteer(&f.h, "701"));
	assert_true(handoff_is_volunteer(&f.h, "9001"));  /* admins too */
	assert_true(handoff_is_group(&f.h, "telegram", "-100500"));
	assert_false(handoff_is_group(&f.h, "zalo", "-100500"));
	assert_false(handoff_is_group(&f.h, "telegram", "-1005001"));
	fx_close(&f);
}

static void
test_support_hours(void **state)
{
	struct config c;
	/* 2026-11-28 00:00 UTC = 07:00 in Hanoi */
	int64_t base = 1795824000LL * 1000;

	(void)state;
	config_init(&c);
	free(c.support_hours);
	c.support_hours = strdup("07:30-21:00");
	assert_false(handoff_in_hours(&c, base));                       /* 07:00 */
	assert_true(handoff_in_hours(&c, base + 30 * 60000));          /* 07:30 */
	assert_true(handoff_in_hours(&c, base + 13 * 3600000LL));      /* 20:00 */
	assert_false(handoff_in_hours(&c, base + 14 * 3600000LL));     /* 21:00 */
	assert_false(handoff_in_hours(&c, base + 20 * 3600000LL));     /* 03:00 */
	config_release(&c);
}

static void
test_maybe_open_reasons(void **state)
{
	struct fx f;
	struct event ev;
	struct conv_reply r;
	struct store_chat chat;

	(void)state;
	fx_open(&f);
	memset(&ev, 0, sizeof(ev));
	memset(&chat, 0, sizeof(chat));
	snprintf(ev.chat_id, sizeof(ev.chat_id), "601");
	snprintf(ev.first_name, sizeof(ev.first_name), "Lan");
	ev.kind = EV_TEXT;
	conv_reply_init(&r);

	/* one fallback is not enough */
	r.kind = CONV_FALLBACK;
	chat.conv.fallbacks = 1;
	assert_int_equal(handoff_maybe_open(&f.h, "telegram", &ev, "x", &r,
	    &chat), 0);
	/* the second in a row is */
	chat.conv.fallbacks = 2;
	assert_int_equal(handoff_maybe_open(&f.h, "telegram", &ev, "x", &r,
	    &chat), 1);
	/* never two open tickets for one resident */
	r.handoff = true;
	assert_int_equal(handoff_maybe_open(&f.h, "telegram", &ev, "x", &r,
	    &chat), 0);
	/* no volunteers' group: no ticket, the bot keeps answering */
	free(f.cfg.volunteer_chat);
	f.cfg.volunteer_chat = strdup("");
	snprintf(ev.chat_id, sizeof(ev.chat_id), "602");
	assert_int_equal(handoff_maybe_open(&f.h, "telegram", &ev, "x", &r,
	    &chat), 0);
	conv_reply_release(&r);
	fx_close(&f);
}


/* A resident of chat on platform asks for a person: the ticket's id. */
static int64_t
ask_person(struct fx *f, const char *platform, const char *chat_id)
{
	struct event ev;
	struct conv_reply r;
	struct store_chat chat;
	int64_t id;

	memset(&ev, 0, sizeof(ev));
	memset(&chat, 0, sizeof(chat));
	ev.kind = EV_TEXT;
	snprintf(ev.chat_id, sizeof(ev.chat_id), "%s", chat_id);
	conv_reply_init(&r);
	r.handoff = true;
	id = handoff_maybe_open(&f->h, platform, &ev, "x", &r, &chat);
	conv_reply_release(&r);
	return id;
}

/* Outside the support hours the resident hears when someone is back and
 * which hotlines help now; inside, how long the wait usually is. */
static void
test_wait_message_hours(void **state)
{
	struct fx f;

	(void)state;
	fx_open(&f);
	free(f.cfg.support_hours);
	f.cfg.support_hours = strdup("00:00-24:00");
	assert_true(ask_person(&f, "telegram", "701") > 0);
	assert_int_equal(outbox_count(&f, "701", "khoảng 30 phút"), 1);
	assert_int_equal(outbox_count(&f, "701", "ngoài giờ"), 0);

	/* a one-hour window that starts two hours from now (Hanoi time) */
	{
		long local = (long)((store_now_ms() / 1000 + 7 * 3600) % 86400) / 60;
		long from = (local + 120) % (23 * 60);
		char hours[32], start[8];

		snprintf(start, sizeof(start), "%02ld:%02ld", from / 60, from % 60);
		snprintf(hours, sizeof(hours), "%s-%02ld:%02ld", start,
		    (from + 60) / 60, (from + 60) % 60);
		free(f.cfg.support_hours);
		f.cfg.support_hours = strdup(hours);
		assert_false(handoff_in_hours(&f.cfg, store_now_ms()));
		assert_true(ask_person(&f, "zalo", "zz9") > 0);
		assert_int_equal(outbox_count(&f, "zz9", "ngoài giờ"), 1);
		assert_int_equal(outbox_count(&f, "zz9", "1900 0368"), 1);
		assert_int_equal(outbox_count(&f, "zz9", start), 1);
	}
	fx_close(&f);
}


static void staff(struct fx *f, const char *user, const char *text);

/* A group's button press or command from volunteer 801, Minh. */
static void
group_event(struct fx *f, enum event_kind kind, const char *text)
{
	struct event ev;
	char *t = strdup(text);

	memset(&ev, 0, sizeof(ev));
	ev.kind = kind;
	ev.is_group = 1;
	snprintf(ev.chat_id, sizeof(ev.chat_id), "-100500");
	snprintf(ev.user_id, sizeof(ev.user_id), "801");
	snprintf(ev.first_name, sizeof(ev.first_name), "Minh");
	ev.text = t;
	handoff_group(&f->h, &ev);
	free(t);
}

static void
press_feedback(struct fx *f, const char *chat, const char *data)
{
	struct event ev;
	char *t = strdup(data);

	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_CALLBACK;
	snprintf(ev.chat_id, sizeof(ev.chat_id), "%s", chat);
	ev.text = t;
	assert_int_equal(handoff_feedback(&f->h, "telegram", &ev), 1);
	free(t);
}

/*
 * What the resident reads of a hand-off is the ward's wording, from
 * system.txt (sys.handoff_*, sys.feedback_*, sys.staff_only), with the
 * ticket's number, the wait, the hours and the volunteer's name filled in.
 */
static void
test_resident_texts_from_system_txt(void **state)
{
	struct fx f;
	struct tu_kb k;
	struct event ev;
	struct conv_reply r;
	struct store_chat chat;

	(void)state;
	fx_open(&f);
	tu_kb_open(&k, "system.txt", TU_SYS_REQUIRED, NULL);
	if (k.d.nerr)
		fail_msg("%s", k.d.text.data);
	kb_free(f.kb);
	f.h.kb = f.kb = k.kb;
	k.kb = NULL;
	free(f.cfg.support_hours);
	f.cfg.support_hours = strdup("00:00-24:00");

	assert_int_equal(ask_person(&f, "telegram", "701"), 1);
	assert_int_equal(outbox_count(&f, "701", "chờ phiếu 1, khoảng 30 phút."),
	    1);
	memset(&ev, 0, sizeof(ev));
	memset(&chat, 0, sizeof(chat));
	ev.kind = EV_MEDIA;
	snprintf(ev.media, sizeof(ev.media), "photo");
	snprintf(ev.chat_id, sizeof(ev.chat_id), "702");
	conv_reply_init(&r);
	assert_int_equal(handoff_maybe_open(&f.h, "telegram", &ev, "", &r,
	    &chat), 2);
	conv_reply_release(&r);
	assert_int_equal(outbox_count(&f, "702", "ảnh tới Tổ. chờ phiếu 2, "
	    "khoảng 30 phút."), 1);
	/* out of hours: a window that starts two hours from now */
	{
		long local = (long)((store_now_ms() / 1000 + 7 * 3600) % 86400) / 60;
		long from = (local + 120) % (23 * 60);
		char hours[32], want[128];

		snprintf(hours, sizeof(hours), "%02ld:%02ld-%02ld:%02ld", from / 60,
		    from % 60, (from + 60) / 60, (from + 60) % 60);
		free(f.cfg.support_hours);
		f.cfg.support_hours = strdup(hours);
		assert_int_equal(ask_person(&f, "zalo", "zz9"), 3);
		snprintf(want, sizeof(want), "ngoài giờ phiếu 3 (%s) từ %.5s. gọi "
		    "1900", hours, hours);
		assert_int_equal(outbox_count(&f, "zz9", want), 1);
	}

	group_event(&f, EV_CALLBACK, "claim:1");
	assert_int_equal(outbox_count(&f, "701", "Minh nhận rồi."), 1);
	group_event(&f, EV_TEXT, "/xong 1");
	assert_int_equal(outbox_count(&f, "701", "xong phiếu 1."), 1);
	press_feedback(&f, "701", "fb:1");
	assert_int_equal(outbox_count(&f, "701", "cảm ơn góp ý."), 1);
	group_event(&f, EV_CALLBACK, "done:2");
	assert_int_equal(outbox_count(&f, "702", "xong phiếu 2."), 1);
	press_feedback(&f, "702", "fb:-1");
	assert_int_equal(outbox_count(&f, "702", "xin lỗi bác."), 1);
	staff(&f, "703", "/tailai");
	assert_int_equal(outbox_count(&f, "703", "lệnh /tailai chỉ cho quản "
	    "trị viên."), 1);
	assert_int_equal(f.h.rc, 0);
	tu_kb_close(&k);
	fx_close(&f);
}

/* Why a person is called, without a store: what the console asks too. */
static void
test_reason_pure(void **state)
{
	struct conv_reply r;
	struct conv_state cs;
	struct event ev;

	(void)state;
	conv_reply_init(&r);
	conv_state_init(&cs);
	memset(&ev, 0, sizeof(ev));
	r.kind = CONV_FALLBACK;
	cs.fallbacks = 1;
	assert_null(handoff_reason(NULL, &r, &cs));
	cs.fallbacks = 2;
	assert_string_equal(handoff_reason(NULL, &r, &cs), "fallback");
	r.handoff = true;
	assert_string_equal(handoff_reason(NULL, &r, &cs), "asked");
	ev.kind = EV_MEDIA;
	snprintf(ev.media, sizeof(ev.media), "photo");
	assert_string_equal(handoff_reason(&ev, &r, &cs), "media");
	snprintf(ev.media, sizeof(ev.media), "sticker");
	assert_string_equal(handoff_reason(&ev, &r, &cs), "asked");
	conv_reply_release(&r);
}

/* A card names the platform as volunteers know it and the reason in the
 * words the report uses too (handoff_reason_text, the one table). */
static void
test_card_words(void **state)
{
	struct fx f;

	(void)state;
	assert_string_equal(handoff_reason_text("fallback"),
	    "bot chưa trả lời được (2 lần liền)");
	assert_null(handoff_reason_text("other"));
	fx_open(&f);
	assert_true(ask_person(&f, "zalo", "zz7") > 0);
	assert_int_equal(outbox_count(&f, "-100500", " · Zalo · "), 1);
	assert_int_equal(outbox_count(&f, "-100500", "Lý do: người dân muốn gặp "
	    "người hỗ trợ"), 1);
	assert_int_equal(outbox_count(&f, "-100500", "\"callback_data\":"
	    "\"claim:"), 1);
	fx_close(&f);
}

/*
 * Every store statement once, in one store: the statement cache must hold
 * them all and hand back each (it once looped forever past 32 statements).
 */
static void
test_store_every_statement(void **state)
{
	struct fx f;
	struct store_chat c;
	struct outbox_item it[4];
	struct ticket t[4];
	struct buf b;
	int64_t due, id;
	int i, n;

	(void)state;
	alarm(20);              /* a hang is a failure, not a stuck build */
	fx_open(&f);
	memset(&c, 0, sizeof(c));
	buf_init(&b, BUF_CAP_REPLY);
	assert_int_equal(store_begin(f.st), 0);
	assert_int_equal(store_seen(f.st, "telegram", "1"), 0);
	assert_int_equal(store_mark_processed(f.st, "telegram", "1"), 0);
	assert_int_equal(store_set_offset(f.st, "telegram", 2), 0);
	assert_int_equal(store_chat_put(f.st, "telegram", "5", &c), 0);
	assert_int_equal(store_outbox_add(f.st, "telegram", "5", 0, "sendMessage",
	    "{}", 0), 0);
	assert_int_equal(store_log(f.st, "telegram", "5", "in", "x", NULL, NULL), 0);
	assert_int_equal(store_count_topic(f.st, "a.b"), 0);
	assert_int_equal(store_unanswered(f.st, "telegram", "5", "x"), 0);
	assert_int_equal(store_commit(f.st), 0);
	assert_int_equal(store_offset(f.st, "telegram"), 2);
	assert_int_equal(store_chat_get(f.st, "telegram", "5", &c), 0);
	n = store_outbox_heads(f.st, "telegram", store_now_ms(), NULL, 0, it, 4,
	    &due);
	assert_int_equal(n, 1);
	store_outbox_item_release(&it[0]);
	assert_int_equal(store_outbox_head(f.st, "telegram", "5", &it[0]), 1);
	assert_int_equal(store_outbox_retry(f.st, it[0].id, 0, "x", 0), 0);
	assert_int_equal(store_outbox_migrate(f.st, "telegram", "5", "6"), 0);
	assert_int_equal(store_outbox_sent(f.st, it[0].id), 0);
	assert_int_equal(store_outbox_failed(f.st, it[0].id, "x"), 0);
	store_outbox_item_release(&it[0]);
	assert_int_equal(store_outbox_pending(f.st, &due), 0);
	id = store_ticket_open(f.st, "telegram", "5", "A", 1, "asked", "q");
	assert_true(id > 0);
	assert_int_equal(store_ticket_active(f.st, "telegram", "5", &t[0]), 1);
	assert_int_equal(store_ticket_get(f.st, id, &t[0]), 1);
	assert_int_equal(store_ticket_claim(f.st, id, "7", "V"), 0);
	assert_int_equal(store_ticket_replied(f.st, id), 0);
	assert_int_equal(store_ticket_msg_add(f.st, "-1", 9, id), 0);
	assert_int_equal(store_ticket_by_msg(f.st, "-1", 9), id);
	assert_int_equal(store_ticket_card(f.st, "-1", id), 9);
	assert_int_equal(store_tickets_active(f.st, t, 4, 0), 1);
	assert_int_equal(store_tickets_active(f.st, t, 4, 1), 0);
	assert_int_equal(store_tickets_count_active(f.st), 1);
	assert_int_equal(store_ticket_set(f.st, id, "announced_at", 1), 0);
	assert_int_equal(store_ticket_set(f.st, id, "escalated_at", 1), 0);
	assert_int_equal(store_ticket_resolve(f.st, id), 0);
	assert_int_equal(store_ticket_feedback(f.st, "telegram", "5", 1), id);
	assert_int_equal(store_volunteer_seen(f.st, "7", "V"), 0);
	assert_int_equal(store_is_volunteer(f.st, "7"), 1);
	assert_int_equal(store_recent_messages(f.st, "telegram", "5", 3, &b), 0);
	assert_int_equal(store_outbox_add_ticket(f.st, "telegram", "-1", 1,
	    "sendMessage", "{}", 0, id), 0);
	{
		struct relay_row rr[2];
		int64_t at, tid, when;
		char to[16];

		assert_int_equal(store_relay_hold(f.st, id, "text", "x", 0), 0);
		assert_int_equal(store_relay_count(f.st), 1);
		assert_int_equal(store_relay_oldest(f.st, &tid, &at), 1);
		assert_int_equal(tid, id);
		assert_int_equal(store_relay_rows(f.st, id, rr, 2), 1);
		assert_int_equal(store_relay_drop(f.st, id, rr[0].id), 0);
		store_relay_rows_release(rr, 1);
		assert_int_equal(store_outbox_chat_pending(f.st, "telegram", "-1"), 1);
		assert_int_equal(store_volunteer_checked(f.st, "7", &when), 1);
		assert_int_equal(store_volunteer_confirm(f.st, "7", when), 0);
		assert_int_equal(store_chat_move(f.st, "telegram", "-2", "-3"), 0);
		assert_int_equal(store_chat_moved(f.st, "telegram", "-2", to,
		    sizeof(to)), 1);
		assert_int_equal(store_tickets_count_active(f.st), 0);
		assert_int_equal(store_volunteer_forget(f.st, "7"), 0);
	}
	/* and every one of them again, from the cache */
	for (i = 0; i < 3; i++) {
		assert_int_equal(store_seen(f.st, "telegram", "1"), 1);
		assert_int_equal(store_is_volunteer(f.st, "8"), 0);
		assert_int_equal(store_ticket_card(f.st, "-1", id), 9);
	}
	buf_release(&b);
	fx_close(&f);       /* store_close must finalize and close cleanly */
	alarm(0);
}


/* Retention: old rows go, recent ones and pending replies stay. */
static void
test_prune(void **state)
{
	struct fx f;
	sqlite3 *db;
	int64_t now = store_now_ms(), old = now - 400 * 86400000LL;
	char sql[512];

	(void)state;
	fx_open(&f);
	assert_int_equal(store_log(f.st, "telegram", "1", "in", "new", NULL, NULL),
	    0);
	assert_int_equal(store_mark_processed(f.st, "telegram", "new"), 0);
	assert_int_equal(store_outbox_add(f.st, "telegram", "1", 0, "sendMessage",
	    "{}", 0), 0);
	assert_int_equal(sqlite3_open(f.db, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "INSERT INTO messages(platform, chat_id, dir, "
	    "text, at) VALUES('telegram','1','in','old',%lld);"
	    "INSERT INTO processed VALUES('telegram','old',%lld);"
	    "INSERT INTO outbox(platform, chat_id, is_group, method, body, "
	    "created_us, status, done_at) VALUES('telegram','1',0,'sendMessage',"
	    "'{}',0,'sent',%lld);", (long long)old, (long long)old, (long long)old);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	assert_int_equal(store_prune(f.st, now, 180), 3);
	assert_int_equal(store_prune(f.st, now, 180), 0);
	assert_int_equal(store_seen(f.st, "telegram", "new"), 1);
	assert_int_equal(store_seen(f.st, "telegram", "old"), 0);
	{
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, "SELECT (SELECT count(*) "
		    "FROM messages), (SELECT count(*) FROM outbox WHERE "
		    "status='pending')", -1, &st, NULL), SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		assert_int_equal(sqlite3_column_int(st, 0), 1);
		assert_int_equal(sqlite3_column_int(st, 1), 1);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	fx_close(&f);
}

/* "/chuyen" and the case on the next line: the whole case reaches the
 * admins, first word included (it used to be cut at the first space). */
static void
test_chuyen_newline(void **state)
{
	struct fx f;
	struct event ev;
	struct ticket t;
	char one[] = "/chuyen\nbà Tư không vào được vneid";
	char two[] = "/chuyen\nmật khẩu Abc@123 của bà Tư";

	(void)state;
	fx_open(&f);
	free(f.cfg.volunteers);
	f.cfg.volunteers = strdup("701");
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_TEXT;
	snprintf(ev.chat_id, sizeof(ev.chat_id), "701");
	snprintf(ev.user_id, sizeof(ev.user_id), "701");
	snprintf(ev.first_name, sizeof(ev.first_name), "Minh");
	ev.text = one;
	assert_int_equal(handoff_staff(&f.h, "telegram", &ev, ev.text), 1);
	assert_int_equal(store_ticket_get(f.st, 1, &t), 1);
	assert_string_equal(t.question, "bà Tư không vào được vneid");
	/* the redacted text is what travels, never the raw one */
	ev.text = two;
	assert_int_equal(handoff_staff(&f.h, "telegram", &ev,
	    "/chuyen\nmật khẩu [đã ẩn] của bà Tư"), 1);
	assert_int_equal(store_ticket_get(f.st, 2, &t), 1);
	assert_string_equal(t.question, "mật khẩu [đã ẩn] của bà Tư");
	assert_int_equal(f.h.rc, 0);
	fx_close(&f);
}

/* Send text as user (in that user's own chat) to handoff_staff. */
static void
staff(struct fx *f, const char *user, const char *text)
{
	struct event ev;
	char *t = strdup(text);

	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_TEXT;
	snprintf(ev.chat_id, sizeof(ev.chat_id), "%s", user);
	snprintf(ev.user_id, sizeof(ev.user_id), "%s", user);
	snprintf(ev.first_name, sizeof(ev.first_name), "Minh");
	ev.text = t;
	assert_int_equal(handoff_staff(&f->h, "telegram", &ev, t), 1);
	free(t);
}

/* /thongke and /tailai are the admins'; /nhan and /xong of a ticket that
 * does not exist say so in the group. */
static void
test_admin_commands(void **state)
{
	struct fx f;

	(void)state;
	fx_open(&f);
	free(f.cfg.volunteers);
	f.cfg.volunteers = strdup("701");
	free(f.cfg.db);
	f.cfg.db = strdup(f.db);        /* what /thongke reads */
	staff(&f, "701", "/tailai");
	staff(&f, "701", "/thongke");
	assert_int_equal(f.h.want_reload, 0);
	assert_int_equal(outbox_count(&f, "701", "lệnh /tailai chỉ dành cho "
	    "quản trị viên"), 1);
	assert_int_equal(outbox_count(&f, "701", "lệnh /thongke chỉ dành cho "
	    "quản trị viên"), 1);
	staff(&f, "9002", "/thongke");
	assert_int_equal(f.h.want_reload, 0);
	assert_int_equal(outbox_count(&f, "9002", "Thống kê"), 1);
	staff(&f, "9002", "/tailai");
	assert_int_equal(f.h.want_reload, 1);
	assert_int_equal(outbox_count(&f, "9002", "Đang tải lại"), 1);
	assert_int_equal(outbox_count(&f, "9002", "chỉ dành cho"), 0);
	staff(&f, "701", "/nhan 42");
	staff(&f, "701", "/xong 42");
	assert_int_equal(outbox_count(&f, "-100500", "Không có phiếu số này."),
	    2);
	assert_int_equal(f.h.rc, 0);
	fx_close(&f);
}

static void
age_all(struct fx *f, int64_t minutes)
{
	sqlite3 *db;
	char sql[256];

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "UPDATE tickets SET created=created-%lld, "
	    "announced_at=announced_at-%lld", (long long)minutes * 60000,
	    (long long)minutes * 60000);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static int
outbox_rows(struct fx *f, const char *chat)
{
	return outbox_count(f, chat, "");
}

/* Every ticket is reminded and escalated, however many there are (the
 * cron used to read the first 200), and in a few messages, not one each. */
static void
test_cron_many_tickets(void **state)
{
	struct fx f;
	struct ticket t;
	char needle[32];
	int i;

	(void)state;
	fx_open(&f);
	assert_int_equal(store_begin(f.st), 0);
	for (i = 1; i <= 250; i++)
		assert_int_equal(store_ticket_open(f.st, "telegram", "601", "Lan", 1,
		    "asked", "cài vneid"), i);
	assert_int_equal(store_commit(f.st), 0);
	age_all(&f, 300);
	assert_int_equal(store_begin(f.st), 0);
	handoff_cron(&f.h);
	assert_int_equal(store_commit(f.st), 0);
	assert_int_equal(f.h.rc, 0);
	for (i = 1; i <= 250; i++) {
		assert_int_equal(store_ticket_get(f.st, i, &t), 1);
		assert_true(t.escalated_at > 0);
		assert_int_equal(t.tier, 2);
		snprintf(needle, sizeof(needle), "Phiếu #%d ", i);
		if (outbox_count(&f, "9001", needle) != 1)
			fail_msg("ticket %d: admin told %d times", i,
			    outbox_count(&f, "9001", needle));
		snprintf(needle, sizeof(needle), "#%d · ", i);
		if (outbox_count(&f, "-100500", needle) != 1)
			fail_msg("ticket %d: reminded %d times", i,
			    outbox_count(&f, "-100500", needle));
	}
	assert_in_range(outbox_rows(&f, "9001"), 2, 25);
	assert_in_range(outbox_rows(&f, "-100500"), 2, 25);
	assert_int_equal(outbox_count(&f, "-100500", "claim:1\""), 1);
	/* a second pass has nothing left to say */
	i = outbox_rows(&f, "9001") + outbox_rows(&f, "-100500");
	handoff_cron(&f.h);
	assert_int_equal(outbox_rows(&f, "9001") + outbox_rows(&f, "-100500"), i);
	fx_close(&f);
}

/* /hangdoi counts every ticket and pages: /hangdoi 3. */
static void
test_queue_pages(void **state)
{
	struct fx f;
	struct event ev;
	char text[32];
	int i;

	(void)state;
	fx_open(&f);
	for (i = 1; i <= 60; i++)
		assert_int_equal(store_ticket_open(f.st, "zalo", "z1", "Hùng", 1,
		    "asked", "q"), i);
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_TEXT;
	ev.is_group = 1;
	snprintf(ev.chat_id, sizeof(ev.chat_id), "-100500");
	snprintf(ev.user_id, sizeof(ev.user_id), "701");
	ev.text = text;
	snprintf(text, sizeof(text), "/hangdoi");
	handoff_group(&f.h, &ev);
	assert_int_equal(outbox_count(&f, "-100500", "60 phiếu · trang 1/3"), 1);
	assert_int_equal(outbox_count(&f, "-100500", "Trang sau: /hangdoi 2"), 1);
	assert_int_equal(outbox_count(&f, "-100500", "#25 · "), 1);
	assert_int_equal(outbox_count(&f, "-100500", "#26 · "), 0);
	snprintf(text, sizeof(text), "/hangdoi 3");
	handoff_group(&f.h, &ev);
	assert_int_equal(outbox_count(&f, "-100500", "trang 3/3"), 1);
	assert_int_equal(outbox_count(&f, "-100500", "#60 · "), 1);
	assert_int_equal(outbox_count(&f, "-100500", "/hangdoi 4"), 0);
	snprintf(text, sizeof(text), "/hangdoi 9");
	handoff_group(&f.h, &ev);
	assert_int_equal(outbox_count(&f, "-100500", "Không có trang 9"), 1);
	assert_int_equal(f.h.rc, 0);
	fx_close(&f);
}

/* A group that became a supergroup: queued messages follow it (their
 * bodies too, which is what is sent), and the move is remembered. */
static void
test_chat_move(void **state)
{
	struct fx f;
	struct outbox_item it;
	char to[64] = "";

	(void)state;
	fx_open(&f);
	assert_int_equal(store_outbox_add(f.st, "telegram", "-100500", 1,
	    "sendMessage", "{\"chat_id\":\"-100500\",\"text\":\"a\"}", 0), 0);
	assert_int_equal(store_outbox_add(f.st, "telegram", "42", 0,
	    "sendMessage", "{\"chat_id\":\"42\",\"text\":\"b\"}", 0), 0);
	assert_int_equal(store_chat_moved(f.st, "telegram", "-100500", to,
	    sizeof(to)), 0);
	assert_int_equal(store_chat_move(f.st, "telegram", "-100500", "-1009"), 0);
	assert_int_equal(store_outbox_head(f.st, "telegram", "-1009", &it), 1);
	assert_non_null(strstr(it.body, "\"chat_id\":\"-1009\""));
	assert_non_null(strstr(it.body, "\"text\":\"a\""));
	store_outbox_item_release(&it);
	assert_int_equal(store_outbox_head(f.st, "telegram", "-100500", &it), 0);
	assert_int_equal(store_outbox_head(f.st, "telegram", "42", &it), 1);
	assert_non_null(strstr(it.body, "\"chat_id\":\"42\""));
	store_outbox_item_release(&it);
	assert_int_equal(store_chat_moved(f.st, "telegram", "-100500", to,
	    sizeof(to)), 1);
	assert_string_equal(to, "-1009");
	assert_int_equal(store_chat_moved(f.st, "zalo", "-100500", to,
	    sizeof(to)), 0);
	/* inside a transaction too, and along a chain */
	assert_int_equal(store_begin(f.st), 0);
	assert_int_equal(store_chat_move(f.st, "telegram", "-1009", "-1010"), 0);
	assert_int_equal(store_commit(f.st), 0);
	assert_int_equal(store_chat_moved(f.st, "telegram", "-100500", to,
	    sizeof(to)), 1);
	assert_string_equal(to, "-1010");
	assert_int_equal(store_chat_moved(f.st, "telegram", "-1010", to,
	    sizeof(to)), 0);
	fx_close(&f);
}

/* getChatMember as the test scripts it. */
struct fake_member {
	const char *status;     /* NULL: Telegram does not answer */
	int calls;
};

static int
fake_member(void *arg, const char *user_id, char *status, size_t n)
{
	struct fake_member *m = arg;

	(void)user_id;
	m->calls++;
	if (!m->status)
		return -1;
	snprintf(status, n, "%s", m->status);
	return 0;
}

static void
stale(struct fx *f, const char *user_id)
{
	sqlite3 *db;
	char sql[160];

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	snprintf(sql, sizeof(sql), "UPDATE volunteers SET checked=checked-%d "
	    "WHERE user_id='%s'", f->cfg.member_check_seconds * 1000 + 1,
	    user_id);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

/* A volunteer known from the group stays one while in the group: checked
 * again once the last sign is older than member_check_seconds; leaving
 * ends the role; no answer refuses (fail closed). */
static void
test_member_check(void **state)
{
	struct fx f;
	struct fake_member m = { "member", 0 };
	struct event ev;
	char text[] = "/hangdoi";

	(void)state;
	fx_open(&f);
	assert_int_equal(f.cfg.member_check_seconds, 300);
	f.h.member = fake_member;
	f.h.member_arg = &m;
	assert_int_equal(handoff_is_volunteer(&f.h, "701"), 0);   /* a stranger */
	assert_int_equal(store_volunteer_seen(f.st, "701", "Minh"), 0);
	assert_int_equal(handoff_is_volunteer(&f.h, "701"), 1);
	assert_int_equal(m.calls, 0);           /* just wrote in the group */
	stale(&f, "701");
	assert_int_equal(handoff_is_volunteer(&f.h, "701"), 1);
	assert_int_equal(m.calls, 1);
	assert_int_equal(handoff_is_volunteer(&f.h, "701"), 1);
	assert_int_equal(m.calls, 1);           /* confirmed: cached */
	stale(&f, "701");
	m.status = "left";
	assert_int_equal(handoff_is_volunteer(&f.h, "701"), 0);
	assert_int_equal(m.calls, 2);
	assert_int_equal(store_is_volunteer(f.st, "701"), 0);
	assert_int_equal(handoff_is_volunteer(&f.h, "701"), 0);
	assert_int_equal(m.calls, 2);           /* the role ended */
	/* kicked, an administrator, a restricted member */
	assert_int_equal(store_volunteer_seen(f.st, "703", "Tú"), 0);
	stale(&f, "703");
	m.status = "kicked";
	assert_int_equal(handoff_is_volunteer(&f.h, "703"), 0);
	assert_int_equal(store_volunteer_seen(f.st, "704", "Lê"), 0);
	stale(&f, "704");
	m.status = "administrator";
	assert_int_equal(handoff_is_volunteer(&f.h, "704"), 1);
	/* no answer: cannot tell, the volunteer is kept for later */
	assert_int_equal(store_volunteer_seen(f.st, "702", "Hà"), 0);
	stale(&f, "702");
	m.status = NULL;
	assert_int_equal(handoff_is_volunteer(&f.h, "702"), -1);
	assert_int_equal(store_is_volunteer(f.st, "702"), 1);
	f.h.member = NULL;
	assert_int_equal(handoff_is_volunteer(&f.h, "702"), -1);
	/* and a staff command is refused, saying why */
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_TEXT;
	snprintf(ev.chat_id, sizeof(ev.chat_id), "702");
	snprintf(ev.user_id, sizeof(ev.user_id), "702");
	ev.text = text;
	assert_int_equal(handoff_staff(&f.h, "telegram", &ev, text), 1);
	assert_int_equal(outbox_count(&f, "702", "chưa kiểm tra được"), 1);
	assert_int_equal(outbox_count(&f, "702", "Hàng đợi"), 0);
	/* configured people are trusted as configured, without asking */
	f.h.member = fake_member;
	m.calls = 0;
	free(f.cfg.volunteers);
	f.cfg.volunteers = strdup("705");
	assert_int_equal(handoff_is_volunteer(&f.h, "705"), 1);
	assert_int_equal(handoff_is_volunteer(&f.h, "9001"), 1);
	assert_int_equal(m.calls, 0);
	assert_int_equal(f.h.rc, 0);
	fx_close(&f);
}

static void
group_sent(struct fx *f)
{
	sqlite3 *db;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE outbox SET status='sent' WHERE "
	    "chat_id='-100500'", NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
}

static void
relay(struct fx *f, struct event *ev, const char *text)
{
	char *t = strdup(text);

	ev->text = t;
	assert_int_equal(handoff_relay_resident(&f->h, "telegram", ev, t), 1);
	free(t);
	ev->text = NULL;
}

/* A resident's messages go to the group at once while its queue is free,
 * else they wait and go as one; a new ticket's card does not wait. */
static void
test_relay_coalesce(void **state)
{
	struct fx f;
	struct event ev;
	struct conv_reply r;
	struct store_chat chat;
	sqlite3 *db;

	(void)state;
	fx_open(&f);
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_TEXT;
	snprintf(ev.chat_id, sizeof(ev.chat_id), "601");
	assert_int_equal(store_ticket_open(f.st, "telegram", "601", "Lan", 1,
	    "asked", "q"), 1);
	/* nothing queued for the group: straight out */
	relay(&f, &ev, "một");
	assert_int_equal(outbox_count(&f, "-100500", "💬 #1 Lan: một"), 1);
	/* while that is queued, held */
	relay(&f, &ev, "hai");
	relay(&f, &ev, "ba");
	relay(&f, &ev, "bốn");
	assert_int_equal(outbox_rows(&f, "-100500"), 1);
	assert_int_equal(handoff_held(&f.h), 1);
	assert_int_equal(handoff_flush(&f.h), 0);
	/* a new ticket's card goes to the queue at once, ahead of them */
	memset(&chat, 0, sizeof(chat));
	conv_reply_init(&r);
	r.handoff = true;
	snprintf(ev.chat_id, sizeof(ev.chat_id), "602");
	assert_int_equal(handoff_maybe_open(&f.h, "telegram", &ev, "x", &r,
	    &chat), 2);
	conv_reply_release(&r);
	assert_int_equal(outbox_count(&f, "-100500", "Phiếu #2"), 1);
	assert_int_equal(outbox_rows(&f, "-100500"), 2);
	/* the queue drained: one message with all three, in order */
	group_sent(&f);
	assert_int_equal(handoff_flush(&f.h), 1);
	assert_int_equal(outbox_count(&f, "-100500",
	    "💬 #1 Lan (3 tin liền):\\n• hai\\n• ba\\n• bốn"), 1);
	assert_int_equal(handoff_held(&f.h), 0);
	assert_int_equal(handoff_flush(&f.h), 0);
	/* held a minute in a busy queue: sent anyway */
	snprintf(ev.chat_id, sizeof(ev.chat_id), "601");
	relay(&f, &ev, "năm");
	assert_int_equal(handoff_flush(&f.h), 0);
	assert_int_equal(sqlite3_open(f.db, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "UPDATE relay_held SET at=at-61000",
	    NULL, NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(handoff_flush(&f.h), 1);
	assert_int_equal(outbox_count(&f, "-100500", "💬 #1 Lan: năm"), 1);
	/* a photo is copied on its own, in its place among the words */
	group_sent(&f);
	relay(&f, &ev, "sáu");
	relay(&f, &ev, "bảy");
	ev.kind = EV_MEDIA;
	ev.message_id = 77;
	snprintf(ev.media, sizeof(ev.media), "photo");
	relay(&f, &ev, "ảnh chụp");
	ev.kind = EV_TEXT;
	relay(&f, &ev, "tám");
	/* resolved meanwhile: what was held still reaches the group */
	assert_int_equal(store_ticket_resolve(f.st, 1), 0);
	group_sent(&f);
	assert_int_equal(handoff_flush(&f.h), 1);
	assert_int_equal(outbox_count(&f, "-100500", "💬 #1 Lan: sáu"), 1);
	assert_int_equal(outbox_count(&f, "-100500", "💬 #1 Lan: bảy"), 1);
	group_sent(&f);
	assert_int_equal(handoff_flush(&f.h), 1);
	assert_int_equal(outbox_count(&f, "-100500", "\"message_id\":77"), 1);
	assert_int_equal(outbox_count(&f, "-100500", "\"caption\":\"ảnh chụp\""),
	    1);
	group_sent(&f);
	assert_int_equal(handoff_flush(&f.h), 1);
	assert_int_equal(outbox_count(&f, "-100500", "💬 #1 Lan: tám"), 1);
	assert_int_equal(handoff_held(&f.h), 0);
	assert_int_equal(f.h.rc, 0);
	fx_close(&f);
}

/* A long flood is cut into messages of one Telegram part, none lost. */
static void
test_relay_long_flood(void **state)
{
	struct fx f;
	struct event ev;
	char text[64], needle[64];
	int i, msgs = 0;

	(void)state;
	fx_open(&f);
	memset(&ev, 0, sizeof(ev));
	ev.kind = EV_TEXT;
	snprintf(ev.chat_id, sizeof(ev.chat_id), "601");
	assert_int_equal(store_ticket_open(f.st, "zalo", "601", "Hùng", 1,
	    "asked", "q"), 1);
	assert_int_equal(store_begin(f.st), 0);
	for (i = 0; i < 300; i++) {
		snprintf(text, sizeof(text), "cháu ơi [m%03d] máy báo lỗi", i);
		assert_int_equal(handoff_relay_resident(&f.h, "zalo", &ev, text), 1);
	}
	assert_int_equal(store_commit(f.st), 0);
	while (handoff_held(&f.h) > 0 && msgs < 100) {
		group_sent(&f);
		msgs += handoff_flush(&f.h);
	}
	for (i = 0; i < 300; i++) {
		snprintf(needle, sizeof(needle), "[m%03d]", i);
		assert_int_equal(outbox_count(&f, "-100500", needle), 1);
	}
	assert_in_range(outbox_rows(&f, "-100500"), 3, 12);
	assert_int_equal(f.h.rc, 0);
	fx_close(&f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cron_reannounces_then_escalates),
		cmocka_unit_test(test_roles),
		cmocka_unit_test(test_support_hours),
		cmocka_unit_test(test_maybe_open_reasons),
		cmocka_unit_test(test_wait_message_hours),
		cmocka_unit_test(test_resident_texts_from_system_txt),
		cmocka_unit_test(test_card_words),
		cmocka_unit_test(test_reason_pure),
		cmocka_unit_test(test_store_every_statement),
		cmocka_unit_test(test_prune),
		cmocka_unit_test(test_chuyen_newline),
		cmocka_unit_test(test_admin_commands),
		cmocka_unit_test(test_cron_many_tickets),
		cmocka_unit_test(test_queue_pages),
		cmocka_unit_test(test_chat_move),
		cmocka_unit_test(test_member_check),
		cmocka_unit_test(test_relay_coalesce),
		cmocka_unit_test(test_relay_long_flood),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
