/* hoidap check-config: the configuration as the daemon would read it. */
#include <stdio.h>

#include "cmd.h"
#include "config.h"

int
cmd_check_config(struct cmd_ctx *cx, int argc, char **argv)
{
	struct config cfg;
	const char *path;
	int given, rc;

	(void)cx;
	if ((rc = cmd_config_load(argc, argv, "check-config", &cfg, &path,
	    &given)) != 0)
		return rc;
	config_dump(&cfg);
	printf("%s: ok\n", path);
	config_release(&cfg);
	return 0;
}
