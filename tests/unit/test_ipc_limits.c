/* The sandbox's IPC namespace parameters (sentry/kernel/ipc-limits.c):
 * Linux's defaults for a new namespace, what /proc/sys shows, and how a
 * write is parsed and range-checked (proc_dointvec_minmax and
 * proc_doulongvec_minmax's rules), and the id a new object takes. */
#include <check.h>

#include "tests/check-run.h"
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sentry/kernel/ipc.h"

static void expect_show(const struct ipc_limits *l, const char *key, const char *want)
{
	const struct ipc_sysctl *k = ipc_sysctl_find(key);
	ck_assert_msg(k != NULL, "%s not found", key);
	char *got = ipc_sysctl_show(l, k);
	ck_assert_msg(strcmp(got, want) == 0, "%s shows `%s`, want `%s`", key, got, want);
	free(got);
}

/* Store `text` into `key`: the result (bytes taken or -errno). */
static long store(struct ipc_limits *l, const char *key, const char *text)
{
	const struct ipc_sysctl *k = ipc_sysctl_find(key);
	ck_assert_msg(k != NULL, "%s not found", key);
	return ipc_sysctl_store(l, k, text, strlen(text));
}

START_TEST(defaults_are_a_new_namespace)
{
	struct ipc_limits l;
	ipc_limits_init(&l);
	expect_show(&l, "kernel.shmmax", "18446744073692774399\n");
	expect_show(&l, "kernel.shmall", "18446744073692774399\n");
	expect_show(&l, "kernel.shmmni", "4096\n");
	expect_show(&l, "kernel.shm_rmid_forced", "0\n");
	expect_show(&l, "kernel.msgmax", "8192\n");
	expect_show(&l, "kernel.msgmnb", "16384\n");
	expect_show(&l, "kernel.msgmni", "32000\n");
	expect_show(&l, "kernel.sem", "32000\t1024000000\t500\t32000\n");
	expect_show(&l, "kernel.msg_next_id", "-1\n");
	expect_show(&l, "kernel.sem_next_id", "-1\n");
	expect_show(&l, "kernel.shm_next_id", "-1\n");
	expect_show(&l, "fs.mqueue.queues_max", "256\n");
	expect_show(&l, "fs.mqueue.msg_max", "10\n");
	expect_show(&l, "fs.mqueue.msgsize_max", "8192\n");
	expect_show(&l, "fs.mqueue.msg_default", "10\n");
	expect_show(&l, "fs.mqueue.msgsize_default", "8192\n");
	ck_assert_ptr_null(ipc_sysctl_find("kernel.hostname"));
	ck_assert_ptr_null(ipc_sysctl_find("fs.mqueue.nope"));
	ck_assert_ptr_null(ipc_sysctl_find("kernel.msgmni.x"));
}
END_TEST

START_TEST(numbers_are_parsed_as_linux)
{
	struct ipc_limits l;
	ipc_limits_init(&l);
	ck_assert_int_eq(store(&l, "kernel.msgmni", "2\n"), 2);
	ck_assert_int_eq(l.msgmni, 2);
	ck_assert_int_eq(store(&l, "kernel.msgmni", "  7  \n"), 6);
	ck_assert_int_eq(l.msgmni, 7);
	ck_assert_int_eq(store(&l, "kernel.msgmni", "0x10"), 4); /* base 0 */
	ck_assert_int_eq(l.msgmni, 16);
	ck_assert_int_eq(store(&l, "kernel.msgmni", "010"), 3);
	ck_assert_int_eq(l.msgmni, 8);
	/* One value taken, what follows it is left (a short write). */
	ck_assert_int_eq(store(&l, "kernel.msgmni", "3 4"), 2);
	ck_assert_int_eq(l.msgmni, 3);
	/* Not a number, a number run into letters, nothing: EINVAL, unchanged. */
	ck_assert_int_eq(store(&l, "kernel.msgmni", "abc"), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.msgmni", "5x"), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.msgmni", ""), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.msgmni", " \n"), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.msgmni", "-"), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.msgmni", "1111111111111111111111"), -EINVAL);
	ck_assert_int_eq(l.msgmni, 3);
}
END_TEST

START_TEST(ranges_are_linux_s)
{
	struct ipc_limits l;
	ipc_limits_init(&l);
	ck_assert_int_eq(store(&l, "kernel.msgmni", "32768"), 5);
	ck_assert_int_eq(store(&l, "kernel.msgmni", "32769"), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.msgmni", "-1"), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.shmmni", "32769"), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.shm_rmid_forced", "2"), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.shm_rmid_forced", "1"), 1);
	ck_assert_int_eq(store(&l, "kernel.msgmax", "2147483647"), 10);
	ck_assert_int_eq(store(&l, "kernel.msgmax", "2147483648"), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.msgmnb", "-5"), -EINVAL);
	/* queues_max has no range; the mqueue sizes have Linux's. */
	ck_assert_int_eq(store(&l, "fs.mqueue.queues_max", "-3"), 2);
	ck_assert_int_eq(l.mq_queues_max, -3);
	ck_assert_int_eq(store(&l, "fs.mqueue.msg_max", "0"), -EINVAL);
	ck_assert_int_eq(store(&l, "fs.mqueue.msg_max", "65537"), -EINVAL);
	ck_assert_int_eq(store(&l, "fs.mqueue.msg_max", "65536"), 5);
	ck_assert_int_eq(store(&l, "fs.mqueue.msgsize_max", "127"), -EINVAL);
	ck_assert_int_eq(store(&l, "fs.mqueue.msgsize_default", "16777217"), -EINVAL);
	/* next_id: 0 and up; -1 is what reads show, not what writes take. */
	ck_assert_int_eq(store(&l, "kernel.msg_next_id", "-1"), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.msg_next_id", "12"), 2);
	ck_assert_int_eq(l.msg_next_id, 12);
	/* unsigned long: any, but no sign. */
	ck_assert_int_eq(store(&l, "kernel.shmmax", "18446744073709551615"), 20);
	ck_assert_uint_eq(l.shmmax, ULONG_MAX);
	ck_assert_int_eq(store(&l, "kernel.shmall", "-1"), -EINVAL);
	ck_assert_int_eq(store(&l, "kernel.shmall", "18446744073709551616"), -EINVAL);
}
END_TEST

START_TEST(sem_takes_four_values)
{
	struct ipc_limits l;
	ipc_limits_init(&l);
	ck_assert_int_eq(store(&l, "kernel.sem", "1 2 3 4"), 7);
	expect_show(&l, "kernel.sem", "1\t2\t3\t4\n");
	/* Fewer: the rest stay. */
	ck_assert_int_eq(store(&l, "kernel.sem", "9\t8"), 3);
	expect_show(&l, "kernel.sem", "9\t8\t3\t4\n");
	/* semmni out of 0..32768: ERANGE, the other three kept (Linux). */
	ck_assert_int_eq(store(&l, "kernel.sem", "5 6 7 40000"), -ERANGE);
	expect_show(&l, "kernel.sem", "5\t6\t7\t4\n");
}
END_TEST

static bool taken[8];
static bool in_use(struct sentry *s, int id)
{
	(void)s;
	return id >= 0 && id < 8 && taken[id];
}

START_TEST(next_id_is_spent_once)
{
	int next = -1, counter = 0;
	memset(taken, 0, sizeof(taken));
	ck_assert_int_eq(ipc_new_id(NULL, &next, &counter, in_use), 0);
	taken[0] = true;
	ck_assert_int_eq(ipc_new_id(NULL, &next, &counter, in_use), 1);
	taken[1] = true;
	next = 5;
	ck_assert_int_eq(ipc_new_id(NULL, &next, &counter, in_use), 5);
	ck_assert_int_eq(next, -1);
	taken[5] = true;
	/* An id in use: the next free one above it. */
	next = 5;
	taken[6] = true;
	ck_assert_int_eq(ipc_new_id(NULL, &next, &counter, in_use), 7);
	ck_assert_int_eq(next, -1);
	/* The counter goes on, skipping ids in use. */
	ck_assert_int_eq(ipc_new_id(NULL, &next, &counter, in_use), 2);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("ipc-limits");
	TCase *tc = tcase_create("pure");
	tcase_add_test(tc, defaults_are_a_new_namespace);
	tcase_add_test(tc, numbers_are_parsed_as_linux);
	tcase_add_test(tc, ranges_are_linux_s);
	tcase_add_test(tc, sem_takes_four_values);
	tcase_add_test(tc, next_id_is_spent_once);
	suite_add_tcase(s, tc);
	return check_run(s);
}
