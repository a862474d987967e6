/* TEMPORARY (vdso branch): stands in for the lead's task_force_signal() in
 * sentry/signal.c until real signal delivery lands. It only does what an
 * unhandled SIGSEGV does: the thread group dies of the signal. Delete this
 * file when signal.c provides the real function. */
#include "sentry-internal.h"

void task_force_signal(struct task *t, int sig, int code, uint64_t addr)
{
	(void)code;
	(void)addr;
	task_exit_group(t, sig);
}
