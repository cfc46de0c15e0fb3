/*
 * cmd: the subcommands of build/hoidap, one table entry each (tmux's
 * cmd_table, git's commands[]). Each run function gets argv without the
 * program name and returns the exit status: 0 ok, 1 failure (check/eval),
 * 2 usage error.
 */
#ifndef HOIDAP_CMD_H
#define HOIDAP_CMD_H

#include "kb.h"

#define EXIT_USAGE 2

struct cmd_entry {
	const char *name;
	const char *usage;
	const char *help;
	int (*run)(int argc, char **argv);
};

int cmd_ask(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_chat(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_check_config(int argc, char **argv);
int cmd_qr(int argc, char **argv);
int cmd_report(int argc, char **argv);

/* Shared by the commands. */
int cmd_usage(const char *name);
const char *cmd_kb_dir(const char *opt);
/* Loads the kb; prints problems to stderr; NULL (after printing) if errors. */
struct kb *cmd_load_kb(const char *dir, int quiet_warnings);

#endif
