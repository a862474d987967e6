/* Scheduling syscalls: policies and real-time priorities (sched_*), and
 * nice values (getpriority/setpriority).
 *
 * These are the sandbox's view, kept per task (struct task_sched) with
 * Linux's rules: which policies exist, their priority ranges, who may raise
 * a priority (CAP_SYS_NICE: the sandbox's root, and only if msentry itself
 * has it), SCHED_RESET_ON_FORK. The host keeps scheduling every stub as it
 * schedules msentry: a program cannot make itself real-time on the host.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <sys/resource.h>
#include <time.h>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

#define SCHED_RESET_ON_FORK_K 0x40000000
#define RT_PRIO_MAX	      99
#define SCHED_DEADLINE_K      6 /* not in every libc's sched.h */
#define NICE_MIN	      (-20)
#define NICE_MAX	      19
#define RR_TIMESLICE_NS	      100000000L /* Linux's default SCHED_RR slice */

static bool realtime(int policy)
{
	return policy == SCHED_FIFO || policy == SCHED_RR;
}

static bool known_policy(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_BATCH || policy == SCHED_IDLE ||
	       realtime(policy);
}

/* The task a sched_* call names: 0 is the caller; others are sandbox tids. */
static long target_task(struct task *t, int64_t pid, struct task **out)
{
	if (pid < 0 || pid > INT32_MAX)
		return -EINVAL;
	*out = pid == 0 ? t : task_by_tid(t->s, (pid_t)pid);
	return *out ? 0 : -ESRCH;
}

SYSCALL_HANDLER(sched_get_priority_max)
{
	(void)t;
	int policy = (int)a[0];
	/* SCHED_DEADLINE (set only by sched_setattr) has no priorities: 0. */
	if (policy == SCHED_DEADLINE_K)
		return 0;
	return known_policy(policy) ? (realtime(policy) ? RT_PRIO_MAX : 0) : -EINVAL;
}

SYSCALL_HANDLER(sched_get_priority_min)
{
	(void)t;
	int policy = (int)a[0];
	if (policy == SCHED_DEADLINE_K)
		return 0;
	return known_policy(policy) ? (realtime(policy) ? 1 : 0) : -EINVAL;
}

SYSCALL_HANDLER(sched_getscheduler)
{
	struct task *u;
	long rc = target_task(t, (int64_t)a[0], &u);
	if (rc != 0)
		return rc;
	return u->sched.policy | (u->sched.reset_on_fork ? SCHED_RESET_ON_FORK_K : 0);
}

SYSCALL_HANDLER(sched_getparam)
{
	struct task *u;
	long rc = target_task(t, (int64_t)a[0], &u);
	if (rc != 0)
		return rc;
	if (!a[1])
		return -EINVAL;
	struct sched_param p = {.sched_priority = u->sched.priority};
	return task_write(t, a[1], &p, sizeof(p)) == 0 ? 0 : -EFAULT;
}

/* Change u's policy and priority as Linux's __sched_setscheduler checks. */
static long set_scheduler(struct task *t, struct task *u, int policy, uint64_t param_addr)
{
	bool reset = (policy & SCHED_RESET_ON_FORK_K) != 0;
	policy &= ~SCHED_RESET_ON_FORK_K;
	if (!known_policy(policy) || !param_addr)
		return -EINVAL;
	struct sched_param p;
	if (task_read(t, param_addr, &p, sizeof(p)) != 0)
		return -EFAULT;
	if (realtime(policy) ? p.sched_priority < 1 || p.sched_priority > RT_PRIO_MAX
			     : p.sched_priority != 0)
		return -EINVAL;
	bool raise = realtime(policy) &&
		     (!realtime(u->sched.policy) || p.sched_priority > u->sched.priority);
	bool other = u->proc != t->proc && u->proc->euid != t->proc->euid;
	if ((raise || other || (u->sched.reset_on_fork && !reset)) &&
	    !task_capable(t, CAP_SYS_NICE))
		return -EPERM;
	u->sched.policy = policy;
	u->sched.priority = p.sched_priority;
	u->sched.reset_on_fork = reset;
	return 0;
}

SYSCALL_HANDLER(sched_setscheduler)
{
	struct task *u;
	if ((int)a[1] < 0)
		return -EINVAL;
	long rc = target_task(t, (int64_t)a[0], &u);
	return rc != 0 ? rc : set_scheduler(t, u, (int)a[1], a[2]);
}

SYSCALL_HANDLER(sched_setparam)
{
	struct task *u;
	long rc = target_task(t, (int64_t)a[0], &u);
	if (rc != 0)
		return rc;
	int policy = u->sched.policy | (u->sched.reset_on_fork ? SCHED_RESET_ON_FORK_K : 0);
	return set_scheduler(t, u, policy, a[1]);
}

SYSCALL_HANDLER(sched_rr_get_interval)
{
	struct task *u;
	long rc = target_task(t, (int64_t)a[0], &u);
	if (rc != 0)
		return rc;
	struct timespec ts = {0, u->sched.policy == SCHED_RR ? RR_TIMESLICE_NS : 0};
	return task_write(t, a[1], &ts, sizeof(ts)) == 0 ? 0 : -EFAULT;
}

/* Does u belong to what (which, who) names? */
static bool prio_matches(struct task *t, struct task *u, int which, int who)
{
	switch (which) {
	case PRIO_PROCESS:
		return who == 0 ? u == t : u->tid == who;
	case PRIO_PGRP:
		return u->proc->pgid == (who == 0 ? t->proc->pgid : who);
	case PRIO_USER:
		return u->proc->ruid == (uid_t)(who == 0 ? (int)t->proc->ruid : who);
	default:
		return false;
	}
}

/* The raw syscall answers 20 - nice (1..40), so that it is never negative;
 * libc turns it back. */
SYSCALL_HANDLER(getpriority)
{
	int which = (int)a[0], who = (int)a[1];
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	int best = NICE_MAX + 1;
	for (struct task *u = t->s->tasks; u; u = u->next)
		if (prio_matches(t, u, which, who) && u->sched.nice < best)
			best = u->sched.nice;
	return best > NICE_MAX ? -ESRCH : 20 - best;
}

SYSCALL_HANDLER(setpriority)
{
	int which = (int)a[0], who = (int)a[1], nice = (int)a[2];
	if (which != PRIO_PROCESS && which != PRIO_PGRP && which != PRIO_USER)
		return -EINVAL;
	nice = nice < NICE_MIN ? NICE_MIN : nice > NICE_MAX ? NICE_MAX : nice;
	long rc = -ESRCH;
	for (struct task *u = t->s->tasks; u; u = u->next) {
		if (!prio_matches(t, u, which, who))
			continue;
		if (u->proc->euid != t->proc->euid && u->proc->ruid != t->proc->euid &&
		    !task_capable(t, CAP_SYS_NICE)) {
			rc = -EPERM;
			continue;
		}
		if (nice < u->sched.nice && !task_capable(t, CAP_SYS_NICE)) {
			rc = -EACCES;
			continue;
		}
		u->sched.nice = nice;
		if (rc == -ESRCH)
			rc = 0;
	}
	return rc;
}
