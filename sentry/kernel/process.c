/* Processes and threads: clone/fork/vfork, execve, exit, wait, groups.
 *
 * A new address space is a new stub process: fork injects clone() into the
 * caller's own stub, so the host kernel copies the memory (copy-on-write)
 * exactly as Linux would. A thread, or a vfork/CLONE_VM child, is a new
 * thread of the caller's stub process. execve loads the new program into a
 * fresh stub cloned from the factory; the old stub (or, when it is shared,
 * just the caller's thread in it) goes away. Pids are the sandbox's own:
 * the first process is 1, threads and processes share one id space.
 */
#include <errno.h>
#include <linux/futex.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/sched.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>

#include "sentry/kernel/aio.h"
#include "sentry/kernel/files.h"
#include "sentry/kernel/ipc.h"
#include "sentry/kernel/kernel.h"
#include "sentry/kernel/keys.h"
#include "sentry/kernel/seccomp-filter.h"

#define ARG_MAX_BYTES (2UL << 20)

/* A process is indexed by pid (lookup.c) from its creation until it is
 * reaped: alive, or a zombie its parent has not waited for. */
struct process *process_by_pid(struct sentry *s, pid_t pid)
{
	struct id_node *n = idmap_find(&s->by_pid, pid);
	return n ? KERNEL_CONTAINER_OF(n, struct process, pid_node) : NULL;
}

/* The caller's own process; one whose real ids match all of the target's
 * ids and that is dumpable; or CAP_SYS_PTRACE. The host's Yama policy,
 * which may further restrict a native caller, is not emulated. */
bool process_may_attach(const struct task *t, const struct process *p)
{
	const struct process *me = t->proc;
	if (me == p || task_capable(t, CAP_SYS_PTRACE))
		return true;
	bool uids = me->ruid == p->ruid && me->ruid == p->euid && me->ruid == p->suid;
	bool gids = me->rgid == p->rgid && me->rgid == p->egid && me->rgid == p->sgid;
	return uids && gids && !p->not_dumpable;
}

struct task *task_by_tid(struct sentry *s, pid_t tid)
{
	struct id_node *n = idmap_find(&s->by_tid, tid);
	return n ? KERNEL_CONTAINER_OF(n, struct task, tid_node) : NULL;
}

static struct mm *mm_copy(const struct mm *src, pid_t stub_pid)
{
	struct mm *mm = xcalloc(1, sizeof(*mm));
	*mm = *src;
	mm->refs = 1;
	mm->stub_pid = stub_pid;
	mm->exe_path = src->exe_path ? xstrdup(src->exe_path) : NULL;
	shm_mm_copy(mm, src);
	mm->aio = NULL; /* a fork child has no AIO contexts (aio.c) */
	return mm;
}

static struct fs_info *fs_copy(const struct fs_info *src)
{
	struct fs_info *fs = xcalloc(1, sizeof(*fs));
	fs->refs = 1;
	fs->cwd = xstrdup(src->cwd);
	fs->root = src->root ? xstrdup(src->root) : NULL;
	fs->root_fd = src->root_fd >= 0 ? fcntl(src->root_fd, F_DUPFD_CLOEXEC, 3) : -1;
	fs->umask = src->umask;
	return fs;
}

static struct process *process_new(struct task *parent_task, pid_t pid, uint64_t flags)
{
	struct process *pp = parent_task->proc;
	struct process *p = xcalloc(1, sizeof(*p));
	p->s = pp->s;
	p->refs = 1; /* the parent's link */
	p->pid = pid;
	p->pgid = pp->pgid;
	p->sid = pp->sid;
	p->exit_signal = (int)(flags & CSIGNAL);
	memcpy(p->rlim, pp->rlim, sizeof(p->rlim));
	creds_copy(p, pp);
	p->personality = pp->personality;
	p->not_dumpable = pp->not_dumpable;
	p->no_new_privs = pp->no_new_privs;
	p->thp_disable = pp->thp_disable;
	p->caps = pp->caps;
	if (flags & CLONE_SIGHAND) {
		p->sighand = pp->sighand;
		p->sighand->refs++;
	} else {
		p->sighand = xcalloc(1, sizeof(*p->sighand));
		*p->sighand = *pp->sighand;
		p->sighand->refs = 1;
	}
	if (flags & CLONE_SYSVSEM)
		sem_undo_share(p, pp);
	keys_fork(p, pp);
	process_cpu_limit_arm(p); /* the child's CPU time starts at 0 */
	struct process *parent = (flags & CLONE_PARENT) && pp->parent ? pp->parent : pp;
	p->parent = parent;
	p->sibling = parent->children;
	parent->children = p;
	idmap_insert(&p->s->by_pid, &p->pid_node, pid);
	return p;
}

/* Linux's copy_io: CLONE_IO shares the context; otherwise the child gets
 * its own copy of a priority that was set (class other than NONE). */
static struct io_context *io_context_clone(struct io_context *io, uint64_t flags)
{
	if (!io)
		return NULL;
	if (flags & CLONE_IO) {
		io->refs++;
		return io;
	}
	if ((io->ioprio >> 13) == 0)
		return NULL;
	struct io_context *c = xcalloc(1, sizeof(*c));
	*c = (struct io_context){.refs = 1, .ioprio = io->ioprio};
	return c;
}

/* The child's registers: the caller's, returning 0, on its own stack/TLS. */
static void child_registers(const struct user_regs_struct *parent, struct task *c, uint64_t flags,
			    uint64_t stack, uint64_t tls)
{
	struct user_regs_struct r = *parent;
	r.rax = 0;
	if (stack)
		r.rsp = stack;
	if (flags & CLONE_SETTLS)
		r.fs_base = tls;
	platform_set_regs(c->th, &r);
}

/* RLIMIT_NPROC, as Linux's copy_process checks it: the tasks of the
 * caller's real uid (here: in the sandbox) may not exceed the caller's
 * limit, unless the uid is root or the caller has CAP_SYS_RESOURCE or
 * CAP_SYS_ADMIN. Counting walks the task list, so it is only done when the
 * limit is below the sandbox's task count (it cannot bind otherwise). */
static bool over_nproc(struct task *t)
{
	struct sentry *s = t->s;
	rlim_t lim = t->proc->rlim[RLIMIT_NPROC].rlim_cur;
	if (lim == RLIM_INFINITY || (rlim_t)s->ntasks < lim || t->proc->ruid == 0 ||
	    task_capable(t, CAP_SYS_RESOURCE) || task_capable(t, CAP_SYS_ADMIN))
		return false;
	rlim_t n = 0;
	for (struct task *u = s->tasks; u; u = u->next)
		n += u->proc->ruid == t->proc->ruid;
	return n >= lim;
}

/* A new namespace: EPERM without CAP_SYS_ADMIN (a user namespace needs
 * none), as Linux; with it, EINVAL, as a kernel built without that kind
 * of namespace answers. The sandbox is one set of namespaces: pretending
 * to make a new one would leave a program that unshares its network or
 * mounts to isolate itself believing it had. */
static long namespace_flags(struct task *t, uint64_t flags)
{
	if (!(flags & SANDBOX_NAMESPACE_FLAGS))
		return 0;
	if ((flags & SANDBOX_NAMESPACE_FLAGS & ~(uint64_t)CLONE_NEWUSER) &&
	    !caps_has(t->proc, CAP_SYS_ADMIN))
		return -EPERM;
	return -EINVAL;
}

static long clone_checks(struct task *t, uint64_t flags)
{
	if (flags & ~(uint64_t)(KERNEL_CLONE_FLAGS | SANDBOX_NAMESPACE_FLAGS))
		return -EINVAL; /* pidfds...: see the table note */
	if ((flags & (CLONE_NEWNS | CLONE_FS)) == (CLONE_NEWNS | CLONE_FS) ||
	    (flags & (CLONE_NEWUSER | CLONE_FS)) == (CLONE_NEWUSER | CLONE_FS))
		return -EINVAL;
	if ((flags & CLONE_THREAD) && !(flags & CLONE_SIGHAND))
		return -EINVAL;
	if ((flags & CLONE_SIGHAND) && !(flags & CLONE_VM))
		return -EINVAL;
	long ns = namespace_flags(t, flags);
	if (ns != 0)
		return ns;
	/* The sandbox's own wall (--max-tasks, OCI pids.limit): a fork bomb
	 * meets it while the sentry stays responsive, as in a pids cgroup. */
	int max = t->s->cfg->max_tasks ? t->s->cfg->max_tasks : SENTRY_DEFAULT_MAX_TASKS;
	if (max > 0 && t->s->ntasks >= max)
		return -EAGAIN;
	if (over_nproc(t))
		return -EAGAIN;
	return 0;
}

static long do_clone(struct task *t, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t ctid,
		     uint64_t tls)
{
	long rc = clone_checks(t, flags);
	if (rc != 0)
		return rc;
	struct user_regs_struct regs;
	if ((rc = platform_get_regs(t->th, &regs)) != 0)
		return rc;
	struct stub_thread *th;
	rc = (flags & CLONE_VM) ? platform_new_thread(t->th, &th) : platform_fork(t->th, &th);
	if (rc != 0)
		return rc == -ENOMEM ? -ENOMEM : -EAGAIN;
	struct sentry *s = t->s;
	struct task *c = xcalloc(1, sizeof(*c));
	c->s = s;
	c->tid = s->next_pid++;
	c->th = th;
	child_registers(&regs, c, flags, stack, tls);
	if (flags & CLONE_THREAD) {
		c->proc = t->proc;
		c->proc->refs++;
		c->proc->nthreads++;
	} else {
		c->proc = process_new(t, c->tid, flags);
		c->proc->refs++; /* the task's reference */
		c->proc->nthreads = 1;
	}
	if (flags & CLONE_VM) {
		c->mm = t->mm;
		c->mm->refs++;
	} else {
		c->mm = mm_copy(t->mm, platform_space_pid(th));
	}
	if (flags & CLONE_FILES) {
		c->files = t->files;
		c->files->refs++;
	} else {
		c->files = fd_table_copy(t->files);
	}
	if (flags & CLONE_FS) {
		c->fs = t->fs;
		c->fs->refs++;
	} else {
		c->fs = fs_copy(t->fs);
	}
	if (t->comm_mm == t->mm && t->comm[0]) {
		memcpy(c->comm, t->comm, sizeof(c->comm));
		c->comm_mm = c->mm;
	}
	c->sigmask = t->sigmask;
	c->seccomp = seccomp_chain_get(t->seccomp); /* shared, as Linux shares it */
	c->io = io_context_clone(t->io, flags);
	c->sched = t->sched;
	if (c->sched.reset_on_fork) {
		/* As Linux: the child starts as an ordinary task. */
		c->sched = (struct task_sched){.nice = t->sched.nice < 0 ? 0 : t->sched.nice,
					       .slack_ns = t->sched.slack_ns};
	}
	c->sched.default_slack_ns = t->sched.slack_ns; /* as Linux's copy_process */
	c->altstack = ((flags & CLONE_VM) && !(flags & CLONE_VFORK))
			  ? (stack_t){.ss_flags = SS_DISABLE}
			  : t->altstack;
	if (flags & CLONE_CHILD_CLEARTID)
		c->clear_child_tid = ctid;
	task_link(c);
	pid_t tid = c->tid;
	if (flags & CLONE_PARENT_SETTID)
		task_write(t, ptid, &tid, sizeof(tid));
	if (flags & CLONE_CHILD_SETTID)
		task_write(c, ctid, &tid, sizeof(tid));
	c->state = TASK_RUNNING;
	platform_resume(c->th, false, 0);
	if (flags & CLONE_VFORK) {
		c->proc->vfork_parent = t;
		t->call.vfork_child = tid;
	}
	return tid;
}

/* vfork: the parent waits until the child execs or exits. */
static long vfork_wait(struct task *t)
{
	struct task *c = task_by_tid(t->s, t->call.vfork_child);
	if (c && c->proc->vfork_parent == t)
		return task_block(t, BLOCK_VFORK);
	pid_t pid = t->call.vfork_child;
	t->call.vfork_child = 0;
	return pid;
}

long task_clone(struct task *t, uint64_t flags, uint64_t stack, uint64_t ptid, uint64_t ctid,
		uint64_t tls)
{
	if (t->call.retry && t->call.vfork_child)
		return vfork_wait(t);
	long pid = do_clone(t, flags, stack, ptid, ctid, tls);
	if (pid > 0 && (flags & CLONE_VFORK))
		return vfork_wait(t);
	return pid;
}

/* ---- exit ---- */

static void mm_release(struct task *t)
{
	struct mm *mm = t->mm;
	if (!mm)
		return;
	t->mm = NULL;
	if (--mm->refs == 0) {
		platform_kill(mm->stub_pid);
		shm_mm_release(t->s, mm);
		aio_mm_release(t->s, mm);
		free(mm->exe_path);
		free(mm);
		return;
	}
	/* Others still use the stub: only this thread leaves it. */
	platform_end_thread(t->th);
}

static void fs_release(struct fs_info *fs)
{
	if (fs && --fs->refs == 0) {
		free(fs->cwd);
		free(fs->root);
		if (fs->root_fd >= 0)
			close(fs->root_fd);
		free(fs);
	}
}

long task_unshare(struct task *t, uint64_t flags)
{
	if (flags & ~(uint64_t)(CLONE_THREAD | CLONE_FS | CLONE_SIGHAND | CLONE_VM | CLONE_FILES |
				CLONE_SYSVSEM | SANDBOX_NAMESPACE_FLAGS))
		return -EINVAL;
	/* Sharing the address space, signal handlers or thread group can
	 * only be undone by a process that shares them with nobody. */
	if ((flags & (CLONE_THREAD | CLONE_SIGHAND | CLONE_VM)) &&
	    (t->proc->nthreads > 1 || t->mm->refs > 1))
		return -EINVAL;
	long rc = namespace_flags(t, flags);
	if (rc != 0)
		return rc;
	if ((flags & CLONE_FILES) && t->files->refs > 1) {
		struct fd_table *own = fd_table_copy(t->files);
		fd_table_put(t->files);
		t->files = own;
	}
	if ((flags & CLONE_FS) && t->fs->refs > 1) {
		struct fs_info *own = fs_copy(t->fs);
		fs_release(t->fs);
		t->fs = own;
	}
	if (flags & CLONE_SYSVSEM)
		sem_undo_exit(t->s, t->proc); /* Linux: as at exit */
	return 0;
}

static void process_put(struct process *p)
{
	if (!p || --p->refs > 0)
		return;
	idmap_remove(&p->s->by_pid, &p->pid_node);
	process_timers_exit(p);
	if (p->sighand && --p->sighand->refs == 0)
		free(p->sighand);
	sigpending_release(&p->pending);
	creds_release(p);
	free(p);
}

/* The thread's CLONE_CHILD_CLEARTID word: zeroed and woken, as pthread_join
 * expects. Only meaningful while others share the memory. */
static void clear_child_tid(struct task *t)
{
	if (!t->clear_child_tid || !t->mm || t->mm->refs < 2) {
		if (!t->clear_child_tid || t->proc->nthreads < 2)
			return;
	}
	uint32_t zero = 0;
	if (task_write(t, t->clear_child_tid, &zero, sizeof(zero)) == 0)
		futex_wake_addr(t, t->clear_child_tid, false, 1);
}

/* One lock of a dying thread's robust list (Linux's handle_futex_death):
 * a word it holds gets FUTEX_OWNER_DIED, keeping FUTEX_WAITERS, and a
 * waiter is woken. */
static void robust_futex_death(struct task *t, uint64_t addr)
{
	uint32_t v;
	if ((addr & 3) || task_read(t, addr, &v, sizeof(v)) != 0)
		return;
	if ((v & FUTEX_TID_MASK) != (uint32_t)t->tid)
		return;
	uint32_t nv = (v & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
	if (task_write(t, addr, &nv, sizeof(nv)) == 0 && (v & FUTEX_WAITERS))
		futex_wake_addr(t, addr, false, 1);
}

/* Walk the robust list registered with set_robust_list, as Linux does at
 * thread exit (exit_robust_list): at most ROBUST_LIST_LIMIT entries, the
 * pending one last. */
static void exit_robust_list(struct task *t)
{
	if (!t->robust_list || !t->mm || !t->th)
		return;
	struct {
		uint64_t next;
		int64_t offset;
		uint64_t pending;
	} head;
	uint64_t list = t->robust_list;
	t->robust_list = 0; /* once */
	if (task_read(t, list, &head, sizeof(head)) != 0)
		return;
	uint64_t entry = head.next & ~1ULL, pending = head.pending & ~1ULL;
	for (int limit = 2048; entry != list && limit > 0; limit--) {
		uint64_t next;
		if (task_read(t, entry, &next, sizeof(next)) != 0)
			break;
		if (entry != pending)
			robust_futex_death(t, entry + (uint64_t)head.offset);
		entry = next & ~1ULL;
	}
	if (pending)
		robust_futex_death(t, pending + (uint64_t)head.offset);
}

/* Tear down one task (its thread, its shares of resources). */
static void task_release(struct task *t)
{
	KERNEL_OBSERVE(t->s, task_exit, t);
	task_unlink(t);
	t->exiting = true;
	exit_robust_list(t);
	clear_child_tid(t);
	mm_release(t);
	platform_thread_free(t->th);
	fd_table_put(t->files);
	fs_release(t->fs);
	if (t->io && --t->io->refs == 0)
		free(t->io);
	sched_forget(t);
	offload_abandon(t);
	sigpending_release(&t->pending);
	seccomp_chain_put(t->seccomp);
	keys_task_exit(t);
	struct process *p = t->proc;
	p->nthreads--;
	process_put(p);
	free(t);
}

static void reap(struct process *p)
{
	idmap_remove(&p->s->by_pid, &p->pid_node);
	struct process **pp = &p->parent->children;
	while (*pp && *pp != p)
		pp = &(*pp)->sibling;
	if (*pp)
		*pp = p->sibling;
	process_put(p);
}

static void notify_parent(struct process *p)
{
	struct process *parent = p->parent;
	struct sigaction_k *act = &parent->sighand->act[SIGCHLD - 1];
	bool autoreap = p->exit_signal == SIGCHLD &&
			(act->handler == (uint64_t)SIG_IGN || (act->flags & SA_NOCLDWAIT));
	if (p->exit_signal > 0) {
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		si.si_signo = p->exit_signal;
		si.si_pid = p->pid;
		si.si_uid = getuid();
		int st = p->exit_status;
		si.si_code = WIFEXITED(st) ? CLD_EXITED : (st & 0x80) ? CLD_DUMPED : CLD_KILLED;
		si.si_status = WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st);
		signal_send_process(parent, p->exit_signal, &si);
	}
	task_wake_all(p->s, BLOCK_CHILD, 1 << 30);
	if (autoreap)
		reap(p);
}

/* Who adopts exiting p's children (Linux's find_new_reaper): its nearest
 * living PR_SET_CHILD_SUBREAPER ancestor, else the sandbox's init. */
static struct process *new_reaper(struct process *p)
{
	for (struct process *a = p->parent; a && a != p->s->init; a = a->parent)
		if (a->child_subreaper && !a->exiting)
			return a;
	return p->s->init;
}

/* PR_SET_PDEATHSIG: p's children that asked get their signal, SI_USER from p (as Linux). */
static void send_pdeath_signals(struct process *p)
{
	for (struct task *u = p->s->tasks; u; u = u->next) {
		if (!u->pdeath_signal || u->proc->parent != p || u->proc->exiting)
			continue;
		siginfo_t si;
		memset(&si, 0, sizeof(si));
		si.si_signo = u->pdeath_signal;
		si.si_code = SI_USER;
		si.si_pid = p->pid;
		si.si_uid = p->ruid;
		signal_send_process(u->proc, u->pdeath_signal, &si);
	}
}

/* As Linux's forget_original_parent: the children go to the new reaper and
 * will signal it with SIGCHLD; one already a zombie tells it at once. */
static void reparent_children(struct process *p)
{
	send_pdeath_signals(p);
	struct process *reaper = new_reaper(p);
	while (p->children) {
		struct process *c = p->children;
		p->children = c->sibling;
		c->parent = reaper;
		c->sibling = reaper->children;
		reaper->children = c;
		c->exit_signal = SIGCHLD;
		if (c->zombie)
			notify_parent(c);
	}
}

static void process_exited(struct process *p)
{
	struct sentry *s = p->s;
	sem_undo_exit(s, p);	/* before anyone learns of the exit, as Linux's exit_sem */
	shm_process_exit(s, p); /* Linux exit_shm: shm_rmid_forced */
	keys_process_exit(p);
	if (p->vfork_parent) {
		task_wake(p->vfork_parent);
		p->vfork_parent = NULL;
	}
	p->zombie = true;
	process_timers_exit(p);
	pidfd_notify_exit(s, p->pid);
	if (p == s->init) {
		/* The sandbox's init: when it ends, the sandbox ends (as in a
		 * container), with its status. */
		int st = p->exit_status;
		s->exit_status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
		s->finished = true;
		return;
	}
	reparent_children(p);
	if (!p->parent) {
		/* Started by the control channel (exec): nobody in the sandbox
		 * waits for it; the channel reports its status and the kernel
		 * reaps it at once. */
		s->hooks->detached_exit(p);
		idmap_remove(&s->by_pid, &p->pid_node);
		process_put(p);
		return;
	}
	notify_parent(p);
}

/* When a whole process exits and no other process shares its address
 * space (vfork and CLONE_VM children do), its stub process is killed at
 * once, every thread with it: no thread is stopped and told to exit one by
 * one, so none can be waited for in a state it will not report. */
static void kill_own_stub(struct process *p)
{
	struct sentry *s = p->s;
	struct mm *mm = NULL;
	size_t n = 0;
	for (struct task *u = s->tasks; u; u = u->next) {
		if (u->proc != p)
			continue;
		if (mm && u->mm != mm)
			return; /* threads in several address spaces: not ours alone */
		mm = u->mm;
		n++;
	}
	if (!mm || (size_t)mm->refs != n)
		return;
	/* The host forgets the stub's use once it is gone: keep it for
	 * the parent's wait and for the zombie's /proc entry (usage.h). */
	struct platform_cpu cpu;
	if (platform_cpu_usage(mm->stub_pid, &cpu) == 0)
		p->own_use = (struct proc_usage){cpu.utime, cpu.stime, cpu.minflt, cpu.majflt,
						 cpu.maxrss_kb};
	struct stub_thread **threads = xcalloc(n, sizeof(*threads));
	size_t i = 0;
	for (struct task *u = s->tasks; u; u = u->next)
		if (u->proc == p)
			threads[i++] = u->th;
	platform_kill_threads(threads, n);
	free(threads);
	/* Dead and reaped: the last release of the mm must not kill this pid
	 * again (it may name another process by then). */
	mm->stub_pid = 0;
}

void task_exit_group(struct task *t, int wait_status)
{
	struct process *p = t->proc;
	if (p->exiting)
		return;
	p->exiting = true;
	p->exit_status = wait_status;
	p->refs++; /* keep it while its tasks go */
	struct task *main_task = task_by_tid(t->s, p->pid);
	struct task *named = main_task && main_task->proc == p && main_task->mm ? main_task : t;
	snprintf(p->exit_comm, sizeof(p->exit_comm), "%s", named->mm ? task_comm(named) : "");
	/* While the memory is still there. */
	for (struct task *u = t->s->tasks; u; u = u->next)
		if (u->proc == p)
			exit_robust_list(u);
	kill_own_stub(p);
	struct task *next;
	for (struct task *u = t->s->tasks; u; u = next) {
		next = u->next;
		if (u->proc == p)
			task_release(u);
	}
	process_exited(p);
	process_put(p);
}

/* exit(2): the last thread ends the process; others end alone. */
void task_exit(struct task *t, int wait_status)
{
	if (t->proc->nthreads <= 1)
		task_exit_group(t, wait_status);
	else
		task_release(t);
}

/* ---- wait ---- */

static bool wait_matches(const struct task *t, const struct process *c, pid_t pid)
{
	if (pid > 0)
		return c->pid == pid;
	if (pid == 0)
		return c->pgid == t->proc->pgid;
	if (pid < -1)
		return c->pgid == -pid;
	return true;
}

int process_find_waitable(struct task *t, pid_t pid, int options, bool consume,
			  struct wait_result *out)
{
	bool any = false;
	for (struct process *c = t->proc->children; c; c = c->sibling) {
		if (!wait_matches(t, c, pid))
			continue;
		any = true;
		if (c->zombie && (options & WEXITED)) {
			*out = (struct wait_result){c->pid, c->exit_status, consume, c->own_use};
			usage_add(&out->usage, &c->children_use);
			if (consume) {
				/* Linux's wait_task_zombie: the waiter's process
				 * now counts the child and what it reaped. */
				usage_add(&t->proc->children_use, &out->usage);
				reap(c);
			}
			return 0;
		}
		bool stop = c->stop_report && c->stop_report != 0xffff;
		if ((stop && (options & WUNTRACED)) ||
		    (c->stop_report == 0xffff && (options & WCONTINUED))) {
			*out = (struct wait_result){.pid = c->pid, .status = c->stop_report};
			if (consume)
				c->stop_report = 0;
			return 0;
		}
	}
	return any ? -EAGAIN : -ECHILD;
}

/* ---- execve ---- */

static void free_strings(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

/* Read a NULL-terminated array of string pointers from the program. */
static int read_string_array(struct task *t, uint64_t addr, char ***out, size_t *total)
{
	size_t n = 0, cap = 16;
	char **v = xcalloc(cap, sizeof(char *));
	for (; addr; n++) {
		uint64_t p;
		if (task_read(t, addr + n * 8, &p, sizeof(p)) != 0) {
			free_strings(v);
			return -EFAULT;
		}
		if (!p)
			break;
		if (n + 2 > cap) {
			cap *= 2;
			v = xrealloc(v, cap * sizeof(char *));
		}
		char *buf = xmalloc(PATH_MAX * 32);
		long len = task_read_string(t, p, buf, PATH_MAX * 32);
		if (len < 0 || (*total += (size_t)len + 9) > ARG_MAX_BYTES) {
			free(buf);
			v[n] = NULL;
			free_strings(v);
			return len == -EFAULT ? -EFAULT : -E2BIG;
		}
		v[n] = xrealloc(buf, (size_t)len + 1);
	}
	v[n] = NULL;
	*out = v;
	return 0;
}

/* Other threads of the process go away at exec (Linux's de_thread). */
static void kill_other_threads(struct task *t)
{
	struct task *next;
	for (struct task *u = t->s->tasks; u; u = next) {
		next = u->next;
		if (u->proc == t->proc && u != t)
			task_release(u);
	}
}

long task_execve(struct task *t, int dirfd, uint64_t path_addr, uint64_t argv_addr,
		 uint64_t envp_addr, int flags)
{
	char path[PATH_MAX];
	long n = task_read_string(t, path_addr, path, sizeof(path));
	if (n < 0)
		return n;
	if (n == 0 && !(flags & AT_EMPTY_PATH))
		return -ENOENT;
	if (n == 0 && dirfd != AT_FDCWD && !fd_lookup(t, dirfd))
		return -EBADF;
	cleanup_free char *abs = NULL;
	int rc = n == 0 ? (abs = xasprintf("/proc/self/fd/%d", dirfd), 0)
			: path_absolute(t, dirfd, path, &abs);
	if (rc != 0)
		return rc;
	char **argv = NULL, **envp = NULL;
	size_t total = 0;
	rc = read_string_array(t, argv_addr, &argv, &total);
	if (rc == 0 && !argv[0]) {
		/* Linux (5.18 on) gives a program run with no argv an empty
		 * argv[0], so that argc is never 0. */
		free(argv);
		argv = xcalloc(2, sizeof(char *));
		argv[0] = xstrdup("");
	}
	if (rc == 0)
		rc = read_string_array(t, envp_addr, &envp, &total);
	if (rc == 0) {
		struct error e = {0};
		struct process *p = t->proc;
		struct task *vparent = p->vfork_parent;
		/* A path the cwd resolves is passed as given: a script's
		 * interpreter and AT_EXECFN see it as the program wrote it. */
		bool as_given = n > 0 && (dirfd == AT_FDCWD || path[0] == '/');
		rc = task_exec(t, as_given ? AT_FDCWD : PATH_AT_SANDBOX, as_given ? path : abs,
			       (const char *const *)argv, (const char *const *)envp, &e);
		if (rc == 0) {
			kill_other_threads(t);
			signal_reset_on_exec(p);
			caps_exec(p);
			keys_exec(t);
			p->did_exec = true;
			if (vparent) {
				task_wake(vparent);
				p->vfork_parent = NULL;
			}
		}
	}
	free_strings(argv);
	free_strings(envp);
	if (rc != 0)
		return rc;
	t->in_syscall = false;
	task_continue(t);
	return SYSRET_NORETURN;
}

/* ---- sessions and groups ---- */
