/* System V shared memory syscalls; the segments are the kernel's
 * (kernel/shm.c: the sandbox's own IPC namespace). */
#include <errno.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_HANDLER(shmget)
{
	return shm_get(t, (key_t)a[0], (size_t)a[1], (int)a[2]);
}

SYSCALL_HANDLER(shmat)
{
	return shm_attach(t, (int)a[0], a[1], (int)a[2]);
}

SYSCALL_HANDLER(shmdt)
{
	return shm_detach(t, a[0]);
}

SYSCALL_HANDLER(shmctl)
{
	return shm_control(t, (int)a[0], (int)a[1], a[2]);
}
