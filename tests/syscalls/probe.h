/* syscall-probe: one test per syscall, named after it.
 *
 * Each test is a function registered with SYSCALL_TEST(name); the macro
 * places the name and the function in the `probe_tests` section, which main.c
 * walks (the linker provides __start_probe_tests and __stop_probe_tests).
 * `syscall-probe NAME` runs one test in a fresh temporary directory;
 * `syscall-probe --list` prints every name.
 *
 * A test prints only what must be the same natively and under msentry:
 * results, errno names, contents read back, and relations ("child pid ==
 * wait result") instead of pids, addresses, inode numbers or times.
 */
#ifndef MSENTRY_TESTS_SYSCALLS_PROBE_H
#define MSENTRY_TESTS_SYSCALLS_PROBE_H

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <unistd.h>

struct probe_test {
	const char *name;
	void (*fn)(void);
};

#define SYSCALL_TEST(nm)                                                                           \
	static void probe_test_##nm(void);                                                         \
	static const struct probe_test probe_entry_##nm __attribute__((                            \
	    used, section("probe_tests"), aligned(sizeof(void *)))) = {#nm, probe_test_##nm};      \
	static void probe_test_##nm(void)

/* An address the program never maps: syscalls given it fail with EFAULT. */
#define BADPTR ((void *)8)

/* Print `text = r`, or `text = -1 ENAME` when r is -1; returns r. */
long probe_show(const char *text, long r, int err);
/* Print `text = ok` when r is not -1 (values that differ between runs:
 * addresses, pids, times), else `text = -1 ENAME`; returns r. */
long probe_ok(const char *text, long r, int err);

/* Evaluate a syscall expression once and print its result and errno. */
#define SHOW(expr)                                                                                 \
	({                                                                                         \
		errno = 0;                                                                         \
		long probe_r_ = (long)(expr);                                                      \
		probe_show(#expr, probe_r_, errno);                                                \
	})
#define OK(expr)                                                                                   \
	({                                                                                         \
		errno = 0;                                                                         \
		long probe_r_ = (long)(expr);                                                      \
		probe_ok(#expr, probe_r_, errno);                                                  \
	})

/* A call that must fail and could instead make a process (clone, clone3,
 * fork): should it succeed, the new process leaves at once and the line says
 * "= a new process" (no pid, which differs between runs). */
#define MUST_NOT_FORK(expr)                                                                        \
	({                                                                                         \
		fflush(stdout);                                                                    \
		errno = 0;                                                                         \
		long probe_r_ = (long)(expr);                                                      \
		int probe_e_ = errno;                                                              \
		if (probe_r_ == 0)                                                                 \
			syscall(SYS_exit, 0);                                                      \
		probe_forked(#expr, probe_r_, probe_e_);                                           \
	})
void probe_forked(const char *text, long r, int err);

/* A call that must fail and could instead replace the program (execve):
 * made in a child, whose status is reported only if it is not "exited 0". */
#define MUST_NOT_EXEC(expr)                                                                        \
	do {                                                                                       \
		pid_t probe_k_ = probe_fork();                                                     \
		if (probe_k_ == 0) {                                                               \
			errno = 0;                                                                 \
			long probe_r_ = (long)(expr);                                              \
			probe_show(#expr, probe_r_, errno);                                        \
			_exit(0);                                                                  \
		}                                                                                  \
		probe_wait_unless_ok(probe_k_);                                                    \
	} while (0)
void probe_wait_unless_ok(pid_t pid);

/* Print a line; flushes so output keeps its order across fork. */
void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

const char *errname(int err);
const char *signame(int sig);

/* The test's temporary directory (the cwd when a test starts) and the
 * probe's own absolute path (for execve). */
extern char probe_dir[];
extern char probe_self[];

/* A path as printed: the test directory's random name replaced by
 * "<testdir>" (static buffer). */
const char *shown_path(const char *path);

/* Files: write a whole file / read it (NUL-terminated, static buffer). */
void put_file(const char *path, const char *content);
const char *get_file(const char *path);
/* The contents of an fd from offset 0 (static buffer). */
const char *fd_contents(int fd);
/* Whether fd is open, and its FD_CLOEXEC flag: "closed", "open", "cloexec". */
const char *fd_state(int fd);

/* fork() after flushing stdout (children must leave with _exit). */
pid_t probe_fork(void);
/* Wait for pid and print "LABEL: exited N" / "LABEL: killed by SIGX" /
 * "LABEL: stopped by SIGX"; returns the raw status. */
int probe_wait(const char *label, pid_t pid);
/* probe_wait with a deadline: a child still running after ms milliseconds
 * is killed and reported as "LABEL: still running after N ms". */
int probe_wait_timeout(const char *label, pid_t pid, int ms);
/* Wait (at most ms milliseconds) until pid is asleep ('S' in
 * /proc/PID/stat), e.g. in the call a signal is to interrupt; a fixed
 * delay can fire before the call on a loaded machine. */
void probe_wait_sleeping(pid_t pid, int ms);
/* Describe a wait status ("exited 3", "killed by SIGKILL"...). */
const char *status_text(int status);

/* Install a handler (SA_SIGINFO) for sig; handled[sig] counts deliveries
 * and last_info keeps the last siginfo. */
extern volatile sig_atomic_t handled[65];
extern siginfo_t last_info;
void catch_signal(int sig, int flags);
/* Block (how = SIG_BLOCK/SIG_UNBLOCK/SIG_SETMASK) one signal (0: all). */
void mask_signal(int how, int sig);

/* Print "LABEL: reg 0644 size 5 nlink 1 uid 0 gid 0" for a stat result
 * (no inode numbers, devices or times). */
void print_stat(const char *label, const struct stat *st);
/* stat / lstat path and print it, or "PATH: -1 ENOENT". */
void print_path_stat(const char *path);
void print_lpath_stat(const char *path);
const char *file_type(mode_t mode);

/* Monotonic time in nanoseconds. */
long long now_ns(void);

#endif
