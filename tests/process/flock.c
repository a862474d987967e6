/* flock between two processes: a LOCK_EX waiter must not stall the
 * sandbox (the holder keeps running and releases it), and a signal
 * interrupts the wait (EINTR without SA_RESTART), as in Linux. Prints
 * what is the same natively and under msentry; run-compare.sh compares. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_alarm(int sig)
{
	(void)sig;
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	char path[64];
	snprintf(path, sizeof(path), "/tmp/msentry-flock-%d", getpid());
	int fd = open(path, O_RDWR | O_CREAT, 0600);
	flock(fd, LOCK_EX);
	pid_t c = fork();
	if (c == 0) {
		int f2 = open(path, O_RDWR);
		int nb = flock(f2, LOCK_EX | LOCK_NB);
		printf("child LOCK_NB: %d %s\n", nb, nb ? strerror(errno) : "");
		/* Waits until the parent unlocks. */
		_exit(flock(f2, LOCK_EX) == 0 ? 0 : 1);
	}
	usleep(300000);
	printf("the holder still runs while the child waits; unlocking\n");
	flock(fd, LOCK_UN);
	int st;
	waitpid(c, &st, 0);
	printf("child got the lock: %d\n", WIFEXITED(st) && WEXITSTATUS(st) == 0);
	flock(fd, LOCK_EX);
	c = fork();
	if (c == 0) {
		struct sigaction sa = {.sa_handler = on_alarm};
		sigemptyset(&sa.sa_mask);
		sigaction(SIGALRM, &sa, NULL);
		ualarm(300000, 0);
		int f2 = open(path, O_RDWR);
		int r = flock(f2, LOCK_EX);
		printf("a signal ends the wait: %d %s\n", r, r ? strerror(errno) : "");
		_exit(0);
	}
	waitpid(c, NULL, 0);
	c = fork();
	if (c == 0) {
		int f2 = open(path, O_RDWR);
		flock(f2, LOCK_SH); /* killed while it waits */
		_exit(0);
	}
	usleep(200000);
	kill(c, SIGKILL);
	waitpid(c, &st, 0);
	printf("killed while waiting: %d\n", WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
	unlink(path);
	return 0;
}
