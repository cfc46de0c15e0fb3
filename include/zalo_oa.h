/*
 * zalo_oa: the Zalo Official Account (OA API v3) adapter. Like tg.c and
 * zalo.c it does no I/O: webhook bodies in, events out; replies in,
 * POST /v3.0/oa/message/cs bodies out; plus the event signature and the
 * OAuth token reply. Wiring (webhook ingress, sends, refresh) is the
 * daemon's.
 *
 * What is known, and how well (searched 2026-12-01, see the README):
 * - X-ZEvent-Signature is SHA-256 over app id + raw body + the body's
 *   "timestamp" + OA secret key (not the app secret), hex, and Zalo gives
 *   the webhook about 2 s to answer 200 [3P: hainh.me "Zalo API PHP
 *   webhook callback official account", the same text on tinhoc88.com;
 *   code that strips a "mac=" prefix first].
 * - A cs text is at most 2,000 characters [3P: esms.vn's wrapper of the
 *   cs text message; openzalo's OPENZALO_TEXT_LIMIT = 2000].
 * - Error -216 from the OpenAPI means the access token is invalid or
 *   expired [3P: many independent clients refresh and retry on it; no
 *   primary table found].
 * - 8 free replies within 48 h of the resident's latest message; the
 *   allowance resets when the resident writes again; the 9th, or anything
 *   after 48 h, is a proactive message [V: Zalo's OA help centre,
 *   zalooa.freshdesk.com article 64000261136 "Các loại tin của Zalo
 *   Official Account (OA)"].
 * - A send counts as a reply only if it carries the resident's message_id:
 *   "Nếu tin gửi đi có chỉ user_id và không có message_id thì tin sẽ được
 *   tính là tin chủ động" [V: the same help centre, article 64000263278
 *   "Vì sao tôi không thể gửi tin phản hồi qua ứng dụng thứ 3?"]. It says
 *   "kèm" (alongside): we keep user_id and add the message_id.
 * - Where it goes: recipient.message_id = the msg_id of the user_send_*
 *   webhook, on the same POST /v3.0/oa/message/cs, "tối đa 8 lệnh trong
 *   48h cho 1 tin nhắn đến" [3P: a third-party OA API notes file, its
 *   example {"recipient": {"message_id": …}, "message": {"text": …}}].
 *   We name the latest message (the window we count is the latest one's);
 *   a follow has none, so a reply to a resident who only followed goes
 *   with user_id alone. Whether Zalo refuses a body with both, or with a
 *   message_id of another user, is not known.
 */
#ifndef HOIDAP_ZALO_OA_H
#define HOIDAP_ZALO_OA_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "buf.h"
#include "conv.h"
#include "event.h"

#define ZALO_OA_TEXT_MAX 2000           /* characters (code points) */
#define ZALO_OA_FREE_REPLIES 8          /* per window */
#define ZALO_OA_WINDOW_MS (48LL * 3600 * 1000)
#define ZALO_OA_ERR_INVALID_TOKEN (-216)
/*
 * Signatures older than this are refused. Zalo retries an unanswered
 * push for up to about an hour [3P], with the event's own timestamp, so a
 * tighter window would refuse honest retries; a replay inside it is
 * caught by the msg_id dedupe anyway.
 */
#define ZALO_OA_SIG_MAX_AGE_MS (2LL * 3600 * 1000)
#define ZALO_OA_SIG_MAX_AHEAD_MS (5LL * 60 * 1000)     /* clock skew */
/* Refresh the access token this long before it expires. */
#define ZALO_OA_REFRESH_AHEAD_MS (5LL * 60 * 1000)

#define ZALO_OA_SEND_PATH "/v3.0/oa/message/cs"
#define ZALO_OA_TOKEN_PATH "/v4/oa/access_token"

enum zalo_oa_sig {
	ZOA_SIG_OK,
	ZOA_SIG_MISSING,        /* no header, or no timestamp to sign */
	ZOA_SIG_BAD,            /* wrong, or not a SHA-256 in hex */
	ZOA_SIG_STALE,          /* right, but too old or too far ahead */
};

/*
 * Checks an X-ZEvent-Signature header ("mac=<hex>" or bare hex) against
 * the raw body, in constant time; then the body's timestamp (ms) against
 * now_ms. header may be NULL.
 */
enum zalo_oa_sig zalo_oa_verify(const char *header, const char *body,
    size_t len, const char *app_id, const char *oa_secret, int64_t now_ms);

/*
 * Parses one webhook body. API_OK with:
 * - user_send_text: EV_TEXT;
 * - user_send_image/gif/sticker/file/audio/video/location/link/…:
 *   EV_MEDIA, ev->media "photo", "sticker", "file", …, the caption as text;
 * - follow: EV_TEXT "/start", so the welcome menu goes out;
 * - anything else (unfollow, the OA's own oa_send_* echoes, seen and
 *   received receipts, group events): EV_IGNORE.
 * update_id is the message's msg_id, or for events without one (or with
 * one too long for it) a key built from the event, the user and the
 * timestamp, joined by colons. API_MALFORMED for
 * anything that is not an event object, or a user event without a user.
 */
enum api_status zalo_oa_parse_event(const char *body, size_t len,
    struct event *ev, struct api_error *err);

/* Renders a reply as cs bodies, options as numbered text (as zalo.c). */
void zalo_oa_render(const struct conv_reply *r, const char *user_id,
    void (*emit)(const char *body, void *arg), void *arg);
void zalo_oa_render_text(const char *text, const char *user_id,
    void (*emit)(const char *body, void *arg), void *arg);
/*
 * Same, but at most max_msgs bodies (the replies the window has left):
 * if the text needs more, the last one is cut to make room for a note
 * asking the resident to write again. Returns the count emitted.
 */
int zalo_oa_render_text_max(const char *text, const char *user_id,
    int max_msgs, void (*emit)(const char *body, void *arg), void *arg);
/*
 * The last reply the window allows, from a cs body of ours: its text cut
 * to leave room for a note (more: the reply had further parts, the note
 * asks to write again for the rest; else it says the OA can only answer
 * once the resident writes), as a cs body in out. -1 if body is not one.
 */
int zalo_oa_last_body(const char *body, int more, struct buf *out);
/* How many cs bodies text needs. */
int zalo_oa_parts(const char *text);

/*
 * The resident's message an event is: its msg_id (the update_id), NULL
 * for an event without one (follow), whose update_id is a key built with
 * colons, or one too long to keep whole.
 */
const char *zalo_oa_msg_id(const struct event *ev);
/*
 * A cs body of ours as a reply to the resident's message msg_id:
 * recipient.message_id beside user_id (replacing one already there),
 * into out. -1 if body is not one of ours or msg_id is NULL or "".
 */
int zalo_oa_reply_to(const char *body, const char *msg_id, struct buf *out);

/*
 * A cs send's answer {"error":0,"message":"Success","data":{"message_id"}}
 * (HTTP 200 even for errors). API_ERROR with err->code the (negative)
 * OA error; msg_id (may be NULL) gets data.message_id.
 */
enum api_status zalo_oa_parse_sent(const char *body, size_t len,
    struct api_error *err, char *msg_id, size_t n);
/* The error says the access token is invalid or expired: refresh, retry once. */
int zalo_oa_token_invalid(const struct api_error *err);

struct zalo_oa_token {
	char *access;           /* owned; wiped by zalo_oa_token_release */
	char *refresh;          /* the NEW refresh token: the old one is spent */
	int64_t expires_in;     /* seconds */
};

/*
 * The token endpoint's answer {"access_token","refresh_token",
 * "expires_in"} (expires_in a number or a numeric string). API_ERROR when
 * it says {"error":N,...}: the refresh token was refused. The caller must
 * commit t->refresh to the store before using t->access.
 */
enum api_status zalo_oa_parse_token(const char *body, size_t len,
    struct zalo_oa_token *t, struct api_error *err);
void zalo_oa_token_release(struct zalo_oa_token *t);
/* The form body: app_id=…&grant_type=refresh_token&refresh_token=… */
void zalo_oa_token_form(const char *app_id, const char *refresh,
    struct buf *out);
/* 1 while an access token expiring at expires_at_ms needs no refresh. */
int zalo_oa_token_fresh(int64_t expires_at_ms, int64_t now_ms);
/* Hex SHA-256 of the configured refresh token: tells the store whether
 * the operator put a new one in the configuration. out: 65 bytes. */
void zalo_oa_seed(const char *refresh, char out[65]);

/*
 * Free replies left: ZALO_OA_FREE_REPLIES - sent while now_ms is within
 * ZALO_OA_WINDOW_MS of the resident's last message (last_in_ms), else 0.
 * last_in_ms 0 (never wrote) gives 0: never proactive.
 */
int zalo_oa_replies_left(int64_t last_in_ms, int sent, int64_t now_ms);

#endif
