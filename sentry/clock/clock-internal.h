/* Private to vdso/clock.c and its unit tests. */
#ifndef MSENTRY_SENTRY_CLOCK_CLOCK_INTERNAL_H
#define MSENTRY_SENTRY_CLOCK_CLOCK_INTERNAL_H

#include "sentry/clock/clock.h"

/* One calibration sample: a TSC value and the host clocks at that time. */
struct vdso_sample {
	uint64_t tsc;
	int64_t mono;	  /* host CLOCK_MONOTONIC at tsc */
	int64_t real_off; /* host CLOCK_REALTIME - CLOCK_MONOTONIC */
	int64_t boot_off; /* host CLOCK_BOOTTIME - CLOCK_MONOTONIC */
};

/* The sentry's own view of the calibration, in plain nanoseconds. */
struct vdso_calib {
	bool ready;
	uint64_t tsc_base, mult; /* as in struct vdso_params */
	int64_t mono_ns;	 /* CLOCK_MONOTONIC at tsc_base */
	int64_t real_offset;	 /* CLOCK_REALTIME - CLOCK_MONOTONIC */
	int64_t boot_offset;	 /* CLOCK_BOOTTIME - CLOCK_MONOTONIC */
};

/* Calibration at sample `s` that continues `old` without MONOTONIC ever
 * going backwards (even for readers that used `old` with a TSC up to
 * `publish_tsc`), slewing toward the host clock when ahead of it.
 * `mult_freq` is the measured ns/cycle (32.32). Pure. */
struct vdso_calib vdso_next_calib(const struct vdso_calib *old, const struct vdso_sample *s,
				  uint64_t mult_freq, uint64_t publish_tsc);

/* The page contents (all but seq) for calibration `c`. Pure. */
void vdso_params_fill(struct vdso_params *p, const struct vdso_calib *c, int64_t coarse_res,
		      unsigned cpu);

/* MONOTONIC at `tsc` according to `c`, in ns. */
int64_t vdso_calib_mono(const struct vdso_calib *c, uint64_t tsc);

#endif
