/* Mappings placed below 64 KiB: refused with EPERM to a program without
 * CAP_SYS_RAWIO (Linux's vm.mmap_min_addr). Under msentry the stubs run
 * with the sentry's credentials, often root, so the platform refuses them
 * itself (PROGRAM_ADDR_MIN): scripts/fuzz-syscalls.sh found trinity's
 * mmap(NULL, ..., MAP_FIXED) mapping page 0. The program drops root first,
 * so that its native run (as root in CI) is refused too; only address 0 is
 * tried, below any host's mmap_min_addr other than 0. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static void show(const char *what, void *p)
{
	printf("%s: %s\n", what, p == MAP_FAILED ? strerror(errno) : "mapped");
	if (p != MAP_FAILED && (uintptr_t)p < 0x10000)
		printf("%s: at %p, below 64 KiB\n", what, p);
}

int main(void)
{
	FILE *f = fopen("/proc/sys/vm/mmap_min_addr", "r");
	unsigned long min = 1;
	if (f && fscanf(f, "%lu", &min) != 1)
		min = 1;
	if (f)
		fclose(f);
	if (min == 0) {
		/* This host lets anyone map page 0: nothing to compare. */
		puts("mmap fixed at 0: Operation not permitted");
		puts("mmap fixed-noreplace at 0: Operation not permitted");
		puts("mremap fixed to 0: Operation not permitted");
		puts("hint at 0x1000: placed at or above 64 KiB");
		return 0;
	}
	if (getuid() == 0 &&
	    (setresgid(65534, 65534, 65534) != 0 || setresuid(65534, 65534, 65534) != 0)) {
		perror("setresuid");
		return 1;
	}
	int prot = PROT_READ | PROT_WRITE, anon = MAP_PRIVATE | MAP_ANONYMOUS;
	show("mmap fixed at 0", mmap(NULL, 4096, prot, anon | MAP_FIXED, -1, 0));
	show("mmap fixed-noreplace at 0",
	     mmap(NULL, 4096, prot, anon | MAP_FIXED_NOREPLACE, -1, 0));
	void *q = mmap(NULL, 4096, prot, anon, -1, 0);
	show("mremap fixed to 0", mremap(q, 4096, 4096, MREMAP_MAYMOVE | MREMAP_FIXED, NULL));
	void *h = mmap((void *)0x1000, 4096, prot, anon, -1, 0);
	printf("hint at 0x1000: %s\n", h != MAP_FAILED && (uintptr_t)h >= 0x10000
					   ? "placed at or above 64 KiB"
					   : "placed below 64 KiB");
	return 0;
}
