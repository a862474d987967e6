/* POSIX per-process timers and timerfds. */
#include <limits.h>
#include <poll.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>

#include "probe.h"

#define MS  1000000LL
#define SEC 1000000000LL

static long long ts_ns(const struct timespec *t)
{
	return t->tv_sec * SEC + t->tv_nsec;
}

static const char *within(long long ns, long long lo_ms, long long hi_ms)
{
	static char buf[64];
	snprintf(buf, sizeof buf, "in (%lld, %lld] ms: %d", lo_ms, hi_ms,
		 ns > lo_ms * MS && ns <= hi_ms * MS);
	return buf;
}

static struct sigevent signal_event(int sig, int value)
{
	struct sigevent ev;
	memset(&ev, 0, sizeof ev);
	ev.sigev_notify = SIGEV_SIGNAL;
	ev.sigev_signo = sig;
	ev.sigev_value.sival_int = value;
	return ev;
}

/* Wait up to a second for sig (blocked) and describe it. */
static void wait_timer_signal(int sig)
{
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, sig);
	struct timespec sec = {1, 0};
	siginfo_t si;
	memset(&si, 0, sizeof si);
	int r = sigtimedwait(&s, &si, &sec);
	if (r < 0) {
		say("no signal: %s", errname(errno));
		return;
	}
	say("got %s, code %s, value %d", signame(r), si.si_code == SI_TIMER ? "SI_TIMER" : "other",
	    si.si_value.sival_int);
}

static void arm(int id, long long value_ns, long long interval_ns)
{
	struct itimerspec its = {{interval_ns / SEC, interval_ns % SEC},
				 {value_ns / SEC, value_ns % SEC}};
	syscall(SYS_timer_settime, id, 0, &its, NULL);
}

/* timer_create is partial: wall and monotonic clocks; CPU clocks are not
 * probed. */
/* A timer on the caller's CPU clock: not fired while the process sleeps
 * (no CPU time passes), fired once it has spun for the value. */
static void cpu_clock_timer(clockid_t clk, const char *name)
{
	struct sigevent ev = signal_event(SIGUSR2, 9);
	int id = -1;
	if (syscall(SYS_timer_create, clk, &ev, &id) != 0) {
		say("%s: timer_create %s", name, errname(errno));
		return;
	}
	/* CPU time is counted from the arming: what the sleep and the
	 * printing cost (page faults) counts towards it. */
	struct timespec armed;
	clock_gettime(clk, &armed);
	arm(id, 30 * MS, 0);
	usleep(200000);
	sigset_t set;
	sigpending(&set);
	say("%s: fired while sleeping: %d", name, sigismember(&set, SIGUSR2));
	struct timespec now, wall0, wall;
	clock_gettime(CLOCK_MONOTONIC, &wall0);
	do {
		sigpending(&set);
		clock_gettime(clk, &now);
		clock_gettime(CLOCK_MONOTONIC, &wall);
	} while (!sigismember(&set, SIGUSR2) && ts_ns(&wall) - ts_ns(&wall0) < 5000000000LL);
	say("%s: fired after spinning: %d, not before its CPU time was used: %d", name,
	    sigismember(&set, SIGUSR2), ts_ns(&now) - ts_ns(&armed) >= 29 * MS);
	syscall(SYS_timer_delete, id);
	sigset_t only;
	sigemptyset(&only);
	sigaddset(&only, SIGUSR2);
	struct timespec zero = {0, 0};
	while (sigtimedwait(&only, NULL, &zero) > 0)
		;
}

SYSCALL_TEST(timer_create)
{
	mask_signal(SIG_BLOCK, SIGUSR2);
	cpu_clock_timer(CLOCK_PROCESS_CPUTIME_ID, "process CPU clock");
	cpu_clock_timer(CLOCK_THREAD_CPUTIME_ID, "thread CPU clock");
	/* SIGEV_THREAD reaches the kernel as SIGEV_SIGNAL does. */
	struct sigevent th = signal_event(SIGUSR2, 3);
	th.sigev_notify = SIGEV_THREAD;
	int tid_timer = -1;
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, &th, &tid_timer));
	syscall(SYS_timer_delete, tid_timer);
	SHOW(syscall(SYS_timer_settime, 0, 0, NULL, NULL));
	mask_signal(SIG_BLOCK, SIGUSR1);
	mask_signal(SIG_BLOCK, SIGALRM);
	struct sigevent ev = signal_event(SIGUSR1, 5);
	int id = -1, id2 = -1, id3 = -1, id4 = -1;
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id));
	say("id >= 0: %d", id >= 0);
	arm(id, 10 * MS, 0);
	wait_timer_signal(SIGUSR1);
	struct sigevent rt = signal_event(SIGUSR1, 6);
	SHOW(syscall(SYS_timer_create, CLOCK_REALTIME, &rt, &id2));
	say("a second id differs: %d", id2 != id && id2 >= 0);
	arm(id2, 10 * MS, 0);
	wait_timer_signal(SIGUSR1);
	/* No sigevent: SIGALRM carrying the timer id. */
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, NULL, &id3));
	arm(id3, 10 * MS, 0);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGALRM);
	siginfo_t si;
	struct timespec sec = {1, 0};
	int r = sigtimedwait(&s, &si, &sec);
	say("default: %s, value is the id %d", r > 0 ? signame(r) : errname(errno),
	    si.si_value.sival_int == id3);
	/* SIGEV_NONE: nothing delivered, the timer still runs. */
	struct sigevent none = {.sigev_notify = SIGEV_NONE};
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, &none, &id4));
	arm(id4, 5 * SEC, 0);
	struct itimerspec cur;
	syscall(SYS_timer_gettime, id4, &cur);
	say("SIGEV_NONE timer runs: %s", within(ts_ns(&cur.it_value), 3000, 5000));
	/* SIGEV_THREAD_ID names the thread. */
	struct sigevent tid = signal_event(SIGUSR1, 8);
	tid.sigev_notify = SIGEV_THREAD_ID;
	tid._sigev_un._tid = syscall(SYS_gettid);
	int id5 = -1;
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, &tid, &id5));
	arm(id5, 10 * MS, 0);
	wait_timer_signal(SIGUSR1);
	struct sigevent bad = signal_event(SIGUSR1, 0);
	bad.sigev_notify = 99;
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, &bad, &id));
	bad = signal_event(0, 0);
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, &bad, &id));
	bad = signal_event(65, 0);
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, &bad, &id));
	bad = signal_event(SIGUSR1, 0);
	bad.sigev_notify = SIGEV_THREAD_ID;
	bad._sigev_un._tid = 0x3ffffff0;
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, &bad, &id));
	SHOW(syscall(SYS_timer_create, 99, &ev, &id));
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, BADPTR));
	SHOW(syscall(SYS_timer_create, CLOCK_MONOTONIC, BADPTR, &id));
}

SYSCALL_TEST(timer_settime)
{
	mask_signal(SIG_BLOCK, SIGUSR1);
	struct sigevent ev = signal_event(SIGUSR1, 11);
	int id = -1;
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id);
	struct itimerspec ten = {{0, 0}, {10, 0}}, old;
	memset(&old, 0xff, sizeof old);
	SHOW(syscall(SYS_timer_settime, id, 0, &ten, &old));
	say("old unarmed: %d", ts_ns(&old.it_value) == 0 && ts_ns(&old.it_interval) == 0);
	struct itimerspec one = {{0, 500 * MS}, {1, 0}};
	SHOW(syscall(SYS_timer_settime, id, 0, &one, &old));
	say("old value %s", within(ts_ns(&old.it_value), 8000, 10000));
	/* An absolute expiry 20 ms from now. */
	struct itimerspec abs = {{0, 0}, {0, 0}};
	clock_gettime(CLOCK_MONOTONIC, &abs.it_value);
	abs.it_value.tv_nsec += 20 * MS;
	if (abs.it_value.tv_nsec >= SEC) {
		abs.it_value.tv_sec++;
		abs.it_value.tv_nsec -= SEC;
	}
	SHOW(syscall(SYS_timer_settime, id, TIMER_ABSTIME, &abs, &old));
	say("old interval 500 ms: %d", ts_ns(&old.it_interval) == 500 * MS);
	wait_timer_signal(SIGUSR1);
	/* Disarm. */
	struct itimerspec off = {{0, 0}, {0, 0}};
	SHOW(syscall(SYS_timer_settime, id, 0, &off, NULL));
	struct timespec fifty = {0, 50 * MS};
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	say("nothing after disarming: %s",
	    sigtimedwait(&s, NULL, &fifty) < 0 ? errname(errno) : "a signal");
	struct itimerspec bad = {{0, 0}, {0, SEC}};
	SHOW(syscall(SYS_timer_settime, id, 0, &bad, NULL));
	SHOW(syscall(SYS_timer_settime, 12345, 0, &ten, NULL));
	SHOW(syscall(SYS_timer_settime, id, 0, BADPTR, NULL));
	SHOW(syscall(SYS_timer_settime, id, 0, &off, BADPTR));
}

SYSCALL_TEST(timer_gettime)
{
	struct sigevent none = {.sigev_notify = SIGEV_NONE};
	int id = -1;
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &none, &id);
	struct itimerspec cur;
	memset(&cur, 0xff, sizeof cur);
	SHOW(syscall(SYS_timer_gettime, id, &cur));
	say("unarmed: %d", ts_ns(&cur.it_value) == 0 && ts_ns(&cur.it_interval) == 0);
	arm(id, 10 * SEC, 250 * MS);
	SHOW(syscall(SYS_timer_gettime, id, &cur));
	say("value %s, interval %lld ms", within(ts_ns(&cur.it_value), 8000, 10000),
	    ts_ns(&cur.it_interval) / MS);
	/* A periodic SIGEV_NONE timer that expired reports the next period. */
	arm(id, 5 * MS, 100 * MS);
	usleep(20000);
	SHOW(syscall(SYS_timer_gettime, id, &cur));
	say("after the first expiry: value %s", within(ts_ns(&cur.it_value), 0, 100));
	SHOW(syscall(SYS_timer_gettime, 12345, &cur));
	SHOW(syscall(SYS_timer_gettime, id, BADPTR));
}

SYSCALL_TEST(timer_getoverrun)
{
	mask_signal(SIG_BLOCK, SIGUSR1);
	struct sigevent ev = signal_event(SIGUSR1, 1);
	int id = -1;
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id);
	SHOW(syscall(SYS_timer_getoverrun, id));
	/* Every 1 ms while the signal stays blocked: expiries pile up as
	 * overruns of the one queued signal. */
	arm(id, MS, MS);
	usleep(30000);
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	siginfo_t si;
	struct timespec sec = {1, 0};
	sigtimedwait(&s, &si, &sec);
	long n = syscall(SYS_timer_getoverrun, id);
	say("overrun after 30 ms of 1 ms periods: more than 5: %d, siginfo's: %d", n > 5,
	    si.si_overrun == n);
	arm(id, 0, 0);
	/* An absolute expiry 3 s ago with a 1 ns period: more overruns than
	 * an int holds, reported as DELAYTIMER_MAX (INT_MAX), never wrapped
	 * (LTP timer_settime03). */
	struct itimerspec past = {.it_interval = {0, 1}};
	clock_gettime(CLOCK_MONOTONIC, &past.it_value);
	past.it_value.tv_sec -= 3;
	syscall(SYS_timer_settime, id, TIMER_ABSTIME, &past, NULL);
	sigtimedwait(&s, &si, &sec);
	n = syscall(SYS_timer_getoverrun, id);
	say("overrun of 3e9 periods: INT_MAX %d, siginfo's: %d", n == INT_MAX, si.si_overrun == n);
	arm(id, 0, 0);
	SHOW(syscall(SYS_timer_getoverrun, 12345));
	SHOW(syscall(SYS_timer_getoverrun, -1));
}

SYSCALL_TEST(timer_delete)
{
	struct sigevent none = {.sigev_notify = SIGEV_NONE};
	int id = -1, id2 = -1;
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &none, &id);
	arm(id, 10 * SEC, 0);
	SHOW(syscall(SYS_timer_delete, id));
	struct itimerspec cur;
	SHOW(syscall(SYS_timer_gettime, id, &cur));
	SHOW(syscall(SYS_timer_delete, id));
	SHOW(syscall(SYS_timer_delete, 12345));
	/* An armed timer deleted before it expires sends nothing. */
	mask_signal(SIG_BLOCK, SIGUSR1);
	struct sigevent ev = signal_event(SIGUSR1, 3);
	syscall(SYS_timer_create, CLOCK_MONOTONIC, &ev, &id2);
	arm(id2, 20 * MS, 0);
	SHOW(syscall(SYS_timer_delete, id2));
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR1);
	struct timespec fifty = {0, 50 * MS};
	say("after deleting an armed timer: %s",
	    sigtimedwait(&s, NULL, &fifty) < 0 ? errname(errno) : "a signal");
}

static void print_its(const char *label, const struct itimerspec *its, long long lo_ms,
		      long long hi_ms)
{
	say("%s: value %s, interval %lld ms", label, within(ts_ns(&its->it_value), lo_ms, hi_ms),
	    ts_ns(&its->it_interval) / MS);
}

SYSCALL_TEST(timerfd_create)
{
	int fd = SHOW(syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0));
	say("fd %s", fd_state(fd));
	int nb = SHOW(syscall(SYS_timerfd_create, CLOCK_REALTIME, TFD_NONBLOCK | TFD_CLOEXEC));
	say("fd %s, O_NONBLOCK %d", fd_state(nb), (fcntl(nb, F_GETFL) & O_NONBLOCK) != 0);
	uint64_t n;
	SHOW(read(nb, &n, sizeof n));
	int b = SHOW(syscall(SYS_timerfd_create, CLOCK_BOOTTIME, 0));
	struct pollfd p = {fd, POLLIN, 0};
	SHOW(poll(&p, 1, 0));
	struct stat st;
	fstat(fd, &st);
	say("fstat: %s", file_type(st.st_mode));
	SHOW(syscall(SYS_timerfd_create, 99, 0));
	SHOW(syscall(SYS_timerfd_create, CLOCK_PROCESS_CPUTIME_ID, 0));
	SHOW(syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0x1));
	close(b);
}

SYSCALL_TEST(timerfd_settime)
{
	int fd = syscall(SYS_timerfd_create, CLOCK_MONOTONIC, TFD_NONBLOCK);
	struct itimerspec ten = {{0, 0}, {0, 10 * MS}}, old;
	memset(&old, 0xff, sizeof old);
	SHOW(syscall(SYS_timerfd_settime, fd, 0, &ten, &old));
	print_its("old", &old, -1, 0);
	struct pollfd p = {fd, POLLIN, 0};
	SHOW(poll(&p, 1, 2000));
	uint64_t n = 0;
	SHOW(read(fd, &n, sizeof n));
	say("expirations: %llu", (unsigned long long)n);
	SHOW(read(fd, &n, sizeof n));
	/* Periodic: expirations add up until read. */
	struct itimerspec every = {{0, 2 * MS}, {0, 2 * MS}};
	SHOW(syscall(SYS_timerfd_settime, fd, 0, &every, NULL));
	usleep(30000);
	read(fd, &n, sizeof n);
	say("after 30 ms of 2 ms periods: more than 5: %d", n > 5);
	struct itimerspec far = {{0, 0}, {10, 0}};
	SHOW(syscall(SYS_timerfd_settime, fd, 0, &far, &old));
	print_its("old", &old, -1, 2);
	/* Absolute, already past: expired at once. */
	struct itimerspec past = {{0, 0}, {1, 0}};
	SHOW(syscall(SYS_timerfd_settime, fd, TFD_TIMER_ABSTIME, &past, &old));
	print_its("old", &old, 8000, 10000);
	SHOW(read(fd, &n, sizeof n));
	say("expirations: %llu", (unsigned long long)n);
	struct itimerspec bad = {{0, 0}, {0, SEC}};
	SHOW(syscall(SYS_timerfd_settime, fd, 0, &bad, NULL));
	SHOW(syscall(SYS_timerfd_settime, fd, 0x10, &ten, NULL));
	SHOW(syscall(SYS_timerfd_settime, fd, 0, BADPTR, NULL));
	SHOW(syscall(SYS_timerfd_settime, 99, 0, &ten, NULL));
	int pp[2];
	pipe(pp);
	SHOW(syscall(SYS_timerfd_settime, pp[0], 0, &ten, NULL));
}

SYSCALL_TEST(timerfd_gettime)
{
	int fd = syscall(SYS_timerfd_create, CLOCK_MONOTONIC, 0);
	struct itimerspec cur;
	memset(&cur, 0xff, sizeof cur);
	SHOW(syscall(SYS_timerfd_gettime, fd, &cur));
	print_its("unarmed", &cur, -1, 0);
	struct itimerspec set = {{0, 300 * MS}, {10, 0}};
	timerfd_settime(fd, 0, &set, NULL);
	SHOW(syscall(SYS_timerfd_gettime, fd, &cur));
	print_its("armed", &cur, 8000, 10000);
	/* A child shares the timer through the inherited fd. */
	pid_t k = probe_fork();
	if (k == 0) {
		struct itimerspec c;
		syscall(SYS_timerfd_gettime, fd, &c);
		print_its("child", &c, 8000, 10000);
		_exit(0);
	}
	probe_wait("child", k);
	SHOW(syscall(SYS_timerfd_gettime, fd, BADPTR));
	SHOW(syscall(SYS_timerfd_gettime, 99, &cur));
	int pp[2];
	pipe(pp);
	SHOW(syscall(SYS_timerfd_gettime, pp[0], &cur));
}
