/* Linux native AIO: io_setup, io_destroy, io_submit, io_getevents,
 * io_pgetevents, io_cancel (contexts: kernel/aio.c).
 *
 * Every request is done at submit time, synchronously, on the sentry's
 * host fd for aio_fildes, the way pread64/pwritev/fsync are served
 * (sys_rw.c): regular-file I/O is fast and does not wait. Its result
 * (bytes or -errno) becomes the event's res, queued on the context; the
 * iocb's eventfd (IOCB_FLAG_RESFD) is signalled then. A read of an empty
 * pipe or socket, which Linux would wait for inside io_submit, completes
 * with res -EAGAIN instead (the sentry's own fds are nonblocking).
 * Nothing is ever in flight, so io_cancel finds nothing to cancel
 * (EINVAL, as Linux for a request no longer active), and io_getevents
 * waits only when fewer than min_nr events are queued: until another
 * thread's io_submit completes more, the timeout, or a signal.
 *
 * Errors follow Linux's fs/aio.c: a request refused before it starts
 * (bad iocb fields, fd, opcode) ends io_submit with that error if it was
 * the first, else with the count submitted so far.
 *
 * Threats: iocbs and events are read and written with task_read /
 * task_write (EFAULT); counts are clamped to the context's size.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/aio.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

/* The RWF_* flags Linux knows (others: EOPNOTSUPP); accepted, and done
 * as plain positional I/O (the host fd keeps its own O_SYNC/O_APPEND). */
#define RWF_KNOWN 0x7fu

SYSCALL_HANDLER(io_setup)
{
	uint64_t ctx;
	if (task_read(t, a[1], &ctx, sizeof(ctx)) != 0)
		return -EFAULT;
	if (ctx != 0 || (unsigned)a[0] == 0)
		return -EINVAL;
	long id = aio_ctx_create(t, (unsigned)a[0]);
	if (id < 0)
		return id;
	ctx = (uint64_t)id;
	if (task_write(t, a[1], &ctx, sizeof(ctx)) != 0) {
		(void)aio_ctx_destroy(t, ctx);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_HANDLER(io_destroy)
{
	return aio_ctx_destroy(t, a[0]);
}

/* Is the host fd `host` an eventfd? (The sentry's eventfds are the
 * host's: sys_event.c.) */
static bool is_eventfd(int host)
{
	char link[64], path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", host);
	ssize_t n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return false;
	link[n] = 0;
	return strcmp(link, "anon_inode:[eventfd]") == 0;
}

/* Do one read/write request; its result, or *refused set to the error
 * that ends io_submit. */
static long do_rw(struct task *t, const struct iocb *cb, int host, long *refused)
{
	int acc = fcntl(host, F_GETFL) & O_ACCMODE;
	bool write =
	    cb->aio_lio_opcode == IOCB_CMD_PWRITE || cb->aio_lio_opcode == IOCB_CMD_PWRITEV;
	if (acc == (write ? O_RDONLY : O_WRONLY)) {
		*refused = -EBADF;
		return 0;
	}
	if (cb->aio_rw_flags & ~RWF_KNOWN) {
		*refused = -EOPNOTSUPP;
		return 0;
	}
	bool vector =
	    cb->aio_lio_opcode == IOCB_CMD_PREADV || cb->aio_lio_opcode == IOCB_CMD_PWRITEV;
	if (cb->aio_offset < 0 || (vector && cb->aio_nbytes > IOV_MAX)) {
		*refused = -EINVAL;
		return 0;
	}
	/* Pipes and sockets are streams: Linux ignores the offset there. */
	struct stat st;
	bool stream = fstat(host, &st) == 0 && (S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode));
	off_t pos = (off_t)cb->aio_offset, *off = stream ? NULL : &pos;
	switch (cb->aio_lio_opcode) {
	case IOCB_CMD_PREAD:
		return io_read(t, host, cb->aio_buf, cb->aio_nbytes, off);
	case IOCB_CMD_PWRITE:
		return io_write(t, host, cb->aio_buf, cb->aio_nbytes, off);
	case IOCB_CMD_PREADV:
		return io_readv(t, host, cb->aio_buf, (int)cb->aio_nbytes, off);
	default:
		return io_writev(t, host, cb->aio_buf, (int)cb->aio_nbytes, off);
	}
}

/* Do one request: its result (the event's res), or *refused. */
static long perform(struct task *t, const struct iocb *cb, long *refused)
{
	uint16_t op = cb->aio_lio_opcode;
	if (op > IOCB_CMD_PWRITEV || op == IOCB_CMD_POLL || op == 4 /* unused */) {
		*refused = -EINVAL; /* POLL and NOOP are not served */
		return 0;
	}
	bool sync = op == IOCB_CMD_FSYNC || op == IOCB_CMD_FDSYNC;
	if (sync && (cb->aio_buf || cb->aio_offset || cb->aio_nbytes || cb->aio_rw_flags)) {
		*refused = -EINVAL;
		return 0;
	}
	struct file *f = fd_lookup(t, (int)cb->aio_fildes);
	if (!f || f->host_fd < 0) {
		*refused = f ? -EINVAL : -EBADF;
		return 0;
	}
	if (sync)
		return (op == IOCB_CMD_FSYNC ? fsync(f->host_fd) : fdatasync(f->host_fd)) == 0
			   ? 0
			   : -errno;
	return do_rw(t, cb, f->host_fd, refused);
}

/* Linux's io_submit_one: 0 or the error that ends io_submit. */
static long submit_one(struct task *t, struct aio_ctx *c, uint64_t user_iocb)
{
	struct iocb cb;
	if (task_read(t, user_iocb, &cb, sizeof(cb)) != 0)
		return -EFAULT;
	if (cb.aio_reserved2 || (int64_t)cb.aio_nbytes < 0)
		return -EINVAL;
	if (c->n >= c->cap)
		return -EAGAIN;
	int efd = -1;
	if (cb.aio_flags & IOCB_FLAG_RESFD) {
		efd = fd_host(t, (int)cb.aio_resfd);
		if (efd < 0)
			return -EBADF;
		if (!is_eventfd(efd))
			return -EINVAL;
	}
	uint32_t key = 0; /* Linux's KIOCB_KEY */
	if (task_write(t, user_iocb + offsetof(struct iocb, aio_key), &key, sizeof(key)) != 0)
		return -EFAULT;
	long refused = 0;
	long res = perform(t, &cb, &refused);
	if (refused)
		return refused;
	struct io_event ev = {.data = cb.aio_data, .obj = user_iocb, .res = res};
	aio_ctx_complete(t, c, &ev);
	if (efd >= 0) {
		uint64_t one = 1;
		/* Nonblocking: a counter at its maximum drops the count, as no
		 * program can tell it from a later read. */
		(void)!write(efd, &one, sizeof(one));
	}
	return 0;
}

SYSCALL_HANDLER(io_submit)
{
	long nr = (long)a[1];
	if (nr < 0)
		return -EINVAL;
	struct aio_ctx *c = aio_ctx_find(t, a[0]);
	if (!c)
		return -EINVAL;
	if (nr > (long)c->cap)
		nr = (long)c->cap;
	long i, r = 0;
	for (i = 0; i < nr; i++) {
		uint64_t p;
		if (task_read(t, a[2] + (uint64_t)i * sizeof(p), &p, sizeof(p)) != 0) {
			r = -EFAULT;
			break;
		}
		r = submit_one(t, c, p);
		if (r != 0)
			break;
	}
	return i ? i : r;
}

/* Hand out the queued events of `c`, up to nr in all across the call's
 * attempts (t->call.io_done counts events here); false with *r set when
 * the copy faults. */
static bool reap(struct task *t, struct aio_ctx *c, long nr, uint64_t events, long *r)
{
	long done = (long)t->call.io_done;
	long k = nr - done < (long)c->n ? nr - done : (long)c->n;
	if (k <= 0)
		return true;
	uint64_t at = events + (uint64_t)done * sizeof(struct io_event);
	/* Events leave the queue only once copied out, as Linux's do. */
	if (task_write(t, at, c->ev + c->head, (size_t)k * sizeof(struct io_event)) != 0) {
		*r = done ? done : -EFAULT;
		return false;
	}
	c->head += (unsigned)k;
	c->n -= (unsigned)k;
	if (c->n == 0)
		c->head = 0;
	t->call.io_done += (size_t)k;
	return true;
}

/* io_getevents and io_pgetevents: take what is queued; wait while fewer
 * than min_nr were taken and time is left. ts NULL: no timeout. */
static long getevents(struct task *t, const uint64_t *a, const struct timespec *ts)
{
	long min_nr = (long)a[1], nr = (long)a[2];
	if (!t->call.retry)
		t->call.io_done = 0;
	long done = (long)t->call.io_done;
	struct aio_ctx *c = aio_ctx_find(t, a[0]);
	if (!c || min_nr < 0 || min_nr > nr)
		return done ? done : -EINVAL; /* destroyed while waiting: Linux's dead ctx */
	long r;
	if (!reap(t, c, nr, a[3], &r))
		return r;
	done = (long)t->call.io_done;
	bool zero = ts && ts->tv_sec == 0 && ts->tv_nsec == 0;
	if (done >= min_nr || zero || task_deadline(t, ts, false, CLOCK_MONOTONIC))
		return done;
	/* A pending signal io_pgetevents' temporary mask lets through ends
	 * the wait before it starts, as ppoll's does. */
	if (t->restore_sigmask && signal_deliverable(t))
		return done ? done : -EINTR;
	r = ipc_block(t, c, false);
	return r == -EINTR && done ? done : r;
}

/* A timeout argument: Linux reads it without checking its fields; an
 * invalid one is taken as already passed. */
static int read_timeout(struct task *t, uint64_t addr, struct timespec *ts)
{
	if (task_read(t, addr, ts, sizeof(*ts)) != 0)
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		*ts = (struct timespec){0, 0};
	return 0;
}

SYSCALL_HANDLER(io_getevents)
{
	struct timespec ts;
	if (a[4] && read_timeout(t, a[4], &ts) != 0)
		return -EFAULT;
	return getevents(t, a, a[4] ? &ts : NULL);
}

/* io_pgetevents' sigmask argument, struct __aio_sigset {mask, size}:
 * installed on the first attempt, restored when the call ends, as ppoll's. */
static int install_aio_sigmask(struct task *t, uint64_t usig)
{
	uint64_t arg[2], mask;
	if (!usig || t->call.retry)
		return 0;
	if (task_read(t, usig, arg, sizeof(arg)) != 0)
		return -EFAULT;
	if (!arg[0])
		return 0;
	if (arg[1] != sizeof(mask))
		return -EINVAL;
	if (task_read(t, arg[0], &mask, sizeof(mask)) != 0)
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	t->sigmask = mask & ~SIG_UNBLOCKABLE;
	return 0;
}

SYSCALL_HANDLER(io_pgetevents)
{
	struct timespec ts;
	if (a[4] && read_timeout(t, a[4], &ts) != 0)
		return -EFAULT;
	int rc = install_aio_sigmask(t, a[5]);
	if (rc != 0)
		return rc;
	return getevents(t, a, a[4] ? &ts : NULL);
}

/* Nothing is ever in flight (every request completes at submit), so a
 * well-formed request is not found: EINVAL, as Linux for one not active. */
SYSCALL_HANDLER(io_cancel)
{
	uint32_t key;
	if (task_read(t, a[1] + offsetof(struct iocb, aio_key), &key, sizeof(key)) != 0)
		return -EFAULT;
	(void)aio_ctx_find(t, a[0]);
	return -EINVAL;
}
