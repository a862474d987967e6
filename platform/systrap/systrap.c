/* The systrap platform: program syscalls trapped inside the stub and
 * answered through shared memory, with no ptrace stop on the hot path.
 *
 * How it works. An address space is a stub process as on the ptrace
 * platform, cloned from the same factory, whose first thread (the
 * "control" thread) stays traced and parked: the sentry injects the typed
 * calls (mmap, munmap, ..., clone) through it exactly as ptrace.c does.
 * The program's threads are other threads of that process, made by an
 * injected clone, given a signal stack and a second seccomp filter while
 * still traced, and then detached: from there on they run untraced. Their
 * filter turns every program syscall into SIGSYS, whose handler (stub
 * code, platform/systrap/stub-code.c) reports the registers through the
 * thread's slot, a page shared with the sentry (systrap-internal.h), and
 * waits there until the sentry answers. Faults and the sentry's kick
 * (SIGURG) come the same way. So a stopped program thread is a thread
 * waiting in that handler, its registers are the slot's copy of its
 * signal frame, and resuming it is a store and, if it went to sleep, a
 * futex wake.
 *
 * The sentry learns of reports through one eventfd every handler writes
 * (platform_wakeup_fd for its poll, or platform_wait), and scans the
 * threads it resumed for REPORTED slots. A stub process's death is seen
 * as its control thread's (the leader, the sentry's child): platform_wait
 * then reports STOP_EXITED for each of its program threads.
 *
 * Threats (docs/design.md, "systrap"). The slots are program memory; the
 * sentry reads registers, signal numbers and siginfo from them, all of
 * which the program controls anyway, and nothing else. The program
 * threads' filter allows host calls only at the stub's one syscall
 * instruction and only those the handler makes (futex, write to the
 * eventfd, arch_prctl, exit, rt_sigreturn); the typed calls, which could
 * map host fds, are made only by the control thread, which never runs
 * program code.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "platform/systrap/systrap-internal.h"

_Static_assert(offsetof(struct systrap_slot, state) == SLOT_STATE, "slot layout");
_Static_assert(offsetof(struct systrap_slot, sleeping) == SLOT_SLEEPING, "slot layout");
_Static_assert(offsetof(struct systrap_slot, cmd) == SLOT_CMD, "slot layout");
_Static_assert(offsetof(struct systrap_slot, fs_dirty) == SLOT_FS_DIRTY, "slot layout");
_Static_assert(offsetof(struct systrap_slot, fs_base) == SLOT_FS_BASE, "slot layout");
_Static_assert(offsetof(struct systrap_slot, sig) == SLOT_SIG, "slot layout");
_Static_assert(offsetof(struct systrap_slot, fpstate) == SLOT_FPSTATE, "slot layout");
_Static_assert(offsetof(struct systrap_slot, ucontext) == SLOT_UCONTEXT, "slot layout");
_Static_assert(offsetof(struct systrap_slot, evfd) == SLOT_EVFD, "slot layout");
_Static_assert(offsetof(struct systrap_slot, one) == SLOT_ONE, "slot layout");
_Static_assert(offsetof(struct systrap_slot, gregs) == SLOT_GREGS, "slot layout");
_Static_assert(offsetof(struct systrap_slot, siginfo) == SLOT_SIGINFO, "slot layout");
_Static_assert(offsetof(struct systrap_slot, gs_base) == SLOT_GS_BASE, "slot layout");
_Static_assert(offsetof(struct systrap_slot, sys_nr) == SLOT_SYS_NR, "slot layout");
_Static_assert(offsetof(struct systrap_slot, sys_args) == SLOT_SYS_ARGS, "slot layout");
_Static_assert(offsetof(struct systrap_slot, sys_ret) == SLOT_SYS_RET, "slot layout");
_Static_assert(offsetof(struct systrap_slot, spin) == SLOT_SPIN, "slot layout");
_Static_assert(offsetof(struct systrap_slot, filter) == SLOT_FILTER, "slot layout");
_Static_assert(sizeof(struct systrap_slot) <= SYSTRAP_STACK_OFFSET, "slot layout");


static struct systrap_slot *slot_of(struct systrap_space *sp, unsigned slot)
{
	return (struct systrap_slot *)(void *)(sp->area + slot * SYSTRAP_SLOT_SIZE);
}

static uint64_t slot_addr(unsigned slot)
{
	return SYSTRAP_AREA + slot * SYSTRAP_SLOT_SIZE;
}


/* ---- spaces ---- */

/* A fresh slot area for the stub of `control` (mapped over whatever it
 * inherited from a parent), and the space that owns it. */
static struct systrap_space *space_new(struct platform *p, struct stub_thread *control)
{
	cleanup_close int fd = (int)syscall(SYS_memfd_create, "msentry-systrap", MFD_CLOEXEC);
	if (fd < 0 || ftruncate(fd, (off_t)SYSTRAP_AREA_SIZE) != 0)
		return NULL;
	void *area = mmap(NULL, SYSTRAP_AREA_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (area == MAP_FAILED)
		return NULL;
	long r = platform_mmap(control, SYSTRAP_AREA, SYSTRAP_AREA_SIZE, PROT_READ | PROT_WRITE,
			       MAP_SHARED | MAP_FIXED, fd, 0);
	if (r != (long)SYSTRAP_AREA) {
		munmap(area, SYSTRAP_AREA_SIZE);
		return NULL;
	}
	struct systrap_space *sp = xcalloc(1, sizeof(*sp));
	sp->pidfd = (int)syscall(SYS_pidfd_open, control->tid, 0);
	sp->p = p;
	sp->control = control;
	sp->area = area;
	control->space = sp;
	return sp;
}

/* The last handle is gone: end the stub (if it still lives) and forget it. */
void systrap_space_kill(struct systrap_space *sp)
{
	if (sp->pidfd >= 0) {
		syscall(SYS_pidfd_send_signal, sp->pidfd, SIGKILL, NULL, 0);
		siginfo_t si;
		while (waitid(P_PIDFD, (id_t)sp->pidfd, &si, WEXITED | __WALL) < 0 && errno == EINTR)
			;
		close(sp->pidfd);
		sp->pidfd = -1;
	}
	sp->control->tid = -1;
}

void systrap_space_free(struct systrap_space *sp)
{
	systrap_space_kill(sp);
	munmap(sp->area, SYSTRAP_AREA_SIZE);
	free(sp->control);
	free(sp);
}

/* A free slot: never used, or its thread is gone from the host. An ended
 * thread may still be leaving through its signal stack (its exit call
 * pushes a return address there) after its handle went. */
static int slot_alloc(struct systrap_space *sp)
{
	for (unsigned i = 0; i < SYSTRAP_SLOTS; i++) {
		if (sp->used[i / 64] & (1ULL << (i % 64)))
			continue;
		if (sp->last_tid[i] > 0 &&
		    syscall(SYS_tgkill, sp->control->tid, sp->last_tid[i], 0) == 0)
			continue;
		sp->used[i / 64] |= 1ULL << (i % 64);
		return (int)i;
	}
	return -1;
}

/* ---- making program threads ---- */

static int inject(struct stub_thread *th, long nr, uint64_t a0, uint64_t a1, uint64_t a2)
{
	const uint64_t args[6] = {a0, a1, a2, 0, 0, 0};
	long r = stub_inject(th, nr, args, NULL);
	return r < 0 ? (int)r : 0;
}

/* Wait (bounded) for a new thread's first report, from its entry code. */
static int wait_first_report(struct systrap_slot *sh)
{
	for (int i = 0; i < 50000; i++) {
		if (__atomic_load_n(&sh->state, __ATOMIC_ACQUIRE) == SYSTRAP_REPORTED)
			return 0;
		if (i > 100)
			usleep(100);
	}
	return -ETIMEDOUT;
}

/* Set a traced new thread up as a program thread and let it go: its signal
 * stack and filter, then its entry code, untraced. */
static int detach_into_slot(struct systrap_space *sp, struct stub_thread *th, unsigned slot)
{
	struct systrap_slot *sh = slot_of(sp, slot);
	memset(sh, 0, sizeof(*sh));
	sh->evfd = (uint64_t)sp->p->evfd;
	sh->one = 1;
	sh->state = SYSTRAP_RUNNING;
	/* The thread has the control thread's fs_base (the factory's, from
	 * msentry): it gets the program's at its first resume, 0 unless the
	 * sentry sets another. */
	sh->spin = sp->p->stub_spin;
	sh->fs_dirty = 3;
	sh->fs_base = sh->gs_base = 0;
	th->fs_base = th->gs_base = 0;
	unsigned n = systrap_build_filter(sh->filter, sp->p->evfd);
	sh->fprog.len = (unsigned short)n;
	sh->fprog.filter = (struct sock_filter *)(slot_addr(slot) + SLOT_FILTER);
	/* The stack_t for sigaltstack, in the slot's spare bytes. */
	stack_t *ss = (stack_t *)(void *)sh->altstack_desc;
	ss->ss_sp = (void *)(slot_addr(slot) + SYSTRAP_STACK_OFFSET);
	ss->ss_size = SYSTRAP_SLOT_SIZE - SYSTRAP_STACK_OFFSET;
	ss->ss_flags = 0;
	uint64_t ss_addr = slot_addr(slot) + offsetof(struct systrap_slot, altstack_desc);
	uint64_t fprog_addr = slot_addr(slot) + offsetof(struct systrap_slot, fprog);
	int rc = inject(th, __NR_sigaltstack, ss_addr, 0, 0);
	if (rc == 0)
		rc = inject(th, __NR_seccomp, SECCOMP_SET_MODE_FILTER, 0, fprog_addr);
	if (rc != 0)
		return rc;
	struct user_regs_struct r = th->regs;
	r.rip = SYSTRAP_ADDR(msentry_systrap_entry);
	r.rsp = slot_addr(slot) + SYSTRAP_SLOT_SIZE - 64;
	if (ptrace(PTRACE_SETREGS, th->tid, 0, &r) != 0 ||
	    ptrace(PTRACE_DETACH, th->tid, 0, 0) != 0)
		return -errno;
	if (sp->p->stub_cpu >= 0) {
		cpu_set_t set;
		CPU_ZERO(&set);
		CPU_SET(sp->p->stub_cpu, &set);
		sched_setaffinity(th->tid, sizeof(set), &set);
	}
	rc = wait_first_report(sh);
	if (rc != 0)
		return rc;
	th->space = sp;
	th->slot = slot;
	th->shm = sh;
	sp->last_tid[slot] = th->tid;
	th->stopped = true;
	th->regs_loaded = th->regs_dirty = false;
	sp->nthreads++;
	struct platform *p = sp->p;
	th->all_next = p->threads;
	th->all_pprev = &p->threads;
	if (p->threads)
		p->threads->all_pprev = &th->all_next;
	p->threads = th;
	return 0;
}

/* A new program thread in `sp`, stopped at its entry. */
static int spawn_thread(struct systrap_space *sp, struct stub_thread **out)
{
	int slot = slot_alloc(sp);
	if (slot < 0)
		return -EAGAIN;
	struct stub_thread *th;
	int rc = stub_clone(sp->control, STUB_THREAD_FLAGS, &th);
	if (rc == 0) {
		rc = detach_into_slot(sp, th, (unsigned)slot);
		if (rc != 0) {
			syscall(SYS_tgkill, sp->control->tid, th->tid, SIGKILL);
			free(th);
		}
	}
	if (rc != 0) {
		sp->used[slot / 64] &= ~(1ULL << (slot % 64));
		return rc;
	}
	*out = th;
	return 0;
}

/* Give a new thread the FPU state of the one it was made from, as clone
 * and fork do: copied between the two signal frames. */
static void copy_fpstate(struct stub_thread *from, struct stub_thread *to)
{
	char buf[16384];
	long n = systrap_get_fpstate(from, buf, sizeof(buf));
	if (n > 0)
		systrap_set_fpstate(to, buf, (size_t)n);
}

int systrap_new_address_space(struct platform *p, struct stub_thread **th, struct error *e)
{
	struct stub_thread *control;
	int rc = stub_clone(&p->factory, STUB_FORK_FLAGS, &control);
	p->factory.regs_dirty = false;
	if (rc != 0)
		return error_sys(e, -rc, "cannot clone a stub process");
	struct systrap_space *sp = space_new(p, control);
	if (!sp) {
		platform_kill(control->tid);
		free(control);
		return error_set(e, 0, "cannot map the systrap slots of a stub");
	}
	rc = spawn_thread(sp, th);
	if (rc != 0) {
		systrap_space_free(sp);
		return error_sys(e, -rc, "cannot start a systrap thread");
	}
	return 0;
}

int systrap_fork(struct stub_thread *parent, struct stub_thread **child)
{
	struct systrap_space *psp = parent->space;
	struct stub_thread *control;
	int rc = stub_clone(psp->control, STUB_FORK_FLAGS, &control);
	if (rc != 0)
		return rc;
	struct systrap_space *sp = space_new(psp->p, control);
	if (!sp) {
		platform_kill(control->tid);
		free(control);
		return -ENOMEM;
	}
	rc = spawn_thread(sp, child);
	if (rc != 0) {
		systrap_space_free(sp);
		return rc;
	}
	copy_fpstate(parent, *child);
	return 0;
}

int systrap_new_thread(struct stub_thread *th, struct stub_thread **child)
{
	int rc = spawn_thread(th->space, child);
	if (rc == 0)
		copy_fpstate(th, *child);
	return rc;
}
