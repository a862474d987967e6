/* Memory syscalls: the program's memory is created by injecting the same
 * calls into its stub, after checking that no range touches the stub page.
 * brk is emulated on top of anonymous mappings. */
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls.h"

static bool range_ok(uint64_t addr, uint64_t len)
{
	return addr < PROGRAM_ADDR_LIMIT && len <= PROGRAM_ADDR_LIMIT - addr;
}

SYSCALL_HANDLER(mmap)
{
	uint64_t addr = a[0], len = a[1];
	int flags = (int)a[3];
	/* Linux looks the fd up before it looks at the length (LTP mmap08),
	 * and at the file's kind after. */
	struct file *f = NULL;
	if (!(flags & MAP_ANONYMOUS) && !(f = fd_lookup(t, (int)a[4])))
		return -EBADF;
	if (len == 0)
		return -EINVAL;
	if (f && f->kind != FILE_HOST)
		return -ENODEV;
	int host_fd = f ? f->host_fd : -1;
	bool fixed = flags & (MAP_FIXED | MAP_FIXED_NOREPLACE);
	if (fixed && !range_ok(addr, PAGE_UP(len)))
		return -ENOMEM;
	if (!fixed && addr && !range_ok(addr, PAGE_UP(len)))
		addr = 0; /* a hint into the stub's page is just dropped */
	if ((flags & MAP_TYPE) != MAP_PRIVATE)
		t->mm->has_shared = true; /* futex keys may be shared now */
	return platform_mmap(t->th, addr, len, a[2], (uint64_t)flags, host_fd, a[5]);
}

/* Calls that act on an existing range: forwarded once the range is checked. */
static bool range_call_ok(const uint64_t *a)
{
	return range_ok(a[0], PAGE_UP(a[1]));
}

SYSCALL_HANDLER(munmap)
{
	return range_call_ok(a) ? platform_munmap(t->th, a[0], a[1]) : -EINVAL;
}

SYSCALL_HANDLER(mprotect)
{
	return range_call_ok(a) ? platform_mprotect(t->th, a[0], a[1], a[2]) : -EINVAL;
}

SYSCALL_HANDLER(madvise)
{
	return range_call_ok(a) ? platform_madvise(t->th, a[0], a[1], (int)a[2]) : -EINVAL;
}

SYSCALL_HANDLER(msync)
{
	return range_call_ok(a) ? platform_msync(t->th, a[0], a[1], (int)a[2]) : -EINVAL;
}

SYSCALL_HANDLER(mlock)
{
	return range_call_ok(a) ? platform_mlock(t->th, a[0], a[1]) : -EINVAL;
}

SYSCALL_HANDLER(munlock)
{
	return range_call_ok(a) ? platform_munlock(t->th, a[0], a[1]) : -EINVAL;
}

/* mincore, made by the stub: the range must be the program's (past it
 * Linux sees no mapping: ENOMEM), and so must the vector, one byte a
 * page, which the host writes (a bad one is EFAULT, as in Linux). */
SYSCALL_HANDLER(mincore)
{
	uint64_t addr = a[0], len = a[1], vec = a[2];
	if (addr & (PAGE_SIZE - 1))
		return -EINVAL;
	uint64_t pages = (len + PAGE_SIZE - 1) / PAGE_SIZE;
	if (len > PROGRAM_ADDR_LIMIT || !range_ok(addr, pages * PAGE_SIZE))
		return -ENOMEM;
	if (pages && !range_ok(vec, pages))
		return -EFAULT;
	return platform_mincore(t->th, addr, len, vec);
}

SYSCALL_HANDLER(mremap)
{
	if (!range_ok(a[0], PAGE_UP(a[1])))
		return -EINVAL;
	if ((a[3] & MREMAP_FIXED) && !range_ok(a[4], PAGE_UP(a[2])))
		return -EINVAL;
	return platform_mremap(t->th, a[0], a[1], a[2], a[3], a[4]);
}

SYSCALL_HANDLER(brk)
{
	struct mm *mm = t->mm;
	uint64_t want = a[0];
	if (want < mm->brk_start || !range_ok(want, 0))
		return (long)mm->brk_end;
	uint64_t old_top = PAGE_UP(mm->brk_end), new_top = PAGE_UP(want);
	if (new_top > old_top) {
		long r = platform_mmap(t->th, old_top, new_top - old_top, PROT_READ | PROT_WRITE,
				       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
		if (r != (long)old_top) {
			if (r >= 0)
				platform_munmap(t->th, (uint64_t)r, new_top - old_top);
			return (long)mm->brk_end; /* like Linux: failure is the old break */
		}
	} else if (new_top < old_top) {
		platform_munmap(t->th, new_top, old_top - new_top);
	}
	mm->brk_end = want;
	return (long)want;
}
