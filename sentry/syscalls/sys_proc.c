/* Identity, limits and per-task settings. */
#include <asm/prctl.h>
#include <errno.h>
#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/sysinfo.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"
#include "sentry/syscalls/syscalls-internal.h"
#include "sentry/syscalls/syscalls.h"

SYSCALL_HANDLER(getpid)
{
	(void)a;
	return t->proc->pid;
}

SYSCALL_HANDLER(gettid)
{
	(void)a;
	return t->tid;
}

SYSCALL_HANDLER(getppid)
{
	(void)a;
	return t->proc->parent ? t->proc->parent->pid : 0;
}

SYSCALL_HANDLER(getuid)
{
	(void)a;
	return t->proc->ruid;
}

SYSCALL_HANDLER(geteuid)
{
	(void)a;
	return t->proc->euid;
}

SYSCALL_HANDLER(getgid)
{
	(void)a;
	return t->proc->rgid;
}

SYSCALL_HANDLER(getegid)
{
	(void)a;
	return t->proc->egid;
}

static long write_ids(struct task *t, const uint64_t *a, const uint32_t ids[3])
{
	for (int i = 0; i < 3; i++)
		if (task_write(t, a[i], &ids[i], sizeof(uint32_t)) != 0)
			return -EFAULT;
	return 0;
}

SYSCALL_HANDLER(getresuid)
{
	const uint32_t ids[3] = {t->proc->ruid, t->proc->euid, t->proc->suid};
	return write_ids(t, a, ids);
}

SYSCALL_HANDLER(getresgid)
{
	const uint32_t ids[3] = {t->proc->rgid, t->proc->egid, t->proc->sgid};
	return write_ids(t, a, ids);
}

/* setres[ug]id rules: a privileged caller (effective uid 0) may set any
 * value; others only values among their current real/effective/saved
 * ids. -1 leaves a value unchanged. */
static long set_ids(bool privileged, uint32_t *r, uint32_t *e, uint32_t *sv, uint64_t nr,
		    uint64_t ne, uint64_t ns)
{
	const uint64_t want[3] = {nr, ne, ns};
	for (int i = 0; i < 3; i++) {
		uint32_t v = (uint32_t)want[i];
		if (v == (uint32_t)-1 || privileged)
			continue;
		if (v != *r && v != *e && v != *sv)
			return -EPERM;
	}
	if ((uint32_t)nr != (uint32_t)-1)
		*r = (uint32_t)nr;
	if ((uint32_t)ne != (uint32_t)-1)
		*e = (uint32_t)ne;
	if ((uint32_t)ns != (uint32_t)-1)
		*sv = (uint32_t)ns;
	return 0;
}

/* After a successful uid change, Linux's capability fixup (caps.c); the
 * file-system uid follows the effective one. */
static long uid_changed(struct process *p, uid_t or, uid_t oe, uid_t os, long rc)
{
	if (rc == 0) {
		caps_uid_changed(p, or, oe, os);
		p->fsuid = p->euid;
	}
	return rc;
}

/* The same for gids: the file-system gid follows the effective one. */
static long gid_changed(struct process *p, long rc)
{
	if (rc == 0)
		p->fsgid = p->egid;
	return rc;
}

SYSCALL_HANDLER(setresuid)
{
	struct process *p = t->proc;
	uid_t or = p->ruid, oe = p->euid, os = p->suid;
	return uid_changed(
	    p, or, oe, os,
	    set_ids(caps_has(p, CAP_SETUID), &p->ruid, &p->euid, &p->suid, a[0], a[1], a[2]));
}

SYSCALL_HANDLER(setresgid)
{
	struct process *p = t->proc;
	return gid_changed(
	    p, set_ids(caps_has(p, CAP_SETGID), &p->rgid, &p->egid, &p->sgid, a[0], a[1], a[2]));
}

SYSCALL_HANDLER(setreuid)
{
	struct process *p = t->proc;
	/* Linux: a changed real id, or an effective id other than the old
	 * real one, also sets the saved id to the new effective id. */
	uint64_t saved = (uint32_t)a[0] != (uint32_t)-1 ||
				 ((uint32_t)a[1] != (uint32_t)-1 && (uint32_t)a[1] != p->ruid)
			     ? ((uint32_t)a[1] != (uint32_t)-1 ? a[1] : p->euid)
			     : (uint64_t)-1;
	uid_t or = p->ruid, oe = p->euid, os = p->suid;
	return uid_changed(
	    p, or, oe, os,
	    set_ids(caps_has(p, CAP_SETUID), &p->ruid, &p->euid, &p->suid, a[0], a[1], saved));
}

SYSCALL_HANDLER(setregid)
{
	struct process *p = t->proc;
	uint64_t saved = (uint32_t)a[0] != (uint32_t)-1 ||
				 ((uint32_t)a[1] != (uint32_t)-1 && (uint32_t)a[1] != p->rgid)
			     ? ((uint32_t)a[1] != (uint32_t)-1 ? a[1] : p->egid)
			     : (uint64_t)-1;
	return gid_changed(
	    p, set_ids(caps_has(p, CAP_SETGID), &p->rgid, &p->egid, &p->sgid, a[0], a[1], saved));
}

SYSCALL_HANDLER(setuid)
{
	struct process *p = t->proc;
	if ((uint32_t)a[0] == (uint32_t)-1)
		return -EINVAL;
	uid_t or = p->ruid, oe = p->euid, os = p->suid;
	if (caps_has(p, CAP_SETUID))
		return uid_changed(p, or, oe, os,
				   set_ids(true, &p->ruid, &p->euid, &p->suid, a[0], a[0], a[0]));
	return uid_changed(
	    p, or, oe, os,
	    set_ids(false, &p->ruid, &p->euid, &p->suid, (uint64_t)-1, a[0], (uint64_t)-1));
}

SYSCALL_HANDLER(setgid)
{
	struct process *p = t->proc;
	if ((uint32_t)a[0] == (uint32_t)-1)
		return -EINVAL;
	if (caps_has(p, CAP_SETGID))
		return gid_changed(p,
				   set_ids(true, &p->rgid, &p->egid, &p->sgid, a[0], a[0], a[0]));
	return gid_changed(
	    p, set_ids(false, &p->rgid, &p->egid, &p->sgid, (uint64_t)-1, a[0], (uint64_t)-1));
}

static int compare_gids(const void *x, const void *y)
{
	gid_t a = *(const gid_t *)x, b = *(const gid_t *)y;
	return a < b ? -1 : a > b;
}

SYSCALL_HANDLER(setgroups)
{
	if (!caps_has(t->proc, CAP_SETGID))
		return -EPERM;
	if ((uint32_t)a[0] > 65536) /* NGROUPS_MAX */
		return -EINVAL;
	size_t n = (uint32_t)a[0];
	cleanup_free gid_t *groups = xcalloc(n + 1, sizeof(gid_t));
	if (n > 0 && task_read(t, a[1], groups, n * sizeof(gid_t)) != 0)
		return -EFAULT;
	/* Linux keeps the list sorted (getgroups returns it so). */
	qsort(groups, n, sizeof(gid_t), compare_gids);
	creds_set_groups(t->proc, groups, (int)n);
	return 0;
}

/* setfsuid/setfsgid return the old id whatever happens; the new one is
 * taken if it is one of the real, effective, saved or current fs ids, or
 * with CAP_SETUID/CAP_SETGID. */
static bool fs_id_allowed(uint32_t id, uint32_t r, uint32_t e, uint32_t sv, uint32_t fs)
{
	return id == r || id == e || id == sv || id == fs;
}

SYSCALL_HANDLER(setfsuid)
{
	struct process *p = t->proc;
	uid_t old = p->fsuid, id = (uid_t)a[0];
	if (id != (uid_t)-1 &&
	    (caps_has(p, CAP_SETUID) || fs_id_allowed(id, p->ruid, p->euid, p->suid, p->fsuid))) {
		p->fsuid = id;
		caps_fsuid_changed(p, old);
	}
	return old;
}

SYSCALL_HANDLER(setfsgid)
{
	struct process *p = t->proc;
	gid_t old = p->fsgid, id = (gid_t)a[0];
	if (id != (gid_t)-1 &&
	    (caps_has(p, CAP_SETGID) || fs_id_allowed(id, p->rgid, p->egid, p->sgid, p->fsgid)))
		p->fsgid = id;
	return old;
}

SYSCALL_HANDLER(getgroups)
{
	int size = (int)a[0];
	if (size < 0)
		return -EINVAL;
	int n = t->proc->ngroups;
	if (size == 0)
		return n;
	if (size < n)
		return -EINVAL;
	return task_write(t, a[1], t->proc->groups, (size_t)n * sizeof(gid_t)) == 0 ? n : -EFAULT;
}

SYSCALL_HANDLER(getpgrp)
{
	(void)a;
	return t->proc->pgid;
}

/* The host's uname, but the node and domain names of the sandbox's own
 * UTS view (configured, or the host's at start; changed by sethostname). */
SYSCALL_HANDLER(uname)
{
	struct utsname u;
	if (uname(&u) != 0)
		return -errno;
	snprintf(u.nodename, sizeof(u.nodename), "%s", t->s->nodename);
	snprintf(u.domainname, sizeof(u.domainname), "%s", t->s->domainname);
	return task_write(t, a[0], &u, sizeof(u)) == 0 ? 0 : -EFAULT;
}

/* sethostname/setdomainname: the sandbox's own names, as in a UTS
 * namespace of its own. Linux's order: capability, length, copy. */
static long set_uts_name(struct task *t, char name[65], uint64_t addr, uint64_t len_arg)
{
	if (!caps_has(t->proc, CAP_SYS_ADMIN))
		return -EPERM;
	int len = (int)len_arg;
	if (len < 0 || len > 64)
		return -EINVAL;
	char buf[65] = {0};
	if (len > 0 && task_read(t, addr, buf, (size_t)len) != 0)
		return -EFAULT;
	memcpy(name, buf, sizeof(buf));
	return 0;
}

SYSCALL_HANDLER(sethostname)
{
	return set_uts_name(t, t->s->nodename, a[0], a[1]);
}

SYSCALL_HANDLER(setdomainname)
{
	return set_uts_name(t, t->s->domainname, a[0], a[1]);
}

SYSCALL_HANDLER(sysinfo)
{
	struct sysinfo si;
	if (sysinfo(&si) != 0)
		return -errno;
	return task_write(t, a[0], &si, sizeof(si)) == 0 ? 0 : -EFAULT;
}

SYSCALL_HANDLER(getrandom)
{
	if (a[2] & ~(uint64_t)(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE))
		return -EINVAL;
	size_t len = a[1] < t->s->scratch_size ? a[1] : t->s->scratch_size;
	ssize_t n = getrandom(t->s->scratch, len, (unsigned)a[2]);
	if (n < 0)
		return -errno;
	return task_write(t, a[0], t->s->scratch, (size_t)n) == 0 ? n : -EFAULT;
}

SYSCALL_HANDLER(arch_prctl)
{
	struct user_regs_struct regs, *r = &regs;
	int rc = platform_get_regs(t->th, &regs);
	if (rc != 0)
		return rc;
	switch (a[0]) {
	case ARCH_SET_FS:
	case ARCH_SET_GS:
		if (a[1] >= PROGRAM_ADDR_LIMIT)
			return -EPERM;
		*(a[0] == ARCH_SET_FS ? &r->fs_base : &r->gs_base) = a[1];
		platform_set_regs(t->th, &regs);
		return 0;
	case ARCH_GET_FS:
	case ARCH_GET_GS: {
		uint64_t v = a[0] == ARCH_GET_FS ? r->fs_base : r->gs_base;
		return task_write(t, a[1], &v, sizeof(v)) == 0 ? 0 : -EFAULT;
	}
	case ARCH_GET_CPUID:
		return 1; /* cpuid is not faulting */
	case ARCH_SET_CPUID:
		/* The stub runs cpuid itself: the sandbox is a CPU without
		 * CPUID faulting, which Linux answers so. */
		return -ENODEV;
	default:
		return -EINVAL;
	}
}

SYSCALL_HANDLER(set_tid_address)
{
	t->clear_child_tid = a[0];
	return t->tid;
}

SYSCALL_HANDLER(set_robust_list)
{
	if (a[1] != 24) /* sizeof(struct robust_list_head) */
		return -EINVAL;
	t->robust_list = a[0];
	t->robust_len = a[1];
	return 0;
}

SYSCALL_HANDLER(get_robust_list)
{
	/* Another thread's list: ESRCH, or EPERM unless the caller may
	 * ptrace-read it, as Linux (in the sandbox's ids). */
	struct task *u = a[0] == 0 ? t : task_by_tid(t->s, (pid_t)a[0]);
	if (!u || (pid_t)a[0] < 0)
		return -ESRCH;
	if (u != t && !process_may_attach(t, u->proc))
		return -EPERM;
	if (task_write(t, a[1], &u->robust_list, sizeof(uint64_t)) != 0 ||
	    task_write(t, a[2], &u->robust_len, sizeof(uint64_t)) != 0)
		return -EFAULT;
	return 0;
}

SYSCALL_HANDLER(rseq)
{
	/* Registered with the host kernel for the stub thread: the kernel
	 * then keeps cpu_id current and aborts critical sections itself. */
	return platform_rseq(t->th, a[0], (uint32_t)a[1], (int)a[2], (uint32_t)a[3]);
}

static long rlimit_common(struct task *t, pid_t pid, unsigned res, uint64_t new_addr,
			  uint64_t old_addr)
{
	if (res >= RLIM_NLIMITS)
		return -EINVAL;
	struct process *me = t->proc, *p = me;
	bool resource_cap = caps_has(me, CAP_SYS_RESOURCE);
	if (pid != 0 && pid != me->pid) {
		p = process_by_pid(t->s, pid);
		if (!p)
			return -ESRCH;
		/* Linux's check_prlimit_permission. */
		if (!resource_cap &&
		    !(me->ruid == p->ruid && me->ruid == p->euid && me->ruid == p->suid &&
		      me->rgid == p->rgid && me->rgid == p->egid && me->rgid == p->sgid))
			return -EPERM;
	}
	struct rlimit *cur = &p->rlim[res], next;
	if (new_addr) {
		if (task_read(t, new_addr, &next, sizeof(next)) != 0)
			return -EFAULT;
		if (next.rlim_cur > next.rlim_max)
			return -EINVAL;
		if (next.rlim_max > cur->rlim_max && !resource_cap)
			return -EPERM;
	}
	if (old_addr && task_write(t, old_addr, cur, sizeof(*cur)) != 0)
		return -EFAULT;
	if (new_addr)
		*cur = next;
	if (new_addr && res == RLIMIT_CPU)
		process_cpu_limit_arm(p);
	return 0;
}

SYSCALL_HANDLER(prlimit64)
{
	return rlimit_common(t, (pid_t)a[0], (unsigned)a[1], a[2], a[3]);
}

SYSCALL_HANDLER(getrlimit)
{
	return rlimit_common(t, 0, (unsigned)a[0], 0, a[1]);
}

SYSCALL_HANDLER(setrlimit)
{
	return rlimit_common(t, 0, (unsigned)a[0], a[1], 0);
}

/* CPU use of the program is the platform's accounting of its stub
 * (platform_cpu_usage); its reaped children's is what the kernel summed as
 * it reaped them (kernel/usage.h). */
SYSCALL_HANDLER(getrusage)
{
	int who = (int)a[0];
	if (who != RUSAGE_SELF && who != RUSAGE_CHILDREN && who != RUSAGE_THREAD)
		return -EINVAL;
	struct proc_usage use = {0};
	struct platform_cpu u;
	if (who == RUSAGE_CHILDREN)
		use = t->proc->children_use;
	else if (platform_cpu_usage(platform_thread_tid(t->th), &u) == 0)
		use = (struct proc_usage){u.utime, u.stime, u.minflt, u.majflt, u.maxrss_kb};
	struct rusage ru;
	usage_to_rusage(&use, &ru);
	return task_write(t, a[1], &ru, sizeof(ru)) == 0 ? 0 : -EFAULT;
}

SYSCALL_HANDLER(times)
{
	struct tms tms;
	clock_t now = times(&tms);
	memset(&tms, 0, sizeof(tms));
	struct platform_cpu u;
	if (platform_cpu_usage(platform_thread_tid(t->th), &u) == 0) {
		tms.tms_utime = (clock_t)u.utime;
		tms.tms_stime = (clock_t)u.stime;
	}
	tms.tms_cutime = (clock_t)t->proc->children_use.utime;
	tms.tms_cstime = (clock_t)t->proc->children_use.stime;
	if (a[0] && task_write(t, a[0], &tms, sizeof(tms)) != 0)
		return -EFAULT;
	return now;
}

/* The size of the kernel's CPU mask (nr_cpu_ids rounded up to longs):
 * what the host's sched_getaffinity returns. */
static size_t host_cpumask_size(void)
{
	static size_t size;
	if (!size) {
		cpu_set_t set;
		long n = syscall(SYS_sched_getaffinity, 0, sizeof(set), &set);
		size = n > 0 ? (size_t)n : 8;
	}
	return size;
}

/* The task an affinity call names: 0 is the caller; others are sandbox
 * tids (Linux's find_process_by_pid). */
static struct task *affinity_target(struct task *t, uint64_t pid)
{
	if (pid == 0)
		return t;
	return (int64_t)(pid_t)pid > 0 ? task_by_tid(t->s, (pid_t)pid) : NULL;
}

SYSCALL_HANDLER(sched_getaffinity)
{
	/* What the program may use is what msentry was given, not the single
	 * CPU the sentry pins its stubs to. */
	size_t len = host_cpumask_size();
	if (a[1] & 7)
		return -EINVAL;
	if (a[1] < len) {
		/* Linux: the buffer must hold nr_cpu_ids bits. */
		size_t need = (size_t)((CPU_COUNT(&t->s->cpus) + 63) / 64) * 8;
		if (a[1] < need)
			return -EINVAL;
		len = a[1];
	}
	if (!affinity_target(t, a[0]))
		return -ESRCH;
	if (len > sizeof(cpu_set_t))
		len = sizeof(cpu_set_t);
	return task_write(t, a[2], &t->s->cpus, len) == 0 ? (long)len : -EFAULT;
}

SYSCALL_HANDLER(sched_setaffinity)
{
	cpu_set_t want;
	CPU_ZERO(&want);
	size_t len = a[1] < sizeof(want) ? a[1] : sizeof(want);
	if (task_read(t, a[2], &want, len) != 0)
		return -EFAULT;
	struct task *u = affinity_target(t, a[0]);
	if (!u)
		return -ESRCH;
	/* Linux's check_same_owner, or CAP_SYS_NICE. */
	const struct process *me = t->proc, *p = u->proc;
	if (me->euid != p->euid && me->euid != p->ruid && !caps_has(me, CAP_SYS_NICE))
		return -EPERM;
	/* Accepted and ignored, but a set with none of the usable CPUs is
	 * refused as Linux does. */
	CPU_AND(&want, &want, &t->s->cpus);
	return CPU_COUNT(&want) ? 0 : -EINVAL;
}

SYSCALL_HANDLER(sched_yield)
{
	(void)t, (void)a;
	return 0;
}

SYSCALL_HANDLER(getcpu)
{
	unsigned cpu = (unsigned)sched_getcpu(), node = 0;
	if (a[0] && task_write(t, a[0], &cpu, sizeof(cpu)) != 0)
		return -EFAULT;
	if (a[1] && task_write(t, a[1], &node, sizeof(node)) != 0)
		return -EFAULT;
	return 0;
}

SYSCALL_HANDLER(personality)
{
	/* Kept per process and inherited; only recorded (no flag changes
	 * how msentry lays out memory). */
	unsigned long old = t->proc->personality;
	if ((uint32_t)a[0] != 0xffffffff)
		t->proc->personality = (uint32_t)a[0];
	return (long)old;
}

SYSCALL_HANDLER(capget)
{
	return caps_capget(t, a[0], a[1]);
}

SYSCALL_HANDLER(capset)
{
	return caps_capset(t, a[0], a[1]);
}

/* PR_GET_SPECULATION_CTRL: the host's answer, since the stubs run on its
 * CPU with its mitigations (the sentry asks for itself; the program's
 * stubs inherit msentry's state). */
static long speculation_ctrl(const uint64_t *a)
{
	if (a[2] || a[3] || a[4])
		return -EINVAL;
	long r = prctl(PR_GET_SPECULATION_CTRL, a[1], 0, 0, 0);
	return r < 0 ? -errno : r;
}

/* The prctl options about a task's relations and timers (Linux's
 * semantics; the comments in kernel.h and task-sched.h say what acts). */
static long prctl_more(struct task *t, const uint64_t *a)
{
	struct process *p = t->proc;
	int v;
	switch (a[0]) {
	case PR_SET_PDEATHSIG:
		if (a[1] > 64)
			return -EINVAL;
		t->pdeath_signal = (int)a[1];
		return 0;
	case PR_GET_PDEATHSIG:
		v = t->pdeath_signal;
		return task_write(t, a[1], &v, sizeof(v)) == 0 ? 0 : -EFAULT;
	case PR_SET_CHILD_SUBREAPER:
		p->child_subreaper = a[1] != 0;
		return 0;
	case PR_GET_CHILD_SUBREAPER:
		v = p->child_subreaper;
		return task_write(t, a[1], &v, sizeof(v)) == 0 ? 0 : -EFAULT;
	case PR_SET_TIMERSLACK:
		t->sched.slack_ns = a[1] ? a[1] : t->sched.default_slack_ns;
		return 0;
	case PR_GET_TIMERSLACK:
		return t->sched.slack_ns ? (long)t->sched.slack_ns : TIMER_SLACK_DEFAULT_NS;
	case PR_SET_THP_DISABLE:
		if (a[2] || a[3] || a[4])
			return -EINVAL;
		p->thp_disable = a[1] != 0;
		return 0;
	case PR_GET_THP_DISABLE:
		if (a[1] || a[2] || a[3] || a[4])
			return -EINVAL;
		return p->thp_disable;
	case PR_GET_SPECULATION_CTRL:
		return speculation_ctrl(a);
	default:
		return -EINVAL;
	}
}

SYSCALL_HANDLER(prctl)
{
	struct process *p = t->proc;
	switch (a[0]) {
	case PR_SET_NAME: {
		char name[16];
		/* Up to 15 bytes and a NUL; reads what the string holds. */
		size_t n = 0;
		for (; n < 15; n++) {
			if (task_read(t, a[1] + n, &name[n], 1) != 0)
				return -EFAULT;
			if (name[n] == 0)
				break;
		}
		name[n] = 0;
		memcpy(t->comm, name, sizeof(name));
		t->comm_mm = t->mm;
		return 0;
	}
	case PR_SET_DUMPABLE:
		if (a[1] > 1)
			return -EINVAL;
		p->not_dumpable = a[1] == 0;
		return 0;
	case PR_SET_NO_NEW_PRIVS:
		if (a[1] != 1 || a[2] || a[3] || a[4])
			return -EINVAL;
		p->no_new_privs = true;
		return 0;
	case PR_GET_NO_NEW_PRIVS:
		if (a[1] || a[2] || a[3] || a[4])
			return -EINVAL;
		return p->no_new_privs;
	case PR_SET_VMA:
		return 0;
	case PR_GET_NAME: {
		char name[16] = {0};
		const char *comm = task_comm(t);
		memcpy(name, comm, strnlen(comm, 15));
		return task_write(t, a[1], name, sizeof(name)) == 0 ? 0 : -EFAULT;
	}
	case PR_GET_DUMPABLE:
		return !p->not_dumpable;
	case PR_SET_SECCOMP:
	case PR_GET_SECCOMP:
		return seccomp_prctl(t, a);
	case PR_CAPBSET_READ:
	case PR_CAPBSET_DROP:
	case PR_CAP_AMBIENT:
	case PR_GET_SECUREBITS:
	case PR_SET_SECUREBITS:
	case PR_GET_KEEPCAPS:
	case PR_SET_KEEPCAPS:
		return caps_prctl(t, a);
	default:
		return prctl_more(t, a);
	}
}
