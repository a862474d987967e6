/* futex(2) and futex_waitv(2): decode the call; the wait queues are the
 * kernel's (kernel/futex.c). The PI operations and FUTEX_WAKE_OP return
 * ENOSYS. */
#include <errno.h>
#include <linux/futex.h>
#include <time.h>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_HANDLER(futex)
{
	int op = (int)a[1] & FUTEX_CMD_MASK;
	bool realtime = (a[1] & FUTEX_CLOCK_REALTIME) != 0;
	bool priv = (a[1] & FUTEX_PRIVATE_FLAG) != 0;
	/* Linux: a futex word is 4-byte aligned (get_futex_key). */
	if (a[0] & 3)
		return -EINVAL;
	if ((op == FUTEX_REQUEUE || op == FUTEX_CMP_REQUEUE) && (a[4] & 3))
		return -EINVAL;
	switch (op) {
	case FUTEX_WAIT:
		return futex_wait(t, a[0], (uint32_t)a[2], a[3], FUTEX_BITSET_MATCH_ANY, false,
				  CLOCK_MONOTONIC, priv);
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, a[0], (uint32_t)a[2], a[3], (uint32_t)a[5], true,
				  realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC, priv);
	case FUTEX_WAKE:
		return futex_wake_addr(t, a[0], priv, (int)a[2]);
	case FUTEX_WAKE_BITSET: {
		if ((uint32_t)a[5] == 0)
			return -EINVAL;
		return futex_wake_bitset(t, a[0], priv, (uint32_t)a[5], (int)a[2]);
	}
	case FUTEX_REQUEUE:
		return futex_requeue(t, a[0], (int)a[2], (int)a[3], a[4], false, 0, priv);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(t, a[0], (int)a[2], (int)a[3], a[4], true, (uint32_t)a[5],
				     priv);
	default:
		return -ENOSYS;
	}
}

/* futex_waitv(2): Linux refuses any flags before it looks at the rest
 * (none is defined yet). */
SYSCALL_HANDLER(futex_waitv)
{
	if ((uint32_t)a[2] != 0)
		return -EINVAL;
	return futex_waitv(t, a[0], (uint32_t)a[1], a[3], (clockid_t)a[4]);
}
