/* System V semaphores (semget, semop, semtimedop, semctl), for the sandbox.
 *
 * The sets live in the sentry (s->sem), the sandbox's own IPC namespace, as
 * the shared memory segments of shm.c do. semop is all or nothing: the
 * operations are tried in order on a copy of the values (and of the
 * caller's undo adjustments); only if every one can proceed is the copy
 * committed. If one cannot, the call waits (ipc.c: BLOCK_IPC on the set),
 * recording which semaphore and whether for zero, for GETNCNT/GETZCNT; any
 * change to the set wakes its waiters and each tries its whole operation
 * again, so no wake-up is lost and none is spurious to the program. A
 * removed set wakes them too and they report EIDRM.
 *
 * SEM_UNDO: each process keeps, per set it used with SEM_UNDO, the
 * adjustment that cancels its operations (struct process's sem_undo list,
 * shared by the threads and by processes cloned with CLONE_SYSVSEM); when
 * the last process sharing the list ends they are applied, clamped to
 * 0..SEMVMX as Linux does. SETVAL and SETALL clear every process's
 * adjustments of what they set.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/sem.h>
#include <time.h>

#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"

/* Linux's compile-time values (include/uapi/linux/sem.h); semmsl, semmns,
 * semopm and semmni are the sandbox's kernel.sem (s->ipc->sem[0..3]). */
#define SEMMNI_K 32000
#define SEMMSL_K 32000
#define SEMMNS_K (SEMMNI_K * SEMMSL_K)
#define SEMOPM_K 500
/* The most operations one semop copies in (an allocation, as Linux's
 * kvmalloc of them; more than this is ENOMEM whatever semopm allows). */
#define SEMOPS_MAX_K (1 << 20)
#define SEMVMX_K     32767
#define SEMAEM_K     SEMVMX_K
#define SEMUSZ_K     20

struct sem_one {
	int val;
	pid_t pid; /* of the last operation (GETPID) */
};

struct sem_set {
	int id;
	struct ipc_perm perm;
	int nsems;
	struct sem_one *sems;
	time_t otime, ctime;
	struct sem_set *next;
};

struct sem_undo {
	int semid;
	short *adj; /* one per semaphore of the set */
	struct sem_undo *next;
};

struct sem_undo_list {
	int refs; /* processes sharing it */
	struct sem_undo *head;
};

static struct sem_set *by_id(struct sentry *s, int id)
{
	for (struct sem_set *g = s->sem; g; g = g->next)
		if (g->id == id)
			return g;
	return NULL;
}

/* Clear every process's adjustment of semaphore `num` (-1: all) of `id`. */
static void undo_clear(struct sentry *s, int id, int num, int nsems)
{
	for (struct task *u = s->tasks; u; u = u->next)
		for (struct sem_undo *un = u->proc->sem_undo ? u->proc->sem_undo->head : NULL; un;
		     un = un->next)
			if (un->semid == id) {
				if (num < 0)
					memset(un->adj, 0, (size_t)nsems * sizeof(short));
				else
					un->adj[num] = 0;
			}
}

static void destroy(struct sentry *s, struct sem_set *g)
{
	for (struct sem_set **p = &s->sem; *p; p = &(*p)->next) {
		if (*p == g) {
			*p = g->next;
			break;
		}
	}
	ipc_wake(s, g);
	free(g->sems);
	free(g);
}

static bool id_in_use(struct sentry *s, int id)
{
	return by_id(s, id) != NULL;
}

static long create(struct task *t, key_t key, int nsems, int flags)
{
	struct sentry *s = t->s;
	if (nsems == 0)
		return -EINVAL;
	int count = 0;
	long used = 0;
	for (struct sem_set *g = s->sem; g; g = g->next) {
		count++;
		used += g->nsems;
	}
	/* Linux: semaphores in all sets over semmns, then sets over semmni. */
	if (used + nsems > s->ipc->sem[1] || count >= s->ipc->sem[3])
		return -ENOSPC;
	struct sem_set *g = xcalloc(1, sizeof(*g));
	g->id = ipc_new_id(s, &s->ipc->sem_next_id, &s->sem_id_counter, id_in_use);
	g->nsems = nsems;
	g->sems = xcalloc((size_t)nsems, sizeof(*g->sems));
	ipc_perm_init(t, &g->perm, key, flags);
	g->ctime = time(NULL);
	g->next = s->sem;
	s->sem = g;
	return g->id;
}

long sem_get(struct task *t, key_t key, int nsems, int flags)
{
	if (nsems < 0 || nsems > t->s->ipc->sem[0])
		return -EINVAL;
	if (key != IPC_PRIVATE) {
		for (struct sem_set *g = t->s->sem; g; g = g->next) {
			if (g->perm.__key != key)
				continue;
			if ((flags & IPC_CREAT) && (flags & IPC_EXCL))
				return -EEXIST;
			if (nsems > g->nsems)
				return -EINVAL;
			return ipc_allowed(t, &g->perm, flags) ? g->id : -EACCES;
		}
		if (!(flags & IPC_CREAT))
			return -ENOENT;
	}
	return create(t, key, nsems, flags);
}

static struct sem_undo_list *undo_list(struct process *p)
{
	if (!p->sem_undo) {
		p->sem_undo = xcalloc(1, sizeof(*p->sem_undo));
		p->sem_undo->refs = 1;
	}
	return p->sem_undo;
}

static struct sem_undo *undo_of(struct process *p, const struct sem_set *g)
{
	struct sem_undo_list *l = undo_list(p);
	for (struct sem_undo *un = l->head; un; un = un->next)
		if (un->semid == g->id)
			return un;
	struct sem_undo *un = xcalloc(1, sizeof(*un));
	un->semid = g->id;
	un->adj = xcalloc((size_t)g->nsems, sizeof(short));
	un->next = l->head;
	l->head = un;
	return un;
}

void sem_undo_share(struct process *child, struct process *parent)
{
	child->sem_undo = undo_list(parent);
	child->sem_undo->refs++;
}

/* Try the operations on copies of the values and adjustments: 0 (the
 * copies hold the result), 1 (op *blocked_at must wait) or -ERANGE. */
static int attempt(const struct sembuf *ops, size_t n, int *vals, short *adj, size_t *blocked_at)
{
	for (size_t i = 0; i < n; i++) {
		int num = ops[i].sem_num, op = ops[i].sem_op;
		int v = vals[num];
		if ((op == 0 && v != 0) || v + op < 0) {
			*blocked_at = i;
			return 1;
		}
		if (v + op > SEMVMX_K)
			return -ERANGE;
		vals[num] = v + op;
		if (ops[i].sem_flg & SEM_UNDO) {
			int u = adj[num] - op;
			if (u < -SEMAEM_K - 1 || u > SEMAEM_K)
				return -ERANGE;
			adj[num] = (short)u;
		}
	}
	return 0;
}

/* Read and check semop's arguments: 0 or -errno; *alter, *undo, *max. */
static long read_ops(struct task *t, uint64_t addr, size_t n, struct sembuf *ops, bool *alter,
		     bool *undo, int *max)
{
	if (task_read(t, addr, ops, n * sizeof(*ops)) != 0)
		return -EFAULT;
	*alter = *undo = false;
	*max = 0;
	for (size_t i = 0; i < n; i++) {
		if (ops[i].sem_num > *max)
			*max = ops[i].sem_num;
		*undo |= (ops[i].sem_flg & SEM_UNDO) != 0;
		*alter |= ops[i].sem_op != 0;
	}
	return 0;
}

/* Commit a successful attempt. */
static void commit(struct task *t, struct sem_set *g, const struct sembuf *ops, size_t n,
		   const int *vals, const short *adj, struct sem_undo *un)
{
	for (int i = 0; i < g->nsems; i++)
		g->sems[i].val = vals[i];
	for (size_t i = 0; i < n; i++)
		g->sems[ops[i].sem_num].pid = t->proc->pid;
	if (un)
		memcpy(un->adj, adj, (size_t)g->nsems * sizeof(short));
	g->otime = time(NULL);
	ipc_wake(t->s, g);
}

/* The set's operation once the arguments are read. */
static long operate(struct task *t, struct sem_set *g, const struct sembuf *ops, size_t n,
		    bool undo)
{
	int *vals = xcalloc((size_t)g->nsems, sizeof(int));
	short *adj = xcalloc((size_t)g->nsems, sizeof(short));
	for (int i = 0; i < g->nsems; i++)
		vals[i] = g->sems[i].val;
	struct sem_undo *un = undo ? undo_of(t->proc, g) : NULL;
	if (un)
		memcpy(adj, un->adj, (size_t)g->nsems * sizeof(short));
	size_t at = 0;
	long r = attempt(ops, n, vals, adj, &at);
	if (r == 0)
		commit(t, g, ops, n, vals, adj, un);
	free(vals);
	free(adj);
	if (r != 1)
		return r;
	if (ops[at].sem_flg & IPC_NOWAIT)
		return -EAGAIN;
	if (task_deadline_passed(t))
		return -EAGAIN;
	r = ipc_block(t, g, false);
	if (r == SYSRET_BLOCK) {
		t->block.ipc_semnum = ops[at].sem_num;
		t->block.ipc_zero = ops[at].sem_op == 0;
	}
	return r;
}

long sem_op(struct task *t, int id, uint64_t sops_addr, size_t nsops, uint64_t timeout_addr)
{
	if (nsops < 1)
		return -EINVAL;
	if (nsops > (size_t)t->s->ipc->sem[2])
		return -E2BIG;
	if (nsops > SEMOPS_MAX_K)
		return -ENOMEM;
	cleanup_free struct sembuf *ops = xcalloc(nsops, sizeof(*ops));
	bool alter, undo;
	int max;
	long r = read_ops(t, sops_addr, nsops, ops, &alter, &undo, &max);
	if (r != 0)
		return r;
	struct timespec ts;
	if (timeout_addr) {
		if (task_read(t, timeout_addr, &ts, sizeof(ts)) != 0)
			return -EFAULT;
		if (ts.tv_sec < 0 || ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L)
			return -EINVAL;
	}
	struct sem_set *g = id < 0 ? NULL : by_id(t->s, id);
	if (!g)
		return t->call.retry ? -EIDRM : -EINVAL;
	if (max >= g->nsems)
		return -EFBIG;
	if (!ipc_allowed(t, &g->perm, alter ? 2 : 4))
		return -EACCES;
	(void)task_deadline(t, timeout_addr ? &ts : NULL, false, CLOCK_MONOTONIC);
	return operate(t, g, ops, nsops, undo);
}

void sem_undo_exit(struct sentry *s, struct process *p)
{
	struct sem_undo_list *l = p->sem_undo;
	p->sem_undo = NULL;
	if (!l || --l->refs > 0)
		return;
	while (l->head) {
		struct sem_undo *un = l->head;
		l->head = un->next;
		struct sem_set *g = by_id(s, un->semid);
		for (int i = 0; g && i < g->nsems; i++) {
			if (un->adj[i] == 0)
				continue;
			int v = g->sems[i].val + un->adj[i];
			g->sems[i].val = v < 0 ? 0 : v > SEMVMX_K ? SEMVMX_K : v;
			g->sems[i].pid = p->pid;
		}
		if (g) {
			g->otime = time(NULL);
			ipc_wake(s, g);
		}
		free(un->adj);
		free(un);
	}
	free(l);
}

/* Tasks waiting on semaphore `num` of `g` for it to grow (zero: be 0). */
static int waiters(struct sentry *s, const struct sem_set *g, int num, bool zero)
{
	int n = 0;
	for (struct task *u = s->tasks; u; u = u->next)
		if (u->state == TASK_BLOCKED && u->block.kind == BLOCK_IPC &&
		    u->block.ipc_obj == g && u->block.ipc_semnum == num &&
		    u->block.ipc_zero == zero)
			n++;
	return n;
}

static long info(struct task *t, int cmd, uint64_t arg)
{
	const int *sem = t->s->ipc->sem;
	struct seminfo si = {.semmap = SEMMNS_K,
			     .semmni = sem[3],
			     .semmns = sem[1],
			     .semmnu = SEMMNS_K,
			     .semmsl = sem[0],
			     .semopm = sem[2],
			     .semume = SEMOPM_K,
			     .semusz = SEMUSZ_K,
			     .semvmx = SEMVMX_K,
			     .semaem = SEMAEM_K};
	int highest = 0;
	if (cmd == SEM_INFO)
		si.semusz = si.semaem = 0;
	for (struct sem_set *g = t->s->sem; g; g = g->next) {
		if (g->id > highest)
			highest = g->id;
		if (cmd == SEM_INFO) {
			si.semusz++;
			si.semaem += g->nsems;
		}
	}
	if (task_write(t, arg, &si, sizeof(si)) != 0)
		return -EFAULT;
	return highest;
}

static long stat_set(struct task *t, struct sem_set *g, int cmd, uint64_t arg)
{
	if (cmd != SEM_STAT_ANY && !ipc_allowed(t, &g->perm, 4))
		return -EACCES;
	struct semid_ds ds;
	memset(&ds, 0, sizeof(ds));
	ds.sem_perm = g->perm;
	ds.sem_otime = g->otime;
	ds.sem_ctime = g->ctime;
	ds.sem_nsems = (unsigned long)g->nsems;
	if (task_write(t, arg, &ds, sizeof(ds)) != 0)
		return -EFAULT;
	return cmd == IPC_STAT ? 0 : g->id;
}

/* IPC_SET and IPC_RMID: the owner's. */
static long control_down(struct task *t, struct sem_set *g, int cmd, uint64_t arg)
{
	if (!ipc_owner(t, &g->perm))
		return -EPERM;
	if (cmd == IPC_RMID) {
		destroy(t->s, g);
		return 0;
	}
	struct semid_ds ds;
	if (task_read(t, arg, &ds, sizeof(ds)) != 0)
		return -EFAULT;
	g->perm.uid = ds.sem_perm.uid;
	g->perm.gid = ds.sem_perm.gid;
	g->perm.mode = (unsigned short)((g->perm.mode & ~0777) | (ds.sem_perm.mode & 0777));
	g->ctime = time(NULL);
	return 0;
}

static long get_all(struct task *t, struct sem_set *g, uint64_t arg)
{
	unsigned short *v = xcalloc((size_t)g->nsems, sizeof(*v));
	for (int i = 0; i < g->nsems; i++)
		v[i] = (unsigned short)g->sems[i].val;
	int r = task_write(t, arg, v, (size_t)g->nsems * sizeof(*v));
	free(v);
	return r != 0 ? -EFAULT : 0;
}

static long set_all(struct task *t, struct sem_set *g, uint64_t arg)
{
	unsigned short *v = xcalloc((size_t)g->nsems, sizeof(*v));
	long r = task_read(t, arg, v, (size_t)g->nsems * sizeof(*v)) != 0 ? -EFAULT : 0;
	for (int i = 0; r == 0 && i < g->nsems; i++)
		if (v[i] > SEMVMX_K)
			r = -ERANGE;
	for (int i = 0; r == 0 && i < g->nsems; i++) {
		g->sems[i].val = v[i];
		g->sems[i].pid = t->proc->pid;
	}
	free(v);
	if (r == 0) {
		undo_clear(t->s, g->id, -1, g->nsems);
		g->ctime = time(NULL);
		ipc_wake(t->s, g);
	}
	return r;
}

static long set_val(struct task *t, int id, int semnum, int val)
{
	if (val < 0 || val > SEMVMX_K)
		return -ERANGE;
	struct sem_set *g = id < 0 ? NULL : by_id(t->s, id);
	if (!g)
		return -EINVAL;
	if (semnum < 0 || semnum >= g->nsems)
		return -EINVAL;
	if (!ipc_allowed(t, &g->perm, 2))
		return -EACCES;
	g->sems[semnum].val = val;
	g->sems[semnum].pid = t->proc->pid;
	undo_clear(t->s, g->id, semnum, g->nsems);
	g->ctime = time(NULL);
	ipc_wake(t->s, g);
	return 0;
}

/* GETVAL, GETPID, GETNCNT, GETZCNT, GETALL, SETALL. */
static long control_main(struct task *t, struct sem_set *g, int semnum, int cmd, uint64_t arg)
{
	if (!ipc_allowed(t, &g->perm, cmd == SETALL ? 2 : 4))
		return -EACCES;
	if (cmd == GETALL)
		return get_all(t, g, arg);
	if (cmd == SETALL)
		return set_all(t, g, arg);
	if (semnum < 0 || semnum >= g->nsems)
		return -EINVAL;
	switch (cmd) {
	case GETVAL:
		return g->sems[semnum].val;
	case GETPID:
		return g->sems[semnum].pid;
	case GETNCNT:
		return waiters(t->s, g, semnum, false);
	default: /* GETZCNT */
		return waiters(t->s, g, semnum, true);
	}
}

long sem_control(struct task *t, int id, int semnum, int cmd, uint64_t arg)
{
	if (cmd == IPC_INFO || cmd == SEM_INFO)
		return info(t, cmd, arg);
	if (cmd == SETVAL)
		return set_val(t, id, semnum, (int)arg);
	bool known = cmd == IPC_STAT || cmd == SEM_STAT || cmd == SEM_STAT_ANY || cmd == IPC_SET ||
		     cmd == IPC_RMID || cmd == GETVAL || cmd == GETPID || cmd == GETNCNT ||
		     cmd == GETZCNT || cmd == GETALL || cmd == SETALL;
	if (!known)
		return -EINVAL;
	struct sem_set *g = id < 0 ? NULL : by_id(t->s, id);
	if (!g)
		return -EINVAL;
	switch (cmd) {
	case IPC_STAT:
	case SEM_STAT:
	case SEM_STAT_ANY:
		return stat_set(t, g, cmd, arg);
	case IPC_SET:
	case IPC_RMID:
		return control_down(t, g, cmd, arg);
	default:
		return control_main(t, g, semnum, cmd, arg);
	}
}

char *sem_proc_text(struct sentry *s)
{
	char *out =
	    xstrdup("       key      semid perms      nsems   uid   gid  cuid  cgid      otime"
		    "      ctime\n");
	for (struct sem_set *g = s->sem; g; g = g->next) {
		char *row = xasprintf("%10d %10d  %4o %10u %5u %5u %5u %5u %10llu %10llu\n",
				      g->perm.__key, g->id, g->perm.mode, (unsigned)g->nsems,
				      g->perm.uid, g->perm.gid, g->perm.cuid, g->perm.cgid,
				      (unsigned long long)g->otime, (unsigned long long)g->ctime);
		char *both = xasprintf("%s%s", out, row);
		free(out);
		free(row);
		out = both;
	}
	return out;
}

void sem_release_all(struct sentry *s)
{
	while (s->sem)
		destroy(s, s->sem);
}
