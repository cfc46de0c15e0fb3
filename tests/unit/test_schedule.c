/* schedule.c: knowledge/schedule.txt, its diagnostics, the upcoming list,
 * and the hook that puts it in front of the support-point answer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "clock.h"
#include "conv.h"
#include "diag.h"
#include "kb.h"
#include "schedule.h"
#include "testutil.h"
#include "util.h"         /* ARRAY_SIZE */

#define P "sched.txt"

/* A parse from memory with its diagnostics. */
struct ps {
	struct diag d;
	struct schedule *s;
};

static void
ps_open(struct ps *p, const char *text, const char *today, const char *now)
{
	diag_init(&p->d);
	p->s = schedule_parse(P, text, strlen(text), today, now, &p->d);
}

static void
ps_close(struct ps *p)
{
	schedule_free(p->s);
	diag_release(&p->d);
}

static void
set_now(const char *hhmm)
{
	if (hhmm)
		setenv("HOIDAP_NOW", hhmm, 1);
	else
		unsetenv("HOIDAP_NOW");
}

static int
setup(void **state)
{
	(void)state;
	tu_set_today(TU_TODAY);
	set_now("08:00");
	return 0;
}

static void
assert_has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle))
		fail_msg("text lacks \"%s\":\n%s", needle, hay);
}

static void
assert_lacks(const char *hay, const char *needle)
{
	if (strstr(hay, needle))
		fail_msg("text should not have \"%s\":\n%s", needle, hay);
}

static void
assert_starts(const char *hay, const char *prefix)
{
	if (strncmp(hay, prefix, strlen(prefix)) != 0)
		fail_msg("text does not start with \"%s\":\n%s", prefix, hay);
}

/* ---- parsing ---- */

static void
test_parse_valid(void **state)
{
	struct ps p;
	const struct schedule_session *ss;

	(void)state;
	ps_open(&p,
	    "\xEF\xBB\xBF# lịch mẫu\r\n"
	    "\r\n"
	    "contact:  Bộ phận một cửa UBND phường \r\n"
	    "2026-12-12 | 08:00-11:00 | Nhà văn hoá tổ dân phố 3 | Cài VNeID\r\n"
	    "   # an indented comment\n"
	    "2026-12-05|14:00 - 16:30|Hội trường UBND phường\n"
	    "2026-12-05 | 8h-9h30 | Nhà văn hoá tổ dân phố 5, ngõ 12 | iHanoi; "
	    "người cao tuổi\n"
	    "2026-12-05 | 7:30 \xE2\x80\x93 8:15 | Sân tổ 9 |   \n",
	    TU_TODAY, "08:00");
	assert_non_null(p.s);
	assert_int_equal(p.d.nerr, 0);
	assert_int_equal(p.d.nwarn, 0);
	assert_string_equal(schedule_contact(p.s), "Bộ phận một cửa UBND phường");
	assert_int_equal(schedule_count(p.s), 4);
	/* sorted by date, then start time, whatever the file order */
	ss = schedule_session(p.s, 0);
	assert_string_equal(ss->date, "2026-12-05");
	assert_int_equal(ss->start, 7 * 60 + 30);
	assert_int_equal(ss->end, 8 * 60 + 15);
	assert_string_equal(ss->place, "Sân tổ 9");
	assert_string_equal(ss->what, "");
	assert_int_equal(ss->line, 8);
	ss = schedule_session(p.s, 1);
	assert_int_equal(ss->start, 8 * 60);
	assert_int_equal(ss->end, 9 * 60 + 30);
	assert_string_equal(ss->place, "Nhà văn hoá tổ dân phố 5, ngõ 12");
	assert_string_equal(ss->what, "iHanoi; người cao tuổi");
	ss = schedule_session(p.s, 2);
	assert_int_equal(ss->start, 14 * 60);
	assert_string_equal(ss->place, "Hội trường UBND phường");
	assert_string_equal(ss->what, "");
	assert_int_equal(ss->line, 6);
	ss = schedule_session(p.s, 3);
	assert_string_equal(ss->date, "2026-12-12");
	assert_string_equal(ss->what, "Cài VNeID");
	assert_int_equal(ss->line, 4);
	assert_null(schedule_session(p.s, 4));
	ps_close(&p);
}

static void
test_parse_empty_and_null(void **state)
{
	struct ps p;

	(void)state;
	ps_open(&p, "# chưa có lịch\n\n", TU_TODAY, "08:00");
	assert_non_null(p.s);
	assert_int_equal(p.d.nerr, 0);
	assert_int_equal(schedule_count(p.s), 0);
	assert_null(schedule_contact(p.s));
	ps_close(&p);
	assert_int_equal(schedule_count(NULL), 0);
	assert_null(schedule_session(NULL, 0));
	assert_null(schedule_contact(NULL));
	schedule_free(NULL);
}

/* ---- diagnostics: one per problem, as path:line ---- */

static void
test_errors(void **state)
{
	struct ps p;

	(void)state;
	ps_open(&p,
	    "# line 1\n"
	    "05/12/2026 | 08:00-11:00 | Nhà văn hoá\n"              /* 2 */
	    "2026-02-30 | 08:00-11:00 | Nhà văn hoá\n"              /* 3 */
	    "2026-12-05 | 8 giờ sáng | Nhà văn hoá\n"               /* 4 */
	    "2026-12-05 | 11:00-08:00 | Nhà văn hoá\n"              /* 5 */
	    "2026-12-05 | 08:00-08:00 | Nhà văn hoá\n"              /* 6 */
	    "2026-12-05 | 08:00-11:00 |   | Cài VNeID\n"            /* 7 */
	    "2026-12-05 | 08:00-11:00\n"                            /* 8 */
	    "2026-12-05 | 08:00-11:00 | A | B | C\n"                /* 9 */
	    "note: mang căn cước\n"                                 /* 10 */
	    "2026-12-05 08:00-11:00 Nhà văn hoá\n"                  /* 11 */
	    " | 08:00-11:00 | Nhà văn hoá\n"                        /* 12 */
	    "2026-12-05 |  | Nhà văn hoá\n"                         /* 13 */
	    "contact: tổ trưởng\n"                                  /* 14 */
	    "contact: phường\n"                                     /* 15 */
	    "31/02/2026 | 25:00-26:00\n"                            /* 16 */
	    "2026-12-06 | 08:00-11:00 | Nhà văn hoá tổ 5\n",        /* 17: good */
	    TU_TODAY, "08:00");
	assert_non_null(p.s);
	assert_diag_line(&p.d, P ":2: lỗi: ", "ngày '05/12/2026' viết chưa "
	    "đúng cách. Cách sửa: viết năm-tháng-ngày: '2026-12-05'");
	assert_diag_line(&p.d, P ":3: lỗi: ", "ngày '2026-02-30' không đọc "
	    "được. Cách sửa: viết năm-tháng-ngày bằng số, ví dụ '2026-12-05'");
	assert_diag_line(&p.d, P ":4: lỗi: ", "giờ '8 giờ sáng' không đọc "
	    "được. Cách sửa: viết giờ bắt đầu-giờ kết thúc, ví dụ "
	    "'08:00-11:00'");
	assert_diag_line(&p.d, P ":5: lỗi: ",
	    "giờ kết thúc 8:00 không sau giờ bắt đầu 11:00");
	assert_diag_line(&p.d, P ":6: lỗi: ",
	    "giờ kết thúc 8:00 không sau giờ bắt đầu 8:00");
	assert_diag_line(&p.d, P ":7: lỗi: ", "buổi này chưa có địa điểm");
	assert_diag_line(&p.d, P ":8: lỗi: ", "buổi này chưa có địa điểm");
	assert_diag_line(&p.d, P ":9: lỗi: ", "quá nhiều dấu '|'");
	assert_diag_line(&p.d, P ":10: lỗi: ", "không có khoá 'note:': khoá "
	    "duy nhất là 'contact:'");
	assert_diag_line(&p.d, P ":11: lỗi: ", "dòng này không phải một buổi");
	assert_diag_line(&p.d, P ":12: lỗi: ", "buổi này chưa có ngày");
	assert_diag_line(&p.d, P ":13: lỗi: ", "buổi này chưa có giờ");
	assert_diag_line(&p.d, P ":15: lỗi: ", "'contact:' ghi hai lần (lần "
	    "đầu ở dòng 14)");
	/* every problem of one line is reported, not only the first */
	assert_diag_line(&p.d, P ":16: lỗi: ", "ngày '31/02/2026' không đọc "
	    "được");
	assert_diag_line(&p.d, P ":16: lỗi: ", "giờ '25:00-26:00' không đọc "
	    "được");
	assert_diag_line(&p.d, P ":16: lỗi: ", "buổi này chưa có địa điểm");
	assert_int_equal(p.d.nerr, 16);
	assert_diag_vietnamese(&p.d);
	assert_diag_lacks(&p.d, P ":14:");
	assert_diag_lacks(&p.d, P ":17:");
	/* bad lines are skipped, the good one is kept */
	assert_int_equal(schedule_count(p.s), 1);
	assert_int_equal(schedule_session(p.s, 0)->line, 17);
	assert_string_equal(schedule_contact(p.s), "tổ trưởng");
	ps_close(&p);

	ps_open(&p, "contact:\n", TU_TODAY, "08:00");
	assert_diag_line(&p.d, P ":1: lỗi: ", "dòng 'contact:' trống");
	ps_close(&p);

	/* a near key is named, and read as meant: one error, not two */
	ps_open(&p, "Contact: tổ trưởng\nliên hệ: phường\n", TU_TODAY, "08:00");
	assert_diag_line(&p.d, P ":1: lỗi: ", "không có khoá 'Contact:'. Cách "
	    "sửa: viết 'contact: tổ trưởng'");
	assert_diag_line(&p.d, P ":2: lỗi: ", "không có khoá 'liên hệ:'. Cách "
	    "sửa: viết 'contact: phường'");
	assert_diag_line(&p.d, P ":2: lỗi: ", "'contact:' ghi hai lần");
	assert_int_equal(p.d.nerr, 3);
	assert_string_equal(schedule_contact(p.s), "tổ trưởng");
	ps_close(&p);
}

static void
test_bad_times(void **state)
{
	static const char *const bad[] = {
		"8:00-", "-9:00", "8:0-9:00", "8:000-9:00", "08:00-24:00",
		"8h60-9h", "8-9", "8:00 9:00", "8:00-9:00x", "123:00-124:00",
		":-:", "8:00--9:00", "8h00-9h0",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		struct ps p;
		char line[128];

		snprintf(line, sizeof(line), "2026-12-05 | %s | Nhà văn hoá\n",
		    bad[i]);
		ps_open(&p, line, TU_TODAY, "08:00");
		if (p.d.nerr != 1 || !tu_diag_has(&p.d, "không đọc được"))
			fail_msg("'%s': expected one 'không đọc được', got:\n%s",
			    bad[i], p.d.text.data);
		assert_int_equal(schedule_count(p.s), 0);
		ps_close(&p);
	}
}

static void
test_invalid_utf8_and_binary(void **state)
{
	struct ps p;
	struct diag d;
	static const char bin[] = "2026-12-05 | 08:00-11:00 | a\0b\n";

	(void)state;
	/* "Nhà văn hoá" saved as Windows-1258 on line 3 */
	ps_open(&p, "# lịch\n\n2026-12-05 | 08:00-11:00 | Nh\xE0 v\xE3n\n",
	    TU_TODAY, "08:00");
	assert_null(p.s);
	assert_int_equal(p.d.nerr, 1);
	assert_diag_line(&p.d, P ":3: lỗi: ", "tệp không lưu dạng UTF-8");
	ps_close(&p);

	diag_init(&d);
	assert_null(schedule_parse(P, bin, sizeof(bin) - 1, TU_TODAY, "08:00",
	    &d));
	assert_diag_has(&d, P ": lỗi: đây không phải tệp chữ (có dữ liệu nhị "
	    "phân)");
	diag_release(&d);

	diag_init(&d);
	assert_null(schedule_load("/nonexistent/schedule.txt", TU_TODAY,
	    "08:00", &d));
	assert_int_equal(d.nerr, 1);
	assert_diag_has(&d, "/nonexistent/schedule.txt: lỗi: không đọc được "
	    "tệp:");
	diag_release(&d);
}

/* Nothing ahead is worth a warning (not an error); past lines are fine. */
static void
test_no_upcoming_warning(void **state)
{
	struct ps p;

	(void)state;
	ps_open(&p, "2026-11-01 | 08:00-11:00 | Nhà văn hoá\n"
	    "2026-11-28 | 07:00-08:00 | Nhà văn hoá\n", TU_TODAY, "08:00");
	assert_int_equal(p.d.nerr, 0);
	assert_int_equal(p.d.nwarn, 1);
	assert_diag_has(&p.d, P ": cảnh báo: không còn buổi hỗ trợ nào sắp tới "
	    "(buổi cuối là ngày 2026-11-28)");
	assert_diag_vietnamese(&p.d);
	ps_close(&p);

	/* one minute earlier, the 07:00-08:00 session is still on */
	ps_open(&p, "2026-11-28 | 07:00-08:00 | Nhà văn hoá\n", TU_TODAY,
	    "07:59");
	assert_int_equal(p.d.nwarn, 0);
	ps_close(&p);

	ps_open(&p, "# nothing yet\n", TU_TODAY, "08:00");
	assert_int_equal(p.d.nerr, 0);
	assert_diag_has(&p.d, P ": cảnh báo: lịch chưa có buổi hỗ trợ nào");
	assert_diag_has(&p.d, "được báo là chưa có lịch");
	ps_close(&p);

	/* without a clock (NULL) there is nothing to compare with */
	ps_open(&p, "2020-01-01 | 07:00-08:00 | Nhà văn hoá\n", NULL, NULL);
	assert_int_equal(p.d.nerr + p.d.nwarn, 0);
	ps_close(&p);
}

/* ---- the weekday, without locale ---- */

static void
next_day(int *y, int *m, int *d)
{
	static const int md[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int n = md[*m - 1];

	if (*m == 2 && *y % 4 == 0 && (*y % 100 != 0 || *y % 400 == 0))
		n = 29;
	if (++*d > n) {
		*d = 1;
		if (++*m > 12) {
			*m = 1;
			++*y;
		}
	}
}

static void
test_weekday(void **state)
{
	int y = 2000, m = 1, d = 1, wd = 6;     /* 2000-01-01 was a Saturday */
	char iso[40];

	(void)state;
	assert_int_equal(schedule_weekday("2026-11-28"), 6);    /* Thứ Bảy */
	assert_int_equal(schedule_weekday("2026-11-29"), 0);    /* Chủ Nhật */
	assert_int_equal(schedule_weekday("2026-12-09"), 3);
	assert_int_equal(schedule_weekday("2024-02-29"), 4);
	assert_int_equal(schedule_weekday("2027-01-01"), 5);
	assert_int_equal(schedule_weekday("2100-03-01"), 1);
	assert_int_equal(schedule_weekday("2026-02-29"), -1);
	assert_int_equal(schedule_weekday("2100-02-29"), -1);
	assert_int_equal(schedule_weekday("28/11/2026"), -1);
	assert_int_equal(schedule_weekday(""), -1);
	assert_int_equal(schedule_weekday(NULL), -1);
	/* every day of a century, against a plain day count */
	while (y < 2101) {
		snprintf(iso, sizeof(iso), "%04d-%02d-%02d", y, m, d);
		if (schedule_weekday(iso) != wd)
			fail_msg("%s: weekday %d, expected %d", iso,
			    schedule_weekday(iso), wd);
		next_day(&y, &m, &d);
		wd = (wd + 1) % 7;
	}
}

/* ---- the upcoming list ---- */

#define WEEK \
	"contact: tổ trưởng tổ dân phố\n" \
	"2026-11-27 | 08:00-11:00 | Nhà văn hoá tổ 1 | Cài VNeID\n" \
	"2026-11-28 | 08:00-11:00 | Nhà văn hoá tổ 2 | Cài iHanoi\n" \
	"2026-11-28 | 14:00-16:30 | Hội trường UBND phường\n" \
	"2026-12-05 | 08:00-11:00 | Nhà văn hoá tổ dân phố 5, ngõ 12 | " \
	"Cài VNeID, iHanoi; hỗ trợ người cao tuổi\n" \
	"2026-11-29 | 18:30-20:00 | Nhà văn hoá tổ 3\n" \
	"2027-01-09 | 08:00-11:00 | Nhà văn hoá tổ 4\n"

static char *
upcoming(const struct schedule *s, const char *today, const char *now,
    size_t max, int expect)
{
	struct buf b;
	int n;

	buf_init(&b, BUF_CAP_REPLY);
	n = schedule_upcoming(s, today, now, max, &b);
	if (n != expect)
		fail_msg("%s %s max %zu: %d sessions, expected %d:\n%s", today, now,
		    max, n, expect, b.data);
	assert_true(tu_utf8_valid(b.data));
	return buf_take(&b);
}

static void
test_upcoming_format(void **state)
{
	struct ps p;
	char *t;

	(void)state;
	ps_open(&p, WEEK, TU_TODAY, "08:00");
	t = upcoming(p.s, "2026-11-28", "08:00", 10, 5);
	assert_string_equal(t,
	    "- Hôm nay, Thứ Bảy 28/11/2026, 8:00–11:00: Nhà văn hoá tổ 2 "
	    "(Cài iHanoi)\n"
	    "- Hôm nay, Thứ Bảy 28/11/2026, 14:00–16:30: Hội trường UBND phường\n"
	    "- Chủ Nhật 29/11/2026, 18:30–20:00: Nhà văn hoá tổ 3\n"
	    "- Thứ Bảy 05/12/2026, 8:00–11:00: Nhà văn hoá tổ dân phố 5, ngõ 12 "
	    "(Cài VNeID, iHanoi; hỗ trợ người cao tuổi)\n"
	    "- Thứ Bảy 09/01/2027, 8:00–11:00: Nhà văn hoá tổ 4");
	free(t);
	ps_close(&p);
}

static void
test_upcoming_boundaries(void **state)
{
	struct ps p;
	char *t;

	(void)state;
	ps_open(&p, WEEK, TU_TODAY, "08:00");
	/* a session under way is still worth going to */
	t = upcoming(p.s, "2026-11-28", "10:59", 1, 1);
	assert_starts(t, "- Hôm nay, Thứ Bảy 28/11/2026, 8:00–11:00");
	free(t);
	/* at its end time it is over */
	t = upcoming(p.s, "2026-11-28", "11:00", 1, 1);
	assert_starts(t, "- Hôm nay, Thứ Bảy 28/11/2026, 14:00–16:30");
	free(t);
	t = upcoming(p.s, "2026-11-28", "16:30", 1, 1);
	assert_starts(t, "- Chủ Nhật 29/11/2026, 18:30");
	free(t);
	/* late evening: today is done, tomorrow comes first */
	t = upcoming(p.s, "2026-11-28", "23:59", 10, 3);
	assert_starts(t, "- Chủ Nhật 29/11/2026");
	assert_lacks(t, "28/11/2026");
	assert_lacks(t, "Hôm nay");
	free(t);
	/* just after midnight the earlier days are past */
	t = upcoming(p.s, "2026-11-29", "00:00", 10, 3);
	assert_starts(t, "- Hôm nay, Chủ Nhật 29/11/2026, 18:30–20:00");
	assert_lacks(t, "27/11/2026");
	free(t);
	/* the past session of the 27th never shows */
	t = upcoming(p.s, "2026-11-01", "08:00", 10, 6);
	assert_starts(t, "- Thứ Sáu 27/11/2026");
	free(t);
	t = upcoming(p.s, "2027-01-09", "11:00", 10, 0);
	assert_string_equal(t, "");
	free(t);
	t = upcoming(p.s, "2027-02-01", "08:00", 10, 0);
	free(t);
	ps_close(&p);
}

static void
test_upcoming_max_and_args(void **state)
{
	struct ps p;
	struct buf b;
	char *t;

	(void)state;
	ps_open(&p, WEEK, TU_TODAY, "08:00");
	t = upcoming(p.s, "2026-11-28", "08:00", 2, 2);
	assert_has(t, "14:00–16:30");
	assert_lacks(t, "29/11/2026");
	assert_null(strchr(strchr(t, '\n') + 1, '\n'));
	free(t);
	t = upcoming(p.s, "2026-11-28", "08:00", 0, 0);
	assert_string_equal(t, "");
	free(t);
	t = upcoming(NULL, "2026-11-28", "08:00", 5, 0);
	free(t);

	buf_init(&b, BUF_CAP_REPLY);
	assert_int_equal(schedule_upcoming(p.s, "28/11/2026", "08:00", 5, &b), -1);
	assert_int_equal(schedule_upcoming(p.s, "2026-11-28", "8:00", 5, &b), -1);
	assert_int_equal(schedule_upcoming(p.s, "2026-11-28", "24:00", 5, &b), -1);
	assert_int_equal(schedule_upcoming(p.s, NULL, "08:00", 5, &b), -1);
	assert_int_equal(schedule_upcoming(p.s, "2026-11-28", NULL, 5, &b), -1);
	assert_int_equal(b.len, 0);
	/* an output cap that cannot hold the list is an error, not half a list */
	buf_release(&b);
	buf_init(&b, 40);
	assert_int_equal(schedule_upcoming(p.s, "2026-11-28", "08:00", 5, &b), -1);
	buf_release(&b);
	ps_close(&p);
}

static void
test_reply(void **state)
{
	struct ps p;
	struct buf b;

	(void)state;
	buf_init(&b, BUF_CAP_REPLY);
	ps_open(&p, WEEK, TU_TODAY, "08:00");
	assert_int_equal(schedule_reply(p.s, "2026-12-05", "09:00", 5, &b), 0);
	assert_string_equal(b.data,
	    "📅 Lịch hỗ trợ trực tiếp sắp tới:\n"
	    "- Hôm nay, Thứ Bảy 05/12/2026, 8:00–11:00: Nhà văn hoá tổ dân phố 5, "
	    "ngõ 12 (Cài VNeID, iHanoi; hỗ trợ người cao tuổi)\n"
	    "- Thứ Bảy 09/01/2027, 8:00–11:00: Nhà văn hoá tổ 4\n"
	    "Liên hệ: tổ trưởng tổ dân phố");
	buf_reset(&b);
	assert_int_equal(schedule_reply(p.s, "2027-06-01", "09:00", 5, &b), 0);
	/* the bot may not know every session: it says what it has, kindly */
	assert_string_equal(b.data,
	    "Dạ, hiện cháu chưa có lịch buổi hỗ trợ trực tiếp nào sắp tới của "
	    "phường ạ.\n"
	    "Để biết buổi gần nhất, bác liên hệ: tổ trưởng tổ dân phố.");
	ps_close(&p);

	/* a contact that ends its own sentence gets no second full stop */
	ps_open(&p, "contact: tổ trưởng tổ dân phố, 024 3826 0000.\n", TU_TODAY,
	    "08:00");
	buf_reset(&b);
	assert_int_equal(schedule_reply(p.s, "2026-11-28", "09:00", 5, &b), 0);
	assert_has(b.data, "bác liên hệ: tổ trưởng tổ dân phố, 024 3826 0000.");
	assert_lacks(b.data, "..");
	ps_close(&p);

	/* no contact line: the ward's usual desks are named */
	ps_open(&p, "", TU_TODAY, "08:00");
	buf_reset(&b);
	assert_int_equal(schedule_reply(p.s, "2026-11-28", "09:00", 5, &b), 0);
	assert_has(b.data, "chưa có lịch buổi hỗ trợ trực tiếp nào sắp tới");
	assert_has(b.data, "bác hỏi tổ trưởng tổ dân phố, hoặc bộ phận một cửa "
	    "UBND phường ạ.");
	assert_lacks(b.data, "📅");
	buf_reset(&b);
	assert_int_equal(schedule_reply(p.s, "bad", "09:00", 5, &b), -1);
	ps_close(&p);
	buf_release(&b);
}

/* ---- the kb: schedule.txt is not a topic file ---- */

#define SUPPORT \
	"== schedule.support_point\n" \
	"title: Điểm và lịch hỗ trợ của Tổ Chuyển đổi số cộng đồng\n" \
	"keywords: điểm hỗ trợ, lịch hỗ trợ, nhà văn hoá, tổ chuyển đổi số\n" \
	"ask: lịch hỗ trợ ở nhà văn hoá\n" \
	"source: UBND phường\n" \
	"reviewed: 2026-11-01\n" \
	"answer:\n" \
	"Dạ, tổ hỗ trợ ở nhà văn hoá tổ dân phố ạ.\n" \
	"---\n" \
	"Trang hai: mang theo căn cước.\n" \
	"\n" \
	"== vneid.install\n" \
	"title: Cài ứng dụng VNeID\n" \
	"keywords: vneid, cài vneid, tải app\n" \
	"ask: cài vneid thế nào\n" \
	"source: https://vneid.gov.vn\n" \
	"reviewed: 2026-11-01\n" \
	"answer:\n" \
	"1. Mở CH Play.\n"

#define SCHED \
	"# lịch mẫu\n" \
	"2026-11-28 | 07:00-08:00 | Nhà văn hoá tổ 1\n" \
	"2026-12-05 | 08:00-11:00 | Nhà văn hoá tổ dân phố 5, ngõ 12 | Cài VNeID\n" \
	"2026-12-06 | 14:00-16:30 | Hội trường UBND phường\n"

static void
test_kb_loads_schedule(void **state)
{
	struct tu_kb k;
	char l[512];

	(void)state;
	tu_kb_open(&k, "topics.txt", SUPPORT, "schedule.txt", SCHED, NULL);
	assert_non_null(k.kb);
	if (k.d.nerr || k.d.nwarn)
		fail_msg("%s", k.d.text.data);
	assert_int_equal(kb_count(k.kb), 2);
	assert_non_null(kb_schedule(k.kb));
	assert_int_equal(schedule_count(kb_schedule(k.kb)), 3);
	tu_kb_close(&k);

	/* its errors are the kb's errors, with the kb's path */
	tu_kb_open(&k, "topics.txt", SUPPORT, "schedule.txt",
	    "2026-12-05 | 11:00-08:00 | Nhà văn hoá\n"
	    "2026-12-06 | 08:00-11:00\n"
	    "where: here\n", NULL);
	assert_int_equal(k.d.nerr, 3);
	assert_diag_line(&k.d, tu_loc(l, sizeof(l), k.dir, "schedule.txt", 1),
	    "lỗi: giờ kết thúc 8:00 không sau giờ bắt đầu 11:00");
	assert_diag_line(&k.d, tu_loc(l, sizeof(l), k.dir, "schedule.txt", 2),
	    "lỗi: buổi này chưa có địa điểm");
	assert_diag_line(&k.d, tu_loc(l, sizeof(l), k.dir, "schedule.txt", 3),
	    "lỗi: không có khoá 'where:'");
	assert_diag_line(&k.d, tu_loc(l, sizeof(l), k.dir, "schedule.txt", 0),
	    "cảnh báo: lịch chưa có buổi hỗ trợ nào");
	assert_diag_lacks(&k.d, "chưa bắt đầu bằng một chủ đề");
	assert_diag_vietnamese(&k.d);
	tu_kb_close(&k);

	/* the kb clock decides the warning: 2026-12-06 after 16:30 */
	tu_set_today("2026-12-06");
	set_now("16:30");
	tu_kb_open(&k, "topics.txt", SUPPORT, "schedule.txt", SCHED, NULL);
	assert_int_equal(k.d.nerr, 0);
	assert_diag_has(&k.d, "schedule.txt: cảnh báo: không còn buổi hỗ trợ nào "
	    "sắp tới");
	tu_kb_close(&k);
	tu_set_today(TU_TODAY);
	set_now("08:00");

	tu_kb_open(&k, "topics.txt", SUPPORT, NULL);
	assert_int_equal(k.d.nerr, 0);
	assert_null(kb_schedule(k.kb));
	tu_kb_close(&k);
}

static void
test_now_override(void **state)
{
	char now[6];

	(void)state;
	set_now("07:05");
	clock_hhmm(now);
	assert_string_equal(now, "07:05");
	/* a malformed override is ignored: the real clock, same shape */
	set_now("25:00");
	clock_hhmm(now);
	assert_string_not_equal(now, "25:00");
	assert_int_equal(strlen(now), 5);
	assert_int_equal(now[2], ':');
	set_now("8:00");
	clock_hhmm(now);
	assert_string_not_equal(now, "8:00");
	set_now("08:00");
}

/* ---- the conversation hook ---- */

static void
test_conv_hook(void **state)
{
	struct tu_kb k;
	struct conv_state s;
	struct conv_reply r;
	const char *page1 = "Dạ, tổ hỗ trợ ở nhà văn hoá tổ dân phố ạ.";

	(void)state;
	tu_set_today("2026-11-28");
	set_now("07:30");
	tu_kb_open(&k, "topics.txt", SUPPORT, "schedule.txt", SCHED, NULL);
	assert_int_equal(k.d.nerr, 0);
	conv_state_init(&s);
	conv_reply_init(&r);

	/* asked in words: the next sessions, then the topic's answer */
	conv_handle(k.kb, &s, "lịch hỗ trợ ở nhà văn hoá", &r);
	assert_non_null(r.topic);
	assert_string_equal(r.topic->id, "schedule.support_point");
	assert_starts(r.text.data,
	    "📅 Lịch hỗ trợ trực tiếp sắp tới:\n"
	    "- Hôm nay, Thứ Bảy 28/11/2026, 7:00–8:00: Nhà văn hoá tổ 1\n"
	    "- Thứ Bảy 05/12/2026, 8:00–11:00: Nhà văn hoá tổ dân phố 5, ngõ 12 "
	    "(Cài VNeID)\n"
	    "- Chủ Nhật 06/12/2026, 14:00–16:30: Hội trường UBND phường\n\n");
	assert_has(r.text.data, page1);
	assert_true(strstr(r.text.data, "📅") < strstr(r.text.data, page1));
	assert_true(r.more);
	assert_true(tu_utf8_valid(r.text.data));

	/* "tiếp" shows page two alone */
	conv_handle(k.kb, &s, "tiếp", &r);
	assert_starts(r.text.data, "Trang hai");
	assert_lacks(r.text.data, "📅");

	/* opened directly (menu digit, deep link): same list, clock-aware */
	set_now("08:00");
	assert_int_equal(conv_open(k.kb, &s, "schedule.support_point", &r), 0);
	assert_starts(r.text.data, "📅 Lịch hỗ trợ trực tiếp sắp tới:\n"
	    "- Thứ Bảy 05/12/2026");
	assert_lacks(r.text.data, "Hôm nay");

	/* other topics are untouched */
	assert_int_equal(conv_open(k.kb, &s, "vneid.install", &r), 0);
	assert_starts(r.text.data, "1. Mở CH Play.");
	assert_lacks(r.text.data, "📅");

	/* everything past: say so, and whom to ask, before the answer */
	tu_set_today("2027-01-01");
	assert_int_equal(conv_open(k.kb, &s, "schedule.support_point", &r), 0);
	assert_starts(r.text.data, "Dạ, hiện cháu chưa có lịch buổi hỗ trợ trực "
	    "tiếp nào sắp tới của phường ạ.\n");
	assert_has(r.text.data, "ạ.\n\nDạ, tổ hỗ trợ ở nhà văn hoá");
	assert_lacks(r.text.data, "📅");
	tu_kb_close(&k);

	/* no schedule.txt: the answer as written */
	tu_kb_open(&k, "topics.txt", SUPPORT, NULL);
	assert_int_equal(conv_open(k.kb, &s, "schedule.support_point", &r), 0);
	assert_starts(r.text.data, page1);
	tu_kb_close(&k);

	conv_reply_release(&r);
	tu_set_today(TU_TODAY);
	set_now("08:00");
}

/* A session marked as an example is an error: never shown as real. */
static void
test_sample_marker(void **state)
{
	struct ps p;

	(void)state;
	ps_open(&p,
	    "2026-12-05 | 08:00-11:00 | Nhà văn hoá tổ 5 [VÍ DỤ] | Cài VNeID\n"
	    "2026-12-06 | 08:00-11:00 | Nhà văn hoá tổ 6 | Cài VNeID [ví dụ]\n"
	    "2026-12-07 | 08:00-11:00 | Nhà văn hoá tổ 7 [vi du]\n"
	    "2026-12-08 | 08:00-11:00 | Hội trường, ví dụ cho bà con xem\n",
	    TU_TODAY, "08:00");
	assert_int_equal(p.d.nerr, 3);
	assert_diag_line(&p.d, P ":1: ", "buổi mẫu");
	assert_diag_line(&p.d, P ":2: ", "buổi mẫu");
	assert_diag_line(&p.d, P ":3: ", "buổi mẫu");
	/* only the marked ones are dropped: the real session stays */
	assert_int_equal(schedule_count(p.s), 1);
	assert_string_equal(schedule_session(p.s, 0)->date, "2026-12-08");
	ps_close(&p);
}

static char *
read_bundled(void)
{
	char path[4400];
	struct buf b;

	snprintf(path, sizeof(path), "%s/../../knowledge/schedule.txt",
	    TU_DATA_DIR);
	buf_init(&b, BUF_CAP_FILE);
	assert_int_equal(buf_read_file(&b, path), 0);
	return buf_take(&b);
}

/*
 * The shipped schedule holds no session: its examples are comments, so a
 * resident is never sent to a session that does not exist. Uncommented,
 * each example is a well-formed line that check still refuses.
 */
static void
test_bundled_schedule(void **state)
{
	char *text = read_bundled(), *un, *w;
	const char *r;
	struct ps p;
	int nsample = 0;

	(void)state;
	ps_open(&p, text, TU_TODAY, "08:00");
	assert_non_null(p.s);
	if (p.d.nerr)
		fail_msg("%s", p.d.text.data);
	assert_int_equal(schedule_count(p.s), 0);
	assert_non_null(schedule_contact(p.s));
	assert_diag_has(&p.d, "cảnh báo: lịch chưa có buổi hỗ trợ nào");
	ps_close(&p);

	/* "# 2026-…" -> "2026-…" */
	un = w = malloc(strlen(text) + 1);
	assert_non_null(un);
	for (r = text; *r; ) {
		if ((r == text || r[-1] == '\n') && strncmp(r, "# 20", 4) == 0) {
			r += 2;
			nsample++;
		}
		*w++ = *r++;
	}
	*w = '\0';
	assert_true(nsample >= 2);
	ps_open(&p, un, TU_TODAY, "08:00");
	assert_int_equal(p.d.nerr, (size_t)nsample);
	assert_int_equal(schedule_count(p.s), 0);
	{
		/* every error is the example marker, none a format mistake */
		const char *q = p.d.text.data;
		int n = 0;

		while ((q = strstr(q, "buổi mẫu")) != NULL) {
			n++;
			q++;
		}
		assert_int_equal(n, nsample);
	}
	ps_close(&p);
	free(un);
	free(text);
}

/* What a resident reads from the shipped knowledge: no date, a contact. */
static void
test_bundled_no_session_reply(void **state)
{
	struct tu_kb k;
	struct conv_state s;
	struct conv_reply r;
	char dir[4400];

	(void)state;
	snprintf(dir, sizeof(dir), "%s/../../knowledge", TU_DATA_DIR);
	tu_kb_load_dir(&k, dir);
	assert_non_null(k.kb);
	conv_state_init(&s);
	conv_reply_init(&r);
	assert_int_equal(conv_open(k.kb, &s, "schedule.support_point", &r), 0);
	assert_starts(r.text.data, "Dạ, hiện cháu chưa có lịch buổi hỗ trợ trực "
	    "tiếp nào sắp tới của phường ạ.\n");
	assert_has(r.text.data, "Để biết buổi gần nhất, bác liên hệ: tổ trưởng "
	    "tổ dân phố");
	assert_lacks(r.text.data, "📅");
	assert_lacks(r.text.data, "/12/2026,");
	assert_lacks(r.text.data, "VÍ DỤ");
	/* asked in words, the same */
	conv_handle(k.kb, &s, "lịch hỗ trợ ở nhà văn hoá", &r);
	assert_non_null(r.topic);
	assert_string_equal(r.topic->id, "schedule.support_point");
	assert_starts(r.text.data, "Dạ, hiện cháu chưa có lịch");
	conv_reply_release(&r);
	tu_kb_close(&k);
}

/* Odd lines must be reported, never crash (run under ASan by unit-asan). */
static void
test_odd_input(void **state)
{
	static const char *const odd[] = {
		"|", "||||", " | | | ", "||||||||||||||||", "2026-12-05|",
		"2026-12-05|08:00-11:00|", ":", "::::", "contact", "x:y|z",
		"2026-12-05 | 08:00-11:00 | \xE2\x80\x93 |", "\xEF\xBB\xBF",
		"\xEF\xBB", "\r\r\r\n", "#|", "  \t  ", "9999-12-31 | 00:00-23:59 | a",
		"2026-12-05 | 08:00\xE2\x80\x93", "2026-12-05 | 8h-\xE2\x80",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(odd); i++) {
		struct ps p;
		struct buf b;

		ps_open(&p, odd[i], TU_TODAY, "08:00");
		buf_init(&b, BUF_CAP_REPLY);
		if (p.s)
			assert_true(schedule_reply(p.s, TU_TODAY, "08:00", 5, &b) == 0);
		assert_true(tu_utf8_valid(b.data));
		buf_release(&b);
		ps_close(&p);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_valid),
		cmocka_unit_test(test_parse_empty_and_null),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_bad_times),
		cmocka_unit_test(test_invalid_utf8_and_binary),
		cmocka_unit_test(test_no_upcoming_warning),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_upcoming_format),
		cmocka_unit_test(test_upcoming_boundaries),
		cmocka_unit_test(test_upcoming_max_and_args),
		cmocka_unit_test(test_reply),
		cmocka_unit_test(test_kb_loads_schedule),
		cmocka_unit_test(test_now_override),
		cmocka_unit_test(test_conv_hook),
		cmocka_unit_test(test_sample_marker),
		cmocka_unit_test(test_bundled_schedule),
		cmocka_unit_test(test_bundled_no_session_reply),
		cmocka_unit_test(test_odd_input),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
