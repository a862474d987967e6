/* Where a file syscall's (dirfd, path, AT_* flags) acts, as a host
 * (dirfd, name) pair: shared by sys_stat.c and sys_attr.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <unistd.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/syscalls-internal.h"

int at_target_resolve(struct task *t, int dirfd, uint64_t path_addr, int at_flags,
		      struct at_target *tg)
{
	*tg = (struct at_target){.dirfd = -1, .owned = -1};
	char path[PATH_MAX];
	/* NULL is a bad address, but with AT_EMPTY_PATH (Linux 6.11 on):
	 * the empty path then. */
	if (!path_addr && !(at_flags & AT_EMPTY_PATH))
		return -EFAULT;
	long n = path_addr ? task_read_string(t, path_addr, path, PATH_MAX) : 0;
	if (n < 0)
		return (int)n;
	if (n == 0 && !(at_flags & AT_EMPTY_PATH))
		return -ENOENT;
	if (n == 0) {
		int host = dirfd == AT_FDCWD ? -1 : fd_host(t, dirfd);
		if (dirfd == AT_FDCWD)
			host = tg->owned = path_open(t, AT_FDCWD, ".", O_PATH, 0);
		if (host < 0)
			return host == -EINVAL ? -EBADF : host;
		tg->dirfd = host;
		tg->flags = AT_EMPTY_PATH;
		return 0;
	}
	/* A trailing slash names a directory: symlinks to one are followed
	 * even by lstat(). */
	/* The sandbox's ptys are no links (sentry/fs/devpts.c): their node
	 * whether followed or not. */
	cleanup_free char *abs = NULL;
	int pty = -1;
	if ((at_flags & AT_SYMLINK_NOFOLLOW) && path_absolute(t, dirfd, path, &abs) == 0 &&
	    devpts_node(t, abs, O_PATH, &pty)) {
		if (pty < 0)
			return pty;
		tg->dirfd = tg->owned = pty;
		tg->flags = AT_EMPTY_PATH;
		return 0;
	}
	if ((at_flags & AT_SYMLINK_NOFOLLOW) && path[n - 1] != '/') {
		int rc = path_parent(t, dirfd, path, &tg->owned, tg->name);
		tg->dirfd = tg->owned;
		tg->flags = AT_SYMLINK_NOFOLLOW;
		return rc;
	}
	int fd = path_open(t, dirfd, path, O_PATH, 0);
	if (fd < 0)
		return fd;
	tg->dirfd = tg->owned = fd;
	tg->flags = AT_EMPTY_PATH;
	return 0;
}

/* The host path that names an at_target for calls without *at forms. */
void at_target_magic(const struct at_target *tg, char *buf, size_t len)
{
	if (tg->name[0])
		snprintf(buf, len, "/proc/self/fd/%d/%s", tg->dirfd, tg->name);
	else
		snprintf(buf, len, "/proc/self/fd/%d", tg->dirfd);
}
