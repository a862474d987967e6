/* rt_sigreturn: the end of every handler, and called by hand on frames the
 * test builds (in children, since such a return never comes back). */
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <ucontext.h>

#include "probe.h"

static volatile long changed_rax;

/* Changes the interrupted context: its RAX (the result of the kill that
 * raised the signal) and its signal mask, both restored by rt_sigreturn. */
static void edit_context(int sig, siginfo_t *si, void *ucv)
{
	(void)si;
	ucontext_t *uc = ucv;
	handled[sig]++;
	changed_rax = uc->uc_mcontext.gregs[REG_RAX];
	uc->uc_mcontext.gregs[REG_RAX] = 1234;
	sigaddset(&uc->uc_sigmask, SIGUSR2);
}

/* Where a hand-made frame resumes: exit with the status in RDI. */
static void __attribute__((noreturn, used)) landing(long code)
{
	for (;;)
		__asm__ volatile("syscall"
				 :
				 : "a"(SYS_exit_group), "D"(code)
				 : "rcx", "r11", "memory");
}

/* rt_sigreturn on the frame at `frame` (it reads a ucontext where RSP
 * points). */
static void __attribute__((noreturn)) sigreturn_on(void *frame)
{
	__asm__ volatile("mov %0, %%rsp\n\t"
			 "syscall\n\t"
			 "ud2"
			 :
			 : "r"(frame), "a"(SYS_rt_sigreturn)
			 : "memory");
	__builtin_unreachable();
}

SYSCALL_TEST(rt_sigreturn)
{
	struct sigaction sa = {.sa_sigaction = edit_context, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	long r = syscall(SYS_kill, getpid(), SIGUSR1);
	say("handler ran %d; the kill's result it saw %ld; after the return %ld", handled[SIGUSR1],
	    changed_rax, r);
	sigset_t now;
	sigprocmask(SIG_SETMASK, NULL, &now);
	say("mask from the frame: SIGUSR2 blocked %d, SIGUSR1 blocked %d",
	    sigismember(&now, SIGUSR2), sigismember(&now, SIGUSR1));
	/* A frame built by hand: resume in landing(33) on a stack of ours. */
	static ucontext_t frame __attribute__((aligned(64)));
	char *stack = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	memset(&frame, 0, sizeof frame);
	frame.uc_stack.ss_flags = SS_DISABLE;
	frame.uc_mcontext.gregs[REG_RIP] = (long)landing;
	frame.uc_mcontext.gregs[REG_RSP] = (long)(stack + 65536 - 8);
	frame.uc_mcontext.gregs[REG_RDI] = 33;
	frame.uc_mcontext.gregs[REG_EFL] = 0x202;
	frame.uc_mcontext.gregs[REG_CSGSFS] = 0x33 | (0x2bL << 48);
	pid_t k = probe_fork();
	if (k == 0)
		sigreturn_on(&frame);
	probe_wait("child resumed where its frame said (33)", k);
	/* The same frame resuming at address 0: the child faults. */
	frame.uc_mcontext.gregs[REG_RIP] = 0;
	k = probe_fork();
	if (k == 0)
		sigreturn_on(&frame);
	probe_wait("child whose frame resumes at 0", k);
	/* No readable frame: SIGSEGV. */
	munmap(stack, 65536);
	k = probe_fork();
	if (k == 0)
		sigreturn_on(stack + 4096);
	probe_wait("child whose frame is unmapped", k);
}
