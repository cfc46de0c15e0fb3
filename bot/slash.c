/*
 * slash: commands as residents and staff type them ("/start vneid-install",
 * "/nhan@HoidapBot #12"), read in one place for the conversation and the
 * hand-off.
 */
#include "slash.h"

#include <string.h>

static int
cmd_char(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

static int
cmd_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

int
slash_parse(const char *text, struct slash_cmd *c)
{
	const unsigned char *p, *q;
	int64_t v = 0;
	size_t n;

	memset(c, 0, sizeof(*c));
	if (!text || text[0] != '/' || !cmd_char((unsigned char)text[1]))
		return 0;
	for (p = (const unsigned char *)text + 1, n = 0; cmd_char(*p); p++, n++)
		if (n < sizeof(c->name) - 1)
			c->name[n] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
	/* a longer word is no command of ours, not one cut to fit */
	if (n >= sizeof(c->name))
		memset(c->name, 0, sizeof(c->name));
	if (*p == '@' && cmd_char(p[1])) {
		for (q = p + 1, n = 0; cmd_char(*q); q++, n++)
			if (n < sizeof(c->bot) - 1)
				c->bot[n] = (char)*q;
		if (n >= sizeof(c->bot))        /* no bot has such a name */
			memset(c->name, 0, sizeof(c->name));
		p = q;
	}
	/* whatever separates the case from the command: "/chuyen\nbà Tư…" */
	while (cmd_space(*p))
		p++;
	c->rest = (const char *)p;
	q = p + (*p == '#');
	for (n = 0; *q >= '0' && *q <= '9' && n < 16; q++, n++)
		v = v * 10 + (*q - '0');
	/* "12", "#12", "12." — not "12abc", and 15 digits at most */
	if (n && n <= 15 && !cmd_char(*q))
		c->arg = v;
	return 1;
}
