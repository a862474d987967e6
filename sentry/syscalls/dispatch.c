/* Dispatch: the kernel's hook for serving one syscall through the table.
 *
 * A 64-bit syscall runs its table entry's handler; an unsupported one gets
 * -ENOSYS and a one-time warning naming it. A 32-bit `int $0x80` syscall
 * from 64-bit code is refused with -ENOSYS: msentry serves the x86-64 ABI
 * only (a host without ia32 emulation faults on it before any stop).
 * Before either, the program's own seccomp filters (kernel/seccomp-filter.c)
 * may refuse the call or end the task.
 */
#include <errno.h>
#include <stdio.h>
#include <sys/resource.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/seccomp-filter.h"
#include "sentry/syscalls/syscalls.h"

void syscall_warn_once(struct sentry *s, uint64_t nr, const struct syscall_desc *d,
		       const uint64_t *a)
{
	if (nr < SYSCALL_TABLE_SIZE) {
		if (s->warned[nr / 64] & (1ULL << (nr % 64)))
			return;
		s->warned[nr / 64] |= 1ULL << (nr % 64);
	} else {
		/* Numbers no kernel has: once in all, or a program looping over
		 * them would flood stderr. */
		if (s->warned_bogus_nr)
			return;
		s->warned_bogus_nr = true;
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

/* A program's EMFILE while its own table has room: the host refused the
 * sentry a fd. All the sandbox's fds are the sentry's on the host, so its
 * RLIMIT_NOFILE (raised to its hard limit at start) is shared by every
 * process of the sandbox; say so once, with the number. */
static void warn_if_host_fds_ran_out(struct task *t, long ret)
{
	if ((ret != -EMFILE && ret != -ENFILE) || t->s->warned_fd_budget || t->s->cfg->quiet)
		return;
	int used = 0;
	for (int i = 0; i < t->files->size; i++)
		used += t->files->slots[i].file != NULL;
	if ((rlim_t)used + 1 >= t->proc->rlim[RLIMIT_NOFILE].rlim_cur && ret == -EMFILE)
		return; /* the program's own limit: Linux's EMFILE */
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	fprintf(
	    stderr,
	    "msentry: the host refused msentry a file descriptor (the sandbox's processes share "
	    "msentry's limit of %lu open files, RLIMIT_NOFILE); programs get %s early: raise "
	    "the hard limit (ulimit -Hn) to give them more\n",
	    (unsigned long)rl.rlim_cur, ret == -EMFILE ? "EMFILE" : "ENFILE");
	t->s->warned_fd_budget = true;
}

long syscall_dispatch(struct task *t)
{
	struct syscall_stop *sc = &t->sc;
	/* The program's own seccomp filters see every syscall first, the
	 * refused and unknown ones too; once per call, not again when a
	 * blocked call is retried. */
	if (t->seccomp && !t->call.retry) {
		long r = seccomp_enforce(t);
		if (r != SECCOMP_RUN_SYSCALL)
			return r;
	}
	if (sc->is_32bit) {
		if (!t->s->warned_int80 && !t->s->cfg->quiet)
			fprintf(stderr, "msentry: 32-bit syscall %lu (int $0x80) refused\n",
				(unsigned long)sc->nr);
		t->s->warned_int80 = true;
		return -ENOSYS;
	}
	const struct syscall_desc *d = syscall_lookup(sc->nr);
	if (!d || !d->fn) {
		syscall_warn_once(t->s, sc->nr, d, sc->args);
		return -ENOSYS;
	}
	long ret = d->fn(t, sc->args);
	if (__builtin_expect(ret == -EMFILE || ret == -ENFILE, 0))
		warn_if_host_fds_ran_out(t, ret);
	return ret;
}
