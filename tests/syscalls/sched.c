/* Scheduling policies and priorities, nice values, memfd_create, sync and
 * syncfs. Policy changes are made on a forked child that then exits, so
 * the probe itself never runs real-time natively. Whether the caller may
 * raise priorities (CAP_SYS_NICE) is the host's: root here, or not, alike
 * natively and under msentry. */
#include <sched.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

#include "probe.h"

/* Run fn in a child and report how it ended (its lines are its own). */
static void in_child(const char *label, void (*fn)(void))
{
	pid_t k = probe_fork();
	if (k == 0) {
		fn();
		fflush(stdout);
		_exit(0);
	}
	probe_wait(label, k);
}

SYSCALL_TEST(sched_get_priority_max)
{
	SHOW(syscall(SYS_sched_get_priority_max, SCHED_FIFO));
	SHOW(syscall(SYS_sched_get_priority_max, SCHED_RR));
	SHOW(syscall(SYS_sched_get_priority_max, SCHED_OTHER));
	SHOW(syscall(SYS_sched_get_priority_max, SCHED_BATCH));
	SHOW(syscall(SYS_sched_get_priority_max, SCHED_IDLE));
	SHOW(syscall(SYS_sched_get_priority_max, 6 /* SCHED_DEADLINE */));
	SHOW(syscall(SYS_sched_get_priority_max, 42));
}

SYSCALL_TEST(sched_get_priority_min)
{
	SHOW(syscall(SYS_sched_get_priority_min, SCHED_FIFO));
	SHOW(syscall(SYS_sched_get_priority_min, SCHED_OTHER));
	SHOW(syscall(SYS_sched_get_priority_min, 6 /* SCHED_DEADLINE */));
	SHOW(syscall(SYS_sched_get_priority_min, -1));
}

static void rt_round_trip(void)
{
	struct sched_param p = {.sched_priority = 0};
	SHOW(syscall(SYS_sched_getscheduler, 0));
	SHOW(syscall(SYS_sched_getparam, 0, &p));
	say("priority %d", p.sched_priority);
	p.sched_priority = 5;
	if (SHOW(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &p)) == 0) {
		SHOW(syscall(SYS_sched_getscheduler, 0));
		p.sched_priority = 0;
		SHOW(syscall(SYS_sched_getparam, 0, &p));
		say("priority %d", p.sched_priority);
		p.sched_priority = 7;
		SHOW(syscall(SYS_sched_setparam, 0, &p));
		SHOW(syscall(SYS_sched_getparam, 0, &p));
		say("priority %d", p.sched_priority);
		struct timespec ts;
		SHOW(syscall(SYS_sched_rr_get_interval, 0, &ts));
		say("fifo slice %ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
	}
	p.sched_priority = 0;
	SHOW(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER | SCHED_RESET_ON_FORK, &p));
	SHOW(syscall(SYS_sched_getscheduler, 0));
	SHOW(syscall(SYS_sched_setscheduler, 0, SCHED_BATCH, &p));
	SHOW(syscall(SYS_sched_getscheduler, 0));
}

SYSCALL_TEST(sched_setscheduler)
{
	struct sched_param p = {.sched_priority = 0};
	SHOW(syscall(SYS_sched_setscheduler, 0, SCHED_FIFO, &p));
	p.sched_priority = 100;
	SHOW(syscall(SYS_sched_setscheduler, 0, SCHED_RR, &p));
	p.sched_priority = 1;
	SHOW(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, &p));
	SHOW(syscall(SYS_sched_setscheduler, 0, 42, &p));
	SHOW(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, NULL));
	SHOW(syscall(SYS_sched_setscheduler, 0, SCHED_OTHER, BADPTR));
	SHOW(syscall(SYS_sched_setscheduler, -1, SCHED_OTHER, &p));
	SHOW(syscall(SYS_sched_setscheduler, 999999, SCHED_OTHER, &p));
	in_child("real-time child", rt_round_trip);
}

SYSCALL_TEST(sched_getscheduler)
{
	SHOW(syscall(SYS_sched_getscheduler, 0));
	SHOW(syscall(SYS_sched_getscheduler, getpid()));
	SHOW(syscall(SYS_sched_getscheduler, -1));
	SHOW(syscall(SYS_sched_getscheduler, 999999));
}

SYSCALL_TEST(sched_getparam)
{
	struct sched_param p = {.sched_priority = 42};
	SHOW(syscall(SYS_sched_getparam, 0, &p));
	say("priority %d", p.sched_priority);
	SHOW(syscall(SYS_sched_getparam, 0, NULL));
	SHOW(syscall(SYS_sched_getparam, 0, BADPTR));
	SHOW(syscall(SYS_sched_getparam, 999999, &p));
}

SYSCALL_TEST(sched_setparam)
{
	struct sched_param p = {.sched_priority = 0};
	SHOW(syscall(SYS_sched_setparam, 0, &p));
	p.sched_priority = 3; /* SCHED_OTHER takes only 0 */
	SHOW(syscall(SYS_sched_setparam, 0, &p));
	SHOW(syscall(SYS_sched_setparam, 0, NULL));
	SHOW(syscall(SYS_sched_setparam, 999999, &p));
}

SYSCALL_TEST(sched_rr_get_interval)
{
	struct timespec ts = {7, 7};
	SHOW(syscall(SYS_sched_rr_get_interval, 0, &ts));
	say("SCHED_OTHER slice %ld.%09ld", (long)ts.tv_sec, ts.tv_nsec);
	SHOW(syscall(SYS_sched_rr_get_interval, 0, BADPTR));
	SHOW(syscall(SYS_sched_rr_get_interval, 999999, &ts));
}

static void nice_round_trip(void)
{
	SHOW(syscall(SYS_getpriority, PRIO_PROCESS, 0));
	SHOW(syscall(SYS_setpriority, PRIO_PROCESS, 0, 5));
	SHOW(syscall(SYS_getpriority, PRIO_PROCESS, 0));
	SHOW(syscall(SYS_setpriority, PRIO_PROCESS, 0, 100)); /* clamped to 19 */
	SHOW(syscall(SYS_getpriority, PRIO_PROCESS, 0));
	SHOW(syscall(SYS_setpriority, PRIO_PROCESS, 0, -3)); /* raising: CAP_SYS_NICE */
	SHOW(syscall(SYS_getpriority, PRIO_PROCESS, 0));
	SHOW(syscall(SYS_getpriority, PRIO_PGRP, 0));
	pid_t k = probe_fork();
	if (k == 0) {
		SHOW(syscall(SYS_getpriority, PRIO_PROCESS, 0)); /* inherited */
		_exit(0);
	}
	probe_wait("grandchild", k);
}

SYSCALL_TEST(getpriority)
{
	SHOW(syscall(SYS_getpriority, PRIO_PROCESS, 0));
	SHOW(syscall(SYS_getpriority, PRIO_PROCESS, getpid()));
	SHOW(syscall(SYS_getpriority, 7, 0));
	SHOW(syscall(SYS_getpriority, PRIO_PROCESS, 999999));
	in_child("nice child", nice_round_trip);
}

SYSCALL_TEST(setpriority)
{
	SHOW(syscall(SYS_setpriority, 7, 0, 0));
	SHOW(syscall(SYS_setpriority, PRIO_PROCESS, 999999, 0));
	in_child("nice child", nice_round_trip);
}

SYSCALL_TEST(memfd_create)
{
	int cloexec = (int)syscall(SYS_memfd_create, "probe", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	say("cloexec memfd: %s", fd_state(cloexec));
	int fd = (int)syscall(SYS_memfd_create, "probe2", MFD_ALLOW_SEALING);
	say("fd state %s", fd_state(fd));
	SHOW(write(fd, "hello memfd", 11));
	SHOW(ftruncate(fd, 4096));
	char *m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	say("mmap %s", m == MAP_FAILED ? "failed" : "ok");
	if (m != MAP_FAILED) {
		say("mapped: %.11s", m);
		memcpy(m, "HELLO", 5);
		munmap(m, 4096);
	}
	char buf[16] = "";
	SHOW(pread(fd, buf, 11, 0));
	say("read back: %s", buf);
	SHOW(fcntl(fd, F_ADD_SEALS, F_SEAL_WRITE));
	SHOW(fcntl(fd, F_GET_SEALS));
	SHOW(write(fd, "x", 1));
	char link[64] = "";
	char path[32];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	SHOW(readlink(path, link, sizeof(link) - 1));
	say("link %s", link);
	SHOW(syscall(SYS_memfd_create, "bad", 0x1000));
	char longname[300];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	SHOW(syscall(SYS_memfd_create, longname, 0));
	SHOW(syscall(SYS_memfd_create, BADPTR, 0));
}

SYSCALL_TEST(sync)
{
	put_file("f", "data");
	SHOW(syscall(SYS_sync));
}

SYSCALL_TEST(syncfs)
{
	put_file("f", "data");
	int fd = open("f", O_RDONLY);
	SHOW(syscall(SYS_syncfs, fd));
	SHOW(syscall(SYS_syncfs, 999));
	SHOW(syscall(SYS_syncfs, -1));
}

SYSCALL_TEST(sync_file_range)
{
	put_file("f", "some data to flush");
	int fd = open("f", O_RDWR);
	SHOW(syscall(SYS_sync_file_range, fd, 0, 0, SYNC_FILE_RANGE_WRITE));
	SHOW(syscall(SYS_sync_file_range, fd, 0, 4096,
		     SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
			 SYNC_FILE_RANGE_WAIT_AFTER));
	SHOW(syscall(SYS_sync_file_range, fd, 0, 0, 0x100));
	SHOW(syscall(SYS_sync_file_range, fd, -1, 0, 0));
	SHOW(syscall(SYS_sync_file_range, 999, 0, 0, 0));
	int p[2];
	pipe(p);
	SHOW(syscall(SYS_sync_file_range, p[1], 0, 0, SYNC_FILE_RANGE_WRITE));
}
