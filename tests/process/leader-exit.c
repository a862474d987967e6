/* The thread-group leader calls pthread_exit while other threads live on;
 * then the process ends in each of the ways a program can: a thread calls
 * exit() (exit_group), or every thread leaves with pthread_exit. Linux
 * keeps the leader a zombie until the group is gone; the sentry must not
 * wait for it. Usage: leader-exit exit|last */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int mode_exit;

/* Worker 0 speaks and ends the process (exit) or leaves first (last);
 * the others wait, then leave. */
static void *worker(void *arg)
{
	long id = (long)arg;
	usleep(id == 0 ? 50000 : 150000);
	if (id != 0)
		pthread_exit(NULL);
	printf("worker: leader gone, %s\n", mode_exit ? "exit(7)" : "pthread_exit");
	fflush(stdout);
	if (mode_exit)
		exit(7);
	pthread_exit(NULL);
}

int main(int argc, char **argv)
{
	mode_exit = argc > 1 && strcmp(argv[1], "exit") == 0;
	pthread_t t[3];
	for (int i = 0; i < 3; i++)
		pthread_create(&t[i], NULL, worker, (void *)(long)i);
	printf("leader: pthread_exit\n");
	fflush(stdout);
	pthread_exit(NULL);
}
