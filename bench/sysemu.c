/* bench-sysemu: the floor under any ptrace sandbox's syscall cost.
 *
 * A tracee calls getpid in a loop; the tracer stops it at every call with
 * PTRACE_SYSEMU (the kernel skips the call), answers it, and resumes it: the
 * least work a ptrace-based sentry can do per syscall. msentry's per-syscall
 * overhead is stated as a ratio to this round trip.
 *
 *   bench-sysemu [N] [REPS] [MODE]
 *
 * Ways of answering, from most to least register traffic:
 *   regs       PTRACE_GETREGS + PTRACE_SETREGS (rax = result)
 *   peekpoke   PTRACE_PEEKUSER(orig_rax) + PTRACE_POKEUSER(rax)
 *   info       PTRACE_GET_SYSCALL_INFO + PTRACE_POKEUSER(rax) (msentry's way)
 *   none       no register access at all (just the stop and the resume)
 * each with tracer and tracee pinned to the same CPU, and to two different
 * CPUs (a cross-CPU wakeup of a halted vCPU is what dominates the latter).
 *
 * Only MODE's two cases run when it is given.
 * Prints one line per case: "MODE PLACEMENT NS_PER_ROUND_TRIP" (median of
 * REPS runs of N round trips each).
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

enum mode { MODE_REGS, MODE_PEEKPOKE, MODE_INFO, MODE_NONE, MODE_COUNT };
static const char *const mode_names[MODE_COUNT] = {"regs", "peekpoke", "info", "none"};

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set) != 0) {
		perror("sched_setaffinity");
		exit(1);
	}
}

static pid_t start_tracee(int cpu)
{
	pid_t pid = fork();
	if (pid < 0) {
		perror("fork");
		exit(1);
	}
	if (pid == 0) {
		pin(cpu);
		if (ptrace(PTRACE_TRACEME, 0, 0, 0) != 0)
			_exit(1);
		raise(SIGSTOP);
		for (;;)
			syscall(SYS_getpid);
	}
	int status;
	if (waitpid(pid, &status, 0) != pid || !WIFSTOPPED(status)) {
		fprintf(stderr, "bench-sysemu: tracee did not stop\n");
		exit(1);
	}
	ptrace(PTRACE_SETOPTIONS, pid, 0, PTRACE_O_TRACESYSGOOD | PTRACE_O_EXITKILL);
	return pid;
}

/* Answer one getpid stop of `pid` the way `mode` says. */
static void answer(pid_t pid, enum mode mode)
{
	struct user_regs_struct regs;
	struct __ptrace_syscall_info info;
	switch (mode) {
	case MODE_REGS:
		ptrace(PTRACE_GETREGS, pid, 0, &regs);
		regs.rax = (unsigned long long)pid;
		ptrace(PTRACE_SETREGS, pid, 0, &regs);
		break;
	case MODE_PEEKPOKE:
		ptrace(PTRACE_PEEKUSER, pid, offsetof(struct user, regs.orig_rax), 0);
		ptrace(PTRACE_POKEUSER, pid, offsetof(struct user, regs.rax), pid);
		break;
	case MODE_INFO:
		ptrace(PTRACE_GET_SYSCALL_INFO, pid, sizeof(info), &info);
		ptrace(PTRACE_POKEUSER, pid, offsetof(struct user, regs.rax), pid);
		break;
	case MODE_NONE:
	case MODE_COUNT:
	default:
		break;
	}
}

/* N round trips: stop at the call, answer, resume. Returns ns per trip. */
static double round_trips(pid_t pid, enum mode mode, long n)
{
	double t0 = now_ns();
	for (long i = 0; i < n; i++) {
		int status;
		if (ptrace(PTRACE_SYSEMU, pid, 0, 0) != 0 || waitpid(pid, &status, 0) != pid ||
		    !WIFSTOPPED(status) || WSTOPSIG(status) != (SIGTRAP | 0x80)) {
			fprintf(stderr, "bench-sysemu: unexpected stop\n");
			exit(1);
		}
		answer(pid, mode);
	}
	return (now_ns() - t0) / (double)n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double measure(enum mode mode, int tracer_cpu, int tracee_cpu, long n, int reps)
{
	double t[64];
	pin(tracer_cpu);
	for (int r = 0; r < reps; r++) {
		pid_t pid = start_tracee(tracee_cpu);
		round_trips(pid, mode, n / 10 + 1); /* warm up caches and the scheduler */
		t[r] = round_trips(pid, mode, n);
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	qsort(t, (size_t)reps, sizeof(t[0]), cmp_double);
	return reps % 2 ? t[reps / 2] : (t[reps / 2 - 1] + t[reps / 2]) / 2;
}

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 20000;
	int reps = argc > 2 ? atoi(argv[2]) : 5;
	if (n <= 0 || reps <= 0 || reps > 64)
		return 2;
	cpu_set_t allowed;
	if (sched_getaffinity(0, sizeof(allowed), &allowed) != 0)
		return 1;
	/* "Same" uses the CPU the scheduler started us on, as msentry does;
	 * "cross" adds the next allowed one. */
	int cpus[2], found = 0;
	cpus[found++] = sched_getcpu() >= 0 ? sched_getcpu() : 0;
	for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
		if (CPU_ISSET(c, &allowed) && c != cpus[0])
			cpus[found++] = c;
	for (int m = 0; m < MODE_COUNT; m++) {
		if (argc > 3 && strcmp(argv[3], mode_names[m]) != 0)
			continue;
		printf("%s same %.0f\n", mode_names[m], measure(m, cpus[0], cpus[0], n, reps));
		fflush(stdout);
		if (found == 2) {
			printf("%s cross %.0f\n", mode_names[m],
			       measure(m, cpus[0], cpus[1], n / 4, reps));
			fflush(stdout);
		}
	}
	return 0;
}
