/* The stub's seccomp filter.
 *
 * Program syscalls never reach it: PTRACE_SYSEMU reports them to the sentry
 * before seccomp runs and skips them. What does reach it is (a) syscalls the
 * sentry injects through the stub page, allowed one by one as stub_syscalls[]
 * (inject.c, next to the calls that make them) lists them, and (b) on
 * hosts with vsyscall=emulate/xonly, the host kernel's own emulation of a
 * legacy vsyscall, which runs seccomp for the vsyscall's syscall number.
 * (b) becomes a RET_TRACE event so the sentry can emulate the call itself.
 * Everything else kills the stub: if the program ever found a way to make a
 * host syscall, it would die instead of reaching the host.
 */
#include <errno.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <sys/syscall.h>

#include "platform-internal.h"

/* Marker in the RET_TRACE data (PTRACE_GETEVENTMSG) for vsyscall traps. */
#define VSYSCALL_TRACE_DATA 0x7653

static const int vsyscall_syscalls[] = {SCMP_SYS(gettimeofday), SCMP_SYS(time),
					SCMP_SYS(getcpu)};

scmp_filter_ctx stub_seccomp_filter(bool systrap)
{
	/* systrap: program syscalls do reach this filter (no SYSEMU); they
	 * must trap, to the handler, whose filter stacked on this one decides
	 * (platform/systrap/systrap-life.c). */
	scmp_filter_ctx ctx = seccomp_init(systrap ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return NULL;
	int rc = 0;
	/* The injected syscalls: one rule per entry, or per allowed value. */
	for (size_t i = 0; i < stub_syscalls_count && rc == 0; i++) {
		const struct stub_syscall *e = &stub_syscalls[i];
		if (e->nvalues == 0)
			rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, (int)e->nr, 0);
		for (unsigned v = 0; v < e->nvalues && rc == 0; v++) {
			struct scmp_arg_cmp cmp = {.arg = e->arg, .op = SCMP_CMP_EQ,
						   .datum_a = e->values[v]};
			rc = seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, (int)e->nr, 1, &cmp);
		}
	}
	/* systrap: what the handler calls; the program threads' own filter
	 * allows them only from the stub's syscall site. */
	static const int handler_calls[] = {SCMP_SYS(futex), SCMP_SYS(write),
					    SCMP_SYS(rt_sigreturn), SCMP_SYS(arch_prctl)};
	for (size_t i = 0; systrap && i < ARRAY_SIZE(handler_calls) && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, handler_calls[i], 0);
	for (size_t i = 0; i < ARRAY_SIZE(vsyscall_syscalls) && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(VSYSCALL_TRACE_DATA),
				      vsyscall_syscalls[i], 0);
	if (rc != 0) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

int stub_install_seccomp(bool systrap)
{
	/* Not released: the stub is about to unmap the allocator anyway. */
	scmp_filter_ctx ctx = stub_seccomp_filter(systrap);
	if (!ctx)
		return -ENOMEM;
	return seccomp_load(ctx);
}
