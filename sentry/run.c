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

#include "sentry-internal.h"
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

static void handle_syscall(struct task *t)
{
	if (platform_syscall_info(&t->th, &t->sc) != 0) {
		platform_resume(&t->th, false, 0);
		return;
	}
	long ret = dispatch(t);
	if (ret == SYSRET_NORETURN)
		return;
	platform_resume(&t->th, true, ret);
}

static bool default_is_fatal(int sig)
{
	switch (sig) {
	case SIGCHLD: case SIGCONT: case SIGURG: case SIGWINCH: case SIGSTOP: case SIGTSTP:
	case SIGTTIN: case SIGTTOU:
		return false;
	default:
		return true;
	}
}

/* A signal raised by the host for the program (a fault, mostly). */
static void handle_signal(struct task *t, int sig)
{
	const struct sigaction_k *act = &t->proc->sighand->act[sig - 1];
	bool fatal = act->handler == (uint64_t)SIG_DFL ? default_is_fatal(sig)
			: sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE;
	if (fatal) {
		task_exit_group(t, sig);
		return;
	}
	platform_resume(&t->th, false, 0);
}

static void handle_stop(struct sentry *s, const struct stop *st)
{
	struct task *t = task_by_host_tid(s, st->tid);
	if (!t)
		return; /* a stub being torn down */
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
	while (s->tasks)
		task_exit_group(s->tasks, SIGKILL);
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
	return 0;
}

static int sentry_init(struct sentry *s, const struct sentry_config *cfg, struct error *e)
{
	*s = (struct sentry){.cfg = cfg, .root_fd = -1, .next_pid = 1};
	s->scratch_size = SCRATCH_SIZE;
	s->scratch = xmalloc(SCRATCH_SIZE);
	s->hwcap = getauxval(AT_HWCAP);
	s->hwcap2 = getauxval(AT_HWCAP2);
	s->minsigstksz = getauxval(AT_MINSIGSTKSZ);
	if (sched_getaffinity(0, sizeof(s->cpus), &s->cpus) != 0)
		CPU_SET(0, &s->cpus);
	if (open_root(s, cfg->root, e) != 0)
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
	while (!s.finished) {
		struct stop st;
		rc = platform_wait(&st, false);
		if (rc == -EINTR)
			continue;
		if (rc != 0)
			break;
		handle_stop(&s, &st);
	}
	int status = s.finished ? s.exit_status : 128 + SIGKILL;
	sentry_release(&s);
	return status;
}
