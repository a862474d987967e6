/* A process's resource use as getrusage(2), times(2) and wait4(2) report
 * it, and what wait reports of a child.
 *
 * The host counts the program's CPU time, faults and memory peak on its
 * stub process (platform_cpu_usage). When a process exits its stub is
 * killed and the host forgets that count, so the kernel captures it into
 * the process as it exits (`own_use`, process.c), before the stub goes. When
 * the parent reaps the zombie with wait, the child's own use and what its
 * own reaped children used are added to the parent's `children_use` (Linux's
 * wait_task_zombie adds them to signal->cutime, cstime, cmaxrss...); a
 * child reaped automatically (SIGCHLD ignored, SA_NOCLDWAIT) adds nothing,
 * as in Linux. Times and faults add up; maxrss is the largest peak of any
 * one process, never a sum.
 */
#ifndef MSENTRY_SENTRY_KERNEL_USAGE_H
#define MSENTRY_SENTRY_KERNEL_USAGE_H

#include <stdbool.h>
#include <sys/resource.h>
#include <sys/types.h>

struct proc_usage {
	unsigned long utime, stime; /* clock ticks (_SC_CLK_TCK) */
	unsigned long minflt, majflt;
	long maxrss_kb;
};

/* A child state wait4/waitid can report. */
struct wait_result {
	pid_t pid;
	int status; /* wait status; 0xffff: continued */
	bool reaped;
	struct proc_usage usage; /* reaped: the child's own and its children's */
};

/* Add `u` to `sum`: times and faults summed, maxrss the larger. */
void usage_add(struct proc_usage *sum, const struct proc_usage *u);
/* As struct rusage (the fields Linux fills from these). */
void usage_to_rusage(const struct proc_usage *u, struct rusage *ru);

#endif
