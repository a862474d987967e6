/* platform: where program code runs. This header is the whole interface
 * between the sentry and a platform; the sentry includes nothing else of
 * platform/ (scripts/check-layout.py holds it to that).
 *
 * What a platform does, as gVisor divides the work: it provides address
 * spaces and threads that run the program's own machine code, stops a
 * thread at each of its syscalls (and at faults and signals) and tells the
 * sentry why it stopped, lets the sentry read and change the stopped
 * thread's registers and its address space's memory, resumes it, and
 * builds the address space's memory on the sentry's command (the typed
 * mmap/munmap/... calls). It never serves a program syscall itself: that
 * is the sentry's job, for every one of them.
 *
 * The model every implementation keeps:
 *  - One sentry thread makes every call. A `struct stub_thread` is a
 *    handle the platform allocates and frees; its contents are the
 *    platform's, and the sentry reaches them only through these calls.
 *  - A thread is either running program code or stopped. Registers,
 *    memory writes through the typed calls, and resuming are for stopped
 *    threads; platform_kick makes a running one stop.
 *  - Address spaces and threads are named to the host by host pids/tids
 *    (platform_thread_tid): stops carry them, memory is read through them,
 *    and the host's accounting (mappings, CPU use) is asked for by them.
 *  - Program memory lies below PROGRAM_ADDR_LIMIT; what a platform keeps
 *    for itself lies above it and never shows in platform_for_each_mapping.
 *  - Results are 0/values or -errno, never a host errno left in `errno`.
 *
 * The implementation today is platform/ptrace/: every address space is a
 * host process (a "stub") cloned from a pristine factory stub and holding
 * nothing but the program's memory and one page of stub code; a thread is
 * resumed with PTRACE_SYSEMU, so a program syscall stops before the host
 * runs it (or even seccomp sees it); the typed calls are injected through
 * the stub page, and the stub's seccomp filter, built from the same table
 * as those calls (platform/ptrace/inject.c), kills the stub on anything
 * else. A second implementation (systrap: a seccomp RET_TRAP filter and a
 * SIGSYS handler in stub code that hands the registers to the sentry
 * through shared memory) provides the same functions under the same names;
 * the registers then live in that shared memory instead of a ptrace cache.
 * One ptrace-ism is still outside this header: stub stops raise SIGCHLD,
 * which the sentry's loop polls with a signalfd (kernel/run.c, sched.c)
 * while tasks wait on fds; systrap will need a platform wakeup fd there.
 */
#ifndef MSENTRY_PLATFORM_H
#define MSENTRY_PLATFORM_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/user.h>
#include <time.h>

#include "util/util.h"

/* Program memory must stay below this address (the sentry's mm code
 * enforces it); the platform's own pages lie above: the systrap slots
 * (256 MiB) and the stub page just below TASK_SIZE (0x7ffffffff000 with
 * 4-level paging). */
#define PROGRAM_ADDR_LIMIT 0x7fffe0000000UL
/* ...and at or above this one when placed with MAP_FIXED (mmap, mremap,
 * shmat, the loader): Linux refuses addresses below vm.mmap_min_addr
 * (64 KiB by default) to a process without CAP_SYS_RAWIO, so that a kernel
 * NULL dereference cannot be steered. The stubs run with the sentry's host
 * credentials, root as often as not, which the host would let map page 0;
 * the platform refuses with EPERM whatever the program's capabilities. */
#define PROGRAM_ADDR_MIN 0x10000UL

struct platform;

/* One host thread of a stub, driven by the sentry: a handle the platform
 * allocates (platform_new_address_space, platform_fork, platform_new_thread)
 * and frees (platform_thread_free). Its contents are the platform's; the
 * sentry reads registers and the host tid through the calls below. */
struct stub_thread;

/* ---- the platform ---- */

/* Create the platform: pins the sentry to the CPU it runs on (so tracer
 * and stubs share a CPU: a cross-CPU wakeup costs ~50 us on the VMs we
 * target) and forks the pristine factory stub from which every address
 * space is cloned. (platform/ptrace/cpu.c may later move them all to a
 * less busy CPU.) */
enum platform_kind {
	PLATFORM_PTRACE,  /* every stop a ptrace stop (PTRACE_SYSEMU) */
	PLATFORM_SYSTRAP, /* syscalls trapped in the stub, answered through shared memory */
};
int platform_create(struct platform **out, enum platform_kind kind, struct error *e);
/* An fd that becomes readable when a stub has something to report that
 * platform_wait would otherwise only see after the next SIGCHLD (systrap);
 * -1 if stops always raise SIGCHLD (ptrace). The sentry polls it with its
 * other fds; platform_wait drains it. */
int platform_wakeup_fd(const struct platform *p);
void platform_destroy(struct platform *p);

/* Call once per stop, with the stopped thread: now and then checks whether
 * other tasks crowd the sentry's CPU and moves the sentry (and, lazily, its
 * stubs) to an idle one. */
void platform_tick(struct platform *p, pid_t tid);

/* ---- address spaces and threads ---- */

/* A fresh, empty address space: a stopped stub process cloned from the
 * factory. Its thread is returned in `*th` and is ready for register setup
 * (platform_set_regs). */
int platform_new_address_space(struct platform *p, struct stub_thread **th, struct error *e);

/* Fork the address space of `parent` (copy-on-write, by the host kernel):
 * the new stub process's thread is returned in `*child`, stopped, with the
 * registers of the stub code (set them before resuming it). 0 or -errno. */
int platform_fork(struct stub_thread *parent, struct stub_thread **child);
/* A new thread in the address space of `th`'s stub, as for platform_fork.
 * 0 or -errno. */
int platform_new_thread(struct stub_thread *th, struct stub_thread **child);

/* The host tid of a stub thread (memory access, matching stops to
 * threads); -1 once it is gone, or for NULL. */
pid_t platform_thread_tid(const struct stub_thread *th);
/* The host pid of the stub process `th` belongs to, which names its
 * address space (platform_kill, platform_for_each_mapping, the CPU clock):
 * on ptrace its first thread's tid, on systrap its control thread's. */
pid_t platform_space_pid(const struct stub_thread *th);
/* The host thread died (a STOP_EXITED stop): the calls below then fail or
 * do nothing, and never reach another host thread by its old tid. */
void platform_thread_exited(struct stub_thread *th);
/* Free the handle (NULL: nothing), without touching the host thread: after
 * platform_end_thread, platform_kill of its process, or its exit. */
void platform_thread_free(struct stub_thread *th);

/* End one thread of a stub process whose other threads live on (injected
 * exit). Running or stopped, whatever the platform last saw: it never waits
 * for a stop that cannot come, nor for the exit of a thread-group leader
 * (reported only when its whole group is gone). */
void platform_end_thread(struct stub_thread *th);
/* Kill the stub process of `threads` (all of its threads the sentry knows)
 * and reap them, leader last; each is then gone. For a whole process that
 * exits: no thread needs to stop first. Nothing is killed when none of
 * them is alive any more. */
void platform_kill_threads(struct stub_thread *const *threads, size_t n);
/* Kill a whole stub process (SIGKILL) and reap what is ours to reap. */
void platform_kill(pid_t tid);

/* ---- running, and why a thread stopped ---- */

/* What a stub stopped for. */
enum stop_kind {
	STOP_SYSCALL,	 /* program syscall: read it with platform_syscall_info() */
	STOP_VSYSCALL,	 /* seccomp RET_TRACE for a vsyscall emulated by the host kernel */
	STOP_SIGNAL,	 /* a signal (fault or external) is about to be delivered */
	STOP_NEW_THREAD, /* first stop of an auto-attached new stub thread/process */
	STOP_EXITED,	 /* the host thread is gone: exited or killed */
	STOP_OTHER,	 /* anything else (event stops): just resume */
};

struct stop {
	pid_t tid;
	enum stop_kind kind;
	int sig;    /* STOP_SIGNAL: the signal; STOP_EXITED: killing signal or 0 */
	int status; /* raw wait status */
};

/* A syscall stop as PTRACE_GET_SYSCALL_INFO reports it. */
struct syscall_stop {
	uint64_t nr;
	uint64_t args[6];
	uint64_t ip, sp;
	bool is_32bit; /* int $0x80 from 64-bit code */
};

/* Wait for the next stop of any stub. Returns 0, or -errno (ECHILD: none left;
 * EINTR: interrupted; EAGAIN with nohang and nothing pending). */
int platform_wait(struct platform *p, struct stop *s, bool nohang);
/* Classify a raw wait status of `tid`. */
void platform_classify(pid_t tid, int status, struct stop *s);

/* The syscall of a STOP_SYSCALL stop. 0 or -errno. */
int platform_syscall_info(struct stub_thread *th, struct syscall_stop *out);
/* The siginfo of a STOP_SIGNAL stop. 0 or -errno. */
int platform_get_siginfo(struct stub_thread *th, siginfo_t *si);

/* Resume after a syscall stop with `result` in RAX, or after a signal stop
 * (signal always suppressed: the sentry emulates signals). */
int platform_resume(struct stub_thread *th, bool set_result, long result);
/* Make a thread that runs program code stop soon: its next stop is a
 * STOP_SIGNAL (SIGURG) that the sentry discards. Nothing if it is gone. */
void platform_kick(struct stub_thread *th);
/* The sentry's loop got `st` (from platform_wait) for th: th is now in
 * that stop, or gone. Call it for every stop of a known thread. */
void platform_note_stop(struct stub_thread *th, const struct stop *st);

/* ---- registers of a stopped thread ---- */

/* The registers: read from the host at the first call after a stop, then
 * kept until the thread runs again. 0 or -errno. */
int platform_get_regs(struct stub_thread *th, struct user_regs_struct *out);
/* Give the thread new registers: they are written to the host when it is
 * resumed. (Changes to RAX alone are cheaper through platform_resume's
 * result.) */
void platform_set_regs(struct stub_thread *th, const struct user_regs_struct *in);
/* Extended FPU state (XSAVE area) for signal frames. Returns size or -errno. */
long platform_get_fpstate(struct stub_thread *th, void *buf, size_t len);
int platform_set_fpstate(struct stub_thread *th, const void *buf, size_t len);

/* ---- memory of an address space, by the host tid of one of its threads ---- */

/* Copy memory from/to the stub's address space. 0 or -EFAULT. */
int platform_read(pid_t tid, uint64_t addr, void *buf, size_t len);
int platform_write(pid_t tid, uint64_t addr, const void *buf, size_t len);
/* Write ignoring page protections (loader use: read-only segments). */
int platform_write_force(pid_t tid, uint64_t addr, const void *buf, size_t len);
/* Read a NUL-terminated string of at most `max` bytes (incl. NUL).
 * Returns its length, -EFAULT, or -ENAMETOOLONG. */
long platform_read_string(pid_t tid, uint64_t addr, char *buf, size_t max);

/* ---- building the address space: the typed calls ---- */

/* These run the host syscall of the same name in the address space of
 * `th` (stopped; its registers are kept) and return its raw result, -errno
 * on failure. The caller keeps ranges below PROGRAM_ADDR_LIMIT. `fd` of
 * platform_mmap is a host fd of the sentry's (the stub shares its fd
 * table), -1 for anonymous memory. Arguments have the host kernel's types,
 * so program values pass unchanged. With the clones and exits behind
 * platform_fork/platform_new_thread/platform_end_thread, they are the only
 * syscalls a stub ever makes: the stub's seccomp allow-list is defined with
 * them (platform/ptrace/inject.c), and nothing else can be injected. */
long platform_mmap(struct stub_thread *th, uint64_t addr, uint64_t len, uint64_t prot,
		   uint64_t flags, int fd, uint64_t off);
long platform_munmap(struct stub_thread *th, uint64_t addr, uint64_t len);
long platform_mprotect(struct stub_thread *th, uint64_t addr, uint64_t len, uint64_t prot);
long platform_mremap(struct stub_thread *th, uint64_t addr, uint64_t old_len, uint64_t new_len,
		     uint64_t flags, uint64_t new_addr);
long platform_madvise(struct stub_thread *th, uint64_t addr, uint64_t len, int advice);
long platform_msync(struct stub_thread *th, uint64_t addr, uint64_t len, int flags);
long platform_mlock(struct stub_thread *th, uint64_t addr, uint64_t len);
long platform_munlock(struct stub_thread *th, uint64_t addr, uint64_t len);
long platform_mlock2(struct stub_thread *th, uint64_t addr, uint64_t len, unsigned flags);
/* mincore in the stub: `vec` is an address in the program's memory. */
long platform_mincore(struct stub_thread *th, uint64_t addr, uint64_t len, uint64_t vec);
/* mlockall/munlockall of the stub: the program's whole address space (and
 * the stub's one page), MCL_FUTURE for what is mapped into it later. */
long platform_mlockall(struct stub_thread *th, int flags);
long platform_munlockall(struct stub_thread *th);
/* Register the program's rseq area for `th` with the host kernel, which then
 * keeps its cpu_id current and aborts critical sections itself. */
long platform_rseq(struct stub_thread *th, uint64_t area, uint32_t len, int flags, uint32_t sig);
/* membarrier(2) made by `th`'s stub: registrations and private barriers
 * apply to the stub's address space, as they would to a native process. */
long platform_membarrier(struct stub_thread *th, int cmd, unsigned flags, int cpu_id);
/* A host userfaultfd made by `th`'s stub, so it is bound to the stub's
 * address space (the program's memory): a host fd of the sentry's, always
 * O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY (the one value the stub's
 * filter allows). User mode only: a fault that the host kernel itself takes
 * on that memory (the sentry's platform_read/platform_write, an injected
 * call) fails with EFAULT instead of waiting for a resolution that only the
 * waiting sentry could bring. fd or -errno. */
long platform_userfaultfd(struct stub_thread *th);
/* ioctl(fd, UFFDIO_MOVE, arg) made by `th`'s stub: Linux moves pages only
 * within the calling process's own address space, so the call must come
 * from the stub. `arg` is the program's struct uffdio_move, in its memory;
 * `fd` a uffd of the sentry's. 0 or -errno. */
long platform_uffd_move(struct stub_thread *th, int fd, uint64_t arg);

/* ---- what the host knows about a stub ---- */

/* One mapping of a stub's address space, as the host kernel lists it. */
struct platform_mapping {
	uint64_t start, end;   /* [start, end) */
	char perms[8];	       /* "rwxp": 's' last for MAP_SHARED */
	uint64_t offset;       /* in the file */
	unsigned major, minor; /* device of the file, 0:0 for anonymous memory */
	uint64_t inode;
	const char *path; /* host path, a host label ("[heap]"), or "" */
};
/* Call fn for each mapping of the program in stub process `stub`, in
 * address order, until it returns nonzero. The platform's own pages (the
 * stub page, the host's vsyscall page) are left out. 0, fn's nonzero
 * result, or -errno if the map cannot be read. */
int platform_for_each_mapping(pid_t stub, int (*fn)(void *ctx, const struct platform_mapping *m),
			      void *ctx);

/* Call fn for each mapping of the program in stub process `stub` with the
 * host's smaps detail of it (the "Key: value" lines after the mapping's
 * own line, newline-terminated), leaving out the platform's pages as
 * platform_for_each_mapping does. 0, fn's nonzero result, or -errno. */
int platform_for_each_smap(pid_t stub,
			   int (*fn)(void *ctx, const struct platform_mapping *m,
				     const char *detail),
			   void *ctx);
/* The host's text of the stub's memory accounting `entry` ("status",
 * "statm" or "smaps_rollup"), appended to `out`; it counts the
 * platform's one stub page too. 0 or -errno. */
struct strbuf;
int platform_memory_text(pid_t stub, const char *entry, struct strbuf *out);

/* The host's accounting of stub process (or thread) `tid`: the program's
 * CPU use and memory peak. The sentry's own time serving its syscalls is
 * not in it, much as a kernel's time is not user time. */
struct platform_cpu {
	unsigned long minflt, majflt; /* page faults */
	unsigned long utime, stime;   /* user/system time in clock ticks (_SC_CLK_TCK) */
	long maxrss_kb;		      /* peak resident set, 0 if unknown */
};
/* 0, or -1 if the host does not say. */
int platform_cpu_usage(pid_t tid, struct platform_cpu *out);
/* CPU time of the stub process `tid` (its CLOCK_PROCESS_CPUTIME_ID, as
 * exact as the host's clock). 0 or -errno. */
int platform_cpu_time(pid_t tid, struct timespec *out);

#endif
