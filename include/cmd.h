/*
 * cmd: the subcommands of build/hoidap, one table entry each (tmux's
 * cmd_table, git's commands[]). Each run function gets argv without the
 * program name and returns the exit status: 0 ok, 1 failure (check/eval),
 * 2 usage error. What an entry's flags ask for, the command gets from
 * cmd_open once its options are read; main() releases it after run.
 */
#ifndef HOIDAP_CMD_H
#define HOIDAP_CMD_H

#include "kb.h"

#define EXIT_USAGE 2

#define CMD_KB          0x1     /* needs a knowledge base without errors */
#define CMD_STORE       0x2     /* opens the store when given one (--db) */

struct store;

/* What a command runs with: its options say where, cmd_open loads. */
struct cmd_ctx {
	int flags;              /* its entry's CMD_* */
	const char *kb_dir;     /* --kb, or NULL: $HOIDAP_KB, else knowledge */
	const char *db;         /* --db (CMD_STORE: opened); NULL or "": none */
	struct kb *kb;          /* CMD_KB: set by cmd_open */
	struct store *st;       /* CMD_STORE: set by cmd_open when db is */
};

struct cmd_entry {
	const char *name;
	const char *usage;
	const char *help;
	int flags;              /* CMD_* */
	int (*run)(struct cmd_ctx *cx, int argc, char **argv);
};

int cmd_ask(struct cmd_ctx *cx, int argc, char **argv);
int cmd_check(struct cmd_ctx *cx, int argc, char **argv);
int cmd_chat(struct cmd_ctx *cx, int argc, char **argv);
int cmd_eval(struct cmd_ctx *cx, int argc, char **argv);
int cmd_serve(struct cmd_ctx *cx, int argc, char **argv);
int cmd_check_config(struct cmd_ctx *cx, int argc, char **argv);
int cmd_qr(struct cmd_ctx *cx, int argc, char **argv);
int cmd_report(struct cmd_ctx *cx, int argc, char **argv);

/* Shared by the commands. */
int cmd_usage(const char *name);
const char *cmd_kb_dir(const char *opt);
/*
 * [--config FILE] only (serve, check-config), then that file (default
 * CONFIG_DEFAULT_PATH, which may then be missing: *given 0) and the environment into *cfg,
 * its errors or warnings printed. 0 with *cfg to release; 1 on an error in
 * the configuration, EXIT_USAGE after printing the usage (*cfg released).
 */
struct config;
int cmd_config_load(int argc, char **argv, const char *name,
    struct config *cfg, const char **path, int *given);
/* Loads what cx->flags ask for (the kb before the store); -1 after printing
 * why. A kb with errors is refused; its warnings are not printed. */
int cmd_open(struct cmd_ctx *cx);

#endif
