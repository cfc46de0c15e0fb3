/*
 * bench: matcher throughput and latency (make bench; see bench/run.sh).
 *
 *   build/bench gen N DIR       writes a synthetic N-topic knowledge base
 *   build/bench run KBDIR [R]   loads KBDIR, then asks every example of every
 *                               topic, as written and with diacritics folded,
 *                               R rounds; prints load time, questions/s,
 *                               p50/p99 latency and peak RSS
 *
 * Figures are per process, one core; the machine is shared, so run.sh repeats
 * and reports medians.
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

/* Real Vietnamese syllables, so the generated text exercises the folding. */
static const char *const syl[] = {
	"đăng", "ký", "tài", "khoản", "mật", "khẩu", "thuế", "đất", "nhà",
	"bảo", "hiểm", "xã", "hội", "y", "tế", "thẻ", "căn", "cước", "công",
	"dân", "định", "danh", "điện", "tử", "ứng", "dụng", "cài", "đặt",
	"nộp", "phí", "lệ", "hồ", "sơ", "giấy", "tờ", "xác", "nhận", "chữ",
	"số", "ngân", "hàng", "chuyển", "tiền", "mã", "quét", "học", "lớp",
	"phường", "xã", "quận", "lịch", "hẹn", "khám", "bệnh", "viện", "trường",
	"điểm", "thi", "đơn", "khai", "sinh", "tử", "kết", "hôn", "lái", "xe",
	"hộ", "khẩu", "cư", "trú", "tạm", "vắng", "nước", "rác", "đèn", "đường",
};

static const char *
w(unsigned *seed)
{
	*seed = *seed * 1103515245u + 12345u;
	return syl[(*seed >> 8) % ARRAY_SIZE(syl)];
}

static int
gen(int n, const char *dir)
{
	unsigned seed = 42;
	int i, j, per = 50;
	FILE *f = NULL;
	char path[4096];

	mkdir(dir, 0755);
	for (i = 0; i < n; i++) {
		const char *a = w(&seed), *b = w(&seed), *c = w(&seed), *d = w(&seed);

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
		fprintf(f, "== gen.t%04d\ntitle: %s %s %s %s\n", i, a, b, c, d);
		fprintf(f, "keywords: %s %s, %s %s, %s\n", a, b, c, d, w(&seed));
		for (j = 0; j < 8; j++)
			fprintf(f, "ask: %s %s %s %s %s thế nào\n", w(&seed), a, b,
			    w(&seed), c);
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

static int
run(const char *dir, int rounds)
{
	struct diag d;
	struct kb *kb;
	double t0, load, total = 0, *lat;
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
	lat = xmalloc(nq * (size_t)rounds * sizeof(*lat));
	for (r = 0; r < rounds; r++) {
		for (i = 0; i < nq; i++) {
			struct match_result m;
			double a = now_s(), b;

			kb_match(kb, qs[i], strlen(qs[i]), &m);
			b = now_s();
			lat[nlat++] = b - a;
			total += b - a;
			answered += m.action == MATCH_ANSWER;
		}
	}
	qsort(lat, nlat, sizeof(*lat), dcmp);
	getrusage(RUSAGE_SELF, &ru);
	printf("kb=%s topics=%zu questions=%zu load_ms=%.1f qps=%.0f p50_us=%.1f "
	    "p99_us=%.1f peak_rss_mb=%.1f answered=%.3f\n", dir, kb_count(kb), nlat,
	    load * 1e3, (double)nlat / total, lat[nlat / 2] * 1e6,
	    lat[nlat * 99 / 100] * 1e6, (double)ru.ru_maxrss / 1024.0,
	    (double)answered / (double)nlat);
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
	if (argc == 4 && strcmp(argv[1], "gen") == 0)
		return gen(atoi(argv[2]), argv[3]);
	if ((argc == 3 || argc == 4) && strcmp(argv[1], "run") == 0)
		return run(argv[2], argc == 4 ? atoi(argv[3]) : 3);
	fprintf(stderr, "usage: bench gen N DIR | bench run KBDIR [ROUNDS]\n");
	return 2;
}
