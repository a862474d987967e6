/* syscalls: the syscall table and the handlers it names.
 *
 * The table (syscalls.def, built into an array by syscall-table.c) is the
 * single source of truth for every x86-64 syscall: name, handler, support
 * level and note, strace formats and classes. Dispatch (dispatch.c), the
 * strace printer (sentry/strace/), the vsyscall emulation and
 * docs/syscalls.md all read it. The handlers
 * (sys_*.c, one file per family) decode arguments and call into the
 * concepts below: sentry/kernel/ and sentry/fs/.
 */
#ifndef MSENTRY_SENTRY_SYSCALLS_H
#define MSENTRY_SENTRY_SYSCALLS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "sentry/kernel/kernel.h"

/* ---- syscall table (syscall-table.c) ---- */
typedef long syscall_fn(struct task *t, const uint64_t *a);

/* How strace prints an argument; part of each table entry. */
enum arg_fmt {
	A_NONE,
	A_INT, A_UINT, A_HEX, A_PTR, A_SIZE, A_OFF,
	A_FD, A_DIRFD, A_PATH, A_STR,
	A_BUF_IN,	/* buffer written by the program; length is the next argument */
	A_BUF_OUT,	/* buffer filled by the call; length is the result */
	A_OPEN_FLAGS, A_MODE, A_PROT, A_MMAP_FLAGS, A_MREMAP_FLAGS, A_MADVISE,
	A_SIGNAL, A_SIGSET, A_SIGSET_OUT, A_SIGACTION, A_SIGACTION_OUT, A_SIGPROCMASK_HOW,
	A_STAT_OUT, A_STATX_OUT, A_STATX_MASK, A_STATFS_OUT,
	A_TIMESPEC, A_TIMESPEC_OUT, A_TIMEVAL_OUT, A_CLOCKID, A_TIMER_FLAGS,
	A_IOVEC_IN, A_IOVEC_OUT,
	A_FCNTL_CMD, A_IOCTL_REQ, A_CLONE_FLAGS, A_AT_FLAGS, A_ACCESS_MODE, A_WHENCE,
	A_RLIMIT_RES, A_RLIMIT_IN, A_RLIMIT_OUT, A_UTSNAME_OUT, A_SYSINFO_OUT,
	A_ARGV, A_ENVP,
	A_SOCKADDR_IN, A_SOCKADDR_OUT, A_SOCK_FAMILY, A_SOCK_TYPE, A_SOCK_LEVEL, A_SOCKOPT,
	A_MSGHDR_IN, A_MSGHDR_OUT, A_MSG_FLAGS, A_SHUTDOWN_HOW,
	A_POLLFD, A_EPOLL_OP, A_EPOLL_EVENT, A_EPOLL_EVENTS_OUT, A_FDSET,
	A_WAIT_OPTIONS, A_WAIT_STATUS_OUT, A_IDTYPE, A_SIGINFO, A_SIGINFO_OUT, A_RUSAGE_OUT,
	A_ARCH_PRCTL, A_PRCTL_OPTION, A_FUTEX_OP, A_PIPEFDS_OUT, A_DIRENTS_OUT, A_STRING_OUT,
	A_GETRANDOM_FLAGS, A_UNLINK_FLAGS, A_RENAME_FLAGS, A_PERSONALITY, A_ITIMER_WHICH,
	A_ITIMERVAL, A_ITIMERVAL_OUT, A_CAP, A_FLOCK_OP, A_FALLOC_FLAGS, A_SCHED_POLICY,
	A_CPUSET, A_CPUSET_OUT, A_EVENTFD_FLAGS, A_INOTIFY_MASK, A_IOPRIO_WHICH, A_IOPRIO, A_KCMP_TYPE,
	A_KEYCTL_CMD, A_KEY_SERIAL,
	A_FMT_COUNT
};

enum ret_fmt { R_INT, R_HEX, R_FD, R_PID, R_NORETURN };
/* strace's syscall classes (`--strace=%file,%network`), part of each entry. */
enum syscall_class {
	CL_FILE = 1,	 /* takes a file name */
	CL_DESC = 2,	 /* takes or returns a file descriptor */
	CL_PROCESS = 4,	 /* process lifecycle: clone, exec, exit, wait, kill */
	CL_NETWORK = 8,	 /* sockets */
	CL_SIGNAL = 16,	 /* signals */
	CL_MEMORY = 32,	 /* memory mappings */
};
enum support { SUPPORT_FULL, SUPPORT_PARTIAL, SUPPORT_NONE };

struct syscall_desc {
	const char *name;
	syscall_fn *fn;		/* sys_<name>; NULL when unsupported (-ENOSYS, warned once) */
	enum support support;
	const char *note;	/* what is (not) supported, for users and docs */
	uint8_t nargs;
	uint8_t args[6];	/* enum arg_fmt */
	uint8_t ret;		/* enum ret_fmt */
	uint8_t classes;	/* enum syscall_class bits */
};

extern const struct syscall_desc syscall_table[SYSCALL_TABLE_SIZE];
const struct syscall_desc *syscall_lookup(uint64_t nr);

/* The kernel's dispatch hook: serve t->sc through the table. Unsupported
 * syscalls get -ENOSYS and one warning per name. */
long syscall_dispatch(struct task *t);
/* Warn once (unless --quiet) that syscall `nr` is not supported. */
void syscall_warn_once(struct sentry *s, uint64_t nr, const struct syscall_desc *d,
		       const uint64_t *a);

/* ---- the sentry's own seccomp filter (host-filter.c, host-allow.def) ---- */
/* One entry of host-allow.def: the host syscall `nr` the sentry may make
 * (kind: any arguments; only with (argument arg & mask) == value, and the
 * same of arg2 unless it is -1; or failing with ENOSYS), and why. */
struct host_allow {
	const char *name;
	int nr;
	int kind;
	int arg;
	uint64_t mask, value;
	int arg2;
	uint64_t mask2, value2;
	const char *why;
};
extern const struct host_allow host_allow[];
extern const size_t host_allow_count;
/* The filter (a libseccomp scmp_filter_ctx, not loaded): what the list
 * does not allow kills the sentry, or with `trap` raises SIGSYS (the
 * caller's handler names it). NULL if libseccomp refused an entry. */
void *host_filter_build(bool trap);
void host_filter_release(void *filter);
/* Load it into every thread of the sentry (TSYNC): 0 or -errno. */
int host_filter_load(void *filter);
/* Tests only: make a host syscall the list forbids. */
void host_filter_test_trip(void);

/* ---- handlers: sys_<name> for each FULL or PARTIAL entry of the table ----
 * Define one with SYSCALL_HANDLER(name) { ... }; the prototypes below come
 * from syscalls.def, so a handler the table names but no file defines fails
 * to link. */
#define SYSCALL_HANDLER(name) long sys_##name(struct task *t, const uint64_t *a)
#define SYSCALL_PROTO_FULL(fn) long fn(struct task *t, const uint64_t *a);
#define SYSCALL_PROTO_PARTIAL(fn) long fn(struct task *t, const uint64_t *a);
#define SYSCALL_PROTO_NONE(fn)
#define SYSCALL(nm, sup, ...) SYSCALL_PROTO_##sup(sys_##nm)
#include "sentry/syscalls/syscalls.def"
#undef SYSCALL

#endif
