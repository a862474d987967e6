/* start, kill, delete and run: a container after `create`.
 *
 * start: opens exec.fifo for reading (O_NONBLOCK, so that a dead init
 *   cannot block `start` forever), which releases the init blocked opening
 *   it for writing; waits for the init's byte, checking that the init is
 *   still alive; removes the fifo. Only then is the status "running".
 * kill: signals the init through a pidfd opened before the liveness
 *   check, so a recycled pid is never signalled; --all signals every
 *   sandbox process through the control channel.
 * delete: a stopped container's directory is removed; a created one is
 *   killed first (as runc does); a running one only with --force.
 * run: create + start + wait in the foreground. The runtime is then the
 *   init's parent: it forwards the signals it gets to the init (which is in
 *   its own session) and exits with the container's status.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "console-internal.h"
#include "control-internal.h"
#include "create-internal.h"
#include "hooks-internal.h"
#include "runtime-internal.h"
#include "state-internal.h"

#define START_TIMEOUT_MS 10000
#define KILL_WAIT_MS	 10000
#define POLL_SLICE_MS	 50

static int release_init(const struct runtime *rt, const struct container_state *st, struct error *e)
{
	cleanup_free char *fifo = xasprintf("%s/%s/%s", rt->opt.root, st->id, EXEC_FIFO);
	cleanup_close int fd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT)
		return error_set(e, EBUSY, "cannot start an already running container");
	if (fd < 0)
		return error_sys(e, errno, "cannot open `%s`", fifo);
	for (int waited = 0; waited < START_TIMEOUT_MS; waited += POLL_SLICE_MS) {
		struct pollfd pfd = {.fd = fd, .events = POLLIN};
		int n = poll(&pfd, 1, POLL_SLICE_MS);
		if (n < 0 && errno != EINTR)
			return error_sys(e, errno, "poll on `%s`", fifo);
		char byte;
		ssize_t got = n > 0 ? read(fd, &byte, 1) : -1;
		if (got == 1) {
			unlink(fifo);
			return 0;
		}
		if (got == 0 || !container_init_alive(st))
			return error_set(e, ESRCH, "cannot start a container that has stopped");
	}
	return error_set(e, ETIMEDOUT, "start: the container's init did not answer in %d s",
			 START_TIMEOUT_MS / 1000);
}

int runtime_start(const struct runtime *rt, const char *id, struct error *e)
{
	struct container_state st;
	if (container_load(rt, id, &st, e) != 0)
		return -1;
	int rc = -1;
	switch (container_status(rt, &st)) {
	case STATUS_CREATED:
		rc = release_init(rt, &st, e);
		if (rc == 0)
			rc = hooks_poststart(rt, &st, e);
		break;
	case STATUS_STOPPED:
		error_set(e, ESRCH, "cannot start a container that has stopped");
		break;
	case STATUS_RUNNING:
		error_set(e, EBUSY, "cannot start an already running container");
		break;
	case STATUS_PAUSED:
	default:
		error_set(e, EBUSY, "cannot start a container in the paused state");
		break;
	}
	if (rc == 0)
		runtime_debug(rt, "start %s: init pid %d released", id, (int)st.pid);
	container_state_release(&st);
	return rc;
}

/* Signal the init if it is still the process `st` recorded. */
static int signal_init(const struct container_state *st, int sig, struct error *e)
{
	int pidfd = (int)syscall(SYS_pidfd_open, st->pid, 0);
	if (pidfd < 0 || !container_init_alive(st)) {
		if (pidfd >= 0)
			close(pidfd);
		return error_set(e, ESRCH, "container not running");
	}
	int rc = (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
	int err = errno;
	close(pidfd);
	if (rc != 0)
		return error_sys(e, err, "unable to signal init");
	return 0;
}

int runtime_kill(const struct runtime *rt, const char *id, int sig, bool all, struct error *e)
{
	/* --all of a started container: every sandbox process, through the
	 * control channel; SIGKILL also goes to the init (the sentry and every
	 * stub die with it). Before start, or if the sentry does not answer,
	 * the init alone holds the container. */
	struct container_state st;
	if (container_load(rt, id, &st, e) != 0)
		return -1;
	enum container_status status = container_status(rt, &st);
	int rc;
	struct error ignored = {0};
	if (status == STATUS_STOPPED && all)
		rc = 0; /* runc: --all signals whatever is left, nothing then */
	else if (status == STATUS_STOPPED)
		rc = error_set(e, ESRCH, "container not running");
	else if (all && status != STATUS_CREATED && sig != SIGKILL &&
		 control_signal(rt, id, 0, sig, false, &ignored) == 0)
		rc = 0;
	else
		rc = signal_init(&st, sig, e);
	if (rc == 0)
		runtime_debug(rt, "kill %s: signal %d to pid %d", id, sig, (int)st.pid);
	container_state_release(&st);
	return rc;
}

/* SIGKILL the init and wait until it is gone (dead or a zombie). */
static int kill_and_wait(const struct container_state *st, struct error *e)
{
	if (signal_init(st, SIGKILL, e) != 0)
		return 0; /* already gone */
	for (int waited = 0; waited < KILL_WAIT_MS; waited += POLL_SLICE_MS) {
		if (!container_init_alive(st))
			return 0;
		poll(NULL, 0, POLL_SLICE_MS);
	}
	return error_set(e, ETIMEDOUT, "container init (pid %d) still alive after SIGKILL",
			 (int)st->pid);
}

int runtime_delete(const struct runtime *rt, const char *id, bool force, struct error *e)
{
	struct container_state st;
	if (container_load(rt, id, &st, e) != 0) {
		if (e->err != ENOENT || !force)
			return -1;
		/* --force: a missing container, or the directory of a create
		 * that died before writing its state, is not an error. */
		cleanup_free char *dir = container_dir(rt, id);
		remove_dir(dir);
		return 0;
	}
	enum container_status status = container_status(rt, &st);
	int rc = 0;
	if ((status == STATUS_RUNNING || status == STATUS_PAUSED) && !force)
		rc = error_set(e, EBUSY, "cannot delete container %s that is not stopped: %s", id,
			       container_status_name(status));
	else if (status != STATUS_STOPPED)
		rc = kill_and_wait(&st, e);
	if (rc == 0) {
		cleanup_free char *dir = container_dir(rt, id);
		int err = remove_dir(dir);
		if (err != 0)
			rc = error_sys(e, -err, "cannot remove `%s`", dir);
		else
			hooks_poststop(rt, &st);
	}
	container_state_release(&st);
	return rc;
}

static const int run_forwarded[] = {SIGINT,  SIGQUIT,  SIGTERM, SIGHUP,	 SIGUSR1,
				    SIGUSR2, SIGWINCH, SIGCONT, SIGTSTP, SIGALRM};

/* Wait for the init (our child), forwarding signals to it, and relaying
 * its terminal if it has one of ours (r->master >= 0; SIGWINCH then
 * resizes that pty instead). The signals are blocked, so none is lost
 * between fork and here. */
static int wait_forwarding(pid_t pid, const sigset_t *set, struct console_relay *r)
{
	int sfd = signalfd(-1, set, SFD_CLOEXEC);
	int status = 255;
	for (;;) {
		int ws;
		pid_t got = waitpid(pid, &ws, WNOHANG);
		if (got == pid) {
			status = WIFSIGNALED(ws) ? 128 + WTERMSIG(ws) : WEXITSTATUS(ws);
			break;
		}
		if ((got < 0 && errno != EINTR) || sfd < 0)
			break;
		struct pollfd p[3] = {{.fd = sfd, .events = POLLIN}};
		console_relay_poll(r, p + 1);
		if (poll(p, 3, -1) < 0)
			continue;
		struct signalfd_siginfo si;
		if (p[0].revents && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			if (si.ssi_signo == SIGWINCH && r->master >= 0)
				console_relay_resize(r);
			else if (si.ssi_signo != SIGCHLD)
				kill(pid, (int)si.ssi_signo);
		}
		console_relay_io(r, p + 1);
	}
	if (sfd >= 0)
		close(sfd);
	console_relay_close(r);
	return status;
}

int runtime_run(const struct runtime *rt, const char *id, const struct runtime_run_options *o,
		struct error *e)
{
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	for (size_t i = 0; i < ARRAY_SIZE(run_forwarded); i++)
		sigaddset(&set, run_forwarded[i]);
	if (!o->detach)
		sigprocmask(SIG_BLOCK, &set, &old);
	pid_t pid;
	struct runtime_create_options co = o->create;
	co.foreground = !o->detach;
	struct console_relay relay = {.master = -1};
	int rc = create_container(rt, id, &co, &pid, co.foreground ? &relay : NULL, e);
	if (rc == 0 && runtime_start(rt, id, e) != 0) {
		/* Undo the create: the init is our child. delete --force also
		 * runs the poststop hooks, as the runtime spec asks. */
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		struct error ignored = {0};
		runtime_delete(rt, id, true, &ignored);
		rc = -1;
	}
	if (rc == 0 && !o->detach) {
		rc = wait_forwarding(pid, &set, &relay);
		struct error ignored = {0};
		if (!o->keep)
			runtime_delete(rt, id, true, &ignored);
	}
	console_relay_close(&relay);
	if (!o->detach)
		sigprocmask(SIG_SETMASK, &old, NULL);
	return rc;
}
