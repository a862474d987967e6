/* mlock2, mlockall, munlockall: injected into the caller's stub, like
 * mlock and munlock (sys_mm.c). The stub is the program's address space,
 * so the host locks the program's own pages, with the host's checks and
 * errors; RLIMIT_MEMLOCK and CAP_IPC_LOCK are msentry's own (the host
 * applies them to the stub), not the sandbox's view. mlockall also locks
 * the stub's one page of code. */
#include <errno.h>
#include <sys/mman.h>

#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_HANDLER(mlock2)
{
	if (a[0] >= PROGRAM_ADDR_LIMIT || PAGE_UP(a[1]) > PROGRAM_ADDR_LIMIT - a[0])
		return -EINVAL;
	return platform_mlock2(t->th, a[0], a[1], (unsigned)a[2]);
}

SYSCALL_HANDLER(mlockall)
{
	return platform_mlockall(t->th, (int)a[0]);
}

SYSCALL_HANDLER(munlockall)
{
	(void)a;
	return platform_munlockall(t->th);
}
