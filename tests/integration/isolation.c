/* Proof that the program's syscalls are served by the sentry, never by the
 * host kernel. Prints PASS/FAIL lines; exits 0 only if all pass.
 *  - getpid is the sandbox's (1), not a host pid;
 *  - a syscall the stub's seccomp filter would kill for (sethostname) comes
 *    back as ENOSYS and the process lives on: had it reached the host, the
 *    host's hostname would change (the test script checks it did not);
 *  - a 32-bit `int $0x80` getpid is refused with ENOSYS (the host would
 *    answer it with the host pid);
 *  - fd 3 is the first free descriptor: the sentry's own fds are invisible. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	failures += !ok;
}

static long int80_getpid(void)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	return ret;
}

int main(void)
{
	check(getpid() == 1, "getpid() is the sandbox's pid 1");
	check(getppid() == 0, "getppid() is 0 for the sandbox's first process");
	long r = syscall(SYS_sethostname, "msentry-escaped", 15);
	check(r == -1 && errno == ENOSYS, "sethostname is refused with ENOSYS");
	check(int80_getpid() == -ENOSYS, "int $0x80 is refused with ENOSYS");
	int fd = open("/dev/null", O_RDONLY);
	check(fd == 3, "the first free fd is 3");
	return failures ? 1 : 0;
}
