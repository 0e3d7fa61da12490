/* proc.c — /proc readers. See include/proc.h. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "proc.h"

/* Read a whole small /proc file into buf (NUL-terminated). Returns length or -1. */
static ssize_t read_small(const char *path, char *buf, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	size_t got = 0;
	while (got + 1 < len) {
		ssize_t n = read(fd, buf + got, len - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	return (ssize_t)got;
}

int proc_check(pid_t pid, struct ph_error *err)
{
	char path[64], buf[512];
	if (pid <= 0)
		return ph_fail(err, PH_ENOPROC, "no such process: %d", (int)pid);
	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof buf) < 0)
		return ph_fail(err, PH_ENOPROC, "no such process: %d", (int)pid);
	/* state is the field after the parenthesised comm, which may hold spaces */
	const char *rp = strrchr(buf, ')');
	if (rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'))
		return ph_fail(err, PH_ENOPROC, "process %d has exited (zombie)", (int)pid);
	/* flags, the 7th field after the comm: PF_EXITING (0x4) is set from the
	 * start of exit, before its memory goes, while the state still shows R */
	unsigned long flags = 0;
	if (rp && sscanf(rp + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) == 1 && (flags & 0x4))
		return ph_fail(err, PH_ENOPROC, "process %d has exited", (int)pid);
	return 0;
}

static int parse_map_line(char *line, struct proc_map *m)
{
	unsigned long long start, end, off;
	char perms[8];
	int pathpos = 0;
	if (sscanf(line, "%llx-%llx %4s %llx %*s %*s %n", &start, &end, perms, &off, &pathpos) < 4)
		return -1;
	m->start = start;
	m->end = end;
	m->offset = off;
	memcpy(m->perms, perms, 4);
	m->perms[4] = '\0';
	char *path = pathpos ? line + pathpos : line + strlen(line);
	size_t plen = strlen(path);
	while (plen && (path[plen - 1] == '\n' || path[plen - 1] == ' '))
		path[--plen] = '\0';
	m->deleted = 0;
	const char *del = " (deleted)";
	if (plen > strlen(del) && strcmp(path + plen - strlen(del), del) == 0) {
		path[plen - strlen(del)] = '\0';
		m->deleted = 1;
	}
	m->path = strdup(path);
	return m->path ? 0 : -1;
}

int proc_maps_read(pid_t pid, struct proc_maps *out, struct ph_error *err)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/maps", (int)pid);
	out->v = NULL;
	out->n = 0;
	FILE *f = fopen(path, "re");
	if (!f) {
		if (errno == EACCES || errno == EPERM)
			return proc_permission_error(pid, err);
		return ph_fail(err, PH_ENOPROC, "no such process: %d", (int)pid);
	}
	size_t cap = 0;
	char *line = NULL;
	size_t linecap = 0;
	while (getline(&line, &linecap, f) > 0) {
		if (out->n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct proc_map *nv = realloc(out->v, ncap * sizeof *nv);
			if (!nv)
				goto oom;
			out->v = nv;
			cap = ncap;
		}
		if (parse_map_line(line, &out->v[out->n]) == 0)
			out->n++;
	}
	free(line);
	fclose(f);
	/* an exiting process has already lost its mappings */
	if (out->n == 0 && proc_check(pid, NULL) < 0)
		return ph_fail(err, PH_EEXITED, "process %d exited while pyheat was attaching", (int)pid);
	if (out->n == 0)
		return ph_fail(err, PH_EPERM, "cannot read the mappings of process %d: run as the "
		               "target's user or root (or grant CAP_SYS_PTRACE)", (int)pid);
	return 0;
oom:
	free(line);
	fclose(f);
	proc_maps_free(out);
	return ph_fail(err, PH_ESYSTEM, "out of memory reading /proc/%d/maps", (int)pid);
}

void proc_maps_free(struct proc_maps *m)
{
	for (size_t i = 0; i < m->n; i++)
		free(m->v[i].path);
	free(m->v);
	m->v = NULL;
	m->n = 0;
}

const struct proc_map *proc_maps_find(const struct proc_maps *m, uint64_t addr)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (addr < m->v[mid].start)
			hi = mid;
		else if (addr >= m->v[mid].end)
			lo = mid + 1;
		else
			return &m->v[mid];
	}
	return NULL;
}

void proc_map_open_path(pid_t pid, const struct proc_map *map, char *buf, size_t len)
{
	if (map->deleted)
		snprintf(buf, len, "/proc/%d/map_files/%llx-%llx", (int)pid,
		         (unsigned long long)map->start, (unsigned long long)map->end);
	else
		snprintf(buf, len, "/proc/%d/root%s", (int)pid, map->path);
}

int proc_tasks(pid_t pid, pid_t *tids, int cap)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task", (int)pid);
	DIR *d = opendir(path);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)) && n < cap) {
		char *end;
		long v = strtol(de->d_name, &end, 10);
		if (*end == '\0' && v > 0)
			tids[n++] = (pid_t)v;
	}
	closedir(d);
	return n;
}

char proc_task_state(pid_t pid, pid_t tid)
{
	char path[64], buf[512];
	snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)pid, (int)tid);
	if (read_small(path, buf, sizeof buf) < 0)
		return 0;
	const char *rp = strrchr(buf, ')');
	return (rp && rp[1] == ' ') ? rp[2] : 0;
}

int proc_task_comm(pid_t pid, pid_t tid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/task/%d/comm", (int)pid, (int)tid);
	if (len == 0)
		return -1;
	ssize_t n = read_small(path, buf, len);
	if (n < 0) {
		buf[0] = '\0';
		return -1;
	}
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	for (ssize_t i = 0; i < n; i++)
		if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	return 0;
}

int proc_cmdline(pid_t pid, char *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof path, "/proc/%d/cmdline", (int)pid);
	ssize_t n = read_small(path, buf, len);
	if (n < 0)
		return -1;
	while (n > 0 && buf[n - 1] == '\0')
		n--;
	for (ssize_t i = 0; i < n; i++)
		if (buf[i] == '\0')
			buf[i] = ' ';
		else if ((unsigned char)buf[i] < 0x20 || buf[i] == 0x7f)
			buf[i] = '?';
	buf[n] = '\0';
	return 0;
}

pid_t proc_ns_tid(pid_t pid, pid_t tid)
{
	char path[64], buf[2048];
	snprintf(path, sizeof path, "/proc/%d/task/%d/status", (int)pid, (int)tid);
	if (read_small(path, buf, sizeof buf) < 0)
		return tid;
	const char *p = strstr(buf, "\nNSpid:");
	if (!p)
		return tid;
	p += 7;
	long last = tid;
	while (*p && *p != '\n') {
		char *end;
		long v = strtol(p, &end, 10);
		if (end == p)
			break;
		last = v;
		p = end;
	}
	return (pid_t)last;
}

void host_tid_map_init(struct host_tid_map *m, pid_t pid)
{
	m->pid = pid;
	m->nested = -1;
	m->n = 0;
}

pid_t host_tid_map_get(struct host_tid_map *m, pid_t ns_tid)
{
	if (ns_tid <= 0)
		return ns_tid;
	if (m->nested < 0) {
		char path[64], buf[2048];
		m->n = 0;
		snprintf(path, sizeof path, "/proc/%d/status", (int)m->pid);
		if (read_small(path, buf, sizeof buf) < 0)
			return ns_tid;
		/* more than one number on NSpid: the target is in a child namespace */
		const char *p = strstr(buf, "\nNSpid:");
		int fields = 0;
		for (p = p ? p + 7 : ""; *p && *p != '\n'; fields++) {
			char *end;
			strtol(p, &end, 10);
			if (end == p)
				break;
			p = end;
		}
		m->nested = fields > 1;
	}
	if (!m->nested)
		return ns_tid;
	for (int pass = 0; pass < 2; pass++) {
		for (int i = 0; i < m->n; i++)
			if (m->ns[i] == ns_tid)
				return m->host[i];
		if (pass == 0) {
			int n = proc_tasks(m->pid, m->host, HOST_TID_SLOTS);
			m->n = n < 0 ? 0 : n;
			for (int i = 0; i < m->n; i++)
				m->ns[i] = proc_ns_tid(m->pid, m->host[i]);
		}
	}
	return 0;   /* no such thread now: better unknown than someone else's TID */
}

void task_stat_cache_init(struct task_stat_cache *c, pid_t pid)
{
	c->pid = pid;
	for (int i = 0; i < TASK_FD_SLOTS; i++) {
		c->slot[i].tid = 0;
		c->slot[i].fd = -1;
	}
}

static char state_from_stat(const char *buf)
{
	const char *rp = strrchr(buf, ')');
	return (rp && rp[1] == ' ') ? rp[2] : 0;
}

char task_stat_cache_state(struct task_stat_cache *c, pid_t tid)
{
	unsigned h = (unsigned)tid * 2654435761u % TASK_FD_SLOTS;
	/* direct-mapped: a collision simply reopens */
	if (c->slot[h].tid != tid || c->slot[h].fd < 0) {
		if (c->slot[h].fd >= 0)
			close(c->slot[h].fd);
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/task/%d/stat", (int)c->pid, (int)tid);
		c->slot[h].fd = open(path, O_RDONLY | O_CLOEXEC);
		c->slot[h].tid = tid;
		if (c->slot[h].fd < 0)
			return 0;
	}
	char buf[512];
	ssize_t n = pread(c->slot[h].fd, buf, sizeof buf - 1, 0);
	if (n <= 0) {
		/* the thread is gone (its TID may come back as a new thread) */
		close(c->slot[h].fd);
		c->slot[h].fd = -1;
		return 0;
	}
	buf[n] = '\0';
	return state_from_stat(buf);
}

void task_stat_cache_close(struct task_stat_cache *c)
{
	for (int i = 0; i < TASK_FD_SLOTS; i++)
		if (c->slot[i].fd >= 0) {
			close(c->slot[i].fd);
			c->slot[i].fd = -1;
		}
}

int proc_permission_error(pid_t pid, struct ph_error *err)
{
	int scope = -1;
	FILE *f = fopen("/proc/sys/kernel/yama/ptrace_scope", "re");
	if (f) {
		if (fscanf(f, "%d", &scope) != 1)
			scope = -1;
		fclose(f);
	}
	if (scope >= 0)
		return ph_fail(err, PH_EPERM, "permission denied reading process %d: run as root or "
		               "as its user with CAP_SYS_PTRACE (setcap cap_sys_ptrace+ep pyheat)%s "
		               "(kernel.yama.ptrace_scope is %d)", (int)pid,
		               scope >= 1 ? ", or set 'sysctl kernel.yama.ptrace_scope=0'" : "", scope);
	return ph_fail(err, PH_EPERM, "permission denied reading process %d: run as root or as its "
	               "user with CAP_SYS_PTRACE (setcap cap_sys_ptrace+ep pyheat)", (int)pid);
}
