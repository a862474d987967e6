/* The program's seccomp filters: installing them and acting on their verdict.
 *
 * Each task points at the newest filter of its chain (t->seccomp); every
 * filter points at the one installed before it. A child made by clone or
 * fork shares its parent's chain (a reference to its head), execve keeps
 * it, and a filter added later extends only the adding task's chain (or,
 * with TSYNC, every thread of its process): chains form a tree whose nodes
 * are reference counted and freed with their last task. Strict mode is a
 * chain of one node marked `strict` (the two modes exclude each other).
 *
 * Enforcement (seccomp_enforce, called by dispatch before a handler runs,
 * once per syscall, not on the attempts after a wakeup): every filter of
 * the chain runs over the stop's seccomp_data and the most restrictive
 * action wins (seccomp_action_wins), as Linux does:
 *   ALLOW, LOG           the handler runs;
 *   ERRNO(data)          -data (at most 4095), the handler does not run;
 *   TRACE, USER_NOTIF    -ENOSYS: no tracer can attach to a sandboxed
 *                        program, and no listener exists (user notification
 *                        is refused at install as a kernel without it does);
 *   TRAP                 SIGSYS (SYS_SECCOMP, the call's address, number,
 *                        arch, si_errno = data), the syscall skipped with
 *                        RAX holding its number, as Linux rolls it back;
 *   KILL_THREAD          the thread exits (SIGSYS); the last thread, or
 *   KILL_PROCESS         the whole process, dies of a SIGSYS reset to its
 *                        default action (core flag as a native kill shows).
 * Strict mode allows read, write, exit and rt_sigreturn and ends the thread
 * with SIGKILL on anything else.
 *
 * Threats: the filter and its length come from the program: the length is
 * bounded before anything is allocated, the program is checked
 * (seccomp_bpf_check) before it is ever run, and a chain's total size is
 * bounded as Linux bounds it, so a syscall never costs more than ~32k
 * interpreted instructions.
 */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>

#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp-filter.h"
#include "util/util.h"

/* The flags this kernel knows. NEW_LISTENER (and WAIT_KILLABLE_RECV, which
 * needs it) are refused with EINVAL, as by a kernel without user
 * notification. */
#define KNOWN_FLAGS                                                                                \
	(SECCOMP_FILTER_FLAG_TSYNC | SECCOMP_FILTER_FLAG_LOG | SECCOMP_FILTER_FLAG_SPEC_ALLOW |    \
	 SECCOMP_FILTER_FLAG_TSYNC_ESRCH)
#define MAX_ERRNO 4095
#ifndef SYS_SECCOMP
#define SYS_SECCOMP 1 /* si_code of a seccomp SIGSYS (asm-generic/siginfo.h) */
#endif

struct seccomp_filter *seccomp_chain_get(struct seccomp_filter *f)
{
	if (f)
		f->refs++;
	return f;
}

void seccomp_chain_put(struct seccomp_filter *f)
{
	/* Iterative: a long chain must not recurse. */
	while (f && --f->refs == 0) {
		struct seccomp_filter *prev = f->prev;
		free(f);
		f = prev;
	}
}

int seccomp_task_mode(const struct task *t)
{
	if (!t->seccomp)
		return SECCOMP_MODE_DISABLED;
	return t->seccomp->strict ? SECCOMP_MODE_STRICT : SECCOMP_MODE_FILTER;
}

long seccomp_set_strict(struct task *t)
{
	int mode = seccomp_task_mode(t);
	if (mode == SECCOMP_MODE_STRICT)
		return 0;
	if (mode != SECCOMP_MODE_DISABLED)
		return -EINVAL;
	struct seccomp_filter *f = xcalloc(1, sizeof(*f));
	f->refs = 1;
	f->strict = true;
	t->seccomp = f;
	return 0;
}

/* Read and check the program at `uargs` (struct sock_fprog), in Linux's
 * order: the header (EFAULT), its length (EINVAL), the right to install
 * (EACCES), the instructions (EFAULT), their validity (EINVAL). */
static long prepare(struct task *t, uint64_t uargs, struct seccomp_filter **out)
{
	struct sock_fprog fprog;
	if (task_read(t, uargs, &fprog, sizeof(fprog)) != 0)
		return -EFAULT;
	if (fprog.len == 0 || fprog.len > SECCOMP_PROG_MAX)
		return -EINVAL;
	/* Without no_new_privs only CAP_SYS_ADMIN may install a filter: a
	 * filter could otherwise mislead a privileged program it execs. */
	if (!t->proc->no_new_privs && !task_capable(t, CAP_SYS_ADMIN))
		return -EACCES;
	size_t bytes = fprog.len * sizeof(struct sock_filter);
	struct seccomp_filter *f = xcalloc(1, sizeof(*f) + bytes);
	f->refs = 1;
	f->len = fprog.len;
	long rc = task_read(t, (uint64_t)fprog.filter, f->prog, bytes) != 0 ? -EFAULT : 0;
	if (rc == 0)
		rc = seccomp_bpf_check(f->prog, f->len);
	if (rc != 0) {
		free(f);
		return rc;
	}
	*out = f;
	return 0;
}

/* Whether `old` is `chain` or one of the filters before it. */
static bool is_ancestor(const struct seccomp_filter *old, const struct seccomp_filter *chain)
{
	if (!old)
		return true;
	for (; chain; chain = chain->prev)
		if (chain == old)
			return true;
	return false;
}

/* TSYNC: the first other thread of t's process that cannot take t's chain
 * (strict mode, or filters t's chain does not contain), or NULL. */
static struct task *unsyncable_thread(struct task *t)
{
	for (struct task *u = t->s->tasks; u; u = u->next) {
		if (u == t || u->proc != t->proc || u->exiting)
			continue;
		if (seccomp_task_mode(u) == SECCOMP_MODE_STRICT ||
		    !is_ancestor(u->seccomp, t->seccomp))
			return u;
	}
	return NULL;
}

long seccomp_set_filter(struct task *t, unsigned long flags, uint64_t uargs)
{
	if (flags & ~(unsigned long)KNOWN_FLAGS)
		return -EINVAL;
	struct seccomp_filter *f = NULL;
	long rc = prepare(t, uargs, &f);
	if (rc != 0)
		return rc;
	if (seccomp_task_mode(t) == SECCOMP_MODE_STRICT) {
		free(f);
		return -EINVAL;
	}
	unsigned long total = f->len;
	for (const struct seccomp_filter *w = t->seccomp; w; w = w->prev)
		total += w->len + 4; /* Linux's penalty per filter */
	if (total > SECCOMP_PATH_MAX_INSNS) {
		free(f);
		return -ENOMEM;
	}
	if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
		struct task *u = unsyncable_thread(t);
		if (u) {
			free(f);
			return (flags & SECCOMP_FILTER_FLAG_TSYNC_ESRCH) ? -ESRCH : u->tid;
		}
	}
	f->log = flags & SECCOMP_FILTER_FLAG_LOG;
	f->prev = t->seccomp; /* t's reference moves to the new head */
	t->seccomp = f;
	if (flags & SECCOMP_FILTER_FLAG_TSYNC) {
		for (struct task *u = t->s->tasks; u; u = u->next) {
			if (u == t || u->proc != t->proc || u->exiting)
				continue;
			seccomp_chain_put(u->seccomp);
			u->seccomp = seccomp_chain_get(f);
		}
	}
	return 0;
}

/* Strict mode: the four calls a pure computation needs. */
static long enforce_strict(struct task *t)
{
	static const uint64_t allowed64[] = {SYS_read, SYS_write, SYS_exit, SYS_rt_sigreturn};
	static const uint64_t allowed32[] = {3, 4, 1, 173}; /* the i386 numbers */
	const uint64_t *allowed = t->sc.is_32bit ? allowed32 : allowed64;
	for (size_t i = 0; i < 4; i++)
		if (t->sc.nr == allowed[i])
			return SECCOMP_RUN_SYSCALL;
	task_exit(t, SIGKILL);
	return SYSRET_NORETURN;
}

/* The SIGSYS a TRAP or a kill raises, as Linux fills it. */
static void force_sigsys(struct task *t, uint32_t arch, uint32_t data, bool kill)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGSYS;
	si.si_code = SYS_SECCOMP;
	si.si_errno = (int)data;
	si.si_call_addr = (void *)t->sc.ip;
	si.si_syscall = (int)t->sc.nr;
	si.si_arch = arch;
	task_force_siginfo(t, &si, kill);
}

/* A skipped call that raises SIGSYS shows the handler (and a tracer) the
 * call's number in RAX, as Linux's rollback does. Through the registers,
 * not as a result: a number chosen by the program could read as one of the
 * sentry's SYSRET_* codes. */
static long rollback(struct task *t)
{
	struct user_regs_struct regs;
	if (platform_get_regs(t->th, &regs) != 0)
		return -ENOSYS;
	regs.rax = regs.orig_rax; /* all 64 bits: sc.nr has the low 32 Linux runs */
	platform_set_regs(t->th, &regs);
	return SYSRET_REGS;
}

long seccomp_enforce(struct task *t)
{
	if (t->seccomp->strict)
		return enforce_strict(t);
	const struct syscall_stop *sc = &t->sc;
	struct seccomp_data d = {
	    .nr = (int)sc->nr,
	    .arch = sc->is_32bit ? AUDIT_ARCH_I386 : AUDIT_ARCH_X86_64,
	    .instruction_pointer = sc->ip,
	};
	for (int i = 0; i < 6; i++)
		d.args[i] = sc->args[i];
	uint32_t ret = SECCOMP_RET_ALLOW;
	for (const struct seccomp_filter *f = t->seccomp; f; f = f->prev) {
		uint32_t r = seccomp_bpf_run(f->prog, f->len, &d);
		if (seccomp_action_wins(r, ret))
			ret = r;
	}
	uint32_t data = ret & SECCOMP_RET_DATA;
	switch (ret & SECCOMP_RET_ACTION_FULL) {
	case SECCOMP_RET_ALLOW:
	case SECCOMP_RET_LOG:
		return SECCOMP_RUN_SYSCALL;
	case SECCOMP_RET_ERRNO:
		return -(long)(data > MAX_ERRNO ? MAX_ERRNO : data);
	case SECCOMP_RET_TRACE:
	case SECCOMP_RET_USER_NOTIF:
		return -ENOSYS;
	case SECCOMP_RET_TRAP:
		force_sigsys(t, d.arch, data, false);
		return rollback(t);
	case SECCOMP_RET_KILL_THREAD:
		if (t->proc->nthreads > 1) {
			task_exit(t, SIGSYS);
			return SYSRET_NORETURN;
		}
		/* The last thread takes the process with it. */
		__attribute__((fallthrough));
	default: /* KILL_PROCESS, and any action Linux does not know */
		force_sigsys(t, d.arch, data, true);
		return rollback(t);
	}
}
