/*
 * libFuzzer: the Zalo OA webhook body (signature check, event parser and
 * the reply rendered to it) and the send and token replies.
 */
#include <stdint.h>
#include <stdlib.h>

#include "zalo_oa.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
sink(const char *body, void *arg)
{
	(void)body;
	(void)arg;
}

/* The body named as a reply to the event's message, as the outbox does. */
static void
named(const char *body, void *arg)
{
	struct buf b;

	buf_init(&b, BUF_CAP_REPLY);
	(void)zalo_oa_reply_to(body, zalo_oa_msg_id(arg), &b);
	buf_release(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	struct event ev;
	struct api_error err;
	struct zalo_oa_token t;
	char id[64];

	(void)zalo_oa_verify("mac=3455512b110b29eebf1e47a1e316285eb24b48d57e511"
	    "4473e4056e8ea1c971a", s, size, "4291763606161179100", "secret",
	    1764600000000LL);
	if (zalo_oa_parse_event(s, size, &ev, &err) == API_OK && ev.text) {
		zalo_oa_render_text(ev.text, ev.chat_id, named, &ev);
		(void)zalo_oa_render_text_max(ev.text, ev.chat_id, 1, sink, NULL);
	}
	event_release(&ev);
	(void)zalo_oa_parse_sent(s, size, &err, id, sizeof(id));
	if (zalo_oa_parse_token(s, size, &t, &err) == API_OK)
		zalo_oa_token_release(&t);
	return 0;
}
