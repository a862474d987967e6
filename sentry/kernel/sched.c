/* Scheduling: blocking syscalls without stalling the sentry.
 *
 * The sentry is one thread, so no handler may wait on the host. A handler
 * tries its operation without blocking; if it would have to wait, it records
 * what for in t->block (host fds to poll, a deadline, a child, a futex word,
 * a signal) and returns SYSRET_BLOCK. The task's stub stays stopped at its
 * syscall. When the condition may have changed, the task is woken and the
 * same handler runs again with the same arguments (t->call.retry is set),
 * until it completes. A signal for a blocked task wakes it with
 * t->call.interrupted set, and the next attempt to block returns
 * SYSRET_RESTARTSYS instead, which becomes EINTR or a restart (SA_RESTART)
 * when the signal is delivered. What a call keeps across its attempts is in
 * t->call (struct syscall_call), zeroed when the call starts and ends.
 *
 * The loop: tasks woken by other tasks run first; then, if no task waits on
 * a host fd or a deadline, the sentry blocks in waitpid() for the next stub
 * stop (the fast path: one host call per program syscall). Otherwise it polls
 * the waited fds together with a signalfd for SIGCHLD (stub stops), with the
 * nearest deadline as timeout. A control channel's fds
 * (kernel_hooks.service_fds) are in that poll; on the fast path they are
 * looked at every SERVICE_EVERY stops and whenever waitpid is interrupted
 * (the channel's tick, sentry/control/control.c), so that the channel is
 * served however busy or idle the sandbox is.
 *
 * Pause (kernel_freeze): woken tasks are not run and stops are parked
 * unhandled, so no program code runs and no signal is delivered until
 * kernel_thaw handles them in order.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <time.h>

#include "sentry/kernel/kernel.h"

static struct timespec now_mono(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts;
}

static bool ts_before(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec < b->tv_sec || (a->tv_sec == b->tv_sec && a->tv_nsec < b->tv_nsec);
}

static struct timespec ts_add(struct timespec a, const struct timespec *b)
{
	a.tv_sec += b->tv_sec;
	a.tv_nsec += b->tv_nsec;
	if (a.tv_nsec >= 1000000000L) {
		a.tv_sec++;
		a.tv_nsec -= 1000000000L;
	}
	return a;
}

bool task_deadline(struct task *t, const struct timespec *rel, bool absolute, clockid_t clk)
{
	if (!rel) {
		t->call.deadline_set = false;
		return false;
	}
	if (!t->call.retry || !t->call.deadline_set) {
		struct timespec base = now_mono();
		if (absolute) {
			/* Convert an absolute time on `clk` to CLOCK_MONOTONIC. */
			struct timespec on_clk;
			clock_gettime(clk, &on_clk);
			int64_t ns = (rel->tv_sec - on_clk.tv_sec) * 1000000000LL +
				     (rel->tv_nsec - on_clk.tv_nsec);
			if (ns < 0)
				ns = 0;
			struct timespec d = {ns / 1000000000LL, ns % 1000000000LL};
			t->call.deadline = ts_add(base, &d);
		} else {
			t->call.deadline = ts_add(base, rel);
		}
		t->call.deadline_set = true;
	}
	return task_deadline_passed(t);
}

bool task_deadline_passed(struct task *t)
{
	if (!t->call.deadline_set)
		return false;
	struct timespec now = now_mono();
	return !ts_before(&now, &t->call.deadline);
}

/* The list of tasks blocked on host fds: the loop polls only theirs. */
static void fdw_add(struct task *t)
{
	struct sentry *s = t->s;
	if (t->on_fdw)
		return;
	s->pollset_dirty = true;
	t->fdw_prev = NULL;
	t->fdw_next = s->fd_waiters;
	if (s->fd_waiters)
		s->fd_waiters->fdw_prev = t;
	s->fd_waiters = t;
	t->on_fdw = true;
}

static void fdw_remove(struct task *t)
{
	if (!t->on_fdw)
		return;
	t->s->pollset_dirty = true;
	if (t->fdw_prev)
		t->fdw_prev->fdw_next = t->fdw_next;
	else
		t->s->fd_waiters = t->fdw_next;
	if (t->fdw_next)
		t->fdw_next->fdw_prev = t->fdw_prev;
	t->fdw_prev = t->fdw_next = NULL;
	t->on_fdw = false;
}

static void ready_remove(struct task *t)
{
	struct sentry *s = t->s;
	if (!t->on_ready)
		return;
	if (t->ready_prev)
		t->ready_prev->ready_next = t->ready_next;
	else
		s->ready_head = t->ready_next;
	if (t->ready_next)
		t->ready_next->ready_prev = t->ready_prev;
	else
		s->ready_tail = t->ready_prev;
	t->ready_prev = t->ready_next = NULL;
	t->on_ready = false;
}

void task_make_ready(struct task *t)
{
	struct sentry *s = t->s;
	t->state = TASK_READY;
	if (t->on_fdw)
		s->pollset_dirty = true; /* its fds leave the poll set */
	if (t->on_ready)
		return;
	t->ready_next = NULL;
	t->ready_prev = s->ready_tail;
	if (s->ready_tail)
		s->ready_tail->ready_next = t;
	else
		s->ready_head = t;
	s->ready_tail = t;
	t->on_ready = true;
}

static void clear_block(struct task *t)
{
	free(t->block.fds);
	free(t->block.futex_v);
	t->block = (struct block){0};
	fdw_remove(t);
	deadline_cancel(&t->s->deadlines, &t->wait_dl);
}

void sched_forget(struct task *t)
{
	clear_block(t);
	ready_remove(t);
}

long task_block(struct task *t, enum block_kind kind)
{
	/* A signal already interrupted this syscall, or one that may be
	 * delivered is pending (a temporary mask let it in): do not wait.
	 * vfork and job-control waits only end for SIGKILL or SIGCONT;
	 * BLOCK_SIGNAL waits decide for themselves. */
	if (kind != BLOCK_VFORK && kind != BLOCK_STOPPED && kind != BLOCK_SIGNAL &&
	    !t->call.interrupted && signal_deliverable(t))
		t->call.interrupted = true;
	if (t->call.interrupted)
		return SYSRET_RESTARTSYS;
	if (kind != BLOCK_FD)
		clear_block(t);
	t->block.kind = kind;
	t->block.has_deadline = t->call.deadline_set;
	t->block.deadline = t->call.deadline;
	t->state = TASK_BLOCKED;
	if (kind == BLOCK_FD) {
		fdw_add(t);
		t->s->pollset_dirty = true; /* its fds may be new (poll, select) */
	}
	if (t->block.has_deadline) {
		t->wait_dl.kind = DEADLINE_WAIT;
		t->wait_dl.owner = t;
		deadline_arm(&t->s->deadlines, &t->wait_dl, &t->block.deadline);
	} else {
		deadline_cancel(&t->s->deadlines, &t->wait_dl);
	}
	return SYSRET_BLOCK;
}

long task_block_fd(struct task *t, int host_fd, short events)
{
	if (t->call.interrupted)
		return SYSRET_RESTARTSYS;
	clear_block(t);
	t->block.fds = xcalloc(1, sizeof(struct pollfd));
	t->block.fds[0] = (struct pollfd){.fd = host_fd, .events = events};
	t->block.nfds = 1;
	return task_block(t, BLOCK_FD);
}

void task_wake(struct task *t)
{
	if (t->state == TASK_BLOCKED)
		task_make_ready(t);
}

int task_wake_all(struct sentry *s, enum block_kind kind, int max)
{
	int n = 0;
	for (struct task *t = s->tasks; t && n < max; t = t->next) {
		if (t->state != TASK_BLOCKED || t->block.kind != kind)
			continue;
		task_make_ready(t);
		n++;
	}
	return n;
}

void task_resume(struct task *t, long ret)
{
	clear_block(t);
	bool was_syscall = t->in_syscall;
	t->state = TASK_RUNNING;
	t->in_syscall = false;
	t->call = (struct syscall_call){0}; /* the call (if any) is over */
	enum deliver_result r = signal_deliver_pending(t, was_syscall, &ret);
	if (r == DELIVER_GONE)
		return;
	if (t->proc->stopped) {
		/* Job-control stop: the task waits without running. */
		t->pending_result = ret;
		t->pending_result_set = r == DELIVER_SET_RESULT;
		t->state = TASK_BLOCKED;
		t->block.kind = BLOCK_STOPPED;
		return;
	}
	platform_resume(t->th, r == DELIVER_SET_RESULT, ret);
}

void task_continue(struct task *t)
{
	t->in_syscall = false;
	task_resume(t, SYSRET_REGS);
}

void task_kick(struct task *t)
{
	if (t->state == TASK_RUNNING && !t->in_syscall)
		platform_kick(t->th);
}

/* Run the syscalls of woken tasks again, in the order they were woken. A
 * queued task whose state changed since (it was resumed, or blocked again)
 * is dropped. */
static bool run_ready(struct sentry *s)
{
	bool ran = false;
	while (!s->frozen && !s->finished && s->ready_head) {
		struct task *t = s->ready_head;
		ready_remove(t);
		if (t->state != TASK_READY)
			continue;
		t->call.retry = true;
		t->state = TASK_RUNNING;
		sentry_run_syscall(t);
		ran = true;
	}
	return ran;
}

/* A deadline passed: hand it to its owner. */
static void expire_one(struct deadline *d, const struct timespec *now)
{
	switch (d->kind) {
	case DEADLINE_WAIT: {
		struct task *t = d->owner;
		if (t->state == TASK_BLOCKED && t->block.has_deadline)
			task_make_ready(t);
		break;
	}
	case DEADLINE_ALARM:
		process_alarm_expired(d->owner, now);
		break;
	case DEADLINE_TIMER:
	default:
		ptimer_expired(d->owner, d->id, now);
		break;
	}
}

/* Expire what is due (deadline.c's heap: only what expired is looked
 * at); returns the nearest remaining deadline. */
static bool expire_deadlines(struct sentry *s, struct timespec *nearest)
{
	struct timespec now = now_mono();
	struct deadline *d;
	while ((d = deadline_first(&s->deadlines)) && !ts_before(&now, &d->when)) {
		deadline_cancel(&s->deadlines, d);
		expire_one(d, &now);
	}
	if (!d)
		return false;
	*nearest = d->when;
	return true;
}

/* Tasks woken earlier in the pass have run (run_ready) before the loop
 * asks, so a task still on the list is one that waits. */
static bool any_fd_waiters(struct sentry *s)
{
	return s->fd_waiters != NULL;
}

#define SERVICE_FDS_MAX 72
#define POLL_HEAD	(2 + SERVICE_FDS_MAX)

/* The poll set: pfds[0] the SIGCHLD signalfd, pfds[1] the platform's
 * wakeup fd (systrap: reports that raise no SIGCHLD), then SERVICE_FDS_MAX slots
 * for the service fds (unused ones -1, which poll skips), then the fds of
 * every task blocked on host fds, in fd_waiters order. The waiters' part
 * is kept across passes and rebuilt only when a task joined, left or was
 * woken (s->pollset_dirty): a pass does not walk a thousand waiters that
 * did not change. */
static void fill_pollfds(struct sentry *s, int *n_service)
{
	if (s->pollset_dirty || !s->pollset) {
		int n = POLL_HEAD;
		for (struct task *t = s->fd_waiters; t; t = t->fdw_next)
			if (t->state == TASK_BLOCKED)
				n += t->block.nfds;
		if (n > s->pollset_cap) {
			s->pollset_cap = n * 2;
			s->pollset =
			    xrealloc(s->pollset, (size_t)s->pollset_cap * sizeof(*s->pollset));
		}
		int k = POLL_HEAD;
		for (struct task *t = s->fd_waiters; t; t = t->fdw_next)
			if (t->state == TASK_BLOCKED)
				for (int i = 0; i < t->block.nfds; i++)
					s->pollset[k++] = t->block.fds[i];
		s->pollset_n = k;
		s->pollset_dirty = false;
	}
	struct pollfd *pfds = s->pollset;
	pfds[0] = (struct pollfd){.fd = s->sigchld_fd, .events = POLLIN};
	pfds[1] = (struct pollfd){.fd = platform_wakeup_fd(s->platform), .events = POLLIN};
	*n_service = s->control ? s->hooks->service_fds(s, pfds + 2, SERVICE_FDS_MAX) : 0;
	for (int i = 2 + *n_service; i < POLL_HEAD; i++)
		pfds[i] = (struct pollfd){.fd = -1};
}

/* After a poll: wake the waiters whose fds are ready; stop once all
 * `ready` ready entries are accounted for (usually none: a stub stop). */
static void wake_fd_waiters(struct sentry *s, int ready)
{
	const struct pollfd *pfds = s->pollset;
	int k = POLL_HEAD;
	for (struct task *t = s->fd_waiters; t && ready > 0; t = t->fdw_next) {
		if (t->state != TASK_BLOCKED)
			continue;
		bool any = false;
		for (int i = 0; i < t->block.nfds; i++, k++)
			if (pfds[k].revents) {
				any = true;
				ready--;
			}
		if (any)
			task_make_ready(t);
	}
}

static void poll_waiters(struct sentry *s, const struct timespec *nearest, bool have_deadline)
{
	int n_service;
	fill_pollfds(s, &n_service);
	struct pollfd *pfds = s->pollset;
	struct timespec timeout, *tp = NULL;
	if (have_deadline) {
		struct timespec now = now_mono();
		int64_t ns = (nearest->tv_sec - now.tv_sec) * 1000000000LL +
			     (nearest->tv_nsec - now.tv_nsec);
		if (ns < 0)
			ns = 0;
		timeout = (struct timespec){ns / 1000000000LL, ns % 1000000000LL};
		tp = &timeout;
	}
	/* Signals sent to msentry itself are not blocked: they interrupt ppoll. */
	int rc = ppoll(pfds, (nfds_t)s->pollset_n, tp, NULL);
	if (rc <= 0)
		return;
	int head_ready = 0;
	for (int i = 0; i < POLL_HEAD; i++)
		head_ready += pfds[i].revents != 0;
	wake_fd_waiters(s, rc - head_ready);
	if (pfds[0].revents) {
		struct signalfd_siginfo si;
		while (read(s->sigchld_fd, &si, sizeof(si)) == sizeof(si))
			;
	}
	/* Last: serving may add or end tasks. Copied: serving may also
	 * change the poll set. */
	if (n_service > 0) {
		struct pollfd service[SERVICE_FDS_MAX];
		memcpy(service, pfds + 2, (size_t)n_service * sizeof(*service));
		s->hooks->service_ready(s, service, n_service);
	}
}

/* A busy sandbox may always have a stop ready, so the loop would never
 * reach its poll: look at the service fds (without waiting) every so many
 * stops. */
#define SERVICE_EVERY 64

static void poll_service(struct sentry *s)
{
	struct pollfd pfds[SERVICE_FDS_MAX];
	int n = s->hooks->service_fds(s, pfds, SERVICE_FDS_MAX);
	if (n > 0 && poll(pfds, (nfds_t)n, 0) > 0)
		s->hooks->service_ready(s, pfds, n);
}

void kernel_freeze(struct sentry *s)
{
	if (s->frozen)
		return;
	s->frozen = true;
	/* Running tasks stop at the kick; their stops are parked. Blocked
	 * ones are stopped already. */
	for (struct task *t = s->tasks; t; t = t->next)
		task_kick(t);
}

void kernel_thaw(struct sentry *s)
{
	if (!s->frozen)
		return;
	s->frozen = false;
	/* Handle the parked stops in their order; a handler may end tasks,
	 * which sentry_handle_stop tolerates (unknown tid). */
	struct stop *parked = s->parked;
	size_t n = s->n_parked;
	s->parked = NULL;
	s->n_parked = s->cap_parked = 0;
	for (size_t i = 0; i < n && !s->finished; i++)
		sentry_handle_stop(s, &parked[i]);
	free(parked);
	/* A SIGCONT while paused let job-control-stopped processes go on. */
	if (!s->finished)
		signal_thaw_continued(s, NULL);
}

static void park_stop(struct sentry *s, const struct stop *st)
{
	if (s->n_parked == s->cap_parked) {
		s->cap_parked = s->cap_parked ? 2 * s->cap_parked : 16;
		s->parked = xrealloc(s->parked, s->cap_parked * sizeof(*s->parked));
	}
	s->parked[s->n_parked++] = *st;
}

void sentry_loop(struct sentry *s)
{
	unsigned stops = 0;
	while (!s->finished) {
		sentry_take_host_signals(s);
		if (run_ready(s))
			continue;
		struct timespec nearest = {0};
		bool have_deadline = expire_deadlines(s, &nearest);
		if (run_ready(s))
			continue;
		struct stop st;
		bool must_poll = have_deadline || any_fd_waiters(s) || s->frozen;
		int rc = platform_wait(s->platform, &st, must_poll);
		if (rc == 0) {
			platform_tick(s->platform, st.tid);
			if (s->frozen)
				park_stop(s, &st);
			else
				sentry_handle_stop(s, &st);
			if (s->control && ++stops % SERVICE_EVERY == 0)
				poll_service(s);
			continue;
		}
		if (rc == -ECHILD)
			break;
		if (rc == -EAGAIN)
			poll_waiters(s, &nearest, have_deadline);
		else if (rc == -EINTR && s->control)
			poll_service(s);
	}
}
