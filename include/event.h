/*
 * event: what an adapter makes of one incoming update, platform-neutral.
 * The conversation side (daemon.c, ingest.c, handoff.c) never sees
 * platform JSON.
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

/* Frees what the event owns (its text); the struct itself is the caller's. */
void event_release(struct event *e);

#endif
