/*
 * platform: what the daemon asks of a messaging platform, one entry each
 * (in the spirit of tmux's cmd_entry): parse its updates and its send
 * results, render a reply, build a getUpdates request and a send URL, and
 * what it can do. The adapters (tg.c, zalo.c) stay pure functions; this
 * table is the one place that names them.
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

typedef void platform_emit(const char *body, void *arg);

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
	/* getUpdates' request body */
	void (*poll_request)(int64_t offset, int timeout, struct buf *out);
	/* A webhook push as getUpdates would have answered it; -1 if the
	 * body is not a JSON object. */
	int (*wrap_push)(const char *body, size_t len, struct buf *out);
};

enum { PLATFORM_TELEGRAM, PLATFORM_ZALO, PLATFORM_COUNT };

extern const struct platform platforms[PLATFORM_COUNT];

/* The entry's index for a store name, -1 if none. */
int platform_find(const char *name);
/* The entry for a store name; Telegram's for a name of none (the outbox
 * and the tickets only hold names of this table). */
const struct platform *platform_of_name(const char *name);

#endif
