/* bench-spawn: wall time of starting a command and waiting for its exit.
 *
 *   bench-spawn N CMD [ARGS...]
 *
 * Runs CMD N times in a row (fork, execvp, wait4; stdout to /dev/null) and
 * prints two medians in nanoseconds: the wall time of one run, and the CPU
 * time (user + system) it used, children it reaped included. The median, not
 * the mean, because this 2-core VM is shared and a few runs always land
 * behind someone else's compiler; CPU time is printed because it hardly
 * moves with such contention, while wall time does. Exits 1 if any run
 * fails, so a broken sandbox is not reported as a fast one.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static double tv_ns(struct timeval tv)
{
	return (double)tv.tv_sec * 1e9 + (double)tv.tv_usec * 1e3;
}

/* One run: its wall time in ns (CPU time in *cpu), or a negative value if it
 * did not exit 0. */
static double run_once(char **cmd, double *cpu)
{
	double t0 = now_ns();
	pid_t pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		int null = open("/dev/null", O_WRONLY);
		if (null >= 0)
			dup2(null, 1);
		execvp(cmd[0], cmd);
		_exit(127);
	}
	int status;
	struct rusage ru;
	if (wait4(pid, &status, 0, &ru) != pid)
		return -1;
	double t1 = now_ns();
	*cpu = tv_ns(ru.ru_utime) + tv_ns(ru.ru_stime);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "bench-spawn: %s: status %#x\n", cmd[0], status);
		return -1;
	}
	return t1 - t0;
}

static double median(double *v, long n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: bench-spawn N CMD [ARGS...]\n");
		return 2;
	}
	long n = atol(argv[1]);
	if (n <= 0)
		return 2;
	double *t = calloc((size_t)n, sizeof(*t));
	double *cpu = calloc((size_t)n, sizeof(*cpu));
	if (!t || !cpu)
		return 1;
	for (long i = 0; i < n; i++) {
		t[i] = run_once(argv + 2, &cpu[i]);
		if (t[i] < 0)
			return 1;
	}
	printf("%.0f %.0f\n", median(t, n), median(cpu, n));
	free(t);
	free(cpu);
	return 0;
}
