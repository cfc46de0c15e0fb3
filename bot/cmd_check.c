/*
 * hoidap check: the admins' one command (ntpd -n). Parses everything, then
 * runs every `ask:` example through the matcher: an example that does not
 * reach its own topic is an error, because a resident asking the same way
 * would get the wrong guide.
 *
 * With sections, "its own" is exact: a section's example must open that
 * section, and a topic's example the topic's main guide. A topic example
 * that opens one of the topic's sections is about that part, so it belongs
 * under the section's "===" line (the message says so).
 *
 * The admin reads why, in Vietnamese: the words the example shares with the
 * topic that got it, the 'match:' of that topic that hit it, and the three
 * ways out (knowledge/README.md, "bản tin sửa lỗi thường gặp").
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "match.h"
#include "systext.h"

/*
 * Why `other` scored for example q: "'x' có cùng các từ "a", "b c", và dòng
 * 'match:' ở dòng 12 của nó khớp câu này" into why; the first word of q
 * that other lacks into own (empty when none).
 */
static void
why_other(struct kb *kb, const char *q, const struct kb_topic *other,
    struct buf *why, struct buf *own, char *own1, size_t own1n)
{
	struct buf w;
	size_t nw;
	int ml;

	buf_init(&w, BUF_CAP_REPLY);
	nw = kb_words(kb, q, other, true, &w);
	ml = kb_hit_line(kb, q, other, false);
	if (nw)
		buf_printf(why, "'%s' có cùng các từ %s", other->id, w.data);
	else
		buf_printf(why, "'%s' không có từ nào của câu", other->id);
	if (ml)
		buf_printf(why, "%s dòng 'match:' ở dòng %d của nó khớp câu "
		    "này", nw ? ", và" : ", nhưng", ml);
	buf_reset(&w);
	(void)kb_words(kb, q, other, false, own);
	/* "\"phí\", \"lệ\"" -> phí, the rarest: the not: example */
	*own1 = '\0';
	if (own->len) {
		const char *s = own->data + 1;
		size_t n = strcspn(s, "\"");

		snprintf(own1, own1n, "%.*s", (int)n, s);
	}
	buf_release(&w);
}

/* The three ways out of a collision between t's example q and other. */
static void
three_ways(struct buf *m, const struct kb_topic *t, const struct kb_topic *other,
    const struct buf *own, const char *own1)
{
	buf_printf(m, DIAG_FIX "chọn một trong ba cách: (1) viết 'ask:' "
	    "cụ thể hơn, có từ chỉ '%s' mới có", t->id);
	if (own->len)
		buf_printf(m, " (câu này có %s mà '%s' không có)", own->data,
		    other->id);
	buf_printf(m, "; (2) thêm cho '%s' một dòng 'keywords:' hoặc "
	    "'match:' với những từ riêng đó; (3) thêm cho '%s' (%s:%d) một dòng "
	    "'not:' loại câu kiểu này", t->id, other->id, other->file,
	    other->line);
	if (*own1)
		buf_printf(m, ", ví dụ 'not: %s' nếu câu có chữ \"%s\" không "
		    "bao giờ hỏi về '%s'", own1, own1, other->id);
}

/* Example j of t reached another topic, or only a "did you mean". */
static void
collision(struct diag *d, struct kb *kb, const struct kb_topic *t, size_t j,
    const struct match_result *r)
{
	const char *q = t->asks[j];
	const struct kb_topic *other;
	struct buf m, why, own;
	char own1[64];
	double mine = 0, theirs;
	size_t k;

	if (r->topic == t)
		other = r->ncand > 1 ? r->cand[1].topic : NULL;
	else
		other = r->topic;
	for (k = 0; k < r->ncand; k++)
		if (r->cand[k].topic == t)
			mine = r->cand[k].score;
	if (!other) {
		diag_error(d, t->file, t->ask_lines[j], "câu ví dụ \"%s\" của '%s' "
		    "chỉ được %.2f điểm, chưa đủ %.2f để trả lời ngay" DIAG_FIX
		    "thêm cho '%s' một dòng 'keywords:' với các từ chính của câu, "
		    "hoặc một dòng 'match:'", q, t->id, r->score, MATCH_ANSWER_MIN,
		    t->id);
		return;
	}
	theirs = r->topic == t ? r->cand[1].score : r->score;
	buf_init(&m, BUF_CAP_REPLY);
	buf_init(&why, BUF_CAP_REPLY);
	buf_init(&own, BUF_CAP_REPLY);
	why_other(kb, q, other, &why, &own, own1, sizeof(own1));
	if (r->action == MATCH_ANSWER)
		buf_printf(&m, "câu ví dụ \"%s\" của '%s' lại được trả lời "
		    "bằng '%s': '%s' được %.2f điểm, '%s' chỉ được %.2f. %s", q,
		    t->id, other->id, other->id, theirs, t->id, mine, why.data);
	else if (r->topic == t)
		buf_printf(&m, "câu ví dụ \"%s\" của '%s' gần '%s' quá (%.2f "
		    "so với %.2f, cần hơn nhau %.2f): người dân hỏi như vậy chỉ được "
		    "hỏi lại \"có phải bác muốn hỏi…\". %s", q, t->id, other->id,
		    mine, theirs, MATCH_MARGIN, why.data);
	else
		buf_printf(&m, "câu ví dụ \"%s\" của '%s' chỉ được hỏi lại "
		    "\"có phải bác muốn hỏi…\", và '%s' đứng trước (%.2f so với "
		    "%.2f). %s", q, t->id, other->id, theirs, mine, why.data);
	three_ways(&m, t, other, &own, own1);
	diag_error(d, t->file, t->ask_lines[j], "%s", m.data);
	buf_release(&own);
	buf_release(&why);
	buf_release(&m);
}

/* Example j of t opened another part of the same topic. */
static void
family_error(struct diag *d, struct kb *kb, const struct kb_topic *t,
    size_t j, const struct match_result *r)
{
	const char *q = t->asks[j];
	int line = t->ask_lines[j];
	struct buf w;

	buf_init(&w, BUF_CAP_REPLY);
	if (!kb_words(kb, q, r->topic, true, &w))
		buf_adds(&w, "(không có)");
	if (!t->parent)
		diag_error(d, t->file, line, "câu ví dụ \"%s\" của chủ đề '%s' lại "
		    "mở phần '%s' (%.2f; từ chung: %s)" DIAG_FIX "nếu câu này hỏi "
		    "đúng phần đó, chuyển dòng 'ask:' xuống dưới '=== %s'; nếu "
		    "không, viết 'keywords:'/'match:' của phần chặt hơn", q, t->id,
		    r->topic->id, r->score, w.data, r->topic->section);
	else if (!r->topic->parent)
		diag_error(d, t->file, line, "câu ví dụ \"%s\" của phần '%s' lại mở "
		    "hướng dẫn chung của chủ đề '%s' (%.2f; từ chung: %s)" DIAG_FIX
		    "thêm vào phần những từ riêng của nó ('keywords:', 'match:'), "
		    "hoặc chuyển câu ví dụ này lên chủ đề nếu câu hỏi là chung", q,
		    t->id, r->topic->id, r->score, w.data);
	else
		diag_error(d, t->file, line, "câu ví dụ \"%s\" của phần '%s' lại mở "
		    "phần '%s' (%.2f; từ chung: %s): hai phần giống nhau quá"
		    DIAG_FIX "thêm từ riêng cho từng phần ('keywords:', 'match:', "
		    "'not:')", q, t->id, r->topic->id, r->score, w.data);
	buf_release(&w);
}

static void
check_example(struct diag *d, struct kb *kb, const struct kb_topic *t,
    size_t j)
{
	const char *q = t->asks[j];
	struct match_result r;
	int nl;

	match_run(kb, q, strlen(q), &r);
	if (r.action == MATCH_ANSWER && r.topic == t)
		return;
	/* its own 'not:' rules it out: nothing else matters */
	if ((nl = kb_hit_line(kb, q, t, true)) != 0) {
		diag_error(d, t->file, t->ask_lines[j], "câu ví dụ \"%s\" bị chính "
		    "dòng 'not:' ở dòng %d của '%s' loại ra" DIAG_FIX "viết dòng "
		    "'not:' đó hẹp hơn, hoặc bỏ câu ví dụ này nếu '%s' thật sự không "
		    "trả lời câu ấy", q, nl, t->id, t->id);
		return;
	}
	if (r.action == MATCH_FALLBACK || !r.topic)
		diag_error(d, t->file, t->ask_lines[j], "câu ví dụ \"%s\" không "
		    "được trả lời (điểm cao nhất %.2f, cần %.2f)" DIAG_FIX "thêm "
		    "cho '%s' một dòng 'keywords:' với các từ chính của câu, hoặc "
		    "một dòng 'match:'", q, r.score, MATCH_ANSWER_MIN, t->id);
	else if (r.topic != t && kb_root(r.topic) == kb_root(t))
		family_error(d, kb, t, j, &r);
	else
		collision(d, kb, t, j, &r);
}

int
cmd_check(struct cmd_ctx *cx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kb", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir;
	struct diag d;
	struct kb *kb;
	size_t i, j, nex = 0, ntopics = 0, nsections = 0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
		if (c != 'k')
			return cmd_usage("check");
		cx->kb_dir = optarg;
	}
	if (optind != argc)
		return cmd_usage("check");
	dir = cmd_kb_dir(cx->kb_dir);
	diag_init(&d);
	kb = kb_load(dir, &d);
	if (kb)
		(void)systext_absent(dir, &d);
	if (kb) {
		for (i = 0; i < kb_count(kb); i++) {
			const struct kb_topic *t = kb_topic(kb, i);

			if (t->system)
				continue;
			if (t->parent)
				nsections++;
			else
				ntopics++;
			for (j = 0; j < t->nasks; j++, nex++)
				check_example(&d, kb, t, j);
		}
	}
	fputs(d.text.data, stderr);
	printf("%s: %zu chủ đề, %zu phần, đã thử %zu câu ví dụ: %zu lỗi, "
	    "%zu cảnh báo\n", dir, ntopics, nsections, nex, d.nerr, d.nwarn);
	rc = d.nerr ? 1 : 0;
	diag_release(&d);
	kb_free(kb);
	return rc;
}
