#ifndef MSENTRY_PLATFORM_INTERNAL_H
#define MSENTRY_PLATFORM_INTERNAL_H

#include <fcntl.h>
#include <linux/ioctl.h>
#include <linux/userfaultfd.h>
#include <sched.h>
#include <stdbool.h>
#include <seccomp.h>

#include "platform/platform.h"

/* The stub page sits just below TASK_SIZE (0x7ffffffff000 with 4-level
 * paging); the systrap platform's slots lie between the program's memory
 * (below PROGRAM_ADDR_LIMIT) and it. */
#define STUB_ADDR 0x7fffffffe000UL

/* The host's vsyscall page (on vsyscall=emulate/xonly hosts its syscalls
 * arrive through seccomp). */
#define VSYSCALL_PAGE 0xffffffffff600000UL

/* One host thread of a stub, driven by the sentry (struct stub_thread of
 * platform.h: the sentry only holds a pointer to it). */
/*
 * Each thread's ptrace state, as far as the sentry has seen it. The sentry
 * must never wait for a stop that cannot come (a thread already in a stop
 * does not stop again; an exited thread-group leader is not reported while
 * its siblings live), so every wait for one specific thread asks this state
 * first:
 *   running ──kick──▶ running+kicked ──(its stop is collected)──▶ stopped
 *   stopped ──resume/inject──▶ running       any ──exit seen──▶ gone (tid -1)
 * "Collected" means: the sentry's loop got the stop from platform_wait and
 * passed it to platform_note_stop, or the platform waited for it itself.
 */
struct systrap_space;
struct systrap_slot;
struct stub_thread {
	pid_t tid;			/* host tid, -1 once the thread is gone */
	pid_t tgid;			/* its stub process (the thread-group leader's tid) */
	bool stopped;			/* in a ptrace stop the sentry has collected */
	bool kicked;			/* SIGURG sent; its stop not yet collected */
	int cpu;			/* CPU it is pinned to, -1: not known */
	struct user_regs_struct regs;	/* cached registers, valid when regs_loaded */
	bool regs_loaded;		/* regs hold the current register values */
	bool regs_dirty;		/* regs must be written back before resuming */
	/* systrap (platform/systrap/): a program thread of `space`, not
	 * traced, reporting through `shm` (slot `slot`); NULL on ptrace. A
	 * space's control thread has `space` set and `shm` NULL. */
	struct systrap_space *space;
	struct systrap_slot *shm;
	unsigned slot;
	uint64_t fs_base, gs_base;	/* as the sentry last set them */
	bool running;			/* on the platform's running list */
	struct stub_thread *run_next, *run_prev;
	struct stub_thread *all_next, **all_pprev; /* every systrap handle */
};


/* Stub code (platform/ptrace/stub.c): position independent, copied to STUB_ADDR. */
extern const char msentry_stub_start[], msentry_stub_syscall[], msentry_stub_end[];
#define STUB_SYSCALL_ADDR (STUB_ADDR + (uint64_t)(msentry_stub_syscall - msentry_stub_start))

/* Flags the sentry uses for injected clones; the seccomp filter allows
 * exactly these. New address spaces are siblings of the factory
 * (CLONE_PARENT: the sentry reaps them) sharing the sentry's fd table
 * (CLONE_FILES: file descriptors the sentry opens are valid in injected
 * mmaps). */
#define STUB_FORK_FLAGS (CLONE_PARENT | CLONE_FILES | SIGCHLD)
#define STUB_THREAD_FLAGS                                                                          \
	(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD | CLONE_SYSVSEM)

/* The one flag set of an injected userfaultfd (platform_userfaultfd):
 * user-mode faults only, so that no host access the sentry makes or
 * injects can wait on the program's fault handling. */
#define STUB_UFFD_FLAGS (O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY)

/* UFFDIO_MOVE (Linux 6.8), which older headers lack. */
#define STUB_UFFDIO_MOVE _IOC(_IOC_READ | _IOC_WRITE, 0xAA, 0x05, 40)

/* Where the sentry and its stubs run (platform/ptrace/cpu.c). */
#define PLACEMENT_MAX_CPUS 256
struct cpu_ticks {
	uint64_t idle, total;
};
struct placement {
	int cpu;		/* the CPU the sentry is pinned to, -1 if not pinned */
	int want;		/* CPU that looked better at the last check, or -1 */
	int stat_fd;		/* /proc/stat, -1 if placement is fixed */
	uint64_t interval;	/* ns between checks */
	unsigned ticks;		/* calls of placement_tick */
	uint64_t last_check;	/* CLOCK_MONOTONIC ns of the last check */
	pid_t stub_tid;		/* stub whose CPU time stub_ns is */
	uint64_t sentry_ns, stub_ns; /* their CPU time at the last check */
	cpu_set_t allowed;	/* CPUs msentry was started with */
	struct cpu_ticks then[PLACEMENT_MAX_CPUS], now[PLACEMENT_MAX_CPUS];
};
/* The platform (one per sentry). */
struct platform {
	struct stub_thread factory;
	struct placement place;
	bool systrap;
	/* systrap: the eventfd every handler writes after a report, a
	 * SIGCHLD signalfd (stub deaths), the threads resumed and not yet
	 * reported, every program thread, and stops made up for the loop
	 * (deaths) not yet returned. */
	int evfd, chld_fd;
	unsigned stub_spin;	/* the handlers' spins before they sleep */
	uint64_t sentry_spin_ns; /* the sentry's spin on a running thread before it sleeps */
	int stub_cpu;		 /* MSENTRY_SYSTRAP_STUB_CPU: program threads pinned there, or -1 */
	struct stub_thread *running, *threads;
	struct stop *queued;
	size_t nqueued, cap_queued;
};

void placement_init(struct placement *pl, bool pin_cpu);
void placement_release(struct placement *pl);
void placement_tick(struct placement *pl, pid_t tid);
/* Pin `th` to the sentry's CPU if it is not there yet. */
void placement_follow(struct stub_thread *th);

/* Clone a new stub process (STUB_FORK_FLAGS) or thread (STUB_THREAD_FLAGS)
 * with an injected clone in `th`: the child is traced, stopped, registers
 * loaded. 0 or -errno. */
int stub_clone(struct stub_thread *th, uint64_t flags, struct stub_thread **child);

/* The systrap platform's side of the calls (platform/systrap/). */
int systrap_new_address_space(struct platform *p, struct stub_thread **th, struct error *e);
int systrap_fork(struct stub_thread *parent, struct stub_thread **child);
int systrap_new_thread(struct stub_thread *th, struct stub_thread **child);
int systrap_load_regs(struct stub_thread *th);
int systrap_syscall_info(struct stub_thread *th, struct syscall_stop *out);
int systrap_get_siginfo(struct stub_thread *th, siginfo_t *si);
long systrap_get_fpstate(struct stub_thread *th, void *buf, size_t len);
int systrap_set_fpstate(struct stub_thread *th, const void *buf, size_t len);
int systrap_resume(struct stub_thread *th, bool set_result, long result);
void systrap_release_thread(struct stub_thread *th);
long systrap_thread_syscall(struct stub_thread *th, long nr, const uint64_t args[6]);
void systrap_running_remove(struct platform *p, struct stub_thread *th);
int systrap_wait(struct platform *p, struct stop *st, bool nohang);
void systrap_end_thread(struct stub_thread *th);
void systrap_kill_threads(struct stub_thread *const *threads, size_t n);
void systrap_kick(struct stub_thread *th);
void systrap_thread_free(struct stub_thread *th);
int systrap_setup(struct platform *p, struct error *e);

/* Read the registers of a stopped thread into th->regs, once per stop. */
int platform_load_regs(struct stub_thread *th);

/* One syscall the stub may make (platform/ptrace/inject.c): any arguments
 * if nvalues is 0, else argument `arg` must be one of values[]. */
#define STUB_SYSCALL_VALUES_MAX 2
struct stub_syscall {
	long nr;
	const char *name;
	unsigned arg, nvalues;
	uint64_t values[STUB_SYSCALL_VALUES_MAX];
};
/* The stub's allow-list: the filter is built from it, and nothing else is
 * ever injected. */
extern const struct stub_syscall stub_syscalls[];
extern const size_t stub_syscalls_count;
/* Does stub_syscalls[] allow the call? */
bool stub_syscall_allowed(long nr, const uint64_t args[6]);
/* Run syscall `nr` in the stopped stub thread `th` through the stub page;
 * the program's registers are restored before it runs again. The raw
 * result, -ENOSYS (not run) if stub_syscalls[] does not allow the call, or
 * -errno of ptrace. Event stops on the way (the clone of a new stub) leave
 * their message in *event_msg. */
long stub_inject(struct stub_thread *th, long nr, const uint64_t args[6], unsigned long *event_msg);
/* The same without waiting for the call's end (an exit that will not be
 * reported soon); failures are silent. */
void stub_inject_nowait(struct stub_thread *th, long nr, const uint64_t args[6]);

/* The stub's seccomp filter, built from stub_syscalls[] (and the vsyscall
 * trap rules), not loaded; NULL if libseccomp fails. */
scmp_filter_ctx stub_seccomp_filter(bool systrap);
/* Build and load the stub's seccomp filter (in the stub, before it drops
 * everything but the stub page). 0 or -errno. */
int stub_install_seccomp(bool systrap);

#endif
