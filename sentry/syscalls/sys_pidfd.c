/* pidfd syscalls: pidfd_open, pidfd_send_signal, pidfd_getfd. The pidfd
 * itself (a FILE_PIDFD file naming a sandbox pid, readable once the
 * process exits) is the kernel's (kernel/pidfd.c); clone's CLONE_PIDFD and
 * waitid's P_PIDFD are served beside clone and waitid (sys_process.c). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

/* pidfd_send_signal's scopes (<linux/pidfd.h>, Linux 6.9), and the
 * sentinels naming the caller itself (Linux 6.15). */
#define SIGNAL_THREAD	     1U
#define SIGNAL_THREAD_GROUP  2U
#define SIGNAL_PROCESS_GROUP 4U
#define SELF_THREAD_FD	     (-10000)
#define SELF_THREAD_GROUP_FD (-10001)

/* Linux's kill_pgrp_info: every process of group `pgid` (zombies count
 * as reached); 0 if any was, else the last refusal or ESRCH. The members
 * are listed first: a SIGKILL ends a process, and its tasks, at once. */
static long send_group(struct task *t, pid_t pgid, int sig, const siginfo_t *si)
{
	struct sentry *s = t->s;
	pid_t caller = t->tid;
	long rc = -ESRCH;
	bool reached = false;
	size_t n = 0, cap = 0;
	cleanup_free pid_t *pids = NULL;
	for (struct task *u = s->tasks; u; u = u->next) {
		struct process *p = u->proc;
		for (struct process *c = p->children; c; c = c->sibling)
			reached |= c->zombie && c->pgid == pgid;
		if (u->tid != p->pid || p->pgid != pgid)
			continue; /* one task per process: its leader */
		if (!signal_may_kill(t->proc, p, sig)) {
			rc = -EPERM;
			continue;
		}
		if (n == cap)
			pids = xrealloc(pids, (cap = cap * 2 + 4) * sizeof(*pids));
		pids[n++] = p->pid;
	}
	for (size_t i = 0; i < n; i++) {
		struct process *p = process_by_pid(s, pids[i]);
		reached = true;
		if (sig && p && !p->zombie)
			signal_send_process(p, sig, si);
	}
	if (!task_by_tid(s, caller))
		return SYSRET_NORETURN; /* SIGKILL of the caller's own group */
	return reached ? 0 : rc;
}

/* Send to the thread `pid`, its process, or the group `pid` leads. */
static long send_scoped(struct task *t, pid_t pid, int sig, siginfo_t *si, unsigned scope)
{
	if (scope == SIGNAL_PROCESS_GROUP)
		return sig < 0 || sig > 64 ? -EINVAL : send_group(t, pid, sig, si);
	struct process *p = process_by_pid(t->s, pid);
	struct task *u = task_by_tid(t->s, pid);
	if (scope == SIGNAL_THREAD ? !u : !p)
		return -ESRCH;
	if (sig < 0 || sig > 64)
		return -EINVAL;
	if (!signal_may_kill(t->proc, scope == SIGNAL_THREAD ? u->proc : p, sig))
		return -EPERM;
	struct sentry *s = t->s;
	pid_t caller = t->tid;
	if (sig && scope == SIGNAL_THREAD)
		signal_send_task(u, sig, si);
	else if (sig && !p->zombie)
		signal_send_process(p, sig, si);
	/* A SIGKILL of the caller's own process ends it (and frees t) at once. */
	return task_by_tid(s, caller) ? 0 : SYSRET_NORETURN;
}

/* Linux's pidfd_send_signal also takes an open /proc/<pid> directory (not
 * a task/ one) for the process it names. The directory keeps the path it
 * was opened by (/proc/self resolves to /proc/<pid>), not the process: a
 * pid reused since would be taken for it, where Linux answers ESRCH. */
static pid_t proc_dir_pid(struct task *t, int fd)
{
	struct file *f = fd_lookup(t, fd);
	if (!f || f->kind != FILE_DIR_LIST || !f->path || strncmp(f->path, "/proc/", 6) != 0)
		return -EBADF;
	const char *d = f->path + 6;
	if (!*d || strspn(d, "0123456789") != strlen(d))
		return -EBADF;
	pid_t pid = (pid_t)strtol(d, NULL, 10);
	struct process *p = process_by_pid(t->s, pid);
	return p && p->pid == pid ? pid : -ESRCH; /* a zombie takes signals, as kill(2) */
}

SYSCALL_HANDLER(pidfd_send_signal)
{
	int sig = (int)a[1], fd = (int)a[0];
	unsigned flags = (unsigned)a[3];
	if (a[3] & ~(uint64_t)(SIGNAL_THREAD | SIGNAL_THREAD_GROUP | SIGNAL_PROCESS_GROUP))
		return -EINVAL;
	if (__builtin_popcount(flags) > 1)
		return -EINVAL;
	pid_t pid = fd == SELF_THREAD_FD	 ? t->tid
		    : fd == SELF_THREAD_GROUP_FD ? t->proc->pid
						 : pidfd_pid(t, fd, NULL);
	if (pid == -EBADF)
		pid = proc_dir_pid(t, fd);
	if (pid < 0)
		return pid;
	unsigned scope = flags ? flags : fd == SELF_THREAD_FD ? SIGNAL_THREAD : SIGNAL_THREAD_GROUP;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	if (a[2]) {
		if (task_read(t, a[2], &si, sizeof(si)) != 0)
			return -EFAULT;
		if (si.si_signo != sig)
			return -EINVAL;
		/* As rt_sigqueueinfo: only the kernel sends codes >= 0 (or
		 * SI_TKILL) to another thread, or to a group. */
		if ((pid != t->tid || scope == SIGNAL_PROCESS_GROUP) &&
		    (si.si_code >= 0 || si.si_code == SI_TKILL))
			return -EPERM;
	} else {
		/* What kill (or tkill, for a thread) says of its sender. */
		si.si_signo = sig;
		si.si_code = scope == SIGNAL_THREAD ? SI_TKILL : SI_USER;
		si.si_pid = t->proc->pid;
		si.si_uid = getuid();
	}
	return send_scoped(t, pid, sig, &si, scope);
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
