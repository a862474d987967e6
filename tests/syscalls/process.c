/* Making, replacing, ending and reaping processes. Everything that ends or
 * replaces a process runs in a child whose status the parent reports; pids
 * are printed only as relations. */
#include <limits.h>
#include <linux/sched.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "probe.h"

/* A pid no process has: above any pid_max. */
#define NO_PID 0x3ffffff0

/* The child tells the parent its getpid() through a pipe. */
static pid_t child_pid_via(int fd)
{
	pid_t p = -1;
	if (read(fd, &p, sizeof p) != sizeof p)
		return -1;
	return p;
}

SYSCALL_TEST(fork)
{
	static int value = 1;
	int p[2];
	pipe(p);
	int fd = open("f", O_CREAT | O_RDWR, 0644);
	fflush(stdout);
	long k = syscall(SYS_fork);
	if (k == 0) {
		value = 2;
		say("child: fork returned 0, value %d", value);
		write(fd, "child,", 6);
		pid_t me = getpid();
		write(p[1], &me, sizeof me);
		_exit(7);
	}
	pid_t told = child_pid_via(p[0]);
	say("parent: fork returned a pid: %d, the child's getpid: %d, not ours: %d", k > 0,
	    told == k, k != getpid());
	int st;
	say("waitpid returns it: %d, %s", waitpid(k, &st, 0) == k, status_text(st));
	say("parent's value still %d", value);
	write(fd, "parent", 6);
	say("shared file offset: %s", fd_contents(fd));
	/* The child gets a copy of the signal mask and dispositions. */
	signal(SIGUSR1, SIG_IGN);
	mask_signal(SIG_BLOCK, SIGUSR2);
	fflush(stdout);
	k = syscall(SYS_fork);
	if (k == 0) {
		sigset_t m;
		sigprocmask(SIG_SETMASK, NULL, &m);
		struct sigaction sa;
		sigaction(SIGUSR1, NULL, &sa);
		say("child: SIGUSR2 blocked %d, SIGUSR1 ignored %d", sigismember(&m, SIGUSR2),
		    sa.sa_handler == SIG_IGN);
		_exit(0);
	}
	probe_wait("second child", k);
	/* No error case that a test can cause: root is not held to
	 * RLIMIT_NPROC. */
}

static volatile int vfork_value;

SYSCALL_TEST(vfork)
{
	vfork_value = 1;
	fflush(stdout);
	pid_t k = vfork();
	if (k == 0) {
		/* Shares the parent's memory, which waits until we _exit. */
		vfork_value = 2;
		_exit(3);
	}
	say("parent resumes with the child's write: value %d", vfork_value);
	probe_wait("child", k);
	fflush(stdout);
	k = vfork();
	if (k == 0) {
		char *argv[] = {"true", NULL};
		execve("/bin/true", argv, (char *[]){NULL});
		_exit(127);
	}
	probe_wait("child that ran /bin/true", k);
	fflush(stdout);
	k = vfork();
	if (k == 0) {
		char *argv[] = {"missing", NULL};
		execve("./missing", argv, (char *[]){NULL});
		_exit(127);
	}
	probe_wait("child whose execve failed", k);
	/* vfork has no error case a test can cause. */
}

static int cloned_fn(void *arg)
{
	int *shared = arg;
	shared[0] = 42;
	/* CLONE_FILES: this close is the parent's too; CLONE_FS: so is the
	 * chdir. */
	close(shared[1]);
	chdir("sub");
	return 9;
}

SYSCALL_TEST(clone)
{
	/* Without CLONE_VM, clone is fork. */
	fflush(stdout);
	long k = syscall(SYS_clone, SIGCHLD, 0, NULL, NULL, 0);
	if (k == 0)
		_exit(4);
	probe_wait("fork-like child", k);
	/* With CLONE_VM | CLONE_FILES | CLONE_FS on a stack of its own. */
	mkdir("sub", 0755);
	put_file("sub/marker", "in sub");
	static int shared[2];
	shared[1] = open("sub/marker", O_RDONLY);
	char *stack = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	pid_t ptid = 0, ctid = 0;
	fflush(stdout);
	k = clone(cloned_fn, stack + 65536,
		  CLONE_VM | CLONE_FILES | CLONE_FS | CLONE_PARENT_SETTID | SIGCHLD, shared, &ptid,
		  NULL, &ctid);
	say("clone returned a pid: %d", k > 0);
	probe_wait("CLONE_VM child", k);
	say("parent_tid is the pid: %d", ptid == k);
	say("memory shared: %d, fd closed for us too: %s, cwd followed: %s", shared[0],
	    fd_state(shared[1]), get_file("marker"));
	chdir(probe_dir);
	MUST_NOT_FORK(syscall(SYS_clone, CLONE_SIGHAND | SIGCHLD, 0, NULL, NULL, 0));
	MUST_NOT_FORK(syscall(SYS_clone, CLONE_THREAD | SIGCHLD, 0, NULL, NULL, 0));
	MUST_NOT_FORK(syscall(SYS_clone, CLONE_FS | CLONE_NEWNS | SIGCHLD, 0, NULL, NULL, 0));
}

SYSCALL_TEST(clone3)
{
	struct clone_args ca = {.exit_signal = SIGCHLD};
	fflush(stdout);
	long k = syscall(SYS_clone3, &ca, sizeof ca);
	if (k == 0)
		_exit(6);
	say("clone3 returned a pid: %d", k > 0);
	probe_wait("child", k);
	pid_t ptid = 0;
	struct clone_args set = {
	    .flags = CLONE_PARENT_SETTID, .parent_tid = (uintptr_t)&ptid, .exit_signal = SIGCHLD};
	fflush(stdout);
	k = syscall(SYS_clone3, &set, sizeof set);
	if (k == 0)
		_exit(0);
	probe_wait("CLONE_PARENT_SETTID child", k);
	say("parent_tid is the pid: %d", ptid == k);
	/* A larger struct is fine while the extra bytes are zero. */
	char big[128] = {0};
	memcpy(big, &ca, sizeof ca);
	fflush(stdout);
	k = syscall(SYS_clone3, big, sizeof big);
	if (k == 0)
		_exit(1);
	probe_wait("child from a 128-byte struct", k);
	big[100] = 1;
	MUST_NOT_FORK(syscall(SYS_clone3, big, sizeof big));
	MUST_NOT_FORK(syscall(SYS_clone3, &ca, 8));
	MUST_NOT_FORK(syscall(SYS_clone3, BADPTR, sizeof ca));
	struct clone_args bad = {.exit_signal = 100};
	MUST_NOT_FORK(syscall(SYS_clone3, &bad, sizeof bad));
	struct clone_args sighand = {.flags = CLONE_SIGHAND, .exit_signal = SIGCHLD};
	MUST_NOT_FORK(syscall(SYS_clone3, &sighand, sizeof sighand));
	/* A stack size without a stack. */
	struct clone_args stack = {.exit_signal = SIGCHLD, .stack_size = 4096};
	MUST_NOT_FORK(syscall(SYS_clone3, &stack, sizeof stack));
	/* Nowhere to put the pidfd: EFAULT, and no child (LTP clone302). */
	struct clone_args badfd = {
	    .flags = CLONE_PIDFD, .pidfd = (uint64_t)(uintptr_t)BADPTR, .exit_signal = SIGCHLD};
	MUST_NOT_FORK(syscall(SYS_clone3, &badfd, sizeof badfd));
}

/* Prepare what the exec helper reports: fd 3 close-on-exec, fd 4 open, fd 5
 * closed; SIGUSR1 ignored, SIGUSR2 caught and blocked. */
static void exec_setup(void)
{
	put_file("f", "x");
	for (int fd = 3; fd < 10; fd++)
		close(fd);
	open("f", O_RDONLY | O_CLOEXEC);
	open("f", O_RDONLY);
	signal(SIGUSR1, SIG_IGN);
	catch_signal(SIGUSR2, 0);
	mask_signal(SIG_BLOCK, SIGUSR2);
}

SYSCALL_TEST(execve)
{
	pid_t k = probe_fork();
	if (k == 0) {
		exec_setup();
		char pid[32];
		snprintf(pid, sizeof pid, "pid=%d", getpid());
		char *argv[] = {"syscall-probe", "--exec-helper", "two words", pid, NULL};
		char *envp[] = {"PROBE_ENV=hello", "OTHER=1", NULL};
		syscall(SYS_execve, probe_self, argv, envp);
		say("execve failed: %s", errname(errno));
		_exit(99);
	}
	probe_wait("helper", k);
	put_file("script",
		 "#!/bin/sh\n"
		 "case $0 in ./script) zero='the path execve got';; *) zero=another;; esac\n"
		 "echo script: argv0 $zero, arg $1\nexit 4\n");
	chmod("script", 0755);
	k = probe_fork();
	if (k == 0) {
		char *argv[] = {"script", "arg1", NULL};
		syscall(SYS_execve, "./script", argv, (char *[]){"PATH=/usr/bin:/bin", NULL});
		_exit(99);
	}
	probe_wait("script", k);
	k = probe_fork();
	if (k == 0) {
		syscall(SYS_execve, "/bin/true", (char *[]){"true", NULL}, (char *[]){NULL});
		_exit(99);
	}
	probe_wait("/bin/true", k);
	/* No argv at all: Linux makes it one empty argument. */
	k = probe_fork();
	if (k == 0) {
		syscall(SYS_execve, probe_self, NULL, (char *[]){"PROBE_ARGC=1", NULL});
		_exit(99);
	}
	probe_wait("empty argv", k);
	/* ETXTBSY both ways: a file open for writing is not executed, and a
	 * running program's file is not opened for writing (nor cut). */
	int src = open("/bin/sleep", O_RDONLY), dst = open("busy", O_WRONLY | O_CREAT, 0755);
	char chunk[65536];
	for (ssize_t n; (n = read(src, chunk, sizeof chunk)) > 0;)
		(void)!write(dst, chunk, (size_t)n);
	close(src);
	k = probe_fork();
	if (k == 0) {
		syscall(SYS_execve, "./busy", (char *[]){"busy", "0", NULL}, (char *[]){NULL});
		say("exec of a file open for writing: %s", errname(errno));
		_exit(0);
	}
	probe_wait("exec while open for writing", k);
	close(dst);
	k = probe_fork();
	if (k == 0) {
		syscall(SYS_execve, "./busy", (char *[]){"busy", "2", NULL}, (char *[]){NULL});
		_exit(99);
	}
	/* Until it runs (its name is the file's): no open for writing before,
	 * which would make its exec fail. */
	char comm_path[64], comm[32] = "";
	snprintf(comm_path, sizeof comm_path, "/proc/%d/comm", k);
	for (int i = 0; i < 200 && strncmp(comm, "busy", 4) != 0; i++) {
		usleep(20000);
		int c = open(comm_path, O_RDONLY);
		if (c >= 0) {
			(void)!read(c, comm, sizeof comm - 1);
			close(c);
		}
	}
	struct stat before, after;
	stat("busy", &before);
	SHOW(open("busy", O_WRONLY));
	SHOW(open("busy", O_WRONLY | O_TRUNC));
	SHOW(truncate("busy", 0));
	stat("busy", &after);
	say("the running file kept its size: %d", before.st_size == after.st_size);
	probe_wait("busy", k);
	int w = open("busy", O_WRONLY);
	say("after it ended, open for writing: %s", w >= 0 ? "ok" : errname(errno));
	if (w >= 0)
		close(w);
	put_file("plain", "not a program");
	put_file("garbage", "\x7f"
			    "ELF garbage garbage garbage");
	chmod("garbage", 0755);
	put_file("noninterp", "#!/nonexistent/interpreter\n");
	chmod("noninterp", 0755);
	char *argv[] = {"x", NULL};
	char *bad_argv[] = {"x", BADPTR, NULL};
	MUST_NOT_EXEC(syscall(SYS_execve, "./missing", argv, NULL));
	MUST_NOT_EXEC(syscall(SYS_execve, "./plain", argv, NULL));
	MUST_NOT_EXEC(syscall(SYS_execve, ".", argv, NULL));
	MUST_NOT_EXEC(syscall(SYS_execve, "./garbage", argv, NULL));
	MUST_NOT_EXEC(syscall(SYS_execve, "./noninterp", argv, NULL));
	MUST_NOT_EXEC(syscall(SYS_execve, "./plain/x", argv, NULL));
	MUST_NOT_EXEC(syscall(SYS_execve, BADPTR, argv, NULL));
	MUST_NOT_EXEC(syscall(SYS_execve, probe_self, BADPTR, NULL));
	MUST_NOT_EXEC(syscall(SYS_execve, probe_self, bad_argv, NULL));
}

SYSCALL_TEST(execveat)
{
	char dir[4096];
	strcpy(dir, probe_self);
	*strrchr(dir, '/') = 0;
	const char *base = strrchr(probe_self, '/') + 1;
	pid_t k = probe_fork();
	if (k == 0) {
		exec_setup();
		int d = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
		char *argv[] = {"syscall-probe", "--exec-helper", "via dirfd", NULL};
		syscall(SYS_execveat, d, base, argv, (char *[]){"PROBE_ENV=at", NULL}, 0);
		say("execveat failed: %s", errname(errno));
		_exit(99);
	}
	probe_wait("helper by dirfd", k);
	k = probe_fork();
	if (k == 0) {
		exec_setup();
		/* fd 5: the program itself, named by AT_EMPTY_PATH. */
		int fd = open(probe_self, O_RDONLY | O_CLOEXEC);
		char *argv[] = {"syscall-probe", "--exec-helper", "via AT_EMPTY_PATH", NULL};
		syscall(SYS_execveat, fd, "", argv, (char *[]){NULL}, AT_EMPTY_PATH);
		say("execveat failed: %s", errname(errno));
		_exit(99);
	}
	probe_wait("helper by fd", k);
	symlink(probe_self, "link");
	char *argv[] = {"x", NULL};
	int d = open(dir, O_PATH | O_DIRECTORY);
	MUST_NOT_EXEC(syscall(SYS_execveat, AT_FDCWD, "link", argv, NULL, AT_SYMLINK_NOFOLLOW));
	MUST_NOT_EXEC(syscall(SYS_execveat, -1, "", argv, NULL, AT_EMPTY_PATH));
	MUST_NOT_EXEC(syscall(SYS_execveat, 99, "", argv, NULL, AT_EMPTY_PATH));
	MUST_NOT_EXEC(syscall(SYS_execveat, 99, "x", argv, NULL, 0));
	MUST_NOT_EXEC(syscall(SYS_execveat, d, "missing", argv, NULL, 0));
	MUST_NOT_EXEC(syscall(SYS_execveat, d, base, argv, NULL, 0x1));
	MUST_NOT_EXEC(syscall(SYS_execveat, d, "", argv, NULL, AT_EMPTY_PATH));
	MUST_NOT_EXEC(syscall(SYS_execveat, d, "", argv, NULL, 0));
	close(d);
}

static void *thread_exits(void *arg)
{
	(void)arg;
	syscall(SYS_exit, 0);
	return NULL;
}

static void *thread_outlives_main(void *arg)
{
	(void)arg;
	usleep(20000);
	say("thread: still running after the main thread's exit");
	syscall(SYS_exit_group, 6);
	return NULL;
}

/* exit is partial: it ends the calling thread; the last one ends the
 * process. It does not return, so it has no error case. */
SYSCALL_TEST(exit)
{
	pid_t k = probe_fork();
	if (k == 0)
		syscall(SYS_exit, 9);
	probe_wait("child", k);
	k = probe_fork();
	if (k == 0)
		syscall(SYS_exit, 0x1ff);
	probe_wait("child exiting with 0x1ff", k);
	/* A thread's exit leaves the process running. */
	pthread_t t;
	pthread_create(&t, NULL, thread_exits, NULL);
	say("pthread_join after the thread's exit: %d", pthread_join(t, NULL));
	/* The main thread's exit leaves the other thread running. */
	k = probe_fork();
	if (k == 0) {
		pthread_create(&t, NULL, thread_outlives_main, NULL);
		syscall(SYS_exit, 0);
	}
	probe_wait_timeout("child whose main thread exited first", k, 3000);
}

static void *thread_waits(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *thread_exit_group(void *arg)
{
	(void)arg;
	syscall(SYS_exit_group, 12);
	return NULL;
}

SYSCALL_TEST(exit_group)
{
	pid_t k = probe_fork();
	if (k == 0)
		syscall(SYS_exit_group, 300);
	probe_wait("child", k);
	/* The whole process ends, other threads too. */
	k = probe_fork();
	if (k == 0) {
		pthread_t t;
		pthread_create(&t, NULL, thread_waits, NULL);
		syscall(SYS_exit_group, 2);
	}
	probe_wait("child with a waiting thread", k);
	/* From a thread other than the main one. */
	k = probe_fork();
	if (k == 0) {
		pthread_t t;
		pthread_create(&t, NULL, thread_exit_group, NULL);
		for (;;)
			pause();
	}
	probe_wait("child whose thread called exit_group", k);
	/* exit_group does not return: no error case. */
}

SYSCALL_TEST(wait4)
{
	/* -INT_MIN is no group (LTP wait403). */
	SHOW(syscall(SYS_wait4, INT_MIN, NULL, 0, NULL));
	int st = 0;
	struct rusage ru;
	pid_t k = probe_fork();
	if (k == 0)
		_exit(3);
	long r = wait4(k, &st, 0, &ru);
	say("wait4 returns the pid: %d, %s", r == k, status_text(st));
	/* The rusage is the child's: a spinning child's CPU time is in it. */
	k = probe_fork();
	if (k == 0) {
		struct timespec ts;
		do
			clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
		while (ts.tv_sec == 0 && ts.tv_nsec < 30000000);
		_exit(0);
	}
	memset(&ru, 0, sizeof ru);
	r = wait4(k, &st, 0, &ru);
	say("a spinning child's rusage has its CPU time: %d",
	    ru.ru_utime.tv_sec * 1000000 + ru.ru_utime.tv_usec + ru.ru_stime.tv_sec * 1000000 +
		    ru.ru_stime.tv_usec >=
		10000);
	/* A running child: WNOHANG returns 0. */
	int p[2];
	pipe(p);
	k = probe_fork();
	if (k == 0) {
		char c;
		read(p[0], &c, 1);
		_exit(0);
	}
	SHOW(syscall(SYS_wait4, k, &st, WNOHANG, NULL));
	SHOW(kill(k, SIGTERM));
	r = syscall(SYS_wait4, -1, &st, 0, NULL);
	say("wait4(-1) returns it: %d, %s", r == k, status_text(st));
	/* Stopped and continued. */
	k = probe_fork();
	if (k == 0) {
		raise(SIGSTOP);
		_exit(8);
	}
	r = syscall(SYS_wait4, k, &st, WUNTRACED, NULL);
	say("WUNTRACED: %d, %s", r == k, status_text(st));
	kill(k, SIGCONT);
	r = syscall(SYS_wait4, k, &st, WCONTINUED, NULL);
	say("WCONTINUED: %d, %s", r == k, status_text(st));
	r = syscall(SYS_wait4, k, &st, 0, NULL);
	say("then: %d, %s", r == k, status_text(st));
	/* A bad status pointer: EFAULT, and the child is reaped all the same. */
	k = probe_fork();
	if (k == 0)
		_exit(1);
	usleep(20000);
	SHOW(syscall(SYS_wait4, k, BADPTR, 0, NULL));
	SHOW(syscall(SYS_wait4, k, &st, WNOHANG, NULL));
	SHOW(syscall(SYS_wait4, -1, &st, 0, NULL));
	SHOW(syscall(SYS_wait4, NO_PID, &st, 0, NULL));
	SHOW(syscall(SYS_wait4, -1, &st, 0x10000000, NULL));
}

static void print_siginfo(const char *label, long r, pid_t k, const siginfo_t *si)
{
	say("%s: ret %ld, si_pid is the child %d, signo %s, code %s, status %d", label, r,
	    si->si_pid == k, signame(si->si_signo),
	    si->si_code == CLD_EXITED	   ? "CLD_EXITED"
	    : si->si_code == CLD_KILLED	   ? "CLD_KILLED"
	    : si->si_code == CLD_STOPPED   ? "CLD_STOPPED"
	    : si->si_code == CLD_CONTINUED ? "CLD_CONTINUED"
	    : si->si_code == CLD_DUMPED	   ? "CLD_DUMPED"
					   : "?",
	    si->si_status);
}

SYSCALL_TEST(waitid)
{
	siginfo_t si;
	pid_t k = probe_fork();
	if (k == 0)
		_exit(5);
	memset(&si, 0, sizeof si);
	long r = syscall(SYS_waitid, P_PID, k, &si, WEXITED | WNOWAIT, NULL);
	print_siginfo("WNOWAIT", r, k, &si);
	memset(&si, 0, sizeof si);
	r = syscall(SYS_waitid, P_ALL, 0, &si, WEXITED, NULL);
	print_siginfo("P_ALL", r, k, &si);
	say("uid %d", si.si_uid);
	int p[2];
	pipe(p);
	k = probe_fork();
	if (k == 0) {
		char c;
		read(p[0], &c, 1);
		_exit(0);
	}
	memset(&si, 0xff, sizeof si);
	r = syscall(SYS_waitid, P_PID, k, &si, WEXITED | WNOHANG, NULL);
	say("WNOHANG on a running child: ret %ld, si_pid %d", r, si.si_pid);
	kill(k, SIGKILL);
	memset(&si, 0, sizeof si);
	r = syscall(SYS_waitid, P_PID, k, &si, WEXITED, NULL);
	print_siginfo("killed", r, k, &si);
	k = probe_fork();
	if (k == 0) {
		raise(SIGSTOP);
		_exit(0);
	}
	r = syscall(SYS_waitid, P_PID, k, &si, WSTOPPED, NULL);
	print_siginfo("stopped", r, k, &si);
	kill(k, SIGCONT);
	r = syscall(SYS_waitid, P_PID, k, &si, WCONTINUED, NULL);
	print_siginfo("continued", r, k, &si);
	r = syscall(SYS_waitid, P_PID, k, &si, WEXITED, NULL);
	print_siginfo("exited", r, k, &si);
	SHOW(syscall(SYS_waitid, P_ALL, 0, &si, WEXITED, NULL));
	SHOW(syscall(SYS_waitid, P_PID, k, &si, 0, NULL));
	SHOW(syscall(SYS_waitid, 99, 0, &si, WEXITED, NULL));
	SHOW(syscall(SYS_waitid, P_PID, NO_PID, &si, WEXITED, NULL));
	k = probe_fork();
	if (k == 0)
		_exit(0);
	usleep(20000);
	SHOW(syscall(SYS_waitid, P_PID, k, BADPTR, WEXITED, NULL));
	SHOW(syscall(SYS_waitid, P_PID, k, &si, WEXITED | WNOHANG, NULL));
}
