/* Terminals as the sandbox sees them: controlling terminal, session,
 * foreground process group.
 *
 * The bytes, the line discipline and the termios settings are the host's:
 * a terminal the program uses is a host tty fd (the sentry's inherited
 * stdio, or the slave of the pty the OCI runtime made), and TCGETS,
 * TIOCSWINSZ, reads and writes go to it. What the host cannot show is
 * job control in the sandbox's terms: on the host, the terminal's session
 * and foreground group are the sentry's own (host pids, one group for the
 * whole sandbox). So the sentry keeps, per terminal (keyed by the host
 * device number), the sandbox session it controls and its foreground
 * group, and serves TIOCGPGRP, TIOCSPGRP, TIOCGSID, TIOCSCTTY and
 * TIOCNOTTY from them, with Linux's rules (drivers/tty/tty_jobctrl.c):
 *   - a session has at most one controlling terminal and the reverse;
 *     TIOCGPGRP/TIOCGSID on a terminal that is not the caller's controlling
 *     one: ENOTTY; TIOCSPGRP: ENOTTY, EINVAL (< 0), ESRCH (no such group),
 *     EPERM (a group of another session);
 *   - a background process that reads its controlling terminal gets
 *     SIGTTIN (EIO if it ignores or blocks it, or its group is orphaned);
 *     one that writes with TOSTOP set, or calls TIOCSPGRP, gets SIGTTOU
 *     unless it ignores or blocks it. The call then restarts once the
 *     group is continued (SYSRET_RESTARTSYS), as Linux's -ERESTARTSYS.
 * The terminal's own signals (^C, ^Z, ^\, a window size change) reach the
 * sentry as host signals, because the sentry's host group is the host
 * terminal's foreground group; run.c forwards them to the foreground
 * group kept here (tty_foreground).
 *
 * A process the OCI runtime execs with a terminal (`exec --tty`) is a
 * session leader that takes it as its controlling terminal (tty_take),
 * its group in the foreground. On the host that pty's foreground group is
 * the runtime's exec waiter, which gets the terminal's signals and has
 * them sent to this terminal's foreground group over the control channel
 * (tty_signal_foreground).
 *
 * At start the sentry's host controlling terminal, if one of fds 0-2 is
 * it, becomes the controlling terminal of pid 1's session with pid 1's
 * group in the foreground (a shell or a container runtime did the same on
 * the host). A terminal reached otherwise (opened by path) starts owned by
 * no session.
 *
 * A terminal is known by its host device number (TIOCGDEV, so /dev/tty
 * and the terminal it stands for are one).
 *
 * Simplifications (known): only the sentry's own host terminal and the
 * terminals of `exec --tty` make signals (^C...): a pty the program makes inside the sandbox has no host
 * foreground group, so typing ^C into it signals nobody; a session's
 * terminal is looked up by session id, so TIOCNOTTY by a process that is
 * not the session leader does not detach that process alone; a session
 * leader's exit does not hang up the terminal (the sandbox ends with pid
 * 1, the usual leader); a pty master's TIOCGPGRP is ENOTTY (Linux answers
 * with the slave's group).
 *
 * No locks: only the sentry thread touches this state.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "kernel.h"
#include "files.h"

struct tty {
	dev_t rdev;
	pid_t sid;  /* the session it controls, 0: none */
	pid_t pgrp; /* its foreground group (while sid != 0) */
	struct tty *next;
};

static struct tty *tty_by_rdev(struct sentry *s, dev_t rdev, bool make)
{
	for (struct tty *y = s->ttys; y; y = y->next)
		if (y->rdev == rdev)
			return y;
	if (!make)
		return NULL;
	struct tty *y = xcalloc(1, sizeof(*y));
	y->rdev = rdev;
	y->next = s->ttys;
	s->ttys = y;
	return y;
}

void tty_init(struct sentry *s)
{
	pid_t host_sid = getsid(0);
	for (int fd = 0; fd < 3 && s->init; fd++) {
		pid_t sid;
		unsigned int dev; /* as fd.c records it for struct file */
		/* TIOCGSID answers only for the caller's controlling terminal. */
		if (!isatty(fd) || ioctl(fd, TIOCGSID, &sid) != 0 || sid != host_sid ||
		    ioctl(fd, TIOCGDEV, &dev) != 0)
			continue;
		struct tty *y = tty_by_rdev(s, dev, true);
		y->sid = s->init->sid;
		y->pgrp = s->init->pgid;
		return;
	}
}

void tty_release_all(struct sentry *s)
{
	while (s->ttys) {
		struct tty *y = s->ttys;
		s->ttys = y->next;
		free(y);
	}
}

/* The terminal session `sid` controls, or NULL. */
static struct tty *tty_of_session(struct sentry *s, pid_t sid)
{
	for (struct tty *y = s->ttys; y && sid; y = y->next)
		if (y->sid == sid)
			return y;
	return NULL;
}

pid_t tty_foreground(struct sentry *s)
{
	struct tty *y = s->init ? tty_of_session(s, s->init->sid) : NULL;
	return y ? y->pgrp : 0;
}

/* The caller's controlling terminal, if `f` is it. */
static struct tty *ctty_of(struct task *t, struct file *f)
{
	if (!f->tty)
		return NULL;
	struct tty *y = tty_by_rdev(t->s, f->tty_rdev, false);
	return y && y->sid == t->proc->sid ? y : NULL;
}

static bool group_exists(struct sentry *s, pid_t pgrp, pid_t *sid)
{
	for (struct task *u = s->tasks; u; u = u->next)
		if (!u->exiting && !u->proc->zombie && u->proc->pgid == pgrp) {
			*sid = u->proc->sid;
			return true;
		}
	return false;
}

/* POSIX: a group is orphaned when no member has a parent in another group
 * of the same session; its members cannot be continued by a shell, so
 * job-control stops are refused (EIO). */
static bool group_orphaned(struct sentry *s, pid_t pgrp)
{
	for (struct task *u = s->tasks; u; u = u->next) {
		struct process *p = u->proc, *pp = p->parent;
		if (p->pgid == pgrp && !p->zombie && pp && pp->pgid != pgrp && pp->sid == p->sid)
			return false;
	}
	return true;
}

static void signal_group(struct sentry *s, pid_t pgrp, int sig)
{
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = SI_KERNEL;
	for (struct task *u = s->tasks; u; u = u->next)
		if (u->proc->pgid == pgrp && !u->proc->zombie && u == task_by_tid(s, u->proc->pid))
			signal_send_process(u->proc, sig, &si);
}

bool tty_signal_foreground(struct process *p, int sig)
{
	struct tty *y = tty_of_session(p->s, p->sid);
	if (!y)
		return false;
	signal_group(p->s, y->pgrp, sig);
	return true;
}

int tty_take(struct process *p, struct file *f)
{
	if (!f || !f->tty)
		return -ENOTTY;
	if (p->sid != p->pid || tty_of_session(p->s, p->sid))
		return -EPERM;
	/* Taken from whichever session had it, as TIOCSCTTY with arg 1 by
	 * root: the runtime asked, on the host's owner's behalf. A stale
	 * entry (a session gone, its pty's number reused) goes the same way. */
	struct tty *y = tty_by_rdev(p->s, f->tty_rdev, true);
	y->sid = p->sid;
	y->pgrp = p->pgid;
	return 0;
}

static bool ignored_or_blocked(struct task *t, int sig)
{
	return signal_is_ignored(t->proc, sig) || (t->sigmask & SIGBIT(sig));
}

long tty_check_io(struct task *t, struct file *f, bool write)
{
	struct tty *y = ctty_of(t, f);
	if (!y || y->pgrp == t->proc->pgid)
		return 0;
	int sig = write ? SIGTTOU : SIGTTIN;
	if (write) {
		struct termios tio;
		if (tcgetattr(f->host_fd, &tio) != 0 || !(tio.c_lflag & TOSTOP) ||
		    ignored_or_blocked(t, sig))
			return 0;
	} else if (ignored_or_blocked(t, sig)) {
		return -EIO;
	}
	if (group_orphaned(t->s, t->proc->pgid))
		return -EIO;
	signal_group(t->s, t->proc->pgid, sig);
	return SYSRET_RESTARTSYS;
}

static long set_pgrp(struct task *t, struct file *f, uint64_t arg)
{
	struct tty *y = ctty_of(t, f);
	if (!y)
		return -ENOTTY;
	/* A background caller is stopped first, unless it opted out. */
	if (y->pgrp != t->proc->pgid && !ignored_or_blocked(t, SIGTTOU)) {
		if (group_orphaned(t->s, t->proc->pgid))
			return -ENOTTY;
		signal_group(t->s, t->proc->pgid, SIGTTOU);
		return SYSRET_RESTARTSYS;
	}
	pid_t pgrp, sid;
	if (task_read(t, arg, &pgrp, sizeof(pgrp)) != 0)
		return -EFAULT;
	if (pgrp < 0)
		return -EINVAL;
	if (!group_exists(t->s, pgrp, &sid))
		return -ESRCH;
	if (sid != t->proc->sid)
		return -EPERM;
	y->pgrp = pgrp;
	return 0;
}

static long set_ctty(struct task *t, struct file *f)
{
	struct process *p = t->proc;
	if (!f->tty)
		return -ENOTTY;
	struct tty *y = tty_by_rdev(t->s, f->tty_rdev, true);
	if (p->sid == p->pid && y->sid == p->sid)
		return 0; /* already ours */
	bool has_ctty = false;
	for (struct tty *o = t->s->ttys; o; o = o->next)
		has_ctty |= o->sid == p->sid;
	/* Stealing another session's terminal (arg 1 with CAP_SYS_ADMIN) is
	 * not offered: the sandbox has one user of it. */
	if (p->sid != p->pid || has_ctty || y->sid != 0)
		return -EPERM;
	y->sid = p->sid;
	y->pgrp = p->pgid;
	return 0;
}

long tty_ioctl(struct task *t, struct file *f, unsigned long req, uint64_t arg)
{
	if (!f->tty)
		return -ENOTTY;
	struct tty *y = ctty_of(t, f);
	switch (req) {
	case TIOCGPGRP:
	case TIOCGSID: {
		if (!y)
			return -ENOTTY;
		pid_t v = req == TIOCGPGRP ? y->pgrp : y->sid;
		return task_write(t, arg, &v, sizeof(v)) == 0 ? 0 : -EFAULT;
	}
	case TIOCSPGRP:
		return set_pgrp(t, f, arg);
	case TIOCSCTTY:
		return set_ctty(t, f);
	case TIOCNOTTY:
		if (!y)
			return -ENOTTY;
		if (t->proc->sid == t->proc->pid) {
			/* The leader gives it up: its foreground group is hung up. */
			signal_group(t->s, y->pgrp, SIGHUP);
			signal_group(t->s, y->pgrp, SIGCONT);
			y->sid = 0;
			y->pgrp = 0;
		}
		return 0;
	default:
		return -ENOTTY;
	}
}
