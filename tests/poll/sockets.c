/* Sockets between sandboxed processes: a TCP echo over 127.0.0.1, AF_UNIX
 * stream and datagram sockets bound to paths (relative ones too), an fd
 * passed with SCM_RIGHTS across fork, SO_RCVTIMEO, nonblocking connect and
 * SIGPIPE. Prints one line per check; the output must be the same natively
 * and under msentry. Usage: sockets DIR (a scratch directory). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void check(const char *what, long got, long want)
{
	printf("%s: %s (got %ld)\n", what, got == want ? "ok" : "FAIL", got);
}

static long err_of(long r)
{
	return r < 0 ? errno : 0;
}

static int child_status(pid_t c)
{
	int st;
	waitpid(c, &st, 0);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void test_tcp_echo(void)
{
	int l = socket(AF_INET, SOCK_STREAM, 0);
	int one = 1;
	setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	check("tcp bind", bind(l, (struct sockaddr *)&sa, sizeof(sa)), 0);
	check("tcp listen", listen(l, 8), 0);
	socklen_t len = sizeof(sa);
	getsockname(l, (struct sockaddr *)&sa, &len);
	check("getsockname len", len, sizeof(sa));
	pid_t c = fork();
	if (c == 0) {
		int s = socket(AF_INET, SOCK_STREAM, 0);
		if (connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0)
			_exit(1);
		static char big[300000];
		memset(big, 'a', sizeof(big));
		size_t sent = 0;
		while (sent < sizeof(big)) {
			ssize_t n = send(s, big + sent, sizeof(big) - sent, 0);
			if (n <= 0)
				_exit(2);
			sent += (size_t)n;
		}
		shutdown(s, SHUT_WR);
		size_t got = 0;
		char buf[65536];
		ssize_t n;
		while ((n = recv(s, buf, sizeof(buf), 0)) > 0)
			got += (size_t)n;
		_exit(got == sizeof(big) ? 0 : 3);
	}
	struct sockaddr_in peer;
	len = sizeof(peer);
	int a = accept(l, (struct sockaddr *)&peer, &len);
	check("accept", a >= 0, 1);
	check("peer is loopback", peer.sin_addr.s_addr == htonl(INADDR_LOOPBACK), 1);
	char buf[65536];
	ssize_t n;
	long total = 0;
	while ((n = read(a, buf, sizeof(buf))) > 0) {
		total += n;
		for (ssize_t off = 0; off < n;) {
			ssize_t w = write(a, buf + off, (size_t)(n - off));
			if (w <= 0)
				break;
			off += w;
		}
	}
	check("tcp echoed bytes", total, 300000);
	close(a);
	check("tcp client status", child_status(c), 0);
	/* Connecting to a closed port fails with ECONNREFUSED, blocking or not. */
	close(l);
	int s = socket(AF_INET, SOCK_STREAM, 0);
	check("connect refused", err_of(connect(s, (struct sockaddr *)&sa, sizeof(sa))),
	      ECONNREFUSED);
	close(s);
	s = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
	long r = err_of(connect(s, (struct sockaddr *)&sa, sizeof(sa)));
	check("nonblocking connect", r == EINPROGRESS || r == ECONNREFUSED, 1);
	struct pollfd pf = {.fd = s, .events = POLLOUT};
	poll(&pf, 1, 5000);
	int soerr = 0;
	len = sizeof(soerr);
	getsockopt(s, SOL_SOCKET, SO_ERROR, &soerr, &len);
	check("SO_ERROR after refused", r == ECONNREFUSED ? ECONNREFUSED : soerr, ECONNREFUSED);
	close(s);
}

static void test_unix_paths(const char *dir)
{
	char path[256];
	snprintf(path, sizeof(path), "%s/srv.sock", dir);
	unlink(path);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un su = {.sun_family = AF_UNIX};
	strcpy(su.sun_path, path);
	check("unix bind", bind(l, (struct sockaddr *)&su, sizeof(su)), 0);
	check("unix bind again",
	      err_of(bind(socket(AF_UNIX, SOCK_STREAM, 0), (struct sockaddr *)&su, sizeof(su))),
	      EADDRINUSE);
	struct stat st;
	check("socket file exists", stat(path, &st) == 0 && S_ISSOCK(st.st_mode), 1);
	listen(l, 4);
	struct sockaddr_un got;
	socklen_t len = sizeof(got);
	getsockname(l, (struct sockaddr *)&got, &len);
	check("unix getsockname", strcmp(got.sun_path, path), 0);
	int c = socket(AF_UNIX, SOCK_STREAM, 0);
	check("unix connect", connect(c, (struct sockaddr *)&su, sizeof(su)), 0);
	len = sizeof(got);
	getpeername(c, (struct sockaddr *)&got, &len);
	check("unix getpeername", strcmp(got.sun_path, path), 0);
	int a = accept(l, NULL, NULL);
	check("unix accept", a >= 0, 1);
	write(c, "abc", 3);
	char buf[8] = {0};
	check("unix read", read(a, buf, sizeof(buf)), 3);
	close(a);
	close(c);
	close(l);
	/* A relative name, through the cwd. */
	char old[256];
	getcwd(old, sizeof(old));
	chdir(dir);
	unlink("rel.sock");
	int d = socket(AF_UNIX, SOCK_DGRAM, 0);
	struct sockaddr_un rel = {.sun_family = AF_UNIX, .sun_path = "rel.sock"};
	check("dgram bind relative", bind(d, (struct sockaddr *)&rel, sizeof(rel)), 0);
	len = sizeof(got);
	getsockname(d, (struct sockaddr *)&got, &len);
	check("relative getsockname", strcmp(got.sun_path, "rel.sock"), 0);
	int s = socket(AF_UNIX, SOCK_DGRAM, 0);
	check("dgram sendto path", sendto(s, "dg", 2, 0, (struct sockaddr *)&rel, sizeof(rel)), 2);
	check("dgram recv", recv(d, buf, sizeof(buf), 0), 2);
	chdir(old);
	check("connect missing",
	      err_of(connect(socket(AF_UNIX, SOCK_STREAM, 0),
			     (struct sockaddr *)&(struct sockaddr_un){.sun_family = AF_UNIX,
								      .sun_path = "/nonexistent/x"},
			     sizeof(struct sockaddr_un))),
	      ENOENT);
	unlink(path);
	snprintf(path, sizeof(path), "%s/rel.sock", dir);
	unlink(path);
	close(d);
	close(s);
}

static void test_scm_rights(const char *dir)
{
	int sv[2];
	check("socketpair", socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	char path[256];
	snprintf(path, sizeof(path), "%s/passed.txt", dir);
	pid_t c = fork();
	if (c == 0) {
		close(sv[0]);
		int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
		write(fd, "through the socket\n", 19);
		lseek(fd, 0, SEEK_SET);
		int p[2];
		pipe(p);
		write(p[1], "pipe!", 5);
		char cbuf[CMSG_SPACE(2 * sizeof(int))];
		struct iovec iov = {"F", 1};
		struct msghdr mh = {.msg_iov = &iov,
				    .msg_iovlen = 1,
				    .msg_control = cbuf,
				    .msg_controllen = sizeof(cbuf)};
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(2 * sizeof(int));
		memcpy(CMSG_DATA(cm), (int[]){fd, p[0]}, 2 * sizeof(int));
		if (sendmsg(sv[1], &mh, 0) != 1)
			_exit(1);
		close(fd);
		close(p[0]);
		/* Keep the write end until the parent answers. */
		char b;
		read(sv[1], &b, 1);
		_exit(0);
	}
	close(sv[1]);
	char cbuf[CMSG_SPACE(2 * sizeof(int))];
	char data;
	struct iovec iov = {&data, 1};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	check("recvmsg", recvmsg(sv[0], &mh, MSG_CMSG_CLOEXEC), 1);
	struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
	check("got SCM_RIGHTS", cm && cm->cmsg_type == SCM_RIGHTS, 1);
	int fds[2];
	memcpy(fds, CMSG_DATA(cm), sizeof(fds));
	char buf[64] = {0};
	check("read passed file", read(fds[0], buf, sizeof(buf)), 19);
	printf("passed file says: %s", buf);
	check("passed fd cloexec", fcntl(fds[0], F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	check("read passed pipe", read(fds[1], buf, 5), 5);
	write(sv[0], "k", 1);
	check("sender status", child_status(c), 0);
	close(fds[0]);
	close(fds[1]);
	close(sv[0]);
	unlink(path);
}

static void test_timeouts_and_sigpipe(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	struct timeval tv = {0, 50000};
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	char b;
	check("recv SO_RCVTIMEO", err_of(recv(sv[0], &b, 1, 0)), EAGAIN);
	check("recv MSG_DONTWAIT", err_of(recv(sv[0], &b, 1, MSG_DONTWAIT)), EAGAIN);
	int type;
	socklen_t len = sizeof(type);
	getsockopt(sv[0], SOL_SOCKET, SO_TYPE, &type, &len);
	check("SO_TYPE", type, SOCK_STREAM);
	close(sv[1]);
	check("send EPIPE with MSG_NOSIGNAL", err_of(send(sv[0], "x", 1, MSG_NOSIGNAL)), EPIPE);
	pid_t c = fork();
	if (c == 0) {
		send(sv[0], "x", 1, 0);
		_exit(0);
	}
	check("send raises SIGPIPE", child_status(c), 128 + SIGPIPE);
	close(sv[0]);
}

/* A blocking send hands over everything, however large; MSG_WAITALL
 * receives everything asked for. */
static void test_whole_transfers(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	enum { BIG = 3 << 20 };
	pid_t c = fork();
	if (c == 0) {
		close(sv[0]);
		char *buf = malloc(BIG);
		memset(buf, 'q', BIG);
		ssize_t n = send(sv[1], buf, BIG, 0);
		_exit(n == BIG ? 0 : 1);
	}
	close(sv[1]);
	char *buf = malloc(BIG);
	usleep(20000);
	check("recv MSG_WAITALL", recv(sv[0], buf, BIG, MSG_WAITALL), BIG);
	check("big send in one call", child_status(c), 0);
	check("recv after EOF", recv(sv[0], buf, 1, 0), 0);
	free(buf);
	close(sv[0]);
}

int main(int argc, char **argv)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	test_tcp_echo();
	test_unix_paths(dir);
	test_scm_rights(dir);
	test_timeouts_and_sigpipe();
	test_whole_transfers();
	printf("done\n");
	return 0;
}
