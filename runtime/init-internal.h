/* runtime: the container's init process (private; init.c tells its life). */
#ifndef MSENTRY_RUNTIME_INIT_INTERNAL_H
#define MSENTRY_RUNTIME_INIT_INTERNAL_H

#include <sys/types.h>

#include "config-internal.h"
#include "hooks-internal.h"
#include "runtime.h"
#include "sentry/sentry.h"

/* Everything the init needs, decided by `create` before the fork. */
struct init_plan {
	const struct runtime *rt;
	const char *fifo_path; /* exec.fifo to wait on */
	int preserve_fds;
	const struct oci_rlimit *rlimits;
	size_t n_rlimits;
	mode_t umask;
	struct sentry_config sentry;  /* root, prog, argv, envp, cwd */
	const char *console_socket;   /* process.terminal: make a pty, send its master */
	int terminal_slave;	      /* foreground `run`: the relay's pty slave, or -1 */
	const struct oci_config *cfg; /* its startContainer hooks */
	struct hook_state hook_state; /* for them; the pid is the init's own */
	const char *control_dir;      /* bind the control channel's socket here (NULL: none) */
};

/* Fork the init. Returns its pid once it has set itself up (it then waits
 * on the fifo), or -1 with `e` set to the init's own error line (the init
 * is reaped). */
pid_t init_spawn(const struct init_plan *plan, struct error *e);

#endif
