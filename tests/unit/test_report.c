/* report.c: how unanswered and unsure questions are grouped. The rest of
 * the report (reading the database, the text and HTML pages) is
 * tests/report.sh's. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"
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
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
