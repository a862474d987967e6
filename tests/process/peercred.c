/* Who is on the other end of a Unix socket: SO_PEERCRED after socketpair,
 * listen/connect/accept (before and after the accept), and SCM_CREDENTIALS
 * sent explicitly or filled in by the kernel (SO_PASSCRED), between two
 * processes. Under msentry every socket is the sentry's on the host, so
 * the answers must be mapped to the sandbox's processes. Prints only
 * relations (is it the parent, the child), which are the same natively
 * and under msentry; run-compare.sh compares the runs. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static pid_t parent;

static struct ucred peer_of(int fd)
{
	struct ucred cr = {0};
	socklen_t len = sizeof(cr);
	getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len);
	return cr;
}

static const char *who(pid_t pid, pid_t child)
{
	return pid == parent ? "parent" : pid == child ? "child" : pid == 0 ? "0" : "someone else";
}

static void socketpair_creds(void)
{
	int sv[2];
	socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
	int p[2];
	if (pipe(p) != 0)
		return;
	pid_t c = fork();
	if (c == 0) {
		struct ucred cr = peer_of(sv[1]);
		char ok = cr.pid == parent && cr.uid == getuid() && cr.gid == getgid();
		write(p[1], &ok, 1);
		_exit(0);
	}
	char ok = 0;
	read(p[0], &ok, 1);
	waitpid(c, NULL, 0);
	printf("socketpair: the child sees the creator (parent): %d; the parent: %s\n", ok,
	       who(peer_of(sv[0]).pid, c));
	close(sv[0]);
	close(sv[1]);
	close(p[0]);
	close(p[1]);
}

static void send_creds(int fd, int explicit)
{
	struct ucred cr = {.pid = getpid(), .uid = getuid(), .gid = getgid()};
	char data = 'x';
	struct iovec iov = {&data, 1};
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (explicit) {
		mh.msg_control = u.buf;
		mh.msg_controllen = sizeof(u.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_CREDENTIALS;
		c->cmsg_len = CMSG_LEN(sizeof(cr));
		memcpy(CMSG_DATA(c), &cr, sizeof(cr));
	}
	sendmsg(fd, &mh, 0);
}

static pid_t received_pid(int fd)
{
	char data;
	struct iovec iov = {&data, 1};
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} u;
	struct msghdr mh = {.msg_iov = &iov,
			    .msg_iovlen = 1,
			    .msg_control = u.buf,
			    .msg_controllen = sizeof(u.buf)};
	if (recvmsg(fd, &mh, 0) != 1)
		return -1;
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	if (!c || c->cmsg_type != SCM_CREDENTIALS)
		return -2;
	struct ucred cr;
	memcpy(&cr, CMSG_DATA(c), sizeof(cr));
	return cr.pid;
}

static void listen_connect_accept(void)
{
	char path[64];
	snprintf(path, sizeof(path), "/tmp/msentry-peercred-%d", getpid());
	unlink(path);
	int l = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	strcpy(sa.sun_path, path);
	bind(l, (struct sockaddr *)&sa, sizeof(sa));
	listen(l, 4);
	int p[2];
	if (pipe(p) != 0)
		return;
	pid_t c = fork();
	if (c == 0) {
		int s = socket(AF_UNIX, SOCK_STREAM, 0);
		connect(s, (struct sockaddr *)&sa, sizeof(sa));
		char before = peer_of(s).pid == parent;
		write(p[1], &before, 1);
		send_creds(s, 1);
		send_creds(s, 0);
		char after;
		read(s, &after, 1); /* the parent has accepted */
		after = peer_of(s).pid == parent;
		write(p[1], &after, 1);
		_exit(0);
	}
	char before = 0, after = 0;
	read(p[0], &before, 1);
	int a = accept(l, NULL, NULL);
	int on = 1;
	setsockopt(a, SOL_SOCKET, SO_PASSCRED, &on, sizeof(on));
	printf("connect: the client sees the listener (parent) before accept: %d\n", before);
	printf("accept: the server sees the %s\n", who(peer_of(a).pid, c));
	printf("SCM_CREDENTIALS sent by the child name the %s\n", who(received_pid(a), c));
	printf("SO_PASSCRED credentials the kernel filled in name the %s\n",
	       who(received_pid(a), c));
	write(a, "k", 1);
	read(p[0], &after, 1);
	printf("the client still sees the listener after accept: %d\n", after);
	waitpid(c, NULL, 0);
	close(a);
	close(l);
	unlink(path);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	parent = getpid();
	socketpair_creds();
	listen_connect_accept();
	return 0;
}
