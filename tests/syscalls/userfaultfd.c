/* userfaultfd: the handshake and its errors, a thread that faults on a
 * registered page while the main thread reads the event and fills the page
 * (UFFDIO_COPY), ZEROPAGE, the copy's errors, a syscall buffer on a
 * registered missing page (EFAULT with UFFD_USER_MODE_ONLY, which every
 * uffd made here asks for, so that the native run and msentry's agree),
 * and /dev/userfaultfd where the host has it. Features are not printed:
 * they depend on the host kernel, and msentry offers fewer. */
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "probe.h"

#define PAGE	  4096
#define USER_ONLY 1 /* UFFD_USER_MODE_ONLY (Linux 5.11) */

static long new_uffd(int flags)
{
	return syscall(SYS_userfaultfd, flags);
}

static volatile char *faulting;
static char seen;

static void *toucher(void *arg)
{
	(void)arg;
	seen = faulting[100]; /* waits in the host until the page is filled */
	return NULL;
}

/* Register [at, at + len) for missing pages and print the result. */
static void reg(int u, char *at, size_t len)
{
	struct uffdio_register r = {.range = {(uintptr_t)at, len},
				    .mode = UFFDIO_REGISTER_MODE_MISSING};
	errno = 0;
	long rc = ioctl(u, UFFDIO_REGISTER, &r);
	probe_show("ioctl(UFFDIO_REGISTER)", rc, errno);
	if (rc == 0)
		say("register: COPY %d ZEROPAGE %d WAKE %d", (r.ioctls >> _UFFDIO_COPY) & 1 ? 1 : 0,
		    (r.ioctls >> _UFFDIO_ZEROPAGE) & 1 ? 1 : 0,
		    (r.ioctls >> _UFFDIO_WAKE) & 1 ? 1 : 0);
}

static void copy(int u, char *dst, const void *src, const char *label)
{
	struct uffdio_copy c = {.dst = (uintptr_t)dst, .src = (uintptr_t)src, .len = PAGE};
	errno = 0;
	long rc = ioctl(u, UFFDIO_COPY, &c);
	probe_show(label, rc, errno);
	say("%s: copy %s", label,
	    c.copy == PAGE ? "PAGE"
	    : c.copy < 0   ? errname((int)-c.copy)
			   : "other");
}

/* The fault, read as an event, and filled by the main thread. */
static void fault_and_fill(int u, char *page, const char *src)
{
	faulting = page;
	pthread_t th;
	pthread_create(&th, NULL, toucher, NULL);
	struct pollfd p = {.fd = u, .events = POLLIN};
	SHOW(poll(&p, 1, 10000));
	struct uffd_msg m;
	SHOW(read(u, &m, sizeof(m)));
	say("event PAGEFAULT %d, page %d, write %d", m.event == UFFD_EVENT_PAGEFAULT,
	    (m.arg.pagefault.address & ~(uint64_t)(PAGE - 1)) == (uintptr_t)page,
	    (m.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE) != 0);
	copy(u, page, src, "copy");
	pthread_join(th, NULL);
	say("the thread saw '%c'", seen);
}

static void handshake_errors(void)
{
	int u = SHOW(new_uffd(O_CLOEXEC | USER_ONLY));
	say("%s, O_NONBLOCK %d", fd_state(u), (fcntl(u, F_GETFL) & O_NONBLOCK) != 0);
	struct uffdio_register r = {.range = {0x100000, PAGE}, .mode = 1};
	SHOW(ioctl(u, UFFDIO_REGISTER, &r)); /* before the handshake */
	struct uffdio_api api = {.api = 0x55, .features = 0, .ioctls = 7};
	SHOW(ioctl(u, UFFDIO_API, &api));
	say("bad api: api %llu ioctls %llu", (unsigned long long)api.api,
	    (unsigned long long)api.ioctls);
	SHOW(ioctl(u, UFFDIO_API, BADPTR));
	SHOW(ioctl(u, _IOWR(UFFDIO, 0x30, struct uffdio_range), &r));
	close(u);
}

SYSCALL_TEST(userfaultfd)
{
	SHOW(new_uffd(0x100 | USER_ONLY));
	handshake_errors();
	int u = SHOW(new_uffd(O_CLOEXEC | O_NONBLOCK | USER_ONLY));
	say("%s, O_NONBLOCK %d", fd_state(u), (fcntl(u, F_GETFL) & O_NONBLOCK) != 0);
	struct uffdio_api api = {.api = UFFD_API};
	SHOW(ioctl(u, UFFDIO_API, &api));
	say("api %d, ioctls: API %d REGISTER %d UNREGISTER %d", api.api == UFFD_API,
	    (api.ioctls >> _UFFDIO_API) & 1 ? 1 : 0, (api.ioctls >> _UFFDIO_REGISTER) & 1 ? 1 : 0,
	    (api.ioctls >> _UFFDIO_UNREGISTER) & 1 ? 1 : 0);
	SHOW(ioctl(u, UFFDIO_API, &api)); /* only once */
	struct pollfd p = {.fd = u, .events = POLLIN};
	SHOW(poll(&p, 1, 0));
	struct uffd_msg m;
	SHOW(read(u, &m, sizeof(m)));
	SHOW(read(u, &m, 8));

	char *area =
	    mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	reg(u, area + 1, PAGE);
	reg(u, area, 3 * PAGE);
	static char src[PAGE];
	memset(src, 'h', sizeof(src));
	fault_and_fill(u, area, src);
	copy(u, area, src, "copy again");
	char *gone = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(gone, PAGE);
	copy(u, area + PAGE, gone, "copy from nowhere");
	copy(u, area + 3 * PAGE, src, "copy outside");
	struct uffdio_zeropage z = {.range = {(uintptr_t)area + PAGE, PAGE}};
	SHOW(ioctl(u, UFFDIO_ZEROPAGE, &z));
	say("zeropage %d, byte %d", z.zeropage == PAGE, area[PAGE + 5]);

	/* A syscall buffer on a missing page: the kernel's own access fails. */
	int pfd[2];
	pipe(pfd);
	SHOW(write(pfd[1], area + 2 * PAGE, 10));
	struct uffdio_range unreg = {(uintptr_t)area, 3 * PAGE};
	SHOW(ioctl(u, UFFDIO_UNREGISTER, &unreg));
	SHOW(write(pfd[1], area + 2 * PAGE, 10));
	close(u);

	if (access("/dev/userfaultfd", F_OK) != 0)
		return;
	int dev = open("/dev/userfaultfd", O_RDWR | O_CLOEXEC);
	if (dev < 0)
		return; /* not ours to open: the same natively */
	int v = SHOW(ioctl(dev, USERFAULTFD_IOC_NEW, O_CLOEXEC | O_NONBLOCK));
	say("%s", fd_state(v));
	SHOW(ioctl(dev, USERFAULTFD_IOC_NEW, 0x100));
	api = (struct uffdio_api){.api = UFFD_API};
	SHOW(ioctl(v, UFFDIO_API, &api));
}
