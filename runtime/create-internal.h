/* runtime: create, shared by `create` and `run` (private). */
#ifndef MSENTRY_RUNTIME_CREATE_INTERNAL_H
#define MSENTRY_RUNTIME_CREATE_INTERNAL_H

#include <sys/types.h>

#include "runtime.h"

struct console_relay;
/* Create the container; *pid_out is its init, a child of the caller until
 * the caller exits. 0, or -1 with nothing left behind. `relay`: for a
 * foreground `run` with a terminal (else NULL), where the runtime's end
 * of the container's pty goes (console.c). */
int create_container(const struct runtime *rt, const char *id,
		     const struct runtime_create_options *o, pid_t *pid_out,
		     struct console_relay *relay, struct error *e);

#endif
