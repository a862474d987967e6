/* What the sandbox's System V semaphores, message queues and POSIX message
 * queues share: permission checks as Linux's ipcperms, and waiting.
 *
 * A call that must wait for a set or queue to change (semop, msgsnd,
 * msgrcv, mq_timedsend, mq_timedreceive) blocks with BLOCK_IPC on the
 * object; every change to the object wakes all of its waiters, and each one
 * runs its call again from the start (t->call.retry), so it sees the new
 * state and either completes or waits again. An object that is removed
 * wakes its waiters too; their next attempt no longer finds it, and a
 * retried call reports EIDRM. Ids are never reused within a sandbox, so a
 * retry cannot meet another object under the old id (unless the sandbox's
 * root names a freed id in kernel.*_next_id, as Linux allows: then the
 * retry meets the new object, as it could in Linux).
 */
#include <errno.h>
#include <string.h>

#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"

bool ipc_allowed(const struct task *t, const struct ipc_perm *perm, int want)
{
	const struct process *p = t->proc;
	/* Linux folds the owner, group and other bits of the request. */
	int requested = ((want >> 6) | (want >> 3) | want) & 7;
	int granted = perm->mode;
	if (p->euid == perm->uid || p->euid == perm->cuid)
		granted >>= 6;
	else if (p->egid == perm->gid || p->egid == perm->cgid)
		granted >>= 3;
	if ((requested & ~granted & 7) == 0)
		return true;
	return p->euid == 0;
}

bool ipc_owner(const struct task *t, const struct ipc_perm *perm)
{
	const struct process *p = t->proc;
	return p->euid == 0 || p->euid == perm->uid || p->euid == perm->cuid;
}

void ipc_perm_init(const struct task *t, struct ipc_perm *perm, key_t key, int flags)
{
	memset(perm, 0, sizeof(*perm));
	perm->__key = key;
	perm->uid = perm->cuid = t->proc->euid;
	perm->gid = perm->cgid = t->proc->egid;
	perm->mode = (unsigned short)(flags & 0777);
}

long ipc_block(struct task *t, const void *obj, bool restartable)
{
	long r = task_block(t, BLOCK_IPC);
	if (r == SYSRET_RESTARTSYS)
		return restartable ? r : -EINTR;
	t->block.ipc_obj = obj;
	t->block.ipc_semnum = -1;
	t->block.ipc_zero = false;
	return r;
}

void ipc_wake(struct sentry *s, const void *obj)
{
	for (struct task *u = s->tasks; u; u = u->next)
		if (u->state == TASK_BLOCKED && u->block.kind == BLOCK_IPC &&
		    u->block.ipc_obj == obj)
			task_make_ready(u);
}
