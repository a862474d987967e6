/* The sentry's mount namespace cut down to what it serves (guard layer 1b).
 *
 * guard_namespaces gives the sentry a mount namespace of its own, but a
 * copy of the caller's: every host path stays reachable, so a sentry bug
 * a program could steer (a path resolved outside its root, a wrong fd
 * joined to a name) would still reach any host file. Once start-up holds
 * everything it needs from the host by fd (the sandbox root, every mount
 * source, the strace file, the stub factory, the vDSO facts read from
 * /proc and /sys), guard_pivot makes the namespace hold only:
 *
 *   - the sandbox root, at its own host path (root_host);
 *   - the host directory or file of every mount of the table that lies
 *     outside it (bind sources), each at its own host path;
 *   - the host's /proc, at /proc.
 *
 * Why the same paths: the sentry names files by their host path (the
 * /proc/self/fd link: path_from_host, the mount table's by_host), and the
 * stubs' mappings show the same names in the program's /proc/PID/maps.
 * With every served tree at its old path the names do not change, and
 * nothing above the kernel's mount layer needs to know about the pivot.
 * Why /proc stays: the sentry reaches files through their fd links
 * (/proc/self/fd/N for linkat, connect, inotify...), its stubs through
 * /proc/PID/mem, maps, stat. It is the one host tree left whole; its
 * /proc/PID/root links still lead to other processes' roots for a sentry
 * as privileged as its caller (closing that needs a PID namespace of the
 * sentry's own; not done).
 *
 * How: every served tree is cloned first (open_tree OPEN_TREE_CLONE,
 * recursive: the root's own submounts come along); then a tmpfs is
 * mounted over the root's host path (the namespace is private, so this
 * is invisible outside, and the clones were taken before), the
 * directories leading to each served path are made in it and each clone
 * is moved there (move_mount); then pivot_root(".", ".") in it, the old
 * root is detached (umount2 MNT_DETACH) and the new root's tmpfs made
 * read-only. The fds the sentry opened before (its root, the mounts')
 * still hold the old, now detached, mounts, whose files a kernel may name
 * from their own mount's root once disconnected: they are reopened
 * through the same paths in the new root, so every name the sentry maps
 * back comes from an attached mount (an fd is kept when the reopened file
 * is not the same one).
 *
 * Skipped, with one --debug line: a root of "/" (msentry run's default:
 * the root is the host's whole tree, nothing to cut), a mount that serves
 * the host's "/", no namespace of its own (the host refused it: pivoting
 * the caller's namespace would change the host), a private mount
 * directory on the host (MSENTRY_PRIVATE_DIR=host: its cleanup helper
 * removes it by host path), and any step the host refuses (no
 * CAP_SYS_ADMIN, a kernel without open_tree, a root on rootfs), in which
 * case the namespace stays as it was.
 *
 * Threats: after the pivot the sentry's root (and its stubs', which share
 * the namespace) is the tmpfs: /proc/<sentry pid>/root from the host
 * lists the served paths' first components and "proc", nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/mount.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/guard.h"
#include "sentry/kernel/files.h"

/* A served tree: its host path and its clone. */
struct served {
	char *path;
	int tree;
};

struct pivot_plan {
	struct served v[64];
	size_t n;
	const char *why; /* not pivoted: why */
};

static int by_length(const void *a, const void *b)
{
	size_t la = strlen(((const struct served *)a)->path);
	size_t lb = strlen(((const struct served *)b)->path);
	return la < lb ? -1 : la > lb;
}

static void plan_add(struct pivot_plan *p, const char *path)
{
	if (p->why)
		return;
	if (path[0] != '/' || path[1] == '\0') {
		p->why = "a mount serves the host's /";
		return;
	}
	if (p->n == ARRAY_SIZE(p->v)) {
		p->why = "too many mounts to serve";
		return;
	}
	p->v[p->n++] = (struct served){xstrdup(path), -1};
}

/* The served paths, shortest first, none below another (a recursive
 * clone of the upper one holds it). */
static void plan_build(struct sentry *s, struct pivot_plan *p)
{
	const struct mount_table *mt = s->mounts;
	plan_add(p, "/proc");
	plan_add(p, s->root_host);
	for (size_t i = 1; i < mt->n; i++) {
		const char *host = mt->v[i].host;
		/* The detached private tmpfs: reached by fds only. */
		if (mt->private_mnt >= 0 && mount_below(host, mt->private_dir))
			continue;
		plan_add(p, host);
	}
	qsort(p->v, p->n, sizeof(p->v[0]), by_length);
	size_t kept = 0;
	for (size_t i = 0; i < p->n; i++) {
		bool below = false;
		for (size_t j = 0; j < kept && !below; j++)
			below = mount_below(p->v[i].path, p->v[j].path) != NULL;
		if (below)
			free(p->v[i].path);
		else
			p->v[kept++] = p->v[i];
	}
	p->n = kept;
}

static void plan_release(struct pivot_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		if (p->v[i].tree >= 0)
			close(p->v[i].tree);
	}
}

/* The directories leading to `path` below `top`, and its last component
 * (a directory, or an empty file for a file). */
static int make_point(int top, const char *path, bool dir)
{
	cleanup_free char *rel = xstrdup(path + 1);
	for (char *slash = strchr(rel, '/'); slash; slash = strchr(slash + 1, '/')) {
		*slash = '\0';
		if (mkdirat(top, rel, 0755) != 0 && errno != EEXIST)
			return -1;
		*slash = '/';
	}
	if (dir)
		return mkdirat(top, rel, 0755) != 0 && errno != EEXIST ? -1 : 0;
	int fd = openat(top, rel, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
	if (fd < 0)
		return -1;
	close(fd);
	return 0;
}

/* Clone every served tree, then cover the root's path with a tmpfs and
 * move the clones in at their paths. -1 with errno and the failed step. */
static int assemble(struct sentry *s, struct pivot_plan *p, const char **step, bool *covered)
{
	*step = "open_tree";
	for (size_t i = 0; i < p->n; i++) {
		p->v[i].tree = (int)syscall(SYS_open_tree, AT_FDCWD, p->v[i].path,
					    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
		if (p->v[i].tree < 0)
			return -1;
	}
	*step = "mount tmpfs";
	if (mount("msentry-root", s->root_host, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  "mode=0755,size=64k") != 0)
		return -1;
	*covered = true;
	cleanup_close int top = open(s->root_host, O_PATH | O_DIRECTORY | O_CLOEXEC);
	*step = "mkdir";
	if (top < 0)
		return -1;
	for (size_t i = 0; i < p->n; i++) {
		struct stat st;
		*step = "mkdir";
		if (fstat(p->v[i].tree, &st) != 0 ||
		    make_point(top, p->v[i].path, S_ISDIR(st.st_mode)) != 0)
			return -1;
		*step = "move_mount";
		if (syscall(SYS_move_mount, p->v[i].tree, "", top, p->v[i].path + 1,
			    MOVE_MOUNT_F_EMPTY_PATH) != 0)
			return -1;
	}
	return 0;
}

/* Into the tmpfs: pivot_root(".", ".") stacks the old root on the new
 * one, and the detach takes it away. */
static int enter(struct sentry *s, const char **step)
{
	*step = "chdir";
	if (chdir(s->root_host) != 0)
		return -1;
	*step = "pivot_root";
	if (syscall(SYS_pivot_root, ".", ".") != 0)
		return -1;
	*step = "umount2";
	if (umount2(".", MNT_DETACH) != 0)
		return -1;
	*step = "chdir /";
	if (chdir("/") != 0)
		return -1;
	/* Nothing the sentry makes lands in the new root itself. */
	mount(NULL, "/", NULL, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
	      NULL);
	return 0;
}

/* `fd`, opened before the pivot, opened again at its host path, in place
 * (same number), if that is the same file or `any` says it need not be. */
static void reopen(int fd, const char *host, bool any)
{
	if (fd < 0)
		return;
	int flags = fcntl(fd, F_GETFL);
	struct stat was, now;
	if (flags < 0 || fstat(fd, &was) != 0)
		return;
	int keep = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_ACCMODE;
	int again = open(host[0] ? host : "/", (flags & keep) | O_CLOEXEC);
	if (again < 0)
		return;
	if (any ||
	    (fstat(again, &now) == 0 && now.st_dev == was.st_dev && now.st_ino == was.st_ino))
		dup3(again, fd, O_CLOEXEC);
	close(again);
}

static void reopen_all(struct sentry *s)
{
	struct mount_table *mt = s->mounts;
	reopen(s->root_fd, s->root_host, false);
	for (size_t i = 0; i < mt->n; i++) {
		struct mount *m = &mt->v[i];
		if (mt->private_mnt >= 0 && mount_below(m->host, mt->private_dir))
			continue;
		reopen(m->fd, m->host, false);
		if (m->dir_fd < 0)
			continue;
		/* A file mount's directory (its point's changes go through it):
		 * the new root's, where the file is a mount point, whether or
		 * not the host's directory is served. Its old fd held the
		 * host's, where unlinking the name removed the host's file. */
		cleanup_free char *parent = xstrdup(m->host);
		char *slash = strrchr(parent, '/');
		if (slash)
			*(slash == parent ? slash + 1 : slash) = '\0';
		reopen(m->dir_fd, parent, true);
	}
}

static const char *why_not(struct sentry *s, bool own_ns)
{
	if (!s->root_host[0])
		return "the root is the host's /, nothing to cut";
	if (!own_ns)
		return "no mount namespace of its own";
	const char *force = getenv("MSENTRY_PRIVATE_DIR");
	if (s->mounts->cleanup_fd >= 0 || (force && strcmp(force, "host") == 0))
		return "the mounts' private directory is on the host";
	return NULL;
}

void guard_pivot(struct sentry *s, bool own_ns)
{
	const bool debug = s->cfg->debug;
	struct pivot_plan p = {.why = why_not(s, own_ns)};
	if (!p.why)
		plan_build(s, &p);
	if (p.why) {
		if (debug)
			fprintf(stderr, "msentry: guard: mount namespace not pivoted (%s)\n",
				p.why);
		plan_release(&p);
		return;
	}
	const char *step = "";
	bool covered = false;
	int rc = assemble(s, &p, &step, &covered);
	if (rc == 0)
		rc = enter(s, &step);
	if (rc != 0) {
		int err = errno;
		/* Whatever was attached is gone with the cover (a failed
		 * pivot_root leaves the old root in place). */
		if (covered && strcmp(step, "umount2") != 0 && strcmp(step, "chdir /") != 0) {
			umount2(s->root_host, MNT_DETACH);
			(void)!chdir("/");
		}
		if (debug)
			fprintf(stderr,
				"msentry: guard: host refused the pivot (%s: %s): the mount "
				"namespace keeps the host's paths\n",
				step, strerror(err));
		plan_release(&p);
		return;
	}
	reopen_all(s);
	if (debug) {
		fprintf(stderr, "msentry: guard: mount namespace pivoted to a tmpfs holding");
		for (size_t i = 0; i < p.n; i++)
			fprintf(stderr, " %s", p.v[i].path);
		fputc('\n', stderr);
	}
	plan_release(&p);
}
