/* Directory syscalls: listing (getdents, getdents64), creating, removing, renaming
 * and linking names, and the working directory and umask. Every path is
 * resolved by path.c, confined to the sandbox's root. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/syscalls-internal.h"

/* ---- listing ---- */

/* Both getdents forms, as Linux lays them out on x86-64: a record is the
 * inode (8 bytes), the offset of the next one (8), its length (2), then
 * getdents64 puts the type byte before the name, while the old getdents
 * puts it in the record's last byte, after the name's NUL. Both records
 * round 19 + name + NUL up to 8 bytes, so they have the same length. */
static size_t dirent_put(char *out, const char *name, uint64_t ino, uint64_t off,
			 unsigned char type, bool old)
{
	size_t namelen = strlen(name);
	size_t reclen = (offsetof(struct dirent64, d_name) + namelen + 1 + 7) & ~7UL;
	uint16_t rl = (uint16_t)reclen;
	memset(out, 0, reclen);
	memcpy(out, &ino, 8);
	memcpy(out + 8, &off, 8);
	memcpy(out + 16, &rl, 2);
	if (old) {
		memcpy(out + 18, name, namelen);
		out[reclen - 1] = (char)type;
	} else {
		out[18] = (char)type;
		memcpy(out + 19, name, namelen);
	}
	return reclen;
}

static long dirents_from_list(struct task *t, struct file *f, uint64_t buf, size_t count, bool old)
{
	size_t used = 0;
	char *out = t->s->scratch;
	if (count > t->s->scratch_size)
		count = t->s->scratch_size;
	while (f->pos < f->nentries) {
		const struct dir_entry *e = &f->entries[f->pos];
		size_t reclen =
		    (offsetof(struct dirent64, d_name) + strlen(e->name) + 1 + 7) & ~7UL;
		if (used + reclen > count)
			break;
		used += dirent_put(out + used, e->name, e->ino, f->pos + 1, e->type, old);
		f->pos++;
	}
	if (used == 0 && f->pos < f->nentries)
		return -EINVAL;
	return task_write(t, buf, out, used) == 0 ? (long)used : -EFAULT;
}

/* A host directory is read with the host's call of the same form. */
static long getdents_common(struct task *t, const uint64_t *a, bool old)
{
	struct file *f = fd_lookup(t, (int)a[0]);
	if (!f)
		return -EBADF;
	if (f->kind == FILE_DIR_LIST)
		return dirents_from_list(t, f, a[1], a[2], old);
	size_t count = a[2] < t->s->scratch_size ? a[2] : t->s->scratch_size;
	long n = syscall(old ? SYS_getdents : SYS_getdents64, f->host_fd, t->s->scratch, count);
	if (n < 0)
		return -errno;
	return task_write(t, a[1], t->s->scratch, (size_t)n) == 0 ? n : -EFAULT;
}

SYSCALL_HANDLER(getdents64)
{
	return getdents_common(t, a, false);
}

SYSCALL_HANDLER(getdents)
{
	return getdents_common(t, a, true);
}

/* ---- directory entries: create, remove, rename, link ---- */

/* Resolve (dirfd, path) to a parent fd and last name, or fail. */
static int parent_of(struct task *t, int dirfd, uint64_t path_addr, int *parent, char *last)
{
	char path[PATH_MAX];
	int rc = task_read_path(t, path_addr, path);
	if (rc != 0)
		return rc;
	rc = path_parent(t, dirfd, path, parent, last);
	/* Every caller makes or removes an entry in the parent. */
	return rc == 0 ? fd_writable(t, *parent) : rc;
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
	/* Devices stay the host's business: only FIFOs, sockets and files.
	 * A type that is no file type at all is EINVAL, as in Linux. */
	if (type != S_IFIFO && type != S_IFREG && type != 0 && type != S_IFSOCK)
		return type == S_IFCHR || type == S_IFBLK || type == S_IFDIR ? -EPERM : -EINVAL;
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
	if (strcmp(last, ".") == 0) {
		/* path_parent resolved ".", ".." or "/" whole: Linux answers
		 * by what the last component was. */
		char path[PATH_MAX];
		rc = task_read_path(t, a[1], path);
		if (rc != 0)
			return rc;
		size_t n = strlen(path);
		while (n > 1 && path[n - 1] == '/')
			path[--n] = '\0';
		const char *slash = strrchr(path, '/');
		const char *name = slash ? slash + 1 : path;
		if (!(a[2] & AT_REMOVEDIR))
			return -EISDIR;
		if (strcmp(name, "..") == 0)
			return -ENOTEMPTY;
		return strcmp(path, "/") == 0 ? -EBUSY : -EINVAL;
	}
	/* A mount point resolves to the host node behind it (path_parent):
	 * removing it is refused, as Linux does. */
	char path[PATH_MAX];
	if ((rc = task_read_path(t, a[1], path)) != 0 ||
	    (rc = path_removable(t, (int)a[0], path)) != 0)
		return rc;
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

/* A directory renamed: the working directories in it follow it, as a
 * Linux cwd (a reference to the directory, not a name) does. The sentry
 * keeps a cwd as a sandbox path, so every one at or below `from` (the
 * old name, in parent directory `from_dir`) is renamed to the new name. */
static void cwds_follow(struct task *t, int from_dir, const char *from_last, int to_dir,
			const char *to_last)
{
	cleanup_free char *fp = path_of_host_fd(t->s, from_dir);
	cleanup_free char *tp = path_of_host_fd(t->s, to_dir);
	if (!fp || !tp || fp[0] != '/' || tp[0] != '/')
		return;
	cleanup_free char *from = xasprintf("%s/%s", strcmp(fp, "/") ? fp : "", from_last);
	cleanup_free char *to = xasprintf("%s/%s", strcmp(tp, "/") ? tp : "", to_last);
	size_t n = strlen(from);
	for (struct task *u = t->s->tasks; u; u = u->next) {
		char *cwd = u->fs->cwd;
		if (strncmp(cwd, from, n) != 0 || (cwd[n] != '\0' && cwd[n] != '/'))
			continue;
		u->fs->cwd = xasprintf("%s%s", to, cwd + n);
		free(cwd);
	}
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
	if (renameat2(from, from_last, to, to_last, (unsigned)a[4]) != 0)
		return -errno;
	/* Not followed: a cwd under either name of a RENAME_EXCHANGE. */
	if (!((unsigned)a[4] & RENAME_EXCHANGE))
		cwds_follow(t, from, from_last, to, to_last);
	return 0;
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
	if (a[4] & ~(uint64_t)(AT_SYMLINK_FOLLOW | AT_EMPTY_PATH))
		return -EINVAL;
	cleanup_close int from = -1, to = -1;
	char from_last[NAME_MAX + 1], to_last[NAME_MAX + 1];
	char path[PATH_MAX];
	long n = task_read_string(t, a[1], path, PATH_MAX);
	int rc = n < 0 ? (int)n : 0;
	if (rc == 0 && n == 0 && (a[4] & AT_EMPTY_PATH)) {
		/* The file behind dirfd itself. */
		if ((int)a[0] == AT_FDCWD) {
			from = path_open(t, AT_FDCWD, ".", O_PATH, 0);
		} else {
			int host = fd_host(t, (int)a[0]);
			from = host < 0 ? host : fcntl(host, F_DUPFD_CLOEXEC, 0);
		}
		rc = from < 0 ? from : 0;
	} else if (rc == 0 && n == 0) {
		rc = -ENOENT;
	} else if (rc == 0 && (a[4] & AT_SYMLINK_FOLLOW)) {
		/* Followed (magic links too: an O_TMPFILE file's /proc/self/fd/N). */
		from = path_open(t, (int)a[0], path, O_PATH, 0);
		rc = from < 0 ? from : 0;
	} else if (rc == 0) {
		rc = path_parent(t, (int)a[0], path, &from, from_last);
	}
	if (rc == 0)
		rc = parent_of(t, (int)a[2], a[3], &to, to_last);
	if (rc != 0)
		return rc;
	if ((a[4] & AT_SYMLINK_FOLLOW) || n == 0) {
		/* Linked through the sentry's /proc/self/fd, which needs no
		 * CAP_DAC_READ_SEARCH as AT_EMPTY_PATH does. */
		char magic[64];
		snprintf(magic, sizeof(magic), "/proc/self/fd/%d", from);
		return ret_errno(linkat(AT_FDCWD, magic, to, to_last, AT_SYMLINK_FOLLOW));
	}
	return ret_errno(linkat(from, from_last, to, to_last, 0));
}

SYSCALL_HANDLER(link)
{
	const uint64_t b[6] = {(uint64_t)AT_FDCWD, a[0], (uint64_t)AT_FDCWD, a[1], 0};
	return sys_linkat(t, b);
}

/* ---- working directory and umask ---- */

static long chdir_to(struct task *t, struct file *dir_file, int host_fd)
{
	struct stat st;
	if (fstat(host_fd, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* AT_EACCESS: under the ids the sentry took on for this task (its
	 * fsuid and capabilities, creds.c); without it the host asks for the
	 * sentry's own real uid, root, which may search anything. */
	if (syscall(SYS_faccessat2, host_fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) != 0)
		return -errno;
	char *path = dir_file && dir_file->kind == FILE_DIR_LIST ? xstrdup(dir_file->path)
								 : path_of_host_fd(t->s, host_fd);
	if (!path)
		return -ENOENT;
	free(t->fs->cwd);
	t->fs->cwd = path;
	return 0;
}

/* chdir and chroot: `act` on the directory the program's path names. */
static long on_directory(struct task *t, uint64_t path_addr,
			 long (*act)(struct task *t, struct file *dir))
{
	char path[PATH_MAX];
	int rc = task_read_path(t, path_addr, path);
	if (rc != 0)
		return rc;
	struct file *f;
	rc = path_open_file(t, AT_FDCWD, path, O_PATH | O_DIRECTORY, 0, &f);
	if (rc != 0)
		return rc;
	long r = act(t, f);
	file_put(f);
	return r;
}

static long chdir_to_file(struct task *t, struct file *dir)
{
	return chdir_to(t, dir, dir->host_fd);
}

SYSCALL_HANDLER(chdir)
{
	return on_directory(t, a[0], chdir_to_file);
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
	/* The cwd is kept as a path: a removed directory is one whose path
	 * no longer names a directory. */
	int fd = path_open(t, PATH_AT_SANDBOX, t->fs->cwd, O_PATH | O_DIRECTORY, 0);
	if (fd == -ENOENT)
		return -ENOENT;
	if (fd >= 0)
		close(fd);
	/* Below a chroot root the path starts there; a cwd left outside it
	 * is "(unreachable)", as Linux's getcwd says. */
	cleanup_free char *cwd = path_outside_root(t, t->fs->cwd)
				     ? xasprintf("(unreachable)%s", t->fs->cwd)
				     : path_visible(t, t->fs->cwd);
	size_t len = strlen(cwd) + 1;
	if (a[1] < len)
		return -ERANGE;
	return task_write(t, a[0], cwd, len) == 0 ? (long)len : -EFAULT;
}

SYSCALL_HANDLER(chroot)
{
	return on_directory(t, a[0], path_set_root);
}

SYSCALL_HANDLER(umask)
{
	mode_t old = t->fs->umask;
	t->fs->umask = (mode_t)a[0] & 0777;
	return old;
}
