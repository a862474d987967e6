/* poll, select, epoll, eventfd, timerfd and signalfd on pipes and between
 * processes. Prints one line per check; the output must be the same natively
 * and under msentry. Never depends on wall-clock figures beyond ordering
 * (a timeout ends the wait, a write wakes it). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <unistd.h>

static void check(const char *what, long got, long want)
{
	printf("%s: %s (got %ld)\n", what, got == want ? "ok" : "FAIL", got);
}

static void test_poll(void)
{
	int p[2];
	pipe(p);
	struct pollfd pf[2] = {{.fd = p[0], .events = POLLIN}, {.fd = 999, .events = POLLIN}};
	check("poll timeout", poll(pf, 1, 50), 0);
	check("poll nval", poll(pf, 2, 0), 1);
	check("poll nval revents", pf[1].revents, POLLNVAL);
	pid_t c = fork();
	if (c == 0) {
		usleep(20000);
		write(p[1], "x", 1);
		_exit(0);
	}
	check("poll wakes on child write", poll(pf, 1, -1), 1);
	check("poll revents", pf[0].revents, POLLIN);
	waitpid(c, NULL, 0);
	char b;
	read(p[0], &b, 1);
	close(p[1]);
	check("poll hup", poll(pf, 1, 1000), 1);
	check("poll hup revents", pf[0].revents & POLLHUP, POLLHUP);
	close(p[0]);
}

static void test_select(void)
{
	int p[2];
	pipe(p);
	fd_set r, w;
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	struct timeval tv = {0, 30000};
	check("select timeout", select(p[0] + 1, &r, NULL, NULL, &tv), 0);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	FD_ZERO(&w);
	FD_SET(p[1], &w);
	check("select writable", select(p[1] + 1, &r, &w, NULL, NULL), 1);
	check("select w bit", FD_ISSET(p[1], &w), 1);
	check("select r bit clear", FD_ISSET(p[0], &r), 0);
	pid_t c = fork();
	if (c == 0) {
		usleep(20000);
		write(p[1], "y", 1);
		_exit(0);
	}
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	check("select wakes", select(p[0] + 1, &r, NULL, NULL, NULL), 1);
	waitpid(c, NULL, 0);
	FD_ZERO(&r);
	FD_SET(50, &r); /* below 64: Linux ignores fds past its table size */
	check("select ebadf", select(51, &r, NULL, NULL, NULL) == -1 ? errno : 0, EBADF);
	struct timespec ts = {0, 1000000};
	sigset_t m;
	sigemptyset(&m);
	FD_ZERO(&r);
	FD_SET(p[0], &r);
	check("pselect ready", pselect(p[0] + 1, &r, NULL, NULL, &ts, &m), 1);
	close(p[0]);
	close(p[1]);
}

static void test_epoll(void)
{
	int p[2];
	pipe(p);
	int ep = epoll_create1(EPOLL_CLOEXEC);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 0x1234567890abcdefULL};
	check("epoll_ctl add", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
	check("epoll_ctl add again", epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev) ? errno : 0, EEXIST);
	struct epoll_event out[4];
	check("epoll_wait timeout", epoll_wait(ep, out, 4, 30), 0);
	pid_t c = fork();
	if (c == 0) {
		usleep(20000);
		write(p[1], "z", 1);
		_exit(0);
	}
	check("epoll_wait wakes", epoll_wait(ep, out, 4, -1), 1);
	check("epoll data kept", out[0].data.u64 == 0x1234567890abcdefULL, 1);
	waitpid(c, NULL, 0);
	sigset_t m;
	sigemptyset(&m);
	check("epoll_pwait ready", epoll_pwait(ep, out, 4, 0, &m), 1);
	check("epoll_ctl del", epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0);
	check("epoll_wait after del", epoll_wait(ep, out, 4, 0), 0);
	check("epoll_wait bad max", epoll_wait(ep, out, 0, 0) == -1 ? errno : 0, EINVAL);
	/* An epoll fd is itself pollable. */
	ev.events = EPOLLOUT;
	epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev);
	struct pollfd pf = {.fd = ep, .events = POLLIN};
	check("poll on epoll fd", poll(&pf, 1, 0), 1);
	close(ep);
	close(p[0]);
	close(p[1]);
}

static void test_eventfd(void)
{
	int e = eventfd(3, EFD_NONBLOCK);
	uint64_t v = 0;
	check("eventfd read", read(e, &v, 8), 8);
	check("eventfd value", (long)v, 3);
	check("eventfd empty", read(e, &v, 8) == -1 ? errno : 0, EAGAIN);
	close(e);
	e = eventfd(0, 0);
	pid_t c = fork();
	if (c == 0) {
		usleep(20000);
		uint64_t one = 5;
		write(e, &one, 8);
		_exit(0);
	}
	check("eventfd blocking read", read(e, &v, 8), 8);
	check("eventfd value from child", (long)v, 5);
	waitpid(c, NULL, 0);
	close(e);
}

static void test_timerfd(void)
{
	int tf = timerfd_create(CLOCK_MONOTONIC, 0);
	struct itimerspec its = {.it_value = {0, 20000000}};
	check("timerfd_settime", timerfd_settime(tf, 0, &its, NULL), 0);
	uint64_t n = 0;
	check("timerfd read blocks until expiry", read(tf, &n, 8), 8);
	check("timerfd expirations", (long)n, 1);
	struct itimerspec cur;
	check("timerfd_gettime", timerfd_gettime(tf, &cur), 0);
	check("timerfd disarmed", cur.it_value.tv_sec == 0 && cur.it_value.tv_nsec == 0, 1);
	its.it_value.tv_nsec = 10000000;
	timerfd_settime(tf, 0, &its, NULL);
	struct pollfd pf = {.fd = tf, .events = POLLIN};
	check("poll timerfd", poll(&pf, 1, 5000), 1);
	close(tf);
}

static void test_signalfd(void)
{
	sigset_t m;
	sigemptyset(&m);
	sigaddset(&m, SIGUSR1);
	sigaddset(&m, SIGUSR2);
	sigprocmask(SIG_BLOCK, &m, NULL);
	int sf = signalfd(-1, &m, SFD_NONBLOCK);
	struct signalfd_siginfo si;
	check("signalfd empty", read(sf, &si, sizeof(si)) == -1 ? errno : 0, EAGAIN);
	kill(getpid(), SIGUSR1);
	struct pollfd pf = {.fd = sf, .events = POLLIN};
	check("poll signalfd", poll(&pf, 1, 1000), 1);
	check("signalfd read", read(sf, &si, sizeof(si)), (long)sizeof(si));
	check("signalfd signo", si.ssi_signo, SIGUSR1);
	check("signalfd pid", si.ssi_pid == (uint32_t)getpid(), 1);
	check("poll signalfd drained", poll(&pf, 1, 0), 0);
	/* Blocking read woken by another process's kill, through epoll too. */
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN, .data.fd = sf};
	epoll_ctl(ep, EPOLL_CTL_ADD, sf, &ev);
	pid_t parent = getpid();
	pid_t c = fork();
	if (c == 0) {
		usleep(20000);
		kill(parent, SIGUSR2);
		_exit(0);
	}
	struct epoll_event out;
	check("epoll on signalfd wakes", epoll_wait(ep, &out, 1, -1), 1);
	check("signalfd read 2", read(sf, &si, sizeof(si)), (long)sizeof(si));
	check("signalfd signo 2", si.ssi_signo, SIGUSR2);
	check("epoll signalfd drained", epoll_wait(ep, &out, 1, 0), 0);
	waitpid(c, NULL, 0);
	close(ep);
	close(sf);
	sf = signalfd(-1, &m, 0);
	c = fork();
	if (c == 0) {
		usleep(20000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	check("signalfd blocking read", read(sf, &si, sizeof(si)), (long)sizeof(si));
	check("signalfd blocking signo", si.ssi_signo, SIGUSR1);
	waitpid(c, NULL, 0);
	/* A shared signalfd reads the reader's signals only: the child keeps a
	 * SIGUSR2 pending while the parent waits for its own SIGUSR1. */
	int ready[2], done[2];
	pipe(ready);
	pipe(done);
	pid_t holder = fork();
	if (holder == 0) {
		kill(getpid(), SIGUSR2);
		write(ready[1], "r", 1);
		char b;
		read(done[0], &b, 1); /* until the parent is done */
		_exit(0);
	}
	char b;
	read(ready[0], &b, 1);
	c = fork();
	if (c == 0) {
		usleep(20000);
		kill(parent, SIGUSR1);
		_exit(0);
	}
	check("shared signalfd read", read(sf, &si, sizeof(si)), (long)sizeof(si));
	check("shared signalfd gets own signal", si.ssi_signo, SIGUSR1);
	waitpid(c, NULL, 0);
	write(done[1], "d", 1);
	waitpid(holder, NULL, 0);
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
	close(sf);
	sigprocmask(SIG_UNBLOCK, &m, NULL);
}

static volatile sig_atomic_t got_alarm;
static void on_alarm(int sig)
{
	(void)sig;
	got_alarm = 1;
}

static void test_eintr(void)
{
	struct sigaction sa = {.sa_handler = on_alarm, .sa_flags = SA_RESTART};
	sigaction(SIGALRM, &sa, NULL);
	int p[2];
	pipe(p);
	struct pollfd pf = {.fd = p[0], .events = POLLIN};
	alarm(1);
	check("poll EINTR despite SA_RESTART", poll(&pf, 1, -1) == -1 ? errno : 0, EINTR);
	check("handler ran", got_alarm, 1);
	/* ppoll's mask unblocks a pending signal: EINTR at once. */
	sigset_t m, empty;
	sigemptyset(&m);
	sigaddset(&m, SIGALRM);
	sigprocmask(SIG_BLOCK, &m, NULL);
	got_alarm = 0;
	kill(getpid(), SIGALRM);
	sigemptyset(&empty);
	check("ppoll mask EINTR", ppoll(&pf, 1, NULL, &empty) == -1 ? errno : 0, EINTR);
	check("handler ran 2", got_alarm, 1);
	sigprocmask(SIG_UNBLOCK, &m, NULL);
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_poll();
	test_select();
	test_epoll();
	test_eventfd();
	test_timerfd();
	test_signalfd();
	test_eintr();
	printf("done\n");
	return 0;
}
