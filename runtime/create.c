/* `create`: from a bundle to an init process waiting on exec.fifo.
 *
 * Everything that can be checked is checked before anything is made:
 * the id, config.json, the rootfs, the program (looked up in the
 * container's PATH inside the rootfs, so `create` fails as runc's does
 * for a missing executable). Then, in order: the state directory
 * <root>/<id> (mkdir fails if the id is taken), exec.fifo, the init
 * (init.c), state.json (atomic), the pid file (atomic, no newline). If any
 * step fails, the steps before it are undone: the init is killed and
 * reaped, the directory removed. A failed create leaves nothing behind.
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

#include "config-internal.h"
#include "create-internal.h"
#include "init-internal.h"
#include "program-internal.h"
#include "runtime-internal.h"
#include "state-internal.h"

/* Checked and resolved inputs of a create; released by create_inputs_release. */
struct create_inputs {
	char *bundle; /* absolute */
	struct oci_config *cfg;
	char *prog;	   /* the program's path inside the rootfs */
	const char **envp; /* process.env, plus HOME as runc adds it */
	char *home_entry;  /* "HOME=..." if added */
};

static void create_inputs_release(struct create_inputs *in)
{
	free(in->bundle);
	oci_config_free(in->cfg);
	free(in->prog);
	free(in->envp);
	free(in->home_entry);
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

/* The process's credentials are msentry's own: refuse a config that asks
 * for others rather than run the program as a user it did not ask for. */
static int check_user(const struct oci_process *p, struct error *e)
{
	if (p->user.uid != 0 && p->user.uid != getuid())
		return error_set(e, ENOTSUP,
				 "process.user.uid: %u: running as another user is not supported "
				 "yet (msentry runs the program with its own uid %u)",
				 p->user.uid, (unsigned)getuid());
	if (p->user.gid != 0 && p->user.gid != getgid())
		return error_set(e, ENOTSUP,
				 "process.user.gid: %u: running as another group is not supported "
				 "yet (msentry runs the program with its own gid %u)",
				 p->user.gid, (unsigned)getgid());
	return 0;
}

/* What the config asks for and the sandbox does not do yet: one line in
 * the log, so that nobody takes it as enforced. */
static void warn_unapplied(const struct runtime *rt, const struct oci_config *c)
{
	struct strbuf b = {0};
	const struct {
		bool present;
		const char *what;
	} items[] = {
	    {c->root_readonly, "root.readonly"},
	    {c->hostname != NULL, "hostname"},
	    {c->domainname != NULL, "domainname"},
	    {c->n_mounts > 0, "mounts"},
	    {c->linux.n_namespaces > 0, "linux.namespaces"},
	    {c->linux.masked_paths.n > 0, "linux.maskedPaths"},
	    {c->linux.readonly_paths.n > 0, "linux.readonlyPaths"},
	    {c->linux.sysctl.n > 0, "linux.sysctl"},
	    {c->linux.n_devices > 0, "linux.devices"},
	    {c->process.cap_bounding.n > 0, "process.capabilities"},
	    {c->process.no_new_privileges, "process.noNewPrivileges"},
	    {c->process.user.n_additional_gids > 0, "process.user.additionalGids"},
	};
	for (size_t i = 0; i < ARRAY_SIZE(items); i++)
		if (items[i].present)
			strbuf_printf(&b, "%s%s", b.len ? ", " : "", items[i].what);
	for (int k = 0; k < HOOK_KINDS; k++)
		if (c->hooks[k].n > 0)
			strbuf_printf(&b, "%shooks.%s", b.len ? ", " : "", oci_hook_kind_name(k));
	if (b.len)
		runtime_warn(rt, "config.json: not applied by this version of msentry: %s", b.data);
	strbuf_release(&b);
}

static void build_env(struct create_inputs *in)
{
	const struct oci_process *p = &in->cfg->process;
	in->envp = xcalloc(p->env.n + 2, sizeof(char *));
	memcpy(in->envp, p->env.v, p->env.n * sizeof(char *));
	if (!env_lookup(p->env.v, "HOME")) {
		cleanup_free char *home = home_for(in->cfg->rootfs, p->user.uid);
		in->home_entry = xasprintf("HOME=%s", home);
		in->envp[p->env.n] = in->home_entry;
	}
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
	if (c->process.terminal)
		return error_set(e, ENOTSUP,
				 "process.terminal: a terminal (--console-socket) is not supported "
				 "yet: set \"terminal\": false");
	struct stat st;
	if (stat(c->rootfs, &st) != 0)
		return error_sys(e, errno, "root.path: `%s`", c->rootfs);
	if (!S_ISDIR(st.st_mode))
		return error_sys(e, ENOTDIR, "root.path: `%s`", c->rootfs);
	if (check_user(&c->process, e) != 0 || make_cwd(c->rootfs, c->process.cwd, e) != 0 ||
	    program_resolve(c->rootfs, c->process.cwd, c->process.env.v, c->process.args.v[0],
			    &in->prog, e) != 0)
		return -1;
	build_env(in);
	warn_unapplied(rt, c);
	return 0;
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

static int record(const struct runtime *rt, const char *id, const struct create_inputs *in,
		  pid_t pid, const struct runtime_create_options *o, struct error *e)
{
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	char created[64];
	format_rfc3339(&now, true, created, sizeof(created));
	char state;
	unsigned long long start_time = 0;
	if (proc_pid_stat(pid, &state, &start_time) != 0)
		return error_set(e, ESRCH, "the container's init (pid %d) died at once", (int)pid);
	json_t *ann = sorted_annotations(&in->cfg->annotations);
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
	int rc = container_save(rt, &st, e);
	json_decref(ann);
	if (rc != 0)
		return -1;
	if (o->pid_file) {
		char text[32];
		int n = snprintf(text, sizeof(text), "%d", (int)pid);
		if (write_file_atomic(o->pid_file, text, (size_t)n, 0644, e) != 0)
			return error_wrap(e, "--pid-file");
	}
	return 0;
}

int create_container(const struct runtime *rt, const char *id,
		     const struct runtime_create_options *o, pid_t *pid_out, struct error *e)
{
	if (!container_id_valid(id))
		return error_set(e, EINVAL, "invalid container ID format");
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
	if (mkfifo(fifo, 0622) != 0) {
		error_sys(e, errno, "cannot create `%s`", fifo);
		goto out;
	}
	const struct oci_process *p = &in.cfg->process;
	struct init_plan plan = {
	    .rt = rt,
	    .fifo_path = fifo,
	    .preserve_fds = o->preserve_fds,
	    .rlimits = p->rlimits,
	    .n_rlimits = p->n_rlimits,
	    .umask = p->user.has_umask ? p->user.umask : 022,
	    .sentry =
		{
		    .root = in.cfg->rootfs,
		    .prog = in.prog,
		    .argv = p->args.v,
		    .envp = in.envp,
		    .cwd = p->cwd,
		    .vsyscall = VSYSCALL_EMULATE,
		    .quiet = !rt->opt.debug,
		},
	    .control_dir = dir,
	};
	pid = init_spawn(&plan, e);
	if (pid < 0 || record(rt, id, &in, pid, o, e) != 0)
		goto out;
	runtime_debug(rt, "create %s: init pid %d, program %s", id, (int)pid, in.prog);
	*pid_out = pid;
	rc = 0;
out:
	if (rc != 0)
		undo(dir, pid);
	create_inputs_release(&in);
	return rc;
}

int runtime_create(const struct runtime *rt, const char *id, const struct runtime_create_options *o,
		   struct error *e)
{
	pid_t pid;
	return create_container(rt, id, o, &pid, e);
}
