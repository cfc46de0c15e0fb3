/*
 * hoidap: answers residents' "how do I…" questions about digital public
 * services. This file owns the command table and the shared set-up
 * (cmd_open, what an entry's flags ask for).
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "diag.h"
#include "store.h"
#include "util.h"

static const struct cmd_entry commands[] = {
	{ "ask", "ask [--kb DIR] [--json] [--explain] (TEXT… | --batch)",
	  "print the reply a resident would see", CMD_KB, cmd_ask },
	{ "check", "check [--kb DIR]",
	  "validate the knowledge base; errors as path:line: message",
	  0, cmd_check },       /* loads it itself: its errors are the output */
	{ "chat", "chat [--kb DIR] [--db FILE]",
	  "talk to the bot in this terminal (--db: keep state and log)",
	  CMD_KB | CMD_STORE, cmd_chat },
	{ "eval",
	  "eval [--kb DIR] [--min-top1 R] [--min-oos R] [--max-wrong R] FILE.tsv",
	  "score the matcher on labelled questions (question TAB topic)",
	  CMD_KB, cmd_eval },
	{ "serve", "serve [--config FILE]",
	  "run the bot on Telegram, Zalo and/or a Zalo OA (config/env)",
	  0, cmd_serve },
	{ "check-config", "check-config [--config FILE]",
	  "validate the configuration and print it (tokens masked)",
	  0, cmd_check_config },
	{ "qr", "qr [--kb DIR] [--config FILE] [--bot NAME] "
	  "(TOPIC [-o FILE.png] [--text] | --all --dir DIR)",
	  "QR codes for leaflets: t.me links that open the bot on a topic",
	  CMD_KB, cmd_qr },
	{ "report", "report [--config FILE] [--db FILE] [--kb DIR] "
	  "[--since YYYY-MM-DD] [--html FILE]",
	  "admins' report: questions per day, top topics, unanswered (grouped), "
	  "tickets",
	  0, cmd_report },      /* a kb with errors still names its topics */
};

static void
usage_all(FILE *f)
{
	size_t i;

	fprintf(f, "usage: hoidap COMMAND [OPTIONS]\n\n");
	for (i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  hoidap %-58s %s\n", commands[i].usage, commands[i].help);
	fprintf(f, "\nThe knowledge directory is --kb DIR, else $HOIDAP_KB, "
	    "else ./knowledge.\n");
}

int
cmd_usage(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, name) == 0) {
			fprintf(stderr, "usage: hoidap %s\n", commands[i].usage);
			return EXIT_USAGE;
		}
	}
	usage_all(stderr);
	return EXIT_USAGE;
}

const char *
cmd_kb_dir(const char *opt)
{
	const char *env = getenv("HOIDAP_KB");

	if (opt)
		return opt;
	if (env && *env)
		return env;
	return "knowledge";
}

/* serve, check-config: [--config FILE] and nothing else, then the file. */
int
cmd_config_load(int argc, char **argv, const char *name, struct config *cfg,
    const char **path, int *given)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	struct diag d;
	int c, rc;

	*path = CONFIG_DEFAULT_PATH;
	*given = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "c:", opts, NULL)) != -1) {
		if (c != 'c')
			return cmd_usage(name);
		*path = optarg;
		*given = 1;
	}
	if (optind != argc)
		return cmd_usage(name);
	config_init(cfg);
	diag_init(&d);
	rc = config_load(cfg, *path, *given, &d) < 0 ? 1 : 0;
	fputs(d.text.data, stderr);     /* the errors, or the warnings */
	diag_release(&d);
	if (rc)
		config_release(cfg);
	return rc;
}

int
cmd_open(struct cmd_ctx *cx)
{
	if (cx->flags & CMD_KB) {
		const char *dir = cmd_kb_dir(cx->kb_dir);
		struct diag d;

		diag_init(&d);
		cx->kb = kb_load(dir, &d);
		if (d.nerr)
			fputs(d.text.data, stderr);
		if (cx->kb && d.nerr) {
			/* the admin trying an edit in the console reads this */
			fprintf(stderr, "hoidap: %s có %zu lỗi (ở trên); sửa xong "
			    "rồi chạy 'hoidap check'\n", dir, d.nerr);
			kb_free(cx->kb);
			cx->kb = NULL;
		}
		diag_release(&d);
		if (!cx->kb)
			return -1;
	}
	if ((cx->flags & CMD_STORE) && cx->db && *cx->db &&
	    !(cx->st = store_open(cx->db)))
		return -1;
	return 0;
}

static void
cmd_close(struct cmd_ctx *cx)
{
	store_close(cx->st);
	kb_free(cx->kb);
	cx->st = NULL;
	cx->kb = NULL;
}

int
main(int argc, char **argv)
{
	struct cmd_ctx cx = { 0 };
	size_t i;
	int rc;

	if (argc < 2) {
		usage_all(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage_all(stdout);
		return 0;
	}
	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (strcmp(commands[i].name, argv[1]) != 0)
			continue;
		cx.flags = commands[i].flags;
		rc = commands[i].run(&cx, argc - 1, argv + 1);
		cmd_close(&cx);
		/* A full disk or closed pipe must not look like success (git). */
		if (fflush(stdout) != 0 || ferror(stdout)) {
			perror("hoidap: write error on standard output");
			return 1;
		}
		return rc;
	}
	fprintf(stderr, "hoidap: unknown command '%s'\n", argv[1]);
	usage_all(stderr);
	return EXIT_USAGE;
}
