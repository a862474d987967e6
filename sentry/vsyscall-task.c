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

#include "sentry-internal.h"
#include "strace-internal.h"
#include "vsyscall.h"

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

static enum vsyscall_action emulate(struct task *t, struct vsyscall_regs *r,
				    struct vsyscall_outcome *out)
{
	const struct vsyscall_ops ops = {.ctx = t, .read = read_mem, .call = call_handler};
	*r = (struct vsyscall_regs){.rip = t->th.regs.rip, .rsp = t->th.regs.rsp,
				    .rax = t->th.regs.rax, .rdi = t->th.regs.rdi,
				    .rsi = t->th.regs.rsi, .rdx = t->th.regs.rdx};
	enum vsyscall_action act = vsyscall_emulate(&ops, t->s->cfg->vsyscall, r, out);
	if (act == VSYSCALL_RETURN) {
		const uint64_t args[6] = {t->th.regs.rdi, t->th.regs.rsi, t->th.regs.rdx};
		STRACE(t->s, strace_vsyscall(t, out->nr, args, (long)r->rax, out->caller));
	}
	return act;
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
	struct stub_thread *th = &t->th;
	if (platform_load_regs(th) != 0) {
		platform_resume(th, false, 0);
		return;
	}
	struct vsyscall_regs r;
	struct vsyscall_outcome out;
	if (!vsyscall_in_page(th->regs.rip)) {
		/* Cannot happen (program syscalls never reach seccomp): skip. */
		th->regs.orig_rax = (uint64_t)-1;
		th->regs.rax = (uint64_t)-ENOSYS;
	} else if (emulate(t, &r, &out) == VSYSCALL_RETURN) {
		th->regs.orig_rax = (uint64_t)-1;
		th->regs.rax = r.rax;
	} else {
		report_refused(t, &r, &out);
		th->regs.rdi = 1; /* the host's emulation faults: SIGSEGV, no ret */
	}
	th->regs_dirty = true;
	platform_resume(th, false, 0);
}

bool vsyscall_fault_stop(struct task *t)
{
	struct stub_thread *th = &t->th;
	siginfo_t si;
	if (platform_get_siginfo(th, &si) != 0 || si.si_signo != SIGSEGV ||
	    platform_load_regs(th) != 0)
		return false;
	uint64_t rip = th->regs.rip;
	if (!vsyscall_in_page(rip) || (uint64_t)si.si_addr != rip)
		return false;
	struct vsyscall_regs r;
	struct vsyscall_outcome out;
	if (emulate(t, &r, &out) == VSYSCALL_SIGSEGV) {
		report_refused(t, &r, &out);
		task_force_signal(t, SIGSEGV, out.sig_code, out.sig_addr);
		task_continue(t);
		return true;
	}
	th->regs.rax = r.rax;
	th->regs.rip = r.rip;
	th->regs.rsp = r.rsp;
	th->regs_dirty = true;
	task_continue(t);
	return true;
}
