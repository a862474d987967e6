/* A task's scheduling as the program sees it: policy, priorities, nice
 * value (sys_sched.c) and I/O priority (sys_ioprio.c).
 *
 * This is the sandbox's view, kept with Linux's rules: the host schedules
 * every stub, and does every I/O, as msentry's own, so a program cannot
 * make itself real-time or raise its I/O class on the host.
 */
#ifndef MSENTRY_SENTRY_KERNEL_TASK_SCHED_H
#define MSENTRY_SENTRY_KERNEL_TASK_SCHED_H

#include <stdbool.h>
#include <stdint.h>

/* Linux's default timer slack (the init task's), in ns. */
#define TIMER_SLACK_DEFAULT_NS 50000

struct task_sched {
	int policy;	    /* SCHED_OTHER... */
	int priority;	    /* 1..99 for SCHED_FIFO/RR, else 0 */
	int nice;	    /* -20..19 */
	bool reset_on_fork; /* SCHED_RESET_ON_FORK */
	uint64_t slice_ns;  /* sched_setattr's custom fair slice; 0: the default */
	/* PR_SET_TIMERSLACK's value and what setting 0 restores (a child's is
	 * its parent's value at fork); 0: Linux's default, 50 us. Recorded:
	 * the host's slack applies to the stubs' sleeps. */
	uint64_t slack_ns, default_slack_ns;
};

/* Linux's io_context, reduced to the I/O priority: shared by CLONE_IO;
 * made by ioprio_set for a task that has none, and copied at clone when
 * its class is not NONE (process.c), as Linux makes and copies one. */
struct io_context {
	int refs;
	int ioprio; /* 0: IOPRIO_CLASS_NONE, never set */
};

#endif
