/* I/O priorities (ioprio_get, ioprio_set): the sandbox's view.
 *
 * A task's value lives in its I/O context (struct io_context, Linux's
 * io_context), which ioprio_set makes when the task has none; CLONE_IO
 * shares it, and clone otherwise copies a value that was set, as Linux's
 * copy_io does. A task without one reads 0 (IOPRIO_CLASS_NONE). The host does every I/O of the
 * program as msentry's own, at msentry's priority: the value changes nothing there, but programs
 * (ionice, LTP, backup tools) read back what they set, and the rules are Linux's (block/ioprio.c):
 * which values are valid, who may set whose (a real uid matching the caller's, or CAP_SYS_NICE),
 * and IOPRIO_CLASS_RT only with CAP_SYS_ADMIN or CAP_SYS_NICE.
 *
 * ioprio_get(IOPRIO_WHO_PROCESS) answers the raw value (0 when unset);
 * for a group or user it answers the best (lowest) effective value of its
 * threads, where an unset one stands for what the nice value and policy
 * imply, as Linux's get_task_ioprio does.
 *
 * Threats: arguments only; no host call is made.
 */
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

#define WHO_PROCESS 1
#define WHO_PGRP    2
#define WHO_USER    3
#define CLASS_NONE  0
#define CLASS_RT    1
#define CLASS_BE    2
#define CLASS_IDLE  3
#define CLASS(p)    (((p) >> 13) & 7)
#define LEVEL(p)    ((p)&7)
#define VALUE(c, d) ((c) << 13 | (d))

/* Linux's ioprio_check_cap: 0, -EINVAL or -EPERM. Hints (bits 3..12) are
 * not checked, and bits above 15 are dropped (the value is 16 bits), as
 * Linux does. */
static long ioprio_valid(const struct task *t, int ioprio)
{
	switch (CLASS(ioprio)) {
	case CLASS_RT:
		if (!caps_has(t->proc, CAP_SYS_ADMIN) && !caps_has(t->proc, CAP_SYS_NICE))
			return -EPERM;
		return 0;
	case CLASS_BE:
	case CLASS_IDLE:
		return 0;
	case CLASS_NONE:
		return LEVEL(ioprio) ? -EINVAL : 0;
	default:
		return -EINVAL;
	}
}

/* Linux's get_task_ioprio: an unset value stands for the class the
 * policy implies and the level the nice value does. */
static int raw(const struct task *u)
{
	return u->io ? u->io->ioprio : 0;
}

static int effective(const struct task *u)
{
	if (CLASS(raw(u)) != CLASS_NONE)
		return raw(u);
	int policy = u->sched.policy;
	int cls = policy == SCHED_IDLE			       ? CLASS_IDLE
		  : policy == SCHED_FIFO || policy == SCHED_RR ? CLASS_RT
							       : CLASS_BE;
	return VALUE(cls, (u->sched.nice + 20) / 5);
}

/* Is u among the tasks (which, who) names? Linux leaves out tasks with no
 * pid in the caller's namespace; every sandbox task has one. For
 * IOPRIO_WHO_USER, who 0 is the caller's real uid to ioprio_get, but uid 0
 * to ioprio_set (`literal`): Linux's ioprio_set compares the tasks' uids
 * with who itself, and the sandbox answers as the host does. */
static bool names(const struct task *t, const struct task *u, int which, int who, bool literal)
{
	switch (which) {
	case WHO_PROCESS:
		return who == 0 ? u == t : u->tid == who;
	case WHO_PGRP:
		return u->proc->pgid == (who == 0 ? t->proc->pgid : who);
	case WHO_USER:
		return u->proc->ruid == (who == 0 && !literal ? t->proc->ruid : (uid_t)who);
	default:
		return false;
	}
}

SYSCALL_HANDLER(ioprio_get)
{
	int which = (int)a[0], who = (int)a[1];
	if (which != WHO_PROCESS && which != WHO_PGRP && which != WHO_USER)
		return -EINVAL;
	long best = -ESRCH;
	for (struct task *u = t->s->tasks; u; u = u->next) {
		if (!names(t, u, which, who, false))
			continue;
		if (which == WHO_PROCESS)
			return raw(u);
		int v = effective(u);
		if (best < 0 || v < best)
			best = v;
	}
	return best;
}

/* Linux's set_task_ioprio: the target's real uid must be the caller's
 * real or effective uid, unless the caller has CAP_SYS_NICE. */
static long set_one(struct task *t, struct task *u, int ioprio)
{
	uid_t r = u->proc->ruid;
	if (r != t->proc->euid && r != t->proc->ruid && !caps_has(t->proc, CAP_SYS_NICE))
		return -EPERM;
	if (!u->io) {
		u->io = xcalloc(1, sizeof(*u->io));
		u->io->refs = 1;
	}
	u->io->ioprio = (uint16_t)ioprio;
	return 0;
}

SYSCALL_HANDLER(ioprio_set)
{
	int which = (int)a[0], who = (int)a[1], ioprio = (int)a[2];
	long rc = ioprio_valid(t, ioprio);
	if (rc != 0)
		return rc;
	if (which != WHO_PROCESS && which != WHO_PGRP && which != WHO_USER)
		return -EINVAL;
	/* Linux stops at the first task it may not change. */
	rc = -ESRCH;
	for (struct task *u = t->s->tasks; u; u = u->next) {
		if (!names(t, u, which, who, true))
			continue;
		if ((rc = set_one(t, u, ioprio)) != 0 || which == WHO_PROCESS)
			return rc;
	}
	return rc;
}
