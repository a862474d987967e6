/* sysctl: the sandbox's kernel parameters from its configuration
 * (sysctl.c). Private to sentry/ (sentry.c calls it). */
#ifndef MSENTRY_SENTRY_SYSCTL_H
#define MSENTRY_SENTRY_SYSCTL_H

#include "sentry/kernel/kernel.h"

/* Linux's defaults for a new IPC namespace, then cfg->sysctls in order.
 * -1 with `e` set if one is refused. */
int sysctl_configure(struct sentry *s, const struct sentry_config *cfg, struct error *e);

#endif
