/* The sentry's own seccomp filter, built from host-allow.def.
 *
 * The sentry serves every program syscall, so a bug in it that the
 * program can steer (a bad length, a confused fd) is the way out of the
 * sandbox. Like runsc, once start-up is over the sentry confines itself
 * (sentry/guard.c installs this filter): it may make only the host calls
 * its work needs, listed with a reason each in host-allow.def, some only
 * with given arguments (ioctl requests, socket families, clone for
 * threads); anything else kills the whole sentry, and its death kills
 * every stub (PTRACE_O_EXITKILL, the factory's PDEATHSIG). A sentry taken
 * over can then still read and write what its fds reach, but cannot
 * mount, load modules, trace other processes' creation (no fork), exec,
 * open perf or bpf, reboot...
 *
 * The list names syscalls through __NR_<name>, so a name that is not a
 * real syscall fails the build; tests/unit checks the names against
 * libseccomp too. The hot calls of the stop loop are given libseccomp's
 * highest priority; on current kernels a syscall allowed whatever its
 * arguments costs nothing (seccomp's per-syscall action cache).
 */
#include <errno.h>
#include <sched.h>
#include <seccomp.h>
#include <linux/fs.h>
#include <linux/if_tun.h>
#include <linux/membarrier.h>
#include <linux/netlink.h>
#include <linux/random.h>
#include <linux/userfaultfd.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/syscalls/syscalls.h"

enum host_allow_kind { ALLOW_ANY, ALLOW_IF, ALLOW_ENOSYS };

#define HOST_ALLOW(n, why) {#n, __NR_##n, ALLOW_ANY, 0, 0, 0, -1, 0, 0, why},
#define HOST_ALLOW_IF(n, arg, mask, value, why)                                                    \
	{#n, __NR_##n, ALLOW_IF, arg, mask, value, -1, 0, 0, why},
#define HOST_ALLOW_IF2(n, arg, mask, value, arg2, mask2, value2, why)                              \
	{#n, __NR_##n, ALLOW_IF, arg, mask, value, arg2, mask2, value2, why},
#define HOST_ENOSYS(n, why) {#n, __NR_##n, ALLOW_ENOSYS, 0, 0, 0, -1, 0, 0, why},
const struct host_allow host_allow[] = {
#include "sentry/syscalls/host-allow.def"
};
#undef HOST_ALLOW
#undef HOST_ALLOW_IF
#undef HOST_ALLOW_IF2
#undef HOST_ENOSYS
const size_t host_allow_count = ARRAY_SIZE(host_allow);

/* The calls of the stop loop (one program syscall makes a few of them). */
static const int hot_syscalls[] = {__NR_ptrace, __NR_wait4, __NR_process_vm_readv,
				   __NR_process_vm_writev, __NR_poll};

static int add_entry(scmp_filter_ctx ctx, const struct host_allow *h)
{
	switch (h->kind) {
	case ALLOW_ANY:
		return seccomp_rule_add(ctx, SCMP_ACT_ALLOW, h->nr, 0);
	case ALLOW_ENOSYS:
		return seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), h->nr, 0);
	case ALLOW_IF: {
		struct scmp_arg_cmp cmp[2] = {{.arg = (unsigned)h->arg,
					       .op = SCMP_CMP_MASKED_EQ,
					       .datum_a = h->mask,
					       .datum_b = h->value},
					      {.arg = (unsigned)h->arg2,
					       .op = SCMP_CMP_MASKED_EQ,
					       .datum_a = h->mask2,
					       .datum_b = h->value2}};
		return seccomp_rule_add_array(ctx, SCMP_ACT_ALLOW, h->nr, h->arg2 < 0 ? 1 : 2, cmp);
	}
	default:
		return -EINVAL;
	}
}

void *host_filter_build(bool trap)
{
	scmp_filter_ctx ctx = seccomp_init(trap ? SCMP_ACT_TRAP : SCMP_ACT_KILL_PROCESS);
	if (!ctx)
		return NULL;
	/* Every thread of the sentry (the vDSO clock's, offload helpers that
	 * exist) gets the filter at once; threads made later inherit it. */
	int rc = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; i < host_allow_count && rc == 0; i++)
		rc = add_entry(ctx, &host_allow[i]);
	for (size_t i = 0; i < ARRAY_SIZE(hot_syscalls) && rc == 0; i++)
		rc = seccomp_syscall_priority(ctx, hot_syscalls[i], 255);
	if (rc != 0) {
		seccomp_release(ctx);
		return NULL;
	}
	return ctx;
}

void host_filter_release(void *filter)
{
	seccomp_release(filter);
}

int host_filter_load(void *filter)
{
	return seccomp_load(filter);
}

void host_filter_test_trip(void)
{
	/* reboot is on no list; its bad magic would make it EINVAL anyway. */
	syscall(__NR_reboot, 0, 0, 0, NULL);
}
