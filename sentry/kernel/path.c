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
 *
 * What that one host call cannot know, the sandbox's magic links
 * (/proc/PID/root, cwd, fd/N, reached directly or through a symlink), is
 * left to a walk in the sentry when the fast path fails (see "the slow
 * walk" below); its result is resolved the same confined way again, so
 * the walk can change which object inside the root is meant, never reach
 * one outside it. Threat: a program's path reaching the host unresolved;
 * every handler goes through path_open_file or path_parent.
 *
 * chroot(2) gives a process a root of its own, R, inside the sandbox:
 * paths stay sandbox paths here, the program's absolute ones are joined
 * to R, and whatever path lies at or below R (by its text, however it
 * was made) is resolved with openat2 from R's own fd, so "..", absolute
 * symlinks and magic links stop at R as at Linux's process root; with
 * mounts the part below R is folded lexically first, as every mount
 * path is. A cwd left outside R still resolves from the sandbox root,
 * as in Linux. The sentry's own paths (cwd, exe, procfs targets) come
 * back in with PATH_AT_SANDBOX, never joined to R twice; what the
 * program reads back (getcwd, /proc links) is shown below R
 * (path_visible).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/mount-internal.h"

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

/* The length of the chroot root of `t` when `abs` lies at or below it, else 0. */
static size_t chroot_prefix(const struct task *t, const char *abs)
{
	if (!t || !t->fs || !t->fs->root)
		return 0;
	size_t n = strlen(t->fs->root);
	if (strncmp(abs, t->fs->root, n) == 0 && (abs[n] == '/' || abs[n] == '\0'))
		return n;
	return 0;
}

char *path_visible(const struct task *t, const char *sandbox_path)
{
	size_t cut = chroot_prefix(t, sandbox_path);
	return xstrdup(cut == 0 ? sandbox_path : sandbox_path[cut] ? sandbox_path + cut : "/");
}

bool path_outside_root(const struct task *t, const char *sandbox_path)
{
	return t->fs->root && chroot_prefix(t, sandbox_path) == 0;
}

int path_absolute(struct task *t, int dirfd, const char *path, char **out)
{
	if (dirfd == PATH_AT_SANDBOX) {
		*out = xstrdup(path);
		return 0;
	}
	if (path[0] == '/') {
		*out = t->fs->root ? xasprintf("%s%s", t->fs->root, path) : xstrdup(path);
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

/* `abs` folded lexically ("." and ".." gone), ".." stopping at the
 * chroot root of `t` when it lies below it. malloc'ed. */
static char *fold(const struct task *t, const char *abs)
{
	size_t cut = chroot_prefix(t, abs);
	if (cut == 0)
		return mount_normalize(abs);
	cleanup_free char *tail = mount_normalize(abs[cut] ? abs + cut : "/");
	return xasprintf("%.*s%s", (int)cut, abs, strcmp(tail, "/") == 0 ? "" : tail);
}

static int open_in_root_unchecked(const struct task *t, const char *abs, int flags, mode_t mode)
{
	struct sentry *s = t->s;
	/* Below a chroot root: resolved from it, which stops ".." and
	 * absolute symlinks there. */
	size_t cut = chroot_prefix(t, abs);
	if (has_mounts(s)) {
		cleanup_free char *folded = fold(t, abs);
		const char *rest;
		const struct mount *m = &s->mounts->v[mount_lookup(s->mounts, folded, &rest)];
		/* The jail lies within the mount that serves the path: from the
		 * jail's fd, or a relative symlink would climb to the mount's
		 * top. A mount inside the jail is resolved below its own top. */
		if (cut && !m->is_file && strlen(m->dest) <= cut)
			return mount_open_below(t->fs->root_fd, below_root(folded + cut),
						flags & VALID_OPEN_FLAGS, mode);
		return mount_open(s, folded, flags & VALID_OPEN_FLAGS, mode);
	}
	int root_fd = cut ? t->fs->root_fd : s->root_fd;
	/* openat2's flags (path_open_resolve): a scope below dirfd refuses an
	 * escape (BENEATH) instead of stopping it there. */
	uint64_t scope =
	    cut && (t->fs->resolve & RESOLVE_BENEATH) ? RESOLVE_BENEATH : RESOLVE_IN_ROOT;
	struct open_how how = {
	    .flags = (uint64_t)((flags & VALID_OPEN_FLAGS) | O_CLOEXEC),
	    /* O_TMPFILE includes O_DIRECTORY: only the whole of it takes a mode. */
	    .mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? (mode & 07777) : 0,
	    .resolve = scope | RESOLVE_NO_MAGICLINKS |
		       (t->fs->resolve & (RESOLVE_NO_SYMLINKS | RESOLVE_NO_XDEV)),
	};
	long fd = syscall(SYS_openat2, root_fd, below_root(abs + cut), &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

/* Whether a host procfs path belongs to a process: /proc/PID/...,
 * self and thread-self (which the kernel's own names resolve to PID). */
static bool host_proc_of_process(const char *host, size_t *pid_end)
{
	if (strncmp(host, "/proc/", 6) != 0)
		return false;
	const char *p = host + 6;
	size_t n = strspn(p, "0123456789");
	if (n == 0 && strncmp(p, "self", 4) == 0)
		n = 4;
	else if (n == 0 && strncmp(p, "thread-self", 11) == 0)
		n = 11;
	*pid_end = 6 + n;
	return n > 0 && (p[n] == '/' || p[n] == '\0');
}

/* The host's procfs, where a root that holds the host's /proc (`--root=/`,
 * the default) lets a path reach it by a way the sandbox's procfs cannot
 * see by its text ("//proc", "/tmp/../proc", a symlink to /proc/self):
 * there /proc/self is the sentry, with its memory, environment, fds and
 * maps, and /proc/PID any host process. A file of a process is never
 * handed out (-ENOENT: the slow walk then finds the path's sandbox form,
 * which procfs serves), but for reading the sentry's own net/, which
 * shows the network namespace the sandbox shares with it. Host-wide
 * files (cpuinfo, meminfo, sys/) stay as they are. */
static int refuse_host_process_proc(int fd, int flags)
{
	struct statfs sf;
	if (fd < 0 || (fstatfs(fd, &sf) == 0 && sf.f_type != PROC_SUPER_MAGIC))
		return fd;
	cleanup_free char *host = host_path_of_fd(fd);
	size_t end;
	if (host && !host_proc_of_process(host, &end))
		return fd;
	char own[32];
	int n = snprintf(own, sizeof(own), "/proc/%d/net", (int)getpid());
	bool reads = (flags & O_ACCMODE) == O_RDONLY && !(flags & (O_CREAT | O_TRUNC));
	if (host && reads && strncmp(host, own, (size_t)n) == 0 &&
	    (host[n] == '/' || host[n] == '\0'))
		return fd;
	close(fd);
	return -ENOENT;
}

static int open_in_root(const struct task *t, const char *abs, int flags, mode_t mode)
{
	return refuse_host_process_proc(open_in_root_unchecked(t, abs, flags, mode), flags);
}

/* Whether `fd` is the host's procfs root, reached by a spelling procfs does
 * not know ("//proc", "/tmp/../proc", a link to /proc): it lists host pids. */
static bool host_proc_root(int fd)
{
	struct statfs sf;
	if (fstatfs(fd, &sf) != 0 || sf.f_type != PROC_SUPER_MAGIC)
		return false;
	cleanup_free char *host = host_path_of_fd(fd);
	return host && strcmp(host, "/proc") == 0;
}

/* ---- the slow walk: magic links and symlinks to them ----
 *
 * The host resolves a path in one openat2 call, which cannot know the
 * sandbox's magic links: /proc/PID/{root,cwd,exe,fd/N} are served by
 * procfs (the host's would be the sentry's, and RESOLVE_NO_MAGICLINKS
 * refuses them: ELOOP; in a root without /proc they are missing:
 * ENOENT). When that fast path fails so, the path is walked here one
 * component at a time: "." is skipped, ".." drops the last component
 * (never above "/"), a synthesized entry that stands for an object is
 * replaced by the sandbox path of that object, and a symlink (read with
 * O_PATH|O_NOFOLLOW below the root) is spliced in, an absolute one from
 * "/". The result names the same object with no link left in it but,
 * when asked, the last; it is then opened the ordinary way, so a walk
 * raced by renames can only give another path inside the root. */

#define WALK_MAX_LINKS 40 /* Linux's MAXSYMLINKS */

struct walk {
	char canon[PATH_MAX]; /* resolved so far: "" is "/" */
	size_t n;
	size_t floor;	     /* the length of the chroot root canon starts with: ".." stops there */
	char rest[PATH_MAX]; /* still to walk */
	int links;
};

/* Prefix the unwalked rest with a link's target. */
static int walk_splice(struct walk *w, const char *target, size_t tlen)
{
	size_t rlen = strlen(w->rest);
	if (tlen == 0)
		return -ENOENT; /* an empty target, as Linux */
	if (++w->links > WALK_MAX_LINKS)
		return -ELOOP;
	if (tlen + 1 + rlen + 1 > sizeof(w->rest))
		return -ENAMETOOLONG;
	memmove(w->rest + tlen + 1, w->rest, rlen + 1);
	memcpy(w->rest, target, tlen);
	w->rest[tlen] = rlen ? '/' : '\0';
	if (target[0] == '/')
		w->n = w->floor, w->canon[w->n] = '\0';
	return 0;
}

/* How the last component is walked. */
enum walk_last {
	WALK_NOFOLLOW, /* a link is kept */
	WALK_FOLLOW,   /* a symlink is followed; a magic link is kept for procfs to open */
	WALK_DIR,      /* every link is followed: a directory to act in */
};

/* A file-system entry met on the walk: the length of its symlink target
 * (in buf) when it is one and `want`, -EINVAL when it is kept as it is,
 * or -errno (a missing last name is kept: it may be about to be made). */
static long walk_fs_entry(const struct task *t, const char *canon, bool last, bool want, char *buf,
			  size_t size)
{
	int fd = open_in_root(t, canon, O_PATH | O_NOFOLLOW, 0);
	if (fd < 0)
		return last ? -EINVAL : fd;
	struct stat st;
	long len = fstat(fd, &st) != 0 ? -errno : -EINVAL;
	if (len == -EINVAL && S_ISLNK(st.st_mode) && want) {
		ssize_t n = readlinkat(fd, "", buf, size);
		len = n < 0 ? -errno : (long)n;
	} else if (len == -EINVAL && !S_ISDIR(st.st_mode) && !S_ISLNK(st.st_mode) && !last) {
		len = -ENOTDIR;
	}
	close(fd);
	return len;
}

/* One component of the walk; `last` when nothing follows it. */
static int walk_step(struct task *t, struct walk *w, const char *comp, bool last,
		     enum walk_last how)
{
	if (strcmp(comp, ".") == 0)
		return 0;
	if (strcmp(comp, "..") == 0) {
		while (w->n > w->floor && w->canon[--w->n] != '/')
			;
		w->canon[w->n] = '\0';
		return 0;
	}
	size_t old = w->n, clen = strlen(comp);
	if (w->n + 1 + clen + 1 > sizeof(w->canon))
		return -ENAMETOOLONG;
	w->canon[w->n++] = '/';
	memcpy(w->canon + w->n, comp, clen + 1);
	w->n += clen;
	char target[PATH_MAX];
	long len;
	if (t->s->hooks->synthetic_link(t, w->canon, target, sizeof(target) - 1, &len)) {
		if (len == -EINVAL || (last && how != WALK_DIR && len >= 0))
			return 0; /* kept as a name: procfs opens it whole */
		if (len < 0)
			return (int)len;
	} else {
		bool want = !last || how != WALK_NOFOLLOW;
		len = walk_fs_entry(t, w->canon, last, want, target, sizeof(target) - 1);
		if (len == -EINVAL)
			return 0;
		if (len < 0)
			return (int)len;
	}
	w->n = old; /* a link: its own name gives way to its target */
	w->canon[w->n] = '\0';
	return walk_splice(w, target, (size_t)len);
}

/* `abs` walked to a path without links (but the last, as `how` says):
 * 0 and a malloc'ed *out, or -errno. A trailing slash is kept. */
static int path_walk(struct task *t, const char *abs, enum walk_last how, char **out)
{
	struct walk w = {.n = 0};
	size_t alen = strlen(abs);
	if (alen >= sizeof(w.rest))
		return -ENAMETOOLONG;
	bool dir = alen > 1 && abs[alen - 1] == '/';
	/* Below a chroot root, the walk starts there and never leaves it. */
	size_t cut = chroot_prefix(t, abs);
	memcpy(w.canon, abs, cut);
	w.canon[cut] = '\0';
	w.n = w.floor = cut;
	memcpy(w.rest, abs + cut, alen - cut + 1);
	while (w.rest[0]) {
		char *p = w.rest;
		while (*p == '/')
			p++;
		size_t clen = strcspn(p, "/");
		char comp[NAME_MAX + 1];
		if (clen > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, p, clen);
		comp[clen] = '\0';
		p += clen;
		while (*p == '/')
			p++;
		memmove(w.rest, p, strlen(p) + 1);
		if (clen == 0)
			break;
		int rc = walk_step(t, &w, comp, w.rest[0] == '\0',
				   dir && how == WALK_NOFOLLOW ? WALK_FOLLOW : how);
		if (rc != 0)
			return rc;
	}
	*out = xasprintf("%s%s", w.n ? w.canon : "/", dir && w.n ? "/" : "");
	return 0;
}

/* What the fast path answers when a magic link (or a link to one) is on
 * the way: the walk may find the object. */
static bool walk_may_help(int rc)
{
	return rc == -ENOENT || rc == -ELOOP || rc == -ENOTDIR;
}

/* An open that may write (access mode, O_TRUNC, O_CREAT of a new file)
 * in a read-only mount: EROFS, as Linux's mnt_want_write. */
static int check_open_writable(const struct task *t, const char *abs, int flags)
{
	struct sentry *s = t->s;
	if (!s->mounts || !s->mounts->any_readonly)
		return 0;
	bool writes = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	if (!writes && !(flags & O_CREAT) && (flags & O_TMPFILE) != O_TMPFILE)
		return 0;
	int fd = open_in_root(t, abs, O_PATH | (flags & O_NOFOLLOW), 0);
	if (fd == -ENOENT && (flags & O_CREAT)) {
		/* A new file: the directory that would hold it decides. */
		cleanup_free char *dir = xstrdup(abs);
		char *slash = strrchr(dir, '/');
		if (slash)
			slash[slash == dir ? 1 : 0] = '\0';
		fd = open_in_root(t, dir, O_PATH | O_DIRECTORY, 0);
		writes = true;
	}
	if (fd < 0)
		return 0; /* the open itself reports it */
	bool ro = writes && mount_fd_readonly(s, fd);
	close(fd);
	return ro ? -EROFS : 0;
}

/* A running executable refuses writers, as Linux's deny_write_access:
 * ETXTBSY, checked before O_TRUNC could cut it. */
static int check_not_running(const struct task *t, const char *abs, int flags)
{
	struct stat st;
	cleanup_close int fd = open_in_root(t, abs, O_PATH | (flags & O_NOFOLLOW), 0);
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
		return 0; /* nothing there yet: the open itself answers */
	return exe_in_use(t->s, st.st_dev, st.st_ino) ? -ETXTBSY : 0;
}

static int open_abs(struct task *t, const char *abs, int flags, mode_t mode, struct file **out)
{
	int rc;
	if (t->s->hooks->synthetic_open(t, abs, flags, out, &rc))
		return rc;
	if ((rc = check_open_writable(t, abs, flags)) != 0)
		return rc;
	bool writes = (flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC);
	if (writes && (flags & O_TRUNC) && !(flags & O_PATH) &&
	    (rc = check_not_running(t, abs, flags)) != 0)
		return rc;
	int fd = open_in_root(t, abs, flags, mode & ~t->fs->umask);
	if (fd < 0)
		return fd;
	if (host_proc_root(fd)) { /* the sandbox's /proc instead, as `ls /proc` lists it */
		close(fd);
		return t->s->hooks->synthetic_open(t, "/proc", flags, out, &rc) ? rc : -ENOENT;
	}
	struct stat st;
	if (writes && !(flags & O_PATH) && fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
		if (exe_in_use(t->s, st.st_dev, st.st_ino)) {
			close(fd);
			return -ETXTBSY;
		}
		*out = file_new_host(fd, abs);
		(*out)->write_dev = st.st_dev;
		(*out)->write_ino = st.st_ino;
		return 0;
	}
	*out = file_new_host(fd, abs);
	return 0;
}

int path_open_file(struct task *t, int dirfd, const char *path, int flags, mode_t mode,
		   struct file **out)
{
	cleanup_free char *abs = NULL, *walked = NULL;
	int rc = path_absolute(t, dirfd, path, &abs);
	if (rc != 0)
		return rc;
	rc = open_abs(t, abs, flags, mode, out);
	if (!walk_may_help(rc))
		return rc;
	bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	if (path_walk(t, abs, follow ? WALK_FOLLOW : WALK_NOFOLLOW, &walked) != 0 ||
	    strcmp(walked, abs) == 0)
		return rc;
	return open_abs(t, walked, flags, mode, out);
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

static int parent_of_abs(struct task *t, char *abs, int *parent_fd, char *last)
{
	int rc;
	size_t n = strlen(abs);
	while (n > 1 && abs[n - 1] == '/')
		abs[--n] = '\0';
	if (has_mounts(t->s)) {
		/* Folded first, so that "." and ".." below name real entries;
		 * a mount point itself is named from inside its mount. */
		cleanup_free char *norm = fold(t, abs);
		strcpy(abs, norm);
		rc = mount_point_parent(t->s, abs, parent_fd, last);
		if (rc <= 0)
			return rc;
	}
	char *slash = strrchr(abs, '/');
	const char *name = slash + 1;
	/* "." and ".." (and "/") are resolved whole: acting on (parent, "..")
	 * could reach above the root. */
	if (*name == '\0' || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
		int fd = open_in_root(t, abs, O_PATH | O_DIRECTORY, 0);
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
	int fd = open_in_root(t, abs[0] ? abs : "/", O_PATH | O_DIRECTORY, 0);
	if (fd < 0)
		return fd;
	*parent_fd = fd;
	return 0;
}

int path_removable(struct task *t, int dirfd, const char *path)
{
	cleanup_free char *abs = NULL;
	if (!has_mounts(t->s) || path_absolute(t, dirfd, path, &abs) != 0)
		return 0;
	cleanup_free char *norm = fold(t, abs);
	return mount_point_busy(t->s, norm);
}

int path_parent(struct task *t, int dirfd, const char *path, int *parent_fd, char *last)
{
	cleanup_free char *abs = NULL, *walked = NULL;
	int rc = path_absolute(t, dirfd, path, &abs);
	if (rc != 0)
		return rc;
	cleanup_free char *copy = xstrdup(abs);
	rc = parent_of_abs(t, copy, parent_fd, last);
	if (!walk_may_help(rc))
		return rc;
	/* The directory part walked (the last name stays as it is: it is
	 * what the caller acts on), or all of it for ".", ".." and "/". */
	size_t n = strlen(abs);
	while (n > 1 && abs[n - 1] == '/')
		abs[--n] = '\0';
	char *slash = strrchr(abs, '/');
	const char *name = slash + 1;
	bool whole = !strcmp(name, ".") || !strcmp(name, "..") || !*name;
	if (!whole)
		*slash = '\0';
	if (path_walk(t, abs[0] ? abs : "/", WALK_DIR, &walked) != 0)
		return rc;
	/* Walked whole, it is named by "." again: unlink, rmdir and rename
	 * of "x/.." keep Linux's answers instead of acting on x's parent. */
	bool at_root = strcmp(walked, "/") == 0;
	cleanup_free char *again =
	    xasprintf("%s%s%s", walked, at_root ? "" : "/", whole ? "." : name);
	if (!whole)
		*slash = '/';
	if (strcmp(again, abs) == 0)
		return rc;
	return parent_of_abs(t, again, parent_fd, last);
}

long path_set_root(struct task *t, struct file *dir)
{
	/* The sentry's synthesized directories (/proc/N...) have no host
	 * directory of their own to resolve from: their host fd is the
	 * sentry's own /proc/self, which must never become a root. */
	if (dir->kind == FILE_DIR_LIST || dir->host_fd < 0)
		return -EACCES;
	struct stat st;
	if (fstat(dir->host_fd, &st) != 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	/* Linux's order: search permission, then CAP_SYS_CHROOT. AT_EACCESS:
	 * the task's ids (creds.c), not the sentry's real root uid. The
	 * capability is the sandbox's view alone (caps_has): the root is
	 * the sentry's to keep, the host makes no chroot. */
	if (syscall(SYS_faccessat2, dir->host_fd, "", X_OK, AT_EMPTY_PATH | AT_EACCESS) != 0)
		return -errno;
	if (!caps_has(t->proc, CAP_SYS_CHROOT))
		return -EPERM;
	char *root = path_of_host_fd(t->s, dir->host_fd);
	if (!root)
		return -ENOENT;
	int fd = -1;
	if (strcmp(root, "/") != 0 && (fd = fcntl(dir->host_fd, F_DUPFD_CLOEXEC, 3)) < 0) {
		free(root);
		return -errno;
	}
	struct fs_info *fs = t->fs;
	free(fs->root);
	if (fs->root_fd >= 0)
		close(fs->root_fd);
	/* The sandbox's own root is kept as "none": paths then take the
	 * usual way, with no prefix to match. */
	if (fd < 0) {
		free(root);
		root = NULL;
	}
	fs->root = root;
	fs->root_fd = fd;
	return 0;
}

/* ---- openat2's RESOLVE_* ----
 *
 * The lookup runs with a view of the task's fs_info: the scope (BENEATH,
 * IN_ROOT) is made a root of its own for that one lookup, exactly as a
 * chroot is (a path below it resolves from its fd, so IN_ROOT stops ".."
 * and absolute symlinks there and BENEATH, asked of the host, refuses
 * them with EXDEV), and the other flags go to the host's openat2 with the
 * path. What the host cannot see, the sandbox's own links (procfs's) and
 * its mounts, is judged here first. With the sandbox's mount table the
 * host's part is folded lexically: a symlink escaping a BENEATH scope is
 * stopped there rather than refused, and NO_SYMLINKS/NO_XDEV hold only
 * for the sandbox's own mounts and links. */

/* The most of a sandbox link on the way to `abs`: 2 a magic link (its
 * target is an object's path), 1 a plain one (/proc/self), 0 none. */
static int synthetic_links_on(struct task *t, const char *abs)
{
	cleanup_free char *norm = mount_normalize(abs);
	int found = 0;
	for (char *p = norm + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p, target[PATH_MAX];
		long len;
		*p = '\0';
		/* procfs keeps its plain links (self, thread-self, mounts, net)
		 * as names; they are links all the same. */
		bool plain = !strcmp(norm, "/proc/self") || !strcmp(norm, "/proc/thread-self") ||
			     !strcmp(norm, "/proc/mounts") || !strcmp(norm, "/proc/net");
		if (plain)
			found = found > 1 ? found : 1;
		else if (t->s->hooks->synthetic_link(t, norm, target, sizeof(target) - 1, &len) &&
			 len > 0)
			found = target[0] == '/' ? 2 : found > 1 ? found : 1;
		*p = c;
		if (c == '\0')
			return found;
	}
}

/* Whether `rel` climbs above where it starts ("..", lexically). */
static bool climbs_out(const char *rel)
{
	int depth = 0;
	for (const char *p = rel; *p;) {
		size_t n = strcspn(p, "/");
		if (n == 2 && p[0] == '.' && p[1] == '.')
			depth--;
		else if (n > 0 && !(n == 1 && p[0] == '.'))
			depth++;
		if (depth < 0)
			return true;
		p += n;
		p += strspn(p, "/");
	}
	return false;
}

/* NO_XDEV: the sandbox's procfs and its mounts are file systems of their
 * own, which the host's openat2 cannot see being crossed. */
static bool crosses_sandbox_fs(struct task *t, const char *start, const char *abs)
{
	cleanup_free char *a = mount_normalize(abs), *b = mount_normalize(start);
	if ((mount_below(a, "/proc") != NULL) != (mount_below(b, "/proc") != NULL))
		return true;
	if (!has_mounts(t->s))
		return false;
	const char *rest;
	return mount_lookup(t->s->mounts, a, &rest) != mount_lookup(t->s->mounts, b, &rest);
}

/* The scope's fd (an O_PATH dup of dirfd's directory, or of the cwd). */
static int scope_fd_of(struct task *t, int dirfd)
{
	if (dirfd == AT_FDCWD)
		return path_open(t, PATH_AT_SANDBOX, t->fs->cwd, O_PATH | O_DIRECTORY, 0);
	struct file *f = fd_lookup(t, dirfd);
	if (!f)
		return -EBADF;
	/* A synthetic directory's host fd is the sentry's own /proc/self. */
	if (f->kind == FILE_DIR_LIST || f->host_fd < 0)
		return -EXDEV;
	int fd = fcntl(f->host_fd, F_DUPFD_CLOEXEC, 3);
	return fd < 0 ? -errno : fd;
}

static int open_with_view(struct task *t, int dirfd, const char *path, int flags, mode_t mode,
			  uint64_t resolve, struct file **out)
{
	bool scoped = resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT);
	cleanup_free char *abs = NULL, *start = NULL;
	int rc = path_absolute(t, dirfd, path, &abs);
	if (rc == 0 && path[0] != '/')
		rc = dirfd_path(t, dirfd, &start);
	if (rc != 0)
		return rc;
	int links = synthetic_links_on(t, abs);
	if (links && (resolve & RESOLVE_NO_SYMLINKS))
		return -ELOOP;
	if (links == 2 && (resolve & RESOLVE_NO_MAGICLINKS))
		return -ELOOP;
	if (links == 2 && scoped)
		return -EXDEV; /* Linux: magic links are not safe in a scope */
	if ((resolve & RESOLVE_NO_XDEV) && crosses_sandbox_fs(t,
							      start	    ? start
							      : t->fs->root ? t->fs->root
									    : "/",
							      abs))
		return -EXDEV;
	rc = open_abs(t, abs, flags, mode, out);
	if (!walk_may_help(rc) || (resolve & (RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS)))
		return rc;
	cleanup_free char *walked = NULL;
	bool follow = !(flags & O_NOFOLLOW) && (flags & (O_CREAT | O_EXCL)) != (O_CREAT | O_EXCL);
	if (path_walk(t, abs, follow ? WALK_FOLLOW : WALK_NOFOLLOW, &walked) != 0 ||
	    strcmp(walked, abs) == 0)
		return rc;
	return open_abs(t, walked, flags, mode, out);
}

int path_open_resolve(struct task *t, int dirfd, const char *path, int flags, mode_t mode,
		      uint64_t resolve, struct file **out)
{
	bool scoped = resolve & (RESOLVE_BENEATH | RESOLVE_IN_ROOT);
	if ((resolve & RESOLVE_BENEATH) && (path[0] == '/' || climbs_out(path)))
		return -EXDEV;
	struct fs_info view = *t->fs, *own = t->fs;
	cleanup_free char *scope = NULL;
	cleanup_close int scope_fd = -1;
	view.resolve = resolve;
	if (scoped) {
		int rc = dirfd_path(t, dirfd, &scope);
		if (rc != 0)
			return rc;
		if ((scope_fd = scope_fd_of(t, dirfd)) < 0)
			return scope_fd;
		/* The sandbox's root is no scope of its own: the usual way. */
		view.root = strcmp(scope, "/") != 0 ? scope : NULL;
		view.root_fd = view.root ? scope_fd : -1;
	}
	/* The view is the task's for this one lookup: the sentry's one
	 * thread runs nothing else meanwhile, and it is put back before
	 * anything can keep it. */
	t->fs = &view;
	int rc = open_with_view(t, dirfd, path, flags, mode, resolve, out);
	t->fs = own;
	return rc;
}
