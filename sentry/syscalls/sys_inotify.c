/* inotify: a host inotify instance per program instance.
 *
 * inotify_init1 makes a host inotify fd (O_NONBLOCK on the host, the
 * program's O_NONBLOCK kept in struct file like the sentry's pipes), so
 * read, poll, epoll and FIONREAD are the ordinary paths of any host fd
 * (a blocking read waits through task_block_fd). Events name files
 * relative to the watched directory, so they pass through unchanged; watch
 * descriptors are the host instance's own numbers, private to it as on
 * Linux.
 *
 * Watches: the program's path is resolved inside the sandbox root by the
 * kernel's path code (path_open, O_PATH), never by the host, and the host
 * watch is placed on that open file through /proc/self/fd/N, so no watch
 * can reach outside the root. IN_DONT_FOLLOW opens the last component
 * O_NOFOLLOW (the magic link then leads to the symlink itself); IN_ONLYDIR
 * opens it O_DIRECTORY. The checks Linux makes before looking the path up
 * (mask, fd, an inotify fd) come first, in its order.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

/* Every event bit a watch can ask for (Linux's ALL_INOTIFY_BITS). */
#define WATCH_EVENTS (IN_ALL_EVENTS | IN_UNMOUNT | IN_Q_OVERFLOW | IN_IGNORED)

static long init1(struct task *t, int flags)
{
	if (flags & ~(IN_CLOEXEC | IN_NONBLOCK))
		return -EINVAL;
	int host = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (host < 0)
		return -errno;
	struct file *f = file_new_nonblocking(host, (flags & IN_NONBLOCK) != 0);
	return fd_install(t, f, (flags & IN_CLOEXEC) != 0, 0);
}

SYSCALL_HANDLER(inotify_init)
{
	(void)a;
	return init1(t, 0);
}

SYSCALL_HANDLER(inotify_init1)
{
	return init1(t, (int)a[0]);
}

/* Whether host fd `fd` is an inotify instance. */
static bool is_inotify(int fd)
{
	char link[64], target[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:inotify") == 0;
}

SYSCALL_HANDLER(inotify_add_watch)
{
	uint32_t mask = (uint32_t)a[2];
	if ((mask & IN_MASK_ADD) && (mask & IN_MASK_CREATE))
		return -EINVAL;
	if (!(mask & WATCH_EVENTS))
		return -EINVAL;
	struct file *f = fd_lookup(t, (int)a[0]);
	if (!f)
		return -EBADF;
	if (f->host_fd < 0 || !is_inotify(f->host_fd))
		return -EINVAL;
	char path[PATH_MAX];
	int rc = task_read_path(t, a[1], path);
	if (rc != 0)
		return rc;
	int oflags = O_PATH | ((mask & IN_DONT_FOLLOW) ? O_NOFOLLOW : 0) |
		     ((mask & IN_ONLYDIR) ? O_DIRECTORY : 0);
	cleanup_close int target = path_open(t, AT_FDCWD, path, oflags, 0);
	if (target < 0)
		return target;
	char magic[64];
	snprintf(magic, sizeof(magic), "/proc/self/fd/%d", target);
	/* The magic link is followed to the file path_open found (the
	 * symlink itself under IN_DONT_FOLLOW). */
	int wd = inotify_add_watch(f->host_fd, magic, mask & ~(uint32_t)IN_DONT_FOLLOW);
	return wd < 0 ? -errno : wd;
}

SYSCALL_HANDLER(inotify_rm_watch)
{
	struct file *f = fd_lookup(t, (int)a[0]);
	if (!f)
		return -EBADF;
	if (f->host_fd < 0 || !is_inotify(f->host_fd))
		return -EINVAL;
	return inotify_rm_watch(f->host_fd, (int)a[1]) == 0 ? 0 : -errno;
}
