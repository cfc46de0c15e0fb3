#include "kb_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "schedule.h"
#include "text.h"
#include "util.h"

#define KB_MAX_PATTERN_LEN 2000
#define KB_PARENS_LIMIT 50
#define KB_MATCH_LIMIT 100000
#define KB_HEAP_LIMIT_KIB 2048
#define KB_MAX_STEPS_PER_PAGE 8

enum { F_TITLE, F_KEYWORDS, F_ASK, F_MATCH, F_NOT, F_LINK, F_SEE, F_MENU,
	F_SOURCE, F_EVIDENCE, F_REVIEWED, F_PRIORITY, F_ANSWER };

static const char *const keys[] = {
	[F_TITLE] = "title", [F_KEYWORDS] = "keywords", [F_ASK] = "ask",
	[F_MATCH] = "match", [F_NOT] = "not", [F_LINK] = "link",
	[F_SEE] = "see", [F_MENU] = "menu", [F_SOURCE] = "source",
	[F_EVIDENCE] = "evidence", [F_REVIEWED] = "reviewed", [F_PRIORITY] = "priority",
	[F_ANSWER] = "answer",
};

/* What a section may say itself; the rest it inherits from its topic. */
#define SECTION_KEYS ((1u << F_TITLE) | (1u << F_KEYWORDS) | (1u << F_ASK) | \
	(1u << F_MATCH) | (1u << F_NOT) | (1u << F_LINK) | (1u << F_ANSWER))

struct parse {
	struct kb *kb;
	struct diag *d;
	const char *path;
	pcre2_compile_context *cctx;
};

static bool
valid_id(const char *s)
{
	bool part = false;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (islower((unsigned char)*s) || isdigit((unsigned char)*s) ||
		    *s == '_') {
			part = true;
		} else if (*s == '.' && part) {
			part = false;
		} else {
			return false;
		}
	}
	return part;
}

/* A section's name: "quen_mat_khau", "phi", "doi_so_2". */
static bool
valid_section_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) &&
		    *s != '_')
			return false;
	return true;
}

static bool
valid_url(const char *u)
{
	const char *h, *p;
	bool dot = false;

	if (strncmp(u, "https://", 8) == 0)
		h = u + 8;
	else if (strncmp(u, "http://", 7) == 0)
		h = u + 7;
	else
		return false;
	for (p = h; *p && *p != '/' && *p != '?' && *p != '#'; p++) {
		if (*p == '.')
			dot = true;
		else if (!isalnum((unsigned char)*p) && *p != '-' && *p != ':')
			return false;
	}
	if (p == h || !dot || h[0] == '.' || p[-1] == '.')
		return false;
	for (; *p; p++)
		if ((unsigned char)*p <= ' ' || *p == '"' || *p == '<' || *p == '>')
			return false;
	return true;
}

void
kb_today(char out[11])
{
	const char *env = getenv("HOIDAP_TODAY");
	time_t now;
	struct tm tm;

	if (env && date_parse(env) >= 0) {
		memcpy(out, env, 10);
		out[10] = '\0';
		return;
	}
	/* The wards are in Asia/Ho_Chi_Minh: UTC+7, no daylight saving. */
	now = time(NULL) + 7 * 3600;
	gmtime_r(&now, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

void
kb_now_hhmm(char out[6])
{
	const char *env = getenv("HOIDAP_NOW");
	time_t now;
	struct tm tm;

	if (env && strlen(env) == 5 && isdigit((unsigned char)env[0]) &&
	    isdigit((unsigned char)env[1]) && env[2] == ':' &&
	    isdigit((unsigned char)env[3]) && isdigit((unsigned char)env[4]) &&
	    atoi(env) < 24 && atoi(env + 3) < 60) {
		memcpy(out, env, 5);
		out[5] = '\0';
		return;
	}
	/* Same zone as kb_today(): UTC+7, no daylight saving. */
	now = time(NULL) + 7 * 3600;
	gmtime_r(&now, &tm);
	strftime(out, 6, "%H:%M", &tm);
}

static void
strv_push(char ***v, size_t *n, char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = s;
}

static void
split_list(char ***v, size_t *n, const char *s)
{
	char *copy = xstrdup(s), *p = copy, *tok;

	while ((tok = strsep(&p, ",")) != NULL) {
		tok = str_trim(tok);
		if (*tok)
			strv_push(v, n, xstrdup(tok));
	}
	free(copy);
}

static pcre2_code *
compile_one(struct parse *ps, int line, const char *what, const char *src,
    bool *ok)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *re;

	re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_NO_UTF_CHECK, &err,
	    &off, ps->cctx);
	if (!re) {
		PCRE2_UCHAR msg[256];

		pcre2_get_error_message(err, msg, sizeof(msg));
		if (*ok)
			diag_error(ps->d, ps->path, line,
			    "invalid %s pattern: %s at offset %zu", what, (char *)msg,
			    (size_t)off);
		*ok = false;
		return NULL;
	}
	/* JIT comes later, for the patterns that are tried often (match.c). */
	return re;
}

static int
add_pattern(struct parse *ps, struct kb_pattern **v, size_t *n, int line,
    const char *what, const char *src)
{
	struct kb_pattern p = { 0 };
	char *ex, *fo;
	bool ok = true;

	if (!*src) {
		diag_error(ps->d, ps->path, line, "empty %s pattern", what);
		return -1;
	}
	ex = text_pattern_exact(src);
	fo = text_pattern_fold(src);
	if (!ex || !fo) {
		diag_error(ps->d, ps->path, line, "pattern is not valid UTF-8");
		free(ex);
		free(fo);
		return -1;
	}
	p.src = xstrdup(src);
	p.line = line;
	if (strcmp(ex, fo) != 0)
		p.exact = compile_one(ps, line, what, ex, &ok);
	p.folded = compile_one(ps, line, what, fo, &ok);
	free(ex);
	free(fo);
	if (!ok) {
		pcre2_code_free(p.exact);
		pcre2_code_free(p.folded);
		free(p.src);
		return -1;
	}
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = p;
	return 0;
}

static void
topic_free(struct kb_topic_int *ti)
{
	struct kb_topic *t = &ti->pub;
	size_t i;

	free(t->id);
	free(t->title);
	free(t->source);
	for (i = 0; i < t->nevidence; i++)
		free(t->evidence[i]);
	free(t->evidence);
	free(t->reviewed);
	free(t->file);
	for (i = 0; i < t->npages; i++)
		free(t->pages[i]);
	free(t->pages);
	free(t->page_steps);
	free(t->sections);
	for (i = 0; i < t->nlinks; i++) {
		free(t->links[i].label);
		free(t->links[i].url);
	}
	free(t->links);
	for (i = 0; i < t->nsee; i++)
		free(t->see[i]);
	free(t->see);
	for (i = 0; i < t->nmenu; i++)
		free(t->menu[i]);
	free(t->menu);
	for (i = 0; i < t->nasks; i++)
		free(t->asks[i]);
	free(t->asks);
	free(t->ask_lines);
	for (i = 0; i < t->nkeywords; i++)
		free(t->keywords[i]);
	free(t->keywords);
	for (i = 0; i < ti->nmatch; i++) {
		free(ti->match[i].src);
		pcre2_code_free(ti->match[i].exact);
		pcre2_code_free(ti->match[i].folded);
	}
	free(ti->match);
	for (i = 0; i < ti->nnot; i++) {
		free(ti->not[i].src);
		pcre2_code_free(ti->not[i].exact);
		pcre2_code_free(ti->not[i].folded);
	}
	free(ti->not);
	free(ti->feats);
}

/* Cuts the answer into pages at "---" lines; counts steps per page. */
static void
set_answer(struct parse *ps, struct kb_topic_int *ti, struct buf *ans,
    int ans_line)
{
	struct kb_topic *t = &ti->pub;
	char *copy = xstrdup(ans->data), *p = copy, *line;
	struct buf page;
	int steps = 0, page_line = ans_line, lineno = ans_line;

	buf_init(&page, BUF_CAP_REPLY);
	for (;;) {
		line = strsep(&p, "\n");
		if (!line || strcmp(str_trim(line), "---") == 0) {
			while (page.len && (page.data[page.len - 1] == '\n' ||
			    page.data[page.len - 1] == ' '))
				page.data[--page.len] = '\0';
			if (page.len) {
				char *s = buf_take(&page), *q = s;

				while (*q == '\n')
					q++;
				t->page_steps = xrealloc(t->page_steps,
				    (t->npages + 1) * sizeof(*t->page_steps));
				t->page_steps[t->npages] = steps;
				strv_push(&t->pages, &t->npages, xstrdup(q));
				free(s);
				if (steps > KB_MAX_STEPS_PER_PAGE)
					diag_warn(ps->d, ps->path, page_line,
					    "'%s': a page has %d steps; split it with a '---' "
					    "line (at most %d per message)", t->id, steps,
					    KB_MAX_STEPS_PER_PAGE);
			}
			buf_reset(&page);
			steps = 0;
			page_line = lineno + 1;
			if (!line)
				break;
			lineno++;
			continue;
		}
		lineno++;
		if (line[0] == '\x01')
			continue;       /* a comment line */
		{
			char *s = line;

			while (*s == ' ')
				s++;
			/* "1. Mở", "10. Bấm"; not "2.5 triệu" */
			if (isdigit((unsigned char)*s)) {
				s += 1 + !!isdigit((unsigned char)s[1]);
				if (s[0] == '.' && (s[1] == ' ' || s[1] == '\0'))
					steps++;
			}
		}
		if (!page.len && !*str_trim(line))
			continue;
		(void)buf_adds(&page, line);
		(void)buf_addc(&page, '\n');
	}
	buf_release(&page);
	free(copy);
}

static void
finish_topic(struct parse *ps, struct kb_topic_int *ti, struct buf *ans,
    bool have_answer, int ans_line)
{
	struct kb_topic *t = &ti->pub;
	const char *p = ps->path;
	int l = t->line;

	if (ti->parent_i >= 0) {
		/* source, reviewed … come from the topic, checked there */
		if (!t->title)
			diag_error(ps->d, p, l, "phần '%s' chưa có 'title:' (tên ngắn "
			    "hiện trên nút chọn, ví dụ 'title: Quên mật khẩu VssID')",
			    t->id);
		if (!have_answer) {
			diag_error(ps->d, p, l, "phần '%s' chưa có 'answer:' (dòng cuối "
			    "của phần; nội dung trả lời viết ngay dưới nó)", t->id);
			return;
		}
		set_answer(ps, ti, ans, ans_line);
		if (!t->npages)
			diag_error(ps->d, p, ans_line, "phần '%s': câu trả lời trống",
			    t->id);
		return;
	}
	if (!t->title)
		diag_error(ps->d, p, l, "topic '%s' has no 'title:'", t->id);
	if (!t->system && !t->source)
		diag_error(ps->d, p, l, "topic '%s' has no 'source:'", t->id);
	if (!t->system && !t->reviewed) {
		diag_error(ps->d, p, l, "topic '%s' has no 'reviewed:' date", t->id);
	}
	if (!t->system && !t->nasks && !t->nkeywords && !ti->nmatch)
		diag_error(ps->d, p, l, "topic '%s' has nothing to match on (add "
		    "'ask:', 'keywords:' or 'match:' lines)", t->id);
	if (!have_answer) {
		/* sys.menu and the like: a list of command words, nothing to say */
		if (t->system && t->nkeywords)
			return;
		diag_error(ps->d, p, l, "topic '%s' has no 'answer:'", t->id);
		return;
	}
	set_answer(ps, ti, ans, ans_line);
	if (!t->npages)
		diag_error(ps->d, p, ans_line, "topic '%s': the answer is empty",
		    t->id);
}

static int
find_key(const char *k)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(keys); i++)
		if (strcmp(keys[i], k) == 0)
			return (int)i;
	return -1;
}

static struct kb_topic_int *
find_topic(struct kb *kb, const char *id)
{
	size_t i;

	for (i = 0; i < kb->n; i++)
		if (strcmp(kb->t[i].pub.id, id) == 0)
			return &kb->t[i];
	return NULL;
}

/*
 * Residents read the source line under every guide, so it must be a short,
 * public name ("vneid.gov.vn; Bộ Công an"); the long trail of pages that
 * backs a guide belongs in 'evidence:', which only admins read.
 */
#define KB_SOURCE_MAX_CHARS 80

/* The first word of s that names a file of ours ("services.md"), or NULL. */
static const char *
internal_name(const char *s)
{
	static char hit[64];
	static const char *const ext[] = { ".md", ".tsv", ".txt", ".c", ".h",
	    ".py", ".sh" };
	const char *w = s;

	while (*w) {
		size_t n = strcspn(w, " \t,;()\"'");
		size_t i, el;

		for (i = 0; n && i < ARRAY_SIZE(ext); i++) {
			el = strlen(ext[i]);
			/* "x.md" but not "https://a.vn/x.md.html" or a bare ".md" */
			if (n > el && strncmp(w + n - el, ext[i], el) == 0 &&
			    !memchr(w, '/', n)) {
				snprintf(hit, sizeof(hit), "%.*s", (int)n, w);
				return hit;
			}
		}
		if (n >= 6 && strncmp(w, "/work/", 6) == 0) {
			snprintf(hit, sizeof(hit), "%.*s", (int)(n < 60 ? n : 60), w);
			return hit;
		}
		w += n;
		w += strspn(w, " \t,;()\"'");
	}
	return NULL;
}

static int
check_source(struct parse *ps, const char *val, int lineno)
{
	size_t chars = 0;
	const char *c;

	for (c = val; *c; c++)
		chars += ((unsigned char)*c & 0xC0) != 0x80;
	if (internal_name(val)) {
		diag_error(ps->d, ps->path, lineno, "'source:' nêu tên một tệp nội "
		    "bộ (%s): người dân chỉ cần tên trang công khai, ví dụ "
		    "'vneid.gov.vn; Bộ Công an'", internal_name(val));
		return -1;
	}
	if (chars > KB_SOURCE_MAX_CHARS) {
		diag_error(ps->d, ps->path, lineno, "'source:' dài %zu ký tự (tối đa "
		    "%d): người dân chỉ đọc tên trang, ví dụ 'vneid.gov.vn; Bộ Công "
		    "an'; các trang, bài báo chi tiết ghi vào dòng 'evidence:'",
		    chars, KB_SOURCE_MAX_CHARS);
		return -1;
	}
	return 0;
}

static void
key_line(struct parse *ps, struct kb_topic_int *ti, int k, char *val,
    int lineno, long today)
{
	struct kb_topic *t = &ti->pub;
	char **single = NULL;

	switch (k) {
	case F_TITLE:
		single = &t->title;
		break;
	case F_SOURCE:
		/* kept even when rejected: one error, not a second "no source" */
		(void)check_source(ps, val, lineno);
		single = &t->source;
		break;
	case F_EVIDENCE:
		if (!*val) {
			diag_error(ps->d, ps->path, lineno, "'evidence:' trống");
			return;
		}
		if (internal_name(val))
			diag_error(ps->d, ps->path, lineno, "'evidence:' nêu tên một "
			    "tệp nội bộ (%s): ghi trang công khai (địa chỉ web, văn bản) "
			    "thay vào", internal_name(val));
		strv_push(&t->evidence, &t->nevidence, xstrdup(val));
		return;
	case F_REVIEWED: {
		long dd = date_parse(val);

		if (t->reviewed) {
			diag_error(ps->d, ps->path, lineno, "'reviewed:' given twice");
			return;
		}
		if (dd < 0) {
			diag_error(ps->d, ps->path, lineno,
			    "invalid date '%s' (write YYYY-MM-DD, e.g. 2026-11-28)", val);
			return;
		}
		t->reviewed = xstrdup(val);
		if (dd > today)
			diag_warn(ps->d, ps->path, lineno,
			    "'reviewed: %s' is in the future", val);
		else if (today - dd > KB_STALE_DAYS)
			diag_warn(ps->d, ps->path, lineno,
			    "'%s' was last reviewed %ld days ago (%s): check it is still "
			    "correct", t->id, today - dd, val);
		return;
	}
	case F_KEYWORDS:
		split_list(&t->keywords, &t->nkeywords, val);
		return;
	case F_ASK:
		if (!*val) {
			diag_error(ps->d, ps->path, lineno, "empty 'ask:'");
			return;
		}
		strv_push(&t->asks, &t->nasks, xstrdup(val));
		t->ask_lines = xrealloc(t->ask_lines, t->nasks * sizeof(int));
		t->ask_lines[t->nasks - 1] = lineno;
		return;
	case F_MATCH:
		(void)add_pattern(ps, &ti->match, &ti->nmatch, lineno, "match", val);
		return;
	case F_NOT:
		(void)add_pattern(ps, &ti->not, &ti->nnot, lineno, "not", val);
		return;
	case F_LINK: {
		char *bar = strchr(val, '|'), *label, *url;

		if (!bar) {
			diag_error(ps->d, ps->path, lineno,
			    "expected 'link: label | https://…'");
			return;
		}
		*bar = '\0';
		label = str_trim(val);
		url = str_trim(bar + 1);
		if (!*label) {
			diag_error(ps->d, ps->path, lineno, "link has no label");
			return;
		}
		if (!valid_url(url)) {
			diag_error(ps->d, ps->path, lineno, "malformed URL '%s'", url);
			return;
		}
		if (strncmp(url, "http://", 7) == 0)
			diag_warn(ps->d, ps->path, lineno,
			    "'%s' is not https; prefer the https address", url);
		t->links = xrealloc(t->links, (t->nlinks + 1) * sizeof(*t->links));
		t->links[t->nlinks].label = xstrdup(label);
		t->links[t->nlinks++].url = xstrdup(url);
		return;
	}
	case F_SEE:
		ti->see_line = lineno;
		split_list(&t->see, &t->nsee, val);
		return;
	case F_MENU:
		ti->menu_line = lineno;
		split_list(&t->menu, &t->nmenu, val);
		return;
	case F_PRIORITY:
		if (strcmp(val, "high") == 0)
			t->priority = true;
		else if (strcmp(val, "normal") != 0)
			diag_error(ps->d, ps->path, lineno, "'priority:' is 'high' or "
			    "'normal', not '%s'", val);
		return;
	default:
		return;
	}
	if (*single) {
		diag_error(ps->d, ps->path, lineno, "'%s:' given twice", keys[k]);
		return;
	}
	if (!*val) {
		diag_error(ps->d, ps->path, lineno, "empty '%s:'", keys[k]);
		return;
	}
	*single = xstrdup(val);
}

/* A header line "== id" (level 2) or "=== name" (level 3); else 0. */
static int
header_level(const char *line)
{
	int n = 0;

	while (line[n] == '=')
		n++;
	if ((n == 2 || n == 3) && (line[n] == ' ' || line[n] == '\t' ||
	    line[n] == '\0'))
		return n;
	return 0;
}

static struct kb_topic_int *
new_entry(struct kb *kb, const char *id, const char *path, int lineno)
{
	struct kb_topic_int *ti;

	kb->t = xgrow(kb->t, &kb->alloc, kb->n + 1, sizeof(*kb->t));
	ti = &kb->t[kb->n++];
	memset(ti, 0, sizeof(*ti));
	ti->parent_i = -1;
	ti->pub.id = xstrdup(id);
	ti->pub.file = xstrdup(path);
	ti->pub.line = lineno;
	return ti;
}

/*
 * "=== name" inside topic kb->t[top]: a new entry "topic#name" holding
 * copies of what a section inherits. NULL when the line is rejected.
 */
static struct kb_topic_int *
new_section(struct parse *ps, long top, const char *name, int lineno)
{
	struct kb *kb = ps->kb;
	struct kb_topic_int *ti, *tp = &kb->t[top], *dup;
	char id[256];
	size_t i;

	if (tp->pub.system) {
		diag_error(ps->d, ps->path, lineno, "chủ đề hệ thống '%s' không chia "
		    "phần: bỏ dòng '=== %s'", tp->pub.id, name);
		return NULL;
	}
	if (!valid_section_name(name)) {
		diag_error(ps->d, ps->path, lineno, "tên phần '%s' không hợp lệ: chỉ "
		    "dùng chữ thường không dấu, chữ số và '_' (ví dụ '=== "
		    "quen_mat_khau')", name);
		return NULL;
	}
	snprintf(id, sizeof(id), "%s#%s", tp->pub.id, name);
	if (strlen(id) > KB_ID_MAX) {
		diag_error(ps->d, ps->path, lineno, "mã phần '%s' dài %zu byte, tối "
		    "đa %d (nút bấm trên Telegram chỉ chứa được chừng ấy): đặt tên "
		    "phần ngắn hơn", id, strlen(id), KB_ID_MAX);
		return NULL;
	}
	if ((dup = find_topic(kb, id)) != NULL) {
		diag_error(ps->d, ps->path, lineno, "chủ đề '%s' đã có phần '=== %s' "
		    "(dòng %d): đặt tên khác cho phần này", tp->pub.id, name,
		    dup->pub.line);
		return NULL;
	}
	ti = new_entry(kb, id, ps->path, lineno);
	tp = &kb->t[top];       /* new_entry may have moved the array */
	ti->parent_i = top;
	ti->pub.source = tp->pub.source ? xstrdup(tp->pub.source) : NULL;
	ti->pub.reviewed = tp->pub.reviewed ? xstrdup(tp->pub.reviewed) : NULL;
	for (i = 0; i < tp->pub.nevidence; i++)
		strv_push(&ti->pub.evidence, &ti->pub.nevidence,
		    xstrdup(tp->pub.evidence[i]));
	for (i = 0; i < tp->pub.nsee; i++)
		strv_push(&ti->pub.see, &ti->pub.nsee, xstrdup(tp->pub.see[i]));
	ti->pub.priority = tp->pub.priority;
	return ti;
}

static void
parse_file(struct parse *ps, char *data)
{
	struct kb *kb = ps->kb;
	struct kb_topic_int *cur = NULL;
	struct buf ans;
	bool in_answer = false, have_answer = false, seen_block = false;
	int lineno = 0, ans_line = 0, level;
	long top = -1;          /* the topic whose block we are in, or -1 */
	char *p = data, *line;
	char today_s[11];
	long today;

	kb_today(today_s);
	today = date_parse(today_s);
	buf_init(&ans, BUF_CAP_REPLY);
	while ((line = strsep(&p, "\n")) != NULL) {
		size_t ll;

		lineno++;
		ll = strlen(line);
		if (ll && line[ll - 1] == '\r')
			line[--ll] = '\0';
		if (lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
			line += 3;      /* Notepad's byte-order mark */
		if ((level = header_level(line)) != 0) {
			char *id = str_trim(line + level);

			if (cur)
				finish_topic(ps, cur, &ans, have_answer, ans_line);
			cur = NULL;
			buf_reset(&ans);
			in_answer = have_answer = false;
			if (level == 3) {
				if (!seen_block)
					diag_error(ps->d, ps->path, lineno, "dòng '=== %s' mở một "
					    "phần, nhưng phần phải nằm trong một chủ đề: viết nó "
					    "sau 'answer:' của khối '== id' (xem "
					    "knowledge/README.md)", id);
				else if (top >= 0)
					cur = new_section(ps, top, id, lineno);
				/* else: inside a block whose header was rejected */
				seen_block = true;
				continue;
			}
			seen_block = true;
			top = -1;
			if (!valid_id(id)) {
				diag_error(ps->d, ps->path, lineno, "invalid topic id '%s' "
				    "(lowercase letters, digits, '_', parts joined by '.')", id);
				continue;
			}
			/* a deep link still opens it, so a warning, not an error */
			if (strlen(id) > KB_ID_MAX)
				diag_warn(ps->d, ps->path, lineno, "mã chủ đề '%s' dài %zu "
				    "byte: nút bấm Telegram mở nó chỉ chứa được %d byte, nên "
				    "nút chọn chủ đề này sẽ không hiện; đặt mã ngắn hơn",
				    id, strlen(id), KB_ID_MAX);
			{
				struct kb_topic_int *dup = find_topic(kb, id);

				if (dup) {
					diag_error(ps->d, ps->path, lineno,
					    "duplicate topic id '%s' (first defined at %s:%d)", id,
					    dup->pub.file, dup->pub.line);
					continue;
				}
			}
			cur = new_entry(kb, id, ps->path, lineno);
			cur->pub.system = strncmp(id, "sys.", 4) == 0;
			top = (long)(kb->n - 1);
			continue;
		}
		if (line[0] == '#') {
			/* keeps line numbers right for warnings about the answer */
			if (in_answer && cur)
				(void)buf_adds(&ans, "\x01\n");
			continue;
		}
		if (in_answer) {
			if (cur) {
				(void)buf_adds(&ans, line);
				(void)buf_addc(&ans, '\n');
			}
			continue;
		}
		if (!*str_trim(line))
			continue;
		if (!seen_block) {
			diag_error(ps->d, ps->path, lineno, "not a knowledge file: expected "
			    "a topic starting with '== topic.id' (see knowledge/README.md)");
			break;
		}
		if (!cur)
			continue;       /* inside a block whose header was rejected */
		{
			char *colon = strchr(line, ':'), *k, *val;
			int key;

			if (!colon) {
				diag_error(ps->d, ps->path, lineno,
				    "expected 'key: value' (or a line starting with '#' for a "
				    "comment)");
				continue;
			}
			*colon = '\0';
			k = str_trim(line);
			val = str_trim(colon + 1);
			key = find_key(k);
			if (key < 0) {
				diag_error(ps->d, ps->path, lineno, "unknown key '%s:' (known: "
				    "title, keywords, ask, match, not, link, see, menu, source, "
				    "evidence, reviewed, priority, answer)", k);
				continue;
			}
			if (cur->parent_i >= 0 && !(SECTION_KEYS & (1u << key))) {
				diag_error(ps->d, ps->path, lineno, "'%s:' không dùng trong "
				    "một phần (===): phần lấy source, evidence, reviewed, see, "
				    "priority của chủ đề; ghi dòng này ở chủ đề '%s', trước "
				    "'answer:' của nó", k, kb->t[cur->parent_i].pub.id);
				continue;
			}
			if (key == F_ANSWER) {
				in_answer = have_answer = true;
				ans_line = lineno;
				if (*val) {
					(void)buf_adds(&ans, val);
					(void)buf_addc(&ans, '\n');
				}
				continue;
			}
			key_line(ps, cur, key, val, lineno, today);
		}
	}
	if (cur)
		finish_topic(ps, cur, &ans, have_answer, ans_line);
	buf_release(&ans);
}

static int
name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool
ends_with(const char *s, const char *suf)
{
	size_t a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

/*
 * Only regular files are read, and only up to BUF_CAP_FILE: opening a FIFO
 * waits for a writer (a reload froze the daemon), a device or a huge file
 * never ends. Anything else is reported, for the admins, and skipped. A
 * missing file is for the caller to judge (0, errno ENOENT); 1 if readable.
 */
static int
regular_file(const char *path, struct diag *d)
{
	struct stat sb;
	const char *what;

	if (stat(path, &sb) < 0)
		return 0;
	if (S_ISREG(sb.st_mode)) {
		if (sb.st_size <= (off_t)BUF_CAP_FILE)
			return 1;
		diag_error(d, path, 0, "không đọc: tệp quá lớn (%lld byte, tối đa "
		    "%d MB)", (long long)sb.st_size, BUF_CAP_FILE / (1024 * 1024));
		return -1;
	}
	what = S_ISFIFO(sb.st_mode) ? "ống FIFO" : S_ISDIR(sb.st_mode) ?
	    "thư mục" : S_ISSOCK(sb.st_mode) ? "socket" : "tệp thiết bị";
	diag_error(d, path, 0, "không đọc: đây là %s, không phải tệp văn bản; "
	    "hãy chuyển nó ra khỏi thư mục kho câu hỏi", what);
	return -1;
}

static void
load_stopwords(struct kb *kb, const char *path, struct diag *d)
{
	struct buf b;
	char *p, *line;
	int lineno = 0;

	if (regular_file(path, d) < 0)
		return;
	buf_init(&b, BUF_CAP_FILE);
	if (buf_read_file(&b, path) < 0) {
		if (errno != ENOENT)
			diag_error(d, path, 0, "cannot read: %s", strerror(errno));
		buf_release(&b);
		return;
	}
	if (text_utf8_invalid(b.data, b.len) >= 0) {
		diag_error(d, path, 0, "invalid UTF-8 (save the file as UTF-8)");
		buf_release(&b);
		return;
	}
	p = b.data;
	if (strncmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3;         /* Notepad's byte-order mark */
	while ((line = strsep(&p, "\n")) != NULL) {
		char *w, *tok;

		lineno++;
		w = str_trim(line);
		if (!*w || *w == '#')
			continue;
		while ((tok = strsep(&w, " ,")) != NULL) {
			char *f;

			if (!*tok)
				continue;
			f = text_fold_phrase(tok);
			if (*f && !strchr(f, ' ')) {
				kb->stop = xrealloc(kb->stop, (kb->nstop + 1) * sizeof(uint64_t));
				kb->stop[kb->nstop++] = kb_feat_key(FEAT_FOLD_UNI, f, strlen(f));
			} else if (*f) {
				diag_error(d, path, lineno, "'%s' is not one word", tok);
			}
			free(f);
		}
	}
	buf_release(&b);
}

/* Once every file is read the array no longer moves: pointers now. */
static void
link_sections(struct kb *kb)
{
	size_t i;

	for (i = 0; i < kb->n; i++) {
		struct kb_topic_int *ti = &kb->t[i];
		struct kb_topic *pt;

		if (ti->parent_i < 0)
			continue;
		pt = &kb->t[ti->parent_i].pub;
		ti->pub.parent = pt;
		ti->pub.section = strchr(ti->pub.id, '#') + 1;
		pt->sections = xrealloc(pt->sections,
		    (pt->nsections + 1) * sizeof(*pt->sections));
		pt->sections[pt->nsections++] = &ti->pub;
	}
}

static void
check_refs(struct kb *kb, struct diag *d)
{
	size_t i, j;

	for (i = 0; i < kb->n; i++) {
		struct kb_topic_int *ti = &kb->t[i];

		if (ti->parent_i >= 0)
			continue;       /* a section's see: is its topic's */

		for (j = 0; j < ti->pub.nsee; j++)
			if (!find_topic(kb, ti->pub.see[j]))
				diag_error(d, ti->pub.file, ti->see_line,
				    "'see:' names unknown topic '%s'", ti->pub.see[j]);
		for (j = 0; j < ti->pub.nmenu; j++)
			if (!find_topic(kb, ti->pub.menu[j]))
				diag_error(d, ti->pub.file, ti->menu_line,
				    "'menu:' names unknown topic '%s'", ti->pub.menu[j]);
		if (ti->pub.nmenu > 9)
			diag_error(d, ti->pub.file, ti->menu_line,
			    "a menu has at most 9 entries (one digit each)");
	}
}

struct kb *
kb_load(const char *dir, struct diag *d)
{
	struct kb *kb;
	struct parse ps = { 0 };
	DIR *dh;
	struct dirent *de;
	char **names = NULL;
	size_t nnames = 0, i;
	struct buf path;

	dh = opendir(dir);
	if (!dh) {
		diag_error(d, dir, 0, "cannot open knowledge directory: %s",
		    strerror(errno));
		return NULL;
	}
	while ((de = readdir(dh)) != NULL)
		if (de->d_name[0] != '.' && ends_with(de->d_name, ".txt"))
			strv_push(&names, &nnames, xstrdup(de->d_name));
	closedir(dh);
	if (nnames)
		qsort(names, nnames, sizeof(*names), name_cmp);

	kb = xcalloc(1, sizeof(*kb));
	kb->dir = xstrdup(dir);
	ps.kb = kb;
	ps.d = d;
	ps.cctx = pcre2_compile_context_create(NULL);
	pcre2_set_max_pattern_length(ps.cctx, KB_MAX_PATTERN_LEN);
	pcre2_set_parens_nest_limit(ps.cctx, KB_PARENS_LIMIT);
	kb->mctx = pcre2_match_context_create(NULL);
	pcre2_set_match_limit(kb->mctx, KB_MATCH_LIMIT);
	pcre2_set_heap_limit(kb->mctx, KB_HEAP_LIMIT_KIB);
	kb->md = pcre2_match_data_create(8, NULL);
	if (!ps.cctx || !kb->mctx || !kb->md)
		fatal("out of memory (pcre2 contexts)");

	buf_init(&path, 4096);
	/* The abbreviations shape how every text is read: load them first. */
	(void)buf_printf(&path, "%s/abbreviations.txt", dir);
	/* A missing table is allowed: nothing is expanded then. */
	if (regular_file(path.data, d) > 0)
		kb->abbrev = abbrev_load(path.data, d);
	buf_reset(&path);
	(void)buf_printf(&path, "%s/stopwords.txt", dir);
	load_stopwords(kb, path.data, d);
	buf_reset(&path);
	(void)buf_printf(&path, "%s/schedule.txt", dir);
	/* Optional: a ward without in-person sessions has no file, and the
	 * support-point answer is then shown as written. */
	if (regular_file(path.data, d) > 0) {
		char today[11], now[6];

		kb_today(today);
		kb_now_hhmm(now);
		kb->schedule = schedule_load(path.data, today, now, d);
	}

	for (i = 0; i < nnames; i++) {
		struct buf data;
		long bad;

		if (strcmp(names[i], "abbreviations.txt") == 0 ||
		    strcmp(names[i], "stopwords.txt") == 0 ||
		    strcmp(names[i], "schedule.txt") == 0)
			continue;
		buf_reset(&path);
		(void)buf_printf(&path, "%s/%s", dir, names[i]);
		if (regular_file(path.data, d) < 0)
			continue;
		buf_init(&data, BUF_CAP_FILE);
		if (buf_read_file(&data, path.data) < 0) {
			diag_error(d, path.data, 0, "cannot read: %s", strerror(errno));
			buf_release(&data);
			continue;
		}
		if (memchr(data.data, '\0', data.len)) {
			diag_error(d, path.data, 0, "not a knowledge file: it contains "
			    "binary data");
			buf_release(&data);
			continue;
		}
		bad = text_utf8_invalid(data.data, data.len);
		if (bad >= 0) {
			int ln = 1;
			long k;

			for (k = 0; k < bad; k++)
				if (data.data[k] == '\n')
					ln++;
			diag_error(d, path.data, ln, "invalid UTF-8 (save the file as "
			    "UTF-8; in Notepad: Save as → Encoding: UTF-8)");
			buf_release(&data);
			continue;
		}
		ps.path = path.data;
		parse_file(&ps, data.data);
		buf_release(&data);
	}
	for (i = 0; i < nnames; i++)
		free(names[i]);
	free(names);
	buf_release(&path);
	pcre2_compile_context_free(ps.cctx);
	link_sections(kb);
	check_refs(kb, d);
	kb_index_build(kb);
	kb_vocab_build(kb);
	return kb;
}

void
kb_free(struct kb *kb)
{
	size_t i;

	if (!kb)
		return;
	kb_index_free(kb);
	kb_vocab_free(kb);
	for (i = 0; i < kb->n; i++)
		topic_free(&kb->t[i]);
	free(kb->t);
	abbrev_free(kb->abbrev);
	free(kb->stop);
	schedule_free(kb->schedule);
	pcre2_match_data_free(kb->md);
	pcre2_match_context_free(kb->mctx);
	free(kb->dir);
	free(kb);
}

size_t
kb_count(const struct kb *kb)
{
	return kb->n;
}

const struct kb_topic *
kb_topic(const struct kb *kb, size_t i)
{
	return i < kb->n ? &kb->t[i].pub : NULL;
}

const struct kb_topic *
kb_find(const struct kb *kb, const char *id)
{
	struct kb_topic_int *ti = find_topic((struct kb *)kb, id);

	return ti ? &ti->pub : NULL;
}

const struct kb_topic *
kb_root(const struct kb_topic *t)
{
	return t && t->parent ? t->parent : t;
}

const struct schedule *
kb_schedule(const struct kb *kb)
{
	return kb->schedule;
}

const char *
kb_dir(const struct kb *kb)
{
	return kb->dir;
}

const char *
kb_system_text(const struct kb *kb, const char *id, const char *fallback)
{
	const struct kb_topic *t = kb_find(kb, id);

	return t && t->npages ? t->pages[0] : fallback;
}
