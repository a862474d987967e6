/* Clocks, sleeps and timers. Times are never printed, only whether they
 * fall in the range they must ("remaining in (9, 10] s"). */
#include <poll.h>
#include <pthread.h>
#include <sys/time.h>
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

static long long tv_ns(const struct timeval *t)
{
	return t->tv_sec * SEC + t->tv_usec * 1000LL;
}

static long long clock_ns(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return ts_ns(&t);
}

/* "in (lo, hi]" for a value in nanoseconds, bounds in milliseconds. */
static const char *within(long long ns, long long lo_ms, long long hi_ms)
{
	static char buf[64];
	snprintf(buf, sizeof buf, "in (%lld, %lld] ms: %d", lo_ms, hi_ms,
		 ns > lo_ms * MS && ns <= hi_ms * MS);
	return buf;
}

/* A child's 5 s nanosleep, interrupted by a handled SIGUSR1 once the
 * child sleeps: its result and, where it can be written, the time left. */
static void interrupted_nanosleep(bool bad_rem)
{
	pid_t k = probe_fork();
	if (k == 0) {
		struct timespec five = {5, 0}, rem;
		if (bad_rem) {
			SHOW(syscall(SYS_nanosleep, &five, BADPTR));
		} else {
			SHOW(syscall(SYS_nanosleep, &five, &rem));
			say("child: remaining %s", within(ts_ns(&rem), 3000, 5000));
		}
		_exit(0);
	}
	probe_wait_sleeping(k, 3000);
	kill(k, SIGUSR1);
	probe_wait_timeout("child", k, 3000);
}

/* nanosleep is partial: it sleeps in the sentry. */
SYSCALL_TEST(nanosleep)
{
	struct timespec ten = {0, 10 * MS}, zero = {0, 0}, rem = {9, 9};
	long long t0 = now_ns();
	SHOW(syscall(SYS_nanosleep, &ten, &rem));
	say("slept %s", within(now_ns() - t0, 9, 1000));
	SHOW(syscall(SYS_nanosleep, &zero, NULL));
	/* Interrupted by a handled signal: EINTR and the time left; with a
	 * time left it cannot write, EFAULT. */
	catch_signal(SIGUSR1, 0);
	interrupted_nanosleep(false);
	interrupted_nanosleep(true);
	struct timespec bad = {0, SEC}, neg = {0, -1}, negs = {-1, 0};
	SHOW(syscall(SYS_nanosleep, &bad, NULL));
	SHOW(syscall(SYS_nanosleep, &neg, NULL));
	SHOW(syscall(SYS_nanosleep, &negs, NULL));
	SHOW(syscall(SYS_nanosleep, BADPTR, NULL));
}

/* clock_nanosleep is partial: it sleeps in the sentry. */
SYSCALL_TEST(clock_nanosleep)
{
	struct timespec ten = {0, 10 * MS}, rem;
	long long t0 = now_ns();
	SHOW(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &ten, &rem));
	say("slept %s", within(now_ns() - t0, 9, 1000));
	t0 = now_ns();
	SHOW(syscall(SYS_clock_nanosleep, CLOCK_REALTIME, 0, &ten, NULL));
	say("slept %s", within(now_ns() - t0, 9, 1000));
	struct timespec until;
	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_nsec += 20 * MS;
	if (until.tv_nsec >= SEC) {
		until.tv_sec++;
		until.tv_nsec -= SEC;
	}
	t0 = now_ns();
	SHOW(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL));
	say("slept until the deadline %s", within(now_ns() - t0, 5, 1000));
	struct timespec past = {1, 0};
	t0 = now_ns();
	SHOW(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
	say("a past deadline returns at once: %d", now_ns() - t0 < 100 * MS);
	SHOW(syscall(SYS_clock_nanosleep, CLOCK_BOOTTIME, 0, &ten, NULL));
	catch_signal(SIGUSR1, 0);
	pid_t k = probe_fork();
	if (k == 0) {
		struct timespec five = {5, 0};
		SHOW(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &five, &rem));
		say("child: remaining %s", within(ts_ns(&rem), 3000, 5000));
		_exit(0);
	}
	usleep(50000);
	kill(k, SIGUSR1);
	probe_wait_timeout("child", k, 3000);
	struct timespec bad = {0, SEC};
	SHOW(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, &bad, NULL));
	SHOW(syscall(SYS_clock_nanosleep, 99, 0, &ten, NULL));
	SHOW(syscall(SYS_clock_nanosleep, CLOCK_THREAD_CPUTIME_ID, 0, &ten, NULL));
	SHOW(syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, BADPTR, NULL));
}

/* getitimer and setitimer: ITIMER_REAL, and the CPU-time ones below. */
SYSCALL_TEST(getitimer)
{
	struct itimerval v = {{9, 9}, {9, 9}};
	SHOW(syscall(SYS_getitimer, ITIMER_REAL, &v));
	say("unarmed: %d", v.it_value.tv_sec == 0 && v.it_value.tv_usec == 0 &&
			       v.it_interval.tv_sec == 0 && v.it_interval.tv_usec == 0);
	struct itimerval set = {{2, 500000}, {10, 0}};
	setitimer(ITIMER_REAL, &set, NULL);
	SHOW(syscall(SYS_getitimer, ITIMER_REAL, &v));
	say("value %s, interval %ld.%06ld", within(tv_ns(&v.it_value), 8000, 10000),
	    (long)v.it_interval.tv_sec, (long)v.it_interval.tv_usec);
	SHOW(syscall(SYS_getitimer, 99, &v));
	SHOW(syscall(SYS_getitimer, ITIMER_REAL, BADPTR));
	struct itimerval off = {{0, 0}, {0, 0}};
	setitimer(ITIMER_REAL, &off, NULL);
	/* Not inherited by a child. */
	setitimer(ITIMER_REAL, &set, NULL);
	pid_t k = probe_fork();
	if (k == 0) {
		syscall(SYS_getitimer, ITIMER_REAL, &v);
		say("child: unarmed %d", v.it_value.tv_sec == 0 && v.it_value.tv_usec == 0);
		_exit(0);
	}
	probe_wait("child", k);
	setitimer(ITIMER_REAL, &off, NULL);
}

SYSCALL_TEST(setitimer)
{
	struct itimerval set = {{0, 0}, {5, 0}}, old = {{9, 9}, {9, 9}};
	SHOW(syscall(SYS_setitimer, ITIMER_REAL, &set, &old));
	say("old unarmed: %d", old.it_value.tv_sec == 0 && old.it_value.tv_usec == 0);
	struct itimerval other = {{1, 0}, {2, 0}};
	SHOW(syscall(SYS_setitimer, ITIMER_REAL, &other, &old));
	say("old value %s", within(tv_ns(&old.it_value), 3000, 5000));
	struct itimerval off = {{0, 0}, {0, 0}};
	SHOW(syscall(SYS_setitimer, ITIMER_REAL, &off, &old));
	say("old value %s, interval %ld", within(tv_ns(&old.it_value), 500, 2000),
	    (long)old.it_interval.tv_sec);
	/* Expiry: SIGALRM, twice with an interval. */
	catch_signal(SIGALRM, 0);
	struct itimerval fire = {{0, 20000}, {0, 20000}};
	SHOW(syscall(SYS_setitimer, ITIMER_REAL, &fire, NULL));
	for (int i = 0; i < 1000 && handled[SIGALRM] < 2; i++)
		usleep(1000);
	syscall(SYS_setitimer, ITIMER_REAL, &off, NULL);
	say("SIGALRM delivered at least twice: %d, code SI_KERNEL: %d", handled[SIGALRM] >= 2,
	    last_info.si_code == SI_KERNEL);
	struct itimerval bad = {{0, 0}, {0, 1000000}};
	SHOW(syscall(SYS_setitimer, ITIMER_REAL, &bad, NULL));
	SHOW(syscall(SYS_setitimer, 99, &set, NULL));
	SHOW(syscall(SYS_setitimer, ITIMER_REAL, BADPTR, NULL));
	SHOW(syscall(SYS_setitimer, ITIMER_REAL, &set, BADPTR));
	/* ITIMER_VIRTUAL and ITIMER_PROF count CPU time: nothing passes while
	 * the process sleeps; the signal comes once it has spun long enough. */
	const int cpu_timers[][2] = {{ITIMER_VIRTUAL, SIGVTALRM}, {ITIMER_PROF, SIGPROF}};
	for (int i = 0; i < 2; i++) {
		int which = cpu_timers[i][0], sig = cpu_timers[i][1];
		mask_signal(SIG_BLOCK, sig);
		struct itimerval cpu = {{0, 0}, {0, 50000}}, v;
		SHOW(syscall(SYS_setitimer, which, &cpu, NULL));
		usleep(200000);
		syscall(SYS_getitimer, which, &v);
		say("%s after sleeping: more than 40 ms left %d",
		    which == ITIMER_PROF ? "ITIMER_PROF" : "ITIMER_VIRTUAL",
		    tv_ns(&v.it_value) > 40000000LL);
		sigset_t pending;
		struct timespec w0, w;
		clock_gettime(CLOCK_MONOTONIC, &w0);
		do {
			sigpending(&pending);
			clock_gettime(CLOCK_MONOTONIC, &w);
		} while (!sigismember(&pending, sig) && w.tv_sec - w0.tv_sec < 5);
		say("its signal after spinning: %d", sigismember(&pending, sig));
		struct itimerval none = {{0, 0}, {0, 0}};
		syscall(SYS_setitimer, which, &none, NULL);
		sigset_t only;
		sigemptyset(&only);
		sigaddset(&only, sig);
		struct timespec zero = {0, 0};
		while (sigtimedwait(&only, NULL, &zero) > 0)
			;
	}
}

/* alarm cannot fail. The signal itself is checked with setitimer (an
 * alarm takes a whole second). */
SYSCALL_TEST(alarm)
{
	SHOW(syscall(SYS_alarm, 10));
	SHOW(syscall(SYS_alarm, 5));
	struct itimerval v;
	getitimer(ITIMER_REAL, &v);
	say("the same timer as ITIMER_REAL: %s", within(tv_ns(&v.it_value), 3000, 5000));
	SHOW(syscall(SYS_alarm, 0));
	SHOW(syscall(SYS_alarm, 0));
	struct itimerval set = {{0, 0}, {3, 500000}};
	setitimer(ITIMER_REAL, &set, NULL);
	SHOW(syscall(SYS_alarm, 0));
	/* Pending across fork? No: a child starts without one. */
	alarm(7);
	pid_t k = probe_fork();
	if (k == 0) {
		say("child: alarm(0) = %ld", syscall(SYS_alarm, 0));
		_exit(0);
	}
	probe_wait("child", k);
	SHOW(syscall(SYS_alarm, 0));
}

SYSCALL_TEST(gettimeofday)
{
	struct timeval tv;
	struct timezone tz = {99, 99};
	SHOW(syscall(SYS_gettimeofday, &tv, &tz));
	long long real = clock_ns(CLOCK_REALTIME);
	say("agrees with CLOCK_REALTIME within 1 s: %d, usec < 1e6: %d",
	    llabs(real - tv_ns(&tv)) < SEC, tv.tv_usec < 1000000);
	say("timezone: minuteswest %d dsttime %d", tz.tz_minuteswest, tz.tz_dsttime);
	SHOW(syscall(SYS_gettimeofday, NULL, NULL));
	SHOW(syscall(SYS_gettimeofday, BADPTR, NULL));
	SHOW(syscall(SYS_gettimeofday, &tv, BADPTR));
	struct timeval a, b;
	syscall(SYS_gettimeofday, &a, NULL);
	usleep(2000);
	syscall(SYS_gettimeofday, &b, NULL);
	say("advances: %d", tv_ns(&b) > tv_ns(&a));
}

SYSCALL_TEST(time)
{
	time_t t = 0;
	long r = syscall(SYS_time, &t);
	say("returns what it stores: %d", r == t);
	say("agrees with CLOCK_REALTIME within 2 s: %d",
	    llabs(clock_ns(CLOCK_REALTIME) / SEC - r) <= 2);
	say("NULL is fine: %d", syscall(SYS_time, NULL) >= r);
	SHOW(syscall(SYS_time, BADPTR));
}

static const struct {
	clockid_t id;
	const char *name;
} clocks[] = {
    {CLOCK_REALTIME, "CLOCK_REALTIME"},
    {CLOCK_MONOTONIC, "CLOCK_MONOTONIC"},
    {CLOCK_PROCESS_CPUTIME_ID, "CLOCK_PROCESS_CPUTIME_ID"},
    {CLOCK_THREAD_CPUTIME_ID, "CLOCK_THREAD_CPUTIME_ID"},
    {CLOCK_MONOTONIC_RAW, "CLOCK_MONOTONIC_RAW"},
    {CLOCK_REALTIME_COARSE, "CLOCK_REALTIME_COARSE"},
    {CLOCK_MONOTONIC_COARSE, "CLOCK_MONOTONIC_COARSE"},
    {CLOCK_BOOTTIME, "CLOCK_BOOTTIME"},
    {CLOCK_TAI, "CLOCK_TAI"},
};

/* A process's CPU clock, as clock_getcpuclockid makes it. */
#define PROCESS_CPUCLOCK(pid) ((clockid_t)((~(unsigned)(pid) << 3) | 2))
/* A dynamic clock named by an fd (a PTP device's). */
#define FD_CLOCK(fd) ((clockid_t)((~(unsigned)(fd) << 3) | 3))

static pthread_t main_thread;

/* A thread that waits until the pipe `arg` is closed. */
static void *block_thread(void *arg)
{
	char c;
	read(*(int *)arg, &c, 1);
	return NULL;
}

/* A second thread spins 10 ms of its own CPU time, then reads its own
 * clock and the main thread's (pthread_getcpuclockid). */
static void *spin_thread(void *arg)
{
	(void)arg;
	struct timespec own = {0}, other = {0};
	long long w0 = now_ns();
	volatile unsigned long spin = 0;
	do {
		for (int i = 0; i < 100000; i++)
			spin++;
		if (syscall(SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID, &own) != 0)
			break;
	} while (ts_ns(&own) < 10 * MS && now_ns() - w0 < 500 * MS);
	say("second thread's own CPU clock: %d", ts_ns(&own) >= 10 * MS);
	clockid_t c;
	pthread_getcpuclockid(main_thread, &c);
	SHOW(syscall(SYS_clock_gettime, c, &other));
	return NULL;
}

/* Threads' CPU clocks: a thread's own, the main thread's from another
 * thread, another thread's from the main thread (LTP nice05). */
static void thread_clocks(void)
{
	main_thread = pthread_self();
	pthread_t th;
	pthread_create(&th, NULL, spin_thread, NULL);
	pthread_join(th, NULL);
	int p[2];
	pipe(p);
	pthread_create(&th, NULL, block_thread, &p[0]);
	clockid_t c;
	struct timespec t;
	pthread_getcpuclockid(th, &c);
	SHOW(syscall(SYS_clock_gettime, c, &t));
	close(p[1]);
	pthread_join(th, NULL);
	close(p[0]);
}

SYSCALL_TEST(clock_gettime)
{
	thread_clocks();
	struct timespec t;
	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		t.tv_nsec = -1;
		long r = syscall(SYS_clock_gettime, clocks[i].id, &t);
		say("%s: %s, nsec valid %d", clocks[i].name, r == 0 ? "0" : errname(errno),
		    t.tv_nsec >= 0 && t.tv_nsec < SEC);
	}
	struct timespec m1, m2, b, r1;
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &m1);
	syscall(SYS_clock_gettime, CLOCK_BOOTTIME, &b);
	syscall(SYS_clock_gettime, CLOCK_MONOTONIC, &m2);
	syscall(SYS_clock_gettime, CLOCK_REALTIME, &r1);
	say("monotonic does not go back: %d, boottime >= monotonic: %d", ts_ns(&m2) >= ts_ns(&m1),
	    ts_ns(&b) >= ts_ns(&m1));
	say("realtime agrees with time(): %d", llabs(r1.tv_sec - time(NULL)) <= 1);
	/* CPU time grows while we spin: 10 ms of it within half a second (the
	 * machine may be busy). */
	struct timespec c1, c2;
	syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &c1);
	long long w0 = now_ns();
	volatile unsigned long spin = 0;
	do {
		for (int i = 0; i < 100000; i++)
			spin++;
		syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, &c2);
	} while (ts_ns(&c2) - ts_ns(&c1) < 10 * MS && now_ns() - w0 < 500 * MS);
	say("process CPU time grew by 10 ms within 0.5 s of spinning: %d",
	    ts_ns(&c2) - ts_ns(&c1) >= 10 * MS);
	SHOW(syscall(SYS_clock_gettime, PROCESS_CPUCLOCK(getpid()), &t));
	say("our own CPU clock by pid is nonzero: %d", ts_ns(&t) > 0);
	SHOW(syscall(SYS_clock_gettime, PROCESS_CPUCLOCK(0x0ffffff0), &t));
	SHOW(syscall(SYS_clock_gettime, 99, &t));
	SHOW(syscall(SYS_clock_gettime, FD_CLOCK(99), &t));
	SHOW(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, BADPTR));
}

SYSCALL_TEST(clock_getres)
{
	struct timespec t;
	for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
		memset(&t, 0xff, sizeof t);
		long r = syscall(SYS_clock_getres, clocks[i].id, &t);
		say("%s: %s, %ld.%09ld", clocks[i].name, r == 0 ? "0" : errname(errno),
		    (long)t.tv_sec, t.tv_nsec);
	}
	SHOW(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL));
	SHOW(syscall(SYS_clock_getres, 99, &t));
	SHOW(syscall(SYS_clock_getres, CLOCK_MONOTONIC, BADPTR));
}
