/* hoidap serve: the daemon's front door. */
#include <curl/curl.h>
#include <stdio.h>
#include <string.h>

#include "cmd.h"
#include "config.h"
#include "daemon.h"

int
cmd_serve(struct cmd_ctx *cx, int argc, char **argv)
{
	struct config cfg;
	const char *path;
	char on[64];
	int given, rc;

	(void)cx;               /* the daemon loads what it serves itself */
	if ((rc = cmd_config_load(argc, argv, "serve", &cfg, &path,
	    &given)) != 0)
		return rc;
	if (!config_platforms(&cfg, on, sizeof(on))) {
		fprintf(stderr, "hoidap serve: no messaging platform configured: "
		    "set HOIDAP_TELEGRAM_TOKEN, HOIDAP_ZALO_TOKEN and/or the "
		    "HOIDAP_ZALO_OA_* settings (or the config file %s). For a "
		    "console chat: hoidap chat\n", path);
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
