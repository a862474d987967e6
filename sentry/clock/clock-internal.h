/* Private to sentry/clock/ and its unit tests. */
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

/* ---- what the host offers (hostclock.c) ---- */
struct host_clock_facts {
	bool constant_tsc, nonstop_tsc; /* an invariant TSC */
	bool rdtscp;
	char clocksource[32];		/* the host kernel's, e.g. "tsc", "kvm-clock" */
};
enum tsc_trust {
	TSC_UNUSABLE, /* not invariant: time calls trap */
	TSC_TRUSTED,  /* the host kernel keeps time from it (clocksource=tsc) */
	TSC_MEASURE,  /* invariant; usable once the CPUs are seen to agree */
};
/* Largest TSC disagreement between CPUs accepted, beyond the measurement
 * window (see tsc_skew_acceptable). */
#define TSC_MAX_SKEW_NS 1000

struct host_clock_facts host_clock_facts(void);
/* Pure: what `f` allows; *why says what rules the TSC out (else NULL). */
enum tsc_trust host_tsc_trust(const struct host_clock_facts *f, const char **why);
/* Pure: whether a measured skew between two CPUs' TSCs (in ns, either
 * sign) is small enough, given the samples' uncertainty `window_ns`. */
bool tsc_skew_acceptable(int64_t skew_ns, int64_t window_ns);

#endif
