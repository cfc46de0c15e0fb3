/* libFuzzer: Telegram getUpdates/response parsing and rendering round trip,
 * a resident's words on the hand-off's cards, copies and edits included. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"
#include "platform.h"
#include "tg.h"

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
	struct event *ev = NULL;
	struct api_error err;
	size_t n = 0, i;
	int64_t max_id;

	if (tg_parse_updates((const char *)data, size, &ev, &n, &max_id, &err) ==
	    API_OK) {
		for (i = 0; i < n; i++) {
			if (ev[i].text) {
				struct platform_button b = { ev[i].first_name, "claim:1" };
				struct platform_card c = { ev[i].chat_id, ev[i].text,
				    ev[i].message_id, &b, 1, 1 };
				struct buf out;

				tg_render_text(ev[i].text, ev[i].chat_id, sink, NULL);
				tg_render_card(&c, sink, NULL);
				buf_init(&out, BUF_CAP_REPLY);
				(void)tg_copy_request("-1", ev[i].chat_id, ev[i].message_id,
				    ev[i].reply_to, ev[i].text, &out);
				(void)tg_edit_request("-1", ev[i].message_id, ev[i].text,
				    &out);
				buf_release(&out);
			}
			event_release(&ev[i]);
		}
	}
	free(ev);
	(void)tg_parse_response((const char *)data, size, &err);
	{
		char status[32];

		(void)tg_parse_chat_member((const char *)data, size, &err, status,
		    sizeof(status));
	}
	return 0;
}
