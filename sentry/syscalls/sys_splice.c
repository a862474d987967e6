/* splice, tee and vmsplice on the host fds behind program fds.
 *
 * The pipes the sentry makes for the program are host pipes, so splice and
 * tee are the host's own calls on the host fds, with the same checks and
 * errors (EINVAL when neither end is a pipe, ESPIPE for an offset on a
 * pipe...). The sentry must never wait in them: every host call adds
 * SPLICE_F_NONBLOCK, and a fd that may block and is not one of the
 * sentry's own nonblocking fds (an inherited terminal or socket, which
 * splice would read or write in blocking mode) is polled first. A host
 * EAGAIN then waits through task_block_fd (on the input if it has nothing
 * to read, else on the output) unless the program's call is nonblocking
 * (SPLICE_F_NONBLOCK, or O_NONBLOCK on either file, as Linux counts it).
 *
 * vmsplice cannot give the host the program's pages (they are in another
 * address space): it is emulated with writev to the pipe (or readv from
 * it), through the sentry's bounce buffer. SPLICE_F_GIFT is accepted and
 * ignored, as Linux ignores it when it cannot gift. Only SPLICE_F_NONBLOCK
 * makes it nonblocking: Linux's vmsplice ignores the pipe's O_NONBLOCK.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

#define SPLICE_FLAGS_ALL (SPLICE_F_MOVE | SPLICE_F_NONBLOCK | SPLICE_F_MORE | SPLICE_F_GIFT)

static bool is_pipe(const struct file *f)
{
	struct stat st;
	return fstat(f->host_fd, &st) == 0 && S_ISFIFO(st.st_mode);
}

static bool ready_now(const struct file *f, short events)
{
	struct pollfd p = {.fd = f->host_fd, .events = events};
	return poll(&p, 1, 0) > 0;
}

/* A file the host call could block on (not the sentry's own nonblocking
 * fds, not a pipe: SPLICE_F_NONBLOCK covers pipes) that is not ready. */
static bool would_block(const struct file *f, short events)
{
	return f->may_block && !f->host_nonblock && !is_pipe(f) && !ready_now(f, events);
}

/* The host said EAGAIN, or a file is not ready: wait, or EAGAIN for a
 * nonblocking call. */
static long splice_wait(struct task *t, struct file *in, struct file *out, bool nonblock)
{
	if (nonblock)
		return -EAGAIN;
	if (!ready_now(in, POLLIN))
		return task_block_fd(t, in->host_fd, POLLIN);
	return task_block_fd(t, out->host_fd, POLLOUT);
}

static bool call_nonblocking(const struct file *in, const struct file *out, unsigned flags)
{
	return (flags & SPLICE_F_NONBLOCK) || file_is_nonblocking(in) || file_is_nonblocking(out);
}

static struct file *host_file(struct task *t, uint64_t fd)
{
	struct file *f = fd_lookup(t, (int)fd);
	return f && f->host_fd >= 0 ? f : NULL;
}

/* An offset argument of splice: NULL if the pointer is 0; -ESPIPE on a
 * pipe, -EFAULT if unreadable. */
static int read_offset(struct task *t, const struct file *f, uint64_t addr, loff_t *off,
		       loff_t **out)
{
	*out = NULL;
	if (!addr)
		return 0;
	if (is_pipe(f))
		return -ESPIPE;
	if (task_read(t, addr, off, sizeof(*off)) != 0)
		return -EFAULT;
	*out = off;
	return 0;
}

SYSCALL_HANDLER(splice)
{
	unsigned flags = (unsigned)a[5];
	if (a[4] == 0)
		return 0;
	if (flags & ~(unsigned)SPLICE_FLAGS_ALL)
		return -EINVAL;
	struct file *in = host_file(t, a[0]), *out = host_file(t, a[2]);
	if (!in || !out)
		return -EBADF;
	loff_t off_in, off_out, *pin, *pout;
	int rc = read_offset(t, in, a[1], &off_in, &pin);
	if (rc == 0)
		rc = read_offset(t, out, a[3], &off_out, &pout);
	if (rc != 0)
		return rc;
	bool nonblock = call_nonblocking(in, out, flags);
	if (would_block(in, POLLIN) || would_block(out, POLLOUT))
		return splice_wait(t, in, out, nonblock);
	ssize_t n = splice(in->host_fd, pin, out->host_fd, pout, a[4], flags | SPLICE_F_NONBLOCK);
	if (n < 0 && errno == EAGAIN)
		return splice_wait(t, in, out, nonblock);
	if (n < 0)
		return -errno;
	if ((pin && task_write(t, a[1], pin, sizeof(*pin)) != 0) ||
	    (pout && task_write(t, a[3], pout, sizeof(*pout)) != 0))
		return -EFAULT;
	return n;
}

SYSCALL_HANDLER(tee)
{
	unsigned flags = (unsigned)a[3];
	if (flags & ~(unsigned)SPLICE_FLAGS_ALL)
		return -EINVAL;
	if (a[2] == 0)
		return 0;
	struct file *in = host_file(t, a[0]), *out = host_file(t, a[1]);
	if (!in || !out)
		return -EBADF;
	ssize_t n = tee(in->host_fd, out->host_fd, a[2], flags | SPLICE_F_NONBLOCK);
	if (n < 0 && errno == EAGAIN)
		return splice_wait(t, in, out, call_nonblocking(in, out, flags));
	return n < 0 ? -errno : n;
}

SYSCALL_HANDLER(vmsplice)
{
	unsigned flags = (unsigned)a[3];
	if (flags & ~(unsigned)SPLICE_FLAGS_ALL)
		return -EINVAL;
	struct file *f = host_file(t, a[0]);
	int mode = f ? fcntl(f->host_fd, F_GETFL) & O_ACCMODE : -1;
	if (!f || (mode != O_WRONLY && mode != O_RDONLY))
		return -EBADF;
	cleanup_free struct iovec *iov = NULL;
	size_t total;
	int rc = io_read_iovec(t, a[1], a[2] > IOV_MAX ? -1 : (int)a[2], &iov, &total);
	if (rc != 0)
		return rc;
	if (total == 0)
		return 0;
	if (!is_pipe(f))
		return -EBADF;
	bool to_pipe = mode == O_WRONLY;
	long n = to_pipe ? io_writev(t, f->host_fd, a[1], (int)a[2], NULL)
			 : io_readv(t, f->host_fd, a[1], (int)a[2], NULL);
	if (n == -EPIPE)
		signal_raise_sigpipe(t);
	if (n != -EAGAIN)
		return n;
	/* Unlike splice and tee, Linux's vmsplice ignores O_NONBLOCK. */
	if (flags & SPLICE_F_NONBLOCK)
		return -EAGAIN;
	return task_block_fd(t, f->host_fd, to_pipe ? POLLOUT : POLLIN);
}
