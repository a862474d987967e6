/* config.json: mounts, the linux object and hooks.
 *
 * These are accepted, validated and stored; the sandbox applies none of
 * them yet (docs/design.md, "OCI runtime", says what the sentry needs for
 * each). Validating them now means a config that runc would refuse for a
 * malformed field is refused here too, with the field named.
 */
#include <errno.h>
#include <string.h>

#include "config-parse-internal.h"

/* Each element of the array at doc.key must be an object; `each` parses
 * element i of `n` into the caller's storage. */
typedef int (*item_parser)(struct parser *p, json_t *item, const char *field, size_t i);

static int parse_object_array(struct parser *p, json_t *obj, const char *key, const char *field,
			      size_t *n_out, item_parser each)
{
	json_t *list = NULL;
	*n_out = 0;
	int rc = get_array(p, obj, key, field, &list);
	if (rc <= 0)
		return rc;
	for (size_t i = 0; i < json_array_size(list); i++) {
		char f[128];
		field_index(f, sizeof(f), field, i);
		json_t *item = json_array_get(list, i);
		if (!json_is_object(item))
			return parser_bad(p, f, "must be an object");
		if (each(p, item, f, i) != 0)
			return -1;
		*n_out = i + 1;
	}
	return 1;
}

static size_t array_len(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);
	return json_is_array(v) ? json_array_size(v) : 0;
}

static int required_string(struct parser *p, json_t *obj, const char *key, const char *parent,
			   const char **out)
{
	char f[192];
	field_name(f, sizeof(f), parent, key);
	int rc = get_string(p, obj, key, f, out);
	if (rc <= 0)
		return rc < 0 ? -1 : parser_bad(p, f, "is required");
	if (!**out)
		return parser_bad(p, f, "must not be empty");
	return 0;
}

static int parse_mount(struct parser *p, json_t *item, const char *field, size_t i)
{
	struct oci_mount *m = &p->c->mounts[i];
	char f[192];
	if (required_string(p, item, "destination", field, &m->destination) != 0 ||
	    get_string(p, item, "type", field_name(f, sizeof(f), field, "type"), &m->type) < 0 ||
	    get_string(p, item, "source", field_name(f, sizeof(f), field, "source"), &m->source) <
		0 ||
	    get_strings(p, item, "options", field_name(f, sizeof(f), field, "options"),
			&m->options) < 0)
		return -1;
	return 0;
}

int parse_mounts(struct parser *p, json_t *doc)
{
	struct oci_config *c = p->c;
	c->mounts = parser_alloc(p, array_len(doc, "mounts") * sizeof(*c->mounts));
	return parse_object_array(p, doc, "mounts", "mounts", &c->n_mounts, parse_mount) < 0 ? -1
											     : 0;
}

static const char *const namespace_types[] = {"pid", "network", "mount",  "ipc",
					      "uts", "user",	"cgroup", "time"};

static int parse_namespace(struct parser *p, json_t *item, const char *field, size_t i)
{
	struct oci_namespace *ns = &p->c->linux.namespaces[i];
	char f[192];
	if (required_string(p, item, "type", field, &ns->type) != 0 ||
	    get_string(p, item, "path", field_name(f, sizeof(f), field, "path"), &ns->path) < 0)
		return -1;
	field_name(f, sizeof(f), field, "type");
	bool known = false;
	for (size_t k = 0; k < ARRAY_SIZE(namespace_types); k++)
		known |= strcmp(ns->type, namespace_types[k]) == 0;
	if (!known)
		return parser_bad(p, f,
				  "unknown namespace type (expected pid, network, mount, ipc, "
				  "uts, user, cgroup or time)");
	for (size_t k = 0; k < i; k++)
		if (strcmp(p->c->linux.namespaces[k].type, ns->type) == 0)
			return parser_bad(p, f, "given twice");
	if (ns->path && ns->path[0] != '/')
		return parser_bad(p, field_name(f, sizeof(f), field, "path"),
				  "must be an absolute path");
	return 0;
}

static int parse_device(struct parser *p, json_t *item, const char *field, size_t i)
{
	struct oci_device *d = &p->c->linux.devices[i];
	char f[192];
	if (required_string(p, item, "path", field, &d->path) != 0 ||
	    required_string(p, item, "type", field, &d->type) != 0)
		return -1;
	if (d->path[0] != '/')
		return parser_bad(p, field_name(f, sizeof(f), field, "path"),
				  "must be an absolute path");
	if (strlen(d->type) != 1 || !strchr("cbup", d->type[0]))
		return parser_bad(p, field_name(f, sizeof(f), field, "type"),
				  "must be c, b, u or p");
	bool numbered = d->type[0] != 'p';
	static const char *const numbers[] = {"major", "minor"};
	int64_t *dest[] = {&d->major, &d->minor};
	for (int k = 0; k < 2; k++) {
		field_name(f, sizeof(f), field, numbers[k]);
		int rc = get_int(p, item, numbers[k], f, 0, UINT32_MAX, dest[k]);
		if (rc < 0)
			return -1;
		if (rc == 0 && numbered)
			return parser_bad(p, f, "is required for this type");
	}
	int rc1 = get_u32(p, item, "fileMode", field_name(f, sizeof(f), field, "fileMode"),
			  &d->file_mode);
	if (rc1 < 0)
		return -1;
	int rc2 = get_u32(p, item, "uid", field_name(f, sizeof(f), field, "uid"), &d->uid);
	if (rc2 < 0)
		return -1;
	int rc3 = get_u32(p, item, "gid", field_name(f, sizeof(f), field, "gid"), &d->gid);
	if (rc3 < 0)
		return -1;
	d->has_file_mode = rc1 == 1, d->has_uid = rc2 == 1, d->has_gid = rc3 == 1;
	return 0;
}

static int parse_paths(struct parser *p, json_t *linux, const char *key, const char *field,
		       struct oci_strings *out)
{
	if (get_strings(p, linux, key, field, out) < 0)
		return -1;
	for (size_t i = 0; i < out->n; i++)
		if (out->v[i][0] != '/') {
			char f[128];
			return parser_bad(p, field_index(f, sizeof(f), field, i),
					  "must be an absolute path");
		}
	return 0;
}

/* linux.resources.pids.limit: the sandbox's task limit (--max-tasks). The
 * other resources are the cgroup's, which msentry does not manage. */
static int parse_pids_limit(struct parser *p, json_t *linux, struct oci_config *c)
{
	json_t *res = NULL, *pids = NULL;
	int rc = get_object(p, linux, "resources", "linux.resources", &res);
	if (rc <= 0)
		return rc;
	rc = get_object(p, res, "pids", "linux.resources.pids", &pids);
	if (rc <= 0)
		return rc;
	rc = get_int(p, pids, "limit", "linux.resources.pids.limit", -(INT64_C(1) << 53),
		     INT64_C(1) << 53, &c->linux.pids_limit);
	if (rc < 0)
		return -1;
	c->linux.has_pids_limit = rc == 1;
	return 0;
}

int parse_linux(struct parser *p, json_t *doc)
{
	struct oci_config *c = p->c;
	json_t *linux = NULL, *none = json_object();
	int rc = get_object(p, doc, "linux", "linux", &linux);
	json_t *from = rc == 1 ? linux : none;
	c->linux.namespaces =
	    parser_alloc(p, array_len(from, "namespaces") * sizeof(*c->linux.namespaces));
	c->linux.devices = parser_alloc(p, array_len(from, "devices") * sizeof(*c->linux.devices));
	if (rc < 0 ||
	    parse_object_array(p, from, "namespaces", "linux.namespaces", &c->linux.n_namespaces,
			       parse_namespace) < 0 ||
	    parse_object_array(p, from, "devices", "linux.devices", &c->linux.n_devices,
			       parse_device) < 0 ||
	    parse_paths(p, from, "maskedPaths", "linux.maskedPaths", &c->linux.masked_paths) < 0 ||
	    parse_paths(p, from, "readonlyPaths", "linux.readonlyPaths", &c->linux.readonly_paths) <
		0 ||
	    get_pairs(p, from, "sysctl", "linux.sysctl", &c->linux.sysctl) < 0 ||
	    parse_pids_limit(p, from, c) < 0)
		rc = -1;
	json_decref(none);
	return rc < 0 ? -1 : 0;
}

static const char *const hook_names[HOOK_KINDS] = {
    [HOOK_PRESTART] = "prestart",
    [HOOK_CREATE_RUNTIME] = "createRuntime",
    [HOOK_CREATE_CONTAINER] = "createContainer",
    [HOOK_START_CONTAINER] = "startContainer",
    [HOOK_POSTSTART] = "poststart",
    [HOOK_POSTSTOP] = "poststop",
};

const char *oci_hook_kind_name(enum oci_hook_kind k)
{
	return k < HOOK_KINDS ? hook_names[k] : "?";
}

static int parse_hook_into(struct parser *p, json_t *item, const char *field, struct oci_hook *h)
{
	char f[192];
	if (required_string(p, item, "path", field, &h->path) != 0)
		return -1;
	if (h->path[0] != '/')
		return parser_bad(p, field_name(f, sizeof(f), field, "path"),
				  "must be an absolute path");
	if (get_strings(p, item, "args", field_name(f, sizeof(f), field, "args"), &h->args) < 0 ||
	    get_strings(p, item, "env", field_name(f, sizeof(f), field, "env"), &h->env) < 0 ||
	    get_int(p, item, "timeout", field_name(f, sizeof(f), field, "timeout"), 1, INT32_MAX,
		    &h->timeout) < 0)
		return -1;
	return 0;
}

int parse_hooks(struct parser *p, json_t *doc)
{
	json_t *hooks = NULL;
	int rc = get_object(p, doc, "hooks", "hooks", &hooks);
	if (rc <= 0)
		return rc;
	for (int k = 0; k < HOOK_KINDS; k++) {
		struct oci_hook_list *list = &p->c->hooks[k];
		char f[64];
		json_t *arr = NULL;
		field_name(f, sizeof(f), "hooks", hook_names[k]);
		if ((rc = get_array(p, hooks, hook_names[k], f, &arr)) < 0)
			return -1;
		if (rc == 0)
			continue;
		list->v = parser_alloc(p, json_array_size(arr) * sizeof(*list->v));
		for (size_t i = 0; i < json_array_size(arr); i++) {
			char fi[96];
			field_index(fi, sizeof(fi), f, i);
			json_t *item = json_array_get(arr, i);
			if (!json_is_object(item))
				return parser_bad(p, fi, "must be an object");
			if (parse_hook_into(p, item, fi, &list->v[i]) != 0)
				return -1;
			list->n = i + 1;
		}
	}
	return 0;
}
