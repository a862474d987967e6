/* The --debug dump: what every task is doing, on SIGUSR2 to msentry.
 *
 * A sandbox that seems stuck is a question of which task waits for what.
 * With --debug, SIGUSR2 sent to msentry is not forwarded to the program:
 * the signal handler only records it (run.c), and the loop, at its next
 * pass, prints one line per task to stderr: sandbox tid and pid, the stub's
 * host tid, its state (running program code, in a syscall, blocked and on
 * what, ready to run again, stopped by job control) and its pending and
 * blocked signals; then one line per zombie not yet reaped. Nothing is
 * stopped or waited for: the dump reads the sentry's own state only. The
 * watchdog of the test suite (tests/watchdog.py) sends it before it kills a
 * stuck test, so the failure log says where the sandbox stood.
 */
#include <stdio.h>

#include "sentry/kernel/kernel.h"

static const char *block_name(enum block_kind k)
{
	switch (k) {
	case BLOCK_FD:
		return "host fds";
	case BLOCK_SLEEP:
		return "sleep";
	case BLOCK_CHILD:
		return "wait for a child";
	case BLOCK_FUTEX:
		return "futex";
	case BLOCK_SIGNAL:
		return "signal";
	case BLOCK_VFORK:
		return "vfork child";
	case BLOCK_STOPPED:
		return "job-control stop";
	case BLOCK_IPC:
		return "System V or POSIX IPC";
	case BLOCK_NONE:
	default:
		return "nothing";
	}
}

static void state_of(const struct task *t, char *buf, size_t size)
{
	if (t->proc->stopped && !(t->state == TASK_BLOCKED && t->block.kind != BLOCK_STOPPED)) {
		snprintf(buf, size, "stopped");
		return;
	}
	switch (t->state) {
	case TASK_BLOCKED:
		snprintf(buf, size, "blocked on %s%s (syscall %lld)", block_name(t->block.kind),
			 t->block.has_deadline ? " with a deadline" : "", (long long)t->sc.nr);
		break;
	case TASK_READY:
		snprintf(buf, size, "ready (syscall %lld)", (long long)t->sc.nr);
		break;
	case TASK_RUNNING:
	default:
		if (t->in_syscall)
			snprintf(buf, size, "in syscall %lld", (long long)t->sc.nr);
		else
			snprintf(buf, size, "running");
		break;
	}
}

void kernel_dump(struct sentry *s)
{
	fprintf(stderr, "msentry: debug dump: %d tasks, %zu deadlines armed\n", s->ntasks,
		s->deadlines.n);
	for (const struct task *t = s->tasks; t; t = t->next) {
		char state[128];
		state_of(t, state, sizeof(state));
		fprintf(stderr,
			"msentry:   tid %d pid %d host %d %s: %s; pending %#llx (process %#llx), "
			"blocked %#llx\n",
			t->tid, t->proc->pid, t->th ? platform_thread_tid(t->th) : 0,
			t->mm ? task_comm(t) : "?", state, (unsigned long long)t->pending.set,
			(unsigned long long)t->proc->pending.set, (unsigned long long)t->sigmask);
	}
	/* Zombies have no task: each is on its parent's list of children. */
	for (const struct task *t = s->tasks; t; t = t->next) {
		if (task_by_tid(s, t->proc->pid) != t)
			continue; /* each process once, through its main thread */
		for (const struct process *c = t->proc->children; c; c = c->sibling)
			if (c->zombie)
				fprintf(stderr, "msentry:   pid %d zombie of %d, wait status %#x\n",
					c->pid, t->proc->pid, c->exit_status);
	}
}
