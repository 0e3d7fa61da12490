/* target.c — find the interpreter inside a live process. See include/target.h. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "debugoffsets.h"
#include "elfsym.h"
#include "proc.h"
#include "target.h"

#define SCAN_MAX_BYTES (64u << 20)   /* .data + .bss searched for a stripped interp_head */
#define TID_PROBE_BYTES 2048         /* span of struct pthread searched for the TID */

/* Parse "python3.11", "libpython3.13t.so", "python2.7-dbg" style names.
 * Returns 0 with major/minor/ft set, or -1. */
static int version_from_name(const char *path, unsigned *major, unsigned *minor, int *ft,
                             int *dbg)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *p = strstr(base, "python");
	if (!p)
		return -1;
	p += 6;
	if (!isdigit((unsigned char)p[0]) || p[1] != '.' || !isdigit((unsigned char)p[2]))
		return -1;
	char *end;
	*major = (unsigned)(p[0] - '0');
	*minor = (unsigned)strtoul(p + 2, &end, 10);
	*ft = *end == 't';
	*dbg = strstr(end, "-dbg") != NULL || (*end == 'd' && (end[1] == '.' || end[1] == '\0'));
	return 0;
}

static int is_python_lib(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	return strncmp(base, "libpython", 9) == 0 && strstr(base, ".so") != NULL;
}

/* The candidate ELF file and where it is loaded. */
struct candidate {
	const struct proc_map *map;   /* its mapping at file offset 0 */
	struct elf_image *img;
	uint64_t bias;
};

static int open_candidate(const struct target *t, const struct proc_maps *maps, const char *path,
                          struct candidate *c)
{
	c->map = NULL;
	for (size_t i = 0; i < maps->n; i++)
		if (strcmp(maps->v[i].path, path) == 0 && maps->v[i].offset == 0) {
			c->map = &maps->v[i];
			break;
		}
	if (!c->map)
		return -1;
	char open_path[PATH_MAX + 64];
	proc_map_open_path(t->pid, c->map, open_path, sizeof open_path);
	c->img = elf_image_open(open_path, NULL);
	if (!c->img && !c->map->deleted) {
		/* upgraded in place or not visible through root: try map_files */
		snprintf(open_path, sizeof open_path, "/proc/%d/map_files/%llx-%llx", (int)t->pid,
		         (unsigned long long)c->map->start, (unsigned long long)c->map->end);
		c->img = elf_image_open(open_path, NULL);
	}
	if (!c->img)
		return -1;
	c->bias = elf_image_is_dyn(c->img) ? c->map->start - elf_image_base_vaddr(c->img) : 0;
	return 0;
}

static int sym(const struct candidate *c, const char *name, uint64_t *addr)
{
	uint64_t v;
	if (elf_image_symbol(c->img, name, &v, NULL) < 0)
		return -1;
	*addr = v + c->bias;
	return 0;
}

/* Is `interp` a plausible PyInterpreterState: its first thread state points
 * back at it? */
static int interp_valid(const struct target *t, uint64_t interp)
{
	const struct py_layout *l = &t->layout;
	uint64_t tstate, back;
	if (!remote_ptr_ok(interp, 8) ||
	    remote_read_u64(&t->mem, interp + l->interp.tstate_head, &tstate) < 0 ||
	    !remote_ptr_ok(tstate, 8) ||
	    remote_read_u64(&t->mem, tstate + l->tstate.interp, &back) < 0)
		return 0;
	return back == interp;
}

/* Stripped binaries: look through the file's .data and .bss for a word that
 * points at a valid interpreter. Returns the word's address, or 0. */
static uint64_t scan_for_interp_pointer(const struct target *t, const struct candidate *c,
                                        const struct proc_maps *maps)
{
	static const char *const sections[] = { ".PyRuntime", ".data", ".bss" };
	for (size_t s = 0; s < sizeof sections / sizeof sections[0]; s++) {
		uint64_t vaddr, size;
		if (elf_image_section(c->img, sections[s], &vaddr, &size) < 0 || size == 0)
			continue;
		if (size > SCAN_MAX_BYTES)
			size = SCAN_MAX_BYTES;
		uint64_t *words = malloc(size);
		if (!words)
			return 0;
		uint64_t base = (vaddr + c->bias + 7) & ~7ULL;
		size &= ~7ULL;
		uint64_t found = 0;
		if (remote_read(&t->mem, base, words, size) == 0) {
			for (uint64_t i = 0; i < size / 8 && !found; i++) {
				uint64_t w = words[i];
				if (!remote_ptr_ok(w, 8))
					continue;
				const struct proc_map *m = proc_maps_find(maps, w);
				/* interpreters live on the heap (anonymous, writable) */
				if (!m || m->perms[1] != 'w' || (m->path[0] && strcmp(m->path, "[heap]")))
					continue;
				if (interp_valid(t, w))
					found = base + i * 8;
			}
		}
		free(words);
		if (found)
			return found;
	}
	return 0;
}

/* Which byte of glibc's struct pthread holds the kernel TID: the offset at
 * which every thread state's pthread_t points to one of the target's TIDs.
 * Before 3.11 CPython keeps only the pthread_t. */
static void calibrate_pthread_tid(struct target *t)
{
	const struct py_layout *l = &t->layout;
	pid_t tids[1024];
	int ntids = proc_tasks(t->pid, tids, 1024);
	/* in a container struct pthread holds the TID of the target's own pid
	 * namespace, not the host's */
	for (int k = 0; k < ntids; k++)
		tids[k] = proc_ns_tid(t->pid, tids[k]);
	uint64_t interp;
	if (ntids <= 0 || target_interp_head(t, &interp) < 0)
		return;
	uint64_t tstate;
	if (remote_read_u64(&t->mem, interp + l->interp.tstate_head, &tstate) < 0)
		return;
	/* candidate offsets that matched every thread so far */
	static const unsigned nslots = TID_PROBE_BYTES / 4;
	unsigned char ok[TID_PROBE_BYTES / 4];
	memset(ok, 1, sizeof ok);
	int seen = 0;
	for (int guard = 0; remote_ptr_ok(tstate, 8) && guard < 1024; guard++) {
		uint64_t pthread;
		int32_t words[TID_PROBE_BYTES / 4];
		if (remote_read_u64(&t->mem, tstate + l->tstate.thread_id, &pthread) < 0)
			break;
		if (remote_ptr_ok(pthread, 8) && remote_read(&t->mem, pthread, words, sizeof words) == 0) {
			for (unsigned i = 0; i < nslots; i++) {
				int hit = 0;
				for (int k = 0; k < ntids && !hit; k++)
					hit = words[i] == tids[k];
				ok[i] &= (unsigned char)hit;
			}
			seen++;
		}
		if (remote_read_u64(&t->mem, tstate + l->tstate.next, &tstate) < 0)
			break;
	}
	if (!seen)
		return;
	/* glibc x86-64 keeps it at 0x2d0; prefer that when it matches */
	if (ok[0x2d0 / 4]) {
		t->pthread_tid_offset = 0x2d0;
		return;
	}
	for (unsigned i = 1; i < nslots; i++)
		if (ok[i]) {
			t->pthread_tid_offset = i * 4;
			return;
		}
}

int target_interp_head(const struct target *t, uint64_t *interp)
{
	if (t->runtime)
		return remote_read_u64(&t->mem, t->runtime + t->layout.runtime.interpreters_head, interp);
	if (t->interp_head_var)
		return remote_read_u64(&t->mem, t->interp_head_var, interp);
	return -1;
}

int target_gil_disabled(const struct target *t)
{
	const struct py_layout *l = &t->layout;
	uint64_t interp, gil;
	int32_t enabled;
	if (!l->free_threaded || l->gil != GIL_INTERP_STRUCT || l->interp.gil_ptr == LAYOUT_NONE ||
	    target_interp_head(t, &interp) < 0 || !remote_ptr_ok(interp, 8) ||
	    remote_read_u64(&t->mem, interp + l->interp.gil_ptr, &gil) < 0 || !remote_ptr_ok(gil, 8) ||
	    remote_read(&t->mem, gil, &enabled, sizeof enabled) < 0)
		return 0;
	return enabled == 0;
}

static int find_in_candidate(struct target *t, const struct proc_maps *maps, struct candidate *c,
                             struct ph_error *err)
{
	uint64_t runtime = 0, interp_head_var = 0, py_version = 0, probe = c->map->start;
	int has_runtime = sym(c, "_PyRuntime", &runtime) == 0;
	int has_head = sym(c, "interp_head", &interp_head_var) == 0;
	int has_version = sym(c, "Py_Version", &py_version) == 0;
	uint64_t any;
	if (!has_runtime && !has_head && sym(c, "Py_Initialize", &any) < 0 &&
	    sym(c, "PyCode_Type", &any) < 0)
		return 1;   /* not the interpreter's file: try the next one */

	if (remote_open(&t->mem, t->pid, probe, err) < 0)
		return -1;

	unsigned major = 0, minor = 0, micro = 0, table_micro;
	int ft = 0, dbg = 0, have = 0;
	uint8_t dbgoff[DEBUG_OFFSETS_MAX_BYTES];
	uint64_t hex = 0;
	if (has_runtime && remote_read(&t->mem, runtime, dbgoff, 24) == 0 &&
	    debug_offsets_header(dbgoff, 24, &hex, &ft) == 0) {
		have = 1;
	} else if (has_version) {
		uint32_t v;
		if (remote_read(&t->mem, py_version, &v, sizeof v) == 0) {
			hex = v;
			have = 1;
		}
	}
	if (have) {
		major = (unsigned)(hex >> 24) & 0xff;
		minor = (unsigned)(hex >> 16) & 0xff;
		micro = (unsigned)(hex >> 8) & 0xff;
	}
	table_micro = micro;
	unsigned nmaj, nmin;
	int nft = 0, ndbg = 0;
	int named = version_from_name(c->map->path, &nmaj, &nmin, &nft, &ndbg) == 0 ||
	            version_from_name(t->exe, &nmaj, &nmin, &nft, &ndbg) == 0;
	if (!have) {
		unsigned a, b, m;
		if (named && elf_image_python_version(c->img, nmaj, nmin, &a, &b, &m) == 0) {
			major = a, minor = b, micro = table_micro = m;
		} else if (elf_image_python_version(c->img, 0, 0, &a, &b, &m) == 0) {
			major = a, minor = b, micro = table_micro = m;
		} else if (named) {
			/* patch release unknown: the newest one's table */
			major = nmaj, minor = nmin, micro = 0, table_micro = LAYOUT_MICRO_ANY;
		} else {
			return ph_fail(err, PH_EUNSUPPORTED, "process %d runs CPython (%s) but its version "
			               "cannot be determined", (int)t->pid, c->map->path);
		}
		ft = nft;
	}
	dbg = ndbg;
	if (sym(c, "_Py_RefTotal", &any) == 0 || sym(c, "_Py_NegativeRefcount", &any) == 0)
		dbg = 1;
	t->major = major, t->minor = minor, t->micro = micro, t->debug_build = dbg;
	snprintf(t->version, sizeof t->version, "%u.%u.%u%s%s", major, minor, micro, ft ? "t" : "",
	         dbg ? "d" : "");

	const struct py_layout *table = layout_for_release(major, minor, table_micro, ft);
	if (!table)
		return ph_fail(err, PH_EUNSUPPORTED, "CPython %u.%u%s (pid %d) is not supported by pyheat "
		               "(it reads %s)", major, minor, ft ? " free-threaded" : "", (int)t->pid,
		               layout_versions());
	t->layout = *table;

	if (major == 3 && minor >= 13) {
		size_t size = debug_offsets_size(minor);
		if (!has_runtime || !size || remote_read(&t->mem, runtime, dbgoff, size) < 0)
			return ph_fail(err, PH_EUNSUPPORTED, "cannot read the _Py_DebugOffsets of "
			               "CPython %s (pid %d)", t->version, (int)t->pid);
		char diff[sizeof t->layout_note - 64];
		if (layout_apply_debug_offsets(&t->layout, dbgoff, size, diff, sizeof diff, err) < 0)
			return -1;
		if (diff[0])
			snprintf(t->layout_note, sizeof t->layout_note,
			         "the target's debug offsets differ from pyheat's table: %s", diff);
	}

	snprintf(t->python_file, sizeof t->python_file, "%s", c->map->path);
	uint64_t sym_addr;
	if (sym(c, "PyCode_Type", &sym_addr) == 0)
		t->code_type = sym_addr;
	if (sym(c, "_PyThreadState_Current", &sym_addr) == 0)
		t->tstate_current_var = sym_addr;
	/* The code-object counter lets the walker skip re-checking code objects
	 * while none is created. Its offset comes from the release build's
	 * headers: a debug build moves it, and so may a patch release whose
	 * published offsets differ from the table. */
	t->code_version_off = dbg || t->layout_note[0] ? LAYOUT_NONE : t->layout.interp.code_version;
	if (major == 3 && minor == 12 && !dbg && sym(c, "_Py_next_func_version", &sym_addr) == 0)
		t->code_version_var = sym_addr;
	/* The GIL's switch count proves which threads ran (walker.c): taken
	 * only where the table is the target's own (the struct has no debug-
	 * only fields) and there is a GIL to count. */
	t->gil_switch_off = t->layout.free_threaded || t->layout_note[0] ||
	                    (t->layout.gil == GIL_RUNTIME_CURRENT && t->layout.runtime.ceval_gil == LAYOUT_NONE)
	                    ? LAYOUT_NONE : t->layout.gil_state.switch_number;

	if (has_runtime && t->layout.runtime.interpreters_head != LAYOUT_NONE) {
		t->runtime = runtime;
	} else if (has_head) {
		t->interp_head_var = interp_head_var;
	} else {
		uint64_t var = scan_for_interp_pointer(t, c, maps);
		if (!var)
			return ph_fail(err, PH_ENOTPYTHON, "process %d loads CPython %s but no interpreter "
			               "was found in it (symbols stripped and the scan failed)",
			               (int)t->pid, t->version);
		t->found_by_scan = 1;
		if (t->layout.runtime.interpreters_head != LAYOUT_NONE)
			t->runtime = var - t->layout.runtime.interpreters_head;
		else
			t->interp_head_var = var;
	}
	if (target_interp_head(t, &t->interp_head) < 0 || !remote_ptr_ok(t->interp_head, 8))
		return ph_fail(err, PH_ENOTPYTHON, "process %d loads CPython %s but its interpreter is "
		               "not running (starting up or finalizing)", (int)t->pid, t->version);
	if (t->layout.frames == FRAME_OBJECT)
		calibrate_pthread_tid(t);
	return 0;
}

int target_attach(struct target *t, pid_t pid, struct ph_error *err)
{
	memset(t, 0, sizeof *t);
	t->pid = pid;
	t->mem.mem_fd = -1;
	if (proc_check(pid, err) < 0)
		return -1;
	char link[64];
	snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
	ssize_t n = readlink(link, t->exe, sizeof t->exe - 1);
	if (n < 0) {
		if (errno == EACCES || errno == EPERM)
			return proc_permission_error(pid, err);
		/* a live process without an executable is a kernel thread */
		if (errno == ENOENT && proc_check(pid, NULL) == 0)
			return ph_fail(err, PH_ENOTPYTHON, "process %d is a kernel thread, not a CPython "
			               "process", (int)pid);
		return ph_fail(err, PH_ENOPROC, "no such process: %d", (int)pid);
	}
	t->exe[n] = '\0';
	const char *del = " (deleted)";
	if ((size_t)n > strlen(del) && strcmp(t->exe + n - strlen(del), del) == 0)
		t->exe[n - strlen(del)] = '\0';

	struct proc_maps maps;
	if (proc_maps_read(pid, &maps, err) < 0)
		return -1;

	/* Candidates in order: libpython (shared builds keep everything there),
	 * the executable (static builds), then any other mapped file. */
	int rc = 1;
	for (int pass = 0; pass < 3 && rc == 1; pass++) {
		for (size_t i = 0; i < maps.n && rc == 1; i++) {
			const struct proc_map *m = &maps.v[i];
			if (m->offset != 0 || m->path[0] != '/')
				continue;
			int lib = is_python_lib(m->path), exe = strcmp(m->path, t->exe) == 0;
			if ((pass == 0 && !lib) || (pass == 1 && !exe) || (pass == 2 && (lib || exe)))
				continue;
			if (pass == 2 && !strstr(m->path, "python") && !strstr(m->path, "uwsgi"))
				continue;
			struct candidate c;
			if (open_candidate(t, &maps, m->path, &c) < 0)
				continue;
			rc = find_in_candidate(t, &maps, &c, err);
			elf_image_close(c.img);
		}
	}
	proc_maps_free(&maps);
	/* read last: a command being launched may exec between our reads, and
	 * its command line must be the one whose interpreter we found */
	proc_cmdline(pid, t->cmdline, sizeof t->cmdline);
	char exe_now[PATH_MAX];
	ssize_t en = readlink(link, exe_now, sizeof exe_now - 1);
	if (en > 0 && rc == 0) {
		exe_now[en] = '\0';
		if ((size_t)en > strlen(del) && strcmp(exe_now + en - strlen(del), del) == 0)
			exe_now[en - strlen(del)] = '\0';
		memcpy(t->exe, exe_now, (size_t)en + 1);
	}
	if (rc == 1) {
		if (proc_check(pid, NULL) < 0)
			return ph_fail(err, PH_EEXITED, "process %d exited while pyheat was attaching", (int)pid);
		return ph_fail(err, PH_ENOTPYTHON, "process %d (%s) is not a CPython process", (int)pid,
		               t->exe);
	}
	if (rc < 0) {
		if (err && err->code != PH_EPERM && proc_check(pid, NULL) < 0)
			return ph_fail(err, PH_EEXITED, "process %d exited while pyheat was attaching", (int)pid);
		remote_close(&t->mem);
		return -1;
	}
	return 0;
}

void target_detach(struct target *t)
{
	remote_close(&t->mem);
}
