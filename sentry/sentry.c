/* sentry_run: builds the sentry from its parts and runs the program.
 *
 * This is the only place that sees every layer at once: it creates the
 * platform, the vDSO clock and the tracer, and hands the kernel the hooks
 * through which it reaches the layers above it (the syscall table, the
 * vsyscall emulation, procfs, the tracer), so that no folder below includes
 * a header of a folder above it (docs/design.md, "Map of sentry/").
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <linux/capability.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/random.h>
#include <sys/utsname.h>
#include <stdio.h>
#include <sys/resource.h>
#include <cpuid.h>

#include "sentry/guard.h"
#include "sentry/sysctl.h"
#include "sentry/control/control.h"
#include "sentry/fs/fs.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/keys.h"
#include "sentry/strace/strace.h"
#include "sentry/syscalls/syscalls.h"
#include "sentry/clock/clock.h"
#include "sentry/vsyscall/vsyscall.h"

#define SCRATCH_SIZE (1UL << 20)

/* The synthesized files: the sandbox's ptys below a devpts mount, then
 * /proc (sentry/fs). */
static bool synthetic_open(struct task *t, const char *abs, int flags, struct file **out, int *err)
{
	return devpts_open(t, abs, flags, out, err) || procfs_open(t, abs, flags, out, err);
}

static const struct kernel_hooks hooks = {
    .dispatch = syscall_dispatch,
    .vsyscall_seccomp_stop = vsyscall_seccomp_stop,
    .vsyscall_fault_stop = vsyscall_fault_stop,
    .vsyscall_patch_pending = vsyscall_patch_pending,
    .synthetic_open = synthetic_open,
    .synthetic_link = procfs_walk_link,
    .service_fds = control_fds,
    .service_ready = control_ready,
    .detached_exit = control_detached_exit,
};

static size_t xstate_size(void)
{
	unsigned eax, ebx, ecx, edx;
	if (!__get_cpuid_count(0xd, 0, &eax, &ebx, &ecx, &edx) || ebx < 512)
		return 4096;
	return ebx;
}

static uint64_t host_effective_caps(void)
{
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct data[2] = {{0}};
	if (syscall(SYS_capget, &hdr, data) != 0)
		return 0;
	return (uint64_t)data[1].effective << 32 | data[0].effective;
}

static int open_root(struct sentry *s, const char *root, struct error *e)
{
	s->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (s->root_fd < 0)
		return error_sys(e, errno, "cannot open sandbox root `%s`", root);
	char real[PATH_MAX];
	if (!realpath(root, real))
		return error_sys(e, errno, "cannot resolve sandbox root `%s`", root);
	s->root_host = xstrdup(strcmp(real, "/") == 0 ? "" : real);
	return 0;
}

static void sentry_release(struct sentry *s)
{
	s->finished = true;
	while (s->tasks)
		task_exit_group(s->tasks, SIGKILL);
	control_release(s);
	free(s->parked);
	free(s->pollset);
	deadline_release(&s->deadlines);
	idmap_release(&s->by_tid);
	idmap_release(&s->by_host_tid);
	idmap_release(&s->by_pid);
	shm_release_all(s);
	sem_release_all(s);
	msg_release_all(s);
	mq_release_all(s);
	keys_release_all(s);
	strace_finish(s);
	if (s->sigchld_fd >= 0)
		close(s->sigchld_fd);
	creds_teardown(s);
	mount_table_release(s);
	platform_destroy(s->platform);
	vdso_destroy(s->vdso_state);
	if (s->root_fd >= 0)
		close(s->root_fd);
	tty_release_all(s);
	free(s->root_host);
	free(s->scratch);
}

/* After platform_create: the sentry is pinned, so sched_getcpu() is the CPU
 * the program runs on. MSENTRY_VDSO_TSC=0 forces the syscall fallback (tests). */
static int start_vdso(struct sentry *s, struct error *e)
{
	const char *tsc = getenv("MSENTRY_VDSO_TSC");
	int cpu = sched_getcpu();
	if (vdso_create(&s->vdso_state, cpu < 0 ? 0 : (unsigned)cpu, &s->cpus,
			!tsc || strcmp(tsc, "0") != 0, e) != 0)
		return -1;
	s->vdso = &s->vdso_state->map;
	static const char *const targets[3] = {"__vdso_gettimeofday", "__vdso_time",
					       "__vdso_getcpu"};
	for (int i = 0; i < 3 && !s->cfg->vsyscall_no_patch; i++)
		if (vdso_symbol_offset(targets[i], &s->vsyscall_targets[i]) != 0)
			s->vsyscall_targets[i] = 0;
	return 0;
}

static int sentry_init(struct sentry *s, const struct sentry_config *cfg, struct error *e)
{
	*s = (struct sentry){
	    .cfg = cfg, .hooks = &hooks, .root_fd = -1, .next_pid = 1, .sigchld_fd = -1};
	s->xstate_size = xstate_size();
	sentry_setup_host_signals(s);
	s->scratch_size = SCRATCH_SIZE;
	s->scratch = xmalloc(SCRATCH_SIZE);
	s->hwcap = getauxval(AT_HWCAP);
	s->host_caps = host_effective_caps();
	caps_read_host(&s->host_caps_start);
	/* Should the host refuse, the key stays fixed: kcmp still orders
	 * consistently, only less obscurely. */
	if (getrandom(s->kcmp_key, sizeof(s->kcmp_key), 0) != sizeof(s->kcmp_key))
		s->kcmp_key[0] = s->kcmp_key[1] = 0x9e3779b97f4a7c15ULL;
	creds_setup(s);
	struct utsname u;
	if (uname(&u) != 0)
		memset(&u, 0, sizeof(u));
	snprintf(s->nodename, sizeof(s->nodename), "%s",
		 cfg->hostname ? cfg->hostname : u.nodename);
	snprintf(s->domainname, sizeof(s->domainname), "%s",
		 cfg->domainname ? cfg->domainname : u.domainname);
	if (sysctl_configure(s, cfg, e) != 0)
		return -1;
	s->hwcap2 = getauxval(AT_HWCAP2);
	s->minsigstksz = getauxval(AT_MINSIGSTKSZ);
	if (sched_getaffinity(0, sizeof(s->cpus), &s->cpus) != 0)
		CPU_SET(0, &s->cpus);
	/* The mounts (their private directory, when a configured mount
	 * needs one, is made here: mount-private.c; it needs no fork). */
	if (open_root(s, cfg->root, e) != 0 || mount_table_build(s, e) != 0 ||
	    strace_start(s, e) != 0)
		return -1;
	bool systrap = cfg->platform == SENTRY_PLATFORM_SYSTRAP;
	if (platform_create(&s->platform, systrap ? PLATFORM_SYSTRAP : PLATFORM_PTRACE, e) != 0)
		return -1;
	if (cfg->debug)
		fprintf(stderr, "msentry: platform: %s\n",
			systrap ? "systrap (syscalls trapped in the stub, chosen)"
				: "ptrace (PTRACE_SYSEMU, the default)");
	/* After the stub factory (it keeps its sets), before the vDSO
	 * clock's thread and any offload thread (they get the reduced ones). */
	guard_drop_caps(s);
	if (cfg->has_control)
		control_start(s, cfg->control_fd);
	return start_vdso(s, e);
}

/* Every program fd of every sandbox process is a host fd of the sentry,
 * so the sentry's own RLIMIT_NOFILE would be shared by the whole sandbox
 * (a second process hit EMFILE after 24 fds once the first had filled its
 * table). The program's limits are its own (struct process rlim); the
 * sentry takes as many host fds as it may: its hard limit, raised to the
 * kernel's nr_open where it can (CAP_SYS_RESOURCE). */
static void raise_fd_limit_to_max(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	unsigned long nr_open = 0;
	FILE *f = fopen("/proc/sys/fs/nr_open", "re");
	if (f) {
		if (fscanf(f, "%lu", &nr_open) != 1)
			nr_open = 0;
		fclose(f);
	}
	if (nr_open > rl.rlim_max) {
		struct rlimit up = {nr_open, nr_open};
		if (setrlimit(RLIMIT_NOFILE, &up) == 0)
			return;
	}
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

/* The fds msentry keeps for itself out of its limit: those open now and
 * a margin for each process's own (stubs' memory, pidfds). */
#define SENTRY_FD_RESERVE 64

/* Raise msentry's limit, then keep what the program is told it may open
 * within what msentry can give it: where the host holds msentry below
 * the program's inherited limit (a hard limit root cannot raise), the
 * sandbox's RLIMIT_NOFILE is that much lower, as under a kernel with a
 * lower nr_open, instead of EMFILE coming before the limit. */
static void raise_fd_limit(struct process *init)
{
	raise_fd_limit_to_max();
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	DIR *d = opendir("/proc/self/fd");
	rlim_t used = 0;
	for (; d && readdir(d); used++)
		;
	if (d)
		closedir(d);
	rlim_t keep = used + SENTRY_FD_RESERVE;
	rlim_t cap = rl.rlim_cur > keep + 3 ? rl.rlim_cur - keep : 3;
	struct rlimit *own = &init->rlim[RLIMIT_NOFILE];
	if (own->rlim_cur > cap)
		own->rlim_cur = cap;
	if (own->rlim_max > cap)
		own->rlim_max = cap;
}

int sentry_run(const struct sentry_config *cfg, struct error *e)
{
	struct sentry s;
	/* The program's umask is applied by the sentry itself. */
	mode_t um = umask(0);
	bool own_ns;
	guard_namespaces(cfg, &own_ns); /* while msentry has one thread */
	if (sentry_init(&s, cfg, e) != 0) {
		sentry_release(&s);
		return -1;
	}
	/* Everything start-up takes from the host by path is held now. */
	guard_pivot(&s, own_ns);
	struct task *init = task_create_init(&s, cfg->cwd, um);
	raise_fd_limit(init->proc); /* after init took msentry's limits as the program's */
	/* The program is loaded with its own access rights, as execve checks them. */
	creds_enter(init);
	tty_init(&s);
	int rc = task_exec(init, AT_FDCWD, cfg->prog, cfg->argv, cfg->envp, e);
	if (rc != 0) {
		e->status = loader_exit_status(rc);
		sentry_release(&s);
		return -1;
	}
	/* Start-up is over: from here the sentry's own filter holds. */
	if (mount_prepare(&s, init->proc, e) != 0 || guard_seccomp(&s, e) != 0) {
		sentry_release(&s);
		return -1;
	}
	platform_resume(init->th, false, 0);
	sentry_loop(&s);
	int status = s.finished ? s.exit_status : 128 + SIGKILL;
	sentry_release(&s);
	return status;
}
