/* The sandbox's private directory: where tmpfs mounts, the empty views
 * (sysfs, cgroup, masked directories...) and the masked files' node live.
 *
 * What it must guarantee: what the program writes in a tmpfs is gone
 * when the sandbox ends, whether the sentry exits or is SIGKILLed;
 * nothing is left on the host (no /tmp entry); and the program reaches
 * the directory only through the fds the sentry opens below it. The
 * program's own mount(2) needs it after the sentry's seccomp filter is
 * on (host-allow.def: no fork, no exec, no mount), so a program that may
 * mount gets it before the filter (mount_prepare): every root run.
 *
 * How it works, when the sentry may create a file system (root, as
 * msentry runs for containers): a tmpfs made with the new mount API
 * (fsopen, fsconfig, fsmount) and attached nowhere. Only fds hold it:
 * the fsmount fd and every fd opened below it (the sentry's, and the
 * stubs' mappings of its files). The kernel frees it, files and all,
 * when the last of them closes, whatever way the sentry dies: no helper
 * process, no directory in /tmp, no removal to wait for at exit, and no
 * disk: it costs four syscalls (about 30 us here), where the fallback
 * below cost 5-7 ms of each `msentry run` (its fork copied the sentry's
 * page tables, the helper then ran for the whole run, and exit waited
 * for its two rmdirs on the host's /tmp).
 *
 * Names. The mount table maps files back to mounts by their host path
 * (the /proc/self/fd link, mount.c's by_host), and the kernel names a
 * file of a mount attached nowhere by its path from that mount's root,
 * with a leading "/": "/t/0/f" could be a host file too, and a host
 * file would then be taken for a tmpfs one (a read-only root's file for
 * a writable tmpfs's). So the directory inside the tmpfs is
 * proc/msentry-mounts: its files read as /proc/msentry-mounts/..., a
 * name nothing on the host can have (procfs refuses to create files;
 * /proc being procfs is checked first).
 *
 * The fallback (msentry not root: fsopen is refused): a directory
 * /tmp/msentry-mounts-XXXXXX, removed at exit and when the sentry is
 * killed by a small helper process started with it: msentry itself
 * (`msentry --mounts-cleanup-helper DIR`) through posix_spawn, a vfork
 * and an exec, so the sentry's page tables are not copied, nor its pages
 * made copy-on-write for the whole run, as a fork did. The helper waits
 * for EOF on a pipe only the sentry holds (the kernel closes it whatever
 * way the sentry dies) and then removes the tree; it blocks and ignores
 * every signal it can, so that a `pkill` of msentry's name leaves it to
 * clean up.
 * MSENTRY_PRIVATE_DIR=host takes the fallback even as root (for
 * bench/startup.sh and tests/integration/tmpfs-cleanup.sh).
 *
 * Either way the directory's top is 0711 (the masked files' node is
 * opened under the program's ids through its O_PATH parent) and the
 * mounts' directories are below, in t/ (0700). Everything is made and
 * opened below the directory's fd (mkdirat, mknodat, openat), which the
 * sentry's filter allows, never by host path.
 *
 * Threats: the program never names the directory: its mounts reach it
 * through the fds opened here, confined below them (openat2
 * RESOLVE_IN_ROOT, mount.c). A detached tmpfs is not in any mount
 * namespace, so no host process can walk into it either. Its files are
 * memory, as any tmpfs's (charged to the sentry's cgroup; the kernel's
 * default limit, half the RAM, as for runc's tmpfs mounts): size= is
 * still not enforced, since one tmpfs serves every mount.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/magic.h>
#include <linux/mount.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/mount-internal.h"

/* The directory inside the detached tmpfs, and so its files' host
 * paths' prefix (see the essay). */
#define DETACHED_DIR "proc/msentry-mounts"

/* The detached tmpfs: 0, or -1 where the host refuses it (not root, a
 * kernel before 5.2, no procfs on /proc) and the fallback is used. */
static int private_tmpfs(struct mount_table *mt)
{
	struct statfs proc;
	if (statfs("/proc", &proc) != 0 || proc.f_type != PROC_SUPER_MAGIC)
		return -1;
	cleanup_close int fs = (int)syscall(SYS_fsopen, "tmpfs", FSOPEN_CLOEXEC);
	if (fs < 0)
		return -1;
	if (syscall(SYS_fsconfig, fs, FSCONFIG_SET_STRING, "mode", "0700", 0) != 0 ||
	    syscall(SYS_fsconfig, fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) != 0)
		return -1;
	int mnt = (int)syscall(SYS_fsmount, fs, FSMOUNT_CLOEXEC, 0);
	if (mnt < 0)
		return -1;
	int dir = -1;
	if (mkdirat(mnt, "proc", 0700) == 0 && mkdirat(mnt, DETACHED_DIR, 0711) == 0 &&
	    mkdirat(mnt, DETACHED_DIR "/t", 0700) == 0)
		dir = openat(mnt, DETACHED_DIR, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir < 0) {
		close(mnt);
		return -1;
	}
	mt->private_mnt = mnt;
	mt->private_fd = dir;
	mt->private_dir = xstrdup("/" DETACHED_DIR);
	return 0;
}

/* The fallback's helper, a process of its own (see the essay): fd 3 is
 * the pipe; every signal it can is blocked from its start (the spawn's
 * mask) and ignored. */
int sentry_mounts_cleanup(const char *dir)
{
	for (int sig = 1; sig < 32; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_IGN);
	/* Nothing of the sentry's but the pipe (its stdio, --pass-fd fds). */
	syscall(SYS_close_range, 0, 2, 0);
	syscall(SYS_close_range, 4, ~0U, 0);
	char c;
	ssize_t n;
	while ((n = read(3, &c, 1)) != 0 && (n > 0 || errno == EINTR))
		;
	/* Often nothing was made in it (a directory prepared for a mount(2)
	 * the program never made): two rmdirs then, and no rm to start,
	 * which msentry's exit waits for. */
	cleanup_free char *sub = xasprintf("%s/t", dir);
	if (rmdir(sub) == 0 && rmdir(dir) == 0)
		return 0;
	execl("/bin/rm", "rm", "-rf", "--one-file-system", dir, (char *)NULL);
	return 127;
}

/* Start the helper: msentry itself (/proc/self/exe) through posix_spawn,
 * a vfork: the sentry's page tables are not copied, as a fork copied
 * them (and then every page the sentry wrote while the helper lived). */
static pid_t spawn_helper(const char *dir, int rfd)
{
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t at;
	sigset_t all;
	sigfillset(&all);
	/* Above 3, so that the dup2 onto 3 is a real one, which leaves the
	 * copy open across the exec (older C libraries keep the flag of a
	 * dup2 onto itself). */
	cleanup_close int above = fcntl(rfd, F_DUPFD_CLOEXEC, 4);
	if (above < 0)
		return -1;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, above, 3);
	posix_spawnattr_init(&at);
	posix_spawnattr_setsigmask(&at, &all);
	posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
	char *const argv[] = {"msentry", SENTRY_MOUNTS_CLEANUP, (char *)dir, NULL};
	char *const envp[] = {NULL};
	pid_t pid = -1;
	int rc = posix_spawn(&pid, "/proc/self/exe", &fa, &at, argv, envp);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&at);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	return pid;
}

/* The fallback: a directory in /tmp and its cleanup helper. */
static int private_host_dir(struct mount_table *mt, struct error *e)
{
	char tmpl[] = "/tmp/msentry-mounts-XXXXXX";
	if (!mkdtemp(tmpl))
		return error_sys(e, errno, "cannot create a directory for the sandbox's mounts");
	mt->private_dir = xstrdup(tmpl);
	cleanup_free char *sub = xasprintf("%s/t", tmpl);
	if (chmod(tmpl, 0711) != 0 || mkdir(sub, 0700) != 0)
		return error_sys(e, errno, "cannot set up `%s`", tmpl);
	mt->private_fd = open(tmpl, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (mt->private_fd < 0)
		return error_sys(e, errno, "cannot open `%s`", tmpl);
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		return error_sys(e, errno, "cannot create a pipe");
	pid_t pid = spawn_helper(tmpl, p[0]);
	close(p[0]);
	if (pid < 0) {
		int err = errno;
		close(p[1]);
		rmdir(sub); /* nobody else would remove them */
		rmdir(tmpl);
		return error_sys(e, err, "cannot start the mounts' cleanup helper");
	}
	mt->cleanup_fd = p[1];
	mt->cleanup_pid = pid;
	return 0;
}

int mount_private_dir(struct sentry *s, struct error *e)
{
	struct mount_table *mt = s->mounts;
	if (mt->private_dir)
		return 0;
	/* MSENTRY_PRIVATE_DIR=host: the fallback even as root, so that
	 * bench/startup.sh and tests can set the two side by side. */
	const char *force = getenv("MSENTRY_PRIVATE_DIR");
	if (!(force && strcmp(force, "host") == 0) && private_tmpfs(mt) == 0)
		return 0;
	return private_host_dir(mt, e);
}

int mount_private_subdir(struct sentry *s, int mode, struct error *e)
{
	if (mount_private_dir(s, e) != 0)
		return -1;
	struct mount_table *mt = s->mounts;
	char name[32];
	snprintf(name, sizeof(name), "t/%zu", mt->next_dir++);
	if (mkdirat(mt->private_fd, name, 0700) != 0 ||
	    fchmodat(mt->private_fd, name, (mode_t)mode, 0) != 0)
		return error_sys(e, errno, "cannot create `%s/%s`", mt->private_dir, name);
	int fd = openat(mt->private_fd, name, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return error_sys(e, errno, "cannot open `%s/%s`", mt->private_dir, name);
	return fd;
}

int mount_private_null(struct sentry *s, struct error *e)
{
	if (mount_private_dir(s, e) != 0)
		return -1;
	const struct mount_table *mt = s->mounts;
	int dir = mt->private_fd;
	if (faccessat(dir, "null", F_OK, 0) != 0 &&
	    mknodat(dir, "null", S_IFCHR | 0666, makedev(1, 3)) != 0) {
		int fd = openat(dir, "null", O_CREAT | O_WRONLY | O_CLOEXEC, 0444);
		if (fd < 0)
			return error_sys(e, errno, "cannot create `%s/null`", mt->private_dir);
		close(fd);
	}
	int fd = openat(dir, "null", O_PATH | O_CLOEXEC);
	return fd < 0 ? error_sys(e, errno, "cannot open `%s/null`", mt->private_dir) : fd;
}

int mount_private_parent(const struct mount_table *mt, const char *host)
{
	const char *slash = strrchr(host, '/');
	if (!mt->private_dir || !slash)
		return -1;
	cleanup_free char *parent = xstrdup(host);
	parent[slash - host] = '\0';
	const char *rest = mount_below(parent, mt->private_dir);
	if (!rest)
		return -1;
	return openat(mt->private_fd, *rest ? rest : ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
}

void mount_private_release(struct mount_table *mt)
{
	if (!mt->private_dir)
		return;
	close(mt->private_fd);
	if (mt->private_mnt >= 0)
		close(mt->private_mnt); /* the kernel frees the tmpfs with its last fd */
	if (mt->cleanup_fd >= 0) {
		/* The helper removes the tree once the pipe closes; wait for
		 * it, so nothing is left when msentry returns. */
		close(mt->cleanup_fd);
		while (waitpid(mt->cleanup_pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	free(mt->private_dir);
	mt->private_dir = NULL;
}
