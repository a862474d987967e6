/* The sandbox's mount table: which host directory serves which sandbox
 * path, and which paths refuse writes.
 *
 * How it works. The table is built at start (mount_table_build): entry 0 is the root (the
 * configured root directory), then the configured mounts in order, then one entry per existing
 * linux.readonlyPaths and linux.maskedPaths path. Each entry holds the
 * sandbox path where it is mounted (normalized), an O_PATH fd of the host
 * directory or file behind it, and whether it is read-only. Resolving a
 * sandbox path (mount_open) normalizes it lexically ("." and ".." are
 * folded, ".." never climbs above "/"), picks the entry whose path is
 * the longest prefix of it (a later mount of the same path hides an
 * earlier one, as mounts stack), and opens the rest below the entry's fd
 * with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS): inside a mount,
 * ".." and symlinks (absolute ones included) stop at the mount's own
 * directory, so nothing reaches above the mount or the root. The cost of
 * folding ".." lexically: a symlink inside the path is not followed
 * across mounts (a link in the root to /tmp/x resolves in the root's
 * /tmp, not in a tmpfs mounted there), and "dir/link/.." is "dir".
 *
 * Kinds: bind (a host directory or file), tmpfs (a private host directory
 * made for the sandbox, see below), proc (the sentry's procfs already
 * serves /proc; elsewhere an empty directory), sysfs, devpts, mqueue,
 * cgroup (an empty read-only directory: no host state is shown; below a
 * devpts one sentry/fs/devpts.c serves the sandbox's own ptys), a masked
 * file (the host's /dev/null) and a masked directory (an empty read-only
 * directory).
 *
 * Read-only: every write is refused with EROFS before the host sees it:
 * the callers ask mount_fd_readonly (or mount_path_readonly) about the
 * host fd they are about to change (the parent directory for create,
 * unlink, rename, link, symlink, mkdir, mknod; the file for chmod, chown,
 * utimes, truncate and opens for writing). The answer comes from the
 * host path of that fd (its /proc/self/fd link): the entry whose host
 * directory is the longest prefix of it. Host paths, not sandbox ones, so
 * a file reached through a symlink or a hard-linked directory still
 * belongs to the mount that holds it.
 *
 * tmpfs directories (and the empty views, and the masked files' node)
 * live in one private directory per sandbox (mount-private.c). Where the
 * sentry is root it is a tmpfs made with fsopen/fsmount and attached
 * nowhere, held only by fds: the kernel frees it with the last of them,
 * however the sentry ends, so it needs no helper and leaves nothing on
 * the host. Chosen over the other two ways out: a cheaper spawn of the
 * cleanup helper (vfork and exec) still pays, in every root run, for a
 * process and for a directory in the host's /tmp (mkdir, and rmdirs
 * waited for at exit), and making the directory lazily still needs the
 * helper at start, since the sentry's filter forbids starting one later.
 * The forked helper cost 4-5 ms of CPU of a 16-21 ms `msentry run
 * /bin/true` here (docs/benchmarks.md); this costs four syscalls. Its
 * files' host paths read /proc/msentry-mounts/..., a name no host file
 * can have, so the host-path mapping below stays exact. Otherwise
 * (msentry not root) it is /tmp/msentry-mounts-XXXXXX/, which a helper
 * spawned at start (msentry itself) removes when the sentry exits or is
 * killed.
 * size= is reported by statfs (mount_statfs); it is not enforced.
 *
 * The program changes the table with mount(2) and umount2(2)
 * (mount-change.c): entries are added at the end and removed anywhere.
 *
 * Threats: a configured bind mount's source is a host path chosen by the
 * configuration, never by the program; the program's own mounts take
 * their sources inside the sandbox (mount-change.c). Concurrent changes by host processes to a
 * bound host directory are seen as they happen, as with a bind mount.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/mount-internal.h"

/* ---- pure parts (tests/unit/test_mount.c) ---- */

char *mount_normalize(const char *abs)
{
	size_t n = strlen(abs);
	char *out = xmalloc(n + 2);
	size_t len = 0;
	const char *p = abs;
	while (*p) {
		while (*p == '/')
			p++;
		const char *end = p;
		while (*end && *end != '/')
			end++;
		size_t k = (size_t)(end - p);
		if (k == 0)
			break;
		if (k == 1 && p[0] == '.') {
			/* nothing */
		} else if (k == 2 && p[0] == '.' && p[1] == '.') {
			while (len > 0 && out[len - 1] != '/')
				len--;
			if (len > 0)
				len--; /* the slash before the dropped component */
		} else {
			out[len++] = '/';
			memcpy(out + len, p, k);
			len += k;
		}
		p = end;
	}
	if (len == 0)
		out[len++] = '/';
	out[len] = '\0';
	return out;
}

const char *mount_below(const char *path, const char *prefix)
{
	if (strcmp(prefix, "/") == 0)
		return path[0] == '/' ? path + 1 : NULL;
	size_t n = strlen(prefix);
	if (strncmp(path, prefix, n) != 0)
		return NULL;
	if (path[n] == '\0')
		return path + n;
	return path[n] == '/' ? path + n + 1 : NULL;
}

int mount_parse_options(const char *const *opts, struct mount_options *out)
{
	*out = (struct mount_options){.mode = -1};
	for (size_t i = 0; opts && opts[i]; i++) {
		const char *o = opts[i];
		char *end;
		if (strcmp(o, "ro") == 0)
			out->readonly = true;
		else if (strcmp(o, "rw") == 0)
			out->readonly = false;
		else if (strcmp(o, "bind") == 0 || strcmp(o, "rbind") == 0)
			out->bind = true;
		else if (strncmp(o, "mode=", 5) == 0) {
			errno = 0;
			long m = strtol(o + 5, &end, 8);
			if (errno || end == o + 5 || *end || m < 0 || m > 07777)
				return -EINVAL;
			out->mode = (int)m;
		} else if (strncmp(o, "size=", 5) == 0) {
			errno = 0;
			unsigned long long v = strtoull(o + 5, &end, 10);
			if (errno || end == o + 5 || o[5] == '-')
				return -EINVAL;
			unsigned shift = 0;
			if (*end == 'k' || *end == 'K')
				shift = 10;
			else if (*end == 'm' || *end == 'M')
				shift = 20;
			else if (*end == 'g' || *end == 'G')
				shift = 30;
			else if (*end != '\0')
				return -EINVAL;
			if (shift && end[1] != '\0')
				return -EINVAL;
			if (v > (~0ULL >> shift))
				return -EINVAL;
			out->size = v << shift;
		}
		/* Others (nosuid, nodev, noexec, relatime...) change nothing
		 * the sandbox can tell apart here. */
	}
	return 0;
}

size_t mount_lookup(const struct mount_table *mt, const char *norm, const char **rest)
{
	size_t best = 0, best_len = 0;
	for (size_t i = 0; i < mt->n; i++) {
		const char *r = mount_below(norm, mt->v[i].dest);
		size_t len = strlen(mt->v[i].dest);
		if (r && len >= best_len) {
			best = i;
			best_len = len;
			if (rest)
				*rest = r;
		}
	}
	return best;
}

/* ---- building the table ---- */

#define MOUNT_RESOLVE (RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS)

int mount_open_below(int dirfd, const char *rest, int flags, mode_t mode)
{
	struct open_how how = {
	    .flags = (uint64_t)(flags | O_CLOEXEC),
	    .mode = ((flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE) ? (mode & 07777) : 0,
	    .resolve = MOUNT_RESOLVE,
	};
	long fd = syscall(SYS_openat2, dirfd, *rest ? rest : ".", &how, sizeof(how));
	return fd < 0 ? -errno : (int)fd;
}

struct mount *mount_table_add(struct mount_table *mt, const char *dest, int fd, bool readonly,
			      const char *type, const char *source)
{
	mt->v = xrealloc(mt->v, (mt->n + 1) * sizeof(*mt->v));
	mt->any_readonly |= readonly;
	struct mount *m = &mt->v[mt->n++];
	struct stat st;
	*m = (struct mount){.dest = mount_normalize(dest),
			    .fd = fd,
			    .readonly = readonly,
			    .is_file = fstat(fd, &st) == 0 && !S_ISDIR(st.st_mode),
			    .type = xstrdup(type),
			    .source = xstrdup(source ? source : type)};
	m->host = host_path_of_fd(fd);
	if (!m->host)
		m->host = xstrdup("");
	if (strcmp(m->host, "/") == 0)
		m->host[0] = '\0';
	m->dir_fd = -1;
	char *slash = strrchr(m->host, '/');
	if (m->is_file && slash) {
		/* Opened now, as msentry: the private directory (0700) is
		 * not searchable under a program's ids. Its host path may
		 * name nothing on the host (mount-private.c): below its fd. */
		m->dir_fd = mount_private_parent(mt, m->host);
		*slash = '\0';
		if (m->dir_fd < 0)
			m->dir_fd =
			    open(m->host[0] ? m->host : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
		*slash = '/';
	}
	return m;
}

/* The synthesized /dev (a tmpfs on /dev): the harmless host devices as
 * nodes of their own (mknod: the sentry is root; without that right they
 * are missing), links into /proc/self/fd, and pts/, shm/, mqueue/. No
 * other host device is reachable. */
static void populate_dev(int dirfd)
{
	static const struct {
		const char *name;
		unsigned major, minor;
	} nodes[] = {{"null", 1, 3},   {"zero", 1, 5},	  {"full", 1, 7},
		     {"random", 1, 8}, {"urandom", 1, 9}, {"tty", 5, 0}};
	static const char *const links[][2] = {{"fd", "/proc/self/fd"},
					       {"stdin", "/proc/self/fd/0"},
					       {"stdout", "/proc/self/fd/1"},
					       {"stderr", "/proc/self/fd/2"},
					       {"ptmx", "pts/ptmx"}};
	cleanup_close int dir = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; i < ARRAY_SIZE(nodes); i++) {
		mknodat(dir, nodes[i].name, S_IFCHR | 0666,
			makedev(nodes[i].major, nodes[i].minor));
		fchmodat(dir, nodes[i].name, 0666, 0);
	}
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		symlinkat(links[i][1], dir, links[i][0]);
	mkdirat(dir, "pts", 0755);
	mkdirat(dir, "shm", 01777);
	fchmodat(dir, "shm", 01777, 0);
	mkdirat(dir, "mqueue", 01777);
}

int mount_fs_dir(struct sentry *s, const char *dest, const char *type, int mode, struct error *e)
{
	if (strcmp(type, "tmpfs") == 0) {
		int fd = mount_private_subdir(s, mode >= 0 ? mode : 01777, e);
		cleanup_free char *norm = mount_normalize(dest);
		if (fd >= 0 && strcmp(norm, "/dev") == 0)
			populate_dev(fd);
		return fd;
	}
	if (strcmp(type, "proc") == 0) {
		/* procfs serves the sandbox's entries wherever the path is
		 * /proc; the directory below stays what it was. */
		int fd = mount_open(s, dest, O_PATH | O_DIRECTORY, 0);
		if (fd >= 0)
			return fd;
	}
	/* sysfs, devpts, mqueue, cgroup, proc elsewhere: empty. */
	return mount_private_subdir(s, 0555, e);
}

/* Where a configured mount's host side is: an fd, or -1 with `e` set. */
static int mount_source(struct sentry *s, const struct sentry_mount *cm,
			const struct mount_options *o, struct error *e)
{
	const char *type = cm->type ? cm->type : "";
	if (o->bind || strcmp(type, "bind") == 0) {
		if (!cm->source)
			return error_set(e, EINVAL, "mount %s: a bind mount needs a source",
					 cm->destination);
		int fd = open(cm->source, O_PATH | O_CLOEXEC);
		if (fd < 0)
			return error_sys(e, errno, "mount %s: source `%s`", cm->destination,
					 cm->source);
		return fd;
	}
	return mount_fs_dir(s, cm->destination, type, o->mode, e);
}

/* The mount point, made where it is missing, as runc makes it: its
 * parent lists it and ".." from inside it leads there. Each component is
 * made in the mount that holds it at this point of the build. */
static void make_mount_point(struct sentry *s, const char *dest, bool dir)
{
	cleanup_free char *norm = mount_normalize(dest);
	for (char *p = norm + 1; *p; p++) {
		bool last = false;
		char *slash = strchr(p, '/');
		if (!slash)
			last = true, slash = p + strlen(p);
		char saved = *slash;
		*slash = '\0';
		int fd = mount_open(s, norm, O_PATH, 0);
		if (fd == -ENOENT) {
			char *cut = strrchr(norm, '/');
			*cut = '\0';
			cleanup_close int parent =
			    mount_open(s, norm[0] ? norm : "/", O_PATH | O_DIRECTORY, 0);
			*cut = '/';
			if (parent >= 0 && (dir || !last))
				mkdirat(parent, cut + 1, 0755);
			else if (parent >= 0)
				close(
				    openat(parent, cut + 1, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
		} else if (fd >= 0) {
			close(fd);
		}
		*slash = saved;
		if (last)
			break;
		p = slash;
	}
}

/* A configured mount; mounts of unknown types are skipped. */
static int add_config_mount(struct sentry *s, const struct sentry_mount *cm, struct error *e)
{
	struct mount_options o;
	if (!cm->destination || cm->destination[0] != '/')
		return error_set(e, EINVAL, "mount destination `%s`: not absolute",
				 cm->destination ? cm->destination : "");
	if (mount_parse_options(cm->options, &o) != 0)
		return error_set(e, EINVAL, "mount %s: bad options", cm->destination);
	int fd = mount_source(s, cm, &o, e);
	if (fd < 0)
		return -1;
	struct stat st;
	/* Never in the host's own root (msentry run): that would change the
	 * host; the mount works without its point, unlisted. */
	if (s->root_host[0])
		make_mount_point(s, cm->destination, fstat(fd, &st) != 0 || S_ISDIR(st.st_mode));
	const char *type = cm->type ? cm->type : (o.bind ? "bind" : "none");
	mount_entry_add(s, cm->destination, fd, &o, type, cm->source);
	return 0;
}

struct mount *mount_entry_add(struct sentry *s, const char *dest, int fd,
			      const struct mount_options *o, const char *type, const char *source)
{
	bool empty_view = !o->bind && strcmp(type, "bind") != 0 && strcmp(type, "tmpfs") != 0 &&
			  strcmp(type, "proc") != 0;
	struct mount *m =
	    mount_table_add(s->mounts, dest, fd, o->readonly || empty_view, type, source);
	m->size = o->size;
	m->tmpfs = strcmp(type, "tmpfs") == 0 && !o->bind;
	return m;
}

/* linux.maskedPaths and readonlyPaths: paths that do not exist are
 * skipped, as runc skips them. Under /proc, what exists is the host's
 * /proc (the view runc's containers have). */
static int add_path_rule(struct sentry *s, const char *path, bool masked, struct error *e)
{
	cleanup_free char *norm = mount_normalize(path);
	struct stat st;
	bool in_proc = mount_below(norm, "/proc") != NULL;
	cleanup_close int fd = mount_open(s, norm, O_PATH, 0);
	if (fd >= 0 ? fstat(fd, &st) != 0 : !(in_proc && masked && stat(norm, &st) == 0))
		return 0;
	if (!masked) {
		if (fd < 0)
			return 0;
		mount_table_add(s->mounts, norm, fd, true, "bind", norm);
		fd = -1;
		return 0;
	}
	/* A directory: an empty read-only tmpfs, as runc's (mode 1777). */
	int view =
	    S_ISDIR(st.st_mode) ? mount_private_subdir(s, 01777, e) : mount_private_null(s, e);
	if (view < 0)
		return -1;
	mount_table_add(s->mounts, norm, view, S_ISDIR(st.st_mode), "tmpfs", "tmpfs");
	return 0;
}

/* linux.devices: made only where the path lies in a tmpfs (the private
 * /dev), never in a directory of the host's. */
static void make_devices(struct sentry *s)
{
	const struct sentry_config *cfg = s->cfg;
	for (size_t i = 0; i < cfg->ndevices; i++) {
		const struct sentry_device *d = &cfg->devices[i];
		cleanup_free char *norm = mount_normalize(d->path);
		const char *rest = norm + 1;
		const struct mount *m = &s->mounts->v[mount_lookup(s->mounts, norm, &rest)];
		char *slash = strrchr(norm, '/');
		if (!m->tmpfs || !*rest || !slash)
			continue;
		*slash = '\0';
		cleanup_close int dir =
		    mount_open(s, norm[0] ? norm : "/", O_PATH | O_DIRECTORY, 0);
		if (dir < 0)
			continue;
		mode_t kind = d->type == 'b' ? S_IFBLK : d->type == 'p' ? S_IFIFO : S_IFCHR;
		unlinkat(dir, slash + 1, 0);
		if (mknodat(dir, slash + 1, kind | (d->mode & 07777),
			    makedev(d->major, d->minor)) != 0)
			continue;
		fchmodat(dir, slash + 1, d->mode & 07777, 0);
		fchownat(dir, slash + 1, d->uid, d->gid, AT_SYMLINK_NOFOLLOW);
	}
}

int mount_table_build(struct sentry *s, struct error *e)
{
	const struct sentry_config *cfg = s->cfg;
	struct mount_table *mt = s->mounts = xcalloc(1, sizeof(*s->mounts));
	mt->cleanup_fd = mt->private_fd = mt->private_mnt = -1;
	int root = fcntl(s->root_fd, F_DUPFD_CLOEXEC, 0);
	if (root < 0)
		return error_sys(e, errno, "cannot duplicate the root's fd");
	mount_table_add(mt, "/", root, cfg->readonly_root, "rootfs", "rootfs");
	for (size_t i = 0; i < cfg->nmounts; i++)
		if (add_config_mount(s, &cfg->mounts[i], e) != 0)
			return -1;
	for (size_t i = 0; cfg->readonly_paths && cfg->readonly_paths[i]; i++)
		if (add_path_rule(s, cfg->readonly_paths[i], false, e) != 0)
			return -1;
	for (size_t i = 0; cfg->masked_paths && cfg->masked_paths[i]; i++)
		if (add_path_rule(s, cfg->masked_paths[i], true, e) != 0)
			return -1;
	make_devices(s);
	return 0;
}

void mount_entry_free(struct mount *m)
{
	if (m->fd >= 0)
		close(m->fd);
	if (m->dir_fd >= 0)
		close(m->dir_fd);
	free(m->dest);
	free(m->host);
	free(m->type);
	free(m->source);
}

void mount_table_release(struct sentry *s)
{
	struct mount_table *mt = s->mounts;
	if (!mt)
		return;
	mount_watch_forget(mt);
	for (size_t i = 0; i < mt->n; i++)
		mount_entry_free(&mt->v[i]);
	free(mt->v);
	mount_private_release(mt);
	free(mt);
	s->mounts = NULL;
}

/* ---- using it ---- */

int mount_open(struct sentry *s, const char *abs, int flags, mode_t mode)
{
	const struct mount_table *mt = s->mounts;
	cleanup_free char *norm = mount_normalize(abs);
	const char *rest = norm + 1;
	const struct mount *m = &mt->v[mount_lookup(mt, norm, &rest)];
	if (!m->is_file)
		return mount_open_below(m->fd, rest, flags, mode);
	if (*rest)
		return -ENOTDIR;
	if (flags & O_DIRECTORY)
		return -ENOTDIR;
	char link[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", m->fd);
	int fd = open(link, (flags & ~(O_CREAT | O_EXCL | O_NOFOLLOW | O_TRUNC)) | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

int mount_point_parent(struct sentry *s, const char *abs, int *parent_fd, char *last)
{
	const struct mount_table *mt = s->mounts;
	cleanup_free char *norm = mount_normalize(abs);
	const char *rest = norm + 1;
	size_t i = mount_lookup(mt, norm, &rest);
	if (i == 0 || *rest)
		return 1;
	const struct mount *m = &mt->v[i];
	if (!m->is_file) {
		*parent_fd = mount_open_below(m->fd, "", O_PATH | O_DIRECTORY, 0);
		strcpy(last, ".");
		return *parent_fd < 0 ? *parent_fd : 0;
	}
	/* A file: its host directory and name (a private node, or the bind
	 * mount's configured source). */
	const char *slash = strrchr(m->host, '/');
	if (!slash || m->dir_fd < 0 || strlen(slash + 1) > NAME_MAX)
		return -ENOENT;
	strcpy(last, slash + 1);
	int fd = fcntl(m->dir_fd, F_DUPFD_CLOEXEC, 0);
	*parent_fd = fd;
	return fd < 0 ? -errno : 0;
}

int mount_point_busy(struct sentry *s, const char *norm)
{
	const struct mount_table *mt = s->mounts;
	const char *rest = norm + 1;
	size_t i = mount_lookup(mt, norm, &rest);
	if (i == 0 || *rest)
		return 0;
	/* Linux's unlink and rmdir take write access to the parent's mount
	 * first (EROFS), then refuse a mount point (EBUSY). */
	cleanup_free char *parent = xstrdup(norm);
	char *slash = strrchr(parent, '/');
	slash[slash == parent ? 1 : 0] = '\0';
	size_t j = mount_lookup(mt, parent, NULL);
	return mt->v[j].readonly ? -EROFS : -EBUSY;
}

/* The entry whose host side holds host path `host`: longest prefix. */
static const struct mount *by_host(const struct mount_table *mt, const char *host,
				   const char **rest)
{
	const struct mount *best = NULL;
	size_t best_len = 0;
	for (size_t i = 0; i < mt->n; i++) {
		const struct mount *m = &mt->v[i];
		size_t n = strlen(m->host);
		bool under = strncmp(host, m->host, n) == 0 &&
			     (host[n] == '\0' || (host[n] == '/' && !m->is_file));
		if (under && (!best || n >= best_len)) {
			best = m;
			best_len = n;
			*rest = host + n;
		}
	}
	return best;
}

bool mount_fd_readonly(struct sentry *s, int host_fd)
{
	if (!s->mounts->any_readonly)
		return false;
	cleanup_free char *host = host_path_of_fd(host_fd);
	const char *rest;
	const struct mount *m = host ? by_host(s->mounts, host, &rest) : NULL;
	return m && m->readonly;
}

char *mount_from_host(struct sentry *s, const char *host)
{
	const char *rest;
	const struct mount *m = by_host(s->mounts, host, &rest);
	if (!m)
		return xstrdup(host);
	bool root = strcmp(m->dest, "/") == 0;
	if (*rest == '\0')
		return xstrdup(m->dest);
	return xasprintf("%s%s", root ? "" : m->dest, rest);
}

void mount_format(struct sentry *s, struct strbuf *sb, bool info)
{
	const struct mount_table *mt = s->mounts;
	for (size_t i = 0; i < mt->n; i++) {
		const struct mount *m = &mt->v[i];
		const char *opts = m->readonly ? "ro" : "rw";
		/* The mount's own options as Linux lists them: the access
		 * mode, then the atime rule (relatime, Linux's default). */
		const char *mnt_opts = m->readonly ? "ro,relatime" : "rw,relatime";
		if (info)
			strbuf_printf(sb, "%zu %zu 0:%zu / %s %s - %s %s %s\n", 100 + i,
				      i == 0 ? (size_t)99 : (size_t)100, 30 + i, m->dest, mnt_opts,
				      m->type, m->source, opts);
		else
			strbuf_printf(sb, "%s %s %s %s 0 0\n", m->source, m->dest, m->type,
				      mnt_opts);
	}
}

bool mount_fd_tmpfs(struct sentry *s, int host_fd, unsigned long long *size)
{
	if (s->mounts->n < 2)
		return false;
	cleanup_free char *host = host_path_of_fd(host_fd);
	const char *rest;
	const struct mount *m = host ? by_host(s->mounts, host, &rest) : NULL;
	if (!m || !m->tmpfs)
		return false;
	*size = m->size;
	return true;
}
