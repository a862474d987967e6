/* Private declarations of the sentry: the context, tasks and their
 * resources, and the helpers handlers share.
 *
 * Ownership (who shares what, as Linux shares it):
 *   struct task      one program thread, driven through one stub thread;
 *   struct process   the thread group: pid, parent, rlimits, exit status;
 *   struct mm        the address space (one stub process), shared by CLONE_VM;
 *   struct fd_table  shared by CLONE_FILES;  struct fs_info  by CLONE_FS;
 *   struct sighand   signal actions, shared by CLONE_SIGHAND.
 * Everything is reference counted and only touched by the sentry's single
 * thread: there are no locks to order.
 */
#ifndef MSENTRY_SENTRY_INTERNAL_H
#define MSENTRY_SENTRY_INTERNAL_H

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>

#include "loader/loader.h"
#include "platform/platform.h"
#include "sentry.h"

#define SYSCALL_TABLE_SIZE 512
/* Handler result meaning "registers already set up, do not write RAX". */
#define SYSRET_NORETURN (-(1L << 40))
/* Handler result meaning "the task now waits (task_block_*); run this
 * syscall again when it is woken". Handlers are written as non-blocking
 * attempts: they may be re-run any number of times. */
#define SYSRET_BLOCK (-(1L << 41))
/* Handler result meaning "registers set up by the handler (sigreturn):
 * resume without writing RAX". */
#define SYSRET_REGS (-(1L << 42))
/* Internal: restart the syscall after a signal handler if SA_RESTART. */
#define SYSRET_RESTARTSYS (-512L)

struct sentry;
struct vdso;

enum file_kind {
	FILE_HOST,     /* backed by a host fd the sentry owns */
	FILE_DIR_LIST, /* a synthetic directory (e.g. /proc/self/fd) */
	FILE_SIGNALFD, /* emulated signalfd; host_fd is its readiness eventfd */
};

/* A synthetic directory's entries. */
struct dir_entry {
	char *name;
	unsigned char type; /* DT_* */
	uint64_t ino;
};

/* An open file description (shared by dup and fork, like Linux's). */
struct file {
	int refs;
	enum file_kind kind;
	bool may_block;	/* pipe, socket, tty...: reads and writes may block */
	bool host_nonblock; /* the sentry made the host fd O_NONBLOCK (its own pipes
			     * and sockets); the program's view is `nonblock` */
	bool nonblock;
	int host_fd;	/* FILE_HOST: the sentry's own fd; -1 otherwise */
	char *path;	/* sandbox path it was opened by, or NULL */
	struct dir_entry *entries; /* FILE_DIR_LIST */
	size_t nentries, pos;
	/* Kind-specific state (signalfd, bound AF_UNIX socket), freed by
	 * `release` when the last reference goes. */
	void *priv;
	void (*release)(struct file *f);
};

struct fd_slot {
	struct file *file;
	bool cloexec;
};

struct fd_table {
	int refs;
	struct fd_slot *slots;
	int size;
};

struct fs_info {
	int refs;
	char *cwd; /* sandbox path, canonical */
	mode_t umask;
};

struct mm {
	int refs;
	pid_t stub_pid; /* host pid of the stub process */
	uint64_t brk_start, brk_end;
	uint64_t stack_start, stack_end, vdso_base;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv[LOADER_AUXV_MAX * 2];
	size_t auxv_words;
	char *exe_path; /* sandbox path of the executable (/proc/self/exe) */
	uint64_t vsyscall_tramp; /* page of jumps to vDSO functions, or 0 */
};

struct sigaction_k {
	uint64_t handler, flags, restorer, mask;
};

struct sighand {
	int refs;
	struct sigaction_k act[64];
};

/* One pending signal: standard signals do not queue, so one slot each. */
struct sigpending {
	uint64_t set;
	siginfo_t info[64];
};

#define PROCESS_TIMERS 32

/* A POSIX timer (timer_create). */
struct ptimer {
	bool used, armed;
	clockid_t clk;
	int signo, notify, overrun;
	pid_t tid;
	uint64_t value;
	struct timespec expiry, interval; /* expiry on CLOCK_MONOTONIC */
};

struct process {
	struct sentry *s;
	int refs;
	pid_t pid, pgid, sid;
	struct process *parent;
	struct process *children, *sibling; /* the parent's list of children */
	struct sighand *sighand;
	struct sigpending pending; /* process-directed signals */
	struct rlimit rlim[RLIM_NLIMITS];
	uid_t ruid, euid, suid; /* credentials the program sees (host access stays msentry's) */
	gid_t rgid, egid, sgid;
	int nthreads;
	int exit_signal;   /* sent to the parent at exit (SIGCHLD, or 0) */
	int exit_status;   /* wait status once exiting */
	bool exiting;	   /* exit_group in progress or done */
	bool zombie;	   /* exited, waiting for the parent to reap it */
	bool stopped;	   /* job-control stop (SIGSTOP...) */
	int stop_report;   /* wait status to report for a stop/continue, 0: none */
	struct task *vfork_parent; /* blocked in vfork until exec or exit */
	struct timespec alarm;	   /* ITIMER_REAL expiry (CLOCK_MONOTONIC), 0: off */
	struct timespec alarm_interval;
	struct ptimer timers[PROCESS_TIMERS];
};

enum block_kind {
	BLOCK_NONE,
	BLOCK_FD,	/* host fds in `fds` (+ optional deadline) */
	BLOCK_SLEEP,	/* deadline only */
	BLOCK_CHILD,	/* wait4/waitid: a child changes state */
	BLOCK_FUTEX,	/* futex word: see struct futex_key */
	BLOCK_SIGNAL,	/* sigsuspend, pause, sigtimedwait */
	BLOCK_VFORK,	/* the vfork child has not exec'd or exited yet */
	BLOCK_STOPPED,	/* job-control stop */
};

/* What identifies a futex word, as in Linux: the address space and address
 * for private futexes; the file (device, inode) and offset for a word in a
 * MAP_SHARED mapping, so that processes sharing the memory meet. */
struct futex_key {
	const void *space; /* the struct mm, or NULL for a shared key */
	uint64_t a, b, c;  /* private: address; shared: device, inode, offset */
};

struct block {
	enum block_kind kind;
	struct pollfd *fds;
	int nfds;
	bool has_deadline;
	struct timespec deadline; /* CLOCK_MONOTONIC */
	struct futex_key futex;
	uint32_t futex_bitset;
};

enum task_state {
	TASK_RUNNING,  /* the stub runs program code; its next stop will tell */
	TASK_BLOCKED,  /* stopped in a syscall that waits (t->block) */
	TASK_READY,    /* woken: run the blocked syscall again */
};

struct task {
	struct sentry *s;
	pid_t tid; /* sandbox tid */
	struct stub_thread th;
	struct process *proc;
	struct mm *mm;
	struct fd_table *files;
	struct fs_info *fs;
	uint64_t sigmask;
	uint64_t saved_sigmask;	/* sigsuspend/ppoll: restored after the handler */
	bool restore_sigmask;
	stack_t altstack;
	struct sigpending pending; /* thread-directed signals */
	uint64_t clear_child_tid, robust_list, robust_len;
	struct syscall_stop sc; /* the syscall being served */
	enum task_state state;
	struct block block;
	bool in_syscall;	/* stopped at a syscall stop, result not yet given */
	bool retry;		/* the current syscall is being run again after a wakeup */
	size_t io_done;		/* bytes a blocking send/recv moved before it waited */
	bool interrupted;	/* woken by a signal: the syscall must end */
	bool exiting;		/* being torn down */
	struct timespec deadline; /* timeout of the current syscall, kept across retries */
	bool deadline_set;
	pid_t vfork_child;	/* vfork in progress: the child's pid */
	bool futex_woken;	/* a FUTEX_WAKE picked this waiter */
	uint64_t sigwait_set;	/* rt_sigtimedwait: blocked signals that wake it */
	long pending_result;	/* result to give when a stopped process continues */
	bool pending_result_set;
	uint64_t fault_addr;	/* cr2 of the last synchronous fault */
	uint64_t vsyscall_pending_addr, vsyscall_pending_caller; /* site to patch at the next kick */
	struct task *next;	/* in the sentry's task list */
	struct strace_task *strace; /* --strace: the syscall being traced (strace.c) */
};

/* The sentry's context: everything mutable lives here, nothing global. */
struct sentry {
	const struct sentry_config *cfg;
	struct platform *platform;
	int root_fd;	  /* O_PATH fd of the sandbox root */
	char *root_host;  /* host path of the root, no trailing slash ("" for "/") */
	struct task *tasks;
	pid_t next_pid;
	bool finished;
	int exit_status;
	uint64_t warned[SYSCALL_TABLE_SIZE / 64]; /* unsupported syscalls already reported */
	bool warned_int80;
	bool warned_vsyscall; /* --vsyscall=none refusal already explained */
	char *scratch; /* bounce buffer for copying program I/O */
	size_t scratch_size;
	cpu_set_t cpus;	  /* CPUs the program is told it may use */
	struct loader_vdso *vdso; /* &vdso_state->map, or NULL */
	struct vdso *vdso_state;  /* vdso/vdso.h: memfd, parameter page, clock */
	/* Offsets in the vDSO of __vdso_gettimeofday, __vdso_time and
	 * __vdso_getcpu (vsyscall slots 0, 1, 2); 0: do not patch to it. */
	uint64_t vsyscall_targets[3];
	uint64_t hwcap, hwcap2, minsigstksz;
	int sigchld_fd;	/* signalfd for SIGCHLD (stub stops) while tasks wait on fds */
	size_t xstate_size; /* bytes of the XSAVE area (signal frames) */
	struct process *init; /* the sandbox's first process */
	struct signalfd *signalfds; /* every open signalfd (sys_event.c) */
	struct strace *strace; /* --strace state; NULL (and frozen) when off */
};

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
	A_CPUSET, A_CPUSET_OUT, A_EVENTFD_FLAGS, A_INOTIFY_MASK,
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
	syscall_fn *fn;		/* NULL: unsupported (-ENOSYS, warned once) */
	enum support support;
	const char *note;	/* what is (not) supported, for users and docs */
	uint8_t nargs;
	uint8_t args[6];	/* enum arg_fmt */
	uint8_t ret;		/* enum ret_fmt */
	uint8_t classes;	/* enum syscall_class bits */
};

extern const struct syscall_desc syscall_table[SYSCALL_TABLE_SIZE];
const struct syscall_desc *syscall_lookup(uint64_t nr);

/* ---- memory access (memory.c) ---- */
int task_read(struct task *t, uint64_t addr, void *buf, size_t len);
int task_write(struct task *t, uint64_t addr, const void *buf, size_t len);
/* A path argument: 0 or -EFAULT/-ENAMETOOLONG/-ENOENT (empty). `buf` PATH_MAX. */
int task_read_path(struct task *t, uint64_t addr, char *buf);
long task_inject(struct task *t, long nr, uint64_t a0, uint64_t a1, uint64_t a2, uint64_t a3,
		 uint64_t a4, uint64_t a5);

/* ---- files (fd.c) ---- */
struct file *file_new_host(int host_fd, const char *path);
/* A host fd the sentry created O_NONBLOCK for the program (pipes, sockets);
 * `nonblock` is what the program asked for. */
struct file *file_new_nonblocking(int host_fd, bool nonblock);
/* The program's view of O_NONBLOCK on `f`. */
bool file_is_nonblocking(const struct file *f);
struct file *file_get(struct file *f);
void file_put(struct file *f);
struct fd_table *fd_table_new(void);
struct fd_table *fd_table_copy(const struct fd_table *src);
void fd_table_put(struct fd_table *t);
/* Install `f` (takes the reference) at the lowest free fd >= minfd. fd or -EMFILE. */
int fd_install(struct task *t, struct file *f, bool cloexec, int minfd);
int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec);
struct file *fd_lookup(struct task *t, int fd);
/* Host fd behind a program fd, or -EBADF. */
int fd_host(struct task *t, int fd);
int fd_close(struct task *t, int fd);
void fd_close_on_exec(struct fd_table *ft);

/* ---- paths (path.c) ---- */
/* Sandbox-absolute form of (dirfd, path): 0 or -errno. *out is malloc'ed. */
int path_absolute(struct task *t, int dirfd, const char *path, char **out);
/* Open a sandbox path, confined to the root (emulated /proc entries
 * included): a new struct file in *out, 0 or -errno. */
int path_open_file(struct task *t, int dirfd, const char *path, int flags, mode_t mode,
		   struct file **out);
/* The same, as a host fd of the sentry's (O_CLOEXEC) or -errno. */
int path_open(struct task *t, int dirfd, const char *path, int flags, mode_t mode);
/* Resolve everything but the last component: parent host fd (O_PATH) and
 * the last name (in `last`, NAME_MAX+1 bytes). 0 or -errno. */
int path_parent(struct task *t, int dirfd, const char *path, int *parent_fd, char *last);
/* Map a host path back into the sandbox ("" prefix stripped), malloc'ed. */
char *path_from_host(struct sentry *s, const char *host_path);
/* Sandbox path of a host fd (readlink of /proc/self/fd/N), malloc'ed or NULL. */
char *path_of_host_fd(struct sentry *s, int host_fd);

/* ---- procfs (procfs.c): the program's view of /proc/self ---- */
/* If `abs` is one of the emulated /proc paths, open it into *out (0) or
 * fail (*err = -errno). Returns true when handled. */
bool procfs_open(struct task *t, const char *abs, int flags, struct file **out, int *err);
bool procfs_readlink(struct task *t, const char *abs, char *buf, size_t len, long *result);
bool procfs_is_emulated(struct task *t, const char *abs);

/* ---- scheduling (sched.c) ---- */
/* Block the current syscall of `t`; the handler then returns SYSRET_BLOCK. */
long task_block_fd(struct task *t, int host_fd, short events);
long task_block(struct task *t, enum block_kind kind);
/* Arm the deadline of the current syscall (kept across retries). `rel`
 * NULL: no timeout. Returns true if it has already passed. */
bool task_deadline(struct task *t, const struct timespec *rel, bool absolute, clockid_t clk);
bool task_deadline_passed(struct task *t);
/* Wake a blocked task: its syscall is run again. */
void task_wake(struct task *t);
/* Wake up to `max` tasks blocked with `kind` (not futexes: see
 * futex_wake_addr()); returns how many. */
int task_wake_all(struct sentry *s, enum block_kind kind, int max);
/* Finish the current syscall of a stopped task with `ret` and let it run. */
void task_resume(struct task *t, long ret);
/* Let a task stopped outside a syscall (signal stop) run again. */
void task_continue(struct task *t);
/* Make a running task stop so the sentry can act on it (signal, exit). */
void task_kick(struct task *t);
void sentry_loop(struct sentry *s);
/* run.c: serve the syscall t->sc (again); handle one stub stop. */
void sentry_run_syscall(struct task *t);
void sentry_handle_stop(struct sentry *s, const struct stop *st);
/* Forward signals that msentry itself received to the sandbox. */
void sentry_take_host_signals(struct sentry *s);

/* ---- signals (signal.c) ---- */
void signal_send_process(struct process *p, int sig, const siginfo_t *info);
void signal_send_task(struct task *t, int sig, const siginfo_t *info);
/* EPIPE from a write: the writer gets SIGPIPE, as on Linux. */
void signal_raise_sigpipe(struct task *t);
/* A fault raised by the host while the program ran (SIGSEGV...). */
void task_force_signal(struct task *t, int sig, int code, uint64_t addr);
/* Deliver pending signals to a task stopped in the sentry, before it runs
 * again; may end the task (returns false then). */
enum deliver_result {
	DELIVER_GONE,	    /* the task ended (default action) */
	DELIVER_SET_RESULT, /* resume with *syscall_ret in RAX */
	DELIVER_KEEP_REGS,  /* registers are set (frame or restart): leave RAX */
};
enum deliver_result signal_deliver_pending(struct task *t, bool in_syscall, long *syscall_ret);
bool signal_is_ignored(struct process *p, int sig);
/* Take a pending signal of `t` (thread-directed first) that is in `set`,
 * whether blocked or not: sigtimedwait and signalfd. 0 if none. */
int signal_dequeue_set(struct task *t, uint64_t set, siginfo_t *info);

/* ---- events (sys_event.c) ---- */
/* A signal was queued: signalfds that read it become readable. */
void signalfd_notify(struct sentry *s, int sig);
/* Make the readiness eventfd of signalfd `f` match the pending signals of
 * the tasks holding it; _all: every signalfd in t's fd table. */
void signalfd_sync(struct task *t, struct file *f);
void signalfd_sync_all(struct task *t);
long signalfd_read(struct task *t, struct file *f, uint64_t buf, size_t count);
void signal_reset_on_exec(struct process *p);

/* ---- futexes (sys_futex.c) ---- */
/* FUTEX_WAKE on `addr` as seen by `t` (shared or private key); woken count. */
int futex_wake_addr(struct task *t, uint64_t addr, bool private_key, int max);

/* ---- processes (process.c) ---- */
struct process *process_by_pid(struct sentry *s, pid_t pid);
struct task *task_by_tid(struct sentry *s, pid_t tid);
void process_check_alarms(struct sentry *s, const struct timespec *now);
/* Fire expired POSIX timers; fold the nearest expiry into *nearest. */
bool timers_check(struct sentry *s, const struct timespec *now, struct timespec *nearest, bool have);

/* ---- tasks (task.c) ---- */
struct task *task_by_host_tid(struct sentry *s, pid_t tid);
struct task *task_create_init(struct sentry *s, const char *cwd, mode_t umask_value);
/* Replace t's address space with a fresh one running `path`. On failure
 * the task is untouched. 0 or -errno (with `e` set). */
int task_exec(struct task *t, const char *path, const char *const *argv,
	      const char *const *envp, struct error *e);
void task_exit_group(struct task *t, int wait_status);
void sentry_warn_once(struct sentry *s, uint64_t nr, const struct syscall_desc *d,
		      const uint64_t *a);

/* ---- legacy vsyscalls (vsyscall-task.c) ---- */
/* A STOP_VSYSCALL (host emulates vsyscalls): served, the stub resumed. */
void vsyscall_seccomp_stop(struct task *t);
/* A SIGSEGV stop: if it is a call into the vsyscall page (vsyscall=none
 * host), emulate it and return true (the stub is resumed or the task is
 * gone); false: an ordinary fault. */
bool vsyscall_fault_stop(struct task *t);
/* Patch the call site recorded at a seccomp stop (at a stop that allows
 * injected syscalls: the kick that follows it). */
void vsyscall_patch_pending(struct task *t);

/* ---- handlers: declared here so the table can name them ---- */
#define SYSCALL_HANDLER(name) long sys_##name(struct task *t, const uint64_t *a)
#include "syscall-handlers.h"

#endif
