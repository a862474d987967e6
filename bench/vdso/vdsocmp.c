/* Our vDSO's clock_gettime against the host's, in one process, interleaved,
 * so the load other processes put on the CPU hits both alike.
 *
 *   vdsocmp path/to/vdso.so [rounds]
 *
 * Maps [parameter page][image] like the loader does, fills the page from
 * a short calibration against the host clock, and times batches of calls
 * of each function in turn. Prints ns/call for both and the ratio of rates. */
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vdso/vdso-params.h"

typedef int cgt_fn(clockid_t, struct timespec *);

static uint64_t rdtsc(void)
{
	uint32_t lo, hi;
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static int64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* Address of a dynamic symbol in an image mapped at `base` (linked at 0). */
static void *lookup(char *base, const char *name)
{
	Elf64_Ehdr *eh = (Elf64_Ehdr *)base;
	Elf64_Phdr *ph = (Elf64_Phdr *)(base + eh->e_phoff);
	Elf64_Dyn *dyn = NULL;
	for (int i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (Elf64_Dyn *)(base + ph[i].p_vaddr);
	Elf64_Sym *sym = NULL;
	const char *str = NULL;
	uint32_t *hash = NULL;
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		if (dyn->d_tag == DT_SYMTAB)
			sym = (Elf64_Sym *)(base + dyn->d_un.d_ptr);
		if (dyn->d_tag == DT_STRTAB)
			str = base + dyn->d_un.d_ptr;
		if (dyn->d_tag == DT_HASH)
			hash = (uint32_t *)(base + dyn->d_un.d_ptr);
	}
	if (!sym || !str || !hash)
		return NULL;
	for (uint32_t i = 0; i < hash[1]; i++) /* nchain = number of symbols */
		if (strcmp(str + sym[i].st_name, name) == 0 && sym[i].st_shndx != SHN_UNDEF)
			return base + sym[i].st_value;
	return NULL;
}

static cgt_fn *map_ours(const char *path)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0)
		return NULL;
	size_t img = (st.st_size + 4095) & ~4095UL;
	char *at = mmap(NULL, VDSO_PARAMS_SIZE + img, PROT_READ | PROT_WRITE,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (at == MAP_FAILED || pread(fd, at + VDSO_PARAMS_SIZE, st.st_size, 0) != st.st_size)
		return NULL;
	mprotect(at + VDSO_PARAMS_SIZE, img, PROT_READ | PROT_EXEC);
	struct vdso_params *p = (struct vdso_params *)at;
	uint64_t t0 = rdtsc();
	int64_t m0 = mono_ns();
	usleep(50000);
	uint64_t t1 = rdtsc();
	int64_t m1 = mono_ns();
	p->mult = (uint64_t)(((unsigned __int128)(m1 - m0) << 32) / (t1 - t0));
	p->tsc_base = t1;
	p->coarse_res = 4000000;
	p->clocks = 0xe3;
	p->base[1].sec = m1 / 1000000000;
	p->base[1].nsec = m1 % 1000000000;
	return lookup(at + VDSO_PARAMS_SIZE, "__vdso_clock_gettime");
}

static double batch_ns(cgt_fn *fn, long n)
{
	struct timespec ts;
	int64_t start = mono_ns();
	for (long i = 0; i < n; i++)
		fn(CLOCK_MONOTONIC, &ts);
	return (double)(mono_ns() - start) / n;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: vdsocmp vdso.so [rounds]\n");
		return 2;
	}
	int rounds = argc > 2 ? atoi(argv[2]) : 20;
	cgt_fn *ours = map_ours(argv[1]);
	cgt_fn *host = lookup((char *)getauxval(AT_SYSINFO_EHDR), "__vdso_clock_gettime");
	if (!ours || !host) {
		fprintf(stderr, "vdsocmp: cannot find __vdso_clock_gettime\n");
		return 1;
	}
	struct timespec a, b;
	host(CLOCK_MONOTONIC, &a);
	ours(CLOCK_MONOTONIC, &b);
	printf("host %ld.%09ld ours %ld.%09ld\n", a.tv_sec, a.tv_nsec, b.tv_sec, b.tv_nsec);
	double best_h = 1e9, best_o = 1e9;
	for (int r = 0; r < rounds; r++) {
		double h = batch_ns(host, 200000), o = batch_ns(ours, 200000);
		best_h = h < best_h ? h : best_h;
		best_o = o < best_o ? o : best_o;
	}
	printf("host vDSO %.2f ns/call, msentry vDSO %.2f ns/call, rate ratio %.1f%%\n", best_h,
	       best_o, 100.0 * best_h / best_o);
	return 0;
}
