/* config.json: parse with jansson, validate into struct oci_config.
 *
 * jansson parses strictly (JSON_REJECT_DUPLICATES: a key given twice is an
 * error, not a silent "last one wins") and reports line and column; this
 * file then walks the document once, field by field, with typed getters.
 * Each getter returns 1 (present and valid), 0 (absent) or -1 (present but
 * wrong, `e` set with "config.json: FIELD: REASON"). Field names are built
 * as the user would write them in a path: mounts[2].options[0].
 *
 * Integers: jansson's are signed 64-bit, and rejects larger ones as "too
 * big integer", but Go writes RLIM_INFINITY as 18446744073709551615. Such a
 * document is parsed again with every number as a double; the getters then
 * accept integral doubles (exact up to 2^53, and 2^64-1 maps to
 * RLIM_INFINITY).
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include "config-internal.h"
#include "config-parse-internal.h"
#include "runtime-internal.h"

#define CONFIG_MAX_SIZE (16u << 20)

void *parser_alloc(struct parser *p, size_t n)
{
	struct oci_config *c = p->c;
	void *mem = xcalloc(1, n ? n : 1);
	c->allocs = xrealloc(c->allocs, (c->n_allocs + 1) * sizeof(*c->allocs));
	c->allocs[c->n_allocs++] = mem;
	return mem;
}

/* An error stays one line whatever the document's keys hold: a key is part
 * of the field's name, and JSON lets it contain newlines and other control
 * characters (fuzz/ found "annotations.a\nb"), which would forge a second
 * line in a log. They print as '?'. */
static int one_line(struct error *e)
{
	for (char *c = e->msg; *c; c++)
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	return -1;
}

int parser_bad(struct parser *p, const char *field, const char *reason)
{
	error_set(p->e, EINVAL, "config.json: %s: %s", field, reason);
	return one_line(p->e);
}

const char *field_name(char *buf, size_t size, const char *parent, const char *key)
{
	snprintf(buf, size, "%s%s%s", parent, *parent ? "." : "", key);
	return buf;
}

const char *field_index(char *buf, size_t size, const char *parent, size_t i)
{
	snprintf(buf, size, "%s[%zu]", parent, i);
	return buf;
}

int get_string(struct parser *p, json_t *obj, const char *key, const char *field, const char **out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_string(v))
		return parser_bad(p, field, "must be a string");
	*out = json_string_value(v);
	return 1;
}

int get_bool(struct parser *p, json_t *obj, const char *key, const char *field, bool *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v))
		return parser_bad(p, field, "must be true or false");
	*out = json_is_true(v);
	return 1;
}

/* An integer in [min, max] (an integral double too, after the reparse). */
static bool json_integer_in(json_t *v, double min, double max, int64_t *out)
{
	if (json_is_integer(v)) {
		json_int_t i = json_integer_value(v);
		if ((double)i < min || (double)i > max)
			return false;
		*out = i;
		return true;
	}
	if (!json_is_real(v))
		return false;
	double d = json_real_value(v);
	if (d != floor(d) || d < min || d > max || d > 9007199254740992.0)
		return false;
	*out = (int64_t)d;
	return true;
}

int get_int(struct parser *p, json_t *obj, const char *key, const char *field, int64_t min,
	    int64_t max, int64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_integer_in(v, (double)min, (double)max, out)) {
		char why[96];
		snprintf(why, sizeof(why), "must be an integer from %lld to %lld", (long long)min,
			 (long long)max);
		return parser_bad(p, field, why);
	}
	return 1;
}

int get_u32(struct parser *p, json_t *obj, const char *key, const char *field, uint32_t *out)
{
	int64_t v;
	int rc = get_int(p, obj, key, field, 0, UINT32_MAX, &v);
	if (rc == 1)
		*out = (uint32_t)v;
	return rc;
}

/* A non-negative 64-bit count where 2^64-1 (or -1) means "unlimited". */
static int get_rlim(struct parser *p, json_t *obj, const char *key, const char *field,
		    uint64_t *out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return parser_bad(p, field, "is required");
	int64_t i;
	if (json_is_real(v) && json_real_value(v) >= 18446744073709551615.0) {
		*out = UINT64_MAX;
		return 1;
	}
	if (json_integer_in(v, -1, 9223372036854775807.0, &i)) {
		*out = i < 0 ? UINT64_MAX : (uint64_t)i;
		return 1;
	}
	return parser_bad(p, field, "must be an integer from 0 to 18446744073709551615");
}

int get_object(struct parser *p, json_t *obj, const char *key, const char *field, json_t **out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_object(v))
		return parser_bad(p, field, "must be an object");
	*out = v;
	return 1;
}

int get_array(struct parser *p, json_t *obj, const char *key, const char *field, json_t **out)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_array(v))
		return parser_bad(p, field, "must be an array");
	*out = v;
	return 1;
}

int get_strings(struct parser *p, json_t *obj, const char *key, const char *field,
		struct oci_strings *out)
{
	json_t *v = json_object_get(obj, key);
	out->n = 0;
	out->v = parser_alloc(p, sizeof(char *));
	if (!v)
		return 0;
	if (!json_is_array(v))
		return parser_bad(p, field, "must be an array of strings");
	size_t n = json_array_size(v);
	out->v = parser_alloc(p, (n + 1) * sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		json_t *s = json_array_get(v, i);
		if (!json_is_string(s)) {
			char f[256];
			return parser_bad(p, field_index(f, sizeof(f), field, i),
					  "must be a string");
		}
		out->v[i] = json_string_value(s);
	}
	out->n = n;
	return 1;
}

int get_pairs(struct parser *p, json_t *obj, const char *key, const char *field,
	      struct oci_pairs *out)
{
	json_t *map = NULL;
	int rc = get_object(p, obj, key, field, &map);
	if (rc <= 0)
		return rc;
	out->v = parser_alloc(p, json_object_size(map) * sizeof(*out->v));
	const char *k;
	json_t *v;
	json_object_foreach(map, k, v)
	{
		if (!json_is_string(v)) {
			char f[512];
			return parser_bad(p, field_name(f, sizeof(f), field, k),
					  "must be a string");
		}
		out->v[out->n++] = (struct oci_pair){k, json_string_value(v)};
	}
	return 1;
}

static const struct {
	const char *name;
	int resource;
} rlimit_names[] = {
    {"RLIMIT_CPU", RLIMIT_CPU},		  {"RLIMIT_FSIZE", RLIMIT_FSIZE},
    {"RLIMIT_DATA", RLIMIT_DATA},	  {"RLIMIT_STACK", RLIMIT_STACK},
    {"RLIMIT_CORE", RLIMIT_CORE},	  {"RLIMIT_RSS", RLIMIT_RSS},
    {"RLIMIT_NPROC", RLIMIT_NPROC},	  {"RLIMIT_NOFILE", RLIMIT_NOFILE},
    {"RLIMIT_MEMLOCK", RLIMIT_MEMLOCK},	  {"RLIMIT_AS", RLIMIT_AS},
    {"RLIMIT_LOCKS", RLIMIT_LOCKS},	  {"RLIMIT_SIGPENDING", RLIMIT_SIGPENDING},
    {"RLIMIT_MSGQUEUE", RLIMIT_MSGQUEUE}, {"RLIMIT_NICE", RLIMIT_NICE},
    {"RLIMIT_RTPRIO", RLIMIT_RTPRIO},	  {"RLIMIT_RTTIME", RLIMIT_RTTIME},
};

static int parse_rlimit(struct parser *p, json_t *item, const char *field, struct oci_rlimit *r)
{
	char f[256];
	if (!json_is_object(item))
		return parser_bad(p, field, "must be an object");
	const char *type = NULL;
	int rc = get_string(p, item, "type", field_name(f, sizeof(f), field, "type"), &type);
	if (rc <= 0)
		return rc < 0 ? -1 : parser_bad(p, f, "is required");
	r->resource = -1;
	for (size_t i = 0; i < ARRAY_SIZE(rlimit_names); i++)
		if (strcmp(type, rlimit_names[i].name) == 0)
			r->resource = rlimit_names[i].resource;
	if (r->resource < 0)
		return parser_bad(p, f,
				  "unknown resource (expected RLIMIT_NOFILE, RLIMIT_NPROC...)");
	r->type = type;
	if (get_rlim(p, item, "soft", field_name(f, sizeof(f), field, "soft"), &r->soft) < 0 ||
	    get_rlim(p, item, "hard", field_name(f, sizeof(f), field, "hard"), &r->hard) < 0)
		return -1;
	if (r->soft > r->hard)
		return parser_bad(p, field_name(f, sizeof(f), field, "soft"),
				  "must not be greater than hard");
	return 0;
}

static int parse_rlimits(struct parser *p, json_t *process)
{
	struct oci_process *pr = &p->c->process;
	json_t *list = NULL;
	int rc = get_array(p, process, "rlimits", "process.rlimits", &list);
	if (rc <= 0)
		return rc;
	size_t n = json_array_size(list);
	pr->rlimits = parser_alloc(p, n * sizeof(*pr->rlimits));
	for (size_t i = 0; i < n; i++) {
		char f[64], t[80];
		field_index(f, sizeof(f), "process.rlimits", i);
		if (parse_rlimit(p, json_array_get(list, i), f, &pr->rlimits[i]) != 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (pr->rlimits[j].resource == pr->rlimits[i].resource)
				return parser_bad(p, field_name(t, sizeof(t), f, "type"),
						  "given twice");
		pr->n_rlimits = i + 1;
	}
	return 1;
}

static int parse_user(struct parser *p, json_t *process)
{
	struct oci_process *pr = &p->c->process;
	json_t *user = NULL, *gids = NULL;
	int rc = get_object(p, process, "user", "process.user", &user);
	if (rc <= 0)
		return rc;
	uint32_t umask_value = 0;
	if (get_u32(p, user, "uid", "process.user.uid", &pr->user.uid) < 0 ||
	    get_u32(p, user, "gid", "process.user.gid", &pr->user.gid) < 0 ||
	    (rc = get_u32(p, user, "umask", "process.user.umask", &umask_value)) < 0)
		return -1;
	if (rc == 1 && umask_value > 0777)
		return parser_bad(p, "process.user.umask", "must be from 0 to 511 (0777)");
	pr->user.has_umask = rc == 1;
	pr->user.umask = (mode_t)umask_value;
	if ((rc = get_array(p, user, "additionalGids", "process.user.additionalGids", &gids)) <= 0)
		return rc;
	size_t n = json_array_size(gids);
	pr->user.additional_gids = parser_alloc(p, n * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++) {
		int64_t g;
		if (!json_integer_in(json_array_get(gids, i), 0, UINT32_MAX, &g))
			return parser_bad(p, "process.user.additionalGids",
					  "must be an array of integers from 0 to 4294967295");
		pr->user.additional_gids[pr->user.n_additional_gids++] = (uint32_t)g;
	}
	return 1;
}

/* A list of capability names as a mask, in Linux's numbering. */
static uint64_t cap_mask(const struct oci_strings *names)
{
	static const char *const known[] = {"CHOWN",
					    "DAC_OVERRIDE",
					    "DAC_READ_SEARCH",
					    "FOWNER",
					    "FSETID",
					    "KILL",
					    "SETGID",
					    "SETUID",
					    "SETPCAP",
					    "LINUX_IMMUTABLE",
					    "NET_BIND_SERVICE",
					    "NET_BROADCAST",
					    "NET_ADMIN",
					    "NET_RAW",
					    "IPC_LOCK",
					    "IPC_OWNER",
					    "SYS_MODULE",
					    "SYS_RAWIO",
					    "SYS_CHROOT",
					    "SYS_PTRACE",
					    "SYS_PACCT",
					    "SYS_ADMIN",
					    "SYS_BOOT",
					    "SYS_NICE",
					    "SYS_RESOURCE",
					    "SYS_TIME",
					    "SYS_TTY_CONFIG",
					    "MKNOD",
					    "LEASE",
					    "AUDIT_WRITE",
					    "AUDIT_CONTROL",
					    "SETFCAP",
					    "MAC_OVERRIDE",
					    "MAC_ADMIN",
					    "SYSLOG",
					    "WAKE_ALARM",
					    "BLOCK_SUSPEND",
					    "AUDIT_READ",
					    "PERFMON",
					    "BPF",
					    "CHECKPOINT_RESTORE"};
	uint64_t mask = 0;
	for (size_t i = 0; i < names->n; i++)
		for (size_t b = 0; b < ARRAY_SIZE(known); b++)
			if (strncmp(names->v[i], "CAP_", 4) == 0 &&
			    strcmp(names->v[i] + 4, known[b]) == 0)
				mask |= 1ULL << b;
	return mask;
}

static int parse_capabilities(struct parser *p, json_t *process)
{
	struct oci_process *pr = &p->c->process;
	json_t *caps = NULL;
	int rc = get_object(p, process, "capabilities", "process.capabilities", &caps);
	if (rc < 0)
		return -1;
	json_t *none = json_object();
	json_t *from = caps ? caps : none;
	rc = get_strings(p, from, "bounding", "process.capabilities.bounding", &pr->cap_bounding) <
		 0 ||
	     get_strings(p, from, "effective", "process.capabilities.effective",
			 &pr->cap_effective) < 0 ||
	     get_strings(p, from, "inheritable", "process.capabilities.inheritable",
			 &pr->cap_inheritable) < 0 ||
	     get_strings(p, from, "permitted", "process.capabilities.permitted",
			 &pr->cap_permitted) < 0 ||
	     get_strings(p, from, "ambient", "process.capabilities.ambient", &pr->cap_ambient) < 0;
	json_decref(none);
	pr->has_capabilities = caps != NULL;
	pr->caps_bounding = cap_mask(&pr->cap_bounding);
	pr->caps_effective = cap_mask(&pr->cap_effective);
	pr->caps_inheritable = cap_mask(&pr->cap_inheritable);
	pr->caps_permitted = cap_mask(&pr->cap_permitted);
	pr->caps_ambient = cap_mask(&pr->cap_ambient);
	return rc ? -1 : 0;
}

static int parse_env(struct parser *p, json_t *process)
{
	struct oci_strings *env = &p->c->process.env;
	if (get_strings(p, process, "env", "process.env", env) < 0)
		return -1;
	for (size_t i = 0; i < env->n; i++)
		if (!strchr(env->v[i], '=') || env->v[i][0] == '=') {
			char f[64];
			return parser_bad(p, field_index(f, sizeof(f), "process.env", i),
					  "must be KEY=VALUE");
		}
	return 0;
}

static int parse_process(struct parser *p, json_t *doc)
{
	struct oci_process *pr = &p->c->process;
	json_t *process = NULL;
	int rc = get_object(p, doc, "process", "process", &process);
	if (rc <= 0)
		return rc < 0 ? -1 : parser_bad(p, "process", "is required");
	p->c->has_process = true;
	const char *args_why = "must be a non-empty array of strings";
	json_t *args = json_object_get(process, "args");
	if (!args || !json_is_array(args) || json_array_size(args) == 0)
		return parser_bad(p, "process.args", args_why);
	if (get_strings(p, process, "args", "process.args", &pr->args) < 0)
		return -1;
	if (pr->args.v[0][0] == '\0')
		return parser_bad(p, "process.args[0]", "must not be empty");
	if ((rc = get_string(p, process, "cwd", "process.cwd", &pr->cwd)) <= 0)
		return rc < 0 ? -1 : parser_bad(p, "process.cwd", "is required");
	if (pr->cwd[0] != '/')
		return parser_bad(p, "process.cwd", "must be an absolute path");
	json_t *size = NULL;
	if (get_object(p, process, "consoleSize", "process.consoleSize", &size) < 0 ||
	    (size &&
	     (get_u32(p, size, "height", "process.consoleSize.height", &pr->console_height) < 0 ||
	      get_u32(p, size, "width", "process.consoleSize.width", &pr->console_width) < 0)))
		return -1;
	if (get_bool(p, process, "terminal", "process.terminal", &pr->terminal) < 0 ||
	    get_bool(p, process, "noNewPrivileges", "process.noNewPrivileges",
		     &pr->no_new_privileges) < 0 ||
	    parse_env(p, process) < 0 || parse_user(p, process) < 0 ||
	    parse_rlimits(p, process) < 0 || parse_capabilities(p, process) < 0)
		return -1;
	return 0;
}

static int parse_root(struct parser *p, json_t *doc, const char *bundle)
{
	struct oci_config *c = p->c;
	json_t *root = NULL;
	int rc = get_object(p, doc, "root", "root", &root);
	if (rc <= 0)
		return rc < 0 ? -1 : parser_bad(p, "root", "is required");
	if ((rc = get_string(p, root, "path", "root.path", &c->root_path)) <= 0)
		return rc < 0 ? -1 : parser_bad(p, "root.path", "is required");
	if (!*c->root_path)
		return parser_bad(p, "root.path", "must not be empty");
	if (get_bool(p, root, "readonly", "root.readonly", &c->root_readonly) < 0)
		return -1;
	cleanup_free char *joined = c->root_path[0] == '/'
					? xstrdup(c->root_path)
					: xasprintf("%s/%s", bundle, c->root_path);
	c->rootfs = path_clean(joined);
	return 0;
}

static int parse_document(struct parser *p, json_t *doc, const char *bundle)
{
	struct oci_config *c = p->c;
	if (!json_is_object(doc))
		return error_set(p->e, EINVAL, "config.json: must be a JSON object");
	int rc = get_string(p, doc, "ociVersion", "ociVersion", &c->oci_version);
	if (rc <= 0)
		return rc < 0 ? -1 : parser_bad(p, "ociVersion", "is required");
	if (!*c->oci_version)
		return parser_bad(p, "ociVersion", "must not be empty");
	if (parse_root(p, doc, bundle) < 0 || parse_process(p, doc) < 0 ||
	    get_string(p, doc, "hostname", "hostname", &c->hostname) < 0 ||
	    get_string(p, doc, "domainname", "domainname", &c->domainname) < 0 ||
	    parse_mounts(p, doc) < 0 || parse_linux(p, doc) < 0 || parse_hooks(p, doc) < 0 ||
	    get_pairs(p, doc, "annotations", "annotations", &c->annotations) < 0)
		return -1;
	return 0;
}

static json_t *load_json(const char *text, size_t len, struct error *e)
{
	json_error_t je;
	size_t flags = JSON_REJECT_DUPLICATES;
	json_t *doc = json_loadb(text, len, flags, &je);
	if (!doc && strstr(je.text, "too big integer"))
		doc = json_loadb(text, len, flags | JSON_DECODE_INT_AS_REAL, &je);
	if (!doc) {
		error_set(e, EINVAL, "config.json: line %d, column %d: %s", je.line, je.column,
			  je.text);
		one_line(e);
		return NULL;
	}
	return doc;
}

int oci_config_parse(const char *text, size_t len, const char *bundle, struct oci_config **out,
		     struct error *e)
{
	*out = NULL;
	json_t *doc = load_json(text, len, e);
	if (!doc)
		return -1;
	struct oci_config *c = xcalloc(1, sizeof(*c));
	c->doc = doc;
	struct parser p = {.c = c, .e = e};
	if (parse_document(&p, doc, bundle) != 0) {
		oci_config_free(c);
		return -1;
	}
	*out = c;
	return 0;
}

int oci_config_load(const char *bundle, struct oci_config **out, struct error *e)
{
	cleanup_free char *path = xasprintf("%s/config.json", bundle);
	struct strbuf text = {0};
	int rc = read_file(path, CONFIG_MAX_SIZE, &text);
	if (rc == -EFBIG)
		return error_set(e, EFBIG, "config.json: `%s`: larger than %u bytes", path,
				 CONFIG_MAX_SIZE);
	if (rc < 0)
		return error_sys(e, -rc, "config.json: cannot read `%s`", path);
	rc = oci_config_parse(text.data ? text.data : "", text.len, bundle, out, e);
	strbuf_release(&text);
	return rc;
}

void oci_config_free(struct oci_config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_allocs; i++)
		free(c->allocs[i]);
	free(c->allocs);
	free(c->rootfs);
	json_decref(c->doc);
	free(c);
}
