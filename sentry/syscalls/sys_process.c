/* Process lifecycle syscalls: clone and fork, exit, wait, execve, sessions
 * and process groups. The mechanisms are the kernel's (kernel/process.c,
 * kernel/task.c); these handlers decode arguments and report results. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

/* clone/clone3 with CLONE_PIDFD: the child is made without it, then the
 * parent gets a pidfd for it at `pidfd_addr` (before a vfork parent waits,
 * whose retries must not make another). Thread pidfds are not
 * implemented: CLONE_PIDFD with CLONE_THREAD is EINVAL. */
static long clone_pidfd(struct task *t, uint64_t flags, uint64_t stack, uint64_t ptid,
			uint64_t ctid, uint64_t tls, uint64_t pidfd_addr)
{
	if (!(flags & CLONE_PIDFD) || t->call.retry)
		return task_clone(t, flags & ~(uint64_t)CLONE_PIDFD, stack, ptid, ctid, tls);
	if (flags & (CLONE_DETACHED | CLONE_THREAD))
		return -EINVAL;
	/* Linux fails with EFAULT, and makes no child, when the pidfd has
	 * nowhere to go: the place is checked (by rewriting it) first. */
	int old;
	if (task_read(t, pidfd_addr, &old, sizeof(old)) != 0 ||
	    task_write(t, pidfd_addr, &old, sizeof(old)) != 0)
		return -EFAULT;
	long rc = task_clone(t, flags & ~(uint64_t)CLONE_PIDFD, stack, ptid, ctid, tls);
	pid_t child = rc > 0 ? (pid_t)rc : rc == SYSRET_BLOCK ? t->call.vfork_child : 0;
	struct file *f;
	if (child <= 0 || pidfd_new(t, child, false, &f) != 0)
		return rc;
	int fd = fd_install(t, f, true, 0);
	if (fd >= 0 && task_write(t, pidfd_addr, &fd, sizeof(fd)) != 0)
		fd_close(t, fd);
	return rc;
}

SYSCALL_HANDLER(clone)
{
	/* x86-64 order: flags, stack, parent_tid, child_tid, tls. The pidfd
	 * goes where parent_tid points, so the two cannot both be asked. */
	if ((a[0] & CLONE_PIDFD) && (a[0] & CLONE_PARENT_SETTID))
		return -EINVAL;
	return clone_pidfd(t, a[0], a[1], a[2], a[3], a[4], a[2]);
}

SYSCALL_HANDLER(clone3)
{
	struct clone_args ca;
	if (a[1] > PAGE_SIZE)
		return -E2BIG;
	if (a[1] < 64)
		return -EINVAL;
	memset(&ca, 0, sizeof(ca));
	if (task_read(t, a[0], &ca, a[1] < sizeof(ca) ? a[1] : sizeof(ca)) != 0)
		return -EFAULT;
	/* Linux (copy_struct_from_user): a larger struct than the kernel's
	 * is accepted only if the bytes it does not know are zero. */
	for (uint64_t off = sizeof(ca); off < a[1]; off++) {
		uint8_t byte;
		if (task_read(t, a[0] + off, &byte, 1) != 0)
			return -EFAULT;
		if (byte)
			return -E2BIG;
	}
	if (ca.flags & ~(uint64_t)(KERNEL_CLONE_FLAGS | SANDBOX_NAMESPACE_FLAGS | CLONE_PIDFD) ||
	    ca.exit_signal > 64 || (ca.flags & CSIGNAL))
		return -EINVAL;
	if ((ca.flags & CLONE_PIDFD) && (ca.flags & CLONE_PARENT_SETTID) &&
	    ca.pidfd == ca.parent_tid)
		return -EINVAL;
	/* clone3_stack_valid: a stack and its size go together. */
	if ((ca.stack == 0) != (ca.stack_size == 0))
		return -EINVAL;
	uint64_t stack = ca.stack ? ca.stack + ca.stack_size : 0;
	return clone_pidfd(t, ca.flags | ca.exit_signal, stack, ca.parent_tid, ca.child_tid, ca.tls,
			   ca.pidfd);
}

SYSCALL_HANDLER(unshare)
{
	return task_unshare(t, a[0]);
}

SYSCALL_HANDLER(fork)
{
	(void)a;
	return task_clone(t, SIGCHLD, 0, 0, 0, 0);
}

SYSCALL_HANDLER(vfork)
{
	(void)a;
	return task_clone(t, CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0);
}

SYSCALL_HANDLER(exit_group)
{
	task_exit_group(t, (int)(a[0] & 0xff) << 8);
	return SYSRET_NORETURN;
}

SYSCALL_HANDLER(exit)
{
	task_exit(t, (int)(a[0] & 0xff) << 8);
	return SYSRET_NORETURN;
}

/* wait4's and waitid's rusage: what the reaped child and its own reaped
 * children used (Linux's getrusage(RUSAGE_BOTH) of the child); zero for a
 * stop or continue report. 0 or -EFAULT. */
static int write_child_rusage(struct task *t, uint64_t addr, const struct wait_result *r)
{
	struct proc_usage none = {0};
	struct rusage ru;
	usage_to_rusage(r->status == 0xffff || WIFSTOPPED(r->status) ? &none : &r->usage, &ru);
	return task_write(t, addr, &ru, sizeof(ru));
}

SYSCALL_HANDLER(wait4)
{
	int options = (int)a[2];
	if (options & ~(WNOHANG | WUNTRACED | WCONTINUED | __WALL | __WCLONE | __WNOTHREAD))
		return -EINVAL;
	if ((pid_t)a[0] == INT_MIN)
		return -ESRCH; /* Linux: -INT_MIN names no group */
	struct wait_result r;
	int rc = process_find_waitable(t, (pid_t)a[0], options | WEXITED, true, &r);
	if (rc == -EAGAIN)
		return (options & WNOHANG) ? 0 : task_block(t, BLOCK_CHILD);
	if (rc != 0)
		return rc;
	if (a[1] && task_write(t, a[1], &r.status, sizeof(int)) != 0)
		return -EFAULT;
	if (a[3] && write_child_rusage(t, a[3], &r) != 0)
		return -EFAULT;
	return r.pid;
}

SYSCALL_HANDLER(waitid)
{
	int idtype = (int)a[0], options = (int)a[3];
	pid_t pid = idtype == P_ALL    ? -1
		    : idtype == P_PID  ? (pid_t)a[1]
		    : idtype == P_PGID ? -(pid_t)a[1]
				       : -2;
	if (pid == -2 || (idtype == P_PGID && a[1] == 0))
		pid = idtype == P_PGID ? 0 : pid;
	struct file *pidfd = NULL;
	if (idtype == P_PIDFD && (int)a[1] < 0)
		return -EINVAL;
	if (idtype == P_PIDFD && (pid = pidfd_pid(t, (int)a[1], &pidfd)) < 0)
		return pid;
	if (idtype != P_ALL && idtype != P_PID && idtype != P_PGID && idtype != P_PIDFD)
		return -EINVAL;
	if (!(options & (WEXITED | WSTOPPED | WCONTINUED)))
		return -EINVAL;
	struct wait_result r;
	int rc = process_find_waitable(t, pid, options | ((options & WSTOPPED) ? WUNTRACED : 0),
				       !(options & WNOWAIT), &r);
	if (rc == -EAGAIN) {
		/* Linux: a nonblocking pidfd makes the wait nonblocking. */
		if (!(options & WNOHANG) && pidfd && file_is_nonblocking(pidfd))
			return -EAGAIN;
		if (!(options & WNOHANG))
			return task_block(t, BLOCK_CHILD);
		siginfo_t none;
		memset(&none, 0, sizeof(none));
		return a[2] && task_write(t, a[2], &none, sizeof(none)) != 0 ? -EFAULT : 0;
	}
	if (rc != 0)
		return rc;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_pid = r.pid;
	si.si_uid = getuid();
	int st = r.status;
	if (st == 0xffff) {
		si.si_code = CLD_CONTINUED, si.si_status = SIGCONT;
	} else if (WIFSTOPPED(st)) {
		si.si_code = CLD_STOPPED, si.si_status = WSTOPSIG(st);
	} else if (WIFEXITED(st)) {
		si.si_code = CLD_EXITED, si.si_status = WEXITSTATUS(st);
	} else {
		si.si_code = (st & 0x80) ? CLD_DUMPED : CLD_KILLED;
		si.si_status = WTERMSIG(st);
	}
	if (a[4] && write_child_rusage(t, a[4], &r) != 0)
		return -EFAULT;
	return a[2] && task_write(t, a[2], &si, sizeof(si)) != 0 ? -EFAULT : 0;
}

SYSCALL_HANDLER(execve)
{
	/* The test hook of the sentry's own filter (sentry/guard.c). */
	if (t->s->test_trip_execs > 0 && --t->s->test_trip_execs == 0)
		host_filter_test_trip();
	return task_execve(t, AT_FDCWD, a[0], a[1], a[2], 0);
}

SYSCALL_HANDLER(execveat)
{
	int flags = (int)a[4];
	if (flags & ~(AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -EINVAL;
	if (flags & AT_SYMLINK_NOFOLLOW) {
		/* A symlink as the last component is not followed: ELOOP. */
		char path[PATH_MAX];
		long n = task_read_string(t, a[1], path, sizeof(path));
		if (n < 0)
			return n;
		if (n > 0) {
			cleanup_close int parent = -1;
			char last[NAME_MAX + 1];
			int rc = path_parent(t, (int)a[0], path, &parent, last);
			if (rc != 0)
				return rc;
			struct stat st;
			if (fstatat(parent, last, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				return -ELOOP;
		}
	}
	return task_execve(t, (int)a[0], a[1], a[2], a[3], (int)a[4]);
}

/* vhangup: with CAP_SYS_TTY_CONFIG (the sandbox's view) Linux hangs up
 * the caller's controlling terminal. The program's terminal is the
 * host's (or a pipe): the sentry never hangs it up, for that would reach
 * the user's session outside the sandbox. So the call succeeds and does
 * nothing; without the capability it fails, as in Linux. */
SYSCALL_HANDLER(vhangup)
{
	(void)a;
	return caps_has(t->proc, CAP_SYS_TTY_CONFIG) ? 0 : -EPERM;
}

SYSCALL_HANDLER(setsid)
{
	(void)a;
	struct process *p = t->proc;
	for (struct task *u = t->s->tasks; u; u = u->next)
		if (u->proc->pgid == p->pid)
			return -EPERM; /* already a group leader */
	p->sid = p->pgid = p->pid;
	return p->pid;
}

SYSCALL_HANDLER(setpgid)
{
	pid_t pid = a[0] ? (pid_t)a[0] : t->proc->pid;
	pid_t pgid = a[1] ? (pid_t)a[1] : pid;
	if (pgid < 0)
		return -EINVAL;
	struct process *p = process_by_pid(t->s, pid);
	if (!p || (p != t->proc && p->parent != t->proc))
		return -ESRCH;
	if (p != t->proc) {
		if (p->sid != t->proc->sid)
			return -EPERM;
		if (p->did_exec)
			return -EACCES;
	}
	if (p->sid == p->pid)
		return -EPERM;
	/* Linux: the group must exist in the caller's session (or be new,
	 * named after the process itself). */
	if (pgid != pid) {
		bool found = false;
		for (struct task *u = t->s->tasks; u && !found; u = u->next)
			found =
			    !u->exiting && u->proc->pgid == pgid && u->proc->sid == t->proc->sid;
		if (!found)
			return -EPERM;
	}
	p->pgid = pgid;
	return 0;
}

SYSCALL_HANDLER(getpgid)
{
	struct process *p = a[0] ? process_by_pid(t->s, (pid_t)a[0]) : t->proc;
	return p ? p->pgid : -ESRCH;
}

SYSCALL_HANDLER(getsid)
{
	struct process *p = a[0] ? process_by_pid(t->s, (pid_t)a[0]) : t->proc;
	return p ? p->sid : -ESRCH;
}
