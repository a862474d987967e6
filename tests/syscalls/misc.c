/* Scheduling, CPUs and randomness. */
#include <sched.h>
#include <sys/random.h>
#include <sys/wait.h>

#include "probe.h"

#define NO_PID 0x3ffffff0

/* sched_yield cannot fail. */
SYSCALL_TEST(sched_yield)
{
	SHOW(syscall(SYS_sched_yield));
	SHOW(syscall(SYS_sched_yield));
}

SYSCALL_TEST(sched_getaffinity)
{
	cpu_set_t s;
	CPU_ZERO(&s);
	long n = SHOW(syscall(SYS_sched_getaffinity, 0, sizeof s, &s));
	say("returned bytes a multiple of 8: %d, CPUs %d, the online count: %d", n % 8 == 0,
	    CPU_COUNT(&s), CPU_COUNT(&s) == sysconf(_SC_NPROCESSORS_ONLN));
	cpu_set_t t;
	CPU_ZERO(&t);
	SHOW(syscall(SYS_sched_getaffinity, getpid(), sizeof t, &t));
	say("same through our pid: %d", CPU_EQUAL(&s, &t));
	pid_t k = probe_fork();
	if (k == 0) {
		cpu_set_t c;
		CPU_ZERO(&c);
		syscall(SYS_sched_getaffinity, 0, sizeof c, &c);
		say("child: same set %d", CPU_EQUAL(&s, &c));
		_exit(0);
	}
	probe_wait("child", k);
	SHOW(syscall(SYS_sched_getaffinity, 0, 4, &s));
	SHOW(syscall(SYS_sched_getaffinity, 0, 0, &s));
	SHOW(syscall(SYS_sched_getaffinity, NO_PID, sizeof s, &s));
	SHOW(syscall(SYS_sched_getaffinity, 0, sizeof s, BADPTR));
}

/* sched_setaffinity is partial (accepted and ignored): the set is not read
 * back; results and errors are probed. */
SYSCALL_TEST(sched_setaffinity)
{
	cpu_set_t all, one, none, far;
	sched_getaffinity(0, sizeof all, &all);
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	SHOW(syscall(SYS_sched_setaffinity, 0, sizeof one, &one));
	SHOW(syscall(SYS_sched_setaffinity, 0, sizeof all, &all));
	CPU_ZERO(&none);
	SHOW(syscall(SYS_sched_setaffinity, 0, sizeof none, &none));
	CPU_ZERO(&far);
	CPU_SET(1000, &far);
	SHOW(syscall(SYS_sched_setaffinity, 0, sizeof far, &far));
	SHOW(syscall(SYS_sched_setaffinity, NO_PID, sizeof one, &one));
	SHOW(syscall(SYS_sched_setaffinity, 0, sizeof one, BADPTR));
}

SYSCALL_TEST(getcpu)
{
	unsigned cpu = 999, node = 999;
	SHOW(syscall(SYS_getcpu, &cpu, &node, NULL));
	say("cpu below the CPU count: %d, node %u", cpu < (unsigned)sysconf(_SC_NPROCESSORS_CONF),
	    node);
	SHOW(syscall(SYS_getcpu, NULL, NULL, NULL));
	SHOW(syscall(SYS_getcpu, &cpu, NULL, NULL));
	SHOW(syscall(SYS_getcpu, BADPTR, &node, NULL));
	SHOW(syscall(SYS_getcpu, &cpu, BADPTR, NULL));
}

SYSCALL_TEST(getrandom)
{
	unsigned char a[32] = {0}, b[32] = {0};
	SHOW(syscall(SYS_getrandom, a, sizeof a, 0));
	SHOW(syscall(SYS_getrandom, b, sizeof b, GRND_NONBLOCK));
	say("two calls differ: %d", memcmp(a, b, sizeof a) != 0);
	long n = syscall(SYS_getrandom, a, 16, GRND_RANDOM);
	say("GRND_RANDOM: between 1 and 16 bytes %d", n >= 1 && n <= 16);
	SHOW(syscall(SYS_getrandom, a, 8, GRND_INSECURE));
	SHOW(syscall(SYS_getrandom, a, 0, 0));
	static unsigned char big[1 << 16];
	SHOW(syscall(SYS_getrandom, big, sizeof big, 0));
	SHOW(syscall(SYS_getrandom, a, sizeof a, 0x80));
	SHOW(syscall(SYS_getrandom, a, sizeof a, GRND_INSECURE | GRND_RANDOM));
	SHOW(syscall(SYS_getrandom, BADPTR, sizeof a, 0));
}
