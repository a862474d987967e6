/* Scheduling syscalls: policies and real-time priorities (sched_*,
 * sched_setattr/sched_getattr), and nice values (getpriority/setpriority).
 *
 * These are the sandbox's view, kept per task (struct task_sched) with
 * Linux's rules: which policies exist, their priority ranges, who may raise
 * a priority (CAP_SYS_NICE: the sandbox's root, and only if msentry itself
 * has it), SCHED_RESET_ON_FORK. The host keeps scheduling every stub as it
 * schedules msentry: a program cannot make itself real-time on the host.
 * Every change goes through sched_apply, Linux's __sched_setscheduler
 * checks in its order (RLIMIT_RTPRIO, RLIMIT_NICE, owner, reset-on-fork).
 * SCHED_DEADLINE is validated as Linux validates it, then refused (EPERM,
 * as Linux refuses a deadline task it cannot admit): a bandwidth
 * guarantee is not something the sandbox can give. Utilization clamps are
 * EOPNOTSUPP, as on a kernel built without them.
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
/* sched_attr.sched_flags (linux/sched.h; not in every libc). */
#define SCHED_FLAG_RESET_ON_FORK_K 0x01
#define SCHED_FLAG_KEEP_POLICY_K   0x08
#define SCHED_FLAG_KEEP_PARAMS_K   0x10
#define SCHED_FLAG_UTIL_CLAMP_K	   0x60
#define SCHED_FLAGS_ALL		   0x7f
#define SCHED_FLAG_SUGOV_K	   0x10000000
/* A fair task's slice (EEVDF, sched_attr.sched_runtime): Linux clamps a
 * custom one to 0.1..100 ms. The default depends on the host's CPU count
 * in Linux (0.7 ms scaled by 1 + log2 of up to 8 CPUs); the sandbox's
 * view is the value for 2 CPUs, whatever the host has. */
#define SLICE_MIN_NS	 100000ULL
#define SLICE_MAX_NS	 100000000ULL
#define SLICE_DEFAULT_NS 1400000ULL

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

/* The scheduling a reader reports for `pid`. A zombie (exited, not yet
 * reaped) still answers in Linux; its tasks are gone here, and with them
 * its policy: it reads as an ordinary task (SCHED_OTHER, priority 0). */
static long target_sched(struct task *t, int64_t pid, const struct task_sched **out)
{
	static const struct task_sched zombie;
	struct task *u;
	long rc = target_task(t, pid, &u);
	if (rc == -ESRCH) {
		struct process *p = process_by_pid(t->s, (pid_t)pid);
		if (!p || p->pid != (pid_t)pid || !p->zombie)
			return rc;
		*out = &zombie;
		return 0;
	}
	*out = rc == 0 ? &u->sched : NULL;
	return rc;
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
	const struct task_sched *u;
	long rc = target_sched(t, (int64_t)a[0], &u);
	if (rc != 0)
		return rc;
	return u->policy | (u->reset_on_fork ? SCHED_RESET_ON_FORK_K : 0);
}

SYSCALL_HANDLER(sched_getparam)
{
	const struct task_sched *u;
	long rc = target_sched(t, (int64_t)a[0], &u);
	if (rc != 0)
		return rc;
	if (!a[1])
		return -EINVAL;
	struct sched_param p = {.sched_priority = u->priority};
	return task_write(t, a[1], &p, sizeof(p)) == 0 ? 0 : -EFAULT;
}

/* A change of policy as Linux's __sched_setscheduler takes it, from
 * sched_setscheduler/sched_setparam (nice kept) or sched_setattr. */
struct sched_req {
	int policy; /* -1: keep the current one (sched_setparam, SCHED_FLAG_KEEP_POLICY) */
	uint64_t flags;
	int priority;
	int nice;
	uint64_t runtime, deadline, period; /* runtime: the slice of a fair policy */
};

static bool fair(int policy)
{
	return policy == SCHED_OTHER || policy == SCHED_BATCH;
}

/* Linux's can_nice without the capability: RLIMIT_NICE allows 20 - nice. */
static bool rlimit_allows_nice(const struct task *u, int nice)
{
	return (rlim_t)(20 - nice) <= u->proc->rlim[RLIMIT_NICE].rlim_cur;
}

/* Linux's __checkparam_dl: runtime <= deadline <= period, within the
 * default sysctl bounds (100 us .. 4.19 s). */
static bool deadline_params_ok(const struct sched_req *r)
{
	const uint64_t msb = 1ULL << 63, min = 100 * 1000ULL, max = (1ULL << 22) * 1000;
	if (r->deadline == 0 || r->runtime < 1024 || (r->deadline & msb) || (r->period & msb))
		return false;
	uint64_t period = r->period ? r->period : r->deadline;
	return period >= r->deadline && r->deadline >= r->runtime && period >= min && period <= max;
}

/* Linux's user_check_sched_setscheduler: 0 or -EPERM. */
static long sched_may(struct task *t, struct task *u, const struct sched_req *r, bool reset)
{
	const struct process *p = u->proc;
	rlim_t rtprio = p->rlim[RLIMIT_RTPRIO].rlim_cur;
	bool priv = fair(r->policy) && r->nice < u->sched.nice && !rlimit_allows_nice(u, r->nice);
	if (realtime(r->policy))
		priv |= (r->policy != u->sched.policy && rtprio == 0) ||
			(r->priority > u->sched.priority && (rlim_t)r->priority > rtprio);
	priv |= r->policy == SCHED_DEADLINE_K;
	priv |= u->sched.policy == SCHED_IDLE && r->policy != SCHED_IDLE &&
		!rlimit_allows_nice(u, u->sched.nice);
	priv |= t->proc->euid != p->euid && t->proc->euid != p->ruid;
	priv |= u->sched.reset_on_fork && !reset;
	return priv && !task_capable(t, CAP_SYS_NICE) ? -EPERM : 0;
}

/* Validate and apply r to u, in Linux's order of checks. */
static long sched_apply(struct task *t, struct task *u, struct sched_req *r)
{
	bool reset = (r->flags & SCHED_FLAG_RESET_ON_FORK_K) != 0;
	if (r->policy < 0) {
		r->policy = u->sched.policy;
		reset = u->sched.reset_on_fork;
	} else if (!known_policy(r->policy) && r->policy != SCHED_DEADLINE_K) {
		return -EINVAL;
	}
	if (r->flags & ~(SCHED_FLAGS_ALL | SCHED_FLAG_SUGOV_K))
		return -EINVAL;
	if (r->priority < 0 || r->priority > RT_PRIO_MAX ||
	    (r->policy == SCHED_DEADLINE_K && !deadline_params_ok(r)) ||
	    realtime(r->policy) != (r->priority != 0))
		return -EINVAL;
	long rc = sched_may(t, u, r, reset);
	if (rc != 0)
		return rc;
	if (r->flags & SCHED_FLAG_SUGOV_K)
		return -EINVAL;
	/* A kernel without CONFIG_UCLAMP_TASK, as many distribution hosts. */
	if (r->flags & SCHED_FLAG_UTIL_CLAMP_K)
		return -EOPNOTSUPP;
	/* No deadline task is admitted: the host would run it as msentry, so
	 * its bandwidth guarantee would be a lie. Linux answers EPERM when
	 * it cannot admit one (a task not spanning its root domain). */
	if (r->policy == SCHED_DEADLINE_K)
		return -EPERM;
	u->sched.policy = r->policy;
	u->sched.priority = r->priority;
	u->sched.reset_on_fork = reset;
	if (fair(r->policy)) {
		u->sched.nice = r->nice;
		u->sched.slice_ns = r->runtime == 0		? 0
				    : r->runtime < SLICE_MIN_NS ? SLICE_MIN_NS
				    : r->runtime > SLICE_MAX_NS ? SLICE_MAX_NS
								: r->runtime;
	}
	return 0;
}

/* sched_setscheduler and sched_setparam: the nice value and slice stay. */
static long set_scheduler(struct task *t, struct task *u, int policy, uint64_t param_addr)
{
	if (!param_addr)
		return -EINVAL;
	struct sched_param p;
	if (task_read(t, param_addr, &p, sizeof(p)) != 0)
		return -EFAULT;
	struct sched_req r = {.policy = policy,
			      .priority = p.sched_priority,
			      .nice = u->sched.nice,
			      .runtime = u->sched.slice_ns};
	if (policy >= 0 && (policy & SCHED_RESET_ON_FORK_K)) {
		r.flags = SCHED_FLAG_RESET_ON_FORK_K;
		r.policy = policy & ~SCHED_RESET_ON_FORK_K;
	}
	return sched_apply(t, u, &r);
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
	return set_scheduler(t, u, -1, a[1]);
}

SYSCALL_HANDLER(sched_rr_get_interval)
{
	const struct task_sched *u;
	long rc = target_sched(t, (int64_t)a[0], &u);
	if (rc != 0)
		return rc;
	struct timespec ts = {0, u->policy == SCHED_RR ? RR_TIMESLICE_NS : 0};
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

/* struct sched_attr (linux/sched/types.h): 48 bytes in its first version,
 * 56 with the utilization clamps. */
struct sched_attr_k {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
};
#define SCHED_ATTR_SIZE_VER0 48
#define SCHED_ATTR_PAGE	     4096

/* Are the bytes [from, to) of the program's attr all zero (Linux's
 * copy_struct_from_user for a newer, larger struct)? 0, -E2BIG or -EFAULT. */
static long tail_is_zero(struct task *t, uint64_t addr, uint32_t from, uint32_t to)
{
	uint8_t buf[256];
	for (uint32_t off = from; off < to; off += sizeof(buf)) {
		size_t n = to - off < sizeof(buf) ? to - off : sizeof(buf);
		if (task_read(t, addr + off, buf, n) != 0)
			return -EFAULT;
		for (size_t i = 0; i < n; i++)
			if (buf[i])
				return -E2BIG;
	}
	return 0;
}

/* Linux's sched_copy_attr: a size the kernel cannot take is answered
 * E2BIG, with the size it knows written back. */
static long read_sched_attr(struct task *t, uint64_t addr, struct sched_attr_k *attr)
{
	*attr = (struct sched_attr_k){0};
	uint32_t size;
	if (task_read(t, addr, &size, sizeof(size)) != 0)
		return -EFAULT;
	if (size == 0)
		size = SCHED_ATTR_SIZE_VER0; /* Linux's ABI quirk */
	long rc = size < SCHED_ATTR_SIZE_VER0 || size > SCHED_ATTR_PAGE ? -E2BIG : 0;
	if (rc == 0 && size > sizeof(*attr))
		rc = tail_is_zero(t, addr, sizeof(*attr), size);
	if (rc == -E2BIG) {
		uint32_t known = sizeof(*attr);
		return task_write(t, addr, &known, sizeof(known)) == 0 ? -E2BIG : -EFAULT;
	}
	if (rc != 0)
		return rc;
	if (task_read(t, addr, attr, size < sizeof(*attr) ? size : sizeof(*attr)) != 0)
		return -EFAULT;
	if ((attr->flags & SCHED_FLAG_UTIL_CLAMP_K) && size < sizeof(*attr))
		return -EINVAL;
	attr->nice = attr->nice < NICE_MIN   ? NICE_MIN
		     : attr->nice > NICE_MAX ? NICE_MAX
					     : attr->nice;
	return 0;
}

/* Linux's get_params: what SCHED_FLAG_KEEP_PARAMS keeps and sched_getattr reports. */
static void current_params(const struct task *u, struct sched_req *r)
{
	if (realtime(u->sched.policy)) {
		r->priority = u->sched.priority;
	} else {
		r->nice = u->sched.nice;
		r->runtime = u->sched.slice_ns ? u->sched.slice_ns : SLICE_DEFAULT_NS;
	}
}

SYSCALL_HANDLER(sched_setattr)
{
	int64_t pid = (int32_t)a[0];
	if (!a[1] || pid < 0 || (uint32_t)a[2] != 0)
		return -EINVAL;
	struct sched_attr_k attr;
	long rc = read_sched_attr(t, a[1], &attr);
	if (rc != 0)
		return rc;
	if ((int32_t)attr.policy < 0)
		return -EINVAL;
	struct sched_req r = {.policy = (int)attr.policy,
			      .flags = attr.flags,
			      .priority =
				  attr.priority > INT32_MAX ? INT32_MAX : (int)attr.priority,
			      .nice = attr.nice,
			      .runtime = attr.runtime,
			      .deadline = attr.deadline,
			      .period = attr.period};
	if (attr.flags & SCHED_FLAG_KEEP_POLICY_K)
		r.policy = -1;
	struct task *u;
	if ((rc = target_task(t, pid, &u)) != 0)
		return rc;
	if (attr.flags & SCHED_FLAG_KEEP_PARAMS_K)
		current_params(u, &r);
	return sched_apply(t, u, &r);
}

SYSCALL_HANDLER(sched_getattr)
{
	int64_t pid = (int32_t)a[0];
	uint32_t usize = (uint32_t)a[2];
	if (!a[1] || pid < 0 || usize > SCHED_ATTR_PAGE || usize < SCHED_ATTR_SIZE_VER0 ||
	    (uint32_t)a[3] != 0)
		return -EINVAL;
	struct task *u;
	long rc = target_task(t, pid, &u);
	if (rc != 0)
		return rc;
	struct sched_req r = {0};
	current_params(u, &r);
	/* Without utilization clamps (see sched_apply) both read 0, as on
	 * such a host. */
	struct sched_attr_k k = {
	    .policy = (uint32_t)u->sched.policy,
	    .flags = u->sched.reset_on_fork ? SCHED_FLAG_RESET_ON_FORK_K : 0,
	    .nice = r.nice,
	    .priority = (uint32_t)r.priority,
	    .runtime = r.runtime,
	};
	k.size = usize < sizeof(k) ? usize : sizeof(k);
	if (task_write(t, a[1], &k, k.size) != 0)
		return -EFAULT;
	/* A larger, newer struct: Linux (6.13 on, copy_struct_to_user)
	 * clears the fields it does not know. */
	static const uint8_t zeros[256];
	for (uint32_t off = k.size; off < usize; off += sizeof(zeros)) {
		size_t n = usize - off < sizeof(zeros) ? usize - off : sizeof(zeros);
		if (task_write(t, a[1] + off, zeros, n) != 0)
			return -EFAULT;
	}
	return 0;
}
