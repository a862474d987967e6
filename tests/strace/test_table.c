/* The syscall table carries strace's argument formats and classes: every
 * entry must say how to print each argument the kernel ABI has. The counts
 * below are Linux's x86-64 ABI as strace shows it (preadv's split offset is
 * one argument), written down by hand as a cross-check of the table. */
#include <check.h>

#include "tests/check-run.h"
#include <seccomp.h>
#include <string.h>

#include "sentry/strace/strace-internal.h"

struct count {
	const char *name;
	int nargs;
};

/* Syscalls without arguments, plus names Linux reserves but never
 * implemented (ni_syscall: no ABI to describe). */
static const char *const no_args[] = {
	"sched_yield", "pause", "getpid", "fork", "vfork", "getuid", "getgid", "geteuid",
	"getegid", "getppid", "getpgrp", "setsid", "munlockall", "vhangup", "sync", "gettid",
	"restart_syscall", "inotify_init", "rt_sigreturn",
	/* not implemented by Linux */
	"create_module", "get_kernel_syms", "query_module", "nfsservctl", "getpmsg", "putpmsg",
	"afs_syscall", "tuxcall", "security", "vserver", "epoll_ctl_old", "epoll_wait_old",
};

static const struct count counts[] = {
	{"read", 3}, {"write", 3}, {"open", 3}, {"close", 1}, {"stat", 2}, {"fstat", 2},
	{"lstat", 2}, {"poll", 3}, {"lseek", 3}, {"mmap", 6}, {"mprotect", 3}, {"munmap", 2},
	{"brk", 1}, {"rt_sigaction", 4}, {"rt_sigprocmask", 4}, {"ioctl", 3}, {"pread64", 4},
	{"pwrite64", 4}, {"readv", 3}, {"writev", 3}, {"access", 2}, {"pipe", 1}, {"select", 5},
	{"mremap", 5}, {"msync", 3}, {"mincore", 3}, {"madvise", 3}, {"dup", 1}, {"dup2", 2},
	{"nanosleep", 2}, {"getitimer", 2}, {"alarm", 1}, {"setitimer", 3}, {"sendfile", 4},
	{"socket", 3}, {"connect", 3}, {"accept", 3}, {"sendto", 6}, {"recvfrom", 6},
	{"sendmsg", 3}, {"recvmsg", 3}, {"shutdown", 2}, {"bind", 3}, {"listen", 2},
	{"getsockname", 3}, {"getpeername", 3}, {"socketpair", 4}, {"setsockopt", 5},
	{"getsockopt", 5}, {"clone", 5}, {"execve", 3}, {"exit", 1}, {"wait4", 4}, {"kill", 2},
	{"uname", 1}, {"fcntl", 3}, {"flock", 2}, {"fsync", 1}, {"fdatasync", 1}, {"truncate", 2},
	{"ftruncate", 2}, {"getdents", 3}, {"getcwd", 2}, {"chdir", 1}, {"fchdir", 1},
	{"rename", 2}, {"mkdir", 2}, {"rmdir", 1}, {"creat", 2}, {"link", 2}, {"unlink", 1},
	{"symlink", 2}, {"readlink", 3}, {"chmod", 2}, {"fchmod", 2}, {"chown", 3}, {"fchown", 3},
	{"lchown", 3}, {"umask", 1}, {"gettimeofday", 2}, {"getrlimit", 2}, {"getrusage", 2},
	{"sysinfo", 1}, {"times", 1}, {"ptrace", 4}, {"syslog", 3}, {"setuid", 1}, {"setgid", 1},
	{"setpgid", 2}, {"setreuid", 2}, {"setregid", 2}, {"getgroups", 2}, {"setgroups", 2},
	{"setresuid", 3}, {"getresuid", 3}, {"setresgid", 3}, {"getresgid", 3}, {"getpgid", 1},
	{"setfsuid", 1}, {"setfsgid", 1}, {"getsid", 1}, {"capget", 2}, {"capset", 2},
	{"rt_sigpending", 2}, {"rt_sigtimedwait", 4}, {"rt_sigqueueinfo", 3},
	{"rt_sigsuspend", 2}, {"sigaltstack", 2}, {"utime", 2}, {"mknod", 3}, {"personality", 1},
	{"statfs", 2}, {"fstatfs", 2}, {"getpriority", 2}, {"setpriority", 3}, {"mlock", 2},
	{"munlock", 2}, {"mlockall", 1}, {"prctl", 5}, {"arch_prctl", 2}, {"setrlimit", 2},
	{"chroot", 1}, {"mount", 5}, {"umount2", 2}, {"readahead", 3}, {"setxattr", 5},
	{"getxattr", 4}, {"lgetxattr", 4}, {"fgetxattr", 4}, {"listxattr", 3}, {"llistxattr", 3},
	{"flistxattr", 3}, {"removexattr", 2}, {"tkill", 2}, {"time", 1}, {"futex", 6},
	{"sched_setaffinity", 3}, {"sched_getaffinity", 3}, {"getdents64", 3},
	{"set_tid_address", 1}, {"fadvise64", 4}, {"timer_create", 3}, {"timer_settime", 4},
	{"timer_gettime", 2}, {"timer_getoverrun", 1}, {"timer_delete", 1}, {"clock_settime", 2},
	{"clock_gettime", 2}, {"clock_getres", 2}, {"clock_nanosleep", 4}, {"exit_group", 1},
	{"epoll_wait", 4}, {"epoll_ctl", 4}, {"tgkill", 3}, {"utimes", 2}, {"waitid", 5},
	{"inotify_add_watch", 3}, {"inotify_rm_watch", 2}, {"openat", 4}, {"mkdirat", 3},
	{"mknodat", 4}, {"fchownat", 5}, {"futimesat", 3}, {"newfstatat", 4}, {"unlinkat", 3},
	{"renameat", 4}, {"linkat", 5}, {"symlinkat", 3}, {"readlinkat", 4}, {"fchmodat", 3},
	{"faccessat", 3}, {"pselect6", 6}, {"ppoll", 5}, {"unshare", 1}, {"set_robust_list", 2},
	{"get_robust_list", 3}, {"splice", 6}, {"tee", 4}, {"utimensat", 4}, {"epoll_pwait", 6},
	{"signalfd", 3}, {"timerfd_create", 2}, {"eventfd", 1}, {"fallocate", 4},
	{"timerfd_settime", 4}, {"timerfd_gettime", 2}, {"accept4", 4}, {"signalfd4", 4},
	{"eventfd2", 2}, {"epoll_create", 1}, {"epoll_create1", 1}, {"dup3", 3}, {"pipe2", 2},
	{"inotify_init1", 1}, {"preadv", 4}, {"pwritev", 4}, {"prlimit64", 4}, {"getcpu", 3},
	{"renameat2", 5}, {"seccomp", 3}, {"getrandom", 3}, {"memfd_create", 2}, {"bpf", 3},
	{"execveat", 5}, {"userfaultfd", 1}, {"membarrier", 3}, {"mlock2", 3},
	{"copy_file_range", 6}, {"preadv2", 5}, {"pwritev2", 5}, {"statx", 5}, {"rseq", 4},
	{"pidfd_send_signal", 4}, {"io_uring_setup", 2}, {"io_uring_enter", 6},
	{"pidfd_open", 2}, {"clone3", 2}, {"close_range", 3}, {"openat2", 4}, {"faccessat2", 4},
	{"sched_getparam", 2}, {"sched_setscheduler", 3}, {"sched_getscheduler", 1},
	{"sched_get_priority_max", 1}, {"sched_get_priority_min", 1},
	{"sched_rr_get_interval", 2}, {"shmget", 3}, {"shmat", 3}, {"shmctl", 3}, {"shmdt", 1},
	{"semget", 3}, {"msgget", 2},
};

static bool in_no_args(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(no_args); i++)
		if (strcmp(no_args[i], name) == 0)
			return true;
	return false;
}

START_TEST(every_entry_has_a_format_per_argument)
{
	for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];
		if (!d->name)
			continue;
		ck_assert_msg(d->nargs <= 6, "%s: %d args", d->name, d->nargs);
		for (int i = 0; i < d->nargs; i++)
			ck_assert_msg(d->args[i] != A_NONE && d->args[i] < A_FMT_COUNT,
				      "%s: argument %d has no format", d->name, i);
		for (int i = d->nargs; i < 6; i++)
			ck_assert_msg(d->args[i] == A_NONE, "%s: stray format %d", d->name, i);
		ck_assert_msg(d->ret <= R_NORETURN, "%s: bad result format", d->name);
		ck_assert_msg((d->classes & ~63) == 0, "%s: unknown class bits", d->name);
		if (d->nargs == 0)
			ck_assert_msg(in_no_args(d->name),
				      "%s has no argument formats but the kernel ABI has arguments",
				      d->name);
		else
			ck_assert_msg(!in_no_args(d->name), "%s takes no arguments", d->name);
	}
}
END_TEST

START_TEST(argument_counts_match_the_kernel_abi)
{
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		int nr = seccomp_syscall_resolve_name(counts[i].name);
		ck_assert_msg(nr >= 0 && nr < SYSCALL_TABLE_SIZE, "%s unknown", counts[i].name);
		const struct syscall_desc *d = syscall_lookup((uint64_t)nr);
		ck_assert_msg(d != NULL, "%s missing from the table", counts[i].name);
		ck_assert_msg(d->nargs == counts[i].nargs, "%s: table has %d formats, ABI has %d",
			      counts[i].name, d->nargs, counts[i].nargs);
	}
}
END_TEST

START_TEST(names_match_libseccomp)
{
	for (int nr = 0; nr < SYSCALL_TABLE_SIZE; nr++) {
		if (!syscall_table[nr].name)
			continue;
		ck_assert_int_eq(seccomp_syscall_resolve_name(syscall_table[nr].name), nr);
	}
}
END_TEST

static bool traced(const uint64_t *bits, const char *name)
{
	int nr = seccomp_syscall_resolve_name(name);
	return bits[nr / 64] & (1ULL << (nr % 64));
}

START_TEST(classes_select_like_strace)
{
	uint64_t bits[SYSCALL_TABLE_SIZE / 64];
	struct error e = {0};
	ck_assert_int_eq(strace_parse_set("%file", bits, &e), 0);
	ck_assert(traced(bits, "openat") && traced(bits, "execve") && traced(bits, "newfstatat"));
	ck_assert(!traced(bits, "read") && !traced(bits, "mmap"));
	ck_assert_int_eq(strace_parse_set("%desc", bits, &e), 0);
	ck_assert(traced(bits, "read") && traced(bits, "close") && traced(bits, "openat"));
	ck_assert_int_eq(strace_parse_set("%memory", bits, &e), 0);
	ck_assert(traced(bits, "mmap") && traced(bits, "brk") && !traced(bits, "read"));
	ck_assert_int_eq(strace_parse_set("%network", bits, &e), 0);
	ck_assert(traced(bits, "socket") && traced(bits, "connect") && !traced(bits, "open"));
	ck_assert_int_eq(strace_parse_set("%signal", bits, &e), 0);
	ck_assert(traced(bits, "rt_sigaction") && traced(bits, "kill") && !traced(bits, "wait4"));
	ck_assert_int_eq(strace_parse_set("%process", bits, &e), 0);
	ck_assert(traced(bits, "clone") && traced(bits, "execve") && traced(bits, "wait4") &&
		  traced(bits, "exit_group") && !traced(bits, "getpid"));
	ck_assert_int_eq(strace_parse_set("write,%memory", bits, &e), 0);
	ck_assert(traced(bits, "write") && traced(bits, "munmap") && !traced(bits, "read"));
	ck_assert_int_eq(strace_parse_set("!%memory", bits, &e), 0);
	ck_assert(!traced(bits, "mmap") && traced(bits, "read"));
	ck_assert_int_eq(strace_parse_set("none", bits, &e), 0);
	ck_assert(!traced(bits, "read"));
	ck_assert_int_eq(strace_parse_set("read,nosuchcall", bits, &e), -1);
	ck_assert(strstr(e.msg, "nosuchcall") != NULL);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strace-table");
	TCase *tc = tcase_create("table");
	tcase_add_test(tc, every_entry_has_a_format_per_argument);
	tcase_add_test(tc, argument_counts_match_the_kernel_abi);
	tcase_add_test(tc, names_match_libseccomp);
	tcase_add_test(tc, classes_select_like_strace);
	suite_add_tcase(s, tc);
	return check_run(s);
}
