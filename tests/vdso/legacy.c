/* A program from before the vDSO: calls the vsyscall page exactly like
 * glibc 2.5's time.S (movq $0xffffffffff600400,%rax; callq *%rax).
 *   legacy          time, gettimeofday, getcpu; exit 0 if all agree
 *   legacy badptr   time() with an unmapped output pointer (SIGSEGV)
 *   legacy misaligned  a call to 0xffffffffff600404 (SIGSEGV) */
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

#define VCALL(addr, ret, a0, a1)                                                                   \
	__asm__ volatile("movq $" addr ", %%rax\n\tcallq *%%rax"                                  \
			 : "=a"(ret), "+D"(a0), "+S"(a1)                                           \
			 :                                                                         \
			 : "rcx", "rdx", "r8", "r9", "r10", "r11", "memory")

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "ok";
	long ret;
	if (strcmp(mode, "badptr") == 0) {
		long *bad = (long *)0x1000;
		void *unused = NULL;
		VCALL("0xffffffffff600400", ret, bad, unused);
		printf("badptr: returned %ld\n", ret);
		return 1;
	}
	if (strcmp(mode, "misaligned") == 0) {
		void *a = NULL, *b = NULL;
		VCALL("0xffffffffff600404", ret, a, b);
		printf("misaligned: returned %ld\n", ret);
		return 1;
	}
	long t = 0;
	void *none = NULL;
	long *tp = &t;
	VCALL("0xffffffffff600400", ret, tp, none);
	long now = (long)time(NULL);
	struct timeval tv = {0, 0};
	struct timezone tz = {1, 1};
	struct timeval *tvp = &tv;
	struct timezone *tzp = &tz;
	long g;
	VCALL("0xffffffffff600000", g, tvp, tzp);
	unsigned cpu = 99, node = 99;
	unsigned *cpup = &cpu, *nodep = &node;
	long c;
	VCALL("0xffffffffff600800", c, cpup, nodep);
	int ok = ret == t && ret >= now - 2 && ret <= now && g == 0 && tv.tv_sec >= ret &&
		 tv.tv_sec <= now + 2 && c == 0 && node == 0 && cpu < 4096;
	printf("time=%ld gettimeofday=%ld (%ld) getcpu=%ld (%u,%u): %s\n", ret, g, (long)tv.tv_sec,
	       c, cpu, node, ok ? "ok" : "WRONG");
	return ok ? 0 : 1;
}
