/* The container's network namespace (linux.namespaces "network").
 *
 * The sentry is the container's kernel for everything but the network:
 * a socket the program makes is a host socket the sentry makes on its
 * behalf (sentry/syscalls/sys_socket.c). So the network namespace the
 * sentry lives in is the container's. The init (init.c) enters it before
 * it becomes the sentry, and every socket made after lives there:
 *   - {"type": "network", "path": P}: setns into the namespace P names
 *     (/var/run/netns/X made by `ip netns add`, or the /proc/PID/ns/net
 *     a CNI plugin set up: how Kubernetes and podman give a container its
 *     network). Failing to join fails `create`, as runc's does.
 *   - {"type": "network"} without a path: a new, empty namespace
 *     (unshare(CLONE_NEWNET)) with its loopback up, as runc makes it.
 *     Where the host refuses (msentry not privileged: EPERM), the
 *     container keeps the caller's network; `create` says so in a warning.
 *   - no "network" entry: the caller's network, as runc.
 * The control socket is a path in the state directory, not an abstract
 * name, so it is reachable from any namespace.
 *
 * linux.sysctl's net.* keys are written into the container's namespace
 * here too, after entering it (runc writes them under the container's
 * /proc/sys/net): only with a namespace of the container's own, never the
 * caller's (sysctl.c refuses them at create otherwise).
 *
 * Threats: the path comes from config.json, whose writer is trusted as
 * runc trusts it (it could name any namespace file; setns checks that it
 * is one and that we may enter it).
 */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns-internal.h"

const struct oci_namespace *netns_of(const struct oci_config *c)
{
	for (size_t i = 0; i < c->linux.n_namespaces; i++)
		if (strcmp(c->linux.namespaces[i].type, "network") == 0)
			return &c->linux.namespaces[i];
	return NULL;
}

static int loopback_up(struct error *e)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return error_set(e, errno, "network namespace: socket: %s", strerror(errno));
	struct ifreq ifr = {0};
	strcpy(ifr.ifr_name, "lo");
	int rc = 0;
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) != 0)
		rc = error_set(e, errno, "network namespace: lo: %s", strerror(errno));
	ifr.ifr_flags |= IFF_UP;
	if (rc == 0 && ioctl(fd, SIOCSIFFLAGS, &ifr) != 0)
		rc = error_set(e, errno, "network namespace: lo up: %s", strerror(errno));
	close(fd);
	return rc;
}

int netns_enter(const struct oci_namespace *ns, bool *own, struct error *e)
{
	*own = false;
	if (!ns)
		return 0;
	if (!ns->path) {
		if (unshare(CLONE_NEWNET) != 0)
			return errno == EPERM ? 0
					      : error_set(e, errno, "unshare network namespace: %s",
							  strerror(errno));
		*own = true;
		return loopback_up(e);
	}
	int fd = open(ns->path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return error_set(e, errno, "open network namespace `%s`: %s", ns->path,
				 strerror(errno));
	/* Joining the namespace we are in (the host's, named by path) gives
	 * the container nothing of its own: net.* keys stay refused. */
	struct stat cur, target;
	bool same = stat("/proc/self/ns/net", &cur) == 0 && fstat(fd, &target) == 0 &&
		    cur.st_dev == target.st_dev && cur.st_ino == target.st_ino;
	int rc = setns(fd, CLONE_NEWNET);
	int err = errno;
	close(fd);
	if (rc != 0)
		return error_set(e, err, "join network namespace `%s`: %s", ns->path,
				 strerror(err));
	*own = !same;
	return 0;
}
