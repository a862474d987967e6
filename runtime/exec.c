/* `exec`: a new process in a running container, through the sentry's
 * control channel (control-internal.h; the sentry's side is
 * sentry/control/control.c).
 *
 * The process is config.json's process changed by runc's options (args,
 * --cwd, --env, --user, --additional-gids), or the process object of a
 * --process file, read before `exec` returns (containerd's shim deletes
 * it at once). Its program is looked up in its PATH inside the rootfs, as
 * `create` does. The request carries the caller's fds 0-2 (and
 * --preserve-fds more) as SCM_RIGHTS: the process writes straight into
 * them. The sentry starts it with no parent in the sandbox (ppid 0, as
 * runsc's exec) and reports its status on the same connection.
 *
 * In the foreground, `exec` waits on that connection, forwards every
 * signal it gets to the process (one signal request each) and exits with
 * the process's status. With --detach, a background waiter is forked: in
 * its own session, its stdio on /dev/null (the process holds the
 * caller's), it does the same waiting and exits with the process's status;
 * its pid is the --pid-file's, so containerd's shim, the subreaper it is
 * re-parented to when `exec` exits, reaps it and takes that status as the
 * exec's. A signal the shim sends it is forwarded; SIGKILL cannot be, so
 * the request asks the sentry to kill the process when the waiter's
 * connection closes ("tie").
 *
 * With a terminal (--tty, or "terminal": true in --process): detached,
 * a new pty whose master goes over --console-socket (console.c), its
 * slave the process's fds 0-2; in the foreground, the caller's terminal.
 * The sentry makes it the process's controlling terminal ("tty"). The
 * waiter (or the foreground exec) is that terminal's host session leader
 * or foreground job, so the terminal's own signals (si_code SI_KERNEL:
 * ^C, ^Z, a resize, the hang-up when the master closes) reach it and go to
 * the terminal's foreground group in the sandbox ("fg"); a signal someone
 * sends (the shim's kill) goes to the process.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include "config-internal.h"
#include "console-internal.h"
#include "control-internal.h"
#include "program-internal.h"
#include "runtime-internal.h"
#include "sentry/sentry.h"
#include "state-internal.h"

#define PROCESS_FILE_MAX (1u << 20)

/* The process to start, resolved. */
struct exec_proc {
	struct oci_config *cfg; /* owns the strings borrowed below */
	const char *const *argv;
	const char **env; /* NULL-terminated, malloc'd; strings borrowed or in `owned` */
	size_t n_env;
	const char *cwd;
	unsigned long uid, gid;
	char *prog;
	char *home;
	bool terminal; /* the process gets a terminal */
	int slave;     /* detached with a terminal: the new pty's slave, else -1 */
};

static void exec_proc_release(struct exec_proc *p)
{
	oci_config_free(p->cfg);
	free(p->env);
	free(p->prog);
	free(p->home);
	if (p->slave >= 0)
		close(p->slave);
}

/* A --process file: its process object inside a minimal config, parsed
 * and checked as config.json's process is. */
static int load_process_file(const struct container_state *st, const char *path,
			     struct oci_config **cfg, struct error *e)
{
	struct strbuf text = {0};
	int rc = read_file(path, PROCESS_FILE_MAX, &text);
	if (rc < 0) {
		strbuf_release(&text);
		return error_sys(e, -rc, "--process: cannot read `%s`", path);
	}
	json_error_t je;
	json_t *proc =
	    json_loadb(text.data ? text.data : "", text.len, JSON_REJECT_DUPLICATES, &je);
	strbuf_release(&text);
	if (!json_is_object(proc)) {
		json_decref(proc);
		return error_set(e, EINVAL, "--process: `%s`: not a JSON object", path);
	}
	json_t *doc = json_pack("{s:s, s:o, s:{s:s}}", "ociVersion", OCI_VERSION, "process", proc,
				"root", "path", st->rootfs);
	char *wrapped = doc ? json_dumps(doc, JSON_COMPACT) : NULL;
	json_decref(doc);
	if (!wrapped)
		return error_set(e, ENOMEM, "--process: cannot encode");
	rc = oci_config_parse(wrapped, strlen(wrapped), st->bundle, cfg, e);
	free(wrapped);
	return rc;
}

/* --env KEY=V replaces KEY in the environment, or is added; then runc's
 * rules (env_finish): each KEY once, HOME when missing or empty. */
static void apply_env(struct exec_proc *p, const struct runtime_exec_options *o)
{
	const struct oci_strings *base = &p->cfg->process.env;
	p->env = xcalloc(base->n + o->n_env + 2, sizeof(char *));
	memcpy(p->env, base->v, base->n * sizeof(char *));
	memcpy(p->env + base->n, o->env, o->n_env * sizeof(char *));
	p->n_env = env_finish(p->env, base->n + o->n_env, p->cfg->rootfs, (uid_t)p->uid, &p->home);
}

/* process.consoleSize, as runc sets it on a new pty. */
static void set_console_size(int slave, const struct oci_process *cp)
{
	if (!cp->console_height || !cp->console_width)
		return;
	struct winsize ws = {.ws_row = (unsigned short)cp->console_height,
			     .ws_col = (unsigned short)cp->console_width};
	(void)!ioctl(slave, TIOCSWINSZ, &ws);
}

static bool parse_id(const char *text, unsigned long *out)
{
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (!*text || *end || errno || v >= UINT32_MAX || text[0] == '-')
		return false;
	*out = v;
	return true;
}

static int apply_user(struct exec_proc *p, const char *user, struct error *e)
{
	p->uid = p->cfg->process.user.uid;
	p->gid = p->cfg->process.user.gid;
	if (!user)
		return 0;
	cleanup_free char *copy = xstrdup(user);
	char *colon = strchr(copy, ':');
	if (colon)
		*colon = '\0';
	if (!parse_id(copy, &p->uid) || (colon && !parse_id(colon + 1, &p->gid)))
		return error_set(e, EINVAL, "--user: `%s`: want UID[:GID] (numbers)", user);
	return 0;
}

static int load_proc(const struct container_state *st, const struct runtime_exec_options *o,
		     struct exec_proc *p, struct error *e)
{
	if (o->process_file ? load_process_file(st, o->process_file, &p->cfg, e) != 0
			    : oci_config_load(st->bundle, &p->cfg, e) != 0)
		return -1;
	p->terminal = o->tty || (o->process_file && p->cfg->process.terminal);
	if (console_check(p->terminal, o->detach, o->console_socket, e) != 0)
		return -1;
	p->argv = o->process_file ? p->cfg->process.args.v : (const char *const *)o->args;
	p->cwd = o->cwd ? o->cwd : p->cfg->process.cwd;
	if (p->cwd[0] != '/')
		return error_set(e, EINVAL, "--cwd: `%s`: must be an absolute path", p->cwd);
	if (apply_user(p, o->user, e) != 0)
		return -1;
	apply_env(p, o);
	return program_resolve(st->rootfs, p->cwd, p->env, p->argv[0], &p->prog, e);
}

/* The request's fields (malloc'd strings, NULL-terminated list). */
static char **request_fields(const struct exec_proc *p, const struct runtime_exec_options *o,
			     size_t *n, struct error *e)
{
	size_t n_args = 0;
	while (p->argv[n_args])
		n_args++;
	char **f = xcalloc(n_args + p->n_env + o->n_groups + 8, sizeof(char *));
	size_t k = 0;
	f[k++] = xstrdup("exec");
	f[k++] = xasprintf("path=%s", p->prog);
	for (size_t i = 0; i < n_args; i++)
		f[k++] = xasprintf("arg=%s", p->argv[i]);
	for (size_t i = 0; i < p->n_env; i++)
		f[k++] = xasprintf("env=%s", p->env[i]);
	f[k++] = xasprintf("cwd=%s", p->cwd);
	f[k++] = xasprintf("uid=%lu", p->uid);
	f[k++] = xasprintf("gid=%lu", p->gid);
	for (size_t i = 0; i < o->n_groups; i++) {
		unsigned long g;
		if (!parse_id(o->groups[i], &g)) {
			*n = k;
			error_set(e, EINVAL, "--additional-gids: `%s`: not a group id",
				  o->groups[i]);
			return f;
		}
		f[k++] = xasprintf("group=%lu", g);
	}
	if (o->detach)
		f[k++] = xstrdup("tie=1");
	if (p->terminal)
		f[k++] = xstrdup("tty=1");
	*n = k;
	return f;
}

static void free_fields(char **f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i]);
	free(f);
}

static const int forwarded[] = {SIGINT,	  SIGQUIT, SIGTERM, SIGHUP,  SIGUSR1, SIGUSR2,
				SIGWINCH, SIGCONT, SIGTSTP, SIGALRM, SIGPIPE};

static void forwarded_set(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(set, forwarded[i]);
}

/* The status line on `conn`: the process's exit status; 137 (as SIGKILL)
 * when the sandbox ended first. */
static int read_status(int conn)
{
	char buf[64];
	ssize_t got;
	do
		got = recv(conn, buf, sizeof(buf) - 1, 0);
	while (got < 0 && errno == EINTR);
	int status = 128 + SIGKILL;
	if (got > 0) {
		buf[got] = '\0';
		if (sscanf(buf, "exit %d", &status) != 1)
			status = 255;
	}
	return status;
}

/* Wait for the process's status on `conn`, forwarding the signals in `set`
 * (blocked by the caller) and relaying its terminal when it has one of
 * ours (r, console.c: SIGWINCH then resizes that pty). */
static int wait_forwarding(const struct runtime *rt, const char *id, int conn, pid_t pid,
			   bool terminal, const sigset_t *set, struct console_relay *r)
{
	int sfd = signalfd(-1, set, SFD_CLOEXEC);
	for (;;) {
		struct pollfd p[4] = {{.fd = conn, .events = POLLIN},
				      {.fd = sfd, .events = POLLIN}};
		console_relay_poll(r, p + 2);
		if (poll(p, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		struct signalfd_siginfo si;
		if (sfd >= 0 && p[1].revents && read(sfd, &si, sizeof(si)) == sizeof(si)) {
			struct error ignored = {0};
			bool from_tty = terminal && si.ssi_code == SI_KERNEL && r->master < 0;
			if (si.ssi_signo == SIGWINCH && r->master >= 0)
				console_relay_resize(r);
			else
				control_signal(rt, id, pid, (int)si.ssi_signo, from_tty, &ignored);
		}
		console_relay_io(r, p + 2);
		if (p[0].revents)
			break;
	}
	int status = read_status(conn);
	if (sfd >= 0)
		close(sfd);
	console_relay_close(r);
	return status;
}

/* --detach: the waiter, re-parented to our caller's subreaper. */
static int detach_waiter(const struct runtime *rt, const char *id, int conn, pid_t pid,
			 const struct exec_proc *p, const struct runtime_exec_options *o,
			 const sigset_t *set, struct error *e)
{
	fflush(NULL);
	pid_t child = fork();
	if (child < 0)
		return error_sys(e, errno, "cannot fork the exec's waiter");
	if (child == 0) {
		setsid();
		/* The pty's host session leader: its signals come here. Without
		 * it they would reach no one (the sandbox still has the pty). */
		if (p->slave >= 0)
			(void)!ioctl(p->slave, TIOCSCTTY, 0);
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		for (int fd = 0; fd < 3 && null >= 0; fd++)
			dup2(null, fd);
		struct console_relay none = {.master = -1};
		_exit(wait_forwarding(rt, id, conn, pid, p->terminal, set, &none));
	}
	close(conn);
	if (o->pid_file) {
		char text[32];
		int n = snprintf(text, sizeof(text), "%d", (int)child);
		if (write_file_atomic(o->pid_file, text, (size_t)n, 0644, e) != 0)
			return error_wrap(e, "--pid-file");
	}
	return 0;
}

/* runc fails exec (255) when it cannot write --pid-file; the process
 * must then not run, so the file's directory is checked before. */
static int check_pid_file(const char *path, struct error *e)
{
	if (!path)
		return 0;
	cleanup_free char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = '\0';
	if (access(slash ? dir : ".", W_OK) != 0)
		return error_sys(e, errno, "--pid-file: cannot write in `%s`", slash ? dir : ".");
	return 0;
}

static int check_status(const struct runtime *rt, const char *id, bool ignore_paused,
			struct container_state *st, struct error *e)
{
	if (container_load(rt, id, st, e) != 0)
		return -1;
	switch (container_status(rt, st)) {
	case STATUS_STOPPED:
		return error_set(e, ESRCH, "cannot exec in a stopped container");
	case STATUS_PAUSED:
		if (!ignore_paused)
			return error_set(e, EBUSY,
					 "cannot exec in a paused container (use --ignore-paused "
					 "to override)");
		return 0;
	case STATUS_CREATED:
		/* runc's exec joins the namespaces its init made at create;
		 * msentry's sandbox (the sentry) starts with `start`, and until
		 * then nothing would serve the request: refuse it at once
		 * rather than wait for a start that may never come. */
		return error_set(e, EAGAIN,
				 "cannot exec in a created container: its sandbox starts "
				 "with `start`");
	case STATUS_RUNNING:
	default:
		return 0;
	}
}

/* Send the request; on success *conn holds the connection and *pid the
 * process's sandbox pid, *host its stub's host pid. */
static int start_process(const struct runtime *rt, const char *id, const struct exec_proc *p,
			 const struct runtime_exec_options *o, int *conn, pid_t *pid, pid_t *host,
			 struct error *e)
{
	size_t n = 0;
	char **fields = request_fields(p, o, &n, e);
	int fds[SENTRY_CONTROL_FDS];
	size_t nfds = 0;
	for (int fd = 0; fd < 3 + o->preserve_fds && nfds < SENTRY_CONTROL_FDS; fd++)
		fds[nfds++] = fd < 3 && p->slave >= 0 ? p->slave : fd;
	char *reply = NULL;
	int rc = e->msg[0] ? -1
			   : control_call(rt, id, (const char *const *)fields, n, fds, nfds, &reply,
					  conn, e);
	free_fields(fields, n);
	int a = 0, b = 0;
	if (rc == 0 && sscanf(reply, "%d %d", &a, &b) != 2) {
		close(*conn);
		rc = error_set(e, EPROTO, "exec: bad reply from the sentry");
	}
	free(reply);
	*pid = a;
	*host = b;
	return rc;
}

int runtime_exec(const struct runtime *rt, const char *id, const struct runtime_exec_options *o,
		 struct error *e)
{
	if (3 + o->preserve_fds > SENTRY_CONTROL_FDS)
		return error_set(e, EINVAL, "--preserve-fds: at most %d", SENTRY_CONTROL_FDS - 3);
	struct container_state st = {0};
	struct exec_proc p = {.slave = -1};
	struct console_relay relay = {.master = -1};
	int rc = check_status(rt, id, o->ignore_paused, &st, e);
	if (rc == 0)
		rc = check_pid_file(o->pid_file, e);
	if (rc == 0)
		rc = load_proc(&st, o, &p, e);
	if (rc == 0 && p.terminal && o->console_socket) {
		p.slave = console_open(o->console_socket, e);
		rc = p.slave < 0 ? -1 : 0;
	}
	if (rc == 0 && p.terminal && !o->console_socket && !o->detach)
		rc = console_relay_open(&relay, &p.slave, e);
	if (rc == 0 && p.slave >= 0) {
		set_console_size(p.slave, &p.cfg->process);
		console_own(p.slave, (uid_t)p.uid);
	}
	sigset_t set, old;
	forwarded_set(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	int conn = -1;
	pid_t pid = 0, host = 0;
	if (rc == 0)
		rc = start_process(rt, id, &p, o, &conn, &pid, &host, e);
	if (rc == 0 && o->detach) {
		rc = detach_waiter(rt, id, conn, pid, &p, o, &set, e);
	} else if (rc == 0) {
		char text[32];
		int n = snprintf(text, sizeof(text), "%d", (int)host);
		if (o->pid_file && write_file_atomic(o->pid_file, text, (size_t)n, 0644, e) != 0)
			runtime_report(rt, e);
		rc = wait_forwarding(rt, id, conn, pid, p.terminal, &set, &relay);
		close(conn);
	}
	console_relay_close(&relay);
	sigprocmask(SIG_SETMASK, &old, NULL);
	exec_proc_release(&p);
	container_state_release(&st);
	if (rc < 0) {
		/* runc's form and status for any failure of exec. */
		error_wrap(e, "exec failed");
		e->status = 255;
	}
	return rc;
}
