/* hoidap ask: one reply per question, as text or as the JSON contract. */
#include <cjson/cJSON.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "conv.h"
#include "util.h"

/*
 * "topic" stays the topic id (what leaflets and statistics use); an answer
 * from one of its sections adds "section": its name, else null.
 */
static void
add_topic(cJSON *o, const struct kb_topic *t)
{
	cJSON_AddStringToObject(o, "topic", kb_root(t)->id);
	if (t->section)
		cJSON_AddStringToObject(o, "section", t->section);
	else
		cJSON_AddNullToObject(o, "section");
}

static void
print_json(const struct kb *kb, const struct conv_reply *r,
    const struct buf *text)
{
	cJSON *o = cJSON_CreateObject(), *sug = cJSON_CreateArray();
	const char *action = "fallback";
	const struct kb_topic *topic = NULL;
	double score = 0;
	char *s;
	int i;

	if (r->matched) {
		action = match_action_name(r->match.action);
		topic = r->match.topic;
		score = r->match.score;
		if (r->match.action == MATCH_FALLBACK)
			topic = NULL;
	} else if (r->kind == CONV_NOTICE) {
		/* a thank-you, "tiếp" past the end: nothing was asked */
		action = "notice";
	} else if (r->topic) {
		/* menu commands ("0", a digit) open a topic without matching */
		action = "answer";
		topic = r->topic;
		score = 1;
	}
	if (r->matched && r->match.action == MATCH_CLARIFY) {
		size_t k;

		for (k = 0; k < r->match.ncand; k++) {
			cJSON *c = cJSON_CreateObject();

			add_topic(c, r->match.cand[k].topic);
			cJSON_AddStringToObject(c, "title", r->match.cand[k].topic->title);
			cJSON_AddItemToArray(sug, c);
		}
	} else {
		for (i = 0; i < r->nopt; i++) {
			cJSON *c = cJSON_CreateObject();
			const struct kb_topic *ot = kb_find(kb, r->opt[i].topic);

			if (ot)
				add_topic(c, ot);
			else
				cJSON_AddStringToObject(c, "topic", r->opt[i].topic);
			cJSON_AddStringToObject(c, "title", r->opt[i].title);
			cJSON_AddItemToArray(sug, c);
		}
	}
	cJSON_AddStringToObject(o, "action", action);
	if (topic) {
		add_topic(o, topic);
	} else {
		cJSON_AddNullToObject(o, "topic");
		cJSON_AddNullToObject(o, "section");
	}
	cJSON_AddNumberToObject(o, "score", (double)(long)(score * 1000 + 0.5) / 1000);
	cJSON_AddItemToObject(o, "suggestions", sug);
	cJSON_AddStringToObject(o, "reply", text->data);
	s = cJSON_PrintUnformatted(o);
	if (!s)
		fatal("out of memory (JSON)");
	puts(s);
	free(s);
	cJSON_Delete(o);
}

/* --explain: why the matcher decided what it did (for admins). */
static void
explain(struct kb *kb, const char *q, const struct conv_reply *r)
{
	struct match_result m;
	struct buf st;
	size_t k;

	if (!r->matched) {
		printf("# not matched: a menu command\n");
		return;
	}
	/* the same match again, with the stages' trace */
	buf_init(&st, BUF_CAP_REPLY);
	match_explain(kb, q, strlen(q), &m, &st);
	fputs(buf_failed(&st) ? "# the trace is over 256 KB: not shown\n" :
	    st.data, stdout);
	buf_release(&st);
	printf("# %s, score %.3f\n", match_action_name(r->match.action),
	    r->match.score);
	if (r->match.topic && r->match.topic->parent)
		printf("# section '%s' of topic %s (one candidate per topic: the "
		    "best of a topic and its sections)\n", r->match.topic->section,
		    r->match.topic->parent->id);
	for (k = 0; k < r->match.ncand; k++)
		printf("#   %-28s score %.3f  pattern %.2f  words %.3f\n",
		    r->match.cand[k].topic->id, r->match.cand[k].score,
		    r->match.cand[k].regex, r->match.cand[k].sim);
}

/* -1 when the reply would not be sent (its rendering overflowed). */
static int
answer_one(struct kb *kb, const char *q, int json, int why)
{
	struct conv_state st;
	struct conv_reply r;
	struct buf out;
	int rc = 0;

	conv_state_init(&st);
	conv_reply_init(&r);
	buf_init(&out, BUF_CAP_REPLY);
	conv_handle(kb, &st, q, &r);
	if (conv_render_text(&r, &out) < 0) {
		fprintf(stderr, "hoidap ask: the reply is over %zu bytes: the bot "
		    "would not send it\n", out.cap);
		rc = -1;
	}
	if (why)
		explain(kb, q, &r);
	if (json)
		print_json(kb, &r, &out);
	else
		printf("%s\n", out.data);
	buf_release(&out);
	conv_reply_release(&r);
	return rc;
}

int
cmd_ask(struct cmd_ctx *cx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kb", required_argument, NULL, 'k' },
		{ "json", no_argument, NULL, 'j' },
		{ "batch", no_argument, NULL, 'b' },
		{ "explain", no_argument, NULL, 'e' },
		{ NULL, 0, NULL, 0 },
	};
	int json = 0, batch = 0, why = 0, c, i, rc = 0;
	struct kb *kb;

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:jbe", opts, NULL)) != -1) {
		switch (c) {
		case 'k':
			cx->kb_dir = optarg;
			break;
		case 'j':
			json = 1;
			break;
		case 'b':
			batch = 1;
			break;
		case 'e':
			why = 1;
			break;
		default:
			return cmd_usage("ask");
		}
	}
	if (batch == (optind < argc))
		return cmd_usage("ask");
	if (cmd_open(cx) < 0)
		return 1;
	kb = cx->kb;
	if (batch) {
		char *line = NULL;
		size_t cap = 0;
		ssize_t n;

		while ((n = getline(&line, &cap, stdin)) != -1) {
			while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
				line[--n] = '\0';
			if (answer_one(kb, line, json, why) < 0)
				rc = 1;
			if (!json)
				puts("--");
		}
		free(line);
	} else {
		struct buf q;

		buf_init(&q, BUF_CAP_TEXT);
		for (i = optind; i < argc; i++) {
			if (i > optind)
				buf_addc(&q, ' ');
			buf_adds(&q, argv[i]);
		}
		if (buf_failed(&q)) {
			fprintf(stderr, "hoidap ask: the question is over %zu bytes\n",
			    q.cap);
			rc = 1;
		} else if (answer_one(kb, q.data, json, why) < 0) {
			rc = 1;
		}
		buf_release(&q);
	}
	return rc;
}
