/* Unit tests of the vDSO calibration: MONOTONIC never goes backwards across
 * a recalibration, even for a reader still on the old parameters, and the
 * page splits each clock's base into seconds and nanoseconds. */
#include <check.h>
#include <stdio.h>

#include "tests/check-run.h"

#include "sentry/clock/clock-internal.h"

#define MULT_1GHZ (1ULL << 32) /* 1 ns per cycle */

static struct vdso_calib first(void)
{
	struct vdso_calib none = {0};
	struct vdso_sample s = {.tsc = 1000, .mono = 5000000000LL, .real_off = 100, .boot_off = 7};
	return vdso_next_calib(&none, &s, MULT_1GHZ, 1000);
}

START_TEST(first_calibration_takes_the_host_values)
{
	struct vdso_calib c = first();
	ck_assert(c.ready);
	ck_assert_int_eq(vdso_calib_mono(&c, 1000), 5000000000LL);
	ck_assert_int_eq(vdso_calib_mono(&c, 2000), 5000001000LL);
}
END_TEST

START_TEST(host_ahead_steps_forward)
{
	struct vdso_calib c = first();
	struct vdso_sample s = {.tsc = 1001000, .mono = 5001000500LL};
	struct vdso_calib n = vdso_next_calib(&c, &s, MULT_1GHZ, 1001000);
	ck_assert_int_eq(vdso_calib_mono(&n, 1001000), 5001000500LL);
}
END_TEST

START_TEST(host_behind_never_goes_backwards)
{
	struct vdso_calib c = first();
	/* Our extrapolation says 5.001000000 s; the host says 50 us less. */
	struct vdso_sample s = {.tsc = 1001000, .mono = 5000950000LL};
	uint64_t publish = 1001000 + 5000; /* published 5000 cycles later */
	struct vdso_calib n = vdso_next_calib(&c, &s, MULT_1GHZ, publish);
	ck_assert_uint_lt(n.mult, MULT_1GHZ);			 /* slewing down */
	ck_assert_uint_ge(n.mult, MULT_1GHZ - MULT_1GHZ / 1000); /* at most 1000 ppm */
	/* Any reader of the old page before `publish` saw at most old(publish);
	 * every reader of the new page sees at least new(publish) afterwards. */
	for (uint64_t t = s.tsc; t <= publish; t += 100)
		ck_assert_int_le(vdso_calib_mono(&c, t),
				 vdso_calib_mono(&n, t > publish ? t : publish));
	for (uint64_t t = publish; t < publish + 3000000; t += 1000)
		ck_assert_int_le(vdso_calib_mono(&n, t), vdso_calib_mono(&n, t + 1));
	/* ...and converges: a second later it is within 1 ms of the host. */
	int64_t later = vdso_calib_mono(&n, s.tsc + 1000000000ULL);
	ck_assert_int_lt(later - (s.mono + 1000000000LL), 1000000);
}
END_TEST

START_TEST(page_splits_bases)
{
	struct vdso_calib c = first();
	c.real_offset = 1700000000LL * 1000000000LL + 999999999LL - c.mono_ns + 2;
	struct vdso_params p;
	vdso_params_fill(&p, &c, 4000000, 3);
	ck_assert_int_eq(p.base[1].sec, 5);
	ck_assert_int_eq(p.base[1].nsec, 0);
	ck_assert_int_eq(p.base[0].sec, 1700000001LL);
	ck_assert_int_eq(p.base[0].nsec, 1);
	ck_assert_int_eq(p.base[7].nsec, 7);
	ck_assert_uint_eq(p.clocks, 0xe3);
	ck_assert_uint_eq(p.cpu, 3);
	c.ready = false;
	vdso_params_fill(&p, &c, 4000000, 3);
	ck_assert_uint_eq(p.clocks, 0);
}
END_TEST

static struct host_clock_facts facts(bool invariant, const char *clocksource)
{
	struct host_clock_facts f = {.constant_tsc = invariant, .nonstop_tsc = invariant};
	snprintf(f.clocksource, sizeof(f.clocksource), "%s", clocksource);
	return f;
}

START_TEST(tsc_must_be_invariant)
{
	const char *why = NULL;
	struct host_clock_facts f = facts(false, "tsc");
	ck_assert_int_eq(host_tsc_trust(&f, &why), TSC_UNUSABLE);
	ck_assert_ptr_nonnull(why);
	f.constant_tsc = true; /* still stops in deep C-states */
	ck_assert_int_eq(host_tsc_trust(&f, &why), TSC_UNUSABLE);
}
END_TEST

START_TEST(clocksource_tsc_is_trusted)
{
	const char *why = "x";
	struct host_clock_facts f = facts(true, "tsc");
	ck_assert_int_eq(host_tsc_trust(&f, &why), TSC_TRUSTED);
	ck_assert_ptr_null(why);
}
END_TEST

START_TEST(other_clocksources_are_measured)
{
	/* kvm-clock guests booted with tsc=unstable, hpet, Hyper-V: the TSC is
	 * used once the CPUs are seen to agree. */
	static const char *const sources[] = {"kvm-clock", "hpet", "acpi_pm",
					      "hyperv_clocksource_tsc_page", "unknown"};
	for (size_t i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		const char *why;
		struct host_clock_facts f = facts(true, sources[i]);
		ck_assert_int_eq(host_tsc_trust(&f, &why), TSC_MEASURE);
	}
}
END_TEST

START_TEST(skew_limit)
{
	ck_assert(tsc_skew_acceptable(0, 0));
	ck_assert(tsc_skew_acceptable(TSC_MAX_SKEW_NS, 0));
	ck_assert(tsc_skew_acceptable(-TSC_MAX_SKEW_NS, 0));
	ck_assert(!tsc_skew_acceptable(TSC_MAX_SKEW_NS + 1, 0));
	ck_assert(!tsc_skew_acceptable(-5000, 100));
	/* A wide sample window widens what is accepted by as much. */
	ck_assert(tsc_skew_acceptable(TSC_MAX_SKEW_NS + 300, 300));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("vdso-clock");
	TCase *tc = tcase_create("calibration");
	tcase_add_test(tc, first_calibration_takes_the_host_values);
	tcase_add_test(tc, host_ahead_steps_forward);
	tcase_add_test(tc, host_behind_never_goes_backwards);
	tcase_add_test(tc, page_splits_bases);
	suite_add_tcase(s, tc);
	TCase *host = tcase_create("host");
	tcase_add_test(host, tsc_must_be_invariant);
	tcase_add_test(host, clocksource_tsc_is_trusted);
	tcase_add_test(host, other_clocksources_are_measured);
	tcase_add_test(host, skew_limit);
	suite_add_tcase(s, host);
	return check_run(s);
}
