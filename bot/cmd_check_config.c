/* hoidap check-config: the configuration as the daemon would read it. */
#include <stdio.h>

#include "cmd.h"
#include "config.h"
#include "diag.h"

int
cmd_check_config(struct cmd_ctx *cx, int argc, char **argv)
{
	struct config cfg;
	struct diag d;
	const char *path;
	int given, rc;

	(void)cx;
	if ((rc = cmd_config_args(argc, argv, "check-config", &path,
	    &given)) != 0)
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
