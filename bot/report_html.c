/* The report as one self-contained HTML page. */
#include "report.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "html.h"
#include "handoff.h"
#include "report_int.h"

/* Escaped, and cut to max characters (chart labels have a fixed width). */
static void
esc_cut(FILE *f, const char *s, size_t max)
{
	char *c = report_clean_text(s, max);

	html_escape(f, c);
	free(c);
}

static const char css[] =
	"body{font-family:system-ui,\"Segoe UI\",Roboto,\"Noto Sans\",Arial,"
	"sans-serif;color:#111;background:#fff;max-width:50rem;margin:1.5rem auto;"
	"padding:0 1rem;line-height:1.45}"
	"h1{font-size:1.5rem;margin-bottom:.2rem}"
	"h2{font-size:1.15rem;border-bottom:2px solid #1f5f99;padding-bottom:.2rem;"
	"margin-top:2rem}"
	".meta{color:#444;margin-top:0}"
	"table{border-collapse:collapse;width:100%;margin:.5rem 0}"
	"th,td{text-align:left;padding:.3rem .5rem;border-bottom:1px solid #ccc;"
	"vertical-align:top}"
	"th{background:#eef3f8}"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}"
	"ul{margin:.1rem 0;padding-left:1.2rem}"
	"svg{display:block;max-width:100%;height:auto}"
	"svg text{font-size:12px;fill:#222}"
	".bar,.o0{fill:#1f5f99}.o1{fill:#e3a21a}.o2{fill:#c0392b}.o3{fill:#bbb}"
	".axis{stroke:#888;stroke-width:1}"
	".grid{stroke:#ddd;stroke-width:1}"
	".code{font-family:ui-monospace,Consolas,monospace;color:#555;"
	"font-size:.9em}"
	".legend{margin:.3rem 0}.sw{display:inline-block;width:.8em;height:.8em;"
	"vertical-align:-.05em;margin:0 .3em 0 .6em}.li{white-space:nowrap}"
	".li:first-child .sw{margin-left:0}"
	".s0{background:#1f5f99}.s1{background:#e3a21a}.s2{background:#c0392b}"
	".s3{background:#bbb}"
	".tag{font-size:.8em;color:#7a5200;background:#fbefd5;padding:0 .3em;"
	"border-radius:.2em;white-space:nowrap}"
	/* A section may start on the first page and go on to the next: only
	 * a heading (kept with what follows), a table row and a chart stay
	 * whole, so the first page is never left near-empty. */
	"@page{size:A4;margin:12mm}"
	"@media print{body{max-width:none;margin:0;padding:0}"
	"h1{margin-top:0}h2{break-after:avoid;page-break-after:avoid}"
	"tr,svg,.legend{break-inside:avoid;page-break-inside:avoid}"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

static void
html_days(const struct report *r, FILE *f)
{
	static const char *const label[4] = { "trả lời được",
		"chưa chắc (bot chỉ hỏi lại)", "chưa trả lời được",
		"khác (cảm ơn, ảnh, gặp người…)" };
	const double W = 720, H = 230, L = 36, R = 24, T = 18, B = 40;
	const double pw = W - L - R, ph = H - T - B;
	const struct report_day *top = report_busiest(r);
	double slot, bw;
	size_t i, every;
	int c;

	fprintf(f, "<section>\n<h2>1. Số câu hỏi theo ngày</h2>\n");
	if (!r->questions) {
		fprintf(f, "<p>Chưa có câu hỏi nào trong khoảng này.</p>\n"
		    "</section>\n");
		return;
	}
	fprintf(f, "<p class=\"legend\">");
	for (c = 0; c < 4; c++)
		fprintf(f, "<span class=\"li\"><span class=\"sw s%d\"></span>%s"
		    "</span> ", c, label[c]);
	fprintf(f, "</p>\n");
	slot = pw / (double)r->ndays;
	bw = slot * 0.7 > 40 ? 40 : slot * 0.7;
	every = (size_t)(40 / slot) + 1;        /* date labels must not overlap */
	fprintf(f, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
	    "role=\"img\" aria-label=\"Biểu đồ số câu hỏi theo ngày, chia theo kết "
	    "quả\">\n", W, H, W, H);
	fprintf(f, "<line class=\"grid\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
	    "y2=\"%.0f\"/>\n", L, T, W - R, T);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">%d</text>\n",
	    L - 4, T + 4, top->n);
	fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">0</text>\n",
	    L - 4, T + ph + 4);
	for (i = 0; i < r->ndays; i++) {
		const struct report_day *d = &r->days[i];
		double x = L + slot * (double)i, y = T + ph;
		int part[4], sum = report_day_parts(d, part);
		char ds[11];

		report_format_date(d->day, ds);
		fprintf(f, "<g><title>%s (%s): %d câu hỏi — trả lời được %d, chưa "
		    "chắc %d, chưa trả lời được %d, khác %d</title>", ds,
		    report_weekday(d->day), d->n, part[0], part[1], part[2], part[3]);
		/* stacked from the axis up, in the order of the legend; the
		 * parts may add up to more than the day's questions (a reply
		 * after midnight), so they are scaled to the day's bar */
		for (c = 0; c < 4; c++) {
			double h = sum ? ph * d->n / top->n * part[c] / sum : 0;

			if (h <= 0)
				continue;
			y -= h;
			fprintf(f, "<rect class=\"o%d\" x=\"%.1f\" y=\"%.1f\" "
			    "width=\"%.1f\" height=\"%.1f\"/>", c, x + (slot - bw) / 2, y,
			    bw, h);
		}
		fprintf(f, "</g>\n");
		if (d->n && slot >= 16)
			fprintf(f, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">"
			    "%d</text>\n", x + slot / 2, T + ph - ph * d->n / top->n - 3,
			    d->n);
		if (i % every == 0) {
			fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">"
			    "%.2s/%.2s</text>\n", x + slot / 2, T + ph + 15, ds + 8, ds + 5);
			if (every == 1 && slot >= 24)
				fprintf(f, "<text x=\"%.1f\" y=\"%.0f\" text-anchor=\"middle\">"
				    "%s</text>\n", x + slot / 2, T + ph + 30,
				    report_weekday(d->day));
		}
	}
	fprintf(f, "<line class=\"axis\" x1=\"%.0f\" y1=\"%.0f\" x2=\"%.0f\" "
	    "y2=\"%.0f\"/>\n</svg>\n", L, T + ph, W - R, T + ph);
	{
		char ds[11];

		report_format_date(top->day, ds);
		fprintf(f, "<p>Tổng: <b>%d</b> câu hỏi; nhiều nhất %s (%d). Bot trả "
		    "lời ngay: %d · chưa chắc (chỉ hỏi lại): %d · chưa trả lời được: "
		    "%d · thông báo khác: %d.</p>\n", r->questions, ds, top->n,
		    r->answered, r->clarified, r->fallbacks, r->notices);
	}
	fprintf(f, "</section>\n");
}

static void
html_topics(const struct report *r, FILE *f)
{
	const double W = 720, LW = 330, BX = 340, BMAX = 330, RH = 26;
	size_t i;
	int max = r->ntopics ? r->topics[0].n : 1;

	fprintf(f, "<section>\n<h2>2. Chủ đề được trả lời nhiều nhất</h2>\n");
	if (!r->ntopics) {
		fprintf(f, "<p>Chưa có.</p>\n</section>\n");
		return;
	}
	fprintf(f, "<svg viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" "
	    "role=\"img\" aria-label=\"Biểu đồ các chủ đề được trả lời nhiều "
	    "nhất\">\n", W, RH * (double)r->ntopics + 4, W,
	    RH * (double)r->ntopics + 4);
	for (i = 0; i < r->ntopics; i++) {
		const struct report_count *c = &r->topics[i];
		double y = RH * (double)i, w = BMAX * c->n / max;

		fprintf(f, "<text x=\"%.0f\" y=\"%.0f\" text-anchor=\"end\">",
		    LW, y + 17);
		esc_cut(f, c->title ? c->title : c->key, 46);
		fprintf(f, "</text>\n<rect class=\"bar\" x=\"%.0f\" y=\"%.0f\" "
		    "width=\"%.1f\" height=\"18\"><title>", BX, y + 4, w);
		html_escape(f, c->key);
		fprintf(f, ": %d</title></rect>\n<text x=\"%.1f\" y=\"%.0f\">%d"
		    "</text>\n", c->n, BX + w + 5, y + 17, c->n);
	}
	fprintf(f, "</svg>\n<table>\n<tr><th class=\"n\">#</th><th>Chủ đề</th>"
	    "<th>Mã</th><th class=\"n\">Số lần</th></tr>\n");
	for (i = 0; i < r->ntopics; i++) {
		const struct report_count *c = &r->topics[i];

		fprintf(f, "<tr><td class=\"n\">%zu</td><td>", i + 1);
		if (c->title)
			html_escape(f, c->title);
		else if (r->kb_loaded)
			fprintf(f, "<i>không còn trong kho kiến thức</i>");
		fprintf(f, "</td><td class=\"code\">");
		html_escape(f, c->key);
		fprintf(f, "</td><td class=\"n\">%d</td></tr>\n", c->n);
	}
	fprintf(f, "</table>\n</section>\n");
}

static void
html_example(const char *text, bool unsure, FILE *f)
{
	fprintf(f, "<li>");
	html_escape(f, text);
	if (unsure)
		fprintf(f, " <span class=\"tag\">chưa chắc</span>");
	fprintf(f, "</li>");
}

static void
html_examples(const struct report_group *g, FILE *f)
{
	size_t j;

	fprintf(f, "<ul>");
	for (j = 0; j < g->nex; j++)
		html_example(g->ex[j], g->ex_unsure[j], f);
	fprintf(f, "</ul>");
}

static void
html_unanswered(const struct report *r, FILE *f)
{
	const struct report_group *one[SINGLES_SHOWN];
	size_t i, shown = 0, ns = report_singles(r), nsu = 0, nshow;

	fprintf(f, "<section>\n<h2>3. Câu hỏi bot chưa trả lời được: %zu · chưa "
	    "chắc: %zu</h2>\n", r->nunanswered, r->nunsure);
	if (!r->nunanswered && !r->nunsure) {
		fprintf(f, "</section>\n");
		return;
	}
	fprintf(f, "<p><span class=\"tag\">chưa chắc</span>: bot chưa trả lời, chỉ "
	    "hỏi lại “có phải bác muốn hỏi…”. Gom theo độ giống nhau; mỗi nhóm lớn "
	    "nên thành một mục hỏi đáp mới, hoặc một dòng <span class=\"code\">"
	    "ask:</span> cho chủ đề đúng.");
	if (r->ngrouped < r->nunanswered + r->nunsure)
		fprintf(f, " (Chỉ gom nhóm %zu câu gần đây nhất.)", r->ngrouped);
	fprintf(f, "</p>\n<table>\n<tr><th class=\"n\">Nhóm</th>"
	    "<th class=\"n\">Số câu</th><th class=\"n\">Chưa chắc</th>"
	    "<th>Ví dụ</th></tr>\n");
	for (i = 0; i < r->ngroups && r->groups[i].n > 1 &&
	    shown < GROUPS_SHOWN; i++, shown++) {
		fprintf(f, "<tr><td class=\"n\">%zu</td><td class=\"n\">%zu</td>"
		    "<td class=\"n\">%zu</td><td>", i + 1, r->groups[i].n,
		    r->groups[i].nunsure);
		html_examples(&r->groups[i], f);
		fprintf(f, "</td></tr>\n");
	}
	if (ns) {
		for (i = 0; i < r->ngroups; i++)
			if (r->groups[i].n == 1)
				nsu += r->groups[i].nunsure;
		fprintf(f, "<tr><td class=\"n\">lẻ</td><td class=\"n\">%zu</td>"
		    "<td class=\"n\">%zu</td><td><ul>", ns, nsu);
		nshow = report_singles_shown(r, one);
		for (i = 0; i < nshow; i++)
			html_example(one[i]->ex[0], one[i]->ex_unsure[0], f);
		if (ns > nshow)
			fprintf(f, "<li>… và %zu câu khác</li>", ns - nshow);
		fprintf(f, "</ul></td></tr>\n");
	}
	fprintf(f, "</table>\n</section>\n");
}

static void
html_tickets(const struct report *r, FILE *f)
{
	const struct report_tickets *t = &r->t;
	char d[64];
	size_t i;

	fprintf(f, "<section>\n<h2>4. Yêu cầu gặp người hỗ trợ (ticket)</h2>\n");
	if (!t->present) {
		fprintf(f, "<p>Cơ sở dữ liệu chưa có bảng tickets.</p>\n</section>\n");
		return;
	}
	fprintf(f, "<table>\n<tr><td>Tổng</td><td class=\"n\">%d</td></tr>\n"
	    "<tr><td>Đang chờ</td><td class=\"n\">%d</td></tr>\n"
	    "<tr><td>Đã có người nhận</td><td class=\"n\">%d</td></tr>\n"
	    "<tr><td>Đã xong</td><td class=\"n\">%d</td></tr>\n"
	    "<tr><td>Chuyển lên cấp 2 (cán bộ phường)</td><td class=\"n\">%d"
	    "</td></tr>\n", t->total, t->open, t->claimed, t->resolved, t->tier2);
	if (t->nreply)
		report_duration(t->reply_min, d, sizeof(d));
	fprintf(f, "<tr><td>Trả lời lần đầu sau (trung vị, %d ticket)</td>"
	    "<td class=\"n\">%s</td></tr>\n", t->nreply, t->nreply ? d : "—");
	if (t->nresolve)
		report_duration(t->resolve_min, d, sizeof(d));
	fprintf(f, "<tr><td>Xử lý xong sau (trung vị, %d ticket)</td>"
	    "<td class=\"n\">%s</td></tr>\n", t->nresolve, t->nresolve ? d : "—");
	fprintf(f, "<tr><td>Người dân đánh giá</td><td class=\"n\">👍 %d · 👎 %d · "
	    "chưa đánh giá: %d</td></tr>\n</table>\n", t->up, t->down,
	    t->no_feedback);
	if (t->nreasons)
		fprintf(f, "<table>\n<tr><th>Lý do</th><th class=\"n\">Số ticket</th>"
		    "</tr>\n");
	for (i = 0; i < t->nreasons; i++) {
		const char *l = handoff_reason_text(t->reasons[i].key);

		fprintf(f, "<tr><td>");
		if (l)
			fprintf(f, "%s ", l);
		fprintf(f, "<span class=\"code\">");
		html_escape(f, t->reasons[i].key);
		fprintf(f, "</span></td><td class=\"n\">%d</td></tr>\n",
		    t->reasons[i].n);
	}
	if (t->nreasons)
		fprintf(f, "</table>\n");
	fprintf(f, "</section>\n");
}

void
report_html(const struct report *r, FILE *f)
{
	char a[11], b[11], now[32];
	struct tm tm;

	report_format_date(r->since, a);
	report_format_date(r->today, b);
	clock_local(&tm);
	strftime(now, sizeof(now), "%Y-%m-%d %H:%M", &tm);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"vi\">\n<head>\n"
	    "<meta charset=\"utf-8\">\n"
	    "<meta name=\"viewport\" content=\"width=device-width, "
	    "initial-scale=1\">\n<title>Báo cáo hỏi đáp %s – %s</title>\n"
	    "<style>%s</style>\n</head>\n<body>\n<h1>Báo cáo hỏi đáp</h1>\n"
	    "<p class=\"meta\">Từ %s đến %s (giờ Việt Nam, UTC+7). Cơ sở dữ liệu: "
	    "<span class=\"code\">", a, b, css, a, b);
	html_escape(f, r->db);
	fprintf(f, "</span>. Lập lúc %s.</p>\n", now);
	html_days(r, f);
	html_topics(r, f);
	html_unanswered(r, f);
	html_tickets(r, f);
	fprintf(f, "</body>\n</html>\n");
}
