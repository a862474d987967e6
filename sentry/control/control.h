/* sentry/control: the control channel of a running sandbox (exec, signal,
 * ps, pause/resume, stats), served from the sentry's event loop. control.c
 * explains the mechanism; sentry/sentry.h has the wire format. */
#ifndef MSENTRY_SENTRY_CONTROL_H
#define MSENTRY_SENTRY_CONTROL_H

#include <poll.h>

#include "sentry/kernel/kernel.h"

/* Serve the listening socket `fd` (the sentry owns it from now on). */
void control_start(struct sentry *s, int fd);
/* Close every connection and the socket (the sandbox ends). */
void control_release(struct sentry *s);

/* The kernel's hooks (struct kernel_hooks): the fds to poll, serving
 * them once poll says they are ready, and the end of an exec'd process. */
int control_fds(struct sentry *s, struct pollfd *out, int max);
void control_ready(struct sentry *s, const struct pollfd *fds, int n);
void control_detached_exit(struct process *p);

#endif
