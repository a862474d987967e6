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
 * arrives meanwhile is delivered once the call has returned. Some are
 * interruptible in Linux (opening a FIFO waits for its partner, opening a
 * leased file waits for the lease to go): task_offload_interruptible()
 * then cancels the helper's call with OFFLOAD_CANCEL_SIGNAL, whose handler
 * does nothing and is installed without SA_RESTART, so the host call ends
 * with EINTR. The helper unblocks that signal only around its call, and
 * the cancel flag and the helper's tid are exchanged with sequentially
 * consistent atomics (each side stores, then loads the other's), so a
 * cancel sent before the helper started is seen by it, and one sent after
 * its call ended does nothing. A call that completed anyway returns its
 * result (the signal is delivered after it, as Linux does when an open
 * wins the race).
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/kernel/kernel.h"

struct offload {
	long (*fn)(void *arg);
	void *arg;
	int efd;     /* written (1) when result is set */
	long result; /* fn's result: 0 or -errno */
	int tid;     /* the helper's host tid once it runs (atomic) */
	int cancel;  /* the call is to end with EINTR (atomic) */
	bool cancel_sent;
};

static void ignore_cancel(int sig)
{
	(void)sig; /* only there to make the helper's host call return EINTR */
}

void offload_setup(void)
{
	struct sigaction sa = {.sa_handler = ignore_cancel};
	sigemptyset(&sa.sa_mask);
	sigaction(OFFLOAD_CANCEL_SIGNAL, &sa, NULL);
}

static void *offload_main(void *arg)
{
	struct offload *o = arg;
	__atomic_store_n(&o->tid, (int)gettid(), __ATOMIC_SEQ_CST);
	sigset_t cancel;
	sigemptyset(&cancel);
	sigaddset(&cancel, OFFLOAD_CANCEL_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &cancel, NULL);
	if (__atomic_load_n(&o->cancel, __ATOMIC_SEQ_CST))
		o->result = -EINTR;
	else
		o->result = o->fn(o->arg);
	pthread_sigmask(SIG_BLOCK, &cancel, NULL);
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

/* Ask the helper's call to end with EINTR. */
static void offload_cancel(struct offload *o)
{
	o->cancel_sent = true;
	__atomic_store_n(&o->cancel, 1, __ATOMIC_SEQ_CST);
	int tid = __atomic_load_n(&o->tid, __ATOMIC_SEQ_CST);
	if (tid > 0)
		syscall(SYS_tgkill, getpid(), tid, OFFLOAD_CANCEL_SIGNAL);
}

static long offload_call(struct task *t, long (*fn)(void *), void *arg, bool interruptible)
{
	struct offload *o = t->call.offload;
	if (!o) {
		long rc = offload_start(t, fn, arg);
		return rc != 0 ? rc : offload_wait(t, t->call.offload);
	}
	uint64_t done;
	if (read(o->efd, &done, sizeof(done)) != sizeof(done)) {
		if (interruptible && t->call.interrupted && !o->cancel_sent)
			offload_cancel(o);
		return offload_wait(t, o);
	}
	long result = o->result;
	bool cancelled = o->cancel_sent;
	close(o->efd);
	free(o);
	t->call.offload = NULL;
	if (cancelled && result == -EINTR) {
		t->call.interrupted = true;
		return SYSRET_RESTARTSYS;
	}
	return result;
}

void offload_abandon(struct task *t)
{
	struct offload *o = t->call.offload;
	if (!o)
		return;
	/* The helper still writes its result to o and the eventfd, so both
	 * are left to it: a small leak per abandoned call. */
	if (!o->cancel_sent)
		offload_cancel(o);
	t->call.offload = NULL;
}

long task_offload(struct task *t, long (*fn)(void *), void *arg)
{
	return offload_call(t, fn, arg, false);
}

long task_offload_interruptible(struct task *t, long (*fn)(void *), void *arg)
{
	return offload_call(t, fn, arg, true);
}
