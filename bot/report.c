#include "report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "buf.h"
#include "report_int.h"
#include "util.h"

/* ---- dates ---- */

long
report_parse_date(const char *s)
{
	return date_parse(s);
}

void
report_format_date(long day, char out[11])
{
	int y, m, d;

	date_civil(day, &y, &m, &d);
	/* the modulos tell the compiler it fits (years 2000..9999 anyway) */
	snprintf(out, 11, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    (unsigned)m % 100u, (unsigned)d % 100u);
}

/* Vietnamese weekday: Thứ Hai is T2 … Chủ nhật is CN. */
const char *
report_weekday(long day)
{
	static const char *const names[] = { "CN", "T2", "T3", "T4", "T5",
		"T6", "T7" };
	long w = (day + 4) % 7;         /* 1970-01-01 was a Thursday */

	return names[w < 0 ? w + 7 : w];
}


/* ---- residents' text, made safe to show ---- */

/* Length of the valid UTF-8 sequence at p (its code point in *cp), or 0. */
static size_t
utf8_seq(const unsigned char *p, uint32_t *cp)
{
	size_t n, i;
	uint32_t c;

	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	}
	if (p[0] >= 0xC2 && p[0] <= 0xDF) {
		n = 2;
		c = p[0] & 0x1F;
	} else if (p[0] >= 0xE0 && p[0] <= 0xEF) {
		n = 3;
		c = p[0] & 0x0F;
	} else if (p[0] >= 0xF0 && p[0] <= 0xF4) {
		n = 4;
		c = p[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;       /* also stops at the terminating NUL */
		c = (c << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10FFFF)) ||
	    (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return n;
}

/* Characters that could move the admin's cursor, recolour the terminal
 * (C0/C1 controls, ESC) or reorder the line (bidi controls). */
static bool
is_blank(uint32_t c)
{
	return c <= 0x20 || c == 0x7F || (c >= 0x80 && c <= 0xA0) ||
	    (c >= 0x2028 && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069) ||
	    c == 0x200E || c == 0x200F || c == 0xFEFF;
}

/*
 * A stored text for display: one line with single spaces, no controls,
 * invalid UTF-8 shown as U+FFFD, cut after max characters with "…". The
 * database holds whatever residents typed (redacted), escape codes included.
 */
char *
report_clean_text(const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)s;
	struct buf b;
	size_t nch = 0;
	bool gap = false;

	buf_init(&b, BUF_CAP_TEXT);
	while (*p) {
		uint32_t c;
		size_t n = utf8_seq(p, &c);

		if (n == 0) {
			c = 0xFFFD;
			n = 1;
		}
		if (is_blank(c)) {
			gap = true;
			p += n;
			continue;
		}
		if (nch + (gap && b.len) >= max) {
			buf_adds(&b, "…");
			break;
		}
		if (gap && b.len) {
			buf_addc(&b, ' ');
			nch++;
		}
		gap = false;
		if (c == 0xFFFD && n == 1)
			buf_adds(&b, "\xEF\xBF\xBD");
		else
			buf_add(&b, p, n);
		nch++;
		p += n;
	}
	return buf_take(&b);
}


/* ---- shared wording ---- */

/* "90 phút (1 giờ 30 phút)": whole minutes, and hours/days when long. */
void
report_duration(double min, char *out, size_t n)
{
	long m = (long)(min + 0.5);

	if (min < 0.5)
		snprintf(out, n, "dưới 1 phút");
	else if (m < 60)
		snprintf(out, n, "%ld phút", m);
	else if (m < 24 * 60)
		snprintf(out, n, "%ld phút (%ld giờ %02ld phút)", m, m / 60, m % 60);
	else
		snprintf(out, n, "%ld phút (%ld ngày %ld giờ)", m, m / 1440,
		    m % 1440 / 60);
}

size_t
report_singles(const struct report *r)
{
	size_t i, n = 0;

	for (i = 0; i < r->ngroups; i++)
		n += r->groups[i].n == 1;
	return n;
}

size_t
report_singles_shown(const struct report *r, const struct report_group **v)
{
	size_t i, n = 0;

	for (i = 0; i < r->ngroups && n < SINGLES_SHOWN; i++)
		if (r->groups[i].n == 1)
			v[n++] = &r->groups[i];
	return n;
}

const struct report_day *
report_busiest(const struct report *r)
{
	const struct report_day *b = NULL;
	size_t i;

	for (i = 0; i < r->ndays; i++)
		if (!b || r->days[i].n > b->n)
			b = &r->days[i];
	return b;
}

int
report_day_parts(const struct report_day *d, int part[4])
{
	part[0] = d->answered;
	part[1] = d->unsure;
	part[2] = d->unanswered;
	part[3] = d->n - d->answered - d->unsure - d->unanswered;
	if (part[3] < 0)
		part[3] = 0;
	return part[0] + part[1] + part[2] + part[3];
}
