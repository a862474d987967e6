/* The container's terminal (process.terminal) and the console socket.
 *
 * runc's contract, which containerd's shim and podman's conmon rely on:
 * with process.terminal true, `create` (and `run --detach`) takes
 * `--console-socket PATH`, a listening AF_UNIX stream socket. The runtime
 * makes a pseudo-terminal, connects to the socket and sends the MASTER in
 * one sendmsg carrying exactly one SCM_RIGHTS fd and a non-empty name
 * ("/dev/ptmx", as runc's console library names it); the container's fds
 * 0-2 are the slave, its controlling terminal. The caller then relays
 * between the master and its user, and resizes with TIOCSWINSZ on the
 * master.
 *
 * In msentry the init makes the pty on the host (posix_openpt, grantpt,
 * unlockpt), after its setsid and before it reports ready, so a failure
 * (a socket nobody listens on) fails `create` with nothing left behind.
 * The slave becomes the init's host controlling terminal (TIOCSCTTY):
 * the host then sends the terminal's signals (^C, ^Z, SIGWINCH on a
 * resize, SIGHUP when the master closes) to the init, which is the
 * sentry, and the sentry forwards them into the sandbox's foreground
 * process group (sentry/kernel/tty.c keeps the sandbox's view of the
 * terminal: its session, its foreground group).
 *
 * `run` (and `exec --tty`) in the foreground with a terminal and no
 * console socket, as runc: the runtime makes a pty of its own
 * (console_relay_open), the process gets the slave as fds 0-2 and its
 * controlling terminal, and the runtime, which waits for the process,
 * copies its stdin into the master and the master to its stdout until
 * the process is gone. When stdin is a terminal it is set raw meanwhile
 * (keys reach the pty as typed: ^C becomes the container's SIGINT in the
 * pty's line discipline) and its size is the pty's, again on each
 * SIGWINCH; stdin need not be a terminal (a pipe or /dev/null is copied
 * until EOF), but, as runc opens it, a controlling terminal (/dev/tty)
 * must exist: without, the error is runc's.
 *
 * `exec --tty --console-socket` (containerd's `ctr task exec -t`, podman's
 * `exec -t`): the runtime makes another pty the same way (console_open)
 * and passes its slave as the new process's fds 0-2; the sentry makes it
 * that process's controlling terminal (sentry/kernel/tty.c). On the host,
 * exec's waiter makes itself that pty's session leader (setsid,
 * TIOCSCTTY), so the terminal's signals (^C, ^Z, SIGWINCH, SIGHUP when
 * the master closes) reach it, and it has them sent to the terminal's
 * foreground group in the sandbox (exec.c). `exec --tty` in the
 * foreground relays through a pty of its own, as `run` does.
 *
 * Threats: the socket path comes from the caller (runc trusts it the same
 * way); the pty is made by and for the init; nothing else is opened.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#include "console-internal.h"
#include "runtime-internal.h"

int console_check(bool terminal, bool detach, const char *console_socket, struct error *e)
{
	if (detach && terminal && !console_socket)
		return error_set(e, EINVAL,
				 "cannot allocate tty if runc will detach without setting console "
				 "socket");
	if ((!detach || !terminal) && console_socket)
		return error_set(
		    e, EINVAL, "cannot use console socket if runc will not detach or allocate tty");
	if (!detach && terminal) {
		/* runc relays from its own terminal, which it opens so. */
		int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (fd < 0)
			return error_set(e, errno, "open /dev/tty: %s", strerror(errno));
		close(fd);
	}
	return 0;
}

/* One sendmsg: the name as data, the fd as the only SCM_RIGHTS. */
static int send_fd(int sock, const char *name, int fd)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(int))];
	} ctl;
	memset(&ctl, 0, sizeof(ctl));
	struct iovec iov = {.iov_base = (void *)name, .iov_len = strlen(name)};
	struct msghdr msg = {
	    .msg_iov = &iov,
	    .msg_iovlen = 1,
	    .msg_control = ctl.buf,
	    .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &fd, sizeof(int));
	ssize_t n;
	do
		n = sendmsg(sock, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n < 0 ? -errno : 0;
}

static int connect_socket(const char *path, struct error *e)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof(addr.sun_path))
		return error_set(e, ENAMETOOLONG, "--console-socket: `%s`: path too long", path);
	strcpy(addr.sun_path, path);
	int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (sock < 0)
		return error_set(e, errno, "--console-socket: socket: %s", strerror(errno));
	if (connect(sock, (struct sockaddr *)&addr, sizeof(addr)) != 0) {
		int err = errno;
		close(sock);
		return error_set(e, err, "dial unix %s: connect: %s", path, strerror(err));
	}
	return sock;
}

int console_open(const char *console_socket, struct error *e)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return error_set(e, errno, "open /dev/ptmx: %s", strerror(errno));
	int slave = -1;
	char name[64];
	if (grantpt(master) != 0 || unlockpt(master) != 0 ||
	    ptsname_r(master, name, sizeof(name)) != 0) {
		error_set(e, errno, "/dev/ptmx: unlockpt: %s", strerror(errno));
		goto out;
	}
	/* Opened before the master leaves: a failure sends nothing. */
	slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (slave < 0) {
		error_set(e, errno, "open %s: %s", name, strerror(errno));
		goto out;
	}
	int sock = connect_socket(console_socket, e);
	int err = sock < 0 ? 0 : send_fd(sock, "/dev/ptmx", master);
	if (sock >= 0)
		close(sock);
	if (err != 0)
		error_set(e, -err, "--console-socket: sendmsg: %s", strerror(-err));
	if (sock < 0 || err != 0) {
		close(slave);
		slave = -1;
	}
out:
	close(master);
	return slave;
}

int console_setup(const char *console_socket, struct error *e)
{
	int slave = console_open(console_socket, e);
	/* The slave as fds 0-2 and as the caller's controlling terminal. */
	return slave < 0 ? -1 : console_take(slave, e);
}

int console_take(int slave, struct error *e)
{
	if (ioctl(slave, TIOCSCTTY, 0) != 0)
		return error_set(e, errno, "TIOCSCTTY: %s", strerror(errno));
	for (int fd = 0; fd < 3; fd++)
		if (dup2(slave, fd) < 0)
			return error_set(e, errno, "dup2: %s", strerror(errno));
	close(slave);
	return 0;
}

/* runc's devpts makes a pty as the process's own (the mount's gid=5 and
 * mode=620); msentry's ptys are the host's, so the owner is set on the
 * host node, which the sandbox's /dev/pts shows (sentry/fs/devpts.c). */
void console_own(int slave, uid_t uid)
{
	enum { TTY_GID = 5 };
	(void)!fchown(slave, uid, TTY_GID);
	(void)!fchmod(slave, 0620);
}

int console_relay_open(struct console_relay *r, int *slave, struct error *e)
{
	*r = (struct console_relay){.master = -1, .in_open = true};
	*slave = -1;
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	char name[64];
	if (master < 0)
		return error_set(e, errno, "open /dev/ptmx: %s", strerror(errno));
	if (grantpt(master) != 0 || unlockpt(master) != 0 ||
	    ptsname_r(master, name, sizeof(name)) != 0 ||
	    (*slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		error_set(e, errno, "/dev/ptmx: %s", strerror(errno));
		close(master);
		return -1;
	}
	r->master = master;
	/* "\n" stays "\n" on the way out, as runc clears ONLCR on its pty:
	 * the output is copied to a file or a pipe as often as to a terminal. */
	struct termios t;
	if (tcgetattr(*slave, &t) == 0) {
		t.c_oflag &= ~(tcflag_t)ONLCR;
		tcsetattr(*slave, TCSANOW, &t);
	}
	console_relay_resize(r);
	/* Keys go to the container's terminal as typed (^C included: its
	 * line discipline makes the signal), as runc sets its console raw. */
	if (isatty(0) && tcgetattr(0, &r->saved) == 0) {
		struct termios raw = r->saved;
		cfmakeraw(&raw);
		r->raw = tcsetattr(0, TCSANOW, &raw) == 0;
	}
	return 0;
}

void console_relay_resize(const struct console_relay *r)
{
	struct winsize ws;
	if (r->master >= 0 && ioctl(0, TIOCGWINSZ, &ws) == 0)
		(void)!ioctl(r->master, TIOCSWINSZ, &ws);
}

void console_relay_poll(const struct console_relay *r, struct pollfd p[2])
{
	p[0] = (struct pollfd){.fd = r->in_open ? 0 : -1, .events = POLLIN};
	p[1] = (struct pollfd){.fd = r->master, .events = POLLIN};
}

/* Master to stdout until it would block; false once it is done (EIO:
 * no process holds the slave any more). */
static bool copy_out(int master)
{
	char buf[4096];
	for (;;) {
		ssize_t got = read(master, buf, sizeof(buf));
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0 && errno == EAGAIN)
			return true;
		if (got <= 0)
			return false;
		write_all(1, buf, (size_t)got);
	}
}

void console_relay_io(struct console_relay *r, const struct pollfd p[2])
{
	if (r->in_open && p[0].revents) {
		char buf[4096];
		ssize_t got = read(0, buf, sizeof(buf));
		/* EOF: nothing more is typed (runc sends nothing for it). */
		if (got <= 0 && !(got < 0 && errno == EINTR))
			r->in_open = false;
		else if (got > 0)
			write_all(r->master, buf, (size_t)got);
	}
	if (r->master >= 0 && p[1].revents && !copy_out(r->master)) {
		close(r->master);
		r->master = -1;
	}
}

void console_relay_close(struct console_relay *r)
{
	if (r->master >= 0) {
		copy_out(r->master);
		close(r->master);
		r->master = -1;
	}
	if (r->raw)
		tcsetattr(0, TCSANOW, &r->saved);
	r->raw = false;
}
