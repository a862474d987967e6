/* System V semaphore syscalls; the sets are the kernel's (kernel/sem.c:
 * the sandbox's own IPC namespace). */
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_HANDLER(semget)
{
	return sem_get(t, (key_t)a[0], (int)a[1], (int)a[2]);
}

SYSCALL_HANDLER(semop)
{
	return sem_op(t, (int)a[0], a[1], (size_t)a[2], 0);
}

SYSCALL_HANDLER(semtimedop)
{
	return sem_op(t, (int)a[0], a[1], (size_t)a[2], a[3]);
}

/* The fourth argument is union semun by value: SETVAL's int, or a pointer. */
SYSCALL_HANDLER(semctl)
{
	return sem_control(t, (int)a[0], (int)a[1], (int)a[2], a[3]);
}
