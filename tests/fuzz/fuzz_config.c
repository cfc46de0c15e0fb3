/* libFuzzer: the configuration parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct config c;
	struct diag d;
	char *s = xstrndup((const char *)data, size);

	config_init(&c);
	diag_init(&d);
	(void)config_parse(&c, "fuzz.conf", s, &d);
	diag_release(&d);
	config_release(&c);
	free(s);
	return 0;
}
