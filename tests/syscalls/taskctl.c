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
