/* The dispatch array of strace-args.c: every argument format of the
 * syscall table has an entry saying how it prints, and strace_format_arg
 * follows it (checked here with formats that need no program memory). */
#include <check.h>

#include "tests/check-run.h"
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "sentry/strace/strace-internal.h"

START_TEST(every_format_has_an_entry)
{
	/* A format added to enum arg_fmt without an entry would print in hex. */
	for (int f = 0; f < A_FMT_COUNT; f++) {
		const struct strace_arg_format *af = &strace_arg_formats[f];
		bool has = af->scalar || af->call;
		if (f == A_NONE)
			ck_assert_msg(!has && !af->output, "A_NONE has an entry");
		else
			ck_assert_msg(has, "format %d has no entry in strace_arg_formats", f);
	}
}
END_TEST

START_TEST(outputs_are_read_from_memory)
{
	/* An output argument is filled by the call: only a formatter that
	 * reads the program's memory can show it. */
	for (int f = 0; f < A_FMT_COUNT; f++) {
		const struct strace_arg_format *af = &strace_arg_formats[f];
		ck_assert_int_eq(strace_arg_is_output((enum arg_fmt)f), af->output);
		if (af->output)
			ck_assert_msg(af->call && !af->scalar, "output format %d", f);
	}
	ck_assert(strace_arg_is_output(A_STAT_OUT) && !strace_arg_is_output(A_PATH));
	ck_assert(!strace_arg_is_output(A_FMT_COUNT));
}
END_TEST

START_TEST(sfmt_scalar_reads_the_array)
{
	for (int f = 0; f < A_FMT_COUNT; f++)
		ck_assert(sfmt_scalar((enum arg_fmt)f) == strace_arg_formats[f].scalar);
	ck_assert(sfmt_scalar(A_FMT_COUNT) == NULL);
}
END_TEST

/* Argument i of a call to `d` with arguments `a`, at entry or at exit. */
static char *format(const struct syscall_desc *d, const uint64_t a[6], int i, long ret,
		    bool exiting)
{
	struct strace_call c = {.t = NULL, .d = d, .a = a, .ret = ret, .limit = 32};
	struct strbuf b = {0};
	strace_format_arg(&b, &c, i, exiting);
	return b.data;
}

#define CHECK_ARG(d, a, i, ret, exiting, want)                                                     \
	do {                                                                                       \
		char *got_ = format(d, a, i, ret, exiting);                                        \
		ck_assert_str_eq(got_, want);                                                      \
		free(got_);                                                                        \
	} while (0)

START_TEST(arguments_follow_their_format)
{
	static const struct syscall_desc open_d = {
	    .name = "openat", .nargs = 4, .args = {A_DIRFD, A_PATH, A_OPEN_FLAGS, A_MODE}};
	uint64_t a[6] = {(uint64_t)(int64_t)AT_FDCWD, 0, O_RDONLY | O_CLOEXEC, 0644};
	CHECK_ARG(&open_d, a, 0, 0, false, "AT_FDCWD");
	CHECK_ARG(&open_d, a, 1, 0, false, "NULL"); /* no memory read for NULL */
	CHECK_ARG(&open_d, a, 2, 0, false, "O_RDONLY|O_CLOEXEC");
	CHECK_ARG(&open_d, a, 3, 0, false, "0644");
	/* Beyond the table's formats (A_NONE): hex. */
	a[4] = 0x1f;
	CHECK_ARG(&open_d, a, 4, 0, false, "0x1f");
	/* No table entry: every argument in hex. */
	CHECK_ARG(NULL, a, 2, 0, false, "0x80000");
}
END_TEST

START_TEST(outputs_print_their_pointer_unless_the_call_succeeded)
{
	static const struct syscall_desc fstat = {
	    .name = "fstat", .nargs = 2, .args = {A_FD, A_STAT_OUT}};
	uint64_t a[6] = {3, 0x7ffd1000};
	CHECK_ARG(&fstat, a, 1, 0, false, "0x7ffd1000");	      /* at entry */
	CHECK_ARG(&fstat, a, 1, -EBADF, true, "0x7ffd1000");	      /* failed */
	CHECK_ARG(&fstat, a, 1, SYSRET_NORETURN, true, "0x7ffd1000"); /* no result */
	/* fuzz/: a string whose length is the result is not read (nor an
	 * allocation of that size made) for a result that is no length. */
	static const struct syscall_desc getcwd_d = {
	    .name = "getcwd", .nargs = 2, .args = {A_STRING_OUT, A_SIZE}};
	uint64_t g[6] = {0x7ffd1000, 4096};
	CHECK_ARG(&getcwd_d, g, 0, SYSRET_REGS, true, "0x7ffd1000");
	CHECK_ARG(&getcwd_d, g, 0, (long)1 << 50, true, "0x7ffd1000");
}
END_TEST

START_TEST(arguments_named_by_their_neighbour)
{
	/* fcntl's third argument depends on the command. */
	static const struct syscall_desc fcntl_d = {
	    .name = "fcntl", .nargs = 3, .args = {A_FD, A_FCNTL_CMD, A_HEX}};
	uint64_t a[6] = {3, F_SETFD, FD_CLOEXEC};
	CHECK_ARG(&fcntl_d, a, 1, 0, false, "F_SETFD");
	CHECK_ARG(&fcntl_d, a, 2, 0, false, "FD_CLOEXEC");
	a[1] = F_DUPFD_CLOEXEC;
	CHECK_ARG(&fcntl_d, a, 2, 0, false, "1");
	/* A socket option's name depends on its level. */
	static const struct syscall_desc setsockopt_d = {
	    .name = "setsockopt",
	    .nargs = 5,
	    .args = {A_FD, A_SOCK_LEVEL, A_SOCKOPT, A_PTR, A_UINT}};
	uint64_t s[6] = {3, SOL_SOCKET, SO_REUSEADDR, 0, 4};
	CHECK_ARG(&setsockopt_d, s, 2, 0, false, "SO_REUSEADDR");
	s[1] = 6; /* SOL_TCP */
	CHECK_ARG(&setsockopt_d, s, 2, 0, false, "2");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strace-args");
	TCase *tc = tcase_create("args");
	tcase_add_test(tc, every_format_has_an_entry);
	tcase_add_test(tc, outputs_are_read_from_memory);
	tcase_add_test(tc, sfmt_scalar_reads_the_array);
	tcase_add_test(tc, arguments_follow_their_format);
	tcase_add_test(tc, outputs_print_their_pointer_unless_the_call_succeeded);
	tcase_add_test(tc, arguments_named_by_their_neighbour);
	suite_add_tcase(s, tc);
	return check_run(s);
}
