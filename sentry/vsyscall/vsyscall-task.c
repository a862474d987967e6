/* Legacy vsyscalls arriving at the sentry: the two host paths.
 *
 * A. Hosts with vsyscall=emulate/xonly (this one): the call faults into the
 *    host kernel, which emulates it and runs the stub's seccomp filter for
 *    its syscall number; the filter answers RET_TRACE, so the sentry sees a
 *    STOP_VSYSCALL with RIP = the vsyscall address and [RSP] = the return
 *    address. The kernel insists on doing the `ret` itself: the sentry may
 *    only set ORIG_RAX = -1 (skip the host call) and RAX = the result;
 *    changing RIP or the number gets the stub killed. To give the program a
 *    SIGSEGV instead, the sentry lets the host run the call with an output
 *    pointer of 1: the host's own emulation faults, skips the `ret` and
 *    raises SIGSEGV at the vsyscall address, which then arrives as an
 *    ordinary fault.
 * B. Hosts with vsyscall=none: the page does not exist, the stub faults
 *    with SIGSEGV, si_addr == RIP == the vsyscall address. The sentry does
 *    the whole emulation, `ret` included, and suppresses the signal.
 * Both hand the same registers to vsyscall_emulate().
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/kernel/kernel.h"
#include "sentry/strace/strace.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/vsyscall/vsyscall-patch.h"
#include "sentry/vsyscall/vsyscall.h"

static int read_mem(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return task_read(ctx, addr, buf, len);
}

/* Through the table, like the real syscalls: same handlers, same results. */
static long call_handler(void *ctx, uint64_t nr, const uint64_t args[6])
{
	const struct syscall_desc *d = syscall_lookup(nr);
	return d && d->fn ? d->fn(ctx, args) : -ENOSYS;
}

static enum vsyscall_action emulate(struct task *t, const struct user_regs_struct *regs,
				    struct vsyscall_regs *r, struct vsyscall_outcome *out)
{
	const struct vsyscall_ops ops = {.ctx = t, .read = read_mem, .call = call_handler};
	*r = (struct vsyscall_regs){.rip = regs->rip, .rsp = regs->rsp,
				    .rax = regs->rax, .rdi = regs->rdi,
				    .rsi = regs->rsi, .rdx = regs->rdx};
	enum vsyscall_action act = vsyscall_emulate(&ops, t->s->cfg->vsyscall, r, out);
	if (act == VSYSCALL_RETURN) {
		const uint64_t args[6] = {regs->rdi, regs->rsi, regs->rdx};
		STRACE(t->s, strace_vsyscall(t, out->nr, args, (long)r->rax, out->caller));
	}
	return act;
}

/* Is the site returning to `caller` worth patching now? Fills the site's
 * bytes and form (vsyscall-patch.h). Only while the caller is the one
 * thread of its address space: nothing else can be running the bytes. */
static int patchable_site(struct task *t, uint64_t vsyscall_addr, uint64_t caller,
			  uint8_t code[VSYSCALL_SITE_BYTES])
{
	struct sentry *s = t->s;
	uint64_t slot = (vsyscall_addr - VSYSCALL_ADDR) >> 10;
	if (slot > 2 || (vsyscall_addr & 0x3ff) || !s->vsyscall_targets[slot] || !t->mm ||
	    !t->mm->vdso_base || t->mm->refs != 1 || t->proc->nthreads != 1 ||
	    caller < VSYSCALL_SITE_BYTES ||
	    task_read(t, caller - VSYSCALL_SITE_BYTES, code, VSYSCALL_SITE_BYTES) != 0)
		return 0;
	return vsyscall_site_form(code, vsyscall_addr);
}

/* The trampoline page of this address space, mapped on first use within a
 * rel32 call's reach of `caller` (below it first, where no heap grows).
 * Its entry for `slot`, or 0. */
static uint64_t trampoline_entry(struct task *t, uint64_t caller, uint64_t slot)
{
	struct mm *mm = t->mm;
	static const int64_t offsets[] = {-(1L << 24), -(1L << 28), -(1L << 30), 1L << 30,
					  3L << 29};
	for (size_t i = 0; i < ARRAY_SIZE(offsets) && !mm->vsyscall_tramp; i++) {
		uint64_t at = PAGE_DOWN(caller) + (uint64_t)offsets[i];
		if (at < (1UL << 20) || at >= PROGRAM_ADDR_LIMIT - PAGE_SIZE)
			continue;
		long r = platform_mmap(t->th, at, PAGE_SIZE, PROT_READ | PROT_EXEC,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (r != (long)at)
			continue;
		uint8_t page[3 * VSYSCALL_TRAMP_ENTRY];
		for (int k = 0; k < 3; k++)
			vsyscall_tramp_entry(mm->vdso_base + t->s->vsyscall_targets[k],
					     page + k * VSYSCALL_TRAMP_ENTRY);
		if (platform_write_force(platform_thread_tid(t->th), at, page, sizeof(page)) == 0)
			mm->vsyscall_tramp = at;
		else
			platform_munmap(t->th, at, PAGE_SIZE);
	}
	uint64_t entry = mm->vsyscall_tramp + slot * VSYSCALL_TRAMP_ENTRY;
	return mm->vsyscall_tramp && vsyscall_in_reach(caller, entry) ? entry : 0;
}

/* Rewrite a recognised call site into a direct vDSO call. Needs a stop
 * where syscalls may be injected (for the trampoline). */
static void patch_call_site(struct task *t, uint64_t vsyscall_addr, uint64_t caller)
{
	uint8_t code[VSYSCALL_SITE_BYTES];
	int form = patchable_site(t, vsyscall_addr, caller, code);
	if (form == 0)
		return;
	uint64_t slot = (vsyscall_addr - VSYSCALL_ADDR) >> 10;
	uint64_t target = t->mm->vdso_base + t->s->vsyscall_targets[slot];
	if (form == 2 && !vsyscall_in_reach(caller, target))
		target = trampoline_entry(t, caller, slot);
	struct vsyscall_patch patch;
	if (target && vsyscall_plan_patch(code, caller, vsyscall_addr, target, &patch) &&
	    platform_write_force(platform_thread_tid(t->th), patch.addr, patch.bytes,
				 patch.len) == 0)
		STRACE(t->s, strace_vsyscall_patched(t, patch.addr, target));
}

void vsyscall_patch_pending(struct task *t)
{
	uint64_t addr = t->vsyscall_pending_addr, caller = t->vsyscall_pending_caller;
	t->vsyscall_pending_addr = t->vsyscall_pending_caller = 0;
	patch_call_site(t, addr, caller);
}

/* The one line that explains a crash that otherwise takes hours. */
static void report_refused(struct task *t, const struct vsyscall_regs *r,
			   const struct vsyscall_outcome *out)
{
	struct sentry *s = t->s;
	if (!out->refused || s->warned_vsyscall || s->cfg->quiet)
		return;
	s->warned_vsyscall = true;
	char from[32] = "an unreadable stack";
	if (out->caller)
		snprintf(from, sizeof(from), "%#lx", (unsigned long)out->caller);
	fprintf(stderr,
		"msentry: vsyscall %s%s at %#lx from %s refused (--vsyscall=none); "
		"the program's libc predates the vDSO\n",
		out->name ? out->name : "call", out->name ? "()" : "", (unsigned long)r->rip, from);
}

void vsyscall_seccomp_stop(struct task *t)
{
	struct stub_thread *th = t->th;
	struct user_regs_struct regs;
	if (platform_get_regs(th, &regs) != 0) {
		platform_resume(th, false, 0);
		return;
	}
	struct vsyscall_regs r;
	struct vsyscall_outcome out;
	if (!vsyscall_in_page(regs.rip)) {
		/* Cannot happen (program syscalls never reach seccomp): skip. */
		regs.orig_rax = (uint64_t)-1;
		regs.rax = (uint64_t)-ENOSYS;
	} else if (emulate(t, &regs, &r, &out) == VSYSCALL_RETURN) {
		regs.orig_rax = (uint64_t)-1;
		regs.rax = r.rax;
		/* Nothing may be injected at this stop (the kernel kills a stub
		 * whose RIP changes here): patch at a kick stop right after. */
		uint8_t code[VSYSCALL_SITE_BYTES];
		if (patchable_site(t, regs.rip, out.caller, code)) {
			t->vsyscall_pending_addr = regs.rip;
			t->vsyscall_pending_caller = out.caller;
		}
	} else {
		report_refused(t, &r, &out);
		regs.rdi = 1; /* the host's emulation faults: SIGSEGV, no ret */
	}
	platform_set_regs(th, &regs);
	/* Queued before the resume, the kick stops the thread on its very
	 * return from this call, before it can reach the site again. */
	if (t->vsyscall_pending_caller)
		platform_kick(th);
	platform_resume(th, false, 0);
}

bool vsyscall_fault_stop(struct task *t)
{
	struct stub_thread *th = t->th;
	struct user_regs_struct regs;
	siginfo_t si;
	if (platform_get_siginfo(th, &si) != 0 || si.si_signo != SIGSEGV ||
	    platform_get_regs(th, &regs) != 0)
		return false;
	uint64_t rip = regs.rip;
	if (!vsyscall_in_page(rip) || (uint64_t)si.si_addr != rip)
		return false;
	struct vsyscall_regs r;
	struct vsyscall_outcome out;
	if (emulate(t, &regs, &r, &out) == VSYSCALL_SIGSEGV) {
		report_refused(t, &r, &out);
		task_force_signal(t, SIGSEGV, out.sig_code, out.sig_addr);
		task_continue(t);
		return true;
	}
	patch_call_site(t, rip, out.caller);
	regs.rax = r.rax;
	regs.rip = r.rip;
	regs.rsp = r.rsp;
	platform_set_regs(th, &regs);
	task_continue(t);
	return true;
}
