/* Timer syscalls: alarm and interval timers (setitimer), and POSIX
 * per-process timers (timer_create...). The timers themselves, and firing
 * them, are the kernel's (kernel/timers.c, kernel/signal.c). */
#include <errno.h>
#include <linux/capability.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
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

SYSCALL_HANDLER(timer_create)
{
	clockid_t clk = (clockid_t)a[0];
	if (clk != CLOCK_REALTIME && clk != CLOCK_MONOTONIC && clk != CLOCK_BOOTTIME &&
	    clk != CLOCK_REALTIME_ALARM && clk != CLOCK_BOOTTIME_ALARM && clk != CLOCK_TAI &&
	    clk != CLOCK_PROCESS_CPUTIME_ID && clk != CLOCK_THREAD_CPUTIME_ID)
		return -EINVAL; /* another process's CPU clock: see the table note */
	/* Linux's alarm timers need the host's RTC (EOPNOTSUPP without one,
	 * which its clock_gettime shows) and CAP_WAKE_ALARM. */
	struct timespec probe;
	if ((clk == CLOCK_REALTIME_ALARM || clk == CLOCK_BOOTTIME_ALARM) &&
	    clock_gettime(clk, &probe) != 0)
		return -EOPNOTSUPP;
	if ((clk == CLOCK_REALTIME_ALARM || clk == CLOCK_BOOTTIME_ALARM) &&
	    !caps_has(t->proc, CAP_WAKE_ALARM))
		return -EPERM;
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
	/* The kernel takes SIGEV_THREAD (which libc makes of a thread of its
	 * own) as SIGEV_SIGNAL: a signal to the process. */
	if (ev.notify == SIGEV_THREAD)
		ev.notify = SIGEV_SIGNAL;
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
					.clk_tid = t->tid,
					.value = ev.value};
	return 0;
}

SYSCALL_HANDLER(timer_settime)
{
	/* Linux: no new value is EINVAL, checked before the timer. */
	if (!a[2])
		return -EINVAL;
	struct itimerspec next, old;
	if (task_read(t, a[2], &next, sizeof(next)) != 0)
		return -EFAULT;
	struct ptimer *pt = process_timer(t, a[0]);
	if (!pt)
		return -EINVAL;
	if (next.it_value.tv_nsec < 0 || next.it_value.tv_nsec >= 1000000000L ||
	    next.it_interval.tv_nsec < 0 || next.it_interval.tv_nsec >= 1000000000L)
		return -EINVAL;
	ptimer_remaining(pt, &old);
	if (a[3] && task_write(t, a[3], &old, sizeof(old)) != 0)
		return -EFAULT;
	ptimer_set(t->proc, pt, &next, (a[1] & TIMER_ABSTIME) != 0);
	return 0;
}

SYSCALL_HANDLER(timer_gettime)
{
	struct ptimer *pt = process_timer(t, a[0]);
	if (!pt)
		return -EINVAL;
	struct itimerspec cur;
	ptimer_remaining(pt, &cur);
	return task_write(t, a[1], &cur, sizeof(cur)) == 0 ? 0 : -EFAULT;
}

SYSCALL_HANDLER(timer_getoverrun)
{
	struct ptimer *pt = process_timer(t, a[0]);
	return pt ? pt->overrun_last : -EINVAL;
}

SYSCALL_HANDLER(timer_delete)
{
	struct ptimer *pt = process_timer(t, a[0]);
	if (!pt)
		return -EINVAL;
	ptimer_delete(t->proc, pt);
	return 0;
}

/* ITIMER_VIRTUAL and ITIMER_PROF: timers on the process's CPU clock
 * (timers.c; the stub's CPU time is nearly all user time, the sentry
 * serving its syscalls, so the two count the same), kept after the POSIX
 * timers and never handed out by timer_create. */
static struct ptimer *cpu_itimer(struct process *p, int which)
{
	struct ptimer *pt = &p->timers[PROCESS_TIMERS + (which == ITIMER_PROF)];
	if (!pt->used)
		*pt = (struct ptimer){.used = true,
				      .clk = CLOCK_PROCESS_CPUTIME_ID,
				      .signo = which == ITIMER_PROF ? SIGPROF : SIGVTALRM,
				      .notify = SIGEV_SIGNAL};
	return pt;
}

static void itimer_of(const struct ptimer *pt, struct itimerval *out)
{
	struct itimerspec cur;
	ptimer_remaining(pt, &cur);
	out->it_value = (struct timeval){cur.it_value.tv_sec, cur.it_value.tv_nsec / 1000};
	out->it_interval = (struct timeval){cur.it_interval.tv_sec, cur.it_interval.tv_nsec / 1000};
}

SYSCALL_HANDLER(setitimer)
{
	int which = (int)a[0];
	if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
		return -EINVAL;
	struct itimerval next, old;
	if (a[1] && task_read(t, a[1], &next, sizeof(next)) != 0)
		return -EFAULT;
	if (a[1] && (next.it_value.tv_sec < 0 || next.it_value.tv_usec < 0 ||
		     next.it_value.tv_usec >= 1000000 || next.it_interval.tv_sec < 0 ||
		     next.it_interval.tv_usec < 0 || next.it_interval.tv_usec >= 1000000))
		return -EINVAL;
	struct ptimer *pt = which == ITIMER_REAL ? NULL : cpu_itimer(t->proc, which);
	if (pt)
		itimer_of(pt, &old);
	else
		process_alarm_remaining(t->proc, &old);
	if (a[2] && task_write(t, a[2], &old, sizeof(old)) != 0)
		return -EFAULT;
	if (a[1] && !pt)
		process_alarm_set(t->proc, &next);
	if (a[1] && pt) {
		struct itimerspec spec = {
		    .it_value = {next.it_value.tv_sec, next.it_value.tv_usec * 1000},
		    .it_interval = {next.it_interval.tv_sec, next.it_interval.tv_usec * 1000}};
		ptimer_set(t->proc, pt, &spec, false);
	}
	return 0;
}

SYSCALL_HANDLER(getitimer)
{
	int which = (int)a[0];
	if (which != ITIMER_REAL && which != ITIMER_VIRTUAL && which != ITIMER_PROF)
		return -EINVAL;
	struct itimerval cur;
	if (which == ITIMER_REAL)
		process_alarm_remaining(t->proc, &cur);
	else
		itimer_of(cpu_itimer(t->proc, which), &cur);
	return task_write(t, a[1], &cur, sizeof(cur)) == 0 ? 0 : -EFAULT;
}

SYSCALL_HANDLER(alarm)
{
	struct itimerval old, next = {.it_value = {.tv_sec = (time_t)(unsigned)a[0]}};
	process_alarm_remaining(t->proc, &old);
	process_alarm_set(t->proc, &next);
	return old.it_value.tv_sec + (old.it_value.tv_usec >= 500000 ? 1 : 0);
}
