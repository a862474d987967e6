/* Driving stubs with ptrace.
 *
 * Costs measured on the target VMs decide the shape of this file: a
 * PTRACE_SYSEMU round trip is ~10 us when tracer and tracee share a CPU,
 * PTRACE_GET_SYSCALL_INFO (0.6 us) is cheaper than GETREGS (1.0 us), and
 * writing only RAX with POKEUSER is cheaper than SETREGS. So a syscall stop
 * reads the call with GET_SYSCALL_INFO, answers with POKEUSER, and the full
 * register set is only read (and written back) when a handler needs it.
 */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "platform-internal.h"
#include "platform/systrap/systrap-internal.h"

int stub_create_factory(struct stub_thread *th, bool systrap, struct error *e);

int platform_create(struct platform **out, enum platform_kind kind, struct error *e)
{
	struct platform *p = xcalloc(1, sizeof(*p));
	p->systrap = kind == PLATFORM_SYSTRAP;
	p->evfd = p->chld_fd = -1;
	/* Tracer and stubs share one CPU: the sentry and the stub it waits
	 * for then hand the CPU back and forth without a cross-CPU wakeup. */
	const char *pin = getenv("MSENTRY_SYSTRAP_PIN");
	placement_init(&p->place, !p->systrap || (pin && *pin == '1'));
	if ((p->systrap && systrap_setup(p, e) != 0) ||
	    stub_create_factory(&p->factory, p->systrap, e) != 0) {
		if (p->evfd >= 0)
			close(p->evfd);
		if (p->chld_fd >= 0)
			close(p->chld_fd);
		placement_release(&p->place);
		free(p);
		return -1;
	}
	*out = p;
	return 0;
}

int platform_wakeup_fd(const struct platform *p)
{
	return p->systrap ? p->evfd : -1;
}

pid_t platform_space_pid(const struct stub_thread *th)
{
	if (!th)
		return -1;
	return th->space ? th->space->control->tid : th->tgid;
}

void platform_destroy(struct platform *p)
{
	if (!p)
		return;
	platform_kill(p->factory.tid);
	placement_release(&p->place);
	if (p->evfd >= 0)
		close(p->evfd);
	if (p->chld_fd >= 0)
		close(p->chld_fd);
	free(p->queued);
	free(p);
}

/* Wait for the death of traced thread `tid` after a SIGKILL, past any
 * stop queued before it. */
static void reap_dead(pid_t tid)
{
	int status;
	for (;;) {
		pid_t r = waitpid(tid, &status, __WALL);
		if (r < 0 && errno == EINTR)
			continue; /* a signal to the sentry (the control channel's tick) */
		if (r != tid || !WIFSTOPPED(status))
			return;
	}
}

void platform_kill(pid_t tid)
{
	/* A thread already gone has tid -1: kill(-1) or kill(0) would reach
	 * far more than a stub. */
	if (tid <= 0)
		return;
	kill(tid, SIGKILL);
	/* Its other threads, traced by the sentry, stay zombies until the
	 * sentry reaps them, and the leader is reported only after them:
	 * waiting for the leader alone would wait forever when the stub
	 * still had threads (an execve by one of several threads: the others
	 * were running, or waiting in a syscall or a page fault). */
	char dir[64];
	snprintf(dir, sizeof(dir), "/proc/%d/task", (int)tid);
	DIR *d = opendir(dir);
	for (struct dirent *de; d && (de = readdir(d));) {
		pid_t other = (pid_t)atoi(de->d_name);
		if (other > 0 && other != tid)
			reap_dead(other);
	}
	if (d)
		closedir(d);
	/* Then the leader, if it is our child; traced threads of other
	 * processes are reaped when their process goes. */
	reap_dead(tid);
}

pid_t platform_thread_tid(const struct stub_thread *th)
{
	return th ? th->tid : -1;
}

void platform_thread_exited(struct stub_thread *th)
{
	th->tid = -1;
	th->regs_loaded = th->regs_dirty = false;
}

void platform_thread_free(struct stub_thread *th)
{
	if (th && th->shm) {
		systrap_thread_free(th);
		return;
	}
	free(th);
}

void platform_kick(struct stub_thread *th)
{
	/* Any signal stops a traced thread before it acts; the sentry then
	 * discards it. SIGURG is one nothing else sends to stubs. One kick
	 * at a time: a second would only add a stop nobody waits for. A
	 * stopped thread may be kicked too: it stops again as soon as it is
	 * resumed (the vsyscall patcher relies on that). */
	if (th && th->shm) {
		systrap_kick(th);
		return;
	}
	if (th && th->tid > 0 && !th->kicked) {
		syscall(SYS_tkill, th->tid, SIGURG);
		th->kicked = true;
	}
}

/* Bring a running thread to a stop the platform holds: kick it unless a
 * kick is already on its way, then wait for that very thread. A running
 * tracee with a signal pending always stops (or dies). False if it died. */
static bool stop_thread(struct stub_thread *th)
{
	if (th->stopped)
		return true;
	platform_kick(th);
	int status;
	while (waitpid(th->tid, &status, __WALL) < 0) {
		if (errno != EINTR) {
			platform_thread_exited(th);
			return false;
		}
	}
	if (!WIFSTOPPED(status)) {
		platform_thread_exited(th);
		return false;
	}
	/* Another stop may come first (a syscall stop): the kick then stays
	 * pending and stops the thread again later. */
	th->kicked = WSTOPSIG(status) != SIGURG;
	th->stopped = true;
	return true;
}

void platform_end_thread(struct stub_thread *th)
{
	if (th && th->shm) {
		systrap_end_thread(th);
		return;
	}
	if (!th || th->tid <= 0 || !stop_thread(th))
		return;
	/* The stub's filter allows exit: the thread leaves, the rest stays. */
	const uint64_t args[6] = {0};
	if (th->tid == th->tgid) {
		/* The thread-group leader: while its siblings live it stays a
		 * zombie that is reported only when the whole group is gone,
		 * so it is not waited for here; the sentry's loop collects
		 * that report later. */
		stub_inject_nowait(th, __NR_exit, args);
	} else {
		stub_inject(th, __NR_exit, args, NULL); /* reaps the thread */
	}
	platform_thread_exited(th);
}

void platform_kill_threads(struct stub_thread *const *threads, size_t n)
{
	if (n > 0 && threads[0]->shm) {
		systrap_kill_threads(threads, n);
		return;
	}
	pid_t tgid = 0;
	bool leader_listed = false;
	for (size_t i = 0; i < n; i++) {
		if (threads[i]->tid > 0)
			tgid = threads[i]->tgid;
		leader_listed |= threads[i]->tid > 0 && threads[i]->tid == threads[i]->tgid;
	}
	/* No listed thread alive: the group is dead and reaped (a leader is
	 * reported last), and its pid may already name another process. */
	if (tgid <= 0)
		return;
	kill(tgid, SIGKILL);
	/* Every traced thread reports its own death; the leader's report
	 * comes only once the others are reaped, so it goes last. */
	for (int last = 0; last < 2; last++) {
		for (size_t i = 0; i < n; i++) {
			struct stub_thread *th = threads[i];
			if (th->tid <= 0 || (th->tid == tgid) != last)
				continue;
			int status;
			for (;;) {
				pid_t r = waitpid(th->tid, &status, __WALL);
				if (r < 0 && errno == EINTR)
					continue; /* a signal to the sentry (the control channel's tick) */
				if (r != th->tid || !WIFSTOPPED(status))
					break;
				/* a stop already queued before the kill: the kill follows */
			}
			platform_thread_exited(th);
		}
	}
	/* A leader the list does not name (it left with pthread_exit and
	 * stayed a zombie) is reaped now that its group is gone. */
	if (!leader_listed)
		while (waitpid(tgid, NULL, __WALL) < 0 && errno == EINTR)
			;
}

void platform_note_stop(struct stub_thread *th, const struct stop *st)
{
	if (!th)
		return;
	if (st->kind == STOP_EXITED) {
		platform_thread_exited(th);
		return;
	}
	th->stopped = true;
	if (st->kind == STOP_SIGNAL && st->sig == SIGURG)
		th->kicked = false;
}

void platform_classify(pid_t tid, int status, struct stop *s)
{
	*s = (struct stop){.tid = tid, .status = status};
	if (WIFEXITED(status)) {
		s->kind = STOP_EXITED;
		return;
	}
	if (WIFSIGNALED(status)) {
		s->kind = STOP_EXITED;
		s->sig = WTERMSIG(status);
		return;
	}
	int sig = WSTOPSIG(status);
	int event = status >> 16;
	if (sig == (SIGTRAP | 0x80))
		s->kind = STOP_SYSCALL;
	else if (event == PTRACE_EVENT_SECCOMP)
		s->kind = STOP_VSYSCALL;
	else if (event != 0)
		s->kind = STOP_OTHER;
	else {
		s->kind = STOP_SIGNAL;
		s->sig = sig;
	}
}

int platform_wait(struct platform *p, struct stop *s, bool nohang)
{
	if (p->systrap)
		return systrap_wait(p, s, nohang);
	int status;
	pid_t tid = waitpid(-1, &status, __WALL | (nohang ? WNOHANG : 0));
	if (tid < 0)
		return -errno;
	if (tid == 0)
		return -EAGAIN;
	platform_classify(tid, status, s);
	return 0;
}

void platform_tick(struct platform *p, pid_t tid)
{
	placement_tick(&p->place, tid);
}

int platform_syscall_info(struct stub_thread *th, struct syscall_stop *out)
{
	if (th->shm)
		return systrap_syscall_info(th, out);
	struct __ptrace_syscall_info info;
	long n = ptrace(PTRACE_GET_SYSCALL_INFO, th->tid, sizeof(info), &info);
	if (n < 0)
		return -errno;
	if (info.op != PTRACE_SYSCALL_INFO_ENTRY)
		return -EINVAL;
	out->nr = info.entry.nr;
	memcpy(out->args, info.entry.args, sizeof(out->args));
	out->ip = info.instruction_pointer;
	out->sp = info.stack_pointer;
	out->is_32bit = info.arch != AUDIT_ARCH_X86_64;
	return 0;
}

int platform_get_siginfo(struct stub_thread *th, siginfo_t *si)
{
	if (th->shm)
		return systrap_get_siginfo(th, si);
	return ptrace(PTRACE_GETSIGINFO, th->tid, 0, si) == 0 ? 0 : -errno;
}

int platform_load_regs(struct stub_thread *th)
{
	if (th->regs_loaded)
		return 0;
	if (th->shm)
		return systrap_load_regs(th);
	if (ptrace(PTRACE_GETREGS, th->tid, 0, &th->regs) != 0)
		return -errno;
	th->regs_loaded = true;
	return 0;
}

int platform_get_regs(struct stub_thread *th, struct user_regs_struct *out)
{
	int rc = platform_load_regs(th);
	if (rc == 0)
		*out = th->regs;
	return rc;
}

void platform_set_regs(struct stub_thread *th, const struct user_regs_struct *in)
{
	th->regs = *in;
	th->regs_loaded = true;
	th->regs_dirty = true;
}

int platform_resume(struct stub_thread *th, bool set_result, long result)
{
	if (th->shm)
		return systrap_resume(th, set_result, result);
	if (th->regs_dirty) {
		if (set_result)
			th->regs.rax = (uint64_t)result;
		if (ptrace(PTRACE_SETREGS, th->tid, 0, &th->regs) != 0)
			return -errno;
	} else if (set_result) {
		if (ptrace(PTRACE_POKEUSER, th->tid, offsetof(struct user, regs.rax), result) != 0)
			return -errno;
	}
	th->regs_loaded = false;
	th->regs_dirty = false;
	placement_follow(th);
	if (ptrace(PTRACE_SYSEMU, th->tid, 0, 0) != 0)
		return -errno;
	th->stopped = false;
	return 0;
}

/* Wait for `tid` to finish an injected syscall (its int3). Event stops on
 * the way (fork/clone) leave their message in *event_msg. */
static long finish_injection(struct stub_thread *th, unsigned long *event_msg)
{
	pid_t tid = th->tid;
	/* The stub's own `syscall; int3` cannot fault unless the program left
	 * it a state the CPU refuses to run (forged sigreturn frames): resuming
	 * such a fault only brings it back, forever. The call fails instead,
	 * and the program meets the fault itself when it runs again. Any other
	 * stop is resumed, a bounded number of times. */
	for (int resumes = 0; resumes < 100000; resumes++) {
		int status;
		if (waitpid(tid, &status, __WALL) < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (!WIFSTOPPED(status))
			return -ESRCH;
		if (status >> 16 != 0 && event_msg)
			ptrace(PTRACE_GETEVENTMSG, tid, 0, event_msg);
		else if (WSTOPSIG(status) == SIGTRAP && status >> 16 == 0)
			return 0;
		/* Any other stop (event, or a signal sent to the stub) is
		 * resumed silently: the sentry emulates signals itself. A
		 * kick swallowed here is no longer on its way. */
		if (WSTOPSIG(status) == SIGURG)
			th->kicked = false;
		int sig = WSTOPSIG(status);
		siginfo_t si;
		if (status >> 16 == 0 &&
		    (sig == SIGSEGV || sig == SIGBUS || sig == SIGILL || sig == SIGFPE) &&
		    ptrace(PTRACE_GETSIGINFO, tid, 0, &si) == 0 && si.si_code > 0)
			return -EFAULT;
		if (ptrace(PTRACE_CONT, tid, 0, 0) != 0)
			return -errno;
	}
	return -EIO;
}

/* Set up the injected syscall and let the thread run into it. */
static long start_injection(struct stub_thread *th, long nr, const uint64_t args[6])
{
	/* The stub's filter would kill it for anything else. */
	if (!stub_syscall_allowed(nr, args))
		return -ENOSYS;
	int rc = platform_load_regs(th);
	if (rc != 0)
		return rc;
	struct user_regs_struct r = th->regs;
	r.rip = STUB_SYSCALL_ADDR;
	r.rax = (uint64_t)nr;
	r.orig_rax = (uint64_t)-1;
	r.rdi = args[0];
	r.rsi = args[1];
	r.rdx = args[2];
	r.r10 = args[3];
	r.r8 = args[4];
	r.r9 = args[5];
	/* The stub's registers now differ from the program's: they must be
	 * written back before the program runs again. */
	th->regs_dirty = true;
	if (ptrace(PTRACE_SETREGS, th->tid, 0, &r) != 0)
		return -errno;
	placement_follow(th);
	if (ptrace(PTRACE_CONT, th->tid, 0, 0) != 0)
		return -errno;
	return 0;
}

void stub_inject_nowait(struct stub_thread *th, long nr, const uint64_t args[6])
{
	if (start_injection(th, nr, args) == 0)
		th->stopped = false;
}

long stub_inject(struct stub_thread *th, long nr, const uint64_t args[6], unsigned long *event_msg)
{
	/* systrap: the typed calls are made by the stub's control thread. */
	if (th->shm)
		th = th->space->control;
	long err = start_injection(th, nr, args);
	if (err != 0)
		return err;
	err = finish_injection(th, event_msg);
	if (err != 0)
		return err;
	errno = 0;
	long ret = ptrace(PTRACE_PEEKUSER, th->tid, offsetof(struct user, regs.rax), 0);
	if (errno != 0)
		return -errno;
	return ret;
}

/* First stop of an auto-attached child: its SIGSTOP. */
static int take_new_child(pid_t tid, pid_t tgid, struct stub_thread **child)
{
	int status;
	while (waitpid(tid, &status, __WALL) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	if (!WIFSTOPPED(status))
		return -ESRCH;
	struct stub_thread *th = xcalloc(1, sizeof(*th));
	*th = (struct stub_thread){.tid = tid, .tgid = tgid, .stopped = true, .cpu = -1};
	int rc = platform_load_regs(th);
	if (rc != 0) {
		free(th);
		return rc;
	}
	*child = th;
	return 0;
}

int stub_clone(struct stub_thread *th, uint64_t flags, struct stub_thread **child)
{
	const uint64_t args[6] = {flags, 0, 0, 0, 0, 0};
	unsigned long new_tid = 0;
	long ret = stub_inject(th, __NR_clone, args, &new_tid);
	if (ret < 0)
		return (int)ret;
	/* A new process leads its own thread group; a new thread joins th's. */
	pid_t tgid = (flags & CLONE_THREAD) ? th->tgid : (pid_t)ret;
	return take_new_child((pid_t)ret, tgid, child);
}

int platform_new_address_space(struct platform *p, struct stub_thread **th, struct error *e)
{
	if (p->systrap)
		return systrap_new_address_space(p, th, e);
	int rc = stub_clone(&p->factory, STUB_FORK_FLAGS, th);
	if (rc != 0)
		return error_sys(e, -rc, "cannot clone a stub process");
	/* The factory keeps its registers as they were: nothing to restore. */
	p->factory.regs_dirty = false;
	return 0;
}

int platform_fork(struct stub_thread *parent, struct stub_thread **child)
{
	if (parent->shm)
		return systrap_fork(parent, child);
	return stub_clone(parent, STUB_FORK_FLAGS, child);
}

int platform_new_thread(struct stub_thread *th, struct stub_thread **child)
{
	if (th->shm)
		return systrap_new_thread(th, child);
	return stub_clone(th, STUB_THREAD_FLAGS, child);
}

int platform_read(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec local = {buf, len}, remote = {(void *)addr, len};
	ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

int platform_write(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	if (len == 0)
		return 0;
	struct iovec local = {(void *)buf, len}, remote = {(void *)addr, len};
	ssize_t n = process_vm_writev(tid, &local, 1, &remote, 1, 0);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

int platform_write_force(pid_t tid, uint64_t addr, const void *buf, size_t len)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/%d/mem", tid);
	/* The sentry's thread may be checking file access as the program
	 * (setfsuid, sentry/kernel/creds.c): the stub's mem file (0600) is
	 * msentry's own, so it is opened with msentry's identity. The raw
	 * call acts on this thread only, and returns the previous fsuid. */
	long old_fsuid = syscall(SYS_setfsuid, geteuid());
	cleanup_close int fd = open(path, O_RDWR | O_CLOEXEC);
	int saved = errno;
	syscall(SYS_setfsuid, old_fsuid);
	errno = saved;
	if (fd < 0)
		return -errno;
	ssize_t n = pwrite(fd, buf, len, (off_t)addr);
	return n == (ssize_t)len ? 0 : -EFAULT;
}

long platform_read_string(pid_t tid, uint64_t addr, char *buf, size_t max)
{
	size_t got = 0;
	while (got < max) {
		/* Never read across a page we were not asked about: the
		 * string may end right before an unmapped page. */
		size_t chunk = PAGE_SIZE - ((addr + got) & (PAGE_SIZE - 1));
		if (chunk > max - got)
			chunk = max - got;
		if (platform_read(tid, addr + got, buf + got, chunk) != 0)
			return -EFAULT;
		char *nul = memchr(buf + got, '\0', chunk);
		if (nul)
			return nul - buf;
		got += chunk;
	}
	return -ENAMETOOLONG;
}

long platform_get_fpstate(struct stub_thread *th, void *buf, size_t len)
{
	if (th->shm)
		return systrap_get_fpstate(th, buf, len);
	struct iovec iov = {buf, len};
	if (ptrace(PTRACE_GETREGSET, th->tid, NT_X86_XSTATE, &iov) != 0)
		return -errno;
	return (long)iov.iov_len;
}

int platform_set_fpstate(struct stub_thread *th, const void *buf, size_t len)
{
	if (th->shm)
		return systrap_set_fpstate(th, buf, len);
	struct iovec iov = {(void *)buf, len};
	if (ptrace(PTRACE_SETREGSET, th->tid, NT_X86_XSTATE, &iov) != 0)
		return -errno;
	return 0;
}
