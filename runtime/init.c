/* The container's init process: forked by `create`, it becomes the sentry.
 *
 * containerd's shim runs `create` and expects, when it exits, one process
 * whose pid is in the pid file, re-parented to the shim (a child
 * subreaper), whose wait status is the container's exit status. That
 * process is the init forked here. Its life:
 *
 *   1. It resets what it inherited from the caller: signal mask and
 *      dispositions, the session (setsid: the container is not in the
 *      shim's process group), and every fd >= 3 except the --preserve-fds
 *      ones (fd 3 of a shim is its own ttrpc socket). It applies
 *      process.rlimits and the umask, which the sentry and its stubs
 *      inherit and the sentry reports to the program.
 *   2. It tells `create` over the sync pipe: EOF alone means ready; any
 *      bytes are one error line, and then it exits. `create` thus fails
 *      (and cleans up) for errors the init hits, instead of succeeding with
 *      a dead container.
 *   3. It blocks in open(exec.fifo, O_WRONLY) until `start` opens the fifo
 *      for reading, runs the startContainer hooks (hooks.c), and writes
 *      one byte that `start` waits for (runc's mechanism). A signal from `kill` meanwhile acts with
 * its default action: SIGTERM and SIGKILL end a created container.
 *   4. It calls sentry_run() with the rootfs, the program found at create,
 *      process.args, process.env and process.cwd, and exits with its
 *      status, already the shell-style 128+N for a program killed by
 *      signal N (143 after SIGTERM, 137 after SIGKILL). From then on a
 *      signal to this pid reaches the sentry, which forwards SIGTERM,
 *      SIGINT, SIGHUP... into the sandbox; SIGKILL kills the sentry and
 *      every stub with it (PTRACE_O_EXITKILL).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/close_range.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "console-internal.h"
#include "control-internal.h"
#include "init-internal.h"
#include "netns-internal.h"
#include "runtime-internal.h"

/* Close every fd from `from` on, except `keep`. */
static void close_fds_from(int from, int keep)
{
	if (keep > from)
		syscall(SYS_close_range, (unsigned)from, (unsigned)keep - 1, 0u);
	syscall(SYS_close_range, (unsigned)(keep >= from ? keep + 1 : from), ~0u, 0u);
}

static void reset_signals(void)
{
	struct sigaction dfl = {.sa_handler = SIG_DFL};
	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			sigaction(sig, &dfl, NULL); /* glibc's own signals fail: fine */
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Report a setup failure to `create` and end the init. */
static _Noreturn void init_fail(int sync_fd, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static _Noreturn void init_fail(int sync_fd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	write_all(sync_fd, msg, n < 0 ? 0 : (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1);
	_exit(1);
}

static void apply_limits(const struct init_plan *plan, int sync_fd)
{
	for (size_t i = 0; i < plan->n_rlimits; i++) {
		const struct oci_rlimit *r = &plan->rlimits[i];
		struct rlimit lim = {
		    .rlim_cur = r->soft == UINT64_MAX ? RLIM_INFINITY : r->soft,
		    .rlim_max = r->hard == UINT64_MAX ? RLIM_INFINITY : r->hard,
		};
		if (setrlimit((__rlimit_resource_t)r->resource, &lim) != 0)
			init_fail(sync_fd, "process.rlimits: cannot set %s: %s", r->type,
				  strerror(errno));
	}
	umask(plan->umask);
}

/* Block until `start` opens the fifo for reading; the fd, for the byte
 * that tells `start` we are through. */
static int wait_for_start(const struct init_plan *plan, struct error *e)
{
	int fd;
	do
		fd = open(plan->fifo_path, O_WRONLY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0)
		return error_sys(e, errno, "init: cannot open `%s`", plan->fifo_path);
	return fd;
}

/* The --log file, opened while its path is reachable: once started, the
 * sentry's mount namespace holds only the container's root (the pivot,
 * sentry/guard-pivot.c), and a start that fails after it still reports. */
static int open_log(const struct init_plan *plan)
{
	const char *path = plan->rt->opt.log_path;
	return path ? open(path, O_WRONLY | O_APPEND | O_CLOEXEC) : -1;
}

/* The sentry could not start the program: the error goes where the user
 * looks (the container's stderr and the --log file; `log_fd` if opened
 * already, else -2). */
static _Noreturn void init_report_and_exit(const struct init_plan *plan, int log_fd,
					   const struct error *e)
{
	struct runtime rt = {.opt = plan->rt->opt,
			     .log_fd = log_fd == -2 ? open_log(plan) : log_fd};
	runtime_report(&rt, e);
	runtime_close(&rt);
	exit(e->status ? e->status : 1);
}

static _Noreturn void init_main(const struct init_plan *plan, int sync_fd)
{
	reset_signals();
	setsid();
	struct error ce = {0};
	/* Before the fds are closed: the slave of `run`'s relay (console.c). */
	if (plan->terminal_slave >= 0 && console_take(plan->terminal_slave, &ce) != 0)
		init_fail(sync_fd, "%s", ce.msg);
	close_fds_from(3 + plan->preserve_fds, sync_fd);
	/* The sentry's sockets are the container's: made in its network
	 * namespace (netns.c). */
	bool own_net = false;
	if (plan->cfg && (netns_enter(netns_of(plan->cfg), &own_net, &ce) != 0 ||
			  sysctl_apply_net(plan->cfg, own_net, &ce) != 0))
		init_fail(sync_fd, "%s", ce.msg);
	if (plan->console_socket && console_setup(plan->console_socket, &ce) != 0)
		init_fail(sync_fd, "%s", ce.msg);
	if (plan->console_socket && plan->cfg)
		console_own(0, plan->cfg->process.user.uid);
	/* Not close-on-exec: the sentry closes what it inherited open once
	 * it holds its dups (kernel/task.c), these included. */
	for (int fd = 3; fd < 3 + plan->preserve_fds; fd++)
		fcntl(fd, F_SETFD, 0);
	apply_limits(plan, sync_fd);
	if (chdir(plan->sentry.root) != 0)
		init_fail(sync_fd, "root.path: cannot enter `%s`: %s", plan->sentry.root,
			  strerror(errno));
	/* The control channel exists when `create` returns; the sentry
	 * serves it once started (connections wait in the backlog). */
	struct sentry_config cfg = plan->sentry;
	/* fds 3 .. 3+N-1 reach the program; nothing else the init holds
	 * (the sync pipe, the console socket, the control socket) does. */
	int *pass = xcalloc((size_t)plan->preserve_fds + 1, sizeof(int));
	for (int i = 0; i < plan->preserve_fds; i++)
		pass[i] = 3 + i;
	cfg.pass_fds = pass;
	cfg.npass_fds = (size_t)plan->preserve_fds;
	if (plan->control_dir) {
		int fd = control_listen(plan->control_dir);
		if (fd < 0)
			init_fail(sync_fd, "cannot create the control socket in `%s`: %s",
				  plan->control_dir, strerror(-fd));
		cfg.has_control = true;
		cfg.control_fd = fd;
	}
	close(sync_fd); /* EOF: ready */
	struct error e = {0};
	int fifo = plan->fifo_path ? wait_for_start(plan, &e) : -1;
	if (plan->fifo_path && fifo < 0)
		init_report_and_exit(plan, -2, &e); /* stderr and the log, as every error */
	struct hook_state hs = plan->hook_state;
	hs.pid = getpid();
	/* In the rootfs (the init's cwd): runc runs it in the container.
	 * Before the byte: `start` (and its poststart hooks) wait for it, and
	 * a failure is EOF, a container that stopped. */
	if (plan->cfg && hooks_run(plan->cfg, HOOK_START_CONTAINER, &hs, NULL, &e) != 0)
		init_report_and_exit(plan, -2, &e);
	if (fifo >= 0) {
		write_all(fifo, "0", 1);
		close(fifo);
	}
	int log_fd = open_log(plan);
	int status = sentry_run(&cfg, &e);
	if (status < 0)
		init_report_and_exit(plan, log_fd, &e);
	exit(status);
}

pid_t init_spawn(const struct init_plan *plan, struct error *e)
{
	int sync[2];
	if (pipe2(sync, O_CLOEXEC) != 0)
		return error_sys(e, errno, "cannot create a pipe");
	/* The init keeps fds 3 .. 3+N-1: its end of the pipe must not be one. */
	int child_end = fcntl(sync[1], F_DUPFD_CLOEXEC, 3 + plan->preserve_fds);
	close(sync[1]);
	if (child_end < 0) {
		close(sync[0]);
		return error_sys(e, errno, "cannot move the sync pipe");
	}
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0) {
		close(sync[0]);
		close(child_end);
		return error_sys(e, errno, "cannot fork the container's init");
	}
	if (pid == 0) {
		close(sync[0]);
		init_main(plan, child_end);
	}
	close(child_end);
	struct strbuf msg = {0};
	char buf[512];
	ssize_t got;
	while ((got = read(sync[0], buf, sizeof(buf))) != 0) {
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			break;
		strbuf_append(&msg, buf, (size_t)got);
	}
	close(sync[0]);
	if (msg.len == 0)
		return pid;
	error_set(e, EINVAL, "%s", msg.data);
	strbuf_release(&msg);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
	return -1;
}
