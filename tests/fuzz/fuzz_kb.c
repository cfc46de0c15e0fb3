/*
 * libFuzzer: the knowledge-file parser and the matcher on what it built.
 * The input is written as one topic file into a private directory, loaded
 * like an admin's edit would be, then a few messages are matched against it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kb.h"
#include "match.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char dir[64];
	char path[128];
	struct diag d;
	struct kb *kb;
	FILE *f;

	/* one directory per process, reused: the file is rewritten each run */
	if (!dir[0]) {
		snprintf(dir, sizeof(dir), "/tmp/hoidap-fuzzkb-XXXXXX");
		if (!mkdtemp(dir))
			return 0;
	}
	snprintf(path, sizeof(path), "%s/topics.txt", dir);
	f = fopen(path, "wb");
	if (!f)
		return 0;
	fwrite(data, 1, size, f);
	fclose(f);
	diag_init(&d);
	kb = kb_load(dir, &d);
	if (kb) {
		static const char *const q[] = { "cai vneid ntn", "thuế nhà đất",
		    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", "", "0" };
		size_t i;

		for (i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
			struct match_result r;

			match_run(kb, q[i], strlen(q[i]), &r);
		}
		kb_free(kb);
	}
	diag_release(&d);
	return 0;
}
