/* Private to vdso/clock.c and its unit tests. */
#ifndef MSENTRY_VDSO_CLOCK_INTERNAL_H
#define MSENTRY_VDSO_CLOCK_INTERNAL_H

#include "vdso/vdso.h"

/* One calibration sample: a TSC value and the host clocks at that time. */
struct vdso_sample {
	uint64_t tsc;
	int64_t mono;	  /* host CLOCK_MONOTONIC at tsc */
	int64_t real_off; /* host CLOCK_REALTIME - CLOCK_MONOTONIC */
	int64_t boot_off; /* host CLOCK_BOOTTIME - CLOCK_MONOTONIC */
};

/* Parameters at sample `s` that continue `old` without MONOTONIC ever going
 * backwards (even for readers that used `old` with a TSC up to
 * `publish_tsc`), slewing toward the host clock when ahead of it.
 * `mult_freq` is the measured ns/cycle (32.32). Pure. */
struct vdso_params vdso_next_params(const struct vdso_params *old, const struct vdso_sample *s,
				    uint64_t mult_freq, uint64_t publish_tsc);

#endif
