/* The fd table and per-file state: close, dup, fcntl, locks, pipes, seeking,
 * syncing, space allocation, ioctl. */
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/random.h>
#include <pthread.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>

#include "probe.h"

static void print_fl(const char *label, int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0) {
		say("%s: F_GETFL -1 %s", label, errname(errno));
		return;
	}
	say("%s: access %s%s%s", label,
	    (fl & O_ACCMODE) == O_RDONLY   ? "O_RDONLY"
	    : (fl & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
					   : "O_RDWR",
	    fl & O_NONBLOCK ? " O_NONBLOCK" : "", fl & O_APPEND ? " O_APPEND" : "");
}

SYSCALL_TEST(close)
{
	put_file("f", "x");
	int fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_close, fd));
	SHOW(syscall(SYS_close, fd));
	SHOW(syscall(SYS_close, -1));
	SHOW(syscall(SYS_close, 1000000));
	/* The lowest free number is reused. */
	int a = open("f", O_RDONLY), b = open("f", O_RDONLY);
	syscall(SYS_close, a);
	say("reopened: %d (a was %d, b %d)", open("f", O_RDONLY), a, b);
	/* Closing one end of a pipe: the other sees EOF. */
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_close, p[1]));
	char c;
	SHOW(read(p[0], &c, 1));
}

SYSCALL_TEST(dup)
{
	put_file("f", "abcdef");
	int fd = open("f", O_RDONLY | O_CLOEXEC);
	int d = SHOW(syscall(SYS_dup, fd));
	say("dup is %s, original %s", fd_state(d), fd_state(fd));
	char b[5] = {0};
	read(fd, b, 2);
	read(d, b + 2, 2);
	say("shared offset: %s", b);
	SHOW(syscall(SYS_dup, 99));
	SHOW(syscall(SYS_dup, -1));
	close(0);
	SHOW(syscall(SYS_dup, fd));
}

SYSCALL_TEST(dup2)
{
	put_file("f", "hello");
	int fd = open("f", O_RDONLY | O_CLOEXEC);
	SHOW(syscall(SYS_dup2, fd, 10));
	say("fd 10 %s, contents %s", fd_state(10), fd_contents(10));
	SHOW(syscall(SYS_dup2, fd, fd));
	say("same fd keeps its flag: %s", fd_state(fd));
	/* The target is closed first. */
	put_file("g", "other");
	int g = open("g", O_RDONLY);
	SHOW(syscall(SYS_dup2, g, 10));
	say("fd 10 now reads %s", fd_contents(10));
	SHOW(syscall(SYS_dup2, 99, 10));
	SHOW(syscall(SYS_dup2, 99, 99));
	SHOW(syscall(SYS_dup2, fd, -1));
	SHOW(syscall(SYS_dup2, fd, 1 << 30));
}

SYSCALL_TEST(dup3)
{
	put_file("f", "hello");
	int fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_dup3, fd, 10, O_CLOEXEC));
	say("fd 10 %s", fd_state(10));
	SHOW(syscall(SYS_dup3, fd, 11, 0));
	say("fd 11 %s", fd_state(11));
	SHOW(syscall(SYS_dup3, fd, fd, 0));
	SHOW(syscall(SYS_dup3, fd, 12, O_NONBLOCK));
	SHOW(syscall(SYS_dup3, 99, 12, 0));
	SHOW(syscall(SYS_dup3, fd, -1, 0));
}

static int ofd_waiter_fd;
static long ofd_waiter_rc;

/* F_OFD_SETLKW on a description whose range another one holds. */
static void *ofd_waiter(void *arg)
{
	(void)arg;
	struct flock l = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	ofd_waiter_rc = syscall(SYS_fcntl, ofd_waiter_fd, F_OFD_SETLKW, &l);
	return NULL;
}

SYSCALL_TEST(fcntl)
{
	put_file("f", "0123456789");
	int fd = open("f", O_RDWR | O_APPEND);
	SHOW(syscall(SYS_fcntl, fd, F_DUPFD, 10));
	SHOW(syscall(SYS_fcntl, fd, F_DUPFD, 10));
	long c = SHOW(syscall(SYS_fcntl, fd, F_DUPFD_CLOEXEC, 0));
	say("F_DUPFD_CLOEXEC copy %s", fd_state(c));
	SHOW(syscall(SYS_fcntl, fd, F_GETFD));
	SHOW(syscall(SYS_fcntl, fd, F_SETFD, FD_CLOEXEC));
	SHOW(syscall(SYS_fcntl, fd, F_GETFD));
	print_fl("before F_SETFL", fd);
	/* F_SETFL changes O_APPEND and O_NONBLOCK, not the access mode. */
	SHOW(syscall(SYS_fcntl, fd, F_SETFL, O_NONBLOCK | O_RDONLY));
	print_fl("after F_SETFL", fd);
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_fcntl, p[0], F_SETFL, O_NONBLOCK));
	char ch;
	SHOW(read(p[0], &ch, 1));
	print_fl("pipe read end", p[0]);
	print_fl("pipe write end", p[1]);
	SHOW(syscall(SYS_fcntl, p[0], F_GETPIPE_SZ));
	SHOW(syscall(SYS_fcntl, p[0], F_SETPIPE_SZ, 8192));
	SHOW(syscall(SYS_fcntl, p[0], F_GETPIPE_SZ));
	SHOW(syscall(SYS_fcntl, fd, F_GETPIPE_SZ));
	/* Record locks: F_GETLK in the owner sees no conflict, a child does. */
	struct flock lk = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 2, .l_len = 3};
	SHOW(syscall(SYS_fcntl, fd, F_SETLK, &lk));
	struct flock q = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 0, .l_len = 0};
	SHOW(syscall(SYS_fcntl, fd, F_GETLK, &q));
	say("owner sees: %s", q.l_type == F_UNLCK ? "F_UNLCK" : "a lock");
	/* Nothing in the way: Linux changes the type alone. */
	struct flock cur = {.l_type = F_WRLCK, .l_whence = SEEK_CUR, .l_start = 1, .l_pid = 77};
	SHOW(syscall(SYS_fcntl, fd, F_GETLK, &cur));
	say("untouched: whence %d start %ld pid %d", cur.l_whence, (long)cur.l_start, cur.l_pid);
	/* F_CREATED_QUERY (Linux 6.12; EINVAL before): this open made no file. */
	SHOW(syscall(SYS_fcntl, fd, 1028, 0));
	pid_t me = getpid();
	pid_t k = probe_fork();
	if (k == 0) {
		struct flock cq = {.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 0};
		SHOW(syscall(SYS_fcntl, fd, F_GETLK, &cq));
		say("child sees: type %s start %ld len %ld, l_pid is the parent: %d",
		    cq.l_type == F_WRLCK ? "F_WRLCK" : "other", (long)cq.l_start, (long)cq.l_len,
		    cq.l_pid == me);
		struct flock cl = {
		    .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 3, .l_len = 1};
		SHOW(syscall(SYS_fcntl, fd, F_SETLK, &cl));
		cl.l_start = 5;
		SHOW(syscall(SYS_fcntl, fd, F_SETLK, &cl));
		_exit(0);
	}
	probe_wait("child", k);
	lk.l_type = F_UNLCK;
	SHOW(syscall(SYS_fcntl, fd, F_SETLK, &lk));
	/* Open file description locks. */
	struct flock ofd = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	SHOW(syscall(SYS_fcntl, fd, F_OFD_SETLK, &ofd));
	int other = open("f", O_RDWR);
	struct flock ofd2 = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	SHOW(syscall(SYS_fcntl, other, F_OFD_SETLK, &ofd2));
	SHOW(syscall(SYS_fcntl, other, F_OFD_GETLK, &ofd2));
	say("conflict: %s, l_pid -1: %d", ofd2.l_type == F_WRLCK ? "F_WRLCK" : "other",
	    ofd2.l_pid == -1);
	/* A thread waits in F_OFD_SETLKW for the lock this thread holds (the
	 * sentry must go on serving the holder), and gets it on the unlock. */
	ofd_waiter_fd = other;
	pthread_t th;
	pthread_create(&th, NULL, ofd_waiter, NULL);
	usleep(50000);
	ofd.l_type = F_UNLCK;
	SHOW(syscall(SYS_fcntl, fd, F_OFD_SETLK, &ofd));
	pthread_join(th, NULL);
	say("waiter's F_OFD_SETLKW: %ld", ofd_waiter_rc);
	ofd.l_type = F_WRLCK;
	SHOW(syscall(SYS_fcntl, fd, F_OFD_SETLK, &ofd));
	ofd2.l_type = F_UNLCK;
	SHOW(syscall(SYS_fcntl, other, F_OFD_SETLK, &ofd2));
	SHOW(syscall(SYS_fcntl, fd, F_OFD_SETLK, &ofd));
	struct flock badpid = {.l_type = F_WRLCK, .l_pid = 1};
	SHOW(syscall(SYS_fcntl, other, F_OFD_SETLK, &badpid));
	SHOW(syscall(SYS_fcntl, fd, F_SETLK, BADPTR));
	struct flock badtype = {.l_type = 42};
	SHOW(syscall(SYS_fcntl, fd, F_SETLK, &badtype));
	SHOW(syscall(SYS_fcntl, 99, F_GETFD));
	SHOW(syscall(SYS_fcntl, fd, 9999));
	SHOW(syscall(SYS_fcntl, fd, F_DUPFD, (long)-1));
	int rd = open("f", O_RDONLY);
	struct flock w = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	SHOW(syscall(SYS_fcntl, rd, F_SETLK, &w));
}

SYSCALL_TEST(flock)
{
	put_file("f", "x");
	int a = open("f", O_RDONLY), b = open("f", O_RDONLY);
	SHOW(syscall(SYS_flock, a, LOCK_EX));
	SHOW(syscall(SYS_flock, b, LOCK_EX | LOCK_NB));
	SHOW(syscall(SYS_flock, b, LOCK_SH | LOCK_NB));
	/* A dup shares the lock. */
	int d = dup(a);
	SHOW(syscall(SYS_flock, d, LOCK_EX | LOCK_NB));
	SHOW(syscall(SYS_flock, a, LOCK_SH));
	SHOW(syscall(SYS_flock, b, LOCK_SH | LOCK_NB));
	SHOW(syscall(SYS_flock, b, LOCK_EX | LOCK_NB));
	SHOW(syscall(SYS_flock, a, LOCK_UN));
	SHOW(syscall(SYS_flock, b, LOCK_EX | LOCK_NB));
	/* The lock goes with the open file: a child inherits it, and blocks
	 * another open until the holder closes. */
	pid_t k = probe_fork();
	if (k == 0) {
		int c = open("f", O_RDONLY);
		SHOW(syscall(SYS_flock, c, LOCK_SH | LOCK_NB));
		SHOW(syscall(SYS_flock, b, LOCK_EX | LOCK_NB));
		_exit(0);
	}
	probe_wait("child", k);
	close(b);
	SHOW(syscall(SYS_flock, a, LOCK_EX | LOCK_NB));
	SHOW(syscall(SYS_flock, a, 0));
	SHOW(syscall(SYS_flock, a, LOCK_SH | LOCK_EX));
	SHOW(syscall(SYS_flock, 99, LOCK_SH));
}

SYSCALL_TEST(close_range)
{
	put_file("f", "x");
	for (int i = 0; i < 6; i++)
		open("f", O_RDONLY);
	dup2(3, 20);
	SHOW(syscall(SYS_close_range, 4, 5, 0));
	say("fds 3-8: %s %s %s %s %s %s", fd_state(3), fd_state(4), fd_state(5), fd_state(6),
	    fd_state(7), fd_state(8));
	SHOW(syscall(SYS_close_range, 6, 7, CLOSE_RANGE_CLOEXEC));
	say("fds 6-8: %s %s %s", fd_state(6), fd_state(7), fd_state(8));
	SHOW(syscall(SYS_close_range, 100, 200, 0));
	SHOW(syscall(SYS_close_range, ~0U, ~0U, 0)); /* once crashed the sentry */
	SHOW(syscall(SYS_close_range, 5, 4, 0));
	SHOW(syscall(SYS_close_range, 3, 4, 0x80));
	SHOW(syscall(SYS_close_range, 8, ~0U, 0));
	say("fds 3 8 20: %s %s %s", fd_state(3), fd_state(8), fd_state(20));
	/* CLOSE_RANGE_UNSHARE makes a private table; the child's close does not
	 * reach the parent (a fork has its own table anyway). */
	SHOW(syscall(SYS_close_range, 3, ~0U, CLOSE_RANGE_UNSHARE));
	say("fd 3: %s", fd_state(3));
}

SYSCALL_TEST(pipe)
{
	int p[2] = {-1, -1};
	SHOW(syscall(SYS_pipe, p));
	say("fds %d %d, %s %s", p[0], p[1], fd_state(p[0]), fd_state(p[1]));
	print_fl("read end", p[0]);
	print_fl("write end", p[1]);
	SHOW(write(p[1], "through", 7));
	char b[16] = {0};
	SHOW(read(p[0], b, sizeof b));
	say("read: %s", b);
	SHOW(write(p[0], "x", 1));
	SHOW(read(p[1], b, 1));
	SHOW(syscall(SYS_pipe, BADPTR));
	/* A child writes, the parent reads. */
	pid_t k = probe_fork();
	if (k == 0) {
		close(p[0]);
		write(p[1], "from child", 10);
		_exit(0);
	}
	close(p[1]);
	memset(b, 0, sizeof b);
	int n = 0, r;
	while ((r = read(p[0], b + n, sizeof b - 1 - n)) > 0)
		n += r;
	say("read %d: %s, then %d", n, b, r);
	probe_wait("child", k);
}

SYSCALL_TEST(pipe2)
{
	int p[2];
	SHOW(syscall(SYS_pipe2, p, O_CLOEXEC | O_NONBLOCK));
	say("%s %s", fd_state(p[0]), fd_state(p[1]));
	print_fl("read end", p[0]);
	char c;
	SHOW(read(p[0], &c, 1));
	/* Fill the pipe: the write that does not fit fails with EAGAIN. */
	static char big[65536];
	long total = 0, r;
	while ((r = write(p[1], big, sizeof big)) > 0)
		total += r;
	say("filled %ld bytes, then %s", total, errname(errno));
	int q[2];
	SHOW(syscall(SYS_pipe2, q, O_DIRECT));
	SHOW(write(q[1], "ab", 2));
	SHOW(write(q[1], "cd", 2));
	char b[8] = {0};
	SHOW(read(q[0], b, sizeof b));
	say("packet mode read: %s", b);
	SHOW(syscall(SYS_pipe2, q, O_APPEND));
	SHOW(syscall(SYS_pipe2, q, 0x1));
	SHOW(syscall(SYS_pipe2, BADPTR, 0));
}

SYSCALL_TEST(lseek)
{
	put_file("f", "0123456789");
	int fd = open("f", O_RDWR);
	SHOW(syscall(SYS_lseek, fd, 3, SEEK_SET));
	char c;
	read(fd, &c, 1);
	say("at 3: %c", c);
	SHOW(syscall(SYS_lseek, fd, 2, SEEK_CUR));
	SHOW(syscall(SYS_lseek, fd, (off_t)-1, SEEK_END));
	SHOW(syscall(SYS_lseek, fd, 100, SEEK_SET));
	SHOW(write(fd, "!", 1));
	say("file size after a write past the end: %lld", (long long)lseek(fd, 0, SEEK_END));
	SHOW(syscall(SYS_lseek, fd, 0, SEEK_DATA));
	SHOW(syscall(SYS_lseek, fd, 0, SEEK_HOLE));
	SHOW(syscall(SYS_lseek, fd, 200, SEEK_DATA));
	SHOW(syscall(SYS_lseek, fd, (off_t)-1, SEEK_SET));
	SHOW(syscall(SYS_lseek, fd, 0, 7));
	SHOW(syscall(SYS_lseek, 99, 0, SEEK_SET));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_lseek, p[0], 0, SEEK_CUR));
	int d = open(".", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_lseek, d, 0, SEEK_SET));
}

SYSCALL_TEST(fsync)
{
	put_file("f", "x");
	int fd = open("f", O_RDWR);
	write(fd, "data", 4);
	SHOW(syscall(SYS_fsync, fd));
	int d = open(".", O_RDONLY | O_DIRECTORY);
	SHOW(syscall(SYS_fsync, d));
	int ro = open("f", O_RDONLY);
	SHOW(syscall(SYS_fsync, ro));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_fsync, p[1]));
	SHOW(syscall(SYS_fsync, 99));
}

SYSCALL_TEST(fdatasync)
{
	put_file("f", "x");
	int fd = open("f", O_RDWR);
	write(fd, "data", 4);
	SHOW(syscall(SYS_fdatasync, fd));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_fdatasync, p[0]));
	SHOW(syscall(SYS_fdatasync, 99));
}

SYSCALL_TEST(fadvise64)
{
	put_file("f", "some data");
	int fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_SEQUENTIAL));
	SHOW(syscall(SYS_fadvise64, fd, 0, 4096, POSIX_FADV_WILLNEED));
	SHOW(syscall(SYS_fadvise64, fd, 0, 0, POSIX_FADV_DONTNEED));
	SHOW(syscall(SYS_fadvise64, fd, 0, 0, 99));
	SHOW(syscall(SYS_fadvise64, fd, 0, (off_t)-1, POSIX_FADV_NORMAL));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_fadvise64, p[0], 0, 0, POSIX_FADV_NORMAL));
	SHOW(syscall(SYS_fadvise64, 99, 0, 0, POSIX_FADV_NORMAL));
	say("contents unchanged: %s", fd_contents(fd));
}

SYSCALL_TEST(fallocate)
{
	put_file("f", "abc");
	int fd = open("f", O_RDWR);
	SHOW(syscall(SYS_fallocate, fd, 0, 0, 8192));
	print_path_stat("f");
	SHOW(syscall(SYS_fallocate, fd, FALLOC_FL_KEEP_SIZE, 8192, 8192));
	print_path_stat("f");
	SHOW(syscall(SYS_fallocate, fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, 0, 4096));
	char b[4] = {1, 1, 1, 1};
	pread(fd, b, 3, 0);
	say("punched bytes: %d %d %d", b[0], b[1], b[2]);
	print_path_stat("f");
	SHOW(syscall(SYS_fallocate, fd, FALLOC_FL_PUNCH_HOLE, 0, 4096));
	SHOW(syscall(SYS_fallocate, fd, 0, 0, 0));
	SHOW(syscall(SYS_fallocate, fd, 0, (off_t)-1, 10));
	SHOW(syscall(SYS_fallocate, fd, 0x1000, 0, 10));
	int ro = open("f", O_RDONLY);
	SHOW(syscall(SYS_fallocate, ro, 0, 0, 10));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_fallocate, p[1], 0, 0, 10));
	SHOW(syscall(SYS_fallocate, 99, 0, 0, 10));
}

/* The pty's slave as a new session's controlling terminal: its session
 * and foreground group are the caller's, in the caller's own pids, and
 * TIOCSPGRP refuses what Linux refuses. Only comparisons are printed. */
static void ioctl_job_control(int master)
{
	int unlock = 0;
	char name[64];
	if (ioctl(master, TIOCSPTLCK, &unlock) != 0 || ptsname_r(master, name, sizeof(name)) != 0) {
		say("no slave: %s", errname(errno));
		return;
	}
	fflush(stdout);
	pid_t child = fork();
	if (child == 0) {
		int slave = open(name, O_RDWR | O_NOCTTY);
		pid_t v = -1;
		SHOW(syscall(SYS_ioctl, slave, TIOCGPGRP, &v)); /* not our terminal yet */
		SHOW(syscall(SYS_ioctl, slave, TIOCSCTTY, 0));	/* not a session leader */
		setsid();
		SHOW(syscall(SYS_ioctl, slave, TIOCSCTTY, 0));
		SHOW(syscall(SYS_ioctl, slave, TIOCGPGRP, &v));
		say("foreground group is ours: %d", v == getpgrp());
		SHOW(syscall(SYS_ioctl, slave, TIOCGSID, &v));
		say("session is ours: %d", v == getsid(0));
		v = getpgrp();
		SHOW(syscall(SYS_ioctl, slave, TIOCSPGRP, &v));
		v = -1;
		SHOW(syscall(SYS_ioctl, slave, TIOCSPGRP, &v));
		v = 999999;
		SHOW(syscall(SYS_ioctl, slave, TIOCSPGRP, &v));
		SHOW(syscall(SYS_ioctl, slave, TIOCSPGRP, BADPTR));
		fflush(stdout);
		_exit(0);
	}
	waitpid(child, NULL, 0);
}

/* ioctl is partial: terminal and FIO* requests; only those are probed. */
/* Linux's struct procmap_query (6.11), not in the C library's headers. */
struct map_query {
	uint64_t size, query_flags, query_addr;
	uint64_t vma_start, vma_end, vma_flags, vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define MAP_QUERY _IOWR('f', 17, struct map_query)

static long map_query(int fd, uint64_t addr, uint64_t flags, char *name, uint32_t name_size,
		      struct map_query *q)
{
	memset(q, 0, sizeof(*q));
	*q = (struct map_query){.size = sizeof(*q),
				.query_flags = flags,
				.query_addr = addr,
				.vma_name_size = name_size,
				.vma_name_addr = (uintptr_t)name};
	return syscall(SYS_ioctl, fd, MAP_QUERY, q);
}

/* PROCMAP_QUERY on /proc/self/maps (LTP ioctl10): our own code's mapping
 * by address, with its name; none below the first one unless the next
 * will do; the permissions asked for; bad flags; a short name buffer;
 * another file. Where the host has no PROCMAP_QUERY both runs say so. */
static void maps_query(void)
{
	int fd = open("/proc/self/maps", O_RDONLY);
	struct map_query q;
	char name[4096];
	uint64_t code = (uintptr_t)(void *)maps_query;
	if (map_query(fd, code, 0, name, sizeof name, &q) != 0) {
		say("PROCMAP_QUERY: %s", errname(errno));
		close(fd);
		return;
	}
	const char *slash = strrchr(name, '/');
	say("our code: covers it %d, r-x %d, name %s, name size right %d, page size %d",
	    q.vma_start <= code && code < q.vma_end, (int)q.vma_flags == 5,
	    slash ? slash + 1 : name, q.vma_name_size == strlen(name) + 1,
	    q.vma_page_size == (uint64_t)getpagesize());
	SHOW(map_query(fd, 0, 0, NULL, 0, &q));
	SHOW(map_query(fd, 0, 0x10, NULL, 0, &q));
	say("the next one is above 0: %d", q.vma_start > 0);
	SHOW(map_query(fd, code, 0x2, NULL, 0, &q));
	SHOW(map_query(fd, code, 0x40, NULL, 0, &q));
	SHOW(map_query(fd, code, 0, name, 2, &q));
	SHOW(map_query(fd, code, 0, NULL, 8, &q));
	int p[2];
	pipe(p);
	SHOW(map_query(p[0], code, 0, NULL, 0, &q));
	close(p[0]);
	close(p[1]);
	close(fd);
}

SYSCALL_TEST(ioctl)
{
	maps_query();
	int p[2];
	pipe(p);
	write(p[1], "12345", 5);
	int n = -1;
	SHOW(syscall(SYS_ioctl, p[0], FIONREAD, &n));
	say("FIONREAD: %d", n);
	/* An O_PATH descriptor takes no ioctl (LTP open13). */
	int op = open("/", O_PATH);
	SHOW(syscall(SYS_ioctl, op, FIOCLEX));
	SHOW(syscall(SYS_ioctl, op, FIONREAD, &n));
	close(op);
	/* Device queries: the entropy count (LTP ioctl07) and tun's features
	 * (ioctl03), each answered by its own device only. */
	int r = open("/dev/urandom", O_RDONLY), tun = open("/dev/net/tun", O_RDWR);
	n = -1;
	SHOW(syscall(SYS_ioctl, r, RNDGETENTCNT, &n));
	say("entropy count not negative: %d", n >= 0);
	SHOW(syscall(SYS_ioctl, p[0], RNDGETENTCNT, &n));
	unsigned features = 0;
	if (tun >= 0) {
		SHOW(syscall(SYS_ioctl, tun, TUNGETFEATURES, &features));
		say("tun offers IFF_TUN: %d", !!(features & IFF_TUN));
	}
	SHOW(syscall(SYS_ioctl, r, TUNGETFEATURES, &features));
	close(r);
	if (tun >= 0)
		close(tun);
	SHOW(syscall(SYS_ioctl, p[0], FIOCLEX));
	say("after FIOCLEX: %s", fd_state(p[0]));
	SHOW(syscall(SYS_ioctl, p[0], FIONCLEX));
	say("after FIONCLEX: %s", fd_state(p[0]));
	int on = 1;
	SHOW(syscall(SYS_ioctl, p[0], FIONBIO, &on));
	print_fl("after FIONBIO 1", p[0]);
	on = 0;
	SHOW(syscall(SYS_ioctl, p[0], FIONBIO, &on));
	print_fl("after FIONBIO 0", p[0]);
	struct termios tio;
	SHOW(syscall(SYS_ioctl, p[0], TCGETS, &tio));
	struct winsize ws;
	SHOW(syscall(SYS_ioctl, p[0], TIOCGWINSZ, &ws));
	put_file("f", "file contents");
	int fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_ioctl, fd, TCGETS, &tio));
	SHOW(syscall(SYS_ioctl, fd, TIOCGPGRP, &n));
	SHOW(syscall(SYS_ioctl, 99, FIONREAD, &n));
	SHOW(syscall(SYS_ioctl, p[0], FIONREAD, BADPTR));
	/* Inode flags (chattr): FS_NOATIME_FL needs no capability and is
	 * taken off again; a file system without flags fails alike. */
	int flags = 0;
	if (SHOW(syscall(SYS_ioctl, fd, FS_IOC_GETFLAGS, &flags)) == 0) {
		int set_flags = flags | FS_NOATIME_FL;
		SHOW(syscall(SYS_ioctl, fd, FS_IOC_SETFLAGS, &set_flags));
		int now = 0;
		SHOW(syscall(SYS_ioctl, fd, FS_IOC_GETFLAGS, &now));
		say("FS_NOATIME_FL set: %d", (now & FS_NOATIME_FL) != 0);
		SHOW(syscall(SYS_ioctl, fd, FS_IOC_SETFLAGS, &flags));
		SHOW(syscall(SYS_ioctl, fd, FS_IOC_SETFLAGS, BADPTR));
	}
	/* A pseudo-terminal, if /dev/ptmx opens: window size and line
	 * settings round-trip. */
	int m = open("/dev/ptmx", O_RDWR | O_NOCTTY);
	if (m < 0) {
		say("no /dev/ptmx: %s", errname(errno));
		return;
	}
	struct winsize set = {.ws_row = 24, .ws_col = 80};
	SHOW(syscall(SYS_ioctl, m, TIOCSWINSZ, &set));
	memset(&ws, 0, sizeof ws);
	SHOW(syscall(SYS_ioctl, m, TIOCGWINSZ, &ws));
	say("window %dx%d", ws.ws_col, ws.ws_row);
	SHOW(syscall(SYS_ioctl, m, TCGETS, &tio));
	/* The old struct termio: read, written back, bad addresses. */
	struct termio old;
	SHOW(syscall(SYS_ioctl, m, TCGETA, &old));
	SHOW(syscall(SYS_ioctl, m, TCSETA, &old));
	SHOW(syscall(SYS_ioctl, m, TCGETA, BADPTR));
	SHOW(syscall(SYS_ioctl, m, TCGETA, NULL));
	SHOW(syscall(SYS_ioctl, fd, TCGETA, &old));
	ioctl_job_control(m);
	close(m);
}
