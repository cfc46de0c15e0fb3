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

/* What the questions came to. */
struct tally {
	size_t nin, nin_ok, nin_top, nin_clar, noos, noos_rej, nwrong;
};

/* Scores one labelled question; prints it when it is a miss. */
static void
score_one(struct kb *kb, struct tally *n, const char *line, const char *want)
{
	struct match_result r;
	bool oos = strcmp(want, "out_of_scope") == 0;

	match_run(kb, line, strlen(line), &r);
	if (oos) {
		n->noos++;
		if (r.action != MATCH_ANSWER) {
			n->noos_rej++;
		} else {
			n->nwrong++;
			printf("ANSWERED-OOS\t%s\t%s %.2f\n", line, r.topic->id, r.score);
		}
		return;
	}
	n->nin++;
	if (label_ok(want, r.topic))
		n->nin_top++;
	if (r.action == MATCH_ANSWER && label_ok(want, r.topic)) {
		n->nin_ok++;
		return;
	}
	if (r.action == MATCH_ANSWER) {
		n->nwrong++;
		printf("WRONG\t%s\twant %s, got %s %.2f\n", line, want,
		    r.topic->id, r.score);
	} else if (r.action == MATCH_CLARIFY) {
		size_t k;
		bool in = false;

		for (k = 0; k < r.ncand; k++)
			if (label_ok(want, r.cand[k].topic))
				in = true;
		n->nin_clar += in;
		printf("CLARIFY\t%s\twant %s, offered %s%s %.2f\n", line, want,
		    r.topic->id, in ? " (in list)" : "", r.score);
	} else {
		printf("FALLBACK\t%s\twant %s, best %s %.2f\n", line, want,
		    r.topic ? r.topic->id : "-", r.score);
	}
}

/* Prints the rates against their floors; 1 if one misses. */
static int
summary(const struct tally *n, double min_top1, double min_oos,
    double max_wrong)
{
	double top1, answered, rej, wrong;
	int rc = 0;

	answered = n->nin ? (double)n->nin_ok / (double)n->nin : 1;
	top1 = n->nin ? (double)n->nin_top / (double)n->nin : 1;
	rej = n->noos ? (double)n->noos_rej / (double)n->noos : 1;
	wrong = (n->nin + n->noos) ?
	    (double)n->nwrong / (double)(n->nin + n->noos) : 0;
	printf("in-scope: %zu, answered right (top-1): %.3f, best candidate right: "
	    "%.3f, right topic offered in a clarify list: %zu\n",
	    n->nin, answered, top1, n->nin_clar);
	printf("out-of-scope: %zu, rejected: %.3f\n", n->noos, rej);
	printf("confidently wrong: %zu of %zu = %.3f\n", n->nwrong,
	    n->nin + n->noos, wrong);
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
	struct tally t = { 0 };
	struct kb *kb;
	FILE *f;
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t n;
	int c, li;

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
		if (strcmp(want, "out_of_scope") != 0 && !kb_find(kb, want))
			fprintf(stderr, "%s:%zu: warning: unknown topic '%s'\n",
			    argv[optind], lineno, want);
		score_one(kb, &t, line, want);
	}
	free(line);
	fclose(f);
	return summary(&t, min_top1, min_oos, max_wrong);
}
