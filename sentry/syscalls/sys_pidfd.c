/* pidfd syscalls: pidfd_open, pidfd_send_signal, pidfd_getfd. The pidfd
 * itself (a FILE_PIDFD file naming a sandbox pid, readable once the
 * process exits) is the kernel's (kernel/pidfd.c); clone's CLONE_PIDFD and
 * waitid's P_PIDFD are served beside clone and waitid (sys_process.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

#define PIDFD_NONBLOCK_FLAG O_NONBLOCK /* <linux/pidfd.h> PIDFD_NONBLOCK */
#define PIDFD_THREAD_FLAG   O_EXCL     /* <linux/pidfd.h> PIDFD_THREAD (Linux 6.9) */

SYSCALL_HANDLER(pidfd_open)
{
	pid_t pid = (pid_t)a[0];
	unsigned flags = (unsigned)a[1];
	if (flags & ~(unsigned)(PIDFD_NONBLOCK_FLAG | PIDFD_THREAD_FLAG))
		return -EINVAL;
	if (pid <= 0)
		return -EINVAL;
	/* Thread pidfds are not implemented: see the table's note. */
	if (flags & PIDFD_THREAD_FLAG)
		return -EINVAL;
	struct task *u = task_by_tid(t->s, pid);
	if (u && u->proc->pid != pid)
		return -EINVAL; /* a thread other than the leader: Linux's pid_has_task(TGID) */
	struct file *f;
	long rc = pidfd_new(t, pid, (flags & PIDFD_NONBLOCK_FLAG) != 0, &f);
	if (rc != 0)
		return rc;
	return fd_install(t, f, true, 0);
}

SYSCALL_HANDLER(pidfd_send_signal)
{
	int sig = (int)a[1];
	/* PIDFD_SIGNAL_THREAD/THREAD_GROUP/PROCESS_GROUP (Linux 6.9) are not
	 * implemented: see the table's note. */
	if (a[3] != 0)
		return -EINVAL;
	pid_t pid = pidfd_pid(t, (int)a[0], NULL);
	if (pid < 0)
		return pid;
	siginfo_t si;
	if (a[2]) {
		if (task_read(t, a[2], &si, sizeof(si)) != 0)
			return -EFAULT;
		if (si.si_signo != sig)
			return -EINVAL;
		/* As rt_sigqueueinfo: only the kernel sends codes >= 0 (or
		 * SI_TKILL) to another process. */
		if (pid != t->tid && (si.si_code >= 0 || si.si_code == SI_TKILL))
			return -EPERM;
	}
	struct process *p = process_by_pid(t->s, pid);
	if (!p)
		return -ESRCH;
	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (!a[2])
		return signal_kill(t, pid, sig);
	if (!signal_may_kill(t->proc, p, sig))
		return -EPERM;
	if (sig && !p->zombie)
		signal_send_process(p, sig, &si);
	return 0;
}

SYSCALL_HANDLER(pidfd_getfd)
{
	if (a[2] != 0)
		return -EINVAL;
	pid_t pid = pidfd_pid(t, (int)a[0], NULL);
	if (pid < 0)
		return pid;
	struct process *p = process_by_pid(t->s, pid);
	/* The target's fd table: its leader's, else any live thread's. */
	struct task *holder = NULL;
	for (struct task *u = t->s->tasks; u && p; u = u->next)
		if (u->proc == p && !u->exiting && (!holder || u->tid == pid))
			holder = u;
	if (!p || !holder)
		return -ESRCH; /* gone, or exiting (Linux: PF_EXITING) */
	if (!process_may_attach(t, p))
		return -EPERM;
	int fd = (int)a[1];
	struct file *f = fd_lookup(holder, fd);
	if (fd < 0 || !f)
		return -EBADF;
	return fd_install(t, file_get(f), true, 0);
}
