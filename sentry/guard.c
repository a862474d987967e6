/* The sentry's own confinement: defence in depth, as runsc does it.
 *
 * The sandbox's walls are the sentry's code: the program makes no host
 * syscall of its own, and the sentry serves every one of its calls. If a
 * program found a bug in the sentry that let it steer the sentry's own
 * host calls, these layers limit what the sentry can still do:
 *
 *  1. Namespaces (guard_namespaces, first thing in sentry_run): fresh
 *     mount, IPC and UTS namespaces, the mounts made private so nothing
 *     the sentry could mount would reach the host. Needs CAP_SYS_ADMIN
 *     (root); without it the sentry runs in the caller's namespaces and
 *     --debug says so. The mount namespace, a copy of the caller's, is
 *     cut down once start-up is over to the sandbox root, what it serves
 *     and /proc (guard_pivot, guard-pivot.c; not for a root of "/").
 *  2. Capabilities (guard_drop_caps, once the stub factory exists and
 *     before any thread): only those its host calls need stay permitted
 *     (file access as the program's ids, its stubs, the program's own
 *     sockets and limits; keep_caps below says why each); the rest leave
 *     the bounding, permitted, effective, inheritable and ambient sets.
 *     The stub factory, made before, keeps its sets: stubs make only the
 *     calls the sentry injects (their own filter). The program's view of
 *     its capabilities comes from the sets read before the drop.
 *  3. no_new_privs and a seccomp filter (guard_seccomp, once start-up is
 *     over: stubs exist, the vDSO is calibrating, the first program is
 *     loaded): the allow-list of sentry/syscalls/host-allow.def on every
 *     thread (TSYNC); anything else kills the sentry with SIGSYS, and its
 *     death kills every stub (PTRACE_O_EXITKILL, the factory's
 *     PDEATHSIG). With --debug or MSENTRY_SELF_SECCOMP=log a call not on
 *     the list is named on stderr (or in MSENTRY_SELF_SECCOMP_LOG) and
 *     fails with ENOSYS instead, so a missing entry is found in one run.
 *     --no-self-seccomp or MSENTRY_SELF_SECCOMP=off: no filter.
 *
 * The host may refuse each layer (no privilege for namespaces, a kernel
 * without seccomp); the sentry then runs without it and --debug names
 * what was refused, one line each. Only a filter that was asked for and
 * cannot be built is an error.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>

#include "sentry/guard.h"
#include "sentry/syscalls/syscalls.h"

/* Capabilities the sentry's host calls use; every other one is dropped. */
static const int keep_caps[] = {
    CAP_CHOWN,		  /* chown as a root program (fsuid 0) */
    CAP_DAC_OVERRIDE,	  /* file access as a root program */
    CAP_DAC_READ_SEARCH,  /* file access as a root program */
    CAP_FOWNER,		  /* chmod, utimes of others' files by root */
    CAP_FSETID,		  /* setgid bits kept by root's writes */
    CAP_KILL,		  /* signals to its stubs, whatever their ids */
    CAP_SETGID,		  /* setfsgid, setgroups: file access as the program */
    CAP_SETUID,		  /* setfsuid: file access as the program */
    CAP_NET_BIND_SERVICE, /* the program's sockets on ports < 1024 */
    CAP_NET_RAW,	  /* the program's ICMP datagram sockets */
    CAP_IPC_LOCK,	  /* the program's mlock beyond its limit */
    CAP_SYS_PTRACE,	  /* its stubs (/proc/PID/mem, process_vm_*) */
    CAP_SYS_NICE,	  /* the program's nice values (task_capable) */
    CAP_SYS_RESOURCE,	  /* the program's limits, pipe sizes, queues */
    CAP_SYS_ADMIN,	  /* SCM_CREDENTIALS naming a stub's pid (sys_sockmsg.c) */
    CAP_MKNOD,		  /* the synthesized /dev; the program's mknod */
    CAP_LEASE,		  /* the program's leases */
    CAP_SETFCAP,	  /* the program's security.capability xattrs */
    CAP_LINUX_IMMUTABLE,  /* the program's immutable/append-only flags (its own cap checked first) */
};

static void open_trap_log(const struct sentry_config *cfg);

void guard_namespaces(const struct sentry_config *cfg, bool *own_ns)
{
	/* Its path may be outside the root the namespace is cut down to. */
	open_trap_log(cfg);
	const int flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS;
	*own_ns = false;
	if (unshare(flags) != 0) {
		if (cfg->debug)
			fprintf(stderr,
				"msentry: guard: host refused new namespaces (%s): "
				"the sentry runs in the caller's\n",
				strerror(errno));
		return;
	}
	/* Nothing mounted here propagates back, nor does the host's reach
	 * the sentry's copy. */
	bool private = mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0;
	*own_ns = true;
	if (cfg->debug)
		fprintf(stderr, "msentry: guard: new mount, ipc, uts namespaces%s\n",
			private ? " (mounts private)" : " (mounts not made private)");
}

static uint64_t keep_mask(void)
{
	uint64_t m = 0;
	for (size_t i = 0; i < ARRAY_SIZE(keep_caps); i++)
		m |= 1ULL << keep_caps[i];
	return m;
}

void guard_drop_caps(struct sentry *s)
{
	struct caps now;
	caps_read_host(&now);
	uint64_t keep = keep_mask();
	/* Bounding first: dropping from it needs CAP_SETPCAP, dropped next. */
	for (int i = 0; i <= CAP_LAST_CAP; i++)
		if (!(keep & (1ULL << i)) && (now.bnd & (1ULL << i)))
			prctl(PR_CAPBSET_DROP, i, 0, 0, 0);
	prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
	struct __user_cap_header_struct hdr = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2] = {{0}};
	uint64_t prm = now.prm & keep, eff = now.eff & keep;
	d[0].permitted = (uint32_t)prm, d[1].permitted = (uint32_t)(prm >> 32);
	d[0].effective = (uint32_t)eff, d[1].effective = (uint32_t)(eff >> 32);
	int rc = (int)syscall(SYS_capset, &hdr, d);
	caps_read_host(&now);
	s->host_caps = now.eff;
	if (s->cfg->debug)
		fprintf(stderr, "msentry: guard: capabilities %s: effective %#llx\n",
			rc == 0 ? "dropped" : "not dropped (capset refused)",
			(unsigned long long)now.eff);
}

/* The trap mode's SIGSYS handler: name the call, fail it with ENOSYS.
 * Async-signal-safe: the name comes from the static syscall table, the
 * line is built by hand and written with one write. Its fd is set once,
 * before the handler is installed, and never changes after (a handler
 * cannot reach struct sentry). */
static int trap_log_fd = 2;

static void append(char *buf, size_t *n, size_t cap, const char *str)
{
	while (*str && *n < cap)
		buf[(*n)++] = *str++;
}

static void append_hex(char *buf, size_t *n, size_t cap, uint64_t v)
{
	char digits[17];
	int k = 0;
	do
		digits[k++] = "0123456789abcdef"[v & 15];
	while ((v >>= 4) > 0);
	append(buf, n, cap, " 0x");
	while (k > 0 && *n < cap)
		buf[(*n)++] = digits[--k];
}

static void on_sigsys(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	ucontext_t *uc = ctx;
	char buf[256];
	size_t n = 0;
	const struct syscall_desc *d = syscall_lookup((uint64_t)si->si_syscall);
	append(buf, &n, sizeof(buf), "msentry: self-seccomp: host syscall ");
	append(buf, &n, sizeof(buf), d ? d->name : "?");
	append(buf, &n, sizeof(buf), " (args");
	append_hex(buf, &n, sizeof(buf), (uint64_t)uc->uc_mcontext.gregs[REG_RDI]);
	append_hex(buf, &n, sizeof(buf), (uint64_t)uc->uc_mcontext.gregs[REG_RSI]);
	append_hex(buf, &n, sizeof(buf), (uint64_t)uc->uc_mcontext.gregs[REG_RDX]);
	append(buf, &n, sizeof(buf), ") is not on sentry/syscalls/host-allow.def: ENOSYS\n");
	(void)!write(trap_log_fd, buf, n);
	uc->uc_mcontext.gregs[REG_RAX] = -ENOSYS;
}

enum self_seccomp { SELF_SECCOMP_OFF, SELF_SECCOMP_KILL, SELF_SECCOMP_TRAP };

/* --no-self-seccomp, MSENTRY_SELF_SECCOMP=off|log|kill, --debug. */
static enum self_seccomp self_seccomp_mode(const struct sentry_config *cfg)
{
	const char *env = getenv("MSENTRY_SELF_SECCOMP");
	if (cfg->no_self_seccomp || (env && strcmp(env, "off") == 0))
		return SELF_SECCOMP_OFF;
	if (env && strcmp(env, "kill") == 0)
		return SELF_SECCOMP_KILL;
	if ((env && strcmp(env, "log") == 0) || cfg->debug)
		return SELF_SECCOMP_TRAP;
	return SELF_SECCOMP_KILL;
}

/* Opened first thing, while every host path is reachable (guard-pivot.c
 * cuts them away before the filter is loaded). */
static void open_trap_log(const struct sentry_config *cfg)
{
	const char *log = getenv("MSENTRY_SELF_SECCOMP_LOG");
	if (log && self_seccomp_mode(cfg) == SELF_SECCOMP_TRAP) {
		int fd = open(log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
		if (fd >= 0)
			trap_log_fd = fd;
	}
}

static void setup_trap(void)
{
	struct sigaction sa = {.sa_sigaction = on_sigsys, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSYS, &sa, NULL);
}

int guard_seccomp(struct sentry *s, struct error *e)
{
	const char *trip = getenv("MSENTRY_TEST_FORBIDDEN_SYSCALL");
	s->test_trip_execs = trip ? atoi(trip) : 0;
	/* The sentry never execs; no_new_privs also lets it load a filter
	 * without CAP_SYS_ADMIN. */
	bool nnp = prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0;
	enum self_seccomp mode = self_seccomp_mode(s->cfg);
	if (mode == SELF_SECCOMP_OFF) {
		if (s->cfg->debug)
			fprintf(stderr, "msentry: guard: no seccomp filter (turned off)%s\n",
				nnp ? ", no_new_privs" : "");
		return 0;
	}
	void *filter = host_filter_build(mode == SELF_SECCOMP_TRAP);
	if (!filter)
		return error_sys(e, ENOMEM, "cannot build the sentry's seccomp filter");
	if (mode == SELF_SECCOMP_TRAP)
		setup_trap();
	int rc = host_filter_load(filter);
	host_filter_release(filter);
	if (rc != 0 && rc != -EINVAL && rc != -ENOSYS)
		return error_sys(e, -rc, "cannot load the sentry's seccomp filter");
	/* A kernel without seccomp filters (EINVAL, ENOSYS): run without. */
	if (s->cfg->debug)
		fprintf(stderr, "msentry: guard: %s%s\n",
			rc != 0 ? "host refused the seccomp filter: none applied"
			: mode == SELF_SECCOMP_TRAP ? "seccomp filter of host-allow.def, trap mode"
						    : "seccomp filter of host-allow.def, kill mode",
			nnp ? ", no_new_privs" : "");
	return 0;
}
