/* Time syscalls, answered from the host clocks. */
#include <errno.h>
#include <sys/time.h>
#include <time.h>

#include "sentry/clock/clock.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

static bool clock_ok(clockid_t clk)
{
	/* Negative ids are CPU-time clocks of other processes/threads: those
	 * would name host pids, so only the calling process's are allowed. */
	return clk >= 0 && clk <= CLOCK_TAI;
}

/* The program's own CPU-time clocks are its stub's, not the sentry's
 * (which would be what the sentry reading CLOCK_*_CPUTIME_ID gets): the
 * process clock is its stub process's, the thread clock its stub thread's
 * (platform_cpu_time says how exact that is). 0 or -errno. */
/* A _COARSE clock as msentry's vDSO gives it (vdso/vdso.c): the fine
 * clock cut to the coarse resolution. The host's own coarse clock is the
 * last tick's time, up to a tick behind that, so a program that reads the
 * vDSO and then makes the syscall would see time go backwards. */
static int read_coarse(clockid_t clk, struct timespec *ts)
{
	struct timespec res;
	clockid_t fine = clk == CLOCK_REALTIME_COARSE ? CLOCK_REALTIME : CLOCK_MONOTONIC;
	if (clock_gettime(fine, ts) != 0 || clock_getres(clk, &res) != 0)
		return -errno;
	long step = res.tv_sec == 0 && res.tv_nsec > 0 ? res.tv_nsec : 1;
	ts->tv_nsec -= ts->tv_nsec % step;
	return 0;
}

static int read_clock(struct task *t, clockid_t clk, struct timespec *ts)
{
	if (clk == CLOCK_PROCESS_CPUTIME_ID && t->mm)
		return platform_cpu_time(t->mm->stub_pid, ts);
	if (clk == CLOCK_THREAD_CPUTIME_ID)
		return platform_cpu_time(platform_thread_tid(t->th), ts);
	if (clk == CLOCK_REALTIME_COARSE || clk == CLOCK_MONOTONIC_COARSE)
		return read_coarse(clk, ts);
	return clock_gettime(clk, ts) == 0 ? 0 : -errno;
}

/* A CPU-time clock named by a sandbox pid or tid (negative ids, as
 * clock_getcpuclockid and pthread_getcpuclockid build them: ~pid << 3,
 * bit 2 for a thread, the low bits the kind): read from the stub it names.
 * pid 0 is the caller. 0 or -errno. */
static int read_pid_clock(struct task *t, clockid_t clk, struct timespec *ts)
{
	pid_t pid = ~(pid_t)(clk >> 3);
	bool thread = clk & 4;
	if ((clk & 3) == 3)
		return -EINVAL;
	if (pid == 0)
		return read_clock(t, thread ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID, ts);
	struct task *o = task_by_tid(t->s, pid);
	if (!o || !o->th || o->exiting)
		return -EINVAL;
	if (thread) /* Linux: only threads of the caller's process */
		return o->proc == t->proc ? platform_cpu_time(platform_thread_tid(o->th), ts)
					  : -EINVAL;
	if (o->proc->pid != pid || !o->mm)
		return -EINVAL;
	return platform_cpu_time(o->mm->stub_pid, ts);
}

/* A clock the vDSO serves without a trap when the host's TSC is usable
 * (vdso/vdso.c): its syscall means it was not. */
static bool vdso_clock(clockid_t clk)
{
	return clk == CLOCK_REALTIME || clk == CLOCK_MONOTONIC || clk == CLOCK_REALTIME_COARSE ||
	       clk == CLOCK_MONOTONIC_COARSE || clk == CLOCK_BOOTTIME;
}

SYSCALL_HANDLER(clock_gettime)
{
	struct timespec ts;
	clockid_t clk = (clockid_t)a[0];
	if (!clock_ok(clk) && clk >= 0)
		return -EINVAL;
	if (vdso_clock(clk))
		vdso_warn_if_trapping(t->s->vdso_state);
	int rc = clk < 0 ? read_pid_clock(t, clk, &ts) : read_clock(t, clk, &ts);
	if (rc != 0)
		return rc;
	return task_write(t, a[1], &ts, sizeof(ts)) == 0 ? 0 : -EFAULT;
}

SYSCALL_HANDLER(clock_getres)
{
	struct timespec ts;
	clockid_t clk = (clockid_t)a[0];
	if (!clock_ok(clk))
		return -EINVAL;
	if (clock_getres(clk, &ts) != 0)
		return -errno;
	if (a[1] && task_write(t, a[1], &ts, sizeof(ts)) != 0)
		return -EFAULT;
	return 0;
}

SYSCALL_HANDLER(gettimeofday)
{
	struct timeval tv;
	vdso_warn_if_trapping(t->s->vdso_state);
	gettimeofday(&tv, NULL);
	if (a[0] && task_write(t, a[0], &tv, sizeof(tv)) != 0)
		return -EFAULT;
	if (a[1]) {
		struct timezone tz = {0, 0};
		if (task_write(t, a[1], &tz, sizeof(tz)) != 0)
			return -EFAULT;
	}
	return 0;
}

SYSCALL_HANDLER(time)
{
	vdso_warn_if_trapping(t->s->vdso_state);
	time_t now = time(NULL);
	if (a[0] && task_write(t, a[0], &now, sizeof(now)) != 0)
		return -EFAULT;
	return now;
}

static long sleep_common(struct task *t, clockid_t clk, int flags, uint64_t req_addr,
			 uint64_t rem_addr)
{
	struct timespec req;
	if (task_read(t, req_addr, &req, sizeof(req)) != 0)
		return -EFAULT;
	if (req.tv_nsec < 0 || req.tv_nsec >= 1000000000L || req.tv_sec < 0)
		return -EINVAL;
	bool absolute = (flags & TIMER_ABSTIME) != 0;
	if (task_deadline(t, &req, absolute, clk))
		return 0;
	if (t->call.interrupted) {
		/* Interrupted by a handled signal: report the time left. */
		if (rem_addr && !absolute) {
			struct timespec now, rem;
			clock_gettime(CLOCK_MONOTONIC, &now);
			int64_t ns = (t->call.deadline.tv_sec - now.tv_sec) * 1000000000LL +
				     (t->call.deadline.tv_nsec - now.tv_nsec);
			if (ns < 0)
				ns = 0;
			rem = (struct timespec){ns / 1000000000LL, ns % 1000000000LL};
			/* Linux: a time left it cannot write is EFAULT. */
			if (task_write(t, rem_addr, &rem, sizeof(rem)) != 0)
				return -EFAULT;
		}
		return -EINTR;
	}
	return task_block(t, BLOCK_SLEEP);
}

SYSCALL_HANDLER(nanosleep)
{
	return sleep_common(t, CLOCK_MONOTONIC, 0, a[0], a[1]);
}

SYSCALL_HANDLER(clock_nanosleep)
{
	if (!clock_ok((clockid_t)a[0]))
		return -EINVAL;
	if ((clockid_t)a[0] == CLOCK_THREAD_CPUTIME_ID)
		return -EOPNOTSUPP; /* as Linux */
	return sleep_common(t, (clockid_t)a[0], (int)a[1], a[2], a[3]);
}
