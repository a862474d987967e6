/* Waiting for fds: poll, select, epoll, and eventfd counters. */
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>

#include "probe.h"

#define MS 1000000LL

static const char *events_text(unsigned ev)
{
	static char buf[128];
	buf[0] = 0;
	static const struct {
		unsigned bit;
		const char *name;
	} names[] = {{POLLIN, "IN"},	     {POLLPRI, "PRI"},	     {POLLOUT, "OUT"},
		     {POLLERR, "ERR"},	     {POLLHUP, "HUP"},	     {POLLNVAL, "NVAL"},
		     {POLLRDNORM, "RDNORM"}, {POLLWRNORM, "WRNORM"}, {POLLRDHUP, "RDHUP"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		if (ev & names[i].bit)
			snprintf(buf + strlen(buf), sizeof buf - strlen(buf), "%s%s",
				 buf[0] ? "|" : "", names[i].name);
	return buf[0] ? buf : "0";
}

/* A child that writes "x" to fd after 20 ms. */
static pid_t late_writer(int fd)
{
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(20000);
		write(fd, "x", 1);
		_exit(0);
	}
	return k;
}

static void print_pollfds(const struct pollfd *p, int n)
{
	for (int i = 0; i < n; i++)
		say("  fd %d: revents %s", i, events_text(p[i].revents));
}

SYSCALL_TEST(poll)
{
	int p[2];
	pipe(p);
	struct pollfd fds[4] = {
	    {p[0], POLLIN, 0}, {p[1], POLLOUT, 0}, {99, POLLIN, 0}, {-1, POLLIN, 0}};
	SHOW(syscall(SYS_poll, fds, 4, 0));
	print_pollfds(fds, 4);
	write(p[1], "x", 1);
	SHOW(syscall(SYS_poll, fds, 1, 0));
	print_pollfds(fds, 1);
	char c;
	read(p[0], &c, 1);
	long long t0 = now_ns();
	SHOW(syscall(SYS_poll, fds, 1, 20));
	say("waited 20 ms: %d", now_ns() - t0 >= 19 * MS);
	pid_t k = late_writer(p[1]);
	SHOW(syscall(SYS_poll, fds, 1, -1));
	print_pollfds(fds, 1);
	probe_wait("writer", k);
	read(p[0], &c, 1);
	close(p[1]);
	SHOW(syscall(SYS_poll, fds, 1, 0));
	print_pollfds(fds, 1);
	/* A pipe whose reader is gone. */
	int q[2];
	pipe(q);
	close(q[0]);
	struct pollfd w = {q[1], POLLOUT, 0};
	SHOW(syscall(SYS_poll, &w, 1, 0));
	print_pollfds(&w, 1);
	/* A handled signal interrupts an endless poll (in a child, with a
	 * deadline). */
	catch_signal(SIGUSR1, 0);
	int r[2];
	pipe(r);
	k = probe_fork();
	if (k == 0) {
		struct pollfd f = {r[0], POLLIN, 0};
		SHOW(syscall(SYS_poll, &f, 1, -1));
		_exit(0);
	}
	usleep(50000);
	kill(k, SIGUSR1);
	probe_wait_timeout("child", k, 2000);
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	SHOW(syscall(SYS_poll, fds, rl.rlim_cur + 1, 0));
	SHOW(syscall(SYS_poll, BADPTR, 1, 0));
}

SYSCALL_TEST(ppoll)
{
	int p[2];
	pipe(p);
	struct pollfd fds[2] = {{p[0], POLLIN, 0}, {p[1], POLLOUT, 0}};
	struct timespec zero = {0, 0};
	SHOW(syscall(SYS_ppoll, fds, 2, &zero, NULL, 8));
	print_pollfds(fds, 2);
	struct timespec twenty = {0, 20 * MS};
	long long t0 = now_ns();
	SHOW(syscall(SYS_ppoll, fds, 1, &twenty, NULL, 8));
	say("waited 20 ms: %d, timeout left %ld.%09ld", now_ns() - t0 >= 19 * MS,
	    (long)twenty.tv_sec, twenty.tv_nsec);
	struct timespec sec = {1, 0};
	pid_t k = late_writer(p[1]);
	SHOW(syscall(SYS_ppoll, fds, 1, &sec, NULL, 8));
	say("time left in (0, 1] s: %d", sec.tv_sec == 0 && sec.tv_nsec > 0);
	probe_wait("writer", k);
	/* The mask applies during the wait only: a pending blocked signal is
	 * delivered (in a child, with a deadline). */
	catch_signal(SIGUSR1, 0);
	mask_signal(SIG_BLOCK, SIGUSR1);
	int r[2];
	pipe(r);
	k = probe_fork();
	if (k == 0) {
		kill(getpid(), SIGUSR1);
		struct pollfd f = {r[0], POLLIN, 0};
		uint64_t none = 0;
		SHOW(syscall(SYS_ppoll, &f, 1, NULL, &none, 8));
		sigset_t now;
		sigprocmask(SIG_SETMASK, NULL, &now);
		say("child: handler ran %d, SIGUSR1 blocked again %d", handled[SIGUSR1],
		    sigismember(&now, SIGUSR1));
		_exit(0);
	}
	probe_wait_timeout("child", k, 2000);
	struct timespec bad = {0, 1000000000};
	SHOW(syscall(SYS_ppoll, fds, 1, &bad, NULL, 8));
	uint64_t none = 0;
	SHOW(syscall(SYS_ppoll, fds, 1, &zero, &none, 4));
	SHOW(syscall(SYS_ppoll, BADPTR, 1, &zero, NULL, 8));
	SHOW(syscall(SYS_ppoll, fds, 1, BADPTR, NULL, 8));
}

static void print_set(const char *label, const fd_set *s, int n)
{
	printf("%s:", label);
	for (int fd = 0; fd < n; fd++)
		if (FD_ISSET(fd, s))
			printf(" %d", fd);
	say("%s", "");
}

SYSCALL_TEST(select)
{
	int p[2];
	pipe(p);
	fd_set rd, wr;
	FD_ZERO(&rd);
	FD_ZERO(&wr);
	FD_SET(p[0], &rd);
	FD_SET(p[1], &wr);
	struct timeval zero = {0, 0};
	SHOW(syscall(SYS_select, p[1] + 1, &rd, &wr, NULL, &zero));
	print_set("read", &rd, p[1] + 1);
	print_set("write", &wr, p[1] + 1);
	write(p[1], "x", 1);
	FD_SET(p[0], &rd);
	FD_ZERO(&wr);
	SHOW(syscall(SYS_select, p[1] + 1, &rd, &wr, NULL, &zero));
	print_set("read", &rd, p[1] + 1);
	char c;
	read(p[0], &c, 1);
	/* The timeout is updated with the time left. */
	struct timeval twenty = {0, 20000};
	FD_SET(p[0], &rd);
	long long t0 = now_ns();
	SHOW(syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &twenty));
	say("waited 20 ms: %d, left %ld.%06ld", now_ns() - t0 >= 19 * MS, (long)twenty.tv_sec,
	    (long)twenty.tv_usec);
	pid_t k = late_writer(p[1]);
	FD_SET(p[0], &rd);
	SHOW(syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, NULL));
	print_set("read", &rd, p[0] + 1);
	probe_wait("writer", k);
	/* A closed write end: readable (EOF). */
	read(p[0], &c, 1);
	close(p[1]);
	FD_SET(p[0], &rd);
	SHOW(syscall(SYS_select, p[0] + 1, &rd, NULL, NULL, &zero));
	SHOW(syscall(SYS_select, -1, NULL, NULL, NULL, &zero));
	fd_set bad;
	FD_ZERO(&bad);
	FD_SET(60, &bad);
	SHOW(syscall(SYS_select, 61, &bad, NULL, NULL, &zero));
	SHOW(syscall(SYS_select, 1, BADPTR, NULL, NULL, &zero));
	struct timeval neg = {-1, 0};
	SHOW(syscall(SYS_select, 0, NULL, NULL, NULL, &neg));
}

SYSCALL_TEST(pselect6)
{
	int p[2];
	pipe(p);
	fd_set rd;
	FD_ZERO(&rd);
	FD_SET(p[0], &rd);
	struct timespec zero = {0, 0};
	SHOW(syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &zero, NULL));
	struct timespec twenty = {0, 20 * MS};
	FD_SET(p[0], &rd);
	long long t0 = now_ns();
	SHOW(syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &twenty, NULL));
	say("waited 20 ms: %d, left %ld.%09ld", now_ns() - t0 >= 19 * MS, (long)twenty.tv_sec,
	    twenty.tv_nsec);
	pid_t k = late_writer(p[1]);
	FD_SET(p[0], &rd);
	SHOW(syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, NULL, NULL));
	print_set("read", &rd, p[0] + 1);
	probe_wait("writer", k);
	/* With a signal mask: {mask, size}. */
	catch_signal(SIGUSR1, 0);
	mask_signal(SIG_BLOCK, SIGUSR1);
	uint64_t none = 0;
	struct {
		const void *ss;
		size_t len;
	} mask = {&none, 8}, badlen = {&none, 4};
	int r[2];
	pipe(r);
	k = probe_fork();
	if (k == 0) {
		kill(getpid(), SIGUSR1);
		fd_set s;
		FD_ZERO(&s);
		FD_SET(r[0], &s);
		SHOW(syscall(SYS_pselect6, r[0] + 1, &s, NULL, NULL, NULL, &mask));
		say("child: handler ran %d", handled[SIGUSR1]);
		_exit(0);
	}
	probe_wait_timeout("child", k, 2000);
	FD_SET(p[0], &rd);
	SHOW(syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &zero, &mask));
	SHOW(syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &zero, &badlen));
	struct timespec bad = {0, 1000000000};
	SHOW(syscall(SYS_pselect6, p[0] + 1, &rd, NULL, NULL, &bad, NULL));
	SHOW(syscall(SYS_pselect6, -1, NULL, NULL, NULL, &zero, NULL));
	SHOW(syscall(SYS_pselect6, 1, BADPTR, NULL, NULL, &zero, NULL));
}

SYSCALL_TEST(epoll_create)
{
	int e = SHOW(syscall(SYS_epoll_create, 1));
	say("fd %s", fd_state(e));
	SHOW(syscall(SYS_epoll_create, 1000000));
	SHOW(syscall(SYS_epoll_create, 0));
	SHOW(syscall(SYS_epoll_create, -1));
	struct epoll_event ev;
	SHOW(syscall(SYS_epoll_wait, e, &ev, 1, 0));
}

SYSCALL_TEST(epoll_create1)
{
	int e = SHOW(syscall(SYS_epoll_create1, 0));
	say("fd %s", fd_state(e));
	int c = SHOW(syscall(SYS_epoll_create1, EPOLL_CLOEXEC));
	say("fd %s", fd_state(c));
	SHOW(syscall(SYS_epoll_create1, 0x1));
	struct stat st;
	fstat(e, &st);
	say("fstat: %s", file_type(st.st_mode));
}

static int by_data(const void *a, const void *b)
{
	const struct epoll_event *x = a, *y = b;
	return x->data.u64 < y->data.u64 ? -1 : x->data.u64 > y->data.u64;
}

/* The events, in the order of their data (the ready list's order is not
 * part of the interface). */
static void print_events(long n, struct epoll_event *ev)
{
	if (n > 1)
		qsort(ev, n, sizeof *ev, by_data);
	for (long i = 0; i < n; i++)
		say("  event: data %llu, %s", (unsigned long long)ev[i].data.u64,
		    events_text(ev[i].events));
}

SYSCALL_TEST(epoll_ctl)
{
	int e = epoll_create1(0);
	int p[2];
	pipe(p);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 42};
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_ADD, p[0], &ev));
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_ADD, p[0], &ev));
	struct epoll_event out = {.events = EPOLLOUT, .data.u64 = 7};
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_ADD, p[1], &out));
	struct epoll_event got[4];
	long n = syscall(SYS_epoll_wait, e, got, 4, 0);
	print_events(n, got);
	ev.data.u64 = 43;
	ev.events = EPOLLIN | EPOLLOUT;
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_MOD, p[0], &ev));
	write(p[1], "x", 1);
	n = syscall(SYS_epoll_wait, e, got, 4, 0);
	print_events(n, got);
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_DEL, p[1], NULL));
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_DEL, p[1], NULL));
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_MOD, p[1], &ev));
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_ADD, e, &ev));
	put_file("f", "x");
	int f = open("f", O_RDONLY);
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_ADD, f, &ev));
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_ADD, 99, &ev));
	SHOW(syscall(SYS_epoll_ctl, p[0], EPOLL_CTL_ADD, p[1], &ev));
	SHOW(syscall(SYS_epoll_ctl, e, 99, p[1], &ev));
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_ADD, p[1], BADPTR));
	struct epoll_event excl = {.events = EPOLLIN | EPOLLEXCLUSIVE};
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_MOD, p[0], &excl));
	/* An epoll set inside another; a loop is refused. */
	int inner = epoll_create1(0);
	struct epoll_event in = {.events = EPOLLIN, .data.u64 = 5};
	SHOW(syscall(SYS_epoll_ctl, e, EPOLL_CTL_ADD, inner, &in));
	SHOW(syscall(SYS_epoll_ctl, inner, EPOLL_CTL_ADD, e, &in));
	/* Closing an fd removes it from the set. */
	close(p[0]);
	n = syscall(SYS_epoll_wait, e, got, 4, 0);
	say("after closing the pipe's read end: %ld events", n);
}

static void wait_common(int which)
{
	int e = epoll_create1(0);
	int p[2];
	pipe(p);
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 1};
	epoll_ctl(e, EPOLL_CTL_ADD, p[0], &ev);
	struct epoll_event got[4];
	struct timespec zero = {0, 0}, twenty = {0, 20 * MS};
	long n;
#define WAIT(fd, evs, max, ms, ts)                                                                 \
	(which == 0   ? syscall(SYS_epoll_wait, fd, evs, max, ms)                                  \
	 : which == 1 ? syscall(SYS_epoll_pwait, fd, evs, max, ms, NULL, 8)                        \
		      : syscall(SYS_epoll_pwait2, fd, evs, max, ts, NULL, 8))
	say("nothing ready: %ld", WAIT(e, got, 4, 0, &zero));
	long long t0 = now_ns();
	n = WAIT(e, got, 4, 20, &twenty);
	say("after a 20 ms timeout: %ld, waited %d", n, now_ns() - t0 >= 19 * MS);
	write(p[1], "ab", 2);
	n = WAIT(e, got, 4, 0, &zero);
	say("ready: %ld", n);
	print_events(n, got);
	say("level-triggered, again: %ld", WAIT(e, got, 4, 0, &zero));
	/* Edge-triggered: once per change. */
	ev.events = EPOLLIN | EPOLLET;
	epoll_ctl(e, EPOLL_CTL_MOD, p[0], &ev);
	n = WAIT(e, got, 4, 0, &zero);
	say("edge-triggered: %ld, then %ld", n, WAIT(e, got, 4, 0, &zero));
	write(p[1], "c", 1);
	say("after a new write: %ld", WAIT(e, got, 4, 0, &zero));
	/* One-shot: disabled after one event until re-armed. */
	ev.events = EPOLLIN | EPOLLONESHOT;
	epoll_ctl(e, EPOLL_CTL_MOD, p[0], &ev);
	n = WAIT(e, got, 4, 0, &zero);
	say("one-shot: %ld, then %ld", n, WAIT(e, got, 4, 0, &zero));
	epoll_ctl(e, EPOLL_CTL_MOD, p[0], &ev);
	say("re-armed: %ld", WAIT(e, got, 4, 0, &zero));
	/* Blocking until a child writes. */
	char buf[8];
	read(p[0], buf, sizeof buf);
	ev.events = EPOLLIN;
	epoll_ctl(e, EPOLL_CTL_MOD, p[0], &ev);
	pid_t k = late_writer(p[1]);
	n = WAIT(e, got, 4, -1, NULL);
	say("woken by the child's write: %ld", n);
	probe_wait("writer", k);
	/* Hang-up. */
	close(p[1]);
	n = WAIT(e, got, 4, 0, &zero);
	print_events(n, got);
	errno = 0;
	n = WAIT(e, got, 0, 0, &zero);
	say("maxevents 0: %ld %s", n, errname(errno));
	errno = 0;
	n = WAIT(e, BADPTR, 4, 0, &zero);
	say("bad events pointer: %ld %s", n, errname(errno));
	errno = 0;
	n = WAIT(p[0], got, 4, 0, &zero);
	say("not an epoll fd: %ld %s", n, errname(errno));
	errno = 0;
	n = WAIT(99, got, 4, 0, &zero);
	say("bad fd: %ld %s", n, errname(errno));
#undef WAIT
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* EPOLLEXCLUSIVE: three processes, each with its own epoll instance
 * holding one pipe exclusively, wait on it; each byte written wakes one of
 * them (the woken one takes its byte and leaves). Then an exclusive wait
 * times out, and a signal ends it with EINTR. */
static void exclusive_waiters(void)
{
	int p[2];
	pipe(p);
	int *woken = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pid_t k[3];
	for (int i = 0; i < 3; i++) {
		k[i] = probe_fork();
		if (k[i] == 0) {
			int e = epoll_create1(0);
			struct epoll_event ev = {.events = EPOLLIN | EPOLLET | EPOLLEXCLUSIVE};
			epoll_ctl(e, EPOLL_CTL_ADD, p[0], &ev);
			long n = syscall(SYS_epoll_wait, e, &ev, 1, 5000);
			char c;
			__atomic_add_fetch(woken, 1, __ATOMIC_SEQ_CST);
			_exit(n == 1 && read(p[0], &c, 1) == 1 ? 0 : 1);
		}
	}
	for (int i = 0; i < 3; i++)
		probe_wait_sleeping(k[i], 2000);
	for (int round = 1; round <= 3; round++) {
		write(p[1], "x", 1);
		for (int ms = 0; ms < 2000 && __atomic_load_n(woken, __ATOMIC_SEQ_CST) < round;
		     ms++)
			usleep(1000);
		usleep(50000); /* time for a second waiter to wake, if one would */
		say("write %d woke %d in all", round, __atomic_load_n(woken, __ATOMIC_SEQ_CST));
	}
	for (int i = 0; i < 3; i++)
		probe_wait("exclusive waiter", k[i]);
	int e = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN | EPOLLEXCLUSIVE};
	SHOW(epoll_ctl(e, EPOLL_CTL_ADD, p[0], &ev));
	SHOW(syscall(SYS_epoll_wait, e, &ev, 1, 20));
	pid_t me = getpid(), killer = probe_fork();
	if (killer == 0) {
		probe_wait_sleeping(me, 2000);
		kill(me, SIGUSR1);
		_exit(0);
	}
	struct sigaction sa = {.sa_handler = on_usr1}, old;
	sigaction(SIGUSR1, &sa, &old);
	SHOW(syscall(SYS_epoll_wait, e, &ev, 1, 5000));
	sigaction(SIGUSR1, &old, NULL);
	probe_wait("signaller", killer);
	write(p[1], "y", 1);
	SHOW(syscall(SYS_epoll_wait, e, &ev, 1, -1));
	close(e);
	close(p[0]);
	close(p[1]);
	munmap(woken, 4096);
}

SYSCALL_TEST(epoll_wait)
{
	wait_common(0);
	exclusive_waiters();
}

/* The signal mask case runs in a child with a deadline. */
static void pwait_mask(int which)
{
	catch_signal(SIGUSR1, 0);
	mask_signal(SIG_BLOCK, SIGUSR1);
	int e = epoll_create1(0);
	pid_t k = probe_fork();
	if (k == 0) {
		kill(getpid(), SIGUSR1);
		uint64_t none = 0;
		struct epoll_event got;
		if (which == 1)
			SHOW(syscall(SYS_epoll_pwait, e, &got, 1, -1, &none, 8));
		else
			SHOW(syscall(SYS_epoll_pwait2, e, &got, 1, NULL, &none, 8));
		say("child: handler ran %d", handled[SIGUSR1]);
		_exit(0);
	}
	probe_wait_timeout("child", k, 2000);
	uint64_t none = 0;
	struct epoll_event got;
	struct timespec zero = {0, 0};
	if (which == 1)
		SHOW(syscall(SYS_epoll_pwait, e, &got, 1, 0, &none, 4));
	else
		SHOW(syscall(SYS_epoll_pwait2, e, &got, 1, &zero, &none, 4));
}

SYSCALL_TEST(epoll_pwait)
{
	wait_common(1);
	pwait_mask(1);
}

SYSCALL_TEST(epoll_pwait2)
{
	wait_common(2);
	pwait_mask(2);
	int e = epoll_create1(0);
	struct epoll_event got;
	struct timespec bad = {0, 1000000000};
	SHOW(syscall(SYS_epoll_pwait2, e, &got, 1, &bad, NULL, 8));
	SHOW(syscall(SYS_epoll_pwait2, e, &got, 1, BADPTR, NULL, 8));
}

SYSCALL_TEST(eventfd)
{
	int e = SHOW(syscall(SYS_eventfd, 3));
	say("fd %s", fd_state(e));
	uint64_t v = 0;
	SHOW(read(e, &v, sizeof v));
	say("value %llu", (unsigned long long)v);
	struct pollfd p = {e, POLLIN | POLLOUT, 0};
	poll(&p, 1, 0);
	say("after reading: %s", events_text(p.revents));
	v = 2;
	SHOW(write(e, &v, sizeof v));
	v = 5;
	SHOW(write(e, &v, sizeof v));
	SHOW(read(e, &v, sizeof v));
	say("values add up: %llu", (unsigned long long)v);
	v = ~0ULL;
	SHOW(write(e, &v, sizeof v));
	uint32_t small = 1;
	SHOW(write(e, &small, sizeof small));
	SHOW(read(e, &small, sizeof small));
	/* A reader blocks until a child adds to the counter. */
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(20000);
		uint64_t one = 1;
		write(e, &one, sizeof one);
		_exit(0);
	}
	SHOW(read(e, &v, sizeof v));
	say("from the child: %llu", (unsigned long long)v);
	probe_wait("child", k);
}

SYSCALL_TEST(eventfd2)
{
	int e = SHOW(syscall(SYS_eventfd2, 0, EFD_NONBLOCK | EFD_CLOEXEC));
	say("fd %s", fd_state(e));
	uint64_t v;
	SHOW(read(e, &v, sizeof v));
	v = 1;
	write(e, &v, sizeof v);
	v = ~1ULL;
	SHOW(write(e, &v, sizeof v));
	int s = SHOW(syscall(SYS_eventfd2, 3, EFD_SEMAPHORE | EFD_NONBLOCK));
	for (int i = 0; i < 4; i++) {
		v = 0;
		long r = read(s, &v, sizeof v);
		say("semaphore read %d: %ld %s value %llu", i, r, r < 0 ? errname(errno) : "",
		    (unsigned long long)v);
	}
	SHOW(syscall(SYS_eventfd2, 0, 0x2));
	SHOW(syscall(SYS_eventfd2, 0, EFD_SEMAPHORE));
	struct stat st;
	fstat(e, &st);
	say("fstat: %s", file_type(st.st_mode));
}
