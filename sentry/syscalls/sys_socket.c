/* Sockets, served through host sockets the sentry owns.
 *
 * AF_UNIX, AF_INET and AF_INET6 sockets are host sockets created
 * O_NONBLOCK (the sentry must never wait on the host); the program's own
 * O_NONBLOCK is kept in its struct file and every send and receive is made
 * with MSG_DONTWAIT. An operation that would block makes the task wait for
 * the host fd (sched.c) and is tried again when it is ready, honouring
 * SO_RCVTIMEO/SO_SNDTIMEO as deadlines; a blocking connect waits for
 * POLLOUT and then reads SO_ERROR, as the kernel's own connect does.
 * Data goes through the sentry's scratch buffer (io.c explains why).
 *
 * Filesystem names of AF_UNIX sockets are sandbox paths. The host must
 * never resolve them itself (symlinks and ".." could leave the root), so:
 *   - bind resolves the parent directory with path.c and binds to
 *     "/proc/self/fd/<dir>/<name>" (the sentry is one thread: its
 *     /proc/self is stable). The directory fd stays open with the socket,
 *     so the name the host recorded keeps meaning that directory, and
 *     getsockname gives back the path the program bound;
 *   - connect and sendto open the socket file O_PATH through path.c and
 *     connect to "/proc/self/fd/<fd>";
 *   - names the host reports (peer names, accept, recvfrom) of the form
 *     "/proc/self/fd/<dir>/<name>" are given back as the path the peer
 *     bound (or, once that socket is gone, as a sandbox path).
 * Abstract names are passed through (they live in the host's network
 * namespace).
 *
 * Sending and receiving, with their ancillary data (SCM_RIGHTS), are in
 * sys_sockmsg.c; the helpers both files use are declared in
 * syscalls-internal.h.
 */
#include <errno.h>
#include <linux/capability.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/filter.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/syscalls/syscalls-internal.h"

#define MAX_OPTLEN   4096 /* socket option values */
#define MAX_FILTER   4096 /* BPF_MAXINSNS */
#define MAGIC_PREFIX "/proc/self/fd/"

/* ---- the struct file of a socket ---- */

/* A bound AF_UNIX socket: the directory its host name goes through, the
 * path the program bound and the name the host recorded (struct file
 * priv). The names of live sockets are listed in the sentry's unix_names, so that a
 * name the host reports (peer names, accept, recvfrom) is given back as
 * the peer bound it, as Linux does. */
struct unix_name {
	int dirfd;
	char *path;
	char host[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	struct unix_name **list; /* the sentry's unix_names, while listed */
	struct unix_name *next;
};

static void unix_name_free(struct unix_name *un)
{
	close(un->dirfd);
	free(un->path);
	free(un);
}

static void unix_name_release(struct file *f)
{
	struct unix_name *un = f->priv;
	for (struct unix_name **p = un->list; p && *p; p = &(*p)->next) {
		if (*p == un) {
			*p = un->next;
			break;
		}
	}
	unix_name_free(un);
}

struct file *sock_file(struct task *t, int fd, long *err)
{
	struct file *f = fd_lookup(t, fd);
	*err = !f ? -EBADF : f->host_fd < 0 ? -ENOTSOCK : 0;
	return *err ? NULL : f;
}

static long install_socket(struct task *t, int host, int type)
{
	struct file *f = file_new_nonblocking(host, (type & SOCK_NONBLOCK) != 0);
	return fd_install(t, f, (type & SOCK_CLOEXEC) != 0, 0);
}

/* The operation would block: `on_timeout` (EAGAIN, or EINPROGRESS for
 * connect) for a nonblocking caller, else wait for `events` with the
 * socket's SO_RCVTIMEO/SO_SNDTIMEO (`timeo_opt`) as deadline, ending with
 * `on_timeout` when it passes. */
long sock_wait(struct task *t, struct file *f, int flags, short events, int timeo_opt,
	       long on_timeout)
{
	if ((flags & MSG_DONTWAIT) || file_is_nonblocking(f))
		return on_timeout;
	if (!t->call.retry) {
		struct timeval tv = {0, 0};
		socklen_t len = sizeof(tv);
		getsockopt(f->host_fd, SOL_SOCKET, timeo_opt, &tv, &len);
		if (tv.tv_sec || tv.tv_usec) {
			struct timespec ts = {tv.tv_sec, tv.tv_usec * 1000};
			task_deadline(t, &ts, false, CLOCK_MONOTONIC);
		}
	}
	if (task_deadline_passed(t))
		return on_timeout;
	return task_block_fd(t, f->host_fd, events);
}

/* ---- addresses ---- */

/* The filesystem path in an AF_UNIX address, or false (abstract, unnamed
 * or another family). `path` has sizeof(sun_path) + 1 bytes. */
static bool unix_path(const struct sockaddr_storage *ss, socklen_t len, char *path)
{
	const struct sockaddr_un *su = (const struct sockaddr_un *)ss;
	size_t off = offsetof(struct sockaddr_un, sun_path);
	if (su->sun_family != AF_UNIX || len <= off || su->sun_path[0] == '\0')
		return false;
	size_t n = strnlen(su->sun_path, len - off);
	memcpy(path, su->sun_path, n);
	path[n] = '\0';
	return true;
}

/* "/proc/self/fd/<fd>" or "/proc/self/fd/<fd>/<name>" as the address. */
static int set_unix_path(struct host_addr *ha, int fd, const char *name)
{
	struct sockaddr_un *su = (struct sockaddr_un *)&ha->ss;
	int n = snprintf(su->sun_path, sizeof(su->sun_path), MAGIC_PREFIX "%d%s%s", fd,
			 name[0] ? "/" : "", name);
	if (n < 0 || (size_t)n >= sizeof(su->sun_path))
		return -ENAMETOOLONG;
	ha->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)n + 1);
	return 0;
}

/* Read a program address and make it usable by the host. For bind, a
 * filesystem name is created under its resolved parent directory, which
 * is returned in *bound; otherwise the existing socket file is opened. */
int sock_addr_in(struct task *t, struct file *f, uint64_t addr, uint64_t len, bool bind_name,
		 struct host_addr *ha, struct unix_name **bound)
{
	*ha = (struct host_addr){.tmpfd = -1, .len = (socklen_t)len};
	if ((int)len < 0 || len > sizeof(ha->ss))
		return -EINVAL;
	if (len && task_read(t, addr, &ha->ss, len) != 0)
		return -EFAULT;
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	if (!unix_path(&ha->ss, ha->len, path))
		return 0;
	/* Another family's socket checks (and refuses) the address as it
	 * is: only AF_UNIX sockets look for a name. */
	int domain = AF_UNIX;
	socklen_t dlen = sizeof(domain);
	if (getsockopt(f->host_fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) == 0 && domain != AF_UNIX)
		return 0;
	memset(((struct sockaddr_un *)&ha->ss)->sun_path, 0, sizeof(struct sockaddr_un) - 2);
	if (!bind_name) {
		int fd = path_open(t, AT_FDCWD, path, O_PATH, 0);
		if (fd < 0)
			return fd;
		ha->tmpfd = fd;
		return set_unix_path(ha, fd, "");
	}
	char last[NAME_MAX + 1];
	int dirfd;
	int rc = path_parent(t, AT_FDCWD, path, &dirfd, last);
	if (rc != 0)
		return rc;
	rc = set_unix_path(ha, dirfd, last);
	if (rc != 0) {
		close(dirfd);
		return rc;
	}
	*bound = xcalloc(1, sizeof(**bound));
	**bound = (struct unix_name){.dirfd = dirfd, .path = xstrdup(path)};
	memcpy((*bound)->host, ((struct sockaddr_un *)&ha->ss)->sun_path,
	       sizeof(((struct sockaddr_un *)0)->sun_path));
	return 0;
}

/* Map a host-reported AF_UNIX name made by sock_addr_in back to a sandbox path. */
static void unix_name_from_host(struct sentry *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char path[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];
	if (!unix_path(ss, *len, path) || strncmp(path, MAGIC_PREFIX, strlen(MAGIC_PREFIX)) != 0)
		return;
	struct sockaddr_un *su = (struct sockaddr_un *)ss;
	for (struct unix_name *un = s->unix_names; un; un = un->next) {
		if (strcmp(un->host, path) == 0) {
			/* The path as the peer bound it (relative ones included). */
			memset(su->sun_path, 0, sizeof(su->sun_path));
			strncpy(su->sun_path, un->path, sizeof(su->sun_path) - 1);
			*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
					   strlen(su->sun_path) + 1);
			return;
		}
	}
	/* A name whose socket is gone: its directory's sandbox path. */
	int dirfd, used = 0;
	if (sscanf(path + strlen(MAGIC_PREFIX), "%d%n", &dirfd, &used) != 1)
		return;
	const char *rest = path + strlen(MAGIC_PREFIX) + used;
	/* Only a directory fd can be one that bind kept for this name. */
	struct stat st;
	if (fstat(dirfd, &st) != 0 || !S_ISDIR(st.st_mode))
		return;
	cleanup_free char *dir = path_of_host_fd(s, dirfd);
	if (!dir)
		return;
	bool root = strcmp(dir, "/") == 0 && rest[0] == '/';
	snprintf(su->sun_path, sizeof(su->sun_path), "%s%s", root ? "" : dir, rest);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(su->sun_path) + 1);
}

/* Give an address to the program: at most `cap` bytes at `addr`; the full
 * length goes to *outlen. */
int sock_addr_out(struct task *t, struct sockaddr_storage *ss, socklen_t len, uint64_t addr,
		  socklen_t cap, socklen_t *outlen)
{
	unix_name_from_host(t->s, ss, &len);
	size_t n = len < cap ? len : cap;
	if (n && task_write(t, addr, ss, n) != 0)
		return -EFAULT;
	*outlen = len;
	return 0;
}

/* The (addr, addrlen pointer) pair of accept, getsockname, recvfrom... */
int sock_addr_out_lenp(struct task *t, struct sockaddr_storage *ss, socklen_t len, uint64_t addr,
		       uint64_t lenp)
{
	if (!addr || !lenp)
		return 0;
	int cap;
	if (task_read(t, lenp, &cap, sizeof(cap)) != 0)
		return -EFAULT;
	if (cap < 0)
		return -EINVAL;
	socklen_t out;
	int rc = sock_addr_out(t, ss, len, addr, (socklen_t)cap, &out);
	if (rc == 0 && task_write(t, lenp, &out, sizeof(out)) != 0)
		rc = -EFAULT;
	return rc;
}

/* ---- creating, naming, connecting ---- */

static int check_family(int domain, int type, int protocol)
{
	if (domain != AF_UNIX && domain != AF_INET && domain != AF_INET6)
		return -EAFNOSUPPORT;
	if (type & ~(0xf | SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	/* Raw and packet sockets would see the host's network: refused as
	 * Linux refuses them without CAP_NET_RAW, after its own check: a raw
	 * inet socket needs a protocol (inet_create's lookup). */
	int base = type & 0xf;
	if (domain != AF_UNIX && base == SOCK_RAW && protocol == 0)
		return -EPROTONOSUPPORT;
	if (domain != AF_UNIX && (base == SOCK_RAW || base == SOCK_PACKET))
		return -EPERM;
	return 0;
}

SYSCALL_HANDLER(socket)
{
	int domain = (int)a[0], type = (int)a[1];
	int rc = check_family(domain, type, (int)a[2]);
	if (rc != 0)
		return rc;
	int host = socket(domain, (type & 0xf) | SOCK_NONBLOCK | SOCK_CLOEXEC, (int)a[2]);
	if (host < 0)
		return -errno;
	return install_socket(t, host, type);
}

SYSCALL_HANDLER(socketpair)
{
	int domain = (int)a[0], type = (int)a[1];
	int rc = check_family(domain, type, (int)a[2]);
	if (rc != 0)
		return rc;
	int host[2];
	if (socketpair(domain, (type & 0xf) | SOCK_NONBLOCK | SOCK_CLOEXEC, (int)a[2], host) != 0)
		return -errno;
	int fds[2];
	fds[0] = (int)install_socket(t, host[0], type);
	if (fds[0] < 0) {
		close(host[1]);
		return fds[0];
	}
	fds[1] = (int)install_socket(t, host[1], type);
	if (fds[1] < 0) {
		fd_close(t, fds[0]);
		return fds[1];
	}
	if (task_write(t, a[3], fds, sizeof(fds)) != 0) {
		fd_close(t, fds[0]);
		fd_close(t, fds[1]);
		return -EFAULT;
	}
	sock_cred_record(t, fd_lookup(t, fds[0]));
	sock_cred_record(t, fd_lookup(t, fds[1]));
	return 0;
}

/* An IPv4/IPv6 port below the network namespace's
 * ip_unprivileged_port_start (1024 by default), which only
 * CAP_NET_BIND_SERVICE may bind: the sandbox's view of that capability
 * decides, not msentry's own (the host would let a program that is
 * nobody in the sandbox bind port 80 as msentry). */
static bool privileged_port(const struct host_addr *ha)
{
	int family = ha->ss.ss_family;
	if (family != AF_INET && family != AF_INET6)
		return false;
	unsigned port =
	    ntohs(family == AF_INET ? ((const struct sockaddr_in *)&ha->ss)->sin_port
				    : ((const struct sockaddr_in6 *)&ha->ss)->sin6_port);
	if (port == 0)
		return false;
	unsigned start = 1024;
	cleanup_close int fd =
	    open("/proc/sys/net/ipv4/ip_unprivileged_port_start", O_RDONLY | O_CLOEXEC);
	char buf[16] = {0};
	if (fd >= 0 && read(fd, buf, sizeof(buf) - 1) > 0)
		start = (unsigned)strtoul(buf, NULL, 10);
	return port < start;
}

SYSCALL_HANDLER(bind)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	cleanup_host_addr struct host_addr ha;
	struct unix_name *un = NULL;
	int rc = sock_addr_in(t, f, a[1], a[2], true, &ha, &un);
	if (rc != 0)
		return rc;
	if (privileged_port(&ha) && !caps_has(t->proc, CAP_NET_BIND_SERVICE))
		return -EACCES;
	/* The socket file's mode follows the program's umask; the sentry is
	 * one thread, so its own umask can stand in for the call. */
	mode_t old_umask = umask(t->fs->umask);
	rc = bind(f->host_fd, (struct sockaddr *)&ha.ss, ha.len) == 0 ? 0 : -errno;
	umask(old_umask);
	if (rc == 0 && un && !f->priv) {
		un->list = &t->s->unix_names;
		un->next = t->s->unix_names;
		t->s->unix_names = un;
		f->priv = steal_ptr(un);
		f->release = unix_name_release;
	}
	if (un)
		unix_name_free(un);
	return rc;
}

SYSCALL_HANDLER(listen)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	if (listen(f->host_fd, (int)a[1]) != 0)
		return -errno;
	sock_cred_record(t, f);
	return 0;
}

SYSCALL_HANDLER(connect)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	/* Woken when the connection finished (or failed), connect again: the
	 * host then reports the outcome (EISCONN, or the pending error) and,
	 * as Linux's blocking connect does, leaves a failed socket
	 * unconnected. Reading SO_ERROR instead would leave it "connecting",
	 * and the next connect would fail with ECONNABORTED. */
	cleanup_host_addr struct host_addr ha;
	int rc = sock_addr_in(t, f, a[1], a[2], false, &ha, NULL);
	if (rc != 0)
		return rc;
	if (!t->call.retry)
		sock_cred_record(t, f); /* what the server's SO_PEERCRED will say */
	rc = connect(f->host_fd, (struct sockaddr *)&ha.ss, ha.len) == 0 ? 0 : -errno;
	if (t->call.retry && rc == -EISCONN)
		return 0;
	if (rc == -EAGAIN && !file_is_nonblocking(f)) {
		/* An AF_UNIX listener's backlog is full, and the host has no
		 * event for room in it: look again shortly. */
		struct timespec soon = {0, 1000000};
		t->call.deadline_set = false;
		task_deadline(t, &soon, false, CLOCK_MONOTONIC);
		return task_block(t, BLOCK_SLEEP);
	}
	if (rc == -EINPROGRESS || (t->call.retry && rc == -EALREADY))
		return sock_wait(t, f, 0, POLLOUT, SO_SNDTIMEO, -EINPROGRESS);
	return rc;
}

static long accept_common(struct task *t, const uint64_t *a, int flags)
{
	if (flags & ~(SOCK_NONBLOCK | SOCK_CLOEXEC))
		return -EINVAL;
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	if (!f->host_nonblock) {
		/* A blocking host socket (received from outside): look first. */
		struct pollfd p = {.fd = f->host_fd, .events = POLLIN};
		if (poll(&p, 1, 0) == 0)
			return sock_wait(t, f, 0, POLLIN, SO_RCVTIMEO, -EAGAIN);
	}
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	int host = accept4(f->host_fd, (struct sockaddr *)&ss, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (host < 0) {
		if (errno == EAGAIN)
			return sock_wait(t, f, 0, POLLIN, SO_RCVTIMEO, -EAGAIN);
		return -errno;
	}
	long fd = install_socket(t, host, flags);
	if (fd < 0)
		return fd;
	/* The client sees the listener's credentials. */
	fd_lookup(t, (int)fd)->sock_cred = f->sock_cred;
	int rc = sock_addr_out_lenp(t, &ss, len, a[1], a[2]);
	if (rc != 0) {
		fd_close(t, (int)fd);
		return rc;
	}
	return fd;
}

SYSCALL_HANDLER(accept)
{
	return accept_common(t, a, 0);
}

SYSCALL_HANDLER(accept4)
{
	return accept_common(t, a, (int)a[3]);
}

static long name_common(struct task *t, const uint64_t *a, bool peer)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	socklen_t len = sizeof(ss);
	int rc = peer ? getpeername(f->host_fd, (struct sockaddr *)&ss, &len)
		      : getsockname(f->host_fd, (struct sockaddr *)&ss, &len);
	if (rc != 0)
		return -errno;
	struct unix_name *un = f->release == unix_name_release ? f->priv : NULL;
	if (!peer && un && ss.ss_family == AF_UNIX) {
		/* The path as the program bound it (relative ones included). */
		struct sockaddr_un *su = (struct sockaddr_un *)&ss;
		memset(su->sun_path, 0, sizeof(su->sun_path));
		strncpy(su->sun_path, un->path, sizeof(su->sun_path) - 1);
		len =
		    (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(su->sun_path) + 1);
	}
	if (!a[1] || !a[2])
		return -EFAULT;
	return sock_addr_out_lenp(t, &ss, len, a[1], a[2]);
}

SYSCALL_HANDLER(getsockname)
{
	return name_common(t, a, false);
}

SYSCALL_HANDLER(getpeername)
{
	return name_common(t, a, true);
}

SYSCALL_HANDLER(shutdown)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	return shutdown(f->host_fd, (int)a[1]) == 0 ? 0 : -errno;
}

/* ---- options ---- */

/* Options refused: those whose value holds pointers the host would follow
 * in the sentry's memory, and netfilter/IPVS control, which reaches the
 * host's own tables. */
static bool sockopt_refused(int level, int name)
{
	if (level == SOL_IP)
		return (name >= 64 && name < 160) || (name >= 0x480 && name < 0x4a0);
	if (level == SOL_IPV6)
		return name == 64 || name == 65 || name == 68 || name == 69 ||
		       (name >= 96 && name < 160) || (name >= 0x480 && name < 0x4a0);
	if (level == SOL_TCP)
		return name == TCP_ZEROCOPY_RECEIVE;
	return false;
}

/* SO_ATTACH_FILTER: the sock_fprog points at the program's filter. */
static long attach_filter(struct task *t, int host, int name, uint64_t val, socklen_t len)
{
	struct sock_fprog fp;
	if (len < sizeof(fp) || task_read(t, val, &fp, sizeof(fp)) != 0)
		return len < sizeof(fp) ? -EINVAL : -EFAULT;
	if (fp.len == 0 || fp.len > MAX_FILTER)
		return -EINVAL;
	cleanup_free struct sock_filter *insns = xcalloc(fp.len, sizeof(*insns));
	if (task_read(t, (uint64_t)fp.filter, insns, fp.len * sizeof(*insns)) != 0)
		return -EFAULT;
	fp.filter = insns;
	return setsockopt(host, SOL_SOCKET, name, &fp, sizeof(fp)) == 0 ? 0 : -errno;
}

SYSCALL_HANDLER(setsockopt)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	int level = (int)a[1], name = (int)a[2];
	socklen_t len = (socklen_t)a[4];
	if ((int)len < 0)
		return -EINVAL;
	if (sockopt_refused(level, name))
		return -ENOPROTOOPT;
	if (level == SOL_SOCKET && (name == SO_ATTACH_FILTER || name == SO_ATTACH_REUSEPORT_CBPF))
		return attach_filter(t, f->host_fd, name, a[3], len);
	if (len > MAX_OPTLEN)
		len = MAX_OPTLEN;
	char buf[MAX_OPTLEN];
	/* An unreadable value goes to the host as NULL, which no process maps:
	 * the host then decides, as Linux does, whether the level and option
	 * exist before it reads the value (EOPNOTSUPP for a level the socket
	 * lacks), and says EFAULT only when it reads it. trinity under
	 * scripts/fuzz-syscalls.sh got EFAULT for setsockopt(AF_UNIX socket,
	 * SOL_IP, 205, NULL, 60). */
	bool readable = !len || task_read(t, a[3], buf, len) == 0;
	if (level == SOL_SOCKET && (name == SO_ATTACH_BPF || name == SO_ATTACH_REUSEPORT_EBPF)) {
		/* The value is a (program) BPF fd. */
		int fd;
		if (!readable)
			return -EFAULT;
		if (len < sizeof(int))
			return -EINVAL;
		memcpy(&fd, buf, sizeof(fd));
		int host = fd_host(t, fd);
		if (host < 0)
			return -EBADF;
		memcpy(buf, &host, sizeof(host));
	}
	const void *val = len && readable ? buf : NULL;
	return setsockopt(f->host_fd, level, name, val, len) == 0 ? 0 : -errno;
}

/* SO_PEERCRED in the sandbox's terms (sock-peer.c). */
static long getsockopt_peercred(struct task *t, struct file *f, const uint64_t *a, socklen_t len)
{
	struct ucred cr;
	long rc = sock_peer_cred(t, f, &cr);
	if (rc != 0)
		return rc;
	socklen_t n = len < sizeof(cr) ? len : (socklen_t)sizeof(cr);
	if (task_write(t, a[3], &cr, n) != 0 || task_write(t, a[4], &n, sizeof(n)) != 0)
		return -EFAULT;
	return 0;
}

SYSCALL_HANDLER(getsockopt)
{
	long err;
	struct file *f = sock_file(t, (int)a[0], &err);
	if (!f)
		return err;
	int level = (int)a[1], name = (int)a[2];
	int len;
	if (task_read(t, a[4], &len, sizeof(len)) != 0)
		return -EFAULT;
	if (len < 0)
		return -EINVAL;
	if (sockopt_refused(level, name))
		return -ENOPROTOOPT;
	char buf[MAX_OPTLEN];
	socklen_t hlen = (socklen_t)len < sizeof(buf) ? (socklen_t)len : sizeof(buf);
	memset(buf, 0, hlen);
	if (level == SOL_SOCKET && name == SO_PEERCRED)
		return getsockopt_peercred(t, f, a, hlen);
	/* Some options read their argument from the buffer first. */
	if (hlen && task_read(t, a[3], buf, hlen) != 0)
		memset(buf, 0, hlen);
	if (getsockopt(f->host_fd, level, name, buf, &hlen) != 0)
		return -errno;
	if (hlen && task_write(t, a[3], buf, hlen) != 0)
		return -EFAULT;
	return task_write(t, a[4], &hlen, sizeof(hlen)) == 0 ? 0 : -EFAULT;
}
