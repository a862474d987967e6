/* mount and umount2: the sandbox's own mount table against Linux's, on
 * tmpfs and bind mounts in the test's directory (root only: without
 * CAP_SYS_ADMIN both runs see EPERM alike); poll and epoll on
 * /proc/self/mounts as the table changes. Every mount is detached at
 * the end, so a failing native run leaves nothing mounted. */
#include <linux/magic.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/statfs.h>

#include "probe.h"

static void show_mode(const char *path)
{
	struct stat st;
	if (stat(path, &st) == 0)
		say("mode of %s = %o", path, (unsigned)(st.st_mode & 07777));
	else
		say("stat %s = -1 %s", path, errname(errno));
}

static void show_tmpfs(const char *path)
{
	struct statfs sf;
	errno = 0;
	int r = statfs(path, &sf);
	say("statfs %s: %s", path,
	    r != 0		       ? errname(errno)
	    : sf.f_type == TMPFS_MAGIC ? "tmpfs"
				       : "not tmpfs");
}

/* Whether the open mounts file `fd`, read again from its start, lists a
 * mount on `dir`. */
static bool lists(int fd, const char *dir)
{
	static char text[1 << 16];
	char want[PATH_MAX + 4];
	lseek(fd, 0, SEEK_SET);
	ssize_t n, len = 0;
	while (len < (ssize_t)sizeof(text) - 1 &&
	       (n = read(fd, text + len, sizeof(text) - 1 - (size_t)len)) > 0)
		len += n;
	text[len] = '\0';
	snprintf(want, sizeof(want), " %s ", dir);
	return strstr(text, want) != NULL;
}

/* poll and epoll on /proc/self/mounts: always readable; PRI (and ERR for
 * poll) once after each change of the table; read again, it shows the
 * change (LTP epoll_wait10). An epoll instance's PRI and poll's are not
 * compared on one file: the host's epoll cannot tell the sentry that it
 * reported a change, which in Linux ends poll's PRI too. */
static void mounts_poll(void)
{
	char dir[PATH_MAX];
	if (!getcwd(dir, sizeof(dir) - 2))
		return;
	strcat(dir, "/m");
	/* Two opens: each file has its own view of what it reported (Linux
	 * keeps it per file, whichever of poll and epoll asked). */
	int fd = open("/proc/self/mounts", O_RDONLY), e = epoll_create1(0);
	int fd2 = open("/proc/self/mounts", O_RDONLY);
	struct epoll_event ev = {.events = EPOLLPRI, .data.u64 = 7}, got;
	SHOW(epoll_ctl(e, EPOLL_CTL_ADD, fd, &ev));
	struct pollfd p = {.fd = fd2, .events = POLLIN | POLLPRI};
	SHOW(poll(&p, 1, 0));
	say("unchanged: revents IN %d PRI %d ERR %d", !!(p.revents & POLLIN),
	    !!(p.revents & POLLPRI), !!(p.revents & POLLERR));
	SHOW(epoll_wait(e, &got, 1, 0));
	SHOW(mount("none", "m", "tmpfs", 0, NULL));
	SHOW(epoll_wait(e, &got, 1, 1000));
	say("epoll after mount: PRI %d, data %d", !!(got.events & EPOLLPRI), (int)got.data.u64);
	SHOW(poll(&p, 1, 0));
	say("poll after mount: IN %d PRI %d ERR %d", !!(p.revents & POLLIN),
	    !!(p.revents & POLLPRI), !!(p.revents & POLLERR));
	SHOW(poll(&p, 1, 0));
	say("poll again: PRI %d", !!(p.revents & POLLPRI));
	say("read again, it lists the mount: %d", lists(fd, dir));
	SHOW(umount2("m", 0));
	SHOW(epoll_wait(e, &got, 1, 1000));
	say("epoll after umount: PRI %d", !!(got.events & EPOLLPRI));
	say("read again, it lists the mount: %d", lists(fd, dir));
	close(e);
	close(fd);
	close(fd2);
}

SYSCALL_TEST(mount)
{
	mkdir("m", 0755);
	mkdir("d", 0755);
	mkdir("b", 0755);
	close(creat("file", 0644));
	close(creat("d/x", 0644));
	if (SHOW(mount("none", "m", "tmpfs", 0, "mode=0700")) != 0)
		return;
	show_mode("m");
	show_tmpfs("m");
	SHOW(close(creat("m/f", 0644)) == 0);
	SHOW(mount(NULL, "m", NULL, MS_REMOUNT | MS_RDONLY, NULL));
	SHOW(creat("m/g", 0644));
	SHOW(mount(NULL, "m", NULL, MS_REMOUNT, NULL));
	SHOW(close(creat("m/g", 0644)) == 0);
	SHOW(mount(NULL, "m", NULL, MS_PRIVATE, NULL));
	SHOW(mount(NULL, "d", NULL, MS_PRIVATE, NULL));
	SHOW(mount(NULL, "d", NULL, MS_REMOUNT, NULL));
	SHOW(mount("none", "missing", "tmpfs", 0, NULL));
	SHOW(mount("none", "d", "no-such-fs", 0, NULL));
	SHOW(mount("none", "file", "tmpfs", 0, NULL));
	SHOW(mount("none", BADPTR, "tmpfs", 0, NULL));
	SHOW(mount("d", "b", NULL, MS_BIND, NULL));
	SHOW(access("b/x", F_OK));
	SHOW(mount("d", "file", NULL, MS_BIND, NULL));
	SHOW(umount2("b", 0));
	SHOW(access("b/x", F_OK));
	SHOW(umount2("m", MNT_DETACH));
	SHOW(access("m/f", F_OK));
	show_tmpfs("m");
	mounts_poll();
}

SYSCALL_TEST(umount2)
{
	mkdir("m", 0755);
	mkdir("d", 0755);
	if (SHOW(mount("none", "m", "tmpfs", 0, NULL)) != 0)
		return;
	close(creat("m/f", 0644));
	SHOW(chdir("m"));
	SHOW(umount2("../m", 0));
	SHOW(chdir(".."));
	int fd = open("m/f", O_RDONLY);
	SHOW(umount2("m", 0));
	close(fd);
	SHOW(umount2("m", 0x80));
	SHOW(umount2("m", MNT_EXPIRE | MNT_DETACH));
	SHOW(umount2("d", 0));
	SHOW(umount2("missing", 0));
	SHOW(umount2(BADPTR, 0));
	SHOW(umount2("m", MNT_EXPIRE));
	SHOW(umount2("m", MNT_EXPIRE));
	SHOW(access("m/f", F_OK));
	SHOW(umount2("m", 0));
	SHOW(mount("none", "m", "tmpfs", 0, NULL));
	SHOW(chdir("m"));
	SHOW(umount2("../m", MNT_DETACH));
	SHOW(chdir(".."));
	SHOW(access("m/f", F_OK));
}

/* unshare of what the sandbox can make private (the namespaces differ:
 * a root native run gets them, the sandbox refuses them). */
SYSCALL_TEST(unshare)
{
	int fd = open(".", O_RDONLY);
	SHOW(unshare(CLONE_FILES));
	SHOW(fcntl(fd, F_GETFD) >= 0);
	SHOW(unshare(CLONE_FS));
	SHOW(unshare(CLONE_SYSVSEM));
	SHOW(unshare(CLONE_THREAD | CLONE_SIGHAND | CLONE_VM));
	SHOW(unshare(0x1));
	SHOW(unshare(CLONE_SETTLS));
}
