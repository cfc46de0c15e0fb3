/* hoidap check-config: the configuration as the daemon would read it. */
#include <stdio.h>

#include "cmd.h"
#include "config.h"

int
cmd_check_config(struct cmd_ctx *cx, int argc, char **argv)
{
	struct config cfg;
	const char *path;
	char on[64];
	int given, rc;

	(void)cx;
	if ((rc = cmd_config_load(argc, argv, "check-config", &cfg, &path,
	    &given)) != 0)
		return rc;
	config_dump(&cfg);
	/* what serve would serve; `make run` reads this line */
	printf("%-21s = %s\n", "platforms", config_platforms(&cfg, on,
	    sizeof(on)) ? on : "(none: serve refuses to start; hoidap chat is "
	    "the console)");
	printf("%s: ok\n", path);
	config_release(&cfg);
	return 0;
}
