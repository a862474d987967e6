/* config.json hooks: host programs run at points of a container's life.
 *
 * Where and when, as runc runs them (tests/oci/oci.sh compares the order
 * and the states with runc's):
 *   prestart, createRuntime   in `create`, once the init exists (status
 *                             "creating", the init's pid);
 *   createContainer           then, still in `create`. runc runs it inside
 *                             the container's namespaces before
 *                             pivot_root; msentry has no namespaces of its
 *                             own, so it is a host process whose cwd is
 *                             the rootfs;
 *   startContainer            in the init, once `start` released it and
 *                             before the sentry starts the program (status
 *                             "created"); runc runs it in the container,
 *                             msentry as a host process with cwd the
 *                             rootfs, like createContainer;
 *   poststart                 in `start`, after the release (status
 *                             "running");
 *   poststop                  in `delete`, once the container is gone
 *                             (status "stopped").
 * A failing prestart/createRuntime/createContainer fails `create`, which
 * then undoes everything (no state directory, no process). A failing
 * startContainer ends the init with status 1 before the program runs. A
 * failing poststart kills the container and fails `start` (runc does the
 * same). A failing poststop is a warning in the log: the container is
 * already gone.
 *
 * A hook runs as runc's: argv = args (or just the path when args is
 * empty), env = env exactly (the runtime's own environment when env is
 * absent, as Go's exec does with a nil Env), the state JSON on stdin,
 * stdout and stderr collected and quoted in the error. With a timeout, a
 * hook still running after it is killed (SIGKILL) and fails. The state
 * JSON goes through a memfd, so a hook that does not read its stdin cannot
 * block the runtime; its output goes to memfds for the same reason.
 *
 * Threats: hooks are the config author's programs, run with the runtime's
 * own privileges, as runc runs them; nothing of the sandbox applies.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hooks-internal.h"
#include "runtime-internal.h"

extern char **environ;

static char *state_json(const struct hook_state *st)
{
	json_t *o = json_pack("{s:s, s:s, s:s}", "ociVersion", "1.0.2-dev", "id", st->id, "status",
			      st->status);
	if (st->pid > 0)
		json_object_set_new(o, "pid", json_integer(st->pid));
	json_object_set_new(o, "bundle", json_string(st->bundle));
	if (st->annotations && json_object_size(st->annotations) > 0)
		json_object_set(o, "annotations", (json_t *)st->annotations);
	char *text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

static int memfd_with(const char *name, const char *text)
{
	int fd = memfd_create(name, MFD_CLOEXEC);
	if (fd < 0)
		return -1;
	if (text && (write_all(fd, text, strlen(text)) != 0 || lseek(fd, 0, SEEK_SET) != 0)) {
		close(fd);
		return -1;
	}
	return fd;
}

static _Noreturn void hook_child(const struct oci_hook *h, const char *cwd, int in, int out,
				 int err)
{
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
		_exit(127);
	syscall(SYS_close_range, 3u, ~0u, 0u);
	if (cwd && chdir(cwd) != 0)
		_exit(127);
	const char *path_only[] = {h->path, NULL};
	char *const *argv = (char *const *)(h->args.n ? h->args.v : path_only);
	char *const *envp = h->env.n ? (char *const *)h->env.v : environ;
	execve(h->path, argv, envp);
	dprintf(2, "exec %s: %s", h->path, strerror(errno));
	_exit(127);
}

/* Wait for the hook, killing it at its timeout. Its wait status, or -1
 * for a timeout. */
static int wait_hook(pid_t pid, int64_t timeout)
{
	int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	if (pidfd >= 0 && timeout > 0) {
		struct pollfd p = {.fd = pidfd, .events = POLLIN};
		int n;
		do
			n = poll(&p, 1, timeout > INT_MAX / 1000 ? -1 : (int)(timeout * 1000));
		while (n < 0 && errno == EINTR);
		if (n == 0)
			kill(pid, SIGKILL);
		close(pidfd);
		int status;
		while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
			;
		return n == 0 ? -1 : status;
	}
	if (pidfd >= 0)
		close(pidfd);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	return status;
}

static void read_back(int fd, char *buf, size_t size)
{
	ssize_t n = pread(fd, buf, size - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	size_t len = strlen(buf);
	while (len && buf[len - 1] == '\n')
		buf[--len] = '\0';
}

static int run_one(const struct oci_hook *h, const char *cwd, const char *state, struct error *e)
{
	cleanup_close int in = memfd_with("hook-state", state);
	cleanup_close int out = memfd_with("hook-stdout", NULL);
	cleanup_close int err = memfd_with("hook-stderr", NULL);
	if (in < 0 || out < 0 || err < 0)
		return error_sys(e, errno, "memfd_create");
	fflush(NULL);
	pid_t pid = fork();
	if (pid < 0)
		return error_sys(e, errno, "fork");
	if (pid == 0)
		hook_child(h, cwd, in, out, err);
	int status = wait_hook(pid, h->timeout);
	if (status == -1)
		return error_set(e, ETIMEDOUT, "hook ran past specified timeout of %.1fs",
				 (double)h->timeout);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	char o[400], r[400], how[64];
	read_back(out, o, sizeof(o));
	read_back(err, r, sizeof(r));
	if (WIFEXITED(status))
		snprintf(how, sizeof(how), "exit status %d", WEXITSTATUS(status));
	else
		snprintf(how, sizeof(how), "signal: %s", strsignal(WTERMSIG(status)));
	return error_set(e, ECHILD, "%s, stdout: %s, stderr: %s", how, o, r);
}

int hooks_run(const struct oci_config *c, enum oci_hook_kind kind, const struct hook_state *st,
	      const char *cwd, struct error *e)
{
	const struct oci_hook_list *list = &c->hooks[kind];
	if (list->n == 0)
		return 0;
	cleanup_free char *state = state_json(st);
	for (size_t i = 0; i < list->n; i++)
		if (run_one(&list->v[i], cwd, state, e) != 0)
			return error_wrap(e, "error running %s hook #%zu", oci_hook_kind_name(kind),
					  i);
	return 0;
}

/* The hooks of a container after create come from its bundle's
 * config.json, read again (runc keeps the config in its state; msentry's
 * state does not hold it, so a bundle edited meanwhile is what runs). */
static struct oci_config *bundle_config(const struct container_state *st)
{
	struct oci_config *c = NULL;
	struct error ignored = {0};
	return oci_config_load(st->bundle, &c, &ignored) == 0 ? c : NULL;
}

int hooks_poststart(const struct runtime *rt, const struct container_state *st, struct error *e)
{
	struct oci_config *c = bundle_config(st);
	if (!c)
		return 0;
	struct hook_state hs = {st->id, "running", st->bundle, st->pid, st->annotations};
	if (c->hooks[HOOK_POSTSTART].n > 0)
		runtime_debug(rt, "start %s: %zu poststart hooks", st->id,
			      c->hooks[HOOK_POSTSTART].n);
	int rc = hooks_run(c, HOOK_POSTSTART, &hs, NULL, e);
	oci_config_free(c);
	if (rc != 0) {
		/* runc's: a failed poststart ends the container. */
		kill(st->pid, SIGKILL);
		runtime_debug(rt, "start %s: poststart failed, init %d killed", st->id,
			      (int)st->pid);
	}
	return rc;
}

void hooks_poststop(const struct runtime *rt, const struct container_state *st)
{
	struct oci_config *c = bundle_config(st);
	if (!c)
		return;
	struct hook_state hs = {st->id, "stopped", st->bundle, 0, st->annotations};
	if (c->hooks[HOOK_POSTSTOP].n > 0)
		runtime_debug(rt, "delete %s: %zu poststop hooks", st->id,
			      c->hooks[HOOK_POSTSTOP].n);
	struct error e = {0};
	if (hooks_run(c, HOOK_POSTSTOP, &hs, NULL, &e) != 0)
		runtime_warn(rt, "%s", e.msg);
	oci_config_free(c);
}
