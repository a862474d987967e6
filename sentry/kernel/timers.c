/* POSIX per-process timers (timer_create and friends).
 *
 * Each process has a small table of timers kept as CLOCK_MONOTONIC expiry
 * times; the event loop's deadline scan (sched.c) fires them by queueing the
 * timer's signal with SI_TIMER information, to the process or, for
 * SIGEV_THREAD_ID (how glibc implements SIGEV_THREAD), to one thread. A
 * timer whose previous signal is still pending counts an overrun instead.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

#define SIGEV_THREAD_ID_K 4

/* The kernel's struct sigevent. */
struct k_sigevent {
	uint64_t value;
	int32_t signo;
	int32_t notify;
	int32_t tid;
	int32_t pad[11];
};

static int64_t ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
	return (struct timespec){ns / 1000000000LL, ns % 1000000000LL};
}

static struct ptimer *timer_of(struct task *t, uint64_t id)
{
	if (id >= PROCESS_TIMERS || !t->proc->timers[id].used)
		return NULL;
	return &t->proc->timers[id];
}

SYSCALL_HANDLER(timer_create)
{
	clockid_t clk = (clockid_t)a[0];
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME &&
	    clk != CLOCK_REALTIME_ALARM && clk != CLOCK_BOOTTIME_ALARM && clk != CLOCK_TAI)
		return -EINVAL; /* CPU-time clocks: see the table note */
	struct process *p = t->proc;
	int id = -1;
	for (int i = 0; i < PROCESS_TIMERS && id < 0; i++)
		if (!p->timers[i].used)
			id = i;
	if (id < 0)
		return -EAGAIN;
	struct k_sigevent ev = {.value = (uint64_t)id, .signo = SIGALRM, .notify = SIGEV_SIGNAL};
	if (a[1] && task_read(t, a[1], &ev, sizeof(ev)) != 0)
		return -EFAULT;
	if (ev.notify != SIGEV_SIGNAL && ev.notify != SIGEV_NONE && ev.notify != SIGEV_THREAD_ID_K)
		return -EINVAL;
	if (ev.notify != SIGEV_NONE && (ev.signo < 1 || ev.signo > 64))
		return -EINVAL;
	if (ev.notify == SIGEV_THREAD_ID_K) {
		struct task *target = task_by_tid(t->s, ev.tid);
		if (!target || target->proc != p)
			return -EINVAL;
	}
	int kid = id;
	if (task_write(t, a[2], &kid, sizeof(kid)) != 0)
		return -EFAULT;
	p->timers[id] = (struct ptimer){.used = true,
					.clk = clk,
					.signo = ev.signo,
					.notify = ev.notify,
					.tid = ev.tid,
					.value = ev.value};
	return 0;
}

static void timer_remaining(const struct ptimer *pt, struct itimerspec *out)
{
	memset(out, 0, sizeof(*out));
	if (!pt->armed)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t left = ts_ns(&pt->expiry) - ts_ns(&now);
	out->it_value = ns_ts(left > 1 ? left : 1);
	out->it_interval = pt->interval;
}

SYSCALL_HANDLER(timer_settime)
{
	struct ptimer *pt = timer_of(t, a[0]);
	if (!pt)
		return -EINVAL;
	struct itimerspec next, old;
	if (task_read(t, a[2], &next, sizeof(next)) != 0)
		return -EFAULT;
	if (next.it_value.tv_nsec < 0 || next.it_value.tv_nsec >= 1000000000L ||
	    next.it_interval.tv_nsec < 0 || next.it_interval.tv_nsec >= 1000000000L)
		return -EINVAL;
	timer_remaining(pt, &old);
	if (a[3] && task_write(t, a[3], &old, sizeof(old)) != 0)
		return -EFAULT;
	pt->interval = next.it_interval;
	pt->overrun = 0;
	pt->armed = ts_ns(&next.it_value) != 0;
	if (!pt->armed)
		return 0;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t delay = ts_ns(&next.it_value);
	if (a[1] & TIMER_ABSTIME) {
		struct timespec on_clk;
		clock_gettime(pt->clk, &on_clk);
		delay -= ts_ns(&on_clk);
	}
	pt->expiry = ns_ts(ts_ns(&now) + (delay > 0 ? delay : 0));
	return 0;
}

SYSCALL_HANDLER(timer_gettime)
{
	struct ptimer *pt = timer_of(t, a[0]);
	if (!pt)
		return -EINVAL;
	struct itimerspec cur;
	timer_remaining(pt, &cur);
	return task_write(t, a[1], &cur, sizeof(cur)) == 0 ? 0 : -EFAULT;
}

SYSCALL_HANDLER(timer_getoverrun)
{
	struct ptimer *pt = timer_of(t, a[0]);
	return pt ? pt->overrun : -EINVAL;
}

SYSCALL_HANDLER(timer_delete)
{
	struct ptimer *pt = timer_of(t, a[0]);
	if (!pt)
		return -EINVAL;
	*pt = (struct ptimer){0};
	return 0;
}

static void fire(struct sentry *s, struct process *p, int id, struct ptimer *pt)
{
	if (pt->notify == SIGEV_NONE)
		return;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = pt->signo;
	si.si_code = SI_TIMER;
	si.si_timerid = id;
	si.si_overrun = pt->overrun;
	si.si_value.sival_ptr = (void *)pt->value;
	struct task *target = pt->notify == SIGEV_THREAD_ID_K ? task_by_tid(s, pt->tid) : NULL;
	uint64_t bit = 1ULL << (pt->signo - 1);
	bool pending = ((target ? target->pending.set : 0) | p->pending.set) & bit;
	if (pending) {
		pt->overrun++;
		return;
	}
	pt->overrun = 0;
	if (target && target->proc == p)
		signal_send_task(target, pt->signo, &si);
	else
		signal_send_process(p, pt->signo, &si);
}

bool timers_check(struct sentry *s, const struct timespec *now, struct timespec *nearest, bool have)
{
	for (struct task *t = s->tasks; t; t = t->next) {
		struct process *p = t->proc;
		if (task_by_tid(s, p->pid) != t && p->nthreads > 0 && task_by_tid(s, p->pid))
			continue; /* visit each process once, through its main thread */
		for (int i = 0; i < PROCESS_TIMERS; i++) {
			struct ptimer *pt = &p->timers[i];
			if (!pt->used || !pt->armed)
				continue;
			if (ts_ns(&pt->expiry) <= ts_ns(now)) {
				fire(s, p, i, pt);
				int64_t iv = ts_ns(&pt->interval);
				if (iv > 0)
					pt->expiry = ns_ts(ts_ns(&pt->expiry) + iv *
						     ((ts_ns(now) - ts_ns(&pt->expiry)) / iv + 1));
				else
					pt->armed = false;
			}
			if (pt->armed && (!have || ts_ns(&pt->expiry) < ts_ns(nearest))) {
				*nearest = pt->expiry;
				have = true;
			}
		}
	}
	return have;
}
