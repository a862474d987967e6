/* Host calls that may block for long (sync, syncfs), run off the sentry's
 * thread.
 *
 * The sentry has one thread, and a host call that blocks it stalls every
 * task of the sandbox. A call that can only be made blocking is handed to
 * a short-lived helper thread: the task waits (BLOCK_FD) on an eventfd the
 * helper writes when its call returns, and the syscall is run again then
 * and picks up the result. The helper touches nothing of the sentry's but
 * its own struct offload and the eventfd; the result is published by the
 * eventfd write, which orders it before the sentry's read.
 *
 * Such calls are uninterruptible, as Linux's sync is: a signal that
 * arrives meanwhile is delivered once the call has returned.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "sentry/kernel/kernel.h"

struct offload {
	long (*fn)(void *arg);
	void *arg;
	int efd;     /* written (1) when result is set */
	long result; /* fn's result: 0 or -errno */
};

static void *offload_main(void *arg)
{
	struct offload *o = arg;
	o->result = o->fn(o->arg);
	uint64_t one = 1;
	(void)!write(o->efd, &one, sizeof(one));
	return NULL;
}

static long offload_start(struct task *t, long (*fn)(void *), void *arg)
{
	struct offload *o = xcalloc(1, sizeof(*o));
	*o = (struct offload){.fn = fn, .arg = arg};
	o->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (o->efd < 0) {
		free(o);
		return -errno;
	}
	/* The helper must never take the sentry's signals (SIGCHLD...). */
	sigset_t all, old;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_t attr;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_t th;
	int rc = pthread_create(&th, &attr, offload_main, o);
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc != 0) {
		close(o->efd);
		free(o);
		return -rc;
	}
	t->call.offload = o;
	return 0;
}

/* Wait on the helper's eventfd, whatever signals arrive. */
static long offload_wait(struct task *t, struct offload *o)
{
	t->call.interrupted = false;
	return task_block_fd(t, o->efd, POLLIN);
}

long task_offload(struct task *t, long (*fn)(void *), void *arg)
{
	struct offload *o = t->call.offload;
	if (!o) {
		long rc = offload_start(t, fn, arg);
		return rc != 0 ? rc : offload_wait(t, t->call.offload);
	}
	uint64_t done;
	if (read(o->efd, &done, sizeof(done)) != sizeof(done))
		return offload_wait(t, o);
	long result = o->result;
	close(o->efd);
	free(o);
	t->call.offload = NULL;
	return result;
}
