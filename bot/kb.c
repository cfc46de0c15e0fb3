#include "kb_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "buf.h"
#include "clock.h"
#include "index.h"
#include "prefilter.h"
#include "schedule.h"
#include "systext.h"
#include "text.h"
#include "util.h"
#include "vocab.h"

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

#define NKEYS (F_ANSWER + 1)
/* parent_i of a section whose topic was rejected */
#define GHOST_TOPIC (-2)

struct parse {
	struct kb *kb;
	struct diag *d;
	const char *path;
	pcre2_compile_context *cctx;
	char today_s[11];
	long today;
	/* the block being read */
	int seen[NKEYS];        /* first line of each key, 0 = none yet */
	int lost[NKEYS];        /* "key: …" below 'answer:', read as answer */
	int stray;              /* the line not "key: value" just reported */
	int guessed[NKEYS];     /* a line read as this key, reported as a typo */
	struct kb_topic_int ghost;      /* a block read but not kept */
	char top_id[256];       /* the id of its topic, as written */
	size_t block_off;       /* where its messages start in d->text */
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

/* PCRE2's message for the mistakes admins make, in Vietnamese. */
static const char *
pcre_error_vi(int err)
{
	switch (err) {
	case PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS:
		return "thiếu dấu ')' đóng ngoặc";
	case PCRE2_ERROR_UNMATCHED_CLOSING_PARENTHESIS:
		return "có dấu ')' mà không có '(' mở trước nó";
	case PCRE2_ERROR_MISSING_SQUARE_BRACKET:
		return "thiếu dấu ']' đóng ngoặc vuông";
	case PCRE2_ERROR_QUANTIFIER_INVALID:
		return "dấu '*', '+', '?' hoặc '{' đứng sau chỗ không lặp được "
		    "(ví dụ ngay sau '(' hoặc '|', hay ở đầu mẫu)";
	case PCRE2_ERROR_END_BACKSLASH:
		return "dấu '\\' ở cuối mẫu";
	case PCRE2_ERROR_CLASS_RANGE_ORDER:
		return "khoảng ký tự trong '[...]' bị ngược (như '[z-a]')";
	case PCRE2_ERROR_QUANTIFIER_OUT_OF_ORDER:
		return "số trong '{...}' bị ngược (như '{5,2}')";
	case PCRE2_ERROR_PARENTHESES_NEST_TOO_DEEP:
		return "lồng ngoặc quá sâu";
	case PCRE2_ERROR_PATTERN_STRING_TOO_LONG:
	case PCRE2_ERROR_PATTERN_TOO_LARGE:
		return "mẫu quá dài";
	default:
		return NULL;
	}
}

/*
 * A pattern never starts inside a word: "em" must not match the end of
 * "tiết kiệm", nor "cô" the "co" of "cong" once diacritics are folded.
 * Admins rarely think of \b, and Vietnamese syllables are whole words, so
 * the guard goes in front of every pattern here rather than into every
 * line of knowledge/ (a leading lookbehind: the prefilter, reading the
 * line as written, only ever sees less matched, never more).
 */
#define WORD_START "(?<![\\p{L}\\p{N}])(?:"
#define PLAIN_START "(?:"

static pcre2_code *
compile_wrapped(const char *pre, const char *src, size_t n,
    pcre2_compile_context *cctx)
{
	size_t g = strlen(pre);
	char *s = xmalloc(g + n + 2);
	pcre2_code *re;
	PCRE2_SIZE off;
	int err;

	memcpy(s, pre, g);
	memcpy(s + g, src, n);
	s[g + n] = ')';
	s[g + n + 1] = '\0';
	/* Only where a pattern matches is read, never what a group caught:
	 * without captures PCRE2's interpreter saves and copies far less per
	 * backtracking point (the exact forms, never JIT-compiled, ran a
	 * tenth faster; a memcpy of its frames was 8% of the slowest
	 * questions). A line that refers to a group by number (\1, (?1))
	 * needs them: as written then. */
	re = pcre2_compile((PCRE2_SPTR)s, g + n + 1, PCRE2_UTF | PCRE2_UCP |
	    PCRE2_CASELESS | PCRE2_NO_UTF_CHECK | PCRE2_NO_AUTO_CAPTURE, &err,
	    &off, cctx);
	if (!re)
		re = pcre2_compile((PCRE2_SPTR)s, g + n + 1, PCRE2_UTF |
		    PCRE2_UCP | PCRE2_CASELESS | PCRE2_NO_UTF_CHECK, &err, &off,
		    cctx);
	free(s);
	return re;
}

/*
 * The guard is left out where PCRE2 itself tries a match only at the
 * start of the text (or after a newline: "^...", ".*..." in every
 * branch), where the guard always holds. There it would cost more than a
 * test per position: a leading lookbehind hides the anchor from PCRE2,
 * which then tries "^(?!.*X).*" at every position and ".*X" from every
 * position (quadratic on a miss).
 */
pcre2_code *
kb_pattern_compile(const char *src, size_t n, pcre2_compile_context *cctx)
{
	pcre2_code *re;

	if (n > 0 && (src[0] == '^' || src[0] == '.') &&
	    (re = compile_wrapped(PLAIN_START, src, n, cctx))) {
		uint32_t opts = 0, first = 0;

		(void)pcre2_pattern_info(re, PCRE2_INFO_ALLOPTIONS, &opts);
		(void)pcre2_pattern_info(re, PCRE2_INFO_FIRSTCODETYPE, &first);
		if ((opts & PCRE2_ANCHORED) || first == 2)
			return re;
		pcre2_code_free(re);
	}
	return compile_wrapped(WORD_START, src, n, cctx);
}

pcre2_code *
kb_pattern_compile_anywhere(const char *src, size_t n)
{
	return compile_wrapped(PLAIN_START, src, n, NULL);
}

static pcre2_code *
compile_one(struct parse *ps, int line, const char *what, const char *src,
    bool *ok)
{
	int err;
	PCRE2_SIZE off;
	pcre2_code *re;

	if ((re = kb_pattern_compile(src, strlen(src), ps->cctx)))
		return re;
	/* again as written, so the error points into the admin's line */
	re = pcre2_compile((PCRE2_SPTR)src, PCRE2_ZERO_TERMINATED,
	    PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_NO_UTF_CHECK, &err,
	    &off, ps->cctx);
	if (re) {
		/* fine alone, not inside a group: an unclosed \Q or the like */
		pcre2_code_free(re);
		re = NULL;
		err = PCRE2_ERROR_MISSING_CLOSING_PARENTHESIS;
		off = strlen(src);
	}
	if (!re) {
		PCRE2_UCHAR msg[256];
		const char *vi = pcre_error_vi(err);
		size_t chars = 0, i;

		/* the offset is in bytes; an admin counts letters */
		for (i = 0; i < off && src[i]; i++)
			chars += ((unsigned char)src[i] & 0xC0) != 0x80;
		pcre2_get_error_message(err, msg, sizeof(msg));
		if (*ok)
			diag_error(ps->d, ps->path, line, "mẫu '%s:' viết sai%s%s "
			    "(PCRE2: %s, sau ký tự thứ %zu)" DIAG_FIX "sửa lại mẫu; "
			    "nếu không quen viết mẫu, xoá dòng này và thêm các từ của "
			    "câu hỏi vào 'keywords:' (xem knowledge/README.md, phần "
			    "\"không cần mẫu\")", what, vi ? ": " : "", vi ? vi : "",
			    (char *)msg, chars);
		*ok = false;
		return NULL;
	}
	/* JIT comes later, for the patterns that are tried often (match.c). */
	return re;
}

static struct kb_compiled *
compiled_slot(struct kb *kb, const char *src)
{
	size_t i;

	if ((kb->ncompiled + 1) * 2 > kb->compiled_mask + 1) {
		struct kb_compiled *old = kb->compiled;
		size_t n = old ? kb->compiled_mask + 1 : 0, k;

		kb->compiled_mask = n ? 2 * n - 1 : 63;
		kb->compiled = xcalloc(kb->compiled_mask + 1, sizeof(*kb->compiled));
		for (k = 0; k < n; k++) {
			if (!old[k].src)
				continue;
			for (i = hash64(old[k].src, strlen(old[k].src), 0) &
			    kb->compiled_mask; kb->compiled[i].src;
			    i = (i + 1) & kb->compiled_mask)
				;
			kb->compiled[i] = old[k];
		}
		free(old);
	}
	for (i = hash64(src, strlen(src), 0) & kb->compiled_mask;
	    kb->compiled[i].src && strcmp(kb->compiled[i].src, src) != 0;
	    i = (i + 1) & kb->compiled_mask)
		;
	return &kb->compiled[i];
}

struct kb_compiled *
kb_compiled_find(struct kb *kb, const char *src)
{
	struct kb_compiled *c;

	if (!kb->compiled)
		return NULL;
	c = compiled_slot(kb, src);
	return c->src ? c : NULL;
}

static void
compiled_free(struct kb *kb)
{
	size_t i;

	for (i = 0; kb->compiled && i <= kb->compiled_mask; i++) {
		if (!kb->compiled[i].src)
			continue;
		free(kb->compiled[i].src);
		free(kb->compiled[i].fold);
		pcre2_code_free(kb->compiled[i].exact);
		pcre2_code_free(kb->compiled[i].folded);
	}
	free(kb->compiled);
}

/* An empty message hits it: so does every message (a stray '|'). */
static bool
matches_empty(const pcre2_code *re)
{
	pcre2_match_data *md = pcre2_match_data_create(1, NULL);
	int rc;

	if (!md)
		fatal("out of memory");
	rc = pcre2_match(re, (PCRE2_SPTR)"", 0, 0, 0, md, NULL);
	pcre2_match_data_free(md);
	return rc >= 0;
}

/*
 * The exact form of a match: line runs only after a folded hit on letters
 * typed with marks, and most never run: it is compiled then (a third of
 * the load time was compiling them); the folded form of a not: line with
 * diacritics never runs (a veto needs the exact spelling), unless a
 * match: line shares it. Either waits only when it is certain to compile
 * whenever the other form does: when the two forms have the same syntax
 * (same: prefilter_same_shape) and the marked letters are all plain
 * literals (outside [...], and no group syntax but "(", "(?:", "(?=",
 * "(?!", "(?<=", "(?<!" that could hold a name), and the exact form is not
 * too long. Anything else is compiled now, so that `check` reports it.
 */
static bool
one_form_will_do(const char *ex, bool same)
{
	size_t i;
	bool marked = false;

	if (strlen(ex) + 64 > KB_MAX_PATTERN_LEN || !same)
		return false;
	for (i = 0; ex[i]; i++) {
		unsigned char c = (unsigned char)ex[i];

		if (c == '\\') {
			if (!ex[i + 1] || (unsigned char)ex[i + 1] >= 0x80 ||
			    strchr("QEkgNpPxoc", ex[i + 1]))
				return false;
			i++;
		} else if (c == '[') {
			return false;
		} else if (c == '(' && (ex[i + 1] == '*' || (ex[i + 1] == '?' &&
		    !strchr(":=!", ex[i + 2]) && !(ex[i + 2] == '<' &&
		    (ex[i + 3] == '=' || ex[i + 3] == '!'))))) {
			return false;
		} else if (c >= 0x80) {
			marked = true;
		}
	}
	return marked;
}

pcre2_code *
kb_exact(struct kb_compiled *c)
{
	char *ex;

	if (!c->lazy)
		return c->exact;
	c->lazy = false;
	if ((ex = text_pattern_exact(c->src))) {
		c->exact = kb_pattern_compile(ex, strlen(ex), NULL);
		free(ex);
	}
	return c->exact;
}

/*
 * A line is compiled once, whichever topics it is in (one not: line is in
 * two dozen): the copies share its codes, and so their JIT code.
 */
static int
add_pattern(struct parse *ps, struct kb_pattern **v, size_t *n, int line,
    const char *what, const char *src)
{
	struct kb_pattern p = { 0 };
	struct kb_compiled *c;
	char *ex, *fo;
	bool ok = true;

	if (!*src) {
		diag_error(ps->d, ps->path, line, "dòng '%s:' trống" DIAG_FIX
		    "viết mẫu sau dấu ':', hoặc xoá dòng này", what);
		return -1;
	}
	c = compiled_slot(ps->kb, src);
	if (!c->src) {
		pcre2_code *e = NULL, *f;
		bool same, marked, wait, lazy = false;

		if (text_pattern_forms(src, &ex, &fo) < 0) {
			diag_error(ps->d, ps->path, line, "mẫu '%s:' có ký tự hỏng "
			    "(không phải UTF-8)" DIAG_FIX "gõ lại dòng này", what);
			return -1;
		}
		marked = strcmp(ex, fo) != 0;
		same = !marked || prefilter_same_shape(ex, fo);
		wait = marked && one_form_will_do(ex, same);
		f = NULL;
		if (wait && strcmp(what, "match") == 0 &&
		    (f = kb_pattern_compile(fo, strlen(fo), ps->cctx)))
			lazy = true;
		else if (marked)
			e = compile_one(ps, line, what, ex, &ok);
		if (!f && !(wait && e && strcmp(what, "not") == 0))
			f = compile_one(ps, line, what, fo, &ok);
		free(ex);
		if (ok && strcmp(what, "match") == 0 && matches_empty(f)) {
			diag_error(ps->d, ps->path, line, "mẫu 'match:' khớp với mọi "
			    "câu (cả tin nhắn trống), nên chủ đề này sẽ trả lời mọi tin"
			    DIAG_FIX "xoá dấu '|' thừa ở đầu, ở cuối hoặc '||' giữa "
			    "mẫu, hoặc dấu '?' hay '*' sau cả mẫu");
			ok = false;
		}
		if (!ok) {
			pcre2_code_free(e);
			pcre2_code_free(f);
			free(fo);
			return -1;
		}
		memset(c, 0, sizeof(*c));
		c->src = xstrdup(src);
		c->exact = e;
		c->folded = f;
		c->fold = fo;
		c->same_shape = same;
		c->marked = marked;
		c->lazy = lazy;
		ps->kb->ncompiled++;
	} else if ((c->lazy && strcmp(what, "not") == 0) ||
	    (!c->folded && strcmp(what, "match") == 0)) {
		/* a not: line runs its exact form as written (match.c not_hit),
		 * a match: line its folded form first */
		if (text_pattern_forms(src, &ex, &fo) < 0)
			return -1;      /* cannot be: the first line read it */
		if (c->lazy) {
			c->exact = compile_one(ps, line, what, ex, &ok);
			c->lazy = false;
		} else {
			c->folded = compile_one(ps, line, what, fo, &ok);
		}
		free(ex);
		free(fo);
		if (!ok)
			return -1;
	}
	p.src = xstrdup(src);
	p.line = line;
	p.exact = c->exact;
	p.folded = c->folded;
	p.fold = c->fold;       /* the index reads it (index.c, vocab.c) */
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
	for (i = 0; i < ti->nmatch; i++)
		free(ti->match[i].src);
	free(ti->match);
	for (i = 0; i < ti->nnot; i++)
		free(ti->not[i].src);
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
					diag_warn(ps->d, ps->path, page_line, "một trang "
					    "của '%s' có %d bước, quá %d bước cho một tin "
					    "nhắn" DIAG_FIX "chèn một dòng chỉ có '---' để chia "
					    "trang (người dân gõ \"tiếp\" để xem trang sau)",
					    t->id, steps, KB_MAX_STEPS_PER_PAGE);
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
		buf_adds(&page, line);
		buf_addc(&page, '\n');
	}
	buf_release(&page);
	free(copy);
}

/* How a message names an entry: "chủ đề 'a.b'", "phần 'a.b#p'". */
static const char *
what_is(const struct kb_topic_int *ti)
{
	return ti->parent_i != -1 ? "phần" : "chủ đề";
}

/*
 * A required key the block lacks. When a line "key: …" was written below
 * 'answer:' it was read as part of the answer: that is the mistake to name,
 * at that line.
 */
static void
need(struct parse *ps, const struct kb_topic_int *ti, int k, const char *hint)
{
	const struct kb_topic *t = &ti->pub;

	if (ps->seen[k])
		return;
	if (ps->lost[k]) {
		diag_error(ps->d, ps->path, ps->lost[k], "dòng '%s:' nằm dưới "
		    "'answer:' (dòng %d) nên bị đọc như một câu của câu trả lời, "
		    "và %s '%s' vẫn chưa có '%s:'" DIAG_FIX "chuyển dòng này lên "
		    "trên dòng 'answer:'", keys[k], ps->seen[F_ANSWER],
		    what_is(ti), t->id, keys[k]);
		ps->lost[k] = 0;
		return;
	}
	diag_error(ps->d, ps->path, t->line, "%s '%s' chưa có '%s:'" DIAG_FIX
	    "%s", what_is(ti), t->id, keys[k], hint);
}

static void
finish_topic(struct parse *ps, struct kb_topic_int *ti, struct buf *ans,
    int ans_line)
{
	struct kb_topic *t = &ti->pub;
	bool section = ti->parent_i != -1;
	int k;

	if (section)
		need(ps, ti, F_TITLE, "thêm dòng 'title: …' ngay dưới dòng '=== "
		    "…': tên ngắn hiện trên nút chọn, ví dụ 'title: Quên mật khẩu "
		    "VssID'");
	else
		need(ps, ti, F_TITLE, "thêm dòng 'title: …' trước dòng 'answer:': "
		    "tên ngắn hiện trong danh sách chọn, ví dụ 'title: Cài ứng "
		    "dụng VNeID'");
	/* a section takes source, reviewed … from its topic, checked there */
	if (!section && !t->system) {
		need(ps, ti, F_SOURCE, "thêm dòng 'source: …' nêu tên trang công "
		    "khai mà người dân tra được, ví dụ 'source: vneid.gov.vn; Bộ "
		    "Công an'");
		if (!ps->seen[F_REVIEWED] && !ps->lost[F_REVIEWED])
			diag_error(ps->d, ps->path, t->line, "chủ đề '%s' chưa có ngày "
			    "'reviewed:'" DIAG_FIX "thêm dòng 'reviewed: %s' (ngày "
			    "kiểm tra nội dung lần cuối, viết năm-tháng-ngày)", t->id,
			    ps->today_s);
		else
			need(ps, ti, F_REVIEWED, "");
		if (!ps->seen[F_ASK] && !ps->seen[F_KEYWORDS] &&
		    !ps->seen[F_MATCH]) {
			if (ps->lost[F_ASK] || ps->lost[F_KEYWORDS] ||
			    ps->lost[F_MATCH])
				need(ps, ti, ps->lost[F_ASK] ? F_ASK :
				    ps->lost[F_KEYWORDS] ? F_KEYWORDS : F_MATCH, "");
			else
				diag_error(ps->d, ps->path, t->line, "chủ đề '%s' chưa có "
				    "gì để nhận ra câu hỏi của người dân" DIAG_FIX "thêm "
				    "ít nhất một dòng 'ask:' (một câu người dân hay hỏi, "
				    "ví dụ 'ask: cài vneid thế nào') hoặc 'keywords:' (các "
				    "từ chính, cách nhau bằng dấu phẩy)", t->id);
		}
	}
	for (k = 0; k < NKEYS; k++)
		if (ps->lost[k])
			diag_warn(ps->d, ps->path, ps->lost[k], "dòng '%s:' nằm dưới "
			    "'answer:' (dòng %d) nên người dân sẽ đọc nó như một câu "
			    "của câu trả lời" DIAG_FIX "nếu đây là một khoá của %s "
			    "'%s', chuyển nó lên trên dòng 'answer:'; nếu đúng là câu "
			    "trả lời, viết khác đi (ví dụ bỏ dấu ':')", keys[k],
			    ps->seen[F_ANSWER], what_is(ti), t->id);
	if (!ps->seen[F_ANSWER]) {
		/* sys.menu and the like: a list of command words, nothing to say */
		if (t->system && t->nkeywords)
			return;
		/* the stray lines were reported: they are the answer, most likely */
		if (ps->stray)
			return;
		diag_error(ps->d, ps->path, t->line, "%s '%s' chưa có 'answer:'"
		    DIAG_FIX "thêm dòng 'answer:' làm dòng cuối của khối, rồi viết "
		    "câu trả lời ngay dưới nó", what_is(ti), t->id);
		return;
	}
	if (buf_failed(ans)) {
		/* what fitted is not the answer: not stored, not "empty" either */
		diag_error(ps->d, ps->path, ans_line, "câu trả lời của %s '%s' "
		    "dài quá %d KB, bot không gửi được" DIAG_FIX "chia nó thành "
		    "nhiều chủ đề, hoặc thành các phần '=== …' của chủ đề",
		    what_is(ti), t->id, BUF_CAP_REPLY / 1024);
		return;
	}
	set_answer(ps, ti, ans, ans_line);
	if (!t->npages)
		diag_error(ps->d, ps->path, ans_line, "câu trả lời của %s '%s' "
		    "trống" DIAG_FIX "viết nội dung ngay dưới dòng 'answer:'",
		    what_is(ti), t->id);
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

/*
 * The key an unknown one was meant to be: a typo or another case
 * ("Title", "anwser", "keyword"), or the Vietnamese word for it
 * ("tiêu đề", "trả lời"); -1 when nothing is close.
 */
static int
guess_key(const char *k)
{
	static const struct { const char *vi; int key; } vi[] = {
		{ "tieu de", F_TITLE }, { "ten", F_TITLE }, { "ten goi", F_TITLE },
		{ "tu khoa", F_KEYWORDS }, { "khoa", F_KEYWORDS },
		{ "hoi", F_ASK }, { "cau hoi", F_ASK }, { "vi du", F_ASK },
		{ "mau", F_MATCH }, { "loai tru", F_NOT }, { "tru", F_NOT },
		{ "lien ket", F_LINK }, { "duong link", F_LINK },
		{ "duong dan", F_LINK }, { "xem them", F_SEE },
		{ "nguon", F_SOURCE }, { "can cu", F_EVIDENCE },
		{ "bang chung", F_EVIDENCE }, { "ngay", F_REVIEWED },
		{ "ngay kiem tra", F_REVIEWED }, { "cap nhat", F_REVIEWED },
		{ "ngay cap nhat", F_REVIEWED }, { "uu tien", F_PRIORITY },
		{ "tra loi", F_ANSWER }, { "cau tra loi", F_ANSWER },
		{ "noi dung", F_ANSWER },
	};
	const char *near = diag_nearest(k, keys, ARRAY_SIZE(keys));
	char *f;
	size_t i;
	int r = -1;

	if (near)
		return find_key(near);
	f = text_fold_phrase(k);
	for (i = 0; f && i < ARRAY_SIZE(vi); i++)
		if (strcmp(f, vi[i].vi) == 0)
			r = vi[i].key;
	free(f);
	return r;
}

/* One word of ASCII letters: what a key looks like (not "Lưu ý", "Bước 1"). */
static bool
key_like(const char *k)
{
	if (!*k)
		return false;
	for (; *k; k++)
		if (!isalpha((unsigned char)*k) && *k != '_' && *k != '-')
			return false;
	return true;
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
		    "bộ (%s), người dân không mở được" DIAG_FIX "chỉ ghi tên trang "
		    "công khai, ví dụ 'source: vneid.gov.vn; Bộ Công an'; các "
		    "trang, văn bản chi tiết ghi vào dòng 'evidence:'",
		    internal_name(val));
		return -1;
	}
	if (chars > KB_SOURCE_MAX_CHARS) {
		diag_error(ps->d, ps->path, lineno, "'source:' dài %zu ký tự (tối đa "
		    "%d): người dân chỉ đọc tên trang" DIAG_FIX "rút gọn, ví dụ "
		    "'source: vneid.gov.vn; Bộ Công an'; các trang, bài báo chi tiết "
		    "ghi vào dòng 'evidence:'", chars, KB_SOURCE_MAX_CHARS);
		return -1;
	}
	return 0;
}

/* "link: label | url": what is wrong with url, told as a fix. */
static void
bad_url(struct parse *ps, int lineno, const char *url)
{
	char fixed[1024];

	if (!*url) {
		diag_error(ps->d, ps->path, lineno, "dòng 'link:' chưa có địa chỉ "
		    "sau dấu '|'" DIAG_FIX "chép địa chỉ từ thanh địa chỉ của "
		    "trình duyệt, ví dụ 'link: Trang VNeID | https://vneid.gov.vn'");
		return;
	}
	if (strncmp(url, "https//", 7) == 0 || strncmp(url, "http//", 6) == 0) {
		diag_error(ps->d, ps->path, lineno, "đường link '%s' thiếu dấu ':' "
		    "sau 'https'" DIAG_FIX "viết 'https://%s'", url,
		    url + (url[4] == 's' ? 7 : 6));
		return;
	}
	snprintf(fixed, sizeof(fixed), "https://%s", url);
	if (!strstr(url, "://") && valid_url(fixed)) {
		diag_error(ps->d, ps->path, lineno, "đường link '%s' thiếu 'https://' "
		    "ở đầu" DIAG_FIX "viết '%s' (mở thử trong trình duyệt cho "
		    "chắc)", url, fixed);
		return;
	}
	if (strpbrk(url, " \t")) {
		diag_error(ps->d, ps->path, lineno, "đường link '%s' có dấu cách"
		    DIAG_FIX "địa chỉ web không có dấu cách: chép lại nguyên địa "
		    "chỉ từ thanh địa chỉ của trình duyệt", url);
		return;
	}
	diag_error(ps->d, ps->path, lineno, "đường link '%s' không đúng dạng "
	    "địa chỉ web" DIAG_FIX "chép nguyên địa chỉ từ thanh địa chỉ của "
	    "trình duyệt; nó bắt đầu bằng 'https://', sau đó là tên trang như "
	    "'vneid.gov.vn'", url);
}

/* Long: one short case per key of a topic block; the switch is the list of
 * keys. */
static void
key_line(struct parse *ps, struct kb_topic_int *ti, int k, char *val,
    int lineno)
{
	struct kb_topic *t = &ti->pub;
	char **single = NULL;
	const char *hint = "";

	switch (k) {
	case F_TITLE:
		single = &t->title;
		hint = "ghi tên ngắn của hướng dẫn, ví dụ 'title: Cài ứng dụng "
		    "VNeID'";
		break;
	case F_SOURCE:
		/* kept even when rejected: one error, not a second "no source" */
		(void)check_source(ps, val, lineno);
		single = &t->source;
		hint = "ghi tên trang công khai, ví dụ 'source: vneid.gov.vn; Bộ "
		    "Công an'";
		break;
	case F_EVIDENCE:
		if (!*val) {
			diag_error(ps->d, ps->path, lineno, "dòng 'evidence:' trống"
			    DIAG_FIX "ghi trang hoặc văn bản làm căn cứ, ví dụ "
			    "'evidence: https://vneid.gov.vn (cài từ CH Play)', hoặc "
			    "xoá dòng này");
			return;
		}
		if (internal_name(val))
			diag_error(ps->d, ps->path, lineno, "'evidence:' nêu tên một "
			    "tệp nội bộ (%s), người kiểm tra sau không mở được"
			    DIAG_FIX "ghi trang công khai (địa chỉ web, số văn bản) "
			    "thay vào", internal_name(val));
		strv_push(&t->evidence, &t->nevidence, xstrdup(val));
		return;
	case F_REVIEWED: {
		long dd = date_parse(val);
		char iso[11];

		if (!*val) {
			diag_error(ps->d, ps->path, lineno, "dòng 'reviewed:' trống"
			    DIAG_FIX "ghi ngày kiểm tra nội dung lần cuối, viết "
			    "năm-tháng-ngày, ví dụ 'reviewed: %s'", ps->today_s);
			return;
		}
		if (dd < 0 && diag_iso_date(val, iso)) {
			diag_error(ps->d, ps->path, lineno, "ngày '%s' viết chưa đúng "
			    "cách" DIAG_FIX "viết năm-tháng-ngày: 'reviewed: %s'", val,
			    iso);
			return;
		}
		if (dd < 0) {
			diag_error(ps->d, ps->path, lineno, "ngày '%s' không đọc được"
			    DIAG_FIX "viết năm-tháng-ngày bằng số, ví dụ 'reviewed: "
			    "%s'", val, ps->today_s);
			return;
		}
		t->reviewed = xstrdup(val);
		if (dd > ps->today)
			diag_warn(ps->d, ps->path, lineno, "'reviewed: %s' là một ngày "
			    "chưa tới (hôm nay là %s)" DIAG_FIX "ghi ngày đã kiểm tra "
			    "nội dung, không phải ngày dự định", val, ps->today_s);
		else if (ps->today - dd > KB_STALE_DAYS)
			diag_warn(ps->d, ps->path, lineno, "'%s' được kiểm tra lần cuối "
			    "cách đây %ld ngày (%s), quá %d ngày" DIAG_FIX "đối chiếu "
			    "lại với trang chính thức, sửa chỗ đã đổi, rồi ghi "
			    "'reviewed: %s'", t->id, ps->today - dd, val, KB_STALE_DAYS,
			    ps->today_s);
		return;
	}
	case F_KEYWORDS:
		split_list(&t->keywords, &t->nkeywords, val);
		return;
	case F_ASK:
		if (!*val) {
			diag_error(ps->d, ps->path, lineno, "dòng 'ask:' trống" DIAG_FIX
			    "ghi một câu người dân hay hỏi, ví dụ 'ask: cài vneid thế "
			    "nào', hoặc xoá dòng này");
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
			char fixed[1024];

			snprintf(fixed, sizeof(fixed), "https://%s", val);
			if (valid_url(val) || (!strstr(val, "://") && valid_url(fixed)))
				diag_error(ps->d, ps->path, lineno, "dòng 'link:' chưa có "
				    "tên trang" DIAG_FIX "viết tên trang, dấu '|', rồi địa "
				    "chỉ: 'link: Tên trang | %s'", valid_url(val) ? val :
				    fixed);
			else
				diag_error(ps->d, ps->path, lineno, "dòng 'link:' thiếu "
				    "dấu '|' giữa tên trang và địa chỉ" DIAG_FIX "viết "
				    "'link: tên trang | https://…', ví dụ 'link: Trang VNeID "
				    "| https://vneid.gov.vn'");
			return;
		}
		*bar = '\0';
		label = str_trim(val);
		url = str_trim(bar + 1);
		if (!*label) {
			diag_error(ps->d, ps->path, lineno, "đường link chưa có tên "
			    "trang" DIAG_FIX "ghi tên người dân sẽ thấy trước dấu '|', "
			    "ví dụ 'link: Trang VNeID | %s'", *url ? url :
			    "https://vneid.gov.vn");
			return;
		}
		if (!valid_url(url)) {
			bad_url(ps, lineno, url);
			return;
		}
		if (strncmp(url, "http://", 7) == 0)
			diag_warn(ps->d, ps->path, lineno, "đường link '%s' dùng http, "
			    "không phải https: dữ liệu đi không được bảo vệ" DIAG_FIX
			    "mở thử 'https://%s' trong trình duyệt; nếu được, ghi địa "
			    "chỉ đó", url, url + 7);
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
			diag_error(ps->d, ps->path, lineno, "'priority:' chỉ nhận 'high' "
			    "hoặc 'normal', không nhận '%s'" DIAG_FIX "viết 'priority: "
			    "high' cho chủ đề an toàn (lừa đảo), hoặc xoá dòng này", val);
		return;
	default:
		return;
	}
	if (!*val) {
		diag_error(ps->d, ps->path, lineno, "dòng '%s:' trống" DIAG_FIX "%s",
		    keys[k], hint);
		return;
	}
	*single = xstrdup(val);
}

/*
 * A header line "== id" (level 2) or "=== name" (level 3); else 0. With
 * *glued set, it is one without the space ("==vneid.x"): still a header,
 * and an error.
 */
static int
header_level(const char *line, bool *glued)
{
	int n = 0;

	*glued = false;
	while (line[n] == '=')
		n++;
	if (n != 2 && n != 3)
		return 0;
	if (line[n] == ' ' || line[n] == '\t' || line[n] == '\0')
		return n;
	/* an answer may hold "==========" or "==>", not "==vneid" */
	if (isalnum((unsigned char)line[n])) {
		*glued = true;
		return n;
	}
	return 0;
}

static void
entry_init(struct kb_topic_int *ti, const char *id, const char *path,
    int lineno)
{
	memset(ti, 0, sizeof(*ti));
	ti->parent_i = -1;
	ti->pub.id = xstrdup(id);
	ti->pub.file = xstrdup(path);
	ti->pub.line = lineno;
}

static struct kb_topic_int *
new_entry(struct kb *kb, const char *id, const char *path, int lineno)
{
	struct kb_topic_int *ti;

	kb->t = xgrow(kb->t, &kb->alloc, kb->n + 1, sizeof(*kb->t));
	ti = &kb->t[kb->n++];
	entry_init(ti, id, path, lineno);
	return ti;
}

/*
 * A block whose header was rejected (a bad or duplicate id): read like any
 * other, so that all its mistakes are told at once, then dropped.
 */
static struct kb_topic_int *
ghost(struct parse *ps, const char *id, int lineno, long parent)
{
	entry_init(&ps->ghost, id, ps->path, lineno);
	ps->ghost.parent_i = parent;
	return &ps->ghost;
}

/* What a rejected id could be: "VNeID.Cài Đặt" -> "vneid.cai_dat". */
static void
suggest_id(const char *id, bool dots, char *out, size_t n)
{
	char *copy = xstrdup(id), *p = copy, *part;
	struct buf b;

	buf_init(&b, 1024);
	while ((part = strsep(&p, dots ? "." : "")) != NULL) {
		char *f = text_fold_phrase(part), *c;

		for (c = f; *c; c++)
			if (*c == ' ' || *c == '.')
				*c = '_';
		if (b.len)
			buf_addc(&b, '.');
		buf_adds(&b, f);
		free(f);
	}
	snprintf(out, n, "%s", b.data ? b.data : "");
	buf_release(&b);
	free(copy);
}

/*
 * "=== name" inside topic block `top` (an index of kb->t, or GHOST_TOPIC):
 * a new entry "topic#name" holding copies of what a section inherits, or a
 * ghost when the line is rejected.
 */
static struct kb_topic_int *
new_section(struct parse *ps, long top, const char *name, int lineno)
{
	struct kb *kb = ps->kb;
	struct kb_topic_int *ti, *tp, *dup;
	char id[256], fix[256];
	size_t i;

	/* a ghost's id too names its topic: "Bad.Id#p"; one cut short is
	 * too long anyway (below) */
	if (snprintf(id, sizeof(id), "%s#%s", top >= 0 ? kb->t[top].pub.id :
	    ps->top_id, name) >= (int)sizeof(id))
		id[sizeof(id) - 1] = '\0';
	if (top >= 0 && kb->t[top].pub.system) {
		diag_error(ps->d, ps->path, lineno, "chủ đề hệ thống '%s' không chia "
		    "phần" DIAG_FIX "bỏ dòng '=== %s' (hoặc làm một chủ đề riêng)",
		    kb->t[top].pub.id, name);
		return ghost(ps, id, lineno, top);
	}
	if (!valid_section_name(name)) {
		suggest_id(name, false, fix, sizeof(fix));
		if (*name && valid_section_name(fix))
			diag_error(ps->d, ps->path, lineno, "tên phần '%s' không hợp "
			    "lệ: chỉ dùng chữ thường không dấu, chữ số và '_'" DIAG_FIX
			    "viết '=== %s'", name, fix);
		else
			diag_error(ps->d, ps->path, lineno, "dòng '===' chưa có tên "
			    "phần" DIAG_FIX "viết tên ngay sau '=== ', bằng chữ "
			    "thường không dấu, chữ số và '_', ví dụ '=== "
			    "quen_mat_khau'");
		return ghost(ps, id, lineno, top);
	}
	if (top < 0)
		return ghost(ps, id, lineno, top);
	tp = &kb->t[top];
	if (strlen(id) > KB_ID_MAX) {
		diag_error(ps->d, ps->path, lineno, "mã phần '%s' dài %zu byte, tối "
		    "đa %d (nút bấm trên Telegram chỉ chứa được chừng ấy)" DIAG_FIX
		    "đặt tên phần ngắn hơn", id, strlen(id), KB_ID_MAX);
		return ghost(ps, id, lineno, top);
	}
	if ((dup = find_topic(kb, id)) != NULL) {
		diag_error(ps->d, ps->path, lineno, "chủ đề '%s' đã có phần '=== %s' "
		    "(dòng %d)" DIAG_FIX "đặt tên khác cho phần này, hoặc gộp hai "
		    "phần làm một", tp->pub.id, name, dup->pub.line);
		return ghost(ps, id, lineno, top);
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

/* "== id": the topic's entry, or a ghost when the id is rejected. */
static struct kb_topic_int *
new_topic(struct parse *ps, const char *id, int lineno)
{
	struct kb_topic_int *ti, *dup;
	char fix[256];

	if (!valid_id(id)) {
		suggest_id(id, true, fix, sizeof(fix));
		if (!*id)
			diag_error(ps->d, ps->path, lineno, "dòng '==' chưa có mã chủ "
			    "đề" DIAG_FIX "viết mã ngay sau '== ', ví dụ '== "
			    "vneid.cai_dat' (chữ thường không dấu, chữ số, '_', các "
			    "phần nối bằng dấu chấm)");
		else if (valid_id(fix) && !find_topic(ps->kb, fix))
			diag_error(ps->d, ps->path, lineno, "mã chủ đề '%s' không hợp "
			    "lệ: chỉ dùng chữ thường không dấu, chữ số, '_', các phần "
			    "nối bằng dấu chấm" DIAG_FIX "viết '== %s'", id, fix);
		else
			diag_error(ps->d, ps->path, lineno, "mã chủ đề '%s' không hợp "
			    "lệ: chỉ dùng chữ thường không dấu, chữ số, '_', các phần "
			    "nối bằng dấu chấm" DIAG_FIX "đặt mã theo dạng "
			    "'dịch_vụ.việc', ví dụ '== vneid.cai_dat'", id);
		return ghost(ps, id, lineno, -1);
	}
	if ((dup = find_topic(ps->kb, id)) != NULL) {
		diag_error(ps->d, ps->path, lineno, "mã chủ đề '%s' đã dùng ở %s:%d"
		    DIAG_FIX "đặt mã khác cho một trong hai chủ đề; nếu đây là bản "
		    "chép thừa, xoá cả khối này", id, dup->pub.file, dup->pub.line);
		return ghost(ps, id, lineno, -1);
	}
	/* a deep link still opens it, so a warning, not an error */
	if (strlen(id) > KB_ID_MAX)
		diag_warn(ps->d, ps->path, lineno, "mã chủ đề '%s' dài %zu byte: nút "
		    "bấm Telegram mở nó chỉ chứa được %d byte, nên nút chọn chủ đề "
		    "này sẽ không hiện" DIAG_FIX "đặt mã ngắn hơn (khi chủ đề chưa "
		    "in lên tờ rơi)", id, strlen(id), KB_ID_MAX);
	ti = new_entry(ps->kb, id, ps->path, lineno);
	ti->pub.system = strncmp(id, "sys.", 4) == 0;
	return ti;
}

struct dline {
	long line;
	size_t i;
	const char *s;
	size_t n;
};

static int
dline_cmp(const void *a, const void *b)
{
	const struct dline *x = a, *y = b;

	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/*
 * The messages of one block in line order: those about a missing key come
 * at its end but name its header, and the admin reads top down.
 */
static void
sort_block_diags(struct parse *ps)
{
	struct buf *t = &ps->d->text;
	size_t plen = strlen(ps->path), n = 0, i, off;
	struct dline *v;
	char *copy;

	if (t->len <= ps->block_off)
		return;
	copy = xstrndup(t->data + ps->block_off, t->len - ps->block_off);
	for (off = 0, i = 0; copy[off]; off++)
		n += copy[off] == '\n';
	v = xcalloc(n + 1, sizeof(*v));
	for (off = 0, n = 0; copy[off]; n++) {
		const char *s = copy + off, *nl = strchr(s, '\n');

		v[n].s = s;
		v[n].n = nl ? (size_t)(nl - s) + 1 : strlen(s);
		v[n].i = n;
		/* "path:12: …"; another file's message (none yet) sorts last */
		v[n].line = strncmp(s, ps->path, plen) == 0 && s[plen] == ':' ?
		    strtol(s + plen + 1, NULL, 10) : 1L << 30;
		off += v[n].n;
	}
	qsort(v, n, sizeof(*v), dline_cmp);
	t->len = ps->block_off;
	t->data[t->len] = '\0';
	for (i = 0; i < n; i++)
		buf_add(t, v[i].s, v[i].n);
	free(v);
	free(copy);
}

/* Ends the block being read; a ghost is dropped once checked. */
static void
end_block(struct parse *ps, struct kb_topic_int *cur, struct buf *ans,
    int ans_line)
{
	if (cur)
		finish_topic(ps, cur, ans, ans_line);
	sort_block_diags(ps);
	ps->block_off = ps->d->text.len;
	if (cur == &ps->ghost)
		topic_free(&ps->ghost);
	memset(ps->seen, 0, sizeof(ps->seen));
	memset(ps->lost, 0, sizeof(ps->lost));
	memset(ps->guessed, 0, sizeof(ps->guessed));
	ps->stray = 0;
	buf_reset(ans);
}

/* A line "key: …" inside an answer, read as answer text: remembered. */
static void
note_lost_key(struct parse *ps, const char *line, int lineno)
{
	size_t n = strspn(line, "abcdefghijklmnopqrstuvwxyz");
	char k[16];
	int key;

	if (!n || n >= sizeof(k) || line[n] != ':')
		return;
	memcpy(k, line, n);
	k[n] = '\0';
	key = find_key(k);
	if (key >= 0 && key != F_ANSWER && !ps->lost[key])
		ps->lost[key] = lineno;
}

/*
 * A line in a block that is not "key: value": the first of a run is
 * reported (the rest of the run is the same mistake). Returns the key
 * it was meant to be, to be read as that, or -1.
 */
static int
stray_line(struct parse *ps, char *line, int lineno)
{
	char *colon = strchr(line, ':'), *k, *sp;
	int key;

	k = str_trim(line);
	/* "keywords vneid, cài app", "answer": the ':' forgotten */
	sp = k + strcspn(k, " \t");
	if (!colon) {
		char w[32];
		size_t n = (size_t)(sp - k);

		if (n < sizeof(w)) {
			memcpy(w, k, n);
			w[n] = '\0';
			if ((key = find_key(w)) >= 0 ||
			    (key_like(w) && (key = guess_key(w)) >= 0)) {
				sp = str_trim(sp);
				diag_error(ps->d, ps->path, lineno, "thiếu dấu ':' sau "
				    "'%s'" DIAG_FIX "viết '%s:%s%s'", w, keys[key],
				    *sp ? " " : "", sp);
				ps->stray = 0;
				return key;
			}
		}
	}
	/* (below 'answer:' every line is the answer: never stray) */
	if (!ps->stray)
		diag_error(ps->d, ps->path, lineno, "dòng này không có dạng 'khoá: "
		    "nội dung' và khối chưa có dòng 'answer:'" DIAG_FIX "nếu đây "
		    "(và các dòng sau) là câu trả lời, thêm dòng 'answer:' ngay "
		    "trên nó; nếu là ghi chú, thêm dấu '#' ở đầu dòng");
	ps->stray = lineno;
	return -1;
}

/* "k: val" where k is no key: the nearest one, or the list. */
static int
unknown_key(struct parse *ps, const char *k, const char *val, int lineno)
{
	int key;

	if (strcmp(k, "https") == 0 || strcmp(k, "http") == 0) {
		diag_error(ps->d, ps->path, lineno, "dòng này là một đường link "
		    "nhưng chưa có khoá" DIAG_FIX "viết 'link: tên trang | %s:%s'",
		    k, val);
		return -1;
	}
	if ((key = guess_key(k)) >= 0) {
		diag_error(ps->d, ps->path, lineno, "không có khoá '%s:'" DIAG_FIX
		    "viết '%s:'%s", k, keys[key], strcasecmp(k, keys[key]) == 0 ?
		    " (chữ thường)" : "");
		return key;
	}
	if (!key_like(k))
		return -2;
	diag_error(ps->d, ps->path, lineno, "không có khoá '%s:'" DIAG_FIX "dùng "
	    "một trong các khoá title, keywords, ask, match, not, link, see, "
	    "menu, source, evidence, reviewed, priority, answer; nếu dòng này là "
	    "câu trả lời, chuyển nó xuống dưới dòng 'answer:'", k);
	return -1;
}

/* Which keys may be given once only. */
static bool
single_key(int k)
{
	return k == F_TITLE || k == F_SOURCE || k == F_REVIEWED ||
	    k == F_PRIORITY;
}

/* Long: the line-by-line state machine of a knowledge file (blocks, answers,
 * keys), whose state the cases share. */
static void
parse_file(struct parse *ps, char *data)
{
	struct kb *kb = ps->kb;
	struct kb_topic_int *cur = NULL;
	struct buf ans;
	bool in_answer = false, seen_block = false, glued;
	int lineno = 0, ans_line = 0, level;
	long top = -1;          /* the topic block we are in, or GHOST_TOPIC */
	char *p = data, *line;

	buf_init(&ans, BUF_CAP_REPLY);
	while ((line = strsep(&p, "\n")) != NULL) {
		size_t ll;

		lineno++;
		ll = strlen(line);
		if (ll && line[ll - 1] == '\r')
			line[--ll] = '\0';
		if (lineno == 1 && strncmp(line, "\xEF\xBB\xBF", 3) == 0)
			line += 3;      /* Notepad's byte-order mark */
		if ((level = header_level(line, &glued)) != 0) {
			char *id = str_trim(line + level);

			end_block(ps, cur, &ans, ans_line);
			cur = NULL;
			in_answer = false;
			if (glued)
				diag_error(ps->d, ps->path, lineno, "thiếu dấu cách sau "
				    "'%.*s'" DIAG_FIX "viết '%.*s %s'", level, line, level,
				    line, id);
			if (level == 3) {
				if (!seen_block)
					diag_error(ps->d, ps->path, lineno, "dòng '=== %s' mở "
					    "một phần, nhưng phần phải nằm trong một chủ đề"
					    DIAG_FIX "viết nó sau 'answer:' của một khối '== mã' "
					    "(xem knowledge/README.md, \"Sections\")", id);
				else
					cur = new_section(ps, top, id, lineno);
				seen_block = true;
				continue;
			}
			seen_block = true;
			cur = new_topic(ps, id, lineno);
			top = cur == &ps->ghost ? GHOST_TOPIC : (long)(kb->n - 1);
			snprintf(ps->top_id, sizeof(ps->top_id), "%s", id);
			continue;
		}
		if (line[0] == '#') {
			/* keeps line numbers right for warnings about the answer */
			if (in_answer && cur)
				buf_adds(&ans, "\x01\n");
			continue;
		}
		if (in_answer) {
			if (cur) {
				buf_adds(&ans, line);
				buf_addc(&ans, '\n');
				note_lost_key(ps, line, lineno);
			}
			continue;
		}
		if (!*str_trim(line))
			continue;
		if (!seen_block) {
			if (line[0] == '=')
				diag_error(ps->d, ps->path, lineno, "dòng này không mở được "
				    "chủ đề" DIAG_FIX "đầu chủ đề viết '== mã' (hai dấu "
				    "'=', một dấu cách), ví dụ '== vneid.cai_dat'");
			else
				diag_error(ps->d, ps->path, lineno, "tệp này chưa bắt đầu "
				    "bằng một chủ đề: trước dòng này phải có dòng '== mã'"
				    DIAG_FIX "thêm '== mã' (ví dụ '== vneid.cai_dat') ở đầu "
				    "khối; ghi chú thì thêm dấu '#' ở đầu dòng; tệp không "
				    "phải kiến thức thì đừng để trong thư mục này với đuôi "
				    ".txt (xem knowledge/README.md)");
			break;
		}
		if (!cur)
			continue;       /* after a "===" that opens no section */
		{
			char *colon = strchr(line, ':'), *k, *val;
			int key;

			if (!colon) {
				if ((key = stray_line(ps, line, lineno)) < 0)
					continue;
				k = str_trim(line);
				val = str_trim(k + strcspn(k, " \t"));
				if (!ps->seen[key])
					ps->guessed[key] = lineno;
			} else {
				*colon = '\0';
				k = str_trim(line);
				val = str_trim(colon + 1);
				if ((key = find_key(k)) < 0) {
					key = unknown_key(ps, k, val, lineno);
					if (key == -2) {
						*colon = ':';
						(void)stray_line(ps, k, lineno);
						continue;
					}
					if (key < 0)
						continue;
					if (!ps->seen[key])
						ps->guessed[key] = lineno;
				}
			}
			ps->stray = 0;
			if (cur->parent_i != -1 && !(SECTION_KEYS & (1u << key))) {
				diag_error(ps->d, ps->path, lineno, "'%s:' không dùng trong "
				    "một phần (===): phần lấy source, evidence, reviewed, "
				    "see, priority của chủ đề" DIAG_FIX "ghi dòng này ở chủ "
				    "đề '%s', trước 'answer:' của nó", keys[key],
				    cur->parent_i >= 0 ? kb->t[cur->parent_i].pub.id :
				    ps->top_id);
				continue;
			}
			/* "Title: T" then "title: T": the typo was the one mistake */
			if (single_key(key) && ps->seen[key] &&
			    ps->guessed[key] == ps->seen[key])
				continue;
			if (single_key(key) && ps->seen[key]) {
				diag_error(ps->d, ps->path, lineno, "'%s:' ghi hai lần (lần "
				    "đầu ở dòng %d)" DIAG_FIX "giữ một dòng, xoá dòng còn "
				    "lại", keys[key], ps->seen[key]);
				continue;
			}
			if (!ps->seen[key])
				ps->seen[key] = lineno;
			if (key == F_ANSWER) {
				in_answer = true;
				ans_line = lineno;
				if (*val) {
					buf_adds(&ans, val);
					buf_addc(&ans, '\n');
				}
				continue;
			}
			key_line(ps, cur, key, val, lineno);
		}
	}
	end_block(ps, cur, &ans, ans_line);
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
		    "%d MB)" DIAG_FIX "chia thành nhiều tệp nhỏ hơn, hoặc chuyển "
		    "tệp ra khỏi thư mục kho câu hỏi", (long long)sb.st_size,
		    BUF_CAP_FILE / (1024 * 1024));
		return -1;
	}
	what = S_ISFIFO(sb.st_mode) ? "ống FIFO" : S_ISDIR(sb.st_mode) ?
	    "thư mục" : S_ISSOCK(sb.st_mode) ? "socket" : "tệp thiết bị";
	diag_error(d, path, 0, "không đọc: đây là %s, không phải tệp văn bản"
	    DIAG_FIX "chuyển nó ra khỏi thư mục kho câu hỏi", what);
	return -1;
}

void
kb_stopwords_read(const char *path, struct diag *d,
    void (*add)(const char *folded, void *arg), void *arg)
{
	struct buf b;
	char *p, *line;
	int lineno = 0;

	if (regular_file(path, d) < 0)
		return;
	if (diag_read_file(d, path, &b, true) < 0)
		return;
	if (text_utf8_invalid(b.data, b.len) >= 0) {
		diag_error(d, path, 0, "tệp không lưu dạng UTF-8, chữ có dấu sẽ bị "
		    "hỏng" DIAG_FIX DIAG_UTF8_FIX);
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
				add(f, arg);
			} else if (*f) {
				diag_error(d, path, lineno, "'%s' không phải một từ" DIAG_FIX
				    "mỗi từ dừng cách nhau bằng dấu cách hoặc dấu phẩy; "
				    "bỏ dấu gạch, dấu chấm trong từ", tok);
			}
			free(f);
		}
	}
	buf_release(&b);
}

static void
add_stopword(const char *folded, void *arg)
{
	struct kb *kb = arg;

	kb->stop = xrealloc(kb->stop, (kb->nstop + 1) * sizeof(uint64_t));
	kb->stop[kb->nstop++] = index_key(FEAT_FOLD_UNI, folded,
	    strlen(folded));
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

/* "'see:' names x": x is no id; the id it was meant to be, if one is near. */
static void
unknown_ref(struct kb *kb, struct diag *d, const struct kb_topic_int *ti,
    const char *key, int line, const char *id)
{
	const char **ids = xmalloc((kb->n + 1) * sizeof(*ids));
	const char *near;
	size_t i;

	for (i = 0; i < kb->n; i++)
		ids[i] = kb->t[i].pub.id;
	near = diag_nearest(id, ids, kb->n);
	if (near)
		diag_error(d, ti->pub.file, line, "'%s:' nêu mã '%s', nhưng không "
		    "có chủ đề nào mang mã này" DIAG_FIX "có phải '%s'? Viết đúng "
		    "mã, hoặc bỏ mã này khỏi dòng '%s:'", key, id, near, key);
	else
		diag_error(d, ti->pub.file, line, "'%s:' nêu mã '%s', nhưng không "
		    "có chủ đề nào mang mã này" DIAG_FIX "chép đúng mã từ dòng '== "
		    "mã' của chủ đề cần nêu (phần thì thêm '#tên'), hoặc bỏ mã này "
		    "khỏi dòng '%s:'", key, id, key);
	free(ids);
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
				unknown_ref(kb, d, ti, "see", ti->see_line,
				    ti->pub.see[j]);
		for (j = 0; j < ti->pub.nmenu; j++)
			if (!find_topic(kb, ti->pub.menu[j]))
				unknown_ref(kb, d, ti, "menu", ti->menu_line,
				    ti->pub.menu[j]);
		if (ti->pub.nmenu > 9)
			diag_error(d, ti->pub.file, ti->menu_line, "'menu:' có %zu mục, "
			    "tối đa 9 (người dân chọn bằng một chữ số)" DIAG_FIX "bớt "
			    "mục, hoặc chia thành hai chủ đề, mỗi chủ đề một menu",
			    ti->pub.nmenu);
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
		diag_error(d, dir, 0, "không mở được thư mục kiến thức: %s" DIAG_FIX
		    "kiểm tra đường dẫn (--kb, HOIDAP_KB hoặc 'kb =' trong cấu hình)",
		    diag_strerror(errno));
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
	clock_today(ps.today_s);
	ps.today = date_parse(ps.today_s);
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
	buf_printf(&path, "%s/abbreviations.txt", dir);
	/* A missing table is allowed: nothing is expanded then. */
	if (regular_file(path.data, d) > 0)
		kb->abbrev = abbrev_load(path.data, d);
	buf_reset(&path);
	buf_printf(&path, "%s/stopwords.txt", dir);
	kb_stopwords_read(path.data, d, add_stopword, kb);
	buf_reset(&path);
	buf_printf(&path, "%s/schedule.txt", dir);
	/* Optional: a ward without in-person sessions has no file, and the
	 * support-point answer is then shown as written. */
	if (regular_file(path.data, d) > 0) {
		char today[11], now[6];

		clock_today(today);
		clock_hhmm(now);
		kb->schedule = schedule_load(path.data, today, now, d);
	}

	for (i = 0; i < nnames; i++) {
		struct buf data;

		if (strcmp(names[i], "abbreviations.txt") == 0 ||
		    strcmp(names[i], "stopwords.txt") == 0 ||
		    strcmp(names[i], "schedule.txt") == 0)
			continue;
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, names[i]);
		if (regular_file(path.data, d) < 0)
			continue;
		if (diag_read_file(d, path.data, &data, false) < 0)
			continue;
		if (memchr(data.data, '\0', data.len)) {
			diag_error(d, path.data, 0, "đây không phải tệp chữ (có dữ liệu "
			    "nhị phân)" DIAG_FIX "chỉ để tệp kiến thức đuôi .txt trong "
			    "thư mục này; tệp Word hay ảnh thì chuyển ra chỗ khác");
			buf_release(&data);
			continue;
		}
		if (diag_utf8(d, path.data, data.data, data.len) < 0) {
			buf_release(&data);
			continue;
		}
		ps.path = path.data;
		ps.block_off = d->text.len;
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
	systext_check(kb, dir, d);
	index_build(kb);
	vocab_build(kb);
	return kb;
}

void
kb_free(struct kb *kb)
{
	size_t i;

	if (!kb)
		return;
	index_free(kb);
	match_free(kb);
	vocab_free(kb);
	for (i = 0; i < kb->n; i++)
		topic_free(&kb->t[i]);
	free(kb->t);
	compiled_free(kb);
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

/* ---- for check's messages ---- */

static int
key_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static bool
has_key(const uint64_t *v, size_t n, uint64_t key)
{
	return n && bsearch(&key, v, n, sizeof(*v), key_cmp) != NULL;
}

/* Appends the phrase in b to out as "…", unless out has it already. */
static void
words_flush(struct buf *phrase, struct buf *out, size_t *n)
{
	struct buf q;

	if (!phrase->len)
		return;
	buf_init(&q, BUF_CAP_TEXT);
	buf_printf(&q, "\"%s\"", phrase->data);
	if (!out->data || !strstr(out->data, q.data)) {
		if (*n)
			buf_adds(out, ", ");
		buf_adds(out, q.data);
		(*n)++;
	}
	buf_release(&q);
	buf_reset(phrase);
}

/* How many topics hold a word: the fewer, the better it tells them apart. */
static size_t
word_df(const struct kb *kb, uint64_t key)
{
	size_t i, n = 0;

	for (i = 0; i < kb->n; i++)
		n += has_key(kb->t[i].feats, kb->t[i].nfeats, key);
	return n;
}

struct lack {
	size_t df, pos;
	const char *s;
	int len;
};

static int
lack_cmp(const void *a, const void *b)
{
	const struct lack *x = a, *y = b;

	if (x->df != y->df)
		return x->df < y->df ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

size_t
kb_words(struct kb *kb, const char *msg, const struct kb_topic *t,
    bool shared, struct buf *out)
{
	/* pub is the first member: every kb_topic of a kb is a kb_topic_int */
	const struct kb_topic_int *ti = (const struct kb_topic_int *)t;
	struct text tx;
	struct buf phrase;
	struct lack *lack;
	size_t i, n = 0, nlack = 0;
	long last = -2;

	buf_init(&phrase, BUF_CAP_TEXT);
	index_text(kb, msg, strlen(msg), &tx);
	lack = xcalloc(tx.ntok + 1, sizeof(*lack));
	for (i = 0; i < tx.ntok; i++) {
		const char *f = tx.folded + tx.tok[i].foff;
		uint64_t key = index_key(FEAT_FOLD_UNI, f, tx.tok[i].flen);

		if (has_key(ti->feats, ti->nfeats, key) != shared ||
		    has_key(kb->stop, kb->nstop, key))
			continue;
		if (!shared) {
			lack[nlack].df = word_df(kb, key);
			lack[nlack].pos = i;
			lack[nlack].s = tx.exact + tx.tok[i].eoff;
			lack[nlack++].len = (int)tx.tok[i].elen;
			continue;
		}
		if (last == (long)i - 1) {
			const char *a = tx.folded + tx.tok[i - 1].foff;
			size_t len = tx.tok[i].foff + tx.tok[i].flen -
			    tx.tok[i - 1].foff;

			if (has_key(ti->feats, ti->nfeats, index_key(FEAT_FOLD_BI,
			    a, len)))
				buf_addc(&phrase, ' ');
			else
				words_flush(&phrase, out, &n);
		} else {
			words_flush(&phrase, out, &n);
		}
		buf_printf(&phrase, "%.*s", (int)tx.tok[i].elen,
		    tx.exact + tx.tok[i].eoff);
		last = (long)i;
	}
	words_flush(&phrase, out, &n);
	/* the words t lacks, rarest first: the first makes the best 'not:' */
	if (nlack)
		qsort(lack, nlack, sizeof(*lack), lack_cmp);
	for (i = 0; i < nlack; i++) {
		buf_printf(&phrase, "%.*s", lack[i].len, lack[i].s);
		words_flush(&phrase, out, &n);
	}
	free(lack);
	text_release(&tx);
	buf_release(&phrase);
	return n;
}

static bool
re_hit(struct kb *kb, pcre2_code *re, const char *s)
{
	return re && pcre2_match(re, (PCRE2_SPTR)s, PCRE2_ZERO_TERMINATED, 0,
	    PCRE2_NO_UTF_CHECK, kb->md, kb->mctx) >= 0;
}

int
kb_hit_line(struct kb *kb, const char *msg, const struct kb_topic *t,
    bool veto)
{
	const struct kb_topic_int *ti = (const struct kb_topic_int *)t;
	const struct kb_pattern *v = ti->match;
	size_t n = ti->nmatch, i, j;
	struct text tv[2];
	int line = 0;

	if (veto)
		return match_not_line(kb, msg, t);
	/* as the matcher tries them: expanded, and as typed */
	index_text(kb, msg, strlen(msg), &tv[0]);
	text_normalize(&tv[1], msg, strlen(msg));
	for (i = 0; i < n && !line; i++) {
		for (j = 0; j < 2 && !line; j++) {
			if (re_hit(kb, v[i].folded, tv[j].folded))
				line = v[i].line;
		}
	}
	text_release(&tv[0]);
	text_release(&tv[1]);
	return line;
}

const char *
kb_system_text(const struct kb *kb, const char *id, const char *fallback)
{
	const struct kb_topic *t = kb_find(kb, id);

	return t && t->npages ? t->pages[0] : fallback;
}

uint64_t
kb_dir_signature(const char *dir)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	uint64_t sig = 0;

	if (!dh)
		return 0;
	while ((de = readdir(dh)) != NULL) {
		char path[4096];
		struct stat sb;
		uint64_t h;

		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (stat(path, &sb) < 0)
			continue;
		h = hash64(de->d_name, strlen(de->d_name), 0);
		h = hash64(&sb.st_size, sizeof(sb.st_size), h);
		h = hash64(&sb.st_mtim, sizeof(sb.st_mtim), h);
		sig ^= h;       /* order-independent */
	}
	closedir(dh);
	return sig;
}
