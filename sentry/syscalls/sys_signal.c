/* Signal syscalls: actions, masks, alternate stacks, sending, waiting and
 * sigreturn. Queueing and delivery are the kernel's (kernel/signal.c). */
#include <errno.h>
#include <signal.h>
#include <string.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

#define SIGSET_SIZE	   8
#define SS_AUTODISARM_FLAG (1U << 31) /* <linux/signal.h> SS_AUTODISARM */
#define MIN_ALTSTACK	   2048	      /* the kernel's MINSIGSTKSZ */

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
		next.mask &= ~SIG_UNBLOCKABLE;
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
		case SIG_BLOCK:
			t->sigmask |= set;
			break;
		case SIG_UNBLOCK:
			t->sigmask &= ~set;
			break;
		case SIG_SETMASK:
			t->sigmask = set;
			break;
		default:
			return -EINVAL;
		}
		t->sigmask &= ~SIG_UNBLOCKABLE;
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
	/* Linux's on_sig_stack: running on the alternate stack shows as
	 * SS_ONSTACK, and the stack cannot be changed from there. */
	bool on = false;
	struct user_regs_struct regs;
	if (!(old.ss_flags & SS_DISABLE) && old.ss_size && platform_get_regs(t->th, &regs) == 0)
		on =
		    regs.rsp > (uint64_t)old.ss_sp && regs.rsp - (uint64_t)old.ss_sp <= old.ss_size;
	if (on)
		old.ss_flags = SS_ONSTACK | (old.ss_flags & (int)SS_AUTODISARM_FLAG);
	if (a[0] && on)
		return -EPERM;
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

SYSCALL_HANDLER(rt_sigreturn)
{
	(void)a;
	return signal_return(t);
}

SYSCALL_HANDLER(kill)
{
	int sig = (int)a[1];
	if (sig < 0 || sig > 64)
		return -EINVAL;
	return signal_kill(t, (pid_t)a[0], sig);
}

SYSCALL_HANDLER(tgkill)
{
	if ((pid_t)a[0] <= 0)
		return -EINVAL;
	return signal_tkill(t, (pid_t)a[0], (pid_t)a[1], (int)a[2]);
}

SYSCALL_HANDLER(tkill)
{
	return signal_tkill(t, 0, (pid_t)a[0], (int)a[1]);
}

SYSCALL_HANDLER(rt_sigqueueinfo)
{
	siginfo_t si;
	if (task_read(t, a[2], &si, sizeof(si)) != 0)
		return -EFAULT;
	/* Linux: only the kernel may send codes >= 0 (or SI_TKILL) to
	 * another process. */
	if ((si.si_code >= 0 || si.si_code == SI_TKILL) && (pid_t)a[0] != t->tid)
		return -EPERM;
	/* A thread's id names its process, as in Linux (LTP rt_sigqueueinfo01). */
	struct process *p = process_by_pid(t->s, (pid_t)a[0]);
	struct task *u = p ? NULL : task_by_tid(t->s, (pid_t)a[0]);
	if (u)
		p = u->proc;
	int sig = (int)a[1];
	if (!p)
		return -ESRCH;
	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (!signal_may_kill(t->proc, p, sig))
		return -EPERM;
	if (sig == 0)
		return 0; /* as kill: only whether the target exists */
	struct task *main_thread = task_by_tid(t->s, p->pid);
	if (main_thread && signal_queue_full(main_thread, sig, si.si_code))
		return -EAGAIN;
	si.si_signo = sig;
	struct sentry *s = t->s;
	pid_t caller = t->tid;
	signal_send_process(p, sig, &si);
	/* A SIGKILL of the caller's own process ends it (and frees t) at once. */
	return task_by_tid(s, caller) ? 0 : SYSRET_NORETURN;
}

/* rt_sigqueueinfo for one thread, with Linux's checks in its order: ids,
 * the siginfo, the code only the kernel (or the target itself) may send,
 * the thread, the signal, the permission. */
SYSCALL_HANDLER(rt_tgsigqueueinfo)
{
	pid_t tgid = (pid_t)a[0], tid = (pid_t)a[1];
	int sig = (int)a[2];
	if (tgid <= 0 || tid <= 0)
		return -EINVAL;
	siginfo_t si;
	if (task_read(t, a[3], &si, sizeof(si)) != 0)
		return -EFAULT;
	if ((si.si_code >= 0 || si.si_code == SI_TKILL) && tid != t->tid)
		return -EPERM;
	struct task *u = task_by_tid(t->s, tid);
	if (!u || u->proc->pid != tgid)
		return -ESRCH;
	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (!signal_may_kill(t->proc, u->proc, sig))
		return -EPERM;
	if (sig == 0)
		return 0;
	if (signal_queue_full(u, sig, si.si_code))
		return -EAGAIN;
	si.si_signo = sig;
	struct sentry *s = t->s;
	pid_t caller = t->tid;
	signal_send_task(u, sig, &si);
	/* A SIGKILL of the caller's own process ends it (and frees t) at once. */
	return task_by_tid(s, caller) ? 0 : SYSRET_NORETURN;
}

SYSCALL_HANDLER(rt_sigpending)
{
	/* Linux accepts any size up to its sigset_t and writes that many
	 * bytes. */
	if (a[1] > 8)
		return -EINVAL;
	uint64_t set = (t->pending.set | t->proc->pending.set) & t->sigmask;
	return task_write(t, a[0], &set, (size_t)a[1]) == 0 ? 0 : -EFAULT;
}

SYSCALL_HANDLER(rt_sigsuspend)
{
	if (a[1] != 8)
		return -EINVAL;
	if (!t->call.retry) {
		uint64_t mask;
		if (task_read(t, a[0], &mask, sizeof(mask)) != 0)
			return -EFAULT;
		t->saved_sigmask = t->sigmask;
		t->restore_sigmask = true;
		t->sigmask = mask & ~SIG_UNBLOCKABLE;
	}
	/* A signal the new mask unblocks may be pending already: then there
	 * is nothing to wait for (it is delivered on the way out). */
	if (t->call.interrupted || signal_deliverable(t))
		return -EINTR;
	return task_block(t, BLOCK_SIGNAL);
}

SYSCALL_HANDLER(pause)
{
	(void)a;
	if (t->call.interrupted || signal_deliverable(t))
		return -EINTR;
	return task_block(t, BLOCK_SIGNAL);
}

SYSCALL_HANDLER(rt_sigtimedwait)
{
	if (a[3] != 8)
		return -EINVAL;
	uint64_t set;
	if (task_read(t, a[0], &set, sizeof(set)) != 0)
		return -EFAULT;
	set &= ~SIG_UNBLOCKABLE;
	/* Linux reads and checks the timeout before looking for a signal. */
	struct timespec ts;
	if (a[2] && task_read(t, a[2], &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (a[2] && (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L))
		return -EINVAL;
	siginfo_t si;
	int sig = signal_dequeue_set(t, set, &si);
	if (sig) {
		if (a[1] && task_write(t, a[1], &si, sizeof(si)) != 0)
			return -EFAULT;
		return sig;
	}
	if (task_deadline(t, a[2] ? &ts : NULL, false, CLOCK_MONOTONIC))
		return -EAGAIN;
	if (t->call.interrupted)
		return -EINTR;
	/* The signals waited for are usually blocked: notify() wakes the task
	 * for them through sigwait_set. */
	long r = task_block(t, BLOCK_SIGNAL);
	t->block.sigwait_set = set;
	return r;
}

/* Linux rewrites an interrupted call that must restart with changed
 * arguments (nanosleep, poll with a timeout...) into restart_syscall, and
 * sets what it then runs. The sentry restarts its calls itself and never
 * sets one, so a program that calls it meets Linux's empty restart block,
 * whose answer is EINTR. */
SYSCALL_HANDLER(restart_syscall)
{
	(void)t;
	(void)a;
	return -EINTR;
}
