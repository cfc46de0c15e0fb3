/*
 * store: the daemon's SQLite database (WAL, mode 0600, versioned schema).
 *
 * Owns: processed updates (dedupe), poll offsets, per-chat conversation state
 * and flood counters, the outbox, a redacted message log, per-topic counters
 * and unanswered questions. Callers group the writes for one batch of
 * updates between store_begin() and store_commit(), so replies enter the
 * outbox in the same transaction that marks their updates processed.
 * All functions return 0 on success, -1 on error (logged).
 */
#ifndef HOIDAP_STORE_H
#define HOIDAP_STORE_H

#include <stdint.h>

#include "conv.h"

struct store;

#define STORE_SCHEMA_VERSION 1

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
	char *body;                     /* JSON; owned; free with outbox_item_release */
	int attempts;
	int64_t created_us;             /* when its update arrived (latency) */
	int64_t not_before;             /* ms */
};

struct store *store_open(const char *path);
void store_close(struct store *s);

int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

/* 1 if (platform, update id) was processed already, 0 if not, -1 error. */
int store_seen(struct store *s, const char *platform, const char *update_id);
int store_mark_processed(struct store *s, const char *platform,
    const char *update_id);
int64_t store_offset(struct store *s, const char *platform);
int store_set_offset(struct store *s, const char *platform, int64_t next);

int store_chat_get(struct store *s, const char *platform, const char *chat_id,
    struct store_chat *c);
int store_chat_put(struct store *s, const char *platform, const char *chat_id,
    const struct store_chat *c);

int store_outbox_add(struct store *s, const char *platform,
    const char *chat_id, int is_group, const char *method, const char *body,
    int64_t received_us);
/*
 * Fills up to max due items in id order, at most one per chat (its oldest
 * pending one, so a chat's replies leave in order). *next_due gets the
 * earliest not_before of a chat's head that is not due yet (-1 if none).
 * Returns the count or -1.
 */
int store_outbox_heads(struct store *s, int64_t now_ms, struct outbox_item *v,
    int max, int64_t *next_due);
/* A chat's oldest pending item, due or not: 1 found, 0 none, -1 error. */
int store_outbox_head(struct store *s, const char *platform,
    const char *chat_id, struct outbox_item *it);
int store_outbox_sent(struct store *s, int64_t id);
int store_outbox_retry(struct store *s, int64_t id, int64_t not_before_ms,
    const char *err);
int store_outbox_failed(struct store *s, int64_t id, const char *err);
/* Pending count; *next_due_ms gets the earliest not_before (or -1). */
int store_outbox_pending(struct store *s, int64_t *next_due_ms);
void outbox_item_release(struct outbox_item *it);
/* Rewrites a chat id (Telegram group migrated to a supergroup). */
int store_outbox_migrate(struct store *s, const char *platform,
    const char *from, const char *to);

/* Message log; `text` must already be redacted. dir is "in" or "out". */
int store_log(struct store *s, const char *platform, const char *chat_id,
    const char *dir, const char *text, const char *topic, const char *action);
int store_count_topic(struct store *s, const char *topic);
int store_unanswered(struct store *s, const char *platform,
    const char *chat_id, const char *text);

int64_t store_now_ms(void);
int64_t store_now_us(void);

#endif
