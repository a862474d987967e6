/* Sending and receiving on sockets: addresses, flags, scatter/gather,
 * passing fds and credentials, batches. */
#include <arpa/inet.h>
#include <limits.h>
#include <netinet/in.h>
#include <stddef.h>
#include <sys/socket.h>
#include <time.h>
#include <sys/un.h>
#include <sys/wait.h>

#include "probe.h"

static struct sockaddr_un unix_addr(const char *path, socklen_t *len)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	strncpy(a.sun_path, path, sizeof a.sun_path - 1);
	*len = offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
	return a;
}

/* An AF_UNIX datagram socket bound to path. */
static int unix_dgram(const char *path)
{
	socklen_t len;
	struct sockaddr_un a = unix_addr(path, &len);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(s, (struct sockaddr *)&a, len);
	return s;
}

/* A UDP socket bound to 127.0.0.1 with a port the kernel picks. */
static int udp_socket(struct sockaddr_in *addr)
{
	struct sockaddr_in a = {.sin_family = AF_INET};
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t len = sizeof a;
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	bind(s, (struct sockaddr *)&a, sizeof a);
	getsockname(s, (struct sockaddr *)&a, &len);
	if (addr)
		*addr = a;
	return s;
}

SYSCALL_TEST(sendto)
{
	signal(SIGPIPE, SIG_IGN);
	struct sockaddr_in to;
	int r = udp_socket(&to);
	int s = socket(AF_INET, SOCK_DGRAM, 0);
	SHOW(syscall(SYS_sendto, s, "hello", 5, 0, &to, sizeof to));
	char b[16] = {0};
	SHOW(recv(r, b, sizeof b, 0));
	say("received: %s", b);
	SHOW(syscall(SYS_sendto, s, "", 0, 0, &to, sizeof to));
	SHOW(recv(r, b, sizeof b, 0));
	SHOW(syscall(SYS_sendto, s, "x", 1, 0, NULL, 0));
	SHOW(syscall(SYS_sendto, s, "x", 1, 0, &to, 3));
	SHOW(syscall(SYS_sendto, s, BADPTR, 1, 0, &to, sizeof to));
	/* AF_UNIX datagrams to a path. */
	int d = unix_dgram("dgram");
	int u = socket(AF_UNIX, SOCK_DGRAM, 0);
	socklen_t len;
	struct sockaddr_un ua = unix_addr("dgram", &len);
	SHOW(syscall(SYS_sendto, u, "unix", 4, 0, &ua, len));
	memset(b, 0, sizeof b);
	SHOW(recv(d, b, sizeof b, 0));
	say("received: %s", b);
	struct sockaddr_un missing = unix_addr("missing", &len);
	SHOW(syscall(SYS_sendto, u, "x", 1, 0, &missing, len));
	SHOW(syscall(SYS_sendto, u, "x", 1, MSG_OOB, &ua, sizeof ua));
	/* Streams: a connected one ignores no address, refuses one. */
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	SHOW(syscall(SYS_sendto, sv[0], "st", 2, 0, NULL, 0));
	SHOW(syscall(SYS_sendto, sv[0], "st", 2, 0, &ua, sizeof ua));
	int lone = socket(AF_UNIX, SOCK_STREAM, 0);
	SHOW(syscall(SYS_sendto, lone, "x", 1, 0, NULL, 0));
	close(sv[1]);
	SHOW(syscall(SYS_sendto, sv[0], "x", 1, 0, NULL, 0));
	/* MSG_NOSIGNAL: EPIPE without SIGPIPE, even at its default. */
	pid_t k = probe_fork();
	if (k == 0) {
		signal(SIGPIPE, SIG_DFL);
		SHOW(syscall(SYS_sendto, sv[0], "x", 1, MSG_NOSIGNAL, NULL, 0));
		syscall(SYS_sendto, sv[0], "x", 1, 0, NULL, 0);
		_exit(0);
	}
	probe_wait("child sending without MSG_NOSIGNAL", k);
	SHOW(syscall(SYS_sendto, 99, "x", 1, 0, NULL, 0));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_sendto, p[1], "x", 1, 0, NULL, 0));
}

SYSCALL_TEST(recvfrom)
{
	struct sockaddr_in to, me;
	int r = udp_socket(&to);
	int s = udp_socket(&me);
	sendto(s, "datagram", 8, 0, (struct sockaddr *)&to, sizeof to);
	char b[16] = {0};
	struct sockaddr_in from;
	socklen_t flen = sizeof from;
	SHOW(syscall(SYS_recvfrom, r, b, sizeof b, MSG_PEEK, &from, &flen));
	say("peeked %s, from the sender %d, len %u", b, from.sin_port == me.sin_port, flen);
	memset(b, 0, sizeof b);
	SHOW(syscall(SYS_recvfrom, r, b, 4, MSG_TRUNC, NULL, NULL));
	say("truncated to %s", b);
	SHOW(syscall(SYS_recvfrom, r, b, sizeof b, MSG_DONTWAIT, NULL, NULL));
	/* AF_UNIX: the sender's path. */
	int d = unix_dgram("dgram");
	int u = unix_dgram("sender");
	socklen_t len;
	struct sockaddr_un ua = unix_addr("dgram", &len);
	sendto(u, "from sender", 11, 0, (struct sockaddr *)&ua, len);
	struct sockaddr_un uf;
	socklen_t uflen = sizeof uf;
	memset(b, 0, sizeof b);
	SHOW(syscall(SYS_recvfrom, d, b, sizeof b, 0, &uf, &uflen));
	say("%s, from [%s] len %u", b, shown_path(uf.sun_path), uflen);
	/* Blocking until a child sends. */
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(20000);
		sendto(s, "late", 4, 0, (struct sockaddr *)&to, sizeof to);
		_exit(0);
	}
	memset(b, 0, sizeof b);
	SHOW(syscall(SYS_recvfrom, r, b, sizeof b, 0, NULL, NULL));
	say("from the child: %s", b);
	probe_wait("child", k);
	/* A stream: what is there, then EOF. */
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	write(sv[0], "abcdef", 6);
	close(sv[0]);
	memset(b, 0, sizeof b);
	SHOW(syscall(SYS_recvfrom, sv[1], b, 4, 0, NULL, NULL));
	SHOW(syscall(SYS_recvfrom, sv[1], b, sizeof b, MSG_WAITALL, NULL, NULL));
	SHOW(syscall(SYS_recvfrom, sv[1], b, sizeof b, 0, NULL, NULL));
	sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof to);
	SHOW(syscall(SYS_recvfrom, r, BADPTR, sizeof b, 0, NULL, NULL));
	socklen_t neg = -1;
	sendto(s, "x", 1, 0, (struct sockaddr *)&to, sizeof to);
	SHOW(syscall(SYS_recvfrom, r, b, sizeof b, 0, &from, &neg));
	SHOW(syscall(SYS_recvfrom, 99, b, sizeof b, 0, NULL, NULL));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_recvfrom, p[0], b, sizeof b, 0, NULL, NULL));
}

/* Send `n` fds over sock with SCM_RIGHTS. */
static long send_fds(int sock, const int *fds, int n, const char *data)
{
	char ctl[CMSG_SPACE(4 * sizeof(int))];
	memset(ctl, 0, sizeof ctl);
	struct iovec iov = {(void *)data, strlen(data)};
	struct msghdr m = {.msg_iov = &iov,
			   .msg_iovlen = 1,
			   .msg_control = ctl,
			   .msg_controllen = CMSG_SPACE(n * sizeof(int))};
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(n * sizeof(int));
	memcpy(CMSG_DATA(c), fds, n * sizeof(int));
	return syscall(SYS_sendmsg, sock, &m, 0);
}

SYSCALL_TEST(sendmsg)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct iovec gather[3] = {{"one ", 4}, {"two ", 4}, {"three", 5}};
	struct msghdr m = {.msg_iov = gather, .msg_iovlen = 3};
	SHOW(syscall(SYS_sendmsg, sv[0], &m, 0));
	char b[32] = {0};
	read(sv[1], b, sizeof b);
	say("gathered: %s", b);
	/* Pass a pipe's write end; write through the received copy. */
	int p[2];
	pipe(p);
	SHOW(send_fds(sv[0], &p[1], 1, "fd"));
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {b, sizeof b};
	struct msghdr r = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
	memset(b, 0, sizeof b);
	SHOW(recvmsg(sv[1], &r, 0));
	struct cmsghdr *c = CMSG_FIRSTHDR(&r);
	int got = -1;
	if (c && c->cmsg_type == SCM_RIGHTS)
		memcpy(&got, CMSG_DATA(c), sizeof got);
	say("data %s, received fd %d (%s)", b, got, fd_state(got));
	write(got, "via passed fd", 13);
	memset(b, 0, sizeof b);
	read(p[0], b, sizeof b);
	say("read from the pipe: %s", b);
	/* To a bound datagram socket, named in msg_name. */
	socklen_t len;
	struct sockaddr_un dst = unix_addr("dgram", &len);
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(d, (struct sockaddr *)&dst, len);
	int u = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct iovec one = {"named", 5};
	struct msghdr nm = {.msg_name = &dst, .msg_namelen = len, .msg_iov = &one, .msg_iovlen = 1};
	SHOW(syscall(SYS_sendmsg, u, &nm, 0));
	memset(b, 0, sizeof b);
	recv(d, b, sizeof b, 0);
	say("received: %s", b);
	int bad = 99;
	SHOW(send_fds(sv[0], &bad, 1, "x"));
	struct msghdr many = {.msg_iov = gather, .msg_iovlen = IOV_MAX + 1};
	SHOW(syscall(SYS_sendmsg, sv[0], &many, 0));
	SHOW(syscall(SYS_sendmsg, sv[0], BADPTR, 0));
	struct msghdr badiov = {.msg_iov = BADPTR, .msg_iovlen = 1};
	SHOW(syscall(SYS_sendmsg, sv[0], &badiov, 0));
	SHOW(syscall(SYS_sendmsg, 99, &m, 0));
	SHOW(syscall(SYS_sendmsg, p[1], &m, 0));
	struct msghdr noaddr = {.msg_iov = &one, .msg_iovlen = 1};
	SHOW(syscall(SYS_sendmsg, u, &noaddr, 0));
}

/* recvmsg is partial: MSG_WAITALL returns what is available, so it is only
 * used where all of it is there. */
SYSCALL_TEST(recvmsg)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	write(sv[0], "0123456789", 10);
	char x[4] = {0}, y[8] = {0};
	struct iovec scatter[2] = {{x, 3}, {y, 7}};
	struct msghdr m = {.msg_iov = scatter, .msg_iovlen = 2};
	SHOW(syscall(SYS_recvmsg, sv[1], &m, 0));
	say("scattered: %s %s, flags 0x%x", x, y, m.msg_flags);
	write(sv[0], "0123456789", 10);
	struct iovec small = {x, 3};
	struct msghdr t = {.msg_iov = &small, .msg_iovlen = 1};
	SHOW(syscall(SYS_recvmsg, sv[1], &t, 0));
	say("MSG_TRUNC set: %d", !!(t.msg_flags & MSG_TRUNC));
	write(sv[0], "0123456789", 10);
	SHOW(syscall(SYS_recvmsg, sv[1], &t, MSG_TRUNC));
	/* Three fds into room for one (or two, after alignment): MSG_CTRUNC. */
	int st[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, st);
	int fds[3];
	pipe(fds);
	fds[2] = dup(fds[0]);
	char ctl[CMSG_SPACE(sizeof(int))];
	struct iovec iov = {y, sizeof y};
	memset(y, 0, sizeof y);
	{
		char big[CMSG_SPACE(3 * sizeof(int))];
		struct iovec d = {"two", 3};
		struct msghdr s = {.msg_iov = &d,
				   .msg_iovlen = 1,
				   .msg_control = big,
				   .msg_controllen = sizeof big};
		struct cmsghdr *c = CMSG_FIRSTHDR(&s);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(3 * sizeof(int));
		memcpy(CMSG_DATA(c), fds, sizeof fds);
		sendmsg(st[0], &s, 0);
	}
	struct msghdr r = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = sizeof ctl};
	SHOW(syscall(SYS_recvmsg, st[1], &r, MSG_CMSG_CLOEXEC));
	struct cmsghdr *c = CMSG_FIRSTHDR(&r);
	int got = -1;
	if (c)
		memcpy(&got, CMSG_DATA(c), sizeof got);
	say("MSG_CTRUNC %d, first fd %d %s", !!(r.msg_flags & MSG_CTRUNC), got, fd_state(got));
	/* The sender's credentials (uid and gid; pids differ between runs). */
	int on = 1;
	setsockopt(st[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on);
	write(st[0], "cred", 4);
	char cctl[CMSG_SPACE(sizeof(struct ucred))];
	struct msghdr cr = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cctl, .msg_controllen = sizeof cctl};
	SHOW(syscall(SYS_recvmsg, st[1], &cr, 0));
	c = CMSG_FIRSTHDR(&cr);
	if (c && c->cmsg_type == SCM_CREDENTIALS) {
		struct ucred u;
		memcpy(&u, CMSG_DATA(c), sizeof u);
		say("SCM_CREDENTIALS uid %u gid %u, pid is ours %d", u.uid, u.gid,
		    u.pid == getpid());
	} else {
		say("no SCM_CREDENTIALS");
	}
	/* The sender's address. */
	socklen_t len;
	struct sockaddr_un a = unix_addr("srv", &len), from;
	int srv = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(srv, (struct sockaddr *)&a, len);
	struct sockaddr_un ca = unix_addr("cli", &len);
	int cli = socket(AF_UNIX, SOCK_DGRAM, 0);
	bind(cli, (struct sockaddr *)&ca, len);
	sendto(cli, "hi", 2, 0, (struct sockaddr *)&a, sizeof a);
	struct msghdr nm = {
	    .msg_name = &from, .msg_namelen = sizeof from, .msg_iov = &iov, .msg_iovlen = 1};
	SHOW(syscall(SYS_recvmsg, srv, &nm, 0));
	say("from [%s] namelen %u", shown_path(from.sun_path), nm.msg_namelen);
	SHOW(syscall(SYS_recvmsg, srv, &nm, MSG_DONTWAIT));
	SHOW(syscall(SYS_recvmsg, srv, BADPTR, MSG_DONTWAIT));
	SHOW(syscall(SYS_recvmsg, 99, &nm, 0));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_recvmsg, p[0], &nm, 0));
}

/* sendmmsg is partial (it waits for the first message only); only
 * non-blocking sends are probed. */
SYSCALL_TEST(sendmmsg)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	struct iovec iov[3] = {{"first", 5}, {"second", 6}, {"third", 5}};
	struct mmsghdr msgs[3];
	memset(msgs, 0, sizeof msgs);
	for (int i = 0; i < 3; i++) {
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	SHOW(syscall(SYS_sendmmsg, sv[0], msgs, 3, 0));
	say("msg_len %u %u %u", msgs[0].msg_len, msgs[1].msg_len, msgs[2].msg_len);
	char b[16];
	for (int i = 0; i < 3; i++) {
		memset(b, 0, sizeof b);
		read(sv[1], b, sizeof b);
		say("datagram %d: %s", i, b);
	}
	SHOW(syscall(SYS_sendmmsg, sv[0], msgs, 0, 0));
	/* The first failure is the result; a later one cuts the count. */
	int u = socket(AF_INET, SOCK_DGRAM, 0);
	SHOW(syscall(SYS_sendmmsg, u, msgs, 2, 0));
	msgs[1].msg_hdr.msg_iov = BADPTR;
	SHOW(syscall(SYS_sendmmsg, sv[0], msgs, 3, 0));
	SHOW(syscall(SYS_sendmmsg, sv[0], BADPTR, 1, 0));
	SHOW(syscall(SYS_sendmmsg, 99, msgs, 1, 0));
}

/* recvmmsg is partial (it waits for the first message only, timeout
 * ignored); only MSG_DONTWAIT, MSG_WAITFORONE and a single message are
 * probed, with no timeout. */
SYSCALL_TEST(recvmmsg)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_DGRAM, 0, sv);
	write(sv[0], "aa", 2);
	write(sv[0], "bbb", 3);
	write(sv[0], "cccc", 4);
	char bufs[4][8];
	memset(bufs, 0, sizeof bufs);
	struct iovec iov[4];
	struct mmsghdr msgs[4];
	memset(msgs, 0, sizeof msgs);
	for (int i = 0; i < 4; i++) {
		iov[i].iov_base = bufs[i];
		iov[i].iov_len = sizeof bufs[i];
		msgs[i].msg_hdr.msg_iov = &iov[i];
		msgs[i].msg_hdr.msg_iovlen = 1;
	}
	SHOW(syscall(SYS_recvmmsg, sv[1], msgs, 4, MSG_DONTWAIT, NULL));
	say("%s/%u %s/%u %s/%u", bufs[0], msgs[0].msg_len, bufs[1], msgs[1].msg_len, bufs[2],
	    msgs[2].msg_len);
	SHOW(syscall(SYS_recvmmsg, sv[1], msgs, 4, MSG_DONTWAIT, NULL));
	write(sv[0], "dd", 2);
	write(sv[0], "ee", 2);
	SHOW(syscall(SYS_recvmmsg, sv[1], msgs, 4, MSG_WAITFORONE, NULL));
	say("%s %s", bufs[0], bufs[1]);
	/* Blocking for the first one, sent by a child. */
	pid_t k = probe_fork();
	if (k == 0) {
		usleep(20000);
		write(sv[0], "late", 4);
		_exit(0);
	}
	memset(bufs, 0, sizeof bufs);
	SHOW(syscall(SYS_recvmmsg, sv[1], msgs, 1, 0, NULL));
	say("%s", bufs[0]);
	probe_wait("child", k);
	SHOW(syscall(SYS_recvmmsg, sv[1], BADPTR, 1, MSG_DONTWAIT, NULL));
	SHOW(syscall(SYS_recvmmsg, 99, msgs, 1, MSG_DONTWAIT, NULL));
	/* A bad timeout fails before anything waits (LTP recvmmsg01). */
	struct timespec neg = {-1, 0}, big = {1, 1000000001};
	SHOW(syscall(SYS_recvmmsg, sv[1], msgs, 1, 0, &neg));
	SHOW(syscall(SYS_recvmmsg, sv[1], msgs, 1, 0, &big));
	SHOW(syscall(SYS_recvmmsg, sv[1], msgs, 1, 0, BADPTR));
}
