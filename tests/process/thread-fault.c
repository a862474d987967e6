/* A thread that is not the last one takes a fatal fault (SIGSEGV, no
 * handler) while its siblings run or sleep: the whole process dies of it. */
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

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *faulter(void *arg)
{
	(void)arg;
	usleep(50000);
	volatile int *volatile bad = (int *)16; /* opaque to the compiler */
	*bad = 1;
	return NULL;
}

int main(void)
{
	pthread_t t;
	pthread_create(&t, NULL, spinner, NULL);
	pthread_create(&t, NULL, sleeper, NULL);
	pthread_create(&t, NULL, faulter, NULL);
	printf("started\n");
	fflush(stdout);
	for (;;)
		pause();
}
