/* bench-tasks: the cost of many live tasks at once.
 *
 *   bench-tasks threads|procs N
 *
 * Starts N threads (pthread_create, 64 KiB stacks) or N processes (fork),
 * all alive at the same time: each waits on a pipe that the parent closes
 * (processes) or writes (threads) only once all have started; then joins
 * them all (pthread_join, waitpid). Prints the wall time per task in
 * nanoseconds. If the cost of a task grows with how many others exist, the
 * figure grows with N: bench/run.sh runs N = 100, 1000 and 5000 to show it
 * stays flat. Exits 1 if a task could not be started or joined.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int gate[2];

static double now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void *thread_main(void *arg)
{
	(void)arg;
	char c;
	return read(gate[0], &c, 1) == 1 ? NULL : (void *)1;
}

static int run_threads(int n)
{
	pthread_t *tids = calloc((size_t)n, sizeof(*tids));
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	int started = 0, rc = 0;
	for (; started < n; started++)
		if (pthread_create(&tids[started], &attr, thread_main, NULL) != 0) {
			fprintf(stderr, "bench-tasks: pthread_create failed after %d\n", started);
			rc = 1;
			break;
		}
	/* One byte per thread: each takes one and ends. */
	char *bytes = calloc((size_t)n, 1);
	for (int off = 0; off < started;) {
		ssize_t w = write(gate[1], bytes + off, (size_t)(started - off));
		if (w <= 0)
			return 1;
		off += (int)w;
	}
	for (int i = 0; i < started; i++) {
		void *ret;
		if (pthread_join(tids[i], &ret) != 0 || ret)
			rc = 1;
	}
	free(bytes);
	free(tids);
	return rc;
}

static int run_procs(int n)
{
	int started = 0, rc = 0;
	for (; started < n; started++) {
		pid_t pid = fork();
		if (pid < 0) {
			fprintf(stderr, "bench-tasks: fork failed after %d\n", started);
			rc = 1;
			break;
		}
		if (pid == 0) {
			close(gate[1]);
			char c;
			/* The parent closes its end once all have started: EOF. */
			_exit(read(gate[0], &c, 1) == 0 ? 0 : 1);
		}
	}
	close(gate[1]);
	for (int i = 0; i < started; i++) {
		int st;
		if (wait(&st) < 0 || !WIFEXITED(st) || WEXITSTATUS(st) != 0)
			rc = 1;
	}
	return rc;
}

int main(int argc, char **argv)
{
	if (argc != 3 || (strcmp(argv[1], "threads") != 0 && strcmp(argv[1], "procs") != 0)) {
		fprintf(stderr, "usage: bench-tasks threads|procs N\n");
		return 2;
	}
	int n = atoi(argv[2]);
	if (n < 1 || pipe(gate) != 0)
		return 2;
	double t0 = now_ns();
	int rc = strcmp(argv[1], "threads") == 0 ? run_threads(n) : run_procs(n);
	double t1 = now_ns();
	printf("%.0f\n", (t1 - t0) / n);
	return rc;
}
