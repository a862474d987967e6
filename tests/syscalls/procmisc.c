/* ioprio_get/ioprio_set, kcmp, vhangup, restart_syscall.
 *
 * Only what every host shows alike is printed: I/O priorities the test
 * set itself (an unset one reads 0 on Linux >= 5.15 and 4 before: both
 * print "unset"), and kcmp's equal/different, never its order of two
 * different objects (random by design). vhangup runs in a child that
 * first leaves the terminal (setsid), so that natively it hangs up
 * nothing. Changes of identity are made in children. */
#include <pthread.h>
#include <sched.h>
#include <sys/sem.h>
#include <sys/wait.h>

#include "probe.h"

#define WHO_PROCESS 1
#define WHO_PGRP    2
#define WHO_USER    3
#define PRIO(c, d)  ((c) << 13 | (d))
#define RT	    1
#define BE	    2
#define IDLE	    3

static void show_prio(const char *label, long v)
{
	if (v == 0 || v == 4)
		say("%s: unset", label);
	else if (v < 0)
		say("%s: -1 %s", label, errname(errno));
	else
		say("%s: class %ld level %ld", label, v >> 13, v & 0x1fff);
}

static long get(int which, int who)
{
	return syscall(SYS_ioprio_get, which, who);
}

SYSCALL_TEST(ioprio_get)
{
	show_prio("self", get(WHO_PROCESS, 0));
	show_prio("own pid", get(WHO_PROCESS, getpid()));
	SHOW(get(9, 0));
	SHOW(get(0, 0));
	SHOW(get(WHO_PROCESS, 999999));
	SHOW(get(WHO_PROCESS, -1));
	SHOW(get(WHO_PGRP, 999999));
	SHOW(get(WHO_USER, 54321)); /* a uid no process has */
	SHOW(get(WHO_USER, -1));
	pid_t k = probe_fork();
	if (k == 0) {
		/* Its own process group: the best value of its members. */
		setpgid(0, 0);
		SHOW(syscall(SYS_ioprio_set, WHO_PROCESS, 0, PRIO(BE, 6)));
		show_prio("pgrp", get(WHO_PGRP, 0));
		show_prio("pgrp by id", get(WHO_PGRP, getpid()));
		_exit(0);
	}
	probe_wait("child", k);
}

static long set(int which, int who, int prio)
{
	return syscall(SYS_ioprio_set, which, who, prio);
}

static void io_round_trip(void)
{
	SHOW(set(WHO_PROCESS, 0, PRIO(BE, 7)));
	show_prio("be 7", get(WHO_PROCESS, 0));
	SHOW(set(WHO_PROCESS, 0, PRIO(IDLE, 5)));
	show_prio("idle 5", get(WHO_PROCESS, 0));
	SHOW(set(WHO_PROCESS, 0, 0x10000 | PRIO(BE, 3))); /* bits above 15 dropped */
	show_prio("be 3", get(WHO_PROCESS, 0));
	SHOW(set(WHO_PROCESS, 0, PRIO(0, 0)));
	show_prio("none", get(WHO_PROCESS, 0));
	SHOW(set(WHO_PROCESS, 0, PRIO(0, 3)));
	SHOW(set(WHO_PROCESS, 0, PRIO(4, 0)));
	SHOW(set(WHO_PROCESS, 0, PRIO(7, 0)));
	SHOW(set(WHO_PROCESS, 0, -1));
	SHOW(set(9, 0, PRIO(BE, 1)));
	SHOW(set(9, 0, PRIO(7, 0))); /* the value is checked first */
	SHOW(set(WHO_PROCESS, 999999, PRIO(BE, 1)));
	SHOW(set(WHO_PGRP, 999999, PRIO(BE, 1)));
	SHOW(set(WHO_USER, 54321, PRIO(BE, 1)));
	SHOW(set(WHO_PROCESS, getpid(), PRIO(BE, 6)));
	pid_t k = probe_fork();
	if (k == 0) {
		show_prio("inherited", get(WHO_PROCESS, 0));
		_exit(0);
	}
	probe_wait("forked", k);
	/* CLONE_IO: the child shares the context, and so the priority. */
	k = (pid_t)syscall(SYS_clone, CLONE_IO | SIGCHLD, 0, 0, 0, 0);
	if (k == 0) {
		set(WHO_PROCESS, 0, PRIO(BE, 2));
		_exit(0);
	}
	probe_wait("clone_io", k);
	show_prio("after the CLONE_IO child set it", get(WHO_PROCESS, 0));
	/* IOPRIO_WHO_USER changes every process of the uid, natively on the
	 * whole host: only under a uid nothing else runs as. */
	k = probe_fork();
	if (k == 0) {
		if (syscall(SYS_setresuid, 54321, 54321, 54321) == 0) {
			SHOW(set(WHO_USER, 0, PRIO(BE, 1)));
			show_prio("by user", get(WHO_PROCESS, 0));
			show_prio("user's best", get(WHO_USER, 0));
		}
		_exit(0);
	}
	probe_wait("uid 54321", k);
	if (SHOW(set(WHO_PROCESS, 0, PRIO(RT, 0))) == 0)
		show_prio("rt 0", get(WHO_PROCESS, 0));
	pid_t parent = getpid();
	k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		SHOW(set(WHO_PROCESS, 0, PRIO(RT, 1)));
		SHOW(set(WHO_PROCESS, 0, PRIO(BE, 1)));
		SHOW(set(WHO_PROCESS, parent, PRIO(BE, 1)));
		show_prio("parent, seen by uid 1000", get(WHO_PROCESS, parent));
		_exit(0);
	}
	probe_wait("uid 1000", k);
}

SYSCALL_TEST(ioprio_set)
{
	pid_t k = probe_fork();
	if (k == 0) {
		io_round_trip();
		fflush(stdout);
		_exit(0);
	}
	probe_wait("child", k);
}

/* "equal" (0), "different" (1 or 2: an order), else the raw result. */
static void cmp(const char *label, pid_t a, pid_t b, int type, long i1, long i2)
{
	errno = 0;
	long r = syscall(SYS_kcmp, a, b, type, i1, i2);
	if (r == 0)
		say("%s: equal", label);
	else if (r == 1 || r == 2)
		say("%s: different", label);
	else
		say("%s: %ld %s", label, r, r < 0 ? errname(errno) : "");
}

static pid_t main_pid;

static void *thread_cmp(void *arg)
{
	(void)arg;
	pid_t me = (pid_t)syscall(SYS_gettid);
	cmp("thread vm", main_pid, me, 1, 0, 0);
	cmp("thread files", main_pid, me, 2, 0, 0);
	cmp("thread fs", main_pid, me, 3, 0, 0);
	cmp("thread sighand", main_pid, me, 4, 0, 0);
	return NULL;
}

static void fork_cmp(pid_t parent)
{
	pid_t me = getpid();
	cmp("fork vm", parent, me, 1, 0, 0);
	cmp("fork files", parent, me, 2, 0, 0);
	cmp("fork fs", parent, me, 3, 0, 0);
	cmp("fork sighand", parent, me, 4, 0, 0);
	cmp("fork sysvsem", parent, me, 6, 0, 0);
	cmp("fork inherited file", parent, me, 0, 0, 0);
}

SYSCALL_TEST(kcmp)
{
	pid_t me = getpid();
	int a = open(".", O_RDONLY), b = dup(a), c = open(".", O_RDONLY);
	cmp("same fd", me, me, 0, a, a);
	cmp("dup", me, me, 0, a, b);
	cmp("two opens", me, me, 0, a, c);
	long r1 = syscall(SYS_kcmp, me, me, 0, a, c), r2 = syscall(SYS_kcmp, me, me, 0, c, a);
	say("order reversed: %s", r1 + r2 == 3 ? "yes" : "no");
	cmp("self vm", me, me, 1, 0, 0);
	cmp("bad fd", me, me, 0, a, 999);
	cmp("negative fd", me, me, 0, -1, a);
	cmp("type 8", me, me, 8, 0, 0);
	cmp("type -1", me, me, -1, 0, 0);
	cmp("pid 0", 0, me, 1, 0, 0);
	cmp("no such pid", me, 999999, 1, 0, 0);
	/* Before any thread: Linux gives the process a SysV undo list when
	 * it makes a thread (CLONE_SYSVSEM), msentry only at the first
	 * SEM_UNDO. */
	pid_t k = probe_fork();
	if (k == 0) {
		fork_cmp(me);
		_exit(0);
	}
	probe_wait("forked", k);
	main_pid = me;
	pthread_t th;
	pthread_create(&th, NULL, thread_cmp, NULL);
	pthread_join(th, NULL);
	k = (pid_t)syscall(SYS_clone, CLONE_FILES | CLONE_FS | CLONE_IO | SIGCHLD, 0, 0, 0, 0);
	if (k == 0) {
		pid_t self = getpid();
		cmp("clone files", me, self, 2, 0, 0);
		cmp("clone fs", me, self, 3, 0, 0);
		cmp("clone io", me, self, 5, 0, 0);
		cmp("clone vm", me, self, 1, 0, 0);
		fflush(stdout);
		_exit(0);
	}
	probe_wait("clone", k);
	k = probe_fork();
	if (k == 0) {
		syscall(SYS_setresuid, 1000, 1000, 1000);
		cmp("uid 1000 on root's", me, getpid(), 1, 0, 0);
		cmp("uid 1000 on itself", getpid(), getpid(), 1, 0, 0);
		_exit(0);
	}
	probe_wait("uid 1000", k);
}

SYSCALL_TEST(vhangup)
{
	pid_t k = probe_fork();
	if (k == 0) {
		setsid(); /* no controlling terminal: nothing to hang up */
		SHOW(syscall(SYS_vhangup));
		pid_t g = probe_fork();
		if (g == 0) {
			syscall(SYS_setresuid, 1000, 1000, 1000);
			SHOW(syscall(SYS_vhangup));
			_exit(0);
		}
		probe_wait("uid 1000", g);
		_exit(0);
	}
	probe_wait("child", k);
}

SYSCALL_TEST(restart_syscall)
{
	SHOW(syscall(SYS_restart_syscall));
}
