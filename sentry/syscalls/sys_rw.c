/* File data syscalls: read and write in all their forms, seeking,
 * syncing and allocating, and copying between fds. A read or write on the
 * sentry's own nonblocking pipes and sockets waits (sched.c) unless the
 * program asked for O_NONBLOCK. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/syscalls-internal.h"

/* ---- I/O ---- */

/* Whether an operation on `f` may go ahead now; if not, the task blocks
 * (or gets EAGAIN if the program asked for O_NONBLOCK). 0: go ahead. */
static long io_ready(struct task *t, struct file *f, short events)
{
	if (!f->may_block || f->host_nonblock)
		return 0; /* never blocks, or the host call itself says EAGAIN */
	struct pollfd p = {.fd = f->host_fd, .events = events};
	if (poll(&p, 1, 0) > 0 || file_is_nonblocking(f))
		return 0;
	return task_block_fd(t, f->host_fd, events);
}

/* Wait for `events` on one of the sentry's own nonblocking fds; a
 * socket's wait ends with EAGAIN at its SO_RCVTIMEO/SO_SNDTIMEO. */
static long wait_host_fd(struct task *t, struct file *f, short events)
{
	struct stat st;
	if (fstat(f->host_fd, &st) == 0 && S_ISSOCK(st.st_mode))
		return sock_wait(t, f, 0, events, (events & POLLIN) ? SO_RCVTIMEO : SO_SNDTIMEO,
				 -EAGAIN);
	return task_block_fd(t, f->host_fd, events);
}

/* A host EAGAIN on the sentry's own nonblocking fds: wait unless the
 * program itself is nonblocking. */
static long io_again(struct task *t, struct file *f, long r, short events)
{
	if (r != -EAGAIN || !f->host_nonblock || f->nonblock)
		return r;
	return wait_host_fd(t, f, events);
}

/* One host transfer between fd and program memory (io.c's helpers). */
typedef long transfer_fn(struct task *t, int fd, uint64_t addr, uint64_t len, const off_t *off);

static long transfer_read(struct task *t, int fd, uint64_t addr, uint64_t len, const off_t *off)
{
	return io_read(t, fd, addr, len, off);
}

static long transfer_write(struct task *t, int fd, uint64_t addr, uint64_t len, const off_t *off)
{
	return io_write(t, fd, addr, len, off);
}

static long transfer_readv(struct task *t, int fd, uint64_t addr, uint64_t len, const off_t *off)
{
	return io_readv(t, fd, addr, (int)len, off);
}

static long transfer_writev(struct task *t, int fd, uint64_t addr, uint64_t len, const off_t *off)
{
	return io_writev(t, fd, addr, (int)len, off);
}

/* read/write/readv/writev on the file position: wait (or EAGAIN) while the
 * fd is not ready, then one host transfer. */
static long stream_io(struct task *t, struct file *f, short events, transfer_fn *fn,
		      uint64_t addr, uint64_t len)
{
	/* A background job and its terminal: SIGTTIN/SIGTTOU (kernel/tty.c). */
	long r = f->tty ? tty_check_io(t, f, events == POLLOUT) : 0;
	if (r != 0)
		return r;
	r = io_ready(t, f, events);
	if (r != 0)
		return r;
	r = io_again(t, f, fn(t, f->host_fd, addr, len, NULL), events);
	if (r == -EPIPE)
		signal_raise_sigpipe(t);
	return r;
}

/* The file behind `fd` for a transfer, or the errno: signalfds, message
 * queues and synthetic directories only support read() (elsewhere). */
static struct file *transfer_file(struct task *t, uint64_t fd, long *err)
{
	struct file *f = fd_lookup(t, (int)fd);
	*err = !f || f->host_fd < 0 ? -EBADF
	       : f->kind == FILE_SIGNALFD || f->kind == FILE_MQUEUE || f->kind == FILE_PIDFD ? -EINVAL
	       : f->kind == FILE_DIR_LIST ? -EISDIR : 0;
	return *err ? NULL : f;
}

SYSCALL_HANDLER(read)
{
	struct file *f = fd_lookup(t, (int)a[0]);
	if (f && f->kind == FILE_SIGNALFD)
		return signalfd_read(t, f, a[1], a[2]);
	if (f && f->kind == FILE_MQUEUE)
		return mq_read(t, f, a[1], a[2]);
	long err;
	f = transfer_file(t, a[0], &err);
	return f ? stream_io(t, f, POLLIN, transfer_read, a[1], a[2]) : err;
}

/* A blocking write() or writev() to one of the sentry's own pipes or
 * sockets goes on until every byte is written, as Linux's does
 * (t->call.io_done counts across attempts); a signal ends it early with the
 * bytes written so far. For writev, addr is the iovec array and len its
 * count. */
static long write_whole(struct task *t, struct file *f, uint64_t addr, uint64_t len,
			bool vector)
{
	if (!t->call.retry)
		t->call.io_done = 0;
	size_t total = len;
	if (vector) {
		cleanup_free struct iovec *iov = NULL;
		int rc = io_read_iovec(t, addr, (int)len, &iov, &total);
		if (rc != 0)
			return rc;
	}
	for (;;) {
		long n = vector ? io_writev_skip(t, f->host_fd, addr, (int)len, NULL, t->call.io_done)
				: io_write(t, f->host_fd, addr + t->call.io_done,
					   len - t->call.io_done, NULL);
		if (n > 0) {
			t->call.io_done += (size_t)n;
			if (t->call.io_done < total)
				continue;
		}
		if (n >= 0 || n != -EAGAIN) {
			if (n == -EPIPE && !t->call.io_done)
				signal_raise_sigpipe(t);
			return t->call.io_done ? (long)t->call.io_done : n;
		}
		long r = wait_host_fd(t, f, POLLOUT);
		return (r == SYSRET_RESTARTSYS || r == -EAGAIN) && t->call.io_done
			   ? (long)t->call.io_done
			   : r;
	}
}

SYSCALL_HANDLER(write)
{
	long err;
	struct file *f = transfer_file(t, a[0], &err);
	if (f && f->write)
		return f->write(t, f, a[1], a[2]);
	if (f && f->host_nonblock && !f->nonblock)
		return write_whole(t, f, a[1], a[2], false);
	return f ? stream_io(t, f, POLLOUT, transfer_write, a[1], a[2]) : err;
}

/* pread64/pwrite64/preadv/pwritev: at an offset, never waiting (Linux
 * rejects them on pipes and sockets with ESPIPE, which the host reports). */
static long positional_io(struct task *t, const uint64_t *a, transfer_fn *fn)
{
	int host = fd_host(t, (int)a[0]);
	if (host < 0)
		return host;
	off_t off = (off_t)a[3];
	if (off < 0)
		return -EINVAL;
	return fn(t, host, a[1], a[2], &off);
}

SYSCALL_HANDLER(pread64)
{
	return positional_io(t, a, transfer_read);
}

SYSCALL_HANDLER(pwrite64)
{
	return positional_io(t, a, transfer_write);
}

SYSCALL_HANDLER(readv)
{
	long err;
	struct file *f = transfer_file(t, a[0], &err);
	return f ? stream_io(t, f, POLLIN, transfer_readv, a[1], a[2]) : err;
}

SYSCALL_HANDLER(writev)
{
	long err;
	struct file *f = transfer_file(t, a[0], &err);
	if (f && f->host_nonblock && !f->nonblock)
		return write_whole(t, f, a[1], a[2], true);
	return f ? stream_io(t, f, POLLOUT, transfer_writev, a[1], a[2]) : err;
}

SYSCALL_HANDLER(preadv)
{
	return positional_io(t, a, transfer_readv);
}

SYSCALL_HANDLER(pwritev)
{
	return positional_io(t, a, transfer_writev);
}

SYSCALL_HANDLER(lseek)
{
	struct file *f = fd_lookup(t, (int)a[0]);
	if (!f)
		return -EBADF;
	if (f->kind == FILE_DIR_LIST) {
		if (a[2] != SEEK_SET || (int64_t)a[1] < 0)
			return -EINVAL;
		f->pos = a[1];
		return (long)a[1];
	}
	return ret_errno(lseek(f->host_fd, (off_t)a[1], (int)a[2]));
}

/* ---- syncing and allocating ---- */

SYSCALL_HANDLER(fsync)
{
	int host = fd_host(t, (int)a[0]);
	return host < 0 ? host : ret_errno(fsync(host));
}

SYSCALL_HANDLER(fdatasync)
{
	int host = fd_host(t, (int)a[0]);
	return host < 0 ? host : ret_errno(fdatasync(host));
}

SYSCALL_HANDLER(fadvise64)
{
	int host = fd_host(t, (int)a[0]);
	return host < 0 ? host : -posix_fadvise(host, (off_t)a[1], (off_t)a[2], (int)a[3]);
}

/* readahead: Linux wants a file open for reading (EBADF), then one whose
 * pages it caches, a regular file or block device (EINVAL). A host file
 * is given to the host's readahead, which makes both checks on the
 * sentry's fd, opened with the program's access mode. The sentry's own
 * kinds (synthetic directories, signalfd, pidfd, message queues) have no
 * page cache. */
SYSCALL_HANDLER(readahead)
{
	struct file *f = fd_lookup(t, (int)a[0]);
	if (!f)
		return -EBADF;
	if (f->kind != FILE_HOST)
		return -EINVAL;
	return ret_errno(readahead(f->host_fd, (off_t)a[1], (size_t)a[2]));
}

SYSCALL_HANDLER(fallocate)
{
	int host = fd_host(t, (int)a[0]);
	return host < 0 ? host : ret_errno(fallocate(host, (int)a[1], (off_t)a[2], (off_t)a[3]));
}

/* ---- copying between fds ---- */

SYSCALL_HANDLER(sendfile)
{
	int out = fd_host(t, (int)a[0]), in = fd_host(t, (int)a[1]);
	if (out < 0 || in < 0)
		return -EBADF;
	off_t off, *offp = NULL;
	if (a[2]) {
		if (task_read(t, a[2], &off, sizeof(off)) != 0)
			return -EFAULT;
		offp = &off;
	}
	ssize_t n = sendfile(out, in, offp, a[3]);
	if (n < 0)
		return -errno;
	if (offp && task_write(t, a[2], &off, sizeof(off)) != 0)
		return -EFAULT;
	return n;
}

SYSCALL_HANDLER(copy_file_range)
{
	int in = fd_host(t, (int)a[0]), out = fd_host(t, (int)a[2]);
	if (out < 0 || in < 0)
		return -EBADF;
	off_t off_in, off_out;
	if ((a[1] && task_read(t, a[1], &off_in, sizeof(off_in)) != 0) ||
	    (a[3] && task_read(t, a[3], &off_out, sizeof(off_out)) != 0))
		return -EFAULT;
	ssize_t n = copy_file_range(in, a[1] ? &off_in : NULL, out, a[3] ? &off_out : NULL, a[4],
				    (unsigned)a[5]);
	if (n < 0)
		return -errno;
	if ((a[1] && task_write(t, a[1], &off_in, sizeof(off_in)) != 0) ||
	    (a[3] && task_write(t, a[3], &off_out, sizeof(off_out)) != 0))
		return -EFAULT;
	return n;
}
