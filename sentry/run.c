/* The sentry's event loop.
 *
 * One thread drives every stub: ptrace only lets the thread that attached a
 * tracee drive it, and a single thread needs no locks. Each stop is read,
 * served through the syscall table, and the stub resumed.
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

#include "sentry-internal.h"
#include "strace-internal.h"
#include "vdso/vdso.h"

#define SCRATCH_SIZE (1UL << 20)

void sentry_warn_once(struct sentry *s, uint64_t nr, const struct syscall_desc *d,
		      const uint64_t *a)
{
	if (nr < SYSCALL_TABLE_SIZE) {
		if (s->warned[nr / 64] & (1ULL << (nr % 64)))
			return;
		s->warned[nr / 64] |= 1ULL << (nr % 64);
	}
	if (s->cfg->quiet)
		return;
	char name[32];
	if (d && d->name)
		snprintf(name, sizeof(name), "%s", d->name);
	else
		snprintf(name, sizeof(name), "syscall_%lu", (unsigned long)nr);
	fprintf(stderr, "msentry: unsupported syscall %s(%#lx, %#lx, %#lx, %#lx, %#lx, %#lx)\n",
		name, (unsigned long)a[0], (unsigned long)a[1], (unsigned long)a[2],
		(unsigned long)a[3], (unsigned long)a[4], (unsigned long)a[5]);
}

static long dispatch(struct task *t)
{
	struct syscall_stop *sc = &t->sc;
	if (sc->is_32bit) {
		if (!t->s->warned_int80 && !t->s->cfg->quiet)
			fprintf(stderr, "msentry: 32-bit syscall %lu (int $0x80) refused\n",
				(unsigned long)sc->nr);
		t->s->warned_int80 = true;
		return -ENOSYS;
	}
	const struct syscall_desc *d = syscall_lookup(sc->nr);
	if (!d || !d->fn) {
		sentry_warn_once(t->s, sc->nr, d, sc->args);
		return -ENOSYS;
	}
	return d->fn(t, sc->args);
}

void sentry_run_syscall(struct task *t)
{
	struct sentry *s = t->s;
	pid_t tid = t->tid; /* t may be freed by the handler (exit) */
	long ret = dispatch(t);
	if (ret == SYSRET_BLOCK)
		return; /* waiting: run again when woken */
	if (ret == SYSRET_NORETURN) {
		/* The task is gone, or resumed by the handler. */
		STRACE(s, strace_syscall_noreturn(s, tid));
		return;
	}
	STRACE(s, strace_syscall_exit(t, ret));
	task_resume(t, ret);
}

static void handle_syscall(struct task *t)
{
	if (platform_syscall_info(&t->th, &t->sc) != 0) {
		task_continue(t);
		return;
	}
	t->in_syscall = true;
	t->retry = t->interrupted = t->deadline_set = false;
	STRACE(t->s, strace_syscall_enter(t));
	sentry_run_syscall(t);
}

/* A signal the host raised in the stub: a fault of the program, or the
 * sentry's own kick (SIGURG) to make a running task stop. */
static void handle_signal(struct task *t, int sig)
{
	t->th.regs_loaded = false;
	if (t->vsyscall_pending_caller)
		vsyscall_patch_pending(t);
	if (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE || sig == SIGTRAP) {
		siginfo_t si;
		if (ptrace(PTRACE_GETSIGINFO, t->th.tid, 0, &si) != 0)
			memset(&si, 0, sizeof(si));
		STRACE(t->s, strace_fault(t, sig, si.si_code, (uint64_t)si.si_addr));
		task_force_signal(t, sig, si.si_code, (uint64_t)si.si_addr);
	}
	task_continue(t);
}

void sentry_handle_stop(struct sentry *s, const struct stop *st)
{
	struct task *t = task_by_host_tid(s, st->tid);
	if (!t)
		return; /* a stub thread being torn down */
	switch (st->kind) {
	case STOP_SYSCALL:
		handle_syscall(t);
		break;
	case STOP_SIGNAL:
		/* On vsyscall=none hosts a legacy vsyscall arrives as SIGSEGV. */
		if (st->sig == SIGSEGV && vsyscall_fault_stop(t))
			break;
		handle_signal(t, st->sig);
		break;
	case STOP_VSYSCALL:
		vsyscall_seccomp_stop(t);
		break;
	case STOP_EXITED:
		/* The stub died under the program (e.g. killed by its seccomp
		 * filter): the program dies of that signal. */
		t->th.tid = -1;
		task_exit_group(t, st->sig ? st->sig : SIGKILL);
		break;
	case STOP_NEW_THREAD:
	case STOP_OTHER:
	default:
		platform_resume(&t->th, false, 0);
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

static const int forwarded_signals[] = {SIGINT, SIGQUIT, SIGTERM, SIGHUP, SIGUSR1,
					SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP, SIGALRM};

void sentry_take_host_signals(struct sentry *s)
{
	if (!host_signals)
		return;
	int pending = host_signals;
	host_signals = 0;
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
		/* Terminal signals go to the foreground group (init's), the rest
		 * to init, as a container runtime does. */
		bool terminal = sig == SIGINT || sig == SIGQUIT || sig == SIGTSTP || sig == SIGWINCH;
		for (struct task *t = s->tasks; t && terminal; t = t->next)
			if (t->proc->pgid == init->pgid && t == task_by_tid(s, t->proc->pid))
				signal_send_process(t->proc, sig, &si);
		if (!terminal)
			signal_send_process(init, sig, &si);
	}
}

static void setup_host_signals(struct sentry *s)
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
}

static size_t xstate_size(void)
{
	unsigned eax, ebx, ecx, edx;
	if (!__get_cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx) || ebx < 512)
		return 4096;
	return ebx;
}

static int open_root(struct sentry *s, const char *root, struct error *e)
{
	s->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0)
		return error_sys(e, errno, "cannot open sandbox root `%s`", root);
	char real[PATH_MAX];
	if (!realpath(root, real))
		return error_sys(e, errno, "cannot resolve sandbox root `%s`", root);
	s->root_host = xstrdup(strcmp(real, "/") == 0 ? "" : real);
	return 0;
}

static void sentry_release(struct sentry *s)
{
	s->finished = true;
	while (s->tasks)
		task_exit_group(s->tasks, SIGKILL);
	strace_finish(s);
	if (s->sigchld_fd >= 0)
		close(s->sigchld_fd);
	platform_destroy(s->platform);
	vdso_destroy(s->vdso_state);
	if (s->root_fd >= 0)
		close(s->root_fd);
	free(s->root_host);
	free(s->scratch);
}

/* After platform_create: the sentry is pinned, so sched_getcpu() is the CPU
 * the program runs on. MSENTRY_VDSO_TSC=0 forces the syscall fallback (tests). */
static int start_vdso(struct sentry *s, struct error *e)
{
	const char *tsc = getenv("MSENTRY_VDSO_TSC");
	int cpu = sched_getcpu();
	if (vdso_create(&s->vdso_state, cpu < 0 ? 0 : (unsigned)cpu, !tsc || strcmp(tsc, "0") != 0,
			e) != 0)
		return -1;
	s->vdso = &s->vdso_state->map;
	static const char *const targets[3] = {"__vdso_gettimeofday", "__vdso_time",
					       "__vdso_getcpu"};
	for (int i = 0; i < 3 && !s->cfg->vsyscall_no_patch; i++)
		if (vdso_symbol_offset(targets[i], &s->vsyscall_targets[i]) != 0)
			s->vsyscall_targets[i] = 0;
	return 0;
}

static int sentry_init(struct sentry *s, const struct sentry_config *cfg, struct error *e)
{
	*s = (struct sentry){.cfg = cfg, .root_fd = -1, .next_pid = 1, .sigchld_fd = -1};
	s->xstate_size = xstate_size();
	setup_host_signals(s);
	s->scratch_size = SCRATCH_SIZE;
	s->scratch = xmalloc(SCRATCH_SIZE);
	s->hwcap = getauxval(AT_HWCAP);
	s->hwcap2 = getauxval(AT_HWCAP2);
	s->minsigstksz = getauxval(AT_MINSIGSTKSZ);
	if (sched_getaffinity(0, sizeof(s->cpus), &s->cpus) != 0)
		CPU_SET(0, &s->cpus);
	if (open_root(s, cfg->root, e) != 0 || strace_start(s, e) != 0)
		return -1;
	if (platform_create(&s->platform, e) != 0)
		return -1;
	return start_vdso(s, e);
}

int sentry_run(const struct sentry_config *cfg, struct error *e)
{
	struct sentry s;
	/* The program's umask is applied by the sentry itself. */
	mode_t um = umask(0);
	if (sentry_init(&s, cfg, e) != 0) {
		sentry_release(&s);
		return -1;
	}
	struct task *init = task_create_init(&s, cfg->cwd, um);
	int rc = task_exec(init, cfg->prog, cfg->argv, cfg->envp, e);
	if (rc != 0) {
		e->status = loader_exit_status(rc);
		sentry_release(&s);
		return -1;
	}
	platform_resume(&init->th, false, 0);
	sentry_loop(&s);
	int status = s.finished ? s.exit_status : 128 + SIGKILL;
	sentry_release(&s);
	return status;
}
