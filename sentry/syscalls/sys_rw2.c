/* preadv2 and pwritev2: readv/writev (offset -1) or preadv/pwritev with
 * per-call RWF_* flags.
 *
 * Without flags they are those calls (sys_rw.c). With flags, the host's
 * preadv2/pwritev2 runs on the host fd with the flags unchanged (the host
 * checks them: EOPNOTSUPP for unknown ones, as natively), through the
 * sentry's bounce buffer: the program's vectors are gathered into it
 * before a write and scattered from it after a read; a fault in them ends
 * the call with the bytes moved before it, or EFAULT. At offset -1 on the
 * sentry's own nonblocking pipes and sockets the call waits like read and
 * write (task_block_fd), unless the program is nonblocking or asked
 * RWF_NOWAIT; a file msentry inherited that may block is polled first.
 */
#include <errno.h>
#include <poll.h>
#include <sys/uio.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

#ifndef RWF_NOWAIT
#define RWF_NOWAIT 0x00000008
#endif

/* Copy between the bounce buffer and the program's vectors: `len` bytes
 * at most; how many were copied before a fault. */
static size_t copy_vectors(struct task *t, const struct iovec *iov, int cnt, size_t len,
			   bool to_program)
{
	char *buf = t->s->scratch;
	size_t at = 0;
	for (int i = 0; i < cnt && at < len; i++) {
		uint64_t base = (uint64_t)iov[i].iov_base;
		size_t part = iov[i].iov_len < len - at ? iov[i].iov_len : len - at;
		/* Page by page, so that a fault stops at the page it hits. */
		for (size_t done = 0; done < part;) {
			size_t n = PAGE_SIZE - ((base + done) & (PAGE_SIZE - 1));
			n = n < part - done ? n : part - done;
			int rc = to_program ? task_write(t, base + done, buf + at, n)
					    : task_read(t, base + done, buf + at, n);
			if (rc != 0)
				return at;
			done += n;
			at += n;
		}
	}
	return at;
}

static long rw2_wait(struct task *t, struct file *f, int flags, short events)
{
	if ((flags & RWF_NOWAIT) || file_is_nonblocking(f))
		return -EAGAIN;
	return task_block_fd(t, f->host_fd, events);
}

static long rw2(struct task *t, const uint64_t *a, bool write)
{
	int flags = (int)a[5];
	off_t off = (off_t)a[3];
	if (flags == 0 && off == -1)
		return write ? sys_writev(t, a) : sys_readv(t, a);
	if (flags == 0)
		return write ? sys_pwritev(t, a) : sys_preadv(t, a);
	if (off < -1)
		return -EINVAL;
	struct file *f = fd_lookup(t, (int)a[0]);
	if (!f || f->host_fd < 0)
		return -EBADF;
	cleanup_free struct iovec *iov = NULL;
	size_t total;
	int rc = io_read_iovec(t, a[1], (int)a[2], &iov, &total);
	if (rc != 0)
		return rc;
	short events = write ? POLLOUT : POLLIN;
	struct pollfd p = {.fd = f->host_fd, .events = events};
	if (off == -1 && f->may_block && !f->host_nonblock && poll(&p, 1, 0) == 0)
		return rw2_wait(t, f, flags, events);
	size_t len = total < t->s->scratch_size ? total : t->s->scratch_size;
	if (write && (len = copy_vectors(t, iov, (int)a[2], len, false)) == 0 && total)
		return -EFAULT;
	struct iovec one = {t->s->scratch, len};
	ssize_t n = write ? pwritev2(f->host_fd, &one, 1, off, flags)
			  : preadv2(f->host_fd, &one, 1, off, flags);
	if (n < 0 && errno == EAGAIN && off == -1 && f->host_nonblock)
		return rw2_wait(t, f, flags, events);
	if (n < 0) {
		if (errno == EPIPE)
			signal_raise_sigpipe(t);
		return -errno;
	}
	if (write)
		return n;
	size_t copied = copy_vectors(t, iov, (int)a[2], (size_t)n, true);
	return copied || n == 0 ? (long)copied : -EFAULT;
}

SYSCALL_HANDLER(preadv2)
{
	return rw2(t, a, false);
}

SYSCALL_HANDLER(pwritev2)
{
	return rw2(t, a, true);
}
