/* guard: the sentry confines itself (guard.c; docs/design.md, "The
 * sentry's own confinement"). Private to sentry/ (sentry.c calls it). */
#ifndef MSENTRY_SENTRY_GUARD_H
#define MSENTRY_SENTRY_GUARD_H

#include "sentry/kernel/kernel.h"

/* Fresh mount, IPC and UTS namespaces, where the host allows (`own_ns`
 * says whether). Must run while the sentry has one thread (a new mount
 * namespace needs it). */
void guard_namespaces(const struct sentry_config *cfg, bool *own_ns);
/* Once start-up holds what it needs from the host: the mount namespace
 * cut down to the sandbox root, what it serves and /proc (guard-pivot.c).
 * Only in a namespace of its own (`own_ns`); skipped for a root of "/". */
void guard_pivot(struct sentry *s, bool own_ns);
/* Drop every capability the sentry's work does not use: before any
 * thread is made, so every thread has the reduced sets. */
void guard_drop_caps(struct sentry *s);
/* no_new_privs, then the seccomp filter of sentry/syscalls/host-allow.def
 * on every thread. Once start-up is over (stubs, vDSO, first program
 * loaded). -1 with `e` set if the filter cannot be applied. */
int guard_seccomp(struct sentry *s, struct error *e);

#endif
