/*
 * hoidap check: the admins' one command (ntpd -n). Parses everything, then
 * runs every `ask:` example through the matcher: an example that does not
 * reach its own topic is an error, because a resident asking the same way
 * would get the wrong guide.
 *
 * With sections, "its own" is exact: a section's example must open that
 * section, and a topic's example the topic's main guide. A topic example
 * that opens one of the topic's sections is about that part, so it belongs
 * under the section's "===" line (the message says so).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "diag.h"
#include "match.h"

/* Example j of t opened another part of the same topic. */
static void
family_error(struct diag *d, const struct kb_topic *t, size_t j,
    const struct match_result *r)
{
	const char *q = t->asks[j];
	int line = t->ask_lines[j];

	if (!t->parent)
		diag_error(d, t->file, line, "ví dụ \"%s\" của chủ đề '%s' lại mở "
		    "phần '%s' (%.2f): nếu câu này hỏi đúng phần đó, chuyển dòng "
		    "'ask:' xuống dưới '=== %s'; nếu không, viết 'keywords:'/'match:' "
		    "của phần chặt hơn", q, t->id, r->topic->id, r->score,
		    r->topic->section);
	else if (!r->topic->parent)
		diag_error(d, t->file, line, "ví dụ \"%s\" của phần '%s' lại mở "
		    "hướng dẫn chung của chủ đề '%s' (%.2f): thêm vào phần những từ "
		    "riêng của nó ('keywords:', 'match:'), hoặc chuyển ví dụ này lên "
		    "chủ đề nếu câu hỏi là chung", q, t->id, r->topic->id, r->score);
	else
		diag_error(d, t->file, line, "ví dụ \"%s\" của phần '%s' lại mở "
		    "phần '%s' (%.2f): hai phần giống nhau quá; thêm từ riêng cho "
		    "từng phần ('keywords:', 'match:', 'not:')", q, t->id,
		    r->topic->id, r->score);
}

int
cmd_check(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kb", required_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	struct diag d;
	struct kb *kb;
	size_t i, j, nex = 0, ntopics = 0, nsections = 0;
	int c, rc;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
		if (c != 'k')
			return cmd_usage("check");
		dir = optarg;
	}
	if (optind != argc)
		return cmd_usage("check");
	dir = cmd_kb_dir(dir);
	diag_init(&d);
	kb = kb_load(dir, &d);
	if (kb) {
		for (i = 0; i < kb_count(kb); i++) {
			const struct kb_topic *t = kb_topic(kb, i);

			if (t->system)
				continue;
			if (t->parent)
				nsections++;
			else
				ntopics++;
			for (j = 0; j < t->nasks; j++) {
				struct match_result r;

				nex++;
				kb_match(kb, t->asks[j], strlen(t->asks[j]), &r);
				if (r.action == MATCH_ANSWER && r.topic == t)
					continue;
				if (r.action == MATCH_FALLBACK || !r.topic)
					diag_error(&d, t->file, t->ask_lines[j],
					    "example \"%s\" gets no answer (best score %.2f); add "
					    "keywords or a 'match:' pattern", t->asks[j], r.score);
				else if (r.topic != t && kb_root(r.topic) == kb_root(t))
					family_error(&d, t, j, &r);
				else if (r.topic != t)
					diag_error(&d, t->file, t->ask_lines[j],
					    "example \"%s\" is answered by '%s' (%.2f), not by "
					    "'%s'", t->asks[j], r.topic->id, r.score, t->id);
				else
					diag_error(&d, t->file, t->ask_lines[j],
					    "example \"%s\" is too close to '%s' (%.2f vs %.2f): "
					    "the resident would be asked to choose",
					    t->asks[j], r.ncand > 1 ? r.cand[1].topic->id : "?",
					    r.score, r.ncand > 1 ? r.cand[1].score : 0);
			}
		}
	}
	fputs(d.text.data, stderr);
	printf("%s: %zu topics, %zu sections, %zu examples checked, %zu error(s), "
	    "%zu warning(s)\n", dir, ntopics, nsections, nex, d.nerr, d.nwarn);
	rc = d.nerr ? 1 : 0;
	diag_release(&d);
	kb_free(kb);
	return rc;
}
