/* The sentry's own seccomp filter (sentry/syscalls/host-allow.def,
 * host-filter.c): every entry names a real syscall with a reason, the
 * list builds into a filter, and loaded (in a child) it lets the listed
 * calls through and kills the process on anything else. */
#include <check.h>

#include "tests/check-run.h"
#include <errno.h>
#include <seccomp.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sentry/syscalls/syscalls.h"

START_TEST(every_entry_names_a_real_syscall_with_a_reason)
{
	for (size_t i = 0; i < host_allow_count; i++) {
		const struct host_allow *h = &host_allow[i];
		ck_assert_msg(seccomp_syscall_resolve_name(h->name) == h->nr, "%s", h->name);
		ck_assert_msg(h->why && strlen(h->why) > 5, "%s: no reason", h->name);
		/* A name is listed once, or only as argument-checked lines:
		 * an unconditional line would make the others meaningless. */
		for (size_t j = 0; j < i; j++)
			if (host_allow[j].nr == h->nr)
				ck_assert_msg(host_allow[j].kind == h->kind && h->mask != 0,
					      "%s listed twice", h->name);
	}
	ck_assert_uint_gt(host_allow_count, 50);
}
END_TEST

START_TEST(the_list_builds_into_a_filter)
{
	for (int trap = 0; trap < 2; trap++) {
		void *f = host_filter_build(trap);
		ck_assert_ptr_nonnull(f);
		int fd = memfd_create("host-filter", MFD_CLOEXEC);
		ck_assert_int_eq(seccomp_export_bpf(f, fd), 0);
		ck_assert_int_gt(lseek(fd, 0, SEEK_END), 0);
		close(fd);
		host_filter_release(f);
	}
}
END_TEST

/* In a child with the filter loaded: run `what`, then exit 0. The wait
 * status of the child. */
static int status_of(int what)
{
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		void *f = host_filter_build(false);
		if (!f || host_filter_load(f) != 0)
			_exit(90);
		switch (what) {
		case 0: /* listed */
			if (getpid() <= 0 || ioctl(0, TCGETS, NULL) == 0)
				_exit(91);
			break;
		case 1: /* clone3 fails with ENOSYS: glibc falls back to clone */
			if (syscall(__NR_clone3, NULL, 0) != -1 || errno != ENOSYS)
				_exit(92);
			break;
		case 2:
			host_filter_test_trip();
			break;
		case 3: /* an ioctl request the sentry never passes on */
			ioctl(0, TIOCSTI, "x");
			break;
		case 4: /* a socket family the sandbox refuses */
			socket(AF_NETLINK, SOCK_RAW, 0);
			break;
		default:
			break;
		}
		_exit(0);
	}
	int st;
	ck_assert_int_eq(waitpid(pid, &st, 0), pid);
	return st;
}

START_TEST(listed_calls_pass_others_kill_the_process)
{
	int st = status_of(0);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "listed: status %#x", st);
	st = status_of(1);
	ck_assert_msg(WIFEXITED(st) && WEXITSTATUS(st) == 0, "clone3: status %#x", st);
	for (int what = 2; what <= 4; what++) {
		st = status_of(what);
		ck_assert_msg(WIFSIGNALED(st) && WTERMSIG(st) == SIGSYS, "case %d: status %#x",
			      what, st);
	}
}
END_TEST

int main(void)
{
	Suite *s = suite_create("host-filter");
	TCase *tc = tcase_create("host-filter");
	tcase_add_test(tc, every_entry_names_a_real_syscall_with_a_reason);
	tcase_add_test(tc, the_list_builds_into_a_filter);
	tcase_add_test(tc, listed_calls_pass_others_kill_the_process);
	suite_add_tcase(s, tc);
	return check_run(s);
}
