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

/* Linux's clock ids. */
enum {
	CLK_REALTIME = 0,
	CLK_MONOTONIC = 1,
	CLK_REALTIME_COARSE = 5,
	CLK_MONOTONIC_COARSE = 6,
	CLK_BOOTTIME = 7,
};

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

static inline uint64_t rdtsc_ordered(void)
{
	uint32_t lo, hi;
	/* lfence keeps rdtsc from running ahead of the seqcount load. */
	__asm__ volatile("lfence; rdtsc" : "=a"(lo), "=d"(hi)::"memory");
	return ((uint64_t)hi << 32) | lo;
}

static inline uint32_t read_seq(const volatile struct vdso_params *p)
{
	uint32_t s;
	while ((s = p->seq) & 1)
		__asm__ volatile("pause" ::: "memory");
	return s;
}

/* Offset of `clk` from MONOTONIC; 0 if the page does not describe it. */
static inline int clock_offset(const volatile struct vdso_params *p, int clk, int64_t *off)
{
	switch (clk) {
	case CLK_MONOTONIC:
	case CLK_MONOTONIC_COARSE:
		*off = 0;
		return 1;
	case CLK_REALTIME:
	case CLK_REALTIME_COARSE:
		*off = p->real_offset;
		return 1;
	case CLK_BOOTTIME:
		*off = p->boot_offset;
		return 1;
	default:
		return 0;
	}
}

static inline int is_coarse(int clk)
{
	return clk == CLK_REALTIME_COARSE || clk == CLK_MONOTONIC_COARSE;
}

/* Nanoseconds of `clk`, or -1 when a real syscall must answer. */
static int64_t clock_ns(int clk)
{
	volatile struct vdso_params *p = &vdso_params_page;
	int64_t ns, off;
	uint32_t seq;
	do {
		seq = read_seq(p);
		if (!p->ready || !clock_offset(p, clk, &off))
			return -1;
		uint64_t tsc_base = p->tsc_base, mult = p->mult;
		ns = p->mono_ns + off + vdso_delta_ns(rdtsc_ordered(), tsc_base, mult);
		if (is_coarse(clk))
			ns -= ns % p->coarse_res;
	} while (p->seq != seq);
	return ns;
}

int __vdso_clock_gettime(int clk, struct k_timespec *ts);
int __vdso_clock_gettime(int clk, struct k_timespec *ts)
{
	int64_t ns = clock_ns(clk);
	if (ns < 0)
		return (int)raw_syscall2(NR_CLOCK_GETTIME, clk, (long)ts);
	ts->tv_sec = ns / NSEC_PER_SEC;
	ts->tv_nsec = (long)(ns % NSEC_PER_SEC);
	return 0;
}

int __vdso_gettimeofday(struct k_timeval *tv, struct k_timezone *tz);
int __vdso_gettimeofday(struct k_timeval *tv, struct k_timezone *tz)
{
	int64_t ns = clock_ns(CLK_REALTIME);
	if (ns < 0)
		return (int)raw_syscall2(NR_GETTIMEOFDAY, (long)tv, (long)tz);
	if (tv) {
		tv->tv_sec = ns / NSEC_PER_SEC;
		tv->tv_usec = (long)(ns % NSEC_PER_SEC) / 1000;
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
	int64_t ns = clock_ns(CLK_REALTIME);
	if (ns < 0)
		return raw_syscall2(NR_TIME, (long)t, 0);
	int64_t sec = ns / NSEC_PER_SEC;
	if (t)
		*t = sec;
	return sec;
}

long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache);
long __vdso_getcpu(unsigned *cpu, unsigned *node, void *cache)
{
	volatile struct vdso_params *vp = &vdso_params_page;
	if (!vp->ready)
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
	int64_t off;
	if (!vp->ready || !clock_offset(vp, clk, &off))
		return (int)raw_syscall2(NR_CLOCK_GETRES, clk, (long)res);
	if (res) {
		int64_t r = is_coarse(clk) ? vp->coarse_res : 1;
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
