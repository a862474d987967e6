/* Calls per second of the time functions a program can use:
 *   vdso-clock_gettime   clock_gettime(CLOCK_MONOTONIC) through the vDSO (libc)
 *   vdso-gettimeofday    gettimeofday() through the vDSO (libc)
 *   vsyscall-time        time() through the legacy vsyscall page, as glibc 2.5
 *   syscall-clock_gettime a real syscall (the trap every call would cost)
 * Each is run for about DURATION seconds (argv[1], default 0.5); output is
 * one "name calls_per_second ns_per_call" line per benchmark. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static long vsys_time(long *t)
{
	long ret;
	__asm__ volatile("movq $0xffffffffff600400, %%rax\n\tcallq *%%rax"
			 : "=a"(ret), "+D"(t)
			 :
			 : "rcx", "rdx", "rsi", "r8", "r9", "r10", "r11", "memory");
	return ret;
}

static void op_vdso_cgt(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
}

static void op_vdso_gtod(void)
{
	struct timeval tv;
	gettimeofday(&tv, NULL);
}

static void op_vsys_time(void)
{
	vsys_time(NULL);
}

static void op_syscall_cgt(void)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &ts);
}

static void run(const char *name, void (*op)(void), double duration)
{
	long calls = 0, batch = 16;
	double start = now(), elapsed;
	do {
		for (long i = 0; i < batch; i++)
			op();
		calls += batch;
		if (batch < (1L << 16))
			batch *= 2;
		elapsed = now() - start;
	} while (elapsed < duration);
	printf("%-22s %12.0f %10.1f\n", name, calls / elapsed, elapsed * 1e9 / calls);
	fflush(stdout);
}

int main(int argc, char **argv)
{
	double duration = argc > 1 ? atof(argv[1]) : 0.5;
	const char *only = argc > 2 ? argv[2] : NULL;
	struct {
		const char *name;
		void (*op)(void);
	} b[] = {{"vdso-clock_gettime", op_vdso_cgt},
		 {"vdso-gettimeofday", op_vdso_gtod},
		 {"vsyscall-time", op_vsys_time},
		 {"syscall-clock_gettime", op_syscall_cgt}};
	for (size_t i = 0; i < sizeof(b) / sizeof(b[0]); i++)
		if (!only || strstr(b[i].name, only))
			run(b[i].name, b[i].op, duration);
	return 0;
}
