/*
 * libFuzzer: the staff command parser ("/nhan 12", "/xong@HoidapBot #12",
 * "/hangdoi 2", "/chuyen\n<case>"). Any bytes: no crash, and what it
 * reports stays inside the text and within its documented shape.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "slash.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct slash_cmd c;
	char *s = malloc(size + 1);
	size_t i;

	if (!s)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	if (slash_parse(s, &c)) {
		size_t len = strlen(s);

		if (s[0] != '/' || c.rest < s || c.rest > s + len)
			abort();
		if (c.arg < 0 || c.arg > 999999999999999LL)
			abort();
		for (i = 0; c.name[i]; i++)
			if (!((c.name[i] >= 'a' && c.name[i] <= 'z') ||
			    (c.name[i] >= '0' && c.name[i] <= '9') ||
			    c.name[i] == '_'))
				abort();
		if (strlen(c.name) >= sizeof(c.name) ||
		    strlen(c.bot) >= sizeof(c.bot))
			abort();
		/* a number is only ever read from the start of the rest */
		if (c.arg && !((c.rest[0] >= '1' && c.rest[0] <= '9') ||
		    c.rest[0] == '0' || c.rest[0] == '#'))
			abort();
	} else if (size && s[0] == '/' && s[1] &&
	    (s[1] == '_' || (s[1] >= 'a' && s[1] <= 'z') ||
	    (s[1] >= 'A' && s[1] <= 'Z') || (s[1] >= '0' && s[1] <= '9'))) {
		abort();        /* "/word…" is always a command */
	}
	free(s);
	return 0;
}
