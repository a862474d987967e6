/* System V message queues (msgget, msgsnd, msgrcv, msgctl), for the sandbox.
 *
 * The queues live in the sentry (s->msg), the sandbox's own IPC namespace.
 * A queue is a FIFO list of messages, each a copy of the sender's text.
 * msgsnd waits (ipc.c: BLOCK_IPC on the queue) while the message would
 * take the queue over msg_qbytes bytes or messages, msgrcv while no message
 * matches; every change to the queue (send, receive, IPC_SET, removal)
 * wakes all of its waiters, which try their call again. The limits are
 * the sandbox's kernel parameters (s->ipc, ipc-limits.c): kernel.msgmax
 * bytes a message, kernel.msgmnb a new queue's msg_qbytes, kernel.msgmni
 * queues; msginfo's msgpool, msgmap and msgtql are Linux's constants.
 */
#include <errno.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/msg.h>
#include <time.h>

#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"

/* Linux's compile-time values (uapi/linux/msg.h), which IPC_INFO reports
 * whatever the parameters say. */
#define MSGMNI_K  32000
#define MSGMNB_K  16384
#define MSGSSZ_K  16
#define MSGSEG_K  0xffff
#define MSGPOOL_K (MSGMNI_K * MSGMNB_K / 1024)

struct msg_msg {
	long type;
	size_t size;
	struct msg_msg *next;
	char text[];
};

struct msg_queue {
	int id;
	struct ipc_perm perm;
	struct msg_msg *head;
	size_t cbytes, qnum, qbytes;
	pid_t lspid, lrpid;
	time_t stime, rtime, ctime;
	struct msg_queue *next;
};

static struct msg_queue *by_id(struct sentry *s, int id)
{
	for (struct msg_queue *q = s->msg; q; q = q->next)
		if (q->id == id)
			return q;
	return NULL;
}

static void destroy(struct sentry *s, struct msg_queue *q)
{
	for (struct msg_queue **p = &s->msg; *p; p = &(*p)->next) {
		if (*p == q) {
			*p = q->next;
			break;
		}
	}
	ipc_wake(s, q);
	while (q->head) {
		struct msg_msg *m = q->head;
		q->head = m->next;
		free(m);
	}
	free(q);
}

static bool id_in_use(struct sentry *s, int id)
{
	return by_id(s, id) != NULL;
}

long msg_get(struct task *t, key_t key, int flags)
{
	struct sentry *s = t->s;
	if (key != IPC_PRIVATE) {
		for (struct msg_queue *q = s->msg; q; q = q->next) {
			if (q->perm.__key != key)
				continue;
			if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
				return -EEXIST;
			return ipc_allowed(t, &q->perm, flags) ? q->id : -EACCES;
		}
		if (!(flags & IPC_CREAT))
			return -ENOENT;
	}
	int count = 0;
	for (struct msg_queue *q = s->msg; q; q = q->next)
		count++;
	if (count >= s->ipc->msgmni)
		return -ENOSPC;
	struct msg_queue *q = xcalloc(1, sizeof(*q));
	q->id = ipc_new_id(s, &s->ipc->msg_next_id, &s->msg_id_counter, id_in_use);
	ipc_perm_init(t, &q->perm, key, flags);
	q->qbytes = (size_t)s->ipc->msgmnb;
	q->ctime = time(NULL);
	q->next = s->msg;
	s->msg = q;
	return q->id;
}

static void enqueue(struct msg_queue *q, struct msg_msg *m)
{
	struct msg_msg **p = &q->head;
	while (*p)
		p = &(*p)->next;
	*p = m;
	q->cbytes += m->size;
	q->qnum++;
}

long msg_send(struct task *t, int id, uint64_t msgp, size_t size, int flags)
{
	long type;
	if (task_read(t, msgp, &type, sizeof(type)) != 0)
		return -EFAULT;
	if (size > (size_t)t->s->ipc->msgmax || (long)size < 0 || id < 0)
		return -EINVAL;
	if (type < 1)
		return -EINVAL;
	struct msg_msg *m = xcalloc(1, sizeof(*m) + size);
	m->type = type;
	m->size = size;
	if (task_read(t, msgp + sizeof(long), m->text, size) != 0) {
		free(m);
		return -EFAULT;
	}
	struct msg_queue *q = by_id(t->s, id);
	long r = 0;
	if (!q)
		r = t->call.retry ? -EIDRM : -EINVAL;
	else if (!ipc_allowed(t, &q->perm, 2))
		r = -EACCES;
	else if (size + q->cbytes > q->qbytes || q->qnum + 1 > q->qbytes)
		r = (flags & IPC_NOWAIT) ? -EAGAIN : ipc_block(t, q, false);
	if (r != 0) {
		free(m);
		return r;
	}
	enqueue(q, m);
	q->lspid = t->proc->pid;
	q->stime = time(NULL);
	ipc_wake(t->s, q);
	return 0;
}

/* The message msgrcv takes (its link in *link), or NULL. */
static struct msg_msg **find(struct msg_queue *q, long type, int flags)
{
	struct msg_msg **best = NULL;
	long index = 0;
	for (struct msg_msg **p = &q->head; *p; p = &(*p)->next, index++) {
		long mt = (*p)->type;
		if (flags & MSG_COPY) {
			if (index == type)
				return p;
		} else if (type == 0) {
			return p;
		} else if (type > 0) {
			if ((flags & MSG_EXCEPT) ? mt != type : mt == type)
				return p;
		} else {
			long limit = type == LONG_MIN ? LONG_MAX : -type;
			if (mt <= limit && (!best || mt < (*best)->type))
				best = p;
		}
	}
	return best;
}

/* Copy a found message out (type, then at most `size` bytes of text). */
static long deliver(struct task *t, struct msg_queue *q, struct msg_msg **link, uint64_t msgp,
		    size_t size, int flags)
{
	struct msg_msg *m = *link;
	if (size < m->size && !(flags & MSG_NOERROR))
		return -E2BIG;
	size_t n = size < m->size ? size : m->size;
	if (!(flags & MSG_COPY)) {
		*link = m->next;
		q->cbytes -= m->size;
		q->qnum--;
		q->lrpid = t->proc->pid;
		q->rtime = time(NULL);
		ipc_wake(t->s, q);
	}
	long r = (long)n;
	if (task_write(t, msgp, &m->type, sizeof(long)) != 0 ||
	    task_write(t, msgp + sizeof(long), m->text, n) != 0)
		r = -EFAULT;
	if (!(flags & MSG_COPY))
		free(m);
	return r;
}

long msg_receive(struct task *t, int id, uint64_t msgp, size_t size, long type, int flags)
{
	if (id < 0 || (long)size < 0)
		return -EINVAL;
	if ((flags & MSG_COPY) && ((flags & MSG_EXCEPT) || !(flags & IPC_NOWAIT)))
		return -EINVAL;
	struct msg_queue *q = by_id(t->s, id);
	if (!q)
		return t->call.retry ? -EIDRM : -EINVAL;
	if (!ipc_allowed(t, &q->perm, 4))
		return -EACCES;
	struct msg_msg **link = find(q, type, flags);
	if (link)
		return deliver(t, q, link, msgp, size, flags);
	if (flags & IPC_NOWAIT)
		return -ENOMSG;
	return ipc_block(t, q, false);
}

static long info(struct task *t, int cmd, uint64_t buf)
{
	struct msginfo mi = {.msgpool = MSGPOOL_K,
			     .msgmap = MSGMNB_K,
			     .msgmax = t->s->ipc->msgmax,
			     .msgmnb = t->s->ipc->msgmnb,
			     .msgmni = t->s->ipc->msgmni,
			     .msgssz = MSGSSZ_K,
			     .msgtql = MSGMNB_K,
			     .msgseg = MSGSEG_K};
	int highest = 0;
	if (cmd == MSG_INFO)
		mi.msgpool = mi.msgmap = mi.msgtql = 0;
	for (struct msg_queue *q = t->s->msg; q; q = q->next) {
		if (q->id > highest)
			highest = q->id;
		if (cmd == MSG_INFO) {
			mi.msgpool++;
			mi.msgmap += (int)q->qnum;
			mi.msgtql += (int)q->cbytes;
		}
	}
	if (task_write(t, buf, &mi, sizeof(mi)) != 0)
		return -EFAULT;
	return highest;
}

static long stat_queue(struct task *t, struct msg_queue *q, int cmd, uint64_t buf)
{
	if (cmd != MSG_STAT_ANY && !ipc_allowed(t, &q->perm, 4))
		return -EACCES;
	struct msqid_ds ds;
	memset(&ds, 0, sizeof(ds));
	ds.msg_perm = q->perm;
	ds.msg_stime = q->stime;
	ds.msg_rtime = q->rtime;
	ds.msg_ctime = q->ctime;
	ds.__msg_cbytes = q->cbytes;
	ds.msg_qnum = q->qnum;
	ds.msg_qbytes = q->qbytes;
	ds.msg_lspid = q->lspid;
	ds.msg_lrpid = q->lrpid;
	if (task_write(t, buf, &ds, sizeof(ds)) != 0)
		return -EFAULT;
	return cmd == IPC_STAT ? 0 : q->id;
}

static long set_queue(struct task *t, struct msg_queue *q, uint64_t buf)
{
	struct msqid_ds ds;
	if (task_read(t, buf, &ds, sizeof(ds)) != 0)
		return -EFAULT;
	if (!ipc_owner(t, &q->perm))
		return -EPERM;
	if (ds.msg_qbytes > (msglen_t)t->s->ipc->msgmnb && !task_capable(t, CAP_SYS_RESOURCE))
		return -EPERM;
	q->qbytes = ds.msg_qbytes;
	q->perm.uid = ds.msg_perm.uid;
	q->perm.gid = ds.msg_perm.gid;
	q->perm.mode = (unsigned short)((q->perm.mode & ~0777) | (ds.msg_perm.mode & 0777));
	q->ctime = time(NULL);
	ipc_wake(t->s, q);
	return 0;
}

long msg_control(struct task *t, int id, int cmd, uint64_t buf)
{
	if (id < 0 || cmd < 0)
		return -EINVAL;
	if (cmd == IPC_INFO || cmd == MSG_INFO)
		return info(t, cmd, buf);
	if (cmd != IPC_STAT && cmd != MSG_STAT && cmd != MSG_STAT_ANY && cmd != IPC_SET &&
	    cmd != IPC_RMID)
		return -EINVAL;
	struct msg_queue *q = by_id(t->s, id);
	if (!q)
		return -EINVAL;
	if (cmd == IPC_SET)
		return set_queue(t, q, buf);
	if (cmd == IPC_RMID) {
		if (!ipc_owner(t, &q->perm))
			return -EPERM;
		destroy(t->s, q);
		return 0;
	}
	return stat_queue(t, q, cmd, buf);
}

char *msg_proc_text(struct sentry *s)
{
	char *out =
	    xstrdup("       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid"
		    "  cuid  cgid      stime      rtime      ctime\n");
	for (struct msg_queue *q = s->msg; q; q = q->next) {
		char *row = xasprintf(
		    "%10d %10d  %4o  %10zu %10zu %5d %5d %5u %5u %5u %5u %10llu %10llu %10llu\n",
		    q->perm.__key, q->id, q->perm.mode, q->cbytes, q->qnum, q->lspid, q->lrpid,
		    q->perm.uid, q->perm.gid, q->perm.cuid, q->perm.cgid,
		    (unsigned long long)q->stime, (unsigned long long)q->rtime,
		    (unsigned long long)q->ctime);
		char *both = xasprintf("%s%s", out, row);
		free(out);
		free(row);
		out = both;
	}
	return out;
}

void msg_release_all(struct sentry *s)
{
	while (s->msg)
		destroy(s, s->msg);
}
