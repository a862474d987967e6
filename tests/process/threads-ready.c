/* Threads busy in program code and in syscalls, and a main thread that
 * waits: prints "ready", then runs until a signal ends it. */
#include <pthread.h>
#include <stdio.h>
#include <unistd.h>

static void *spinner(void *arg)
{
	(void)arg;
	for (volatile long x = 0;; x++)
		;
	return NULL;
}

static void *napper(void *arg)
{
	(void)arg;
	for (;;)
		usleep(1000);
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, spinner, NULL);
	pthread_create(&t, NULL, napper, NULL);
	printf("ready\n");
	fflush(stdout);
	for (;;)
		usleep(10000);
}
