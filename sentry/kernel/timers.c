/* POSIX per-process timers (timer_create and friends; the handlers are
 * syscalls/sys_timer.c), and the process's alarm (alarm, ITIMER_REAL).
 *
 * Each process has a small table of timers kept as CLOCK_MONOTONIC expiry
 * times, each armed one in the sentry's deadline heap (deadline.c); when
 * one is due the event loop (sched.c) fires it by queueing the
 * timer's signal with SI_TIMER information, to the process or, for
 * SIGEV_THREAD_ID (how glibc implements SIGEV_THREAD), to one thread. A
 * timer whose previous signal is still pending counts an overrun instead.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <time.h>

#include "sentry/kernel/kernel.h"

/* The slot after ITIMER_VIRTUAL and ITIMER_PROF: RLIMIT_CPU's check. */
#define CPU_LIMIT_TIMER (PROCESS_TIMERS + 2)

static int64_t ts_ns(const struct timespec *ts)
{
	return ts->tv_sec * 1000000000LL + ts->tv_nsec;
}

static struct timespec ns_ts(int64_t ns)
{
	return (struct timespec){ns / 1000000000LL, ns % 1000000000LL};
}

struct ptimer *process_timer(struct task *t, uint64_t id)
{
	if (id >= PROCESS_TIMERS || !t->proc->timers[id].used)
		return NULL;
	return &t->proc->timers[id];
}

/* ---- CPU-time clocks ----
 * The host tells the sentry nothing when a stub's CPU time crosses a
 * value, so a timer on CLOCK_PROCESS_CPUTIME_ID or CLOCK_THREAD_CPUTIME_ID
 * is checked at a wall-clock deadline that cannot come too late: the
 * time left on its CPU clock divided by how many threads may be using
 * it at once. At that deadline it fires if its CPU time is reached, or
 * is checked again for what is left: never early, late by at most the
 * threads' idle share. */

static bool cpu_clock(clockid_t clk)
{
	return clk == CLOCK_PROCESS_CPUTIME_ID || clk == CLOCK_THREAD_CPUTIME_ID;
}

/* The timer's CPU clock now (ns), or -1 when its thread or process is gone. */
static int64_t cpu_now(struct process *p, const struct ptimer *pt)
{
	bool thread = pt->clk == CLOCK_THREAD_CPUTIME_ID;
	struct task *u = task_by_tid(p->s, thread ? pt->clk_tid : p->pid);
	struct timespec ts;
	if (!u || u->proc != p || !u->mm ||
	    platform_cpu_time(thread ? platform_thread_tid(u->th) : u->mm->stub_pid, &ts) != 0)
		return -1;
	return ts_ns(&ts);
}

/* The wall-clock deadline for checking a CPU timer `left` ns from expiry. */
static void cpu_deadline(struct process *p, struct ptimer *pt, int64_t left)
{
	int64_t threads = pt->clk == CLOCK_THREAD_CPUTIME_ID || p->nthreads < 1 ? 1 : p->nthreads;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t wait = left / threads;
	pt->expiry = ns_ts(ts_ns(&now) + (wait > 100000 ? wait : 100000));
}

void ptimer_remaining(const struct ptimer *pt, struct itimerspec *out)
{
	memset(out, 0, sizeof(*out));
	if (!pt->armed)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t left = ts_ns(&pt->expiry) - ts_ns(&now);
	if (cpu_clock(pt->clk)) {
		int64_t at = cpu_now(pt->dl.owner, pt);
		left = at < 0 ? 0 : pt->cpu_target - at;
	}
	out->it_value = ns_ts(left > 1 ? left : 1);
	out->it_interval = pt->interval;
}

static void arm(struct process *p, struct ptimer *pt)
{
	pt->dl.kind = DEADLINE_TIMER;
	pt->dl.owner = p;
	pt->dl.id = (int)(pt - p->timers);
	deadline_arm(&p->s->deadlines, &pt->dl, &pt->expiry);
}

void ptimer_delete(struct process *p, struct ptimer *pt)
{
	deadline_cancel(&p->s->deadlines, &pt->dl);
	*pt = (struct ptimer){0};
}

void process_timers_exit(struct process *p)
{
	struct deadline_heap *h = &p->s->deadlines;
	deadline_cancel(h, &p->alarm_dl);
	p->alarm = (struct timespec){0};
	for (int i = 0; i < PROCESS_TIMERS + 3; i++) {
		deadline_cancel(h, &p->timers[i].dl);
		p->timers[i].armed = false;
	}
}

void ptimer_set(struct process *p, struct ptimer *pt, const struct itimerspec *next, bool absolute)
{
	pt->interval = next->it_interval;
	pt->overrun = pt->overrun_last = 0;
	pt->armed = ts_ns(&next->it_value) != 0;
	if (!pt->armed) {
		deadline_cancel(&p->s->deadlines, &pt->dl);
		return;
	}
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t delay = ts_ns(&next->it_value);
	pt->dl.owner = p;
	if (cpu_clock(pt->clk)) {
		int64_t at = cpu_now(p, pt);
		pt->cpu_target = absolute ? delay : (at < 0 ? 0 : at) + delay;
		cpu_deadline(p, pt, pt->cpu_target - (at < 0 ? 0 : at));
		arm(p, pt);
		return;
	}
	if (absolute) {
		struct timespec on_clk;
		clock_gettime(pt->clk, &on_clk);
		delay -= ts_ns(&on_clk);
	}
	/* An absolute time already past stays in the past (fired at once):
	 * the periods since then are overruns, as Linux counts them. */
	int64_t at = ts_ns(&now) + (absolute || delay > 0 ? delay : 0);
	pt->expiry = ns_ts(at > 0 ? at : 0);
	arm(p, pt);
}

void ptimer_dequeued(struct process *p, siginfo_t *info)
{
	if (info->si_code != SI_TIMER || info->si_timerid < 0 ||
	    info->si_timerid >= PROCESS_TIMERS || !p->timers[info->si_timerid].used)
		return;
	struct ptimer *pt = &p->timers[info->si_timerid];
	info->si_overrun = pt->overrun;
	pt->overrun_last = pt->overrun;
	pt->overrun = 0;
}

/* Count `n` more overruns. Linux keeps the count in 64 bits and reports
 * it clamped to DELAYTIMER_MAX (INT_MAX): a count that would pass it stays
 * there, never wrapping negative. */
static void add_overruns(struct ptimer *pt, int64_t n)
{
	pt->overrun = n >= INT_MAX - pt->overrun ? INT_MAX : pt->overrun + (int)n;
}

/* ---- RLIMIT_CPU ----
 * A CPU timer of the process in its own slot, due at the soft limit, then
 * every second: SIGXCPU, the soft limit raised by a second (as Linux does,
 * so that the next comes a second later), and SIGKILL once the CPU time
 * reaches the hard limit. Checked like any CPU timer (above): never early,
 * late by at most the threads' idle share. */

void process_cpu_limit_arm(struct process *p)
{
	struct ptimer *pt = &p->timers[CPU_LIMIT_TIMER];
	deadline_cancel(&p->s->deadlines, &pt->dl);
	rlim_t soft = p->rlim[RLIMIT_CPU].rlim_cur;
	if (soft == RLIM_INFINITY) {
		*pt = (struct ptimer){0};
		return;
	}
	*pt = (struct ptimer){.used = true, .clk = CLOCK_PROCESS_CPUTIME_ID, .signo = SIGXCPU};
	/* 0 asks for an expiry at once: Linux makes it a second. */
	time_t secs = soft == 0 ? 1 : soft > (rlim_t)INT32_MAX ? INT32_MAX : (time_t)soft;
	struct itimerspec at = {.it_interval = {1, 0}, .it_value = {secs, 0}};
	ptimer_set(p, pt, &at, true);
}

static void cpu_limit_reached(struct process *p, struct ptimer *pt)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_code = SI_KERNEL;
	struct rlimit *lim = &p->rlim[RLIMIT_CPU];
	int64_t at = cpu_now(p, pt);
	if (lim->rlim_max != RLIM_INFINITY && at >= 0 &&
	    (uint64_t)at / 1000000000u >= (uint64_t)lim->rlim_max) {
		pt->interval = (struct timespec){0}; /* the last: the process ends */
		si.si_signo = SIGKILL;
		signal_send_process(p, SIGKILL, &si);
		return;
	}
	si.si_signo = SIGXCPU;
	signal_send_process(p, SIGXCPU, &si);
	if (lim->rlim_cur != RLIM_INFINITY)
		lim->rlim_cur++;
}

static void fire(struct sentry *s, struct process *p, int id, struct ptimer *pt)
{
	if (pt->notify == SIGEV_NONE)
		return;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = pt->signo;
	/* ITIMER_VIRTUAL and ITIMER_PROF (after the POSIX timers) are the
	 * kernel's own signals, as Linux sends them. */
	if (id == CPU_LIMIT_TIMER) {
		cpu_limit_reached(p, pt);
		return;
	}
	if (id >= PROCESS_TIMERS) {
		si.si_code = SI_KERNEL;
		signal_send_process(p, pt->signo, &si);
		return;
	}
	si.si_code = SI_TIMER;
	si.si_timerid = id;
	si.si_overrun = pt->overrun;
	si.si_value.sival_ptr = (void *)pt->value;
	struct task *target = pt->notify == SIGEV_THREAD_ID ? task_by_tid(s, pt->tid) : NULL;
	uint64_t bit = 1ULL << (pt->signo - 1);
	bool pending = ((target ? target->pending.set : 0) | p->pending.set) & bit;
	if (pending) {
		add_overruns(pt, 1);
		return;
	}
	pt->overrun = 0;
	if (target && target->proc == p)
		signal_send_task(target, pt->signo, &si);
	else
		signal_send_process(p, pt->signo, &si);
}

/* Fire the timer, then step its expiry (ns on its own clock) past `now`
 * by whole intervals, the periods that passed unseen counted as overruns.
 * False for a one-shot timer, which is now disarmed. */
static bool fire_and_step(struct process *p, int id, struct ptimer *pt, int64_t now,
			  int64_t *expiry)
{
	fire(p->s, p, id, pt);
	int64_t iv = ts_ns(&pt->interval);
	if (iv <= 0) {
		pt->armed = false;
		return false;
	}
	int64_t missed = (now - *expiry) / iv;
	if (pt->notify != SIGEV_NONE)
		add_overruns(pt, missed);
	*expiry += iv * (missed + 1);
	return true;
}

/* A CPU timer's check: fire and re-arm on its clock, or wait for what is left. */
static void cpu_timer_due(struct process *p, int id, struct ptimer *pt)
{
	int64_t at = cpu_now(p, pt);
	if (at < 0) {
		pt->armed = false;
		return;
	}
	if (at < pt->cpu_target) {
		cpu_deadline(p, pt, pt->cpu_target - at);
		arm(p, pt);
		return;
	}
	if (fire_and_step(p, id, pt, at, &pt->cpu_target)) {
		cpu_deadline(p, pt, pt->cpu_target - at);
		arm(p, pt);
	}
}

void ptimer_expired(struct process *p, int id, const struct timespec *now)
{
	struct ptimer *pt = &p->timers[id];
	if (!pt->used || !pt->armed)
		return;
	if (cpu_clock(pt->clk)) {
		cpu_timer_due(p, id, pt);
		return;
	}
	int64_t expiry = ts_ns(&pt->expiry);
	if (fire_and_step(p, id, pt, ts_ns(now), &expiry)) {
		pt->expiry = ns_ts(expiry);
		arm(p, pt);
	}
}

/* ---- the alarm: alarm(2) and setitimer(ITIMER_REAL) ---- */

static void timeval_to_ts(const struct timeval *tv, struct timespec *ts)
{
	ts->tv_sec = tv->tv_sec;
	ts->tv_nsec = tv->tv_usec * 1000;
}

void process_alarm_remaining(const struct process *p, struct itimerval *out)
{
	memset(out, 0, sizeof(*out));
	if (p->alarm.tv_sec == 0 && p->alarm.tv_nsec == 0)
		return;
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	int64_t ns =
	    (p->alarm.tv_sec - now.tv_sec) * 1000000000LL + (p->alarm.tv_nsec - now.tv_nsec);
	if (ns < 1000)
		ns = 1000;
	out->it_value.tv_sec = ns / 1000000000LL;
	out->it_value.tv_usec = (ns % 1000000000LL) / 1000;
	out->it_interval.tv_sec = p->alarm_interval.tv_sec;
	out->it_interval.tv_usec = p->alarm_interval.tv_nsec / 1000;
}

void process_alarm_set(struct process *p, const struct itimerval *v)
{
	struct deadline_heap *h = &p->s->deadlines;
	if (v->it_value.tv_sec == 0 && v->it_value.tv_usec == 0) {
		p->alarm = (struct timespec){0};
		deadline_cancel(h, &p->alarm_dl);
		return;
	}
	struct timespec now, d;
	clock_gettime(CLOCK_MONOTONIC, &now);
	timeval_to_ts(&v->it_value, &d);
	p->alarm.tv_sec = now.tv_sec + d.tv_sec;
	p->alarm.tv_nsec = now.tv_nsec + d.tv_nsec;
	if (p->alarm.tv_nsec >= 1000000000L) {
		p->alarm.tv_sec++;
		p->alarm.tv_nsec -= 1000000000L;
	}
	timeval_to_ts(&v->it_interval, &p->alarm_interval);
	p->alarm_dl.kind = DEADLINE_ALARM;
	p->alarm_dl.owner = p;
	deadline_arm(h, &p->alarm_dl, &p->alarm);
}

void process_alarm_expired(struct process *p, const struct timespec *now)
{
	if (p->alarm_interval.tv_sec || p->alarm_interval.tv_nsec) {
		p->alarm.tv_sec = now->tv_sec + p->alarm_interval.tv_sec;
		p->alarm.tv_nsec = now->tv_nsec + p->alarm_interval.tv_nsec;
		if (p->alarm.tv_nsec >= 1000000000L) {
			p->alarm.tv_sec++;
			p->alarm.tv_nsec -= 1000000000L;
		}
		deadline_arm(&p->s->deadlines, &p->alarm_dl, &p->alarm);
	} else {
		p->alarm = (struct timespec){0};
	}
	signal_send_process(p, SIGALRM, NULL);
}
