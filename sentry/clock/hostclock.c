/* Can the sandbox's vDSO read time from the TSC on this host?
 *
 * The vDSO computes every clock as a linear function of the TSC that the
 * sentry calibrates against the host's clocks (clock.c). That is right only
 * if the TSC ticks at one rate whatever the CPU's frequency and sleep state
 * (constant_tsc and nonstop_tsc: an invariant TSC) and reads the same on
 * every CPU the program may run on. Hosts differ:
 *
 *  - clocksource=tsc: the host kernel itself keeps time from the TSC after
 *    checking it at boot; trusted as it is.
 *  - a KVM guest on kvm-clock (pvclock), often with `tsc=unstable` on the
 *    kernel command line and no rdtscp: the host's own vDSO reads the same
 *    TSC through the pvclock page, so the TSC is usable whenever it is
 *    invariant and synchronized across vCPUs. The boot flag only stops the
 *    guest kernel from using the TSC as its clocksource; it says nothing
 *    about the TSC itself.
 *  - any other clocksource (hpet, acpi_pm, a Hyper-V page...): the same.
 *
 * So an invariant TSC is required, and on every host but clocksource=tsc
 * the sentry measures before trusting it: its calibration thread reads the
 * TSC against CLOCK_MONOTONIC on each CPU it may use and compares them
 * (clock.c, tsc_cpus_agree). Where that fails, or the TSC is not invariant,
 * the vDSO makes real syscalls and msentry says so once.
 *
 * Without rdtscp the vDSO orders its TSC read with `lfence; rdtsc`, as the
 * host kernel's own vDSO does on such CPUs.
 */
#include <stdio.h>
#include <string.h>

#include "sentry/clock/clock-internal.h"

static bool line_has_flag(const char *line, const char *flag)
{
	size_t n = strlen(flag);
	for (const char *p = strstr(line, flag); p; p = strstr(p + 1, flag))
		if ((p[-1] == ' ' || p[-1] == '\t') &&
		    (p[n] == ' ' || p[n] == '\n' || p[n] == '\0'))
			return true;
	return false;
}

/* The first "flags" line of /proc/cpuinfo: every CPU of a host has the
 * same TSC features. One read of the file costs 40-130 us here (the kernel
 * measures each CPU's clock for "cpu MHz"), and this runs on msentry's
 * start-up path, so it stops at that line. */
static void read_cpu_flags(struct host_clock_facts *f)
{
	FILE *in = fopen("/proc/cpuinfo", "re");
	char line[4096];
	while (in && fgets(line, sizeof(line), in)) {
		if (strncmp(line, "flags", 5) != 0)
			continue;
		f->constant_tsc = line_has_flag(line, "constant_tsc");
		f->nonstop_tsc = line_has_flag(line, "nonstop_tsc");
		f->rdtscp = line_has_flag(line, "rdtscp");
		break;
	}
	if (in)
		fclose(in);
}

struct host_clock_facts host_clock_facts(void)
{
	struct host_clock_facts f = {0};
	read_cpu_flags(&f);
	FILE *in = fopen("/sys/devices/system/clocksource/clocksource0/current_clocksource", "re");
	if (!in || !fgets(f.clocksource, sizeof(f.clocksource), in))
		snprintf(f.clocksource, sizeof(f.clocksource), "unknown");
	f.clocksource[strcspn(f.clocksource, "\n")] = '\0';
	if (in)
		fclose(in);
	return f;
}

enum tsc_trust host_tsc_trust(const struct host_clock_facts *f, const char **why)
{
	if (!f->constant_tsc || !f->nonstop_tsc) {
		*why = "the TSC is not invariant (no constant_tsc/nonstop_tsc)";
		return TSC_UNUSABLE;
	}
	*why = NULL;
	if (strcmp(f->clocksource, "tsc") == 0)
		return TSC_TRUSTED;
	return TSC_MEASURE;
}

bool tsc_skew_acceptable(int64_t skew_ns, int64_t window_ns)
{
	if (skew_ns < 0)
		skew_ns = -skew_ns;
	/* A sample is only as exact as the window of the clock read it
	 * brackets; past that, 1 us is far below what a program can observe
	 * with a syscall between two reads on different CPUs. */
	return skew_ns <= TSC_MAX_SKEW_NS + window_ns;
}
