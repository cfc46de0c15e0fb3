/*
 * handoff: the people behind the bot. Tickets open when a resident asks for
 * a person, when the bot fell back twice in a row, or when a resident sends
 * a photo, voice note or document; a card goes to the volunteers' Telegram
 * group, a volunteer claims it, replies to the card reach the resident on
 * their platform, and the bot keeps quiet for that resident until the
 * ticket is resolved. Volunteers forward hard cases from the field (tier 2,
 * for the admins). Everything here runs inside the daemon's transaction
 * for the update, and only writes to the store (outbox included).
 */
#ifndef HOIDAP_HANDOFF_H
#define HOIDAP_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "conv.h"
#include "event.h"
#include "kb.h"
#include "store.h"

struct handoff {
	struct store *st;
	struct kb *kb;
	const struct config *cfg;
	int64_t recv_us;        /* when the update arrived (latency) */
	int want_reload;        /* set by /tailai from an admin */
	int rc;                 /* -1 once a store write failed */
	/*
	 * Asks Telegram for user_id's status in the volunteers' group
	 * (getChatMember): 0 with status filled ("member", "left", …), or -1
	 * when it cannot tell. NULL: nobody to ask, every check fails.
	 */
	int (*member)(void *arg, const char *user_id, char *status, size_t n);
	void *member_arg;
};

/*
 * Roles, from the configuration and the volunteers seen in the group.
 * Admins and the configured volunteers are trusted as configured. Anyone
 * else is a volunteer while they are in the group: known so from their
 * last message there, or from Telegram once that is older than
 * member_check_seconds; leaving the group ends the role. Returns 1 yes,
 * 0 no, -1 cannot tell now (Telegram did not answer): privileged actions
 * are then refused (fail closed).
 */
int handoff_is_admin(const struct handoff *h, const char *user_id);
int handoff_is_volunteer(struct handoff *h, const char *user_id);
int handoff_is_group(const struct handoff *h, const char *platform,
    const char *chat_id);

/*
 * /id from anyone: the sender's user id and the chat id, so an admin can
 * fill admins and volunteer_chat. For groups other than the volunteers'
 * (where the bot does not chat otherwise); private chats and the
 * volunteers' group get it from handoff_staff and handoff_group. Returns 1
 * if it was /id (for this bot) and was answered.
 */
int handoff_whoami(struct handoff *h, const char *platform,
    const struct event *ev);

/* An update from the volunteers' group: claims, replies, commands
 * (/nhan, /xong, /hangdoi; /tailai and /thongke for admins; /id). */
void handoff_group(struct handoff *h, const struct event *ev);

/*
 * Staff commands in a private chat (/nhan, /xong, /hangdoi, /chuyen;
 * /tailai and /thongke for admins; /id for anyone) and messages a
 * volunteer forwards. Returns 1 if the event was a
 * staff action and is fully handled.
 */
int handoff_staff(struct handoff *h, const char *platform,
    const struct event *ev, const char *redacted);

/* 👍/👎 after a resolved ticket. Returns 1 if handled; a 👍/👎 button
 * press is handled (1) even when no ticket is left to rate. */
int handoff_feedback(struct handoff *h, const char *platform,
    const struct event *ev);

/* The resident has an open ticket: relay the message to the group instead
 * of answering (at once, or held while the group's queue is busy, see
 * handoff_flush). Returns 1 if relayed. */
int handoff_relay_resident(struct handoff *h, const char *platform,
    const struct event *ev, const char *redacted);

/*
 * Periodic (about every second): sends what relay_resident held back while
 * the group's queue was busy, one ticket's worth at a time, once the
 * queue is free (or the oldest row waited a minute: then into the busy
 * queue). Returns 1 if it queued something. handoff_held() says if
 * anything is held (1, else 0; -1 when the store cannot tell), cheaply,
 * without a transaction.
 */
int handoff_flush(struct handoff *h);
int handoff_held(struct handoff *h);

/*
 * After the engine answered: why the message calls for a person, or NULL.
 * "media" (a photo, a voice note, a document; ev NULL for typed text),
 * "asked" (the reply is the hand-off guide), "fallback" (the second in a
 * row). Pure: the console says so where the daemon opens a ticket.
 */
const char *handoff_reason(const struct event *ev, const struct conv_reply *r,
    const struct conv_state *cs);

/*
 * Opens a ticket for handoff_reason(), unless the chat has one already or
 * there is no volunteers' group. Returns the ticket id, or 0.
 */
int64_t handoff_maybe_open(struct handoff *h, const char *platform,
    const struct event *ev, const char *redacted, const struct conv_reply *r,
    const struct store_chat *chat);

/* Periodic: re-announce unclaimed tickets, escalate old ones to admins. */
void handoff_cron(struct handoff *h);

/* Tells every admin something (reload errors, escalations). */
void handoff_tell_admins(struct handoff *h, const char *text);

/* Sends plain text to a chat on a platform (residents: rendered for it). */
void handoff_say(struct handoff *h, const char *platform, const char *chat_id,
    const char *text);

/* Why a ticket opened ("asked", "fallback", "media", "forwarded"), in the
 * words of its card and the report; NULL for another reason. */
const char *handoff_reason_text(const char *reason);

/* Is it within the configured support hours now (Asia/Ho_Chi_Minh)? */
int handoff_in_hours(const struct config *cfg, int64_t now_ms);

#endif
