/* prctl options about a process's relations, timers and security bits:
 * PR_SET_PDEATHSIG, PR_SET_CHILD_SUBREAPER, PR_SET_TIMERSLACK (and
 * /proc/self/timerslack_ns), PR_SET_SECUREBITS, PR_SET_THP_DISABLE.
 * syscall-prctl has the common options. */
#include <linux/securebits.h>
#include <sys/prctl.h>
#include <sys/wait.h>

#include "probe.h"

/* P (the probe, a subreaper) forks A, A forks B; B asks for SIGUSR1 when
 * its parent dies. A exits: B gets SIGUSR1 from A and P adopts it. */
static void pdeath_and_subreaper(void)
{
	SHOW(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
	int v = -1;
	SHOW(prctl(PR_GET_CHILD_SUBREAPER, &v, 0, 0, 0));
	say("subreaper: %d", v);
	SHOW(prctl(PR_GET_CHILD_SUBREAPER, BADPTR, 0, 0, 0));
	pid_t me = getpid();
	int ready[2];
	if (pipe(ready) != 0)
		return;
	pid_t a = probe_fork();
	if (a == 0) {
		int w = -1;
		prctl(PR_GET_CHILD_SUBREAPER, &w, 0, 0, 0);
		say("A: subreaper %d (not inherited)", w);
		pid_t b = probe_fork();
		if (b == 0) {
			mask_signal(SIG_BLOCK, SIGUSR1);
			SHOW(prctl(PR_SET_PDEATHSIG, SIGUSR1, 0, 0, 0));
			int sig = 0;
			SHOW(prctl(PR_GET_PDEATHSIG, &sig, 0, 0, 0));
			say("B: pdeathsig %s", signame(sig));
			pid_t parent = getppid();
			if (write(ready[1], "x", 1) != 1)
				_exit(1);
			sigset_t set;
			sigemptyset(&set);
			sigaddset(&set, SIGUSR1);
			siginfo_t si;
			struct timespec limit = {10, 0};
			int got = sigtimedwait(&set, &si, &limit);
			say("B: got %s, code SI_USER %d, from the old parent %d", signame(got),
			    si.si_code == SI_USER, si.si_pid == parent);
			say("B: adopted by the subreaper %d", getppid() == me);
			_exit(0);
		}
		char c;
		if (read(ready[0], &c, 1) != 1)
			_exit(1);
		_exit(0);
	}
	/* A's status prints after B's lines, which B writes before it exits. */
	int ast = 0, st = 0;
	waitpid(a, &ast, 0);
	pid_t r = wait(&st);
	say("A: %s", status_text(ast));
	say("wait: the orphan %s, %s", r > 0 ? "reaped" : errname(errno), status_text(st));
	SHOW(prctl(PR_SET_PDEATHSIG, 65, 0, 0, 0));
	SHOW(prctl(PR_GET_PDEATHSIG, BADPTR, 0, 0, 0));
	SHOW(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0));
	close(ready[0]);
	close(ready[1]);
}

static long slack_file(void)
{
	return strtol(get_file("/proc/self/timerslack_ns"), NULL, 10);
}

/* The initial slack is the host's (inherited): only relations print. */
static void timerslack(void)
{
	long first = prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0);
	say("timerslack: /proc agrees %d", slack_file() == first);
	SHOW(prctl(PR_SET_TIMERSLACK, 1, 0, 0, 0));
	SHOW(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
	SHOW(prctl(PR_SET_TIMERSLACK, 70000, 0, 0, 0));
	say("timerslack: /proc %ld", slack_file());
	pid_t k = probe_fork();
	if (k == 0) {
		SHOW(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
		SHOW(prctl(PR_SET_TIMERSLACK, 5, 0, 0, 0));
		SHOW(prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0)); /* the default: the parent's value */
		SHOW(prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0));
		_exit(0);
	}
	probe_wait("child", k);
	SHOW(prctl(PR_SET_TIMERSLACK, 0, 0, 0, 0));
	say("timerslack: reset to the first %d", prctl(PR_GET_TIMERSLACK, 0, 0, 0, 0) == first);
}

/* In a child: the bits stay with it. Needs CAP_SETPCAP (root). */
static void securebits(void)
{
	pid_t k = probe_fork();
	if (k == 0) {
		SHOW(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
		SHOW(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS, 0, 0, 0));
		SHOW(prctl(PR_GET_KEEPCAPS, 0, 0, 0, 0));
		SHOW(prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0));
		SHOW(prctl(PR_GET_SECUREBITS, 0, 0, 0, 0));
		SHOW(prctl(PR_SET_SECUREBITS, 1 << 30, 0, 0, 0));
		SHOW(prctl(PR_SET_SECUREBITS, SECBIT_KEEP_CAPS_LOCKED, 0, 0, 0));
		SHOW(prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0));
		SHOW(prctl(PR_SET_SECUREBITS, 0, 0, 0, 0));
		SHOW(prctl(PR_SET_SECUREBITS, SECBIT_NO_CAP_AMBIENT_RAISE | SECBIT_KEEP_CAPS_LOCKED,
			   0, 0, 0));
		SHOW(prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, 0, 0, 0));
		_exit(0);
	}
	probe_wait("securebits child", k);
}

SYSCALL_TEST(prctl_more)
{
	pdeath_and_subreaper();
	timerslack();
	if (geteuid() == 0)
		securebits();
	SHOW(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	SHOW(prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0));
	SHOW(prctl(PR_GET_THP_DISABLE, 0, 0, 0, 0));
	SHOW(prctl(PR_GET_THP_DISABLE, 1, 0, 0, 0));
	SHOW(prctl(PR_SET_THP_DISABLE, 0, 1, 0, 0));
	SHOW(prctl(PR_GET_SPECULATION_CTRL, 0, 1, 0, 0));
	SHOW(prctl(PR_GET_SPECULATION_CTRL, 99, 0, 0, 0));
}
