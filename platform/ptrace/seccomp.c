/* The stub's seccomp filter.
 *
 * Program syscalls never reach it: PTRACE_SYSEMU reports them to the sentry
 * before seccomp runs and skips them. What does reach it is (a) syscalls the
 * sentry injects through the stub page, allowed one by one below, and (b) on
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

static const int injected_syscalls[] = {
	SCMP_SYS(mmap),	    SCMP_SYS(munmap), SCMP_SYS(mprotect), SCMP_SYS(mremap),
	SCMP_SYS(madvise),  SCMP_SYS(msync),  SCMP_SYS(mlock),	  SCMP_SYS(munlock),
	SCMP_SYS(rseq),	    SCMP_SYS(exit),   SCMP_SYS(exit_group),
};

static const int vsyscall_syscalls[] = {SCMP_SYS(gettimeofday), SCMP_SYS(time),
					SCMP_SYS(getcpu)};

int stub_install_seccomp(void)
{
	/* Not released: the stub is about to unmap the allocator anyway. */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return -ENOMEM;
	int rc = 0;
	for (size_t i = 0; i < ARRAY_SIZE(injected_syscalls) && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, injected_syscalls[i], 0);
	for (size_t i = 0; i < ARRAY_SIZE(vsyscall_syscalls) && rc == 0; i++)
		rc = seccomp_rule_add(ctx, SCMP_ACT_TRACE(VSYSCALL_TRACE_DATA),
				      vsyscall_syscalls[i], 0);
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_EQ, STUB_FORK_FLAGS));
	if (rc == 0)
		rc = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(clone), 1,
				      SCMP_A0(SCMP_CMP_EQ, STUB_THREAD_FLAGS));
	if (rc == 0)
		rc = seccomp_load(ctx);
	return rc;
}
