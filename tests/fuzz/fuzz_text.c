/* libFuzzer: normalization, abbreviation expansion and redaction of any bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "redact.h"
#include "text.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct text t;
	struct buf b;
	char *s;

	text_normalize(&t, (const char *)data, size);
	if (text_utf8_invalid(t.exact, strlen(t.exact)) >= 0 ||
	    text_utf8_invalid(t.folded, strlen(t.folded)) >= 0)
		abort();        /* normalized text must always be valid UTF-8 */
	text_release(&t);
	s = xstrndup((const char *)data, size);
	buf_init(&b, BUF_CAP_REPLY);
	(void)redact(s, &b);
	buf_release(&b);
	free(s);
	return 0;
}
