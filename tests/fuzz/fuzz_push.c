/* libFuzzer: a webhook push, as the ingress reads it: each platform's
 * envelope (platform.c) and then its getUpdates parser. */
#include <stdint.h>
#include <stdlib.h>

#include "platform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int p;

	for (p = 0; p < PLATFORM_COUNT; p++) {
		const struct platform *pf = &platforms[p];
		struct api_error err;
		struct event *ev = NULL;
		struct buf env;
		size_t n = 0, i;
		int64_t next;

		buf_init(&env, 512 * 1024);
		if (pf->wrap_push((const char *)data, size, &env) == 0) {
			(void)pf->parse_updates(env.data, env.len, &ev, &n, &next,
			    &err);
			for (i = 0; i < n; i++)
				event_release(&ev[i]);
			free(ev);
		}
		buf_release(&env);
	}
	return 0;
}
