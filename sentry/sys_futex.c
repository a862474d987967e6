/* futex, for single-threaded processes: a wait can only be woken by another
 * thread, so it fails at once. Threads bring the real wait queues. */
#include <errno.h>
#include <linux/futex.h>

#include "sentry-internal.h"

SYSCALL_HANDLER(futex)
{
	int op = (int)a[1] & FUTEX_CMD_MASK;
	uint32_t val;
	switch (op) {
	case FUTEX_WAKE:
	case FUTEX_WAKE_BITSET:
		return 0;
	case FUTEX_WAIT:
	case FUTEX_WAIT_BITSET:
		if (task_read(t, a[0], &val, sizeof(val)) != 0)
			return -EFAULT;
		return val != (uint32_t)a[2] ? -EAGAIN : -ETIMEDOUT;
	default:
		return -ENOSYS;
	}
}
