#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "util.h"

#define MAX_SECRETS 8

static enum log_level level = LOG_INFO;
static char *secrets[MAX_SECRETS];
static size_t nsecrets;

void
log_set_level(enum log_level l)
{
	level = l;
}

int
log_enabled(enum log_level l)
{
	return l >= level;
}

void
log_add_secret(const char *s)
{
	if (!s || strlen(s) < 4 || nsecrets == MAX_SECRETS)
		return;
	secrets[nsecrets++] = xstrdup(s);
}

void
log_clear_secrets(void)
{
	size_t i;

	for (i = 0; i < nsecrets; i++) {
		/* wipe before free: the token should not linger in freed memory */
		memset(secrets[i], 0, strlen(secrets[i]));
		free(secrets[i]);
	}
	nsecrets = 0;
}

static const char *const names[] = { "debug", "info", "warn", "error" };

void
log_msg(enum log_level l, const char *fmt, ...)
{
	struct buf b, out;
	va_list ap;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i, k;

	if (l < level)
		return;
	buf_init(&b, 64 * 1024);
	buf_init(&out, 256 * 1024);
	va_start(ap, fmt);
	(void)buf_vprintf(&b, fmt, ap);
	va_end(ap);
	for (k = 0; k < nsecrets; k++) {
		char *p;
		size_t sl = strlen(secrets[k]);

		while ((p = strstr(b.data, secrets[k])) != NULL) {
			memset(p, '*', sl);
			if (sl > 6)
				memcpy(p, "<token>", 7), memset(p + 7, '*', sl - 7);
		}
	}
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	(void)buf_printf(&out, "%s %s: ", ts, names[l]);
	for (i = 0; i < b.len; i++) {
		unsigned char c = (unsigned char)b.data[i];

		if (c == '*' && i + 1 < b.len && b.data[i + 1] == '*')
			continue;       /* collapse the mask */
		if (c < 0x20 || c == 0x7f)
			(void)buf_printf(&out, "\\x%02x", c);
		else
			(void)buf_addc(&out, (char)c);
	}
	(void)buf_addc(&out, '\n');
	fputs(out.data, stderr);
	buf_release(&b);
	buf_release(&out);
}
