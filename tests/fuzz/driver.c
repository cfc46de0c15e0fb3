/*
 * Runs a fuzz target over files, without libFuzzer: `make test` replays the
 * seed corpus and every past crash (tests/fuzz/corpus/<target>/) under
 * ASan+UBSan with gcc, so a fixed crash stays fixed without needing clang.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
main(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		unsigned char *buf;
		long n;

		if (!f) {
			perror(argv[i]);
			return 1;
		}
		fseek(f, 0, SEEK_END);
		n = ftell(f);
		fseek(f, 0, SEEK_SET);
		buf = malloc(n > 0 ? (size_t)n : 1);
		if (!buf || (n > 0 && fread(buf, 1, (size_t)n, f) != (size_t)n)) {
			fprintf(stderr, "%s: read error\n", argv[i]);
			return 1;
		}
		fclose(f);
		LLVMFuzzerTestOneInput(buf, (size_t)n);
		free(buf);
	}
	printf("replayed %d input(s)\n", argc - 1);
	return 0;
}
