/* pidfds: opening them, signalling through them, taking fds with them,
 * waiting on them (poll, waitid(P_PIDFD)) and getting them from clone
 * (CLONE_PIDFD) and clone3. Pids are printed only as relations. */
#include <linux/sched.h>
#include <poll.h>
#include <sys/utsname.h>
#include <sys/wait.h>

#include <sys/ioctl.h>

#include "probe.h"

#define NO_PID 0x3ffffff0
#ifndef P_PIDFD
#define P_PIDFD 3
#endif

static int pidfd_open(pid_t pid, unsigned flags)
{
	return (int)syscall(SYS_pidfd_open, pid, flags);
}

/* A child that waits until `gate` (a pipe's read end) gives EOF, then
 * exits with `code`. */
static pid_t gated_child(int gate[2], int code)
{
	pipe(gate);
	pid_t k = probe_fork();
	if (k == 0) {
		char c;
		close(gate[1]);
		read(gate[0], &c, 1);
		_exit(code);
	}
	close(gate[0]);
	return k;
}

static void show_poll(const char *label, int fd, int ms)
{
	struct pollfd p = {.fd = fd, .events = POLLIN};
	int r = poll(&p, 1, ms);
	say("%s: poll %d, POLLIN %d", label, r, (p.revents & POLLIN) != 0);
}

/* The Pid: line of a pidfd's fdinfo, as a relation to `k`. */
static void show_fdinfo(const char *label, int fd, pid_t k)
{
	char path[64], line[128];
	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", fd);
	FILE *in = fopen(path, "r");
	int pid = 0, lines = 0;
	while (in && fgets(line, sizeof line, in))
		lines += sscanf(line, "Pid: %d", &pid) == 1;
	if (in)
		fclose(in);
	say("%s: fdinfo Pid lines %d, %s", label, lines,
	    pid == k	? "the child"
	    : pid == -1 ? "-1"
			: "other");
}

static void show_waitid(const char *label, int pidfd, pid_t k, int options)
{
	siginfo_t si;
	memset(&si, 0, sizeof si);
	errno = 0;
	long r = syscall(SYS_waitid, P_PIDFD, pidfd, &si, options, NULL);
	if (r < 0)
		say("%s: waitid -1 %s", label, errname(errno));
	else
		say("%s: waitid %ld, pid is child %d, code %d, status %d", label, r, si.si_pid == k,
		    si.si_code, si.si_status);
}

/* PIDFD_GET_INFO (Linux 6.13 on; exit status from 6.15). */
struct probe_pidfd_info {
	uint64_t mask, cgroupid;
	uint32_t pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid;
	int32_t exit_code;
	uint32_t coredump_mask, spare;
};
#define PROBE_PIDFD_GET_INFO	   _IOWR(0xFF, 11, struct probe_pidfd_info)
#define PROBE_PIDFD_GET_INFO_SHORT _IOWR(0xFF, 11, char[32])

static void pidfd_get_info_probe(void)
{
	pid_t k = fork();
	if (k == 0) {
		usleep(200000);
		_exit(7);
	}
	int pfd = (int)pidfd_open(k, 0);
	struct probe_pidfd_info info = {.mask = 8 /* PIDFD_INFO_EXIT */};
	long r = ioctl(pfd, PROBE_PIDFD_GET_INFO, &info);
	if (r != 0 && (errno == ENOTTY || errno == EINVAL)) {
		say("no PIDFD_GET_INFO on this host");
		waitpid(k, NULL, 0);
		close(pfd);
		return;
	}
	say("running: %ld, mask pid %d creds %d exit %d, pid is the child's %d, ppid is us %d", r,
	    (int)(info.mask & 1), (int)((info.mask >> 1) & 1), (int)((info.mask >> 3) & 1),
	    (pid_t)info.pid == k, (pid_t)info.ppid == getpid());
	SHOW(ioctl(pfd, PROBE_PIDFD_GET_INFO, NULL));
	char small[32] = {0};
	SHOW(ioctl(pfd, PROBE_PIDFD_GET_INFO_SHORT, small));
	int status;
	waitpid(k, &status, 0);
	memset(&info, 0, sizeof info);
	info.mask = 8;
	r = ioctl(pfd, PROBE_PIDFD_GET_INFO, &info);
	say("reaped: %ld, mask exit %d, exit status %d", r, (int)((info.mask >> 3) & 1),
	    WEXITSTATUS(info.exit_code));
	info.mask = 1;
	SHOW(ioctl(pfd, PROBE_PIDFD_GET_INFO, &info));
	close(pfd);
}

SYSCALL_TEST(pidfd_open)
{
	pidfd_get_info_probe();
	SHOW(pidfd_open(getpid(), 0x1));
	SHOW(pidfd_open(0, 0));
	SHOW(pidfd_open(-1, 0));
	SHOW(pidfd_open(NO_PID, 0));
	int gate[2];
	pid_t k = gated_child(gate, 7);
	int fd = OK(pidfd_open(k, O_NONBLOCK));
	say("fd state %s, O_NONBLOCK %d, O_RDWR %d", fd_state(fd),
	    (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0, (fcntl(fd, F_GETFL) & O_ACCMODE) == O_RDWR);
	show_poll("running", fd, 0);
	char buf[8];
	SHOW(read(fd, buf, sizeof buf));
	SHOW(write(fd, "x", 1));
	show_waitid("nonblocking pidfd, running", fd, k, WEXITED);
	show_waitid("WNOHANG, running", fd, k, WEXITED | WNOHANG);
	close(gate[1]);
	show_poll("exited", fd, 5000);
	show_waitid("exited", fd, k, WEXITED);
	show_poll("reaped", fd, 0);
	show_waitid("reaped", fd, k, WEXITED);
	SHOW(syscall(SYS_waitid, P_PIDFD, -1, NULL, WEXITED, NULL));
	SHOW(syscall(SYS_waitid, P_PIDFD, gate[1], NULL, WEXITED, NULL));
	close(fd);
	int self = OK(pidfd_open(getpid(), 0));
	say("self: fd state %s, O_NONBLOCK %d", fd_state(self),
	    (fcntl(self, F_GETFL) & O_NONBLOCK) != 0);
	char link[64], target[64] = {0};
	snprintf(link, sizeof link, "/proc/self/fd/%d", self);
	readlink(link, target, sizeof target - 1);
	say("link: %s", target);
	show_waitid("self", self, 0, WEXITED | WNOHANG);
	close(self);
	pid_t z = probe_fork();
	if (z == 0)
		_exit(3);
	siginfo_t si;
	syscall(SYS_waitid, P_PID, z, &si, WEXITED | WNOWAIT, NULL);
	int zfd = OK(pidfd_open(z, 0));
	show_poll("zombie", zfd, 0);
	show_fdinfo("zombie", zfd, z);
	show_waitid("zombie", zfd, z, WEXITED);
	show_fdinfo("reaped", zfd, z);
	close(zfd);
	SHOW(pidfd_open(z, 0));
}

static void send_scopes(void);

SYSCALL_TEST(pidfd_send_signal)
{
	catch_signal(SIGUSR1, 0);
	int self = OK(pidfd_open(getpid(), 0));
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR1, NULL, 0));
	say("SIGUSR1 handled %d, code is SI_USER %d", handled[SIGUSR1],
	    last_info.si_code == SI_USER);
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR1, NULL, 0x80));
	SHOW(syscall(SYS_pidfd_send_signal, -1, SIGUSR1, NULL, 0));
	SHOW(syscall(SYS_pidfd_send_signal, 0, 0, NULL, 0));
	SHOW(syscall(SYS_pidfd_send_signal, self, 65, NULL, 0));
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR1, BADPTR, 0));
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGUSR1;
	si.si_code = SI_USER;
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR1, &si, 0));
	say("own SI_USER: handled %d", handled[SIGUSR1]);
	si.si_signo = SIGUSR2;
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR1, &si, 0));
	close(self);
	mask_signal(SIG_BLOCK, SIGUSR1);
	int gate[2];
	pipe(gate);
	pid_t k = probe_fork();
	if (k == 0) {
		sigset_t set;
		sigemptyset(&set);
		sigaddset(&set, SIGUSR1);
		siginfo_t got;
		write(gate[1], "r", 1);
		sigwaitinfo(&set, &got);
		_exit(got.si_code == SI_QUEUE && got.si_value.sival_int == 42 ? 3 : 4);
	}
	mask_signal(SIG_UNBLOCK, SIGUSR1);
	char c;
	read(gate[0], &c, 1);
	int fd = OK(pidfd_open(k, 0));
	si.si_signo = SIGUSR1;
	si.si_code = SI_USER;
	SHOW(syscall(SYS_pidfd_send_signal, fd, SIGUSR1, &si, 0));
	si.si_code = SI_QUEUE;
	si.si_value.sival_int = 42;
	SHOW(syscall(SYS_pidfd_send_signal, fd, SIGUSR1, &si, 0));
	probe_wait("queued", k);
	SHOW(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0));
	close(fd);
	k = probe_fork();
	if (k == 0) {
		pause();
		_exit(0);
	}
	fd = OK(pidfd_open(k, 0));
	SHOW(syscall(SYS_pidfd_send_signal, fd, 0, NULL, 0));
	SHOW(syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0));
	show_poll("killed", fd, 5000);
	SHOW(syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0));
	probe_wait("killed", k);
	SHOW(syscall(SYS_pidfd_send_signal, fd, SIGTERM, NULL, 0));
	close(fd);
	send_scopes();
}

SYSCALL_TEST(pidfd_getfd)
{
	int self = OK(pidfd_open(getpid(), 0));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_pidfd_getfd, self, p[1], 1));
	SHOW(syscall(SYS_pidfd_getfd, -1, p[1], 0));
	SHOW(syscall(SYS_pidfd_getfd, p[0], p[1], 0));
	SHOW(syscall(SYS_pidfd_getfd, self, 999, 0));
	SHOW(syscall(SYS_pidfd_getfd, self, -1, 0));
	int w = OK(syscall(SYS_pidfd_getfd, self, p[1], 0));
	say("copy: %s", fd_state(w));
	write(w, "via copy", 8);
	char buf[16] = {0};
	read(p[0], buf, sizeof buf - 1);
	say("read back: %s", buf);
	close(w);
	close(self);
	int gate[2], ready[2];
	pipe(ready);
	pipe(gate);
	pid_t k = probe_fork();
	if (k == 0) {
		put_file("childfile", "from the child");
		int cfd = open("childfile", O_RDONLY);
		write(ready[1], &cfd, sizeof cfd);
		char c;
		close(gate[1]);
		read(gate[0], &c, 1);
		_exit(0);
	}
	close(gate[0]);
	int cfd = -1;
	read(ready[0], &cfd, sizeof cfd);
	int fd = OK(pidfd_open(k, 0));
	int got = OK(syscall(SYS_pidfd_getfd, fd, cfd, 0));
	say("child's file: %s (%s)", fd_contents(got), fd_state(got));
	SHOW(syscall(SYS_pidfd_getfd, fd, 900, 0));
	close(gate[1]);
	probe_wait("child", k);
	SHOW(syscall(SYS_pidfd_getfd, fd, cfd, 0));
	close(fd);
	close(got);
}

static void clone_pidfd_child(const char *label, int pidfd, pid_t k)
{
	if (k < 0) {
		say("%s: -1 %s", label, errname(errno));
		return;
	}
	say("%s: pidfd %s", label, fd_state(pidfd));
	show_poll(label, pidfd, 5000);
	show_waitid(label, pidfd, k, WEXITED);
	close(pidfd);
}

/* CLONE_PIDFD through clone and clone3 (part of the pidfd tests: the
 * clone tests are the clone syscalls'). */
SYSCALL_TEST(pidfd_clone)
{
	int pidfd = -1;
	fflush(stdout);
	long k = syscall(SYS_clone, CLONE_PIDFD | SIGCHLD, 0, &pidfd, 0, 0);
	if (k == 0)
		_exit(5);
	clone_pidfd_child("clone", pidfd, (pid_t)k);
	MUST_NOT_FORK(
	    syscall(SYS_clone, CLONE_PIDFD | CLONE_PARENT_SETTID | SIGCHLD, 0, &pidfd, 0, 0));
	MUST_NOT_FORK(syscall(SYS_clone, CLONE_PIDFD | CLONE_DETACHED | SIGCHLD, 0, &pidfd, 0, 0));
	struct clone_args ca;
	memset(&ca, 0, sizeof ca);
	ca.flags = CLONE_PIDFD;
	ca.pidfd = (uint64_t)(uintptr_t)&pidfd;
	ca.exit_signal = SIGCHLD;
	fflush(stdout);
	k = syscall(SYS_clone3, &ca, sizeof ca);
	if (k == 0)
		_exit(6);
	clone_pidfd_child("clone3", pidfd, (pid_t)k);
	ca.flags = CLONE_PIDFD | CLONE_PARENT_SETTID;
	ca.parent_tid = ca.pidfd;
	MUST_NOT_FORK(syscall(SYS_clone3, &ca, sizeof ca));
	ca.flags = CLONE_PIDFD | CLONE_VM | CLONE_VFORK;
	ca.parent_tid = 0;
	fflush(stdout);
	k = syscall(SYS_clone3, &ca, sizeof ca);
	if (k == 0)
		syscall(SYS_exit, 9);
	clone_pidfd_child("vfork", pidfd, (pid_t)k);
}

/* Whether the host kernel (uname: the host's, natively and sandboxed) is
 * at least major.minor: msentry serves what newer kernels do. */
static bool kernel_at_least(int major, int minor)
{
	struct utsname u;
	int ma = 0, mi = 0;
	if (uname(&u) != 0 || sscanf(u.release, "%d.%d", &ma, &mi) != 2)
		return false;
	return ma > major || (ma == major && mi >= minor);
}

/* pidfd_send_signal's scopes (Linux 6.9) and the PIDFD_SELF_* sentinels
 * (Linux 6.15), part of the pidfd_send_signal test. */
static void send_scopes(void)
{
	if (!kernel_at_least(6, 9))
		return;
	catch_signal(SIGUSR2, 0);
	int self = pidfd_open(getpid(), 0);
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR2, NULL, 3));
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR2, NULL, 8));
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR2, NULL, 1));
	say("thread scope: handled %d, SI_TKILL %d", handled[SIGUSR2],
	    last_info.si_code == SI_TKILL);
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR2, NULL, 2));
	say("process scope: handled %d, SI_USER %d", handled[SIGUSR2],
	    last_info.si_code == SI_USER);
	if (kernel_at_least(6, 15)) {
		SHOW(syscall(SYS_pidfd_send_signal, -10000, SIGUSR2, NULL, 0));
		SHOW(syscall(SYS_pidfd_send_signal, -10001, SIGUSR2, NULL, 0));
		say("self sentinels: handled %d", handled[SIGUSR2]);
	}
	close(self);
	int gate[2];
	pipe(gate);
	pid_t leader = probe_fork();
	if (leader == 0) {
		setpgid(0, 0);
		write(gate[1], "r", 1);
		pause();
		_exit(0);
	}
	char c;
	read(gate[0], &c, 1);
	pid_t member = probe_fork();
	if (member == 0) {
		pause();
		_exit(0);
	}
	int lfd = pidfd_open(leader, 0), mfd = pidfd_open(member, 0);
	SHOW(syscall(SYS_pidfd_send_signal, mfd, SIGTERM, NULL, 4));
	SHOW(syscall(SYS_pidfd_send_signal, lfd, 0, NULL, 4));
	siginfo_t si;
	memset(&si, 0, sizeof si);
	si.si_signo = SIGTERM;
	si.si_code = SI_QUEUE;
	SHOW(syscall(SYS_pidfd_send_signal, lfd, SIGTERM, &si, 4));
	SHOW(syscall(SYS_pidfd_send_signal, lfd, SIGTERM, NULL, 4));
	probe_wait("group leader", leader);
	SHOW(syscall(SYS_pidfd_send_signal, mfd, SIGKILL, NULL, 1));
	probe_wait("member", member);
	close(lfd);
	close(mfd);
}
