/* standalone.h — the fuzz targets' plain-program mode (-DFUZZ_STANDALONE,
 * any compiler, no libFuzzer): `fuzz-NAME FILE...` runs the target on each
 * file, as libFuzzer would on a corpus entry.
 *
 * fuzz_run_files() gives LLVMFuzzerTestOneInput each file's first `max`
 * bytes in a buffer of exactly their size, so that ASan catches a read past
 * the input; it returns main()'s exit code (2: a file could not be read). */
#ifndef PYHEAT_FUZZ_STANDALONE_H
#define PYHEAT_FUZZ_STANDALONE_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_run_files(const char *name, int argc, char **argv, size_t max)
{
	uint8_t *buf = malloc(max);
	if (!buf)
		return 2;
	for (int i = 1; i < argc; i++) {
		FILE *f = fopen(argv[i], "rb");
		if (!f) {
			perror(argv[i]);
			free(buf);
			return 2;
		}
		size_t n = fread(buf, 1, max, f);
		fclose(f);
		uint8_t *copy = malloc(n ? n : 1);
		if (!copy) {
			free(buf);
			return 2;
		}
		memcpy(copy, buf, n);
		LLVMFuzzerTestOneInput(copy, n);
		free(copy);
	}
	free(buf);
	printf("%s: %d inputs ok\n", name, argc - 1);
	return 0;
}

#endif
