/*
 * hoidap eval: scores the matcher on labelled questions (question TAB topic,
 * `out_of_scope` for questions no topic may answer). Prints the rates and
 * every miss; exits 1 when a rate misses its floor (by default the floors
 * the project promises; --min-top1, --min-oos and --max-wrong set others, so
 * `make eval` can hold every set to the same line).
 *
 * A label names a topic ("vssid.install_login": the topic or any of its
 * sections is right, the resident got that guide) or one section
 * ("vssid.install_login#password": exactly that part).
 */
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "match.h"

#define FLOOR_TOP1 0.95
#define FLOOR_OOS 0.90
#define CEIL_WRONG 0.02

static bool
label_ok(const char *want, const struct kb_topic *t)
{
	if (!t)
		return false;
	if (strchr(want, '#'))
		return strcmp(t->id, want) == 0;
	return strcmp(kb_root(t)->id, want) == 0;
}

enum { OPT_MIN_TOP1 = 256, OPT_MIN_OOS, OPT_MAX_WRONG };

/* A floor is a rate: a number from 0 to 1, nothing after it. */
static int
parse_rate(const char *opt, const char *s, double *out)
{
	char *end;
	double v;

	v = strtod(s, &end);
	if (end == s || *end || isnan(v) || v < 0 || v > 1) {
		fprintf(stderr, "hoidap eval: --%s %s: expected a rate from 0 "
		    "to 1, e.g. 0.95\n", opt, s);
		return -1;
	}
	*out = v;
	return 0;
}

int
cmd_eval(struct cmd_ctx *cx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kb", required_argument, NULL, 'k' },
		{ "min-top1", required_argument, NULL, OPT_MIN_TOP1 },
		{ "min-oos", required_argument, NULL, OPT_MIN_OOS },
		{ "max-wrong", required_argument, NULL, OPT_MAX_WRONG },
		{ NULL, 0, NULL, 0 },
	};
	double min_top1 = FLOOR_TOP1, min_oos = FLOOR_OOS, max_wrong = CEIL_WRONG;
	int li;
	struct kb *kb;
	FILE *f;
	char *line = NULL;
	size_t cap = 0, nin = 0, nin_ok = 0, nin_top = 0, nin_clar = 0, noos = 0,
	    noos_rej = 0, nwrong = 0, lineno = 0;
	ssize_t n;
	int c, rc;
	double top1, answered, rej, wrong;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:", opts, &li)) != -1) {
		switch (c) {
		case 'k':
			cx->kb_dir = optarg;
			break;
		case OPT_MIN_TOP1:
		case OPT_MIN_OOS:
		case OPT_MAX_WRONG:
			if (parse_rate(opts[li].name, optarg,
			    c == OPT_MIN_TOP1 ? &min_top1 :
			    c == OPT_MIN_OOS ? &min_oos : &max_wrong) == -1)
				return cmd_usage("eval");
			break;
		default:
			return cmd_usage("eval");
		}
	}
	if (optind + 1 != argc)
		return cmd_usage("eval");
	f = fopen(argv[optind], "r");
	if (!f) {
		perror(argv[optind]);
		return EXIT_USAGE;
	}
	if (cmd_open(cx) < 0) {
		fclose(f);
		return 1;
	}
	kb = cx->kb;
	while ((n = getline(&line, &cap, f)) != -1) {
		char *tab, *want;
		struct match_result r;
		bool oos;

		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!*line || *line == '#')
			continue;
		tab = strchr(line, '\t');
		if (!tab) {
			fprintf(stderr, "%s:%zu: expected 'question<TAB>topic'\n",
			    argv[optind], lineno);
			continue;
		}
		*tab = '\0';
		want = tab + 1;
		oos = strcmp(want, "out_of_scope") == 0;
		if (!oos && !kb_find(kb, want))
			fprintf(stderr, "%s:%zu: warning: unknown topic '%s'\n",
			    argv[optind], lineno, want);
		match_run(kb, line, strlen(line), &r);
		if (oos) {
			noos++;
			if (r.action != MATCH_ANSWER) {
				noos_rej++;
			} else {
				nwrong++;
				printf("ANSWERED-OOS\t%s\t%s %.2f\n", line, r.topic->id, r.score);
			}
			continue;
		}
		nin++;
		if (label_ok(want, r.topic))
			nin_top++;
		if (r.action == MATCH_ANSWER && label_ok(want, r.topic)) {
			nin_ok++;
			continue;
		}
		if (r.action == MATCH_ANSWER) {
			nwrong++;
			printf("WRONG\t%s\twant %s, got %s %.2f\n", line, want,
			    r.topic->id, r.score);
		} else if (r.action == MATCH_CLARIFY) {
			size_t k;
			bool in = false;

			for (k = 0; k < r.ncand; k++)
				if (label_ok(want, r.cand[k].topic))
					in = true;
			nin_clar += in;
			printf("CLARIFY\t%s\twant %s, offered %s%s %.2f\n", line, want,
			    r.topic->id, in ? " (in list)" : "", r.score);
		} else {
			printf("FALLBACK\t%s\twant %s, best %s %.2f\n", line, want,
			    r.topic ? r.topic->id : "-", r.score);
		}
	}
	free(line);
	fclose(f);

	answered = nin ? (double)nin_ok / (double)nin : 1;
	top1 = nin ? (double)nin_top / (double)nin : 1;
	rej = noos ? (double)noos_rej / (double)noos : 1;
	wrong = (nin + noos) ? (double)nwrong / (double)(nin + noos) : 0;
	printf("in-scope: %zu, answered right (top-1): %.3f, best candidate right: "
	    "%.3f, right topic offered in a clarify list: %zu\n",
	    nin, answered, top1, nin_clar);
	printf("out-of-scope: %zu, rejected: %.3f\n", noos, rej);
	printf("confidently wrong: %zu of %zu = %.3f\n", nwrong, nin + noos, wrong);
	rc = 0;
	if (answered < min_top1) {
		printf("BELOW FLOOR: answered right (top-1) %.3f < %g\n",
		    answered, min_top1);
		rc = 1;
	}
	if (rej < min_oos) {
		printf("BELOW FLOOR: out-of-scope rejected %.3f < %g\n", rej,
		    min_oos);
		rc = 1;
	}
	if (wrong > max_wrong) {
		printf("BELOW FLOOR: confidently wrong %.3f > %g\n", wrong,
		    max_wrong);
		rc = 1;
	}
	printf("%s (floors: top-1 >= %g, rejected >= %g, wrong <= %g)\n",
	    rc ? "BELOW FLOOR" : "ok", min_top1, min_oos, max_wrong);
	return rc;
}
