#include "conv.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "log.h"
#include "schedule.h"
#include "text.h"
#include "util.h"
#include "vocab.h"

#define MAIN_MENU "greeting"
#define HANDOFF "handoff.human"
#define SUPPORT_POINT "schedule.support_point"
/* Sessions listed before the support-point answer: enough to plan a week,
 * short enough to read on a phone. */
#define SCHEDULE_SHOW 5

void
conv_state_init(struct conv_state *s)
{
	memset(s, 0, sizeof(*s));
}

void
conv_reply_init(struct conv_reply *r)
{
	memset(r, 0, sizeof(*r));
	buf_init(&r->text, BUF_CAP_REPLY);
}

void
conv_reply_release(struct conv_reply *r)
{
	buf_release(&r->text);
}

static void
reply_reset(struct conv_reply *r)
{
	struct buf keep = r->text;

	memset(r, 0, sizeof(*r));
	r->text = keep;
	buf_reset(&r->text);
}

static void
add_opt(struct conv_reply *r, const struct kb *kb, const char *id)
{
	const struct kb_topic *t = kb_find(kb, id);
	int i;

	if (!t || r->nopt >= CONV_MAX_OPT)
		return;
	for (i = 0; i < r->nopt; i++)
		if (strcmp(r->opt[i].topic, id) == 0)
			return;
	snprintf(r->opt[r->nopt].topic, CONV_ID_MAX, "%s", id);
	r->opt[r->nopt].title = t->title;
	r->nopt++;
}

static void
remember_menu(struct conv_state *s, const struct conv_reply *r)
{
	int i;

	s->nmenu = r->nopt;
	for (i = 0; i < r->nopt; i++)
		snprintf(s->menu[i], CONV_ID_MAX, "%s", r->opt[i].topic);
}

/* "2026-11-28" -> "28/11/2026", the way residents read dates. */
static void
vn_date(char out[11], const char *iso)
{
	if (iso && strlen(iso) == 10)
		snprintf(out, 11, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
	else
		snprintf(out, 11, "%s", iso ? iso : "");
}

/*
 * The hint under a page that continues. "Do the steps, then type tiếp" fits
 * a page of numbered steps; after a page that is only read, the resident
 * has nothing to finish first.
 */
static const char *
more_hint(struct kb *kb, const struct kb_topic *t, int page)
{
	if (t->page_steps && t->page_steps[page] > 0)
		return kb_system_text(kb, "sys.more", "Dạ, hướng dẫn còn tiếp: bác "
		    "làm xong các bước trên rồi gõ \"tiếp\" để xem phần sau ạ.");
	return kb_system_text(kb, "sys.more_read", "Dạ, hướng dẫn còn tiếp: bác "
	    "gõ \"tiếp\" để xem phần sau ạ.");
}

/*
 * The options under a page. A section ends on its topic's main guide and
 * the other sections, so the rest of the topic stays one digit away; a
 * topic with sections offers them on its first page (the resident may
 * want just one part) and again at the end.
 */
static void
page_options(struct kb *kb, const struct kb_topic *t, bool first, bool last,
    struct conv_reply *r)
{
	const struct kb_topic *root = kb_root(t);
	size_t i;

	if (t->nmenu) {
		for (i = 0; i < t->nmenu; i++)
			add_opt(r, kb, t->menu[i]);
		return;
	}
	if (t->parent && last)
		add_opt(r, kb, root->id);
	if ((t->parent && last) || (!t->parent && (first || last)))
		for (i = 0; i < root->nsections; i++)
			if (root->sections[i] != t)
				add_opt(r, kb, root->sections[i]->id);
	if (last)
		for (i = 0; i < t->nsee; i++)
			add_opt(r, kb, t->see[i]);
}

static void
show_page(struct kb *kb, struct conv_state *s, const struct kb_topic *t,
    int page, struct conv_reply *r)
{
	size_t i;
	bool last = (size_t)page + 1 >= t->npages;

	r->kind = t->nmenu ? CONV_MENU : CONV_ANSWER;
	r->topic = t;
	if (page == 0 && kb_schedule(kb) && strcmp(t->id, SUPPORT_POINT) == 0) {
		/* "When and where" is answered by the ward's own dates first;
		 * the topic's general advice follows. */
		char today[11], now[6];

		clock_today(today);
		clock_hhmm(now);
		if (schedule_reply(kb_schedule(kb), today, now, SCHEDULE_SHOW,
		    &r->text) == 0)
			buf_adds(&r->text, "\n\n");
	}
	buf_adds(&r->text, t->pages[page]);
	if (last) {
		if (t->nlinks)
			buf_addc(&r->text, '\n');
		for (i = 0; i < t->nlinks; i++)
			buf_printf(&r->text, "\n👉 %s: %s", t->links[i].label,
			    t->links[i].url);
		if (!t->system && t->source && t->nmenu == 0) {
			char d[11];

			vn_date(d, t->reviewed);
			buf_printf(&r->text, "\n\nNguồn: %s · cập nhật %s",
			    t->source, d);
		}
	} else {
		r->more = true;
		buf_printf(&r->text, "\n\n%s", more_hint(kb, t, page));
	}
	snprintf(s->topic, CONV_ID_MAX, "%s", t->id);
	s->page = page;
	page_options(kb, t, page == 0, last, r);
	if (strcmp(t->id, HANDOFF) == 0)
		r->handoff = true;
	remember_menu(s, r);
}

/*
 * Every reply ends here. A text that went past its cap (a page near
 * BUF_CAP_REPLY with its links and hint after it, a long notice) has
 * failed as a whole (buf.h): the resident gets a short notice and a
 * person instead, never the part that fitted.
 */
static void
finish(struct kb *kb, struct conv_state *s, struct conv_reply *r)
{
	struct match_result m = r->match;
	bool matched = r->matched;

	if (!buf_failed(&r->text))
		return;
	log_error("conv: the reply (%s) is over %zu bytes: a notice goes "
	    "instead", r->topic ? r->topic->id : "-", r->text.cap);
	reply_reset(r);
	r->match = m;
	r->matched = matched;
	r->kind = CONV_NOTICE;
	buf_adds(&r->text, kb_system_text(kb, "sys.too_long", "Dạ, cháu "
	    "xin lỗi, câu trả lời này dài quá nên cháu chưa gửi được ạ. Bác chọn "
	    "1 để gặp người hỗ trợ, hoặc gõ 0 để về menu chính."));
	add_opt(r, kb, HANDOFF);
	s->topic[0] = '\0';
	remember_menu(s, r);
}

static int
open_topic(struct kb *kb, struct conv_state *s, const char *topic_id,
    struct conv_reply *r)
{
	const struct kb_topic *t = kb_find(kb, topic_id);

	reply_reset(r);
	if (!t || t->system || !t->npages)
		return -1;
	s->fallbacks = 0;
	show_page(kb, s, t, 0, r);
	return 0;
}

int
conv_open(struct kb *kb, struct conv_state *s, const char *topic_id,
    struct conv_reply *r)
{
	int rc = open_topic(kb, s, topic_id, r);

	finish(kb, s, r);
	return rc;
}

/*
 * Lower-cased, folded, trimmed command word ("Tiếp!" -> "tiep"). Commands
 * are a word or two: a longer message is a question, and is not normalized
 * here only to be normalized again by the matcher.
 */
#define COMMAND_MAX_BYTES 32

static void
command_word(const char *msg, char *out, size_t n)
{
	char *f;

	out[0] = '\0';
	if (strlen(msg) > COMMAND_MAX_BYTES)
		return;
	f = text_fold_phrase(msg);
	snprintf(out, n, "%s", f);
	free(f);
}

static bool
is_digit_reply(const char *w, int *d)
{
	if (w[0] >= '0' && w[0] <= '9' && w[1] == '\0') {
		*d = w[0] - '0';
		return true;
	}
	return false;
}

/*
 * Two questions in one message ("cài vneid, còn quên mk vssid thì sao?"):
 * each part is matched alone, and the guides it clearly asks for, other
 * than the one answered (same topic or its sections: one family), are
 * offered at the top of the options, so nothing the resident asked is
 * dropped. Parts are split at sentence punctuation and at "và", "với lại",
 * "còn" (typed with diacritics: "con" is also "child").
 */
static const char *const part_words[] = { "và", "va", "với lại", "voi lai",
    "còn", "ngoài ra", "ngoai ra", "thêm nữa", "them nua" };

static bool
same_family(const struct kb_topic *a, const struct kb_topic *b)
{
	size_t la = strcspn(a->id, "#"), lb = strcspn(b->id, "#");

	return la == lb && strncmp(a->id, b->id, la) == 0;
}

/* Splits msg into at most n parts (copies into buf); returns the count. */
static int
split_parts(const char *msg, char *buf, size_t bufsz, char *part[], int n)
{
	int np = 0;
	char *p, *start;
	size_t i;

	snprintf(buf, bufsz, "%s", msg);
	for (p = start = buf; *p && np < n;) {
		size_t cut = 0, skip = 0;

		if (strchr("?.;!\n", *p)) {
			cut = 1;
			skip = 1;
		} else if (*p == ' ' || *p == ',') {
			cut = 1;
			skip = 1;
			for (i = 0; i < ARRAY_SIZE(part_words); i++) {
				size_t l = strlen(part_words[i]);

				if (strncmp(p + 1, part_words[i], l) == 0 &&
				    (p[1 + l] == ' ' || p[1 + l] == ','))
					break;
			}
			if (i == ARRAY_SIZE(part_words)) {
				if (*p == ' ') {
					cut = 0;
				}
			} else {
				skip = 1 + strlen(part_words[i]);
			}
		}
		if (cut) {
			*p = '\0';
			if (*str_trim(start))
				part[np++] = str_trim(start);
			p += skip;
			start = p;
		} else {
			p++;
		}
	}
	if (np < n && *str_trim(start))
		part[np++] = str_trim(start);
	return np;
}

/* Words in s (a quick count: a part of one word asks nothing alone). */
static int
nwords(const char *s)
{
	int n = 0;
	bool in = false;

	for (; *s; s++) {
		if (*s == ' ')
			in = false;
		else if (!in) {
			in = true;
			n++;
		}
	}
	return n;
}

static int
other_parts(struct kb *kb, const char *msg, const struct kb_topic *answered,
    const struct kb_topic *out[CONV_MAX_PARTS])
{
	char buf[TEXT_MAX_INPUT + 1], *part[CONV_MAX_PARTS + 1];
	struct match_result m;
	int np, i, j, n = 0;

	if (!strpbrk(msg, "?.;!,\n") && !strstr(msg, " và ") &&
	    !strstr(msg, " va ") && !strstr(msg, " còn ") &&
	    !strstr(msg, " với lại "))
		return 0;
	np = split_parts(msg, buf, sizeof(buf), part, CONV_MAX_PARTS + 1);
	if (np < 2)
		return 0;
	for (i = 0; i < np && n < CONV_MAX_PARTS; i++) {
		bool dup = false;

		if (nwords(part[i]) < 2)
			continue;
		match_run(kb, part[i], strlen(part[i]), &m);
		if (m.action != MATCH_ANSWER || m.topic->nmenu)
			continue;
		if (answered && same_family(m.topic, answered))
			continue;
		for (j = 0; j < n; j++)
			if (same_family(out[j], m.topic))
				dup = true;
		if (!dup)
			out[n++] = m.topic;
	}
	return n;
}

/* The other parts' guides go first among the options, named in the text. */
static void
offer_first(struct kb *kb, struct conv_state *s, struct conv_reply *r,
    const struct kb_topic *const other[], int nother)
{
	struct conv_option keep[CONV_MAX_OPT];
	int nkeep = r->nopt, i;

	memcpy(keep, r->opt, sizeof(keep));
	r->nopt = 0;
	for (i = 0; i < nother; i++) {
		add_opt(r, kb, other[i]->id);
		buf_printf(&r->text, "\n\nBác còn hỏi về \"%s\": bác gõ số %d "
		    "để xem ạ.", other[i]->title, r->nopt);
	}
	for (i = 0; i < nkeep; i++)
		add_opt(r, kb, keep[i].topic);
	remember_menu(s, r);
}

static void
handle(struct kb *kb, struct conv_state *s, const char *msg,
    struct conv_reply *r)
{
	char w[64];
	const char *says;
	const struct kb_topic *other[CONV_MAX_PARTS];
	int d, nother;

	reply_reset(r);
	command_word(msg, w, sizeof(w));
	says = vocab_says(kb, msg);
	if (strcmp(w, "menu") == 0 || strcmp(w, "0") == 0 ||
	    strcmp(w, "quay lai") == 0 || strcmp(w, "start") == 0 ||
	    (says && strcmp(says, "sys.menu") == 0)) {
		if (open_topic(kb, s, MAIN_MENU, r) == 0)
			return;
	}
	if (says && strcmp(says, "sys.thanks") == 0) {
		/* the guide being read stays open: "tiếp" still continues it */
		s->fallbacks = 0;
		r->kind = CONV_NOTICE;
		buf_adds(&r->text, kb_system_text(kb, "sys.thanks",
		    "Dạ, không có gì ạ. Bác cần hỏi thêm gì cứ nhắn cháu nhé."));
		return;
	}
	if (strcmp(w, "tiep") == 0 || strcmp(w, "xem tiep") == 0 ||
	    strcmp(w, "tiep theo") == 0 || (says && strcmp(says, "sys.more") == 0)) {
		const struct kb_topic *t = s->topic[0] ? kb_find(kb, s->topic) : NULL;

		if (t && (size_t)s->page + 1 < t->npages) {
			show_page(kb, s, t, s->page + 1, r);
			return;
		}
		r->kind = CONV_NOTICE;
		buf_adds(&r->text, kb_system_text(kb, "sys.end",
		    "Dạ, hướng dẫn đã hết rồi ạ. Bác gõ câu hỏi khác, hoặc gõ 0 để "
		    "về menu chính."));
		return;
	}
	if (is_digit_reply(w, &d) && d >= 1) {
		if (d <= s->nmenu) {
			char id[CONV_ID_MAX];

			snprintf(id, sizeof(id), "%s", s->menu[d - 1]);
			if (open_topic(kb, s, id, r) == 0)
				return;
		}
		r->kind = CONV_NOTICE;
		if (s->nmenu)
			buf_printf(&r->text, "Dạ, bác chọn một số từ 1 đến %d, "
			    "hoặc gõ 0 để về menu chính ạ.", s->nmenu);
		else
			buf_adds(&r->text, "Dạ, bác gõ 0 để xem menu chính, "
			    "hoặc gõ câu hỏi của bác ạ.");
		return;
	}

	match_run(kb, msg, strlen(msg), &r->match);
	r->matched = true;
	nother = other_parts(kb, msg, r->match.action == MATCH_ANSWER ?
	    r->match.topic : NULL, other);
	if (r->match.action != MATCH_ANSWER && nother >= 2) {
		/* several questions, none clear as a whole: one choice each */
		int i;

		s->fallbacks = 0;
		r->kind = CONV_CLARIFY;
		buf_adds(&r->text, kb_system_text(kb, "sys.several",
		    "Dạ, bác hỏi mấy việc ạ. Bác gõ số để xem từng việc:"));
		for (i = 0; i < nother; i++)
			add_opt(r, kb, other[i]->id);
		add_opt(r, kb, HANDOFF);
		s->topic[0] = '\0';
		remember_menu(s, r);
		return;
	}
	if (r->match.action != MATCH_ANSWER && nother == 1) {
		/* the whole was unclear, one part was not: answer that part */
		s->fallbacks = 0;
		show_page(kb, s, other[0], 0, r);
		return;
	}
	switch (r->match.action) {
	case MATCH_ANSWER:
		s->fallbacks = 0;
		show_page(kb, s, r->match.topic, 0, r);
		if (nother)
			offer_first(kb, s, r, other, nother);
		return;
	case MATCH_CLARIFY: {
		size_t i;

		s->fallbacks = 0;
		r->kind = CONV_CLARIFY;
		buf_adds(&r->text, kb_system_text(kb, "sys.clarify",
		    "Dạ, có phải bác muốn hỏi một trong các việc sau không ạ? "
		    "Bác gõ số tương ứng:"));
		for (i = 0; i < r->match.ncand; i++)
			add_opt(r, kb, r->match.cand[i].topic->id);
		add_opt(r, kb, HANDOFF);
		s->topic[0] = '\0';
		remember_menu(s, r);
		return;
	}
	case MATCH_FALLBACK:
		s->fallbacks++;
		r->kind = CONV_FALLBACK;
		buf_adds(&r->text, kb_system_text(kb, "sys.fallback",
		    "Dạ, cháu chưa hiểu câu hỏi của bác. Bác gõ 0 để xem menu, "
		    "hoặc chọn 1 để gặp người hỗ trợ ạ."));
		add_opt(r, kb, HANDOFF);
		s->topic[0] = '\0';
		remember_menu(s, r);
		return;
	}
}

void
conv_handle(struct kb *kb, struct conv_state *s, const char *msg,
    struct conv_reply *r)
{
	handle(kb, s, msg, r);
	finish(kb, s, r);
}

void
conv_notice(struct kb *kb, struct conv_state *s, const char *text,
    struct conv_reply *r)
{
	reply_reset(r);
	r->kind = CONV_NOTICE;
	buf_adds(&r->text, text);
	add_opt(r, kb, HANDOFF);
	s->topic[0] = '\0';
	remember_menu(s, r);
	finish(kb, s, r);
}

int
conv_render_text(const struct conv_reply *r, struct buf *out)
{
	int i;

	buf_add(out, r->text.data, r->text.len);
	if (r->nopt) {
		if (r->kind == CONV_ANSWER)
			buf_adds(out, "\n\nXem thêm:");
		else
			buf_addc(out, '\n');
		for (i = 0; i < r->nopt; i++)
			buf_printf(out, "\n%d. %s", i + 1, r->opt[i].title);
	}
	if (r->kind != CONV_MENU)
		buf_adds(out, r->nopt ? "\n0. Về menu chính" :
		    "\n\n0. Về menu chính");
	return buf_failed(out) ? -1 : 0;
}

const char *
conv_action(enum conv_kind k)
{
	switch (k) {
	case CONV_FALLBACK:
		return "fallback";
	case CONV_CLARIFY:
		return "clarify";
	case CONV_NOTICE:
		return "notice";
	case CONV_ANSWER:
	case CONV_MENU:
		break;
	}
	return "answer";
}
