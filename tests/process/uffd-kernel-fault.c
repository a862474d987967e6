/* A userfaultfd that asks for kernel-mode faults too (no
 * UFFD_USER_MODE_ONLY), a registered missing page passed to write() and
 * read() as their buffer, while a second thread serves the faults.
 * Natively the kernel waits in each call until the thread fills the page.
 * Under msentry the host uffd is user mode only, so the sentry's own
 * access to the page fails: EFAULT, and above all no hang (the sentry
 * would otherwise wait in the host for a thread that needs the sentry).
 * Then the main thread touches the page itself (a user-mode fault), which
 * the thread serves in both worlds. Last, requests aimed at msentry's stub
 * page. uffd-no-hang.sh checks msentry's run. */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define PAGE 4096

static int uffd;
static char src[PAGE];

/* Serve faults until none comes for a second. */
static void *server(void *arg)
{
	(void)arg;
	struct pollfd p = {.fd = uffd, .events = POLLIN};
	while (poll(&p, 1, 1000) == 1) {
		struct uffd_msg m;
		if (read(uffd, &m, sizeof(m)) != sizeof(m) || m.event != UFFD_EVENT_PAGEFAULT)
			continue;
		struct uffdio_copy c = {.dst = m.arg.pagefault.address & ~(uint64_t)(PAGE - 1),
					.src = (uintptr_t)src,
					.len = PAGE};
		ioctl(uffd, UFFDIO_COPY, &c);
	}
	return NULL;
}

static void show(const char *what, long r)
{
	if (r < 0)
		printf("%s = -1 %s\n", what,
		       errno == EFAULT	 ? "EFAULT"
		       : errno == EINVAL ? "EINVAL"
					 : strerror(errno));
	else
		printf("%s = %ld\n", what, r);
	fflush(stdout);
}

/* msentry's stub page (PROGRAM_ADDR_LIMIT, platform.h) lies above the
 * program's memory: out of reach of every request (natively the address
 * may be the stack, so only msentry's answers are checked). */
static void stub_page(char *area)
{
	const uint64_t stub = 0x7fffffffe000ULL;
	struct uffdio_register r = {.range = {stub, PAGE}, .mode = UFFDIO_REGISTER_MODE_MISSING};
	show("stub page: register", ioctl(uffd, UFFDIO_REGISTER, &r));
	r.range = (struct uffdio_range){(uintptr_t)area, stub + PAGE - (uintptr_t)area};
	show("up to the stub page: register", ioctl(uffd, UFFDIO_REGISTER, &r));
	struct uffdio_zeropage z = {.range = {stub, PAGE}};
	show("stub page: zeropage", ioctl(uffd, UFFDIO_ZEROPAGE, &z));
	struct uffdio_copy c = {.dst = stub, .src = (uintptr_t)src, .len = PAGE};
	show("stub page: copy", ioctl(uffd, UFFDIO_COPY, &c));
	uint64_t move[5] = {(uintptr_t)area, stub, PAGE, 0, 0}; /* dst, src, len */
	show("stub page: move", ioctl(uffd, _IOC(_IOC_READ | _IOC_WRITE, 0xAA, 0x05, 40), move));
}

int main(void)
{
	uffd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (uffd < 0) {
		printf("userfaultfd: %s\n", strerror(errno));
		return 1;
	}
	struct uffdio_api api = {.api = UFFD_API};
	char *area =
	    mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct uffdio_register r = {.range = {(uintptr_t)area, 3 * PAGE},
				    .mode = UFFDIO_REGISTER_MODE_MISSING};
	if (ioctl(uffd, UFFDIO_API, &api) != 0 || ioctl(uffd, UFFDIO_REGISTER, &r) != 0) {
		printf("setup: %s\n", strerror(errno));
		return 1;
	}
	memset(src, 'k', sizeof(src));
	pthread_t th;
	pthread_create(&th, NULL, server, NULL);
	int out[2], in[2];
	pipe(out);
	pipe(in);
	write(in[1], "0123456789", 10);
	show("write from a missing page", write(out[1], area, 10));
	show("read into a missing page", read(in[0], area + PAGE, 10));
	printf("touch: '%c'\n", area[2 * PAGE + 7]);
	fflush(stdout);
	pthread_join(th, NULL);
	stub_page(area);
	return 0;
}
