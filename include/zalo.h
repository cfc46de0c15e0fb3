/*
 * zalo: the Zalo Bot Platform adapter. getUpdates returns one update per
 * call (not an array), "no message" is error 408, ids are strings, dates are
 * milliseconds, text is at most 2,000 characters, and there are no keyboards,
 * so options become numbered text.
 */
#ifndef HOIDAP_ZALO_H
#define HOIDAP_ZALO_H

#include <stddef.h>

#include "api.h"
#include "conv.h"
#include "event.h"

#define ZALO_TEXT_MAX 2000

/*
 * Parses a getUpdates response: API_OK with *got = 1 and *ev filled, or
 * API_OK with *got = 0 when Zalo said "no message" (408).
 */
enum api_status zalo_parse_update(const char *body, size_t len,
    struct event *ev, int *got, struct api_error *err);
enum api_status zalo_parse_response(const char *body, size_t len,
    struct api_error *err);
void zalo_render(const struct conv_reply *r, const char *chat_id,
    void (*emit)(const char *body, void *arg), void *arg);
void zalo_render_text(const char *text, const char *chat_id,
    void (*emit)(const char *body, void *arg), void *arg);

/*
 * What the Zalo OA adapter shares with this one: its replies are the same
 * numbered text (neither has buttons) in another body.
 */
typedef void zalo_text_renderer(const char *text, const char *chat_id,
    void (*emit)(const char *body, void *arg), void *arg);
/* r as text (conv_render_text), handed to render_text; a reply over the
 * buffer's cap is logged under name and not sent. */
void zalo_render_via(const struct conv_reply *r, const char *chat_id,
    const char *name, zalo_text_renderer *render_text,
    void (*emit)(const char *body, void *arg), void *arg);
/* Prints o, hands the text to emit, and deletes o. */
struct cJSON;
void zalo_emit_json(struct cJSON *o, void (*emit)(const char *body,
    void *arg), void *arg);

#endif
