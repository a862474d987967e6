/* Event files: eventfd, timerfd and signalfd (handlers).
 *
 * eventfd and timerfd are host objects: the sentry creates them O_NONBLOCK
 * (it must never wait on the host) and keeps the program's O_NONBLOCK view
 * in the struct file, so read/write and poll go through the generic paths
 * of sys_file.c and sys_poll.c like pipes do.
 *
 * signalfd cannot be the host's: the program's signals are queued by the
 * sentry; kernel/signalfd.c says how it works.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

/* ---- eventfd ---- */

static long eventfd_common(struct task *t, unsigned int initval, int flags)
{
	if (flags & ~(EFD_CLOEXEC | EFD_NONBLOCK | EFD_SEMAPHORE))
		return -EINVAL;
	int fd = eventfd(initval, EFD_CLOEXEC | EFD_NONBLOCK | (flags & EFD_SEMAPHORE));
	if (fd < 0)
		return -errno;
	struct file *f = file_new_nonblocking(fd, (flags & EFD_NONBLOCK) != 0);
	return fd_install(t, f, (flags & EFD_CLOEXEC) != 0, 0);
}

SYSCALL_HANDLER(eventfd)
{
	return eventfd_common(t, (unsigned int)a[0], 0);
}

SYSCALL_HANDLER(eventfd2)
{
	return eventfd_common(t, (unsigned int)a[0], (int)a[1]);
}

/* ---- timerfd ---- */

SYSCALL_HANDLER(timerfd_create)
{
	int flags = (int)a[1];
	if (flags & ~(TFD_CLOEXEC | TFD_NONBLOCK))
		return -EINVAL;
	int fd = timerfd_create((clockid_t)a[0], TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	struct file *f = file_new_nonblocking(fd, (flags & TFD_NONBLOCK) != 0);
	return fd_install(t, f, (flags & TFD_CLOEXEC) != 0, 0);
}

SYSCALL_HANDLER(timerfd_settime)
{
	int host = fd_host(t, (int)a[0]);
	if (host < 0)
		return host == -EINVAL ? -EBADF : host;
	struct itimerspec nv, old;
	if (task_read(t, a[2], &nv, sizeof(nv)) != 0)
		return -EFAULT;
	if (timerfd_settime(host, (int)a[1], &nv, &old) != 0)
		return -errno;
	if (a[3] && task_write(t, a[3], &old, sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

SYSCALL_HANDLER(timerfd_gettime)
{
	int host = fd_host(t, (int)a[0]);
	if (host < 0)
		return host == -EINVAL ? -EBADF : host;
	struct itimerspec cur;
	if (timerfd_gettime(host, &cur) != 0)
		return -errno;
	return task_write(t, a[1], &cur, sizeof(cur)) == 0 ? 0 : -EFAULT;
}

/* ---- signalfd (the file itself: kernel/signalfd.c) ---- */

static long signalfd_common(struct task *t, int fd, uint64_t mask_addr, size_t size, int flags)
{
	if (size != sizeof(uint64_t) || (flags & ~(SFD_CLOEXEC | SFD_NONBLOCK)))
		return -EINVAL;
	uint64_t mask;
	if (task_read(t, mask_addr, &mask, sizeof(mask)) != 0)
		return -EFAULT;
	return signalfd_install(t, fd, mask, flags);
}

SYSCALL_HANDLER(signalfd)
{
	return signalfd_common(t, (int)a[0], a[1], a[2], 0);
}

SYSCALL_HANDLER(signalfd4)
{
	return signalfd_common(t, (int)a[0], a[1], a[2], (int)a[3]);
}
