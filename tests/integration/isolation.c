/* Proof that the program's syscalls are served by the sentry, never by the
 * host kernel. Prints PASS/FAIL lines; exits 0 only if all pass.
 *  - getpid is the sandbox's (1), not a host pid;
 *  - a syscall the stub's seccomp filter would kill for (sethostname)
 *    changes the sandbox's own host name (uname shows it) and the process
 *    lives on: had it reached the host, the host's hostname would change
 *    (the test script checks it did not);
 *  - a 32-bit `int $0x80` getpid never gets the host's answer. What Linux
 *    itself does with it depends on the host: with ia32 emulation it returns
 *    the pid; on hosts without it (some KVM guests) the instruction faults
 *    with SIGSEGV before any syscall happens. isolation.sh runs `probe
 *    int80` natively to learn which, and passes the answer in: a faulting
 *    host must fault under msentry too, an answering one must get ENOSYS;
 *  - fd 3 is the first free descriptor: the sentry's own fds are invisible.
 *
 * Usage: probe int80      print what `int $0x80` does here ("signal N" or
 *                         "returns R"), from a child process
 *        probe EXPECTED   the checks; EXPECTED is `probe int80`'s native
 *                         answer */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

static int failures;

static void check(int ok, const char *what)
{
	printf("%s: %s\n", ok ? "PASS" : "FAIL", what);
	fflush(stdout);
	failures += !ok;
}

static long int80_getpid(void)
{
	long ret;
	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory");
	return ret;
}

/* What `int $0x80` getpid does, found in a child so a fault cannot kill
 * the caller: "signal N", "returns -ENOSYS" or "returns pid". */
static void int80_outcome(char *out, size_t size)
{
	int pipefd[2];
	if (pipe(pipefd) != 0) {
		snprintf(out, size, "pipe failed");
		return;
	}
	pid_t child = fork();
	if (child == 0) {
		close(pipefd[0]);
		pid_t self = getpid();
		long r = int80_getpid();
		const char *what = r == -ENOSYS ? "returns -ENOSYS" : r == self ? "returns pid" : "returns other";
		if (write(pipefd[1], what, strlen(what)) < 0)
			_exit(2);
		_exit(0);
	}
	close(pipefd[1]);
	char buf[64] = "";
	ssize_t n = read(pipefd[0], buf, sizeof(buf) - 1);
	close(pipefd[0]);
	int status = 0;
	waitpid(child, &status, 0);
	if (WIFSIGNALED(status))
		snprintf(out, size, "signal %d", WTERMSIG(status));
	else
		snprintf(out, size, "%s", n > 0 ? buf : "no answer");
}

int main(int argc, char **argv)
{
	char outcome[64];
	if (argc == 2 && strcmp(argv[1], "int80") == 0) {
		int80_outcome(outcome, sizeof(outcome));
		puts(outcome);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: %s int80 | %s NATIVE-INT80-OUTCOME\n", argv[0], argv[0]);
		return 2;
	}
	check(getpid() == 1, "getpid() is the sandbox's pid 1");
	check(getppid() == 0, "getppid() is 0 for the sandbox's first process");
	long r = syscall(SYS_sethostname, "msentry-escaped", 15);
	struct utsname u;
	check(r == 0 && uname(&u) == 0 && strcmp(u.nodename, "msentry-escaped") == 0,
	      "sethostname changes the sandbox's own name");
	int80_outcome(outcome, sizeof(outcome));
	if (strncmp(argv[1], "signal ", 7) == 0) {
		printf("host: int $0x80 faults natively (%s)\n", argv[1]);
		check(strcmp(outcome, argv[1]) == 0, "int $0x80 faults as it does natively");
	} else {
		printf("host: int $0x80 %s natively\n", argv[1]);
		check(strcmp(outcome, "returns -ENOSYS") == 0, "int $0x80 is refused with ENOSYS");
	}
	int fd = open("/dev/null", O_RDONLY);
	check(fd == 3, "the first free fd is 3");
	return failures ? 1 : 0;
}
