/* `create`: from a bundle to an init process waiting on exec.fifo.
 *
 * Everything that can be checked is checked before anything is made:
 * the id, config.json, the rootfs, the program (looked up in the
 * container's PATH inside the rootfs, so `create` fails as runc's does
 * for a missing executable). Then, in order: the state directory
 * <root>/<id> (mkdir fails if the id is taken), exec.fifo, the init
 * (init.c; with process.terminal it makes the pty, console.c), the
 * prestart, createRuntime and createContainer hooks (hooks.c), state.json
 * (atomic), the pid file (atomic, no newline). If any step fails, the
 * steps before it are undone: the init is killed and reaped, the
 * directory removed, the poststop hooks run. A failed create leaves
 * nothing behind.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "config-internal.h"
#include "console-internal.h"
#include "create-internal.h"
#include "hooks-internal.h"
#include "init-internal.h"
#include "netns-internal.h"
#include "program-internal.h"
#include "runtime-internal.h"
#include "state-internal.h"

/* Checked and resolved inputs of a create; released by create_inputs_release. */
struct create_inputs {
	char *bundle; /* absolute */
	struct oci_config *cfg;
	char *prog;		       /* the program's path inside the rootfs */
	const char **envp;	       /* process.env, plus HOME as runc adds it */
	char *home_entry;	       /* "HOME=..." if added */
	struct sentry_mount *mounts;   /* config mounts, bind sources made absolute */
	struct sentry_device *devices; /* linux.devices */
	struct sentry_sysctl *sysctls; /* linux.sysctl's IPC and mqueue keys */
	size_t nsysctls;
	char **sources;	     /* the sources this made (freed with them) */
	char *strace_output; /* the trace file, absolute; NULL: no trace */
	bool strace_json;
	bool systrap; /* the systrap platform (platform_inputs) */
	bool strace_summary, strace_lines; /* -c: a table at exit; lines too (-C) */
};

static void create_inputs_release(struct create_inputs *in)
{
	free(in->bundle);
	oci_config_free(in->cfg);
	free(in->prog);
	free(in->envp);
	free(in->home_entry);
	for (size_t i = 0; in->cfg && in->sources && i < in->cfg->n_mounts; i++)
		free(in->sources[i]);
	free(in->sources);
	free(in->mounts);
	free(in->devices);
	free(in->sysctls);
	free(in->strace_output);
}

static bool is_bind(const struct oci_mount *m)
{
	if (m->type && strcmp(m->type, "bind") == 0)
		return true;
	for (size_t i = 0; i < m->options.n; i++)
		if (strcmp(m->options.v[i], "bind") == 0 || strcmp(m->options.v[i], "rbind") == 0)
			return true;
	return false;
}

/* The sentry's mounts: a bind mount's relative source is the bundle's,
 * as runc reads it. */
static void build_mounts(struct create_inputs *in)
{
	const struct oci_config *c = in->cfg;
	in->mounts = xcalloc(c->n_mounts + 1, sizeof(*in->mounts));
	in->sources = xcalloc(c->n_mounts + 1, sizeof(char *));
	for (size_t i = 0; i < c->n_mounts; i++) {
		const struct oci_mount *m = &c->mounts[i];
		const char *src = m->source;
		if (src && src[0] != '/' && is_bind(m))
			src = in->sources[i] = xasprintf("%s/%s", in->bundle, src);
		in->mounts[i] = (struct sentry_mount){.destination = m->destination,
						      .type = m->type,
						      .source = src,
						      .options = m->options.v};
	}
	in->devices = xcalloc(c->linux.n_devices + 1, sizeof(*in->devices));
	for (size_t i = 0; i < c->linux.n_devices; i++) {
		const struct oci_device *d = &c->linux.devices[i];
		in->devices[i] = (struct sentry_device){
		    .path = d->path,
		    .type = d->type[0],
		    .major = (unsigned)d->major,
		    .minor = (unsigned)d->minor,
		    .mode = d->has_file_mode ? d->file_mode : 0666,
		    .uid = d->has_uid ? d->uid : 0,
		    .gid = d->has_gid ? d->gid : 0,
		};
	}
}

static int mkdir_p(const char *path, mode_t mode)
{
	cleanup_free char *copy = xstrdup(path);
	for (char *p = copy + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) != 0 && errno != EEXIST)
			return -errno;
		*p = '/';
	}
	return mkdir(copy, mode) == 0 || errno == EEXIST ? 0 : -errno;
}

/* What the config asks for and the sandbox does not do yet: one line in
 * the log, so that nobody takes it as enforced. */
static void warn_unapplied(const struct runtime *rt, const struct oci_config *c)
{
	struct strbuf b = {0};
	const struct oci_namespace *net = netns_of(c);
	/* The sentry is every namespace but the network's (netns.c). */
	const struct {
		bool present;
		const char *what;
	} items[] = {
	    {c->linux.n_namespaces > (net ? 1u : 0u), "linux.namespaces (but network)"},
	    {net && !net->path && geteuid() != 0,
	     "a new network namespace (not privileged: the caller's network)"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(items); i++)
		if (items[i].present)
			strbuf_printf(&b, "%s%s", b.len ? ", " : "", items[i].what);
	if (b.len)
		runtime_warn(rt, "config.json: not applied by this version of msentry: %s", b.data);
	strbuf_release(&b);
}

static void build_env(struct create_inputs *in)
{
	const struct oci_process *p = &in->cfg->process;
	in->envp = xcalloc(p->env.n + 2, sizeof(char *));
	memcpy(in->envp, p->env.v, p->env.n * sizeof(char *));
	env_finish(in->envp, p->env.n, in->cfg->rootfs, p->user.uid, &in->home_entry);
}

static const char *annotation(const struct oci_config *c, const char *key)
{
	for (size_t i = 0; i < c->annotations.n; i++)
		if (strcmp(c->annotations.v[i].key, key) == 0)
			return c->annotations.v[i].value;
	return NULL;
}

/* Tracing a container: the annotation `dev.msentry.strace` = a host path
 * (absolute, or relative to the bundle, as root.path), else the global
 * --strace-log; `dev.msentry.strace-json` = "true" for JSON lines;
 * `dev.msentry.strace-summary` = "true" for strace -c's table alone, "both"
 * for lines and the table (-C). The
 * sentry opens the file itself (as the runtime's user, truncating it): whoever
 * writes config.json already runs hooks as that user, so a path is no new
 * power. containerd's CRI passes a pod's annotations into config.json only
 * when the handler lists them (container_annotations): docs/oci.md. */
static int strace_inputs(const struct runtime *rt, struct create_inputs *in, struct error *e)
{
	const char *path = annotation(in->cfg, "dev.msentry.strace");
	const char *json = annotation(in->cfg, "dev.msentry.strace-json");
	const char *summary = annotation(in->cfg, "dev.msentry.strace-summary");
	if (summary && strcmp(summary, "true") != 0 && strcmp(summary, "false") != 0 &&
	    strcmp(summary, "both") != 0)
		return error_set(e, EINVAL,
				 "annotation dev.msentry.strace-summary: want true, both or false");
	if (path && !path[0])
		return error_set(e, EINVAL, "annotation dev.msentry.strace: empty path");
	if (json && strcmp(json, "true") != 0 && strcmp(json, "false") != 0)
		return error_set(e, EINVAL,
				 "annotation dev.msentry.strace-json: want true or false");
	if (!path)
		path = rt->opt.strace_log; /* absolute already */
	if (path)
		in->strace_output =
		    path[0] == '/' ? xstrdup(path) : xasprintf("%s/%s", in->bundle, path);
	in->strace_json = json && strcmp(json, "true") == 0;
	/* strace -c (the table alone) and -C (lines and the table). */
	in->strace_summary = summary && strcmp(summary, "false") != 0;
	in->strace_lines = !in->strace_summary || strcmp(summary, "both") == 0;
	return 0;
}

/* The platform: the annotation `dev.msentry.platform` (ptrace or systrap)
 * wins over the global --platform, which wins over MSENTRY_PLATFORM. */
static int platform_inputs(const struct runtime *rt, struct create_inputs *in, struct error *e)
{
	const char *name = annotation(in->cfg, "dev.msentry.platform");
	const char *what = "annotation dev.msentry.platform";
	if (!name) {
		name = rt->opt.platform;
		what = "--platform";
	}
	if (!name || strcmp(name, "ptrace") == 0)
		return 0;
	if (strcmp(name, "systrap") != 0)
		return error_set(e, EINVAL, "%s: want ptrace or systrap, got `%s`", what, name);
	in->systrap = true;
	return 0;
}

/* runc mounts proc and sysfs only on a directory (or a missing path it
 * makes): a symlink there could point the mount anywhere in the rootfs,
 * so it is refused with runc's message. The last component is not
 * followed. */
static int check_mount_points(const struct oci_config *c, struct error *e)
{
	cleanup_close int root_fd = open(c->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	for (size_t i = 0; root_fd >= 0 && i < c->n_mounts; i++) {
		const struct oci_mount *m = &c->mounts[i];
		if (!m->type || (strcmp(m->type, "proc") != 0 && strcmp(m->type, "sysfs") != 0))
			continue;
		struct stat st;
		int fd = open_in_root(root_fd, m->destination, O_PATH | O_NOFOLLOW);
		if (fd < 0)
			continue; /* missing: made as a directory */
		int rc = fstat(fd, &st);
		close(fd);
		if (rc == 0 && !S_ISDIR(st.st_mode))
			return error_set(
			    e, ENOTDIR,
			    "mounts: %s: filesystem \"%s\" must be mounted on ordinary "
			    "directory",
			    m->destination, m->type);
	}
	return 0;
}

static int check_inputs(const struct runtime *rt, const struct runtime_create_options *o,
			struct create_inputs *in, struct error *e)
{
	const char *bundle = o->bundle ? o->bundle : ".";
	char real[PATH_MAX];
	if (!realpath(bundle, real))
		return error_sys(e, errno, "bundle `%s`", bundle);
	in->bundle = xstrdup(real);
	if (oci_config_load(in->bundle, &in->cfg, e) != 0)
		return -1;
	const struct oci_config *c = in->cfg;
	if (console_check(c->process.terminal, !o->foreground, o->console_socket, e) != 0)
		return -1;
	struct stat st;
	if (stat(c->rootfs, &st) != 0)
		return error_sys(e, errno, "root.path: `%s`", c->rootfs);
	if (!S_ISDIR(st.st_mode))
		return error_sys(e, ENOTDIR, "root.path: `%s`", c->rootfs);
	if (sysctl_check(c, e) != 0 || check_mount_points(c, e) != 0 ||
	    make_cwd(c->rootfs, c->process.cwd, e) != 0 ||
	    program_resolve(c->rootfs, c->process.cwd, c->process.env.v, c->process.args.v[0],
			    &in->prog, e) != 0)
		return -1;
	build_env(in);
	build_mounts(in);
	in->nsysctls = sysctl_ipc_list(c, &in->sysctls);
	warn_unapplied(rt, c);
	if (platform_inputs(rt, in, e) != 0)
		return -1;
	return strace_inputs(rt, in, e);
}

static void undo(const char *dir, pid_t pid)
{
	if (pid > 0) {
		kill(pid, SIGKILL);
		while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
			;
	}
	remove_dir(dir);
}

static int make_state_dir(const struct runtime *rt, const char *dir, struct error *e)
{
	int rc = mkdir_p(rt->opt.root, 0700);
	if (rc != 0)
		return error_sys(e, -rc, "--root: cannot create `%s`", rt->opt.root);
	if (mkdir(dir, 0711) != 0) {
		if (errno == EEXIST)
			return error_set(e, EEXIST, "container with given ID already exists");
		return error_sys(e, errno, "cannot create `%s`", dir);
	}
	return 0;
}

static int compare_keys(const void *a, const void *b)
{
	return strcmp(((const struct oci_pair *)a)->key, ((const struct oci_pair *)b)->key);
}

/* Sorted by key, as runc's state prints them (Go sorts map keys). */
static json_t *sorted_annotations(const struct oci_pairs *pairs)
{
	cleanup_free struct oci_pair *v = xcalloc(pairs->n + 1, sizeof(*v));
	memcpy(v, pairs->v, pairs->n * sizeof(*v));
	qsort(v, pairs->n, sizeof(*v), compare_keys);
	json_t *ann = json_object();
	for (size_t i = 0; i < pairs->n; i++)
		json_object_set_new(ann, v[i].key, json_string(v[i].value));
	return ann;
}

/* prestart, createRuntime, createContainer: runc's order, once the init
 * exists (hooks.c); a failure fails create, which then undoes it all. */
static int create_hooks(const struct runtime *rt, const struct create_inputs *in, const char *id,
			pid_t pid, json_t *ann, struct error *e)
{
	struct hook_state hs = {id, "creating", in->bundle, pid, ann};
	const struct oci_hook_list *h = in->cfg->hooks;
	if (h[HOOK_PRESTART].n + h[HOOK_CREATE_RUNTIME].n + h[HOOK_CREATE_CONTAINER].n > 0)
		runtime_debug(
		    rt, "create %s: hooks: %zu prestart, %zu createRuntime, %zu createContainer",
		    id, h[HOOK_PRESTART].n, h[HOOK_CREATE_RUNTIME].n, h[HOOK_CREATE_CONTAINER].n);
	if (hooks_run(in->cfg, HOOK_PRESTART, &hs, NULL, e) != 0 ||
	    hooks_run(in->cfg, HOOK_CREATE_RUNTIME, &hs, NULL, e) != 0 ||
	    hooks_run(in->cfg, HOOK_CREATE_CONTAINER, &hs, in->cfg->rootfs, e) != 0)
		return -1;
	return 0;
}

/* A create that fails once the init existed destroys the container, and
 * the runtime spec (and runc) then run the poststop hooks: warnings only. */
static void poststop_after_failure(const struct runtime *rt, const struct create_inputs *in,
				   const char *id, json_t *ann)
{
	struct hook_state hs = {id, "stopped", in->bundle, 0, ann};
	struct error e = {0};
	if (hooks_run(in->cfg, HOOK_POSTSTOP, &hs, NULL, &e) != 0)
		runtime_warn(rt, "%s", e.msg);
}

static int record(const struct runtime *rt, const char *id, const struct create_inputs *in,
		  pid_t pid, json_t *ann, const struct runtime_create_options *o, struct error *e)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char created[64];
	format_rfc3339(&now, true, created, sizeof(created));
	char state;
	unsigned long long start_time = 0;
	if (proc_pid_stat(pid, &state, &start_time) != 0)
		return error_set(e, ESRCH, "the container's init (pid %d) died at once", (int)pid);
	struct container_state st = {
	    .id = (char *)id,
	    .pid = pid,
	    .start_time = start_time,
	    .bundle = in->bundle,
	    .rootfs = in->cfg->rootfs,
	    .created = created,
	    .owner = "",
	    .annotations = ann,
	};
	if (container_save(rt, &st, e) != 0)
		return -1;
	if (o->pid_file) {
		char text[32];
		int n = snprintf(text, sizeof(text), "%d", (int)pid);
		if (write_file_atomic(o->pid_file, text, (size_t)n, 0644, e) != 0)
			return error_wrap(e, "--pid-file");
	}
	return 0;
}

/* linux.resources.pids.limit as --max-tasks: absent, msentry's default;
 * 0 or less, no limit (as the cgroup's "max"). */
static int pids_limit(const struct oci_config *c)
{
	if (!c->linux.has_pids_limit)
		return 0;
	if (c->linux.pids_limit <= 0)
		return -1;
	return c->linux.pids_limit > INT32_MAX ? INT32_MAX : (int)c->linux.pids_limit;
}

/* What the container's sentry is told: the program and its view. */
static struct sentry_config sentry_config_of(const struct runtime *rt,
					     const struct create_inputs *in)
{
	const struct oci_process *p = &in->cfg->process;
	return (struct sentry_config){
	    .root = in->cfg->rootfs,
	    .prog = in->prog,
	    .argv = p->args.v,
	    .envp = in->envp,
	    .cwd = p->cwd,
	    .vsyscall = VSYSCALL_EMULATE,
	    .quiet = !rt->opt.debug,
	    .debug = rt->opt.debug,
	    .strace = in->strace_output != NULL && in->strace_lines,
	    .strace_summary = in->strace_output != NULL && in->strace_summary,
	    .strace_output = in->strace_output,
	    .strace_json = in->strace_json,
	    .platform = in->systrap ? SENTRY_PLATFORM_SYSTRAP : SENTRY_PLATFORM_PTRACE,
	    .hostname = in->cfg->hostname,
	    .domainname = in->cfg->domainname,
	    .set_user = true,
	    .uid = p->user.uid,
	    .gid = p->user.gid,
	    .groups = p->user.additional_gids,
	    .ngroups = p->user.n_additional_gids,
	    .readonly_root = in->cfg->root_readonly,
	    .readonly_paths = in->cfg->linux.readonly_paths.v,
	    .masked_paths = in->cfg->linux.masked_paths.v,
	    .mounts = in->mounts,
	    .nmounts = in->cfg->n_mounts,
	    .devices = in->devices,
	    .ndevices = in->cfg->linux.n_devices,
	    .has_caps = p->has_capabilities,
	    .cap_bounding = p->caps_bounding,
	    .cap_effective = p->caps_effective,
	    .cap_permitted = p->caps_permitted,
	    .cap_inheritable = p->caps_inheritable,
	    .cap_ambient = p->caps_ambient,
	    .no_new_privs = p->no_new_privileges,
	    .max_tasks = pids_limit(in->cfg),
	    .sysctls = in->sysctls,
	    .nsysctls = in->nsysctls,
	};
}

int create_container(const struct runtime *rt, const char *id,
		     const struct runtime_create_options *o, pid_t *pid_out,
		     struct console_relay *relay, struct error *e)
{
	if (!container_id_valid(id))
		return error_set(e, EINVAL, "invalid container ID format");
	runtime_debug(rt, "create %s: bundle %s, console socket %s", id,
		      o->bundle ? o->bundle : ".", o->console_socket ? o->console_socket : "none");
	struct create_inputs in = {0};
	if (check_inputs(rt, o, &in, e) != 0) {
		create_inputs_release(&in);
		return -1;
	}
	cleanup_free char *dir = container_dir(rt, id);
	if (make_state_dir(rt, dir, e) != 0) {
		create_inputs_release(&in);
		return -1;
	}
	cleanup_free char *fifo = xasprintf("%s/%s", dir, EXEC_FIFO);
	pid_t pid = -1;
	int rc = -1;
	json_t *ann = NULL;
	int slave = -1; /* foreground with a terminal: the relay's pty */
	if (mkfifo(fifo, 0622) != 0) {
		error_sys(e, errno, "cannot create `%s`", fifo);
		goto out;
	}
	const struct oci_process *p = &in.cfg->process;
	if (p->terminal && o->foreground && relay && console_relay_open(relay, &slave, e) != 0)
		goto out;
	if (slave >= 0)
		console_own(slave, p->user.uid);
	ann = sorted_annotations(&in.cfg->annotations);
	struct init_plan plan = {
	    .rt = rt,
	    .fifo_path = fifo,
	    .preserve_fds = o->preserve_fds,
	    .rlimits = p->rlimits,
	    .n_rlimits = p->n_rlimits,
	    .umask = p->user.has_umask ? p->user.umask : 022,
	    .sentry = sentry_config_of(rt, &in),
	    .console_socket = p->terminal ? o->console_socket : NULL,
	    .cfg = in.cfg,
	    .hook_state = {id, "created", in.bundle, 0, ann},
	    .terminal_slave = slave,
	    .control_dir = dir,
	};
	pid = init_spawn(&plan, e);
	if (pid < 0 || create_hooks(rt, &in, id, pid, ann, e) != 0 ||
	    record(rt, id, &in, pid, ann, o, e) != 0)
		goto out;
	runtime_debug(rt, "create %s: init pid %d, program %s", id, (int)pid, in.prog);
	*pid_out = pid;
	rc = 0;
out:
	if (slave >= 0)
		close(slave);
	if (rc != 0 && relay)
		console_relay_close(relay);
	if (rc != 0)
		undo(dir, pid);
	if (rc != 0 && pid > 0)
		poststop_after_failure(rt, &in, id, ann);
	json_decref(ann);
	create_inputs_release(&in);
	return rc;
}

int runtime_create(const struct runtime *rt, const char *id, const struct runtime_create_options *o,
		   struct error *e)
{
	pid_t pid;
	return create_container(rt, id, o, &pid, NULL, e);
}
