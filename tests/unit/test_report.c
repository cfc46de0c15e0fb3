/* The report's grouping of unanswered and unsure questions, alone
 * (report_group_texts) and as report_load does it on a database the store
 * wrote; the stop words both the report and the matcher read. The pages
 * themselves are tests/report.sh's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clock.h"
#include "diag.h"
#include "log.h"
#include "kb.h"
#include "report.h"
#include "report_int.h"  /* report_day_parts */
#include "store.h"
#include "testutil.h"
#include "util.h"         /* ARRAY_SIZE */

/* The bundled knowledge/: the abbreviations and stop words the report uses. */
static const char *
bundled_kb(void)
{
	static char path[4200];

	snprintf(path, sizeof(path), "%s/../../knowledge", TU_DATA_DIR);
	return path;
}

static size_t
group_of(const char *const *texts, size_t n, size_t *g)
{
	return report_group_texts(texts, n, bundled_kb(), g);
}

/* The example of issue 9: a short question inside a longer one. */
static void
test_short_inside_long(void **state)
{
	const char *t[] = { "lương hưu", "lương hưu tháng này bao giờ có",
		"cài vneid thế nào" };
	size_t g[ARRAY_SIZE(t)];

	(void)state;
	assert_int_equal(group_of(t, ARRAY_SIZE(t), g), 2);
	assert_int_equal(g[0], g[1]);
	assert_int_not_equal(g[0], g[2]);
}

/* Without diacritics, with abbreviations, either order. */
static void
test_short_inside_long_folded(void **state)
{
	const char *t[] = { "luong huu thang nay bao gio co", "đổi sđt vneid",
		"Lương hưu", "doi so dien thoai vneid the nao" };
	size_t g[ARRAY_SIZE(t)];

	(void)state;
	assert_int_equal(group_of(t, ARRAY_SIZE(t), g), 2);
	assert_int_equal(g[0], g[2]);
	assert_int_equal(g[1], g[3]);
	assert_int_not_equal(g[0], g[1]);
}

/* One syllable sits inside every question about its service: not enough. */
static void
test_one_syllable_alone(void **state)
{
	const char *t[] = { "vneid", "đổi số điện thoại vneid",
		"quên mật khẩu vneid" };
	size_t g[ARRAY_SIZE(t)];

	(void)state;
	assert_int_equal(group_of(t, ARRAY_SIZE(t), g), 3);
}

/* Sharing words is not being inside: each keeps its own question. */
static void
test_overlap_is_not_inside(void **state)
{
	const char *t[] = { "số điện thoại của phường là bao nhiêu",
		"đổi số điện thoại vneid" };
	size_t g[ARRAY_SIZE(t)];

	(void)state;
	assert_int_equal(group_of(t, ARRAY_SIZE(t), g), 2);
}

/* Biggest group first, then singles in the order given. */
static void
test_numbering(void **state)
{
	const char *t[] = { "mạng chậm quá", "tra cứu phạt nguội",
		"tra cứu phạt nguội xe máy", "phạt nguội tra cứu ở đâu" };
	size_t g[ARRAY_SIZE(t)];

	(void)state;
	assert_int_equal(group_of(t, ARRAY_SIZE(t), g), 2);
	assert_int_equal(g[1], 0);
	assert_int_equal(g[2], 0);
	assert_int_equal(g[3], 0);
	assert_int_equal(g[0], 1);
	assert_int_equal(group_of(t, 0, g), 0);
}

struct labelled {
	char *text[600];
	char *label[600];
	size_t n;
};

static void
read_labelled(struct labelled *l, const char *name)
{
	char path[4300], line[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/../golden/%s", TU_DATA_DIR, name);
	f = fopen(path, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) && l->n < ARRAY_SIZE(l->text)) {
		char *tab = strchr(line, '\t');

		if (line[0] == '#' || !tab)
			continue;
		*tab++ = '\0';
		tab[strcspn(tab, "\r\n")] = '\0';
		/* "out of scope" is many subjects under one label */
		if (strcmp(tab, "out_of_scope") == 0)
			continue;
		l->text[l->n] = strdup(line);
		l->label[l->n++] = strdup(tab);
	}
	fclose(f);
}

/*
 * The labelled questions of the golden sets, grouped as if none had been
 * answered: of the pairs put in one group, how many share a topic
 * (precision), and of the pairs that share a topic, how many are in one
 * group (recall). Topics are finer than FAQ gaps ("quên mật khẩu" of
 * VNeID, VssID and eTax form one sensible group), so precision is a floor.
 * Jaccard alone at 0.40 gives 0.771 and 0.086 here, containment as well
 * 0.843 and 0.149 (2026-12-01, printed below); the floors sit between, with
 * room for edits of the golden sets.
 */
static void
test_golden_sets(void **state)
{
	static struct labelled l;
	size_t *g, i, j;
	long tp = 0, fp = 0, fn = 0;
	double precision, recall;

	(void)state;
	read_labelled(&l, "paraphrases.tsv");
	read_labelled(&l, "nearmiss.tsv");
	assert_true(l.n > 200);
	g = calloc(l.n, sizeof(*g));
	assert_non_null(g);
	group_of((const char *const *)l.text, l.n, g);
	for (i = 0; i < l.n; i++) {
		for (j = i + 1; j < l.n; j++) {
			bool same = strcmp(l.label[i], l.label[j]) == 0;

			if (g[i] == g[j] && same)
				tp++;
			else if (g[i] == g[j])
				fp++;
			else if (same)
				fn++;
		}
	}
	precision = (double)tp / (double)(tp + fp);
	recall = (double)tp / (double)(tp + fn);
	printf("# %zu labelled questions: %ld pairs grouped, precision %.3f, "
	    "recall %.3f\n", l.n, tp + fp, precision, recall);
	assert_true(precision >= 0.80);
	assert_true(recall >= 0.12);
	for (i = 0; i < l.n; i++) {
		free(l.text[i]);
		free(l.label[i]);
	}
	free(g);
}

static bool
has_example(const struct report_group *g, const char *text)
{
	size_t i;

	for (i = 0; i < g->nex; i++)
		if (strcmp(g->ex[i], text) == 0)
			return true;
	return false;
}

/*
 * What the report groups: the unanswered questions and the question before
 * each "clarify" reply; one example per wording; biggest group first.
 */
static void
test_load_groups_as_the_report_does(void **state)
{
	char dir[256], db[512];
	struct store *st;
	struct report r;
	struct report_opts o;
	const struct report_group *g;
	long today = clock_day(store_now_ms() / 1000);

	(void)state;
	log_set_level(LOG_ERROR);
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(db, sizeof(db), "%s/t.db", dir);
	st = store_open(db);
	assert_non_null(st);
	assert_int_equal(store_unanswered(st, "telegram", "1", "lương hưu"), 0);
	assert_int_equal(store_unanswered(st, "telegram", "2", "LƯƠNG  HƯU"), 0);
	assert_int_equal(store_unanswered(st, "zalo", "3", "cài vneid thế nào"),
	    0);
	/* unsure: the bot only offered a "did you mean" list */
	assert_int_equal(store_log(st, "telegram", "4", "in",
	    "lương hưu tháng này bao giờ có", NULL, NULL), 0);
	assert_int_equal(store_log(st, "telegram", "4", "out", "có phải bác…",
	    NULL, "clarify"), 0);
	/* answered: not a question to group */
	assert_int_equal(store_log(st, "telegram", "5", "in", "mở app vssid",
	    NULL, NULL), 0);
	assert_int_equal(store_log(st, "telegram", "5", "out", "dạ…", "vssid",
	    "answer"), 0);
	store_close(st);

	memset(&o, 0, sizeof(o));
	o.db = db;
	o.kb_dir = bundled_kb();
	o.since = today - 30;
	o.today = today;
	assert_int_equal(report_load(&r, &o), 0);
	assert_int_equal(r.nunanswered, 3);
	assert_int_equal(r.nunsure, 1);
	assert_int_equal(r.ngrouped, 4);
	assert_int_equal(r.ngroups, 2);
	g = &r.groups[0];
	assert_int_equal(g->n, 3);
	assert_int_equal(g->nunsure, 1);
	/* "LƯƠNG  HƯU" is "lương hưu" again: one example for both */
	assert_int_equal(g->nex, 2);
	assert_true(has_example(g, "lương hưu tháng này bao giờ có"));
	assert_true(has_example(g, "lương hưu") ||
	    has_example(g, "LƯƠNG HƯU"));
	g = &r.groups[1];
	assert_int_equal(g->n, 1);
	assert_int_equal(g->nunsure, 0);
	assert_int_equal(g->nex, 1);
	assert_string_equal(g->ex[0], "cài vneid thế nào");
	assert_int_equal(r.answered, 1);
	assert_int_equal(r.clarified, 1);
	report_release(&r);
}

/* Questions that share only polite words are alike until those are stop
 * words: the report drops the stop words of the kb_dir it is given. */
static void
test_stop_words_of_the_kb_dir(void **state)
{
	const char *t[] = { "ạ nhé ơi vneid", "ạ nhé ơi etax" };
	char none[256], some[256];
	size_t g[ARRAY_SIZE(t)];

	(void)state;
	tu_mkdtemp(none, sizeof(none));
	tu_mkdtemp(some, sizeof(some));
	tu_write(some, "stopwords.txt", "\xEF\xBB\xBFạ, nhé\n# lời lễ phép\nơi\n");
	assert_int_equal(report_group_texts(t, 2, none, g), 1);
	assert_int_equal(report_group_texts(t, 2, some, g), 2);
}

static void
add_word(const char *folded, void *arg)
{
	struct buf *b = arg;

	buf_printf(b, "%s|", folded);
}

static void
test_stopwords_read(void **state)
{
	char dir[256], path[512];
	struct diag d;
	struct buf b;

	(void)state;
	tu_mkdtemp(dir, sizeof(dir));
	tu_write(dir, "stopwords.txt", "\xEF\xBB\xBFẠ, Nhé ơi\n  # không\n\n"
	    "thì,,là\nsố-một\n");
	snprintf(path, sizeof(path), "%s/stopwords.txt", dir);
	diag_init(&d);
	buf_init(&b, 4096);
	kb_stopwords_read(path, &d, add_word, &b);
	assert_string_equal(b.data, "a|nhe|oi|thi|la|");
	assert_int_equal(d.nerr, 1);            /* "số-một" is not one word */
	assert_true(tu_diag_has(&d, "số-một"));
	/* a missing file is no stop words, and no error */
	buf_reset(&b);
	diag_release(&d);
	diag_init(&d);
	snprintf(path, sizeof(path), "%s/none.txt", dir);
	kb_stopwords_read(path, &d, add_word, &b);
	assert_int_equal(b.len, 0);
	assert_int_equal(d.nerr, 0);
	buf_release(&b);
	diag_release(&d);
}

/* The rest is what is left of the day's questions, never below 0. */
static void
test_day_parts(void **state)
{
	struct report_day d = { 0, 10, 4, 2, 1 };
	int part[4];

	(void)state;
	assert_int_equal(report_day_parts(&d, part), 10);
	assert_int_equal(part[0], 4);
	assert_int_equal(part[1], 2);
	assert_int_equal(part[2], 1);
	assert_int_equal(part[3], 3);
	/* replies after midnight to questions of the day before */
	d.n = 2;
	d.answered = 3;
	assert_int_equal(report_day_parts(&d, part), 6);
	assert_int_equal(part[0], 3);
	assert_int_equal(part[3], 0);
}

static char *
page(const struct report *r, void (*write)(const struct report *, FILE *))
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);

	assert_non_null(f);
	write(r, f);
	fclose(f);
	return out;
}

/* Twelve questions asked once: both pages list ten and count the rest. */
static void
test_pages_list_ten_singles(void **state)
{
	static const char *const words[] = { "vneid", "etax", "vssid",
		"ihanoi", "zalo", "momo", "facebook", "wifi", "email", "camera",
		"tivi", "radio" };
	char dir[256], db[512], *text, *html;
	struct store *st;
	struct report r;
	struct report_opts o;
	size_t i;
	long today = clock_day(store_now_ms() / 1000);

	(void)state;
	log_set_level(LOG_ERROR);
	tu_mkdtemp(dir, sizeof(dir));
	snprintf(db, sizeof(db), "%s/t.db", dir);
	st = store_open(db);
	assert_non_null(st);
	for (i = 0; i < ARRAY_SIZE(words); i++)
		assert_int_equal(store_unanswered(st, "telegram", "1", words[i]),
		    0);
	store_close(st);
	memset(&o, 0, sizeof(o));
	o.db = db;
	o.since = today - 30;
	o.today = today;
	assert_int_equal(report_load(&r, &o), 0);
	assert_int_equal(r.ngroups, 12);
	text = page(&r, report_text);
	html = page(&r, report_html);
	assert_non_null(strstr(text, "Câu hỏi lẻ (chỉ hỏi một lần): 12\n"));
	assert_non_null(strstr(text, "… và 2 câu khác\n"));
	assert_non_null(strstr(html, "<li>… và 2 câu khác</li>"));
	for (i = 0, r.ngroups = 10; i < 2; i++) {
		char *t = page(&r, i ? report_html : report_text);

		/* ten exactly: nothing more to count */
		assert_null(strstr(t, "câu khác"));
		free(t);
	}
	r.ngroups = 12;
	free(text);
	free(html);
	report_release(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_inside_long),
		cmocka_unit_test(test_short_inside_long_folded),
		cmocka_unit_test(test_one_syllable_alone),
		cmocka_unit_test(test_overlap_is_not_inside),
		cmocka_unit_test(test_numbering),
		cmocka_unit_test(test_golden_sets),
		cmocka_unit_test(test_load_groups_as_the_report_does),
		cmocka_unit_test(test_stop_words_of_the_kb_dir),
		cmocka_unit_test(test_stopwords_read),
		cmocka_unit_test(test_day_parts),
		cmocka_unit_test(test_pages_list_ten_singles),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
