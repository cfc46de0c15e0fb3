/*
 * slash: a command as typed, for both the conversation ("/start
 * vneid-install", "/menu@HoidapBot") and the hand-off ("/nhan 12",
 * "/xong@HoidapBot #12", "/hangdoi 2", "/chuyen <case>", the case perhaps
 * on the next line). Pure.
 */
#ifndef HOIDAP_SLASH_H
#define HOIDAP_SLASH_H

#include <stdint.h>

struct slash_cmd {
	char name[16];          /* lowercased; "" if longer than that, or if
				 * the @mention is longer than a bot's name */
	char bot[33];           /* the @mention, "" if none */
	int64_t arg;            /* the number that follows ("12", "#12"), or 0 */
	const char *rest;       /* the words after the command, in the text */
};

/* 1 if text is a command ("/word…") and *c describes it, else 0. */
int slash_parse(const char *text, struct slash_cmd *c);

#endif
