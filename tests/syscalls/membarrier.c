/* membarrier: the commands this host supports (QUERY's answer, the same
 * natively and sandboxed on one host), registration before private
 * barriers, barriers with another thread running, fork and the errors. */
#include <linux/membarrier.h>
#include <pthread.h>

#include "probe.h"

#ifndef MEMBARRIER_CMD_GET_REGISTRATIONS
#define MEMBARRIER_CMD_GET_REGISTRATIONS (1 << 9) /* Linux 6.3 */
#endif

static long mb(int cmd, unsigned flags)
{
	return syscall(SYS_membarrier, cmd, flags, 0);
}

static volatile int spinning = 1;

static void *spin(void *arg)
{
	(void)arg;
	while (spinning)
		;
	return NULL;
}

SYSCALL_TEST(membarrier)
{
	long q = SHOW(mb(MEMBARRIER_CMD_QUERY, 0));
	SHOW(mb(MEMBARRIER_CMD_QUERY, 1));
	SHOW(mb(1 << 20, 0));
	if (q < 0)
		return;
	if (q & MEMBARRIER_CMD_GET_REGISTRATIONS)
		SHOW(mb(MEMBARRIER_CMD_GET_REGISTRATIONS, 0));
	if (q & MEMBARRIER_CMD_GLOBAL)
		SHOW(mb(MEMBARRIER_CMD_GLOBAL, 0));
	SHOW(mb(MEMBARRIER_CMD_GLOBAL, 2));
	if (q & MEMBARRIER_CMD_PRIVATE_EXPEDITED) {
		SHOW(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0));
		SHOW(mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED, 0));
		pthread_t th;
		pthread_create(&th, NULL, spin, NULL);
		SHOW(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0));
		SHOW(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 4));
		spinning = 0;
		pthread_join(th, NULL);
		pid_t k = probe_fork();
		if (k == 0) {
			SHOW(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED, 0));
			_exit(0);
		}
		probe_wait("child", k);
	}
	if (q & MEMBARRIER_CMD_GLOBAL_EXPEDITED) {
		SHOW(mb(MEMBARRIER_CMD_REGISTER_GLOBAL_EXPEDITED, 0));
		SHOW(mb(MEMBARRIER_CMD_GLOBAL_EXPEDITED, 0));
	}
	if (q & MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE) {
		SHOW(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0));
		SHOW(mb(MEMBARRIER_CMD_REGISTER_PRIVATE_EXPEDITED_SYNC_CORE, 0));
		SHOW(mb(MEMBARRIER_CMD_PRIVATE_EXPEDITED_SYNC_CORE, 0));
	}
	if (q & MEMBARRIER_CMD_GET_REGISTRATIONS)
		SHOW(mb(MEMBARRIER_CMD_GET_REGISTRATIONS, 0));
}
