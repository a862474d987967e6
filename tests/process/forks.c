/* fork/wait edge cases: exit statuses, signals, zombies, process groups,
 * sessions, WNOHANG, waitid, getppid, sandbox pids. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

int main(void)
{
	int st;
	pid_t kids[5];
	for (int i = 0; i < 5; i++) {
		kids[i] = fork();
		if (kids[i] == 0)
			_exit(10 + i);
	}
	int sum = 0;
	for (int i = 0; i < 5; i++) {
		waitpid(kids[i], &st, 0);
		sum += WEXITSTATUS(st);
	}
	printf("sum of statuses %d\n", sum);
	printf("wait with no children: %d %s\n", wait(&st) == -1, errno == ECHILD ? "ECHILD" : "?");
	pid_t p = fork();
	if (p == 0) {
		pause();
		_exit(0);
	}
	printf("WNOHANG on a running child: %d\n", waitpid(p, &st, WNOHANG));
	kill(p, SIGKILL);
	siginfo_t si;
	waitid(P_PID, p, &si, WEXITED);
	printf("waitid: code=%s status=%d\n", si.si_code == CLD_KILLED ? "CLD_KILLED" : "?",
	       si.si_status);
	p = fork();
	if (p == 0) {
		printf("child: ppid matches=%d setsid=%d\n", getppid() != 0, setsid() == getpid());
		fflush(stdout);
		_exit(0);
	}
	waitpid(p, &st, 0);
	p = fork();
	if (p == 0) {
		setpgid(0, 0);
		printf("own group=%d\n", getpgrp() == getpid());
		fflush(stdout);
		_exit(0);
	}
	waitpid(p, &st, 0);
	/* A zombie stays until reaped. */
	p = fork();
	if (p == 0)
		_exit(3);
	usleep(200000);
	printf("zombie still waitable: %d\n", waitpid(p, &st, WNOHANG) == p && WEXITSTATUS(st) == 3);
	return 0;
}
