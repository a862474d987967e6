/* userfaultfd: the program handles page faults of its own memory.
 *
 * How it works. A sandbox process's memory is its stub's address space,
 * so a userfaultfd must be bound to the stub: userfaultfd(2), and the
 * USERFAULTFD_IOC_NEW ioctl of /dev/userfaultfd, make the host call inside
 * the caller's stub (platform_userfaultfd, injected). The stub shares the
 * sentry's fd table, so the new host fd is the sentry's, and the program
 * gets a FILE_HOST file on it, O_NONBLOCK on the host with the program's
 * O_NONBLOCK kept in struct file as for the sentry's pipes. read, readv,
 * poll, select and epoll are then the ordinary paths of any host fd (a
 * blocking read waits through task_block_fd); a thread of the program that
 * faults on a registered page waits in the host kernel as natively, while
 * the sentry sees it as running. The ioctls (UFFDIO_*) take a struct in the
 * program's memory: the sentry copies it in, checks its ranges, makes the
 * host call on its own copy and copies the results back (uffd_ioctl).
 *
 * What differs from Linux, and why:
 *  - The host uffd is always UFFD_USER_MODE_ONLY. The sentry reads and
 *    writes program memory itself (process_vm_readv/writev) and injects
 *    calls into the stub; a kernel-mode fault on a registered missing or
 *    write-protected page would make the host wait in handle_userfault
 *    until a program thread resolves it, which needs the very sentry
 *    thread that waits: a deadlock of the whole sandbox. User mode only,
 *    the host fails such an access (EFAULT to the sentry, so the program's
 *    syscall gets EFAULT) as Linux does for a uffd the program made with
 *    UFFD_USER_MODE_ONLY. A program that asked for kernel faults too (it
 *    may, as root or with vm.unprivileged_userfaultfd=1) gets EFAULT where
 *    Linux would deliver a fault event and wait.
 *  - The events that make a host call wait until the uffd is read
 *    (EVENT_FORK, EVENT_REMAP, EVENT_REMOVE, EVENT_UNMAP) would come from
 *    calls the sentry injects and waits for (fork's clone, mremap,
 *    madvise, munmap): the same deadlock. UFFD_FEATURE_THREAD_ID would
 *    report host tids. These features are not offered: UFFDIO_API reports
 *    the host's features without them and refuses them with EINVAL (EPERM
 *    first for EVENT_FORK without CAP_SYS_PTRACE, as Linux).
 *  - UFFDIO_COPY: the host reads `src` from the calling process, which is
 *    the sentry. The sentry copies the program's source bytes into a
 *    buffer of its own first, in chunks of COPY_CHUNK, and stops a call at
 *    COPY_MAX bytes with the partial result (EAGAIN and the count in
 *    `copy`, as Linux reports a partial copy) so that one call cannot keep
 *    the sentry from its other tasks for long.
 *
 * Permission: userfaultfd(2) without UFFD_USER_MODE_ONLY needs
 * vm.unprivileged_userfaultfd (the host's value, which the program's
 * /proc/sys shows) or CAP_SYS_PTRACE in the sandbox, as Linux asks; the
 * host capability is never needed, since the host uffd is user mode only.
 * /dev/userfaultfd needs nothing but the open, checked with the program's
 * identity by the path code.
 *
 * Threats. The program never holds the host fd; it names it through the
 * sentry, which passes only the UFFDIO requests below (the sentry's own
 * seccomp allow-list, host-allow.def, lets no other request through).
 * The uffd acts on the stub's address space only, never the sentry's:
 * every range the host is given (REGISTER, UNREGISTER, WAKE, COPY's dst,
 * ZEROPAGE, WRITEPROTECT, CONTINUE, POISON) is checked, in the sentry's
 * copy, to lie in [PROGRAM_ADDR_MIN, PROGRAM_ADDR_LIMIT), so the stub page
 * stays out of reach (and Linux's own TASK_SIZE check becomes ours). The
 * only pointer into the sentry's memory is COPY's src, which the sentry
 * sets to its own buffer. UFFDIO_MOVE is the exception: Linux takes it
 * only from the uffd's own address space, so the stub makes it on the
 * program's struct (move_request says why that is safe); the stub's
 * filter allows it as the one ioctl a stub may make. USERFAULTFD_IOC_NEW never reaches the host:
 * made by the sentry it would bind a uffd to the sentry's own memory; the sentry makes the injected
 * call instead. The sandbox cannot hang the sentry (user mode only, the blocking events refused,
 * every host call nonblocking) nor make it copy unbounded amounts in one call (COPY_MAX).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <linux/userfaultfd.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "util/util.h"

/* Features whose events block a host call until the uffd is read, and the
 * one that reports host tids (the essay above). */
#define UFFD_REFUSED                                                                               \
	((uint64_t)(UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMAP |                           \
		    UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_EVENT_UNMAP |                         \
		    UFFD_FEATURE_THREAD_ID))

/* UFFDIO_COPY: bytes copied through the sentry's buffer at a time (a 2 MiB
 * huge page fits), and at most per call. */
#define COPY_CHUNK (2UL << 20)
#define COPY_MAX   (64UL << 20)

#define PAGE 4096UL

/* The host's vm.unprivileged_userfaultfd, which the program's /proc/sys
 * shows; 0 (Linux's default) if it cannot be read. */
static bool unprivileged_allowed(void)
{
	cleanup_close int fd = open("/proc/sys/vm/unprivileged_userfaultfd", O_RDONLY | O_CLOEXEC);
	char c = '0';
	if (fd >= 0 && read(fd, &c, 1) != 1)
		c = '0';
	return c != '0';
}

long uffd_create(struct task *t, int flags, bool device)
{
	/* Linux asks for the right first (userfaultfd_syscall_allowed), then
	 * checks the flags (new_userfaultfd). */
	if (!device && !(flags & UFFD_USER_MODE_ONLY) && !unprivileged_allowed() &&
	    !caps_has(t->proc, CAP_SYS_PTRACE))
		return -EPERM;
	if (flags & ~(O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY))
		return -EINVAL;
	long host = platform_userfaultfd(t->th);
	if (host < 0)
		return host;
	struct file *f = file_new_nonblocking((int)host, (flags & O_NONBLOCK) != 0);
	return fd_install(t, f, (flags & O_CLOEXEC) != 0, 0);
}

/* The minor number of the host's misc device "userfaultfd" (/proc/misc),
 * or -1. */
static int uffd_misc_minor(void)
{
	FILE *m = fopen("/proc/misc", "re");
	if (!m)
		return -1;
	int minor = -1, n;
	char name[64];
	while (fscanf(m, "%d %63s", &n, name) == 2)
		if (strcmp(name, "userfaultfd") == 0) {
			minor = n;
			break;
		}
	fclose(m);
	return minor;
}

bool uffd_is_device(const struct file *f)
{
	struct stat st;
	if (f->host_fd < 0 || fstat(f->host_fd, &st) != 0 || !S_ISCHR(st.st_mode) ||
	    major(st.st_rdev) != 10 /* MISC_MAJOR */)
		return false;
	int minor = uffd_misc_minor();
	return minor >= 0 && minor == (int)minor(st.st_rdev);
}

bool uffd_is(const struct file *f)
{
	char link[64], target[64];
	snprintf(link, sizeof(link), "/proc/self/fd/%d", f->host_fd);
	ssize_t n = f->host_fd >= 0 ? readlink(link, target, sizeof(target) - 1) : -1;
	if (n < 0)
		return false;
	target[n] = '\0';
	return strcmp(target, "anon_inode:[userfaultfd]") == 0;
}

/* ---- the requests ---- */

/* One UFFDIO request: its struct's size, the ranges in it (offsets of a
 * start and a length; -1: none) and the result the host writes (offset
 * and size; 0 bytes: none). Linux reads the struct up to that result. */
struct uffd_req {
	unsigned long req;
	unsigned size;
	int range[2][2];
	unsigned out_off, out_len;
};

#define RW(nr, size) _IOC(_IOC_READ | _IOC_WRITE, UFFDIO, nr, size)
#define RO(nr, size) _IOC(_IOC_READ, UFFDIO, nr, size)

static const struct uffd_req requests[] = {
    {RW(0x00, 32), 32, {{0, 8}, {-1, -1}}, 24, 8}, /* REGISTER: ioctls */
    {RO(0x01, 16), 16, {{0, 8}, {-1, -1}}, 0, 0},  /* UNREGISTER */
    {RO(0x02, 16), 16, {{0, 8}, {-1, -1}}, 0, 0},  /* WAKE */
    {RW(0x04, 32), 32, {{0, 8}, {-1, -1}}, 24, 8}, /* ZEROPAGE: zeropage */
    {RW(0x06, 24), 24, {{0, 8}, {-1, -1}}, 0, 0},  /* WRITEPROTECT */
    {RW(0x07, 32), 32, {{0, 8}, {-1, -1}}, 24, 8}, /* CONTINUE: mapped */
    {RW(0x08, 32), 32, {{0, 8}, {-1, -1}}, 24, 8}, /* POISON: updated */
};

/* Linux's check of a range in the uffd's address space (validate_range),
 * with the program's limits for TASK_SIZE and mmap_min_addr. */
static int check_range(uint64_t start, uint64_t len, bool aligned)
{
	if (aligned && ((start | len) & (PAGE - 1)))
		return -EINVAL;
	if (!len || start < PROGRAM_ADDR_MIN || start >= PROGRAM_ADDR_LIMIT ||
	    len > PROGRAM_ADDR_LIMIT - start)
		return -EINVAL;
	return 0;
}

static uint64_t field(const unsigned char *buf, int off)
{
	uint64_t v;
	memcpy(&v, buf + off, sizeof(v));
	return v;
}

static long plain_request(struct task *t, int host, const struct uffd_req *r, uint64_t arg)
{
	unsigned char buf[64] = {0};
	unsigned in = r->out_len ? r->out_off : r->size;
	if (task_read(t, arg, buf, in) != 0)
		return -EFAULT;
	/* The result as it was, so that a failure the host reports before
	 * writing it leaves it unchanged (Linux does not read it). */
	if (r->out_len)
		(void)task_read(t, arg + r->out_off, buf + r->out_off, r->out_len);
	for (int i = 0; i < 2 && r->range[i][0] >= 0; i++) {
		int rc = check_range(field(buf, r->range[i][0]), field(buf, r->range[i][1]), true);
		if (rc != 0)
			return rc;
	}
	long ret = ioctl(host, r->req, buf) == 0 ? 0 : -errno;
	/* The result as the host left it (a failure may store -errno). */
	if (r->out_len && task_write(t, arg + r->out_off, buf + r->out_off, r->out_len) != 0)
		return -EFAULT;
	return ret;
}

/* UFFDIO_API: the host's answer without the refused features. On a
 * failure Linux zeroes the program's struct. */
static long api_request(struct task *t, int host, uint64_t arg)
{
	struct uffdio_api api;
	if (task_read(t, arg, &api, sizeof(api)) != 0)
		return -EFAULT;
	long ret = 0;
	if (api.api != UFFD_API)
		ret = -EINVAL;
	else if ((api.features & UFFD_FEATURE_EVENT_FORK) && !caps_has(t->proc, CAP_SYS_PTRACE))
		ret = -EPERM;
	else if (api.features & UFFD_REFUSED)
		ret = -EINVAL;
	else if (ioctl(host, UFFDIO_API, &api) != 0)
		ret = -errno;
	if (ret != 0)
		memset(&api, 0, sizeof(api));
	api.features &= ~UFFD_REFUSED;
	return task_write(t, arg, &api, sizeof(api)) != 0 ? -EFAULT : ret;
}

/* How many bytes from `src` the program lets the sentry read, in whole
 * pages of `n` (Linux copies each destination page from its own source
 * bytes, so a fault ends the copy at that page). */
static size_t readable_prefix(struct task *t, uint64_t src, unsigned char *buf, size_t n)
{
	if (task_read(t, src, buf, n) == 0)
		return n;
	size_t ok = 0;
	while (ok < n && task_read(t, src + ok, buf + ok, PAGE) == 0)
		ok += PAGE;
	return ok;
}

/* Copy up to COPY_MAX bytes of c (dst, src, len, mode) in chunks; the
 * bytes copied, or -errno if none. */
static long copy_chunks(struct task *t, int host, const struct uffdio_copy *c)
{
	cleanup_free unsigned char *buf = xmalloc(c->len < COPY_CHUNK ? c->len : COPY_CHUNK);
	uint64_t done = 0;
	while (done < c->len && done < COPY_MAX) {
		size_t want = c->len - done < COPY_CHUNK ? c->len - done : COPY_CHUNK;
		size_t n = readable_prefix(t, c->src + done, buf, want);
		if (n == 0)
			return done ? (long)done : -EFAULT;
		struct uffdio_copy part = {.dst = c->dst + done,
					   .src = (uint64_t)(uintptr_t)buf,
					   .len = n,
					   .mode = c->mode};
		int rc = ioctl(host, UFFDIO_COPY, &part);
		int err = errno;
		if (part.copy > 0)
			done += (uint64_t)part.copy;
		/* A partial copy, a failure, or a source that faulted ends the
		 * call: the bytes copied, else the host's error. */
		if (rc != 0 || part.copy < (int64_t)n || n < want)
			return done ? (long)done : part.copy < 0 ? part.copy : -err;
	}
	return (long)done;
}

static long copy_request(struct task *t, int host, uint64_t arg)
{
	struct uffdio_copy c;
	/* Linux reads all but the result. */
	if (task_read(t, arg, &c, offsetof(struct uffdio_copy, copy)) != 0)
		return -EFAULT;
	int rc = check_range(c.src, c.len, false);
	if (rc == 0 && c.src + c.len <= c.src)
		rc = -EINVAL;
	if (rc == 0)
		rc = check_range(c.dst, c.len, true);
	if (rc == 0 && (c.mode & ~(uint64_t)(UFFDIO_COPY_MODE_DONTWAKE | UFFDIO_COPY_MODE_WP)))
		rc = -EINVAL;
	if (rc != 0)
		return rc;
	long done = copy_chunks(t, host, &c);
	int64_t result = done;
	if (task_write(t, arg + offsetof(struct uffdio_copy, copy), &result, sizeof(result)) != 0)
		return -EFAULT;
	if (done < 0)
		return done;
	return (uint64_t)done == c.len ? 0 : -EAGAIN;
}

/* UFFDIO_MOVE: Linux moves only within the caller's own address space
 * (EINVAL otherwise), so the caller's stub makes the call, on the
 * program's own struct. The ranges are checked first for Linux's errors;
 * the host reads the struct again, so a thread could change it between:
 * it could then name the stub page as the source, but Linux moves only
 * from a writable anonymous mapping with the destination's protections,
 * and the stub page is read-only code (platform/ptrace/stub.c); the
 * destination must be registered, which only a checked range can be. */
static long move_request(struct task *t, int host, uint64_t arg)
{
	uint64_t m[4]; /* dst, src, len, mode */
	if (task_read(t, arg, m, sizeof(m)) != 0)
		return -EFAULT;
	int rc = check_range(m[0], m[2], true);
	if (rc == 0)
		rc = check_range(m[1], m[2], true);
	return rc != 0 ? rc : platform_uffd_move(t->th, host, arg);
}

long uffd_ioctl(struct task *t, struct file *f, unsigned long req, uint64_t arg)
{
	if (req == UFFDIO_API)
		return api_request(t, f->host_fd, arg);
	if (req == UFFDIO_COPY)
		return copy_request(t, f->host_fd, arg);
	if (req == UFFDIO_MOVE)
		return move_request(t, f->host_fd, arg);
	for (size_t i = 0; i < ARRAY_SIZE(requests); i++)
		if (requests[i].req == req)
			return plain_request(t, f->host_fd, &requests[i], arg);
	/* Linux's answer to a request it does not know on a uffd. */
	return -EINVAL;
}
