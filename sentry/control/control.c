/* The control channel: how the OCI runtime reaches a running sandbox.
 *
 * How it works. `create` binds a SOCK_SEQPACKET unix socket,
 * <root>/<id>/control.sock, before the container's init reports ready, and
 * hands the listening fd to the sentry (sentry_config.control_fd). The
 * sentry never blocks on it. The event loop (sched.c) reaches this
 * file's fds (the listener and each connection) through the kernel's hooks
 * (service_fds, service_ready): in its ppoll whenever it polls (tasks wait
 * on fds or deadlines, or the sandbox is paused), and otherwise with a
 * zero-timeout poll every SERVICE_EVERY stops and whenever its blocking
 * waitpid is interrupted. A tick (a POSIX timer signalling the sentry's
 * thread every TICK_MS, its handler doing nothing, without SA_RESTART)
 * interrupts that waitpid, so a request is served within a tick or two
 * even when no stop comes (an idle or a computing sandbox), while the
 * fast path keeps its one blocking waitpid per stop. A tick that lands
 * just before waitpid is lost; the next one is not. The listener and
 * every connection are non-blocking:
 * accept4 takes what is queued, and one recvmsg takes a whole request
 * (SEQPACKET keeps message boundaries, so there are no partial requests
 * to keep). One request per connection; the reply is one message sent
 * with MSG_DONTWAIT (a client that does not read loses it, the sentry
 * does not wait). An exec's connection stays open until the process ends
 * (control_detached_exit), then carries its status; a client that hangs
 * up earlier only loses that report.
 *
 * exec starts a process with no parent in the sandbox, as runsc's exec
 * does (its ppid is 0; no sandbox process can wait for it), in its own
 * session, loaded by the same loader as the first process.
 *
 * Threats. Only the host's root or the sentry's own user may connect: the
 * socket is mode 0600 (set by the runtime) and every connection's
 * SO_PEERCRED uid is checked again here. A request is untrusted input all
 * the same: its size is bounded (SENTRY_CONTROL_MAX, a truncated message
 * is refused), so are the fds it may carry (SENTRY_CONTROL_FDS, every one
 * closed after use, whatever the outcome), the number of connections
 * (MAX_CONNS: more are refused at accept) and the reply. Every field is
 * checked: the verb and keys against fixed lists, numbers parsed whole and
 * in range, paths absolute and shorter than PATH_MAX, fields NUL
 * terminated. The program path is opened by the kernel inside the root,
 * like any path of the sandbox. Nothing here waits for a client.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "sentry/control/control.h"
#include "sentry/kernel/files.h"

#define MAX_CONNS  64
#define MAX_GROUPS 64
#define TICK_MS	   20

struct conn {
	int fd;
	pid_t exec_pid; /* the exec'd process whose status this connection waits for, or 0 */
	bool tie;	/* kill that process if the connection closes first */
};

struct control {
	int listen_fd;
	uid_t uid; /* the sentry's own: with root, the only one served */
	struct conn conns[MAX_CONNS];
	int n_conns;
	char *buf; /* the request being read */
	timer_t tick;
	bool has_tick;
};

/* One request, parsed: pointers into control->buf. */
struct request {
	const char *verb;
	const char **fields; /* KEY=VALUE, in order */
	int n_fields;
	int fds[SENTRY_CONTROL_FDS];
	int n_fds;
};

/* The tick's only effect is to interrupt the sentry's waitpid. */
static void tick_handler(int sig)
{
	(void)sig;
}

static void start_tick(struct control *c)
{
	struct sigaction sa = {.sa_handler = tick_handler}; /* no SA_RESTART */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGRTMIN, &sa, NULL);
	struct sigevent ev = {.sigev_notify = SIGEV_THREAD_ID, .sigev_signo = SIGRTMIN};
	ev._sigev_un._tid = gettid(); /* the sentry's thread, not the clock's */
	if (timer_create(CLOCK_MONOTONIC, &ev, &c->tick) != 0)
		return; /* served at stops and polls only */
	struct itimerspec its = {{0, TICK_MS * 1000000L}, {0, TICK_MS * 1000000L}};
	timer_settime(c->tick, 0, &its, NULL);
	c->has_tick = true;
}

void control_start(struct sentry *s, int fd)
{
	struct control *c = xcalloc(1, sizeof(*c));
	c->listen_fd = fd;
	c->uid = geteuid();
	c->buf = xmalloc(SENTRY_CONTROL_MAX);
	s->control = c;
	start_tick(c);
}

static void conn_close(struct control *c, int i)
{
	close(c->conns[i].fd);
	c->conns[i] = c->conns[--c->n_conns];
}

void control_release(struct sentry *s)
{
	struct control *c = s->control;
	if (!c)
		return;
	if (c->has_tick)
		timer_delete(c->tick);
	while (c->n_conns)
		conn_close(c, 0);
	close(c->listen_fd);
	free(c->buf);
	free(c);
	s->control = NULL;
}

int control_fds(struct sentry *s, struct pollfd *out, int max)
{
	struct control *c = s->control;
	int n = 0;
	if (!c)
		return 0;
	if (c->n_conns < MAX_CONNS && n < max)
		out[n++] = (struct pollfd){.fd = c->listen_fd, .events = POLLIN};
	for (int i = 0; i < c->n_conns && n < max; i++)
		out[n++] = (struct pollfd){.fd = c->conns[i].fd, .events = POLLIN};
	return n;
}

static void reply(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void reply(int fd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (n > 0)
		(void)!send(fd, msg, (size_t)n < sizeof(msg) ? (size_t)n : sizeof(msg) - 1,
			    MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void accept_all(struct control *c)
{
	while (c->n_conns < MAX_CONNS) {
		int fd = accept4(c->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return; /* EAGAIN: nothing more queued; other errors: the client's */
		struct ucred cred;
		socklen_t len = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0 ||
		    (cred.uid != 0 && cred.uid != c->uid)) {
			reply(fd, "error permission denied\n");
			close(fd);
			continue;
		}
		c->conns[c->n_conns++] = (struct conn){.fd = fd};
	}
}

/* A whole unsigned decimal in [0, max]. */
static bool parse_num(const char *text, unsigned long max, unsigned long *out)
{
	if (!text || *text < '0' || *text > '9' || strlen(text) > 10)
		return false;
	char *end;
	errno = 0;
	unsigned long v = strtoul(text, &end, 10);
	if (*end || errno || v > max)
		return false;
	*out = v;
	return true;
}

static bool abs_path_ok(const char *p)
{
	return p && p[0] == '/' && strlen(p) < PATH_MAX;
}

/* The value of the one field KEY=..., or NULL; `dup` set if given twice. */
static const char *field(const struct request *r, const char *key, bool *dup)
{
	size_t n = strlen(key);
	const char *found = NULL;
	for (int i = 0; i < r->n_fields; i++)
		if (strncmp(r->fields[i], key, n) == 0 && r->fields[i][n] == '=') {
			if (found)
				*dup = true;
			found = r->fields[i] + n + 1;
		}
	return found;
}

/* Every field's key is one of `keys` (each preceded and followed by a
 * space: " a b "). */
static bool keys_known(const struct request *r, const char *keys)
{
	for (int i = 0; i < r->n_fields; i++) {
		const char *eq = strchr(r->fields[i], '=');
		if (!eq || eq == r->fields[i] || eq - r->fields[i] > 16)
			return false;
		char key[20];
		snprintf(key, sizeof(key), " %.*s ", (int)(eq - r->fields[i]), r->fields[i]);
		if (!strstr(keys, key))
			return false;
	}
	return true;
}

/* The values of repeated KEY=... fields, NULL-terminated (malloc'd). */
static const char **values(const struct request *r, const char *key, int *count)
{
	size_t n = strlen(key);
	const char **v = xcalloc((size_t)r->n_fields + 1, sizeof(*v));
	int k = 0;
	for (int i = 0; i < r->n_fields; i++)
		if (strncmp(r->fields[i], key, n) == 0 && r->fields[i][n] == '=')
			v[k++] = r->fields[i] + n + 1;
	*count = k;
	return v;
}

/* The checked fields of an exec request. */
struct exec_req {
	const char *path, *cwd;
	const char **argv, **envp;
	unsigned long uid, gid;
	gid_t groups[MAX_GROUPS]; /* supplementary groups (exec --additional-gids) */
	int n_groups;
	bool tty; /* fd 0 becomes its session's controlling terminal */
};

/* exec's supplementary groups: the "group" fields. */
static const char *check_groups(const struct request *r, struct exec_req *x)
{
	int n = 0;
	cleanup_free const char **v = values(r, "group", &n);
	if (n > MAX_GROUPS)
		return "group: too many additional groups";
	for (int i = 0; i < n; i++) {
		unsigned long g;
		if (!parse_num(v[i], UINT32_MAX - 1, &g))
			return "group: must be a number below 2^32-1";
		x->groups[x->n_groups++] = (gid_t)g;
	}
	return NULL;
}

static const char *check_exec(const struct request *r, struct exec_req *x)
{
	bool dup = false;
	int n_args, n_env;
	x->path = field(r, "path", &dup);
	x->cwd = field(r, "cwd", &dup);
	const char *uid = field(r, "uid", &dup), *gid = field(r, "gid", &dup);
	x->argv = values(r, "arg", &n_args);
	x->envp = values(r, "env", &n_env);
	const char *tie = field(r, "tie", &dup), *tty = field(r, "tty", &dup);
	if (!keys_known(r, " path arg env cwd uid gid group tie tty ") || dup ||
	    (tie && strcmp(tie, "1") != 0) || (tty && strcmp(tty, "1") != 0))
		return "unknown or repeated field";
	x->tty = tty != NULL;
	if (!abs_path_ok(x->path))
		return "path: must be an absolute path";
	if (!x->cwd)
		x->cwd = "/";
	if (!abs_path_ok(x->cwd))
		return "cwd: must be an absolute path";
	if (n_args < 1)
		return "arg: at least one is needed";
	for (int i = 0; i < n_env; i++)
		if (!strchr(x->envp[i], '=') || x->envp[i][0] == '=')
			return "env: must be KEY=VALUE";
	x->uid = x->gid = 0;
	if ((uid && !parse_num(uid, UINT32_MAX - 1, &x->uid)) ||
	    (gid && !parse_num(gid, UINT32_MAX - 1, &x->gid)))
		return "uid/gid: must be a number below 2^32-1";
	if (r->n_fds < 3)
		return "the process's fds 0, 1 and 2 must be passed";
	return check_groups(r, x);
}

/* Start the process; its sandbox pid, or 0 if it could not start. */
static pid_t do_exec(struct sentry *s, int fd, const struct request *r)
{
	struct exec_req x = {0};
	const char *bad = check_exec(r, &x);
	if (!bad && s->frozen)
		bad = "cannot exec in a paused container";
	if (bad) {
		reply(fd, "error %s\n", bad);
		free(x.argv);
		free(x.envp);
		return 0;
	}
	struct task_spawn sp = {.cwd = x.cwd,
				.umask = 022,
				.uid = (uid_t)x.uid,
				.gid = (gid_t)x.gid,
				.fds = r->fds,
				.n_fds = r->n_fds};
	struct task *t = task_create_detached(s, &sp);
	pid_t pid = t->proc->pid;
	if (x.n_groups > 0) /* else the groups every detached process starts with */
		creds_set_groups(t->proc, x.groups, x.n_groups);
	struct error e = {0};
	/* It leads a session of its own: the terminal becomes its. */
	int err = x.tty ? tty_take(t->proc, fd_lookup(t, 0)) : 0;
	if (err != 0)
		error_set(&e, -err, "tty: fd 0 cannot be the controlling terminal: %s",
			  strerror(-err));
	if (err != 0 || task_exec(t, AT_FDCWD, x.path, x.argv, x.envp, &e) != 0) {
		/* Never ran: it goes without a report (no connection waits). */
		task_exit_group(t, 127 << 8);
		reply(fd, "error %s\n", e.msg);
		pid = 0;
	} else {
		reply(fd, "ok %d %d\n", (int)pid, (int)t->mm->stub_pid);
		platform_resume(t->th, false, 0);
	}
	free(x.argv);
	free(x.envp);
	return pid;
}

void control_detached_exit(struct process *p)
{
	struct control *c = p->s->control;
	for (int i = 0; c && i < c->n_conns; i++) {
		if (c->conns[i].exec_pid != p->pid)
			continue;
		int st = p->exit_status;
		reply(c->conns[i].fd, "exit %d\n",
		      WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st));
		conn_close(c, i);
		return;
	}
}

/* The sandbox's processes that still have tasks (zombies are not
 * shown, as ps does not show reaped ones): their pids, in task order. */
static pid_t *process_pids(struct sentry *s, int *n)
{
	int cap = 0;
	for (struct task *t = s->tasks; t; t = t->next)
		cap++;
	pid_t *pids = xcalloc((size_t)cap + 1, sizeof(*pids));
	*n = 0;
	for (struct task *t = s->tasks; t; t = t->next) {
		bool seen = false;
		for (int i = 0; i < *n && !seen; i++)
			seen = pids[i] == t->proc->pid;
		if (!seen)
			pids[(*n)++] = t->proc->pid;
	}
	return pids;
}

static void do_signal(struct sentry *s, int fd, const struct request *r)
{
	bool dup = false;
	const char *sig_text = field(r, "sig", &dup), *pid_text = field(r, "pid", &dup);
	const char *all = field(r, "all", &dup), *fg = field(r, "fg", &dup);
	unsigned long sig, pid = 0;
	if (!keys_known(r, " sig pid all fg ") || dup || !parse_num(sig_text, 64, &sig) ||
	    sig == 0 || (fg && (strcmp(fg, "1") != 0 || all)) ||
	    (all ? strcmp(all, "1") != 0 || pid_text : !parse_num(pid_text, INT32_MAX, &pid))) {
		reply(fd, "error signal: needs sig=1..64 and pid=N [fg=1] or all=1\n");
		return;
	}
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = (int)sig;
	si.si_code = SI_USER; /* from outside the sandbox: pid 0, as the host's kernel */
	if (!all) {
		struct process *p = process_by_pid(s, (pid_t)pid);
		if (!p || p->zombie || p->exiting) {
			reply(fd, "error no such process\n");
			return;
		}
		/* fg=1: a signal the process's terminal made (^C...) goes to
		 * that terminal's foreground group, as the terminal sends it. */
		if (!fg || !tty_signal_foreground(p, (int)sig))
			signal_send_process(p, (int)sig, &si);
		reply(fd, "ok\n");
		return;
	}
	/* Every process; looked up one by one, as a signal may end some. */
	int n;
	pid_t *pids = process_pids(s, &n);
	for (int i = 0; i < n && !s->finished; i++) {
		struct process *p = process_by_pid(s, pids[i]);
		if (p && !p->zombie && !p->exiting)
			signal_send_process(p, (int)sig, &si);
	}
	free(pids);
	reply(fd, "ok\n");
}

static struct task *leader_of(struct sentry *s, pid_t pid)
{
	struct task *any = NULL;
	for (struct task *t = s->tasks; t; t = t->next)
		if (t->proc->pid == pid) {
			if (t->tid == pid)
				return t;
			any = t;
		}
	return any;
}

static void do_ps(struct sentry *s, int fd)
{
	int n;
	pid_t *pids = process_pids(s, &n);
	struct strbuf b = {0};
	strbuf_printf(&b, "ok\n");
	for (int i = 0; i < n && b.len < SENTRY_CONTROL_MAX - 128; i++) {
		struct task *t = leader_of(s, pids[i]);
		struct process *p = t->proc;
		strbuf_printf(&b, "%d %d %d %s\n", (int)p->pid, p->parent ? (int)p->parent->pid : 0,
			      t->mm ? (int)t->mm->stub_pid : 0, t->mm ? task_comm(t) : "-");
	}
	free(pids);
	(void)!send(fd, b.data, b.len, MSG_DONTWAIT | MSG_NOSIGNAL);
	strbuf_release(&b);
}

/* Resident bytes of a stub process (statm's second field). */
static unsigned long long stub_rss(pid_t pid)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/statm", (int)pid);
	FILE *f = fopen(path, "re");
	unsigned long long size = 0, resident = 0;
	if (f) {
		if (fscanf(f, "%llu %llu", &size, &resident) != 2)
			resident = 0;
		fclose(f);
	}
	return resident * (unsigned long long)sysconf(_SC_PAGESIZE);
}

static void do_stats(struct sentry *s, int fd)
{
	int n;
	free(process_pids(s, &n));
	/* CPU: the sentry's own (it runs the sandbox's syscalls) and each
	 * stub process's (the program's code); memory: the stubs' resident
	 * sets. Each address space is counted once. */
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	unsigned long long cpu =
	    (unsigned long long)ts.tv_sec * 1000000000ULL + (unsigned long long)ts.tv_nsec;
	unsigned long long rss = 0;
	for (struct task *t = s->tasks; t; t = t->next) {
		bool first = t->mm && t->mm->stub_pid > 0;
		for (struct task *u = s->tasks; u != t && first; u = u->next)
			first = u->mm != t->mm;
		if (!first)
			continue;
		if (platform_cpu_time(t->mm->stub_pid, &ts) == 0)
			cpu += (unsigned long long)ts.tv_sec * 1000000000ULL +
			       (unsigned long long)ts.tv_nsec;
		rss += stub_rss(t->mm->stub_pid);
	}
	reply(fd, "ok\npids %d\ncpu_ns %llu\nrss_bytes %llu\n", n, cpu, rss);
}

/* Split the request in c->buf (len bytes) into NUL-terminated fields. */
static bool parse_request(struct control *c, size_t len, struct request *r)
{
	if (len == 0 || c->buf[len - 1] != '\0')
		return false;
	int n = 0;
	for (size_t i = 0; i < len; i++)
		n += c->buf[i] == '\0';
	r->fields = xcalloc((size_t)n, sizeof(*r->fields));
	r->verb = c->buf;
	for (size_t i = strlen(c->buf) + 1; i < len; i += strlen(c->buf + i) + 1)
		r->fields[r->n_fields++] = c->buf + i;
	return true;
}

/* Receive one request (whole, or nothing yet); -1: close the connection. */
static int receive(struct control *c, struct conn *cn, struct request *r)
{
	char cbuf[CMSG_SPACE(SENTRY_CONTROL_FDS * sizeof(int))];
	struct iovec iov = {.iov_base = c->buf, .iov_len = SENTRY_CONTROL_MAX};
	struct msghdr mh = {
	    .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf, .msg_controllen = sizeof(cbuf)};
	ssize_t got = recvmsg(cn->fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	if (got < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	for (struct cmsghdr *cm = CMSG_FIRSTHDR(&mh); got >= 0 && cm; cm = CMSG_NXTHDR(&mh, cm)) {
		if (cm->cmsg_level != SOL_SOCKET || cm->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int), sizeof(int));
			if (r->n_fds < SENTRY_CONTROL_FDS)
				r->fds[r->n_fds++] = fd;
			else
				close(fd);
		}
	}
	if (got <= 0)
		return -1;
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || !parse_request(c, (size_t)got, r)) {
		reply(cn->fd, "error malformed or oversized request\n");
		return -1;
	}
	return 1;
}

/* Answer one request; the pid of an exec'd process, else 0. The
 * connections may be reordered meanwhile (a signal can end an exec'd
 * process and close its connection): `fd` names this one. */
static pid_t dispatch(struct sentry *s, int fd, const struct request *r)
{
	bool bare = r->n_fields == 0;
	if (strcmp(r->verb, "exec") == 0)
		return do_exec(s, fd, r);
	if (strcmp(r->verb, "signal") == 0)
		do_signal(s, fd, r);
	else if (strcmp(r->verb, "ps") == 0 && bare)
		do_ps(s, fd);
	else if (strcmp(r->verb, "stats") == 0 && bare)
		do_stats(s, fd);
	else if (strcmp(r->verb, "pause") == 0 && bare) {
		kernel_freeze(s);
		reply(fd, "ok\n");
	} else if (strcmp(r->verb, "resume") == 0 && bare) {
		kernel_thaw(s);
		reply(fd, "ok\n");
	} else
		reply(fd, "error unknown request\n");
	return 0;
}

static void serve(struct sentry *s, struct control *c, int i)
{
	struct conn *cn = &c->conns[i];
	if (cn->exec_pid) {
		/* Nothing more is expected; EOF: the client is gone. */
		char byte;
		ssize_t got = recv(cn->fd, &byte, 1, MSG_DONTWAIT);
		if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
			/* A --detach waiter killed by SIGKILL cannot forward it:
			 * its process goes with it. */
			struct process *p = cn->tie ? process_by_pid(s, cn->exec_pid) : NULL;
			conn_close(c, i);
			if (p && !p->zombie && !p->exiting)
				signal_send_process(p, SIGKILL, NULL);
		}
		return;
	}
	int fd = cn->fd;
	struct request r = {0};
	int rc = receive(c, cn, &r);
	pid_t pid = rc > 0 ? dispatch(s, fd, &r) : 0;
	bool dup = false;
	bool tie = pid && field(&r, "tie", &dup);
	for (int k = 0; k < r.n_fds; k++)
		close(r.fds[k]);
	free(r.fields);
	if (rc == 0)
		return;
	for (i = 0; i < c->n_conns && c->conns[i].fd != fd; i++)
		;
	if (i == c->n_conns)
		return;
	if (pid) { /* waits for the process's end */
		c->conns[i].exec_pid = pid;
		c->conns[i].tie = tie;
	} else
		conn_close(c, i);
}

void control_ready(struct sentry *s, const struct pollfd *fds, int n)
{
	struct control *c = s->control;
	for (int k = 0; c && k < n && !s->finished; k++) {
		if (!fds[k].revents)
			continue;
		if (fds[k].fd == c->listen_fd) {
			accept_all(c);
			continue;
		}
		for (int i = 0; i < c->n_conns; i++)
			if (c->conns[i].fd == fds[k].fd) {
				serve(s, c, i);
				break;
			}
	}
}
