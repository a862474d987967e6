/* File owners and the signals the host sends them: O_ASYNC (SIGIO when
 * I/O is possible), leases (SIGIO when another open breaks one) and
 * dnotify (F_NOTIFY: SIGIO when a directory changes).
 *
 * In Linux these signals go to the file's owner (F_SETOWN; F_SETLEASE and
 * F_NOTIFY make the caller the owner). Every host fd is the sentry's, so
 * the host would send them to the sentry itself, whose default action for
 * SIGIO is to die: a program that took a lease killed the whole sandbox
 * when another process opened the file. So the owner the program sets is
 * kept in the struct file (the sandbox's view: a sandbox pid, pgrp or tid,
 * and the F_SETSIG signal), and the host fd is owned by the sentry with
 * F_SETSIG = FOWN_HOST_SIGNAL, a real-time signal whose siginfo names the
 * host fd. Its handler writes (fd, band, code) to a nonblocking pipe; the
 * loop drains the pipe (fown_take, from sentry_take_host_signals) and
 * sends the program's signal to the program's owner, with si_fd the
 * program's fd, as Linux would.
 *
 * The handler has no context, so the pipe's write end is a process-global
 * set once at start-up and never changed (frozen, like configuration), and
 * a flag tells the loop that the pipe has something (the loop runs once a
 * program syscall and must not read an empty pipe each time).
 * The signal is not SA_RESTART: it interrupts the loop's waitpid/ppoll.
 * Threat: a program can make the host signal the sentry as often as I/O
 * happens; each one costs a pipe write and a lookup, and a full pipe drops
 * the extra ones, as Linux drops signals that do not queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "sentry/kernel/files.h"
#include "sentry/kernel/kernel.h"

#define FOWN_HOST_SIGNAL (SIGRTMAX - 3)

struct fown_event {
	int fd;
	int code;
	long band;
};

static int fown_pipe[2] = {-1, -1}; /* set once by fown_setup */
/* Set by the handler so that the loop reads the pipe only when there is
 * something in it (the loop runs once per program syscall). */
static volatile sig_atomic_t fown_pending;

static void record_fown_signal(int sig, siginfo_t *si, void *uc)
{
	(void)sig;
	(void)uc;
	int saved = errno;
	struct fown_event ev = {.fd = si->si_fd, .code = si->si_code, .band = si->si_band};
	(void)!write(fown_pipe[1], &ev, sizeof(ev));
	fown_pending = 1;
	errno = saved;
}

void fown_setup(void)
{
	if (fown_pipe[0] >= 0 || pipe2(fown_pipe, O_CLOEXEC | O_NONBLOCK) != 0)
		return;
	struct sigaction sa = {.sa_sigaction = record_fown_signal, .sa_flags = SA_SIGINFO};
	sigemptyset(&sa.sa_mask);
	sigaction(FOWN_HOST_SIGNAL, &sa, NULL);
}

/* Make the host tell the sentry about `f` (once per file). */
static int arm_host(struct file *f)
{
	if (f->fown.armed)
		return 0;
	if (f->host_fd < 0)
		return -EINVAL;
	struct f_owner_ex me = {.type = F_OWNER_PID, .pid = getpid()};
	if (fcntl(f->host_fd, F_SETOWN_EX, &me) != 0 ||
	    fcntl(f->host_fd, F_SETSIG, FOWN_HOST_SIGNAL) != 0)
		return -errno;
	f->fown.armed = true;
	return 0;
}

int fown_set(struct task *t, struct file *f, int fd, int type, pid_t pid)
{
	if (type != F_OWNER_TID && type != F_OWNER_PID && type != F_OWNER_PGRP)
		return -EINVAL;
	if (pid < 0)
		return -EINVAL;
	bool exists = pid == 0;
	for (struct task *u = t->s->tasks; u && !exists; u = u->next)
		exists = type == F_OWNER_TID	? u->tid == pid
			 : type == F_OWNER_PGRP ? u->proc->pgid == pid
						: u->proc->pid == pid;
	if (!exists)
		return -ESRCH;
	int rc = pid ? arm_host(f) : 0;
	if (rc != 0)
		return rc;
	f->fown.type = type;
	f->fown.pid = pid;
	f->fown.fd = fd;
	f->fown.uid = t->proc->ruid;
	f->fown.euid = t->proc->euid;
	return 0;
}

int fown_arm_for(struct task *t, struct file *f, int fd, bool make_caller_owner)
{
	int rc = arm_host(f);
	if (rc != 0)
		return rc;
	if (make_caller_owner) {
		f->fown.type = F_OWNER_PID;
		f->fown.pid = t->proc->pid;
		f->fown.uid = t->proc->ruid;
		f->fown.euid = t->proc->euid;
	}
	f->fown.fd = fd;
	return 0;
}

/* A file the host reports on: the one behind host fd `key`, armed. */
static bool armed_with_host_fd(struct file *f, const void *key)
{
	return f->host_fd == *(const int *)key && f->fown.armed;
}

/* Linux's sigio_perm: whoever set the owner must be root (effective) or
 * share a uid with the target, else the target is passed over. Without
 * it a program could signal, with any F_SETSIG signal SIGKILL included,
 * processes of other users (or the sandbox's root init) that kill(2)
 * would refuse it. */
static bool sigio_perm(const struct file *f, const struct process *p)
{
	return f->fown.euid == 0 || f->fown.euid == p->suid || f->fown.euid == p->ruid ||
	       f->fown.uid == p->suid || f->fown.uid == p->ruid;
}

static void send_to_owner(struct sentry *s, struct file *f, const struct fown_event *ev)
{
	int sig = f->fown.sig ? f->fown.sig : SIGIO;
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	if (f->fown.sig) { /* F_SETSIG: the reason and the fd come with it */
		si.si_code = ev->code;
		si.si_band = ev->band;
		si.si_fd = f->fown.fd;
	} else {
		si.si_code = SI_KERNEL;
	}
	if (f->fown.type == F_OWNER_TID) {
		struct task *u = task_by_tid(s, f->fown.pid);
		if (u && !u->exiting && sigio_perm(f, u->proc))
			signal_send_task(u, sig, &si);
		return;
	}
	if (f->fown.type == F_OWNER_PID) {
		struct process *p = process_by_pid(s, f->fown.pid);
		if (p && !p->zombie && !p->exiting && sigio_perm(f, p))
			signal_send_process(p, sig, &si);
		return;
	}
	/* A process group: each member once, at its first task listed. */
	for (struct task *u = s->tasks; u; u = u->next) {
		struct process *p = u->proc;
		if (p->pgid != f->fown.pid || p->zombie || p->exiting || !sigio_perm(f, p))
			continue;
		struct task *first = s->tasks;
		while (first->proc != p)
			first = first->next;
		if (first == u)
			signal_send_process(p, sig, &si);
	}
}

void fown_take(struct sentry *s)
{
	if (!fown_pending)
		return;
	fown_pending = 0;
	struct fown_event ev;
	while (fown_pipe[0] >= 0 && read(fown_pipe[0], &ev, sizeof(ev)) == sizeof(ev)) {
		struct file *f = file_find(s, armed_with_host_fd, &ev.fd);
		if (f && f->fown.pid)
			send_to_owner(s, f, &ev);
	}
}
