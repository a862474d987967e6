/* POSIX message queues. Natively the names are the host's: each test uses
 * names from the probe's pid and unlinks what it creates. glibc's mq_*
 * functions are the syscalls (mq_open strips the leading '/'). A child that
 * must act while the parent waits sleeps a little first; the outcome is the
 * same whichever runs first. */
#include <mqueue.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/wait.h>
#include <time.h>

#include "probe.h"

static const char *qname(int n)
{
	static char buf[4][64];
	snprintf(buf[n], sizeof(buf[n]), "/msentry-probe-%d-%d", (int)getpid(), n);
	return buf[n];
}

static mqd_t qopen(int n, int flags, long maxmsg, long msgsize)
{
	struct mq_attr a = {.mq_maxmsg = maxmsg, .mq_msgsize = msgsize};
	mq_unlink(qname(n)); /* a stale one from an interrupted run */
	return mq_open(qname(n), flags | O_CREAT | O_EXCL, 0600, &a);
}

static void show_attr(mqd_t q)
{
	struct mq_attr a;
	if (SHOW(mq_getattr(q, &a)) == 0)
		say("flags %#lx maxmsg %ld msgsize %ld curmsgs %ld", a.mq_flags, a.mq_maxmsg,
		    a.mq_msgsize, a.mq_curmsgs);
}

static void take(mqd_t q)
{
	char buf[256];
	unsigned prio = 0;
	errno = 0;
	ssize_t r = mq_receive(q, buf, sizeof(buf), &prio);
	if (r < 0)
		say("mq_receive = -1 %s", errname(errno));
	else
		say("mq_receive = %zd: \"%.*s\" prio %u", r, (int)r, buf, prio);
}

static short ready(mqd_t q)
{
	struct pollfd p = {.fd = q, .events = POLLIN | POLLOUT};
	return poll(&p, 1, 0) == 1 ? p.revents : 0;
}

SYSCALL_TEST(mq_open)
{
	mqd_t q = (mqd_t)OK(qopen(0, O_RDWR, 4, 64));
	show_attr(q);
	say("fd state: %s", fd_state(q));
	SHOW(mq_open(qname(0), O_RDWR | O_CREAT | O_EXCL, 0600, NULL));
	mqd_t again = (mqd_t)OK(mq_open(qname(0), O_RDONLY));
	show_attr(again);
	SHOW(mq_open(qname(1), O_RDWR));
	SHOW(mq_open("/", O_RDWR | O_CREAT, 0600, NULL));
	SHOW(mq_open("/a/b", O_RDWR | O_CREAT, 0600, NULL));
	SHOW(mq_open("noslash", O_RDWR | O_CREAT, 0600, NULL));
	char longname[300] = "/";
	memset(longname + 1, 'x', 260);
	SHOW(mq_open(longname, O_RDWR | O_CREAT, 0600, NULL));
	SHOW(qopen(1, O_RDWR, 0, 64));
	SHOW(qopen(1, O_RDWR, 4, 0));
	SHOW(qopen(1, O_RDWR, 100000, 64));
	SHOW(mq_open(qname(1), O_RDWR | O_CREAT, 0600, BADPTR));
	mqd_t def = (mqd_t)OK(mq_open(qname(1), O_RDWR | O_CREAT, 0600, NULL));
	show_attr(def);
	/* read() gives the queue's state line. */
	mq_send(q, "abc", 3, 1);
	char line[200] = "";
	ssize_t n = read(again, line, sizeof(line) - 1);
	say("read %zd: %s", n, n > 0 ? line : "");
	SHOW(read(again, line, sizeof(line)));
	SHOW(write(q, "x", 1));
	SHOW(mq_unlink(qname(0)));
	SHOW(mq_unlink(qname(1)));
}

SYSCALL_TEST(mq_unlink)
{
	mqd_t q = qopen(0, O_RDWR, 2, 16);
	mq_send(q, "kept", 4, 0);
	SHOW(mq_unlink(qname(0)));
	SHOW(mq_unlink(qname(0)));
	SHOW(mq_open(qname(0), O_RDWR));
	take(q); /* the open descriptor still works */
	mqd_t fresh = qopen(0, O_RDWR, 2, 16);
	show_attr(fresh);
	SHOW(mq_unlink(qname(0)));
	SHOW(mq_unlink("/a/b"));
	SHOW(mq_unlink("/"));
	SHOW(syscall(SYS_mq_unlink, BADPTR));
}

SYSCALL_TEST(mq_timedsend)
{
	mqd_t q = qopen(0, O_RDWR, 2, 16);
	say("empty: revents %#x", ready(q));
	SHOW(mq_send(q, "low", 3, 1));
	say("one: revents %#x", ready(q));
	SHOW(mq_send(q, "high", 4, 9));
	say("full: revents %#x", ready(q));
	struct timespec past = {1, 0};
	SHOW(mq_timedsend(q, "x", 1, 0, &past));
	SHOW(mq_timedsend(q, "x", 1, 0, &(struct timespec){0, -1}));
	SHOW(mq_send(q, "x", 1, 32768));
	SHOW(mq_send(q, "toolongtoolongtoolong", 21, 0));
	SHOW(mq_send(q, BADPTR, 1, 0));
	SHOW(mq_send(0, "x", 1, 0));
	mqd_t ro = mq_open(qname(0), O_RDONLY);
	SHOW(mq_send(ro, "x", 1, 0));
	mqd_t nb = mq_open(qname(0), O_WRONLY | O_NONBLOCK);
	SHOW(mq_send(nb, "x", 1, 0));
	/* Full: the send waits for a reader (a child, inheriting q). */
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(30000);
		char b[16];
		_exit(mq_receive(q, b, sizeof(b), NULL) == 4 ? 0 : 1);
	}
	SHOW(mq_send(q, "third", 5, 5));
	probe_wait("reader", k);
	take(q);
	take(q);
	SHOW(mq_unlink(qname(0)));
}

SYSCALL_TEST(mq_timedreceive)
{
	mqd_t q = qopen(0, O_RDWR, 8, 16);
	mq_send(q, "a1", 2, 1);
	mq_send(q, "b5", 2, 5);
	mq_send(q, "c1", 2, 1);
	mq_send(q, "d5", 2, 5);
	mq_send(q, "e0", 2, 0);
	for (int i = 0; i < 5; i++)
		take(q);
	char buf[64];
	SHOW(mq_receive(q, buf, 15, NULL));
	struct timespec past = {1, 0};
	SHOW(mq_timedreceive(q, buf, sizeof(buf), NULL, &past));
	struct timespec soon;
	clock_gettime(CLOCK_REALTIME, &soon);
	soon.tv_nsec += 20 * 1000 * 1000;
	if (soon.tv_nsec >= 1000000000L) {
		soon.tv_sec++;
		soon.tv_nsec -= 1000000000L;
	}
	SHOW(mq_timedreceive(q, buf, sizeof(buf), NULL, &soon));
	SHOW(mq_timedreceive(q, buf, sizeof(buf), NULL, BADPTR));
	mqd_t wo = mq_open(qname(0), O_WRONLY);
	SHOW(mq_receive(wo, buf, sizeof(buf), NULL));
	SHOW(mq_receive(-1, buf, sizeof(buf), NULL));
	mqd_t nb = mq_open(qname(0), O_RDONLY | O_NONBLOCK);
	SHOW(mq_receive(nb, buf, sizeof(buf), NULL));
	/* Empty: the receive waits for a sender; epoll sees the message. */
	int ep = epoll_create1(0);
	struct epoll_event ev = {.events = EPOLLIN};
	epoll_ctl(ep, EPOLL_CTL_ADD, q, &ev);
	SHOW(epoll_wait(ep, &ev, 1, 0));
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(30000);
		_exit(mq_send(wo, "late", 4, 3) == 0 ? 0 : 1);
	}
	SHOW(epoll_wait(ep, &ev, 1, 5000));
	take(q);
	probe_wait("sender", k);
	/* A signal: EINTR without SA_RESTART. */
	catch_signal(SIGUSR1, 0);
	k = probe_fork();
	if (k == 0) {
		usleep(30000);
		kill(getppid(), SIGUSR1);
		_exit(0);
	}
	take(q);
	probe_wait("signaller", k);
	SHOW(mq_unlink(qname(0)));
}

SYSCALL_TEST(mq_notify)
{
	mqd_t q = qopen(0, O_RDWR, 4, 16);
	catch_signal(SIGUSR2, 0);
	struct sigevent ev = {.sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGUSR2};
	ev.sigev_value.sival_int = 42;
	SHOW(mq_notify(q, &ev));
	SHOW(mq_notify(q, &ev));
	pid_t k = probe_fork();
	if (k == 0) {
		errno = 0;
		int r = mq_notify(q, &(struct sigevent){.sigev_notify = SIGEV_NONE});
		_exit(r == -1 && errno == EBUSY ? 0 : 1);
	}
	probe_wait("other process registers", k);
	SHOW(mq_send(q, "m", 1, 0));
	say("signals %d code SI_MESGQ %d value %d", handled[SIGUSR2], last_info.si_code == SI_MESGQ,
	    last_info.si_value.sival_int);
	SHOW(mq_send(q, "n", 1, 0)); /* one-shot: no second signal */
	say("signals %d", handled[SIGUSR2]);
	take(q);
	take(q);
	char line[200] = "";
	SHOW(mq_notify(q, &(struct sigevent){.sigev_notify = SIGEV_NONE}));
	close(dup(q)); /* a close by the registered process ends it */
	SHOW(mq_notify(q, &ev));
	SHOW(mq_notify(q, NULL));
	SHOW(mq_notify(q, NULL));
	mqd_t r = mq_open(qname(0), O_RDONLY);
	ssize_t n = read(r, line, sizeof(line) - 1);
	say("read %zd: %s", n, n > 0 ? line : "");
	SHOW(mq_notify(q, &(struct sigevent){.sigev_notify = 99}));
	SHOW(mq_notify(q, &(struct sigevent){.sigev_notify = SIGEV_SIGNAL, .sigev_signo = 99}));
	SHOW(syscall(SYS_mq_notify, q, BADPTR));
	SHOW(mq_notify(-1, NULL));
	SHOW(mq_notify(0, NULL));
	SHOW(mq_unlink(qname(0)));
}

SYSCALL_TEST(mq_getsetattr)
{
	mqd_t q = qopen(0, O_RDWR, 3, 32);
	show_attr(q);
	struct mq_attr a = {.mq_flags = O_NONBLOCK}, old;
	SHOW(mq_setattr(q, &a, &old));
	say("old flags %#lx", old.mq_flags);
	show_attr(q);
	SHOW(mq_receive(q, (char[32]){0}, 32, NULL));
	a.mq_flags = O_NONBLOCK | O_APPEND;
	SHOW(mq_setattr(q, &a, NULL));
	SHOW(syscall(SYS_mq_getsetattr, q, NULL, BADPTR));
	SHOW(syscall(SYS_mq_getsetattr, q, BADPTR, NULL));
	SHOW(syscall(SYS_mq_getsetattr, 0, NULL, &old));
	/* dup and fork share the description (its O_NONBLOCK too). */
	mqd_t d = dup(q);
	show_attr(d);
	close(q);
	mq_send(d, "still", 5, 0);
	show_attr(d);
	SHOW(mq_unlink(qname(0)));
}
