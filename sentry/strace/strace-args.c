/* strace: reading a syscall's arguments from the program (see
 * strace-internal.h for the design).
 *
 * How each argument prints follows its format in the syscall table. Input
 * arguments are read at entry, output arguments at exit; memory is read
 * with task_read (process_vm_readv), and an unreadable pointer prints as
 * its address, as strace does.
 */
#include <fcntl.h>
#include <limits.h>
#include <linux/futex.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "sentry/strace/strace-internal.h"

#define MAX_SOCKADDR 128
#define MAX_ARRAY    1024 /* elements of argv, iovecs, pollfds... read at most */

/* ---- reading program memory ---- */

/* A C string of at most `max` bytes: its length (*more: it went on), or -1. */
static long read_cstr(struct task *t, uint64_t addr, char *buf, size_t max, bool *more)
{
	size_t n = 0;
	*more = false;
	while (n < max) {
		size_t chunk = PAGE_SIZE - ((addr + n) & (PAGE_SIZE - 1));
		if (chunk > max - n)
			chunk = max - n;
		if (task_read(t, addr + n, buf + n, chunk) != 0)
			return n ? (long)n : -1;
		void *nul = memchr(buf + n, 0, chunk);
		if (nul)
			return (char *)nul - buf;
		n += chunk;
	}
	*more = true;
	return (long)n;
}

static void put_cstr(struct strbuf *b, struct task *t, uint64_t addr, size_t limit)
{
	if (!addr) {
		strbuf_printf(b, "NULL");
		return;
	}
	cleanup_free char *buf = xmalloc(limit + 1);
	bool more;
	long n = read_cstr(t, addr, buf, limit + 1, &more);
	if (n < 0)
		sfmt_ptr(b, addr);
	else
		sfmt_str(b, buf, (size_t)n, limit, more);
}

static void put_bytes(struct strbuf *b, struct task *t, uint64_t addr, uint64_t len, size_t limit)
{
	size_t n = len < limit ? len : limit;
	cleanup_free char *buf = xmalloc(n + 1);
	if (task_read(t, addr, buf, n) != 0)
		sfmt_ptr(b, addr);
	else
		sfmt_str(b, buf, n, limit, len > limit);
}

/* Read a fixed-size struct, or print the pointer (NULL included). */
#define READ_OR_PTR(b, t, addr, var)                                                               \
	(((addr) && task_read(t, addr, &(var), sizeof(var)) == 0) ? true                           \
								  : (sfmt_ptr(b, addr), false))

static void put_iovec(struct strbuf *b, struct task *t, uint64_t addr, uint64_t count,
		      long data_left, size_t limit)
{
	if (!addr || count > MAX_ARRAY) {
		sfmt_ptr(b, addr);
		return;
	}
	strbuf_printf(b, "[");
	for (uint64_t i = 0; i < count; i++) {
		struct iovec iov;
		if (task_read(t, addr + i * sizeof(iov), &iov, sizeof(iov)) != 0) {
			strbuf_printf(b, "%s...", i ? ", " : "");
			break;
		}
		if (i >= limit) {
			strbuf_printf(b, ", ...");
			break;
		}
		uint64_t base = (uint64_t)(uintptr_t)iov.iov_base;
		strbuf_printf(b, "%s{iov_base=", i ? ", " : "");
		uint64_t shown = iov.iov_len;
		if (data_left >= 0 && (uint64_t)data_left < shown)
			shown = (uint64_t)data_left;
		put_bytes(b, t, base, shown, limit);
		strbuf_printf(b, ", iov_len=%zu}", iov.iov_len);
		if (data_left >= 0)
			data_left -= (long)shown;
	}
	strbuf_printf(b, "]");
}

static void put_sockaddr(struct strbuf *b, struct task *t, uint64_t addr, uint64_t len)
{
	uint8_t buf[MAX_SOCKADDR];
	if (len > sizeof(buf))
		len = sizeof(buf);
	if (!addr || task_read(t, addr, buf, len) != 0)
		sfmt_ptr(b, addr);
	else
		sfmt_sockaddr(b, buf, len);
}

static void put_msghdr(struct strbuf *b, struct task *t, uint64_t addr, long data_left,
		       size_t limit)
{
	struct msghdr m;
	if (!READ_OR_PTR(b, t, addr, m))
		return;
	strbuf_printf(b, "{msg_name=");
	if (m.msg_name)
		put_sockaddr(b, t, (uint64_t)(uintptr_t)m.msg_name, m.msg_namelen);
	else
		strbuf_printf(b, "NULL");
	strbuf_printf(b, ", msg_namelen=%u, msg_iov=", m.msg_namelen);
	put_iovec(b, t, (uint64_t)(uintptr_t)m.msg_iov, m.msg_iovlen, data_left, limit);
	strbuf_printf(b, ", msg_iovlen=%zu, msg_controllen=%zu, msg_flags=", m.msg_iovlen,
		      m.msg_controllen);
	sfmt_msg_flags(b, (uint64_t)(unsigned)m.msg_flags);
	strbuf_printf(b, "}");
}

static void put_argv(struct strbuf *b, struct task *t, uint64_t addr, size_t limit)
{
	if (!addr) {
		strbuf_printf(b, "NULL");
		return;
	}
	strbuf_printf(b, "[");
	for (size_t i = 0; i < MAX_ARRAY; i++) {
		uint64_t p;
		if (task_read(t, addr + i * 8, &p, 8) != 0 || !p)
			break;
		if (i >= limit) {
			strbuf_printf(b, ", ...");
			break;
		}
		strbuf_printf(b, "%s", i ? ", " : "");
		put_cstr(b, t, p, limit);
	}
	strbuf_printf(b, "]");
}

static void put_envp(struct strbuf *b, struct task *t, uint64_t addr)
{
	size_t n = 0;
	uint64_t p;
	while (addr && n < 65536 && task_read(t, addr + n * 8, &p, 8) == 0 && p)
		n++;
	sfmt_ptr(b, addr);
	if (addr)
		strbuf_printf(b, " /* %zu var%s */", n, n == 1 ? "" : "s");
}

static void put_array(struct strbuf *b, struct task *t, uint64_t addr, uint64_t count, size_t elem,
		      size_t limit, void (*one)(struct strbuf *b, const void *elem))
{
	if (!addr || count > MAX_ARRAY) {
		sfmt_ptr(b, addr);
		return;
	}
	cleanup_free uint8_t *buf = xmalloc(count * elem + 1);
	if (task_read(t, addr, buf, count * elem) != 0) {
		sfmt_ptr(b, addr);
		return;
	}
	strbuf_printf(b, "[");
	for (uint64_t i = 0; i < count; i++) {
		if (i >= limit) {
			strbuf_printf(b, ", ...");
			break;
		}
		strbuf_printf(b, "%s", i ? ", " : "");
		one(b, buf + i * elem);
	}
	strbuf_printf(b, "]");
}

static void one_epoll_event(struct strbuf *b, const void *e)
{
	struct epoll_event ev;
	memcpy(&ev, e, sizeof(ev));
	sfmt_epoll_event(b, &ev);
}

static void put_dirents(struct strbuf *b, struct task *t, uint64_t addr, long ret)
{
	sfmt_ptr(b, addr);
	if (ret < 0 || ret > (1L << 20))
		return;
	cleanup_free uint8_t *buf = xmalloc((size_t)ret + 1);
	if (task_read(t, addr, buf, (size_t)ret) != 0)
		return;
	size_t n = 0;
	for (long off = 0; off + 18 <= ret; n++) {
		uint16_t reclen;
		memcpy(&reclen, buf + off + 16, 2);
		if (reclen == 0)
			break;
		off += reclen;
	}
	strbuf_printf(b, " /* %zu entries */", n);
}

static void put_bitmap(struct strbuf *b, struct task *t, uint64_t addr, uint64_t bytes)
{
	uint8_t buf[128];
	if (bytes > sizeof(buf))
		bytes = sizeof(buf);
	if (!addr || task_read(t, addr, buf, bytes) != 0)
		sfmt_ptr(b, addr);
	else
		sfmt_bitmap(b, buf, bytes * 8, " ");
}

/* ---- formatting one argument ---- */

bool strace_arg_is_output(enum arg_fmt f)
{
	switch (f) {
	case A_BUF_OUT:
	case A_SIGSET_OUT:
	case A_SIGACTION_OUT:
	case A_STAT_OUT:
	case A_STATX_OUT:
	case A_STATFS_OUT:
	case A_TIMESPEC_OUT:
	case A_TIMEVAL_OUT:
	case A_IOVEC_OUT:
	case A_RLIMIT_OUT:
	case A_UTSNAME_OUT:
	case A_SYSINFO_OUT:
	case A_SOCKADDR_OUT:
	case A_MSGHDR_OUT:
	case A_EPOLL_EVENTS_OUT:
	case A_WAIT_STATUS_OUT:
	case A_SIGINFO_OUT:
	case A_RUSAGE_OUT:
	case A_PIPEFDS_OUT:
	case A_DIRENTS_OUT:
	case A_STRING_OUT:
	case A_ITIMERVAL_OUT:
	case A_CPUSET_OUT:
		return true;
	default:
		return false;
	}
}

/* fcntl's third argument, by command. */
static void put_fcntl_arg(struct strbuf *b, uint64_t cmd, uint64_t v)
{
	switch ((int)cmd) {
	case F_SETFD:
		sfmt_fd_flags(b, v);
		break;
	case F_SETFL:
		sfmt_open_flags(b, v);
		break;
	case F_DUPFD:
	case F_DUPFD_CLOEXEC:
	case F_SETOWN:
	case F_SETSIG:
	case F_SETPIPE_SZ:
	case F_SETLEASE:
	case F_NOTIFY:
	case F_ADD_SEALS:
		sfmt_int(b, v);
		break;
	default:
		sfmt_ptr(b, v);
		break;
	}
}

static bool fcntl_has_arg(uint64_t cmd)
{
	switch ((int)cmd) {
	case F_GETFD:
	case F_GETFL:
	case F_GETOWN:
	case F_GETSIG:
	case F_GETLEASE:
	case F_GETPIPE_SZ:
	case F_GET_SEALS:
		return false;
	default:
		return true;
	}
}

static void put_sockopt(struct strbuf *b, uint64_t level, uint64_t v)
{
	static const char *const sol_socket[] = {
	    NULL,
	    "SO_DEBUG",
	    "SO_REUSEADDR",
	    "SO_TYPE",
	    "SO_ERROR",
	    "SO_DONTROUTE",
	    "SO_BROADCAST",
	    "SO_SNDBUF",
	    "SO_RCVBUF",
	    "SO_KEEPALIVE",
	    "SO_OOBINLINE",
	    "SO_NO_CHECK",
	    "SO_PRIORITY",
	    "SO_LINGER",
	    "SO_BSDCOMPAT",
	    "SO_REUSEPORT",
	    "SO_PASSCRED",
	    "SO_PEERCRED",
	    "SO_RCVLOWAT",
	    "SO_SNDLOWAT",
	    "SO_RCVTIMEO_OLD",
	    "SO_SNDTIMEO_OLD",
	};
	if (level == SOL_SOCKET && v < ARRAY_SIZE(sol_socket) && sol_socket[v])
		strbuf_printf(b, "%s", sol_socket[v]);
	else
		sfmt_int(b, v);
}

/* Memory-reading formats; `ret` is the result at exit. */
static void put_memory_arg(struct strbuf *b, const struct strace_call *c, int i)
{
	enum arg_fmt f = c->d->args[i];
	uint64_t v = c->a[i], next = i < 5 ? c->a[i + 1] : 0, prev = i > 0 ? c->a[i - 1] : 0;
	struct task *t = c->t;
	long ret = c->ret;
	union {
		uint64_t set;
		struct sigaction_k sa;
		struct stat st;
		struct statx stx;
		struct statfs sf;
		struct timespec ts;
		struct timeval tv;
		struct rlimit rl;
		struct utsname un;
		struct sysinfo si;
		siginfo_t info;
		struct rusage ru;
		struct itimerval it;
		struct epoll_event ev;
		int fds[2];
		int status;
		socklen_t len;
	} u;
	switch (f) {
	case A_PATH:
		put_cstr(b, t, v, PATH_MAX);
		break;
	case A_STR:
		put_cstr(b, t, v, c->limit);
		break;
	case A_BUF_IN:
		put_bytes(b, t, v, next, c->limit);
		break;
	case A_BUF_OUT:
		put_bytes(b, t, v, (uint64_t)ret, c->limit);
		break;
	case A_STRING_OUT: {
		cleanup_free char *s = xmalloc((size_t)ret + 1);
		if (task_read(t, v, s, (size_t)ret) != 0) {
			sfmt_ptr(b, v);
			break;
		}
		size_t n = (size_t)ret;
		if (n && s[n - 1] == '\0')
			n--; /* getcwd counts the NUL */
		sfmt_str(b, s, n, PATH_MAX, false);
		break;
	}
	case A_SIGSET:
	case A_SIGSET_OUT:
		if (READ_OR_PTR(b, t, v, u.set))
			sfmt_sigset(b, u.set);
		break;
	case A_SIGACTION:
	case A_SIGACTION_OUT:
		if (READ_OR_PTR(b, t, v, u.sa))
			sfmt_sigaction(b, &u.sa);
		break;
	case A_STAT_OUT:
		if (READ_OR_PTR(b, t, v, u.st))
			sfmt_stat(b, &u.st);
		break;
	case A_STATX_OUT:
		if (READ_OR_PTR(b, t, v, u.stx))
			sfmt_statx(b, &u.stx);
		break;
	case A_STATFS_OUT:
		if (READ_OR_PTR(b, t, v, u.sf))
			sfmt_statfs(b, &u.sf);
		break;
	case A_TIMESPEC:
	case A_TIMESPEC_OUT:
		if (READ_OR_PTR(b, t, v, u.ts))
			sfmt_timespec(b, &u.ts);
		break;
	case A_TIMEVAL_OUT:
		if (READ_OR_PTR(b, t, v, u.tv))
			sfmt_timeval(b, &u.tv);
		break;
	case A_ITIMERVAL:
	case A_ITIMERVAL_OUT:
		if (READ_OR_PTR(b, t, v, u.it))
			sfmt_itimerval(b, &u.it);
		break;
	case A_RLIMIT_IN:
	case A_RLIMIT_OUT:
		if (READ_OR_PTR(b, t, v, u.rl))
			sfmt_rlimit(b, &u.rl);
		break;
	case A_UTSNAME_OUT:
		if (READ_OR_PTR(b, t, v, u.un))
			sfmt_utsname(b, &u.un, c->limit);
		break;
	case A_SYSINFO_OUT:
		if (READ_OR_PTR(b, t, v, u.si))
			sfmt_sysinfo(b, &u.si);
		break;
	case A_SIGINFO:
	case A_SIGINFO_OUT:
		if (READ_OR_PTR(b, t, v, u.info))
			sfmt_siginfo(b, &u.info);
		break;
	case A_RUSAGE_OUT:
		if (READ_OR_PTR(b, t, v, u.ru))
			sfmt_rusage(b, &u.ru);
		break;
	case A_WAIT_STATUS_OUT:
		if (ret > 0 && READ_OR_PTR(b, t, v, u.status))
			sfmt_wait_status(b, u.status);
		else if (ret <= 0)
			sfmt_ptr(b, v);
		break;
	case A_PIPEFDS_OUT:
		if (READ_OR_PTR(b, t, v, u.fds))
			strbuf_printf(b, "[%d, %d]", u.fds[0], u.fds[1]);
		break;
	case A_EPOLL_EVENT:
		if (READ_OR_PTR(b, t, v, u.ev))
			sfmt_epoll_event(b, &u.ev);
		break;
	case A_EPOLL_EVENTS_OUT:
		put_array(b, t, v, (uint64_t)ret, sizeof(struct epoll_event), c->limit,
			  one_epoll_event);
		break;
	case A_IOVEC_IN:
		put_iovec(b, t, v, next, -1, c->limit);
		break;
	case A_IOVEC_OUT:
		put_iovec(b, t, v, next, ret, c->limit);
		break;
	case A_MSGHDR_IN:
		put_msghdr(b, t, v, -1, c->limit);
		break;
	case A_MSGHDR_OUT:
		put_msghdr(b, t, v, ret, c->limit);
		break;
	case A_SOCKADDR_IN:
		put_sockaddr(b, t, v, next);
		break;
	case A_SOCKADDR_OUT:
		if (next && task_read(t, next, &u.len, sizeof(u.len)) == 0)
			put_sockaddr(b, t, v, u.len);
		else
			sfmt_ptr(b, v);
		break;
	case A_POLLFD: {
		uint64_t n = next < MAX_ARRAY ? next : 0;
		cleanup_free struct pollfd *p = xcalloc(n + 1, sizeof(*p));
		if (!v || task_read(t, v, p, n * sizeof(*p)) != 0)
			sfmt_ptr(b, v);
		else
			sfmt_pollfds(b, p, n, false);
		break;
	}
	case A_FDSET:
		put_bitmap(b, t, v, (c->a[0] + 7) / 8);
		break;
	case A_CPUSET:
		put_bitmap(b, t, v, prev);
		break;
	case A_CPUSET_OUT:
		put_bitmap(b, t, v, (uint64_t)ret);
		break;
	case A_DIRENTS_OUT:
		put_dirents(b, t, v, ret);
		break;
	case A_ARGV:
		put_argv(b, t, v, c->limit);
		break;
	case A_ENVP:
		put_envp(b, t, v);
		break;
	default:
		sfmt_hex(b, v);
		break;
	}
}

void strace_format_arg(struct strbuf *b, const struct strace_call *c, int i, bool exiting)
{
	uint64_t v = c->a[i];
	if (!c->d) {
		sfmt_hex(b, v);
		return;
	}
	enum arg_fmt f = c->d->args[i];
	if (strace_arg_is_output(f) &&
	    (!exiting || strace_is_error(c->ret) || c->ret == SYSRET_NORETURN)) {
		sfmt_ptr(b, v);
		return;
	}
	if (i > 0 && c->d->args[i - 1] == A_FCNTL_CMD) {
		put_fcntl_arg(b, c->a[i - 1], v);
		return;
	}
	if (f == A_SOCKOPT && i > 0) {
		put_sockopt(b, c->a[i - 1], v);
		return;
	}
	sfmt_scalar_fn *fn = sfmt_scalar(f);
	if (fn)
		fn(b, v);
	else
		put_memory_arg(b, c, i);
}

/* How many arguments strace shows: open's mode only with O_CREAT or
 * O_TMPFILE, fcntl's third only for commands that take one. */
uint8_t strace_shown_args(const struct syscall_desc *d, const uint64_t *a)
{
	if (!d)
		return 6;
	for (int i = 1; i < d->nargs; i++) {
		if (d->args[i] == A_MODE && d->args[i - 1] == A_OPEN_FLAGS &&
		    !(a[i - 1] & (O_CREAT | 020000000)))
			return (uint8_t)i;
		if (d->args[i - 1] == A_FCNTL_CMD && !fcntl_has_arg(a[i - 1]))
			return (uint8_t)i;
		/* futex: WAKE takes (addr, op, n), WAIT also a timeout. */
		if (d->args[i - 1] == A_FUTEX_OP && i + 1 < d->nargs) {
			unsigned cmd = (unsigned)a[i - 1] & 127;
			if (cmd == FUTEX_WAKE || cmd == FUTEX_FD)
				return (uint8_t)(i + 1);
			if (cmd == FUTEX_WAIT)
				return (uint8_t)(i + 2);
		}
	}
	return d->nargs;
}

/* Extra result detail strace prints: poll's ready fds. */
void strace_put_ret_suffix(struct strbuf *b, const struct strace_call *c)
{
	if (!c->d || c->ret <= 0 || c->d->args[0] != A_POLLFD || c->a[1] > MAX_ARRAY)
		return;
	cleanup_free struct pollfd *p = xcalloc(c->a[1] + 1, sizeof(*p));
	if (task_read(c->t, c->a[0], p, c->a[1] * sizeof(*p)) != 0)
		return;
	strbuf_printf(b, " (");
	sfmt_pollfds(b, p, c->a[1], true);
	strbuf_printf(b, ")");
}
