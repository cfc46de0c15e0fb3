/* hoidap chat: the console front end of the conversation engine. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "conv.h"
#include "text.h"

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
		{ NULL, 0, NULL, 0 },
	};
	const char *dir = NULL;
	struct conv_state st;
	struct conv_reply r;
	struct kb *kb;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int c, tty = isatty(STDIN_FILENO);

	optind = 1;
	while ((c = getopt_long(argc, argv, "k:", opts, NULL)) != -1) {
		if (c != 'k')
			return cmd_usage("chat");
		dir = optarg;
	}
	if (optind != argc)
		return cmd_usage("chat");
	kb = cmd_load_kb(cmd_kb_dir(dir), 1);
	if (!kb)
		return 1;
	conv_state_init(&st);
	conv_reply_init(&r);
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
	}
	free(line);
	conv_reply_release(&r);
	kb_free(kb);
	return 0;
}
