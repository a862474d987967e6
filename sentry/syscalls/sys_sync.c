/* sync, syncfs and sync_file_range: the host's own, run off the sentry's
 * thread (they may block for seconds while a disk flushes;
 * kernel/offload.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

static long do_sync(void *arg)
{
	(void)arg;
	sync();
	return 0;
}

/* The helper's own copy of program fd `fd`: the program may close its fd
 * while the flush runs. The copy, or -errno. */
static int helper_fd(struct task *t, int fd)
{
	int host = fd_host(t, fd);
	if (host < 0)
		return -EBADF;
	int copy = fcntl(host, F_DUPFD_CLOEXEC, 0);
	return copy < 0 ? -errno : copy;
}

static long do_syncfs(void *arg)
{
	int *fd = arg;
	long rc = syncfs(*fd) == 0 ? 0 : -errno;
	close(*fd);
	free(fd);
	return rc;
}

SYSCALL_HANDLER(sync)
{
	(void)a;
	return task_offload(t, do_sync, NULL);
}

SYSCALL_HANDLER(syncfs)
{
	int *fd = NULL;
	if (!t->call.offload) {
		int copy = helper_fd(t, (int)a[0]);
		if (copy < 0)
			return copy;
		fd = xmalloc(sizeof(*fd));
		*fd = copy;
	}
	return task_offload(t, do_syncfs, fd);
}

struct range_sync {
	int fd; /* the helper's own copy */
	off_t off, len;
	unsigned flags;
};

static long do_sync_range(void *arg)
{
	struct range_sync *r = arg;
	long rc = sync_file_range(r->fd, r->off, r->len, r->flags) == 0 ? 0 : -errno;
	close(r->fd);
	free(r);
	return rc;
}

SYSCALL_HANDLER(sync_file_range)
{
	struct range_sync *r = NULL;
	if (!t->call.offload) {
		unsigned flags = (unsigned)a[3];
		if (flags & ~(unsigned)(SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
					SYNC_FILE_RANGE_WAIT_AFTER))
			return -EINVAL;
		int copy = helper_fd(t, (int)a[0]);
		if (copy < 0)
			return copy;
		r = xmalloc(sizeof(*r));
		*r = (struct range_sync){
		    .fd = copy, .off = (off_t)a[1], .len = (off_t)a[2], .flags = flags};
	}
	return task_offload(t, do_sync_range, r);
}
