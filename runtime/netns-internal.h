/* runtime: the container's network namespace and linux.sysctl (private;
 * netns.c and sysctl.c tell how). */
#ifndef MSENTRY_RUNTIME_NETNS_INTERNAL_H
#define MSENTRY_RUNTIME_NETNS_INTERNAL_H

#include <stdbool.h>

#include "config-internal.h"
#include "sentry/sentry.h"
#include "util/util.h"

/* The config's "network" namespace entry, or NULL. */
const struct oci_namespace *netns_of(const struct oci_config *c);

/* In the init, before it becomes the sentry: join ns->path, or make a new
 * namespace (loopback up) when it has none; nothing for NULL. *own: the
 * init is now in a namespace that is not the caller's (a new one, or a
 * joined one other than the caller's). A new one the host refuses (EPERM)
 * is not an error: the caller's network stays, *own false. 0 or -1. */
int netns_enter(const struct oci_namespace *ns, bool *own, struct error *e);

/* At create: every linux.sysctl key is one msentry serves in the
 * sandbox or one of a namespace the container has (net.*), else runc's
 * error. 0 or -1. */
int sysctl_check(const struct oci_config *c, struct error *e);

/* The key is an IPC or mqueue limit: the sentry's (sentry_config.sysctls). */
bool sysctl_is_ipc(const char *key);
/* The config's IPC and mqueue keys, in order, as the sentry takes them
 * (*out malloc'ed; its strings are the config's). Their count. */
size_t sysctl_ipc_list(const struct oci_config *c, struct sentry_sysctl **out);

/* In the init, in the container's network namespace (`own`): write the
 * net.* keys under /proc/sys/net; without a namespace of its own, a net.*
 * key fails. 0 or -1. */
int sysctl_apply_net(const struct oci_config *c, bool own, struct error *e);

#endif
