/* futex: wait queues kept by the sentry.
 *
 * A waiter is a task blocked with BLOCK_FUTEX on (address space, address,
 * bitset). The value check and the enqueueing happen in one step of the
 * single sentry thread, and FUTEX_WAKE is itself a syscall the sentry
 * serves afterwards, so no wakeup can be lost between them. A woken waiter
 * returns 0 (t->futex_woken); a changed value gives EAGAIN, a timeout
 * ETIMEDOUT, a signal EINTR/restart. Keys are per address space: shared
 * futexes between processes (MAP_SHARED memory) are not matched; the PI
 * operations and FUTEX_WAKE_OP return ENOSYS (glibc needs neither for its
 * ordinary mutexes, condition variables and thread joins).
 */
#include <errno.h>
#include <linux/futex.h>
#include <time.h>

#include "sentry-internal.h"

static long futex_wait(struct task *t, uint64_t addr, uint32_t expected, uint64_t timeout_addr,
		       uint32_t bitset, bool absolute, clockid_t clk)
{
	if (t->retry && t->futex_woken) {
		t->futex_woken = false;
		return 0;
	}
	if (bitset == 0)
		return -EINVAL;
	uint32_t val;
	if (task_read(t, addr, &val, sizeof(val)) != 0)
		return -EFAULT;
	if (val != expected)
		return -EAGAIN;
	struct timespec ts;
	if (timeout_addr && task_read(t, timeout_addr, &ts, sizeof(ts)) != 0)
		return -EFAULT;
	if (timeout_addr && (ts.tv_nsec < 0 || ts.tv_nsec >= 1000000000L || ts.tv_sec < 0))
		return -EINVAL;
	if (task_deadline(t, timeout_addr ? &ts : NULL, absolute, clk))
		return -ETIMEDOUT;
	long r = task_block(t, BLOCK_FUTEX);
	t->block.futex_addr = addr;
	t->block.futex_bitset = bitset;
	return r;
}

/* Wake up to `max` waiters on (mm, addr) matching `bitset`. */
static int futex_wake(struct task *t, uint64_t addr, uint32_t bitset, int max)
{
	int n = 0;
	for (struct task *u = t->s->tasks; u && n < max; u = u->next) {
		if (u->state != TASK_BLOCKED || u->block.kind != BLOCK_FUTEX || u->mm != t->mm ||
		    u->block.futex_addr != addr || !(u->block.futex_bitset & bitset))
			continue;
		u->futex_woken = true;
		u->state = TASK_READY;
		n++;
	}
	return n;
}

static long futex_requeue(struct task *t, uint64_t addr, int nr_wake, int nr_requeue,
			  uint64_t addr2, bool compare, uint32_t cmpval)
{
	if (nr_wake < 0 || nr_requeue < 0)
		return -EINVAL;
	if (compare) {
		uint32_t val;
		if (task_read(t, addr, &val, sizeof(val)) != 0)
			return -EFAULT;
		if (val != cmpval)
			return -EAGAIN;
	}
	int woken = futex_wake(t, addr, FUTEX_BITSET_MATCH_ANY, nr_wake);
	int moved = 0;
	for (struct task *u = t->s->tasks; u && moved < nr_requeue; u = u->next) {
		if (u->state != TASK_BLOCKED || u->block.kind != BLOCK_FUTEX || u->mm != t->mm ||
		    u->block.futex_addr != addr)
			continue;
		u->block.futex_addr = addr2;
		moved++;
	}
	return compare ? woken + moved : woken;
}

SYSCALL_HANDLER(futex)
{
	int op = (int)a[1] & FUTEX_CMD_MASK;
	bool realtime = (a[1] & FUTEX_CLOCK_REALTIME) != 0;
	switch (op) {
	case FUTEX_WAIT:
		return futex_wait(t, a[0], (uint32_t)a[2], a[3], FUTEX_BITSET_MATCH_ANY, false,
				  CLOCK_MONOTONIC);
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, a[0], (uint32_t)a[2], a[3], (uint32_t)a[5], true,
				  realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC);
	case FUTEX_WAKE:
		return futex_wake(t, a[0], FUTEX_BITSET_MATCH_ANY, (int)a[2]);
	case FUTEX_WAKE_BITSET:
		if ((uint32_t)a[5] == 0)
			return -EINVAL;
		return futex_wake(t, a[0], (uint32_t)a[5], (int)a[2]);
	case FUTEX_REQUEUE:
		return futex_requeue(t, a[0], (int)a[2], (int)a[3], a[4], false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(t, a[0], (int)a[2], (int)a[3], a[4], true, (uint32_t)a[5]);
	default:
		return -ENOSYS;
	}
}
