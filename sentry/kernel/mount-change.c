/* Mounts the program makes: mount(2) and umount2(2) served on the
 * sandbox's own mount table (mount.c).
 *
 * How it works. The sandbox has one mount namespace, the table in
 * s->mounts, which start-up builds from the configuration. A program with
 * CAP_SYS_ADMIN in the sandbox may change it as Linux lets a mount
 * namespace's owner change its own:
 *  - a new tmpfs (ramfs alike) is a fresh private host directory, as a
 *    configured tmpfs is; proc is served by procfs; sysfs, devpts,
 *    mqueue, cgroup and cgroup2 are empty read-only views;
 *  - a bind mount (MS_BIND, MS_REC alike) makes a sandbox directory or
 *    file appear at a second place; its source is resolved in the sandbox
 *    like any other path, so it can never name a host path outside;
 *  - MS_REMOUNT changes whether a mount is read-only; MS_MOVE moves a
 *    mount; propagation changes (MS_SHARED, MS_PRIVATE, MS_SLAVE,
 *    MS_UNBINDABLE) are accepted on a mount point and change nothing, as
 *    there is no other namespace to propagate to;
 *  - umount2 removes a mount that nothing uses (no task's cwd below it,
 *    no open file in it, no mount on top of it; MNT_DETACH takes it
 *    away anyway, MNT_EXPIRE marks it first), and removes a tmpfs's
 *    contents.
 * Every other file-system type is ENODEV: the sandbox has no block
 * devices, and giving it loop devices would hand untrusted images to the
 * host kernel's file-system parsers (runsc refuses them too).
 *
 * Threats: the program chooses both paths; both resolve inside the
 * sandbox (path_open_file), and a mount only ever exposes what the
 * sandbox could already reach. Removing a tmpfs's contents is bounded
 * (UMOUNT_BUDGET unlinks); what is left goes with the private directory
 * at exit, so a huge or deep tree cannot stall the sentry's thread.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/mount-internal.h"

/* Unlinks one umount may make in a tmpfs it removes (see the essay). */
#define UMOUNT_BUDGET 4096

#define MS_PROPAGATION (MS_SHARED | MS_PRIVATE | MS_SLAVE | MS_UNBINDABLE)

/* The mount whose path is exactly `dest`, or 0 (never the root's). */
static size_t mount_at(const struct mount_table *mt, const char *dest)
{
	const char *rest = "";
	size_t i = mount_lookup(mt, dest, &rest);
	return *rest == '\0' ? i : 0;
}

/* A program path resolved as Linux resolves a mount's: the sandbox path
 * of what it names (symlinks followed unless `nofollow`), and whether it
 * is a directory. */
static long resolve_target(struct task *t, const char *path, bool nofollow, char **dest,
			   bool *is_dir)
{
	struct file *f;
	long rc = path_open_file(t, AT_FDCWD, path, O_PATH | (nofollow ? O_NOFOLLOW : 0), 0, &f);
	if (rc != 0)
		return rc;
	struct stat st;
	if (f->host_fd >= 0 && fstat(f->host_fd, &st) == 0) {
		*is_dir = S_ISDIR(st.st_mode);
		*dest = path_of_host_fd(t->s, f->host_fd);
	} else {
		/* A directory procfs serves: named by its path. */
		*is_dir = true;
		*dest = f->path ? mount_normalize(f->path) : NULL;
	}
	file_put(f);
	return *dest ? 0 : -ENOENT;
}

/* "a,b=c" as mount_parse_options wants it. */
static int parse_data(const char *data, bool readonly, struct mount_options *o)
{
	cleanup_free char *copy = xstrdup(data ? data : "");
	const char *opts[64];
	size_t n = 0;
	for (char *save, *tok = strtok_r(copy, ",", &save); tok && n < 62;
	     tok = strtok_r(NULL, ",", &save))
		opts[n++] = tok;
	if (readonly)
		opts[n++] = "ro";
	opts[n] = NULL;
	return mount_parse_options(opts, o);
}

static bool served_type(const char *type)
{
	static const char *const types[] = {"tmpfs",  "ramfs",	"proc",	  "sysfs",
					    "devpts", "mqueue", "cgroup", "cgroup2"};
	for (size_t i = 0; i < ARRAY_SIZE(types); i++)
		if (strcmp(type, types[i]) == 0)
			return true;
	return false;
}

static long mount_new_fs(struct task *t, const char *dest, bool is_dir, const char *type,
			 const char *source, unsigned long flags, const char *data)
{
	if (!served_type(type))
		return -ENODEV;
	if (!is_dir)
		return -ENOTDIR;
	struct mount_options o;
	if (parse_data(data, flags & MS_RDONLY, &o) != 0)
		return -EINVAL;
	const char *kind = strcmp(type, "ramfs") == 0 ? "tmpfs" : type;
	struct error e = {0};
	int fd = mount_fs_dir(t->s, dest, kind, o.mode, &e);
	if (fd < 0)
		return e.err ? -e.err : -ENOMEM;
	mount_entry_add(t->s, dest, fd, &o, kind, source && *source ? source : type);
	return 0;
}

static long mount_bind(struct task *t, const char *source, const char *dest, bool is_dir)
{
	if (!source)
		return -EFAULT;
	struct file *f;
	long rc = path_open_file(t, AT_FDCWD, source, O_PATH, 0, &f);
	if (rc != 0)
		return rc;
	struct stat st;
	int fd = f->host_fd >= 0 ? fcntl(f->host_fd, F_DUPFD_CLOEXEC, 0) : -1;
	file_put(f);
	if (fd < 0)
		return -EINVAL; /* a synthesized file: nothing to bind */
	if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode) != is_dir) {
		close(fd);
		return -ENOTDIR;
	}
	/* Linux ignores every other flag of a new bind (read-only takes a
	 * remount), and lists the mount under the source's type. */
	cleanup_free char *src = path_of_host_fd(t->s, fd);
	struct mount_options o = {.bind = true, .mode = -1};
	const struct mount_table *mt = t->s->mounts;
	/* The entry's own string: adding an entry moves the array, not it. */
	const char *type = mt->v[mount_lookup(mt, src ? src : "/", NULL)].type;
	mount_entry_add(t->s, dest, fd, &o, type, src ? src : source);
	return 0;
}

static void recount_readonly(struct mount_table *mt)
{
	mt->any_readonly = false;
	for (size_t i = 0; i < mt->n; i++)
		mt->any_readonly |= mt->v[i].readonly;
}

static long mount_move(struct task *t, const char *source, const char *dest)
{
	if (!source)
		return -EFAULT;
	cleanup_free char *from = NULL;
	bool is_dir;
	long rc = resolve_target(t, source, false, &from, &is_dir);
	if (rc != 0)
		return rc;
	struct mount_table *mt = t->s->mounts;
	size_t i = mount_at(mt, from);
	if (i == 0 || mount_below(dest, from))
		return -EINVAL;
	free(mt->v[i].dest);
	mt->v[i].dest = mount_normalize(dest);
	return 0;
}

long mount_change(struct task *t, const char *source, const char *target, const char *type,
		  unsigned long flags, const char *data)
{
	if (!caps_has(t->proc, CAP_SYS_ADMIN))
		return -EPERM;
	if ((flags & 0xffff0000UL) == MS_MGC_VAL)
		flags &= 0xffffUL;
	cleanup_free char *dest = NULL;
	bool is_dir;
	long rc = resolve_target(t, target, false, &dest, &is_dir);
	if (rc != 0)
		return rc;
	struct mount_table *mt = t->s->mounts;
	size_t at = mount_at(mt, dest);
	if (flags & MS_REMOUNT) {
		if (at == 0 && strcmp(dest, "/") != 0)
			return -EINVAL;
		mt->v[at].readonly = (flags & MS_RDONLY) != 0;
		recount_readonly(mt);
		return 0;
	}
	if (flags & MS_PROPAGATION)
		return at == 0 && strcmp(dest, "/") != 0 ? -EINVAL : 0;
	if (flags & MS_MOVE)
		return mount_move(t, source, dest);
	if (flags & MS_BIND)
		return mount_bind(t, source, dest, is_dir);
	if (!type)
		return -EINVAL;
	return mount_new_fs(t, dest, is_dir, type, source, flags, data);
}

int mount_prepare(struct sentry *s, const struct process *init, struct error *e)
{
	/* The private directory needs fsopen and fsmount (or, in the
	 * fallback, a fork), which the sentry's own filter forbids once the
	 * program runs: made now for a program that may mount a tmpfs later
	 * (mount-private.c). */
	if (!caps_has(init, CAP_SYS_ADMIN))
		return 0;
	return mount_private_dir(s, e);
}

/* ---- umount2 ---- */

/* Whether the mount is in use: a cwd below it, an open file in it. */
static bool file_in_mount(struct file *f, const void *key)
{
	const struct mount *m = key;
	cleanup_free char *host = host_path_of_fd(f->host_fd);
	if (!host)
		return false;
	size_t n = strlen(m->host);
	return strncmp(host, m->host, n) == 0 && (host[n] == '\0' || host[n] == '/');
}

static bool mount_busy(struct sentry *s, size_t i)
{
	const struct mount *m = &s->mounts->v[i];
	for (size_t j = 0; j < s->mounts->n; j++)
		if (j != i && mount_below(s->mounts->v[j].dest, m->dest) && j > i)
			return true;
	for (struct task *t = s->tasks; t; t = t->next)
		if (t->fs && (mount_below(t->fs->cwd, m->dest) ||
			      (t->fs->root && mount_below(t->fs->root, m->dest))))
			return true;
	return m->host[0] && file_find(s, file_in_mount, m) != NULL;
}

/* Empty a private tmpfs directory, within the budget (see the essay):
 * depth first, keeping only the names on the way down. */
static void remove_contents(int top)
{
	int cur = fcntl(top, F_DUPFD_CLOEXEC, 0), budget = UMOUNT_BUDGET, depth = 0;
	char **names = NULL;
	while (cur >= 0 && budget-- > 0) {
		DIR *d = fdopendir(fcntl(cur, F_DUPFD_CLOEXEC, 0));
		struct dirent *de;
		int child = -1;
		while (d && (de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
			    unlinkat(cur, de->d_name, 0) == 0 || errno != EISDIR)
				continue;
			child = openat(cur, de->d_name,
				       O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (child >= 0) {
				names = xrealloc(names, (size_t)(depth + 1) * sizeof(*names));
				names[depth++] = xstrdup(de->d_name);
				break;
			}
		}
		if (d)
			closedir(d);
		if (child < 0 && depth == 0)
			break;
		int next =
		    child >= 0 ? child : openat(cur, "..", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		close(cur);
		cur = next;
		if (child < 0 && cur >= 0) {
			unlinkat(cur, names[--depth], AT_REMOVEDIR);
			free(names[depth]);
		}
	}
	if (cur >= 0)
		close(cur);
	while (depth > 0)
		free(names[--depth]);
	free(names);
}

static void mount_drop(struct mount_table *mt, size_t i)
{
	struct mount *m = &mt->v[i];
	if (m->tmpfs && mt->private_dir &&
	    strncmp(m->host, mt->private_dir, strlen(mt->private_dir)) == 0) {
		int dir = openat(m->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dir >= 0) {
			remove_contents(dir);
			close(dir);
		}
	}
	mount_entry_free(m);
	memmove(m, m + 1, (mt->n - i - 1) * sizeof(*m));
	mt->n--;
	recount_readonly(mt);
}

long mount_remove(struct task *t, const char *target, int flags)
{
	if (flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW))
		return -EINVAL;
	if ((flags & MNT_EXPIRE) && (flags & (MNT_FORCE | MNT_DETACH)))
		return -EINVAL;
	if (!caps_has(t->proc, CAP_SYS_ADMIN))
		return -EPERM;
	cleanup_free char *dest = NULL;
	bool is_dir;
	long rc = resolve_target(t, target, flags & UMOUNT_NOFOLLOW, &dest, &is_dir);
	if (rc != 0)
		return rc;
	struct mount_table *mt = t->s->mounts;
	size_t i = mount_at(mt, dest);
	if (i == 0)
		return -EINVAL;
	if (flags & MNT_EXPIRE) {
		/* The first call marks it; a second one, with nothing
		 * having used it between, takes it away. */
		if (mount_busy(t->s, i))
			return -EBUSY;
		if (!mt->v[i].expired) {
			mt->v[i].expired = true;
			return -EAGAIN;
		}
	} else if (!(flags & MNT_DETACH) && mount_busy(t->s, i)) {
		return -EBUSY;
	}
	/* Detached: the mounts on top of it go with it. */
	cleanup_free char *gone = xstrdup(mt->v[i].dest);
	for (size_t j = mt->n; j-- > i + 1;)
		if (mount_below(mt->v[j].dest, gone))
			mount_drop(mt, j);
	mount_drop(mt, i);
	return 0;
}
