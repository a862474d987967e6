/* N raw getpid() syscalls (default 100000): the cheapest round trip through
 * the sentry, so the per-syscall cost of tracing stands out. */
#include <stdlib.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 1 ? atol(argv[1]) : 100000;
	for (long i = 0; i < n; i++)
		syscall(SYS_getpid);
	return 0;
}
