/* Path resolution, confined to the sandbox root.
 *
 * Every path the program names is made sandbox-absolute (joined to the cwd
 * or to the directory behind a dirfd) and resolved by the host kernel with
 * openat2(root_fd, path, RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): "..",
 * absolute symlinks and magic links can never lead outside the root. The
 * root is a setting: "/" for `msentry run`, a container's rootfs for OCI.
 * Operations on a last component (mkdir, unlink, rename, lstat...) resolve
 * the parent the same way and then act on (parent_fd, name).
 *
 * With mounts (kernel/mount.c) the path goes through the mount table
 * instead: it is folded lexically, the mount whose path is its longest
 * prefix is chosen, and the rest is resolved the same way below that
 * mount's directory. Read-only mounts are asked before any write.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"

/* Flags openat() accepts; openat2() rejects anything else, openat() ignores it. */
#define VALID_OPEN_FLAGS                                                                           \
	(O_RDONLY | O_WRONLY | O_RDWR | O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND |         \
	 O_NONBLOCK | O_DSYNC | FASYNC | O_DIRECT | 0100000 /* O_LARGEFILE */ | O_DIRECTORY |      \
	 O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH | O_TMPFILE | O_SYNC)

/* More than the root in the mount table: resolve through it. */
static bool has_mounts(const struct sentry *s)
{
	return s->mounts && s->mounts->n > 1;
}

char *path_from_host(struct sentry *s, const char *host)
{
	if (has_mounts(s))
		return mount_from_host(s, host);
	size_t n = strlen(s->root_host);
	if (n == 0)
		return xstrdup(host);
	if (strncmp(host, s->root_host, n) == 0 && (host[n] == '/' || host[n] == '\0'))
		return xstrdup(host[n] ? host + n : "/");
	return xstrdup(host);
}

char *host_path_of_fd(int host_fd)
{
	char link[64], target[PATH_MAX];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", host_fd);
	ssize_t n = readlink(link, target, sizeof(target) - 1);
	if (n < 0)
		return NULL;
	target[n] = '\0';
	return xstrdup(target);
}

char *path_of_host_fd(struct sentry *s, int host_fd)
{
	cleanup_free char *host = host_path_of_fd(host_fd);
	return host ? path_from_host(s, host) : NULL;
}

static int dirfd_path(struct task *t, int dirfd, char **out)
{
	if (dirfd == AT_FDCWD) {
		*out = xstrdup(t->fs->cwd);
		return 0;
	}
	struct file *f = fd_lookup(t, dirfd);
	if (!f)
		return -EBADF;
	if (f->kind == FILE_DIR_LIST) {
		*out = xstrdup(f->path);
		return 0;
	}
	struct stat st;
	if (fstat(f->host_fd, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	*out = path_of_host_fd(t->s, f->host_fd);
	return *out ? 0 : -ENOENT;
}

int path_absolute(struct task *t, int dirfd, const char *path, char **out)
{
	if (path[0] == '/') {
		*out = xstrdup(path);
		return 0;
	}
	if (path[0] == '\0')
		return -ENOENT;
	cleanup_free char *base = NULL;
	int rc = dirfd_path(t, dirfd, &base);
	if (rc != 0)
		return rc;
	bool root = strcmp(base, "/") == 0;
	*out = xasprintf("%s%s%s", base, root ? "" : "/", path);
	return 0;
}

/* The path as openat2 wants it below the root: no leading slashes. */
static const char *below_root(const char *abs)
{
	while (*abs == '/')
		abs++;
	return *abs ? abs : ".";
}

static int open_in_root(struct sentry *s, const char *abs, int flags, mode_t mode)
{
	if (has_mounts(s))
		return mount_open(s, abs, flags & VALID_OPEN_FLAGS, mode);
	struct open_how how = {
	    .flags = (uint64_t)((flags & VALID_OPEN_FLAGS) | O_CLOEXEC),
	    /* O_TMPFILE includes O_DIRECTORY: only the whole of it takes a mode. */
	    .mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? (mode & 07777) : 0,
	    .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
	};
	long fd = syscall(SYS_openat2, s->root_fd, below_root(abs), &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* An open that may write (access mode, O_TRUNC, O_CREAT of a new file)
 * in a read-only mount: EROFS, as Linux's mnt_want_write. */
static int check_open_writable(struct sentry *s, const char *abs, int flags)
{
	if (!s->mounts || !s->mounts->any_readonly)
		return 0;
	bool writes = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	if (!writes && !(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
		return 0;
	int fd = open_in_root(s, abs, O_PATH | (flags & O_NOFOLLOW), 0);
	if (fd == -ENOENT && (flags & O_CREAT)) {
		/* A new file: the directory that would hold it decides. */
		cleanup_free char *dir = xstrdup(abs);
		char *slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir ? 1 : 0] = '\0';
		fd = open_in_root(s, dir, O_PATH | O_DIRECTORY, 0);
		writes = true;
	}
	if (fd < 0)
		return 0; /* the open itself reports it */
	bool ro = writes && mount_fd_readonly(s, fd);
	close(fd);
	return ro ? -EROFS : 0;
}

int path_open_file(struct task *t, int dirfd, const char *path, int flags, mode_t mode,
		   struct file **out)
{
	cleanup_free char *abs = NULL;
	int rc = path_absolute(t, dirfd, path, &abs);
	if (rc != 0)
		return rc;
	if (t->s->hooks->synthetic_open(t, abs, flags, out, &rc))
		return rc;
	if ((rc = check_open_writable(t->s, abs, flags)) != 0)
		return rc;
	int fd = open_in_root(t->s, abs, flags, mode & ~t->fs->umask);
	if (fd < 0)
		return fd;
	*out = file_new_host(fd, abs);
	return 0;
}

int path_open(struct task *t, int dirfd, const char *path, int flags, mode_t mode)
{
	struct file *f;
	int rc = path_open_file(t, dirfd, path, flags, mode, &f);
	if (rc != 0)
		return rc;
	int fd = fcntl(f->host_fd, F_DUPFD_CLOEXEC, 0);
	file_put(f);
	return fd < 0 ? -errno : fd;
}

int path_parent(struct task *t, int dirfd, const char *path, int *parent_fd, char *last)
{
	cleanup_free char *abs = NULL;
	int rc = path_absolute(t, dirfd, path, &abs);
	if (rc != 0)
		return rc;
	size_t n = strlen(abs);
	while (n > 1 && abs[n - 1] == '/')
		abs[--n] = '\0';
	if (has_mounts(t->s)) {
		/* Folded first, so that "." and ".." below name real entries;
		 * a mount point itself is named from inside its mount. */
		char *norm = mount_normalize(abs);
		free(abs);
		abs = norm;
		rc = mount_point_parent(t->s, abs, parent_fd, last);
		if (rc <= 0)
			return rc;
	}
	char *slash = strrchr(abs, '/');
	const char *name = slash + 1;
	/* "." and ".." (and "/") are resolved whole: acting on (parent, "..")
	 * could reach above the root. */
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		int fd = open_in_root(t->s, abs, O_PATH | O_DIRECTORY, 0);
		if (fd < 0)
			return fd;
		*parent_fd = fd;
		strcpy(last, ".");
		return 0;
	}
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	strcpy(last, name);
	*slash = '\0';
	int fd = open_in_root(t->s, abs[0] ? abs : "/", O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	*parent_fd = fd;
	return 0;
}
