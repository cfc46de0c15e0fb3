/* libFuzzer: Zalo getUpdates/response parsing and rendering. */
#include <stdint.h>
#include <stdlib.h>

#include "zalo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sink(const char *body, void *arg)
{
	(void)body;
	(void)arg;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event ev;
	struct api_error err;
	int got;

	if (zalo_parse_update((const char *)data, size, &ev, &got, &err) ==
	    API_OK && got) {
		if (ev.text)
			zalo_render_text(ev.text, ev.chat_id, sink, NULL);
	}
	event_release(&ev);
	(void)zalo_parse_response((const char *)data, size, &err);
	return 0;
}
