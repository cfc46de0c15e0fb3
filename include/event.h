/*
 * event: what an adapter makes of one incoming update, platform-neutral.
 * The conversation side (serve.c) never sees platform JSON.
 */
#ifndef HOIDAP_EVENT_H
#define HOIDAP_EVENT_H

#include <stddef.h>
#include <stdint.h>

enum event_kind {
	EV_TEXT,                /* a text message */
	EV_CALLBACK,            /* a button press (Telegram) */
	EV_MEDIA,               /* photo, voice, sticker, document, … */
	EV_IGNORE,              /* an update we do not act on */
};

struct event {
	char update_id[48];     /* dedupe key, unique per platform */
	enum event_kind kind;
	char chat_id[48];
	int is_group;
	char user_id[48];
	char first_name[260];    /* 64 characters of any script */
	char *text;             /* text, caption or callback data; owned */
	char callback_id[96];
	char media[24];         /* "photo", "voice", … */
	int forwarded;
	int64_t message_id;     /* the message (for callbacks: the one with the button) */
	int64_t reply_to;       /* message_id it replies to (Telegram), or 0 */
	int64_t date_ms;        /* when the resident sent it, 0 if unknown */
	/* a group became a supergroup: the old and the new chat id */
	char moved_from[48];
	char moved_to[48];
};

void event_release(struct event *e);

/*
 * An API response: ok, or an error with its code and hints. Malformed JSON
 * (truncated, not an object, no "ok") is API_MALFORMED, never a crash.
 */
enum api_status { API_OK, API_ERROR, API_MALFORMED };

struct api_error {
	int code;               /* error_code, else the HTTP status */
	int retry_after;        /* seconds, 0 if none */
	int64_t migrate_to;     /* Telegram supergroup migration, 0 if none */
	char desc[256];
};

/* bot/api.c: shared by the adapters. A cJSON root is returned on API_OK and
 * API_ERROR (free it), NULL on API_MALFORMED. */
struct cJSON;
enum api_status api_envelope(const char *body, size_t len, struct cJSON **root,
    struct api_error *err);
const char *api_jstr(const struct cJSON *o, const char *k);
/* A JSON number as an integer when it is one Telegram could send (|x| <
 * 2^53, not NaN); else 0. Casting 1e300 to an integer is undefined. */
int64_t api_int(const struct cJSON *v);
/* A string or numeric id as text; -1 if absent. */
int api_jid(const struct cJSON *o, const char *k, char *out, size_t n);

#endif
