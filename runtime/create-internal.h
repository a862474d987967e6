/* runtime: create, shared by `create` and `run` (private). */
#ifndef MSENTRY_RUNTIME_CREATE_INTERNAL_H
#define MSENTRY_RUNTIME_CREATE_INTERNAL_H

#include <sys/types.h>

#include "runtime.h"

/* Create the container; *pid_out is its init, a child of the caller until
 * the caller exits. 0, or -1 with nothing left behind. */
int create_container(const struct runtime *rt, const char *id,
		     const struct runtime_create_options *o, pid_t *pid_out, struct error *e);

#endif
