/* strace: the sentry's own syscall tracer (`msentry run --strace`).
 *
 * Three layers:
 *  - format-*.c: pure formatters. They take values and bytes already
 *    read from the program (a flags word, a struct stat, a string) and append
 *    strace-style text to a strbuf. No task, no memory access: unit-testable.
 *    format-scalar.c: numbers, flags and enumerations; format-struct.c:
 *    structures (stat, siginfo, rusage...); format-net.c: sockets;
 *    format-text.c: strings, JSON, results and the -c summary table.
 *  - strace-args.c: the arguments of one syscall. It reads program memory
 *    according to the formats of the syscall table entry (`args[]`) and
 *    calls the formatters, through one dispatch array (below).
 *  - strace.c: the tracer. It keeps what each task's syscall in progress
 *    has printed so far, and writes lines (or JSON objects, or counts for
 *    the summary) from the kernel's events.
 *
 * How an argument is printed comes only from the syscall table
 * (syscall-table.c, `enum arg_fmt`): there is no second table of syscalls.
 * Each format has one entry in `strace_arg_formats` (strace-args.c),
 * indexed by `enum arg_fmt`: a scalar formatter for values that print alone
 * (flags, numbers, names), or a `call` formatter that reads the program's
 * memory or looks at the other arguments or the result, and whether the
 * argument is an output. A new format needs only its entry there (a unit
 * test fails for a format without one). The one rule outside the array is
 * fcntl's third argument, whose meaning comes from the command before it.
 *
 * Arguments up to the first output argument are formatted at syscall entry,
 * the rest (output structs and buffers, and anything after them) at exit,
 * as strace does. A line is written when the syscall finishes; if something
 * else must be printed while a syscall is in progress (another task's
 * syscall, a signal, an exec), the entry is written first with
 * ` <unfinished ...>` and the end later as `<... NAME resumed>`.
 *
 * Cost when off: `s->strace` is NULL and frozen after start; every hook is
 * called through STRACE(), one predictable branch, no formatting.
 */
#ifndef MSENTRY_SENTRY_STRACE_STRACE_INTERNAL_H
#define MSENTRY_SENTRY_STRACE_STRACE_INTERNAL_H

#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysinfo.h>
#include <sys/time.h>
#include <sys/utsname.h>

#include "sentry/kernel/kernel.h"
#include "sentry/strace/strace.h"
#include "sentry/syscalls/syscalls.h"

/* ---- the tracer (strace.c) ---- */

/* Syscall entry: t->sc holds the stop. Formats the input arguments. */
void strace_syscall_enter(struct task *t);
/* Syscall exit with the handler's result `ret` (-errno, SYSRET_REGS,
 * SYSRET_RESTARTSYS...). Not called for SYSRET_BLOCK: the syscall goes on. */
void strace_syscall_exit(struct task *t, long ret);
/* The handler returned SYSRET_NORETURN: the task `tid` may be gone (exit,
 * exit_group: then strace_task_exit already closed its line) or live on in
 * a new program (execve: printed as `= 0`). */
void strace_syscall_noreturn(struct sentry *s, pid_t tid);
/* The task is being torn down: finish its syscall as `= ?` and print
 * `+++ exited with N +++` / `+++ killed by SIGX +++` when its process ends. */
void strace_task_exit(struct task *t);
/* A signal is being delivered to t (before its disposition is applied). */
void strace_signal(struct task *t, const siginfo_t *info);
/* A host fault (SIGSEGV...) of the program, about to become a signal. */
void strace_fault(struct task *t, int sig, int code, uint64_t addr);
/* The loader mapped a new program into t (res: what it found). */
void strace_exec(struct task *t, const char *path, const struct loader_result *res);
/* The loader refused `path` (e: why). */
void strace_exec_failed(struct task *t, const char *path, const struct error *e);
/* Parse a syscall set (`open,read,%file`, `!%memory`, `all`, `none`) into a
 * bitmap over syscall numbers. 0, or -1 with `e` naming the bad word. */
int strace_parse_set(const char *set, uint64_t bits[SYSCALL_TABLE_SIZE / 64], struct error *e);

/* ---- pure formatters (format-*.c) ---- */

/* A formatter of a value that needs no memory (flags, numbers, names). */
typedef void sfmt_scalar_fn(struct strbuf *b, uint64_t v);

/* format-scalar.c: numbers, flags and enumerations. */
sfmt_scalar_fn sfmt_int, sfmt_uint, sfmt_hex, sfmt_ptr, sfmt_off, sfmt_fd, sfmt_dirfd;
sfmt_scalar_fn sfmt_open_flags, sfmt_mode, sfmt_prot, sfmt_mmap_flags, sfmt_mremap_flags;
sfmt_scalar_fn sfmt_madvise, sfmt_signal, sfmt_sigset, sfmt_sigprocmask_how, sfmt_clockid;
sfmt_scalar_fn sfmt_timer_flags, sfmt_fcntl_cmd, sfmt_ioctl_req, sfmt_clone_flags, sfmt_at_flags;
sfmt_scalar_fn sfmt_access_mode, sfmt_whence, sfmt_rlimit_res;
sfmt_scalar_fn sfmt_wait_options, sfmt_idtype, sfmt_arch_prctl, sfmt_prctl_option, sfmt_futex_op;
sfmt_scalar_fn sfmt_getrandom_flags, sfmt_rename_flags, sfmt_personality, sfmt_itimer_which;
sfmt_scalar_fn sfmt_flock_op, sfmt_falloc_flags, sfmt_sched_policy, sfmt_eventfd_flags;
sfmt_scalar_fn sfmt_inotify_mask, sfmt_statx_mask, sfmt_fd_flags, sfmt_epoll_events;
sfmt_scalar_fn sfmt_keyctl_cmd, sfmt_key_serial;
sfmt_scalar_fn sfmt_epoll_op, sfmt_unlink_flags, sfmt_ioprio_which, sfmt_ioprio, sfmt_kcmp_type;
/* fcntl's third argument, as command `cmd` takes it. */
void sfmt_fcntl_arg(struct strbuf *b, uint64_t cmd, uint64_t v);
/* "SIGSEGV", "SIGRT_3"; NULL when out of range. */
const char *sfmt_signame(int sig, char tmp[16]);

/* format-struct.c: structures read from the program. */
void sfmt_stat(struct strbuf *b, const struct stat *st);
void sfmt_statx(struct strbuf *b, const struct statx *stx);
void sfmt_statfs(struct strbuf *b, const struct statfs *sf);
void sfmt_timespec(struct strbuf *b, const struct timespec *ts);
void sfmt_timeval(struct strbuf *b, const struct timeval *tv);
void sfmt_itimerval(struct strbuf *b, const struct itimerval *it);
void sfmt_sigaction(struct strbuf *b, const struct sigaction_k *sa);
void sfmt_rlimit(struct strbuf *b, const struct rlimit *rl);
void sfmt_utsname(struct strbuf *b, const struct utsname *u, size_t limit);
void sfmt_sysinfo(struct strbuf *b, const struct sysinfo *si);
void sfmt_pollfds(struct strbuf *b, const struct pollfd *p, size_t n, bool revents);
void sfmt_siginfo(struct strbuf *b, const siginfo_t *si);
void sfmt_wait_status(struct strbuf *b, int status);
void sfmt_rusage(struct strbuf *b, const struct rusage *ru);
void sfmt_epoll_event(struct strbuf *b, const struct epoll_event *ev);
/* A bitmap of `nbits` bits as `[0 3 7]` (fd_set) or `[0, 1]` (CPU set). */
void sfmt_bitmap(struct strbuf *b, const uint8_t *bits, size_t nbits, const char *sep);

/* format-net.c: sockets. */
sfmt_scalar_fn sfmt_sock_family, sfmt_sock_type, sfmt_sock_level, sfmt_msg_flags;
sfmt_scalar_fn sfmt_shutdown_how;
/* A socket option's name at socket level `level`. */
void sfmt_sockopt(struct strbuf *b, uint64_t level, uint64_t v);
void sfmt_sockaddr(struct strbuf *b, const void *sa, size_t len);

/* format-text.c: strings, results and the summary. */

/* A quoted, escaped string of `len` bytes, cut at `limit` bytes; `...`
 * follows when it was cut or `more` says the source went on. */
void sfmt_str(struct strbuf *b, const void *data, size_t len, size_t limit, bool more);
/* A JSON string literal. */
void sfmt_json_str(struct strbuf *b, const char *s, size_t len);
/* "ENOENT", or NULL. */
const char *sfmt_errname(int err);
/* The result: `3`, `0x7f...`, `-1 ENOENT (No such file or directory)`,
 * `? ERESTARTSYS (To be restarted if SA_RESTART is set)`, `?`. */
void sfmt_ret(struct strbuf *b, enum ret_fmt f, long ret);

/* The `strace -c` table. */
struct strace_count {
	const char *name;
	uint64_t calls, errors, ns;
};
/* Sorted by time (then calls, then name), like strace -c; a total line. */
void sfmt_summary(struct strbuf *b, struct strace_count *counts, size_t n);

/* ---- arguments (strace-args.c) ---- */

/* A syscall as its arguments are printed. */
struct strace_call {
	struct task *t;
	const struct syscall_desc *d; /* NULL: unknown number (arguments in hex) */
	const uint64_t *a;	      /* the six raw arguments */
	long ret;		      /* the result, at exit */
	size_t limit;		      /* -s: string bytes and array elements shown */
};

/* A result that is an error (-errno). */
static inline bool strace_is_error(long ret)
{
	return ret < 0 && ret >= -4095;
}

/* A formatter of argument i of c that needs more than its value: program
 * memory, another argument (a length, a level), or the result. */
typedef void strace_arg_fn(struct strbuf *b, const struct strace_call *c, int i);

/* How one argument format prints: its entry in strace_arg_formats. */
struct strace_arg_format {
	/* The value alone (a number, flags, a name); NULL if it needs more. */
	sfmt_scalar_fn *scalar;
	/* Reads the program's memory or looks at the rest of the call; used
	 * instead of `scalar` when both are set. */
	strace_arg_fn *call;
	/* Filled by the call: formatted at exit, and printed as its pointer
	 * when the call failed. */
	bool output;
};
/* The dispatch array, indexed by `enum arg_fmt`. A_NONE has no entry (both
 * formatters NULL) and prints in hex; every other format must have one
 * (tests/strace/test_args.c checks). */
extern const struct strace_arg_format strace_arg_formats[A_FMT_COUNT];
/* The scalar formatter of `f`, or NULL if `f` needs more than its value. */
sfmt_scalar_fn *sfmt_scalar(enum arg_fmt f);

/* Append argument i of c: at entry, or at exit (`exiting`, with c->ret). An
 * output argument prints as its pointer before exit or when the call failed. */
void strace_format_arg(struct strbuf *b, const struct strace_call *c, int i, bool exiting);
/* Output arguments (filled by the call) are formatted at exit. */
bool strace_arg_is_output(enum arg_fmt f);
/* How many arguments strace shows: open's mode only with O_CREAT or
 * O_TMPFILE, fcntl's third only for commands that take one... */
uint8_t strace_shown_args(const struct syscall_desc *d, const uint64_t *a);
/* Extra result detail strace prints after the result: poll's ready fds. */
void strace_put_ret_suffix(struct strbuf *b, const struct strace_call *c);

#endif
