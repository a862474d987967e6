/* The pure parts of the sentry's mount table (sentry/kernel/mount.c):
 * folding a path, a path below a mount, mount options, and which mount a
 * path belongs to (the longest prefix; a later mount of the same path
 * hides an earlier one). */
#include <check.h>

#include "tests/check-run.h"
#include <errno.h>
#include <stdlib.h>

#include "sentry/kernel/files.h"

static void expect_norm(const char *in, const char *want)
{
	char *got = mount_normalize(in);
	ck_assert_msg(strcmp(got, want) == 0, "normalize(%s) = %s, want %s", in, got, want);
	free(got);
}

START_TEST(normalize_folds_dots_and_slashes)
{
	expect_norm("/", "/");
	expect_norm("//", "/");
	expect_norm("/a/b", "/a/b");
	expect_norm("/a//b/", "/a/b");
	expect_norm("/a/./b/.", "/a/b");
	expect_norm("/a/b/..", "/a");
	expect_norm("/a/../../..", "/");
	expect_norm("/..", "/");
	expect_norm("/../etc/passwd", "/etc/passwd");
	expect_norm("/tmp/../proc/..", "/");
	expect_norm("/a/..b/c", "/a/..b/c");
	expect_norm("/a/.../c", "/a/.../c");
}
END_TEST

START_TEST(below_matches_whole_components)
{
	ck_assert_str_eq(mount_below("/tmp/x", "/tmp"), "x");
	ck_assert_str_eq(mount_below("/tmp", "/tmp"), "");
	ck_assert_str_eq(mount_below("/tmp/a/b", "/tmp"), "a/b");
	ck_assert_ptr_null(mount_below("/tmpfoo", "/tmp"));
	ck_assert_ptr_null(mount_below("/tm", "/tmp"));
	ck_assert_ptr_null(mount_below("/etc", "/tmp"));
	ck_assert_str_eq(mount_below("/etc", "/"), "etc");
	ck_assert_str_eq(mount_below("/", "/"), "");
}
END_TEST

static int parse(const char *const *opts, struct mount_options *o)
{
	return mount_parse_options(opts, o);
}

START_TEST(options_are_parsed)
{
	struct mount_options o;
	const char *const none[] = {NULL};
	ck_assert_int_eq(parse(none, &o), 0);
	ck_assert(!o.readonly && !o.bind && o.mode == -1 && o.size == 0);
	ck_assert_int_eq(parse(NULL, &o), 0);
	const char *const a[] = {"rbind", "nosuid", "ro", NULL};
	ck_assert_int_eq(parse(a, &o), 0);
	ck_assert(o.readonly && o.bind);
	const char *const b[] = {"ro", "rw", "bind", NULL};
	ck_assert_int_eq(parse(b, &o), 0);
	ck_assert(!o.readonly && o.bind);
	const char *const c[] = {"mode=755", "size=65536k", NULL};
	ck_assert_int_eq(parse(c, &o), 0);
	ck_assert_int_eq(o.mode, 0755);
	ck_assert_uint_eq(o.size, 65536ULL << 10);
	const char *const d[] = {"size=2m", "mode=1777", NULL};
	ck_assert_int_eq(parse(d, &o), 0);
	ck_assert_uint_eq(o.size, 2ULL << 20);
	ck_assert_int_eq(o.mode, 01777);
	const char *const e[] = {"size=10", NULL};
	ck_assert_int_eq(parse(e, &o), 0);
	ck_assert_uint_eq(o.size, 10);
	const char *const bad[][2] = {{"mode=9", NULL},	   {"mode=", NULL},    {"mode=77777", NULL},
				      {"size=", NULL},	   {"size=1x", NULL},  {"size=-1", NULL},
				      {"size=1kk", NULL}, {"mode=-1", NULL}, {"size=99999999999999999999", NULL}};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(parse(bad[i], &o) == -EINVAL, "%s accepted", bad[i][0]);
}
END_TEST

START_TEST(lookup_takes_the_longest_prefix)
{
	struct mount v[] = {{.dest = "/"}, {.dest = "/tmp"}, {.dest = "/tmp/a"},
			    {.dest = "/dev"}, {.dest = "/tmp"}};
	struct mount_table mt = {.v = v, .n = 5};
	const char *rest = NULL;
	ck_assert_uint_eq(mount_lookup(&mt, "/etc/passwd", &rest), 0);
	ck_assert_str_eq(rest, "etc/passwd");
	ck_assert_uint_eq(mount_lookup(&mt, "/", &rest), 0);
	ck_assert_str_eq(rest, "");
	/* The later of two mounts of /tmp. */
	ck_assert_uint_eq(mount_lookup(&mt, "/tmp/x", &rest), 4);
	ck_assert_str_eq(rest, "x");
	ck_assert_uint_eq(mount_lookup(&mt, "/tmp", &rest), 4);
	ck_assert_str_eq(rest, "");
	ck_assert_uint_eq(mount_lookup(&mt, "/tmp/a/b", &rest), 2);
	ck_assert_str_eq(rest, "b");
	ck_assert_uint_eq(mount_lookup(&mt, "/tmpx", &rest), 0);
	ck_assert_str_eq(rest, "tmpx");
	ck_assert_uint_eq(mount_lookup(&mt, "/dev/null", &rest), 3);
	ck_assert_str_eq(rest, "null");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("mount");
	TCase *tc = tcase_create("pure");
	tcase_add_test(tc, normalize_folds_dots_and_slashes);
	tcase_add_test(tc, below_matches_whole_components);
	tcase_add_test(tc, options_are_parsed);
	tcase_add_test(tc, lookup_takes_the_longest_prefix);
	suite_add_tcase(s, tc);
	return check_run(s);
}
