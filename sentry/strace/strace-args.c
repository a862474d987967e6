/* strace: a syscall's arguments, read from the program and formatted (see
 * strace-internal.h for the design).
 *
 * Here live the readers of program memory (strings, buffers, iovecs,
 * socket addresses, arrays), one formatter per argument format that needs
 * more than its value (arg_*), and the dispatch array strace_arg_formats
 * that names the formatter of every `enum arg_fmt`. Input arguments are
 * read at entry, output arguments at exit; memory is read with task_read
 * (process_vm_readv), and an unreadable pointer prints as its address, as
 * strace does.
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

/* ---- argument formatters (the `call` of strace_arg_formats) ---- */

/* Raw argument i of c, 0 outside the six. */
static uint64_t arg_at(const struct strace_call *c, int i)
{
	return i >= 0 && i < 6 ? c->a[i] : 0;
}

static void arg_path(struct strbuf *b, const struct strace_call *c, int i)
{
	put_cstr(b, c->t, c->a[i], PATH_MAX);
}

static void arg_str(struct strbuf *b, const struct strace_call *c, int i)
{
	put_cstr(b, c->t, c->a[i], c->limit);
}

/* A buffer written by the program; its length is the next argument. */
static void arg_buf_in(struct strbuf *b, const struct strace_call *c, int i)
{
	put_bytes(b, c->t, c->a[i], arg_at(c, i + 1), c->limit);
}

/* A buffer filled by the call; its length is the result. */
static void arg_buf_out(struct strbuf *b, const struct strace_call *c, int i)
{
	put_bytes(b, c->t, c->a[i], (uint64_t)c->ret, c->limit);
}

/* A string filled by the call (getcwd), its length the result. */
static void arg_string_out(struct strbuf *b, const struct strace_call *c, int i)
{
	uint64_t v = c->a[i];
	long ret = c->ret;
	/* getcwd's and readlink's results are at most PATH_MAX; anything else
	 * (a SYSRET_* code is not an error) must not size the allocation. */
	if (ret < 0 || ret > PATH_MAX) {
		sfmt_ptr(b, v);
		return;
	}
	cleanup_free char *s = xmalloc((size_t)ret + 1);
	if (task_read(c->t, v, s, (size_t)ret) != 0) {
		sfmt_ptr(b, v);
		return;
	}
	size_t n = (size_t)ret;
	if (n && s[n - 1] == '\0')
		n--; /* getcwd counts the NUL */
	sfmt_str(b, s, n, PATH_MAX, false);
}

static void arg_argv(struct strbuf *b, const struct strace_call *c, int i)
{
	struct task *t = c->t;
	uint64_t addr = c->a[i];
	if (!addr) {
		strbuf_printf(b, "NULL");
		return;
	}
	strbuf_printf(b, "[");
	for (size_t n = 0; n < MAX_ARRAY; n++) {
		uint64_t p;
		if (task_read(t, addr + n * 8, &p, 8) != 0 || !p)
			break;
		if (n >= c->limit) {
			strbuf_printf(b, ", ...");
			break;
		}
		strbuf_printf(b, "%s", n ? ", " : "");
		put_cstr(b, t, p, c->limit);
	}
	strbuf_printf(b, "]");
}

/* The environment: only its pointer and size, as strace shows it. */
static void arg_envp(struct strbuf *b, const struct strace_call *c, int i)
{
	uint64_t addr = c->a[i];
	size_t n = 0;
	uint64_t p;
	while (addr && n < 65536 && task_read(c->t, addr + n * 8, &p, 8) == 0 && p)
		n++;
	sfmt_ptr(b, addr);
	if (addr)
		strbuf_printf(b, " /* %zu var%s */", n, n == 1 ? "" : "s");
}

/* A fixed-size struct read whole and printed by `fmt`, or its pointer. */
#define STRUCT_ARG(name, type, fmt)                                                                \
	static void name(struct strbuf *b, const struct strace_call *c, int i)                     \
	{                                                                                          \
		type x;                                                                            \
		if (READ_OR_PTR(b, c->t, c->a[i], x))                                              \
			fmt(b, &x);                                                                \
	}

STRUCT_ARG(arg_sigaction, struct sigaction_k, sfmt_sigaction)
STRUCT_ARG(arg_stat, struct stat, sfmt_stat)
STRUCT_ARG(arg_statx, struct statx, sfmt_statx)
STRUCT_ARG(arg_statfs, struct statfs, sfmt_statfs)
STRUCT_ARG(arg_timespec, struct timespec, sfmt_timespec)
STRUCT_ARG(arg_timeval, struct timeval, sfmt_timeval)
STRUCT_ARG(arg_itimerval, struct itimerval, sfmt_itimerval)
STRUCT_ARG(arg_rlimit, struct rlimit, sfmt_rlimit)
STRUCT_ARG(arg_sysinfo, struct sysinfo, sfmt_sysinfo)
STRUCT_ARG(arg_siginfo, siginfo_t, sfmt_siginfo)
STRUCT_ARG(arg_rusage, struct rusage, sfmt_rusage)
STRUCT_ARG(arg_epoll_event, struct epoll_event, sfmt_epoll_event)

static void arg_sigset(struct strbuf *b, const struct strace_call *c, int i)
{
	uint64_t set;
	if (READ_OR_PTR(b, c->t, c->a[i], set))
		sfmt_sigset(b, set);
}

static void arg_utsname(struct strbuf *b, const struct strace_call *c, int i)
{
	struct utsname u;
	if (READ_OR_PTR(b, c->t, c->a[i], u))
		sfmt_utsname(b, &u, c->limit);
}

/* wait4's status: only when a child was reaped (result > 0). */
static void arg_wait_status_out(struct strbuf *b, const struct strace_call *c, int i)
{
	int status;
	if (c->ret > 0 && READ_OR_PTR(b, c->t, c->a[i], status))
		sfmt_wait_status(b, status);
	else if (c->ret <= 0)
		sfmt_ptr(b, c->a[i]);
}

static void arg_pipefds_out(struct strbuf *b, const struct strace_call *c, int i)
{
	int fds[2];
	if (READ_OR_PTR(b, c->t, c->a[i], fds))
		strbuf_printf(b, "[%d, %d]", fds[0], fds[1]);
}

/* getdents' buffer: its pointer and how many entries the call returned. */
static void arg_dirents_out(struct strbuf *b, const struct strace_call *c, int i)
{
	uint64_t addr = c->a[i];
	long ret = c->ret;
	sfmt_ptr(b, addr);
	if (ret < 0 || ret > (1L << 20))
		return;
	cleanup_free uint8_t *buf = xmalloc((size_t)ret + 1);
	if (task_read(c->t, addr, buf, (size_t)ret) != 0)
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

/* An iovec array; its count is the next argument. */
static void arg_iovec_in(struct strbuf *b, const struct strace_call *c, int i)
{
	put_iovec(b, c->t, c->a[i], arg_at(c, i + 1), -1, c->limit);
}

/* An iovec array filled by the call: as many bytes shown as it returned. */
static void arg_iovec_out(struct strbuf *b, const struct strace_call *c, int i)
{
	put_iovec(b, c->t, c->a[i], arg_at(c, i + 1), c->ret, c->limit);
}

static void arg_msghdr_in(struct strbuf *b, const struct strace_call *c, int i)
{
	put_msghdr(b, c->t, c->a[i], -1, c->limit);
}

static void arg_msghdr_out(struct strbuf *b, const struct strace_call *c, int i)
{
	put_msghdr(b, c->t, c->a[i], c->ret, c->limit);
}

/* A socket address; its length is the next argument. */
static void arg_sockaddr_in(struct strbuf *b, const struct strace_call *c, int i)
{
	put_sockaddr(b, c->t, c->a[i], arg_at(c, i + 1));
}

/* A socket address filled by the call; the next argument points to its
 * length. */
static void arg_sockaddr_out(struct strbuf *b, const struct strace_call *c, int i)
{
	uint64_t next = arg_at(c, i + 1);
	socklen_t len;
	if (next && task_read(c->t, next, &len, sizeof(len)) == 0)
		put_sockaddr(b, c->t, c->a[i], len);
	else
		sfmt_ptr(b, c->a[i]);
}

/* A socket option: its name depends on the level, the argument before. */
static void arg_sockopt(struct strbuf *b, const struct strace_call *c, int i)
{
	if (i > 0)
		sfmt_sockopt(b, c->a[i - 1], c->a[i]);
	else
		sfmt_int(b, c->a[i]);
}

/* A pollfd array; its count is the next argument. */
static void arg_pollfd(struct strbuf *b, const struct strace_call *c, int i)
{
	uint64_t v = c->a[i], next = arg_at(c, i + 1);
	uint64_t n = next < MAX_ARRAY ? next : 0;
	cleanup_free struct pollfd *p = xcalloc(n + 1, sizeof(*p));
	if (!v || task_read(c->t, v, p, n * sizeof(*p)) != 0)
		sfmt_ptr(b, v);
	else
		sfmt_pollfds(b, p, n, false);
}

/* epoll_wait's events: as many as the result. */
static void arg_epoll_events_out(struct strbuf *b, const struct strace_call *c, int i)
{
	put_array(b, c->t, c->a[i], (uint64_t)c->ret, sizeof(struct epoll_event), c->limit,
		  one_epoll_event);
}

/* select's fd_sets: nfds (the first argument) bits. */
static void arg_fdset(struct strbuf *b, const struct strace_call *c, int i)
{
	put_bitmap(b, c->t, c->a[i], (c->a[0] + 7) / 8);
}

/* sched_setaffinity's CPU set; its size in bytes is the argument before. */
static void arg_cpuset(struct strbuf *b, const struct strace_call *c, int i)
{
	put_bitmap(b, c->t, c->a[i], arg_at(c, i - 1));
}

/* sched_getaffinity's CPU set: as many bytes as the result. */
static void arg_cpuset_out(struct strbuf *b, const struct strace_call *c, int i)
{
	put_bitmap(b, c->t, c->a[i], (uint64_t)c->ret);
}

/* ---- the dispatch array ---- */

const struct strace_arg_format strace_arg_formats[A_FMT_COUNT] = {
    /* numbers and descriptors */
    [A_INT] = {.scalar = sfmt_int},
    [A_UINT] = {.scalar = sfmt_uint},
    [A_HEX] = {.scalar = sfmt_hex},
    [A_PTR] = {.scalar = sfmt_ptr},
    [A_SIZE] = {.scalar = sfmt_uint},
    [A_OFF] = {.scalar = sfmt_off},
    [A_FD] = {.scalar = sfmt_fd},
    [A_DIRFD] = {.scalar = sfmt_dirfd},
    [A_CAP] = {.scalar = sfmt_hex},
    /* strings and buffers */
    [A_PATH] = {.call = arg_path},
    [A_STR] = {.call = arg_str},
    [A_BUF_IN] = {.call = arg_buf_in},
    [A_BUF_OUT] = {.call = arg_buf_out, .output = true},
    [A_STRING_OUT] = {.call = arg_string_out, .output = true},
    [A_ARGV] = {.call = arg_argv},
    [A_ENVP] = {.call = arg_envp},
    /* files */
    [A_OPEN_FLAGS] = {.scalar = sfmt_open_flags},
    [A_MODE] = {.scalar = sfmt_mode},
    [A_AT_FLAGS] = {.scalar = sfmt_at_flags},
    [A_ACCESS_MODE] = {.scalar = sfmt_access_mode},
    [A_WHENCE] = {.scalar = sfmt_whence},
    [A_FCNTL_CMD] = {.scalar = sfmt_fcntl_cmd},
    [A_IOCTL_REQ] = {.scalar = sfmt_ioctl_req},
    [A_UNLINK_FLAGS] = {.scalar = sfmt_unlink_flags},
    [A_RENAME_FLAGS] = {.scalar = sfmt_rename_flags},
    [A_FLOCK_OP] = {.scalar = sfmt_flock_op},
    [A_FALLOC_FLAGS] = {.scalar = sfmt_falloc_flags},
    [A_INOTIFY_MASK] = {.scalar = sfmt_inotify_mask},
    [A_STATX_MASK] = {.scalar = sfmt_statx_mask},
    [A_STAT_OUT] = {.call = arg_stat, .output = true},
    [A_STATX_OUT] = {.call = arg_statx, .output = true},
    [A_STATFS_OUT] = {.call = arg_statfs, .output = true},
    [A_DIRENTS_OUT] = {.call = arg_dirents_out, .output = true},
    [A_IOVEC_IN] = {.call = arg_iovec_in},
    [A_IOVEC_OUT] = {.call = arg_iovec_out, .output = true},
    [A_PIPEFDS_OUT] = {.call = arg_pipefds_out, .output = true},
    /* memory */
    [A_PROT] = {.scalar = sfmt_prot},
    [A_MMAP_FLAGS] = {.scalar = sfmt_mmap_flags},
    [A_MREMAP_FLAGS] = {.scalar = sfmt_mremap_flags},
    [A_MADVISE] = {.scalar = sfmt_madvise},
    /* signals */
    [A_SIGNAL] = {.scalar = sfmt_signal},
    [A_SIGPROCMASK_HOW] = {.scalar = sfmt_sigprocmask_how},
    [A_SIGSET] = {.call = arg_sigset},
    [A_SIGSET_OUT] = {.call = arg_sigset, .output = true},
    [A_SIGACTION] = {.call = arg_sigaction},
    [A_SIGACTION_OUT] = {.call = arg_sigaction, .output = true},
    [A_SIGINFO] = {.call = arg_siginfo},
    [A_SIGINFO_OUT] = {.call = arg_siginfo, .output = true},
    /* time */
    [A_CLOCKID] = {.scalar = sfmt_clockid},
    [A_TIMER_FLAGS] = {.scalar = sfmt_timer_flags},
    [A_ITIMER_WHICH] = {.scalar = sfmt_itimer_which},
    [A_TIMESPEC] = {.call = arg_timespec},
    [A_TIMESPEC_OUT] = {.call = arg_timespec, .output = true},
    [A_TIMEVAL_OUT] = {.call = arg_timeval, .output = true},
    [A_ITIMERVAL] = {.call = arg_itimerval},
    [A_ITIMERVAL_OUT] = {.call = arg_itimerval, .output = true},
    /* processes */
    [A_CLONE_FLAGS] = {.scalar = sfmt_clone_flags},
    [A_WAIT_OPTIONS] = {.scalar = sfmt_wait_options},
    [A_IDTYPE] = {.scalar = sfmt_idtype},
    [A_ARCH_PRCTL] = {.scalar = sfmt_arch_prctl},
    [A_PRCTL_OPTION] = {.scalar = sfmt_prctl_option},
    [A_FUTEX_OP] = {.scalar = sfmt_futex_op},
    [A_PERSONALITY] = {.scalar = sfmt_personality},
    [A_SCHED_POLICY] = {.scalar = sfmt_sched_policy},
    [A_IOPRIO_WHICH] = {.scalar = sfmt_ioprio_which},
    [A_IOPRIO] = {.scalar = sfmt_ioprio},
    [A_KCMP_TYPE] = {.scalar = sfmt_kcmp_type},
    [A_RLIMIT_RES] = {.scalar = sfmt_rlimit_res},
    [A_GETRANDOM_FLAGS] = {.scalar = sfmt_getrandom_flags},
    [A_RLIMIT_IN] = {.call = arg_rlimit},
    [A_RLIMIT_OUT] = {.call = arg_rlimit, .output = true},
    [A_UTSNAME_OUT] = {.call = arg_utsname, .output = true},
    [A_SYSINFO_OUT] = {.call = arg_sysinfo, .output = true},
    [A_WAIT_STATUS_OUT] = {.call = arg_wait_status_out, .output = true},
    [A_RUSAGE_OUT] = {.call = arg_rusage, .output = true},
    [A_CPUSET] = {.call = arg_cpuset},
    [A_CPUSET_OUT] = {.call = arg_cpuset_out, .output = true},
    /* sockets */
    [A_SOCK_FAMILY] = {.scalar = sfmt_sock_family},
    [A_SOCK_TYPE] = {.scalar = sfmt_sock_type},
    [A_SOCK_LEVEL] = {.scalar = sfmt_sock_level},
    /* The option number alone; named by its level (the argument before). */
    [A_SOCKOPT] = {.scalar = sfmt_int, .call = arg_sockopt},
    [A_MSG_FLAGS] = {.scalar = sfmt_msg_flags},
    [A_SHUTDOWN_HOW] = {.scalar = sfmt_shutdown_how},
    [A_SOCKADDR_IN] = {.call = arg_sockaddr_in},
    [A_SOCKADDR_OUT] = {.call = arg_sockaddr_out, .output = true},
    [A_MSGHDR_IN] = {.call = arg_msghdr_in},
    [A_MSGHDR_OUT] = {.call = arg_msghdr_out, .output = true},
    /* polling and events */
    [A_EPOLL_OP] = {.scalar = sfmt_epoll_op},
    [A_EVENTFD_FLAGS] = {.scalar = sfmt_eventfd_flags},
    [A_KEYCTL_CMD] = {.scalar = sfmt_keyctl_cmd},
    [A_KEY_SERIAL] = {.scalar = sfmt_key_serial},
    [A_POLLFD] = {.call = arg_pollfd},
    [A_EPOLL_EVENT] = {.call = arg_epoll_event},
    [A_EPOLL_EVENTS_OUT] = {.call = arg_epoll_events_out, .output = true},
    [A_FDSET] = {.call = arg_fdset},
};

/* ---- formatting one argument ---- */

/* The entry of format f; NULL for A_NONE and numbers beyond the enum. */
static const struct strace_arg_format *format_of(unsigned f)
{
	if (f >= A_FMT_COUNT)
		return NULL;
	const struct strace_arg_format *af = &strace_arg_formats[f];
	return af->scalar || af->call ? af : NULL;
}

bool strace_arg_is_output(enum arg_fmt f)
{
	const struct strace_arg_format *af = format_of(f);
	return af && af->output;
}

sfmt_scalar_fn *sfmt_scalar(enum arg_fmt f)
{
	const struct strace_arg_format *af = format_of(f);
	return af ? af->scalar : NULL;
}

void strace_format_arg(struct strbuf *b, const struct strace_call *c, int i, bool exiting)
{
	uint64_t v = c->a[i];
	if (!c->d) {
		sfmt_hex(b, v);
		return;
	}
	const struct strace_arg_format *af = format_of(c->d->args[i]);
	if (af && af->output &&
	    (!exiting || strace_is_error(c->ret) || c->ret == SYSRET_NORETURN)) {
		sfmt_ptr(b, v);
		return;
	}
	/* fcntl's third argument: how it prints depends on the command. */
	if (i > 0 && c->d->args[i - 1] == A_FCNTL_CMD) {
		sfmt_fcntl_arg(b, c->a[i - 1], v);
		return;
	}
	if (af && af->call)
		af->call(b, c, i);
	else if (af)
		af->scalar(b, v);
	else
		sfmt_hex(b, v);
}

/* ---- how many arguments, and what follows the result ---- */

/* Whether fcntl command `cmd` takes a third argument. */
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
