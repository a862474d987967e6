/* runtime: config.json hooks (private; hooks.c tells where each runs). */
#ifndef MSENTRY_RUNTIME_HOOKS_INTERNAL_H
#define MSENTRY_RUNTIME_HOOKS_INTERNAL_H

#include <jansson.h>
#include <sys/types.h>

#include "config-internal.h"
#include "state-internal.h"

/* The state a hook reads on its stdin. */
struct hook_state {
	const char *id, *status, *bundle;
	pid_t pid;		   /* 0: left out */
	const json_t *annotations; /* an object, or NULL */
};

/* Run every hook of `kind` in order, in `cwd` (NULL: the caller's). 0, or
 * -1 with "error running KIND hook #I: ..." at the first failure. */
int hooks_run(const struct oci_config *c, enum oci_hook_kind kind, const struct hook_state *st,
	      const char *cwd, struct error *e);

/* poststart, in `start` after the release: a failure kills the init. */
int hooks_poststart(const struct runtime *rt, const struct container_state *st, struct error *e);
/* poststop, in `delete` once the container is gone: failures are a
 * warning in the log. */
void hooks_poststop(const struct runtime *rt, const struct container_state *st);

#endif
