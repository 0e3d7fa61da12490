/* fuzz-elf.c — libFuzzer target for src/elfsym.c.
 *
 * Each input is written to a memfd and opened through the public API by its
 * /proc/self/fd path, exactly as pyheat opens /proc/PID/root/... files; every
 * function of include/elfsym.h is then called on the result.
 *
 *   mkdir -p build-fuzz/corpus
 *   clang -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
 *       -fno-sanitize-recover=undefined -Iinclude \
 *       -o build-fuzz/fuzz-elf tests/fuzz/fuzz-elf.c src/elfsym.c src/error.c \
 *       $(pkg-config --libs libelf)
 *   cp /usr/bin/true <small .so files> build-fuzz/corpus/
 *   build-fuzz/fuzz-elf -max_total_time=60 -max_len=65536 build-fuzz/corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "elfsym.h"
#include "error.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int memfd = -1;
static char memfd_path[64];

static void setup(void)
{
	memfd = memfd_create("fuzz-elf", MFD_CLOEXEC);
	if (memfd < 0) {
		perror("memfd_create");
		abort();
	}
	snprintf(memfd_path, sizeof memfd_path, "/proc/self/fd/%d", memfd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {
		"_PyRuntime", "interp_head", "_PyThreadState_Current", "Py_Version",
		"main", "_start", "", "a",
	};
	static const char *const sections[] = {
		".PyRuntime", ".data", ".bss", ".rodata", ".symtab", "", ".shstrtab",
	};
	static const unsigned hints[][2] = { { 0, 0 }, { 2, 7 }, { 3, 11 }, { 3, 0 }, { 0, 6 } };

	if (memfd < 0)
		setup();
	if (ftruncate(memfd, 0) != 0)
		abort();
	size_t off = 0;
	while (off < size) {
		ssize_t w = pwrite(memfd, data + off, size - off, (off_t)off);
		if (w <= 0)
			abort();
		off += (size_t)w;
	}

	struct ph_error err;
	memset(&err, 0, sizeof err);
	struct elf_image *img = elf_image_open(memfd_path, &err);
	if (img == NULL) {
		/* errors are well-formed: a documented code and a terminated,
		 * non-empty message naming the file */
		if ((err.code != PH_EBADFILE && err.code != PH_ESYSTEM && err.code != PH_EPERM) ||
		    memchr(err.msg, '\0', sizeof err.msg) == NULL || err.msg[0] == '\0' ||
		    strstr(err.msg, memfd_path) == NULL)
			abort();
		return 0;
	}

	int dyn = elf_image_is_dyn(img);
	if (dyn != 0 && dyn != 1)
		abort();
	(void)elf_image_base_vaddr(img);
	int st = elf_image_has_symtab(img);
	if (st != 0 && st != 1)
		abort();

	uint64_t v, s;
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		(void)elf_image_symbol(img, names[i], &v, &s);
		(void)elf_image_symbol(img, names[i], NULL, NULL);
	}
	/* a name taken from the input: the last bytes up to a NUL */
	if (size > 0) {
		char name[33];
		size_t n = size < sizeof name - 1 ? size : sizeof name - 1;
		memcpy(name, data + size - n, n);
		name[n] = '\0';
		(void)elf_image_symbol(img, name, &v, &s);
		(void)elf_image_section(img, name, &v, &s);
	}
	for (size_t i = 0; i < sizeof sections / sizeof sections[0]; i++)
		(void)elf_image_section(img, sections[i], &v, &s);

	for (size_t i = 0; i < sizeof hints / sizeof hints[0]; i++) {
		unsigned a = 99, b = 99, c = 99;
		if (elf_image_python_version(img, hints[i][0], hints[i][1], &a, &b, &c) == 0) {
			if ((a != 2 && a != 3) || b > 99 || c > 99 ||
			    (hints[i][0] != 0 && a != hints[i][0]) ||
			    (hints[i][1] != 0 && b != hints[i][1]))
				abort();
		}
	}
	(void)elf_image_python_version(img, 3, 11, NULL, NULL, NULL);
	elf_image_close(img);
	return 0;
}
