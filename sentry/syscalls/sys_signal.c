/* Signal bookkeeping: actions, masks, alternate stacks. Delivery of
 * signals with handlers is done by signal.c. */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

#define SIGSET_SIZE 8
#define SS_AUTODISARM_FLAG (1U << 31) /* <linux/signal.h> SS_AUTODISARM */
#define MIN_ALTSTACK 2048 /* the kernel's MINSIGSTKSZ */
#define UNBLOCKABLE ((1ULL << (SIGKILL - 1)) | (1ULL << (SIGSTOP - 1)))

SYSCALL_HANDLER(rt_sigaction)
{
	int sig = (int)a[0];
	if (a[3] != SIGSET_SIZE || sig < 1 || sig > 64)
		return -EINVAL;
	if (a[1] && (sig == SIGKILL || sig == SIGSTOP))
		return -EINVAL;
	struct sigaction_k *act = &t->proc->sighand->act[sig - 1], next;
	if (a[1] && task_read(t, a[1], &next, sizeof(next)) != 0)
		return -EFAULT;
	if (a[2] && task_write(t, a[2], act, sizeof(*act)) != 0)
		return -EFAULT;
	if (a[1]) {
		next.mask &= ~UNBLOCKABLE;
		*act = next;
	}
	return 0;
}

SYSCALL_HANDLER(rt_sigprocmask)
{
	if (a[3] != SIGSET_SIZE)
		return -EINVAL;
	uint64_t set = 0, old = t->sigmask;
	if (a[1] && task_read(t, a[1], &set, sizeof(set)) != 0)
		return -EFAULT;
	if (a[1]) {
		switch (a[0]) {
		case SIG_BLOCK: t->sigmask |= set; break;
		case SIG_UNBLOCK: t->sigmask &= ~set; break;
		case SIG_SETMASK: t->sigmask = set; break;
		default: return -EINVAL;
		}
		t->sigmask &= ~UNBLOCKABLE;
	}
	if (a[2] && task_write(t, a[2], &old, sizeof(old)) != 0)
		return -EFAULT;
	return 0;
}

SYSCALL_HANDLER(sigaltstack)
{
	stack_t next, old = t->altstack;
	if (a[0] && task_read(t, a[0], &next, sizeof(next)) != 0)
		return -EFAULT;
	if (a[1] && task_write(t, a[1], &old, sizeof(old)) != 0)
		return -EFAULT;
	if (a[0]) {
		if (next.ss_flags & ~(SS_DISABLE | SS_AUTODISARM_FLAG))
			return -EINVAL;
		if (!(next.ss_flags & SS_DISABLE) && next.ss_size < MIN_ALTSTACK)
			return -ENOMEM;
		t->altstack = next;
	}
	return 0;
}
