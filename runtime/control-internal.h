/* runtime: the client side of a sandbox's control channel (private).
 *
 * The container's init binds <root>/<id>/control.sock (mode 0600) before
 * `create` returns, and the sentry serves it once started; the wire format
 * is in sentry/sentry.h (SENTRY_CONTROL_*). Paths go through
 * /proc/self/fd/N of the state directory, so a long --root cannot exceed
 * sun_path.
 */
#ifndef MSENTRY_RUNTIME_CONTROL_INTERNAL_H
#define MSENTRY_RUNTIME_CONTROL_INTERNAL_H

#include <stdbool.h>
#include <sys/types.h>

#include "runtime.h"
#include "state-internal.h"
#include "util/util.h"

/* Bind and listen on DIR/control.sock, mode 0600; the fd or -errno. */
int control_listen(const char *dir);

/* Connect to the container's channel: the fd, or -1 with e set to
 * "container not running" (nobody serves it). */
int control_connect(const struct runtime *rt, const char *id, struct error *e);

/* One request of `n` fields (verb first) with `fds` passed along; the
 * reply's text after "ok" in *reply (malloc'd, may be empty), or -1 with e
 * set to the sentry's error line. Keeps the connection in *conn_out if it
 * is not NULL (exec: the exit status comes later on it), else closes it. */
int control_call(const struct runtime *rt, const char *id, const char *const *fields, size_t n,
		 const int *fds, size_t nfds, char **reply, int *conn_out, struct error *e);

/* Signal sandbox process `pid` (0: every process); `foreground`: the
 * foreground group of its terminal instead, if it has one (a signal the
 * terminal made). */
int control_signal(const struct runtime *rt, const char *id, pid_t pid, int sig, bool foreground,
		   struct error *e);

#endif
