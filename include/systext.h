/*
 * systext: the bot's own sentences that are said outside a guide (the
 * media and flood notices, the warning after a one-time code, the hotlines
 * out of hours), read from knowledge/system.txt so an admin edits them and
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

/* The sentence for id (one of the above); never NULL. */
const char *systext(const struct kb *kb, const char *id);

/* Errors for each sentence dir/system.txt lacks (called by kb_load). */
void systext_check(const struct kb *kb, const char *dir, struct diag *d);
/* 1 with a warning when dir has no system.txt, else 0. Not kb_load's: a
 * test's directory goes without; `check`, serve and chat say it. */
int systext_absent(const char *dir, struct diag *d);

#endif
