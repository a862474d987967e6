/* seccomp(2) and prctl's PR_SET_SECCOMP/PR_GET_SECCOMP: the program's own
 * filters (kernel/seccomp-filter.c has how they are kept and enforced).
 * User notification (SECCOMP_FILTER_FLAG_NEW_LISTENER, GET_NOTIF_SIZES)
 * is answered as a kernel built without it answers. */
#include <errno.h>
#include <sys/prctl.h>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp-filter.h"
#include "sentry/syscalls/syscalls-internal.h"
#include "sentry/syscalls/syscalls.h"

/* SECCOMP_GET_ACTION_AVAIL: 0 for the actions this kernel carries out. */
static long action_avail(struct task *t, uint64_t uargs)
{
	uint32_t action;
	if (task_read(t, uargs, &action, sizeof(action)) != 0)
		return -EFAULT;
	switch (action) {
	case SECCOMP_RET_KILL_PROCESS:
	case SECCOMP_RET_KILL_THREAD:
	case SECCOMP_RET_TRAP:
	case SECCOMP_RET_ERRNO:
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_LOG:
	case SECCOMP_RET_ALLOW:
		return 0;
	default: /* USER_NOTIF among them: no listener can be made */
		return -EOPNOTSUPP;
	}
}

SYSCALL_HANDLER(seccomp)
{
	unsigned long flags = a[1];
	switch (a[0]) {
	case SECCOMP_SET_MODE_STRICT:
		if (flags != 0 || a[2] != 0)
			return -EINVAL;
		return seccomp_set_strict(t);
	case SECCOMP_SET_MODE_FILTER:
		return seccomp_set_filter(t, flags, a[2]);
	case SECCOMP_GET_ACTION_AVAIL:
		if (flags != 0)
			return -EINVAL;
		return action_avail(t, a[2]);
	default: /* SECCOMP_GET_NOTIF_SIZES too: no user notification */
		return -EINVAL;
	}
}

long seccomp_prctl(struct task *t, const uint64_t *a)
{
	if (a[0] == PR_GET_SECCOMP)
		return seccomp_task_mode(t);
	switch (a[1]) {
	case SECCOMP_MODE_STRICT:
		return seccomp_set_strict(t); /* prctl ignores its filter argument */
	case SECCOMP_MODE_FILTER:
		return seccomp_set_filter(t, 0, a[2]);
	default:
		return -EINVAL;
	}
}
