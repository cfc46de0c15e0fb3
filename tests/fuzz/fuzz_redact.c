/*
 * libFuzzer: redaction of any bytes. The output must be valid UTF-8 in NFC,
 * and redacting it again must change nothing and hide nothing (a stored,
 * redacted text goes through redact() again when it is relayed or quoted).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "redact.h"
#include "text.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a, b;
	utf8proc_uint8_t *nfc = NULL;
	char *s;
	int n;

	if (size > 16384)
		return 0;
	s = xstrndup((const char *)data, size);
	buf_init(&a, BUF_CAP_REPLY);
	buf_init(&b, BUF_CAP_REPLY);
	(void)redact(s, &a);
	if (text_utf8_invalid(a.data, a.len) >= 0)
		abort();
	if (utf8proc_map((const utf8proc_uint8_t *)a.data, (utf8proc_ssize_t)a.len,
	    &nfc, UTF8PROC_COMPOSE | UTF8PROC_STABLE) < 0 ||
	    strcmp((char *)nfc, a.data) != 0)
		abort();
	n = redact(a.data, &b);
	if (n != 0 || strcmp(a.data, b.data) != 0) {
		fprintf(stderr, "not idempotent (%d more):\n%s\n%s\n", n, a.data,
		    b.data);
		abort();
	}
	free(nfc);
	buf_release(&a);
	buf_release(&b);
	free(s);
	return 0;
}
