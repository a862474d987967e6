/* sched_setattr and sched_getattr. Changes are made in a forked child, so
 * the probe never runs real-time natively. Left out, as host-dependent:
 * a fair task's slice (sched_runtime: Linux scales it by the CPU count),
 * utilization clamps (absent from some kernels) and SCHED_DEADLINE with
 * valid parameters (msentry never admits one; a root host does), and what
 * a larger struct's tail reads back (cleared since Linux 6.13). */
#include <sched.h>
#include <stdint.h>

#include "probe.h"

struct attr {
	uint32_t size, policy;
	uint64_t flags;
	int32_t nice;
	uint32_t priority;
	uint64_t runtime, deadline, period;
	uint32_t util_min, util_max;
	uint8_t tail[16]; /* a newer struct's fields */
};

static void get_show(const char *label, unsigned size)
{
	struct attr a;
	memset(&a, 0xff, sizeof(a));
	if (SHOW(syscall(SYS_sched_getattr, 0, &a, size, 0)) == 0)
		say("%s: size %u policy %u flags %#llx nice %d priority %u", label, a.size,
		    a.policy, (unsigned long long)a.flags, a.nice, a.priority);
}

SYSCALL_TEST(sched_getattr)
{
	get_show("48", 48);
	get_show("56", 56);
	get_show("72", 72);
	struct attr a;
	SHOW(syscall(SYS_sched_getattr, 0, &a, 47, 0));
	SHOW(syscall(SYS_sched_getattr, 0, &a, 4097, 0));
	SHOW(syscall(SYS_sched_getattr, 0, &a, 56, 1));
	SHOW(syscall(SYS_sched_getattr, 0, NULL, 56, 0));
	SHOW(syscall(SYS_sched_getattr, 0, BADPTR, 56, 0));
	SHOW(syscall(SYS_sched_getattr, -1, &a, 56, 0));
	SHOW(syscall(SYS_sched_getattr, 999999, &a, 56, 0));
}

static long set(uint32_t size, uint32_t policy, uint64_t flags, int nice, uint32_t prio)
{
	struct attr a = {
	    .size = size, .policy = policy, .flags = flags, .nice = nice, .priority = prio};
	return syscall(SYS_sched_setattr, 0, &a, 0);
}

static void set_round_trip(void)
{
	SHOW(set(56, SCHED_BATCH, 0, 5, 0));
	get_show("batch", 56);
	SHOW(set(0, SCHED_OTHER, 0, 7, 0)); /* size 0: the first version */
	get_show("other", 56);
	SHOW(set(48, SCHED_IDLE, 0, 0, 0)); /* SCHED_IDLE keeps the nice value */
	get_show("idle", 56);
	SHOW(set(56, SCHED_OTHER, 0, 100, 0)); /* clamped to 19 */
	get_show("clamped", 56);
	SHOW(set(56, SCHED_OTHER, 0x10 /* KEEP_PARAMS */, 0, 0));
	get_show("keep params", 56);
	SHOW(set(56, SCHED_BATCH, 0x08 /* KEEP_POLICY */, 12, 0));
	get_show("keep policy", 56);
	SHOW(set(56, SCHED_OTHER, 0, 3, 0)); /* a lower nice: CAP_SYS_NICE */
	SHOW(set(56, SCHED_FIFO, 0, 0, 0));
	SHOW(set(56, SCHED_OTHER, 0, 0, 3));
	SHOW(set(56, SCHED_FIFO, 0, 0, 100));
	SHOW(set(56, 6 /* SCHED_DEADLINE */, 0, 0, 0)); /* no deadline */
	SHOW(set(56, 42, 0, 0, 0));
	SHOW(set(56, (uint32_t)-1, 0, 0, 0));
	SHOW(set(56, SCHED_OTHER, 0x80, 0, 0));
	if (SHOW(set(56, SCHED_RR, 0, 0, 4)) == 0)
		get_show("rr", 56);
	SHOW(set(56, SCHED_OTHER, 1 /* RESET_ON_FORK */, 0, 0));
	get_show("reset on fork", 56);
	pid_t k = probe_fork();
	if (k == 0) {
		get_show("forked", 56);
		_exit(0);
	}
	probe_wait("grandchild", k);
}

SYSCALL_TEST(sched_setattr)
{
	struct attr a = {.size = 72, .policy = SCHED_OTHER};
	SHOW(syscall(SYS_sched_setattr, 0, &a, 0)); /* a zero tail is accepted */
	a.tail[3] = 1;
	SHOW(syscall(SYS_sched_setattr, 0, &a, 0));
	say("size written back %u", a.size);
	a = (struct attr){.size = 47};
	SHOW(syscall(SYS_sched_setattr, 0, &a, 0));
	say("size written back %u", a.size);
	a = (struct attr){.size = 8192};
	SHOW(syscall(SYS_sched_setattr, 0, &a, 0));
	say("size written back %u", a.size);
	a = (struct attr){.size = 56};
	SHOW(syscall(SYS_sched_setattr, 0, &a, 1));
	SHOW(syscall(SYS_sched_setattr, -1, &a, 0));
	SHOW(syscall(SYS_sched_setattr, 999999, &a, 0));
	SHOW(syscall(SYS_sched_setattr, 0, NULL, 0));
	SHOW(syscall(SYS_sched_setattr, 0, BADPTR, 0));
	a = (struct attr){.size = 48, .flags = 0x20}; /* clamps need the 56-byte struct */
	SHOW(syscall(SYS_sched_setattr, 0, &a, 0));
	a = (struct attr){.size = 56, .policy = 6, .runtime = 100, .deadline = 1000000};
	SHOW(syscall(SYS_sched_setattr, 0, &a, 0)); /* runtime below 1024 ns */
	a = (struct attr){.size = 56, .policy = 6, .runtime = 2000000, .deadline = 1000000};
	SHOW(syscall(SYS_sched_setattr, 0, &a, 0)); /* runtime above deadline */
	pid_t k = probe_fork();
	if (k == 0) {
		set_round_trip();
		fflush(stdout);
		_exit(0);
	}
	probe_wait("child", k);
}
