/* Memory protection keys: the sandbox is a kernel without PKU.
 *
 * Keys would be per address space and their rights live in each thread's
 * PKRU register, which the sentry does not manage (signal frames, fork,
 * exec); so on every host, with or without PKU, the program sees what a
 * kernel without PKU answers: pkey_alloc and pkey_free fail with EINVAL,
 * and pkey_mprotect is mprotect for key -1 and EINVAL for any other key,
 * after mprotect's own checks of the range (which Linux makes first). On a
 * host without PKU this is also exactly the native answer.
 */
#include <errno.h>
#include <sys/mman.h>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_HANDLER(pkey_alloc)
{
	(void)t, (void)a;
	return -EINVAL;
}

SYSCALL_HANDLER(pkey_free)
{
	(void)t, (void)a;
	return -EINVAL;
}

SYSCALL_HANDLER(pkey_mprotect)
{
	if ((int)a[3] == -1)
		return sys_mprotect(t, a);
	uint64_t start = a[0], len = PAGE_UP(a[1]);
	if (start & (PAGE_SIZE - 1))
		return -EINVAL;
	if (a[1] == 0)
		return 0;
	if (start + len <= start)
		return -ENOMEM;
	return -EINVAL; /* no key but -1 is ever allocated */
}
