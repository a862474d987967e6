/* The vDSO parameter page: written by the sentry, read by the vDSO.
 *
 * The page is mapped read-only right before the vDSO image in every address
 * space (MAP_SHARED from the sentry's memfd, so one write by the sentry is
 * seen by every process of the sandbox) and read-write by the sentry.
 *
 * Time is a linear function of the TSC:
 *   mono_ns(tsc) = mono_ns + ((tsc - tsc_base) * mult) >> 32
 * with REALTIME and BOOTTIME as fixed offsets from MONOTONIC. The sentry
 * recalibrates about once a second; writers bump `seq` to odd, write, bump
 * it back to even; readers retry while it is odd or changed under them.
 *
 * This header is included by freestanding vDSO code: stdint only.
 */
#ifndef MSENTRY_VDSO_PARAMS_H
#define MSENTRY_VDSO_PARAMS_H

#include <stdint.h>

#define VDSO_PARAMS_SIZE 4096

struct vdso_params {
	uint32_t seq;	      /* seqcount: odd while the sentry writes */
	uint32_t ready;	      /* 0: no usable TSC yet, use real syscalls */
	uint64_t tsc_base;    /* TSC value the bases below refer to */
	uint64_t mult;	      /* nanoseconds per TSC cycle, 32.32 fixed point */
	int64_t mono_ns;      /* CLOCK_MONOTONIC at tsc_base */
	int64_t real_offset;  /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	int64_t boot_offset;  /* CLOCK_BOOTTIME - CLOCK_MONOTONIC */
	int64_t coarse_res;   /* resolution of the _COARSE clocks, ns */
	uint32_t cpu, node;   /* what getcpu() reports */
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
