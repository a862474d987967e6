/* File syscalls: descriptors, I/O and metadata, served through host fds
 * that the sentry owns, with every path confined by path.c. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <linux/close_range.h>
#include <linux/stat.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <termios.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

static long ret_errno(long r)
{
	return r < 0 ? -errno : r;
}

/* ---- descriptors ---- */

SYSCALL_HANDLER(openat)
{
	char path[PATH_MAX];
	int rc = task_read_path(t, a[1], path);
	if (rc != 0)
		return rc;
	struct file *f;
	rc = path_open_file(t, (int)a[0], path, (int)a[2], (mode_t)a[3], &f);
	if (rc != 0)
		return rc;
	return fd_install(t, f, (a[2] & O_CLOEXEC) != 0, 0);
}

SYSCALL_HANDLER(open)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], a[1], a[2]};
	return sys_openat(t, b);
}

SYSCALL_HANDLER(creat)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], O_CREAT | O_WRONLY | O_TRUNC, a[1]};
	return sys_openat(t, b);
}

SYSCALL_HANDLER(close)
{
	return fd_close(t, (int)a[0]);
}

SYSCALL_HANDLER(dup)
{
	struct file *f = fd_lookup(t, (int)a[0]);
	if (!f)
		return -EBADF;
	return fd_install(t, file_get(f), false, 0);
}

static long dup_to(struct task *t, int oldfd, int newfd, bool cloexec)
{
	struct file *f = fd_lookup(t, oldfd);
	if (!f)
		return -EBADF;
	return fd_install_at(t, newfd, file_get(f), cloexec);
}

SYSCALL_HANDLER(dup2)
{
	if (a[0] == a[1])
		return fd_lookup(t, (int)a[0]) ? (long)a[0] : -EBADF;
	return dup_to(t, (int)a[0], (int)a[1], false);
}

SYSCALL_HANDLER(dup3)
{
	if (a[0] == a[1] || (a[2] & ~(uint64_t)O_CLOEXEC))
		return -EINVAL;
	return dup_to(t, (int)a[0], (int)a[1], (a[2] & O_CLOEXEC) != 0);
}

static long pipe_common(struct task *t, uint64_t fds_addr, int flags)
{
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	int host[2];
	if (pipe2(host, O_CLOEXEC | O_NONBLOCK | (flags & O_DIRECT)) != 0)
		return -errno;
	bool cloexec = (flags & O_CLOEXEC) != 0, nonblock = (flags & O_NONBLOCK) != 0;
	int fds[2];
	fds[0] = fd_install(t, file_new_nonblocking(host[0], nonblock), cloexec, 0);
	if (fds[0] < 0) {
		close(host[1]);
		return fds[0];
	}
	fds[1] = fd_install(t, file_new_nonblocking(host[1], nonblock), cloexec, 0);
	if (fds[1] < 0) {
		fd_close(t, fds[0]);
		return fds[1];
	}
	if (task_write(t, fds_addr, fds, sizeof(fds)) != 0) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	return 0;
}

SYSCALL_HANDLER(pipe)
{
	return pipe_common(t, a[0], 0);
}

SYSCALL_HANDLER(pipe2)
{
	return pipe_common(t, a[0], (int)a[1]);
}

static long fcntl_lock(struct task *t, int host, int cmd, uint64_t addr)
{
	struct flock fl;
	if (task_read(t, addr, &fl, sizeof(fl)) != 0)
		return -EFAULT;
	if (fcntl(host, cmd, &fl) != 0)
		return -errno;
	if ((cmd == F_GETLK || cmd == F_OFD_GETLK) && task_write(t, addr, &fl, sizeof(fl)) != 0)
		return -EFAULT;
	return 0;
}

/* O_NONBLOCK of the sentry's own nonblocking fds is the program's view. */
static long fcntl_getfl(struct file *f)
{
	int fl = fcntl(f->host_fd, F_GETFL);
	if (fl < 0)
		return -errno;
	if (f->host_nonblock)
		fl = (fl & ~O_NONBLOCK) | (f->nonblock ? O_NONBLOCK : 0);
	return fl;
}

static long fcntl_setfl(struct file *f, int fl)
{
	if (f->host_nonblock) {
		f->nonblock = (fl & O_NONBLOCK) != 0;
		fl |= O_NONBLOCK;
	}
	return fcntl(f->host_fd, F_SETFL, fl) < 0 ? -errno : 0;
}

SYSCALL_HANDLER(fcntl)
{
	int fd = (int)a[0], cmd = (int)a[1];
	struct file *f = fd_lookup(t, fd);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
		if ((int)a[2] < 0)
			return -EINVAL;
		return fd_install(t, file_get(f), cmd == F_DUPFD_CLOEXEC, (int)a[2]);
	case F_GETFD:
		return t->files->slots[fd].cloexec ? FD_CLOEXEC : 0;
	case F_SETFD:
		t->files->slots[fd].cloexec = (a[2] & FD_CLOEXEC) != 0;
		return 0;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		return fcntl_lock(t, f->host_fd, cmd, a[2]);
	case F_GETFL:
		return fcntl_getfl(f);
	case F_SETFL:
		return fcntl_setfl(f, (int)a[2]);
	case F_GETPIPE_SZ:
	case F_SETPIPE_SZ:
	case F_ADD_SEALS:
	case F_GET_SEALS:
	case F_SETLEASE:
	case F_GETLEASE:
	case F_NOTIFY:
		return ret_errno(fcntl(f->host_fd, cmd, (long)a[2]));
	case F_GETOWN:
	case F_SETOWN:
		return 0; /* no SIGIO delivery: see the table note */
	default:
		return -EINVAL;
	}
}

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

/* A host EAGAIN on the sentry's own nonblocking fds: wait unless the
 * program itself is nonblocking. */
static long io_again(struct task *t, struct file *f, long r, short events)
{
	if (r != -EAGAIN || !f->host_nonblock || f->nonblock)
		return r;
	return task_block_fd(t, f->host_fd, events);
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
	long r = io_ready(t, f, events);
	if (r != 0)
		return r;
	r = io_again(t, f, fn(t, f->host_fd, addr, len, NULL), events);
	if (r == -EPIPE)
		signal_raise_sigpipe(t);
	return r;
}

/* The file behind `fd` for a transfer, or the errno: signalfds and
 * synthetic directories only support read() (elsewhere). */
static struct file *transfer_file(struct task *t, uint64_t fd, long *err)
{
	struct file *f = fd_lookup(t, (int)fd);
	*err = !f || f->host_fd < 0 ? -EBADF : f->kind == FILE_SIGNALFD ? -EINVAL
					   : f->kind == FILE_DIR_LIST ? -EISDIR : 0;
	return *err ? NULL : f;
}

SYSCALL_HANDLER(read)
{
	struct file *f = fd_lookup(t, (int)a[0]);
	if (f && f->kind == FILE_SIGNALFD)
		return signalfd_read(t, f, a[1], a[2]);
	long err;
	f = transfer_file(t, a[0], &err);
	return f ? stream_io(t, f, POLLIN, transfer_read, a[1], a[2]) : err;
}

/* A blocking write() to one of the sentry's own pipes or sockets goes on
 * until every byte is written, as Linux's does (t->io_done counts across
 * attempts); a signal ends it early with the bytes written so far. */
static long write_whole(struct task *t, struct file *f, uint64_t addr, uint64_t len)
{
	if (!t->retry)
		t->io_done = 0;
	for (;;) {
		long n = io_write(t, f->host_fd, addr + t->io_done, len - t->io_done, NULL);
		if (n > 0) {
			t->io_done += (size_t)n;
			if (t->io_done < len)
				continue;
		}
		if (n >= 0 || n != -EAGAIN) {
			if (n == -EPIPE && !t->io_done)
				signal_raise_sigpipe(t);
			return t->io_done ? (long)t->io_done : n;
		}
		long r = task_block_fd(t, f->host_fd, POLLOUT);
		return r == SYSRET_RESTARTSYS && t->io_done ? (long)t->io_done : r;
	}
}

SYSCALL_HANDLER(write)
{
	long err;
	struct file *f = transfer_file(t, a[0], &err);
	if (f && f->host_nonblock && !f->nonblock)
		return write_whole(t, f, a[1], a[2]);
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

static long dirents_from_list(struct task *t, struct file *f, uint64_t buf, size_t count)
{
	size_t used = 0;
	char *out = t->s->scratch;
	if (count > t->s->scratch_size)
		count = t->s->scratch_size;
	while (f->pos < f->nentries) {
		const struct dir_entry *e = &f->entries[f->pos];
		size_t namelen = strlen(e->name);
		size_t reclen = (offsetof(struct dirent64, d_name) + namelen + 1 + 7) & ~7UL;
		if (used + reclen > count)
			break;
		struct dirent64 *d = (struct dirent64 *)(out + used);
		memset(d, 0, reclen);
		d->d_ino = e->ino;
		d->d_off = (off_t)f->pos + 1;
		d->d_reclen = (unsigned short)reclen;
		d->d_type = e->type;
		memcpy(d->d_name, e->name, namelen);
		used += reclen;
		f->pos++;
	}
	if (used == 0 && f->pos < f->nentries)
		return -EINVAL;
	return task_write(t, buf, out, used) == 0 ? (long)used : -EFAULT;
}

SYSCALL_HANDLER(getdents64)
{
	struct file *f = fd_lookup(t, (int)a[0]);
	if (!f)
		return -EBADF;
	if (f->kind == FILE_DIR_LIST)
		return dirents_from_list(t, f, a[1], a[2]);
	size_t count = a[2] < t->s->scratch_size ? a[2] : t->s->scratch_size;
	long n = syscall(SYS_getdents64, f->host_fd, t->s->scratch, count);
	if (n < 0)
		return -errno;
	return task_write(t, a[1], t->s->scratch, (size_t)n) == 0 ? n : -EFAULT;
}

/* ---- metadata through (dirfd, path, AT_* flags) ---- */

/* Where a *at operation acts: (dirfd, name) for the host call, with
 * AT_EMPTY_PATH added when the target was opened whole. */
struct at_target {
	int dirfd;
	int owned; /* fd to close afterwards, or -1 */
	int flags; /* AT_* flags for the host call */
	char name[NAME_MAX + 1];
};

static void at_target_release(struct at_target *tg)
{
	if (tg->owned >= 0)
		close(tg->owned);
}
#define cleanup_at_target __attribute__((cleanup(at_target_release)))

static int at_target_resolve(struct task *t, int dirfd, uint64_t path_addr, int at_flags,
			     struct at_target *tg)
{
	*tg = (struct at_target){.dirfd = -1, .owned = -1};
	char path[PATH_MAX];
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
static void at_target_magic(const struct at_target *tg, char *buf, size_t len)
{
	if (tg->name[0])
		snprintf(buf, len, "/proc/self/fd/%d/%s", tg->dirfd, tg->name);
	else
		snprintf(buf, len, "/proc/self/fd/%d", tg->dirfd);
}

static long stat_common(struct task *t, int dirfd, uint64_t path, uint64_t buf, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	cleanup_at_target struct at_target tg;
	int rc = at_target_resolve(t, dirfd, path, flags, &tg);
	if (rc != 0)
		return rc;
	struct stat st;
	if (fstatat(tg.dirfd, tg.name, &st, tg.flags) != 0)
		return -errno;
	return task_write(t, buf, &st, sizeof(st)) == 0 ? 0 : -EFAULT;
}

SYSCALL_HANDLER(newfstatat)
{
	return stat_common(t, (int)a[0], a[1], a[2], (int)a[3]);
}

SYSCALL_HANDLER(stat)
{
	return stat_common(t, AT_FDCWD, a[0], a[1], 0);
}

SYSCALL_HANDLER(lstat)
{
	return stat_common(t, AT_FDCWD, a[0], a[1], AT_SYMLINK_NOFOLLOW);
}

SYSCALL_HANDLER(fstat)
{
	int host = fd_host(t, (int)a[0]);
	if (host < 0)
		return host;
	struct stat st;
	if (fstat(host, &st) != 0)
		return -errno;
	return task_write(t, a[1], &st, sizeof(st)) == 0 ? 0 : -EFAULT;
}

SYSCALL_HANDLER(statx)
{
	int flags = (int)a[2];
	cleanup_at_target struct at_target tg;
	int rc = at_target_resolve(t, (int)a[0], a[1], flags, &tg);
	if (rc != 0)
		return rc;
	struct statx stx;
	int host_flags = tg.flags | (flags & (AT_STATX_SYNC_TYPE | AT_NO_AUTOMOUNT));
	if (syscall(SYS_statx, tg.dirfd, tg.name, host_flags, (unsigned)a[3], &stx) != 0)
		return -errno;
	return task_write(t, a[4], &stx, sizeof(stx)) == 0 ? 0 : -EFAULT;
}

static long access_common(struct task *t, int dirfd, uint64_t path, int mode, int flags)
{
	if (mode & ~(R_OK | W_OK | X_OK))
		return -EINVAL;
	cleanup_at_target struct at_target tg;
	int rc = at_target_resolve(t, dirfd, path, flags, &tg);
	if (rc != 0)
		return rc;
	return ret_errno(syscall(SYS_faccessat2, tg.dirfd, tg.name, mode,
				 tg.flags | (flags & AT_EACCESS)));
}

SYSCALL_HANDLER(access)
{
	return access_common(t, AT_FDCWD, a[0], (int)a[1], 0);
}

SYSCALL_HANDLER(faccessat)
{
	return access_common(t, (int)a[0], a[1], (int)a[2], 0);
}

SYSCALL_HANDLER(faccessat2)
{
	return access_common(t, (int)a[0], a[1], (int)a[2], (int)a[3]);
}

static long readlink_common(struct task *t, int dirfd, uint64_t path_addr, uint64_t buf,
			    int64_t size)
{
	if (size <= 0)
		return -EINVAL;
	char path[PATH_MAX], target[PATH_MAX];
	int rc = task_read_path(t, path_addr, path);
	if (rc != 0)
		return rc;
	cleanup_free char *abs = NULL;
	rc = path_absolute(t, dirfd, path, &abs);
	if (rc != 0)
		return rc;
	long n;
	if (!procfs_readlink(t, abs, target, sizeof(target), &n)) {
		int parent;
		char last[NAME_MAX + 1];
		rc = path_parent(t, AT_FDCWD, abs, &parent, last);
		if (rc != 0)
			return rc;
		n = readlinkat(parent, last, target, sizeof(target));
		n = n < 0 ? -errno : n;
		close(parent);
	}
	if (n < 0)
		return n;
	if (n > size)
		n = size;
	return task_write(t, buf, target, (size_t)n) == 0 ? n : -EFAULT;
}

SYSCALL_HANDLER(readlink)
{
	return readlink_common(t, AT_FDCWD, a[0], a[1], (int64_t)a[2]);
}

SYSCALL_HANDLER(readlinkat)
{
	return readlink_common(t, (int)a[0], a[1], a[2], (int64_t)a[3]);
}

/* ---- directory entries: create, remove, rename, link ---- */

/* Resolve (dirfd, path) to a parent fd and last name, or fail. */
static int parent_of(struct task *t, int dirfd, uint64_t path_addr, int *parent, char *last)
{
	char path[PATH_MAX];
	int rc = task_read_path(t, path_addr, path);
	if (rc != 0)
		return rc;
	return path_parent(t, dirfd, path, parent, last);
}

SYSCALL_HANDLER(mkdirat)
{
	cleanup_close int parent = -1;
	char last[NAME_MAX + 1];
	int rc = parent_of(t, (int)a[0], a[1], &parent, last);
	if (rc != 0)
		return rc;
	return ret_errno(mkdirat(parent, last, (mode_t)a[2] & 07777 & ~t->fs->umask));
}

SYSCALL_HANDLER(mkdir)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], a[1]};
	return sys_mkdirat(t, b);
}

SYSCALL_HANDLER(mknodat)
{
	mode_t type = (mode_t)a[2] & S_IFMT;
	/* Devices stay the host's business: only FIFOs, sockets and files. */
	if (type != S_IFIFO && type != S_IFREG && type != 0 && type != S_IFSOCK)
		return -EPERM;
	cleanup_close int parent = -1;
	char last[NAME_MAX + 1];
	int rc = parent_of(t, (int)a[0], a[1], &parent, last);
	if (rc != 0)
		return rc;
	mode_t mode = ((mode_t)a[2] & ~(mode_t)07777) | ((mode_t)a[2] & 07777 & ~t->fs->umask);
	return ret_errno(mknodat(parent, last, mode, 0));
}

SYSCALL_HANDLER(mknod)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], a[1], a[2]};
	return sys_mknodat(t, b);
}

SYSCALL_HANDLER(unlinkat)
{
	if (a[2] & ~(uint64_t)AT_REMOVEDIR)
		return -EINVAL;
	cleanup_close int parent = -1;
	char last[NAME_MAX + 1];
	int rc = parent_of(t, (int)a[0], a[1], &parent, last);
	if (rc != 0)
		return rc;
	if (strcmp(last, ".") == 0)
		return (a[2] & AT_REMOVEDIR) ? -EINVAL : -EISDIR;
	return ret_errno(unlinkat(parent, last, (int)a[2]));
}

SYSCALL_HANDLER(unlink)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], 0};
	return sys_unlinkat(t, b);
}

SYSCALL_HANDLER(rmdir)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], AT_REMOVEDIR};
	return sys_unlinkat(t, b);
}

SYSCALL_HANDLER(renameat2)
{
	cleanup_close int from = -1, to = -1;
	char from_last[NAME_MAX + 1], to_last[NAME_MAX + 1];
	int rc = parent_of(t, (int)a[0], a[1], &from, from_last);
	if (rc == 0)
		rc = parent_of(t, (int)a[2], a[3], &to, to_last);
	if (rc != 0)
		return rc;
	if (strcmp(from_last, ".") == 0 || strcmp(to_last, ".") == 0)
		return -EBUSY;
	return ret_errno(renameat2(from, from_last, to, to_last, (unsigned)a[4]));
}

SYSCALL_HANDLER(renameat)
{
	const uint64_t b[6] = {a[0], a[1], a[2], a[3], 0};
	return sys_renameat2(t, b);
}

SYSCALL_HANDLER(rename)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], (uint64_t)AT_FDCWD, a[1], 0};
	return sys_renameat2(t, b);
}

SYSCALL_HANDLER(symlinkat)
{
	char target[PATH_MAX];
	int rc = task_read_path(t, a[0], target);
	if (rc != 0)
		return rc;
	cleanup_close int parent = -1;
	char last[NAME_MAX + 1];
	rc = parent_of(t, (int)a[1], a[2], &parent, last);
	if (rc != 0)
		return rc;
	return ret_errno(symlinkat(target, parent, last));
}

SYSCALL_HANDLER(symlink)
{
	const uint64_t b[6] = {a[0], (uint64_t)AT_FDCWD, a[1]};
	return sys_symlinkat(t, b);
}

SYSCALL_HANDLER(linkat)
{
	if (a[4] & ~(uint64_t)AT_SYMLINK_FOLLOW)
		return -EINVAL;
	cleanup_close int from = -1, to = -1;
	char from_last[NAME_MAX + 1], to_last[NAME_MAX + 1];
	int rc = parent_of(t, (int)a[0], a[1], &from, from_last);
	if (rc == 0)
		rc = parent_of(t, (int)a[2], a[3], &to, to_last);
	if (rc != 0)
		return rc;
	return ret_errno(linkat(from, from_last, to, to_last, (int)a[4]));
}

SYSCALL_HANDLER(link)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], (uint64_t)AT_FDCWD, a[1], 0};
	return sys_linkat(t, b);
}

/* ---- attributes ---- */

SYSCALL_HANDLER(fchmodat)
{
	cleanup_at_target struct at_target tg;
	int rc = at_target_resolve(t, (int)a[0], a[1], 0, &tg);
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
	return host < 0 ? host : ret_errno(fchmod(host, (mode_t)a[1] & 07777));
}

static long chown_common(struct task *t, int dirfd, uint64_t path, uid_t uid, gid_t gid,
			 int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	cleanup_at_target struct at_target tg;
	int rc = at_target_resolve(t, dirfd, path, flags, &tg);
	if (rc != 0)
		return rc;
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
	return host < 0 ? host : ret_errno(fchown(host, (uid_t)a[1], (gid_t)a[2]));
}

SYSCALL_HANDLER(utimensat)
{
	struct timespec ts[2], *tsp = NULL;
	if (a[2]) {
		if (task_read(t, a[2], ts, sizeof(ts)) != 0)
			return -EFAULT;
		tsp = ts;
	}
	if (a[1] == 0) {
		int host = fd_host(t, (int)a[0]);
		return host < 0 ? host : ret_errno(futimens(host, tsp));
	}
	cleanup_at_target struct at_target tg;
	int rc = at_target_resolve(t, (int)a[0], a[1], (int)a[3], &tg);
	if (rc != 0)
		return rc;
	if (tg.flags & AT_SYMLINK_NOFOLLOW)
		return ret_errno(utimensat(tg.dirfd, tg.name, tsp, AT_SYMLINK_NOFOLLOW));
	char magic[PATH_MAX];
	at_target_magic(&tg, magic, sizeof(magic));
	return ret_errno(utimensat(AT_FDCWD, magic, tsp, 0));
}

SYSCALL_HANDLER(ftruncate)
{
	int host = fd_host(t, (int)a[0]);
	return host < 0 ? host : ret_errno(ftruncate(host, (off_t)a[1]));
}

SYSCALL_HANDLER(truncate)
{
	char path[PATH_MAX];
	int rc = task_read_path(t, a[0], path);
	if (rc != 0)
		return rc;
	cleanup_close int fd = path_open(t, AT_FDCWD, path, O_WRONLY, 0);
	if (fd < 0)
		return fd;
	return ret_errno(ftruncate(fd, (off_t)a[1]));
}

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

SYSCALL_HANDLER(fallocate)
{
	int host = fd_host(t, (int)a[0]);
	return host < 0 ? host : ret_errno(fallocate(host, (int)a[1], (off_t)a[2], (off_t)a[3]));
}

SYSCALL_HANDLER(flock)
{
	int host = fd_host(t, (int)a[0]);
	return host < 0 ? host : ret_errno(flock(host, (int)a[1]));
}

SYSCALL_HANDLER(fstatfs)
{
	int host = fd_host(t, (int)a[0]);
	if (host < 0)
		return host;
	struct statfs sf;
	if (fstatfs(host, &sf) != 0)
		return -errno;
	return task_write(t, a[1], &sf, sizeof(sf)) == 0 ? 0 : -EFAULT;
}

SYSCALL_HANDLER(statfs)
{
	char path[PATH_MAX];
	int rc = task_read_path(t, a[0], path);
	if (rc != 0)
		return rc;
	cleanup_close int fd = path_open(t, AT_FDCWD, path, O_PATH, 0);
	if (fd < 0)
		return fd;
	struct statfs sf;
	if (fstatfs(fd, &sf) != 0)
		return -errno;
	return task_write(t, a[1], &sf, sizeof(sf)) == 0 ? 0 : -EFAULT;
}

/* Extended attributes: the target is opened (following or not) and named
 * through the sentry's /proc/self/fd; a symlink's own attributes are not
 * reachable that way, and Linux allows only trusted.* ones on symlinks. */
static long xattr_common(struct task *t, const uint64_t *a, bool follow, bool list)
{
	char path[PATH_MAX], name[XATTR_NAME_MAX + 1];
	int rc = task_read_path(t, a[0], path);
	if (rc != 0)
		return rc;
	if (!list && task_read_string(t, a[1], name, sizeof(name)) < 0)
		return -EFAULT;
	cleanup_close int fd = path_open(t, AT_FDCWD, path, O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
	if (fd < 0)
		return fd;
	struct stat st;
	if (fstat(fd, &st) == 0 && S_ISLNK(st.st_mode))
		return list ? 0 : -ENODATA;
	char magic[64];
	snprintf(magic, sizeof(magic), "/proc/self/fd/%d", fd);
	uint64_t buf = list ? a[1] : a[2];
	size_t size = list ? a[2] : a[3];
	if (size > t->s->scratch_size)
		size = t->s->scratch_size;
	ssize_t n = list ? listxattr(magic, t->s->scratch, size)
			 : getxattr(magic, name, t->s->scratch, size);
	if (n < 0)
		return -errno;
	if (size && task_write(t, buf, t->s->scratch, (size_t)n) != 0)
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

/* ---- working directory and umask ---- */

static long chdir_to(struct task *t, struct file *dir_file, int host_fd)
{
	struct stat st;
	if (fstat(host_fd, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	if (syscall(SYS_faccessat2, host_fd, "", X_OK, AT_EMPTY_PATH) != 0)
		return -errno;
	char *path = dir_file && dir_file->kind == FILE_DIR_LIST ? xstrdup(dir_file->path)
								 : path_of_host_fd(t->s, host_fd);
	if (!path)
		return -ENOENT;
	free(t->fs->cwd);
	t->fs->cwd = path;
	return 0;
}

SYSCALL_HANDLER(chdir)
{
	char path[PATH_MAX];
	int rc = task_read_path(t, a[0], path);
	if (rc != 0)
		return rc;
	struct file *f;
	rc = path_open_file(t, AT_FDCWD, path, O_PATH | O_DIRECTORY, 0, &f);
	if (rc != 0)
		return rc;
	long r = chdir_to(t, f, f->host_fd);
	file_put(f);
	return r;
}

SYSCALL_HANDLER(fchdir)
{
	struct file *f = fd_lookup(t, (int)a[0]);
	if (!f)
		return -EBADF;
	return chdir_to(t, f, f->host_fd);
}

SYSCALL_HANDLER(getcwd)
{
	size_t len = strlen(t->fs->cwd) + 1;
	if (a[1] < len)
		return -ERANGE;
	return task_write(t, a[0], t->fs->cwd, len) == 0 ? (long)len : -EFAULT;
}

SYSCALL_HANDLER(umask)
{
	mode_t old = t->fs->umask;
	t->fs->umask = (mode_t)a[0] & 0777;
	return old;
}

/* ---- ioctl: terminals and a few generic requests ---- */

/* The kernel's struct termios (asm/termbits.h) is 36 bytes; glibc's is
 * larger. Copying glibc's size would overrun the program's buffer. */
#define KERNEL_TERMIOS_SIZE 36

/* Requests whose argument is a struct copied in or out, with its size. */
static int ioctl_arg_size(unsigned long req, bool *out)
{
	*out = false;
	switch (req) {
	case TCGETS: *out = true; return KERNEL_TERMIOS_SIZE;
	case TCSETS: case TCSETSW: case TCSETSF: return KERNEL_TERMIOS_SIZE;
	case TIOCGWINSZ: *out = true; return sizeof(struct winsize);
	case TIOCSWINSZ: return sizeof(struct winsize);
	case FIONREAD: case TIOCOUTQ: case TIOCGPTN: *out = true; return sizeof(int);
	case FIONBIO: case FIOASYNC: case TIOCSPTLCK: case TIOCPKT: return sizeof(int);
	default: return -1;
	}
}

static long ioctl_struct(struct task *t, int host, unsigned long req, uint64_t arg, int size,
			 bool out)
{
	char buf[128];
	if (!out && task_read(t, arg, buf, (size_t)size) != 0)
		return -EFAULT;
	if (ioctl(host, req, buf) != 0)
		return -errno;
	if (out && task_write(t, arg, buf, (size_t)size) != 0)
		return -EFAULT;
	return 0;
}

SYSCALL_HANDLER(ioctl)
{
	int fd = (int)a[0];
	unsigned long req = (unsigned long)a[1];
	struct file *f = fd_lookup(t, fd);
	if (!f)
		return -EBADF;
	switch (req) {
	case FIOCLEX:
	case FIONCLEX:
		t->files->slots[fd].cloexec = req == FIOCLEX;
		return 0;
	case FIONBIO: {
		int on;
		if (task_read(t, a[2], &on, sizeof(on)) != 0)
			return -EFAULT;
		int fl = fcntl(f->host_fd, F_GETFL);
		return fcntl_setfl(f, on ? (fl | O_NONBLOCK) : (fl & ~O_NONBLOCK));
	}
	case TIOCGPGRP: {
		/* The terminal's foreground group is the sandbox's. */
		pid_t host_pgrp;
		if (ioctl(f->host_fd, TIOCGPGRP, &host_pgrp) != 0)
			return -errno;
		pid_t pgrp = t->proc->pgid;
		return task_write(t, a[2], &pgrp, sizeof(pgrp)) == 0 ? 0 : -EFAULT;
	}
	case TIOCSPGRP:
		return isatty(f->host_fd) ? 0 : -ENOTTY;
	case TCFLSH:
	case TCXONC:
	case TCSBRK:
	case TCSBRKP:
		return ret_errno(ioctl(f->host_fd, req, (unsigned long)a[2]));
	default:
		break;
	}
	bool out;
	int size = ioctl_arg_size(req, &out);
	if (size < 0)
		return -ENOTTY;
	return ioctl_struct(t, f->host_fd, req, a[2], size, out);
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

SYSCALL_HANDLER(close_range)
{
	unsigned first = (unsigned)a[0], last = (unsigned)a[1];
	uint64_t flags = a[2];
	if (flags & ~(uint64_t)(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) || first > last)
		return -EINVAL;
	if ((flags & CLOSE_RANGE_UNSHARE) && t->files->refs > 1) {
		struct fd_table *copy = fd_table_copy(t->files);
		fd_table_put(t->files);
		t->files = copy;
	}
	for (unsigned fd = first; fd <= last && (int)fd < t->files->size; fd++) {
		if (!t->files->slots[fd].file)
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			t->files->slots[fd].cloexec = true;
		else
			fd_close(t, (int)fd);
	}
	return 0;
}
