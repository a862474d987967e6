/* The systrap stub code: the signal handler through which a program
 * thread's syscalls, faults and kicks reach the sentry.
 *
 * How it works. Every program thread runs with a seccomp filter whose
 * answer to a program syscall is RET_TRAP: the host raises SIGSYS, and the
 * kernel runs this handler on the thread's signal stack (its slot, see
 * systrap-internal.h), with every signal blocked. Faults (SIGSEGV, SIGBUS,
 * SIGFPE, SIGILL, SIGTRAP) and the sentry's kick (SIGURG) come the same way.
 * The handler copies the signal, its siginfo and the interrupted registers
 * (the frame's sigcontext) into the slot's shared page, marks the slot
 * REPORTED and writes the sentry's eventfd. It then waits, spinning a
 * little and then in FUTEX_WAIT, until the sentry marks the slot RESUME,
 * copies the registers back into the frame (the sentry may have changed
 * any of them: a syscall's result, a signal handler's entry, a new
 * program after execve), sets fs_base if the sentry asked, and returns
 * through rt_sigreturn, which loads them. The thread's host signal mask is
 * always restored empty: the program's mask is the sentry's business.
 *
 * Every host syscall of this code goes through the one `syscall`
 * instruction at msentry_systrap_site; the program threads' filter allows
 * only there, and only futex, write to the sentry's eventfd, arch_prctl,
 * exit, rt_sigreturn and rseq (which the sentry has a thread make for
 * itself: SYSTRAP_CMD_SYSCALL).
 *
 * Threats. The slot is program memory: another program thread can change
 * it at any time. It can then only change what this thread does next,
 * which is already the program's to decide: the sentry reads nothing from
 * the slot it would not accept as program registers, and a garbled frame
 * at worst kills the thread (a fault in the handler, with every signal
 * blocked, is fatal). Jumping into this code gives the program nothing it
 * lacks: the site allows only the calls above, and arch_prctl, futex on
 * its own memory and exit of its own thread are harmless. A program that
 * blocks SIGSYS through a forged frame is killed at its next syscall (the
 * kernel forces a blocked SIGSYS to its default action).
 */
#include "platform/systrap/systrap-internal.h"

#define STR2(x) #x
#define STR(x) STR2(x)

/* uc_mcontext is at 40 in the kernel's ucontext, its fpstate pointer at
 * 40 + 184, uc_sigmask at 296. */
__asm__(".pushsection .text.msentry_systrap, \"ax\", @progbits\n"
	".balign 64\n"
	".globl msentry_systrap_start\n"
	"msentry_systrap_start:\n"
	".globl msentry_systrap_handler\n"
	"msentry_systrap_handler:\n"
	"	mov %rsp, %r13\n"
	"	and $-" STR(SYSTRAP_SLOT_SIZE) ", %r13\n" /* r13: the slot */
	"	mov %rdx, %r12\n"			   /* r12: the ucontext */
	"	mov %rdi, " STR(SLOT_SIG) "(%r13)\n"
	"	mov %r12, " STR(SLOT_UCONTEXT) "(%r13)\n"
	"	mov 224(%r12), %rax\n"
	"	mov %rax, " STR(SLOT_FPSTATE) "(%r13)\n"
	/* siginfo: 16 words */
	"	lea " STR(SLOT_SIGINFO) "(%r13), %rdi\n"
	"	mov $16, %ecx\n"
	"	rep movsq\n"
	/* registers: 23 words from the sigcontext */
	"	lea 40(%r12), %rsi\n"
	"	lea " STR(SLOT_GREGS) "(%r13), %rdi\n"
	"	mov $" STR(SYSTRAP_NGREGS) ", %ecx\n"
	"	rep movsq\n"
	"	movl $" STR(SYSTRAP_REPORTED) ", " STR(SLOT_STATE) "(%r13)\n"
	/* write(evfd, &one, 8) */
	"	mov $1, %eax\n"
	"	mov " STR(SLOT_EVFD) "(%r13), %rdi\n"
	"	lea " STR(SLOT_ONE) "(%r13), %rsi\n"
	"	mov $8, %edx\n"
	"	call msentry_systrap_site\n"
	"1:	mov " STR(SLOT_SPIN) "(%r13), %ecx\n"
	"	or $1, %ecx\n"
	"2:	cmpl $" STR(SYSTRAP_RESUME) ", " STR(SLOT_STATE) "(%r13)\n"
	"	je 4f\n"
	"	pause\n"
	"	dec %ecx\n"
	"	jnz 2b\n"
	/* sleep: announce it, look once more, then FUTEX_WAIT while REPORTED */
	"	movl $1, " STR(SLOT_SLEEPING) "(%r13)\n"
	"	mfence\n"
	"	cmpl $" STR(SYSTRAP_RESUME) ", " STR(SLOT_STATE) "(%r13)\n"
	"	je 3f\n"
	"	mov $202, %eax\n"
	"	lea " STR(SLOT_STATE) "(%r13), %rdi\n"
	"	xor %esi, %esi\n" /* FUTEX_WAIT (shared: the sentry wakes it) */
	"	mov $" STR(SYSTRAP_REPORTED) ", %edx\n"
	"	xor %r10d, %r10d\n"
	"	call msentry_systrap_site\n"
	"3:	movl $0, " STR(SLOT_SLEEPING) "(%r13)\n"
	"	cmpl $" STR(SYSTRAP_RESUME) ", " STR(SLOT_STATE) "(%r13)\n"
	"	jne 1b\n"
	"4:	cmpl $" STR(SYSTRAP_CMD_SYSCALL) ", " STR(SLOT_CMD) "(%r13)\n"
	"	je 9f\n"
	"	movl $" STR(SYSTRAP_RUNNING) ", " STR(SLOT_STATE) "(%r13)\n"
	"	cmpl $" STR(SYSTRAP_CMD_EXIT) ", " STR(SLOT_CMD) "(%r13)\n"
	"	je 6f\n"
	"	testl $1, " STR(SLOT_FS_DIRTY) "(%r13)\n"
	"	jz 7f\n"
	"	mov $158, %eax\n" /* arch_prctl(ARCH_SET_FS, fs_base) */
	"	mov $0x1002, %edi\n"
	"	mov " STR(SLOT_FS_BASE) "(%r13), %rsi\n"
	"	call msentry_systrap_site\n"
	"7:	testl $2, " STR(SLOT_FS_DIRTY) "(%r13)\n"
	"	jz 8f\n"
	"	mov $158, %eax\n" /* arch_prctl(ARCH_SET_GS, gs_base) */
	"	mov $0x1001, %edi\n"
	"	mov " STR(SLOT_GS_BASE) "(%r13), %rsi\n"
	"	call msentry_systrap_site\n"
	"8:	movl $0, " STR(SLOT_FS_DIRTY) "(%r13)\n"
	"5:	lea " STR(SLOT_GREGS) "(%r13), %rsi\n"
	"	lea 40(%r12), %rdi\n"
	"	mov $" STR(SYSTRAP_NGREGS) ", %ecx\n"
	"	rep movsq\n"
	"	movq $0, 296(%r12)\n"
	"	ret\n" /* to the restorer the kernel pushed */
	/* A call the sentry makes in this very thread (rseq): its result
	 * in the slot, then stopped again, without a wakeup. */
	"9:	mov " STR(SLOT_SYS_NR) "(%r13), %rax\n"
	"	mov " STR(SLOT_SYS_ARGS) "(%r13), %rdi\n"
	"	mov " STR(SLOT_SYS_ARGS) "+8(%r13), %rsi\n"
	"	mov " STR(SLOT_SYS_ARGS) "+16(%r13), %rdx\n"
	"	mov " STR(SLOT_SYS_ARGS) "+24(%r13), %r10\n"
	"	mov " STR(SLOT_SYS_ARGS) "+32(%r13), %r8\n"
	"	mov " STR(SLOT_SYS_ARGS) "+40(%r13), %r9\n"
	"	call msentry_systrap_site\n"
	"	mov %rax, " STR(SLOT_SYS_RET) "(%r13)\n"
	"	movl $" STR(SYSTRAP_CMD_RETURN) ", " STR(SLOT_CMD) "(%r13)\n"
	"	movl $" STR(SYSTRAP_REPORTED) ", " STR(SLOT_STATE) "(%r13)\n"
	"	jmp 1b\n"
	"6:	mov $60, %eax\n"
	"	xor %edi, %edi\n"
	"	call msentry_systrap_site\n"
	"	ud2\n"
	".globl msentry_systrap_restorer\n"
	"msentry_systrap_restorer:\n"
	"	mov $15, %eax\n"
	"	jmp msentry_systrap_site\n"
	".globl msentry_systrap_site\n"
	"msentry_systrap_site:\n"
	"	syscall\n"
	"	ret\n"
	/* A new thread's first code: a syscall the filter traps, so the
	 * thread reports and waits for its first registers. */
	".globl msentry_systrap_entry\n"
	"msentry_systrap_entry:\n"
	"	mov $" STR(SYSTRAP_ENTRY_NR) ", %eax\n"
	"	syscall\n"
	"	ud2\n"
	".globl msentry_systrap_end\n"
	"msentry_systrap_end:\n"
	".popsection\n");
