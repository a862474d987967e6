/* POSIX message queue syscalls; the queues and their descriptors are the
 * kernel's (kernel/mqueue.c: the sandbox's own IPC namespace). */
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_HANDLER(mq_open)
{
	return mq_open_name(t, a[0], (int)a[1], (mode_t)a[2], a[3]);
}

SYSCALL_HANDLER(mq_unlink)
{
	return mq_unlink_name(t, a[0]);
}

SYSCALL_HANDLER(mq_timedsend)
{
	return mq_send_msg(t, (int)a[0], a[1], (size_t)a[2], (unsigned)a[3], a[4]);
}

SYSCALL_HANDLER(mq_timedreceive)
{
	return mq_receive_msg(t, (int)a[0], a[1], (size_t)a[2], a[3], a[4]);
}

SYSCALL_HANDLER(mq_notify)
{
	return mq_notify_set(t, (int)a[0], a[1]);
}

SYSCALL_HANDLER(mq_getsetattr)
{
	return mq_attr_get_set(t, (int)a[0], a[1], a[2]);
}
