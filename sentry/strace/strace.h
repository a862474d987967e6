/* strace: the sentry's own syscall tracer (`msentry run --strace`); what
 * the rest of the sentry calls. strace-internal.h says how it works.
 *
 * The kernel reports syscalls, signals, exits and execs through the
 * `struct kernel_observer` that strace_start installs; the vsyscall
 * emulation, which sits above the tracer, calls the two vsyscall events
 * directly through STRACE().
 */
#ifndef MSENTRY_SENTRY_STRACE_H
#define MSENTRY_SENTRY_STRACE_H

#include <stdint.h>

#include "sentry/kernel/kernel.h"

/* Call a tracer hook only when tracing is on (s: struct sentry *). */
#define STRACE(s, call)                                                                            \
	do {                                                                                       \
		if (__builtin_expect((s)->strace != NULL, 0))                                      \
			call;                                                                      \
	} while (0)

/* Set up tracing from the frozen configuration. 0, or -1 with `e` set (a bad
 * syscall set, an unwritable output file). Leaves s->strace and s->observer NULL when
 * off; when on, s->observer reports the kernel's events to the tracer. */
int strace_start(struct sentry *s, struct error *e);
/* Print the summary table (if asked), flush and free. */
void strace_finish(struct sentry *s);

/* A legacy vsyscall was emulated for t: syscall `nr` with `args` (the
 * program's RDI, RSI, RDX...), result `ret` (-errno on failure), called
 * from the return address `caller`. Prints
 *   [pid N] [vsyscall] time(NULL) = 1795394677 from 0x7f...
 * (or a JSON object with "vsyscall": true) and counts it in the summary.
 * Call it after the handler ran, so output arguments can be read. */
void strace_vsyscall(struct task *t, uint64_t nr, const uint64_t args[6], long ret,
		     uint64_t caller);

/* A legacy call site was rewritten into a direct vDSO call. */
void strace_vsyscall_patched(struct task *t, uint64_t site, uint64_t target);

#endif
