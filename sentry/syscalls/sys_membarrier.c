/* membarrier: made by the caller's own stub.
 *
 * A sandbox process is a stub process whose threads are the program's
 * threads and whose memory is the program's, so the host's membarrier made
 * inside the caller's stub has exactly the native meaning: QUERY answers
 * what this host supports, REGISTER_* register the stub's address space
 * (a fork or exec gets a new one, unregistered, as natively),
 * PRIVATE_EXPEDITED (SYNC_CORE, RSEQ) interrupts the other running threads
 * of that address space (threads stopped in the sentry are not running),
 * and the host's errors (EPERM before registration, EINVAL for bad
 * commands or flags) are Linux's. The call is injected (platform_membarrier,
 * on the stub's allow-list in platform/ptrace/inject.c).
 *
 * MEMBARRIER_CMD_GLOBAL is the exception: it waits for an RCU grace period
 * on the host, milliseconds the sentry must not spend blocked, and it
 * concerns every thread of the system rather than an address space; the
 * sentry makes it itself on a helper thread (task_offload).
 */
#include <errno.h>
#include <linux/membarrier.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

static long global_barrier(void *arg)
{
	(void)arg;
	return syscall(SYS_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0 ? 0 : -errno;
}

SYSCALL_HANDLER(membarrier)
{
	if ((int)a[0] == MEMBARRIER_CMD_GLOBAL && a[1] == 0)
		return task_offload(t, global_barrier, NULL);
	return platform_membarrier(t->th, (int)a[0], (unsigned)a[1], (int)a[2]);
}
