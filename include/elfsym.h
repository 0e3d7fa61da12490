/* elfsym.h — symbols and sections of an ELF file on disk, through libelf.
 *
 * Used at attach time only (never on the sampling hot path). The file is
 * hostile input: a corrupt or truncated ELF gives an error, never a crash. */
#ifndef PYHEAT_ELFSYM_H
#define PYHEAT_ELFSYM_H

#include <stddef.h>
#include <stdint.h>
#include "error.h"

struct elf_image;

/* Open `path` (typically /proc/PID/root/<path> or /proc/PID/map_files/...). */
struct elf_image *elf_image_open(const char *path, struct ph_error *err);
void elf_image_close(struct elf_image *img);

/* 1 for ET_DYN (PIE executable or shared library), 0 for ET_EXEC. */
int elf_image_is_dyn(const struct elf_image *img);

/* The page-aligned p_vaddr of the first PT_LOAD segment: the runtime load
 * bias is (address of the mapping at file offset 0) - this. */
uint64_t elf_image_base_vaddr(const struct elf_image *img);

/* Look `name` up in .dynsym, then .symtab (any binding, defined symbols
 * only). Returns 0 and sets *vaddr (unrelocated) and *size (may be NULL), or
 * -1 when absent. */
int elf_image_symbol(const struct elf_image *img, const char *name,
                     uint64_t *vaddr, uint64_t *size);

/* Whether the file has a .symtab at all (stripped binaries have none). */
int elf_image_has_symtab(const struct elf_image *img);

/* Look a section up by name (".PyRuntime", ".data", ".bss"). Returns 0 and
 * sets *vaddr and *size, or -1 when absent. */
int elf_image_section(const struct elf_image *img, const char *name,
                      uint64_t *vaddr, uint64_t *size);

/* Find CPython's PY_VERSION literal in the file's read-only data: a
 * NUL-delimited string "X.Y.Z" optionally followed by a pre-release suffix
 * ("3.7.16", "3.13.0rc2", "2.7.18+"), with X.Y equal to want_major.want_minor
 * when those are non-zero (they come from the file name or Py_Version and
 * only the patch level is missing). Returns 0 and sets the three numbers,
 * or -1 when none. */
int elf_image_python_version(const struct elf_image *img,
                             unsigned want_major, unsigned want_minor,
                             unsigned *major, unsigned *minor, unsigned *micro);

#endif
