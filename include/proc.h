/* proc.h — what /proc says about a process: its mappings, threads, states.
 *
 * Set-up functions (maps, cmdline) allocate and may be slow; the per-sample
 * ones (proc_task_state) read into caller buffers and never allocate. Paths
 * of the target's files are resolved through /proc/PID/root so that a target
 * in another mount namespace (a container) is read from the host. */
#ifndef PYHEAT_PROC_H
#define PYHEAT_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"

struct proc_map {
	uint64_t start, end, offset;
	char perms[5];      /* "r-xp" */
	int deleted;        /* the path ended in " (deleted)" */
	char *path;         /* as the target sees it; "" for anonymous */
};

struct proc_maps {
	struct proc_map *v;
	size_t n;
};

/* Fill err with PH_EPERM and a message naming the fixes that apply here
 * (root, CAP_SYS_PTRACE, kernel.yama.ptrace_scope where the kernel has
 * Yama). Returns -1. */
int proc_permission_error(pid_t pid, struct ph_error *err);

/* Does the process exist (and is it not a zombie)? 0 yes; -1 with
 * PH_ENOPROC or PH_EPERM in err. */
int proc_check(pid_t pid, struct ph_error *err);

int proc_maps_read(pid_t pid, struct proc_maps *out, struct ph_error *err);
void proc_maps_free(struct proc_maps *m);
/* The mapping containing addr, or NULL. Binary search: maps are sorted. */
const struct proc_map *proc_maps_find(const struct proc_maps *m, uint64_t addr);

/* A path to open the file behind `map` from here: /proc/PID/map_files/A-B
 * when the file was deleted or replaced, else /proc/PID/root/<path>. */
void proc_map_open_path(pid_t pid, const struct proc_map *map, char *buf, size_t len);

/* Thread ids in /proc/PID/task as the host sees them; at most cap. Returns
 * the count, or -1 (target gone). */
int proc_tasks(pid_t pid, pid_t *tids, int cap);

/* The one-letter state of a thread from /proc/PID/task/TID/stat ('R', 'S',
 * 'D', 't', ...), or 0 when it cannot be read. No allocation. */
char proc_task_state(pid_t pid, pid_t tid);

/* Open /proc/PID/task/TID/stat files kept for the per-sample state reads:
 * one pread per thread per sample instead of open+read+close. */
#define TASK_FD_SLOTS 2048
struct task_stat_cache {
	pid_t pid;
	struct { pid_t tid; int fd; } slot[TASK_FD_SLOTS];
};
void task_stat_cache_init(struct task_stat_cache *c, pid_t pid);
/* Like proc_task_state(); opens the file on first use. No allocation. */
char task_stat_cache_state(struct task_stat_cache *c, pid_t tid);
void task_stat_cache_close(struct task_stat_cache *c);

/* The thread's comm (OS thread name), control characters replaced. Returns
 * 0, or -1 with buf set to "". */
int proc_task_comm(pid_t pid, pid_t tid, char *buf, size_t len);

/* The command line, arguments joined by spaces, bounded by len. */
int proc_cmdline(pid_t pid, char *buf, size_t len);

/* The innermost-namespace TID (last NSpid field) of a host TID, or tid
 * itself when the kernel has no NSpid. */
pid_t proc_ns_tid(pid_t pid, pid_t tid);

/* Namespace TID -> host TID for one target: CPython records the TIDs its
 * threads see (gettid() inside a container's pid namespace); pyheat reports
 * host TIDs. Rebuilt from /proc/PID/task on a miss, so a sample costs no
 * syscall once every thread has been seen. */
#define HOST_TID_SLOTS 1024
struct host_tid_map {
	pid_t pid;
	int nested;            /* -1 not yet known, 0 same pid namespace, 1 deeper */
	int n;
	pid_t ns[HOST_TID_SLOTS], host[HOST_TID_SLOTS];
};
void host_tid_map_init(struct host_tid_map *m, pid_t pid);
/* ns_tid itself outside containers; 0 when no such thread exists now. */
pid_t host_tid_map_get(struct host_tid_map *m, pid_t ns_tid);

#endif
