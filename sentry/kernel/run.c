/* Stub stops: what the kernel does with each.
 *
 * One thread drives every stub: ptrace only lets the thread that attached a
 * tracee drive it, and a single thread needs no locks. Each stop the loop
 * (sched.c) reads comes here: a syscall is served through the dispatch hook
 * (the syscall table, above the kernel), a fault becomes a signal, a
 * vsyscall goes to the vsyscall hooks. Signals sent to msentry itself are
 * recorded here and forwarded into the sandbox.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <cpuid.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"

#define SCRATCH_SIZE (1UL << 20)

void sentry_run_syscall(struct task *t)
{
	struct sentry *s = t->s;
	pid_t tid = t->tid; /* t may be freed by the handler (exit) */
	creds_enter(t);
	long ret = s->hooks->dispatch(t);
	if (ret == SYSRET_BLOCK)
		return; /* waiting: run again when woken */
	if (ret == SYSRET_NORETURN) {
		/* The task is gone, or resumed by the handler. */
		KERNEL_OBSERVE(s, syscall_noreturn, s, tid);
		return;
	}
	KERNEL_OBSERVE(s, syscall_exit, t, ret);
	task_resume(t, ret);
}

static void handle_syscall(struct task *t)
{
	if (platform_syscall_info(t->th, &t->sc) != 0) {
		task_continue(t);
		return;
	}
	t->in_syscall = true;
	t->call = (struct syscall_call){0}; /* a new call: nothing kept from the last one */
	KERNEL_OBSERVE(t->s, syscall_enter, t);
	sentry_run_syscall(t);
}

/* A signal the host raised in the stub: a fault of the program, or the
 * sentry's own kick (SIGURG) to make a running task stop. */
static void handle_signal(struct task *t, int sig)
{
	if (t->vsyscall_pending_caller)
		t->s->hooks->vsyscall_patch_pending(t);
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) {
		siginfo_t si;
		if (platform_get_siginfo(t->th, &si) != 0)
			memset(&si, 0, sizeof(si));
		KERNEL_OBSERVE(t->s, fault, t, sig, si.si_code, (uint64_t)si.si_addr);
		task_force_signal(t, sig, si.si_code, (uint64_t)si.si_addr);
	}
	task_continue(t);
}

void sentry_handle_stop(struct sentry *s, const struct stop *st)
{
	struct task *t = task_by_host_tid(s, st->tid);
	if (!t)
		return; /* a stub thread being torn down */
	platform_note_stop(t->th, st);
	switch (st->kind) {
	case STOP_SYSCALL:
		handle_syscall(t);
		break;
	case STOP_SIGNAL:
		/* On vsyscall=none hosts a legacy vsyscall arrives as SIGSEGV. */
		if (st->sig == SIGSEGV && s->hooks->vsyscall_fault_stop(t))
			break;
		handle_signal(t, st->sig);
		break;
	case STOP_VSYSCALL:
		s->hooks->vsyscall_seccomp_stop(t);
		break;
	case STOP_EXITED:
		/* The stub died under the program (e.g. killed by its seccomp
		 * filter): the program dies of that signal (platform_note_stop
		 * has marked the thread gone). */
		task_exit_group(t, st->sig ? st->sig : SIGKILL);
		break;
	case STOP_NEW_THREAD:
	case STOP_OTHER:
	default:
		platform_resume(t->th, false, 0);
		break;
	}
}

/* Signals sent to msentry itself (a terminal's ^C, a supervisor's SIGTERM)
 * are for the sandbox. The handler can only record them: the kernel gives a
 * handler no context, so this one bitmask is the sentry's single piece of
 * process-global state, written by the handler and drained by the loop. */
static volatile sig_atomic_t host_signals;

static void record_host_signal(int sig)
{
	host_signals |= 1 << sig;
}

static const int forwarded_signals[] = {SIGINT,	 SIGQUIT,  SIGTERM, SIGHUP,  SIGUSR1,
					SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP, SIGALRM};

void sentry_take_host_signals(struct sentry *s)
{
	fown_take(s);
	if (!host_signals)
		return;
	int pending = host_signals;
	host_signals = 0;
	if (s->cfg->debug && (pending & (1 << SIGUSR2))) {
		/* --debug: SIGUSR2 is for us, not the program (dump.c). */
		pending &= ~(1 << SIGUSR2);
		kernel_dump(s);
	}
	struct process *init = s->init;
	if (!init || init->zombie)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++) {
		int sig = forwarded_signals[i];
		if (!(pending & (1 << sig)))
			continue;
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		si.si_signo = sig;
		si.si_code = SI_USER;
		/* Terminal signals go to the foreground group of pid 1's terminal
		 * (tty.c; init's own group without one), the rest to init, as a
		 * container runtime does. */
		bool terminal =
		    sig == SIGINT || sig == SIGQUIT || sig == SIGTSTP || sig == SIGWINCH;
		pid_t fg = tty_foreground(s);
		if (fg == 0)
			fg = init->pgid;
		for (struct task *t = s->tasks; t && terminal; t = t->next)
			if (t->proc->pgid == fg && t == task_by_tid(s, t->proc->pid))
				signal_send_process(t->proc, sig, &si);
		if (!terminal)
			signal_send_process(init, sig, &si);
	}
}

void sentry_setup_host_signals(struct sentry *s)
{
	struct sigaction sa = {.sa_handler = record_host_signal};
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the signal must interrupt waitpid()/ppoll(). */
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++)
		sigaction(forwarded_signals[i], &sa, NULL);
	/* Stub stops raise SIGCHLD: blocked, and read through a signalfd when
	 * the loop polls. */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	s->sigchld_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	/* Writing to a pipe the program's reader closed must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	offload_setup();
	fown_setup();
}
