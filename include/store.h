/*
 * store: the daemon's SQLite database (WAL, mode 0600, versioned schema), in
 * bot/store.c, bot/store_outbox.c and bot/store_ticket.c.
 *
 * Owns: processed updates (dedupe), poll offsets, per-chat conversation state
 * and flood counters, chat moves, the outbox, a redacted message log,
 * per-topic counters and unanswered questions, the hand-off's tickets,
 * volunteers and held relay rows, and the Zalo OA's tokens and reply
 * windows. Callers group the writes for one batch of
 * updates between store_begin() and store_commit(), so replies enter the
 * outbox in the same transaction that marks their updates processed.
 *
 * Errors are logged. A function returns 0 on success and -1 on error
 * unless its comment says otherwise: a lookup returns 1 found, 0 none,
 * -1 error; a count or an id is >= 0, or -1.
 */
#ifndef HOIDAP_STORE_H
#define HOIDAP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "conv.h"

struct store;

/* The user_version store_open() migrates a database to: one more with each
 * migration in bot/store.c (the compiler checks they agree). */
#define STORE_SCHEMA_VERSION 5

struct store_chat {
	struct conv_state conv;
	int64_t flood_start;            /* ms: window start */
	int flood_count;
	int flood_noticed;
};

struct outbox_item {
	int64_t id;
	char platform[16];
	char chat_id[64];
	int is_group;
	char method[40];
	char *body;                     /* JSON; owned: store_outbox_item_release */
	int attempts;
	int64_t created_us;             /* when its update arrived (latency) */
	int64_t not_before;             /* ms */
	int64_t ticket_id;              /* a group message about a ticket, or 0 */
};

/* Opens (creating it 0600) and migrates; NULL (logged) on failure. */
struct store *store_open(const char *path);
void store_close(struct store *s);
/* -1 (logged) if the database file was deleted or replaced since it was
 * opened: the store then writes to a file nobody will open again. */
int store_check(struct store *s);

int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* 1 if (platform, update id) was processed already, 0 if not, -1 error. */
int store_seen(struct store *s, const char *platform, const char *update_id);
int store_mark_processed(struct store *s, const char *platform,
    const char *update_id);
/* The platform's next update id to ask for: 0 if none yet, or on error. */
int64_t store_offset(struct store *s, const char *platform);
int store_set_offset(struct store *s, const char *platform, int64_t next);

/* Fills c, a new chat's defaults if it has no row: 0, or -1. */
int store_chat_get(struct store *s, const char *platform, const char *chat_id,
    struct store_chat *c);
int store_chat_put(struct store *s, const char *platform, const char *chat_id,
    const struct store_chat *c);

int store_outbox_add(struct store *s, const char *platform,
    const char *chat_id, int is_group, const char *method, const char *body,
    int64_t received_us);
int store_outbox_add_ticket(struct store *s, const char *platform,
    const char *chat_id, int is_group, const char *method, const char *body,
    int64_t received_us, int64_t ticket_id);
/*
 * Fills up to max due items of one platform in id order, at most one per
 * chat (its oldest pending one, so a chat's replies leave in order); rows
 * without a chat (chat_id "") each count as a chat of their own. The
 * ngone ids in gone (sorted) count as no longer pending: the daemon knows
 * them sent or given up on, though writing that failed. *next_due gets the
 * earliest not_before of a chat's head that is not due yet (-1 if none).
 * Returns the count or -1.
 */
int store_outbox_heads(struct store *s, const char *platform, int64_t now_ms,
    const int64_t *gone, size_t ngone, struct outbox_item *v, int max,
    int64_t *next_due);
/* A chat's oldest pending item, due or not: 1 found, 0 none, -1 error. */
int store_outbox_head(struct store *s, const char *platform,
    const char *chat_id, struct outbox_item *it);
int store_outbox_sent(struct store *s, int64_t id);
/* count_attempt 0: a 429 is the platform pacing us, not a failure. */
int store_outbox_retry(struct store *s, int64_t id, int64_t not_before_ms,
    const char *err, int count_attempt);
int store_outbox_failed(struct store *s, int64_t id, const char *err);
/* Pending count; *next_due_ms gets the earliest not_before (or -1). */
int store_outbox_pending(struct store *s, int64_t *next_due_ms);
void store_outbox_item_release(struct outbox_item *it);
/* Rewrites a chat id (Telegram group migrated to a supergroup) in the
 * pending rows, their bodies included. */
int store_outbox_migrate(struct store *s, const char *platform,
    const char *from, const char *to);
/* Records that chat `from` is now `to`, and rewrites the pending outbox. */
int store_chat_move(struct store *s, const char *platform, const char *from,
    const char *to);
/* Where chat id went, following recorded moves: 1 (out = the last id),
 * 0 if it did not move, -1 on error. */
int store_chat_moved(struct store *s, const char *platform, const char *id,
    char *out, size_t n);

/* Message log; `text` must already be redacted. dir is "in" or "out". */
int store_log(struct store *s, const char *platform, const char *chat_id,
    const char *dir, const char *text, const char *topic, const char *action);
int store_count_topic(struct store *s, const char *topic);
int store_unanswered(struct store *s, const char *platform,
    const char *chat_id, const char *text);

/* A hand-off to a person (see bot/handoff.c). Times in ms. */
struct ticket {
	int64_t id;
	char platform[16];
	char chat_id[48];
	char user_name[260];
	int tier;
	char reason[16];
	char question[1024];
	char status[12];
	char volunteer_id[48];
	char volunteer_name[260];
	int64_t created, claimed_at, first_reply_at, resolved_at, announced_at,
	    escalated_at;
};

/* The new ticket's id, or -1. */
int64_t store_ticket_open(struct store *s, const char *platform,
    const char *chat_id, const char *user_name, int tier, const char *reason,
    const char *question);
/* The chat's open or claimed ticket: 1 found, 0 none, -1 error. */
int store_ticket_active(struct store *s, const char *platform,
    const char *chat_id, struct ticket *t);
/* 1 found, 0 no such ticket, -1 error. */
int store_ticket_get(struct store *s, int64_t id, struct ticket *t);
/* 0 claimed now, 1 not open (claimed already or resolved), -1 error. */
int store_ticket_claim(struct store *s, int64_t id, const char *vol_id,
    const char *vol_name);
int store_ticket_replied(struct store *s, int64_t id);
/* 0 resolved now, 1 was not open, -1 error. */
int store_ticket_resolve(struct store *s, int64_t id);
/* Records 👍 (1) / 👎 (-1) on the chat's latest resolved ticket of the last
 * 24 h without feedback; returns its id, 0 if none, -1 on error. */
int64_t store_ticket_feedback(struct store *s, const char *platform,
    const char *chat_id, int value);
/* Sets what, "announced_at" or "escalated_at" (which also makes the ticket
 * tier 2), to v; -1 for any other column. */
int store_ticket_set(struct store *s, int64_t id, const char *what, int64_t v);
int store_ticket_msg_add(struct store *s, const char *chat_id,
    int64_t message_id, int64_t ticket_id);
/* The ticket a group message belongs to: its id, 0 none, -1 error. */
int64_t store_ticket_by_msg(struct store *s, const char *chat_id,
    int64_t message_id);
/* The ticket's card: its first message in that chat; 0 if not sent yet
 * or on error (callers reply to it, and 0 replies to nothing). */
int64_t store_ticket_card(struct store *s, const char *chat_id,
    int64_t ticket_id);
/* Open and claimed tickets, oldest first: up to max after the first skip.
 * Both return a count, or -1. */
int store_tickets_active(struct store *s, struct ticket *v, int max, int skip);
int store_tickets_count_active(struct store *s);

/* For the daemon's metrics; read-only, outside a transaction is fine. */
struct store_stats {
	int64_t outbox_pending;
	int64_t outbox_oldest_us;       /* created_us of the oldest pending, or 0 */
	int64_t tickets;                /* every ticket kept */
	int64_t tickets_active;         /* open or claimed */
	int64_t tickets_escalated;      /* ever told to the admins */
	int write_failing;              /* the last BEGIN or COMMIT failed */
};
int store_stats(struct store *s, struct store_stats *o);
int store_volunteer_seen(struct store *s, const char *user_id,
    const char *name);
/* 1 a volunteer, 0 not (or on error). */
int store_is_volunteer(struct store *s, const char *user_id);
/* When a volunteer was last known to be in the group: 1 (*checked in ms),
 * 0 if not a volunteer, -1 on error. */
int store_volunteer_checked(struct store *s, const char *user_id,
    int64_t *checked);
int store_volunteer_confirm(struct store *s, const char *user_id,
    int64_t when);
/* Left the group: no longer a volunteer (until they write there again). */
int store_volunteer_forget(struct store *s, const char *user_id);
/*
 * A resident's messages for the volunteers' group, held back while the
 * group's queue is busy (see handoff_flush): kind "text" (redacted) or
 * "copy" (a Telegram message to copy, text its redacted caption).
 */
struct relay_row {
	int64_t id;
	char kind[8];
	char *text;             /* owned; free with store_relay_rows_release */
	int64_t message_id;
	int64_t at;             /* ms */
};

int store_relay_hold(struct store *s, int64_t ticket_id, const char *kind,
    const char *text, int64_t message_id);
/* Rows held in all: >= 0, or -1. */
int store_relay_count(struct store *s);
/* The ticket whose held row is the oldest: 1 (*ticket_id, *at), 0, -1. */
int store_relay_oldest(struct store *s, int64_t *ticket_id, int64_t *at);
/* A ticket's held rows, oldest first, up to max; the count or -1. */
int store_relay_rows(struct store *s, int64_t ticket_id, struct relay_row *v,
    int max);
void store_relay_rows_release(struct relay_row *v, int n);
/* Forgets a ticket's held rows up to and including id (they were sent). */
int store_relay_drop(struct store *s, int64_t ticket_id, int64_t upto_id);
/* Pending outbox rows to one chat (a group's queue), or -1. */
int store_outbox_chat_pending(struct store *s, const char *platform,
    const char *chat_id);

/* Appends the chat's last max log lines (already redacted), oldest first,
 * one a line: 👤 (in) or 🤖 (out) and the first 160 bytes, cut with "…". */
int store_recent_messages(struct store *s, const char *platform,
    const char *chat_id, int max, struct buf *out);

/*
 * Forgets what is no longer needed: processed-update ids after 7 days (the
 * platforms redeliver for 24 h at most), finished outbox rows and the
 * message ids of resolved tickets after 30 days, and the message log and
 * unanswered questions after keep_days, in a transaction of its own (so
 * not inside store_begin's). Returns rows deleted, or -1.
 */
int store_prune(struct store *s, int64_t now_ms, int keep_days);

int64_t store_now_ms(void);
int64_t store_now_us(void);

/*
 * The Zalo OA's tokens. The refresh token is single-use: the daemon saves
 * the new one (with its access token) here, committed, before it uses the
 * access token, so a crash never leaves it holding only a spent one. The
 * row is written by one statement, so both change together. get: 1 found,
 * 0 none yet (start from the configured refresh token), -1 error.
 */
struct store_oa_token {
	char seed[65];          /* zalo_oa_seed() of the configured token */
	char *refresh;          /* owned, wiped by store_oa_token_release */
	char *access;
	int64_t expires_at;     /* ms */
};

int store_oa_token_get(struct store *s, struct store_oa_token *t);
int store_oa_token_put(struct store *s, const char *seed, const char *refresh,
    const char *access, int64_t expires_at);
void store_oa_token_release(struct store_oa_token *t);

/*
 * The OA's free replies: a resident's message (at_ms, when they sent it)
 * opens a new 48 h window of ZALO_OA_FREE_REPLIES; the daemon counts the
 * replies it queues. replies_left: 1 and *left > 0 if a reply may go, 0
 * if not (window spent or closed, or the resident never wrote), -1 error.
 */
int store_oa_inbound(struct store *s, const char *user_id, int64_t at_ms,
    const char *msg_id);
int store_oa_replies_left(struct store *s, const char *user_id,
    int64_t now_ms, int *left);
int store_oa_replies_used(struct store *s, const char *user_id, int n);
/*
 * msg_id (may be NULL: a follow) is the message at_ms belongs to; the
 * latest one a resident sent is what the OA's sends name (last_msg): 1
 * and msg_id filled, 0 none known (msg_id ""), -1 error.
 */
int store_oa_last_msg(struct store *s, const char *user_id, char *msg_id,
    size_t n);

#endif
