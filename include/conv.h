/*
 * conv: the one conversation engine. (chat state, incoming text) -> (new
 * state, reply). Every front end — console chat, `hoidap ask`, and the
 * messaging adapters — calls conv_handle() and only renders the reply:
 * options become numbered text here (console, Zalo) or buttons (Telegram).
 *
 * State is a plain value (no pointers) so the store can save it as is.
 */
#ifndef HOIDAP_CONV_H
#define HOIDAP_CONV_H

#include <stdbool.h>

#include "buf.h"
#include "kb.h"
#include "match.h"

#define CONV_ID_MAX 64
#define CONV_MAX_OPT 9
#define CONV_MAX_PARTS 3        /* questions read out of one message */

struct conv_state {
	char topic[CONV_ID_MAX];        /* guide being read, "" if none */
	int page;                       /* page of it last shown */
	int nmenu;                      /* options a digit answers */
	char menu[CONV_MAX_OPT][CONV_ID_MAX];
	int fallbacks;                  /* consecutive fallbacks */
};

enum conv_kind {
	CONV_ANSWER,            /* a topic's page */
	CONV_CLARIFY,           /* "did you mean" */
	CONV_FALLBACK,          /* nothing fits */
	CONV_MENU,              /* main menu */
	CONV_NOTICE,            /* "tiếp" past the end, digit out of range */
};

struct conv_option {
	char topic[CONV_ID_MAX];
	const char *title;      /* owned by the kb */
};

struct conv_reply {
	enum conv_kind kind;
	const struct kb_topic *topic;   /* answered topic, if any */
	struct match_result match;      /* when the text went to the matcher */
	bool matched;
	bool handoff;                   /* the resident asked for a person */
	struct buf text;                /* body, without the options */
	struct conv_option opt[CONV_MAX_OPT];
	int nopt;
	bool more;                      /* the guide continues on "tiếp" */
};

void conv_state_init(struct conv_state *s);
void conv_reply_init(struct conv_reply *r);
void conv_reply_release(struct conv_reply *r);

/* Handles one message; r must be initialised and is overwritten. */
void conv_handle(struct kb *kb, struct conv_state *s, const char *msg,
    struct conv_reply *r);
/* Opens a topic directly (deep links, menu digits). -1 if unknown. */
int conv_open(struct kb *kb, struct conv_state *s, const char *topic_id,
    struct conv_reply *r);

/* A notice (media we cannot read, flood) that still offers a person. */
void conv_notice(struct kb *kb, struct conv_state *s, const char *text,
    struct conv_reply *r);

/*
 * Renders body plus numbered options as plain text (console, Zalo); -1 if
 * out went past its cap: it failed, and nothing of it may be sent.
 */
int conv_render_text(const struct conv_reply *r, struct buf *out);

/* What the message log records for a reply of this kind, from the daemon
 * and the console alike (the report counts them): a menu is an answer. */
const char *conv_action(enum conv_kind k);

#endif
