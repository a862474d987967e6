/* Uses the vDSO the way libcs do and checks it against the kernel:
 *   - AT_SYSINFO_EHDR points at an ELF with soname linux-vdso.so.1 whose
 *     DT_HASH table finds __vdso_clock_gettime etc. at version LINUX_2.6;
 *   - the vDSO's clocks agree with real syscalls (REALTIME within 1 ms);
 *   - MONOTONIC/BOOTTIME never go backwards, mixing vDSO and syscalls;
 *   - libc's own clock_gettime/gettimeofday/time agree too;
 *   - /proc/self/maps shows [vdso], [vvar] and [vsyscall].
 * Exit 0 when all hold; each failure is printed. */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static int failures;
#define CHECK(cond, ...)                                                                           \
	do {                                                                                       \
		if (!(cond)) {                                                                     \
			printf("FAIL: " __VA_ARGS__);                                              \
			printf("\n");                                                              \
			failures++;                                                                \
		}                                                                                  \
	} while (0)

struct image {
	uintptr_t bias;
	const Elf64_Sym *sym;
	const char *str;
	const uint32_t *hash;
	const uint16_t *versym;
	const Elf64_Verdef *verdef;
	const char *soname;
};

static int load_image(struct image *im, uintptr_t base)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)base;
	if (memcmp(eh->e_ident, ELFMAG, SELFMAG) != 0)
		return -1;
	const Elf64_Phdr *ph = (const Elf64_Phdr *)(base + eh->e_phoff);
	const Elf64_Dyn *dyn = NULL;
	im->bias = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		if (ph[i].p_type == PT_LOAD)
			im->bias = base + ph[i].p_offset - ph[i].p_vaddr;
		if (ph[i].p_type == PT_DYNAMIC)
			dyn = (const Elf64_Dyn *)(base + ph[i].p_offset);
	}
	size_t soname = 0;
	for (; dyn && dyn->d_tag != DT_NULL; dyn++) {
		uintptr_t p = im->bias + dyn->d_un.d_ptr;
		switch (dyn->d_tag) {
		case DT_SYMTAB: im->sym = (const Elf64_Sym *)p; break;
		case DT_STRTAB: im->str = (const char *)p; break;
		case DT_HASH: im->hash = (const uint32_t *)p; break;
		case DT_VERSYM: im->versym = (const uint16_t *)p; break;
		case DT_VERDEF: im->verdef = (const Elf64_Verdef *)p; break;
		case DT_SONAME: soname = dyn->d_un.d_val; break;
		default: break;
		}
	}
	if (!im->sym || !im->str || !im->hash)
		return -1;
	im->soname = im->str + soname;
	return 0;
}

static const char *version_of(const struct image *im, uint16_t idx)
{
	const Elf64_Verdef *d = im->verdef;
	while (d) {
		if (d->vd_ndx == (idx & 0x7fff)) {
			const Elf64_Verdaux *a = (const void *)((const char *)d + d->vd_aux);
			return im->str + a->vda_name;
		}
		d = d->vd_next ? (const void *)((const char *)d + d->vd_next) : NULL;
	}
	return NULL;
}

/* Look up through the sysv hash, like musl. */
static void *lookup(const struct image *im, const char *name)
{
	uint32_t h = 0, g;
	for (const unsigned char *s = (const unsigned char *)name; *s; s++) {
		h = (h << 4) + *s;
		g = h & 0xf0000000;
		if (g)
			h ^= g >> 24;
		h &= ~g;
	}
	uint32_t nbucket = im->hash[0];
	const uint32_t *bucket = im->hash + 2, *chain = bucket + nbucket;
	for (uint32_t i = bucket[h % nbucket]; i; i = chain[i]) {
		if (strcmp(im->str + im->sym[i].st_name, name) != 0 || !im->sym[i].st_shndx)
			continue;
		const char *v = im->versym && im->verdef ? version_of(im, im->versym[i]) : NULL;
		if (!v || strcmp(v, "LINUX_2.6") != 0)
			return NULL;
		return (void *)(im->bias + im->sym[i].st_value);
	}
	return NULL;
}

static int64_t ns_of(struct timespec ts)
{
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int64_t sys_ns(clockid_t clk)
{
	struct timespec ts;
	syscall(SYS_clock_gettime, clk, &ts);
	return ns_of(ts);
}

typedef int cgt_fn(clockid_t, struct timespec *);

static void check_clocks(cgt_fn *cgt)
{
	static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME,
					   CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE,
					   CLOCK_MONOTONIC_RAW, CLOCK_PROCESS_CPUTIME_ID};
	for (size_t i = 0; i < sizeof(clocks) / sizeof(clocks[0]); i++) {
		struct timespec ts;
		CHECK(cgt(clocks[i], &ts) == 0, "clock %d fails", clocks[i]);
		CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000L, "clock %d nsec %ld", clocks[i],
		      ts.tv_nsec);
	}
	/* REALTIME within 1 ms of the kernel's, in both orders. */
	struct timespec v;
	int64_t before = sys_ns(CLOCK_REALTIME);
	cgt(CLOCK_REALTIME, &v);
	int64_t after = sys_ns(CLOCK_REALTIME);
	CHECK(ns_of(v) >= before - 1000000 && ns_of(v) <= after + 1000000,
	      "REALTIME %lld not within 1 ms of [%lld, %lld]", (long long)ns_of(v),
	      (long long)before, (long long)after);
	/* Monotonic clocks, mixing vDSO and syscalls, never go backwards. */
	const clockid_t mono[] = {CLOCK_MONOTONIC, CLOCK_BOOTTIME};
	for (int c = 0; c < 2; c++) {
		int64_t last = 0;
		for (int i = 0; i < 200000; i++) {
			int64_t now;
			if (i % 1000 == 0) {
				now = sys_ns(mono[c]);
			} else {
				cgt(mono[c], &v);
				now = ns_of(v);
			}
			if (now < last) {
				CHECK(0, "clock %d went back by %lld ns at call %d", mono[c],
				      (long long)(last - now), i);
				break;
			}
			last = now;
		}
	}
}

static void check_maps(void)
{
	FILE *f = fopen("/proc/self/maps", "r");
	char line[512];
	int vdso = 0, vvar = 0, vsys = 0;
	while (f && fgets(line, sizeof(line), f)) {
		vdso += strstr(line, "[vdso]") != NULL;
		vvar += strstr(line, "[vvar]") != NULL;
		vsys += strncmp(line, "ffffffffff600000-ffffffffff601000 --xp", 38) == 0 &&
			strstr(line, "[vsyscall]") != NULL;
	}
	if (f)
		fclose(f);
	CHECK(vdso >= 1 && vvar >= 1, "maps: [vdso] %d, [vvar] %d", vdso, vvar);
	CHECK(vsys == 1, "maps: no ffffffffff600000-ffffffffff601000 --xp [vsyscall] line");
}

int main(void)
{
	uintptr_t base = getauxval(AT_SYSINFO_EHDR);
	struct image im = {0};
	CHECK(base != 0, "no AT_SYSINFO_EHDR");
	if (base == 0 || load_image(&im, base) != 0) {
		printf("FAIL: cannot read the vDSO\n");
		return 1;
	}
	CHECK(strcmp(im.soname, "linux-vdso.so.1") == 0, "soname %s", im.soname);
	const char *names[] = {"__vdso_clock_gettime", "__vdso_gettimeofday", "__vdso_time",
			       "__vdso_getcpu", "clock_gettime", "gettimeofday", "time", "getcpu"};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		CHECK(lookup(&im, names[i]), "%s not found at LINUX_2.6 via DT_HASH", names[i]);
	cgt_fn *cgt = lookup(&im, "__vdso_clock_gettime");
	if (cgt)
		check_clocks(cgt);
	check_clocks(clock_gettime); /* through libc */
	struct timeval tv;
	gettimeofday(&tv, NULL);
	time_t t = time(NULL);
	/* Linux's time() is CLOCK_REALTIME_COARSE: up to a tick behind, so
	 * just after a second starts it may still name the one before. */
	CHECK(t >= tv.tv_sec - 1 && t <= tv.tv_sec + 1, "time() %ld vs gettimeofday %ld", (long)t,
	      (long)tv.tv_sec);
	check_maps();
	printf("vdsoprobe: %s\n", failures ? "FAILED" : "ok");
	return failures ? 1 : 0;
}
