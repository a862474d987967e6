/* The syscalls the sentry runs inside a stub, and the stub's allow-list.
 *
 * stub_syscalls[] is the one list: seccomp.c builds the stub's filter from
 * it (an ALLOW rule per entry, or per allowed argument value), and
 * stub_inject() refuses any call it does not allow before the stub could
 * make it. So the typed calls below, and the clones and exits ptrace.c
 * injects, can never get the stub killed by its own filter, and the filter
 * allows nothing no caller uses (tests/unit/test_platform.c checks both
 * against the filter libseccomp builds).
 *
 * The typed calls run one host syscall in the address space of `th`'s stub
 * and return its raw result (-errno on failure), as platform.h says. They
 * take the host kernel's argument types: an `int` where the kernel reads an
 * int, 64 bits where it reads a long, so the host sees the program's values
 * unchanged.
 */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <linux/seccomp.h>
#include <sys/mman.h>
#include <sys/syscall.h>

#include "platform-internal.h"

const struct stub_syscall stub_syscalls[] = {
    /* Program memory: platform_mmap ... platform_munlockall. */
    {__NR_mmap, "mmap", 0, 0, {0}},
    {__NR_munmap, "munmap", 0, 0, {0}},
    {__NR_mprotect, "mprotect", 0, 0, {0}},
    {__NR_mremap, "mremap", 0, 0, {0}},
    {__NR_madvise, "madvise", 0, 0, {0}},
    {__NR_msync, "msync", 0, 0, {0}},
    {__NR_mlock, "mlock", 0, 0, {0}},
    {__NR_munlock, "munlock", 0, 0, {0}},
    {__NR_mlock2, "mlock2", 0, 0, {0}},
    {__NR_mlockall, "mlockall", 0, 0, {0}},
    {__NR_munlockall, "munlockall", 0, 0, {0}},
    /* platform_mincore: residency of the program's pages, written to
     * the program's own vector (the sentry keeps it off the stub page). */
    {__NR_mincore, "mincore", 0, 0, {0}},
    /* platform_rseq: the program's rseq area, registered for the stub
     * thread so the host keeps its cpu_id current. */
    {__NR_rseq, "rseq", 0, 0, {0}},
    /* platform_membarrier: the program's membarrier, made in its own
     * address space so that registrations and private barriers are the
     * host's own, per address space, as for a native process. */
    {__NR_membarrier, "membarrier", 0, 0, {0}},
    /* platform_userfaultfd: the program's userfaultfd, bound to its
     * own address space, with exactly the flags the sentry uses. */
    {__NR_userfaultfd, "userfaultfd", 0, 1, {STUB_UFFD_FLAGS}},
    /* platform_uffd_move: UFFDIO_MOVE, which Linux takes only from a
     * thread of the uffd's own address space; no other ioctl. */
    {__NR_ioctl, "ioctl", 1, 1, {STUB_UFFDIO_MOVE}},
    /* New address spaces and threads (platform_new_address_space,
     * platform_fork, platform_new_thread): clone with exactly these
     * flags, never anything that would give the stub more. */
    {__NR_clone, "clone", 0, 2, {STUB_FORK_FLAGS, STUB_THREAD_FLAGS}},
    /* systrap (platform/systrap/): a new program thread's signal stack
     * and its own filter, stacked on this one. */
    {__NR_sigaltstack, "sigaltstack", 0, 0, {0}},
    {__NR_seccomp, "seccomp", 0, 1, {SECCOMP_SET_MODE_FILTER}},
    /* platform_end_thread. */
    {__NR_exit, "exit", 0, 0, {0}},
    /* Not injected: allowed so a stub that ever got that far could only
     * end itself. */
    {__NR_exit_group, "exit_group", 0, 0, {0}},
};
const size_t stub_syscalls_count = ARRAY_SIZE(stub_syscalls);

bool stub_syscall_allowed(long nr, const uint64_t args[6])
{
	for (size_t i = 0; i < stub_syscalls_count; i++) {
		const struct stub_syscall *e = &stub_syscalls[i];
		if (e->nr != nr)
			continue;
		if (e->nvalues == 0)
			return true;
		for (unsigned v = 0; v < e->nvalues; v++)
			if (args[e->arg] == e->values[v])
				return true;
	}
	return false;
}

static long call(struct stub_thread *th, long nr, uint64_t a0, uint64_t a1, uint64_t a2,
		 uint64_t a3, uint64_t a4)
{
	const uint64_t args[6] = {a0, a1, a2, a3, a4, 0};
	return stub_inject(th, nr, args, NULL);
}

long platform_mmap(struct stub_thread *th, uint64_t addr, uint64_t len, uint64_t prot,
		   uint64_t flags, int fd, uint64_t off)
{
	/* PROGRAM_ADDR_MIN (platform.h); fuzz-syscalls.sh found trinity's
	 * mmap(NULL, ..., MAP_FIXED) mapping page 0. */
	if ((flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) && addr < PROGRAM_ADDR_MIN)
		return -EPERM;
	const uint64_t args[6] = {addr, len, prot, flags, (uint64_t)(int64_t)fd, off};
	return stub_inject(th, __NR_mmap, args, NULL);
}

long platform_munmap(struct stub_thread *th, uint64_t addr, uint64_t len)
{
	return call(th, __NR_munmap, addr, len, 0, 0, 0);
}

long platform_mprotect(struct stub_thread *th, uint64_t addr, uint64_t len, uint64_t prot)
{
	return call(th, __NR_mprotect, addr, len, prot, 0, 0);
}

long platform_mremap(struct stub_thread *th, uint64_t addr, uint64_t old_len, uint64_t new_len,
		     uint64_t flags, uint64_t new_addr)
{
	if ((flags & MREMAP_FIXED) && new_addr < PROGRAM_ADDR_MIN)
		return -EPERM; /* PROGRAM_ADDR_MIN (platform.h) */
	return call(th, __NR_mremap, addr, old_len, new_len, flags, new_addr);
}

long platform_madvise(struct stub_thread *th, uint64_t addr, uint64_t len, int advice)
{
	return call(th, __NR_madvise, addr, len, (uint64_t)(int64_t)advice, 0, 0);
}

long platform_msync(struct stub_thread *th, uint64_t addr, uint64_t len, int flags)
{
	return call(th, __NR_msync, addr, len, (uint64_t)(int64_t)flags, 0, 0);
}

long platform_mlock(struct stub_thread *th, uint64_t addr, uint64_t len)
{
	return call(th, __NR_mlock, addr, len, 0, 0, 0);
}

long platform_munlock(struct stub_thread *th, uint64_t addr, uint64_t len)
{
	return call(th, __NR_munlock, addr, len, 0, 0, 0);
}

long platform_mlock2(struct stub_thread *th, uint64_t addr, uint64_t len, unsigned flags)
{
	return call(th, __NR_mlock2, addr, len, flags, 0, 0);
}

long platform_mincore(struct stub_thread *th, uint64_t addr, uint64_t len, uint64_t vec)
{
	return call(th, __NR_mincore, addr, len, vec, 0, 0);
}

long platform_mlockall(struct stub_thread *th, int flags)
{
	return call(th, __NR_mlockall, (uint64_t)(int64_t)flags, 0, 0, 0, 0);
}

long platform_munlockall(struct stub_thread *th)
{
	return call(th, __NR_munlockall, 0, 0, 0, 0, 0);
}

long platform_rseq(struct stub_thread *th, uint64_t area, uint32_t len, int flags, uint32_t sig)
{
	/* systrap: injected calls run in the control thread, and rseq is a
	 * thread's own: the thread makes it itself. */
	if (th->shm) {
		const uint64_t args[6] = {area, len, (uint64_t)(int64_t)flags, sig, 0, 0};
		return systrap_thread_syscall(th, __NR_rseq, args);
	}
	return call(th, __NR_rseq, area, len, (uint64_t)(int64_t)flags, sig, 0);
}

long platform_membarrier(struct stub_thread *th, int cmd, unsigned flags, int cpu_id)
{
	return call(th, __NR_membarrier, (uint64_t)(int64_t)cmd, flags, (uint64_t)(int64_t)cpu_id,
		    0, 0);
}

long platform_userfaultfd(struct stub_thread *th)
{
	return call(th, __NR_userfaultfd, STUB_UFFD_FLAGS, 0, 0, 0, 0);
}

long platform_uffd_move(struct stub_thread *th, int fd, uint64_t arg)
{
	return call(th, __NR_ioctl, (uint64_t)(int64_t)fd, STUB_UFFDIO_MOVE, arg, 0, 0);
}
