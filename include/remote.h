/* remote.h — reading the target's memory.
 *
 * process_vm_readv with many iovecs per call (one syscall costs ~2 µs
 * whatever its size, so calls per sample set the sampling rate), falling back
 * to pread on /proc/PID/mem where process_vm_readv is not permitted. Every
 * read is all-or-nothing: a partial read is a failure (a torn read or a
 * pointer into unmapped memory). No allocation; safe on the hot path. */
#ifndef PYHEAT_REMOTE_H
#define PYHEAT_REMOTE_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include "error.h"

#define REMOTE_MAX_IOV 1024

struct remote {
	pid_t pid;
	int mem_fd;          /* /proc/PID/mem, opened only after a vm_readv EPERM/ENOSYS */
	int use_mem_fd;
};

struct remote_iov {
	uint64_t addr;
	void *buf;
	size_t len;
};

/* Prepare to read pid. Checks one read works; maps errors to PH_EPERM
 * (with the fix), PH_ENOPROC. `probe_addr` is any readable address. */
int remote_open(struct remote *r, pid_t pid, uint64_t probe_addr, struct ph_error *err);
void remote_close(struct remote *r);

/* Read len bytes at addr. 0 on success, -1 otherwise (errno kept). */
int remote_read(const struct remote *r, uint64_t addr, void *buf, size_t len);

/* Read n regions in as few syscalls as possible. Returns the number of
 * leading regions read completely (n when all succeeded). */
int remote_readv(const struct remote *r, const struct remote_iov *iov, int n);

/* Read n regions in as few syscalls as possible, going on past regions
 * that fail: ok[i] is set to 1 for each region read whole, 0 otherwise.
 * Returns the number read whole. */
int remote_readv_each(const struct remote *r, const struct remote_iov *iov, int n, uint8_t *ok);

/* Convenience: read a pointer-sized word. */
static inline int remote_read_u64(const struct remote *r, uint64_t addr, uint64_t *out)
{
	return remote_read(r, addr, out, sizeof *out);
}

/* A user-space address that could be a valid pointer: non-null, below the
 * x86-64 user-space limit, aligned to `align` (a power of two). */
static inline int remote_ptr_ok(uint64_t p, unsigned align)
{
	return p >= 4096 && p < 0x800000000000ULL && (p & (align - 1)) == 0;
}

#endif
