/* execve by one thread while others live on: waiting in a syscall (pause),
 * computing, and waiting in the host on a userfaultfd page fault (the
 * thread the sentry sees as running). Linux ends the other threads
 * (de_thread) and runs the new program; the sentry once waited forever
 * for the old stub's leader, which the host reports only after the other
 * traced threads are reaped. Each case runs in a child, the exec'ing
 * thread being the main one or another. */
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile unsigned long spins;
static volatile char *missing;

static void *sleeper(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void *spinner(void *arg)
{
	(void)arg;
	for (;;)
		spins++;
	return NULL;
}

static void *faulter(void *arg)
{
	(void)arg;
	return (void *)(long)missing[1];
}

/* A page registered with a userfaultfd nobody serves. */
static int register_missing(void)
{
	int u = (int)syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */);
	struct uffdio_api api = {.api = UFFD_API};
	if (u < 0 || ioctl(u, UFFDIO_API, &api) != 0)
		return -1;
	missing = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_register r = {.range = {(uintptr_t)missing, 4096},
				    .mode = UFFDIO_REGISTER_MODE_MISSING};
	return ioctl(u, UFFDIO_REGISTER, &r);
}

static const char *label;

static void *execer(void *arg)
{
	(void)arg;
	usleep(100000);
	execl("/bin/echo", "echo", "exec ok:", label, (char *)NULL);
	return NULL;
}

static void one(const char *name, void *(*fn)(void *), int from_thread)
{
	fflush(stdout);
	pid_t k = fork();
	if (k == 0) {
		label = name;
		if (fn == faulter && register_missing() != 0) {
			printf("exec ok: %s (no userfaultfd here)\n", name);
			fflush(stdout);
			_exit(0);
		}
		pthread_t th;
		for (int i = 0; i < 3; i++)
			pthread_create(&th, NULL, fn, NULL);
		if (from_thread)
			pthread_create(&th, NULL, execer, NULL);
		else
			execer(NULL);
		pause();
		_exit(1);
	}
	int st;
	waitpid(k, &st, 0);
	printf("%s: %s %d\n", name, WIFEXITED(st) ? "exited" : "killed",
	       WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

int main(void)
{
	one("sleeping threads", sleeper, 0);
	one("computing threads", spinner, 0);
	one("faulting threads", faulter, 0);
	one("sleeping threads, exec by a thread", sleeper, 1);
	one("computing threads, exec by a thread", spinner, 1);
	return 0;
}
