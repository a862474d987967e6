/* The key retention service's syscalls; the keys are the sandbox's own,
 * kept by the kernel (kernel/keys.c, keys-ctl.c), never the host's. */
#include "sentry/kernel/keys.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_HANDLER(add_key)
{
	return keys_add_key(t, a[0], a[1], a[2], (size_t)a[3], (int32_t)a[4]);
}

SYSCALL_HANDLER(request_key)
{
	return keys_request_key(t, a[0], a[1], a[2], (int32_t)a[3]);
}

SYSCALL_HANDLER(keyctl)
{
	return keys_keyctl(t, (int)a[0], a[1], a[2], a[3], a[4]);
}
