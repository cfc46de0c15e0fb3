/*
 * systext: the bot's own sentences that are said outside a guide (the
 * media and flood notices, the warning after a one-time code, the hotlines
 * out of hours, what a resident reads of a hand-off), read from
 * knowledge/system.txt so an admin edits them and
 * `check` sees them. A knowledge base with a system.txt must hold every
 * one (an error names the missing one); a directory without system.txt
 * (a test's) gets a short stand-in.
 */
#ifndef HOIDAP_SYSTEXT_H
#define HOIDAP_SYSTEXT_H

#include "diag.h"
#include "kb.h"

#define SYSTEXT_MEDIA "sys.media"       /* media the bot cannot read */
#define SYSTEXT_FLOOD "sys.flood"       /* too many messages too fast */
#define SYSTEXT_SECRET "sys.secret"     /* after a redacted OTP, password… */
#define SYSTEXT_HOTLINES "sys.hotlines" /* out of hours: whom to call */
/* A hand-off as the resident reads it; {name}s filled in (systext_fill) */
#define SYSTEXT_HANDOFF_MEDIA "sys.handoff_media"   /* before the wait */
#define SYSTEXT_HANDOFF_WAIT "sys.handoff_wait"     /* {phieu} {cho} */
#define SYSTEXT_HANDOFF_AFTER_HOURS "sys.handoff_after_hours" \
	/* {phieu} {gio} {batdau}; sys.hotlines follows */
#define SYSTEXT_HANDOFF_CLAIMED "sys.handoff_claimed" /* {ten} */
#define SYSTEXT_HANDOFF_DONE "sys.handoff_done"     /* {phieu}; 👍/👎 */
#define SYSTEXT_FEEDBACK_THANKS "sys.feedback_thanks"
#define SYSTEXT_FEEDBACK_SORRY "sys.feedback_sorry"
#define SYSTEXT_STAFF_ONLY "sys.staff_only"         /* {lenh} {ai} */

/* A value for {name} in a sentence. */
struct systext_var {
	const char *name;
	const char *value;
};

/* The sentence for id (one of the above); never NULL. */
const char *systext(const struct kb *kb, const char *id);

/* Appends the sentence for id to out with each {name} of vars[0..n)
 * replaced by its value (values are not read for names again). */
void systext_fill(const struct kb *kb, const char *id,
    const struct systext_var *vars, size_t n, struct buf *out);

/* Errors for each sentence dir/system.txt lacks, and for a {name} one
 * cannot fill in (called by kb_load). */
void systext_check(const struct kb *kb, const char *dir, struct diag *d);
/* 1 with a warning when dir has no system.txt, else 0. Not kb_load's: a
 * test's directory goes without; `check`, serve and chat say it. */
int systext_absent(const char *dir, struct diag *d);

#endif
