/* CPU placement of the sentry and its stubs.
 *
 * Every program syscall is a round trip sentry -> stub -> sentry. When both
 * sit on one CPU the hand-over is a plain context switch (~10 us on the VMs
 * we target); across CPUs it is a wakeup of a halted vCPU (~50 us more). So
 * the sentry pins itself to one CPU and its stubs follow it there.
 *
 * But a pinned pair cannot be load-balanced: if another busy task shares
 * that CPU (another sandbox pinned the same way, a compiler), every hand-over
 * also waits for that task's time slice, and a syscall costs 2-3x more while
 * another CPU may sit idle. The scheduler would have moved an unpinned task;
 * pinned, we must do it ourselves. So every CHECK_INTERVAL_NS the sentry
 * reads the per-CPU idle time in /proc/stat and, when another allowed CPU
 * was idle for a much larger share of the interval than ours (MOVE_GAP
 * points) twice in a row, moves there. The run delay in schedstat would be
 * the obvious signal, but each hand-over already leaves the woken sentry
 * waiting for the stub to finish stopping, so it reads 30-40% on an idle CPU
 * and tells little. Twice in a row, and an interval that differs from one
 * sentry to the next, so that two sentries sharing a busy CPU do not both
 * jump to the same idle one and back again in lockstep.
 *
 * Stubs follow lazily: before a stub is resumed, it is re-pinned if the
 * sentry's CPU (sched_getcpu(), no syscall with rseq) differs from the CPU
 * it was last pinned to. A stub that never runs again is never re-pinned.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "platform-internal.h"

/* /proc/stat counts in clock ticks (10 ms): an interval of 200 ms gives
 * shares in steps of 5%. */
#define CHECK_INTERVAL_NS 200000000ULL
#define MOVE_GAP 50 /* percentage points of idle time */

static uint64_t monotonic_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int pin(pid_t tid, int cpu)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(tid, sizeof(set), &set) == 0 ? 0 : -errno;
}

/* Sample idle and total ticks of every CPU from /proc/stat into pl->now.
 * Returns 0, or -1 if the file cannot be read or parsed. */
static int sample_cpus(struct placement *pl)
{
	char buf[16384];
	ssize_t n = pread(pl->stat_fd, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* Skip the first line, the sum over all CPUs. */
	char *line = strchr(buf, '\n');
	while (line && strncmp(line + 1, "cpu", 3) == 0) {
		char *p = line + 4;
		unsigned long long v[8] = {0};
		long cpu = strtol(p, &p, 10);
		for (int i = 0; i < 8; i++)
			v[i] = strtoull(p, &p, 10);
		if (cpu >= 0 && cpu < PLACEMENT_MAX_CPUS) {
			/* user nice system idle iowait irq softirq steal */
			pl->now[cpu].idle = v[3] + v[4];
			pl->now[cpu].total = v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7];
		}
		line = strchr(p, '\n');
	}
	return 0;
}

/* Idle share (%) of `cpu` between the last two samples; -1 if unknown. */
static int idle_share(const struct placement *pl, int cpu)
{
	uint64_t total = pl->now[cpu].total - pl->then[cpu].total;
	if (total == 0)
		return -1;
	return (int)((pl->now[cpu].idle - pl->then[cpu].idle) * 100 / total);
}

void placement_init(struct placement *pl)
{
	*pl = (struct placement){.cpu = sched_getcpu(), .want = -1, .stat_fd = -1};
	/* Tracer and stubs start on the CPU the scheduler gave us at exec,
	 * which it chose as the least loaded one. */
	if (pl->cpu < 0 || sched_getaffinity(0, sizeof(pl->allowed), &pl->allowed) != 0 ||
	    pin(0, pl->cpu) != 0) {
		pl->cpu = -1;
		return;
	}
	if (CPU_COUNT(&pl->allowed) < 2)
		return; /* nowhere else to go */
	pl->stat_fd = open("/proc/stat", O_RDONLY | O_CLOEXEC);
	if (pl->stat_fd < 0 || sample_cpus(pl) != 0)
		return;
	memcpy(pl->then, pl->now, sizeof(pl->then));
	/* 0-31 ms of jitter per sentry (see the top of the file). */
	pl->interval = CHECK_INTERVAL_NS + (uint64_t)(getpid() % 32) * 1000000ULL;
	pl->last_check = monotonic_ns();
}

void placement_release(struct placement *pl)
{
	if (pl->stat_fd >= 0)
		close(pl->stat_fd);
	pl->stat_fd = -1;
}

/* The allowed CPU, other than ours, that was idle the most. */
static int idlest_other_cpu(const struct placement *pl, int *share)
{
	int best = -1;
	*share = -1;
	for (int c = 0; c < PLACEMENT_MAX_CPUS; c++) {
		if (c == pl->cpu || !CPU_ISSET(c, &pl->allowed))
			continue;
		int s = idle_share(pl, c);
		if (s > *share) {
			best = c;
			*share = s;
		}
	}
	return best;
}

void placement_tick(struct placement *pl)
{
	if (pl->stat_fd < 0 || pl->cpu < 0)
		return;
	/* Even a vDSO clock read per stop shows in a getpid loop: look at the
	 * clock every 64 stops only (64 syscalls take well under 1 ms). */
	if (++pl->ticks % 64 != 0)
		return;
	uint64_t now = monotonic_ns();
	if (now - pl->last_check < pl->interval)
		return;
	pl->last_check = now;
	if (sample_cpus(pl) != 0)
		return;
	int other_share, to = idlest_other_cpu(pl, &other_share);
	int our_share = idle_share(pl, pl->cpu);
	memcpy(pl->then, pl->now, sizeof(pl->then));
	if (to < 0 || our_share < 0 || other_share - our_share < MOVE_GAP) {
		pl->want = -1;
		return;
	}
	if (pl->want != to) {
		pl->want = to; /* once is not yet a trend */
		return;
	}
	/* Moving ourselves migrates us before sched_setaffinity returns;
	 * the stubs follow at their next resume (placement_follow). */
	if (pin(0, to) == 0)
		pl->cpu = to;
	pl->want = -1;
}

void placement_follow(struct stub_thread *th)
{
	int cpu = sched_getcpu();
	if (cpu < 0 || cpu == th->cpu)
		return;
	/* On failure th->cpu stays stale and the next resume tries again. */
	if (pin(th->tid, cpu) == 0)
		th->cpu = cpu;
}
