/* hoidap chat: the console front end of the conversation engine. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "conv.h"
#include "log.h"
#include "redact.h"
#include "store.h"
#include "text.h"

/*
 * With --db (or HOIDAP_DB) the console is one more chat in the daemon's
 * store: its state survives a restart and its questions reach the report,
 * redacted like everyone else's.
 */
static void
record(struct store *st, const char *line, const struct conv_reply *r,
    const struct conv_state *cs)
{
	struct store_chat c;
	struct buf red;

	if (!st || store_begin(st) < 0)
		return;
	buf_init(&red, BUF_CAP_REPLY);
	(void)redact(line, &red);
	memset(&c, 0, sizeof(c));
	c.conv = *cs;
	if (store_log(st, "console", "console", "in", red.data, NULL, NULL) < 0 ||
	    store_log(st, "console", "console", "out", r->text.data,
	    r->topic ? r->topic->id : NULL, r->kind == CONV_FALLBACK ?
	    "fallback" : r->kind == CONV_CLARIFY ? "clarify" : "answer") < 0 ||
	    (r->topic && store_count_topic(st, r->topic->id) < 0) ||
	    (r->kind == CONV_FALLBACK && store_unanswered(st, "console",
	    "console", red.data) < 0) ||
	    store_chat_put(st, "console", "console", &c) < 0 ||
	    store_commit(st) < 0)
		store_rollback(st);
	buf_release(&red);
}

static void
say(const struct conv_reply *r)
{
	struct buf out;

	buf_init(&out, BUF_CAP_REPLY);
	conv_render_text(r, &out);
	printf("%s\n\n", out.data);
	buf_release(&out);
	fflush(stdout);
}

int
cmd_chat(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kb", required_argument, NULL, 'k' },
		{ "db", required_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL, *db = getenv("HOIDAP_DB");
	struct store *store = NULL;
	struct conv_state st;
	struct conv_reply r;
	struct kb *kb;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int c, tty = isatty(STDIN_FILENO);

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:d:", opts, NULL)) != -1) {
		if (c == 'k')
			dir = optarg;
		else if (c == 'd')
			db = optarg;
		else
			return cmd_usage("chat");
	}
	if (optind != argc)
		return cmd_usage("chat");
	kb = cmd_load_kb(cmd_kb_dir(dir), 1);
	if (!kb)
		return 1;
	conv_state_init(&st);
	conv_reply_init(&r);
	if (db && *db) {
		struct store_chat sc;

		log_set_level(LOG_WARN);
		store = store_open(db);
		if (!store) {
			kb_free(kb);
			return 1;
		}
		if (store_chat_get(store, "console", "console", &sc) == 0)
			st = sc.conv;
	}
	if (tty)
		printf("hoidap — trò chuyện thử trên máy này. Gõ câu hỏi như người "
		    "dân; \"0\" về menu, \"tiếp\" xem tiếp, Ctrl-D để thoát.\n\n");
	if (conv_open(kb, &st, "greeting", &r) == 0)
		say(&r);
	for (;;) {
		if (tty) {
			fputs("> ", stdout);
			fflush(stdout);
		}
		n = getline(&line, &cap, stdin);
		if (n == -1)
			break;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!*line)
			continue;
		if (strcmp(line, "/quit") == 0 || strcmp(line, "/exit") == 0)
			break;
		conv_handle(kb, &st, line, &r);
		say(&r);
		record(store, line, &r, &st);
	}
	free(line);
	conv_reply_release(&r);
	store_close(store);
	redact_release();
	kb_free(kb);
	return 0;
}
