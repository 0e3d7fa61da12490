/* remote.c — reading the target's memory. See include/remote.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "proc.h"
#include "remote.h"

static int read_mem_fd(const struct remote *r, uint64_t addr, void *buf, size_t len)
{
	size_t got = 0;
	while (got < len) {
		ssize_t n = pread(r->mem_fd, (char *)buf + got, len - got, (off_t)(addr + got));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

int remote_read(const struct remote *r, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	if (r->use_mem_fd)
		return read_mem_fd(r, addr, buf, len);
	struct iovec local = { buf, len };
	struct iovec remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(r->pid, &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0)
		errno = EFAULT;
	return -1;
}

int remote_readv(const struct remote *r, const struct remote_iov *iov, int n)
{
	if (r->use_mem_fd) {
		for (int i = 0; i < n; i++)
			if (read_mem_fd(r, iov[i].addr, iov[i].buf, iov[i].len) < 0)
				return i;
		return n;
	}
	struct iovec local[64], remote[64];
	int done = 0;
	while (done < n) {
		int batch = n - done < 64 ? n - done : 64;
		size_t want = 0;
		for (int i = 0; i < batch; i++) {
			local[i].iov_base = iov[done + i].buf;
			local[i].iov_len = iov[done + i].len;
			remote[i].iov_base = (void *)(uintptr_t)iov[done + i].addr;
			remote[i].iov_len = iov[done + i].len;
			want += iov[done + i].len;
		}
		ssize_t got = process_vm_readv(r->pid, local, (unsigned long)batch, remote,
		                               (unsigned long)batch, 0);
		if (got == (ssize_t)want) {
			done += batch;
			continue;
		}
		/* A partial read stops at the first region that failed: count the
		 * regions before it, which were read whole. */
		size_t acc = 0;
		int whole = 0;
		if (got > 0)
			while (whole < batch && acc + iov[done + whole].len <= (size_t)got)
				acc += iov[done + whole++].len;
		return done + whole;
	}
	return n;
}

int remote_open(struct remote *r, pid_t pid, uint64_t probe_addr, struct ph_error *err)
{
	r->pid = pid;
	r->mem_fd = -1;
	r->use_mem_fd = 0;
	char byte;
	if (remote_read(r, probe_addr, &byte, 1) == 0)
		return 0;
	int e = errno;
	if (e == ESRCH)
		return ph_fail(err, PH_ENOPROC, "no such process: %d", (int)pid);
	if (e == EPERM || e == ENOSYS) {
		char path[64];
		snprintf(path, sizeof path, "/proc/%d/mem", (int)pid);
		r->mem_fd = open(path, O_RDONLY | O_CLOEXEC);
		if (r->mem_fd >= 0) {
			r->use_mem_fd = 1;
			if (remote_read(r, probe_addr, &byte, 1) == 0)
				return 0;
			remote_close(r);
		}
		return proc_permission_error(pid, err);
	}
	return ph_fail(err, PH_EREAD, "cannot read the memory of process %d: %s", (int)pid, strerror(e));
}

void remote_close(struct remote *r)
{
	if (r->mem_fd >= 0)
		close(r->mem_fd);
	r->mem_fd = -1;
	r->use_mem_fd = 0;
}

int remote_readv_each(const struct remote *r, const struct remote_iov *iov, int n, uint8_t *ok)
{
	int good = 0;
	if (r->use_mem_fd) {
		for (int i = 0; i < n; i++) {
			ok[i] = read_mem_fd(r, iov[i].addr, iov[i].buf, iov[i].len) == 0;
			good += ok[i];
		}
		return good;
	}
	struct iovec local[REMOTE_MAX_IOV], remote[REMOTE_MAX_IOV];
	int i = 0;
	while (i < n) {
		int batch = n - i < REMOTE_MAX_IOV ? n - i : REMOTE_MAX_IOV;
		size_t want = 0;
		for (int k = 0; k < batch; k++) {
			local[k].iov_base = iov[i + k].buf;
			local[k].iov_len = iov[i + k].len;
			remote[k].iov_base = (void *)(uintptr_t)iov[i + k].addr;
			remote[k].iov_len = iov[i + k].len;
			want += iov[i + k].len;
		}
		ssize_t got = process_vm_readv(r->pid, local, (unsigned long)batch, remote,
		                               (unsigned long)batch, 0);
		if (got < 0 && errno == ESRCH) {
			memset(ok + i, 0, (size_t)(n - i));
			return good;
		}
		/* The kernel stops at the first region it cannot read: the ones
		 * before it are whole, that one failed, go on after it. */
		size_t acc = 0;
		int k = 0;
		if (got > 0)
			while (k < batch && acc + iov[i + k].len <= (size_t)got)
				acc += iov[i + k++].len;
		for (int j = 0; j < k; j++)
			ok[i + j] = 1;
		good += k;
		if (got == (ssize_t)want) {
			i += batch;
			continue;
		}
		ok[i + k] = 0;
		i += k + 1;
	}
	return good;
}
