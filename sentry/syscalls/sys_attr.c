/* Syscalls that change a file's attributes: mode, owner, times and size,
 * and read its extended attributes. The target of a *at call is found by
 * at-target.c. */
#include <errno.h>
#include <signal.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/syscalls-internal.h"

/* ---- attributes ---- */

SYSCALL_HANDLER(fchmodat)
{
	cleanup_at_target struct at_target tg;
	int rc = at_target_resolve(t, (int)a[0], a[1], 0, &tg);
	if (rc == 0)
		rc = fd_writable(t, tg.dirfd);
	if (rc != 0)
		return rc;
	char magic[PATH_MAX];
	at_target_magic(&tg, magic, sizeof(magic));
	return ret_errno(chmod(magic, (mode_t)a[2] & 07777));
}

SYSCALL_HANDLER(chmod)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], a[1]};
	return sys_fchmodat(t, b);
}

SYSCALL_HANDLER(fchmod)
{
	int host = fd_host(t, (int)a[0]);
	int rc = host < 0 ? host : fd_writable(t, host);
	return rc != 0 ? rc : ret_errno(fchmod(host, (mode_t)a[1] & 07777));
}

/* Linux's chown_ok/chgrp_ok for a caller without CAP_CHOWN in the
 * sandbox's view: the owner may only keep the owner and give the file to
 * one of its own groups. The host makes its own check after this one,
 * which matters when msentry runs as root with the sandbox's root. */
static long chown_permitted(struct task *t, const struct stat *st, uid_t uid, gid_t gid)
{
	const struct process *p = t->proc;
	if (caps_has(p, CAP_CHOWN))
		return 0;
	bool owner = p->euid == st->st_uid;
	if (uid != (uid_t)-1 && !(owner && uid == st->st_uid))
		return -EPERM;
	if (gid != (gid_t)-1 && !(owner && (gid == st->st_gid || creds_in_group(p, gid))))
		return -EPERM;
	return 0;
}

static long chown_common(struct task *t, int dirfd, uint64_t path, uid_t uid, gid_t gid, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	cleanup_at_target struct at_target tg;
	int rc = at_target_resolve(t, dirfd, path, flags, &tg);
	if (rc == 0)
		rc = fd_writable(t, tg.dirfd);
	if (rc != 0)
		return rc;
	struct stat st;
	if (!caps_has(t->proc, CAP_CHOWN)) {
		if (fstatat(tg.dirfd, tg.name, &st, tg.flags) != 0)
			return -errno;
		rc = chown_permitted(t, &st, uid, gid);
		if (rc != 0)
			return rc;
	}
	return ret_errno(fchownat(tg.dirfd, tg.name, uid, gid, tg.flags));
}

SYSCALL_HANDLER(fchownat)
{
	return chown_common(t, (int)a[0], a[1], (uid_t)a[2], (gid_t)a[3], (int)a[4]);
}

SYSCALL_HANDLER(chown)
{
	return chown_common(t, AT_FDCWD, a[0], (uid_t)a[1], (gid_t)a[2], 0);
}

SYSCALL_HANDLER(lchown)
{
	return chown_common(t, AT_FDCWD, a[0], (uid_t)a[1], (gid_t)a[2], AT_SYMLINK_NOFOLLOW);
}

SYSCALL_HANDLER(fchown)
{
	int host = fd_host(t, (int)a[0]);
	int rc = host < 0 ? host : fd_writable(t, host);
	struct stat st;
	if (rc == 0 && !caps_has(t->proc, CAP_CHOWN))
		rc = fstat(host, &st) != 0 ? -errno
					   : chown_permitted(t, &st, (uid_t)a[1], (gid_t)a[2]);
	return rc != 0 ? rc : ret_errno(fchown(host, (uid_t)a[1], (gid_t)a[2]));
}

/* Linux's do_utimes, behind utimensat, futimesat, utimes and utime: a
 * NULL path with a real dirfd names the open file itself (futimens;
 * futimesat(fd, NULL)), where no AT_* flag is allowed; otherwise the path
 * is resolved in the root, and a NULL one is EFAULT as in any path
 * lookup. The host makes the permission checks (EACCES to set the current
 * time without write access, EPERM to set others without owning the
 * file) with the program's identity (creds.c), and checks the times. */
static long utimes_do(struct task *t, int dirfd, uint64_t path, const struct timespec *tsp,
		      int flags)
{
	if (path == 0 && dirfd != AT_FDCWD) {
		if (flags != 0)
			return -EINVAL;
		int host = fd_host(t, dirfd);
		int rc = host < 0 ? host : fd_writable(t, host);
		return rc != 0 ? rc : ret_errno(futimens(host, tsp));
	}
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	if (path == 0)
		return -EFAULT;
	cleanup_at_target struct at_target tg;
	int rc = at_target_resolve(t, dirfd, path, flags, &tg);
	if (rc == 0)
		rc = fd_writable(t, tg.dirfd);
	if (rc != 0)
		return rc;
	if (tg.flags & AT_SYMLINK_NOFOLLOW)
		return ret_errno(utimensat(tg.dirfd, tg.name, tsp, AT_SYMLINK_NOFOLLOW));
	char magic[PATH_MAX];
	at_target_magic(&tg, magic, sizeof(magic));
	return ret_errno(utimensat(AT_FDCWD, magic, tsp, 0));
}

SYSCALL_HANDLER(utimensat)
{
	struct timespec ts[2];
	if (a[2]) {
		if (task_read(t, a[2], ts, sizeof(ts)) != 0)
			return -EFAULT;
		/* Nothing to change: Linux does not even look at the path. */
		if (ts[0].tv_nsec == UTIME_OMIT && ts[1].tv_nsec == UTIME_OMIT)
			return 0;
	}
	return utimes_do(t, (int)a[0], a[1], a[2] ? ts : NULL, (int)a[3]);
}

/* futimesat and utimes: microseconds, checked before they are scaled (so
 * that UTIME_NOW and UTIME_OMIT, which only utimensat knows, are EINVAL). */
SYSCALL_HANDLER(futimesat)
{
	struct timeval tv[2];
	struct timespec ts[2];
	if (a[2]) {
		if (task_read(t, a[2], tv, sizeof(tv)) != 0)
			return -EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -EINVAL;
			ts[i] = (struct timespec){.tv_sec = tv[i].tv_sec,
						  .tv_nsec = tv[i].tv_usec * 1000};
		}
	}
	return utimes_do(t, (int)a[0], a[1], a[2] ? ts : NULL, 0);
}

SYSCALL_HANDLER(utimes)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], a[1]};
	return sys_futimesat(t, b);
}

/* utime: whole seconds in a struct utimbuf (actime, modtime). */
SYSCALL_HANDLER(utime)
{
	int64_t tb[2];
	struct timespec ts[2];
	if (a[1]) {
		if (task_read(t, a[1], tb, sizeof(tb)) != 0)
			return -EFAULT;
		ts[0] = (struct timespec){.tv_sec = tb[0]};
		ts[1] = (struct timespec){.tv_sec = tb[1]};
	}
	return utimes_do(t, AT_FDCWD, a[0], a[1] ? ts : NULL, 0);
}

/* Linux's inode_newsize_ok: growing a file past RLIMIT_FSIZE is EFBIG,
 * and the caller gets SIGXFSZ (the sandbox's limit: the host only knows
 * msentry's own). */
static long truncate_to(struct task *t, int fd, off_t length)
{
	rlim_t limit = t->proc->rlim[RLIMIT_FSIZE].rlim_cur;
	struct stat st;
	if (limit != RLIM_INFINITY && length >= 0 && (rlim_t)length > limit &&
	    fstat(fd, &st) == 0 && st.st_size < length) {
		signal_send_task(t, SIGXFSZ, NULL);
		return -EFBIG;
	}
	return ret_errno(ftruncate(fd, length));
}

SYSCALL_HANDLER(ftruncate)
{
	int host = fd_host(t, (int)a[0]);
	int rc = host < 0 ? host : fd_writable(t, host);
	return rc != 0 ? rc : truncate_to(t, host, (off_t)a[1]);
}

/* truncate opens the file for writing, which waits while another
 * process holds a lease on it: that wait is made on a helper, as open's
 * (sys_open.c), never on the sentry's thread. A FIFO is never opened. */
SYSCALL_HANDLER(truncate)
{
	if (t->call.offload) { /* the lease is gone: the helper's open */
		long fd = task_offload_interruptible(t, NULL, NULL);
		if (fd < 0)
			return fd;
		long r = truncate_to(t, (int)fd, (off_t)a[1]);
		close((int)fd);
		return r;
	}
	char path[PATH_MAX];
	int rc = task_read_path(t, a[0], path);
	if (rc != 0)
		return rc;
	if ((off_t)a[1] < 0)
		return -EINVAL;
	int opath = path_open(t, AT_FDCWD, path, O_PATH, 0);
	struct stat st;
	if (opath < 0)
		return opath;
	if (fstat(opath, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(opath);
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	}
	cleanup_close int fd = path_open(t, AT_FDCWD, path, O_WRONLY | O_NONBLOCK, 0);
	if (fd == -EWOULDBLOCK)
		return open_wait_blocking(t, opath, O_WRONLY);
	close(opath);
	if (fd < 0)
		return fd;
	return truncate_to(t, fd, (off_t)a[1]);
}

/* ---- extended attributes ---- */

/* An attribute's name, as Linux imports it: empty or longer than
 * XATTR_NAME_MAX is ERANGE. */
static int xattr_name(struct task *t, uint64_t addr, char *name)
{
	long n = task_read_string(t, addr, name, XATTR_NAME_MAX + 1);
	if (n == -ENAMETOOLONG || n == 0)
		return -ERANGE;
	return n < 0 ? -EFAULT : 0;
}

/* Extended attributes: the target is named through the sentry's
 * /proc/self/fd (at-target.c): the file itself when following, else its
 * entry in its directory, which the l* host calls take as it is, a
 * symlink included. */
static long xattr_common(struct task *t, const uint64_t *a, bool follow, bool list)
{
	char name[XATTR_NAME_MAX + 1];
	if (!list) {
		int rc = xattr_name(t, a[1], name);
		if (rc != 0)
			return rc;
	}
	cleanup_at_target struct at_target tg;
	int rc = at_target_resolve(t, AT_FDCWD, a[0], follow ? 0 : AT_SYMLINK_NOFOLLOW, &tg);
	if (rc != 0)
		return rc;
	char magic[PATH_MAX];
	at_target_magic(&tg, magic, sizeof(magic));
	uint64_t buf = list ? a[1] : a[2];
	size_t size = list ? a[2] : a[3];
	if (size > t->s->scratch_size)
		size = t->s->scratch_size;
	char *out = t->s->scratch;
	ssize_t n =
	    list ? (follow ? listxattr(magic, out, size) : llistxattr(magic, out, size))
		 : (follow ? getxattr(magic, name, out, size) : lgetxattr(magic, name, out, size));
	if (n < 0)
		return -errno;
	if (size && task_write(t, buf, out, (size_t)n) != 0)
		return -EFAULT;
	return n;
}

SYSCALL_HANDLER(getxattr)
{
	return xattr_common(t, a, true, false);
}

SYSCALL_HANDLER(lgetxattr)
{
	return xattr_common(t, a, false, false);
}

SYSCALL_HANDLER(listxattr)
{
	return xattr_common(t, a, true, true);
}

SYSCALL_HANDLER(llistxattr)
{
	return xattr_common(t, a, false, true);
}

SYSCALL_HANDLER(fgetxattr)
{
	int host = fd_host(t, (int)a[0]);
	char name[XATTR_NAME_MAX + 1];
	if (host < 0)
		return host;
	if (task_read_string(t, a[1], name, sizeof(name)) < 0)
		return -EFAULT;
	size_t size = a[3] < t->s->scratch_size ? a[3] : t->s->scratch_size;
	ssize_t n = fgetxattr(host, name, t->s->scratch, size);
	if (n < 0)
		return -errno;
	if (size && task_write(t, a[2], t->s->scratch, (size_t)n) != 0)
		return -EFAULT;
	return n;
}

SYSCALL_HANDLER(flistxattr)
{
	int host = fd_host(t, (int)a[0]);
	if (host < 0)
		return host;
	size_t size = a[2] < t->s->scratch_size ? a[2] : t->s->scratch_size;
	ssize_t n = flistxattr(host, t->s->scratch, size);
	if (n < 0)
		return -errno;
	if (size && task_write(t, a[1], t->s->scratch, (size_t)n) != 0)
		return -EFAULT;
	return n;
}

/* ---- setting and removing extended attributes ---- */

/* trusted.* needs CAP_SYS_ADMIN in Linux. The host would ask msentry's
 * own capabilities (the fsuid switch of creds.c does not drop it), so the
 * sandbox's view is asked first. security.* and user.* are left to the
 * host, which checks them against the program's file identity. */
static int xattr_may_write(struct task *t, const char *name)
{
	if (strncmp(name, "trusted.", 8) == 0 && !caps_has(t->proc, CAP_SYS_ADMIN))
		return -EPERM;
	return 0;
}

/* What setxattr's three forms share: the checks Linux makes before it
 * looks the file up (flags, name, size, the value's bytes), in its order. */
struct xattr_set {
	char name[XATTR_NAME_MAX + 1];
	void *value;
	size_t size;
	int flags;
};

static void xattr_set_release(struct xattr_set *x)
{
	free(x->value);
}

static int xattr_set_read(struct task *t, const uint64_t *a, struct xattr_set *x)
{
	*x = (struct xattr_set){.size = a[3], .flags = (int)a[4]};
	if (x->flags & ~(XATTR_CREATE | XATTR_REPLACE))
		return -EINVAL;
	int rc = xattr_name(t, a[1], x->name);
	if (rc != 0)
		return rc;
	if (x->size > XATTR_SIZE_MAX)
		return -E2BIG;
	x->value = xmalloc(x->size ? x->size : 1);
	if (x->size && task_read(t, a[2], x->value, x->size) != 0)
		return -EFAULT;
	return xattr_may_write(t, x->name);
}

/* The file a path-named xattr change acts on (`tg`, which the caller
 * owns: the host name in `magic`, PATH_MAX bytes, goes through its fd),
 * in a writable mount. */
static int xattr_write_target(struct task *t, uint64_t path_addr, bool follow, struct at_target *tg,
			      char *magic)
{
	int rc = at_target_resolve(t, AT_FDCWD, path_addr, follow ? 0 : AT_SYMLINK_NOFOLLOW, tg);
	if (rc == 0)
		rc = fd_writable(t, tg->dirfd);
	if (rc == 0)
		at_target_magic(tg, magic, PATH_MAX);
	return rc;
}

static long setxattr_common(struct task *t, const uint64_t *a, bool follow)
{
	__attribute__((cleanup(xattr_set_release))) struct xattr_set x;
	int rc = xattr_set_read(t, a, &x);
	if (rc != 0)
		return rc;
	cleanup_at_target struct at_target tg;
	char magic[PATH_MAX];
	if ((rc = xattr_write_target(t, a[0], follow, &tg, magic)) != 0)
		return rc;
	/* Without following, the host name is the entry in its directory,
	 * which lsetxattr takes as it is (a symlink itself). */
	return ret_errno(follow ? setxattr(magic, x.name, x.value, x.size, x.flags)
				: lsetxattr(magic, x.name, x.value, x.size, x.flags));
}

SYSCALL_HANDLER(setxattr)
{
	return setxattr_common(t, a, true);
}

SYSCALL_HANDLER(lsetxattr)
{
	return setxattr_common(t, a, false);
}

SYSCALL_HANDLER(fsetxattr)
{
	__attribute__((cleanup(xattr_set_release))) struct xattr_set x;
	int rc = xattr_set_read(t, a, &x);
	int host = rc != 0 ? rc : fd_host(t, (int)a[0]);
	rc = host < 0 ? host : fd_writable(t, host);
	if (rc != 0)
		return rc;
	return ret_errno(fsetxattr(host, x.name, x.value, x.size, x.flags));
}

static long removexattr_common(struct task *t, const uint64_t *a, bool follow)
{
	char name[XATTR_NAME_MAX + 1];
	int rc = xattr_name(t, a[1], name);
	if (rc != 0)
		return rc;
	cleanup_at_target struct at_target tg;
	char magic[PATH_MAX];
	if ((rc = xattr_write_target(t, a[0], follow, &tg, magic)) != 0 ||
	    (rc = xattr_may_write(t, name)) != 0)
		return rc;
	return ret_errno(follow ? removexattr(magic, name) : lremovexattr(magic, name));
}

SYSCALL_HANDLER(removexattr)
{
	return removexattr_common(t, a, true);
}

SYSCALL_HANDLER(lremovexattr)
{
	return removexattr_common(t, a, false);
}

SYSCALL_HANDLER(fremovexattr)
{
	char name[XATTR_NAME_MAX + 1];
	int rc = xattr_name(t, a[1], name);
	int host = rc != 0 ? rc : fd_host(t, (int)a[0]);
	rc = host < 0 ? host : fd_writable(t, host);
	if (rc == 0)
		rc = xattr_may_write(t, name);
	return rc != 0 ? rc : ret_errno(fremovexattr(host, name));
}
