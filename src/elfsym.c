/* elfsym.c — symbols and sections of an ELF file on disk, through libelf
 * (see include/elfsym.h).
 *
 * The file is hostile input. Everything libelf hands back is checked; string
 * table reads are bounded by the section data; a symbol or section that does
 * not make sense is skipped, while a table libelf cannot read at all (a
 * truncated or corrupt file) makes elf_image_open fail.
 *
 * The file is parsed once, in elf_image_open: the section headers are copied
 * into a small array and the defined symbols of .dynsym and .symtab are
 * collected into one array sorted by name, so a lookup is a binary search.
 * The names point into libelf's copies of the string tables, which live until
 * elf_end. The file is read with ELF_C_READ (pread of the parts needed, not
 * mmap) so that a file truncated under our feet gives an I/O error, not
 * SIGBUS. */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elfsym.h"
#include "error.h"

struct sym_ent {
	const char *name;  /* into a string table held by libelf */
	uint64_t value;
	uint64_t size;
	uint64_t order;    /* table (0 = .dynsym, 1 = .symtab) << 32 | index */
};

struct sec_ent {
	const char *name;  /* NULL when the section name is unreadable */
	Elf_Scn *scn;
	uint64_t addr;
	uint64_t size;
	uint64_t flags;
	uint32_t type;
	uint32_t link;
};

struct elf_image {
	int fd;
	Elf *elf;
	int is_dyn;
	int has_symtab;
	uint64_t file_size;
	uint64_t base_vaddr;
	struct sec_ent *secs;
	size_t nsecs;
	struct sym_ent *syms;
	size_t nsyms;
};

/* Longest PY_VERSION literal considered ("3.13.0rc2+" is 10). */
#define VERSION_MAX_LEN 32

static const char *elf_err(void)
{
	const char *m = elf_errmsg(-1);
	return m != NULL ? m : "unknown libelf error";
}

/* A NUL-terminated string at `off` inside string table data, or NULL. */
static const char *str_at(const Elf_Data *d, uint64_t off)
{
	if (d == NULL || d->d_buf == NULL || off >= d->d_size)
		return NULL;
	const char *s = (const char *)d->d_buf + off;
	if (memchr(s, '\0', d->d_size - off) == NULL)
		return NULL;
	return s;
}

/* Section data that libelf could read, with a buffer behind it, or NULL. */
static Elf_Data *sec_data(Elf_Scn *scn)
{
	Elf_Data *d = elf_getdata(scn, NULL);
	if (d == NULL || d->d_buf == NULL)
		return NULL;
	return d;
}

static uint64_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);
	if (p <= 0 || (p & (p - 1)) != 0)
		return 4096;
	return (uint64_t)p;
}

static int cmp_sym(const void *a, const void *b)
{
	const struct sym_ent *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c != 0)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

void elf_image_close(struct elf_image *img)
{
	if (img == NULL)
		return;
	if (img->elf != NULL)
		elf_end(img->elf);
	if (img->fd >= 0)
		close(img->fd);
	free(img->secs);
	free(img->syms);
	free(img);
}

/* Whether a table of n entries of `entsize` bytes at `off` lies in the file. */
static int table_in_file(const struct elf_image *img, uint64_t off, uint64_t n,
                         size_t entsize)
{
	if (off > img->file_size || entsize == 0)
		return 0;
	return (img->file_size - off) / entsize >= n;
}

static int read_phdrs(struct elf_image *img, const GElf_Ehdr *eh, const char *path,
                      struct ph_error *err)
{
	size_t n;
	if (elf_getphdrnum(img->elf, &n) != 0)
		return ph_fail(err, PH_EBADFILE, "%s: corrupt program header table: %s",
		               path, elf_err());
	if (n > 0 && !table_in_file(img, eh->e_phoff, n, gelf_fsize(img->elf, ELF_T_PHDR, 1,
	                                                            EV_CURRENT)))
		return ph_fail(err, PH_EBADFILE, "%s: program header table lies past the end "
		               "of the file (truncated?)", path);
	for (size_t i = 0; i < n && i <= INT_MAX; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(img->elf, (int)i, &ph) == NULL)
			return ph_fail(err, PH_EBADFILE, "%s: corrupt program header %zu: %s",
			               path, i, elf_err());
		if (ph.p_type == PT_LOAD) {
			img->base_vaddr = ph.p_vaddr & ~(page_size() - 1);
			return 0;
		}
	}
	return ph_fail(err, PH_EBADFILE, "%s: no loadable segment (not an executable "
	               "or shared library?)", path);
}

static int read_sections(struct elf_image *img, const GElf_Ehdr *eh, const char *path,
                         struct ph_error *err)
{
	size_t shnum, shstrndx;
	const Elf_Data *names = NULL;

	if (elf_getshdrnum(img->elf, &shnum) != 0)
		return ph_fail(err, PH_EBADFILE, "%s: corrupt section header table: %s",
		               path, elf_err());
	/* libelf reports 0 sections when the table is past the end of the
	 * file; a truncated file must not pass for a stripped one. With
	 * e_shnum == 0 and e_shoff != 0 the count is in section 0. */
	if (eh->e_shoff != 0) {
		uint64_t want = eh->e_shnum != 0 ? eh->e_shnum : shnum > 0 ? shnum : 1;
		if (shnum < eh->e_shnum ||
		    !table_in_file(img, eh->e_shoff, want,
		                   gelf_fsize(img->elf, ELF_T_SHDR, 1, EV_CURRENT)))
			return ph_fail(err, PH_EBADFILE, "%s: section header table lies past "
			               "the end of the file (truncated?)", path);
	}
	if (shnum == 0)
		return 0;
	img->secs = calloc(shnum, sizeof *img->secs);
	if (img->secs == NULL)
		return ph_fail(err, PH_ESYSTEM, "%s: out of memory for %zu section headers",
		               path, shnum);

	/* Section names are optional: without them, section lookups fail and
	 * the symbol tables are still found by type. */
	if (elf_getshdrstrndx(img->elf, &shstrndx) == 0 && shstrndx != SHN_UNDEF &&
	    shstrndx < shnum) {
		Elf_Scn *s = elf_getscn(img->elf, shstrndx);
		GElf_Shdr sh;
		if (s != NULL && gelf_getshdr(s, &sh) != NULL && sh.sh_type == SHT_STRTAB)
			names = sec_data(s);
	}

	Elf_Scn *scn = NULL;
	while ((scn = elf_nextscn(img->elf, scn)) != NULL) {
		GElf_Shdr sh;
		if (img->nsecs >= shnum)
			break;
		if (gelf_getshdr(scn, &sh) == NULL)
			return ph_fail(err, PH_EBADFILE, "%s: corrupt section header %zu: %s",
			               path, elf_ndxscn(scn), elf_err());
		struct sec_ent *e = &img->secs[img->nsecs++];
		e->name = str_at(names, sh.sh_name);
		e->scn = scn;
		e->addr = sh.sh_addr;
		e->size = sh.sh_size;
		e->flags = sh.sh_flags;
		e->type = sh.sh_type;
		e->link = sh.sh_link;
	}
	return 0;
}

/* Append the defined symbols of symbol table section `sec` to img->syms. */
static int read_symtab(struct elf_image *img, const struct sec_ent *sec, uint64_t table,
                       const char *path, struct ph_error *err)
{
	const char *tname = table == 0 ? ".dynsym" : ".symtab";
	size_t shnum = 0;

	if (sec->type == SHT_NOBITS || sec->size == 0)
		return 0;
	if (elf_getshdrnum(img->elf, &shnum) != 0 || sec->link == 0 || sec->link >= shnum)
		return ph_fail(err, PH_EBADFILE, "%s: %s has no valid string table link (%u)",
		               path, tname, (unsigned)sec->link);

	Elf_Scn *strscn = elf_getscn(img->elf, sec->link);
	GElf_Shdr strsh;
	if (strscn == NULL || gelf_getshdr(strscn, &strsh) == NULL ||
	    strsh.sh_type != SHT_STRTAB)
		return ph_fail(err, PH_EBADFILE, "%s: %s links to section %u, which is not "
		               "a string table", path, tname, (unsigned)sec->link);
	Elf_Data *strs = sec_data(strscn);
	if (strs == NULL)
		return ph_fail(err, PH_EBADFILE, "%s: cannot read the string table of %s: %s",
		               path, tname, elf_err());

	Elf_Data *d = sec_data(sec->scn);
	if (d == NULL)
		return ph_fail(err, PH_EBADFILE, "%s: cannot read %s: %s", path, tname,
		               elf_err());
	size_t entsize = gelf_getclass(img->elf) == ELFCLASS64 ? sizeof(Elf64_Sym)
	                                                       : sizeof(Elf32_Sym);
	size_t count = d->d_size / entsize;
	if (count > INT_MAX)  /* gelf_getsym takes an int index */
		count = INT_MAX;
	if (count == 0)
		return 0;
	if (count > (SIZE_MAX / sizeof *img->syms) - img->nsyms)
		return ph_fail(err, PH_EBADFILE, "%s: %s is too large", path, tname);

	struct sym_ent *grown = realloc(img->syms, (img->nsyms + count) * sizeof *grown);
	if (grown == NULL)
		return ph_fail(err, PH_ESYSTEM, "%s: out of memory for %zu symbols", path,
		               img->nsyms + count);
	img->syms = grown;

	for (size_t i = 1; i < count; i++) {  /* entry 0 is the null symbol */
		GElf_Sym s;
		if (gelf_getsym(d, (int)i, &s) == NULL)
			break;
		if (s.st_shndx == SHN_UNDEF)
			continue;
		if (s.st_shndx < SHN_LORESERVE && s.st_shndx >= shnum)
			continue;  /* points past the section table */
		int type = GELF_ST_TYPE(s.st_info);
		if (type == STT_SECTION || type == STT_FILE)
			continue;
		const char *name = str_at(strs, s.st_name);
		if (name == NULL || name[0] == '\0')
			continue;
		struct sym_ent *e = &img->syms[img->nsyms++];
		e->name = name;
		e->value = s.st_value;
		e->size = s.st_size;
		e->order = table << 32 | (uint64_t)i;
	}
	return 0;
}

struct elf_image *elf_image_open(const char *path, struct ph_error *err)
{
	struct elf_image *img = NULL;
	struct stat st;

	if (path == NULL) {
		ph_fail(err, PH_EBADFILE, "no ELF file name given");
		return NULL;
	}
	if (elf_version(EV_CURRENT) == EV_NONE) {
		ph_fail(err, PH_ESYSTEM, "%s: libelf is out of date: %s", path, elf_err());
		return NULL;
	}
	img = calloc(1, sizeof *img);
	if (img == NULL) {
		ph_fail(err, PH_ESYSTEM, "%s: out of memory", path);
		return NULL;
	}
	/* O_NONBLOCK: a FIFO planted at the path must not hang us. */
	img->fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (img->fd < 0) {
		int e = errno;
		int code = (e == EACCES || e == EPERM) ? PH_EPERM
		         : (e == ENOMEM || e == EMFILE || e == ENFILE) ? PH_ESYSTEM
		         : PH_EBADFILE;
		ph_fail(err, code, "%s: cannot open: %s", path, strerror(e));
		goto fail;
	}
	if (fstat(img->fd, &st) != 0) {
		ph_fail(err, PH_ESYSTEM, "%s: cannot stat: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		ph_fail(err, PH_EBADFILE, "%s: not a regular file", path);
		goto fail;
	}
	if (st.st_size == 0) {
		ph_fail(err, PH_EBADFILE, "%s: empty file, not an ELF file", path);
		goto fail;
	}
	img->file_size = (uint64_t)st.st_size;

	img->elf = elf_begin(img->fd, ELF_C_READ, NULL);
	if (img->elf == NULL) {
		ph_fail(err, PH_EBADFILE, "%s: not a readable ELF file: %s", path, elf_err());
		goto fail;
	}
	if (elf_kind(img->elf) != ELF_K_ELF) {
		ph_fail(err, PH_EBADFILE, "%s: not an ELF file", path);
		goto fail;
	}
	GElf_Ehdr eh;
	if (gelf_getehdr(img->elf, &eh) == NULL) {
		ph_fail(err, PH_EBADFILE, "%s: corrupt ELF header: %s", path, elf_err());
		goto fail;
	}
	if (eh.e_type == ET_DYN) {
		img->is_dyn = 1;
	} else if (eh.e_type == ET_EXEC) {
		img->is_dyn = 0;
	} else {
		ph_fail(err, PH_EBADFILE, "%s: ELF type %u is neither an executable nor a "
		        "shared library", path, (unsigned)eh.e_type);
		goto fail;
	}

	if (read_phdrs(img, &eh, path, err) != 0 || read_sections(img, &eh, path, err) != 0)
		goto fail;

	/* .dynsym first, then .symtab: the first table of each type. */
	const struct sec_ent *dynsym = NULL, *symtab = NULL;
	for (size_t i = 0; i < img->nsecs; i++) {
		if (img->secs[i].type == SHT_DYNSYM && dynsym == NULL)
			dynsym = &img->secs[i];
		if (img->secs[i].type == SHT_SYMTAB && symtab == NULL)
			symtab = &img->secs[i];
	}
	img->has_symtab = symtab != NULL;
	if (dynsym != NULL && read_symtab(img, dynsym, 0, path, err) != 0)
		goto fail;
	if (symtab != NULL && read_symtab(img, symtab, 1, path, err) != 0)
		goto fail;
	if (img->nsyms > 1)
		qsort(img->syms, img->nsyms, sizeof *img->syms, cmp_sym);
	return img;

fail:
	elf_image_close(img);
	return NULL;
}

int elf_image_is_dyn(const struct elf_image *img)
{
	return img != NULL && img->is_dyn;
}

uint64_t elf_image_base_vaddr(const struct elf_image *img)
{
	return img != NULL ? img->base_vaddr : 0;
}

int elf_image_has_symtab(const struct elf_image *img)
{
	return img != NULL && img->has_symtab;
}

int elf_image_symbol(const struct elf_image *img, const char *name,
                     uint64_t *vaddr, uint64_t *size)
{
	if (img == NULL || name == NULL || img->nsyms == 0)
		return -1;
	size_t lo = 0, hi = img->nsyms;
	while (lo < hi) {  /* first entry not less than name */
		size_t mid = lo + (hi - lo) / 2;
		if (strcmp(img->syms[mid].name, name) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo >= img->nsyms || strcmp(img->syms[lo].name, name) != 0)
		return -1;
	if (vaddr != NULL)
		*vaddr = img->syms[lo].value;
	if (size != NULL)
		*size = img->syms[lo].size;
	return 0;
}

int elf_image_section(const struct elf_image *img, const char *name,
                      uint64_t *vaddr, uint64_t *size)
{
	if (img == NULL || name == NULL)
		return -1;
	for (size_t i = 0; i < img->nsecs; i++) {
		const struct sec_ent *s = &img->secs[i];
		if (s->name != NULL && strcmp(s->name, name) == 0) {
			if (vaddr != NULL)
				*vaddr = s->addr;
			if (size != NULL)
				*size = s->size;
			return 0;
		}
	}
	return -1;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Parse 1 or 2 digits at s[*i]; a third digit is a mismatch. */
static int two_digits(const char *s, size_t n, size_t *i, unsigned *out)
{
	unsigned v = 0;
	size_t start = *i;
	while (*i < n && is_digit(s[*i])) {
		if (*i - start == 2)
			return 0;
		v = v * 10 + (unsigned)(s[*i] - '0');
		(*i)++;
	}
	if (*i == start)
		return 0;
	*out = v;
	return 1;
}

/* Whether s[0..n) is a whole PY_VERSION: [23].N.N, optionally followed by
 * a|b|c|rc and digits, optionally '+'. (Stricter than the regex
 * ^[23]\.[0-9]{1,2}\.[0-9]{1,2}([abc]|rc)?[0-9]*\+?$ in one way: digits
 * right after a two-digit micro with no suffix letter are refused, since
 * they would be part of the micro.) */
static int match_version(const char *s, size_t n, unsigned *ma, unsigned *mi,
                         unsigned *mc)
{
	size_t i = 0;
	unsigned major, minor, micro;

	if (n < 5 || n > VERSION_MAX_LEN || (s[0] != '2' && s[0] != '3'))
		return 0;
	major = (unsigned)(s[0] - '0');
	i = 1;
	if (s[i++] != '.' || !two_digits(s, n, &i, &minor))
		return 0;
	if (i >= n || s[i++] != '.' || !two_digits(s, n, &i, &micro))
		return 0;
	if (i < n && (s[i] == 'a' || s[i] == 'b' || s[i] == 'c')) {
		i++;
	} else if (i + 1 < n && s[i] == 'r' && s[i + 1] == 'c') {
		i += 2;
	} else if (i < n && is_digit(s[i])) {
		return 0;
	}
	if (s[i - 1] < '0' || s[i - 1] > '9') {  /* after a suffix letter */
		while (i < n && is_digit(s[i]))
			i++;
	}
	if (i < n && s[i] == '+')
		i++;
	if (i != n)
		return 0;
	*ma = major;
	*mi = minor;
	*mc = micro;
	return 1;
}

/* A byte that may not come right before a version that is the tail of a
 * longer string: "/usr/local/3.11.7" and "python-3.11.7" are accepted,
 * "GLIBC_2.3.4", "x3.1.2" and "13.1.2" are not. */
static int is_word_byte(char c)
{
	return is_digit(c) || c == '.' || c == '_' || (c >= 'a' && c <= 'z') ||
	       (c >= 'A' && c <= 'Z');
}

struct version_hit {
	int found;
	unsigned major, minor, micro;
};

static int want_ok(unsigned want_major, unsigned want_minor, unsigned ma, unsigned mi)
{
	return (want_major == 0 || ma == want_major) &&
	       (want_minor == 0 || mi == want_minor);
}

/* Scan one buffer. Returns 1 when a whole NUL-delimited string matched (put
 * into *exact); otherwise records the first tail match into *tail. */
static int scan_buffer(const char *buf, size_t len, unsigned want_major,
                       unsigned want_minor, struct version_hit *exact,
                       struct version_hit *tail)
{
	size_t p = 0;
	while (p < len) {
		const char *s = buf + p;
		const char *z = memchr(s, '\0', len - p);
		if (z == NULL)
			break;  /* unterminated tail of the section */
		size_t n = (size_t)(z - s);
		p += n + 1;
		if (n < 5)
			continue;
		unsigned ma, mi, mc;
		if (match_version(s, n, &ma, &mi, &mc)) {
			if (want_ok(want_major, want_minor, ma, mi)) {
				*exact = (struct version_hit){ 1, ma, mi, mc };
				return 1;
			}
			continue;
		}
		/* The linker merges a literal into the tail of a longer string
		 * that ends with it: pyenv's "/root/.pyenv/versions/3.11.7"
		 * holds PY_VERSION "3.11.7". */
		if (tail->found)
			continue;
		size_t k = n > VERSION_MAX_LEN ? n - VERSION_MAX_LEN : 1;
		for (; k + 5 <= n; k++) {
			if ((s[k] != '2' && s[k] != '3') || is_word_byte(s[k - 1]))
				continue;
			if (match_version(s + k, n - k, &ma, &mi, &mc) &&
			    want_ok(want_major, want_minor, ma, mi)) {
				*tail = (struct version_hit){ 1, ma, mi, mc };
				break;
			}
		}
	}
	return 0;
}

int elf_image_python_version(const struct elf_image *img,
                             unsigned want_major, unsigned want_minor,
                             unsigned *major, unsigned *minor, unsigned *micro)
{
	struct version_hit exact = { 0, 0, 0, 0 }, tail = { 0, 0, 0, 0 };

	if (img == NULL)
		return -1;
	for (size_t i = 0; i < img->nsecs && !exact.found; i++) {
		const struct sec_ent *s = &img->secs[i];
		if (s->type != SHT_PROGBITS || !(s->flags & SHF_ALLOC) ||
		    (s->flags & (SHF_WRITE | SHF_EXECINSTR)) || s->size == 0)
			continue;
		const Elf_Data *d = sec_data(s->scn);
		if (d == NULL)
			continue;  /* unreadable: look elsewhere */
		scan_buffer(d->d_buf, d->d_size, want_major, want_minor, &exact, &tail);
	}
	const struct version_hit *h = exact.found ? &exact : tail.found ? &tail : NULL;
	if (h == NULL)
		return -1;
	if (major != NULL)
		*major = h->major;
	if (minor != NULL)
		*minor = h->minor;
	if (micro != NULL)
		*micro = h->micro;
	return 0;
}
