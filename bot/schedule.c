#include "schedule.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "util.h"

/* How a session line is written, in every hint about one. */
#define FORMAT_HINT "mỗi buổi một dòng 'năm-tháng-ngày | giờ bắt đầu-giờ " \
	"kết thúc | địa điểm | nội dung', ví dụ '2026-12-05 | 08:00-11:00 | " \
	"Nhà văn hoá tổ dân phố 5 | Cài VNeID'"
#define EN_DASH "\xE2\x80\x93"
/* How the shipped examples are marked, folded: "[VÍ DỤ]", "[vi du]". */
#define SAMPLE_MARK "[vi du]"

struct schedule {
	struct schedule_session *v;
	size_t n, alloc;
	char *contact;
	int contact_line;
};

static const char *const weekday_vn[] = {
	"Chủ Nhật", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu",
	"Thứ Bảy",
};

/* Strict YYYY-MM-DD, the same rule as `reviewed:` in topic files. */
static bool
parse_date(const char *s, int *y, int *m, int *d)
{
	long days = date_parse(s);

	if (days < 0)
		return false;
	date_civil(days, y, m, d);
	return true;
}

int
schedule_weekday(const char *iso)
{
	/* Sakamoto's method: no locale, no time_t, valid for any Gregorian
	 * date, so a session far ahead gets the right day name. */
	static const int t[] = { 0, 3, 2, 5, 0, 3, 5, 1, 4, 6, 2, 4 };
	int y, m, d;

	if (!iso || !parse_date(iso, &y, &m, &d))
		return -1;
	y -= m < 3;
	return (y + y / 4 - y / 100 + y / 400 + t[m - 1] + d) % 7;
}

/*
 * One clock time at *pp: "8:00", "08:00", or the "8h00"/"8h" clerks often
 * write. Advances *pp past it; minutes after midnight or -1.
 */
static int
parse_clock(const char **pp)
{
	const char *p = *pp;
	int h = 0, m = 0, nd = 0;

	while (isdigit((unsigned char)*p) && nd < 2) {
		h = h * 10 + (*p++ - '0');
		nd++;
	}
	if (!nd || isdigit((unsigned char)*p))
		return -1;
	if (*p == ':' || *p == 'h' || *p == 'H') {
		bool need = *p == ':';

		p++;
		if (isdigit((unsigned char)p[0])) {
			if (!isdigit((unsigned char)p[1]) || isdigit((unsigned char)p[2]))
				return -1;
			m = (p[0] - '0') * 10 + (p[1] - '0');
			p += 2;
		} else if (need) {
			return -1;
		}
	} else {
		return -1;
	}
	if (h > 23 || m > 59)
		return -1;
	*pp = p;
	return h * 60 + m;
}

/* "08:00-11:00" (spaces and an en dash allowed) -> start, end; -1 if bad. */
static int
parse_hours(const char *s, int *start, int *end)
{
	const char *p = s;

	*start = parse_clock(&p);
	if (*start < 0)
		return -1;
	while (*p == ' ')
		p++;
	if (*p == '-')
		p++;
	else if (strncmp(p, EN_DASH, 3) == 0)
		p += 3;         /* a dash Word or a phone keyboard put in */
	else
		return -1;
	while (*p == ' ')
		p++;
	*end = parse_clock(&p);
	return *end < 0 || *p ? -1 : 0;
}

/* "HH:MM" as clock_hhmm() gives it; minutes or -1. */
static int
parse_now(const char *s)
{
	const char *p = s;
	int t;

	if (!s || strlen(s) != 5 || s[2] != ':')
		return -1;
	t = parse_clock(&p);
	return *p ? -1 : t;
}

static void
date_hint(struct diag *d, const char *path, int line, const char *val)
{
	char iso[11];

	if (!*val) {
		diag_error(d, path, line, "buổi này chưa có ngày" DIAG_FIX "%s",
		    FORMAT_HINT);
		return;
	}
	/* Clerks write dates the Vietnamese way; spell out the conversion
	 * when it gives a real date. */
	if (diag_iso_date(val, iso)) {
		diag_error(d, path, line, "ngày '%s' viết chưa đúng cách" DIAG_FIX
		    "viết năm-tháng-ngày: '%s'", val, iso);
		return;
	}
	diag_error(d, path, line, "ngày '%s' không đọc được" DIAG_FIX "viết "
	    "năm-tháng-ngày bằng số, ví dụ '2026-12-05'", val);
}

/* Does a field carry the example mark? */
static bool
is_sample(const char *field)
{
	char *f = text_pattern_fold(field), *c;
	bool hit;

	for (c = f; c && *c; c++)
		*c = (char)tolower((unsigned char)*c);
	hit = f && strstr(f, SAMPLE_MARK) != NULL;
	free(f);
	return hit;
}

/* A "date | hours | place | what" line; bad fields are all reported. */
static void
session_line(struct schedule *s, const char *path, int lineno, char *line,
    struct diag *d)
{
	char *f[5], *p = line;
	size_t nf = 0;
	struct schedule_session ss = { .line = lineno };
	int y, m, dd;
	bool ok = true;

	while (nf < ARRAY_SIZE(f) && p)
		f[nf++] = str_trim(strsep(&p, "|"));
	if (p || nf > 4) {
		diag_error(d, path, lineno, "dòng này có quá nhiều dấu '|' (tối đa "
		    "3, giữa 4 phần)" DIAG_FIX "%s; trong địa điểm hay nội dung "
		    "dùng dấu phẩy thay cho '|'", FORMAT_HINT);
		return;
	}
	if (!parse_date(f[0], &y, &m, &dd)) {
		date_hint(d, path, lineno, f[0]);
		ok = false;
	}
	if (!*f[1]) {
		diag_error(d, path, lineno, "buổi này chưa có giờ" DIAG_FIX "%s",
		    FORMAT_HINT);
		ok = false;
	} else if (parse_hours(f[1], &ss.start, &ss.end) < 0) {
		diag_error(d, path, lineno, "giờ '%s' không đọc được" DIAG_FIX
		    "viết giờ bắt đầu-giờ kết thúc, ví dụ '08:00-11:00' hoặc "
		    "'8h-11h30'", f[1]);
		ok = false;
	} else if (ss.end <= ss.start) {
		diag_error(d, path, lineno, "giờ kết thúc %d:%02d không sau giờ "
		    "bắt đầu %d:%02d" DIAG_FIX "viết giờ bắt đầu trước, giờ kết "
		    "thúc sau, theo 24 giờ (2 giờ chiều là 14:00)", ss.end / 60,
		    ss.end % 60, ss.start / 60, ss.start % 60);
		ok = false;
	}
	if (nf < 3 || !*f[2]) {
		diag_error(d, path, lineno, "buổi này chưa có địa điểm" DIAG_FIX
		    "%s", FORMAT_HINT);
		ok = false;
	}
	if (!ok)
		return;
	if (is_sample(f[2]) || (nf > 3 && is_sample(f[3]))) {
		/* an example uncommented by mistake: a resident would walk to it */
		diag_error(d, path, lineno, "dòng này là buổi mẫu (có chữ '[VÍ DỤ]'), "
		    "không phải lịch thật: người dân sẽ tưởng là buổi hỗ trợ thật"
		    DIAG_FIX "ghi ngày, giờ, địa điểm thật của phường (bỏ chữ '[VÍ "
		    "DỤ]'), hoặc để lại dấu # ở đầu dòng");
		return;
	}
	memcpy(ss.date, f[0], sizeof(ss.date));
	ss.place = xstrdup(f[2]);
	ss.what = xstrdup(nf > 3 ? f[3] : "");
	s->v = xgrow(s->v, &s->alloc, s->n + 1, sizeof(*s->v));
	s->v[s->n++] = ss;
}

static void
key_line(struct schedule *s, const char *path, int lineno, const char *key,
    char *val, struct diag *d)
{
	static const char *const keys[] = { "contact" };
	char *f;
	bool lien_he;

	f = text_fold_phrase(key);
	lien_he = f && strcmp(f, "lien he") == 0;
	free(f);
	if (strcmp(key, "contact") != 0 &&
	    (lien_he || diag_nearest(key, keys, 1))) {
		diag_error(d, path, lineno, "không có khoá '%s:'" DIAG_FIX "viết "
		    "'contact: %s'", key, val);
		key = "contact";        /* read as meant: one error, not two */
	} else if (strcmp(key, "contact") != 0) {
		diag_error(d, path, lineno, "không có khoá '%s:': khoá duy nhất "
		    "là 'contact:' (nơi liên hệ)" DIAG_FIX "%s; ghi chú thì thêm "
		    "dấu '#' ở đầu dòng", key, FORMAT_HINT);
		return;
	}
	if (s->contact) {
		diag_error(d, path, lineno, "'contact:' ghi hai lần (lần đầu ở dòng "
		    "%d)" DIAG_FIX "giữ một dòng, xoá dòng còn lại", s->contact_line);
		return;
	}
	if (!*val) {
		diag_error(d, path, lineno, "dòng 'contact:' trống" DIAG_FIX "ghi "
		    "nơi người dân hỏi được, ví dụ 'contact: bộ phận một cửa UBND "
		    "phường, 024 3xxx xxxx', hoặc xoá dòng này");
		return;
	}
	s->contact = xstrdup(val);
	s->contact_line = lineno;
}

/* A "key: value" line is one whose key has no digit: "08:00" is not. */
static bool
looks_like_key(const char *line, const char *colon)
{
	const char *p;

	if (colon == line || colon - line > 40)
		return false;
	for (p = line; p < colon; p++)
		if (isdigit((unsigned char)*p))
			return false;
	return true;
}

static int
session_cmp(const void *a, const void *b)
{
	const struct schedule_session *x = a, *y = b;
	int c = strcmp(x->date, y->date);

	if (c)
		return c;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->line < y->line ? -1 : x->line > y->line;
}

static bool
is_upcoming(const struct schedule_session *ss, const char *today, int now)
{
	int c = strcmp(ss->date, today);

	return c > 0 || (c == 0 && ss->end > now);
}

static void
warn_if_nothing_ahead(const struct schedule *s, const char *path,
    const char *today, const char *now, struct diag *d)
{
	int y, m, dd, t = parse_now(now);
	size_t i;

	if (!today || !parse_date(today, &y, &m, &dd) || t < 0)
		return;
	for (i = 0; i < s->n; i++)
		if (is_upcoming(&s->v[i], today, t))
			return;
	if (!s->n)
		diag_warn(d, path, 0, "lịch chưa có buổi hỗ trợ nào: người dân hỏi "
		    "lịch sẽ được báo là chưa có lịch và được chỉ nơi liên hệ"
		    DIAG_FIX "khi phường có lịch thật, ghi %s", FORMAT_HINT);
	else
		diag_warn(d, path, 0, "không còn buổi hỗ trợ nào sắp tới (buổi cuối "
		    "là ngày %s): người dân hỏi lịch sẽ được báo là chưa có lịch"
		    DIAG_FIX "ghi thêm các buổi tiếp theo, %s", s->v[s->n - 1].date,
		    FORMAT_HINT);
}

struct schedule *
schedule_parse(const char *path, const char *data, size_t len,
    const char *today, const char *now, struct diag *d)
{
	struct schedule *s;
	char *copy, *p, *line;
	int lineno = 0;

	if (memchr(data, '\0', len)) {
		diag_error(d, path, 0, "đây không phải tệp chữ (có dữ liệu nhị "
		    "phân)" DIAG_FIX "schedule.txt là tệp chữ: soạn lại bằng "
		    "Notepad, %s", FORMAT_HINT);
		return NULL;
	}
	if (diag_utf8(d, path, data, len) < 0)
		return NULL;
	s = xcalloc(1, sizeof(*s));
	copy = xstrndup(data, len);
	p = copy;
	if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;         /* Notepad's byte-order mark */
	while ((line = strsep(&p, "\n")) != NULL) {
		char *colon;

		lineno++;
		line = str_trim(line);
		if (!*line || *line == '#')
			continue;
		if (strchr(line, '|')) {
			session_line(s, path, lineno, line, d);
			continue;
		}
		colon = strchr(line, ':');
		if (colon && looks_like_key(line, colon)) {
			*colon = '\0';
			key_line(s, path, lineno, str_trim(line), str_trim(colon + 1), d);
			continue;
		}
		diag_error(d, path, lineno, "dòng này không phải một buổi (thiếu "
		    "dấu '|' giữa các phần)" DIAG_FIX "%s; ghi chú thì thêm dấu '#' "
		    "ở đầu dòng", FORMAT_HINT);
	}
	free(copy);
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), session_cmp);
	warn_if_nothing_ahead(s, path, today, now, d);
	return s;
}

struct schedule *
schedule_load(const char *path, const char *today, const char *now,
    struct diag *d)
{
	struct buf b;
	struct schedule *s;

	if (diag_read_file(d, path, &b, false) < 0)
		return NULL;
	s = schedule_parse(path, b.data, b.len, today, now, d);
	buf_release(&b);
	return s;
}

void
schedule_free(struct schedule *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		free(s->v[i].place);
		free(s->v[i].what);
	}
	free(s->v);
	free(s->contact);
	free(s);
}

size_t
schedule_count(const struct schedule *s)
{
	return s ? s->n : 0;
}

const struct schedule_session *
schedule_session(const struct schedule *s, size_t i)
{
	return s && i < s->n ? &s->v[i] : NULL;
}

const char *
schedule_contact(const struct schedule *s)
{
	return s ? s->contact : NULL;
}

int
schedule_upcoming(const struct schedule *s, const char *today,
    const char *now, size_t max, struct buf *out)
{
	int y, m, dd, t = parse_now(now), shown = 0;
	size_t i;

	if (!today || !parse_date(today, &y, &m, &dd) || t < 0)
		return -1;
	for (i = 0; s && i < s->n && (size_t)shown < max; i++) {
		const struct schedule_session *ss = &s->v[i];
		const char *iso = ss->date;
		int rc;

		if (!is_upcoming(ss, today, t))
			continue;
		/* Elderly readers: the day's name first, the date as they write
		 * it, hours without a leading zero, "today" said outright. */
		rc = buf_printf(out, "%s- %s%s %.2s/%.2s/%.4s, %d:%02d" EN_DASH
		    "%d:%02d: %s", shown ? "\n" : "",
		    strcmp(iso, today) == 0 ? "Hôm nay, " : "",
		    weekday_vn[schedule_weekday(iso)], iso + 8, iso + 5, iso,
		    ss->start / 60, ss->start % 60, ss->end / 60, ss->end % 60,
		    ss->place);
		if (rc == 0 && *ss->what)
			rc = buf_printf(out, " (%s)", ss->what);
		if (rc < 0)
			return -1;
		shown++;
	}
	return shown;
}

int
schedule_reply(const struct schedule *s, const char *today, const char *now,
    size_t max, struct buf *out)
{
	const char *contact = schedule_contact(s);
	struct buf list;
	int n, rc;

	buf_init(&list, BUF_CAP_REPLY);
	n = schedule_upcoming(s, today, now, max, &list);
	if (n < 0) {
		rc = -1;
	} else if (n > 0) {
		rc = buf_printf(out, "📅 Lịch hỗ trợ trực tiếp sắp tới:\n%s",
		    list.data);
		if (rc == 0 && contact)
			rc = buf_printf(out, "\nLiên hệ: %s", contact);
	} else {
		/* The bot only knows what the ward wrote down: it says it has no
		 * date, not that none exists, and whom to ask. */
		rc = buf_adds(out, "Dạ, hiện cháu chưa có lịch buổi hỗ trợ trực "
		    "tiếp nào sắp tới của phường ạ.\n");
		if (rc == 0 && contact)
			rc = buf_printf(out, "Để biết buổi gần nhất, bác liên hệ: %s%s",
			    contact, contact[strlen(contact) - 1] == '.' ? "" : ".");
		else if (rc == 0)
			rc = buf_adds(out, "Để biết buổi gần nhất, bác hỏi tổ trưởng "
			    "tổ dân phố, hoặc bộ phận một cửa UBND phường ạ.");
	}
	buf_release(&list);
	return rc < 0 ? -1 : 0;
}
