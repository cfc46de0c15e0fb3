/*
 * tg: the Telegram Bot API adapter — update JSON in, events out; replies in,
 * sendMessage JSON bodies out. No I/O here (the daemon's poll.c, outbox.c and
 * webhook.c do the HTTP), which is what makes it fuzzable.
 */
#ifndef HOIDAP_TG_H
#define HOIDAP_TG_H

#include <stddef.h>

#include "api.h"
#include "buf.h"
#include "conv.h"
#include "event.h"

struct platform_card;

#define TG_TEXT_MAX 4096        /* UTF-16 code units after entity parsing */
#define TG_CALLBACK_MAX 64

/*
 * Parses a getUpdates response. On API_OK, *ev gets *n events (caller frees
 * each with event_release and the array with free) and *max_id the highest
 * update_id seen (-1 if none); an update without a whole, non-negative
 * update_id is skipped (it could be neither confirmed nor deduplicated).
 */
enum api_status tg_parse_updates(const char *body, size_t len,
    struct event **ev, size_t *n, int64_t *max_id, struct api_error *err);
/* Parses any other method's response (sendMessage, …). */
enum api_status tg_parse_response(const char *body, size_t len,
    struct api_error *err);
/* Same, and *message_id gets result.message_id (0 if none). */
enum api_status tg_parse_sent(const char *body, size_t len,
    struct api_error *err, int64_t *message_id);

/*
 * Renders a reply as one or more sendMessage bodies (split at TG_TEXT_MAX on
 * line boundaries, HTML-escaped, options as inline buttons on the last part;
 * an empty text is sent as "…"). Calls emit(body, arg) for each, or for
 * none when a part escaped would pass BUF_CAP_REPLY (logged): never a part
 * of a reply.
 */
void tg_render(const struct conv_reply *r, const char *chat_id,
    void (*emit)(const char *body, void *arg), void *arg);
/* A plain text message (notices); same splitting and escaping. */
void tg_render_text(const char *text, const char *chat_id,
    void (*emit)(const char *body, void *arg), void *arg);
void tg_answer_callback(const char *callback_id, struct buf *out);
/* getChatMember for user_id in chat_id: the request body, and the
 * answer's status ("member", "left", "kicked", …; a restricted user who is
 * not a member, or "user not found", reads as "left"). */
void tg_chat_member_request(const char *chat_id, const char *user_id,
    struct buf *out);
enum api_status tg_parse_chat_member(const char *body, size_t len,
    struct api_error *err, char *status, size_t n);
/*
 * The hand-off's messages (platform.h): a card's sendMessage bodies (plain
 * text, split like tg_render_text, reply_parameters on the first part, an
 * inline keyboard on the last); a copyMessage and an editMessageText body
 * (the method is returned).
 */
void tg_render_card(const struct platform_card *c,
    void (*emit)(const char *body, void *arg), void *arg);
const char *tg_copy_request(const char *chat_id, const char *from_chat,
    int64_t message_id, int64_t reply_to, const char *caption,
    struct buf *out);
const char *tg_edit_request(const char *chat_id, int64_t message_id,
    const char *text, struct buf *out);

#endif
