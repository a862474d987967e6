/* msentry's vDSO: time without a trap.
 *
 * This file is built into a tiny position-independent shared object (see
 * vdso.lds and meson.build), mapped into every program right after the
 * parameter page the sentry keeps up to date (vdso-params.h). Each call reads
 * the page under its seqcount together with the TSC and turns cycles into
 * nanoseconds with one 128-bit multiply: no syscall, no ptrace stop.
 *
 * When the page is not ready (TSC unusable on this host) or the clock is one
 * the page does not describe, the function makes the real syscall, which the
 * sentry serves like any other.
 *
 * Freestanding: no libc, no data, no relocations. The parameter page is
 * reached RIP-relative through a hidden symbol the linker script places one
 * page before the image.
 */
#include <stdint.h>

#include "vdso-params.h"

#define NSEC_PER_SEC 1000000000LL

enum { CLK_REALTIME = 0 }; /* Linux's clock id */

enum { NR_GETTIMEOFDAY = 96, NR_TIME = 201, NR_CLOCK_GETTIME = 228, NR_CLOCK_GETRES = 229,
       NR_GETCPU = 309 };

struct k_timespec {
	int64_t tv_sec;
	long tv_nsec;
};

struct k_timeval {
	int64_t tv_sec;
	long tv_usec;
};

struct k_timezone {
	int tz_minuteswest, tz_dsttime;
};

/* Not const: the sentry changes it under us, so every read must be real. */
extern volatile struct vdso_params vdso_params_page __attribute__((visibility("hidden")));

static long raw_syscall2(long nr, long a0, long a1)
{
	long ret;
	__asm__ volatile("syscall" : "=a"(ret) : "0"(nr), "D"(a0), "S"(a1) : "rcx", "r11", "memory");
	return ret;
}

static long raw_syscall3(long nr, long a0, long a1, long a2)
{
	long ret;
	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "0"(nr), "D"(a0), "S"(a1), "d"(a2)
			 : "rcx", "r11", "memory");
	return ret;
}

/* The TSC, read after the loads before it (the seqcount): rdtscp waits for
 * them by itself; where the CPU lacks it (some KVM guests) `lfence` does,
 * as in the host kernel's own vDSO. The page says which. */
static inline __attribute__((always_inline)) uint64_t rdtsc_ordered(uint32_t how)
{
	uint32_t lo, hi, aux;
	if (how == VDSO_TSC_RDTSCP)
		__asm__ volatile("rdtscp" : "=a"(lo), "=d"(hi), "=c"(aux)::"memory");
	else
		__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

/* Time of clock `clk` from the page: 0, or -1 when a real syscall must
 * answer (page not ready, or a clock it does not serve). */
static inline __attribute__((always_inline)) int clock_read(int clk, struct vdso_time *out)
{
	volatile struct vdso_params *p = &vdso_params_page;
	if ((unsigned)clk >= VDSO_NCLOCKS)
		return -1;
	uint32_t seq, coarse;
	int64_t sec, nsec;
	do {
		while ((seq = p->seq) & 1)
			__asm__ volatile("pause" ::: "memory");
		if (!(p->clocks & (1u << clk)))
			return -1;
		coarse = p->coarse & (1u << clk);
		sec = p->base[clk].sec;
		nsec = p->base[clk].nsec;
		uint64_t tsc_base = p->tsc_base, mult = p->mult;
		nsec += vdso_delta_ns(rdtsc_ordered(p->tsc_read), tsc_base, mult);
		if (coarse)
			nsec -= nsec % p->coarse_res;
	} while (p->seq != seq);
	/* Usually less than a second since the last refresh: no division. */
	if (__builtin_expect(nsec >= NSEC_PER_SEC, 0)) {
		sec += nsec / NSEC_PER_SEC;
		nsec %= NSEC_PER_SEC;
	}
	out->sec = sec;
	out->nsec = nsec;
	return 0;
}

int __vdso_clock_gettime(int clk, struct k_timespec *ts);
int __vdso_clock_gettime(int clk, struct k_timespec *ts)
{
	struct vdso_time now;
	if (clock_read(clk, &now) != 0)
		return (int)raw_syscall2(NR_CLOCK_GETTIME, clk, (long)ts);
	ts->tv_sec = now.sec;
	ts->tv_nsec = (long)now.nsec;
	return 0;
}

int __vdso_gettimeofday(struct k_timeval *tv, struct k_timezone *tz);
int __vdso_gettimeofday(struct k_timeval *tv, struct k_timezone *tz)
{
	struct vdso_time now;
	if (clock_read(CLK_REALTIME, &now) != 0)
		return (int)raw_syscall2(NR_GETTIMEOFDAY, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = now.sec;
		tv->tv_usec = (long)now.nsec / 1000;
	}
	if (tz) {
		/* The sentry's gettimeofday reports UTC too. */
		tz->tz_minuteswest = 0;
		tz->tz_dsttime = 0;
	}
	return 0;
}

int64_t __vdso_time(int64_t *t);
int64_t __vdso_time(int64_t *t)
{
	struct vdso_time now;
	if (clock_read(CLK_REALTIME, &now) != 0)
		return raw_syscall2(NR_TIME, (long)t, 0);
	if (t)
		*t = now.sec;
	return now.sec;
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache);
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	volatile struct vdso_params *vp = &vdso_params_page;
	if (!vp->clocks)
		return raw_syscall3(NR_GETCPU, (long)cpu, (long)node, (long)cache);
	if (cpu)
		*cpu = vp->cpu;
	if (node)
		*node = vp->node;
	return 0;
}

int __vdso_clock_getres(int clk, struct k_timespec *res);
int __vdso_clock_getres(int clk, struct k_timespec *res)
{
	volatile struct vdso_params *vp = &vdso_params_page;
	if ((unsigned)clk >= VDSO_NCLOCKS || !(vp->clocks & (1u << clk)))
		return (int)raw_syscall2(NR_CLOCK_GETRES, clk, (long)res);
	if (res) {
		int64_t r = vp->coarse & (1u << clk) ? vp->coarse_res : 1;
		res->tv_sec = r / NSEC_PER_SEC;
		res->tv_nsec = (long)(r % NSEC_PER_SEC);
	}
	return 0;
}

/* The plain names, weak like Linux's, for programs that look them up. */
int clock_gettime(int, struct k_timespec *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct k_timeval *, struct k_timezone *)
	__attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
long getcpu(unsigned *, unsigned *, void *) __attribute__((weak, alias("__vdso_getcpu")));
int clock_getres(int, struct k_timespec *) __attribute__((weak, alias("__vdso_clock_getres")));
