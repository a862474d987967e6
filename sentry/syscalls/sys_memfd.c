/* memfd_create: an anonymous memory file, the host's own. The sentry
 * creates the memfd and hands the program an fd for it; mmap, read,
 * write, ftruncate, fcntl seals and /proc/self/fd all work on it as on any
 * host file the sentry holds (MAP_SHARED mappings are the stub's mappings
 * of the sentry's fd, so two processes sharing it share memory). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

#define MFD_NAME_MAX 249 /* Linux: NAME_MAX - strlen("memfd:") */
#ifndef MFD_NOEXEC_SEAL
#define MFD_NOEXEC_SEAL 0x0008U
#endif
#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif
#define MFD_HUGE_MASK_K (0x3fU << 26)

SYSCALL_HANDLER(memfd_create)
{
	unsigned flags = (unsigned)a[1];
	unsigned known = MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_HUGETLB | MFD_NOEXEC_SEAL | MFD_EXEC;
	if ((flags & ~(known | MFD_HUGE_MASK_K)) ||
	    ((flags & MFD_HUGE_MASK_K) && !(flags & MFD_HUGETLB)) ||
	    ((flags & MFD_NOEXEC_SEAL) && (flags & MFD_EXEC)))
		return -EINVAL;
	char name[MFD_NAME_MAX + 2];
	long n = task_read_string(t, a[0], name, sizeof(name));
	if (n == -ENAMETOOLONG || n > MFD_NAME_MAX)
		return -EINVAL;
	if (n < 0)
		return n;
	/* The host applies the same rules (hugetlb support, exec sealing). */
	int fd = memfd_create(name, (flags & ~MFD_CLOEXEC) | MFD_CLOEXEC);
	if (fd < 0)
		return -errno;
	struct file *f = file_new_host(fd, NULL);
	return fd_install(t, f, (flags & MFD_CLOEXEC) != 0, 0);
}
