/* The report as text, for a terminal or a message. */
#include "report.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "handoff.h"
#include "report_int.h"

#define BAR_CELLS 40                    /* text bar of the busiest day */

/*
 * A day's bar in cells: answered, unsure, not answered, then the rest
 * (notices, hand-offs, no reply), by largest remainder so the busiest day
 * has exactly BAR_CELLS. Each outcome that happened gets a cell, so one
 * unsure question on a busy day still shows.
 */
static void
day_cells(const struct report_day *d, int top, int cells[4])
{
	double share[4];
	int part[4], total = 0, i, want, sum = report_day_parts(d, part);

	want = top ? (int)((double)d->n * BAR_CELLS / top + 0.5) : 0;
	if (d->n && !want)
		want = 1;
	for (i = 0; i < 4; i++) {
		share[i] = sum ? (double)part[i] * want / sum : 0;
		cells[i] = (int)share[i];
		if (part[i] && !cells[i])
			cells[i] = 1;
		share[i] -= cells[i];
		total += cells[i];
	}
	while (total != want) {
		int pick = -1;

		for (i = 0; i < 4; i++) {
			if (total < want ? !part[i] : cells[i] <= 1)
				continue;
			/* under: the largest remainder gets a cell; over: the
			 * smallest gives one back */
			if (pick < 0 || (total < want ? share[i] > share[pick] :
			    share[i] < share[pick]))
				pick = i;
		}
		if (pick < 0)
			break;
		cells[pick] += total < want ? 1 : -1;
		share[pick] -= total < want ? 1 : -1;
		total += total < want ? 1 : -1;
	}
}

static void
text_days(const struct report *r, FILE *f)
{
	static const char *const glyph[4] = { "█", "▒", "░", "·" };
	const struct report_day *top = report_busiest(r);
	size_t i, j;
	int k, c, cells[4];

	fprintf(f, "1. Số câu hỏi theo ngày\n");
	if (!r->questions) {
		fprintf(f, "   (chưa có câu hỏi nào trong khoảng này)\n\n");
		return;
	}
	fprintf(f, "   Mỗi dòng: ngày, số câu hỏi, trả lời được/chưa chắc/chưa trả "
	    "lời được, rồi biểu đồ\n   (█ trả lời được, ▒ chưa chắc: bot chỉ hỏi "
	    "lại, ░ chưa trả lời được, · khác: cảm ơn, ảnh, gặp người…)\n");
	for (i = 0; i < r->ndays; i = j) {
		const struct report_day *d = &r->days[i];
		char ds[11], de[11], mid[40];

		/* a run of empty days is one line */
		for (j = i; j < r->ndays && r->days[j].n == 0; j++)
			;
		if (j - i >= 2) {
			report_format_date(d->day, ds);
			report_format_date(r->days[j - 1].day, de);
			fprintf(f, "   %s … %s: không có câu hỏi (%zu ngày)\n", ds, de,
			    j - i);
			continue;
		}
		j = i + 1;
		report_format_date(d->day, ds);
		snprintf(mid, sizeof(mid), "%d/%d/%d", d->answered, d->unsure,
		    d->unanswered);
		fprintf(f, "   %s %-2s %5d  %-11s ", ds, report_weekday(d->day), d->n, mid);
		day_cells(d, top->n, cells);
		for (c = 0; c < 4; c++)
			for (k = 0; k < cells[c]; k++)
				fputs(glyph[c], f);
		fputc('\n', f);
	}
	{
		char d[11];

		report_format_date(top->day, d);
		fprintf(f, "   Tổng: %d câu hỏi; nhiều nhất %s (%d).\n", r->questions,
		    d, top->n);
	}
	fprintf(f, "   Bot trả lời ngay: %d · chưa chắc (chỉ hỏi lại): %d · chưa "
	    "trả lời được: %d · thông báo khác: %d\n\n", r->answered, r->clarified,
	    r->fallbacks, r->notices);
}

static void
text_topics(const struct report *r, FILE *f)
{
	size_t i;

	fprintf(f, "2. Chủ đề được trả lời nhiều nhất\n");
	if (!r->ntopics)
		fprintf(f, "   (chưa có)\n");
	for (i = 0; i < r->ntopics; i++) {
		const struct report_count *c = &r->topics[i];

		if (c->title)
			fprintf(f, "   %2zu. %5d  %s [%s]\n", i + 1, c->n, c->title, c->key);
		else if (r->kb_loaded)
			fprintf(f, "   %2zu. %5d  %s (không còn trong kho kiến thức)\n",
			    i + 1, c->n, c->key);
		else
			fprintf(f, "   %2zu. %5d  %s\n", i + 1, c->n, c->key);
	}
	fputc('\n', f);
}

static void
text_examples(const struct report_group *g, FILE *f)
{
	size_t j;

	for (j = 0; j < g->nex; j++)
		fprintf(f, "      • \"%s\"%s\n", g->ex[j], g->ex_unsure[j] ?
		    " (chưa chắc)" : "");
}

static void
text_unanswered(const struct report *r, FILE *f)
{
	size_t i, shown = 0, ns = report_singles(r);

	fprintf(f, "3. Câu hỏi bot chưa trả lời được: %zu · chưa chắc: %zu\n",
	    r->nunanswered, r->nunsure);
	if (!r->nunanswered && !r->nunsure) {
		fputc('\n', f);
		return;
	}
	if (r->ngrouped < r->nunanswered + r->nunsure)
		fprintf(f, "   (chỉ gom nhóm %zu câu gần đây nhất)\n", r->ngrouped);
	fprintf(f, "   \"Chưa chắc\": bot chưa trả lời, chỉ hỏi lại \"có phải bác "
	    "muốn hỏi…\".\n   Gom theo độ giống nhau; mỗi nhóm lớn nên thành một "
	    "mục hỏi đáp mới,\n   hoặc một dòng ask: cho chủ đề đúng.\n");
	for (i = 0; i < r->ngroups && r->groups[i].n > 1; i++) {
		const struct report_group *g = &r->groups[i];

		if (shown++ == GROUPS_SHOWN) {
			fprintf(f, "   … và các nhóm nhỏ hơn\n");
			break;
		}
		if (g->nunsure)
			fprintf(f, "   Nhóm %zu: %zu câu (chưa chắc: %zu)\n", i + 1, g->n,
			    g->nunsure);
		else
			fprintf(f, "   Nhóm %zu: %zu câu\n", i + 1, g->n);
		text_examples(g, f);
	}
	if (ns) {
		const struct report_group *one[SINGLES_SHOWN];
		size_t nshow = report_singles_shown(r, one);

		fprintf(f, "   Câu hỏi lẻ (chỉ hỏi một lần): %zu\n", ns);
		for (i = 0; i < nshow; i++)
			text_examples(one[i], f);
		if (ns > nshow)
			fprintf(f, "      … và %zu câu khác\n", ns - nshow);
	}
	fputc('\n', f);
}

static void
text_tickets(const struct report *r, FILE *f)
{
	const struct report_tickets *t = &r->t;
	char d[64];
	size_t i;

	fprintf(f, "4. Yêu cầu gặp người hỗ trợ (ticket)\n");
	if (!t->present) {
		fprintf(f, "   (cơ sở dữ liệu chưa có bảng tickets)\n");
		return;
	}
	fprintf(f, "   Tổng: %d · đang chờ: %d · đã có người nhận: %d · "
	    "đã xong: %d\n", t->total, t->open, t->claimed, t->resolved);
	fprintf(f, "   Chuyển lên cấp 2 (cán bộ phường): %d\n", t->tier2);
	if (t->nreply) {
		report_duration(t->reply_min, d, sizeof(d));
		fprintf(f, "   Trả lời lần đầu sau (trung vị): %s, trên %d ticket\n",
		    d, t->nreply);
	} else {
		fprintf(f, "   Trả lời lần đầu sau (trung vị): —\n");
	}
	if (t->nresolve) {
		report_duration(t->resolve_min, d, sizeof(d));
		fprintf(f, "   Xử lý xong sau (trung vị): %s, trên %d ticket\n", d,
		    t->nresolve);
	} else {
		fprintf(f, "   Xử lý xong sau (trung vị): —\n");
	}
	fprintf(f, "   Người dân đánh giá: 👍 %d · 👎 %d · chưa đánh giá: %d\n",
	    t->up, t->down, t->no_feedback);
	if (t->nreasons)
		fprintf(f, "   Theo lý do:\n");
	for (i = 0; i < t->nreasons; i++) {
		const char *l = handoff_reason_text(t->reasons[i].key);

		fprintf(f, "     %5d  %s%s%s\n", t->reasons[i].n, t->reasons[i].key,
		    l ? " — " : "", l ? l : "");
	}
}

void
report_text(const struct report *r, FILE *f)
{
	char a[11], b[11];

	report_format_date(r->since, a);
	report_format_date(r->today, b);
	fprintf(f, "BÁO CÁO HỎI ĐÁP — từ %s đến %s (giờ Việt Nam, UTC+7)\n", a, b);
	fprintf(f, "Cơ sở dữ liệu: %s\n\n", r->db);
	text_days(r, f);
	text_topics(r, f);
	text_unanswered(r, f);
	text_tickets(r, f);
}
