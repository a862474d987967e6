/* The client side of the control channel (control-internal.h): connect,
 * one request, one reply. The sentry's side is sentry/control/control.c. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "control-internal.h"
#include "sentry/sentry.h"

/* sun_path for DIR/control.sock through an fd of DIR. */
static int socket_address(int dir_fd, struct sockaddr_un *sa)
{
	*sa = (struct sockaddr_un){.sun_family = AF_UNIX};
	snprintf(sa->sun_path, sizeof(sa->sun_path), "/proc/self/fd/%d/%s", dir_fd,
		 SENTRY_CONTROL_SOCKET);
	return 0;
}

int control_listen(const char *dir)
{
	cleanup_close int dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dir_fd < 0)
		return -errno;
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	struct sockaddr_un sa;
	socket_address(dir_fd, &sa);
	char path[sizeof(sa.sun_path)];
	snprintf(path, sizeof(path), "%s", sa.sun_path);
	/* Nobody can connect before listen(): the mode is set first. */
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, 0600) != 0 ||
	    listen(fd, 64) != 0) {
		int err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

int control_connect(const struct runtime *rt, const char *id, struct error *e)
{
	cleanup_free char *dir = container_dir(rt, id);
	cleanup_close int dir_fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	struct sockaddr_un sa;
	if (dir_fd < 0 || fd < 0 ||
	    (socket_address(dir_fd, &sa), connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)) {
		if (fd >= 0)
			close(fd);
		return error_set(e, ESRCH, "container not running");
	}
	return fd;
}

static int send_request(int fd, const char *const *fields, size_t n, const int *fds, size_t nfds,
			struct error *e)
{
	struct strbuf b = {0};
	for (size_t i = 0; i < n; i++)
		strbuf_append(&b, fields[i], strlen(fields[i]) + 1);
	if (b.len > SENTRY_CONTROL_MAX || nfds > SENTRY_CONTROL_FDS) {
		strbuf_release(&b);
		return error_set(e, E2BIG, "the request is too large for the control channel");
	}
	char cbuf[CMSG_SPACE(SENTRY_CONTROL_FDS * sizeof(int))] = {0};
	struct iovec iov = {.iov_base = b.data, .iov_len = b.len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (nfds) {
		mh.msg_control = cbuf;
		mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
		struct cmsghdr *cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(nfds * sizeof(int));
		memcpy(CMSG_DATA(cm), fds, nfds * sizeof(int));
	}
	ssize_t sent;
	do
		sent = sendmsg(fd, &mh, MSG_NOSIGNAL);
	while (sent < 0 && errno == EINTR);
	strbuf_release(&b);
	if (sent < 0)
		return error_set(e, ESRCH, "container not running");
	return 0;
}

/* One reply message, NUL-terminated (malloc'd); NULL at EOF. */
static char *receive_reply(int fd)
{
	char *buf = xmalloc(SENTRY_CONTROL_MAX + 1);
	ssize_t got;
	do
		got = recv(fd, buf, SENTRY_CONTROL_MAX, 0);
	while (got < 0 && errno == EINTR);
	if (got <= 0) {
		free(buf);
		return NULL;
	}
	buf[got] = '\0';
	return buf;
}

int control_call(const struct runtime *rt, const char *id, const char *const *fields, size_t n,
		 const int *fds, size_t nfds, char **reply, int *conn_out, struct error *e)
{
	int fd = control_connect(rt, id, e);
	if (fd < 0)
		return -1;
	char *text = NULL;
	int rc = send_request(fd, fields, n, fds, nfds, e);
	if (rc == 0 && !(text = receive_reply(fd)))
		rc = error_set(e, ESRCH, "container not running");
	if (rc == 0 && strncmp(text, "ok", 2) != 0) {
		size_t len = strcspn(text, "\n");
		rc = error_set(e, EINVAL, "%.*s", (int)len,
			       strncmp(text, "error ", 6) == 0 ? text + 6 : text);
	}
	if (rc == 0 && reply)
		*reply = xstrdup(text + 2 + (text[2] == ' ' || text[2] == '\n'));
	free(text);
	if (rc == 0 && conn_out)
		*conn_out = fd;
	else
		close(fd);
	return rc;
}

int control_signal(const struct runtime *rt, const char *id, pid_t pid, int sig, bool foreground,
		   struct error *e)
{
	char sig_field[32], pid_field[32];
	snprintf(sig_field, sizeof(sig_field), "sig=%d", sig);
	snprintf(pid_field, sizeof(pid_field), pid ? "pid=%d" : "all=1", (int)pid);
	const char *fields[] = {"signal", sig_field, pid_field, "fg=1"};
	return control_call(rt, id, fields, pid && foreground ? 4 : 3, NULL, 0, NULL, NULL, e);
}
