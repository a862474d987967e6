/* Sending signals (to processes, groups and threads), waiting for one,
 * and reading them from a signalfd. */
#include <poll.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include "sigutil.h"

static volatile pid_t handler_tid;

static void record_tid(int sig)
{
	handler_tid = syscall(SYS_gettid);
	handled[sig]++;
}

SYSCALL_TEST(kill)
{
	SHOW(syscall(SYS_kill, getpid(), 0));
	SHOW(syscall(SYS_kill, NO_PID, 0));
	SHOW(syscall(SYS_kill, getpid(), 65));
	SHOW(syscall(SYS_kill, getpid(), -1));
	/* Default action: the child dies of it. */
	pid_t k = probe_fork();
	if (k == 0) {
		for (;;)
			pause();
	}
	SHOW(syscall(SYS_kill, k, SIGTERM));
	probe_wait_timeout("child", k, 3000);
	/* A handler sees who sent it. */
	int p[2];
	pipe(p);
	catch_signal(SIGUSR1, 0);
	k = probe_fork();
	if (k == 0) {
		write(p[1], "r", 1);
		while (!handled[SIGUSR1])
			usleep(1000);
		say("child: got %s, code %s, from the parent %d", signame(last_info.si_signo),
		    last_info.si_code == SI_USER ? "SI_USER" : "other",
		    last_info.si_pid == getppid());
		_exit(0);
	}
	char c;
	read(p[0], &c, 1);
	/* Printed after the child has spoken: the same order every run. */
	errno = 0;
	long r = syscall(SYS_kill, k, SIGUSR1);
	int e = errno;
	probe_wait_timeout("child", k, 2000);
	probe_show("syscall(SYS_kill, k, SIGUSR1)", r, e);
	/* kill(0, sig) and kill(-pgrp, sig): the caller's group. In a child
	 * leading its own group. */
	k = probe_fork();
	if (k == 0) {
		setpgid(0, 0);
		signal(SIGTERM, SIG_IGN);
		int q[2];
		pipe(q);
		pid_t g = fork();
		if (g == 0) {
			signal(SIGTERM, SIG_DFL);
			write(q[1], "r", 1);
			for (;;)
				pause();
		}
		read(q[0], &c, 1);
		SHOW(syscall(SYS_kill, 0, SIGTERM));
		probe_wait_timeout("grandchild", g, 3000);
		g = fork();
		if (g == 0) {
			signal(SIGHUP, SIG_DFL);
			write(q[1], "r", 1);
			for (;;)
				pause();
		}
		signal(SIGHUP, SIG_IGN);
		read(q[0], &c, 1);
		SHOW(syscall(SYS_kill, -getpgrp(), SIGHUP));
		probe_wait_timeout("grandchild", g, 3000);
		SHOW(syscall(SYS_kill, -NO_PID, SIGHUP));
		_exit(0);
	}
	probe_wait_timeout("child", k, 3000);
	/* A SIGKILL that reaches the sender itself, alone or with its group
	 * (LTP waitpid01 crashed the sentry there): the sender just dies. */
	k = probe_fork();
	if (k == 0) {
		syscall(SYS_kill, getpid(), SIGKILL);
		_exit(1);
	}
	probe_wait_timeout("self-killed child", k, 3000);
	k = probe_fork();
	if (k == 0) {
		setpgid(0, 0);
		if (fork() == 0)
			for (;;)
				pause();
		syscall(SYS_kill, 0, SIGKILL);
		_exit(1);
	}
	probe_wait_timeout("group-killed child", k, 3000);
	/* An unprivileged sender may not signal root's processes. */
	k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		SHOW(syscall(SYS_kill, getppid(), 0));
		SHOW(syscall(SYS_kill, getpid(), 0));
		_exit(0);
	}
	probe_wait_timeout("child", k, 3000);
}

static volatile int thread_ready, thread_stop;
static volatile pid_t thread_tid;

static void *spin_thread(void *arg)
{
	(void)arg;
	thread_tid = syscall(SYS_gettid);
	thread_ready = 1;
	while (!thread_stop)
		usleep(1000);
	return NULL;
}

/* Signal one thread with fn(tid, sig) and report which thread handled it. */
static void to_thread(long (*fn)(pid_t, int))
{
	struct sigaction sa = {.sa_handler = record_tid};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR2, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	thread_ready = thread_stop = 0;
	pthread_t t;
	pthread_create(&t, NULL, spin_thread, NULL);
	while (!thread_ready)
		usleep(1000);
	say("to the other thread: %ld", fn(thread_tid, SIGUSR2));
	while (!handled[SIGUSR2])
		usleep(1000);
	say("handled by that thread: %d", handler_tid == thread_tid);
	thread_stop = 1;
	pthread_join(t, NULL);
	say("to ourselves: %ld", fn(syscall(SYS_gettid), SIGUSR1));
	say("handled at once by us: %d %d", handled[SIGUSR1], handler_tid == syscall(SYS_gettid));
}

static long do_tkill(pid_t tid, int sig)
{
	return syscall(SYS_tkill, tid, sig);
}

static long do_tgkill(pid_t tid, int sig)
{
	return syscall(SYS_tgkill, getpid(), tid, sig);
}

SYSCALL_TEST(tkill)
{
	/* Beside tkill: kill and rt_sigqueueinfo take a thread's id for its
	 * process (LTP rt_sigqueueinfo01); signal 0 keeps it deterministic. */
	thread_ready = thread_stop = 0;
	pthread_t th;
	pthread_create(&th, NULL, spin_thread, NULL);
	while (!thread_ready)
		usleep(1000);
	siginfo_t qi = {.si_code = SI_QUEUE};
	SHOW(syscall(SYS_kill, thread_tid, 0));
	SHOW(syscall(SYS_rt_sigqueueinfo, thread_tid, 0, &qi));
	thread_stop = 1;
	pthread_join(th, NULL);
	to_thread(do_tkill);
	SHOW(syscall(SYS_tkill, syscall(SYS_gettid), 0));
	SHOW(syscall(SYS_tkill, -1, SIGUSR1));
	SHOW(syscall(SYS_tkill, 0, SIGUSR1));
	SHOW(syscall(SYS_tkill, NO_PID, SIGUSR1));
	SHOW(syscall(SYS_tkill, syscall(SYS_gettid), 65));
	/* A child killed with tkill. */
	pid_t k = probe_fork();
	if (k == 0)
		for (;;)
			pause();
	SHOW(syscall(SYS_tkill, k, SIGKILL));
	probe_wait("child", k);
}

SYSCALL_TEST(tgkill)
{
	to_thread(do_tgkill);
	pid_t me = getpid(), tid = syscall(SYS_gettid);
	SHOW(syscall(SYS_tgkill, me, tid, 0));
	SHOW(syscall(SYS_tgkill, me, NO_PID, 0));
	SHOW(syscall(SYS_tgkill, NO_PID, tid, 0));
	SHOW(syscall(SYS_tgkill, 0, tid, SIGUSR1));
	SHOW(syscall(SYS_tgkill, me, -1, SIGUSR1));
	SHOW(syscall(SYS_tgkill, me, tid, 65));
	pid_t k = probe_fork();
	if (k == 0)
		for (;;)
			pause();
	SHOW(syscall(SYS_tgkill, me, k, 0));
	SHOW(syscall(SYS_tgkill, k, k, SIGKILL));
	probe_wait("child", k);
	/* A nobody may not signal root's thread; with RLIMIT_SIGPENDING 0 a
	 * real-time signal has no room: EAGAIN, not a silent loss. */
	k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresuid, 65534, 65534, 65534);
		SHOW(syscall(SYS_tgkill, me, tid, 0));
		SHOW(syscall(SYS_tgkill, me, tid, SIGUSR1));
		_exit(0);
	}
	probe_wait("nobody", k);
	k = probe_fork();
	if (k == 0) {
		struct rlimit none = {0, 0};
		mask_signal(SIG_BLOCK, SIGRTMIN);
		setrlimit(RLIMIT_SIGPENDING, &none);
		pid_t self = (pid_t)syscall(SYS_gettid);
		SHOW(syscall(SYS_tgkill, getpid(), self, SIGRTMIN));
		SHOW(syscall(SYS_tgkill, getpid(), self, SIGUSR1));
		_exit(0);
	}
	probe_wait("no room", k);
}

/* pause only returns when a handler ran: -1 EINTR. */
SYSCALL_TEST(pause)
{
	catch_signal(SIGUSR1, 0);
	pid_t k = probe_fork();
	if (k == 0) {
		SHOW(syscall(SYS_pause));
		say("child: handler ran %d", handled[SIGUSR1] > 0);
		_exit(0);
	}
	/* Keep signalling until the child is in pause and leaves it. */
	int st;
	while (waitpid(k, &st, WNOHANG) == 0) {
		kill(k, SIGUSR1);
		usleep(5000);
	}
	say("child: %s", status_text(st));
	/* An ignored signal does not end the pause; SIGKILL does. */
	k = probe_fork();
	if (k == 0) {
		signal(SIGUSR1, SIG_IGN);
		syscall(SYS_pause);
		_exit(0);
	}
	usleep(20000);
	kill(k, SIGUSR1);
	usleep(20000);
	say("still paused after an ignored signal: %d", waitpid(k, &st, WNOHANG) == 0);
	kill(k, SIGKILL);
	probe_wait("child", k);
}

static void read_siginfo(int fd, pid_t from)
{
	struct signalfd_siginfo si[2];
	memset(si, 0, sizeof si);
	long r = read(fd, si, sizeof si);
	if (r < 0) {
		say("read = -1 %s", errname(errno));
		return;
	}
	for (long i = 0; i < r / (long)sizeof si[0]; i++)
		say("read %s: code %s, pid is the sender %d, int %d", signame(si[i].ssi_signo),
		    si[i].ssi_code == SI_USER	 ? "SI_USER"
		    : si[i].ssi_code == SI_QUEUE ? "SI_QUEUE"
						 : "other",
		    si[i].ssi_pid == (uint32_t)from, si[i].ssi_int);
}

SYSCALL_TEST(signalfd)
{
	set_mask(BIT(SIGUSR1) | BIT(SIGUSR2));
	uint64_t m = BIT(SIGUSR1);
	int fd = SHOW(syscall(SYS_signalfd, -1, &m, 8));
	say("fd %s", fd_state(fd));
	struct pollfd pfd = {fd, POLLIN, 0};
	say("readable before: %d", poll(&pfd, 1, 0));
	kill(getpid(), SIGUSR1);
	say("readable after: %d", poll(&pfd, 1, 0));
	read_siginfo(fd, getpid());
	/* Change the set of the same fd. */
	m = BIT(SIGUSR2);
	SHOW(syscall(SYS_signalfd, fd, &m, 8));
	kill(getpid(), SIGUSR1);
	kill(getpid(), SIGUSR2);
	read_siginfo(fd, getpid());
	uint64_t p = 0;
	syscall(SYS_rt_sigpending, &p, 8);
	say("still pending: %s", mask_text(p));
	char small[16];
	SHOW(read(fd, small, sizeof small));
	SHOW(syscall(SYS_signalfd, -1, &m, 4));
	SHOW(syscall(SYS_signalfd, 99, &m, 8));
	int p2[2];
	pipe(p2);
	SHOW(syscall(SYS_signalfd, p2[0], &m, 8));
	SHOW(syscall(SYS_signalfd, -1, BADPTR, 8));
}

SYSCALL_TEST(signalfd4)
{
	set_mask(BIT(SIGUSR1) | BIT(SIGRTMIN));
	uint64_t m = BIT(SIGUSR1) | BIT(SIGRTMIN);
	int fd = SHOW(syscall(SYS_signalfd4, -1, &m, 8, SFD_NONBLOCK | SFD_CLOEXEC));
	say("fd %s", fd_state(fd));
	struct signalfd_siginfo si;
	SHOW(read(fd, &si, sizeof si));
	siginfo_t info = {0};
	info.si_signo = SIGRTMIN;
	info.si_code = SI_QUEUE;
	info.si_pid = getpid();
	info.si_value.sival_int = 99;
	syscall(SYS_rt_sigqueueinfo, getpid(), SIGRTMIN, &info);
	kill(getpid(), SIGUSR1);
	read_siginfo(fd, getpid());
	/* A child's signal to us. */
	pid_t k = probe_fork();
	if (k == 0) {
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	probe_wait("child", k);
	read_siginfo(fd, k);
	SHOW(syscall(SYS_signalfd4, -1, &m, 8, 0x1));
	SHOW(syscall(SYS_signalfd4, -1, &m, 16, 0));
	int blocking = SHOW(syscall(SYS_signalfd4, -1, &m, 8, 0));
	say("fd %s", fd_state(blocking));
}
