/* Socket messages: send and receive in all their forms, and their
 * ancillary data. As everywhere in sockets (sys_socket.c), each host call
 * is made with MSG_DONTWAIT and a call that would block waits for the host
 * fd (sched.c); data goes through the sentry's scratch buffer.
 *
 * SCM_RIGHTS carries host fds: program fds are translated to the sentry's
 * host fds on send, and received host fds become program fds. When the
 * received description is one the sandbox already has open (kcmp), its
 * existing struct file is shared, so O_NONBLOCK views, signalfd and epoll
 * state stay those of one open file description, as in Linux.
 */
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/kcmp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/fs/fs.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/syscalls-internal.h"

#define MAX_CONTROL 65536 /* ancillary data copied per call */

/* ---- ancillary data ---- */

/* Program -> host: SCM_RIGHTS fds become the sentry's host fds, and
 * SCM_CREDENTIALS name a host pid the host accepts: the sender's stub
 * process where the sentry may name another pid (CAP_SYS_ADMIN), so that
 * the receiver can tell which sandbox process sent; else the sentry's. */
static int control_to_host(struct task *t, struct msghdr *mh)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_len < CMSG_LEN(0) ||
		    (char *)c + c->cmsg_len > (char *)mh->msg_control + mh->msg_controllen)
			return -EINVAL;
		if (c->cmsg_level != SOL_SOCKET)
			continue;
		if (c->cmsg_type == SCM_RIGHTS) {
			int *fds = (int *)CMSG_DATA(c);
			size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < n; i++) {
				int host = fd_host(t, fds[i]);
				if (host < 0)
					return -EBADF;
				fds[i] = host;
			}
		} else if (c->cmsg_type == SCM_CREDENTIALS &&
			   c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
			struct ucred cr;
			memcpy(&cr, CMSG_DATA(c), sizeof(cr));
			if (cr.pid != t->proc->pid)
				return -EPERM;
			bool any_pid = t->s->host_caps & (1ULL << CAP_SYS_ADMIN);
			cr.pid = any_pid && t->mm ? t->mm->stub_pid : getpid();
			memcpy(CMSG_DATA(c), &cr, sizeof(cr));
		}
	}
	return 0;
}

/* A file of the sandbox for the open file description behind host fd
 * `key`: received fds become the struct file some task already has. */
static bool same_description(struct file *f, const void *key)
{
	pid_t self = getpid();
	return syscall(SYS_kcmp, self, self, KCMP_FILE, *(const int *)key, f->host_fd) == 0;
}

/* A struct file for a host fd received from a socket (takes `host`). */
static struct file *file_for_received(struct sentry *s, int host)
{
	struct file *f = file_find(s, same_description, &host);
	if (f) {
		close(host);
		return file_get(f);
	}
	/* A description nobody in the sandbox holds any more. If it is
	 * O_NONBLOCK and may block, it is most likely one the sentry made
	 * nonblocking for a program (whose own view, lost with its last fd,
	 * is taken as blocking); otherwise serve it as it is. */
	struct stat st;
	int fl = fcntl(host, F_GETFL);
	bool plain = fstat(host, &st) == 0 && (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode));
	if (!plain && fl >= 0 && (fl & O_NONBLOCK))
		return file_new_nonblocking(host, false);
	return file_new_host(host, NULL);
}

/* Host -> program: SCM_CREDENTIALS pids become sandbox pids. A sender in
 * the sandbox named its stub's pid (control_to_host), or, where it could
 * not, the sentry's; the host also fills in the sentry's pid when the
 * sender sent none (SO_PASSCRED). The sentry's pid is then taken as the
 * socket's peer (the sender on a connected socket), else the receiver. A
 * host process outside the sandbox is, as a pid outside the receiver's pid
 * namespace, 0. */
static void creds_from_host(struct task *t, struct file *f, struct cmsghdr *c)
{
	if (c->cmsg_len < CMSG_LEN(sizeof(struct ucred)))
		return;
	struct ucred cr;
	memcpy(&cr, CMSG_DATA(c), sizeof(cr));
	pid_t host_pid = cr.pid;
	cr.pid = 0;
	for (struct task *u = t->s->tasks; u && host_pid != getpid(); u = u->next)
		if (u->mm && u->mm->stub_pid == host_pid)
			cr.pid = u->proc->pid;
	struct ucred peer;
	if (host_pid == getpid())
		cr.pid = sock_peer_cred(t, f, &peer) == 0 && peer.pid ? peer.pid : t->proc->pid;
	memcpy(CMSG_DATA(c), &cr, sizeof(cr));
}

/* Host -> program: received host fds become program fds, credentials
 * name sandbox pids. */
static void control_from_host(struct task *t, struct file *f, struct msghdr *mh, bool cloexec)
{
	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_CREDENTIALS)
			creds_from_host(t, f, c);
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		int *fds = (int *)CMSG_DATA(c);
		size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < n; i++) {
			int fd = fd_install(t, file_for_received(t->s, fds[i]), cloexec, 0);
			if (fd < 0) {
				/* Out of fds: Linux truncates the rest. */
				for (size_t j = i + 1; j < n; j++)
					close(fds[j]);
				c->cmsg_len = CMSG_LEN(i * sizeof(int));
				mh->msg_flags |= MSG_CTRUNC;
				break;
			}
			fds[i] = fd;
		}
	}
}

/* ---- sending ---- */

/* Program bytes to send: an iovec array in program memory. */
struct send_src {
	const struct iovec *iov;
	size_t cnt, total;
};

/* Copy up to a scratch buffer of the program's bytes, from `skip` on. */
static long fill(struct task *t, const struct send_src *src, size_t skip)
{
	size_t at = 0;
	for (size_t i = 0; i < src->cnt && at < t->s->scratch_size; i++) {
		size_t len = src->iov[i].iov_len;
		if (skip >= len) {
			skip -= len;
			continue;
		}
		size_t part = len - skip;
		if (part > t->s->scratch_size - at)
			part = t->s->scratch_size - at;
		if (task_read(t, (uint64_t)src->iov[i].iov_base + skip, t->s->scratch + at, part) !=
		    0)
			return -EFAULT;
		at += part;
		skip = 0;
	}
	return (long)at;
}

static bool is_stream(struct file *f)
{
	int type = 0;
	socklen_t len = sizeof(type);
	getsockopt(f->host_fd, SOL_SOCKET, SO_TYPE, &type, &len);
	return type == SOCK_STREAM;
}

/* Send all of `src` as Linux's blocking send does: a stream socket takes
 * what fits, and the task waits for room and goes on (t->call.io_done counts
 * across attempts); a signal or timeout then ends it with the bytes sent.
 * `mh` holds the name and ancillary data, sent with the first bytes. */
static long send_host(struct task *t, struct file *f, const struct send_src *src, struct msghdr *mh,
		      int flags)
{
	if (!t->call.retry)
		t->call.io_done = 0;
	int err;
	for (;;) {
		long chunk = fill(t, src, t->call.io_done);
		if (chunk < 0)
			return t->call.io_done ? (long)t->call.io_done : chunk;
		struct iovec iov = {t->s->scratch, (size_t)chunk};
		mh->msg_iov = &iov;
		mh->msg_iovlen = 1;
		if (t->call.io_done) {
			mh->msg_control = NULL;
			mh->msg_controllen = 0;
		}
		ssize_t n = sendmsg(f->host_fd, mh, flags | MSG_DONTWAIT | MSG_NOSIGNAL);
		if (n < 0) {
			err = errno;
			break;
		}
		t->call.io_done += (size_t)n;
		if (t->call.io_done >= src->total || !is_stream(f))
			return (long)t->call.io_done;
		if (n < chunk) {
			err = EAGAIN; /* the socket buffer is full */
			break;
		}
	}
	if (err == EAGAIN) {
		bool waits = !(flags & MSG_DONTWAIT) && !file_is_nonblocking(f);
		if (t->call.io_done && (!waits || t->call.interrupted))
			return (long)t->call.io_done;
		long r = sock_wait(t, f, flags, POLLOUT, SO_SNDTIMEO, -EAGAIN);
		return r == -EAGAIN && t->call.io_done ? (long)t->call.io_done : r;
	}
	if (t->call.io_done)
		return (long)t->call.io_done;
	if (err == EPIPE && !(flags & MSG_NOSIGNAL))
		signal_raise_sigpipe(t);
	return -err;
}

SYSCALL_HANDLER(sendto)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	if ((int64_t)a[2] < 0)
		return -EINVAL;
	cleanup_host_addr struct host_addr ha = {.tmpfd = -1};
	struct msghdr mh = {0};
	if (a[4]) {
		int rc = sock_addr_in(t, f, a[4], a[5], false, &ha, NULL);
		if (rc != 0)
			return rc;
		mh.msg_name = &ha.ss;
		mh.msg_namelen = ha.len;
	}
	struct iovec iov = {(void *)a[1], a[2]};
	struct send_src src = {&iov, 1, a[2]};
	return send_host(t, f, &src, &mh, (int)a[3]);
}

/* The program's struct msghdr at `addr` and its iovec array. 0 or -errno;
 * *iov is malloc'ed. */
static int read_msghdr(struct task *t, uint64_t addr, struct msghdr *pm, struct iovec **iov,
		       size_t *total)
{
	if (task_read(t, addr, pm, sizeof(*pm)) != 0)
		return -EFAULT;
	if (pm->msg_iovlen > IOV_MAX)
		return -EMSGSIZE;
	return io_read_iovec(t, (uint64_t)pm->msg_iov, (int)pm->msg_iovlen, iov, total);
}

static long sendmsg_one(struct task *t, struct file *f, uint64_t msg_addr, int flags)
{
	struct msghdr pm;
	cleanup_free struct iovec *iov = NULL;
	size_t total;
	int rc = read_msghdr(t, msg_addr, &pm, &iov, &total);
	if (rc != 0)
		return rc;
	cleanup_host_addr struct host_addr ha = {.tmpfd = -1};
	struct msghdr mh = {0};
	if (pm.msg_name) {
		rc = sock_addr_in(t, f, (uint64_t)pm.msg_name, pm.msg_namelen, false, &ha, NULL);
		if (rc != 0)
			return rc;
		mh.msg_name = &ha.ss;
		mh.msg_namelen = ha.len;
	}
	if (pm.msg_controllen > MAX_CONTROL)
		return -ENOBUFS;
	cleanup_free char *ctl =
	    pm.msg_control && pm.msg_controllen ? xmalloc(pm.msg_controllen) : NULL;
	if (ctl) {
		if (task_read(t, (uint64_t)pm.msg_control, ctl, pm.msg_controllen) != 0)
			return -EFAULT;
		mh.msg_control = ctl;
		mh.msg_controllen = pm.msg_controllen;
		rc = control_to_host(t, &mh);
		if (rc != 0)
			return rc;
	}
	struct send_src src = {iov, pm.msg_iovlen, total};
	return send_host(t, f, &src, &mh, flags);
}

SYSCALL_HANDLER(sendmsg)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	return sendmsg_one(t, f, a[1], (int)a[2]);
}

/* struct mmsghdr: a msghdr and the byte count of that message. */
#define MMSG_SIZE (sizeof(struct msghdr) + 8)
#define MMSG_MAX  1024 /* UIO_MAXIOV */

SYSCALL_HANDLER(sendmmsg)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	unsigned vlen = (unsigned)a[2] < MMSG_MAX ? (unsigned)a[2] : MMSG_MAX;
	int flags = (int)a[3];
	unsigned i;
	for (i = 0; i < vlen; i++) {
		/* Only the first message may wait: the rest go if they can. */
		uint64_t m = a[1] + i * MMSG_SIZE;
		if (i)
			t->call.retry = false; /* a new message: its own byte count */
		long n = sendmsg_one(t, f, m, i ? flags | MSG_DONTWAIT : flags);
		if (n < 0 || n == SYSRET_BLOCK)
			return i ? (long)i : n;
		unsigned len = (unsigned)n;
		if (task_write(t, m + sizeof(struct msghdr), &len, sizeof(len)) != 0)
			return i ? (long)i : -EFAULT;
	}
	return (long)i;
}

/* ---- receiving ---- */

static long recv_host(struct task *t, struct file *f, struct msghdr *mh, int flags)
{
	ssize_t n = recvmsg(f->host_fd, mh, flags | MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (n >= 0)
		return n;
	if (errno == EAGAIN && !(flags & MSG_ERRQUEUE))
		return sock_wait(t, f, flags, POLLIN, SO_RCVTIMEO, -EAGAIN);
	return -errno;
}

/* recv(MSG_WAITALL) on a stream socket: fill the whole buffer, waiting as
 * needed (t->call.io_done counts across attempts); end of stream, an error, a
 * signal or a timeout end it early with what arrived. */
static long recv_waitall(struct task *t, struct file *f, uint64_t buf, size_t len, int flags)
{
	if (!t->call.retry)
		t->call.io_done = 0;
	flags &= ~MSG_WAITALL;
	while (t->call.io_done < len) {
		size_t want = len - t->call.io_done;
		if (want > t->s->scratch_size)
			want = t->s->scratch_size;
		ssize_t n = recv(f->host_fd, t->s->scratch, want, flags | MSG_DONTWAIT);
		if (n < 0 && errno == EAGAIN) {
			if (t->call.io_done && t->call.interrupted)
				break;
			long r = sock_wait(t, f, flags, POLLIN, SO_RCVTIMEO, -EAGAIN);
			return r == -EAGAIN && t->call.io_done ? (long)t->call.io_done : r;
		}
		if (n < 0)
			return t->call.io_done ? (long)t->call.io_done : -errno;
		if (n == 0)
			break;
		if (task_write(t, buf + t->call.io_done, t->s->scratch, (size_t)n) != 0)
			return t->call.io_done ? (long)t->call.io_done : -EFAULT;
		t->call.io_done += (size_t)n;
	}
	return (long)t->call.io_done;
}

SYSCALL_HANDLER(recvfrom)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	int flags = (int)a[3];
	if ((flags & MSG_WAITALL) && !(flags & (MSG_PEEK | MSG_DONTWAIT)) && !a[4] &&
	    !file_is_nonblocking(f) && is_stream(f))
		return recv_waitall(t, f, a[1], a[2], flags);
	size_t len = a[2] < t->s->scratch_size ? a[2] : t->s->scratch_size;
	struct sockaddr_storage ss;
	struct iovec iov = {t->s->scratch, len};
	struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1};
	if (a[4]) {
		mh.msg_name = &ss;
		mh.msg_namelen = sizeof(ss);
	}
	long n = recv_host(t, f, &mh, (int)a[3]);
	if (n < 0)
		return n;
	size_t copy = (size_t)n < len ? (size_t)n : len;
	if (copy && task_write(t, a[1], t->s->scratch, copy) != 0)
		return -EFAULT;
	int rc = sock_addr_out_lenp(t, &ss, mh.msg_namelen, a[4], a[5]);
	return rc != 0 ? rc : n;
}

/* Scatter `n` bytes of scratch into a program iovec. */
static int scatter(struct task *t, const struct iovec *iov, size_t cnt, size_t n)
{
	size_t at = 0;
	for (size_t i = 0; i < cnt && at < n; i++) {
		size_t part = iov[i].iov_len < n - at ? iov[i].iov_len : n - at;
		if (part && task_write(t, (uint64_t)iov[i].iov_base, t->s->scratch + at, part) != 0)
			return -EFAULT;
		at += part;
	}
	return 0;
}

static long recvmsg_one(struct task *t, struct file *f, uint64_t msg_addr, int flags)
{
	struct msghdr pm;
	cleanup_free struct iovec *iov = NULL;
	size_t total;
	int rc = read_msghdr(t, msg_addr, &pm, &iov, &total);
	if (rc != 0)
		return rc;
	if (total > t->s->scratch_size)
		total = t->s->scratch_size;
	size_t ctllen = pm.msg_control && pm.msg_controllen ? pm.msg_controllen : 0;
	if (ctllen > MAX_CONTROL)
		ctllen = MAX_CONTROL;
	cleanup_free char *ctl = ctllen ? xcalloc(1, ctllen) : NULL;
	struct sockaddr_storage ss;
	struct iovec hiov = {t->s->scratch, total};
	struct msghdr mh = {
	    .msg_iov = &hiov, .msg_iovlen = 1, .msg_control = ctl, .msg_controllen = ctllen};
	if (pm.msg_name) {
		mh.msg_name = &ss;
		mh.msg_namelen = sizeof(ss);
	}
	long n = recv_host(t, f, &mh, flags);
	if (n < 0)
		return n;
	/* Received fds are the program's now, even if copying out fails. */
	if (ctl)
		control_from_host(t, f, &mh, (flags & MSG_CMSG_CLOEXEC) != 0);
	if (scatter(t, iov, pm.msg_iovlen, (size_t)n < total ? (size_t)n : total) != 0)
		return -EFAULT;
	if (pm.msg_name) {
		socklen_t out;
		if (sock_addr_out(t, &ss, mh.msg_namelen, (uint64_t)pm.msg_name, pm.msg_namelen,
				  &out) != 0)
			return -EFAULT;
		pm.msg_namelen = out;
	}
	if (ctl && mh.msg_controllen &&
	    task_write(t, (uint64_t)pm.msg_control, ctl, mh.msg_controllen) != 0)
		return -EFAULT;
	pm.msg_controllen = ctl ? mh.msg_controllen : 0;
	/* The host echoes the sentry's own MSG_CMSG_CLOEXEC; Linux echoes the
	 * program's. */
	pm.msg_flags = (mh.msg_flags & ~MSG_CMSG_CLOEXEC) | (flags & MSG_CMSG_CLOEXEC);
	return task_write(t, msg_addr, &pm, sizeof(pm)) == 0 ? n : -EFAULT;
}

SYSCALL_HANDLER(recvmsg)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	return recvmsg_one(t, f, a[1], (int)a[2]);
}

SYSCALL_HANDLER(recvmmsg)
{
	/* The timeout is not applied (Linux itself checks it only after each
	 * datagram), but it is read and checked as Linux does, before the fd:
	 * EFAULT for a bad address, EINVAL for a negative or unnormalised one. */
	if (a[4]) {
		struct timespec ts;
		if (task_read(t, a[4], &ts, sizeof(ts)) != 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
	}
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	unsigned vlen = (unsigned)a[2] < MMSG_MAX ? (unsigned)a[2] : MMSG_MAX;
	int flags = (int)a[3] & ~MSG_WAITFORONE;
	unsigned i;
	for (i = 0; i < vlen; i++) {
		/* As with MSG_WAITFORONE: only the first message is waited for. */
		uint64_t m = a[1] + i * MMSG_SIZE;
		long n = recvmsg_one(t, f, m, i ? flags | MSG_DONTWAIT : flags);
		if (n < 0 || n == SYSRET_BLOCK)
			return i ? (long)i : n;
		unsigned len = (unsigned)n;
		if (task_write(t, m + sizeof(struct msghdr), &len, sizeof(len)) != 0)
			return i ? (long)i : -EFAULT;
	}
	return (long)i;
}
