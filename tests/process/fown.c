/* File owners and SIGIO: leases broken by another process's open (which
 * waits until the holder lets go), O_ASYNC with F_SETSIG on a pipe,
 * dnotify, and the owner commands' values and errors. Under msentry the
 * host's notifications reach the sentry and must be passed to the
 * program's owner (they once killed the sentry). Prints only what is the
 * same natively and under msentry; run-compare.sh compares the runs. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* What the last signal of each number carried; the kernel may repeat a
 * lease break's SIGIO late, so each check waits for its own signal. */
static volatile sig_atomic_t got[65], got_fd, got_code, got_band_in;
static int lease_fd = -1;

static void on_signal(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	got[sig] = 1;
	got_fd = si->si_fd;
	got_code = si->si_code;
	got_band_in = (si->si_band & POLLIN) != 0;
}

static void release_lease(int sig)
{
	got[sig] = 1;
	fcntl(lease_fd, F_SETLEASE, F_UNLCK);
}

static void catch_with(int sig, void (*fn)(int, siginfo_t *, void *))
{
	struct sigaction sa = {.sa_sigaction = fn, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
}

static void wait_signal(int sig)
{
	for (int i = 0; i < 300 && !got[sig]; i++)
		usleep(10000);
}

static void lease_nonblocking_breaker(const char *path)
{
	int fd = open(path, O_RDONLY);
	got[SIGIO] = got[SIGUSR1] = got[SIGUSR2] = 0;
	catch_with(SIGIO, on_signal);
	int rc = fcntl(fd, F_SETLEASE, F_RDLCK);
	printf("read lease: %d, F_GETLEASE %d\n", rc, fcntl(fd, F_GETLEASE));
	pid_t c = fork();
	if (c == 0) {
		int w = open(path, O_WRONLY | O_NONBLOCK);
		_exit(w < 0 && errno == EWOULDBLOCK ? 0 : 1);
	}
	int st;
	waitpid(c, &st, 0);
	printf("breaker's O_NONBLOCK open: EWOULDBLOCK %d\n",
	       WIFEXITED(st) && WEXITSTATUS(st) == 0);
	wait_signal(SIGIO);
	printf("holder got SIGIO: %d, si_code SI_KERNEL %d\n", got[SIGIO], got_code == SI_KERNEL);
	printf("lease while breaking: %d\n", fcntl(fd, F_GETLEASE));
	fcntl(fd, F_SETLEASE, F_UNLCK);
	close(fd);
}

static void lease_blocking_breaker(const char *path)
{
	lease_fd = open(path, O_RDONLY);
	got[SIGIO] = got[SIGUSR1] = got[SIGUSR2] = 0;
	signal(SIGIO, release_lease);
	printf("read lease again: %d\n", fcntl(lease_fd, F_SETLEASE, F_RDLCK));
	pid_t c = fork();
	if (c == 0) {
		/* Waits until the holder's handler releases the lease. */
		int w = open(path, O_WRONLY);
		_exit(w >= 0 ? 0 : 1);
	}
	int st;
	waitpid(c, &st, 0);
	printf("breaker's blocking open succeeded: %d, holder was signalled %d\n",
	       WIFEXITED(st) && WEXITSTATUS(st) == 0, got[SIGIO]);
	printf("lease after release: %d\n", fcntl(lease_fd, F_GETLEASE));
	close(lease_fd);
}

static void async_pipe(void)
{
	int p[2];
	if (pipe(p) != 0)
		return;
	got[SIGIO] = got[SIGUSR1] = got[SIGUSR2] = 0;
	catch_with(SIGUSR1, on_signal);
	int rc = fcntl(p[0], F_SETOWN, getpid());
	printf("F_SETOWN self: %d, F_GETOWN is me %d\n", rc, fcntl(p[0], F_GETOWN) == getpid());
	rc = fcntl(p[0], F_SETSIG, SIGUSR1);
	printf("F_SETSIG SIGUSR1: %d, F_GETSIG %d\n", rc, fcntl(p[0], F_GETSIG));
	fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_ASYNC);
	pid_t c = fork();
	if (c == 0) {
		write(p[1], "x", 1);
		_exit(0);
	}
	waitpid(c, NULL, 0);
	wait_signal(SIGUSR1);
	printf(
	    "O_ASYNC pipe: SIGUSR1 %d, si_fd is the read end %d, POLL_IN %d, band has POLLIN %d\n",
	    got[SIGUSR1], got_fd == p[0], got_code == POLL_IN, got_band_in);
	close(p[0]);
	close(p[1]);
}

/* A child makes the parent the owner of its pipe and has the signal
 * sent: Linux checks, at send time, that whoever set the owner may signal
 * it (sigio_perm), so a child that became nobody signals its root parent
 * no more than kill(2) would let it. */
static void async_owner_child(bool as_nobody)
{
	got[SIGUSR2] = 0;
	catch_with(SIGUSR2, on_signal);
	pid_t parent = getpid();
	pid_t c = fork();
	if (c == 0) {
		int p[2];
		if (as_nobody && setresuid(65534, 65534, 65534) != 0)
			_exit(1);
		if (pipe(p) != 0 || fcntl(p[0], F_SETOWN, parent) != 0 ||
		    fcntl(p[0], F_SETSIG, SIGUSR2) != 0 ||
		    fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_ASYNC) != 0)
			_exit(2);
		write(p[1], "x", 1);
		usleep(100000); /* the pipe stays open while the signal goes */
		/* The read end first: closing the write end while a reader
		 * is left would signal the owner again. */
		close(p[0]);
		close(p[1]);
		_exit(0);
	}
	int st = 0;
	waitpid(c, &st, 0);
	for (int i = 0; i < 50 && !got[SIGUSR2]; i++)
		usleep(10000);
	printf("O_ASYNC owner set by a %s child: child status %d, the parent got SIGUSR2 %d\n",
	       as_nobody ? "nobody" : "root", WEXITSTATUS(st), got[SIGUSR2]);
}

static void dnotify(const char *dir)
{
	int d = open(dir, O_RDONLY | O_DIRECTORY);
	got[SIGIO] = got[SIGUSR1] = got[SIGUSR2] = 0;
	catch_with(SIGUSR2, on_signal);
	fcntl(d, F_SETSIG, SIGUSR2);
	printf("F_NOTIFY DN_CREATE: %d\n", fcntl(d, F_NOTIFY, DN_CREATE));
	char path[128];
	snprintf(path, sizeof(path), "%s/new-file", dir);
	pid_t c = fork();
	if (c == 0) {
		close(open(path, O_CREAT | O_WRONLY, 0600));
		_exit(0);
	}
	waitpid(c, NULL, 0);
	wait_signal(SIGUSR2);
	printf("dnotify: SIGUSR2 %d\n", got[SIGUSR2]);
	unlink(path);
	close(d);
}

static void owner_values(void)
{
	int p[2];
	if (pipe(p) != 0)
		return;
	int rc = fcntl(p[0], F_SETOWN, 999999);
	printf("F_SETOWN of no such process: %d %s\n", rc, strerror(errno));
	printf("F_GETOWN unset: %d\n", fcntl(p[0], F_GETOWN));
	fcntl(p[0], F_SETOWN, -getpgrp());
	printf("F_GETOWN of a group is minus it: %d\n", fcntl(p[0], F_GETOWN) == -getpgrp());
	struct f_owner_ex ex = {0};
	fcntl(p[0], F_GETOWN_EX, &ex);
	printf("F_GETOWN_EX: type pgrp %d, pid is it %d\n", ex.type == F_OWNER_PGRP,
	       ex.pid == getpgrp());
	ex = (struct f_owner_ex){.type = 7, .pid = getpid()};
	rc = fcntl(p[0], F_SETOWN_EX, &ex);
	printf("F_SETOWN_EX bad type: %d %s\n", rc, strerror(errno));
	rc = fcntl(p[0], F_SETSIG, 65);
	printf("F_SETSIG 65: %d %s\n", rc, strerror(errno));
	close(p[0]);
	close(p[1]);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	char dir[64], path[128];
	snprintf(dir, sizeof(dir), "/tmp/msentry-fown-%d", getpid());
	mkdir(dir, 0700);
	snprintf(path, sizeof(path), "%s/leased", dir);
	close(open(path, O_CREAT | O_WRONLY, 0644));
	lease_nonblocking_breaker(path);
	lease_blocking_breaker(path);
	unlink(path);
	async_pipe();
	if (geteuid() == 0) {
		async_owner_child(true);
		async_owner_child(false);
	}
	dnotify(dir);
	owner_values();
	rmdir(dir);
	return 0;
}
