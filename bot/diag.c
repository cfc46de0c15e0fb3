#include "diag.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "text.h"
#include "util.h"

/* Room kept in text for the line saying the rest is not shown. */
#define DIAG_TAIL 512

/*
 * A message goes in whole or not at all. Past the cap, one last line says
 * the rest is not shown (the counts stay exact), instead of the buffer
 * failing and taking every message before it along (buf.h).
 */
static void
diag_add(struct diag *d, const char *kind, const char *path, int line,
    const char *fmt, va_list ap)
{
	struct buf l;

	if (d->cut)
		return;
	buf_init(&l, BUF_CAP_REPLY);
	if (line > 0)
		buf_printf(&l, "%s:%d: %s", path, line, kind);
	else
		buf_printf(&l, "%s: %s", path, kind);
	buf_vprintf(&l, fmt, ap);
	buf_addc(&l, '\n');
	if (!buf_failed(&l) && d->text.len + l.len <= d->text.cap - DIAG_TAIL) {
		buf_add(&d->text, l.data, l.len);
	} else {
		d->cut = true;
		buf_printf(&d->text, "%.200s: %s%s\n", path, kind, d->en ?
		    "too many messages: the rest are not shown" :
		    "quá nhiều thông báo, phần sau không hiện" DIAG_FIX
		    "sửa các lỗi trên rồi chạy lại 'hoidap check'");
	}
	buf_release(&l);
}

void
diag_init(struct diag *d)
{
	d->nerr = d->nwarn = 0;
	d->en = false;
	d->cut = false;
	buf_init(&d->text, 4 * 1024 * 1024);
}

void
diag_release(struct diag *d)
{
	buf_release(&d->text);
}

void
diag_error(struct diag *d, const char *path, int line, const char *fmt, ...)
{
	va_list ap;

	d->nerr++;
	va_start(ap, fmt);
	diag_add(d, d->en ? "" : DIAG_ERROR_LABEL, path, line, fmt, ap);
	va_end(ap);
}

void
diag_warn(struct diag *d, const char *path, int line, const char *fmt, ...)
{
	va_list ap;

	d->nwarn++;
	va_start(ap, fmt);
	diag_add(d, d->en ? "warning: " : DIAG_WARN_LABEL, path, line, fmt, ap);
	va_end(ap);
}

bool
diag_line_is_warning(const char *line)
{
	return strstr(line, ": " DIAG_WARN_LABEL) != NULL ||
	    strstr(line, ": warning: ") != NULL;
}

/* Optimal string alignment distance, ASCII case folded; stops above max. */
static size_t
distance(const char *a, const char *b, size_t max)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t d[3][33], *prev2 = d[0], *prev = d[1], *cur = d[2], *tmp;

	if (la > 32 || lb > 32)
		return max + 1;
	if ((la > lb ? la - lb : lb - la) > max)
		return max + 1;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t v = prev[j - 1] + (ca != cb);

			if (prev[j] + 1 < v)
				v = prev[j] + 1;
			if (cur[j - 1] + 1 < v)
				v = cur[j - 1] + 1;
			if (i > 1 && j > 1 && ca == tolower((unsigned char)b[j - 2]) &&
			    tolower((unsigned char)a[i - 2]) == cb &&
			    prev2[j - 2] + 1 < v)
				v = prev2[j - 2] + 1;
			cur[j] = v;
		}
		tmp = prev2;
		prev2 = prev;
		prev = cur;
		cur = tmp;
	}
	return prev[lb];
}

const char *
diag_nearest(const char *word, const char *const *cand, size_t n)
{
	const char *best = NULL;
	size_t i, bd = (size_t)-1;

	for (i = 0; i < n; i++) {
		size_t len = strlen(cand[i]) > strlen(word) ? strlen(cand[i]) :
		    strlen(word);
		/* short words: one slip; "see" is not two letters from "set" */
		size_t max = len <= 4 ? 1 : 2;
		size_t dd = distance(word, cand[i], max);

		if (dd <= max && dd < bd) {
			best = cand[i];
			bd = dd;
		}
	}
	return best;
}

bool
diag_iso_date(const char *s, char out[11])
{
	int a, b, c, n = 0, y, m, d;
	char s1, s2, tmp[40];

	if (sscanf(s, "%4d%c%2d%c%4d%n", &a, &s1, &b, &s2, &c, &n) != 5 ||
	    s[n] != '\0' || s1 != s2 || !strchr("/-.", s1))
		return false;
	if (a >= 1000) {
		y = a;
		m = b;
		d = c;
	} else {
		d = a;
		m = b;
		y = c;
	}
	if (y < 1000 || y > 9999 || m < 1 || m > 12 || d < 1 || d > 31)
		return false;
	snprintf(tmp, sizeof(tmp), "%04d-%02d-%02d", y, m, d);
	memcpy(out, tmp, 11);
	return date_parse(out) >= 0;
}

const char *
diag_strerror(int e)
{
	switch (e) {
	case ENOENT:
		return "không có tệp hoặc thư mục này";
	case EACCES:
	case EPERM:
		return "không có quyền đọc";
	case EISDIR:
		return "đây là thư mục, không phải tệp";
	case ENOTDIR:
		return "không phải thư mục";
	case EFBIG:
	case EMSGSIZE:
		return "tệp quá lớn";
	default:
		return strerror(e);
	}
}

int
diag_utf8(struct diag *d, const char *path, const char *data, size_t len)
{
	long bad = text_utf8_invalid(data, len), i;
	int line = 1;

	if (bad < 0)
		return 0;
	for (i = 0; i < bad; i++)
		if (data[i] == '\n')
			line++;
	diag_error(d, path, line, "tệp không lưu dạng UTF-8, chữ có dấu ở "
	    "dòng này bị hỏng" DIAG_FIX DIAG_UTF8_FIX);
	return -1;
}

int
diag_read_file(struct diag *d, const char *path, struct buf *b,
    bool missing_ok)
{
	int e;

	buf_init(b, BUF_CAP_FILE);
	if (buf_read_file(b, path) == 0)
		return 0;
	e = errno;
	if (e != ENOENT || !missing_ok)
		diag_error(d, path, 0, "không đọc được tệp: %s" DIAG_FIX "kiểm tra "
		    "quyền đọc của tệp", diag_strerror(e));
	buf_release(b);
	errno = e;
	return -1;
}
