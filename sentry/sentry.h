/* sentry: the user-mode kernel. Serves every syscall of the sandboxed
 * program from one syscall table. */
#ifndef MSENTRY_SENTRY_H
#define MSENTRY_SENTRY_H

#include <stdbool.h>
#include <stdio.h>

#include "util/util.h"

enum vsyscall_mode { VSYSCALL_EMULATE, VSYSCALL_NONE };

/* A mount of the sandbox's view (OCI `mounts`, msentry run --mount). */
struct sentry_mount {
	const char *destination;    /* absolute sandbox path */
	const char *type;	    /* bind, tmpfs, proc, sysfs...; NULL: from options */
	const char *source;	    /* host path (bind), or a name */
	const char *const *options; /* NULL-terminated, or NULL */
};

/* A device node of the sandbox's /dev (OCI linux.devices). */
struct sentry_device {
	const char *path; /* absolute sandbox path */
	char type;	  /* c, b, u (c), p (fifo) */
	unsigned major, minor;
	unsigned mode; /* permission bits (0666 if not given) */
	unsigned uid, gid;
};

/* A kernel parameter of the sandbox's IPC namespace (msentry run --sysctl,
 * OCI linux.sysctl): key as sysctl(8) names it, value as written to its
 * /proc/sys file. */
struct sentry_sysctl {
	const char *key, *value;
};

/* Frozen configuration: set once by the CLI, read-only afterwards. */
struct sentry_config {
	const char *root;	 /* sandbox root directory ("/" for msentry run) */
	const char *prog;	 /* path of the program (resolved like a shell would) */
	const char *const *argv; /* NULL-terminated */
	const char *const *envp; /* NULL-terminated */
	const char *cwd;	 /* initial working directory inside the sandbox */
	enum vsyscall_mode vsyscall;
	bool vsyscall_no_patch; /* --vsyscall=trap: emulate every call, patch no site */
	bool quiet;		/* no warnings for unsupported syscalls */
	/* --strace */
	bool strace;		   /* trace lines */
	const char *strace_set;	   /* NULL: every syscall */
	const char *strace_output; /* NULL: stderr */
	int strace_string_limit;   /* 0: 32 */
	bool strace_summary;	   /* strace -c table at exit */
	bool strace_json;	   /* one JSON object per event instead of text */
	/* The sandbox's view (OCI config; msentry run --user, --hostname...) */
	const char *hostname;	/* uname's nodename; NULL: the host's */
	const char *domainname; /* uname's domainname; NULL: the host's */
	bool set_user;		/* the program's ids are uid/gid/groups below,
				 * not msentry's own (kernel/creds.c) */
	unsigned uid, gid;
	const unsigned *groups; /* supplementary groups */
	size_t ngroups;
	bool readonly_root;		   /* every write under / fails with EROFS */
	const char *const *readonly_paths; /* NULL-terminated, or NULL */
	const char *const *masked_paths;   /* NULL-terminated, or NULL */
	const struct sentry_mount *mounts; /* in order: a later one hides an earlier */
	size_t nmounts;
	const struct sentry_device *devices; /* made in a tmpfs /dev only */
	size_t ndevices;
	/* The control channel (SENTRY_CONTROL_* below): a listening
	 * SOCK_SEQPACKET unix socket the sentry serves, or none. */
	bool has_control;
	int control_fd;
	/* The program's capability sets before its exec (bit N: capability
	 * N; OCI process.capabilities); without has_caps, msentry's own. */
	bool has_caps;
	uint64_t cap_bounding, cap_effective, cap_permitted, cap_inheritable, cap_ambient;
	bool no_new_privs; /* the program starts with PR_SET_NO_NEW_PRIVS set */
	/* At most this many tasks (threads) at once; clone, fork, vfork and
	 * clone3 beyond it fail with EAGAIN. 0: SENTRY_DEFAULT_MAX_TASKS;
	 * negative: no limit (OCI pids.limit <= 0). */
	int max_tasks;
	/* --platform: where program code runs (platform/platform.h). */
	enum { SENTRY_PLATFORM_PTRACE, SENTRY_PLATFORM_SYSTRAP } platform;
	/* --debug: SIGUSR2 to msentry prints every task to stderr, and the
	 * sentry's own confinement says one line per layer (sentry/guard.c). */
	bool debug;
	bool no_self_seccomp; /* no seccomp filter on the sentry itself */
	/* The fds >= 3 the program gets, at the same numbers, besides 0, 1
	 * and 2 (msentry run --pass-fd, runc's --preserve-fds). Every other
	 * fd msentry inherited is closed, never handed over. */
	const int *pass_fds;
	size_t npass_fds;
	/* The IPC namespace's parameters, set in order at start over Linux's
	 * defaults for a new namespace (each checked by sentry_sysctl_check). */
	const struct sentry_sysctl *sysctls;
	size_t nsysctls;
};

#define SENTRY_DEFAULT_MAX_TASKS 4096

/* The control channel's wire format (served by sentry/control/, used by
 * the OCI runtime). One request per connection, one SOCK_SEQPACKET
 * message of at most SENTRY_CONTROL_MAX bytes: NUL-terminated fields, the
 * verb first, then KEY=VALUE fields:
 *   exec    path=PROG (inside the root) arg=A (repeated, at least one)
 *           env=K=V (repeated) cwd=DIR uid=N gid=N group=N (repeated)
 *           tie=1 (killed when the connection closes) tty=1 (fd 0, a
 *           terminal, becomes its session's controlling terminal);
 *           fds 0..n-1 of the new process (3 to SENTRY_CONTROL_FDS) as
 *           SCM_RIGHTS
 *   signal  sig=N and pid=N (a sandbox pid) [fg=1: to the foreground group
 *           of that process's terminal, if it has one] or all=1
 *   ps | pause | resume | stats
 * The reply is one message of text: "error MESSAGE\n", or "ok" and the
 * result: exec "ok PID HOSTPID\n", then, when the process ends, a second
 * message "exit STATUS\n" (128+N if killed by signal N); ps one line per
 * process "PID PPID HOSTPID COMM\n"; stats "pids N\ncpu_ns N\nrss_bytes N\n". */
#define SENTRY_CONTROL_SOCKET "control.sock"
#define SENTRY_CONTROL_MAX    65536
#define SENTRY_CONTROL_FDS    64

/* Run the program to completion. Returns its exit status (128+N if killed
 * by signal N), or -1 with `e` set if the sandbox could not start (then
 * e->status holds the shell-style exit status). */
int sentry_run(const struct sentry_config *cfg, struct error *e);

/* Whether KEY=VALUE is a kernel parameter the sandbox takes (the System V
 * IPC limits kernel.shmmax, shmall, shmmni, shm_rmid_forced, msgmax,
 * msgmnb, msgmni, sem, msg_next_id, sem_next_id, shm_next_id, and
 * fs.mqueue.*) with a value Linux accepts: 0, or -1 with `e` saying why
 * ("KEY: ..."). */
int sentry_sysctl_check(const char *key, const char *value, struct error *e);

/* Print every syscall's support level and note, as Markdown. */
void sentry_print_syscalls(FILE *out);

/* The mounts' cleanup helper of the fallback private directory
 * (sentry/kernel/mount-private.c): the sentry spawns msentry itself as
 * `msentry SENTRY_MOUNTS_CLEANUP DIR`, with a pipe's read end as fd 3;
 * sentry_mounts_cleanup waits for its EOF, removes DIR and exits. */
#define SENTRY_MOUNTS_CLEANUP "--mounts-cleanup-helper"
int sentry_mounts_cleanup(const char *dir);

#endif
