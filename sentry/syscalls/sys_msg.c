/* System V message queue syscalls; the queues are the kernel's
 * (kernel/msg.c: the sandbox's own IPC namespace). */
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_HANDLER(msgget)
{
	return msg_get(t, (key_t)a[0], (int)a[1]);
}

SYSCALL_HANDLER(msgsnd)
{
	return msg_send(t, (int)a[0], a[1], (size_t)a[2], (int)a[3]);
}

SYSCALL_HANDLER(msgrcv)
{
	return msg_receive(t, (int)a[0], a[1], (size_t)a[2], (long)a[3], (int)a[4]);
}

SYSCALL_HANDLER(msgctl)
{
	return msg_control(t, (int)a[0], (int)a[1], a[2]);
}
