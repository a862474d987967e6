/* Directories: making and removing them, the cwd, listing entries. */
#include <dirent.h>

#include "probe.h"

SYSCALL_TEST(getcwd)
{
	char buf[4200];
	long r = OK(syscall(SYS_getcwd, buf, sizeof buf));
	say("returns strlen+1: %d, is the test directory: %d", r == (long)strlen(probe_dir) + 1,
	    strcmp(buf, probe_dir) == 0);
	SHOW(syscall(SYS_getcwd, buf, 1));
	SHOW(syscall(SYS_getcwd, buf, 0));
	SHOW(syscall(SYS_getcwd, BADPTR, sizeof buf));
	mkdir("sub", 0755);
	chdir("sub");
	OK(syscall(SYS_getcwd, buf, sizeof buf));
	const char *tail = strrchr(buf, '/');
	say("in sub: ends with %s, prefix is the test directory: %d", tail,
	    strncmp(buf, probe_dir, strlen(probe_dir)) == 0);
	chdir("/");
	SHOW(syscall(SYS_getcwd, buf, sizeof buf));
	say("at root: %s", buf);
	chdir(probe_dir);
	/* A removed cwd. */
	mkdir("gone", 0755);
	chdir("gone");
	rmdir("../gone");
	SHOW(syscall(SYS_getcwd, buf, sizeof buf));
	chdir(probe_dir);
}

SYSCALL_TEST(chdir)
{
	char buf[4200];
	mkdir("sub", 0755);
	put_file("sub/inside", "inside sub");
	put_file("f", "x");
	SHOW(syscall(SYS_chdir, "sub"));
	say("relative open now sees: %s", get_file("inside"));
	getcwd(buf, sizeof buf);
	say("cwd ends with %s", strrchr(buf, '/'));
	SHOW(syscall(SYS_chdir, ".."));
	SHOW(syscall(SYS_chdir, "missing"));
	SHOW(syscall(SYS_chdir, "f"));
	SHOW(syscall(SYS_chdir, ""));
	SHOW(syscall(SYS_chdir, BADPTR));
	getcwd(buf, sizeof buf);
	say("still in the test directory: %d", strcmp(buf, probe_dir) == 0);
}

SYSCALL_TEST(fchdir)
{
	char buf[4200];
	mkdir("sub", 0755);
	put_file("sub/inside", "inside sub");
	put_file("f", "x");
	int dfd = open("sub", O_RDONLY | O_DIRECTORY);
	int pfd = open(".", O_PATH);
	int ffd = open("f", O_RDONLY);
	SHOW(syscall(SYS_fchdir, dfd));
	say("relative open now sees: %s", get_file("inside"));
	getcwd(buf, sizeof buf);
	say("cwd ends with %s", strrchr(buf, '/'));
	SHOW(syscall(SYS_fchdir, pfd));
	getcwd(buf, sizeof buf);
	say("back through an O_PATH fd: %d", strcmp(buf, probe_dir) == 0);
	SHOW(syscall(SYS_fchdir, ffd));
	SHOW(syscall(SYS_fchdir, 99));
	SHOW(syscall(SYS_fchdir, -1));
	/* Search permission is the caller's: a non-root user cannot enter a
	 * directory it may not search (EACCES), whoever opened the fd. */
	if (geteuid() == 0) {
		mkdir("nosearch", 0755);
		int nfd = open("nosearch", O_RDONLY | O_DIRECTORY);
		chmod("nosearch", 0644);
		pid_t k = probe_fork();
		if (k == 0) {
			syscall(SYS_setresuid, 65534, 65534, 65534);
			SHOW(syscall(SYS_fchdir, nfd));
			_exit(0);
		}
		probe_wait("nobody", k);
		close(nfd);
		chmod("nosearch", 0755);
	}
	close(dfd);
	close(pfd);
	close(ffd);
}

/* chroot: a root of the process's own (in a child: it cannot be undone
 * but through an fd kept outside). */
SYSCALL_TEST(chroot)
{
	mkdir("jail", 0755);
	mkdir("jail/sub", 0755);
	put_file("jail/inside", "inside the jail");
	put_file("f", "x");
	symlink("/inside", "jail/sub/abs");
	symlink("../../..", "jail/sub/up");
	SHOW(syscall(SYS_chroot, "missing"));
	SHOW(syscall(SYS_chroot, "f"));
	SHOW(syscall(SYS_chroot, BADPTR));
	SHOW(syscall(SYS_chroot, ""));
	pid_t k = probe_fork();
	if (k == 0) {
		int out = open(".", O_PATH | O_DIRECTORY);
		SHOW(syscall(SYS_chroot, "jail"));
		char buf[4200];
		long n = syscall(SYS_getcwd, buf, sizeof buf);
		say("cwd outside the root: %s",
		    n > 0 && strncmp(buf, "(unreachable)", 13) == 0 ? "(unreachable)..." : buf);
		say("/inside: %s", get_file("/inside"));
		say("/../inside: %s", get_file("/../inside"));
		say("/sub/abs: %s", get_file("/sub/abs"));
		say("/sub/up/inside: %s", get_file("/sub/up/inside"));
		SHOW(syscall(SYS_chdir, "/sub/../.."));
		SHOW(syscall(SYS_getcwd, buf, sizeof buf));
		say("cwd %s", buf);
		SHOW(syscall(SYS_chdir, "/sub"));
		SHOW(syscall(SYS_getcwd, buf, sizeof buf));
		say("cwd %s", buf);
		SHOW(access("/f", F_OK));
		SHOW(syscall(SYS_fchdir, out));
		SHOW(access("f", F_OK));
		SHOW(syscall(SYS_chroot, "."));
		SHOW(syscall(SYS_getcwd, buf, sizeof buf));
		say("the cwd is the new root: %s", buf);
		say("/jail/inside: %s", get_file("/jail/inside"));
		chmod(".", 0755);
		syscall(SYS_setresuid, 65534, 65534, 65534);
		SHOW(syscall(SYS_chroot, "jail"));
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(mkdir)
{
	SHOW(syscall(SYS_mkdir, "d", 0750));
	print_path_stat("d");
	SHOW(syscall(SYS_mkdir, "d", 0755));
	SHOW(syscall(SYS_mkdir, "d/e", 0777));
	print_path_stat("d/e");
	SHOW(syscall(SYS_mkdir, "x/y", 0755));
	put_file("f", "x");
	SHOW(syscall(SYS_mkdir, "f/y", 0755));
	SHOW(syscall(SYS_mkdir, "f", 0755));
	SHOW(syscall(SYS_mkdir, BADPTR, 0755));
	SHOW(syscall(SYS_mkdir, "", 0755));
}

SYSCALL_TEST(mkdirat)
{
	mkdir("d", 0755);
	int d = open("d", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_mkdirat, d, "sub", 0700));
	print_path_stat("d/sub");
	SHOW(syscall(SYS_mkdirat, AT_FDCWD, "d/sub2", 01777));
	print_path_stat("d/sub2");
	SHOW(syscall(SYS_mkdirat, d, "sub", 0700));
	SHOW(syscall(SYS_mkdirat, 99, "sub", 0700));
	put_file("f", "x");
	int f = open("f", O_RDONLY);
	SHOW(syscall(SYS_mkdirat, f, "sub", 0700));
	close(f);
	close(d);
}

SYSCALL_TEST(rmdir)
{
	mkdir("d", 0755);
	mkdir("full", 0755);
	put_file("full/f", "x");
	put_file("f", "x");
	SHOW(syscall(SYS_rmdir, "d"));
	SHOW(syscall(SYS_access, "d", F_OK));
	SHOW(syscall(SYS_rmdir, "d"));
	SHOW(syscall(SYS_rmdir, "full"));
	SHOW(syscall(SYS_rmdir, "f"));
	SHOW(syscall(SYS_rmdir, "."));
	SHOW(syscall(SYS_rmdir, "full/.."));
	SHOW(syscall(SYS_rmdir, BADPTR));
}

static int compare_strings(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* Sorted "name/type" of every entry getdents64 returns for fd. */
static void list_dir(int fd, size_t bufsize)
{
	char buf[4096];
	char names[64][300];
	int n = 0, calls = 0;
	for (;;) {
		long r = syscall(SYS_getdents64, fd, buf, bufsize);
		calls++;
		if (r <= 0) {
			if (r < 0)
				say("getdents64 = -1 %s", errname(errno));
			break;
		}
		for (long off = 0; off < r;) {
			struct dirent64 *e = (struct dirent64 *)(buf + off);
			const char *t = e->d_type == DT_DIR    ? "dir"
					: e->d_type == DT_REG  ? "reg"
					: e->d_type == DT_LNK  ? "lnk"
					: e->d_type == DT_FIFO ? "fifo"
							       : "other";
			if (n < 64)
				snprintf(names[n++], sizeof names[0], "%s/%s", e->d_name, t);
			off += e->d_reclen;
		}
	}
	qsort(names, n, sizeof names[0], compare_strings);
	printf("entries (%d, in %s call):", n, calls > 2 ? "more than one" : "one");
	for (int i = 0; i < n; i++)
		printf(" %s", names[i]);
	say("%s", "");
}

SYSCALL_TEST(getdents64)
{
	mkdir("d", 0755);
	put_file("d/a", "x");
	put_file("d/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", "x");
	mkdir("d/c", 0755);
	symlink("a", "d/l");
	mkfifo("d/p", 0644);
	int d = open("d", O_RDONLY | O_DIRECTORY);
	list_dir(d, 4096);
	char some[64];
	OK(syscall(SYS_getdents64, d, some, sizeof some));
	lseek(d, 0, SEEK_SET);
	list_dir(d, 100);
	char small[8];
	lseek(d, 0, SEEK_SET);
	SHOW(syscall(SYS_getdents64, d, small, sizeof small));
	SHOW(syscall(SYS_getdents64, d, BADPTR, 4096));
	int f = open("d/a", O_RDONLY);
	SHOW(syscall(SYS_getdents64, f, small, sizeof small));
	SHOW(syscall(SYS_getdents64, 99, small, sizeof small));
	close(f);
	/* Entries removed after opening are gone after a rewind. */
	unlink("d/a");
	lseek(d, 0, SEEK_SET);
	list_dir(d, 4096);
	close(d);
}
