/* mount and umount2: the sandbox's own mount table against Linux's, on
 * tmpfs and bind mounts in the test's directory (root only: without
 * CAP_SYS_ADMIN both runs see EPERM alike). Every mount is detached at
 * the end, so a failing native run leaves nothing mounted. */
#include <linux/magic.h>
#include <sched.h>
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
