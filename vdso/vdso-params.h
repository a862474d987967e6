/* The vDSO parameter page: written by the sentry, read by the vDSO.
 *
 * The page is mapped read-only right before the vDSO image in every address
 * space (MAP_SHARED from the sentry's memfd, so one write by the sentry is
 * seen by every process of the sandbox) and read-write by the sentry.
 *
 * Time is a linear function of the TSC. For each clock the page holds its
 * value at tsc_base, already split into seconds and nanoseconds (so the
 * reader needs no division):
 *   clock(tsc) = base[clk] + ((tsc - tsc_base) * mult) >> 32   nanoseconds
 * The sentry recalibrates about once a second; it bumps `seq` to odd,
 * writes, bumps it back to even; readers retry while it is odd or changed
 * under them. `clocks` has bit N set for each clock id N the page serves
 * (0 while the page is not ready: every call becomes a real syscall).
 *
 * This header is included by freestanding vDSO code: stdint only.
 */
#ifndef MSENTRY_VDSO_PARAMS_H
#define MSENTRY_VDSO_PARAMS_H

#include <stdint.h>

#define VDSO_PARAMS_SIZE 4096

#define VDSO_NCLOCKS 8 /* clock ids 0..7: REALTIME..BOOTTIME */

/* Ordered TSC reads: rdtscp waits for earlier loads by itself; CPUs (or
 * virtual CPUs) without it get `lfence; rdtsc`, as in the host's vDSO. */
#define VDSO_TSC_RDTSCP 0
#define VDSO_TSC_LFENCE 1

struct vdso_time {
	int64_t sec;
	int64_t nsec; /* 0 <= nsec < 1e9 */
};

struct vdso_params {
	uint32_t seq;	 /* seqcount: odd while the sentry writes */
	uint32_t clocks; /* bit N: clock id N is served here (0: not ready) */
	uint32_t coarse; /* bit N: clock id N is a _COARSE clock */
	uint32_t cpu, node; /* what getcpu() reports (valid when clocks != 0) */
	uint32_t tsc_read;  /* how to read the TSC: VDSO_TSC_RDTSCP or VDSO_TSC_LFENCE */
	uint64_t tsc_base; /* TSC value the bases refer to */
	uint64_t mult;	   /* nanoseconds per TSC cycle, 32.32 fixed point */
	int64_t coarse_res; /* resolution of the _COARSE clocks, ns (>= 1) */
	struct vdso_time base[VDSO_NCLOCKS]; /* each clock at tsc_base */
};

_Static_assert(sizeof(struct vdso_params) <= VDSO_PARAMS_SIZE, "params fit their page");

/* Nanoseconds since tsc_base, never negative: a TSC read on another CPU
 * may be a few cycles behind the sentry's sample. */
static inline int64_t vdso_delta_ns(uint64_t tsc, uint64_t tsc_base, uint64_t mult)
{
	int64_t cycles = (int64_t)(tsc - tsc_base);
	if (cycles < 0)
		cycles = 0;
	return (int64_t)(((unsigned __int128)(uint64_t)cycles * mult) >> 32);
}

#endif
