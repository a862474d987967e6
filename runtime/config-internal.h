/* runtime: config.json, validated into a C struct (private to runtime/).
 *
 * The parsed document (jansson) stays alive as long as the config: every
 * string below is borrowed from it, and every array is allocated in the
 * config's own list, so oci_config_free() releases everything at once,
 * whatever point parsing reached. Unknown fields are ignored, as the
 * runtime spec asks; known fields of the wrong type or value are errors
 * with one line naming the field:
 *   config.json: process.args: must be a non-empty array of strings
 */
#ifndef MSENTRY_RUNTIME_CONFIG_INTERNAL_H
#define MSENTRY_RUNTIME_CONFIG_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "util/util.h"

/* A NULL-terminated array of borrowed strings, and its length. */
struct oci_strings {
	const char **v; /* never NULL after a successful parse: {NULL} when empty */
	size_t n;
};

/* A string-to-string map (sysctl, annotations), in document order. */
struct oci_pair {
	const char *key, *value;
};
struct oci_pairs {
	struct oci_pair *v;
	size_t n;
};

struct oci_rlimit {
	const char *type; /* "RLIMIT_NOFILE" */
	int resource;	  /* RLIMIT_NOFILE */
	uint64_t soft, hard;
};

struct oci_mount {
	const char *destination;
	const char *type;   /* NULL if absent */
	const char *source; /* NULL if absent */
	struct oci_strings options;
};

struct oci_namespace {
	const char *type; /* pid, network, mount, ipc, uts, user, cgroup, time */
	const char *path; /* NULL: a new namespace */
};

struct oci_device {
	const char *path;
	const char *type; /* c, b, u, p */
	int64_t major, minor;
	bool has_file_mode, has_uid, has_gid;
	uint32_t file_mode, uid, gid;
};

struct oci_hook {
	const char *path;
	struct oci_strings args, env;
	int64_t timeout; /* seconds; 0: none */
};
struct oci_hook_list {
	struct oci_hook *v;
	size_t n;
};

enum oci_hook_kind {
	HOOK_PRESTART,
	HOOK_CREATE_RUNTIME,
	HOOK_CREATE_CONTAINER,
	HOOK_START_CONTAINER,
	HOOK_POSTSTART,
	HOOK_POSTSTOP,
	HOOK_KINDS
};

struct oci_process {
	bool terminal;
	uint32_t console_height, console_width; /* consoleSize; 0: not set */
	struct {
		uint32_t uid, gid;
		bool has_umask;
		mode_t umask;
		uint32_t *additional_gids;
		size_t n_additional_gids;
	} user;
	struct oci_strings args; /* n >= 1 */
	struct oci_strings env;
	const char *cwd; /* absolute */
	struct oci_rlimit *rlimits;
	size_t n_rlimits;
	bool no_new_privileges;
	/* process.capabilities as given, and as masks (bit N: capability
	 * N; names this version does not know are left out, as runc ignores
	 * them); has_capabilities: the object is present. */
	struct oci_strings cap_bounding, cap_effective, cap_inheritable, cap_permitted, cap_ambient;
	bool has_capabilities;
	uint64_t caps_bounding, caps_effective, caps_inheritable, caps_permitted, caps_ambient;
};

struct oci_config {
	void *doc; /* the jansson document every string is borrowed from */
	void **allocs;
	size_t n_allocs;

	const char *oci_version;
	bool has_process;
	struct oci_process process;
	const char *root_path; /* as written */
	char *rootfs;	       /* root.path made absolute against the bundle */
	bool root_readonly;
	const char *hostname;	/* NULL if absent */
	const char *domainname; /* NULL if absent */
	struct oci_mount *mounts;
	size_t n_mounts;
	struct {
		struct oci_namespace *namespaces;
		size_t n_namespaces;
		struct oci_strings masked_paths, readonly_paths;
		struct oci_pairs sysctl;
		struct oci_device *devices;
		size_t n_devices;
		bool has_pids_limit; /* linux.resources.pids.limit */
		int64_t pids_limit;
	} linux;
	struct oci_hook_list hooks[HOOK_KINDS];
	struct oci_pairs annotations;
};

/* Parse and validate config.json text. `bundle` (an absolute path) makes
 * a relative root.path absolute. Returns 0, or -1 with `e` holding one
 * line "config.json: FIELD: REASON" (or "config.json: line L, column C:
 * ..." for JSON syntax). Never crashes, whatever the input. */
int oci_config_parse(const char *text, size_t len, const char *bundle, struct oci_config **out,
		     struct error *e);

/* Read BUNDLE/config.json and parse it. */
int oci_config_load(const char *bundle, struct oci_config **out, struct error *e);

void oci_config_free(struct oci_config *c);

/* The name of a hook kind as config.json spells it ("createRuntime"). */
const char *oci_hook_kind_name(enum oci_hook_kind k);

#endif
