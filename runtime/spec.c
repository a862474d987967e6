/* spec and features: the documents the runtime writes about itself.
 *
 * spec: runc's default config.json (the same process, root, hostname,
 *   mounts, masked and read-only paths, namespaces), so a bundle made
 *   with `msentry spec` also runs with runc. --rootless swaps what runc
 *   swaps: a user namespace with the caller's ids mapped, /sys bound
 *   instead of mounted, no network namespace, no devpts gid.
 * features: what this runtime implements, honestly: the hooks (hooks.c);
 *   no mount options, namespaces, cgroups, seccomp or LSMs are applied yet.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "runtime-internal.h"
#include "state-internal.h"

#define SPEC_OCI_VERSION "1.0.2-dev"

static json_t *strings(const char *const *v)
{
	json_t *a = json_array();
	for (; *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *mount(const char *dest, const char *type, const char *source,
		     const char *const *options)
{
	json_t *m =
	    json_pack("{s:s, s:s, s:s}", "destination", dest, "type", type, "source", source);
	if (options)
		json_object_set_new(m, "options", strings(options));
	return m;
}

static json_t *default_mounts(bool rootless)
{
	static const char *const dev[] = {"nosuid", "strictatime", "mode=755", "size=65536k", NULL};
	static const char *const pts[] = {"nosuid",    "noexec", "newinstance", "ptmxmode=0666",
					  "mode=0620", "gid=5",	 NULL};
	static const char *const pts_rootless[] = {"nosuid",	    "noexec",	 "newinstance",
						   "ptmxmode=0666", "mode=0620", NULL};
	static const char *const shm[] = {"nosuid",    "noexec",      "nodev",
					  "mode=1777", "size=65536k", NULL};
	static const char *const mqueue[] = {"nosuid", "noexec", "nodev", NULL};
	static const char *const sys[] = {"nosuid", "noexec", "nodev", "ro", NULL};
	static const char *const sys_rootless[] = {"rbind", "nosuid", "noexec",
						   "nodev", "ro",     NULL};
	static const char *const cgroup[] = {"nosuid", "noexec", "nodev", "relatime", "ro", NULL};
	json_t *m = json_array();
	json_array_append_new(m, mount("/proc", "proc", "proc", NULL));
	json_array_append_new(m, mount("/dev", "tmpfs", "tmpfs", dev));
	json_array_append_new(m,
			      mount("/dev/pts", "devpts", "devpts", rootless ? pts_rootless : pts));
	json_array_append_new(m, mount("/dev/shm", "tmpfs", "shm", shm));
	json_array_append_new(m, mount("/dev/mqueue", "mqueue", "mqueue", mqueue));
	json_array_append_new(m, rootless ? mount("/sys", "none", "/sys", sys_rootless)
					  : mount("/sys", "sysfs", "sysfs", sys));
	json_array_append_new(m, mount("/sys/fs/cgroup", "cgroup", "cgroup", cgroup));
	return m;
}

static json_t *default_process(void)
{
	static const char *const args[] = {"sh", NULL};
	static const char *const env[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm",
	    NULL};
	static const char *const caps[] = {"CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE",
					   NULL};
	json_t *c = json_object();
	const char *const sets[] = {"bounding", "effective", "permitted", "ambient"};
	for (size_t i = 0; i < ARRAY_SIZE(sets); i++)
		json_object_set_new(c, sets[i], strings(caps));
	return json_pack("{s:b, s:{s:i, s:i}, s:o, s:o, s:s, s:o, s:[{s:s, s:i, s:i}], s:b}",
			 "terminal", 1, "user", "uid", 0, "gid", 0, "args", strings(args), "env",
			 strings(env), "cwd", "/", "capabilities", c, "rlimits", "type",
			 "RLIMIT_NOFILE", "hard", 1024, "soft", 1024, "noNewPrivileges", 1);
}

static json_t *default_linux(bool rootless)
{
	static const char *const masked[] = {"/proc/acpi",
					     "/proc/asound",
					     "/proc/kcore",
					     "/proc/keys",
					     "/proc/latency_stats",
					     "/proc/timer_list",
					     "/proc/timer_stats",
					     "/proc/sched_debug",
					     "/sys/firmware",
					     "/proc/scsi",
					     NULL};
	static const char *const readonly[] = {
	    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL};
	static const char *const ns[] = {"pid", "network", "ipc", "uts", "mount", NULL};
	static const char *const ns_rootless[] = {"pid", "ipc", "uts", "mount", "user", NULL};
	json_t *l = json_object();
	if (rootless) {
		json_object_set_new(l, "uidMappings",
				    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID",
					      (int)getuid(), "size", 1));
		json_object_set_new(l, "gidMappings",
				    json_pack("[{s:i, s:i, s:i}]", "containerID", 0, "hostID",
					      (int)getgid(), "size", 1));
	} else {
		json_object_set_new(
		    l, "resources",
		    json_pack("{s:[{s:b, s:s}]}", "devices", "allow", 0, "access", "rwm"));
	}
	json_t *namespaces = json_array();
	for (const char *const *n = rootless ? ns_rootless : ns; *n; n++)
		json_array_append_new(namespaces, json_pack("{s:s}", "type", *n));
	json_object_set_new(l, "namespaces", namespaces);
	json_object_set_new(l, "maskedPaths", strings(masked));
	json_object_set_new(l, "readonlyPaths", strings(readonly));
	return l;
}

int runtime_spec(const char *bundle, bool rootless, struct error *e)
{
	cleanup_free char *path = xasprintf("%s/config.json", bundle ? bundle : ".");
	json_t *spec = json_pack("{s:s, s:o, s:{s:s, s:b}, s:s, s:o, s:o}", "ociVersion",
				 SPEC_OCI_VERSION, "process", default_process(), "root", "path",
				 "rootfs", "readonly", 1, "hostname", "runc", "mounts",
				 default_mounts(rootless), "linux", default_linux(rootless));
	char *text = spec ? json_dumps(spec, JSON_INDENT(4)) : NULL;
	json_decref(spec);
	if (!text)
		return error_set(e, ENOMEM, "spec: cannot encode the default config");
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
	int rc = 0;
	if (fd < 0 && errno == EEXIST)
		rc = error_set(e, EEXIST, "File %s exists. Remove it first", path);
	else if (fd < 0)
		rc = error_sys(e, errno, "spec: cannot create `%s`", path);
	else if ((rc = write_all(fd, text, strlen(text))) != 0 || write_all(fd, "\n", 1) != 0)
		rc = error_sys(e, rc ? -rc : EIO, "spec: cannot write `%s`", path);
	if (fd >= 0)
		close(fd);
	free(text);
	return rc;
}

void runtime_features(FILE *out)
{
	json_t *f = json_pack(
	    "{s:s, s:s, s:[ssssss], s:[], s:{s:[], s:[], s:{s:b, s:b, s:b, s:b}, s:{s:b}, s:{s:b}, "
	    "s:{s:b}}, s:{s:s}}",
	    "ociVersionMin", "1.0.0", "ociVersionMax", OCI_VERSION, "hooks", "prestart",
	    "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
	    "mountOptions", "linux", "namespaces", "capabilities", "cgroup", "v1", 0, "v2", 0,
	    "systemd", 0, "systemdUser", 0, "seccomp", "enabled", 0, "apparmor", "enabled", 0,
	    "selinux", "enabled", 0, "annotations", "org.msentry.version", MSENTRY_VERSION);
	char *text = f ? json_dumps(f, JSON_INDENT(4)) : NULL;
	if (text)
		fprintf(out, "%s\n", text);
	free(text);
	json_decref(f);
}
