/* kcmp: do two tasks share a kernel object?
 *
 * The objects are the sentry's own: a task's struct file (KCMP_FILE, by
 * fd), fd table, fs_info (cwd, root, umask), address space, signal
 * handlers and SysV undo list, shared or copied at clone as Linux shares
 * or copies its objects. Like Linux, kcmp answers 0 for the same object
 * and 1 or 2 for an order between different ones, taken on the objects'
 * addresses mixed with a random key of the sandbox (an xor, then a
 * multiplication by an odd number: a bijection, so the order is total and
 * consistent) so that it tells nothing of the sentry's heap layout.
 *
 * The I/O context (KCMP_IO) is struct io_context (sys_ioprio.c): as in
 * Linux, tasks that have none (no ioprio_set in their history) compare
 * equal. KCMP_EPOLL_TFD is answered EOPNOTSUPP, as a kernel without
 * epoll answers: the sandbox's epoll sets are the host's, which know the
 * host's fd numbers, not the program's.
 *
 * Permission: Linux's ptrace_may_access(PTRACE_MODE_READ_REALCREDS) of
 * both tasks, in the sandbox's credentials (process_may_attach).
 *
 * Threats: arguments only; no host call is made.
 */
#include <errno.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

enum kcmp_type {
	KCMP_FILE_K,
	KCMP_VM_K,
	KCMP_FILES_K,
	KCMP_FS_K,
	KCMP_SIGHAND_K,
	KCMP_IO_K,
	KCMP_SYSVSEM_K,
	KCMP_EPOLL_TFD_K,
};

static uint64_t keyed(const struct sentry *s, const void *p)
{
	return ((uint64_t)(uintptr_t)p ^ s->kcmp_key[0]) * (s->kcmp_key[1] | 1);
}

/* Linux's kcmp_ptr: 0 equal, 1 first below, 2 first above. */
static long order(const struct sentry *s, const void *a, const void *b)
{
	uint64_t x = keyed(s, a), y = keyed(s, b);
	return x == y ? 0 : x < y ? 1 : 2;
}

static long compare(struct task *t1, struct task *t2, int type, uint64_t i1, uint64_t i2)
{
	const struct sentry *s = t1->s;
	switch (type) {
	case KCMP_FILE_K: {
		/* Linux takes the index as an unsigned int: one above INT_MAX
		 * is a negative fd here, and fd_lookup finds nothing. */
		struct file *f1 = fd_lookup(t1, (int)(uint32_t)i1);
		struct file *f2 = fd_lookup(t2, (int)(uint32_t)i2);
		if (!f1 || !f2)
			return -EBADF;
		return order(s, f1, f2);
	}
	case KCMP_VM_K:
		return order(s, t1->mm, t2->mm);
	case KCMP_FILES_K:
		return order(s, t1->files, t2->files);
	case KCMP_FS_K:
		return order(s, t1->fs, t2->fs);
	case KCMP_SIGHAND_K:
		return order(s, t1->proc->sighand, t2->proc->sighand);
	case KCMP_IO_K:
		return order(s, t1->io, t2->io);
	case KCMP_SYSVSEM_K:
		/* NULL for both when neither used SEM_UNDO: equal, as in Linux. */
		return order(s, t1->proc->sem_undo, t2->proc->sem_undo);
	case KCMP_EPOLL_TFD_K:
		return -EOPNOTSUPP;
	default:
		return -EINVAL;
	}
}

SYSCALL_HANDLER(kcmp)
{
	pid_t p1 = (pid_t)a[0], p2 = (pid_t)a[1];
	struct task *t1 = p1 > 0 ? task_by_tid(t->s, p1) : NULL;
	struct task *t2 = p2 > 0 ? task_by_tid(t->s, p2) : NULL;
	if (!t1 || !t2)
		return -ESRCH;
	if (!process_may_attach(t, t1->proc) || !process_may_attach(t, t2->proc))
		return -EPERM;
	return compare(t1, t2, (int)a[2], a[3], a[4]);
}
