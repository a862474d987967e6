/* process-vdso-syscall: a program that jumps into `syscall` instructions it
 * did not write.
 *
 * The vDSO (found through getauxval(AT_SYSINFO_EHDR)) and, under msentry,
 * the stub's code page just below the top of user memory hold `syscall`
 * instructions (0f 05). A program may jump to any of them with whatever
 * registers it likes. Under msentry every such syscall must be served as
 * the program's own (PTRACE_SYSEMU reports it whatever its address) or end
 * with the program killed: never a host syscall, never a hang.
 *
 * Each site is tried in a child, with rax = getpid and then a bogus number,
 * the argument registers full of garbage: what runs after the instruction is
 * the image's code, so the child may return, fault or die; the parent only
 * checks that it ended. Where the site is `syscall; ret` (so the outcome is
 * defined), the result must be getpid's pid and -ENOSYS. The output is the
 * same natively and under msentry whatever the images hold:
 * tests/process/run-compare.sh compares them, and a hang is the watchdog's.
 */
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* jump_syscall(addr, nr): rax = nr, garbage in the argument registers,
 * call addr; returns rax if the code there returns. */
long jump_syscall(uintptr_t addr, long nr);
__asm__(".text\n"
	".globl jump_syscall\n"
	"jump_syscall:\n"
	"	push %rbx\n"
	"	push %rbp\n"
	"	push %r12\n"
	"	push %r13\n"
	"	push %r14\n"
	"	push %r15\n"
	"	mov %rsi, %rax\n"
	"	mov %rdi, %r11\n"
	"	mov $0x5a5a5a5a5a5a5a5a, %rdi\n"
	"	mov $0xdeadbeef, %rsi\n"
	"	mov $-1, %rdx\n"
	"	mov $0x1000, %r10\n"
	"	mov $0x7, %r8\n"
	"	xor %r9, %r9\n"
	"	sub $8, %rsp\n"
	"	call *%r11\n"
	"	add $8, %rsp\n"
	"	pop %r15\n"
	"	pop %r14\n"
	"	pop %r13\n"
	"	pop %r12\n"
	"	pop %rbp\n"
	"	pop %rbx\n"
	"	ret\n");

#define BOGUS_NR 0x1234567L

static void die_quietly(int sig)
{
	_exit(100 + sig);
}

/* Try one site in a child; returns true if the child ended (it always
 * does natively: an alarm bounds it). */
static bool try_site(uintptr_t addr, long nr)
{
	pid_t pid = fork();
	if (pid < 0)
		return false;
	if (pid == 0) {
		int sigs[] = {SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGSYS};
		for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
			signal(sigs[i], die_quietly);
		alarm(10);
		jump_syscall(addr, nr);
		_exit(0);
	}
	int st;
	return waitpid(pid, &st, 0) == pid && (WIFEXITED(st) || WIFSIGNALED(st));
}

/* Each `0f 05` in [p, p+n) at address base + offset. */
static int try_region(const unsigned char *p, size_t n, int *ret_bad)
{
	int ended = 1;
	for (size_t k = 0; k + 2 < n; k++) {
		if (p[k] != 0x0f || p[k + 1] != 0x05)
			continue;
		uintptr_t site = (uintptr_t)(p + k);
		ended &= try_site(site, SYS_getpid) && try_site(site, BOGUS_NR);
		if (p[k + 2] == 0xc3) {
			/* syscall; ret: the call comes back with the result. */
			long pid = jump_syscall(site, SYS_getpid);
			long bogus = jump_syscall(site, BOGUS_NR);
			if (pid != getpid() || bogus != -ENOSYS) {
				printf("FAIL: syscall;ret site %#lx: getpid %ld (want %d), bogus "
				       "%ld\n",
				       (unsigned long)site, pid, getpid(), bogus);
				(*ret_bad)++;
			}
		}
	}
	return ended;
}

static int try_vdso(int *ret_bad)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	if (!base)
		return 1;
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	uintptr_t first = UINTPTR_MAX;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_vaddr < first)
			first = ph[i].p_vaddr;
	int ended = 1;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X))
			ended &= try_region((const unsigned char *)(base + ph[i].p_vaddr - first),
					    ph[i].p_filesz, ret_bad);
	return ended;
}

/* The page just below the top of user memory, where msentry keeps its
 * stub's code (natively nothing is mapped there: the child faults). */
static int try_stub_page(void)
{
	pid_t pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		signal(SIGSEGV, die_quietly);
		alarm(20);
		const unsigned char *p = (const unsigned char *)0x7fffffffe000UL;
		int bad = 0;
		/* Reading it may fault: then the child ends, which is all we ask. */
		_exit(try_region(p, 4096, &bad) ? 0 : 1);
	}
	int st;
	return waitpid(pid, &st, 0) == pid && (WIFEXITED(st) || WIFSIGNALED(st));
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	int ret_bad = 0;
	int vdso = try_vdso(&ret_bad);
	int stub = try_stub_page();
	printf("vdso syscall sites: %s\n", vdso ? "every child ended" : "a child did not end");
	printf("syscall;ret sites: %s\n", ret_bad ? "wrong results" : "results as Linux gives");
	printf("stub page: %s\n", stub ? "the child ended" : "the child did not end");
	return 0;
}
