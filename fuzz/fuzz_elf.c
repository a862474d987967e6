/* Fuzz target: the ELF loader's checks (elf_check) and its mapping plan
 * (elf_map), on any bytes.
 *
 * The input is the first bytes of an executable; the file is as long as
 * the input. elf_check must accept or refuse it without reading outside
 * the input; an accepted image is then mapped through fake loader_ops
 * that record nothing but check what a real mapping would rely on: every
 * segment mapping and every write lies inside the span reserved first,
 * is page-aligned (mappings) and does not wrap around. A broken rule
 * aborts, which libFuzzer reports as a crash with the input saved.
 */
#include <elf.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "loader/loader-internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Where a fake ET_DYN reservation lands when there is no hint. */
#define FAKE_BASE 0x7f0000000000ULL

struct fake_mm {
	uint64_t lo, hi; /* the reserved span; hi == 0 before the reservation */
};

static long fake_map(void *ctx, uint64_t addr, uint64_t len, int prot, int flags, int fd,
		     uint64_t off)
{
	struct fake_mm *mm = ctx;
	(void)prot;
	(void)fd;
	if (len == 0 || len > (1ULL << 47) || (len & (PAGE_SIZE - 1)) != 0 ||
	    (addr & (PAGE_SIZE - 1)) != 0 || (off & (PAGE_SIZE - 1)) != 0)
		abort();
	if (mm->hi == 0) {
		/* The reservation: where the host would put it. */
		if (!(flags & MAP_FIXED_NOREPLACE) && addr == 0)
			addr = FAKE_BASE;
		if (addr + len < addr || addr + len > (1ULL << 47))
			return -ENOMEM; /* the host would refuse it too */
		mm->lo = addr;
		mm->hi = addr + len;
		return (long)addr;
	}
	if (!(flags & MAP_FIXED) || addr < mm->lo || addr + len < addr || addr + len > mm->hi)
		abort(); /* a segment outside its reservation */
	return (long)addr;
}

static int fake_write(void *ctx, uint64_t addr, const void *buf, size_t len)
{
	struct fake_mm *mm = ctx;
	if (len == 0)
		return 0;
	if (addr < mm->lo || addr + len < addr || addr + len > mm->hi)
		abort();
	/* Touch both ends of the source so ASan sees an over-read. */
	const volatile uint8_t *p = buf;
	(void)p[0];
	(void)p[len - 1];
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct elf_info info; /* big: keep it off the stack */
	memset(&info, 0, sizeof(info));
	struct error e;
	if (elf_check(data, size, size, &info, &e) != 0)
		return 0;
	struct fake_mm mm = {0};
	struct loader_ops ops = {.ctx = &mm, .map = fake_map, .write = fake_write};
	struct loaded_elf out;
	/* The hint the loader uses for a PIE, and "anywhere" as for ld.so. */
	if (elf_map(&ops, 3, &info, 0x555555554000ULL, &out) == 0 && out.phnum != info.phnum)
		abort();
	mm = (struct fake_mm){0};
	elf_map(&ops, 3, &info, 0, &out);
	return 0;
}
