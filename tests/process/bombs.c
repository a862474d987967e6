/* process-bombs: a fork bomb or a thread bomb meets the sandbox's wall.
 *
 *   process-bombs fork|thread
 *
 * fork: every process forks as fast as it can until fork fails, and the
 * first failure's errno is reported by the first process; children sleep
 * in pause() forever, so that they are still there when the first process
 * exits (the sandbox must end them). thread: one process starts threads
 * that block forever until pthread_create fails. Prints the errno name and
 * exits 3 (tests/process/bombs.sh checks msentry's status and that no stub
 * is left).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void *forever(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static int fork_bomb(void)
{
	int report[2];
	pid_t first = getpid();
	if (pipe(report) != 0)
		return 1;
	for (int i = 0; i < 100000; i++) {
		pid_t pid = fork();
		if (pid < 0) {
			int err = errno;
			/* Any process that hits the wall tells the first one. */
			if (write(report[1], &err, sizeof(err)) != sizeof(err))
				return 1;
			break;
		}
		if (pid == 0)
			continue; /* the child forks on too */
	}
	if (getpid() != first) {
		/* Not the first process: stay, to be killed with the sandbox. */
		for (;;)
			pause();
	}
	int err;
	if (read(report[0], &err, sizeof(err)) != sizeof(err))
		return 1;
	printf("fork: %s\n", err == EAGAIN ? "EAGAIN" : strerror(err));
	return 3;
}

static int thread_bomb(void)
{
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	for (int i = 0; i < 100000; i++) {
		pthread_t th;
		int err = pthread_create(&th, &attr, forever, NULL);
		if (err != 0) {
			printf("thread: %s after some\n", err == EAGAIN ? "EAGAIN" : strerror(err));
			return 3;
		}
	}
	printf("thread: no wall\n");
	return 1;
}

int main(int argc, char **argv)
{
	if (argc != 2)
		return 2;
	setvbuf(stdout, NULL, _IONBF, 0);
	if (strcmp(argv[1], "fork") == 0)
		return fork_bomb();
	if (strcmp(argv[1], "thread") == 0)
		return thread_bomb();
	return 2;
}
