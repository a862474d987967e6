/* A time-hungry program: waits 50 ms (msentry calibrates its clock page
 * meanwhile), then reads the time 100,000 times in each of the three ways
 * libc offers (clock_gettime, gettimeofday, time: all vDSO calls). */
#include <stdio.h>
#include <sys/time.h>
#include <time.h>

int main(void)
{
	struct timespec pause = {0, 50000000};
	nanosleep(&pause, NULL);
	long odd = 0;
	for (int i = 0; i < 100000; i++) {
		struct timespec ts;
		struct timeval tv;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		gettimeofday(&tv, NULL);
		odd += (ts.tv_nsec & 1) + (tv.tv_usec & 1) + (time(NULL) & 1);
	}
	printf("read the time %d times\n", 300000 + (int)(odd * 0));
	return 0;
}
