/* linux.sysctl: kernel parameters of the container's namespaces.
 *
 * runc writes each key under the container's /proc/sys, and accepts only
 * the keys of a namespace the container has: the IPC limits
 * (kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*), the UTS names
 * (kernel.hostname, kernel.domainname) and the network's (net.*); any
 * other key would change the host, and `create` fails naming it. msentry
 * keeps runc's rule and its errors, checked before anything is made:
 *   - kernel.hostname, kernel.domainname: refused, as runc refuses them
 *     (config.json's hostname and domainname set the sandbox's names);
 *   - net.*: written in the container's network namespace by the init
 *     once it is in it (netns.c), and refused when the container has no
 *     namespace of its own (runc: "not allowed in host network
 *     namespace");
 *   - the IPC and mqueue limits (kernel.shmmax, shmall, shmmni,
 *     shm_rmid_forced, msgmax, msgmnb, msgmni, sem, the *_next_id of
 *     the namespace's own files, fs.mqueue.*): the sandbox has its own
 *     IPC namespace, the sentry; each value is checked now as Linux would
 *     take it (sentry_sysctl_check), and create hands them to the sentry
 *     (sentry_config.sysctls), which sets them before the program starts,
 *     as msentry run --sysctl does.
 *
 * Threats: a key is a path under /proc/sys/net: one with `..` or `/` in
 * a component could reach elsewhere, so keys are checked to be dotted
 * names of [A-Za-z0-9_-] components.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "netns-internal.h"
#include "sentry/sentry.h"

static const char *const ipc_keys[] = {
    "kernel.shmmax",	  "kernel.shmall",	"kernel.shmmni",     "kernel.shm_rmid_forced",
    "kernel.msgmax",	  "kernel.msgmnb",	"kernel.msgmni",     "kernel.sem",
    "kernel.msg_next_id", "kernel.sem_next_id", "kernel.shm_next_id"};

static bool key_ok(const char *key)
{
	if (!*key || *key == '.')
		return false;
	for (const char *k = key; *k; k++) {
		bool word = (*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
			    (*k >= '0' && *k <= '9') || *k == '_' || *k == '-';
		if (!word && !(*k == '.' && k[1] && k[1] != '.'))
			return false;
	}
	return true;
}

bool sysctl_is_ipc(const char *key)
{
	for (size_t i = 0; i < ARRAY_SIZE(ipc_keys); i++)
		if (strcmp(key, ipc_keys[i]) == 0)
			return true;
	return strncmp(key, "fs.mqueue.", 10) == 0;
}

int sysctl_check(const struct oci_config *c, struct error *e)
{
	const struct oci_namespace *net = netns_of(c);
	for (size_t i = 0; i < c->linux.sysctl.n; i++) {
		const char *key = c->linux.sysctl.v[i].key;
		if (!key_ok(key))
			return error_set(e, EINVAL, "linux.sysctl: %s: not a sysctl name", key);
		if (sysctl_is_ipc(key)) {
			if (sentry_sysctl_check(key, c->linux.sysctl.v[i].value, e) != 0)
				return error_wrap(e, "linux.sysctl");
			continue;
		}
		/* runc's rule: the UTS names come from config.json's own fields. */
		if (strcmp(key, "kernel.hostname") == 0 || strcmp(key, "kernel.domainname") == 0)
			return error_set(
			    e, EINVAL,
			    "sysctl \"%s\" is not allowed as it conflicts with the OCI "
			    "\"%s\" field",
			    key, key + 7);
		if (strncmp(key, "net.", 4) == 0) {
			if (!net)
				return error_set(
				    e, EINVAL,
				    "sysctl \"%s\" not allowed in host network namespace", key);
			continue;
		}
		return error_set(e, EINVAL, "sysctl \"%s\" is not in a separate kernel namespace",
				 key);
	}
	return 0;
}

static int write_key(const char *key, const char *value, struct error *e)
{
	char path[512];
	int n = snprintf(path, sizeof(path), "/proc/sys/%s", key);
	if (n < 0 || (size_t)n >= sizeof(path))
		return error_set(e, ENAMETOOLONG, "linux.sysctl: %s: name too long", key);
	for (char *p = path + 10; *p; p++)
		if (*p == '.')
			*p = '/';
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return error_set(e, errno, "open %s: %s", path, strerror(errno));
	ssize_t w = write(fd, value, strlen(value));
	int err = w < 0 ? errno : 0;
	close(fd);
	if (err)
		return error_set(e, err, "write %s: %s", path, strerror(err));
	return 0;
}

int sysctl_apply_net(const struct oci_config *c, bool own, struct error *e)
{
	for (size_t i = 0; i < c->linux.sysctl.n; i++) {
		const struct oci_pair *kv = &c->linux.sysctl.v[i];
		if (strncmp(kv->key, "net.", 4) != 0)
			continue;
		if (!own)
			return error_set(e, EPERM,
					 "sysctl \"%s\" not allowed in host network namespace",
					 kv->key);
		if (write_key(kv->key, kv->value, e) != 0)
			return -1;
	}
	return 0;
}

size_t sysctl_ipc_list(const struct oci_config *c, struct sentry_sysctl **out)
{
	*out = xcalloc(c->linux.sysctl.n + 1, sizeof(**out));
	size_t n = 0;
	for (size_t i = 0; i < c->linux.sysctl.n; i++) {
		const struct oci_pair *kv = &c->linux.sysctl.v[i];
		if (sysctl_is_ipc(kv->key))
			(*out)[n++] = (struct sentry_sysctl){.key = kv->key, .value = kv->value};
	}
	return n;
}
