/* config.json validation: good configs parse into the struct, each bad one
 * fails with exactly one line naming the field, and no input crashes the
 * parser (truncations and type swaps of a good config). */
#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#include "runtime/config-internal.h"
#include "tests/check-run.h"

#define BUNDLE "/b"

/* Parse `text`; return "" on success, else the error line (static). */
static const char *parse(const char *text)
{
	static struct error e;
	struct oci_config *c = NULL;
	e = (struct error){0};
	int rc = oci_config_parse(text, strlen(text), BUNDLE, &c, &e);
	oci_config_free(c);
	return rc == 0 ? "" : e.msg;
}

/* The smallest valid config, and a full one. */
#define MINIMAL                                                                                    \
	"{\"ociVersion\":\"1.0.2\",\"root\":{\"path\":\"rootfs\"},"                                \
	"\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}}"

static const char full_config[] =
    "{\"ociVersion\":\"1.0.2-dev\","
    "\"process\":{\"terminal\":false,\"user\":{\"uid\":0,\"gid\":0,\"umask\":18,"
    "\"additionalGids\":[5,6]},\"args\":[\"sh\",\"-c\",\"echo hi\"],"
    "\"env\":[\"PATH=/usr/bin:/bin\",\"TERM=xterm\"],\"cwd\":\"/work\","
    "\"capabilities\":{\"bounding\":[\"CAP_KILL\"],\"effective\":[\"CAP_KILL\"]},"
    "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1024,\"soft\":1024},"
    "{\"type\":\"RLIMIT_CORE\",\"hard\":18446744073709551615,\"soft\":0}],"
    "\"noNewPrivileges\":true},"
    "\"root\":{\"path\":\"/abs/rootfs\",\"readonly\":true},"
    "\"hostname\":\"box\",\"domainname\":\"example\","
    "\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\",\"source\":\"proc\"},"
    "{\"destination\":\"/dev\",\"type\":\"tmpfs\",\"source\":\"tmpfs\","
    "\"options\":[\"nosuid\",\"mode=755\"]}],"
    "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"network\",\"path\":\"/proc/1/ns/"
    "net\"}],"
    "\"maskedPaths\":[\"/proc/kcore\"],\"readonlyPaths\":[\"/proc/sys\"],"
    "\"sysctl\":{\"net.ipv4.ip_forward\":\"1\"},"
    "\"resources\":{\"pids\":{\"limit\":128},\"memory\":{\"limit\":1}},"
    "\"devices\":[{\"path\":\"/dev/fuse\",\"type\":\"c\",\"major\":10,\"minor\":229,"
    "\"fileMode\":438,\"uid\":0,\"gid\":0}],"
    "\"uidMappings\":[]},"
    "\"hooks\":{\"prestart\":[{\"path\":\"/bin/true\",\"args\":[\"true\"],\"timeout\":5}],"
    "\"poststop\":[{\"path\":\"/bin/false\"}]},"
    "\"annotations\":{\"org.example.a\":\"1\",\"b\":\"two\"},"
    "\"unknownField\":{\"ignored\":true}}";

START_TEST(minimal_config_parses)
{
	struct error e = {0};
	struct oci_config *c = NULL;
	ck_assert_int_eq(oci_config_parse(MINIMAL, strlen(MINIMAL), BUNDLE, &c, &e), 0);
	ck_assert_str_eq(c->rootfs, "/b/rootfs");
	ck_assert_uint_eq(c->process.args.n, 1);
	ck_assert_ptr_null(c->process.args.v[1]);
	ck_assert_uint_eq(c->process.env.n, 0);
	ck_assert_ptr_null(c->process.env.v[0]);
	ck_assert(!c->process.user.has_umask);
	ck_assert(!c->root_readonly);
	ck_assert_ptr_null(c->hostname);
	oci_config_free(c);
}
END_TEST

START_TEST(full_config_keeps_every_field)
{
	struct error e = {0};
	struct oci_config *c = NULL;
	ck_assert_msg(oci_config_parse(full_config, strlen(full_config), BUNDLE, &c, &e) == 0, "%s",
		      e.msg);
	ck_assert_str_eq(c->oci_version, "1.0.2-dev");
	ck_assert_str_eq(c->rootfs, "/abs/rootfs");
	ck_assert(c->root_readonly);
	ck_assert_str_eq(c->process.args.v[2], "echo hi");
	ck_assert_str_eq(c->process.env.v[1], "TERM=xterm");
	ck_assert_str_eq(c->process.cwd, "/work");
	ck_assert_uint_eq(c->process.user.umask, 022);
	ck_assert_uint_eq(c->process.user.n_additional_gids, 2);
	ck_assert_uint_eq(c->process.user.additional_gids[1], 6);
	ck_assert_uint_eq(c->process.n_rlimits, 2);
	ck_assert_int_eq(c->process.rlimits[0].resource, RLIMIT_NOFILE);
	ck_assert_uint_eq(c->process.rlimits[0].soft, 1024);
	ck_assert_uint_eq(c->process.rlimits[1].hard, UINT64_MAX);
	ck_assert(c->process.no_new_privileges);
	ck_assert_str_eq(c->process.cap_bounding.v[0], "CAP_KILL");
	ck_assert_uint_eq(c->process.cap_ambient.n, 0);
	ck_assert_str_eq(c->hostname, "box");
	ck_assert_str_eq(c->domainname, "example");
	ck_assert_uint_eq(c->n_mounts, 2);
	ck_assert_str_eq(c->mounts[1].options.v[1], "mode=755");
	ck_assert_ptr_null(c->mounts[0].options.v[0]);
	ck_assert_uint_eq(c->linux.n_namespaces, 2);
	ck_assert_str_eq(c->linux.namespaces[1].path, "/proc/1/ns/net");
	ck_assert_str_eq(c->linux.masked_paths.v[0], "/proc/kcore");
	ck_assert_str_eq(c->linux.sysctl.v[0].value, "1");
	ck_assert(c->linux.has_pids_limit);
	ck_assert_int_eq(c->linux.pids_limit, 128);
	ck_assert_int_eq(c->linux.devices[0].minor, 229);
	ck_assert_uint_eq(c->linux.devices[0].file_mode, 0666);
	ck_assert_uint_eq(c->hooks[HOOK_PRESTART].n, 1);
	ck_assert_int_eq(c->hooks[HOOK_PRESTART].v[0].timeout, 5);
	ck_assert_uint_eq(c->hooks[HOOK_POSTSTOP].n, 1);
	ck_assert_uint_eq(c->annotations.n, 2);
	ck_assert_str_eq(c->annotations.v[1].key, "b");
	oci_config_free(c);
}
END_TEST

START_TEST(root_path_is_cleaned_against_the_bundle)
{
	const char *text = "{\"ociVersion\":\"1\",\"root\":{\"path\":\"./a//b/../rootfs/\"},"
			   "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"}}";
	struct error e = {0};
	struct oci_config *c = NULL;
	ck_assert_int_eq(oci_config_parse(text, strlen(text), BUNDLE, &c, &e), 0);
	ck_assert_str_eq(c->rootfs, "/b/a/rootfs");
	oci_config_free(c);
}
END_TEST

/* Each bad config and the exact line it must fail with. */
static const struct {
	const char *text, *error;
} bad_configs[] = {
    {"", "config.json: line 1, column 0: '[' or '{' expected near end of file"},
    {"{\"ociVersion\":\"1\",}", "config.json: line 1, column 19: string or '}' expected near '}'"},
    {"[1]", "config.json: must be a JSON object"},
    {"{\"ociVersion\":\"1\",\"ociVersion\":\"2\"}",
     "config.json: line 1, column 30: duplicate object key near '\"ociVersion\"'"},
    {"{}", "config.json: ociVersion: is required"},
    {"{\"ociVersion\":1}", "config.json: ociVersion: must be a string"},
    {"{\"ociVersion\":\"1\"}", "config.json: root: is required"},
    {"{\"ociVersion\":\"1\",\"root\":\"/x\"}", "config.json: root: must be an object"},
    {"{\"ociVersion\":\"1\",\"root\":{}}", "config.json: root.path: is required"},
    {"{\"ociVersion\":\"1\",\"root\":{\"path\":\"\"}}",
     "config.json: root.path: must not be empty"},
    {"{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\",\"readonly\":\"yes\"}}",
     "config.json: root.readonly: must be true or false"},
    {"{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"}}", "config.json: process: is required"},
#define R "{\"ociVersion\":\"1\",\"root\":{\"path\":\"r\"},"
    {R "\"process\":{\"cwd\":\"/\"}}",
     "config.json: process.args: must be a non-empty array of strings"},
    {R "\"process\":{\"args\":[],\"cwd\":\"/\"}}",
     "config.json: process.args: must be a non-empty array of strings"},
    {R "\"process\":{\"args\":\"sh\",\"cwd\":\"/\"}}",
     "config.json: process.args: must be a non-empty array of strings"},
    {R "\"process\":{\"args\":[\"sh\",3],\"cwd\":\"/\"}}",
     "config.json: process.args[1]: must be a string"},
    {R "\"process\":{\"args\":[\"\"],\"cwd\":\"/\"}}",
     "config.json: process.args[0]: must not be empty"},
    {R "\"process\":{\"args\":[\"sh\"]}}", "config.json: process.cwd: is required"},
    {R "\"process\":{\"args\":[\"sh\"],\"cwd\":\"work\"}}",
     "config.json: process.cwd: must be an absolute path"},
#define P R "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\","
    {P "\"env\":[\"A=1\",\"B\"]}}", "config.json: process.env[1]: must be KEY=VALUE"},
    {P "\"env\":{}}}", "config.json: process.env: must be an array of strings"},
    {P "\"terminal\":1}}", "config.json: process.terminal: must be true or false"},
    {P "\"user\":{\"uid\":-1}}}",
     "config.json: process.user.uid: must be an integer from 0 to 4294967295"},
    {P "\"user\":{\"gid\":4294967296}}}",
     "config.json: process.user.gid: must be an integer from 0 to 4294967295"},
    {P "\"user\":{\"uid\":1.5}}}",
     "config.json: process.user.uid: must be an integer from 0 to 4294967295"},
    {P "\"user\":{\"umask\":512}}}",
     "config.json: process.user.umask: must be from 0 to 511 (0777)"},
    {P "\"user\":{\"additionalGids\":[\"wheel\"]}}}",
     "config.json: process.user.additionalGids: must be an array of integers from 0 to "
     "4294967295"},
    {P "\"rlimits\":[{\"type\":\"RLIMIT_FOO\",\"soft\":1,\"hard\":1}]}}",
     "config.json: process.rlimits[0].type: unknown resource (expected RLIMIT_NOFILE, "
     "RLIMIT_NPROC...)"},
    {P "\"rlimits\":[{\"soft\":1,\"hard\":1}]}}",
     "config.json: process.rlimits[0].type: is required"},
    {P "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"hard\":1}]}}",
     "config.json: process.rlimits[0].soft: is required"},
    {P "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":2,\"hard\":1}]}}",
     "config.json: process.rlimits[0].soft: must not be greater than hard"},
    {P "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1},"
       "{\"type\":\"RLIMIT_NOFILE\",\"soft\":1,\"hard\":1}]}}",
     "config.json: process.rlimits[1].type: given twice"},
    {P "\"rlimits\":[{\"type\":\"RLIMIT_NOFILE\",\"soft\":\"1\",\"hard\":1}]}}",
     "config.json: process.rlimits[0].soft: must be an integer from 0 to "
     "18446744073709551615"},
    {P "\"capabilities\":{\"bounding\":\"CAP_KILL\"}}}",
     "config.json: process.capabilities.bounding: must be an array of strings"},
    {P "\"noNewPrivileges\":\"true\"}}",
     "config.json: process.noNewPrivileges: must be true or false"},
#define OK R "\"process\":{\"args\":[\"sh\"],\"cwd\":\"/\"},"
    {OK "\"hostname\":5}", "config.json: hostname: must be a string"},
    {OK "\"mounts\":{}}", "config.json: mounts: must be an array"},
    {OK "\"mounts\":[5]}", "config.json: mounts[0]: must be an object"},
    {OK "\"mounts\":[{\"type\":\"proc\"}]}", "config.json: mounts[0].destination: is required"},
    {OK "\"mounts\":[{\"destination\":\"/p\",\"options\":[\"ro\",1]}]}",
     "config.json: mounts[0].options[1]: must be a string"},
    {OK "\"linux\":[]}", "config.json: linux: must be an object"},
    {OK "\"linux\":{\"namespaces\":[{\"type\":\"bogus\"}]}}",
     "config.json: linux.namespaces[0].type: unknown namespace type (expected pid, network, "
     "mount, ipc, uts, user, cgroup or time)"},
    {OK "\"linux\":{\"namespaces\":[{\"type\":\"pid\"},{\"type\":\"pid\"}]}}",
     "config.json: linux.namespaces[1].type: given twice"},
    {OK "\"linux\":{\"maskedPaths\":[\"proc/kcore\"]}}",
     "config.json: linux.maskedPaths[0]: must be an absolute path"},
    {OK "\"linux\":{\"sysctl\":{\"net.x\":1}}}",
     "config.json: linux.sysctl.net.x: must be a string"},
    {OK "\"linux\":{\"resources\":{\"pids\":{\"limit\":\"many\"}}}}",
     "config.json: linux.resources.pids.limit: must be an integer from -9007199254740992 to "
     "9007199254740992"},
    {OK "\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"c\",\"major\":1}]}}",
     "config.json: linux.devices[0].minor: is required for this type"},
    {OK "\"linux\":{\"devices\":[{\"path\":\"/dev/x\",\"type\":\"z\"}]}}",
     "config.json: linux.devices[0].type: must be c, b, u or p"},
    {OK "\"hooks\":{\"prestart\":[{\"path\":\"true\"}]}}",
     "config.json: hooks.prestart[0].path: must be an absolute path"},
    {OK "\"hooks\":{\"poststart\":[{\"path\":\"/bin/true\",\"timeout\":0}]}}",
     "config.json: hooks.poststart[0].timeout: must be an integer from 1 to 2147483647"},
    {OK "\"hooks\":{\"createRuntime\":{}}}", "config.json: hooks.createRuntime: must be an array"},
    {OK "\"annotations\":{\"a\":[]}}", "config.json: annotations.a: must be a string"},
    /* fuzz/corpus/config/regress-newline-key: a control character in a
     * key must not break the error line. */
    {OK "\"annotations\":{\"a\\nb\\u0001\":1}}",
     "config.json: annotations.a?b?: must be a string"},
#undef OK
#undef P
#undef R
};

START_TEST(bad_config_fails_with_its_line)
{
	const char *got = parse(bad_configs[_i].text);
	ck_assert_msg(strcmp(got, bad_configs[_i].error) == 0, "config %d: %s\n got: %s\nwant: %s",
		      _i, bad_configs[_i].text, got, bad_configs[_i].error);
}
END_TEST

/* A parse result is acceptable: success, or one "config.json: " line. */
static void check_outcome(const char *text, const char *what)
{
	const char *got = parse(text);
	if (!*got)
		return;
	ck_assert_msg(strncmp(got, "config.json: ", 13) == 0 && !strchr(got, '\n'),
		      "%s: bad error line `%s`", what, got);
}

START_TEST(truncated_configs_never_crash)
{
	char *copy = strdup(full_config);
	for (size_t n = 0; n < strlen(full_config); n++) {
		char saved = copy[n];
		copy[n] = '\0';
		check_outcome(copy, "truncation");
		copy[n] = saved;
	}
	free(copy);
}
END_TEST

/* Every value of the document, in turn, replaced by a value of each JSON
 * type: the parser must answer every variant. */
static void swap_each(json_t *doc, json_t *node, int *count)
{
	json_t *const values[] = {
	    json_null(),    json_true(),     json_integer(-1), json_integer(1LL << 40),
	    json_real(0.5), json_string(""), json_string("x"), json_array(),
	    json_object()};
	const char *key;
	json_t *child;
	void *tmp;
	if (json_is_object(node)) {
		json_object_foreach_safe(node, tmp, key, child)
		{
			json_t *saved = json_incref(child);
			for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
				json_object_set(node, key, values[v]);
				char *text = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
				check_outcome(text, "type swap");
				free(text);
				++*count;
			}
			json_object_set_new(node, key, saved);
			swap_each(doc, saved, count);
		}
	} else if (json_is_array(node)) {
		for (size_t i = 0; i < json_array_size(node); i++) {
			json_t *saved = json_incref(json_array_get(node, i));
			for (size_t v = 0; v < ARRAY_SIZE(values); v++) {
				json_array_set(node, i, values[v]);
				char *text = json_dumps(doc, JSON_COMPACT);
				check_outcome(text, "type swap");
				free(text);
				++*count;
			}
			json_array_set_new(node, i, saved);
			swap_each(doc, saved, count);
		}
	}
	for (size_t v = 0; v < ARRAY_SIZE(values); v++)
		json_decref(values[v]);
}

START_TEST(type_swapped_configs_never_crash)
{
	/* jansson's own integers stop at 2^63-1: the same config with -1
	 * (also "unlimited") for 2^64-1. */
	char *text = strdup(full_config);
	char *big = strstr(text, "18446744073709551615");
	ck_assert_ptr_nonnull(big);
	memcpy(big, "-1", 2);
	memmove(big + 2, big + 20, strlen(big + 20) + 1);
	json_t *doc = json_loads(text, 0, NULL);
	free(text);
	ck_assert_ptr_nonnull(doc);
	int count = 0;
	swap_each(doc, doc, &count);
	ck_assert_int_gt(count, 500);
	json_decref(doc);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("oci-config");
	TCase *tc = tcase_create("config");
	tcase_add_test(tc, minimal_config_parses);
	tcase_add_test(tc, full_config_keeps_every_field);
	tcase_add_test(tc, root_path_is_cleaned_against_the_bundle);
	tcase_add_loop_test(tc, bad_config_fails_with_its_line, 0, (int)ARRAY_SIZE(bad_configs));
	tcase_add_test(tc, truncated_configs_never_crash);
	tcase_add_test(tc, type_swapped_configs_never_crash);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return check_run(s);
}
