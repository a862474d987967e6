/* Stub processes: creation of the pristine factory stub.
 *
 * The stub code below is copied to STUB_ADDR in the factory, which then
 * unmaps everything else (the copy of msentry it was forked from, the host
 * vDSO, its stack) and stops with int3. Every address space the program gets
 * is cloned from this factory by an injected clone(), so it starts with
 * nothing in it but the stub page. Injected syscalls run the `syscall; int3`
 * pair at msentry_stub_syscall: int3 hands control back to the sentry with a
 * SIGTRAP stop, the result in RAX.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/rseq.h>
#include <sys/syscall.h>
#include <sys/ptrace.h>
#include <sys/wait.h>

#include "platform-internal.h"
#include "platform/systrap/systrap-internal.h"

/* The stub code: position independent, no stack, no data. */
__asm__(".pushsection .text.msentry_stub, \"ax\", @progbits\n"
	".balign 64\n"
	".globl msentry_stub_start\n"
	"msentry_stub_start:\n"
	/* munmap(0, STUB_ADDR): drop everything but this page. */
	"	mov $11, %eax\n"
	"	xor %edi, %edi\n"
	"	movabs $0x7fffffffe000, %rsi\n"
	"	syscall\n"
	"	int3\n"
	".globl msentry_stub_syscall\n"
	"msentry_stub_syscall:\n"
	"	syscall\n"
	"	int3\n"
	"	ud2\n"
	".globl msentry_stub_end\n"
	"msentry_stub_end:\n"
	".popsection\n");

struct factory_args {
	pid_t sentry;
	bool systrap;
};

static void reset_signals(void)
{
	struct sigaction sa = {.sa_handler = SIG_DFL};
	for (int sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* glibc registered an rseq area for msentry's main thread, and the fork
 * inherited the registration. The area is about to be unmapped, and the
 * kernel would then kill the stub (SIGSEGV, SI_KERNEL) the next time it
 * updates it: unregister first. glibc registers sizeof(struct rseq) bytes,
 * at least 32. */
static void drop_rseq(void)
{
	if (__rseq_size == 0)
		return;
	void *area = (char *)__builtin_thread_pointer() + __rseq_offset;
	unsigned len = sizeof(struct rseq) > 32 ? sizeof(struct rseq) : 32;
	if (syscall(SYS_rseq, area, len, RSEQ_FLAG_UNREGISTER, RSEQ_SIG) != 0)
		syscall(SYS_rseq, area, __rseq_size, RSEQ_FLAG_UNREGISTER, RSEQ_SIG);
}

/* Runs in the new factory process, on a private stack (the sentry's main
 * stack may overlap STUB_ADDR; this code never touches it). */
static int factory_main(void *arg)
{
	const struct factory_args *a = arg;
	/* Die with the sentry; and if it died before we got here, stop now. */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != a->sentry)
		_exit(120);
	/* Own session: terminal signals go to msentry, which forwards them. */
	setsid();
	reset_signals();
	drop_rseq();
	if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
		_exit(121);
	void *page = mmap((void *)STUB_ADDR, PAGE_SIZE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	if (page != (void *)STUB_ADDR)
		_exit(122);
	memcpy(page, msentry_stub_start, (size_t)(msentry_stub_end - msentry_stub_start));
	/* systrap: its handler code in the page's second half, and the
	 * handlers every stub cloned from here inherits. */
	if (a->systrap) {
		memcpy((char *)page + SYSTRAP_CODE_OFFSET, msentry_systrap_start,
		       (size_t)(msentry_systrap_end - msentry_systrap_start));
		if (systrap_install_handlers() != 0)
			_exit(126);
	}
	if (mprotect(page, PAGE_SIZE, PROT_READ | PROT_EXEC) != 0)
		_exit(123);
	if (stub_install_seccomp(a->systrap) != 0)
		_exit(124);
	((void (*)(void))STUB_ADDR)();
	_exit(125);
}

static const char *factory_failure(int code)
{
	switch (code) {
	case 120: return "sentry died during setup";
	case 121: return "PTRACE_TRACEME failed (is ptrace allowed here?)";
	case 122: return "cannot map the stub page";
	case 123: return "cannot protect the stub page";
	case 124: return "cannot load the seccomp filter";
	case 126: return "cannot install the systrap handlers";
	default: return "unexpected exit";
	}
}

int stub_create_factory(struct stub_thread *th, bool systrap, struct error *e);
int stub_create_factory(struct stub_thread *th, bool systrap, struct error *e)
{
	enum { STACK_SIZE = 256 * 1024 };
	cleanup_free char *stack = xmalloc(STACK_SIZE);
	struct factory_args args = {.sentry = getpid(), .systrap = systrap};
	pid_t pid = clone(factory_main, stack + STACK_SIZE, CLONE_FILES | SIGCHLD, &args);
	if (pid < 0)
		return error_sys(e, errno, "cannot fork the stub process");
	int status;
	pid_t got;
	/* A forwarded host signal (a terminal's SIGWINCH as a console is
	 * sized) may come now: the handler has no SA_RESTART. */
	while ((got = waitpid(pid, &status, __WALL)) < 0 && errno == EINTR)
		;
	if (got != pid)
		return error_sys(e, errno, "waiting for the stub process");
	if (WIFEXITED(status))
		return error_set(e, 0, "stub process failed: %s",
				 factory_failure(WEXITSTATUS(status)));
	if (WIFSIGNALED(status))
		return error_set(e, 0, "stub process killed by signal %d during setup",
				 WTERMSIG(status));
	if (!WIFSTOPPED(status) || WSTOPSIG(status) != SIGTRAP) {
		platform_kill(pid);
		return error_set(e, 0, "stub process stopped unexpectedly (status %#x)", status);
	}
	long opts = PTRACE_O_EXITKILL | PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK |
		    PTRACE_O_TRACECLONE | PTRACE_O_TRACESECCOMP;
	if (ptrace(PTRACE_SETOPTIONS, pid, 0, opts) != 0) {
		int err = errno;
		platform_kill(pid);
		return error_sys(e, err, "PTRACE_SETOPTIONS on the stub");
	}
	*th = (struct stub_thread){.tid = pid, .tgid = pid, .stopped = true, .cpu = -1};
	return 0;
}
