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

/* The helper's own copy of the fd: the program may close its fd while the
 * flush runs. */
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
		int host = fd_host(t, (int)a[0]);
		if (host < 0)
			return -EBADF;
		fd = xmalloc(sizeof(*fd));
		*fd = fcntl(host, F_DUPFD_CLOEXEC, 0);
		if (*fd < 0) {
			long err = -errno;
			free(fd);
			return err;
		}
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
		int host = fd_host(t, (int)a[0]);
		if (host < 0)
			return -EBADF;
		r = xmalloc(sizeof(*r));
		*r = (struct range_sync){.off = (off_t)a[1], .len = (off_t)a[2], .flags = flags};
		r->fd = fcntl(host, F_DUPFD_CLOEXEC, 0);
		if (r->fd < 0) {
			long err = -errno;
			free(r);
			return err;
		}
	}
	return task_offload(t, do_sync_range, r);
}
