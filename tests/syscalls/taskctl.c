/* Controls over other tasks and the caller's own limits, as LTP's chunks
 * s and p use them: pidfd_send_signal on a /proc/<pid> directory,
 * personality(STICKY_TIMEOUTS) with select, RLIMIT_CPU's SIGXCPU and
 * SIGKILL, sched_setaffinity on another task. */
#include <pwd.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/select.h>
#include <sys/wait.h>

#include "probe.h"

/* Linux also takes an open /proc/<pid> directory for the process it names. */
SYSCALL_TEST(pidfd_send_signal_procdir)
{
	catch_signal(SIGUSR1, 0);
	int self = open("/proc/self", O_DIRECTORY | O_CLOEXEC);
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR1, NULL, 0));
	say("handled: %d", (int)handled[SIGUSR1]);
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR1, &si, 0));
	say("handled: %d, code SI_QUEUE %d", (int)handled[SIGUSR1], last_info.si_code == SI_QUEUE);
	SHOW(syscall(SYS_pidfd_send_signal, self, SIGUSR2, &si, 0));
	close(self);
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/task/%d", (int)syscall(SYS_gettid));
	int task = open(path, O_DIRECTORY | O_CLOEXEC);
	SHOW(syscall(SYS_pidfd_send_signal, task, SIGUSR1, NULL, 0));
	close(task);
	int file = open(".", O_DIRECTORY | O_CLOEXEC);
	SHOW(syscall(SYS_pidfd_send_signal, file, SIGUSR1, NULL, 0));
	close(file);
	/* A process that has been reaped: ESRCH. */
	pid_t k = probe_fork();
	if (k == 0) {
		pause();
		_exit(0);
	}
	snprintf(path, sizeof(path), "/proc/%d", (int)k);
	int child = open(path, O_DIRECTORY | O_CLOEXEC);
	SHOW(syscall(SYS_pidfd_send_signal, child, SIGTERM, NULL, 0));
	probe_wait("child", k);
	SHOW(syscall(SYS_pidfd_send_signal, child, SIGTERM, NULL, 0));
	close(child);
}

/* STICKY_TIMEOUTS: select and pselect6 leave the timeout as given. */
SYSCALL_TEST(personality_sticky_timeouts)
{
	int p[2];
	if (pipe(p) != 0)
		return;
	for (int sticky = 0; sticky < 2; sticky++) {
		personality(PER_LINUX | (sticky ? STICKY_TIMEOUTS : 0));
		fd_set r;
		FD_ZERO(&r);
		FD_SET(p[0], &r);
		struct timeval tv = {0, 20000};
		SHOW(select(p[0] + 1, &r, NULL, NULL, &tv));
		say("sticky %d: select's timeout kept %d", sticky,
		    tv.tv_sec == 0 && tv.tv_usec == 20000);
		FD_SET(p[0], &r);
		struct timespec ts = {0, 20000000};
		SHOW(pselect(p[0] + 1, &r, NULL, NULL, &ts, NULL));
		/* glibc's pselect passes a copy: ask the kernel directly. */
		FD_SET(p[0], &r);
		struct {
			const void *mask;
			size_t size;
		} no_mask = {NULL, 8};
		SHOW(syscall(SYS_pselect6, p[0] + 1, &r, NULL, NULL, &ts, &no_mask));
		say("sticky %d: pselect6's timeout kept %d", sticky,
		    ts.tv_sec == 0 && ts.tv_nsec == 20000000);
	}
	personality(PER_LINUX);
	close(p[0]);
	close(p[1]);
}

static volatile sig_atomic_t xcpu;

static void on_xcpu(int sig)
{
	(void)sig;
	xcpu++;
}

/* RLIMIT_CPU {1, 2}: SIGXCPU after a second of CPU, SIGKILL at two. The
 * count travels in the exit status of a shared page, read by the parent. */
SYSCALL_TEST(setrlimit_cpu)
{
	volatile int *seen =
	    mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (seen == MAP_FAILED)
		return;
	*seen = 0;
	pid_t k = probe_fork();
	if (k == 0) {
		signal(SIGXCPU, on_xcpu);
		struct rlimit lim = {1, 2};
		if (setrlimit(RLIMIT_CPU, &lim) != 0)
			_exit(1);
		alarm(25);
		for (;;)
			*seen = xcpu;
	}
	probe_wait("busy child", k);
	say("SIGXCPU seen before the kill: %d", *seen >= 1);
	struct rlimit lim;
	getrlimit(RLIMIT_CPU, &lim);
	say("the parent's limit untouched: %d", lim.rlim_cur == RLIM_INFINITY);
}

/* Another task of the sandbox: allowed to its owner (or CAP_SYS_NICE). */
SYSCALL_TEST(sched_setaffinity_other)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	SHOW(sched_getaffinity(0, sizeof(set), &set));
	pid_t k = probe_fork();
	if (k == 0) {
		pause();
		_exit(0);
	}
	cpu_set_t got;
	SHOW(sched_getaffinity(k, sizeof(got), &got) == 0);
	SHOW(sched_setaffinity(k, sizeof(set), &set));
	SHOW(sched_setaffinity(-1, sizeof(set), &set));
	SHOW(sched_setaffinity(0x7ffffff0, sizeof(set), &set));
	SHOW(sched_setaffinity(k, sizeof(set), BADPTR));
	if (geteuid() == 0) {
		pid_t n = probe_fork();
		if (n == 0) {
			/* Not the child's owner and no CAP_SYS_NICE left. */
			if (seteuid(65534) != 0)
				_exit(1);
			SHOW(sched_setaffinity(k, sizeof(set), &set));
			SHOW(sched_setaffinity(0, sizeof(set), &set));
			_exit(0);
		}
		probe_wait("nobody", n);
	}
	kill(k, SIGKILL);
	probe_wait("child", k);
}

/* A zombie (exited, not reaped) still answers the scheduling readers. */
SYSCALL_TEST(sched_getparam_zombie)
{
	pid_t k = probe_fork();
	if (k == 0)
		_exit(0);
	siginfo_t si;
	SHOW(waitid(P_PID, (id_t)k, &si, WEXITED | WNOWAIT));
	struct sched_param p = {.sched_priority = 5};
	SHOW(sched_getscheduler(k));
	SHOW(sched_getparam(k, &p));
	say("zombie's priority: %d", p.sched_priority);
	probe_wait("child", k);
	SHOW(sched_getscheduler(k));
	SHOW(sched_getparam(k, &p));
}

/* A /proc file opened read-only takes no write, not even from an empty
 * pipe's splice (EBADF at once, where a wait would never end). */
SYSCALL_TEST(splice_proc_readonly)
{
	int maps = open("/proc/self/maps", O_RDONLY);
	int p[2];
	if (maps < 0 || pipe(p) != 0)
		return;
	SHOW(write(maps, "x", 1));
	SHOW(splice(p[0], NULL, maps, NULL, 1, 0));
	close(maps);
	close(p[0]);
	close(p[1]);
}
