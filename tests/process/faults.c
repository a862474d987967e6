/* Synchronous faults reach the program with Linux's si_code and si_addr:
 * SIGSEGV (unmapped and read-only), SIGBUS (file page past EOF), SIGFPE
 * (integer division by zero), SIGILL (ud2), SIGTRAP (int3). Addresses are
 * printed relative to what they should be, so native and sandboxed runs
 * print the same lines. */
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static sigjmp_buf env;
static volatile int got_sig, got_code;
static void *volatile got_addr;

static void handler(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got_sig = sig;
	got_code = si->si_code;
	got_addr = si->si_addr;
	siglongjmp(env, 1);
}

extern char ud2_here[], div_here[];

static void report(const char *what, void *want_addr)
{
	printf("%-22s sig=%-2d code=%-3d addr %s\n", what, got_sig, got_code,
	       got_addr == want_addr ? "as expected" : "WRONG");
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	int sigs[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP};
	for (int i = 0; i < 5; i++)
		sigaction(sigs[i], &sa, NULL);

	if (!sigsetjmp(env, 1))
		*(volatile int *)0x1000 = 1;
	report("segv unmapped", (void *)0x1000);

	char *ro = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (!sigsetjmp(env, 1))
		ro[8] = 1;
	report("segv read-only", ro + 8);

	char path[] = "/tmp/msentry-faults-XXXXXX";
	int fd = mkstemp(path);
	unlink(path);
	ftruncate(fd, 100);
	char *file = mmap(NULL, 8192, PROT_READ, MAP_SHARED, fd, 0);
	if (!sigsetjmp(env, 1))
		(void)*(volatile char *)(file + 4096);
	report("bus past end of file", file + 4096);

	if (!sigsetjmp(env, 1))
		__asm__ volatile(".globl div_here\n"
				 "xor %%ecx, %%ecx\n"
				 "mov $1, %%eax\n"
				 "cltd\n"
				 "div_here: idivl %%ecx\n" ::: "eax", "ecx", "edx");
	report("fpe divide by zero", div_here);

	if (!sigsetjmp(env, 1))
		__asm__ volatile(".globl ud2_here\nud2_here: ud2\n");
	report("ill ud2", ud2_here);

	if (!sigsetjmp(env, 1))
		__asm__ volatile("int3\n");
	report("trap int3", (void *)0);
	return 0;
}
