/*
 * platform: what the daemon asks of a messaging platform, one entry each
 * (in the spirit of tmux's cmd_entry): parse its updates and its send
 * results, render a reply, build a getUpdates request and a send URL, the
 * hand-off's cards, copies and edits, and what it can do. The adapters
 * (tg.c, zalo.c, zalo_oa.c) stay pure; this table is the one place that
 * names them.
 */
#ifndef HOIDAP_PLATFORM_H
#define HOIDAP_PLATFORM_H

#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "buf.h"
#include "conv.h"
#include "event.h"

#define PLATFORM_BUTTONS 0x01   /* inline keyboards; button presses answered */
#define PLATFORM_COPY    0x02   /* copyMessage */
#define PLATFORM_EDIT    0x04   /* editMessageText */
#define PLATFORM_OFFSET  0x08   /* getUpdates confirms a batch by offset;
				 * without it an update is handed over once */
#define PLATFORM_CHAT_429 0x10  /* a 429 may be one chat's limit, not the bot's */
#define PLATFORM_SIGNED  0x20   /* pushes are signed (X-ZEvent-Signature),
				 * not authenticated by a secret header */
#define PLATFORM_WINDOW  0x40   /* replies only within a window after the
				 * resident's last message (Zalo OA: 8 in 48 h) */
#define PLATFORM_PUSHED  0x80   /* no getUpdates: events come by webhook only */

typedef void platform_emit(const char *body, void *arg);

/*
 * One send's HTTP request, filled by prepare_send: what the outbox row
 * says (base, method) in, the URL and the one header it adds out. header
 * may carry a secret (the OA's access token): wiped after use, never
 * logged.
 */
struct platform_send {
	const char *base;       /* Telegram/Zalo Bot: <api>/bot<token>; OA: <api> */
	const char *method;     /* the outbox row's: sendMessage, … */
	const char *token;      /* OA: the access token; else NULL */
	char url[4096];
	char header[2048];      /* "Name: value", or "" */
};

/* A button: what it says, and what a press hands back (callback data). */
struct platform_button {
	const char *label;
	const char *data;
};

/*
 * A message with buttons (a ticket's card, a reminder, the feedback
 * question): plain text, not read for markup, split like any reply.
 */
struct platform_card {
	const char *chat_id;
	const char *text;
	int64_t reply_to;       /* under this message (the first part); 0 none */
	const struct platform_button *buttons;  /* on the last part */
	size_t nbuttons;
	size_t per_row;         /* buttons side by side; 0 reads as 1 */
};

struct platform {
	const char *name;               /* as in the store: "telegram" */
	unsigned int caps;
	const char *secret_header;      /* webhook pushes carry the secret */
	/*
	 * getUpdates' answer: *ev (malloc'd, n of them; free it and release
	 * each) and the offset that confirms them (-1: nothing to confirm).
	 */
	enum api_status (*parse_updates)(const char *body, size_t len,
	    struct event **ev, size_t *n, int64_t *next_offset,
	    struct api_error *err);
	/* A send's answer; *message_id 0 when it names none. */
	enum api_status (*parse_sent)(const char *body, size_t len,
	    struct api_error *err, int64_t *message_id);
	void (*render)(const struct conv_reply *r, const char *chat_id,
	    platform_emit *emit, void *arg);
	void (*render_text)(const char *text, const char *chat_id,
	    platform_emit *emit, void *arg);
	/* getUpdates' request body; NULL with PLATFORM_PUSHED */
	void (*poll_request)(int64_t offset, int timeout, struct buf *out);
	/* A webhook push as getUpdates would have answered it; -1 if the
	 * body is not a JSON object. */
	int (*wrap_push)(const char *body, size_t len, struct buf *out);
	/* The webhook path ("/zalo-oa"); NULL: "/" and the name. */
	const char *webhook_path;
	/* A send's URL and extra header; 0, or -1 if it cannot go
	 * (no token yet, a method the platform does not have). */
	int (*prepare_send)(struct platform_send *s);
	/*
	 * The hand-off (handoff.c), so it writes no platform's JSON. Each is
	 * NULL where caps lack it (render_card: PLATFORM_BUTTONS, its parts
	 * sent with sendMessage like render's; copy: PLATFORM_COPY; edit:
	 * PLATFORM_EDIT). copy and edit fill *out with a request body and
	 * return the method to post it to. label: the name volunteers read on
	 * a card ("Zalo", "Zalo OA").
	 */
	void (*render_card)(const struct platform_card *c, platform_emit *emit,
	    void *arg);
	/* message_id of from_chat into chat_id; caption NULL keeps its own */
	const char *(*copy)(const char *chat_id, const char *from_chat,
	    int64_t message_id, int64_t reply_to, const char *caption,
	    struct buf *out);
	/* message_id's text becomes text (plain) */
	const char *(*edit)(const char *chat_id, int64_t message_id,
	    const char *text, struct buf *out);
	const char *label;
	/* PLATFORM_BUTTONS (else NULL): the answer to a button press (it
	 * stops the button's spinner); returns the method */
	const char *(*answer_press)(const char *callback_id, struct buf *out);
};

enum { PLATFORM_TELEGRAM, PLATFORM_ZALO, PLATFORM_ZALO_OA, PLATFORM_COUNT };

extern const struct platform platforms[PLATFORM_COUNT];

/* The entry's index for a store name, -1 if none. */
int platform_find(const char *name);
/* The entry's index for a webhook path ("/telegram", "/zalo-oa"), -1 if none. */
int platform_find_path(const char *path);
/* The entry for a store name; Telegram's for a name of none (the outbox
 * and the tickets only hold names of this table). */
const struct platform *platform_of_name(const char *name);

#endif
