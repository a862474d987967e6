/* The systrap platform's hot path: reports, registers, resuming, waiting.
 *
 * A program thread is "stopped" while its handler waits in the slot (state
 * REPORTED, collected by platform_wait) and "running" from the sentry's
 * store of RESUME until its next report. The sentry keeps the threads it
 * resumed on a list and, woken by the eventfd, scans that list for
 * REPORTED slots, so the cost of a wakeup grows with the threads that run
 * program code, not with those blocked in the sentry.
 *
 * Registers: the slot holds the frame's sigcontext (the kernel's order).
 * platform_get_regs converts it to a user_regs_struct as a ptrace syscall
 * stop shows it (RAX -ENOSYS and ORIG_RAX the number at a syscall, ORIG_RAX
 * -1 otherwise) and platform_resume converts back. fs_base is not in a
 * sigcontext: the sentry tracks it (it changes only through arch_prctl and
 * clone's CLONE_SETTLS, both served by the sentry, on hosts without
 * FSGSBASE) and the handler sets it when it changed.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/futex.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <ucontext.h>
#include <unistd.h>

#include "platform/systrap/systrap-internal.h"

static long futex_wake(volatile uint32_t *word)
{
	return syscall(SYS_futex, word, FUTEX_WAKE, 1, NULL, NULL, 0);
}

/* ---- the running list ---- */

static void running_add(struct platform *p, struct stub_thread *th)
{
	if (th->running)
		return;
	th->running = true;
	th->run_prev = NULL;
	th->run_next = p->running;
	if (p->running)
		p->running->run_prev = th;
	p->running = th;
}

void systrap_running_remove(struct platform *p, struct stub_thread *th)
{
	if (!th->running)
		return;
	th->running = false;
	if (th->run_prev)
		th->run_prev->run_next = th->run_next;
	else
		p->running = th->run_next;
	if (th->run_next)
		th->run_next->run_prev = th->run_prev;
	th->run_next = th->run_prev = NULL;
}

/* ---- registers ---- */

/* user_regs_struct fields and their sigcontext slots. */
#define U(f) offsetof(struct user_regs_struct, f) / 8
static const struct {
	uint8_t user, greg;
} reg_map[] = {
    {U(r15), REG_R15}, {U(r14), REG_R14}, {U(r13), REG_R13}, {U(r12), REG_R12},
    {U(rbp), REG_RBP}, {U(rbx), REG_RBX}, {U(r11), REG_R11}, {U(r10), REG_R10},
    {U(r9), REG_R9},   {U(r8), REG_R8},   {U(rax), REG_RAX}, {U(rcx), REG_RCX},
    {U(rdx), REG_RDX}, {U(rsi), REG_RSI}, {U(rdi), REG_RDI}, {U(rip), REG_RIP},
    {U(eflags), REG_EFL}, {U(rsp), REG_RSP},
};
#undef U

static bool at_syscall(const struct stub_thread *th)
{
	return th->shm->sig == SIGSYS;
}

/* The number of a trapped syscall: the host put RAX back to it, all 64
 * bits (si_syscall has only 32). */
static uint64_t report_nr(const struct stub_thread *th)
{
	return th->shm->gregs[REG_RAX];
}

int systrap_load_regs(struct stub_thread *th)
{
	if (th->regs_loaded)
		return 0;
	const uint64_t *g = th->shm->gregs;
	uint64_t *u = (uint64_t *)(void *)&th->regs;
	memset(&th->regs, 0, sizeof(th->regs));
	for (size_t i = 0; i < ARRAY_SIZE(reg_map); i++)
		u[reg_map[i].user] = g[reg_map[i].greg];
	th->regs.cs = 0x33;
	th->regs.ss = 0x2b;
	th->regs.fs_base = th->fs_base;
	th->regs.gs_base = th->gs_base;
	if (at_syscall(th)) {
		th->regs.orig_rax = report_nr(th);
		th->regs.rax = (uint64_t)-ENOSYS;
	} else {
		th->regs.orig_rax = (uint64_t)-1;
	}
	th->regs_loaded = true;
	return 0;
}

static void store_regs(struct stub_thread *th)
{
	uint64_t *g = th->shm->gregs;
	const uint64_t *u = (const uint64_t *)(const void *)&th->regs;
	for (size_t i = 0; i < ARRAY_SIZE(reg_map); i++)
		g[reg_map[i].greg] = u[reg_map[i].user];
	if (th->regs.fs_base != th->fs_base) {
		th->fs_base = th->regs.fs_base;
		th->shm->fs_base = th->fs_base;
		th->shm->fs_dirty |= 1;
	}
	if (th->regs.gs_base != th->gs_base) {
		th->gs_base = th->regs.gs_base;
		th->shm->gs_base = th->gs_base;
		th->shm->fs_dirty |= 2;
	}
}

int systrap_syscall_info(struct stub_thread *th, struct syscall_stop *out)
{
	if (!at_syscall(th))
		return -EINVAL;
	const uint64_t *g = th->shm->gregs;
	uint32_t arch;
	memcpy(&arch, th->shm->siginfo + 28, sizeof(arch));
	out->nr = report_nr(th);
	out->args[0] = g[REG_RDI];
	out->args[1] = g[REG_RSI];
	out->args[2] = g[REG_RDX];
	out->args[3] = g[REG_R10];
	out->args[4] = g[REG_R8];
	out->args[5] = g[REG_R9];
	out->ip = g[REG_RIP];
	out->sp = g[REG_RSP];
	out->is_32bit = arch != AUDIT_ARCH_X86_64;
	return 0;
}

int systrap_get_siginfo(struct stub_thread *th, siginfo_t *si)
{
	memcpy(si, th->shm->siginfo, sizeof(*si));
	return 0;
}

/* The frame's FPU state, in the sentry's mapping of the slot; NULL if the
 * pointer the slot holds is not inside it (the program may have changed
 * it). */
static char *fpstate_of(struct stub_thread *th, size_t *room)
{
	uint64_t base = SYSTRAP_AREA + th->slot * SYSTRAP_SLOT_SIZE;
	uint64_t at = th->shm->fpstate;
	if (at < base + SYSTRAP_STACK_OFFSET || at >= base + SYSTRAP_SLOT_SIZE)
		return NULL;
	*room = base + SYSTRAP_SLOT_SIZE - at;
	return (char *)th->shm + (at - base);
}

/* The XSAVE area's size, from the software bytes the kernel leaves at 464
 * of a signal frame's FPU state (or the legacy 512 bytes). */
static size_t fpstate_size(const char *fp, size_t room)
{
	uint32_t magic, size;
	memcpy(&magic, fp + 464, sizeof(magic));
	memcpy(&size, fp + 464 + 12, sizeof(size)); /* xstate_size */
	if (magic != 0x46505853U || size < 512 || size > room)
		return 512;
	return size;
}

long systrap_get_fpstate(struct stub_thread *th, void *buf, size_t len)
{
	size_t room;
	char *fp = fpstate_of(th, &room);
	if (!fp)
		return -EFAULT;
	size_t n = fpstate_size(fp, room);
	if (n > len)
		n = len;
	memcpy(buf, fp, n);
	return (long)n;
}

int systrap_set_fpstate(struct stub_thread *th, const void *buf, size_t len)
{
	size_t room;
	char *fp = fpstate_of(th, &room);
	if (!fp)
		return -EFAULT;
	size_t n = fpstate_size(fp, room);
	if (len < n)
		n = len;
	/* The software bytes stay the kernel's: they say how to restore. */
	memcpy(fp, buf, n < 464 ? n : 464);
	if (n > 512)
		memcpy(fp + 512, (const char *)buf + 512, n - 512);
	return 0;
}

/* ---- resuming ---- */

int systrap_resume(struct stub_thread *th, bool set_result, long result)
{
	struct systrap_slot *sh = th->shm;
	if (th->regs_dirty)
		store_regs(th);
	if (set_result)
		sh->gregs[REG_RAX] = (uint64_t)result;
	th->regs_loaded = th->regs_dirty = false;
	sh->cmd = SYSTRAP_CMD_RETURN;
	placement_follow(th);
	th->stopped = false;
	running_add(th->space->p, th);
	__atomic_store_n(&sh->state, SYSTRAP_RESUME, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sh->sleeping, __ATOMIC_SEQ_CST))
		futex_wake(&sh->state);
	return 0;
}

/* Have a stopped thread make a host call itself (rseq is a thread's
 * own): its handler makes it and stops again. The raw result, or
 * -ETIMEDOUT if it did not answer in time (the program garbled its slot). */
long systrap_thread_syscall(struct stub_thread *th, long nr, const uint64_t args[6])
{
	struct systrap_slot *sh = th->shm;
	sh->sys_nr = (uint64_t)nr;
	memcpy(sh->sys_args, args, sizeof(sh->sys_args));
	sh->cmd = SYSTRAP_CMD_SYSCALL;
	__atomic_store_n(&sh->state, SYSTRAP_RESUME, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sh->sleeping, __ATOMIC_SEQ_CST))
		futex_wake(&sh->state);
	for (int i = 0; i < 20000; i++) {
		if (__atomic_load_n(&sh->state, __ATOMIC_ACQUIRE) == SYSTRAP_REPORTED &&
		    sh->cmd == SYSTRAP_CMD_RETURN)
			return (long)sh->sys_ret;
		if (i > 100)
			usleep(50);
	}
	return -ETIMEDOUT;
}

/* Tell a stopped thread to leave: it calls exit itself. */
void systrap_release_thread(struct stub_thread *th)
{
	struct systrap_slot *sh = th->shm;
	sh->cmd = SYSTRAP_CMD_EXIT;
	__atomic_store_n(&sh->state, SYSTRAP_RESUME, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&sh->sleeping, __ATOMIC_SEQ_CST))
		futex_wake(&sh->state);
}

/* ---- waiting ---- */

/* A legacy vsyscall on a host that emulates them (vsyscall=emulate or
 * xonly): the host ran the program threads' filter for its number, which
 * trapped; the host then skipped the call and did the vsyscall's `ret`
 * itself. It is shown to the sentry as on a host without the page, a
 * SIGSEGV at the vsyscall address with the return address still on the
 * stack (sentry/vsyscall/vsyscall-task.c, path B), so that the sentry
 * emulates it whole, bad pointers and call-site patching included. */
static void vsyscall_as_fault(struct systrap_slot *sh)
{
	uint64_t call_addr;
	memcpy(&call_addr, sh->siginfo + 16, sizeof(call_addr)); /* si_call_addr */
	if ((call_addr & ~0xfffULL) != VSYSCALL_PAGE)
		return;
	siginfo_t si = {.si_signo = SIGSEGV, .si_code = SEGV_MAPERR};
	si.si_addr = (void *)call_addr;
	memcpy(sh->siginfo, &si, sizeof(si));
	sh->sig = SIGSEGV;
	sh->gregs[REG_RIP] = call_addr;
	sh->gregs[REG_RSP] -= 8;
}

static void classify_report(struct stub_thread *th, struct stop *st)
{
	*st = (struct stop){.tid = th->tid};
	if (th->shm->sig == SIGSYS)
		vsyscall_as_fault(th->shm);
	int sig = (int)th->shm->sig;
	if (sig == SIGSYS) {
		st->kind = STOP_SYSCALL;
		return;
	}
	st->kind = STOP_SIGNAL;
	st->sig = sig;
}

static void queue_stop(struct platform *p, const struct stop *st)
{
	if (p->nqueued == p->cap_queued) {
		p->cap_queued = p->cap_queued ? 2 * p->cap_queued : 16;
		p->queued = xrealloc(p->queued, p->cap_queued * sizeof(*p->queued));
	}
	p->queued[p->nqueued++] = *st;
}

/* A stub process died (its control thread, the leader, was reaped): each
 * of its program threads the sentry knows reports its death. */
static void stub_died(struct platform *p, pid_t leader, int status)
{
	for (struct stub_thread *th = p->threads; th; th = th->all_next) {
		if (!th->space || th->space->control->tid != leader || th->tid <= 0)
			continue;
		struct stop st;
		platform_classify(th->tid, status, &st);
		queue_stop(p, &st);
		systrap_running_remove(p, th);
	}
	for (struct stub_thread *th = p->threads; th; th = th->all_next)
		if (th->space && th->space->control->tid == leader)
			th->space->control->tid = -1;
}

/* Reap what the host reports (stub deaths; a traced control thread has no
 * other stops between injections). */
static void reap_children(struct platform *p)
{
	int status;
	pid_t pid;
	while ((pid = waitpid(-1, &status, WNOHANG | __WALL)) > 0) {
		if (WIFEXITED(status) || WIFSIGNALED(status))
			stub_died(p, pid, status);
		else if (WIFSTOPPED(status))
			ptrace(PTRACE_CONT, pid, 0, 0); /* a stray stop: go on parking */
	}
}

static bool take_report(struct platform *p, struct stop *st)
{
	for (struct stub_thread *th = p->running; th; th = th->run_next) {
		if (__atomic_load_n(&th->shm->state, __ATOMIC_ACQUIRE) != SYSTRAP_REPORTED)
			continue;
		systrap_running_remove(p, th);
		classify_report(th, st);
		return true;
	}
	return false;
}

static uint64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* A thread on another CPU answers in a microsecond or two: look again
 * for a while before paying for a sleep and a wakeup. */
static bool spin_for_report(struct platform *p, struct stop *st)
{
	uint64_t until = now_ns() + p->sentry_spin_ns;
	do {
		for (int i = 0; i < 64; i++) {
			if (take_report(p, st))
				return true;
			__builtin_ia32_pause();
		}
	} while (now_ns() < until);
	return false;
}

int systrap_wait(struct platform *p, struct stop *st, bool nohang)
{
	for (;;) {
		if (p->nqueued > 0) {
			*st = p->queued[0];
			memmove(p->queued, p->queued + 1, --p->nqueued * sizeof(*p->queued));
			return 0;
		}
		uint64_t n;
		while (read(p->evfd, &n, sizeof(n)) == sizeof(n))
			;
		if (take_report(p, st))
			return 0;
		reap_children(p);
		if (p->nqueued > 0)
			continue;
		if (nohang)
			return -EAGAIN;
		if (p->sentry_spin_ns && p->running && spin_for_report(p, st))
			return 0;
		struct pollfd pfds[2] = {{.fd = p->evfd, .events = POLLIN},
					 {.fd = p->chld_fd, .events = POLLIN}};
		if (poll(pfds, 2, -1) < 0 && errno == EINTR)
			return -EINTR;
		if (pfds[1].revents) {
			struct signalfd_siginfo_min {
				char b[128];
			} si;
			while (read(p->chld_fd, &si, sizeof(si)) == sizeof(si))
				;
		}
	}
}
