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
	struct diag d;
	const char *path;
	int given, rc;

	(void)cx;               /* the daemon loads what it serves itself */
	if ((rc = cmd_config_args(argc, argv, "serve", &path, &given)) != 0)
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
