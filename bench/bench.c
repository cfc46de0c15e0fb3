/*
 * bench: matcher throughput and latency (make bench; see bench/run.sh).
 *
 *   build/bench gen N DIR [uniform]  writes a synthetic N-topic knowledge base
 *   build/bench run KBDIR [R]   loads KBDIR, then asks every example of every
 *                               topic, as written and with diacritics folded:
 *                               WARMUP rounds first (a pattern form is
 *                               JIT-compiled on its 16th run, 0.1-0.5 ms once
 *                               per process: the steady state comes after),
 *                               then R rounds; prints load time, questions/s,
 *                               p50/p99 latency, peak RSS, and the first
 *                               round apart (cold_qps, cold_p99_us)
 *
 * Figures are per process, one core; the machine is shared, so run.sh repeats
 * and reports medians. Instruction counts of the timed rounds alone:
 *   valgrind --tool=callgrind --toggle-collect=timed_match build/bench run DIR 1
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include "kb.h"
#include "match.h"
#include "text.h"
#include "util.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Two generators:
 *   zipf    - a realistic knowledge base: ~1,300 distinct syllables drawn
 *             with a skew (a few common words in many topics, most words in
 *             few), each topic with its own three content words, as real
 *             FAQ topics have ("vssid", "mật khẩu", "quên").
 *   uniform - adversarial: 80 syllables spread evenly, so every word is in
 *             hundreds of topics and nothing tells topics apart.
 */
static const char *const onsets[] = {
	"b", "c", "ch", "d", "đ", "g", "h", "k", "kh", "l", "m", "n", "ng", "nh",
	"ph", "qu", "s", "t", "th", "tr", "v", "x",
};
static const char *const rhymes[] = {
	"a", "à", "á", "ả", "ạ", "ai", "ái", "ao", "áo", "an", "án", "ang", "àng",
	"anh", "ánh", "at", "ác", "e", "è", "é", "em", "en", "ên", "ết", "i", "ì",
	"í", "im", "in", "inh", "ính", "o", "ò", "ó", "oa", "oà", "oan", "oi",
	"ói", "om", "on", "ong", "óng", "ô", "ồ", "ố", "ôi", "ông", "ống", "ơ",
	"ờ", "ới", "ơn", "u", "ù", "ú", "ua", "uân", "ui", "um", "un", "ung",
	"ưa", "ươi", "ương", "ước",
};
#define NSYL (ARRAY_SIZE(onsets) * ARRAY_SIZE(rhymes))

static const char *const syl80[] = {
	"đăng", "ký", "tài", "khoản", "mật", "khẩu", "thuế", "đất", "nhà",
	"bảo", "hiểm", "xã", "hội", "y", "tế", "thẻ", "căn", "cước", "công",
	"dân", "định", "danh", "điện", "tử", "ứng", "dụng", "cài", "đặt",
	"nộp", "phí", "lệ", "hồ", "sơ", "giấy", "tờ", "xác", "nhận", "chữ",
	"số", "ngân", "hàng", "chuyển", "tiền", "mã", "quét", "học", "lớp",
	"phường", "xã", "quận", "lịch", "hẹn", "khám", "bệnh", "viện", "trường",
	"điểm", "thi", "đơn", "khai", "sinh", "tử", "kết", "hôn", "lái", "xe",
	"hộ", "khẩu", "cư", "trú", "tạm", "vắng", "nước", "rác", "đèn", "đường",
};

static unsigned gseed = 42;
static int zipf_mode = 1;
static char sylbuf[8][32];
static int sylk;

static double
urand(void)
{
	gseed = gseed * 1103515245u + 12345u;
	return (double)((gseed >> 8) & 0xFFFFFF) / (double)0x1000000;
}

static const char *
syl_at(size_t r)
{
	char *b = sylbuf[sylk++ % 8];

	snprintf(b, 32, "%s%s", onsets[r % ARRAY_SIZE(onsets)],
	    rhymes[(r / ARRAY_SIZE(onsets)) % ARRAY_SIZE(rhymes)]);
	return b;
}

/* A common word: rank skewed towards the first few hundred. */
static const char *
w_common(void)
{
	if (!zipf_mode)
		return syl80[(size_t)(urand() * ARRAY_SIZE(syl80))];
	return syl_at((size_t)(urand() * urand() * urand() * NSYL));
}

/* A content word: any syllable, evenly. */
static const char *
w_content(void)
{
	if (!zipf_mode)
		return syl80[(size_t)(urand() * ARRAY_SIZE(syl80))];
	return syl_at((size_t)(urand() * NSYL));
}

static int
gen(int n, const char *dir, int zipf)
{
	int i, j, per = 50;
	FILE *f = NULL;
	char path[4096];

	zipf_mode = zipf;
	mkdir(dir, 0755);
	for (i = 0; i < n; i++) {
		char a[32], b[32], c[32], d[32];

		snprintf(a, sizeof(a), "%s", w_content());
		snprintf(b, sizeof(b), "%s", w_content());
		snprintf(c, sizeof(c), "%s", w_content());
		snprintf(d, sizeof(d), "%s", w_common());
		if (i % per == 0) {
			if (f)
				fclose(f);
			snprintf(path, sizeof(path), "%s/gen%03d.txt", dir, i / per);
			f = fopen(path, "w");
			if (!f) {
				perror(path);
				return 1;
			}
		}
		fprintf(f, "== gen.t%04d\ntitle: %s %s %s %s\n", i, d, a, b, c);
		fprintf(f, "keywords: %s %s, %s %s, %s\n", a, b, b, c, a);
		for (j = 0; j < 8; j++) {
			char x[32], y[32];

			snprintf(x, sizeof(x), "%s", w_common());
			snprintf(y, sizeof(y), "%s", w_common());
			fprintf(f, "ask: %s %s %s %s %s thế nào\n", x, a, b, y,
			    j % 2 ? c : d);
		}
		fprintf(f, "match: %s\\s+%s.{0,30}%s\n", a, b, c);
		fprintf(f, "match: (%s|%s)\\s+%s\\b\n", c, d, a);
		fprintf(f, "source: generated\nreviewed: 2026-11-28\nanswer:\n"
		    "1. Bước một.\n2. Bước hai.\n\n");
	}
	if (f)
		fclose(f);
	return 0;
}

static int
dcmp(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;

	return a < b ? -1 : a > b;
}

#define WARMUP 16

/* One timed question (a function of its own for callgrind's sake). */
__attribute__((noinline)) static double
timed_match(struct kb *kb, const char *q, struct match_result *m)
{
	double a = now_s();

	match_run(kb, q, strlen(q), m);
	return now_s() - a;
}

/*
 * bench slow: the questions behind the p99, slowest first (each one's
 * median over the rounds), to see what a tail is made of.
 */
struct slow {
	double med;
	size_t q;
};

static int
slow_cmp(const void *x, const void *y)
{
	const struct slow *a = x, *b = y;

	return a->med > b->med ? -1 : a->med < b->med;
}

static void
slowest(char **qs, size_t nq, const double *lat, int rounds)
{
	struct slow *v = xmalloc(nq * sizeof(*v));
	double *one = xmalloc((size_t)rounds * sizeof(*one));
	size_t i, n = nq / 100 + 1;
	int r;

	for (i = 0; i < nq; i++) {
		for (r = 0; r < rounds; r++)
			one[r] = lat[(size_t)r * nq + i];
		qsort(one, (size_t)rounds, sizeof(*one), dcmp);
		v[i].med = one[rounds / 2];
		v[i].q = i;
	}
	qsort(v, nq, sizeof(*v), slow_cmp);
	for (i = 0; i < n && i < nq; i++)
		printf("%.1f\t%s\n", v[i].med * 1e6, qs[v[i].q]);
	free(one);
	free(v);
}

static int
run(const char *dir, int rounds, bool slow)
{
	struct diag d;
	struct kb *kb;
	double t0, load, total = 0, cold = 0, cold_p99, *lat;
	char **qs = NULL;
	size_t nq = 0, i, k, nlat = 0, answered = 0;
	struct rusage ru;
	int r;

	diag_init(&d);
	t0 = now_s();
	kb = kb_load(dir, &d);
	load = now_s() - t0;
	if (!kb || d.nerr) {
		fputs(d.text.data, stderr);
		return 1;
	}
	diag_release(&d);
	for (i = 0; i < kb_count(kb); i++) {
		const struct kb_topic *t = kb_topic(kb, i);

		for (k = 0; k < t->nasks; k++) {
			qs = xrealloc(qs, (nq + 2) * sizeof(*qs));
			qs[nq++] = xstrdup(t->asks[k]);
			qs[nq++] = text_fold_phrase(t->asks[k]);
		}
	}
	if (rounds < 1 || !nq) {
		fprintf(stderr, "bench: nothing to ask\n");
		return 1;
	}
	lat = xmalloc(nq * (size_t)(rounds > 1 ? rounds : 1) * sizeof(*lat));
	for (r = 0; r < WARMUP; r++)
		for (i = 0; i < nq; i++) {
			struct match_result m;

			t0 = now_s();
			match_run(kb, qs[i], strlen(qs[i]), &m);
			if (r == 0) {
				lat[i] = now_s() - t0;
				cold += lat[i];
			}
		}
	qsort(lat, nq, sizeof(*lat), dcmp);
	cold_p99 = lat[nq * 99 / 100];
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nq; i++) {
			struct match_result m;
			double dt = timed_match(kb, qs[i], &m);

			lat[nlat++] = dt;
			total += dt;
			answered += m.action == MATCH_ANSWER;
		}
	}
	if (slow)
		slowest(qs, nq, lat, rounds);
	qsort(lat, nlat, sizeof(*lat), dcmp);
	getrusage(RUSAGE_SELF, &ru);
	printf("%skb=%s topics=%zu questions=%zu load_ms=%.1f qps=%.0f p50_us=%.1f "
	    "p99_us=%.1f peak_rss_mb=%.1f answered=%.3f cold_qps=%.0f "
	    "cold_p99_us=%.1f\n", slow ? "# " : "", dir, kb_count(kb), nlat, load * 1e3,
	    (double)nlat / total, lat[nlat / 2] * 1e6, lat[nlat * 99 / 100] * 1e6,
	    (double)ru.ru_maxrss / 1024.0, (double)answered / (double)nlat,
	    (double)nq / cold, cold_p99 * 1e6);
	for (i = 0; i < nq; i++)
		free(qs[i]);
	free(qs);
	free(lat);
	kb_free(kb);
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "gen") == 0)
		return gen(atoi(argv[2]), argv[3], !(argc == 5 &&
		    strcmp(argv[4], "uniform") == 0));
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "run") == 0)
		return run(argv[2], argc == 4 ? atoi(argv[3]) : 3, false);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "slow") == 0)
		return run(argv[2], argc == 4 ? atoi(argv[3]) : 5, true);
	fprintf(stderr, "usage: bench gen N DIR [uniform] | bench run|slow KBDIR "
	    "[ROUNDS]\n");
	return 2;
}
