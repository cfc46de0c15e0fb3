#include "kb_int.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
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
	F_SOURCE, F_REVIEWED, F_PRIORITY, F_ANSWER };

static const char *const keys[] = {
	[F_TITLE] = "title", [F_KEYWORDS] = "keywords", [F_ASK] = "ask",
	[F_MATCH] = "match", [F_NOT] = "not", [F_LINK] = "link",
	[F_SEE] = "see", [F_MENU] = "menu", [F_SOURCE] = "source",
	[F_REVIEWED] = "reviewed", [F_PRIORITY] = "priority",
	[F_ANSWER] = "answer",
};

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
	free(t->reviewed);
	free(t->file);
	for (i = 0; i < t->npages; i++)
		free(t->pages[i]);
	free(t->pages);
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
			if (isdigit((unsigned char)s[0]) && (s[1] == '.' ||
			    (isdigit((unsigned char)s[1]) && s[2] == '.')))
				steps++;
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
		single = &t->source;
		break;
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

static void
parse_file(struct parse *ps, char *data)
{
	struct kb *kb = ps->kb;
	struct kb_topic_int *cur = NULL;
	struct buf ans;
	bool in_answer = false, have_answer = false, seen_block = false;
	int lineno = 0, ans_line = 0;
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
		if (strncmp(line, "==", 2) == 0 && (line[2] == ' ' ||
		    line[2] == '\t' || line[2] == '\0')) {
			char *id = str_trim(line + 2);

			if (cur)
				finish_topic(ps, cur, &ans, have_answer, ans_line);
			cur = NULL;
			buf_reset(&ans);
			in_answer = have_answer = false;
			seen_block = true;
			if (!valid_id(id)) {
				diag_error(ps->d, ps->path, lineno, "invalid topic id '%s' "
				    "(lowercase letters, digits, '_', parts joined by '.')", id);
				continue;
			}
			{
				struct kb_topic_int *dup = find_topic(kb, id);

				if (dup) {
					diag_error(ps->d, ps->path, lineno,
					    "duplicate topic id '%s' (first defined at %s:%d)", id,
					    dup->pub.file, dup->pub.line);
					continue;
				}
			}
			kb->t = xgrow(kb->t, &kb->alloc, kb->n + 1, sizeof(*kb->t));
			cur = &kb->t[kb->n++];
			memset(cur, 0, sizeof(*cur));
			cur->pub.id = xstrdup(id);
			cur->pub.file = xstrdup(ps->path);
			cur->pub.line = lineno;
			cur->pub.system = strncmp(id, "sys.", 4) == 0;
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
				    "reviewed, priority, answer)", k);
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

static void
check_refs(struct kb *kb, struct diag *d)
{
	size_t i, j;

	for (i = 0; i < kb->n; i++) {
		struct kb_topic_int *ti = &kb->t[i];

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
	check_refs(kb, d);
	kb_index_build(kb);
	return kb;
}

void
kb_free(struct kb *kb)
{
	size_t i;

	if (!kb)
		return;
	kb_index_free(kb);
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
