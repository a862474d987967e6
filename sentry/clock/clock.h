/* clock: the clock behind msentry's vDSO, on the sentry's side.
 *
 * The vDSO image itself lives in vdso/ (freestanding: built from
 * vdso/vdso.c, checked by vdso/check.c, embedded by the build; its page
 * layout is vdso/vdso-params.h). This folder creates the memfd that holds
 * [parameter page][image], keeps the page calibrated (clock.c) and finds
 * symbols in the image (symbols.c).
 */
#ifndef MSENTRY_SENTRY_CLOCK_H
#define MSENTRY_SENTRY_CLOCK_H

#include <sched.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/loader.h"
#include "util/util.h"
#include "vdso/vdso-image.h"
#include "vdso/vdso-params.h"


struct vdso_clock;

/* The memfd "msentry-vdso" holding [params page][image], its writable
 * mapping of the params page, and the TSC calibration state. */
struct vdso {
	struct loader_vdso map;	   /* what the loader maps into each process */
	struct vdso_params *params; /* the sentry's read-write view */
	struct vdso_clock *clock;   /* NULL: TSC not usable, params never ready */
	char clocksource[32];	   /* the host's, for the warning */
	char unusable[128];	   /* why the TSC cannot be used, "" if it may be */
	bool warned;		   /* vdso_warn_if_trapping said it */
};

/* Create the memfd, copy the image, and, if `use_tsc` and the host's TSC
 * may be usable (hostclock.c), start the thread that checks it on `cpus`
 * (the CPUs the program may run on), calibrates it and keeps the
 * parameters up to date; otherwise the vDSO falls back to syscalls. `cpu`
 * is what getcpu() reports. 0, or -1 with `e` set (then vdso_destroy(*out)). */
int vdso_create(struct vdso **out, unsigned cpu, const cpu_set_t *cpus, bool use_tsc,
		struct error *e);
/* Called by time syscalls the vDSO could not serve: if that is because the
 * host's clock cannot be used (not while calibrating), say so, once:
 * `msentry: host clock X is not usable from the sandbox; time calls will
 * trap (why)`. */
void vdso_warn_if_trapping(struct vdso *v);
void vdso_destroy(struct vdso *v);

/* Offset of a dynamic symbol (e.g. "__vdso_time") from the image's start.
 * 0, or -1 if the image has no such symbol. */
int vdso_symbol_offset(const char *name, uint64_t *offset);

/* Whether programs get time from the TSC without a syscall. */
bool vdso_ready(const struct vdso *v);

#endif
