/* userfaultfd(2): a host userfaultfd made in the caller's stub, so bound
 * to the program's memory; its reads and polls are those of any host fd,
 * its UFFDIO_* ioctls go through the kernel's copy (sys_file.c's ioctl
 * calls uffd_ioctl). The mechanism, what differs from Linux and the
 * threats are in sentry/kernel/userfaultfd.c. */
#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_HANDLER(userfaultfd)
{
	return uffd_create(t, (int)a[0], false);
}
