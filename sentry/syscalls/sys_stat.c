/* File metadata syscalls: stat in its forms, statx, statfs, access and
 * readlink; ustat and sysfs(2), what old programs ask of file systems. The target of a *at call is
 * found by at-target.c. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/stat.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/syscalls-internal.h"

/* ---- stat, access, readlink through (dirfd, path, AT_* flags) ---- */

/* The access mode bits Linux gives a /proc/PID/fd/N link: r-x for a
 * file open for reading, -wx for writing, rwx for both. */
static mode_t fd_link_mode(struct task *t, const char *norm)
{
	const char *slash = strrchr(norm, '/');
	if (!slash || slash - norm < 3 || strncmp(slash - 3, "/fd", 3) != 0)
		return 0777;
	struct file *f = fd_lookup(t, atoi(slash + 1));
	int fl = f && f->host_fd >= 0 ? fcntl(f->host_fd, F_GETFL) : O_RDONLY;
	int acc = fl < 0 ? O_RDONLY : fl & O_ACCMODE;
	return (acc != O_WRONLY ? 0500 : 0) | (acc != O_RDONLY ? 0300 : 0);
}

/* lstat of a link the sandbox's procfs serves (/proc/PID/{exe,cwd,root,
 * fd/N}, /proc/self): no host entry stands for it (the host's would be
 * the sentry's own, which is never handed out), so its stat is made as
 * Linux's procfs makes it: a symlink of the process's owner, now. */
static bool procfs_link_lstat(struct task *t, int dirfd, uint64_t path_addr, struct stat *st,
			      long *rc)
{
	char path[PATH_MAX];
	cleanup_free char *abs = NULL;
	if (task_read_string(t, path_addr, path, PATH_MAX) <= 0 ||
	    path_absolute(t, dirfd, path, &abs) != 0)
		return false;
	cleanup_free char *norm = mount_normalize(abs);
	char target[PATH_MAX];
	long n;
	if (!procfs_readlink(t, norm, target, sizeof(target), &n) || n == -EINVAL)
		return false;
	*rc = n < 0 ? n : 0;
	if (n < 0)
		return true;
	struct stat proc;
	memset(st, 0, sizeof(*st));
	if (stat("/proc", &proc) == 0)
		st->st_dev = proc.st_dev;
	st->st_ino = 0x10000 + (ino_t)strlen(norm) * 131 + (ino_t)n;
	st->st_mode = S_IFLNK | fd_link_mode(t, norm);
	st->st_nlink = 1;
	st->st_uid = t->proc->euid;
	st->st_gid = t->proc->egid;
	st->st_size = strstr(norm, "/fd/") ? 64 : 0;
	st->st_blksize = 1024;
	clock_gettime(CLOCK_REALTIME, &st->st_mtim);
	st->st_atim = st->st_ctim = st->st_mtim;
	return true;
}

static long stat_common(struct task *t, int dirfd, uint64_t path, uint64_t buf, int flags)
{
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT))
		return -EINVAL;
	struct stat link;
	long link_rc;
	if ((flags & AT_SYMLINK_NOFOLLOW) && procfs_link_lstat(t, dirfd, path, &link, &link_rc)) {
		if (link_rc != 0)
			return link_rc;
		return task_write(t, buf, &link, sizeof(link)) == 0 ? 0 : -EFAULT;
	}
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
	if (flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE) ||
	    (flags & AT_STATX_SYNC_TYPE) == AT_STATX_SYNC_TYPE)
		return -EINVAL;
	struct stat link;
	long link_rc;
	if ((flags & AT_SYMLINK_NOFOLLOW) &&
	    procfs_link_lstat(t, (int)a[0], a[1], &link, &link_rc)) {
		if (link_rc != 0)
			return link_rc;
		struct statx lx = {.stx_mask = STATX_BASIC_STATS,
				   .stx_blksize = (uint32_t)link.st_blksize,
				   .stx_nlink = (uint32_t)link.st_nlink,
				   .stx_uid = link.st_uid,
				   .stx_gid = link.st_gid,
				   .stx_mode = (uint16_t)link.st_mode,
				   .stx_ino = link.st_ino,
				   .stx_size = (uint64_t)link.st_size,
				   .stx_dev_major = major(link.st_dev),
				   .stx_dev_minor = minor(link.st_dev)};
		lx.stx_atime = lx.stx_ctime = lx.stx_mtime = (struct statx_timestamp){
		    .tv_sec = link.st_mtim.tv_sec, .tv_nsec = (uint32_t)link.st_mtim.tv_nsec};
		return task_write(t, a[4], &lx, sizeof(lx)) == 0 ? 0 : -EFAULT;
	}
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
	if (mode & ~(R_OK | W_OK | X_OK) ||
	    flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	cleanup_at_target struct at_target tg;
	int rc = at_target_resolve(t, dirfd, path, flags, &tg);
	if (rc != 0)
		return rc;
	/* Write access to a file, directory or link of a read-only mount of
	 * the sandbox's: EROFS, as Linux's access() says. */
	if ((mode & W_OK) && t->s->mounts && t->s->mounts->any_readonly) {
		cleanup_close int fd =
		    tg.name[0] ? openat(tg.dirfd, tg.name, O_PATH | O_NOFOLLOW | O_CLOEXEC)
			       : fcntl(tg.dirfd, F_DUPFD_CLOEXEC, 3);
		struct stat st;
		if (fd >= 0 && fstat(fd, &st) == 0 &&
		    (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode)) &&
		    mount_fd_readonly(t->s, fd))
			return -EROFS;
	}
	/* The host's faccessat2 would check msentry's real ids: the thread
	 * takes the program's real ids (or keeps its effective ones for
	 * AT_EACCESS) and asks with AT_EACCESS. */
	if (!(flags & AT_EACCESS))
		creds_enter_real(t);
	rc = ret_errno(syscall(SYS_faccessat2, tg.dirfd, tg.name, mode, tg.flags | AT_EACCESS));
	creds_enter(t);
	return rc;
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
	long n = task_read_string(t, path_addr, path, PATH_MAX);
	if (n < 0)
		return (int)n;
	if (n == 0) {
		/* An empty path reads the symlink behind dirfd (O_PATH|O_NOFOLLOW). */
		int host = dirfd == AT_FDCWD ? -ENOENT : fd_host(t, dirfd);
		if (host < 0)
			return host;
		n = readlinkat(host, "", target, sizeof(target));
		if (n < 0)
			return -errno;
		if (n > size)
			n = size;
		return task_write(t, buf, target, (size_t)n) == 0 ? n : -EFAULT;
	}
	cleanup_free char *abs = NULL;
	int rc = path_absolute(t, dirfd, path, &abs);
	if (rc != 0)
		return rc;
	/* Folded first: "//proc/self/exe" is procfs's too (the host's own
	 * /proc, which that spelling would reach, is never handed out). */
	cleanup_free char *norm = mount_normalize(abs);
	if (procfs_readlink(t, norm, target, sizeof(target), &n)) {
		/* procfs names sandbox paths; the reader sees them from its
		 * own root (chroot), as Linux's d_path. */
		if (t->fs->root && n > 0 && n < (long)sizeof(target) && target[0] == '/') {
			target[n] = '\0';
			cleanup_free char *seen = path_visible(t, target);
			n = (long)strlen(seen);
			memcpy(target, seen, (size_t)n);
		}
	} else {
		int parent;
		char last[NAME_MAX + 1];
		rc = path_parent(t, PATH_AT_SANDBOX, abs, &parent, last);
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

/* ---- file systems ---- */

/* The host's statfs, seen through the mount table: a read-only mount
 * says so (ST_RDONLY), a tmpfs with size= has that size. */
static int statfs_fill(struct task *t, int host, struct statfs *sf)
{
	if (fstatfs(host, sf) != 0)
		return -errno;
	if (mount_fd_readonly(t->s, host))
		sf->f_flags |= ST_RDONLY;
	unsigned long long size = 0;
	if (mount_fd_tmpfs(t->s, host, &size))
		sf->f_type = 0x01021994; /* TMPFS_MAGIC */
	if (sf->f_bsize > 0 && size > 0) {
		sf->f_blocks = size / (unsigned long long)sf->f_bsize;
		if (sf->f_bfree > sf->f_blocks)
			sf->f_bfree = sf->f_blocks;
		if (sf->f_bavail > sf->f_blocks)
			sf->f_bavail = sf->f_blocks;
	}
	return 0;
}

static long statfs_view(struct task *t, int host, uint64_t out)
{
	struct statfs sf;
	int rc = statfs_fill(t, host, &sf);
	if (rc != 0)
		return rc;
	return task_write(t, out, &sf, sizeof(sf)) == 0 ? 0 : -EFAULT;
}

SYSCALL_HANDLER(fstatfs)
{
	int host = fd_host(t, (int)a[0]);
	if (host < 0)
		return host;
	return statfs_view(t, host, a[1]);
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
	return statfs_view(t, fd, a[1]);
}

/* ---- ustat and sysfs: what old programs ask of file systems ---- */

/* A host file read whole into buf (NUL-terminated): its length or -errno. */
static long host_file_read(const char *path, char *buf, size_t len)
{
	cleanup_close int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	size_t used = 0;
	while (used + 1 < len) {
		ssize_t n = read(fd, buf + used, len - 1 - used);
		if (n < 0)
			return -errno;
		if (n == 0)
			break;
		used += (size_t)n;
	}
	buf[used] = 0;
	return (long)used;
}

/* A host mount point the program can reach: below the host directory of
 * a mount of its table, or below /proc, which procfs serves from the
 * host's. */
static bool ustat_visible(struct task *t, const char *point)
{
	const struct mount_table *mt = t->s->mounts;
	for (size_t i = 0; i < mt->n; i++)
		if (!mt->v[i].is_file && mount_below(point, mt->v[i].host[0] ? mt->v[i].host : "/"))
			return true;
	return mount_below(point, "/proc") != NULL;
}

/* The statfs of the file system on device maj:min: a mount of the
 * sandbox's table (seen as statfs sees it), else a host mount the program
 * can reach (the sentry's /proc/self/mountinfo). -EINVAL if none. */
static int ustat_find(struct task *t, unsigned int maj, unsigned int min, struct statfs *sf)
{
	const struct mount_table *mt = t->s->mounts;
	for (size_t i = 0; i < mt->n; i++) {
		struct stat st;
		if (fstat(mt->v[i].fd, &st) == 0 && major(st.st_dev) == maj &&
		    minor(st.st_dev) == min)
			return statfs_fill(t, mt->v[i].fd, sf);
	}
	char *buf = t->s->scratch;
	if (host_file_read("/proc/self/mountinfo", buf, t->s->scratch_size) <= 0)
		return -EINVAL;
	for (char *line = buf, *next; *line; line = next) {
		next = strchrnul(line, '\n');
		if (*next)
			*next++ = 0;
		unsigned int a, b;
		char point[PATH_MAX];
		if (sscanf(line, "%*s %*s %u:%u %*s %4095s", &a, &b, point) != 3 || a != maj ||
		    b != min)
			continue;
		/* mountinfo writes space, tab, newline and backslash as \ooo. */
		char *w = point;
		for (const char *r = point; *r; w++)
			if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] && r[3]) {
				*w = (char)((r[1] - '0') * 64 + (r[2] - '0') * 8 + (r[3] - '0'));
				r += 4;
			} else {
				*w = *r++;
			}
		*w = 0;
		/* Linux's ustat has no path to be refused on: a mount point
		 * the program's identity may not reach is passed over. */
		if (ustat_visible(t, point) && statfs(point, sf) == 0)
			return 0;
	}
	return -EINVAL;
}

/* ustat: the free blocks and inodes of the mounted file system on a
 * device. Linux looks among all its file systems; the sandbox, among
 * those it can reach, so any other device is EINVAL, as one no file
 * system is on. */
struct ustat_abi { /* x86-64's struct ustat */
	int32_t f_tfree;
	uint64_t f_tinode;
	char f_fname[6];
	char f_fpack[6];
};

SYSCALL_HANDLER(ustat)
{
	/* The argument is a 32-bit device number in the kernel's new
	 * encoding (new_decode_dev). */
	uint32_t dev = (uint32_t)a[0];
	struct statfs sf;
	int rc = ustat_find(t, (dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00), &sf);
	if (rc != 0)
		return rc;
	struct ustat_abi u;
	memset(&u, 0, sizeof(u));
	u.f_tfree = (int32_t)sf.f_bfree;
	u.f_tinode = sf.f_ffree;
	return task_write(t, a[1], &u, sizeof(u)) == 0 ? 0 : -EFAULT;
}

/* sysfs(2): the kernel's list of file-system types, by index (option 1),
 * name (2) and count (3). The list is the host's /proc/filesystems, read
 * at each call: the program's /proc/filesystems shows the same one, in
 * the same order, which is the kernel's. */
/* The name of the next type in the list at *p ("nodev\tname\n" or
 * "\tname\n"), NUL-terminated in place; NULL at the end. */
static char *fs_type_next(char **p)
{
	char *line = *p, *tab, *nl;
	while (*line && (tab = strchr(line, '\t')) != NULL) {
		nl = strchr(tab, '\n');
		*p = nl ? nl + 1 : tab + strlen(tab);
		if (nl)
			*nl = 0;
		if (tab[1])
			return tab + 1;
		line = *p;
	}
	return NULL;
}

SYSCALL_HANDLER(sysfs)
{
	int option = (int)a[0];
	if (option < 1 || option > 3)
		return -EINVAL;
	char want[PATH_MAX];
	if (option == 1) {
		int rc = task_read_path(t, a[1], want);
		if (rc != 0)
			return rc;
	}
	char *list = t->s->scratch;
	long len = host_file_read("/proc/filesystems", list, t->s->scratch_size);
	if (len < 0)
		return len;
	/* Option 2's index is an unsigned int in Linux. */
	uint32_t index = (uint32_t)a[1];
	long i = 0;
	for (char *p = list, *name; (name = fs_type_next(&p)) != NULL; i++) {
		if (option == 1 && strcmp(name, want) == 0)
			return i;
		if (option == 2 && (uint64_t)i == index)
			return task_write(t, a[2], name, strlen(name) + 1) == 0 ? 0 : -EFAULT;
	}
	return option == 3 ? i : -EINVAL;
}
