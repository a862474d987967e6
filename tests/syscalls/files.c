/* Paths: open, create, access, rename, link, remove, symlinks, nodes. */
#include <linux/fs.h>

#include <sys/resource.h>

#include "probe.h"

SYSCALL_TEST(open)
{
	char buf[8];
	int fd = SHOW(syscall(SYS_open, "f", O_CREAT | O_WRONLY | O_EXCL, 0640));
	SHOW(write(fd, "hello", 5));
	close(fd);
	print_path_stat("f");
	fd = SHOW(syscall(SYS_open, "f", O_RDONLY));
	say("read back: %s", fd_contents(fd));
	SHOW(write(fd, "x", 1));
	close(fd);
	fd = SHOW(syscall(SYS_open, "f", O_WRONLY | O_TRUNC | O_CLOEXEC));
	say("after O_TRUNC: [%s] fd %s", get_file("f"), fd_state(fd));
	close(fd);
	fd = SHOW(syscall(SYS_open, "f", O_WRONLY | O_APPEND));
	SHOW(write(fd, "ab", 2));
	SHOW(lseek(fd, 0, SEEK_SET));
	SHOW(write(fd, "cd", 2));
	close(fd);
	say("after O_APPEND: %s", get_file("f"));
	SHOW(syscall(SYS_open, "f", O_CREAT | O_EXCL | O_RDWR, 0644));
	SHOW(syscall(SYS_open, "missing", O_RDONLY));
	SHOW(syscall(SYS_open, "f/x", O_RDONLY));
	SHOW(syscall(SYS_open, ".", O_WRONLY));
	SHOW(syscall(SYS_open, "f", O_RDONLY | O_DIRECTORY, 0));
	SHOW(syscall(SYS_open, BADPTR, O_RDONLY));
	SHOW(syscall(SYS_open, "", O_RDONLY));
	SHOW(symlink("f", "link"));
	SHOW(syscall(SYS_open, "link", O_RDONLY | O_NOFOLLOW));
	fd = SHOW(syscall(SYS_open, "link", O_RDONLY | O_NOFOLLOW | O_PATH));
	SHOW(read(fd, buf, sizeof buf));
	close(fd);
	fd = SHOW(syscall(SYS_open, ".", O_RDONLY | O_DIRECTORY, 0));
	SHOW(read(fd, buf, sizeof buf));
	close(fd);
	/* The mode argument means nothing without O_CREAT or O_TMPFILE. */
	fd = SHOW(syscall(SYS_open, ".", O_RDONLY | O_DIRECTORY, 0755));
	close(fd);
	fd = SHOW(syscall(SYS_open, "f", O_RDONLY, 0755));
	close(fd);
}

SYSCALL_TEST(openat)
{
	SHOW(mkdir("d", 0755));
	int dfd = SHOW(syscall(SYS_openat, AT_FDCWD, "d", O_RDONLY | O_DIRECTORY, 0));
	int fd = SHOW(syscall(SYS_openat, dfd, "g", O_CREAT | O_RDWR, 0600));
	SHOW(write(fd, "in d", 4));
	close(fd);
	say("d/g: %s", get_file("d/g"));
	print_path_stat("d/g");
	fd = SHOW(syscall(SYS_openat, AT_FDCWD, "d/g", O_RDONLY));
	close(fd);
	/* An absolute path ignores the directory fd. */
	char abs[4200];
	snprintf(abs, sizeof abs, "%s/d/g", probe_dir);
	fd = SHOW(syscall(SYS_openat, 99, abs, O_RDONLY));
	close(fd);
	SHOW(syscall(SYS_openat, 99, "g", O_RDONLY));
	fd = open("d/g", O_RDONLY);
	SHOW(syscall(SYS_openat, fd, "g", O_RDONLY));
	close(fd);
	SHOW(syscall(SYS_openat, dfd, "nope", O_RDONLY));
	SHOW(syscall(SYS_openat, dfd, "g", O_CREAT | O_EXCL | O_WRONLY, 0600));
	SHOW(syscall(SYS_openat, dfd, BADPTR, O_RDONLY));
	fd = SHOW(syscall(SYS_openat, dfd, "..", O_RDONLY | O_DIRECTORY, 0));
	close(fd);
	fd = SHOW(syscall(SYS_openat, dfd, "..", O_RDONLY | O_DIRECTORY, 0600));
	close(fd);
	/* An unnamed file in d, then linked in through /proc/self/fd. */
	fd = SHOW(syscall(SYS_openat, dfd, ".", O_TMPFILE | O_RDWR, 0600));
	SHOW(write(fd, "tmp", 3));
	char proc[64];
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", fd);
	SHOW(linkat(AT_FDCWD, proc, dfd, "named", AT_SYMLINK_FOLLOW));
	say("d/named: %s", get_file("d/named"));
	close(fd);
	close(dfd);
}

SYSCALL_TEST(creat)
{
	int fd = SHOW(syscall(SYS_creat, "c", 0600));
	print_path_stat("c");
	SHOW(write(fd, "data", 4));
	char b[4];
	SHOW(read(fd, b, 4));
	close(fd);
	fd = SHOW(syscall(SYS_creat, "c", 0644));
	say("creat truncates: [%s]", get_file("c"));
	print_path_stat("c");
	close(fd);
	SHOW(syscall(SYS_creat, "nodir/c", 0644));
	SHOW(syscall(SYS_creat, ".", 0644));
	SHOW(syscall(SYS_creat, BADPTR, 0644));
}

SYSCALL_TEST(access)
{
	put_file("f", "x");
	chmod("f", 0644);
	put_file("exe", "x");
	chmod("exe", 0755);
	SHOW(syscall(SYS_access, "f", F_OK));
	SHOW(syscall(SYS_access, "f", R_OK | W_OK));
	/* root needs one x bit to pass X_OK. */
	SHOW(syscall(SYS_access, "f", X_OK));
	SHOW(syscall(SYS_access, "exe", X_OK));
	SHOW(syscall(SYS_access, ".", R_OK | W_OK | X_OK));
	SHOW(syscall(SYS_access, "missing", F_OK));
	SHOW(syscall(SYS_access, "f/x", F_OK));
	SHOW(syscall(SYS_access, "f", 8));
	SHOW(syscall(SYS_access, BADPTR, F_OK));
	/* access() asks with the real ids, AT_EACCESS with the effective
	 * ones; after dropping to nobody a root file is not writable (as
	 * non-root both set*id calls fail alike). */
	pid_t k = probe_fork();
	if (k == 0) {
		chmod(".", 0755); /* the probe's directory, for nobody to search */
		say("setresuid(65534, 0, 0) %ld", syscall(SYS_setresuid, 65534, 0, 0));
		SHOW(syscall(SYS_access, "f", W_OK));
		SHOW(syscall(SYS_faccessat2, AT_FDCWD, "f", W_OK, AT_EACCESS));
		say("setresgid(65534...) %ld", syscall(SYS_setresgid, 65534, 65534, 65534));
		say("setresuid(65534...) %ld", syscall(SYS_setresuid, 65534, 65534, 65534));
		SHOW(syscall(SYS_access, "f", W_OK));
		SHOW(syscall(SYS_access, "f", R_OK));
		SHOW(syscall(SYS_faccessat2, AT_FDCWD, "f", W_OK, AT_EACCESS));
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(faccessat)
{
	mkdir("d", 0755);
	put_file("d/f", "x");
	int dfd = open("d", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_faccessat, dfd, "f", R_OK));
	SHOW(syscall(SYS_faccessat, AT_FDCWD, "d/f", F_OK));
	SHOW(syscall(SYS_faccessat, dfd, "missing", F_OK));
	SHOW(syscall(SYS_faccessat, 99, "f", F_OK));
	SHOW(syscall(SYS_faccessat, dfd, "f", X_OK));
	SHOW(syscall(SYS_faccessat, dfd, "f", 0x10));
	close(dfd);
}

SYSCALL_TEST(faccessat2)
{
	put_file("f", "x");
	SHOW(symlink("missing", "dangling"));
	SHOW(syscall(SYS_faccessat2, AT_FDCWD, "f", R_OK | W_OK, 0));
	SHOW(syscall(SYS_faccessat2, AT_FDCWD, "f", R_OK, AT_EACCESS));
	SHOW(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, 0));
	SHOW(syscall(SYS_faccessat2, AT_FDCWD, "dangling", F_OK, AT_SYMLINK_NOFOLLOW));
	int fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_faccessat2, fd, "", R_OK, AT_EMPTY_PATH));
	SHOW(syscall(SYS_faccessat2, fd, "", R_OK, 0));
	SHOW(syscall(SYS_faccessat2, AT_FDCWD, "f", R_OK, 0x1));
	SHOW(syscall(SYS_faccessat2, AT_FDCWD, "f", 8, 0));
	close(fd);
}

SYSCALL_TEST(truncate)
{
	/* RLIMIT_FSIZE: growing past it is EFBIG (SIGXFSZ, ignored here);
	 * shrinking is fine. */
	put_file("big", "0123456789");
	pid_t k = probe_fork();
	if (k == 0) {
		struct rlimit rl = {100, 100};
		signal(SIGXFSZ, SIG_IGN);
		setrlimit(RLIMIT_FSIZE, &rl);
		SHOW(syscall(SYS_truncate, "big", 200));
		SHOW(syscall(SYS_truncate, "big", 100));
		SHOW(syscall(SYS_truncate, "big", 5));
		int fd = open("big", O_WRONLY);
		SHOW(syscall(SYS_ftruncate, fd, 4096));
		_exit(0);
	}
	probe_wait("limited child", k);
	put_file("f", "hello world");
	SHOW(syscall(SYS_truncate, "f", 5));
	say("after truncate 5: [%s]", get_file("f"));
	SHOW(syscall(SYS_truncate, "f", 8));
	char b[16] = {0};
	int fd = open("f", O_RDONLY);
	SHOW(read(fd, b, sizeof b));
	say("bytes 4..7: %d %d %d %d", b[4], b[5], b[6], b[7]);
	close(fd);
	print_path_stat("f");
	SHOW(syscall(SYS_truncate, "missing", 0));
	/* Never opened: a FIFO without a reader must not wait. */
	mkfifo("fifo", 0644);
	SHOW(syscall(SYS_truncate, "fifo", 0));
	SHOW(syscall(SYS_truncate, "f", -1));
	SHOW(syscall(SYS_truncate, ".", 0));
	SHOW(syscall(SYS_truncate, "f", (off_t)-1));
	SHOW(syscall(SYS_truncate, BADPTR, 0));
}

SYSCALL_TEST(ftruncate)
{
	put_file("f", "hello world");
	int fd = open("f", O_RDWR);
	SHOW(syscall(SYS_ftruncate, fd, 4));
	say("after ftruncate 4: [%s]", fd_contents(fd));
	SHOW(syscall(SYS_ftruncate, fd, 10000));
	print_path_stat("f");
	SHOW(syscall(SYS_ftruncate, fd, (off_t)-5));
	close(fd);
	fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_ftruncate, fd, 0));
	close(fd);
	SHOW(syscall(SYS_ftruncate, 99, 0));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_ftruncate, p[1], 0));
}

SYSCALL_TEST(rename)
{
	put_file("a", "A");
	put_file("b", "B");
	mkdir("d", 0755);
	mkdir("e", 0755);
	put_file("e/x", "x");
	SHOW(syscall(SYS_rename, "a", "a2"));
	say("a: %s", get_file("a"));
	say("a2: %s", get_file("a2"));
	SHOW(syscall(SYS_rename, "a2", "b"));
	say("b replaced: %s", get_file("b"));
	SHOW(syscall(SYS_rename, "b", "d/b"));
	say("d/b: %s", get_file("d/b"));
	SHOW(syscall(SYS_rename, "missing", "z"));
	SHOW(syscall(SYS_rename, "d", "e"));
	SHOW(syscall(SYS_rename, "d/b", "e"));
	SHOW(syscall(SYS_rename, "e", "d/b"));
	SHOW(syscall(SYS_rename, "d", "d/sub"));
	SHOW(syscall(SYS_rename, "d", "nodir/d"));
	SHOW(syscall(SYS_rename, BADPTR, "z"));
	SHOW(syscall(SYS_rename, "d", "d2"));
	say("d2/b: %s", get_file("d2/b"));
	/* The working directory renamed, by a path through its parent and
	 * then through itself: relative paths follow it (LTP inotify02). */
	char cwd[4096], *slash;
	SHOW(chdir("d2"));
	SHOW(syscall(SYS_rename, "../d2", "../d3"));
	say("b from inside: %s", get_file("b"));
	say("getcwd ends in /d3: %d",
	    getcwd(cwd, sizeof cwd) && (slash = strrchr(cwd, '/')) && strcmp(slash, "/d3") == 0);
	char moved[4200];
	snprintf(moved, sizeof moved, "%s4", cwd);
	SHOW(syscall(SYS_rename, cwd, moved));
	put_file("c", "C");
	say("../d34/c: %s", get_file("../d34/c"));
	SHOW(chdir(".."));
}

SYSCALL_TEST(renameat)
{
	mkdir("d", 0755);
	mkdir("e", 0755);
	put_file("d/f", "from d");
	int d = open("d", O_RDONLY | O_DIRECTORY), e = open("e", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_renameat, d, "f", e, "g"));
	say("e/g: %s", get_file("e/g"));
	SHOW(syscall(SYS_renameat, e, "g", AT_FDCWD, "top"));
	say("top: %s", get_file("top"));
	SHOW(syscall(SYS_renameat, d, "f", e, "g"));
	SHOW(syscall(SYS_renameat, 99, "f", e, "g"));
	SHOW(syscall(SYS_renameat, AT_FDCWD, "top", 99, "g"));
	int f = open("top", O_RDONLY);
	SHOW(syscall(SYS_renameat, f, "x", e, "g"));
	close(f);
	close(d);
	close(e);
}

SYSCALL_TEST(renameat2)
{
	put_file("a", "A");
	put_file("b", "B");
	SHOW(syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "b", RENAME_NOREPLACE));
	SHOW(syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "b", RENAME_EXCHANGE));
	say("after exchange a=%s", get_file("a"));
	say("after exchange b=%s", get_file("b"));
	SHOW(syscall(SYS_renameat2, AT_FDCWD, "a", AT_FDCWD, "c", RENAME_NOREPLACE));
	say("c=%s", get_file("c"));
	SHOW(syscall(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "missing", RENAME_EXCHANGE));
	SHOW(syscall(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "b",
		     RENAME_EXCHANGE | RENAME_NOREPLACE));
	SHOW(syscall(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "b", 0x100));
	SHOW(syscall(SYS_renameat2, AT_FDCWD, "c", AT_FDCWD, "b", 0));
	say("b=%s", get_file("b"));
}

SYSCALL_TEST(link)
{
	put_file("f", "linked");
	mkdir("d", 0755);
	SHOW(syscall(SYS_link, "f", "g"));
	say("g: %s", get_file("g"));
	print_path_stat("f");
	SHOW(syscall(SYS_link, "f", "g"));
	SHOW(syscall(SYS_link, "missing", "h"));
	SHOW(syscall(SYS_link, "d", "d2"));
	SHOW(syscall(SYS_link, "f", "nodir/h"));
	SHOW(syscall(SYS_link, BADPTR, "h"));
	unlink("f");
	print_path_stat("g");
}

SYSCALL_TEST(linkat)
{
	put_file("f", "target");
	symlink("f", "sl");
	mkdir("d", 0755);
	int d = open("d", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_linkat, AT_FDCWD, "f", d, "g", 0));
	say("d/g: %s", get_file("d/g"));
	/* Without AT_SYMLINK_FOLLOW the link itself is linked. */
	SHOW(syscall(SYS_linkat, AT_FDCWD, "sl", d, "sl-link", 0));
	print_lpath_stat("d/sl-link");
	SHOW(syscall(SYS_linkat, AT_FDCWD, "sl", d, "sl-follow", AT_SYMLINK_FOLLOW));
	print_path_stat("d/sl-follow");
	int fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_linkat, fd, "", d, "empty", AT_EMPTY_PATH));
	say("d/empty: %s", get_file("d/empty"));
	SHOW(syscall(SYS_linkat, fd, "", d, "empty2", 0));
	SHOW(syscall(SYS_linkat, 99, "f", d, "h", 0));
	SHOW(syscall(SYS_linkat, AT_FDCWD, "f", d, "h", 0x1));
	SHOW(syscall(SYS_linkat, AT_FDCWD, "f", d, "g", 0));
	print_path_stat("f");
	close(fd);
	close(d);
}

SYSCALL_TEST(unlink)
{
	put_file("f", "x");
	mkdir("d", 0755);
	symlink("f", "sl");
	SHOW(syscall(SYS_unlink, "sl"));
	say("target kept: %s", get_file("f"));
	int fd = open("f", O_RDWR);
	SHOW(syscall(SYS_unlink, "f"));
	SHOW(syscall(SYS_access, "f", F_OK));
	say("open fd still reads: %s", fd_contents(fd));
	close(fd);
	SHOW(syscall(SYS_unlink, "f"));
	SHOW(syscall(SYS_unlink, "d"));
	SHOW(syscall(SYS_unlink, "d/"));
	SHOW(syscall(SYS_unlink, "nodir/f"));
	SHOW(syscall(SYS_unlink, BADPTR));
}

SYSCALL_TEST(unlinkat)
{
	mkdir("d", 0755);
	put_file("d/f", "x");
	mkdir("d/sub", 0755);
	int d = open("d", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_unlinkat, d, "f", 0));
	SHOW(syscall(SYS_unlinkat, d, "sub", 0));
	SHOW(syscall(SYS_unlinkat, d, "sub", AT_REMOVEDIR));
	SHOW(syscall(SYS_unlinkat, d, "f", 0));
	put_file("d/g", "x");
	SHOW(syscall(SYS_unlinkat, d, "g", AT_REMOVEDIR));
	SHOW(syscall(SYS_unlinkat, AT_FDCWD, "d", AT_REMOVEDIR));
	SHOW(syscall(SYS_unlinkat, d, "g", 0x1));
	SHOW(syscall(SYS_unlinkat, 99, "g", 0));
	SHOW(syscall(SYS_unlinkat, AT_FDCWD, "d/g", 0));
	SHOW(syscall(SYS_unlinkat, AT_FDCWD, "d", AT_REMOVEDIR));
	close(d);
}

SYSCALL_TEST(symlink)
{
	put_file("f", "via link");
	SHOW(syscall(SYS_symlink, "f", "sl"));
	say("through sl: %s", get_file("sl"));
	print_lpath_stat("sl");
	SHOW(syscall(SYS_symlink, "missing", "dangling"));
	print_lpath_stat("dangling");
	say("through dangling: %s", get_file("dangling"));
	SHOW(syscall(SYS_symlink, "f", "sl"));
	SHOW(syscall(SYS_symlink, "f", "nodir/sl"));
	SHOW(syscall(SYS_symlink, "", "empty"));
	SHOW(syscall(SYS_symlink, BADPTR, "x"));
	SHOW(syscall(SYS_symlink, "sl2", "sl1"));
	SHOW(syscall(SYS_symlink, "sl1", "sl2"));
	SHOW(syscall(SYS_open, "sl1", O_RDONLY));
}

SYSCALL_TEST(symlinkat)
{
	mkdir("d", 0755);
	put_file("d/f", "in d");
	int d = open("d", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_symlinkat, "f", d, "sl"));
	say("d/sl: %s", get_file("d/sl"));
	SHOW(syscall(SYS_symlinkat, "d/f", AT_FDCWD, "top"));
	say("top: %s", get_file("top"));
	SHOW(syscall(SYS_symlinkat, "f", d, "sl"));
	SHOW(syscall(SYS_symlinkat, "f", 99, "sl"));
	close(d);
}

SYSCALL_TEST(readlink)
{
	char buf[64];
	put_file("f", "x");
	symlink("some/target", "sl");
	memset(buf, 0, sizeof buf);
	SHOW(syscall(SYS_readlink, "sl", buf, sizeof buf));
	say("target: %s", buf);
	memset(buf, 0, sizeof buf);
	SHOW(syscall(SYS_readlink, "sl", buf, 4));
	say("truncated: %s", buf);
	SHOW(syscall(SYS_readlink, "f", buf, sizeof buf));
	SHOW(syscall(SYS_readlink, "missing", buf, sizeof buf));
	SHOW(syscall(SYS_readlink, "sl", buf, 0));
	SHOW(syscall(SYS_readlink, "sl", BADPTR, sizeof buf));
	SHOW(syscall(SYS_readlink, BADPTR, buf, sizeof buf));
}

SYSCALL_TEST(readlinkat)
{
	char buf[64] = {0};
	mkdir("d", 0755);
	symlink("../elsewhere", "d/sl");
	int d = open("d", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_readlinkat, d, "sl", buf, sizeof buf));
	say("target: %s", buf);
	memset(buf, 0, sizeof buf);
	SHOW(syscall(SYS_readlinkat, AT_FDCWD, "d/sl", buf, sizeof buf));
	say("target: %s", buf);
	/* An empty path reads the link an O_PATH|O_NOFOLLOW fd names. */
	int l = open("d/sl", O_PATH | O_NOFOLLOW);
	memset(buf, 0, sizeof buf);
	SHOW(syscall(SYS_readlinkat, l, "", buf, sizeof buf));
	say("target: %s", buf);
	SHOW(syscall(SYS_readlinkat, d, "", buf, sizeof buf));
	SHOW(syscall(SYS_readlinkat, 99, "sl", buf, sizeof buf));
	SHOW(syscall(SYS_readlinkat, d, "missing", buf, sizeof buf));
	close(l);
	close(d);
}

SYSCALL_TEST(mknod)
{
	SHOW(syscall(SYS_mknod, "fifo", S_IFIFO | 0640, 0));
	print_path_stat("fifo");
	SHOW(syscall(SYS_mknod, "reg", S_IFREG | 0600, 0));
	print_path_stat("reg");
	SHOW(syscall(SYS_mknod, "plain", 0644, 0));
	print_path_stat("plain");
	SHOW(syscall(SYS_mknod, "sock", S_IFSOCK | 0644, 0));
	print_path_stat("sock");
	SHOW(syscall(SYS_mknod, "fifo", S_IFIFO | 0640, 0));
	SHOW(syscall(SYS_mknod, "bad", 0170000 | 0644, 0));
	SHOW(syscall(SYS_mknod, "dir", S_IFDIR | 0755, 0));
	SHOW(syscall(SYS_mknod, "nodir/x", S_IFIFO | 0644, 0));
	/* A fifo opened non-blocking for reading, then written. */
	int r = SHOW(open("fifo", O_RDONLY | O_NONBLOCK));
	int w = SHOW(open("fifo", O_WRONLY | O_NONBLOCK));
	SHOW(write(w, "pipe", 4));
	char b[8] = {0};
	SHOW(read(r, b, sizeof b - 1));
	say("read through the fifo: %s", b);
	close(r);
	SHOW(open("fifo", O_WRONLY | O_NONBLOCK));
	close(w);
}

SYSCALL_TEST(mknodat)
{
	mkdir("d", 0755);
	int d = open("d", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_mknodat, d, "fifo", S_IFIFO | 0600, 0));
	print_path_stat("d/fifo");
	SHOW(syscall(SYS_mknodat, AT_FDCWD, "d/reg", S_IFREG | 0640, 0));
	print_path_stat("d/reg");
	SHOW(syscall(SYS_mknodat, d, "fifo", S_IFIFO | 0600, 0));
	SHOW(syscall(SYS_mknodat, 99, "x", S_IFIFO | 0600, 0));
	SHOW(syscall(SYS_mknodat, d, "y", 0170000, 0));
	close(d);
}

/* umask cannot fail. */
SYSCALL_TEST(umask)
{
	SHOW(syscall(SYS_umask, 077));
	close(open("f077", O_CREAT | O_WRONLY, 0666));
	mkdir("d077", 0777);
	print_path_stat("f077");
	print_path_stat("d077");
	SHOW(syscall(SYS_umask, 0));
	close(open("f000", O_CREAT | O_WRONLY, 0666));
	print_path_stat("f000");
	/* Only the permission bits are kept. */
	SHOW(syscall(SYS_umask, 0177777));
	SHOW(syscall(SYS_umask, 022));
	pid_t p = probe_fork();
	if (p == 0) {
		say("child inherits umask: %ld", syscall(SYS_umask, 0));
		_exit(0);
	}
	probe_wait("child", p);
}
