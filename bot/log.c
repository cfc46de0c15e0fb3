#include "log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "util.h"

#define MAX_SECRETS 16
/* a token cut off by a length limit is masked from this many characters */
#define PARTIAL_MIN 8

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

static void
add_secret(const char *s, size_t n)
{
	if (n < 4 || nsecrets == MAX_SECRETS)
		return;
	secrets[nsecrets++] = xstrndup(s, n);
}

void
log_add_secret(const char *s)
{
	const char *colon;

	if (!s)
		return;
	add_secret(s, strlen(s));
	/* "123456:ABC…": the part after the bot id is the secret on its own */
	colon = strchr(s, ':');
	if (colon && strlen(colon + 1) >= PARTIAL_MIN)
		add_secret(colon + 1, strlen(colon + 1));
}

void
log_clear_secrets(void)
{
	size_t i;

	/* wiped before free: a token should not linger in freed memory */
	for (i = 0; i < nsecrets; i++)
		str_wipe_free(&secrets[i]);
	nsecrets = 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
hex2(const char *p)
{
	int a = hexval((unsigned char)p[0]), b = a < 0 ? -1 :
	    hexval((unsigned char)p[1]);

	return b < 0 ? -1 : a * 16 + b;
}

/*
 * One character of p as an API, a proxy or a JSON encoder may have spelled
 * it: %3A or %3a, %253A (encoded twice), \u003a, \\u003a (JSON in JSON),
 * &#58; or &#x3a;, or itself. Sets *c; returns the bytes it took.
 */
static size_t
unit(const char *p, int *c)
{
	int v;

	if (p[0] == '%' && p[1] == '2' && p[2] == '5' && (v = hex2(p + 3)) >= 0) {
		*c = v;
		return 5;
	}
	if (p[0] == '%' && (v = hex2(p + 1)) >= 0) {
		*c = v;
		return 3;
	}
	if (p[0] == '\\' && p[1] == 'u' && p[2] == '0' && p[3] == '0' &&
	    (v = hex2(p + 4)) >= 0) {
		*c = v;
		return 6;
	}
	if (p[0] == '\\' && p[1] == '\\' && p[2] == 'u' && p[3] == '0' &&
	    p[4] == '0' && (v = hex2(p + 5)) >= 0) {
		*c = v;
		return 7;
	}
	if (p[0] == '&' && p[1] == '#') {
		size_t i = p[2] == 'x' || p[2] == 'X' ? 3 : 2;
		int base = i == 3 ? 16 : 10, d;

		for (v = 0; i < 8 && (d = hexval((unsigned char)p[i])) >= 0 &&
		    d < base; i++)
			v = v * base + d;
		if (p[i] == ';' && i > (base == 16 ? 3u : 2u)) {
			*c = v;
			return i + 1;
		}
	}
	*c = (unsigned char)p[0];
	return 1;
}

/* How many bytes from p spell sec (cut short only by the end); 0 if none. */
static size_t
spells(const char *p, const char *sec)
{
	size_t used = 0, j;

	for (j = 0; sec[j]; j++) {
		int c;

		if (!p[used])
			return j >= PARTIAL_MIN ? used : 0;
		used += unit(p + used, &c);
		if (c != (unsigned char)sec[j])
			return 0;
	}
	return used;
}

void
log_mask(const char *s, struct buf *out)
{
	size_t i = 0, k, n;

	while (s[i]) {
		for (k = 0, n = 0; k < nsecrets && !n; k++)
			n = spells(s + i, secrets[k]);
		if (n) {
			buf_adds(out, "<token>");
			i += n;
		} else {
			buf_addc(out, s[i++]);
		}
	}
}

static const char *const names[] = { "debug", "info", "warn", "error" };

void
log_msg(enum log_level l, const char *fmt, ...)
{
	struct buf b, m, out;
	va_list ap;
	char ts[32];
	time_t now = time(NULL);
	struct tm tm;
	size_t i;

	if (l < level)
		return;
	buf_init(&b, 64 * 1024);
	buf_init(&out, 256 * 1024);
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	buf_init(&m, 64 * 1024);
	log_mask(b.data, &m);
	gmtime_r(&now, &tm);
	strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
	buf_printf(&out, "%s %s: ", ts, names[l]);
	for (i = 0; i < m.len; i++) {
		unsigned char c = (unsigned char)m.data[i];

		if (c < 0x20 || c == 0x7f)
			buf_printf(&out, "\\x%02x", c);
		else
			buf_addc(&out, (char)c);
	}
	buf_addc(&out, '\n');
	if (buf_failed(&b) || buf_failed(&m) || buf_failed(&out)) {
		/* never a piece of the line (the cut could fall inside a
		 * secret): what was being logged, by its format */
		buf_reset(&out);
		buf_printf(&out, "%s %s: a message over %zu bytes was not "
		    "written (\"%s\")\n", ts, names[l], b.cap, fmt);
	}
	fputs(out.data, stderr);
	buf_release(&b);
	buf_release(&m);
	buf_release(&out);
}
