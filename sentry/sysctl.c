/* The sandbox's kernel parameters from its configuration: msentry run's
 * --sysctl KEY=VALUE and the OCI runtime's linux.sysctl IPC keys reach the
 * sentry the same way, as sentry_config.sysctls, and each is stored as a
 * write of VALUE to /proc/sys/KEY (with dots for slashes) would store it
 * (kernel/ipc-limits.c), so a value the sandbox's root could not write is
 * refused at start too, with the same rule. sentry_sysctl_check lets the
 * command line and the runtime refuse a bad one before anything starts: it
 * stores the value into a scratch copy of the defaults.
 */
#include <errno.h>
#include <string.h>

#include "sentry/kernel/ipc.h"
#include "sentry/sentry.h"
#include "sentry/sysctl.h"

static int store(struct ipc_limits *l, const char *key, const char *value, struct error *e)
{
	const struct ipc_sysctl *k = ipc_sysctl_find(key);
	if (!k)
		return error_set(e, EINVAL,
				 "%s: not a parameter of the sandbox's IPC namespace (kernel.shm*, "
				 "kernel.msg*, kernel.sem, kernel.*_next_id, fs.mqueue.*)",
				 key);
	long r = ipc_sysctl_store(l, k, value, strlen(value));
	if (r < 0)
		return error_set(e, (int)-r, "%s: invalid value \"%s\": %s", key, value,
				 strerror((int)-r));
	return 0;
}

int sentry_sysctl_check(const char *key, const char *value, struct error *e)
{
	struct ipc_limits scratch;
	ipc_limits_init(&scratch);
	return store(&scratch, key, value, e);
}

int sysctl_configure(struct sentry *s, const struct sentry_config *cfg, struct error *e)
{
	s->ipc = xmalloc(sizeof(*s->ipc)); /* lives as long as the sentry */
	ipc_limits_init(s->ipc);
	for (size_t i = 0; i < cfg->nsysctls; i++)
		if (store(s->ipc, cfg->sysctls[i].key, cfg->sysctls[i].value, e) != 0)
			return -1;
	return 0;
}
