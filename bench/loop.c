/* bench-loop: the syscall micro benchmarks, run natively and under each
 * sandbox (msentry, strace -f, proot, runsc).
 *
 *   bench-loop getpid N        N raw getpid calls (syscall(SYS_getpid), so
 *                              no libc caching and no vDSO shortcut)
 *   bench-loop open N FILE     N open/read/close of a small file
 *   bench-loop fork N          N fork + _exit + waitpid
 *   bench-loop exec N          N fork + execve("/bin/true") + waitpid, like a
 *                              shell running a command in a loop
 *
 * Prints one line: the mean ns per iteration. The timer is read inside the
 * program, so start-up (loading, the sandbox's own setup) is not counted;
 * only two clock_gettime calls frame the loop, which matters when a sandbox
 * without a vDSO turns each of them into a trapped syscall.
 */
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int loop_getpid(long n)
{
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
	return 0;
}

static int loop_open(long n, const char *path)
{
	char buf[4096];
	for (long i = 0; i < n; i++) {
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			perror(path);
			return 1;
		}
		if (read(fd, buf, sizeof(buf)) < 0) {
			perror("read");
			return 1;
		}
		close(fd);
	}
	return 0;
}

static int loop_fork(long n, bool do_exec)
{
	for (long i = 0; i < n; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			if (do_exec)
				execl("/bin/true", "true", (char *)NULL);
			_exit(0);
		}
		int status;
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status)) {
			fprintf(stderr, "child failed\n");
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 3 || (strcmp(argv[1], "open") == 0 && argc < 4)) {
		fprintf(stderr, "usage: bench-loop getpid|fork|exec N | bench-loop open N FILE\n");
		return 2;
	}
	long n = atol(argv[2]);
	if (n <= 0)
		return 2;
	double t0 = now_ns();
	int rc;
	if (strcmp(argv[1], "getpid") == 0)
		rc = loop_getpid(n);
	else if (strcmp(argv[1], "open") == 0)
		rc = loop_open(n, argv[3]);
	else if (strcmp(argv[1], "fork") == 0 || strcmp(argv[1], "exec") == 0)
		rc = loop_fork(n, argv[1][0] == 'e');
	else
		return 2;
	double t1 = now_ns();
	if (rc != 0)
		return rc;
	printf("%.1f\n", (t1 - t0) / (double)n);
	return 0;
}
