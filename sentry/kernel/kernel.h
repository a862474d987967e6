/* kernel: the emulated kernel's core objects and what the layers above it
 * may call (docs/design.md has the map of sentry/).
 *
 * Ownership (who shares what, as Linux shares it):
 *   struct task      one program thread, driven through one stub thread;
 *   struct process   the thread group: pid, parent, rlimits, exit status;
 *   struct mm        the address space (one stub process), shared by CLONE_VM;
 *   struct fd_table  shared by CLONE_FILES;  struct fs_info  by CLONE_FS
 *                    (both in kernel/files.h);
 *   struct sighand   signal actions, shared by CLONE_SIGHAND;
 *   struct syscall_call  the syscall a task is serving, embedded in the task
 *                    (t->call) and reset with each call.
 * Everything shared is reference counted and only touched by the sentry's
 * single thread: there are no locks to order.
 *
 * The kernel sits below the syscall handlers, the tracer, procfs and the
 * vsyscall emulation, and never includes their headers. Where it must reach
 * them (serve a syscall, open a synthesized file, report an event to
 * strace) it calls through `struct kernel_hooks` and `struct
 * kernel_observer`, which sentry_run fills once before the program starts.
 */
#ifndef MSENTRY_SENTRY_KERNEL_H
#define MSENTRY_SENTRY_KERNEL_H

#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#include "loader/loader.h"
#include "platform/platform.h"
#include "sentry/sentry.h"
#include "sentry/kernel/task-sched.h"
#include "sentry/kernel/usage.h"

/* x86-64 syscall numbers are below this (the table's size). */
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
struct task;
struct file;
struct fd_table;
struct fs_info;
struct vdso;
struct strace;
struct control;
struct signalfd;
struct pidfd;
struct offload;
struct shm_attach;
struct shm_segment;
struct sem_set;
struct sem_undo_list;
struct msg_queue;
struct mqueue;
struct seccomp_filter;
struct lock_desc;
struct unix_name;
struct tty;

struct mm {
	int refs;
	pid_t stub_pid; /* host pid of the stub process */
	uint64_t brk_start, brk_end;
	uint64_t stack_start, stack_end, vdso_base;
	uint64_t arg_start, arg_end, env_start, env_end;
	uint64_t auxv[LOADER_AUXV_MAX * 2];
	size_t auxv_words;
	char *exe_path;		 /* sandbox path of the executable (/proc/self/exe) */
	dev_t exe_dev;		 /* and its file, which refuses writers while it runs */
	ino_t exe_ino;		 /* (ETXTBSY; 0, 0: unknown) */
	uint64_t vsyscall_tramp; /* page of jumps to vDSO functions, or 0 */
	struct shm_attach *shm;	 /* System V segments attached here (shm.c) */
	struct aio_ctx *aio;	 /* its AIO contexts (aio.c) */
	/* MAP_SHARED memory mapped here or in the mm it was forked from: only
	 * then may a futex word have a shared key (futex.c reads the maps). */
	bool has_shared;
};

struct sigaction_k {
	uint64_t handler, flags, restorer, mask;
};

struct sighand {
	int refs;
	struct sigaction_k act[64];
};

/* One pending signal: standard signals do not queue, so one slot each. */
struct sigqueued {
	siginfo_t info;
	struct sigqueued *next;
};
struct sigpending {
	uint64_t set;
	siginfo_t info[64]; /* each pending signal's (first) instance */
	/* Real-time signals' further instances, in arrival order. */
	struct sigqueued *rt_more;
	unsigned rt_count;
};

#define KERNEL_CONTAINER_OF(ptr, type, member)                                                     \
	((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* An entry of an id hash table (lookup.c), embedded in what it names. */
struct id_node {
	int32_t key;
	bool linked;
	struct id_node *next;
};
struct id_map {
	struct id_node **buckets;
	size_t nbuckets, count;
};

/* What a deadline belongs to (deadline.c; sched.c runs its expiry). */
enum deadline_kind {
	DEADLINE_WAIT,	/* a task's timed wait: `owner` is the task */
	DEADLINE_ALARM, /* ITIMER_REAL: `owner` is the process */
	DEADLINE_TIMER, /* a POSIX timer: `owner` is the process, `id` the timer */
};
struct deadline {
	struct timespec when; /* CLOCK_MONOTONIC */
	size_t pos;	      /* index in the heap + 1; 0: not armed */
	enum deadline_kind kind;
	void *owner;
	int id;
};
struct deadline_heap {
	struct deadline **v;
	size_t n, cap;
};

#define PROCESS_TIMERS 32

/* A POSIX timer (timer_create). */
struct ptimer {
	bool used, armed;
	clockid_t clk;
	int signo, notify, overrun, overrun_last; /* last: of the last signal dequeued */
	pid_t tid, clk_tid; /* SIGEV_THREAD_ID's target; a thread CPU clock's thread */
	uint64_t value;
	struct timespec expiry, interval; /* expiry on CLOCK_MONOTONIC */
	int64_t cpu_target;		  /* CPU-time clocks: the expiry on that clock (ns) */
	struct deadline dl;		  /* armed while `armed` (deadline.c) */
};

/* A process's capability sets, as Linux's (bit N: capability N). */
struct caps {
	uint64_t inh, prm, eff, bnd, amb;
	/* PR_SET_SECUREBITS; SECBIT_KEEP_CAPS (PR_SET_KEEPCAPS): leaving uid 0 keeps
	 * prm, execve clears it. NO_CAP_AMBIENT_RAISE acts; others are recorded. */
	unsigned securebits;
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
	/* File-system ids (setfsuid/setfsgid): follow the effective ids; host access uses them. */
	uid_t fsuid;
	gid_t fsgid;
	unsigned long personality; /* personality(2), inherited */
	bool not_dumpable;	   /* PR_SET_DUMPABLE 0 */
	bool no_new_privs;	   /* PR_SET_NO_NEW_PRIVS, inherited */
	bool child_subreaper;	   /* PR_SET_CHILD_SUBREAPER: adopts orphaned descendants */
	bool thp_disable;	   /* PR_SET_THP_DISABLE: recorded, inherited */
	bool did_exec;		   /* has called execve (setpgid's EACCES) */
	struct caps caps;	   /* the sandbox's view of its capabilities (caps.c) */
	int nthreads;
	int exit_signal;	   /* sent to the parent at exit (SIGCHLD, or 0) */
	int exit_status;	   /* wait status once exiting */
	bool exiting;		   /* exit_group in progress or done */
	bool zombie;		   /* exited, waiting for the parent to reap it */
	bool stopped;		   /* job-control stop (SIGSTOP...) */
	int stop_report;	   /* wait status to report for a stop/continue, 0: none */
	struct task *vfork_parent; /* blocked in vfork until exec or exit */
	struct timespec alarm;	   /* ITIMER_REAL expiry (CLOCK_MONOTONIC), 0: off */
	struct timespec alarm_interval;
	struct deadline alarm_dl;		  /* armed while `alarm` is set */
	struct id_node pid_node;		  /* in s->by_pid until reaped (lookup.c) */
	struct ptimer timers[PROCESS_TIMERS + 3]; /* then ITIMER_VIRTUAL, ITIMER_PROF, RLIMIT_CPU */
	/* SEM_UNDO adjustments, applied when the last process sharing them
	 * (CLONE_SYSVSEM) exits (sem.c); NULL until used. */
	struct sem_undo_list *sem_undo;
	gid_t *groups; /* supplementary groups (setgroups), owned; creds.c */
	int ngroups;
	/* Resource use (usage.h): its own, captured as it exits; its reaped children's. */
	struct proc_usage own_use, children_use;
	char exit_comm[16]; /* its name once its tasks are gone (a zombie's /proc) */
};

enum block_kind {
	BLOCK_NONE,
	BLOCK_FD,      /* host fds in `fds` (+ optional deadline) */
	BLOCK_SLEEP,   /* deadline only */
	BLOCK_CHILD,   /* wait4/waitid: a child changes state */
	BLOCK_FUTEX,   /* futex word: see struct futex_key */
	BLOCK_SIGNAL,  /* sigsuspend, pause, sigtimedwait */
	BLOCK_VFORK,   /* the vfork child has not exec'd or exited yet */
	BLOCK_STOPPED, /* job-control stop */
	BLOCK_IPC,     /* a semaphore set or message queue changes (kernel/ipc.h) */
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
	struct timespec deadline;	  /* CLOCK_MONOTONIC */
	struct futex_key futex, *futex_v; /* futex_v: futex_waitv's futex_nv keys, owned */
	uint32_t futex_bitset, futex_nv;
	uint64_t sigwait_set; /* BLOCK_SIGNAL, rt_sigtimedwait: blocked signals that wake it */
	const void *ipc_obj;  /* BLOCK_IPC: the set or queue waited on */
	int ipc_semnum;	      /* semop: the semaphore that blocked it (GETNCNT/GETZCNT) */
	bool ipc_zero;	      /* semop: it waits for zero; mq: it receives */
};

/* One syscall in progress: what it keeps across its attempts. A handler
 * that must wait returns SYSRET_BLOCK and, once woken, runs again from the
 * start with `retry` set; these fields carry what the earlier attempts did.
 * Owned by the call, not the task: zeroed when the task enters a syscall
 * stop (run.c) and again when the call's result is given (task_resume), so
 * nothing leaks from one call into the next. State that outlives a call
 * stays in struct task: the mask sigsuspend/ppoll restore after the signal
 * handler (saved_sigmask), the result a job-control stop holds back
 * (pending_result), what the task waits on (block), the stop itself (sc). */
struct syscall_call {
	bool retry;		  /* this attempt runs the call again after a wakeup */
	bool interrupted;	  /* woken by a signal: the call must end (EINTR or restart) */
	bool deadline_set;	  /* `deadline` is the call's timeout (task_deadline) */
	struct timespec deadline; /* CLOCK_MONOTONIC, armed by the first attempt */
	size_t io_done;		  /* bytes a blocking write/send/recv moved before it waited */
	int futex_woken;	  /* a FUTEX_WAKE picked this waiter: 1 + its key's index */
	pid_t vfork_child;	  /* vfork: the child this parent waits for */
	struct offload *offload;  /* a host call running on a helper (offload.c) */
	void *offload_arg;	  /* its argument, when the handler reads it back */
};

enum task_state {
	TASK_RUNNING, /* the stub runs program code; its next stop will tell */
	TASK_BLOCKED, /* stopped in a syscall that waits (t->block) */
	TASK_READY,   /* woken: run the blocked syscall again */
};

struct task {
	struct sentry *s;
	pid_t tid;		/* sandbox tid */
	struct stub_thread *th; /* the platform's; NULL until the first exec */
	struct process *proc;
	struct mm *mm;
	struct fd_table *files;
	struct fs_info *fs;
	uint64_t sigmask;
	struct task_sched sched; /* policy, nice: the sandbox's view (task-sched.h) */
	struct io_context *io;	 /* I/O priority (task-sched.h); NULL: none yet */
	uint64_t saved_sigmask;	 /* sigsuspend/ppoll: restored after the handler */
	bool restore_sigmask;
	stack_t altstack;
	struct sigpending pending; /* thread-directed signals */
	uint64_t clear_child_tid, robust_list, robust_len;
	char comm[16]; /* PR_SET_NAME; valid while comm_mm == mm (exec resets it) */
	const struct mm *comm_mm;
	int pdeath_signal;	  /* PR_SET_PDEATHSIG: sent to its process when the parent ends */
	struct syscall_stop sc;	  /* the syscall being served */
	struct syscall_call call; /* its per-call state (above) */
	enum task_state state;
	struct block block;  /* what the task waits for (TASK_BLOCKED) */
	bool in_syscall;     /* stopped at a syscall stop, result not yet given */
	bool exiting;	     /* being torn down */
	long pending_result; /* result to give when a stopped process continues */
	bool pending_result_set;
	uint64_t fault_addr; /* cr2 of the last synchronous fault */
	uint64_t vsyscall_pending_addr,
	    vsyscall_pending_caller;	      /* site to patch at the next kick */
	struct task *next;		      /* in the sentry's task list */
	struct task **pprev;		      /* the pointer to this task in that list */
	struct id_node tid_node, host_node;   /* s->by_tid, s->by_host_tid (lookup.c) */
	struct deadline wait_dl;	      /* the timed wait's deadline (block.has_deadline) */
	struct task *ready_prev, *ready_next; /* s->ready queue (sched.c) */
	bool on_ready;
	struct task *fdw_prev, *fdw_next; /* s->fd_waiters: block.kind == BLOCK_FD */
	bool on_fdw;
	struct strace_task *strace;	/* --strace: the syscall being traced (strace.c) */
	struct seccomp_filter *seccomp; /* the program's filters, newest first; NULL: none */
};

/* The thread's name (comm): set by PR_SET_NAME, else the program's base name (exec). */
static inline const char *task_comm(const struct task *t)
{
	if (t->comm_mm == t->mm && t->comm[0])
		return t->comm;
	const char *exe = t->mm->exe_path ? t->mm->exe_path : "?";
	const char *slash = strrchr(exe, '/');
	return slash ? slash + 1 : exe;
}

/* What the layers above the kernel provide; set once by sentry_run, frozen, all set. */
struct kernel_hooks {
	/* Serve the syscall in t->sc: its result, or a SYSRET_* code. */
	long (*dispatch)(struct task *t);
	/* A legacy vsyscall the host emulated and seccomp trapped: serve it
	 * and resume the stub. */
	void (*vsyscall_seccomp_stop)(struct task *t);
	/* A SIGSEGV stop: true if it was a call into the vsyscall page and it
	 * was handled (vsyscall=none hosts). */
	bool (*vsyscall_fault_stop)(struct task *t);
	/* Patch the vsyscall call site recorded at an earlier stop. */
	void (*vsyscall_patch_pending)(struct task *t);
	/* Synthesized files (procfs): if `abs` is one, open it into *out (or
	 * set *err to -errno) and return true. */
	bool (*synthetic_open)(struct task *t, const char *abs, int flags, struct file **out,
			       int *err);
	/* Synthesized entries met on a path walk (path.c): if `abs` is one,
	 * return true with *result = the length of the sandbox path a magic
	 * link (/proc/PID/{root,cwd,exe,fd/N}) stands for, in buf, or
	 * -EINVAL for an entry that is not such a link (a directory, a
	 * file, /proc/self), or -errno. */
	bool (*synthetic_link)(struct task *t, const char *abs, char *buf, size_t len,
			       long *result);
	/* Host fds a layer above serves from the event loop (the control
	 * channel): fill at most `max` pollfds, return how many. */
	int (*service_fds)(struct sentry *s, struct pollfd *out, int max);
	/* Those fds after a poll (revents set); must not block. */
	void (*service_ready)(struct sentry *s, const struct pollfd *fds, int n);
	/* A process without a parent in the sandbox (started by the control
	 * channel's exec) has exited with wait status p->exit_status. */
	void (*detached_exit)(struct process *p);
};

/* Events for a tracer (strace); NULL when nobody observes (frozen). */
struct kernel_observer {
	void (*syscall_enter)(struct task *t);		       /* t->sc holds the stop */
	void (*syscall_exit)(struct task *t, long ret);	       /* not for SYSRET_BLOCK */
	void (*syscall_noreturn)(struct sentry *s, pid_t tid); /* t may be gone */
	void (*task_exit)(struct task *t);
	void (*signal)(struct task *t, const siginfo_t *info); /* delivered */
	void (*fault)(struct task *t, int sig, int code, uint64_t addr);
	void (*exec)(struct task *t, const char *path, const struct loader_result *res);
	void (*exec_failed)(struct task *t, const char *path, const struct error *e);
};

/* Report an event to the observer, if any: one predictable branch when off. */
#define KERNEL_OBSERVE(s, event, ...)                                                              \
	do {                                                                                       \
		if (__builtin_expect((s)->observer != NULL, 0))                                    \
			(s)->observer->event(__VA_ARGS__);                                         \
	} while (0)

/* The sentry's context: everything mutable lives here, nothing global. */
struct sentry {
	const struct sentry_config *cfg;
	struct platform *platform;
	int root_fd;	 /* O_PATH fd of the sandbox root */
	char *root_host; /* host path of the root, no trailing slash ("" for "/") */
	struct task *tasks;
	int ntasks; /* tasks in `tasks` (--max-tasks counts them) */
	pid_t next_pid;
	struct id_map by_tid, by_host_tid, by_pid; /* lookup.c */
	struct deadline_heap deadlines;		   /* deadline.c */
	struct task *ready_head, *ready_tail;	   /* woken tasks, in order (sched.c) */
	struct task *fd_waiters;		   /* tasks blocked on host fds */
	struct pollfd *pollset; /* the loop's poll set, kept across passes (sched.c) */
	int pollset_n, pollset_cap;
	bool pollset_dirty; /* fd_waiters changed: rebuild the waiters' part */
	bool finished;
	int exit_status;
	uint64_t warned[SYSCALL_TABLE_SIZE / 64]; /* unsupported syscalls already reported */
	bool warned_int80;
	bool warned_bogus_nr;	      /* a syscall number beyond the table was reported */
	bool warned_fd_budget;	      /* the host's fd limit for msentry ran out */
	struct lock_desc *lock_descs; /* POSIX record locks' descriptions (fd.c) */
	struct unix_name *unix_names; /* bound AF_UNIX sockets (sys_socket.c) */
	bool warned_vsyscall;	      /* --vsyscall=none refusal already explained */
	char *scratch;		      /* bounce buffer for copying program I/O */
	size_t scratch_size;
	cpu_set_t cpus;		  /* CPUs the program is told it may use */
	struct loader_vdso *vdso; /* &vdso_state->map, or NULL */
	struct vdso *vdso_state;  /* sentry/clock/clock.h: memfd, parameter page, clock */
	/* Offsets in the vDSO of __vdso_gettimeofday, __vdso_time and
	 * __vdso_getcpu (vsyscall slots 0, 1, 2); 0: do not patch to it. */
	uint64_t vsyscall_targets[3];
	uint64_t hwcap, hwcap2, minsigstksz;
	/* The capabilities msentry itself runs with: the sandbox's root never
	 * has one of these that msentry lacks (e.g. CAP_SYS_NICE in a
	 * container that dropped it). */
	uint64_t host_caps;
	/* msentry's own sets at start, before the sentry dropped those it
	 * does not need (sentry/guard.c): what an unconfigured sandbox
	 * starts from, so the program's view does not depend on the drop. */
	struct caps host_caps_start;
	uint64_t kcmp_key[2]; /* random, set at start: kcmp's order (sys_kcmp.c) */
	/* Tests only (MSENTRY_TEST_FORBIDDEN_SYSCALL=N): the Nth execve
	 * makes a host syscall the sentry's own filter forbids. */
	int test_trip_execs;
	struct shm_segment *shm; /* the sandbox's System V segments (shm.c) */
	/* The rest of the IPC namespace (kernel/ipc.h); new ids from the
	 * counters, or from the parameters' *_next_id. */
	struct sem_set *sem;
	struct msg_queue *msg;
	int shm_id_counter, sem_id_counter, msg_id_counter;
	struct ipc_limits *ipc;	    /* its kernel parameters (ipc-limits.c) */
	struct mqueue *mqueues;	    /* the named POSIX queues */
	int mqueue_count;	    /* every POSIX queue, named or still open */
	int sigchld_fd;		    /* signalfd for SIGCHLD (stub stops) while tasks wait on fds */
	size_t xstate_size;	    /* bytes of the XSAVE area (signal frames) */
	struct process *init;	    /* the sandbox's first process */
	struct signalfd *signalfds; /* every open signalfd (signalfd.c) */
	struct pidfd *pidfds;	    /* every open pidfd (pidfd.c) */
	struct strace *strace;	    /* --strace state; NULL (and frozen) when off */
	const struct kernel_hooks *hooks;
	const struct kernel_observer *observer; /* NULL: nobody traces */
	char nodename[65], domainname[65];	/* UTS names (sethostname's, not the host's) */
	struct keys *keys;			/* the key retention service (keys.c), or NULL */
	/* The host identity the sentry's thread uses for file access now
	 * (creds.c): switched to the running task's when `switch_ids`. */
	bool switch_ids;
	uid_t fs_uid;
	gid_t fs_gid;
	gid_t *fs_groups;
	int fs_ngroups;
	struct mount_table *mounts; /* mount.c; the program's mount(2): mount-change.c */
	struct tty *ttys;	    /* the sandbox's view of its terminals (tty.c) */
	/* The control channel (sentry/control/); NULL without one. While it
	 * exists the loop always polls, so that its fds are served. */
	struct control *control;
	/* Paused (kernel_freeze): no program code runs; stops that arrive
	 * are kept in `parked` and handled at kernel_thaw. */
	bool frozen;
	struct stop *parked;
	size_t n_parked, cap_parked;
};

/* ---- terminals: session, foreground group (tty.c) ---- */
/* The sentry's host controlling terminal (one of fds 0-2) becomes pid 1's. */
void tty_init(struct sentry *s);
void tty_release_all(struct sentry *s);
/* The foreground group of pid 1's terminal; 0 if it has none. */
pid_t tty_foreground(struct sentry *s);
/* Send `sig` to the foreground group of the terminal controlling p's
 * session; false (nothing sent) if it has none. */
bool tty_signal_foreground(struct process *p, int sig);
/* Terminal `f` becomes the controlling terminal of p's session (p leads
 * it), p's group its foreground group. 0, -ENOTTY or -EPERM. */
int tty_take(struct process *p, struct file *f);
/* TIOCGPGRP, TIOCSPGRP, TIOCGSID, TIOCSCTTY, TIOCNOTTY on `f`. */
long tty_ioctl(struct task *t, struct file *f, unsigned long req, uint64_t arg);
/* Before a read (write: false) or write of `f`: 0 to go on, or what the
 * call returns (a background job: SIGTTIN/SIGTTOU and SYSRET_RESTARTSYS,
 * or -EIO). */
long tty_check_io(struct task *t, struct file *f, bool write);

/* ---- program memory (usermem.c) ---- */
int task_read(struct task *t, uint64_t addr, void *buf, size_t len);
int task_write(struct task *t, uint64_t addr, const void *buf, size_t len);
/* A NUL-terminated string of at most `max` bytes (with NUL): length/-EFAULT/-ENAMETOOLONG. */
long task_read_string(struct task *t, uint64_t addr, char *buf, size_t max);
/* A path argument: 0 or -EFAULT/-ENAMETOOLONG/-ENOENT (empty). `buf` PATH_MAX. */
int task_read_path(struct task *t, uint64_t addr, char *buf);

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
/* Queue a task to run its syscall again (state TASK_READY); every wakeup
 * goes through here, so the loop runs only the tasks that were woken. */
void task_make_ready(struct task *t);
/* Forget a task the loop may have queued (it is being freed). */
void sched_forget(struct task *t);
/* Wake up to `max` tasks blocked with `kind` (not futexes: futex_wake_addr); how many. */
int task_wake_all(struct sentry *s, enum block_kind kind, int max);
/* Finish the current syscall of a stopped task with `ret` and let it run. */
void task_resume(struct task *t, long ret);
/* Let a task stopped outside a syscall (signal stop) run again. */
void task_continue(struct task *t);
/* Make a running task stop so the sentry can act on it (signal, exit). */
void task_kick(struct task *t);
void sentry_loop(struct sentry *s);
/* Pause every task: running ones are kicked and their stops kept, woken
 * ones are not run, no signal is delivered, until kernel_thaw. Timers
 * keep counting; the service fds keep being served. */
void kernel_freeze(struct sentry *s);
void kernel_thaw(struct sentry *s);
/* run.c: serve the syscall t->sc (again); handle one stub stop. */
void sentry_run_syscall(struct task *t);
void sentry_handle_stop(struct sentry *s, const struct stop *st);
/* Forward signals that msentry itself received to the sandbox. */
void sentry_take_host_signals(struct sentry *s);
/* Record msentry's own signals for forwarding; SIGCHLD through a signalfd. */
void sentry_setup_host_signals(struct sentry *s);

/* ---- signals (signal.c) ---- */
#define SIGBIT(sig) (1ULL << ((sig)-1))
/* Signals no mask can block. */
#define SIG_UNBLOCKABLE (SIGBIT(SIGKILL) | SIGBIT(SIGSTOP))
/* kill(2): pid > 0, a process group (0: the caller's, < -1), or -1
 * (everyone but init and the caller, then the caller). 0 or -errno. */
long signal_kill(struct task *t, pid_t pid, int sig);
/* tgkill/tkill (tgid 0: any process). 0, SYSRET_NORETURN, or -errno. */
long signal_tkill(struct task *t, pid_t tgid, pid_t tid, int sig);
/* rt_sigreturn: SYSRET_REGS (or the task got SIGSEGV for a bad frame). */
long signal_return(struct task *t);
/* ITIMER_REAL of a process: what is left, and arming it (0: disarm). */
void process_alarm_remaining(const struct process *p, struct itimerval *out);
void process_alarm_set(struct process *p, const struct itimerval *v);
void signal_send_process(struct process *p, int sig, const siginfo_t *info);
void signal_send_task(struct task *t, int sig, const siginfo_t *info);
/* EPIPE from a write: the writer gets SIGPIPE, as on Linux. */
void signal_raise_sigpipe(struct task *t);
/* A fault raised by the host while the program ran (SIGSEGV...). */
void task_force_signal(struct task *t, int sig, int code, uint64_t addr);
/* The same with a full siginfo (seccomp's SIGSYS); `to_default` also
 * resets a handled signal to its default action (a seccomp kill). */
void task_force_siginfo(struct task *t, const siginfo_t *si, bool to_default);
/* Deliver pending signals to a task stopped in the sentry, before it runs
 * again; may end the task (returns false then). */
enum deliver_result {
	DELIVER_GONE,	    /* the task ended (default action) */
	DELIVER_SET_RESULT, /* resume with *syscall_ret in RAX */
	DELIVER_KEEP_REGS,  /* registers are set (frame or restart): leave RAX */
};
enum deliver_result signal_deliver_pending(struct task *t, bool in_syscall, long *syscall_ret);
bool signal_is_ignored(struct process *p, int sig);
/* Linux's check_kill_permission between two sandbox processes. */
bool signal_may_kill(const struct process *from, const struct process *to, int sig);
/* A real-time signal with a code other than SI_USER that u's RLIMIT_SIGPENDING
 * has no room for: Linux refuses it (EAGAIN) rather than drop it. */
bool signal_queue_full(const struct task *u, int sig, int code);
/* Free the queued real-time signals of a pending set. */
void sigpending_release(struct sigpending *q);
/* A signal is pending for t (thread or process) that its mask lets in: a
 * wait that starts now must end at once, as Linux's signal_pending(). */
bool signal_deliverable(const struct task *t);
/* Take a pending signal of `t` (thread-directed first) that is in `set`,
 * whether blocked or not: sigtimedwait and signalfd. 0 if none. */
int signal_dequeue_set(struct task *t, uint64_t set, siginfo_t *info);

/* ---- signalfd (signalfd.c) ---- */
/* A signal was queued: signalfds that read it become readable. */
void signalfd_notify(struct sentry *s, int sig);
/* Make the readiness eventfd of signalfd `f` match the pending signals of
 * the tasks holding it; _all: every signalfd in t's fd table. */
void signalfd_sync(struct task *t, struct file *f);
void signalfd_sync_all(struct task *t);
long signalfd_read(struct task *t, struct file *f, uint64_t buf, size_t count);
/* signalfd4 after its checks: fd -1 installs a new signalfd for `mask`
 * (SIGKILL and SIGSTOP dropped), otherwise fd's mask changes (-EBADF,
 * -EINVAL if fd is no signalfd). The fd, or -errno. */
long signalfd_install(struct task *t, int fd, uint64_t mask, int flags);
void signal_reset_on_exec(struct process *p);
/* Let the tasks of continued process `p` (NULL: of every process no longer
 * stopped) that wait in a job-control stop run again. */
void signal_thaw_continued(struct sentry *s, struct process *p);

/* ---- futexes (futex.c) ---- */
/* FUTEX_WAKE on `addr` as seen by `t` (shared or private key); woken count. */
int futex_wake_addr(struct task *t, uint64_t addr, bool private_key, int max);
/* The same for waiters whose bitset meets `bitset`. */
int futex_wake_bitset(struct task *t, uint64_t addr, bool private_key, uint32_t bitset, int max);
/* Wait while *addr == expected (else -EAGAIN) for a wake meeting `bitset`, the timeout
 * at `timeout_addr` (0: none; relative unless `absolute`; on `clk`), a signal. 0/-errno. */
long futex_wait(struct task *t, uint64_t addr, uint32_t expected, uint64_t timeout_addr,
		uint32_t bitset, bool absolute, clockid_t clk, bool private_key);
/* futex_waitv(2) on the `n` struct futex_waitv at `uv`: the woken index or -errno. */
long futex_waitv(struct task *t, uint64_t uv, uint32_t n, uint64_t timeout_addr, clockid_t clk);
/* FUTEX_REQUEUE/CMP_REQUEUE: wake nr_wake waiters at `addr` and move up to
 * nr_requeue others to `addr2` (compare: only if *addr == cmpval). */
long futex_requeue(struct task *t, uint64_t addr, int nr_wake, int nr_requeue, uint64_t addr2,
		   bool compare, uint32_t cmpval, bool private_key);

/* Whether p's effective set holds `cap`: enough for what only the
 * sandbox's view decides (its ids, signals between its processes). */
static inline bool caps_has(const struct process *p, int cap)
{
	return (p->caps.eff >> cap) & 1;
}

/* Whether t may use capability `cap` (CAP_SYS_NICE...) for something the
 * host then does: in its effective set, and only if msentry has it too. */
static inline bool task_capable(const struct task *t, int cap)
{
	return caps_has(t->proc, cap) && (t->s->host_caps & (1ULL << cap));
}

/* ---- host calls off the sentry's thread (offload.c) ---- */
/* Run fn(arg) (a blocking host call: 0 or -errno) on a helper thread; the
 * task waits, uninterruptibly, and the syscall is run again when it is
 * done. Returns SYSRET_BLOCK until then, then fn's result. `arg` must stay
 * valid until fn returns (fn may free it). */
long task_offload(struct task *t, long (*fn)(void *), void *arg);
/* The same for a call that a signal interrupts in Linux (opening a FIFO or
 * a leased file): a signal for the task ends fn's host call with EINTR and
 * the syscall with SYSRET_RESTARTSYS, unless fn finished first. */
long task_offload_interruptible(struct task *t, long (*fn)(void *), void *arg);
/* The signal that cancels a helper's call; its no-op handler is installed
 * by offload_setup() at start-up. */
#define OFFLOAD_CANCEL_SIGNAL (SIGRTMAX - 2)
/* A task that ends while its call is on a helper: cancel the call (a
 * blocked flock or FIFO open must not go on for nobody). */
void offload_abandon(struct task *t);
void offload_setup(void);

/* ---- System V shared memory (shm.c): the sandbox's own namespace ---- */
/* shmget, shmat, shmdt, shmctl after argument decoding: ids, addresses or
 * -errno, as Linux. */
long shm_get(struct task *t, key_t key, size_t size, int flags);
long shm_attach(struct task *t, int id, uint64_t addr, int flags);
long shm_detach(struct task *t, uint64_t addr);
long shm_control(struct task *t, int id, int cmd, uint64_t buf);
/* An address space copied by fork keeps the attachments; one that goes
 * (exit, exec) drops them. */
void shm_mm_copy(struct mm *dst, const struct mm *src);
void shm_mm_release(struct sentry *s, struct mm *mm);
/* Every segment, when the sandbox ends. */
void shm_release_all(struct sentry *s);

/* ---- processes (process.c) ---- */
/* The clone flags the kernel implements (namespaces and pidfds are not). */
#define KERNEL_CLONE_FLAGS                                                                         \
	(CSIGNAL | CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_PTRACE |              \
	 CLONE_VFORK | CLONE_PARENT | CLONE_THREAD | CLONE_SYSVSEM | CLONE_SETTLS |                \
	 CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID | CLONE_DETACHED | CLONE_UNTRACED |            \
	 CLONE_CHILD_SETTID | CLONE_IO)
/* The namespace flags: a new namespace is refused (process.c). */
#define SANDBOX_NAMESPACE_FLAGS                                                                    \
	(CLONE_NEWNS | CLONE_NEWCGROUP | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER |             \
	 CLONE_NEWPID | CLONE_NEWNET | 0x80 /* CLONE_NEWTIME */)
/* unshare(2): a private fd table or fs state, SysV undo detached; the
 * thread group, address space and handlers only when not shared; a new
 * namespace refused as clone refuses it. 0 or -errno. */
long task_unshare(struct task *t, uint64_t flags);
/* clone/fork/vfork: a new task (thread or process); its tid, or -errno.
 * With CLONE_VFORK the caller then waits (SYSRET_BLOCK) until the child
 * execs or exits. */
long task_clone(struct task *t, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t ctid,
		uint64_t tls);
/* exit(2) of one thread: the process ends with its last thread. */
void task_exit(struct task *t, int wait_status);
/* Find a child of t matching `pid` (wait4's encoding) whose state can be
 * reported under `options` (WEXITED, WUNTRACED, WCONTINUED); `consume`
 * reaps it or clears its report. 0 found, -ECHILD none at all, -EAGAIN
 * some but none ready. */
int process_find_waitable(struct task *t, pid_t pid, int options, bool consume,
			  struct wait_result *out);
/* execve/execveat from program memory: SYSRET_NORETURN (t runs the new
 * program) or -errno (t is untouched). */
long task_execve(struct task *t, int dirfd, uint64_t path_addr, uint64_t argv_addr,
		 uint64_t envp_addr, int flags);
struct process *process_by_pid(struct sentry *s, pid_t pid);
/* Linux's ptrace_may_access(PTRACE_MODE_ATTACH_REALCREDS) of t on p, in
 * the sandbox's credentials (pidfd_getfd, process_vm_readv/writev). */
bool process_may_attach(const struct task *t, const struct process *p);
struct task *task_by_tid(struct sentry *s, pid_t tid);
/* ITIMER_REAL expired (deadline.c): SIGALRM, and the next period. */
void process_alarm_expired(struct process *p, const struct timespec *now);
/* A process exits: its itimers and POSIX timers stop (exit_itimers), off the deadline heap. */
void process_timers_exit(struct process *p);
/* RLIMIT_CPU changed or the process is new: arm its check at the soft limit (timers.c). */
void process_cpu_limit_arm(struct process *p);
/* POSIX timer `id` of t's process, or NULL if it does not exist. */
struct ptimer *process_timer(struct task *t, uint64_t id);
/* Time left on a timer (0 if disarmed); arm it (absolute: it_value is a
 * time on the timer's clock). */
void ptimer_remaining(const struct ptimer *pt, struct itimerspec *out);
void ptimer_set(struct process *p, struct ptimer *pt, const struct itimerspec *next, bool absolute);
/* timer_delete: the slot is free again. */
void ptimer_delete(struct process *p, struct ptimer *pt);
/* A timer's signal is being dequeued: fill in its overrun count (Linux
 * does this at dequeue, and timer_getoverrun then reports it). */
void ptimer_dequeued(struct process *p, siginfo_t *info);
/* A POSIX timer's deadline passed: its signal, and the next period. */
void ptimer_expired(struct process *p, int id, const struct timespec *now);

/* ---- lookup by id (lookup.c) ---- */
void idmap_insert(struct id_map *m, struct id_node *n, int32_t key);
void idmap_remove(struct id_map *m, struct id_node *n); /* no-op if not in */
struct id_node *idmap_find(const struct id_map *m, int32_t key);
void idmap_release(struct id_map *m);
/* A task's stub changed (clone, exec): index it under the new host tid. */
void task_index_host(struct task *t);

/* ---- the --debug dump (dump.c) ---- */
/* One line per task and per zombie on stderr; never blocks on a task. */
void kernel_dump(struct sentry *s);

/* ---- deadlines (deadline.c) ---- */
/* Arm (or move) `d` to `when`; cancel it (no-op if not armed). */
void deadline_arm(struct deadline_heap *h, struct deadline *d, const struct timespec *when);
void deadline_cancel(struct deadline_heap *h, struct deadline *d);
/* The nearest armed deadline, or NULL. */
struct deadline *deadline_first(const struct deadline_heap *h);
void deadline_release(struct deadline_heap *h);

/* ---- credentials (creds.c) ---- */
/* The first process's ids and groups: the configured ones, or msentry's. */
void creds_init(struct process *p, const struct sentry_config *cfg);
/* A forked process's copy of its parent's. */
void creds_copy(struct process *dst, const struct process *src);
void creds_release(struct process *p);
/* setgroups: the new list (n entries, copied). */
void creds_set_groups(struct process *p, const gid_t *groups, int n);
/* Whether gid is the process's effective or a supplementary group. */
bool creds_in_group(const struct process *p, gid_t gid);
/* Make the sentry thread's host file-access identity (fsuid, fsgid,
 * groups) the task's before it serves a syscall of t's; _host: back to
 * msentry's own (teardown). No-op unless the sentry may switch. */
void creds_enter(struct task *t);
/* For access(2) and faccessat without AT_EACCESS: the thread takes t's
 * real ids until the next creds_enter(). */
void creds_enter_real(struct task *t);
/* After a change of p's effective ids: the file-system ids follow. */
void creds_fs_follow(struct process *p);
void creds_enter_host(struct sentry *s);
/* At start: whether the sentry may switch, and its own identity; at the
 * end: back to it. */
void creds_setup(struct sentry *s);
void creds_teardown(struct sentry *s);

/* ---- capabilities (caps.c) ---- */
/* A new process's sets (the first one, or one the control channel
 * starts): the configured ones or msentry's own, then the exec rules. */
void caps_init(struct process *p, const struct sentry_config *cfg);
/* msentry's own five sets, as the host reports them now. */
void caps_read_host(struct caps *c);
/* Linux's execve transition without file capabilities. */
void caps_exec(struct process *p);
/* setfsuid moved p's fsuid from `old_fsuid`: leaving 0 drops the file
 * capabilities from the effective set, coming back to 0 restores them
 * from the permitted set (Linux's cap_task_fix_setuid). */
void caps_fsuid_changed(struct process *p, uid_t old_fsuid);
/* Linux's fixup after a uid change (old real, effective, saved uids). */
void caps_uid_changed(struct process *p, uid_t old_r, uid_t old_e, uid_t old_s);
/* capget/capset, and prctl's PR_CAPBSET_READ/DROP and PR_CAP_AMBIENT. */
long caps_capget(struct task *t, uint64_t hdr_addr, uint64_t data_addr);
long caps_capset(struct task *t, uint64_t hdr_addr, uint64_t data_addr);
long caps_prctl(struct task *t, const uint64_t *a);

/* ---- tasks (task.c) ---- */
struct task *task_by_host_tid(struct sentry *s, pid_t tid);
/* Put a new task in the sentry's list and indexes; take it out. */
void task_link(struct task *t);
void task_unlink(struct task *t);
struct task *task_create_init(struct sentry *s, const char *cwd, mode_t umask_value);
/* A new process with no parent in the sandbox (as runsc's exec: its ppid
 * is 0), in its own session, with the given credentials and host fds
 * (dup'd) as its fds 0..n-1; resource limits from the init. Load a
 * program with task_exec, then platform_resume its thread. */
struct task_spawn {
	const char *cwd;
	mode_t umask;
	uid_t uid;
	gid_t gid;
	const int *fds;
	int n_fds;
};
struct task *task_create_detached(struct sentry *s, const struct task_spawn *sp);
/* A fresh address space running `path` (dirfd `base`: AT_FDCWD or
 * PATH_AT_SANDBOX); on failure t is untouched. 0 or -errno, `e` set. */
int task_exec(struct task *t, int base, const char *path, const char *const *argv,
	      const char *const *envp, struct error *e);
void task_exit_group(struct task *t, int wait_status);

#endif
