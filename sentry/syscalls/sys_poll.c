/* Polling: poll, ppoll, select, pselect6 and epoll.
 *
 * Every program fd the sentry serves is backed by a host fd (a signalfd by
 * its readiness eventfd, see sys_event.c), so readiness is the host's: a
 * handler translates the program's fds to host fds and asks the host with a
 * zero timeout. If nothing is ready and the program is willing to wait, the
 * task blocks on all those host fds at once, with the call's timeout as its
 * deadline (sched.c), and the handler runs again when one of them becomes
 * ready, the deadline passes or a signal arrives (EINTR, as Linux returns
 * for these calls whatever SA_RESTART says).
 *
 * A program epoll instance is a host epoll fd owned by the sentry: epoll_ctl
 * registers the host fd behind the program's fd with the program's event
 * unchanged (its data field comes back as is), and the host epoll fd is
 * itself pollable, which is what a blocked epoll_wait waits on. Since the
 * host keys registrations by file description, closing the last program fd
 * of a file removes it from the epoll sets, as in Linux.
 *
 * EPOLLEXCLUSIVE (wake one waiter of several epoll instances watching one
 * file) is the host's too, but the host wakes one *epoll_wait* only: an
 * instance whose waiter is a poll() of its fd (as the sentry's loop polls)
 * takes the event whatever the others do, so every instance would wake.
 * An instance that has had an exclusive registration is therefore waited
 * on by a real epoll_wait on a helper thread (task_offload_interruptible):
 * the host then hands the event to one of them, as Linux does; a signal
 * cancels that wait (EINTR), and events it got first are returned.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/personality.h>
#include <sys/select.h>
#include <time.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

/* What a file that cannot block (directory listing) reports. */
#define ALWAYS_READY (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM)
/* select's sets in poll terms (the kernel's POLLIN_SET...). */
#define SELECT_IN  (POLLIN | POLLRDNORM | POLLRDBAND | POLLHUP | POLLERR)
#define SELECT_OUT (POLLOUT | POLLWRNORM | POLLWRBAND | POLLERR)
#define SELECT_EX  (POLLPRI)

/* ---- shared by every call ---- */

/* What poll and select report for program file f from the host's revents
 * of its poll fd: the host's, but for a watched mounts file
 * (kernel/mount-watch.c). */
static short host_revents(struct task *t, struct file *f, const struct pollfd *host)
{
	if (!f || !f->mwatch)
		return host->revents;
	/* Only what was asked for, and the conditions always reported. */
	short rev = mount_watch_revents(t->s, f, host->revents);
	return (short)(rev & (host->events | POLLERR | POLLHUP | POLLNVAL));
}

/* The sigmask argument of ppoll/pselect6/epoll_pwait: installed on the
 * first attempt, restored when the call ends (after a handler if it ends
 * with EINTR), as rt_sigsuspend does. 0 or -errno. */
static int install_sigmask(struct task *t, uint64_t addr, uint64_t size)
{
	if (!addr || t->call.retry)
		return 0;
	if (size != sizeof(uint64_t))
		return -EINVAL;
	uint64_t mask;
	if (task_read(t, addr, &mask, sizeof(mask)) != 0)
		return -EFAULT;
	t->saved_sigmask = t->sigmask;
	t->restore_sigmask = true;
	t->sigmask = mask & ~SIG_UNBLOCKABLE;
	return 0;
}

/* A signal the call must end for: one that woke the task, or one already
 * pending that the call's temporary mask unblocked. */
static bool signal_ends_wait(struct task *t)
{
	return t->call.interrupted || (t->restore_sigmask && signal_deliverable(t));
}

/* Nothing was ready: wait for any of the host fds `host` (taken), the
 * deadline already armed, or a signal. */
static long wait_on(struct task *t, struct pollfd *host, int n)
{
	if (n == 0) {
		free(host);
		return task_block(t, BLOCK_SLEEP);
	}
	free(t->block.fds);
	t->block.fds = host;
	t->block.nfds = n;
	return task_block(t, BLOCK_FD);
}

/* poll and select with nothing ready and time left: wait on `host` (taken)
 * and return true with *result set (SYSRET_BLOCK, or -EINTR when a signal
 * ends the call); false: answer now (host is freed). */
static bool wait_if_idle(struct task *t, int ready, const struct timespec *timeout,
			 struct pollfd *host, int nhost, long *result)
{
	bool zero = timeout && timeout->tv_sec == 0 && timeout->tv_nsec == 0;
	if (ready == 0 && !zero && !task_deadline(t, timeout, false, CLOCK_MONOTONIC)) {
		if (signal_ends_wait(t)) {
			free(host);
			*result = -EINTR;
		} else {
			*result = wait_on(t, host, nhost);
		}
		return true;
	}
	free(host);
	return false;
}

static int read_timespec(struct task *t, uint64_t addr, struct timespec *ts)
{
	if (task_read(t, addr, ts, sizeof(*ts)) != 0)
		return -EFAULT;
	if (ts->tv_sec < 0 || ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return -EINVAL;
	return 0;
}

/* The timeout and temporary signal mask of ppoll and epoll_pwait2, in
 * that order (a bad timeout leaves the mask alone). *tsp: NULL for none. */
static int timeout_and_mask(struct task *t, uint64_t ts_addr, uint64_t mask_addr,
			    uint64_t mask_size, struct timespec *ts, struct timespec **tsp)
{
	*tsp = NULL;
	if (ts_addr) {
		int rc = read_timespec(t, ts_addr, ts);
		if (rc != 0)
			return rc;
		*tsp = ts;
	}
	return install_sigmask(t, mask_addr, mask_size);
}

/* Time left before the deadline, for the timeout write-back of
 * select and ppoll. */
/* personality(STICKY_TIMEOUTS): select, pselect6 and ppoll leave the
 * timeout as given, as Linux's poll_select_finish. */
static bool sticky_timeouts(const struct task *t)
{
	return (t->proc->personality & STICKY_TIMEOUTS) != 0;
}

static struct timespec remaining(struct task *t)
{
	struct timespec now, left = {0, 0};
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ns = (t->call.deadline.tv_sec - now.tv_sec) * 1000000000LL +
		     (t->call.deadline.tv_nsec - now.tv_nsec);
	if (t->call.deadline_set && ns > 0)
		left = (struct timespec){ns / 1000000000LL, ns % 1000000000LL};
	return left;
}

/* ---- poll ---- */

/* Fill in `pfds[i].revents` for the program's pollfds from one host poll
 * with zero timeout. `host` (n entries) receives the host pollfds to wait
 * on, `nhost` their number. Returns the number of ready entries. */
static int poll_scan(struct task *t, struct pollfd *pfds, int n, struct pollfd *host, int *nhost)
{
	cleanup_free int *map = xcalloc((size_t)n + 1, sizeof(int));
	int k = 0;
	for (int i = 0; i < n; i++) {
		pfds[i].revents = 0;
		if (pfds[i].fd < 0)
			continue;
		struct file *f = fd_lookup(t, pfds[i].fd);
		if (!f) {
			pfds[i].revents = POLLNVAL;
			continue;
		}
		if (f->host_fd < 0) {
			pfds[i].revents = (short)(pfds[i].events & ALWAYS_READY);
			continue;
		}
		if (f->kind == FILE_SIGNALFD)
			signalfd_sync(t, f);
		host[k] = (struct pollfd){.fd = file_poll_fd(f), .events = pfds[i].events};
		map[k++] = i;
	}
	if (k > 0 && poll(host, (nfds_t)k, 0) < 0)
		k = 0; /* cannot fail on valid fds; treat as nothing ready */
	for (int j = 0; j < k; j++)
		pfds[map[j]].revents = host_revents(t, fd_lookup(t, pfds[map[j]].fd), &host[j]);
	*nhost = k;
	int ready = 0;
	for (int i = 0; i < n; i++)
		ready += pfds[i].revents != 0;
	return ready;
}

static long poll_common(struct task *t, uint64_t addr, uint64_t nfds,
			const struct timespec *timeout)
{
	if (nfds > t->proc->rlim[RLIMIT_NOFILE].rlim_cur || nfds > INT_MAX / 2)
		return -EINVAL;
	int n = (int)nfds;
	cleanup_free struct pollfd *pfds = xcalloc((size_t)n + 1, sizeof(*pfds));
	if (n && task_read(t, addr, pfds, (size_t)n * sizeof(*pfds)) != 0)
		return -EFAULT;
	struct pollfd *host = xcalloc((size_t)n + 1, sizeof(*host));
	int nhost = 0;
	int ready = poll_scan(t, pfds, n, host, &nhost);
	long waited;
	if (wait_if_idle(t, ready, timeout, host, nhost, &waited))
		return waited;
	if (n && task_write(t, addr, pfds, (size_t)n * sizeof(*pfds)) != 0)
		return -EFAULT;
	return ready;
}

SYSCALL_HANDLER(poll)
{
	int ms = (int)a[2];
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	return poll_common(t, a[0], a[1], ms < 0 ? NULL : &ts);
}

SYSCALL_HANDLER(ppoll)
{
	struct timespec ts, *tsp;
	int rc = timeout_and_mask(t, a[2], a[3], a[4], &ts, &tsp);
	if (rc != 0)
		return rc;
	long r = poll_common(t, a[0], a[1], tsp);
	/* Linux writes the time left back (ready or interrupted); before any
	 * wait was armed that is the whole timeout. */
	if (tsp && (r >= 0 || r == -EINTR) && !sticky_timeouts(t)) {
		bool zero = ts.tv_sec == 0 && ts.tv_nsec == 0;
		struct timespec left = zero || !t->call.deadline_set ? ts : remaining(t);
		(void)task_write(t, a[2], &left, sizeof(left));
	}
	return r;
}

/* ---- select ---- */

struct fdsets {
	int nfds;
	size_t bytes;
	uint64_t *in, *out, *ex; /* NULL: not given */
};

static void fdsets_free(struct fdsets *s)
{
	free(s->in);
	free(s->out);
	free(s->ex);
}
#define cleanup_fdsets __attribute__((cleanup(fdsets_free)))

static int read_set(struct task *t, uint64_t addr, size_t bytes, uint64_t **out)
{
	*out = NULL;
	if (!addr)
		return 0;
	*out = xcalloc(1, bytes ? bytes : 8);
	return task_read(t, addr, *out, bytes) == 0 ? 0 : -EFAULT;
}

static bool bit(const uint64_t *set, int fd)
{
	return set && (set[fd / 64] >> (fd % 64)) & 1;
}

static void set_bit(uint64_t *set, int fd)
{
	set[fd / 64] |= 1ULL << (fd % 64);
}

/* Poll the fds in the sets; on readiness rewrite the sets in place. `host`
 * receives the host pollfds to wait on. Returns the number of bits set,
 * or -EBADF. */
static int select_scan(struct task *t, struct fdsets *s, struct pollfd *host, int *nhost)
{
	cleanup_free int *map = xcalloc((size_t)s->nfds + 1, sizeof(int));
	cleanup_free short *revents = xcalloc((size_t)s->nfds + 1, sizeof(short));
	int k = 0;
	for (int fd = 0; fd < s->nfds; fd++) {
		short events =
		    (short)((bit(s->in, fd) ? POLLIN : 0) | (bit(s->out, fd) ? POLLOUT : 0) |
			    (bit(s->ex, fd) ? POLLPRI : 0));
		if (!events)
			continue;
		struct file *f = fd_lookup(t, fd);
		if (!f)
			return -EBADF;
		if (f->host_fd < 0) {
			revents[fd] = ALWAYS_READY;
			continue;
		}
		if (f->kind == FILE_SIGNALFD)
			signalfd_sync(t, f);
		host[k] = (struct pollfd){.fd = file_poll_fd(f), .events = events};
		map[k++] = fd;
	}
	if (k > 0 && poll(host, (nfds_t)k, 0) < 0)
		k = 0;
	for (int j = 0; j < k; j++)
		revents[map[j]] = host_revents(t, fd_lookup(t, map[j]), &host[j]);
	*nhost = k;
	int ready = 0;
	size_t words = s->bytes / 8;
	uint64_t *in = xcalloc(words + 1, 8), *out = xcalloc(words + 1, 8),
		 *ex = xcalloc(words + 1, 8);
	for (int fd = 0; fd < s->nfds; fd++) {
		if (bit(s->in, fd) && (revents[fd] & SELECT_IN))
			set_bit(in, fd), ready++;
		if (bit(s->out, fd) && (revents[fd] & SELECT_OUT))
			set_bit(out, fd), ready++;
		if (bit(s->ex, fd) && (revents[fd] & SELECT_EX))
			set_bit(ex, fd), ready++;
	}
	if (s->in)
		memcpy(s->in, in, s->bytes);
	if (s->out)
		memcpy(s->out, out, s->bytes);
	if (s->ex)
		memcpy(s->ex, ex, s->bytes);
	free(in);
	free(out);
	free(ex);
	return ready;
}

static int write_sets(struct task *t, const struct fdsets *s, const uint64_t *addrs)
{
	const uint64_t *sets[3] = {s->in, s->out, s->ex};
	for (int i = 0; i < 3; i++)
		if (addrs[i] && task_write(t, addrs[i], sets[i], s->bytes) != 0)
			return -EFAULT;
	return 0;
}

/* select and pselect6. `ts_addr`/`is_timeval`: where the timeout is, so
 * the time left can be written back as Linux does. */
static long select_common(struct task *t, const uint64_t *a, const struct timespec *timeout,
			  bool is_timeval)
{
	int nfds = (int)a[0];
	if (nfds < 0)
		return -EINVAL;
	/* Bits beyond the open fds are checked too (EBADF), up to the limit. */
	rlim_t limit = t->proc->rlim[RLIMIT_NOFILE].rlim_cur;
	if ((rlim_t)nfds > limit)
		nfds = limit > 65536 ? 65536 : (int)limit;
	cleanup_fdsets struct fdsets s = {.nfds = nfds, .bytes = (size_t)(nfds + 63) / 64 * 8};
	if (read_set(t, a[1], s.bytes, &s.in) || read_set(t, a[2], s.bytes, &s.out) ||
	    read_set(t, a[3], s.bytes, &s.ex))
		return -EFAULT;
	struct pollfd *host = xcalloc((size_t)nfds + 1, sizeof(*host));
	int nhost = 0;
	int ready = select_scan(t, &s, host, &nhost);
	long waited;
	if (wait_if_idle(t, ready, timeout, host, nhost, &waited))
		return waited;
	if (ready < 0)
		return ready;
	if (write_sets(t, &s, a + 1) != 0)
		return -EFAULT;
	if (timeout && a[4] && !sticky_timeouts(t)) {
		bool zero = timeout->tv_sec == 0 && timeout->tv_nsec == 0;
		struct timespec left = zero ? (struct timespec){0, 0} : remaining(t);
		struct timeval tv = {left.tv_sec, left.tv_nsec / 1000};
		if (is_timeval)
			(void)task_write(t, a[4], &tv, sizeof(tv));
		else
			(void)task_write(t, a[4], &left, sizeof(left));
	}
	return ready;
}

SYSCALL_HANDLER(select)
{
	struct timespec ts;
	if (a[4]) {
		struct timeval tv;
		if (task_read(t, a[4], &tv, sizeof(tv)) != 0)
			return -EFAULT;
		if (tv.tv_sec < 0 || tv.tv_usec < 0)
			return -EINVAL;
		/* Linux normalises oversized microseconds rather than failing. */
		ts.tv_sec = tv.tv_sec + tv.tv_usec / 1000000;
		ts.tv_nsec = (tv.tv_usec % 1000000) * 1000;
	}
	return select_common(t, a, a[4] ? &ts : NULL, true);
}

SYSCALL_HANDLER(pselect6)
{
	struct timespec ts;
	if (a[4]) {
		int rc = read_timespec(t, a[4], &ts);
		if (rc != 0)
			return rc;
	}
	if (a[5]) {
		/* The sixth argument points to {const sigset_t *ss; size_t ss_len}. */
		uint64_t sig[2];
		if (task_read(t, a[5], sig, sizeof(sig)) != 0)
			return -EFAULT;
		int rc = install_sigmask(t, sig[0], sig[1]);
		if (rc != 0)
			return rc;
	}
	return select_common(t, a, a[4] ? &ts : NULL, false);
}

/* ---- epoll ---- */

static long epoll_new(struct task *t, int flags)
{
	if (flags & ~EPOLL_CLOEXEC)
		return -EINVAL;
	int fd = epoll_create1(EPOLL_CLOEXEC);
	if (fd < 0)
		return -errno;
	fcntl(fd, F_SETFL, O_NONBLOCK);
	/* Nonblocking like the sentry's pipes: read() on it fails at once
	 * (EINVAL) instead of waiting for readiness first. */
	return fd_install(t, file_new_nonblocking(fd, false), (flags & EPOLL_CLOEXEC) != 0, 0);
}

SYSCALL_HANDLER(epoll_create)
{
	if ((int)a[0] <= 0)
		return -EINVAL;
	return epoll_new(t, 0);
}

SYSCALL_HANDLER(epoll_create1)
{
	return epoll_new(t, (int)a[0]);
}

SYSCALL_HANDLER(epoll_ctl)
{
	int op = (int)a[1];
	struct file *ep = fd_lookup(t, (int)a[0]), *f = fd_lookup(t, (int)a[2]);
	if (!ep || !f)
		return -EBADF;
	if (ep == f || ep->host_fd < 0)
		return -EINVAL;
	if (f->host_fd < 0)
		return -EPERM; /* a synthetic directory: like a regular file */
	struct epoll_event ev = {0};
	if (op != EPOLL_CTL_DEL && task_read(t, a[3], &ev, sizeof(ev)) != 0)
		return -EFAULT;
	/* A mounts file's change is one edge (kernel/mount-watch.c). */
	if (f->mwatch && op != EPOLL_CTL_DEL)
		ev.events |= EPOLLET;
	if (epoll_ctl(ep->host_fd, op, file_poll_fd(f), &ev) != 0)
		return -errno;
	if (op == EPOLL_CTL_ADD && (ev.events & EPOLLEXCLUSIVE))
		ep->epoll_exclusive = true;
	return 0;
}

/* A wait on an instance with exclusive registrations, made on a helper:
 * it owns the struct until its epoll_wait returns. */
struct exclusive_wait {
	int epfd; /* a duplicate of the instance's host fd; -1 once the helper closed it */
	int max, ms;
	struct epoll_event ev[];
};

static long exclusive_wait_host(void *arg)
{
	struct exclusive_wait *w = arg;
	int n = epoll_wait(w->epfd, w->ev, w->max, w->ms);
	long rc = n < 0 ? -errno : n;
	close(w->epfd);
	w->epfd = -1; /* published with the result (offload.c) */
	return rc;
}

/* The blocking part of epoll_wait on such an instance: start the host
 * wait, or collect its result (SYSRET_BLOCK until it ends). */
static long exclusive_wait(struct task *t, struct file *ep, uint64_t events, int max,
			   const struct timespec *timeout)
{
	struct exclusive_wait *w = t->call.offload_arg;
	if (!w) {
		int fd = fcntl(ep->host_fd, F_DUPFD_CLOEXEC, 0);
		if (fd < 0)
			return -errno;
		long ms = -1;
		if (timeout) {
			ms = timeout->tv_sec * 1000 + (timeout->tv_nsec + 999999) / 1000000;
			ms = timeout->tv_sec > INT_MAX / 1000 || ms > INT_MAX ? INT_MAX : ms;
		}
		w = xmalloc(sizeof(*w) + (size_t)max * sizeof(struct epoll_event));
		*w = (struct exclusive_wait){.epfd = fd, .max = max, .ms = (int)ms};
		t->call.offload_arg = w;
	}
	long rc = task_offload_interruptible(t, exclusive_wait_host, w);
	if (rc == SYSRET_BLOCK)
		return rc;
	if (w->epfd >= 0) /* the helper never started */
		close(w->epfd);
	t->call.offload_arg = NULL;
	if (rc > 0 && task_write(t, events, w->ev, (size_t)rc * sizeof(struct epoll_event)) != 0)
		rc = -EFAULT;
	free(w);
	/* epoll_wait is never restarted after a handler (Linux: EINTR). */
	return rc == SYSRET_RESTARTSYS ? -EINTR : rc;
}

static long epoll_wait_common(struct task *t, int epfd, uint64_t events, int maxevents,
			      const struct timespec *timeout)
{
	struct file *ep = fd_lookup(t, epfd);
	if (!ep)
		return -EBADF;
	if (ep->host_fd < 0 || maxevents <= 0 ||
	    (size_t)maxevents > INT_MAX / sizeof(struct epoll_event))
		return -EINVAL;
	signalfd_sync_all(t);
	size_t cap = t->s->scratch_size / sizeof(struct epoll_event);
	int max = (size_t)maxevents < cap ? maxevents : (int)cap;
	if (t->call.offload_arg) /* a host wait of an exclusive instance went on */
		return exclusive_wait(t, ep, events, max, timeout);
	int n = epoll_wait(ep->host_fd, (struct epoll_event *)(void *)t->s->scratch, max, 0);
	if (n < 0)
		return -errno;
	if (n > 0) {
		size_t len = (size_t)n * sizeof(struct epoll_event);
		return task_write(t, events, t->s->scratch, len) == 0 ? n : -EFAULT;
	}
	bool zero = timeout && timeout->tv_sec == 0 && timeout->tv_nsec == 0;
	if (zero || (!ep->epoll_exclusive && task_deadline(t, timeout, false, CLOCK_MONOTONIC)))
		return 0;
	if (signal_ends_wait(t))
		return -EINTR;
	if (ep->epoll_exclusive)
		return exclusive_wait(t, ep, events, max, timeout);
	return task_block_fd(t, ep->host_fd, POLLIN);
}

static long epoll_wait_ms(struct task *t, const uint64_t *a)
{
	int ms = (int)a[3];
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
	return epoll_wait_common(t, (int)a[0], a[1], (int)a[2], ms < 0 ? NULL : &ts);
}

SYSCALL_HANDLER(epoll_wait)
{
	return epoll_wait_ms(t, a);
}

SYSCALL_HANDLER(epoll_pwait)
{
	int rc = install_sigmask(t, a[4], a[5]);
	return rc != 0 ? rc : epoll_wait_ms(t, a);
}

SYSCALL_HANDLER(epoll_pwait2)
{
	struct timespec ts, *tsp;
	int rc = timeout_and_mask(t, a[3], a[4], a[5], &ts, &tsp);
	return rc != 0 ? rc : epoll_wait_common(t, (int)a[0], a[1], (int)a[2], tsp);
}
