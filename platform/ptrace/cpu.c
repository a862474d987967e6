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
 * reads the per-CPU busy time in /proc/stat, subtracts what it and the stub
 * that stopped last used (their schedstat), and when others took at least
 * OTHERS_MIN % of our CPU while another allowed CPU sat idle at least
 * IDLE_MIN % of the time, twice in a row, moves there. Subtracting our own
 * use matters: a syscall-bound program keeps its CPU 100% busy by itself,
 * and moving it to the idle CPU would only make that one busy and call it
 * back. The run delay in schedstat would be the obvious signal, but every
 * hand-over already leaves the woken sentry waiting for the stub to finish
 * stopping, so it reads 30-40% on an idle CPU and tells little. Twice in a
 * row, and an interval that differs from one sentry to the next, so that two
 * sentries sharing a busy CPU do not both jump to the same idle one and back
 * again in lockstep. (Threads of a program other than the last one to stop
 * count as "others": a multi-threaded program may move more than needed.)
 *
 * Stubs follow lazily: before a stub is resumed, it is re-pinned if the
 * sentry's CPU (sched_getcpu(), no syscall with rseq) differs from the CPU
 * it was last pinned to. A stub that never runs again is never re-pinned.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "platform-internal.h"

/* /proc/stat counts in clock ticks (10 ms): an interval of 200 ms gives
 * shares in steps of 5%. */
#define CHECK_INTERVAL_NS 200000000ULL
#define OTHERS_MIN 30 /* % of our CPU used by tasks not ours */
#define IDLE_MIN 50   /* % of the time the CPU we move to was idle */

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

/* CPU time (ns) a thread (0: the calling one) has used, from the first
 * field of its schedstat; 0 if unknown. */
static uint64_t thread_cpu_ns(pid_t tid)
{
	char path[64], buf[96];
	if (tid == 0)
		snprintf(path, sizeof(path), "/proc/thread-self/schedstat");
	else
		snprintf(path, sizeof(path), "/proc/%d/schedstat", tid);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return strtoull(buf, NULL, 10);
}

/* Share (%) of our CPU that tasks other than the sentry and stub `tid` used
 * since the last check, or -1 if unknown. Updates the remembered times. */
static int others_share(struct placement *pl, pid_t tid, uint64_t elapsed)
{
	uint64_t sentry = thread_cpu_ns(0), stub = thread_cpu_ns(tid);
	uint64_t ours = (sentry - pl->sentry_ns) + (stub - pl->stub_ns);
	bool known = tid == pl->stub_tid && pl->sentry_ns != 0 && stub != 0;
	pl->sentry_ns = sentry;
	pl->stub_ns = stub;
	pl->stub_tid = tid;
	uint64_t ticks = pl->now[pl->cpu].total - pl->then[pl->cpu].total;
	uint64_t idle = pl->now[pl->cpu].idle - pl->then[pl->cpu].idle;
	if (!known || ticks == 0)
		return -1;
	/* Busy time in ns, scaled from clock ticks by the interval's length:
	 * the tick counts of one CPU add up to the wall time that passed. */
	uint64_t busy = (ticks - idle) * elapsed / ticks;
	return busy > ours ? (int)((busy - ours) * 100 / elapsed) : 0;
}

void placement_init(struct placement *pl, bool pin_cpu)
{
	*pl = (struct placement){.cpu = sched_getcpu(), .want = -1, .stat_fd = -1};
	if (!pin_cpu) {
		pl->cpu = -1;
		return;
	}
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

void placement_tick(struct placement *pl, pid_t tid)
{
	if (pl->stat_fd < 0 || pl->cpu < 0)
		return;
	/* Even a vDSO clock read per stop shows in a getpid loop: look at the
	 * clock every 64 stops only (64 syscalls take well under 1 ms). */
	if (++pl->ticks % 64 != 0)
		return;
	uint64_t now = monotonic_ns(), elapsed = now - pl->last_check;
	if (elapsed < pl->interval)
		return;
	pl->last_check = now;
	if (sample_cpus(pl) != 0)
		return;
	int idle, to = idlest_other_cpu(pl, &idle);
	int others = others_share(pl, tid, elapsed);
	memcpy(pl->then, pl->now, sizeof(pl->then));
	if (to < 0 || others < OTHERS_MIN || idle < IDLE_MIN) {
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
