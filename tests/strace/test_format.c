/* Each strace formatter against the exact text strace 6 prints for the
 * same value (checked by hand against `strace` on this host). */
#include <check.h>

#include "tests/check-run.h"
#include <errno.h>
#include <sys/sysmacros.h>
#include <fcntl.h>
#include <linux/futex.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "sentry/strace/strace-internal.h"

/* Run a scalar formatter and compare. */
#define CHECK_SCALAR(fn, v, want)                                                                  \
	do {                                                                                       \
		struct strbuf b_ = {0};                                                            \
		fn(&b_, (uint64_t)(v));                                                            \
		ck_assert_str_eq(b_.data, want);                                                   \
		strbuf_release(&b_);                                                               \
	} while (0)

#define CHECK_CALL(call, want)                                                                     \
	do {                                                                                       \
		struct strbuf b = {0};                                                             \
		call;                                                                              \
		ck_assert_str_eq(b.data, want);                                                    \
		strbuf_release(&b);                                                                \
	} while (0)

START_TEST(numbers_and_pointers)
{
	CHECK_SCALAR(sfmt_int, (uint64_t)-1, "-1");
	CHECK_SCALAR(sfmt_uint, 832, "832");
	CHECK_SCALAR(sfmt_hex, 0, "0");
	CHECK_SCALAR(sfmt_hex, 0x26000, "0x26000");
	CHECK_SCALAR(sfmt_ptr, 0, "NULL");
	CHECK_SCALAR(sfmt_ptr, 0x7ffd1000, "0x7ffd1000");
	CHECK_SCALAR(sfmt_dirfd, (uint64_t)(int64_t)AT_FDCWD, "AT_FDCWD");
	CHECK_SCALAR(sfmt_dirfd, 3, "3");
	CHECK_SCALAR(sfmt_fd, (uint64_t)-1, "-1");
	CHECK_SCALAR(sfmt_off, (uint64_t)-5, "-5");
	CHECK_SCALAR(sfmt_mode, 0644, "0644");
	CHECK_SCALAR(sfmt_mode, 022, "022");
	CHECK_SCALAR(sfmt_mode, 0, "000");
}
END_TEST

START_TEST(open_and_file_flags)
{
	CHECK_SCALAR(sfmt_open_flags, O_RDONLY | O_CLOEXEC, "O_RDONLY|O_CLOEXEC");
	CHECK_SCALAR(sfmt_open_flags, O_RDONLY, "O_RDONLY");
	CHECK_SCALAR(sfmt_open_flags, O_WRONLY | O_CREAT | O_TRUNC, "O_WRONLY|O_CREAT|O_TRUNC");
	CHECK_SCALAR(sfmt_open_flags, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_DIRECTORY,
		     "O_RDONLY|O_NONBLOCK|O_CLOEXEC|O_DIRECTORY");
	CHECK_SCALAR(sfmt_open_flags, O_RDWR | O_TMPFILE, "O_RDWR|O_TMPFILE");
	/* The order strace 6.1 printed for all flags at once on this host. */
	CHECK_SCALAR(sfmt_open_flags,
		     O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC | O_APPEND | O_NONBLOCK | O_SYNC |
			     O_DIRECT | 0100000 | O_NOFOLLOW | O_NOATIME | O_CLOEXEC | O_PATH |
			     O_DIRECTORY | 020000,
		     "O_RDONLY|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|O_NONBLOCK|O_SYNC|O_DIRECT|"
		     "O_LARGEFILE|O_NOFOLLOW|O_NOATIME|O_CLOEXEC|O_PATH|O_DIRECTORY|FASYNC");
	CHECK_SCALAR(sfmt_open_flags, O_RDONLY | 0x80000000, "O_RDONLY|0x80000000");
	CHECK_SCALAR(sfmt_at_flags, AT_EMPTY_PATH, "AT_EMPTY_PATH");
	CHECK_SCALAR(sfmt_at_flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
		     "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH");
	CHECK_SCALAR(sfmt_at_flags, 0, "0");
	CHECK_SCALAR(sfmt_access_mode, R_OK, "R_OK");
	CHECK_SCALAR(sfmt_access_mode, R_OK | X_OK, "R_OK|X_OK");
	CHECK_SCALAR(sfmt_access_mode, F_OK, "F_OK");
	CHECK_SCALAR(sfmt_whence, SEEK_CUR, "SEEK_CUR");
	CHECK_SCALAR(sfmt_whence, 9, "0x9 /* SEEK_??? */");
	CHECK_SCALAR(sfmt_fcntl_cmd, F_GETFL, "F_GETFL");
	CHECK_SCALAR(sfmt_fcntl_cmd, F_DUPFD_CLOEXEC, "F_DUPFD_CLOEXEC");
	CHECK_SCALAR(sfmt_fd_flags, FD_CLOEXEC, "FD_CLOEXEC");
	CHECK_SCALAR(sfmt_ioctl_req, 0x5401, "TCGETS");
	CHECK_SCALAR(sfmt_ioctl_req, 0x5413, "TIOCGWINSZ");
	CHECK_SCALAR(sfmt_ioctl_req, 0xc0186201, "_IOC(_IOC_READ|_IOC_WRITE, 0x62, 0x1, 0x18)");
	CHECK_SCALAR(sfmt_rename_flags, 1, "RENAME_NOREPLACE");
	CHECK_SCALAR(sfmt_flock_op, LOCK_EX | LOCK_NB, "LOCK_EX|LOCK_NB");
	CHECK_SCALAR(sfmt_statx_mask, 0xfff, "STATX_ALL");
	CHECK_SCALAR(sfmt_statx_mask, 0x17ff, "STATX_BASIC_STATS|STATX_MNT_ID");
	CHECK_SCALAR(sfmt_getrandom_flags, 1, "GRND_NONBLOCK");
}
END_TEST

START_TEST(memory_flags)
{
	CHECK_SCALAR(sfmt_prot, PROT_READ | PROT_WRITE, "PROT_READ|PROT_WRITE");
	CHECK_SCALAR(sfmt_prot, PROT_NONE, "PROT_NONE");
	CHECK_SCALAR(sfmt_prot, PROT_READ | PROT_EXEC, "PROT_READ|PROT_EXEC");
	CHECK_SCALAR(sfmt_mmap_flags, MAP_PRIVATE | MAP_ANONYMOUS, "MAP_PRIVATE|MAP_ANONYMOUS");
	CHECK_SCALAR(sfmt_mmap_flags, MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE,
		     "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE");
	CHECK_SCALAR(sfmt_mmap_flags, MAP_SHARED, "MAP_SHARED");
	CHECK_SCALAR(sfmt_mremap_flags, 1, "MREMAP_MAYMOVE");
	CHECK_SCALAR(sfmt_madvise, MADV_DONTNEED, "MADV_DONTNEED");
	CHECK_SCALAR(sfmt_madvise, 14, "MADV_HUGEPAGE");
}
END_TEST

START_TEST(signals_and_sets)
{
	CHECK_SCALAR(sfmt_signal, SIGSEGV, "SIGSEGV");
	CHECK_SCALAR(sfmt_signal, 32, "SIGRTMIN");
	CHECK_SCALAR(sfmt_signal, 34, "SIGRT_2");
	CHECK_SCALAR(sfmt_signal, 0, "0");
	CHECK_SCALAR(sfmt_sigset, 0, "[]");
	CHECK_SCALAR(sfmt_sigset, (1ULL << (SIGINT - 1)) | (1ULL << (SIGTERM - 1)), "[INT TERM]");
	CHECK_SCALAR(sfmt_sigset, ~((1ULL << 31) | (1ULL << 32)), "~[RTMIN RT_1]");
	CHECK_SCALAR(sfmt_sigset, ~0ULL, "~[]");
	CHECK_SCALAR(sfmt_sigprocmask_how, SIG_SETMASK, "SIG_SETMASK");
	struct sigaction_k sa = {.handler = 0x562cab72fdc0,
				 .flags = 0x04000000,
				 .restorer = 0x7faf05302050,
				 .mask = ~((1ULL << 31) | (1ULL << 32))};
	CHECK_CALL(sfmt_sigaction(&b, &sa),
		   "{sa_handler=0x562cab72fdc0, sa_mask=~[RTMIN RT_1], sa_flags=SA_RESTORER, "
		   "sa_restorer=0x7faf05302050}");
	struct sigaction_k dfl = {0};
	CHECK_CALL(sfmt_sigaction(&b, &dfl), "{sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}");
	struct sigaction_k ign = {.handler = 1, .flags = 0x04000000 | SA_RESTART, .restorer = 0x10};
	CHECK_CALL(sfmt_sigaction(&b, &ign), "{sa_handler=SIG_IGN, sa_mask=[], "
					     "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x10}");
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGSEGV;
	si.si_code = SEGV_MAPERR;
	si.si_addr = (void *)0x10;
	CHECK_CALL(sfmt_siginfo(&b, &si), "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10}");
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGINT;
	si.si_code = SI_USER;
	si.si_pid = 7;
	CHECK_CALL(sfmt_siginfo(&b, &si), "{si_signo=SIGINT, si_code=SI_USER, si_pid=7, si_uid=0}");
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_code = CLD_EXITED;
	si.si_pid = 2;
	si.si_status = 3;
	CHECK_CALL(sfmt_siginfo(&b, &si), "{si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=2, "
					  "si_uid=0, si_status=3, si_utime=0, si_stime=0}");
	/* A seccomp trap, as strace shows it. */
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGSYS;
	si.si_code = 1; /* SYS_SECCOMP */
	si.si_errno = 42;
	si.si_call_addr = (void *)0x401000;
	si.si_syscall = 39;
	si.si_arch = 0xc000003e; /* AUDIT_ARCH_X86_64 */
	CHECK_CALL(sfmt_siginfo(&b, &si), "{si_signo=SIGSYS, si_code=SYS_SECCOMP, si_errno=ENOMSG, "
					  "si_call_addr=0x401000, si_syscall=__NR_getpid, "
					  "si_arch=AUDIT_ARCH_X86_64}");
}
END_TEST

START_TEST(processes)
{
	CHECK_SCALAR(sfmt_clone_flags, CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD,
		     "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD");
	CHECK_SCALAR(sfmt_clone_flags,
		     CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			     CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
			     CLONE_CHILD_CLEARTID,
		     "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
		     "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID");
	CHECK_SCALAR(sfmt_clone_flags, CLONE_VM | CLONE_VFORK | SIGCHLD,
		     "CLONE_VM|CLONE_VFORK|SIGCHLD");
	CHECK_SCALAR(sfmt_wait_options, WNOHANG, "WNOHANG");
	CHECK_SCALAR(sfmt_wait_options, 0x40000000, "__WALL");
	CHECK_CALL(sfmt_wait_status(&b, 2 << 8), "[{WIFEXITED(s) && WEXITSTATUS(s) == 2}]");
	CHECK_CALL(sfmt_wait_status(&b, SIGKILL), "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}]");
	CHECK_CALL(sfmt_wait_status(&b, SIGSEGV | 0x80),
		   "[{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}]");
	CHECK_SCALAR(sfmt_arch_prctl, 0x1002, "ARCH_SET_FS");
	CHECK_SCALAR(sfmt_arch_prctl, 0x3001, "0x3001 /* ARCH_??? */");
	CHECK_SCALAR(sfmt_prctl_option, 15, "PR_SET_NAME");
	CHECK_SCALAR(sfmt_keyctl_cmd, 6, "KEYCTL_DESCRIBE");
	CHECK_SCALAR(sfmt_key_serial, (uint64_t)-3, "KEY_SPEC_SESSION_KEYRING");
	CHECK_SCALAR(sfmt_key_serial, 12345, "12345");
	CHECK_SCALAR(sfmt_futex_op, FUTEX_WAKE_PRIVATE, "FUTEX_WAKE_PRIVATE");
	CHECK_SCALAR(sfmt_futex_op, FUTEX_WAIT_BITSET_PRIVATE | FUTEX_CLOCK_REALTIME,
		     "FUTEX_WAIT_BITSET_PRIVATE|FUTEX_CLOCK_REALTIME");
	CHECK_SCALAR(sfmt_rlimit_res, RLIMIT_STACK, "RLIMIT_STACK");
	struct rlimit rl = {.rlim_cur = 8192 * 1024, .rlim_max = RLIM_INFINITY};
	CHECK_CALL(sfmt_rlimit(&b, &rl), "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}");
	struct rlimit small = {.rlim_cur = 1000, .rlim_max = 0};
	CHECK_CALL(sfmt_rlimit(&b, &small), "{rlim_cur=1000, rlim_max=0}");
	CHECK_SCALAR(sfmt_personality, 0, "PER_LINUX");
	CHECK_SCALAR(sfmt_sched_policy, 0, "SCHED_OTHER");
	CHECK_SCALAR(sfmt_idtype, 1, "P_PID");
}
END_TEST

START_TEST(structs)
{
	struct stat st;
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0644;
	st.st_size = 20417;
	CHECK_CALL(sfmt_stat(&b, &st), "{st_mode=S_IFREG|0644, st_size=20417, ...}");
	st.st_mode = S_IFCHR | 0620;
	st.st_rdev = makedev(0x88, 0);
	CHECK_CALL(sfmt_stat(&b, &st), "{st_mode=S_IFCHR|0620, st_rdev=makedev(0x88, 0), ...}");
	struct timespec ts = {.tv_sec = 1, .tv_nsec = 500};
	CHECK_CALL(sfmt_timespec(&b, &ts), "{tv_sec=1, tv_nsec=500}");
	struct timeval tv = {.tv_sec = 2, .tv_usec = 3};
	CHECK_CALL(sfmt_timeval(&b, &tv), "{tv_sec=2, tv_usec=3}");
	struct itimerval it = {.it_value = {.tv_sec = 1}};
	CHECK_CALL(sfmt_itimerval(&b, &it),
		   "{it_interval={tv_sec=0, tv_usec=0}, it_value={tv_sec=1, tv_usec=0}}");
	struct utsname u;
	memset(&u, 0, sizeof(u));
	strcpy(u.sysname, "Linux");
	strcpy(u.nodename, "box");
	CHECK_CALL(sfmt_utsname(&b, &u, 32), "{sysname=\"Linux\", nodename=\"box\", ...}");
	struct pollfd p[2] = {{.fd = 3, .events = POLLIN | POLLPRI}, {.fd = 4, .events = POLLOUT}};
	CHECK_CALL(sfmt_pollfds(&b, p, 2, false),
		   "[{fd=3, events=POLLIN|POLLPRI}, {fd=4, events=POLLOUT}]");
	p[1].revents = POLLOUT;
	CHECK_CALL(sfmt_pollfds(&b, p, 2, true), "[{fd=4, revents=POLLOUT}]");
	struct epoll_event ev = {.events = EPOLLIN, .data.u64 = 3};
	CHECK_CALL(sfmt_epoll_event(&b, &ev), "{events=EPOLLIN, data={u32=3, u64=3}}");
	uint8_t bits[2] = {0x18, 0x01};
	CHECK_CALL(sfmt_bitmap(&b, bits, 16, " "), "[3 4 8]");
}
END_TEST

START_TEST(socket_addresses)
{
	CHECK_SCALAR(sfmt_sock_family, AF_INET6, "AF_INET6");
	CHECK_SCALAR(sfmt_sock_type, SOCK_STREAM | SOCK_CLOEXEC, "SOCK_STREAM|SOCK_CLOEXEC");
	CHECK_SCALAR(sfmt_sock_level, SOL_SOCKET, "SOL_SOCKET");
	CHECK_SCALAR(sfmt_msg_flags, MSG_NOSIGNAL | MSG_DONTWAIT, "MSG_DONTWAIT|MSG_NOSIGNAL");
	CHECK_SCALAR(sfmt_shutdown_how, SHUT_WR, "SHUT_WR");
	struct sockaddr_un un = {.sun_family = AF_UNIX};
	strcpy(un.sun_path, "/var/run/nscd/socket");
	CHECK_CALL(sfmt_sockaddr(&b, &un, sizeof(un)),
		   "{sa_family=AF_UNIX, sun_path=\"/var/run/nscd/socket\"}");
	struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(80)};
	inet_pton(AF_INET, "127.0.0.1", &in.sin_addr);
	CHECK_CALL(sfmt_sockaddr(&b, &in, sizeof(in)),
		   "{sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr(\"127.0.0.1\")}");
	struct sockaddr_in6 in6 = {.sin6_family = AF_INET6, .sin6_port = htons(443)};
	inet_pton(AF_INET6, "::1", &in6.sin6_addr);
	CHECK_CALL(sfmt_sockaddr(&b, &in6, sizeof(in6)),
		   "{sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
		   "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}");
}
END_TEST

START_TEST(strings_are_escaped_and_cut)
{
	CHECK_CALL(sfmt_str(&b, "hello\n", 6, 32, false), "\"hello\\n\"");
	CHECK_CALL(sfmt_str(&b, "abcdefgh", 8, 4, false), "\"abcd\"...");
	CHECK_CALL(sfmt_str(&b, "ab", 2, 32, true), "\"ab\"...");
	CHECK_CALL(sfmt_str(&b, "\177ELF\2\1", 6, 32, false), "\"\\177ELF\\2\\1\"");
	/* Three octal digits only when a digit follows. */
	CHECK_CALL(sfmt_str(&b, "\0" "1\0a", 4, 32, false), "\"\\0001\\0a\"");
	CHECK_CALL(sfmt_str(&b, "q\"\\\t", 4, 32, false), "\"q\\\"\\\\\\t\"");
	CHECK_CALL(sfmt_json_str(&b, "a\"b\n\x80", 5), "\"a\\\"b\\u000a\\u0080\"");
}
END_TEST

START_TEST(results)
{
	CHECK_CALL(sfmt_ret(&b, R_FD, 3), "3");
	CHECK_CALL(sfmt_ret(&b, R_FD, -ENOENT), "-1 ENOENT (No such file or directory)");
	CHECK_CALL(sfmt_ret(&b, R_HEX, 0x7faf054b3000), "0x7faf054b3000");
	CHECK_CALL(sfmt_ret(&b, R_HEX, -ENOMEM), "-1 ENOMEM (Cannot allocate memory)");
	CHECK_CALL(sfmt_ret(&b, R_NORETURN, 0), "?");
	CHECK_CALL(sfmt_ret(&b, R_INT, -512), "? ERESTARTSYS (To be restarted if SA_RESTART is set)");
	CHECK_CALL(sfmt_ret(&b, R_INT, -4000), "-1 E??? (errno 4000)");
}
END_TEST

START_TEST(summary_table)
{
	struct strace_count c[] = {
		{"read", 4, 0, 2000},
		{"openat", 10, 2, 6000},
		{"close", 0, 0, 0},
	};
	CHECK_CALL(sfmt_summary(&b, c, 3),
		   "% time     seconds  usecs/call     calls    errors syscall\n"
		   "------ ----------- ----------- --------- --------- ----------------\n"
		   " 75.00    0.000006           0        10         2 openat\n"
		   " 25.00    0.000002           0         4           read\n"
		   "------ ----------- ----------- --------- --------- ----------------\n"
		   "100.00    0.000008           0        14         2 total\n");
}
END_TEST

START_TEST(every_register_format_has_a_formatter)
{
	/* Every format a table entry uses is either a scalar formatter or read
	 * from memory by strace.c; scalar ones must not fall back to NULL. */
	static const enum arg_fmt scalars[] = {
		A_INT, A_UINT, A_HEX, A_PTR, A_SIZE, A_OFF, A_FD, A_DIRFD, A_OPEN_FLAGS, A_MODE,
		A_PROT, A_MMAP_FLAGS, A_MREMAP_FLAGS, A_MADVISE, A_SIGNAL, A_SIGPROCMASK_HOW,
		A_STATX_MASK, A_CLOCKID, A_TIMER_FLAGS, A_FCNTL_CMD, A_IOCTL_REQ, A_CLONE_FLAGS,
		A_AT_FLAGS, A_ACCESS_MODE, A_WHENCE, A_RLIMIT_RES, A_SOCK_FAMILY, A_SOCK_TYPE,
		A_SOCK_LEVEL, A_SOCKOPT, A_MSG_FLAGS, A_SHUTDOWN_HOW, A_EPOLL_OP, A_WAIT_OPTIONS,
		A_IDTYPE, A_ARCH_PRCTL, A_PRCTL_OPTION, A_FUTEX_OP, A_GETRANDOM_FLAGS,
		A_UNLINK_FLAGS, A_RENAME_FLAGS, A_PERSONALITY, A_ITIMER_WHICH, A_CAP, A_FLOCK_OP,
		A_FALLOC_FLAGS, A_SCHED_POLICY, A_EVENTFD_FLAGS, A_INOTIFY_MASK, A_KEYCTL_CMD,
		A_KEY_SERIAL,
	};
	for (size_t i = 0; i < ARRAY_SIZE(scalars); i++)
		ck_assert_msg(sfmt_scalar(scalars[i]) != NULL, "format %d", scalars[i]);
	ck_assert(sfmt_scalar(A_PATH) == NULL && sfmt_scalar(A_STAT_OUT) == NULL);
	CHECK_SCALAR(sfmt_scalar(A_UNLINK_FLAGS), AT_REMOVEDIR, "AT_REMOVEDIR");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("strace-format");
	TCase *tc = tcase_create("format");
	tcase_add_test(tc, numbers_and_pointers);
	tcase_add_test(tc, open_and_file_flags);
	tcase_add_test(tc, memory_flags);
	tcase_add_test(tc, signals_and_sets);
	tcase_add_test(tc, processes);
	tcase_add_test(tc, structs);
	tcase_add_test(tc, socket_addresses);
	tcase_add_test(tc, strings_are_escaped_and_cut);
	tcase_add_test(tc, results);
	tcase_add_test(tc, summary_table);
	tcase_add_test(tc, every_register_format_has_a_formatter);
	suite_add_tcase(s, tc);
	return check_run(s);
}
