/* hoidap serve / check-config: the daemon's front door. */
#include <curl/curl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "daemon.h"

static int
parse(int argc, char **argv, const char *name, const char **path, int *given)
{
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

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
	return 0;
}

int
cmd_check_config(struct cmd_ctx *cx, int argc, char **argv)
{
	struct config cfg;
	struct diag d;
	const char *path;
	int given, rc;

	(void)cx;
	if ((rc = parse(argc, argv, "check-config", &path, &given)) != 0)
		return rc;
	config_init(&cfg);
	diag_init(&d);
	rc = config_load(&cfg, path, given, &d) < 0 ? 1 : 0;
	fputs(d.text.data, stderr);
	if (!rc) {
		config_dump(&cfg);
		printf("%s: ok\n", path);
	}
	diag_release(&d);
	config_release(&cfg);
	return rc;
}

int
cmd_serve(struct cmd_ctx *cx, int argc, char **argv)
{
	struct config cfg;
	struct diag d;
	const char *path;
	int given, rc;

	(void)cx;               /* the daemon loads what it serves itself */
	if ((rc = parse(argc, argv, "serve", &path, &given)) != 0)
		return rc;
	config_init(&cfg);
	diag_init(&d);
	if (config_load(&cfg, path, given, &d) < 0) {
		fputs(d.text.data, stderr);
		diag_release(&d);
		config_release(&cfg);
		return 1;
	}
	fputs(d.text.data, stderr);     /* warnings */
	diag_release(&d);
	if (!*cfg.telegram_token && !*cfg.zalo_token) {
		fprintf(stderr, "hoidap serve: no messaging token configured: set "
		    "HOIDAP_TELEGRAM_TOKEN and/or HOIDAP_ZALO_TOKEN (or the config "
		    "file %s). For a console chat: hoidap chat\n", path);
		config_release(&cfg);
		return EXIT_USAGE;
	}
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "hoidap: curl_global_init failed\n");
		config_release(&cfg);
		return 1;
	}
	rc = daemon_run(&cfg, path, given);
	curl_global_cleanup();
	config_release(&cfg);
	return rc;
}
