/* The systrap platform: setting up, the program threads' filter and
 * handlers, kicking, and ending threads and stubs.
 *
 * Ending a thread never waits for a report that may not come: a stopped
 * thread is told to exit (it makes the call itself, from its handler); a
 * running one is kicked first, and if its report does not come within a
 * bound (the program may have blocked SIGURG with a forged frame), the
 * whole stub is killed rather than the sentry waiting on it.
 */
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "platform/systrap/systrap-internal.h"

#ifndef SA_RESTORER
#define SA_RESTORER 0x04000000
#endif

const int systrap_signals[] = {SIGSYS, SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGURG};
const unsigned systrap_signals_count = ARRAY_SIZE(systrap_signals);

/* ---- the program threads' filter ---- */

#define LD(off) BPF_STMT(BPF_LD | BPF_W | BPF_ABS, (off))
#define JEQ(k, t, f) BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (k), (t), (f))
#define RET(v) BPF_STMT(BPF_RET | BPF_K, (v))

unsigned systrap_build_filter(struct sock_filter *out, int evfd)
{
	const uint64_t site = SYSTRAP_ADDR(msentry_systrap_site) + 2; /* after `syscall` */
	const struct sock_filter prog[] = {
	    LD(offsetof(struct seccomp_data, arch)),
	    JEQ(AUDIT_ARCH_X86_64, 0, 15),
	    LD(offsetof(struct seccomp_data, instruction_pointer) + 4),
	    JEQ((uint32_t)(site >> 32), 0, 13),
	    LD(offsetof(struct seccomp_data, instruction_pointer)),
	    JEQ((uint32_t)site, 0, 11),
	    LD(offsetof(struct seccomp_data, nr)),
	    JEQ(__NR_futex, 8, 0),
	    JEQ(__NR_rt_sigreturn, 7, 0),
	    JEQ(__NR_arch_prctl, 6, 0),
	    JEQ(__NR_exit, 5, 0),
	    JEQ(__NR_rseq, 4, 0),
	    JEQ(__NR_write, 0, 4),
	    LD(offsetof(struct seccomp_data, args[0])),
	    JEQ((uint32_t)evfd, 0, 2),
	    RET(SECCOMP_RET_ALLOW),
	    RET(SECCOMP_RET_ALLOW),
	    RET(SECCOMP_RET_TRAP),
	};
	_Static_assert(ARRAY_SIZE(prog) <= SLOT_FILTER_MAX, "filter room");
	memcpy(out, prog, sizeof(prog));
	return ARRAY_SIZE(prog);
}

/* In the factory (forked from msentry, before it drops everything but the
 * stub page): every systrap signal runs the stub's handler on the signal
 * stack, with every signal blocked. The raw call: glibc's sigaction would
 * give its own restorer, which is about to be unmapped. */
int systrap_install_handlers(void)
{
	struct kernel_sigaction {
		uint64_t handler, flags, restorer, mask;
	} ka = {
	    .handler = SYSTRAP_ADDR(msentry_systrap_handler),
	    .flags = SA_SIGINFO | SA_ONSTACK | SA_RESTORER,
	    .restorer = SYSTRAP_ADDR(msentry_systrap_restorer),
	    .mask = ~0ULL,
	};
	for (unsigned i = 0; i < systrap_signals_count; i++)
		if (syscall(SYS_rt_sigaction, systrap_signals[i], &ka, NULL, 8) != 0)
			return -errno;
	return 0;
}

int systrap_setup(struct platform *p, struct error *e)
{
	const char *v = getenv("MSENTRY_SYSTRAP_STUB_SPIN");
	p->stub_spin = v ? (unsigned)atoi(v) : 0;
	v = getenv("MSENTRY_SYSTRAP_SENTRY_SPIN_NS");
	p->sentry_spin_ns = v ? (uint64_t)atoll(v) : 0;
	v = getenv("MSENTRY_SYSTRAP_STUB_CPU");
	p->stub_cpu = v && *v ? atoi(v) : -1;
	p->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (p->evfd < 0)
		return error_sys(e, errno, "systrap: eventfd");
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	p->chld_fd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	if (p->chld_fd < 0)
		return error_sys(e, errno, "systrap: signalfd");
	return 0;
}

/* ---- kicking and ending ---- */

void systrap_kick(struct stub_thread *th)
{
	if (th->tid > 0 && !th->kicked && th->space->control->tid > 0) {
		syscall(SYS_tgkill, th->space->control->tid, th->tid, SIGURG);
		th->kicked = true;
	}
}

/* A running thread brought to its handler: kick, then wait a bounded
 * time for its report (taken here: the loop must not see it). */
static bool stop_running(struct stub_thread *th)
{
	if (th->stopped)
		return true;
	systrap_kick(th);
	for (int i = 0; i < 20000; i++) {
		if (__atomic_load_n(&th->shm->state, __ATOMIC_ACQUIRE) == SYSTRAP_REPORTED) {
			systrap_running_remove(th->space->p, th);
			th->stopped = true;
			th->kicked = th->shm->sig != SIGURG;
			return true;
		}
		if (i > 100)
			usleep(50);
	}
	return false;
}

void systrap_end_thread(struct stub_thread *th)
{
	if (!th || th->tid <= 0)
		return;
	if (stop_running(th))
		systrap_release_thread(th);
	else
		systrap_space_kill(th->space); /* it would not stop: the stub goes */
	systrap_running_remove(th->space->p, th);
	th->tid = -1;
}

void systrap_kill_threads(struct stub_thread *const *threads, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct stub_thread *th = threads[i];
		if (th->space)
			systrap_space_kill(th->space);
		if (th->space)
			systrap_running_remove(th->space->p, th);
		th->tid = -1;
	}
}

void systrap_thread_free(struct stub_thread *th)
{
	struct systrap_space *sp = th->space;
	struct platform *p = sp->p;
	systrap_running_remove(p, th);
	if (th->all_pprev) {
		*th->all_pprev = th->all_next;
		if (th->all_next)
			th->all_next->all_pprev = th->all_pprev;
	}
	sp->used[th->slot / 64] &= ~(1ULL << (th->slot % 64));
	free(th);
	if (--sp->nthreads == 0)
		systrap_space_free(sp);
}
